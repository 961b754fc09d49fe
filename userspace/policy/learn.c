// SPDX-License-Identifier: GPL-2.0
/*
 * learn.c - learn mode: records of denied requests in, the smallest overlay
 * that allows them out (learn.h).
 */
#include "policy/learn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "policy/netrule.h"
#include "policy/verdict.h"

/* Operations whose target is a file a rule can name. */
static const char *const file_ops[] = { "open",	   "create", "unlink", "rename", "link",
					"setattr", "xattr",  "mmap",   "receive" };
static const char *const net_ops[] = { "connect", "sendto", "bind", "listen" };

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

#define IN_LIST(name, list) in_list(name, list, sizeof(list) / sizeof(list[0]))

static const char *str_field(struct json_object *rec, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(rec, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static long long int_field(struct json_object *rec, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(rec, key, &v) || !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int64(v);
}

/*
 * Addresses no learned rule may open: the host's loopback reaches the
 * Gateway and every local service, link-local holds the cloud metadata
 * service, and the unspecified address is the host itself.
 */
static bool dangerous_address(const struct cl_net_request *req)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };
	static const uint8_t v6_any[16];

	if (req->family == AF_INET)
		return req->addr[0] == 127 || req->addr[0] == 0 ||
		       (req->addr[0] == 169 && req->addr[1] == 254);
	return !memcmp(req->addr, v6_loopback, 16) || !memcmp(req->addr, v6_any, 16) ||
	       (req->addr[0] == 0xfe && (req->addr[1] & 0xc0) == 0x80);
}

/* "tcp 1.2.3.4 443" for a network record's target "1.2.3.4:443/tcp". */
static int net_rule_text(const char *target, char *out, size_t size, char *why, size_t whysize)
{
	struct cl_net_request req;
	char addr[INET6_ADDRSTRLEN], err[256];

	if (cl_net_target_parse(target, &req, err, sizeof(err)) < 0) {
		cl_format(why, whysize, "not an address: %s", err);
		return -1;
	}
	if (dangerous_address(&req))
		cl_format(why, whysize,
			  "would need a dangerous rule: host loopback, the host "
			  "itself or link-local (cloud metadata)");
	inet_ntop(req.family, req.addr, addr, sizeof(addr));
	cl_format(out, size, "%s %s %u", cl_net_proto_name(req.proto), addr, req.port);
	return 0;
}

/* What a record asks, as an item: its kind, target and access. */
static int classify(struct json_object *rec, struct learn_item *it, char *key, size_t keysize)
{
	const char *op = str_field(rec, "op"), *reason = str_field(rec, "reason");
	const char *target = str_field(rec, "target"), *access = str_field(rec, "access");
	char err[128];

	if (!target || !reason)
		return -1;
	it->kind = LEARN_REFUSE;
	if (!strcmp(reason, "abstract-socket-not-listed") && target[0] == '@') {
		it->kind = LEARN_UNIX;
		cl_format(key, keysize, "unix %s", target);
	} else if (!strcmp(reason, "rule") || !strcmp(reason, "no-rule")) {
		if (IN_LIST(op, file_ops) && target[0] != '/') {
			/* Some hooks can record only the name, not where it is. */
			cl_format(it->why, sizeof(it->why),
				  "only the name was recorded for %s: write this rule by hand", op);
		} else if ((IN_LIST(op, file_ops) || !strcmp(op, "unix")) && target[0] == '/') {
			it->kind = LEARN_FILE;
			cl_format(key, keysize, "%s", target);
			if (!access || cl_access_parse(access, &it->access, err, sizeof(err)) < 0)
				it->access = 0;
			if (!strcmp(op, "unix"))
				it->access = CL_ACC_WRITE;
		} else if (IN_LIST(op, net_ops)) {
			it->kind = LEARN_NET;
			if (net_rule_text(target, key, keysize, it->why, sizeof(it->why)) < 0)
				it->kind = LEARN_REFUSE;
		}
	}
	if (it->kind == LEARN_REFUSE) {
		cl_format(key, keysize, "%s %s", op, target);
		if (!it->why[0])
			cl_format(it->why, sizeof(it->why), "%s: no rule can allow this", reason);
	}
	return 0;
}

