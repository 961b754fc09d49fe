/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cltest.h - helpers for the kernel tests: run the clawlock binary, run a
 * confined helper (the test binary itself, re-executed with --helper), read
 * the denial events. Everything here runs inside the test VM as root.
 */
#ifndef CLAWLOCK_CLTEST_H
#define CLAWLOCK_CLTEST_H

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/if_packet.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/uio.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/sched.h>
#include <unistd.h>

#include <json-c/json.h>

#include "loader/cgroup.h"
#include "util.h"

/* A helper's exit status: 0 on success, HELPER_ERRNO + errno on failure. */
#define HELPER_ERRNO 100

/*
 * The library's messages, for the tests that call it in-process: errors,
 * warnings and (unless cl_test_quiet) progress lines on stderr, as the
 * clawlock command prints them without -v. Set before any test runs.
 */
static int cl_test_quiet;

static void cl_test_print(enum cl_print_level level, const char *msg)
{
	if (level <= CL_PRINT_WARN)
		fprintf(stderr, "clawlock: %s: %s\n", level == CL_PRINT_ERROR ? "error" : "warning",
			msg);
	else if (level == CL_PRINT_INFO && !cl_test_quiet)
		fprintf(stderr, "clawlock: %s\n", msg);
}

__attribute__((constructor)) static void cl_test_printer(void)
{
	cl_set_print(cl_test_print);
}

static inline const char *cl_binary(void)
{
	const char *bin = getenv("CLAWLOCK");

	return bin ? bin : "build/clawlock";
}

static inline const char *cl_source(void)
{
	const char *src = getenv("CLAWLOCK_SOURCE");

	return src ? src : ".";
}

static inline const char *cl_self(void)
{
	static char self[PATH_MAX];

	if (!self[0]) {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		self[n > 0 ? n : 0] = '\0';
	}
	return self;
}

/* The folder of this test binary: a policy must let the helper (this binary) run. */
static inline const char *cl_self_dir(void)
{
	static char dir[PATH_MAX];

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s", cl_self());
		*strrchr(dir, '/') = '\0';
	}
	return dir;
}

/*
 * Run argv[] with stdout (and stderr, if @err) captured into @out. Returns
 * the exit status, or -1 if it could not run or was killed.
 */
