// SPDX-License-Identifier: GPL-2.0
/*
 * openclaw_test.c - reading OpenClaw configs ($include, ${VAR}, both eras,
 * where the config lives), resolving sessions (merge rules, modes, scopes),
 * every error, and the translation into rules and switches, with explain's
 * verdicts for paths under binds, the workspace and secrets.
 */
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openclaw/ocpolicy.h"
#include "policy/verdict.h"
#include "kselftest_harness.h"

#include "loader/cgroup.h"
#include "openclaw/ocscope.h"
#include "leakcheck.h"
#include "unittest.h"
#include "util.h"

FIXTURE(oc)
{
	char home[64];
	char path[512];
	char err[2048];
	struct oc_config cfg;
	struct cl_policy baseline;
};

static const char *put(FIXTURE_DATA(oc) * self, const char *name, const char *text)
{
	char dir[600], *slash;
	FILE *f;

	snprintf(self->path, sizeof(self->path), "%s/%s", self->home, name);
	snprintf(dir, sizeof(dir), "%s", self->path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	mkdir(dir, 0755);
	f = fopen(self->path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return self->path;
}

static void mkdirs(FIXTURE_DATA(oc) * self, const char *rel)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", self->home, rel);
	system(cmd);
}

FIXTURE_SETUP(oc)
{
	char base[600];

	strcpy(self->home, "/tmp/cl-oc-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->home));
	setenv("HOME", self->home, 1);
	unsetenv("OPENCLAW_CONFIG_PATH");
	unsetenv("OPENCLAW_STATE_DIR");
	unsetenv("OPENCLAW_HOME");
	unsetenv("OPENCLAW_PROFILE");
	unsetenv("OPENCLAW_INCLUDE_ROOTS");
	unsetenv("OPENCLAW_WORKSPACE_DIR");
	memset(&self->cfg, 0, sizeof(self->cfg));
	snprintf(base, sizeof(base), "%s/policies/baseline.json5",
		 getenv("CLAWLOCK_SOURCE") ? getenv("CLAWLOCK_SOURCE") : ".");
	ASSERT_EQ(0, cl_policy_load(base, &self->baseline, self->err, sizeof(self->err)));
}

FIXTURE_TEARDOWN(oc)
{
	char cmd[128];

	oc_config_free(&self->cfg);
	cl_policy_free(&self->baseline);
	LEAK_CHECK();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->home);
	system(cmd);
}

/* Load @text as ~/.openclaw/openclaw.json (the default path). */
static int load(FIXTURE_DATA(oc) * self, const char *text)
{
	put(self, ".openclaw/openclaw.json", text);
	oc_config_free(&self->cfg);
	return oc_config_load(NULL, &self->cfg, self->err, sizeof(self->err));
}

static const char *json_at(FIXTURE_DATA(oc) * self, const char *dotted)
{
	struct json_object *v = oc_get(self->cfg.root, dotted);

	return v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : "(none)";
}

TEST_F(oc, include_one_file_replaces_the_object)
{
	put(self, ".openclaw/agents.json5", "{ defaults: { sandbox: { mode: 'all' } } }");
	ASSERT_EQ(0, load(self, "{ agents: { $include: './agents.json5' } }"))
	{
		TH_LOG("%s", self->err);
	}
	EXPECT_STREQ("\"all\"", json_at(self, "agents.defaults.sandbox.mode"));
}

TEST_F(oc, include_list_merges_in_order_and_siblings_win)
{
	put(self, ".openclaw/a.json5",
	    "{ sandbox: { mode: 'all', docker: { binds: ['/a:/a'] } } }");
	put(self, ".openclaw/b.json5",
	    "{ sandbox: { mode: 'non-main', docker: { binds: ['/b:/b'] } } }");
	ASSERT_EQ(0, load(self, "{ agents: { defaults: { $include: ['a.json5', 'b.json5'],"
				" sandbox: { scope: 'session' } } } }"))
	{
		TH_LOG("%s", self->err);
	}
	/* Later files win for scalars, arrays concatenate, siblings merge over. */
	EXPECT_STREQ("\"non-main\"", json_at(self, "agents.defaults.sandbox.mode"));
	EXPECT_STREQ("[\"\\/a:\\/a\",\"\\/b:\\/b\"]",
		     json_at(self, "agents.defaults.sandbox.docker.binds"));
	EXPECT_STREQ("\"session\"", json_at(self, "agents.defaults.sandbox.scope"));
}

TEST_F(oc, include_errors_name_their_place)
{
	put(self, ".openclaw/loop-a.json5", "{ x: { $include: 'loop-b.json5' } }");
	put(self, ".openclaw/loop-b.json5", "{\n  y: { $include: 'loop-a.json5' } }");
	EXPECT_EQ(-1, load(self, "{ agents: { $include: 'loop-a.json5' } }"));
	EXPECT_NE(NULL, strstr(self->err, "loop-b.json5:2:18: circular $include"))
	{
		TH_LOG("%s", self->err);
	}
	EXPECT_EQ(-1, load(self, "{\n agents: { $include: 'missing.json5' } }"));
	EXPECT_NE(NULL, strstr(self->err, "openclaw.json:2:22: cannot include 'missing.json5'"))
	{
		TH_LOG("%s", self->err);
	}
	put(self, "outside.json5", "{}");
	EXPECT_EQ(-1, load(self, "{ agents: { $include: '../outside.json5' } }"));
	EXPECT_NE(NULL, strstr(self->err, "escapes the config directory"));
	/* An extra include root lets it in. */
	setenv("OPENCLAW_INCLUDE_ROOTS", self->home, 1);
	EXPECT_EQ(0, load(self, "{ agents: { $include: '../outside.json5' } }"));
	unsetenv("OPENCLAW_INCLUDE_ROOTS");
	put(self, ".openclaw/bad.json5", "{ a: [1,, 2] }");
	EXPECT_EQ(-1, load(self, "{ agents: { $include: 'bad.json5' } }"));
	EXPECT_NE(NULL, strstr(self->err, "bad.json5:1:9: unexpected ','"));
}

/* Includes must be regular files: a FIFO once hung the daemon in open(). */
TEST_F(oc, includes_must_be_regular_files)
{
	static const struct {
		const char *name;
		const char *kind;
	} cases[] = {
		{ "fifo", "not a regular file (a FIFO)" },
		{ "dir", "not a regular file (a directory)" },
		{ "big.json5", "file is larger than 64 MiB" },
	};
	char path[600], text[128], want[160];
	int fd;

	snprintf(path, sizeof(path), "%s/.openclaw/fifo", self->home);
	mkdirs(self, ".openclaw/dir");
	ASSERT_EQ(0, mkfifo(path, 0600));
	snprintf(path, sizeof(path), "%s/.openclaw/big.json5", self->home);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 65 << 20)); /* sparse: nothing is written */
	close(fd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "{\n  agents: { $include: '%s' } }", cases[i].name);
		EXPECT_EQ(-1, load(self, text));
		/* Both the including file:line:column and the included file. */
		snprintf(want, sizeof(want), "openclaw.json:2:23: cannot include '%s': %s",
			 cases[i].name, cases[i].kind);
		EXPECT_NE(NULL, strstr(self->err, want))
		{
			TH_LOG("%s", self->err);
		}
	}
	/* An error inside an included file names the line that included it. */
	put(self, ".openclaw/bad.json5", "{ a: [1,, 2] }");
	EXPECT_EQ(-1, load(self, "{\n  agents: { $include: 'bad.json5' } }"));
	EXPECT_NE(NULL, strstr(self->err, "bad.json5:1:9: unexpected ','"));
	EXPECT_NE(NULL, strstr(self->err, "(included from "));
	EXPECT_NE(NULL, strstr(self->err, "openclaw.json:2:23)"));
}

