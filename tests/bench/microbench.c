// SPDX-License-Identifier: GPL-2.0
/*
 * microbench.c - tight loops of single operations, timed (make bench).
 *
 *   microbench [OPTIONS] DIR TINY OP:N [OP:N...]
 *   microbench [OPTIONS] DIR TINY -- CMD [ARG...]
 *
 * OP is open (open+close), stat, exec (fork, exec TINY, wait), connect (TCP
 * to a loopback listener), sendto (UDP to loopback), mkdir (mkdir+rmdir),
 * rename (there and back) or deny (an open of DIR/.env, made by the caller,
 * which the baseline's secrets profile refuses: the denial flood). Files live
 * in DIR. Each OP runs N times, in --chunks slices interleaved with the
 * other ops', so a slow spell of the machine is spread over all of them
 * rather than landing on one. One
 * JSON line per op: {"op":..., "iterations":N, "nsPerOp":X}. With "--",
 * CMD is executed instead, under the same confinement (the macro workload).
 *
 * The caller puts it in a private network namespace (loopback up) and in
 * whatever confinement is measured. --landlock confines it with Landlock
 * itself: DIR writable, the system readable and executable, TCP connect to
 * the listener's port (ABI 4), and with --rules D one read rule for every
 * file in D: the rules the clawlock configurations give, as far as
 * Landlock can say them.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/landlock.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/*
 * Landlock ABI 3 (truncate) and 4 (TCP ports) postdate Debian 12's headers:
 * the uapi values, spelled out.
 */
#define LL_ACCESS_FS_TRUNCATE	  (1ULL << 14)
#define LL_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#define LL_RULE_NET_PORT	  2

struct ll_ruleset_attr {
	__u64 handled_access_fs;
	__u64 handled_access_net;
};

struct ll_net_port_attr {
	__u64 allowed_access;
	__u64 port;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "microbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A TCP listener on 127.0.0.1 that accepts and closes, in a thread. */
static void *accept_loop(void *arg)
{
	int fd = *(int *)arg;

	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c >= 0)
			close(c);
	}
	return NULL;
}

static int loopback_socket(int type, struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)sin, sizeof(*sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) < 0)
		die("loopback socket");
	return fd;
}

static struct sockaddr_in listener;

static void start_listener(void)
{
	static int fd;
	pthread_t thread;

	fd = loopback_socket(SOCK_STREAM, &listener);
	if (listen(fd, 4096) < 0 || pthread_create(&thread, NULL, accept_loop, &fd))
		die("listen");
}

static void op_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open");
	close(fd);
}

static void op_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&listener, sizeof(listener)) < 0)
		die("connect");
	close(fd);
}

static void op_exec(const char *tiny)
{
	char *argv[] = { (char *)tiny, NULL };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execv(tiny, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("exec");
}

/* Landlock: what the clawlock configurations allow, as far as it goes. */
static int landlock_allow(int ruleset, const char *path, __u64 access)
{
	struct landlock_path_beneath_attr attr = { .allowed_access = access };
	int ret;

	attr.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (attr.parent_fd < 0)
		return errno == ENOENT ? 0 : -1;
	ret = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0);
	close(attr.parent_fd);
	return ret;
}

/* One read rule per file of @rules, like the large clawlock policy. */
static void landlock_rules(int ruleset, const char *rules)
{
	struct dirent *entry;
	char path[4096];
	DIR *d = opendir(rules);

	if (!d)
		die(rules);
	while ((entry = readdir(d))) {
		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", rules, entry->d_name);
		if (landlock_allow(ruleset, path, LANDLOCK_ACCESS_FS_READ_FILE) < 0)
			die("landlock_add_rule");
	}
	closedir(d);
}

static void landlock(const char *dir, const char *tiny, const char *rules)
{
	char bin[4096];
	static const char *const system[] = { "/usr",	"/bin", "/sbin", "/lib",
					      "/lib64", "/etc", "/proc", "/sys" };
	__u64 read_exec = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE |
			  LANDLOCK_ACCESS_FS_READ_DIR;
	struct ll_ruleset_attr attr = { 0 };
	int abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	int ruleset;

	if (abi < 1)
		die("landlock (not available)");
	/* ABI 1 rights, plus REFER (2) and TRUNCATE (3) where known. */
	attr.handled_access_fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= LL_ACCESS_FS_TRUNCATE;
	if (abi >= 4)
		attr.handled_access_net = LL_ACCESS_NET_CONNECT_TCP;
	ruleset = syscall(SYS_landlock_create_ruleset, &attr,
			  abi >= 4 ? sizeof(attr) : sizeof(attr.handled_access_fs), 0);
	if (ruleset < 0)
		die("landlock_create_ruleset");
	for (size_t i = 0; i < sizeof(system) / sizeof(system[0]); i++) {
		if (landlock_allow(ruleset, system[i], read_exec) < 0)
			die("landlock_add_rule");
	}
	if (landlock_allow(ruleset, dir, attr.handled_access_fs) < 0 ||
	    landlock_allow(ruleset, "/dev/null",
			   (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
			    (abi >= 3 ? LL_ACCESS_FS_TRUNCATE : 0))) < 0)
		die("landlock_add_rule");
	/* The benchmark's own folder, as the clawlock policies allow it. */
	snprintf(bin, sizeof(bin), "%s", tiny);
	if (strrchr(bin, '/'))
		*strrchr(bin, '/') = '\0';
	if (tiny[0] && landlock_allow(ruleset, bin, read_exec) < 0)
		die("landlock_add_rule");
	if (rules)
		landlock_rules(ruleset, rules);
	if (abi >= 4) {
		struct ll_net_port_attr port = {
			.allowed_access = LL_ACCESS_NET_CONNECT_TCP,
			.port = ntohs(listener.sin_port),
		};

		if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &port, 0))
			die("landlock_add_rule (port)");
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_landlock_restrict_self, ruleset, 0))
		die("landlock_restrict_self");
	close(ruleset);
}

