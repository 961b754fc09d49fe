// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_openclaw.c - clawlock compile and clawlock explain: the OpenClaw
 * config, resolved and compiled the way the kernel will enforce it.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "loader/cgroup.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "containers/bind.h"
#include "containers/engine.h"
#include "policy/json5.h"
#include "openclaw/ocinputs.h"
#include "openclaw/ocpolicy.h"
#include "policy/policy.h"
#include "util.h"
#include "policy/verdict.h"

static const char compile_help[] =
	"Usage: clawlock compile [--openclaw FILE] [--policy FILE] [--session KEY] [--json]\n"
	"\n"
	"Read the OpenClaw config, resolve every agent's sandbox as OpenClaw does, and\n"
	"print the policy clawlock would load for it: file rules with the config key\n"
	"that produced each, network mode, dropped capabilities, the exec switch and\n"
	"resource limits. For each agent the main session and one other session\n"
	"(agent:ID:other, or --session KEY) are shown, since non-main mode treats them\n"
	"differently.\n"
	"\n"
	"  -c, --openclaw FILE  the OpenClaw config [default: $OPENCLAW_CONFIG_PATH, else\n"
	"                       $OPENCLAW_STATE_DIR/openclaw.json, else ~/.openclaw/openclaw.json]\n"
	"  -p, --policy FILE    clawlock overlay (Documentation/openclaw.md): extra\n"
	"                       profiles and per-agent rules and modes\n"
	"      --baseline FILE  the system and secrets profiles [default:\n"
	"                       $CLAWLOCK_BASELINE, else policies/baseline.json5 of the\n"
	"                       tree the binary was built in, else\n"
	"                       /usr/share/clawlock/policies/baseline.json5]\n"
	"  -s, --session KEY    the non-main session to show [default: agent:ID:other]\n"
	"  -j, --json           one JSON document\n"
	"\n"
	"Exit status 2 on a config error (file:line:column or key path); nothing is\n"
	"loaded. Secrets in the config (tokens, keys) are never printed.\n";

static const char explain_help[] =
	"Usage: clawlock explain --agent ID [--session KEY] [--openclaw FILE]\n"
	"                        [--policy FILE] [--json]\n"
	"                        [--op read|write|exec|connect|bind|sendto --target T]\n"
	"                        [--cases FILE]\n"
	"       clawlock explain --container ID [--engine-socket PATH] [...]\n"
	"\n"
	"Show the sandbox OpenClaw gives one agent and session, in the spirit of\n"
	"`openclaw sandbox explain`: mode, scope, scope key and the cgroup it maps to,\n"
	"workspace access and mounts, network, capabilities, exec, limits, the sandbox\n"
	"tool policy, and the file rules with their config keys.\n"
	"\n"
	"With --op and --target, answer whether the kernel would allow it: the\n"
	"decision, the rule that decided and the config key behind it. T is an\n"
	"absolute path, or ADDR:PORT[/tcp|udp] ([ADDR]:PORT for IPv6) for connect,\n"
	"bind and sendto, decided as from the host's network namespace.\n"
	"\n"
	"  -a, --agent ID       the agent (or give an agent:ID:... session key)\n"
	"  -s, --session KEY    the session [default: the agent's main session]; a\n"
	"                       short name such as 'main' means agent:ID:NAME\n"
	"  -c, --openclaw FILE  the OpenClaw config (see compile --help)\n"
	"  -p, --policy FILE    clawlock overlay\n"
	"      --baseline FILE  the system and secrets profiles\n"
	"  -o, --op OP          read, write, exec, connect, bind or sendto\n"
	"  -t, --target T       what the operation is on\n"
	"      --cases FILE     many questions at once: each line of FILE ('-' for\n"
	"                       standard input) is 'OP TARGET'; each answer is one\n"
	"                       line of JSON (op, target, decision, reason, rule);\n"
	"                       a bad line is reported as FILE:LINE and skipped,\n"
	"                       and makes the exit status 2\n"
	"  -j, --json           JSON: agentId, sessionKey, sandboxed, sandbox{...},\n"
	"                       rules[], and with --op: decision, rule{path, access,\n"
	"                       source}, reason\n"
	"      --container ID   a running container of OpenClaw's (id or name), asked\n"
	"                       of the engine (Docker, or Podman's Docker API): its\n"
	"                       openclaw.sessionKey label picks the agent and session,\n"
	"                       and the answer adds container{id, name, scopeKey,\n"
	"                       matched, why} and containerRules[] (the rules at the\n"
	"                       paths the container sees). A scope the config does\n"
	"                       not sandbox is matched false: the daemon denies that\n"
	"                       container everything. --target is then a path as the\n"
	"                       container sees it, under one of its mounts\n"
	"      --engine-socket PATH\n"
	"                       the engine's API socket [default: the first of\n"
	"                       /var/run/docker.sock, /run/docker.sock,\n"
	"                       /run/podman/podman.sock]\n";

