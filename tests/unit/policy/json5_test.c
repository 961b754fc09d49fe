// SPDX-License-Identifier: GPL-2.0
/*
 * json5_test.c - the JSON5 reader against the cases of the JSON5 spec
 * (https://spec.json5.org and its test suite's categories: arrays, comments,
 * misc, new-lines, numbers, objects, strings) and against its error positions.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/json5.h"
#include "kselftest_harness.h"
#include "leakcheck.h"

/* Parse @text (length by strlen unless @len) and serialise it as plain JSON. */
static const char *roundtrip(const char *text, size_t len, char *out, size_t size)
{
	struct json5_error err;
	struct json_object *obj = json5_parse(text, len ? len : strlen(text), &err);

	if (!obj && err.message[0]) {
		snprintf(out, size, "ERROR %d:%d %s", err.line, err.column, err.message);
		return out;
	}
	snprintf(out, size, "%s",
		 obj ? json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
								   JSON_C_TO_STRING_NOSLASHESCAPE)
		     : "null");
	json_object_put(obj);
	return out;
}

struct valid_case {
	const char *json5;
	const char *json;
};

struct invalid_case {
	const char *json5;
	int line;
	int column;
};

static int check_valid(struct __test_metadata *_metadata, const struct valid_case *cases, size_t n)
{
	char out[1024];

	for (size_t i = 0; i < n; i++) {
		roundtrip(cases[i].json5, 0, out, sizeof(out));
		EXPECT_STREQ(cases[i].json, out)
		{
			TH_LOG("input: %s", cases[i].json5);
		}
	}
	return 0;
}

static int check_invalid(struct __test_metadata *_metadata, const struct invalid_case *cases,
			 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *text = cases[i].json5;
		struct json5_error err;
		struct json_object *obj = json5_parse(text, strlen(text), &err);

		EXPECT_NULL(obj)
		{
			TH_LOG("accepted invalid input: %s", text);
		}
		json_object_put(obj);
		EXPECT_NE(0, err.message[0]);
		EXPECT_EQ(cases[i].line, err.line)
		{
			TH_LOG("input: %s (%s)", text, err.message);
		}
		EXPECT_EQ(cases[i].column, err.column)
		{
			TH_LOG("input: %s (%s)", text, err.message);
		}
	}
	return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

TEST(objects)
{
	static const struct valid_case cases[] = {
		{ "{}", "{}" },
		{ "{\"a\":1}", "{\"a\":1}" },
		{ "{a:1}", "{\"a\":1}" },
		{ "{'a':1}", "{\"a\":1}" },
		{ "{a:1,}", "{\"a\":1}" },
		{ "{ while: true, null: 1, true: 2 }", "{\"while\":true,\"null\":1,\"true\":2}" },
		{ "{$_:1,_$:2,a\u200c:3}", "{\"$_\":1,\"_$\":2,\"a\u200c\":3}" },
		{ "{\u00fcml\u00e5\u00fbt:'x'}", "{\"\u00fcml\u00e5\u00fbt\":\"x\"}" },
		{ "{\\u0061b:1}", "{\"ab\":1}" },
		{ "{a:1,a:2}", "{\"a\":2}" },
		{ "{a:{b:[{}]}}", "{\"a\":{\"b\":[{}]}}" },
		{ "{\u0391\u0392:1}", "{\"\u0391\u0392\":1}" },
	};

	check_valid(_metadata, cases, N(cases));
	LEAK_CHECK();
}

TEST(invalid_objects)
{
	static const struct invalid_case cases[] = {
		{ "{a:1,,}", 1, 6 }, { "{,}", 1, 2 },	      { "{1:2}", 1, 2 },
		{ "{a b:1}", 1, 4 }, { "{'a' 1}", 1, 6 },     { "{a:1", 1, 5 },
		{ "{a-b:1}", 1, 3 }, { "{\\u0031:1}", 1, 2 }, { "{:1}", 1, 2 },
	};

	check_invalid(_metadata, cases, N(cases));
	LEAK_CHECK();
}

