// SPDX-License-Identifier: GPL-2.0
/*
 * learn_test.c - learn mode's proposal: which records count, how siblings
 * fold (never into a home or over a deny), what is refused as dangerous,
 * network rules from addresses, and an overlay that loads as a policy file
 * and allows every request it was proposed for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "policy/learn.h"
#include "policy/policy.h"
#include "kselftest_harness.h"
#include "leakcheck.h"

FIXTURE(learn)
{
	char dir[64];
	char path[256];
	char err[1024];
	struct cl_policy policy;
	struct learn_set set;
	struct learn_proposal p;
};

FIXTURE_SETUP(learn)
{
	static const char *const dirs[] = { "data", "data/sub", "home", "home/.ssh", "keep" };
	char path[256];

	strcpy(self->dir, "/tmp/cl-learn-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->dir, dirs[i]);
		ASSERT_EQ(0, mkdir(path, 0755));
	}
	snprintf(path, sizeof(path), "%s/home", self->dir);
	setenv("HOME", path, 1);
	memset(&self->policy, 0, sizeof(self->policy));
	memset(&self->set, 0, sizeof(self->set));
	memset(&self->p, 0, sizeof(self->p));
}

FIXTURE_TEARDOWN(learn)
{
	char cmd[128];

	learn_proposal_free(&self->p);
	learn_set_free(&self->set);
	cl_policy_free(&self->policy);
	LEAK_CHECK();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	system(cmd);
}

static const char *at(FIXTURE_DATA(learn) * self, const char *rel)
{
	snprintf(self->path, sizeof(self->path), "%s/%s", self->dir, rel);
	return self->path;
}

static int put(FIXTURE_DATA(learn) * self, const char *rel, const char *text)
{
	FILE *f = fopen(at(self, rel), "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Agent "a" of a policy: home/.ssh denied, keep/ readable. */
static struct cl_agent *agent(FIXTURE_DATA(learn) * self)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{ agents: { a: { files: { '%s/home/.ssh': 'deny', '%s/keep': 'read' } } } }",
		 self->dir, self->dir);
	if (put(self, "policy.json5", text) ||
	    cl_policy_load(at(self, "policy.json5"), &self->policy, self->err, sizeof(self->err)) <
		    0)
		return NULL;
	return (struct cl_agent *)cl_policy_agent(&self->policy, "a");
}

/* Feed one record of agent @who; returns learn_add_record's answer. */
static int record(FIXTURE_DATA(learn) * self, const char *who, const char *op, const char *target,
		  const char *access, const char *reason)
{
	struct json_object *rec = json_object_new_object();
	int r;

	json_object_object_add(rec, "agent", json_object_new_string(who));
	json_object_object_add(rec, "op", json_object_new_string(op));
	json_object_object_add(rec, "target", json_object_new_string(target));
	json_object_object_add(rec, "access", json_object_new_string(access));
	json_object_object_add(rec, "decision", json_object_new_string("audit"));
	json_object_object_add(rec, "reason", json_object_new_string(reason));
	r = learn_add_record(&self->set, rec, "a", NULL, self->err, sizeof(self->err));
	json_object_put(rec);
	return r;
}

static int file_record(FIXTURE_DATA(learn) * self, const char *rel, const char *access)
{
	char target[256];

	snprintf(target, sizeof(target), "%s/%s", self->dir, rel);
	return record(self, "a", "open", target, access, "no-rule");
}

static const struct learn_rule *proposed(FIXTURE_DATA(learn) * self, const char *rel)
{
	for (size_t i = 0; i < self->p.file_count; i++)
		if (!strcmp(self->p.files[i].key, at(self, rel)))
			return &self->p.files[i];
	return NULL;
}

TEST_F(learn, only_the_agents_denials_count)
{
	struct json_object *drop = json_object_new_object();

	EXPECT_EQ(1, file_record(self, "data/a", "read"));
	EXPECT_EQ(1, file_record(self, "data/a", "read"));
	EXPECT_EQ(0, record(self, "b", "open", "/etc/x", "read", "no-rule"));
	json_object_object_add(drop, "decision", json_object_new_string("dropped"));
	json_object_object_add(drop, "rateLimited", json_object_new_int(7));
	EXPECT_EQ(0, learn_add_record(&self->set, drop, "a", NULL, self->err, sizeof(self->err)));
	json_object_put(drop);
	EXPECT_EQ(2, self->set.records);
	EXPECT_EQ(1, self->set.count);
	EXPECT_EQ(2, self->set.items[0].count);
	EXPECT_EQ(7, self->set.suppressed);
}

