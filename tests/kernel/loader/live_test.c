// SPDX-License-Identifier: GPL-2.0
/*
 * live_test.c - running clawlock on a live host (run in the test VM):
 * apply makes the scopes of an OpenClaw config with their resource limits,
 * removing an agent leaves its running processes denied everything until
 * they exit, a rejected apply changes nothing, attach confines a cgroup
 * clawlock did not make, enforce and audit switch live, and identical
 * policies are installed once, until a file they name is replaced.
 */
#include "cltest.h"
#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

FIXTURE(live)
{
	char home[64];
	char config[128];
	char overlay[128];
	char path[512];
	char scope[512]; /* research's scope cgroup, as status names it */
	pid_t sleeper;
	int to_sleeper, from_sleeper;
};

#define at(self, rel) CL_AT(self, home, rel)

/* An OpenClaw config sandboxing every session of @agents (a JS list), one scope each. */
static void write_config(struct __test_metadata *_metadata, FIXTURE_DATA(live) * self,
			 const char *entries, const char *docker)
{
	static const char config_template[] =
		"{ agents: { ownership: 'explicit', defaults: { systemAgent: { agentId: 'main' },"
		"  sandbox: { mode: 'all', scope: 'agent', workspaceAccess: 'ro',"
		"  docker: { @DOCKER@ } } },"
		"  entries: { @ENTRIES@ } } }";

	ASSERT_EQ(0, CL_WRITE_FILLED(self->config, config_template, "DOCKER", docker, "ENTRIES",
				     entries));
}

