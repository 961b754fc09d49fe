/* SPDX-License-Identifier: GPL-2.0 */
/*
 * options.h - a command's options as one table: each option's names and
 * where its value goes. cl_opts_parse builds getopt_long's option array
 * and optstring from it, so that a command lists its options once instead
 * of in three places (array, optstring, switch) that must agree.
 */
#ifndef CLAWLOCK_OPTIONS_H
#define CLAWLOCK_OPTIONS_H

#include <stdbool.h>

struct cl_opt;

/*
 * Called with the option and its argument (NULL for an action). Returns 0
 * to go on; less than 0, having said why, for a usage error; more than 0 to
 * stop parsing, cl_opts_parse returning that value.
 */
typedef int cl_opt_fn(const struct cl_opt *opt, char *arg);

enum cl_opt_kind {
	CL_OPT_KIND_STRING, /* const char *: the argument (the last one given) */
	CL_OPT_KIND_FLAG,   /* int: 1 */
	CL_OPT_KIND_BOOL,   /* bool: true */
	CL_OPT_KIND_CALL,   /* takes an argument, given to call */
	CL_OPT_KIND_ACTION, /* no argument: call */
};

struct cl_opt {
	const char *name; /* the long name, without "--"; NULL ends the table */
	char letter;	  /* the short name, or 0 for none ('h' is --help's) */
	enum cl_opt_kind kind;
	void *dest;
	cl_opt_fn *call;
};

/* _Generic: a destination of the wrong type does not compile. */
#define CL_OPT_STRING(name, letter, dest)                                                          \
	{                                                                                          \
		name, letter, CL_OPT_KIND_STRING, _Generic((dest), const char ** : (dest)), NULL   \
	}
#define CL_OPT_FLAG(name, letter, dest)                                                            \
	{                                                                                          \
		name, letter, CL_OPT_KIND_FLAG, _Generic((dest), int * : (dest)), NULL             \
	}
#define CL_OPT_BOOL(name, letter, dest)                                                            \
	{                                                                                          \
		name, letter, CL_OPT_KIND_BOOL, _Generic((dest), bool * : (dest)), NULL            \
	}
#define CL_OPT_CALL(name, letter, call, dest)                                                      \
	{                                                                                          \
		name, letter, CL_OPT_KIND_CALL, dest, call                                         \
	}
#define CL_OPT_ACTION(name, letter, call, dest)                                                    \
	{                                                                                          \
		name, letter, CL_OPT_KIND_ACTION, dest, call                                       \
	}
#define CL_OPT_END                                                                                 \
	{                                                                                          \
		NULL                                                                               \
	}

/*
 * What several commands take to name a scope and its policy: the configs
 * (--openclaw, --policy), the agent and session, and the cgroup root. A
 * command embeds it and lists the groups of options it takes.
 */
struct cl_scope_opts {
	const char *openclaw;
	const char *policy;
	const char *agent;
	const char *session;
	const char *cgroup_root;
};

/* -c/--openclaw FILE and -p/--policy FILE */
#define CL_OPT_CONFIGS(scope)                                                                      \
	CL_OPT_STRING("openclaw", 'c', &(scope)->openclaw),                                        \
		CL_OPT_STRING("policy", 'p', &(scope)->policy)
/* -a/--agent ID and -s/--session KEY */
#define CL_OPT_AGENT_SESSION(scope)                                                                \
	CL_OPT_STRING("agent", 'a', &(scope)->agent),                                              \
		CL_OPT_STRING("session", 's', &(scope)->session)
#define CL_OPT_CGROUP_ROOT(scope) CL_OPT_STRING("cgroup-root", 0, &(scope)->cgroup_root)

/*
 * Parse argv's options by @opts, and -h/--help, which prints @help. Options
 * and operands may be mixed: getopt_long moves the operands to the end, and
 * optind is the first of them after. Returns 0; 1 after the help (the
 * command exits 0) or a callback's stop; -1 on a usage error, said by
 * getopt_long or the callback.
 */
int cl_opts_parse(int argc, char **argv, const struct cl_opt *opts, const char *help);

/*
 * The same from argv[@first] (after a verb, say), stopping at the first
 * operand, so that a CMD's own options stay its own.
 */
int cl_opts_parse_in_order(int argc, char **argv, int first, const struct cl_opt *opts,
			   const char *help);

#endif /* CLAWLOCK_OPTIONS_H */
