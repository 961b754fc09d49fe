// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_sandbox.c - clawlock sandbox exec|describe|release: clawlock as
 * OpenClaw's sandbox backend (Documentation/openclaw.md). OpenClaw's plugin
 * (integrations/openclaw/) hands every command and file operation of a
 * sandboxed session here with the session's scope key.
 *
 * OpenClaw makes several calls per tool call, so a call does as little as
 * it can. When the scope's plan (sandbox_plan.h) says that nothing the
 * policy was compiled from has changed, and the scope is still bound to
 * the policy installed then, the call compiles nothing and goes straight
 * in. Otherwise it resolves the key against the config (refusing keys the
 * config does not sandbox), compiles the scope's policy in memory and
 * hashes it; the kernel install happens only when that digest differs
 * from the one recorded when the scope was last installed, or the binding
 * is gone (an install costs two RCU grace periods). Calls of one scope are
 * serialised by a lock file until the caller is in the scope's cgroup.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sched.h>

#include <bpf/bpf.h>
#include <json-c/json.h>

#include "loader/bpfstate.h"
#include "loader/cgroup.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "events/daemon_state.h"
#include "openclaw/ocinputs.h"
#include "openclaw/ocscope.h"
#include "sandbox/sandbox_ns.h"
#include "sandbox/sandbox_plan.h"
#include "loader/scopes.h"
#include "policy/signature.h"
#include "util.h"

static const char sandbox_help[] =
	"Usage: clawlock sandbox exec --scope-key KEY [--session KEY] [--openclaw FILE]\n"
	"                             [--policy OVERLAY] [--workdir DIR] [--env NAME=VALUE]...\n"
	"                             -- CMD [ARG...]\n"
	"       clawlock sandbox describe [--openclaw FILE] [--json] KEY\n"
	"       clawlock sandbox release [--openclaw FILE] KEY\n"
	"\n"
	"clawlock as OpenClaw's sandbox backend (agents.*.sandbox.backend \"clawlock\",\n"
	"with the plugin in integrations/openclaw/). KEY is the scope key OpenClaw\n"
	"passes a backend (<session key>:workspace:<32 hex> for scope \"session\",\n"
	"agent:<id>:workspace:<32 hex> for scope \"agent\", \"shared\"), or a session\n"
	"key, whose scope the config gives.\n"
	"\n"
	"exec runs CMD in the scope, as the config sandboxes it:\n"
	"  - confined by the policy 'clawlock explain' shows for the session, in the\n"
	"    scope's cgroup (named by OpenClaw's slug of KEY, with pidsLimit, memory,\n"
	"    memorySwap and cpus as limits). The policy is installed on the scope's\n"
	"    first call and again only when what the config compiles to for it has\n"
	"    changed (or 'clawlock apply' rebound it): later calls bind nothing,\n"
	"    and while no input of the compile has changed (files, environment,\n"
	"    options: the plan kept in /run/clawlock/plans) they compile nothing;\n"
	"  - with docker.tmpfs (default /tmp, /var/tmp, /run) and /dev/shm private to\n"
	"    the scope, writable, kept across its calls, removed by release (a\n"
	"    workspace below one of them stays visible at its path); an entry with\n"
	"    size= (/tmp:size=64m) is a tmpfs of that size, ro and noexec hold;\n"
	"  - with docker.network \"none\": in a network namespace with only loopback,\n"
	"    shared by the calls of the scope; other networks keep the egress rules;\n"
	"  - as docker.user when set (name or uid, optionally :group), else as the\n"
	"    calling user, else (clawlock run by root) as the owner of the agent's\n"
	"    workspace; never as root unless docker.user says so; always with\n"
	"    no-new-privileges;\n"
	"  - in DIR (default: the session's workspace), with exactly the environment\n"
	"    given by --env and by clawlock's own CLAWLOCK_ENV_NAME=VALUE variables\n"
	"    (as NAME=VALUE: values that must not show in the process list), and\n"
	"    nothing else of clawlock's own.\n"
	"  Nothing runs unconfined: if clawlock is not loaded, the key is refused,\n"
	"  or any step fails, CMD does not run.\n"
	"  CMD is clawlock's child, started in the scope's cgroup; clawlock waits for\n"
	"  it outside as the same user, passes on SIGHUP, SIGINT, SIGQUIT, SIGTERM,\n"
	"  SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH and SIGCONT, and ends as CMD did: with\n"
	"  its status, or killed by its signal. CMD gets SIGKILL if clawlock dies.\n"
	"\n"
	"describe prints the scope's state: its cgroup, whether processes run in it,\n"
	"the digest of the policy last installed, its scratch and network namespace.\n"
	"\n"
	"release kills every process of the scope, unbinds and removes its cgroup,\n"
	"and removes its scratch and network namespace (OpenClaw's sandbox recreate).\n"
	"\n"
	"  -k, --scope-key KEY     the scope (exec; describe and release take KEY)\n"
	"  -s, --session KEY       the session the call is for: must be sandboxed by\n"
	"                          the config and belong to the scope\n"
	"  -c, --openclaw FILE     OpenClaw's config [default: as OpenClaw finds it]\n"
	"  -p, --policy OVERLAY    clawlock overlay on top of the translation\n"
	"  -w, --workdir DIR       where CMD starts\n"
	"  -e, --env NAME=VALUE    an environment variable of CMD (repeatable)\n"
	"      --cgroup-root DIR   where scope cgroups live\n"
	"                          [default: <cgroup2 mount>/clawlock]\n"
	"      --json              describe: one JSON object\n"
	"\n"
	"Exit status: exec: CMD's own; 126 if CMD cannot be executed, 127 if not\n"
	"found; 2 the key is refused or the config or a setting is bad; 1 clawlock\n"
	"is not loaded or the system refused a step. describe and release: 0, or\n"
	"1 or 2 as above.\n";

