// SPDX-License-Identifier: GPL-2.0
/*
 * backend_test.c - `clawlock sandbox exec|describe|release`, the command
 * OpenClaw's clawlock backend runs every tool call through (run in the test
 * VM): keys the config does not sandbox are refused and nothing runs; a call
 * is confined as the config says; scratch and the "none" network are
 * private per scope and kept across its calls; the policy is installed once
 * per scope, also when the first calls come at once.
 */
#include "cltest.h"

#include <linux/magic.h>
#include <sys/statfs.h>
#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

/* The unprivileged user the sandbox runs as (docker.user). */
#define USER_ID 1000

FIXTURE(be)
{
	char home[64];
	char config[128];
	char key[256];	/* main's scope key */
	char path[384]; /* at(): home and a name below it */
	char out[1 << 16];
};

#define at(self, rel) CL_AT(self, home, rel)

#define DOCKER "user: '1000:1000', network: 'none', pidsLimit: 64"

/* main works in ~/ws, other in ~/ws2; @extra goes into the sandbox defaults. */
static int write_config_docker(FIXTURE_DATA(be) * self, const char *mode, const char *access,
			       const char *extra, const char *docker)
{
	static const char config_template[] =
		"{ agents: { defaults: { sandbox: { mode: '@MODE@', scope: 'agent',"
		"  workspaceAccess: '@ACCESS@', backend: 'clawlock', @EXTRA@ docker: { @DOCKER@ } } },"
		"  list: [ { id: 'main', workspace: '@HOME@/ws' },"
		"          { id: 'other', workspace: '@HOME@/ws2' } ] } }";

	return CL_WRITE_FILLED(self->config, config_template, "MODE", mode, "ACCESS", access,
			       "EXTRA", extra, "DOCKER", docker, "HOME", self->home);
}

static int write_config(FIXTURE_DATA(be) * self, const char *mode, const char *access,
			const char *extra)
{
	return write_config_docker(self, mode, access, extra, DOCKER);
}

/* The scope key OpenClaw gives @agent's sandbox, from `clawlock explain --json`. */
static int scope_key_of(FIXTURE_DATA(be) * self, const char *agent, char *key, size_t size)
{
	struct json_object *doc, *sb, *v;
	int ret = -1;

	if (cl_run_clawlock(self->out, sizeof(self->out), "explain", "--openclaw", self->config,
			    "--agent", agent, "--json", NULL) != 0)
		return -1;
	doc = json_tokener_parse(self->out);
	if (doc && json_object_object_get_ex(doc, "sandbox", &sb) &&
	    json_object_object_get_ex(sb, "scopeKey", &v)) {
		snprintf(key, size, "%s", json_object_get_string(v));
		ret = 0;
	}
	json_object_put(doc);
	return ret;
}

