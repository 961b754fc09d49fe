// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - turn run-bench's measurements into the benchmark report.
 *
 *   report OUTDIR RAW.jsonl...
 *
 * For each kernel, configuration and operation: the median ns per op over
 * the rounds, the spread (min and max), and the ratio of the median to the
 * median of the same operation with no clawlock program attached ("none"),
 * measured in the same boot. Writes OUTDIR/report.md and OUTDIR/report.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define MAX_SAMPLES 64

struct cell {
	char kernel[64], config[32], op[16];
	double ns[MAX_SAMPLES];
	int count;
};

static struct cell *cells;
static size_t ncells;

static struct cell *cell_for(const char *kernel, const char *config, const char *op)
{
	struct cell *c;

	for (size_t i = 0; i < ncells; i++) {
		c = &cells[i];
		if (!strcmp(c->kernel, kernel) && !strcmp(c->config, config) && !strcmp(c->op, op))
			return c;
	}
	cells = realloc(cells, (ncells + 1) * sizeof(*cells));
	if (!cells) {
		perror("report");
		exit(1);
	}
	c = &cells[ncells++];
	memset(c, 0, sizeof(*c));
	snprintf(c->kernel, sizeof(c->kernel), "%s", kernel);
	snprintf(c->config, sizeof(c->config), "%s", config);
	snprintf(c->op, sizeof(c->op), "%s", op);
	return c;
}

static const char *field(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static int read_raw(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t size = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while (getline(&line, &size, f) > 0) {
		struct json_object *o = json_tokener_parse(line), *v;
		struct cell *c;

		if (!o || !json_object_object_get_ex(o, "nsPerOp", &v))
			goto next;
		c = cell_for(field(o, "kernel"), field(o, "config"), field(o, "op"));
		if (c->count < MAX_SAMPLES)
			c->ns[c->count++] = json_object_get_double(v);
next:
		json_object_put(o);
	}
	free(line);
	fclose(f);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(struct cell *c)
{
	qsort(c->ns, c->count, sizeof(double), cmp_double);
	if (!c->count)
		return 0;
	return c->count % 2 ? c->ns[c->count / 2]
			    : (c->ns[c->count / 2 - 1] + c->ns[c->count / 2]) / 2;
}

static const char *const ops[] = { "open", "stat", "exec", "connect", "sendto", "mkdir", "rename" };
static const char *const configs[] = {
	"none", "unconfined", "openclaw", "large", "deep", "landlock"
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct cell *find(const char *kernel, const char *config, const char *op)
{
	for (size_t i = 0; i < ncells; i++) {
		if (!strcmp(cells[i].kernel, kernel) && !strcmp(cells[i].config, config) &&
		    !strcmp(cells[i].op, op))
			return &cells[i];
	}
	return NULL;
}

static void write_kernel(FILE *md, struct json_object *doc, const char *kernel)
{
	struct json_object *rows = json_object_new_array();

	fprintf(md,
		"\n### %s\n\nMedian ns per operation (min–max over rounds), and the ratio "
		"to `none`.\n\n| config |",
		kernel);
	for (size_t o = 0; o < COUNT(ops); o++)
		fprintf(md, " %s |", ops[o]);
	fprintf(md, "\n|---|");
	for (size_t o = 0; o < COUNT(ops); o++)
		fprintf(md, "---|");
	fprintf(md, "\n");
	for (size_t k = 0; k < COUNT(configs); k++) {
		fprintf(md, "| %s |", configs[k]);
		for (size_t o = 0; o < COUNT(ops); o++) {
			struct cell *c = find(kernel, configs[k], ops[o]);
			struct cell *base = find(kernel, "none", ops[o]);
			double m, b;
			struct json_object *row;

			if (!c || !c->count) {
				fprintf(md, " – |");
				continue;
			}
			m = median(c);
			b = base && base->count ? median(base) : 0;
			fprintf(md, " %.0f (%.0f–%.0f) ×%.3f |", m, c->ns[0], c->ns[c->count - 1],
				b ? m / b : 0);
			row = json_object_new_object();
			json_object_object_add(row, "config", json_object_new_string(configs[k]));
			json_object_object_add(row, "op", json_object_new_string(ops[o]));
			json_object_object_add(row, "rounds", json_object_new_int(c->count));
			json_object_object_add(row, "medianNs", json_object_new_double(m));
			json_object_object_add(row, "minNs", json_object_new_double(c->ns[0]));
			json_object_object_add(row, "maxNs",
					       json_object_new_double(c->ns[c->count - 1]));
			json_object_object_add(row, "ratioToNone",
					       b ? json_object_new_double(m / b) : NULL);
			json_object_array_add(rows, row);
		}
		fprintf(md, "\n");
	}
	json_object_object_add(doc, kernel, rows);
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
	snprintf(path, sizeof(path), "%s/report.md", argv[1]);
	md = fopen(path, "w");
	if (!md) {
		perror(path);
		return 1;
	}
	fprintf(md, "# clawlock microbenchmarks\n");
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
	free(cells);
	printf("report: %s/report.md and report.json\n", argv[1]);
	return 0;
}
