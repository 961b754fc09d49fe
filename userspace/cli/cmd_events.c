// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_events.c - clawlock events: read denial records off the ring buffer
 * and print them, one per line, as text or JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "events/events.h"
#include "util.h"

static const char events_help[] =
	"Usage: clawlock events [--json] [--follow] [--agent ID] [--session KEY]\n"
	"                       [--op OP] [--count N] [--timeout SECS]\n"
	"\n"
	"Print the denial events (and audit records) waiting in the kernel's ring\n"
	"buffer, one line each, then exit; with --follow keep printing as they\n"
	"happen until interrupted. Each record is consumed once: two readers\n"
	"share the stream.\n"
	"\n"
	"  -j, --json          one JSON object a line: time, host, agent, session,\n"
	"                      cgroup, pid, ppid, uid, comm, op, target, access,\n"
	"                      decision, reason, rule {path, access, source}, policy,\n"
	"                      suppressed (records like it the rate limit held back);\n"
	"                      a name that is not UTF-8 is also given exactly as\n"
	"                      hex in targetHex (commHex, agentHex, sessionHex)\n"
	"  -f, --follow        keep streaming\n"
	"      --agent ID      only this agent's events\n"
	"      --session KEY   only this session's events\n"
	"      --op OP         only this operation: open, create (mkdir, mknod,\n"
	"                      symlink), unlink (and rmdir), rename, link, setattr\n"
	"                      (truncate, chmod, chown), xattr, exec (a privilege\n"
	"                      transition), mmap (executable mapping), bpf,\n"
	"                      perf_event_open, module, mount, userns, socket (raw,\n"
	"                      packet, other families), connect, sendto, bind,\n"
	"                      listen, unix (connect/send to a unix socket), signal,\n"
	"                      ptrace (also /proc/PID/mem and friends), capability,\n"
	"                      receive (a descriptor passed in), clawlock (its own\n"
	"                      BPF objects)\n"
	"  -n, --count N       stop after N printed events\n"
	"      --timeout SECS  with --follow, stop after SECS seconds\n"
	"\n"
	"With --follow, records lost to the rate limit or to a full ring buffer\n"
	"are reported as they happen (decision \"dropped\", rateLimited, ringFull).\n"
	"\n"
	"The default text line reads:\n"
	"  TIME DECISION OP ACCESS TARGET agent=ID session=KEY pid=PID comm=COMM\n"
	"      rule=PATH(ACCESS) source=FILE:LINE:COL KEY\n"
	"(control bytes and bytes that are not UTF-8 as \\xHH, a backslash as \\\\).\n";

/* What the command asked for, and how many lines it printed. */
struct events_opts {
	int json;
	const char *agent;
	const char *session;
	const char *op;
	long count; /* printed so far */
	long limit; /* 0: no limit */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* One byte as the text format shows it when it is not printable text. */
static void put_hex(FILE *out, unsigned char c)
{
	fprintf(out, "\\x%02x", c);
}

/*
 * @value on the terminal, safely: control bytes (C0, DEL, C1) and bytes
 * that are not UTF-8 as \xHH, a backslash as \\, printable UTF-8 as is.
 * Nothing an agent names can move the cursor or recolour the screen.
 */
static void put_escaped(FILE *out, const unsigned char *s, size_t len)
{
	for (size_t i = 0, k; i < len; i += k ? k : 1) {
		k = cl_utf8_sequence(s + i, len - i);
		if (!k || s[i] < 0x20 || s[i] == 0x7f || (s[i] == 0xc2 && s[i + 1] < 0xa0)) {
			for (size_t j = 0; j < (k ? k : 1); j++)
				put_hex(out, s[i + j]);
		} else if (s[i] == '\\') {
			fputs("\\\\", out);
		} else {
			fwrite(s + i, 1, k, out);
		}
	}
}

/* A field of @obj as text: its exact bytes (from "<key>Hex" if there), escaped. */
static void put_field(FILE *out, struct json_object *obj, const char *key)
{
	struct json_object *v, *hex;
	unsigned char *bytes;
	char hex_key[64];
	const char *s;
	size_t len;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !v) {
		fputc('-', out);
		return;
	}
	snprintf(hex_key, sizeof(hex_key), "%sHex", key);
	if (!json_object_object_get_ex(obj, hex_key, &hex)) {
		s = json_object_get_string(v);
		put_escaped(out, (const unsigned char *)s, strlen(s));
		return;
	}
	s = json_object_get_string(hex);
	bytes = malloc(strlen(s) / 2 + 1);
	for (len = 0; bytes && s[2 * len] && s[2 * len + 1]; len++) {
		unsigned int c = 0;

		sscanf(s + 2 * len, "%2x", &c);
		bytes[len] = c;
	}
	put_escaped(out, bytes, bytes ? len : 0);
	free(bytes);
}