static inline int cl_spawn(char *const argv[], char *out, size_t size, int merge_stderr)
{
	int pipefd[2], status;
	size_t len = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pipefd[1], 1);
		if (merge_stderr)
			dup2(pipefd[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		char buf[4096];
		ssize_t n = read(pipefd[0], buf, sizeof(buf));

		if (n <= 0)
			break;
		if (out && len + 1 < size) {
			size_t take = (size_t)n < size - len - 1 ? (size_t)n : size - len - 1;

			memcpy(out + len, buf, take);
			len += take;
		}
	}
	if (out && size)
		out[len] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Start argv[] in the background, its stdout and stderr appended to @log; its pid, or -1. */
static inline pid_t cl_spawn_logged(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		if (fd < 0 || dup2(fd, 2) < 0 || dup2(fd, 1) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Is @path a tmpfs mount (the VM's own /mnt, say)? */
static inline bool cl_mounted_tmpfs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == TMPFS_MAGIC;
}

/*
 * Start argv[] with pipes to its stdin (*to) and from its stdout (*from),
 * for a helper the test talks to while it runs. Returns its pid, or -1.
 */
static inline pid_t cl_spawn_piped(char *const argv[], int *to, int *from)
{
	int in[2], out[2];
	pid_t pid;

	if (pipe(in) < 0 || pipe(out) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*to = in[1];
	*from = out[0];
	return pid;
}

/* clawlock ARGS... (a NULL-terminated list), output captured. */
static inline int cl_run_clawlock(char *out, size_t size, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)cl_binary();
	va_start(ap, size);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	return cl_spawn(argv, out, size, 1);
}

static inline int cl_load(void)
{
	return cl_run_clawlock(NULL, 0, "-q", "load", NULL);
}

/*
 * Run the helper confined as @agent of @policy:
 *   clawlock run --policy P --agent A -- SELF --helper OP PATH
 * Returns its exit status; *pid gets the helper's pid (clawlock execs it).
 */
static inline int cl_confined(const char *policy, const char *agent, const char *op,
			      const char *path, pid_t *pid_out)
{
	char *argv[] = {
		(char *)cl_binary(), "-q",	    "run", "--policy",	      (char *)policy,
		"--agent",	     (char *)agent, "--",  (char *)cl_self(), "--helper",
		(char *)op,	     (char *)path,  NULL
	};
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid_out)
		*pid_out = pid;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#define DENIED	(HELPER_ERRNO + EACCES)
#define REFUSED (HELPER_ERRNO + EPERM)
/* A descriptor sent to the helper was refused on receipt (no errno for that). */
#define DENIED_RECV 92

/* Two-path operations take "FROM|TO". */
static inline int cl_helper_pair(const char *op, const char *arg)
{
	char from[PATH_MAX], *to;
	int ret;

	snprintf(from, sizeof(from), "%s", arg);
	to = strchr(from, '|');
	if (!to)
		return 96;
	*to++ = '\0';
	ret = !strcmp(op, "rename") ? rename(from, to) : link(from, to);
	return ret < 0 ? HELPER_ERRNO + errno : 0;
}

/* An executable mapping of @path, made directly or added by mprotect. */
static inline int cl_helper_map_exec(const char *path, bool by_mprotect)
{
	int fd = open(path, O_RDONLY);
	void *p;

	if (fd < 0)
		return HELPER_ERRNO + errno;
	p = mmap(NULL, 4096, PROT_READ | (by_mprotect ? 0 : PROT_EXEC), MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED && by_mprotect && mprotect(p, 4096, PROT_READ | PROT_EXEC) < 0) {
		int err = errno;

		munmap(p, 4096);
		close(fd);
		return HELPER_ERRNO + err;
	}
	close(fd);
	return p == MAP_FAILED ? HELPER_ERRNO + errno : 0;
}

/* Run @path from a descriptor only: a deleted file, or a copy in a memfd. */
static inline int cl_helper_exec_fd(const char *op, const char *path)
{
	char *argv[] = { (char *)path, NULL }, *envp[] = { NULL };
	int fd;

	if (!strcmp(op, "exec-deleted")) {
		fd = open(path, O_RDONLY);
		if (fd < 0 || unlink(path) < 0)
			return HELPER_ERRNO + errno;
	} else {
		int src = open(path, O_RDONLY);
		struct stat st;

		fd = syscall(SYS_memfd_create, "payload", 0);
		if (src < 0 || fd < 0 || fstat(src, &st) < 0 ||
		    sendfile(fd, src, NULL, st.st_size) != st.st_size)
			return 95;
		close(src);
	}
	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
	return HELPER_ERRNO + errno;
}

/* Operations no sandbox may perform; @path is where they act, when they do. */
static inline int cl_helper_hardening(const char *op, const char *path)
{
	long ret;

	if (!strcmp(op, "bpf")) {
		union bpf_attr attr = { .map_type = BPF_MAP_TYPE_ARRAY,
					.key_size = 4,
					.value_size = 4,
					.max_entries = 1 };

		ret = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	} else if (!strcmp(op, "perf")) {
		struct perf_event_attr attr = { .type = PERF_TYPE_SOFTWARE,
						.size = sizeof(attr),
						.config = PERF_COUNT_SW_CPU_CLOCK };

		ret = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	} else if (!strcmp(op, "mount")) {
		ret = mount("none", path, "tmpfs", 0, NULL);
	} else if (!strcmp(op, "umount")) {
		ret = umount2(path, 0);
	} else if (!strcmp(op, "unshare-user")) {
		ret = unshare(CLONE_NEWUSER);
	} else if (!strcmp(op, "finit-module")) {
		int fd = open(path, O_RDONLY);

		ret = fd < 0 ? -1 : syscall(SYS_finit_module, fd, "", 0);
	} else if (!strcmp(op, "cgroup-escape")) {
		int fd = open(path, O_WRONLY);

		ret = fd < 0 ? -1 : write(fd, "0", 1);
	} else {
		return -1;
	}
	return ret < 0 ? HELPER_ERRNO + errno : 0;
}

/* Operations that change a name or an inode, not open it. */
static inline int cl_helper_change(const char *op, const char *path)
{
	int ret;

	if (!strcmp(op, "unlink"))
		ret = unlink(path);
	else if (!strcmp(op, "rmdir"))
		ret = rmdir(path);
	else if (!strcmp(op, "mkdir"))
		ret = mkdir(path, 0755);
	else if (!strcmp(op, "symlink"))
		ret = symlink("target", path);
	else if (!strcmp(op, "truncate"))
		ret = truncate(path, 0);
	else if (!strcmp(op, "chmod"))
		ret = chmod(path, 0600);
	else if (!strcmp(op, "setxattr"))
		ret = setxattr(path, "user.clawlock", "1", 1, 0);
	else
		return -1;
	return ret < 0 ? HELPER_ERRNO + errno : 0;
}

/* A minimal POSIX ACL (user, group and other only): setting it sets the mode. */
static inline int cl_set_mode_acl(const char *path)
{
	struct {
		__u32 version;
		struct {
			__u16 tag, perm;
			__u32 id;
		} entries[3];
	} acl = { 2, { { 0x01, 7, -1 }, { 0x04, 7, -1 }, { 0x20, 7, -1 } } };

	return setxattr(path, "system.posix_acl_access", &acl, sizeof(acl), 0);
}

/* Set an inode attribute by ioctl, through a read-only descriptor. */
static inline int cl_attr_ioctl(const char *path, bool fsxattr)
{
	struct fsxattr fsx;
	int fd = open(path, O_RDONLY), flags = 0, ret;

	if (fd < 0)
		return -1;
	if (fsxattr)
		ret = ioctl(fd, FS_IOC_FSGETXATTR, &fsx) < 0 ? -1
							     : ioctl(fd, FS_IOC_FSSETXATTR, &fsx);
	else
		ret = ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0 ? -1
							     : ioctl(fd, FS_IOC_SETFLAGS, &flags);
	close(fd);
	return ret;
}

/* Watch @path: inotify, the way editors and file watchers do. */
static inline int cl_watch(const char *path)
{
	int fd = inotify_init1(IN_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = inotify_add_watch(fd, path, IN_ALL_EVENTS);
	close(fd);
	return ret < 0 ? -1 : 0;
}

/*
 * Open a file by handle, "MOUNT|TYPE:HEX" (the handle made outside):
 * handle-read opens it for reading, handle-stat opens it O_PATH and stats it.
 */
static inline int cl_helper_handle(const char *op, const char *arg)
{
	struct file_handle *fh = calloc(1, sizeof(*fh) + MAX_HANDLE_SZ);
	char mount_path[PATH_MAX], *hex;
	int mfd, fd = -1, ret = 96;
	struct stat st;

	snprintf(mount_path, sizeof(mount_path), "%s", arg);
	hex = strchr(mount_path, '|');
	if (!fh || !hex)
		goto out;
	*hex++ = '\0';
	fh->handle_type = strtol(hex, &hex, 10);
	if (*hex++ != ':')
		goto out;
	while (hex[0] && hex[1] && fh->handle_bytes < MAX_HANDLE_SZ &&
	       sscanf(hex, "%2hhx", &fh->f_handle[fh->handle_bytes]) == 1) {
		fh->handle_bytes++;
		hex += 2;
	}
	/* Not O_PATH: open_by_handle_at takes no O_PATH mount descriptor. */
	mfd = open(mount_path, O_RDONLY | O_DIRECTORY);
	if (mfd >= 0)
		fd = open_by_handle_at(mfd, fh, !strcmp(op, "handle-read") ? O_RDONLY : O_PATH);
	ret = fd < 0 || (!strcmp(op, "handle-stat") && fstat(fd, &st) < 0) ? HELPER_ERRNO + errno
									   : 0;
	if (fd >= 0)
		close(fd);
	if (mfd >= 0)
		close(mfd);
out:
	free(fh);
	return ret;
}

/* Metadata: set times, flags or an ACL; stat, read xattrs or watch. */
static inline int cl_helper_meta(const char *op, const char *path)
{
	char list[256];
	struct stat st;
	int ret;

	if (!strcmp(op, "utimes"))
		ret = utimensat(AT_FDCWD, path, NULL, 0);
	else if (!strcmp(op, "setflags") || !strcmp(op, "fssetxattr"))
		ret = cl_attr_ioctl(path, op[2] == 's');
	else if (!strcmp(op, "set-acl"))
		ret = cl_set_mode_acl(path);
	else if (!strcmp(op, "stat"))
		ret = stat(path, &st);
	else if (!strcmp(op, "getxattr"))
		/*
		 * No such attribute, or none of that kind here (tmpfs before
		 * 6.6 has no user xattrs), is an answer: the object was looked at.
		 */
		ret = getxattr(path, "user.clawlock", list, sizeof(list)) < 0 && errno != ENODATA &&
				      errno != EOPNOTSUPP
			      ? -1
			      : 0;
	else if (!strcmp(op, "getacl"))
		/* 6.2+ reads ACLs through a hook of their own, not getxattr's. */
		ret = getxattr(path, "system.posix_acl_access", list, sizeof(list)) < 0 &&
				      errno != ENODATA && errno != EOPNOTSUPP
			      ? -1
			      : 0;
	else if (!strcmp(op, "listxattr"))
		ret = listxattr(path, list, sizeof(list)) < 0 ? -1 : 0;
	else if (!strcmp(op, "watch"))
		ret = cl_watch(path);
	else
		return -1;
	return ret < 0 ? HELPER_ERRNO + errno : 0;
}

/* "1.2.3.4:80" or "[::1]:80" (with an optional "/udp") into a sockaddr. */
static inline int cl_parse_addr(const char *text, struct sockaddr_storage *ss, socklen_t *len,
				int *type)
{
	char buf[128], *port, *proto;

	snprintf(buf, sizeof(buf), "%s", text);
	*type = SOCK_STREAM;
	proto = strrchr(buf, '/');
	if (proto) {
		*proto++ = '\0';
		*type = !strcmp(proto, "udp") ? SOCK_DGRAM : SOCK_STREAM;
	}
	port = strrchr(buf, ':');
	if (!port)
		return -1;
	*port++ = '\0';
	memset(ss, 0, sizeof(*ss));
	if (buf[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		buf[strlen(buf) - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(atoi(port));
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, buf + 1, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_port = htons(atoi(port));
	*len = sizeof(struct sockaddr_in);
	return inet_pton(AF_INET, buf, &((struct sockaddr_in *)ss)->sin_addr) == 1 ? 0 : -1;
}

/* connect, sendto (unconnected UDP), bind, listen on ADDRESS:PORT[/udp]. */
static inline int cl_helper_net(const char *op, const char *arg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, type, ret;

	if (cl_parse_addr(arg, &ss, &len, &type) < 0)
		return 94;
	fd = socket(ss.ss_family, type, 0);
	if (fd < 0)
		return HELPER_ERRNO + errno;
	if (!strcmp(op, "connect"))
		ret = connect(fd, (struct sockaddr *)&ss, len);
	else if (!strcmp(op, "sendto"))
		ret = sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len) < 0 ? -1 : 0;
	else if (!strcmp(op, "bind"))
		ret = bind(fd, (struct sockaddr *)&ss, len);
	else
		ret = bind(fd, (struct sockaddr *)&ss, len) < 0 ? -1 : listen(fd, 1);
	/* listen-connect: then reach the listener from a second socket. */
	if (!ret && !strcmp(op, "listen-connect")) {
		int peer = socket(ss.ss_family, type, 0);

		ret = peer < 0 ? -1 : connect(peer, (struct sockaddr *)&ss, len);
		if (peer >= 0)
			close(peer);
	}
	ret = ret < 0 ? HELPER_ERRNO + errno : 0;
	close(fd);
	return ret;
}

/* A unix socket: a path, or "@name" for an abstract one. */
static inline socklen_t cl_unix_addr(const char *name, struct sockaddr_un *sun)
{
	size_t n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = strnlen(name, sizeof(sun->sun_path) - 1);

	memcpy(sun->sun_path, name, n);
	if (name[0] == '@')
		sun->sun_path[0] = '\0';
	return offsetof(struct sockaddr_un, sun_path) + n + (name[0] != '@');
}

/*
 * Read one descriptor off the connected unix socket @fd into *@got. Returns
 * 0, HELPER_ERRNO + errno, DENIED_RECV if one was refused, or 93 if none came.
 */
static inline int cl_recv_fd(int fd, int *got)
{
	char data, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &data, 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cmsg;

	if (recvmsg(fd, &msg, 0) < 0)
		return HELPER_ERRNO + errno;
	cmsg = CMSG_FIRSTHDR(&msg);
	/* A refused descriptor is dropped and the message marked truncated. */
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return (msg.msg_flags & MSG_CTRUNC) ? DENIED_RECV : 93;
	memcpy(got, CMSG_DATA(cmsg), sizeof(*got));
	return 0;
}

/* Connect to a unix socket; "recv-fd" then reads one descriptor off it. */
static inline int cl_helper_unix(const char *op, const char *arg)
{
	struct sockaddr_un sun;
	socklen_t len = cl_unix_addr(arg, &sun);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), got;

	if (fd < 0)
		return HELPER_ERRNO + errno;
	if (!strcmp(op, "abstract-bind"))
		return bind(fd, (struct sockaddr *)&sun, len) < 0 ? HELPER_ERRNO + errno : 0;
	if (connect(fd, (struct sockaddr *)&sun, len) < 0)
		return HELPER_ERRNO + errno;
	if (strcmp(op, "recv-fd"))
		return 0;
	return cl_recv_fd(fd, &got);
}

/* Reach another process: signal it, trace it, read its memory or environment. */
static inline int cl_helper_proc(const char *op, const char *arg)
{
	pid_t pid = atoi(arg);
	char path[64];
	int fd;

	if (!strcmp(op, "kill"))
		return kill(pid, SIGTERM) < 0 ? HELPER_ERRNO + errno : 0;
	if (!strcmp(op, "ptrace")) {
		if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0)
			return HELPER_ERRNO + errno;
		return 0;
	}
	if (!strcmp(op, "kill-child")) {
		pid_t child = fork();
		int status;

		if (child == 0) {
			pause();
			_exit(0);
		}
		if (child < 0 || kill(child, SIGKILL) < 0)
			return HELPER_ERRNO + errno;
		waitpid(child, &status, 0);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%s/%s", arg,
		 !strcmp(op, "proc-mem") ? "mem" : "environ");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return HELPER_ERRNO + errno;
	close(fd);
	return 0;
}

/* Exit status of an escape helper: 0 or HELPER_ERRNO + errno. */
static inline int cl_status_of(long ret)
{
	return ret < 0 ? HELPER_ERRNO + errno : 0;
}

/* pidfd_open itself was refused (EACCES), before pidfd_getfd could be asked. */
#define PIDFD_REFUSED 87

/* A value the escape helpers read out of another process (same address after fork). */
static volatile long cl_probe_word = 0x5eC12e7;

/*
 * clone3(CLONE_INTO_CGROUP) into the cgroup directory @dir, named by an
 * O_PATH descriptor (which file_open never sees). The child only exits.
 */
static inline int cl_helper_clone_into(const char *dir)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct clone_args args = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
	long pid;

	if (fd < 0)
		return HELPER_ERRNO + errno;
	args.cgroup = fd;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return cl_status_of(pid);
}

static volatile sig_atomic_t cl_sigio_seen;

static void cl_sigio_handler(int sig)
{
	(void)sig;
	cl_sigio_seen = 1;
}

/*
 * Make a pipe signal @pid (SIGTERM, or SIGUSR1 to ourselves for "self")
 * when it becomes readable, then make it readable. Returns 0 when the
 * calls succeeded (and, for "self", the signal arrived): whether another
 * process got the signal is for the test to see.
 */
static inline int cl_helper_sigio(const char *arg)
{
	int self = !strcmp(arg, "self"), fds[2];
	pid_t pid = self ? getpid() : atoi(arg);

	if (self)
		signal(SIGUSR1, cl_sigio_handler);
	if (pipe(fds) < 0 || fcntl(fds[0], F_SETOWN, pid) < 0 ||
	    fcntl(fds[0], F_SETSIG, self ? SIGUSR1 : SIGTERM) < 0 ||
	    fcntl(fds[0], F_SETFL, O_ASYNC) < 0 || write(fds[1], "x", 1) != 1)
		return HELPER_ERRNO + errno;
	return self && !cl_sigio_seen ? 90 : 0;
}

/* Is this process in a session of its own, with no controlling terminal? */
static inline int cl_helper_no_ctty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);

	if (fd >= 0)
		return 89;
	if (errno != ENXIO)
		return HELPER_ERRNO + errno;
	return getsid(0) == getpid() ? 0 : 88;
}

/* Keys: read key @arg (a serial), or make a keyring and a key of our own and read it. */
static inline int cl_helper_key(const char *op, const char *arg)
{
	char buf[64];
	long serial;

	if (!strcmp(op, "key-read"))
		return cl_status_of(
			syscall(SYS_keyctl, 11 /* KEYCTL_READ */, atol(arg), buf, sizeof(buf)));
	if (syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, NULL) < 0)
		return HELPER_ERRNO + errno;
	serial = syscall(SYS_add_key, "user", "mine", "x", 1, -3 /* session keyring */);
	if (serial < 0)
		return HELPER_ERRNO + errno;
	return cl_status_of(syscall(SYS_keyctl, 11, serial, buf, sizeof(buf)));
}

