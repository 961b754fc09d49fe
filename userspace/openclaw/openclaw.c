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
#include "openclaw/openclaw.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/json5.h"
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
	va_list ap;

	va_start(ap, fmt);
	oc_vfail(ld->cfg, at, ld->err, ld->errsize, fmt, ap);
	va_end(ap);
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

int oc_vfail(const struct oc_config *cfg, struct json_object *at, char *err, size_t errsize,
	     const char *fmt, va_list ap)
{
	char where[PATH_MAX + 32], reason[1024];

	vsnprintf(reason, sizeof(reason), fmt, ap);
	oc_where(cfg, at, where, sizeof(where));
	snprintf(err, errsize, "%s: %s", where, reason);
	return -1;
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
	struct json5_options opts = { .file_id = (unsigned int)id,
				      .flags = JSON5_NO_NUL,
				      .input = JSON5_INPUT_OPENCLAW,
				      .path = resolved };
	struct json_object *doc = NULL;
	struct json5_error jerr;
	char *real = NULL, why[PATH_MAX + 256], where[PATH_MAX + 32];
	int root, fd = -1;

	/* The daemon watches every file an apply reads, a missing one too. */
	json5_note_read(resolved);
	root = check_include_path(ld, at, name, resolved, &real);
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

/* A variable from the state dir's .env or the config's env block (not the process's). */
struct env_var {
	char *name;
	char *value;
};

#define OC_MAX_ENV 512

struct env_table {
	struct env_var vars[OC_MAX_ENV];
	size_t count;
};

static const char *env_table_get(const struct env_table *t, const char *name)
{
	for (size_t i = 0; i < t->count; i++) {
		if (!strcmp(t->vars[i].name, name))
			return t->vars[i].value;
	}
	return NULL;
}

/* First wins (as OpenClaw's dotenv loading); @value is copied. */
static void env_table_add(struct env_table *t, const char *name, size_t nlen, const char *value,
			  size_t vlen)
{
	char *n = strndup(name, nlen);

	if (!n || env_table_get(t, n) || t->count >= OC_MAX_ENV) {
		free(n);
		return;
	}
	t->vars[t->count].name = n;
	t->vars[t->count].value = strndup(value, vlen);
	if (t->vars[t->count].value)
		t->count++;
	else
		free(n);
}

static void env_table_free(struct env_table *t)
{
	for (size_t i = 0; i < t->count; i++) {
		/* Values may be secrets: do not leave them in freed memory. */
		explicit_bzero(t->vars[i].value, strlen(t->vars[i].value));
		free(t->vars[i].value);
		free(t->vars[i].name);
	}
	t->count = 0;
}

static bool portable_name(const char *s, size_t len)
{
	if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	}
	return true;
}

/* One KEY=VALUE line of a .env file (the dotenv package's syntax, one line a value). */
static void dotenv_line(struct env_table *t, const char *line)
{
	const char *key, *v, *end;
	size_t klen;

	line += strspn(line, " \t");
	if (!strncmp(line, "export ", 7))
		line += 7 + strspn(line + 7, " \t");
	key = line;
	klen = strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");
	v = key + klen + strspn(key + klen, " \t");
	if (*v != '=' && !(*v == ':' && (v[1] == ' ' || v[1] == '\t')))
		return;
	v += 1 + strspn(v + 1, " \t");
	if ((*v == '"' || *v == '\'' || *v == '`') && (end = strchr(v + 1, *v))) {
		v++;
	} else {
		end = v + strcspn(v, "#\r\n");
		while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
	}
	if (portable_name(key, klen))
		env_table_add(t, key, klen, v, (size_t)(end - v));
}

/* The state dir's .env: a regular file of at most 1 MiB, else ignored (quietly, as OpenClaw). */
static void read_dotenv(struct env_table *t, const char *path)
{
	char *real, *text = NULL, *save = NULL;
	struct stat st;
	FILE *f;
	size_t n;

	/* Its values change what the config says: watched and fingerprinted too. */
	json5_note_read(path);
	real = realpath(path, NULL);
	f = real ? fopen(real, "re") : NULL;
	free(real);
	if (!f)
		return;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= (1 << 20) &&
	    (text = calloc(1, (size_t)st.st_size + 1))) {
		n = fread(text, 1, (size_t)st.st_size, f);
		text[n] = '\0';
		json5_note_bytes(path, text, n);
		for (char *line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			dotenv_line(t, line);
		explicit_bzero(text, n);
	}
	free(text);
	fclose(f);
}