TEST(arrays)
{
	static const struct valid_case cases[] = {
		{ "[]", "[]" },
		{ "[1,]", "[1]" },
		{ "[[1,[2]],[]]", "[[1,[2]],[]]" },
		{ "[null,true,false]", "[null,true,false]" },
		{ "[ 1 , 'a' , {} ]", "[1,\"a\",{}]" },
	};
	static const struct invalid_case bad[] = {
		{ "[,]", 1, 2 },
		{ "[1 2]", 1, 4 },
		{ "[1,,]", 1, 4 },
		{ "[1", 1, 3 },
	};

	check_valid(_metadata, cases, N(cases));
	check_invalid(_metadata, bad, N(bad));
	LEAK_CHECK();
}

TEST(strings)
{
	static const struct valid_case cases[] = {
		{ "'a\"b'", "\"a\\\"b\"" },
		{ "\"a'b\"", "\"a'b\"" },
		{ "'\\b\\f\\n\\r\\t\\v'", "\"\\b\\f\\n\\r\\t\\u000b\"" },
		{ "'\\x41\\u00e9'", "\"A\u00e9\"" },
		{ "'\\uD83D\\uDE00'", "\"\U0001F600\"" },
		{ "'a\\\nb'", "\"ab\"" },
		{ "'a\\\r\nb'", "\"ab\"" },
		{ "'a\\\rb'", "\"ab\"" },
		{ "'a\\\u2028b'", "\"ab\"" },
		{ "'a\u2028b\u2029c'", "\"a\u2028b\u2029c\"" },
		{ "'\\a\\c\\''", "\"ac'\"" },
		{ "'\\\\'", "\"\\\\\"" },
		{ "'\\/'", "\"/\"" },
		{ "''", "\"\"" },
		{ "'\\uD800'", "\"\ufffd\"" },
	};
	static const struct invalid_case bad[] = {
		{ "'abc", 1, 1 },   { "'a\nb'", 1, 3 },	 { "'\\1'", 1, 3 }, { "'\\01'", 1, 4 },
		{ "'\\x4'", 1, 5 }, { "'\\u12'", 1, 6 }, { "\"a'", 1, 1 },
	};

	check_valid(_metadata, cases, N(cases));
	check_invalid(_metadata, bad, N(bad));
	LEAK_CHECK();
}

TEST(strings_keep_nul)
{
	static const char text[] = "'a\\0b'";
	struct json5_error err;
	struct json_object *obj = json5_parse(text, sizeof(text) - 1, &err);

	ASSERT_NE(NULL, obj);
	ASSERT_EQ(3, json_object_get_string_len(obj));
	EXPECT_EQ(0, memcmp("a\0b", json_object_get_string(obj), 3));
	json_object_put(obj);

	/* A raw NUL byte inside a string is a character like any other. */
	obj = json5_parse("'x\0y'", 5, &err);
	ASSERT_NE(NULL, obj);
	EXPECT_EQ(3, json_object_get_string_len(obj));
	json_object_put(obj);
	LEAK_CHECK();
}

TEST(numbers)
{
	static const struct valid_case cases[] = {
		{ "0", "0" },
		{ "+1", "1" },
		{ "-12", "-12" },
		{ "0x1F", "31" },
		{ "0XaB", "171" },
		{ "-0x10", "-16" },
		{ "+0x10", "16" },
		{ "9223372036854775807", "9223372036854775807" },
		{ "-9223372036854775808", "-9223372036854775808" },
		{ "18446744073709551615", "18446744073709551615" },
		{ "[1,-1]", "[1,-1]" },
	};
	static const struct invalid_case bad[] = {
		{ "01", 1, 2 },	 { "1a", 1, 2 },  { "0x", 1, 3 },	{ ".", 1, 2 },
		{ "1e", 1, 3 },	 { "+-1", 1, 2 }, { "infinity", 1, 1 }, { "- 1", 1, 2 },
		{ "0xg", 1, 3 }, { "1.e", 1, 4 }, { "NaNa", 1, 4 },
	};

	check_valid(_metadata, cases, N(cases));
	check_invalid(_metadata, bad, N(bad));
	LEAK_CHECK();
}

static double parse_double(const char *text)
{
	struct json5_error err;
	struct json_object *obj = json5_parse(text, strlen(text), &err);
	double d;

	if (!obj || !json_object_is_type(obj, json_type_double)) {
		json_object_put(obj);
		return -12345.0;
	}
	d = json_object_get_double(obj);
	json_object_put(obj);
	return d;
}

