// SPDX-License-Identifier: GPL-2.0
/*
 * turn_test.c - real `openclaw agent exec` turns with sandbox backend
 * clawlock, confined by this guest's kernel (run in the test VM).
 *
 * OpenClaw cannot finish a turn inside a TCG guest (its own worker timeouts
 * run out first), so it runs on the host: tests/run-tests starts
 * tests/openclaw/turn-server beside each guest and names its spool in
 * $CLAWLOCK_TURNS. The test asks it for turns, each with a scripted model
 * (tests/openclaw/model-server.py). The plugin's binary there is
 * tests/openclaw/relay-clawlock, which hands every clawlock call to
 * tests/openclaw/relay-server here, and that runs it with the real clawlock.
 * Every command and file tool of the turns therefore runs in this guest,
 * under its kernel's rules, in workspaces that exist only here (the host
 * has empty folders at the same paths).
 *
 * What the turns show, through the tool results OpenClaw sends back to the
 * model and through clawlock's events:
 *  - a prompt-injected turn reads no key, no openclaw.json and no .env, by
 *    exec or by the read tool (OpenClaw itself refuses the read tool the
 *    key's path, and a link to it in the workspace; the .env is the
 *    kernel's to refuse, as is everything exec tries); it
 *    writes nothing outside its workspace, reaches neither the metadata
 *    address nor the Gateway's port, and sees no other agent's workspace;
 *    each denial is an event naming the config key behind it (a rule's
 *    source, or for what no rule grants, the sandbox's mode);
 *  - an honest turn builds C with gcc and make, commits with git and runs
 *    python's tempfile;
 *  - a "ro" agent reads its workspace and cannot change it; a "none" agent
 *    sees only its sandbox directory;
 *  - sandbox "off", and the main session under "non-main", never reach the
 *    backend.
 * Skipped, with the reason, when no turn server runs or OpenClaw cannot be
 * installed on the host.
 */
#include "cltest.h"
#include "kselftest_harness.h"

#include <sys/mount.h>

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 1800

/* How long a turn may take: six run at once on the host, their tools here. */
#define TURN_PATIENCE_S 1500
/* The sandbox's user (docker.user), as OpenClaw's Docker sandbox would run it. */
#define USER_ID 1000

struct turn {
	const char *name;
	const char *mode;    /* sandbox.mode */
	const char *access;  /* sandbox.workspaceAccess */
	const char *network; /* sandbox.docker.network */
	bool main_session;   /* `openclaw agent --local` as agent:main:main, not agent exec */
	const char *script;  /* the model's steps; @ROOT@ and @WS@ are filled in */
};

/*
 * An exec step of the model's. OpenClaw answers "still running" for a
 * command that takes longer than yieldMs (10 s unless asked): gcc under
 * TCG can, so each step asks for its maximum.
 */
#define EXEC "{\"tool\": \"exec\", \"args\": {\"yieldMs\": 120000, \"command\":"

/* What a prompt injection asks for, and the one thing it may do (echo). */
static const char injected_script[] =
	"[ " EXEC " \"cat @ROOT@/home/.ssh/id_rsa\"}},"
	"  {\"tool\": \"read\", \"args\": {\"path\": \"@ROOT@/home/.ssh/id_rsa\"}},"
	"  " EXEC " \"cat @ROOT@/home/.openclaw/openclaw.json\"}},"
	"  {\"tool\": \"read\", \"args\": {\"path\": \".env\"}},"
	"  {\"tool\": \"read\", \"args\": {\"path\": \"link-to-key\"}},"
	"  " EXEC " \"echo pwned > @ROOT@/home/pwned.txt\"}},"
	"  " EXEC "    \"bash -c 'echo > /dev/tcp/169.254.169.254/80' || echo metadata-refused\"}},"
	"  " EXEC "    \"bash -c 'echo > /dev/tcp/127.0.0.1/18789' || echo gateway-refused\"}},"
	"  " EXEC " \"cat @ROOT@/ws-other/secret.txt\"}},"
	"  " EXEC " \"echo token=$OPENCLAW_GATEWAY_TOKEN.\"}},"
	"  {\"text\": \"done\"} ]";

