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

/* @path still has the content whose SHA-256 is @digest. */
bool cl_signature_unchanged(const char *path, const char digest[CL_SIGNATURE_DIGEST]);

#endif /* CLAWLOCK_SIGNATURE_H */
