/* SPDX-License-Identifier: GPL-2.0 */
/*
 * signature.h - signed policy: a translation input (the overlay, and
 * optionally the OpenClaw config and its includes) must carry a detached
 * OpenSSH signature (FILE.sig, made with `ssh-keygen -Y sign -n clawlock`)
 * by a key of the operator's allowed-signers file. OpenSSH's ssh-keygen
 * checks it; clawlock writes no cryptography of its own.
 */
#ifndef CLAWLOCK_SIGNATURE_H
#define CLAWLOCK_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>

/* The signature namespace (ssh-keygen -n): a signature for another use never counts. */
#define CL_SIGNATURE_NAMESPACE "clawlock"
/* Hex digits of the SHA-256 of what was verified, with the NUL. */
#define CL_SIGNATURE_DIGEST 65

/*
 * Verify @path against @path.sig with @allowed_signers. The content is read
 * once and that copy is what ssh-keygen checks; its SHA-256 goes to
 * @digest, so the caller can tell whether the file it then parses is the
 * one that was verified. 0, or -1 with the reason in @err (no secret or
 * file content is ever quoted).
 */
int cl_signature_verify(const char *path, const char *allowed_signers,
			char digest[CL_SIGNATURE_DIGEST], char *err, size_t errsize);

/* The same for @len bytes of @path's content already read into @text. */
int cl_signature_verify_bytes(const char *path, const char *text, size_t len,
			      const char *allowed_signers, char digest[CL_SIGNATURE_DIGEST],
			      char *err, size_t errsize);

/*
 * Signed translation inputs: between begin and end, every policy file (the
 * overlay and its includes, but not the baseline installed with clawlock)
 * and, with @openclaw_too, OpenClaw's config and its $includes, must carry
 * a good signature, checked on the very bytes that are then parsed. A file
 * that does not fails its parse, so the apply stops before anything changes;
 * the reason is kept in @refused.
 */
struct cl_signed_inputs {
	const char *allowed_signers;
	bool openclaw_too;
	int verified;			    /* files verified since begin */
	char refused[1024];		    /* why the last refused file was refused, or "" */
	char baseline[CL_SIGNATURE_DIGEST]; /* the installed baseline's SHA-256 */
};

void cl_signed_inputs_begin(struct cl_signed_inputs *in);
void cl_signed_inputs_end(void);

/* @path still has the content whose SHA-256 is @digest. */
bool cl_signature_unchanged(const char *path, const char digest[CL_SIGNATURE_DIGEST]);

#endif /* CLAWLOCK_SIGNATURE_H */