static bool blank(const char *s)
{
	return !s || !s[strspn(s, " \t\r\n")];
}

/* A string with an unescaped ${VAR} in it (containsEnvVarReference). */
static bool has_reference(const char *s);

/* env.vars and env.<KEY>: non-blank strings without ${...} of their own. */
static void config_env(struct env_table *t, struct json_object *root)
{
	struct json_object *env = oc_get(root, "env"), *vars = oc_get(env, "vars");

	for (int pass = 0; pass < 2; pass++) {
		struct json_object *from = pass ? env : vars;

		if (!json_object_is_type(from, json_type_object))
			continue;
		json_object_object_foreach (from, key, value) {
			const char *v = json_object_get_string(value);

			if (!json_object_is_type(value, json_type_string) || blank(v) ||
			    has_reference(v) || !portable_name(key, strlen(key)) ||
			    (pass && (!strcmp(key, "shellEnv") || !strcmp(key, "vars"))))
				continue;
			env_table_add(t, key, strlen(key), v, strlen(v));
		}
	}
}

/*
 * A variable's value as OpenClaw sees it when it substitutes: the process
 * environment, else the state dir's .env (first wins, only for names not
 * set at all), and the config's env block where neither left a non-blank
 * value. NULL or "": missing.
 */
static const char *lookup_var(const struct env_table *dotenv, const struct env_table *config,
			      const char *name)
{
	const char *v = getenv(name);

	if (!v)
		v = env_table_get(dotenv, name);
	if (blank(v) && env_table_get(config, name))
		v = env_table_get(config, name);
	return v;
}