/*
 * The include is opened beneath its root without following links: a link
 * swapped in after realpath() (simulated here by asking for a path that is
 * not resolved) is refused, not followed out of the folder.
 */
TEST(open_beneath_refuses_links_and_escapes)
{
	char dir[] = "/tmp/cl-beneath-XXXXXX", path[128], why[256];
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/link", dir);
	ASSERT_EQ(0, symlink("/etc/passwd", path));
	EXPECT_EQ(-1, cl_open_beneath(dir, path, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "link"))
	{
		TH_LOG("%s", why);
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/../etc/passwd", dir);
	EXPECT_EQ(-1, cl_open_beneath(dir, path, why, sizeof(why)));
	EXPECT_EQ(-1, cl_open_beneath(dir, "/etc/passwd", why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "not inside"));
	snprintf(path, sizeof(path), "%s/ok.json5", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	fd = cl_open_beneath(dir, path, why, sizeof(why));
	EXPECT_LE(0, fd);
	close(fd);
	unlink(path);
	rmdir(dir);
}

/* "\u0000" would cut a path: "/etc/shadow\u0000junk" becomes /etc/shadow. */
TEST_F(oc, nul_in_keys_and_strings_is_an_error)
{
	EXPECT_EQ(-1, load(self,
			   "{ agents: { defaults: {\n  workspace: '/etc/shadow\\u0000junk' } } }"));
	EXPECT_NE(NULL, strstr(self->err, "openclaw.json:2:14: a string cannot contain a NUL"))
	{
		TH_LOG("%s", self->err);
	}
	EXPECT_EQ(-1, load(self, "{ agents: { entries: {\n  'main\\u0000x': {} } } }"));
	EXPECT_NE(NULL, strstr(self->err, "openclaw.json:2:3: a key cannot contain a NUL"));
	/* Repeated keys: the last wins, as in OpenClaw's JSON5. */
	ASSERT_EQ(0, load(self,
			  "{ agents: { defaults: { sandbox: { mode: 'off', mode: 'all' } } } }"));
	EXPECT_STREQ("\"all\"", json_at(self, "agents.defaults.sandbox.mode"));
}

/*
 * docker.tmpfs entries as Docker's --tmpfs PATH:OPTIONS: size= becomes a
 * tmpfs of that size, ro and noexec mount flags; what would leave the
 * scratch unlimited, or a limit clawlock cannot hold, is refused.
 */
TEST(tmpfs_sizes_and_options)
{
	static const struct {
		const char *entry;
		size_t pathlen;
		unsigned long long size;
		bool ro, noexec;
	} good[] = {
		{ "/tmp", 4, 0, false, false },
		{ "/tmp:", 4, 0, false, false },
		{ "/tmp:rw,size=64m", 4, 64ULL << 20, false, false },
		{ "/var/tmp:size=1024", 8, 1024, false, false },
		{ "/run:size=2K,noexec,nosuid,nodev", 4, 2048, false, true },
		{ "/tmp:size=1g,ro", 4, 1ULL << 30, true, false },
		{ "/tmp:ro,rw,noexec,exec,mode=1777", 4, 0, false, true },
		{ "/tmp:size=1t", 4, 1ULL << 40, false, false },
		{ "/tmp:size=1m,size=2m", 4, 2ULL << 20, false, false },
	};
	static const struct {
		const char *entry;
		const char *why;
	} bad[] = {
		{ "tmp", "absolute" },
		{ ":size=1m", "absolute" },
		{ "/tmp:size=abc", "not a size" },
		{ "/tmp:size=-1", "not a size" },
		{ "/tmp:size=", "option 1 is not one" },
		{ "/tmp:size=1.5m", "not a size" },
		{ "/tmp:size=0x10", "not a size" },
		{ "/tmp:size=64mb", "not a size" },
		{ "/tmp:size=1p", "not a size" },
		{ "/tmp:size=0", "no limit at all" },
		{ "/tmp:size=0k", "no limit at all" },
		{ "/tmp:size=50%", "share of memory" },
		{ "/tmp:size=2t", "more than 1t" },
		{ "/tmp:size=1099511627777", "more than 1t" },
		/* (2^24 + 1) << 40 wraps to exactly 1t in 64 bits. */
		{ "/tmp:size=16777217t", "more than 1t" },
		{ "/tmp:size=1025g", "more than 1t" },
		{ "/tmp:size=99999999999999999999999g", "more than 1t" },
		{ "/tmp:rw,nr_inodes=100", "option 2 is not one" },
		{ "/tmp:mode=999", "option 1 is not one" },
		{ "/tmp:RO", "option 1 is not one" },
	};
	struct oc_tmpfs_opts o;
	char err[256];
	size_t len;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ASSERT_EQ(0, oc_tmpfs_parse(good[i].entry, &len, &o, err, sizeof(err)))
		TH_LOG("%s: %s", good[i].entry, err);
		EXPECT_EQ(good[i].pathlen, len) TH_LOG("%s", good[i].entry);
		EXPECT_EQ(good[i].size, o.size) TH_LOG("%s", good[i].entry);
		EXPECT_EQ(good[i].ro, o.read_only) TH_LOG("%s", good[i].entry);
		EXPECT_EQ(good[i].noexec, o.no_exec) TH_LOG("%s", good[i].entry);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		EXPECT_EQ(-1, oc_tmpfs_parse(bad[i].entry, &len, &o, err, sizeof(err)))
		TH_LOG("%s", bad[i].entry);
		EXPECT_NE(NULL, strstr(err, bad[i].why)) TH_LOG("%s: '%s'", bad[i].entry, err);
	}
}

/* Values OpenClaw's schema refuses, or docker then refuses, with their place. */
TEST_F(oc, bad_sandbox_values_name_their_place)
{
	static const struct {
		const char *value;
		const char *reason;
	} cases[] = {
		{ "docker: {\n  memory: 'nan' }", "2:11: docker.memory is not a size" },
		{ "docker: {\n  memory: NaN }", "2:11: docker.memory must be a size" },
		{ "docker: {\n  memory: -5 }", "2:11: docker.memory is not a size" },
		{ "docker: {\n  memorySwap: '0x10' }", "2:15: docker.memorySwap is not a size" },
		{ "docker: {\n  cpus: 'nan' }", "2:9: docker.cpus must be a positive number" },
		{ "docker: {\n  cpus: NaN }", "2:9: docker.cpus must be a positive number" },
		{ "docker: {\n  cpus: Infinity }", "2:9: docker.cpus must be a positive number" },
		{ "docker: {\n  cpus: '1' }", "2:9: docker.cpus must be a positive number" },
		{ "docker: {\n  pidsLimit: 256.5 }", "2:14: docker.pidsLimit must be a whole" },
		{ "docker: {\n  pidsLimit: '256' }", "2:14: docker.pidsLimit must be a whole" },
		{ "docker: {\n  pidsLimit: 1e999 }", "2:14: docker.pidsLimit must be a whole" },
		{ "docker: {\n  pidsLimit: 0 }", "2:14: docker.pidsLimit must be a whole" },
		{ "docker: {\n  pidsLimit: 1e18 }", "2:14: docker.pidsLimit must be a whole" },
		{ "docker: { capDrop: ['NET_RAW',\n  'SYS_ADMN'] }",
		  "2:3: docker.capDrop[1] is not a Linux capability" },
		{ "docker: { capDrop: 'ALL' }", "docker.capDrop must be a list" },
		{ "docker: { tmpfs: ['/tmp',\n  '/run:rw,size=abc'] }",
		  "2:3: docker.tmpfs[1]: size= is not a size" },
		{ "docker: {\n  tmpfs: '/tmp' }", "2:10: docker.tmpfs must be a list" },
		{ "docker: { tmpfs: [\n  7] }", "2:3: docker.tmpfs[0] must be a string" },
		{ "docker: { tmpfs: [\n  '/tmp:size=-1'] }",
		  "docker.tmpfs[0]: size= is not a size" },
		{ "docker: { tmpfs: [\n  '/tmp:nr_inodes=9'] }",
		  "docker.tmpfs[0]: option 1 is not one clawlock can hold" },
		{ "\n  mode: 1", "2:9: sandbox.mode must be a string" },
		{ "\n  mode: ['all']", "2:9: sandbox.mode must be a string" },
		{ "\n  mode: null", "'mode' is null" },
	};
	char text[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "{ agents: { list: [ { id: 'main', sandbox: { %s } } ] } }",
			 cases[i].value);
		EXPECT_EQ(-1, load(self, text));
		EXPECT_NE(NULL, strstr(self->err, cases[i].reason))
		{
			TH_LOG("case %zu: '%s' in '%s'", i, cases[i].reason, self->err);
		}
	}
}

