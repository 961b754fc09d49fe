// SPDX-License-Identifier: GPL-2.0
/*
 * net.bpf.c - the network: addresses and ports by LPM lookup, source routing,
 * listening, SCTP's address lists, socket families, and abstract unix names.
 */
#include "lib/common.h"
#include "lib/maps.h"
#include "lib/identity.h"
#include "lib/event.h"
#include "lib/walk.h"

/* The host's network namespace: its loopback reaches the host's services. */
extern const void init_net __ksym;

/*
 * Network. An address is decided by one LPM lookup: the longest prefix of
 * the policy holding it carries every rule that contains the address, most
 * specific first, and the first one matching protocol and port decides. No
 * prefix, or no entry matching, denies: `network: none` is no rules at all.
 * Loopback is allowed only in a private network namespace; the host's
 * loopback reaches the Gateway and every local service. (Userspace's
 * explain decides the same way in netrule.c: cl_net_request, cl_net_decide.)
 */
struct cl_addr_request {
	__u8 family; /* AF_INET or AF_INET6 (v4-mapped addresses become AF_INET) */
	__u8 proto;
	__u16 port;
	__u8 addr[16];
};

static __always_inline int cl_net_match(struct cl_net_value *value, struct cl_addr_request *req,
					__u32 *rule_id)
{
	__u32 count = value->count;

	for (int i = 0; i < CL_NET_ENTRIES; i++) {
		struct cl_net_entry *e = &value->entries[i];

		if (i >= count)
			break;
		if (e->proto && e->proto != req->proto)
			continue;
		if (req->port < e->port_lo || req->port > e->port_hi)
			continue;
		*rule_id = e->rule_id;
		return e->allow;
	}
	return 0;
}

static __always_inline int cl_is_loopback(struct cl_addr_request *req)
{
	if (req->family == AF_INET)
		return req->addr[0] == 127;
	for (int i = 0; i < 15; i++)
		if (req->addr[i])
			return 0;
	return req->addr[15] == 1;
}

static __always_inline void cl_net_lookup(struct sock *sk, __u32 policy_id,
					  struct cl_addr_request *req, struct cl_hook_verdict *v)
{
	struct cl_net_value *value;

	v->allowed = 0;
	v->rule_id = 0;
	v->flags = 0;
	if (cl_is_loopback(req)) {
		void *net = BPF_CORE_READ(sk, __sk_common.skc_net.net);

		if (net && net != &init_net) {
			v->allowed = 1;
			return;
		}
		v->flags = CL_EVENT_HOST_LOOPBACK;
	}
	if (req->family == AF_INET) {
		struct cl_net4_key key = { .prefixlen = 64, .policy_id = policy_id };

		__builtin_memcpy(key.addr, req->addr, 4);
		value = bpf_map_lookup_elem(&cl_net4, &key);
	} else {
		struct cl_net6_key key = { .prefixlen = 160, .policy_id = policy_id };

		__builtin_memcpy(key.addr, req->addr, 16);
		value = bpf_map_lookup_elem(&cl_net6, &key);
	}
	if (value)
		v->allowed = cl_net_match(value, req, &v->rule_id);
	if (!v->allowed && !v->rule_id)
		v->flags |= CL_EVENT_NO_RULE;
}

/* An IPv6 address into @req: ::ffff:a.b.c.d is an IPv4 address and is decided as one. */
static __always_inline void cl_set_inet6(struct cl_addr_request *req, __u8 *a)
{
	if (!a[0] && !a[1] && !a[2] && !a[3] && !a[4] && !a[5] && !a[6] && !a[7] && !a[8] &&
	    !a[9] && a[10] == 0xff && a[11] == 0xff) {
		req->family = AF_INET;
		__builtin_memcpy(req->addr, a + 12, 4);
	} else {
		req->family = AF_INET6;
		__builtin_memcpy(req->addr, a, 16);
	}
}

/*
 * The address of a sockaddr in kernel memory. Returns 1 with @req filled, 0
 * for AF_UNSPEC (no address: a disconnect, or a send to the peer), -1 for
 * anything an inet socket cannot take (denied: the kernel would refuse it).
 * With @unspec_inet, an AF_UNSPEC address long enough for a sockaddr_in is
 * that sockaddr_in: IPv4 bind() and udp_sendmsg() read it as one.
 */
