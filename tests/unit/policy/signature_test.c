// SPDX-License-Identifier: GPL-2.0
/*
 * signature_test.c - signed policy inputs, with real keys and signatures
 * made by ssh-keygen: a good signature, one of another file, a file changed
 * after signing, a key not in the allowed signers, a signature for another
 * namespace, garbage, and none; and signed policy loads, where every file
 * of a policy, includes too, must be signed except the installed baseline.
 * Skipped when ssh-keygen is not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy/policy.h"
#include "policy/signature.h"
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

/* The operator's key (listed), a stranger's (not listed), two signed files. */
static void make_keys(struct __test_metadata *_metadata, FIXTURE_DATA(sig) * self)
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

static void remove_dir(FIXTURE_DATA(sig) * self)
{
	if (self->dir[0])
		sh("rm -rf \"$PWD\"", self->dir);
}

/* Debian's harness runs a body even when its setup skipped: bodies check. */
FIXTURE_SETUP(sig)
{
	make_keys(_metadata, self);
}

FIXTURE_TEARDOWN(sig)
{
	remove_dir(self);
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

/* Each way a signature is wrong: the file is refused, for the reason given. */
FIXTURE(refused)
{
	FIXTURE_DATA(sig) sig;
};

FIXTURE_VARIANT(refused)
{
	const char *change; /* shell, in the fixture's folder */
	const char *reason; /* in the error; NULL: any */
};

FIXTURE_VARIANT_ADD(refused, file_changed_after_signing){
	.change = "echo '// changed' >> overlay.json5",
	.reason = "does not match its content",
};

FIXTURE_VARIANT_ADD(refused, signature_of_another_file){
	.change = "cp other.json5.sig overlay.json5.sig",
	.reason = "does not match its content",
};

FIXTURE_VARIANT_ADD(refused, key_not_listed){
	.change =
		"rm overlay.json5.sig && ssh-keygen -q -Y sign -f other -n clawlock overlay.json5",
	.reason = "not a signature by any key in",
};

FIXTURE_VARIANT_ADD(refused, signature_for_another_use){
	.change = "rm overlay.json5.sig && ssh-keygen -q -Y sign -f ops -n file overlay.json5",
	.reason = NULL,
};

FIXTURE_VARIANT_ADD(refused, garbage_signature){
	.change = "head -c 300 /dev/urandom > overlay.json5.sig",
	.reason = "not a signature",
};

FIXTURE_VARIANT_ADD(refused, missing_signature){
	.change = "rm overlay.json5.sig",
	.reason = "missing",
};

FIXTURE_SETUP(refused)
{
	make_keys(_metadata, &self->sig);
}

FIXTURE_TEARDOWN(refused)
{
	remove_dir(&self->sig);
	LEAK_CHECK();
}

TEST_F(refused, and_leaves_no_digest)
{
	if (_metadata->skip)
		return;

	ASSERT_EQ(0, sh(variant->change, self->sig.dir));
	EXPECT_EQ(-1, verify(&self->sig));
	if (variant->reason)
		EXPECT_NE(NULL, strstr(self->sig.err, variant->reason)) TH_LOG("%s", self->sig.err);
	EXPECT_STREQ("", self->sig.digest);
}

/* Whoever may write the allowed-signers file may sign: nobody but its owner may. */
TEST_F(sig, allowed_signers_writable_by_others_are_refused)
{
	if (_metadata->skip)
		return;

	ASSERT_EQ(0, chmod(self->allowed, 0664));
	EXPECT_EQ(-1, verify(self));
	EXPECT_NE(NULL, strstr(self->err, "writable by no one else")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, chmod(self->allowed, 0644));
	EXPECT_EQ(0, verify(self)) TH_LOG("%s", self->err);
}

TEST_F(sig, allowed_signers_must_be_a_file)
{
	if (_metadata->skip)
		return;

	snprintf(self->allowed, sizeof(self->allowed), "%s", self->dir);
	EXPECT_EQ(-1, verify(self));
	EXPECT_NE(NULL, strstr(self->err, "not a regular file")) TH_LOG("%s", self->err);
}

/* cl_policy_load of @name in the fixture's folder, signatures required. */
static int load_signed(FIXTURE_DATA(sig) * self, const char *name, struct cl_signed_inputs *in)
{
	struct cl_policy policy;
	char path[300];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", self->dir, name);
	in->allowed_signers = self->allowed;
	cl_signed_inputs_begin(in);
	ret = cl_policy_load(path, &policy, self->err, sizeof(self->err));
	cl_signed_inputs_end();
	if (ret == 0)
		cl_policy_free(&policy);
	return ret;
}

/*
 * A policy and its include, each signed, load; an unsigned include, or one
 * changed after signing, fails the load and names the file and the reason.
 */
TEST_F(sig, a_signed_policy_needs_every_include_signed)
{
	struct cl_signed_inputs in = { 0 };
	struct cl_policy policy;
	char main_path[300];

	if (_metadata->skip)
		return;

	ASSERT_EQ(
		0,
		sh("echo \"{ include: 'inc.json5', agents: { a: { use: 'p' } } }\" > main.json5 && "
		   "echo \"{ profiles: { p: { files: { '/usr': 'read' } } } }\" > inc.json5 && "
		   "ssh-keygen -q -Y sign -f ops -n clawlock main.json5 && "
		   "ssh-keygen -q -Y sign -f ops -n clawlock inc.json5",
		   self->dir));
	EXPECT_EQ(0, load_signed(self, "main.json5", &in)) TH_LOG("%s", self->err);
	EXPECT_EQ(2, in.verified);
	EXPECT_STREQ("", in.refused);

	ASSERT_EQ(0, sh("echo '// changed' >> inc.json5", self->dir));
	EXPECT_EQ(-1, load_signed(self, "main.json5", &in));
	EXPECT_NE(NULL, strstr(self->err, "inc.json5")) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(in.refused, "does not match")) TH_LOG("%s", in.refused);

	ASSERT_EQ(0, sh("rm inc.json5.sig", self->dir));
	EXPECT_EQ(-1, load_signed(self, "main.json5", &in));
	EXPECT_NE(NULL, strstr(in.refused, "missing")) TH_LOG("%s", in.refused);

	/* Signed by a key that is not listed. */
	ASSERT_EQ(0, sh("ssh-keygen -q -Y sign -f other -n clawlock inc.json5", self->dir));
	EXPECT_EQ(-1, load_signed(self, "main.json5", &in));
	EXPECT_NE(NULL, strstr(in.refused, "not a signature by any key")) TH_LOG("%s", in.refused);

	/* Without the hook, the same files load: the refusal was the signature's. */
	snprintf(main_path, sizeof(main_path), "%s/main.json5", self->dir);
	ASSERT_EQ(0, cl_policy_load(main_path, &policy, self->err, sizeof(self->err)));
	cl_policy_free(&policy);
}

