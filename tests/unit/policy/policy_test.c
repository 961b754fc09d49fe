// SPDX-License-Identifier: GPL-2.0
/*
 * policy_test.c - clawlock policy files: profiles and their order, includes,
 * errors with file:line:column, access words, path normalisation, and
 * OpenClaw's slug of scope keys (which names the scope cgroups).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openclaw/ocscope.h"
#include "policy/policy.h"

#include "kselftest_harness.h"
#include "leakcheck.h"

FIXTURE(policy)
{
	char dir[64];
	char path[128];
	char err[1024];
	struct cl_policy policy;
};

FIXTURE_SETUP(policy)
{
	strcpy(self->dir, "/tmp/cl-policy-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	memset(&self->policy, 0, sizeof(self->policy));
}

FIXTURE_TEARDOWN(policy)
{
	char cmd[128];

	cl_policy_free(&self->policy);
	LEAK_CHECK();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	system(cmd);
}

static const char *put(FIXTURE_DATA(policy) * self, const char *name, const char *text)
{
	FILE *f;

	snprintf(self->path, sizeof(self->path), "%s/%s", self->dir, name);
	f = fopen(self->path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return self->path;
}

static const struct cl_rule *rule(const struct cl_agent *agent, const char *path)
{
	for (size_t i = 0; i < agent->files.count; i++) {
		if (!strcmp(agent->files.rules[i].path, path))
			return &agent->files.rules[i];
	}
	return NULL;
}

TEST_F(policy, agent_rules_follow_profiles_then_own)
{
	const struct cl_agent *agent;
	const char *path = put(self, "p.json5",
			       "{ version: 1,\n"
			       "  profiles: {\n"
			       "    base: { files: { '/usr': 'read,exec', '/etc': 'read' } },\n"
			       "    strict: { files: { '/etc': 'deny' } },\n"
			       "  },\n"
			       "  agents: {\n"
			       "    a: { use: ['base', 'strict'], files: { '/usr': ['read'] } },\n"
			       "    b: { mode: 'audit', use: 'base' },\n"
			       "  },\n"
			       "}\n");

	ASSERT_EQ(0, cl_policy_load(path, &self->policy, self->err, sizeof(self->err)))
	{
		TH_LOG("%s", self->err);
	}
	ASSERT_EQ(2, self->policy.agent_count);
	agent = cl_policy_agent(&self->policy, "a");
	ASSERT_NE(NULL, agent);
	EXPECT_EQ(CL_MODE_ENFORCE, agent->mode);
	ASSERT_EQ(2, agent->files.count);
	/* The agent's own rule wins over its profile's; a later profile over an earlier. */
	EXPECT_EQ(CL_ACC_READ, rule(agent, "/usr")->access);
	EXPECT_EQ(CL_ACC_DENY, rule(agent, "/etc")->access);
	EXPECT_NE(NULL,
		  strstr(rule(agent, "/usr")->source, "p.json5:7:52 agents.a.files[\"/usr\"]"))
	{
		TH_LOG("%s", rule(agent, "/usr")->source);
	}
	EXPECT_NE(NULL, strstr(rule(agent, "/etc")->source, "profiles.strict.files"));
	agent = cl_policy_agent(&self->policy, "b");
	ASSERT_NE(NULL, agent);
	EXPECT_EQ(CL_MODE_AUDIT, agent->mode);
	EXPECT_EQ(CL_ACC_READ | CL_ACC_EXEC, rule(agent, "/usr")->access);
}

/*
 * Agents that use the same profiles share one merge of their rules: the
 * same base, the same path strings. An agent's own rule on a profile's
 * path changes its copy alone, and a later rule of its own is added after
 * the shared ones, as if each agent had merged the profiles itself.
 */
