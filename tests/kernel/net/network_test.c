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

#include <linux/sctp.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <sys/ioctl.h>

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

#define UNREACHABLE   (HELPER_ERRNO + ENETUNREACH)
#define NOT_LISTENING (HELPER_ERRNO + ECONNREFUSED)

/*
 * The escape helpers of this file (run confined, like cltest.h's): each
 * does one way of naming a peer or a route, and exits with 0 or
 * HELPER_ERRNO + errno.
 */

/* "ADDR:PORT[/udp]" into a socket of @proto with the address in @ss. */
static int net_socket(const char *arg, int type, int proto, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	int parsed_type;

	if (cl_parse_addr(arg, ss, len, &parsed_type) < 0)
		return -1;
	return socket(ss->ss_family, type ? type : parsed_type, proto);
}

static int errno_status(int ret)
{
	return ret < 0 ? HELPER_ERRNO + errno : 0;
}

/* sendto with the address of ARG under family AF_UNSPEC (UDP or UDP-Lite). */
static int helper_unspec_sendto(const char *op, const char *arg)
{
	struct sockaddr_storage ss;
	struct sockaddr_in unspec = { .sin_family = AF_UNSPEC };
	socklen_t len;
	int fd = net_socket(arg, SOCK_DGRAM,
			    !strcmp(op, "unspec-udplite") ? IPPROTO_UDPLITE : IPPROTO_UDP, &ss,
			    &len);

	if (fd < 0)
		return fd == -1 && errno ? HELPER_ERRNO + errno : 94;
	/* unspec-disconnect: connect(AF_UNSPEC) first, as a disconnect does. */
	if (!strcmp(op, "unspec-disconnect") &&
	    connect(fd, (struct sockaddr *)&unspec, sizeof(unspec)) < 0)
		return HELPER_ERRNO + errno;
	((struct sockaddr *)&ss)->sa_family = AF_UNSPEC;
	return errno_status(sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len));
}

/* Take a descriptor from the unix socket at ARG and send on it with no address. */
static int helper_peer_send(const char *op, const char *arg)
{
	struct sockaddr_un sun;
	struct sockaddr_in6 unspec = { .sin6_family = AF_UNSPEC };
	socklen_t len = cl_unix_addr(arg, &sun);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), sock = -1, ret;

	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, len) < 0)
		return HELPER_ERRNO + errno;
	ret = cl_recv_fd(fd, &sock);
	if (ret)
		return ret;
	/* peer-unspec: an AF_UNSPEC name, which udpv6_sendmsg takes as none. */
	if (!strcmp(op, "peer-unspec"))
		return errno_status(
			sendto(sock, "x", 1, 0, (struct sockaddr *)&unspec, sizeof(unspec)));
	return errno_status(send(sock, "x", 1, 0));
}

/* An IPv4 loose source route through 10.9.9.66 (RFC 791 LSRR), padded to 8 bytes. */
static const unsigned char lsrr[8] = { IPOPT_NOP, IPOPT_LSRR, 7, 4, 10, 9, 9, 66 };

/* A segment routing header (type 4) with one segment, 10.9.9.66 as fd00:9::66. */
static void srh(unsigned char buf[24])
{
	memset(buf, 0, 24);
	buf[1] = 2; /* (24 / 8) - 1 */
	buf[2] = 4; /* IPV6_SRCRT_TYPE_4 */
	inet_pton(AF_INET6, "fd00:9::66", buf + 8);
}

