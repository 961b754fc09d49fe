// SPDX-License-Identifier: GPL-2.0
/*
 * json5.c - a recursive-descent JSON5 reader on top of json-c.
 *
 * Debian ships no C JSON5 library, so this one is ours. It follows the JSON5
 * 1.0.0 grammar: comments, trailing commas, identifier keys, single-quoted
 * and multi-line strings, hexadecimal numbers, leading or trailing decimal
 * points, explicit plus signs, Infinity and NaN. Unicode classes come from
 * libunistring. Positions are tracked per character so that every error is
 * reported as line:column.
 */
#include "policy/json5.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unictype.h>
#include <unistd.h>
#include <unistr.h>

struct parser {
	unsigned int file_id;
	unsigned int flags;
	size_t values;	   /* made so far, against JSON5_MAX_VALUES */
	size_t containers; /* objects and arrays, against JSON5_MAX_CONTAINERS */
	const uint8_t *text;
	size_t len;
	size_t pos;
	int line;
	int column;
	int depth;
	struct json5_error *err;
	bool failed;
};

struct strbuf {
	char *data;
	size_t len;
	size_t cap;
};

#define END_OF_INPUT ((ucs4_t)-1)
#define INVALID_UTF8 ((ucs4_t)-2)

static void fail_at(struct parser *p, int line, int column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail_at(struct parser *p, int line, int column, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	p->err->line = line;
	p->err->column = column;
	va_start(ap, fmt);
	vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
	va_end(ap);
}

#define fail(p, ...) fail_at((p), (p)->line, (p)->column, __VA_ARGS__)

/* The code point at byte offset @at, and its length in bytes. */
static ucs4_t decode_at(const struct parser *p, size_t at, int *size)
{
	ucs4_t c;
	int n;

	*size = 0;
	if (at >= p->len)
		return END_OF_INPUT;
	n = u8_mbtoucr(&c, p->text + at, p->len - at);
	if (n < 0)
		return INVALID_UTF8;
	*size = n;
	return c;
}

static ucs4_t peek(const struct parser *p)
{
	int size;

	return decode_at(p, p->pos, &size);
}

static ucs4_t peek_next(const struct parser *p)
{
	int size, next;

	decode_at(p, p->pos, &size);
	if (!size)
		return END_OF_INPUT;
	return decode_at(p, p->pos + size, &next);
}

static bool is_line_terminator(ucs4_t c)
{
	return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029;
}

/* Step over one code point, keeping line and column. \r\n is one break. */
static ucs4_t advance(struct parser *p)
{
	int size;
	ucs4_t c = decode_at(p, p->pos, &size);

	if (!size)
		return c;
	p->pos += size;
	if (c == '\r' && peek(p) == '\n') {
		p->column++;
	} else if (is_line_terminator(c)) {
		p->line++;
		p->column = 1;
	} else {
		p->column++;
	}
	return c;
}

static void report_unexpected(struct parser *p, const char *where)
{
	ucs4_t c = peek(p);

	if (c == END_OF_INPUT)
		fail(p, "unexpected end of input %s", where);
	else if (c == INVALID_UTF8)
		fail(p, "invalid UTF-8 %s", where);
	else if (c >= 0x20 && c < 0x7f)
		fail(p, "unexpected '%c' %s", (int)c, where);
	else
		fail(p, "unexpected character U+%04X %s", (unsigned int)c, where);
}

static bool is_space(ucs4_t c)
{
	switch (c) {
	case '\t':
	case '\v':
	case '\f':
	case ' ':
	case 0xa0:
	case 0xfeff:
		return true;
	}
	if (is_line_terminator(c))
		return true;
	return c < 0x110000 && uc_is_general_category(c, UC_SPACE_SEPARATOR);
}

static bool skip_block_comment(struct parser *p)
{
	int line = p->line, column = p->column;

	advance(p);
	advance(p);
	for (;;) {
		ucs4_t c = peek(p);

		if (c == END_OF_INPUT) {
			fail_at(p, line, column, "unterminated /* comment");
			return false;
		}
		if (c == INVALID_UTF8) {
			fail(p, "invalid UTF-8 in a comment");
			return false;
		}
		if (c == '*' && peek_next(p) == '/') {
			advance(p);
			advance(p);
			return true;
		}
		advance(p);
	}
}

/* Skip white space and comments. False (with an error) on a bad comment. */
static bool skip_space(struct parser *p)
{
	for (;;) {
		ucs4_t c = peek(p);

		if (c == END_OF_INPUT || c == INVALID_UTF8)
			return true;
		if (is_space(c)) {
			advance(p);
		} else if (c == '/' && peek_next(p) == '/') {
			while (peek(p) != END_OF_INPUT && !is_line_terminator(peek(p))) {
				if (peek(p) == INVALID_UTF8) {
					fail(p, "invalid UTF-8 in a comment");
					return false;
				}
				advance(p);
			}
		} else if (c == '/' && peek_next(p) == '*') {
			if (!skip_block_comment(p))
				return false;
		} else {
			return true;
		}
	}
}

static bool strbuf_append(struct strbuf *sb, const void *bytes, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 32;
		char *data;

		while (cap < sb->len + n + 1)
			cap *= 2;
		data = realloc(sb->data, cap);
		if (!data)
			return false;
		sb->data = data;
		sb->cap = cap;
	}
	memcpy(sb->data + sb->len, bytes, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
	return true;
}

static bool strbuf_append_cp(struct strbuf *sb, ucs4_t c)
{
	uint8_t bytes[6];
	int n = u8_uctomb(bytes, c, sizeof(bytes));

	return n > 0 && strbuf_append(sb, bytes, n);
}

static int hex_value(ucs4_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* @digits hex digits; returns -1 (with an error) if they are not there. */
static long read_hex(struct parser *p, int digits)
{
	long value = 0;

	for (int i = 0; i < digits; i++) {
		int v = hex_value(peek(p));

		if (v < 0) {
			report_unexpected(p, "in a hexadecimal escape");
			return -1;
		}
		value = value * 16 + v;
		advance(p);
	}
	return value;
}

/* After "\u": one UTF-16 unit, or a surrogate pair written as two escapes. */
static ucs4_t read_unicode_escape(struct parser *p)
{
	long high = read_hex(p, 4), low;
	size_t pos;
	int line, column;

	if (high < 0)
		return INVALID_UTF8;
	if (high < 0xd800 || high > 0xdbff)
		return (high >= 0xdc00 && high <= 0xdfff) ? 0xfffd : (ucs4_t)high;
	if (peek(p) != '\\' || peek_next(p) != 'u')
		return 0xfffd; /* a lone high surrogate has no UTF-8 form */
	pos = p->pos;
	line = p->line;
	column = p->column;
	advance(p);
	advance(p);
	low = read_hex(p, 4);
	if (low < 0)
		return INVALID_UTF8;
	if (low < 0xdc00 || low > 0xdfff) {
		/* Not a pair: keep the second escape for the caller to read again. */
		p->pos = pos;
		p->line = line;
		p->column = column;
		return 0xfffd;
	}
	return 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
}

static bool is_digit(ucs4_t c)
{
	return c >= '0' && c <= '9';
}

/* What a one-character escape (\b, \f, \n, \r, \t, \v) stands for; 0 if @c is none. */
static ucs4_t simple_escape(ucs4_t c)
{
	static const char from[] = "bfnrtv", to[] = "\b\f\n\r\t\v";
	const char *at = c && c < 128 ? strchr(from, (int)c) : NULL;

	return at ? (ucs4_t)to[at - from] : 0;
}

/* An escape that names a code point (\0, \xHH, \uHHHH), appended to @sb. */
static bool read_numeric_escape(struct parser *p, struct strbuf *sb, ucs4_t c)
{
	ucs4_t out;

	advance(p);
	if (c == '0') {
		if (is_digit(peek(p))) {
			fail(p, "octal escapes are not allowed");
			return false;
		}
		return strbuf_append(sb, "", 1);
	}
	if (c == 'x') {
		out = read_hex(p, 2);
		if (out == (ucs4_t)-1)
			return false;
		return strbuf_append_cp(sb, out);
	}
	out = read_unicode_escape(p);
	if (out == INVALID_UTF8)
		return false;
	return strbuf_append_cp(sb, out);
}

/* One escape sequence after the backslash, appended to @sb. */
static bool read_escape(struct parser *p, struct strbuf *sb)
{
	ucs4_t c = peek(p);
	ucs4_t out;

	if (c == END_OF_INPUT || c == INVALID_UTF8) {
		report_unexpected(p, "in an escape");
		return false;
	}
	if (is_line_terminator(c)) {
		/* Line continuation: the break is not part of the string. */
		advance(p);
		if (c == '\r' && peek(p) == '\n')
			advance(p);
		return true;
	}
	if (c == '0' || c == 'x' || c == 'u')
		return read_numeric_escape(p, sb, c);
	if (is_digit(c)) {
		fail(p, "invalid escape '\\%c'", (int)c);
		return false;
	}
	out = simple_escape(c);
	advance(p);
	/* Any other character stands for itself. */
	return strbuf_append_cp(sb, out ? out : c);
}

/* A quoted string; @sb receives its value. The opening quote is current. */
static bool read_string(struct parser *p, struct strbuf *sb)
{
	ucs4_t quote = advance(p);
	int line = p->line, column = p->column - 1;

	if (!strbuf_append(sb, "", 0))
		goto nomem;
	for (;;) {
		size_t start = p->pos;
		ucs4_t c = peek(p);

		if (c == quote) {
			advance(p);
			return true;
		}
		if (c == END_OF_INPUT) {
			fail_at(p, line, column, "unterminated string");
			return false;
		}
		if (c == INVALID_UTF8) {
			fail(p, "invalid UTF-8 in a string");
			return false;
		}
		if (c == '\n' || c == '\r') {
			fail(p, "line break in a string (escape it with a backslash)");
			return false;
		}
		if (c == '\\') {
			advance(p);
			if (!read_escape(p, sb)) {
				if (!p->failed)
					goto nomem;
				return false;
			}
			continue;
		}
		advance(p);
		if (!strbuf_append(sb, p->text + start, p->pos - start))
			goto nomem;
	}
nomem:
	fail(p, "out of memory");
	return false;
}

static bool is_id_start(ucs4_t c)
{
	if (c == '$' || c == '_')
		return true;
	if (c >= 0x110000)
		return false;
	return uc_is_general_category(c, UC_CATEGORY_L) ||
	       uc_is_general_category(c, UC_LETTER_NUMBER);
}

static bool is_id_part(ucs4_t c)
{
	if (is_id_start(c) || c == 0x200c || c == 0x200d)
		return true;
	if (c >= 0x110000)
		return false;
	return uc_is_general_category(c, UC_NON_SPACING_MARK) ||
	       uc_is_general_category(c, UC_COMBINING_SPACING_MARK) ||
	       uc_is_general_category(c, UC_DECIMAL_DIGIT_NUMBER) ||
	       uc_is_general_category(c, UC_CONNECTOR_PUNCTUATION);
}

/* An identifier name used as a key; \uXXXX escapes allowed. */
static bool read_identifier(struct parser *p, struct strbuf *sb)
{
	bool first = true;

	for (;;) {
		int line = p->line, column = p->column;
		ucs4_t c = peek(p);

		if (c == '\\') {
			advance(p);
			if (peek(p) != 'u') {
				report_unexpected(p, "in an identifier escape (expected 'u')");
				return false;
			}
			advance(p);
			c = read_unicode_escape(p);
			if (c == INVALID_UTF8)
				return false;
			if (first ? !is_id_start(c) : !is_id_part(c)) {
				fail_at(p, line, column,
					"escape U+%04X is not allowed in an identifier",
					(unsigned int)c);
				return false;
			}
		} else if (first ? is_id_start(c) : is_id_part(c)) {
			advance(p);
		} else if (first) {
			report_unexpected(p, "where a key was expected");
			return false;
		} else {
			return true;
		}
		if (!strbuf_append_cp(sb, c)) {
			fail(p, "out of memory");
			return false;
		}
		first = false;
	}
}

/*
 * A value's origin is packed into its json-c userdata: 16 bits of file id,
 * 28 of line, 20 of column (larger values saturate). Zero means "unknown".
 */
#define POS_LINE_MAX   ((1u << 28) - 1)
#define POS_COLUMN_MAX ((1u << 20) - 1)

static void set_position(struct json_object *obj, unsigned int file_id, int line, int column)
{
	uint64_t l = (unsigned int)line > POS_LINE_MAX ? POS_LINE_MAX : (unsigned int)line;
	uint64_t c = (unsigned int)column > POS_COLUMN_MAX ? POS_COLUMN_MAX : (unsigned int)column;
	uint64_t packed = ((uint64_t)(file_id & 0xffff) << 48) | (l << 20) | c;

	if (obj)
		json_object_set_userdata(obj, (void *)(uintptr_t)packed, NULL);
}

bool json5_origin(struct json_object *value, unsigned int *file_id, int *line, int *column)
{
	uint64_t packed;

	if (!value)
		return false;
	packed = (uintptr_t)json_object_get_userdata(value);
	if (!packed)
		return false;
	if (file_id)
		*file_id = (unsigned int)(packed >> 48);
	*line = (int)((packed >> 20) & POS_LINE_MAX);
	*column = (int)(packed & POS_COLUMN_MAX);
	return true;
}

bool json5_position(struct json_object *value, int *line, int *column)
{
	return json5_origin(value, NULL, line, column);
}

void json5_copy_position(struct json_object *to, struct json_object *from)
{
	if (to && from)
		json_object_set_userdata(to, json_object_get_userdata(from), NULL);
}

static struct json_object *parse_value(struct parser *p);

/* True if the next character would continue a word (so "truex" is not true). */
static bool word_continues(struct parser *p)
{
	ucs4_t c = peek(p);

	return c != END_OF_INPUT && c != INVALID_UTF8 && (is_id_part(c) || c == '\\');
}

static bool match_word(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n) != 0)
		return false;
	p->pos += n;
	p->column += n;
	return true;
}

