// SPDX-License-Identifier: GPL-2.0
/*
 * netrule_test.c - network rules: their syntax and canonical text, the trie
 * entries the kernel gets (each prefix carries every rule containing it,
 * most specific first), the userspace decision `explain` gives, and network
 * and capDrop keys in policy files.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "policy/netrule.h"
#include "policy/policy.h"
#include "kselftest_harness.h"
#include "leakcheck.h"
#include "unittest.h"

/* Parse @spec as an @access rule, written at @source ("test SPEC" when NULL), into @list. */
static int add_from(struct cl_net_list *list, const char *spec, const char *access,
		    const char *source)
{
	struct cl_net_rule rule;
	char err[256];

	if (cl_net_parse(spec, access, &rule, err, sizeof(err)) < 0)
		return -1;
	if (source)
		snprintf(rule.source, sizeof(rule.source), "%s", source);
	else
		snprintf(rule.source, sizeof(rule.source), "test %s", spec);
	return cl_net_list_set(list, &rule);
}

static int add(struct cl_net_list *list, const char *spec, const char *access)
{
	return add_from(list, spec, access, NULL);
}

/* The decision for "ADDRESS:PORT[/proto]": 1 allow, 0 deny; *rule_text the decider. */
static int decide(const struct cl_net_list *list, const char *target, const char **rule_text)
{
	const struct cl_net_rule *rule;
	struct cl_net_request req;
	char err[256];
	bool allowed;

	if (cl_net_target_parse(target, &req, err, sizeof(err)) < 0)
		return -1;
	allowed = cl_net_decide(list, &req, &rule);
	*rule_text = rule ? rule->text : "";
	return allowed;
}

TEST(rules_parse_to_canonical_text)
{
	static const struct {
		const char *spec, *text;
	} cases[] = {
		{ "10.1.2.3/8", "any 10.0.0.0/8" },
		{ "tcp 140.82.112.0/20 443", "tcp 140.82.112.0/20 443" },
		{ "udp 1.1.1.1 53", "udp 1.1.1.1/32 53" },
		{ "tcp 0.0.0.0/0 8000-8999", "tcp 0.0.0.0/0 8000-8999" },
		{ "2001:db8::1/32", "any 2001:db8::/32" },
		{ "::1", "any ::1/128" },
		{ "::ffff:169.254.0.0/112", "any 169.254.0.0/16" },
		{ "unix @bus", "unix @bus" },
	};
	struct cl_net_rule rule;
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, cl_net_parse(cases[i].spec, "allow", &rule, err, sizeof(err)));
		EXPECT_STREQ(cases[i].text, rule.text);
	}
	LEAK_CHECK();
}

TEST(bad_rules_say_why)
{
	static const char *const bad[] = {
		"10.0.0.0/33",	   "tcp",	  "tcp 1.2.3.4 70000",
		"tcp 1.2.3.4 9-8", "ftp 1.2.3.4", "unix /run/x.sock",
		"1.2.3.4 80 90",   "example.com",
	};
	struct cl_net_rule rule;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		EXPECT_EQ(-1, cl_net_parse(bad[i], "allow", &rule, err, sizeof(err)));
		EXPECT_NE('\0', err[0]);
	}
	EXPECT_EQ(-1, cl_net_parse("1.2.3.4", "maybe", &rule, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "allow"));
}

