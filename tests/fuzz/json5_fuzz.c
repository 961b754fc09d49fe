// SPDX-License-Identifier: GPL-2.0
/*
 * json5_fuzz.c - libFuzzer target for the JSON5 reader (make fuzz).
 *
 * Every input must either parse into an object that serialises, or fail with
 * a position inside the input and a message; nothing may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/json5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json5_error err;
	struct json_object *obj = json5_parse((const char *)data, size, &err);

	if (obj) {
		/* What we accept must serialise as JSON. */
		if (!json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN))
			abort();
		json_object_put(obj);
		return 0;
	}
	if (err.message[0]) {
		/* An error sits on a real line of the input, never before it. */
		size_t lines = 1;

		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n' || data[i] == '\r';
		if (err.line < 1 || (size_t)err.line > lines + 2 || err.column < 1)
			abort();
	}
	return 0;
}