static void scope_setup(struct __test_metadata *_metadata, FIXTURE_DATA(be) * self)
{
	static const char *const dirs[] = { "ws", "ws2", ".ssh", "elsewhere", ".openclaw" };

	/*
	 * Not under /tmp, which the sandbox sees as its own scratch: a home on
	 * a tmpfs of the VM's own at /mnt (the share stays untouched).
	 */
	if (!cl_mounted_tmpfs("/mnt"))
		ASSERT_EQ(0, mount("tmpfs", "/mnt", "tmpfs", 0, "mode=0755"));
	strcpy(self->home, "/mnt/cl-be-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->home));
	ASSERT_EQ(0, chmod(self->home, 0755));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		ASSERT_EQ(0, mkdir(at(self, dirs[i]), 0755));
	ASSERT_EQ(0, chown(at(self, "ws"), USER_ID, USER_ID));
	ASSERT_EQ(0, chown(at(self, "ws2"), USER_ID, USER_ID));
	ASSERT_EQ(0, cl_write_file(at(self, "ws/notes.md"), "notes\n"));
	ASSERT_EQ(0, cl_write_file(at(self, ".ssh/id_ed25519"), "key\n"));
	ASSERT_EQ(0, cl_write_file(at(self, "elsewhere/file"), "x\n"));
	snprintf(self->config, sizeof(self->config), "%s/.openclaw/openclaw.json", self->home);
	ASSERT_EQ(0, write_config(self, "all", "rw", ""));
	setenv("HOME", self->home, 1);
	unsetenv("OPENCLAW_CONFIG_PATH");
	ASSERT_EQ(0, scope_key_of(self, "main", self->key, sizeof(self->key)));
	ASSERT_EQ(0, cl_load());
}

static void scope_teardown(FIXTURE_DATA(be) * self)
{
	cl_run_clawlock(NULL, 0, "-q", "sandbox", "release", "--openclaw", self->config, self->key,
			NULL);
	cl_rm_tree(self->home);
}

FIXTURE_SETUP(be)
{
	scope_setup(_metadata, self);
}

FIXTURE_TEARDOWN(be)
{
	scope_teardown(self);
}

/* clawlock @flag sandbox exec --scope-key KEY -- /bin/sh -c SCRIPT, into @argv. */
#define SH_ARGC 19
static void sh_argv(FIXTURE_DATA(be) * self, const char *flag, const char *key, const char *script,
		    char *argv[SH_ARGC + 1])
{
	char *const words[] = { (char *)cl_binary(),
				(char *)flag,
				"sandbox",
				"exec",
				"--openclaw",
				self->config,
				"--scope-key",
				(char *)key,
				"--env",
				"PATH=/usr/bin:/bin",
				"--env",
				"HOME=/nonexistent",
				"--",
				"/bin/sh",
				"-c",
				(char *)script,
				NULL };

	memcpy(argv, words, sizeof(words));
}

/* sh_argv()'s command run; output (both streams) in out. */
static int sh_flag(FIXTURE_DATA(be) * self, const char *flag, const char *key, const char *script)
{
	char *argv[SH_ARGC + 1];

	sh_argv(self, flag, key, script, argv);
	return cl_spawn(argv, self->out, sizeof(self->out), 1);
}

static int sh_in(FIXTURE_DATA(be) * self, const char *key, const char *script)
{
	return sh_flag(self, "-q", key, script);
}

static int sh(FIXTURE_DATA(be) * self, const char *script)
{
	return sh_in(self, self->key, script);
}

/*
 * In a session of its own whose controlling terminal is a new pty (a
 * Gateway started on a terminal), run sh() with both streams into @log:
 * clawlock as a plain member of the session or (@leader) as the leader of
 * its process group, as a shell with job control starts it. Its status.
 */
static int sh_on_terminal(FIXTURE_DATA(be) * self, const char *script, int leader, const char *log)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), status;
	char slave[64], *argv[SH_ARGC + 1];
	pid_t pid;

	if (master < 0)
		return -1;
	if (grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, slave, sizeof(slave)) != 0) {
		close(master);
		return -1;
	}
	sh_argv(self, "-q", self->key, script, argv);
	pid = fork();
	if (pid == 0) {
		int tty;

		/* A session leader's first terminal opened becomes its controlling one. */
		if (setsid() < 0 || (tty = open(slave, O_RDWR)) < 0)
			_exit(80);
		pid = fork();
		if (pid == 0) {
			int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

			if ((leader && setpgid(0, 0) < 0) || fd < 0 || dup2(fd, 1) < 0 ||
			    dup2(fd, 2) < 0 || dup2(tty, 0) < 0)
				_exit(81);
			execv(argv[0], argv);
			_exit(82);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			_exit(83);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 84);
	}
	/* The terminal lives until the session is over. */
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		status = -1;
	else
		status = WEXITSTATUS(status);
	close(master);
	return status;
}

/*
 * A Gateway started on a terminal: its commands run with no controlling
 * terminal and a /dev/pts of their own, as under `docker exec` without
 * -t, so they cannot read what is typed there, type into it or see the
 * host's other terminals. Stdin on the terminal, too, is only a descriptor.
 */
TEST_F(be, no_terminal_of_the_hosts_reaches_the_sandbox)
{
	static const char script[] = "if (: </dev/tty) 2>/dev/null; then printf 'tty '; "
				     "else printf 'no-tty '; fi; ls /dev/pts | tr '\\n' ' '";
	char log[PATH_MAX];

	snprintf(log, sizeof(log), "%s/tty.log", self->home);
	for (int leader = 0; leader <= 1; leader++) {
		EXPECT_EQ(0, sh_on_terminal(self, script, leader, log));
		ASSERT_EQ(0, cl_read_first_line(log, self->out, sizeof(self->out)));
		/* Only the instance's own ptmx: none of the host's terminals. */
		EXPECT_STREQ("no-tty ptmx ", self->out) TH_LOG("leader %d", leader);
	}
}

static unsigned long long generation(void)
{
	struct json_object *st = cl_status(), *v;
	unsigned long long gen = 0;

	if (st && json_object_object_get_ex(st, "generation", &v))
		gen = json_object_get_uint64(v);
	json_object_put(st);
	return gen;
}

