// SPDX-License-Identifier: GPL-2.0
/*
 * plan_test.c - the fingerprint that lets `sandbox exec` skip the compile
 * (sandbox_plan.h): it holds while nothing changes, and changes with every
 * input the compile read (the config, an include, the state dir's .env,
 * a policy file, one that was missing and now exists, a path it probed),
 * with clawlock's environment, with the request, and with the workspace
 * directories; and a plan is kept and read back whole, never from a file
 * others could write.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy/json5.h"
#include "openclaw/openclaw.h"
#include "policy/policy.h"
#include "sandbox/sandbox_plan.h"
#include "kselftest_harness.h"
#include "leakcheck.h"

#define REQUEST "key agent:a:workspace:0123\nsession -"

FIXTURE(plan)
{
	char dir[64];
	char config[128];
	char include[128];
	char overlay[128];
	char dotenv[160];
	char ws[128];
	struct cl_sbx_plan plan;
	char recorded[CL_PLAN_DIGEST];
};

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Load the config and the overlay as sandbox exec does, recording. */
static int load_recorded(FIXTURE_DATA(plan) * self)
{
	struct oc_config cfg;
	struct cl_policy overlay;
	char err[1024];
	int ret = 0;

	char skills[192];

	cl_plan_record_begin(&self->plan);
	/* As the compile probes a workspace's skills folder. */
	snprintf(skills, sizeof(skills), "%s/skills", self->ws);
	json5_note_probe(skills);
	if (oc_config_load(self->config, &cfg, err, sizeof(err)) < 0)
		ret = -1;
	else
		oc_config_free(&cfg);
	if (cl_policy_load(self->overlay, &overlay, err, sizeof(err)) < 0)
		ret = -1;
	else
		cl_policy_free(&overlay);
	cl_plan_record_end();
	return ret;
}

FIXTURE_SETUP(plan)
{
	char state[96];

	strcpy(self->dir, "/tmp/cl-plan-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->config, sizeof(self->config), "%s/openclaw.json", self->dir);
	snprintf(self->include, sizeof(self->include), "%s/agents.json5", self->dir);
	snprintf(self->overlay, sizeof(self->overlay), "%s/overlay.json5", self->dir);
	snprintf(state, sizeof(state), "%s/state", self->dir);
	snprintf(self->dotenv, sizeof(self->dotenv), "%s/.env", state);
	snprintf(self->ws, sizeof(self->ws), "%s/ws", self->dir);
	ASSERT_EQ(0, mkdir(state, 0700));
	ASSERT_EQ(0, mkdir(self->ws, 0700));
	put(self->config, "{ agents: { $include: './agents.json5' } }");
	put(self->include, "{ list: [ { id: 'a', workspace: '${WS_DIR}' } ] }");
	put(self->overlay, "{ agents: {} }");
	setenv("OPENCLAW_STATE_DIR", state, 1);
	setenv("WS_DIR", self->ws, 1);
	memset(&self->plan, 0, sizeof(self->plan));
	ASSERT_EQ(0, load_recorded(self));
	ASSERT_FALSE(self->plan.incomplete);
	ASSERT_EQ(0, cl_plan_set_paths(&self->plan, "workspace-x", "/sys/fs/cgroup/x", self->ws,
				       self->ws, self->ws));
	ASSERT_EQ(0, cl_plan_fingerprint(&self->plan, REQUEST, false, self->recorded));
}

FIXTURE_TEARDOWN(plan)
{
	char cmd[128];

	cl_plan_free(&self->plan);
	unsetenv("OPENCLAW_STATE_DIR");
	unsetenv("WS_DIR");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd) != 0)
		TH_LOG("could not remove %s", self->dir);
}

/* Is the recorded fingerprint still what the files say now? */
static bool holds(FIXTURE_DATA(plan) * self, const char *request)
{
	char now[CL_PLAN_DIGEST];

	return cl_plan_fingerprint(&self->plan, request, true, now) == 0 &&
	       !strcmp(now, self->recorded);
}

static bool has_input(FIXTURE_DATA(plan) * self, const char *path, bool missing)
{
	for (size_t i = 0; i < self->plan.input_count; i++) {
		if (!strcmp(self->plan.inputs[i].path, path))
			return missing == !strcmp(self->plan.inputs[i].digest, "-");
	}
	return false;
}

TEST_F(plan, records_every_file_the_compile_read)
{
	EXPECT_TRUE(has_input(self, self->config, false));
	EXPECT_TRUE(has_input(self, self->include, false));
	EXPECT_TRUE(has_input(self, self->overlay, false));
	/* Missing, and still an input: its creation changes the config's values. */
	EXPECT_TRUE(has_input(self, self->dotenv, true));
	EXPECT_TRUE(holds(self, REQUEST));
	EXPECT_TRUE(holds(self, REQUEST)); /* reading changes nothing */
	LEAK_CHECK();
}

