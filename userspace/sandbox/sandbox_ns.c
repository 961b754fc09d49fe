// SPDX-License-Identifier: GPL-2.0
/*
 * sandbox_ns.c - scratch, network and identity for `clawlock sandbox exec`.
 *
 * Scratch: each call gets a private mount namespace (as systemd's PrivateTmp
 * does) in which /tmp, /var/tmp, /run (docker.tmpfs) and /dev/shm are bind
 * mounts of directories kept per scope under /run/clawlock/scopes/<slug>/
 * scratch/. A namespace per call costs an unshare and a few mounts; what a
 * call leaves in /tmp is there for the next call of the same scope, and no
 * other scope, nor the host, sees it.
 *
 * Network: docker.network "none" is a network namespace made on the first
 * call, with only loopback up, kept by bind-mounting its nsfs file on
 * <scope>/net (as `ip netns add` does), and joined by every later call, so
 * a server started in one call and a client in another meet on 127.0.0.1.
 *
 * Terminals: the command has no controlling terminal and its own /dev/pts,
 * as in a container that `docker exec` reached without -t.
 */
#include "sandbox/sandbox_ns.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <pwd.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/magic.h>

#include "util.h"

bool cl_scope_scratch(const char *dir, char *out, size_t size)
{
	return cl_format(out, size, "%s/scratch", dir);
}