TEST_F(learn, a_log_that_is_not_clawlocks_is_refused_with_its_line)
{
	ASSERT_EQ(0, put(self, "log",
			 "{\"decision\":\"deny\",\"agent\":\"a\",\"op\":\"open\","
			 "\"target\":\"/x\",\"reason\":\"no-rule\"}\n"
			 "\n"
			 "root:x:0:0:secret-looking-text\n"));
	EXPECT_EQ(-1, learn_read_log(&self->set, at(self, "log"), "a", NULL, self->err,
				     sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "log:3: "));
	/* Nothing of a file that may not be a log is quoted. */
	EXPECT_EQ(NULL, strstr(self->err, "secret"));
	ASSERT_EQ(0, put(self, "log2", "{\"time\":\"now\",\"msg\":\"hello\"}\n"));
	EXPECT_EQ(-1, learn_read_log(&self->set, at(self, "log2"), "a", NULL, self->err,
				     sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "log2:1: not a clawlock event record"));
}

TEST_F(learn, repeated_siblings_fold_into_their_directory)
{
	struct cl_agent *a = agent(self);

	ASSERT_NE(NULL, a) TH_LOG("%s", self->err);
	EXPECT_EQ(1, file_record(self, "data/one", "read"));
	EXPECT_EQ(1, file_record(self, "data/two", "read"));
	EXPECT_EQ(1, file_record(self, "data/three", "write"));
	EXPECT_EQ(1, file_record(self, "data/sub/deep", "read"));
	EXPECT_EQ(1, file_record(self, "keep/x/y", "write"));
	ASSERT_EQ(0, learn_propose(&self->set, a, 3, &self->p, self->err, sizeof(self->err)));
	ASSERT_NE(NULL, proposed(self, "data"));
	EXPECT_EQ(CL_ACC_READ | CL_ACC_WRITE, proposed(self, "data")->access);
	EXPECT_NE(NULL, strstr(proposed(self, "data")->comment, "folded from"));
	/* Under the folded directory and granted by it: no rule of its own. */
	EXPECT_EQ(NULL, proposed(self, "data/sub/deep"));
	EXPECT_EQ(NULL, proposed(self, "data/one"));
	/* A lone path keeps its own rule, with what its directory already grants. */
	ASSERT_NE(NULL, proposed(self, "keep/x/y"));
	EXPECT_EQ(CL_ACC_READ | CL_ACC_WRITE, proposed(self, "keep/x/y")->access);
}

TEST_F(learn, two_siblings_do_not_fold)
{
	struct cl_agent *a = agent(self);

	ASSERT_NE(NULL, a);
	EXPECT_EQ(1, file_record(self, "data/one", "read"));
	EXPECT_EQ(1, file_record(self, "data/two", "read"));
	ASSERT_EQ(0, learn_propose(&self->set, a, 3, &self->p, self->err, sizeof(self->err)));
	EXPECT_EQ(2, self->p.file_count);
	EXPECT_EQ(NULL, proposed(self, "data"));
}

TEST_F(learn, never_folds_into_a_home_or_over_a_deny)
{
	struct cl_agent *a = agent(self);

	ASSERT_NE(NULL, a);
	/* Siblings in $HOME: $HOME is never proposed, and the secret is refused. */
	EXPECT_EQ(1, file_record(self, "home/.bashrc", "read"));
	EXPECT_EQ(1, file_record(self, "home/.profile", "read"));
	EXPECT_EQ(1, file_record(self, "home/notes", "read"));
	EXPECT_EQ(1, file_record(self, "home/.ssh/id_ed25519", "read"));
	ASSERT_EQ(0, learn_propose(&self->set, a, 3, &self->p, self->err, sizeof(self->err)));
	EXPECT_EQ(NULL, proposed(self, "home"));
	EXPECT_EQ(NULL, proposed(self, "home/.ssh/id_ed25519"));
	EXPECT_EQ(NULL, proposed(self, "home/.ssh"));
	EXPECT_NE(NULL, proposed(self, "home/notes"));
	ASSERT_EQ(1, self->p.refused_count);
	EXPECT_NE(NULL, strstr(self->p.refused[0]->why, "would need a dangerous rule"));
	EXPECT_NE(NULL, strstr(self->p.refused[0]->target, ".ssh/id_ed25519"));
}

