// SPDX-License-Identifier: GPL-2.0
/*
 * share_test.c - a policy staged from its profiles' shared rules writes
 * what the same policy staged whole writes (run in the test VM).
 *
 * An install stages the rules an agent shares with others through its
 * profiles (struct cl_rule_list) once per update, and every agent with the
 * same profiles copies that part (userspace/loader/install.c). This test
 * installs each agent of a policy file that way, then installs a copy of
 * the agent that shares nothing, which stages every rule itself, as an
 * install did before the sharing. The two policies must hold the same
 * entries in every map the file rules write: their inodes, names, access
 * and rule records, once renumbered from their own policy id and first
 * rule, and the same policy record, digest included.
 */
#include "cltest.h"
#include "kselftest_harness.h"

#include "loader/bpfstate.h"
#include "loader/install.h"
#include "policy/policy.h"
#include "util.h"

#include <bpf/bpf.h>

/*
 * Loading the programs and fourteen installs with their map scans take
 * 20-30 s under TCG, more beside other guests: the harness's 30 s is
 * too short (a CI run timed it out while the test was still right).
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

FIXTURE(share)
{
	char root[64];
	char policy_file[128];
	char path[512];
};

#define at(self, rel) CL_AT(self, root, rel)

/*
 * The baseline's profiles and one of the test's own, whose rules take
 * every way staging has: inodes, a missing path (a name in its folder), a
 * deny inside an allowed tree (names and the way to it), a denied tree
 * with a file linked from outside it, and a name pattern.
 */
static const char policy_template[] =
	"{ include: '@SRC@/policies/baseline.json5',\n"
	"  profiles: { tree: { files: {\n"
	"    '@ROOT@/work': 'read,write,exec',\n"
	"    '@ROOT@/work/later/file': 'read',\n"
	"    '@ROOT@/work/private': 'deny',\n"
	"    '@ROOT@/secret': 'deny',\n"
	"    '**/.netrc': 'deny',\n"
	"  } } },\n"
	"  agents: {\n"
	"    plain: { use: ['system', 'secrets', 'tree'] },\n"
	"    same: { use: ['system', 'secrets', 'tree'] },\n"
	"    more: { use: ['system', 'secrets', 'tree'], files: { '@ROOT@/other': 'read' } },\n"
	"    capped: { use: ['system', 'secrets', 'tree'], capDrop: ['chown'] },\n"
	"    overrides: { use: ['system', 'secrets', 'tree'], files: { '@ROOT@/secret': 'read' } },\n"
	"    reordered: { use: ['tree', 'secrets', 'system'] },\n"
	"    netted: { use: ['system', 'secrets', 'tree'],\n"
	"      network: { 'tcp 10.6.0.1 80': 'allow', 'udp 10.6.0.0/16': 'allow' } },\n"
	"  } }\n";

static const char *const agent_ids[] = { "plain",     "same",	   "more",  "capped",
					 "overrides", "reordered", "netted" };

