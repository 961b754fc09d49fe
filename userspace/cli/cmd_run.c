// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_run.c - clawlock run (confine a command) and clawlock check (parse a
 * policy file and show what it compiles to).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include "loader/bpfstate.h"
#include "loader/cgroup.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "events/daemon_state.h"
#include "openclaw/ocinputs.h"
#include "policy/policy.h"
#include "loader/scopes.h"
#include "policy/signature.h"
#include "util.h"

static const char run_help[] =
	"Usage: clawlock run --policy FILE --agent ID [--session KEY]\n"
	"                    [--cgroup-root DIR] -- CMD [ARG...]\n"
	"       clawlock run --openclaw FILE [--policy OVERLAY] --agent ID\n"
	"                    [--session KEY] -- CMD [ARG...]\n"
	"\n"
	"Run CMD confined by agent ID's policy from FILE. clawlock compiles the\n"
	"agent's rules into the kernel maps, creates the scope's cgroup under the\n"
	"clawlock cgroup root, binds it to the policy, moves itself into it and\n"
	"executes CMD in a new session, without a controlling terminal. Every\n"
	"process CMD starts, and every cgroup created below the scope's, stays\n"
	"confined.\n"
	"\n"
	"The scope cgroup is named by OpenClaw's slug of the scope key: the\n"
	"session key with --session, otherwise \"agent:ID\". Running again for\n"
	"the same scope rebinds it to the newly compiled policy.\n"
	"\n"
	"  -p, --policy FILE       clawlock policy file (JSON5, see\n"
	"                          Documentation/policy.md); with --openclaw, an\n"
	"                          overlay on top of the translation\n"
	"  -c, --openclaw FILE     confine as OpenClaw's config sandboxes this agent\n"
	"                          and session (Documentation/openclaw.md): the scope\n"
	"                          cgroup is named by OpenClaw's slug, and CMD starts\n"
	"                          in the session's workspace directory\n"
	"  -a, --agent ID          the agent whose rules apply\n"
	"  -s, --session KEY       the session key (scope) to run in\n"
	"      --cgroup-root DIR   where scope cgroups live\n"
	"                          [default: <cgroup2 mount>/clawlock]\n"
	"      --audit             bind the scope in audit mode, whatever the\n"
	"                          policy says: what would be denied is allowed\n"
	"                          and reported (clawlock learn uses this)\n"
	"\n"
	"Needs 'clawlock load' first. Exit status: CMD's own; 126 if CMD cannot be\n"
	"executed (for example because the policy denies it), 127 if not found;\n"
	"1 or 2 if clawlock itself failed before CMD started.\n";

static const char check_help[] =
	"Usage: clawlock check --policy FILE [--agent ID]\n"
	"\n"
	"Parse FILE (and its includes) and print each agent's mode and file rules\n"
	"with the place each rule was written. Nothing is loaded. Exits 2 with\n"
	"file:line:column on the first error.\n";

struct run_opts {
	struct cl_scope_opts scope;
	const char *slug; /* the scope's cgroup name, when OpenClaw's config gives it */
	const struct cl_limits *limits; /* the scope's resource limits (OpenClaw) */
	bool audit; /* bind in audit mode whatever the policy says (clawlock learn) */
};

static int parse_run_opts(int argc, char **argv, struct run_opts *o, const char *help,
			  int need_command)
{
	struct cl_opt opts[] = {
		CL_OPT_CONFIGS(&o->scope),
		CL_OPT_AGENT_SESSION(&o->scope),
		CL_OPT_CGROUP_ROOT(&o->scope),
		CL_OPT_BOOL("audit", 0, &o->audit),
		CL_OPT_END,
	};
	/* Stop at the first operand, so CMD's own options stay its own. */
	int ret = cl_opts_parse_in_order(argc, argv, 1, opts, help);

	if (ret)
		return ret;
	if (!o->scope.policy && (!need_command || !o->scope.openclaw)) {
		cl_error("%s: --policy FILE is required (see --help)", argv[0]);
		return -1;
	}
	if (need_command && !o->scope.agent) {
		cl_error("%s: --agent ID is required (see --help)", argv[0]);
		return -1;
	}
	if (need_command && optind >= argc) {
		cl_error("%s: no command given after the options (see --help)", argv[0]);
		return -1;
	}
	return 0;
}

