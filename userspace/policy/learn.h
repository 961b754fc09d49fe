/* SPDX-License-Identifier: GPL-2.0 */
/*
 * learn.h - learn mode: from the records of what an agent was denied (or,
 * in audit mode, would have been), propose the smallest overlay that allows
 * it. Paths are folded to the directory that holds repeated siblings, never
 * to "/", a home directory or a directory above a deny rule; requests that
 * only a dangerous rule could allow (a secret, host loopback, metadata) are
 * reported and never proposed. Nothing here prints: the caller does.
 */
#ifndef CLAWLOCK_LEARN_H
#define CLAWLOCK_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy/policy.h"

enum learn_kind {
	LEARN_FILE,   /* a path: a file rule */
	LEARN_NET,    /* an address: a network rule ("tcp 1.2.3.4 443") */
	LEARN_UNIX,   /* an abstract socket: "unix @NAME" */
	LEARN_REFUSE, /* nothing a rule may allow; why is in @why */
};

#define LEARN_OPS 4

/* One distinct request seen, with how often and by which operations. */
struct learn_item {
	char *target; /* the path, or the network rule's text */
	enum learn_kind kind;
	uint32_t access; /* CL_ACC_* asked, for files */
	unsigned long count;
	char ops[LEARN_OPS][16]; /* the first few operation names seen */
	unsigned long op_count[LEARN_OPS];
	char why[200]; /* why it is not proposed: "" when it may be */
};

struct learn_set {
	struct learn_item *items;
	size_t count, cap;
	struct cl_name_index index; /* "kind target" -> position */
	unsigned long records;	    /* records of the agent that were counted */
	unsigned long suppressed;   /* records the kernel's rate limit held back */
	unsigned long dropped;	    /* records lost to a full ring buffer */
};

/* A proposed rule: a path or network rule text, its access and a comment. */
struct learn_rule {
	char *key;
	uint32_t access; /* files; network rules are "allow" */
	char comment[256];
};

struct learn_proposal {
	struct learn_rule *files, *net;
	size_t file_count, net_count;
	/* Items of the set that were not proposed (dangerous or inexpressible). */
	const struct learn_item **refused;
	size_t refused_count;
};

/*
 * Count one event record (a JSON object of `clawlock events --json` or a
 * daemon log) if it is of @agent (and @session, when not NULL). Returns 1
 * if counted, 0 if it is a record of something else (another agent, a
 * drop record, an allow), -1 with the reason in @err if it is not a
 * clawlock event record at all.
 */
struct json_object;
int learn_add_record(struct learn_set *set, struct json_object *record, const char *agent,
		     const char *session, char *err, size_t errsize);

/*
 * Read a log of JSON lines. Returns the number of records counted, or -1
 * with "FILE:LINE: reason" in @err for a line that is not a clawlock record.
 */
long learn_read_log(struct learn_set *set, const char *path, const char *agent, const char *session,
		    char *err, size_t errsize);
void learn_set_free(struct learn_set *set);

/*
 * Propose rules for what @set saw, on top of @policy (the agent's compiled
 * policy: deny rules there are never overridden, nor folded over). Siblings
 * of one directory fold into it when at least @min_siblings of them were
 * seen. 0, or -1 with the reason in @err.
 */
int learn_propose(struct learn_set *set, const struct cl_agent *policy, unsigned int min_siblings,
		  struct learn_proposal *out, char *err, size_t errsize);
void learn_proposal_free(struct learn_proposal *p);

/*
 * Add the proposal to @policy (the agent compiled without it) and decide
 * every item it should allow as `clawlock explain` would: @allowed of
 * @checked are now allowed. 0, or -1 with the reason in @err.
 */
int learn_verify(const struct learn_set *set, const struct learn_proposal *p,
		 struct cl_agent *policy, size_t *checked, size_t *allowed, char *err,
		 size_t errsize);

/* Write the proposal as a JSON5 overlay for agent @agent, one comment per rule. */
int learn_write_overlay(FILE *out, const char *agent, const struct learn_proposal *p,
			const struct learn_set *set);

#endif /* CLAWLOCK_LEARN_H */