/* SysV IPC: attach segment @arg, send to queue @arg, or use a segment of our own. */
static inline int cl_helper_ipc(const char *op, const char *arg)
{
	struct {
		long type;
		char text[1];
	} msg = { 1, { 'x' } };
	void *at;
	int id;

	if (!strcmp(op, "msg-send"))
		return cl_status_of(msgsnd(atoi(arg), &msg, sizeof(msg.text), IPC_NOWAIT));
	id = !strcmp(op, "shm-attach") ? atoi(arg) : shmget(IPC_PRIVATE, 4096, 0600);
	if (id < 0)
		return HELPER_ERRNO + errno;
	at = shmat(id, NULL, SHM_RDONLY);
	if (at == (void *)-1)
		return HELPER_ERRNO + errno;
	shmdt(at);
	if (strcmp(op, "shm-attach"))
		return cl_status_of(shmctl(id, IPC_RMID, NULL));
	return 0;
}

/* An io_uring instance, and a mapping of its submission ring. */
static inline int cl_helper_io_uring(void)
{
	struct io_uring_params p = { 0 };
	int fd = syscall(SYS_io_uring_setup, 4, &p);
	void *ring;

	if (fd < 0)
		return HELPER_ERRNO + errno;
	ring = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(__u32), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
	return ring == MAP_FAILED ? HELPER_ERRNO + errno : 0;
}

