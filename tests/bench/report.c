// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - turn run-bench's measurements into the benchmark report.
 *
 *   report OUTDIR RAW.jsonl...
 *
 * Per kernel (each one VM boot, so every ratio is side by side):
 *  - microbenchmarks: per configuration and op, the median ns per op over
 *    the rounds, the spread (min-max), and the ratio of the median to its
 *    baseline's (no clawlock program attached; the same depth for deep);
 *  - clawlock against Landlock and AppArmor on the same rules;
 *  - the agent task (macro), median seconds and ratio;
 *  - the hooks' own clock (kernel.bpf_stats_enabled): per op, which hooks
 *    ran, how often and for how long, and their share of the op's time;
 *  - the curves: hook cost against rule count, depth and bound scopes, apply
 *    time against agents, and the denial flood's accounting;
 *  - two builds A and B (make bench-ab): the hooks' ns per op of each, the
 *    median over rounds, B / A, and the spread of the per-round ratios.
 * Writes OUTDIR/report.md and OUTDIR/report.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define MAX_SAMPLES 64
#define MAX_HOOKS   64

struct hook_cost {
	char program[64];
	double runs, ns; /* deltas over the run */
};

struct cell {
	char kernel[64], kind[16], config[32], op[32], label[32], baseline[32];
	double ns[MAX_SAMPLES];
	int count;
	double iterations;
	struct hook_cost hooks[MAX_HOOKS];
	int nhooks;
	struct json_object *line; /* the last raw line (hooks, events, apply) */
};

static struct cell *cells;
static size_t ncells;

