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
 *
 * Records about hostile names: files named with every byte 0x01-0xff, and
 * a 4,000-byte path, must come out as strict JSON (valid UTF-8, the exact
 * bytes recoverable) and as text with no control byte in it.
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
	static const char policy_template[] =
		"{ include: '@SRC@/policies/baseline.json5', profiles: { me: { files: {"
		"  '@TESTDIR@': 'read,exec' } } }, agents: { '@AGENT@': { use: ['system', 'me'] } } }";

	strcpy(self->root, "/tmp/cl-flood-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->agent, sizeof(self->agent), "flood-%d", getpid());
	snprintf(self->target, sizeof(self->target), "%s/forbidden", self->root);
	snprintf(self->log, sizeof(self->log), "%s/events.jsonl", self->root);
	snprintf(self->policy, sizeof(self->policy), "%s/policy.json5", self->root);
	ASSERT_EQ(0, cl_write_file(self->target, "no\n"));
	ASSERT_EQ(0, CL_WRITE_FILLED(self->policy, policy_template, "SRC", cl_source(), "TESTDIR",
				     cl_self_dir(), "AGENT", self->agent));
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

/*
 * The reader counts drops from the moment it opens the ring: a flood that
 * began before would lose some from its count. One denial it delivers
 * says it is reading (under a loaded TCG host, half a second was seen not
 * to be enough to start it); a minute at most. The records it has by then.
 */
static long long reader_started(struct __test_metadata *_metadata, FIXTURE_DATA(flood) * self)
{
	struct stream s;

	ASSERT_EQ(DENIED, cl_confined(self->policy, self->agent, "read", self->target, NULL));
	for (int i = 0; i < 600; i++) {
		if (read_stream(self->log, self->agent, &s) == 0 && s.records > 0)
			break;
		usleep(100000);
	}
	ASSERT_EQ(0, read_stream(self->log, self->agent, &s));
	ASSERT_LT(0, s.records);
	return s.records;
}

/*
 * The reader says what was dropped on its next polls: give it until it
 * has said all @dropped (under a loaded TCG host, half a second was seen
 * not to be enough), ten seconds at most. Then stop it; its stream in @s.
 */
static void stop_reader(struct __test_metadata *_metadata, FIXTURE_DATA(flood) * self, pid_t reader,
			long long dropped, struct stream *s)
{
	int status;

	for (int i = 0; i < 20; i++) {
		usleep(500000);
		if (read_stream(self->log, self->agent, s) == 0 && s->rate + s->ring >= dropped)
			break;
	}
	kill(reader, SIGTERM);
	ASSERT_EQ(reader, waitpid(reader, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, read_stream(self->log, self->agent, s));
}

TEST_F(flood, every_denial_is_delivered_or_counted)
{
	struct counters before, after;
	struct stream s;
	long long denied, dropped, marker;
	pid_t reader;

	reader = start_reader(self);
	ASSERT_LT(0, reader);
	marker = reader_started(_metadata, self);
	ASSERT_EQ(0, read_counters(&before));
	ASSERT_EQ(0, cl_confined(self->policy, self->agent, "flood", self->target, NULL));
	ASSERT_EQ(0, read_counters(&after));
	dropped = (after.rate - before.rate) + (after.ring - before.ring);
	stop_reader(_metadata, self, reader, dropped, &s);
	s.records -= marker;

	denied = after.denied - before.denied;
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

#define NAME_CHUNKS 8  /* bytes 0x01-0xff, 32 to a name */
#define DEEP_DIRS   15 /* 15 folders of 250 bytes and a 255-byte name: 4,000+ bytes */

FIXTURE(names)
{
	char root[64];
	char policy[128];
	char agent[32];
	char paths[NAME_CHUNKS + 1][4096];
};

static void make_byte_names(FIXTURE_DATA(names) * self)
{
	for (int i = 0; i < NAME_CHUNKS; i++) {
		size_t len = snprintf(self->paths[i], sizeof(self->paths[i]), "%s/", self->root);

		for (int b = 1 + 32 * i; b <= 32 + 32 * i && b <= 0xff; b++) {
			if (b != '/')
				self->paths[i][len++] = (char)b;
		}
		self->paths[i][len] = '\0';
	}
}

static int make_deep_path(FIXTURE_DATA(names) * self)
{
	char *p = self->paths[NAME_CHUNKS];
	size_t len = snprintf(p, sizeof(self->paths[0]), "%s", self->root);

	for (int i = 0; i <= DEEP_DIRS; i++) {
		p[len++] = '/';
		memset(p + len, i == DEEP_DIRS ? 'f' : 'a' + i, i == DEEP_DIRS ? 255 : 250);
		len += i == DEEP_DIRS ? 255 : 250;
		p[len] = '\0';
		if (i < DEEP_DIRS && mkdir(p, 0755) < 0)
			return -1;
	}
	return cl_write_file(p, "no\n");
}

FIXTURE_SETUP(names)
{
	static const char policy_template[] =
		"{ include: '@SRC@/policies/baseline.json5', profiles: { me: { files: {"
		"  '@TESTDIR@': 'read,exec' } } }, agents: { '@AGENT@': { use: ['system', 'me'] } } }";

	strcpy(self->root, "/tmp/cl-names-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->agent, sizeof(self->agent), "names-%d", getpid());
	snprintf(self->policy, sizeof(self->policy), "%s/policy.json5", self->root);
	ASSERT_EQ(0, CL_WRITE_FILLED(self->policy, policy_template, "SRC", cl_source(), "TESTDIR",
				     cl_self_dir(), "AGENT", self->agent));
	make_byte_names(self);
	for (int i = 0; i < NAME_CHUNKS; i++)
		ASSERT_EQ(0, cl_write_file(self->paths[i], "no\n"));
	ASSERT_EQ(0, make_deep_path(self));
	ASSERT_EQ(0, cl_load());
}

FIXTURE_TEARDOWN(names)
{
	cl_rm_tree(self->root);
}

/* Deny a read of every hostile name; then the agent's records, as @format. */
static int deny_all_and_read(FIXTURE_DATA(names) * self, const char *format, char *out, size_t size)
{
	for (int i = 0; i <= NAME_CHUNKS; i++) {
		if (cl_confined(self->policy, self->agent, "read", self->paths[i], NULL) != DENIED)
			return -1;
	}
	return cl_run_clawlock(out, size, "events", format, "--agent", self->agent, NULL);
}

/* The exact bytes of a record's target: from targetHex when the name is not UTF-8. */
static size_t target_bytes(struct json_object *ev, char *buf, size_t size)
{
	const char *hex = cl_event_str(ev, "targetHex");
	size_t len = 0;

	if (!*hex)
		return snprintf(buf, size, "%s", cl_event_str(ev, "target"));
	for (; hex[0] && hex[1] && len + 1 < size; hex += 2) {
		unsigned int c;

		sscanf(hex, "%2x", &c);
		buf[len++] = (char)c;
	}
	buf[len] = '\0';
	return len;
}

/* Strict JSON (RFC 8259, valid UTF-8), or NULL. */
static struct json_object *parse_strict(const char *line)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, line, (int)strlen(line));
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

TEST_F(names, json_records_are_strict_json_and_keep_every_byte)
{
	static char out[1 << 20];
	int found[NAME_CHUNKS + 1] = { 0 };
	char *save = NULL, bytes[4096];
	const char *deep_name;

	ASSERT_EQ(0, deny_all_and_read(self, "--json", out, sizeof(out)));
	deep_name = strrchr(self->paths[NAME_CHUNKS], '/') + 1;
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *ev = parse_strict(line), *v;

		EXPECT_NE(NULL, ev) TH_LOG("not strict JSON: %s", line);
		if (!ev)
			continue;
		target_bytes(ev, bytes, sizeof(bytes));
		for (int i = 0; i < NAME_CHUNKS; i++)
			found[i] += !strcmp(bytes, self->paths[i]);
		/* Cut by the kernel, and the record says so. */
		if (!strcmp(bytes, deep_name)) {
			found[NAME_CHUNKS]++;
			EXPECT_TRUE(json_object_object_get_ex(ev, "pathTruncated", &v) &&
				    json_object_get_boolean(v));
		}
		json_object_put(ev);
	}
	for (int n = 0; n <= NAME_CHUNKS; n++) {
		EXPECT_EQ(1, found[n]) TH_LOG("name %d: %d records", n, found[n]);
	}
}

TEST_F(names, text_records_hold_no_control_bytes)
{
	static char out[1 << 20];
	size_t lines = 0;

	ASSERT_EQ(0, deny_all_and_read(self, "--count=100", out, sizeof(out)));
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		lines += *p == '\n';
		if (*p == '\n')
			continue;
		EXPECT_FALSE(*p < 0x20 || *p == 0x7f || *p >= 0x80)
		TH_LOG("byte 0x%02x at %zu", *p, (size_t)(p - (const unsigned char *)out));
	}
	EXPECT_EQ(NAME_CHUNKS + 1, lines);
	/* Each byte is there, escaped, and the cut path is marked. */
	EXPECT_NE(NULL, strstr(out, "\\x1b\\x1c"));
	EXPECT_NE(NULL, strstr(out, "\\xff"));
	EXPECT_NE(NULL, strstr(out, "(truncated"));
}

TEST_HARNESS_MAIN
