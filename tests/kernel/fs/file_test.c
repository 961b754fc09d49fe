// SPDX-License-Identifier: GPL-2.0
/*
 * file_test.c - file rules enforced by the real kernel (run in the test VM).
 *
 * Each test builds a tree on tmpfs, writes a policy for an agent of its
 * own, and runs this binary as the confined helper through `clawlock run`.
 *
 *   work/            read,write,exec   the agent's workspace
 *   work/private/    deny              a carve-out inside it
 *   work/ro/         read              read-only inside it
 *   secret/          deny              a denied tree
 *   secret/shared/   read              an opening inside it
 *   other/           (no rule)         default deny
 *   work/later/      deny              missing at load, created later
 *   other/new-ws/    read,write        missing at load, created by the agent
 *   any .env         deny              a name pattern
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include "loader/cgroup.h"
#include "openclaw/ocscope.h"
#include "cltest.h"
#include "kselftest_harness.h"

/* Each test runs clawlock several times under TCG (and ASan in make check). */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

FIXTURE(files)
{
	char root[64];
	char policy[128];
	char agent[32];
	char path[512];
};

#define at(self, rel) CL_AT(self, root, rel)

static void make_tree(struct __test_metadata *_metadata, FIXTURE_DATA(files) * self)
{
	static const char *const dirs[] = { "work",   "work/private",  "work/ro",
					    "secret", "secret/shared", "secret/sub",
					    "other",  "mnt",	       "mnt2" };
	static const char *const files[] = { "work/file",  "work/private/key",	 "work/ro/file",
					     "secret/key", "secret/shared/file", "secret/sub/key",
					     "other/file" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		ASSERT_EQ(0, mkdir(at(self, dirs[i]), 0755));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		ASSERT_EQ(0, cl_write_file(at(self, files[i]), "data\n"));
	ASSERT_EQ(0, symlink("../secret/key", at(self, "work/link")));
}

/* The fixture's policy, with @extra rule lines ("'PATH': 'ACCESS',") added. */
static void write_policy_with(struct __test_metadata *_metadata, FIXTURE_DATA(files) * self,
			      const char *mode, const char *extra)
{
	static const char policy_template[] =
		"{ include: '@SRC@/policies/baseline.json5',\n"
		"  agents: { '@AGENT@': { mode: '@MODE@', use: ['system'], files: {\n"
		"    '@TESTDIR@': 'read,exec',\n"
		"    '@ROOT@/work': 'read,write,exec',\n"
		"    '@ROOT@/work/private': 'deny',\n"
		"    '@ROOT@/work/ro': 'read',\n"
		"    '@ROOT@/secret': 'deny',\n"
		"    '@ROOT@/secret/shared': 'read',\n"
		"    '@ROOT@/work/later': 'deny',\n"
		"    '@ROOT@/other/new-ws': 'read,write',\n"
		"    '**/.env': 'deny',\n"
		"    @EXTRA@\n"
		"  } } } }\n";

	ASSERT_EQ(0, CL_WRITE_FILLED(self->policy, policy_template, "SRC", cl_source(), "AGENT",
				     self->agent, "MODE", mode, "TESTDIR", cl_self_dir(), "ROOT",
				     self->root, "EXTRA", extra));
}

static void write_policy(struct __test_metadata *_metadata, FIXTURE_DATA(files) * self,
			 const char *mode)
{
	write_policy_with(_metadata, self, mode, "");
}

FIXTURE_SETUP(files)
{
	strcpy(self->root, "/tmp/cl-files-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->policy, sizeof(self->policy), "%s/policy.json5", self->root);
	/* One agent per test: its events and cgroup are its own. */
	snprintf(self->agent, sizeof(self->agent), "files-%d", getpid());
	make_tree(_metadata, self);
	write_policy(_metadata, self, "enforce");
	ASSERT_EQ(0, cl_load());
}

FIXTURE_TEARDOWN(files)
{
	umount2(at(self, "mnt"), MNT_DETACH);
	umount2(at(self, "mnt2"), MNT_DETACH);
	cl_rm_tree(self->root);
}

#define CONFINED(op, rel) cl_confined(self->policy, self->agent, op, at(self, rel), NULL)

/* Where the policy's rules alone decide: an operation and the kernel's answer. */
static const struct file_case {
	const char *why, *op, *rel;
	int want;
} rule_cases[] = {
	{ "the workspace is read-write", "read", "work/file", 0 },
	{ "the workspace is read-write", "write", "work/file", 0 },
	{ "the workspace is read-write", "write", "work/new-file", 0 },
	{ "no rule means denied", "read", "other/file", DENIED },
	{ "no rule means denied", "read", "other", DENIED },
	{ "no rule means denied", "read", "/root", DENIED },
	{ "a read-only tree", "read", "work/ro/file", 0 },
	{ "a read-only tree refuses writes", "write", "work/ro/file", DENIED },
	/* O_TRUNC truncates even on a read-only open: it is a write. */
	{ "a read-only tree refuses O_TRUNC", "trunc", "work/ro/file", DENIED },
	{ "a deny inside an allowed tree", "read", "work/private/key", DENIED },
	{ "a deny inside an allowed tree", "write", "work/private/key", DENIED },
	{ "an allow inside a denied tree", "read", "secret/shared/file", 0 },
	{ "an allow inside a denied tree is read-only", "write", "secret/shared/file", DENIED },
	{ "the denied tree around it", "read", "secret/key", DENIED },
	{ "a symlink into a denied tree", "read", "work/link", DENIED },
};

TEST_F(files, each_rule_decides_its_tree)
{
	for (size_t i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
		const struct file_case *c = &rule_cases[i];

		EXPECT_EQ(c->want, CONFINED(c->op, c->rel))
		{
			TH_LOG("%s: %s %s", c->why, c->op, c->rel);
		}
	}
}

TEST_F(files, bind_mount_of_denied_tree)
{
	char src[512];

	snprintf(src, sizeof(src), "%s/secret", self->root);
	ASSERT_EQ(0, mount(src, at(self, "mnt"), NULL, MS_BIND, NULL));
	EXPECT_EQ(DENIED, CONFINED("read", "mnt/key"));
	/* A bind of a subdirectory still lives inside the denied tree. */
	snprintf(src, sizeof(src), "%s/secret/sub", self->root);
	ASSERT_EQ(0, mount(src, at(self, "mnt2"), NULL, MS_BIND, NULL));
	EXPECT_EQ(DENIED, CONFINED("read", "mnt2/key"));
	/* And the opening inside the denied tree stays open through the bind. */
	EXPECT_EQ(0, CONFINED("read", "mnt/shared/file"));
}

/*
 * Two rules on one inode (hard links here; bind mounts alike) make one
 * entry, and it is the stricter of the two, whichever comes first.
 */
TEST_F(files, two_rules_on_one_inode_keep_the_stricter)
{
	static const char policy_template[] = "{ include: '@SRC@/policies/baseline.json5',\n"
					      "  agents: { '@AGENT@': { use: ['system'], files: {\n"
					      "    '@TESTDIR@': 'read,exec',\n"
					      "    '@ROOT@/work': 'read,write,exec',\n"
					      "    '@ROOT@/work/h1': 'read,write',\n"
					      "    '@ROOT@/work/h2': 'read',\n"
					      "    '@ROOT@/work/d2': 'deny',\n"
					      "    '@ROOT@/work/d1': 'read',\n"
					      "  } } } }\n";
	char first[512];

	/* at() has one buffer: the link's source is copied out first. */
	ASSERT_EQ(0, cl_write_file(at(self, "work/h1"), "data\n"));
	snprintf(first, sizeof(first), "%s", at(self, "work/h1"));
	ASSERT_EQ(0, link(first, at(self, "work/h2")));
	ASSERT_EQ(0, cl_write_file(at(self, "work/d1"), "data\n"));
	snprintf(first, sizeof(first), "%s", at(self, "work/d1"));
	ASSERT_EQ(0, link(first, at(self, "work/d2")));
	ASSERT_EQ(0, CL_WRITE_FILLED(self->policy, policy_template, "SRC", cl_source(), "AGENT",
				     self->agent, "TESTDIR", cl_self_dir(), "ROOT", self->root));

	EXPECT_EQ(0, CONFINED("read", "work/h1"));
	EXPECT_EQ(DENIED, CONFINED("write", "work/h1"));
	EXPECT_EQ(DENIED, CONFINED("write", "work/h2"));
	EXPECT_EQ(DENIED, CONFINED("read", "work/d1"));
	EXPECT_EQ(DENIED, CONFINED("read", "work/d2"));
	/* The rest of the workspace keeps its own rule. */
	EXPECT_EQ(0, CONFINED("write", "work/file"));
}

/* Start a confined helper that waits on stdin before reading @path. */
static pid_t start_waiting_helper(FIXTURE_DATA(files) * self, const char *path, int *to, int *from)
{
	char *argv[] = { (char *)cl_binary(), "-q",	    "run", "--policy",	      self->policy,
			 "--agent",	      self->agent,  "--",  (char *)cl_self(), "--helper",
			 "wait-read",	      (char *)path, NULL };

	return cl_spawn_piped(argv, to, from);
}

static int finish_waiting_helper(pid_t pid, int to, int from)
{
	int status;

	if (write(to, "go\n", 3) != 3)
		return -1;
	close(to);
	close(from);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(files, renamed_directory_keeps_its_rule)
{
	char ready[8] = { 0 }, from_path[512], to_path[512];
	int to, from;
	pid_t pid;

	snprintf(from_path, sizeof(from_path), "%s/work/private", self->root);
	snprintf(to_path, sizeof(to_path), "%s/work/renamed", self->root);
	pid = start_waiting_helper(self, at(self, "work/renamed/key"), &to, &from);
	ASSERT_LT(0, pid);
	/* The policy is compiled and the helper confined before the rename. */
	ASSERT_EQ(6, read(from, ready, 6));
	ASSERT_EQ(0, rename(from_path, to_path));
	EXPECT_EQ(DENIED, finish_waiting_helper(pid, to, from));
}

TEST_F(files, child_process_inherits_confinement)
{
	EXPECT_EQ(DENIED, CONFINED("fork-read", "secret/key"));
	EXPECT_EQ(0, CONFINED("fork-read", "work/file"));
}

TEST_F(files, child_cgroup_inherits_confinement)
{
	char mount[PATH_MAX], key[96], slug[CL_SLUG_MAX], child[PATH_MAX];
	int status;
	pid_t pid;

	/* Create and bind the agent's scope cgroup. */
	ASSERT_EQ(0, CONFINED("read", "work/file"));
	ASSERT_EQ(0, cl_cgroup_mount(mount, sizeof(mount)));
	cl_scope_key(self->agent, NULL, key, sizeof(key));
	cl_slugify(key, slug);
	ASSERT_GT((int)sizeof(child),
		  snprintf(child, sizeof(child), "%s/%s/%s/child", mount, CL_CGROUP_SUBTREE, slug));
	ASSERT_EQ(0, cl_cgroup_create(child));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (cl_cgroup_enter(child) < 0)
			_exit(90);
		if (cl_helper_op("read", at(self, "work/file")) != 0)
			_exit(91);
		_exit(cl_helper_op("read", at(self, "secret/key")));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(DENIED, WEXITSTATUS(status));
	rmdir(child);
}

TEST_F(files, unconfined_process_is_untouched)
{
	/* Bind the agent, then read its denied files from outside. */
	ASSERT_EQ(DENIED, CONFINED("read", "secret/key"));
	EXPECT_EQ(0, cl_helper_op("read", at(self, "secret/key")));
	EXPECT_EQ(0, cl_helper_op("write", at(self, "work/ro/file")));
	EXPECT_EQ(0, cl_helper_op("read", at(self, "other/file")));
}

TEST_F(files, denial_event_names_path_pid_agent_and_rule)
{
	char key_path[512], secret[512];
	struct json_object *ev;
	pid_t pid;

	snprintf(key_path, sizeof(key_path), "%s/secret/key", self->root);
	snprintf(secret, sizeof(secret), "%s/secret", self->root);
	ASSERT_EQ(DENIED, cl_confined(self->policy, self->agent, "read", key_path, &pid));
	ev = cl_find_event(self->agent, key_path);
	ASSERT_NE(NULL, ev);
	EXPECT_STREQ(self->agent, cl_event_str(ev, "agent"));
	EXPECT_STREQ("open", cl_event_str(ev, "op"));
	EXPECT_STREQ("read", cl_event_str(ev, "access"));
	EXPECT_STREQ("deny", cl_event_str(ev, "decision"));
	EXPECT_STREQ("rule", cl_event_str(ev, "reason"));
	{
		struct json_object *v, *rule;

		ASSERT_TRUE(json_object_object_get_ex(ev, "pid", &v));
		/* clawlock run execs the helper: same pid. */
		EXPECT_EQ(pid, json_object_get_int(v));
		ASSERT_TRUE(json_object_object_get_ex(ev, "rule", &rule));
		ASSERT_NE(NULL, rule);
		EXPECT_STREQ(secret, cl_event_str(rule, "path"));
		EXPECT_STREQ("deny", cl_event_str(rule, "access"));
		EXPECT_NE(NULL, strstr(cl_event_str(rule, "source"), "policy.json5:"));
	}
	json_object_put(ev);
}

TEST_F(files, no_rule_event_says_so)
{
	char other[512];
	const char *lacks;

	snprintf(other, sizeof(other), "%s/other/file", self->root);
	ASSERT_EQ(DENIED, cl_confined(self->policy, self->agent, "read", other, NULL));
	lacks = cl_event_lacks(self->agent, other, CL_FIELDS("reason=no-rule"));
	EXPECT_EQ(NULL, lacks) TH_LOG("%s", lacks);
}

TEST_F(files, audit_mode_allows_and_reports)
{
	char key_path[512];
	const char *lacks;

	write_policy(_metadata, self, "audit");
	snprintf(key_path, sizeof(key_path), "%s/secret/key", self->root);
	EXPECT_EQ(0, cl_confined(self->policy, self->agent, "read", key_path, NULL));
	lacks = cl_event_lacks(self->agent, key_path, CL_FIELDS("decision=audit"));
	EXPECT_EQ(NULL, lacks) TH_LOG("%s", lacks);
}

TEST_F(files, exec_needs_the_exec_right)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cp /bin/true %s/work/true && cp /bin/true %s/work/ro/true",
		 self->root, self->root);
	ASSERT_EQ(0, system(cmd));
	EXPECT_EQ(0, CONFINED("exec", "work/true"));
	EXPECT_EQ(DENIED, CONFINED("exec", "work/ro/true"));
}

/* "FROM|TO" under the fixture root, for rename and link. */
static const char *pair(FIXTURE_DATA(files) * self, const char *from, const char *to)
{
	snprintf(self->path, sizeof(self->path), "%s/%s|%s/%s", self->root, from, self->root, to);
	return self->path;
}

#define CONFINED_PAIR(op, from, to)                                                                \
	cl_confined(self->policy, self->agent, op, pair(self, from, to), NULL)

TEST_F(files, read_only_tree_refuses_every_change)
{
	EXPECT_EQ(DENIED, CONFINED("unlink", "work/ro/file"));
	EXPECT_EQ(DENIED, CONFINED("mkdir", "work/ro/newdir"));
	EXPECT_EQ(DENIED, CONFINED("symlink", "work/ro/newlink"));
	EXPECT_EQ(DENIED, CONFINED("truncate", "work/ro/file"));
	EXPECT_EQ(DENIED, CONFINED("chmod", "work/ro/file"));
	EXPECT_EQ(DENIED, CONFINED("setxattr", "work/ro/file"));
	EXPECT_EQ(DENIED, CONFINED_PAIR("rename", "work/ro/file", "work/moved"));
	EXPECT_EQ(DENIED, CONFINED_PAIR("rename", "work/file", "work/ro/moved"));
	EXPECT_EQ(DENIED, CONFINED_PAIR("link", "work/file", "work/ro/linked"));
	/* Nothing changed. */
	EXPECT_EQ(0, access(at(self, "work/ro/file"), F_OK));
}

TEST_F(files, workspace_allows_every_change)
{
	EXPECT_EQ(0, CONFINED("mkdir", "work/d"));
	EXPECT_EQ(0, CONFINED("rmdir", "work/d"));
	EXPECT_EQ(0, CONFINED("symlink", "work/l"));
	EXPECT_EQ(0, CONFINED("truncate", "work/file"));
	EXPECT_EQ(0, CONFINED("chmod", "work/file"));
	EXPECT_EQ(0, CONFINED_PAIR("rename", "work/file", "work/renamed"));
	EXPECT_EQ(0, CONFINED_PAIR("link", "work/renamed", "work/hardlink"));
	EXPECT_EQ(0, CONFINED("unlink", "work/hardlink"));
}

TEST_F(files, secrets_cannot_be_moved_or_linked_out)
{
	EXPECT_EQ(DENIED, CONFINED_PAIR("rename", "secret/key", "work/stolen"));
	EXPECT_EQ(DENIED, CONFINED_PAIR("link", "secret/key", "work/stolen"));
	EXPECT_EQ(DENIED, CONFINED_PAIR("rename", "secret", "work/stolen-dir"));
	EXPECT_NE(0, access(at(self, "work/stolen"), F_OK));
	/* A deny carve-out inside the workspace cannot be deleted or renamed either. */
	EXPECT_EQ(DENIED, CONFINED("unlink", "work/private/key"));
	EXPECT_EQ(DENIED, CONFINED_PAIR("rename", "work/private", "work/public"));
}

TEST_F(files, change_denials_are_events)
{
	const char *lacks;

	ASSERT_EQ(DENIED, CONFINED("unlink", "work/ro/file"));
	/* The event names the object by its last name. */
	lacks = cl_event_lacks(self->agent, "file",
			       CL_FIELDS("op=unlink", "access=write", "decision=deny"));
	EXPECT_EQ(NULL, lacks) TH_LOG("%s", lacks);
}

TEST_F(files, secret_created_after_load_is_denied)
{
	char ready[8] = { 0 }, key_path[512];
	int to, from;
	pid_t pid;

	/* The agent cannot create it ... */
	EXPECT_EQ(DENIED, CONFINED("mkdir", "work/later"));
	EXPECT_NE(0, access(at(self, "work/later"), F_OK));
	/*
	 * ... and once the host does, its rule holds without a reload: for an
	 * agent confined while it was missing (its name rule decides) ...
	 */
	snprintf(key_path, sizeof(key_path), "%s", at(self, "work/later/key"));
	pid = start_waiting_helper(self, key_path, &to, &from);
	ASSERT_LT(0, pid);
	ASSERT_EQ(6, read(from, ready, 6));
	ASSERT_EQ(0, mkdir(at(self, "work/later"), 0755));
	ASSERT_EQ(0, cl_write_file(key_path, "secret\n"));
	EXPECT_EQ(DENIED, finish_waiting_helper(pid, to, from));
	/* ... and for one confined since (its inode rule decides). */
	EXPECT_EQ(DENIED, CONFINED("read", "work/later/key"));
	EXPECT_EQ(DENIED, CONFINED("write", "work/later/new"));
	EXPECT_EQ(DENIED, CONFINED_PAIR("rename", "work/later", "work/now"));
	EXPECT_EQ(0, CONFINED("read", "work/file"));
}

TEST_F(files, allowed_path_created_after_load_is_usable)
{
	/* other/ has no rule, but the missing other/new-ws has one: it may be made. */
	EXPECT_EQ(DENIED, CONFINED("mkdir", "other/elsewhere"));
	EXPECT_EQ(0, CONFINED("mkdir", "other/new-ws"));
	EXPECT_EQ(0, CONFINED("write", "other/new-ws/file"));
	EXPECT_EQ(0, CONFINED("read", "other/new-ws/file"));
	EXPECT_EQ(DENIED, CONFINED("read", "other/file"));
}

TEST_F(files, dotenv_is_denied_wherever_it_appears)
{
	struct json_object *ev;

	ASSERT_EQ(0, cl_write_file(at(self, "work/.env"), "TOKEN=x\n"));
	ASSERT_EQ(0, mkdir(at(self, "work/app"), 0755));
	ASSERT_EQ(0, cl_write_file(at(self, "work/app/.env"), "TOKEN=y\n"));
	EXPECT_EQ(DENIED, CONFINED("read", "work/.env"));
	EXPECT_EQ(DENIED, CONFINED("read", "work/app/.env"));
	/* Neither moved nor linked out, and nothing else takes the name. */
	EXPECT_EQ(DENIED, CONFINED_PAIR("rename", "work/.env", "work/env-copy"));
	EXPECT_EQ(DENIED, CONFINED_PAIR("link", "work/app/.env", "work/env-copy"));
	EXPECT_EQ(DENIED, CONFINED("write", "work/ro/.env"));
	EXPECT_EQ(DENIED, CONFINED("write", "other/.env"));
	EXPECT_EQ(DENIED, CONFINED("unlink", "work/.env"));
	/* A new .env cannot be created, by open or by renaming a file onto it. */
	unlink(at(self, "work/.env"));
	EXPECT_EQ(DENIED, CONFINED("write", "work/.env"));
	EXPECT_EQ(DENIED, CONFINED("mkdir", "work/.env"));
	EXPECT_NE(0, access(at(self, "work/.env"), F_OK));
	EXPECT_EQ(DENIED, CONFINED_PAIR("rename", "work/file", "work/.env"));
	EXPECT_EQ(0, access(at(self, "work/file"), F_OK));
	/* Names that only look alike are the workspace's. */
	EXPECT_EQ(0, CONFINED("write", "work/.env.example"));
	EXPECT_EQ(0, CONFINED("write", "work/x.env"));
	/* Denials name the pattern as their rule. */
	ev = cl_find_event(self->agent, ".env");
	ASSERT_NE(NULL, ev);
	EXPECT_STREQ("deny", cl_event_str(ev, "decision"));
	{
		struct json_object *rule;

		ASSERT_TRUE(json_object_object_get_ex(ev, "rule", &rule));
		EXPECT_STREQ("**/.env", cl_event_str(rule, "path"));
	}
	json_object_put(ev);
}

static void copy_true(struct __test_metadata *_metadata, FIXTURE_DATA(files) * self,
		      const char *rel, const char *mode, const char *owner)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cp /bin/true '%s/%s' && chown %s '%s/%s' && chmod %s '%s/%s'",
		 self->root, rel, owner, self->root, rel, mode, self->root, rel);
	ASSERT_EQ(0, system(cmd));
}