TEST_F(plan, a_changed_config_or_include_does_not_hold)
{
	put(self->include, "{ list: [ { id: 'a', workspace: '/' } ] }");
	EXPECT_FALSE(holds(self, REQUEST));
	put(self->include, "{ list: [ { id: 'a', workspace: '${WS_DIR}' } ] }");
	EXPECT_TRUE(holds(self, REQUEST)); /* the same bytes again */
	put(self->config, "{ agents: { $include: './agents.json5' }, tools: {} }");
	EXPECT_FALSE(holds(self, REQUEST));
	LEAK_CHECK();
}

TEST_F(plan, an_overlay_change_does_not_hold)
{
	put(self->overlay, "{ agents: { a: { files: { allow: { '/': 'rw' } } } } }");
	EXPECT_FALSE(holds(self, REQUEST));
	LEAK_CHECK();
}

TEST_F(plan, a_new_dotenv_or_removed_include_does_not_hold)
{
	put(self->dotenv, "WS_DIR=/\n");
	EXPECT_FALSE(holds(self, REQUEST));
	unlink(self->dotenv);
	EXPECT_TRUE(holds(self, REQUEST));
	unlink(self->include);
	EXPECT_FALSE(holds(self, REQUEST));
	LEAK_CHECK();
}

TEST_F(plan, the_environment_and_request_count)
{
	setenv("WS_DIR", "/", 1);
	EXPECT_FALSE(holds(self, REQUEST));
	setenv("WS_DIR", self->ws, 1);
	EXPECT_TRUE(holds(self, REQUEST));
	/* The command's own variables are not clawlock's: they do not count. */
	setenv("CLAWLOCK_ENV_FOO", "1", 1);
	EXPECT_TRUE(holds(self, REQUEST));
	unsetenv("CLAWLOCK_ENV_FOO");
	EXPECT_FALSE(holds(self, REQUEST "\npolicy /x"));
	LEAK_CHECK();
}

TEST_F(plan, a_probed_path_that_appears_does_not_hold)
{
	char skills[192], elsewhere[192];

	snprintf(skills, sizeof(skills), "%s/skills", self->ws);
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", self->dir);
	/* A skills folder made later: a fresh compile would make it read-only. */
	ASSERT_EQ(0, mkdir(skills, 0755));
	EXPECT_FALSE(holds(self, REQUEST));
	ASSERT_EQ(0, rmdir(skills));
	EXPECT_TRUE(holds(self, REQUEST));
	/* A link there that leads elsewhere is something else again. */
	ASSERT_EQ(0, mkdir(elsewhere, 0755));
	ASSERT_EQ(0, symlink(elsewhere, skills));
	EXPECT_FALSE(holds(self, REQUEST));
	LEAK_CHECK();
}

/* What an agent does all day changes no input: the plan keeps holding. */
TEST_F(plan, files_made_in_the_workspace_keep_it_holding)
{
	char made[192];

	snprintf(made, sizeof(made), "%s/made.c", self->ws);
	put(made, "int main(void) { return 0; }\n");
	ASSERT_EQ(0, access(made, F_OK));
	EXPECT_TRUE(holds(self, REQUEST));
	ASSERT_EQ(0, unlink(made));
	EXPECT_TRUE(holds(self, REQUEST));
	LEAK_CHECK();
}

TEST_F(plan, a_workspace_replaced_by_a_link_does_not_hold)
{
	char moved[160];

	snprintf(moved, sizeof(moved), "%s.old", self->ws);
	ASSERT_EQ(0, rename(self->ws, moved));
	ASSERT_EQ(0, symlink("/", self->ws));
	EXPECT_FALSE(holds(self, REQUEST));
	LEAK_CHECK();
}

/* The plan's probes resolve paths as realpath(3) does, in one walk. */
TEST_F(plan, paths_resolve_as_realpath_does)
{
	char link[160], through[192], missing[192], *paths[5];
	struct stat st, want;

	snprintf(link, sizeof(link), "%s/link", self->dir);
	snprintf(through, sizeof(through), "%s/link/../ws/.", self->dir);
	snprintf(missing, sizeof(missing), "%s/link/none", self->dir);
	ASSERT_EQ(0, symlink("ws", link));
	paths[0] = self->ws;
	paths[1] = link;
	paths[2] = through;
	paths[3] = self->config;
	paths[4] = "/proc/self";
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char *want_path = realpath(paths[i], NULL), *got = cl_realpath(paths[i], &st);

		ASSERT_NE(NULL, want_path);
		ASSERT_NE(NULL, got);
		EXPECT_STREQ(want_path, got);
		ASSERT_EQ(0, stat(paths[i], &want));
		EXPECT_EQ(want.st_ino, st.st_ino);
		EXPECT_EQ(want.st_dev, st.st_dev);
		free(want_path);
		free(got);
	}
	errno = 0;
	EXPECT_EQ(NULL, cl_realpath(missing, NULL));
	EXPECT_EQ(ENOENT, errno);
	LEAK_CHECK();
}

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/*
 * A link that open may not follow but readlink reads (a nosymfollow mount;
 * fs.protected_symlinks alike) resolves as realpath(3) resolves it: a
 * probe must still see where it leads.
 */