TEST(number_forms)
{
	EXPECT_EQ(0.5, parse_double(".5"));
	EXPECT_EQ(5.0, parse_double("5."));
	EXPECT_EQ(1000.0, parse_double("1e3"));
	EXPECT_EQ(0.01, parse_double("1E-2"));
	EXPECT_EQ(-0.25, parse_double("-.25"));
	EXPECT_EQ(1.5e300, parse_double("1.5e+300"));
	EXPECT_TRUE(isinf(parse_double("Infinity")) && parse_double("Infinity") > 0);
	EXPECT_TRUE(isinf(parse_double("+Infinity")) && parse_double("+Infinity") > 0);
	EXPECT_TRUE(isinf(parse_double("-Infinity")) && parse_double("-Infinity") < 0);
	EXPECT_TRUE(isnan(parse_double("NaN")));
	EXPECT_TRUE(isnan(parse_double("-NaN")));
	/* -0 keeps its sign, so it is a double. */
	EXPECT_TRUE(signbit(parse_double("-0")));
	/* Past 64 bits: a double, not an error. */
	EXPECT_EQ(1e20, parse_double("100000000000000000000"));
	EXPECT_EQ(18446744073709551616.0, parse_double("0x10000000000000000"));
	LEAK_CHECK();
}

TEST(comments_and_space)
{
	static const struct valid_case cases[] = {
		{ "// a\n1", "1" },
		{ "1 // a", "1" },
		{ "/* a */1/* b */", "1" },
		{ "[1, /* x\n y */ 2 // z\n]", "[1,2]" },
		{ "/**/1", "1" },
		{ "/* ** / */1", "1" },
		{ "\t\v\f \u00a0\ufeff\u2028\u2029\u3000\r\n1", "1" },
		{ "{a\u00a0:\u20031}", "{\"a\":1}" },
	};
	static const struct invalid_case bad[] = {
		{ "1 /* never closed", 1, 3 },
		{ "/ 1", 1, 1 },
		{ "1 /", 1, 3 },
		{ "\n\n  /* x", 3, 3 },
	};

	check_valid(_metadata, cases, N(cases));
	check_invalid(_metadata, bad, N(bad));
	LEAK_CHECK();
}

TEST(literals_and_documents)
{
	static const struct valid_case cases[] = {
		{ "true", "true" },
		{ "false", "false" },
		{ "null", "null" },
		{ " \n true \n ", "true" },
	};
	static const struct invalid_case bad[] = {
		{ "", 1, 1 },	       { "   ", 1, 4 },	 { "truex", 1, 5 },
		{ "nul", 1, 1 },       { "1 2", 1, 3 },	 { "{} {}", 1, 4 },
		{ "undefined", 1, 1 }, { "\x01", 1, 1 }, { "[1]]", 1, 4 },
	};

	check_valid(_metadata, cases, N(cases));
	check_invalid(_metadata, bad, N(bad));
	LEAK_CHECK();
}

TEST(error_positions_count_characters_and_lines)
{
	static const struct invalid_case bad[] = {
		/* Columns count characters, not bytes. */
		{ "['\u00e9\u00e9', x]", 1, 8 },
		/* CRLF is one line break; a lone CR is one too. */
		{ "[\r\n1,\r\n@]", 3, 1 },
		{ "[\r1,\r\r@]", 4, 1 },
		{ "[\u2028@]", 2, 1 },
		{ "{\n  a: 1,\n  b: tru\n}", 3, 6 },
	};

	check_invalid(_metadata, bad, N(bad));
	LEAK_CHECK();
}

TEST(invalid_utf8_is_an_error)
{
	static const char *const texts[] = { "'\xff'", "\xc3", "[1,\xe2\x82]", "// \xff\n1" };
	struct json5_error err;

	for (size_t i = 0; i < N(texts); i++) {
		struct json_object *obj = json5_parse(texts[i], strlen(texts[i]), &err);

		EXPECT_NULL(obj);
		EXPECT_NE(NULL, strstr(err.message, "UTF-8"))
		{
			TH_LOG("case %zu: %s", i, err.message);
		}
		json_object_put(obj);
	}
	LEAK_CHECK();
}

