/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lib/identity.h - who is asking: the binding that applies to a task, found by
 * walking its cgroup's ancestors, and cached per task for the current one.
 *
 * Every hook starts with one question: is the current task confined? The
 * answer comes from the nearest bound ancestor of its cgroup and is cached
 * per task, so an unconfined task pays one cgroup-id read and one task
 * storage lookup. Confined tasks are default-deny: a request is allowed only
 * when the nearest rule says so. Any lookup that cannot finish (a walk that
 * hits its bound) denies.
 */
#ifndef CLAWLOCK_LIB_IDENTITY_H
#define CLAWLOCK_LIB_IDENTITY_H

#include "lib/common.h"
#include "lib/maps.h"

/* Who is asking: the binding that applies to the current task. */
struct cl_identity {
	__u64 bound_cgroup_id;
	struct cl_binding binding;
	__u32 slot; /* the binding generation this decision reads */
};

static __always_inline void cl_count(enum cl_stat stat)
{
	__u32 key = stat;
	__u64 *value = bpf_map_lookup_elem(&cl_stats, &key);

	if (value)
		*value += 1;
}

struct cl_ancestor_walk {
	int level; /* level of the current task's cgroup */
	struct cl_identity *id;
	int found;
};

/* One step up the cgroup hierarchy, starting at the task's own cgroup. */
static long cl_ancestor_step(__u32 i, void *data)
{
	struct cl_ancestor_walk *walk = data;
	int level = walk->level - (int)i;
	struct cl_binding_key key = { .slot = walk->id->slot };
	struct cl_binding *binding;

	if (level < 0)
		return 1;
	key.cgroup_id = bpf_get_current_ancestor_cgroup_id(level);
	binding = bpf_map_lookup_elem(&cl_bindings, &key);
	if (!binding)
		return 0;
	walk->id->bound_cgroup_id = key.cgroup_id;
	walk->id->binding = *binding;
	walk->found = 1;
	return 1;
}

/*
 * Find the nearest bound ancestor of the current task's cgroup (the cgroup
 * itself included). Returns 1 if the task is confined. The walk visits every
 * level, so it cannot be cut short; if bpf_loop itself refuses, the task is
 * treated as confined by an empty policy, which denies everything.
 */
static __always_inline int cl_resolve(struct task_struct *task, struct cl_identity *id)
{
	struct cl_ancestor_walk walk = { .id = id };
	long ret;

	walk.level = BPF_CORE_READ(task, cgroups, dfl_cgrp, level);
	ret = bpf_loop(walk.level + 1, cl_ancestor_step, &walk, 0);
	if (ret < 0) {
		id->bound_cgroup_id = 0;
		id->binding.policy_id = 0;
		id->binding.mode = CL_MODE_ENFORCE;
		return 1;
	}
	return walk.found;
}

/*
 * A container runtime's process on its way into a container: moved into
 * the container's cgroup by a process that is not confined, and not yet
 * through its exec (cl_entering). Until then it runs the runtime's code,
 * which must set the process up (capabilities, seccomp, AppArmor, keys)
 * with rights the command does not get; the exec open ends it, so the
 * command's own file is checked (fs.bpf.c).
 */
static __always_inline int cl_runtime_entering(__u64 cgid)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct cl_entering *entering = bpf_map_lookup_elem(&cl_entering, &tgid);

	return entering && entering->cgroup_id == cgid &&
	       bpf_ktime_get_boot_ns() < entering->deadline_ns;
}

/* Is @task such a process (marked at all)? No one else's process may touch it. */
static __always_inline int cl_task_entering(struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);

	return bpf_map_lookup_elem(&cl_entering, &tgid) != NULL;
}

/* The current process has reached its exec: the runtime's part is over. */
static __always_inline void cl_runtime_entered(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	bpf_map_delete_elem(&cl_entering, &tgid);
}

/*
 * Is the current task confined? The answer is cached in task storage and
 * trusted while the task's cgroup and the live generation are unchanged.
 * The generation is read once, before anything else: it picks the binding
 * slot this whole decision reads, so a switch in the middle of a hook
 * cannot mix two generations, and the next hook looks again.
 */
