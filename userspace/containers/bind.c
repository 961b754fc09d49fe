// SPDX-License-Identifier: GPL-2.0
/*
 * bind.c - a container of OpenClaw's, bound in the kernel to its scope's
 * policy as its processes see the files.
 *
 * The scope: the container's openclaw.sessionKey label is OpenClaw's
 * scope key ("<session>:workspace:<hash>", "agent:<id>:workspace:<hash>"
 * or "shared"); the session (or agent) in it is compiled as explain and
 * apply compile it, and the result must give back the same key, else the
 * config does not sandbox that scope. A fleet cell (openclaw.fleet.tenant)
 * takes the overlay's agent "fleet:<tenant>", else "fleet".
 *
 * The view: OpenClaw's mounts put host trees at container paths, so each
 * rule on a mounted host path moves to where the container has it, and
 * docker.tmpfs paths become writable scratch. Every path is then resolved
 * through the container's init's root (/proc/PID/root, with openat2's
 * RESOLVE_IN_ROOT): the image's /usr is the image's, a bind-mounted
 * workspace is the host's inodes, and a host path outside the mounts does
 * not exist there.
 *
 * Anything that does not resolve to a sandboxed scope, or whose policy
 * cannot be installed, is bound to a policy that denies everything (audit
 * mode when the operator chose report-only): never left unconfined.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "containers/bind.h"
#include "loader/bpfstate.h"
#include "loader/compile.h"
#include "loader/install.h"
#include "loader/scopes.h"
#include "util.h"

struct cl_binder {
	struct cl_config cfg;
	struct cl_maps maps;
	struct cl_scopes set;
	enum cl_unmatched unmatched;
	char cgroup_mount[PATH_MAX];
	bool have_cfg; /* false: the config did not load (said) */
	bool staged;   /* something to switch */
};

static void binder_free_config(struct cl_binder *b)
{
	if (b->have_cfg)
		cl_config_free(&b->cfg);
}

struct cl_binder *cl_binder_open(const char *openclaw, const char *policy,
				 enum cl_unmatched unmatched)
{
	struct cl_binder *b = calloc(1, sizeof(*b));

	if (!b) {
		cl_error("containers: out of memory");
		return NULL;
	}
	b->unmatched = unmatched;
	if (cl_cgroup_mount(b->cgroup_mount, sizeof(b->cgroup_mount)) < 0) {
		free(b);
		return NULL;
	}
	/* A config that does not load leaves no container unbound: each is unmatched. */
	b->have_cfg = cl_config_load(openclaw, policy, &b->cfg) == 0;
	if (!b->have_cfg)
		memset(&b->cfg, 0, sizeof(b->cfg));
	if (cl_maps_open(&b->maps) < 0) {
		binder_free_config(b);
		free(b);
		return NULL;
	}
	if (cl_maps_lock(&b->maps) < 0 || cl_scopes_read(&b->maps, &b->set) < 0) {
		cl_maps_close(&b->maps);
		binder_free_config(b);
		free(b);
		return NULL;
	}
	cl_scopes_reuse(&b->maps, &b->set);
	return b;
}

/* The first agent whose scope is OpenClaw's shared one: apply gives it its policy too. */
static int shared_scope(struct cl_binder *b, struct cl_compiled *c)
{
	for (size_t i = 0; i < b->cfg.id_count; i++) {
		if (cl_compile_agent_scope(&b->cfg, b->cfg.ids[i], c) < 0)
			return -1;
		if (c->confined && c->c.sb.scope == OC_SCOPE_SHARED)
			return 1;
		cl_compiled_free(c);
	}
	return 0;
}

/* "<session>:workspace:<hash>": the agent and the session ("": the agent's scope). */
int cl_scope_key_split(const char *key, char *agent, size_t asize, char *session, size_t ssize)
{
	const char *ws = NULL, *p, *colon;

	for (p = strstr(key, ":workspace:"); p; p = strstr(p + 1, ":workspace:"))
		ws = p;
	if (!ws || strncmp(key, "agent:", 6) || ws - key <= 6 || ws - key >= (long)ssize)
		return -1;
	memcpy(session, key, ws - key);
	session[ws - key] = '\0';
	colon = strchr(session + 6, ':');
	if (!cl_format(agent, asize, "%.*s",
		       colon ? (int)(colon - session - 6) : (int)strlen(session + 6),
		       session + 6) ||
	    !agent[0])
		return -1;
	if (!colon)
		session[0] = '\0'; /* "agent:<id>": the agent's scope */
	return 0;
}

