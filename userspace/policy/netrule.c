// SPDX-License-Identifier: GPL-2.0
/*
 * netrule.c - network rules, their trie entries and their decision.
 *
 * The kernel decides an address with one longest-prefix lookup. For that to
 * give "the most specific rule that matches protocol and port", every trie
 * entry carries the rules of its own prefix and of every wider prefix that
 * contains it: CIDRs holding the same address are always nested, so these
 * are exactly the rules that can apply to any address under the entry.
 */
#include "policy/netrule.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

static const struct {
	const char *name;
	uint8_t number;
} protos[] = {
	{ "any", 0 },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 },
	{ "sctp", IPPROTO_SCTP },
};

const char *cl_net_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].number == proto)
			return protos[i].name;
	return "?";
}

static int proto_number(const char *word, uint8_t *proto)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (!strcmp(protos[i].name, word)) {
			*proto = protos[i].number;
			return 0;
		}
	}
	return -1;
}

static void mask_addr(uint8_t *addr, int bytes, int prefix)
{
	for (int i = 0; i < bytes; i++) {
		int keep = prefix - i * 8;

		if (keep <= 0)
			addr[i] = 0;
		else if (keep < 8)
			addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

static int addr_bytes(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

static bool is_v4_mapped(const uint8_t *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, prefix, sizeof(prefix));
}

/* "10.0.0.0/8", "::1", "2001:db8::/32" into family, addr and prefix. */
/* "if:NAME": the networks of interface NAME's addresses, resolved at compile time. */
static int parse_interface(const char *word, struct cl_net_rule *r, char *err, size_t errsize)
{
	const char *name = word + 3;
	size_t len = strlen(name);

	if (!len || len >= CL_IFNAME_MAX || strpbrk(name, "/ \t:")) {
		snprintf(err, errsize, "'%s': an interface rule reads if:NAME (at most %d bytes)",
			 word, CL_IFNAME_MAX - 1);
		return -1;
	}
	r->family = AF_UNSPEC;
	memcpy(r->name, name, len + 1);
	return 0;
}

static int parse_cidr(const char *word, struct cl_net_rule *r, char *err, size_t errsize)
{
	char buf[64];
	char *slash, *end;
	long len;

	if (!strncmp(word, "if:", 3))
		return parse_interface(word, r, err, errsize);
	/* "host": the host's own addresses, public ones too, as they are now. */
	if (!strcmp(word, "host")) {
		r->family = AF_UNSPEC;
		r->host = true;
		return 0;
	}
	if (!cl_format(buf, sizeof(buf), "%s", word))
		goto bad;
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, r->addr) == 1)
		r->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, r->addr) == 1)
		r->family = AF_INET6;
	else
		goto bad;
	len = addr_bytes(r->family) * 8;
	if (slash) {
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || len < 0 || len > addr_bytes(r->family) * 8)
			goto bad;
	}
	r->prefix = len;
	/* ::ffff:a.b.c.d/n is an IPv4 rule: the kernel decides such addresses as IPv4. */
	if (r->family == AF_INET6 && r->prefix >= 96 && is_v4_mapped(r->addr)) {
		memmove(r->addr, r->addr + 12, 4);
		memset(r->addr + 4, 0, 12);
		r->family = AF_INET;
		r->prefix -= 96;
	}
	mask_addr(r->addr, addr_bytes(r->family), r->prefix);
	return 0;
bad:
	snprintf(err, errsize, "'%s' is not an address or CIDR (like 10.0.0.0/8 or fd00::/8)",
		 word);
	return -1;
}

static int parse_ports(const char *word, struct cl_net_rule *r, char *err, size_t errsize)
{
	unsigned long lo, hi;
	char *end;

	errno = 0;
	lo = strtoul(word, &end, 10);
	hi = lo;
	if (*end == '-') {
		const char *rest = end + 1;

		hi = strtoul(rest, &end, 10);
		if (end == rest)
			goto bad;
	}
	if (errno || end == word || *end || lo > 65535 || hi > 65535 || lo > hi)
		goto bad;
	r->port_lo = lo;
	r->port_hi = hi;
	return 0;
bad:
	snprintf(err, errsize, "'%s' is not a port or port range (like 443 or 8000-8999)", word);
	return -1;
}

