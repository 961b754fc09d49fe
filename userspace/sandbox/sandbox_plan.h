/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sandbox_plan.h - what one `clawlock sandbox exec` call of a scope needs
 * once the scope's policy is live, kept beside the scope's state so that
 * the next call with the same inputs compiles nothing.
 *
 * OpenClaw makes several backend calls per tool call. Each would parse the
 * config, its includes, the overlay and the baseline and compile them, for
 * the same answer. A plan is keyed by a fingerprint of everything that
 * answer depends on: the bytes of every file the compile read (a missing
 * one too), clawlock's environment and options, the executable itself,
 * the user database, the workspace paths as they resolve, the host's
 * interface addresses and the daemon's signature requirement. A call whose
 * fingerprint differs in anything compiles afresh, as if there were no plan.
 */
#ifndef CLAWLOCK_SANDBOX_PLAN_H
#define CLAWLOCK_SANDBOX_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sandbox/sandbox_ns.h"

#define CL_PLAN_DIGEST 65

/*
 * clawlock's own variables that pass to the command as NAME=VALUE
 * (CLAWLOCK_ENV_NAME=VALUE); the plan leaves them out of its digest.
 */
#define CL_SANDBOX_ENV_PREFIX "CLAWLOCK_ENV_"

/* One plan per request (the key and options a call was asked with). */
#define CL_PLANS_DIR "/run/clawlock/plans"

/*
 * One file the compile read: its path and the SHA-256 of the bytes parsed;
 * or one path it probed: the SHA-256 of what it is (kind, owner, inode,
 * target).
 */
struct cl_plan_input {
	char *path;
	char digest[CL_PLAN_DIGEST]; /* "-": it was missing */
	bool probe;
};

struct cl_sbx_plan {
	char fingerprint[CL_PLAN_DIGEST];
	char digest[CL_PLAN_DIGEST]; /* the policy's, as in the scope's state */
	char *slug;		     /* the scope's, which names its state and cgroup */
	char *cgroup;
	char *workdir;	       /* the session's workspace: the default directory */
	char *agent_workspace; /* whose owner the command may run as */
	char *sandbox_dir;
	uid_t uid;
	gid_t gid;
	bool net_none;
	struct cl_scratch *tmpfs;
	size_t tmpfs_count;
	struct cl_plan_input *inputs;
	size_t input_count;
	bool incomplete; /* a read went unrecorded (out of memory): never kept */
};

/*
 * Record in @p every config file the json5 reader is asked for until
 * cl_plan_record_end: its path, and the SHA-256 of the very bytes parsed;
 * and every path the compile probes (json5_note_probe), as it is now.
 */
void cl_plan_record_begin(struct cl_sbx_plan *p);
void cl_plan_record_end(void);

/*
 * The fingerprint of @p's inputs into @out, for a call asked as @request
 * (the options that change what is compiled). With @reread the files are
 * read again (is the plan still true?); without, their recorded digests
 * count (what was compiled). 0, or -1 if something cannot be known.
 */
int cl_plan_fingerprint(const struct cl_sbx_plan *p, const char *request, bool reread,
			char out[CL_PLAN_DIGEST]);

/* The plan file of calls asked as @request, under @dir (CL_PLANS_DIR). */
bool cl_plan_path(const char *dir, const char *request, char *out, size_t size);

/* Write @path whole or not at all (making its folder); 0, or -1 after saying why. */
int cl_plan_write(const char *path, const struct cl_sbx_plan *p);

/* Read @path; 0, or -1 (quietly: no plan, or one this clawlock cannot trust). */
int cl_plan_read(const char *path, struct cl_sbx_plan *p);

/* Remove every plan under @dir of the scope @slug (it was released). */
void cl_plan_forget(const char *dir, const char *slug);

/* Count @path's bytes as they are now among @p's inputs; 0, or -1. */
int cl_plan_add_file(struct cl_sbx_plan *p, const char *path);

int cl_plan_set_paths(struct cl_sbx_plan *p, const char *slug, const char *cgroup,
		      const char *workdir, const char *agent_workspace, const char *sandbox_dir);
/* Add a copy of @s (its path copied too). 0, or -1. */
int cl_plan_add_tmpfs(struct cl_sbx_plan *p, const struct cl_scratch *s);
void cl_plan_free(struct cl_sbx_plan *p);

#endif /* CLAWLOCK_SANDBOX_PLAN_H */
