/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lib/event.h - what a decision leaves behind: the event record on the ring
 * buffer (rate limited, a failed reserve counted and never changing the
 * verdict), and the refusal itself, which audit mode turns into a report.
 */
#ifndef CLAWLOCK_LIB_EVENT_H
#define CLAWLOCK_LIB_EVENT_H

#include "lib/common.h"
#include "lib/maps.h"
#include "lib/identity.h"

/*
 * What a hook decided, and by which rule: the kernel's half of what
 * userspace's struct cl_verdict (explain) predicts.
 */
struct cl_hook_verdict {
	int allowed;
	__u32 rule_id;
	__u32 rule_access; /* the deciding rule's access bits; 0 when none decided */
	__u32 flags;
};

/* The fields every event has. */
static __always_inline void cl_event_fill(struct cl_event *event, struct cl_identity *id, __u32 op,
					  __u32 access, __u32 rule_id, __u32 flags)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	event->time_ns = bpf_ktime_get_boot_ns();
	event->cgroup_id = bpf_get_current_cgroup_id();
	event->bound_cgroup_id = id->bound_cgroup_id;
	event->pid = (__u32)pid_tgid;
	event->tgid = pid_tgid >> 32;
	event->ppid = BPF_CORE_READ(task, real_parent, tgid);
	event->uid = (__u32)bpf_get_current_uid_gid();
	event->policy_id = id->binding.policy_id;
	event->rule_id = rule_id;
	event->op = op;
	event->access = access;
	event->decision = id->binding.mode == CL_MODE_AUDIT ? CL_DECISION_AUDIT : CL_DECISION_DENY;
	event->flags = flags;
	bpf_get_current_comm(event->comm, sizeof(event->comm));
}

/*
 * May a record for (cgroup, rule, op, decision) go out now? Returns 1 with
 * *held set to the records held back since the last one that went, or 0
 * (held back, counted). A key the table cannot hold goes out: the limit
 * only ever sheds records, it never decides anything.
 */
static __always_inline int cl_rate_pass(struct cl_identity *id, __u32 op, __u32 rule_id,
					__u32 *held)
{
	struct cl_rate_key key = { .cgroup_id = id->bound_cgroup_id, .rule_id = rule_id };
	struct cl_settings *settings;
	struct cl_rate *rate, fresh = {};
	__u64 now = bpf_ktime_get_boot_ns();
	__u32 zero = 0, limit;

	key.decision = id->binding.mode == CL_MODE_AUDIT ? CL_DECISION_AUDIT : CL_DECISION_DENY;
	/* Without a rule, each op gets its own budget. */
	key.op = rule_id ? 0 : op;
	settings = bpf_map_lookup_elem(&cl_settings, &zero);
	limit = !settings			    ? 0
		: key.decision == CL_DECISION_AUDIT ? settings->audit_per_sec
						    : settings->deny_per_sec;
	*held = 0;
	if (!limit)
		return 1;
	rate = bpf_map_lookup_elem(&cl_rate, &key);
	if (!rate) {
		fresh.window_ns = now;
		fresh.sent = 1;
		bpf_map_update_elem(&cl_rate, &key, &fresh, BPF_NOEXIST);
		return 1;
	}
	if (now - rate->window_ns >= CL_RATE_WINDOW_NS) {
		/* Racy across CPUs by a record or two a window; never by a verdict. */
		rate->window_ns = now;
		rate->sent = 0;
	}
	if (rate->sent >= limit) {
		__sync_fetch_and_add(&rate->held, 1);
		cl_count(CL_STAT_RATE_DROP);
		return 0;
	}
	__sync_fetch_and_add(&rate->sent, 1);
	*held = __sync_lock_test_and_set(&rate->held, 0);
	return 1;
}

