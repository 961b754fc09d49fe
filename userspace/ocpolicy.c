// SPDX-License-Identifier: GPL-2.0
/*
 * ocpolicy.c - from the sandbox OpenClaw promises to the rules the kernel
 * enforces (the translation table of Documentation/openclaw.md).
 *
 * Rule order matters: a later rule for the same path replaces an earlier
 * one. The system profile comes first, the mandatory-deny secrets next, and
 * the mounts last, so a mount that names a secret path itself opens it
 * ("unless named explicitly"), while a secret inside a mounted tree stays
 * closed because its deny rule is nearer.
 */
#include "ocpolicy.h"

#include <ctype.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json5.h"
#include "util.h"

/* Walk a key path such as agents.entries.a.sandbox.docker.binds[1]. */
static struct json_object *at_key(struct json_object *root, const char *key)
{
	char name[256];

	while (root && *key) {
		size_t len = strcspn(key, ".[");

		if (len) {
			if (len >= sizeof(name))
				return NULL;
			memcpy(name, key, len);
			name[len] = '\0';
			if (!json_object_is_type(root, json_type_object) ||
			    !json_object_object_get_ex(root, name, &root))
				return NULL;
			key += len;
		}
		if (*key == '[') {
			size_t idx = strtoul(key + 1, NULL, 10);

			if (!json_object_is_type(root, json_type_array) ||
			    idx >= json_object_array_length(root))
				return NULL;
			root = json_object_array_get_idx(root, idx);
			key = strchr(key, ']');
			key = key ? key + 1 : "";
		}
		if (*key == '.')
			key++;
	}
	return root;
}

/* "file:line:col key", or the key alone when no config value set it. */
static void provenance(const struct oc_config *cfg, const char *key, char *buf, size_t size)
{
	struct json_object *v = strncmp(key, "default", 7) ? at_key(cfg->root, key) : NULL;
	char where[512];
	int line, col;

	if (v && json5_position(v, &line, &col))
		cl_format(buf, size, "%s %s", oc_where(cfg, v, where, sizeof(where)), key);
	else
		cl_format(buf, size, "%s", key);
}

static void note(struct oc_compiled *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct oc_compiled *c, const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (c->note_count >= OC_MAX_NOTES)
		return;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) >= 0)
		c->notes[c->note_count++] = text;
	va_end(ap);
}

/* The chat channels OpenClaw 2026.9.6 bundles, in its order. */
static const char channel_ids[] =
	"feishu googlechat nostr buzz msteams mattermost nextcloud-talk matrix raft a2a line zalo "
	"clickclack zalouser sms synology-chat tlon discord imessage irc reef signal slack "
	"telegram twitch whatsapp";

/* Tool names: lower-case; bash is exec, apply-patch is apply_patch. */
static void tool_name(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in && n + 1 < size; in++)
		out[n++] = (char)tolower((unsigned char)*in);
	out[n] = '\0';
	if (!strcmp(out, "bash"))
		cl_format(out, size, "exec");
	else if (!strcmp(out, "apply-patch"))
		cl_format(out, size, "apply_patch");
}

static const struct {
	const char *group;
	const char *members;
} tool_groups[] = {
	{ "group:runtime", "exec process code_execution" },
	{ "group:fs", "read write edit apply_patch" },
	{ "group:sessions", "sessions sessions_list sessions_history sessions_search sessions_send "
			    "sessions_spawn sessions_yield subagents session_status" },
	{ "group:memory", "memory_search memory_get" },
	{ "group:web", "web_search x_search web_fetch" },
	{ "group:ui", "browser screen dashboard terminal portal canvas show_widget" },
	{ "group:automation", "heartbeat_respond cron gateway" },
	{ "group:messaging", "message" },
	{ "group:nodes", "nodes computer" },
};

/* Does @pattern (a name, glob or group:) cover @tool? */
static bool tool_matches(const char *pattern, const char *tool)
{
	char p[128];

	tool_name(pattern, p, sizeof(p));
	for (size_t i = 0; i < sizeof(tool_groups) / sizeof(tool_groups[0]); i++) {
		if (!strcmp(p, tool_groups[i].group)) {
			char members[256], *save = NULL;

			cl_format(members, sizeof(members), "%s", tool_groups[i].members);
			for (char *m = strtok_r(members, " ", &save); m;
			     m = strtok_r(NULL, " ", &save))
				if (!strcmp(m, tool))
					return true;
			return false;
		}
	}
	return fnmatch(p, tool, 0) == 0;
}