/* The scope of OpenClaw's key @key, compiled into @c: 1, or 0 with @why, or -1. */
static int scope_of_key(struct cl_binder *b, const char *key, struct cl_compiled *c, char *why,
			size_t size)
{
	char agent[CL_AGENT_MAX], session[CL_SESSION_MAX];
	int ret;

	if (!b->cfg.openclaw)
		return cl_format(why, size,
				 "no OpenClaw config: its scope keys cannot be resolved"),
		       0;
	if (!key[0])
		return cl_format(why, size, "no openclaw.sessionKey label"), 0;
	if (!strcmp(key, "shared")) {
		ret = shared_scope(b, c);
		if (!ret)
			cl_format(why, size, "scope key \"shared\": no agent of the config has it");
		return ret;
	}
	if (cl_scope_key_split(key, agent, sizeof(agent), session, sizeof(session)) < 0)
		return cl_format(why, size, "scope key \"%.200s\" cannot be parsed", key), 0;
	if (!cl_config_has_agent(&b->cfg, agent))
		return cl_format(why, size, "agent \"%s\" is not in the config", agent), 0;
	if (cl_compile_scope(&b->cfg, agent, session[0] ? session : NULL, c) < 0)
		return -1;
	if (c->confined && !strcmp(c->c.sb.scope_key, key))
		return 1;
	cl_format(why, size, "scope key \"%.200s\" is not a sandboxed scope of the config (%s)",
		  key, c->confined ? "the config gives that session another key" : "not sandboxed");
	cl_compiled_free(c);
	return 0;
}

void cl_container_path(const struct oc_sandbox *sb, const char *path, char *out, size_t size)
{
	size_t best = 0;

	cl_format(out, size, "%s", path);
	for (size_t i = 0; i < sb->mount_count; i++) {
		const struct oc_mount *m = &sb->mounts[i];
		size_t len = strlen(m->host);

		if (len <= best || strncmp(path, m->host, len) || (path[len] && path[len] != '/'))
			continue;
		if (cl_format(out, size, "%s%s", m->container, path + len))
			best = len;
	}
}

static int copy_agent(struct cl_agent *view, const struct cl_agent *from)
{
	view->id = strdup(from->id);
	view->mode = from->mode;
	view->cap_drop = from->cap_drop;
	view->no_exec = from->no_exec;
	cl_format(view->source, sizeof(view->source), "%s", from->source);
	cl_format(view->default_source, sizeof(view->default_source), "%s", from->default_source);
	return view->id && cl_net_list_merge(&view->net, &from->net) == 0 ? 0 : -1;
}

/* The compiled scope as the container sees it: mounts at their container paths, tmpfs writable. */
static int container_view(const struct cl_compiled *c, struct cl_agent *view)
{
	const struct oc_sandbox *sb = &c->c.sb;
	char path[PATH_MAX];

	if (copy_agent(view, c->agent) < 0)
		return -1;
	for (size_t i = 0; i < c->agent->files.count; i++) {
		const struct cl_rule *r = &c->agent->files.rules[i];

		cl_container_path(sb, r->path, path, sizeof(path));
		if (cl_rule_list_set(&view->files, path, r->access, r->source) < 0)
			return -1;
	}
	for (size_t i = 0; i < sb->tmpfs.count; i++) {
		cl_format(path, sizeof(path), "%s", sb->tmpfs.items[i]);
		if (path[0] == '/' &&
		    cl_rule_list_set(&view->files, path, CL_ACC_READ | CL_ACC_WRITE,
				     sb->tmpfs.key) < 0)
			return -1;
	}
	return 0;
}

static void view_free(struct cl_agent *view)
{
	free(view->id);
	cl_rule_list_free(&view->files);
	cl_net_list_free(&view->net);
	memset(view, 0, sizeof(*view));
}

/* A fleet cell's policy: the overlay's agent "fleet:<tenant>", else "fleet". */
static const struct cl_agent *fleet_agent(struct cl_binder *b, const char *tenant)
{
	const struct cl_policy *p = b->cfg.openclaw
					    ? (b->cfg.in.have_overlay ? &b->cfg.in.overlay : NULL)
					    : &b->cfg.policy;
	char name[CL_AGENT_MAX];
	const struct cl_agent *a = NULL;

	/* A tenant too long for an agent id gets no agent: never another tenant's, nor the default.
	 */
	if (!p || !cl_format(name, sizeof(name), "fleet:%s", tenant))
		return NULL;
	a = cl_policy_agent(p, name);
	return a ? a : cl_policy_agent(p, "fleet");
}

