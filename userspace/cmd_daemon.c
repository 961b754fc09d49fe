// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_daemon.c - clawlock daemon: keeps a host's scopes in step with its
 * config and writes the denial stream to its sinks.
 *
 * Enforcement never depends on it: programs, links and maps are pinned, so
 * a daemon killed with SIGKILL leaves every rule in force, and a new one
 * adopts the pinned state (loading only when nothing is pinned). One epoll
 * loop waits on the ring buffer, inotify on the config files' folders (a
 * change is applied once the files have been quiet for a moment: editors
 * write in steps), rtnetlink address changes when a rule names an
 * interface, a signalfd (SIGTERM/SIGINT stop, SIGHUP reopens the log
 * file for logrotate) and a one-second tick that reports dropped records.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sys/capability.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include <json-c/json.h>

#include "bpfstate.h"
#include "commands.h"
#include "ifaddr.h"
#include "policy.h"
#include "util.h"

static const char daemon_help[] =
	"Usage: clawlock daemon [--openclaw FILE] [--policy FILE] [--cgroup-root DIR]\n"
	"                       [--log FILE] [--syslog] [--stdout]\n"
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
	"  -l, --log FILE          append records to FILE; reopened on SIGHUP\n"
	"      --syslog            send records to syslog (authpriv, warning)\n"
	"      --stdout            write records to standard output\n"
	"                          (the default when no sink is named)\n"
	"\n"
	"Signals: SIGTERM or SIGINT stop it cleanly (the rules stay); SIGHUP\n"
	"reopens the log file. Exit status: 0 after a clean stop, 1 if it could\n"
	"not start, 2 on bad usage or a config that does not load at start.\n";

struct daemon {
	const char *openclaw;
	const char *policy;
	const char *cgroup_root;
	const char *log_path;
	int use_syslog;
	int use_stdout;
	FILE *log;
	int epoll, inotify, signals, tick, settle;
	struct events_ctx *events;
	struct nl_sock *addr_watch; /* when a rule names an interface */
	long long records;
};

