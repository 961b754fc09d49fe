// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - the clawlock command: global options and subcommand dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/print.h"
#include "util.h"

#ifndef CLAWLOCK_VERSION
#define CLAWLOCK_VERSION "0.1.0"
#endif

static const char usage_text[] =
	"Usage: clawlock [-v] [-q] COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"clawlock confines AI agents in the kernel. eBPF-LSM programs enforce\n"
	"per-agent file rules on every process of an agent's cgroup, and every\n"
	"denial is reported as an event.\n"
	"\n"
	"Commands:\n"
	"  load                 attach the LSM programs and pin them under\n"
	"                       /sys/fs/bpf/clawlock (needs BPF LSM active)\n"
	"  unload               detach and remove everything clawlock pinned\n"
	"  upgrade NEW_BINARY   hand the loaded programs over to a new clawlock\n"
	"                       executable, enforcing throughout\n"
	"  apply [--openclaw FILE] [--policy FILE]\n"
	"                       make the scopes (cgroups, limits, policies) what\n"
	"                       the config says, in one atomic switch\n"
	"  run --policy FILE --agent ID [--session KEY] -- CMD [ARG...]\n"
	"                       run CMD confined by agent ID's policy\n"
	"  attach --cgroup PATH --agent ID [--session KEY]\n"
	"                       confine an existing cgroup (container, unit)\n"
	"  daemon [--openclaw FILE] [--policy FILE] [--log FILE] [--syslog]\n"
	"                       keep the scopes in step with the config, write\n"
	"                       the denial stream to files, syslog or stdout\n"
	"  mode enforce|audit [--agent ID]\n"
	"                       switch live scopes between enforce and audit\n"
	"  events [--json] [--follow]\n"
	"                       print denial events (and audit records)\n"
	"  status [--json]      show whether clawlock is loaded, its bindings\n"
	"                       and counters\n"
	"  check --policy FILE  parse a policy file and print its agents' rules\n"
	"  compile [--openclaw FILE] [--policy FILE] [--json]\n"
	"                       translate the OpenClaw config: every agent's policy\n"
	"  explain --agent ID [--session KEY] [--op OP --target T] [--json]\n"
	"                       the sandbox OpenClaw gives a session, and whether\n"
	"                       the kernel would allow an operation, and why\n"
	"  audit [--json]       findings on the OpenClaw config's sandboxing\n"
	"  learn --agent ID (--from LOG | -- CMD)\n"
	"                       propose the smallest overlay that allows what\n"
	"                       the agent was denied (CMD runs in audit mode)\n"
	"  sandbox exec|describe|release --scope-key KEY ...\n"
	"                       OpenClaw's sandbox backend: run a command in a\n"
	"                       session's scope, show or release the scope\n"
	"  help [COMMAND]       show this text, or a command's own help\n"
	"  version              print the version\n"
	"\n"
	"Global options (before COMMAND):\n"
	"  -v, --verbose        more detail (twice: libbpf debug output)\n"
	"  -q, --quiet          no progress lines\n"
	"  -h, --help           show this text\n"
	"\n"
	"Every command accepts --help. Exit status: 0 success, 1 the system refused\n"
	"(not loaded, BPF LSM inactive, I/O error), 2 bad usage or bad input (the\n"
	"message names file:line:column; nothing was applied). `run` exits with\n"
	"CMD's status, or 126/127 if CMD cannot be executed or found.\n"
	"\n"
	"Documentation: Documentation/policy.md (policy files),\n"
	"Documentation/operations.md (load, run, events).\n";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "load", cl_cmd_load },       { "unload", cl_cmd_unload }, { "upgrade", cl_cmd_upgrade },
	{ "run", cl_cmd_run },	       { "apply", cl_cmd_apply },   { "attach", cl_cmd_attach },
	{ "mode", cl_cmd_mode },       { "daemon", cl_cmd_daemon }, { "events", cl_cmd_events },
	{ "status", cl_cmd_status },   { "check", cl_cmd_check },   { "compile", cl_cmd_compile },
	{ "explain", cl_cmd_explain }, { "audit", cl_cmd_audit },   { "learn", cl_cmd_learn },
	{ "sandbox", cl_cmd_sandbox },
};

static int dispatch(const char *name, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].fn(argc, argv);
	}
	cl_error("unknown command '%s' (see 'clawlock --help')", name);
	return CL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	int i = 1;

	cl_set_print(cl_print_stderr);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			cl_verbose++;
		} else if (!strcmp(argv[i], "-vv")) {
			cl_verbose += 2;
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			cl_quiet = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return CL_EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("clawlock %s\n", CLAWLOCK_VERSION);
			return CL_EXIT_OK;
		} else {
			cl_error("unknown option '%s' (see 'clawlock --help')", argv[i]);
			return CL_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		fputs(usage_text, stderr);
		return CL_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 < argc) {
			char help[] = "--help";
			char *args[] = { argv[i + 1], help, NULL };

			return dispatch(argv[i + 1], 2, args);
		}
		fputs(usage_text, stdout);
		return CL_EXIT_OK;
	}
	if (!strcmp(argv[i], "version")) {
		printf("clawlock %s\n", CLAWLOCK_VERSION);
		return CL_EXIT_OK;
	}
	return dispatch(argv[i], argc - i, argv + i);
}
