// SPDX-License-Identifier: GPL-2.0
/*
 * prometheus_test.c - `clawlock status --prometheus`: every counter a
 * fleet's monitoring needs (denials, drops, rate-limited records, the
 * generation, bound scopes) in the text exposition format, label values
 * escaped, and nothing but the flags when clawlock is not loaded.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "events/prometheus.h"
#include "kselftest_harness.h"
#include "leakcheck.h"

/* Render @status_text (JSON) into a malloc'd string. */
static char *render(const char *status_text)
{
	struct json_object *status = json_tokener_parse(status_text);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!status || !f || cl_status_prometheus(status, f) < 0) {
		json_object_put(status);
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	json_object_put(status);
	return buf;
}

TEST(loaded_host_has_every_counter)
{
	char *out = render(
		"{ \"bpfLsmActive\": true, \"loaded\": true, \"generation\": 42, \"policies\": 3,"
		"  \"denied\": 17, \"audited\": 5, \"eventsDropped\": 2,"
		"  \"eventsRateLimited\": 9, \"walkLimitDenials\": 1, \"walkCacheHits\": 31,"
		"  \"bindings\": [ { \"cgroup\": \"/sys/fs/cgroup/clawlock/a\", \"agent\": \"a\","
		"    \"session\": \"agent:a:\\\"x\\\"\\nz\", \"mode\": \"enforce\" },"
		"    { \"cgroup\": \"/c/b\", \"agent\": \"b\", \"session\": null, \"mode\": \"audit\" },"
		"    { \"cgroup\": \"/c/c\", \"agent\": \"c\", \"mode\": \"enforce\", \"removed\": true } ],"
		"  \"ops\": { \"open\": { \"allowed\": 100, \"denied\": 7, \"audited\": 0 } } }");

	ASSERT_NE(NULL, out);
	EXPECT_NE(NULL, strstr(out, "\nclawlock_loaded 1\n"));
	EXPECT_NE(NULL,
		  strstr(out, "# TYPE clawlock_denied_total counter\nclawlock_denied_total 17\n"));
	EXPECT_NE(NULL, strstr(out, "\nclawlock_generation 42\n"));
	EXPECT_NE(NULL, strstr(out, "\nclawlock_events_dropped_total 2\n"));
	EXPECT_NE(NULL, strstr(out, "\nclawlock_events_rate_limited_total 9\n"));
	EXPECT_NE(NULL, strstr(out, "\nclawlock_walk_cache_hits_total 31\n"));
	EXPECT_NE(NULL, strstr(out, "\nclawlock_bound_scopes{mode=\"enforce\"} 1\n"));
	EXPECT_NE(NULL, strstr(out, "\nclawlock_bound_scopes{mode=\"audit\"} 1\n"));
	EXPECT_NE(NULL, strstr(out, "\nclawlock_bound_scopes{mode=\"removed\"} 1\n"));
	/* A session key with a quote and a line break stays one escaped label. */
	EXPECT_NE(NULL, strstr(out, "session=\"agent:a:\\\"x\\\"\\nz\""));
	EXPECT_NE(NULL, strstr(out, "clawlock_requests_total{op=\"open\",result=\"denied\"} 7\n"));
	/* Every line is a comment or a sample: a name, optional labels, a value. */
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		bool ok = line[0] == '#' || !strncmp(line, "clawlock_", 9);

		EXPECT_TRUE(ok)
		{
			TH_LOG("%s", line);
		}
	}
	free(out);
	LEAK_CHECK();
}

TEST(not_loaded_says_so_and_nothing_else)
{
	char *out = render("{ \"bpfLsmActive\": false, \"loaded\": false }");

	ASSERT_NE(NULL, out);
	EXPECT_NE(NULL, strstr(out, "\nclawlock_bpf_lsm_active 0\n"));
	EXPECT_NE(NULL, strstr(out, "\nclawlock_loaded 0\n"));
	EXPECT_EQ(NULL, strstr(out, "clawlock_denied_total"));
	free(out);
	LEAK_CHECK();
}

TEST_HARNESS_MAIN