/* ${NAME} or $${NAME} at @p (parseEnvTokenAt): the name's length, 0 if neither. */
static size_t env_token(const char *p, bool *escaped)
{
	const char *name, *close;

	*escaped = p[0] == '$' && p[1] == '$' && p[2] == '{';
	if (!*escaped && !(p[0] == '$' && p[1] == '{'))
		return 0;
	name = p + (*escaped ? 3 : 2);
	close = strchr(name, '}');
	if (!close || close == name || !(isupper((unsigned char)*name) || *name == '_'))
		return 0;
	for (const char *c = name; c < close; c++) {
		if (!isupper((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '_')
			return 0;
	}
	return (size_t)(close - name);
}

static bool has_reference(const char *s)
{
	bool escaped;
	size_t len;

	for (const char *p = strchr(s, '$'); p; p = strchr(p + 1, '$')) {
		len = env_token(p, &escaped);
		if (len && !escaped)
			return true;
		if (len)
			p += len + 3;
	}
	return false;
}

/*
 * Does clawlock translate the value at @path? There an unresolved ${VAR}
 * is an error (a rule on a literal "${X}" path means nothing); anywhere
 * else it stays as OpenClaw leaves it, with a warning.
 */
static bool translated_key(const char *path)
{
	static const char *const fields[] = { "sandbox", "workspace", "tools", "id", NULL };
	static const char *const tools[] = { "tools.sandbox",  "tools.allow",	"tools.alsoAllow",
					     "tools.deny",     "tools.profile", "tools.exec",
					     "tools.elevated", "session.scope", NULL };
	const char *rest = NULL;

	for (int i = 0; tools[i]; i++) {
		size_t len = strlen(tools[i]);

		if (!strncmp(path, tools[i], len) && strchr(".[", path[len]))
			return true;
	}
	if (!strncmp(path, "agents.defaults.", 16))
		rest = path + 16;
	else if (!strncmp(path, "agents.entries.", 15))
		rest = strchr(path + 15, '.') ? strchr(path + 15, '.') + 1 : NULL;
	else if (!strncmp(path, "agents.list[", 12))
		rest = strchr(path, ']') && strchr(path, ']')[1] == '.' ? strchr(path, ']') + 2
									: NULL;
	for (int i = 0; rest && fields[i]; i++) {
		size_t len = strlen(fields[i]);

		if (!strncmp(rest, fields[i], len) && strchr(".[", rest[len]))
			return true;
	}
	return false;
}

struct subst {
	struct loader *ld;
	struct env_table dotenv, config;
	char path[1024]; /* the key path of the value being substituted */
};

static void warn(struct oc_config *cfg, struct json_object *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An unresolved variable: an error where clawlock translates the value, else a warning. */
static int unresolved(struct subst *st, struct json_object *at, const char *var)
{
	if (translated_key(st->path))
		return fail(st->ld, at,
			    "%s: environment variable %s is not set (nor in %s/.env or env.vars): "
			    "clawlock cannot translate a value that holds ${%s}",
			    st->path, var, st->ld->cfg->state_dir, var);
	/* The name is safe to print; its value would not be, and there is none. */
	warn(st->ld->cfg, at,
	     "%s: environment variable %s is not set: left as ${%s}, as OpenClaw "
	     "does",
	     st->path, var, var);
	return 0;
}

static int append(char **out, size_t *n, size_t *cap, const char *text, size_t len)
{
	if (*n + len + 1 > *cap) {
		char *grown = realloc(*out, *cap = (*n + len + 1) * 2);

		if (!grown)
			return -1;
		*out = grown;
	}
	memcpy(*out + *n, text, len);
	*n += len;
	(*out)[*n] = '\0';
	return 0;
}

/* Substitute ${VAR} in one string (substituteString); NULL on an error. */
static char *substitute(struct subst *st, struct json_object *at, const char *in)
{
	size_t cap = strlen(in) + 1, n = 0, len;
	char *out = calloc(1, cap), var[256];
	bool escaped;
	int ret = 0;

	for (const char *p = in; out && *p && !ret;) {
		const char *val;

		len = env_token(p, &escaped);
		if (!len) {
			ret = append(&out, &n, &cap, p++, 1);
			continue;
		}
		cl_format(var, sizeof(var), "%.*s", (int)len, p + (escaped ? 3 : 2));
		val = escaped ? NULL : lookup_var(&st->dotenv, &st->config, var);
		if (escaped || !val || !*val) {
			/* $${VAR} stands for ${VAR}; so does an unresolved one. */
			ret = (!escaped && unresolved(st, at, var) < 0)
				      ? -1
				      : append(&out, &n, &cap, p + escaped, len + 3);
		} else {
			ret = append(&out, &n, &cap, val, strlen(val));
		}
		p += len + 3 + escaped;
	}
	if (ret < 0) {
		free(out);
		return NULL;
	}
	return out;
}

static int substitute_all(struct subst *st, struct json_object *obj)
{
	size_t base = strlen(st->path);
	int ret = 0;

	if (json_object_is_type(obj, json_type_string)) {
		const char *s = json_object_get_string(obj);
		char *replaced;

		if (!strchr(s, '$'))
			return 0;
		replaced = substitute(st, obj, s);
		if (!replaced)
			return -1;
		json_object_set_string(obj, replaced);
		free(replaced);
		return 0;
	}
	if (json_object_is_type(obj, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(obj) && !ret; i++) {
			snprintf(st->path + base, sizeof(st->path) - base, "[%zu]", i);
			ret = substitute_all(st, json_object_array_get_idx(obj, i));
		}
	} else if (json_object_is_type(obj, json_type_object)) {
		json_object_object_foreach (obj, key, value) {
			snprintf(st->path + base, sizeof(st->path) - base, "%s%s", base ? "." : "",
				 key);
			if (substitute_all(st, value) < 0) {
				ret = -1;
				break;
			}
		}
	}
	st->path[base] = '\0';
	return ret;
}

/* The state dir's .env and the config's env block, then ${VAR} everywhere. */
static int resolve_env(struct loader *ld)
{
	struct subst *st = calloc(1, sizeof(*st));
	char path[PATH_MAX];
	int ret;

	if (!st)
		return -1;
	st->ld = ld;
	cl_format(path, sizeof(path), "%s/.env", ld->cfg->state_dir);
	read_dotenv(&st->dotenv, path);
	config_env(&st->config, ld->cfg->root);
	ret = substitute_all(st, ld->cfg->root);
	env_table_free(&st->dotenv);
	env_table_free(&st->config);
	free(st);
	return ret;
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

/* The keys OpenClaw 2026.9.6's strict schema allows in a sandbox block. */
static const char *const sandbox_keys[] = {
	"mode",
	"backend",
	"scope",
	"workspaceAccess",
	"workspaceRoot",
	"sessionToolsVisibility",
	"docker",
	"ssh",
	"browser",
	"prune",
	NULL,
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

void oc_trim_copy(const char *s, bool lower, char *out, size_t size)
{
	size_t n = 0, len;

	s += strspn(s, " \t\r\n");
	len = strlen(s);
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	for (size_t i = 0; i < len && n + 1 < size; i++)
		out[n++] = lower ? (char)tolower((unsigned char)s[i]) : s[i];
	out[n] = '\0';
}

/* A string value trimmed (and lower-cased), "" for anything else. */
static void trimmed_value(struct json_object *v, bool lower, char *out, size_t size)
{
	oc_trim_copy(json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "",
		     lower, out, size);
}

/* One of @allowed ("a|b|c"), when the key is set; as OpenClaw's enum schema. */
static int check_enum(struct loader *ld, struct json_object *block, const char *owner,
		      const char *key, const char *allowed)
{
	struct json_object *v;
	const char *s;
	size_t len;

	if (!json_object_object_get_ex(block, key, &v) || !json_object_is_type(v, json_type_string))
		return 0; /* absent; a value of another type is the value checks' */
	s = json_object_get_string(v);
	len = strlen(s);
	for (const char *a = allowed; *a; a += strcspn(a, "|"), a += *a == '|') {
		if (len && strcspn(a, "|") == len && !strncmp(a, s, len))
			return 0;
	}
	return fail(ld, v, "%s.%s: invalid value (allowed: %s), OpenClaw refuses the config", owner,
		    key, allowed);
}

/* docker.network "host" and "container:*" (getBlockedNetworkModeReason). */
static int check_network(struct loader *ld, struct json_object *v, const char *key,
			 bool namespace_join)
{
	char mode[64];

	trimmed_value(v, true, mode, sizeof(mode));
	if (!strcmp(mode, "host"))
		return fail(ld, v,
			    "%s: network mode \"host\" is blocked by OpenClaw (use "
			    "\"bridge\" or \"none\")",
			    key);
	if (!strncmp(mode, "container:", 10) && !namespace_join)
		return fail(ld, v,
			    "%s: network mode \"container:*\" is blocked by OpenClaw "
			    "unless dangerouslyAllowContainerNamespaceJoin is true",
			    key);
	return 0;
}

static int check_docker(struct loader *ld, struct json_object *docker, const char *owner)
{
	struct json_object *v, *join = NULL, *binds;
	char key[300], profile[32];

	json_object_object_foreach (docker, dkey, dvalue) {
		if (!known(docker_keys, dkey))
			return fail(ld, dvalue, "%s.docker: unknown key '%s' (OpenClaw refuses it)",
				    owner, dkey);
	}
	json_object_object_get_ex(docker, "dangerouslyAllowContainerNamespaceJoin", &join);
	cl_format(key, sizeof(key), "%s.docker.network", owner);
	if (json_object_object_get_ex(docker, "network", &v) &&
	    check_network(ld, v, key, json_object_get_boolean(join)) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "apparmorProfile" : "seccompProfile";

		if (!json_object_object_get_ex(docker, name, &v))
			continue;
		trimmed_value(v, true, profile, sizeof(profile));
		if (!strcmp(profile, "unconfined"))
			return fail(ld, v,
				    "%s.docker.%s: profile \"unconfined\" is blocked by OpenClaw",
				    owner, name);
	}
	if (!json_object_object_get_ex(docker, "binds", &binds) ||
	    !json_object_is_type(binds, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(binds); i++) {
		const char *spec = json_object_get_string(json_object_array_get_idx(binds, i));

		if (spec && spec[strspn(spec, " \t")] != '/')
			return fail(ld, json_object_array_get_idx(binds, i),
				    "%s.docker.binds[%zu]: bind source must be an absolute path",
				    owner, i);
	}
	return 0;
}

/*
 * A sandbox block, as OpenClaw's strict schema checks it: every key known
 * (a docker key one level too high, like sandbox.network, and the retired
 * perSession are errors, not warnings: clawlock would otherwise compile a
 * sandbox with no network rule), the enums, and the security refusals.
 */
static int check_sandbox(struct loader *ld, struct json_object *sb, const char *owner)
{
	struct json_object *docker, *browser, *v, *join = NULL;
	char key[300];

	if (!json_object_is_type(sb, json_type_object))
		return 0;
	json_object_object_foreach (sb, skey, value) {
		if (!known(sandbox_keys, skey))
			return fail(
				ld, value, "%s.sandbox: unknown key '%s' (OpenClaw refuses it%s)",
				owner, skey,
				known(docker_keys, skey) ? "; it belongs in sandbox.docker" : "");
	}
	cl_format(key, sizeof(key), "%s.sandbox", owner);
	if (check_enum(ld, sb, key, "mode", "off|non-main|all") < 0 ||
	    check_enum(ld, sb, key, "scope", "session|agent|shared") < 0 ||
	    check_enum(ld, sb, key, "workspaceAccess", "none|ro|rw") < 0)
		return -1;
	if (json_object_object_get_ex(sb, "docker", &docker) &&
	    json_object_is_type(docker, json_type_object)) {
		if (check_docker(ld, docker, key) < 0)
			return -1;
		json_object_object_get_ex(docker, "dangerouslyAllowContainerNamespaceJoin", &join);
	}
	cl_format(key, sizeof(key), "%s.sandbox.browser.network", owner);
	if (json_object_object_get_ex(sb, "browser", &browser) &&
	    json_object_object_get_ex(browser, "network", &v) &&
	    check_network(ld, v, key, json_object_get_boolean(join)) < 0)
		return -1;
	return 0;
}

/* OpenClaw: "tools cannot set both allow and alsoAllow in the same scope". */
static int check_tool_policy(struct loader *ld, struct json_object *tools, const char *owner)
{
	struct json_object *allow, *sandbox = oc_get(tools, "sandbox.tools");
	char key[300];

	if (json_object_is_type(tools, json_type_object) &&
	    json_object_object_get_ex(tools, "allow", &allow) &&
	    json_object_object_get_ex(tools, "alsoAllow", NULL))
		return fail(ld, allow,
			    "%s: cannot set both allow and alsoAllow (merge alsoAllow "
			    "into allow, or use profile + alsoAllow)",
			    owner);
	if (!sandbox || !strcmp(owner, "tools.sandbox.tools"))
		return 0;
	cl_format(key, sizeof(key), "%s.sandbox.tools", owner);
	return check_tool_policy(ld, sandbox, key);
}

static bool valid_agent_id(const char *id)
{
	size_t len = strlen(id);

	if (!len || len > 64 || !isalnum((unsigned char)id[0]))
		return false;
	return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
	       len;
}

static int check_agent(struct loader *ld, struct json_object *entry, const char *owner)
{
	char key[300];

	if (check_sandbox(ld, oc_get(entry, "sandbox"), owner) < 0)
		return -1;
	cl_format(key, sizeof(key), "%s.tools", owner);
	return check_tool_policy(ld, oc_get(entry, "tools"), key);
}

/* As OpenClaw's applySessionDefaults: a mainKey other than "main" is ignored. */
static void check_main_key(struct oc_config *cfg)
{
	struct json_object *mk = oc_get(cfg->root, "session.mainKey");
	char key[64];

	trimmed_value(mk, false, key, sizeof(key));
	if (key[0] && strcmp(key, "main"))
		warn(cfg, mk, "session.mainKey is ignored; main session is always \"main\"");
}

/* What OpenClaw's `config validate` refuses among the keys clawlock translates. */
static int validate(struct loader *ld)
{
	struct json_object *agents = oc_get(ld->cfg->root, "agents"), *roster;
	char owner[300];

	if (check_sandbox(ld, oc_get(agents, "defaults.sandbox"), "agents.defaults") < 0 ||
	    check_tool_policy(ld, oc_get(ld->cfg->root, "tools"), "tools") < 0)
		return -1;
	if (json_object_object_get_ex(agents, "entries", &roster) &&
	    json_object_is_type(roster, json_type_object)) {
		json_object_object_foreach (roster, id, entry) {
			if (!valid_agent_id(id))
				return fail(
					ld, entry,
					"agents.entries: \"%s\" is not a valid agent id "
					"(letters, digits, _ and -, at most 64, starting with a "
					"letter or digit)",
					id);
			cl_format(owner, sizeof(owner), "agents.entries.%s", id);
			if (check_agent(ld, entry, owner) < 0)
				return -1;
		}
	} else if (json_object_object_get_ex(agents, "list", &roster) &&
		   json_object_is_type(roster, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(roster); i++) {
			cl_format(owner, sizeof(owner), "agents.list[%zu]", i);
			if (check_agent(ld, json_object_array_get_idx(roster, i), owner) < 0)
				return -1;
		}
	}
	return 0;
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
	const struct json5_options opts = { .flags = JSON5_NO_NUL, .input = JSON5_INPUT_OPENCLAW };
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
	if (process(&ld, &cfg->root, cfg->path) < 0 || resolve_env(&ld) < 0)
		goto out;
	check_main_key(cfg);
	if (validate(&ld) < 0)
		goto out;
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
	for (size_t i = 0; i < cfg->owner_home_count; i++)
		free(cfg->owner_homes[i].home);
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
