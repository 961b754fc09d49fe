// SPDX-License-Identifier: GPL-2.0
/*
 * watch_test.c - the daemon's config watch (daemon_watch.c): every way an
 * operator changes a config is seen, once armed and again after re-arming,
 * and changes beside it are not. inotify queues events at the syscall, so
 * no test waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/daemon_watch.h"
#include "kselftest_harness.h"
#include "leakcheck.h"

static char root[64];

static const char *at(const char *rel)
{
	static char path[4][256];
	static int next;

	next = (next + 1) % 4;
	snprintf(path[next], sizeof(path[next]), "%s/%s", root, rel);
	return path[next];
}

static int put(const char *rel, const char *text)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* A file written beside and renamed over, as editors do. */
static int plain_change(void)
{
	return put("p.new", "{}") || rename(at("p.new"), at("policy.json5"));
}

static int plain_make(void)
{
	return put("policy.json5", "{}");
}

/* conf/policy.json5, and a new conf folder renamed into place. */
static int folder_change(void)
{
	static int n;
	char old[32];

	snprintf(old, sizeof(old), "conf.old%d", ++n);
	if (mkdir(at("conf.new"), 0755) || put("conf.new/policy.json5", "{}"))
		return -1;
	return rename(at("conf"), at(old)) || rename(at("conf.new"), at("conf"));
}

static int folder_make(void)
{
	return mkdir(at("conf"), 0755) || put("conf/policy.json5", "{}");
}

/* A ConfigMap: cm/policy.json5 -> ..data/policy.json5, ..data -> ..vN, swapped. */
static int configmap_change(void)
{
	static int n;
	char dir[32], file[64], target[16];

	snprintf(dir, sizeof(dir), "cm/..v%d", ++n);
	snprintf(file, sizeof(file), "%s/policy.json5", dir);
	snprintf(target, sizeof(target), "..v%d", n);
	if (mkdir(at(dir), 0755) || put(file, "{}") || symlink(target, at("cm/..tmp")))
		return -1;
	return rename(at("cm/..tmp"), at("cm/..data"));
}

static int configmap_make(void)
{
	if (mkdir(at("cm"), 0755) || configmap_change())
		return -1;
	return symlink("..data/policy.json5", at("cm/policy.json5"));
}

/* An included file, rewritten in place. */
static int include_change(void)
{
	return put("inc/part.json5", "{ profiles: {} }");
}

static int include_make(void)
{
	return mkdir(at("inc"), 0755) || include_change() ||
	       put("inc/main.json5", "{ include: 'part.json5' }");
}

/* A config that is not there yet: its creation counts. */
static int missing_change(void)
{
	return put("later/policy.json5", "{}");
}

static int missing_make(void)
{
	return mkdir(at("later"), 0755);
}

FIXTURE(watch)
{
	struct cl_watch *w;
};

FIXTURE_VARIANT(watch)
{
	const char *paths[2]; /* what the apply read */
	int (*make)(void);
	int (*change)(void);
};

FIXTURE_VARIANT_ADD(watch, file_renamed_over){
	.paths = { "policy.json5" },
	.make = plain_make,
	.change = plain_change,
};

FIXTURE_VARIANT_ADD(watch, folder_renamed_into_place){
	.paths = { "conf/policy.json5" },
	.make = folder_make,
	.change = folder_change,
};

FIXTURE_VARIANT_ADD(watch, configmap_data_swap){
	.paths = { "cm/policy.json5" },
	.make = configmap_make,
	.change = configmap_change,
};

FIXTURE_VARIANT_ADD(watch, included_file_rewritten){
	.paths = { "inc/main.json5", "inc/part.json5" },
	.make = include_make,
	.change = include_change,
};

FIXTURE_VARIANT_ADD(watch, missing_file_created){
	.paths = { "later/policy.json5" },
	.make = missing_make,
	.change = missing_change,
};

FIXTURE_SETUP(watch)
{
	strcpy(root, "/tmp/cl-watch-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(root));
	ASSERT_EQ(0, variant->make());
	self->w = cl_watch_new();
	ASSERT_NE(NULL, self->w);
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

FIXTURE_TEARDOWN(watch)
{
	cl_watch_free(self->w);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int arm(FIXTURE_DATA(watch) * self, const FIXTURE_VARIANT(watch) * variant)
{
	char *paths[2] = { NULL, NULL };
	size_t n = 0;
	int ret;

	for (; n < 2 && variant->paths[n]; n++)
		paths[n] = strdup(at(variant->paths[n]));
	ret = cl_watch_set(self->w, paths, n);

	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	return ret;
}

TEST_F(watch, a_change_is_seen_again_after_rearming)
{
	ASSERT_EQ(0, arm(self, variant));
	EXPECT_EQ(0, cl_watch_changed(self->w));

	/* Beside the config: not a change. */
	ASSERT_EQ(0, put("unrelated.json5", "{}"));
	EXPECT_EQ(0, cl_watch_changed(self->w));

	ASSERT_EQ(0, variant->change());
	EXPECT_EQ(1, cl_watch_changed(self->w));

	/* The daemon applied, and arms again: the next change is seen too. */
	ASSERT_EQ(0, arm(self, variant));
	EXPECT_EQ(0, cl_watch_changed(self->w));
	ASSERT_EQ(0, variant->change());
	EXPECT_EQ(1, cl_watch_changed(self->w));
	LEAK_CHECK();
}

TEST_HARNESS_MAIN
