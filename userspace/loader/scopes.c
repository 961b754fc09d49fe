// SPDX-License-Identifier: GPL-2.0
/*
 * scopes.c - read, edit and atomically switch the bound cgroups.
 *
 * The hooks read the generation first and take the binding slot its low bit
 * names for the whole decision (kernel/lib/identity.h, cl_identify). So the
 * slot they do not read can be rewritten freely, and the single atomic store
 * of generation + 1 is the switch: every decision sees the old set or the
 * new one, and there is no moment with neither.
 *
 * Waiting for hooks in flight: BPF LSM programs run inside an RCU read-side
 * section, so one RCU grace period (membarrier(MEMBARRIER_CMD_GLOBAL) waits
 * for one) after the switch means nobody still reads the old slot or the
 * policies only it referred to.
 */
#include "loader/scopes.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <json-c/linkhash.h>

#include "loader/cgroup.h"
#include "loader/install.h"
#include "openclaw/ocscope.h"
#include "util.h"

uint64_t cl_generation(struct cl_maps *maps)
{
	return maps->live_mem ? __atomic_load_n(&maps->live_mem->generation, __ATOMIC_SEQ_CST) : 0;
}

static void grace_period(void)
{
	static int warned;

	if (!syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		return;
	/*
	 * Not available (nohz_full CPUs). Hooks run for microseconds; a hook
	 * that still read a removed rule would deny, never allow.
	 */
	if (!warned++)
		cl_warn("membarrier: %s; waiting 100 ms instead of a grace period",
			strerror(errno));
	usleep(100000);
}

void cl_scopes_free(struct cl_scopes *set)
{
	if (set->by_cgroup)
		lh_table_free(set->by_cgroup);
	free(set->items);
	memset(set, 0, sizeof(*set));
}

static void *cgroup_key(uint64_t cgid)
{
	return (void *)(uintptr_t)cgid;
}

static long scope_position(const struct cl_scopes *set, uint64_t cgid)
{
	void *value;

	if (!set->by_cgroup || !lh_table_lookup_ex(set->by_cgroup, cgroup_key(cgid), &value))
		return -1;
	return (long)((uintptr_t)value - 1);
}

struct cl_scope *cl_scopes_find(struct cl_scopes *set, uint64_t cgid)
{
	long pos = scope_position(set, cgid);

	return pos < 0 ? NULL : &set->items[pos];
}

static int index_scope(struct cl_scopes *set, size_t pos)
{
	const void *key = cgroup_key(set->items[pos].cgroup_id);
	struct lh_entry *entry;

	if (!set->by_cgroup && !(set->by_cgroup = lh_kptr_table_new(64, NULL)))
		return -1;
	entry = lh_table_lookup_entry(set->by_cgroup, key);
	if (entry) {
		entry->v = (const void *)(uintptr_t)(pos + 1);
		return 0;
	}
	return lh_table_insert(set->by_cgroup, key, (const void *)(uintptr_t)(pos + 1));
}

int cl_scopes_put(struct cl_scopes *set, const struct cl_scope *scope)
{
	struct cl_scope *slot = cl_scopes_find(set, scope->cgroup_id);

	if (slot) {
		*slot = *scope;
		return 0;
	}
	if (set->count == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		void *grown = realloc(set->items, cap * sizeof(*set->items));

		if (!grown)
			goto nomem;
		set->items = grown;
		set->cap = cap;
	}
	set->items[set->count] = *scope;
	if (index_scope(set, set->count) < 0)
		goto nomem;
	set->count++;
	return 0;
nomem:
	cl_error("out of memory");
	return -1;
}

void cl_scopes_drop(struct cl_scopes *set, uint64_t cgid)
{
	long pos = scope_position(set, cgid);

	if (pos < 0)
		return;
	lh_table_delete(set->by_cgroup, cgroup_key(cgid));
	set->items[pos] = set->items[--set->count];
	/* Re-pointing the moved scope cannot fail: its entry exists. */
	if ((size_t)pos != set->count)
		index_scope(set, pos);
}

void cl_scope_slug(const char *agent, const char *session, char out[CL_SLUG_MAX])
{
	char key[CL_SESSION_MAX + CL_AGENT_MAX];

	cl_scope_key(agent, session, key, sizeof(key));
	cl_slugify(key, out);
}

void cl_scope_fill(struct cl_scope *scope, uint64_t cgid, uint32_t policy_id, enum cl_mode mode,
		   const char *agent, const char *session, const char *cgroup,
		   enum cl_scope_origin origin)
{
	memset(scope, 0, sizeof(*scope));
	scope->cgroup_id = cgid;
	scope->binding.policy_id = policy_id;
	scope->binding.mode = mode;
	cl_strlcpy(scope->info.agent, agent, sizeof(scope->info.agent));
	cl_strlcpy(scope->info.session, session ? session : "", sizeof(scope->info.session));
	cl_strlcpy(scope->info.cgroup, cgroup ? cgroup : "", sizeof(scope->info.cgroup));
	scope->info.origin = origin;
}

struct read_scan {
	struct cl_scopes *set;
	uint32_t slot;
};

static int read_binding(const void *key, const void *value, void *ctx)
{
	const struct cl_binding_key *k = key;
	struct read_scan *scan = ctx;
	struct cl_scope scope;

	if (k->slot != scan->slot)
		return 0;
	memset(&scope, 0, sizeof(scope));
	scope.cgroup_id = k->cgroup_id;
	memcpy(&scope.binding, value, sizeof(scope.binding));
	return cl_scopes_put(scan->set, &scope);
}

static int read_info(const void *key, const void *value, void *ctx)
{
	struct read_scan *scan = ctx;
	struct cl_scope *scope;
	__u64 cgid;

	memcpy(&cgid, key, sizeof(cgid));
	scope = cl_scopes_find(scan->set, cgid);
	if (scope)
		memcpy(&scope->info, value, sizeof(scope->info));
	return 0;
}

int cl_scopes_read(struct cl_maps *maps, struct cl_scopes *set)
{
	struct read_scan scan = { .set = set, .slot = cl_generation(maps) & 1 };

	memset(set, 0, sizeof(*set));
	/* Two scans of thousands a call, not three calls a scope. */
	if (cl_map_scan(maps->bindings, 1, read_binding, &scan) < 0 ||
	    cl_map_scan(maps->scope_info, 1, read_info, &scan) < 0) {
		cl_error("cannot read the bindings: %s", strerror(errno));
		cl_scopes_free(set);
		return -1;
	}
	return 0;
}

/* What the pruning of stale bindings and scope records compares with. */
struct stale_pick {
	const struct cl_scopes *set;
	uint32_t slot;
};

static bool stale_binding(const void *key, const void *value, void *ctx)
{
	const struct cl_binding_key *k = key;
	const struct stale_pick *pick = ctx;

	(void)value;
	return k->slot == pick->slot &&
	       !cl_scopes_find((struct cl_scopes *)pick->set, k->cgroup_id);
}

static bool stale_info(const void *key, const void *value, void *ctx)
{
	const struct stale_pick *pick = ctx;
	__u64 cgid;

	(void)value;
	memcpy(&cgid, key, sizeof(cgid));
	return !cl_scopes_find((struct cl_scopes *)pick->set, cgid);
}

/* Delete the bindings of @slot that @set does not have. */
static int prune_slot(struct cl_maps *maps, const struct cl_scopes *set, uint32_t slot)
{
	struct stale_pick pick = { .set = set, .slot = slot };

	if (cl_map_prune(maps->bindings, sizeof(struct cl_binding_key), 0, stale_binding, &pick) <
	    0) {
		cl_error("cannot remove an old binding: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * What the scope records and @slot's bindings hold before a write, against
 * @set: by position in @set, whether each already holds exactly that
 * scope's. The slot usually holds the generation before the live one,
 * nearly the same set: only what changed is written.
 */
struct slot_scan {
	const struct cl_scopes *set;
	uint32_t slot;
	bool *same_binding;
	bool *same_info;
};

static int see_binding(const void *key, const void *value, void *ctx)
{
	const struct cl_binding_key *k = key;
	struct slot_scan *scan = ctx;
	long pos;

	if (k->slot != scan->slot)
		return 0;
	pos = scope_position(scan->set, k->cgroup_id);
	if (pos >= 0 && !memcmp(value, &scan->set->items[pos].binding, sizeof(struct cl_binding)))
		scan->same_binding[pos] = true;
	return 0;
}

static int see_info(const void *key, const void *value, void *ctx)
{
	struct slot_scan *scan = ctx;
	__u64 cgid;
	long pos;

	memcpy(&cgid, key, sizeof(cgid));
	pos = scope_position(scan->set, cgid);
	if (pos >= 0 && !memcmp(value, &scan->set->items[pos].info, sizeof(struct cl_scope_info)))
		scan->same_info[pos] = true;
	return 0;
}

/* The entries one map is to get: keys, values, and the scopes they are. */
struct scope_writes {
	void *keys;
	void *values;
	size_t *scopes;
	size_t count;
};

static int writes_init(struct scope_writes *w, size_t n, size_t key_size, size_t value_size)
{
	w->keys = calloc(n + 1, key_size);
	w->values = calloc(n + 1, value_size);
	w->scopes = calloc(n + 1, sizeof(*w->scopes));
	w->count = 0;
	return w->keys && w->values && w->scopes ? 0 : -1;
}

static void writes_free(struct scope_writes *w)
{
	free(w->keys);
	free(w->values);
	free(w->scopes);
}

/* Write @w into map @fd, thousands a call; a failure names its scope. */
static int writes_flush(int fd, const struct scope_writes *w, size_t key_size, size_t value_size,
			const struct cl_scopes *set)
{
	long failed = cl_map_update_many(fd, w->keys, key_size, w->values, value_size, w->count);
	const struct cl_scope *scope;

	if (failed < 0)
		return 0;
	scope = &set->items[w->scopes[failed]];
	cl_error("cannot bind cgroup %s (%llu): %s",
		 scope->info.cgroup[0] ? scope->info.cgroup : "?",
		 (unsigned long long)scope->cgroup_id, strerror(errno));
	return -1;
}

/* The scope records, then the bindings, that @scan did not find already there. */
static int write_changed(struct cl_maps *maps, const struct slot_scan *scan)
{
	const struct cl_scopes *set = scan->set;
	struct scope_writes infos, bindings;
	int ret = -1;

	if (writes_init(&infos, set->count, sizeof(__u64), sizeof(struct cl_scope_info)) < 0 ||
	    writes_init(&bindings, set->count, sizeof(struct cl_binding_key),
			sizeof(struct cl_binding)) < 0) {
		cl_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < set->count; i++) {
		const struct cl_scope *scope = &set->items[i];
		struct cl_binding_key key = { .cgroup_id = scope->cgroup_id, .slot = scan->slot };

		if (!scan->same_info[i]) {
			((__u64 *)infos.keys)[infos.count] = scope->cgroup_id;
			((struct cl_scope_info *)infos.values)[infos.count] = scope->info;
			infos.scopes[infos.count++] = i;
		}
		if (!scan->same_binding[i]) {
			((struct cl_binding_key *)bindings.keys)[bindings.count] = key;
			((struct cl_binding *)bindings.values)[bindings.count] = scope->binding;
			bindings.scopes[bindings.count++] = i;
		}
	}
	if (!writes_flush(maps->scope_info, &infos, sizeof(__u64), sizeof(struct cl_scope_info),
			  set))
		ret = writes_flush(maps->bindings, &bindings, sizeof(struct cl_binding_key),
				   sizeof(struct cl_binding), set);
out:
	writes_free(&infos);
	writes_free(&bindings);
	return ret;
}

/*
 * Write @set into @slot, which no hook reads: what is there read in two
 * scans, what changed written in batches. A lookup and an update per map
 * and scope were a third of an apply of 10,000 agents from nothing.
 */
static int write_slot(struct cl_maps *maps, const struct cl_scopes *set, uint32_t slot)
{
	struct slot_scan scan = { .set = set, .slot = slot };
	int ret = -1;

	if (prune_slot(maps, set, slot) < 0)
		return -1;
	scan.same_binding = calloc(set->count + 1, sizeof(bool));
	scan.same_info = calloc(set->count + 1, sizeof(bool));
	if (!scan.same_binding || !scan.same_info) {
		cl_error("out of memory");
		goto out;
	}
	/* A scan that fails leaves its flags false: everything is written. */
	cl_map_scan(maps->scope_info, 1, see_info, &scan);
	cl_map_scan(maps->bindings, 1, see_binding, &scan);
	ret = write_changed(maps, &scan);
out:
	free(scan.same_binding);
	free(scan.same_info);
	return ret;
}

/* Scope records of cgroups no longer bound: removed after the switch. */
static void prune_scope_info(struct cl_maps *maps, const struct cl_scopes *set)
{
	struct stale_pick pick = { .set = set };

	/* What stays (no memory) goes with the next update. */
	cl_map_prune(maps->scope_info, sizeof(__u64), 0, stale_info, &pick);
}

/* The policy ids @set refers to, sorted, for the collector. */
static uint32_t *live_policy_ids(const struct cl_scopes *set, size_t *count)
{
	uint32_t *ids = malloc((set->count + 1) * sizeof(*ids));

	if (!ids)
		return NULL;
	for (size_t i = 0; i < set->count; i++)
		ids[i] = set->items[i].binding.policy_id;
	qsort(ids, set->count, sizeof(*ids), cl_u32_cmp);
	*count = set->count;
	return ids;
}

static void collect(struct cl_maps *maps, const struct cl_scopes *set)
{
	uint32_t *keep;
	size_t count;

	keep = live_policy_ids(set, &count);
	if (!keep) {
		cl_warn("out of memory: old policies stay until the next update");
		return;
	}
	/* Before deleting: no later install of this update may reuse what goes. */
	cl_install_forget(maps);
	if (cl_policy_gc(maps, keep, count) < 0)
		cl_warn("some old rules could not be removed; the next update retries");
	free(keep);
}

void cl_scopes_reuse(struct cl_maps *maps, const struct cl_scopes *set)
{
	uint32_t *ids;
	size_t count;

	ids = live_policy_ids(set, &count);
	/* Without the offer the policies are only written again. */
	if (ids)
		cl_policy_reusable(maps, ids, count);
	free(ids);
}

void cl_scopes_abandon(struct cl_maps *maps, const struct cl_scopes *set)
{
	collect(maps, set);
}

int cl_scopes_commit(struct cl_maps *maps, const struct cl_scopes *set)
{
	uint64_t generation = cl_generation(maps);

	/* Nobody may still be reading the slot from the switch before last. */
	grace_period();
	if (write_slot(maps, set, (generation + 1) & 1) < 0)
		return -1;
	__atomic_store_n(&maps->live_mem->generation, generation + 1, __ATOMIC_SEQ_CST);
	grace_period();

	prune_scope_info(maps, set);
	collect(maps, set);
	return 0;
}

int cl_bind_one(struct cl_maps *maps, const struct cl_agent *agent, uint64_t cgid,
		const char *cgroup, const char *session, enum cl_scope_origin origin)
{
	struct cl_scopes set;
	struct cl_scope scope, *old;
	uint32_t policy_id;
	int ret = -1;

	if (cl_scopes_read(maps, &set) < 0)
		return -1;
	cl_scopes_reuse(maps, &set);
	if (cl_policy_install(maps, agent, &policy_id) < 0)
		goto out;
	old = cl_scopes_find(&set, cgid);
	if (old)
		origin = old->info.origin;
	cl_scope_fill(&scope, cgid, policy_id, agent->mode, agent->id, session, cgroup, origin);
	if (cl_scopes_put(&set, &scope) == 0 && cl_scopes_commit(maps, &set) == 0) {
		ret = 0;
	} else {
		cl_scopes_free(&set);
		if (cl_scopes_read(maps, &set) == 0)
			cl_scopes_abandon(maps, &set);
	}
out:
	cl_scopes_free(&set);
	return ret;
}

int cl_scope_make_bound(struct cl_maps *maps, const char *root, const char *path,
			const struct cl_limits *limits, const struct cl_agent *agent,
			const char *session, uint64_t *cgid)
{
	if (limits && cl_limits_any(limits) && cl_cgroup_prepare_root(root) < 0)
		return -1;
	if (cl_cgroup_create(path) < 0 || cl_cgroup_id(path, cgid) < 0)
		return -1;
	if (limits && cl_cgroup_set_limits(path, limits) < 0)
		return -1;
	return cl_bind_one(maps, agent, *cgid, path, session, CL_ORIGIN_RUN);
}
