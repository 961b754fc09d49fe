// SPDX-License-Identifier: GPL-2.0
/*
 * events_test.c - the denial stream under a flood (run in the test VM).
 *
 * A confined process is denied 100,000 times as fast as it can while
 * 'clawlock events --follow' reads the stream. Every denial must be either
 * delivered as a record or counted as dropped (held back by the per-cgroup,
 * per-rule rate limit, or lost to a full ring buffer), and the stream itself
 * must say how many were dropped. Once with the default rate limit, once
 * with none.
 */
#include "cltest.h"
#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 600

#define FLOOD 100000

FIXTURE(flood)
{
	char root[64];
	char policy[128];
	char target[128];
	char log[128];
	char agent[32];
};

FIXTURE_VARIANT(flood)
{
	const char *rate;
};

FIXTURE_VARIANT_ADD(flood, default_rate_limit){
	.rate = "200",
};

FIXTURE_VARIANT_ADD(flood, no_rate_limit){
	.rate = "0",
};

FIXTURE_SETUP(flood)
{
	char text[8192];

	strcpy(self->root, "/tmp/cl-flood-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->agent, sizeof(self->agent), "flood-%d", getpid());
	snprintf(self->target, sizeof(self->target), "%s/forbidden", self->root);
	snprintf(self->log, sizeof(self->log), "%s/events.jsonl", self->root);
	snprintf(self->policy, sizeof(self->policy), "%s/policy.json5", self->root);
	ASSERT_EQ(0, cl_write_file(self->target, "no\n"));
	snprintf(text, sizeof(text),
		 "{ include: '%s/policies/baseline.json5', profiles: { me: { files: {"
		 "  '%s': 'read,exec' } } }, agents: { '%s': { use: ['system', 'me'] } } }",
		 cl_source(), cl_self_dir(), self->agent);
	ASSERT_EQ(0, cl_write_file(self->policy, text));
	ASSERT_EQ(0, cl_load());
	ASSERT_EQ(0, cl_run_clawlock(NULL, 0, "-q", "load", "--deny-rate", variant->rate, NULL));
}

FIXTURE_TEARDOWN(flood)
{
	cl_run_clawlock(NULL, 0, "-q", "load", "--deny-rate", "200", NULL);
	cl_rm_tree(self->root);
}

struct counters {
	long long denied, ring, rate, open_denied, open_checked, open_allowed;
};

static long long op_count(struct json_object *st, const char *op, const char *kind)
{
	struct json_object *v;

	if (json_object_object_get_ex(st, "ops", &v) && json_object_object_get_ex(v, op, &v) &&
	    json_object_object_get_ex(v, kind, &v))
		return json_object_get_int64(v);
	return 0;
}

static int read_counters(struct counters *c)
{
	static char out[1 << 16];
	struct json_object *st, *v;

	if (cl_run_clawlock(out, sizeof(out), "status", "--json", NULL) != 0)
		return -1;
	st = json_tokener_parse(out);
	if (!st)
		return -1;
	json_object_object_get_ex(st, "denied", &v);
	c->denied = json_object_get_int64(v);
	json_object_object_get_ex(st, "eventsDropped", &v);
	c->ring = json_object_get_int64(v);
	json_object_object_get_ex(st, "eventsRateLimited", &v);
	c->rate = json_object_get_int64(v);
	c->open_denied = op_count(st, "open", "denied");
	c->open_checked = op_count(st, "open", "checked");
	c->open_allowed = op_count(st, "open", "allowed");
	json_object_put(st);
	return 0;
}

/* clawlock events --follow --json --agent A > LOG, in the background. */
static pid_t start_reader(FIXTURE_DATA(flood) * self)
{
	char *argv[] = { (char *)cl_binary(), "events",	   "--follow", "--json",
			 "--agent",	      self->agent, NULL };
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(self->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

struct stream {
	long long records, suppressed, rate, ring;
};

static int read_stream(const char *log, const char *agent, struct stream *s)
{
	struct json_object *o, *v;
	char *line = NULL;
	size_t size = 0;
	FILE *f = fopen(log, "r");

	if (!f)
		return -1;
	memset(s, 0, sizeof(*s));
	while (getline(&line, &size, f) > 0) {
		o = json_tokener_parse(line);
		if (!o)
			continue;
		if (json_object_object_get_ex(o, "rateLimited", &v)) {
			s->rate += json_object_get_int64(v);
			json_object_object_get_ex(o, "ringFull", &v);
			s->ring += json_object_get_int64(v);
		} else if (!strcmp(cl_event_str(o, "agent"), agent)) {
			s->records++;
			if (json_object_object_get_ex(o, "suppressed", &v))
				s->suppressed += json_object_get_int64(v);
		}
		json_object_put(o);
	}
	free(line);
	fclose(f);
	return 0;
}

TEST_F(flood, every_denial_is_delivered_or_counted)
{
	struct counters before, after;
	struct stream s;
	long long denied, dropped;
	pid_t reader;
	int status;

	reader = start_reader(self);
	ASSERT_LT(0, reader);
	usleep(500000); /* the reader is attached to the ring */
	ASSERT_EQ(0, read_counters(&before));
	ASSERT_EQ(0, cl_confined(self->policy, self->agent, "flood", self->target, NULL));
	ASSERT_EQ(0, read_counters(&after));
	usleep(500000); /* the reader has polled again */
	kill(reader, SIGTERM);
	ASSERT_EQ(reader, waitpid(reader, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, read_stream(self->log, self->agent, &s));

	denied = after.denied - before.denied;
	dropped = (after.rate - before.rate) + (after.ring - before.ring);
	TH_LOG("rate %s: %lld denials, %lld records delivered, %lld held back by the rate "
	       "limit, %lld lost to a full ring; the stream reported %lld + %lld dropped and "
	       "%lld suppressed",
	       variant->rate, denied, s.records, after.rate - before.rate, after.ring - before.ring,
	       s.rate, s.ring, s.suppressed);
	EXPECT_LE(FLOOD, denied);
	/* status counts them by operation too, beside the opens it allowed. */
	EXPECT_LE(FLOOD, after.open_denied - before.open_denied);
	EXPECT_LE(FLOOD, after.open_checked - before.open_checked);
	EXPECT_LT(0, after.open_allowed - before.open_allowed);
	/* Nothing is lost silently. */
	EXPECT_EQ(denied, s.records + dropped);
	/* The stream itself says what was dropped. */
	EXPECT_EQ(dropped, s.rate + s.ring);
	if (strcmp(variant->rate, "0")) {
		/* The limit held: a handful of seconds' worth of records went out. */
		EXPECT_LT(0, after.rate - before.rate);
		EXPECT_GT(FLOOD / 10, s.records);
		EXPECT_LT(0, s.records);
	} else {
		EXPECT_EQ(0, after.rate - before.rate);
	}
}

TEST_HARNESS_MAIN