static struct learn_item *item_for(struct learn_set *set, const struct learn_item *proto,
				   const char *key)
{
	char index_key[PATH_MAX + 8];
	long pos;

	cl_format(index_key, sizeof(index_key), "%d %s", proto->kind, key);
	pos = cl_name_index_get(&set->index, index_key);
	if (pos >= 0)
		return &set->items[pos];
	if (set->count == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 32;
		struct learn_item *items = realloc(set->items, cap * sizeof(*items));

		if (!items)
			return NULL;
		set->items = items;
		set->cap = cap;
	}
	set->items[set->count] = *proto;
	set->items[set->count].target = strdup(key);
	if (!set->items[set->count].target ||
	    cl_name_index_put(&set->index, index_key, set->count) < 0) {
		free(set->items[set->count].target);
		return NULL;
	}
	return &set->items[set->count++];
}

static void count_op(struct learn_item *it, const char *op)
{
	for (int i = 0; i < LEARN_OPS; i++) {
		if (!it->ops[i][0])
			cl_format(it->ops[i], sizeof(it->ops[i]), "%s", op);
		if (!strcmp(it->ops[i], op)) {
			it->op_count[i]++;
			return;
		}
	}
}

/* Drop records: what the stream lost, so the proposal may lack it. */
static void count_drops(struct learn_set *set, struct json_object *rec)
{
	set->suppressed += int_field(rec, "rateLimited");
	set->dropped += int_field(rec, "ringFull");
}

int learn_add_record(struct learn_set *set, struct json_object *rec, const char *agent,
		     const char *session, char *err, size_t errsize)
{
	const char *decision, *op, *who, *sess;
	struct learn_item proto = { 0 }, *it;
	char key[PATH_MAX];

	decision = json_object_is_type(rec, json_type_object) ? str_field(rec, "decision") : NULL;
	if (!decision) {
		cl_format(err, errsize, "not a clawlock event record (no \"decision\")");
		return -1;
	}
	if (!strcmp(decision, "dropped")) {
		count_drops(set, rec);
		return 0;
	}
	op = str_field(rec, "op");
	who = str_field(rec, "agent");
	if (!op || !who || classify(rec, &proto, key, sizeof(key)) < 0) {
		cl_format(err, errsize,
			  "not a clawlock event record (no \"op\", \"agent\", "
			  "\"target\" or \"reason\")");
		return -1;
	}
	sess = str_field(rec, "session");
	if (strcmp(who, agent) || (session && (!sess || strcmp(sess, session))) ||
	    (strcmp(decision, "deny") && strcmp(decision, "audit")))
		return 0;
	it = item_for(set, &proto, key);
	if (!it) {
		cl_format(err, errsize, "out of memory");
		return -1;
	}
	it->access |= proto.access;
	it->count++;
	count_op(it, op);
	set->records++;
	set->suppressed += int_field(rec, "suppressed");
	return 1;
}

long learn_read_log(struct learn_set *set, const char *path, const char *agent, const char *session,
		    char *err, size_t errsize)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, reason[256];
	size_t cap = 0, lineno = 0;
	long counted = 0;

	if (!f) {
		cl_format(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		struct json_object *rec;
		int r;

		lineno++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		rec = json_tokener_parse(line);
		r = rec ? learn_add_record(set, rec, agent, session, reason, sizeof(reason)) : -1;
		json_object_put(rec);
		if (r < 0) {
			/* Say why, but quote nothing of a file that may not be ours. */
			cl_format(err, errsize, "%s:%zu: %s", path, lineno,
				  rec ? reason : "not a JSON object: not a clawlock event log");
			counted = -1;
			break;
		}
		counted += r;
	}
	free(line);
	fclose(f);
	return counted;
}

