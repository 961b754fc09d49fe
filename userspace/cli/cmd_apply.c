// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_apply.c - clawlock apply (make the kernel's scopes what the config
 * says), clawlock attach (bind a cgroup clawlock did not make) and
 * clawlock mode (switch scopes between enforce and audit): their options
 * and the refusal beside a running daemon; the work is apply.c's.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "loader/apply.h"
#include "loader/bpfstate.h"
#include "loader/cgroup.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "events/daemon_state.h"
#include "policy/signature.h"
#include "util.h"

static const char apply_help[] =
	"Usage: clawlock apply [--openclaw FILE] [--policy FILE] [--cgroup-root DIR]\n"
	"\n"
	"Make the kernel's scopes what the config says, in one atomic switch.\n"
	"\n"
	"With --openclaw, every agent OpenClaw sandboxes with scope \"agent\" or\n"
	"\"shared\" gets its scope cgroup (named by OpenClaw's slug of the scope\n"
	"key, as 'openclaw sandbox list' shows it) with pids.max, memory.max,\n"
	"memory.swap.max and cpu.max from its docker settings (pidsLimit, memory,\n"
	"memorySwap, cpus), bound to the policy its sandbox compiles to. Session\n"
	"scopes are made on first use by 'clawlock run'; apply recompiles the ones\n"
	"that exist. Sessions OpenClaw does not sandbox stay unconfined. With\n"
	"--policy alone, every agent of the clawlock policy file gets the scope\n"
	"\"agent:ID\". With both, the policy file is an overlay.\n"
	"\n"
	"Scopes whose agent left the config (or is no longer sandboxed) are\n"
	"unbound: an empty one is removed; one with processes left is bound to\n"
	"the empty policy, which denies everything, until they exit. Processes are\n"
	"never released unconfined.\n"
	"\n"
	"The new policies are written beside the live ones and one write switches\n"
	"every scope at once: no operation is ever decided by a mix, and there is\n"
	"no moment without enforcement. A config that does not parse, an agent\n"
	"that does not compile or a limit that cannot be set changes nothing.\n"
	"The inputs are recorded in " CL_APPLIED_PATH " for 'attach' and the daemon.\n"
	"While 'clawlock daemon' runs it owns the live policy: apply refuses and\n"
	"names it; change the daemon's config, or stop the daemon first.\n"
	"\n"
	"  -c, --openclaw FILE     OpenClaw's config (openclaw.json, JSON5)\n"
	"  -p, --policy FILE       clawlock policy file, or overlay with --openclaw\n"
	"      --cgroup-root DIR   where scope cgroups live\n"
	"                          [default: <cgroup2 mount>/clawlock]\n"
	"      --allowed-signers FILE\n"
	"                          signed policy: the policy file and its includes\n"
	"                          (not the installed baseline) must each carry a\n"
	"                          good signature FILE.sig by a key of FILE, an\n"
	"                          OpenSSH allowed-signers file (see clawlock daemon\n"
	"                          --help); a file that does not changes nothing\n"
	"      --signed-openclaw   OpenClaw's config and its $includes too\n"
	"\n"
	"Exit status: 0 applied; 1 the system refused (not loaded, a cgroup or map\n"
	"write failed, a daemon owns the policy); 2 bad input (file:line:column named; nothing changed).\n";

static const char attach_help[] =
	"Usage: clawlock attach --cgroup PATH --agent ID [--session KEY]\n"
	"                       [--openclaw FILE] [--policy FILE]\n"
	"\n"
	"Bind an existing cgroup (a container's scope, a systemd unit) to agent\n"
	"ID's policy; every process in it and below it is confined from the next\n"
	"operation on. PATH is absolute or relative to the cgroup2 mount. The\n"
	"config is the one named, else the one last applied. Its limits stay as\n"
	"whoever made the cgroup set them. Later applies recompile it; if the\n"
	"agent leaves the config it is bound to the empty policy (deny all).\n"
	"\n"
	"  -g, --cgroup PATH       the cgroup to bind\n"
	"  -a, --agent ID          the agent whose policy applies\n"
	"  -s, --session KEY       the session key (OpenClaw: picks the sandbox)\n"
	"  -c, --openclaw FILE     OpenClaw's config\n"
	"  -p, --policy FILE       clawlock policy file (overlay with --openclaw)\n";

static const char mode_help[] =
	"Usage: clawlock mode enforce|audit [--agent ID] [--cgroup PATH]\n"
	"\n"
	"Switch live scopes between enforcing (denials fail with EACCES/EPERM)\n"
	"and auditing (the operation goes through, the event says \"audit\"), in one\n"
	"atomic switch. Without --agent or --cgroup every scope switches. Scopes\n"
	"whose agent was removed always enforce. The next 'apply' sets each\n"
	"scope's mode from the config again.\n";

