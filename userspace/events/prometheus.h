/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prometheus.h - `clawlock status --prometheus`: the status object in the
 * Prometheus text exposition format (version 0.0.4), for node_exporter's
 * textfile collector or any scraper that reads a file.
 */
#ifndef CLAWLOCK_PROMETHEUS_H
#define CLAWLOCK_PROMETHEUS_H

#include <stdio.h>

struct json_object;

/* Write @status (as `clawlock status --json` has it) to @out. 0, or -1 on a write error. */
int cl_status_prometheus(struct json_object *status, FILE *out);

#endif /* CLAWLOCK_PROMETHEUS_H */