FIXTURE_SETUP(share)
{
	static const char *const dirs[] = { "work", "work/private", "work/later", "secret",
					    "other" };
	static const char *const files[] = { "work/file", "work/private/key", "secret/key",
					     "other/file" };
	char secret[128], baseline[PATH_MAX];

	strcpy(self->root, "/tmp/cl-share-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		ASSERT_EQ(0, mkdir(at(self, dirs[i]), 0755));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		ASSERT_EQ(0, cl_write_file(at(self, files[i]), "x\n"));
	/* A secret with a second name outside its denied tree. */
	snprintf(secret, sizeof(secret), "%s/secret/key", self->root);
	ASSERT_EQ(0, link(secret, at(self, "other/key-link")));
	/* The include is read in this process, whose binary is not in build/. */
	snprintf(baseline, sizeof(baseline), "%s/policies/baseline.json5", cl_source());
	setenv("CLAWLOCK_BASELINE", baseline, 1);
	snprintf(self->policy_file, sizeof(self->policy_file), "%s/policy.json5", self->root);
	ASSERT_EQ(0, CL_WRITE_FILLED(self->policy_file, policy_template, "SRC", cl_source(), "ROOT",
				     self->root));
	/* Only the executable that loaded clawlock may write its maps (flip_test.c). */
	ASSERT_EQ(0, cl_run_clawlock(NULL, 0, "-q", "unload", NULL));
	cl_test_quiet = 1;
	ASSERT_EQ(0, cl_bpf_load());
}

FIXTURE_TEARDOWN(share)
{
	cl_bpf_unload();
	cl_rm_tree(self->root);
}

/*
 * What one policy wrote into one map, as key-value pairs with the policy
 * id zeroed and the rule id made relative to the policy's first rule.
 */
struct written {
	__u32 policy_id, first_rule;
	size_t key_size, value_size;
	size_t id_at;	/* the policy id's offset in a pair */
	size_t rule_at; /* the rule id's offset in a pair */
	unsigned char *pairs;
	size_t count;
	int failed;
};

static int collect(const void *key, const void *value, void *ctx)
{
	struct written *w = ctx;
	size_t size = w->key_size + w->value_size;
	unsigned char *pair, *more;
	__u32 id, rule;

	/* The policy id is in the key or the value: only that policy's pairs are kept. */
	if (w->id_at < w->key_size)
		memcpy(&id, (const unsigned char *)key + w->id_at, sizeof(id));
	else
		memcpy(&id, (const unsigned char *)value + w->id_at - w->key_size, sizeof(id));
	if (id != w->policy_id)
		return 0;
	more = realloc(w->pairs, (w->count + 1) * size);
	if (!more) {
		w->failed = 1;
		return -1;
	}
	w->pairs = more;
	pair = more + w->count * size;
	memcpy(pair, key, w->key_size);
	memcpy(pair + w->key_size, value, w->value_size);
	id = 0;
	memcpy(pair + w->id_at, &id, sizeof(id));
	memcpy(&rule, pair + w->rule_at, sizeof(rule));
	/* The default record's key is the policy id with a flag. */
	rule = rule & CL_DEFAULT_RECORD_BIT ? CL_DEFAULT_RECORD_BIT : rule - w->first_rule;
	memcpy(pair + w->rule_at, &rule, sizeof(rule));
	w->count++;
	return 0;
}

static size_t pair_size;

static int by_bytes(const void *a, const void *b)
{
	return memcmp(a, b, pair_size);
}

/* Policy @id's pairs in map @fd, sorted; 0 or -1. */
static int read_written(int fd, struct written *w)
{
	if (cl_map_scan(fd, 1, collect, w) < 0 || w->failed)
		return -1;
	pair_size = w->key_size + w->value_size;
	if (w->count)
		qsort(w->pairs, w->count, pair_size, by_bytes);
	return 0;
}

/* The lowest rule id among policy @id's records. */
static int find_first(const void *key, const void *value, void *ctx)
{
	const struct cl_rule_info *info = value;
	struct written *w = ctx;
	__u32 rule;

	memcpy(&rule, key, sizeof(rule));
	if (info->policy_id == w->policy_id && !(rule & CL_DEFAULT_RECORD_BIT) &&
	    rule < w->first_rule)
		w->first_rule = rule;
	return 0;
}

/* What the maps hold for policy @id, map by map. */
struct policy_dump {
	struct written files, names, records;
	struct cl_policy_info info;
};

static void layout(struct written *w, __u32 id, __u32 first, size_t key_size, size_t value_size,
		   size_t id_at, size_t rule_at)
{
	*w = (struct written){ .policy_id = id,
			       .first_rule = first,
			       .key_size = key_size,
			       .value_size = value_size,
			       .id_at = id_at,
			       .rule_at = rule_at };
}

static int dump_policy(struct cl_maps *maps, __u32 id, struct policy_dump *d)
{
	struct written probe = { .policy_id = id, .first_rule = UINT32_MAX };
	size_t file_key = sizeof(struct cl_file_key), name_key = sizeof(struct cl_name_key);
	size_t rule_id = offsetof(struct cl_file_rule, rule_id);

	if (cl_map_scan(maps->rule_info, 1, find_first, &probe) < 0 ||
	    bpf_map_lookup_elem(maps->policies, &id, &d->info))
		return -1;
	layout(&d->files, id, probe.first_rule, file_key, sizeof(struct cl_file_rule),
	       offsetof(struct cl_file_key, policy_id), file_key + rule_id);
	layout(&d->names, id, probe.first_rule, name_key, sizeof(struct cl_file_rule),
	       offsetof(struct cl_name_key, policy_id), name_key + rule_id);
	layout(&d->records, id, probe.first_rule, sizeof(__u32), sizeof(struct cl_rule_info),
	       sizeof(__u32) + offsetof(struct cl_rule_info, policy_id), 0);
	if (read_written(maps->file_rules, &d->files) < 0 ||
	    read_written(maps->name_rules, &d->names) < 0 ||
	    read_written(maps->rule_info, &d->records) < 0)
		return -1;
	return 0;
}

static void dump_free(struct policy_dump *d)
{
	free(d->files.pairs);
	free(d->names.pairs);
	free(d->records.pairs);
}

static bool same_written(const struct written *a, const struct written *b)
{
	return a->count == b->count &&
	       (!a->count || !memcmp(a->pairs, b->pairs, a->count * (a->key_size + a->value_size)));
}

/* Install @agent as it is, then a copy that shares nothing; both must write the same. */
static void expect_same_as_whole(struct __test_metadata *_metadata, struct cl_maps *maps,
				 const struct cl_agent *agent)
{
	struct cl_agent whole = *agent;
	struct policy_dump shared, alone;
	__u32 shared_id, whole_id;

	/* Each written afresh, not an earlier one reused by its digest. */
	cl_install_forget(maps);
	ASSERT_EQ(0, cl_policy_install(maps, agent, &shared_id));
	cl_install_forget(maps);
	whole.files.base = NULL;
	whole.files.shared = 0;
	ASSERT_EQ(0, cl_policy_install(maps, &whole, &whole_id));
	ASSERT_NE(shared_id, whole_id);
	ASSERT_EQ(0, dump_policy(maps, shared_id, &shared));
	ASSERT_EQ(0, dump_policy(maps, whole_id, &alone));
	TH_LOG("%s: policies %u and %u, %zu inode, %zu name, %zu record entries", agent->id,
	       shared_id, whole_id, shared.files.count, shared.names.count, shared.records.count);
	EXPECT_LT(0, shared.files.count);
	EXPECT_LT(0, shared.names.count);
	EXPECT_TRUE(same_written(&shared.files, &alone.files));
	EXPECT_TRUE(same_written(&shared.names, &alone.names));
	EXPECT_TRUE(same_written(&shared.records, &alone.records));
	EXPECT_EQ(0, memcmp(&shared.info, &alone.info, sizeof(shared.info)));
	dump_free(&shared);
	dump_free(&alone);
}

TEST_F(share, a_policy_staged_from_shared_rules_writes_what_staging_it_whole_writes)
{
	const struct cl_agent *agents[sizeof(agent_ids) / sizeof(agent_ids[0])];
	struct cl_policy policy;
	struct cl_maps maps;
	char err[512];

	ASSERT_EQ(0, cl_policy_load(self->policy_file, &policy, err, sizeof(err)))
	TH_LOG("%s", err);
	for (size_t i = 0; i < sizeof(agents) / sizeof(agents[0]); i++) {
		agents[i] = cl_policy_agent(&policy, agent_ids[i]);
		ASSERT_NE(NULL, agents[i]);
		/* Every agent has profiles to share: the test is not whole against whole. */
		ASSERT_NE(NULL, agents[i]->files.base);
		ASSERT_LT(0, agents[i]->files.shared);
	}
	ASSERT_EQ(agents[0]->files.base, agents[1]->files.base);
	ASSERT_NE(agents[0]->files.base, agents[5]->files.base);
	ASSERT_EQ(0, cl_maps_open(&maps));
	ASSERT_EQ(0, cl_maps_lock(&maps));
	/* One update: the second agent of a list copies what the first staged. */
	for (size_t i = 0; i < sizeof(agents) / sizeof(agents[0]); i++)
		expect_same_as_whole(_metadata, &maps, agents[i]);
	cl_maps_unlock(&maps);
	cl_maps_close(&maps);
	cl_policy_free(&policy);
}

TEST_HARNESS_MAIN
