// SPDX-License-Identifier: GPL-2.0
/*
 * differential_test.c - `clawlock explain` against the real kernel (run in
 * the test VM).
 *
 * For each seed, a random tree (directories, executables, symlinks, .env
 * files), a random OpenClaw config and overlay (file rules of every access,
 * a name pattern, rules on paths that appear only after load, network rules
 * with CIDRs, port ranges and protocols; for one variant a tool policy that
 * switches exec off) and a list of cases (read, write,
 * exec, create, connect, sendto) are generated. Every case is asked of
 * `clawlock explain --cases`, then done by one helper confined by `clawlock run`
 * with the same config. The kernel's answer (refused with EACCES or EPERM,
 * or not) must equal explain's decision, case by case. A mismatch names the
 * seed, the case, explain's rule and the kernel's errno.
 */
#include "cltest.h"
#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 900

#define MAX_NODES 48
/* Directories below the tree's root that no node is made in. */
#define DEEP_CHAIN "k1/k2/k3/k4"
#define MAX_CASES  160

enum node_kind {
	NODE_DIR,
	NODE_FILE,
	NODE_LINK
};

struct node {
	enum node_kind kind;
	char path[256];
};

struct dcase {
	char op[16];	  /* explain's op */
	char target[256]; /* explain's target */
	char helper[16];  /* what the helper does */
	int expect;	  /* explain: 1 allow, 0 deny, -1 not asked */
	char rule[256];	  /* explain's deciding rule */
	int result;	  /* kernel: 0, or the errno */
	int again;	  /* the kernel asked a second time (the walk cache's answer) */
};

FIXTURE(diff)
{
	char root[64];
	char config[128];
	char overlay[128];
	unsigned long long rng;
	struct node nodes[MAX_NODES];
	int node_count;
	char late[2][256];
	struct dcase cases[MAX_CASES];
	int case_count;
	int exec_off; /* the config's sandbox tool policy denies exec */
};

FIXTURE_SETUP(diff)
{
	char path[128];

	strcpy(self->root, "/tmp/cl-diff-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(path, sizeof(path), "%s/ws", self->root);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/.openclaw", self->root);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(self->config, sizeof(self->config), "%s/.openclaw/openclaw.json", self->root);
	snprintf(self->overlay, sizeof(self->overlay), "%s/overlay.json5", self->root);
	setenv("HOME", self->root, 1);
	unsetenv("OPENCLAW_CONFIG_PATH");
	ASSERT_EQ(0, cl_load());
}

FIXTURE_TEARDOWN(diff)
{
	cl_rm_tree(self->root);
}

/* xorshift64*: the same seed gives the same tree, rules and cases. */
static unsigned int rnd(FIXTURE_DATA(diff) * self, unsigned int n)
{
	self->rng ^= self->rng >> 12;
	self->rng ^= self->rng << 25;
	self->rng ^= self->rng >> 27;
	return (unsigned int)((self->rng * 2685821657736338717ULL) >> 33) % n;
}

static const char *pick(FIXTURE_DATA(diff) * self, const char *const *list, size_t n)
{
	return list[rnd(self, n)];
}

#define PICK(list) pick(self, list, sizeof(list) / sizeof(list[0]))

/* A random node of @kind (any kind with -1). */
static struct node *random_node(FIXTURE_DATA(diff) * self, int kind)
{
	for (int tries = 0; tries < 200; tries++) {
		struct node *n = &self->nodes[rnd(self, self->node_count)];

		if (kind < 0 || (int)n->kind == kind)
			return n;
	}
	return &self->nodes[0];
}

static void add_node(struct __test_metadata *_metadata, FIXTURE_DATA(diff) * self,
		     enum node_kind kind)
{
	static const char *const names[] = { "src", "lib", "data", "cache", ".env", "bin", "out" };
	struct node *parent = random_node(self, NODE_DIR);
	struct node *n = &self->nodes[self->node_count];
	char cmd[700];

	/* .env exactly, now and then; other names made unique by a number. */
	if (rnd(self, 6) == 0 && kind != NODE_LINK)
		snprintf(n->path, sizeof(n->path), "%.200s/.env", parent->path);
	else
		snprintf(n->path, sizeof(n->path), "%.200s/%s%d", parent->path, PICK(names),
			 self->node_count);
	if (access(n->path, F_OK) == 0 || strlen(n->path) > 200)
		return;
	n->kind = kind;
	if (kind == NODE_DIR) {
		ASSERT_EQ(0, mkdir(n->path, 0755));
	} else if (kind == NODE_FILE) {
		snprintf(cmd, sizeof(cmd), "cp /bin/true '%s' && chmod 755 '%s'", n->path, n->path);
		ASSERT_EQ(0, system(cmd));
	} else {
		struct node *to = random_node(self, -1);

		if (to->kind == NODE_LINK)
			return;
		ASSERT_EQ(0, symlink(to->path, n->path));
	}
	self->node_count++;
}

