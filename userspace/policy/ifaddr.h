/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ifaddr.h - interface addresses (libnl-route) for "if:NAME" network rules.
 */
#ifndef CLAWLOCK_IFADDR_H
#define CLAWLOCK_IFADDR_H

#include <stddef.h>

#include "policy/netrule.h"

struct nl_sock;

/* Every IPv4 and IPv6 address of every interface now; 0, or -1 after saying why. */
int cl_if_addrs(struct cl_if_addr **addrs, size_t *count);

/* A netlink socket that becomes readable when an address is added or removed. */
struct nl_sock *cl_if_watch_open(void);
int cl_if_watch_fd(struct nl_sock *sock);
/* Read (and forget) what arrived: callers look the addresses up again. */
void cl_if_watch_drain(struct nl_sock *sock);
void cl_if_watch_close(struct nl_sock *sock);

#endif /* CLAWLOCK_IFADDR_H */