/* Reach into process @arg: its memory, a descriptor of it, its limits, its I/O priority. */
static inline int cl_helper_reach(const char *op, const char *arg)
{
	pid_t pid = atoi(arg);
	long word = 0;
	struct iovec local = { &word, sizeof(word) },
		     remote = { (void *)&cl_probe_word, sizeof(word) };
	struct rlimit lim;
	int pidfd;

	if (!strcmp(op, "vm-read"))
		return cl_status_of(process_vm_readv(pid, &local, 1, &remote, 1, 0));
	if (!strcmp(op, "pidfd-getfd")) {
		pidfd = syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0)
			return errno == EACCES ? PIDFD_REFUSED : HELPER_ERRNO + errno;
		return cl_status_of(syscall(SYS_pidfd_getfd, pidfd, 0, 0));
	}
	if (!strcmp(op, "prlimit")) {
		if (getrlimit(RLIMIT_NOFILE, &lim) < 0)
			return 95;
		return cl_status_of(prlimit(pid, RLIMIT_NOFILE, &lim, NULL));
	}
	/* IOPRIO_WHO_PROCESS, best effort class (2) level 4. */
	return cl_status_of(syscall(SYS_ioprio_set, 1, pid, (2 << 13) | 4));
}

/* Write @arg (a file name) in our own cgroup's directory. */
static inline int cl_helper_own_cgroup(const char *arg)
{
	char line[PATH_MAX], path[PATH_MAX * 2];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int fd;

	if (!f || !fgets(line, sizeof(line), f) || strncmp(line, "0::", 3))
		return 95;
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s/%s", line + 3, arg);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return HELPER_ERRNO + errno;
	close(fd);
	return 0;
}

