// SPDX-License-Identifier: GPL-2.0
/*
 * network_test.c - the network half of the escape suite (run in the test
 * VM): network none, the egress profile OpenClaw's bridge network maps to,
 * an allowlist by CIDR, port and protocol, loopback in a private network
 * namespace, raw and packet sockets, unix sockets by path and abstract name.
 *
 * The VM has no route out, so a connect the policy allows fails with
 * ENETUNREACH: that, and not EACCES, is how "allowed" shows here.
 */
#include "cltest.h"
#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

#define UNREACHABLE   (HELPER_ERRNO + ENETUNREACH)
#define NOT_LISTENING (HELPER_ERRNO + ECONNREFUSED)

FIXTURE(net)
{
	char root[64];
	char policy[128];
	char none[32], egress[32], allow[32];
	char path[512];
	int listeners[4];
};

static const char *at(FIXTURE_DATA(net) * self, const char *rel)
{
	snprintf(self->path, sizeof(self->path), "%s/%s", self->root, rel);
	return self->path;
}

/* A listening socket on the host side, kept open for the test. */
static int listen_on(const char *addr)
{
	struct sockaddr_storage ss;
	int fd, type, one = 1;
	socklen_t len;

	if (cl_parse_addr(addr, &ss, &len, &type) < 0)
		return -1;
	fd = socket(ss.ss_family, type, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 8) < 0)
		return -1;
	return fd;
}

static int listen_unix(const char *name)
{
	struct sockaddr_un sun;
	socklen_t len = cl_unix_addr(name, &sun);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) < 0 || listen(fd, 8) < 0)
		return -1;
	return fd;
}