/* What OpenClaw and docker accept keeps their meaning. */
TEST_F(oc, sandbox_values_keep_openclaw_meaning)
{
	struct oc_sandbox sb;
	struct cl_limits l;

	ASSERT_EQ(0, load(self,
			  "{ agents: { defaults: { sandbox: { mode: 'all', docker: {"
			  " pidsLimit: 256.0, memory: '0', cpus: 0.5, capDrop: ['cap_sys_admin'],"
			  " tmpfs: ['/tmp:rw,size=64m,noexec', '/var/tmp'] }"
			  " } } } }"))
	{
		TH_LOG("%s", self->err);
	}
	ASSERT_EQ(0, oc_resolve(&self->cfg, "main", NULL, &sb, self->err, sizeof(self->err)));
	EXPECT_EQ(256, sb.pids_limit);
	ASSERT_EQ(0, cl_limits_from_docker(sb.pids_limit, sb.memory, sb.memory_swap, sb.cpus, &l,
					   self->err, sizeof(self->err)));
	/* docker --memory 0 means no limit, not memory.max 0. */
	EXPECT_EQ(-1, l.memory_max);
	EXPECT_EQ(-1, l.memory_swap_max);
	EXPECT_EQ(50000, l.cpu_quota);
	/* docker --tmpfs PATH:OPTIONS: the path is where the scratch goes, and its options held. */
	ASSERT_EQ(2, sb.tmpfs.count);
	EXPECT_STREQ("/tmp", sb.tmpfs.items[0]);
	EXPECT_EQ(64ULL << 20, sb.tmpfs_opts[0].size);
	EXPECT_TRUE(sb.tmpfs_opts[0].no_exec);
	EXPECT_FALSE(sb.tmpfs_opts[0].read_only);
	EXPECT_STREQ("/var/tmp", sb.tmpfs.items[1]);
	EXPECT_EQ(0, sb.tmpfs_opts[1].size);
	oc_sandbox_free(&sb);
	/* An empty memory is no --memory at all. */
	ASSERT_EQ(0, load(self,
			  "{ agents: { defaults: { sandbox: { docker: { memory: '  ' } } } } }"));
}

TEST_F(oc, include_depth_is_limited_to_ten)
{
	char name[32], text[64];

	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), ".openclaw/d%d.json5", i);
		snprintf(text, sizeof(text), "{ n: { $include: 'd%d.json5' } }", i + 1);
		put(self, name, i == 11 ? "{ end: true }" : text);
	}
	EXPECT_EQ(-1, load(self, "{ agents: { $include: 'd0.json5' } }"));
	EXPECT_NE(NULL, strstr(self->err, "maximum $include depth (10)"))
	{
		TH_LOG("%s", self->err);
	}
}

TEST_F(oc, env_vars_are_substituted_and_never_printed)
{
	setenv("CL_TEST_WS", "/srv/ws", 1);
	setenv("CL_TEST_TOKEN", "s3cr3t-token-value", 1);
	setenv("CL_TEST_EMPTY", "", 1);
	ASSERT_EQ(0, load(self, "{ agents: { defaults: { workspace: '${CL_TEST_WS}/x',"
				" note: '$${CL_TEST_WS}' } }, t: '${CL_TEST_TOKEN}' }"));
	EXPECT_STREQ("\"\\/srv\\/ws\\/x\"", json_at(self, "agents.defaults.workspace"));
	EXPECT_STREQ("\"${CL_TEST_WS}\"", json_at(self, "agents.defaults.note"));
	/* Unset elsewhere: left as written, as OpenClaw does, with a warning that shows no value.
	 */
	ASSERT_EQ(0, load(self, "{ t: '${CL_TEST_TOKEN}',\n  u: '${CL_TEST_UNSET_VAR}',"
				" v: '${lower} $${X} ${CL_TEST_EMPTY}' }"));
	EXPECT_STREQ("\"${CL_TEST_UNSET_VAR}\"", json_at(self, "u"));
	/* Not variables: lower case and $${X}; an empty one is as good as unset. */
	EXPECT_STREQ("\"${lower} ${X} ${CL_TEST_EMPTY}\"", json_at(self, "v"));
	ASSERT_EQ(2, self->cfg.warning_count);
	EXPECT_NE(NULL, strstr(self->cfg.warnings[0], ":2:6: u: environment variable "
						      "CL_TEST_UNSET_VAR is not set"))
	{
		TH_LOG("%s", self->cfg.warnings[0]);
	}
	EXPECT_EQ(NULL, strstr(self->cfg.warnings[0], "s3cr3t"));
	/* In a value clawlock translates: an error naming the variable, at its place. */
	EXPECT_EQ(-1,
		  load(self, "{ t: '${CL_TEST_TOKEN}', agents: { defaults: { sandbox: {\n"
			     " docker: { binds: ['${CL_TEST_UNSET_VAR}/data:/data'] } } } } }"));
	EXPECT_NE(NULL, strstr(self->err, ":2:20: agents.defaults.sandbox.docker.binds[0]: "
					  "environment variable CL_TEST_UNSET_VAR is not set"))
	{
		TH_LOG("%s", self->err);
	}
	EXPECT_EQ(NULL, strstr(self->err, "s3cr3t"));
	EXPECT_EQ(-1, load(self, "{ agents: { list: [{ id: 'a', workspace: '${CL_TEST_UNSET_VAR}' "
				 "}] } }"));
	EXPECT_NE(NULL, strstr(self->err, "agents.list[0].workspace: environment variable"));
	unsetenv("CL_TEST_TOKEN");
}

/* The state dir's .env, then the config's env block, fill what the process lacks. */
TEST_F(oc, env_comes_from_the_state_dir_dotenv_and_env_vars)
{
	unsetenv("CL_TEST_DOT");
	unsetenv("CL_TEST_CFG");
	setenv("CL_TEST_EMPTY", "", 1);
	put(self, ".openclaw/.env",
	    "# comment\nexport CL_TEST_DOT=/from/dotenv # note\n"
	    "CL_TEST_QUOTED=\"/q s\"\nCL_TEST_EMPTY=/dot-empty\n");
	ASSERT_EQ(0, load(self, "{ env: { vars: { CL_TEST_CFG: '/from/config',"
				" CL_TEST_EMPTY: '/cfg-empty', CL_TEST_DOT: '/loses' } },"
				" agents: { defaults: { workspace: '${CL_TEST_DOT}' },"
				" list: [{ id: 'a', workspace: '${CL_TEST_CFG}' },"
				" { id: 'b', workspace: '${CL_TEST_QUOTED}' },"
				" { id: 'c', workspace: '${CL_TEST_EMPTY}' }] } }"))
	{
		TH_LOG("%s", self->err);
	}
	struct json_object *list = oc_get(self->cfg.root, "agents.list");
	static const char *const want[] = { "/from/config", "/q s", "/cfg-empty" };

	/* The process's empty value loses to the config's; .env loses to the process. */
	EXPECT_STREQ("/from/dotenv",
		     oc_get_string(oc_get(self->cfg.root, "agents.defaults"), "workspace"));
	for (size_t i = 0; i < 3; i++)
		EXPECT_STREQ(want[i],
			     oc_get_string(json_object_array_get_idx(list, i), "workspace"));
	EXPECT_EQ(0, self->cfg.warning_count);
	unsetenv("CL_TEST_EMPTY");
}