/* The escape probes (tests/kernel/task/escape_test.c); -1: not one of them. */
static inline int cl_helper_escape(const char *op, const char *arg)
{
	if (!strcmp(op, "clone-into"))
		return cl_helper_clone_into(arg);
	if (!strcmp(op, "sigio"))
		return cl_helper_sigio(arg);
	if (!strcmp(op, "tiocsti")) {
		int fd = open(arg, O_RDWR | O_NOCTTY);

		int ret;

		if (fd < 0)
			return HELPER_ERRNO + errno;
		ret = cl_status_of(ioctl(fd, TIOCSTI, "x"));
		close(fd);
		return ret;
	}
	if (!strcmp(op, "no-ctty"))
		return cl_helper_no_ctty();
	if (!strcmp(op, "key-read") || !strcmp(op, "key-own"))
		return cl_helper_key(op, arg);
	if (!strcmp(op, "shm-attach") || !strcmp(op, "msg-send") || !strcmp(op, "ipc-own"))
		return cl_helper_ipc(op, arg);
	if (!strcmp(op, "io-uring"))
		return cl_helper_io_uring();
	if (!strcmp(op, "vm-read") || !strcmp(op, "pidfd-getfd") || !strcmp(op, "prlimit") ||
	    !strcmp(op, "ioprio"))
		return cl_helper_reach(op, arg);
	if (!strcmp(op, "own-cgroup-write"))
		return cl_helper_own_cgroup(arg);
	return -1;
}

