// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_lifecycle.c - clawlock load, unload and status.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <json-c/json.h>

#include "bpfstate.h"
#include "commands.h"
#include "scopes.h"
#include "util.h"

static const char load_help[] =
	"Usage: clawlock load\n"
	"\n"
	"Attach clawlock's eBPF-LSM programs and pin programs, links and maps\n"
	"under " CL_PIN_ROOT ". Enforcement then holds without any clawlock\n"
	"process running. Loading twice is harmless.\n"
	"\n"
	"Refuses (exit 1) when BPF LSM is not in the kernel's active LSM list\n"
	"(/sys/kernel/security/lsm) or the kernel rejects the programs.\n";

static const char unload_help[] =
	"Usage: clawlock unload\n"
	"\n"
	"Detach every clawlock program and remove everything pinned under\n" CL_PIN_ROOT
	". Processes in agent cgroups are no longer confined\n"
	"afterwards. Refuses (exit 1) when BPF LSM is not active.\n";

static const char status_help[] =
	"Usage: clawlock status [--json]\n"
	"\n"
	"Show whether BPF LSM is active and clawlock is loaded, the bound cgroups\n"
	"with their agent, session and policy, and the deny/audit/drop counters.\n"
	"\n"
	"  --json   one JSON object instead of text\n";

/* Commands without options: accept --help only. */
static int no_options(int argc, char **argv, const char *help)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(help, stdout);
		return 1;
	}
	if (argc > 1) {
		cl_error("%s: unexpected argument '%s' (see --help)", argv[0], argv[1]);
		return -1;
	}
	return 0;
}

int cl_cmd_load(int argc, char **argv)
{
	int ret = no_options(argc, argv, load_help);

	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	return cl_bpf_load() ? CL_EXIT_FAILURE : CL_EXIT_OK;
}

int cl_cmd_unload(int argc, char **argv)
{
	int ret = no_options(argc, argv, unload_help);
	char why[640];

	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	if (cl_bpf_lsm_check(why, sizeof(why)) < 0) {
		cl_error("%s", why);
		return CL_EXIT_FAILURE;
	}
	if (!cl_bpf_loaded()) {
		cl_info("not loaded; nothing to remove");
		return cl_bpf_unload() ? CL_EXIT_FAILURE : CL_EXIT_OK;
	}
	if (cl_bpf_unload())
		return CL_EXIT_FAILURE;
	cl_info("unloaded: nothing is pinned under %s", CL_PIN_ROOT);
	return CL_EXIT_OK;
}

static const char *const origin_names[] = {
	[CL_ORIGIN_RUN] = "run",
	[CL_ORIGIN_APPLY] = "apply",
	[CL_ORIGIN_ATTACH] = "attach",
};

static struct json_object *scope_json(const struct cl_scope *scope)
{
	struct json_object *item = json_object_new_object();
	const struct cl_scope_info *info = &scope->info;

	json_object_object_add(item, "cgroupId", json_object_new_uint64(scope->cgroup_id));
	json_object_object_add(item, "cgroup",
			       info->cgroup[0] ? json_object_new_string(info->cgroup) : NULL);
	json_object_object_add(item, "agent", json_object_new_string(info->agent));
	json_object_object_add(item, "session",
			       info->session[0] ? json_object_new_string(info->session) : NULL);
	json_object_object_add(item, "policy", json_object_new_int64(scope->binding.policy_id));
	json_object_object_add(
		item, "mode",
		json_object_new_string(scope->binding.mode == CL_MODE_AUDIT ? "audit" : "enforce"));
	json_object_object_add(item, "origin",
			       json_object_new_string(info->origin <= CL_ORIGIN_ATTACH
							      ? origin_names[info->origin]
							      : "unknown"));
	json_object_object_add(item, "removed",
			       json_object_new_boolean(info->flags & CL_SCOPE_REMOVED));
	return item;
}

static struct json_object *bindings_json(struct cl_maps *maps)
{
	struct json_object *list = json_object_new_array();
	struct cl_scopes set;

	if (cl_scopes_read(maps, &set) < 0)
		return list;
	for (size_t i = 0; i < set.count; i++)
		json_object_array_add(list, scope_json(&set.items[i]));
	cl_scopes_free(&set);
	return list;
}

