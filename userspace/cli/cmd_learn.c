// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_learn.c - clawlock learn: run a workload in audit mode (or read a
 * daemon log) and print the smallest overlay that allows what it was
 * denied (learn.c proposes; this file only parses options and prints).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "events/events.h"
#include "policy/learn.h"
#include "openclaw/ocinputs.h"
#include "util.h"

static const char learn_help[] =
	"Usage: clawlock learn --agent ID [--session KEY] [--openclaw FILE]\n"
	"                      [--policy FILE] [--output FILE] [--min-siblings N]\n"
	"                      ( --from LOG | -- CMD [ARG...] )\n"
	"\n"
	"Propose the smallest overlay policy that allows what agent ID was\n"
	"denied. With CMD, clawlock runs it confined as `clawlock run` would,\n"
	"but in audit mode (every request that would be denied is allowed and\n"
	"reported), and learns from its records; with --from, it reads a log of\n"
	"JSON event lines (`clawlock daemon --log`, `clawlock events --json`).\n"
	"\n"
	"The overlay is JSON5 with a comment on each rule saying what was seen\n"
	"and how often, ready for --policy. Paths where at least N siblings of\n"
	"one directory were seen fold into that directory, never into /, a home\n"
	"directory, or a directory above anything the policy denies. A request\n"
	"the policy denies on purpose (a secret, the OpenClaw config, the Docker\n"
	"socket), or one to host loopback or link-local addresses (cloud\n"
	"metadata), is listed as needing a dangerous rule and never proposed.\n"
	"Each proposed rule is then checked as `clawlock explain` decides: the\n"
	"summary says how many of the requests seen are now allowed.\n"
	"\n"
	"  -a, --agent ID          the agent to learn for\n"
	"  -s, --session KEY       only records of this session (with --from)\n"
	"  -c, --openclaw FILE     the agent is OpenClaw's (the default when\n"
	"                          --policy is not given alone)\n"
	"  -p, --policy FILE       a clawlock policy file; with --openclaw, the\n"
	"                          overlay already in use\n"
	"  -f, --from LOG          learn from a log instead of running CMD\n"
	"  -o, --output FILE       write the overlay there (replaced whole, never\n"
	"                          half-written) instead of standard output\n"
	"      --min-siblings N    siblings that fold into their directory [3]\n"
	"\n"
	"With CMD, records pass through the kernel's audit rate limit (`clawlock\n"
	"load --audit-rate N`): the summary says if some were held back, and so\n"
	"does the overlay. A running daemon reads the same ring buffer: stop it,\n"
	"or learn from its log with --from. Exit status: 0 with a proposal, 1 if\n"
	"clawlock is not loaded or CMD could not be run, 2 on bad usage or input.\n";

struct learn_opts {
	struct cl_scope_opts scope; /* no cgroup root: clawlock run's own */
	const char *from, *output;
	unsigned int min_siblings;
	char **cmd;
};

/* What the options leave to be checked once all are read. */
static int check_learn_opts(const struct learn_opts *o)
{
	if (!o->scope.agent) {
		cl_error("learn: --agent ID is required (see --help)");
		return -1;
	}
	if (!o->from == !o->cmd) {
		cl_error("learn: give either --from LOG or -- CMD (see --help)");
		return -1;
	}
	return 0;
}

static int parse_min_siblings(const struct cl_opt *opt, char *arg)
{
	unsigned int *min_siblings = opt->dest;
	char *end;

	*min_siblings = strtoul(arg, &end, 10);
	if (*end || *min_siblings < 2 || *min_siblings > 1000) {
		cl_error("learn: --min-siblings takes a number from 2 to 1000");
		return -1;
	}
	return 0;
}

