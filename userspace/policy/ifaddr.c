// SPDX-License-Identifier: GPL-2.0
/*
 * ifaddr.c - the host's interface addresses, from the kernel over rtnetlink
 * (libnl-route), for network rules that name an interface ("if:NAME"), and
 * a socket that says when they change (the daemon re-applies then).
 */
#include "policy/ifaddr.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>

#include "util.h"

struct collect {
	struct cl_if_addr *addrs;
	size_t count;
	int failed; /* an errno: an address could not be kept */
};

static void add_addr(struct nl_object *obj, void *data)
{
	struct rtnl_addr *addr = (struct rtnl_addr *)obj;
	struct nl_addr *local = rtnl_addr_get_local(addr);
	struct collect *c = data;
	struct cl_if_addr *a;
	void *grown;
	int family = rtnl_addr_get_family(addr);

	if (!local || (family != AF_INET && family != AF_INET6) ||
	    nl_addr_get_len(local) > sizeof(a->addr))
		return;
	grown = realloc(c->addrs, (c->count + 1) * sizeof(*c->addrs));
	if (!grown) {
		c->failed = ENOMEM;
		return;
	}
	c->addrs = grown;
	a = &c->addrs[c->count];
	memset(a, 0, sizeof(*a));
	_Static_assert(sizeof(a->ifname) >= IF_NAMESIZE, "an interface name fits");
	if (!if_indextoname(rtnl_addr_get_ifindex(addr), a->ifname)) {
		/* Gone meanwhile (ENXIO); any other failure drops no address. */
		if (errno != ENXIO && errno != ENODEV)
			c->failed = errno;
		return;
	}
	a->family = family;
	a->prefix = rtnl_addr_get_prefixlen(addr);
	memcpy(a->addr, nl_addr_get_binary_addr(local), nl_addr_get_len(local));
	c->count++;
}

int cl_if_addrs(struct cl_if_addr **addrs, size_t *count)
{
	struct nl_sock *sock = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	struct collect c = { 0 };
	int err;

	if (!sock) {
		cl_error("out of memory");
		return -1;
	}
	/*
	 * Names come from if_indextoname, one ioctl each: a link cache would
	 * dump and parse every link's attributes and statistics, on every
	 * backend call (the plan's fingerprint reads the addresses).
	 */
	err = nl_connect(sock, NETLINK_ROUTE);
	if (!err)
		err = rtnl_addr_alloc_cache(sock, &cache);
	if (!err)
		nl_cache_foreach(cache, add_addr, &c);
	nl_cache_free(cache);
	nl_socket_free(sock);
	/* Fail closed: a "host" rule missing an address would be a deny missing. */
	if (err || c.failed) {
		cl_error("cannot read the interface addresses: %s",
			 err ? nl_geterror(err) : strerror(c.failed));
		free(c.addrs);
		return -1;
	}
	*addrs = c.addrs;
	*count = c.count;
	return 0;
}

/* The messages only wake the daemon; what changed is read again in full. */
static int ignore(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

struct nl_sock *cl_if_watch_open(void)
{
	struct nl_sock *sock = nl_socket_alloc();

	if (!sock)
		return NULL;
	nl_socket_disable_seq_check(sock);
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, ignore, NULL);
	if (nl_connect(sock, NETLINK_ROUTE) ||
	    nl_socket_add_memberships(sock, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, 0) ||
	    nl_socket_set_nonblocking(sock)) {
		nl_socket_free(sock);
		return NULL;
	}
	return sock;
}

int cl_if_watch_fd(struct nl_sock *sock)
{
	return nl_socket_get_fd(sock);
}

void cl_if_watch_drain(struct nl_sock *sock)
{
	while (nl_recvmsgs_default(sock) >= 0)
		;
}

void cl_if_watch_close(struct nl_sock *sock)
{
	nl_socket_free(sock);
}
