// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_lifecycle.c - clawlock load, unload and status.
 */
#include <errno.h>
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <unistd.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "loader/bpfstate.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/print.h"
#include "events/daemon_state.h"
#include "events/events.h"
#include "events/prometheus.h"
#include "loader/scopes.h"
#include "loader/upgrade.h"
#include "util.h"

static const char load_help[] =
	"Usage: clawlock load [--deny-rate N] [--audit-rate N]\n"
	"\n"
	"Attach clawlock's eBPF-LSM programs and pin programs, links and maps\n"
	"under " CL_PIN_ROOT ". Enforcement then holds without any clawlock\n"
	"process running. Loading twice is harmless (and changes the rates).\n"
	"\n"
	"  --deny-rate N    denial records a second per cgroup and rule (and per\n"
	"                   operation where no rule decided) [default: 200]\n"
	"  --audit-rate N   the same for audit records [default: 1000]\n"
	"                   0: no limit. Records over it are counted, never lost\n"
	"                   silently: 'status' shows the count, and the next\n"
	"                   record of the same cgroup and rule says how many it\n"
	"                   stands for.\n"
	"\n"
	"Refuses (exit 1) when BPF LSM is not in the kernel's active LSM list\n"
	"(/sys/kernel/security/lsm) or the kernel rejects the programs.\n";

static const char unload_help[] =
	"Usage: clawlock unload\n"
	"\n"
	"Detach every clawlock program and remove everything pinned under\n" CL_PIN_ROOT
	". Processes in agent cgroups are no longer confined\n"
	"afterwards. Refuses (exit 1) when BPF LSM is not active.\n";

static const char upgrade_help[] =
	"Usage: clawlock upgrade NEW_BINARY\n"
	"\n"
	"Hand the loaded programs over to another clawlock executable, with no\n"
	"moment when nothing enforces. Run it with the clawlock that loaded them:\n"
	"only that executable may touch what it pinned (self-protection). It\n"
	"checks NEW_BINARY (owned by root, writable by nobody else, a clawlock\n"
	"that can take over), authorises it in the guard and runs it. The new\n"
	"binary attaches its programs beside the old ones (both decide, so a\n"
	"request either denies is denied), carries the maps over (bindings,\n"
	"policies, generation; a map whose values grew is copied, zero-extended),\n"
	"moves every pin under " CL_PIN_ROOT " to its objects, becomes the loader\n"
	"and only then lets the old programs go. From then on only NEW_BINARY\n"
	"manages clawlock. Stop a running daemon first (it is refused while one\n"
	"runs), and start it on NEW_BINARY after.\n"
	"\n"
	"Refuses (exit 1, the old programs still enforcing, nothing changed) a\n"
	"file that is not such a clawlock, or whose maps changed in a way no copy\n"
	"carries (another key, type or flags, smaller values or tables, or a\n"
	"change to the guard's own maps): unload and load for those.\n"
	"\n"
	"  --protocol    print the hand-over protocol this binary speaks\n"
	"  --take-over   the new binary's half (run by the old one, refused\n"
	"                unless the loader authorised this executable)\n";

static const char status_help[] =
	"Usage: clawlock status [--json | --prometheus]\n"
	"\n"
	"Show whether BPF LSM is active and clawlock is loaded, the bound cgroups\n"
	"with their agent, session and policy, and the deny/audit/drop counters.\n"
	"Exits 1 when part of it cannot be read (as a user without the rights to\n"
	"look: \"loaded\" is then unknown, with the reason).\n"
	"\n"
	"  --json         one JSON object instead of text\n"
	"  --prometheus   Prometheus text format (metrics clawlock_*), for\n"
	"                 node_exporter's textfile collector\n"
	"                 (Documentation/fleet.md)\n";

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

static int parse_rate(const char *name, const char *text, __u32 *out)
{
	char *end;
	unsigned long value;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || *end || !*text || text[0] == '-' || value > 1000000) {
		cl_error("load: %s takes a number of records a second (0 to 1000000, 0: no "
			 "limit), not '%s'",
			 name, text);
		return -1;
	}
	*out = value;
	return 0;
}