static int mkdir_mode(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST) {
		cl_error("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int cl_scope_dir_make(const char *dir)
{
	char scratch[PATH_MAX];

	if (mkdir_mode("/run/clawlock", 0700) < 0 || mkdir_mode(CL_SCOPES_DIR, 0700) < 0 ||
	    mkdir_mode(dir, 0700) < 0)
		return -1;
	if (!cl_scope_scratch(dir, scratch, sizeof(scratch))) {
		cl_error("%s: path too long", dir);
		return -1;
	}
	return mkdir_mode(scratch, 0700);
}

/* A descriptor of the network namespace kept at @path, or -1 if none is there. */
static int open_netns(const char *path)
{
	struct statfs fs;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	if (fstatfs(fd, &fs) < 0 || fs.f_type != NSFS_MAGIC) {
		close(fd);
		return -1;
	}
	return fd;
}

static int loopback_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = -1;

	if (fd < 0)
		return -1;
	cl_strlcpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return ret;
}

/* Make a namespace with loopback up and keep it at @path; the caller stays in its own. */
static int make_netns(const char *path)
{
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), fd, ret = -1;

	if (home < 0)
		goto fail;
	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		goto fail;
	close(fd);
	if (unshare(CLONE_NEWNET) < 0 || loopback_up() < 0 ||
	    mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
		goto fail;
	ret = 0;
fail:
	if (ret < 0)
		cl_error("cannot make the scope's network namespace %s: %s", path, strerror(errno));
	if (home >= 0 && setns(home, CLONE_NEWNET) < 0 && !ret) {
		cl_error("cannot return to the host's network namespace: %s", strerror(errno));
		ret = -1;
	}
	if (home >= 0)
		close(home);
	return ret;
}

int cl_scope_join_net(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	if (!cl_format(path, sizeof(path), "%s/net", dir))
		return -1;
	fd = open_netns(path);
	if (fd < 0 && (make_netns(path) < 0 || (fd = open_netns(path)) < 0))
		return -1;
	if (setns(fd, CLONE_NEWNET) < 0) {
		cl_error("cannot join the scope's network namespace %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Scratch directory name of mount target @target: "/var/tmp" -> "var-tmp". */
static bool scratch_name(const char *target, char *out, size_t size)
{
	if (target[0] != '/' || !target[1] || !cl_strlcpy(out, target + 1, size))
		return false;
	for (char *p = out; *p; p++) {
		if (*p == '/')
			*p = '-';
	}
	return strcmp(out, ".") && strcmp(out, "..");
}

bool cl_scope_scratch_of(const char *dir, const char *target, char *out, size_t size)
{
	char name[PATH_MAX];

	return scratch_name(target, name, sizeof(name)) &&
	       cl_format(out, size, "%s/scratch/%s", dir, name);
}

/* Is @path the root of a mount (a tmpfs already there)? */
static bool mount_root(const char *path)
{
	struct stat st, up;
	char parent[PATH_MAX + 4];

	return cl_format(parent, sizeof(parent), "%s/..", path) && lstat(parent, &up) == 0 &&
	       lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_dev != up.st_dev;
}

/* The size the tmpfs at @path holds now, in bytes (tmpfs rounds up to pages). */
static bool tmpfs_holds(const char *path, unsigned long long size)
{
	unsigned long long page = (unsigned long long)sysconf(_SC_PAGESIZE);
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == TMPFS_MAGIC &&
	       (unsigned long long)fs.f_blocks * (unsigned long long)fs.f_bsize ==
		       (size + page - 1) / page * page;
}

/*
 * One tmpfs at @path: never suid, dev or exec on the host's side; the
 * sandbox's own bind of it says the rest. 1 if mounted, 0 if it was there
 * at this size, -1. A tmpfs that shrinks below what it holds is refused by
 * the kernel: an error, not a larger scratch than the config says.
 */
static int sized_tmpfs(const char *path, unsigned long long size)
{
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	bool there = mount_root(path);
	char data[64];

	if (there && tmpfs_holds(path, size))
		return 0;
	cl_format(data, sizeof(data), "size=%llu,mode=1777", size);
	if (mount("tmpfs", path, "tmpfs", there ? flags | MS_REMOUNT : flags, data) < 0) {
		cl_error("cannot %s the scope's scratch %s as a tmpfs of %llu bytes: %s",
			 there ? "resize" : "mount", path, size, strerror(errno));
		return -1;
	}
	return there ? 0 : 1;
}

int cl_scope_sized_scratch(const char *dir, const struct cl_scratch *scratch, size_t count)
{
	char path[PATH_MAX];
	struct stat st;
	int made = 0, ret;

	for (size_t i = 0; i < count; i++) {
		if (!scratch[i].size || stat(scratch[i].path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (!cl_scope_scratch_of(dir, scratch[i].path, path, sizeof(path))) {
			cl_error("%s: path too long", dir);
			return -1;
		}
		if (mkdir(path, 01777) < 0 && errno != EEXIST) {
			cl_error("cannot create %s: %s", path, strerror(errno));
			return -1;
		}
		ret = sized_tmpfs(path, scratch[i].size);
		if (ret < 0)
			return -1;
		made |= ret;
	}
	return made;
}

/* Open (making it if needed) the scratch directory for @target; -1 to skip it. */
static int open_scratch(const char *dir, const char *target, uid_t uid, gid_t gid)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (stat(target, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    !cl_scope_scratch_of(dir, target, path, sizeof(path)))
		return -1;
	if (mkdir(path, 01777) < 0 && errno != EEXIST)
		return -1;
	fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* As Docker's tmpfs: world-writable with the sticky bit, owned by the user. */
	if (fd >= 0 && (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0 || chmod(path, 01777) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* @flags: MS_RDONLY, MS_NOEXEC as docker.tmpfs asks; never suid or dev. */
static int bind_scratch(int fd, const char *target, unsigned long flags)
{
	char source[64];

	snprintf(source, sizeof(source), "/proc/self/fd/%d", fd);
	flags |= MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV;
	if (mount(source, target, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, target, NULL, flags, NULL) < 0) {
		cl_error("cannot mount the scope's scratch on %s: %s", target, strerror(errno));
		return -1;
	}
	return 0;
}

static bool listed(const char *const *targets, size_t count, const char *path)
{
	for (size_t i = 0; i < count; i++) {
		if (!strcmp(targets[i], path))
			return true;
	}
	return false;
}

/*
 * Open what must stay visible: each directory of @keep that lies under one
 * of @targets (a workspace in /tmp), resolved now, before any mount hides
 * it. Returns how many; their resolved paths go in @at.
 */
static size_t open_kept(const char *const *targets, size_t n, char *const *keep, size_t count,
			int *fds, char **at)
{
	size_t kept = 0;

	for (size_t i = 0; i < count; i++) {
		char *real = keep[i] ? cl_realpath(keep[i], NULL) : NULL;
		bool hidden = false;

		for (size_t t = 0; real && t < n; t++)
			hidden |= cl_path_inside(targets[t], real);
		if (hidden) {
			fds[kept] = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fds[kept] >= 0) {
				at[kept++] = real;
				continue;
			}
		}
		free(real);
	}
	return kept;
}

/*
 * The directory @path in the scratch now mounted, made (as root's) where it
 * is missing, and open: never through a link. The sandbox owns its
 * scratch, and a link it left there could aim this mount anywhere, even at
 * the cgroup the call is about to join. -1 (errno set) on anything else.
 */
static int open_mountpoint(const char *path)
{
	char buf[PATH_MAX], *part, *save = NULL;
	int dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), next;

	if (dir < 0 || !cl_strlcpy(buf, path, sizeof(buf))) {
		if (dir >= 0)
			close(dir);
		return -1;
	}
	for (part = strtok_r(buf, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (mkdirat(dir, part, 0755) < 0 && errno != EEXIST)
			break;
		next = openat(dir, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dir);
		dir = next;
		if (dir < 0)
			return -1;
	}
	if (part) {
		close(dir);
		return -1;
	}
	return dir;
}

/* Put the directory open as @fd back at @path, over the scratch. */
static int bind_kept(int fd, const char *path)
{
	char source[64], target[64];
	int at = open_mountpoint(path), ret = 0;

	snprintf(source, sizeof(source), "/proc/self/fd/%d", fd);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", at);
	if (at < 0 || mount(source, target, NULL, MS_BIND, NULL) < 0) {
		cl_error("cannot keep %s visible over the scope's scratch: %s", path,
			 strerror(errno));
		ret = -1;
	}
	if (at >= 0)
		close(at);
	return ret;
}

/*
 * The host's terminals stay the host's: a devpts instance of the
 * namespace's own on /dev/pts (and its ptmx on /dev/ptmx), as Docker
 * gives a container, so the sandbox can make ptys but sees none of the
 * host's. Nothing to do where the host has no /dev/pts.
 */
static int private_ptys(void)
{
	struct stat st;

	if (stat("/dev/pts", &st) < 0)
		return 0;
	if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") < 0) {
		cl_error("cannot mount a private /dev/pts: %s", strerror(errno));
		return -1;
	}
	if (stat("/dev/ptmx", &st) == 0 &&
	    mount("/dev/pts/ptmx", "/dev/ptmx", NULL, MS_BIND, NULL) < 0) {
		cl_error("cannot bind the private /dev/pts/ptmx on /dev/ptmx: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The mount targets, each once (its first entry's flags), and /dev/shm; how many. */
static size_t pick_targets(const struct cl_scratch *scratch, size_t count, const char **targets,
			   unsigned long *flags)
{
	size_t want = 0;

	for (size_t i = 0; i < count; i++) {
		if (listed(targets, want, scratch[i].path))
			continue;
		flags[want] = (scratch[i].read_only ? MS_RDONLY : 0) |
			      (scratch[i].no_exec ? MS_NOEXEC : 0);
		targets[want++] = scratch[i].path;
	}
	if (!listed(targets, want, "/dev/shm")) {
		flags[want] = 0;
		targets[want++] = "/dev/shm";
	}
	return want;
}

int cl_scope_private_mounts(const char *dir, const struct cl_scratch *scratch, size_t count,
			    char *const *keep, size_t keep_count, uid_t uid, gid_t gid)
{
	const char *targets[count + 1];
	unsigned long flags[count + 1];
	char *kept_at[keep_count + 1];
	int fds[count + 1], kept_fds[keep_count + 1], ret = -1;
	size_t n = 0, want = pick_targets(scratch, count, targets, flags), kept = 0;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		cl_error("cannot make a private mount namespace: %s", strerror(errno));
		return -1;
	}
	/*
	 * Every source is opened before the first mount (a scratch over /run
	 * hides /run/clawlock), and in the new namespace: a bind mount's
	 * source must be a mount of the caller's own namespace.
	 */
	for (size_t i = 0; i < want; i++) {
		fds[n] = open_scratch(dir, targets[i], uid, gid);
		if (fds[n] >= 0) {
			flags[n] = flags[i];
			targets[n++] = targets[i];
		}
	}
	/* As Docker's own mounts do, the workspace stays over the scratch. */
	kept = open_kept(targets, n, keep, keep_count, kept_fds, kept_at);
	for (size_t i = 0; i < n; i++) {
		if (bind_scratch(fds[i], targets[i], flags[i]) < 0)
			goto out;
	}
	for (size_t i = 0; i < kept; i++) {
		if (bind_kept(kept_fds[i], kept_at[i]) < 0)
			goto out;
	}
	ret = private_ptys();
out:
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	for (size_t i = 0; i < kept; i++) {
		close(kept_fds[i]);
		free(kept_at[i]);
	}
	return ret;
}

int cl_leave_terminal(void)
{
	int fd, ret = 0;

	/* Not a process group leader (a child Node spawned without detached). */
	if (setsid() >= 0)
		return 0;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ENXIO)
		return 0; /* a group leader with no terminal: OpenClaw's exec calls */
	if (fd < 0) {
		cl_error("cannot tell whether there is a controlling terminal: %s",
			 strerror(errno));
		return -1;
	}
	/* Not a session leader: TIOCNOTTY lets go of the terminal for this process alone. */
	if (getsid(0) == getpid()) {
		cl_error("cannot leave the controlling terminal: clawlock leads its session");
		ret = -1;
	} else if (ioctl(fd, TIOCNOTTY) < 0) {
		cl_error("cannot leave the controlling terminal: %s", strerror(errno));
		ret = -1;
	}
	close(fd);
	return ret;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT) {
		cl_error("cannot remove %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Unmount @path if something is mounted there; 0, or -1 after saying why. */
static int unmount_if(const char *path)
{
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT) {
		cl_error("cannot unmount %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The sized scratch, whatever the config says now (it may have changed
 * since): every mount on a directory of @dir/scratch/. The removal below
 * crosses no mount, and would leave them and their directories behind.
 */
static int unmount_scratch(const char *dir)
{
	char scratch[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int ret = 0;

	if (!cl_scope_scratch(dir, scratch, sizeof(scratch)))
		return -1;
	d = opendir(scratch);
	while (d && (e = readdir(d))) {
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    cl_format(path, sizeof(path), "%s/%s", scratch, e->d_name) &&
		    unmount_if(path) < 0)
			ret = -1;
	}
	if (d)
		closedir(d);
	return ret;
}

int cl_scope_dir_remove(const char *dir)
{
	char net[PATH_MAX];

	if (!cl_format(net, sizeof(net), "%s/net", dir))
		return -1;
	if (unmount_if(net) < 0 || unmount_scratch(dir) < 0)
		return -1;
	if (access(dir, F_OK) < 0 && errno == ENOENT)
		return 0;
	return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) ? -1 : 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
	}
	return true;
}

/*
 * A numeric id, refused unless it fits: a cast would wrap 4294967296 to 0
 * (root), and (uid_t)-1 to setresuid() means "leave it as it is" (root).
 */
static int parse_id(const char *text, unsigned int *id, char *err, size_t errsize)
{
	unsigned long long value;
	char *end;

	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno || *end || value >= UINT32_MAX) {
		cl_format(err, errsize, "'%s' is not a user or group id", text);
		return -1;
	}
	*id = (unsigned int)value;
	return 0;
}

static int parse_group(const char *group, gid_t *gid, char *err, size_t errsize)
{
	struct group *gr;

	if (all_digits(group))
		return parse_id(group, gid, err, errsize);
	gr = getgrnam(group);
	if (!gr) {
		cl_format(err, errsize, "no group '%s' on this host", group);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

int cl_parse_user(const char *spec, uid_t *uid, gid_t *gid, char *err, size_t errsize)
{
	char user[256], *group;
	struct passwd *pw;
	unsigned int number;

	if (!cl_strlcpy(user, spec, sizeof(user)) || !user[0]) {
		cl_format(err, errsize, "not a user");
		return -1;
	}
	group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	if (all_digits(user) && parse_id(user, &number, err, errsize) < 0)
		return -1;
	pw = all_digits(user) ? getpwuid(number) : getpwnam(user);
	if (!pw && !all_digits(user)) {
		cl_format(err, errsize, "no user '%s' on this host", user);
		return -1;
	}
	*uid = pw ? pw->pw_uid : number;
	/* A uid the host does not know gets its own number as group, never root's. */
	*gid = pw ? pw->pw_gid : (gid_t)*uid;
	return group ? parse_group(group, gid, err, errsize) : 0;
}

/* Every id of the process is now @uid and @gid: checked, not assumed. */
static bool became(uid_t uid, gid_t gid)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	return getresuid(&r, &e, &s) == 0 && getresgid(&rg, &eg, &sg) == 0 && r == uid &&
	       e == uid && s == uid && rg == gid && eg == gid && sg == gid;
}

/*
 * The command's standard streams, when they are the caller's anonymous
 * pipes, become @uid's, as runc does for `docker exec -u`: without it a
 * program that reopens /dev/stdout (a shell's "> /dev/stdout", a compiler
 * writing "-o /dev/stdout") is refused a root-owned mode-0600 pipe. Named
 * FIFOs (the host's files), sockets (which cannot be reopened, and whose
 * owner routing and peers see), files and terminals stay whose they are; a
 * failure only leaves them as they were. A pipe is the sandbox's to reopen
 * either way then: a caller gives each call pipes of its own (the plugin
 * does), never one it shares with others.
 */
static void give_streams(uid_t uid, gid_t gid)
{
	struct statfs fs;
	struct stat st;

	for (int fd = 0; fd <= 2; fd++) {
		if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode) || fstatfs(fd, &fs) < 0 ||
		    fs.f_type != PIPEFS_MAGIC || (st.st_uid == uid && st.st_gid == gid))
			continue;
		if (fchown(fd, uid, gid) < 0)
			cl_debug("standard stream %d stays %u's: %s", fd, (unsigned int)st.st_uid,
				 strerror(errno));
	}
}

/*
 * Set the process's capabilities to @caps (bit n: capability n), in its
 * permitted and effective sets, none inheritable. glibc has no wrapper for
 * capset, and two calls do not warrant libcap.
 */
static int set_capabilities(__u64 caps)
{
	struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	data[0].permitted = data[0].effective = (__u32)caps;
	data[1].permitted = data[1].effective = (__u32)(caps >> 32);
	return syscall(SYS_capset, &head, data);
}

int cl_become(uid_t uid, gid_t gid)
{
	give_streams(uid, gid);
	/* Root keeps root's capabilities: the policy's capDrop decides them. */
	if (uid && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
		cl_error("cannot keep a capability across the change of user: %s", strerror(errno));
		return -1;
	}
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		cl_error("cannot become %u:%u: %s", (unsigned int)uid, (unsigned int)gid,
			 strerror(errno));
		return -1;
	}
	if (!became(uid, gid)) {
		cl_error("the identity %u:%u did not take", (unsigned int)uid, (unsigned int)gid);
		return -1;
	}
	if (uid && set_capabilities(1ULL << CAP_DAC_OVERRIDE) < 0) {
		cl_error("cannot keep CAP_DAC_OVERRIDE alone: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		cl_error("cannot set no-new-privileges: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int cl_drop_last_capability(void)
{
	if (!geteuid())
		return 0;
	if (set_capabilities(0) < 0 || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
		cl_error("cannot drop CAP_DAC_OVERRIDE: %s", strerror(errno));
		return -1;
	}
	return 0;
}