TEST_F(files, set_id_execs_are_refused)
{
	copy_true(_metadata, self, "work/plain", "0755", "root");
	copy_true(_metadata, self, "work/suid", "4755", "nobody");
	copy_true(_metadata, self, "work/sgid", "2755", "root");
	copy_true(_metadata, self, "work/suid-root", "4755", "root");
	EXPECT_EQ(0, CONFINED("exec", "work/plain"));
	EXPECT_EQ(DENIED, CONFINED("exec", "work/suid"));
	EXPECT_EQ(DENIED, CONFINED("exec", "work/sgid"));
	/* Refused by its mode bits even where root gains nothing from it. */
	EXPECT_EQ(DENIED, CONFINED("exec", "work/suid-root"));
}

TEST_F(files, deleted_and_memfd_execs_are_refused)
{
	copy_true(_metadata, self, "work/gone", "0755", "root");
	EXPECT_EQ(DENIED, CONFINED("exec-deleted", "work/gone"));
	EXPECT_EQ(DENIED, CONFINED("exec-memfd", "/bin/true"));
}

TEST_F(files, executable_mappings_need_the_exec_right)
{
	copy_true(_metadata, self, "work/true", "0755", "root");
	copy_true(_metadata, self, "work/ro/true", "0755", "root");
	EXPECT_EQ(0, CONFINED("mmap-exec", "work/true"));
	EXPECT_EQ(DENIED, CONFINED("mmap-exec", "work/ro/true"));
	EXPECT_EQ(DENIED, CONFINED("mprotect-exec", "work/ro/true"));
	/* ld.so may run, but cannot map a program the policy does not let run. */
	EXPECT_EQ(0, CONFINED("exec-ldso", "work/true"));
	EXPECT_NE(0, CONFINED("exec-ldso", "work/ro/true"));
}