static int parse_learn_opts(int argc, char **argv, struct learn_opts *o)
{
	struct cl_opt opts[] = {
		CL_OPT_AGENT_SESSION(&o->scope),
		CL_OPT_CONFIGS(&o->scope),
		CL_OPT_STRING("from", 'f', &o->from),
		CL_OPT_STRING("output", 'o', &o->output),
		CL_OPT_CALL("min-siblings", 0, parse_min_siblings, &o->min_siblings),
		CL_OPT_END,
	};
	int ret;

	o->min_siblings = 3;
	/* Stop at the first operand: CMD's options are CMD's. */
	ret = cl_opts_parse_in_order(argc, argv, 1, opts, learn_help);
	if (ret)
		return ret;
	o->cmd = optind < argc ? argv + optind : NULL;
	return check_learn_opts(o);
}

/* The agent's policy as it is enforced now, to propose on top of. */
struct learn_policy {
	struct oc_inputs in;
	struct oc_compiled oc;
	struct cl_policy plain;
	struct cl_agent *agent;
	bool openclaw;
};

static int load_policy(const struct learn_opts *o, struct learn_policy *lp)
{
	char err[1024];
	int ret;

	memset(lp, 0, sizeof(*lp));
	lp->openclaw = o->scope.openclaw || !o->scope.policy;
	if (!lp->openclaw) {
		if (cl_policy_load(o->scope.policy, &lp->plain, err, sizeof(err)) < 0) {
			cl_error("%s", err);
			return CL_EXIT_USAGE;
		}
		lp->agent = (struct cl_agent *)cl_policy_agent(&lp->plain, o->scope.agent);
		if (!lp->agent) {
			cl_error("%s: no agent '%s' in this policy", o->scope.policy,
				 o->scope.agent);
			cl_policy_free(&lp->plain);
			return CL_EXIT_USAGE;
		}
		return 0;
	}
	ret = cl_oc_load_inputs(o->scope.openclaw, o->scope.policy, NULL, &lp->in);
	if (ret)
		return ret;
	if (cl_oc_compile(&lp->in, o->scope.agent, o->scope.session, &lp->oc) < 0) {
		cl_oc_free_inputs(&lp->in);
		return CL_EXIT_USAGE;
	}
	lp->agent = &lp->oc.policy;
	return 0;
}

static void free_policy(struct learn_policy *lp)
{
	if (lp->openclaw) {
		oc_compiled_free(&lp->oc);
		cl_oc_free_inputs(&lp->in);
	} else {
		cl_policy_free(&lp->plain);
	}
}

struct collect {
	struct learn_set *set;
	const char *agent, *session;
	bool on; /* records older than the run are read and passed over */
	int failed;
};

static int collect_record(struct json_object *rec, void *data)
{
	struct collect *c = data;
	char err[256];

	if (!c->on)
		return 0;
	if (learn_add_record(c->set, rec, c->agent, c->session, err, sizeof(err)) < 0) {
		cl_error("learn: %s", err);
		c->failed = 1;
		return -1;
	}
	return 0;
}

/* argv for `clawlock run --audit ... -- CMD`, in the same binary. */
static char **run_argv(const struct learn_opts *o)
{
	size_t n = 0, cmdc = 0;
	char **argv;

	while (o->cmd[cmdc])
		cmdc++;
	argv = calloc(cmdc + 16, sizeof(*argv));
	if (!argv)
		return NULL;
	argv[n++] = "clawlock";
	argv[n++] = "-q";
	argv[n++] = "run";
	argv[n++] = "--audit";
	if (o->scope.openclaw) {
		argv[n++] = "--openclaw";
		argv[n++] = (char *)o->scope.openclaw;
	}
	if (o->scope.policy) {
		argv[n++] = "--policy";
		argv[n++] = (char *)o->scope.policy;
	}
	argv[n++] = "--agent";
	argv[n++] = (char *)o->scope.agent;
	if (o->scope.session) {
		argv[n++] = "--session";
		argv[n++] = (char *)o->scope.session;
	}
	argv[n++] = "--";
	memcpy(argv + n, o->cmd, cmdc * sizeof(*argv));
	return argv;
}

