// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_events.c - clawlock events: read denial records off the ring buffer
 * and print them, one per line, as text or JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "bpfstate.h"
#include "commands.h"
#include "policy.h"
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

struct events_ctx {
	struct cl_maps maps;
	int json;
	const char *agent;
	const char *session;
	const char *op;
	long count; /* printed so far */
	long limit; /* 0: no limit */
	long long boot_to_real_ns;
	char host[256];
	/* Where records go: the events command prints, the daemon writes its sinks. */
	int (*sink)(struct json_object *record, void *data);
	void *sink_data;
	struct ring_buffer *rb;
	uint64_t seen_rate, seen_ring;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void format_time(long long real_ns, char *buf, size_t size)
{
	time_t secs = real_ns / 1000000000LL;
	struct tm tm;
	size_t len;

	gmtime_r(&secs, &tm);
	len = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + len, size - len, ".%06lldZ", (real_ns % 1000000000LL) / 1000);
}

void cl_event_time_now(char *buf, size_t size)
{
	format_time(clock_ns(CLOCK_REALTIME), buf, size);
}

const char *cl_op_name(__u32 op)
{
	static const char *const names[] = {
		[CL_OP_OPEN] = "open",
		[CL_OP_CREATE] = "create",
		[CL_OP_UNLINK] = "unlink",
		[CL_OP_RENAME] = "rename",
		[CL_OP_LINK] = "link",
		[CL_OP_SETATTR] = "setattr",
		[CL_OP_XATTR] = "xattr",
		[CL_OP_EXEC] = "exec",
		[CL_OP_MMAP] = "mmap",
		[CL_OP_BPF] = "bpf",
		[CL_OP_PERF] = "perf_event_open",
		[CL_OP_MODULE] = "module",
		[CL_OP_MOUNT] = "mount",
		[CL_OP_USERNS] = "userns",
		[CL_OP_SOCKET] = "socket",
		[CL_OP_CONNECT] = "connect",
		[CL_OP_SENDTO] = "sendto",
		[CL_OP_BIND] = "bind",
		[CL_OP_LISTEN] = "listen",
		[CL_OP_UNIX] = "unix",
		[CL_OP_SIGNAL] = "signal",
		[CL_OP_PTRACE] = "ptrace",
		[CL_OP_CAPABILITY] = "capability",
		[CL_OP_RECEIVE] = "receive",
		[CL_OP_SELF] = "clawlock",
		[CL_OP_CGROUP] = "cgroup",
		[CL_OP_IOCTL] = "ioctl",
		[CL_OP_KEY] = "key",
		[CL_OP_IPC] = "ipc",
		[CL_OP_PRLIMIT] = "prlimit",
		[CL_OP_IO_URING] = "io_uring",
		[CL_OP_STAT] = "stat",
		[CL_OP_WATCH] = "watch",
	};

	if (op < sizeof(names) / sizeof(names[0]) && names[op])
		return names[op];
	return "unknown";
}

static const char *reason_name(const struct cl_event *e)
{
	if (e->flags & CL_EVENT_HARDENING)
		return "never-in-a-sandbox";
	if (e->flags & CL_EVENT_OTHER_SANDBOX)
		return "other-sandbox";
	if (e->flags & CL_EVENT_HOST_LOOPBACK)
		return "host-loopback";
	if (e->flags & CL_EVENT_ABSTRACT)
		return "abstract-socket-not-listed";
	if (e->op == CL_OP_CAPABILITY)
		return "capability-dropped";
	if (e->op == CL_OP_SELF)
		return "clawlock-object";
	if (e->flags & CL_EVENT_CONTROL_FS)
		return "control-fs";
	if (e->flags & CL_EVENT_SETID)
		return "set-id";
	if (e->flags & CL_EVENT_EXEC_OFF)
		return "exec-switched-off";
	if (e->flags & CL_EVENT_UNLINKED)
		return "unlinked";
	if (e->flags & CL_EVENT_WALK_LIMIT)
		return "walk-limit";
	if (e->flags & CL_EVENT_DISCONNECTED)
		return "disconnected";
	if (e->flags & CL_EVENT_NO_RULE)
		return "no-rule";
	return "rule";
}

