// SPDX-License-Identifier: GPL-2.0
/*
 * conformance_test.c - clawlock's reading of real OpenClaw configs against
 * the real OpenClaw (2026.9.6, from npm, via tests/fetch-openclaw).
 *
 * For every config in policies/examples, and for configs written here
 * (session.mainKey, the tool policy filter chain, ${VAR} from the state
 * dir's .env and env.vars): `openclaw config validate` must accept it, and
 * for every agent and several session keys clawlock's resolution must equal
 * `openclaw sandbox explain --json` in session keys, mode, scope,
 * sessionIsSandboxed, workspaceAccess, the effective workspace root, the
 * workspace mounts (host root, container root, writable) in order, the
 * sandbox tool lists (groups expanded) with their sources and keys, and the
 * elevated gates. Configs OpenClaw refuses clawlock must refuse too, and
 * the sandbox and tool findings of `openclaw security audit --json` must
 * appear in `clawlock audit --json` under the same checkIds. Any
 * difference fails. Without npm or the registry the tests are skipped,
 * never passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "openclaw/ocpolicy.h"
#include "kselftest_harness.h"
#include "openclaw_fetch.h"
#include "leakcheck.h"
#include "unittest.h"

#define MAX_CASES 16

struct oracle_run {
	pid_t pid;
	char out[128];
};

/* Start `openclaw ARGS... --json > OUT` in the background with the test's HOME. */
static pid_t start_oracle(const char *home, const char *config, const char *out, char *const args[])
{
	pid_t pid = fork();

	if (pid == 0) {
		char path[8192], *argv[16];
		int n = 0, fd;

		snprintf(path, sizeof(path), "%s:%s", node_dir, getenv("PATH") ?: "/usr/bin:/bin");
		setenv("PATH", path, 1);
		setenv("HOME", home, 1);
		setenv("OPENCLAW_CONFIG_PATH", config, 1);
		unsetenv("OPENCLAW_STATE_DIR");
		unsetenv("OPENCLAW_HOME");
		unsetenv("OPENCLAW_PROFILE");
		argv[n++] = openclaw_bin;
		for (int i = 0; args[i] && n < 14; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		fd = creat(out, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(openclaw_bin, argv);
		_exit(127);
	}
	return pid;
}

static int wait_for(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The JSON object in a file that may have log lines before it. */
static struct json_object *read_json(const char *path)
{
	static char buf[1 << 20];
	struct json_object *obj;
	size_t n;
	char *brace;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	brace = strstr(buf, "{\n");
	if (!brace)
		return NULL;
	obj = json_tokener_parse(brace);
	return obj;
}

static const char *str(struct json_object *o, const char *path)
{
	struct json_object *v = oc_get(o, path);

	return v ? json_object_get_string(v) : "(missing)";
}

/* A tool list, in OpenClaw's order; 1 (logged) when it differs. */
static int same_list(struct __test_metadata *_metadata, struct json_object *want,
		     const struct oc_tool_list *got, const char *label)
{
	size_t n = want ? json_object_array_length(want) : 0;
	bool same = n == got->count;

	for (size_t i = 0; same && i < n; i++)
		same = !strcmp(json_object_get_string(json_object_array_get_idx(want, i)),
			       got->names[i]);
	if (!same)
		TH_LOG("%s: tool list %s: openclaw %s, clawlock has %zu names", label, got->key,
		       json_object_to_json_string(want), got->count);
	return !same;
}

/* Compare one case; returns the number of differences (logged). */
static int compare(struct __test_metadata *_metadata, struct json_object *want,
		   const struct oc_compiled *c, const char *label)
{
	const struct oc_sandbox *sb = &c->sb;
	struct json_object *mounts = oc_get(want, "sandbox.workspaceMounts");
	int diffs = 0;
	size_t n;

#define SAME(field, got)                                                                           \
	do {                                                                                       \
		if (strcmp(str(want, field), (got))) {                                             \
			TH_LOG("%s: %s: openclaw says %s, clawlock %s", label, field,              \
			       str(want, field), (got));                                           \
			diffs++;                                                                   \
		}                                                                                  \
	} while (0)

	SAME("sessionKey", sb->session_key);
	SAME("mainSessionKey", sb->main_session_key);
	SAME("sandbox.mode", oc_mode_name(sb->mode));
	SAME("sandbox.scope", oc_scope_name(sb->scope));
	SAME("sandbox.workspaceAccess", oc_access_name(sb->access));
	SAME("sandbox.sessionIsSandboxed", sb->sandboxed ? "true" : "false");
	SAME("sandbox.effectiveHostWorkspaceRoot",
	     sb->sandboxed ? sb->workspace_dir : sb->agent_workspace);
	SAME("sandbox.tools.sources.allow.source", c->tools_allow.source);
	SAME("sandbox.tools.sources.deny.source", c->tools_deny.source);
	SAME("sandbox.tools.sources.allow.key", c->tools_allow.key);
	SAME("sandbox.tools.sources.deny.key", c->tools_deny.key);
	diffs += same_list(_metadata, oc_get(want, "sandbox.tools.allow"), &c->tools_allow, label);
	diffs += same_list(_metadata, oc_get(want, "sandbox.tools.deny"), &c->tools_deny, label);
	SAME("elevated.enabled", c->elevated.enabled ? "true" : "false");
	SAME("elevated.allowedByConfig", c->elevated.allowed_by_config ? "true" : "false");
	SAME("elevated.alwaysAllowedByConfig",
	     c->elevated.always_allowed_by_config ? "true" : "false");
	SAME("elevated.channel", c->elevated.channel[0] ? c->elevated.channel : "(missing)");
	n = mounts ? json_object_array_length(mounts) : 0;
	if (n != sb->mount_count) {
		TH_LOG("%s: %zu mounts in openclaw, %zu in clawlock", label, n, sb->mount_count);
		diffs++;
	}
	for (size_t i = 0; i < n && i < sb->mount_count; i++) {
		struct json_object *m = json_object_array_get_idx(mounts, i);
		char got[4200], exp[4200];

		snprintf(exp, sizeof(exp), "%s -> %s %s", str(m, "hostRoot"),
			 str(m, "containerRoot"), str(m, "writable"));
		snprintf(got, sizeof(got), "%s -> %s %s", sb->mounts[i].host,
			 sb->mounts[i].container, sb->mounts[i].writable ? "true" : "false");
		if (strcmp(exp, got)) {
			TH_LOG("%s: mount %zu: openclaw %s, clawlock %s", label, i, exp, got);
			diffs++;
		}
	}
	return diffs;
}

FIXTURE(conformance)
{
	char home[64];
	char config[4096];
};

FIXTURE_VARIANT(conformance)
{
	const char *file;    /* an example under policies/examples, or */
	const char *text;    /* a config written here */
	const char *dotenv;  /* the state dir's .env */
	const char *session; /* one more session to compare */
};

FIXTURE_VARIANT_ADD(conformance, personal_host){
	.file = "personal-host.json5",
};
FIXTURE_VARIANT_ADD(conformance, family_list_era){
	.file = "family-list-era.json5",
};
FIXTURE_VARIANT_ADD(conformance, current_era_binds){
	.file = "current-era-binds.json5",
};
FIXTURE_VARIANT_ADD(conformance, non_main_sessions){
	.file = "non-main-sessions.json5",
};
FIXTURE_VARIANT_ADD(conformance, shared_scope){
	.file = "shared-scope.json5",
};
FIXTURE_VARIANT_ADD(conformance, hardened_baseline){
	.file = "hardened-baseline.json5",
};
FIXTURE_VARIANT_ADD(conformance, two_agents){
	.file = "two-agents.json5",
};
/* OpenClaw ignores session.mainKey: "home" is an ordinary, sandboxed session. */
FIXTURE_VARIANT_ADD(conformance, main_key_ignored){
	.text = "{ session: { mainKey: 'home' }, agents: { defaults: { sandbox: {"
		" mode: 'non-main' } } } }",
	.session = "home",
};
FIXTURE_VARIANT_ADD(conformance, also_allow_lifts_default_denies){
	.text = "{ tools: { sandbox: { tools: { alsoAllow: ['browser', 'group:nodes'] } } },"
		" agents: { defaults: { sandbox: { mode: 'all' } } } }",
};
FIXTURE_VARIANT_ADD(conformance, allow_gets_view_image_and_aliases){
	.text = "{ tools: { sandbox: { tools: { allow: ['group:fs', 'Bash', 'cron'] } } },"
		" agents: { defaults: { sandbox: { mode: 'all' } } } }",
};
FIXTURE_VARIANT_ADD(conformance, empty_allow_and_image_deny){
	.text = "{ tools: { sandbox: { tools: { allow: [], deny: ['image'] } } },"
		" agents: { defaults: { sandbox: { mode: 'all' } } } }",
};
FIXTURE_VARIANT_ADD(conformance, agent_also_allow_over_global_allow){
	.text = "{ tools: { sandbox: { tools: { allow: ['read'] } } }, agents: { ownership:"
		" 'explicit', defaults: { sandbox: { mode: 'all' } }, entries: { main: { tools:"
		" { sandbox: { tools: { alsoAllow: ['gateway'], deny: ['group:ui', 'gat*'] } } }"
		" }, b: { tools: { sandbox: { tools: { allow: ['group:runtime'],"
		" deny: ['image*'] } } } } } } }",
};
/* ${VAR} from the state dir's .env and from env.vars, before substitution. */
FIXTURE_VARIANT_ADD(conformance, env_from_dotenv_and_env_vars){
	.text = "{ env: { vars: { CL_CONF_BIND: '/srv/conf-bind' } }, agents: { defaults: {"
		" workspace: '${CL_CONF_WS}', sandbox: { mode: 'all', workspaceAccess: 'rw',"
		" docker: { binds: ['${CL_CONF_BIND}:/data:ro'] } } } },"
		" gateway: { auth: { token: '${CL_CONF_UNSET_TOKEN}' } } }",
	.dotenv = "CL_CONF_WS=/srv/conf-ws\n",
};

FIXTURE_SETUP(conformance)
{
	char path[4200];

	strcpy(self->home, "/tmp/cl-oc-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->home));
	snprintf(path, sizeof(path), "%s/.openclaw", self->home);
	ASSERT_EQ(0, mkdir(path, 0700));
	if (variant->dotenv) {
		snprintf(path, sizeof(path), "%s/.openclaw/.env", self->home);
		ASSERT_EQ(0, cl_unit_write(path, variant->dotenv));
	}
	if (variant->text) {
		snprintf(self->config, sizeof(self->config), "%s/openclaw.json5", self->home);
		ASSERT_EQ(0, cl_unit_write(self->config, variant->text));
		return;
	}
	snprintf(self->config, sizeof(self->config), "%s/policies/examples/%s",
		 getenv("CLAWLOCK_SOURCE") ? getenv("CLAWLOCK_SOURCE") : ".", variant->file);
	ASSERT_EQ(0, access(self->config, R_OK));
}

FIXTURE_TEARDOWN(conformance)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->home);
	system(cmd);
}

struct conf_case {
	char agent[65];
	char session[160];
	char out[256];
	pid_t pid;
};

static size_t plan_cases(const struct oc_config *cfg, const char *home, const char *extra,
			 struct conf_case *cases)
{
	const char *const sessions[] = { "", "agent:%s:telegram:group:42",
					 "agent:%s:whatsapp:direct:+15555550123", extra };
	char **ids;
	size_t count, n = 0;

	if (oc_agent_ids(cfg, &ids, &count) < 0)
		return 0;
	for (size_t a = 0; a < count; a++) {
		for (size_t s = 0; s < 3 + !!extra && n < MAX_CASES; s++, n++) {
			snprintf(cases[n].agent, sizeof(cases[n].agent), "%s", ids[a]);
			snprintf(cases[n].session, sizeof(cases[n].session), sessions[s], ids[a]);
			snprintf(cases[n].out, sizeof(cases[n].out), "%s/explain-%zu.json", home,
				 n);
		}
	}
	oc_agent_ids_free(ids, count);
	return n;
}

/* Compare one case's answer from OpenClaw with clawlock's compile; the differences. */
static int compare_case(struct __test_metadata *_metadata, const char *config,
			const struct oc_config *cfg, const struct conf_case *one)
{
	struct json_object *want;
	struct oc_compiled c;
	char label[4600], err[2048];
	int diffs;

	snprintf(label, sizeof(label), "%s --agent %s --session '%s'", config, one->agent,
		 one->session);
	wait_for(one->pid);
	want = read_json(one->out);
	ASSERT_NE(NULL, want)
	{
		TH_LOG("%s: openclaw printed no JSON (see %s)", label, one->out);
	}
	ASSERT_EQ(0, oc_compile(cfg, NULL, one->agent, one->session[0] ? one->session : NULL, &c,
				err, sizeof(err)))
	{
		TH_LOG("%s: %s", label, err);
	}
	diffs = compare(_metadata, want, &c, label);
	oc_compiled_free(&c);
	json_object_put(want);
	return diffs;
}

TEST_F_TIMEOUT(conformance, agrees_with_openclaw, 900)
{
	struct conf_case cases[MAX_CASES];
	struct oc_config cfg;
	char err[2048], validate_out[256];
	size_t n;
	pid_t validate;
	int diffs = 0;

	if (!openclaw_fetch()[0])
		SKIP(return,
			   "the real OpenClaw cannot be installed here (npm or registry missing)");
	setenv("HOME", self->home, 1);
	setenv("OPENCLAW_CONFIG_PATH", self->config, 1);
	unsetenv("OPENCLAW_STATE_DIR");
	unsetenv("OPENCLAW_HOME");
	unsetenv("OPENCLAW_PROFILE");
	ASSERT_EQ(0, oc_config_load(NULL, &cfg, err, sizeof(err)))
	{
		TH_LOG("%s", err);
	}
	n = plan_cases(&cfg, self->home, variant->session, cases);
	ASSERT_LT(0, n);

	/* The oracle is slow to start: run all of this config's questions at once. */
	snprintf(validate_out, sizeof(validate_out), "%s/validate.out", self->home);
	validate = start_oracle(self->home, self->config, validate_out,
				(char *[]){ "config", "validate", NULL });
	for (size_t i = 0; i < n; i++) {
		char *args[] = { "sandbox",	   "explain",
				 "--agent",	   cases[i].agent,
				 "--json",	   cases[i].session[0] ? "--session" : NULL,
				 cases[i].session, NULL };

		cases[i].pid = start_oracle(self->home, self->config, cases[i].out, args);
	}
	EXPECT_EQ(0, wait_for(validate))
	{
		TH_LOG("openclaw config validate rejected %s", self->config);
	}
	for (size_t i = 0; i < n; i++)
		diffs += compare_case(_metadata, self->config, &cfg, &cases[i]);
	EXPECT_EQ(0, diffs);
	TH_LOG("%s: %zu agent/session cases compared", self->config, n);
	oc_config_free(&cfg);
	LEAK_CHECK();
}

/* What OpenClaw's `config validate` refuses, clawlock refuses, at file:line:column. */
FIXTURE(refusal)
{
	char home[64];
	char config[4200];
};

FIXTURE_VARIANT(refusal)
{
	const char *text;
	int valid; /* 1: OpenClaw (and so clawlock) accepts it */
};

#define REFUSED(name, config)                                                                      \
	FIXTURE_VARIANT_ADD(refusal, name)                                                         \
	{                                                                                          \
		.text = config,                                                                    \
	}
REFUSED(network_host, "{ agents: { defaults: { sandbox: { docker: { network: 'host' } } } } }");
REFUSED(network_container,
	"{ agents: { defaults: { sandbox: { docker: { network: 'container:db' } } } } }");
REFUSED(seccomp_unconfined,
	"{ agents: { defaults: { sandbox: { docker: { seccompProfile: 'unconfined' } } } } }");
REFUSED(apparmor_unconfined,
	"{ agents: { defaults: { sandbox: { docker: { apparmorProfile: 'unconfined' } } } } }");
REFUSED(allow_with_also_allow,
	"{ tools: { sandbox: { tools: { allow: ['read'], alsoAllow: ['exec'] } } } }");
REFUSED(allow_with_also_allow_top, "{ tools: { allow: ['read'], alsoAllow: ['exec'] } }");
REFUSED(network_at_the_wrong_level,
	"{ agents: { defaults: { sandbox: { mode: 'all', network: 'bridge' } } } }");
REFUSED(invalid_agent_id, "{ agents: { ownership: 'explicit', entries: { 'Bad Id!': {} } } }");
REFUSED(per_session, "{ agents: { defaults: { sandbox: { mode: 'all', perSession: true } } } }");
REFUSED(unknown_workspace_access,
	"{ agents: { defaults: { sandbox: { workspaceAccess: 'rx' } } } }");
REFUSED(unknown_mode, "{ agents: { defaults: { sandbox: { mode: 'some' } } } }");
REFUSED(unknown_scope, "{ agents: { defaults: { sandbox: { scope: 'user' } } } }");
REFUSED(unknown_docker_key, "{ agents: { defaults: { sandbox: { docker: { foo: 1 } } } } }");
REFUSED(relative_bind,
	"{ agents: { defaults: { sandbox: { docker: { binds: ['data:/data'] } } } } }");
FIXTURE_VARIANT_ADD(refusal, mixed_case_id){
	.text = "{ agents: { ownership: 'explicit', entries: { Coder: {} } } }",
	.valid = 1,
};
FIXTURE_VARIANT_ADD(refusal, namespace_join_allowed){
	.text = "{ agents: { defaults: { sandbox: { docker: { network: 'container:db',"
		" dangerouslyAllowContainerNamespaceJoin: true } } } } }",
	.valid = 1,
};
FIXTURE_VARIANT_ADD(refusal, unset_token_is_a_warning){
	.text = "{ gateway: { auth: { token: '${CL_CONF_NOT_SET}' } } }",
	.valid = 1,
};

FIXTURE_SETUP(refusal)
{
	strcpy(self->home, "/tmp/cl-oc-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->home));
	snprintf(self->config, sizeof(self->config), "%s/openclaw.json5", self->home);
	ASSERT_EQ(0, cl_unit_write(self->config, variant->text));
}

FIXTURE_TEARDOWN(refusal)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->home);
	system(cmd);
}

TEST_F_TIMEOUT(refusal, as_openclaw_validate, 300)
{
	char out[4300], err[2048];
	struct oc_config cfg;
	int ours;

	if (!openclaw_fetch()[0])
		SKIP(return, "the real OpenClaw cannot be installed here");
	snprintf(out, sizeof(out), "%s/validate.out", self->home);
	EXPECT_EQ(variant->valid,
		  wait_for(start_oracle(self->home, self->config, out,
					(char *[]){ "config", "validate", NULL })) == 0)
	{
		TH_LOG("openclaw config validate %s it", variant->valid ? "refused" : "accepted");
	}
	setenv("HOME", self->home, 1);
	unsetenv("OPENCLAW_STATE_DIR");
	unsetenv("OPENCLAW_HOME");
	ours = oc_config_load(self->config, &cfg, err, sizeof(err));
	EXPECT_EQ(variant->valid, ours == 0)
	{
		TH_LOG("clawlock: %s", ours ? err : "accepted");
	}
	if (ours == 0) {
		oc_config_free(&cfg);
	} else {
		/* "FILE:LINE:COL: key: reason" */
		char want[4300];

		snprintf(want, sizeof(want), "%s:1:", self->config);
		EXPECT_EQ(0, strncmp(err, want, strlen(want)))
		{
			TH_LOG("no position: %s", err);
		}
	}
	LEAK_CHECK();
}

/* The sandbox and tool checks of `openclaw security audit`, by checkId and severity. */
static const char *const mirrored[] = {
	"config.insecure_or_dangerous_flags",
	"tools.elevated.allowFrom.",
	"security.exposure.open_groups_with_elevated",
	"security.exposure.open_groups_with_runtime_or_fs",
	"security.exposure.open_groups_with_control_plane_tools",
	"security.exposure.open_channels_with_exec",
	"tools.exec.security_full_configured",
	"tools.exec.fs_tools_disabled_but_exec_enabled",
	"sandbox.dangerous_bind_mount",
	NULL,
};

/* "id=severity;" for each mirrored finding of @doc, in a stable order. */
static void findings(struct json_object *doc, char *out, size_t size)
{
	struct json_object *list = oc_get(doc, "findings");

	out[0] = '\0';
	for (size_t m = 0; mirrored[m]; m++) {
		for (size_t i = 0; list && i < json_object_array_length(list); i++) {
			struct json_object *f = json_object_array_get_idx(list, i);
			char one[300];

			if (strncmp(str(f, "checkId"), mirrored[m], strlen(mirrored[m])))
				continue;
			snprintf(one, sizeof(one), "%s=%s;", str(f, "checkId"), str(f, "severity"));
			if (!strstr(out, one) && strlen(out) + strlen(one) < size)
				strcat(out, one);
		}
	}
}

static struct json_object *clawlock_audit(const char *config)
{
	char args[4300];

	snprintf(args, sizeof(args), "audit --json --openclaw '%s'", config);
	return cl_unit_clawlock_json(args, NULL);
}

FIXTURE(audit)
{
	char home[64];
	char config[4200];
};

FIXTURE_VARIANT(audit)
{
	const char *text;
};

FIXTURE_VARIANT_ADD(audit, sandboxed_with_wildcards_and_a_socket){
	.text = "{ tools: { elevated: { allowFrom: { webchat: ['*'], telegram: ['*', 'x'] } } },"
		" channels: { telegram: { groupPolicy: 'open', botToken: 'x' } },"
		" agents: { ownership: 'explicit', defaults: { sandbox: { mode: 'all', docker: {"
		" binds: ['/var/run/docker.sock:/var/run/docker.sock'],"
		" dangerouslyAllowExternalBindSources: true } } },"
		" entries: { main: { tools: { deny: ['read', 'write', 'edit', 'apply_patch'] } },"
		" ops: { tools: { deny: ['group:fs'] } } } } }",
};
FIXTURE_VARIANT_ADD(audit, open_channels_exec_and_file_tools_off){
	.text = "{ tools: { elevated: { enabled: false }, fs: { workspaceOnly: false } },"
		" channels: { telegram: { groupPolicy: 'open', dmPolicy: 'open',"
		" allowFrom: ['*'], botToken: 'x' } }, hooks: { allowRequestSessionKey: true },"
		" agents: { ownership: 'explicit', defaults: { sandbox: { mode: 'non-main' } },"
		" entries: { main: { tools: { deny: ['write', 'edit', 'apply_patch'] } },"
		" ops: { tools: { exec: { security: 'full' } } },"
		" chat: { tools: { profile: 'messaging' } } } } }",
};
FIXTURE_VARIANT_ADD(audit, exec_full_without_channels){
	.text = "{ tools: { exec: { security: 'full' } }, agents: { defaults: { sandbox: {"
		" mode: 'non-main' } } } }",
};
/* Unset exec security is "deny" to OpenClaw's audit: nothing to report. */
FIXTURE_VARIANT_ADD(audit, exec_security_unset){
	.text = "{ agents: { defaults: { sandbox: { mode: 'off' } } } }",
};

FIXTURE_SETUP(audit)
{
	strcpy(self->home, "/tmp/cl-oc-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->home));
	snprintf(self->config, sizeof(self->config), "%s/openclaw.json5", self->home);
	ASSERT_EQ(0, cl_unit_write(self->config, variant->text));
	ASSERT_EQ(0, chmod(self->config, 0600));
}

FIXTURE_TEARDOWN(audit)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->home);
	system(cmd);
}

TEST_F_TIMEOUT(audit, finds_what_openclaw_finds, 300)
{
	static char want[4096], got[4096];
	struct json_object *theirs, *ours;
	char out[4300];

	if (!openclaw_fetch()[0])
		SKIP(return, "the real OpenClaw cannot be installed here");
	snprintf(out, sizeof(out), "%s/audit.out", self->home);
	wait_for(start_oracle(self->home, self->config, out,
			      (char *[]){ "security", "audit", "--json", NULL }));
	theirs = read_json(out);
	ASSERT_NE(NULL, theirs)
	{
		TH_LOG("openclaw security audit printed no JSON (see %s)", out);
	}
	setenv("HOME", self->home, 1);
	ours = clawlock_audit(self->config);
	ASSERT_NE(NULL, ours);
	findings(theirs, want, sizeof(want));
	findings(ours, got, sizeof(got));
	EXPECT_STREQ(want, got);
	json_object_put(theirs);
	json_object_put(ours);
}

TEST_HARNESS_MAIN
