/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sandbox_ns.h - what Docker gives an OpenClaw sandbox, given on the host
 * for `clawlock sandbox exec`: private scratch directories per scope (a
 * private mount namespace per call over directories kept per scope), a
 * network namespace with only loopback shared by the calls of one scope,
 * no terminal of the host's, and the identity the command runs as.
 */
#ifndef CLAWLOCK_SANDBOX_NS_H
#define CLAWLOCK_SANDBOX_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Per-scope state: /run/clawlock/scopes/<slug>/{lock,state,net,scratch/}. */
#define CL_SCOPES_DIR "/run/clawlock/scopes"

/* One docker.tmpfs path as the scope's scratch. */
struct cl_scratch {
	char *path;		 /* where the sandbox sees it: "/tmp" */
	unsigned long long size; /* bytes: a tmpfs of its own; 0: a directory on /run */
	bool read_only;		 /* docker's "ro": mounted read-only */
	bool no_exec;		 /* docker's "noexec": mounted noexec */
};

/* Make @dir (mode 0700) and its scratch/ below; 0, or -1 after saying why. */
int cl_scope_dir_make(const char *dir);

/* The scratch directory of scope @dir, which the policy lets the sandbox write. */
bool cl_scope_scratch(const char *dir, char *out, size_t size);

/*
 * Join the scope's network namespace (@dir/net), making it with only
 * loopback up the first time. 0, or -1 after saying why.
 */
int cl_scope_join_net(const char *dir);

/* The directory in @dir's scratch/ that shows at @target: ".../scratch/var-tmp". */
bool cl_scope_scratch_of(const char *dir, const char *target, char *out, size_t size);

/*
 * In the caller's mount namespace, a tmpfs of its size on the scratch
 * directory of each of @scratch's paths that has one (and exists on the
 * host), mounted if missing and resized if the size changed; it stays until
 * cl_scope_dir_remove. The caller holds the scope's lock. 1 when one was
 * mounted (a policy installed before does not know it), 0, or -1 after
 * saying why.
 */
int cl_scope_sized_scratch(const char *dir, const struct cl_scratch *scratch, size_t count);

/*
 * Enter a private mount namespace in which every path of @scratch (and
 * /dev/shm) is the scope's own scratch directory, owned by @uid:@gid,
 * read-only or noexec as each asks, and /dev/pts a devpts instance of its
 * own.
 * Paths that do not exist on the host are skipped. Each directory of
 * @keep that lies below one of them (a workspace in /tmp) is bound back
 * at its path over the scratch. 0, or -1.
 */
int cl_scope_private_mounts(const char *dir, const struct cl_scratch *scratch, size_t count,
			    char *const *keep, size_t keep_count, uid_t uid, gid_t gid);

/*
 * Remove the scope's state: unmount its network namespace and its sized
 * scratch, and delete @dir with everything below it (never following a
 * link or crossing a mount). 0, or -1 after saying why.
 */
int cl_scope_dir_remove(const char *dir);

/*
 * docker.user as Docker reads it: "user", "uid", "user:group", "uid:gid".
 * 0 and the ids, or -1 with the reason in @err.
 */
int cl_parse_user(const char *spec, uid_t *uid, gid_t *gid, char *err, size_t errsize);

/*
 * Leave the caller's controlling terminal, if there is one, so that the
 * command cannot read what is typed into the Gateway's terminal, type into
 * it (TIOCSTI) or signal its jobs: a session of its own where possible,
 * else TIOCNOTTY. 0, or -1 after saying why (a session leader with a
 * terminal: the command must not run on it).
 */
int cl_leave_terminal(void);

/*
 * Become @uid:@gid (no supplementary groups), with no new privileges,
 * keeping of root's capabilities only CAP_DAC_OVERRIDE, until
 * cl_drop_last_capability. It is what a fork straight into a root-owned
 * cgroup needs (clone3 with CLONE_INTO_CGROUP checks that the caller may
 * write cgroup.procs there and in the common ancestor), and the child then
 * changes no identity inside the cgroup, where the policy's capDrop would
 * refuse it. Root (@uid 0) keeps all of root's. 0, or -1 after saying why.
 */
int cl_become(uid_t uid, gid_t gid);
/* Let go of what cl_become kept: no capability left (root keeps root's). 0, or -1. */
int cl_drop_last_capability(void);

#endif /* CLAWLOCK_SANDBOX_NS_H */