TEST_F(policy, agents_share_the_rules_of_the_profiles_they_use)
{
	const struct cl_agent *a, *b, *c, *d;
	const char *path = put(
		self, "p.json5",
		"{ version: 1,\n"
		"  profiles: {\n"
		"    base: { files: { '/usr': 'read,exec', '/etc': 'read' } },\n"
		"    strict: { files: { '/etc': 'deny', '/srv': 'read' } },\n"
		"  },\n"
		"  agents: {\n"
		"    a: { use: ['base', 'strict'] },\n"
		"    b: { use: ['base', 'strict'], files: { '/etc': 'read', '/opt': 'read' } },\n"
		"    c: { use: ['strict', 'base'] },\n"
		"    d: { use: ['base', 'strict'] },\n"
		"  },\n"
		"}\n");

	ASSERT_EQ(0, cl_policy_load(path, &self->policy, self->err, sizeof(self->err)))
	{
		TH_LOG("%s", self->err);
	}
	a = cl_policy_agent(&self->policy, "a");
	b = cl_policy_agent(&self->policy, "b");
	c = cl_policy_agent(&self->policy, "c");
	d = cl_policy_agent(&self->policy, "d");
	ASSERT_TRUE(a && b && c && d);
	/* One merge for a, b and d; another for c, whose order differs. */
	ASSERT_NE(NULL, a->files.base);
	EXPECT_EQ(a->files.base, b->files.base);
	EXPECT_EQ(a->files.base, d->files.base);
	EXPECT_NE(a->files.base, c->files.base);
	ASSERT_EQ(3, a->files.shared);
	ASSERT_EQ(3, a->files.count);
	ASSERT_EQ(4, b->files.count);
	for (size_t i = 0; i < a->files.count; i++) {
		EXPECT_EQ(a->files.rules[i].path, b->files.rules[i].path);
		EXPECT_EQ(a->files.rules[i].path, d->files.rules[i].path);
		EXPECT_STREQ(a->files.rules[i].source, d->files.rules[i].source);
		EXPECT_EQ(a->files.rules[i].access, d->files.rules[i].access);
	}
	/* Profile order, then the agent's own: /usr, /etc, /srv (, /opt). */
	EXPECT_STREQ("/usr", a->files.rules[0].path);
	EXPECT_STREQ("/etc", a->files.rules[1].path);
	EXPECT_STREQ("/srv", a->files.rules[2].path);
	EXPECT_STREQ("/opt", b->files.rules[3].path);
	/* b's own /etc replaced its copy's, in place; a's is still the profile's. */
	EXPECT_EQ(CL_ACC_DENY, rule(a, "/etc")->access);
	EXPECT_EQ(CL_ACC_READ, rule(b, "/etc")->access);
	EXPECT_NE(NULL, strstr(rule(b, "/etc")->source, "agents.b.files"));
	EXPECT_NE(NULL, strstr(rule(a, "/etc")->source, "profiles.strict.files"));
	EXPECT_STREQ("/etc", c->files.rules[0].path);
	EXPECT_EQ(CL_ACC_READ, rule(c, "/etc")->access);
}

/*
 * Network rules merge as file rules do: in `use` order, a later profile's
 * rule replacing an earlier one's for the same text, then the agent's own.
 * Agents get copies of one merge: changing one agent's changes no other's.
 */