static __always_inline int cl_sockaddr(struct sockaddr *address, int addrlen,
				       struct cl_addr_request *req, int unspec_inet)
{
	__u16 family = 0;

	/* An unreadable address is not a disconnect: deny. */
	if (bpf_probe_read_kernel(&family, sizeof(family), &address->sa_family))
		return -1;
	if (family == AF_UNSPEC && unspec_inet)
		family = AF_INET;
	if (family == AF_INET && addrlen >= (int)sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin = {};

		if (bpf_probe_read_kernel(&sin, sizeof(sin), address))
			return -1;
		req->family = AF_INET;
		req->port = bpf_ntohs(sin.sin_port);
		__builtin_memcpy(req->addr, &sin.sin_addr, 4);
		return 1;
	}
	if (family == AF_INET6 && addrlen >= (int)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6 = {};

		if (bpf_probe_read_kernel(&sin6, sizeof(sin6), address))
			return -1;
		req->port = bpf_ntohs(sin6.sin6_port);
		cl_set_inet6(req, (__u8 *)&sin6.sin6_addr);
		return 1;
	}
	if (family == AF_UNSPEC)
		return 0;
	return -1;
}

static __always_inline __u8 cl_sock_proto(struct sock *sk)
{
	__u16 proto = BPF_CORE_READ(sk, sk_protocol);

	/* MPTCP is TCP on the wire (and does not fit a byte). */
	return proto == IPPROTO_MPTCP ? IPPROTO_TCP : (__u8)proto;
}

static __always_inline void cl_emit_net(struct cl_identity *id, __u32 op,
					struct cl_addr_request *req, struct cl_hook_verdict *v)
{
	struct cl_event *event = cl_event_start(id, op, CL_ACC_NET, v->rule_id, v->flags);

	if (!event)
		return;
	event->family = req->family;
	event->proto = req->proto;
	event->port = req->port;
	__builtin_memcpy(event->addr, req->addr, 16);
	bpf_ringbuf_submit(event, 0);
}

static __always_inline int cl_inet_family(struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	return family == AF_INET || family == AF_INET6;
}

/*
 * Decide @req for @op: @found is what cl_sockaddr returned (-1: nothing an
 * inet socket takes, denied without a lookup).
 */
static __always_inline int cl_net_verdict(struct cl_identity *id, struct sock *sk,
					  struct cl_addr_request *req, int found, __u32 op)
{
	struct cl_hook_verdict v;

	if (found < 0) {
		v.allowed = 0;
		v.rule_id = 0;
		v.flags = CL_EVENT_NO_RULE;
	} else {
		cl_net_lookup(sk, id->binding.policy_id, req, &v);
	}
	if (v.allowed)
		return 0;
	cl_emit_net(id, op, req, &v);
	return cl_refuse(id);
}

/* connect and bind on an inet socket name an address: decide it. */
static __always_inline int cl_net_address(struct socket *sock, struct sockaddr *address,
					  int addrlen, __u32 op)
{
	struct cl_addr_request req = {};
	struct cl_identity id = {};
	struct sock *sk;
	int ret, ipv4;

	if (!cl_identify_op(&id, op))
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || !cl_inet_family(sk))
		return 0;
	req.proto = cl_sock_proto(sk);
	ipv4 = BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET;
	/* bind() on an IPv4 socket takes AF_UNSPEC as AF_INET (INADDR_ANY). */
	ret = cl_sockaddr(address, addrlen, &req, op == CL_OP_BIND && ipv4);
	/* AF_UNSPEC: connect disconnects; any other bind the kernel refuses. */
	if (ret == 0 && op != CL_OP_BIND)
		return 0;
	return cl_net_verdict(&id, sk, &req, ret ? ret : -1, op);
}

SEC("lsm/socket_connect")
int BPF_PROG(cl_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen)
{
	return cl_net_address(sock, address, addrlen, CL_OP_CONNECT);
}

/*
 * Where a send with no address (or AF_UNSPEC, which udpv6_sendmsg takes as
 * none) goes: a connected datagram socket's peer. Decided at every send, so
 * that no way of connecting it (nor a policy switch since) is trusted. 0 for
 * a stream socket (its peer was decided at connect, or is a client it
 * accepted) and for an unconnected one (the kernel refuses: EDESTADDRREQ).
 */
