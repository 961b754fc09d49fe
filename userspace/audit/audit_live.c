// SPDX-License-Identifier: GPL-2.0
/*
 * audit_live.c - clawlock audit --deep: what the config says checked
 * against what the kernel does. BPF LSM active, every program still
 * attached through its link, the pins closed to others, the live policy
 * equal to the config's, a probe started in every sandboxed scope that
 * tries what no policy may let through, and every running container of
 * OpenClaw's bound.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <json-c/json.h>

#include "loader/apply.h"
#include "audit/audit_live.h"
#include "containers/bind.h"
#include "containers/engine.h"
#include "loader/bpfstate.h"
#include "loader/cgroup.h"
#include "events/daemon_state.h"
#include "loader/scopes.h"
#include "util.h"

/* The address every cloud's instance metadata answers on (credentials). */
#define METADATA_ADDR "169.254.169.254"

struct deep {
	void *audit;
	cl_finding_fn finding;
};

static void say(struct deep *d, const char *id, const char *severity, const char *title,
		const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void say(struct deep *d, const char *id, const char *severity, const char *title,
		const char *fix, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	d->finding(d->audit, id, severity, title, detail, fix);
}

/* prog_NAME pinned without a link_NAME holding it attached. */
static void check_links(struct deep *d)
{
	DIR *dir = opendir(CL_PIN_ROOT);
	struct dirent *ent;
	int progs = 0;

	if (!dir)
		return;
	while ((ent = readdir(dir))) {
		char path[PATH_MAX];
		struct bpf_link_info info = { 0 };
		__u32 len = sizeof(info);
		int fd;

		if (strncmp(ent->d_name, "prog_", 5))
			continue;
		progs++;
		snprintf(path, sizeof(path), "%s/link_%s", CL_PIN_ROOT, ent->d_name + 5);
		fd = bpf_obj_get(path);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) || !info.prog_id)
			say(d, "live.program_detached", "critical",
			    "A clawlock program is detached",
			    "reload: clawlock unload && clawlock load && clawlock apply",
			    "%s has no link attaching it (%s): the hook it guards is open",
			    ent->d_name + 5, fd < 0 ? strerror(errno) : "link without a program");
		if (fd >= 0)
			close(fd);
	}
	closedir(dir);
	if (!progs)
		say(d, "live.no_programs", "critical", "No clawlock program is pinned",
		    "clawlock load", "%s holds no programs", CL_PIN_ROOT);
}