/* Times, inode flags and ACLs change a file: the write right, whatever the descriptor. */
TEST_F(files, metadata_changes_need_the_write_right)
{
	static const char *const ops[] = { "utimes", "setflags", "fssetxattr", "set-acl" };
	struct stat before, after;

	ASSERT_EQ(0, stat(at(self, "work/ro/file"), &before));
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		TH_LOG("%s", ops[i]);
		EXPECT_EQ(DENIED, CONFINED(ops[i], "work/ro/file"));
		EXPECT_EQ(DENIED, CONFINED(ops[i], "secret/key"));
		/* tmpfs may not support the change; it is not refused for it. */
		EXPECT_NE(DENIED, CONFINED(ops[i], "work/file"));
	}
	ASSERT_EQ(0, stat(at(self, "work/ro/file"), &after));
	EXPECT_EQ(before.st_mode, after.st_mode);
	EXPECT_EQ(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
	/* The ACL set the mode of the writable file: the check is not vacuous. */
	ASSERT_EQ(0, stat(at(self, "work/file"), &after));
	EXPECT_EQ(0777, after.st_mode & 0777);
}

/*
 * What a deny rule hides shows no metadata either: no stat, xattrs or
 * watch. What has no rule can be stat'ed (programs stat their way up),
 * but a watch needs the read right.
 */