/* An integer that fits 64 bits, or NULL (then the caller makes a double). */
static struct json_object *make_integer(const char *digits, bool negative, int base)
{
	unsigned long long u;
	char *end;

	errno = 0;
	u = strtoull(digits, &end, base);
	if (errno || *end)
		return NULL;
	if (!negative)
		return u <= INT64_MAX ? json_object_new_int64((int64_t)u)
				      : json_object_new_uint64(u);
	if (u == 0)
		return NULL; /* -0 keeps its sign as a double */
	if (u <= (unsigned long long)INT64_MAX + 1)
		return json_object_new_int64((int64_t)(0 - u));
	return NULL;
}

static struct json_object *make_number(const char *digits, bool negative, bool is_float, int base)
{
	struct json_object *obj = NULL;
	double d = 0;

	if (!is_float)
		obj = make_integer(digits, negative, base);
	if (obj)
		return obj;
	if (base == 16) {
		for (const char *c = digits; *c; c++)
			d = d * 16 + hex_value((ucs4_t)*c);
	} else {
		d = strtod(digits, NULL);
	}
	return json_object_new_double(negative ? -d : d);
}

/* Append to a number's text; running out of memory is an error, not a wrong number. */
static void number_append(struct parser *p, struct strbuf *sb, const char *text, size_t n)
{
	if (!strbuf_append(sb, text, n))
		fail(p, "out of memory");
}

