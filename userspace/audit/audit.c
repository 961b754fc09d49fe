// SPDX-License-Identifier: GPL-2.0
/*
 * audit.c - the checks of clawlock audit: findings on the OpenClaw config,
 * in the shape of `openclaw security audit --json` (checkId, severity,
 * title, detail, remediation), counted by severity. These need only the
 * config; the live kernel's (--deep) are audit_live.c's.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "loader/apply.h"
#include "audit/audit.h"
#include "audit/audit_live.h"
#include "openclaw/ocpolicy.h"
#include "util.h"

static void finding(struct cl_audit *a, const char *id, const char *severity, const char *title,
		    const char *detail, const char *fix)
{
	struct json_object *f = json_object_new_object();

	json_object_object_add(f, "checkId", json_object_new_string(id));
	json_object_object_add(f, "severity", json_object_new_string(severity));
	json_object_object_add(f, "title", json_object_new_string(title));
	json_object_object_add(f, "detail", json_object_new_string(detail));
	json_object_object_add(f, "remediation", fix ? json_object_new_string(fix) : NULL);
	json_object_array_add(a->findings, f);
	a->counts[!strcmp(severity, "critical") ? 0 : !strcmp(severity, "warn") ? 1 : 2]++;
}

static void live_finding(void *audit, const char *id, const char *severity, const char *title,
			 const char *detail, const char *fix)
{
	finding(audit, id, severity, title, detail, fix);
}

static bool under(const char *root, const char *path)
{
	size_t len = strlen(root);

	return !strcmp(root, "/") ||
	       (!strncmp(root, path, len) && (!path[len] || path[len] == '/'));
}

/* Host paths no sandbox should see (OpenClaw's own bind denylist, and then some). */
static bool sensitive(const struct oc_config *cfg, const char *host)
{
	static const char *const system_paths[] = { "/",     "/etc",  "/proc", "/sys",	   "/dev",
						    "/boot", "/root", "/run",  "/var/run", NULL };
	static const char *const home_paths[] = { ".ssh",   ".aws", ".gnupg", ".docker", ".config",
						  ".netrc", ".npm", ".cargo", ".kube",	 NULL };
	char path[4096];

	for (int i = 0; system_paths[i]; i++) {
		if (!strcmp(host, system_paths[i]) ||
		    (strcmp(system_paths[i], "/") && under(system_paths[i], host)))
			return true;
	}
	if (strstr(host, "docker.sock"))
		return true;
	for (int i = 0; home_paths[i]; i++) {
		cl_format(path, sizeof(path), "%s/%s", cfg->home, home_paths[i]);
		if (under(path, host) || under(host, path))
			return true;
	}
	return under(cfg->state_dir, host) && !strstr(host, "/sandboxes") &&
	       !strstr(host, "/workspace");
}

static void audit_mounts(struct cl_audit *a, const struct oc_config *cfg,
			 const struct oc_compiled *c)
{
	char detail[1024];

	for (size_t i = 0; i < c->sb.mount_count; i++) {
		const struct oc_mount *m = &c->sb.mounts[i];

		if (strcmp(m->source, "bind"))
			continue;
		if (sensitive(cfg, m->host)) {
			cl_format(detail, sizeof(detail),
				  "%s mounts %s at %s in agent %s's sandbox", m->key, m->host,
				  m->container, c->sb.agent_id);
			finding(a, "sandbox.dangerous_bind_mount", "critical",
				"Sandbox binds a sensitive host path", detail,
				"Remove the bind, or bind a narrower directory read-only.");
		}
		/* A sensitive bind (docker.sock above all) that is also writable is both. */
		if (m->writable) {
			cl_format(detail, sizeof(detail), "%s mounts %s writable at %s (no :ro)",
				  m->key, m->host, m->container);
			finding(a, "clawlock.bind_writable", "warn", "Writable bind mount", detail,
				"Append :ro unless the agent must write there.");
		}
	}
}