/* An ordinary coding session: C through gcc and make, git, python's tempfile. */
static const char honest_script[] =
	"[ {\"tool\": \"write\", \"args\": {\"path\": \"hello.c\", \"content\":"
	"    \"#include <stdio.h>\\nint main(void) { puts(\\\"hello-from-gcc\\\"); return 0; }\\n\"}},"
	"  {\"tool\": \"write\", \"args\": {\"path\": \"Makefile\","
	"    \"content\": \"hello: hello.c\\n\\tgcc -o hello hello.c\\n\"}},"
	"  " EXEC " \"make && ./hello\"}},"
	"  " EXEC " \"git init -q && git add hello.c Makefile &&"
	"    git -c user.name=t -c user.email=t@example.org commit -qm first-commit &&"
	"    git log --oneline\"}},"
	"  " EXEC " \"python3 -c 'import tempfile, os;"
	"    f = tempfile.NamedTemporaryFile(); f.write(b\\\"x\\\"); f.flush();"
	"    print(\\\"tempfile-ok\\\", os.path.isdir(tempfile.mkdtemp()))'\"}},"
	"  {\"text\": \"done\"} ]";

static const char ro_script[] =
	"[ {\"tool\": \"read\", \"args\": {\"path\": \"@WS@/notes.md\"}},"
	"  " EXEC "    \"cat @WS@/notes.md; touch @WS@/new.txt || echo ro-refused\"}},"
	"  {\"text\": \"done\"} ]";

static const char none_script[] =
	"[ " EXEC "    \"echo none-pwd=$(pwd); cat @WS@/notes.md || echo none-refused\"}},"
	"  {\"text\": \"done\"} ]";

static const char host_script[] = "[ " EXEC " \"echo ran-on-the-host\"}},"
				  "  {\"text\": \"done\"} ]";

enum {
	INJECTED,
	HONEST,
	RO,
	NONE,
	OFF,
	NON_MAIN,
	N_TURNS
};

static const struct turn turns[N_TURNS] = {
	[INJECTED] = { "injected", "all", "rw", "bridge", false, injected_script },
	[HONEST] = { "honest", "all", "rw", "none", false, honest_script },
	[RO] = { "ro", "all", "ro", "none", false, ro_script },
	[NONE] = { "none", "all", "none", "none", false, none_script },
	[OFF] = { "off", "off", "rw", "none", false, host_script },
	[NON_MAIN] = { "non-main", "non-main", "rw", "none", true, host_script },
};

/* The one setup all the turns share (made before the harness forks a test). */
static struct {
	char skip[512];	  /* why no turn can run here (a skip); "" when they can */
	char broken[512]; /* what went wrong setting them up (a failure) */
	char spool[256];
	char root[64]; /* the home, workspaces and logs, on the guest's tmpfs */
	char path[512];
	pid_t relay, events;
} g;

static const char *in_root(const char *rel)
{
	snprintf(g.path, sizeof(g.path), "%s/%s", g.root, rel);
	return g.path;
}

/*
 * A turn's openclaw.json: the scripted model (the turn server fills in its
 * port), the plugin with the relay as its binary, and one sandboxed agent
 * beside another whose workspace holds a secret.
 */
