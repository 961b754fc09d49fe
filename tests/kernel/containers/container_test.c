// SPDX-License-Identifier: GPL-2.0
/*
 * container_test.c - OpenClaw's Docker containers confined by label (run in
 * the test VM, with a real Docker engine: tests/kernel/docker-engine). The
 * daemon finds a container labelled as OpenClaw labels its sandboxes, binds
 * it to its scope's policy resolved in the container's own tree, and
 * through `docker exec` the secrets in the workspace, writes to a
 * read-only workspace Docker mounted writable, the metadata address and the
 * host are denied, each with a record naming the config key, while the
 * image's tools, the workspace, scratch and an allowed destination work. A
 * container of no sandboxed scope is denied everything, and killing the
 * engine or the daemon leaves every container confined.
 */
#include "cltest.h"
#include "kselftest_harness.h"

#include <sys/mount.h>

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 900

/* How long the daemon gets to notice something (TCG and ASan are slow). */
#define PATIENCE_MS 60000
#define SOCKET	    "/run/cl-docker/docker.sock"

FIXTURE(ct)
{
	char home[64];
	char config[128];
	char overlay[128];
	char log[128];
	char key[256];	   /* main's scope key */
	char sandbox[256]; /* main's sandbox dir: /workspace */
	char server[64];   /* an allowed destination: another container's address */
	char id[80];	   /* the labelled container */
	char path[384];
	char out[1 << 16];
	pid_t daemon;
	bool skip;
};

#define at(self, rel) CL_AT(self, home, rel)

static int engine(const char *what)
{
	char script[512];
	char *argv[] = { "/bin/sh", script, (char *)what, NULL };

	snprintf(script, sizeof(script), "%s/tests/kernel/docker-engine", cl_source());
	return cl_spawn(argv, NULL, 0, 0);
}

