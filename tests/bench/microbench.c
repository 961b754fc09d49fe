// SPDX-License-Identifier: GPL-2.0
/*
 * microbench.c - one tight loop of one operation, timed (make bench).
 *
 *   microbench [--landlock] OP ITERATIONS DIR [TINY]
 *
 * OP is open (open+close), stat, exec (fork, exec TINY, wait), connect (TCP
 * to a loopback listener), sendto (UDP to loopback), mkdir (mkdir+rmdir) or
 * rename (there and back). Files live in DIR. Prints one JSON line:
 * {"op":..., "iterations":N, "nsPerOp":X}. The caller puts it in a private
 * network namespace (loopback up) and in whatever confinement is measured;
 * --landlock confines it with Landlock itself (DIR writable, the system
 * readable and executable, TCP connect to the listener's port), the same
 * rules the clawlock configurations give, as far as Landlock can say them.
 */
#include <errno.h>
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

static void landlock(const char *dir, const char *tiny)
{
	char bin[4096];
	static const char *const system[] = { "/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc" };
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
	if (landlock_allow(ruleset, dir, attr.handled_access_fs) < 0)
		die("landlock_add_rule");
	/* The benchmark's own folder, as the clawlock policies allow it. */
	snprintf(bin, sizeof(bin), "%s", tiny);
	if (strrchr(bin, '/'))
		*strrchr(bin, '/') = '\0';
	if (tiny[0] && landlock_allow(ruleset, bin, read_exec) < 0)
		die("landlock_add_rule");
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

int main(int argc, char **argv)
{
	int use_landlock = argc > 1 && !strcmp(argv[1], "--landlock");
	char file[4096], other[4096];
	struct sockaddr_in sink;
	const char *op, *dir, *tiny;
	long n;
	long long start;
	int udp = -1, receiver;

	argv += use_landlock;
	argc -= use_landlock;
	if (argc < 4) {
		fprintf(stderr, "usage: microbench [--landlock] OP ITERATIONS DIR [TINY]\n");
		return 2;
	}
	op = argv[1];
	n = atol(argv[2]);
	dir = argv[3];
	tiny = argc > 4 ? argv[4] : "";
	snprintf(file, sizeof(file), "%s/bench-file", dir);
	snprintf(other, sizeof(other), "%s/bench-other", dir);
	/* Set up before any confinement of our own, as an agent's sandbox would be. */
	close(open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	start_listener();
	receiver = loopback_socket(SOCK_DGRAM, &sink);
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (use_landlock)
		landlock(dir, tiny);

	start = now_ns();
	for (long i = 0; i < n; i++) {
		struct stat st;

		if (!strcmp(op, "open")) {
			op_open(file);
		} else if (!strcmp(op, "stat")) {
			if (stat(file, &st) < 0)
				die("stat");
		} else if (!strcmp(op, "exec")) {
			op_exec(tiny);
		} else if (!strcmp(op, "connect")) {
			op_connect();
		} else if (!strcmp(op, "sendto")) {
			if (sendto(udp, "x", 1, 0, (struct sockaddr *)&sink, sizeof(sink)) < 0 &&
			    errno != ENOBUFS && errno != EAGAIN)
				die("sendto");
		} else if (!strcmp(op, "mkdir")) {
			if (mkdir(other, 0755) < 0 || rmdir(other) < 0)
				die("mkdir");
		} else if (!strcmp(op, "rename")) {
			if (rename(file, other) < 0 || rename(other, file) < 0)
				die("rename");
		} else {
			fprintf(stderr, "microbench: unknown op '%s'\n", op);
			return 2;
		}
	}
	printf("{\"op\":\"%s\",\"iterations\":%ld,\"nsPerOp\":%.1f}\n", op, n,
	       (double)(now_ns() - start) / n);
	close(receiver);
	return 0;
}