FIXTURE_SETUP(live)
{
	char text[8192];

	strcpy(self->home, "/tmp/cl-live-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->home));
	ASSERT_EQ(0, mkdir(at(self, "ws"), 0755));
	ASSERT_EQ(0, mkdir(at(self, ".ssh"), 0755));
	ASSERT_EQ(0, mkdir(at(self, ".openclaw"), 0755));
	ASSERT_EQ(0, cl_write_file(at(self, "ws/notes.md"), "notes\n"));
	ASSERT_EQ(0, cl_write_file(at(self, ".ssh/id_ed25519"), "key\n"));
	snprintf(self->config, sizeof(self->config), "%s/.openclaw/openclaw.json", self->home);
	snprintf(self->overlay, sizeof(self->overlay), "%s/overlay.json5", self->home);
	snprintf(text, sizeof(text), "{ agents: { research: { files: { '%s': 'read,exec' } } } }",
		 cl_self_dir());
	ASSERT_EQ(0, cl_write_file(self->overlay, text));
	write_config(_metadata, self, "main: {}, research: { workspace: '~/ws' }", "");
	setenv("HOME", self->home, 1);
	unsetenv("OPENCLAW_CONFIG_PATH");
	self->sleeper = 0;
	ASSERT_EQ(0, cl_load());
}

static void stop_sleeper(FIXTURE_DATA(live) * self)
{
	if (self->sleeper <= 0)
		return;
	close(self->to_sleeper);
	close(self->from_sleeper);
	waitpid(self->sleeper, NULL, 0);
	self->sleeper = 0;
}

FIXTURE_TEARDOWN(live)
{
	stop_sleeper(self);
	cl_rm_tree(self->home);
}

static int apply(FIXTURE_DATA(live) * self, char *out, size_t size)
{
	return cl_run_clawlock(out, size, "apply", "--openclaw", self->config, "--policy",
			       self->overlay, NULL);
}

/* Find research's scope cgroup in status; 0 if bound. */
static int find_scope(FIXTURE_DATA(live) * self, const char *agent)
{
	struct json_object *st = cl_status(), *b = cl_binding_of(st, agent), *v;
	int ret = -1;

	if (b && json_object_object_get_ex(b, "cgroup", &v) && v) {
		snprintf(self->scope, sizeof(self->scope), "%s", json_object_get_string(v));
		ret = 0;
	}
	json_object_put(st);
	return ret;
}

/*
 * A process that stays in @cgroup and, for each line it is sent, reads
 * @path and answers with the helper's status: a running agent.
 */
static int start_sleeper(FIXTURE_DATA(live) * self, const char *cgroup, const char *path)
{
	int in[2], out[2];

	if (pipe(in) < 0 || pipe(out) < 0)
		return -1;
	self->sleeper = fork();
	if (self->sleeper < 0)
		return -1;
	if (self->sleeper == 0) {
		char line[8];
		unsigned char status;

		close(in[1]);
		close(out[0]);
		if (cl_cgroup_enter(cgroup) < 0)
			_exit(96);
		while (read(in[0], line, 1) == 1) {
			status = cl_helper_op("read", path);
			if (write(out[1], &status, 1) != 1)
				break;
		}
		_exit(0);
	}
	close(in[0]);
	close(out[1]);
	self->to_sleeper = in[1];
	self->from_sleeper = out[0];
	return 0;
}

/* Ask the sleeper to read now; its helper status. */
static int sleeper_read(FIXTURE_DATA(live) * self)
{
	unsigned char status;

	if (write(self->to_sleeper, "r", 1) != 1 || read(self->from_sleeper, &status, 1) != 1)
		return -1;
	return status;
}

static int read_text(const char *dir, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return cl_read_first_line(path, buf, size);
}

TEST_F(live, apply_makes_agent_scopes_with_their_limits)
{
	char out[4096], text[64];

	write_config(_metadata, self, "main: {}, research: { workspace: '~/ws' }",
		     "pidsLimit: 64, memory: '64m', memorySwap: '96m', cpus: 0.5");
	ASSERT_EQ(0, apply(self, out, sizeof(out)))
	TH_LOG("%s", out);
	ASSERT_EQ(0, find_scope(self, "research"));
	/* Named by OpenClaw's slug of the scope key, under clawlock's root. */
	EXPECT_NE(NULL, strstr(self->scope, "/clawlock/"))
	TH_LOG("scope %s", self->scope);
	ASSERT_EQ(0, read_text(self->scope, "pids.max", text, sizeof(text)));
	EXPECT_STREQ("64", text);
	ASSERT_EQ(0, read_text(self->scope, "memory.max", text, sizeof(text)));
	EXPECT_STREQ("67108864", text);
	/* docker's memorySwap counts memory plus swap; cgroup v2 counts swap alone. */
	ASSERT_EQ(0, read_text(self->scope, "memory.swap.max", text, sizeof(text)));
	EXPECT_STREQ("33554432", text);
	ASSERT_EQ(0, read_text(self->scope, "cpu.max", text, sizeof(text)));
	EXPECT_STREQ("50000 100000", text);

	/* The scope enforces its agent's policy on whatever runs in it. */
	EXPECT_EQ(0, cl_in_cgroup(self->scope, "read", at(self, "ws/notes.md")));
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "write", at(self, "ws/notes.md")));
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, ".ssh/id_ed25519")));

	/* Limits follow the config: dropped ones go back to "max". */
	write_config(_metadata, self, "main: {}, research: { workspace: '~/ws' }", "pidsLimit: 32");
	ASSERT_EQ(0, apply(self, out, sizeof(out)))
	TH_LOG("%s", out);
	ASSERT_EQ(0, read_text(self->scope, "pids.max", text, sizeof(text)));
	EXPECT_STREQ("32", text);
	ASSERT_EQ(0, read_text(self->scope, "memory.max", text, sizeof(text)));
	EXPECT_STREQ("max", text);
}

/*
 * A scope without limits has every limit file at "max", and its record
 * says so: an unchanged apply reads none of them, so a limit set by hand
 * stays. One the config sets again is written.
 */
TEST_F(live, an_unchanged_scope_without_limits_reads_no_limit_file)
{
	char out[4096], text[64], path[PATH_MAX];

	write_config(_metadata, self, "main: {}, research: { workspace: '~/ws' }", "pidsLimit: 32");
	ASSERT_EQ(0, apply(self, out, sizeof(out)))
	TH_LOG("%s", out);
	ASSERT_EQ(0, find_scope(self, "research"));
	write_config(_metadata, self, "main: {}, research: { workspace: '~/ws' }", "");
	ASSERT_EQ(0, apply(self, out, sizeof(out)))
	TH_LOG("%s", out);
	ASSERT_EQ(0, read_text(self->scope, "pids.max", text, sizeof(text)));
	EXPECT_STREQ("max", text);

	snprintf(path, sizeof(path), "%s/pids.max", self->scope);
	ASSERT_EQ(0, cl_write_file(path, "7"));
	ASSERT_EQ(0, apply(self, out, sizeof(out)))
	TH_LOG("%s", out);
	ASSERT_EQ(0, read_text(self->scope, "pids.max", text, sizeof(text)));
	EXPECT_STREQ("7", text);

	write_config(_metadata, self, "main: {}, research: { workspace: '~/ws' }", "pidsLimit: 16");
	ASSERT_EQ(0, apply(self, out, sizeof(out)))
	TH_LOG("%s", out);
	ASSERT_EQ(0, read_text(self->scope, "pids.max", text, sizeof(text)));
	EXPECT_STREQ("16", text);
}