/* Report @mount when it is, or contains, @home. */
static bool mount_holds_home(struct cl_audit *a, const struct oc_compiled *c,
			     const struct oc_mount *m, const char *home)
{
	char detail[1024];

	if (!under(m->host, home))
		return false;
	cl_format(detail, sizeof(detail),
		  "%s mounts %s in agent %s's sandbox, which holds the home directory %s: "
		  "all of it but the denied secrets is open to the agent",
		  m->key, m->host, c->sb.agent_id, home);
	finding(a, "clawlock.workspace_contains_home", "critical",
		"A sandbox mount contains a home directory", detail,
		"Give the agent a workspace of its own, not a home or a folder above one.");
	return true;
}

/* Homes: those the sandbox's paths derive from, and those of root and of users. */
static void audit_homes(struct cl_audit *a, const struct oc_config *cfg,
			const struct oc_compiled *c)
{
	char *homes[6];
	size_t n = oc_homes(cfg, &c->sb, homes);
	struct passwd *pw;

	for (size_t i = 0; i < c->sb.mount_count; i++) {
		bool found = false;

		for (size_t h = 0; h < n && !found; h++)
			found = strcmp(homes[h], "/") &&
				mount_holds_home(a, c, &c->sb.mounts[i], homes[h]);
		setpwent();
		while (!found && (pw = getpwent())) {
			if ((pw->pw_uid == 0 || pw->pw_uid >= 1000) && pw->pw_dir &&
			    pw->pw_dir[0] == '/' && strcmp(pw->pw_dir, "/"))
				found = mount_holds_home(a, c, &c->sb.mounts[i], pw->pw_dir);
		}
		endpwent();
	}
	oc_homes_free(homes, n);
}

static void audit_secrets(struct cl_audit *a, const struct oc_compiled *c)
{
	char detail[1024];

	for (size_t i = 0; i < c->policy.files.count; i++) {
		const struct cl_rule *secret = &c->policy.files.rules[i];

		if (secret->access != CL_ACC_DENY)
			continue;
		for (size_t m = 0; m < c->sb.mount_count; m++) {
			/* A mount at or inside a secret is nearer than its deny: it reopens it. */
			if (!under(secret->path, c->sb.mounts[m].host))
				continue;
			cl_format(detail, sizeof(detail),
				  "%s reopens %s, which is mandatory-deny (%s)",
				  c->sb.mounts[m].key, secret->path, secret->source);
			finding(a, "clawlock.secret_reachable", "critical",
				"A secret is reachable from a sandbox", detail,
				"Do not mount secret paths into sandboxes.");
		}
	}
}

/* -1 (error printed) when the agent does not compile: audit refuses, as compile does. */
static int audit_agent(struct cl_audit *a, const struct oc_config *cfg,
		       const struct cl_policy *baseline, const char *id)
{
	struct oc_compiled main_s, other;
	char err[1024], detail[1024], session[160];

	if (oc_compile(cfg, baseline, id, NULL, &main_s, err, sizeof(err)) < 0) {
		cl_error("%s", err);
		return -1;
	}
	cl_format(session, sizeof(session), "agent:%s:audit:group:probe", id);
	if (oc_compile(cfg, baseline, id, session, &other, err, sizeof(err)) < 0) {
		cl_error("%s", err);
		oc_compiled_free(&main_s);
		return -1;
	}
	a->host_sessions += !main_s.sb.sandboxed;
	if (main_s.sb.mode == OC_MODE_OFF) {
		cl_format(detail, sizeof(detail),
			  "agent %s runs every session on the host (%s: off)", id,
			  main_s.sb.mode_key);
		finding(a, "clawlock.sandbox_off", "warn", "Sandbox is off", detail,
			"Set agents.defaults.sandbox.mode to \"all\" (or \"non-main\").");
	} else if (!main_s.sb.sandboxed) {
		cl_format(detail, sizeof(detail),
			  "agent %s's main session %s runs on the host (mode non-main)", id,
			  main_s.sb.session_key);
		finding(a, "clawlock.main_session_on_host", "warn", "Main session runs on the host",
			detail, "Use mode \"all\" if the main session talks to untrusted input.");
	}
	if (other.confined) {
		audit_mounts(a, cfg, &other);
		audit_homes(a, cfg, &other);
		audit_secrets(a, &other);
		if (strcmp(other.sb.network, "none")) {
			cl_format(detail, sizeof(detail), "agent %s's sandbox has network %s (%s)",
				  id, other.sb.network, other.sb.network_key);
			finding(a, "clawlock.network_not_none", "warn",
				"Sandbox has network access", detail,
				"Use network \"none\" unless the agent needs egress.");
		}
	}
	oc_compiled_free(&main_s);
	oc_compiled_free(&other);
	return 0;
}