static __always_inline int cl_sock_peer(struct sock *sk, struct cl_addr_request *req)
{
	if (BPF_CORE_READ(sk, sk_type) != SOCK_DGRAM ||
	    BPF_CORE_READ(sk, __sk_common.skc_state) != TCP_ESTABLISHED)
		return 0;
	req->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET) {
		__be32 daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		req->family = AF_INET;
		__builtin_memcpy(req->addr, &daddr, 4);
	} else {
		struct in6_addr a6 = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);

		cl_set_inet6(req, (__u8 *)&a6);
	}
	return 1;
}

/* Source-routing options and control messages (uapi macros are not in BTF). */
#define CL_SOL_IP	       0
#define CL_SOL_IPV6	       41
#define CL_SOL_SCTP	       132
#define CL_IP_OPTIONS	       4
#define CL_IP_RETOPTS	       7 /* IP options as a control message */
#define CL_IPV6_2292RTHDR      5
#define CL_IPV6_2292PKTOPTIONS 6 /* a buffer of control messages, kept */
#define CL_IPV6_RTHDR	       57
#define CL_SCTP_DSTADDRV4      7 /* extra peers of a new association */
#define CL_SCTP_DSTADDRV6      8
#define CL_CMSG_MAX	       32

/*
 * Options that route a packet through hops other than its destination
 * (IPv4 LSRR/SSRR, IPv6 routing headers and segment routing), or add peers
 * no hook decides: a sandbox could reach a denied hop by way of an allowed
 * address. No rule allows them.
 */
static __always_inline int cl_routing_option(int level, int name, int cmsg)
{
	if (level == CL_SOL_IP)
		return name == (cmsg ? CL_IP_RETOPTS : CL_IP_OPTIONS);
	if (level == CL_SOL_IPV6)
		return name == CL_IPV6_RTHDR || name == CL_IPV6_2292RTHDR ||
		       (!cmsg && name == CL_IPV6_2292PKTOPTIONS);
	if (level == CL_SOL_SCTP && cmsg)
		return name == CL_SCTP_DSTADDRV4 || name == CL_SCTP_DSTADDRV6;
	return 0;
}

static __always_inline int cl_option_refuse(struct cl_identity *id, struct sock *sk, int level,
					    int name, const char *what)
{
	struct cl_event *event = cl_event_start(id, CL_OP_SOCKET, 0, 0, CL_EVENT_HARDENING);

	if (event) {
		event->family = BPF_CORE_READ(sk, __sk_common.skc_family);
		event->proto = level;
		event->arg = name;
		__builtin_memcpy(event->path, what, 16);
		bpf_ringbuf_submit(event, 0);
	}
	return cl_refuse_as(id, -EPERM);
}

SEC("lsm/socket_setsockopt")
int BPF_PROG(cl_socket_setsockopt, struct socket *sock, int level, int optname)
{
	struct cl_identity id = {};
	struct sock *sk;

	/* Two compares first: every other option costs an unconfined task nothing more. */
	if (!cl_routing_option(level, optname, 0) || !cl_identify_op(&id, CL_OP_SOCKET))
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || !cl_inet_family(sk))
		return 0;
	return cl_option_refuse(&id, sk, level, optname, "socket option\0\0");
}

struct cl_cmsghdr {
	__u64 len;
	int level;
	int type;
};

struct cl_cmsg_walk {
	void *control;
	__u64 size;
	__u64 off;
	int level; /* of a refused message */
	int type;
	int refused;
	int done;
};

/* One control message, as for_each_cmsghdr and CMSG_OK step them. */
static long cl_cmsg_step(__u32 i, void *data)
{
	struct cl_cmsg_walk *w = data;
	struct cl_cmsghdr h;
	void *at = w->control + w->off;

	if (w->off + sizeof(h) > w->size) {
		w->done = 1;
		return 1;
	}
	/* Copied into the kernel by ____sys_sendmsg, else still the caller's. */
	if (bpf_probe_read_kernel(&h, sizeof(h), at) && bpf_probe_read_user(&h, sizeof(h), at)) {
		w->refused = 1; /* unreadable: not known to be harmless */
		return 1;
	}
	if (cl_routing_option(h.level, h.type, 1)) {
		w->level = h.level;
		w->type = h.type;
		w->refused = 1;
		return 1;
	}
	/* A message the kernel takes as malformed (!CMSG_OK) fails the whole send. */
	if (h.len < sizeof(h) || h.len > w->size - w->off) {
		w->done = 1;
		return 1;
	}
	w->off += (h.len + 7) & ~7ULL;
	return 0;
}