struct apply_opts {
	struct cl_scope_opts scope;
	const char *cgroup;
	const char *signers; /* apply only: signed policy */
	bool signed_openclaw;
};

static int parse_opts(int argc, char **argv, struct apply_opts *o, const char *help)
{
	struct cl_opt opts[] = {
		CL_OPT_CONFIGS(&o->scope),
		CL_OPT_CGROUP_ROOT(&o->scope),
		CL_OPT_STRING("cgroup", 'g', &o->cgroup),
		CL_OPT_AGENT_SESSION(&o->scope),
		CL_OPT_STRING("allowed-signers", 0, &o->signers),
		CL_OPT_BOOL("signed-openclaw", 0, &o->signed_openclaw),
		CL_OPT_END,
	};
	int ret = cl_opts_parse(argc, argv, opts, help);

	if (ret)
		return ret;
	if ((o->signers || o->signed_openclaw) && help != apply_help) {
		cl_error("--allowed-signers and --signed-openclaw are options of apply and daemon");
		return -1;
	}
	if (o->signed_openclaw && !o->signers) {
		cl_error("--signed-openclaw needs --allowed-signers FILE");
		return -1;
	}
	return 0;
}

/*
 * While a daemon runs it owns the live policy: it applies its config, and
 * again whenever that changes. An apply of another config would be undone
 * by nobody and silently replace the daemon's scopes; refuse it, naming the
 * daemon, and say what to do instead.
 */
static int daemon_owns_policy(void)
{
	struct cl_daemon_info daemon;

	if (cl_daemon_running(&daemon) <= 0)
		return 0;
	cl_error("apply: the clawlock daemon (pid %d) owns the live policy and follows %s: "
		 "change that config (the daemon applies it when it changes), or stop the daemon "
		 "before applying another; 'clawlock check' tests a config without applying it",
		 daemon.pid, daemon.config[0] ? daemon.config : "its config");
	return 1;
}

int cl_cmd_apply(int argc, char **argv)
{
	static struct cl_signed_inputs signed_inputs;
	struct apply_opts o = { 0 };
	int ret = parse_opts(argc, argv, &o, apply_help);

	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	if (optind < argc || (!o.scope.openclaw && !o.scope.policy)) {
		cl_error("apply: give --openclaw FILE and/or --policy FILE, and nothing else "
			 "(see --help)");
		return CL_EXIT_USAGE;
	}
	if (daemon_owns_policy())
		return CL_EXIT_FAILURE;
	if (!o.signers)
		return cl_apply(o.scope.openclaw, o.scope.policy, o.scope.cgroup_root, NULL);
	signed_inputs.allowed_signers = o.signers;
	signed_inputs.openclaw_too = o.signed_openclaw;
	cl_signed_inputs_begin(&signed_inputs);
	ret = cl_apply(o.scope.openclaw, o.scope.policy, o.scope.cgroup_root, NULL);
	cl_signed_inputs_end();
	return ret;
}

static int attach_path(const char *given, char *out, size_t size)
{
	char mount[PATH_MAX];

	if (given[0] == '/')
		return cl_strlcpy(out, given, size) ? 0 : -1;
	if (cl_cgroup_mount(mount, sizeof(mount)) < 0)
		return -1;
	return cl_format(out, size, "%s/%s", mount, given) ? 0 : -1;
}

int cl_cmd_attach(int argc, char **argv)
{
	struct apply_opts o = { 0 };
	char path[PATH_MAX];
	uint64_t cgid;
	int ret = parse_opts(argc, argv, &o, attach_help);

	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	if (!o.cgroup || !o.scope.agent || optind < argc) {
		cl_error("attach: --cgroup PATH and --agent ID are required (see --help)");
		return CL_EXIT_USAGE;
	}
	if (attach_path(o.cgroup, path, sizeof(path)) < 0 || cl_cgroup_id(path, &cgid) < 0)
		return CL_EXIT_USAGE;
	return cl_attach(o.scope.openclaw, o.scope.policy, o.scope.agent, o.scope.session, path,
			 cgid);
}

int cl_cmd_mode(int argc, char **argv)
{
	struct apply_opts o = { 0 };
	char path[PATH_MAX];
	enum cl_mode mode;
	int ret = parse_opts(argc, argv, &o, mode_help);

	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	if (optind != argc - 1 ||
	    (strcmp(argv[optind], "enforce") && strcmp(argv[optind], "audit"))) {
		cl_error("mode: say 'enforce' or 'audit' (see --help)");
		return CL_EXIT_USAGE;
	}
	mode = strcmp(argv[optind], "audit") ? CL_MODE_ENFORCE : CL_MODE_AUDIT;
	if (o.cgroup && attach_path(o.cgroup, path, sizeof(path)) < 0)
		return CL_EXIT_USAGE;
	return cl_mode(mode, o.scope.agent, o.cgroup ? path : NULL);
}