TEST(most_specific_matching_rule_decides)
{
	struct cl_net_list list = { 0 };
	const char *by;

	ASSERT_EQ(0, add(&list, "0.0.0.0/0", "allow"));
	ASSERT_EQ(0, add(&list, "169.254.0.0/16", "deny"));
	ASSERT_EQ(0, add(&list, "10.0.0.0/8", "deny"));
	ASSERT_EQ(0, add(&list, "tcp 10.1.0.0/16 443", "allow"));
	ASSERT_EQ(0, add(&list, "fd00::/8", "allow"));
	EXPECT_EQ(0, decide(&list, "169.254.169.254:80", &by));
	EXPECT_STREQ("any 169.254.0.0/16", by);
	EXPECT_EQ(1, decide(&list, "8.8.8.8:53/udp", &by));
	EXPECT_STREQ("any 0.0.0.0/0", by);
	EXPECT_EQ(1, decide(&list, "10.1.2.3:443", &by));
	EXPECT_STREQ("tcp 10.1.0.0/16 443", by);
	/* Port or protocol not matching the /16: the /8 deny is next in line. */
	EXPECT_EQ(0, decide(&list, "10.1.2.3:80", &by));
	EXPECT_STREQ("any 10.0.0.0/8", by);
	EXPECT_EQ(0, decide(&list, "10.1.2.3:443/udp", &by));
	/* v4-mapped IPv6 is the IPv4 address. */
	EXPECT_EQ(0, decide(&list, "[::ffff:169.254.169.254]:80", &by));
	EXPECT_EQ(1, decide(&list, "[fd12::1]:22", &by));
	/* No IPv6 rule covers 2001:db8::1: denied, no rule. */
	EXPECT_EQ(0, decide(&list, "[2001:db8::1]:443", &by));
	EXPECT_STREQ("", by);
	cl_net_list_free(&list);
	LEAK_CHECK();
}

TEST(trie_entries_carry_every_containing_rule)
{
	struct cl_net_list list = { 0 };
	struct cl_net_node *nodes;
	size_t count;
	char err[256];

	ASSERT_EQ(0, add(&list, "0.0.0.0/0", "allow"));
	ASSERT_EQ(0, add(&list, "10.0.0.0/8", "deny"));
	ASSERT_EQ(0, add(&list, "tcp 10.1.0.0/16 443", "allow"));
	ASSERT_EQ(0, add(&list, "unix @bus", "allow"));
	ASSERT_EQ(0, cl_net_build(&list, 100, &nodes, &count, err, sizeof(err)));
	ASSERT_EQ(3, count);
	/* The /16: itself, then the /8, then the /0. */
	EXPECT_EQ(16, nodes[2].prefix);
	ASSERT_EQ(3, nodes[2].value.count);
	EXPECT_EQ(102, nodes[2].value.entries[0].rule_id);
	EXPECT_EQ(443, nodes[2].value.entries[0].port_lo);
	EXPECT_EQ(IPPROTO_TCP, nodes[2].value.entries[0].proto);
	EXPECT_EQ(101, nodes[2].value.entries[1].rule_id);
	EXPECT_EQ(0, nodes[2].value.entries[1].allow);
	EXPECT_EQ(100, nodes[2].value.entries[2].rule_id);
	EXPECT_EQ(1, nodes[0].value.count);
	free(nodes);
	cl_net_list_free(&list);
	LEAK_CHECK();
}

/* The trie entries of the prefix @node, as the definition says: a scan of the whole list. */
static size_t naive_covering(const struct cl_net_list *list, const struct cl_net_node *node,
			     uint32_t *ids)
{
	int bytes = node->family == AF_INET ? 4 : 16;
	size_t n = 0;

	for (int len = node->prefix; len >= 0; len--) {
		for (size_t i = 0; i < list->count; i++) {
			const struct cl_net_rule *r = &list->rules[i];
			int whole = len / 8, rest = len % 8;

			if (r->family != node->family || r->prefix != len ||
			    memcmp(r->addr, node->addr, whole))
				continue;
			if (rest && whole < bytes &&
			    (r->addr[whole] ^ node->addr[whole]) & (0xff << (8 - rest)))
				continue;
			ids[n++] = i;
		}
	}
	return n;
}

/*
 * Overlapping prefixes in many rules: every node carries exactly the rules
 * the definition gives, in its order, and every network has one node.
 */