struct oc_opts {
	struct cl_scope_opts scope; /* its policy: the overlay on the OpenClaw config */
	const char *baseline;
	const char *op, *target; /* explain: one question */
	const char *cases;
	const char *container, *engine_socket; /* explain: the container's scope */
	int json;
};

/* What the options leave to be checked once all are read. */
static int check_oc_opts(int argc, char **argv, const struct oc_opts *o)
{
	if (optind < argc) {
		cl_error("%s: unexpected argument '%s' (see --help)", argv[0], argv[optind]);
		return -1;
	}
	if (!!o->op != !!o->target) {
		cl_error("%s: --op and --target go together", argv[0]);
		return -1;
	}
	return 0;
}

static int parse_oc_opts(int argc, char **argv, struct oc_opts *o, const char *help)
{
	struct cl_opt opts[] = {
		CL_OPT_CONFIGS(&o->scope),
		CL_OPT_STRING("baseline", 0, &o->baseline),
		CL_OPT_AGENT_SESSION(&o->scope),
		CL_OPT_STRING("op", 'o', &o->op),
		CL_OPT_STRING("target", 't', &o->target),
		CL_OPT_STRING("cases", 0, &o->cases),
		CL_OPT_STRING("container", 0, &o->container),
		CL_OPT_STRING("engine-socket", 0, &o->engine_socket),
		CL_OPT_FLAG("json", 'j', &o->json),
		CL_OPT_END,
	};
	int ret = cl_opts_parse(argc, argv, opts, help);

	return ret ? ret : check_oc_opts(argc, argv, o);
}

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *source_obj(const char *source, const char *key)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "source", jstr(source));
	json_object_object_add(o, "key", jstr(key));
	return o;
}

static struct json_object *tools_json(const struct oc_compiled *c)
{
	struct json_object *t = json_object_new_object(), *allow = json_object_new_array();
	struct json_object *deny = json_object_new_array(), *sources = json_object_new_object();

	for (size_t i = 0; i < c->tools_allow.count; i++)
		json_object_array_add(allow, jstr(c->tools_allow.names[i]));
	for (size_t i = 0; i < c->tools_deny.count; i++)
		json_object_array_add(deny, jstr(c->tools_deny.names[i]));
	json_object_object_add(t, "allow", allow);
	json_object_object_add(t, "deny", deny);
	json_object_object_add(sources, "allow",
			       source_obj(c->tools_allow.source, c->tools_allow.key));
	json_object_object_add(sources, "deny",
			       source_obj(c->tools_deny.source, c->tools_deny.key));
	json_object_object_add(t, "sources", sources);
	return t;
}

static struct json_object *mounts_json(const struct oc_sandbox *sb)
{
	struct json_object *list = json_object_new_array();

	for (size_t i = 0; i < sb->mount_count; i++) {
		struct json_object *m = json_object_new_object();

		json_object_object_add(m, "hostRoot", jstr(sb->mounts[i].host));
		json_object_object_add(m, "containerRoot", jstr(sb->mounts[i].container));
		json_object_object_add(m, "writable",
				       json_object_new_boolean(sb->mounts[i].writable));
		json_object_object_add(m, "source", jstr(sb->mounts[i].source));
		json_object_object_add(m, "key", jstr(sb->mounts[i].key));
		json_object_array_add(list, m);
	}
	return list;
}

