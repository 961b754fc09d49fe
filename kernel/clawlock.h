/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clawlock.h - the map contract: map keys, map values and the event record,
 * shared by the BPF programs in kernel/ and the loader in userspace/.
 * Each part is defined once, in kernel/contract/ by concern.
 */
#ifndef CLAWLOCK_H
#define CLAWLOCK_H

#include "contract/types.h"
#include "contract/limits.h"
#include "contract/binding.h"
#include "contract/rules.h"
#include "contract/guard.h"
#include "contract/event.h"

#endif /* CLAWLOCK_H */