/* A record with the common fields filled and no target yet; NULL is counted. */
static __always_inline struct cl_event *cl_event_start(struct cl_identity *id, __u32 op,
						       __u32 access, __u32 rule_id, __u32 flags)
{
	struct cl_event *event;
	__u32 held;

	/* Every refusal of a confined task comes through here: count it by op. */
	cl_op_count(op, id->binding.mode == CL_MODE_AUDIT ? CL_OPSTAT_AUDITED : CL_OPSTAT_DENIED);
	if (!cl_rate_pass(id, op, rule_id, &held))
		return NULL;
	event = bpf_ringbuf_reserve(&cl_events, sizeof(*event), 0);
	if (!event) {
		cl_count(CL_STAT_EVENT_DROP);
		return NULL;
	}
	cl_event_fill(event, id, op, access, rule_id, flags);
	event->suppressed = held;
	event->pad = 0;
	event->target_pid = 0;
	event->arg = 0;
	event->port = 0;
	event->family = 0;
	event->proto = 0;
	__builtin_memset(event->addr, 0, sizeof(event->addr));
	event->path[0] = '\0';
	return event;
}

static __always_inline void cl_emit_open(struct file *file, struct cl_identity *id, __u32 access,
					 __u32 rule_id, __u32 flags)
{
	/* A failed reserve is counted; the verdict is already decided. */
	struct cl_event *event = cl_event_start(id, CL_OP_OPEN, access, rule_id, flags);
	long len;

	if (!event)
		return;
	len = bpf_d_path((struct path *)&file->f_path, event->path, sizeof(event->path));
	if (len < 0) {
		const unsigned char *name = BPF_CORE_READ(file, f_path.dentry, d_name.name);

		bpf_probe_read_kernel_str(event->path, sizeof(event->path), name);
		event->flags |= CL_EVENT_PATH_TRUNCATED;
	}
	bpf_ringbuf_submit(event, 0);
}

/*
 * bpf_d_path is not allowed on every hook of every kernel, so events of the
 * other file hooks carry the name the operation was about, flagged as such.
 */
static __always_inline void cl_emit_name(struct dentry *dentry, struct cl_identity *id, __u32 op,
					 __u32 access, __u32 rule_id, __u32 flags)
{
	struct cl_event *event =
		cl_event_start(id, op, access, rule_id, flags | CL_EVENT_PATH_TRUNCATED);
	const unsigned char *name;

	if (!event)
		return;
	name = BPF_CORE_READ(dentry, d_name.name);
	bpf_probe_read_kernel_str(event->path, sizeof(event->path), name);
	bpf_ringbuf_submit(event, 0);
}

/* Refuse a confined request with @err (in audit mode: only report it). */
static __always_inline int cl_refuse_as(struct cl_identity *id, int err)
{
	if (id->binding.mode == CL_MODE_AUDIT) {
		cl_count(CL_STAT_AUDIT);
		return 0;
	}
	cl_count(CL_STAT_DENY);
	return err;
}

/* Deny (or, in audit mode, only report) a confined request. */
static __always_inline int cl_refuse(struct cl_identity *id)
{
	return cl_refuse_as(id, -EACCES);
}

/*
 * Hardening: operations no sandbox may perform at all, whatever its rules.
 * They fail with EPERM (audit mode only reports them, like every denial).
 */
static __always_inline void cl_emit_op(struct cl_identity *id, __u32 op)
{
	struct cl_event *event = cl_event_start(id, op, 0, 0, CL_EVENT_HARDENING);

	if (event)
		bpf_ringbuf_submit(event, 0);
}

/* Refuse @op to a confined @id outright (in audit mode: only report it). */
static __always_inline int cl_forbid_as(struct cl_identity *id, __u32 op)
{
	cl_emit_op(id, op);
	return cl_refuse_as(id, -EPERM);
}

static __always_inline int cl_forbid(__u32 op)
{
	struct cl_identity id = {};

	if (!cl_identify_op(&id, op))
		return 0;
	return cl_forbid_as(&id, op);
}

/* Report @op with @arg (and the reason @flags), then refuse it with @err. */
static __always_inline int cl_refuse_arg(struct cl_identity *id, __u32 op, __u32 flags, __u32 arg,
					 int err)
{
	struct cl_event *event = cl_event_start(id, op, 0, 0, flags);

	if (event) {
		event->arg = arg;
		bpf_ringbuf_submit(event, 0);
	}
	return cl_refuse_as(id, err);
}

#endif /* CLAWLOCK_LIB_EVENT_H */
