// SPDX-License-Identifier: GPL-2.0
/*
 * upgrade_test.c - clawlock upgrade against the real kernel (run in the
 * test VM): a new binary takes over with no moment when a denied read gets
 * through, and no other binary can.
 */
#include <sys/file.h>

#include <bpf/bpf.h>

#include "clawlock.h"
#include "cltest.h"
#include "kselftest_harness.h"

/* Two loads' worth of verifier work under TCG, and ASan in make check. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 600

/* The guest has two CPUs; more are left as they are. */
#define CL_TEST_MAX_CPUS 8

static bool cpu_online(int cpu)
{
	char path[64], state[4];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	return !cl_read_first_line(path, state, sizeof(state)) && !strcmp(state, "1");
}

static int cpu_set_online(int cpu, bool online)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	return cl_write_file(path, online ? "1" : "0");
}

/*
 * Run on CPU 0 alone: take every other online CPU offline (@off says
 * which, for bring_back_cpus) and pin this process there too.
 * Under QEMU's TCG, a vCPU spinning through bpf_lsm_file_open while the
 * other rewrote its call into the trampoline once executed the int3 of the
 * half-done patch after it was gone: the guest died ("Oops: int3", 6.12),
 * or both vCPUs spun for the rest of the run (soft lockups of 2,000 s on
 * 6.1, one in grown-clawlock, one in this test). That is the emulator's
 * cross-modifying code, not clawlock's. Pinning this test to CPU 0 was not
 * enough (the kernel still ran on CPU 1); with one CPU online nothing runs
 * beside the patch, and the test stays about the hand-over, which the
 * helper still straddles: the scheduler interleaves it with the upgrade.
 * The pin stays as the fallback where a CPU cannot go offline, and says so.
 */
static void keep_one_cpu(struct __test_metadata *_metadata, bool *off)
{
	cpu_set_t one;

	for (int cpu = 1; cpu < CL_TEST_MAX_CPUS; cpu++) {
		off[cpu] = false;
		if (!cpu_online(cpu))
			continue;
		off[cpu] = !cpu_set_online(cpu, false);
		if (!off[cpu])
			TH_LOG("CPU %d stays online (%s): the test is pinned to CPU 0 only", cpu,
			       strerror(errno));
	}
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
}

static void bring_back_cpus(const bool *off)
{
	for (int cpu = 1; cpu < CL_TEST_MAX_CPUS; cpu++)
		if (off[cpu])
			cpu_set_online(cpu, true);
}

/*
 * Two copies of the build's clawlock in a folder of their own: the old one
 * loads, the new one takes over. Each is its own executable (inode), as a
 * new release would be; the build's binary is never at risk.
 */
FIXTURE(up)
{
	bool cpus_off[CL_TEST_MAX_CPUS];
	char dir[64];
	char old_exe[96];
	char new_exe[96];
	char policy[96];
	char secret[96];
	char build[PATH_MAX];
};

