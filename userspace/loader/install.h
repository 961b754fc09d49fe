/* SPDX-License-Identifier: GPL-2.0 */
/*
 * install.h - compiled rules into the maps: each distinct policy written
 * once per update (install.c), on the map primitives of bpfstate.h. What
 * an update resolved hangs on struct cl_maps (cache), which the unlock
 * and the close of the maps let go.
 */
#ifndef CLAWLOCK_INSTALL_H
#define CLAWLOCK_INSTALL_H

#include <stddef.h>
#include <stdint.h>

#include "loader/bpfstate.h"
#include "policy/policy.h"

/*
 * Write @agent's rules (files, network, capabilities) under a policy id
 * A file rule whose path does not exist yet is keyed by its
 * directory and last name, so it holds once the path appears; if the
 * directory is missing too, a deny rule is skipped with a warning and an
 * allow rule is an error. A policy identical to one this update installed
 * or cl_policy_reusable offered (same rules, sources, inodes) shares its
 * id. Returns 0 and the id, or -1 after printing why (any rules already
 * written are removed again).
 */
int cl_policy_install(struct cl_maps *maps, const struct cl_agent *agent, uint32_t *policy_id);

/*
 * Resolve the paths of the next installs as a container's processes see
 * them: under @root_fd (its /proc/PID/root, open), through its mounts,
 * never out of it. A rule path that is not there (a host path outside
 * its mounts) is left out; a deny rule still keys what it can. @tag names
 * the root in the stat cache. @root_fd -1: the host's paths again.
 */
void cl_install_root(struct cl_maps *maps, int root_fd, const char *tag);

/* Offer the installed policies among @ids (@count, sorted ascending) for reuse by this update. */
int cl_policy_reusable(struct cl_maps *maps, const uint32_t *ids, size_t count);

/*
 * Offer nothing for reuse any more: the collector is about to delete some
 * of it (call it before cl_policy_gc). Every caller collects last; a later
 * install writes afresh.
 */
void cl_install_forget(struct cl_maps *maps);

#endif /* CLAWLOCK_INSTALL_H */
