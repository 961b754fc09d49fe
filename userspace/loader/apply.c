// SPDX-License-Identifier: GPL-2.0
/*
 * apply.c - make the kernel's scopes what the config says (apply), bind a
 * cgroup clawlock did not make (attach), switch scopes between enforce
 * and audit (mode), and compare the live scopes with the config (audit
 * --deep).
 *
 * Each compiles everything first, then installs the new policies beside the
 * live ones and switches with one write (scopes.h). Anything that fails
 * before the switch leaves the live bindings as they were.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <json-c/json.h>
#include <sys/stat.h>

#include "loader/apply.h"
#include "loader/compile.h"
#include "loader/bpfstate.h"
#include "loader/install.h"
#include "loader/cgroup.h"
#include "events/daemon_state.h"
#include "openclaw/ocinputs.h"
#include "openclaw/ocsandbox.h"
#include "loader/scopes.h"
#include "policy/signature.h"
#include "util.h"

struct update {
	struct cl_maps maps;
	struct cl_scopes live, next;
	char root[PATH_MAX];
	int root_prepared;
	char **doomed; /* empty cgroups to remove after the switch */
	size_t doomed_count;
	size_t made, kept, removed, released;
};

/*
 * Give the scope cgroup at @path @limits. A new cgroup (@fresh) has none,
 * and one whose record (@live) says it was left without any still has none
 * (clawlock's cgroups are the sandbox's to read, not to write): four files
 * an unchanged scope does not read. Returns 1 when every limit file is now
 * "max", 0 when some limit is set, -1 on failure.
 */
static int scope_limits(const char *path, const struct cl_limits *limits, int fresh,
			const struct cl_scope *live)
{
	int any = cl_limits_any(limits);

	if (!any && (fresh || (live && (live->info.flags & CL_SCOPE_LIMITS_MAX))))
		return 1;
	if (cl_cgroup_set_limits(path, limits) < 0)
		return -1;
	return !any;
}

/* Make (or reuse) the cgroup at @path, its id into @cgid; then as scope_limits(). */
static int scope_cgroup(struct update *u, const char *path, const struct cl_limits *limits,
			uint64_t *cgid)
{
	int created;

	/*
	 * The controllers only once a scope has limits: a cgroup with pids,
	 * memory and cpu costs twice what a bare one does to make (0.28 ms
	 * against 0.14 ms in the test VM), and a thousand scopes are made
	 * from nothing. Enabled later, the kernel gives them to the scopes
	 * already there.
	 */
	if (!u->root_prepared && cl_limits_any(limits)) {
		if (cl_cgroup_prepare_root(u->root) < 0)
			return -1;
		u->root_prepared = 1;
	}
	created = cl_cgroup_make(path);
	if (created < 0 || cl_cgroup_id(path, cgid) < 0)
		return -1;
	return scope_limits(path, limits, created,
			    created ? NULL : cl_scopes_find(&u->live, *cgid));
}

static int bind_compiled(struct update *u, const struct cl_compiled *c, const char *path,
			 uint64_t cgid, enum cl_scope_origin origin, int limits_max)
{
	struct cl_scope scope;
	uint32_t policy_id;

	if (cl_policy_install(&u->maps, c->agent, &policy_id) < 0)
		return -1;
	cl_scope_fill(&scope, cgid, policy_id, c->agent->mode, c->agent->id, c->session, path,
		      origin);
	if (limits_max > 0)
		scope.info.flags |= CL_SCOPE_LIMITS_MAX;
	return cl_scopes_put(&u->next, &scope);
}