static bool read_digits(struct parser *p, struct strbuf *sb, bool hex)
{
	bool any = false;

	while (hex ? hex_value(peek(p)) >= 0 : is_digit(peek(p))) {
		char c = (char)advance(p);

		if (!strbuf_append(sb, &c, 1)) {
			fail(p, "out of memory");
			return false;
		}
		any = true;
	}
	return any;
}

/* The decimal part of a number after its sign: 12, 1.5, .5, 5., 1e3, 0. */
static bool read_decimal(struct parser *p, struct strbuf *sb, bool *is_float)
{
	bool int_digits = false, frac_digits = false;

	if (peek(p) == '0') {
		advance(p);
		number_append(p, sb, "0", 1);
		int_digits = true;
		if (is_digit(peek(p))) {
			fail(p, "leading zeros are not allowed");
			return false;
		}
	} else {
		int_digits = read_digits(p, sb, false);
	}
	if (peek(p) == '.') {
		advance(p);
		*is_float = true;
		number_append(p, sb, ".", 1);
		frac_digits = read_digits(p, sb, false);
	}
	if (!int_digits && !frac_digits) {
		report_unexpected(p, "in a number");
		return false;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		advance(p);
		*is_float = true;
		number_append(p, sb, "e", 1);
		if (peek(p) == '+' || peek(p) == '-') {
			char sign = (char)advance(p);

			number_append(p, sb, &sign, 1);
		}
		if (!read_digits(p, sb, false)) {
			report_unexpected(p, "in an exponent");
			return false;
		}
	}
	return !p->failed;
}