/* A field of `clawlock sandbox describe --json KEY`, into @out. */
static int describe(FIXTURE_DATA(be) * self, const char *field, char *out, size_t size)
{
	struct json_object *doc, *v;
	int ret = -1;

	if (cl_run_clawlock(self->out, sizeof(self->out), "sandbox", "describe", "--openclaw",
			    self->config, "--json", self->key, NULL) != 0)
		return -1;
	doc = json_tokener_parse(self->out);
	if (doc && json_object_object_get_ex(doc, field, &v)) {
		snprintf(out, size, "%s", json_object_get_string(v));
		ret = 0;
	}
	json_object_put(doc);
	return ret;
}

TEST_F(be, a_call_is_confined_as_the_config_says)
{
	char script[1024];

	snprintf(script, sizeof(script), "cat %s", at(self, ".ssh/id_ed25519"));
	EXPECT_EQ(1, sh(self, script));
	EXPECT_NE(NULL, strstr(self->out, "Permission denied"));
	snprintf(script, sizeof(script), "cat %s", at(self, ".openclaw/openclaw.json"));
	EXPECT_EQ(1, sh(self, script));
	snprintf(script, sizeof(script), "echo y > %s", at(self, "elsewhere/new"));
	EXPECT_NE(0, sh(self, script));
	snprintf(script, sizeof(script), "cat %s", at(self, "ws2/../elsewhere/file"));
	EXPECT_EQ(1, sh(self, script));
	/* The workspace is the default directory, and rw. */
	EXPECT_EQ(0, sh(self, "cat notes.md && echo new > new.md"))
	{
		TH_LOG("%s", self->out);
	}
	EXPECT_EQ(0, access(at(self, "ws/new.md"), F_OK));
}

TEST_F(be, a_read_only_workspace_stays_unchanged)
{
	char script[1024];

	ASSERT_EQ(0, write_config(self, "all", "ro", ""));
	ASSERT_EQ(0, scope_key_of(self, "main", self->key, sizeof(self->key)));
	snprintf(script, sizeof(script), "cat %s", at(self, "ws/notes.md"));
	EXPECT_EQ(0, sh(self, script))
	{
		TH_LOG("%s", self->out);
	}
	snprintf(script, sizeof(script), "echo x >> %s", at(self, "ws/notes.md"));
	EXPECT_NE(0, sh(self, script));
	snprintf(script, sizeof(script), "echo x > %s", at(self, "ws/new.md"));
	EXPECT_NE(0, sh(self, script));
	/* It starts in its sandbox directory, read-only too (OpenClaw's /workspace). */
	EXPECT_EQ(0, sh(self, "pwd"));
	EXPECT_NE(NULL, strstr(self->out, "/.openclaw/sandboxes/"));
	EXPECT_NE(0, sh(self, "echo x > scratch.txt"));
}

TEST_F(be, identity_environment_and_limits_follow_the_config)
{
	char cgroup[512], path[600];
	char *argv[] = { (char *)cl_binary(),
			 "-q",
			 "sandbox",
			 "exec",
			 "--openclaw",
			 self->config,
			 "--scope-key",
			 self->key,
			 "--env",
			 "FOO=bar",
			 "--",
			 "/usr/bin/env",
			 NULL };
	char limit[32] = "";
	FILE *f;

	EXPECT_EQ(0, sh(self, "id -u; id -g; id -G; grep NoNewPrivs /proc/self/status"));
	EXPECT_STREQ("1000\n1000\n1000\nNoNewPrivs:\t1\n", self->out);
	/* Exactly the environment given, nothing else of clawlock's own. */
	setenv("CLAWLOCK_ENV_TOKEN", "from-env", 1);
	EXPECT_EQ(0, cl_spawn(argv, self->out, sizeof(self->out), 1));
	unsetenv("CLAWLOCK_ENV_TOKEN");
	EXPECT_STREQ("TOKEN=from-env\nFOO=bar\n", self->out);
	ASSERT_EQ(0, describe(self, "cgroup", cgroup, sizeof(cgroup)));
	snprintf(path, sizeof(path), "%s/pids.max", cgroup);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	EXPECT_NE(NULL, fgets(limit, sizeof(limit), f));
	fclose(f);
	EXPECT_STREQ("64\n", limit);
}

TEST_F(be, root_only_when_the_config_says_so)
{
	/* No docker.user and a workspace of root's: refused, not run as root. */
	ASSERT_EQ(0, write_config_docker(self, "all", "rw", "", "network: 'none'"));
	ASSERT_EQ(0, chown(at(self, "ws"), 0, 0));
	EXPECT_EQ(2, sh(self, "touch ran"));
	EXPECT_NE(NULL, strstr(self->out, "docker.user"));
	EXPECT_NE(0, access(at(self, "ws/ran"), F_OK));
	/* A workspace of a user's: that user. */
	ASSERT_EQ(0, chown(at(self, "ws"), 1234, 1234));
	EXPECT_EQ(0, sh(self, "id -u"));
	EXPECT_STREQ("1234\n", self->out);
}