static bool list_matches(struct json_object *list, const char *tool)
{
	if (!json_object_is_type(list, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *v = json_object_array_get_idx(list, i);

		if (json_object_is_type(v, json_type_string) &&
		    tool_matches(json_object_get_string(v), tool))
			return true;
	}
	return false;
}

/* One step of the filter chain: deny wins; a non-empty allow admits only what it lists. */
static bool step_allows(struct json_object *tools, const char *tool, char *why, size_t size,
			const char *owner)
{
	struct json_object *allow = NULL, *deny = NULL, *also = NULL;

	if (!tools)
		return true;
	json_object_object_get_ex(tools, "deny", &deny);
	json_object_object_get_ex(tools, "allow", &allow);
	json_object_object_get_ex(tools, "alsoAllow", &also);
	if (list_matches(deny, tool)) {
		cl_format(why, size, "%s.deny", owner);
		return false;
	}
	if (json_object_is_type(allow, json_type_array) && json_object_array_length(allow) &&
	    !list_matches(allow, tool) && !list_matches(also, tool)) {
		cl_format(why, size, "%s.allow", owner);
		return false;
	}
	return true;
}

static bool profile_allows(const char *profile, const char *tool)
{
	if (!profile || !strcmp(profile, "full"))
		return true;
	if (!strcmp(profile, "minimal"))
		return !strcmp(tool, "session_status");
	if (!strcmp(profile, "coding"))
		return tool_matches("group:fs", tool) || tool_matches("group:runtime", tool) ||
		       tool_matches("group:web", tool) || tool_matches("group:sessions", tool) ||
		       tool_matches("group:memory", tool) || !strcmp(tool, "cron");
	if (!strcmp(profile, "messaging"))
		return tool_matches("group:messaging", tool) ||
		       tool_matches("group:sessions", tool);
	return true;
}

/* The filter chain of OpenClaw's tool policy for a sandboxed session. */
static bool tool_allowed(const struct oc_config *cfg, struct json_object *agent_tools,
			 const struct oc_compiled *c, const char *tool, char *why, size_t size)
{
	struct json_object *global = oc_get(cfg->root, "tools");
	const char *profile = oc_get_string(agent_tools, "profile");
	const char *pkey = "agents.*.tools.profile";

	if (!profile) {
		profile = oc_get_string(global, "profile");
		pkey = "tools.profile";
	}
	if (!profile_allows(profile, tool)) {
		cl_format(why, size, "%s", pkey);
		return false;
	}
	if (!step_allows(global, tool, why, size, "tools") ||
	    !step_allows(agent_tools, tool, why, size, "agents.*.tools"))
		return false;
	for (size_t i = 0; i < c->tools_deny.count; i++) {
		if (tool_matches(c->tools_deny.names[i], tool)) {
			cl_format(why, size, "%s", c->tools_deny.key);
			return false;
		}
	}
	if (c->tools_allow.count) {
		for (size_t i = 0; i < c->tools_allow.count; i++)
			if (tool_matches(c->tools_allow.names[i], tool))
				return true;
		cl_format(why, size, "%s", c->tools_allow.key);
		return false;
	}
	return true;
}

static void fill_list(struct oc_tool_list *l, struct json_object *v, const char *source,
		      const char *key)
{
	l->source = source;
	cl_format(l->key, sizeof(l->key), "%s", key);
	for (size_t i = 0; i < json_object_array_length(v) && l->count < OC_MAX_TOOLS; i++) {
		struct json_object *item = json_object_array_get_idx(v, i);
		char name[128];

		if (!json_object_is_type(item, json_type_string))
			continue;
		tool_name(json_object_get_string(item), name, sizeof(name));
		l->names[l->count++] = strdup(name);
	}
}

static void fill_default(struct oc_tool_list *l, const char *names, const char *key)
{
	char copy[1024], *save = NULL;

	l->source = "default";
	cl_format(l->key, sizeof(l->key), "%s", key);
	cl_format(copy, sizeof(copy), "%s", names);
	for (char *n = strtok_r(copy, " ", &save); n && l->count < OC_MAX_TOOLS;
	     n = strtok_r(NULL, " ", &save))
		l->names[l->count++] = strdup(n);
}

/* tools.sandbox.tools: allow and deny resolve independently (agent, else global, else default). */
static void sandbox_tools(const struct oc_config *cfg, struct json_object *agent_tools,
			  const char *akey, struct oc_compiled *c)
{
	struct json_object *a = oc_get(agent_tools, "sandbox.tools");
	struct json_object *g = oc_get(cfg->root, "tools.sandbox.tools"), *v, *also = NULL;
	char key[OC_KEY_MAX];

	if ((v = oc_get(a, "allow")) && json_object_is_type(v, json_type_array)) {
		cl_format(key, sizeof(key), "%s.tools.sandbox.tools.allow", akey);
		fill_list(&c->tools_allow, v, "agent", key);
	} else if ((v = oc_get(g, "allow")) && json_object_is_type(v, json_type_array)) {
		fill_list(&c->tools_allow, v, "global", "tools.sandbox.tools.allow");
	} else {
		fill_default(&c->tools_allow,
			     "exec process read ls write edit apply_patch view_image sessions_list "
			     "sessions_history sessions_search sessions_send sessions_spawn "
			     "sessions_yield subagents session_status",
			     "tools.sandbox.tools.allow");
	}
	also = oc_get(a, "alsoAllow");
	if (!json_object_is_type(also, json_type_array))
		also = oc_get(g, "alsoAllow");
	if (json_object_is_type(also, json_type_array)) {
		struct oc_tool_list extra = { 0 };

		fill_list(&extra, also, "", "");
		for (size_t i = 0; i < extra.count && c->tools_allow.count < OC_MAX_TOOLS; i++)
			c->tools_allow.names[c->tools_allow.count++] = extra.names[i];
	}
	if ((v = oc_get(a, "deny")) && json_object_is_type(v, json_type_array)) {
		cl_format(key, sizeof(key), "%s.tools.sandbox.tools.deny", akey);
		fill_list(&c->tools_deny, v, "agent", key);
	} else if ((v = oc_get(g, "deny")) && json_object_is_type(v, json_type_array)) {
		fill_list(&c->tools_deny, v, "global", "tools.sandbox.tools.deny");
	} else {
		char deny[1024];

		cl_format(deny, sizeof(deny),
			  "browser canvas computer mobile_ui nodes automations "
			  "gateway %s",
			  channel_ids);
		fill_default(&c->tools_deny, deny, "tools.sandbox.tools.deny");
	}
}

/* The exec switch and the write switch (design §5). */
static void tool_switches(const struct oc_config *cfg, struct json_object *agent_tools,
			  struct oc_compiled *c)
{
	static const char *const writers[] = { "write", "edit", "apply_patch" };
	char why[OC_KEY_MAX], wwhy[OC_KEY_MAX] = "";
	bool any_writer = false;

	c->exec_allowed = tool_allowed(cfg, agent_tools, c, "exec", why, sizeof(why)) &&
			  tool_allowed(cfg, agent_tools, c, "process", why, sizeof(why));
	cl_format(c->exec_key, sizeof(c->exec_key), "%s",
		  c->exec_allowed ? "tools (exec allowed)" : why);
	for (size_t i = 0; i < 3; i++)
		any_writer |= tool_allowed(cfg, agent_tools, c, writers[i], wwhy, sizeof(wwhy));
	/* Without exec, a denied write tool is the whole story: no file writes. */
	c->writes_allowed = c->exec_allowed || any_writer;
	cl_format(c->writes_key, sizeof(c->writes_key), "%s",
		  c->writes_allowed ? "tools (write or exec allowed)" : wwhy);
}

/* The channel a session key names: agent:<id>:<channel>:... (not the main key). */
static void session_channel(const struct oc_config *cfg, const char *key, char *out, size_t size)
{
	const char *mk = oc_get_string(oc_get(cfg->root, "session"), "mainKey");
	char first[64] = "";
	size_t len;

	out[0] = '\0';
	if (strncmp(key, "agent:", 6) || !strchr(key + 6, ':'))
		return;
	key = strchr(key + 6, ':') + 1;
	len = strcspn(key, ":");
	if (!len || len >= sizeof(first))
		return;
	for (size_t i = 0; i < len; i++)
		first[i] = (char)tolower((unsigned char)key[i]);
	first[len] = '\0';
	if (!strcasecmp(first, mk && *mk ? mk : "main"))
		return;
	/*
	 * Other channels are recognised through registered channel plugins,
	 * which `openclaw sandbox explain` (2026.9.6) does not load: it infers no
	 * channel from the key, and neither do we. Only webchat is built in.
	 */
	if (!strcmp(first, "webchat"))
		cl_format(out, size, "webchat");
}

static size_t allow_tokens(struct json_object *list, bool *star)
{
	size_t n = 0;

	*star = false;
	for (size_t i = 0;
	     json_object_is_type(list, json_type_array) && i < json_object_array_length(list);
	     i++) {
		const char *t = json_object_get_string(json_object_array_get_idx(list, i));

		if (t && *t) {
			n++;
			*star |= !strcmp(t, "*");
		}
	}
	return n;
}

static void fail_gate(struct oc_elevated *e, const char *gate, const char *key)
{
	if (e->failure_count < 4)
		cl_format(e->failures[e->failure_count++], OC_KEY_MAX, "%s %s", gate, key);
}

/* The elevated gates of sandbox-explain.ts. */
static void elevated(const struct oc_config *cfg, struct json_object *agent_tools,
		     struct oc_compiled *c)
{
	struct json_object *g = oc_get(cfg->root, "tools.elevated"),
			   *a = oc_get(agent_tools, "elevated");
	struct json_object *ge = oc_get(g, "enabled"), *ae = oc_get(a, "enabled");
	bool g_on = !(json_object_is_type(ge, json_type_boolean) && !json_object_get_boolean(ge));
	bool a_on = !(json_object_is_type(ae, json_type_boolean) && !json_object_get_boolean(ae));
	struct oc_elevated *e = &c->elevated;
	struct json_object *gl = NULL, *al = NULL;
	bool gstar = false, astar = false;
	size_t gn = 0, an = 0;
	char key[OC_KEY_MAX];

	e->enabled = g_on && a_on;
	session_channel(cfg, c->sb.session_key, e->channel, sizeof(e->channel));
	if (e->channel[0]) {
		gl = oc_get(oc_get(g, "allowFrom"), e->channel);
		al = oc_get(oc_get(a, "allowFrom"), e->channel);
		gn = allow_tokens(gl, &gstar);
		an = allow_tokens(al, &astar);
	}
	e->allowed_by_config =
		e->enabled && e->channel[0] && gn && (oc_get(a, "allowFrom") ? an : 1);
	e->always_allowed_by_config =
		e->allowed_by_config && gstar && (oc_get(a, "allowFrom") ? astar : true);
	if (!g_on)
		fail_gate(e, "enabled", "tools.elevated.enabled");
	if (!a_on)
		fail_gate(e, "enabled", "agents.entries.*.tools.elevated.enabled");
	if (e->channel[0] && !gn) {
		cl_format(key, sizeof(key), "tools.elevated.allowFrom.%s", e->channel);
		fail_gate(e, "allowFrom", key);
	}
	if (e->channel[0] && oc_get(a, "allowFrom") && !an) {
		cl_format(key, sizeof(key), "agents.entries.*.tools.elevated.allowFrom.%s",
			  e->channel);
		fail_gate(e, "allowFrom", key);
	}
}

/* tools.exec: the agent's over the global; mode (new) or security/ask (old). */
static void host_exec(const struct oc_config *cfg, struct json_object *agent_tools,
		      const char *akey, struct oc_compiled *c)
{
	struct json_object *exec = oc_get(agent_tools, "exec");
	const char *mode, *security, *ask;

	if (exec)
		cl_format(c->host_exec.key, sizeof(c->host_exec.key), "%s.tools.exec", akey);
	else
		cl_format(c->host_exec.key, sizeof(c->host_exec.key), "tools.exec");
	if (!exec)
		exec = oc_get(cfg->root, "tools.exec");
	mode = oc_get_string(exec, "mode");
	security = oc_get_string(exec, "security");
	ask = oc_get_string(exec, "ask");
	c->host_exec.security = "full";
	c->host_exec.ask = "off";
	if (mode) {
		static const struct {
			const char *mode, *security, *ask;
		} modes[] = { { "deny", "deny", "off" },
			      { "allowlist", "allowlist", "off" },
			      { "ask", "allowlist", "on-miss" },
			      { "auto", "allowlist", "on-miss" },
			      { "full", "full", "off" } };

		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			if (!strcmp(mode, modes[i].mode)) {
				c->host_exec.security = modes[i].security;
				c->host_exec.ask = modes[i].ask;
			}
		}
		return;
	}
	if (security && (!strcmp(security, "deny") || !strcmp(security, "allowlist")))
		c->host_exec.security = !strcmp(security, "deny") ? "deny" : "allowlist";
	if (ask && (!strcmp(ask, "on-miss") || !strcmp(ask, "always")))
		c->host_exec.ask = !strcmp(ask, "always") ? "always" : "on-miss";
	if (!exec)
		cl_format(c->host_exec.key, sizeof(c->host_exec.key), "default");
}