struct sbx_opts {
	struct cl_scope_opts scope; /* no agent: the scope key names it */
	const char *key;
	const char *workdir;
	char **env;
	size_t env_count;
	int json;
};

/* One call's scope, as the config gives it. */
struct sbx {
	struct oc_inputs in;
	struct oc_compiled c;
	int have_in, have_c;
	char slug[CL_SLUG_MAX];
	char dir[PATH_MAX];
	char root[PATH_MAX];
	char cgroup[PATH_MAX];
	char digest[65];
	struct cl_limits limits;
	uid_t uid;
	gid_t gid;
	struct cl_sbx_plan plan; /* what the command is entered with */
	int lock;
	/*
	 * clawlock's writers' lock, held from the binding check until the
	 * command is in the cgroup: an apply meanwhile would find the cgroup
	 * empty, and could unbind and remove it under the command.
	 */
	int writers_lock;
};

/* What the scope's last install recorded in <dir>/state. */
struct sbx_state {
	char digest[65];
	unsigned long long cgroup_id;
	unsigned int policy_id;
};

/* --env NAME=VALUE, once a variable: kept in order for the command. */
static int add_env(const struct cl_opt *opt, char *arg)
{
	struct sbx_opts *o = opt->dest;

	if (!strchr(arg, '=') || arg[0] == '=') {
		cl_error("sandbox: --env takes NAME=VALUE");
		return -1;
	}
	o->env[o->env_count++] = arg;
	return 0;
}

/* argv[1] is the verb: the options start after it. */
static int parse_opts(int argc, char **argv, struct sbx_opts *o)
{
	struct cl_opt opts[] = {
		CL_OPT_STRING("scope-key", 'k', &o->key),
		CL_OPT_STRING("session", 's', &o->scope.session),
		CL_OPT_CONFIGS(&o->scope),
		CL_OPT_STRING("workdir", 'w', &o->workdir),
		CL_OPT_CALL("env", 'e', add_env, o),
		CL_OPT_CGROUP_ROOT(&o->scope),
		CL_OPT_FLAG("json", 0, &o->json),
		CL_OPT_END,
	};

	/* Stop at the first operand, so CMD's own options stay its own. */
	return cl_opts_parse_in_order(argc, argv, 2, opts, sandbox_help);
}

/* "<prefix>:workspace:<32 lowercase hex>": the prefix's length, or -1. */
static long scope_key_prefix(const char *key)
{
	static const char tag[] = ":workspace:";
	size_t len = strlen(key), tlen = sizeof(tag) - 1;

	if (len < tlen + 32 || strncmp(key + len - 32 - tlen, tag, tlen))
		return -1;
	for (const char *p = key + len - 32; *p; p++) {
		if (!strchr("0123456789abcdef", *p))
			return -1;
	}
	return (long)(len - 32 - tlen);
}

/*
 * The agent and session to compile for @key: a session scope's key holds
 * its session key, an agent scope's key its agent. 0, or -1 (said why).
 */
static int key_target(const struct sbx_opts *o, char agent[65], char **session)
{
	long plen = scope_key_prefix(o->key);

	agent[0] = '\0';
	*session = NULL;
	if (plen < 0 && !strcmp(o->key, "shared") && !o->scope.session) {
		cl_error("sandbox: the shared scope needs --session to say whose call it is");
		return -1;
	}
	if (plen < 0) {
		*session = cl_strdup(o->scope.session ? o->scope.session : o->key);
		return *session ? 0 : -1;
	}
	if (!strncmp(o->key, "agent:", 6) && !memchr(o->key + 6, ':', (size_t)plen - 6)) {
		cl_format(agent, 65, "%.*s", (int)plen - 6, o->key + 6);
		*session = o->scope.session ? cl_strdup(o->scope.session) : NULL;
		return o->scope.session && !*session ? -1 : 0;
	}
	*session = o->scope.session ? cl_strdup(o->scope.session) : strndup(o->key, (size_t)plen);
	return *session ? 0 : -1;
}

/*
 * Compile @agent/@session; an agent scope named without a session is
 * compiled for a session the config sandboxes in it (as apply does).
 */
static int compile_target(struct sbx *s, const char *agent, const char *session)
{
	char other[CL_AGENT_MAX + 32];

	if (cl_oc_compile(&s->in, agent[0] ? agent : NULL, session, &s->c) < 0)
		return -1;
	s->have_c = 1;
	if (s->c.confined || session)
		return 0;
	oc_compiled_free(&s->c);
	s->have_c = 0;
	cl_format(other, sizeof(other), "agent:%s:clawlock-sandbox", agent);
	if (cl_oc_compile(&s->in, agent, other, &s->c) < 0)
		return -1;
	s->have_c = 1;
	return 0;
}

/* Refuse what the config does not sandbox, or a key it does not give. */
static int check_scope(const struct sbx_opts *o, struct sbx *s)
{
	const struct oc_sandbox *sb = &s->c.sb;

	if (!s->c.confined) {
		cl_error("sandbox: refused: session %s of agent %s is not sandboxed by %s (%s: "
			 "%s); it never runs through a sandbox backend",
			 sb->session_key, sb->agent_id, s->in.cfg.path, sb->mode_key,
			 oc_mode_name(sb->mode));
		return -1;
	}
	if ((scope_key_prefix(o->key) >= 0 || !strcmp(o->key, "shared")) &&
	    strcmp(sb->scope_key, o->key)) {
		cl_error("sandbox: refused: scope key %s does not belong to %s: its session %s "
			 "has scope key %s there (%s: %s)",
			 o->key, s->in.cfg.path, sb->session_key, sb->scope_key, sb->scope_src,
			 oc_scope_name(sb->scope));
		return -1;
	}
	return 0;
}