/* The path of the scope's cgroup: OpenClaw's slug, else the policy file's. */
static int scope_path(const struct run_opts *o, char *path, size_t size)
{
	char root[PATH_MAX], slug[CL_SLUG_MAX];

	cl_scope_slug(o->scope.agent, o->scope.session, slug);
	if (o->slug)
		cl_format(slug, sizeof(slug), "%s", o->slug);
	if (cl_cgroup_root(o->scope.cgroup_root, root, sizeof(root)) < 0)
		return -1;
	if (!cl_format(path, size, "%s/%s", root, slug)) {
		cl_error("the scope cgroup path is too long");
		return -1;
	}
	return 0;
}

/* Compile, bind and enter; after this the caller is confined. */
static int confine_self(const struct run_opts *o, struct cl_agent *agent)
{
	char cgroup[PATH_MAX], root[PATH_MAX];
	struct cl_maps maps;
	uint64_t cgid;
	int ret = -1;

	if (scope_path(o, cgroup, sizeof(cgroup)) < 0 || cl_maps_open(&maps) < 0)
		return -1;
	if (o->audit)
		agent->mode = CL_MODE_AUDIT;
	if (cl_maps_lock(&maps) < 0 ||
	    cl_cgroup_root(o->scope.cgroup_root, root, sizeof(root)) < 0 ||
	    cl_scope_make_bound(&maps, root, cgroup, o->limits, agent, o->scope.session, &cgid) < 0)
		goto out;
	cl_debug("agent %s: %zu file rules, cgroup %s", agent->id, agent->files.count, cgroup);
	ret = cl_cgroup_enter(cgroup);
out:
	cl_maps_unlock(&maps);
	/* No BPF map descriptor may leak into the confined command. */
	cl_maps_close(&maps);
	/*
	 * Rules are checked when a file is opened, so a descriptor opened
	 * outside would carry its access in. The sandbox starts with stdin,
	 * stdout and stderr only (Documentation/internals.md, "descriptors").
	 */
	if (ret == 0 && close_range(3, ~0U, 0) < 0) {
		cl_error("cannot close inherited descriptors: %s", strerror(errno));
		ret = -1;
	}
	return ret;
}

/*
 * Wait for the command in @child, passing on the signals a terminal or a
 * supervisor sends to clawlock, and exit as it did.
 */
static void relay_until_exit(pid_t child, const sigset_t *relayed)
{
	int status = cl_wait_relaying(child, relayed);

	if (status < 0)
		_exit(CL_EXIT_FAILURE);
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	_exit(128 + WTERMSIG(status));
}

/*
 * The command starts in a session of its own, with no controlling terminal:
 * from the terminal clawlock was started on, it could type into the shell
 * behind it (TIOCSTI) or signal its jobs. setsid() fails for a process
 * group leader (clawlock started by a shell with job control); then the
 * command runs in a child, and clawlock waits, relaying signals. Returns 0
 * in the process that goes on to exec, -1 on failure.
 */
static int detach_terminal(void)
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD };
	sigset_t relayed, old;
	pid_t child;

	if (setsid() >= 0)
		return 0;
	sigemptyset(&relayed);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaddset(&relayed, signals[i]);
	if (cl_relay_begin(&relayed, &old) < 0)
		goto fail;
	child = fork();
	if (child < 0)
		goto fail;
	if (child > 0)
		relay_until_exit(child, &relayed);
	if (sigprocmask(SIG_SETMASK, &old, NULL) < 0 || setsid() < 0)
		goto fail;
	return 0;
fail:
	cl_error("cannot start the command without a controlling terminal: %s", strerror(errno));
	return -1;
}