TEST(nesting_limit)
{
	char deep[2 * JSON5_MAX_DEPTH + 8];
	struct json5_error err;
	struct json_object *obj;
	size_t n = 0;

	for (int i = 0; i < JSON5_MAX_DEPTH; i++)
		deep[n++] = '[';
	for (int i = 0; i < JSON5_MAX_DEPTH; i++)
		deep[n++] = ']';
	obj = json5_parse(deep, n, &err);
	ASSERT_NE(NULL, obj);
	json_object_put(obj);

	n = 0;
	for (int i = 0; i <= JSON5_MAX_DEPTH; i++)
		deep[n++] = '[';
	obj = json5_parse(deep, n, &err);
	EXPECT_NULL(obj);
	EXPECT_EQ(JSON5_MAX_DEPTH + 1, err.column);
	EXPECT_NE(NULL, strstr(err.message, "nested deeper"));
	LEAK_CHECK();
}

TEST(values_remember_their_position)
{
	static const char text[] = "{\n  name: 'x',\n  list: [1,\n    {deep: true}],\n}";
	struct json5_error err;
	struct json_object *root = json5_parse(text, strlen(text), &err), *v, *item;
	int line, column;

	ASSERT_NE(NULL, root);
	ASSERT_TRUE(json5_position(root, &line, &column));
	EXPECT_EQ(1, line);
	EXPECT_EQ(1, column);
	ASSERT_TRUE(json_object_object_get_ex(root, "name", &v));
	ASSERT_TRUE(json5_position(v, &line, &column));
	EXPECT_EQ(2, line);
	EXPECT_EQ(9, column);
	ASSERT_TRUE(json_object_object_get_ex(root, "list", &v));
	item = json_object_array_get_idx(v, 1);
	ASSERT_TRUE(json_object_object_get_ex(item, "deep", &v));
	ASSERT_TRUE(json5_position(v, &line, &column));
	EXPECT_EQ(4, line);
	EXPECT_EQ(12, column);
	json_object_put(root);
	LEAK_CHECK();
}

TEST(files_and_error_format)
{
	char path[] = "/tmp/json5-test-XXXXXX", msg[1024];
	struct json5_error err;
	struct json_object *obj;
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ(9, write(fd, "{a: [1,}\n", 9));
	close(fd);
	obj = json5_parse_file(path, &err);
	EXPECT_NULL(obj);
	json5_format_error(msg, sizeof(msg), path, &err);
	EXPECT_NE(NULL, strstr(msg, ":1:8: "))
	{
		TH_LOG("%s", msg);
	}
	unlink(path);

	obj = json5_parse_file(path, &err);
	EXPECT_NULL(obj);
	EXPECT_EQ(0, err.line);
	json5_format_error(msg, sizeof(msg), path, &err);
	EXPECT_NE(NULL, strstr(msg, "cannot open"));
	LEAK_CHECK();
}

/* json-c keeps keys as C strings: "/etc/shadow\u0000junk" would become "/etc/shadow". */
TEST(keys_with_nul_are_errors)
{
	static const char *const texts[] = { "{\n  '/etc/shadow\\u0000junk': 1 }",
					     "{\n  \"a\\0b\": 1 }", "{\n  'a\\x00': 1 }" };
	struct json5_error err;

	for (size_t i = 0; i < N(texts); i++) {
		struct json_object *obj = json5_parse(texts[i], strlen(texts[i]), &err);

		EXPECT_NULL(obj);
		EXPECT_EQ(2, err.line);
		EXPECT_EQ(3, err.column);
		EXPECT_NE(NULL, strstr(err.message, "NUL"))
		{
			TH_LOG("case %zu: %s", i, err.message);
		}
		json_object_put(obj);
	}
	LEAK_CHECK();
}

/* Policy and OpenClaw configs ask for JSON5_NO_NUL: their strings become paths. */
TEST(strings_with_nul_can_be_refused)
{
	static const char text[] = "{ a: 'ok',\n  b: [ '/etc/shadow\\x00junk' ] }";
	const struct json5_options opts = { .flags = JSON5_NO_NUL };
	struct json5_error err;
	struct json_object *obj = json5_parse_opts(text, strlen(text), &opts, &err);

	EXPECT_NULL(obj);
	EXPECT_EQ(2, err.line);
	EXPECT_EQ(8, err.column);
	EXPECT_NE(NULL, strstr(err.message, "NUL"));
	json_object_put(obj);
	LEAK_CHECK();
}