static void make_tree(struct __test_metadata *_metadata, FIXTURE_DATA(diff) * self)
{
	char path[300];

	/*
	 * The tree starts three levels below the home folder, so that every
	 * walk from it gets as far as asking the walk cache (CL_WALK_CACHE_AT).
	 */
	snprintf(path, sizeof(path), "%s/t", self->root);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/t/u", self->root);
	ASSERT_EQ(0, mkdir(path, 0755));
	self->node_count = 1;
	self->nodes[0].kind = NODE_DIR;
	snprintf(self->nodes[0].path, sizeof(self->nodes[0].path), "%s/t/u/v", self->root);
	ASSERT_EQ(0, mkdir(self->nodes[0].path, 0755));
	/* No rule lands below node 0 on this chain: its walks always ask the cache. */
	snprintf(path, sizeof(path),
		 "mkdir -p %.100s/" DEEP_CHAIN " && cp /bin/true %.100s/" DEEP_CHAIN "/f",
		 self->nodes[0].path, self->nodes[0].path);
	ASSERT_EQ(0, system(path));
	for (int i = 0; i < 10; i++)
		add_node(_metadata, self, NODE_DIR);
	for (int i = 0; i < 16; i++)
		add_node(_metadata, self, NODE_FILE);
	for (int i = 0; i < 4; i++)
		add_node(_metadata, self, NODE_LINK);
}