/* Change the event rate limits of a loaded clawlock. */
static int set_rates(const char *deny, const char *audit)
{
	struct cl_settings settings;
	struct cl_maps maps;
	__u32 zero = 0;
	int ret = -1;

	if (cl_maps_open(&maps) < 0)
		return -1;
	if (cl_maps_lock(&maps) == 0 && bpf_map_lookup_elem(maps.settings, &zero, &settings) == 0 &&
	    (!deny || parse_rate("--deny-rate", deny, &settings.deny_per_sec) == 0) &&
	    (!audit || parse_rate("--audit-rate", audit, &settings.audit_per_sec) == 0)) {
		if (bpf_map_update_elem(maps.settings, &zero, &settings, BPF_ANY))
			cl_error("cannot write cl_settings: %s", strerror(errno));
		else
			ret = 0;
	}
	cl_maps_close(&maps);
	if (!ret)
		cl_info("event rate limit: %u denial and %u audit records a second per cgroup "
			"and rule (0: no limit)",
			settings.deny_per_sec, settings.audit_per_sec);
	return ret;
}

int cl_cmd_load(int argc, char **argv)
{
	const char *deny = NULL, *audit = NULL;
	struct cl_opt opts[] = {
		CL_OPT_STRING("deny-rate", 0, &deny),
		CL_OPT_STRING("audit-rate", 0, &audit),
		CL_OPT_END,
	};
	int ret = cl_opts_parse(argc, argv, opts, load_help);

	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	if (optind < argc) {
		cl_error("load: unexpected argument '%s' (see --help)", argv[optind]);
		return CL_EXIT_USAGE;
	}
	if (cl_bpf_load())
		return CL_EXIT_FAILURE;
	if ((deny || audit) && set_rates(deny, audit) < 0)
		return CL_EXIT_USAGE;
	return CL_EXIT_OK;
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
	ret = cl_bpf_presence(why, sizeof(why));
	if (ret < 0) {
		cl_error("cannot unload: %s", why);
		return CL_EXIT_FAILURE;
	}
	if (!ret) {
		cl_info("not loaded; nothing to remove");
		return cl_bpf_unload() ? CL_EXIT_FAILURE : CL_EXIT_OK;
	}
	if (cl_bpf_unload())
		return CL_EXIT_FAILURE;
	cl_info("unloaded: nothing is pinned under %s", CL_PIN_ROOT);
	return CL_EXIT_OK;
}

/* --protocol: answer at once, whatever follows. */
static int print_protocol(const struct cl_opt *opt, char *arg)
{
	(void)opt;
	(void)arg;
	puts(CL_UPGRADE_PROTOCOL);
	return 1;
}

/* --take-over, as the old binary's hand-over runs it: its exit status. */
static int take_over(const struct cl_opt *opt, char *arg)
{
	(void)arg;
	*(int *)opt->dest = cl_upgrade_take_over() ? CL_EXIT_FAILURE : CL_EXIT_OK;
	return 1;
}

/* The new binary's global options: this one's -v (twice at most) and -q. */
static void candidate_options(const char *global[4])
{
	size_t n = 0;

	for (int v = 0; v < cl_verbose && n < 2; v++)
		global[n++] = "-v";
	if (cl_quiet)
		global[n++] = "-q";
	global[n] = NULL;
}

int cl_cmd_upgrade(int argc, char **argv)
{
	struct cl_daemon_info daemon;
	const char *global[4];
	int status = CL_EXIT_OK;
	struct cl_opt opts[] = {
		CL_OPT_ACTION("protocol", 0, print_protocol, NULL),
		CL_OPT_ACTION("take-over", 0, take_over, &status),
		CL_OPT_END,
	};
	int ret = cl_opts_parse(argc, argv, opts, upgrade_help);

	/* Help, --protocol and --take-over end the command there. */
	if (ret)
		return ret > 0 ? status : CL_EXIT_USAGE;
	if (optind != argc - 1) {
		cl_error("upgrade: takes the new clawlock executable, once (see --help)");
		return CL_EXIT_USAGE;
	}
	/*
	 * A daemon of this binary holds clawlock's maps open. Once the new one
	 * is the loader, the guard no longer shields this binary's processes
	 * from being traced: their descriptors would be anyone's.
	 */
	if (cl_daemon_running(&daemon) > 0) {
		cl_error(
			"upgrade: a clawlock daemon runs (pid %d): stop it first (systemctl stop "
			"clawlock), then start it on the new binary; enforcement goes on meanwhile",
			daemon.pid);
		return CL_EXIT_FAILURE;
	}
	candidate_options(global);
	if (cl_upgrade_hand_over(argv[optind], global))
		return CL_EXIT_FAILURE;
	cl_info("upgraded: %s now enforces and manages clawlock", argv[optind]);
	return CL_EXIT_OK;
}