TEST_F(files, denied_objects_reveal_no_metadata)
{
	static const char *const ops[] = { "stat", "getxattr", "getacl", "listxattr", "watch" };
	struct json_object *ev;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		TH_LOG("%s", ops[i]);
		EXPECT_EQ(DENIED, CONFINED(ops[i], "secret/key"));
		EXPECT_EQ(DENIED, CONFINED(ops[i], "secret"));
		EXPECT_EQ(DENIED, CONFINED(ops[i], "work/private/key"));
		EXPECT_EQ(0, CONFINED(ops[i], "work/file"));
		EXPECT_EQ(0, CONFINED(ops[i], "secret/shared/file"));
	}
	EXPECT_EQ(0, CONFINED("stat", "other/file"));
	EXPECT_EQ(DENIED, CONFINED("watch", "other"));
	ev = cl_find_event(self->agent, "key");
	ASSERT_NE(NULL, ev);
	EXPECT_STREQ("stat", cl_event_str(ev, "op"));
	EXPECT_STREQ("rule", cl_event_str(ev, "reason"));
	json_object_put(ev);
}

/* @path's handle as "MOUNT|TYPE:HEX", for the handle-* helpers. */
static int make_handle(const char *mount, const char *path, char *out, size_t size)
{
	struct file_handle *fh = calloc(1, sizeof(*fh) + MAX_HANDLE_SZ);
	int mount_id, n, ret = -1;

	if (!fh)
		return -1;
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, fh, &mount_id, 0) == 0) {
		n = snprintf(out, size, "%s|%d:", mount, fh->handle_type);
		for (unsigned int i = 0; i < fh->handle_bytes && n + 3 < (int)size; i++)
			n += snprintf(out + n, size - n, "%02x", fh->f_handle[i]);
		ret = 0;
	}
	free(fh);
	return ret;
}