/* Every agent or shared scope the config sandboxes. */
static int make_agent_scopes(struct update *u, struct cl_config *cfg, char **ids, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct cl_compiled c;
		char path[PATH_MAX];
		struct cl_scope *same;
		uint64_t cgid;
		int ret = 0, limits_max;

		if (cl_compile_agent_scope(cfg, ids[i], &c) < 0)
			return CL_EXIT_USAGE;
		if (!c.confined || c.per_session)
			goto next;
		ret = CL_EXIT_FAILURE;
		if (!cl_format(path, sizeof(path), "%s/%s", u->root, c.slug))
			goto next;
		limits_max = scope_cgroup(u, path, &c.limits, &cgid);
		if (limits_max < 0)
			goto next;
		same = cl_scopes_find(&u->next, cgid);
		if (same) {
			/* OpenClaw's shared scope: one container, made with the first agent's
			 * settings. */
			cl_warn("agent %s shares scope %s with agent %s: %s's policy applies",
				ids[i], c.slug, same->info.agent, same->info.agent);
			ret = 0;
			goto next;
		}
		if (bind_compiled(u, &c, path, cgid, CL_ORIGIN_APPLY, limits_max) < 0)
			goto next;
		u->made++;
		ret = 0;
next:
		cl_compiled_free(&c);
		if (ret)
			return ret;
	}
	return 0;
}

/* A scope the config no longer makes: gone if empty, else denied everything. */
static int unbind(struct update *u, const struct cl_scope *old, const char *why)
{
	struct cl_scope scope = *old;
	char **grown;

	if (cl_cgroup_empty(old->info.cgroup)) {
		u->released++;
		if (old->info.origin == CL_ORIGIN_ATTACH || !old->info.cgroup[0])
			return 0;
		grown = realloc(u->doomed, (u->doomed_count + 1) * sizeof(*grown));
		if (!grown || !(grown[u->doomed_count] = cl_strdup(old->info.cgroup))) {
			if (grown)
				u->doomed = grown;
			return 0; /* the empty cgroup stays; nothing is lost */
		}
		u->doomed = grown;
		u->doomed_count++;
		return 0;
	}
	if (!(old->info.flags & CL_SCOPE_REMOVED))
		cl_warn("scope %s (agent %s): %s; its processes are denied everything until "
			"they exit",
			old->info.cgroup, old->info.agent, why);
	scope.binding.policy_id = 0;
	scope.binding.mode = CL_MODE_ENFORCE;
	scope.info.flags |= CL_SCOPE_REMOVED;
	u->removed++;
	return cl_scopes_put(&u->next, &scope);
}

/* Recompile a live scope the config loop did not make (sessions, attached cgroups). */
static int carry_over(struct update *u, struct cl_config *cfg, const struct cl_scope *old)
{
	const char *session = old->info.session[0] ? old->info.session : NULL;
	char path[PATH_MAX];
	struct cl_compiled c;
	int ret;

	if (old->info.flags & CL_SCOPE_REMOVED)
		return unbind(u, old, "removed");
	/* Resolved in the container's own tree: the daemon binds it again after. */
	if (old->info.origin == CL_ORIGIN_CONTAINER)
		return cl_scopes_put(&u->next, old) < 0 ? CL_EXIT_FAILURE : 0;
	if (!cl_config_has_agent(cfg, old->info.agent))
		return unbind(u, old, "its agent left the config");
	if (old->info.origin == CL_ORIGIN_APPLY && !session)
		return unbind(u, old, "the config no longer gives this agent this scope");
	if (cl_compile_scope(cfg, old->info.agent, session, &c) < 0)
		return CL_EXIT_USAGE;
	if (!c.confined) {
		ret = unbind(u, old, "no longer sandboxed");
	} else if (old->info.origin == CL_ORIGIN_ATTACH) {
		ret = bind_compiled(u, &c, old->info.cgroup, old->cgroup_id, CL_ORIGIN_ATTACH, 0);
		u->kept += !ret;
	} else if (!cl_format(path, sizeof(path), "%s/%s", u->root, c.slug) ||
		   strcmp(path, old->info.cgroup)) {
		ret = unbind(u, old, "the config puts this session in another scope now");
	} else {
		/* 1 or 0: whether every limit is "max", for its record. */
		ret = scope_limits(path, &c.limits, 0, old);
		if (ret >= 0)
			ret = bind_compiled(u, &c, path, old->cgroup_id, old->info.origin, ret);
		u->kept += !ret;
	}
	cl_compiled_free(&c);
	return ret < 0 ? CL_EXIT_FAILURE : 0;
}

