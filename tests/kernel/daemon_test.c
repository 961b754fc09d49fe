// SPDX-License-Identifier: GPL-2.0
/*
 * daemon_test.c - clawlock daemon on a live host (run in the test VM): the
 * rules hold when it is killed, a restarted daemon adopts the pinned state
 * and picks up config changes, records reach its log file, which SIGHUP
 * reopens, it gives up the capabilities it does not need, host root cannot
 * take its descriptors, and SIGTERM stops it cleanly.
 */
#include "cltest.h"
#include "kselftest_harness.h"

#include <linux/capability.h>
#include <sys/uio.h>

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

/* How long the daemon gets to notice something (TCG and ASan are slow). */
#define PATIENCE_MS 30000

FIXTURE(dmn)
{
	char root[64];
	char policy[128];
	char log[128];
	char agent[32];
	char scope[512];
	char path[512];
	char network[256]; /* the agent's network rules, JSON5 */
	pid_t daemon;
};

static const char *at(FIXTURE_DATA(dmn) * self, const char *rel)
{
	snprintf(self->path, sizeof(self->path), "%s/%s", self->root, rel);
	return self->path;
}

/* The agent may read @readable (and run this binary), nothing else. */
static int write_policy(FIXTURE_DATA(dmn) * self, const char *readable)
{
	char text[8192], tmp[160];

	snprintf(text, sizeof(text),
		 "{ agents: { '%s': { files: { '%s': 'read,exec', '%s/%s': 'read' },"
		 "  network: { %s } } } }",
		 self->agent, cl_self_dir(), self->root, readable, self->network);
	/* Written beside and renamed over, as config tools do. */
	snprintf(tmp, sizeof(tmp), "%s.new", self->policy);
	if (cl_write_file(tmp, text) < 0)
		return -1;
	return rename(tmp, self->policy);
}