static __always_inline int cl_identify(struct cl_identity *id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 cgid = bpf_get_current_cgroup_id();
	struct cl_task_cache *cache;
	struct cl_live *live;
	__u64 generation = 0;
	__u32 zero = 0;
	int confined;

	live = bpf_map_lookup_elem(&cl_live, &zero);
	if (live)
		generation = READ_ONCE(live->generation);
	id->slot = generation & 1;
	cache = bpf_task_storage_get(&cl_task_cache, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (live && cache && cache->valid && cache->cgroup_id == cgid &&
	    cache->generation == generation) {
		if (!cache->bound_cgroup_id || cl_runtime_entering(cgid))
			return 0;
		id->bound_cgroup_id = cache->bound_cgroup_id;
		id->binding = cache->binding;
		return 1;
	}

	confined = cl_resolve(task, id);
	/* A confinement with no bound cgroup (bpf_loop refused) is not cached. */
	if (live && cache && (!confined || id->bound_cgroup_id)) {
		cache->cgroup_id = cgid;
		cache->generation = generation;
		cache->bound_cgroup_id = confined ? id->bound_cgroup_id : 0;
		cache->binding = id->binding;
		cache->valid = 1;
	}
	return confined && !cl_runtime_entering(cgid);
}

/* Count one request of a confined task by op (cl_op_stats, CL_OPSTAT_*). */
static __always_inline void cl_op_count(__u32 op, __u32 kind)
{
	__u32 slot = op * CL_OPSTAT_KINDS + kind;
	__u64 *count = bpf_map_lookup_elem(&cl_op_stats, &slot);

	if (count)
		*count += 1;
}

/* cl_identify, counting the request by op when the task is confined. */
static __always_inline int cl_identify_op(struct cl_identity *id, __u32 op)
{
	if (!cl_identify(id))
		return 0;
	cl_op_count(op, CL_OPSTAT_CHECKED);
	return 1;
}

/*
 * Another task's binding, for process isolation (task.bpf.c): a sandbox may
 * signal, trace or look into (through /proc/<pid>/mem, environ, fd, root,
 * ...: the kernel asks ptrace_access_check for each) only processes of the
 * same sandbox. The other process's binding is found by walking its
 * cgroup's ancestors by pointer (bpf_get_current_ancestor_cgroup_id, above,
 * answers for the current task only); a walk that cannot finish counts as
 * another sandbox.
 */
struct cl_cgroup_walk {
	struct cgroup *cgrp;
	__u64 bound_cgroup_id;
	__u32 slot;
	int done;
};

static long cl_cgroup_step(__u32 i, void *data)
{
	struct cl_cgroup_walk *walk = data;
	struct cgroup *cgrp = walk->cgrp;
	struct cl_binding_key key = { .slot = walk->slot };
	__u64 cgid;

	if (!cgrp) {
		walk->done = 1; /* above the root: unconfined */
		return 1;
	}
	cgid = BPF_CORE_READ(cgrp, kn, id);
	/* An id that cannot be read must not be stepped over: unfinished, denied. */
	if (!cgid)
		return 1;
	key.cgroup_id = cgid;
	if (bpf_map_lookup_elem(&cl_bindings, &key)) {
		walk->bound_cgroup_id = cgid;
		walk->done = 1;
		return 1;
	}
	/* self is a cgroup's first member: its parent css is the parent cgroup. */
	walk->cgrp = (struct cgroup *)BPF_CORE_READ(cgrp, self.parent);
	return 0;
}

static __always_inline int cl_same_sandbox(struct cl_identity *id, struct task_struct *other)
{
	struct cl_cgroup_walk walk = { .cgrp = BPF_CORE_READ(other, cgroups, dfl_cgrp),
				       .slot = id->slot };

	if (!id->bound_cgroup_id)
		return 0;
	bpf_loop(CL_WALK_MAX, cl_cgroup_step, &walk, 0);
	return walk.done && walk.bound_cgroup_id == id->bound_cgroup_id;
}

#endif /* CLAWLOCK_LIB_IDENTITY_H */