/*
 * Scopes without limits get no controllers (a bare cgroup is cheaper to
 * make); the first limit the config sets brings them, to the scopes
 * already made too, and the limit holds.
 */
TEST_F(live, controllers_come_with_the_first_limit)
{
	char out[4096], text[PATH_MAX], root[PATH_MAX + 32], own[PATH_MAX];

	ASSERT_EQ(0, cl_cgroup_root(NULL, own, sizeof(own)));
	/* A root of this test's own, below clawlock's: nothing enabled it yet. */
	snprintf(root, sizeof(root), "%s/live-lazy-%d", own, getpid());
	write_config(_metadata, self, "main: {}, research: { workspace: '~/ws' }", "");
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "apply", "--openclaw", self->config,
				     "--policy", self->overlay, "--cgroup-root", root, NULL))
	TH_LOG("%s", out);
	ASSERT_EQ(0, find_scope(self, "research"));
	EXPECT_EQ(0, strncmp(self->scope, root, strlen(root)));
	/* No controller enabled below the root: the scope has no pids.max. */
	snprintf(text, sizeof(text), "%s/pids.max", self->scope);
	EXPECT_NE(0, access(text, F_OK));

	write_config(_metadata, self, "main: {}, research: { workspace: '~/ws' }", "pidsLimit: 24");
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "apply", "--openclaw", self->config,
				     "--policy", self->overlay, "--cgroup-root", root, NULL))
	TH_LOG("%s", out);
	ASSERT_EQ(0, read_text(self->scope, "pids.max", text, sizeof(text)));
	EXPECT_STREQ("24", text);
}

/*
 * One apply installs many policies that deny the same secret tree, and
 * searches it for linked files once: every policy still gets the link
 * made before load, not only the first.
 */
TEST_F(live, every_policy_of_an_apply_denies_a_secrets_hard_link)
{
	static const char *const agents[] = { "main", "research" };
	char out[4096], key[PATH_MAX];

	snprintf(key, sizeof(key), "%s", at(self, ".ssh/id_ed25519"));
	ASSERT_EQ(0, link(key, at(self, "ws/key-link")));
	write_config(_metadata, self,
		     "main: { workspace: '~/ws' }, research: { workspace: '~/ws' }", "");
	ASSERT_EQ(0, apply(self, out, sizeof(out)))
	TH_LOG("%s", out);
	for (size_t i = 0; i < sizeof(agents) / sizeof(agents[0]); i++) {
		ASSERT_EQ(0, find_scope(self, agents[i])) TH_LOG("%s", agents[i]);
		EXPECT_EQ(0, cl_in_cgroup(self->scope, "read", at(self, "ws/notes.md")))
		TH_LOG("%s", agents[i]);
		EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, "ws/key-link")))
		TH_LOG("%s", agents[i]);
	}
}

TEST_F(live, a_removed_agent_stays_denied_until_its_processes_exit)
{
	struct json_object *st, *b, *v;
	char out[4096], scope[512];
	struct stat sb;

	ASSERT_EQ(0, apply(self, out, sizeof(out)))
	TH_LOG("%s", out);
	ASSERT_EQ(0, find_scope(self, "research"));
	snprintf(scope, sizeof(scope), "%s", self->scope);
	ASSERT_EQ(0, start_sleeper(self, scope, at(self, "ws/notes.md")));
	ASSERT_EQ(0, sleeper_read(self));

	/* research leaves the config while its process runs. */
	write_config(_metadata, self, "main: {}", "");
	ASSERT_EQ(0, apply(self, out, sizeof(out)))
	TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "denied everything until they exit"));
	EXPECT_EQ(DENIED, sleeper_read(self));
	EXPECT_EQ(DENIED, cl_in_cgroup(scope, "exec", "/bin/true"));
	EXPECT_EQ(DENIED, cl_in_cgroup(scope, "read", "/etc/hostname"));
	st = cl_status();
	b = cl_binding_of(st, "research");
	ASSERT_NE(NULL, b);
	ASSERT_TRUE(json_object_object_get_ex(b, "removed", &v));
	EXPECT_TRUE(json_object_get_boolean(v));
	ASSERT_TRUE(json_object_object_get_ex(b, "policy", &v));
	EXPECT_EQ(0, json_object_get_int(v));
	json_object_put(st);

	/* Applying again does not release it while it runs... */
	ASSERT_EQ(0, apply(self, out, sizeof(out)));
	EXPECT_EQ(DENIED, sleeper_read(self));

	/* ...and once it has exited, the scope goes. */
	stop_sleeper(self);
	ASSERT_EQ(0, apply(self, out, sizeof(out)))
	TH_LOG("%s", out);
	st = cl_status();
	EXPECT_EQ(NULL, cl_binding_of(st, "research"));
	json_object_put(st);
	EXPECT_EQ(-1, stat(scope, &sb));
}