static pid_t start_daemon(FIXTURE_DATA(dmn) * self)
{
	char *argv[] = { (char *)cl_binary(), "daemon", "--policy", self->policy, "--log",
			 self->log,	      NULL };
	char err[160];
	pid_t pid = fork();

	if (pid == 0) {
		int fd;

		snprintf(err, sizeof(err), "%s/daemon.err", self->root);
		fd = open(err, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd < 0 || dup2(fd, 2) < 0 || dup2(fd, 1) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void sleep_ms(int ms)
{
	usleep(ms * 1000);
}

/* Wait until the agent's scope is bound; its cgroup into self->scope. */
static int wait_for_scope(FIXTURE_DATA(dmn) * self)
{
	for (int waited = 0; waited < PATIENCE_MS; waited += 200) {
		struct json_object *st = cl_status(), *b = cl_binding_of(st, self->agent), *v;
		int found = b && json_object_object_get_ex(b, "cgroup", &v) && v;

		if (found)
			snprintf(self->scope, sizeof(self->scope), "%s", json_object_get_string(v));
		json_object_put(st);
		if (found)
			return 0;
		sleep_ms(200);
	}
	return -1;
}

/* Wait until reading @rel from the scope gives @want; the last status. */
static int wait_for_read(FIXTURE_DATA(dmn) * self, const char *rel, int want)
{
	int got = -1;

	for (int waited = 0; waited < PATIENCE_MS; waited += 200) {
		got = cl_in_cgroup(self->scope, "read", at(self, rel));
		if (got == want)
			break;
		sleep_ms(200);
	}
	return got;
}

/* Does @file have a line mentioning @needle? */
static int file_has(const char *file, const char *needle)
{
	char line[4096];
	FILE *f = fopen(file, "r");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return found;
}

/* Wait until @file has a line mentioning @needle. */
static int wait_for_line(const char *file, const char *needle)
{
	for (int waited = 0; waited < PATIENCE_MS; waited += 200) {
		if (file_has(file, needle))
			return 0;
		sleep_ms(200);
	}
	return -1;
}

static int stop_daemon(FIXTURE_DATA(dmn) * self, int sig)
{
	int status;

	if (self->daemon <= 0)
		return -1;
	kill(self->daemon, sig);
	if (waitpid(self->daemon, &status, 0) != self->daemon)
		return -1;
	self->daemon = 0;
	return status;
}

FIXTURE_SETUP(dmn)
{
	static const char *const files[] = { "ok.txt", "secret.txt", "other.txt" };

	strcpy(self->root, "/tmp/cl-dmn-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->agent, sizeof(self->agent), "dmn-%d", getpid());
	snprintf(self->policy, sizeof(self->policy), "%s/policy.json5", self->root);
	snprintf(self->log, sizeof(self->log), "%s/events.jsonl", self->root);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		ASSERT_EQ(0, cl_write_file(at(self, files[i]), "x\n"));
	ASSERT_EQ(0, write_policy(self, "ok.txt"));
	ASSERT_EQ(0, cl_load());
	self->daemon = start_daemon(self);
	ASSERT_LT(0, self->daemon);
	ASSERT_EQ(0, wait_for_scope(self));
}

FIXTURE_TEARDOWN(dmn)
{
	char err[160], text[4096];
	FILE *f;
	size_t n;

	stop_daemon(self, SIGKILL);
	/* The daemon's own words, for a failing test's log. */
	snprintf(err, sizeof(err), "%s/daemon.err", self->root);
	f = fopen(err, "r");
	if (f) {
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		if (!_metadata->passed)
			TH_LOG("daemon said:\n%s", text);
	}
	cl_rm_tree(self->root);
}

TEST_F(dmn, rules_hold_when_it_dies_and_a_restart_carries_on)
{
	int status;

	EXPECT_EQ(0, cl_in_cgroup(self->scope, "read", at(self, "ok.txt")));
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, "secret.txt")));

	/* kill -9: nothing is lost, nothing is released. */
	stop_daemon(self, SIGKILL);
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, "secret.txt")));
	EXPECT_EQ(0, cl_in_cgroup(self->scope, "read", at(self, "ok.txt")));

	/* A new daemon adopts the pinned state and follows the config again. */
	self->daemon = start_daemon(self);
	ASSERT_LT(0, self->daemon);
	ASSERT_EQ(0, write_policy(self, "secret.txt"));
	EXPECT_EQ(0, wait_for_read(self, "secret.txt", 0));
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, "ok.txt")));

	/* A config that does not parse changes nothing. */
	ASSERT_EQ(0, cl_write_file(self->policy, "{ agents: { broken"));
	sleep_ms(2000);
	EXPECT_EQ(0, cl_in_cgroup(self->scope, "read", at(self, "secret.txt")));
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, "other.txt")));

	/* SIGTERM: a clean stop, and the rules stay. */
	status = stop_daemon(self, SIGTERM);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, "other.txt")));
}

TEST_F(dmn, records_reach_the_log_and_sighup_reopens_it)
{
	char rotated[160];

	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, "secret.txt")));
	EXPECT_EQ(0, wait_for_line(self->log, at(self, "secret.txt")));
	/* Each record names the agent and the decision. */
	EXPECT_EQ(0, wait_for_line(self->log, self->agent));

	/* logrotate: move the file away, then SIGHUP. */
	snprintf(rotated, sizeof(rotated), "%s.1", self->log);
	ASSERT_EQ(0, rename(self->log, rotated));
	kill(self->daemon, SIGHUP);
	sleep_ms(500);
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, "other.txt")));
	EXPECT_EQ(0, wait_for_line(self->log, at(self, "other.txt")));
	/* (Records of earlier tests' agents may be in either: match this one's path.) */
	EXPECT_FALSE(file_has(rotated, at(self, "other.txt")));
}

/* A hex capability mask from /proc/PID/status. */
static unsigned long long cap_mask(pid_t pid, const char *field)
{
	char path[64], line[256];
	unsigned long long mask = ~0ULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, strlen(field)))
			mask = strtoull(line + strlen(field) + 1, NULL, 16);
	}
	if (f)
		fclose(f);
	return mask;
}