TEST_F(be, the_policy_is_installed_once_per_config)
{
	unsigned long long first, again, changed;

	ASSERT_EQ(0, sh(self, "true"));
	first = generation();
	ASSERT_EQ(0, sh(self, "true"));
	ASSERT_EQ(0, sh(self, "true"));
	again = generation();
	EXPECT_EQ(first, again);
	/* A change this scope's policy does not depend on installs nothing either. */
	ASSERT_EQ(0, write_config(self, "all", "rw", "prune: { idleHours: 5 },"));
	ASSERT_EQ(0, sh(self, "true"));
	EXPECT_EQ(again, generation());
	/* One it depends on (the network) installs once more. */
	ASSERT_EQ(0, write_config_docker(self, "all", "rw", "",
					 "user: '1000:1000', network: 'bridge', pidsLimit: 64"));
	ASSERT_EQ(0, sh(self, "true"));
	changed = generation();
	EXPECT_GT(changed, again);
	ASSERT_EQ(0, sh(self, "true"));
	EXPECT_EQ(changed, generation());
}

#define UNCHANGED "its inputs are unchanged: nothing compiled"

/*
 * A scope's later calls compile nothing while nothing the policy came from
 * has changed, and a change is followed at once: a stricter workspace, a
 * session no longer sandboxed.
 */
TEST_F(be, later_calls_compile_nothing_until_the_config_changes)
{
	char line[64] = "", write_out[512];
	FILE *notes;

	snprintf(write_out, sizeof(write_out), "echo out > %s", at(self, "ws/made.txt"));
	ASSERT_EQ(0, sh(self, "true"));
	ASSERT_EQ(0, sh_flag(self, "-v", self->key, "echo in > made.txt"));
	EXPECT_NE(NULL, strstr(self->out, UNCHANGED)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, write_config(self, "all", "ro", ""));
	EXPECT_NE(0, sh_flag(self, "-v", self->key, write_out));
	EXPECT_EQ(NULL, strstr(self->out, UNCHANGED)) TH_LOG("%s", self->out);
	/*
	 * That call made the scope's sandbox directory, which the compile had
	 * seen missing: the next compiles once more, and then the plan holds.
	 */
	EXPECT_NE(0, sh_flag(self, "-v", self->key, write_out));
	EXPECT_NE(0, sh_flag(self, "-v", self->key, write_out));
	EXPECT_NE(NULL, strstr(self->out, UNCHANGED)) TH_LOG("%s", self->out);
	notes = fopen(at(self, "ws/made.txt"), "r");
	ASSERT_NE(NULL, notes);
	EXPECT_NE(NULL, fgets(line, sizeof(line), notes));
	fclose(notes);
	EXPECT_STREQ("in\n", line);
	/* No longer sandboxed: refused, although the scope is still live. */
	ASSERT_EQ(0, write_config(self, "off", "rw", ""));
	EXPECT_EQ(2, sh(self, "echo unconfined"));
	EXPECT_EQ(NULL, strstr(self->out, "unconfined\n")) TH_LOG("%s", self->out);
}

/* Exec switched off by the tool policy is followed at once: the scope's policy is not kept. */
TEST_F(be, exec_switched_off_is_followed_at_once)
{
	static const char config_template[] =
		"{ tools: { sandbox: { tools: { deny: ['group:runtime'] } } },"
		"  agents: { defaults: { sandbox: { mode: 'all', scope: 'agent',"
		"  workspaceAccess: 'rw', backend: 'clawlock', docker: { " DOCKER " } } },"
		"  list: [ { id: 'main', workspace: '@HOME@/ws' },"
		"          { id: 'other', workspace: '@HOME@/ws2' } ] } }";

	ASSERT_EQ(0, sh(self, "/bin/true && echo exec-ran"));
	EXPECT_NE(NULL, strstr(self->out, "exec-ran"));
	ASSERT_EQ(0, CL_WRITE_FILLED(self->config, config_template, "HOME", self->home));
	/* sh itself is the first program; the exec after it is refused. */
	EXPECT_NE(0, sh(self, "/bin/true && echo exec-ran"));
	EXPECT_EQ(NULL, strstr(self->out, "exec-ran")) TH_LOG("%s", self->out);
}