/* Load the config and resolve the key; an exit status. */
static int sbx_resolve(const struct sbx_opts *o, struct sbx *s)
{
	char agent[65], *session = NULL;
	int ret;

	ret = cl_oc_load_inputs(o->scope.openclaw, o->scope.policy, NULL, &s->in);
	if (ret)
		return ret;
	s->have_in = 1;
	if (key_target(o, agent, &session) < 0)
		return CL_EXIT_USAGE;
	ret = compile_target(s, agent, session) < 0 || check_scope(o, s) < 0;
	free(session);
	if (ret)
		return CL_EXIT_USAGE;
	cl_strlcpy(s->slug, s->c.sb.slug, sizeof(s->slug));
	return 0;
}

static void sbx_free(struct sbx *s)
{
	if (s->have_c)
		oc_compiled_free(&s->c);
	if (s->have_in)
		cl_oc_free_inputs(&s->in);
	if (s->lock >= 0)
		close(s->lock);
	if (s->writers_lock >= 0)
		close(s->writers_lock);
	cl_plan_free(&s->plan);
	s->have_c = s->have_in = 0;
	s->lock = s->writers_lock = -1;
}

/* docker.user: the agent's, else the defaults' (a shared scope has only those). */
static const char *docker_user(const struct sbx *s, char *key, size_t size)
{
	struct json_object *entry = NULL;
	char akey[OC_KEY_MAX];
	const char *user = NULL;

	if (s->c.sb.scope != OC_SCOPE_SHARED)
		entry = oc_agent_entry(&s->in.cfg, s->c.sb.agent_id, akey, sizeof(akey));
	user = oc_get_string(oc_get(entry, "sandbox.docker"), "user");
	if (user) {
		cl_format(key, size, "%s.sandbox.docker.user", akey);
		return user;
	}
	cl_format(key, size, "agents.defaults.sandbox.docker.user");
	return oc_get_string(oc_get(s->in.cfg.root, "agents.defaults.sandbox.docker"), "user");
}

/* Who CMD runs as; an exit status. */
static int sbx_identity(struct sbx *s)
{
	char key[OC_KEY_MAX + 32], err[256];
	const char *user = docker_user(s, key, sizeof(key));
	struct stat st;

	if (user) {
		if (cl_parse_user(user, &s->uid, &s->gid, err, sizeof(err)) < 0) {
			cl_error("%s: %s: %s", s->in.cfg.path, key, err);
			return CL_EXIT_USAGE;
		}
		return 0;
	}
	s->uid = getuid();
	s->gid = getgid();
	if (s->uid)
		return 0;
	/*
	 * The workspace's owner, never what a link there points to (its owner
	 * could make it point anywhere), with that user's own group.
	 */
	if (lstat(s->c.sb.agent_workspace, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid) {
		struct passwd *pw = getpwuid(st.st_uid);

		s->uid = st.st_uid;
		s->gid = pw ? pw->pw_gid : (gid_t)st.st_uid;
		return 0;
	}
	cl_error("sandbox: refused: the command would run as root (clawlock runs as root and "
		 "the workspace %s is root's): set %s (\"0\" to allow root)",
		 s->c.sb.agent_workspace, key);
	return CL_EXIT_USAGE;
}

/*
 * Give the directory @path to @uid:@gid. Never through a link: whoever owns
 * its parent could have put one there, and root would chown its target.
 */
static int hand_over(const char *path, uid_t uid, gid_t gid)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), ret = -1;
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0)
		ret = st.st_uid == uid && st.st_gid == gid ? 0 : fchown(fd, uid, gid);
	close(fd);
	return ret;
}

/*
 * A sized scratch is a tmpfs of its own: the rule on scratch/ does not
 * reach into it (rules follow the object, and a tmpfs's root leads to the
 * mount point, not to scratch/), so its root has the same rule. The
 * install finds the tmpfs there: it is mounted before (sbx_sized_scratch).
 */
static int sbx_sized_rules(struct sbx *s, const char *source)
{
	const struct oc_sandbox *sb = &s->c.sb;
	char path[PATH_MAX];

	for (size_t i = 0; i < sb->tmpfs.count; i++) {
		if (!sb->tmpfs_opts[i].size)
			continue;
		if (!cl_scope_scratch_of(s->dir, sb->tmpfs.items[i], path, sizeof(path)) ||
		    cl_rule_list_set(&s->c.policy.files, path, CL_ACC_READ | CL_ACC_WRITE, source) <
			    0)
			return CL_EXIT_FAILURE;
	}
	return 0;
}

/* Paths, limits and the scratch rule; an exit status. */
static int sbx_layout(const struct sbx_opts *o, struct sbx *s)
{
	const struct oc_sandbox *sb = &s->c.sb;
	char scratch[PATH_MAX], source[CL_RULE_SOURCE_MAX];

	if (!cl_format(s->dir, sizeof(s->dir), "%s/%s", CL_SCOPES_DIR, s->slug) ||
	    cl_cgroup_root(o->scope.cgroup_root, s->root, sizeof(s->root)) < 0 ||
	    !cl_format(s->cgroup, sizeof(s->cgroup), "%s/%s", s->root, s->slug) ||
	    !cl_scope_scratch(s->dir, scratch, sizeof(scratch)))
		return CL_EXIT_FAILURE;
	if (cl_oc_limits(&s->in, sb, &s->limits) < 0)
		return CL_EXIT_USAGE;
	if (oc_ensure_sandbox_dir(sb) < 0)
		return CL_EXIT_FAILURE;
	/* OpenClaw makes it as the user its tools run as; so does this. */
	if (sb->access != OC_ACCESS_RW && hand_over(sb->sandbox_dir, s->uid, s->gid) < 0) {
		cl_error("cannot hand %s to %u: %s", sb->sandbox_dir, (unsigned int)s->uid,
			 strerror(errno));
		return CL_EXIT_FAILURE;
	}
	cl_format(source, sizeof(source), "%s (this scope's private scratch)", sb->tmpfs.key);
	if (cl_rule_list_set(&s->c.policy.files, scratch, CL_ACC_READ | CL_ACC_WRITE, source) < 0)
		return CL_EXIT_FAILURE;
	return sbx_sized_rules(s, source);
}

