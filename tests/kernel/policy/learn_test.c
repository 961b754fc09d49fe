// SPDX-License-Identifier: GPL-2.0
/*
 * learn_test.c - learn mode in the real kernel (run in the test VM): a
 * workload runs in audit mode under `clawlock learn`, the proposed overlay
 * is read, and the same workload then runs enforced with it: no denial,
 * and the secret it touched is still denied.
 */
#include "cltest.h"
#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

#define SESSION "agent:learner:telegram:group:7"

FIXTURE(learn)
{
	char home[64];
	char config[128];
	char learned[128];
	char script[1024];
	char path[512];
};

#define at(self, rel) CL_AT(self, home, rel)

FIXTURE_SETUP(learn)
{
	static const char *const dirs[] = { "ws", "data", "out", ".ssh", ".openclaw" };
	static const char *const files[] = { "data/a", "data/b", "data/c", "data/d",
					     ".ssh/id_ed25519" };

	strcpy(self->home, "/tmp/cl-learn-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->home));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		ASSERT_EQ(0, mkdir(at(self, dirs[i]), 0755));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		ASSERT_EQ(0, cl_write_file(at(self, files[i]), "x\n"));
	snprintf(self->config, sizeof(self->config), "%s/.openclaw/openclaw.json", self->home);
	ASSERT_EQ(0, cl_write_file(self->config,
				   "{ agents: { defaults: { sandbox: { mode: 'non-main',"
				   "  scope: 'session', workspaceAccess: 'rw' } },"
				   "  entries: { main: {}, learner: { workspace: '~/ws' } } } }"));
	snprintf(self->learned, sizeof(self->learned), "%s/learned.json5", self->home);
	/* Reads four siblings, writes outside the workspace, tries the secret. */
	snprintf(self->script, sizeof(self->script),
		 "set -e; cat %1$s/data/a %1$s/data/b %1$s/data/c %1$s/data/d >/dev/null;"
		 "echo hi > %1$s/out/result.txt;"
		 "if cat %1$s/.ssh/id_ed25519 >/dev/null 2>&1; then exit 9; fi",
		 self->home);
	setenv("HOME", self->home, 1);
	unsetenv("OPENCLAW_CONFIG_PATH");
	unsetenv("OPENCLAW_HOME");
	ASSERT_EQ(0, cl_load());
	/* Every record of the audit run must reach learn. */
	ASSERT_EQ(0, cl_run_clawlock(NULL, 0, "-q", "load", "--audit-rate", "100000", NULL));
}

FIXTURE_TEARDOWN(learn)
{
	cl_rm_tree(self->home);
}

/* Denial records of the agent since the last read, other than of @allowed_target. */
static int other_denials(const char *agent, const char *allowed_target)
{
	static char out[1 << 20];
	char *save = NULL;
	int n = 0;

	if (cl_run_clawlock(out, sizeof(out), "events", "--json", "--agent", agent, NULL) != 0)
		return -1;
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *ev = json_tokener_parse(line), *t;

		if (ev && json_object_object_get_ex(ev, "target", &t) &&
		    strcmp(json_object_get_string(t), allowed_target)) {
			fprintf(stderr, "# unexpected record: %s\n", line);
			n++;
		}
		json_object_put(ev);
	}
	return n;
}

TEST_F(learn, audit_learn_then_enforce_with_no_denial_and_the_secret_denied)
{
	char out[1 << 16], text[1 << 16], secret[512];
	FILE *f;
	size_t len;

	snprintf(secret, sizeof(secret), "%s/.ssh/id_ed25519", self->home);
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "learn", "--openclaw", self->config,
				     "--agent", "learner", "--session", SESSION, "--output",
				     self->learned, "--", "/bin/sh", "-c", self->script, NULL))
	TH_LOG("%s", out);
	/* The secret was seen, reported, never proposed. */
	EXPECT_NE(NULL, strstr(out, "not proposed")) TH_LOG("%s", out);
	f = fopen(self->learned, "r");
	ASSERT_NE(NULL, f);
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "/data\": \"read\"")) TH_LOG("the siblings fold");
	EXPECT_NE(NULL, strstr(text, "/out/result.txt\": \"write\""));
	EXPECT_NE(NULL, strstr(text, "/.ssh/id_ed25519: would need a dangerous rule"));
	/* The proposal says nothing of a rule on the secret itself. */
	EXPECT_EQ(NULL, strstr(text, ".ssh/id_ed25519\": "));

	/* Enforced, with the overlay: the workload succeeds, the secret is denied. */
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "-q", "run", "--openclaw", self->config,
				     "--policy", self->learned, "--agent", "learner", "--session",
				     SESSION, "--", "/bin/sh", "-c", self->script, NULL))
	TH_LOG("%s", out);
	EXPECT_EQ(0, other_denials("learner", secret));
	/* And without the overlay, the same workload is denied. */
	EXPECT_NE(0, cl_run_clawlock(out, sizeof(out), "-q", "run", "--openclaw", self->config,
				     "--agent", "learner", "--session", SESSION, "--", "/bin/sh",
				     "-c", self->script, NULL));
}

TEST_F(learn, a_log_that_is_not_clawlocks_is_refused)
{
	char out[4096];

	ASSERT_EQ(0, cl_write_file(at(self, "log"), "hello world\n"));
	EXPECT_EQ(2, cl_run_clawlock(out, sizeof(out), "learn", "--openclaw", self->config,
				     "--agent", "learner", "--from", at(self, "log"), NULL));
	EXPECT_NE(NULL, strstr(out, "log:1: not a JSON object")) TH_LOG("%s", out);
}

TEST_HARNESS_MAIN