static struct json_object *limits_json(const struct oc_sandbox *sb)
{
	struct json_object *l = json_object_new_object();

	json_object_object_add(l, "pidsMax",
			       sb->pids_limit ? json_object_new_int64(sb->pids_limit) : NULL);
	json_object_object_add(l, "memoryMax", jstr(sb->memory));
	json_object_object_add(l, "memorySwapMax", jstr(sb->memory_swap));
	json_object_object_add(l, "cpus", jstr(sb->cpus));
	return l;
}

static struct json_object *caps_json(const struct oc_compiled *c)
{
	struct json_object *caps = json_object_new_object(), *drop = json_object_new_array();

	for (int i = 0; i < 64; i++) {
		if ((c->cap_drop_mask & (1ULL << i)) && strcmp(cl_cap_name(i), "unknown"))
			json_object_array_add(drop, jstr(cl_cap_name(i)));
	}
	json_object_object_add(caps, "drop", drop);
	json_object_object_add(caps, "all",
			       json_object_new_boolean(c->cap_drop_mask == cl_cap_all()));
	json_object_object_add(caps, "source", jstr(c->sb.cap_drop.key));
	return caps;
}

static struct json_object *switch_json(bool allowed, const char *key)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "allowed", json_object_new_boolean(allowed));
	json_object_object_add(o, "source", jstr(key));
	return o;
}

static struct json_object *elevated_json(const struct oc_compiled *c)
{
	const struct oc_elevated *e = &c->elevated;
	struct json_object *o = json_object_new_object(), *fails = json_object_new_array();

	json_object_object_add(o, "enabled", json_object_new_boolean(e->enabled));
	json_object_object_add(o, "channel", e->channel[0] ? jstr(e->channel) : NULL);
	json_object_object_add(o, "allowedByConfig", json_object_new_boolean(e->allowed_by_config));
	json_object_object_add(o, "alwaysAllowedByConfig",
			       json_object_new_boolean(e->always_allowed_by_config));
	for (size_t i = 0; i < e->failure_count; i++) {
		struct json_object *f = json_object_new_object();
		char gate[OC_KEY_MAX];

		cl_format(gate, sizeof(gate), "%s", e->failures[i]);
		*strchr(gate, ' ') = '\0';
		json_object_object_add(f, "gate", jstr(gate));
		json_object_object_add(f, "key", jstr(strchr(e->failures[i], ' ') + 1));
		json_object_array_add(fails, f);
	}
	json_object_object_add(o, "failures", fails);
	return o;
}

static struct json_object *host_exec_json(const struct oc_compiled *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "security", jstr(c->host_exec.security));
	json_object_object_add(o, "ask", jstr(c->host_exec.ask));
	json_object_object_add(o, "source", jstr(c->host_exec.key));
	return o;
}

static struct json_object *sandbox_json(const struct oc_compiled *c)
{
	const struct oc_sandbox *sb = &c->sb;
	struct json_object *s = json_object_new_object(), *net = json_object_new_object();
	char cgroup[PATH_MAX];

