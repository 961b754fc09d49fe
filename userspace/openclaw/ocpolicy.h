/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ocpolicy.h - compile the sandbox OpenClaw promises one agent and session
 * into clawlock's policy model (design §5): file rules with provenance, the
 * network mode, the capability mask, the exec switch and resource limits.
 * Also the effective sandbox tool policy that decides the exec switch.
 */
#ifndef CLAWLOCK_OCPOLICY_H
#define CLAWLOCK_OCPOLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "openclaw/ocsandbox.h"
#include "policy/policy.h"

#define OC_MAX_TOOLS 96
#define OC_MAX_NOTES 16

struct oc_tool_list {
	char *names[OC_MAX_TOOLS];
	size_t count;
	const char *source;    /* agent, global, default */
	char key[OC_KEY_MAX];  /* as `openclaw sandbox explain` reports it */
	char path[OC_KEY_MAX]; /* the key in this config ("default ..." when none) */
};

/* The gates of elevated exec for one session, as `openclaw sandbox explain` has them. */
struct oc_elevated {
	bool enabled;
	char channel[32]; /* inferred from the session key; "" if none */
	bool allowed_by_config;
	bool always_allowed_by_config;
	char failures[4][OC_KEY_MAX]; /* "gate key" */
	size_t failure_count;
};

/* Host exec approvals: tools.exec.mode (new) or security/ask (old). */
struct oc_host_exec {
	const char *security; /* deny, allowlist, full */
	const char *ask;      /* off, on-miss, always */
	char key[OC_KEY_MAX];
};

struct oc_compiled {
	struct oc_sandbox sb;
	bool confined;			 /* false: this session runs on the host, unconfined */
	struct cl_agent policy;		 /* id is "<agent>", files are the rules */
	struct oc_tool_list tools_allow; /* the sandbox tool policy */
	struct oc_tool_list tools_deny;
	bool exec_allowed; /* false: no exec beyond the first program */
	char exec_key[OC_KEY_MAX];
	bool writes_allowed;
	char writes_key[OC_KEY_MAX];
	uint64_t cap_drop_mask; /* bit n: capability n is denied */
	struct oc_elevated elevated;
	struct oc_host_exec host_exec;
	char *notes[OC_MAX_NOTES]; /* what was not translated, and why */
	size_t note_count;
};

/*
 * Compile @agent/@session of @cfg. @baseline holds the "system" and
 * "secrets" profiles (policies/baseline.json5); NULL compiles without them.
 * Returns 0, or -1 with the reason (a key path) in @err.
 */
int oc_compile(const struct oc_config *cfg, const struct cl_policy *baseline, const char *agent,
	       const char *session, struct oc_compiled *out, char *err, size_t errsize);
void oc_compiled_free(struct oc_compiled *c);

/*
 * The homes a sandbox's paths may derive from: HOME first, then OpenClaw's
 * ~ (OPENCLAW_HOME) and the owners' homes of its workspaces, each once.
 * @homes has room for 6; free with oc_homes_free.
 */
/*
 * For the audit, per OpenClaw context (@agent, or NULL for agents.defaults):
 * whether its configured tool policies allow @tool, whether exec is kept
 * inside a sandbox that cannot write the workspace, and the host exec
 * security (deny when unset, as OpenClaw's audit has it).
 */
bool oc_context_allows(const struct oc_config *cfg, const char *agent, const char *tool);
bool oc_context_exec_contained(const struct oc_config *cfg, const char *agent);
enum oc_mode oc_context_mode(const struct oc_config *cfg, const char *agent);
const char *oc_exec_security(const struct oc_config *cfg, const char *agent);

size_t oc_homes(const struct oc_config *cfg, const struct oc_sandbox *sb, char **homes);
void oc_homes_free(char **homes, size_t n);

#endif /* CLAWLOCK_OCPOLICY_H */