TEST_F(be, scratch_is_private_per_scope_kept_and_released)
{
	char other[256], dir[512];

	ASSERT_EQ(0, sh(self, "set -e; echo t > /tmp/be-x; echo v > /var/tmp/be-y;"
			      " echo m > /dev/shm/be-z; d=$(mktemp -d); t=$(mktemp);"
			      " echo ok > $t; rm -r $d $t"))
	{
		TH_LOG("%s", self->out);
	}
	EXPECT_EQ(0, sh(self, "cat /tmp/be-x /var/tmp/be-y /dev/shm/be-z"));
	EXPECT_STREQ("t\nv\nm\n", self->out);
	/* Neither the host nor another scope sees it. */
	EXPECT_NE(0, access("/tmp/be-x", F_OK));
	EXPECT_NE(0, access("/dev/shm/be-z", F_OK));
	ASSERT_EQ(0, scope_key_of(self, "other", other, sizeof(other)));
	EXPECT_EQ(1, sh_in(self, other, "cat /tmp/be-x"));
	cl_run_clawlock(NULL, 0, "-q", "sandbox", "release", other, NULL);
	/* Release removes it. */
	ASSERT_EQ(0, describe(self, "state", dir, sizeof(dir)));
	EXPECT_EQ(0, access(dir, F_OK));
	ASSERT_EQ(0, cl_run_clawlock(self->out, sizeof(self->out), "-q", "sandbox", "release",
				     self->key, NULL))
	{
		TH_LOG("%s", self->out);
	}
	EXPECT_NE(0, access(dir, F_OK));
	EXPECT_EQ(1, sh(self, "cat /tmp/be-x"));
}

/* How many mounts of this namespace are at @path (/proc/self/mountinfo's fifth field). */
static int mounts_at(const char *path)
{
	char line[4096], point[PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	int n = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 && !strcmp(point, path))
			n++;
	}
	if (f)
		fclose(f);
	return n;
}

#define SIZED_DOCKER DOCKER ", tmpfs: ['/tmp:rw,size=1m,nosuid', '/var/tmp']"

/*
 * docker.tmpfs size= holds: a tmpfs of that size on the scope's scratch,
 * mounted once by the first calls arriving at once, kept across calls,
 * unmounted by release. An entry without size= stays as before.
 */
TEST_F(be, a_sized_scratch_is_a_tmpfs_of_that_size)
{
	char state[512], scratch[600];
	pid_t pids[3];
	int status;

	ASSERT_EQ(0, write_config_docker(self, "all", "rw", "", SIZED_DOCKER));
	for (int i = 0; i < 3; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(sh(self, "true"));
	}
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ASSERT_EQ(0, describe(self, "state", state, sizeof(state)));
	snprintf(scratch, sizeof(scratch), "%s/scratch/tmp", state);
	EXPECT_EQ(1, mounts_at(scratch));
	EXPECT_EQ(0, sh(self, "head -c 524288 /dev/zero > /tmp/half && echo wrote"))
	TH_LOG("%s", self->out);
	EXPECT_NE(0, sh(self, "head -c 2097152 /dev/zero > /tmp/big"));
	EXPECT_NE(NULL, strstr(self->out, "No space left on device")) TH_LOG("%s", self->out);
	/* Kept across calls; the one without a size is not limited by it. */
	EXPECT_EQ(0, sh(self, "rm /tmp/big; wc -c < /tmp/half;"
			      " head -c 2097152 /dev/zero > /var/tmp/big && echo var-ok"));
	EXPECT_STREQ("524288\nvar-ok\n", self->out);
	EXPECT_EQ(1, mounts_at(scratch));
	ASSERT_EQ(0, cl_run_clawlock(self->out, sizeof(self->out), "-q", "sandbox", "release",
				     self->key, NULL))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, mounts_at(scratch));
	EXPECT_NE(0, access(state, F_OK));
	EXPECT_EQ(1, sh(self, "cat /tmp/half"));
}

/* A size that is not one is refused, naming the key; nothing runs, nothing is unlimited. */
TEST_F(be, a_bad_scratch_size_is_refused)
{
	static const char *const sizes[] = { "abc", "-1", "0", "99999999t" };
	char docker[256];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(docker, sizeof(docker), DOCKER ", tmpfs: ['/tmp:size=%s']", sizes[i]);
		ASSERT_EQ(0, write_config_docker(self, "all", "rw", "", docker));
		EXPECT_NE(0, sh(self, "touch ran"));
		EXPECT_NE(NULL, strstr(self->out, "docker.tmpfs[0]: size="))
		TH_LOG("%s", self->out);
		EXPECT_NE(0, access(at(self, "ws/ran"), F_OK));
	}
}

/* A listener started in one call answers a client in the next; the host cannot reach it. */
/*
 * A workspace in /tmp (agent exec's state dir, a checkout there) stays
 * visible over the scope's private /tmp, as Docker's mounts stay over its
 * tmpfs; the rest of the host's /tmp does not.
 */
