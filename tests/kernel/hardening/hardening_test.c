// SPDX-License-Identifier: GPL-2.0
/*
 * hardening_test.c - what no sandbox may do, whatever its rules (run in the
 * test VM): bpf(), perf_event_open, loading modules, mounting, new user
 * namespaces, and writing to cgroupfs or bpffs, even where a rule grants
 * write there. The same operations from outside stay possible.
 */
#include "cltest.h"
#include "kselftest_harness.h"

/* Each test runs clawlock several times under TCG (and ASan in make check). */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

#define FORBIDDEN (HELPER_ERRNO + EPERM)

FIXTURE(hard)
{
	char root[64];
	char policy[128];
	char agent[32];
	char path[512];
};

#define at(self, rel) CL_AT(self, root, rel)

FIXTURE_SETUP(hard)
{
	static const char policy_template[] =
		"{ include: '@SRC@/policies/baseline.json5', agents: { '@AGENT@': { use: ['system'],"
		" files: { '@TESTDIR@': 'read,exec', '@ROOT@': 'read,write,exec',"
		" '/sys/fs/cgroup': 'read,write', '/sys/fs/bpf': 'read,write' } } } }";

	strcpy(self->root, "/tmp/cl-hard-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	ASSERT_EQ(0, mkdir(at(self, "mnt"), 0755));
	ASSERT_EQ(0, mkdir(at(self, "mounted"), 0755));
	ASSERT_EQ(0, mount("none", at(self, "mounted"), "tmpfs", 0, NULL));
	snprintf(self->policy, sizeof(self->policy), "%s/policy.json5", self->root);
	snprintf(self->agent, sizeof(self->agent), "hard-%d", getpid());
	/* Write to the control filesystems is granted here on purpose. */
	ASSERT_EQ(0, CL_WRITE_FILLED(self->policy, policy_template, "SRC", cl_source(), "AGENT",
				     self->agent, "TESTDIR", cl_self_dir(), "ROOT", self->root));
	ASSERT_EQ(0, cl_load());
}

FIXTURE_TEARDOWN(hard)
{
	umount2(at(self, "mounted"), MNT_DETACH);
	umount2(at(self, "mnt"), MNT_DETACH);
	cl_rm_tree(self->root);
}

#define CONFINED(op, rel) cl_confined(self->policy, self->agent, op, at(self, rel), NULL)

TEST_F(hard, no_bpf_and_no_perf)
{
	EXPECT_EQ(FORBIDDEN, CONFINED("bpf", "mnt"));
	EXPECT_EQ(FORBIDDEN, CONFINED("perf", "mnt"));
	/* From outside, both still work. */
	EXPECT_EQ(0, cl_helper_op("bpf", "mnt"));
	EXPECT_EQ(0, cl_helper_op("perf", "mnt"));
}

TEST_F(hard, no_mounts)
{
	EXPECT_EQ(FORBIDDEN, CONFINED("mount", "mnt"));
	EXPECT_EQ(FORBIDDEN, CONFINED("umount", "mounted"));
}

TEST_F(hard, no_new_user_namespace)
{
	int status;
	pid_t pid;

	EXPECT_EQ(FORBIDDEN, CONFINED("unshare-user", "mnt"));
	/* From outside (the VM's tests are not chrooted), it works. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(cl_helper_op("unshare-user", "mnt"));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(hard, no_kernel_modules)
{
	/* A regular file: the kernel checks that before asking the LSMs. */
	ASSERT_EQ(0, cl_write_file(at(self, "evil.ko"), "not a module"));
	EXPECT_EQ(FORBIDDEN, CONFINED("finit-module", "evil.ko"));
	/* From outside, the LSMs let it through and the module loader refuses it. */
	EXPECT_EQ(HELPER_ERRNO + ENOEXEC, cl_helper_op("finit-module", at(self, "evil.ko")));
}

TEST_F(hard, no_way_out_of_the_cgroup_and_no_bpffs_writes)
{
	/* Rules grant write on both, yet the kernel refuses. */
	EXPECT_EQ(DENIED, CONFINED("cgroup-escape", "/sys/fs/cgroup/cgroup.procs"));
	EXPECT_EQ(DENIED, CONFINED("mkdir", "/sys/fs/cgroup/escape"));
	EXPECT_EQ(DENIED, CONFINED("mkdir", "/sys/fs/bpf/mine"));
	EXPECT_NE(0, access("/sys/fs/cgroup/escape", F_OK));
}

TEST_F(hard, forbidden_operations_are_events)
{
	struct json_object *ev;

	ASSERT_EQ(FORBIDDEN, CONFINED("bpf", "mnt"));
	ev = cl_find_event(self->agent, "");
	ASSERT_NE(NULL, ev);
	EXPECT_STREQ("bpf", cl_event_str(ev, "op"));
	EXPECT_STREQ("never-in-a-sandbox", cl_event_str(ev, "reason"));
	json_object_put(ev);
}

TEST_HARNESS_MAIN
