// SPDX-License-Identifier: GPL-2.0
/*
 * prometheus.c - the status object as Prometheus metrics (prometheus.h).
 */
#include "events/prometheus.h"

#include <string.h>

#include <json-c/json.h>

/* A label value: backslash, double quote and line feed escaped, as the format asks. */
static void put_label(FILE *out, const char *value)
{
	for (const char *p = value ? value : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', out);
		if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
}

static void header(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static unsigned long long field_u64(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(obj, key, &v) ? json_object_get_uint64(v) : 0;
}

static void scalar(FILE *out, struct json_object *status, const char *key, const char *name,
		   const char *type, const char *help)
{
	header(out, name, type, help);
	fprintf(out, "%s %llu\n", name, field_u64(status, key));
}

static void flag(FILE *out, struct json_object *status, const char *key, const char *name,
		 const char *help)
{
	struct json_object *v;

	header(out, name, "gauge", help);
	fprintf(out, "%s %d\n", name,
		json_object_object_get_ex(status, key, &v) && json_object_get_boolean(v));
}

/* Bound scopes by mode, and one info series per scope naming its agent and session. */
static void scopes(FILE *out, struct json_object *bindings)
{
	size_t n = json_object_array_length(bindings), enforce = 0, removed = 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(bindings, i), *v;

		if (json_object_object_get_ex(b, "removed", &v) && json_object_get_boolean(v))
			removed++;
		else if (json_object_object_get_ex(b, "mode", &v) &&
			 !strcmp(json_object_get_string(v), "enforce"))
			enforce++;
	}
	header(out, "clawlock_bound_scopes", "gauge",
	       "Cgroups bound to a policy, by mode (removed: denies everything until empty).");
	fprintf(out, "clawlock_bound_scopes{mode=\"enforce\"} %zu\n", enforce);
	fprintf(out, "clawlock_bound_scopes{mode=\"audit\"} %zu\n", n - enforce - removed);
	fprintf(out, "clawlock_bound_scopes{mode=\"removed\"} %zu\n", removed);
	header(out, "clawlock_scope_info", "gauge", "One series per bound scope, value 1.");
	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(bindings, i), *v;
		static const char *const labels[] = { "cgroup", "agent", "session", "mode" };

		fputs("clawlock_scope_info{", out);
		for (size_t l = 0; l < 4; l++) {
			fprintf(out, "%s%s=\"", l ? "," : "", labels[l]);
			if (json_object_object_get_ex(b, labels[l], &v) && v)
				put_label(out, json_object_get_string(v));
			fputc('"', out);
		}
		fputs("} 1\n", out);
	}
}

static void ops(FILE *out, struct json_object *ops)
{
	static const char *const results[] = { "allowed", "denied", "audited" };

	header(out, "clawlock_requests_total", "counter",
	       "Requests of confined tasks decided, by operation and result.");
	json_object_object_foreach (ops, op, o) {
		for (size_t r = 0; r < 3; r++)
			fprintf(out, "clawlock_requests_total{op=\"%s\",result=\"%s\"} %llu\n", op,
				results[r], field_u64(o, results[r]));
	}
}

int cl_status_prometheus(struct json_object *status, FILE *out)
{
	struct json_object *v;

	flag(out, status, "bpfLsmActive", "clawlock_bpf_lsm_active",
	     "1 if BPF LSM is in the kernel's active LSM list.");
	flag(out, status, "loaded", "clawlock_loaded",
	     "1 if clawlock's programs are attached and pinned.");
	if (json_object_object_get_ex(status, "generation", &v)) {
		scalar(out, status, "generation", "clawlock_generation", "gauge",
		       "The live policy generation; moves at every switch.");
		scalar(out, status, "policies", "clawlock_policies", "gauge",
		       "Compiled policies installed.");
		scalar(out, status, "denied", "clawlock_denied_total", "counter",
		       "Requests denied.");
		scalar(out, status, "audited", "clawlock_audited_total", "counter",
		       "Requests that audit mode let through but reported.");
		scalar(out, status, "eventsDropped", "clawlock_events_dropped_total", "counter",
		       "Event records lost to a full ring buffer.");
		scalar(out, status, "eventsRateLimited", "clawlock_events_rate_limited_total",
		       "counter", "Event records the per-cgroup rate limit held back.");
		scalar(out, status, "walkLimitDenials", "clawlock_walk_limit_denials_total",
		       "counter", "Denials because a path walk reached its bound.");
		scalar(out, status, "walkCacheHits", "clawlock_walk_cache_hits_total", "counter",
		       "File decisions the walk cache ended early.");
		scalar(out, status, "walkCacheStores", "clawlock_walk_cache_stores_total",
		       "counter", "Walk ends stored in the walk cache.");
	}
	if (json_object_object_get_ex(status, "bindings", &v))
		scopes(out, v);
	if (json_object_object_get_ex(status, "ops", &v))
		ops(out, v);
	return ferror(out) ? -1 : 0;
}