void learn_set_free(struct learn_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		free(set->items[i].target);
	free(set->items);
	cl_name_index_free(&set->index);
	memset(set, 0, sizeof(*set));
}

/* A rule being proposed: a path seen, or a directory siblings folded into. */
struct cand {
	char *path;
	uint32_t access;
	unsigned long count;
	size_t item; /* the first item it came from (its operations) */
	unsigned int folded;
	char names[120]; /* the first names folded in */
	bool dead;
};

struct cands {
	struct cand *v;
	size_t n;
	const struct cl_agent *policy;
	char err[256];
};

static bool is_home(const char *dir)
{
	const char *envs[] = { getenv("HOME"), getenv("OPENCLAW_HOME") };
	struct passwd *pw;
	bool home = !strcmp(dir, "/home") || !strcmp(dir, "/root");

	for (size_t i = 0; i < 2 && !home; i++)
		home = envs[i] && envs[i][0] == '/' && !strcmp(dir, envs[i]);
	setpwent();
	while (!home && (pw = getpwent()))
		home = pw->pw_dir && pw->pw_dir[0] == '/' && strlen(pw->pw_dir) > 1 &&
		       !strcmp(dir, pw->pw_dir);
	endpwent();
	return home;
}

/* @dir is @path or one of its ancestors. */
static bool covers(const char *dir, const char *path)
{
	size_t len = strlen(dir);

	return !strcmp(dir, "/") ||
	       (!strncmp(dir, path, len) && (path[len] == '/' || path[len] == '\0'));
}

/*
 * A directory siblings may fold into: not the root, not a home, nothing
 * the policy denies at or below it (a fold never reaches over a secret).
 */
static bool foldable(const struct cl_agent *policy, const char *dir)
{
	if (!strcmp(dir, "/") || is_home(dir))
		return false;
	for (size_t i = 0; i < policy->files.count; i++) {
		const struct cl_rule *r = &policy->files.rules[i];

		if ((r->access & CL_ACC_DENY) && !cl_path_pattern_name(r->path) &&
		    covers(dir, r->path))
			return false;
	}
	return true;
}

/*
 * What the policy already grants at @path, so that a new rule there never
 * takes away what its nearer rule replaces; -1 if a deny decides there.
 */
static int inherited(const struct cl_agent *policy, const char *path, uint32_t *access, char *why,
		     size_t whysize)
{
	struct cl_verdict v;
	char err[256];

	*access = 0;
	if (cl_verdict_file(&policy->files, path, 0, &v, err, sizeof(err)) < 0) {
		cl_format(why, whysize, "cannot be checked: %s", err);
		return -1;
	}
	if (v.rule && (v.rule->access & CL_ACC_DENY)) {
		cl_format(why, whysize, "would need a dangerous rule: %s denies it (%s)",
			  v.rule->path, v.rule->source);
		return -1;
	}
	if (v.rule)
		*access = v.rule->access;
	return 0;
}

static int cand_add(struct cands *c, const char *path, uint32_t access, unsigned long count,
		    size_t item)
{
	struct cand *v = realloc(c->v, (c->n + 1) * sizeof(*v));

	if (!v)
		return -1;
	c->v = v;
	memset(&v[c->n], 0, sizeof(v[c->n]));
	v[c->n].path = strdup(path);
	v[c->n].access = access;
	v[c->n].count = count;
	v[c->n].item = item;
	return v[c->n].path ? (int)c->n++ : -1;
}

struct sibling {
	char parent[PATH_MAX];
	size_t cand;
};

static int sibling_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sibling *)a)->parent, ((const struct sibling *)b)->parent);
}

static void note_name(struct cand *into, const char *path)
{
	const char *name = strrchr(path, '/') + 1;
	size_t len = strlen(into->names);

	into->folded++;
	if (len + strlen(name) + 3 < sizeof(into->names))
		cl_format(into->names + len, sizeof(into->names) - len, "%s%s", len ? ", " : "",
			  name);
}

