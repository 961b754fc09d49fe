// SPDX-License-Identifier: GPL-2.0
/*
 * fleet_test.c - the Ansible role of deploy/ansible run for real with
 * ansible-playbook (local connection, inside the test VM): it installs the
 * binary, the baseline, the overlay and the unit, loads and applies, and
 * checks the host with `clawlock audit --deep`; on a host without BPF LSM
 * it stops before installing anything. Skipped, saying so, where
 * ansible-playbook is not installed.
 */
#include <sys/utsname.h>

#include "cltest.h"
#include "kselftest_harness.h"

/* ansible-playbook is Python under TCG: slow, slower still beside a second guest. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 1800

#define PLAYBOOK_BIN "/usr/bin/ansible-playbook"

FIXTURE(fleet)
{
	char dir[64];
	char path[512];
};

#define at(self, rel) CL_AT(self, dir, rel)

/*
 * Debian's kselftest harness runs a test's body even when its setup called
 * SKIP(), so each body returns at once when the setup skipped.
 */
FIXTURE_SETUP(fleet)
{
	char text[3 * PATH_MAX], bin[PATH_MAX];
	struct utsname uts;

	if (access(PLAYBOOK_BIN, X_OK) != 0)
		SKIP(return,
			   "ansible-playbook is not installed (./dev setup installs ansible-core)");
	/*
	 * The role does not depend on the kernel, and Python under TCG is slow:
	 * it runs on the newer kernel only, to keep the suite inside CI's time.
	 */
	if (uname(&uts) == 0 && !strncmp(uts.release, "6.1.", 4))
		SKIP(return, "the Ansible role is kernel-independent: run on 6.12 only (CI time)");
	strcpy(self->dir, "/tmp/cl-fleet-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mkdir(at(self, "home"), 0700));
	ASSERT_EQ(0, cl_write_file(
			     at(self, "openclaw.json"),
			     "{ agents: { defaults: { sandbox: { mode: 'all', scope: 'agent' } },"
			     "  entries: { fleetagent: { workspace: '/tmp' } } } }"));
	ASSERT_EQ(0, cl_write_file(at(self, "overlay.json5"),
				   "{ agents: { fleetagent: { files: { '/opt': 'read' } } } }"));
	ASSERT_NE(NULL, realpath(cl_binary(), bin));
	snprintf(text, sizeof(text),
		 "{\"clawlock_binary\": \"%1$s\", \"clawlock_source\": \"%2$s\","
		 " \"clawlock_openclaw_config\": \"%3$s/openclaw.json\","
		 " \"clawlock_overlay\": \"%3$s/overlay.json5\","
		 " \"clawlock_bin_path\": \"%3$s/root/sbin/clawlock\","
		 " \"clawlock_share_dir\": \"%3$s/root/share\","
		 " \"clawlock_etc_dir\": \"%3$s/root/etc\","
		 " \"clawlock_unit_dir\": \"%3$s/root/unit\","
		 " \"clawlock_log\": \"%3$s/root/log/events.jsonl\","
		 " \"clawlock_hosts\": \"localhost\", \"ansible_become\": false}",
		 bin, cl_source(), self->dir);
	ASSERT_EQ(0, cl_write_file(at(self, "vars.json"), text));
	setenv("HOME", at(self, "home"), 1);
	setenv("ANSIBLE_LOCAL_TEMP", at(self, "home"), 1);
	setenv("ANSIBLE_NOCOLOR", "1", 1);
}

FIXTURE_TEARDOWN(fleet)
{
	char *unload[] = { self->path, "-q", "unload", NULL };
	char out[4096];

	if (!self->dir[0])
		return;
	/*
	 * The role loaded clawlock with the copy it installed, and only that
	 * executable may unload it (self-protection): unload with it, or every
	 * later test of this boot meets a clawlock it cannot remove.
	 */
	if (access(at(self, "root/sbin/clawlock"), X_OK) == 0)
		cl_spawn(unload, out, sizeof(out), 1);
	cl_rm_tree(self->dir);
}

/* ansible-playbook deploy/ansible/site.yml with the fixture's variables. */
static int playbook(FIXTURE_DATA(fleet) * self, const char *extra, char *out, size_t size)
{
	char site[PATH_MAX], vars[600];
	char *argv[] = { PLAYBOOK_BIN, "-i", "localhost,", "-c",	  "local", site,
			 "-e",	       vars, "-e",	   (char *)extra, NULL };

	snprintf(site, sizeof(site), "%s/deploy/ansible/site.yml", cl_source());
	snprintf(vars, sizeof(vars), "@%s/vars.json", self->dir);
	if (!extra)
		argv[8] = NULL;
	return cl_spawn(argv, out, size, 1);
}

TEST_F(fleet, the_role_installs_applies_and_audits)
{
	static char out[1 << 18];
	char loader[PATH_MAX];
	struct json_object *st;
	const char *saved;

	if (_metadata->skip)
		return;
	/* Nothing of an earlier test is loaded: the role loads. */
	ASSERT_EQ(0, playbook(self, NULL, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "failed=0")) TH_LOG("%s", out);
	EXPECT_EQ(0, access(at(self, "root/sbin/clawlock"), X_OK));
	EXPECT_EQ(0, access(at(self, "root/share/policies/baseline.json5"), R_OK));
	EXPECT_EQ(0, access(at(self, "root/etc/overlay.json5"), R_OK));
	EXPECT_EQ(0, access(at(self, "root/unit/clawlock.service.d/ansible.conf"), R_OK));
	/*
	 * The agent's scope is bound: the role applied the config. Only the
	 * copy that loaded clawlock may read its maps, so ask that one.
	 */
	saved = getenv("CLAWLOCK");
	snprintf(loader, sizeof(loader), "%s", saved ? saved : "");
	setenv("CLAWLOCK", at(self, "root/sbin/clawlock"), 1);
	st = cl_status();
	if (loader[0])
		setenv("CLAWLOCK", loader, 1);
	else
		unsetenv("CLAWLOCK");
	ASSERT_NE(NULL, st);
	EXPECT_NE(NULL, cl_binding_of(st, "fleetagent"));
	json_object_put(st);
	/* The check ran: audit --deep is the role's last task. */
	EXPECT_NE(NULL, strstr(out, "Check the host (clawlock audit --deep)")) TH_LOG("%s", out);
}

TEST_F(fleet, a_host_without_bpf_lsm_gets_nothing)
{
	static char out[1 << 16];
	char extra[256];

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, cl_write_file(at(self, "lsm"), "capability,landlock,apparmor\n"));
	snprintf(extra, sizeof(extra), "clawlock_lsm_file=%s/lsm", self->dir);
	EXPECT_NE(0, playbook(self, extra, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "BPF LSM is not active")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "Nothing was installed"));
	EXPECT_NE(0, access(at(self, "root/sbin/clawlock"), F_OK));
}

TEST_HARNESS_MAIN
