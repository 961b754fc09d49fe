/* SPDX-License-Identifier: GPL-2.0 */
/*
 * openclaw.h - reading the user's openclaw.json as OpenClaw 2026.9.6 does:
 * where it lives, $include, ${VAR} substitution, both schema eras; and
 * resolving, per agent and session, the sandbox OpenClaw promises.
 */
#ifndef CLAWLOCK_OPENCLAW_H
#define CLAWLOCK_OPENCLAW_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

/* As OpenClaw: at most 10 nested includes. */
#define OC_MAX_INCLUDE_DEPTH 10
#define OC_MAX_FILES	     256

/* Users whose home one config's sandboxes asked for: 8 read from passwd once. */
#define OC_OWNER_HOMES 8

struct oc_owner_home {
	uid_t uid;
	char *home; /* normalised, or NULL: the user has none */
};

struct oc_config {
	struct json_object *root;  /* after $include and ${VAR}; an object */
	char *path;		   /* the config file */
	bool exists;		   /* false: OpenClaw's defaults apply */
	char *home;		   /* OPENCLAW_HOME, else HOME */
	char *state_dir;	   /* OPENCLAW_STATE_DIR, else ~/.openclaw[-profile] */
	char *files[OC_MAX_FILES]; /* file id -> path, for positions */
	size_t file_count;
	char **warnings; /* unknown keys and the like: reported, not fatal */
	size_t warning_count;
	struct oc_roster *roster; /* the agents, indexed on first use (ocsandbox.c) */
	/* Workspace owners' homes, read on first use (ocpolicy.c): a cache. */
	struct oc_owner_home owner_homes[OC_OWNER_HOMES];
	size_t owner_home_count;
};

struct oc_roster;
void oc_roster_free(struct oc_roster *roster);

/*
 * Read the config: @path if given, else $OPENCLAW_CONFIG_PATH, else
 * <state dir>/openclaw.json. Returns 0, or -1 with "file:line:col: reason"
 * (or a key path) in @err. Never puts a config value into @err.
 */
int oc_config_load(const char *path, struct oc_config *cfg, char *err, size_t errsize);
void oc_config_free(struct oc_config *cfg);

/*
 * Check the sandbox values that become limits and capabilities (mode,
 * docker.pidsLimit, memory, memorySwap, cpus, capDrop, tmpfs) in every sandbox
 * block: 0, or -1 with "file:line:col: reason" in @err. oc_config_load
 * calls it.
 */
int oc_check_values(const struct oc_config *cfg, char *err, size_t errsize);
/* docker.pidsLimit as OpenClaw's schema takes it: a safe integer >= 1 (256.0 too). */
bool oc_pids_limit(struct json_object *value, long long *out);

/* The largest docker.tmpfs size= taken: more is no limit, only a typo. */
#define OC_TMPFS_SIZE_MAX (1ULL << 40)

/* What clawlock holds of a docker.tmpfs entry's options (Docker's --tmpfs PATH:OPTIONS). */
struct oc_tmpfs_opts {
	unsigned long long size; /* size=, in bytes; 0: none given */
	bool read_only;		 /* ro (rw is the default) */
	bool no_exec;		 /* noexec */
};

/*
 * Read docker.tmpfs entry @entry, "PATH[:OPTIONS]": the length of PATH in
 * *@pathlen and the options in @o. 0, or -1 with the reason in @err: a
 * path that is not absolute, a size= that is not a size (abc, -1, 0, 50%,
 * more than OC_TMPFS_SIZE_MAX), or an option clawlock does not know.
 */
int oc_tmpfs_parse(const char *entry, size_t *pathlen, struct oc_tmpfs_opts *o, char *err,
		   size_t errsize);

/* "file:line:col" of a value from the config, or "file" when unknown. */
const char *oc_where(const struct oc_config *cfg, struct json_object *value, char *buf,
		     size_t size);

/*
 * "file:line:col: reason" of @at into @err, the reason from @fmt; -1, so
 * that a check can return it.
 */
int oc_vfail(const struct oc_config *cfg, struct json_object *at, char *err, size_t errsize,
	     const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* The object at a dotted path ("agents.defaults.sandbox"), or NULL. */
struct json_object *oc_get(struct json_object *obj, const char *dotted);
/* A string member, or NULL when absent or not a string. */
const char *oc_get_string(struct json_object *obj, const char *key);

/*
 * @s without leading and trailing white space, lower-cased if @lower
 * (OpenClaw's normalizeLowercaseStringOrEmpty), cut to fit @size.
 */
void oc_trim_copy(const char *s, bool lower, char *out, size_t size);

/* Lexically normalise @path (no ".", "..", repeated or trailing slashes). */
char *oc_path_normalize(const char *path);

/* OpenClaw's resolveUserPath: ~ is the config's home, relative is from the cwd. */
char *oc_user_path(const struct oc_config *cfg, const char *path);

#endif /* CLAWLOCK_OPENCLAW_H */
