// SPDX-License-Identifier: GPL-2.0
/*
 * plugin_test.c - the OpenClaw plugin (integrations/openclaw/) driven by
 * the real OpenClaw 2026.9.6 (tests/fetch-openclaw) through real
 * `openclaw agent exec` turns, with a scripted model
 * (tests/openclaw/model-server.py) standing in for the LLM.
 *
 * This host cannot load clawlock (its kernel refuses BPF LSM), so these
 * turns check the plugin's side of the contract, not the kernel's (that is
 * backend_test, in the VM):
 *  - `openclaw plugins install --link` of the folder writes the keys;
 *  - every tool a turn uses (exec, write, read) reaches the backend binary,
 *    here tests/openclaw/recording-clawlock, which records each call and
 *    runs it unconfined: the scope key is OpenClaw's, the file tools' reads
 *    and writes are the binary's, and nothing of the Gateway's environment
 *    (its token, its state paths) reaches the command;
 *  - with the real clawlock, which is not loaded here, every tool call
 *    fails and nothing runs on the host: no fallback;
 *  - a session whose sandbox is off never calls the backend, nor does the
 *    main session under mode "non-main" (an `openclaw agent --local` turn),
 *    while another session of the same agent does.
 * Skipped, never passed, without npm or python3.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kselftest_harness.h"
#include "openclaw_fetch.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 900

/* What the Gateway has in its environment, and no command may see. */
#define GATEWAY_TOKEN "gw-token-5ecret-7c1b"

static const char *source_dir(void)
{
	return getenv("CLAWLOCK_SOURCE") ? getenv("CLAWLOCK_SOURCE") : ".";
}

FIXTURE(plugin)
{
	char dir[64];
	char home[128];
	char ws[160];
	char config[160];
	char stub_log[160];
	char model_log[160];
	char result[160];
	pid_t model;
	int port;
};

static char *path_in(FIXTURE_DATA(plugin) * self, const char *name)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ & 3];

	snprintf(p, sizeof(path[0]), "%s/%s", self->dir, name);
	return p;
}

static int put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* The whole of @path, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