/* SHA-256 of everything the scope's install and setup depend on. */
static int sbx_digest(struct sbx *s)
{
	const struct cl_agent *p = &s->c.policy;
	const struct oc_sandbox *sb = &s->c.sb;
	const struct cl_limits *l = &s->limits;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -1;
	/* Everything the install writes: no_exec above all, or a switched-off exec stays on. */
	fprintf(f, "clawlock-sandbox 2\n%s\n%s\n%s\n%s\n%d %llx %d\n%lld %lld %lld %lld\n%s\n",
		sb->scope_key, sb->session_key, s->cgroup, sb->network, p->mode,
		(unsigned long long)p->cap_drop, p->no_exec, l->pids_max, l->memory_max,
		l->memory_swap_max, l->cpu_quota, p->default_source);
	for (size_t i = 0; i < p->files.count; i++)
		fprintf(f, "f %s\t%u\t%s\n", p->files.rules[i].path, p->files.rules[i].access,
			p->files.rules[i].source);
	for (size_t i = 0; i < p->net.count; i++)
		fprintf(f, "n %s\t%d\t%s\n", p->net.rules[i].text, p->net.rules[i].allow,
			p->net.rules[i].source);
	if (fclose(f) != 0) {
		free(text);
		return -1;
	}
	cl_sha256_hex(text, len, s->digest, 64);
	free(text);
	return 0;
}

static int state_read(const char *dir, struct sbx_state *st)
{
	char path[PATH_MAX];
	FILE *f;
	int ok;

	if (!cl_format(path, sizeof(path), "%s/state", dir))
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	ok = fscanf(f, "%64s %llu %u", st->digest, &st->cgroup_id, &st->policy_id) == 3;
	fclose(f);
	return ok ? 0 : -1;
}