/* Fold the live candidates @sib[0..n) (one parent) into that parent. */
static int fold_group(struct cands *c, const struct sibling *sib, size_t n)
{
	const char *dir = sib[0].parent;
	uint32_t access;
	char why[256];
	long into = -1;

	if (!foldable(c->policy, dir) || inherited(c->policy, dir, &access, why, sizeof(why)) < 0)
		return 0;
	for (size_t i = 0; i < c->n && into < 0; i++)
		if (!c->v[i].dead && !strcmp(c->v[i].path, dir))
			into = i;
	if (into < 0)
		into = cand_add(c, dir, access, 0, c->v[sib[0].cand].item);
	if (into < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct cand *s = &c->v[sib[i].cand];

		c->v[into].access |= s->access;
		c->v[into].count += s->count;
		note_name(&c->v[into], s->path);
		s->dead = true;
	}
	return 1;
}

/* One round: every parent with enough live children folds. 1 if any did. */
static int fold_round(struct cands *c, unsigned int min_siblings)
{
	struct sibling *sib = calloc(c->n + 1, sizeof(*sib));
	size_t n = 0, total = c->n;
	int changed = 0;

	if (!sib)
		return -1;
	for (size_t i = 0; i < total; i++) {
		if (c->v[i].dead || !strcmp(c->v[i].path, "/"))
			continue;
		cl_path_split(c->v[i].path, sib[n].parent, sizeof(sib[n].parent));
		sib[n++].cand = i;
	}
	qsort(sib, n, sizeof(*sib), sibling_cmp);
	for (size_t i = 0, j; i < n && changed >= 0; i = j) {
		for (j = i + 1; j < n && !strcmp(sib[i].parent, sib[j].parent); j++)
			;
		if (j - i >= min_siblings) {
			int r = fold_group(c, &sib[i], j - i);

			changed = r < 0 ? -1 : changed | r;
		}
	}
	free(sib);
	return changed;
}

/* Candidates under a live folded directory that grants all they ask are redundant. */
static void drop_covered(struct cands *c)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].dead || !c->v[i].folded)
			continue;
		for (size_t j = 0; j < c->n; j++) {
			struct cand *s = &c->v[j];

			if (j == i || s->dead || !covers(c->v[i].path, s->path) ||
			    (s->access & ~c->v[i].access))
				continue;
			c->v[i].count += s->count;
			note_name(&c->v[i], s->path);
			s->dead = true;
		}
	}
}

/* The file items that may be proposed, each with what is inherited at its path. */
static int file_cands(struct learn_set *set, struct cands *c)
{
	for (size_t i = 0; i < set->count; i++) {
		struct learn_item *it = &set->items[i];
		uint32_t access;

		if (it->kind != LEARN_FILE || it->why[0])
			continue;
		if (inherited(c->policy, it->target, &access, it->why, sizeof(it->why)) < 0)
			continue;
		if (cand_add(c, it->target, access | it->access, it->count, i) < 0)
			return -1;
	}
	return 0;
}

static void ops_text(const struct learn_item *it, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < LEARN_OPS && it->ops[i][0]; i++) {
		cl_format(out + len, size - len, "%s%s x%lu", i ? ", " : "", it->ops[i],
			  it->op_count[i]);
		len = strlen(out);
	}
}

static int take_files(struct learn_proposal *p, const struct learn_set *set, struct cands *c)
{
	size_t live = 0;

	for (size_t i = 0; i < c->n; i++)
		live += !c->v[i].dead;
	p->files = calloc(live + 1, sizeof(*p->files));
	if (!p->files)
		return -1;
	for (size_t i = 0; i < c->n; i++) {
		struct learn_rule *r = &p->files[p->file_count];
		char ops[128];

		if (c->v[i].dead)
			continue;
		ops_text(&set->items[c->v[i].item], ops, sizeof(ops));
		if (c->v[i].folded)
			cl_format(r->comment, sizeof(r->comment),
				  "seen %lu time%s; folded from %u names: %s", c->v[i].count,
				  c->v[i].count == 1 ? "" : "s", c->v[i].folded, c->v[i].names);
		else
			cl_format(r->comment, sizeof(r->comment), "seen %lu time%s: %s",
				  c->v[i].count, c->v[i].count == 1 ? "" : "s", ops);
		r->key = c->v[i].path;
		r->access = c->v[i].access;
		c->v[i].path = NULL;
		p->file_count++;
	}
	return 0;
}