struct bench {
	char file[4096];
	char other[4096];
	char secret[4096];
	const char *tiny;
	struct sockaddr_in sink;
	int udp;
};

/* One iteration of @op; 0, or -1 for an op nobody knows. */
static int run_op(struct bench *b, const char *op)
{
	struct stat st;
	int fd;

	if (!strcmp(op, "open")) {
		op_open(b->file);
	} else if (!strcmp(op, "stat")) {
		if (stat(b->file, &st) < 0)
			die("stat");
	} else if (!strcmp(op, "exec")) {
		op_exec(b->tiny);
	} else if (!strcmp(op, "connect")) {
		op_connect();
	} else if (!strcmp(op, "sendto")) {
		if (sendto(b->udp, "x", 1, 0, (struct sockaddr *)&b->sink, sizeof(b->sink)) < 0 &&
		    errno != ENOBUFS && errno != EAGAIN)
			die("sendto");
	} else if (!strcmp(op, "mkdir")) {
		if (mkdir(b->other, 0755) < 0 || rmdir(b->other) < 0)
			die("mkdir");
	} else if (!strcmp(op, "rename")) {
		if (rename(b->file, b->other) < 0 || rename(b->other, b->file) < 0)
			die("rename");
	} else if (!strcmp(op, "deny")) {
		fd = open(b->secret, O_RDONLY | O_CLOEXEC);
		/* Refused by the confinement, not missing: the caller makes it. */
		if (fd >= 0 || errno != EACCES) {
			if (fd >= 0)
				errno = 0;
			die("deny: DIR/.env was not refused (missing? not confined?)");
		}
	} else {
		return -1;
	}
	return 0;
}

struct op_spec {
	char name[16];
	long iterations;
	long long ns;
};

static int parse_ops(char **args, int count, struct op_spec *ops)
{
	for (int i = 0; i < count; i++) {
		char *colon = strchr(args[i], ':');

		if (!colon || colon - args[i] >= (long)sizeof(ops[i].name) || atol(colon + 1) < 1) {
			fprintf(stderr, "microbench: '%s' is not OP:ITERATIONS\n", args[i]);
			return -1;
		}
		memcpy(ops[i].name, args[i], colon - args[i]);
		ops[i].name[colon - args[i]] = '\0';
		ops[i].iterations = atol(colon + 1);
		ops[i].ns = 0;
	}
	return 0;
}

/* Every op in @chunks slices, round-robin; then one JSON line each. */
static int run_ops(struct bench *b, struct op_spec *ops, int count, int chunks)
{
	for (int c = 0; c < chunks; c++) {
		for (int i = 0; i < count; i++) {
			long n = ops[i].iterations / chunks +
				 (c < ops[i].iterations % chunks ? 1 : 0);
			long long start = now_ns();

			for (long k = 0; k < n; k++) {
				if (run_op(b, ops[i].name) < 0) {
					fprintf(stderr, "microbench: unknown op '%s'\n",
						ops[i].name);
					return 2;
				}
			}
			ops[i].ns += now_ns() - start;
		}
	}
	for (int i = 0; i < count; i++)
		printf("{\"op\":\"%s\",\"iterations\":%ld,\"nsPerOp\":%.1f}\n", ops[i].name,
		       ops[i].iterations, (double)ops[i].ns / ops[i].iterations);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: microbench [--landlock [--rules DIR]] [--chunks N] DIR TINY "
			"OP:N [OP:N...]\n"
			"       microbench [--landlock [--rules DIR]] DIR TINY -- CMD [ARG...]\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "landlock", no_argument, NULL, 'l' },
		{ "rules", required_argument, NULL, 'r' },
		{ "chunks", required_argument, NULL, 'c' },
		{},
	};
	const char *rules = NULL, *dir;
	struct op_spec ops[16];
	struct bench b = { 0 };
	int use_landlock = 0, chunks = 10, count, opt, receiver;

	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (opt) {
		case 'l':
			use_landlock = 1;
			break;
		case 'r':
			rules = optarg;
			break;
		case 'c':
			chunks = atoi(optarg) > 0 ? atoi(optarg) : 1;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (argc - optind < 3) {
		usage();
		return 2;
	}
	dir = argv[optind];
	snprintf(b.file, sizeof(b.file), "%s/bench-file", dir);
	snprintf(b.other, sizeof(b.other), "%s/bench-other", dir);
	snprintf(b.secret, sizeof(b.secret), "%s/.env", dir);
	b.tiny = argv[optind + 1];
	argv += optind + 2;
	argc -= optind + 2;
	/* Set up before any confinement of our own, as an agent's sandbox would be. */
	close(open(b.file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	start_listener();
	receiver = loopback_socket(SOCK_DGRAM, &b.sink);
	b.udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (use_landlock)
		landlock(dir, b.tiny, rules);
	if (!strcmp(argv[0], "--")) {
		if (argc < 2) {
			usage();
			return 2;
		}
		execvp(argv[1], argv + 1);
		die(argv[1]);
	}
	count = argc;
	if (count > (int)(sizeof(ops) / sizeof(ops[0])) || parse_ops(argv, count, ops) < 0)
		return 2;
	opt = run_ops(&b, ops, count, chunks);
	close(receiver);
	return opt;
}