TEST_F(oc, config_location_follows_the_environment)
{
	char want[600];

	ASSERT_EQ(0, load(self, "{}"));
	snprintf(want, sizeof(want), "%s/.openclaw/openclaw.json", self->home);
	EXPECT_STREQ(want, self->cfg.path);
	EXPECT_TRUE(self->cfg.exists);
	setenv("OPENCLAW_PROFILE", "work", 1);
	oc_config_free(&self->cfg);
	ASSERT_EQ(0, oc_config_load(NULL, &self->cfg, self->err, sizeof(self->err)));
	snprintf(want, sizeof(want), "%s/.openclaw-work/openclaw.json", self->home);
	EXPECT_STREQ(want, self->cfg.path);
	/* A missing default config means OpenClaw's defaults, not an error. */
	EXPECT_FALSE(self->cfg.exists);
	unsetenv("OPENCLAW_PROFILE");
	setenv("OPENCLAW_STATE_DIR", "/var/lib/oc", 1);
	oc_config_free(&self->cfg);
	ASSERT_EQ(0, oc_config_load(NULL, &self->cfg, self->err, sizeof(self->err)));
	EXPECT_STREQ("/var/lib/oc/openclaw.json", self->cfg.path);
	unsetenv("OPENCLAW_STATE_DIR");
	setenv("OPENCLAW_CONFIG_PATH", "~/elsewhere.json5", 1);
	oc_config_free(&self->cfg);
	ASSERT_EQ(0, oc_config_load(NULL, &self->cfg, self->err, sizeof(self->err)));
	snprintf(want, sizeof(want), "%s/elsewhere.json5", self->home);
	EXPECT_STREQ(want, self->cfg.path);
	unsetenv("OPENCLAW_CONFIG_PATH");
	/* An explicit file that is missing is an error. */
	oc_config_free(&self->cfg);
	EXPECT_EQ(-1, oc_config_load("/nonexistent/openclaw.json", &self->cfg, self->err,
				     sizeof(self->err)));
}

static int resolve(FIXTURE_DATA(oc) * self, const char *agent, const char *session,
		   struct oc_sandbox *sb)
{
	return oc_resolve(&self->cfg, agent, session, sb, self->err, sizeof(self->err));
}

TEST_F(oc, entries_win_over_list_and_ids_normalise)
{
	struct oc_sandbox sb;
	char **ids;
	size_t n;

	ASSERT_EQ(0, load(self, "{ agents: { list: [{ id: 'old' }],"
				" entries: { 'Research-Bot': {}, main: {} } } }"));
	ASSERT_EQ(0, oc_agent_ids(&self->cfg, &ids, &n));
	ASSERT_EQ(2, n);
	EXPECT_STREQ("research-bot", ids[0]);
	EXPECT_STREQ("main", ids[1]);
	oc_agent_ids_free(ids, n);
	EXPECT_EQ(-1, resolve(self, "old", NULL, &sb));
	EXPECT_NE(NULL, strstr(self->err, "unknown agent id \"old\""));
	ASSERT_EQ(0, resolve(self, "Research Bot", NULL, &sb)); /* a CLI id normalises */
	EXPECT_STREQ("agent:research-bot:main", sb.session_key);
	oc_sandbox_free(&sb);
	/* No roster at all: the implicit main agent. */
	ASSERT_EQ(0, load(self, "{}"));
	ASSERT_EQ(0, oc_agent_ids(&self->cfg, &ids, &n));
	ASSERT_EQ(1, n);
	EXPECT_STREQ("main", ids[0]);
	oc_agent_ids_free(ids, n);
}

TEST_F(oc, env_and_ulimits_merge_and_env_values_stay_hidden)
{
	struct oc_sandbox sb;

	ASSERT_EQ(0, load(self,
			  "{ agents: { defaults: { sandbox: { mode: 'all', docker: {"
			  " env: { TOKEN: 'hunter2' }, ulimits: { nofile: 1024, nproc: 64 } } } },"
			  " list: [{ id: 'main', sandbox: { docker: { env: { EXTRA: 'x' },"
			  " ulimits: { nproc: 128 } } } }] } }"));
	ASSERT_EQ(0, resolve(self, "main", NULL, &sb));
	ASSERT_EQ(2, sb.env_names.count);
	EXPECT_STREQ("TOKEN", sb.env_names.items[0]);
	EXPECT_STREQ("EXTRA", sb.env_names.items[1]);
	EXPECT_STREQ("{\"nofile\":1024,\"nproc\":128}",
		     json_object_to_json_string_ext(sb.ulimits, JSON_C_TO_STRING_PLAIN));
	oc_sandbox_free(&sb);
}

TEST_F(oc, per_agent_settings_merge_over_defaults)
{
	struct oc_sandbox sb;

	ASSERT_EQ(0,
		  load(self,
		       "{ agents: { ownership: 'explicit', defaults: { sandbox: {"
		       " mode: 'all', workspaceAccess: 'ro', docker: { binds: ['/g:/g'],"
		       " network: 'bridge', pidsLimit: 64 } } },"
		       " entries: { a: { sandbox: { workspaceAccess: 'rw',"
		       " docker: { binds: ['/a:/a:ro'], network: 'none' } } },"
		       " s: { sandbox: { scope: 'shared', docker: { binds: ['/s:/s'] } } } } } }"));
	ASSERT_EQ(0, resolve(self, "a", NULL, &sb));
	/* Scalars: the agent's; binds: global then the agent's. */
	EXPECT_EQ(OC_ACCESS_RW, sb.access);
	EXPECT_STREQ("agents.entries.a.sandbox.workspaceAccess", sb.access_key);
	EXPECT_STREQ("none", sb.network);
	EXPECT_EQ(64, sb.pids_limit);
	EXPECT_STREQ("agents.defaults.sandbox.docker.pidsLimit", sb.limits_key);
	ASSERT_EQ(3, sb.mount_count);
	EXPECT_STREQ("/g", sb.mounts[1].host);
	EXPECT_STREQ("/a", sb.mounts[2].host);
	EXPECT_FALSE(sb.mounts[2].writable);
	EXPECT_STREQ("agents.entries.a.sandbox.docker.binds[0]", sb.mounts[2].key);
	oc_sandbox_free(&sb);
	/* Shared scope ignores the agent's docker block. */
	ASSERT_EQ(0, resolve(self, "s", NULL, &sb));
	EXPECT_EQ(OC_SCOPE_SHARED, sb.scope);
	EXPECT_STREQ("shared", sb.scope_key);
	EXPECT_STREQ("bridge", sb.network);
	/* The shared workspace, the agent's own read-only, and the global bind only. */
	ASSERT_EQ(3, sb.mount_count);
	EXPECT_STREQ("/agent", sb.mounts[1].container);
	EXPECT_STREQ("/g", sb.mounts[2].host);
	oc_sandbox_free(&sb);
}

