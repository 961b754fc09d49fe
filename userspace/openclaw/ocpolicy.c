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
#include "openclaw/ocpolicy.h"

#include <ctype.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "policy/json5.h"
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

/* normalizeToolPolicyName: trimmed, lower-case; bash, apply-patch and cron are aliases. */
static void tool_name(const char *in, char *out, size_t size)
{
	oc_trim_copy(in, true, out, size);
	if (!strcmp(out, "bash"))
		cl_format(out, size, "exec");
	else if (!strcmp(out, "apply-patch"))
		cl_format(out, size, "apply_patch");
	else if (!strcmp(out, "cron"))
		cl_format(out, size, "automations");
}

/* OpenClaw 2026.9.6's CORE_TOOL_GROUPS (src/agents/tool-catalog.ts), as it expands them. */
static const struct {
	const char *group;
	const char *members;
} tool_groups[] = {
	{ "group:openclaw",
	  "code_execution secrets web_search web_fetch x_search memory_search memory_get sessions "
	  "sessions_list sessions_history sessions_search conversations_list conversations_send "
	  "conversations_turn sessions_send sessions_spawn github_identity_status github_publish "
	  "agents_wait sessions_yield subagents session_status suggest_task dismiss_task browser "
	  "screen theme dashboard terminal portal show_widget message heartbeat_respond automations "
	  "gateway plugins openclaw nodes computer mobile_ui agents_list get_goal create_goal "
	  "update_goal progress_card ask_user skill_workshop view_image image_generate "
	  "music_generate video_generate tts pdf" },
	{ "group:fs", "ls read write edit apply_patch" },
	{ "group:runtime", "exec process code_execution secrets" },
	{ "group:web", "web_search web_fetch x_search" },
	{ "group:memory", "memory_search memory_get" },
	{ "group:sessions",
	  "sessions sessions_list sessions_history sessions_search conversations_list "
	  "conversations_send conversations_turn sessions_send sessions_spawn "
	  "github_identity_status github_publish agents_wait sessions_yield subagents "
	  "session_status suggest_task dismiss_task" },
	{ "group:ui", "browser screen theme dashboard terminal portal canvas show_widget" },
	{ "group:messaging", "message" },
	{ "group:automation", "heartbeat_respond automations gateway plugins openclaw" },
	{ "group:nodes", "nodes computer mobile_ui" },
	{ "group:agents",
	  "agents_list get_goal create_goal update_goal progress_card ask_user skill_workshop" },
	{ "group:media", "view_image image_generate music_generate video_generate tts pdf" },
};

/* The members of group @name ("" when it is not a group). */
static const char *group_members(const char *name)
{
	for (size_t i = 0; i < sizeof(tool_groups) / sizeof(tool_groups[0]); i++) {
		if (!strcmp(name, tool_groups[i].group))
			return tool_groups[i].members;
	}
	return "";
}

/* Is @tool a member of the space-separated @members? */
static bool in_members(const char *members, const char *tool)
{
	size_t len = strlen(tool);

	for (const char *m = members; *m; m += strcspn(m, " "), m += *m == ' ') {
		if (strcspn(m, " ") == len && !strncmp(m, tool, len))
			return true;
	}
	return false;
}

