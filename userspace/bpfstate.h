/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfstate.h - the pinned BPF state: loading and unloading the programs,
 * opening the pinned maps, writing policies and bindings into them.
 */
#ifndef CLAWLOCK_BPFSTATE_H
#define CLAWLOCK_BPFSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "clawlock.h"
#include "policy.h"

#define CL_LOCK_PATH "/run/clawlock/lock"
/* What the last apply compiled from (JSON): attach and the daemon use it. */
#define CL_APPLIED_PATH "/run/clawlock/applied.json"

struct cl_maps {
	int bindings;
	int file_rules;
	int state;
	int events;
	int stats;
	int scope_info;
	int rule_info;
	int policies;
	int net4;
	int net6;
	int unix_names;
	int name_rules;
	int live;
	int settings;
	int lock; /* flock'd lock file while writing, else -1 */
	/* cl_live, mapped shared: the generation is switched by one atomic store. */
	struct cl_live *live_mem;
};

/*
 * Is BPF LSM in the kernel's active LSM list? 0 if so; otherwise -1 with
 * the reason (and what to do about it) in @why.
 */
int cl_bpf_lsm_check(char *why, size_t size);

/* Attach and pin everything; 0 if loaded (or already loaded). */
int cl_bpf_load(void);
/* Detach and remove every pinned object; 0 if nothing is left pinned. */
int cl_bpf_unload(void);
/* True if the programs are pinned under CL_PIN_ROOT. */
int cl_bpf_loaded(void);

/* Open the pinned maps; prints why not (not loaded) and returns -1. */
int cl_maps_open(struct cl_maps *maps);
void cl_maps_close(struct cl_maps *maps);
/* Serialise writers (run, apply) with a lock file. */
int cl_maps_lock(struct cl_maps *maps);
void cl_maps_unlock(struct cl_maps *maps);

/*
 * Write @agent's rules (files, network, capabilities) under a fresh policy
 * id. A file rule whose path does not exist yet is keyed by its directory
 * and last name, so it holds once the path appears; if the directory is
 * missing too, a deny rule is skipped with a warning and an allow rule is
 * an error. Returns 0 and the id, or
 * -1 after printing why (any rules already written are removed again).
 */
int cl_policy_install(struct cl_maps *maps, const struct cl_agent *agent, uint32_t *policy_id);

/*
 * Remove the rules of every policy not in @keep (sorted ascending, @count
 * ids). Only safe once no hook can still read the others (see scopes.h).
 */
int cl_policy_gc(struct cl_maps *maps, const uint32_t *keep, size_t count);

/* How many keys map @fd holds (keys up to 64 bytes). */
size_t cl_map_count(int fd, size_t key_size);

/*
 * Call @fn on every entry of map @fd (@value NULL unless @want_values), in
 * batches of thousands where the map supports them. @fn must not change the
 * map; a negative return stops the scan, which then returns -1.
 */
typedef int (*cl_scan_fn)(const void *key, const void *value, void *ctx);
int cl_map_scan(int fd, int want_values, cl_scan_fn fn, void *ctx);

/* Sum of a per-CPU counter. */
uint64_t cl_stat_read(struct cl_maps *maps, enum cl_stat stat);

#endif /* CLAWLOCK_BPFSTATE_H */