static int state_write(const char *dir, const struct sbx_state *st)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	FILE *f;

	if (!cl_format(path, sizeof(path), "%s/state", dir) ||
	    !cl_format(tmp, sizeof(tmp), "%s/state.new", dir))
		return -1;
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	fprintf(f, "%s %llu %u\n", st->digest, st->cgroup_id, st->policy_id);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		cl_error("cannot record %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The live binding of cgroup @cgid; 0, or -1 if it has none. */
static int live_binding(struct cl_maps *maps, uint64_t cgid, struct cl_binding *b)
{
	struct cl_binding_key key = { .cgroup_id = cgid, .slot = cl_generation(maps) & 1 };

	return bpf_map_lookup_elem(maps->bindings, &key, b) ? -1 : 0;
}

/* Is the scope installed from this very digest, and still bound to it? */
static bool sbx_current(struct cl_maps *maps, const struct sbx *s)
{
	struct sbx_state st;
	struct cl_binding b;
	uint64_t cgid;

	if (state_read(s->dir, &st) < 0 || strcmp(st.digest, s->digest) ||
	    access(s->cgroup, F_OK) < 0 || cl_cgroup_id(s->cgroup, &cgid) < 0 ||
	    cgid != st.cgroup_id || live_binding(maps, cgid, &b) < 0)
		return false;
	return b.policy_id && b.policy_id == st.policy_id;
}

/* Install the scope's policy and bind its cgroup; record what was installed. */
static int sbx_install(struct cl_maps *maps, const struct sbx *s)
{
	struct sbx_state st = { 0 };
	struct cl_binding b;
	uint64_t cgid;
	int ret = -1;

	/* The caller holds the writers' lock (sbx_ensure_bound). */
	if (cl_scope_make_bound(maps, s->root, s->cgroup, &s->limits, &s->c.policy,
				s->c.sb.session_key, &cgid) < 0 ||
	    live_binding(maps, cgid, &b) < 0)
		goto out;
	cl_strlcpy(st.digest, s->digest, sizeof(st.digest));
	st.cgroup_id = cgid;
	st.policy_id = b.policy_id;
	ret = state_write(s->dir, &st);
	if (!ret)
		cl_debug("scope %s: policy %u installed, cgroup %s", s->c.sb.scope_key, b.policy_id,
			 s->cgroup);
out:
	return ret;
}

/* Is the lock file @fd still the one at @path (a release removes it)? */
static bool lock_current(int fd, const char *path)
{
	struct stat held, now;

	return fstat(fd, &held) == 0 && stat(path, &now) == 0 && held.st_ino == now.st_ino &&
	       held.st_dev == now.st_dev;
}

/* Take the scope's lock (exclusive), making its directory first. */
static int sbx_lock(struct sbx *s)
{
	char path[PATH_MAX];

	if (!cl_format(path, sizeof(path), "%s/lock", s->dir))
		return -1;
	/* A call that waited while the scope was released locks the new file. */
	for (int tries = 0; tries < 8; tries++) {
		if (cl_scope_dir_make(s->dir) < 0)
			return -1;
		s->lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (s->lock < 0 || flock(s->lock, LOCK_EX) < 0)
			break;
		if (lock_current(s->lock, path))
			return 0;
		close(s->lock);
		s->lock = -1;
	}
	cl_error("cannot lock %s: %s", path, strerror(errno));
	return -1;
}

/*
 * The scope's sized scratch is mounted (the scope's lock is held, so the
 * first calls arriving at once mount it once). One mounted now is unknown
 * to a policy installed before it (a scope whose config gained a size, a
 * tmpfs unmounted behind its back): the scope's state goes, so that the
 * policy is installed again. 0, or -1 after saying why.
 */
static int sbx_sized_scratch(struct sbx *s)
{
	char path[PATH_MAX];
	int made = cl_scope_sized_scratch(s->dir, s->plan.tmpfs, s->plan.tmpfs_count);

	if (made > 0 && cl_format(path, sizeof(path), "%s/state", s->dir))
		unlink(path);
	return made < 0 ? -1 : 0;
}

/*
 * The scope's policy is live for its cgroup; an exit status. Without
 * @may_install (no policy compiled), SBX_NOT_CURRENT if it is not.
 */
#define SBX_NOT_CURRENT (-1)

static int sbx_ensure_bound(struct sbx *s, bool may_install)
{
	struct cl_maps maps;
	int ret = 0;

	if (cl_maps_open(&maps) < 0) {
		cl_error("sandbox: refused: clawlock is not loaded, and nothing runs unconfined");
		return CL_EXIT_FAILURE;
	}
	/* A second description of the lock keeps it held after cl_maps_unlock. */
	if (cl_maps_lock(&maps) < 0 || (s->writers_lock = fcntl(maps.lock, F_DUPFD_CLOEXEC, 3)) < 0)
		ret = CL_EXIT_FAILURE;
	else if (!sbx_current(&maps, s))
		ret = !may_install		  ? SBX_NOT_CURRENT
		      : sbx_install(&maps, s) < 0 ? CL_EXIT_FAILURE
						  : 0;
	cl_maps_unlock(&maps);
	/* No BPF map descriptor may leak into the confined command. */
	cl_maps_close(&maps);
	return ret;
}

/*
 * No terminal, then the scope's namespaces, then its identity, then the
 * command's process, born in the scope's cgroup (clone3 with
 * CLONE_INTO_CGROUP). Moving a process in by writing cgroup.procs takes
 * the cgroup threadgroup lock for writing, which waits for an RCU grace
 * period: 10 to 20 ms a call when calls come a second apart, most of a
 * call's cost. A fork into the cgroup takes it for reading. The child's
 * pid in the parent, 0 in the child, -1 after saying why.
 */
static pid_t sbx_enter(struct sbx *s)
{
	const struct cl_sbx_plan *p = &s->plan;
	/* The config's directories, never the caller's --workdir (it could say /tmp). */
	char *keep[] = { p->agent_workspace, p->sandbox_dir, p->workdir };
	struct clone_args args = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
	pid_t pid = -1;
	int fd;

	if (cl_leave_terminal() < 0 || (p->net_none && cl_scope_join_net(s->dir) < 0))
		return -1;
	if (cl_scope_private_mounts(s->dir, p->tmpfs, p->tmpfs_count, keep,
				    sizeof(keep) / sizeof(keep[0]), s->uid, s->gid) < 0)
		return -1;
	fd = open(s->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		cl_error("cannot open %s: %s", s->cgroup, strerror(errno));
		return -1;
	}
	if (cl_become(s->uid, s->gid) == 0) {
		args.cgroup = (__u64)fd;
		/*
		 * Nothing buffered is written twice. glibc has no clone3 wrapper:
		 * the child skips its fork bookkeeping (atfork handlers, the
		 * cached tid), which a single-threaded clawlock that only
		 * executes or exits after it does not need.
		 */
		fflush(NULL);
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid < 0)
			cl_error("cannot start a process in %s: %s%s", s->cgroup, strerror(errno),
				 errno == EAGAIN ? " (the scope's pidsLimit reached?)" : "");
	}
	close(fd);
	/* In the cgroup now: an apply sees it populated, and never unbinds it. */
	close(s->writers_lock);
	s->writers_lock = -1;
	/*
	 * Neither the waiting parent nor the child keeps a capability, and
	 * the parent's /proc files stay root's whatever suid_dumpable says
	 * (a root scope's parent too).
	 */
	if (pid > 0)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (pid >= 0 && cl_drop_last_capability() < 0) {
		if (pid == 0)
			_exit(CL_EXIT_FAILURE);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/*
 * In the child, in the cgroup, as the scope's user with no capability:
 * dying with clawlock, and the command's folder. 0, or -1 after saying why.
 */
static int sbx_settle(const struct sbx_opts *o, const struct sbx *s, pid_t parent)
{
	const char *workdir = o->workdir ? o->workdir : s->plan.workdir;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		cl_error("cannot set the parent-death signal: %s", strerror(errno));
		return -1;
	}
	if (getppid() != parent) {
		cl_error("clawlock ended before the command started");
		return -1;
	}
	if (chdir(workdir) < 0) {
		cl_error("cannot enter %s: %s", workdir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * CMD's environment: every --env, and every CLAWLOCK_ENV_NAME=VALUE of
 * clawlock's own as NAME=VALUE (so that values stay out of the process
 * list); nothing else of clawlock's.
 */
static int set_command_env(const struct sbx_opts *o)
{
	size_t count, plen = strlen(CL_SANDBOX_ENV_PREFIX);
	char **own = cl_environ_pick(CL_SANDBOX_ENV_PREFIX, true, &count);

	if (!own)
		return -1;
	clearenv();
	/* putenv keeps the strings: they live until exec, as environ's did. */
	for (size_t i = 0; i < count; i++)
		if (own[i][plen] && own[i][plen] != '=')
			putenv(own[i] + plen);
	for (size_t i = 0; i < o->env_count; i++)
		putenv(o->env[i]);
	free(own);
	return 0;
}

/* One field of a request: its length first, so that no two requests run together. */
static void request_field(FILE *f, const char *name, const char *value)
{
	value = value ? value : "";
	fprintf(f, "%s %zu %s\n", name, strlen(value), value);
}

/*
 * The options that change what a call compiles, for the plan's name and
 * fingerprint; NULL when there is no plan to have. The command's own
 * CLAWLOCK_ENV_* count here (a ${VAR} of the config could name one), so
 * that exec's environment and the file tools' each have their plan.
 */
static char *request_text(const struct sbx_opts *o)
{
	extern char **environ;
	char *text = NULL, cwd[PATH_MAX], env[CL_PLAN_DIGEST];
	size_t len = 0, envlen = 0;
	char *envtext = NULL;
	FILE *f, *e;

	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	e = open_memstream(&envtext, &envlen);
	for (char **v = environ; e && *v; v++) {
		if (!strncmp(*v, CL_SANDBOX_ENV_PREFIX, strlen(CL_SANDBOX_ENV_PREFIX)))
			fprintf(e, "%zu %s\n", strlen(*v), *v);
	}
	if (!e || fclose(e) != 0) {
		free(envtext);
		return NULL;
	}
	cl_sha256_hex(envtext, envlen, env, CL_PLAN_DIGEST - 1);
	free(envtext);
	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	request_field(f, "key", o->key);
	request_field(f, "session", o->scope.session);
	request_field(f, "openclaw", o->scope.openclaw);
	request_field(f, "policy", o->scope.policy);
	request_field(f, "cgroup-root", o->scope.cgroup_root);
	request_field(f, "cwd", cwd);
	request_field(f, "command-env", env);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* What the compiled scope enters with, and what its next call needs to know. */
static int sbx_plan_fill(struct sbx *s)
{
	const struct oc_sandbox *sb = &s->c.sb;
	struct cl_sbx_plan *p = &s->plan;

	cl_strlcpy(p->digest, s->digest, sizeof(p->digest));
	p->uid = s->uid;
	p->gid = s->gid;
	p->net_none = !strcmp(sb->network, "none");
	if (cl_plan_set_paths(p, s->slug, s->cgroup, sb->workspace_dir, sb->agent_workspace,
			      sb->sandbox_dir) < 0)
		return -1;
	for (size_t i = 0; i < sb->tmpfs.count; i++) {
		const struct oc_tmpfs_opts *o = &sb->tmpfs_opts[i];
		struct cl_scratch scratch = { .path = sb->tmpfs.items[i],
					      .size = o->size,
					      .read_only = o->read_only,
					      .no_exec = o->no_exec };

		if (cl_plan_add_tmpfs(p, &scratch) < 0)
			return -1;
	}
	return 0;
}

/*
 * Keep the plan for the scope's next call, if nothing it was made from
 * changed while the policy was installed (@made: its fingerprint before).
 * A plan that cannot be kept is removed: the next call compiles, which is
 * slower and never wrong.
 */
static void sbx_plan_keep(const char *request, struct sbx *s, const char *made)
{
	char path[PATH_MAX];

	if (!cl_plan_path(CL_PLANS_DIR, request, path, sizeof(path)))
		return;
	if (s->plan.incomplete || !made[0] ||
	    cl_plan_fingerprint(&s->plan, request, false, s->plan.fingerprint) < 0 ||
	    strcmp(made, s->plan.fingerprint) || cl_plan_write(path, &s->plan) < 0)
		unlink(path);
}

/* sbx_planned's answer when there is no plan to go by. */
#define SBX_COMPILE (-2)

/*
 * The fast way in: the scope's plan still holds, and its policy is still
 * bound. 0 (ready to enter), SBX_COMPILE, or an exit status.
 */
static int sbx_planned(const char *request, struct sbx *s, const char *key)
{
	char path[PATH_MAX], now[CL_PLAN_DIGEST];
	int ret;

	if (!request || !cl_plan_path(CL_PLANS_DIR, request, path, sizeof(path)) ||
	    cl_plan_read(path, &s->plan) < 0 ||
	    cl_plan_fingerprint(&s->plan, request, true, now) < 0 ||
	    strcmp(now, s->plan.fingerprint) ||
	    !cl_strlcpy(s->slug, s->plan.slug, sizeof(s->slug)) ||
	    !cl_format(s->dir, sizeof(s->dir), "%s/%s", CL_SCOPES_DIR, s->slug) ||
	    !cl_strlcpy(s->cgroup, s->plan.cgroup, sizeof(s->cgroup)))
		return SBX_COMPILE;
	cl_strlcpy(s->digest, s->plan.digest, sizeof(s->digest));
	s->uid = s->plan.uid;
	s->gid = s->plan.gid;
	if (sbx_lock(s) < 0 || sbx_sized_scratch(s) < 0)
		return CL_EXIT_FAILURE;
	ret = sbx_ensure_bound(s, false);
	if (ret == SBX_NOT_CURRENT)
		return SBX_COMPILE;
	if (!ret)
		cl_debug("scope %s: its inputs are unchanged: nothing compiled", key);
	return ret;
}

/*
 * The way in that compiles the scope's policy (and installs it if it
 * changed), and keeps a plan for the next call when @request allows one.
 */
static int sbx_compiled(const struct sbx_opts *o, struct sbx *s, const char *request)
{
	struct cl_signed_inputs signed_inputs;
	char made[CL_PLAN_DIGEST] = "";
	int ret;

	/* What the daemon would refuse to apply, no call installs either. */
	cl_daemon_signed_inputs_begin(&signed_inputs);
	cl_plan_record_begin(&s->plan);
	ret = sbx_resolve(o, s);
	cl_plan_record_end();
	cl_signed_inputs_end(); /* a no-op when nothing began */
	if (!ret)
		ret = sbx_identity(s);
	if (!ret)
		ret = sbx_layout(o, s);
	if (!ret && (sbx_digest(s) < 0 || sbx_plan_fill(s) < 0))
		ret = CL_EXIT_FAILURE;
	/* Taken before the install's grace periods, compared after them. */
	if (!ret && request && cl_plan_fingerprint(&s->plan, request, false, made) < 0)
		made[0] = '\0';
	if (!ret && (sbx_lock(s) < 0 || sbx_sized_scratch(s) < 0))
		ret = CL_EXIT_FAILURE;
	if (!ret)
		ret = sbx_ensure_bound(s, true);
	if (!ret && request)
		sbx_plan_keep(request, s, made);
	return ret;
}

/* The signals a caller ends or steers a command with: clawlock passes them on. */
static const int sbx_passed_signals[] = { SIGHUP,  SIGINT,  SIGQUIT,  SIGTERM, SIGUSR1,
					  SIGUSR2, SIGALRM, SIGWINCH, SIGCONT };
static sigset_t sbx_old_mask;

/* The signals clawlock waits for: the passed ones and SIGCHLD. */
static void sbx_wait_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < sizeof(sbx_passed_signals) / sizeof(sbx_passed_signals[0]); i++)
		sigaddset(set, sbx_passed_signals[i]);
}

static int sbx_block_signals(void)
{
	sigset_t set;

	sbx_wait_set(&set);
	if (cl_relay_begin(&set, &sbx_old_mask) < 0) {
		cl_error("cannot block signals: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* End as a command killed by @sig did; 128 + @sig if that signal does not end a process. */
static int sbx_die_like(int sig)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t set;

	/* The command may have dumped core; clawlock has nothing to dump. */
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	return 128 + sig;
}

/*
 * clawlock stays the command's parent, outside the cgroup, with nothing
 * open but the standard streams: it passes on the signals its caller sends
 * to it alone (OpenClaw's kill of a tree sends SIGTERM, then SIGKILL, to
 * the process group clawlock leads, the command's too; a SIGKILL to
 * clawlock alone ends the command by its parent-death signal), and ends as
 * the command did.
 */
static int sbx_wait(pid_t child)
{
	sigset_t set;
	int status;

	sbx_wait_set(&set);
	status = cl_wait_relaying(child, &set);
	if (status < 0) {
		cl_error("cannot wait for the command: %s", strerror(errno));
		return CL_EXIT_FAILURE;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return sbx_die_like(WTERMSIG(status));
}

/* The command, in the child: it never returns. */
static void sbx_run(const struct sbx_opts *o, struct sbx *s, pid_t parent, char **cmd)
{
	int err;

	sigprocmask(SIG_SETMASK, &sbx_old_mask, NULL);
	if (sbx_settle(o, s, parent) < 0)
		_exit(CL_EXIT_FAILURE);
	/* The locks and every other descriptor stay outside: stdin, stdout, stderr only. */
	if (close_range(3, ~0U, 0) < 0) {
		cl_error("cannot close inherited descriptors: %s", strerror(errno));
		_exit(CL_EXIT_FAILURE);
	}
	if (set_command_env(o) < 0)
		_exit(CL_EXIT_FAILURE);
	execvp(cmd[0], cmd);
	err = errno;
	cl_error("cannot execute %s: %s", cmd[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

static int sbx_exec(struct sbx_opts *o, char **cmd)
{
	struct sbx s = { .lock = -1, .writers_lock = -1 };
	pid_t parent = getpid(), child = -1;
	char *request = NULL;
	int ret;

	/*
	 * Signed inputs are verified on every call: a signature removed, or a
	 * key that expired, must be seen even when no byte of the files changed.
	 */
	if (!cl_daemon_requires_signatures())
		request = request_text(o);
	ret = sbx_planned(request, &s, o->key);
	if (ret == SBX_COMPILE) {
		sbx_free(&s);
		ret = sbx_compiled(o, &s, request);
	}
	free(request);
	/* From before the child exists: no signal to pass on is missed. */
	if (!ret && sbx_block_signals() < 0)
		ret = CL_EXIT_FAILURE;
	if (!ret) {
		child = sbx_enter(&s);
		if (child == 0)
			sbx_run(o, &s, parent, cmd);
		if (child < 0)
			ret = CL_EXIT_FAILURE;
	}
	sbx_free(&s);
	if (ret)
		return ret;
	/* The scope's lock goes with them: the scope's next call need not wait. */
	close_range(3, ~0U, 0);
	return sbx_wait(child);
}

/* The slug of KEY: a scope key names itself; a session key needs the config. */
static int key_slug(const struct sbx_opts *o, struct sbx *s)
{
	if (scope_key_prefix(o->key) >= 0 || !strcmp(o->key, "shared")) {
		cl_slugify(o->key, s->slug);
		return 0;
	}
	return sbx_resolve(o, s);
}

/* Kill every process of the cgroup at @path and wait until it is empty. */
static int kill_cgroup(const char *path)
{
	char file[PATH_MAX];
	struct pollfd p = { .events = POLLPRI };
	int fd, ok;

	if (!cl_format(file, sizeof(file), "%s/cgroup.kill", path))
		return -1;
	fd = open(file, O_WRONLY | O_CLOEXEC);
	ok = fd >= 0 && write(fd, "1", 1) == 1;
	if (fd >= 0)
		close(fd);
	if (!ok) {
		cl_error("cannot kill the processes of %s: %s", path, strerror(errno));
		return -1;
	}
	cl_format(file, sizeof(file), "%s/cgroup.events", path);
	p.fd = open(file, O_RDONLY | O_CLOEXEC);
	/* cgroup.events signals POLLPRI when "populated" changes; 100 waits of 100 ms at most. */
	for (int i = 0; p.fd >= 0 && i < 100 && !cl_cgroup_empty(path); i++)
		poll(&p, 1, 100);
	if (p.fd >= 0)
		close(p.fd);
	if (!cl_cgroup_empty(path)) {
		cl_error("processes of %s did not exit; the scope stays bound", path);
		return -1;
	}
	return 0;
}

/* Drop the binding of the (empty) cgroup at @path and remove it. */
static int unbind_cgroup(const char *path)
{
	struct cl_scopes set;
	struct cl_maps maps;
	uint64_t cgid;
	int ret = -1;

	if (cl_cgroup_id(path, &cgid) < 0)
		return -1;
	if (!cl_bpf_loaded())
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	if (cl_maps_open(&maps) < 0)
		return -1;
	if (cl_maps_lock(&maps) == 0 && cl_scopes_read(&maps, &set) == 0) {
		cl_scopes_reuse(&maps, &set);
		cl_scopes_drop(&set, cgid);
		ret = cl_scopes_commit(&maps, &set);
		cl_scopes_free(&set);
	}
	cl_maps_unlock(&maps);
	cl_maps_close(&maps);
	if (!ret && rmdir(path) < 0 && errno != ENOENT) {
		cl_error("cannot remove %s: %s", path, strerror(errno));
		ret = -1;
	}
	return ret;
}

static int sbx_release(const struct sbx_opts *o)
{
	struct sbx s = { .lock = -1, .writers_lock = -1 };
	int ret = key_slug(o, &s);

	if (!ret &&
	    (!cl_format(s.dir, sizeof(s.dir), "%s/%s", CL_SCOPES_DIR, s.slug) ||
	     cl_cgroup_root(o->scope.cgroup_root, s.root, sizeof(s.root)) < 0 ||
	     !cl_format(s.cgroup, sizeof(s.cgroup), "%s/%s", s.root, s.slug) || sbx_lock(&s) < 0))
		ret = CL_EXIT_FAILURE;
	if (!ret && access(s.cgroup, F_OK) == 0 &&
	    (kill_cgroup(s.cgroup) < 0 || unbind_cgroup(s.cgroup) < 0))
		ret = CL_EXIT_FAILURE;
	if (!ret && cl_scope_dir_remove(s.dir) < 0)
		ret = CL_EXIT_FAILURE;
	if (!ret)
		cl_plan_forget(CL_PLANS_DIR, s.slug);
	if (!ret)
		cl_info("released scope %s (%s)", o->key, s.slug);
	sbx_free(&s);
	return ret;
}

static int sbx_describe(const struct sbx_opts *o)
{
	struct sbx s = { .lock = -1, .writers_lock = -1 };
	struct sbx_state st = { 0 };
	char net[PATH_MAX + 8];
	struct stat sb;
	int ret = key_slug(o, &s), exists, running, have_net;

	if (!ret && (!cl_format(s.dir, sizeof(s.dir), "%s/%s", CL_SCOPES_DIR, s.slug) ||
		     cl_cgroup_root(o->scope.cgroup_root, s.root, sizeof(s.root)) < 0 ||
		     !cl_format(s.cgroup, sizeof(s.cgroup), "%s/%s", s.root, s.slug)))
		ret = CL_EXIT_FAILURE;
	if (ret) {
		sbx_free(&s);
		return ret;
	}
	exists = state_read(s.dir, &st) == 0 && access(s.cgroup, F_OK) == 0;
	running = exists && !cl_cgroup_empty(s.cgroup);
	cl_format(net, sizeof(net), "%s/net", s.dir);
	have_net = stat(net, &sb) == 0;
	if (o->json) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "scopeKey", json_object_new_string(o->key));
		json_object_object_add(j, "slug", json_object_new_string(s.slug));
		json_object_object_add(j, "exists", json_object_new_boolean(exists));
		json_object_object_add(j, "running", json_object_new_boolean(running));
		json_object_object_add(j, "cgroup", json_object_new_string(s.cgroup));
		json_object_object_add(j, "state", json_object_new_string(s.dir));
		json_object_object_add(j, "policyDigest", json_object_new_string(st.digest));
		json_object_object_add(j, "networkNamespace", json_object_new_boolean(have_net));
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	} else
		printf("scope %s\n  slug %s\n  exists %s\n  running %s\n  cgroup %s\n  state %s\n"
		       "  policy digest %s\n  network namespace %s\n",
		       o->key, s.slug, exists ? "yes" : "no", running ? "yes" : "no", s.cgroup,
		       s.dir, st.digest[0] ? st.digest : "-", have_net ? "private" : "-");
	sbx_free(&s);
	return 0;
}

int cl_cmd_sandbox(int argc, char **argv)
{
	struct sbx_opts o = { 0 };
	const char *verb = argc > 1 ? argv[1] : "";
	char *env[argc + 1];
	int ret;

	o.env = env;
	if (!strcmp(verb, "--help") || !strcmp(verb, "-h") || !strcmp(verb, "help")) {
		fputs(sandbox_help, stdout);
		return CL_EXIT_OK;
	}
	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	if (!o.key && optind < argc && strcmp(verb, "exec"))
		o.key = argv[optind++];
	if (!o.key || strlen(o.key) >= CL_SESSION_MAX) {
		cl_error("sandbox %s: give the scope key (see --help)", verb);
		return CL_EXIT_USAGE;
	}
	if (!strcmp(verb, "exec") && optind < argc)
		return sbx_exec(&o, argv + optind);
	if (optind < argc || !strcmp(verb, "exec")) {
		cl_error("sandbox %s: %s (see --help)", verb,
			 optind < argc ? "unexpected arguments" : "no command given after --");
		return CL_EXIT_USAGE;
	}
	if (!strcmp(verb, "describe"))
		return sbx_describe(&o);
	if (!strcmp(verb, "release"))
		return sbx_release(&o);
	cl_error("sandbox: say exec, describe or release (see --help)");
	return CL_EXIT_USAGE;
}
