// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_daemon.c - clawlock daemon: keeps a host's scopes in step with its
 * config and writes the denial stream to its sinks.
 *
 * Enforcement never depends on it: programs, links and maps are pinned, so
 * a daemon killed with SIGKILL leaves every rule in force, and a new one
 * adopts the pinned state (loading only when nothing is pinned). One epoll
 * loop waits on the ring buffer, inotify on every name on the way to every
 * file the last apply read (daemon_watch.c; a change is applied once the
 * files have been quiet for a moment: editors write in steps), rtnetlink
 * address changes when a rule names an interface, a signalfd (SIGTERM/
 * SIGINT stop, SIGHUP reopens the log file for logrotate) and a one-second
 * tick that reports dropped and unwritten records.
 *
 * One daemon at a time: it holds CL_DAEMON_LOCK_PATH with flock, and a
 * second daemon or a manual apply refuses, naming it. Each record goes to a
 * sink in one write() of a whole line; a record a sink could not take is
 * counted, said in that sink once it takes records again, and never left
 * as a partial line.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sys/capability.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include <json-c/json.h>

#include "loader/apply.h"
#include "loader/bpfstate.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "containers/follow.h"
#include "events/daemon_state.h"
#include "events/daemon_watch.h"
#include "events/events.h"
#include "policy/ifaddr.h"
#include "policy/json5.h"
#include "policy/policy.h"
#include "policy/signature.h"
#include "util.h"

static const char daemon_help[] =
	"Usage: clawlock daemon [--openclaw FILE] [--policy FILE] [--cgroup-root DIR]\n"
	"                       [--log FILE] [--syslog] [--stdout]\n"
	"                       [--allowed-signers FILE [--signed-openclaw]]\n"
	"                       [--containers ENGINE [--engine-socket PATH]\n"
	"                        [--unmatched deny|report]]\n"
	"\n"
	"Run in the foreground (systemd: Type=simple; see\n"
	"systemd/clawlock.service) and keep the host in step with its\n"
	"config:\n"
	"\n"
	"  - load clawlock if nothing is pinned, else adopt what is pinned;\n"
	"  - apply the config at start, and again whenever a config file changes\n"
	"    (a bad config is reported and the live policy stays), and, when a\n"
	"    network rule names an interface (if:NAME), whenever an interface\n"
	"    address changes;\n"
	"  - write every denial and audit record, and every count of dropped ones,\n"
	"    as one JSON line to each sink;\n"
	"  - give up every capability it no longer needs once started.\n"
	"\n"
	"Enforcement does not depend on the daemon: kill it and the rules hold;\n"
	"start it again and it carries on. It consumes the event stream, so\n"
	"'clawlock events' sees only what the daemon did not read first.\n"
	"\n"
	"  -c, --openclaw FILE     OpenClaw's config to apply and watch\n"
	"  -p, --policy FILE       clawlock policy file (overlay with --openclaw)\n"
	"                          without either: the config last applied\n"
	"      --cgroup-root DIR   where scope cgroups live\n"
	"  -l, --log FILE          append records to FILE (created 0600); reopened\n"
	"                          on SIGHUP\n"
	"      --syslog            send records to syslog (authpriv, warning)\n"
	"      --stdout            write records to standard output\n"
	"                          (the default when no sink is named)\n"
	"      --allowed-signers FILE\n"
	"                          signed policy: the policy file and its includes\n"
	"                          (not the installed baseline) must each carry a\n"
	"                          detached signature FILE.sig by a key of FILE, an\n"
	"                          OpenSSH allowed-signers file, made with\n"
	"                          'ssh-keygen -Y sign -n clawlock -f KEY FILE'\n"
	"      --signed-openclaw   OpenClaw's config and its $includes too\n"
	"      --containers ENGINE docker, podman or auto: find OpenClaw's containers\n"
	"                          (labels openclaw.sandbox=1, openclaw.sandboxBrowser=1,\n"
	"                          openclaw.fleet.tenant) through the engine's API,\n"
	"                          follow its events, and bind each container's cgroup\n"
	"                          to the policy of its scope (openclaw.sessionKey),\n"
	"                          resolved in the container's own tree\n"
	"      --engine-socket PATH\n"
	"                          the engine's API socket [default: /var/run/docker.sock,\n"
	"                          /run/podman/podman.sock for podman]\n"
	"      --unmatched deny|report\n"
	"                          a container whose scope the config does not sandbox:\n"
	"                          bound to a policy that denies everything (deny, the\n"
	"                          default), or the same in audit mode (report)\n"
	"\n"
	"With --containers, the daemon reconnects to an engine that went away\n"
	"(with backoff, saying so), binds every running container again when it\n"
	"answers and after every config change, and drops the bindings of\n"
	"containers gone. Each binding is a record (decision \"container\").\n"
	"\n"
	"With --allowed-signers, each apply checks the signature of the very bytes\n"
	"it then parses. An unsigned, badly signed or changed file is refused: the\n"
	"live policy stays, the refusal is a record (decision \"error\"), and\n"
	"'clawlock status' and 'clawlock audit --deep' show it until a signed\n"
	"change applies.\n"
	"\n"
	"One daemon runs at a time, and while it runs it owns the live policy:\n"
	"a second daemon and 'clawlock apply' refuse and name it (pid, config).\n"
	"Errors met while applying are records too (decision \"error\"); records\n"
	"a sink could not take are counted (eventsUnwritten in status) and said\n"
	"in that sink (decision \"dropped\", unwritten) once it takes them again.\n"
	"\n"
	"Signals: SIGTERM or SIGINT stop it cleanly (the rules stay); SIGHUP\n"
	"reopens the log file. Exit status: 0 after a clean stop, 1 if it could\n"
	"not start, 2 on bad usage or a config that does not load at start.\n";