/* setsockopt of a routing option: ipv4-lsrr, ipv6-rthdr, ipv6-2292rthdr, ipv6-pktoptions. */
static int helper_route_option(const char *op)
{
	unsigned char rh[24], cmsgbuf[CMSG_SPACE(24)];
	int v6 = strncmp(op, "ipv4", 4) != 0;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	struct cmsghdr *c = (struct cmsghdr *)cmsgbuf;

	if (fd < 0)
		return HELPER_ERRNO + errno;
	if (!v6)
		return errno_status(setsockopt(fd, IPPROTO_IP, IP_OPTIONS, lsrr, sizeof(lsrr)));
	srh(rh);
	if (!strcmp(op, "ipv6-rthdr"))
		return errno_status(setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, rh, sizeof(rh)));
	if (!strcmp(op, "ipv6-2292rthdr"))
		return errno_status(setsockopt(fd, IPPROTO_IPV6, IPV6_2292RTHDR, rh, sizeof(rh)));
	memset(cmsgbuf, 0, sizeof(cmsgbuf));
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_RTHDR;
	c->cmsg_len = CMSG_LEN(sizeof(rh));
	memcpy(CMSG_DATA(c), rh, sizeof(rh));
	return errno_status(
		setsockopt(fd, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, cmsgbuf, sizeof(cmsgbuf)));
}

/* sendmsg to ARG with one control message: cmsg-retopts, cmsg-rthdr, cmsg-tos. */
static int helper_route_cmsg(const char *op, const char *arg)
{
	unsigned char cbuf[CMSG_SPACE(24)] = { 0 }, rh[24];
	struct cmsghdr *c = (struct cmsghdr *)cbuf;
	struct sockaddr_storage ss;
	struct iovec iov = { "x", 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf };
	socklen_t len;
	int fd = net_socket(arg, SOCK_DGRAM, 0, &ss, &len), tos = 0x10;

	if (fd < 0)
		return HELPER_ERRNO + errno;
	msg.msg_name = &ss;
	msg.msg_namelen = len;
	srh(rh);
	if (!strcmp(op, "cmsg-retopts")) {
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_RETOPTS;
		c->cmsg_len = CMSG_LEN(sizeof(lsrr));
		memcpy(CMSG_DATA(c), lsrr, sizeof(lsrr));
	} else if (!strcmp(op, "cmsg-rthdr")) {
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_RTHDR;
		c->cmsg_len = CMSG_LEN(sizeof(rh));
		memcpy(CMSG_DATA(c), rh, sizeof(rh));
	} else {
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_TOS;
		c->cmsg_len = CMSG_LEN(sizeof(tos));
		memcpy(CMSG_DATA(c), &tos, sizeof(tos));
	}
	msg.msg_controllen = CMSG_SPACE(c->cmsg_len - CMSG_LEN(0));
	return errno_status(sendmsg(fd, &msg, 0));
}

/* "A|B": SCTP addresses packed as sctp_bindx and sctp_connectx pass them. */
static int sctp_addrs(const char *arg, unsigned char *buf, socklen_t *size)
{
	char copy[120], *next, *one = copy;
	int type;

	snprintf(copy, sizeof(copy), "%s", arg);
	*size = 0;
	for (; one; one = next) {
		struct sockaddr_storage ss;
		socklen_t len;

		next = strchr(one, '|');
		if (next)
			*next++ = '\0';
		if (cl_parse_addr(one, &ss, &len, &type) < 0 || *size + len > 256)
			return -1;
		memcpy(buf + *size, &ss, len);
		*size += len;
	}
	return 0;
}

