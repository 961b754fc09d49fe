// SPDX-License-Identifier: GPL-2.0
/*
 * walk_cache_test.c - the walk cache (kernel/lib/walk.h) answers deep file
 * decisions, and no answer it holds survives a change that could alter it:
 * a rename, a mount moved or laid over the path, a tree removed and made
 * again. Run in the test VM on 6.1 and 6.12.
 *
 * The tree lives on a private tmpfs of its own (a mount can be moved
 * within it):
 *
 *   allowed/         read    a/b/c/d/e/f/file: seven steps below the rule
 *   denied/          deny
 *   ws/              read    its rule names the directory's inode
 *
 * A confined helper reads the deep file 1,000 times in one run; the walk
 * cache counters of `clawlock status` show that the cache answered them
 * (the walk stops at the directory CL_WALK_CACHE_AT steps up). Then the
 * test, unconfined, changes the tree under that cached answer, and the
 * helper's verdict must follow the change.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cltest.h"
#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

#define DEEP "a/b/c/d/e/f"

FIXTURE(cache)
{
	char root[64];
	char policy[128];
	char agent[32];
	char path[512];
	char other[512];
};

#define at(self, rel) CL_AT(self, root, rel)

/* mkdir -p @rel below the root, and a file at its end. */
static int make_deep(FIXTURE_DATA(cache) * self, const char *top)
{
	char rel[256], *slash;

	snprintf(rel, sizeof(rel), "%s/" DEEP "/", top);
	for (slash = strchr(rel, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(at(self, rel), 0755) < 0 && errno != EEXIST)
			return -1;
		*slash = '/';
	}
	snprintf(rel, sizeof(rel), "%s/" DEEP "/file", top);
	return cl_write_file(at(self, rel), "data\n");
}

static const char policy_template[] = "{ include: '@SRC@/policies/baseline.json5',\n"
				      "  agents: { '@AGENT@': { use: ['system'], files: {\n"
				      "    '@TESTDIR@': 'read,exec',\n"
				      "    '@ROOT@/allowed': 'read',\n"
				      "    '@ROOT@/denied': 'deny',\n"
				      "    '@ROOT@/ws': 'read',\n"
				      "  } } } }\n";