static struct json_object *parse_number(struct parser *p)
{
	struct strbuf sb = { 0 };
	struct json_object *obj = NULL;
	bool negative = false, is_float = false;
	int base = 10;

	if (peek(p) == '+' || peek(p) == '-')
		negative = advance(p) == '-';
	if (match_word(p, "Infinity")) {
		obj = json_object_new_double(negative ? -INFINITY : INFINITY);
	} else if (match_word(p, "NaN")) {
		obj = json_object_new_double(NAN);
	} else if (peek(p) == '0' && (peek_next(p) == 'x' || peek_next(p) == 'X')) {
		advance(p);
		advance(p);
		base = 16;
		if (!read_digits(p, &sb, true))
			report_unexpected(p, "in a hexadecimal number");
	} else {
		read_decimal(p, &sb, &is_float);
	}
	if (!p->failed && word_continues(p))
		report_unexpected(p, "after a number");
	if (!p->failed && !obj)
		obj = make_number(sb.data ? sb.data : "0", negative, is_float, base);
	free(sb.data);
	if (!p->failed && !obj)
		fail(p, "out of memory");
	if (p->failed) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/* Commas between items, and an optional one before the closer. */
static int after_item(struct parser *p, ucs4_t closer, const char *what)
{
	if (!skip_space(p))
		return -1;
	if (peek(p) == ',') {
		advance(p);
		if (!skip_space(p))
			return -1;
		return peek(p) == closer ? 1 : 0;
	}
	if (peek(p) == closer)
		return 1;
	report_unexpected(p, what);
	return -1;
}

static struct json_object *parse_array(struct parser *p)
{
	struct json_object *array = json_object_new_array_ext(4); /* not 32 slots */

