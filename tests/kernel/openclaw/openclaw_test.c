// SPDX-License-Identifier: GPL-2.0
/*
 * openclaw_test.c - an OpenClaw config's sandbox promises kept by the real
 * kernel (run in the test VM): `clawlock run --openclaw` confines a helper
 * as the config sandboxes an agent's session, and the helper tries the
 * workspace, the binds, the secrets and the rest of the host.
 */
#include "cltest.h"
#include "kselftest_harness.h"

/* Each test runs clawlock several times under TCG (and ASan in make check). */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

FIXTURE(oc)
{
	char home[64];
	char config[128];
	char overlay[128];
	char path[512];
};

#define at(self, rel) CL_AT(self, home, rel)

static void write_config(struct __test_metadata *_metadata, FIXTURE_DATA(oc) * self,
			 const char *access)
{
	static const char config_template[] =
		"{ agents: { ownership: 'explicit', defaults: { systemAgent: { agentId: 'main' },"
		"  sandbox: { mode: 'non-main', scope: 'agent', workspaceAccess: '@ACCESS@',"
		"  docker: { binds: ['@HOME@/ref:/ref:ro', '@HOME@/out:/out'] } } },"
		"  entries: { main: {}, research: { workspace: '~/ws' } } } }";

	ASSERT_EQ(0, CL_WRITE_FILLED(self->config, config_template, "ACCESS", access, "HOME",
				     self->home));
}

