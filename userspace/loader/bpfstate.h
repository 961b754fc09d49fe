/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfstate.h - the pinned BPF state: loading and unloading the programs,
 * opening the pinned maps, writing policies and bindings into them.
 */
#ifndef CLAWLOCK_BPFSTATE_H
#define CLAWLOCK_BPFSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "clawlock.h"
#include "policy/policy.h"

#define CL_LOCK_PATH "/run/clawlock/lock"
/* What the last apply compiled from (JSON): attach and the daemon use it. */
#define CL_APPLIED_PATH "/run/clawlock/applied.json"

/*
 * The pinned maps writers use, one line each: the member of struct
 * cl_maps that holds its descriptor, its pin name, and the layout this
 * binary writes it in (the programs' definitions, kernel/lib/maps.h). The
 * struct, the open, the layout check and the close all come from this
 * list, so a new map is one line here.
 */
#define CL_PINNED_MAPS(X)                                                                          \
	X(bindings, cl_bindings, HASH, sizeof(struct cl_binding_key), sizeof(struct cl_binding),   \
	  2 * CL_MAX_BINDINGS)                                                                     \
	X(file_rules, cl_file_rules, HASH, sizeof(struct cl_file_key),                             \
	  sizeof(struct cl_file_rule), CL_MAX_FILE_RULES)                                          \
	X(state, cl_state, ARRAY, 4, sizeof(struct cl_state), 1)                                   \
	X(events, cl_events, RINGBUF, 0, 0, CL_EVENT_RING_BYTES)                                   \
	X(stats, cl_stats, PERCPU_ARRAY, 4, 8, CL_STAT_MAX)                                        \
	X(scope_info, cl_scope_info, HASH, 8, sizeof(struct cl_scope_info), CL_MAX_BINDINGS)       \
	X(rule_info, cl_rule_info, HASH, 4, sizeof(struct cl_rule_info), CL_MAX_FILE_RULES)        \
	X(policies, cl_policies, HASH, 4, sizeof(struct cl_policy_info), CL_MAX_POLICIES)          \
	X(net4, cl_net4, LPM_TRIE, sizeof(struct cl_net4_key), sizeof(struct cl_net_value),        \
	  CL_MAX_NET_PREFIXES)                                                                     \
	X(net6, cl_net6, LPM_TRIE, sizeof(struct cl_net6_key), sizeof(struct cl_net_value),        \
	  CL_MAX_NET_PREFIXES)                                                                     \
	X(unix_names, cl_unix_names, HASH, sizeof(struct cl_unix_key), 4, CL_MAX_UNIX_NAMES)       \
	X(name_rules, cl_name_rules, HASH, sizeof(struct cl_name_key),                             \
	  sizeof(struct cl_file_rule), CL_MAX_NAME_RULES)                                          \
	X(live, cl_live, ARRAY, 4, sizeof(struct cl_live), 1)                                      \
	X(settings, cl_settings, ARRAY, 4, sizeof(struct cl_settings), 1)                          \
	X(ruled, cl_ruled, ARRAY, 4, sizeof(struct cl_ruled), 1)

struct cl_maps {
	/* One descriptor per pinned map (CL_PINNED_MAPS), -1 when not open. */
#define CL_MAP_FD(field, ...) int field;
	CL_PINNED_MAPS(CL_MAP_FD)
#undef CL_MAP_FD
	int lock; /* flock'd lock file while writing, else -1 */
	/* cl_live, mapped shared: the generation is switched by one atomic store. */
	struct cl_live *live_mem;
	/* cl_ruled, mapped shared: install sets a bit per ruled inode. */
	struct cl_ruled *ruled_mem;
	/*
	 * What the writer above keeps for as long as it holds the lock
	 * (install.c: the paths it resolved, the policies it wrote), and how
	 * to let it go: cl_maps_unlock and cl_maps_close do. NULL until used.
	 */
	void *cache;
	void (*cache_free)(void *cache);
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
/* 1 loaded, 0 not loaded, -1 cannot tell (no permission): the reason in @why. */
int cl_bpf_presence(char *why, size_t size);
/*
 * 0 if clawlock is loaded; -1 having said why not: "clawlock is not
 * loaded: @hint", or why it cannot tell.
 */
int cl_bpf_require(const char *hint);

/* Open the pinned maps; prints why not (not loaded) and returns -1. */
int cl_maps_open(struct cl_maps *maps);
void cl_maps_close(struct cl_maps *maps);
/*
 * Serialise writers (run, apply) with a lock file. Maps an upgrade replaced
 * while this waited are opened again (and fail once this binary is no
 * longer the loader).
 */
int cl_maps_lock(struct cl_maps *maps);
/* The writers' lock alone: its locked descriptor (close-on-exec), or -1, said. */
int cl_writers_lock(void);
void cl_maps_unlock(struct cl_maps *maps);

/*
 * Reserve a policy id and @rules rule ids, before anything is written under
 * them, and count the @records rule records about to be written.
 */
int cl_policy_reserve(struct cl_maps *maps, size_t rules, size_t records, __u32 *policy_id,
		      __u32 *first_rule_id);

/* Remove every rule and record of policy @policy_id (a failed install). */
void cl_policy_delete(struct cl_maps *maps, __u32 policy_id);

/* The kernel's dev_t of a superblock, as the BPF programs read s_dev. */
__u32 cl_kernel_dev(dev_t dev);

/*
 * Remove the rules of every policy not in @keep (sorted ascending, @count
 * ids). Only safe once no hook can still read the others (see scopes.h),
 * and once no install of this update offers to reuse them any more
 * (cl_install_forget).
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

/*
 * Delete the entries of map @fd (keys of @key_size bytes) that @doomed
 * picks; it sees the value too with @want_values, and must not change the
 * map. Keys are collected first (deleting while scanning a hash map can
 * restart the scan), then deleted thousands a call where the map has
 * batches. Returns how many went, or -1 (ENOMEM: nothing was deleted).
 */
typedef bool (*cl_pick_fn)(const void *key, const void *value, void *ctx);
int cl_map_prune(int fd, size_t key_size, int want_values, cl_pick_fn doomed, void *ctx);

/*
 * Write @count entries (BPF_ANY) into map @fd, thousands a system call
 * where the map takes batches (hash maps do, LPM tries do not). Returns the
 * index of the entry that failed, or -1 if all went in.
 */
long cl_map_update_many(int fd, const void *keys, size_t key_size, const void *values,
			size_t value_size, size_t count);

/* Sum of a per-CPU counter. */
uint64_t cl_stat_read(struct cl_maps *maps, enum cl_stat stat);

#endif /* CLAWLOCK_BPFSTATE_H */