TEST_F(plan, a_link_open_may_not_follow_still_resolves)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		char mnt[96], link[128], *want, *got;

		snprintf(mnt, sizeof(mnt), "%s/nosym", self->dir);
		snprintf(link, sizeof(link), "%s/link", mnt);
		if (mkdir(mnt, 0700) || unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", mnt, "tmpfs", MS_NOSYMFOLLOW, NULL) || symlink(self->ws, link))
			_exit(2);
		if (open(link, O_PATH) >= 0 || errno != ELOOP)
			_exit(2);
		want = realpath(link, NULL);
		got = cl_realpath(link, NULL);
		_exit(want && got && !strcmp(want, got) ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2)
		SKIP(return, "no nosymfollow mount in a new mount namespace here");
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(plan, is_kept_and_read_back_whole)
{
	struct cl_sbx_plan back;
	char path[160], other[160];

	cl_strlcpy(self->plan.fingerprint, self->recorded, sizeof(self->plan.fingerprint));
	cl_strlcpy(self->plan.digest, "abc", sizeof(self->plan.digest));
	self->plan.uid = 1000;
	self->plan.gid = 1001;
	self->plan.net_none = true;
	struct cl_scratch tmp = { .path = "/tmp", .size = 1 << 20, .no_exec = true };
	struct cl_scratch var = { .path = "/var/tmp", .read_only = true };

	ASSERT_EQ(0, cl_plan_add_tmpfs(&self->plan, &tmp));
	ASSERT_EQ(0, cl_plan_add_tmpfs(&self->plan, &var));
	ASSERT_TRUE(cl_plan_path(self->dir, REQUEST, path, sizeof(path)));
	ASSERT_TRUE(cl_plan_path(self->dir, REQUEST "\npolicy /x", other, sizeof(other)));
	EXPECT_STRNE(path, other);
	ASSERT_EQ(0, cl_plan_write(path, &self->plan));
	ASSERT_EQ(0, cl_plan_read(path, &back));
	EXPECT_STREQ(self->recorded, back.fingerprint);
	EXPECT_STREQ("abc", back.digest);
	EXPECT_EQ(1000, back.uid);
	EXPECT_EQ(1001, back.gid);
	EXPECT_TRUE(back.net_none);
	/* The scratch's size and flags come back with its path. */
	ASSERT_EQ(2, back.tmpfs_count);
	EXPECT_STREQ("/tmp", back.tmpfs[0].path);
	EXPECT_EQ(1 << 20, back.tmpfs[0].size);
	EXPECT_TRUE(back.tmpfs[0].no_exec);
	EXPECT_FALSE(back.tmpfs[0].read_only);
	EXPECT_STREQ("/var/tmp", back.tmpfs[1].path);
	EXPECT_EQ(0, back.tmpfs[1].size);
	EXPECT_TRUE(back.tmpfs[1].read_only);
	EXPECT_FALSE(back.tmpfs[1].no_exec);
	EXPECT_STREQ(self->ws, back.workdir);
	EXPECT_STREQ("workspace-x", back.slug);
	EXPECT_EQ(self->plan.input_count, back.input_count);
	cl_plan_free(&back);
	/* One that others could write chooses the uid: never read. */
	ASSERT_EQ(0, chmod(path, 0666));
	EXPECT_EQ(-1, cl_plan_read(path, &back));
	ASSERT_EQ(0, chmod(path, 0600));
	/* A released scope's plans go; others stay. */
	ASSERT_EQ(0, cl_plan_write(other, &self->plan));
	cl_plan_forget(self->dir, "workspace-y");
	EXPECT_EQ(0, access(path, F_OK));
	cl_plan_forget(self->dir, "workspace-x");
	EXPECT_EQ(-1, access(path, F_OK));
	EXPECT_EQ(-1, access(other, F_OK));
	put(path, "{ \"version\": 1 }");
	EXPECT_EQ(-1, cl_plan_read(path, &back));
	LEAK_CHECK();
}

TEST_HARNESS_MAIN
