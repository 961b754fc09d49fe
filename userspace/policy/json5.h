/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json5.h - a JSON5 reader (https://spec.json5.org) that produces json-c
 * objects. Every value it creates remembers its line and column, so later
 * stages can report errors against the source text.
 */
#ifndef CLAWLOCK_JSON5_H
#define CLAWLOCK_JSON5_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <json-c/json.h>

/* Objects and arrays nested deeper than this are rejected. */
#define JSON5_MAX_DEPTH 200
/* Files larger than this are rejected before parsing. */
#define JSON5_MAX_FILE_BYTES (64u << 20)
/*
 * What one document may build, whatever its size in bytes: 20 MB of nested
 * empty arrays would otherwise take gigabytes of json-c objects. A config of
 * 10,000 agents needs a tenth of each.
 */
#define JSON5_MAX_VALUES     1000000
#define JSON5_MAX_CONTAINERS 200000

/* json5_options.flags */
enum {
	/* A key repeated in one object is an error (else the last wins, as in JavaScript). */
	JSON5_UNIQUE_KEYS = 1u << 0,
	/* A NUL character in a string is an error (C code would cut the string there). */
	JSON5_NO_NUL = 1u << 1,
};

/* json5_options.input: which translation input a file is (for signed policy). */
enum json5_input {
	JSON5_INPUT_NONE = 0,	  /* not a config file: no content hook */
	JSON5_INPUT_POLICY = 1,	  /* a clawlock policy file or one of its includes */
	JSON5_INPUT_OPENCLAW = 2, /* OpenClaw's config or one of its $includes */
};

struct json5_options {
	unsigned int file_id; /* 0 to 65535, kept in every value's position */
	unsigned int flags;
	enum json5_input input;
	const char *path; /* the file's name, for the content hook */
};

struct json5_error {
	int line;	   /* 1-based; 0 when the error is not in the text (I/O) */
	int column;	   /* 1-based, in characters */
	char message[640]; /* room for a signature refusal naming two paths */
};

/*
 * Parse @len bytes of @text (UTF-8; NUL bytes allowed inside strings).
 * Returns a new json-c object (release with json_object_put), or NULL with
 * @err filled in. Note that a JSON5 `null` document also returns NULL; then
 * err->message is empty.
 */
struct json_object *json5_parse(const char *text, size_t len, struct json5_error *err);

/* Read and parse a whole file: a regular one (a FIFO or device is refused unread). */
struct json_object *json5_parse_file(const char *path, struct json5_error *err);

/*
 * The same, tagging every value with @file_id (0 to 65535), so that values
 * merged from several files (includes) still tell where they came from.
 */
struct json_object *json5_parse_ex(const char *text, size_t len, unsigned int file_id,
				   struct json5_error *err);
struct json_object *json5_parse_file_ex(const char *path, unsigned int file_id,
					struct json5_error *err);

/*
 * Tell @hook the path of every file json5_parse_file_ex is asked to read,
 * before it opens it (so also one that is missing): the daemon watches
 * every file the last apply read, includes too. NULL to stop. Whatever
 * opens a config file another way must call json5_note_read() itself.
 */
void json5_set_read_hook(void (*hook)(const char *path, void *data), void *data);
void json5_note_read(const char *path);

/*
 * Show @hook the bytes of every named file json5_parse_fd reads, whatever
 * its input kind: `sandbox exec` fingerprints exactly what it compiled
 * from. NULL to stop. Whatever reads a config file another way (the
 * state dir's .env) must call json5_note_bytes() itself.
 */
typedef void (*json5_bytes_hook)(const char *path, const char *text, size_t len, void *data);
void json5_set_bytes_hook(json5_bytes_hook hook, void *data);
void json5_note_bytes(const char *path, const char *text, size_t len);

/*
 * Show @hook every path whose existence, kind, owner or target a compile
 * looked at (a skills folder, the workspace's owner, a baseline's link),
 * before it looks. NULL to stop.
 */
void json5_set_probe_hook(void (*hook)(const char *path, void *data), void *data);
void json5_note_probe(const char *path);

/*
 * Show @hook the exact bytes of every config file (input not NONE) that
 * json5_parse_fd or json5_parse_file_opts read, before they are parsed:
 * what it approves is what is parsed, with no second read in between. A
 * hook that returns -1 (with its reason in @why) fails that parse. NULL
 * to stop.
 */
typedef int (*json5_content_hook)(const struct json5_options *opts, const char *text, size_t len,
				  char *why, size_t whysize, void *data);
void json5_set_content_hook(json5_content_hook hook, void *data);

/*
 * The general forms. A key containing a NUL is always an error: json-c keeps
 * keys as C strings. json5_parse_fd reads only a regular file of at most
 * JSON5_MAX_FILE_BYTES; it does not close @fd.
 */
struct json_object *json5_parse_opts(const char *text, size_t len, const struct json5_options *opts,
				     struct json5_error *err);
struct json_object *json5_parse_file_opts(const char *path, const struct json5_options *opts,
					  struct json5_error *err);
struct json_object *json5_parse_fd(int fd, const struct json5_options *opts,
				   struct json5_error *err);
/* "a directory", "a FIFO", ... for messages about a file that is not a regular one. */
const char *json5_file_kind(mode_t mode);

/* Where @value started in the source. False for values not made by json5_parse. */
bool json5_position(struct json_object *value, int *line, int *column);
/* The same with the file id given at parsing. */
bool json5_origin(struct json_object *value, unsigned int *file_id, int *line, int *column);
/* Give @to the origin of @from (for values built from parsed ones). */
void json5_copy_position(struct json_object *to, struct json_object *from);

/* "path:line:column: message" (or "path: message" for I/O errors) into @buf. */
void json5_format_error(char *buf, size_t size, const char *path, const struct json5_error *err);

#endif /* CLAWLOCK_JSON5_H */