static int carry_over_all(struct update *u, struct cl_config *cfg)
{
	for (size_t i = 0; i < u->live.count; i++) {
		const struct cl_scope *old = &u->live.items[i];
		int ret;

		if (cl_scopes_find(&u->next, old->cgroup_id))
			continue;
		ret = carry_over(u, cfg, old);
		if (ret)
			return ret;
	}
	return 0;
}

static void record_applied(const char *openclaw, const char *policy, const char *cgroup_root,
			   uint64_t generation)
{
	struct json_object *doc = json_object_new_object();
	char path[PATH_MAX];
	int fd;

	if (openclaw && realpath(openclaw, path))
		json_object_object_add(doc, "openclaw", json_object_new_string(path));
	if (policy && realpath(policy, path))
		json_object_object_add(doc, "policy", json_object_new_string(path));
	if (cgroup_root)
		json_object_object_add(doc, "cgroupRoot", json_object_new_string(cgroup_root));
	json_object_object_add(doc, "generation", json_object_new_uint64(generation));
	json_object_object_add(doc, "time", json_object_new_int64(time(NULL)));
	/* root's alone (it names the config files), and replaced whole */
	fd = open(CL_APPLIED_PATH ".new", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || json_object_to_fd(fd, doc, JSON_C_TO_STRING_PRETTY) < 0 ||
	    rename(CL_APPLIED_PATH ".new", CL_APPLIED_PATH) < 0)
		cl_warn("cannot record the applied config in %s", CL_APPLIED_PATH);
	if (fd >= 0)
		close(fd);
	json_object_put(doc);
}

static void update_free(struct update *u)
{
	for (size_t i = 0; i < u->doomed_count; i++)
		free(u->doomed[i]);
	free(u->doomed);
	cl_scopes_free(&u->live);
	cl_scopes_free(&u->next);
	cl_maps_unlock(&u->maps);
	cl_maps_close(&u->maps);
}

/* Give up before the switch: the live bindings never changed. */
static int update_abandon(struct update *u, int ret)
{
	cl_scopes_abandon(&u->maps, &u->live);
	cl_error("nothing was applied: the live policy is unchanged");
	update_free(u);
	return ret;
}

static int update_begin(struct update *u, const char *cgroup_root)
{
	memset(u, 0, sizeof(*u));
	if (cl_cgroup_root(cgroup_root, u->root, sizeof(u->root)) < 0 || cl_maps_open(&u->maps) < 0)
		return -1;
	if (cl_maps_lock(&u->maps) < 0 || cl_scopes_read(&u->maps, &u->live) < 0) {
		cl_maps_close(&u->maps);
		return -1;
	}
	cl_scopes_reuse(&u->maps, &u->live);
	return 0;
}

/* Does the loaded config hold rules whose addresses were read at load? */
static bool config_interface_rules(const struct cl_config *cfg)
{
	if (!cfg->openclaw)
		return cfg->policy.interface_rules;
	return cfg->in.baseline.interface_rules ||
	       (cfg->in.have_overlay && cfg->in.overlay.interface_rules);
}