static int add_profile(struct oc_compiled *c, const struct cl_policy *baseline, const char *name)
{
	if (!baseline)
		return 0;
	for (size_t i = 0; i < baseline->profile_count; i++) {
		const struct cl_profile *p = &baseline->profiles[i];

		if (strcmp(p->name, name))
			continue;
		for (size_t r = 0; r < p->files.count; r++) {
			if (cl_rule_list_set(&c->policy.files, p->files.rules[r].path,
					     p->files.rules[r].access,
					     p->files.rules[r].source) < 0)
				return -1;
		}
		if (cl_net_list_merge(&c->policy.net, &p->net) < 0)
			return -1;
	}
	return 0;
}

/*
 * docker.network "none": no rules, so nothing but the loopback of a private
 * network namespace. Any other network: the baseline's "egress" profile
 * (the public internet; private, link-local and loopback ranges denied).
 * Each network rule's source names the OpenClaw key first: that is the
 * setting a reader of a denial wants to find.
 */
static int network(struct oc_compiled *c, const struct cl_policy *baseline)
{
	const char *mode = c->sb.network ? c->sb.network : "none";

	if (!strcmp(mode, "none"))
		return 0;
	if (add_profile(c, baseline, "egress") < 0)
		return -1;
	if (!c->policy.net.count)
		note(c, "%s=%s but the baseline has no \"egress\" profile: network denied",
		     c->sb.network_key, mode);
	for (size_t i = 0; i < c->policy.net.count; i++) {
		struct cl_net_rule *r = &c->policy.net.rules[i];
		char source[CL_RULE_SOURCE_MAX];

		if (snprintf(source, sizeof(source), "%s=%s via %s", c->sb.network_key, mode,
			     r->source) >= (int)sizeof(source))
			source[sizeof(source) - 1] = '\0';
		memcpy(r->source, source, sizeof(source));
	}
	return 0;
}

