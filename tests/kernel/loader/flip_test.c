// SPDX-License-Identifier: GPL-2.0
/*
 * flip_test.c - policy switches are atomic (run in the test VM).
 *
 * Workers in a confined cgroup open files and connect without pause while
 * the test switches the cgroup between two policies thousands of times,
 * each switch a full update as 'clawlock attach' makes it (the same
 * library code): a freshly installed policy, one write of the generation,
 * the old policy's rules removed. Both policies allow one file
 * and one address and deny another; they disagree on two more. Every
 * verdict must be one of the two policies': the files and the address they
 * agree on never change verdict, and the ones they disagree on are either
 * allowed or denied, never an error of another kind. A window without
 * enforcement, a hook reading rules already removed, or a half-written
 * binding would break one of these.
 */
#include <sys/mman.h>

#include "cltest.h"
#include "kselftest_harness.h"

#include "loader/bpfstate.h"
#include "loader/cgroup.h"
#include "policy/policy.h"
#include "loader/scopes.h"
#include "util.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 900

#define FLIPS	2000
#define WORKERS 2

/* Shared with the workers. */
struct tally {
	volatile int stop;
	long rounds;
	long violations;
	long a_allowed, a_denied; /* a.txt: allowed by policy A only */
	long b_allowed, b_denied;
	long net_allowed, net_denied; /* 10.7.0.1: allowed by policy A only */
	char first[256];	      /* the first violation, for the log */
};

FIXTURE(flip)
{
	char root[64];
	char policy_file[128];
	char cgroup[256];
	char path[512];
	struct tally *tally;
	pid_t workers[WORKERS];
};

#define at(self, rel) CL_AT(self, root, rel)

