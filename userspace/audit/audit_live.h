/* SPDX-License-Identifier: GPL-2.0 */
/*
 * audit_live.h - the live half of clawlock audit (--deep).
 */
#ifndef CLAWLOCK_AUDIT_LIVE_H
#define CLAWLOCK_AUDIT_LIVE_H

/* How audit collects a finding (severity: critical, warn, info). */
typedef void (*cl_finding_fn)(void *audit, const char *id, const char *severity, const char *title,
			      const char *detail, const char *fix);

/*
 * Check the running kernel: BPF LSM, programs attached, pins closed, the
 * live policy against the config (@openclaw and/or @policy; both NULL:
 * skipped), and a probe in every bound scope.
 */
void cl_audit_deep(void *audit, cl_finding_fn finding, const char *openclaw, const char *policy);

#endif /* CLAWLOCK_AUDIT_LIVE_H */