FIXTURE_SETUP(net)
{
	char text[8192];
	int pid = getpid();

	strcpy(self->root, "/tmp/cl-net-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->policy, sizeof(self->policy), "%s/policy.json5", self->root);
	snprintf(self->none, sizeof(self->none), "none-%d", pid);
	snprintf(self->egress, sizeof(self->egress), "egress-%d", pid);
	snprintf(self->allow, sizeof(self->allow), "allow-%d", pid);
	ASSERT_EQ(0, mkdir(at(self, "ws"), 0755));
	snprintf(text, sizeof(text),
		 "{ include: '%s/policies/baseline.json5', profiles: { me: { files: {"
		 "  '%s': 'read,exec', '%s/ws': 'read,write' } } },"
		 " agents: {"
		 "  '%s': { use: ['system', 'me'] },"
		 "  '%s': { use: ['system', 'me', 'egress'] },"
		 "  '%s': { use: ['system', 'me'], network: {"
		 "    'tcp 10.9.9.9 8080': 'allow', 'udp 10.9.9.0/24 53': 'allow',"
		 "    'fd00:9::/64': 'allow', 'fd00:9::66': 'deny',"
		 "    'unix @clawlock-ok-%d': 'allow' } } } }",
		 cl_source(), cl_self_dir(), self->root, self->none, self->egress, self->allow,
		 pid);
	ASSERT_EQ(0, cl_write_file(self->policy, text));
	/* Addresses the VM has, so an allowed connect can complete. */
	system("ip addr add 10.9.9.9/32 dev lo 2>/dev/null; ip addr add fd00:9::9/128 dev lo "
	       "nodad 2>/dev/null");
	self->listeners[0] = listen_on("10.9.9.9:8080");
	self->listeners[1] = listen_on("127.0.0.1:8081");
	self->listeners[2] = listen_on("[fd00:9::9]:8082");
	self->listeners[3] = -1;
	ASSERT_LE(0, self->listeners[0]);
	ASSERT_LE(0, self->listeners[1]);
	ASSERT_LE(0, self->listeners[2]);
	ASSERT_EQ(0, cl_load());
}

FIXTURE_TEARDOWN(net)
{
	for (int i = 0; i < 4; i++)
		if (self->listeners[i] >= 0)
			close(self->listeners[i]);
	cl_rm_tree(self->root);
}

#define AS(agent, op, target) cl_confined(self->policy, self->agent, op, target, NULL)

TEST_F(net, none_allows_nothing)
{
	EXPECT_EQ(DENIED, AS(none, "connect", "8.8.8.8:53"));
	EXPECT_EQ(DENIED, AS(none, "sendto", "8.8.8.8:53/udp"));
	EXPECT_EQ(DENIED, AS(none, "connect", "[2001:4860:4860::8888]:53"));
	EXPECT_EQ(DENIED, AS(none, "bind", "0.0.0.0:8090"));
	EXPECT_EQ(DENIED, AS(none, "connect", "10.9.9.9:8080"));
	/* The same from outside: the VM really has no route, and the listener is there. */
	EXPECT_EQ(UNREACHABLE, cl_helper_op("connect", "8.8.8.8:53"));
	EXPECT_EQ(0, cl_helper_op("connect", "10.9.9.9:8080"));
}

TEST_F(net, host_loopback_is_denied)
{
	struct json_object *ev;

	EXPECT_EQ(0, cl_helper_op("connect", "127.0.0.1:8081"));
	EXPECT_EQ(DENIED, AS(egress, "connect", "127.0.0.1:8081"));
	EXPECT_EQ(DENIED, AS(none, "connect", "127.0.0.1:8081"));
	EXPECT_EQ(DENIED, AS(egress, "connect", "[::1]:8081"));
	/* A v4-mapped IPv6 address is the IPv4 address it maps. */
	EXPECT_EQ(DENIED, AS(egress, "connect", "[::ffff:127.0.0.1]:8081"));
	EXPECT_EQ(DENIED, AS(none, "listen", "127.0.0.1:8091"));
	ev = cl_find_event(self->egress, "127.0.0.1:8081/tcp");
	ASSERT_NE(NULL, ev);
	EXPECT_STREQ("connect", cl_event_str(ev, "op"));
	EXPECT_STREQ("host-loopback", cl_event_str(ev, "reason"));
	json_object_put(ev);
}

TEST_F(net, egress_denies_metadata_and_private_ranges)
{
	struct json_object *ev, *rule;

	EXPECT_EQ(DENIED, AS(egress, "connect", "169.254.169.254:80"));
	EXPECT_EQ(DENIED, AS(egress, "connect", "[::ffff:169.254.169.254]:80"));
	EXPECT_EQ(DENIED, AS(egress, "sendto", "169.254.169.254:53/udp"));
	EXPECT_EQ(DENIED, AS(egress, "connect", "10.9.9.9:8080"));
	EXPECT_EQ(DENIED, AS(egress, "connect", "192.168.1.1:443"));
	EXPECT_EQ(DENIED, AS(egress, "connect", "[fe80::1]:443"));
	EXPECT_EQ(DENIED, AS(egress, "connect", "[64:ff9b::a9fe:a9fe]:80"));
	/* The public internet is allowed: the connect gets past clawlock. */
	EXPECT_EQ(UNREACHABLE, AS(egress, "connect", "8.8.8.8:53"));
	EXPECT_EQ(UNREACHABLE, AS(egress, "sendto", "1.1.1.1:53/udp"));
	EXPECT_EQ(UNREACHABLE, AS(egress, "connect", "[2001:4860:4860::8888]:443"));
	ev = cl_find_event(self->egress, "169.254.169.254:80/tcp");
	ASSERT_NE(NULL, ev);
	EXPECT_STREQ("deny", cl_event_str(ev, "decision"));
	EXPECT_STREQ("rule", cl_event_str(ev, "reason"));
	ASSERT_TRUE(json_object_object_get_ex(ev, "rule", &rule));
	EXPECT_STREQ("any 169.254.0.0/16", cl_event_str(rule, "path"));
	EXPECT_NE(NULL, strstr(cl_event_str(rule, "source"), "profiles.egress.network"));
	json_object_put(ev);
}

TEST_F(net, allowlist_by_cidr_port_and_protocol)
{
	EXPECT_EQ(0, AS(allow, "connect", "10.9.9.9:8080"));
	EXPECT_EQ(DENIED, AS(allow, "connect", "10.9.9.9:8081"));
	EXPECT_EQ(DENIED, AS(allow, "sendto", "10.9.9.9:8080/udp"));
	EXPECT_EQ(0, AS(allow, "sendto", "10.9.9.9:53/udp"));
	EXPECT_EQ(DENIED, AS(allow, "sendto", "10.9.9.9:54/udp"));
	EXPECT_EQ(DENIED, AS(allow, "connect", "8.8.8.8:53"));
	/* IPv6: the /64 is allowed, one address in it is denied. */
	EXPECT_EQ(0, AS(allow, "connect", "[fd00:9::9]:8082"));
	EXPECT_EQ(DENIED, AS(allow, "connect", "[fd00:9::66]:8082"));
	EXPECT_EQ(DENIED, AS(allow, "connect", "[fd00:8::9]:8082"));
}

TEST_F(net, raw_and_packet_sockets_are_refused)
{
	EXPECT_EQ(REFUSED, AS(egress, "raw", "-"));
	EXPECT_EQ(REFUSED, AS(egress, "packet", "-"));
	EXPECT_EQ(0, cl_helper_op("raw", "-"));
}

/* In a network namespace of its own, a sandbox has a loopback to itself. */
TEST_F(net, private_namespace_loopback)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0 || system("ip link set lo up") != 0)
			_exit(90);
		_exit(cl_confined(self->policy, self->none, "listen-connect", "127.0.0.1:9000",
				  NULL));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* On the host's namespace the same is denied. */
	EXPECT_EQ(DENIED, AS(none, "listen-connect", "127.0.0.1:9000"));
}

/* A path socket needs write on its file: the docker.sock of this test is not writable. */
TEST_F(net, unix_path_sockets_need_write)
{
	char sock[PATH_MAX], ok[PATH_MAX];
	int a, b;

	snprintf(sock, sizeof(sock), "%s/docker.sock", self->root);
	snprintf(ok, sizeof(ok), "%s/ws/agent.sock", self->root);
	a = listen_unix(sock);
	b = listen_unix(ok);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	EXPECT_EQ(DENIED, AS(egress, "unix-connect", sock));
	EXPECT_EQ(0, AS(egress, "unix-connect", ok));
	EXPECT_EQ(0, cl_helper_op("unix-connect", sock));
	close(a);
	close(b);
}

TEST_F(net, abstract_sockets_only_when_listed)
{
	char listed[64], other[64];
	int a, b;

	snprintf(listed, sizeof(listed), "@clawlock-ok-%d", getpid());
	snprintf(other, sizeof(other), "@clawlock-host-%d", getpid());
	a = listen_unix(listed);
	b = listen_unix(other);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	EXPECT_EQ(0, AS(allow, "unix-connect", listed));
	EXPECT_EQ(DENIED, AS(allow, "unix-connect", other));
	EXPECT_EQ(DENIED, AS(egress, "unix-connect", listed));
	EXPECT_EQ(DENIED, AS(egress, "abstract-bind", "@clawlock-squat"));
	close(a);
	close(b);
}

TEST_HARNESS_MAIN