/* Start the scripted model with @script (a JSON list of steps). */
static int start_model(FIXTURE_DATA(plugin) * self, const char *script)
{
	char server[4200], *port_text;

	if (put(path_in(self, "script.json"), script) < 0)
		return -1;
	snprintf(server, sizeof(server), "%s/tests/openclaw/model-server.py", source_dir());
	self->model = fork();
	if (self->model == 0) {
		execlp("python3", "python3", server, "--port-file", path_in(self, "port"), "--log",
		       self->model_log, path_in(self, "script.json"), (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) {
		port_text = slurp(path_in(self, "port"));
		if (port_text) {
			self->port = atoi(port_text);
			free(port_text);
			return self->port > 0 ? 0 : -1;
		}
		usleep(100 * 1000);
	}
	return -1;
}

/* openclaw.json: the scripted model, the plugin (with @binary), the sandbox @mode. */
static int write_config(FIXTURE_DATA(plugin) * self, const char *mode, const char *binary)
{
	char text[8192];

	snprintf(text, sizeof(text),
		 "{\n"
		 "  models: { mode: 'merge', providers: { scripted: {\n"
		 "    baseUrl: 'http://127.0.0.1:%d/v1', apiKey: 'not-a-key',\n"
		 "    api: 'openai-completions',\n"
		 "    models: [ { id: 'scripted', name: 'scripted', reasoning: false,\n"
		 "      input: ['text'], contextWindow: 100000, maxTokens: 1000,\n"
		 "      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } } ] } } },\n"
		 "  plugins: { load: { paths: ['%s/integrations/openclaw'] },\n"
		 "    entries: { clawlock: { enabled: true,\n"
		 "      config: { binary: '%s', config: '%s' } } } },\n"
		 "  agents: { defaults: {\n"
		 "    model: { primary: 'scripted/scripted' }, workspace: '%s',\n"
		 "    sandbox: { mode: '%s', backend: 'clawlock', scope: 'agent',\n"
		 "      workspaceAccess: 'rw', docker: { user: '65534:65534' } } } }\n"
		 "}\n",
		 self->port, source_dir(), binary, self->config, self->ws, mode);
	return put(self->config, text);
}

/* openclaw ARGS... with the test's HOME and a Gateway's secret; output in result. */
static int run_openclaw(FIXTURE_DATA(plugin) * self, char *const args[])
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		char path[8192], *argv[24];
		int n = 0, fd;

		snprintf(path, sizeof(path), "%s:/usr/bin:/bin", node_dir);
		setenv("PATH", path, 1);
		setenv("HOME", self->home, 1);
		setenv("OPENCLAW_CONFIG_PATH", self->config, 1);
		setenv("OPENCLAW_GATEWAY_TOKEN", GATEWAY_TOKEN, 1);
		setenv("CLAWLOCK_STUB_LOG", self->stub_log, 1);
		unsetenv("OPENCLAW_STATE_DIR");
		unsetenv("OPENCLAW_HOME");
		argv[n++] = openclaw_bin;
		for (int i = 0; args[i] && n < 22; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		fd = open(self->result, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(open("/dev/null", O_WRONLY), 2) < 0)
			_exit(126);
		execv(openclaw_bin, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* One `openclaw agent exec` turn; its JSON envelope's status, or "". */
static const char *turn(FIXTURE_DATA(plugin) * self)
{
	static char status[32];
	char *args[] = { "agent",  "exec",   "follow the plan", "--config", self->config, "--cwd",
			 self->ws, "--json", "--timeout",	"600",	    NULL };
	struct json_object *doc, *v;
	char *text;

	status[0] = '\0';
	run_openclaw(self, args);
	text = slurp(self->result);
	doc = text && strchr(text, '{') ? json_tokener_parse(strchr(text, '{')) : NULL;
	if (doc && json_object_object_get_ex(doc, "status", &v))
		snprintf(status, sizeof(status), "%s", json_object_get_string(v));
	json_object_put(doc);
	free(text);
	return status;
}

/*
 * Every tool result OpenClaw sent back to the model, one after another:
 * the last request to the model carries the whole conversation.
 */
static char *tool_results(FIXTURE_DATA(plugin) * self)
{
	char *log = slurp(self->model_log), *last, *out = NULL;
	struct json_object *req = NULL, *msgs;
	size_t len = 0;
	FILE *f;

	if (!log)
		return NULL;
	log[strcspn(log, "\0")] = '\0';
	while (strlen(log) && log[strlen(log) - 1] == '\n')
		log[strlen(log) - 1] = '\0';
	last = strrchr(log, '\n');
	req = json_tokener_parse(last ? last + 1 : log);
	f = open_memstream(&out, &len);
	if (f && req && json_object_object_get_ex(req, "messages", &msgs)) {
		for (size_t i = 0; i < json_object_array_length(msgs); i++) {
			struct json_object *m = json_object_array_get_idx(msgs, i), *role, *content;

			if (json_object_object_get_ex(m, "role", &role) &&
			    !strcmp(json_object_get_string(role), "tool") &&
			    json_object_object_get_ex(m, "content", &content))
				fprintf(f, "%s\n---\n", json_object_get_string(content));
		}
	}
	if (f)
		fclose(f);
	json_object_put(req);
	free(log);
	return out;
}

FIXTURE_SETUP(plugin)
{
	if (!openclaw_fetch()[0])
		SKIP(return, "OpenClaw cannot be installed here (tests/fetch-openclaw: no npm)");
	if (system("command -v python3 >/dev/null") != 0)
		SKIP(return, "python3 is not installed (the scripted model server needs it)");
	strcpy(self->dir, "/tmp/cl-plugin-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->home, sizeof(self->home), "%s/home", self->dir);
	snprintf(self->ws, sizeof(self->ws), "%s/ws", self->home);
	snprintf(self->config, sizeof(self->config), "%s/openclaw.json", self->dir);
	snprintf(self->stub_log, sizeof(self->stub_log), "%s/stub.log", self->dir);
	snprintf(self->model_log, sizeof(self->model_log), "%s/model.log", self->dir);
	snprintf(self->result, sizeof(self->result), "%s/result.json", self->dir);
	ASSERT_EQ(0, mkdir(self->home, 0755));
	ASSERT_EQ(0, mkdir(self->ws, 0755));
	self->model = -1;
}

FIXTURE_TEARDOWN(plugin)
{
	char cmd[128];

	if (self->model > 0) {
		kill(self->model, SIGTERM);
		waitpid(self->model, NULL, 0);
	}
	if (!self->dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd) != 0)
		TH_LOG("could not remove %s", self->dir);
}

static char *stub(void)
{
	static char path[4200];

	snprintf(path, sizeof(path), "%s/tests/openclaw/recording-clawlock", source_dir());
	return path;
}

TEST_F(plugin, install_link_writes_the_plugin_keys)
{
	char dir[4200],
		*args[] = { "plugins", "install", "--link", "--force", "--accept-capabilities",
			    dir,       NULL };
	char *config;

	if (_metadata->skip)
		return;
	snprintf(dir, sizeof(dir), "%s/integrations/openclaw", source_dir());
	ASSERT_EQ(0, put(self->config, "{ agents: { defaults: { sandbox: { mode: 'all',"
				       " backend: 'clawlock' } } } }\n"));
	ASSERT_EQ(0, run_openclaw(self, args));
	config = slurp(self->config);
	ASSERT_NE(NULL, config);
	EXPECT_NE(NULL, strstr(config, dir)) TH_LOG("%s", config);
	EXPECT_NE(NULL, strstr(config, "\"clawlock\"")) TH_LOG("%s", config);
	free(config);
}

/*
 * One call the recording binary saw: OpenClaw's scope key for agent main,
 * and nothing of the Gateway's in what the command gets.
 */
static int check_call(struct __test_metadata *_metadata, struct json_object *call)
{
	struct json_object *argv, *env;
	const char *scope = NULL;
	int bad = 0;

	if (!json_object_object_get_ex(call, "argv", &argv) ||
	    !json_object_object_get_ex(call, "env", &env))
		return 1;
	for (size_t i = 0; i + 1 < json_object_array_length(argv); i++) {
		if (!strcmp(json_object_get_string(json_object_array_get_idx(argv, i)),
			    "--scope-key"))
			scope = json_object_get_string(json_object_array_get_idx(argv, i + 1));
	}
	if (scope && (strncmp(scope, "agent:main:workspace:", 21) || strlen(scope) != 21 + 32)) {
		TH_LOG("scope key %s is not OpenClaw's for agent main", scope);
		bad++;
	}
	json_object_object_foreach (env, name, value) {
		const char *v = json_object_get_string(value);

		if (strncmp(name, "CLAWLOCK_ENV_", 13))
			continue;
		if (strstr(v, GATEWAY_TOKEN) ||
		    (!strncmp(name + 13, "OPENCLAW_", 9) && strcmp(name + 13, "OPENCLAW_SHELL"))) {
			TH_LOG("the command would get %s=%s", name + 13, v);
			bad++;
		}
	}
	return bad;
}

TEST_F(plugin, every_tool_goes_through_the_backend_binary)
{
	char *results, *log, *line, *save = NULL, *made;
	int calls = 0, bad = 0, read_through = 0;
	char wrote[256];

	if (_metadata->skip)
		return;
	snprintf(wrote, sizeof(wrote), "%s/by-write.txt", self->ws);
	ASSERT_EQ(0, start_model(self,
				 "[ {\"tool\": \"exec\", \"args\": {\"command\":"
				 " \"echo exec-ran > by-exec.txt; cat by-exec.txt;"
				 " echo token=$OPENCLAW_GATEWAY_TOKEN.\"}},"
				 "  {\"tool\": \"write\", \"args\": {\"path\": \"by-write.txt\","
				 " \"content\": \"write-ran\\n\"}},"
				 "  {\"tool\": \"read\", \"args\": {\"path\": \"by-write.txt\"}},"
				 "  {\"text\": \"done\"} ]"));
	ASSERT_EQ(0, write_config(self, "all", stub()));
	ASSERT_STREQ("ok", turn(self));
	results = tool_results(self);
	ASSERT_NE(NULL, results);
	EXPECT_NE(NULL, strstr(results, "exec-ran")) TH_LOG("%s", results);
	EXPECT_NE(NULL, strstr(results, "token=.")) TH_LOG("%s", results);
	EXPECT_NE(NULL, strstr(results, "write-ran")) TH_LOG("%s", results);
	made = slurp(wrote);
	EXPECT_NE(NULL, made);
	if (made)
		EXPECT_STREQ("write-ran\n", made);
	free(made);
	free(results);
	log = slurp(self->stub_log);
	ASSERT_NE(NULL, log);
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *call = json_tokener_parse(line);

		calls++;
		bad += check_call(_metadata, call);
		/* The read tool's bytes came through the binary, by the file's path. */
		if (strstr(line, "by-write.txt") && !strstr(line, "write-ran"))
			read_through++;
		json_object_put(call);
	}
	free(log);
	EXPECT_GE(calls, 3);
	EXPECT_GE(read_through, 1);
	EXPECT_EQ(0, bad);
}

TEST_F(plugin, nothing_runs_when_clawlock_is_not_loaded)
{
	const char *bin = getenv("CLAWLOCK_BINARY");
	char marker[256], *results;

	if (_metadata->skip)
		return;
	if (!bin || access(bin, X_OK) != 0)
		SKIP(return,
			   "CLAWLOCK_BINARY does not name a clawlock binary (tests/run-tests sets it)");
	if (access("/sys/fs/bpf/clawlock", F_OK) == 0)
		SKIP(return, "clawlock is loaded on this host: the refusal cannot be seen here");
	snprintf(marker, sizeof(marker), "%s/ran-unconfined", self->ws);
	ASSERT_EQ(0, put(path_in(self, "home/ws/notes.txt"), "the-workspace-notes\n"));
	ASSERT_EQ(0,
		  start_model(self, "[ {\"tool\": \"exec\", \"args\": {\"command\":"
				    " \"touch ran-unconfined\"}},"
				    "  {\"tool\": \"read\", \"args\": {\"path\": \"notes.txt\"}},"
				    "  {\"text\": \"done\"} ]"));
	ASSERT_EQ(0, write_config(self, "all", bin));
	turn(self);
	EXPECT_NE(0, access(marker, F_OK));
	results = tool_results(self);
	ASSERT_NE(NULL, results);
	EXPECT_NE(NULL, strstr(results, "not loaded")) TH_LOG("%s", results);
	/* Not even the read tool: OpenClaw itself reads nothing. */
	EXPECT_EQ(NULL, strstr(results, "the-workspace-notes")) TH_LOG("%s", results);
	free(results);
}

TEST_F(plugin, a_session_with_sandbox_off_never_reaches_the_backend)
{
	char *results;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, start_model(self, "[ {\"tool\": \"exec\", \"args\": {\"command\":"
				       " \"echo host-ran\"}}, {\"text\": \"done\"} ]"));
	ASSERT_EQ(0, write_config(self, "off", stub()));
	ASSERT_STREQ("ok", turn(self));
	results = tool_results(self);
	ASSERT_NE(NULL, results);
	EXPECT_NE(NULL, strstr(results, "host-ran")) TH_LOG("%s", results);
	free(results);
	EXPECT_NE(0, access(self->stub_log, F_OK));
}

TEST_F(plugin, the_main_session_under_non_main_never_reaches_the_backend)
{
	char *main_turn[] = { "agent", "--local",	  "--agent",
			      "main",  "--session-key",	  "agent:main:main",
			      "-m",    "follow the plan", "--json",
			      NULL };
	char *other_turn[] = { "agent", "--local",	   "--agent",
			       "main",	"--session-key",   "agent:main:work",
			       "-m",	"follow the plan", "--json",
			       NULL };
	char *results;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, start_model(self, "[ {\"tool\": \"exec\", \"args\": {\"command\":"
				       " \"echo main-ran\"}}, {\"text\": \"done\"},"
				       "  {\"tool\": \"exec\", \"args\": {\"command\":"
				       " \"echo work-ran\"}}, {\"text\": \"done\"} ]"));
	ASSERT_EQ(0, write_config(self, "non-main", stub()));
	ASSERT_EQ(0, run_openclaw(self, main_turn));
	results = tool_results(self);
	ASSERT_NE(NULL, results);
	EXPECT_NE(NULL, strstr(results, "main-ran")) TH_LOG("%s", results);
	free(results);
	EXPECT_NE(0, access(self->stub_log, F_OK));
	/* The same agent's other sessions are sandboxed: they do. */
	ASSERT_EQ(0, run_openclaw(self, other_turn));
	results = tool_results(self);
	ASSERT_NE(NULL, results);
	EXPECT_NE(NULL, strstr(results, "work-ran")) TH_LOG("%s", results);
	free(results);
	EXPECT_EQ(0, access(self->stub_log, F_OK));
}

TEST_HARNESS_MAIN