static void canonical_text(struct cl_net_rule *r)
{
	char addr[INET6_ADDRSTRLEN] = "?", ports[16] = "";

	if (r->family == AF_UNIX) {
		snprintf(r->text, sizeof(r->text), "unix @%s", r->name);
		return;
	}
	if (r->port_lo == r->port_hi)
		snprintf(ports, sizeof(ports), " %u", r->port_lo);
	else if (r->port_lo != 0 || r->port_hi != 65535)
		snprintf(ports, sizeof(ports), " %u-%u", r->port_lo, r->port_hi);
	if (r->family == AF_UNSPEC) {
		snprintf(r->text, sizeof(r->text), "%s %s%s%s", cl_net_proto_name(r->proto),
			 r->host ? "host" : "if:", r->name, ports);
		return;
	}
	inet_ntop(r->family, r->addr, addr, sizeof(addr));
	snprintf(r->text, sizeof(r->text), "%s %s/%u%s", cl_net_proto_name(r->proto), addr,
		 r->prefix, ports);
}

static int parse_unix(const char *name, struct cl_net_rule *r, char *err, size_t errsize)
{
	if (name[0] != '@' || !name[1]) {
		snprintf(err, errsize,
			 "unix rules name an abstract socket as @NAME (path sockets are file "
			 "rules: write on the socket file)");
		return -1;
	}
	if (strlen(name + 1) > CL_UNIX_NAME_MAX) {
		snprintf(err, errsize, "abstract socket names are at most %d bytes",
			 CL_UNIX_NAME_MAX);
		return -1;
	}
	r->family = AF_UNIX;
	cl_strlcpy(r->name, name + 1, sizeof(r->name));
	return 0;
}

int cl_net_parse(const char *spec, const char *access, struct cl_net_rule *rule, char *err,
		 size_t errsize)
{
	char buf[CL_NET_TEXT_MAX], *words[4], *save = NULL;
	int n = 0, i = 0;

	memset(rule, 0, sizeof(*rule));
	if (!strcmp(access, "allow")) {
		rule->allow = true;
	} else if (strcmp(access, "deny")) {
		snprintf(err, errsize, "network access must be \"allow\" or \"deny\", not '%s'",
			 access);
		return -1;
	}
	if (!cl_format(buf, sizeof(buf), "%s", spec)) {
		snprintf(err, errsize, "network rule is longer than %d bytes", CL_NET_TEXT_MAX - 1);
		return -1;
	}
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == 4)
			goto syntax;
		words[n++] = w;
	}
	if (n == 2 && !strcmp(words[0], "unix")) {
		if (parse_unix(words[1], rule, err, errsize) < 0)
			return -1;
		canonical_text(rule);
		return 0;
	}
	if (n && !proto_number(words[0], &rule->proto))
		i++;
	if (i >= n || n - i > 2)
		goto syntax;
	if (parse_cidr(words[i++], rule, err, errsize) < 0)
		return -1;
	rule->port_hi = 65535;
	if (i < n && parse_ports(words[i], rule, err, errsize) < 0)
		return -1;
	canonical_text(rule);
	return 0;
syntax:
	snprintf(err, errsize,
		 "'%s': a network rule reads \"[tcp|udp|icmp|any] ADDRESS[/LEN] [PORT[-PORT]]\" "
		 "(ADDRESS may be if:INTERFACE or host) or \"unix @NAME\"",
		 spec);
	return -1;
}