/* Does @pattern (a name, glob or group:) cover @tool? */
static bool tool_matches(const char *pattern, const char *tool)
{
	char p[128];

	tool_name(pattern, p, sizeof(p));
	if (!strncmp(p, "group:", 6) && group_members(p)[0])
		return in_members(group_members(p), tool);
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

/* CORE_TOOL_PROFILES of OpenClaw 2026.9.6; an unknown profile sets no policy. */
static bool profile_allows(const char *profile, struct json_object *also, const char *tool)
{
	static const char coding[] =
		"ls read write edit apply_patch exec process code_execution secrets web_search "
		"web_fetch x_search memory_search memory_get sessions sessions_list "
		"sessions_history sessions_search conversations_list conversations_send "
		"conversations_turn sessions_send sessions_spawn github_identity_status "
		"github_publish agents_wait sessions_yield subagents session_status suggest_task "
		"dismiss_task screen theme dashboard terminal portal automations gateway plugins "
		"get_goal create_goal update_goal progress_card ask_user skill_workshop view_image "
		"image_generate music_generate video_generate bundle-mcp";
	static const char messaging[] =
		"secrets sessions sessions_list sessions_history sessions_search conversations_list "
		"conversations_send conversations_turn sessions_send sessions_spawn sessions_yield "
		"subagents session_status theme message gateway ask_user bundle-mcp";
	const char *members = NULL;

	if (!profile || !strcmp(profile, "full"))
		return true;
	if (!strcmp(profile, "minimal"))
		members = "session_status gateway";
	else if (!strcmp(profile, "coding"))
		members = coding;
	else if (!strcmp(profile, "messaging"))
		members = messaging;
	else
		return true;
	/* tools.alsoAllow (the agent's, else the global) extends the profile. */
	return in_members(members, tool) || list_matches(also, tool);
}

/* The filter chain of OpenClaw's tool policy for a sandboxed session. */
static bool tool_allowed(const struct oc_config *cfg, struct json_object *agent_tools,
			 const struct oc_compiled *c, const char *tool, char *why, size_t size)
{
	struct json_object *global = oc_get(cfg->root, "tools");
	struct json_object *also = oc_get(agent_tools, "alsoAllow");
	const char *profile = oc_get_string(agent_tools, "profile");
	const char *pkey = "agents.*.tools.profile";

	if (!profile) {
		profile = oc_get_string(global, "profile");
		pkey = "tools.profile";
	}
	if (!json_object_is_type(also, json_type_array))
		also = oc_get(global, "alsoAllow");
	if (!profile_allows(profile, also, tool)) {
		cl_format(why, size, "%s", pkey);
		return false;
	}
	if (!step_allows(global, tool, why, size, "tools") ||
	    !step_allows(agent_tools, tool, why, size, "agents.*.tools"))
		return false;
	for (size_t i = 0; i < c->tools_deny.count; i++) {
		if (tool_matches(c->tools_deny.names[i], tool)) {
			cl_format(why, size, "%s", c->tools_deny.path);
			return false;
		}
	}
	if (c->tools_allow.count) {
		for (size_t i = 0; i < c->tools_allow.count; i++)
			if (tool_matches(c->tools_allow.names[i], tool))
				return true;
		cl_format(why, size, "%s", c->tools_allow.path);
		return false;
	}
	return true;
}

/* Add @name (normalised, groups expanded) unless the list has it (expandToolGroups). */
static void add_tool(struct oc_tool_list *l, const char *name)
{
	char norm[128];
	const char *members;

	tool_name(name, norm, sizeof(norm));
	if (!norm[0])
		return;
	members = group_members(norm);
	if (members[0]) {
		char copy[1024], *save = NULL;

		cl_format(copy, sizeof(copy), "%s", members);
		for (char *m = strtok_r(copy, " ", &save); m; m = strtok_r(NULL, " ", &save))
			add_tool(l, m);
		return;
	}
	for (size_t i = 0; i < l->count; i++) {
		if (!strcmp(l->names[i], norm))
			return;
	}
	if (l->count < OC_MAX_TOOLS)
		l->names[l->count++] = strdup(norm);
}

static void add_tools(struct oc_tool_list *l, struct json_object *v)
{
	for (size_t i = 0;
	     json_object_is_type(v, json_type_array) && i < json_object_array_length(v); i++) {
		struct json_object *item = json_object_array_get_idx(v, i);

		if (json_object_is_type(item, json_type_string))
			add_tool(l, json_object_get_string(item));
	}
}

static void add_tool_words(struct oc_tool_list *l, const char *words)
{
	char copy[1024], *save = NULL;

	cl_format(copy, sizeof(copy), "%s", words);
	for (char *n = strtok_r(copy, " ", &save); n; n = strtok_r(NULL, " ", &save))
		add_tool(l, n);
}

/* One of tools.sandbox.tools' lists: the agent's, else the global, else the default. */
struct tool_field {
	struct json_object *values; /* NULL: not configured */
	const char *source;	    /* agent, global, default */
	char key[OC_KEY_MAX];	    /* as OpenClaw reports it */
	char path[OC_KEY_MAX];	    /* the key path in this config */
};

static void pick_field(struct json_object *agent, struct json_object *global, const char *akey,
		       const char *field, struct tool_field *f)
{
	struct json_object *a = oc_get(agent, field), *g = oc_get(global, field);

	memset(f, 0, sizeof(*f));
	if (json_object_is_type(a, json_type_array)) {
		f->values = a;
		f->source = "agent";
		cl_format(f->key, sizeof(f->key), "agents.entries.*.tools.sandbox.tools.%s", field);
		cl_format(f->path, sizeof(f->path), "%s.tools.sandbox.tools.%s", akey, field);
		return;
	}
	f->values = json_object_is_type(g, json_type_array) ? g : NULL;
	f->source = f->values ? "global" : "default";
	cl_format(f->key, sizeof(f->key), "tools.sandbox.tools.%s", field);
	cl_format(f->path, sizeof(f->path), "%s%s", f->values ? "" : "default ", f->key);
}

static void set_source(struct oc_tool_list *l, const struct tool_field *f)
{
	l->source = f->source;
	cl_format(l->key, sizeof(l->key), "%s", f->key);
	cl_format(l->path, sizeof(l->path), "%s", f->path);
}

static size_t length(struct json_object *list)
{
	return json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
}

/* pickAllowSource: an agent list before a global one, allow before alsoAllow. */
static const struct tool_field *allow_source(const struct tool_field *allow,
					     const struct tool_field *also)
{
	if (allow->values && !strcmp(allow->source, "agent"))
		return allow;
	if (!strcmp(also->source, "agent"))
		return also;
	if (allow->values && !strcmp(allow->source, "global"))
		return allow;
	if (!strcmp(also->source, "global"))
		return also;
	return allow;
}

static const char default_allow[] =
	"exec process read ls write edit apply_patch view_image sessions_list sessions_history "
	"sessions_search sessions_send sessions_spawn sessions_yield subagents session_status";

/* DEFAULT_TOOL_DENY minus what an explicit allow or alsoAllow names (filterDefaultDeny...). */
static void default_deny(struct oc_tool_list *deny, const struct tool_field *allow,
			 const struct tool_field *also)
{
	char words[1024], *save = NULL;

	cl_format(words, sizeof(words),
		  "browser canvas computer mobile_ui nodes automations gateway %s", channel_ids);
	for (char *n = strtok_r(words, " ", &save); n; n = strtok_r(NULL, " ", &save)) {
		if (!list_matches(allow->values, n) && !list_matches(also->values, n))
			add_tool(deny, n);
	}
}

/*
 * tools.sandbox.tools as resolveSandboxToolPolicyForAgent has it: allow,
 * alsoAllow and deny each resolve on their own (agent, else global, else
 * default); alsoAllow extends allow (or the default allow list) and takes
 * what it names off the default deny list; groups are expanded; view_image
 * joins every non-empty allow list that does not deny it.
 */
static void sandbox_tools(const struct oc_config *cfg, struct json_object *agent_tools,
			  const char *akey, struct oc_compiled *c)
{
	struct json_object *a = oc_get(agent_tools, "sandbox.tools");
	struct json_object *g = oc_get(cfg->root, "tools.sandbox.tools");
	struct tool_field allow, also, deny;
	bool deny_view = false, deny_image = false, listed = false;

	pick_field(a, g, akey, "allow", &allow);
	pick_field(a, g, akey, "alsoAllow", &also);
	pick_field(a, g, akey, "deny", &deny);
	if (allow.values) {
		if (length(allow.values))
			add_tools(&c->tools_allow, allow.values);
	} else {
		add_tool_words(&c->tools_allow, default_allow);
	}
	if (c->tools_allow.count || !allow.values)
		add_tools(&c->tools_allow, also.values);
	set_source(&c->tools_allow, allow_source(&allow, &also));
	if (deny.values)
		add_tools(&c->tools_deny, deny.values);
	else
		default_deny(&c->tools_deny, &allow, &also);
	set_source(&c->tools_deny, &deny);
	for (size_t i = 0; i < c->tools_deny.count; i++) {
		deny_view |= tool_matches(c->tools_deny.names[i], "view_image");
		deny_image |= tool_matches(c->tools_deny.names[i], "image");
	}
	if (deny_image && !deny_view)
		add_tool(&c->tools_deny, "view_image");
	/* The allow side checks the deny list literally, as OpenClaw does. */
	for (size_t i = 0; i < c->tools_deny.count; i++)
		listed |= !strcmp(c->tools_deny.names[i], "view_image");
	if (c->tools_allow.count && !listed)
		add_tool(&c->tools_allow, "view_image");
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
static void session_channel(const char *key, char *out, size_t size)
{
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
	if (!strcmp(first, "main"))
		return; /* session.mainKey is ignored: the main key is always "main" */
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
	session_channel(c->sb.session_key, e->channel, sizeof(e->channel));
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

/* resolveExecPolicyForMode: the security a tools.exec.mode stands for; NULL if unknown. */
static const char *mode_security(const char *mode)
{
	if (!mode)
		return NULL;
	if (!strcmp(mode, "deny") || !strcmp(mode, "full") || !strcmp(mode, "allowlist"))
		return mode;
	if (!strcmp(mode, "ask") || !strcmp(mode, "auto"))
		return "allowlist";
	return NULL;
}

const char *oc_exec_security(const struct oc_config *cfg, const char *agent)
{
	struct json_object *g = oc_get(cfg->root, "tools.exec"), *a = NULL;
	const char *security = oc_get_string(g, "security"),
		   *mode = mode_security(oc_get_string(g, "mode"));
	char key[OC_KEY_MAX];

	/* As OpenClaw's audit: an unset security is "deny" (collectExecRuntimeFindings). */
	security = mode ? mode : security ? security : "deny";
	if (agent)
		a = oc_get(oc_get(oc_agent_entry(cfg, agent, key, sizeof(key)), "tools"), "exec");
	if (mode_security(oc_get_string(a, "mode")))
		return mode_security(oc_get_string(a, "mode"));
	return oc_get_string(a, "security") ? oc_get_string(a, "security") : security;
}

/* Mode and workspace access of @agent's sandbox (NULL: agents.defaults'). */
static void context_sandbox(const struct oc_config *cfg, const char *agent, enum oc_mode *mode,
			    enum oc_access *access)
{
	struct json_object *d = oc_get(cfg->root, "agents.defaults.sandbox");
	const char *m = oc_get_string(d, "mode"), *w = oc_get_string(d, "workspaceAccess");
	struct oc_sandbox sb;
	char err[512];

	if (agent && oc_resolve(cfg, agent, NULL, &sb, err, sizeof(err)) == 0) {
		*mode = sb.mode;
		*access = sb.access;
		oc_sandbox_free(&sb);
		return;
	}
	*mode = m && !strcmp(m, "all")	      ? OC_MODE_ALL
		: m && !strcmp(m, "non-main") ? OC_MODE_NON_MAIN
					      : OC_MODE_OFF;
	*access = w && !strcmp(w, "rw")	  ? OC_ACCESS_RW
		  : w && !strcmp(w, "ro") ? OC_ACCESS_RO
					  : OC_ACCESS_NONE;
}

/*
 * resolveConfiguredToolPolicies + isToolAllowedByPolicies: the profile,
 * tools, the agent's tools and, in mode "all", the sandbox tool policy.
 */
bool oc_context_allows(const struct oc_config *cfg, const char *agent, const char *tool)
{
	struct oc_compiled *tmp = calloc(1, sizeof(*tmp));
	struct json_object *agent_tools = NULL;
	char akey[OC_KEY_MAX] = "agents.defaults", why[OC_KEY_MAX];
	enum oc_access access;
	enum oc_mode mode;
	bool allowed;

	if (!tmp)
		return true; /* the audit reports more, never less */
	if (agent)
		agent_tools = oc_get(oc_agent_entry(cfg, agent, akey, sizeof(akey)), "tools");
	context_sandbox(cfg, agent, &mode, &access);
	if (mode == OC_MODE_ALL)
		sandbox_tools(cfg, agent_tools, akey, tmp);
	allowed = tool_allowed(cfg, agent_tools, tmp, tool, why, sizeof(why));
	oc_compiled_free(tmp);
	free(tmp);
	return allowed;
}

enum oc_mode oc_context_mode(const struct oc_config *cfg, const char *agent)
{
	enum oc_access access;
	enum oc_mode mode;

	context_sandbox(cfg, agent, &mode, &access);
	return mode;
}

/* isExecFilesystemConstrained: mode all, exec in the sandbox, workspace not rw. */
bool oc_context_exec_contained(const struct oc_config *cfg, const char *agent)
{
	struct json_object *a = NULL;
	const char *host = oc_get_string(oc_get(cfg->root, "tools.exec"), "host");
	char key[OC_KEY_MAX];
	enum oc_access access;
	enum oc_mode mode;

	if (agent)
		a = oc_get(oc_get(oc_agent_entry(cfg, agent, key, sizeof(key)), "tools"), "exec");
	if (oc_get_string(a, "host"))
		host = oc_get_string(a, "host");
	context_sandbox(cfg, agent, &mode, &access);
	if (mode != OC_MODE_ALL || (host && (!strcmp(host, "gateway") || !strcmp(host, "node"))))
		return false;
	return access != OC_ACCESS_RW;
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

#define OC_MAX_HOMES 6

/*
 * The home of user @uid, or NULL, from passwd once per config: every
 * sandbox asks for its workspaces' owners, and reading passwd each time
 * was a third of an apply of 1,000 OpenClaw agents.
 */
static char *uid_home(const struct oc_config *cfg, uid_t uid)
{
	struct oc_config *cache = (struct oc_config *)cfg;
	struct oc_owner_home *known;
	struct passwd *pw;
	char *home;

	for (size_t i = 0; i < cfg->owner_home_count; i++) {
		known = &cache->owner_homes[i];
		if (known->uid == uid)
			return known->home ? strdup(known->home) : NULL;
	}
	pw = getpwuid(uid);
	home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? oc_path_normalize(pw->pw_dir) : NULL;
	/*
	 * Only what passwd said is remembered: a failed read, or memory that
	 * ran out, is asked again, not kept as "no home" (fewer denials).
	 */
	if (!pw || (!home && pw->pw_dir && pw->pw_dir[0] == '/') ||
	    cfg->owner_home_count == OC_OWNER_HOMES)
		return home;
	known = &cache->owner_homes[cache->owner_home_count];
	known->uid = uid;
	known->home = home ? strdup(home) : NULL;
	if (!home || known->home)
		cache->owner_home_count++;
	return home;
}

/* The home of @path's owner (the nearest existing ancestor's), or NULL. */
static char *owner_home(const struct oc_config *cfg, const char *path)
{
	char buf[PATH_MAX], *slash;
	struct stat st;

	if (!path || !cl_strlcpy(buf, path, sizeof(buf)))
		return NULL;
	json5_note_probe(buf);
	while (stat(buf, &st) < 0) {
		slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			return NULL;
		*slash = '\0';
	}
	return uid_home(cfg, st.st_uid);
}

static void add_home(char **homes, size_t *n, char *home)
{
	for (size_t i = 0; home && i < *n; i++) {
		if (!strcmp(homes[i], home)) {
			free(home);
			return;
		}
	}
	if (home && strcmp(home, "/") && *n < OC_MAX_HOMES)
		homes[(*n)++] = home;
	else
		free(home);
}

/*
 * Every home a path of this sandbox may derive from: HOME (what the
 * baseline's ~ expanded to), OpenClaw's ~ (OPENCLAW_HOME, else HOME), and
 * the owners of the workspaces. The first is HOME's.
 */
size_t oc_homes(const struct oc_config *cfg, const struct oc_sandbox *sb, char **homes)
{
	const char *home = getenv("HOME");
	size_t n = 0;

	add_home(homes, &n, home && home[0] == '/' ? oc_path_normalize(home) : strdup("/"));
	if (!n)
		homes[n++] = strdup("/");
	add_home(homes, &n, oc_path_normalize(cfg->home));
	add_home(homes, &n, owner_home(cfg, sb->agent_workspace));
	add_home(homes, &n, owner_home(cfg, sb->workspace_dir));
	return n;
}

void oc_homes_free(char **homes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(homes[i]);
}

/*
 * The baseline's home secrets (~/.ssh, ~/.aws, ...) were expanded with
 * HOME; a workspace of "~" follows OPENCLAW_HOME, and a workspace may
 * belong to another user. Deny the same names under every such home.
 */
static int add_home_secrets(const struct oc_config *cfg, const struct cl_policy *baseline,
			    struct oc_compiled *c)
{
	char *homes[OC_MAX_HOMES], path[PATH_MAX], source[CL_RULE_SOURCE_MAX];
	size_t n = oc_homes(cfg, &c->sb, homes), len = strlen(homes[0]);
	int ret = 0;

	for (size_t p = 0; baseline && p < baseline->profile_count && !ret; p++) {
		const struct cl_profile *prof = &baseline->profiles[p];

		for (size_t r = 0; !strcmp(prof->name, "secrets") && r < prof->files.count; r++) {
			const struct cl_rule *rule = &prof->files.rules[r];

			if (rule->access != CL_ACC_DENY || strncmp(rule->path, homes[0], len) ||
			    rule->path[len] != '/')
				continue;
			for (size_t h = 1; h < n && !ret; h++) {
				cl_format(path, sizeof(path), "%s%s", homes[h], rule->path + len);
				cl_format(source, sizeof(source), "%s (under home %s)",
					  rule->source, homes[h]);
				ret = cl_rule_list_set(&c->policy.files, path, CL_ACC_DENY, source);
			}
		}
	}
	oc_homes_free(homes, n);
	return ret;
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

/*
 * What a denial without a rule quotes: the sandbox's mode, which gives the
 * session nothing but the system tree, its mounts and its network.
 */
static void default_source(const struct oc_config *cfg, struct oc_compiled *c)
{
	char key[CL_RULE_SOURCE_MAX];

	provenance(cfg, c->sb.mode_key, key, sizeof(key));
	cl_format(c->policy.default_source, sizeof(c->policy.default_source),
		  "%s=%s: only the sandbox's mounts", key, oc_mode_name(c->sb.mode));
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
	out->policy.no_exec = !out->exec_allowed;
	out->confined = out->sb.sandboxed;
	if (!out->confined) {
		note(out, "session %s runs on the host (%s: %s): no kernel policy",
		     out->sb.session_key, out->sb.mode_key, oc_mode_name(out->sb.mode));
		return 0;
	}
	if (check_binds(cfg, out, err, errsize) < 0 || add_profile(out, baseline, "system") < 0 ||
	    add_profile(out, baseline, "secrets") < 0 || add_home_secrets(cfg, baseline, out) < 0 ||
	    add_own_secrets(cfg, out) < 0 || add_mounts(cfg, out, err, errsize) < 0 ||
	    network(out, baseline) < 0) {
		if (!err[0])
			cl_format(err, errsize, "out of memory");
		oc_compiled_free(out);
		return -1;
	}
	capabilities(out);
	untranslated(out);
	default_source(cfg, out);
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