static int copy_exe(const char *from, const char *to)
{
	char cmd[3 * PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && chmod 0755 '%s'", from, to, to);
	return system(cmd);
}

FIXTURE_SETUP(up)
{
	char text[9000];

	keep_one_cpu(_metadata, self->cpus_off);

	snprintf(self->build, sizeof(self->build), "%s", cl_binary());
	ASSERT_EQ(0, cl_run_clawlock(NULL, 0, "-q", "unload", NULL));
	strcpy(self->dir, "/tmp/cl-up-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->old_exe, sizeof(self->old_exe), "%s/old-clawlock", self->dir);
	snprintf(self->new_exe, sizeof(self->new_exe), "%s/new-clawlock", self->dir);
	snprintf(self->policy, sizeof(self->policy), "%s/p.json5", self->dir);
	snprintf(self->secret, sizeof(self->secret), "%s/secret", self->dir);
	ASSERT_EQ(0, copy_exe(self->build, self->old_exe));
	ASSERT_EQ(0, copy_exe(self->build, self->new_exe));
	ASSERT_EQ(0, cl_write_file(self->secret, "x"));
	/* The copies have no policies folder beside them: the baseline comes along. */
	snprintf(text, sizeof(text), "cp '%s/policies/baseline.json5' '%s/'", cl_source(),
		 self->dir);
	ASSERT_EQ(0, system(text));
	snprintf(text, sizeof(text),
		 "{ include: 'baseline.json5', agents: { up: { use: 'system',"
		 " files: { '%s': 'read,exec' } } } }",
		 cl_self());
	ASSERT_EQ(0, cl_write_file(self->policy, text));
	setenv("HOME", self->dir, 1);
	setenv("CLAWLOCK", self->old_exe, 1);
	ASSERT_EQ(0, cl_load());
}

FIXTURE_TEARDOWN(up)
{
	char grown[128];

	/* Whichever of them holds the programs now unloads them. */
	snprintf(grown, sizeof(grown), "%s/grown-clawlock", self->dir);
	setenv("CLAWLOCK", grown, 1);
	cl_run_clawlock(NULL, 0, "-q", "unload", NULL);
	setenv("CLAWLOCK", self->new_exe, 1);
	cl_run_clawlock(NULL, 0, "-q", "unload", NULL);
	setenv("CLAWLOCK", self->old_exe, 1);
	cl_run_clawlock(NULL, 0, "-q", "unload", NULL);
	setenv("CLAWLOCK", self->build, 1);
	cl_rm_tree(self->dir);
	bring_back_cpus(self->cpus_off);
}

/* The programs the guard keeps to itself now (open refused with EPERM): clawlock's. */
static size_t guarded_programs(__u32 *ids, size_t max)
{
	__u32 id = 0;
	size_t count = 0;

	while (!bpf_prog_get_next_id(id, &id) && count < max) {
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0 && errno == EPERM)
			ids[count++] = id;
		if (fd >= 0)
			close(fd);
	}
	return count;
}

/*
 * Have all of @ids (the old programs) gone from the kernel? Waits up to
 * 30 s: they are freed after RCU grace periods, slow under TCG.
 */
static bool programs_gone(const __u32 *ids, size_t count)
{
	for (int tries = 0; tries < 300; tries++) {
		size_t left = 0;

		for (size_t i = 0; i < count; i++) {
			int fd = bpf_prog_get_fd_by_id(ids[i]);

			if (fd >= 0)
				close(fd);
			if (fd >= 0 || errno != ENOENT)
				left++;
		}
		if (!left)
			return true;
		usleep(100000);
	}
	return false;
}

/* Start the helper reading the secret in a loop, confined as agent "up". */
static pid_t start_read_loop(FIXTURE_DATA(up) * self, int *to, int *from)
{
	char *argv[] = { (char *)cl_binary(), "-q",	    "run", "--policy",	      self->policy,
			 "--agent",	      "up",	    "--",  (char *)cl_self(), "--helper",
			 "read-loop",	      self->secret, NULL };

	return cl_spawn_piped(argv, to, from);
}

/* How many reads the loop has tried so far; 0 if it does not say. */
static unsigned long reads_tried(int to, int from)
{
	char line[64];
	unsigned long tried = 0;
	ssize_t n;

	if (write(to, "mark\n", 5) != 5)
		return 0;
	n = read(from, line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	return sscanf(line, "tried %lu", &tried) == 1 ? tried : 0;
}

/*
 * Once only the new programs decide, the loop must go on being denied: at
 * least @more reads after this point (a minute at most).
 */
static unsigned long reads_go_on(int to, int from, unsigned long more)
{
	unsigned long start = reads_tried(to, from), now = start;

	for (int i = 0; i < 600 && now < start + more; i++) {
		usleep(100000);
		now = reads_tried(to, from);
	}
	return now - start;
}

/* Stop the loop; its last line in @line. Returns its exit status. */
static int stop_read_loop(pid_t pid, int to, int from, char *line, size_t size)
{
	ssize_t n;
	int status;

	if (write(to, "stop\n", 5) != 5)
		return -1;
	close(to);
	n = read(from, line, size - 1);
	line[n > 0 ? n : 0] = '\0';
	close(from);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(up, a_denied_read_stays_denied_through_the_upgrade)
{
	char ready[8] = { 0 }, line[128], out[1 << 16];
	unsigned long tried = 0, through = 1;
	int to, from, writer;
	__u32 old_ids[256];
	size_t old_count;
	pid_t pid;

	pid = start_read_loop(self, &to, &from);
	ASSERT_LT(0, pid);
	ASSERT_EQ(6, read(from, ready, 6));
	ASSERT_STREQ("ready\n", ready);
	old_count = guarded_programs(old_ids, 256);
	EXPECT_LT(10, old_count);
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "upgrade", self->new_exe, NULL))
	{
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "took over"));
	/* Reading on while the old programs go, until only the new ones decide. */
	EXPECT_TRUE(programs_gone(old_ids, old_count));
	EXPECT_LE(1000, reads_go_on(to, from, 1000));
	EXPECT_EQ(0, stop_read_loop(pid, to, from, line, sizeof(line)))
	{
		TH_LOG("%s", line);
	}
	EXPECT_EQ(2, sscanf(line, "tried %lu through %lu", &tried, &through));
	EXPECT_EQ(0, through);
	EXPECT_LT(1, tried);
	TH_LOG("the helper tried %lu reads, %lu got through", tried, through);

	/* The new binary manages clawlock now, and the old one no longer does. */
	EXPECT_NE(0, cl_run_clawlock(out, sizeof(out), "status", NULL));
	EXPECT_NE(NULL, strstr(out, "self-protection"))
	{
		TH_LOG("%s", out);
	}
	setenv("CLAWLOCK", self->new_exe, 1);
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "status", NULL))
	{
		TH_LOG("%s", out);
	}
	EXPECT_EQ(DENIED, cl_confined(self->policy, "up", "read", self->secret, NULL));
	EXPECT_EQ(0, cl_confined(self->policy, "up", "read", cl_self(), NULL));
	/* The guard follows: the new file is the protected one, the old is free. */
	writer = open(self->new_exe, O_WRONLY);
	EXPECT_EQ(-1, writer);
	EXPECT_EQ(EPERM, errno);
	if (writer >= 0)
		close(writer);
	EXPECT_EQ(0, unlink(self->old_exe));
	/* The new binary unloads: nothing is left pinned. */
	EXPECT_EQ(0, cl_run_clawlock(NULL, 0, "-q", "unload", NULL));
	EXPECT_NE(0, access(CL_PIN_ROOT, F_OK));
}