TEST_F(live, a_rejected_apply_changes_nothing)
{
	struct json_object *before, *after, *v;
	char out[4096];

	ASSERT_EQ(0, apply(self, out, sizeof(out)))
	TH_LOG("%s", out);
	before = cl_status();
	ASSERT_NE(NULL, before);

	/* A config that does not parse: named with line and column. */
	ASSERT_EQ(0, cl_write_file(self->config, "{ agents: { entries: { research: {\n"));
	EXPECT_EQ(2, apply(self, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "openclaw.json:"))
	TH_LOG("%s", out);

	/* A limit that is not a size: named by its config key. */
	write_config(_metadata, self, "main: {}", "memory: 'lots'");
	EXPECT_EQ(2, apply(self, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "memory"))
	TH_LOG("%s", out);

	after = cl_status();
	ASSERT_NE(NULL, after);
	EXPECT_STREQ(json_object_to_json_string(before), json_object_to_json_string(after));
	ASSERT_TRUE(json_object_object_get_ex(after, "bindings", &v));
	EXPECT_NE(NULL, cl_binding_of(after, "research"));
	json_object_put(before);
	json_object_put(after);
	ASSERT_EQ(0, find_scope(self, "research"));
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, ".ssh/id_ed25519")));
}

TEST_F(live, enforce_and_audit_switch_live)
{
	char out[4096];

	ASSERT_EQ(0, apply(self, out, sizeof(out)));
	ASSERT_EQ(0, find_scope(self, "research"));
	ASSERT_EQ(0, start_sleeper(self, self->scope, at(self, ".ssh/id_ed25519")));
	EXPECT_EQ(DENIED, sleeper_read(self));
	ASSERT_EQ(0,
		  cl_run_clawlock(out, sizeof(out), "mode", "audit", "--agent", "research", NULL))
	TH_LOG("%s", out);
	/* The running process sees the switch at its next operation. */
	EXPECT_EQ(0, sleeper_read(self));
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "mode", "enforce", NULL))
	TH_LOG("%s", out);
	EXPECT_EQ(DENIED, sleeper_read(self));
	EXPECT_EQ(2, cl_run_clawlock(out, sizeof(out), "mode", "lenient", NULL));
}

TEST_F(live, attach_confines_a_cgroup_clawlock_did_not_make)
{
	char out[4096], mount[256], cgroup[512];

	ASSERT_EQ(0, cl_cgroup_mount(mount, sizeof(mount)));
	snprintf(cgroup, sizeof(cgroup), "%s/cl-attach-test", mount);
	ASSERT_EQ(0, cl_cgroup_create(cgroup));
	EXPECT_EQ(0, cl_in_cgroup(cgroup, "read", at(self, ".ssh/id_ed25519")));
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "attach", "--cgroup", "cl-attach-test",
				     "--agent", "research", "--openclaw", self->config, "--policy",
				     self->overlay, NULL))
	TH_LOG("%s", out);
	EXPECT_EQ(DENIED, cl_in_cgroup(cgroup, "read", at(self, ".ssh/id_ed25519")));
	EXPECT_EQ(0, cl_in_cgroup(cgroup, "read", at(self, "ws/notes.md")));
	/* Later applies keep it, recompiled. */
	ASSERT_EQ(0, apply(self, out, sizeof(out)));
	EXPECT_EQ(DENIED, cl_in_cgroup(cgroup, "read", at(self, ".ssh/id_ed25519")));
	EXPECT_EQ(0, cl_in_cgroup(cgroup, "read", at(self, "ws/notes.md")));
	/* An agent that is not in the config cannot be attached. */
	EXPECT_EQ(2, cl_run_clawlock(out, sizeof(out), "attach", "--cgroup", "cl-attach-test",
				     "--agent", "nobody", NULL));
	/* Its agent leaves: the empty cgroup is released, but not removed (not ours). */
	write_config(_metadata, self, "main: {}", "");
	ASSERT_EQ(0, apply(self, out, sizeof(out)));
	EXPECT_EQ(0, access(cgroup, F_OK));
	EXPECT_EQ(0, cl_in_cgroup(cgroup, "read", at(self, ".ssh/id_ed25519")));
	rmdir(cgroup);
}