/* The baseline installed with clawlock is the package's: it needs no operator signature. */
TEST_F(sig, the_installed_baseline_needs_no_signature)
{
	struct cl_signed_inputs in = { 0 };
	char baseline[4096], text[4200];
	FILE *f;

	if (_metadata->skip)
		return;

	/* The source tree's baseline: the ASan build lies too deep to find it. */
	if (getenv("CLAWLOCK_SOURCE")) {
		snprintf(baseline, sizeof(baseline), "%s/policies/baseline.json5",
			 getenv("CLAWLOCK_SOURCE"));
		setenv("CLAWLOCK_BASELINE", baseline, 1);
	}
	ASSERT_EQ(0, cl_find_baseline(baseline, sizeof(baseline)));
	ASSERT_EQ(0, access(baseline, R_OK)) TH_LOG("%s", baseline);
	snprintf(text, sizeof(text), "%s/main.json5", self->dir);
	f = fopen(text, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "{ include: '%s', agents: { a: { use: 'system' } } }\n", baseline);
	fclose(f);
	ASSERT_EQ(0, sh("ssh-keygen -q -Y sign -f ops -n clawlock main.json5", self->dir));
	EXPECT_EQ(0, load_signed(self, "main.json5", &in)) TH_LOG("%s", self->err);
	EXPECT_EQ(1, in.verified);
	unsetenv("CLAWLOCK_BASELINE");
}

TEST_HARNESS_MAIN