static size_t cat(char *buf, size_t size, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static size_t cat(char *buf, size_t size, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (len < size)
		len += vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	return len;
}

static const char *const net_rules[] = {
	"10.1.0.0/16",
	"10.1.2.0/24",
	"tcp 10.1.2.3 80",
	"udp 10.1.0.0/16 53",
	"192.0.2.0/24",
	"tcp 192.0.2.0/25 8000-8100",
	"198.51.100.7",
	"tcp 203.0.113.0/24 443",
	"2001:db8::/32",
	"tcp 2001:db8:1::/48 443",
	"udp 2001:db8:2::/64 53",
	"fd00:1::/64",
	"169.254.169.254",
	"tcp 172.16.5.0/24 22",
};

/* A rule of the overlay being written: its key and access. */
struct kv {
	const char *key;
	const char *value;
};

/* Set @key to @value in @list, replacing an earlier value (keys stay unique). */
static void kv_set(struct kv *list, int *n, const char *key, const char *value)
{
	for (int i = 0; i < *n; i++) {
		if (!strcmp(list[i].key, key)) {
			list[i].value = value;
			return;
		}
	}
	list[*n].key = key;
	list[*n].value = value;
	(*n)++;
}

/* The config, the overlay and the late paths for one seed. */
static void write_policy(struct __test_metadata *_metadata, FIXTURE_DATA(diff) * self)
{
	static const char config_template[] =
		"{ @TOOLS@ agents: { defaults: { sandbox: { mode: 'all', scope: 'agent',"
		" workspaceAccess: '@ACCESS@', docker: { network: '@NETWORK@' } } },"
		" list: [ { id: 'diff', workspace: '@ROOT@/ws' } ] } }";
	static const char *const access_words[] = { "read",	 "read,write",
						    "read,exec", "read,write,exec",
						    "write",	 "exec",
						    "deny",	 "deny" };
	static char text[16384];
	struct kv files[24], net[8];
	int nfiles = 0, nnet = 0;
	size_t len = 0;
	const char *tools =
		self->exec_off ? "tools: { sandbox: { tools: { deny: ['group:runtime'] } } }," : "";
	/* The network is drawn before the access, so that a seed makes the config it always has. */
	const char *network = rnd(self, 3) ? "bridge" : "none";
	const char *access = rnd(self, 2) ? "rw" : "ro";

	ASSERT_EQ(0, CL_WRITE_FILLED(self->config, config_template, "TOOLS", tools, "ACCESS",
				     access, "NETWORK", network, "ROOT", self->root));

	/* A policy file may not name a key twice: a later pick replaces the earlier. */
	kv_set(files, &nfiles, cl_self_dir(), "read,exec");
	if (rnd(self, 2))
		kv_set(files, &nfiles, self->nodes[0].path, PICK(access_words));
	for (int i = 0; i < 12; i++)
		kv_set(files, &nfiles, random_node(self, -1)->path, PICK(access_words));
	/* Two paths that exist only after load: one deny, one allow. */
	for (int i = 0; i < 2; i++) {
		snprintf(self->late[i], sizeof(self->late[i]), "%.200s/late%d",
			 random_node(self, NODE_DIR)->path, i);
		kv_set(files, &nfiles, self->late[i], i ? "read,write,exec" : "deny");
	}
	kv_set(files, &nfiles, rnd(self, 2) ? "**/cache" : "**/late1", PICK(access_words));
	for (int i = 0; i < 6; i++)
		kv_set(net, &nnet, PICK(net_rules), rnd(self, 3) ? "allow" : "deny");
	len = cat(text, sizeof(text), len, "{ agents: { diff: { files: {\n");
	for (int i = 0; i < nfiles; i++)
		len = cat(text, sizeof(text), len, " '%s': '%s',\n", files[i].key, files[i].value);
	len = cat(text, sizeof(text), len, " },\n network: {\n");
	for (int i = 0; i < nnet; i++)
		len = cat(text, sizeof(text), len, " '%s': '%s',\n", net[i].key, net[i].value);
	len = cat(text, sizeof(text), len, " } } } }\n");
	ASSERT_GT(sizeof(text), len);
	ASSERT_EQ(0, cl_write_file(self->overlay, text));
}

static void add_case(FIXTURE_DATA(diff) * self, const char *op, const char *target,
		     const char *helper)
{
	struct dcase *c;

	if (self->case_count >= MAX_CASES)
		return;
	c = &self->cases[self->case_count++];
	snprintf(c->op, sizeof(c->op), "%s", op);
	snprintf(c->target, sizeof(c->target), "%s", target);
	snprintf(c->helper, sizeof(c->helper), "%s", helper);
	c->expect = -1;
}

static void make_cases(FIXTURE_DATA(diff) * self)
{
	static const char *const hosts4[] = { "10.1.2.3",    "10.1.9.9",	"10.2.0.1",
					      "192.0.2.77",  "192.0.2.200",	"198.51.100.7",
					      "203.0.113.9", "169.254.169.254", "172.16.5.5",
					      "8.8.8.8",     "100.64.1.1" };
	static const char *const hosts6[] = { "2001:db8::1",	       "2001:db8:1::5",
					      "2001:db8:2::53",	       "fd00:1::1",
					      "2606:4700::1111",       "::ffff:10.1.2.3",
					      "::ffff:169.254.169.254" };
	static const int ports[] = { 22, 53, 80, 443, 8000, 8080, 8100, 8101 };
	char target[300];

	for (int i = 0; i < self->node_count; i++) {
		struct node *n = &self->nodes[i];
		struct stat st;

		/* A symlink is decided at what it reaches; a dangling one is no case. */
		if (stat(n->path, &st) < 0)
			continue;
		add_case(self, "read", n->path, "read");
		if (S_ISREG(st.st_mode)) {
			add_case(self, "write", n->path, "write");
			add_case(self, "exec", n->path, "exec");
		}
	}
	snprintf(target, sizeof(target), "%.200s/" DEEP_CHAIN "/f", self->nodes[0].path);
	add_case(self, "read", target, "read");
	add_case(self, "write", target, "write");
	add_case(self, "exec", target, "exec");
	/* Under the late paths (made after load) and new names (created by the helper). */
	for (int i = 0; i < 2; i++) {
		snprintf(target, sizeof(target), "%s/f", self->late[i]);
		add_case(self, "read", target, "read");
		add_case(self, "write", target, "write");
		add_case(self, "exec", target, "exec");
	}
	for (int i = 0; i < 6; i++) {
		snprintf(target, sizeof(target), "%s/new%d", random_node(self, NODE_DIR)->path, i);
		add_case(self, "write", target, "create");
	}
	snprintf(target, sizeof(target), "%s/cache", random_node(self, NODE_DIR)->path);
	add_case(self, "write", target, "create");
	for (int i = 0; i < 24; i++) {
		int udp = rnd(self, 3) == 0, v6 = rnd(self, 3) == 0;
		const char *host = v6 ? PICK(hosts6) : PICK(hosts4);

		snprintf(target, sizeof(target), v6 ? "[%s]:%d/%s" : "%s:%d/%s", host,
			 ports[rnd(self, sizeof(ports) / sizeof(ports[0]))], udp ? "udp" : "tcp");
		add_case(self, udp ? "sendto" : "connect", target, udp ? "sendto" : "connect");
	}
}

/*
 * explain's decisions for every case, from one `explain --cases`: one JSON
 * line per case, in order. Returns the number of answers read.
 */
static int explain_all(FIXTURE_DATA(diff) * self)
{
	static char out[1 << 20];
	char cases[300], *save = NULL;
	FILE *f;
	int n = 0;

	snprintf(cases, sizeof(cases), "%s/cases", self->root);
	f = fopen(cases, "w");
	if (!f)
		return -1;
	for (int i = 0; i < self->case_count; i++)
		fprintf(f, "%s %s\n", self->cases[i].op, self->cases[i].target);
	fclose(f);
	if (cl_run_clawlock(out, sizeof(out), "explain", "--openclaw", self->config, "--policy",
			    self->overlay, "--agent", "diff", "--cases", cases, NULL) != 0) {
		/* What explain said, for the failing test's log. */
		fprintf(stderr, "# explain: %.2000s\n", out);
		return -1;
	}
	for (char *line = strtok_r(out, "\n", &save); line && n < self->case_count;
	     line = strtok_r(NULL, "\n", &save)) {
		struct json_object *doc = json_tokener_parse(line), *v, *rule;
		struct dcase *c = &self->cases[n];

		if (!doc || !json_object_object_get_ex(doc, "target", &v) ||
		    strcmp(json_object_get_string(v), c->target)) {
			json_object_put(doc);
			return n;
		}
		if (json_object_object_get_ex(doc, "decision", &v))
			c->expect = !strcmp(json_object_get_string(v), "allow");
		/* A file rule's path, or the config key of a switch (exec off). */
		if (json_object_object_get_ex(doc, "rule", &rule) && rule &&
		    (json_object_object_get_ex(rule, "path", &v) ||
		     json_object_object_get_ex(rule, "key", &v)))
			snprintf(c->rule, sizeof(c->rule), "%s", json_object_get_string(v));
		json_object_put(doc);
		n++;
	}
	return n;
}

/*
 * The helper's side: one case per line "HELPER TARGET" on stdin, one errno
 * per line on stdout. A socket is non-blocking: only the LSM's verdict
 * matters, never whether anything answers.
 */
static int net_case(const char *op, const char *target)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, type, ret;

	if (cl_parse_addr(target, &ss, &len, &type) < 0)
		return EINVAL;
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return errno;
	if (!strcmp(op, "connect"))
		ret = connect(fd, (struct sockaddr *)&ss, len);
	else
		ret = sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len) < 0 ? -1 : 0;
	ret = ret < 0 ? errno : 0;
	close(fd);
	return ret;
}

