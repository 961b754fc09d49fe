// SPDX-License-Identifier: GPL-2.0
/*
 * events.c - the event stream: denial records off the ring buffer, as
 * JSON objects, handed to a sink (the events command prints them, the
 * daemon writes them out, learn collects them).
 */
#include <errno.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "loader/bpfstate.h"
#include "events/events.h"
#include "policy/policy.h"
#include "util.h"

struct events_ctx {
	struct cl_maps maps;
	const char *agent;
	const char *session;
	const char *op;
	long long boot_to_real_ns;
	char host[256];
	/* Where records go: the events command prints, the daemon writes its sinks. */
	int (*sink)(struct json_object *record, void *data);
	void *sink_data;
	struct ring_buffer *rb;
	uint64_t seen_rate, seen_ring;
};

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
	format_time(cl_clock_ns(CLOCK_REALTIME), buf, size);
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
size_t cl_utf8_sequence(const unsigned char *s, size_t n)
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
		valid = (k = cl_utf8_sequence(s + i, len - i)) != 0;
	if (valid) {
		json_object_object_add(obj, key, json_object_new_string(value));
		return;
	}
	text = malloc(len * 3 + 1);
	hex = malloc(len * 2 + 1);
	for (size_t i = 0, k; text && hex && i < len; i += k ? k : 1) {
		k = cl_utf8_sequence(s + i, len - i);
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

/* A denial no rule decided: what denies by default, when the policy says (an OpenClaw sandbox). */
static void add_default(struct events_ctx *ctx, const struct cl_event *e, struct json_object *obj)
{
	__u32 id = CL_DEFAULT_RECORD_BIT | e->policy_id;
	struct cl_rule_info info;

	if (e->rule_id || strcmp(reason_name(e), "no-rule") ||
	    bpf_map_lookup_elem(ctx->maps.rule_info, &id, &info) || info.policy_id != e->policy_id)
		return;
	info.source[sizeof(info.source) - 1] = '\0';
	cl_json_add_bytes(obj, "default", info.source);
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
	add_default(ctx, e, obj);
	json_object_object_add(obj, "policy", json_object_new_int64(e->policy_id));
	/* Records of the same cgroup and rule the rate limit held back before this one. */
	if (e->suppressed)
		json_object_object_add(obj, "suppressed", json_object_new_int64(e->suppressed));
	return obj;
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
	ctx->boot_to_real_ns = cl_clock_ns(CLOCK_REALTIME) - cl_clock_ns(CLOCK_BOOTTIME);
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

int cl_event_stream_consume(struct events_ctx *ctx)
{
	return ring_buffer__consume(ctx->rb);
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
