// SPDX-License-Identifier: GPL-2.0
/*
 * signature.c - detached OpenSSH signatures on policy inputs (signature.h),
 * checked by running ssh-keygen -Y.
 */
#include "policy/signature.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy/json5.h"
#include "policy/policy.h"
#include "util.h"

/* Inputs are configs: a signed file larger than this is refused, not read. */
#define SIGNED_MAX (16 << 20)

#ifndef CL_SSH_KEYGEN
#define CL_SSH_KEYGEN "/usr/bin/ssh-keygen"
#endif

/* Copy @from to @to up to SIGNED_MAX bytes; the count in @size. */
static int copy_whole(int from, int to, size_t *size)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) > 0) {
		*size += n;
		if (*size > SIGNED_MAX || write(to, buf, n) != n) {
			errno = *size > SIGNED_MAX ? EFBIG : errno;
			return -1;
		}
	}
	return n < 0 ? -1 : 0;
}

/* Read a regular file whole into a memfd; its size in @size. -1 with @err. */
static int read_regular(const char *path, size_t *size, char *err, size_t errsize)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), mfd = -1;
	struct stat st;

	*size = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		cl_format(err, errsize, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > SIGNED_MAX) {
		cl_format(err, errsize, "%s: %s", path,
			  S_ISREG(st.st_mode) ? "larger than 16 MiB" : "not a regular file");
		goto fail;
	}
	mfd = memfd_create("clawlock-signed", MFD_CLOEXEC);
	if (mfd < 0 || copy_whole(fd, mfd, size) < 0 || lseek(mfd, 0, SEEK_SET) < 0) {
		cl_format(err, errsize, "%s: cannot read it whole: %s", path, strerror(errno));
		goto fail;
	}
	close(fd);
	return mfd;
fail:
	if (fd >= 0)
		close(fd);
	if (mfd >= 0)
		close(mfd);
	return -1;
}

/*
 * Run ssh-keygen with @argv, stdin from @in_fd (or /dev/null), stdout and
 * stderr into a memfd returned in @out_fd. Its exit status, or -1.
 */
static int keygen(char *const argv[], int in_fd, int *out_fd)
{
	int status;
	pid_t pid;

	*out_fd = memfd_create("clawlock-keygen", MFD_CLOEXEC);
	if (*out_fd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(in_fd >= 0 ? in_fd : null, 0);
		dup2(*out_fd, 1);
		dup2(*out_fd, 2);
		execv(CL_SSH_KEYGEN, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	lseek(*out_fd, 0, SEEK_SET);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The first line ssh-keygen printed: a principal from find-principals. */
static void first_line(int fd, char *out, size_t size)
{
	ssize_t n = read(fd, out, size - 1);

	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
}

/* Which allowed signer made @sig: 0 with @principal, or -1 with @err. */
static int find_principal(const char *sig, const char *allowed, char *principal, size_t size,
			  char *err, size_t errsize)
{
	char *argv[] = { "ssh-keygen", "-Y", "find-principals", "-s",
			 (char *)sig,  "-f", (char *)allowed,	NULL };
	int out, rc = keygen(argv, -1, &out);

	if (rc == 0)
		first_line(out, principal, size);
	if (out >= 0)
		close(out);
	if (rc == 127 || rc < 0)
		cl_format(err, errsize, "cannot run %s: %s", CL_SSH_KEYGEN,
			  rc == 127 ? "not installed (Debian's openssh-client)" : strerror(errno));
	else if (rc != 0 || !principal[0])
		cl_format(err, errsize,
			  "%s: not a signature by any key in %s (or not a signature at all)", sig,
			  allowed);
	return rc == 0 && principal[0] ? 0 : -1;
}

/* @path is a regular file; -1 with "@what @path: why" in @err otherwise. */
static int regular(const char *what, const char *path, char *err, size_t errsize)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		cl_format(err, errsize, "%s %s: %s", what, path,
			  errno == ENOENT ? "missing" : strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		cl_format(err, errsize, "%s %s: not a regular file", what, path);
		return -1;
	}
	return 0;
}

/*
 * Who may sign is only as safe as the file that says so: it must belong to
 * root (or to the caller) and be writable by nobody else.
 */
static int trusted_signers(const char *path, char *err, size_t errsize)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0; /* regular() says why */
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)) {
		cl_format(err, errsize,
			  "allowed signers %s: must be owned by root and writable by no one else "
			  "(owner %u, mode %03o)",
			  path, st.st_uid, st.st_mode & 0777);
		return -1;
	}
	return 0;
}

/*
 * Verify @path's content, given in the memfd @content of @size bytes,
 * against @path.sig; its SHA-256 in @digest.
 */