static const char config_template[] =
	"{ \"models\": { \"mode\": \"merge\", \"providers\": { \"scripted\": {\n"
	"    \"baseUrl\": \"http://127.0.0.1:@PORT@/v1\", \"apiKey\": \"not-a-key\",\n"
	"    \"api\": \"openai-completions\",\n"
	"    \"models\": [ { \"id\": \"scripted\", \"name\": \"scripted\", \"reasoning\": false,\n"
	"      \"input\": [\"text\"], \"contextWindow\": 100000, \"maxTokens\": 1000,\n"
	"      \"cost\": { \"input\": 0, \"output\": 0, \"cacheRead\": 0, \"cacheWrite\": 0 } } ] } } },\n"
	"  \"plugins\": { \"load\": { \"paths\": [\"@SRC@/integrations/openclaw\"] },\n"
	"    \"entries\": { \"clawlock\": { \"enabled\": true, \"config\": {\n"
	"      \"binary\": \"@SRC@/tests/openclaw/relay-clawlock\", \"config\": \"@CONFIG@\" } } } },\n"
	"  \"agents\": { \"defaults\": {\n"
	"      \"model\": { \"primary\": \"scripted/scripted\" }, \"workspace\": \"@WS@\",\n"
	"      \"sandbox\": { \"mode\": \"@MODE@\", \"backend\": \"clawlock\", \"scope\": \"agent\",\n"
	"        \"workspaceAccess\": \"@ACCESS@\",\n"
	"        \"docker\": { \"user\": \"1000:1000\", \"network\": \"@NET@\" } } },\n"
	"    \"list\": [ { \"id\": \"main\", \"default\": true, \"workspace\": \"@WS@\" },\n"
	"              { \"id\": \"other\", \"workspace\": \"@ROOT@/ws-other\" } ] } }\n";

/* Where a turn's files go: its config in the spool (both sides read it), its state here. */
static void turn_paths(const struct turn *t, char *config, char *ws, char *state, size_t size)
{
	snprintf(config, size, "%s/turns/%s.json", g.spool, t->name);
	snprintf(ws, size, "%s/ws-%s", g.root, t->name);
	snprintf(state, size, "%s/state-%s", g.root, t->name);
}

/* The turn's openclaw arguments: agent exec in its workspace, or the main session. */
static struct json_object *turn_args(const struct turn *t, const char *ws, const char *state)
{
	static const char *const exec_args[] = { "agent",     "exec",	  "follow the plan",
						 "--config",  "@CONFIG@", "--json",
						 "--timeout", "1200",	  NULL };
	static const char *const main_args[] = { "agent", "--local",	     "--agent",
						 "main",  "--session-key",   "agent:main:main",
						 "-m",	  "follow the plan", "--json",
						 NULL };
	const char *const *list = t->main_session ? main_args : exec_args;
	struct json_object *args = json_object_new_array();

	for (size_t i = 0; list[i]; i++)
		json_object_array_add(args, json_object_new_string(list[i]));
	if (!t->main_session) {
		json_object_array_add(args, json_object_new_string("--cwd"));
		json_object_array_add(args, json_object_new_string(ws));
		json_object_array_add(args, json_object_new_string("--state-dir"));
		json_object_array_add(args, json_object_new_string(state));
	}
	return args;
}