static int parse_daemon_opts(int argc, char **argv, struct daemon *d)
{
	static const struct option options[] = {
		{ "openclaw", required_argument, NULL, 'c' },
		{ "policy", required_argument, NULL, 'p' },
		{ "cgroup-root", required_argument, NULL, 'R' },
		{ "log", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "stdout", no_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:p:l:h", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			d->openclaw = optarg;
			break;
		case 'p':
			d->policy = optarg;
			break;
		case 'R':
			d->cgroup_root = optarg;
			break;
		case 'l':
			d->log_path = optarg;
			break;
		case 'S':
			d->use_syslog = 1;
			break;
		case 'O':
			d->use_stdout = 1;
			break;
		case 'h':
			fputs(daemon_help, stdout);
			return 1;
		default:
			return -1;
		}
	}
	if (optind < argc) {
		cl_error("daemon: unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	if (!d->log_path && !d->use_syslog)
		d->use_stdout = 1;
	return 0;
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
	FILE *f;

	if (!d->log_path)
		return 0;
	f = fopen(d->log_path, "ae");
	if (!f) {
		cl_error("cannot open the log %s: %s", d->log_path, strerror(errno));
		return -1;
	}
	if (d->log)
		fclose(d->log);
	d->log = f;
	setvbuf(d->log, NULL, _IOLBF, 0);
	return 0;
}

/* One record to every sink. */
static int write_record(struct json_object *record, void *data)
{
	struct daemon *d = data;
	const char *line = json_object_to_json_string_ext(
		record, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (d->use_stdout) {
		puts(line);
		fflush(stdout);
	}
	if (d->log && fprintf(d->log, "%s\n", line) < 0)
		cl_warn("cannot write to %s: %s", d->log_path, strerror(errno));
	if (d->use_syslog)
		syslog(LOG_AUTHPRIV | LOG_WARNING, "%s", line);
	d->records++;
	return 0;
}

static int watch_file(struct daemon *d, const char *path)
{
	char dir[PATH_MAX];

	if (!path)
		return 0;
	/* The folder, not the file: editors and config tools replace files by rename. */
	if (!cl_strlcpy(dir, path, sizeof(dir)) ||
	    inotify_add_watch(d->inotify, dirname(dir),
			      IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE) < 0) {
		cl_error("cannot watch %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Is an inotify record about one of the config files? */
static int about_config(const struct daemon *d, const struct inotify_event *ev)
{
	const char *files[] = { d->openclaw, d->policy };

	for (size_t i = 0; i < 2; i++) {
		char copy[PATH_MAX];

		if (files[i] && ev->len && cl_strlcpy(copy, files[i], sizeof(copy)) &&
		    !strcmp(basename(copy), ev->name))
			return 1;
	}
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

static int drain_inotify(struct daemon *d)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	int relevant = 0;
	ssize_t n;

	while ((n = read(d->inotify, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			relevant |= about_config(d, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
	return relevant;
}

static void apply_config(struct daemon *d, const char *why)
{
	int ret;

	if (!d->openclaw && !d->policy)
		return;
	cl_info("%s: applying %s%s%s", why, d->openclaw ? d->openclaw : d->policy,
		d->openclaw && d->policy ? " with " : "",
		d->openclaw && d->policy ? d->policy : "");
	ret = cl_apply(d->openclaw, d->policy, d->cgroup_root);
	if (ret)
		cl_error("the config was not applied (exit %d); the live policy stays as it was",
			 ret);
}

/*
 * Capabilities the daemon keeps once started: CAP_BPF for the maps,
 * CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH to read configs in users' homes,
 * stat the paths rules name and make sandbox dirs, CAP_SYS_ADMIN only
 * where the kernel predates CAP_BPF (never on 6.1 and later). Everything
 * else goes, from the bounding set too, and no exec can regain any.
 */
static int drop_capabilities(void)
{
	static const cap_value_t keep[] = { CAP_BPF, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH };
	cap_t caps = cap_init();
	int ret = -1;

	if (!caps)
		return -1;
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		int kept = 0;

		for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
			kept |= keep[i] == c;
		if (!kept && cap_drop_bound(c) < 0 && errno != EINVAL)
			goto out;
	}
	if (cap_set_flag(caps, CAP_PERMITTED, 3, keep, CAP_SET) ||
	    cap_set_flag(caps, CAP_EFFECTIVE, 3, keep, CAP_SET) || cap_set_proc(caps))
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

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d->signals = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->epoll = epoll_create1(EPOLL_CLOEXEC);
	d->inotify = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	d->tick = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->settle = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->use_syslog)
		openlog("clawlock", LOG_PID, LOG_AUTHPRIV);
	if (open_log(d) < 0 || cl_bpf_load() < 0)
		return -1;
	d->events = cl_event_stream_open(NULL, NULL, NULL, write_record, d);
	if (!d->events)
		return -1;
	if (add_fd(d, d->signals) || add_fd(d, d->inotify) || add_fd(d, d->tick) ||
	    add_fd(d, d->settle) || add_fd(d, cl_event_stream_fd(d->events)))
		return -1;
	if (watch_file(d, d->openclaw) < 0 || watch_file(d, d->policy) < 0)
		return -1;
	arm_timer(d->tick, 1000, 1000);
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
	if (d->addr_watch || !cl_net_interface_rules)
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
			if (fd == d->inotify && drain_inotify(d))
				arm_timer(d->settle, 300, 0); /* apply once quiet */
			if (d->addr_watch && fd == cl_if_watch_fd(d->addr_watch)) {
				cl_if_watch_drain(d->addr_watch);
				arm_timer(d->settle, 300, 0);
			}
			if (fd == d->settle && read(fd, &ticks, sizeof(ticks)) > 0) {
				apply_config(d, "config or interface addresses changed");
				follow_interfaces(d);
			}
			if (fd == d->tick)
				(void)!read(fd, &ticks, sizeof(ticks));
			if (fd == d->tick || fd == cl_event_stream_fd(d->events))
				cl_event_stream_poll(d->events, 0);
		}
	}
}

static void daemon_stop(struct daemon *d)
{
	int fds[] = { d->epoll, d->inotify, d->signals, d->tick, d->settle };

	/* Records that arrived before the stop still reach the sinks. */
	if (d->events)
		cl_event_stream_poll(d->events, 0);
	cl_event_stream_free(d->events);
	if (d->addr_watch)
		cl_if_watch_close(d->addr_watch);
	if (d->log)
		fclose(d->log);
	if (d->use_syslog)
		closelog();
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
}

int cl_cmd_daemon(int argc, char **argv)
{
	struct daemon d = { .epoll = -1, .inotify = -1, .signals = -1, .tick = -1, .settle = -1 };
	int ret = parse_daemon_opts(argc, argv, &d);

	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	adopt_applied_config(&d);
	ret = CL_EXIT_FAILURE;
	if (daemon_start(&d) < 0)
		goto out;
	if (d.openclaw || d.policy) {
		cl_info("applying %s%s%s", d.openclaw ? d.openclaw : d.policy,
			d.openclaw && d.policy ? " with " : "",
			d.openclaw && d.policy ? d.policy : "");
		ret = cl_apply(d.openclaw, d.policy, d.cgroup_root);
		if (ret)
			goto out;
	}
	ret = CL_EXIT_FAILURE;
	follow_interfaces(&d);
	if (drop_capabilities() < 0)
		goto out;
	cl_info("running (pid %d): %s", (int)getpid(),
		d.openclaw || d.policy ? "watching the config, streaming events"
				       : "streaming events (no config to follow)");
	ret = daemon_loop(&d) < 0 ? CL_EXIT_FAILURE : CL_EXIT_OK;
out:
	daemon_stop(&d);
	return ret;
}
