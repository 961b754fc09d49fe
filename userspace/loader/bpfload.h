/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfload.h - what loading the programs (bpfstate.c) shares with handing
 * them over to a new binary (upgrade.c). Not for commands.
 */
#ifndef CLAWLOCK_BPFLOAD_H
#define CLAWLOCK_BPFLOAD_H

#include <stdarg.h>
#include <stddef.h>

#include <bpf/libbpf.h>

#include "clawlock.h"

struct clawlock_bpf;

/* @buf = CL_PIN_ROOT/@kind_@name (kind "link" or "prog"); -1 if too long. */
int cl_pin_path(char *buf, size_t size, const char *kind, const char *name);
/* The kernel's id of map, program or link @fd (@kind: enum cl_object_kind), or 0. */
__u32 cl_object_id(__u32 kind, int fd);
/* Note one of our objects in cl_objects, for the guard. Returns 0 or -errno. */
int cl_record_object(struct clawlock_bpf *skel, __u32 kind, int fd);
/* Leave out the programs on optional hooks this kernel does not have. */
int cl_drop_missing_hooks(struct clawlock_bpf *skel);
/*
 * Let the walk cache answer, once every program of @skel is attached (its
 * epoch bump included). CLAWLOCK_WALK_CACHE=off leaves it off, for
 * measuring. Returns 0 or -1.
 */
int cl_walk_cache_arm(struct clawlock_bpf *skel);
/* Say why clawlock_bpf__load failed with @err. */
void cl_explain_load_error(int err);
/* libbpf's messages, handed to the library's printer (cl_print). */
int cl_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap);
/* Open CL_PIN_ROOT/@name; says why not (self-protection among others). */
int cl_open_pinned(const char *name);

#endif /* CLAWLOCK_BPFLOAD_H */
