/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ocsandbox.h - the sandbox OpenClaw 2026.9.6 gives one agent and session:
 * mode, scope, workspace access, directories, scope key and slug, mounts,
 * and the docker settings clawlock translates. Every value carries the
 * config key it came from ("default" when no key set it).
 */
#ifndef CLAWLOCK_OCSANDBOX_H
#define CLAWLOCK_OCSANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "openclaw/openclaw.h"

#define OC_KEY_MAX    192
#define OC_MAX_MOUNTS 64
#define OC_MAX_LIST   64

enum oc_mode {
	OC_MODE_OFF,
	OC_MODE_NON_MAIN,
	OC_MODE_ALL
};
enum oc_scope {
	OC_SCOPE_SESSION,
	OC_SCOPE_AGENT,
	OC_SCOPE_SHARED
};
enum oc_access {
	OC_ACCESS_NONE,
	OC_ACCESS_RO,
	OC_ACCESS_RW
};

struct oc_mount {
	char *host; /* absolute, normalised */
	char *container;
	bool writable;
	const char *source;   /* workspace, agent, protectedSkill, bind */
	char key[OC_KEY_MAX]; /* the config key behind it */
};

/* A list setting (tmpfs, capDrop) with the key that set it. */
struct oc_list {
	char *items[OC_MAX_LIST];
	size_t count;
	char key[OC_KEY_MAX];
};

struct oc_sandbox {
	char agent_id[65];
	char *session_key;
	char *main_session_key;
	bool sandboxed;

	enum oc_mode mode;
	char mode_key[OC_KEY_MAX];
	enum oc_scope scope;
	char scope_src[OC_KEY_MAX];
	enum oc_access access;
	char access_key[OC_KEY_MAX];
	char *backend;

	char *workspace_root;
	char *agent_workspace;
	char *sandbox_dir;
	char *workspace_dir; /* what /workspace shows: agent workspace for rw */
	char *scope_key;     /* workspace-qualified, as OpenClaw's registry has it */
	char slug[48];	     /* names the scope's cgroup */

	char *workdir;
	bool read_only_root;
	char read_only_root_key[OC_KEY_MAX];
	char *network;
	char network_key[OC_KEY_MAX];
	struct oc_list cap_drop;
	struct oc_list tmpfs; /* the paths; the options of each below */
	struct oc_tmpfs_opts tmpfs_opts[OC_MAX_LIST];
	long long pids_limit;		   /* 0: unset */
	char *memory, *memory_swap, *cpus; /* as written; NULL: unset */
	char limits_key[OC_KEY_MAX];
	char *seccomp_profile, *apparmor_profile;
	struct oc_list env_names;    /* docker.env, merged; names only: values may be secrets */
	struct json_object *ulimits; /* docker.ulimits, merged (agent over global) */

	struct oc_mount mounts[OC_MAX_MOUNTS];
	size_t mount_count;
};

/* The configured agent ids, as OpenClaw lists them (the implicit "main" without a roster). */
int oc_agent_ids(const struct oc_config *cfg, char ***ids, size_t *count);
void oc_agent_ids_free(char **ids, size_t count);
/* Is @id (normalised) one of them? Constant time: the roster is indexed once. */
bool oc_has_agent(const struct oc_config *cfg, const char *id);

/*
 * Resolve agent @agent's sandbox for @session (NULL: its main session;
 * "main" or another short name: agent:<id>:<name>), as `openclaw sandbox
 * explain --agent A --session S` does. Returns 0, or -1 with a reason.
 */
int oc_resolve(const struct oc_config *cfg, const char *agent, const char *session,
	       struct oc_sandbox *sb, char *err, size_t errsize);
void oc_sandbox_free(struct oc_sandbox *sb);
/*
 * Make the scope's sandbox dir (what /workspace shows unless access is rw),
 * as OpenClaw does on first use; rules name it. 0, or -1 after saying why.
 */
int oc_ensure_sandbox_dir(const struct oc_sandbox *sb);

const char *oc_mode_name(enum oc_mode mode);
const char *oc_scope_name(enum oc_scope scope);
const char *oc_access_name(enum oc_access access);

/* The roster entry of agent @id (normalised), with its key path; NULL if none. */
struct json_object *oc_agent_entry(const struct oc_config *cfg, const char *id, char *key,
				   size_t keysize);

/* OpenClaw's normalizeAgentId; false if nothing representable is left. */
bool oc_normalize_agent_id(const char *in, char out[65]);

#endif /* CLAWLOCK_OCSANDBOX_H */