/* Ask the turn server for @t: DIR/turns/NAME.req, written whole, then renamed. */
static int submit(const struct turn *t)
{
	char config[512], ws[512], state[512], tmp[600], req_path[600];
	const char *const pairs[] = { "SRC", cl_source(), "CONFIG", config,   "WS",
				      ws,    "MODE",	  t->mode,  "ACCESS", t->access,
				      "NET", t->network,  "ROOT",   g.root,   NULL };
	struct json_object *req = json_object_new_object(), *dirs = json_object_new_array(), *env;
	char *text, *script;
	int ret;

	turn_paths(t, config, ws, state, sizeof(config));
	text = cl_fill(config_template, pairs);
	script = cl_fill(t->script, pairs);
	if (!text || !script) {
		json_object_put(req);
		json_object_put(dirs);
		free(text);
		free(script);
		return -1;
	}
	json_object_object_add(req, "config", json_object_new_string(text));
	json_object_object_add(req, "configPath", json_object_new_string(config));
	json_object_object_add(req, "script", json_tokener_parse(script));
	json_object_object_add(req, "mirror", json_object_new_string(g.root));
	json_object_array_add(dirs, json_object_new_string("home/.openclaw"));
	json_object_array_add(dirs, json_object_new_string(ws + strlen(g.root) + 1));
	json_object_array_add(dirs, json_object_new_string(state + strlen(g.root) + 1));
	json_object_object_add(req, "dirs", dirs);
	json_object_object_add(req, "args", turn_args(t, ws, state));
	env = json_object_new_object();
	json_object_object_add(env, "HOME", json_object_new_string(in_root("home")));
	json_object_object_add(req, "env", env);
	snprintf(tmp, sizeof(tmp), "%s/turns/%s.tmp", g.spool, t->name);
	snprintf(req_path, sizeof(req_path), "%s/turns/%s.req", g.spool, t->name);
	ret = json_object_to_file_ext(tmp, req, JSON_C_TO_STRING_PLAIN) == 0 &&
			      rename(tmp, req_path) == 0
		      ? 0
		      : -1;
	json_object_put(req);
	free(text);
	free(script);
	return ret;
}

/* mkdir -p @path, the folders it makes owned by @uid. */
static int make_dirs(const char *path, uid_t uid)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0755) == 0) {
			if (chown(buf, uid, uid) < 0)
				return -1;
		} else if (errno != EEXIST) {
			return -1;
		}
		if (!c)
			return 0;
		*p = c;
	}
}

/*
 * OpenClaw makes a "ro" or "none" agent's sandbox directory in its state
 * dir, on its side; here it is made where clawlock says it is (explain, on
 * a copy of the config), for the sandbox's user.
 */
static int make_sandbox_dir(const struct turn *t)
{
	char config[512], ws[512], state[512], copy[600], out[1 << 14];
	const char *const pairs[] = { "SRC",  cl_source(), "CONFIG", copy,	"WS",  ws,
				      "MODE", t->mode,	   "ACCESS", t->access, "NET", t->network,
				      "ROOT", g.root,	   "PORT",   "1",	NULL };
	struct json_object *doc, *sb, *dir;
	int ret = -1;

	turn_paths(t, config, ws, state, sizeof(config));
	snprintf(copy, sizeof(copy), "%s/config-%s.json", g.root, t->name);
	if (cl_write_filled(copy, config_template, pairs) < 0 || mkdir(state, 0755) < 0)
		return -1;
	setenv("OPENCLAW_STATE_DIR", state, 1);
	if (cl_run_clawlock(out, sizeof(out), "explain", "--openclaw", copy, "--agent", "main",
			    "--json", NULL) == 0 &&
	    (doc = json_tokener_parse(out))) {
		if (json_object_object_get_ex(doc, "sandbox", &sb) &&
		    json_object_object_get_ex(sb, "sandboxDir", &dir) &&
		    !make_dirs(json_object_get_string(dir), USER_ID))
			ret = 0;
		json_object_put(doc);
	}
	unsetenv("OPENCLAW_STATE_DIR");
	return ret;
}