/*
 * Length of the valid UTF-8 sequence at @s (at most @n bytes), 0 if there
 * is none: RFC 3629, so no overlong forms, no surrogates, nothing past
 * U+10FFFF. File names and comms are bytes, not text.
 */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned int need, min, cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3, min = 0x10000;
	else
		return 0;
	if (n < need + 1)
		return 0;
	cp = s[0] & (0x3f >> need);
	for (unsigned int i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

/*
 * A field whose bytes may not be text (a file name, a comm, a session
 * key): json-c writes bytes that are not UTF-8 raw, which strict parsers
 * reject. Valid UTF-8 goes in as it is; anything else goes in with each
 * invalid byte shown as U+FFFD, and "<key>Hex" carries the exact bytes.
 */
void cl_json_add_bytes(struct json_object *obj, const char *key, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t len = strlen(value), valid = 1;
	char *text, *hex, hex_key[64];
	size_t t = 0;

	for (size_t i = 0, k; i < len && valid; i += k ? k : 1)
		valid = (k = utf8_sequence(s + i, len - i)) != 0;
	if (valid) {
		json_object_object_add(obj, key, json_object_new_string(value));
		return;
	}
	text = malloc(len * 3 + 1);
	hex = malloc(len * 2 + 1);
	for (size_t i = 0, k; text && hex && i < len; i += k ? k : 1) {
		k = utf8_sequence(s + i, len - i);
		memcpy(text + t, k ? (const char *)s + i : "\xef\xbf\xbd", k ? k : 3);
		t += k ? k : 3;
	}
	for (size_t i = 0; text && hex && i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", s[i]);
	if (text && hex) {
		snprintf(hex_key, sizeof(hex_key), "%sHex", key);
		json_object_object_add(obj, key, json_object_new_string_len(text, (int)t));
		json_object_object_add(obj, hex_key, json_object_new_string(hex));
	}
	free(text);
	free(hex);
}

static struct json_object *rule_json(struct events_ctx *ctx, const struct cl_event *e)
{
	struct cl_rule_info info;
	struct json_object *rule;
	char access[32];

	if (!e->rule_id || bpf_map_lookup_elem(ctx->maps.rule_info, &e->rule_id, &info))
		return NULL;
	rule = json_object_new_object();
	json_object_object_add(rule, "id", json_object_new_int64(e->rule_id));
	/* From the config, but a config's strings are bytes too. */
	info.path[sizeof(info.path) - 1] = '\0';
	info.source[sizeof(info.source) - 1] = '\0';
	cl_json_add_bytes(rule, "path", info.path);
	json_object_object_add(
		rule, "access",
		json_object_new_string(cl_access_format(info.access, access, sizeof(access))));
	cl_json_add_bytes(rule, "source", info.source);
	return rule;
}

/*
 * What the event was about, as one string: a path, ADDRESS:PORT/PROTO, the
 * other process, the capability, or the refused socket kind.
 */
static void format_target(const struct cl_event *e, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN] = "?";

	switch (e->op) {
	case CL_OP_CONNECT:
	case CL_OP_SENDTO:
	case CL_OP_BIND:
	case CL_OP_LISTEN:
		inet_ntop(e->family == AF_INET ? AF_INET : AF_INET6, e->addr, addr, sizeof(addr));
		snprintf(buf, size, e->family == AF_INET ? "%s:%u/%s" : "[%s]:%u/%s", addr, e->port,
			 cl_net_proto_name(e->proto));
		if (e->family == AF_UNIX)
			snprintf(buf, size, "%.*s", (int)sizeof(e->path), e->path);
		break;
	case CL_OP_SIGNAL:
	case CL_OP_PTRACE:
		snprintf(buf, size, "pid %u (%.*s)", e->target_pid, (int)sizeof(e->path), e->path);
		break;
	case CL_OP_SELF:
		if (e->target_pid)
			snprintf(buf, size, "pid %u (%s)", e->target_pid, e->path);
		else
			snprintf(buf, size, "%s", e->path);
		break;
	case CL_OP_CAPABILITY:
		snprintf(buf, size, "cap_%s", cl_cap_name(e->arg));
		break;
	case CL_OP_IOCTL:
		snprintf(buf, size, "ioctl 0x%x", e->arg);
		break;
	case CL_OP_KEY:
	case CL_OP_IPC:
		snprintf(buf, size, "%s %u", e->op == CL_OP_KEY ? "key" : "ipc", e->arg);
		break;
	case CL_OP_SOCKET:
		/* A refused option or control message names itself; proto is its level. */
		if (e->path[0])
			snprintf(buf, size, "%.20s level %u name %u", e->path, e->proto, e->arg);
		else
			snprintf(buf, size, "family %u type %u protocol %u", e->family, e->proto,
				 e->arg);
		break;
	default:
		snprintf(buf, size, "%.*s", (int)sizeof(e->path), e->path);
	}
}

/* What of clawlock's a CL_OP_SELF record was about (enum cl_object_kind in arg). */
static void self_json(struct json_object *obj, const struct cl_event *e)
{
	static const char *const kinds[] = {
		[0] = "pin",
		[CL_OBJ_MAP] = "map",
		[CL_OBJ_PROG] = "program",
		[CL_OBJ_LINK] = "link",
		[CL_OBJ_PROCESS] = "process",
		[CL_OBJ_EXE] = "executable",
	};

	json_object_object_add(obj, "object",
			       json_object_new_string(e->arg < sizeof(kinds) / sizeof(kinds[0])
							      ? kinds[e->arg]
							      : "?"));
	if (e->target_pid)
		json_object_object_add(obj, "targetPid", json_object_new_int64(e->target_pid));
}

static struct json_object *event_json(struct events_ctx *ctx, const struct cl_event *e,
				      const struct cl_scope_info *scope)
{
	struct json_object *obj = json_object_new_object();
	char when[64], access[32], target[CL_EVENT_PATH_MAX + 64], comm[sizeof(e->comm) + 1];

	format_time(e->time_ns + ctx->boot_to_real_ns, when, sizeof(when));
	json_object_object_add(obj, "time", json_object_new_string(when));
	json_object_object_add(obj, "host", json_object_new_string(ctx->host));
	cl_json_add_bytes(obj, "agent", scope->agent);
	if (scope->session[0])
		cl_json_add_bytes(obj, "session", scope->session);
	else
		json_object_object_add(obj, "session", NULL);
	json_object_object_add(obj, "cgroup", json_object_new_uint64(e->cgroup_id));
	json_object_object_add(obj, "pid", json_object_new_int64(e->tgid));
	json_object_object_add(obj, "tid", json_object_new_int64(e->pid));
	json_object_object_add(obj, "ppid", json_object_new_int64(e->ppid));
	json_object_object_add(obj, "uid", json_object_new_int64(e->uid));
	snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(e->comm), e->comm);
	cl_json_add_bytes(obj, "comm", comm);
	json_object_object_add(obj, "op", json_object_new_string(cl_op_name(e->op)));
	format_target(e, target, sizeof(target));
	cl_json_add_bytes(obj, "target", target);
	if (e->op == CL_OP_SELF)
		self_json(obj, e);
	if (e->op == CL_OP_SIGNAL || e->op == CL_OP_PTRACE) {
		json_object_object_add(obj, "targetPid", json_object_new_int64(e->target_pid));
		json_object_object_add(obj, e->op == CL_OP_SIGNAL ? "signal" : "mode",
				       json_object_new_int64(e->arg));
	}
	if (e->flags & CL_EVENT_PATH_TRUNCATED)
		json_object_object_add(obj, "pathTruncated", json_object_new_boolean(1));
	json_object_object_add(
		obj, "access",
		json_object_new_string(cl_access_format(e->access, access, sizeof(access))));
	json_object_object_add(
		obj, "decision",
		json_object_new_string(e->decision == CL_DECISION_AUDIT ? "audit" : "deny"));
	json_object_object_add(obj, "reason", json_object_new_string(reason_name(e)));
	json_object_object_add(obj, "rule", rule_json(ctx, e));
	json_object_object_add(obj, "policy", json_object_new_int64(e->policy_id));
	/* Records of the same cgroup and rule the rate limit held back before this one. */
	if (e->suppressed)
		json_object_object_add(obj, "suppressed", json_object_new_int64(e->suppressed));
	return obj;
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
		k = utf8_sequence(s + i, len - i);
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
	}
	putchar('\n');
	if (json_object_object_get_ex(obj, "suppressed", &v))
		printf("  (and %s more like it, held back by the rate limit)\n",
		       json_object_get_string(v));
}