TEST_F(be, a_workspace_in_tmp_stays_visible_over_the_scratch)
{
	static const char config_template[] =
		"{ agents: { defaults: { sandbox: { mode: 'all', scope: 'agent',"
		"  workspaceAccess: 'rw', backend: 'clawlock', docker: { " DOCKER " } } },"
		"  list: [ { id: 'main', workspace: '@WS@' } ] } }";
	char ws[64] = "/tmp/cl-be-ws-XXXXXX", path[128], key[256];
	FILE *made;

	ASSERT_NE(NULL, mkdtemp(ws));
	ASSERT_EQ(0, chown(ws, USER_ID, USER_ID));
	snprintf(path, sizeof(path), "%s/notes", ws);
	ASSERT_EQ(0, cl_write_file(path, "from-host\n"));
	ASSERT_EQ(0, cl_write_file("/tmp/be-host-marker", "host\n"));
	ASSERT_EQ(0, CL_WRITE_FILLED(self->config, config_template, "WS", ws));
	ASSERT_EQ(0, scope_key_of(self, "main", key, sizeof(key)));
	EXPECT_EQ(0, sh_in(self, key, "pwd; cat notes; echo made > made; ls /tmp"))
	{
		TH_LOG("%s", self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, ws)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "from-host")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "be-host-marker")) TH_LOG("%s", self->out);
	snprintf(path, sizeof(path), "%s/made", ws);
	made = fopen(path, "r");
	EXPECT_NE(NULL, made);
	if (made)
		fclose(made);
	cl_run_clawlock(NULL, 0, "-q", "sandbox", "release", "--openclaw", self->config, key, NULL);
	unlink("/tmp/be-host-marker");
	cl_rm_tree(ws);
}

/* clawlock sandbox exec --scope-key shared --session SESSION -- /bin/sh -c SCRIPT. */
static int sh_shared(FIXTURE_DATA(be) * self, const char *session, const char *script)
{
	char *argv[] = { (char *)cl_binary(),
			 "-q",
			 "sandbox",
			 "exec",
			 "--openclaw",
			 self->config,
			 "--scope-key",
			 "shared",
			 "--session",
			 (char *)session,
			 "--env",
			 "PATH=/usr/bin:/bin",
			 "--",
			 "/bin/sh",
			 "-c",
			 (char *)script,
			 NULL };

	return cl_spawn(argv, self->out, sizeof(self->out), 1);
}

/*
 * A sandbox owns its scratch, and a shared scope's scratch is every agent's:
 * a link one agent leaves where another's workspace mount point will be
 * made must not aim that mount elsewhere (at the cgroup the call is about
 * to join, say). The call that would follow it refuses, and runs nothing.
 */
TEST_F(be, a_link_left_in_the_scratch_does_not_aim_the_workspace_mount)
{
	static const char config_template[] =
		"{ agents: { defaults: { sandbox: { mode: 'all', scope: 'shared',"
		"  workspaceAccess: 'rw', backend: 'clawlock', docker: { " DOCKER " } } },"
		"  list: [ { id: 'main', workspace: '@MAIN_WS@' },"
		" { id: 'other', workspace: '@OTHER_WS@' } ] } }";
	char base[64] = "/tmp/cl-be-lnk-XXXXXX", ws[128], plant[512];

	ASSERT_NE(NULL, mkdtemp(base));
	snprintf(ws, sizeof(ws), "%s/ws", base);
	ASSERT_EQ(0, mkdir(ws, 0755));
	ASSERT_EQ(0, chown(ws, USER_ID, USER_ID));
	ASSERT_EQ(0, CL_WRITE_FILLED(self->config, config_template, "MAIN_WS", at(self, "ws"),
				     "OTHER_WS", ws));
	snprintf(plant, sizeof(plant), "ln -s %s %s && echo planted", at(self, "elsewhere"), base);
	ASSERT_EQ(0, sh_shared(self, "agent:main:main", plant))
	{
		TH_LOG("%s", self->out);
	}
	EXPECT_EQ(1, sh_shared(self, "agent:other:main", "echo ran"));
	EXPECT_EQ(NULL, strstr(self->out, "ran\n")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "cannot keep")) TH_LOG("%s", self->out);
	cl_run_clawlock(NULL, 0, "-q", "sandbox", "release", "--openclaw", self->config, "shared",
			NULL);
	cl_rm_tree(base);
}