/* The guest's side of every turn: the secrets, the workspaces, their sandbox dirs. */
static int make_home(void)
{
	static const char *const files[][2] = {
		{ "home/.ssh/id_rsa", "PRIVATE-KEY-e2e\n" },
		{ "home/.openclaw/openclaw.json",
		  "{ gateway: { auth: { token: 'GATEWAY-SECRET-e2e' } } }\n" },
		{ "ws-other/secret.txt", "OTHER-AGENT-SECRET\n" },
		{ "ws-injected/.env", "ENV-SECRET-e2e\n" },
	};
	char key[sizeof(g.path)];
	char config[512], ws[512], state[512], notes[600];

	if (!cl_mounted_tmpfs("/mnt") && mount("tmpfs", "/mnt", "tmpfs", 0, "mode=0755") < 0)
		return -1;
	strcpy(g.root, "/mnt/cl-e2e-XXXXXX");
	if (!mkdtemp(g.root) || chmod(g.root, 0755) < 0)
		return -1;
	if (make_dirs(in_root("home/.ssh"), 0) || make_dirs(in_root("home/.openclaw"), 0) ||
	    make_dirs(in_root("ws-other"), 0))
		return -1;
	for (int i = 0; i < N_TURNS; i++) {
		turn_paths(&turns[i], config, ws, state, sizeof(config));
		snprintf(notes, sizeof(notes), "%s/notes.md", ws);
		if (make_dirs(ws, USER_ID) || cl_write_file(notes, "notes-of-the-workspace\n"))
			return -1;
		if (strcmp(turns[i].access, "rw") ? make_sandbox_dir(&turns[i])
						  : mkdir(state, 0755))
			return -1;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (cl_write_file(in_root(files[i][0]), files[i][1]) < 0)
			return -1;
	}
	/* A way to the key from inside the workspace, for the read tool. */
	snprintf(key, sizeof(key), "%s", in_root("home/.ssh/id_rsa"));
	return symlink(key, in_root("ws-injected/link-to-key"));
}

/* The relay that runs the host's clawlock calls here, and the event log. */
static int start_relay(void)
{
	char script[512], calls[300], log[600], err[600], bin[PATH_MAX];
	char *relay[] = {
		"/usr/bin/python3", script, "--spool", calls, "--clawlock", bin, "--log", log, NULL
	};
	char *events[] = { bin, "events", "--follow", "--json", NULL };

	if (!realpath(cl_binary(), bin))
		return -1;
	snprintf(script, sizeof(script), "%s/tests/openclaw/relay-server", cl_source());
	snprintf(calls, sizeof(calls), "%s/calls", g.spool);
	snprintf(log, sizeof(log), "%s/relay.log", g.root);
	g.events = cl_spawn_logged(events, in_root("events.log"));
	snprintf(err, sizeof(err), "%s/relay.err", g.root);
	g.relay = cl_spawn_logged(relay, err);
	return g.events > 0 && g.relay > 0 ? 0 : -1;
}

/* Wait for the turn server: "" when it is ready, else why the turns cannot run. */
static const char *wait_server(void)
{
	static char why[400];
	char path[300];

	for (int i = 0; i < 9000; i++) {
		snprintf(path, sizeof(path), "%s/ready", g.spool);
		if (access(path, F_OK) == 0)
			return "";
		snprintf(path, sizeof(path), "%s/unavailable", g.spool);
		if (access(path, F_OK) == 0) {
			FILE *f = fopen(path, "r");
			size_t n = f ? fread(why, 1, sizeof(why) - 1, f) : 0;

			why[n] = '\0';
			if (f)
				fclose(f);
			return why[0] ? why : "the turn server cannot run OpenClaw";
		}
		usleep(100 * 1000);
	}
	return "the turn server did not answer in 15 minutes";
}

/*
 * Before the harness forks its first test: every turn is asked for at once,
 * so that they run side by side; each test then waits for its own.
 */
static void __attribute__((constructor)) start_turns(void)
{
	const char *spool = getenv("CLAWLOCK_TURNS");
	const char *why;

	if (!spool || !spool[0]) {
		snprintf(g.skip, sizeof(g.skip),
			 "no turn server: tests/run-tests starts"
			 " tests/openclaw/turn-server beside each guest (CLAWLOCK_TURNS)");
		return;
	}
	snprintf(g.spool, sizeof(g.spool), "%s", spool);
	why = wait_server();
	if (why[0]) {
		snprintf(g.skip, sizeof(g.skip), "OpenClaw cannot run on the host: %s", why);
		return;
	}
	if (make_home() < 0 || cl_load() != 0 || start_relay() < 0) {
		snprintf(g.broken, sizeof(g.broken), "the guest's side could not be set up: %s",
			 strerror(errno));
		return;
	}
	for (int i = 0; i < N_TURNS; i++) {
		if (submit(&turns[i]) < 0)
			snprintf(g.broken, sizeof(g.broken), "turn %s could not be asked for",
				 turns[i].name);
	}
}