	cl_format(cgroup, sizeof(cgroup), "%s/%s", CL_CGROUP_SUBTREE, sb->slug);
	json_object_object_add(s, "mode", jstr(oc_mode_name(sb->mode)));
	json_object_object_add(s, "modeSource", jstr(sb->mode_key));
	json_object_object_add(s, "scope", jstr(oc_scope_name(sb->scope)));
	json_object_object_add(s, "scopeSource", jstr(sb->scope_src));
	json_object_object_add(s, "scopeKey", jstr(sb->scope_key));
	json_object_object_add(s, "cgroup", jstr(cgroup));
	json_object_object_add(s, "backend", jstr(sb->backend));
	json_object_object_add(s, "workspaceAccess", jstr(oc_access_name(sb->access)));
	json_object_object_add(s, "workspaceAccessSource", jstr(sb->access_key));
	json_object_object_add(s, "workspaceRoot", jstr(sb->workspace_root));
	json_object_object_add(s, "agentWorkspace", jstr(sb->agent_workspace));
	json_object_object_add(s, "sandboxDir", jstr(sb->sandbox_dir));
	json_object_object_add(s, "effectiveHostWorkspaceRoot",
			       jstr(sb->sandboxed ? sb->workspace_dir : sb->agent_workspace));
	json_object_object_add(s, "sessionIsSandboxed", json_object_new_boolean(sb->sandboxed));
	json_object_object_add(s, "workspaceMounts", mounts_json(sb));
	json_object_object_add(net, "mode", jstr(sb->network));
	json_object_object_add(net, "source", jstr(sb->network_key));
	json_object_object_add(s, "network", net);
	json_object_object_add(s, "capabilities", caps_json(c));
	json_object_object_add(s, "exec", switch_json(c->exec_allowed, c->exec_key));
	json_object_object_add(s, "writes", switch_json(c->writes_allowed, c->writes_key));
	json_object_object_add(s, "limits", limits_json(sb));
	/* Always: docker runs sandboxes with no-new-privileges, and so does clawlock. */
	json_object_object_add(s, "noNewPrivileges", json_object_new_boolean(1));
	{
		struct json_object *env = json_object_new_array();

		for (size_t i = 0; i < sb->env_names.count; i++)
			json_object_array_add(env, jstr(sb->env_names.items[i]));
		json_object_object_add(s, "envNames", env);
		json_object_object_add(s, "ulimits", json_object_get(sb->ulimits));
	}
	json_object_object_add(s, "tools", tools_json(c));
	return s;
}

static struct json_object *rule_json(const struct cl_rule *r)
{
	struct json_object *o = json_object_new_object();
	char access[32];

	json_object_object_add(o, "path", jstr(r->path));
	json_object_object_add(o, "access",
			       jstr(cl_access_format(r->access, access, sizeof(access))));
	json_object_object_add(o, "source", jstr(r->source));
	return o;
}

static struct json_object *net_rule_json(const struct cl_net_rule *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "path", jstr(r->text));
	json_object_object_add(o, "access", jstr(r->allow ? "allow" : "deny"));
	json_object_object_add(o, "source", jstr(r->source));
	return o;
}

static struct json_object *compiled_json(const struct oc_compiled *c)
{
	struct json_object *o = json_object_new_object(), *rules = json_object_new_array();
	struct json_object *notes = json_object_new_array();

	json_object_object_add(o, "agentId", jstr(c->sb.agent_id));
	json_object_object_add(o, "sessionKey", jstr(c->sb.session_key));
	json_object_object_add(o, "mainSessionKey", jstr(c->sb.main_session_key));
	json_object_object_add(o, "sandboxed", json_object_new_boolean(c->confined));
	json_object_object_add(o, "policyMode",
			       jstr(c->policy.mode == CL_MODE_AUDIT ? "audit" : "enforce"));
	json_object_object_add(o, "sandbox", sandbox_json(c));
	json_object_object_add(o, "elevated", elevated_json(c));
	json_object_object_add(o, "hostExec", host_exec_json(c));
	for (size_t i = 0; i < c->policy.files.count; i++)
		json_object_array_add(rules, rule_json(&c->policy.files.rules[i]));
	json_object_object_add(o, "rules", rules);
	{
		struct json_object *net = json_object_new_array();

		for (size_t i = 0; i < c->policy.net.count; i++)
			json_object_array_add(net, net_rule_json(&c->policy.net.rules[i]));
		json_object_object_add(o, "networkRules", net);
	}
	for (size_t i = 0; i < c->note_count; i++)
		json_object_array_add(notes, jstr(c->notes[i]));
	for (size_t i = 0; i < c->policy.files.count; i++) {
		const struct cl_rule *r = &c->policy.files.rules[i];
		char text[PATH_MAX + 128];

		if (access(r->path, F_OK) == 0 || r->access == CL_ACC_DENY)
			continue;
		cl_format(text, sizeof(text),
			  "%s does not exist here: the rule cannot be loaded until it does",
			  r->path);
		json_object_array_add(notes, jstr(text));
	}
	json_object_object_add(o, "notes", notes);
	return o;
}