/* Run CMD in the sandbox OpenClaw's config gives this agent and session. */
static int run_openclaw(struct run_opts *o, char **cmd)
{
	struct oc_inputs in;
	struct oc_compiled c;
	struct cl_limits limits;
	int ret;

	ret = cl_oc_load_inputs(o->scope.openclaw, o->scope.policy, NULL, &in);
	if (ret)
		return ret;
	if (cl_oc_compile(&in, o->scope.agent, o->scope.session, &c) < 0) {
		cl_oc_free_inputs(&in);
		return CL_EXIT_USAGE;
	}
	ret = CL_EXIT_USAGE;
	if (!c.confined) {
		cl_error(
			"session %s of agent %s is not sandboxed by %s (%s: %s): nothing to confine",
			c.sb.session_key, c.sb.agent_id, in.cfg.path, c.sb.mode_key,
			oc_mode_name(c.sb.mode));
		goto out;
	}
	if (oc_ensure_sandbox_dir(&c.sb) < 0)
		goto out;
	if (cl_oc_limits(&in, &c.sb, &limits) < 0)
		goto out;
	o->limits = &limits;
	o->slug = c.sb.slug;
	o->scope.session = c.sb.session_key;
	ret = CL_EXIT_FAILURE;
	if (confine_self(o, &c.policy) < 0 || detach_terminal() < 0)
		goto out;
	/* OpenClaw's /workspace is this directory on the host. */
	if (chdir(c.sb.workspace_dir) < 0)
		cl_warn("cannot enter %s: %s", c.sb.workspace_dir, strerror(errno));
	oc_compiled_free(&c);
	cl_oc_free_inputs(&in);
	execvp(cmd[0], cmd);
	ret = errno;
	cl_error("cannot execute %s: %s", cmd[0], strerror(ret));
	return ret == ENOENT ? 127 : 126;
out:
	oc_compiled_free(&c);
	cl_oc_free_inputs(&in);
	return ret;
}

int cl_cmd_run(int argc, char **argv)
{
	static struct cl_signed_inputs signed_inputs;
	struct run_opts o = { 0 };
	struct cl_policy policy;
	struct cl_agent *agent;
	char err[1024];
	int ret;

	ret = parse_run_opts(argc, argv, &o, run_help, 1);
	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	/*
	 * What the daemon would refuse to apply, run installs neither. The hook
	 * stays on until exec: run reads no other config.
	 */
	cl_daemon_signed_inputs_begin(&signed_inputs);
	if (o.scope.openclaw)
		return run_openclaw(&o, argv + optind);
	if (cl_policy_load(o.scope.policy, &policy, err, sizeof(err)) < 0) {
		cl_error("%s", err);
		return CL_EXIT_USAGE;
	}
	/* The policy is this command's own copy: --audit may change its mode. */
	agent = (struct cl_agent *)cl_policy_agent(&policy, o.scope.agent);
	if (!agent) {
		cl_error("%s: no agent '%s' in this policy", o.scope.policy, o.scope.agent);
		cl_policy_free(&policy);
		return CL_EXIT_USAGE;
	}
	ret = confine_self(&o, agent);
	cl_policy_free(&policy);
	if (ret == 0)
		ret = detach_terminal();
	if (ret < 0)
		return CL_EXIT_FAILURE;
	execvp(argv[optind], argv + optind);
	ret = errno;
	cl_error("cannot execute %s: %s", argv[optind], strerror(ret));
	return ret == ENOENT ? 127 : 126;
}

static void print_agent(const struct cl_agent *agent)
{
	printf("agent %s (%s)\n", agent->id, agent->mode == CL_MODE_AUDIT ? "audit" : "enforce");
	for (size_t i = 0; i < agent->files.count; i++) {
		const struct cl_rule *rule = &agent->files.rules[i];
		char access[32];

		printf("  %-40s %-16s %s\n", rule->path,
		       cl_access_format(rule->access, access, sizeof(access)), rule->source);
	}
	if (!agent->net.count)
		printf("  %-40s %-16s %s\n", "network", "none", "(no network rules)");
	for (size_t i = 0; i < agent->net.count; i++) {
		const struct cl_net_rule *rule = &agent->net.rules[i];

		printf("  %-40s %-16s %s\n", rule->text, rule->allow ? "allow" : "deny",
		       rule->source);
	}
	if (agent->cap_drop)
		printf("  %-40s %-16s\n", "capabilities",
		       agent->cap_drop == cl_cap_all() ? "drop all" : "drop some");
}

int cl_cmd_check(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct cl_policy policy;
	char err[1024];
	int ret;

	ret = parse_run_opts(argc, argv, &o, check_help, 0);
	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	if (cl_policy_load(o.scope.policy, &policy, err, sizeof(err)) < 0) {
		cl_error("%s", err);
		return CL_EXIT_USAGE;
	}
	ret = CL_EXIT_OK;
	if (o.scope.agent) {
		const struct cl_agent *agent = cl_policy_agent(&policy, o.scope.agent);

		if (agent) {
			print_agent(agent);
		} else {
			cl_error("%s: no agent '%s' in this policy", o.scope.policy, o.scope.agent);
			ret = CL_EXIT_USAGE;
		}
	} else {
		for (size_t i = 0; i < policy.agent_count; i++)
			print_agent(&policy.agents[i]);
	}
	cl_policy_free(&policy);
	return ret;
}
