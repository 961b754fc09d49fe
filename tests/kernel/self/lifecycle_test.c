// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle_test.c - clawlock load and unload against the real kernel (run
 * in the test VM): what gets pinned, that nothing is left behind, and the
 * errors an operator sees.
 */
#include <dirent.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include <bpf/bpf.h>

#include "clawlock.h"
#include "cltest.h"
#include "kselftest_harness.h"

/* Each test runs clawlock several times under TCG (and ASan in make check). */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

static int pinned(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", CL_PIN_ROOT, name);
	return access(path, F_OK) == 0;
}

/*
 * Is a program of this name loaded anywhere in the kernel? clawlock's own
 * refuse to be opened by anyone but its loader (self-protection): a program
 * that refuses with EPERM counts as one of them.
 */
static int prog_loaded(const char *name)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0 && errno == EPERM)
			return 1;
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name)) {
			close(fd);
			return 1;
		}
		close(fd);
	}
	return 0;
}

TEST(load_pins_programs_links_and_maps)
{
	ASSERT_EQ(0, cl_load());
	EXPECT_TRUE(pinned("link_cl_file_open"));
	EXPECT_TRUE(pinned("prog_cl_file_open"));
	EXPECT_TRUE(pinned("cl_bindings"));
	EXPECT_TRUE(pinned("cl_file_rules"));
	EXPECT_TRUE(pinned("cl_events"));
	EXPECT_TRUE(prog_loaded("cl_file_open"));
}

TEST(load_twice_is_harmless)
{
	char out[4096];

	ASSERT_EQ(0, cl_load());
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "load", NULL));
	EXPECT_NE(NULL, strstr(out, "already loaded"));
}

TEST(unload_leaves_nothing_pinned)
{
	ASSERT_EQ(0, cl_load());
	ASSERT_EQ(0, cl_run_clawlock(NULL, 0, "-q", "unload", NULL));
	EXPECT_NE(0, access(CL_PIN_ROOT, F_OK));
	/*
	 * The programs go once the last reference (the pins) is gone; the kernel
	 * frees them after RCU grace periods, slow under TCG: allow 30 s.
	 */
	for (int i = 0; i < 300 && prog_loaded("cl_file_open"); i++)
		usleep(100000);
	EXPECT_FALSE(prog_loaded("cl_file_open"));
	/* Unloading again is harmless. */
	EXPECT_EQ(0, cl_run_clawlock(NULL, 0, "-q", "unload", NULL));
}

TEST(enforcement_outlives_the_loader)
{
	static const char policy_template[] =
		"{ include: '@SRC@/policies/baseline.json5', agents: { life: { use: 'system',"
		" files: { '@TEST@': 'read,exec' } } } }";
	char dir[] = "/tmp/cl-life-XXXXXX", policy[128], secret[128], out[4096];

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(policy, sizeof(policy), "%s/p.json5", dir);
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	ASSERT_EQ(0, cl_write_file(secret, "x"));
	ASSERT_EQ(0,
		  CL_WRITE_FILLED(policy, policy_template, "SRC", cl_source(), "TEST", cl_self()));
	ASSERT_EQ(0, cl_load());
	/*
	 * A clean run says nothing: the baseline's secrets that do not exist
	 * here (no ~/.openclaw in this HOME) are skipped quietly.
	 */
	setenv("HOME", dir, 1);
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "run", "--policy", policy, "--agent", "life",
				     "--", "/bin/true", NULL));
	EXPECT_STREQ("", out);
	/* Every clawlock process has exited before and after: the pins enforce. */
	EXPECT_EQ(DENIED, cl_confined(policy, "life", "read", secret, NULL));
	EXPECT_EQ(DENIED, cl_confined(policy, "life", "read", secret, NULL));
	cl_rm_tree(dir);
}

TEST(run_before_load_says_so)
{
	char dir[] = "/tmp/cl-nl-XXXXXX", policy[128], out[4096];

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(policy, sizeof(policy), "%s/p.json5", dir);
	ASSERT_EQ(0, cl_write_file(policy, "{ agents: { a: { files: { '/usr': 'read' } } } }"));
	ASSERT_EQ(0, cl_run_clawlock(NULL, 0, "-q", "unload", NULL));
	EXPECT_EQ(1, cl_run_clawlock(out, sizeof(out), "run", "--policy", policy, "--agent", "a",
				     "--", "/bin/true", NULL));
	EXPECT_NE(NULL, strstr(out, "not loaded"));
	EXPECT_EQ(2, cl_run_clawlock(out, sizeof(out), "run", "--agent", "a", "--", "/bin/true",
				     NULL));
	EXPECT_NE(NULL, strstr(out, "--policy"));
	cl_rm_tree(dir);
}