static const char *const origin_names[] = {
	[CL_ORIGIN_RUN] = "run",
	[CL_ORIGIN_APPLY] = "apply",
	[CL_ORIGIN_ATTACH] = "attach",
	[CL_ORIGIN_CONTAINER] = "container",
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
			       json_object_new_string(info->origin <= CL_ORIGIN_CONTAINER
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

/* One op's counters, summed over CPUs: denied, audited, checked. */
static void op_sums(int fd, __u64 *values, int ncpu, __u32 op, unsigned long long sums[3])
{
	for (__u32 kind = 0; kind < CL_OPSTAT_KINDS; kind++) {
		__u32 key = op * CL_OPSTAT_KINDS + kind;

		sums[kind] = 0;
		if (bpf_map_lookup_elem(fd, &key, values))
			continue;
		for (int i = 0; i < ncpu; i++)
			sums[kind] += values[i];
	}
}

/*
 * Per op (each maps to one LSM hook or a few): requests of confined tasks
 * decided, allowed, denied, and audited (allowed, but reported).
 */
static struct json_object *ops_json(void)
{
	struct json_object *ops = json_object_new_object();
	int ncpu = libbpf_num_possible_cpus();
	int fd = bpf_obj_get(CL_PIN_ROOT "/cl_op_stats");
	__u64 *values = ncpu > 0 ? calloc(ncpu, sizeof(*values)) : NULL;

	for (__u32 op = 1; fd >= 0 && values && op < CL_OP_MAX; op++) {
		unsigned long long s[3], refused;
		struct json_object *o;

		op_sums(fd, values, ncpu, op, s);
		if (!s[CL_OPSTAT_CHECKED] && !s[CL_OPSTAT_DENIED] && !s[CL_OPSTAT_AUDITED])
			continue;
		o = json_object_new_object();
		refused = s[CL_OPSTAT_DENIED] + s[CL_OPSTAT_AUDITED];
		json_object_object_add(o, "checked", json_object_new_uint64(s[CL_OPSTAT_CHECKED]));
		json_object_object_add(
			o, "allowed",
			json_object_new_uint64(s[CL_OPSTAT_CHECKED] > refused
						       ? s[CL_OPSTAT_CHECKED] - refused
						       : 0));
		json_object_object_add(o, "denied", json_object_new_uint64(s[CL_OPSTAT_DENIED]));
		json_object_object_add(o, "audited", json_object_new_uint64(s[CL_OPSTAT_AUDITED]));
		json_object_object_add(ops, cl_op_name(op), o);
	}
	free(values);
	if (fd >= 0)
		close(fd);
	return ops;
}

/*
 * Per hook: the program's runs and time, which the kernel counts only while
 * kernel.bpf_stats_enabled is 1 (it costs a little on every hook).
 */
static struct json_object *hooks_json(int *stats_on)
{
	struct json_object *hooks = json_object_new_array();
	DIR *dir = opendir(CL_PIN_ROOT);
	struct dirent *ent;
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "re");

	*stats_on = f && fgetc(f) == '1';
	if (f)
		fclose(f);
	while (dir && (ent = readdir(dir))) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		char path[PATH_MAX];
		struct json_object *h;
		int fd;

		if (strncmp(ent->d_name, "prog_", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", CL_PIN_ROOT, ent->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		h = json_object_new_object();
		json_object_object_add(h, "program", json_object_new_string(ent->d_name + 5));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && *stats_on) {
			json_object_object_add(h, "runs", json_object_new_uint64(info.run_cnt));
			json_object_object_add(h, "runTimeNs",
					       json_object_new_uint64(info.run_time_ns));
		}
		json_object_array_add(hooks, h);
		close(fd);
	}
	if (dir)
		closedir(dir);
	return hooks;
}

/*
 * Records lost: to a full ring buffer (the kernel counts them), or taken
 * off the ring by the daemon and not written to a sink (a full disk; the
 * daemon counts them). eventsDropped is both. And who owns the live policy.
 */
static void add_dropped(struct json_object *status, uint64_t ring_full)
{
	long long unwritten = cl_daemon_unwritten();
	struct cl_daemon_info daemon;
	struct json_object *d = NULL;

	json_object_object_add(status, "eventsDropped",
			       json_object_new_uint64(ring_full + unwritten));
	json_object_object_add(status, "eventsRingFull", json_object_new_uint64(ring_full));
	json_object_object_add(status, "eventsUnwritten", json_object_new_int64(unwritten));
	if (cl_daemon_running(&daemon) > 0) {
		d = json_object_new_object();
		json_object_object_add(d, "pid", json_object_new_int64(daemon.pid));
		json_object_object_add(d, "config", json_object_new_string(daemon.config));
		json_object_object_add(d, "signedPolicy", cl_daemon_signed_policy());
	}
	json_object_object_add(status, "daemon", d);
}

/*
 * Is clawlock loaded? Said as a boolean, or as null with the reason when it
 * cannot be told (a user without the rights to look): never a false "no".
 */
static int status_loaded(struct json_object *status, int active)
{
	char why[640];
	int loaded = active ? cl_bpf_presence(why, sizeof(why)) : 0;

	json_object_object_add(status, "loaded",
			       loaded < 0 ? NULL : json_object_new_boolean(loaded));
	if (loaded < 0)
		json_object_object_add(status, "loadedUnknown", json_object_new_string(why));
	return loaded;
}

/* The status as JSON; *@complete is 0 when part of it could not be read. */
static struct json_object *status_json(int *complete)
{
	struct json_object *status = json_object_new_object();
	struct cl_maps maps;
	char why[640];
	int active = cl_bpf_lsm_check(why, sizeof(why)) == 0;
	int loaded, stats_on = 0;

	json_object_object_add(status, "bpfLsmActive", json_object_new_boolean(active));
	if (!active)
		json_object_object_add(status, "reason", json_object_new_string(why));
	loaded = status_loaded(status, active);
	json_object_object_add(status, "pinRoot", json_object_new_string(CL_PIN_ROOT));
	*complete = loaded >= 0;
	if (loaded <= 0)
		return status;
	if (cl_maps_open(&maps) < 0) {
		*complete = 0;
		return status;
	}
	json_object_object_add(status, "generation", json_object_new_uint64(cl_generation(&maps)));
	json_object_object_add(status, "bindings", bindings_json(&maps));
	json_object_object_add(status, "policies",
			       json_object_new_uint64(cl_map_count(maps.policies, sizeof(__u32))));
	json_object_object_add(status, "denied",
			       json_object_new_uint64(cl_stat_read(&maps, CL_STAT_DENY)));
	json_object_object_add(status, "audited",
			       json_object_new_uint64(cl_stat_read(&maps, CL_STAT_AUDIT)));
	add_dropped(status, cl_stat_read(&maps, CL_STAT_EVENT_DROP));
	json_object_object_add(status, "eventsRateLimited",
			       json_object_new_uint64(cl_stat_read(&maps, CL_STAT_RATE_DROP)));
	json_object_object_add(status, "walkLimitDenials",
			       json_object_new_uint64(cl_stat_read(&maps, CL_STAT_WALK_LIMIT)));
	json_object_object_add(status, "walkCacheHits",
			       json_object_new_uint64(cl_stat_read(&maps, CL_STAT_WALK_CACHE_HIT)));
	json_object_object_add(
		status, "walkCacheStores",
		json_object_new_uint64(cl_stat_read(&maps, CL_STAT_WALK_CACHE_STORE)));
	json_object_object_add(status, "ops", ops_json());
	json_object_object_add(status, "hooks", hooks_json(&stats_on));
	json_object_object_add(status, "hookStats", json_object_new_boolean(stats_on));
	cl_maps_close(&maps);
	return status;
}

static void print_ops_and_hooks(struct json_object *status)
{
	struct json_object *ops, *hooks, *v;

	if (json_object_object_get_ex(status, "ops", &ops) && json_object_object_length(ops)) {
		printf("confined requests by operation:\n");
		json_object_object_foreach (ops, name, o) {
			struct json_object *al, *d, *a;

			json_object_object_get_ex(o, "allowed", &al);
			json_object_object_get_ex(o, "denied", &d);
			json_object_object_get_ex(o, "audited", &a);
			printf("  %-16s allowed %llu  denied %llu  audited %llu\n", name,
			       (unsigned long long)json_object_get_uint64(al),
			       (unsigned long long)json_object_get_uint64(d),
			       (unsigned long long)json_object_get_uint64(a));
		}
	}
	if (!json_object_object_get_ex(status, "hooks", &hooks))
		return;
	json_object_object_get_ex(status, "hookStats", &v);
	printf("hooks attached: %zu", json_object_array_length(hooks));
	if (!json_object_get_boolean(v)) {
		printf(" (runs per hook: sysctl kernel.bpf_stats_enabled=1)\n");
		return;
	}
	printf("\n");
	for (size_t i = 0; i < json_object_array_length(hooks); i++) {
		struct json_object *h = json_object_array_get_idx(hooks, i), *p, *r, *t;

		json_object_object_get_ex(h, "program", &p);
		json_object_object_get_ex(h, "runs", &r);
		json_object_object_get_ex(h, "runTimeNs", &t);
		printf("  %-28s runs %llu  avg %llu ns\n", json_object_get_string(p),
		       (unsigned long long)json_object_get_uint64(r),
		       json_object_get_uint64(r) ? (unsigned long long)(json_object_get_uint64(t) /
									json_object_get_uint64(r))
						 : 0ULL);
	}
}

static const char *field_text(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(obj, key, &v) && v ? json_object_get_string(v) : "?";
}

/* One binding of status's list: its cgroup, then agent, session, policy, mode. */
static void print_binding(struct json_object *b)
{
	const char *agent, *session, *mode, *cgroup;
	struct json_object *f;
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
	printf("  %s\n    agent %s  session %s  policy %lld  %s%s\n", cgroup, agent, session,
	       (long long)policy, mode,
	       removed ? "  REMOVED (denies everything until its processes exit)" : "");
}

static void print_status_text(struct json_object *status)
{
	struct json_object *v, *bindings;

	json_object_object_get_ex(status, "bpfLsmActive", &v);
	printf("BPF LSM:  %s\n", json_object_get_boolean(v) ? "active" : "NOT active");
	if (json_object_object_get_ex(status, "reason", &v))
		printf("          %s\n", json_object_get_string(v));
	if (json_object_object_get_ex(status, "loadedUnknown", &v))
		printf("loaded:   unknown (%s)\n", json_object_get_string(v));
	else if (json_object_object_get_ex(status, "loaded", &v))
		printf("loaded:   %s\n",
		       json_object_get_boolean(v) ? "yes (" CL_PIN_ROOT ")" : "no");
	if (!json_object_object_get_ex(status, "bindings", &bindings))
		return;
	json_object_object_get_ex(status, "generation", &v);
	printf("generation: %llu\n", (unsigned long long)json_object_get_uint64(v));
	if (json_object_object_get_ex(status, "daemon", &v) && v) {
		struct json_object *sig, *why;

		printf("daemon:   pid %s, owns the live policy (%s)\n", field_text(v, "pid"),
		       field_text(v, "config"));
		if (json_object_object_get_ex(v, "signedPolicy", &sig) && sig)
			printf("signed:   required (allowed signers %s)\n",
			       field_text(sig, "allowedSigners"));
		if (sig && json_object_object_get_ex(sig, "refused", &why) && why)
			printf("signed:   REFUSED the last change, the live policy stays: %s\n",
			       json_object_get_string(why));
	}
	printf("bindings: %zu\n", json_object_array_length(bindings));
	for (size_t i = 0; i < json_object_array_length(bindings); i++)
		print_binding(json_object_array_get_idx(bindings, i));
	static const char *const counters[] = { "denied",	   "audited",
						"eventsDropped",   "eventsRingFull",
						"eventsUnwritten", "eventsRateLimited",
						"walkLimitDenials" };
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		json_object_object_get_ex(status, counters[i], &v);
		printf("%-17s %llu\n", counters[i], (unsigned long long)json_object_get_uint64(v));
	}
	print_ops_and_hooks(status);
}

int cl_cmd_status(int argc, char **argv)
{
	struct json_object *status;
	int json = 0, prometheus = 0, complete;
	struct cl_opt opts[] = {
		CL_OPT_FLAG("json", 'j', &json),
		CL_OPT_FLAG("prometheus", 0, &prometheus),
		CL_OPT_END,
	};
	int ret = cl_opts_parse(argc, argv, opts, status_help);

	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	status = status_json(&complete);
	ret = complete ? CL_EXIT_OK : CL_EXIT_FAILURE;
	if (prometheus) {
		if (cl_status_prometheus(status, stdout) < 0 || fflush(stdout)) {
			cl_error("status: cannot write the metrics: %s", strerror(errno));
			ret = CL_EXIT_FAILURE;
		}
	} else if (json) {
		printf("%s\n",
		       json_object_to_json_string_ext(
			       status, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		print_status_text(status);
	}
	json_object_put(status);
	return ret;
}