/* Pins any other user could open or replace. */
static void check_pin_modes(struct deep *d)
{
	DIR *dir = opendir(CL_PIN_ROOT);
	struct dirent *ent;
	struct stat st;
	char path[PATH_MAX];

	if (stat(CL_PIN_ROOT, &st) == 0 && ((st.st_mode & 077) || st.st_uid != 0))
		say(d, "live.pins_loose", "warn", "clawlock's pin folder is open to others",
		    "chown root " CL_PIN_ROOT " && chmod 700 " CL_PIN_ROOT,
		    "%s is mode %03o, owner %u", CL_PIN_ROOT, st.st_mode & 0777, st.st_uid);
	while (dir && (ent = readdir(dir))) {
		if (ent->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", CL_PIN_ROOT, ent->d_name);
		if (stat(path, &st) == 0 && ((st.st_mode & 077) || st.st_uid != 0))
			say(d, "live.pins_loose", "warn", "A clawlock pin is open to others",
			    "chmod 600 the pin, or reload clawlock", "%s is mode %03o, owner %u",
			    path, st.st_mode & 0777, st.st_uid);
	}
	if (dir)
		closedir(dir);
}

static void report_diff(void *data, const struct cl_scope *scope, const char *why)
{
	say(data, "live.policy_differs", "warn", "The live policy differs from the config",
	    "clawlock apply (or run the daemon, which applies every change)",
	    "scope %s (agent %s%s%s): %s", scope->info.cgroup, scope->info.agent,
	    scope->info.session[0] ? ", session " : "", scope->info.session, why);
}

static void report_unbound(void *data, const char *agent, const char *cgroup)
{
	say(data, "live.binding_missing", "critical", "A sandboxed scope has no binding",
	    "clawlock apply, and find out what removed it",
	    "the config sandboxes agent %s, and its scope %s exists, but no binding confines "
	    "it: its processes run unconfined",
	    agent, cgroup);
}

struct record_scan {
	struct deep *d;
	int bindings; /* the cl_bindings map */
	uint32_t slot;
};

/* A scope record (cl_scope_info) whose cgroup is there but not bound. */
static int check_record(const void *key, const void *value, void *ctx)
{
	const struct cl_scope_info *info = value;
	struct record_scan *scan = ctx;
	struct cl_binding_key k = { .slot = scan->slot };
	struct cl_binding b;

	memcpy(&k.cgroup_id, key, sizeof(k.cgroup_id));
	if (!bpf_map_lookup_elem(scan->bindings, &k, &b))
		return 0;
	/* A cgroup that is gone has nobody left to confine. */
	if (!info->cgroup[0] || access(info->cgroup, F_OK))
		return 0;
	say(scan->d, "live.binding_missing", "critical", "A sandboxed scope has no binding",
	    "clawlock apply, and find out what removed it",
	    "scope %s (agent %s%s%s) is recorded but no binding confines it: its processes "
	    "run unconfined",
	    info->cgroup, info->agent, info->session[0] ? ", session " : "", info->session);
	return 0;
}

/* Under the update lock, so that an apply half done is not taken for a removal. */
static void check_records(struct deep *d, struct cl_maps *maps)
{
	struct record_scan scan = { .d = d };

	/* The lock may open the maps again (an upgrade): read them after it. */
	if (cl_maps_lock(maps) < 0)
		return;
	scan.bindings = maps->bindings;
	scan.slot = cl_generation(maps) & 1;
	if (cl_map_scan(maps->scope_info, 1, check_record, &scan) < 0)
		say(d, "live.records_unreadable", "warn", "The scope records could not be read",
		    NULL, "%s", strerror(errno));
	cl_maps_unlock(maps);
}

/* Probe results, as errno values (0: it got through). */
struct probe {
	int read_secret;
	int metadata;
	int setuid_exec;
};

/* The first set-uid binary of a few every Debian host has. */
static const char *setuid_binary(void)
{
	static const char *const candidates[] = { "/usr/bin/passwd", "/usr/bin/su", "/usr/bin/chfn",
						  "/usr/bin/mount", NULL };
	struct stat st;

	for (int i = 0; candidates[i]; i++) {
		if (stat(candidates[i], &st) == 0 && (st.st_mode & S_ISUID))
			return candidates[i];
	}
	return NULL;
}

static int try_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* 0 if the policy let the connect through (no route: ENETUNREACH counts). */
static int try_metadata(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(80) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), err;

	if (fd < 0)
		return errno;
	inet_pton(AF_INET, METADATA_ADDR, &sin.sin_addr);
	err = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ? errno : 0;
	close(fd);
	return err == EACCES || err == EPERM ? err : 0;
}

/*
 * As nobody, exec a set-uid binary: a credential change no sandbox may make.
 * A successful exec closes the close-on-exec pipe without a word.
 */