TEST(bad_policy_is_rejected_with_its_position)
{
	char dir[] = "/tmp/cl-bad-XXXXXX", policy[128], out[4096], want[160];

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(policy, sizeof(policy), "%s/bad.json5", dir);
	ASSERT_EQ(0,
		  cl_write_file(policy,
				"{\n  agents: {\n    a: { files: { '/x': 'reed' } },\n  },\n}\n"));
	ASSERT_EQ(0, cl_load());
	EXPECT_EQ(2, cl_run_clawlock(out, sizeof(out), "run", "--policy", policy, "--agent", "a",
				     "--", "/bin/true", NULL));
	snprintf(want, sizeof(want), "%s:3:25: ", policy);
	EXPECT_NE(NULL, strstr(out, want))
	{
		TH_LOG("got: %s", out);
	}
	cl_rm_tree(dir);
}

TEST(status_reports_loaded_state)
{
	char out[65536];
	struct json_object *status, *v;

	ASSERT_EQ(0, cl_load());
	ASSERT_EQ(0, cl_run_clawlock(out, sizeof(out), "status", "--json", NULL));
	status = json_tokener_parse(out);
	ASSERT_NE(NULL, status);
	ASSERT_TRUE(json_object_object_get_ex(status, "bpfLsmActive", &v));
	EXPECT_TRUE(json_object_get_boolean(v));
	ASSERT_TRUE(json_object_object_get_ex(status, "loaded", &v));
	EXPECT_TRUE(json_object_get_boolean(v));
	json_object_put(status);
}

/* This test binary is a host process, root, but not clawlock's loader. */
TEST(only_the_loader_may_touch_clawlocks_objects)
{
	char out[1 << 16];
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info), id = 0;
	int link, guarded = 0;

	ASSERT_EQ(0, cl_load());
	/* Maps and programs, by pin or by id. */
	EXPECT_EQ(-1, bpf_obj_get(CL_PIN_ROOT "/cl_bindings"));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, bpf_obj_get(CL_PIN_ROOT "/prog_cl_file_open"));
	EXPECT_EQ(EPERM, errno);
	while (!bpf_map_get_next_id(id, &id)) {
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0 && errno == EPERM)
			guarded++;
		if (fd >= 0)
			close(fd);
	}
	EXPECT_LE(15, guarded);
	/* A link's pin opens (no hook guards that), but it cannot be detached or had by id. */
	link = bpf_obj_get(CL_PIN_ROOT "/link_cl_file_open");
	ASSERT_LE(0, link);
	ASSERT_EQ(0, bpf_obj_get_info_by_fd(link, &info, &len));
	EXPECT_EQ(-1, bpf_link_detach(link));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, bpf_link_get_fd_by_id(info.id));
	EXPECT_EQ(EPERM, errno);
	close(link);
	/* Pins cannot be removed or moved, nor their bpffs unmounted. */
	EXPECT_EQ(-1, unlink(CL_PIN_ROOT "/link_cl_file_open"));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, rename(CL_PIN_ROOT "/cl_bindings", CL_PIN_ROOT "/moved"));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, rename(CL_PIN_ROOT, "/sys/fs/bpf/moved"));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, rmdir(CL_PIN_ROOT));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, umount2("/sys/fs/bpf", MNT_DETACH));
	EXPECT_EQ(EPERM, errno);
	EXPECT_TRUE(pinned("link_cl_file_open"));
	/* The loader itself still can: status reads the maps, and each refusal is an event. */
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "status", NULL));
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "events", "--json", NULL));
	EXPECT_NE(NULL, strstr(out, "\"op\":\"clawlock\""))
	{
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "\"reason\":\"clawlock-object\""));
}

/*
 * A loader of its own, copied to /tmp, for the tests that try to change
 * what the loader is: the build's binary is never at risk. Loaded with the
 * copy (CLAWLOCK names it for cltest.h) and unloaded with it.
 */
FIXTURE(copy)
{
	char dir[64];
	char exe[96];
	char build[PATH_MAX];
};