TEST_F(policy, agents_take_the_network_rules_of_their_profiles_in_order)
{
	const struct cl_agent *a, *b, *c;
	const char *path = put(
		self, "n.json5",
		"{ version: 1,\n"
		"  profiles: {\n"
		"    web: { network: { 'tcp 10.0.0.0/8 443': 'allow', 'udp 10.0.0.1 53': 'allow' } },\n"
		"    lock: { network: { 'tcp 10.0.0.0/8 443': 'deny' } },\n"
		"  },\n"
		"  agents: {\n"
		"    a: { use: ['web', 'lock'] },\n"
		"    b: { use: ['web', 'lock'], network: { 'udp 10.0.0.1 53': 'deny', 'tcp 10.1.0.0/16': 'allow' } },\n"
		"    c: { use: ['lock', 'web'] },\n"
		"  },\n"
		"}\n");

	ASSERT_EQ(0, cl_policy_load(path, &self->policy, self->err, sizeof(self->err)))
	{
		TH_LOG("%s", self->err);
	}
	a = cl_policy_agent(&self->policy, "a");
	b = cl_policy_agent(&self->policy, "b");
	c = cl_policy_agent(&self->policy, "c");
	ASSERT_TRUE(a && b && c);
	ASSERT_EQ(2, a->net.count);
	EXPECT_STREQ("tcp 10.0.0.0/8 443", a->net.rules[0].text);
	EXPECT_FALSE(a->net.rules[0].allow); /* lock came after web */
	EXPECT_STREQ("udp 10.0.0.1/32 53", a->net.rules[1].text);
	EXPECT_TRUE(a->net.rules[1].allow);
	/* b's own rule replaced its copy's in place and its new one came last. */
	ASSERT_EQ(3, b->net.count);
	EXPECT_FALSE(b->net.rules[0].allow);
	EXPECT_STREQ("udp 10.0.0.1/32 53", b->net.rules[1].text);
	EXPECT_FALSE(b->net.rules[1].allow);
	EXPECT_STREQ("tcp 10.1.0.0/16", b->net.rules[2].text);
	EXPECT_NE(a->net.rules, b->net.rules);
	EXPECT_TRUE(a->net.rules[1].allow);
	/* c used them the other way round: web's allow came last. */
	ASSERT_EQ(2, c->net.count);
	EXPECT_STREQ("tcp 10.0.0.0/8 443", c->net.rules[0].text);
	EXPECT_TRUE(c->net.rules[0].allow);
}

/*
 * A profile's "host" rule becomes the host's addresses at load, as an
 * agent's does: the OpenClaw translation copies profiles into agents later,
 * and an unexpanded rule must never reach the kernel or explain.
 */
TEST_F(policy, profile_address_words_expand_at_load)
{
	const char *path = put(
		self, "h.json5",
		"{ version: 1,\n"
		"  profiles: { egress: { network: { '::/0': 'allow', host: 'deny' } } },\n"
		"  agents: { a: { use: 'egress' }, b: { use: 'egress', network: { host: 'allow' } },\n"
		"            c: { use: 'egress' } },\n"
		"}\n");
	const struct cl_net_list *profile, *b;

	ASSERT_EQ(0, cl_policy_load(path, &self->policy, self->err, sizeof(self->err)))
	{
		TH_LOG("%s", self->err);
	}
	ASSERT_EQ(1, self->policy.profile_count);
	ASSERT_EQ(3, self->policy.agent_count);
	profile = &self->policy.profiles[0].net;
	for (size_t i = 0; i < profile->count; i++)
		EXPECT_NE(AF_UNSPEC, profile->rules[i].family);
	/* Loopback at least: every host has it. */
	EXPECT_LT(1, profile->count);
	/* a and c, plain copies of the profile's merge, expand as it does. */
	for (size_t n = 0; n < 3; n += 2) {
		const struct cl_net_list *net = &self->policy.agents[n].net;

		ASSERT_EQ(profile->count, net->count);
		for (size_t i = 0; i < net->count; i++) {
			EXPECT_STREQ(profile->rules[i].text, net->rules[i].text);
			EXPECT_STREQ(profile->rules[i].source, net->rules[i].source);
			EXPECT_EQ(profile->rules[i].allow, net->rules[i].allow);
		}
	}
	/* b's own "host" rule expands too, and allows what the profile denied. */
	b = &self->policy.agents[1].net;
	ASSERT_EQ(profile->count, b->count);
	for (size_t i = 0; i < b->count; i++) {
		EXPECT_NE(AF_UNSPEC, b->rules[i].family);
		if (strstr(profile->rules[i].source, "host address on"))
			EXPECT_TRUE(b->rules[i].allow);
	}
}

TEST_F(policy, includes_are_relative_to_the_including_file)
{
	char err_path[160];
	const char *path;

	ASSERT_EQ(0, mkdir(strcat(strcpy(err_path, self->dir), "/sub"), 0755));
	put(self, "sub/base.json5", "{ profiles: { sys: { files: { '/usr': 'read' } } } }");
	path = put(self, "main.json5",
		   "{ include: ['sub/base.json5'], agents: { x: { use: 'sys' } } }");
	ASSERT_EQ(0, cl_policy_load(path, &self->policy, self->err, sizeof(self->err)))
	{
		TH_LOG("%s", self->err);
	}
	EXPECT_EQ(CL_ACC_READ, rule(cl_policy_agent(&self->policy, "x"), "/usr")->access);
}