TEST(duplicate_keys)
{
	static const char text[] = "{ a: 1, b: { c: 2 },\n  'a': 3 }";
	const struct json5_options strict = { .flags = JSON5_UNIQUE_KEYS };
	struct json5_error err;
	struct json_object *obj, *v;

	/* By default the last wins, as in JavaScript (and OpenClaw's JSON5). */
	obj = json5_parse(text, strlen(text), &err);
	ASSERT_NE(NULL, obj);
	ASSERT_TRUE(json_object_object_get_ex(obj, "a", &v));
	EXPECT_EQ(3, json_object_get_int(v));
	json_object_put(obj);

	obj = json5_parse_opts(text, strlen(text), &strict, &err);
	EXPECT_NULL(obj);
	EXPECT_EQ(2, err.line);
	EXPECT_EQ(3, err.column);
	EXPECT_NE(NULL, strstr(err.message, "duplicate key 'a'"));
	json_object_put(obj);
	/* The same key in two objects is no duplicate. */
	obj = json5_parse_opts("[{a: 1}, {a: 2}]", 16, &strict, &err);
	EXPECT_NE(NULL, obj);
	json_object_put(obj);
	LEAK_CHECK();
}

/* @count copies of @item inside [ ], as one document. */
static char *repeat(const char *item, size_t count, size_t *len)
{
	size_t n = strlen(item);
	char *text = malloc(count * n + 3);

	if (!text)
		return NULL;
	text[0] = '[';
	for (size_t i = 0; i < count; i++)
		memcpy(text + 1 + i * n, item, n);
	text[1 + count * n] = ']';
	*len = count * n + 2;
	return text;
}

/* Megabytes of empty arrays or objects once took gigabytes: the count is bounded. */
TEST(parsed_size_is_bounded)
{
	static const struct {
		const char *item;
		size_t count;
		const char *limit;
	} cases[] = {
		{ "[],", JSON5_MAX_CONTAINERS, "objects and arrays" },
		{ "{},", JSON5_MAX_CONTAINERS, "objects and arrays" },
		{ "0,", JSON5_MAX_VALUES, "values" },
	};
	struct json5_error err;

	for (size_t i = 0; i < N(cases); i++) {
		size_t len;
		char *text = repeat(cases[i].item, cases[i].count, &len);
		struct json_object *obj;

		ASSERT_NE(NULL, text);
		obj = json5_parse(text, len, &err);
		free(text);
		EXPECT_NULL(obj);
		EXPECT_NE(NULL, strstr(err.message, cases[i].limit))
		{
			TH_LOG("case %zu: %s", i, err.message);
		}
		EXPECT_NE(NULL, strstr(err.message, "(the limit)"));
		json_object_put(obj);
	}
	/* One less is fine: the outer array is the one too many above. */
	{
		size_t len;
		char *text = repeat("[],", JSON5_MAX_CONTAINERS - 1, &len);
		struct json_object *obj = json5_parse(text, len, &err);

		EXPECT_NE(NULL, obj);
		json_object_put(obj);
		free(text);
	}
	LEAK_CHECK();
}

/* A FIFO would block the reader, a device may be a secret: neither is read. */
TEST(only_regular_files_are_read)
{
	char dir[] = "/tmp/json5-kinds-XXXXXX", fifo[64];
	struct json5_error err;
	struct json_object *obj;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ASSERT_EQ(0, mkfifo(fifo, 0600));
	obj = json5_parse_file(fifo, &err);
	EXPECT_NULL(obj);
	EXPECT_STREQ("not a regular file (a FIFO)", err.message);
	obj = json5_parse_file(dir, &err);
	EXPECT_NULL(obj);
	EXPECT_STREQ("not a regular file (a directory)", err.message);
	obj = json5_parse_file("/dev/zero", &err);
	EXPECT_NULL(obj);
	EXPECT_STREQ("not a regular file (a character device)", err.message);
	unlink(fifo);
	rmdir(dir);
	LEAK_CHECK();
}

TEST_HARNESS_MAIN