/* sctp-bindx, sctp-connectx (non-blocking: in progress is success), sctp-dstaddr. */
static int helper_sctp(const char *op, const char *arg)
{
	unsigned char addrs[256], cbuf[CMSG_SPACE(sizeof(struct in_addr))] = { 0 };
	struct iovec iov = { "x", 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c = (struct cmsghdr *)cbuf;
	socklen_t size;
	int fd, ret;

	if (sctp_addrs(arg, addrs, &size) < 0)
		return 94;
	fd = socket(AF_INET, !strcmp(op, "sctp-dstaddr") ? SOCK_SEQPACKET : SOCK_STREAM,
		    IPPROTO_SCTP);
	if (fd < 0)
		return HELPER_ERRNO + errno;
	if (!strcmp(op, "sctp-bindx"))
		return errno_status(
			setsockopt(fd, IPPROTO_SCTP, SCTP_SOCKOPT_BINDX_ADD, addrs, size));
	if (!strcmp(op, "sctp-connectx")) {
		fcntl(fd, F_SETFL, O_NONBLOCK);
		ret = setsockopt(fd, IPPROTO_SCTP, SCTP_SOCKOPT_CONNECTX, addrs, size);
		return ret < 0 && errno == EINPROGRESS ? 0 : errno_status(ret);
	}
	/* The first address is the message's; the second rides in SCTP_DSTADDRV4. */
	msg.msg_name = addrs;
	msg.msg_namelen = sizeof(struct sockaddr_in);
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	c->cmsg_level = IPPROTO_SCTP;
	c->cmsg_type = SCTP_DSTADDRV4;
	c->cmsg_len = CMSG_LEN(sizeof(struct in_addr));
	memcpy(CMSG_DATA(c), &((struct sockaddr_in *)(addrs + 16))->sin_addr,
	       sizeof(struct in_addr));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	ret = sendmsg(fd, &msg, 0);
	return ret < 0 && errno == EINPROGRESS ? 0 : errno_status(ret);
}

/* Network administration: set lo's MTU to what it is (needs CAP_NET_ADMIN). */
static int helper_net_admin(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		return 91;
	return errno_status(ioctl(fd, SIOCSIFMTU, &ifr));
}

/* An abstract name with "\0" spelled out in ARG: "@name\0junk". */
static socklen_t abstract_addr(const char *arg, struct sockaddr_un *sun)
{
	size_t n = 0;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	for (const char *p = arg + 1; *p && n < sizeof(sun->sun_path) - 2; p++) {
		if (p[0] == '\\' && p[1] == '0') {
			sun->sun_path[1 + n++] = '\0';
			p++;
		} else {
			sun->sun_path[1 + n++] = *p;
		}
	}
	return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

static int helper_abstract(const char *op, const char *arg)
{
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(arg, &sun);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		return HELPER_ERRNO + errno;
	if (!strcmp(op, "abstract-bind-exact"))
		return errno_status(bind(fd, (struct sockaddr *)&sun, len));
	return errno_status(connect(fd, (struct sockaddr *)&sun, len));
}

static int net_helper_op(const char *op, const char *arg)
{
	if (!strncmp(op, "unspec-", 7))
		return helper_unspec_sendto(op, arg);
	if (!strncmp(op, "peer-", 5))
		return helper_peer_send(op, arg);
	if (!strncmp(op, "ipv4-", 5) || !strncmp(op, "ipv6-", 5))
		return helper_route_option(op);
	if (!strncmp(op, "cmsg-", 5))
		return helper_route_cmsg(op, arg);
	if (!strncmp(op, "sctp-", 5))
		return helper_sctp(op, arg);
	if (!strcmp(op, "net-admin"))
		return helper_net_admin();
	if (!strcmp(op, "socket-proto"))
		return errno_status(socket(AF_INET, SOCK_DGRAM, atoi(arg)));
	if (!strncmp(op, "abstract-", 9) && strcmp(op, "abstract-bind"))
		return helper_abstract(op, arg);
	return -1;
}

/* Before cltest.h's helper: the ops above are this file's own. */
__attribute__((constructor(101))) static void net_helper_main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--helper")) {
		int ret = net_helper_op(argv[2], argv[3]);

		if (ret >= 0)
			_exit(ret);
	}
}

/* The same op done outside any sandbox, by this process. */
#define OUTSIDE(op, arg) net_helper_op(op, arg)

FIXTURE(net)
{
	char root[64];
	char policy[128];
	char none[32], egress[32], allow[32];
	char path[512];
	int listeners[4];
};