/*
 * The build with a grown layout (make tests: build/grown/clawlock) appends
 * a field to every binding. The bindings are carried over into the new
 * layout: the running helper stays bound, so its reads stay denied once
 * only the new programs decide. Back down again is a layout no copy
 * carries, and is refused.
 */
TEST_F(up, bindings_are_carried_over_to_a_grown_layout_and_not_back)
{
	char build[PATH_MAX], grown[128], out[1 << 16], line[128], ready[8] = { 0 };
	unsigned long tried = 0, through = 1;
	int to, from;
	__u32 old_ids[256];
	size_t old_count;
	pid_t pid;

	snprintf(build, sizeof(build), "%s", self->build);
	snprintf(strrchr(build, '/'), sizeof(build) - (strrchr(build, '/') - build),
		 "/grown/clawlock");
	if (access(build, X_OK)) {
		SKIP(return, "%.200s is missing: 'make tests' builds it", build);
	}
	snprintf(grown, sizeof(grown), "%s/grown-clawlock", self->dir);
	ASSERT_EQ(0, copy_exe(build, grown));
	pid = start_read_loop(self, &to, &from);
	ASSERT_LT(0, pid);
	ASSERT_EQ(6, read(from, ready, 6));
	old_count = guarded_programs(old_ids, 256);
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "-v", "upgrade", grown, NULL));
	EXPECT_NE(NULL, strstr(out, "cl_bindings: carried over into values of 16 bytes (were 8)"))
	{
		TH_LOG("%s", out);
	}
	EXPECT_TRUE(programs_gone(old_ids, old_count));
	/* Still bound, so still denied: the binding came over into the new layout. */
	EXPECT_LE(1000, reads_go_on(to, from, 1000));
	EXPECT_EQ(0, stop_read_loop(pid, to, from, line, sizeof(line)));
	EXPECT_EQ(2, sscanf(line, "tried %lu through %lu", &tried, &through));
	EXPECT_EQ(0, through);
	TH_LOG("the helper tried %lu reads, %lu got through", tried, through);

	setenv("CLAWLOCK", grown, 1);
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "status", NULL))
	{
		TH_LOG("%s", out);
	}
	EXPECT_EQ(DENIED, cl_confined(self->policy, "up", "read", self->secret, NULL));
	EXPECT_EQ(1, cl_run_clawlock(out, sizeof(out), "upgrade", self->new_exe, NULL));
	EXPECT_NE(NULL, strstr(out, "cl_bindings: no migration from the pinned layout"))
	{
		TH_LOG("%s", out);
	}
	/* Its authorisation was taken back: it cannot take over on its own. */
	setenv("CLAWLOCK", self->new_exe, 1);
	EXPECT_EQ(1, cl_run_clawlock(out, sizeof(out), "upgrade", "--take-over", NULL));
	EXPECT_NE(NULL, strstr(out, "may not take over"));
	setenv("CLAWLOCK", grown, 1);
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "status", NULL));
	EXPECT_EQ(DENIED, cl_confined(self->policy, "up", "read", self->secret, NULL));
}