static int file_case(const char *op, const char *target)
{
	int fd, status;
	pid_t pid;

	if (!strcmp(op, "exec")) {
		pid = fork();
		if (pid == 0) {
			char *argv[] = { (char *)target, NULL };

			execv(target, argv);
			_exit(HELPER_ERRNO + errno);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
			return EIO;
		return WEXITSTATUS(status) >= HELPER_ERRNO ? WEXITSTATUS(status) - HELPER_ERRNO : 0;
	}
	if (!strcmp(op, "read"))
		fd = open(target, O_RDONLY);
	else if (!strcmp(op, "write"))
		fd = open(target, O_WRONLY);
	else
		fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

__attribute__((constructor)) static void batch_helper(int argc, char **argv)
{
	char line[512], *space;

	if (argc != 2 || strcmp(argv[1], "--batch"))
		return;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		space = strchr(line, ' ');
		if (!space)
			_exit(2);
		*space = '\0';
		if (!strcmp(line, "connect") || !strcmp(line, "sendto"))
			printf("%d\n", net_case(line, space + 1));
		else
			printf("%d\n", file_case(line, space + 1));
	}
	_exit(0);
}

/*
 * Start the helper confined, create the late paths once its policy is in
 * the kernel, then feed it the cases.
 */
static void run_confined(struct __test_metadata *_metadata, FIXTURE_DATA(diff) * self)
{
	char *argv[] = { (char *)cl_binary(), "-q",	     "run",	"--openclaw", self->config,
			 "--policy",	      self->overlay, "--agent", "diff",	      "--",
			 (char *)cl_self(),   "--batch",     NULL };
	int in[2], out[2], status, i;
	char line[64], path[300];
	FILE *to, *from;
	pid_t pid;

	ASSERT_EQ(0, pipe(in));
	ASSERT_EQ(0, pipe(out));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	to = fdopen(in[1], "w");
	from = fdopen(out[0], "r");
	ASSERT_NE(NULL, to);
	ASSERT_NE(NULL, from);
	ASSERT_NE(NULL, fgets(line, sizeof(line), from));
	ASSERT_STREQ("ready\n", line);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, mkdir(self->late[i], 0755));
		snprintf(path, sizeof(path), "cp /bin/true '%s/f'", self->late[i]);
		ASSERT_EQ(0, system(path));
	}
	/* Every case twice: the second time, deep decisions come from the walk cache. */
	for (i = 0; i < 2 * self->case_count; i++)
		fprintf(to, "%s %s\n", self->cases[i % self->case_count].helper,
			self->cases[i % self->case_count].target);
	fclose(to);
	for (i = 0; i < 2 * self->case_count; i++) {
		struct dcase *c = &self->cases[i % self->case_count];

		ASSERT_NE(NULL, fgets(line, sizeof(line), from));
		*(i < self->case_count ? &c->result : &c->again) = atoi(line);
	}
	fclose(from);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Does the kernel's answer @result match explain's decision on @c? Says why not. */