/* The findings of `clawlock audit --deep --policy P --json`, by checkId: "id=severity;..." */
static int deep_audit(const char *policy, char *ids, size_t size)
{
	static char out[1 << 16];
	struct json_object *doc, *list, *v;
	size_t len = 0;
	int ret;

	ret = cl_run_clawlock(out, sizeof(out), "audit", "--deep", "--policy", policy, "--json",
			      NULL);
	doc = json_tokener_parse(strchr(out, '{') ?: out);
	ids[0] = '\0';
	if (ret || !doc || !json_object_object_get_ex(doc, "findings", &list)) {
		snprintf(ids, size, "audit failed (%d): %.1000s", ret, out);
		json_object_put(doc);
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(list) && len < size; i++) {
		struct json_object *f = json_object_array_get_idx(list, i);

		json_object_object_get_ex(f, "checkId", &v);
		len += snprintf(ids + len, size - len, "%s=", json_object_get_string(v));
		json_object_object_get_ex(f, "severity", &v);
		len += snprintf(ids + len, size - len, "%s;", json_object_get_string(v));
	}
	json_object_put(doc);
	return 0;
}

TEST_F(live, audit_deep_finds_a_broken_policy_and_a_stale_one)
{
	char policy[160], text[1024], found[4096], out[4096];

	/* Deliberately broken: the whole disk readable, every address reachable. */
	snprintf(policy, sizeof(policy), "%s/broken.json5", self->home);
	ASSERT_EQ(0, cl_write_file(policy, "{ agents: { 'broken': { files: { '/': 'read,exec' },"
					   "  network: { '0.0.0.0/0': 'allow' } } } }"));
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "apply", "--policy", policy, NULL))
	TH_LOG("%s", out);
	ASSERT_EQ(0, deep_audit(policy, found, sizeof(found)))
	TH_LOG("%s", found);
	TH_LOG("%s", found);
	EXPECT_NE(NULL, strstr(found, "live.probe_read_secret=critical"));
	EXPECT_NE(NULL, strstr(found, "live.probe_metadata=critical"));
	/* A set-uid exec is refused whatever the policy says. */
	EXPECT_EQ(NULL, strstr(found, "live.probe_setuid="));
	EXPECT_EQ(NULL, strstr(found, "live.policy_differs"));
	EXPECT_EQ(NULL, strstr(found, "live.program_detached"));

	/* A tight policy: nothing gets through. */
	snprintf(text, sizeof(text), "{ agents: { 'broken': { files: { '%s/ws': 'read' } } } }",
		 self->home);
	ASSERT_EQ(0, cl_write_file(policy, text));
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "apply", "--policy", policy, NULL));
	ASSERT_EQ(0, deep_audit(policy, found, sizeof(found)))
	TH_LOG("%s", found);
	EXPECT_EQ(NULL, strstr(found, "=critical"));
	EXPECT_NE(NULL, strstr(found, "live.probed=info"));

	/* The config changes and nobody applies it: the audit says so. */
	snprintf(text, sizeof(text),
		 "{ agents: { 'broken': { files: { '%s/ws': 'read,write' } } } }", self->home);
	ASSERT_EQ(0, cl_write_file(policy, text));
	ASSERT_EQ(0, deep_audit(policy, found, sizeof(found)))
	TH_LOG("%s", found);
	EXPECT_NE(NULL, strstr(found, "live.policy_differs=warn"));
}

/*
 * A scope the config sandboxes whose cgroup is there but bound to nothing
 * (its binding removed behind clawlock's back, here by applying without
 * it and making its cgroup again) runs unconfined: critical.
 */