/* Load @text and expect an error containing @want. */
static void expect_error(struct __test_metadata *_metadata, FIXTURE_DATA(policy) * self,
			 const char *text, const char *want)
{
	char full[256];
	const char *path = put(self, "bad.json5", text);

	EXPECT_EQ(-1, cl_policy_load(path, &self->policy, self->err, sizeof(self->err)));
	snprintf(full, sizeof(full), want, path);
	EXPECT_NE(NULL, strstr(self->err, full))
	{
		TH_LOG("expected '%s' in '%s'", full, self->err);
	}
	EXPECT_EQ(0, self->policy.agent_count);
}

TEST_F(policy, errors_name_file_line_and_column)
{
	expect_error(_metadata, self, "{ agents: { a: {\n  files: { '/x': 'reed' } } } }",
		     "%s:2:18: /x: unknown access 'reed'");
	expect_error(_metadata, self, "{ agents: { a: {\n  flies: {} } } }",
		     "%s:2:10: unknown key 'flies' in agent 'a'");
	expect_error(_metadata, self, "{ agents: { a: { files: { 'rel/path': 'read' } } } }",
		     "%s:1:39: rule path 'rel/path' must be absolute");
	expect_error(_metadata, self, "{ agents: { a: { files: { '/x': 'read,deny' } } } }",
		     "'deny' cannot be combined");
	expect_error(_metadata, self, "{ agents: { a: { use: 'nope' } } }",
		     "%s:1:23: agent 'a' uses unknown profile 'nope'");
	expect_error(_metadata, self, "{ agents: { a: { mode: 'loud' } } }",
		     "%s:1:24: agents.a.mode must be");
	expect_error(_metadata, self, "{ version: 2 }", "%s:1:12: version must be 1");
	expect_error(_metadata, self, "{ agents: [1] }", "%s:1:11: agents must be an object");
	expect_error(_metadata, self, "[]", "%s:1:1: a policy file must be an object");
	expect_error(_metadata, self, "{ agents: { a: {}, }, x: 1 }", "unknown key 'x'");
	expect_error(_metadata, self, "{ agents: {\n  a: { files: { '/x': 'read' } ", "%s:2:32: ");
	/* Patterns: one name, matched anywhere; nothing else with '**'. */
	expect_error(_metadata, self, "{ agents: { a: { files: { '**/a/b': 'deny' } } } }",
		     "%s:1:37: rule path '**/a/b': a pattern is '**/NAME'");
	expect_error(_metadata, self, "{ agents: { a: { files: { '/x/**/y': 'deny' } } } }",
		     "%s:1:38: rule path '/x/**/y': '**' is only allowed as '**/NAME'");
	expect_error(_metadata, self, "{ agents: { a: { files: { '**/..': 'deny' } } } }",
		     "a pattern is '**/NAME'");
}

TEST_F(policy, include_cycles_and_missing_files_are_errors)
{
	put(self, "a.json5", "{ include: 'b.json5' }");
	put(self, "b.json5", "{\n  include: 'a.json5' }");
	snprintf(self->path, sizeof(self->path), "%s/a.json5", self->dir);
	EXPECT_EQ(-1, cl_policy_load(self->path, &self->policy, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "b.json5:2:12: include cycle"))
	{
		TH_LOG("%s", self->err);
	}
	expect_error(_metadata, self, "{ include: 'missing.json5' }", "%s:1:12: cannot include ");
	EXPECT_EQ(-1, cl_policy_load("/nonexistent.json5", &self->policy, self->err,
				     sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "/nonexistent.json5: cannot open"));
}

