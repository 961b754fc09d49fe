// SPDX-License-Identifier: GPL-2.0
/*
 * openclaw_test.c - reading OpenClaw configs ($include, ${VAR}, both eras,
 * where the config lives), resolving sessions (merge rules, modes, scopes),
 * every error, and the translation into rules and switches, with explain's
 * verdicts for paths under binds, the workspace and secrets.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocpolicy.h"
#include "verdict.h"
#include "kselftest_harness.h"

#include "cgroup.h"
#include "leakcheck.h"

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
	ASSERT_EQ(0, load(self, "{ agents: { defaults: { workspace: '${CL_TEST_WS}/x',"
				" note: '$${CL_TEST_WS}' } }, t: '${CL_TEST_TOKEN}' }"));
	EXPECT_STREQ("\"\\/srv\\/ws\\/x\"", json_at(self, "agents.defaults.workspace"));
	EXPECT_STREQ("\"${CL_TEST_WS}\"", json_at(self, "agents.defaults.note"));
	EXPECT_EQ(-1, load(self, "{ t: '${CL_TEST_TOKEN}',\n  u: '${CL_TEST_UNSET_VAR}' }"));
	EXPECT_NE(NULL,
		  strstr(self->err, ":2:6: environment variable CL_TEST_UNSET_VAR is not set"))
	{
		TH_LOG("%s", self->err);
	}
	EXPECT_EQ(NULL, strstr(self->err, "s3cr3t"));
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
				" entries: { 'Research Bot': {}, main: {} } } }"));
	ASSERT_EQ(0, oc_agent_ids(&self->cfg, &ids, &n));
	ASSERT_EQ(2, n);
	EXPECT_STREQ("research-bot", ids[0]);
	EXPECT_STREQ("main", ids[1]);
	oc_agent_ids_free(ids, n);
	EXPECT_EQ(-1, resolve(self, "old", NULL, &sb));
	EXPECT_NE(NULL, strstr(self->err, "unknown agent id \"old\""));
	ASSERT_EQ(0, resolve(self, "Research Bot", NULL, &sb));
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
	ASSERT_EQ(0, resolve(self, "main", NULL, &sb));
	EXPECT_STREQ("agent:main:home", sb.main_session_key);
	EXPECT_FALSE(sb.sandboxed);
	oc_sandbox_free(&sb);
	ASSERT_EQ(0, resolve(self, "main", "home", &sb));
	EXPECT_FALSE(sb.sandboxed);
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

TEST_F(oc, retired_per_session_maps_to_a_scope)
{
	struct oc_sandbox sb;

	ASSERT_EQ(0,
		  load(self,
		       "{ agents: { defaults: { sandbox: { mode: 'all', perSession: true } } } }"));
	ASSERT_EQ(0, resolve(self, "main", NULL, &sb));
	EXPECT_EQ(OC_SCOPE_SESSION, sb.scope);
	oc_sandbox_free(&sb);
	ASSERT_EQ(
		0,
		load(self,
		     "{ agents: { defaults: { sandbox: { mode: 'all', perSession: false } } } }"));
	ASSERT_EQ(0, resolve(self, "main", NULL, &sb));
	EXPECT_EQ(OC_SCOPE_SHARED, sb.scope);
	oc_sandbox_free(&sb);
}

TEST_F(oc, bad_values_are_errors_unknown_keys_warnings)
{
	struct oc_sandbox sb;

	ASSERT_EQ(0, load(self, "{ agents: { defaults: { sandbox: { mode: 'sometimes' } } } }"));
	EXPECT_EQ(-1, resolve(self, "main", NULL, &sb));
	EXPECT_NE(NULL, strstr(self->err, "agents.defaults.sandbox.mode: unknown sandbox mode"));
	ASSERT_EQ(0, load(self, "{ agents: { defaults: { sandbox: {\n  mode: 'all', futureKey: 1,"
				" docker: { shinyNew: true } } } } }"));
	ASSERT_EQ(2, self->cfg.warning_count);
	EXPECT_NE(NULL,
		  strstr(self->cfg.warnings[0], "openclaw.json:2:27: unknown key 'futureKey'"))
	{
		TH_LOG("%s", self->cfg.warnings[0]);
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

TEST_F(oc, relative_bind_sources_are_errors)
{
	ASSERT_EQ(0, load(self, "{ agents: { defaults: { sandbox: { mode: 'all',\n"
				" docker: { binds: ['/ok:/ok', 'data:/data'] } } } } }"));
	EXPECT_EQ(-1, compile(self, "main", NULL));
	EXPECT_NE(NULL,
		  strstr(self->err, "openclaw.json:2:31: agents.defaults.sandbox.docker.binds[1]:"
				    " bind source must be an absolute path"))
	{
		TH_LOG("%s", self->err);
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
	/* Outside every rule: default deny. */
	EXPECT_STREQ("deny no-rule", verdict(self, "../../root/x", CL_ACC_READ));
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
	static char out[1 << 16];
	char exe[4096], cmd[8192];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t len;
	FILE *p;

	exe[n > 0 ? n : 0] = '\0';
	*strstr(exe, "/tests/unit/") = '\0';
	snprintf(cmd, sizeof(cmd), "%s/clawlock audit --json --openclaw '%s'", exe, self->cfg.path);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	len = fread(out, 1, sizeof(out) - 1, p);
	out[len] = '\0';
	pclose(p);
	return json_tokener_parse(out);
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
	EXPECT_TRUE(has_finding(doc, "tools.elevated.allowFrom.wildcard", "critical"));
	EXPECT_TRUE(has_finding(doc, "sandbox.dangerous_bind_mount", "critical"));
	EXPECT_TRUE(has_finding(doc, "clawlock.bind_writable", "warn"));
	EXPECT_TRUE(has_finding(doc, "clawlock.network_not_none", "warn"));
	EXPECT_TRUE(has_finding(doc, "clawlock.main_session_on_host", "warn"));
	EXPECT_TRUE(has_finding(doc, "clawlock.sandbox_off", "warn"));
	EXPECT_TRUE(has_finding(doc, "clawlock.elevated_enabled", "warn"));
	EXPECT_TRUE(has_finding(doc, "clawlock.host_exec_without_approvals", "warn"));
	/* A bind inside ~/.ssh is nearer than the secret's deny: reachable. */
	EXPECT_TRUE(has_finding(doc, "clawlock.secret_reachable", "critical"));
	EXPECT_LE(3, json_object_get_int(oc_get(doc, "summary.critical")));
	json_object_put(doc);
}

/* clawlock explain --json on every example config, for every agent. */
TEST_F(oc, explain_json_of_every_example)
{
	static const char *const examples[] = { "personal-host",     "family-list-era",
						"current-era-binds", "non-main-sessions",
						"shared-scope",	     "hardened-baseline" };
	static char out[1 << 18];
	char exe[4096], cmd[9000], path[4200];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	*strstr(exe, "/tests/unit/") = '\0';
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
			FILE *p;
			size_t len;

			/* Every example compiles, for the main session at least. */
			ASSERT_EQ(0, compile(self, ids[a], NULL))
			{
				TH_LOG("%s: %s", path, self->err);
			}
			snprintf(cmd, sizeof(cmd),
				 "%s/clawlock explain --openclaw '%s' --agent %s --json --op read"
				 " --target /etc/hostname",
				 exe, path, ids[a]);
			p = popen(cmd, "r");
			ASSERT_NE(NULL, p);
			len = fread(out, 1, sizeof(out) - 1, p);
			out[len] = '\0';
			EXPECT_EQ(0, pclose(p));
			doc = json_tokener_parse(out);
			ASSERT_NE(NULL, doc)
			{
				TH_LOG("%s: %s", cmd, out);
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
}

TEST_HARNESS_MAIN
