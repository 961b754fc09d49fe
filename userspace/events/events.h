/* SPDX-License-Identifier: GPL-2.0 */
/*
 * events.h - the event stream: records of the ring buffer, as JSON objects
 * (time, host, agent, session, op, target, decision, rule, ...), handed
 * to a sink. Prints nothing but its errors.
 */
#ifndef CLAWLOCK_EVENTS_H
#define CLAWLOCK_EVENTS_H

#include <stddef.h>

/*
 * Records of the ring buffer, as JSON objects, handed to @sink (a negative
 * return stops the current poll); drop records (decision "dropped")
 * whenever the drop counters moved. NULL filters pass everything.
 */
struct events_ctx;
struct json_object;
struct events_ctx *cl_event_stream_open(const char *agent, const char *session, const char *op,
					int (*sink)(struct json_object *record, void *data),
					void *data);
/* Readable when records wait (for epoll). */
int cl_event_stream_fd(struct events_ctx *ctx);
/* Hand over the records that wait, without a look at the drop counters. */
int cl_event_stream_consume(struct events_ctx *ctx);
/* Wait up to @timeout_ms (0: do not wait) and hand over what arrived. */
int cl_event_stream_poll(struct events_ctx *ctx, int timeout_ms);
void cl_event_stream_free(struct events_ctx *ctx);

/* Now, as the time field of a record. */
void cl_event_time_now(char *buf, size_t size);
/*
 * Add @value (bytes, NUL-terminated) under @key: as it is when it is valid
 * UTF-8, else with U+FFFD for each invalid byte and the exact bytes in hex
 * under "<key>Hex" (operations.md, Events).
 */
void cl_json_add_bytes(struct json_object *obj, const char *key, const char *value);
/*
 * Length of the valid UTF-8 sequence at @s (at most @n bytes), 0 if there
 * is none (the text output escapes what is not).
 */
size_t cl_utf8_sequence(const unsigned char *s, size_t n);

/* An operation's name in events and status (enum cl_op). */
const char *cl_op_name(unsigned int op);

#endif /* CLAWLOCK_EVENTS_H */