/*
 * Read @path over and over, saying "ready" once the first read was tried.
 * A line "mark" on stdin is answered with the count of reads tried so far;
 * anything else (or its end) stops the loop, answered with the counts of
 * reads tried and of reads that got through. Exit 0 when every read was
 * denied.
 */
static inline int cl_helper_read_loop(const char *path)
{
	struct pollfd in = { .fd = 0, .events = POLLIN };
	unsigned long tried = 0, through = 0;
	int other = 0;

	for (;;) {
		char line[64];
		ssize_t n;
		int fd = open(path, O_RDONLY);

		if (fd >= 0) {
			through++;
			close(fd);
		} else if (errno != EACCES) {
			other = errno;
		}
		if (!tried++ && write(1, "ready\n", 6) != 6)
			return 99;
		if (poll(&in, 1, 0) == 0)
			continue;
		n = read(0, line, sizeof(line) - 1);
		if (n > 0 && !strncmp(line, "mark", 4)) {
			dprintf(1, "tried %lu\n", tried);
			continue;
		}
		break;
	}
	dprintf(1, "tried %lu through %lu\n", tried, through);
	return through ? 94 : other ? HELPER_ERRNO + other : 0;
}

/* Calls that need no helper of their own; -1 for another op. */
static inline int cl_helper_single(const char *op, const char *path)
{
	if (!strcmp(op, "exec-ldso")) {
		char *argv[] = { "/lib64/ld-linux-x86-64.so.2", (char *)path, NULL };

		execv(argv[0], argv);
		return HELPER_ERRNO + errno;
	}
	if (!strcmp(op, "fd-open")) {
		struct stat st;

		return fstat(atoi(path), &st) < 0 ? HELPER_ERRNO + errno : 0;
	}
	if (!strcmp(op, "chown"))
		return chown(path, 1, 1) < 0 ? HELPER_ERRNO + errno : 0;
	if (!strcmp(op, "raw") || !strcmp(op, "packet")) {
		int fd = op[0] == 'r' ? socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
				      : socket(AF_PACKET, SOCK_RAW, 0);

		return fd < 0 ? HELPER_ERRNO + errno : 0;
	}
	return -1;
}

/* A plain open or exec of @path; -1 for another op. */
static inline int cl_helper_open(const char *op, const char *path)
{
	int fd;

	if (!strcmp(op, "read")) {
		fd = open(path, O_RDONLY);
	} else if (!strcmp(op, "write")) {
		fd = open(path, O_WRONLY | O_CREAT, 0644);
	} else if (!strcmp(op, "trunc")) {
		fd = open(path, O_RDONLY | O_TRUNC);
	} else if (!strcmp(op, "exec")) {
		char *argv[] = { (char *)path, NULL };

		execv(path, argv);
		return HELPER_ERRNO + errno;
	} else {
		return -1;
	}
	if (fd < 0)
		return HELPER_ERRNO + errno;
	close(fd);
	return 0;
}