static struct json_object *status_json(void)
{
	struct json_object *status = json_object_new_object();
	struct cl_maps maps;
	char why[640];
	int active = cl_bpf_lsm_check(why, sizeof(why)) == 0;
	int loaded = active && cl_bpf_loaded();

	json_object_object_add(status, "bpfLsmActive", json_object_new_boolean(active));
	if (!active)
		json_object_object_add(status, "reason", json_object_new_string(why));
	json_object_object_add(status, "loaded", json_object_new_boolean(loaded));
	json_object_object_add(status, "pinRoot", json_object_new_string(CL_PIN_ROOT));
	if (!loaded || cl_maps_open(&maps) < 0)
		return status;
	json_object_object_add(status, "generation", json_object_new_uint64(cl_generation(&maps)));
	json_object_object_add(status, "bindings", bindings_json(&maps));
	json_object_object_add(status, "policies",
			       json_object_new_uint64(cl_map_count(maps.policies, sizeof(__u32))));
	json_object_object_add(status, "denied",
			       json_object_new_uint64(cl_stat_read(&maps, CL_STAT_DENY)));
	json_object_object_add(status, "audited",
			       json_object_new_uint64(cl_stat_read(&maps, CL_STAT_AUDIT)));
	json_object_object_add(status, "eventsDropped",
			       json_object_new_uint64(cl_stat_read(&maps, CL_STAT_EVENT_DROP)));
	json_object_object_add(status, "walkLimitDenials",
			       json_object_new_uint64(cl_stat_read(&maps, CL_STAT_WALK_LIMIT)));
	cl_maps_close(&maps);
	return status;
}

static void print_status_text(struct json_object *status)
{
	struct json_object *v, *bindings;

	json_object_object_get_ex(status, "bpfLsmActive", &v);
	printf("BPF LSM:  %s\n", json_object_get_boolean(v) ? "active" : "NOT active");
	if (json_object_object_get_ex(status, "reason", &v))
		printf("          %s\n", json_object_get_string(v));
	json_object_object_get_ex(status, "loaded", &v);
	printf("loaded:   %s\n", json_object_get_boolean(v) ? "yes (" CL_PIN_ROOT ")" : "no");
	if (!json_object_object_get_ex(status, "bindings", &bindings))
		return;
	json_object_object_get_ex(status, "generation", &v);
	printf("generation: %llu\n", (unsigned long long)json_object_get_uint64(v));
	printf("bindings: %zu\n", json_object_array_length(bindings));
	for (size_t i = 0; i < json_object_array_length(bindings); i++) {
		struct json_object *b = json_object_array_get_idx(bindings, i), *f;
		const char *agent, *session, *mode, *cgroup;
		int64_t policy;
		bool removed;

		json_object_object_get_ex(b, "agent", &f);
		agent = json_object_get_string(f);
		json_object_object_get_ex(b, "session", &f);
		session = f ? json_object_get_string(f) : "-";
		json_object_object_get_ex(b, "mode", &f);
		mode = json_object_get_string(f);
		json_object_object_get_ex(b, "cgroup", &f);
		cgroup = f ? json_object_get_string(f) : "?";
		json_object_object_get_ex(b, "policy", &f);
		policy = json_object_get_int64(f);
		json_object_object_get_ex(b, "removed", &f);
		removed = json_object_get_boolean(f);
		printf("  %s\n    agent %s  session %s  policy %lld  %s%s\n", cgroup, agent,
		       session, (long long)policy, mode,
		       removed ? "  REMOVED (denies everything until its processes exit)" : "");
	}
	static const char *const counters[] = { "denied", "audited", "eventsDropped",
						"walkLimitDenials" };
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		json_object_object_get_ex(status, counters[i], &v);
		printf("%-17s %llu\n", counters[i], (unsigned long long)json_object_get_uint64(v));
	}
}

int cl_cmd_status(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct json_object *status;
	int json = 0, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(status_help, stdout);
			return CL_EXIT_OK;
		default:
			return CL_EXIT_USAGE;
		}
	}
	status = status_json();
	if (json)
		printf("%s\n",
		       json_object_to_json_string_ext(
			       status, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print_status_text(status);
	json_object_put(status);
	return CL_EXIT_OK;
}