/* 1 if a control message of @msg routes or addresses (or cannot be read through). */
static __always_inline int cl_cmsg_routes(struct msghdr *msg, struct cl_cmsg_walk *w)
{
	w->size = BPF_CORE_READ(msg, msg_controllen);
	if (!w->size)
		return 0;
	w->control = BPF_CORE_READ(msg, msg_control);
	bpf_loop(CL_CMSG_MAX, cl_cmsg_step, w, 0);
	/* More messages than the walk takes: refused, never assumed harmless. */
	return w->refused || !w->done;
}

/*
 * A send: the address it names (sendto, sendmsg, io_uring, TCP fast open),
 * or, with none, where a datagram socket is connected. Control messages
 * that route are refused first.
 */
SEC("lsm/socket_sendmsg")
int BPF_PROG(cl_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	struct cl_addr_request req = {};
	struct cl_cmsg_walk walk = {};
	struct cl_identity id = {};
	struct sock *sk = BPF_CORE_READ(sock, sk);
	void *name;
	int ret = 0;

	if (!sk || !cl_inet_family(sk) || !cl_identify_op(&id, CL_OP_SENDTO))
		return 0;
	if (cl_cmsg_routes(msg, &walk))
		return cl_option_refuse(&id, sk, walk.level, walk.type, "control message");
	req.proto = cl_sock_proto(sk);
	name = BPF_CORE_READ(msg, msg_name);
	/* udp_sendmsg reads an AF_UNSPEC name as a sockaddr_in; udpv6 as no name. */
	if (name)
		ret = cl_sockaddr(name, BPF_CORE_READ(msg, msg_namelen), &req,
				  BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET);
	if (ret == 0 && !cl_sock_peer(sk, &req))
		return 0;
	return cl_net_verdict(&id, sk, &req, ret ? ret : 1, CL_OP_SENDTO);
}

/* listen: the address the socket is bound to (0.0.0.0 if it never was). */
SEC("lsm/socket_listen")
int BPF_PROG(cl_socket_listen, struct socket *sock, int backlog)
{
	struct cl_addr_request req = {};
	struct cl_identity id = {};
	struct cl_hook_verdict v;
	struct sock *sk;

	if (!cl_identify_op(&id, CL_OP_LISTEN))
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || !cl_inet_family(sk))
		return 0;
	req.proto = cl_sock_proto(sk);
	req.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET) {
		__be32 saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		req.family = AF_INET;
		__builtin_memcpy(req.addr, &saddr, 4);
	} else {
		struct in6_addr a6 = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);

		cl_set_inet6(&req, (__u8 *)&a6);
	}
	cl_net_lookup(sk, id.binding.policy_id, &req, &v);
	if (v.allowed)
		return 0;
	cl_emit_net(&id, CL_OP_LISTEN, &req, &v);
	return cl_refuse(&id);
}

/* SCTP's optnames (uapi/linux/sctp.h); the ASCONF ones are enum sctp_param. */
#define CL_SCTP_SET_PEER_PRIMARY_ADDR 5
#define CL_SCTP_SOCKOPT_BINDX_ADD     100
#define CL_SCTP_ADDRS_MAX	      32

struct cl_sctp_walk {
	struct cl_identity *id;
	struct sock *sk;
	__u64 addrs; /* the packed list, as a number */
	int size;
	int off;
	__u32 op;
	int ret;
	int done;
};

/* One address of a packed list: sockaddr_in or sockaddr_in6, as sctp_bindx packs them. */
static long cl_sctp_step(__u32 i, void *data)
{
	struct cl_sctp_walk *w = data;
	struct cl_addr_request req = { .proto = IPPROTO_SCTP };
	void *at = (void *)(w->addrs + w->off);
	__u16 family = 0;
	int found;

	if (w->off >= w->size) {
		w->done = 1;
		return 1;
	}
	found = cl_sockaddr(at, w->size - w->off, &req, 0);
	/* AF_UNSPEC or an unknown family: the kernel refuses; so do we. */
	w->ret = cl_net_verdict(w->id, w->sk, &req, found > 0 ? 1 : -1, w->op);
	if (w->ret || found <= 0 || bpf_probe_read_kernel(&family, sizeof(family), at))
		return 1;
	w->off += family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	return 0;
}