TEST_F(oc, modes_decide_which_sessions_are_sandboxed)
{
	struct oc_sandbox sb;

	ASSERT_EQ(0, load(self, "{ session: { mainKey: 'Home' }, agents: { defaults: {"
				" sandbox: { mode: 'non-main' } } } }"));
	/* OpenClaw 2026.9.6 ignores mainKey (with a warning): main is always "main". */
	ASSERT_EQ(1, self->cfg.warning_count);
	EXPECT_NE(NULL, strstr(self->cfg.warnings[0], "session.mainKey is ignored"));
	ASSERT_EQ(0, resolve(self, "main", NULL, &sb));
	EXPECT_STREQ("agent:main:main", sb.main_session_key);
	EXPECT_FALSE(sb.sandboxed);
	oc_sandbox_free(&sb);
	/* So a session named after the mainKey is an ordinary, sandboxed one. */
	ASSERT_EQ(0, resolve(self, "main", "home", &sb));
	EXPECT_STREQ("agent:main:home", sb.session_key);
	EXPECT_TRUE(sb.sandboxed);
	oc_sandbox_free(&sb);
	ASSERT_EQ(0, resolve(self, "main", "agent:main:home", &sb));
	EXPECT_TRUE(sb.sandboxed);
	oc_sandbox_free(&sb);
	ASSERT_EQ(0, resolve(self, "main", "agent:main:discord:channel:7", &sb));
	EXPECT_TRUE(sb.sandboxed);
	oc_sandbox_free(&sb);
	ASSERT_EQ(0, load(self, "{ agents: { defaults: { sandbox: { mode: 'all' } } } }"));
	ASSERT_EQ(0, resolve(self, "main", NULL, &sb));
	EXPECT_TRUE(sb.sandboxed);
	oc_sandbox_free(&sb);
	ASSERT_EQ(0, load(self, "{ agents: { defaults: { sandbox: { scope: 'agent' } } } }"));
	ASSERT_EQ(0, resolve(self, "main", "agent:main:x:y", &sb));
	EXPECT_EQ(OC_MODE_OFF, sb.mode);
	EXPECT_FALSE(sb.sandboxed);
	EXPECT_EQ(0, sb.mount_count);
	oc_sandbox_free(&sb);
}

/* What OpenClaw 2026.9.6's `config validate` refuses, clawlock refuses, at the value. */
static const struct {
	const char *config;
	const char *error;
} refused[] = {
	{ "{ agents: { defaults: { sandbox: {\n mode: 'all', perSession: true } } } }",
	  "openclaw.json:2:27: agents.defaults.sandbox: unknown key 'perSession'" },
	{ "{ agents: { defaults: { sandbox: {\n mode: 'all', network: 'bridge' } } } }",
	  "openclaw.json:2:24: agents.defaults.sandbox: unknown key 'network' (OpenClaw refuses "
	  "it; it belongs in sandbox.docker)" },
	{ "{ agents: { defaults: { sandbox: {\n docker: { shinyNew: true } } } } }",
	  "openclaw.json:2:22: agents.defaults.sandbox.docker: unknown key 'shinyNew'" },
	{ "{ agents: { defaults: { sandbox: {\n mode: 'sometimes' } } } }",
	  "openclaw.json:2:8: agents.defaults.sandbox.mode: invalid value (allowed: "
	  "off|non-main|all)" },
	{ "{ agents: { list: [{ id: 'a', sandbox: {\n scope: 'user' } }] } }",
	  "openclaw.json:2:9: agents.list[0].sandbox.scope: invalid value" },
	{ "{ agents: { defaults: { sandbox: {\n workspaceAccess: 'rx' } } } }",
	  "openclaw.json:2:19: agents.defaults.sandbox.workspaceAccess: invalid value" },
	{ "{ agents: { defaults: { sandbox: { docker: {\n network: ' Host' } } } } }",
	  "openclaw.json:2:11: agents.defaults.sandbox.docker.network: network mode \"host\"" },
	{ "{ agents: { defaults: { sandbox: { docker: {\n network: 'container:db' } } } } }",
	  "openclaw.json:2:11: agents.defaults.sandbox.docker.network: network mode "
	  "\"container:*\"" },
	{ "{ agents: { defaults: { sandbox: { docker: {\n seccompProfile: 'Unconfined' } } } } }",
	  "openclaw.json:2:18: agents.defaults.sandbox.docker.seccompProfile: profile "
	  "\"unconfined\"" },
	{ "{ agents: { defaults: { sandbox: { docker: {\n apparmorProfile: 'unconfined' } } } } }",
	  "agents.defaults.sandbox.docker.apparmorProfile: profile \"unconfined\"" },
	{ "{ tools: { sandbox: { tools: {\n allow: ['read'], alsoAllow: ['exec'] } } } }",
	  "openclaw.json:2:9: tools.sandbox.tools: cannot set both allow and alsoAllow" },
	{ "{ agents: { entries: { a: { tools: {\n allow: ['read'], alsoAllow: ['exec'] } } } } }",
	  "openclaw.json:2:9: agents.entries.a.tools: cannot set both allow and alsoAllow" },
	{ "{ agents: { ownership: 'explicit', entries: {\n 'Bad Id!': {} } } }",
	  "openclaw.json:2:13: agents.entries: \"Bad Id!\" is not a valid agent id" },
	{ "{ agents: { defaults: { sandbox: { mode: 'all',\n docker: { binds: ['/ok:/ok', "
	  "'data:/data'] } } } } }",
	  "openclaw.json:2:31: agents.defaults.sandbox.docker.binds[1]: bind source must be an "
	  "absolute path" },
};

TEST_F(oc, what_openclaw_refuses_is_refused_with_its_position)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		EXPECT_EQ(-1, load(self, refused[i].config))
		{
			TH_LOG("accepted: %s", refused[i].config);
		}
		EXPECT_NE(NULL, strstr(self->err, refused[i].error))
		{
			TH_LOG("case %zu: %s", i, self->err);
		}
	}
	/* Accepted: a namespace join OpenClaw allows when told to, and mixed-case ids. */
	EXPECT_EQ(0, load(self, "{ agents: { ownership: 'explicit', entries: { Coder: { sandbox: {"
				" docker: { network: 'container:db',"
				" dangerouslyAllowContainerNamespaceJoin: true } } } } } }"))
	{
		TH_LOG("%s", self->err);
	}
	EXPECT_EQ(-1, load(self, "{ agents: { defaults: [ }"));
	EXPECT_NE(NULL, strstr(self->err, "openclaw.json:1:25: "));
}

static struct oc_compiled compiled;

static int compile(FIXTURE_DATA(oc) * self, const char *agent, const char *session)
{
	return oc_compile(&self->cfg, &self->baseline, agent, session, &compiled, self->err,
			  sizeof(self->err));
}

static const struct cl_rule *rule_at(const char *path)
{
	for (size_t i = 0; i < compiled.policy.files.count; i++) {
		if (!strcmp(compiled.policy.files.rules[i].path, path))
			return &compiled.policy.files.rules[i];
	}
	return NULL;
}