int cl_apply(const char *openclaw, const char *policy, const char *cgroup_root,
	     bool *interface_rules)
{
	struct cl_config cfg;
	struct update u;
	int ret;

	ret = cl_config_load(openclaw, policy, &cfg);
	if (ret)
		return ret;
	if (interface_rules)
		*interface_rules = config_interface_rules(&cfg);
	if (update_begin(&u, cgroup_root) < 0) {
		cl_config_free(&cfg);
		return CL_EXIT_FAILURE;
	}
	if (cfg.openclaw) {
		ret = make_agent_scopes(&u, &cfg, cfg.ids, cfg.id_count);
	} else {
		char *ids[cfg.policy.agent_count + 1];

		for (size_t i = 0; i < cfg.policy.agent_count; i++)
			ids[i] = cfg.policy.agents[i].id;
		ret = make_agent_scopes(&u, &cfg, ids, cfg.policy.agent_count);
	}
	if (!ret)
		ret = carry_over_all(&u, &cfg);
	cl_config_free(&cfg);
	if (ret || cl_scopes_commit(&u.maps, &u.next) < 0)
		return update_abandon(&u, ret ? ret : CL_EXIT_FAILURE);
	for (size_t i = 0; i < u.doomed_count; i++) {
		if (rmdir(u.doomed[i]) < 0 && errno != ENOENT)
			cl_warn("cannot remove the empty cgroup %s: %s", u.doomed[i],
				strerror(errno));
	}
	record_applied(openclaw, policy, cgroup_root, cl_generation(&u.maps));
	cl_info("applied generation %llu: %zu scopes made from the config, %zu carried "
		"over, %zu denied everything until their processes exit, %zu released empty",
		(unsigned long long)cl_generation(&u.maps), u.made, u.kept, u.removed, u.released);
	update_free(&u);
	return CL_EXIT_OK;
}

/* The rule records of policy @policy_id, as (path, access) pairs. */
static struct cl_rule_info *policy_records(struct cl_maps *maps, __u32 policy_id, size_t *count)
{
	struct cl_rule_info info, *list = NULL;
	__u32 key, next;
	void *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(maps->rule_info, prev, &next)) {
		key = next;
		prev = &key;
		/* The default record is no rule of the config's. */
		if ((next & CL_DEFAULT_RECORD_BIT) ||
		    bpf_map_lookup_elem(maps->rule_info, &next, &info) ||
		    info.policy_id != policy_id)
			continue;
		if (!(n & 63)) {
			void *grown = realloc(list, (n + 64) * sizeof(*list));

			if (!grown)
				break;
			list = grown;
		}
		list[n++] = info;
	}
	*count = n;
	return list;
}

static int has_record(const struct cl_rule_info *list, size_t count, const char *path, __u32 access)
{
	for (size_t i = 0; i < count; i++) {
		if (list[i].access == access && !strncmp(list[i].path, path, sizeof(list[i].path)))
			return 1;
	}
	return 0;
}

/* How many of @agent's rules the kernel's policy @policy_id lacks or adds. */
static size_t rules_differing(struct cl_maps *maps, __u32 policy_id, const struct cl_agent *agent)
{
	size_t count, differ = 0, expected = 0;
	struct cl_rule_info *list = policy_records(maps, policy_id, &count);
	struct stat st;

	for (size_t i = 0; i < agent->files.count; i++) {
		const struct cl_rule *r = &agent->files.rules[i];

		if (has_record(list, count, r->path, r->access))
			expected++;
		else if ((r->access & CL_ACC_DENY) && stat(r->path, &st) < 0)
			continue; /* a deny rule on a missing folder is skipped at install */
		else
			differ++;
	}
	for (size_t i = 0; i < agent->net.count; i++) {
		const struct cl_net_rule *r = &agent->net.rules[i];

		if (has_record(list, count, r->text, r->allow ? CL_ACC_NET : CL_ACC_DENY))
			expected++;
		else
			differ++;
	}
	differ += count - expected;
	free(list);
	return differ;
}