/* docker ARGS...; its output into self->out, its status returned. */
static int docker(FIXTURE_DATA(ct) * self, const char *fmt, ...)
{
	char cmd[2048];
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct timespec t0, t1;
	va_list ap;
	int len, ret;

	/* A docker call that hangs fails its own step, not the whole test by the harness's timeout.
	 */
	len = snprintf(cmd, sizeof(cmd), "DOCKER_HOST=unix://%s GOMAXPROCS=1 timeout 180 docker ",
		       SOCKET);
	va_start(ap, fmt);
	vsnprintf(cmd + len, sizeof(cmd) - len, fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = cl_spawn(argv, self->out, sizeof(self->out), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* A slow step says so: what a CI run that hits the timeout spent its time on. */
	if (t1.tv_sec - t0.tv_sec >= 20)
		fprintf(stderr, "# slow: %lds for docker %s\n", (long)(t1.tv_sec - t0.tv_sec),
			cmd + len);
	return ret;
}

static int write_config(FIXTURE_DATA(ct) * self)
{
	static const char policy_template[] =
		"{ version: 1, include: '@SRC@/policies/baseline.json5',"
		"  agents: { main: { network: { 'tcp @SERVER@ 8080': 'allow' } },"
		"            'fleet:acme': { use: ['system'] } } }";
	char text[4096];

	snprintf(text, sizeof(text),
		 "{ agents: { defaults: { sandbox: { mode: 'all', scope: 'agent',"
		 "  workspaceAccess: 'ro', docker: { network: 'bridge' } } },"
		 "  list: [ { id: 'main', workspace: '%s/ws' } ] } }",
		 self->home);
	if (cl_write_file(self->config, text) < 0)
		return -1;
	return CL_WRITE_FILLED(self->overlay, policy_template, "SRC", cl_source(), "SERVER",
			       self->server);
}

/* main's scope key and sandbox dir, as `clawlock explain --json` gives them. */
static int explain(FIXTURE_DATA(ct) * self)
{
	struct json_object *doc, *sb, *v;
	int ret = -1;

	if (cl_run_clawlock(self->out, sizeof(self->out), "explain", "--openclaw", self->config,
			    "--agent", "main", "--json", NULL) != 0)
		return -1;
	doc = json_tokener_parse(self->out);
	if (doc && json_object_object_get_ex(doc, "sandbox", &sb) &&
	    json_object_object_get_ex(sb, "scopeKey", &v)) {
		snprintf(self->key, sizeof(self->key), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(sb, "sandboxDir", &v))
			snprintf(self->sandbox, sizeof(self->sandbox), "%s",
				 json_object_get_string(v));
		ret = 0;
	}
	json_object_put(doc);
	return ret;
}

static pid_t start_daemon(FIXTURE_DATA(ct) * self)
{
	char *argv[] = { (char *)cl_binary(),
			 "daemon",
			 "--openclaw",
			 self->config,
			 "--policy",
			 self->overlay,
			 "--containers",
			 "docker",
			 "--engine-socket",
			 SOCKET,
			 "--log",
			 self->log,
			 NULL };
	char err[160];

	snprintf(err, sizeof(err), "%s/daemon.err", self->home);
	return cl_spawn_logged(argv, err);
}

static void stop_daemon(FIXTURE_DATA(ct) * self)
{
	if (self->daemon <= 0)
		return;
	kill(self->daemon, SIGKILL);
	waitpid(self->daemon, NULL, 0);
	self->daemon = 0;
}

/* The first line of the daemon's records holding every one of @needles (NULL-ended). */
static bool log_has(FIXTURE_DATA(ct) * self, const char *const needles[])
{
	char line[8192];
	FILE *f = fopen(self->log, "r");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		found = true;
		for (size_t i = 0; needles[i] && found; i++)
			found = strstr(line, needles[i]) != NULL;
	}
	if (f)
		fclose(f);
	return found;
}

static bool wait_for_log(FIXTURE_DATA(ct) * self, const char *const needles[])
{
	for (int waited = 0; waited < PATIENCE_MS; waited += 250) {
		if (log_has(self, needles))
			return true;
		usleep(250 * 1000);
	}
	return false;
}

/* Count the lines of the records holding @needle. */
static int log_count(FIXTURE_DATA(ct) * self, const char *needle)
{
	char line[8192];
	FILE *f = fopen(self->log, "r");
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return n;
}

/* The start-to-binding window the daemon recorded for self->id, for the log (operations.md). */
static void log_window(struct __test_metadata *_metadata, FIXTURE_DATA(ct) * self)
{
	char line[8192], *w;
	FILE *f = fopen(self->log, "r");

	while (f && fgets(line, sizeof(line), f)) {
		w = strstr(line, "\"windowMs\":");
		if (w && strstr(line, self->id))
			TH_LOG("bound %.*s after the start event", (int)strcspn(w, ",}"), w);
	}
	if (f)
		fclose(f);
}

/* Start a container labelled as OpenClaw labels main's sandbox; its id into self->id. */
static int start_labelled(FIXTURE_DATA(ct) * self, const char *name, const char *key)
{
	int ret = docker(self,
			 "run -d --init --name %s --label openclaw.sandbox=1"
			 " --label openclaw.sessionKey=%s --security-opt no-new-privileges"
			 " --cap-drop ALL --read-only --tmpfs /tmp --network bridge"
			 " -v %s:/workspace -v %s/ws:/agent -w /workspace clawlock-bb:test"
			 " sleep 100000",
			 name, key, self->sandbox, self->home);

	if (ret == 0)
		snprintf(self->id, sizeof(self->id), "%.64s", self->out);
	return ret;
}

/* Wait until the daemon records a binding of self->id (matched or not). */
static bool wait_bound(FIXTURE_DATA(ct) * self, const char *matched)
{
	const char *const needles[] = { "\"op\":\"bind\"", self->id, matched, NULL };

	return wait_for_log(self, needles);
}

static int dexec(FIXTURE_DATA(ct) * self, const char *name, const char *cmd)
{
	/* CL_CT_TRACE=1: each step as it starts, for a run that seems to hang. */
	if (getenv("CL_CT_TRACE"))
		fprintf(stderr, "# exec %s %s\n", name, cmd);
	return docker(self, "exec %s %s", name, cmd);
}

/* The home, config and overlay; main's workspace holds notes and a secret. */
static void make_home(struct __test_metadata *_metadata, FIXTURE_DATA(ct) * self)
{
	/* A tmpfs of the VM's own at /mnt: the share stays untouched, /tmp is not the host's. */
	if (!cl_mounted_tmpfs("/mnt"))
		ASSERT_EQ(0, mount("tmpfs", "/mnt", "tmpfs", 0, "mode=0755"));
	strcpy(self->home, "/mnt/cl-ct-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->home));
	ASSERT_EQ(0, chmod(self->home, 0755));
	ASSERT_EQ(0, mkdir(at(self, "ws"), 0755));
	ASSERT_EQ(0, mkdir(at(self, ".openclaw"), 0755));
	ASSERT_EQ(0, cl_write_file(at(self, "ws/notes.md"), "notes\n"));
	ASSERT_EQ(0, cl_write_file(at(self, "ws/.env"), "TOKEN=secret\n"));
	snprintf(self->config, sizeof(self->config), "%s/.openclaw/openclaw.json", self->home);
	snprintf(self->overlay, sizeof(self->overlay), "%s/overlay.json5", self->home);
	snprintf(self->log, sizeof(self->log), "%s/records.log", self->home);
	setenv("HOME", self->home, 1);
	unsetenv("OPENCLAW_CONFIG_PATH");
}

/*
 * A server no label names (the allowed destination): its address into
 * self->server. Started once and kept, like the engine: each container
 * costs the guest tens of seconds under CI's load.
 */
static void start_server(struct __test_metadata *_metadata, FIXTURE_DATA(ct) * self)
{
	if (docker(self, "inspect -f '{{.State.Running}}' srv") != 0 ||
	    strncmp(self->out, "true", 4)) {
		docker(self, "rm -f srv"); /* one that stopped */
		ASSERT_EQ(0, docker(self, "run -d --name srv clawlock-bb:test sh -c"
					  " 'while true; do echo hello | nc -l -p 8080; done'"));
	}
	ASSERT_EQ(0, docker(self, "inspect -f '{{.NetworkSettings.IPAddress}}' srv"));
	snprintf(self->server, sizeof(self->server), "%.*s", (int)strcspn(self->out, "\n"),
		 self->out);
	ASSERT_NE(0, self->server[0]);
}

/*
 * One engine for all the tests (it takes a minute to start under TCG): each
 * test's teardown removes its containers, and the harness's own process,
 * which runs no test, stops the engine when it exits (the tests end with
 * _exit), so that the tests after this file find the VM as it was.
 */
static void __attribute__((destructor)) stop_engine(void)
{
	engine("stop");
}

FIXTURE_SETUP(ct)
{
	int ret = engine("start");

	if (ret == 4 || ret == 5) {
		self->skip = true;
		SKIP(return,
			   "no Docker engine could be started in the VM (docker-engine said why)");
	}
	ASSERT_EQ(0, ret);
	make_home(_metadata, self);
	start_server(_metadata, self);
	ASSERT_EQ(0, write_config(self));
	ASSERT_EQ(0, explain(self));
	ASSERT_EQ(0, cl_load());
	self->daemon = start_daemon(self);
	ASSERT_LT(0, self->daemon);
}

FIXTURE_TEARDOWN(ct)
{
	char err[160], text[8192] = "";
	FILE *f;

	if (self->skip)
		return;
	stop_daemon(self);
	snprintf(err, sizeof(err), "%s/daemon.err", self->home);
	f = fopen(err, "r");
	if (f) {
		text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
		fclose(f);
		if (_metadata->passed == 0)
			TH_LOG("daemon said:\n%s", text);
	}
	f = fopen(self->log, "r");
	while (f && _metadata->passed == 0 && fgets(text, sizeof(text), f)) {
		if (strstr(text, "\"deny\""))
			TH_LOG("record: %s", text);
	}
	if (f)
		fclose(f);
	/* The tests' own containers; the server stays for the next test. */
	docker(self, "rm -f c1 ghost cell loose");
	cl_run_clawlock(NULL, 0, "-q", "unload", NULL);
	cl_rm_tree(self->home);
}

/*
 * One exec for all the steps in c1 (each costs the guest seconds under CI),
 * every step's outcome a marker in self->out: the image's tools, the
 * workspace and its scratch work; the container's own loopback stays open
 * (nothing listens there, so the kernel refuses the connection, not
 * clawlock); the secret in the workspace, a write to the read-only
 * workspace Docker left writable, the metadata address and the host are
 * denied; the listed destination answers.
 */
static void probe_c1(struct __test_metadata *_metadata, FIXTURE_DATA(ct) * self)
{
	char script[1024];

	snprintf(script, sizeof(script),
		 "ls /bin >/dev/null && echo bin-ok; cat /agent/notes.md;"
		 " touch /tmp/scratch && echo scratch-ok;"
		 " echo loopback: $(nc -w 5 127.0.0.1 9 </dev/null 2>&1);"
		 " cat /agent/.env || echo env-refused; touch /agent/new.txt || echo ro-refused;"
		 " nc -w 5 169.254.169.254 80 </dev/null || echo metadata-refused;"
		 " nc -w 5 172.17.0.1 22 </dev/null || echo host-refused;"
		 " nc -w 5 %s 8080 </dev/null",
		 self->server);
	docker(self, "exec c1 sh -c '%s'", script);
	TH_LOG("inside c1:\n%s", self->out);
}

/* Inside a bound container: what the config allows works, the rest is denied and named. */
TEST_F(ct, confined_through_docker_exec)
{
	static const char *const env[] = { "\"target\":\"/agent/.env\"", "\"deny\"", "**/.env",
					   NULL };
	/* A create's record names the new entry alone (pathTruncated). */
	static const char *const ro[] = { "\"op\":\"create\"", "\"target\":\"new.txt\"", "\"deny\"",
					  "sandbox.workspaceAccess", NULL };
	static const char *const meta[] = { "169.254.169.254:80/tcp", "\"deny\"",
					    "sandbox.docker.network", NULL };
	static const char *const host[] = { "172.17.0.1:22/tcp", "\"deny\"", NULL };
	char loopback[256] = "";

	if (self->skip)
		return;
	ASSERT_EQ(0, start_labelled(self, "c1", self->key));
	ASSERT_TRUE(wait_bound(self, "\"matched\":true"));
	log_window(_metadata, self);
	probe_c1(_metadata, self);
	EXPECT_NE(NULL, strstr(self->out, "bin-ok"));
	EXPECT_NE(NULL, strstr(self->out, "notes"));
	EXPECT_NE(NULL, strstr(self->out, "scratch-ok"));
	if (strstr(self->out, "loopback: "))
		snprintf(loopback, sizeof(loopback), "%.*s",
			 (int)strcspn(strstr(self->out, "loopback: "), "\n"),
			 strstr(self->out, "loopback: "));
	EXPECT_NE(NULL, strstr(loopback, "refused"));
	EXPECT_EQ(NULL, strstr(loopback, "denied"));
	EXPECT_NE(NULL, strstr(self->out, "env-refused"));
	EXPECT_EQ(NULL, strstr(self->out, "secret"));
	EXPECT_NE(NULL, strstr(self->out, "ro-refused"));
	EXPECT_NE(0, access(at(self, "ws/new.txt"), F_OK));
	EXPECT_NE(NULL, strstr(self->out, "metadata-refused"));
	EXPECT_NE(NULL, strstr(self->out, "host-refused"));
	EXPECT_NE(NULL, strstr(self->out, "hello"));
	/* explain answers for the running container, with its paths. */
	EXPECT_EQ(0, cl_run_clawlock(self->out, sizeof(self->out), "explain", "--openclaw",
				     self->config, "--policy", self->overlay, "--container", "c1",
				     "--op", "read", "--target", "/agent/.env", "--json", NULL));
	EXPECT_NE(NULL, strstr(self->out, "\"matched\":true"));
	EXPECT_NE(NULL, strstr(self->out, "\"path\":\"/agent\""));
	EXPECT_NE(NULL, strstr(self->out, "\"decision\":\"deny\""));
	/* Each denial is a record naming the config key behind it. */
	EXPECT_TRUE(wait_for_log(self, env));
	EXPECT_TRUE(wait_for_log(self, ro));
	EXPECT_TRUE(wait_for_log(self, meta));
	EXPECT_TRUE(wait_for_log(self, host));
}

/*
 * A container whose scope key the config does not sandbox is denied
 * everything; a fleet cell gets its tenant's policy from the overlay.
 */
TEST_F(ct, unmatched_denied_fleet_cell_bound)
{
	if (self->skip)
		return;
	ASSERT_EQ(0, start_labelled(self, "ghost",
				    "agent:ghost:workspace:00000000000000000000000000000000"));
	ASSERT_TRUE(wait_bound(self, "\"matched\":false"));
	EXPECT_NE(0, dexec(self, "ghost", "cat /etc/clawlock-probe"));
	EXPECT_EQ(NULL, strstr(self->out, "clawlock-ct"));
	/* explain says why: the label names an agent the config does not have. */
	EXPECT_NE(0, cl_run_clawlock(self->out, sizeof(self->out), "explain", "--openclaw",
				     self->config, "--container", "ghost", NULL));
	/* Said at once, and at each resync (the daemon applies again when docker0 appears). */
	EXPECT_LE(1, log_count(self, "agent \\\"ghost\\\" is not in the config"));
	/* A cell of tenant acme: the overlay's agent fleet:acme, the system tree and no network. */
	ASSERT_EQ(0,
		  docker(self, "run -d --init --name cell --label openclaw.fleet.tenant=acme"
			       " --security-opt no-new-privileges --cap-drop ALL clawlock-bb:test"
			       " sleep 100000"));
	snprintf(self->id, sizeof(self->id), "%.64s", self->out);
	ASSERT_TRUE(wait_bound(self, "\"agent\":\"fleet:acme\""));
	dexec(self, "cell",
	      "sh -c 'cat /etc/clawlock-probe; nc -w 5 169.254.169.254 80 || echo metadata-refused'");
	EXPECT_NE(NULL, strstr(self->out, "clawlock-ct"));
	EXPECT_NE(NULL, strstr(self->out, "metadata-refused"));
}

/* A container started while no daemon runs is unbound, and audit --deep says so. */
TEST_F(ct, audit_reports_unbound_container)
{
	char needle[96];

	if (self->skip)
		return;
	stop_daemon(self);
	ASSERT_EQ(0, start_labelled(self, "loose", self->key));
	snprintf(needle, sizeof(needle), "container %.12s", self->id);
	cl_run_clawlock(self->out, sizeof(self->out), "audit", "--deep", "--json", NULL);
	EXPECT_NE(NULL, strstr(self->out, "live.container_unbound"));
	EXPECT_NE(NULL, strstr(self->out, needle));
	/* The daemon binds it when it starts: nothing unbound any more. */
	self->daemon = start_daemon(self);
	ASSERT_LT(0, self->daemon);
	ASSERT_TRUE(wait_bound(self, "\"matched\":true"));
	cl_run_clawlock(self->out, sizeof(self->out), "audit", "--deep", "--json", NULL);
	EXPECT_EQ(NULL, strstr(self->out, "live.container_unbound"));
	EXPECT_NE(NULL, strstr(self->out, "live.containers_checked"));
}

/* Killing the engine, restarting it, and restarting the daemon leave the container confined. */
TEST_F(ct, confined_across_restarts)
{
	int binds;

	if (self->skip)
		return;
	ASSERT_EQ(0, start_labelled(self, "c1", self->key));
	ASSERT_TRUE(wait_bound(self, "\"matched\":true"));
	/* The engine dies: the daemon says so, the binding stays. */
	ASSERT_EQ(0, engine("kill"));
	binds = log_count(self, "\"op\":\"bind\"");
	ASSERT_EQ(0, engine("start"));
	/* It answers again: every running container is bound again (a resync). */
	for (int waited = 0; waited < PATIENCE_MS && log_count(self, "\"op\":\"bind\"") <= binds;
	     waited += 250)
		usleep(250 * 1000);
	EXPECT_LT(binds, log_count(self, "\"op\":\"bind\""));
	dexec(self, "c1", "sh -c 'cat /agent/.env || echo env-refused; cat /agent/notes.md'");
	EXPECT_NE(NULL, strstr(self->out, "env-refused"));
	EXPECT_NE(NULL, strstr(self->out, "notes"));
	/* The daemon is killed and started again: still bound, still denied. */
	stop_daemon(self);
	EXPECT_NE(0, dexec(self, "c1", "cat /agent/.env"));
	binds = log_count(self, "\"op\":\"bind\"");
	self->daemon = start_daemon(self);
	ASSERT_LT(0, self->daemon);
	for (int waited = 0; waited < PATIENCE_MS && log_count(self, "\"op\":\"bind\"") <= binds;
	     waited += 250)
		usleep(250 * 1000);
	EXPECT_LT(binds, log_count(self, "\"op\":\"bind\""));
	EXPECT_NE(0, dexec(self, "c1", "cat /agent/.env"));
	EXPECT_EQ(NULL, strstr(self->out, "secret"));
}

TEST_HARNESS_MAIN