static int add_mounts(const struct oc_config *cfg, struct oc_compiled *c, char *err, size_t errsize)
{
	for (size_t i = 0; i < c->sb.mount_count; i++) {
		const struct oc_mount *m = &c->sb.mounts[i];
		uint32_t access = CL_ACC_READ | CL_ACC_EXEC;
		char source[CL_RULE_SOURCE_MAX], key[OC_KEY_MAX];

		if (m->writable && c->writes_allowed)
			access |= CL_ACC_WRITE;
		cl_format(key, sizeof(key), "%s", m->key);
		provenance(cfg, key, source, sizeof(source));
		if (cl_rule_list_set(&c->policy.files, m->host, access, source) < 0) {
			cl_format(err, errsize, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* The OpenClaw config and its credentials are secrets wherever they live. */
static int add_own_secrets(const struct oc_config *cfg, struct oc_compiled *c)
{
	char path[4096];

	if (cl_rule_list_set(&c->policy.files, cfg->path, CL_ACC_DENY,
			     "the OpenClaw config itself (mandatory deny)") < 0)
		return -1;
	cl_format(path, sizeof(path), "%s/credentials", cfg->state_dir);
	return cl_rule_list_set(&c->policy.files, path, CL_ACC_DENY,
				"OpenClaw credentials (mandatory deny)");
}

static void capabilities(struct oc_compiled *c)
{
	for (size_t i = 0; i < c->sb.cap_drop.count; i++) {
		const char *name = c->sb.cap_drop.items[i];
		int n = cl_cap_number(name);

		if (!strcasecmp(name, "ALL"))
			c->cap_drop_mask = cl_cap_all();
		else if (n >= 0)
			c->cap_drop_mask |= 1ULL << n;
		else
			note(c, "%s: unknown capability '%s' ignored", c->sb.cap_drop.key, name);
	}
	/* OpenClaw has no capAdd, and Docker never grants network administration. */
	c->cap_drop_mask |= CL_CAP_NETWORK;
	c->policy.cap_drop = c->cap_drop_mask;
}

static void untranslated(struct oc_compiled *c)
{
	if (c->sb.seccomp_profile)
		note(c, "docker.seccompProfile is not translated: clawlock enforces its own rules");
	if (c->sb.apparmor_profile)
		note(c,
		     "docker.apparmorProfile is not translated: clawlock enforces its own rules");
	if (!c->sb.read_only_root)
		note(c,
		     "%s=false: the container root is writable; on the host the system tree "
		     "stays read+exec only",
		     c->sb.read_only_root_key);
	if (c->sb.tmpfs.count)
		note(c,
		     "%s: tmpfs scratch (%zu paths) has no host equivalent yet; writes there "
		     "are denied",
		     c->sb.tmpfs.key, c->sb.tmpfs.count);
}

static int check_binds(const struct oc_config *cfg, struct oc_compiled *c, char *err,
		       size_t errsize)
{
	for (size_t i = 0; i < c->sb.mount_count; i++) {
		const struct oc_mount *m = &c->sb.mounts[i];
		struct json_object *v;
		const char *spec;
		char where[512];

		if (strcmp(m->source, "bind"))
			continue;
		v = at_key(cfg->root, m->key);
		spec = json_object_get_string(v);
		if (spec && spec[0] != '/') {
			cl_format(err, errsize, "%s: %s: bind source must be an absolute path",
				  oc_where(cfg, v, where, sizeof(where)), m->key);
			return -1;
		}
	}
	return 0;
}

int oc_compile(const struct oc_config *cfg, const struct cl_policy *baseline, const char *agent,
	       const char *session, struct oc_compiled *out, char *err, size_t errsize)
{
	struct json_object *agent_tools;
	char akey[OC_KEY_MAX];

	memset(out, 0, sizeof(*out));
	if (oc_resolve(cfg, agent, session, &out->sb, err, errsize) < 0)
		return -1;
	out->policy.id = strdup(out->sb.agent_id);
	out->policy.mode = CL_MODE_ENFORCE;
	agent_tools = oc_get(oc_agent_entry(cfg, out->sb.agent_id, akey, sizeof(akey)), "tools");
	sandbox_tools(cfg, agent_tools, akey, out);
	tool_switches(cfg, agent_tools, out);
	elevated(cfg, agent_tools, out);
	host_exec(cfg, agent_tools, akey, out);
	out->confined = out->sb.sandboxed;
	if (!out->confined) {
		note(out, "session %s runs on the host (%s: %s): no kernel policy",
		     out->sb.session_key, out->sb.mode_key, oc_mode_name(out->sb.mode));
		return 0;
	}
	if (check_binds(cfg, out, err, errsize) < 0 || add_profile(out, baseline, "system") < 0 ||
	    add_profile(out, baseline, "secrets") < 0 || add_own_secrets(cfg, out) < 0 ||
	    add_mounts(cfg, out, err, errsize) < 0 || network(out, baseline) < 0) {
		if (!err[0])
			cl_format(err, errsize, "out of memory");
		oc_compiled_free(out);
		return -1;
	}
	capabilities(out);
	untranslated(out);
	return 0;
}

void oc_compiled_free(struct oc_compiled *c)
{
	oc_sandbox_free(&c->sb);
	free(c->policy.id);
	cl_rule_list_free(&c->policy.files);
	cl_net_list_free(&c->policy.net);
	for (size_t i = 0; i < c->tools_allow.count; i++)
		free(c->tools_allow.names[i]);
	for (size_t i = 0; i < c->tools_deny.count; i++)
		free(c->tools_deny.names[i]);
	for (size_t i = 0; i < c->note_count; i++)
		free(c->notes[i]);
	memset(c, 0, sizeof(*c));
}