/* The live scope @scope against what the config compiles for it. */
static void diff_scope(struct cl_config *cfg, struct cl_maps *maps, const struct cl_scope *scope,
		       const struct cl_diff_report *report)
{
	const char *session = scope->info.session[0] ? scope->info.session : NULL;
	struct cl_compiled c;
	size_t differ;
	char why[256];

	/* A container's rules are its own tree's: compared where it is bound (daemon). */
	if (scope->info.flags & CL_SCOPE_REMOVED || scope->info.origin == CL_ORIGIN_CONTAINER)
		return;
	if (!cl_config_has_agent(cfg, scope->info.agent)) {
		report->differs(report->data, scope, "its agent is not in the config");
		return;
	}
	if ((session ? cl_compile_scope(cfg, scope->info.agent, session, &c)
		     : cl_compile_agent_scope(cfg, scope->info.agent, &c)) < 0) {
		report->differs(report->data, scope, "the config no longer compiles for it");
		return;
	}
	differ = c.confined ? rules_differing(maps, scope->binding.policy_id, c.agent) : 0;
	if (!c.confined)
		report->differs(report->data, scope, "the config no longer sandboxes it");
	else if (differ && cl_format(why, sizeof(why), "%zu rules differ from the config", differ))
		report->differs(report->data, scope, why);
	else if (scope->binding.mode != c.agent->mode)
		report->differs(report->data, scope,
				scope->binding.mode == CL_MODE_AUDIT
					? "it audits where the config enforces"
					: "it enforces where the config audits");
	cl_compiled_free(&c);
}

/*
 * Every agent scope the config sandboxes (as apply makes them under @root)
 * whose cgroup exists must be bound: one that is not runs unconfined.
 */
static void find_unbound(struct cl_config *cfg, const char *root, struct cl_scopes *live,
			 const struct cl_diff_report *report)
{
	size_t count = cfg->openclaw ? cfg->id_count : cfg->policy.agent_count;

	for (size_t i = 0; i < count; i++) {
		const char *id = cfg->openclaw ? cfg->ids[i] : cfg->policy.agents[i].id;
		char path[PATH_MAX];
		struct cl_compiled c;
		uint64_t cgid;

		if (cl_compile_agent_scope(cfg, id, &c) < 0)
			continue; /* said by the scope loop, or by audit's static half */
		if (c.confined && !c.per_session &&
		    cl_format(path, sizeof(path), "%s/%s", root, c.slug) &&
		    cl_cgroup_id(path, &cgid) == 0 && !cl_scopes_find(live, cgid))
			report->unbound(report->data, id, path);
		cl_compiled_free(&c);
	}
}

int cl_apply_diff(const char *openclaw, const char *policy, const struct cl_diff_report *report)
{
	struct cl_applied applied;
	struct cl_scopes live;
	struct cl_maps maps;
	struct cl_config cfg;
	char root[PATH_MAX];
	int ret = cl_config_load(openclaw, policy, &cfg);

	if (ret)
		return -1;
	if (cl_applied_config(&applied) < 0)
		applied.cgroup_root[0] = '\0';
	if (cl_cgroup_root(applied.cgroup_root[0] ? applied.cgroup_root : NULL, root,
			   sizeof(root)) < 0 ||
	    cl_maps_open(&maps) < 0) {
		cl_config_free(&cfg);
		return -1;
	}
	/* Under the update lock: an apply half done is not a binding missing. */
	if (cl_maps_lock(&maps) < 0 || cl_scopes_read(&maps, &live) < 0) {
		cl_maps_close(&maps);
		cl_config_free(&cfg);
		return -1;
	}
	for (size_t i = 0; i < live.count; i++)
		diff_scope(&cfg, &maps, &live.items[i], report);
	find_unbound(&cfg, root, &live, report);
	cl_scopes_free(&live);
	cl_maps_close(&maps);
	cl_config_free(&cfg);
	return 0;
}

int cl_applied_config(struct cl_applied *out)
{
	struct json_object *doc = json_object_from_file(CL_APPLIED_PATH), *v;

	memset(out, 0, sizeof(*out));
	if (!doc)
		return -1;
	if (json_object_object_get_ex(doc, "openclaw", &v))
		cl_strlcpy(out->openclaw, json_object_get_string(v), sizeof(out->openclaw));
	if (json_object_object_get_ex(doc, "policy", &v))
		cl_strlcpy(out->policy, json_object_get_string(v), sizeof(out->policy));
	if (json_object_object_get_ex(doc, "cgroupRoot", &v))
		cl_strlcpy(out->cgroup_root, json_object_get_string(v), sizeof(out->cgroup_root));
	json_object_put(doc);
	return out->openclaw[0] || out->policy[0] ? 0 : -1;
}

