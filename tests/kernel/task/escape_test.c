// SPDX-License-Identifier: GPL-2.0
/*
 * escape_test.c - process-side escapes found by attacking confined agents
 * (run in the test VM): a child started in another cgroup by
 * clone3(CLONE_INTO_CGROUP), SIGIO aimed at a host process, typing into a
 * terminal (TIOCSTI) and the controlling terminal `clawlock run` leaves,
 * prlimit and ioprio_set on a host process, the host's keys and SysV IPC
 * objects, io_uring, process_vm_readv and pidfd_getfd of a host process,
 * writes to the sandbox's own cgroup and to sysctls. Each is refused inside
 * a sandbox and, where it is harmless, shown to work from outside.
 */
#include "cltest.h"
#include "kselftest_harness.h"

#include <termios.h>

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

FIXTURE(esc)
{
	char root[64];
	char policy[128];
	char agent[32];
	char host_pid[16];
	pid_t host; /* a process outside any sandbox */
};

FIXTURE_SETUP(esc)
{
	static const char policy_template[] =
		"{ include: '@SRC@/policies/baseline.json5', agents: { '@AGENT@': { use: ['system'],"
		" files: { '@TESTDIR@': 'read,exec', '@ROOT@': 'read,write' } } } }";

	strcpy(self->root, "/tmp/cl-esc-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->policy, sizeof(self->policy), "%s/policy.json5", self->root);
	snprintf(self->agent, sizeof(self->agent), "esc-%d", getpid());
	ASSERT_EQ(0, CL_WRITE_FILLED(self->policy, policy_template, "SRC", cl_source(), "AGENT",
				     self->agent, "TESTDIR", cl_self_dir(), "ROOT", self->root));
	self->host = cl_start_host();
	ASSERT_LE(0, self->host);
	snprintf(self->host_pid, sizeof(self->host_pid), "%d", self->host);
	ASSERT_EQ(0, cl_load());
}

FIXTURE_TEARDOWN(esc)
{
	cl_stop_host(self->host);
	cl_rm_tree(self->root);
}

#define AS(op, arg) cl_confined(self->policy, self->agent, op, arg, NULL)

/* The first event of this test's agent about @target has op @op. */
static void expect_event(struct __test_metadata *_metadata, const char *agent, const char *target,
			 const char *op, const char *reason)
{
	struct json_object *ev = cl_find_event(agent, target);

	ASSERT_NE(NULL, ev)
	{
		TH_LOG("no event for '%s'", target);
	}
	EXPECT_STREQ(op, cl_event_str(ev, "op"));
	EXPECT_STREQ(reason, cl_event_str(ev, "reason"));
	json_object_put(ev);
}

/* Is @pid alive, with no signal waiting for it? */
static int untouched(pid_t pid)
{
	char path[64], line[256];
	int clean = 1;
	FILE *f;

	if (waitpid(pid, NULL, WNOHANG) != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if ((!strncmp(line, "SigPnd:", 7) || !strncmp(line, "ShdPnd:", 7)) &&
		    strspn(line + 7, "\t 0") != strlen(line + 7) - 1)
			clean = 0;
	fclose(f);
	return clean;
}

/*
 * clone3(CLONE_INTO_CGROUP) with an O_PATH descriptor of a cgroup outside
 * the sandbox: the root cgroup, and a sibling owned by the agent's uid.
 */
FIXTURE(cgroup_escape)
{
	char policy[128];
	char agent[32];
	char sibling[PATH_MAX];
	char root[64];
};

FIXTURE_VARIANT(cgroup_escape)
{
	bool sibling;
};

FIXTURE_VARIANT_ADD(cgroup_escape, root_cgroup){
	.sibling = false,
};

FIXTURE_VARIANT_ADD(cgroup_escape, sibling_cgroup){
	.sibling = true,
};

FIXTURE_SETUP(cgroup_escape)
{
	static const char policy_template[] =
		"{ include: '@SRC@/policies/baseline.json5', agents: { '@AGENT@': { use: ['system'],"
		" files: { '@TESTDIR@': 'read,exec' } } } }";

	strcpy(self->root, "/tmp/cl-cge-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->policy, sizeof(self->policy), "%s/policy.json5", self->root);
	snprintf(self->agent, sizeof(self->agent), "cge-%d", getpid());
	ASSERT_EQ(0, CL_WRITE_FILLED(self->policy, policy_template, "SRC", cl_source(), "AGENT",
				     self->agent, "TESTDIR", cl_self_dir()));
	snprintf(self->sibling, sizeof(self->sibling), "/sys/fs/cgroup/cl-sibling-%d", getpid());
	ASSERT_EQ(0, mkdir(self->sibling, 0755));
	/* Delegated to the agent's uid, as a user's own cgroups are. */
	ASSERT_EQ(0, chown(self->sibling, getuid(), getgid()));
	ASSERT_EQ(0, cl_load());
}

FIXTURE_TEARDOWN(cgroup_escape)
{
	rmdir(self->sibling);
	cl_rm_tree(self->root);
}

TEST_F(cgroup_escape, clone_into_cgroup_is_refused)
{
	const char *target = variant->sibling ? self->sibling : "/sys/fs/cgroup";
	char procs[PATH_MAX + 16], buf[64] = "";
	int fd;

	EXPECT_EQ(REFUSED, cl_confined(self->policy, self->agent, "clone-into", target, NULL));
	expect_event(_metadata, self->agent, "", "cgroup", "never-in-a-sandbox");
	/* No child ever ran in the sibling. */
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", self->sibling);
	fd = open(procs, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	close(fd);
	/* From outside, the same call places the child there. */
	EXPECT_EQ(0, cl_helper_op("clone-into", target));
}

/* F_SETOWN + F_SETSIG + O_ASYNC on a pipe: a signal without kill(). */
TEST_F(esc, sigio_reaches_only_the_sandbox)
{
	char target[64];

	/* The calls succeed; the signal is not sent. */
	EXPECT_EQ(0, AS("sigio", self->host_pid));
	EXPECT_TRUE(untouched(self->host));
	snprintf(target, sizeof(target), "pid %d (escape_test)", self->host);
	expect_event(_metadata, self->agent, target, "signal", "other-sandbox");
	/* SIGIO to the sandbox itself still arrives. */
	EXPECT_EQ(0, AS("sigio", "self"));
}

/* A terminal in raw mode (typed bytes are readable at once); its slave's name. */
static int open_pty(char *slave, size_t size, int *slave_fd)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios raw;

	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, slave, size) != 0)
		return -1;
	*slave_fd = open(slave, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (*slave_fd < 0 || tcgetattr(*slave_fd, &raw) < 0)
		return -1;
	cfmakeraw(&raw);
	return tcsetattr(*slave_fd, TCSANOW, &raw) < 0 ? -1 : master;
}

/* Bytes typed into the terminal and waiting to be read. */
static int typed_input(int slave_fd)
{
	char buf[16];
	ssize_t n = read(slave_fd, buf, sizeof(buf));

	return n < 0 ? 0 : (int)n;
}

TEST_F(esc, no_typing_into_a_terminal)
{
	char slave[64];
	int slave_fd, master = open_pty(slave, sizeof(slave), &slave_fd);

	ASSERT_LE(0, master);
	EXPECT_EQ(REFUSED, AS("tiocsti", slave));
	EXPECT_EQ(0, typed_input(slave_fd));
	expect_event(_metadata, self->agent, "ioctl 0x5412", "ioctl", "never-in-a-sandbox");
	/* From outside (root), TIOCSTI types. */
	EXPECT_EQ(0, cl_helper_op("tiocsti", slave));
	EXPECT_EQ(1, typed_input(slave_fd));
	close(slave_fd);
	close(master);
}

/*
 * `clawlock run` started as a session leader on a terminal (as a login
 * shell's job is a process group leader): the command runs in a session of
 * its own, with no controlling terminal.
 */
TEST_F(esc, run_leaves_the_terminal_behind)
{
	char slave[64];
	int slave_fd, master = open_pty(slave, sizeof(slave), &slave_fd), status;
	pid_t pid;

	ASSERT_LE(0, master);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *argv[] = {
			(char *)cl_binary(), "-q",	  "run", "--policy",	    self->policy,
			"--agent",	     self->agent, "--",	 (char *)cl_self(), "--helper",
			"no-ctty",	     "-",	  NULL
		};
		int tty;

		if (setsid() < 0)
			_exit(80);
		tty = open(slave, O_RDWR); /* becomes the controlling terminal */
		if (tty < 0 || dup2(tty, 0) < 0)
			_exit(81);
		execv(argv[0], argv);
		_exit(82);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* Started from a process that is not a group leader, the same. */
	EXPECT_EQ(0, AS("no-ctty", "-"));
	close(slave_fd);
	close(master);
}

/*
 * One probe of a host process per row: what it returns inside the sandbox.
 * Since 6.9 a pidfd is a pidfs file, opened through file_open, where no rule
 * names it: pidfd_open itself is refused there (PIDFD_REFUSED).
 */
struct reach_case {
	const char *op;
	int confined, or_else;
};

TEST_F(esc, no_reach_into_host_processes)
{
	static const struct reach_case cases[] = {
		{ "prlimit", REFUSED, REFUSED },
		{ "ioprio", REFUSED, REFUSED },
		{ "vm-read", REFUSED, REFUSED },
		{ "pidfd-getfd", REFUSED, PIDFD_REFUSED },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = AS(cases[i].op, self->host_pid);

		EXPECT_TRUE(ret == cases[i].confined || ret == cases[i].or_else)
		{
			TH_LOG("%s of a host process: %d", cases[i].op, ret);
		}
		/* From outside, each works. */
		EXPECT_EQ(0, cl_helper_op(cases[i].op, self->host_pid))
		{
			TH_LOG("%s from outside", cases[i].op);
		}
	}
	/* The sandbox's own limits and priority are its own. */
	EXPECT_EQ(0, AS("prlimit", "0"));
	EXPECT_EQ(0, AS("ioprio", "0"));
	EXPECT_TRUE(untouched(self->host));
}

TEST_F(esc, host_keys_are_out_of_reach)
{
	char serial[32], target[48];
	int ret;
	long key = syscall(SYS_add_key, "user", "cl-escape-secret", "s3cret", 6,
			   -4 /* KEY_SPEC_USER_KEYRING */);

	ASSERT_LT(0, key);
	snprintf(serial, sizeof(serial), "%ld", key);
	ret = AS("key-read", serial);
	/* KEYCTL_READ reports a refused lookup as ENOKEY; the event says why. */
	EXPECT_TRUE(ret == DENIED || ret == HELPER_ERRNO + ENOKEY);
	snprintf(target, sizeof(target), "key %ld", key);
	expect_event(_metadata, self->agent, target, "key", "other-sandbox");
	EXPECT_EQ(0, cl_helper_op("key-read", serial));
	/* Keys the sandbox makes are its own. */
	EXPECT_EQ(0, AS("key-own", "-"));
	syscall(SYS_keyctl, 3 /* KEYCTL_REVOKE */, key);
}

TEST_F(esc, host_ipc_objects_are_out_of_reach)
{
	int shm = shmget(IPC_PRIVATE, 4096, 0666), queue = msgget(IPC_PRIVATE, 0666);
	char shm_id[16], queue_id[16], target[32];

	ASSERT_LE(0, shm);
	ASSERT_LE(0, queue);
	snprintf(shm_id, sizeof(shm_id), "%d", shm);
	snprintf(queue_id, sizeof(queue_id), "%d", queue);
	EXPECT_EQ(DENIED, AS("shm-attach", shm_id));
	EXPECT_EQ(DENIED, AS("msg-send", queue_id));
	snprintf(target, sizeof(target), "ipc %d", shm);
	expect_event(_metadata, self->agent, target, "ipc", "other-sandbox");
	EXPECT_EQ(0, cl_helper_op("shm-attach", shm_id));
	EXPECT_EQ(0, cl_helper_op("msg-send", queue_id));
	/* Objects the sandbox makes are its own. */
	EXPECT_EQ(0, AS("ipc-own", "-"));
	shmctl(shm, IPC_RMID, NULL);
	msgctl(queue, IPC_RMID, NULL);
}

TEST_F(esc, no_io_uring)
{
	EXPECT_EQ(REFUSED, AS("io-uring", "-"));
	expect_event(_metadata, self->agent, "", "io_uring", "never-in-a-sandbox");
	EXPECT_EQ(0, cl_helper_op("io-uring", "-"));
}

/* The sandbox's own cgroup and the kernel's sysctls are not writable. */
TEST_F(esc, no_writes_to_own_cgroup_or_sysctls)
{
	static const char *const own[] = { "cgroup.procs", "cgroup.subtree_control",
					   "cgroup.max.descendants", "cgroup.freeze" };

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		EXPECT_EQ(DENIED, AS("own-cgroup-write", own[i]))
		{
			TH_LOG("%s", own[i]);
		}
	}
	EXPECT_EQ(DENIED, AS("write", "/proc/sys/kernel/domainname"));
	EXPECT_EQ(0, cl_helper_op("write", "/proc/sys/kernel/domainname"));
}

TEST_HARNESS_MAIN