TEST_F(up, an_unauthorised_binary_cannot_take_over)
{
	char out[1 << 16];

	setenv("CLAWLOCK", self->new_exe, 1);
	EXPECT_EQ(1, cl_run_clawlock(out, sizeof(out), "upgrade", "--take-over", NULL));
	EXPECT_NE(NULL, strstr(out, "may not take over"))
	{
		TH_LOG("%s", out);
	}
	EXPECT_NE(0, cl_run_clawlock(out, sizeof(out), "unload", NULL));
	/* Nor can it hand over what it never loaded. */
	EXPECT_EQ(1, cl_run_clawlock(out, sizeof(out), "upgrade", self->old_exe, NULL));
	EXPECT_EQ(0, access(CL_PIN_ROOT "/link_cl_file_open", F_OK));
	setenv("CLAWLOCK", self->old_exe, 1);
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "status", NULL));
	EXPECT_EQ(DENIED, cl_confined(self->policy, "up", "read", self->secret, NULL));
}

/* What an upgrade to each is refused with; nothing changes. */
static const struct {
	const char *name;    /* in the fixture's folder; "" for the loader itself */
	const char *content; /* the file's text, a /path to copy, or NULL: a clawlock */
	mode_t mode;
	const char *said;
} wrong_binaries[] = {
	{ "garbage",
	  "\x7f"
	  "ELF but not really\n",
	  0755, "not a clawlock that can take over" },
	{ "script", "#!/bin/sh\necho clawlock-upgrade 1\n", 0755, "not a clawlock that can" },
	{ "echo", "/bin/echo", 0755, "answered 'upgrade --protocol'" },
	{ "writable", NULL, 0775, "writable by nobody else" },
	{ "plain", "data\n", 0644, "not an executable file" },
	{ "missing", "", 0, "No such file" },
	{ "", NULL, 0, "already the loader" },
};

TEST_F(up, a_wrong_binary_is_refused_and_nothing_changes)
{
	char path[PATH_MAX], out[1 << 16];

	for (size_t i = 0; i < sizeof(wrong_binaries) / sizeof(wrong_binaries[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->dir, wrong_binaries[i].name);
		if (!wrong_binaries[i].name[0]) {
			snprintf(path, sizeof(path), "%s", self->old_exe);
		} else if (wrong_binaries[i].content && wrong_binaries[i].content[0] == '/') {
			ASSERT_EQ(0, copy_exe(wrong_binaries[i].content, path));
		} else if (wrong_binaries[i].content && wrong_binaries[i].mode) {
			ASSERT_EQ(0, cl_write_file(path, wrong_binaries[i].content));
		} else if (wrong_binaries[i].mode) {
			ASSERT_EQ(0, copy_exe(self->build, path));
		}
		if (wrong_binaries[i].mode) {
			ASSERT_EQ(0, chmod(path, wrong_binaries[i].mode));
		}
		EXPECT_EQ(1, cl_run_clawlock(out, sizeof(out), "upgrade", path, NULL));
		EXPECT_NE(NULL, strstr(out, wrong_binaries[i].said))
		{
			TH_LOG("%s: %s", path, out);
		}
		EXPECT_NE(NULL, strstr(out, path));
	}
	/*
	 * Nor while a daemon runs (it holds the daemon lock): its maps would be
	 * unguarded once its binary is no longer the loader.
	 */
	{
		int daemon_lock = open("/run/clawlock/daemon.lock", O_RDWR | O_CREAT, 0600);

		ASSERT_LE(0, daemon_lock);
		ASSERT_EQ(0, flock(daemon_lock, LOCK_EX));
		dprintf(daemon_lock, "%d\nno config\n", getpid());
		EXPECT_EQ(1, cl_run_clawlock(out, sizeof(out), "upgrade", self->new_exe, NULL));
		EXPECT_NE(NULL, strstr(out, "a clawlock daemon runs"))
		{
			TH_LOG("%s", out);
		}
		ftruncate(daemon_lock, 0);
		close(daemon_lock);
	}
	/* The old binary still manages and its programs still enforce. */
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "status", NULL));
	EXPECT_EQ(DENIED, cl_confined(self->policy, "up", "read", self->secret, NULL));
	/* No authorisation was left behind for anyone. */
	setenv("CLAWLOCK", self->new_exe, 1);
	EXPECT_EQ(1, cl_run_clawlock(out, sizeof(out), "upgrade", "--take-over", NULL));
}

TEST_HARNESS_MAIN