/* Every *.dangerously*: true, and the other flags OpenClaw's audit names. */
static void dangerous_flags(struct cl_audit *a, struct json_object *obj, char *path, size_t size)
{
	size_t base = strlen(path);
	char detail[1200];

	if (!json_object_is_type(obj, json_type_object))
		return;
	json_object_object_foreach (obj, key, value) {
		cl_format(path + base, size - base, "%s%s", base ? "." : "", key);
		if (json_object_is_type(value, json_type_boolean) &&
		    json_object_get_boolean(value) ==
			    !!strncmp(path, "tools.fs.workspaceOnly", 23) &&
		    (!strncmp(key, "dangerously", 11) ||
		     !strcmp(path, "hooks.allowRequestSessionKey") ||
		     !strcmp(path, "tools.fs.workspaceOnly"))) {
			cl_format(detail, sizeof(detail), "Detected enabled flag: %s=%s.", path,
				  json_object_get_boolean(value) ? "true" : "false");
			finding(a, "config.insecure_or_dangerous_flags", "warn",
				"Insecure or dangerous config flag enabled", detail,
				"Disable this flag when not actively debugging, or keep deployment "
				"scoped to trusted/local-only networks.");
		}
		dangerous_flags(a, value, path, size);
	}
	path[base] = '\0';
}

/* An allowFrom entry that is "*" once trimmed (normalizeStringEntries). */
static bool is_star(const char *t)
{
	if (!t)
		return false;
	t += strspn(t, " \t\r\n");
	return t[0] == '*' && !t[1 + strspn(t + 1, " \t\r\n")];
}

static void elevated_wildcards(struct cl_audit *a, const struct oc_config *cfg)
{
	struct json_object *elevated = oc_get(cfg->root, "tools.elevated"), *enabled;
	struct json_object *from = oc_get(elevated, "allowFrom");
	char id[256], detail[512];

	if (json_object_object_get_ex(elevated, "enabled", &enabled) &&
	    json_object_is_type(enabled, json_type_boolean) && !json_object_get_boolean(enabled))
		return;
	if (!json_object_is_type(from, json_type_object))
		return;
	json_object_object_foreach (from, provider, list) {
		bool star = false;

		for (size_t i = 0; json_object_is_type(list, json_type_array) &&
				   i < json_object_array_length(list);
		     i++)
			star |= is_star(json_object_get_string(json_object_array_get_idx(list, i)));
		if (!star)
			continue;
		/* The provider (webchat, telegram, ...) is part of OpenClaw's checkId. */
		cl_format(id, sizeof(id), "tools.elevated.allowFrom.%s.wildcard", provider);
		cl_format(detail, sizeof(detail),
			  "tools.elevated.allowFrom.%s includes \"*\" which effectively approves "
			  "everyone on that channel for elevated mode.",
			  provider);
		finding(a, id, "critical", "Elevated exec allowlist contains wildcard", detail,
			"List the senders who may use elevated exec.");
	}
}

