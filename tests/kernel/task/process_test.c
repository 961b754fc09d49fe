// SPDX-License-Identifier: GPL-2.0
/*
 * process_test.c - the process half of the escape suite (run in the test
 * VM): signals, ptrace and /proc/<pid>/{mem,environ} only within the same
 * sandbox; dropped capabilities; descriptors from outside (inherited ones
 * are closed by `clawlock run`, passed ones are decided on receipt); a
 * secret read through /proc/self/root.
 */
#include "cltest.h"
#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

FIXTURE(proc)
{
	char root[64];
	char policy[128];
	char agent[32], nocap[32];
	char path[512];
	pid_t host; /* a process outside any sandbox */
};

#define at(self, rel) CL_AT(self, root, rel)

FIXTURE_SETUP(proc)
{
	static const char policy_template[] =
		"{ include: '@SRC@/policies/baseline.json5', profiles: { me: { files: {"
		"  '@TESTDIR@': 'read,exec', '@ROOT@/ws': 'read,write', '@ROOT@/secret': 'deny' } } },"
		" agents: {"
		"  '@AGENT@': { use: ['system', 'me'] },"
		"  '@NOCAP@': { use: ['system', 'me'], capDrop: ['chown', 'kill'] } } }";

	strcpy(self->root, "/tmp/cl-proc-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->policy, sizeof(self->policy), "%s/policy.json5", self->root);
	snprintf(self->agent, sizeof(self->agent), "proc-%d", getpid());
	snprintf(self->nocap, sizeof(self->nocap), "nocap-%d", getpid());
	ASSERT_EQ(0, mkdir(at(self, "ws"), 0755));
	ASSERT_EQ(0, mkdir(at(self, "secret"), 0700));
	ASSERT_EQ(0, cl_write_file(at(self, "secret/key"), "s3cret"));
	ASSERT_EQ(0, cl_write_file(at(self, "ws/file"), "work"));
	ASSERT_EQ(0, CL_WRITE_FILLED(self->policy, policy_template, "SRC", cl_source(), "TESTDIR",
				     cl_self_dir(), "ROOT", self->root, "AGENT", self->agent,
				     "NOCAP", self->nocap));
	self->host = cl_start_host();
	ASSERT_LE(0, self->host);
	ASSERT_EQ(0, cl_load());
}

FIXTURE_TEARDOWN(proc)
{
	cl_stop_host(self->host);
	cl_rm_tree(self->root);
}

#define AS(agent, op, target) cl_confined(self->policy, self->agent, op, target, NULL)

TEST_F(proc, no_signals_or_ptrace_outside)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", self->host);
	EXPECT_EQ(REFUSED, AS(agent, "kill", pid));
	EXPECT_EQ(REFUSED, AS(agent, "ptrace", pid));
	EXPECT_EQ(REFUSED, AS(agent, "kill", "1"));
	/* /proc asks the same question before it shows another process's memory. */
	EXPECT_EQ(DENIED, AS(agent, "proc-mem", pid));
	EXPECT_EQ(DENIED, AS(agent, "proc-environ", pid));
	EXPECT_EQ(DENIED, AS(agent, "proc-mem", "1"));
	/* The host process is still alive, and inside the sandbox signals work. */
	EXPECT_EQ(0, kill(self->host, 0));
	EXPECT_EQ(0, AS(agent, "kill-child", "-"));
	EXPECT_EQ(0, AS(agent, "proc-mem", "self"));
}

TEST_F(proc, signal_event_names_the_target)
{
	char pid[16], target[64];
	const char *lacks;

	snprintf(pid, sizeof(pid), "%d", self->host);
	EXPECT_EQ(REFUSED, AS(agent, "kill", pid));
	snprintf(target, sizeof(target), "pid %d (process_test)", self->host);
	lacks = cl_event_lacks(self->agent, target,
			       CL_FIELDS("op=signal", "reason=other-sandbox", "signal=15"));
	EXPECT_EQ(NULL, lacks) TH_LOG("%s", lacks);
}

TEST_F(proc, dropped_capabilities)
{
	struct json_object *ev;

	/* Root may chown; without CAP_CHOWN it may not. */
	EXPECT_EQ(0, AS(agent, "chown", at(self, "ws/file")));
	EXPECT_EQ(REFUSED, AS(nocap, "chown", at(self, "ws/file")));
	ev = cl_find_event(self->nocap, "cap_chown");
	ASSERT_NE(NULL, ev);
	EXPECT_STREQ("capability", cl_event_str(ev, "op"));
	json_object_put(ev);
}

/* A secret stays shut whichever way it is named. */
TEST_F(proc, proc_self_root_is_the_same_object)
{
	char via[PATH_MAX];

	snprintf(via, sizeof(via), "/proc/self/root%s/secret/key", self->root);
	EXPECT_EQ(DENIED, AS(agent, "read", via));
	snprintf(via, sizeof(via), "/proc/1/root%s/secret/key", self->root);
	EXPECT_EQ(DENIED, AS(agent, "read", via));
}

/*
 * Descriptors: one opened outside and inherited is closed by `clawlock run`
 * (rules are checked at open); one passed over a unix socket is decided on
 * receipt as if the sandbox had opened it.
 */
TEST_F(proc, inherited_descriptors_are_closed)
{
	int fd = open(at(self, "secret/key"), O_RDONLY);
	char num[16];

	ASSERT_LE(3, fd);
	snprintf(num, sizeof(num), "%d", fd);
	EXPECT_EQ(HELPER_ERRNO + EBADF, AS(agent, "fd-open", num));
	close(fd);
}

static void send_fd_once(int listener, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, data = 'x';
	struct iovec iov = { &data, 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	int conn = accept(listener, NULL, NULL);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	if (conn >= 0) {
		sendmsg(conn, &msg, 0);
		close(conn);
	}
}

static int receive_as(FIXTURE_DATA(proc) * self, const char *file)
{
	char sock[PATH_MAX];
	struct sockaddr_un sun;
	int listener, fd, status;
	pid_t sender;

	snprintf(sock, sizeof(sock), "%s/ws/pass.sock", self->root);
	unlink(sock);
	listener = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listener < 0 || bind(listener, (struct sockaddr *)&sun, cl_unix_addr(sock, &sun)) < 0 ||
	    listen(listener, 1) < 0)
		return -1;
	fd = open(file, O_RDONLY);
	sender = fork();
	if (sender == 0) {
		send_fd_once(listener, fd);
		_exit(0);
	}
	status = cl_confined(self->policy, self->agent, "recv-fd", sock, NULL);
	waitpid(sender, NULL, 0);
	close(fd);
	close(listener);
	return status;
}

TEST_F(proc, passed_descriptors_are_decided_on_receipt)
{
	EXPECT_EQ(DENIED_RECV, receive_as(self, at(self, "secret/key")));
	EXPECT_EQ(0, receive_as(self, at(self, "ws/file")));
}

TEST_HARNESS_MAIN