/* Run CMD in audit mode and collect its records. An exit status. */
static int learn_from_run(const struct learn_opts *o, struct learn_set *set)
{
	struct collect c = { .set = set, .agent = o->scope.agent };
	struct events_ctx *ctx =
		cl_event_stream_open(o->scope.agent, NULL, NULL, collect_record, &c);
	char **argv = run_argv(o);
	int status = 0, ret = CL_EXIT_FAILURE;
	pid_t pid = -1;

	if (!ctx || !argv)
		goto out;
	cl_event_stream_poll(ctx, 0);
	c.on = true;
	pid = fork();
	if (pid == 0) {
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	if (pid < 0) {
		cl_error("learn: cannot start the workload: %s", strerror(errno));
		goto out;
	}
	while (!c.failed && waitpid(pid, &status, WNOHANG) == 0)
		cl_event_stream_poll(ctx, 100);
	/* A hook writes its record before the request returns: all are in the ring now. */
	cl_event_stream_poll(ctx, 0);
	if (c.failed) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		goto out;
	}
	cl_info("learn: the workload exited with status %d",
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	ret = CL_EXIT_OK;
out:
	free(argv);
	cl_event_stream_free(ctx);
	return ret;
}

/* Write @p to @path whole: a temporary file beside it, then a rename. */
static int write_output(const char *path, const char *agent, const struct learn_proposal *p,
			const struct learn_set *set)
{
	char tmp[4096];
	FILE *f;
	int ok;

	if (!path)
		return learn_write_overlay(stdout, agent, p, set) < 0 || fflush(stdout) ? -1 : 0;
	if (!cl_format(tmp, sizeof(tmp), "%s.tmp.%d", path, getpid()))
		return -1;
	f = fopen(tmp, "wex");
	if (!f) {
		cl_error("learn: %s: %s", tmp, strerror(errno));
		return -1;
	}
	ok = learn_write_overlay(f, agent, p, set) == 0;
	ok &= fclose(f) == 0;
	if (!ok || rename(tmp, path) < 0) {
		cl_error("learn: cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void summarise(const struct learn_set *set, const struct learn_proposal *p, size_t checked,
		      size_t allowed)
{
	cl_info("learn: %lu records, %zu file and %zu network rules proposed, %zu requests "
		"not proposed",
		set->records, p->file_count, p->net_count, p->refused_count);
	for (size_t i = 0; i < p->refused_count; i++)
		cl_warn("learn: not proposed: %s: %s", p->refused[i]->target, p->refused[i]->why);
	cl_info("learn: checked as explain decides: %zu of %zu requests now allowed", allowed,
		checked);
	if (set->suppressed || set->dropped)
		cl_warn("learn: %lu records were rate-limited and %lu lost: raise the limit "
			"(clawlock load --audit-rate N) and learn again",
			set->suppressed, set->dropped);
}

int cl_cmd_learn(int argc, char **argv)
{
	struct learn_opts o = { 0 };
	struct learn_set set = { 0 };
	struct learn_proposal p = { 0 };
	struct learn_policy lp;
	size_t checked = 0, allowed = 0;
	char err[1024];
	int ret;

	ret = parse_learn_opts(argc, argv, &o);
	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	ret = load_policy(&o, &lp);
	if (ret)
		return ret;
	if (o.from &&
	    learn_read_log(&set, o.from, o.scope.agent, o.scope.session, err, sizeof(err)) < 0) {
		cl_error("learn: %s", err);
		ret = CL_EXIT_USAGE;
	} else if (!o.from) {
		ret = learn_from_run(&o, &set);
	}
	if (!ret && learn_propose(&set, lp.agent, o.min_siblings, &p, err, sizeof(err)) < 0) {
		cl_error("learn: %s", err);
		ret = CL_EXIT_FAILURE;
	}
	if (!ret && write_output(o.output, o.scope.agent, &p, &set) < 0)
		ret = CL_EXIT_FAILURE;
	if (!ret && learn_verify(&set, &p, lp.agent, &checked, &allowed, err, sizeof(err)) < 0)
		cl_warn("learn: the proposal could not be checked: %s", err);
	if (!ret)
		summarise(&set, &p, checked, allowed);
	learn_proposal_free(&p);
	learn_set_free(&set);
	free_policy(&lp);
	return ret;
}