static int parse_op(const char *op, uint32_t *access)
{
	static const struct {
		const char *name;
		uint32_t access;
	} ops[] = { { "read", CL_ACC_READ }, { "write", CL_ACC_WRITE },
		    { "exec", CL_ACC_EXEC }, { "connect", 0 },
		    { "bind", 0 },	     { "sendto", 0 } };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!strcmp(op, ops[i].name)) {
			*access = ops[i].access;
			return 0;
		}
	}
	return -1;
}

/*
 * A network verdict, as the kernel decides it from the host's network
 * namespace (where `clawlock run` leaves the command): loopback is host
 * loopback there.
 */
static int add_net_verdict(struct json_object *o, const struct oc_compiled *c, const char *target)
{
	const struct cl_net_rule *rule;
	struct cl_net_request req;
	char err[256];
	bool allowed;

	if (cl_net_target_parse(target, &req, err, sizeof(err)) < 0) {
		cl_error("explain: --target %s", err);
		return -1;
	}
	allowed = cl_net_decide(&c->policy.net, &req, &rule);
	json_object_object_add(o, "decision", jstr(allowed ? "allow" : "deny"));
	if (rule)
		json_object_object_add(o, "reason", jstr("rule"));
	else
		json_object_object_add(o, "reason",
				       jstr(c->policy.net.count ? "no-rule" : "network none"));
	json_object_object_add(o, "rule", rule ? net_rule_json(rule) : NULL);
	json_object_object_add(o, "networkSource", jstr(c->sb.network_key));
	return 0;
}

/* The verdict for --op/--target, added to @o. */
static int add_verdict(struct json_object *o, const struct oc_compiled *c, const char *op,
		       const char *target)
{
	struct cl_verdict v;
	uint32_t access;
	char err[1024];

	if (parse_op(op, &access) < 0) {
		cl_error("explain: unknown --op '%s' (read, write, exec, connect, bind, sendto)",
			 op);
		return -1;
	}
	json_object_object_add(o, "op", jstr(op));
	json_object_object_add(o, "target", jstr(target));
	if (!c->confined) {
		json_object_object_add(o, "decision", jstr("allow"));
		json_object_object_add(o, "reason", jstr("not sandboxed: runs on the host"));
		json_object_object_add(o, "rule", source_obj("sandbox.mode", c->sb.mode_key));
		return 0;
	}
	if (!access)
		return add_net_verdict(o, c, target);
	if (access == CL_ACC_EXEC && !c->exec_allowed) {
		/* The kernel refuses every exec after the first program, whatever the rules. */
		json_object_object_add(o, "decision", jstr("deny"));
		json_object_object_add(o, "reason",
				       jstr("exec switched off by the sandbox tool policy"));
		json_object_object_add(o, "rule", source_obj("tools", c->exec_key));
		return 0;
	}
	if (cl_verdict_file(&c->policy.files, target, access, &v, err, sizeof(err)) < 0) {
		cl_error("explain: %s", err);
		return -1;
	}
	json_object_object_add(o, "resolvedTarget", jstr(v.target));
	json_object_object_add(o, "decision", jstr(v.allowed ? "allow" : "deny"));
	json_object_object_add(o, "reason", jstr(v.rule ? "rule" : "no-rule"));
	json_object_object_add(o, "rule", v.rule ? rule_json(v.rule) : NULL);
	/* As the kernel's events say it: what denies where no rule grants. */
	if (!v.rule && !v.allowed && c->policy.default_source[0])
		json_object_object_add(o, "default", jstr(c->policy.default_source));
	return 0;
}

/* The verdict on --op and --target, when they were given. */
static void print_explain_decision(struct json_object *o, struct json_object *v)
{
	struct json_object *rule = json_object_object_get(o, "rule");

	printf("\n%s %s: %s", json_object_get_string(json_object_object_get(o, "op")),
	       json_object_get_string(json_object_object_get(o, "target")),
	       json_object_get_string(v));
	if (rule && json_object_object_get(rule, "path"))
		printf(" by %s (%s) from %s\n",
		       json_object_get_string(json_object_object_get(rule, "path")),
		       json_object_get_string(json_object_object_get(rule, "access")),
		       json_object_get_string(json_object_object_get(rule, "source")));
	else if (rule)
		printf(" (%s) by %s\n", json_object_get_string(json_object_object_get(o, "reason")),
		       json_object_get_string(json_object_object_get(rule, "key"))
			       ?: json_object_get_string(json_object_object_get(rule, "source")));
	else if (json_object_object_get(o, "default"))
		printf(" (%s) by %s\n", json_object_get_string(json_object_object_get(o, "reason")),
		       json_object_get_string(json_object_object_get(o, "default")));
	else
		printf(" (%s)\n", json_object_get_string(json_object_object_get(o, "reason")));
}

