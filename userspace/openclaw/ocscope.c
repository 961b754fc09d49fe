// SPDX-License-Identifier: GPL-2.0
/*
 * ocscope.c - a scope's cgroup as OpenClaw names and sizes it: the slug
 * of its scope key (slugifySessionKey), and docker's limits (--memory,
 * --memory-swap, --cpus, --pids-limit) in cgroup v2 terms.
 */
#include "openclaw/ocscope.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loader/cgroup.h"
#include "util.h"

/* Ends in ":workspace:" and 32 hex digits (OpenClaw's workspace-qualified keys). */
static bool has_workspace_suffix(const char *key, size_t len)
{
	static const char marker[] = ":workspace:";
	size_t mlen = sizeof(marker) - 1;

	if (len < mlen + 32 || strncasecmp(key + len - 32 - mlen, marker, mlen) != 0)
		return false;
	for (size_t i = len - 32; i < len; i++) {
		if (!isxdigit((unsigned char)key[i]))
			return false;
	}
	return true;
}

/* The first 32 characters of @key mapped as OpenClaw does, dashes trimmed. */
static size_t slug_base(const char *key, size_t len, char *base)
{
	size_t n = 0, start = 0;
	bool in_run = false;

	/* Lower-case; each run outside [a-z0-9._-] becomes one dash ... */
	for (size_t i = 0; i < len; i++) {
		char c = (char)tolower((unsigned char)key[i]);
		bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
			       c == '_' || c == '-';

		if (allowed)
			base[n++] = c;
		else if (!in_run)
			base[n++] = '-';
		in_run = !allowed;
	}
	/* ... dashes trimmed at both ends, then the first 32 characters. */
	while (n && base[n - 1] == '-')
		n--;
	while (start < n && base[start] == '-')
		start++;
	if (n - start > 32)
		n = start + 32;
	memmove(base, base + start, n - start);
	base[n - start] = '\0';
	return n - start;
}

/* OpenClaw's slugifySessionKey (src/agents/sandbox/shared.ts, 2026.9.6). */
void cl_slugify(const char *key, char out[CL_SLUG_MAX])
{
	size_t len;
	char hash[33], *base;

	/* String.prototype.trim(), then "session" for an empty key. */
	while (*key && isspace((unsigned char)*key))
		key++;
	len = strlen(key);
	while (len && isspace((unsigned char)key[len - 1]))
		len--;
	if (!len) {
		key = "session";
		len = strlen(key);
	}
	if (has_workspace_suffix(key, len)) {
		cl_sha256_hex(key, len, hash, 32);
		snprintf(out, CL_SLUG_MAX, "workspace-%s", hash);
		return;
	}
	cl_sha256_hex(key, len, hash, 8);
	base = malloc(len + 1);
	if (base && slug_base(key, len, base))
		snprintf(out, CL_SLUG_MAX, "%s-%s", base, hash);
	else
		snprintf(out, CL_SLUG_MAX, "session-%s", hash);
	free(base);
}

void cl_scope_key(const char *agent, const char *session, char *out, size_t size)
{
	if (session)
		snprintf(out, size, "%s", session);
	else
		snprintf(out, size, "agent:%s", agent);
}

/* The size suffix of docker's units.RAMInBytes: "", b, or k/m/g/t/p then b or ib. */
static int size_power(const char *sfx)
{
	static const char units[] = "kmgtp";
	const char *unit;

	if (!*sfx || !strcasecmp(sfx, "b"))
		return 0;
	unit = strchr(units, tolower((unsigned char)*sfx));
	if (!unit)
		return -1;
	if (sfx[1] && strcasecmp(sfx + 1, "b") && strcasecmp(sfx + 1, "ib"))
		return -1;
	return (int)(unit - units) + 1;
}

int cl_docker_bytes(const char *text, long long *out)
{
	char trimmed[80], num[64], *end;
	size_t sep, numlen;
	double value;
	int power;

	/* OpenClaw trims the value before docker reads it. */
	text += strspn(text, " \t\n\r\f\v");
	sep = strlen(text);
	while (sep && isspace((unsigned char)text[sep - 1]))
		sep--;
	if (sep >= sizeof(trimmed))
		return -1;
	memcpy(trimmed, text, sep);
	trimmed[sep] = '\0';
	text = trimmed;
	/* The number runs to the last digit, dot or space (docker's parseSize). */
	while (sep && !strchr("0123456789. ", text[sep - 1]))
		sep--;
	numlen = sep && text[sep - 1] == ' ' ? sep - 1 : sep;
	if (!numlen || numlen >= sizeof(num) || !strchr("+-.0123456789", text[0]))
		return -1;
	memcpy(num, text, numlen);
	num[numlen] = '\0';
	errno = 0;
	value = strtod(num, &end);
	/* strtod would also take "nan", "inf" and hex, which docker refuses. */
	if (*end || errno || !isfinite(value) || value < 0 || strpbrk(num, "xX"))
		return -1;
	power = strlen(text + sep) <= 3 ? size_power(text + sep) : -1;
	if (power < 0)
		return -1;
	while (power--)
		value *= 1024;
	if (value > 9.2e18)
		return -1;
	*out = (long long)value;
	return 0;
}

static bool blank(const char *text)
{
	return text && !text[strspn(text, " \t\n\r\f\v")];
}

static int memory_limits(const char *memory, const char *memory_swap, struct cl_limits *limits,
			 char *err, size_t errsize)
{
	long long total = 0;

	if (memory && !blank(memory) && cl_docker_bytes(memory, &limits->memory_max) < 0) {
		snprintf(err, errsize, "memory \"%s\" is not a size (like 512m or 1g)", memory);
		return -1;
	}
	/* docker --memory 0 means no limit. */
	if (limits->memory_max == 0)
		limits->memory_max = -1;
	if (memory_swap && (blank(memory_swap) || !strcmp(memory_swap, "-1")))
		return 0;
	if (memory_swap && cl_docker_bytes(memory_swap, &total) < 0) {
		snprintf(err, errsize, "memorySwap \"%s\" is not a size (like 2g, or -1)",
			 memory_swap);
		return -1;
	}
	if (total > 0) {
		if (limits->memory_max < 0 || total < limits->memory_max) {
			snprintf(err, errsize,
				 "memorySwap (memory plus swap) needs memory, and must not be "
				 "below it (docker refuses this too)");
			return -1;
		}
		limits->memory_swap_max = total - limits->memory_max;
	} else if (limits->memory_max >= 0) {
		/* docker's default (no memorySwap, or 0): as much swap as memory. */
		limits->memory_swap_max = limits->memory_max;
	}
	return 0;
}

int cl_limits_from_docker(long long pids, const char *memory, const char *memory_swap,
			  const char *cpus, struct cl_limits *limits, char *err, size_t errsize)
{
	double cores;
	char *end;

	*limits = (struct cl_limits){ -1, -1, -1, -1 };
	if (pids > 0)
		limits->pids_max = pids;
	if (memory_limits(memory, memory_swap, limits, err, errsize) < 0)
		return -1;
	if (cpus) {
		errno = 0;
		cores = strtod(cpus, &end);
		/* !(cores > 0): NaN fails every comparison, and NaN cast to an integer is UB. */
		if (end == cpus || *end || errno || !(cores > 0) || cores > 4096) {
			snprintf(err, errsize, "cpus \"%s\" is not a positive number", cpus);
			return -1;
		}
		limits->cpu_quota = (long long)(cores * 100000 + 0.5);
		if (limits->cpu_quota < 1000)
			limits->cpu_quota = 1000; /* the kernel's minimum quota is 1 ms */
	}
	return 0;
}