TEST_F(live, audit_deep_finds_a_sandboxed_scope_without_binding)
{
	static const char policy_template[] =
		"{ agents: { kept: { files: { '@HOME@/ws': 'read' } },"
		"  unbound: { files: { '@HOME@/ws': 'read' } } } }";
	char both[160], one[160], text[1024], found[4096], out[4096], cgroup[512];

	snprintf(both, sizeof(both), "%s/both.json5", self->home);
	snprintf(one, sizeof(one), "%s/one.json5", self->home);
	ASSERT_EQ(0, CL_WRITE_FILLED(both, policy_template, "HOME", self->home));
	snprintf(text, sizeof(text), "{ agents: { kept: { files: { '%s/ws': 'read' } } } }",
		 self->home);
	ASSERT_EQ(0, cl_write_file(one, text));
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "apply", "--policy", both, NULL));
	ASSERT_EQ(0, find_scope(self, "unbound"));
	snprintf(cgroup, sizeof(cgroup), "%s", self->scope);
	ASSERT_EQ(0, deep_audit(both, found, sizeof(found)))
	TH_LOG("%s", found);
	EXPECT_EQ(NULL, strstr(found, "live.binding_missing"));

	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "apply", "--policy", one, NULL));
	EXPECT_NE(0, find_scope(self, "unbound"));
	if (access(cgroup, F_OK))
		ASSERT_EQ(0, mkdir(cgroup, 0755));
	ASSERT_EQ(0, deep_audit(both, found, sizeof(found)))
	TH_LOG("%s", found);
	EXPECT_NE(NULL, strstr(found, "live.binding_missing=critical"));
	rmdir(cgroup);
}

/* @agent's policy id and scope cgroup in status; the id, or -1. */
static long policy_of(FIXTURE_DATA(live) * self, const char *agent)
{
	struct json_object *st = cl_status(), *b = cl_binding_of(st, agent), *v;
	long id = -1;

	if (b && json_object_object_get_ex(b, "policy", &v))
		id = json_object_get_int64(v);
	if (b && json_object_object_get_ex(b, "cgroup", &v))
		snprintf(self->scope, sizeof(self->scope), "%s", json_object_get_string(v));
	json_object_put(st);
	return id;
}

TEST_F(live, identical_policies_share_one_install_until_a_rule_file_changes)
{
	static const char policy_template[] =
		"{ version: 1, profiles: { shared: { files: { '@HOME@/ws': 'read', "
		"'@HOME@/ws/secret.txt': 'deny' } } },"
		"  agents: { alpha: { use: ['shared'] }, beta: { use: ['shared'] } } }";
	char policy[256], text[1024], out[4096];
	long alpha, beta, again;

	snprintf(policy, sizeof(policy), "%s/shared.json5", self->home);
	ASSERT_EQ(0, CL_WRITE_FILLED(policy, policy_template, "HOME", self->home));
	ASSERT_EQ(0, cl_write_file(at(self, "ws/secret.txt"), "one\n"));
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "apply", "--policy", policy, NULL))
	TH_LOG("%s", out);

	/* Same rules, same sources: one policy, installed once, for both scopes. */
	alpha = policy_of(self, "alpha");
	beta = policy_of(self, "beta");
	ASSERT_LT(0, alpha);
	EXPECT_EQ(alpha, beta);
	EXPECT_EQ(0, cl_in_cgroup(self->scope, "read", at(self, "ws/notes.md")));
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, "ws/secret.txt")));

	/* An unchanged config keeps the live policy: nothing is written again. */
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "apply", "--policy", policy, NULL))
	TH_LOG("%s", out);
	EXPECT_EQ(alpha, policy_of(self, "alpha"));

	/*
	 * The denied file replaced by a new one (a new inode): the same text is
	 * a new policy now, or the new file would be read through ws's rule.
	 */
	ASSERT_EQ(0, cl_write_file(at(self, "ws/secret.new"), "two\n"));
	snprintf(text, sizeof(text), "%s/ws/secret.new", self->home);
	ASSERT_EQ(0, rename(text, at(self, "ws/secret.txt")));
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "apply", "--policy", policy, NULL))
	TH_LOG("%s", out);
	again = policy_of(self, "beta");
	EXPECT_NE(alpha, again);
	EXPECT_EQ(again, policy_of(self, "alpha"));
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, "ws/secret.txt")));
	EXPECT_EQ(0, cl_in_cgroup(self->scope, "read", at(self, "ws/notes.md")));
}

TEST_HARNESS_MAIN
