// SPDX-License-Identifier: GPL-2.0
/*
 * maps.bpf.c - the maps, defined here once, and the licence. Every other
 * object declares them extern (lib/maps.h); `bpftool gen object` links all
 * of them into the one clawlock.bpf.o the loader's skeleton is made from.

 */
#include "lib/common.h"

#define CL_DEFINE_MAPS
#include "lib/maps.h"

char LICENSE[] SEC("license") = "GPL";
