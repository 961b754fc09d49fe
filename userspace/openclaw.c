// SPDX-License-Identifier: GPL-2.0
/*
 * openclaw.c - read openclaw.json the way OpenClaw 2026.9.6 does.
 *
 * The behaviour follows OpenClaw's own code (src/config/includes.ts and
 * friends), checked against its CLI: $include replaces the containing
 * object with one file, or deep-merges several in order (objects merge,
 * arrays concatenate, later wins); sibling keys are merged over the result;
 * at most 10 levels; a file included twice on one chain is a cycle; an
 * include must resolve (after symlinks) inside the config's directory or an
 * OPENCLAW_INCLUDE_ROOTS entry. ${VAR} is replaced in every string, $${VAR}
 * stands for a literal ${VAR}, and an unset variable is an error.
 */
#include "openclaw.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json5.h"
#include "util.h"

struct loader {
	struct oc_config *cfg;
	char *err;
	size_t errsize;
	char *roots[32];      /* allowed include roots: lexical */
	char *real_roots[32]; /* and after symlinks */
	size_t root_count;
	const char *chain[OC_MAX_INCLUDE_DEPTH + 2]; /* files on the current chain */
	int depth;
};

static int fail(struct loader *ld, struct json_object *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct loader *ld, struct json_object *at, const char *fmt, ...)
{
	char where[PATH_MAX + 32], reason[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	oc_where(ld->cfg, at, where, sizeof(where));
	snprintf(ld->err, ld->errsize, "%s: %s", where, reason);
	return -1;
}

const char *oc_where(const struct oc_config *cfg, struct json_object *value, char *buf, size_t size)
{
	unsigned int file = 0;
	int line, column;

	if (json5_origin(value, &file, &line, &column) && file < cfg->file_count)
		snprintf(buf, size, "%s:%d:%d", cfg->files[file], line, column);
	else
		snprintf(buf, size, "%s", cfg->path ? cfg->path : "openclaw.json");
	return buf;
}

struct json_object *oc_get(struct json_object *obj, const char *dotted)
{
	char key[256];

	while (obj && *dotted) {
		size_t len = strcspn(dotted, ".");

		if (len >= sizeof(key) || !json_object_is_type(obj, json_type_object))
			return NULL;
		memcpy(key, dotted, len);
		key[len] = '\0';
		if (!json_object_object_get_ex(obj, key, &obj))
			return NULL;
		dotted += len + (dotted[len] == '.');
	}
	return obj;
}

const char *oc_get_string(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

char *oc_path_normalize(const char *path)
{
	char *copy = strdup(path), *out = malloc(strlen(path) + 2);
	size_t n = 0;

	if (!copy || !out) {
		free(copy);
		free(out);
		return NULL;
	}
	for (char *save = NULL, *part = strtok_r(copy, "/", &save); part;
	     part = strtok_r(NULL, "/", &save)) {
		if (!strcmp(part, "."))
			continue;
		if (!strcmp(part, "..")) {
			while (n && out[n - 1] != '/')
				n--;
			if (n)
				n--;
			continue;
		}
		out[n++] = '/';
		memcpy(out + n, part, strlen(part));
		n += strlen(part);
	}
	if (!n)
		out[n++] = '/';
	out[n] = '\0';
	free(copy);
	return out;
}

/* Node's path.resolve: @p against @base (or the cwd), then normalised. */
static char *path_resolve(const char *base, const char *p)
{
	char cwd[PATH_MAX], *joined, *out;

	if (p[0] == '/')
		return oc_path_normalize(p);
	if (!base) {
		if (!getcwd(cwd, sizeof(cwd)))
			return NULL;
		base = cwd;
	}
	if (asprintf(&joined, "%s/%s", base, p) < 0)
		return NULL;
	out = oc_path_normalize(joined);
	free(joined);
	return out;
}

char *oc_user_path(const struct oc_config *cfg, const char *path)
{
	char *expanded, *resolved;

	while (*path == ' ' || *path == '\t')
		path++;
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		if (asprintf(&expanded, "%s%s", cfg->home, path + 1) < 0)
			return NULL;
		resolved = path_resolve(NULL, expanded);
		free(expanded);
		return resolved;
	}
	return path_resolve(NULL, path);
}

static int add_file(struct oc_config *cfg, const char *path)
{
	if (cfg->file_count >= OC_MAX_FILES)
		return -1;
	cfg->files[cfg->file_count] = strdup(path);
	if (!cfg->files[cfg->file_count])
		return -1;
	return (int)cfg->file_count++;
}

/* Objects merge key by key, arrays concatenate, anything else is replaced. */
static struct json_object *deep_merge(struct json_object *target, struct json_object *source)
{
	if (json_object_is_type(target, json_type_object) &&
	    json_object_is_type(source, json_type_object)) {
		json_object_object_foreach (source, key, value) {
			struct json_object *old;

			if (json_object_object_get_ex(target, key, &old) && old)
				json_object_object_add(
					target, key,
					deep_merge(json_object_get(old), json_object_get(value)));
			else
				json_object_object_add(target, key, json_object_get(value));
		}
		json_object_put(source);
		return target;
	}
	if (json_object_is_type(target, json_type_array) &&
	    json_object_is_type(source, json_type_array)) {
		size_t n = json_object_array_length(source);

		for (size_t i = 0; i < n; i++)
			json_object_array_add(
				target, json_object_get(json_object_array_get_idx(source, i)));
		json_object_put(source);
		return target;
	}
	json_object_put(target);
	return source;
}

static bool inside(const char *root, const char *path)
{
	size_t len = strlen(root);

	if (!strcmp(root, "/"))
		return path[0] == '/';
	return !strncmp(root, path, len) && (path[len] == '\0' || path[len] == '/');
}

static int process(struct loader *ld, struct json_object **obj, const char *file);

/*
 * The include must lie inside a root, lexically and after symlinks. Returns
 * the root that holds its real path (in *real), or -1 with the error set.
 */
static int check_include_path(struct loader *ld, struct json_object *at, const char *name,
			      const char *resolved, char **real)
{
	size_t i;

	for (i = 0; i < ld->root_count && !inside(ld->roots[i], resolved); i++)
		;
	if (i == ld->root_count)
		return fail(ld, at, "$include path escapes the config directory: %s", name);
	*real = realpath(resolved, NULL);
	if (!*real)
		return fail(ld, at, "cannot include '%s': %s", name, strerror(errno));
	for (i = 0; i < ld->root_count && !inside(ld->real_roots[i], *real); i++)
		;
	if (i == ld->root_count) {
		free(*real);
		*real = NULL;
		return fail(ld, at,
			    "$include path resolves outside the config directory (symlink): %s",
			    name);
	}
	return (int)i;
}

/*
 * Read the include through one descriptor, opened beneath its root, so that
 * a file swapped in after the check above is never read; a FIFO, device or
 * directory is refused before it is opened for reading. Errors name both the
 * including file:line:column and the included file.
 */
static struct json_object *parse_include(struct loader *ld, struct json_object *at,
					 const char *name, const char *resolved, int id)
{
	struct json5_options opts = { .file_id = (unsigned int)id, .flags = JSON5_NO_NUL };
	struct json_object *doc = NULL;
	struct json5_error jerr;
	char *real = NULL, why[PATH_MAX + 256], where[PATH_MAX + 32];
	int root = check_include_path(ld, at, name, resolved, &real), fd = -1;

	if (root >= 0)
		fd = cl_open_beneath(ld->real_roots[root], real, why, sizeof(why));
	free(real);
	if (root < 0)
		return NULL;
	if (fd < 0) {
		fail(ld, at, "cannot include '%s': %s", name, why);
		return NULL;
	}
	doc = json5_parse_fd(fd, &opts, &jerr);
	close(fd);
	if (!doc && jerr.line > 0) {
		json5_format_error(why, sizeof(why), resolved, &jerr);
		snprintf(ld->err, ld->errsize, "%s (included from %s)", why,
			 oc_where(ld->cfg, at, where, sizeof(where)));
	} else if (!doc && jerr.message[0]) {
		fail(ld, at, "cannot include '%s': %s", name, jerr.message);
	}
	return doc;
}

/* Parse one included file and process its own includes. New reference or NULL. */
static struct json_object *load_include(struct loader *ld, struct json_object *at, const char *name,
					const char *from)
{
	char *dir = strdup(from), *slash, *resolved;
	struct json_object *doc = NULL;
	int id;

	if (!dir)
		return NULL;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	resolved = path_resolve(slash ? dir : NULL, name);
	free(dir);
	if (!resolved)
		goto out;
	for (int i = 0; i < ld->depth; i++) {
		if (!strcmp(ld->chain[i], resolved)) {
			fail(ld, at, "circular $include: %s includes itself", name);
			goto out;
		}
	}
	if (ld->depth > OC_MAX_INCLUDE_DEPTH) {
		fail(ld, at, "maximum $include depth (%d) exceeded at %s", OC_MAX_INCLUDE_DEPTH,
		     name);
		goto out;
	}
	id = add_file(ld->cfg, resolved);
	if (id < 0) {
		fail(ld, at, "too many included files");
		goto out;
	}
	doc = parse_include(ld, at, name, resolved, id);
	if (!doc)
		goto out;
	ld->chain[ld->depth++] = ld->cfg->files[id];
	if (process(ld, &doc, ld->cfg->files[id]) < 0) {
		json_object_put(doc);
		doc = NULL;
	}
	ld->depth--;
out:
	free(resolved);
	return doc;
}

/* The value of a $include: one file, or several merged in order. */
static struct json_object *resolve_include(struct loader *ld, struct json_object *value,
					   const char *file)
{
	struct json_object *merged;
	size_t n;

	if (json_object_is_type(value, json_type_string)) {
		struct json_object *doc =
			load_include(ld, value, json_object_get_string(value), file);

		if (!doc && !ld->err[0])
			fail(ld, value, "included file is empty (null)");
		return doc;
	}
	if (!json_object_is_type(value, json_type_array)) {
		fail(ld, value, "$include must be a file name or a list of file names");
		return NULL;
	}
	merged = json_object_new_object();
	n = json_object_array_length(value);
	for (size_t i = 0; merged && i < n; i++) {
		struct json_object *item = json_object_array_get_idx(value, i), *doc;

		if (!json_object_is_type(item, json_type_string)) {
			fail(ld, item, "$include list items must be file names");
			json_object_put(merged);
			return NULL;
		}
		doc = load_include(ld, item, json_object_get_string(item), file);
		if (!doc) {
			if (!ld->err[0])
				fail(ld, item, "included file is empty (null)");
			json_object_put(merged);
			return NULL;
		}
		merged = deep_merge(merged, doc);
	}
	return merged;
}

static int process_include(struct loader *ld, struct json_object **obj, const char *file)
{
	struct json_object *include, *result, *rest;
	int others = 0;

	json_object_object_get_ex(*obj, "$include", &include);
	result = resolve_include(ld, include, file);
	if (!result)
		return -1;
	rest = json_object_new_object();
	json_object_object_foreach (*obj, key, value) {
		if (!strcmp(key, "$include"))
			continue;
		json_object_object_add(rest, key, json_object_get(value));
		others++;
	}
	if (!others) {
		json_object_put(rest);
	} else if (!json_object_is_type(result, json_type_object)) {
		json_object_put(rest);
		json_object_put(result);
		return fail(ld, include, "sibling keys need the included content to be an object");
	} else {
		if (process(ld, &rest, file) < 0) {
			json_object_put(rest);
			json_object_put(result);
			return -1;
		}
		result = deep_merge(result, rest);
	}
	json_object_put(*obj);
	*obj = result;
	return 0;
}

/* Resolve every $include below *obj, replacing *obj when it has one itself. */
static int process(struct loader *ld, struct json_object **obj, const char *file)
{
	if (json_object_is_type(*obj, json_type_array)) {
		size_t n = json_object_array_length(*obj);

		for (size_t i = 0; i < n; i++) {
			struct json_object *item =
				json_object_get(json_object_array_get_idx(*obj, i));

			if (process(ld, &item, file) < 0) {
				json_object_put(item);
				return -1;
			}
			json_object_array_put_idx(*obj, i, item);
		}
		return 0;
	}
	if (!json_object_is_type(*obj, json_type_object))
		return 0;
	if (json_object_object_get_ex(*obj, "$include", NULL))
		return process_include(ld, obj, file);
	json_object_object_foreach (*obj, key, value) {
		struct json_object *child = json_object_get(value);

		if (process(ld, &child, file) < 0) {
			json_object_put(child);
			return -1;
		}
		/* Replacing the value of an existing key keeps the iteration valid. */
		json_object_object_add(*obj, key, child);
	}
	return 0;
}

static bool var_start(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool var_char(char c)
{
	return var_start(c) || (c >= '0' && c <= '9');
}

/* Substitute ${VAR} in one string; NULL (with an error) when a variable is unset. */
static char *substitute(struct loader *ld, struct json_object *at, const char *in)
{
	size_t cap = strlen(in) + 1, n = 0;
	char *out = malloc(cap);

	for (const char *p = in; out && *p;) {
		const char *val = NULL, *name = NULL;
		size_t len = 1, vlen;

		if (p[0] == '$' && p[1] == '$' && p[2] == '{' && var_start(p[3])) {
			/* $${VAR}: a literal ${VAR}. */
			p++;
		} else if (p[0] == '$' && p[1] == '{' && var_start(p[2])) {
			size_t k = 2;

			while (var_char(p[k]))
				k++;
			if (p[k] == '}') {
				char var[256];

				name = p + 2;
				snprintf(var, sizeof(var), "%.*s", (int)(k - 2), name);
				val = getenv(var);
				if (!val) {
					/* The name is safe to print; its value would not be. */
					fail(ld, at, "environment variable %s is not set", var);
					free(out);
					return NULL;
				}
				len = k + 1;
			}
		}
		if (!val)
			val = p, vlen = len;
		else
			vlen = strlen(val);
		if (n + vlen + 1 > cap) {
			char *grown = realloc(out, cap = (n + vlen + 1) * 2);

			if (!grown) {
				free(out);
				return NULL;
			}
			out = grown;
		}
		memcpy(out + n, val, vlen);
		n += vlen;
		p += len;
	}
	if (out)
		out[n] = '\0';
	return out;
}

static int substitute_all(struct loader *ld, struct json_object *obj)
{
	if (json_object_is_type(obj, json_type_string)) {
		const char *s = json_object_get_string(obj);
		char *replaced;

		if (!strchr(s, '$'))
			return 0;
		replaced = substitute(ld, obj, s);
		if (!replaced)
			return -1;
		json_object_set_string(obj, replaced);
		free(replaced);
		return 0;
	}
	if (json_object_is_type(obj, json_type_array)) {
		size_t n = json_object_array_length(obj);

		for (size_t i = 0; i < n; i++) {
			if (substitute_all(ld, json_object_array_get_idx(obj, i)) < 0)
				return -1;
		}
		return 0;
	}
	if (json_object_is_type(obj, json_type_object)) {
		json_object_object_foreach (obj, key, value) {
			(void)key;
			if (substitute_all(ld, value) < 0)
				return -1;
		}
	}
	return 0;
}

static void warn(struct oc_config *cfg, struct json_object *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warn(struct oc_config *cfg, struct json_object *at, const char *fmt, ...)
{
	char where[PATH_MAX + 32], reason[512], **grown;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	grown = realloc(cfg->warnings, (cfg->warning_count + 1) * sizeof(*grown));
	if (!grown)
		return;
	cfg->warnings = grown;
	oc_where(cfg, at, where, sizeof(where));
	if (asprintf(&grown[cfg->warning_count], "%s: %s", where, reason) >= 0)
		cfg->warning_count++;
}

static const char *const sandbox_keys[] = {
	"mode",		 "backend",
	"scope",	 "workspaceAccess",
	"workspaceRoot", "sessionToolsVisibility",
	"perSession",	 "docker",
	"ssh",		 "browser",
	"prune",	 NULL,
};

static const char *const docker_keys[] = {
	"image",
	"containerPrefix",
	"workdir",
	"readOnlyRoot",
	"tmpfs",
	"network",
	"user",
	"capDrop",
	"env",
	"setupCommand",
	"pidsLimit",
	"memory",
	"memorySwap",
	"cpus",
	"gpus",
	"ulimits",
	"seccompProfile",
	"apparmorProfile",
	"dns",
	"extraHosts",
	"binds",
	"dangerouslyAllowReservedContainerTargets",
	"dangerouslyAllowExternalBindSources",
	"dangerouslyAllowContainerNamespaceJoin",
	NULL,
};

static bool known(const char *const *keys, const char *key)
{
	for (; *keys; keys++) {
		if (!strcmp(*keys, key))
			return true;
	}
	return false;
}

/*
 * Unknown keys in a sandbox block are warnings, not errors: OpenClaw versions
 * differ, and clawlock only needs the keys it translates.
 */
static void check_sandbox_keys(struct oc_config *cfg, struct json_object *sb, const char *owner)
{
	struct json_object *docker;

	if (!json_object_is_type(sb, json_type_object))
		return;
	json_object_object_foreach (sb, key, value) {
		if (!known(sandbox_keys, key))
			warn(cfg, value, "unknown key '%s' in %s.sandbox (ignored)", key, owner);
	}
	if (json_object_object_get_ex(sb, "docker", &docker) &&
	    json_object_is_type(docker, json_type_object)) {
		json_object_object_foreach (docker, dkey, dvalue) {
			if (!known(docker_keys, dkey))
				warn(cfg, dvalue, "unknown key '%s' in %s.sandbox.docker (ignored)",
				     dkey, owner);
		}
	}
}

static void check_keys(struct oc_config *cfg)
{
	struct json_object *agents = oc_get(cfg->root, "agents"), *roster;
	char owner[256];

	check_sandbox_keys(cfg, oc_get(agents, "defaults.sandbox"), "agents.defaults");
	if (json_object_object_get_ex(agents, "entries", &roster) &&
	    json_object_is_type(roster, json_type_object)) {
		json_object_object_foreach (roster, id, entry) {
			snprintf(owner, sizeof(owner), "agents.entries.%s", id);
			check_sandbox_keys(cfg, oc_get(entry, "sandbox"), owner);
		}
	} else if (json_object_object_get_ex(agents, "list", &roster) &&
		   json_object_is_type(roster, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(roster); i++) {
			snprintf(owner, sizeof(owner), "agents.list[%zu]", i);
			check_sandbox_keys(cfg,
					   oc_get(json_object_array_get_idx(roster, i), "sandbox"),
					   owner);
		}
	}
}

static char *env_or(const char *name)
{
	const char *v = getenv(name);

	while (v && (*v == ' ' || *v == '\t'))
		v++;
	return v && *v ? strdup(v) : NULL;
}

/* Home, state dir and config path from the environment, as OpenClaw finds them. */
static int locate(struct oc_config *cfg, const char *explicit_path)
{
	char *profile = env_or("OPENCLAW_PROFILE"), *state;

	cfg->home = env_or("OPENCLAW_HOME");
	if (!cfg->home)
		cfg->home = env_or("HOME");
	if (!cfg->home)
		cfg->home = strdup("/");
	state = env_or("OPENCLAW_STATE_DIR");
	if (state) {
		cfg->state_dir = oc_user_path(cfg, state);
		free(state);
	} else if (profile && strcasecmp(profile, "default")) {
		if (asprintf(&cfg->state_dir, "%s/.openclaw-%s", cfg->home, profile) < 0)
			cfg->state_dir = NULL;
	} else if (asprintf(&cfg->state_dir, "%s/.openclaw", cfg->home) < 0) {
		cfg->state_dir = NULL;
	}
	free(profile);
	if (explicit_path) {
		cfg->path = oc_user_path(cfg, explicit_path);
	} else {
		char *env = env_or("OPENCLAW_CONFIG_PATH");

		if (env)
			cfg->path = oc_user_path(cfg, env);
		else if (cfg->state_dir &&
			 asprintf(&cfg->path, "%s/openclaw.json", cfg->state_dir) < 0)
			cfg->path = NULL;
		free(env);
	}
	return cfg->home && cfg->state_dir && cfg->path ? 0 : -1;
}

static void add_root(struct loader *ld, const char *dir)
{
	char *real;

	if (ld->root_count >= sizeof(ld->roots) / sizeof(ld->roots[0]) || dir[0] != '/')
		return;
	ld->roots[ld->root_count] = path_resolve(NULL, dir);
	real = realpath(dir, NULL);
	ld->real_roots[ld->root_count] = real ? real : path_resolve(NULL, dir);
	ld->root_count++;
}

static void set_roots(struct loader *ld, const char *config_path)
{
	char *dir = strdup(config_path), *slash, *extra;

	if (!dir)
		return;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	add_root(ld, *dir ? dir : "/");
	free(dir);
	extra = env_or("OPENCLAW_INCLUDE_ROOTS");
	for (char *save = NULL, *r = extra ? strtok_r(extra, ":", &save) : NULL; r;
	     r = strtok_r(NULL, ":", &save))
		add_root(ld, r);
	free(extra);
}

static int read_root(struct loader *ld, const char *explicit_path)
{
	const struct json5_options opts = { .flags = JSON5_NO_NUL };
	struct oc_config *cfg = ld->cfg;
	struct json5_error jerr;

	if (access(cfg->path, F_OK) < 0 && errno == ENOENT && !explicit_path) {
		/* No config: OpenClaw runs on its defaults. */
		cfg->root = json_object_new_object();
		return 0;
	}
	cfg->exists = true;
	if (add_file(cfg, cfg->path) < 0)
		return -1;
	cfg->root = json5_parse_file_opts(cfg->path, &opts, &jerr);
	if (!cfg->root) {
		if (!jerr.message[0])
			snprintf(jerr.message, sizeof(jerr.message),
				 "the config must be an object");
		json5_format_error(ld->err, ld->errsize, cfg->path, &jerr);
		return -1;
	}
	if (!json_object_is_type(cfg->root, json_type_object))
		return fail(ld, cfg->root, "the config must be an object");
	return 0;
}

int oc_config_load(const char *path, struct oc_config *cfg, char *err, size_t errsize)
{
	struct loader ld = { .cfg = cfg, .err = err, .errsize = errsize };
	int ret = -1;

	memset(cfg, 0, sizeof(*cfg));
	err[0] = '\0';
	if (locate(cfg, path) < 0) {
		snprintf(err, errsize, "cannot work out where the OpenClaw config lives");
		goto out;
	}
	if (read_root(&ld, path) < 0)
		goto out;
	set_roots(&ld, cfg->path);
	ld.chain[ld.depth++] = cfg->path;
	if (process(&ld, &cfg->root, cfg->path) < 0 || substitute_all(&ld, cfg->root) < 0)
		goto out;
	check_keys(cfg);
	if (oc_check_values(cfg, err, errsize) < 0)
		goto out;
	ret = 0;
out:
	for (size_t i = 0; i < ld.root_count; i++) {
		free(ld.roots[i]);
		free(ld.real_roots[i]);
	}
	if (ret < 0) {
		if (!err[0])
			snprintf(err, errsize, "%s: out of memory",
				 cfg->path ? cfg->path : "config");
		oc_config_free(cfg);
	}
	return ret;
}

void oc_config_free(struct oc_config *cfg)
{
	oc_roster_free(cfg->roster);
	json_object_put(cfg->root);
	free(cfg->path);
	free(cfg->home);
	free(cfg->state_dir);
	for (size_t i = 0; i < cfg->file_count; i++)
		free(cfg->files[i]);
	for (size_t i = 0; i < cfg->warning_count; i++)
		free(cfg->warnings[i]);
	free(cfg->warnings);
	memset(cfg, 0, sizeof(*cfg));
}