	advance(p);
	if (!array || !skip_space(p))
		goto fail;
	while (peek(p) != ']') {
		struct json_object *item = parse_value(p);
		int done;

		if (p->failed)
			goto fail;
		json_object_array_add(array, item);
		done = after_item(p, ']', "in an array (expected ',' or ']')");
		if (done < 0)
			goto fail;
		if (done)
			break;
	}
	advance(p);
	return array;
fail:
	if (!array)
		fail(p, "out of memory");
	json_object_put(array);
	return NULL;
}

static bool parse_key(struct parser *p, struct strbuf *key)
{
	ucs4_t c = peek(p);

	if (c == '"' || c == '\'')
		return read_string(p, key);
	return read_identifier(p, key);
}

/*
 * json-c holds keys as C strings: a NUL would cut the key silently, so that
 * "/etc/shadow\u0000junk" became a rule on /etc/shadow. It is refused.
 */
static bool check_key(struct parser *p, struct json_object *object, const struct strbuf *key,
		      int line, int column)
{
	if (strlen(key->data) != key->len) {
		fail_at(p, line, column, "a key cannot contain a NUL character (\\u0000)");
		return false;
	}
	if ((p->flags & JSON5_UNIQUE_KEYS) && json_object_object_get_ex(object, key->data, NULL)) {
		fail_at(p, line, column, "duplicate key '%.64s' in this object", key->data);
		return false;
	}
	return true;
}

static bool parse_member(struct parser *p, struct json_object *object)
{
	struct strbuf key = { 0 };
	struct json_object *value;
	int line = p->line, column = p->column;

	if (!parse_key(p, &key) || !check_key(p, object, &key, line, column) || !skip_space(p))
		goto fail;
	if (peek(p) != ':') {
		report_unexpected(p, "after a key (expected ':')");
		goto fail;
	}
	advance(p);
	value = parse_value(p);
	if (p->failed)
		goto fail;
	/* Without JSON5_UNIQUE_KEYS a repeated key replaces the earlier value, as in JavaScript. */
	if (json_object_object_add(object, key.data, value) < 0) {
		json_object_put(value);
		fail(p, "out of memory");
		goto fail;
	}
	free(key.data);
	return true;
fail:
	free(key.data);
	return false;
}

static struct json_object *parse_object(struct parser *p)
{
	struct json_object *object = json_object_new_object();

