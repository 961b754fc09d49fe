/* SPDX-License-Identifier: GPL-2.0 */
/*
 * upgrade.h - hand the loaded programs over to a new clawlock binary.
 */
#ifndef CLAWLOCK_UPGRADE_H
#define CLAWLOCK_UPGRADE_H

/*
 * What a clawlock that can take over answers to `upgrade --protocol`. It
 * changes when the hand-over itself changes (the guard's layout above all).
 */
#define CL_UPGRADE_PROTOCOL "clawlock-upgrade 1"

/*
 * The loader's side: check the executable at @path (root's, writable by
 * nobody else, a clawlock that speaks CL_UPGRADE_PROTOCOL), authorise it
 * as successor and run its take-over. It runs with the global options
 * @global (NULL-terminated: -v, -q) before its command. Returns 0 once it
 * owns the programs; -1 after saying why, with the old programs still
 * enforcing.
 */
int cl_upgrade_hand_over(const char *path, const char *const *global);

/*
 * The successor's side: attach this binary's programs beside the old ones,
 * move the pins over, carry maps of another layout over, become the loader
 * and let the old programs go. Returns 0, or -1 after saying why with
 * nothing changed.
 */
int cl_upgrade_take_over(void);

#endif /* CLAWLOCK_UPGRADE_H */