/* policy.md: an agent or profile defined twice is an error, in one object too. */
TEST_F(policy, duplicate_keys_and_nul_are_errors)
{
	expect_error(_metadata, self,
		     "{ agents: { a: { mode: 'audit' },\n  a: { mode: 'enforce' } } }",
		     "%s:2:3: duplicate key 'a'");
	expect_error(_metadata, self,
		     "{ profiles: { p: {} },\n  profiles: { p: {} }, agents: { a: {} } }",
		     "%s:2:3: duplicate key 'profiles'");
	expect_error(_metadata, self,
		     "{ agents: { a: { files: {\n  '/etc/shadow\\u0000junk': 'read' } } } }",
		     "%s:2:3: a key cannot contain a NUL");
	expect_error(_metadata, self, "{ agents: { a: { files: {\n  '/x': 'read\\u0000' } } } }",
		     "%s:2:9: a string cannot contain a NUL");
}

/*
 * Includes stay in the top file's folder tree, regular files only: an
 * include of ../../etc/shadow was read and its first character quoted.
 */
TEST_F(policy, includes_are_confined_and_regular)
{
	char path[160], target[160];
	const char *top;

	snprintf(path, sizeof(path), "%s/secret", self->dir);
	ASSERT_EQ(0, mkdir(path, 0700));
	snprintf(path, sizeof(path), "%s/top", self->dir);
	ASSERT_EQ(0, mkdir(path, 0700));
	put(self, "secret/s.json5", "s3cr3t");
	top = put(self, "top/p.json5", "{\n  include: '../secret/s.json5' }");
	snprintf(target, sizeof(target), "%s", top);
	EXPECT_EQ(-1, cl_policy_load(target, &self->policy, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "p.json5:2:12: include '/tmp/cl-policy-"));
	EXPECT_NE(NULL, strstr(self->err, "top/../secret/s.json5' is outside"))
	{
		TH_LOG("%s", self->err);
	}
	EXPECT_EQ(NULL, strstr(self->err, "'s'"));
	/* A symlink inside the folder that leads out is out. */
	snprintf(path, sizeof(path), "%s/top/link.json5", self->dir);
	snprintf(target, sizeof(target), "%s/secret/s.json5", self->dir);
	ASSERT_EQ(0, symlink(target, path));
	top = put(self, "top/p.json5", "{\n  include: 'link.json5' }");
	snprintf(target, sizeof(target), "%s", top);
	EXPECT_EQ(-1, cl_policy_load(target, &self->policy, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "is outside the policy's folder"));
	/* A FIFO is refused unopened (it would block), naming the including line. */
	snprintf(path, sizeof(path), "%s/top/fifo", self->dir);
	ASSERT_EQ(0, mkfifo(path, 0600));
	top = put(self, "top/p.json5", "{\n  include: 'fifo' }");
	snprintf(target, sizeof(target), "%s", top);
	EXPECT_EQ(-1, cl_policy_load(target, &self->policy, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "top/fifo': not a regular "
					  "file (a FIFO)"))
	{
		TH_LOG("%s", self->err);
	}
	/* An error inside an include names both files. */
	put(self, "top/bad.json5", "{ profiles: [1,, 2] }");
	top = put(self, "top/p.json5", "{\n  include: 'bad.json5' }");
	snprintf(target, sizeof(target), "%s", top);
	EXPECT_EQ(-1, cl_policy_load(target, &self->policy, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "bad.json5:1:16: unexpected ','"));
	EXPECT_NE(NULL, strstr(self->err, "(included from "));
	EXPECT_NE(NULL, strstr(self->err, "p.json5:2:12)"));
}

/* Policies include clawlock's baseline by absolute path: its folder is allowed too. */
TEST_F(policy, the_baseline_can_be_included_from_anywhere)
{
	char base[PATH_MAX], real[PATH_MAX], text[PATH_MAX + 64];
	const char *path;

	snprintf(base, sizeof(base), "%s/policies/baseline.json5",
		 getenv("CLAWLOCK_SOURCE") ? getenv("CLAWLOCK_SOURCE") : ".");
	ASSERT_NE(NULL, realpath(base, real));
	setenv("CLAWLOCK_BASELINE", real, 1);
	snprintf(text, sizeof(text), "{ include: '%s', agents: { a: { use: 'system' } } }", real);
	path = put(self, "p.json5", text);
	EXPECT_EQ(0, cl_policy_load(path, &self->policy, self->err, sizeof(self->err)))
	{
		TH_LOG("%s", self->err);
	}
	cl_policy_free(&self->policy);
	unsetenv("CLAWLOCK_BASELINE");
}