/* Records lost since the last look: said in the stream, never silent. */
static void report_drops(struct events_ctx *ctx)
{
	uint64_t rate = cl_stat_read(&ctx->maps, CL_STAT_RATE_DROP);
	uint64_t ring = cl_stat_read(&ctx->maps, CL_STAT_EVENT_DROP);
	struct json_object *obj;
	char when[64];

	if (rate == ctx->seen_rate && ring == ctx->seen_ring)
		return;
	cl_event_time_now(when, sizeof(when));
	obj = json_object_new_object();
	json_object_object_add(obj, "time", json_object_new_string(when));
	json_object_object_add(obj, "host", json_object_new_string(ctx->host));
	json_object_object_add(obj, "decision", json_object_new_string("dropped"));
	json_object_object_add(obj, "rateLimited", json_object_new_uint64(rate - ctx->seen_rate));
	json_object_object_add(obj, "ringFull", json_object_new_uint64(ring - ctx->seen_ring));
	ctx->sink(obj, ctx->sink_data);
	json_object_put(obj);
	ctx->seen_rate = rate;
	ctx->seen_ring = ring;
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

static int wanted(struct events_ctx *ctx, const struct cl_event *e,
		  const struct cl_scope_info *scope)
{
	if (ctx->agent && strcmp(ctx->agent, scope->agent))
		return 0;
	if (ctx->session && strcmp(ctx->session, scope->session))
		return 0;
	if (ctx->op && strcmp(ctx->op, cl_op_name(e->op)))
		return 0;
	return 1;
}

static int handle_event(void *data, void *raw, size_t size)
{
	struct events_ctx *ctx = data;
	const struct cl_event *e = raw;
	struct cl_scope_info scope = { 0 };
	struct json_object *obj;
	int ret;

	if (size < sizeof(*e))
		return 0;
	if (bpf_map_lookup_elem(ctx->maps.scope_info, &e->bound_cgroup_id, &scope))
		snprintf(scope.agent, sizeof(scope.agent), "?");
	if (!wanted(ctx, e, &scope))
		return 0;
	obj = event_json(ctx, e, &scope);
	ret = ctx->sink(obj, ctx->sink_data);
	json_object_put(obj);
	return ret;
}

/* The events command's sink: a line on stdout. */
static int print_record(struct json_object *obj, void *data)
{
	struct events_ctx *ctx = data;
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

static int parse_events_opts(int argc, char **argv, struct events_ctx *ctx, int *follow,
			     long *timeout)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "agent", required_argument, NULL, 'a' },
		{ "session", required_argument, NULL, 's' },
		{ "op", required_argument, NULL, 'o' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jfn:h", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx->json = 1;
			break;
		case 'f':
			*follow = 1;
			break;
		case 'a':
			ctx->agent = optarg;
			break;
		case 's':
			ctx->session = optarg;
			break;
		case 'o':
			ctx->op = optarg;
			break;
		case 'n':
		case 't':
			errno = 0;
			long value = strtol(optarg, &end, 10);

			if (errno || *end || value < 0) {
				cl_error("events: --%s takes a whole number, not '%s'",
					 c == 'n' ? "count" : "timeout", optarg);
				return -1;
			}
			if (c == 'n')
				ctx->limit = value;
			else
				*timeout = value;
			break;
		case 'h':
			fputs(events_help, stdout);
			return 1;
		default:
			return -1;
		}
	}
	if (optind < argc) {
		cl_error("events: unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	return 0;
}

struct events_ctx *cl_event_stream_open(const char *agent, const char *session, const char *op,
					int (*sink)(struct json_object *record, void *data),
					void *data)
{
	struct events_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx) {
		cl_error("out of memory");
		return NULL;
	}
	ctx->agent = agent;
	ctx->session = session;
	ctx->op = op;
	ctx->sink = sink;
	ctx->sink_data = data;
	if (cl_maps_open(&ctx->maps) < 0) {
		free(ctx);
		return NULL;
	}
	gethostname(ctx->host, sizeof(ctx->host) - 1);
	ctx->boot_to_real_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	ctx->seen_rate = cl_stat_read(&ctx->maps, CL_STAT_RATE_DROP);
	ctx->seen_ring = cl_stat_read(&ctx->maps, CL_STAT_EVENT_DROP);
	ctx->rb = ring_buffer__new(ctx->maps.events, handle_event, ctx, NULL);
	if (!ctx->rb) {
		cl_error("cannot open the event ring buffer: %s", strerror(errno));
		cl_maps_close(&ctx->maps);
		free(ctx);
		return NULL;
	}
	return ctx;
}