static void print_text(struct json_object *obj)
{
	static const char *const keys[] = { "time", "decision", "op", "access", "target" };
	static const char *const named[] = { "agent", "session", "pid", "comm" };
	struct json_object *rule = NULL, *v;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (i)
			putchar(' ');
		put_field(stdout, obj, keys[i]);
	}
	if (json_object_object_get_ex(obj, "pathTruncated", &v))
		fputs(" (truncated: the last name only)", stdout);
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		printf(" %s=", named[i]);
		put_field(stdout, obj, named[i]);
	}
	if (json_object_object_get_ex(obj, "rule", &rule) && rule) {
		fputs(" rule=", stdout);
		put_field(stdout, rule, "path");
		putchar('(');
		put_field(stdout, rule, "access");
		fputs(") source=", stdout);
		put_field(stdout, rule, "source");
	} else {
		fputs(" rule=none reason=", stdout);
		put_field(stdout, obj, "reason");
		if (json_object_object_get_ex(obj, "default", &v)) {
			fputs(" default=", stdout);
			put_field(stdout, obj, "default");
		}
	}
	putchar('\n');
	if (json_object_object_get_ex(obj, "suppressed", &v))
		printf("  (and %s more like it, held back by the rate limit)\n",
		       json_object_get_string(v));
}

static void print_drops_text(struct json_object *obj)
{
	struct json_object *time, *rate, *ring;

	json_object_object_get_ex(obj, "time", &time);
	json_object_object_get_ex(obj, "rateLimited", &rate);
	json_object_object_get_ex(obj, "ringFull", &ring);
	printf("%s DROPPED %s records held back by the rate limit, %s lost to a full ring "
	       "buffer (all of the host's agents; see clawlock status)\n",
	       json_object_get_string(time), json_object_get_string(rate),
	       json_object_get_string(ring));
}

/* The events command's sink: a line on stdout. */
static int print_record(struct json_object *obj, void *data)
{
	struct events_opts *ctx = data;
	struct json_object *v;

	if (ctx->json)
		printf("%s\n",
		       json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (json_object_object_get_ex(obj, "rateLimited", &v))
		print_drops_text(obj);
	else
		print_text(obj);
	fflush(stdout);
	if (json_object_object_get_ex(obj, "rateLimited", &v))
		return 0;
	ctx->count++;
	/* A negative return stops ring_buffer__consume/poll early. */
	return ctx->limit && ctx->count >= ctx->limit ? -1 : 0;
}

/* --count's or --timeout's whole number; -1, said, if the text is not one. */
static int parse_whole(const struct cl_opt *opt, char *text)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || *end || value < 0) {
		cl_error("events: --%s takes a whole number, not '%s'", opt->name, text);
		return -1;
	}
	*(long *)opt->dest = value;
	return 0;
}

static int parse_events_opts(int argc, char **argv, struct events_opts *ctx, int *follow,
			     long *timeout)
{
	struct cl_opt opts[] = {
		CL_OPT_FLAG("json", 'j', &ctx->json),
		CL_OPT_FLAG("follow", 'f', follow),
		CL_OPT_STRING("agent", 0, &ctx->agent),
		CL_OPT_STRING("session", 0, &ctx->session),
		CL_OPT_STRING("op", 0, &ctx->op),
		CL_OPT_CALL("count", 'n', parse_whole, &ctx->limit),
		CL_OPT_CALL("timeout", 0, parse_whole, timeout),
		CL_OPT_END,
	};
	int ret = cl_opts_parse(argc, argv, opts, events_help);

	if (ret)
		return ret;
	if (optind < argc) {
		cl_error("events: unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	return 0;
}

static int limit_reached(struct events_opts *ctx)
{
	return ctx->limit && ctx->count >= ctx->limit;
}

int cl_cmd_events(int argc, char **argv)
{
	struct events_opts opts = { 0 };
	struct events_ctx *ctx;
	long timeout = 0;
	int follow = 0, ret;
	long long deadline;

	ret = parse_events_opts(argc, argv, &opts, &follow, &timeout);
	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	ctx = cl_event_stream_open(opts.agent, opts.session, opts.op, print_record, &opts);
	if (!ctx)
		return CL_EXIT_FAILURE;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	deadline = cl_clock_ns(CLOCK_MONOTONIC) + timeout * 1000000000LL;
	ret = cl_event_stream_consume(ctx);
	while (follow && !stop && ret >= 0 && !limit_reached(&opts)) {
		if (timeout && cl_clock_ns(CLOCK_MONOTONIC) >= deadline)
			break;
		ret = cl_event_stream_poll(ctx, 200);
	}
	/* What arrived before the stop is still read, and its drops said. */
	if (follow && ret >= 0 && !limit_reached(&opts))
		ret = cl_event_stream_poll(ctx, 0);
	if (ret < 0 && !limit_reached(&opts)) {
		cl_error("reading events failed: %s", strerror(-ret));
		ret = CL_EXIT_FAILURE;
	} else {
		ret = CL_EXIT_OK;
	}
	cl_event_stream_free(ctx);
	return ret;
}
