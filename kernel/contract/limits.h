/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contract/limits.h - every bound of the map contract in one place: walk
 * depths, name and path lengths, and the number of entries of each map.
 * Raising one is a layout change that `clawlock upgrade` must carry over.
 */
#ifndef CLAWLOCK_CONTRACT_LIMITS_H
#define CLAWLOCK_CONTRACT_LIMITS_H

/*
 * Upper bound on the dentries one file decision walks. A walk that reaches
 * it without reaching the root is a denial (fail closed), never an allow.
 */
#define CL_WALK_MAX 512

/*
 * A walk still going after this many steps asks the walk cache about the
 * directory it stands on (lib/walk.h); shallower walks never pay for it.
 */
#define CL_WALK_CACHE_AT 4

/* Bytes of path carried in an event, including the NUL. */
#define CL_EVENT_PATH_MAX 256

#define CL_AGENT_MAX	   64
#define CL_SESSION_MAX	   192
#define CL_RULE_PATH_MAX   256
#define CL_RULE_SOURCE_MAX 160

/* Entries of the maps (see kernel/lib/maps.h). */
#define CL_MAX_BINDINGS	    16384
#define CL_MAX_POLICIES	    4096
#define CL_MAX_FILE_RULES   262144
#define CL_MAX_NET_PREFIXES 65536
#define CL_MAX_UNIX_NAMES   4096
#define CL_MAX_NAME_RULES   65536
/* Directories the walk cache remembers (not pinned: no layout to carry). */
#define CL_WALK_CACHE_ENTRIES 16384
/* Rules that can decide one address: its own prefix's and every wider one's. */
#define CL_NET_ENTRIES 16
/* Bytes of an abstract unix socket name a rule can name (after the NUL). */
#define CL_UNIX_NAME_MAX    64
#define CL_EVENT_RING_BYTES (4 << 20)

/*
 * Every map, program and link of one load is about 180 objects; during an
 * upgrade the old and the new set are both recorded.
 */
#define CL_MAX_OBJECTS 1024

/* Makers of keys and SysV objects (cl_owners), and file owners set (cl_fowns). */
#define CL_MAX_OWNERS 16384
#define CL_MAX_FOWNS  16384

/* Processes a container runtime is moving into containers at one time. */
#define CL_MAX_ENTERING 4096
/* How long such a process may run the runtime's code before its exec (boot clock). */
#define CL_ENTERING_NS (60ULL * 1000000000ULL)

/* Rate-limit slots: one per cgroup, rule and kind of record (cl_rate). */
#define CL_MAX_RATE_KEYS 16384

/* Bytes of a name a name rule holds (struct cl_name_key), zero-padded. */
#define CL_NAME_MAX 64

/* Bytes of a scope's cgroup path in its record (struct cl_scope_info). */
#define CL_CGROUP_PATH_MAX 256

#endif /* CLAWLOCK_CONTRACT_LIMITS_H */
