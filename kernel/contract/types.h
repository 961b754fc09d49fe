/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contract/types.h - the fixed-width types every contract header uses: the
 * same bytes are read by the BPF programs and by the loader.
 */
#ifndef CLAWLOCK_CONTRACT_TYPES_H
#define CLAWLOCK_CONTRACT_TYPES_H

#ifdef __bpf__
/* vmlinux.h already defines __u32 and friends. */
#else
#include <linux/types.h>
#endif

#endif /* CLAWLOCK_CONTRACT_TYPES_H */