static void print_explain_text(struct json_object *o)
{
	struct json_object *sb, *v, *list;

	printf("agent %s, session %s (main: %s)\n",
	       json_object_get_string(json_object_object_get(o, "agentId")),
	       json_object_get_string(json_object_object_get(o, "sessionKey")),
	       json_object_get_string(json_object_object_get(o, "mainSessionKey")));
	sb = json_object_object_get(o, "sandbox");
	printf("Effective sandbox:\n");
	static const char *const keys[] = { "mode",
					    "scope",
					    "scopeKey",
					    "cgroup",
					    "workspaceAccess",
					    "effectiveHostWorkspaceRoot",
					    "sessionIsSandboxed" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		printf("  %-28s %s\n", keys[i],
		       json_object_get_string(json_object_object_get(sb, keys[i])));
	list = json_object_object_get(sb, "workspaceMounts");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		v = json_object_array_get_idx(list, i);
		printf("  mount %-22s <- %s (%s) [%s]\n",
		       json_object_get_string(json_object_object_get(v, "containerRoot")),
		       json_object_get_string(json_object_object_get(v, "hostRoot")),
		       json_object_get_boolean(json_object_object_get(v, "writable")) ? "rw" : "ro",
		       json_object_get_string(json_object_object_get(v, "key")));
	}
	printf("  %-28s %s\n", "network",
	       json_object_get_string(
		       json_object_object_get(json_object_object_get(sb, "network"), "mode")));
	printf("  %-28s %s\n", "exec allowed",
	       json_object_get_string(
		       json_object_object_get(json_object_object_get(sb, "exec"), "allowed")));
	list = json_object_object_get(o, "rules");
	printf("File rules (nearest wins, no rule = deny): %zu\n", json_object_array_length(list));
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		v = json_object_array_get_idx(list, i);
		printf("  %-40s %-16s %s\n",
		       json_object_get_string(json_object_object_get(v, "path")),
		       json_object_get_string(json_object_object_get(v, "access")),
		       json_object_get_string(json_object_object_get(v, "source")));
	}
	list = json_object_object_get(o, "notes");
	for (size_t i = 0; i < json_object_array_length(list); i++)
		printf("note: %s\n", json_object_get_string(json_object_array_get_idx(list, i)));
	v = json_object_object_get(o, "decision");
	if (v)
		print_explain_decision(o, v);
}