static void stop_child(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void __attribute__((destructor)) stop_turns(void)
{
	char stop[300];

	if (!g.root[0])
		return;
	snprintf(stop, sizeof(stop), "%s/calls/stop", g.spool);
	cl_write_file(stop, "");
	stop_child(g.relay);
	stop_child(g.events);
	unlink(stop);
	cl_rm_tree(g.root);
}

FIXTURE(turn)
{
	struct json_object *res;
	char *results; /* every tool result of the turn, one after another */
};

FIXTURE_SETUP(turn)
{
	ASSERT_EQ(0, g.broken[0]) TH_LOG("%s", g.broken);
	if (g.skip[0])
		SKIP(return, "%s", g.skip);
}

FIXTURE_TEARDOWN(turn)
{
	json_object_put(self->res);
	free(self->results);
}

/* Wait for turn @which; its tool results into self->results. Returns openclaw's status. */
static int await_turn(struct __test_metadata *_metadata, FIXTURE_DATA(turn) * self, int which)
{
	struct json_object *v, *list;
	char path[400];
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/turns/%s.res", g.spool, turns[which].name);
	for (int waited = 0; access(path, F_OK) != 0; waited++) {
		if (waited >= TURN_PATIENCE_S * 2)
			return -1;
		usleep(500 * 1000);
	}
	self->res = json_object_from_file(path);
	if (!self->res || !json_object_object_get_ex(self->res, "toolResults", &list))
		return -1;
	f = open_memstream(&self->results, &len);
	for (size_t i = 0; i < json_object_array_length(list); i++)
		fprintf(f, "%s\n---\n", json_object_get_string(json_object_array_get_idx(list, i)));
	fclose(f);
	json_object_object_get_ex(self->res, "exit", &v);
	if (json_object_get_int(v) != 0 && json_object_object_get_ex(self->res, "stderr", &list))
		TH_LOG("openclaw said: %s", json_object_get_string(list));
	return json_object_get_int(v);
}

/* A denial of @target in clawlock's events, naming the key behind it (a rule's, or the default's).
 */
static bool denial_event(struct __test_metadata *_metadata, const char *target)
{
	char line[8192];
	FILE *f = fopen(in_root("events.log"), "r");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (!strstr(line, target) || !strstr(line, "\"decision\":\"deny\""))
			continue;
		found = strstr(line, "\"source\":") || strstr(line, "\"default\":");
		if (!found)
			TH_LOG("a denial of %s names no rule: %s", target, line);
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * How many calls of turn @which reached the backend (its config is in the
 * call); -1 when the relay's log cannot be read, which no check may take
 * for "none".
 */
static int backend_calls(int which)
{
	char config[512], ws[512], state[512], line[16384];
	FILE *f = fopen(in_root("relay.log"), "r");
	int calls = 0;

	if (!f)
		return -1;
	turn_paths(&turns[which], config, ws, state, sizeof(config));
	while (fgets(line, sizeof(line), f))
		calls += strstr(line, config) != NULL;
	fclose(f);
	return calls;
}

TEST_F(turn, an_injected_turn_is_refused_each_time_with_an_event)
{
	static const char *const secrets[] = { "PRIVATE-KEY-e2e", "GATEWAY-SECRET-e2e",
					       "ENV-SECRET-e2e", "OTHER-AGENT-SECRET",
					       "gw-token-5ecret" };
	static const char *const denied[] = {
		"/home/.ssh/id_rsa",   "/home/.openclaw/openclaw.json", ".env\"",
		"pwned.txt",	       "169.254.169.254:80/tcp",	"127.0.0.1:18789/tcp",
		"/ws-other/secret.txt"
	};

	ASSERT_EQ(0, await_turn(_metadata, self, INJECTED));
	TH_LOG("the injected turn's tool results:\n%s", self->results);
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		EXPECT_EQ(NULL, strstr(self->results, secrets[i])) TH_LOG("%s leaked", secrets[i]);
	}
	EXPECT_NE(NULL, strstr(self->results, "metadata-refused"));
	EXPECT_NE(NULL, strstr(self->results, "gateway-refused"));
	EXPECT_NE(NULL, strstr(self->results, "token=."));
	EXPECT_NE(0, access(in_root("home/pwned.txt"), F_OK));
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		EXPECT_TRUE(denial_event(_metadata, denied[i]))
		TH_LOG("no denial of %s", denied[i]);
	}
}