TEST_F(learn, siblings_above_a_deny_stay_apart)
{
	struct cl_agent *a = agent(self);

	ASSERT_NE(NULL, a);
	/* The deny on home/.ssh is below "home": home never folds (home dir and above a deny). */
	EXPECT_EQ(1, file_record(self, "home/a", "read"));
	EXPECT_EQ(1, file_record(self, "home/b", "read"));
	EXPECT_EQ(1, file_record(self, "home/c", "read"));
	setenv("HOME", "/nonexistent-home", 1);
	ASSERT_EQ(0, learn_propose(&self->set, a, 3, &self->p, self->err, sizeof(self->err)));
	EXPECT_EQ(NULL, proposed(self, "home"));
	EXPECT_EQ(3, self->p.file_count);
}

TEST_F(learn, network_rules_from_addresses_and_dangerous_ones_refused)
{
	struct cl_agent *a = agent(self);

	ASSERT_NE(NULL, a);
	EXPECT_EQ(1, record(self, "a", "connect", "93.184.216.34:443/tcp", "", "no-rule"));
	EXPECT_EQ(1, record(self, "a", "sendto", "[2001:db8::1]:53/udp", "", "no-rule"));
	EXPECT_EQ(1, record(self, "a", "connect", "169.254.169.254:80/tcp", "", "no-rule"));
	EXPECT_EQ(1, record(self, "a", "connect", "127.0.0.1:18789/tcp", "", "host-loopback"));
	EXPECT_EQ(1, record(self, "a", "unix", "@bus", "", "abstract-socket-not-listed"));
	EXPECT_EQ(1, record(self, "a", "ptrace", "pid 1 (init)", "", "other-sandbox"));
	ASSERT_EQ(0, learn_propose(&self->set, a, 3, &self->p, self->err, sizeof(self->err)));
	ASSERT_EQ(3, self->p.net_count);
	EXPECT_STREQ("tcp 93.184.216.34 443", self->p.net[0].key);
	EXPECT_STREQ("udp 2001:db8::1 53", self->p.net[1].key);
	EXPECT_STREQ("unix @bus", self->p.net[2].key);
	EXPECT_EQ(3, self->p.refused_count);
}

TEST_F(learn, the_overlay_loads_and_allows_what_was_seen)
{
	struct cl_agent *a = agent(self);
	struct cl_policy overlay = { 0 };
	size_t checked, allowed;
	FILE *f;

	ASSERT_NE(NULL, a);
	EXPECT_EQ(1, file_record(self, "data/one", "read"));
	EXPECT_EQ(1, file_record(self, "data/two", "read"));
	EXPECT_EQ(1, file_record(self, "data/three", "read"));
	EXPECT_EQ(1, file_record(self, "data/\"quoted\"\nname", "write"));
	EXPECT_EQ(1, record(self, "a", "connect", "93.184.216.34:443/tcp", "", "no-rule"));
	EXPECT_EQ(1, file_record(self, "home/.ssh/id_ed25519", "read"));
	ASSERT_EQ(0, learn_propose(&self->set, a, 3, &self->p, self->err, sizeof(self->err)));
	f = fopen(at(self, "learned.json5"), "w");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, learn_write_overlay(f, "a", &self->p, &self->set));
	fclose(f);
	ASSERT_EQ(0,
		  cl_policy_load(at(self, "learned.json5"), &overlay, self->err, sizeof(self->err)))
	TH_LOG("%s", self->err);
	ASSERT_EQ(1, overlay.agent_count);
	EXPECT_EQ(1, overlay.agents[0].files.count);
	EXPECT_EQ(1, overlay.agents[0].net.count);
	cl_policy_free(&overlay);
	ASSERT_EQ(0, learn_verify(&self->set, &self->p, a, &checked, &allowed, self->err,
				  sizeof(self->err)));
	EXPECT_EQ(5, checked);
	EXPECT_EQ(5, allowed);
}

TEST_HARNESS_MAIN