FIXTURE_SETUP(flip)
{
	static const char policy_template[] =
		"{ agents: {"
		"  'flip-a': { files: { '@ROOT@/common.txt': 'read', '@ROOT@/a.txt': 'read' },"
		"    network: { 'tcp 10.6.0.1 80': 'allow', 'tcp 10.7.0.1 80': 'allow' } },"
		"  'flip-b': { files: { '@ROOT@/common.txt': 'read', '@ROOT@/b.txt': 'read' },"
		"    network: { 'tcp 10.6.0.1 80': 'allow' } } } }";
	static const char *const files[] = { "common.txt", "secret.txt", "a.txt", "b.txt" };
	char croot[200];

	strcpy(self->root, "/tmp/cl-flip-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		ASSERT_EQ(0, cl_write_file(at(self, files[i]), "x\n"));
	snprintf(self->policy_file, sizeof(self->policy_file), "%s/policy.json5", self->root);
	ASSERT_EQ(0, CL_WRITE_FILLED(self->policy_file, policy_template, "ROOT", self->root));
	/*
	 * Self-protection lets only the executable that loaded clawlock write
	 * its maps, so this test loads it itself, with the same library code
	 * the clawlock command uses, and switches policies in-process: a
	 * process per switch would allow only a few hundred in the time.
	 */
	ASSERT_EQ(0, cl_run_clawlock(NULL, 0, "-q", "unload", NULL));
	cl_test_quiet = 1;
	ASSERT_EQ(0, cl_bpf_load());
	ASSERT_EQ(0, cl_cgroup_root(NULL, croot, sizeof(croot)));
	snprintf(self->cgroup, sizeof(self->cgroup), "%s/flip-test", croot);
	ASSERT_EQ(0, cl_cgroup_create(self->cgroup));
	self->tally = mmap(NULL, sizeof(*self->tally), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->tally);
}

FIXTURE_TEARDOWN(flip)
{
	self->tally->stop = 1;
	for (int i = 0; i < WORKERS; i++) {
		if (self->workers[i] > 0)
			waitpid(self->workers[i], NULL, 0);
	}
	rmdir(self->cgroup);
	/* Leave nothing pinned that only this binary could open. */
	cl_bpf_unload();
	cl_rm_tree(self->root);
	munmap(self->tally, sizeof(*self->tally));
}

static void violation(struct tally *t, const char *what, int err)
{
	if (__atomic_fetch_add(&t->violations, 1, __ATOMIC_RELAXED) == 0)
		snprintf(t->first, sizeof(t->first), "%s: %s", what, strerror(err));
}

/* 0 if opening @path for reading works, else errno. */
static int try_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* 0 if the policy let connect through (no route: ENETUNREACH), else errno. */
static int try_connect(const char *addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(80) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return errno;
	inet_pton(AF_INET, addr, &sin.sin_addr);
	err = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ? errno : 0;
	close(fd);
	return err == ENETUNREACH ? 0 : err ? err : EINVAL;
}

/* One verdict the two policies share: anything else is a violation. */
static void expect(struct tally *t, const char *what, int got, int want)
{
	if (got != want)
		violation(t, what, got);
}

/* One verdict they disagree on: allowed or denied (@denial), nothing else. */
static void either(struct tally *t, const char *what, int got, int denial, long *allowed,
		   long *denied)
{
	if (got == 0)
		__atomic_fetch_add(allowed, 1, __ATOMIC_RELAXED);
	else if (got == denial)
		__atomic_fetch_add(denied, 1, __ATOMIC_RELAXED);
	else
		violation(t, what, got);
}

static void worker(FIXTURE_DATA(flip) * self)
{
	struct tally *t = self->tally;
	char common[512], secret[512], a[512], b[512];

	snprintf(common, sizeof(common), "%s/common.txt", self->root);
	snprintf(secret, sizeof(secret), "%s/secret.txt", self->root);
	snprintf(a, sizeof(a), "%s/a.txt", self->root);
	snprintf(b, sizeof(b), "%s/b.txt", self->root);
	if (cl_cgroup_enter(self->cgroup) < 0)
		_exit(1);
	while (!t->stop) {
		expect(t, "common.txt (allowed by both)", try_open(common), 0);
		expect(t, "secret.txt (allowed by neither)", try_open(secret), EACCES);
		either(t, "a.txt", try_open(a), EACCES, &t->a_allowed, &t->a_denied);
		either(t, "b.txt", try_open(b), EACCES, &t->b_allowed, &t->b_denied);
		expect(t, "10.6.0.1 (allowed by both)", try_connect("10.6.0.1"), 0);
		expect(t, "10.8.0.1 (allowed by neither)", try_connect("10.8.0.1"), EACCES);
		either(t, "10.7.0.1", try_connect("10.7.0.1"), EACCES, &t->net_allowed,
		       &t->net_denied);
		__atomic_fetch_add(&t->rounds, 1, __ATOMIC_RELAXED);
	}
	_exit(0);
}

/* Install @agent's policy afresh and make it the cgroup's, in one switch. */
static int flip_to(struct cl_maps *maps, const struct cl_agent *agent, uint64_t cgid,
		   const char *cgroup)
{
	return cl_bind_one(maps, agent, cgid, cgroup, NULL, CL_ORIGIN_ATTACH);
}

/* Rules whose policy no live scope is bound to (the removed ones). */
struct stray_rules {
	const struct cl_scopes *live;
	size_t id_offset;
	long seen, stray;
};

static int count_stray(const void *key, const void *value, void *ctx)
{
	struct stray_rules *s = ctx;
	__u32 id;

	(void)value;
	memcpy(&id, (const char *)key + s->id_offset, sizeof(id));
	s->seen++;
	for (size_t i = 0; i < s->live->count; i++) {
		if (s->live->items[i].binding.policy_id == id)
			return 0;
	}
	s->stray++;
	return 0;
}

/* Fork the workers, and wait until each has run a round confined. */
static void start_workers(struct __test_metadata *_metadata, FIXTURE_DATA(flip) * self)
{
	for (int i = 0; i < WORKERS; i++) {
		self->workers[i] = fork();
		ASSERT_LE(0, self->workers[i]);
		if (self->workers[i] == 0)
			worker(self);
	}
	while (__atomic_load_n(&self->tally->rounds, __ATOMIC_RELAXED) < WORKERS)
		usleep(1000);
}

/* Stop the workers; each must end cleanly. */
static void stop_workers(struct __test_metadata *_metadata, FIXTURE_DATA(flip) * self)
{
	self->tally->stop = 1;
	for (int i = 0; i < WORKERS; i++) {
		int status;

		ASSERT_EQ(self->workers[i], waitpid(self->workers[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		self->workers[i] = 0;
	}
}

/* None of the thousands of replaced policies is left behind, nor any of their rules. */
static void expect_no_strays(struct __test_metadata *_metadata, struct cl_maps *maps, uint64_t cgid)
{
	struct stray_rules stray = { 0 };
	struct cl_scopes live;

	ASSERT_EQ(0, cl_scopes_read(maps, &live));
	EXPECT_NE(NULL, cl_scopes_find(&live, cgid));
	EXPECT_EQ(live.count, cl_map_count(maps->policies, sizeof(__u32)));
	/* Rules are batch-deleted from the hash, one by one from the trie. */
	stray.live = &live;
	stray.id_offset = offsetof(struct cl_file_key, policy_id);
	ASSERT_EQ(0, cl_map_scan(maps->file_rules, 0, count_stray, &stray));
	stray.id_offset = offsetof(struct cl_net4_key, policy_id);
	ASSERT_EQ(0, cl_map_scan(maps->net4, 0, count_stray, &stray));
	EXPECT_LT(0, stray.seen);
	EXPECT_EQ(0, stray.stray);
	cl_scopes_free(&live);
}

TEST_F(flip, every_verdict_is_the_old_or_the_new_policy)
{
	const struct cl_agent *agents[2];
	struct cl_policy policy;
	struct cl_maps maps;
	uint64_t cgid, before;
	char err[512];
	int flips;

	ASSERT_EQ(0, cl_policy_load(self->policy_file, &policy, err, sizeof(err)))
	TH_LOG("%s", err);
	agents[0] = cl_policy_agent(&policy, "flip-a");
	agents[1] = cl_policy_agent(&policy, "flip-b");
	ASSERT_NE(NULL, agents[0]);
	ASSERT_NE(NULL, agents[1]);
	ASSERT_EQ(0, cl_maps_open(&maps));
	ASSERT_EQ(0, cl_maps_lock(&maps));
	ASSERT_EQ(0, cl_cgroup_id(self->cgroup, &cgid));
	ASSERT_EQ(0, flip_to(&maps, agents[0], cgid, self->cgroup));

	/* The workers start confined before the first switch. */
	start_workers(_metadata, self);
	before = cl_generation(&maps);
	for (flips = 0; flips < FLIPS; flips++) {
		if (flip_to(&maps, agents[(flips + 1) & 1], cgid, self->cgroup) < 0)
			break;
	}
	stop_workers(_metadata, self);
	TH_LOG("%d switches, %ld rounds; a.txt %ld allowed / %ld denied, b.txt %ld / %ld, "
	       "10.7.0.1 %ld / %ld",
	       flips, self->tally->rounds, self->tally->a_allowed, self->tally->a_denied,
	       self->tally->b_allowed, self->tally->b_denied, self->tally->net_allowed,
	       self->tally->net_denied);
	EXPECT_EQ(FLIPS, flips);
	EXPECT_EQ(before + FLIPS, cl_generation(&maps));
	EXPECT_EQ(0, self->tally->violations)
	TH_LOG("first violation: %s", self->tally->first);
	/* The switches really happened under the workers: both sides were seen. */
	EXPECT_LT(0, self->tally->a_allowed);
	EXPECT_LT(0, self->tally->a_denied);
	EXPECT_LT(0, self->tally->b_allowed);
	EXPECT_LT(0, self->tally->b_denied);
	EXPECT_LT(0, self->tally->net_allowed);
	EXPECT_LT(0, self->tally->net_denied);
	expect_no_strays(_metadata, &maps, cgid);
	cl_maps_unlock(&maps);
	cl_maps_close(&maps);
	cl_policy_free(&policy);
}

TEST_HARNESS_MAIN