FIXTURE_SETUP(copy)
{
	char cmd[PATH_MAX + 128];

	snprintf(self->build, sizeof(self->build), "%s", cl_binary());
	ASSERT_EQ(0, cl_run_clawlock(NULL, 0, "-q", "unload", NULL));
	strcpy(self->dir, "/tmp/cl-exe-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->exe, sizeof(self->exe), "%s/clawlock", self->dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", self->build, self->exe);
	ASSERT_EQ(0, system(cmd));
	setenv("CLAWLOCK", self->exe, 1);
}

FIXTURE_TEARDOWN(copy)
{
	cl_run_clawlock(NULL, 0, "-q", "unload", NULL);
	setenv("CLAWLOCK", self->build, 1);
	cl_rm_tree(self->dir);
}

/* The loader is its executable's inode: nobody may change that file, or free its number. */
TEST_F(copy, the_loaders_executable_cannot_change_while_loaded)
{
	char other[128], out[1 << 16];
	int fd;

	ASSERT_EQ(0, cl_load());
	snprintf(other, sizeof(other), "%s/other", self->dir);
	ASSERT_EQ(0, cl_write_file(other, "#!/bin/sh\n"));
	EXPECT_EQ(-1, open(self->exe, O_WRONLY));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, open(self->exe, O_RDONLY | O_TRUNC));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, truncate(self->exe, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, chmod(self->exe, 0777));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, unlink(self->exe));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, rename(other, self->exe));
	EXPECT_EQ(EPERM, errno);
	/* Nor may a process take it as its executable without running it (else EBUSY). */
	fd = open(self->exe, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, prctl(PR_SET_MM, PR_SET_MM_EXE_FILE, fd, 0, 0));
	EXPECT_EQ(EPERM, errno);
	close(fd);
	/* The unchanged loader still manages clawlock; each refusal is a record. */
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "status", NULL));
	EXPECT_EQ(0, cl_run_clawlock(out, sizeof(out), "events", "--json", NULL));
	EXPECT_NE(NULL, strstr(out, "\"object\":\"executable\""))
	{
		TH_LOG("%s", out);
	}
}

/* A loader someone holds open for writing may be changing: it is not trusted. */
TEST_F(copy, a_loader_open_for_writing_is_not_trusted)
{
	char out[4096];
	int writer = open(self->exe, O_WRONLY);

	ASSERT_LE(0, writer);
	/* The exec fails (ETXTBSY), or the guard does not recognise the loader. */
	EXPECT_NE(0, cl_run_clawlock(out, sizeof(out), "load", NULL));
	EXPECT_FALSE(pinned("link_cl_file_open"))
	{
		TH_LOG("%s", out);
	}
	close(writer);
	EXPECT_EQ(0, cl_load());
	EXPECT_TRUE(pinned("link_cl_file_open"));
}

/* A traced process that execs the loader would hand its tracer the maps. */
TEST(the_loader_does_not_run_traced)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, cl_load());
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execl(cl_binary(), cl_binary(), "-q", "status", NULL);
		_exit(HELPER_ERRNO + errno);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (WIFSTOPPED(status)) {
		/* It ran under the tracer. */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(HELPER_ERRNO + EPERM, WEXITSTATUS(status));
}

/* clawlock ARGS... as the user nobody; its output in @out. */
static int as_nobody(char *out, size_t size, const char *cmd)
{
	char *argv[] = { "/usr/bin/setpriv",
			 "--reuid=65534",
			 "--regid=65534",
			 "--clear-groups",
			 (char *)cl_binary(),
			 (char *)cmd,
			 NULL };

	return cl_spawn(argv, out, size, 1);
}

TEST(a_user_without_the_rights_is_told_so)
{
	char out[4096];

	ASSERT_EQ(0, cl_run_clawlock(NULL, 0, "-q", "unload", NULL));
	EXPECT_EQ(1, as_nobody(out, sizeof(out), "load"));
	EXPECT_NE(NULL, strstr(out, "needs root"))
	{
		TH_LOG("%s", out);
	}
	EXPECT_EQ(NULL, strstr(out, "lockdown"));
	EXPECT_NE(0, access(CL_PIN_ROOT, F_OK));
	/* Loaded: a user cannot look, and must not be told "no". */
	ASSERT_EQ(0, cl_load());
	EXPECT_EQ(1, as_nobody(out, sizeof(out), "status"));
	EXPECT_NE(NULL, strstr(out, "loaded:   unknown"))
	{
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "needs root"));
	EXPECT_EQ(1, as_nobody(out, sizeof(out), "unload"));
	EXPECT_NE(NULL, strstr(out, "needs root"));
	EXPECT_TRUE(pinned("link_cl_file_open"));
}

TEST_HARNESS_MAIN