TEST_F(dmn, it_gives_up_capabilities_it_does_not_need)
{
	unsigned long long eff, bnd;

	/* Started: the scope is bound, so the drop has happened. */
	sleep_ms(500);
	eff = cap_mask(self->daemon, "CapEff:");
	bnd = cap_mask(self->daemon, "CapBnd:");
	TH_LOG("CapEff %llx CapBnd %llx", eff, bnd);
	EXPECT_TRUE(eff & (1ULL << CAP_BPF));
	EXPECT_FALSE(eff & (1ULL << CAP_SYS_ADMIN));
	EXPECT_FALSE(eff & (1ULL << CAP_SYS_MODULE));
	EXPECT_FALSE(eff & (1ULL << CAP_NET_ADMIN));
	EXPECT_FALSE(bnd & (1ULL << CAP_SYS_ADMIN));
	EXPECT_FALSE(bnd & (1ULL << CAP_SETUID));
	/* And with them gone it still does its work. */
	ASSERT_EQ(0, write_policy(self, "other.txt"));
	EXPECT_EQ(0, wait_for_read(self, "other.txt", 0));
}

/*
 * This test is host root but not clawlock: it must get none of the
 * daemon's descriptors (its maps) by any of the ways into another process.
 */
TEST_F(dmn, host_root_cannot_take_its_descriptors)
{
	char path[64], word[8];
	struct iovec local = { word, sizeof(word) }, remote = { (void *)4096, sizeof(word) };
	int pidfd = syscall(SYS_pidfd_open, self->daemon, 0), got = 0;
	struct json_object *st;

	ASSERT_LE(0, pidfd);
	for (int fd = 0; fd < 64; fd++) {
		int taken = syscall(SYS_pidfd_getfd, pidfd, fd, 0);

		if (taken >= 0 || errno != EPERM)
			got++;
		if (taken >= 0)
			close(taken);
	}
	close(pidfd);
	EXPECT_EQ(0, got);
	EXPECT_EQ(-1, ptrace(PTRACE_ATTACH, self->daemon, NULL, NULL));
	EXPECT_EQ(EPERM, errno);
	for (int fd = 0; fd < 16; fd++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", self->daemon, fd);
		EXPECT_EQ(-1, open(path, O_RDONLY));
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", self->daemon);
	EXPECT_EQ(-1, open(path, O_RDONLY));
	/* Its memory (else EFAULT: nothing is mapped at one page up). */
	EXPECT_EQ(-1, process_vm_readv(self->daemon, &local, 1, &remote, 1, 0));
	EXPECT_EQ(EPERM, errno);
	/* Nothing was lost, and each refusal is a record naming the daemon. */
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "read", at(self, "secret.txt")));
	st = cl_status();
	EXPECT_NE(NULL, cl_binding_of(st, self->agent));
	json_object_put(st);
	/* The daemon reads the records: they reach its log. */
	snprintf(path, sizeof(path), "\"targetPid\":%d", self->daemon);
	EXPECT_EQ(0, wait_for_line(self->log, "\"object\":\"process\""));
	EXPECT_EQ(0, wait_for_line(self->log, path));
}

/* Until sending from the scope to @addr gives @want. */
static int wait_for_send(FIXTURE_DATA(dmn) * self, const char *addr, int want)
{
	int got = -1;

	for (int waited = 0; waited < PATIENCE_MS; waited += 200) {
		got = cl_in_cgroup(self->scope, "sendto", addr);
		if (got == want)
			break;
		sleep_ms(200);
	}
	return got;
}

TEST_F(dmn, interface_rules_follow_address_changes)
{
	/* An address on lo: sends to its network go out (and vanish) at once. */
	system("ip addr del 10.66.0.1/24 dev lo 2>/dev/null");
	ASSERT_EQ(0, system("ip addr add 10.55.0.1/24 dev lo"));
	snprintf(self->network, sizeof(self->network), "'udp if:lo 53': 'allow'");
	ASSERT_EQ(0, write_policy(self, "ok.txt"));
	EXPECT_EQ(0, wait_for_send(self, "10.55.0.9:53/udp", 0));
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "sendto", "10.66.0.9:53/udp"));

	/* The interface moves to another network: the rule follows it. */
	ASSERT_EQ(0, system("ip addr del 10.55.0.1/24 dev lo && ip addr add 10.66.0.1/24 dev lo"));
	EXPECT_EQ(0, wait_for_send(self, "10.66.0.9:53/udp", 0));
	EXPECT_EQ(DENIED, cl_in_cgroup(self->scope, "sendto", "10.55.0.9:53/udp"));
	system("ip addr del 10.66.0.1/24 dev lo");
}

TEST_HARNESS_MAIN
