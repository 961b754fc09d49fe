// SPDX-License-Identifier: GPL-2.0
/*
 * scopes.c - read, edit and atomically switch the bound cgroups.
 *
 * The hooks read the generation first and take the binding slot its low bit
 * names for the whole decision (kernel/clawlock.bpf.c, cl_identify). So the
 * slot they do not read can be rewritten freely, and the single atomic store
 * of generation + 1 is the switch: every decision sees the old set or the
 * new one, and there is no moment with neither.
 *
 * Waiting for hooks in flight: BPF LSM programs run inside an RCU read-side
 * section, so one RCU grace period (membarrier(MEMBARRIER_CMD_GLOBAL) waits
 * for one) after the switch means nobody still reads the old slot or the
 * policies only it referred to.
 */
#include "scopes.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>

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
	free(set->items);
	memset(set, 0, sizeof(*set));
}

struct cl_scope *cl_scopes_find(struct cl_scopes *set, uint64_t cgid)
{
	for (size_t i = 0; i < set->count; i++) {
		if (set->items[i].cgroup_id == cgid)
			return &set->items[i];
	}
	return NULL;
}

int cl_scopes_put(struct cl_scopes *set, const struct cl_scope *scope)
{
	struct cl_scope *slot = cl_scopes_find(set, scope->cgroup_id);

	if (!slot) {
		if (set->count == set->cap) {
			size_t cap = set->cap ? set->cap * 2 : 16;
			void *grown = realloc(set->items, cap * sizeof(*set->items));

			if (!grown) {
				cl_error("out of memory");
				return -1;
			}
			set->items = grown;
			set->cap = cap;
		}
		slot = &set->items[set->count++];
	}
	*slot = *scope;
	return 0;
}

void cl_scopes_drop(struct cl_scopes *set, uint64_t cgid)
{
	struct cl_scope *scope = cl_scopes_find(set, cgid);

	if (scope)
		*scope = set->items[--set->count];
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

int cl_scopes_read(struct cl_maps *maps, struct cl_scopes *set)
{
	struct cl_binding_key key, next;
	uint32_t slot = cl_generation(maps) & 1;
	void *prev = NULL;
	struct cl_scope scope;

	memset(set, 0, sizeof(*set));
	while (!bpf_map_get_next_key(maps->bindings, prev, &next)) {
		key = next;
		prev = &key;
		if (next.slot != slot)
			continue;
		memset(&scope, 0, sizeof(scope));
		scope.cgroup_id = next.cgroup_id;
		if (bpf_map_lookup_elem(maps->bindings, &next, &scope.binding))
			continue; /* removed meanwhile: not live any more */
		bpf_map_lookup_elem(maps->scope_info, &next.cgroup_id, &scope.info);
		if (cl_scopes_put(set, &scope) < 0) {
			cl_scopes_free(set);
			return -1;
		}
	}
	return 0;
}

/* Is (cgroup, slot) @key absent from @set? */
static int stale(const struct cl_scopes *set, const struct cl_binding_key *key)
{
	return !cl_scopes_find((struct cl_scopes *)set, key->cgroup_id);
}

/* Delete the bindings of @slot that @set does not have. */
static int prune_slot(struct cl_maps *maps, const struct cl_scopes *set, uint32_t slot)
{
	struct cl_binding_key key, next, *doomed = NULL;
	size_t n = 0, cap = 0;
	void *prev = NULL;
	int ret = 0;

	while (!bpf_map_get_next_key(maps->bindings, prev, &next)) {
		key = next;
		prev = &key;
		if (next.slot != slot || !stale(set, &next))
			continue;
		if (n == cap) {
			void *grown = realloc(doomed, (cap = cap ? cap * 2 : 64) * sizeof(*doomed));

			if (!grown) {
				free(doomed);
				cl_error("out of memory");
				return -1;
			}
			doomed = grown;
		}
		doomed[n++] = next;
	}
	for (size_t i = 0; i < n; i++) {
		if (bpf_map_delete_elem(maps->bindings, &doomed[i]) && errno != ENOENT)
			ret = -1;
	}
	free(doomed);
	if (ret)
		cl_error("cannot remove an old binding: %s", strerror(errno));
	return ret;
}

/* Write @scope into @slot unless it already holds exactly that. */
static int write_scope(struct cl_maps *maps, const struct cl_scope *scope, uint32_t slot)
{
	struct cl_binding_key key = { .cgroup_id = scope->cgroup_id, .slot = slot };
	struct cl_binding binding;
	struct cl_scope_info info;

	/*
	 * The slot usually holds the generation before the live one, nearly
	 * the same set: skipping what is unchanged keeps a one-scope update
	 * cheap on a host with thousands of scopes.
	 */
	if (bpf_map_lookup_elem(maps->scope_info, &key.cgroup_id, &info) ||
	    memcmp(&info, &scope->info, sizeof(info))) {
		if (bpf_map_update_elem(maps->scope_info, &key.cgroup_id, &scope->info, BPF_ANY))
			return -1;
	}
	if (!bpf_map_lookup_elem(maps->bindings, &key, &binding) &&
	    !memcmp(&binding, &scope->binding, sizeof(binding)))
		return 0;
	return bpf_map_update_elem(maps->bindings, &key, &scope->binding, BPF_ANY);
}

/* Write @set into @slot, which no hook reads. */
static int write_slot(struct cl_maps *maps, const struct cl_scopes *set, uint32_t slot)
{
	if (prune_slot(maps, set, slot) < 0)
		return -1;
	for (size_t i = 0; i < set->count; i++) {
		const struct cl_scope *scope = &set->items[i];

		if (write_scope(maps, scope, slot) < 0) {
			cl_error("cannot bind cgroup %s (%llu): %s",
				 scope->info.cgroup[0] ? scope->info.cgroup : "?",
				 (unsigned long long)scope->cgroup_id, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Scope records of cgroups no longer bound: removed after the switch. */
static void prune_scope_info(struct cl_maps *maps, const struct cl_scopes *set)
{
	__u64 key, next, *doomed = NULL;
	size_t n = 0, cap = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(maps->scope_info, prev, &next)) {
		key = next;
		prev = &key;
		if (cl_scopes_find((struct cl_scopes *)set, next))
			continue;
		if (n == cap) {
			void *grown = realloc(doomed, (cap = cap ? cap * 2 : 64) * sizeof(*doomed));

			if (!grown)
				break; /* left for the next update */
			doomed = grown;
		}
		doomed[n++] = next;
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(maps->scope_info, &doomed[i]);
	free(doomed);
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
	if (cl_policy_gc(maps, keep, count) < 0)
		cl_warn("some old rules could not be removed; the next update retries");
	free(keep);
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