/* Where records go, one whole line per write(). */
struct sink {
	const char *name;
	int fd; /* -1: not in use */
	int append;
	int cut;	      /* a partial line could not be taken back: end it first */
	long long unreported; /* records it lost, not yet said in it */
};

struct daemon {
	const char *openclaw;
	const char *policy;
	const char *cgroup_root;
	const char *log_path;
	int use_syslog;
	int use_stdout;
	struct sink log, out;
	int epoll, signals, tick, settle, lock;
	struct cl_watch *watch;
	char **read;
	size_t read_count; /* the files the apply under way read */
	char config[8300]; /* the config, as the lock file and records name it */
	char host[256];
	struct events_ctx *events;
	struct nl_sock *addr_watch; /* when a rule names an interface */
	bool interface_rules;	    /* an apply loaded such a rule */
	long long unwritten;	    /* since boot, as status reports it */
	int state_dirty;
	const char *containers;	   /* the engine to follow; NULL: none */
	const char *engine_socket; /* its API socket; NULL: the usual one */
	const char *unmatched;
	struct cl_follow *follow;
	struct cl_signed_inputs signed_inputs; /* allowed_signers NULL: not required */
	char signers_path[PATH_MAX];
	char sig_refused[1024];	  /* the last refusal, until a signed apply */
	long long sig_refused_at; /* its time, seconds since the epoch */
};