static void set_up_home(struct __test_metadata *_metadata, FIXTURE_DATA(oc) * self)
{
	static const char *const dirs[] = { "ws", "ref", "out", ".ssh", "elsewhere", ".openclaw" };
	char text[8192];

	strcpy(self->home, "/tmp/cl-oc-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->home));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		ASSERT_EQ(0, mkdir(at(self, dirs[i]), 0755));
	ASSERT_EQ(0, cl_write_file(at(self, "ws/notes.md"), "notes\n"));
	ASSERT_EQ(0, cl_write_file(at(self, "ref/paper.txt"), "paper\n"));
	ASSERT_EQ(0, cl_write_file(at(self, ".ssh/id_ed25519"), "key\n"));
	ASSERT_EQ(0, cl_write_file(at(self, "elsewhere/file"), "x\n"));
	snprintf(self->config, sizeof(self->config), "%s/.openclaw/openclaw.json", self->home);
	write_config(_metadata, self, "ro");
	/* The overlay lets the helper (this binary) run at all. */
	snprintf(self->overlay, sizeof(self->overlay), "%s/overlay.json5", self->home);
	snprintf(text, sizeof(text), "{ agents: { research: { files: { '%s': 'read,exec' } } } }",
		 cl_self_dir());
	ASSERT_EQ(0, cl_write_file(self->overlay, text));
	setenv("HOME", self->home, 1);
	unsetenv("OPENCLAW_CONFIG_PATH");
	ASSERT_EQ(0, cl_load());
}

FIXTURE_SETUP(oc)
{
	set_up_home(_metadata, self);
}

FIXTURE_TEARDOWN(oc)
{
	cl_rm_tree(self->home);
}

/* clawlock run --openclaw CONFIG --policy OVERLAY --agent A --session S -- SELF --helper OP PATH */
static int confined(FIXTURE_DATA(oc) * self, const char *session, const char *op, const char *rel)
{
	char *argv[] = { (char *)cl_binary(),
			 "-q",
			 "run",
			 "--openclaw",
			 self->config,
			 "--policy",
			 self->overlay,
			 "--agent",
			 "research",
			 "--session",
			 (char *)session,
			 "--",
			 (char *)cl_self(),
			 "--helper",
			 (char *)op,
			 (char *)at(self, rel),
			 NULL };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#define GROUP "agent:research:telegram:group:42"

TEST_F(oc, binds_keep_their_modes)
{
	EXPECT_EQ(0, confined(self, GROUP, "read", "ref/paper.txt"));
	EXPECT_EQ(DENIED, confined(self, GROUP, "write", "ref/paper.txt"));
	EXPECT_EQ(0, confined(self, GROUP, "write", "out/result.txt"));
}

TEST_F(oc, secrets_config_and_the_rest_of_the_host_are_closed)
{
	EXPECT_EQ(DENIED, confined(self, GROUP, "read", ".ssh/id_ed25519"));
	EXPECT_EQ(DENIED, confined(self, GROUP, "read", ".openclaw/openclaw.json"));
	EXPECT_EQ(DENIED, confined(self, GROUP, "read", "elsewhere/file"));
}

/* @op on @rel, in GROUP's sandbox, gives @want. */
struct check {
	const char *op;
	const char *rel;
	int want;
};

/* Each workspaceAccess, held by the kernel: the checks end at one with no op. */
FIXTURE(workspace_access)
{
	FIXTURE_DATA(oc) oc;
};

FIXTURE_VARIANT(workspace_access)
{
	const char *access;
	struct check checks[4];
};

FIXTURE_VARIANT_ADD(workspace_access, ro_is_read_only){
	.access = "ro",
	.checks = { { "read", "ws/notes.md", 0 },
		    { "write", "ws/notes.md", DENIED },
		    { "write", "ws/new.md", DENIED } },
};

FIXTURE_VARIANT_ADD(workspace_access, none_hides_the_agent_workspace){
	.access = "none",
	.checks = { { "read", "ws/notes.md", DENIED }, { "read", "ref/paper.txt", 0 } },
};

FIXTURE_VARIANT_ADD(workspace_access, rw_opens_it_for_writing){
	.access = "rw",
	.checks = { { "write", "ws/notes.md", 0 }, { "write", "ref/paper.txt", DENIED } },
};

FIXTURE_SETUP(workspace_access)
{
	set_up_home(_metadata, &self->oc);
}

FIXTURE_TEARDOWN(workspace_access)
{
	cl_rm_tree(self->oc.home);
}

TEST_F(workspace_access, in_the_kernel)
{
	write_config(_metadata, &self->oc, variant->access);
	for (const struct check *c = variant->checks; c->op; c++) {
		EXPECT_EQ(c->want, confined(&self->oc, GROUP, c->op, c->rel))
		{
			TH_LOG("%s %s", c->op, c->rel);
		}
	}
}

TEST_F(oc, the_main_session_is_not_sandboxed_so_run_refuses)
{
	/* non-main mode: the agent's own main session runs on the host. */
	EXPECT_EQ(2, confined(self, "main", "read", "ws/notes.md"));
}

/*
 * OpenClaw ignores session.mainKey: the main session is always "main", so a
 * session named after a configured mainKey is a sandboxed non-main session.
 */
TEST_F(oc, a_session_named_after_main_key_is_confined)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{ session: { mainKey: 'home' }, agents: { ownership: 'explicit',"
		 "  defaults: { sandbox: { mode: 'non-main', workspaceAccess: 'ro' } },"
		 "  entries: { main: {}, research: { workspace: '~/ws' } } } }");
	ASSERT_EQ(0, cl_write_file(self->config, text));
	EXPECT_EQ(0, confined(self, "home", "read", "ws/notes.md"));
	EXPECT_EQ(DENIED, confined(self, "home", "read", "elsewhere/file"));
	EXPECT_EQ(DENIED, confined(self, "agent:research:home", "read", ".ssh/id_ed25519"));
}

/*
 * OpenClaw's ~ follows OPENCLAW_HOME, not HOME: with a workspace of "~",
 * the home secrets under OPENCLAW_HOME stay denied while the rest of the
 * workspace is readable.
 */
TEST_F(oc, secrets_under_openclaw_home_are_denied)
{
	char text[1024];

	ASSERT_EQ(0, mkdir(at(self, "och"), 0755));
	ASSERT_EQ(0, mkdir(at(self, "och/.ssh"), 0700));
	ASSERT_EQ(0, mkdir(at(self, "och/.aws"), 0700));
	ASSERT_EQ(0, cl_write_file(at(self, "och/.ssh/id_ed25519"), "key\n"));
	ASSERT_EQ(0, cl_write_file(at(self, "och/.aws/credentials"), "key\n"));
	ASSERT_EQ(0, cl_write_file(at(self, "och/notes.md"), "notes\n"));
	snprintf(text, sizeof(text),
		 "{ agents: { ownership: 'explicit',"
		 "  defaults: { sandbox: { mode: 'all', workspaceAccess: 'ro' } },"
		 "  entries: { main: {}, research: { workspace: '~' } } } }");
	ASSERT_EQ(0, cl_write_file(self->config, text));
	setenv("OPENCLAW_HOME", at(self, "och"), 1);
	EXPECT_EQ(0, confined(self, GROUP, "read", "och/notes.md"));
	EXPECT_EQ(DENIED, confined(self, GROUP, "read", "och/.ssh/id_ed25519"));
	EXPECT_EQ(DENIED, confined(self, GROUP, "read", "och/.aws/credentials"));
	unsetenv("OPENCLAW_HOME");
}

TEST_F(oc, the_denial_names_the_config_key)
{
	char target[512];
	struct json_object *ev, *rule;

	snprintf(target, sizeof(target), "%s/ref/paper.txt", self->home);
	ASSERT_EQ(DENIED, confined(self, GROUP, "write", "ref/paper.txt"));
	ev = cl_find_event("research", target);
	ASSERT_NE(NULL, ev);
	EXPECT_STREQ(GROUP, cl_event_str(ev, "session"));
	ASSERT_TRUE(json_object_object_get_ex(ev, "rule", &rule));
	EXPECT_NE(NULL, strstr(cl_event_str(rule, "source"),
			       "openclaw.json:1:170 agents.defaults.sandbox.docker.binds[0]"))
	{
		TH_LOG("rule source: %s", cl_event_str(rule, "source"));
	}
	json_object_put(ev);
}

/*
 * What the sandbox is for: an agent writes a C program in its workspace,
 * builds it with the host's compiler and runs it, and still cannot read a
 * secret from inside the program it built.
 */
TEST_F(oc, an_agent_builds_and_runs_a_c_program_in_its_workspace)
{
	static char out[1 << 16];
	char script[1024], secret[256];

	write_config(_metadata, self, "rw");
	snprintf(secret, sizeof(secret), "%s/.ssh/id_ed25519", self->home);
	snprintf(script, sizeof(script),
		 "set -e; cd '%s/ws'; export TMPDIR=$PWD\n"
		 "printf '#include <stdio.h>\\n"
		 "int main(int c, char **v) { FILE *f = fopen(v[1], \"r\");"
		 " printf(\"built and ran, secret %%%%s\\\\n\", f ? \"READ\" : \"denied\");"
		 " return 0; }\\n' >hello.c\n"
		 "cc -O1 -o hello hello.c\n"
		 "./hello '%s'\n",
		 self->home, secret);
	{
		char *argv[] = { (char *)cl_binary(), "-q",	   "run",	  "--openclaw",
				 self->config,	      "--policy",  self->overlay, "--agent",
				 "research",	      "--session", GROUP,	  "--",
				 "/bin/sh",	      "-c",	   script,	  NULL };

		EXPECT_EQ(0, cl_spawn(argv, out, sizeof(out), 1))
		{
			TH_LOG("%s", out);
		}
	}
	EXPECT_NE(NULL, strstr(out, "built and ran, secret denied"))
	{
		TH_LOG("%s", out);
	}
	EXPECT_EQ(0, access(at(self, "ws/hello"), X_OK));
}

TEST_HARNESS_MAIN
