// SPDX-License-Identifier: GPL-2.0
/*
 * containers_test.c - the pure parts of container binding: OpenClaw's scope
 * keys split into agent and session, paths moved to where a container's
 * mounts put them, and which label sets are OpenClaw's containers.
 */
#include <stdio.h>
#include <string.h>

#include "containers/bind.h"
#include "containers/engine.h"
#include "openclaw/ocsandbox.h"
#include "kselftest_harness.h"
#include "leakcheck.h"

struct key_case {
	const char *key, *agent, *session; /* agent NULL: not a scope key */
};

static const struct key_case key_cases[] = {
	{ "agent:main:workspace:0123abcd", "main", "" },
	{ "agent:main:main:workspace:0123abcd", "main", "agent:main:main" },
	{ "agent:re:telegram:dm:42:workspace:ff", "re", "agent:re:telegram:dm:42" },
	/* The last ":workspace:" ends the session: a session may hold the word. */
	{ "agent:a:x:workspace:y:workspace:ff", "a", "agent:a:x:workspace:y" },
	{ "shared", NULL, NULL },
	{ "agent::workspace:ff", NULL, NULL },
	{ "agent:workspace:ff", NULL, NULL },
	{ "main:workspace:ff", NULL, NULL },
	{ "agent:main", NULL, NULL },
	{ "", NULL, NULL },
};

TEST(scope_keys_split_into_agent_and_session)
{
	for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
		const struct key_case *k = &key_cases[i];
		char agent[64], session[192];
		int ret =
			cl_scope_key_split(k->key, agent, sizeof(agent), session, sizeof(session));

		TH_LOG("%s", k->key);
		if (!k->agent) {
			EXPECT_EQ(-1, ret);
			continue;
		}
		ASSERT_EQ(0, ret);
		EXPECT_STREQ(k->agent, agent);
		EXPECT_STREQ(k->session, session);
	}
}

TEST(a_session_too_long_for_the_buffer_is_refused)
{
	char key[400], agent[64], session[32];

	snprintf(key, sizeof(key), "agent:main:%0200d:workspace:ff", 0);
	EXPECT_EQ(-1, cl_scope_key_split(key, agent, sizeof(agent), session, sizeof(session)));
}

TEST(paths_move_to_where_the_mounts_put_them)
{
	struct oc_mount mounts[2] = {
		{ .host = "/home/u/.openclaw/sandboxes/x", .container = "/workspace" },
		{ .host = "/home/u/project", .container = "/agent" },
	};
	struct oc_sandbox sb = { .mount_count = 2 };
	char out[256];

	memcpy(sb.mounts, mounts, sizeof(mounts));
	cl_container_path(&sb, "/home/u/project", out, sizeof(out));
	EXPECT_STREQ("/agent", out);
	cl_container_path(&sb, "/home/u/project/.git/config", out, sizeof(out));
	EXPECT_STREQ("/agent/.git/config", out);
	/* A sibling that shares the prefix is not under the mount. */
	cl_container_path(&sb, "/home/u/project2/x", out, sizeof(out));
	EXPECT_STREQ("/home/u/project2/x", out);
	cl_container_path(&sb, "/usr", out, sizeof(out));
	EXPECT_STREQ("/usr", out);
	cl_container_path(&sb, "/home/u/.openclaw/sandboxes/x/notes", out, sizeof(out));
	EXPECT_STREQ("/workspace/notes", out);
}

TEST(openclaw_labels_are_recognised)
{
	static const struct {
		const char *labels;
		bool ours;
	} cases[] = {
		{ "{\"openclaw.sandbox\": \"1\"}", true },
		{ "{\"openclaw.sandboxBrowser\": \"1\"}", true },
		{ "{\"openclaw.fleet.tenant\": \"acme\"}", true },
		{ "{\"openclaw.sandbox\": \"0\"}", false },
		{ "{\"com.example\": \"1\"}", false },
		{ "{}", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_object *labels = json_tokener_parse(cases[i].labels);

		TH_LOG("%s", cases[i].labels);
		EXPECT_EQ(cases[i].ours, cl_container_labelled(labels));
		json_object_put(labels);
	}
	EXPECT_FALSE(cl_container_labelled(NULL));
}

TEST(an_engine_is_named_or_refused)
{
	struct cl_engine e;
	char err[256];

	EXPECT_EQ(0, cl_engine_locate("podman", "/run/x.sock", &e, err, sizeof(err)));
	EXPECT_STREQ("podman", e.name);
	EXPECT_STREQ("/run/x.sock", e.socket);
	EXPECT_EQ(-1, cl_engine_locate("lxc", NULL, &e, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "unknown engine"));
}

TEST(an_engine_that_is_not_there_is_an_error_not_a_crash)
{
	struct cl_engine e;
	struct cl_container ct;
	char err[256];

	ASSERT_EQ(0, cl_engine_locate("docker", "/nonexistent/docker.sock", &e, err, sizeof(err)));
	EXPECT_EQ(-1, cl_engine_inspect(&e, "abc", &ct, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "/nonexistent/docker.sock"));
	/* Nothing that could leave the API path is sent. */
	EXPECT_EQ(-1, cl_engine_inspect(&e, "../../info", &ct, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not a container id"));
}

TEST_HARNESS_MAIN