static int take_net(struct learn_proposal *p, const struct learn_set *set)
{
	p->net = calloc(set->count + 1, sizeof(*p->net));
	p->refused = calloc(set->count + 1, sizeof(*p->refused));
	if (!p->net || !p->refused)
		return -1;
	for (size_t i = 0; i < set->count; i++) {
		const struct learn_item *it = &set->items[i];
		struct learn_rule *r = &p->net[p->net_count];
		char ops[128];

		if (it->why[0]) {
			p->refused[p->refused_count++] = it;
			continue;
		}
		if (it->kind != LEARN_NET && it->kind != LEARN_UNIX)
			continue;
		ops_text(it, ops, sizeof(ops));
		cl_format(r->comment, sizeof(r->comment), "seen %lu time%s: %s", it->count,
			  it->count == 1 ? "" : "s", ops);
		r->key = strdup(it->target);
		if (!r->key)
			return -1;
		p->net_count++;
	}
	return 0;
}

static int rule_cmp(const void *a, const void *b)
{
	return strcmp(((const struct learn_rule *)a)->key, ((const struct learn_rule *)b)->key);
}

int learn_propose(struct learn_set *set, const struct cl_agent *policy, unsigned int min_siblings,
		  struct learn_proposal *out, char *err, size_t errsize)
{
	struct cands c = { .policy = policy };
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (min_siblings < 2)
		min_siblings = 2;
	if (file_cands(set, &c) < 0)
		r = -1;
	/* Each round can fold a level; a path has fewer levels than PATH_MAX / 2. */
	for (int round = 0; r == 0 && round < PATH_MAX / 2; round++) {
		int changed = fold_round(&c, min_siblings);

		if (changed <= 0) {
			r = changed;
			break;
		}
	}
	if (r == 0)
		drop_covered(&c);
	if (r == 0 && (take_files(out, set, &c) < 0 || take_net(out, set) < 0))
		r = -1;
	for (size_t i = 0; i < c.n; i++)
		free(c.v[i].path);
	free(c.v);
	if (r < 0) {
		cl_format(err, errsize, "out of memory");
		learn_proposal_free(out);
		return -1;
	}
	qsort(out->files, out->file_count, sizeof(*out->files), rule_cmp);
	qsort(out->net, out->net_count, sizeof(*out->net), rule_cmp);
	return 0;
}

void learn_proposal_free(struct learn_proposal *p)
{
	for (size_t i = 0; i < p->file_count; i++)
		free(p->files[i].key);
	for (size_t i = 0; i < p->net_count; i++)
		free(p->net[i].key);
	free(p->files);
	free(p->net);
	free(p->refused);
	memset(p, 0, sizeof(*p));
}

/* A JSON string literal for @s (quotes, escapes): json-c writes it. */
static void put_string(FILE *out, const char *s)
{
	struct json_object *str = json_object_new_string(s);

	fputs(json_object_to_json_string_ext(str, JSON_C_TO_STRING_NOSLASHESCAPE), out);
	json_object_put(str);
}

/* Text inside a line comment: a line break in it would end the comment early. */
static void put_text(FILE *out, const char *text)
{
	for (const char *p = text; *p; p++)
		fputc(*p == '\n' || *p == '\r' ? ' ' : *p, out);
}

static void put_comment(FILE *out, const char *text)
{
	fputs(" // ", out);
	put_text(out, text);
	fputc('\n', out);
}