static void print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* --cases: one verdict per "OP TARGET" line, as JSON lines. */
static int explain_cases(const struct oc_compiled *c, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL, *target;
	size_t size = 0, lineno = 0;
	int ret = CL_EXIT_OK;

	if (!f) {
		cl_error("explain: cannot open %s: %s", path, strerror(errno));
		return CL_EXIT_USAGE;
	}
	while (getline(&line, &size, f) >= 0) {
		struct json_object *o;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		target = strchr(line, ' ');
		if (target)
			*target++ = '\0';
		o = json_object_new_object();
		if (!target || !*target || add_verdict(o, c, line, target) < 0) {
			cl_error("%s:%zu: expected 'OP TARGET' with a known op and a valid target",
				 path, lineno);
			ret = CL_EXIT_USAGE;
		} else {
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		}
		json_object_put(o);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

/* explain --container: ask the engine; the label's agent and session go into @o. */
static int container_scope(struct oc_opts *o, struct cl_container *ct, char *agent, size_t asize,
			   char *session, size_t ssize)
{
	struct cl_engine e;
	char err[512];

	if (o->scope.agent || o->scope.session) {
		cl_error("explain: --container picks the agent and session: give neither");
		return CL_EXIT_USAGE;
	}
	if (cl_engine_locate("auto", o->engine_socket, &e, err, sizeof(err)) < 0 ||
	    cl_engine_inspect(&e, o->container, ct, err, sizeof(err)) < 0) {
		cl_error("explain: container %s: %s", o->container, err);
		return CL_EXIT_FAILURE;
	}
	if (!ct->scope_key[0] || !strcmp(ct->scope_key, "shared")) {
		cl_error("explain: container %s: %s", o->container,
			 ct->scope_key[0] ? "its scope is OpenClaw's shared one: explain the first "
					    "agent whose scope is shared (--agent)"
			 : ct->tenant[0]  ? "a fleet cell: its policy is the overlay's agent "
					    "fleet:<tenant> (or fleet)"
					  : "no openclaw.sessionKey label");
		return CL_EXIT_USAGE;
	}
	if (cl_scope_key_split(ct->scope_key, agent, asize, session, ssize) < 0) {
		cl_error("explain: container %s: scope key '%s' cannot be parsed: the daemon binds "
			 "it to the policy that denies everything",
			 o->container, ct->scope_key);
		return CL_EXIT_FAILURE;
	}
	o->scope.agent = agent;
	o->scope.session = session[0] ? session : NULL;
	return 0;
}

/* The container, whether its label is the scope the config gives, and the rules where it sees them.
 */
static void add_container(struct json_object *out, const struct oc_compiled *c,
			  const struct cl_container *ct)
{
	struct json_object *o = json_object_new_object(), *rules = json_object_new_array();
	bool matched = c->confined && !strcmp(c->sb.scope_key, ct->scope_key);
	char path[PATH_MAX], why[512];

	json_object_object_add(o, "id", jstr(ct->id));
	json_object_object_add(o, "name", jstr(ct->name));
	json_object_object_add(o, "pid", json_object_new_int(ct->pid));
	json_object_object_add(o, "scopeKey", jstr(ct->scope_key));
	json_object_object_add(o, "matched", json_object_new_boolean(matched));
	if (!matched) {
		cl_format(
			why, sizeof(why),
			"%s: the daemon binds this container to the policy that denies everything",
			c->confined ? "the config gives this session another scope key"
				    : "the config does not sandbox this session");
		json_object_object_add(o, "why", jstr(why));
	}
	json_object_object_add(out, "container", o);
	for (size_t i = 0; matched && i < c->policy.files.count; i++) {
		struct cl_rule r = c->policy.files.rules[i];

		cl_container_path(&c->sb, r.path, path, sizeof(path));
		r.path = path;
		json_object_array_add(rules, rule_json(&r));
	}
	/* docker.tmpfs: the container's own scratch, writable (containers/bind.c). */
	for (size_t i = 0; matched && i < c->sb.tmpfs.count; i++) {
		struct cl_rule r = { .path = path, .access = CL_ACC_READ | CL_ACC_WRITE };

		cl_format(path, sizeof(path), "%s", c->sb.tmpfs.items[i]);
		cl_format(r.source, sizeof(r.source), "%s", c->sb.tmpfs.key);
		json_object_array_add(rules, rule_json(&r));
	}
	json_object_object_add(out, "containerRules", rules);
}

/* A --target path as the container sees it: the host path its mount brings there. */
static int host_target(const struct oc_sandbox *sb, const char *target, char *out, size_t size)
{
	for (size_t i = 0; target[0] == '/' && i < sb->mount_count; i++) {
		const struct oc_mount *m = &sb->mounts[i];
		size_t len = strlen(m->container);

		if (!strncmp(target, m->container, len) && (!target[len] || target[len] == '/'))
			return cl_format(out, size, "%s%s", m->host, target + len) ? 0 : -1;
	}
	if (target[0] != '/') /* an address */
		return cl_format(out, size, "%s", target) ? 0 : -1;
	cl_error("explain: %s is in the container's own tree, under none of its mounts: only "
		 "the daemon resolves it (in the container)",
		 target);
	return -1;
}

static int explain_answer(struct oc_opts *o, const struct oc_compiled *c,
			  const struct cl_container *ct)
{
	struct json_object *out = compiled_json(c);
	char target[PATH_MAX];
	int ret = CL_EXIT_OK;

	if (ct)
		add_container(out, c, ct);
	if (o->op && ct && host_target(&c->sb, o->target, target, sizeof(target)) < 0)
		ret = CL_EXIT_USAGE;
	else if (o->op && add_verdict(out, c, o->op, ct ? target : o->target) < 0)
		ret = CL_EXIT_USAGE;
	if (ret == CL_EXIT_OK) {
		if (o->json)
			print_json(out);
		else
			print_explain_text(out);
	}
	json_object_put(out);
	return ret;
}

int cl_cmd_explain(int argc, char **argv)
{
	struct oc_opts o = { 0 };
	struct cl_container ct;
	char agent[CL_AGENT_MAX], session[CL_SESSION_MAX];
	struct oc_inputs in;
	struct oc_compiled c;
	int ret = parse_oc_opts(argc, argv, &o, explain_help);

	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	if (o.container) {
		ret = container_scope(&o, &ct, agent, sizeof(agent), session, sizeof(session));
		if (ret)
			return ret;
	}
	if (!o.scope.agent && !o.scope.session) {
		cl_error("explain: --agent ID is required (see --help)");
		return CL_EXIT_USAGE;
	}
	ret = cl_oc_load_inputs(o.scope.openclaw, o.scope.policy, o.baseline, &in);
	if (ret)
		return ret;
	if (cl_oc_compile(&in, o.scope.agent, o.scope.session, &c) < 0) {
		cl_oc_free_inputs(&in);
		return CL_EXIT_USAGE;
	}
	if (o.cases)
		ret = explain_cases(&c, o.cases);
	else
		ret = explain_answer(&o, &c, o.container ? &ct : NULL);
	oc_compiled_free(&c);
	cl_oc_free_inputs(&in);
	return ret;
}

/* compile's options: explain's but the container ones. */
static int parse_compile_opts(int argc, char **argv, struct oc_opts *o)
{
	int ret = parse_oc_opts(argc, argv, o, compile_help);

	if (ret || !(o->container || o->engine_socket))
		return ret;
	cl_error("compile: --container and --engine-socket are explain's (see --help)");
	return -1;
}

int cl_cmd_compile(int argc, char **argv)
{
	struct oc_opts o = { 0 };
	struct json_object *agents;
	struct oc_inputs in;
	char **ids;
	size_t count;
	int ret = parse_compile_opts(argc, argv, &o);

	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	ret = cl_oc_load_inputs(o.scope.openclaw, o.scope.policy, o.baseline, &in);
	if (ret)
		return ret;
	if (oc_agent_ids(&in.cfg, &ids, &count) < 0) {
		cl_oc_free_inputs(&in);
		return CL_EXIT_FAILURE;
	}
	agents = json_object_new_array();
	ret = CL_EXIT_OK;
	for (size_t i = 0; i < count && ret == CL_EXIT_OK; i++) {
		char other[160];
		const char *sessions[2] = { NULL, o.scope.session };

		if (!sessions[1]) {
			cl_format(other, sizeof(other), "agent:%s:other", ids[i]);
			sessions[1] = other;
		}
		for (int s = 0; s < 2; s++) {
			struct oc_compiled c;

			if (cl_oc_compile(&in, ids[i], sessions[s], &c) < 0) {
				ret = CL_EXIT_USAGE;
				break;
			}
			json_object_array_add(agents, compiled_json(&c));
			oc_compiled_free(&c);
		}
	}
	if (ret == CL_EXIT_OK) {
		struct json_object *doc = json_object_new_object();

		json_object_object_add(doc, "config", jstr(in.cfg.path));
		json_object_object_add(doc, "configExists", json_object_new_boolean(in.cfg.exists));
		json_object_object_add(doc, "policies", json_object_get(agents));
		if (o.json) {
			print_json(doc);
		} else {
			for (size_t i = 0; i < json_object_array_length(agents); i++) {
				print_explain_text(json_object_array_get_idx(agents, i));
				printf("\n");
			}
		}
		json_object_put(doc);
	}
	json_object_put(agents);
	oc_agent_ids_free(ids, count);
	cl_oc_free_inputs(&in);
	return ret;
}