/*
 * SCTP names addresses outside bind and connect: sctp_bindx
 * (SCTP_SOCKOPT_BINDX_ADD), sctp_connectx, a sendmsg that starts an
 * association, and the primary-address options. Each address of the list
 * is decided as bind (a local address) or connect (a peer). The ASCONF
 * parameters come from the peer in softirq, where current is no one in
 * particular: not the sandbox's own addressing, not decided.
 */
SEC("lsm/sctp_bind_connect")
int BPF_PROG(cl_sctp_bind_connect, struct sock *sk, int optname, struct sockaddr *address,
	     int addrlen)
{
	struct cl_identity id = {};
	struct cl_sctp_walk walk = { .sk = sk, .size = addrlen };
	struct cl_addr_request unread = { .proto = IPPROTO_SCTP };

	if (optname == SCTP_PARAM_ADD_IP || optname == SCTP_PARAM_SET_PRIMARY)
		return 0;
	walk.op = optname == CL_SCTP_SOCKOPT_BINDX_ADD || optname == CL_SCTP_SET_PEER_PRIMARY_ADDR
			  ? CL_OP_BIND
			  : CL_OP_CONNECT;
	if (!cl_identify_op(&id, walk.op))
		return 0;
	walk.id = &id;
	/*
	 * The list's address as a number: the verifier allows no variable
	 * offset on the hook's own pointer. Unread, it is 0: every read fails.
	 */
	bpf_probe_read_kernel(&walk.addrs, sizeof(walk.addrs), &address);
	bpf_loop(CL_SCTP_ADDRS_MAX, cl_sctp_step, &walk, 0);
	/* Refused (and reported) by a step; the verifier wants the constant. */
	if (walk.ret)
		return -EACCES;
	/* More addresses than the walk takes: denied, never assumed allowed. */
	if (!walk.done)
		return cl_net_verdict(&id, sk, &unread, -1, walk.op);
	return 0;
}

#define CL_IPPROTO_ICMPV6 58

/*
 * Inet protocols whose every peer the hooks above decide: TCP and MPTCP
 * (connect), UDP, UDP-Lite and ping (connect, the send's address or the
 * connected peer), SCTP (also sctp_bind_connect). Others address peers in
 * ways no hook here reads (L2TP's connection ids, SMC's own handshake):
 * refused.
 */
static __always_inline int cl_addressed_protocol(int protocol)
{
	return protocol == 0 || protocol == IPPROTO_TCP || protocol == IPPROTO_UDP ||
	       protocol == IPPROTO_UDPLITE || protocol == IPPROTO_ICMP ||
	       protocol == CL_IPPROTO_ICMPV6 || protocol == IPPROTO_SCTP ||
	       protocol == IPPROTO_MPTCP;
}

/*
 * Sockets a sandbox may create: unix, inet and inet6 (not raw) of the
 * protocols above, and NETLINK_ROUTE (name resolution asks it for interface
 * addresses). Packet and raw sockets, other protocols and every other
 * family are refused.
 */
SEC("lsm/socket_create")
int BPF_PROG(cl_socket_create, int family, int type, int protocol, int kern)
{
	struct cl_identity id = {};
	struct cl_event *event;

	if (kern || !cl_identify_op(&id, CL_OP_SOCKET))
		return 0;
	if (family == AF_UNIX)
		return 0;
	if ((family == AF_INET || family == AF_INET6) && type != SOCK_RAW && type != SOCK_PACKET &&
	    cl_addressed_protocol(protocol))
		return 0;
	if (family == AF_NETLINK && protocol == NETLINK_ROUTE && type != SOCK_PACKET)
		return 0;
	event = cl_event_start(&id, CL_OP_SOCKET, 0, 0, CL_EVENT_HARDENING);
	if (event) {
		event->family = family;
		event->proto = type;
		event->arg = protocol;
		bpf_ringbuf_submit(event, 0);
	}
	return cl_refuse_as(&id, -EPERM);
}

/*
 * Read an abstract name of @len bytes into @key; 1 if a rule lists it.
 * Abstract names are compared by length (a NUL is a byte like any other),
 * while keys are zero-padded: so a name a rule can list has no NUL and at
 * most CL_UNIX_NAME_MAX bytes, and any other name matches nothing ("@name\0"
 * and "@name\0junk" are not "@name").
 */