static int verify_content(const char *path, int content, size_t size, const char *allowed_signers,
			  char digest[CL_SIGNATURE_DIGEST], char *err, size_t errsize)
{
	char sig[4096 + 8], principal[256] = "";
	char *argv[] = { "ssh-keygen",
			 "-Y",
			 "verify",
			 "-f",
			 (char *)allowed_signers,
			 "-I",
			 principal,
			 "-n",
			 CL_SIGNATURE_NAMESPACE,
			 "-s",
			 sig,
			 NULL };
	int out = -1, rc;
	void *map;

	digest[0] = '\0';
	if (!cl_format(sig, sizeof(sig), "%s.sig", path) ||
	    regular("allowed signers", allowed_signers, err, errsize) < 0 ||
	    trusted_signers(allowed_signers, err, errsize) < 0 ||
	    regular("signature", sig, err, errsize) < 0 ||
	    find_principal(sig, allowed_signers, principal, sizeof(principal), err, errsize) < 0)
		return -1;
	rc = keygen(argv, content, &out);
	if (rc != 0)
		cl_format(err, errsize,
			  "%s: the signature does not match its content (changed after signing, "
			  "or signed for another use than %s)",
			  path, CL_SIGNATURE_NAMESPACE);
	map = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, content, 0) : NULL;
	if (rc == 0 && map != MAP_FAILED)
		cl_sha256_hex(size ? map : "", size, digest, CL_SIGNATURE_DIGEST - 1);
	if (map && map != MAP_FAILED)
		munmap(map, size);
	if (out >= 0)
		close(out);
	return rc == 0 && digest[0] ? 0 : -1;
}

int cl_signature_verify(const char *path, const char *allowed_signers,
			char digest[CL_SIGNATURE_DIGEST], char *err, size_t errsize)
{
	size_t size;
	int content = read_regular(path, &size, err, errsize), ret;

	digest[0] = '\0';
	if (content < 0)
		return -1;
	ret = verify_content(path, content, size, allowed_signers, digest, err, errsize);
	close(content);
	return ret;
}

int cl_signature_verify_bytes(const char *path, const char *text, size_t len,
			      const char *allowed_signers, char digest[CL_SIGNATURE_DIGEST],
			      char *err, size_t errsize)
{
	int content = memfd_create("clawlock-signed", MFD_CLOEXEC), ret;

	digest[0] = '\0';
	if (content < 0 || write(content, text, len) != (ssize_t)len ||
	    lseek(content, 0, SEEK_SET) < 0) {
		cl_format(err, errsize, "%s: cannot hold its content: %s", path, strerror(errno));
		if (content >= 0)
			close(content);
		return -1;
	}
	ret = verify_content(path, content, len, allowed_signers, digest, err, errsize);
	close(content);
	return ret;
}

/* The json5 content hook of cl_signed_inputs_begin. */
static int check_signed(const struct json5_options *opts, const char *text, size_t len, char *why,
			size_t whysize, void *data)
{
	struct cl_signed_inputs *in = data;
	char digest[CL_SIGNATURE_DIGEST];

	if (opts->input == JSON5_INPUT_OPENCLAW && !in->openclaw_too)
		return 0;
	/* No name to find a signature by: refused, never let through. */
	if (!opts->path) {
		cl_format(in->refused, sizeof(in->refused), "a config input with no file name");
		cl_format(why, whysize, "%s", in->refused);
		return -1;
	}
	/*
	 * The baseline is installed with clawlock: the package vouches for it,
	 * not the operator. Known by the very bytes read, never by name: a
	 * name can be made to point elsewhere between the read and a check.
	 */
	if (in->baseline[0] && opts->input == JSON5_INPUT_POLICY) {
		cl_sha256_hex(len ? text : "", len, digest, CL_SIGNATURE_DIGEST - 1);
		if (!strcmp(digest, in->baseline))
			return 0;
	}
	if (cl_signature_verify_bytes(opts->path, text, len, in->allowed_signers, digest,
				      in->refused, sizeof(in->refused)) < 0) {
		cl_format(why, whysize, "refused: %s", in->refused);
		return -1;
	}
	in->verified++;
	return 0;
}

/* The SHA-256 of the content of regular file @path into @digest, or "". */
static void file_digest(const char *path, char digest[CL_SIGNATURE_DIGEST])
{
	char err[256];
	size_t size;
	void *map;
	int fd = read_regular(path, &size, err, sizeof(err));

	digest[0] = '\0';
	if (fd < 0)
		return;
	map = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	if (map != MAP_FAILED)
		cl_sha256_hex(size ? map : "", size, digest, CL_SIGNATURE_DIGEST - 1);
	if (map && map != MAP_FAILED)
		munmap(map, size);
	close(fd);
}

/* The SHA-256 of the installed baseline into @digest, or "" when it cannot be read. */
static void baseline_digest(char digest[CL_SIGNATURE_DIGEST])
{
	char path[PATH_MAX];

	digest[0] = '\0';
	if (cl_find_baseline(path, sizeof(path)) == 0)
		file_digest(path, digest);
}

void cl_signed_inputs_begin(struct cl_signed_inputs *in)
{
	in->verified = 0;
	in->refused[0] = '\0';
	baseline_digest(in->baseline);
	json5_set_content_hook(check_signed, in);
}

void cl_signed_inputs_end(void)
{
	json5_set_content_hook(NULL, NULL);
}

bool cl_signature_unchanged(const char *path, const char digest[CL_SIGNATURE_DIGEST])
{
	char now[CL_SIGNATURE_DIGEST];

	file_digest(path, now);
	return now[0] && !strcmp(now, digest);
}