	advance(p);
	if (!object || !skip_space(p))
		goto fail;
	while (peek(p) != '}') {
		int done;

		if (!parse_member(p, object))
			goto fail;
		done = after_item(p, '}', "in an object (expected ',' or '}')");
		if (done < 0)
			goto fail;
		if (done)
			break;
	}
	advance(p);
	return object;
fail:
	if (!object)
		fail(p, "out of memory");
	json_object_put(object);
	return NULL;
}

static struct json_object *parse_literal(struct parser *p)
{
	static const char *const words[] = { "true", "false", "null" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!match_word(p, words[i]))
			continue;
		if (word_continues(p)) {
			report_unexpected(p, "after a literal");
			return NULL;
		}
		return i == 2 ? NULL : json_object_new_boolean(i == 0);
	}
	report_unexpected(p, "where a value was expected");
	return NULL;
}

static struct json_object *parse_nested(struct parser *p, ucs4_t c)
{
	struct json_object *obj;

	if (++p->depth > JSON5_MAX_DEPTH) {
		fail(p, "nested deeper than %d levels", JSON5_MAX_DEPTH);
		return NULL;
	}
	/* An empty object costs json-c about a kilobyte: bound them, not only the bytes. */
	if (++p->containers > JSON5_MAX_CONTAINERS) {
		fail(p, "more than %d objects and arrays (the limit)", JSON5_MAX_CONTAINERS);
		return NULL;
	}
	obj = c == '{' ? parse_object(p) : parse_array(p);
	p->depth--;
	return obj;
}

static struct json_object *parse_string_value(struct parser *p)
{
	struct strbuf sb = { 0 };
	struct json_object *obj = NULL;
	int line = p->line, column = p->column;

	if (read_string(p, &sb) && (p->flags & JSON5_NO_NUL) && memchr(sb.data, 0, sb.len)) {
		fail_at(p, line, column,
			"a string cannot contain a NUL character (\\u0000): it would be cut there");
	} else if (!p->failed) {
		obj = json_object_new_string_len(sb.data, (int)sb.len);
		if (!obj)
			fail(p, "out of memory");
	}
	free(sb.data);
	return obj;
}

static struct json_object *parse_value(struct parser *p)
{
	struct json_object *obj;
	int line, column;
	ucs4_t c;

	if (!skip_space(p))
		return NULL;
	line = p->line;
	column = p->column;
	if (++p->values > JSON5_MAX_VALUES) {
		fail(p, "more than %d values (the limit)", JSON5_MAX_VALUES);
		return NULL;
	}
	c = peek(p);
	if (c == '{' || c == '[')
		obj = parse_nested(p, c);
	else if (c == '"' || c == '\'')
		obj = parse_string_value(p);
	else if (is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'I' || c == 'N')
		obj = parse_number(p);
	else if (c == 't' || c == 'f' || c == 'n')
		obj = parse_literal(p);
	else {
		report_unexpected(p, "where a value was expected");
		return NULL;
	}
	set_position(obj, p->file_id, line, column);
	return obj;
}

struct json_object *json5_parse(const char *text, size_t len, struct json5_error *err)
{
	return json5_parse_ex(text, len, 0, err);
}

struct json_object *json5_parse_ex(const char *text, size_t len, unsigned int file_id,
				   struct json5_error *err)
{
	const struct json5_options opts = { .file_id = file_id };

	return json5_parse_opts(text, len, &opts, err);
}

struct json_object *json5_parse_opts(const char *text, size_t len, const struct json5_options *opts,
				     struct json5_error *err)
{
	struct parser p = {
		.file_id = opts->file_id,
		.flags = opts->flags,
		.text = (const uint8_t *)text,
		.len = len,
		.line = 1,
		.column = 1,
		.err = err,
	};
	struct json_object *root;