/* Reads that wait for the test, repeat, or come from a child; -1 for another op. */
static inline int cl_helper_reads(const char *op, const char *path)
{
	if (!strcmp(op, "wait-read")) {
		char line[16];

		/* Tell the test we are confined, then wait for its go. */
		if (write(1, "ready\n", 6) != 6 || read(0, line, sizeof(line)) <= 0)
			return 99;
		return cl_helper_open("read", path);
	}
	if (!strcmp(op, "read-loop"))
		return cl_helper_read_loop(path);
	if (!strcmp(op, "read-many")) {
		/* 1,000 opens, each answered as the first was. */
		int first = cl_helper_open("read", path);

		for (int i = 1; i < 1000; i++)
			if (cl_helper_open("read", path) != first)
				return 96;
		return first;
	}
	if (!strcmp(op, "flood")) {
		/* 100,000 opens the policy denies, as fast as they go. */
		for (int i = 0; i < 100000; i++) {
			int fd = open(path, O_RDONLY);

			if (fd >= 0 || errno != EACCES)
				return 95;
		}
		return 0;
	}
	if (!strcmp(op, "fork-read")) {
		int status;
		pid_t pid = fork();

		if (pid == 0)
			_exit(cl_helper_open("read", path));
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
			return 98;
		return WEXITSTATUS(status);
	}
	return -1;
}

/* The families that answer to their own op names, in turn; each says -1 for another. */
static int (*const cl_helper_families[])(const char *op, const char *path) = {
	cl_helper_single,    cl_helper_change, cl_helper_escape, cl_helper_meta,
	cl_helper_hardening, cl_helper_open,   cl_helper_reads,
};

static inline int cl_helper_op(const char *op, const char *path)
{
	if (!strcmp(op, "rename") || !strcmp(op, "link"))
		return cl_helper_pair(op, path);
	if (!strcmp(op, "mmap-exec") || !strcmp(op, "mprotect-exec"))
		return cl_helper_map_exec(path, op[1] == 'p');
	if (!strcmp(op, "exec-deleted") || !strcmp(op, "exec-memfd"))
		return cl_helper_exec_fd(op, path);
	if (!strcmp(op, "connect") || !strcmp(op, "sendto") || !strcmp(op, "bind") ||
	    !strcmp(op, "listen") || !strcmp(op, "listen-connect"))
		return cl_helper_net(op, path);
	if (!strcmp(op, "unix-connect") || !strcmp(op, "recv-fd") || !strcmp(op, "abstract-bind"))
		return cl_helper_unix(op, path);
	if (!strcmp(op, "kill") || !strcmp(op, "ptrace") || !strcmp(op, "kill-child") ||
	    !strcmp(op, "proc-mem") || !strcmp(op, "proc-environ"))
		return cl_helper_proc(op, path);
	if (!strcmp(op, "handle-read") || !strcmp(op, "handle-stat"))
		return cl_helper_handle(op, path);
	for (size_t i = 0; i < sizeof(cl_helper_families) / sizeof(cl_helper_families[0]); i++) {
		int ret = cl_helper_families[i](op, path);

		if (ret >= 0)
			return ret;
	}
	return 97;
}

/* Runs before main(): the test binary doubles as the confined helper. */
__attribute__((constructor)) static void cl_helper_main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--helper"))
		_exit(cl_helper_op(argv[2], argv[3]));
}

/*
 * @rel below the folder @dir, written into @buf; an absolute @rel is
 * returned as it is. The next call with the same @buf overwrites it.
 */
static inline const char *cl_path_in(char *buf, size_t size, const char *dir, const char *rel)
{
	if (rel[0] == '/')
		return rel;
	snprintf(buf, size, "%s/%s", dir, rel);
	return buf;
}

/*
 * @rel below the test's folder self->@dir, in self->path (one buffer: copy
 * a result out before the next call). Each test file binds its own at():
 *   #define at(self, rel) CL_AT(self, root, rel)
 */
#define CL_AT(self, dir, rel) cl_path_in((self)->path, sizeof((self)->path), (self)->dir, (rel))

static inline int cl_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * @text with each @KEY@ in it replaced by the value paired with KEY in
 * @pairs (KEY, VALUE, KEY, VALUE, ..., NULL); any other '@' stays as it is.
 * A template names what goes where, as positional %s cannot. Returns the
 * text, malloc'd (free it), or NULL if it could not be made. CL_FILL makes
 * the list:
 *   text = CL_FILL("{ agents: { '@AGENT@': { files: { '@ROOT@': 'read' } } } }",
 *                  "AGENT", self->agent, "ROOT", self->root);
 */