/* OpenClaw's ~ follows OPENCLAW_HOME: the home secrets are denied under it as under HOME. */
TEST_F(oc, home_secrets_are_denied_under_every_home)
{
	char och[600], ssh[700], cfg[700];
	const struct cl_rule *r;

	snprintf(och, sizeof(och), "%s/och", self->home);
	ASSERT_EQ(0, mkdir(och, 0755));
	snprintf(cfg, sizeof(cfg), "%s/.openclaw/openclaw.json", self->home);
	setenv("OPENCLAW_HOME", och, 1);
	setenv("OPENCLAW_CONFIG_PATH", cfg, 1);
	ASSERT_EQ(0, load(self, "{ agents: { defaults: { workspace: '~', sandbox: {"
				" mode: 'all', workspaceAccess: 'ro' } } } }"));
	ASSERT_EQ(0, compile(self, "main", NULL))
	{
		TH_LOG("%s", self->err);
	}
	EXPECT_STREQ(och, compiled.sb.agent_workspace);
	for (int i = 0; i < 2; i++) {
		snprintf(ssh, sizeof(ssh), "%s/.ssh", i ? och : self->home);
		r = rule_at(ssh);
		ASSERT_NE(NULL, r)
		{
			TH_LOG("no rule on %s", ssh);
		}
		EXPECT_EQ(CL_ACC_DENY, r->access);
	}
	snprintf(ssh, sizeof(ssh), "%s/.aws", och);
	ASSERT_NE(NULL, rule_at(ssh));
	/* The mount of the home itself is nearer to nothing inside .ssh: the deny decides. */
	ASSERT_NE(NULL, rule_at(och));
	EXPECT_NE(CL_ACC_DENY, rule_at(och)->access);
	oc_compiled_free(&compiled);
	unsetenv("OPENCLAW_HOME");
	unsetenv("OPENCLAW_CONFIG_PATH");
}

/*
 * A workspace of another user's: the home secrets are denied under that
 * user's home too, for every agent with such a workspace, though passwd
 * is read once per config.
 */
TEST_F(oc, home_secrets_are_denied_under_a_workspace_owners_home)
{
	char ws[600], text[2048];
	struct passwd *pw = getpwuid(65534);

	if (geteuid() || !pw || strcmp(pw->pw_dir, "/nonexistent"))
		SKIP(return, "needs root and nobody (65534) with home /nonexistent");
	snprintf(ws, sizeof(ws), "%s/theirs", self->home);
	ASSERT_EQ(0, mkdir(ws, 0755));
	ASSERT_EQ(0, chown(ws, 65534, 65534));
	snprintf(text, sizeof(text),
		 "{ agents: { defaults: { sandbox: { mode: 'all' } }, list: ["
		 " { id: 'a', workspace: '%s' }, { id: 'b', workspace: '%s' },"
		 " { id: 'c', workspace: '%s' } ] } }",
		 ws, self->home, ws);
	ASSERT_EQ(0, load(self, text));
	for (int i = 0; i < 3; i++) {
		const char *agent = i == 0 ? "a" : i == 1 ? "b" : "c";

		ASSERT_EQ(0, compile(self, agent, NULL))
		{
			TH_LOG("%s", self->err);
		}
		/* b's workspace is root's (the test's home): no rule under nobody's. */
		if (i == 1) {
			EXPECT_EQ(NULL, rule_at("/nonexistent/.ssh"));
		} else {
			EXPECT_NE(NULL, rule_at("/nonexistent/.ssh"))
			{
				TH_LOG("agent %s: no rule on /nonexistent/.ssh", agent);
			}
		}
		oc_compiled_free(&compiled);
	}
}

TEST_F(oc, translation_rows)
{
	ASSERT_EQ(0, load(self,
			  "{ tools: { deny: ['group:runtime'] }, agents: { defaults: { sandbox: {"
			  " mode: 'all', docker: { capDrop: ['NET_RAW', 'CAP_SYS_ADMIN'],"
			  " memory: '1g', cpus: 2, seccompProfile: 'x.json' } } } } }"));
	ASSERT_EQ(0, compile(self, "main", NULL))
	{
		TH_LOG("%s", self->err);
	}
	EXPECT_TRUE(compiled.confined);
	/* net_admin (12) is dropped whatever capDrop says. */
	EXPECT_EQ((1ULL << 12) | (1ULL << 13) | (1ULL << 21), compiled.cap_drop_mask);
	EXPECT_FALSE(compiled.exec_allowed);
	EXPECT_STREQ("tools.deny", compiled.exec_key);
	/* write/edit still allowed: files may be written. */
	EXPECT_TRUE(compiled.writes_allowed);
	EXPECT_STREQ("1g", compiled.sb.memory);
	EXPECT_STREQ("2", compiled.sb.cpus);
	EXPECT_LT(0, compiled.note_count);
	oc_compiled_free(&compiled);

	/* Denying write tools and exec removes every file write. */
	ASSERT_EQ(
		0,
		load(self,
		     "{ tools: { deny: ['exec', 'process', 'write', 'edit', 'apply_patch'] },"
		     " agents: { defaults: { sandbox: { mode: 'all', workspaceAccess: 'rw' } } } }"));
	ASSERT_EQ(0, compile(self, "main", NULL));
	EXPECT_FALSE(compiled.writes_allowed);
	/* Every mount is read-only (device nodes such as /dev/null stay writable). */
	for (size_t i = 0; i < compiled.policy.files.count; i++) {
		if (strstr(compiled.policy.files.rules[i].source, "sandbox."))
			EXPECT_FALSE(compiled.policy.files.rules[i].access & CL_ACC_WRITE);
	}
	oc_compiled_free(&compiled);

	/* Mode off: no policy at all. */
	ASSERT_EQ(0, load(self, "{}"));
	ASSERT_EQ(0, compile(self, "main", NULL));
	EXPECT_FALSE(compiled.confined);
	EXPECT_EQ(0, compiled.policy.files.count);
	oc_compiled_free(&compiled);
}

static const char *verdict(FIXTURE_DATA(oc) * self, const char *rel, uint32_t access)
{
	static char out[256];
	struct cl_verdict v;
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", self->home, rel);
	if (cl_verdict_file(&compiled.policy.files, path, access, &v, self->err,
			    sizeof(self->err)) < 0)
		return "error";
	snprintf(out, sizeof(out), "%s %s", v.allowed ? "allow" : "deny",
		 v.rule ? strrchr(v.rule->source, ' ') + 1 : "no-rule");
	return out;
}

TEST_F(oc, explain_verdicts_for_workspace_binds_and_secrets)
{
	char cfgtext[1024];

	mkdirs(self, "ws/project");
	mkdirs(self, "ref");
	mkdirs(self, "out");
	mkdirs(self, ".ssh");
	mkdirs(self, "elsewhere");
	snprintf(
		cfgtext, sizeof(cfgtext),
		"{ agents: { defaults: { workspace: '~/ws', sandbox: { mode: 'all',"
		" workspaceAccess: 'rw', docker: { binds: ['%s/ref:/ref:ro', '%s/out:/out', '%s:/home'] } } } } }",
		self->home, self->home, self->home);
	ASSERT_EQ(0, load(self, cfgtext));
	ASSERT_EQ(0, compile(self, "main", NULL))
	{
		TH_LOG("%s", self->err);
	}
	EXPECT_STREQ("allow agents.defaults.sandbox.workspaceAccess",
		     verdict(self, "ws/project/a.c", CL_ACC_WRITE));
	EXPECT_STREQ("allow agents.defaults.sandbox.docker.binds[0]",
		     verdict(self, "ref/doc.txt", CL_ACC_READ));
	EXPECT_STREQ("deny agents.defaults.sandbox.docker.binds[0]",
		     verdict(self, "ref/doc.txt", CL_ACC_WRITE));
	EXPECT_STREQ("allow agents.defaults.sandbox.docker.binds[1]",
		     verdict(self, "out/new.txt", CL_ACC_WRITE));
	/* A bind of the whole home does not reopen the secrets inside it. */
	EXPECT_STREQ("allow agents.defaults.sandbox.docker.binds[2]",
		     verdict(self, "elsewhere/x", CL_ACC_READ));
	EXPECT_STREQ("deny profiles.secrets.files[\"~/.ssh\"]",
		     verdict(self, ".ssh/id_ed25519", CL_ACC_READ));
	/* Outside every rule: default deny, which events and explain name by the sandbox's mode. */
	EXPECT_STREQ("deny no-rule", verdict(self, "../../root/x", CL_ACC_READ));
	EXPECT_NE(NULL, strstr(compiled.policy.default_source, ":1:"))
	TH_LOG("%s", compiled.policy.default_source);
	EXPECT_NE(NULL, strstr(compiled.policy.default_source,
			       " agents.defaults.sandbox.mode=all: only the sandbox's mounts"))
	TH_LOG("%s", compiled.policy.default_source);
	/* Name rules: .env anywhere; a secret missing at compile time, once it appears. */
	EXPECT_STREQ("deny profiles.secrets.files[\"**/.env\"]",
		     verdict(self, "ws/project/.env", CL_ACC_READ));
	EXPECT_STREQ("allow agents.defaults.sandbox.workspaceAccess",
		     verdict(self, "ws/project/.env.example", CL_ACC_READ));
	EXPECT_STREQ("deny profiles.secrets.files[\"~/.aws\"]",
		     verdict(self, ".aws/credentials", CL_ACC_READ));
	mkdirs(self, ".aws");
	EXPECT_STREQ("deny profiles.secrets.files[\"~/.aws\"]",
		     verdict(self, ".aws/credentials", CL_ACC_READ));
	oc_compiled_free(&compiled);
}