#define at(self, rel) CL_AT(self, root, rel)

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
	/* The abstract socket's name keeps its own '@': only @PID@ is filled in. */
	static const char policy_template[] =
		"{ include: '@SRC@/policies/baseline.json5', profiles: { me: { files: {"
		"  '@TESTDIR@': 'read,exec', '@ROOT@/ws': 'read,write' } } },"
		" agents: {"
		"  '@NONE@': { use: ['system', 'me'] },"
		"  '@EGRESS@': { use: ['system', 'me', 'egress'] },"
		"  '@ALLOW@': { use: ['system', 'me'], network: {"
		"    'tcp 10.9.9.9 8080': 'allow', 'udp 10.9.9.0/24 53': 'allow',"
		"    'fd00:9::/64': 'allow', 'fd00:9::66': 'deny', 'sctp 10.9.9.9 9000': 'allow',"
		"    'unix @clawlock-ok-@PID@': 'allow' } } } }";
	int pid = getpid();
	char pid_text[16];

	strcpy(self->root, "/tmp/cl-net-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->policy, sizeof(self->policy), "%s/policy.json5", self->root);
	snprintf(self->none, sizeof(self->none), "none-%d", pid);
	snprintf(self->egress, sizeof(self->egress), "egress-%d", pid);
	snprintf(self->allow, sizeof(self->allow), "allow-%d", pid);
	snprintf(pid_text, sizeof(pid_text), "%d", pid);
	ASSERT_EQ(0, mkdir(at(self, "ws"), 0755));
	ASSERT_EQ(0,
		  CL_WRITE_FILLED(self->policy, policy_template, "SRC", cl_source(), "TESTDIR",
				  cl_self_dir(), "ROOT", self->root, "NONE", self->none, "EGRESS",
				  self->egress, "ALLOW", self->allow, "PID", pid_text));
	/* Addresses the VM has, so an allowed connect can complete. */
	system("ip addr add 10.9.9.9/32 dev lo 2>/dev/null; ip addr add fd00:9::9/128 dev lo "
	       "nodad 2>/dev/null; ip addr add 203.0.113.9/32 dev lo 2>/dev/null");
	self->listeners[0] = listen_on("10.9.9.9:8080");
	self->listeners[1] = listen_on("127.0.0.1:8081");
	self->listeners[2] = listen_on("[fd00:9::9]:8082");
	/* A public address of the host's own: the egress profile must not reach it. */
	self->listeners[3] = listen_on("203.0.113.9:8083");
	ASSERT_LE(0, self->listeners[3]);
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
	const char *lacks;

	EXPECT_EQ(0, cl_helper_op("connect", "127.0.0.1:8081"));
	EXPECT_EQ(DENIED, AS(egress, "connect", "127.0.0.1:8081"));
	EXPECT_EQ(DENIED, AS(none, "connect", "127.0.0.1:8081"));
	EXPECT_EQ(DENIED, AS(egress, "connect", "[::1]:8081"));
	/* A v4-mapped IPv6 address is the IPv4 address it maps. */
	EXPECT_EQ(DENIED, AS(egress, "connect", "[::ffff:127.0.0.1]:8081"));
	EXPECT_EQ(DENIED, AS(none, "listen", "127.0.0.1:8091"));
	lacks = cl_event_lacks(self->egress, "127.0.0.1:8081/tcp",
			       CL_FIELDS("op=connect", "reason=host-loopback"));
	EXPECT_EQ(NULL, lacks) TH_LOG("%s", lacks);
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

/* The host's own addresses are not "the internet", public as they may be. */
TEST_F(net, egress_denies_the_host_own_addresses)
{
	struct json_object *ev, *rule;

	EXPECT_EQ(0, cl_helper_op("connect", "203.0.113.9:8083"));
	EXPECT_EQ(DENIED, AS(egress, "connect", "203.0.113.9:8083"));
	EXPECT_EQ(DENIED, AS(egress, "sendto", "203.0.113.9:53/udp"));
	ev = cl_find_event(self->egress, "203.0.113.9:8083/tcp");
	ASSERT_NE(NULL, ev);
	ASSERT_TRUE(json_object_object_get_ex(ev, "rule", &rule));
	EXPECT_STREQ("any 203.0.113.9/32", cl_event_str(rule, "path"));
	EXPECT_NE(NULL, strstr(cl_event_str(rule, "source"), "host address on lo"));
	json_object_put(ev);
	/* Its neighbours on the internet are still allowed. */
	EXPECT_EQ(UNREACHABLE, AS(egress, "connect", "203.0.113.10:8083"));
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

/* AF_UNSPEC is read as AF_INET by udp_sendmsg: decided as the address it carries. */
TEST_F(net, af_unspec_send_is_decided)
{
	static const struct {
		const char *agent, *op, *target;
		int expect;
	} cases[] = {
		{ "none", "unspec-udp", "8.8.8.8:53", DENIED },
		{ "none", "unspec-udplite", "8.8.8.8:53", DENIED },
		{ "none", "unspec-disconnect", "8.8.8.8:53", DENIED },
		{ "allow", "unspec-udp", "10.9.9.9:53", 0 },
		{ "allow", "unspec-udp", "10.9.9.9:54", DENIED },
		{ "allow", "unspec-udplite", "10.9.9.9:53", DENIED }, /* the rule is udp's */
		{ "egress", "unspec-udp", "1.1.1.1:53", UNREACHABLE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *agent = !strcmp(cases[i].agent, "none")    ? self->none
				    : !strcmp(cases[i].agent, "allow") ? self->allow
								       : self->egress;

		EXPECT_EQ(cases[i].expect,
			  cl_confined(self->policy, agent, cases[i].op, cases[i].target, NULL))
		{
			TH_LOG("%s %s %s", cases[i].agent, cases[i].op, cases[i].target);
		}
	}
	/* Unconfined, the same datagram really leaves: the kernel routes it. */
	EXPECT_EQ(UNREACHABLE, OUTSIDE("unspec-udp", "8.8.8.8:53"));
	EXPECT_EQ(UNREACHABLE, OUTSIDE("unspec-disconnect", "8.8.8.8:53"));
}

/* Serve one connection on @listener: hand it @sock (SCM_RIGHTS). */
static pid_t serve_socket(int listener, int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { "x", 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = (struct cmsghdr *)cbuf;
	pid_t pid = fork();
	int conn;

	if (pid)
		return pid;
	conn = accept(listener, NULL, NULL);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &sock, sizeof(sock));
	_exit(conn < 0 || sendmsg(conn, &msg, 0) < 0);
}

/* A UDP socket connected where the sandbox may not send: its peer is decided at send. */
static int send_on_connected(FIXTURE_DATA(net) * self, const char *op, const char *peer)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int type, status, ret, sock, listener;
	pid_t server;

	if (cl_parse_addr(peer, &ss, &len, &type) < 0)
		return -1;
	sock = socket(ss.ss_family, SOCK_DGRAM, 0);
	listener = listen_unix(at(self, "ws/fd.sock"));
	if (sock < 0 || listener < 0 || connect(sock, (struct sockaddr *)&ss, len) < 0)
		return -1;
	server = serve_socket(listener, sock);
	ret = cl_confined(self->policy, self->none, op, at(self, "ws/fd.sock"), NULL);
	/* A helper that never connected leaves the server waiting: end it. */
	kill(server, SIGKILL);
	waitpid(server, &status, 0);
	close(sock);
	close(listener);
	unlink(at(self, "ws/fd.sock"));
	return ret;
}

TEST_F(net, connected_peer_is_decided_at_send)
{
	EXPECT_EQ(DENIED, send_on_connected(self, "peer-send", "10.9.9.9:54/udp"));
	EXPECT_EQ(DENIED, send_on_connected(self, "peer-send", "[fd00:9::9]:54/udp"));
	/* udpv6_sendmsg takes an AF_UNSPEC name as none: the peer again. */
	EXPECT_EQ(DENIED, send_on_connected(self, "peer-unspec", "[fd00:9::9]:54/udp"));
}

/* Source routes reach a denied hop by way of an allowed address: no sandbox sets them. */
TEST_F(net, source_routing_is_refused)
{
	static const struct {
		const char *op, *target;
	} cases[] = {
		{ "ipv4-lsrr", "-" },
		{ "ipv6-rthdr", "-" },
		{ "ipv6-2292rthdr", "-" },
		{ "ipv6-pktoptions", "-" },
		{ "cmsg-retopts", "10.9.9.9:53/udp" },
		{ "cmsg-rthdr", "[fd00:9::9]:53/udp" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(REFUSED, AS(allow, cases[i].op, cases[i].target))
		{
			TH_LOG("%s %s", cases[i].op, cases[i].target);
		}
		EXPECT_NE(REFUSED, OUTSIDE(cases[i].op, cases[i].target))
		{
			TH_LOG("outside: %s", cases[i].op);
		}
	}
	/* The kernel takes the IPv4 route; other control messages still pass. */
	EXPECT_EQ(0, OUTSIDE("ipv4-lsrr", "-"));
	EXPECT_EQ(0, AS(allow, "cmsg-tos", "10.9.9.9:53/udp"));
}

/* SCTP: load the module from the VM's kernel package if need be; 0 if there is none. */
static int sctp_ready(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);

	if (fd < 0) {
		system("for m in crc32c_generic libcrc32c udp_tunnel ip6_udp_tunnel sctp; do "
		       "f=$(find /var/cache/clawlock/kernels/*/root/lib/modules/$(uname -r) "
		       "-name \"$m.ko*\" 2>/dev/null | head -n 1); "
		       "[ -n \"$f\" ] && insmod \"$f\" 2>/dev/null; done");
		fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	}
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

TEST_F(net, sctp_multi_address_calls_are_decided)
{
	static const struct {
		const char *op, *target;
		int expect;
	} cases[] = {
		{ "sctp-bindx", "10.9.9.9:9000", 0 },
		{ "sctp-bindx", "10.9.9.9:9000|10.9.9.77:9000", DENIED },
		{ "sctp-connectx", "10.9.9.9:9000", 0 },
		{ "sctp-connectx", "10.9.9.9:9000|10.9.9.10:9000", DENIED },
		{ "sctp-connectx", "[fd00:9::66]:9000", DENIED },
		{ "sctp-dstaddr", "10.9.9.9:9000|10.9.9.10:9000", REFUSED },
	};

	if (!sctp_ready())
		SKIP(return, "no SCTP in this kernel");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(cases[i].expect, AS(allow, cases[i].op, cases[i].target))
		{
			TH_LOG("%s %s", cases[i].op, cases[i].target);
		}
	}
	EXPECT_EQ(DENIED, AS(none, "sctp-connectx", "10.9.9.9:9000"));
	/* Unconfined, the kernel takes every address of the list. */
	EXPECT_EQ(0, OUTSIDE("sctp-connectx", "10.9.9.9:9000|10.9.9.10:9000"));
}

/* Protocols whose peers no hook decides (L2TP/IP here) cannot be created. */
TEST_F(net, undecided_protocols_are_refused)
{
	EXPECT_EQ(REFUSED, AS(egress, "socket-proto", "115"));
	EXPECT_EQ(0, AS(egress, "socket-proto", "17"));
	EXPECT_NE(REFUSED, OUTSIDE("socket-proto", "115"));
}

/* With CAP_NET_ADMIN, a sandbox could put an allowed address on lo and reach the host. */
TEST_F(net, network_administration_is_dropped)
{
	EXPECT_EQ(REFUSED, AS(allow, "net-admin", "-"));
	EXPECT_EQ(REFUSED, AS(egress, "net-admin", "-"));
	EXPECT_EQ(0, OUTSIDE("net-admin", "-"));
}

static int listen_abstract(const char *name)
{
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(name, &sun);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) < 0 || listen(fd, 8) < 0)
		return -1;
	return fd;
}

/* "@name\0" and "@name\0junk" are other names than "@name". */
TEST_F(net, abstract_names_compare_by_length)
{
	static const char *const longer[] = { "\\0", "\\0junk", "junk" };
	char listed[64], name[80];
	int fds[3];

	snprintf(listed, sizeof(listed), "@clawlock-ok-%d", getpid());
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s%s", listed, longer[i]);
		fds[i] = listen_abstract(name);
		ASSERT_LE(0, fds[i]);
		EXPECT_EQ(DENIED, AS(allow, "abstract-connect", name));
		EXPECT_EQ(0, OUTSIDE("abstract-connect", name));
	}
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s%s", listed, longer[i]);
		EXPECT_EQ(DENIED, AS(allow, "abstract-bind-exact", name))
		{
			TH_LOG("bind %s", name);
		}
	}
	EXPECT_EQ(0, AS(allow, "abstract-bind-exact", listed));
}

TEST_HARNESS_MAIN