TEST(trie_entries_match_the_definition_on_many_rules)
{
	static const int prefixes[] = { 16, 20, 24, 28, 32 };
	struct cl_net_list list = { 0 };
	struct cl_net_node *nodes;
	uint32_t seed = 12345, ids[CL_NET_ENTRIES + 1];
	char spec[96], err[256];
	size_t count, networks = 0;

	ASSERT_EQ(0, add(&list, "0.0.0.0/0", "deny"));
	ASSERT_EQ(0, add(&list, "10.0.0.0/8", "allow"));
	ASSERT_EQ(0, add(&list, "::/0", "deny"));
	ASSERT_EQ(0, add(&list, "tcp 2001:db8::/32 443", "allow"));
	for (int i = 0; i < 600; i++) {
		seed = seed * 1103515245 + 12345;
		snprintf(spec, sizeof(spec), "tcp 10.%u.%u.%u/%d %u", (seed >> 8) % 16,
			 (seed >> 12) % 256, (seed >> 20) % 256, prefixes[(seed >> 4) % 5],
			 1 + (seed >> 16) % 3);
		ASSERT_EQ(0, add(&list, spec, i % 3 ? "allow" : "deny"));
	}
	ASSERT_EQ(0, add(&list, "udp 2001:db8:1::/48 53", "allow"));
	ASSERT_EQ(0, cl_net_build(&list, 7, &nodes, &count, err, sizeof(err))) TH_LOG("%s", err);
	for (size_t i = 0; i < list.count; i++) {
		struct cl_net_node probe = { .family = list.rules[i].family,
					     .prefix = list.rules[i].prefix };
		uint32_t first[CL_NET_ENTRIES + 1];

		memcpy(probe.addr, list.rules[i].addr, 16);
		/* Rule i makes a node unless an earlier rule has its network. */
		if (naive_covering(&list, &probe, first) && first[0] == i)
			networks++;
	}
	EXPECT_EQ(networks, count);
	for (size_t i = 0; i < count; i++) {
		size_t k = naive_covering(&list, &nodes[i], ids);

		ASSERT_EQ(k, nodes[i].value.count);
		for (size_t e = 0; e < k; e++)
			EXPECT_EQ(7 + ids[e], nodes[i].value.entries[e].rule_id);
	}
	free(nodes);
	cl_net_list_free(&list);
	LEAK_CHECK();
}

TEST(too_many_rules_on_one_prefix_is_an_error)
{
	struct cl_net_list list = { 0 };
	struct cl_net_node *nodes = NULL;
	size_t count;
	char spec[64], err[256];

	for (int port = 1; port <= CL_NET_ENTRIES + 1; port++) {
		snprintf(spec, sizeof(spec), "tcp 10.0.0.0/8 %d", port);
		ASSERT_EQ(0, add(&list, spec, "allow"));
	}
	EXPECT_EQ(-1, cl_net_build(&list, 1, &nodes, &count, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "at most 16"));
	cl_net_list_free(&list);
	LEAK_CHECK();
}

TEST(policy_files_take_network_and_cap_drop)
{
	char dir[] = "/tmp/cl-net-XXXXXX", path[128], err[1024];
	struct cl_policy policy;
	const struct cl_agent *agent;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.json5", dir);
	ASSERT_EQ(0, cl_unit_write(
			     path,
			     "{ profiles: { web: { network: { 'tcp 0.0.0.0/0 443': 'allow' } } },\n"
			     "  agents: { a: { use: 'web', capDrop: ['CAP_NET_RAW', 'chown'],\n"
			     "                 network: { '10.0.0.0/8': 'deny' } },\n"
			     "           b: { capDrop: ['ALL'], capAdd: ['net_admin'] } } }\n"));
	ASSERT_EQ(0, cl_policy_load(path, &policy, err, sizeof(err)));
	agent = cl_policy_agent(&policy, "a");
	ASSERT_NE(NULL, agent);
	ASSERT_EQ(2, agent->net.count);
	EXPECT_STREQ("tcp 0.0.0.0/0 443", agent->net.rules[0].text);
	EXPECT_NE(NULL, strstr(agent->net.rules[1].source, "agents.a.network"));
	/* Network administration goes whatever capDrop says, unless capAdd keeps it. */
	EXPECT_EQ((1ULL << 13) | (1ULL << 0) | CL_CAP_NETWORK, agent->cap_drop);
	agent = cl_policy_agent(&policy, "b");
	ASSERT_NE(NULL, agent);
	EXPECT_EQ(~(1ULL << CL_CAP_NET_ADMIN_BIT), agent->cap_drop);
	cl_policy_free(&policy);

	ASSERT_EQ(0, cl_unit_write(path, "{ agents: { a: {\n"
					 "  network: { 'tcp 10.0.0.0/40': 'allow' } } } }\n"));
	EXPECT_EQ(-1, cl_policy_load(path, &policy, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "p.json5:2:33:"));
	ASSERT_EQ(0, cl_unit_write(path, "{ agents: { a: { capDrop: ['sys_admn'] } } }\n"));
	EXPECT_EQ(-1, cl_policy_load(path, &policy, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "unknown capability 'sys_admn'"));
	unlink(path);
	rmdir(dir);
	LEAK_CHECK();
}