/*
 * A file opened by handle after its dentry was evicted gets a dentry that
 * is not connected to its tree: its walk must not skip from there to the
 * mount point, past the deny rule. cgroupfs takes handles and lets its
 * dentries go (tmpfs keeps every one).
 */
TEST_F(files, handle_to_evicted_dentry_is_denied)
{
	char mount[200], cg[256], file[300], extra[300], handle[300 + 2 * MAX_HANDLE_SZ];
	struct json_object *ev;

	ASSERT_EQ(0, cl_cgroup_mount(mount, sizeof(mount)));
	snprintf(cg, sizeof(cg), "%s/cl-handle-%d", mount, getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	snprintf(file, sizeof(file), "%s/cgroup.procs", cg);
	snprintf(extra, sizeof(extra), "'%s': 'deny',", cg);
	write_policy_with(_metadata, self, "enforce", extra);
	ASSERT_EQ(0, make_handle(mount, file, handle, sizeof(handle)));
	EXPECT_EQ(DENIED, cl_confined(self->policy, self->agent, "read", file, NULL));
	EXPECT_EQ(DENIED, cl_confined(self->policy, self->agent, "handle-read", handle, NULL));
	for (int i = 0; i < 2; i++) {
		const char *op = i ? "handle-stat" : "handle-read";

		TH_LOG("%s after the dentry's eviction", op);
		ASSERT_EQ(0, cl_write_file("/proc/sys/vm/drop_caches", "2"));
		EXPECT_EQ(DENIED, cl_confined(self->policy, self->agent, op, handle, NULL));
	}
	ev = cl_find_event(self->agent, "cgroup.procs");
	ASSERT_NE(NULL, ev);
	json_object_put(ev);
	rmdir(cg);
}

/*
 * An overlay mounted before confinement, with a denied tree as its lower
 * layer: the real file decides too (on 6.1 it is opened under the
 * overlay's path).
 */
TEST_F(files, overlay_of_denied_tree_is_denied)
{
	char opts[1024], extra[600];

	snprintf(extra, sizeof(extra), "'%s/mnt': 'read',", self->root);
	write_policy_with(_metadata, self, "enforce", extra);
	ASSERT_EQ(0, mkdir(at(self, "work/empty"), 0755));
	snprintf(opts, sizeof(opts), "lowerdir=%s/secret:%s/work/empty", self->root, self->root);
	ASSERT_EQ(0, mount("overlay", at(self, "mnt"), "overlay", 0, opts));
	EXPECT_EQ(DENIED, CONFINED("read", "mnt/key"));
	EXPECT_EQ(DENIED, CONFINED("read", "mnt/sub/key"));
	EXPECT_EQ(0, CONFINED("read", "mnt/shared/file"));
	EXPECT_EQ(DENIED, CONFINED("mmap-exec", "mnt/shared/file"));
}

/*
 * ld.so runs a program without an exec open of it, but it maps the program
 * executable: refused where the program may not run, dynamic or static.
 */
TEST_F(files, ldso_cannot_run_what_may_not_run)
{
	static const char *const programs[] = { "/bin/true", "/usr/bin/busybox" };
	char cmd[1024];

	ASSERT_EQ(0, mkdir(at(self, "work/run"), 0755));
	ASSERT_EQ(0, mkdir(at(self, "work/ro/run"), 0755));
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		struct json_object *ev;

		TH_LOG("%s", programs[i]);
		/* Named true, so that busybox runs its true. */
		snprintf(cmd, sizeof(cmd), "cp %s %s/work/run/true && cp %s %s/work/ro/run/true",
			 programs[i], self->root, programs[i], self->root);
		ASSERT_EQ(0, system(cmd));
		EXPECT_EQ(0, CONFINED("exec", "work/run/true"));
		EXPECT_EQ(0, CONFINED("exec-ldso", "work/run/true"));
		EXPECT_EQ(DENIED, CONFINED("exec", "work/ro/run/true"));
		EXPECT_NE(0, CONFINED("exec-ldso", "work/ro/run/true"));
		ev = cl_find_event(self->agent, "true");
		ASSERT_NE(NULL, ev);
		/* The last denial: ld.so's executable mapping of the program. */
		EXPECT_STREQ("mmap", cl_event_str(ev, "op"));
		json_object_put(ev);
	}
}