/* The container's policy: its scope's, seen from inside; 1, or 0 (unmatched, @why), or -1. */
static int resolve_view(struct cl_binder *b, const struct cl_container *ct, struct cl_agent *view,
			char *why, size_t size)
{
	const struct cl_agent *cell;
	struct cl_compiled c;
	int ret;

	if (ct->tenant[0] && !ct->sandbox && !ct->browser) {
		cell = fleet_agent(b, ct->tenant);
		if (!cell)
			return cl_format(why, size,
					 "fleet cell of tenant \"%s\": no agent \"fleet:%s\" or "
					 "\"fleet\" in the overlay",
					 ct->tenant, ct->tenant),
			       0;
		ret = copy_agent(view, cell);
		for (size_t i = 0; !ret && i < cell->files.count; i++)
			ret = cl_rule_list_set(&view->files, cell->files.rules[i].path,
					       cell->files.rules[i].access,
					       cell->files.rules[i].source);
		return ret < 0 ? -1 : 1;
	}
	ret = scope_of_key(b, ct->scope_key, &c, why, size);
	if (ret <= 0)
		return ret;
	ret = container_view(&c, view) < 0 ? -1 : 1;
	cl_compiled_free(&c);
	return ret;
}

int cl_container_cgroup(int pid, char *out, size_t size)
{
	char path[64], line[PATH_MAX];
	FILE *f;
	int ret = -1;

	cl_format(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::/", 4))
			continue;
		line[strcspn(line, "\n")] = '\0';
		ret = cl_format(out, size, "%s", line + 3) ? 0 : -1;
	}
	fclose(f);
	return ret;
}

/* The policy of a scope the config does not sandbox: nothing allowed at all. */
static int install_deny_all(struct cl_binder *b, uint32_t *policy_id)
{
	struct cl_agent none = {
		.id = "unmatched",
		.cap_drop = cl_cap_all(),
		.no_exec = true,
	};

	cl_format(none.source, sizeof(none.source), "clawlock: container of no sandboxed scope");
	return cl_policy_install(&b->maps, &none, policy_id);
}

/* Where @ct's init lives: its cgroup and root, checked to be that process's. */
struct init_handle {
	int pidfd, root;
	char cgroup[PATH_MAX];
	uint64_t cgid;
};

/* A 64-hex-digit container id: what the engine's cgroups are named after. */
static bool full_id(const char *id)
{
	return strlen(id) == 64 && strspn(id, "0123456789abcdef") == 64;
}

/*
 * The container's own cgroup in @rel, cut after the component that names
 * it (Docker's "<id>" or "docker-<id>.scope", Podman's "libpod-<id>.scope"):
 * an init that moved itself below it (systemd in the container) must not
 * leave the cgroup docker exec uses unbound. -1 when no component does.
 */
static int container_cgroup_root(char *rel, const char *id)
{
	char names[3][96];
	char *comp = rel, *end;

	cl_format(names[0], sizeof(names[0]), "%s", id);
	cl_format(names[1], sizeof(names[1]), "docker-%s.scope", id);
	cl_format(names[2], sizeof(names[2]), "libpod-%s.scope", id);
	while (comp && *comp) {
		comp += *comp == '/';
		end = strchrnul(comp, '/');
		for (int i = 0; i < 3; i++) {
			if ((size_t)(end - comp) == strlen(names[i]) &&
			    !strncmp(comp, names[i], end - comp)) {
				*end = '\0';
				return 0;
			}
		}
		comp = *end ? end : NULL;
	}
	return -1;
}

static int open_init(struct cl_binder *b, const struct cl_container *ct, struct init_handle *h,
		     char *why, size_t size)
{
	char rel[PATH_MAX], path[64];

	h->root = -1;
	if (!full_id(ct->id))
		return cl_format(why, size, "the engine gave no container id"), -1;
	h->pidfd = ct->pid > 0 ? syscall(SYS_pidfd_open, ct->pid, 0) : -1;
	if (h->pidfd < 0)
		return cl_format(why, size, "its init (pid %d) has exited", ct->pid), -1;
	if (cl_container_cgroup(ct->pid, rel, sizeof(rel)) < 0 ||
	    container_cgroup_root(rel, ct->id) < 0)
		return cl_format(why, size, "pid %d is not in the container's cgroup", ct->pid), -1;
	if (!cl_format(h->cgroup, sizeof(h->cgroup), "%s%s", b->cgroup_mount, rel) ||
	    cl_cgroup_id(h->cgroup, &h->cgid) < 0)
		return cl_format(why, size, "its cgroup %s is gone", rel), -1;
	cl_format(path, sizeof(path), "/proc/%d/root", ct->pid);
	h->root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* The pid still names the process the pidfd holds: root and cgroup are its. */
	if (syscall(SYS_pidfd_send_signal, h->pidfd, 0, NULL, 0) < 0)
		return cl_format(why, size, "its init (pid %d) exited while being bound", ct->pid),
		       -1;
	return 0;
}