/* Run the built clawlock's audit on the current config; the JSON document. */
static struct json_object *run_audit(FIXTURE_DATA(oc) * self)
{
	char args[PATH_MAX + 64];

	snprintf(args, sizeof(args), "audit --json --openclaw '%s'", self->cfg.path);
	return cl_unit_clawlock_json(args, NULL);
}

static bool has_finding(struct json_object *doc, const char *id, const char *severity)
{
	struct json_object *list = oc_get(doc, "findings");

	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *f = json_object_array_get_idx(list, i);

		if (!strcmp(json_object_get_string(oc_get(f, "checkId")), id) &&
		    !strcmp(json_object_get_string(oc_get(f, "severity")), severity))
			return true;
	}
	return false;
}

TEST_F(oc, audit_reports_weak_sandboxing)
{
	struct json_object *doc;
	char text[1024];

	snprintf(text, sizeof(text),
		 "{ tools: { elevated: { allowFrom: { telegram: ['*'] } } },"
		 " agents: { ownership: 'explicit', defaults: { systemAgent: { agentId: 'a' },"
		 " sandbox: { mode: 'non-main', docker: { network: 'bridge',"
		 " binds: ['/etc:/hostetc:ro', '/srv/data:/data', '%s/.ssh/keys:/keys:ro'] } } },"
		 " entries: { a: {}, b: { sandbox: { mode: 'off' } } } } }",
		 self->home);
	ASSERT_EQ(0, load(self, text));
	doc = run_audit(self);
	ASSERT_NE(NULL, doc);
	EXPECT_TRUE(has_finding(doc, "tools.elevated.allowFrom.telegram.wildcard", "critical"));
	EXPECT_TRUE(has_finding(doc, "sandbox.dangerous_bind_mount", "critical"));
	EXPECT_TRUE(has_finding(doc, "clawlock.bind_writable", "warn"));
	EXPECT_TRUE(has_finding(doc, "clawlock.network_not_none", "warn"));
	EXPECT_TRUE(has_finding(doc, "clawlock.main_session_on_host", "warn"));
	EXPECT_TRUE(has_finding(doc, "clawlock.sandbox_off", "warn"));
	EXPECT_TRUE(has_finding(doc, "clawlock.elevated_enabled", "warn"));
	/* Unset host exec security is "deny" in OpenClaw's audit: nothing to report. */
	EXPECT_FALSE(has_finding(doc, "tools.exec.security_full_configured", "warn"));
	/* A bind inside ~/.ssh is nearer than the secret's deny: reachable. */
	EXPECT_TRUE(has_finding(doc, "clawlock.secret_reachable", "critical"));
	EXPECT_LE(3, json_object_get_int(oc_get(doc, "summary.critical")));
	json_object_put(doc);
}

/* The sandbox and tool checks of OpenClaw's security audit, under its checkIds. */
TEST_F(oc, audit_raises_openclaws_sandbox_and_tool_checks)
{
	static const struct {
		const char *id, *severity;
		bool expected;
	} want[] = {
		{ "config.insecure_or_dangerous_flags", "warn", true },
		{ "tools.elevated.allowFrom.webchat.wildcard", "critical", true },
		{ "security.exposure.open_groups_with_elevated", "critical", true },
		{ "security.exposure.open_groups_with_runtime_or_fs", "critical", true },
		{ "security.exposure.open_groups_with_control_plane_tools", "critical", true },
		{ "tools.exec.security_full_configured", "critical", true },
		{ "security.exposure.open_channels_with_exec", "critical", true },
		{ "tools.exec.fs_tools_disabled_but_exec_enabled", "warn", true },
		{ "sandbox.dangerous_bind_mount", "critical", true },
		{ "clawlock.bind_writable", "warn", true },
		{ "clawlock.workspace_contains_home", "critical", true },
		/* ops runs in mode "all" with a read-only workspace: exec is contained there. */
		{ "clawlock.secret_reachable", "critical", false },
	};
	struct json_object *doc;
	char text[2048];

	snprintf(text, sizeof(text),
		 "{ tools: { elevated: { allowFrom: { webchat: [' * '] } } },"
		 " hooks: { allowRequestSessionKey: true },"
		 " channels: { telegram: { groupPolicy: 'open', botToken: 'x' } },"
		 " agents: { ownership: 'explicit', defaults: { sandbox: { mode: 'non-main',"
		 " docker: { binds: ['/var/run/docker.sock:/var/run/docker.sock'],"
		 " dangerouslyAllowExternalBindSources: true } } },"
		 " entries: { main: { tools: { deny: ['write', 'edit', 'apply_patch'] } },"
		 " ops: { workspace: '%s', tools: { exec: { security: 'full' } },"
		 " sandbox: { mode: 'all', workspaceAccess: 'ro' } } } } }",
		 self->home);
	ASSERT_EQ(0, load(self, text));
	doc = run_audit(self);
	ASSERT_NE(NULL, doc);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		EXPECT_EQ(want[i].expected, has_finding(doc, want[i].id, want[i].severity))
		{
			TH_LOG("%s %s", want[i].id, want[i].expected ? "missing" : "raised");
		}
	}
	json_object_put(doc);
}

/* clawlock explain --json on every example config, for every agent. */
TEST_F(oc, explain_json_of_every_example)
{
	static const char *const examples[] = { "personal-host",     "family-list-era",
						"current-era-binds", "non-main-sessions",
						"shared-scope",	     "hardened-baseline",
						"two-agents" };
	char args[9000], path[4200];

	for (size_t e = 0; e < sizeof(examples) / sizeof(examples[0]); e++) {
		char **ids;
		size_t count;

		snprintf(path, sizeof(path), "%s/policies/examples/%s.json5",
			 getenv("CLAWLOCK_SOURCE") ? getenv("CLAWLOCK_SOURCE") : ".", examples[e]);
		oc_config_free(&self->cfg);
		ASSERT_EQ(0, oc_config_load(path, &self->cfg, self->err, sizeof(self->err)));
		ASSERT_EQ(0, oc_agent_ids(&self->cfg, &ids, &count));
		for (size_t a = 0; a < count; a++) {
			struct json_object *doc;
			int status;

			/* Every example compiles, for the main session at least. */
			ASSERT_EQ(0, compile(self, ids[a], NULL))
			{
				TH_LOG("%s: %s", path, self->err);
			}
			snprintf(args, sizeof(args),
				 "explain --openclaw '%s' --agent %s --json --op read"
				 " --target /etc/hostname",
				 path, ids[a]);
			doc = cl_unit_clawlock_json(args, &status);
			EXPECT_EQ(0, status);
			ASSERT_NE(NULL, doc)
			{
				TH_LOG("clawlock %s: %s", args, cl_unit_out);
			}
			EXPECT_STREQ(ids[a], json_object_get_string(oc_get(doc, "agentId")));
			EXPECT_NE(NULL, oc_get(doc, "sessionKey"));
			EXPECT_TRUE(
				json_object_is_type(oc_get(doc, "sandboxed"), json_type_boolean));
			EXPECT_NE(NULL, oc_get(doc, "decision"));
			EXPECT_NE(NULL, oc_get(doc, "rule.source"));
			EXPECT_TRUE(
				json_object_get_boolean(oc_get(doc, "sandbox.noNewPrivileges")));
			/* No rule for /etc/hostname in a sandbox but the baseline's /etc (read). */
			if (json_object_get_boolean(oc_get(doc, "sandboxed")))
				EXPECT_STREQ("allow",
					     json_object_get_string(oc_get(doc, "decision")));
			json_object_put(doc);
			oc_compiled_free(&compiled);
		}
		oc_agent_ids_free(ids, count);
	}
}