static __always_inline int cl_unix_name_read(struct cl_unix_key *key, void *name, int len)
{
	/*
	 * A fixed-size read (the verifier wants a constant), then everything
	 * past the name is cleared. A failed read matches nothing.
	 */
	if (len <= 0 || bpf_probe_read_kernel(key->name, CL_UNIX_NAME_MAX, name))
		return 0;
	for (int i = 0; i < CL_UNIX_NAME_MAX; i++) {
		if (i >= len)
			key->name[i] = 0;
		else if (!key->name[i])
			return 0;
	}
	if (len > CL_UNIX_NAME_MAX)
		return 0;
	return bpf_map_lookup_elem(&cl_unix_names, key) != NULL;
}

static __always_inline int cl_unix_refuse(struct cl_identity *id, struct cl_unix_key *key, __u32 op)
{
	struct cl_event *event = cl_event_start(id, op, CL_ACC_WRITE, 0, CL_EVENT_ABSTRACT);

	if (event) {
		event->family = AF_UNIX;
		event->path[0] = '@';
		__builtin_memcpy(event->path + 1, key->name, sizeof(key->name));
		event->path[sizeof(key->name) + 1] = '\0';
		bpf_ringbuf_submit(event, 0);
	}
	return cl_refuse(id);
}

/*
 * Unix sockets. A path socket is decided as a write to its file (what keeps
 * docker.sock out of reach); an abstract one (no file) must be listed by
 * name. @other is the socket being reached.
 */
static __always_inline int cl_unix_reach(struct sock *other)
{
	struct unix_sock *u = (struct unix_sock *)other;
	struct cl_identity id = {};
	struct unix_address *addr;
	struct cl_unix_key key = {};
	struct dentry *dentry;
	int len;

	if (!cl_identify_op(&id, CL_OP_UNIX))
		return 0;
	if (!other)
		goto abstract;
	dentry = BPF_CORE_READ(u, path.dentry);
	if (dentry)
		return cl_write_check(&id, dentry, cl_real_mount(BPF_CORE_READ(u, path.mnt)),
				      CL_OP_UNIX);
abstract:
	key.policy_id = id.binding.policy_id;
	addr = other ? BPF_CORE_READ(u, addr) : NULL;
	len = addr ? BPF_CORE_READ(addr, len) : 0;
	/* sun_family, then the NUL that makes it abstract, then the name. */
	len -= 3;
	if (addr && len > 0) {
		void *name = (void *)addr + bpf_core_field_offset(struct unix_address, name) + 3;

		if (cl_unix_name_read(&key, name, len))
			return 0;
	}
	return cl_unix_refuse(&id, &key, CL_OP_UNIX);
}

SEC("lsm/unix_stream_connect")
int BPF_PROG(cl_unix_stream_connect, struct sock *sock, struct sock *other)
{
	return cl_unix_reach(other);
}

SEC("lsm/unix_may_send")
int BPF_PROG(cl_unix_may_send, struct socket *sock, struct socket *other)
{
	return cl_unix_reach(BPF_CORE_READ(other, sk));
}

/*
 * Binding an abstract unix name lets a sandbox stand in for a host service
 * that listens there: only listed names. Autobind (no name) is harmless.
 */
static __always_inline int cl_unix_bind(struct sockaddr *address, int addrlen)
{
	struct cl_unix_key key = {};
	struct cl_identity id = {};
	char first = 0;

	if (addrlen <= 2)
		return 0;
	/* An unreadable name is taken as abstract, which must be listed. */
	if (!bpf_probe_read_kernel(&first, 1, (void *)address + 2) && first)
		return 0; /* a path: creating its file is a write on the directory */
	if (!cl_identify_op(&id, CL_OP_BIND))
		return 0;
	key.policy_id = id.binding.policy_id;
	if (cl_unix_name_read(&key, (void *)address + 3, addrlen - 3))
		return 0;
	return cl_unix_refuse(&id, &key, CL_OP_BIND);
}

SEC("lsm/socket_bind")
int BPF_PROG(cl_socket_bind, struct socket *sock, struct sockaddr *address, int addrlen)
{
	if (BPF_CORE_READ(sock, sk, __sk_common.skc_family) == AF_UNIX)
		return cl_unix_bind(address, addrlen);
	return cl_net_address(sock, address, addrlen, CL_OP_BIND);
}
