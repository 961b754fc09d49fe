// SPDX-License-Identifier: GPL-2.0
/*
 * options.c - a command's option table into getopt_long's arguments, and
 * the values into the table's destinations. getopt_long still reads argv
 * and reports its errors, so usage and messages are those of getopt.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/options.h"
#include "util.h"

/* More than any command has; a longer table is refused as a bug. */
#define CL_OPTS_MAX 16

/* What getopt_long is given for a table. */
struct getopt_args {
	struct option longopts[CL_OPTS_MAX + 2]; /* the table's, --help, the end */
	char shortopts[2 * CL_OPTS_MAX + 3];	 /* '+', "x:" each, "h", NUL */
};

static bool takes_arg(const struct cl_opt *opt)
{
	return opt->kind == CL_OPT_KIND_STRING || opt->kind == CL_OPT_KIND_CALL;
}

/* getopt_long's code for @opt: its letter, or past every char if long only. */
static int opt_code(const struct cl_opt *opts, const struct cl_opt *opt)
{
	return opt->letter ? opt->letter : 256 + (int)(opt - opts);
}

/*
 * The long options in the table's order (getopt_long lists an ambiguous
 * abbreviation's candidates in it), --help last as every command had it.
 */
static int build_args(const struct cl_opt *opts, bool in_order, struct getopt_args *g)
{
	char *s = g->shortopts;
	int n, has_arg;

	if (in_order)
		*s++ = '+';
	for (n = 0; opts[n].name; n++) {
		if (n == CL_OPTS_MAX)
			return -1;
		has_arg = takes_arg(&opts[n]) ? required_argument : no_argument;
		g->longopts[n] =
			(struct option){ opts[n].name, has_arg, NULL, opt_code(opts, &opts[n]) };
		if (!opts[n].letter)
			continue;
		*s++ = opts[n].letter;
		if (has_arg)
			*s++ = ':';
	}
	g->longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	g->longopts[n + 1] = (struct option){ 0 };
	strcpy(s, "h");
	return 0;
}

static const struct cl_opt *find_opt(const struct cl_opt *opts, int code)
{
	for (const struct cl_opt *opt = opts; opt->name; opt++) {
		if (opt_code(opts, opt) == code)
			return opt;
	}
	return NULL;
}

static int store(const struct cl_opt *opt, char *arg)
{
	switch (opt->kind) {
	case CL_OPT_KIND_STRING:
		*(const char **)opt->dest = arg;
		return 0;
	case CL_OPT_KIND_FLAG:
		*(int *)opt->dest = 1;
		return 0;
	case CL_OPT_KIND_BOOL:
		*(bool *)opt->dest = true;
		return 0;
	default:
		return opt->call(opt, takes_arg(opt) ? arg : NULL);
	}
}

static int parse(int argc, char **argv, int first, bool in_order, const struct cl_opt *opts,
		 const char *help)
{
	const struct cl_opt *opt;
	struct getopt_args g;
	int c, ret;

	if (build_args(opts, in_order, &g) < 0) {
		cl_error("%s: more than %d options", argv[0], CL_OPTS_MAX);
		return -1;
	}
	optind = first;
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return 1;
		}
		/* '?': getopt_long has said what is wrong. */
		opt = find_opt(opts, c);
		if (!opt)
			return -1;
		ret = store(opt, optarg);
		if (ret)
			return ret < 0 ? -1 : ret;
	}
	return 0;
}

int cl_opts_parse(int argc, char **argv, const struct cl_opt *opts, const char *help)
{
	return parse(argc, argv, 1, false, opts, help);
}

int cl_opts_parse_in_order(int argc, char **argv, int first, const struct cl_opt *opts,
			   const char *help)
{
	return parse(argc, argv, first, true, opts, help);
}
