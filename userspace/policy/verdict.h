/* SPDX-License-Identifier: GPL-2.0 */
/*
 * verdict.h - the file decision of the kernel's file_open program, computed
 * in userspace from the same compiled rules: rules are resolved to inodes,
 * the target is resolved (symlinks followed), and the nearest rule on the
 * way to the root decides; no rule denies. `clawlock explain --op` answers
 * from here, and the differential tests hold it to what the kernel does.
 */
#ifndef CLAWLOCK_VERDICT_H
#define CLAWLOCK_VERDICT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy/policy.h"

struct cl_verdict {
	bool allowed;
	const struct cl_rule *rule; /* the deciding rule; NULL: none on the way */
	char target[PATH_MAX];	    /* the object the kernel would see */
	char decided_at[PATH_MAX];  /* the path whose rule decided */
};

/* Decide an open of @path asking for @access (CL_ACC_* bits). */
int cl_verdict_file(const struct cl_rule_list *rules, const char *path, uint32_t access,
		    struct cl_verdict *v, char *err, size_t errsize);

#endif /* CLAWLOCK_VERDICT_H */