static inline char *cl_fill(const char *text, const char *const pairs[])
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	while (*text) {
		size_t i;

		for (i = 0; pairs[i]; i += 2) {
			size_t n = strlen(pairs[i]);

			if (text[0] == '@' && !strncmp(text + 1, pairs[i], n) && text[n + 1] == '@')
				break;
		}
		if (pairs[i]) {
			fputs(pairs[i + 1], f);
			text += strlen(pairs[i]) + 2;
		} else {
			fputc(*text++, f);
		}
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

#define CL_FILL(text, ...) cl_fill((text), (const char *const[]){ __VA_ARGS__, NULL })

/* cl_fill @text with @pairs and write it to @path: 0, or -1 if either failed. */
static inline int cl_write_filled(const char *path, const char *text, const char *const pairs[])
{
	char *filled = cl_fill(text, pairs);
	int ret = filled ? cl_write_file(path, filled) : -1;

	free(filled);
	return ret;
}

#define CL_WRITE_FILLED(path, text, ...)                                                           \
	cl_write_filled((path), (text), (const char *const[]){ __VA_ARGS__, NULL })

static inline int cl_rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static inline void cl_rm_tree(const char *path)
{
	nftw(path, cl_rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/*
 * Find the first event of @agent whose path is @path, from `clawlock events
 * --json --agent A`. Returns a new object (json_object_put it) or NULL.
 * Reading consumes every waiting event, so each test uses its own agent id
 * and reads its events right after causing them.
 */
static inline struct json_object *cl_find_event(const char *agent, const char *path)
{
	static char out[1 << 20];
	struct json_object *found = NULL;
	char *save = NULL;

	if (cl_run_clawlock(out, sizeof(out), "events", "--json", "--agent", agent, NULL) != 0)
		return NULL;
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *ev = json_tokener_parse(line), *p;

		if (!found && ev && json_object_object_get_ex(ev, "target", &p) &&
		    !strcmp(json_object_get_string(p), path)) {
			found = ev;
			continue;
		}
		json_object_put(ev);
	}
	return found;
}

static inline const char *cl_event_str(struct json_object *ev, const char *key)
{
	struct json_object *v;

	if (!ev || !json_object_object_get_ex(ev, key, &v) || !v)
		return "";
	return json_object_get_string(v);
}

/*
 * What @agent's event about @target lacks of @fields ("key=value" each,
 * NULL-ended; CL_FIELDS makes the list): NULL when it has them all, else
 * the first one missing and what the event said. Reads the events as
 * cl_find_event does.
 */
static inline const char *cl_event_lacks(const char *agent, const char *target,
					 const char *const *fields)
{
	static char why[512];
	struct json_object *ev = cl_find_event(agent, target);

	if (!ev) {
		snprintf(why, sizeof(why), "no event about %s", target);
		return why;
	}
	for (; *fields; fields++) {
		size_t len = strcspn(*fields, "=");
		const char *want = (*fields)[len] ? *fields + len + 1 : "";
		char key[64];

		snprintf(key, sizeof(key), "%.*s", (int)len, *fields);
		if (strcmp(cl_event_str(ev, key), want)) {
			snprintf(why, sizeof(why), "%s: wanted %s, got \"%s\"", target, *fields,
				 cl_event_str(ev, key));
			json_object_put(ev);
			return why;
		}
	}
	json_object_put(ev);
	return NULL;
}

#define CL_FIELDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* `clawlock status --json`, parsed (json_object_put it); NULL if it failed. */
static inline struct json_object *cl_status(void)
{
	static char out[1 << 16];

	if (cl_run_clawlock(out, sizeof(out), "status", "--json", NULL) != 0)
		return NULL;
	return json_tokener_parse(out);
}

/* A counter of `clawlock status` ("walkCacheHits", ...); -1 if unreadable. */
static inline long long cl_status_count(const char *name)
{
	struct json_object *st = cl_status(), *v;
	long long n = -1;

	if (st && json_object_object_get_ex(st, name, &v))
		n = json_object_get_int64(v);
	json_object_put(st);
	return n;
}

/* The binding of @agent in a status object, or NULL. */
static inline struct json_object *cl_binding_of(struct json_object *st, const char *agent)
{
	struct json_object *list, *b, *v;

	if (!st || !json_object_object_get_ex(st, "bindings", &list))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		b = json_object_array_get_idx(list, i);
		if (json_object_object_get_ex(b, "agent", &v) &&
		    !strcmp(json_object_get_string(v), agent))
			return b;
	}
	return NULL;
}

/* A process outside any sandbox, for a test to signal, trace or read; its pid, or -1. */
static inline pid_t cl_start_host(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static inline void cl_stop_host(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Run one helper operation in cgroup @cgroup (entered directly); its exit status. */
static inline int cl_in_cgroup(const char *cgroup, const char *op, const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (cl_cgroup_enter(cgroup) < 0)
			_exit(96);
		_exit(cl_helper_op(op, path));
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#endif /* CLAWLOCK_CLTEST_H */