static int agrees(struct __test_metadata *_metadata, const struct dcase *c, int result,
		  const char *when, unsigned long long seed)
{
	int refused = result == EACCES || result == EPERM;

	if (refused != c->expect)
		return 1;
	TH_LOG("seed %llu: %s %s (%s): explain says %s (rule %s), the kernel %s (%s)", seed, c->op,
	       c->target, when, c->expect ? "allow" : "deny", c->rule[0] ? c->rule : "none",
	       refused ? "refused" : "did not refuse", result ? strerror(result) : "success");
	return 0;
}

static void differential(struct __test_metadata *_metadata, FIXTURE_DATA(diff) * self,
			 unsigned long long seed)
{
	int mismatches = 0, denied = 0, allowed = 0;
	long long hits = cl_status_count("walkCacheHits");

	self->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	make_tree(_metadata, self);
	write_policy(_metadata, self);
	make_cases(self);
	/* explain first: the late paths do not exist yet, as at load. */
	ASSERT_EQ(self->case_count, explain_all(self))
	{
		TH_LOG("seed %llu: explain --cases did not answer every case", seed);
	}
	run_confined(_metadata, self);
	for (int i = 0; i < self->case_count; i++) {
		struct dcase *c = &self->cases[i];

		mismatches += !agrees(_metadata, c, c->result, "first", seed);
		/* A create made the file: the second one is EEXIST, before any hook. */
		if (strcmp(c->op, "create"))
			mismatches += !agrees(_metadata, c, c->again, "again", seed);
		c->expect ? allowed++ : denied++;
	}
	TH_LOG("seed %llu: %d cases, %d allowed, %d denied, %d mismatches", seed, self->case_count,
	       allowed, denied, mismatches);
	EXPECT_EQ(0, mismatches);
	/* The walk cache was on and answered: the agreement covers it. */
	EXPECT_LT(hits, cl_status_count("walkCacheHits"));
	/* A generator that only ever denies (or allows) would prove nothing. */
	EXPECT_LT(10, allowed);
	EXPECT_LT(10, denied);
}

/*
 * One run a seed. exec_switched_off is a seed of its own under a tool
 * policy that switches exec off: the kernel refuses every exec after the
 * helper (the first program), and explain says so by the config key, not
 * by a file rule that would allow it.
 */
FIXTURE_VARIANT(diff)
{
	unsigned long long seed;
	int exec_off;
};

FIXTURE_VARIANT_ADD(diff, seed_1){
	.seed = 1,
};

FIXTURE_VARIANT_ADD(diff, seed_2){
	.seed = 2,
};

FIXTURE_VARIANT_ADD(diff, seed_3){
	.seed = 3,
};

FIXTURE_VARIANT_ADD(diff, exec_switched_off){
	.seed = 4,
	.exec_off = 1,
};

static void execs_are_refused_by_the_tool_policy(struct __test_metadata *_metadata,
						 FIXTURE_DATA(diff) * self)
{
	int execs = 0;

	for (int i = 0; i < self->case_count; i++) {
		struct dcase *c = &self->cases[i];

		if (strcmp(c->op, "exec"))
			continue;
		execs++;
		EXPECT_EQ(0, c->expect);
		EXPECT_STREQ("tools.sandbox.tools.deny", c->rule);
		EXPECT_TRUE(c->result == EACCES || c->result == EPERM)
		{
			TH_LOG("exec %s: %s", c->target, strerror(c->result));
		}
	}
	EXPECT_LT(3, execs);
}

TEST_F(diff, kernel_agrees_with_explain)
{
	self->exec_off = variant->exec_off;
	differential(_metadata, self, variant->seed);
	if (variant->exec_off)
		execs_are_refused_by_the_tool_policy(_metadata, self);
}

TEST_HARNESS_MAIN