int cl_event_stream_fd(struct events_ctx *ctx)
{
	return ring_buffer__epoll_fd(ctx->rb);
}

int cl_event_stream_poll(struct events_ctx *ctx, int timeout_ms)
{
	int ret =
		timeout_ms ? ring_buffer__poll(ctx->rb, timeout_ms) : ring_buffer__consume(ctx->rb);

	if (ret == -EINTR)
		ret = 0;
	report_drops(ctx);
	return ret;
}

void cl_event_stream_free(struct events_ctx *ctx)
{
	if (!ctx)
		return;
	ring_buffer__free(ctx->rb);
	cl_maps_close(&ctx->maps);
	free(ctx);
}

static int limit_reached(struct events_ctx *ctx)
{
	return ctx->limit && ctx->count >= ctx->limit;
}

int cl_cmd_events(int argc, char **argv)
{
	struct events_ctx opts = { 0 }, *ctx;
	long timeout = 0;
	int follow = 0, ret;
	long long deadline;

	ret = parse_events_opts(argc, argv, &opts, &follow, &timeout);
	if (ret)
		return ret > 0 ? CL_EXIT_OK : CL_EXIT_USAGE;
	ctx = cl_event_stream_open(opts.agent, opts.session, opts.op, print_record, NULL);
	if (!ctx)
		return CL_EXIT_FAILURE;
	ctx->sink_data = ctx;
	ctx->json = opts.json;
	ctx->limit = opts.limit;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	deadline = clock_ns(CLOCK_MONOTONIC) + timeout * 1000000000LL;
	ret = ring_buffer__consume(ctx->rb);
	while (follow && !stop && ret >= 0 && !limit_reached(ctx)) {
		if (timeout && clock_ns(CLOCK_MONOTONIC) >= deadline)
			break;
		ret = cl_event_stream_poll(ctx, 200);
	}
	/* What arrived before the stop is still read, and its drops said. */
	if (follow && ret >= 0 && !limit_reached(ctx))
		ret = cl_event_stream_poll(ctx, 0);
	if (ret < 0 && !limit_reached(ctx)) {
		cl_error("reading events failed: %s", strerror(-ret));
		ret = CL_EXIT_FAILURE;
	} else {
		ret = CL_EXIT_OK;
	}
	cl_event_stream_free(ctx);
	return ret;
}
