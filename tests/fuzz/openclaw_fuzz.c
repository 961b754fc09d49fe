// SPDX-License-Identifier: GPL-2.0
/*
 * openclaw_fuzz.c - libFuzzer target for the whole OpenClaw path: read the
 * input as openclaw.json (JSON5, $include, ${VAR}), resolve every agent's
 * main session and one other session, and compile them against the
 * baseline. Errors are fine; crashes, leaks and undefined behaviour are not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "openclaw/ocpolicy.h"

static char dir[] = "/tmp/cl-ocfuzz-XXXXXX";
static char config[64];
static struct cl_policy baseline;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[1024];
	const char *src = getenv("CLAWLOCK_SOURCE");
	char path[4096];
	FILE *f;

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	setenv("HOME", dir, 1);
	snprintf(config, sizeof(config), "%s/openclaw.json", dir);
	setenv("OPENCLAW_CONFIG_PATH", config, 1);
	/* A file for inputs that include one, and a variable for ${VAR}. */
	snprintf(path, sizeof(path), "%s/inc.json5", dir);
	f = fopen(path, "w");
	if (f) {
		fputs("{ sandbox: { mode: 'all', docker: { binds: ['/usr:/u:ro'] } } }", f);
		fclose(f);
	}
	setenv("FUZZ_VAR", "/srv/fuzz", 1);
	snprintf(path, sizeof(path), "%s/policies/baseline.json5", src ? src : ".");
	if (cl_policy_load(path, &baseline, err, sizeof(err)) < 0)
		memset(&baseline, 0, sizeof(baseline));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oc_config cfg;
	char err[2048], **ids;
	size_t count;
	FILE *f = fopen(config, "wb");

	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (oc_config_load(NULL, &cfg, err, sizeof(err)) < 0)
		return 0;
	if (oc_agent_ids(&cfg, &ids, &count) == 0) {
		for (size_t i = 0; i < count && i < 8; i++) {
			const char *sessions[] = { NULL, "agent:x:telegram:group:1", "main" };

			for (int s = 0; s < 3; s++) {
				struct oc_compiled c;

				if (oc_compile(&cfg, &baseline, ids[i], sessions[s], &c, err,
					       sizeof(err)) == 0)
					oc_compiled_free(&c);
			}
		}
		oc_agent_ids_free(ids, count);
	}
	oc_config_free(&cfg);
	return 0;
}