/* A confined helper waiting to read @rel: it is confined before what the test does next. */
static pid_t wait_to_read(FIXTURE_DATA(files) * self, const char *rel, int *to, int *from)
{
	char ready[8] = { 0 }, path[512];
	pid_t pid;

	snprintf(path, sizeof(path), "%s", at(self, rel));
	pid = start_waiting_helper(self, path, to, from);
	if (pid > 0 && read(*from, ready, 6) != 6)
		return -1;
	return pid;
}

/*
 * Deny rules follow their names: a secret replaced by rename() while the
 * agent runs stays denied, the directories on the way to one cannot be
 * moved or removed by the agent, a link made before load outside a denied
 * tree is denied, and a deny whose directory is missing at load holds once
 * it appears.
 */
TEST_F(files, deny_rules_follow_their_names)
{
	char extra[1200], tmp[512];
	int to, from;
	pid_t pid;

	ASSERT_EQ(0, mkdir(at(self, "work/cfg"), 0755));
	ASSERT_EQ(0, cl_write_file(at(self, "work/cfg/token"), "old\n"));
	snprintf(extra, sizeof(extra),
		 "'%s/work/cfg/token': 'deny', '%s/work/nest/deep/key': 'deny',", self->root,
		 self->root);
	write_policy_with(_metadata, self, "enforce", extra);

	pid = wait_to_read(self, "work/cfg/token", &to, &from);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, cl_write_file(at(self, "work/cfg/token.new"), "new\n"));
	snprintf(tmp, sizeof(tmp), "%s", at(self, "work/cfg/token.new"));
	ASSERT_EQ(0, rename(tmp, at(self, "work/cfg/token")));
	EXPECT_EQ(DENIED, finish_waiting_helper(pid, to, from));

	/* The way to it stays put, and nothing is renamed onto it. */
	EXPECT_EQ(DENIED, CONFINED_PAIR("rename", "work/cfg", "work/cfg-old"));
	EXPECT_EQ(DENIED, CONFINED("rmdir", "work/cfg"));
	EXPECT_EQ(0, CONFINED("mkdir", "work/other-cfg"));
	EXPECT_EQ(DENIED, CONFINED_PAIR("rename", "work/other-cfg", "work/cfg"));
	EXPECT_EQ(0, access(at(self, "work/cfg/token"), F_OK));
	EXPECT_EQ(0, CONFINED_PAIR("rename", "work/file", "work/file2"));

	/* A hard link made outside the denied tree before load is the secret too. */
	snprintf(tmp, sizeof(tmp), "%s", at(self, "secret/key"));
	ASSERT_EQ(0, link(tmp, at(self, "work/key-link")));
	EXPECT_EQ(DENIED, CONFINED("read", "work/key-link"));
	EXPECT_EQ(0, CONFINED("read", "work/file2"));

	/* Its directory missing at load: the first missing name is denied. */
	EXPECT_EQ(DENIED, CONFINED("mkdir", "work/nest"));
	pid = wait_to_read(self, "work/nest/deep/key", &to, &from);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, mkdir(at(self, "work/nest"), 0755));
	ASSERT_EQ(0, mkdir(at(self, "work/nest/deep"), 0755));
	ASSERT_EQ(0, cl_write_file(at(self, "work/nest/deep/key"), "secret\n"));
	EXPECT_EQ(DENIED, finish_waiting_helper(pid, to, from));
}

TEST_HARNESS_MAIN