static void put_rules(FILE *out, const char *name, const struct learn_rule *rules, size_t n,
		      bool files)
{
	char access[32];

	if (!n)
		return;
	fprintf(out, "      %s: {\n", name);
	for (size_t i = 0; i < n; i++) {
		fputs("        ", out);
		put_string(out, rules[i].key);
		fputs(": ", out);
		put_string(out, files ? cl_access_format(rules[i].access, access, sizeof(access))
				      : "allow");
		fputc(',', out);
		put_comment(out, rules[i].comment);
	}
	fputs("      },\n", out);
}

int learn_write_overlay(FILE *out, const char *agent, const struct learn_proposal *p,
			const struct learn_set *set)
{
	fputs("// Proposed by `clawlock learn`: the smallest overlay that allows what the\n"
	      "// agent was denied. Read every rule before you use it (--policy FILE).\n",
	      out);
	fprintf(out, "// %lu records counted", set->records);
	if (set->suppressed || set->dropped)
		fprintf(out,
			"; %lu more were rate-limited and %lu lost: the run may have asked "
			"for more than this",
			set->suppressed, set->dropped);
	fputs(".\n", out);
	if (p->refused_count)
		fputs("// Not proposed (a rule would be dangerous, or no rule can allow it):\n",
		      out);
	for (size_t i = 0; i < p->refused_count; i++) {
		fputs("//   ", out);
		put_text(out, p->refused[i]->target);
		fputs(": ", out);
		put_text(out, p->refused[i]->why);
		fputc('\n', out);
	}
	fputs("{\n  version: 1,\n  agents: {\n    ", out);
	put_string(out, agent);
	fputs(": {\n", out);
	put_rules(out, "files", p->files, p->file_count, true);
	put_rules(out, "network", p->net, p->net_count, false);
	fputs("    },\n  },\n}\n", out);
	return ferror(out) ? -1 : 0;
}

/* Add the proposal's rules to @policy. */
static int add_proposal(struct cl_agent *policy, const struct learn_proposal *p, char *err,
			size_t errsize)
{
	for (size_t i = 0; i < p->file_count; i++)
		if (cl_rule_list_set(&policy->files, p->files[i].key, p->files[i].access, "learn") <
		    0) {
			cl_format(err, errsize, "out of memory");
			return -1;
		}
	for (size_t i = 0; i < p->net_count; i++) {
		struct cl_net_rule rule;

		if (cl_net_parse(p->net[i].key, "allow", &rule, err, errsize) < 0 ||
		    cl_net_list_set(&policy->net, &rule) < 0)
			return -1;
	}
	return 0;
}

/* Would @policy now allow @it, as explain decides? */
static bool now_allowed(const struct cl_agent *policy, const struct learn_item *it)
{
	struct cl_net_request req = { 0 };
	const struct cl_net_rule *deciding;
	struct cl_net_rule seen;
	struct cl_verdict v;
	char err[256];

	if (it->kind == LEARN_FILE)
		return cl_verdict_file(&policy->files, it->target, it->access, &v, err,
				       sizeof(err)) == 0 &&
		       v.allowed;
	if (cl_net_parse(it->target, "allow", &seen, err, sizeof(err)) < 0)
		return false;
	req.family = seen.family;
	req.proto = seen.proto;
	req.port = seen.port_lo;
	memcpy(req.addr, seen.addr, sizeof(req.addr));
	return cl_net_decide(&policy->net, &req, &deciding);
}

int learn_verify(const struct learn_set *set, const struct learn_proposal *p,
		 struct cl_agent *policy, size_t *checked, size_t *allowed, char *err,
		 size_t errsize)
{
	*checked = *allowed = 0;
	if (add_proposal(policy, p, err, errsize) < 0)
		return -1;
	for (size_t i = 0; i < set->count; i++) {
		const struct learn_item *it = &set->items[i];

		if (it->why[0] || (it->kind != LEARN_FILE && it->kind != LEARN_NET))
			continue;
		(*checked)++;
		*allowed += now_allowed(policy, it);
	}
	return 0;
}