/* channels.*(.accounts.*).groupPolicy/dmPolicy "open" (listOpenInboundPolicies). */
static size_t open_inbound(struct json_object *section, const char *base, char *out, size_t size)
{
	const char *dm = oc_get_string(section, "dmPolicy");
	size_t n = 0, len = strlen(out);

	if (!dm)
		dm = oc_get_string(oc_get(section, "dm"), "policy");
	if (oc_get_string(section, "groupPolicy") &&
	    !strcmp(oc_get_string(section, "groupPolicy"), "open") &&
	    cl_format(out + len, size - len, "%s%s.groupPolicy", len ? ", " : "", base))
		n++;
	len = strlen(out);
	if (dm && !strcmp(dm, "open") &&
	    cl_format(out + len, size - len, "%s%s.%s", len ? ", " : "", base,
		      oc_get_string(section, "dmPolicy") ? "dmPolicy" : "dm.policy"))
		n++;
	return n;
}

static size_t open_policies(const struct oc_config *cfg, char *out, size_t size)
{
	struct json_object *channels = oc_get(cfg->root, "channels"), *accounts;
	char base[512];
	size_t n = 0;

	out[0] = '\0';
	if (!json_object_is_type(channels, json_type_object))
		return 0;
	json_object_object_foreach (channels, id, section) {
		if (!json_object_is_type(section, json_type_object))
			continue;
		cl_format(base, sizeof(base), "channels.%s", id);
		n += open_inbound(section, base, out, size);
		accounts = oc_get(section, "accounts");
		if (!json_object_is_type(accounts, json_type_object))
			continue;
		json_object_object_foreach (accounts, acc, account) {
			cl_format(base, sizeof(base), "channels.%s.accounts.%s", id, acc);
			if (json_object_is_type(account, json_type_object))
				n += open_inbound(account, base, out, size);
		}
	}
	return n;
}

/* "label (tools...)" for each context whose policies allow any of @tools. */
static bool exposed(const struct oc_config *cfg, char **ids, size_t count, const char *const *tools,
		    bool unless_sandboxed, char *out, size_t size)
{
	bool any = false;

	out[0] = '\0';
	for (size_t i = 0; i <= count; i++) {
		const char *agent = i ? ids[i - 1] : NULL;
		char label[160], key[OC_KEY_MAX];
		size_t len = strlen(out);

		if (agent && !oc_agent_entry(cfg, agent, key, sizeof(key)))
			continue;
		if (unless_sandboxed && oc_context_mode(cfg, agent) == OC_MODE_ALL)
			continue;
		cl_format(label, sizeof(label), "%s%s",
			  agent ? "agents.entries." : "agents.defaults", agent ? agent : "");
		for (size_t t = 0, listed = 0; tools[t]; t++) {
			if (!oc_context_allows(cfg, agent, tools[t]))
				continue;
			if (!listed++)
				cl_format(out + len, size - len, "%s%s", len ? "; " : "", label);
			len = strlen(out);
			cl_format(out + len, size - len, " %s", tools[t]);
			any = true;
		}
	}
	return any;
}

static void open_groups(struct cl_audit *a, const struct oc_config *cfg, char **ids, size_t count)
{
	static const char *const runtime[] = { "exec", "process", NULL };
	static const char *const control[] = { "automations", "gateway", "plugins", NULL };
	static const char *const fs[] = { "read", "write", "edit", "apply_patch", NULL };
	struct json_object *enabled = oc_get(cfg->root, "tools.elevated.enabled");
	struct json_object *ws_only = oc_get(cfg->root, "tools.fs.workspaceOnly");
	bool runtime_risk;
	char open[1024], contexts[2048], detail[3200];

	if (!open_policies(cfg, open, sizeof(open)))
		return;
	if (!(json_object_is_type(enabled, json_type_boolean) &&
	      !json_object_get_boolean(enabled))) {
		cl_format(detail, sizeof(detail),
			  "Found inbound policy=\"open\" at: %s. With "
			  "tools.elevated enabled, a prompt injection in those conversations can "
			  "become a high-impact incident.",
			  open);
		finding(a, "security.exposure.open_groups_with_elevated", "critical",
			"Open group/DM policy with elevated tools enabled", detail,
			"Set each listed group/DM policy to \"allowlist\" and keep elevated "
			"allowlists extremely tight.");
	}
	runtime_risk = exposed(cfg, ids, count, runtime, true, contexts, sizeof(contexts));
	/* tools.fs.workspaceOnly keeps the file tools in the workspace (the global setting). */
	if (runtime_risk || (!(json_object_is_type(ws_only, json_type_boolean) &&
			       json_object_get_boolean(ws_only)) &&
			     exposed(cfg, ids, count, fs, true, contexts, sizeof(contexts)))) {
		cl_format(detail, sizeof(detail),
			  "Found inbound policy=\"open\" at: %s. Runtime "
			  "or file tools outside a sandbox of mode \"all\": %s.",
			  open, contexts);
		finding(a, "security.exposure.open_groups_with_runtime_or_fs",
			runtime_risk ? "critical" : "warn",
			"Open group/DM policy with runtime/filesystem tools exposed", detail,
			"For open groups or DMs, prefer tools.profile=\"messaging\" (or deny "
			"group:runtime/group:fs) and use agents.defaults.sandbox.mode=\"all\".");
	}
	if (exposed(cfg, ids, count, control, false, contexts, sizeof(contexts))) {
		cl_format(detail, sizeof(detail),
			  "Found inbound policy=\"open\" at: %s. "
			  "Control-plane tools: %s.",
			  open, contexts);
		finding(a, "security.exposure.open_groups_with_control_plane_tools", "critical",
			"Open group/DM policy with control-plane tools exposed", detail,
			"For open groups or DMs, deny automations, gateway and plugins and prefer "
			"tools.profile=\"messaging\".");
	}
}