/* "if:NAME" stands for the networks of the interface's addresses, as they are now. */
TEST(interface_rules_expand_to_the_interface_networks)
{
	struct cl_if_addr addrs[] = {
		{ .ifname = "lo", .family = AF_INET, .prefix = 8, .addr = { 127, 0, 0, 1 } },
		{ .ifname = "eth0", .family = AF_INET, .prefix = 24, .addr = { 10, 1, 2, 3 } },
		{ .ifname = "eth0", .family = AF_INET6, .prefix = 64, .addr = { 0xfd, 0, 0, 9 } },
	};
	struct cl_net_list list = { 0 };
	struct cl_net_node *nodes;
	struct cl_net_rule rule;
	size_t count;
	char err[256];

	ASSERT_EQ(0, cl_net_parse("tcp if:eth0 443", "allow", &rule, err, sizeof(err)));
	EXPECT_EQ(AF_UNSPEC, rule.family);
	EXPECT_STREQ("tcp if:eth0 443", rule.text);
	ASSERT_EQ(0, add_from(&list, "tcp if:eth0 443", "allow", "p.json5:3:5 agents.a.network"));
	ASSERT_EQ(0, add(&list, "udp 192.0.2.1 53", "allow"));
	ASSERT_EQ(0, add(&list, "if:wlan9", "deny"));

	ASSERT_EQ(0, cl_net_expand_interfaces(&list, addrs, 3));
	/* eth0's two networks, the plain rule; wlan9 has no address: no rule. */
	ASSERT_EQ(3, list.count);
	EXPECT_STREQ("tcp 10.1.2.0/24 443", list.rules[0].text);
	EXPECT_STREQ("tcp fd00:9::/64 443", list.rules[1].text);
	EXPECT_STREQ("udp 192.0.2.1/32 53", list.rules[2].text);
	EXPECT_STREQ("p.json5:3:5 agents.a.network (if:eth0)", list.rules[0].source);
	cl_net_list_free(&list);

	/* "host": every address of every interface, each alone. */
	ASSERT_EQ(0, cl_net_parse("host", "deny", &rule, err, sizeof(err)));
	EXPECT_STREQ("any host", rule.text);
	ASSERT_EQ(0, add_from(&list, "host", "deny", "b.json5:9:9 profiles.egress.network"));
	ASSERT_EQ(0, cl_net_expand_interfaces(&list, addrs, 3));
	ASSERT_EQ(3, list.count);
	EXPECT_STREQ("any 127.0.0.1/32", list.rules[0].text);
	EXPECT_STREQ("any 10.1.2.3/32", list.rules[1].text);
	EXPECT_STREQ("any fd00:9::/128", list.rules[2].text);
	EXPECT_FALSE(list.rules[1].allow);
	EXPECT_STREQ("b.json5:9:9 profiles.egress.network (host address on eth0)",
		     list.rules[1].source);
	cl_net_list_free(&list);

	/*
	 * An unexpanded rule has no address: stored, it would be a /0 of one
	 * family (a "host" deny once denied all of IPv6). It is refused.
	 */
	ASSERT_EQ(0, add(&list, "host", "deny"));
	EXPECT_EQ(-1, cl_net_build(&list, 1, &nodes, &count, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "any host was not expanded")) TH_LOG("%s", err);
	cl_net_list_free(&list);

	EXPECT_EQ(-1, cl_net_parse("tcp if: 80", "allow", &rule, err, sizeof(err)));
	EXPECT_EQ(-1, cl_net_parse("if:a/b", "allow", &rule, err, sizeof(err)));
	EXPECT_EQ(-1, cl_net_parse("if:averyveryverylongname", "allow", &rule, err, sizeof(err)));
}

TEST_HARNESS_MAIN