static const char *field(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static double number(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

static struct cell *find(const char *kernel, const char *kind, const char *config, const char *op,
			 const char *label)
{
	for (size_t i = 0; i < ncells; i++) {
		struct cell *c = &cells[i];

		if (!strcmp(c->kernel, kernel) && !strcmp(c->kind, kind) &&
		    !strcmp(c->config, config) && !strcmp(c->op, op) && !strcmp(c->label, label))
			return c;
	}
	return NULL;
}

static struct cell *cell_for(struct json_object *o)
{
	const char *kernel = field(o, "kernel"), *kind = field(o, "kind");
	const char *config = field(o, "config"), *op = field(o, "op");
	const char *label = field(o, "label");
	struct cell *c = find(kernel, kind, config, op, label);

	if (c)
		return c;
	cells = realloc(cells, (ncells + 1) * sizeof(*cells));
	if (!cells) {
		perror("report");
		exit(1);
	}
	c = &cells[ncells++];
	memset(c, 0, sizeof(*c));
	snprintf(c->kernel, sizeof(c->kernel), "%s", kernel);
	snprintf(c->kind, sizeof(c->kind), "%s", kind);
	snprintf(c->config, sizeof(c->config), "%s", config);
	snprintf(c->op, sizeof(c->op), "%s", op);
	snprintf(c->label, sizeof(c->label), "%s", label);
	snprintf(c->baseline, sizeof(c->baseline), "%s", field(o, "baseline"));
	return c;
}

/* runs and runTimeNs of @program in a `status --json` document. */
static int hook_stats(struct json_object *status, const char *program, double *runs, double *ns)
{
	struct json_object *hooks;

	if (!json_object_object_get_ex(status, "hooks", &hooks))
		return -1;
	for (size_t i = 0; i < json_object_array_length(hooks); i++) {
		struct json_object *h = json_object_array_get_idx(hooks, i);

		if (!strcmp(field(h, "program"), program)) {
			*runs = number(h, "runs");
			*ns = number(h, "runTimeNs");
			return 0;
		}
	}
	return -1;
}

/* Every hook that ran between the "before" and "after" status documents. */
static void hook_deltas(struct cell *c, struct json_object *line)
{
	struct json_object *before, *after, *hooks;

	if (!json_object_object_get_ex(line, "before", &before) ||
	    !json_object_object_get_ex(line, "after", &after) ||
	    !json_object_object_get_ex(after, "hooks", &hooks))
		return;
	c->nhooks = 0;
	for (size_t i = 0; i < json_object_array_length(hooks) && c->nhooks < MAX_HOOKS; i++) {
		const char *program = field(json_object_array_get_idx(hooks, i), "program");
		double r0 = 0, t0 = 0, r1, t1;
		struct hook_cost *h;

		if (hook_stats(after, program, &r1, &t1) < 0)
			continue;
		hook_stats(before, program, &r0, &t0);
		if (r1 - r0 <= 0)
			continue;
		h = &c->hooks[c->nhooks++];
		snprintf(h->program, sizeof(h->program), "%s", program);
		h->runs = r1 - r0;
		h->ns = t1 - t0;
	}
}

static void add_line(struct json_object *o)
{
	struct cell *c = cell_for(o);
	struct json_object *v;

	if (json_object_object_get_ex(o, "nsPerOp", &v) && c->count < MAX_SAMPLES)
		c->ns[c->count++] = json_object_get_double(v);
	else if (json_object_object_get_ex(o, "ns", &v) && c->count < MAX_SAMPLES)
		c->ns[c->count++] = json_object_get_double(v);
	c->iterations = number(o, "iterations");
	hook_deltas(c, o);
	json_object_put(c->line);
	c->line = json_object_get(o);
}

static int read_raw(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t size = 0;
	int lineno = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while (getline(&line, &size, f) > 0) {
		struct json_object *o = json_tokener_parse(line);

		lineno++;
		if (!o) {
			fprintf(stderr, "report: %s:%d: not JSON, skipped\n", path, lineno);
			continue;
		}
		/*
		 * apply lines: their label is the agent count, their op how the
		 * agents' policies relate and what was applied ("distinct-first").
		 */
		if (!strcmp(field(o, "kind"), "apply")) {
			const char *policies = field(o, "policies");
			char label[32], op[64];

			snprintf(label, sizeof(label), "%s", field(o, "agents"));
			snprintf(op, sizeof(op), "%s-%s", *policies ? policies : "distinct",
				 field(o, "apply"));
			json_object_object_add(o, "label", json_object_new_string(label));
			json_object_object_add(o, "op", json_object_new_string(op));
		}
		add_line(o);
		json_object_put(o);
	}
	free(line);
	fclose(f);
	return 0;
}

/*
 * Take the KIND-setup run's hooks (the same `clawlock run` with one stat:
 * its policy install, map scans, process start) out of each KIND run, and
 * keep the hooks that ran at least once per ten ops: the op's own.
 */
static void subtract_setup(void)
{
	for (size_t i = 0; i < ncells; i++) {
		struct cell *c = &cells[i], *setup;
		char kind[32];
		int kept = 0;

		snprintf(kind, sizeof(kind), "%s-setup", c->kind);
		setup = find(c->kernel, kind, c->config, "stat", c->label);
		for (int h = 0; h < c->nhooks; h++) {
			struct hook_cost cost = c->hooks[h];

			for (int k = 0; setup && k < setup->nhooks; k++) {
				if (!strcmp(setup->hooks[k].program, cost.program)) {
					cost.runs -= setup->hooks[k].runs;
					cost.ns -= setup->hooks[k].ns;
				}
			}
			if (cost.runs < c->iterations / 10 || cost.ns < 0)
				continue;
			c->hooks[kept++] = cost;
		}
		c->nhooks = kept;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_of(double *v, int n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double median(struct cell *c)
{
	return c ? median_of(c->ns, c->count) : 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const ops[] = { "open", "stat", "exec", "connect", "sendto", "mkdir", "rename" };
static const char *const configs[] = { "none",	   "unconfined",     "openclaw",
				       "large",	   "landlock",	     "landlock-large",
				       "apparmor", "apparmor-large", "none-deep",
				       "deep",	   "landlock-deep",  "apparmor-deep" };

static int has_kind(const char *kernel, const char *kind)
{
	for (size_t i = 0; i < ncells; i++) {
		if (!strcmp(cells[i].kernel, kernel) && !strcmp(cells[i].kind, kind))
			return 1;
	}
	return 0;
}

static struct json_object *jdouble(double v)
{
	return json_object_new_double(v);
}

static struct json_object *section(struct json_object *doc, const char *name)
{
	struct json_object *s;

	if (!json_object_object_get_ex(doc, name, &s)) {
		s = json_object_new_array();
		json_object_object_add(doc, name, s);
	}
	return s;
}

static double ratio(struct cell *c, struct cell *base)
{
	double b = median(base);

	return b > 0 ? median(c) / b : 0;
}

/* The rest of a header row whose columns are the ops, and its rule. */
static void op_columns(FILE *md)
{
	for (size_t o = 0; o < COUNT(ops); o++)
		fprintf(md, " %s |", ops[o]);
	fprintf(md, "\n|---|");
	for (size_t o = 0; o < COUNT(ops); o++)
		fprintf(md, "---|");
	fprintf(md, "\n");
}

static void write_micro(FILE *md, struct json_object *doc, const char *kernel)
{
	if (!has_kind(kernel, "micro"))
		return;
	fprintf(md, "\n#### Microbenchmarks\n\nMedian ns per operation over the rounds "
		    "[min–max], and the ratio to the baseline (`none`; `none-deep` for "
		    "the deep configurations).\n\n| config |");
	op_columns(md);
	for (size_t k = 0; k < COUNT(configs); k++) {
		if (!find(kernel, "micro", configs[k], "open", ""))
			continue;
		fprintf(md, "| %s |", configs[k]);
		for (size_t o = 0; o < COUNT(ops); o++) {
			struct cell *c = find(kernel, "micro", configs[k], ops[o], "");
			struct cell *base;
			struct json_object *row;
			double r;

			if (!c || !c->count) {
				fprintf(md, " – |");
				continue;
			}
			base = find(kernel, "micro", c->baseline, ops[o], "");
			r = ratio(c, base);
			fprintf(md, " **×%.3f** %.0f [%.0f–%.0f] |", r, median(c), c->ns[0],
				c->ns[c->count - 1]);
			row = json_object_new_object();
			json_object_object_add(row, "config", json_object_new_string(configs[k]));
			json_object_object_add(row, "op", json_object_new_string(ops[o]));
			json_object_object_add(row, "baseline",
					       json_object_new_string(c->baseline));
			json_object_object_add(row, "rounds", json_object_new_int(c->count));
			json_object_object_add(row, "medianNs", jdouble(median(c)));
			json_object_object_add(row, "minNs", jdouble(c->ns[0]));
			json_object_object_add(row, "maxNs", jdouble(c->ns[c->count - 1]));
			json_object_object_add(row, "ratio", r ? jdouble(r) : NULL);
			json_object_array_add(section(doc, "micro"), row);
		}
		fprintf(md, "\n");
	}
}

/* clawlock's median over a peer's, op by op, on the same rules. */
static void write_peers(FILE *md, struct json_object *doc, const char *kernel)
{
	static const char *const pairs[][2] = {
		{ "openclaw", "landlock" },    { "openclaw", "apparmor" },
		{ "large", "landlock-large" }, { "large", "apparmor-large" },
		{ "deep", "landlock-deep" },   { "deep", "apparmor-deep" },
	};

	if (!has_kind(kernel, "micro"))
		return;
	fprintf(md, "\n#### clawlock against Landlock and AppArmor\n\nclawlock's median "
		    "over the other module's, same kernel, same rules (below 1: clawlock "
		    "is cheaper).\n\n| clawlock / peer |");
	op_columns(md);
	for (size_t p = 0; p < COUNT(pairs); p++) {
		if (!find(kernel, "micro", pairs[p][1], "open", ""))
			continue;
		fprintf(md, "| %s / %s |", pairs[p][0], pairs[p][1]);
		for (size_t o = 0; o < COUNT(ops); o++) {
			struct cell *a = find(kernel, "micro", pairs[p][0], ops[o], "");
			struct cell *b = find(kernel, "micro", pairs[p][1], ops[o], "");
			struct json_object *row;
			double r = a && b ? ratio(a, b) : 0;

			fprintf(md, r ? " ×%.3f |" : " – |", r);
			row = json_object_new_object();
			json_object_object_add(row, "clawlock",
					       json_object_new_string(pairs[p][0]));
			json_object_object_add(row, "peer", json_object_new_string(pairs[p][1]));
			json_object_object_add(row, "op", json_object_new_string(ops[o]));
			json_object_object_add(row, "ratio", r ? jdouble(r) : NULL);
			json_object_array_add(section(doc, "peers"), row);
		}
		fprintf(md, "\n");
	}
}

static void write_macro(FILE *md, struct json_object *doc, const char *kernel)
{
	static const char *const order[] = { "none",  "unconfined", "openclaw",
					     "large", "landlock",   "apparmor" };
	struct cell *base = find(kernel, "macro", "none", "agent-task", "");

	if (!base)
		return;
	fprintf(md, "\n#### Agent task\n\nUnpack a 5-file C project, `make -j2`, its "
		    "tests, `grep -rn`: median seconds [min–max] and the ratio to "
		    "`none`.\n\n| config | seconds | ratio |\n|---|---|---|\n");
	for (size_t k = 0; k < COUNT(order); k++) {
		struct cell *c = find(kernel, "macro", order[k], "agent-task", "");
		struct json_object *row;
		double m;

		if (!c || !c->count)
			continue;
		m = median(c); /* sorts the samples: min and max after it */

		fprintf(md, "| %s | %.2f [%.2f–%.2f] | ×%.3f |\n", order[k], m / 1e9,
			c->ns[0] / 1e9, c->ns[c->count - 1] / 1e9, ratio(c, base));
		row = json_object_new_object();
		json_object_object_add(row, "config", json_object_new_string(order[k]));
		json_object_object_add(row, "rounds", json_object_new_int(c->count));
		json_object_object_add(row, "medianSeconds", jdouble(median(c) / 1e9));
		json_object_object_add(row, "ratio", jdouble(ratio(c, base)));
		json_object_array_add(section(doc, "macro"), row);
	}
}

static double hooks_ns_per_op(const struct cell *c)
{
	double ns = 0;

	for (int i = 0; i < c->nhooks; i++)
		ns += c->hooks[i].ns;
	return c->iterations ? ns / c->iterations : 0;
}

/* "file_open 1.0×612" for each hook that ran at least once per two ops. */
static void hook_list(FILE *md, const struct cell *c, struct json_object *row)
{
	struct json_object *list = json_object_new_array();

	for (int i = 0; i < c->nhooks; i++) {
		const struct hook_cost *h = &c->hooks[i];
		struct json_object *o = json_object_new_object();

		fprintf(md, "%s%s %.1f×%.0f", i ? ", " : "", h->program, h->runs / c->iterations,
			h->runs ? h->ns / h->runs : 0);
		json_object_object_add(o, "program", json_object_new_string(h->program));
		json_object_object_add(o, "runsPerOp", jdouble(h->runs / c->iterations));
		json_object_object_add(o, "nsPerRun", jdouble(h->runs ? h->ns / h->runs : 0));
		json_object_array_add(list, o);
	}
	json_object_object_add(row, "hooks", list);
}

static void write_hooks(FILE *md, struct json_object *doc, const char *kernel)
{
	static const char *const order[] = { "unconfined", "openclaw", "large", "deep" };

	if (!find(kernel, "hooks", "openclaw", "open", "openclaw"))
		return;
	fprintf(md, "\n#### Where the time goes\n\nOne run per op with the kernel's BPF "
		    "statistics on: the hooks' ns per op, that as a share of the op's "
		    "median without clawlock, and each hook as runs per op × ns per "
		    "run, less a one-iteration run of the same configuration (the policy "
		    "install and map scans of `clawlock run`). The statistics' own clock "
		    "reads are in the figures.\n\n"
		    "| config | op | hook ns/op | share | hooks (runs/op × ns/run) |\n"
		    "|---|---|---|---|---|\n");
	for (size_t k = 0; k < COUNT(order); k++) {
		for (size_t o = 0; o < COUNT(ops); o++) {
			struct cell *c = find(kernel, "hooks", order[k], ops[o], order[k]);
			struct cell *base =
				find(kernel, "micro",
				     strcmp(order[k], "deep") ? "none" : "none-deep", ops[o], "");
			struct json_object *row;
			double share;

			if (!c)
				continue;
			share = median(base) ? hooks_ns_per_op(c) / median(base) : 0;
			fprintf(md, "| %s | %s | %.0f | %.1f %% | ", order[k], ops[o],
				hooks_ns_per_op(c), 100 * share);
			row = json_object_new_object();
			json_object_object_add(row, "config", json_object_new_string(order[k]));
			json_object_object_add(row, "op", json_object_new_string(ops[o]));
			json_object_object_add(row, "hookNsPerOp", jdouble(hooks_ns_per_op(c)));
			json_object_object_add(row, "shareOfBaseline", jdouble(share));
			hook_list(md, c, row);
			fprintf(md, " |\n");
			json_object_array_add(section(doc, "hooks"), row);
		}
	}
}

/* The hook ns per op of every round of @kind (ab-a or ab-b) for @config and @op. */
static int ab_rounds(const char *kernel, const char *kind, const char *config, const char *op,
		     double *out, int max)
{
	int n = 0;

	for (size_t i = 0; i < ncells && n < max; i++) {
		struct cell *c = &cells[i];

		if (!strcmp(c->kernel, kernel) && !strcmp(c->kind, kind) &&
		    !strcmp(c->config, config) && !strcmp(c->op, op))
			out[n++] = hooks_ns_per_op(c);
	}
	return n;
}

/* One row: A's and B's medians, B / A, and the lowest and highest round's ratio. */
static void ab_row(FILE *md, struct json_object *doc, const char *kernel, const char *config,
		   const char *op)
{
	double a[MAX_SAMPLES], b[MAX_SAMPLES], r[MAX_SAMPLES], ma, mb;
	int na = ab_rounds(kernel, "ab-a", config, op, a, MAX_SAMPLES);
	int nb = ab_rounds(kernel, "ab-b", config, op, b, MAX_SAMPLES);
	int n = na < nb ? na : nb;
	struct json_object *row;

	if (!n)
		return;
	/* Rounds pair up in the order they ran: A's round k beside B's. */
	for (int i = 0; i < n; i++)
		r[i] = a[i] ? b[i] / a[i] : 0;
	ma = median_of(a, na);
	mb = median_of(b, nb);
	qsort(r, n, sizeof(double), cmp_double);
	fprintf(md, "| %s | %s | %.0f | %.0f | %.3f | %.3f–%.3f |\n", config, op, ma, mb,
		ma ? mb / ma : 0, r[0], r[n - 1]);
	row = json_object_new_object();
	json_object_object_add(row, "config", json_object_new_string(config));
	json_object_object_add(row, "op", json_object_new_string(op));
	json_object_object_add(row, "aHookNsPerOp", jdouble(ma));
	json_object_object_add(row, "bHookNsPerOp", jdouble(mb));
	json_object_object_add(row, "ratio", jdouble(ma ? mb / ma : 0));
	json_object_object_add(row, "roundRatioMin", jdouble(r[0]));
	json_object_object_add(row, "roundRatioMax", jdouble(r[n - 1]));
	json_object_object_add(row, "rounds", json_object_new_int(n));
	json_object_array_add(section(doc, "ab"), row);
}

static void write_ab(FILE *md, struct json_object *doc, const char *kernel)
{
	static const char *const order[] = { "unconfined", "openclaw", "large", "deep" };

	if (!has_kind(kernel, "ab-a"))
		return;
	fprintf(md, "\n#### A against B\n\nThe hooks' ns per op of two builds, loaded in "
		    "turn in this one boot (A first in odd rounds, B first in even ones), "
		    "less each run's one-iteration setup as in \"Where the time goes\": the "
		    "median over the rounds, B / A, and the lowest and highest ratio of one "
		    "round's pair, which is the noise to read B / A against.\n\n"
		    "| config | op | A ns/op | B ns/op | B / A | rounds' B / A |\n"
		    "|---|---|---|---|---|---|\n");
	for (size_t k = 0; k < COUNT(order); k++)
		for (size_t o = 0; o < COUNT(ops); o++)
			ab_row(md, doc, kernel, order[k], ops[o]);
}

/* A curve: per label, per op, hook ns per op and wall-clock ns per op. */
static void write_curve(FILE *md, struct json_object *doc, const char *kernel, const char *kind,
			const char *config_prefix, const char *title, const char *const *labels,
			size_t nlabels, const char *const *curve_ops, size_t nops)
{
	if (!has_kind(kernel, kind))
		return;
	fprintf(md,
		"\n#### %s\n\n| %s | op | hook ns/op | op ns (wall) | hooks (runs/op × "
		"ns/run) |\n|---|---|---|---|---|\n",
		title, kind);
	for (size_t l = 0; l < nlabels; l++) {
		for (size_t o = 0; o < nops; o++) {
			char config[32];
			struct cell *c;
			struct json_object *row;

			snprintf(config, sizeof(config), "%s%s", config_prefix,
				 strcmp(kind, "rules") ? "" : labels[l]);
			c = find(kernel, kind, config, curve_ops[o], labels[l]);
			if (!c)
				continue;
			fprintf(md, "| %s | %s | %.0f | %.0f | ", labels[l], curve_ops[o],
				hooks_ns_per_op(c), median(c));
			row = json_object_new_object();
			json_object_object_add(row, kind, json_object_new_string(labels[l]));
			json_object_object_add(row, "op", json_object_new_string(curve_ops[o]));
			json_object_object_add(row, "hookNsPerOp", jdouble(hooks_ns_per_op(c)));
			json_object_object_add(row, "nsPerOp", jdouble(median(c)));
			hook_list(md, c, row);
			fprintf(md, " |\n");
			json_object_array_add(section(doc, kind), row);
		}
	}
}

static void write_apply(FILE *md, struct json_object *doc, const char *kernel)
{
	static const char *const agents[] = { "1", "10", "100", "1000", "2000", "10000" };
	static const char *const what[] = { "distinct-first",	"distinct-unchanged",
					    "distinct-changed", "shared-first",
					    "shared-unchanged", "shared-changed",
					    "openclaw-first",	"openclaw-unchanged",
					    "openclaw-changed" };

	if (!find(kernel, "apply", "", "distinct-first", "1"))
		return;
	fprintf(md, "\n#### Apply time\n\n`clawlock apply --policy` with N agents, each its "
		    "own scope (cgroup): from nothing, again unchanged, and with one agent "
		    "changed. *Distinct*: every agent has its own rules, so its own policy; "
		    "*shared*: the agents only use profiles and share one policy; *openclaw*: "
		    "`apply --openclaw` of N sandboxed OpenClaw agents sharing one workspace "
		    "(one policy). *Start* is "
		    "`clawlock version` in the same boot: starting the process, which every "
		    "apply pays. Milliseconds.\n\n| agents | start | distinct first | "
		    "unchanged | changed | shared first | unchanged | changed | openclaw first | "
		    "unchanged | changed |\n"
		    "|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t a = 0; a < COUNT(agents); a++) {
		struct json_object *row = json_object_new_object();
		struct cell *start = find(kernel, "apply", "", "distinct-start", agents[a]);

		if (!start)
			start = find(kernel, "apply", "", "shared-start", agents[a]);
		if (!find(kernel, "apply", "", "distinct-first", agents[a]) &&
		    !find(kernel, "apply", "", "shared-first", agents[a]) &&
		    !find(kernel, "apply", "", "openclaw-first", agents[a])) {
			json_object_put(row);
			continue;
		}
		fprintf(md, "| %s |", agents[a]);
		fprintf(md, start ? " %.0f |" : " – |", start ? median(start) / 1e6 : 0);
		json_object_object_add(row, "agents", json_object_new_int(atoi(agents[a])));
		if (start)
			json_object_object_add(row, "start", jdouble(median(start) / 1e6));
		for (size_t w = 0; w < COUNT(what); w++) {
			struct cell *c = find(kernel, "apply", "", what[w], agents[a]);

			fprintf(md, c ? " %.0f |" : " – |", c ? median(c) / 1e6 : 0);
			if (c)
				json_object_object_add(row, what[w], jdouble(median(c) / 1e6));
		}
		fprintf(md, "\n");
		json_object_array_add(section(doc, "apply"), row);
	}
}

static double counter_delta(struct json_object *line, const char *key)
{
	struct json_object *before, *after;

	if (!json_object_object_get_ex(line, "before", &before) ||
	    !json_object_object_get_ex(line, "after", &after))
		return 0;
	return number(after, key) - number(before, key);
}

static void write_events(FILE *md, struct json_object *doc, const char *kernel)
{
	static const char *const rates[] = { "0", "200" };

	if (!find(kernel, "events", "large", "deny", "0"))
		return;
	fprintf(md, "\n#### Denial flood\n\nOne confined process opening a denied file "
		    "100,000 times as fast as it can, `clawlock events --follow` reading. "
		    "Every denial must be a delivered event or a counted drop.\n\n"
		    "| deny rate limit | denials/s | denied | delivered | ring full | "
		    "rate-limited | unaccounted |\n|---|---|---|---|---|---|---|\n");
	for (size_t r = 0; r < COUNT(rates); r++) {
		struct cell *c = find(kernel, "events", "large", "deny", rates[r]);
		struct json_object *row;
		double denied, delivered, ring, limited;

		if (!c || !c->line)
			continue;
		denied = counter_delta(c->line, "denied");
		delivered = number(c->line, "delivered");
		ring = counter_delta(c->line, "eventsDropped");
		limited = counter_delta(c->line, "eventsRateLimited");
		fprintf(md, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |\n",
			strcmp(rates[r], "0") ? rates[r] : "off", median(c) ? 1e9 / median(c) : 0,
			denied, delivered, ring, limited, denied - delivered - ring - limited);
		row = json_object_new_object();
		json_object_object_add(row, "denyRate", json_object_new_int(atoi(rates[r])));
		json_object_object_add(row, "denialsPerSecond",
				       jdouble(median(c) ? 1e9 / median(c) : 0));
		json_object_object_add(row, "denied", jdouble(denied));
		json_object_object_add(row, "delivered", jdouble(delivered));
		json_object_object_add(row, "ringFull", jdouble(ring));
		json_object_object_add(row, "rateLimited", jdouble(limited));
		json_object_array_add(section(doc, "events"), row);
	}
}

/* One row of the backend table: calls of @op through the entry against direct spawns. */
static void backend_row(FILE *md, struct json_object *doc, const char *kernel, const char *op,
			const char *how)
{
	struct cell *direct = find(kernel, "backend", "direct", op, "");
	struct cell *via = find(kernel, "backend", "sandbox-exec", op, "");
	struct json_object *row;
	double d, v;

	if (!direct || !via || !direct->count || !via->count)
		return;
	/* median() sorts the samples: the min and max are read after it. */
	d = median(direct);
	v = median(via);
	fprintf(md, "| %s | %.2f [%.2f–%.2f] | %.2f [%.2f–%.2f] | ×%.2f | %.2f |\n", how, d / 1e6,
		direct->ns[0] / 1e6, direct->ns[direct->count - 1] / 1e6, v / 1e6, via->ns[0] / 1e6,
		via->ns[via->count - 1] / 1e6, d > 0 ? v / d : 0, (v - d) / 1e6);
	row = json_object_new_object();
	json_object_object_add(row, "calls", json_object_new_string(how));
	json_object_object_add(row, "directMs", jdouble(d / 1e6));
	json_object_object_add(row, "sandboxExecMs", jdouble(v / 1e6));
	json_object_object_add(row, "addedMs", jdouble((v - d) / 1e6));
	json_object_object_add(row, "ratio", jdouble(d > 0 ? v / d : 0));
	json_object_object_add(row, "rounds", json_object_new_int(via->count));
	json_object_array_add(section(doc, "backend"), row);
}

/* OpenClaw's backend entry against a direct spawn: what one tool call adds. */
static void write_backend(FILE *md, struct json_object *doc, const char *kernel)
{
	if (!find(kernel, "backend", "sandbox-exec", "true", ""))
		return;
	fprintf(md, "\n#### Backend entry\n\n`/bin/true` run through `clawlock sandbox exec` (a "
		    "scope whose policy is already installed) and spawned directly, alternating "
		    "in one boot, back to back and a second apart: median milliseconds per call "
		    "[min–max of the rounds].\n\n"
		    "| calls | direct spawn | sandbox exec | ratio | added ms |\n"
		    "|---|---|---|---|---|\n");
	backend_row(md, doc, kernel, "true", "back to back");
	backend_row(md, doc, kernel, "true-spaced", "a second apart");
}

static void write_kernel(FILE *md, struct json_object *all, const char *kernel)
{
	static const char *const rule_counts[] = { "10", "100", "1000", "10000", "100000" };
	static const char *const rule_ops[] = { "open", "connect" };
	static const char *const depths[] = { "1", "2", "4", "8", "16", "32", "64" };
	static const char *const scopes[] = { "1", "10", "100", "1000", "2000", "10000" };
	static const char *const open_only[] = { "open" };
	struct json_object *doc = json_object_new_object();

	fprintf(md, "\n### %s\n", kernel);
	write_micro(md, doc, kernel);
	write_peers(md, doc, kernel);
	write_macro(md, doc, kernel);
	write_hooks(md, doc, kernel);
	write_curve(md, doc, kernel, "rules", "r-", "Hook cost against rule count", rule_counts,
		    COUNT(rule_counts), rule_ops, COUNT(rule_ops));
	write_curve(md, doc, kernel, "depth", "deep", "Hook cost against depth below the rule",
		    depths, COUNT(depths), open_only, 1);
	write_curve(md, doc, kernel, "scopes", "scopes", "Hook cost against bound scopes", scopes,
		    COUNT(scopes), open_only, 1);
	write_apply(md, doc, kernel);
	write_events(md, doc, kernel);
	write_backend(md, doc, kernel);
	write_ab(md, doc, kernel);
	json_object_object_add(all, kernel, doc);
}

int main(int argc, char **argv)
{
	struct json_object *doc = json_object_new_object();
	char path[4096];
	FILE *md;

	if (argc < 3) {
		fprintf(stderr, "usage: report OUTDIR RAW.jsonl...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (read_raw(argv[i]) < 0)
			return 1;
	}
	subtract_setup();
	snprintf(path, sizeof(path), "%s/report.md", argv[1]);
	md = fopen(path, "w");
	if (!md) {
		perror(path);
		return 1;
	}
	fprintf(md, "# clawlock benchmarks\n");
	for (size_t i = 0; i < ncells; i++) {
		int seen = 0;

		for (size_t j = 0; j < i; j++)
			seen |= !strcmp(cells[j].kernel, cells[i].kernel);
		if (!seen)
			write_kernel(md, doc, cells[i].kernel);
	}
	fclose(md);
	snprintf(path, sizeof(path), "%s/report.json", argv[1]);
	if (json_object_to_file_ext(path, doc, JSON_C_TO_STRING_PRETTY) < 0) {
		fprintf(stderr, "report: cannot write %s\n", path);
		return 1;
	}
	json_object_put(doc);
	for (size_t i = 0; i < ncells; i++)
		json_object_put(cells[i].line);
	free(cells);
	printf("report: %s/report.md and report.json\n", argv[1]);
	return 0;
}