static void close_init(struct init_handle *h)
{
	if (h->pidfd >= 0)
		close(h->pidfd);
	if (h->root >= 0)
		close(h->root);
}

/* Install @view resolved in the container; the deny-everything policy when that fails. */
static int install_view(struct cl_binder *b, const struct cl_container *ct,
			const struct init_handle *h, struct cl_agent *view, int matched,
			struct cl_container_bound *out)
{
	char tag[32];
	int ret = -1;

	if (matched > 0 && h->root < 0)
		cl_format(out->why, sizeof(out->why), "cannot open its root: %s", strerror(errno));
	if (matched > 0 && h->root >= 0) {
		cl_format(tag, sizeof(tag), "ct%d:", ct->pid);
		cl_install_root(&b->maps, h->root, tag);
		ret = cl_policy_install(&b->maps, view, &out->policy);
		cl_install_root(&b->maps, -1, NULL);
		if (ret < 0)
			cl_format(out->why, sizeof(out->why),
				  "its policy could not be installed (the log says why)");
	}
	out->matched = ret == 0;
	if (ret == 0)
		return 0;
	if (matched < 0 && !out->why[0])
		cl_format(out->why, sizeof(out->why), "its scope could not be compiled");
	cl_format(out->agent, sizeof(out->agent), "unmatched");
	return install_deny_all(b, &out->policy);
}

int cl_binder_add(struct cl_binder *b, const struct cl_container *ct,
		  struct cl_container_bound *out)
{
	struct init_handle h;
	struct cl_agent view = { 0 };
	struct cl_scope scope, *prev;
	enum cl_mode mode;
	int matched, ret = -1;

	memset(out, 0, sizeof(*out));
	if (open_init(b, ct, &h, out->why, sizeof(out->why)) < 0)
		goto out;
	matched = resolve_view(b, ct, &view, out->why, sizeof(out->why));
	cl_format(out->agent, sizeof(out->agent), "%s", matched > 0 ? view.id : "unmatched");
	cl_format(out->cgroup, sizeof(out->cgroup), "%s", h.cgroup);
	if (install_view(b, ct, &h, &view, matched, out) < 0)
		goto out;
	if (out->matched)
		mode = view.mode;
	else
		mode = b->unmatched == CL_UNMATCHED_REPORT ? CL_MODE_AUDIT : CL_MODE_ENFORCE;
	prev = cl_scopes_find(&b->set, h.cgid);
	if (prev && prev->info.origin != CL_ORIGIN_CONTAINER) {
		cl_format(out->why, sizeof(out->why),
			  "its cgroup is already a scope of agent %s (not a container's): kept",
			  prev->info.agent);
		goto out;
	}
	out->changed =
		!prev || prev->binding.policy_id != out->policy || prev->binding.mode != mode;
	cl_scope_fill(&scope, h.cgid, out->policy, mode, out->agent,
		      ct->tenant[0] && !ct->scope_key[0] ? ct->tenant : ct->scope_key, h.cgroup,
		      CL_ORIGIN_CONTAINER);
	ret = cl_scopes_put(&b->set, &scope);
	b->staged |= ret == 0;
out:
	view_free(&view);
	close_init(&h);
	return ret;
}

size_t cl_binder_prune(struct cl_binder *b)
{
	uint64_t gone[b->set.count + 1], id;
	size_t n = 0;

	for (size_t i = 0; i < b->set.count; i++) {
		const struct cl_scope *s = &b->set.items[i];

		if (s->info.origin != CL_ORIGIN_CONTAINER)
			continue;
		if (cl_cgroup_id(s->info.cgroup, &id) < 0 || id != s->cgroup_id)
			gone[n++] = s->cgroup_id;
	}
	for (size_t i = 0; i < n; i++)
		cl_scopes_drop(&b->set, gone[i]);
	b->staged |= n > 0;
	return n;
}

int cl_binder_commit(struct cl_binder *b)
{
	struct cl_scopes live;

	if (!b->staged)
		return 0;
	if (cl_scopes_commit(&b->maps, &b->set) == 0) {
		b->staged = false;
		return 0;
	}
	if (cl_scopes_read(&b->maps, &live) == 0) {
		cl_scopes_abandon(&b->maps, &live);
		cl_scopes_free(&live);
	}
	return -1;
}

void cl_binder_close(struct cl_binder *b)
{
	if (!b)
		return;
	cl_scopes_free(&b->set);
	cl_maps_unlock(&b->maps);
	cl_maps_close(&b->maps);
	binder_free_config(b);
	free(b);
}