static int try_setuid_exec(const char *binary)
{
	int pipefd[2], err = 0, status;
	pid_t pid;

	if (!binary || pipe2(pipefd, O_CLOEXEC) < 0)
		return ENOENT;
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)binary, "--help", NULL };
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
		if (setgid(65534) == 0 && setuid(65534) == 0)
			execv(binary, argv);
		err = errno;
		(void)!write(pipefd[1], &err, sizeof(err));
		_exit(1);
	}
	close(pipefd[1]);
	if (pid < 0 || read(pipefd[0], &err, sizeof(err)) != sizeof(err))
		err = 0; /* the exec went through */
	close(pipefd[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return err;
}

/* Inside the scope: run the probes, send the results up the pipe. */
static void probe_child(const char *cgroup, int out, const char *secret, const char *binary)
{
	struct probe p;

	/* Nothing of clawlock's (map descriptors) may enter the sandbox. */
	for (int fd = 3; fd < 1024; fd++) {
		if (fd != out)
			close(fd);
	}
	if (cl_cgroup_enter(cgroup) < 0)
		_exit(2);
	p.read_secret = try_read(secret);
	p.metadata = try_metadata();
	p.setuid_exec = try_setuid_exec(binary);
	_exit(write(out, &p, sizeof(p)) == sizeof(p) ? 0 : 3);
}

static int run_probe(const char *cgroup, const char *secret, const char *binary, struct probe *p)
{
	int pipefd[2], status;
	pid_t pid;

	if (pipe(pipefd) < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		probe_child(cgroup, pipefd[1], secret, binary);
	close(pipefd[1]);
	status = pid > 0 && read(pipefd[0], p, sizeof(*p)) == sizeof(*p) ? 0 : -1;
	close(pipefd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return status;
}

static void probe_scope(struct deep *d, const struct cl_scope *scope, const char *binary)
{
	static const char secret[] = "/etc/shadow";
	const char *audit = scope->binding.mode == CL_MODE_AUDIT ? " (the scope audits only)" : "";
	const char *severity = *audit ? "warn" : "critical";
	struct probe p;

	if (run_probe(scope->info.cgroup, secret, binary, &p) < 0) {
		say(d, "live.probe_failed", "warn", "A scope could not be probed", NULL,
		    "scope %s (agent %s): the probe did not run", scope->info.cgroup,
		    scope->info.agent);
		return;
	}
	if (!p.read_secret)
		say(d, "live.probe_read_secret", severity, "A sandbox read a secret",
		    "deny the path (the baseline's secrets profile does) and apply",
		    "a probe in scope %s (agent %s) read %s%s", scope->info.cgroup,
		    scope->info.agent, secret, audit);
	if (!p.metadata)
		say(d, "live.probe_metadata", severity, "A sandbox can reach the metadata address",
		    "deny " METADATA_ADDR " (169.254.0.0/16) in the agent's network rules",
		    "a probe in scope %s (agent %s) got a connect to " METADATA_ADDR
		    ":80 past the policy%s",
		    scope->info.cgroup, scope->info.agent, audit);
	if (!p.setuid_exec)
		say(d, "live.probe_setuid", severity, "A sandbox ran a set-uid binary", NULL,
		    "a probe in scope %s (agent %s) ran %s as nobody, gaining its owner's rights%s",
		    scope->info.cgroup, scope->info.agent, binary, audit);
}

static void probe_scopes(struct deep *d)
{
	const char *binary = setuid_binary();
	struct cl_scopes set;
	struct cl_maps maps;
	size_t probed = 0;

	if (cl_maps_open(&maps) < 0)
		return;
	check_records(d, &maps);
	if (cl_scopes_read(&maps, &set) == 0) {
		for (size_t i = 0; i < set.count; i++) {
			/* A scope whose cgroup is gone has nothing left to probe. */
			if (!set.items[i].info.cgroup[0] || access(set.items[i].info.cgroup, F_OK))
				continue;
			probe_scope(d, &set.items[i], binary);
			probed++;
		}
		cl_scopes_free(&set);
	}
	cl_maps_close(&maps);
	say(d, "live.probed", "info", "Scopes probed", NULL,
	    "%zu scopes tried a secret read, the metadata address and a set-uid exec (%s)", probed,
	    binary ? binary : "no set-uid binary found");
}

/* A change the daemon refused for its signature: the config on disk is not what runs. */
static void check_signed_policy(struct deep *d)
{
	struct cl_daemon_info daemon;
	struct json_object *sig, *why;

	if (cl_daemon_running(&daemon) <= 0)
		return;
	sig = cl_daemon_signed_policy();
	if (sig && json_object_object_get_ex(sig, "refused", &why) && why)
		say(d, "live.signature_refused", "critical",
		    "The daemon refused a policy change: its signature did not verify",
		    "sign the change with a listed key (ssh-keygen -Y sign -n clawlock), or "
		    "restore the signed file",
		    "%s; the live policy is the last one whose signatures verified",
		    json_object_get_string(why));
	json_object_put(sig);
}

/* Is container @ct's cgroup bound in @set? -1 when it cannot be told (its init gone). */
static int container_bound(const struct cl_container *ct, struct cl_scopes *set)
{
	char rel[PATH_MAX], path[PATH_MAX + 64], mount[PATH_MAX];
	uint64_t cgid;

	if (cl_container_cgroup(ct->pid, rel, sizeof(rel)) < 0 ||
	    cl_cgroup_mount(mount, sizeof(mount)) < 0 ||
	    !cl_format(path, sizeof(path), "%s%s", mount, rel) || cl_cgroup_id(path, &cgid) < 0)
		return -1;
	return cl_scopes_find(set, cgid) != NULL;
}

static void check_one_container(struct deep *d, const struct cl_engine *e, const char *id,
				struct cl_scopes *set, size_t *seen)
{
	struct cl_container ct;
	char err[512];

	if (cl_engine_inspect(e, id, &ct, err, sizeof(err)) < 0 || !ct.pid)
		return;
	++*seen;
	if (container_bound(&ct, set) == 0)
		say(d, "live.container_unbound", "critical",
		    "A container of OpenClaw's runs unconfined",
		    "run the daemon with --containers (see Documentation/operations.md)",
		    "%s container %.12s (%s, scope key %s) has no binding: its processes run "
		    "without clawlock's rules",
		    e->name, ct.id, ct.name, ct.scope_key[0] ? ct.scope_key : "none");
}

/* Every running container OpenClaw labelled must be bound (the daemon's --containers). */
static void check_containers(struct deep *d)
{
	struct cl_container *list = NULL;
	struct cl_engine e;
	struct cl_scopes set;
	struct cl_maps maps;
	size_t count = 0, seen = 0;
	char err[512];

	if (cl_engine_locate("auto", NULL, &e, err, sizeof(err)) < 0 || access(e.socket, F_OK))
		return; /* no engine on this host */
	if (cl_engine_list(&e, &list, &count, err, sizeof(err)) < 0) {
		say(d, "live.containers_unchecked", "warn", "Containers could not be checked", NULL,
		    "%s", err);
		return;
	}
	if (count && cl_maps_open(&maps) == 0) {
		if (cl_scopes_read(&maps, &set) == 0) {
			for (size_t i = 0; i < count; i++)
				check_one_container(d, &e, list[i].id, &set, &seen);
			cl_scopes_free(&set);
		}
		cl_maps_close(&maps);
	}
	free(list);
	say(d, "live.containers_checked", "info", "OpenClaw's containers checked", NULL,
	    "%zu running container%s of OpenClaw's on %s (%s)", seen, seen == 1 ? "" : "s", e.name,
	    e.socket);
}

void cl_audit_deep(void *audit, cl_finding_fn finding, const char *openclaw, const char *policy)
{
	struct deep d = { .audit = audit, .finding = finding };
	struct cl_diff_report report = { report_diff, report_unbound, &d };
	char why[640];
	int loaded;

	if (cl_bpf_lsm_check(why, sizeof(why)) < 0) {
		say(&d, "live.bpf_lsm_inactive", "critical", "BPF LSM is not active",
		    "boot with lsm=...,bpf (see Documentation/operations.md)", "%s", why);
		return;
	}
	loaded = cl_bpf_presence(why, sizeof(why));
	if (loaded < 0) {
		say(&d, "live.cannot_check", "critical", "The live kernel cannot be checked",
		    "run audit --deep as root", "%s", why);
		return;
	}
	if (!loaded) {
		say(&d, "live.not_loaded", "critical", "clawlock is not loaded", "clawlock load",
		    "nothing is pinned under %s: no sandbox is enforced", CL_PIN_ROOT);
		return;
	}
	check_links(&d);
	check_pin_modes(&d);
	check_signed_policy(&d);
	if ((openclaw || policy) && cl_apply_diff(openclaw, policy, &report) < 0)
		say(&d, "live.config_unreadable", "warn", "The config to compare with did not load",
		    NULL, "%s: see the error above", openclaw ? openclaw : policy);
	probe_scopes(&d);
	check_containers(&d);
}