int cl_net_list_set(struct cl_net_list *list, const struct cl_net_rule *rule)
{
	struct cl_net_rule *grown;
	long pos;

	/* Rebuilt if someone appended behind the index's back. */
	if (!list->index.table || cl_name_index_count(&list->index) != list->count) {
		cl_name_index_free(&list->index);
		for (size_t i = 0; i < list->count; i++) {
			if (cl_name_index_put(&list->index, list->rules[i].text, i) < 0)
				return -1;
		}
	}
	pos = cl_name_index_get(&list->index, rule->text);
	if (pos >= 0) {
		list->rules[pos] = *rule;
		return 0;
	}
	grown = realloc(list->rules, (list->count + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	list->rules = grown;
	if (cl_name_index_put(&list->index, rule->text, list->count) < 0)
		return -1;
	list->rules[list->count++] = *rule;
	return 0;
}

int cl_net_list_merge(struct cl_net_list *into, const struct cl_net_list *from)
{
	for (size_t i = 0; i < from->count; i++)
		if (cl_net_list_set(into, &from->rules[i]) < 0)
			return -1;
	return 0;
}

void cl_net_list_free(struct cl_net_list *list)
{
	free(list->rules);
	list->rules = NULL;
	list->count = 0;
	cl_name_index_free(&list->index);
}

/*
 * The address rules of a list, sorted by network (family, prefix, address)
 * and then by list order: the rules that cover a node are found by one
 * binary search per prefix length, not by a scan of the list for each node.
 */
struct net_ref {
	uint8_t family;
	uint8_t prefix;
	uint8_t addr[16]; /* masked to prefix */
	size_t index;	  /* in the list */
};

struct net_index {
	struct net_ref *refs;
	size_t count;
};

/* Order by network; @index last, so a network's rules stay in list order. */
static int net_ref_cmp(const void *a, const void *b)
{
	const struct net_ref *x = a, *y = b;
	int diff = (int)x->family - (int)y->family;

	if (!diff)
		diff = (int)x->prefix - (int)y->prefix;
	if (!diff)
		diff = memcmp(x->addr, y->addr, 16);
	if (!diff)
		diff = x->index < y->index ? -1 : x->index > y->index;
	return diff;
}

/* @addr's first @prefix bits, the rest zero: one network, one key. */
static void network_of(uint8_t *out, uint8_t family, const uint8_t *addr, int prefix)
{
	memset(out, 0, 16);
	memcpy(out, addr, addr_bytes(family));
	mask_addr(out, addr_bytes(family), prefix);
}

/* Same network, whatever the list order. */
static int net_ref_cmp_network(const struct net_ref *x, const struct net_ref *y)
{
	return x->family != y->family || x->prefix != y->prefix || memcmp(x->addr, y->addr, 16);
}

static int net_index_build(const struct cl_net_list *list, struct net_index *index)
{
	index->count = 0;
	index->refs = calloc(list->count ? list->count : 1, sizeof(*index->refs));
	if (!index->refs)
		return -1;
	for (size_t i = 0; i < list->count; i++) {
		const struct cl_net_rule *r = &list->rules[i];
		struct net_ref *ref = &index->refs[index->count];

		if (r->family != AF_INET && r->family != AF_INET6)
			continue;
		ref->family = r->family;
		ref->prefix = r->prefix;
		network_of(ref->addr, r->family, r->addr, r->prefix);
		ref->index = i;
		index->count++;
	}
	qsort(index->refs, index->count, sizeof(*index->refs), net_ref_cmp);
	return 0;
}

/* The first rule of network (@family, @prefix, @addr masked), or index->count if none. */
static size_t net_index_find(const struct net_index *index, uint8_t family, int prefix,
			     const uint8_t *addr)
{
	struct net_ref key = { .family = family, .prefix = (uint8_t)prefix, .index = 0 };
	size_t lo = 0, hi = index->count;

	network_of(key.addr, family, addr, prefix);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (net_ref_cmp(&index->refs[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < index->count && !net_ref_cmp_network(&index->refs[lo], &key) ? lo
										 : index->count;
}

/*
 * The rules containing (@family, @addr, @prefix), most specific first, in
 * list order on ties: one search per prefix length, O(prefix x log n).
 */
static size_t covering_indexed(const struct net_index *index, uint8_t family, const uint8_t *addr,
			       int prefix, size_t *order)
{
	size_t n = 0;

	for (int len = prefix; len >= 0; len--) {
		size_t first = net_index_find(index, family, len, addr);

		for (size_t at = first; at < index->count &&
					!net_ref_cmp_network(&index->refs[at], &index->refs[first]);
		     at++)
			order[n++] = index->refs[at].index;
	}
	return n;
}

/*
 * @node's entries: every rule of @list that covers it, most specific first,
 * as trie values (rule ids from @first_rule_id). -1 if more than fit.
 */
static int fill_node(const struct cl_net_list *list, const struct net_index *index,
		     const struct cl_net_rule *r, uint32_t first_rule_id, size_t *order,
		     struct cl_net_node *node, char *err, size_t errsize)
{
	size_t k = covering_indexed(index, r->family, r->addr, r->prefix, order);

	if (k > CL_NET_ENTRIES) {
		snprintf(err, errsize, "%s: %zu rules cover %s; at most %d can (merge port ranges)",
			 r->source, k, r->text, CL_NET_ENTRIES);
		return -1;
	}
	node->value.count = k;
	for (size_t e = 0; e < k; e++) {
		const struct cl_net_rule *c = &list->rules[order[e]];
		struct cl_net_entry *entry = &node->value.entries[e];

		entry->port_lo = c->port_lo;
		entry->port_hi = c->port_hi;
		entry->proto = c->proto;
		entry->allow = c->allow;
		entry->rule_id = first_rule_id + order[e];
	}
	return 0;
}

/*
 * Is rule @i the first of its network in list order? Only the first makes
 * the trie node; the others are among its entries.
 */
static bool first_of_network(const struct net_index *index, const struct cl_net_rule *r, size_t i)
{
	size_t at = net_index_find(index, r->family, r->prefix, r->addr);

	return at < index->count && index->refs[at].index == i;
}

/* An if:NAME or host rule that reaches the trie unexpanded: refused, see below. */
static bool unexpanded(const struct cl_net_rule *r, char *err, size_t errsize)
{
	if (r->family == AF_INET || r->family == AF_INET6)
		return false;
	snprintf(err, errsize, "%s: %s was not expanded to addresses", r->source, r->text);
	return true;
}

int cl_net_build(const struct cl_net_list *list, uint32_t first_rule_id, struct cl_net_node **nodes,
		 size_t *count, char *err, size_t errsize)
{
	struct cl_net_node *out = calloc(list->count ? list->count : 1, sizeof(*out));
	size_t *order = calloc(list->count ? list->count : 1, sizeof(*order));
	struct net_index index = { 0 };
	size_t n = 0;

	if (!out || !order || net_index_build(list, &index) < 0) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < list->count; i++) {
		const struct cl_net_rule *r = &list->rules[i];
		struct cl_net_node *node;

		if (r->family == AF_UNIX)
			continue;
		/*
		 * An if:NAME or host rule stands for addresses read at load; one
		 * that reaches here unexpanded has none, and storing it would
		 * make it a /0 of whichever family. Refuse the policy instead.
		 */
		if (unexpanded(r, err, errsize))
			goto fail;
		if (!first_of_network(&index, r, i))
			continue;
		node = &out[n++];
		node->family = r->family;
		node->prefix = r->prefix;
		memcpy(node->addr, r->addr, 16);
		if (fill_node(list, &index, r, first_rule_id, order, node, err, errsize) < 0)
			goto fail;
	}
	free(index.refs);
	free(order);
	*nodes = out;
	*count = n;
	return 0;
fail:
	free(index.refs);
	free(order);
	free(out);
	return -1;
}

static bool is_loopback(const struct cl_net_request *req)
{
	static const uint8_t one[16] = { [15] = 1 };

	if (req->family == AF_INET)
		return req->addr[0] == 127;
	return !memcmp(req->addr, one, 16);
}

bool cl_net_decide(const struct cl_net_list *list, const struct cl_net_request *req,
		   const struct cl_net_rule **rule)
{
	struct net_index index = { 0 };
	size_t *order, n;
	bool allowed = false;

	*rule = NULL;
	if (is_loopback(req) && req->private_netns)
		return true;
	order = calloc(list->count ? list->count : 1, sizeof(*order));
	if (!order || net_index_build(list, &index) < 0) {
		free(order);
		return false; /* as the kernel does when it cannot decide */
	}
	n = covering_indexed(&index, req->family, req->addr, addr_bytes(req->family) * 8, order);
	free(index.refs);
	/* The kernel holds at most CL_NET_ENTRIES per prefix (cl_net_build refuses more). */
	for (size_t i = 0; i < n && i < CL_NET_ENTRIES && !*rule; i++) {
		const struct cl_net_rule *r = &list->rules[order[i]];

		if (r->family == AF_UNIX)
			continue;
		if ((!r->proto || r->proto == req->proto) && req->port >= r->port_lo &&
		    req->port <= r->port_hi) {
			*rule = r;
			allowed = r->allow;
		}
	}
	free(order);
	return allowed;
}

int cl_net_target_parse(const char *text, struct cl_net_request *req, char *err, size_t errsize)
{
	char buf[96], *host = buf, *port, *proto, *end;
	unsigned long number;

	memset(req, 0, sizeof(*req));
	req->proto = IPPROTO_TCP;
	if (!cl_format(buf, sizeof(buf), "%s", text))
		goto bad;
	proto = strrchr(buf, '/');
	if (proto) {
		*proto++ = '\0';
		if (proto_number(proto, &req->proto) < 0 || !req->proto)
			goto bad;
	}
	if (buf[0] == '[') {
		end = strchr(buf, ']');
		if (!end || end[1] != ':')
			goto bad;
		*end = '\0';
		host = buf + 1;
		port = end + 2;
	} else {
		port = strrchr(buf, ':');
		if (!port)
			goto bad;
		*port++ = '\0';
	}
	errno = 0;
	number = strtoul(port, &end, 10);
	if (errno || end == port || *end || number > 65535)
		goto bad;
	req->port = number;
	if (inet_pton(AF_INET, host, req->addr) == 1) {
		req->family = AF_INET;
	} else if (inet_pton(AF_INET6, host, req->addr) == 1) {
		req->family = AF_INET6;
		if (is_v4_mapped(req->addr)) {
			memmove(req->addr, req->addr + 12, 4);
			memset(req->addr + 4, 0, 12);
			req->family = AF_INET;
		}
	} else {
		goto bad;
	}
	return 0;
bad:
	snprintf(err, errsize,
		 "'%s' is not ADDRESS:PORT[/PROTO] (like 1.2.3.4:443 or [::1]:53/udp)", text);
	return -1;
}

/*
 * The rules @rule stands for: for an interface rule (on rule->name), one per
 * address the interface has now, on that address's network; for a host
 * rule, one per address of any interface, that address alone. Appended to
 * @list.
 */
static int expand_one(struct cl_net_list *list, const struct cl_net_rule *rule,
		      const struct cl_if_addr *addrs, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct cl_net_rule r = *rule;

		if (!rule->host && strcmp(addrs[i].ifname, rule->name))
			continue;
		r.family = addrs[i].family;
		r.prefix = rule->host ? addr_bytes(r.family) * 8 : addrs[i].prefix;
		r.host = false;
		memset(r.name, 0, sizeof(r.name));
		memcpy(r.addr, addrs[i].addr, sizeof(r.addr));
		mask_addr(r.addr, addr_bytes(r.family), r.prefix);
		canonical_text(&r);
		/* Say where the address came from, for events and explain. */
		cl_format(r.source, sizeof(r.source), "%s (%s%s)", rule->source,
			  rule->host ? "host address on " : "if:", addrs[i].ifname);
		if (cl_net_list_set(list, &r) < 0)
			return -1;
	}
	return 0;
}

int cl_net_expand_interfaces(struct cl_net_list *list, const struct cl_if_addr *addrs, size_t count)
{
	struct cl_net_list out = { 0 };
	int ret = 0;

	for (size_t i = 0; i < list->count && !ret; i++) {
		const struct cl_net_rule *rule = &list->rules[i];

		if (rule->family == AF_UNSPEC)
			ret = expand_one(&out, rule, addrs, count);
		else
			ret = cl_net_list_set(&out, rule);
	}
	if (ret) {
		cl_net_list_free(&out);
		return -1;
	}
	cl_net_list_free(list);
	*list = out;
	return 0;
}