TEST_F(turn, an_honest_turn_builds_commits_and_uses_tempfile)
{
	char ws[512], config[512], state[512], path[600];

	ASSERT_EQ(0, await_turn(_metadata, self, HONEST));
	/* The other side of the off and non-main test: a sandboxed turn's calls are in the log. */
	EXPECT_LT(4, backend_calls(HONEST));
	EXPECT_NE(NULL, strstr(self->results, "hello-from-gcc")) TH_LOG("%s", self->results);
	EXPECT_NE(NULL, strstr(self->results, "first-commit")) TH_LOG("%s", self->results);
	EXPECT_NE(NULL, strstr(self->results, "tempfile-ok True")) TH_LOG("%s", self->results);
	turn_paths(&turns[HONEST], config, ws, state, sizeof(ws));
	snprintf(path, sizeof(path), "%s/hello", ws);
	EXPECT_EQ(0, access(path, X_OK));
	snprintf(path, sizeof(path), "%s/.git/HEAD", ws);
	EXPECT_EQ(0, access(path, F_OK));
}

TEST_F(turn, a_ro_agent_reads_its_workspace_and_cannot_change_it)
{
	ASSERT_EQ(0, await_turn(_metadata, self, RO));
	EXPECT_NE(NULL, strstr(self->results, "notes-of-the-workspace"))
	TH_LOG("%s", self->results);
	EXPECT_NE(NULL, strstr(self->results, "ro-refused")) TH_LOG("%s", self->results);
	EXPECT_NE(0, access(in_root("ws-ro/new.txt"), F_OK));
}

TEST_F(turn, a_none_agent_sees_only_its_sandbox_directory)
{
	char where[300];

	ASSERT_EQ(0, await_turn(_metadata, self, NONE));
	snprintf(where, sizeof(where), "none-pwd=%s/state-none/sandboxes/", g.root);
	EXPECT_NE(NULL, strstr(self->results, where)) TH_LOG("%s", self->results);
	EXPECT_NE(NULL, strstr(self->results, "none-refused")) TH_LOG("%s", self->results);
	EXPECT_EQ(NULL, strstr(self->results, "notes-of-the-workspace"));
}

/* Both run their command on the host, unconfined, as OpenClaw means them to. */
TEST_F(turn, sandbox_off_and_the_main_session_never_reach_the_backend)
{
	ASSERT_EQ(0, await_turn(_metadata, self, OFF));
	EXPECT_NE(NULL, strstr(self->results, "ran-on-the-host")) TH_LOG("%s", self->results);
	EXPECT_EQ(0, backend_calls(OFF));
	json_object_put(self->res);
	free(self->results);
	self->res = NULL;
	self->results = NULL;
	ASSERT_EQ(0, await_turn(_metadata, self, NON_MAIN));
	EXPECT_NE(NULL, strstr(self->results, "ran-on-the-host")) TH_LOG("%s", self->results);
	EXPECT_EQ(0, backend_calls(NON_MAIN));
}

TEST_HARNESS_MAIN