TEST_F(oc, audit_of_a_tight_config_is_quiet)
{
	struct json_object *doc;

	ASSERT_EQ(
		0,
		load(self,
		     "{ tools: { elevated: { enabled: false }, exec: { mode: 'ask' } },"
		     " agents: { defaults: { sandbox: { mode: 'all', workspaceAccess: 'ro' } } } }"));
	doc = run_audit(self);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(0, json_object_get_int(oc_get(doc, "summary.critical")));
	EXPECT_EQ(0, json_object_get_int(oc_get(doc, "summary.warn")));
	json_object_put(doc);
}

/*
 * 10,000 agents compile (they did not in 300 s: each agent scanned the
 * roster several times over). The roster is indexed once per config; the
 * harness timeout is generous, nothing here is timed.
 */
TEST_F_TIMEOUT(oc, ten_thousand_agents_compile, 600)
{
	const size_t n = 10000;
	size_t len = 0, cap = n * 64 + 256;
	char *text = malloc(cap), id[32], **ids;
	struct oc_roster *roster;
	size_t count;

	ASSERT_NE(NULL, text);
	len += snprintf(text + len, cap - len,
			"{ agents: { defaults: { sandbox: { mode: 'all', workspaceAccess: 'rw' } },"
			" list: [\n");
	for (size_t i = 0; i < n; i++)
		len += snprintf(text + len, cap - len, "{ id: 'a%zu', workspace: '/w/a%zu' },\n", i,
				i);
	snprintf(text + len, cap - len, "] } }\n");
	ASSERT_EQ(0, load(self, text))
	{
		TH_LOG("%s", self->err);
	}
	free(text);
	ASSERT_EQ(0, oc_agent_ids(&self->cfg, &ids, &count));
	ASSERT_EQ(n, count);
	roster = self->cfg.roster;
	for (size_t i = 0; i < count; i++) {
		ASSERT_EQ(0, compile(self, ids[i], NULL))
		{
			TH_LOG("%s: %s", ids[i], self->err);
		}
		snprintf(id, sizeof(id), "a%zu", i);
		EXPECT_STREQ(id, compiled.sb.agent_id);
		EXPECT_TRUE(compiled.confined);
		oc_compiled_free(&compiled);
	}
	/* One index for all of them, built once. */
	EXPECT_EQ(roster, self->cfg.roster);
	EXPECT_TRUE(oc_has_agent(&self->cfg, "a9999"));
	EXPECT_FALSE(oc_has_agent(&self->cfg, "a10000"));
	oc_agent_ids_free(ids, count);
}

/* docker's --pids-limit, --memory, --memory-swap and --cpus, as cgroup v2 files want them. */
TEST(docker_limits_become_cgroup_values)
{
	struct cl_limits l;
	char err[256];

	ASSERT_EQ(0, cl_limits_from_docker(256, "1g", "3g", "1.5", &l, err, sizeof(err)));
	EXPECT_EQ(256, l.pids_max);
	EXPECT_EQ(1LL << 30, l.memory_max);
	/* memorySwap is memory plus swap; memory.swap.max is swap alone. */
	EXPECT_EQ(2LL << 30, l.memory_swap_max);
	EXPECT_EQ(150000, l.cpu_quota);

	/* Unset swap: docker allows as much swap as memory. -1: unlimited. */
	ASSERT_EQ(0, cl_limits_from_docker(0, "512m", NULL, NULL, &l, err, sizeof(err)));
	EXPECT_EQ(512LL << 20, l.memory_swap_max);
	EXPECT_EQ(-1, l.pids_max);
	EXPECT_EQ(-1, l.cpu_quota);
	ASSERT_EQ(0, cl_limits_from_docker(0, "512MiB", "-1", NULL, &l, err, sizeof(err)));
	EXPECT_EQ(512LL << 20, l.memory_max);
	EXPECT_EQ(-1, l.memory_swap_max);
	ASSERT_EQ(0, cl_limits_from_docker(0, "1048576", NULL, NULL, &l, err, sizeof(err)));
	EXPECT_EQ(1048576, l.memory_max);

	/* Nothing set: nothing limited. */
	ASSERT_EQ(0, cl_limits_from_docker(0, NULL, NULL, NULL, &l, err, sizeof(err)));
	EXPECT_FALSE(cl_limits_any(&l));

	EXPECT_EQ(-1, cl_limits_from_docker(0, "lots", NULL, NULL, &l, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "lots"));
	EXPECT_EQ(-1, cl_limits_from_docker(0, "1g", "512m", NULL, &l, err, sizeof(err)));
	EXPECT_EQ(-1, cl_limits_from_docker(0, NULL, "1g", NULL, &l, err, sizeof(err)));
	EXPECT_EQ(-1, cl_limits_from_docker(0, NULL, NULL, "0", &l, err, sizeof(err)));
	EXPECT_EQ(-1, cl_limits_from_docker(0, NULL, NULL, "two", &l, err, sizeof(err)));
	/* NaN compares false with everything: it once passed as 1 ms per 100 ms. */
	EXPECT_EQ(-1, cl_limits_from_docker(0, NULL, NULL, "nan", &l, err, sizeof(err)));
}

/* docker's units.RAMInBytes; NaN once gave no limit (a NaN-to-integer cast). */
TEST(docker_sizes)
{
	static const struct {
		const char *text;
		long long bytes; /* -1: refused */
	} cases[] = {
		{ "0", 0 },
		{ "512", 512 },
		{ "1.5k", 1536 },
		{ "512m", 512LL << 20 },
		{ "512 m", 512LL << 20 },
		{ "1g", 1LL << 30 },
		{ "1GB", 1LL << 30 },
		{ "1GiB", 1LL << 30 },
		{ "  2g ", 2LL << 30 },
		{ "10b", 10 },
		{ "nan", -1 },
		{ "NaN", -1 },
		{ "inf", -1 },
		{ "infinity", -1 },
		{ "1e999", -1 },
		{ "0x10", -1 },
		{ "-1", -1 },
		{ "1gx", -1 },
		{ "1ki", -1 },
		{ "1kbb", -1 },
		{ "m", -1 },
		{ "", -1 },
		{ "99999999p", -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long bytes = -1;
		int ret = cl_docker_bytes(cases[i].text, &bytes);

		EXPECT_EQ(cases[i].bytes < 0 ? -1 : 0, ret)
		{
			TH_LOG("'%s'", cases[i].text);
		}
		if (cases[i].bytes >= 0)
			EXPECT_EQ(cases[i].bytes, bytes);
	}
	LEAK_CHECK();
}

TEST_HARNESS_MAIN
