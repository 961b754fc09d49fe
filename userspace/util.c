// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - messages and small helpers.
 */
#include "util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cl_verbose;
int cl_quiet;

static void vmessage(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "clawlock: %s", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cl_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("error: ", fmt, ap);
	va_end(ap);
}

void cl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

void cl_info(const char *fmt, ...)
{
	va_list ap;

	if (cl_quiet)
		return;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

char *cl_strdup(const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		cl_error("out of memory");
	return copy;
}

bool cl_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < size;
}

bool cl_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (!size)
		return len == 0;
	if (len >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return false;
	}
	memcpy(dst, src, len + 1);
	return true;
}

int cl_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}