TEST(access_words)
{
	char err[256], buf[32];
	uint32_t access;

	ASSERT_EQ(0, cl_access_parse("read,write", &access, err, sizeof(err)));
	EXPECT_EQ(CL_ACC_READ | CL_ACC_WRITE, access);
	ASSERT_EQ(0, cl_access_parse("r+x", &access, err, sizeof(err)));
	EXPECT_EQ(CL_ACC_READ | CL_ACC_EXEC, access);
	ASSERT_EQ(0, cl_access_parse("deny", &access, err, sizeof(err)));
	EXPECT_EQ(CL_ACC_DENY, access);
	EXPECT_EQ(-1, cl_access_parse("", &access, err, sizeof(err)));
	EXPECT_EQ(-1, cl_access_parse("exec,nope", &access, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "'nope'"));
	EXPECT_STREQ("read,write,exec",
		     cl_access_format(CL_ACC_READ | CL_ACC_WRITE | CL_ACC_EXEC, buf, sizeof(buf)));
	EXPECT_STREQ("deny", cl_access_format(CL_ACC_DENY, buf, sizeof(buf)));
	LEAK_CHECK();
}

TEST(paths_are_normalised)
{
	char out[256], err[256];

	setenv("HOME", "/home/agent", 1);
	ASSERT_EQ(0, cl_path_normalise("~/.ssh/", out, sizeof(out), err, sizeof(err)));
	EXPECT_STREQ("/home/agent/.ssh", out);
	ASSERT_EQ(0, cl_path_normalise("//usr///lib/", out, sizeof(out), err, sizeof(err)));
	EXPECT_STREQ("/usr/lib", out);
	ASSERT_EQ(0, cl_path_normalise("/", out, sizeof(out), err, sizeof(err)));
	EXPECT_STREQ("/", out);
	EXPECT_EQ(-1, cl_path_normalise("~user/x", out, sizeof(out), err, sizeof(err)));
	EXPECT_EQ(-1, cl_path_normalise("/very/long", out, 6, err, sizeof(err)));
	LEAK_CHECK();
}

TEST(scope_slugs_match_openclaw)
{
	char slug[CL_SLUG_MAX], key[128];

	/* OpenClaw names this agent's container openclaw-sbx-agent-maker-f37c6399. */
	cl_scope_key("maker", NULL, key, sizeof(key));
	EXPECT_STREQ("agent:maker", key);
	cl_slugify(key, slug);
	EXPECT_STREQ("agent-maker-f37c6399", slug);
	cl_slugify("agent:main:main", slug);
	EXPECT_STREQ("agent-main-main-6d9217fe", slug);
	/* Runs of other characters become one dash; dashes trimmed; 32 characters kept. */
	cl_slugify("Agent:Main:Feishu:Direct:OU_83bb", slug);
	EXPECT_EQ(0, strncmp("agent-main-feishu-direct-ou_83bb-", slug, 33));
	cl_slugify("::x::", slug);
	EXPECT_EQ(0, strncmp("x-", slug, 2));
	cl_slugify("agent:a-very-long-agent-name-that-goes-on:session", slug);
	EXPECT_EQ(32 + 1 + 8, strlen(slug));
	cl_slugify("!!!", slug);
	EXPECT_EQ(0, strncmp("session-", slug, 8));
	/* Blank keys are "session"; surrounding white space does not count. */
	cl_slugify("  ", slug);
	EXPECT_STREQ("session-3f3af1ec", slug);
	cl_slugify(" agent:maker\n", slug);
	EXPECT_STREQ("agent-maker-f37c6399", slug);
	/* Workspace-qualified scope keys (2026.9.6) become workspace-<32 hex>. */
	cl_slugify("agent:b:workspace:0123456789abcdef0123456789ABCDEF", slug);
	EXPECT_STREQ("workspace-8e4eb0b4b44c41cd9fa377698c94bc62", slug);
	LEAK_CHECK();
}

TEST_HARNESS_MAIN
