// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_audit.c - clawlock audit: its options, and the findings (audit.c,
 * and audit_live.c for --deep) printed as text or in the shape of
 * `openclaw security audit --json` (with a summary count).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "util.h"

static const char audit_help[] =
	"Usage: clawlock audit [--openclaw FILE] [--policy FILE] [--deep] [--json]\n"
	"\n"
	"Check the OpenClaw config for sandbox weaknesses and print findings, most\n"
	"severe first: sandbox off, main sessions on the host, elevated exec (and\n"
	"wildcard allowFrom), writable binds, binds of sensitive host paths, network\n"
	"other than none, secrets a sandbox can reach, host exec without approvals,\n"
	"and promises only the kernel can keep (exec allowed while file tools are\n"
	"denied).\n"
	"\n"
	"With --deep, also the running kernel: BPF LSM inactive, clawlock not\n"
	"loaded or a program detached, pins others can open, a policy change the\n"
	"daemon refused for its signature, scopes whose live policy differs from\n"
	"the config, and a self-test: a probe started in every\n"
	"bound scope tries to read /etc/shadow, connect to the metadata address\n"
	"169.254.169.254 and, as nobody, exec a set-uid binary. Anything that got\n"
	"through is critical (a warning where the scope only audits).\n"
	"\n"
	"  -c, --openclaw FILE  the OpenClaw config (see clawlock compile --help)\n"
	"  -p, --policy FILE    clawlock policy file (overlay with --openclaw); with\n"
	"                       --deep and no config named, the config last applied\n"
	"  -d, --deep           check the live kernel too (needs root)\n"
	"  -j, --json           {ts, summary{critical, warn, info}, findings[{checkId,\n"
	"                       severity, title, detail, remediation}]}\n"
	"\n"
	"Exit status: 0 when the audit ran (whatever it found), 2 on a config error.\n";

/* As `openclaw security audit --json` prints it. */
static void print_json(const struct cl_audit *a)
{
	struct json_object *doc = json_object_new_object(), *sum = json_object_new_object();

	json_object_object_add(doc, "ts", json_object_new_int64((int64_t)time(NULL) * 1000));
	json_object_object_add(sum, "critical", json_object_new_int(a->counts[0]));
	json_object_object_add(sum, "warn", json_object_new_int(a->counts[1]));
	json_object_object_add(sum, "info", json_object_new_int(a->counts[2]));
	json_object_object_add(doc, "summary", sum);
	json_object_object_add(doc, "findings", json_object_get(a->findings));
	printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}

/* Most severe first, each with its fix, then the summary. */
static void print_text(const struct cl_audit *a)
{
	static const char *const order[] = { "critical", "warn", "info" };

	for (int s = 0; s < 3; s++) {
		for (size_t i = 0; i < json_object_array_length(a->findings); i++) {
			struct json_object *f = json_object_array_get_idx(a->findings, i), *fix;

			if (strcmp(json_object_get_string(json_object_object_get(f, "severity")),
				   order[s]))
				continue;
			printf("%-8s %s: %s\n         %s\n", order[s],
			       json_object_get_string(json_object_object_get(f, "checkId")),
			       json_object_get_string(json_object_object_get(f, "title")),
			       json_object_get_string(json_object_object_get(f, "detail")));
			fix = json_object_object_get(f, "remediation");
			if (fix)
				printf("         fix: %s\n", json_object_get_string(fix));
		}
	}
	printf("Summary: %d critical, %d warn, %d info\n", a->counts[0], a->counts[1],
	       a->counts[2]);
}

int cl_cmd_audit(int argc, char **argv)
{
	const char *path = NULL, *policy = NULL;
	struct cl_audit a = { 0 };
	int deep = 0, json = 0;
	struct cl_opt opts[] = {
		CL_OPT_STRING("openclaw", 'c', &path),
		CL_OPT_STRING("policy", 'p', &policy),
		CL_OPT_FLAG("deep", 'd', &deep),
		CL_OPT_FLAG("json", 'j', &json),
		CL_OPT_END,
	};
	int ret = cl_opts_parse(argc, argv, opts, audit_help);

	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	a.findings = json_object_new_array();
	/* A clawlock policy alone has no OpenClaw config to check. */
	if ((path || !policy) && cl_audit_config(&a, path) < 0) {
		json_object_put(a.findings);
		return CL_EXIT_USAGE;
	}
	if (deep)
		cl_audit_live(&a, path, policy);
	if (json)
		print_json(&a);
	else
		print_text(&a);
	json_object_put(a.findings);
	return CL_EXIT_OK;
}