/* The scopes exec_scopes names, as comma-separated lists. */
struct exec_lists {
	char full[1024];    /* security=full */
	char drift[1024];   /* file tools all off, exec on */
	char enabled[1024]; /* security other than deny */
};

/*
 * Add the scope of @agent (NULL: the global one) to the lists it belongs
 * in; @ids and @count are every agent's, for the global scope's name.
 */
static void exec_scope(const struct oc_config *cfg, const char *agent, char **ids, size_t count,
		       struct exec_lists *l)
{
	static const char *const fs[] = { "write", "edit", "apply_patch", NULL };
	bool fs_off = true;
	size_t len;

	len = strlen(l->enabled);
	if (strcmp(oc_exec_security(cfg, agent), "deny"))
		cl_format(l->enabled + len, sizeof(l->enabled) - len, "%s%s: security=%s",
			  len ? ", " : "",
			  agent	       ? agent
			  : count == 1 ? ids[0]
				       : "global",
			  oc_exec_security(cfg, agent));
	len = strlen(l->full);
	if (!strcmp(oc_exec_security(cfg, agent), "full"))
		/* The global scope is named after the sole agent, as OpenClaw does. */
		cl_format(l->full + len, sizeof(l->full) - len, "%s%s", len ? ", " : "",
			  agent	       ? agent
			  : count == 1 ? ids[0]
				       : "global");
	for (size_t t = 0; fs[t]; t++)
		fs_off &= !oc_context_allows(cfg, agent, fs[t]);
	if (!fs_off || oc_context_exec_contained(cfg, agent) ||
	    !oc_context_allows(cfg, agent, "exec"))
		return;
	len = strlen(l->drift);
	cl_format(l->drift + len, sizeof(l->drift) - len, "%s%s%s.tools", len ? ", " : "",
		  agent ? "agents.entries." : "", agent ? agent : "");
}

