/* SPDX-License-Identifier: GPL-2.0 */
/*
 * audit.h - the checks of clawlock audit, collected as findings.
 */
#ifndef CLAWLOCK_AUDIT_H
#define CLAWLOCK_AUDIT_H

struct json_object;

/*
 * The findings so far: a JSON array of objects (checkId, severity, title,
 * detail, remediation) the caller makes and puts, and their count by
 * severity.
 */
struct cl_audit {
	struct json_object *findings;
	int counts[3];	   /* critical, warn, info */
	int host_sessions; /* agents with a session that runs on the host */
};

/*
 * The checks that need only the OpenClaw config at @openclaw (NULL: the
 * default one): every agent's sandbox, then the global settings. -1
 * (error printed) when the config does not load or an agent does not
 * compile: audit refuses, as compile does.
 */
int cl_audit_config(struct cl_audit *a, const char *openclaw);

/* The live checks, against the config named or else the one last applied. */
void cl_audit_live(struct cl_audit *a, const char *openclaw, const char *policy);

#endif /* CLAWLOCK_AUDIT_H */