	memset(err, 0, sizeof(*err));
	root = parse_value(&p);
	if (!p.failed && skip_space(&p) && peek(&p) != END_OF_INPUT)
		report_unexpected(&p, "after the end of the document");
	if (p.failed) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

static void (*read_hook)(const char *path, void *data);
static void *read_hook_data;

void json5_set_read_hook(void (*hook)(const char *path, void *data), void *data)
{
	read_hook = hook;
	read_hook_data = data;
}

static json5_content_hook content_hook;
static void *content_hook_data;

void json5_set_content_hook(json5_content_hook hook, void *data)
{
	content_hook = hook;
	content_hook_data = data;
}

static json5_bytes_hook bytes_hook;
static void *bytes_hook_data;

void json5_set_bytes_hook(json5_bytes_hook hook, void *data)
{
	bytes_hook = hook;
	bytes_hook_data = data;
}

void json5_note_bytes(const char *path, const char *text, size_t len)
{
	if (bytes_hook && path)
		bytes_hook(path, text, len, bytes_hook_data);
}

static void (*probe_hook)(const char *path, void *data);
static void *probe_hook_data;

void json5_set_probe_hook(void (*hook)(const char *path, void *data), void *data)
{
	probe_hook = hook;
	probe_hook_data = data;
}

void json5_note_probe(const char *path)
{
	if (probe_hook && path)
		probe_hook(path, probe_hook_data);
}

void json5_note_read(const char *path)
{
	if (read_hook)
		read_hook(path, read_hook_data);
}

struct json_object *json5_parse_file(const char *path, struct json5_error *err)
{
	return json5_parse_file_ex(path, 0, err);
}

struct json_object *json5_parse_file_ex(const char *path, unsigned int file_id,
					struct json5_error *err)
{
	const struct json5_options opts = { .file_id = file_id };

	return json5_parse_file_opts(path, &opts, err);
}

struct json_object *json5_parse_file_opts(const char *path, const struct json5_options *opts,
					  struct json5_error *err)
{
	struct json_object *root;
	int fd;

	struct json5_options named = *opts;

	memset(err, 0, sizeof(*err));
	json5_note_read(path);
	/* O_NONBLOCK: a FIFO must not hang the reader; it is refused below. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err->message, sizeof(err->message), "cannot open: %s", strerror(errno));
		return NULL;
	}
	named.path = path;
	root = json5_parse_fd(fd, &named, err);
	close(fd);
	return root;
}

const char *json5_file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return S_ISREG(mode) ? "a regular file" : "not a regular file";
}

/* The whole of @fd, at most JSON5_MAX_FILE_BYTES; NULL with @err set. */
static char *read_all(int fd, size_t *len, struct json5_error *err)
{
	size_t cap = 0;
	char *text = NULL;

	*len = 0;
	for (;;) {
		ssize_t n;

		if (*len + 4096 > cap) {
			char *bigger;

			cap = cap ? cap * 2 : 8192;
			bigger = cap > JSON5_MAX_FILE_BYTES ? NULL : realloc(text, cap);
			if (!bigger) {
				snprintf(err->message, sizeof(err->message), "%s",
					 cap > JSON5_MAX_FILE_BYTES ? "file is larger than 64 MiB"
								    : "out of memory");
				free(text);
				return NULL;
			}
			text = bigger;
		}
		n = read(fd, text + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err->message, sizeof(err->message), "cannot read: %s",
				 strerror(errno));
			free(text);
			return NULL;
		}
		if (n == 0)
			return text;
		*len += n;
	}
}

struct json_object *json5_parse_fd(int fd, const struct json5_options *opts,
				   struct json5_error *err)
{
	struct json_object *root;
	struct stat st;
	size_t len;
	char *text;

	memset(err, 0, sizeof(*err));
	if (fstat(fd, &st) < 0) {
		snprintf(err->message, sizeof(err->message), "cannot stat: %s", strerror(errno));
		return NULL;
	}
	/* Nothing is read from a FIFO, device or directory: it may block, or be a secret. */
	if (!S_ISREG(st.st_mode)) {
		snprintf(err->message, sizeof(err->message), "not a regular file (%s)",
			 json5_file_kind(st.st_mode));
		return NULL;
	}
	if (st.st_size > (off_t)JSON5_MAX_FILE_BYTES) {
		snprintf(err->message, sizeof(err->message), "file is larger than 64 MiB");
		return NULL;
	}
	text = read_all(fd, &len, err);
	if (!text)
		return NULL;
	json5_note_bytes(opts->path, text, len);
	if (content_hook && opts->input != JSON5_INPUT_NONE &&
	    content_hook(opts, text, len, err->message, sizeof(err->message), content_hook_data) <
		    0) {
		free(text);
		return NULL;
	}
	root = json5_parse_opts(text, len, opts, err);
	free(text);
	return root;
}

void json5_format_error(char *buf, size_t size, const char *path, const struct json5_error *err)
{
	if (err->line > 0)
		snprintf(buf, size, "%s:%d:%d: %s", path, err->line, err->column, err->message);
	else
		snprintf(buf, size, "%s: %s", path, err->message);
}