/* What the options leave to be checked or defaulted once all are read. */
static int check_daemon_opts(int argc, char **argv, struct daemon *d)
{
	if (optind < argc) {
		cl_error("daemon: unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	if (!d->log_path && !d->use_syslog)
		d->use_stdout = 1;
	if (d->unmatched && strcmp(d->unmatched, "deny") && strcmp(d->unmatched, "report")) {
		cl_error("daemon: --unmatched takes deny or report, not '%s'", d->unmatched);
		return -1;
	}
	if ((d->engine_socket || d->unmatched) && !d->containers) {
		cl_error("daemon: --engine-socket and --unmatched need --containers ENGINE");
		return -1;
	}
	if (d->signed_inputs.openclaw_too && !d->signed_inputs.allowed_signers) {
		cl_error("daemon: --signed-openclaw needs --allowed-signers FILE");
		return -1;
	}
	return 0;
}

/* Absolute: other commands read it from the state file. */
static int set_signers(const struct cl_opt *opt, char *arg)
{
	struct daemon *d = opt->dest;

	d->signed_inputs.allowed_signers = realpath(arg, d->signers_path) ? d->signers_path : arg;
	return 0;
}

static int parse_daemon_opts(int argc, char **argv, struct daemon *d)
{
	struct cl_opt opts[] = {
		CL_OPT_STRING("openclaw", 'c', &d->openclaw),
		CL_OPT_STRING("policy", 'p', &d->policy),
		CL_OPT_STRING("cgroup-root", 0, &d->cgroup_root),
		CL_OPT_STRING("log", 'l', &d->log_path),
		CL_OPT_FLAG("syslog", 0, &d->use_syslog),
		CL_OPT_FLAG("stdout", 0, &d->use_stdout),
		CL_OPT_CALL("allowed-signers", 0, set_signers, d),
		CL_OPT_BOOL("signed-openclaw", 0, &d->signed_inputs.openclaw_too),
		CL_OPT_STRING("containers", 0, &d->containers),
		CL_OPT_STRING("engine-socket", 0, &d->engine_socket),
		CL_OPT_STRING("unmatched", 0, &d->unmatched),
		CL_OPT_END,
	};
	int ret = cl_opts_parse(argc, argv, opts, daemon_help);

	return ret ? ret : check_daemon_opts(argc, argv, d);
}

/* Without a config named: the one last applied, if any. */
static int adopt_applied_config(struct daemon *d)
{
	static struct cl_applied applied;

	if (d->openclaw || d->policy || cl_applied_config(&applied) < 0)
		return 0;
	d->openclaw = applied.openclaw[0] ? applied.openclaw : NULL;
	d->policy = applied.policy[0] ? applied.policy : NULL;
	cl_info("following the config last applied (%s)", CL_APPLIED_PATH);
	return 0;
}

static int open_log(struct daemon *d)
{
	int fd;

	if (!d->log_path)
		return 0;
	/* It names every path the agents touched: root's alone unless the admin shares it. */
	fd = open(d->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		cl_error("cannot open the log %s: %s", d->log_path, strerror(errno));
		return -1;
	}
	if (d->log.fd >= 0)
		close(d->log.fd);
	d->log.fd = fd;
	d->log.append = 1;
	d->log.cut = 0;
	return 0;
}

/*
 * One whole line in one write(). A short write (a full disk) is cut back
 * to where the line began, so that no partial record is glued to the
 * next; where that cannot be done, the next write starts a new line.
 */
static int sink_write(struct sink *s, const char *line, size_t len)
{
	off_t start;
	ssize_t n;

	if (s->cut) {
		if (write(s->fd, "\n", 1) != 1)
			return -1;
		s->cut = 0;
	}
	start = lseek(s->fd, 0, s->append ? SEEK_END : SEEK_CUR);
	n = write(s->fd, line, len);
	if (n == (ssize_t)len)
		return 0;
	if (n > 0 && (start < 0 || ftruncate(s->fd, start) < 0))
		s->cut = 1;
	if (n >= 0)
		errno = ENOSPC;
	return -1;
}

static int sink_write_record(struct sink *s, struct json_object *record)
{
	const char *json = json_object_to_json_string_ext(
		record, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(json);
	char *line = malloc(len + 1);
	int ret = -1;

	if (line) {
		memcpy(line, json, len);
		line[len] = '\n';
		ret = sink_write(s, line, len + 1);
		free(line);
	}
	return ret;
}

/* time, host and decision: how every record starts. */
static struct json_object *new_record(const struct daemon *d, const char *decision)
{
	struct json_object *obj = json_object_new_object();
	char when[64];

	cl_event_time_now(when, sizeof(when));
	json_object_object_add(obj, "time", json_object_new_string(when));
	json_object_object_add(obj, "host", json_object_new_string(d->host));
	json_object_object_add(obj, "decision", json_object_new_string(decision));
	return obj;
}

/* Say in @s how many records it lost, once it takes records again. */
static void say_unwritten(struct daemon *d, struct sink *s)
{
	struct json_object *obj = new_record(d, "dropped");

	json_object_object_add(obj, "rateLimited", json_object_new_int64(0));
	json_object_object_add(obj, "ringFull", json_object_new_int64(0));
	json_object_object_add(obj, "unwritten", json_object_new_int64(s->unreported));
	json_object_object_add(obj, "sink", json_object_new_string(s->name));
	if (sink_write_record(s, obj) == 0) {
		cl_info("%s takes records again; %lld were lost", s->name, s->unreported);
		s->unreported = 0;
	}
	json_object_put(obj);
}

static void sink_put(struct daemon *d, struct sink *s, struct json_object *record)
{
	if (s->fd < 0)
		return;
	if (s->unreported)
		say_unwritten(d, s);
	if (sink_write_record(s, record) == 0)
		return;
	if (!s->unreported++)
		cl_warn("cannot write a record to %s: %s; counting the records lost", s->name,
			strerror(errno));
	d->unwritten++;
	d->state_dirty = 1;
}

/* One record to every sink. */
static int write_record(struct json_object *record, void *data)
{
	struct daemon *d = data;

	sink_put(d, &d->out, record);
	sink_put(d, &d->log, record);
	if (d->use_syslog)
		syslog(LOG_AUTHPRIV | LOG_WARNING, "%s",
		       json_object_to_json_string_ext(
			       record, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

static void arm_timer(int fd, long long first_ms, long long every_ms)
{
	struct itimerspec its = {
		.it_value = { first_ms / 1000, (first_ms % 1000) * 1000000 },
		.it_interval = { every_ms / 1000, (every_ms % 1000) * 1000000 },
	};

	timerfd_settime(fd, 0, &its, NULL);
}

/* json5's read hook: remember each file the apply under way reads. */
static void note_one(struct daemon *d, const char *path)
{
	char **bigger;

	for (size_t i = 0; i < d->read_count; i++) {
		if (!strcmp(d->read[i], path))
			return;
	}
	bigger = realloc(d->read, (d->read_count + 1) * sizeof(*bigger));
	if (!bigger)
		return;
	d->read = bigger;
	d->read[d->read_count] = strdup(path);
	d->read_count += d->read[d->read_count] != NULL;
}

/* A file the apply read; with signed policy its signature too, so a new one is seen. */
static void note_read(const char *path, void *data)
{
	struct daemon *d = data;
	char sig[PATH_MAX + 8];

	note_one(d, path);
	if (d->signed_inputs.allowed_signers && cl_format(sig, sizeof(sig), "%s.sig", path))
		note_one(d, sig);
}

static void forget_reads(struct daemon *d)
{
	for (size_t i = 0; i < d->read_count; i++)
		free(d->read[i]);
	free(d->read);
	d->read = NULL;
	d->read_count = 0;
}

/* From now on watch what this apply read, and the config files named, whatever came of it. */
static void rewatch(struct daemon *d)
{
	if (!d->openclaw && !d->policy)
		return;
	if (d->openclaw)
		note_read(d->openclaw, d);
	if (d->policy)
		note_read(d->policy, d);
	if (cl_watch_set(d->watch, d->read, d->read_count) < 0)
		cl_warn("cannot watch the config: changes to it are not followed");
	forget_reads(d);
}

/* While a daemon applies: that daemon, and the printer its own wraps. */
static struct daemon *applying;
static cl_print_fn print_before;

/*
 * cl_error and cl_warn while applying: into the stream as well as stderr.
 * A message that writing the record causes goes to stderr only.
 */
static void apply_print(enum cl_print_level level, const char *msg)
{
	static bool in_record;
	struct json_object *obj;

	if (print_before)
		print_before(level, msg);
	if (level > CL_PRINT_WARN || in_record)
		return;
	in_record = true;
	obj = new_record(applying, level == CL_PRINT_ERROR ? "error" : "warning");
	json_object_object_add(obj, "op", json_object_new_string("apply"));
	cl_json_add_bytes(obj, "config", applying->config);
	cl_json_add_bytes(obj, "message", msg);
	write_record(obj, applying);
	json_object_put(obj);
	in_record = false;
}

static void save_state(struct daemon *d);

/* A container bound: a record, and a line in the log. */
static void container_bound(void *data, const struct cl_container *ct,
			    const struct cl_container_bound *how, long long window_ns)
{
	struct daemon *d = data;
	struct json_object *obj = new_record(d, "container");

	json_object_object_add(obj, "op", json_object_new_string("bind"));
	json_object_object_add(obj, "container", json_object_new_string(ct->id));
	cl_json_add_bytes(obj, "name", ct->name);
	cl_json_add_bytes(obj, "scopeKey", ct->scope_key);
	if (ct->tenant[0])
		cl_json_add_bytes(obj, "tenant", ct->tenant);
	cl_json_add_bytes(obj, "agent", how->agent);
	cl_json_add_bytes(obj, "cgroup", how->cgroup);
	json_object_object_add(obj, "policy", json_object_new_int64(how->policy));
	json_object_object_add(obj, "matched", json_object_new_boolean(how->matched));
	if (how->why[0])
		cl_json_add_bytes(obj, "why", how->why);
	if (window_ns)
		json_object_object_add(obj, "windowMs",
				       json_object_new_double(window_ns / 1000000.0));
	write_record(obj, d);
	json_object_put(obj);
	if (how->matched)
		cl_info("containers: %.12s (%s) bound to agent %s's policy %u%s", ct->id, ct->name,
			how->agent, how->policy, window_ns ? "" : " (resync)");
	else
		cl_warn("containers: %.12s (%s) bound to the deny-everything policy%s: %s", ct->id,
			ct->name, d->unmatched && !strcmp(d->unmatched, "report") ? " (audit)" : "",
			how->why);
}

static void container_said(void *data, int error, const char *text)
{
	struct daemon *d = data;
	struct json_object *obj;

	if (!error) {
		cl_info("%s", text);
		return;
	}
	cl_warn("%s", text);
	obj = new_record(d, "error");
	json_object_object_add(obj, "op", json_object_new_string("containers"));
	cl_json_add_bytes(obj, "message", text);
	write_record(obj, d);
	json_object_put(obj);
}

/*
 * The engine's news, or the tick. With signed policy the config the binder
 * reads is checked as apply checks it: refused, it does not load, and every
 * container is bound to the policy that denies everything.
 */
static void follow_news(struct daemon *d, bool tick)
{
	if (d->signed_inputs.allowed_signers)
		cl_signed_inputs_begin(&d->signed_inputs);
	if (tick)
		cl_follow_tick(d->follow, d->openclaw, d->policy);
	else
		cl_follow_handle(d->follow, d->openclaw, d->policy);
	cl_signed_inputs_end();
}

static int follow_containers(struct daemon *d)
{
	struct cl_follow_report report = {
		.bound = container_bound,
		.said = container_said,
		.data = d,
	};
	enum cl_unmatched unmatched = d->unmatched && !strcmp(d->unmatched, "report")
					      ? CL_UNMATCHED_REPORT
					      : CL_UNMATCHED_DENY;

	if (!d->containers)
		return 0;
	d->follow = cl_follow_start(d->containers, d->engine_socket, unmatched, &report);
	return d->follow ? 0 : -1;
}

/*
 * What status and audit --deep show of signed policy: the last refusal
 * stays until an apply whose inputs were all signed succeeds.
 */
static void note_signatures(struct daemon *d, int ret)
{
	if (!d->signed_inputs.allowed_signers)
		return;
	if (d->signed_inputs.refused[0]) {
		cl_strlcpy(d->sig_refused, d->signed_inputs.refused, sizeof(d->sig_refused));
		d->sig_refused_at = time(NULL);
	} else if (!ret) {
		d->sig_refused[0] = '\0';
		d->sig_refused_at = 0;
		cl_info("signed policy: %d file%s verified", d->signed_inputs.verified,
			d->signed_inputs.verified == 1 ? "" : "s");
	}
	d->state_dirty = 1;
	save_state(d);
}

/* Apply the config (an exit status), then watch what it read. */
static int apply_config(struct daemon *d, const char *why)
{
	bool interface_rules = false;
	int ret;

	if (!d->openclaw && !d->policy)
		return 0;
	cl_info("%s: applying %s", why, d->config);
	applying = d;
	print_before = cl_set_print(apply_print);
	json5_set_read_hook(note_read, d);
	if (d->signed_inputs.allowed_signers)
		cl_signed_inputs_begin(&d->signed_inputs);
	ret = cl_apply(d->openclaw, d->policy, d->cgroup_root, &interface_rules);
	d->interface_rules |= interface_rules;
	cl_signed_inputs_end();
	json5_set_read_hook(NULL, NULL);
	if (ret)
		cl_error("the config was not applied (exit %d); the live policy stays as it was",
			 ret);
	cl_set_print(print_before);
	applying = NULL;
	note_signatures(d, ret);
	rewatch(d);
	/* Containers are bound apart from the config's scopes: bind them again. */
	if (!ret && d->follow) {
		if (d->signed_inputs.allowed_signers)
			cl_signed_inputs_begin(&d->signed_inputs);
		cl_follow_resync(d->follow, d->openclaw, d->policy);
		cl_signed_inputs_end();
	}
	return ret;
}

/* The config as the lock file and records name it: absolute paths where they resolve. */
static void describe_config(struct daemon *d)
{
	char oc[PATH_MAX] = "", pol[PATH_MAX] = "";

	if (d->openclaw && !realpath(d->openclaw, oc))
		cl_strlcpy(oc, d->openclaw, sizeof(oc));
	if (d->policy && !realpath(d->policy, pol))
		cl_strlcpy(pol, d->policy, sizeof(pol));
	snprintf(d->config, sizeof(d->config), "%s%s%s%s%s", oc[0] ? "--openclaw " : "", oc,
		 oc[0] && pol[0] ? " " : "", pol[0] ? "--policy " : "", pol);
	if (!d->config[0])
		snprintf(d->config, sizeof(d->config), "no config (events only)");
}

/* Only one daemon: two would split the stream and fight over the config. */
static int take_daemon_lock(struct daemon *d)
{
	struct cl_daemon_info other;
	char text[sizeof(d->config) + 32];
	int len;

	mkdir("/run/clawlock", 0700);
	d->lock = open(CL_DAEMON_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d->lock < 0) {
		cl_error("cannot open %s: %s", CL_DAEMON_LOCK_PATH, strerror(errno));
		return -1;
	}
	if (flock(d->lock, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK || cl_daemon_running(&other) <= 0)
			cl_error("cannot lock %s: %s", CL_DAEMON_LOCK_PATH, strerror(errno));
		else
			cl_error("another clawlock daemon is running (pid %d, %s): stop it first",
				 other.pid,
				 other.config[0] ? other.config : "config not known yet");
		return -1;
	}
	len = snprintf(text, sizeof(text), "%d\n%s\n", (int)getpid(), d->config);
	if (ftruncate(d->lock, 0) < 0 || pwrite(d->lock, text, len, 0) != len) {
		cl_error("cannot write %s: %s", CL_DAEMON_LOCK_PATH, strerror(errno));
		return -1;
	}
	return 0;
}

/* The sink counts for status, replaced whole (written beside, renamed over). */
static void save_state(struct daemon *d)
{
	static const char tmp[] = CL_DAEMON_STATE_PATH ".new";
	struct json_object *doc;
	int fd;

	if (!d->state_dirty)
		return;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	doc = json_object_new_object();
	json_object_object_add(doc, "pid", json_object_new_int64(getpid()));
	json_object_object_add(doc, "unwritten", json_object_new_int64(d->unwritten));
	if (d->signed_inputs.allowed_signers) {
		struct json_object *sig = json_object_new_object();

		json_object_object_add(sig, "allowedSigners",
				       json_object_new_string(d->signed_inputs.allowed_signers));
		json_object_object_add(sig, "openclawToo",
				       json_object_new_boolean(d->signed_inputs.openclaw_too));
		json_object_object_add(sig, "refused",
				       d->sig_refused[0] ? json_object_new_string(d->sig_refused)
							 : NULL);
		json_object_object_add(sig, "refusedAt", json_object_new_int64(d->sig_refused_at));
		json_object_object_add(doc, "signedPolicy", sig);
	}
	if (json_object_to_fd(fd, doc, JSON_C_TO_STRING_PLAIN) == 0 &&
	    rename(tmp, CL_DAEMON_STATE_PATH) == 0)
		d->state_dirty = 0;
	close(fd);
	json_object_put(doc);
}

/* Once a second: say lost records in the sinks that take them again; save the counts. */
static void on_tick(struct daemon *d)
{
	struct sink *sinks[] = { &d->out, &d->log };

	for (size_t i = 0; i < 2; i++) {
		if (sinks[i]->fd >= 0 && sinks[i]->unreported)
			say_unwritten(d, sinks[i]);
	}
	save_state(d);
}

/*
 * Capabilities the daemon keeps once started: CAP_BPF for the maps,
 * CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH to read configs in users' homes,
 * stat the paths rules name and make sandbox dirs, CAP_SYS_ADMIN only
 * where the kernel predates CAP_BPF (never on 6.1 and later). Everything
 * else goes, from the bounding set too, and no exec can regain any.
 */
static int drop_capabilities(bool containers)
{
	/* CAP_SYS_PTRACE last: /proc/PID/root of a container's init needs it. */
	static const cap_value_t all[] = { CAP_BPF, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
					   CAP_SYS_PTRACE };
	size_t nkeep = containers ? 4 : 3;
	const cap_value_t *keep = all;
	cap_t caps = cap_init();
	int ret = -1;

	if (!caps)
		return -1;
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		int kept = 0;

		for (size_t i = 0; i < nkeep; i++)
			kept |= keep[i] == c;
		if (!kept && cap_drop_bound(c) < 0 && errno != EINVAL)
			goto out;
	}
	if (cap_set_flag(caps, CAP_PERMITTED, nkeep, keep, CAP_SET) ||
	    cap_set_flag(caps, CAP_EFFECTIVE, nkeep, keep, CAP_SET) || cap_set_proc(caps))
		goto out;
	ret = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
out:
	if (ret)
		cl_error("cannot drop capabilities: %s", strerror(errno));
	cap_free(caps);
	return ret;
}

static int add_fd(struct daemon *d, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (fd < 0 || epoll_ctl(d->epoll, EPOLL_CTL_ADD, fd, &ev) < 0) {
		cl_error("cannot wait on a descriptor: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int daemon_start(struct daemon *d)
{
	sigset_t mask;

	describe_config(d);
	if (take_daemon_lock(d) < 0)
		return -1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	/* A reader gone from stdout is a sink failure, counted, not a death. */
	signal(SIGPIPE, SIG_IGN);
	gethostname(d->host, sizeof(d->host) - 1);
	d->unwritten = cl_daemon_unwritten();
	d->signals = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->epoll = epoll_create1(EPOLL_CLOEXEC);
	d->watch = cl_watch_new();
	d->tick = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->settle = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->use_syslog)
		openlog("clawlock", LOG_PID, LOG_AUTHPRIV);
	if (!d->watch || open_log(d) < 0 || cl_bpf_load() < 0)
		return -1;
	d->events = cl_event_stream_open(NULL, NULL, NULL, write_record, d);
	if (!d->events)
		return -1;
	if (add_fd(d, d->signals) || add_fd(d, cl_watch_fd(d->watch)) || add_fd(d, d->tick) ||
	    add_fd(d, d->settle) || add_fd(d, cl_event_stream_fd(d->events)))
		return -1;
	if (follow_containers(d) < 0 || (d->follow && add_fd(d, cl_follow_fd(d->follow))))
		return -1;
	arm_timer(d->tick, 1000, 1000);
	/* The config files themselves before the first apply: a change during it counts. */
	rewatch(d);
	return 0;
}

/* A signal: 1 to stop, 0 to go on. */
static int on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->signals, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			cl_info("SIGHUP: reopening %s",
				d->log_path ? d->log_path : "(no log file)");
			open_log(d);
			continue;
		}
		cl_info("%s: stopping; the rules stay in force",
			si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
		return 1;
	}
	return 0;
}

/*
 * Rules that name an interface hold that interface's networks as they were
 * at the last apply: follow address changes with an rtnetlink socket, and
 * apply again when one happens (once the addresses have settled).
 */
static void follow_interfaces(struct daemon *d)
{
	if (d->addr_watch || !d->interface_rules)
		return;
	d->addr_watch = cl_if_watch_open();
	if (!d->addr_watch || add_fd(d, cl_if_watch_fd(d->addr_watch)) < 0) {
		cl_warn("cannot follow interface addresses: rules naming an interface keep "
			"the addresses they had");
		return;
	}
	cl_info("following interface addresses (a rule names an interface)");
}

static int daemon_loop(struct daemon *d)
{
	struct epoll_event evs[8];
	uint64_t ticks;

	for (;;) {
		int n = epoll_wait(d->epoll, evs, 8, -1);

		if (n < 0 && errno != EINTR) {
			cl_error("epoll: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == d->signals && on_signal(d))
				return 0;
			if (fd == cl_watch_fd(d->watch) && cl_watch_changed(d->watch))
				arm_timer(d->settle, 300, 0); /* apply once quiet */
			if (d->addr_watch && fd == cl_if_watch_fd(d->addr_watch)) {
				cl_if_watch_drain(d->addr_watch);
				arm_timer(d->settle, 300, 0);
			}
			if (fd == d->settle && read(fd, &ticks, sizeof(ticks)) > 0) {
				apply_config(d, "config or interface addresses changed");
				follow_interfaces(d);
			}
			if (fd == d->tick && read(fd, &ticks, sizeof(ticks)) > 0)
				on_tick(d);
			if (d->follow && fd == cl_follow_fd(d->follow))
				follow_news(d, false);
			if (d->follow && fd == d->tick)
				follow_news(d, true);
			if (fd == d->tick || fd == cl_event_stream_fd(d->events))
				cl_event_stream_poll(d->events, 0);
		}
	}
}

static void daemon_stop(struct daemon *d)
{
	int fds[] = { d->epoll, d->signals, d->tick, d->settle, d->log.fd, d->lock };

	/* Records that arrived before the stop still reach the sinks. */
	if (d->events)
		cl_event_stream_poll(d->events, 0);
	cl_event_stream_free(d->events);
	if (d->lock >= 0 && d->events)
		on_tick(d);
	if (d->addr_watch)
		cl_if_watch_close(d->addr_watch);
	cl_follow_stop(d->follow);
	cl_watch_free(d->watch);
	forget_reads(d);
	if (d->use_syslog)
		closelog();
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
}

int cl_cmd_daemon(int argc, char **argv)
{
	struct daemon d = { .epoll = -1, .signals = -1, .tick = -1, .settle = -1, .lock = -1 };
	int ret = parse_daemon_opts(argc, argv, &d);

	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	d.log = (struct sink){ .name = d.log_path, .fd = -1 };
	d.out = (struct sink){ .name = "stdout", .fd = d.use_stdout ? 1 : -1 };
	d.out.append = d.use_stdout && (fcntl(1, F_GETFL) & O_APPEND);
	adopt_applied_config(&d);
	ret = CL_EXIT_FAILURE;
	if (daemon_start(&d) < 0)
		goto out;
	ret = apply_config(&d, "starting");
	/*
	 * A config refused for its signature is no reason to stop: stopped (and
	 * restarted by systemd in a loop) the daemon could neither report the
	 * refusal in status and audit --deep nor apply the signed change that
	 * fixes it. What is pinned stays as it was.
	 */
	if (ret && d.sig_refused[0])
		cl_warn("the config at start was refused for its signature: running on, waiting "
			"for a signed change");
	else if (ret)
		goto out;
	ret = CL_EXIT_FAILURE;
	follow_interfaces(&d);
	if (drop_capabilities(d.containers != NULL) < 0)
		goto out;
	cl_info("running (pid %d): %s", (int)getpid(),
		d.openclaw || d.policy ? "watching the config, streaming events"
				       : "streaming events (no config to follow)");
	ret = daemon_loop(&d) < 0 ? CL_EXIT_FAILURE : CL_EXIT_OK;
out:
	daemon_stop(&d);
	return ret;
}