/* Host exec security per scope, and exec beside file tools that are all off. */
static void exec_scopes(struct cl_audit *a, const struct oc_config *cfg, char **ids, size_t count)
{
	struct exec_lists l = { "", "", "" };
	char open[1024], detail[3200];
	bool open_surface = open_policies(cfg, open, sizeof(open)) > 0;
	char key[OC_KEY_MAX];

	for (size_t i = 0; i <= count; i++) {
		const char *agent = i ? ids[i - 1] : NULL;

		if (agent && !oc_agent_entry(cfg, agent, key, sizeof(key)))
			continue;
		exec_scope(cfg, agent, ids, count, &l);
	}
	if (open_surface && l.enabled[0]) {
		cl_format(detail, sizeof(detail),
			  "Open DM/group access detected at: %s. "
			  "Exec-enabled scopes: %s.",
			  open, l.enabled);
		finding(a, "security.exposure.open_channels_with_exec",
			l.full[0] ? "critical" : "warn",
			"Open channels can reach exec-enabled agents", detail,
			"Tighten dmPolicy/groupPolicy to pairing or allowlist, or disable exec for "
			"agents reachable from shared/public channels.");
	}
	if (l.full[0]) {
		cl_format(detail, sizeof(detail), "Full exec trust is enabled for: %s.%s%s", l.full,
			  open_surface ? " Open channel access was also detected at: " : "",
			  open_surface ? open : "");
		finding(a, "tools.exec.security_full_configured",
			open_surface ? "critical" : "warn", "Exec security=full is configured",
			detail,
			"Prefer tools.exec.mode=\"ask\" or \"allowlist\", and reserve \"full\" for "
			"tightly scoped break-glass agents only.");
	}
	if (l.drift[0]) {
		cl_format(
			detail, sizeof(detail),
			"write/edit/apply_patch are unavailable but exec remains available in: %s. "
			"The exec tool is a shell and can still write files wherever the host or "
			"sandbox filesystem permits it; only the kernel keeps it from doing so.",
			l.drift);
		finding(a, "tools.exec.fs_tools_disabled_but_exec_enabled", "warn",
			"Filesystem tool policy does not make exec read-only", detail,
			"For read-only agents, deny exec and process too, or use sandbox mode "
			"\"all\" with workspaceAccess \"ro\" or \"none\".");
	}
}

static void audit_global(struct cl_audit *a, const struct oc_config *cfg)
{
	struct json_object *elevated = oc_get(cfg->root, "tools.elevated"), *enabled;
	char path[1024] = "", **ids;
	size_t count;

	if (!json_object_object_get_ex(elevated, "enabled", &enabled) ||
	    json_object_get_boolean(enabled)) {
		finding(a, "clawlock.elevated_enabled", "warn", "Elevated exec is enabled",
			"tools.elevated.enabled is not false: approved senders can run exec on the host",
			"Set tools.elevated.enabled to false, or confine elevated exec with an overlay profile.");
	}
	elevated_wildcards(a, cfg);
	dangerous_flags(a, cfg->root, path, sizeof(path));
	if (oc_agent_ids(cfg, &ids, &count) < 0)
		return;
	open_groups(a, cfg, ids, count);
	exec_scopes(a, cfg, ids, count);
	oc_agent_ids_free(ids, count);
}

void cl_audit_live(struct cl_audit *a, const char *openclaw, const char *policy)
{
	struct cl_applied applied;

	if (!openclaw && !policy && cl_applied_config(&applied) == 0) {
		openclaw = applied.openclaw[0] ? applied.openclaw : NULL;
		policy = applied.policy[0] ? applied.policy : NULL;
	}
	cl_audit_deep(a, live_finding, openclaw, policy);
}

int cl_audit_config(struct cl_audit *a, const char *openclaw)
{
	struct cl_policy baseline;
	struct oc_config cfg;
	char err[2048], **ids, bpath[4096];
	size_t count;
	bool failed = false;

	if (oc_config_load(openclaw, &cfg, err, sizeof(err)) < 0) {
		cl_error("%s", err);
		return -1;
	}
	if (cl_find_baseline(bpath, sizeof(bpath)) < 0 ||
	    cl_policy_load(bpath, &baseline, err, sizeof(err)) < 0) {
		cl_warn("baseline profiles: %s: secrets are not checked", err);
		memset(&baseline, 0, sizeof(baseline));
	}
	if (oc_agent_ids(&cfg, &ids, &count) == 0) {
		for (size_t i = 0; i < count && !failed; i++)
			failed = audit_agent(a, &cfg, &baseline, ids[i]) < 0;
		oc_agent_ids_free(ids, count);
	}
	audit_global(a, &cfg);
	cl_policy_free(&baseline);
	oc_config_free(&cfg);
	return failed ? -1 : 0;
}
