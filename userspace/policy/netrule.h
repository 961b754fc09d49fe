/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netrule.h - network rules: "[PROTO] ADDR[/LEN] [PORT[-PORT]]" (or
 * "unix @NAME") with allow or deny, their canonical text, the per-prefix
 * entry lists the kernel's LPM tries hold, and the same decision in
 * userspace for `clawlock explain`. Documentation/policy.md has the syntax.
 */
#ifndef CLAWLOCK_NETRULE_H
#define CLAWLOCK_NETRULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clawlock.h"
#include "util.h"

#define CL_NET_TEXT_MAX 112

struct cl_net_rule {
	/* AF_INET, AF_INET6, AF_UNIX for an abstract name, AF_UNSPEC for if:NAME */
	uint8_t family;
	uint8_t prefix; /* leading bits of addr that count */
	uint8_t proto;	/* 0: any; else IPPROTO_* */
	bool allow;
	uint16_t port_lo;
	uint16_t port_hi;
	uint8_t addr[16];		 /* masked to prefix */
	char name[CL_UNIX_NAME_MAX + 1]; /* AF_UNIX: the abstract name, without '@'; if:NAME */
	bool host; /* AF_UNSPEC "host": every address of this host, each on its own */
	char text[CL_NET_TEXT_MAX];	 /* canonical form, e.g. "tcp 10.0.0.0/8 443" */
	char source[CL_RULE_SOURCE_MAX]; /* "file:line:col key.path" */
};

struct cl_net_list {
	struct cl_net_rule *rules;
	size_t count;
	struct cl_name_index index; /* canonical text -> position (cl_net_list_set) */
};

/* Bytes of an interface name, with the NUL (IFNAMSIZ). */
#define CL_IFNAME_MAX 16

/* One address of one interface, as the host has it now (ifaddr.c). */
struct cl_if_addr {
	char ifname[CL_IFNAME_MAX];
	uint8_t family;
	uint8_t prefix;
	uint8_t addr[16];
};

/*
 * Replace every interface rule ("if:NAME", family AF_UNSPEC) of @list by one
 * rule per address in @addrs on that interface, on the address's network,
 * and every "host" rule by one per address of any interface, that address
 * alone. An interface with no address stands for no rule.
 */
int cl_net_expand_interfaces(struct cl_net_list *list, const struct cl_if_addr *addrs,
			     size_t count);

/* Parse @spec and the access word @access ("allow" or "deny") into @rule. */
int cl_net_parse(const char *spec, const char *access, struct cl_net_rule *rule, char *err,
		 size_t errsize);
/* Add @rule, replacing a rule with the same canonical text. */
int cl_net_list_set(struct cl_net_list *list, const struct cl_net_rule *rule);
int cl_net_list_merge(struct cl_net_list *into, const struct cl_net_list *from);
void cl_net_list_free(struct cl_net_list *list);

/* One LPM trie entry: a prefix and the rules that decide addresses under it. */
struct cl_net_node {
	uint8_t family;
	uint8_t prefix;
	uint8_t addr[16];
	struct cl_net_value value;
};

/*
 * The trie entries of @list; rule i gets rule id @first_rule_id + i.
 * Returns 0 with a malloc'd array in @nodes, or -1 with the reason in @err
 * (a prefix covered by more than CL_NET_ENTRIES rules).
 */
int cl_net_build(const struct cl_net_list *list, uint32_t first_rule_id, struct cl_net_node **nodes,
		 size_t *count, char *err, size_t errsize);

/* A request as the kernel sees it (v4-mapped IPv6 already made IPv4). */
struct cl_net_request {
	uint8_t family;
	uint8_t proto;
	uint16_t port;
	uint8_t addr[16];
	bool private_netns; /* loopback of a private network namespace: allowed */
};

/* "1.2.3.4:443", "[2001:db8::1]:53/udp", "127.0.0.1:80/tcp" (tcp by default). */
int cl_net_target_parse(const char *text, struct cl_net_request *req, char *err, size_t errsize);

/*
 * The kernel's decision for @req under @list: true if allowed. @rule is the
 * deciding rule, NULL when none matched (or loopback decided).
 */
bool cl_net_decide(const struct cl_net_list *list, const struct cl_net_request *req,
		   const struct cl_net_rule **rule);

/* "tcp", "udp", "icmp", "any" for a protocol number. */
const char *cl_net_proto_name(uint8_t proto);

#endif /* CLAWLOCK_NETRULE_H */