FIXTURE_SETUP(cache)
{
	strcpy(self->root, "/tmp/cl-cache-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	ASSERT_EQ(0, mount("tmpfs", self->root, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, mount(NULL, self->root, NULL, MS_PRIVATE, NULL));
	snprintf(self->policy, sizeof(self->policy), "%s/policy.json5", self->root);
	snprintf(self->agent, sizeof(self->agent), "cache-%d", getpid());
	ASSERT_EQ(0, mkdir(at(self, "allowed"), 0755));
	ASSERT_EQ(0, mkdir(at(self, "denied"), 0755));
	ASSERT_EQ(0, make_deep(self, "ws"));
	ASSERT_EQ(0, make_deep(self, "allowed"));
	ASSERT_EQ(0, CL_WRITE_FILLED(self->policy, policy_template, "SRC", cl_source(), "AGENT",
				     self->agent, "TESTDIR", cl_self_dir(), "ROOT", self->root));
	ASSERT_EQ(0, cl_load());
}

FIXTURE_TEARDOWN(cache)
{
	umount2(self->root, MNT_DETACH);
	rmdir(self->root);
}

/*
 * 1,000 confined reads of @rel, all answered alike; returns that answer
 * and sets *@hits to how many decisions the cache ended meanwhile.
 */
static int read_many(FIXTURE_DATA(cache) * self, const char *rel, long long *hits)
{
	long long before = cl_status_count("walkCacheHits");
	int ret = cl_confined(self->policy, self->agent, "read-many", at(self, rel), NULL);

	*hits = before < 0 ? -1 : cl_status_count("walkCacheHits") - before;
	return ret;
}

/*
 * CLAWLOCK_WALK_CACHE=off (the loader's switch): the same verdicts with no
 * cache, the control.
 */
static bool cache_off(void)
{
	const char *want = getenv("CLAWLOCK_WALK_CACHE");

	return want && !strcmp(want, "off");
}

/*
 * A deep read twice over: the second run's reads are the cache's. All but
 * its first: each `clawlock run` makes a cgroup, and a directory made
 * moves the cache's epoch on.
 */
#define ASSERT_CACHED(self, rel, want)                                                             \
	do {                                                                                       \
		long long hits;                                                                    \
		ASSERT_EQ(want, read_many(self, rel, &hits));                                      \
		ASSERT_EQ(want, read_many(self, rel, &hits));                                      \
		if (!cache_off())                                                                  \
			ASSERT_LE(999, hits) TH_LOG("%lld hits", hits);                            \
	} while (0)

/* @from and @to below the root; at() has one buffer, so @from is copied out first. */
static const char *at2(FIXTURE_DATA(cache) * self, const char *from, const char *to)
{
	strcpy(self->other, at(self, from));
	return at(self, to);
}

#define RENAME(self, from, to) rename((self)->other, at2(self, from, to))

TEST_F(cache, a_deep_read_is_answered_by_the_cache_and_a_shallow_one_never_asks)
{
	long long hits;

	ASSERT_EQ(0, cl_write_file(at(self, "allowed/file"), "data\n"));
	ASSERT_CACHED(self, "allowed/" DEEP "/file", 0);
	ASSERT_CACHED(self, "denied/../allowed/" DEEP "/file", 0);
	/* One step below its rule, a read never gets as far as asking. */
	ASSERT_EQ(0, read_many(self, "allowed/file", &hits));
	ASSERT_EQ(0, read_many(self, "allowed/file", &hits));
	EXPECT_GT(999, hits) TH_LOG("%lld hits", hits);
	if (cache_off())
		EXPECT_EQ(0, cl_status_count("walkCacheHits"));
}

TEST_F(cache, a_rename_moves_the_verdict)
{
	ASSERT_CACHED(self, "allowed/" DEEP "/file", 0);
	/* The cached directory's grandparent moves into the denied tree... */
	ASSERT_EQ(0, RENAME(self, "allowed/a", "denied/a"));
	ASSERT_CACHED(self, "denied/" DEEP "/file", DENIED);
	/* ...and back out: a cached denial does not outlive it either. */
	ASSERT_EQ(0, RENAME(self, "denied/a", "allowed/a"));
	ASSERT_CACHED(self, "allowed/" DEEP "/file", 0);
	/* The cached directory itself moves. */
	ASSERT_EQ(0, mkdir(at(self, "denied/x"), 0755));
	ASSERT_EQ(0, RENAME(self, "allowed/a/b/c", "denied/x/c"));
	ASSERT_EQ(DENIED, cl_confined(self->policy, self->agent, "read-many",
				      at(self, "denied/x/c/d/e/f/file"), NULL));
}

TEST_F(cache, moving_a_mount_moves_the_verdict)
{
	/* A filesystem of its own: the walk leaves it at the mount point. */
	ASSERT_EQ(0, mkdir(at(self, "allowed/m"), 0755));
	ASSERT_EQ(0, mkdir(at(self, "denied/m"), 0755));
	ASSERT_EQ(0, mount("tmpfs", at(self, "allowed/m"), "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, make_deep(self, "allowed/m"));
	ASSERT_CACHED(self, "allowed/m/" DEEP "/file", 0);
	/*
	 * Same directory, same inode, same struct mount: only the mount point
	 * changed, and with it what the walk finds above the mount.
	 */
	ASSERT_EQ(0, mount(self->other, at2(self, "allowed/m", "denied/m"), NULL, MS_MOVE, NULL));
	ASSERT_CACHED(self, "denied/m/" DEEP "/file", DENIED);
	ASSERT_EQ(0, umount2(at(self, "denied/m"), MNT_DETACH));
}

TEST_F(cache, a_mount_laid_over_the_path_moves_the_verdict)
{
	ASSERT_EQ(0, make_deep(self, "denied/x"));
	ASSERT_CACHED(self, "allowed/" DEEP "/file", 0);
	/* The same names now lead into the denied tree: the walk follows the object. */
	ASSERT_EQ(0, mount(self->other, at2(self, "denied/x/a", "allowed/a"), NULL, MS_BIND, NULL));
	ASSERT_CACHED(self, "allowed/" DEEP "/file", DENIED);
	ASSERT_EQ(0, umount2(at(self, "allowed/a"), 0));
	ASSERT_CACHED(self, "allowed/" DEEP "/file", 0);
}

/*
 * One confined helper for a whole test (its policy installed once): it
 * reads each path it is sent 1,000 times and answers as read-many does.
 */
__attribute__((constructor)) static void batch_reader(int argc, char **argv)
{
	char line[512];

	if (argc != 2 || strcmp(argv[1], "--batch-read"))
		return;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		printf("%d\n", cl_helper_reads("read-many", line));
	}
	_exit(0);
}

struct reader {
	pid_t pid;
	FILE *to, *from;
};

static int reader_start(FIXTURE_DATA(cache) * self, struct reader *r)
{
	char *argv[] = { (char *)cl_binary(), "-q",	      "run",	   "--policy",
			 self->policy,	      "--agent",      self->agent, "--",
			 (char *)cl_self(),   "--batch-read", NULL };
	int to, from;
	char line[16];

	r->pid = cl_spawn_piped(argv, &to, &from);
	if (r->pid < 0)
		return -1;
	r->to = fdopen(to, "w");
	r->from = fdopen(from, "r");
	if (!r->to || !r->from || !fgets(line, sizeof(line), r->from))
		return -1;
	return strcmp(line, "ready\n") ? -1 : 0;
}

/* The helper's answer to 1,000 reads of @rel; -1 if it did not answer. */
static int reader_ask(FIXTURE_DATA(cache) * self, struct reader *r, const char *rel)
{
	char line[16];

	fprintf(r->to, "%s\n", at(self, rel));
	fflush(r->to);
	return fgets(line, sizeof(line), r->from) ? atoi(line) : -1;
}

static void reader_stop(struct reader *r)
{
	if (r->to)
		fclose(r->to);
	if (r->from)
		fclose(r->from);
	if (r->pid > 0)
		waitpid(r->pid, NULL, 0);
}

TEST_F(cache, a_directory_made_elsewhere_and_a_tree_made_again_are_walked_again)
{
	struct reader r = { 0 };
	long long hits, stores;

	ASSERT_EQ(0, reader_start(self, &r));
	ASSERT_EQ(0, reader_ask(self, &r, "ws/" DEEP "/file"));
	hits = cl_status_count("walkCacheHits");
	ASSERT_EQ(0, reader_ask(self, &r, "ws/" DEEP "/file"));
	/* All but one at most: `clawlock status` exits, and its /proc dentry goes. */
	if (!cache_off())
		ASSERT_LE(hits + 999, cl_status_count("walkCacheHits"));

	/*
	 * A directory made anywhere: it may sit at a freed dentry's and
	 * inode's addresses, so every entry is walked again.
	 */
	stores = cl_status_count("walkCacheStores");
	ASSERT_EQ(0, mkdir(at(self, "gone"), 0755));
	ASSERT_EQ(0, rmdir(at(self, "gone")));
	ASSERT_EQ(0, reader_ask(self, &r, "ws/" DEEP "/file"));
	if (!cache_off())
		ASSERT_LT(stores, cl_status_count("walkCacheStores"));

	/* Removed and made again: the rule named the old directory's inode. */
	cl_rm_tree(at(self, "ws"));
	ASSERT_EQ(0, make_deep(self, "ws"));
	EXPECT_EQ(DENIED, reader_ask(self, &r, "ws/" DEEP "/file"));
	EXPECT_EQ(DENIED, reader_ask(self, &r, "ws/" DEEP "/file"));
	reader_stop(&r);
}

TEST_HARNESS_MAIN
