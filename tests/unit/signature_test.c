// SPDX-License-Identifier: GPL-2.0
/*
 * signature_test.c - signed policy inputs, with real keys and signatures
 * made by ssh-keygen: a good signature, one of another file, a file changed
 * after signing, a key not in the allowed signers, a signature for another
 * namespace, garbage, and none. Skipped when ssh-keygen is not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signature.h"
#include "kselftest_harness.h"
#include "leakcheck.h"

FIXTURE(sig)
{
	char dir[64];
	char path[256];
	char allowed[256];
	char err[1024];
	char digest[CL_SIGNATURE_DIGEST];
};

static int sh(const char *fmt, const char *dir)
{
	char cmd[1024];
	int status;

	snprintf(cmd, sizeof(cmd), "cd %s && (%s) >/dev/null 2>&1", dir, fmt);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Debian's harness runs a body even when its setup skipped: bodies check. */
FIXTURE_SETUP(sig)
{
	if (access("/usr/bin/ssh-keygen", X_OK) != 0)
		SKIP(return, "ssh-keygen is not installed (Debian's openssh-client)");
	strcpy(self->dir, "/tmp/cl-sig-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	/* The operator's key, listed; a stranger's key, not listed. */
	ASSERT_EQ(
		0,
		sh("ssh-keygen -q -t ed25519 -N '' -C ops -f ops && "
		   "ssh-keygen -q -t ed25519 -N '' -C other -f other && "
		   "printf 'ops@example.org namespaces=\"clawlock\" %s\\n' \"$(cut -d' ' -f1,2 ops.pub)\""
		   " > allowed_signers && "
		   "echo '{ agents: {} }' > overlay.json5 && "
		   "echo '{ agents: { a: {} } }' > other.json5 && "
		   "ssh-keygen -q -Y sign -f ops -n clawlock overlay.json5 && "
		   "ssh-keygen -q -Y sign -f ops -n clawlock other.json5",
		   self->dir));
	snprintf(self->path, sizeof(self->path), "%s/overlay.json5", self->dir);
	snprintf(self->allowed, sizeof(self->allowed), "%s/allowed_signers", self->dir);
}

FIXTURE_TEARDOWN(sig)
{
	if (self->dir[0])
		sh("rm -rf \"$PWD\"", self->dir);
	LEAK_CHECK();
}

static int verify(FIXTURE_DATA(sig) * self)
{
	return cl_signature_verify(self->path, self->allowed, self->digest, self->err,
				   sizeof(self->err));
}

TEST_F(sig, a_good_signature_verifies)
{
	if (_metadata->skip)
		return;

	EXPECT_EQ(0, verify(self)) TH_LOG("%s", self->err);
	EXPECT_EQ(64, strlen(self->digest));
	EXPECT_TRUE(cl_signature_unchanged(self->path, self->digest));
	ASSERT_EQ(0, sh("echo ' ' >> overlay.json5", self->dir));
	EXPECT_FALSE(cl_signature_unchanged(self->path, self->digest));
}

TEST_F(sig, a_file_changed_after_signing_is_refused)
{
	if (_metadata->skip)
		return;

	ASSERT_EQ(0, sh("echo '// changed' >> overlay.json5", self->dir));
	EXPECT_EQ(-1, verify(self));
	EXPECT_NE(NULL, strstr(self->err, "does not match its content")) TH_LOG("%s", self->err);
	EXPECT_STREQ("", self->digest);
}

TEST_F(sig, the_signature_of_another_file_is_refused)
{
	if (_metadata->skip)
		return;

	ASSERT_EQ(0, sh("cp other.json5.sig overlay.json5.sig", self->dir));
	EXPECT_EQ(-1, verify(self));
	EXPECT_NE(NULL, strstr(self->err, "does not match its content")) TH_LOG("%s", self->err);
}

TEST_F(sig, a_key_not_listed_is_refused)
{
	if (_metadata->skip)
		return;

	ASSERT_EQ(0, sh("rm overlay.json5.sig && ssh-keygen -q -Y sign -f other -n clawlock "
			"overlay.json5",
			self->dir));
	EXPECT_EQ(-1, verify(self));
	EXPECT_NE(NULL, strstr(self->err, "not a signature by any key in")) TH_LOG("%s", self->err);
}

TEST_F(sig, a_signature_for_another_use_is_refused)
{
	if (_metadata->skip)
		return;

	ASSERT_EQ(0, sh("rm overlay.json5.sig && ssh-keygen -q -Y sign -f ops -n file "
			"overlay.json5",
			self->dir));
	EXPECT_EQ(-1, verify(self));
}

TEST_F(sig, garbage_and_missing_signatures_are_refused)
{
	if (_metadata->skip)
		return;

	ASSERT_EQ(0, sh("head -c 300 /dev/urandom > overlay.json5.sig", self->dir));
	EXPECT_EQ(-1, verify(self));
	EXPECT_NE(NULL, strstr(self->err, "not a signature")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, sh("rm overlay.json5.sig", self->dir));
	EXPECT_EQ(-1, verify(self));
	EXPECT_NE(NULL, strstr(self->err, "signature")) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "missing")) TH_LOG("%s", self->err);
}

TEST_F(sig, allowed_signers_must_be_a_file)
{
	if (_metadata->skip)
		return;

	snprintf(self->allowed, sizeof(self->allowed), "%s", self->dir);
	EXPECT_EQ(-1, verify(self));
	EXPECT_NE(NULL, strstr(self->err, "not a regular file")) TH_LOG("%s", self->err);
}

TEST_HARNESS_MAIN