/* attach: the config named, else the one last applied. */
static int attach_config(const char *openclaw, const char *policy, struct cl_config *cfg)
{
	struct cl_applied applied;

	if (openclaw || policy)
		return cl_config_load(openclaw, policy, cfg);
	if (cl_applied_config(&applied) < 0) {
		cl_error("attach: no config named and none applied yet (%s): give --openclaw "
			 "or --policy",
			 CL_APPLIED_PATH);
		return CL_EXIT_USAGE;
	}
	return cl_config_load(applied.openclaw[0] ? applied.openclaw : NULL,
			      applied.policy[0] ? applied.policy : NULL, cfg);
}

static int mode_wanted(const char *agent, const struct cl_scope *scope, const char *cgroup)
{
	if (scope->info.flags & CL_SCOPE_REMOVED)
		return 0;
	if (agent && strcmp(agent, scope->info.agent))
		return 0;
	return !cgroup || !strcmp(cgroup, scope->info.cgroup);
}

int cl_attach(const char *openclaw, const char *policy, const char *agent, const char *session,
	      const char *path, uint64_t cgid)
{
	static struct cl_signed_inputs signed_inputs;
	struct cl_compiled c;
	struct cl_config cfg;
	struct cl_maps maps;
	int ret;

	/* What the daemon would refuse to apply, attach installs neither. */
	cl_daemon_signed_inputs_begin(&signed_inputs);
	ret = attach_config(openclaw, policy, &cfg);
	cl_signed_inputs_end(); /* a no-op when nothing began */
	if (ret)
		return ret;
	ret = CL_EXIT_USAGE;
	if (!cl_config_has_agent(&cfg, agent)) {
		cl_error("attach: the config has no agent '%s'", agent);
		goto out;
	}
	if (cl_compile_scope(&cfg, agent, session, &c) < 0)
		goto out;
	if (!c.confined) {
		cl_error("attach: agent %s%s%s is not sandboxed by this config: nothing to confine",
			 agent, session ? ", session " : "", session ? session : "");
		goto out_compiled;
	}
	ret = CL_EXIT_FAILURE;
	if (cl_maps_open(&maps) < 0)
		goto out_compiled;
	if (cl_maps_lock(&maps) == 0 &&
	    cl_bind_one(&maps, c.agent, cgid, path, session, CL_ORIGIN_ATTACH) == 0) {
		cl_info("attached %s to agent %s (generation %llu)", path, agent,
			(unsigned long long)cl_generation(&maps));
		ret = CL_EXIT_OK;
	}
	cl_maps_unlock(&maps);
	cl_maps_close(&maps);
out_compiled:
	cl_compiled_free(&c);
out:
	cl_config_free(&cfg);
	return ret;
}

int cl_mode(enum cl_mode mode, const char *agent, const char *cgroup)
{
	struct update u;
	size_t changed = 0;

	if (update_begin(&u, NULL) < 0)
		return CL_EXIT_FAILURE;
	for (size_t i = 0; i < u.live.count; i++) {
		struct cl_scope scope = u.live.items[i];

		if (mode_wanted(agent, &scope, cgroup) && scope.binding.mode != mode) {
			scope.binding.mode = mode;
			changed++;
		}
		if (cl_scopes_put(&u.next, &scope) < 0)
			return update_abandon(&u, CL_EXIT_FAILURE);
	}
	if (changed && cl_scopes_commit(&u.maps, &u.next) < 0)
		return update_abandon(&u, CL_EXIT_FAILURE);
	cl_info("%zu scopes switched to %s (generation %llu)", changed,
		mode == CL_MODE_AUDIT ? "audit" : "enforce",
		(unsigned long long)cl_generation(&u.maps));
	update_free(&u);
	return CL_EXIT_OK;
}
