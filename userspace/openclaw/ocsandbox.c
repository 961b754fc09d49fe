// SPDX-License-Identifier: GPL-2.0
/*
 * ocsandbox.c - resolve the sandbox of one agent and session exactly as
 * OpenClaw 2026.9.6 does (src/agents/sandbox/config.ts, shared.ts,
 * workspace-mounts.ts, runtime-status.ts, src/agents/agent-scope-config.ts,
 * src/commands/sandbox-explain.ts). The conformance test compares the
 * result with `openclaw sandbox explain --json` itself.
 */
#include "openclaw/ocsandbox.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openclaw/ocscope.h"
#include "policy/json5.h"
#include "util.h"

const char *oc_mode_name(enum oc_mode mode)
{
	return mode == OC_MODE_ALL ? "all" : mode == OC_MODE_NON_MAIN ? "non-main" : "off";
}

const char *oc_scope_name(enum oc_scope scope)
{
	return scope == OC_SCOPE_SESSION  ? "session"
	       : scope == OC_SCOPE_SHARED ? "shared"
					  : "agent";
}

const char *oc_access_name(enum oc_access access)
{
	return access == OC_ACCESS_RW ? "rw" : access == OC_ACCESS_RO ? "ro" : "none";
}

/* A copy without leading and trailing white space (String.prototype.trim). */
static char *trimmed(const char *s)
{
	size_t len;

	while (*s && isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return strndup(s, len);
}

bool oc_normalize_agent_id(const char *in, char out[65])
{
	char *t = trimmed(in ? in : "");
	size_t n = 0, len;
	bool valid, dash = false;

	if (!t)
		return false;
	len = strlen(t);
	/* /^[a-z0-9][a-z0-9_-]{0,63}$/i: just lower-case it. */
	valid = len && len <= 64 && isalnum((unsigned char)t[0]);
	for (size_t i = 0; valid && i < len; i++)
		valid = isalnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '-';
	for (size_t i = 0; i < len && n < 64; i++) {
		char c = (char)tolower((unsigned char)t[i]);
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';

		if (valid || ok) {
			out[n++] = c;
			dash = false;
		} else if (!dash) {
			out[n++] = '-';
			dash = true;
		}
	}
	out[n] = '\0';
	free(t);
	if (!valid) {
		/* Invalid characters became dashes; leading and trailing ones go. */
		size_t start = strspn(out, "-");

		memmove(out, out + start, n - start + 1);
		n -= start;
		while (n && out[n - 1] == '-')
			out[--n] = '\0';
	}
	return n > 0;
}

/* The roster: agents.entries (wins when present), else agents.list. */
struct roster {
	struct json_object *entries;
	struct json_object *list;
};

static struct roster read_roster(struct json_object *root)
{
	struct json_object *agents = oc_get(root, "agents");
	struct roster r = { 0 };

	if (!json_object_is_type(agents, json_type_object))
		return r;
	if (json_object_object_get_ex(agents, "entries", &r.entries))
		return r;
	json_object_object_get_ex(agents, "list", &r.list);
	return r;
}

static bool has_roster(struct json_object *root)
{
	struct json_object *agents = oc_get(root, "agents");

	return json_object_is_type(agents, json_type_object) &&
	       (json_object_object_get_ex(agents, "entries", NULL) ||
		json_object_object_get_ex(agents, "list", NULL));
}

/*
 * The roster indexed once per config, so that resolving each of N agents
 * costs the same whatever N is (it once scanned the roster several times
 * per agent: 10,000 agents did not compile in 300 s).
 */
struct roster_entry {
	struct json_object *entry;
	const char *name; /* agents.entries key, or NULL for agents.list[list_index] */
	size_t list_index;
};

struct oc_roster {
	struct json_object *root; /* the config root it indexes */
	char **ids;		  /* oc_agent_ids, in roster order */
	size_t count;
	struct cl_name_index id_index;	  /* id -> position in ids */
	struct roster_entry *entries;	  /* the first entry of each valid id */
	struct cl_name_index entry_index; /* id -> position in entries */
	size_t entry_count;
	bool has_owner; /* legacy_owner's answer */
	char owner[65];
};

void oc_roster_free(struct oc_roster *r)
{
	if (!r)
		return;
	oc_agent_ids_free(r->ids, r->count);
	cl_name_index_free(&r->id_index);
	cl_name_index_free(&r->entry_index);
	free(r->entries);
	free(r);
}

static int push_id(struct oc_roster *r, const char *id)
{
	char **grown;

	if (cl_name_index_get(&r->id_index, id) >= 0)
		return 0;
	grown = realloc(r->ids, (r->count + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	r->ids = grown;
	grown[r->count] = strdup(id);
	if (!grown[r->count] || cl_name_index_put(&r->id_index, id, r->count) < 0) {
		free(grown[r->count]);
		return -1;
	}
	r->count++;
	return 0;
}

/* One roster item: its id (invalid ones count as "main"), and its entry if valid. */
static int add_member(struct oc_roster *r, struct json_object *entry, const char *raw,
		      const char *name, size_t list_index)
{
	struct roster_entry *grown;
	char norm[65];
	bool valid;

	if (!json_object_is_type(entry, json_type_object))
		return 0;
	valid = oc_normalize_agent_id(raw, norm);
	if (push_id(r, valid ? norm : "main") < 0)
		return -1;
	if (!valid || cl_name_index_get(&r->entry_index, norm) >= 0)
		return 0;
	grown = realloc(r->entries, (r->entry_count + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	r->entries = grown;
	grown[r->entry_count] = (struct roster_entry){ entry, name, list_index };
	if (cl_name_index_put(&r->entry_index, norm, r->entry_count) < 0)
		return -1;
	r->entry_count++;
	return 0;
}

static int index_roster(struct oc_roster *r, struct json_object *root)
{
	struct roster roster = read_roster(root);

	if (json_object_is_type(roster.entries, json_type_object)) {
		json_object_object_foreach (roster.entries, name, entry) {
			if (add_member(r, entry, name, name, 0) < 0)
				return -1;
		}
	} else if (json_object_is_type(roster.list, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(roster.list); i++) {
			struct json_object *entry = json_object_array_get_idx(roster.list, i);

			if (add_member(r, entry, oc_get_string(entry, "id"), NULL, i) < 0)
				return -1;
		}
	}
	if (!r->count && !has_roster(root))
		return push_id(r, "main");
	return 0;
}

static bool find_legacy_owner(const struct oc_config *cfg, const struct oc_roster *r, char out[65]);

/* The index of @cfg, built on first use (a cache: the config itself is read-only). */
static struct oc_roster *roster_of(const struct oc_config *cfg)
{
	struct oc_config *cache = (struct oc_config *)cfg;
	struct oc_roster *r = cfg->roster;

	if (r && r->root == cfg->root)
		return r;
	oc_roster_free(r);
	cache->roster = NULL;
	r = calloc(1, sizeof(*r));
	if (!r || index_roster(r, cfg->root) < 0) {
		oc_roster_free(r);
		return NULL;
	}
	r->root = cfg->root;
	r->has_owner = find_legacy_owner(cfg, r, r->owner);
	cache->roster = r;
	return r;
}

/* The roster entry of agent @id (normalised) and its key path. */
struct json_object *oc_agent_entry(const struct oc_config *cfg, const char *id, char *key,
				   size_t keysize)
{
	struct oc_roster *r = roster_of(cfg);
	struct roster_entry *e;
	long pos = r ? cl_name_index_get(&r->entry_index, id) : -1;

	if (pos < 0)
		return NULL;
	e = &r->entries[pos];
	if (e->name)
		cl_format(key, keysize, "agents.entries.%s", e->name);
	else
		cl_format(key, keysize, "agents.list[%zu]", e->list_index);
	return e->entry;
}

int oc_agent_ids(const struct oc_config *cfg, char ***ids, size_t *count)
{
	struct oc_roster *r = roster_of(cfg);

	*ids = NULL;
	*count = 0;
	if (!r)
		return -1;
	*ids = calloc(r->count + 1, sizeof(**ids));
	if (!*ids)
		return -1;
	for (size_t i = 0; i < r->count; i++) {
		(*ids)[i] = strdup(r->ids[i]);
		if (!(*ids)[i])
			return -1;
		(*count)++;
	}
	return 0;
}

bool oc_has_agent(const struct oc_config *cfg, const char *id)
{
	struct oc_roster *r = roster_of(cfg);

	return r && cl_name_index_get(&r->id_index, id) >= 0;
}

void oc_agent_ids_free(char **ids, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(ids[i]);
	free(ids);
}

/* The agent that owns legacy data: one default:true entry, else a sole agent. */
static bool find_legacy_owner(const struct oc_config *cfg, const struct oc_roster *idx,
			      char out[65])
{
	struct roster r = read_roster(cfg->root);
	const char *ownership = oc_get_string(oc_get(cfg->root, "agents"), "ownership");
	size_t marked = 0;

	if (!(ownership && !strcmp(ownership, "explicit")) &&
	    json_object_is_type(r.list, json_type_array) && !r.entries) {
		for (size_t i = 0; i < json_object_array_length(r.list); i++) {
			struct json_object *e = json_object_array_get_idx(r.list, i), *d;

			if (json_object_object_get_ex(e, "default", &d) &&
			    json_object_is_type(d, json_type_boolean) &&
			    json_object_get_boolean(d) &&
			    oc_normalize_agent_id(oc_get_string(e, "id"), out))
				marked++;
		}
		if (marked == 1)
			return true;
	}
	if (!(ownership && !strcmp(ownership, "explicit")) &&
	    json_object_is_type(r.entries, json_type_object)) {
		json_object_object_foreach (r.entries, name, e) {
			struct json_object *d;

			if (json_object_object_get_ex(e, "default", &d) &&
			    json_object_is_type(d, json_type_boolean) &&
			    json_object_get_boolean(d) && oc_normalize_agent_id(name, out))
				marked++;
		}
		if (marked == 1)
			return true;
	}
	if (idx->count == 1) {
		cl_format(out, 65, "%s", idx->ids[0]);
		return true;
	}
	return false;
}

static bool legacy_owner(const struct oc_config *cfg, char out[65])
{
	struct oc_roster *r = roster_of(cfg);

	if (!r || !r->has_owner)
		return false;
	cl_format(out, 65, "%s", r->owner);
	return true;
}

static char *default_workspace(const struct oc_config *cfg)
{
	const char *ws = getenv("OPENCLAW_WORKSPACE_DIR"), *state = getenv("OPENCLAW_STATE_DIR");
	const char *profile = getenv("OPENCLAW_PROFILE");
	char *out = NULL;

	if (ws && *ws)
		return oc_user_path(cfg, ws);
	if ((state && *state) || (profile && *profile && strcasecmp(profile, "default"))) {
		if (asprintf(&out, "%s/workspace", cfg->state_dir) < 0)
			return NULL;
		return out;
	}
	if (asprintf(&out, "%s/.openclaw/workspace", cfg->home) < 0)
		return NULL;
	return out;
}

/* resolveAgentWorkspaceDir. */
static char *agent_workspace(const struct oc_config *cfg, const char *id, struct json_object *entry)
{
	const char *configured = oc_get_string(entry, "workspace");
	const char *fallback = oc_get_string(oc_get(cfg->root, "agents.defaults"), "workspace");
	char owner[65], *base, *out = NULL;

	if (configured && configured[strspn(configured, " \t")])
		return oc_user_path(cfg, configured);
	if (fallback && !fallback[strspn(fallback, " \t")])
		fallback = NULL;
	if (legacy_owner(cfg, owner) && !strcmp(owner, id))
		return fallback ? oc_user_path(cfg, fallback) : default_workspace(cfg);
	if (fallback) {
		base = oc_user_path(cfg, fallback);
		if (base && asprintf(&out, "%s%s%s", base, strcmp(base, "/") ? "/" : "", id) < 0)
			out = NULL;
		free(base);
		return out;
	}
	if (asprintf(&out, "%s/workspace-%s", cfg->state_dir, id) < 0)
		return NULL;
	return out;
}

/* One sandbox setting: the agent's, else the global one; @key says which. */
static struct json_object *pick(struct json_object *agent_sb, const char *agent_key,
				struct json_object *global_sb, const char *path, char *key)
{
	struct json_object *v = oc_get(agent_sb, path);

	if (v) {
		cl_format(key, OC_KEY_MAX, "%s.sandbox.%s", agent_key, path);
		return v;
	}
	v = oc_get(global_sb, path);
	if (v) {
		cl_format(key, OC_KEY_MAX, "agents.defaults.sandbox.%s", path);
		return v;
	}
	cl_format(key, OC_KEY_MAX, "default");
	return NULL;
}

static const char *pick_string(struct json_object *asb, const char *akey, struct json_object *gsb,
			       const char *path, char *key, const char *dflt)
{
	struct json_object *v = pick(asb, akey, gsb, path, key);

	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return dflt;
}

static int parse_mode(const char *s, enum oc_mode *mode)
{
	if (!strcmp(s, "off"))
		*mode = OC_MODE_OFF;
	else if (!strcmp(s, "non-main"))
		*mode = OC_MODE_NON_MAIN;
	else if (!strcmp(s, "all"))
		*mode = OC_MODE_ALL;
	else
		return -1;
	return 0;
}

static int resolve_scope(struct oc_sandbox *sb, struct json_object *asb, const char *akey,
			 struct json_object *gsb)
{
	/* The retired perSession is refused when the config loads, as OpenClaw does. */
	const char *s = pick_string(asb, akey, gsb, "scope", sb->scope_src, "agent");

	if (!strcmp(s, "session"))
		sb->scope = OC_SCOPE_SESSION;
	else if (!strcmp(s, "agent"))
		sb->scope = OC_SCOPE_AGENT;
	else if (!strcmp(s, "shared"))
		sb->scope = OC_SCOPE_SHARED;
	else
		return -1;
	return 0;
}

/* "file:line:col: key: what" for the value at @path, as every config error reads. */
static int value_error(const struct oc_config *cfg, struct json_object *asb, const char *akey,
		       struct json_object *gsb, const char *path, const char *what, char *err,
		       size_t errsize)
{
	char key[OC_KEY_MAX], where[PATH_MAX + 32];
	struct json_object *v = pick(asb, akey, gsb, path, key);

	cl_format(err, errsize, "%s: %s: %s", oc_where(cfg, v, where, sizeof(where)), key, what);
	return -1;
}

static int resolve_scalars(const struct oc_config *cfg, struct oc_sandbox *sb,
			   struct json_object *asb, const char *akey, struct json_object *gsb,
			   char *err, size_t errsize)
{
	const char *s;
	char key[OC_KEY_MAX], *root;

	s = pick_string(asb, akey, gsb, "mode", sb->mode_key, "off");
	if (parse_mode(s, &sb->mode) < 0)
		return value_error(cfg, asb, akey, gsb, "mode",
				   "unknown sandbox mode (use off, non-main or all)", err, errsize);
	if (resolve_scope(sb, asb, akey, gsb) < 0)
		return value_error(cfg, asb, akey, gsb, "scope",
				   "unknown sandbox scope (use session, agent or shared)", err,
				   errsize);
	s = pick_string(asb, akey, gsb, "workspaceAccess", sb->access_key, "none");
	if (!strcmp(s, "none"))
		sb->access = OC_ACCESS_NONE;
	else if (!strcmp(s, "ro"))
		sb->access = OC_ACCESS_RO;
	else if (!strcmp(s, "rw"))
		sb->access = OC_ACCESS_RW;
	else
		return value_error(cfg, asb, akey, gsb, "workspaceAccess",
				   "unknown workspaceAccess (use none, ro or rw)", err, errsize);
	s = pick_string(asb, akey, gsb, "backend", key, "docker");
	sb->backend = trimmed(s);
	if (sb->backend && !sb->backend[0]) {
		free(sb->backend);
		sb->backend = strdup("docker");
	}
	s = pick_string(asb, akey, gsb, "workspaceRoot", key, NULL);
	if (s) {
		sb->workspace_root = oc_user_path(cfg, s);
	} else if (asprintf(&root, "%s/sandboxes", cfg->state_dir) >= 0) {
		sb->workspace_root = root;
	}
	return sb->backend && sb->workspace_root ? 0 : -1;
}

static void read_list(struct oc_list *list, struct json_object *v, const char *key,
		      const char *const *dflt)
{
	cl_format(list->key, OC_KEY_MAX, "%s", key);
	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v) && list->count < OC_MAX_LIST;
		     i++) {
			struct json_object *item = json_object_array_get_idx(v, i);

			if (json_object_is_type(item, json_type_string))
				list->items[list->count++] = strdup(json_object_get_string(item));
		}
		return;
	}
	for (size_t i = 0; dflt && dflt[i] && list->count < OC_MAX_LIST; i++)
		list->items[list->count++] = strdup(dflt[i]);
}

static char *value_text(struct json_object *v)
{
	if (!v || json_object_is_type(v, json_type_null))
		return NULL;
	return strdup(json_object_get_string(v));
}

static void add_name(struct oc_list *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++) {
		if (!strcmp(list->items[i], name))
			return;
	}
	if (list->count < OC_MAX_LIST)
		list->items[list->count++] = strdup(name);
}

/*
 * docker.env: the agent's map over the global one (default {LANG}); only
 * the names are kept. docker.ulimits: the agent's entries over the global.
 */
static void merge_env_ulimits(struct oc_sandbox *sb, struct json_object *agent,
			      struct json_object *global)
{
	struct json_object *genv = oc_get(global, "env"), *aenv = oc_get(agent, "env");
	struct json_object *gul = oc_get(global, "ulimits"), *aul = oc_get(agent, "ulimits");

	if (!json_object_is_type(genv, json_type_object) &&
	    !json_object_is_type(aenv, json_type_object))
		add_name(&sb->env_names, "LANG");
	if (json_object_is_type(genv, json_type_object)) {
		json_object_object_foreach (genv, name, v) {
			(void)v;
			add_name(&sb->env_names, name);
		}
	} else if (json_object_is_type(aenv, json_type_object)) {
		add_name(&sb->env_names, "LANG");
	}
	if (json_object_is_type(aenv, json_type_object)) {
		json_object_object_foreach (aenv, name, v) {
			(void)v;
			add_name(&sb->env_names, name);
		}
	}
	if (!json_object_is_type(gul, json_type_object) &&
	    !json_object_is_type(aul, json_type_object))
		return;
	sb->ulimits = json_object_new_object();
	for (int pass = 0; pass < 2; pass++) {
		struct json_object *from = pass ? aul : gul;

		if (!json_object_is_type(from, json_type_object))
			continue;
		json_object_object_foreach (from, name, v) {
			json_object_object_add(sb->ulimits, name, json_object_get(v));
		}
	}
}

/*
 * Docker's "PATH:OPTIONS" (--tmpfs /tmp:rw,size=64m): the path is the mount
 * target, and the options what clawlock holds of them. oc_check_values
 * refused the config already if any is bad; this only says so again.
 */
static int split_tmpfs(struct oc_sandbox *sb, char *err, size_t errsize)
{
	char why[256];
	size_t len;

	for (size_t i = 0; i < sb->tmpfs.count; i++) {
		if (!sb->tmpfs.items[i])
			return -1;
		if (oc_tmpfs_parse(sb->tmpfs.items[i], &len, &sb->tmpfs_opts[i], why, sizeof(why)) <
		    0) {
			cl_format(err, errsize, "%s[%zu]: %s", sb->tmpfs.key, i, why);
			return -1;
		}
		sb->tmpfs.items[i][len] = '\0';
	}
	return 0;
}

/* docker.*: the agent's block is ignored entirely for shared scope. */
static void resolve_docker(struct oc_sandbox *sb, struct json_object *asb, const char *akey,
			   struct json_object *gsb)
{
	static const char *const tmpfs_default[] = { "/tmp", "/var/tmp", "/run", NULL };
	static const char *const cap_default[] = { "ALL", NULL };
	struct json_object *a = sb->scope == OC_SCOPE_SHARED ? NULL : asb, *v;
	char key[OC_KEY_MAX];

	sb->workdir = strdup(pick_string(a, akey, gsb, "docker.workdir", key, "/workspace"));
	v = pick(a, akey, gsb, "docker.readOnlyRoot", sb->read_only_root_key);
	sb->read_only_root =
		json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : true;
	sb->network = strdup(pick_string(a, akey, gsb, "docker.network", sb->network_key, "none"));
	read_list(&sb->cap_drop, pick(a, akey, gsb, "docker.capDrop", key), key, cap_default);
	read_list(&sb->tmpfs, pick(a, akey, gsb, "docker.tmpfs", key), key, tmpfs_default);
	v = pick(a, akey, gsb, "docker.pidsLimit", sb->limits_key);
	if (!oc_pids_limit(v, &sb->pids_limit))
		sb->pids_limit = 0; /* unset; anything else was refused at load */
	sb->memory = value_text(pick(a, akey, gsb, "docker.memory", key));
	sb->memory_swap = value_text(pick(a, akey, gsb, "docker.memorySwap", key));
	sb->cpus = value_text(pick(a, akey, gsb, "docker.cpus", key));
	sb->seccomp_profile = value_text(pick(a, akey, gsb, "docker.seccompProfile", key));
	sb->apparmor_profile = value_text(pick(a, akey, gsb, "docker.apparmorProfile", key));
	merge_env_ulimits(sb, oc_get(a, "docker"), oc_get(gsb, "docker"));
}

/* normalizeMountContainerPath: POSIX-normalised, no trailing slash, "/" for empty. */
static char *container_path(const char *p)
{
	return oc_path_normalize(p);
}

/* Add or replace (keeping its place, as a JS Map does) the mount at @container. */
static void set_mount(struct oc_sandbox *sb, char *host, char *container, bool writable,
		      const char *source, const char *key)
{
	struct oc_mount *m = NULL;

	for (size_t i = 0; i < sb->mount_count; i++) {
		if (!strcmp(sb->mounts[i].container, container)) {
			m = &sb->mounts[i];
			free(m->host);
			free(m->container);
		}
	}
	if (!m) {
		if (sb->mount_count >= OC_MAX_MOUNTS) {
			free(host);
			free(container);
			return;
		}
		m = &sb->mounts[sb->mount_count++];
	}
	m->host = host;
	m->container = container;
	m->writable = writable;
	m->source = source;
	cl_format(m->key, OC_KEY_MAX, "%s", key);
}

static char *join(const char *a, const char *b)
{
	char *out;

	if (asprintf(&out, "%s%s%s", a, strcmp(a, "/") ? "/" : "", b) < 0)
		return NULL;
	return out;
}

/* Managed skills directories that exist inside the workspace are mounted read-only. */
static void skill_mounts(struct oc_sandbox *sb)
{
	static const char *const parts[] = { "skills", ".agents/skills" };
	const char *root;

	if (sb->access == OC_ACCESS_RO)
		return;
	root = sb->access == OC_ACCESS_NONE ? sb->workspace_dir : sb->agent_workspace;
	for (size_t i = 0; i < 2; i++) {
		char *host = join(root, parts[i]), *real_root = realpath(root, NULL), *real = NULL;
		struct stat st;

		/* Its creation makes a read-only rule: `sandbox exec`'s plan watches for it. */
		json5_note_probe(host);
		if (host && lstat(host, &st) == 0 && S_ISDIR(st.st_mode))
			real = realpath(host, NULL);
		if (real && real_root && cl_path_inside(real_root, real))
			set_mount(sb, host, join(sb->workdir, parts[i]), false, "protectedSkill",
				  "workspace skills (always read-only)");
		else
			free(host);
		free(real);
		free(real_root);
	}
}

static void bind_mount(struct oc_sandbox *sb, const char *spec, const char *key)
{
	const char *sep = strchr(spec, ':'), *opt;
	char *host, *container, *options, *raw;
	bool readonly = false;

	if (!sep || sep == spec)
		return;
	opt = strchr(sep + 1, ':');
	raw = opt ? strndup(sep + 1, opt - sep - 1) : strdup(sep + 1);
	if (!raw || raw[0] != '/') {
		free(raw);
		return;
	}
	options = strdup(opt ? opt + 1 : "");
	for (char *save = NULL, *o = options ? strtok_r(options, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save)) {
		char *t = trimmed(o);

		if (t && !strcasecmp(t, "ro"))
			readonly = true;
		free(t);
	}
	free(options);
	host = strndup(spec, sep - spec);
	container = container_path(raw);
	free(raw);
	if (!host || !container) {
		free(host);
		free(container);
		return;
	}
	/* path.resolve(host): lexical; a relative source resolves from the cwd. */
	raw = host;
	host = raw[0] == '/' ? container_path(raw) : NULL;
	if (!host) {
		char cwd[PATH_MAX], *abs;

		if (getcwd(cwd, sizeof(cwd)) && asprintf(&abs, "%s/%s", cwd, raw) >= 0) {
			host = container_path(abs);
			free(abs);
		}
	}
	free(raw);
	if (host)
		set_mount(sb, host, container, !readonly, "bind", key);
	else
		free(container);
}

struct bind_spec {
	const char *spec;
	char key[OC_KEY_MAX];
};

/* Global binds, then the agent's (not for shared scope); the last per target wins. */
static void binds(struct oc_sandbox *sb, struct json_object *asb, const char *akey,
		  struct json_object *gsb)
{
	struct bind_spec specs[OC_MAX_MOUNTS];
	size_t n = 0;
	struct json_object *lists[2] = { oc_get(gsb, "docker.binds"),
					 sb->scope == OC_SCOPE_SHARED
						 ? NULL
						 : oc_get(asb, "docker.binds") };

	for (int l = 0; l < 2; l++) {
		if (!json_object_is_type(lists[l], json_type_array))
			continue;
		for (size_t i = 0; i < json_object_array_length(lists[l]) && n < OC_MAX_MOUNTS;
		     i++) {
			struct json_object *item = json_object_array_get_idx(lists[l], i);

			if (!json_object_is_type(item, json_type_string))
				continue;
			specs[n].spec = json_object_get_string(item);
			cl_format(specs[n].key, OC_KEY_MAX, "%s.sandbox.docker.binds[%zu]",
				  l ? akey : "agents.defaults", i);
			n++;
		}
	}
	for (size_t i = 0; i < n; i++)
		bind_mount(sb, specs[i].spec, specs[i].key);
}

/*
 * The workspace, the agent's workspace and the skills, as a container sees
 * them, or (@host_paths: the clawlock backend) at their own host paths.
 */
static void workspace_mounts(struct oc_sandbox *sb, bool host_paths)
{
	set_mount(sb, container_path(sb->workspace_dir),
		  container_path(host_paths ? sb->workspace_dir : sb->workdir),
		  sb->access != OC_ACCESS_RO, "workspace", sb->access_key);
	if (sb->access != OC_ACCESS_NONE && strcmp(sb->workspace_dir, sb->agent_workspace))
		set_mount(sb, container_path(sb->agent_workspace),
			  host_paths ? container_path(sb->agent_workspace) : strdup("/agent"),
			  sb->access != OC_ACCESS_RO, "agent", sb->access_key);
	skill_mounts(sb);
}

static void mounts(struct oc_sandbox *sb, struct json_object *asb, const char *akey,
		   struct json_object *gsb)
{
	workspace_mounts(sb, false);
	binds(sb, asb, akey, gsb);
}

/*
 * Session keys: short names expand to agent:<id>:<name>. OpenClaw 2026.9.6
 * ignores session.mainKey (applySessionDefaults forces "main" and warns):
 * the main session is always agent:<id>:main, so a session named after a
 * configured mainKey is an ordinary, sandboxed non-main session.
 */
static char *main_key_name(const struct oc_config *cfg)
{
	(void)cfg;
	return strdup("main");
}

static int session_keys(const struct oc_config *cfg, struct oc_sandbox *sb, const char *session)
{
	const char *scope = oc_get_string(oc_get(cfg->root, "session"), "scope");
	char *mk = main_key_name(cfg), *raw = trimmed(session ? session : "");
	int ret = -1;

	if (!mk || !raw)
		goto out;
	if (scope && !strcmp(scope, "global"))
		sb->main_session_key = strdup("global");
	else if (asprintf(&sb->main_session_key, "agent:%s:%s", sb->agent_id, mk) < 0)
		sb->main_session_key = NULL;
	if (!raw[0]) {
		if (asprintf(&sb->session_key, "agent:%s:%s", sb->agent_id, mk) < 0)
			goto out;
	} else if (strchr(raw, ':') || !strcmp(raw, "global")) {
		sb->session_key = strdup(raw);
	} else {
		for (char *p = raw; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (asprintf(&sb->session_key, "agent:%s:%s", sb->agent_id, raw) < 0)
			goto out;
	}
	ret = sb->session_key && sb->main_session_key ? 0 : -1;
out:
	free(mk);
	free(raw);
	return ret;
}

/* canonicalizeMainSessionAlias, then shouldSandboxSession. */
static bool is_sandboxed(const struct oc_config *cfg, const struct oc_sandbox *sb)
{
	char *mk = main_key_name(cfg), aliases[4][160];
	bool alias = false;

	if (sb->mode == OC_MODE_OFF || !mk) {
		free(mk);
		return false;
	}
	if (sb->mode == OC_MODE_ALL) {
		free(mk);
		return true;
	}
	cl_format(aliases[0], 160, "agent:%s:%s", sb->agent_id, mk);
	cl_format(aliases[1], 160, "agent:%s:main", sb->agent_id);
	cl_format(aliases[2], 160, "agent:main:%s", mk);
	cl_format(aliases[3], 160, "agent:main:main");
	alias = !strcmp(sb->session_key, "main") || !strcmp(sb->session_key, mk);
	for (int i = 0; i < 4; i++)
		alias |= !strcmp(sb->session_key, aliases[i]);
	free(mk);
	if (alias)
		return false; /* the canonical main key, or "global" for a global scope */
	return strcmp(sb->session_key, sb->main_session_key) != 0;
}

/* Scope key, slug, sandbox and workspace directories (shared.ts). */
static int layout(const struct oc_config *cfg, struct oc_sandbox *sb)
{
	char hash[33], *raw, *mk;

	cl_sha256_hex(sb->agent_workspace, strlen(sb->agent_workspace), hash, 32);
	if (!strcmp(sb->session_key, "global")) {
		mk = main_key_name(cfg);
		if (!mk || asprintf(&raw, "agent:%s:%s", sb->agent_id, mk) < 0)
			raw = NULL;
		free(mk);
	} else {
		raw = trimmed(sb->session_key);
	}
	if (!raw)
		return -1;
	if (sb->scope == OC_SCOPE_SHARED)
		sb->scope_key = strdup("shared");
	else if (sb->scope == OC_SCOPE_SESSION &&
		 asprintf(&sb->scope_key, "%s:workspace:%s", raw[0] ? raw : "main", hash) < 0)
		sb->scope_key = NULL;
	else if (sb->scope == OC_SCOPE_AGENT &&
		 asprintf(&sb->scope_key, "agent:%s:workspace:%s", sb->agent_id, hash) < 0)
		sb->scope_key = NULL;
	free(raw);
	if (!sb->scope_key)
		return -1;
	cl_slugify(sb->scope_key, sb->slug);
	sb->sandbox_dir = sb->scope == OC_SCOPE_SHARED ? strdup(sb->workspace_root)
						       : join(sb->workspace_root, sb->slug);
	sb->workspace_dir =
		strdup(sb->access == OC_ACCESS_RW ? sb->agent_workspace : sb->sandbox_dir);
	return sb->sandbox_dir && sb->workspace_dir ? 0 : -1;
}

static int resolve_agent(const struct oc_config *cfg, const char *agent, struct oc_sandbox *sb,
			 char *err, size_t errsize)
{
	struct oc_roster *r = roster_of(cfg);

	if (!oc_normalize_agent_id(agent, sb->agent_id))
		cl_format(sb->agent_id, sizeof(sb->agent_id), "main");
	if (!r)
		return -1;
	if (!oc_has_agent(cfg, sb->agent_id)) {
		cl_format(err, errsize, "unknown agent id \"%s\" (not in agents of %s)",
			  sb->agent_id, cfg->path);
		return -1;
	}
	return 0;
}

/* "agent:<id>:..." names its agent; it must agree with --agent. */
static int agent_from_session(const char *session, const char *agent, char *out, char *err,
			      size_t errsize)
{
	char id[65], *copy;

	if (!session || !strchr(session, ':') || !strcmp(session, "global") ||
	    strncmp(session, "agent:", 6))
		return agent ? (cl_format(out, 65, "%s", agent), 0) : -1;
	copy = strndup(session + 6, strcspn(session + 6, ":"));
	if (!copy || !oc_normalize_agent_id(copy, id))
		cl_format(id, sizeof(id), "main");
	free(copy);
	if (agent) {
		char want[65];

		if (!oc_normalize_agent_id(agent, want))
			cl_format(want, sizeof(want), "main");
		if (strcmp(want, id)) {
			cl_format(err, errsize, "agent \"%s\" does not match session agent \"%s\"",
				  want, id);
			return -2;
		}
	}
	cl_format(out, 65, "%s", id);
	return 0;
}

int oc_resolve(const struct oc_config *cfg, const char *agent, const char *session,
	       struct oc_sandbox *sb, char *err, size_t errsize)
{
	struct json_object *entry, *asb, *gsb = oc_get(cfg->root, "agents.defaults.sandbox");
	char akey[OC_KEY_MAX], id[65];
	int ret;

	memset(sb, 0, sizeof(*sb));
	err[0] = '\0';
	ret = agent_from_session(session, agent, id, err, errsize);
	if (ret == -1) {
		cl_format(err, errsize, "name an agent (--agent) or an agent:<id>:... session key");
		return -1;
	}
	if (ret < 0 || resolve_agent(cfg, id, sb, err, errsize) < 0)
		goto fail;
	entry = oc_agent_entry(cfg, sb->agent_id, akey, sizeof(akey));
	if (!entry)
		cl_format(akey, sizeof(akey), "agents.entries.%s", sb->agent_id);
	asb = oc_get(entry, "sandbox");
	if (resolve_scalars(cfg, sb, asb, akey, gsb, err, errsize) < 0)
		goto fail;
	resolve_docker(sb, asb, akey, gsb);
	if (split_tmpfs(sb, err, errsize) < 0)
		goto fail;
	sb->agent_workspace = agent_workspace(cfg, sb->agent_id, entry);
	if (!sb->agent_workspace || session_keys(cfg, sb, session) < 0 || layout(cfg, sb) < 0)
		goto fail;
	sb->sandboxed = is_sandboxed(cfg, sb);
	if (sb->sandboxed &&
	    (!strcasecmp(sb->backend, "docker") || !strcasecmp(sb->backend, "podman")))
		mounts(sb, asb, akey, gsb);
	/* The clawlock backend: what OpenClaw's file bridge exposes; docker.binds are Docker's. */
	else if (sb->sandboxed && !strcasecmp(sb->backend, "clawlock"))
		workspace_mounts(sb, true);
	return 0;
fail:
	if (!err[0])
		cl_format(err, errsize, "out of memory");
	oc_sandbox_free(sb);
	return -1;
}

static void free_list(struct oc_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	list->count = 0;
}

void oc_sandbox_free(struct oc_sandbox *sb)
{
	char **strings[] = { &sb->session_key,	  &sb->main_session_key, &sb->backend,
			     &sb->workspace_root, &sb->agent_workspace,	 &sb->sandbox_dir,
			     &sb->workspace_dir,  &sb->scope_key,	 &sb->workdir,
			     &sb->network,	  &sb->memory,		 &sb->memory_swap,
			     &sb->cpus,		  &sb->seccomp_profile,	 &sb->apparmor_profile };

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		free(*strings[i]);
		*strings[i] = NULL;
	}
	for (size_t i = 0; i < sb->mount_count; i++) {
		free(sb->mounts[i].host);
		free(sb->mounts[i].container);
	}
	sb->mount_count = 0;
	free_list(&sb->cap_drop);
	free_list(&sb->tmpfs);
	free_list(&sb->env_names);
	json_object_put(sb->ulimits);
	sb->ulimits = NULL;
}

/* mkdir -p, the last directory private (OpenClaw makes it 0700). */
static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if (!cl_strlcpy(buf, path, sizeof(buf))) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

int oc_ensure_sandbox_dir(const struct oc_sandbox *sb)
{
	if (sb->access == OC_ACCESS_RW || !sb->sandbox_dir)
		return 0;
	if (mkdir_p(sb->sandbox_dir) < 0) {
		cl_error("cannot create the sandbox dir %s: %s", sb->sandbox_dir, strerror(errno));
		return -1;
	}
	return 0;
}