TEST_F(be, network_none_is_one_loopback_namespace_per_scope)
{
	static const char server[] =
		"exec python3 -c \"import socket, os\n"
		"s = socket.socket(); s.bind(('127.0.0.1', 7411)); s.listen(1)\n"
		"if os.fork(): os._exit(0)\n"
		"n = os.open('/dev/null', os.O_RDWR)\n"
		"for fd in (0, 1, 2): os.dup2(n, fd)\n"
		"c, _ = s.accept(); c.sendall(b'hello'); c.close()\"";
	static const char client[] =
		"exec python3 -c \"import socket\n"
		"print(socket.create_connection(('127.0.0.1', 7411)).recv(5).decode())\"";
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7411) };
	int fd;

	EXPECT_EQ(0, sh(self, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"));
	EXPECT_STREQ("lo\n", self->out);
	ASSERT_EQ(0, sh(self, server))
	{
		TH_LOG("%s", self->out);
	}
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	EXPECT_NE(0, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	close(fd);
	EXPECT_EQ(0, sh(self, client))
	{
		TH_LOG("%s", self->out);
	}
	EXPECT_STREQ("hello\n", self->out);
}

/* The first calls of a scope at once: one install, one network namespace. */
TEST_F(be, concurrent_first_calls_share_one_install)
{
	enum {
		CALLS = 4
	};
	unsigned long long before = generation();
	char script[256], ns[CALLS][64];
	pid_t pids[CALLS];
	int status;

	for (int i = 0; i < CALLS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			snprintf(script, sizeof(script),
				 "readlink /proc/self/ns/net > ns.%d; echo %d > /tmp/c.%d", i, i,
				 i);
			_exit(sh(self, script));
		}
	}
	for (int i = 0; i < CALLS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	EXPECT_EQ(before + 1, generation());
	for (int i = 0; i < CALLS; i++) {
		FILE *f;

		snprintf(script, sizeof(script), "ws/ns.%d", i);
		f = fopen(at(self, script), "r");
		ASSERT_NE(NULL, f);
		ASSERT_NE(NULL, fgets(ns[i], sizeof(ns[i]), f));
		fclose(f);
		EXPECT_STREQ(ns[0], ns[i]);
	}
	EXPECT_EQ(0, sh(self, "cat /tmp/c.0 /tmp/c.1 /tmp/c.2 /tmp/c.3"));
	EXPECT_STREQ("0\n1\n2\n3\n", self->out);
}

/* What an ordinary coding session does, which today's run --openclaw refused. */
TEST_F(be, compilers_git_python_and_std_streams_work)
{
	static const char script[] =
		"set -ex; export HOME=$PWD\n"
		"echo to-stdout > /dev/stdout; echo to-stderr > /dev/stderr\n"
		"printf 'int main(void) { return 0; }\\n' > a.c\n"
		"printf 'a: a.c\\n\\tcc -o a a.c\\n' > Makefile\n"
		"make; ./a\n"
		"git init -q .; git add a.c\n"
		"git -c user.email=a@b -c user.name=a commit -qm one; git log --oneline\n"
		"python3 -c \"import tempfile, multiprocessing as mp\n"
		"with tempfile.NamedTemporaryFile() as f: f.write(b'x')\n"
		"q = mp.Queue(); p = mp.Process(target=q.put, args=(7,)); p.start()\n"
		"print('mp', q.get()); p.join()\"\n";

	/* The capture pipe is root's (mode 0600): clawlock gives it to docker.user, as runc does.
	 */
	EXPECT_EQ(0, sh(self, script))
	{
		fprintf(stderr, "%s\n", self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, "to-stdout"));
	EXPECT_NE(NULL, strstr(self->out, "to-stderr"));
	EXPECT_NE(NULL, strstr(self->out, "mp 7"));
}

/*
 * Start a command that writes its pid to ws/pid and sleeps, through
 * clawlock in the background; clawlock's pid, and the command's in *@cmd.
 */
static pid_t start_sleeper(FIXTURE_DATA(be) * self, pid_t *cmd)
{
	char script[512], log[PATH_MAX], *argv[SH_ARGC + 1];
	pid_t pid;

	snprintf(script, sizeof(script),
		 "echo $$ > %s/ws/pid.new; mv %s/ws/pid.new %s/ws/pid; "
		 "exec sleep 300",
		 self->home, self->home, self->home);
	snprintf(log, sizeof(log), "%s/sleeper.log", self->home);
	unlink(at(self, "ws/pid"));
	sh_argv(self, "-q", self->key, script, argv);
	pid = cl_spawn_logged(argv, log);
	*cmd = 0;
	for (int i = 0; i < 3000 && pid > 0 && *cmd <= 0; i++) {
		if (cl_read_first_line(at(self, "ws/pid"), self->out, sizeof(self->out)) == 0)
			*cmd = atoi(self->out);
		else
			usleep(10000);
	}
	return pid;
}

/* Is process @pid gone (or a zombie no one reaped yet)? Waits up to 10 s. */
static bool ended(pid_t pid)
{
	char path[64], line[256];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(path, "r");
		char *state = NULL;

		if (f && fgets(line, sizeof(line), f))
			state = strrchr(line, ')');
		if (f)
			fclose(f);
		if (!f || (state && state[1] == ' ' && state[2] == 'Z'))
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * The command runs as clawlock's child, born in the scope's cgroup:
 * clawlock passes on its caller's signals, the command dies with clawlock,
 * and clawlock ends as the command did.
 */
TEST_F(be, the_command_ends_as_its_caller_ends_clawlock)
{
	char procs[PATH_MAX], line[64];
	pid_t pid, cmd;
	int status;
	FILE *f;
	bool in_scope = false;

	/* SIGTERM to clawlock reaches the command; clawlock dies of it too. */
	pid = start_sleeper(self, &cmd);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, cmd);
	ASSERT_EQ(0, describe(self, "cgroup", procs, sizeof(procs)));
	strncat(procs, "/cgroup.procs", sizeof(procs) - strlen(procs) - 1);
	f = fopen(procs, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		in_scope |= atoi(line) == cmd;
	fclose(f);
	EXPECT_TRUE(in_scope);
	ASSERT_EQ(0, kill(pid, SIGTERM));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	EXPECT_TRUE(ended(cmd));

	/* SIGKILL cannot be passed on: the command's parent-death signal ends it. */
	pid = start_sleeper(self, &cmd);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, cmd);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(ended(cmd));

	/* A command that kills itself: clawlock ends by the same signal. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *argv[SH_ARGC + 1];

		sh_argv(self, "-q", self->key, "kill -USR1 $$", argv);
		execv(argv[0], argv);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1);
	EXPECT_EQ(7, sh(self, "exit 7"));

	/* A caller that ignores SIGCHLD (kept across exec) still gets the status. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *argv[SH_ARGC + 1];

		signal(SIGCHLD, SIG_IGN);
		sh_argv(self, "-q", self->key, "exit 5", argv);
		execv(argv[0], argv);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 5);
}

TEST_F(be, nothing_runs_when_clawlock_is_not_loaded)
{
	ASSERT_EQ(0, cl_run_clawlock(NULL, 0, "-q", "unload", NULL));
	EXPECT_EQ(1, sh(self, "touch ran"));
	EXPECT_NE(NULL, strstr(self->out, "not loaded"));
	EXPECT_NE(0, access(at(self, "ws/ran"), F_OK));
}

/* Keys the config does not sandbox, or that are not its own: exit 2, nothing runs. */
FIXTURE(refused)
{
	FIXTURE_DATA(be) be;
};

FIXTURE_SETUP(refused)
{
	scope_setup(_metadata, &self->be);
}

FIXTURE_TEARDOWN(refused)
{
	scope_teardown(&self->be);
}

FIXTURE_VARIANT(refused)
{
	const char *mode;
	const char *key; /* %s: main's scope key's 32 hex digits */
	const char *why;
};

FIXTURE_VARIANT_ADD(refused, wrong_hash){
	.mode = "all",
	.key = "agent:main:workspace:00000000000000000000000000000000",
	.why = "does not belong",
};

FIXTURE_VARIANT_ADD(refused, unknown_agent){
	.mode = "all",
	.key = "agent:ghost:workspace:%s",
	.why = "unknown agent",
};

FIXTURE_VARIANT_ADD(refused, session_scope_key_for_an_agent_scope){
	.mode = "all",
	.key = "agent:main:explicit:1:workspace:%s",
	.why = "does not belong",
};

FIXTURE_VARIANT_ADD(refused, main_session_not_sandboxed){
	.mode = "non-main",
	.key = "agent:main:main",
	.why = "not sandboxed",
};

FIXTURE_VARIANT_ADD(refused, sandbox_off){
	.mode = "off",
	.key = "agent:main:explicit:1",
	.why = "not sandboxed",
};

FIXTURE_VARIANT_ADD(refused, shared_without_session){
	.mode = "all",
	.key = "shared",
	.why = "--session",
};

TEST_F(refused, keys_run_nothing)
{
	FIXTURE_DATA(be) *be = &self->be;
	char key[256];

	ASSERT_EQ(0, write_config(be, variant->mode, "rw", ""));
	snprintf(key, sizeof(key), variant->key, strrchr(be->key, ':') + 1);
	EXPECT_EQ(2, sh_in(be, key, "touch ran"));
	EXPECT_NE(NULL, strstr(be->out, variant->why))
	{
		TH_LOG("%s", be->out);
	}
	EXPECT_NE(0, access(at(be, "ws/ran"), F_OK));
}

TEST_HARNESS_MAIN
