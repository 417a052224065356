/*
 * IPv4 and IPv6 fragmentation and reassembly on simulated networks:
 * large UDP datagrams across a router whose second link has a smaller
 * MTU, fragments reordered and duplicated by a link (fixed seed), a
 * lost fragment timing out (ICMP time exceeded, reassembly), malformed
 * and overlapping fragments, the bounds, DF.  Every test ends with no
 * mbuf outstanding and no reassembly queue left.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tnet.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "net/route.h"
#include "sys/lwp.h"
#include "sys/mbuf.h"
#include "sys/proc.h"
#include "sys/socket.h"
#include "sys/socketvar.h"
#include "sys/syscall.h"
#include "sys/sysctl.h"
#include "netinet/in_var.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"
#include "netinet/udp.h"
#include "netinet/udp_var.h"
#include "netinet6/icmp6.h"
#include "netinet6/ip6_var.h"

#define MS	1000000ULL
#define SEC	(1000 * MS)
#define MAXDG	65527			/* largest UDP payload over IPv6 */

/* The byte at i of datagram seq. */
static uint8_t
pattern(int seq, int i)
{
	return (uint8_t)(i * 7 + seq * 13 + (i >> 8));
}

/*
 * A UDP flow: the sender sends f_n datagrams of f_len[i] bytes, 1 ms
 * apart; the receiver takes f_n datagrams and checks every byte.
 */
struct flow {
	const char	*f_addr;	/* receiver's address */
	int		 f_n;
	int		 f_len[8];
	int		 f_got;		/* datagrams received */
	int		 f_intact;	/* of which length and bytes right */
	int		 f_error;	/* first error of a system call */
	uint8_t		 f_buf[MAXDG + 1];
};

static void
flow_sa(struct sockaddr_storage *ss, const char *addr)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *sin6 = (void *)ss;

		sin6->sin6_len = sizeof(*sin6);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(5000);
		ck_assert(tn_parse6(addr, &sin6->sin6_addr));
	} else {
		struct sockaddr_in *sin = (void *)ss;

		sin->sin_len = sizeof(*sin);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(5000);
		ck_assert(tn_parse4(addr, &sin->sin_addr));
	}
}

/* A socket of the flow's family with buffers for any datagram. */
static int
flow_socket(struct flow *f, struct sockaddr_storage *ss)
{
	int s, big = 4 * MAXDG;

	flow_sa(ss, f->f_addr);
	ck_assert_int_eq(sys_socket(ss->ss_family, SOCK_DGRAM, 0, &s), 0);
	ck_assert_int_eq(sys_setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big,
	    sizeof(big)), 0);
	ck_assert_int_eq(sys_setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big,
	    sizeof(big)), 0);
	return s;
}

static void
flow_receive(struct flow *f)
{
	struct sockaddr_storage ss;
	ssize_t n;
	int s, i, seq;

	s = flow_socket(f, &ss);
	ck_assert_int_eq(sys_bind(s, (struct sockaddr *)(void *)&ss,
	    ss.ss_len), 0);
	while (f->f_got < f->f_n) {
		f->f_error = sys_recv(s, f->f_buf, sizeof(f->f_buf), 0, &n);
		if (f->f_error != 0)
			break;
		seq = f->f_got++;
		if (n != f->f_len[seq])
			continue;
		for (i = 0; i < n && f->f_buf[i] == pattern(seq, i); i++)
			continue;
		if (i == n)
			f->f_intact++;
	}
	sys_close(s);
}

static void
flow_send(struct flow *f)
{
	struct sockaddr_storage ss;
	ssize_t n;
	int s, i, seq;

	s = flow_socket(f, &ss);
	ck_assert_int_eq(sys_connect(s, (struct sockaddr *)(void *)&ss,
	    ss.ss_len), 0);
	for (seq = 0; seq < f->f_n && f->f_error == 0; seq++) {
		for (i = 0; i < f->f_len[seq]; i++)
			f->f_buf[i] = pattern(seq, i);
		f->f_error = sys_send(s, f->f_buf, (size_t)f->f_len[seq], 0,
		    &n);
		kpause("gap", false, mstohz(1), NULL);
	}
	sys_close(s);
}

static void
in_proc(void *arg, bool send)
{
	struct proc *p;

	ck_assert_int_eq(proc_create("frag", 0, 0, &p), 0);
	proc_attach_lwp(p, curlwp);
	if (send)
		flow_send(arg);
	else
		flow_receive(arg);
	proc_detach_lwp(curlwp);
	proc_exit(p);
}

static void lwp_receiver(void *a) { in_proc(a, false); }
static void lwp_sender(void *a) { in_proc(a, true); }

/* Run a flow from src to dst (receiver started first; none if NULL). */
static void
run_flow(struct tnet *t, struct host *src, struct host *dst, struct flow *f,
    uint64_t ns)
{
	struct flow *sf = calloc(1, sizeof(*sf));

	ck_assert_ptr_nonnull(sf);
	memcpy(sf, f, offsetof(struct flow, f_buf));
	if (dst != NULL)
		host_spawn(dst, "receiver", -1, lwp_receiver, f);
	tn_run(t, MS);
	host_spawn(src, "sender", -1, lwp_sender, sf);
	tn_run(t, ns);
	ck_assert_int_eq(sf->f_error, 0);
	free(sf);
}

static struct ipstat
ipstat_of(struct host *h)
{
	struct ipstat st;

	host_enter(h);
	ip_getstat(&st);
	host_leave(h);
	return st;
}

static struct ip6stat
ip6stat_of(struct host *h)
{
	struct ip6stat st;

	host_enter(h);
	ip6_getstat(&st);
	host_leave(h);
	return st;
}

static void
set_knob(struct host *h, const char *name, int v)
{
	host_enter(h);
	ck_assert_int_eq(sysctl_byname(name, NULL, NULL, &v, sizeof(v)), 0);
	host_leave(h);
}

/* The route MTU of h's route to dst (what path MTU discovery would set). */
static void
route_mtu6(struct host *h, const char *dst, u_long mtu)
{
	struct sockaddr_in6 sin6;
	struct rtentry *rt;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_len = sizeof(sin6);
	sin6.sin6_family = AF_INET6;
	ck_assert(tn_parse6(dst, &sin6.sin6_addr));
	host_enter(h);
	rt = rtalloc1((struct sockaddr *)(void *)&sin6, 0);
	ck_assert_ptr_nonnull(rt);
	rt->rt_rmx.rmx_mtu = mtu;
	rtfree(rt);
	host_leave(h);
}

/* The MTU of the host route h learnt for dst (0: none). */
static u_long
path_mtu6(struct host *h, const char *dst)
{
	struct sockaddr_in6 sin6;
	struct rtentry *rt;
	u_long mtu = 0;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_len = sizeof(sin6);
	sin6.sin6_family = AF_INET6;
	ck_assert(tn_parse6(dst, &sin6.sin6_addr));
	host_enter(h);
	rt = rtalloc1((struct sockaddr *)(void *)&sin6, 0);
	if (rt != NULL && (rt->rt_flags & (RTF_HOST | RTF_DYNAMIC)) ==
	    (RTF_HOST | RTF_DYNAMIC))
		mtu = rt->rt_rmx.rmx_mtu;
	if (rt != NULL)
		rtfree(rt);
	host_leave(h);
	return mtu;
}

START_TEST(test_udp_across_smaller_mtu_v4)
{
	struct tnet t;
	struct host *h[4];
	struct flow *f = calloc(1, sizeof(*f));
	struct ipstat sa, sr, sb;

	ck_assert_ptr_nonnull(f);
	tn_init(&t, 41);
	tn_chain3(&t, h, NULL, 1400);
	*f = (struct flow){ .f_addr = "10.0.3.2", .f_n = 4,
	    .f_len = { 1473, 3000, 8000, 65507 } };
	run_flow(&t, h[0], h[3], f, 200 * MS);
	ck_assert_int_eq(f->f_error, 0);
	ck_assert_int_eq(f->f_got, 4);
	ck_assert_int_eq(f->f_intact, 4);
	sa = ipstat_of(h[0]);
	sr = ipstat_of(h[1]);
	sb = ipstat_of(h[3]);
	/* a cuts at 1500: 2 + 3 + 6 + 45 fragments */
	ck_assert_uint_eq(sa.ips_fragmented, 4);
	ck_assert_uint_eq(sa.ips_ofragments, 56);
	/* r1 cuts every 1500-byte fragment again for l2's 1400 */
	ck_assert_uint_gt(sr.ips_fragmented, 0);
	ck_assert_uint_eq(sr.ips_fragments, 0);	/* routers never reassemble */
	ck_assert_uint_eq(sb.ips_reassembled, 4);
	ck_assert_uint_eq(sb.ips_fragments, sr.ips_ofragments +
	    (sa.ips_ofragments - sr.ips_fragmented));
	ck_assert_uint_eq(sb.ips_fragdropped, 0);
	ck_assert_uint_eq(sb.ips_fragqueues, 0);
	free(f);
	tn_fini(&t);
}
END_TEST

START_TEST(test_udp_across_smaller_mtu_v6)
{
	struct tnet t;
	struct host *h[4];
	struct flow *f = calloc(1, sizeof(*f));
	struct ip6stat sa, sb;
	struct icmp6_reply_info ir6;

	ck_assert_ptr_nonnull(f);
	tn_init(&t, 42);
	tn_chain3(&t, h, NULL, 1400);
	set_knob(h[0], "net.inet6.ip6.mtudisctimeout", 30);
	/* routers do not fragment: r1 answers packet too big (RFC 8201) */
	*f = (struct flow){ .f_addr = "2001:db8:3::2", .f_n = 1,
	    .f_len = { 3000 } };
	run_flow(&t, h[0], NULL, f, 50 * MS);
	/* a cut it at 1500: two of its three fragments were too big */
	ck_assert_uint_eq(tn_icmp_in(h[0], AF_INET6, ICMP6_PACKET_TOO_BIG), 2);
	host_enter(h[0]);
	icmp6_last_reply(&ir6);
	host_leave(h[0]);
	ck_assert_uint_eq(ir6.ir_mtu, 1400);
	/* a learnt the path MTU on a host route: it fragments for it */
	ck_assert_uint_eq(path_mtu6(h[0], "2001:db8:3::2"), 1400);
	f->f_n = 4;
	f->f_len[0] = 1500;
	f->f_len[1] = 3000;
	f->f_len[2] = 8000;
	f->f_len[3] = MAXDG;
	run_flow(&t, h[0], h[3], f, 200 * MS);
	ck_assert_int_eq(f->f_error, 0);
	ck_assert_int_eq(f->f_got, 4);
	ck_assert_int_eq(f->f_intact, 4);
	ck_assert_uint_eq(path_mtu6(h[0], "2001:db8:3::2"), 1400);
	sa = ip6stat_of(h[0]);
	sb = ip6stat_of(h[3]);
	/* 1352 bytes a fragment: 2 + 3 + 6 + 49, and the first 3 */
	ck_assert_uint_eq(sa.ip6s_fragmented, 5);
	ck_assert_uint_eq(sa.ip6s_ofragments, 63);
	ck_assert_uint_eq(sb.ip6s_fragments, 1 + 60);
	ck_assert_uint_eq(sb.ip6s_reassembled, 4);
	ck_assert_uint_eq(sb.ip6s_fragdropped, 0);
	ck_assert_uint_eq(ip6stat_of(h[1]).ip6s_fragments, 0);
	/* the small last piece of the first try waits in vain */
	ck_assert_uint_eq(sb.ip6s_fragqueues, 1);
	tn_run(&t, 61 * SEC);
	sb = ip6stat_of(h[3]);
	ck_assert_uint_eq(sb.ip6s_fragqueues, 0);
	ck_assert_uint_eq(sb.ip6s_fragtimeout, 1);
	ck_assert_uint_eq(tn_icmp_in(h[0], AF_INET6, ICMP6_TIME_EXCEEDED), 0);
	/* the learnt path MTU expired (30 s): its host route is gone */
	ck_assert_uint_eq(path_mtu6(h[0], "2001:db8:3::2"), 0);
	free(f);
	tn_fini(&t);
}
END_TEST

/*
 * l1 reorders and duplicates (seed fixed); l2 still cuts: every
 * datagram arrives once and intact.  Duplicates that come after their
 * datagram was complete start a queue that times out.
 */
static void
reorder_dup(const char *dst, uint64_t seed, uint64_t *hashp)
{
	struct tnet t;
	struct host *h[4];
	struct flow *f = calloc(1, sizeof(*f));
	struct net_link_params p;
	struct net_link_stats ls;
	struct net_link *l1;
	uint64_t reass, dropped, timeout, frags;
	int i;

	ck_assert_ptr_nonnull(f);
	tn_init(&t, seed);
	net_link_params_default(&p);
	p.nlp_reorder = 0.3;
	p.nlp_reorder_delay = 50000;
	p.nlp_dup = 0.2;
	tn_chain3(&t, h, &p, 1400);
	if (strchr(dst, ':') != NULL)
		route_mtu6(h[0], dst, 1400);
	*f = (struct flow){ .f_addr = dst, .f_n = 8 };
	for (i = 0; i < 8; i++)
		f->f_len[i] = 2000 + 1100 * i;
	run_flow(&t, h[0], h[3], f, 200 * MS);
	ck_assert_int_eq(f->f_error, 0);
	ck_assert_int_eq(f->f_got, 8);
	ck_assert_int_eq(f->f_intact, 8);
	l1 = net_link_lookup(t.tn_n, "l1");
	ck_assert_ptr_nonnull(l1);
	net_link_stats(l1, &ls);
	ck_assert_uint_gt(ls.nls_reordered, 0);
	ck_assert_uint_gt(ls.nls_duplicated, 0);
	/* the late duplicates' queues time out; nothing is left */
	tn_run(&t, 61 * SEC);
	if (strchr(dst, ':') != NULL) {
		struct ip6stat st = ip6stat_of(h[3]);

		reass = st.ip6s_reassembled;
		dropped = st.ip6s_fragdropped;
		timeout = st.ip6s_fragtimeout;
		frags = st.ip6s_fragments;
		ck_assert_uint_eq(st.ip6s_fragqueues, 0);
	} else {
		struct ipstat st = ipstat_of(h[3]);

		reass = st.ips_reassembled;
		dropped = st.ips_fragdropped;
		timeout = st.ips_fragtimeout;
		frags = st.ips_fragments;
		ck_assert_uint_eq(st.ips_fragqueues, 0);
	}
	ck_assert_uint_eq(reass, 8);
	/* every duplicate was dropped or timed out */
	ck_assert_uint_gt(dropped + timeout, 0);
	*hashp = world_trace_hash(t.tn_w) ^ frags;
	free(f);
	tn_fini(&t);
}

START_TEST(test_reorder_dup_v4)
{
	uint64_t h1, h2;

	reorder_dup("10.0.3.2", 7, &h1);
	reorder_dup("10.0.3.2", 7, &h2);
	ck_assert_uint_eq(h1, h2);
}
END_TEST

START_TEST(test_reorder_dup_v6)
{
	uint64_t h1, h2;

	reorder_dup("2001:db8:3::2", 8, &h1);
	reorder_dup("2001:db8:3::2", 8, &h2);
	ck_assert_uint_eq(h1, h2);
}
END_TEST

/*
 * Under knit's lock-order checker and random schedules (4 seeds), with
 * b on 2 CPUs and a link that reorders and duplicates: every datagram
 * once and intact over both families, the late duplicates time out, no
 * violation, no mbuf left.
 */
START_TEST(test_checked_random_schedules)
{
	struct net_link_params p;
	struct flow *f = calloc(1, sizeof(*f));
	struct tnet tc;
	struct host *a, *b;
	uint64_t seed;
	int i, v6;

	ck_assert_ptr_nonnull(f);
	net_link_params_default(&p);
	p.nlp_reorder = 0.3;
	p.nlp_reorder_delay = 50000;
	p.nlp_dup = 0.2;
	for (seed = 1; seed <= 4; seed++) {
		tn_init_checked(&tc, seed, "random");
		a = tn_host(&tc, "a", 1);
		b = tn_host(&tc, "b", 2);
		tn_p2p(&tc, "ab", a, b, &p);
		tn_run(&tc, MS);
		ck_assert_int_eq(tn_addr(a, "vnic0", "10.0.0.1/24"), 0);
		ck_assert_int_eq(tn_addr(b, "vnic0", "10.0.0.2/24"), 0);
		ck_assert_int_eq(tn_addr(a, "vnic0", "2001:db8::1/64"), 0);
		ck_assert_int_eq(tn_addr(b, "vnic0", "2001:db8::2/64"), 0);
		ck_assert_int_eq(tn_ping(a, "10.0.0.2", 1, 8, 0, false), 0);
		ck_assert_int_eq(tn_ping(a, "2001:db8::2", 1, 8, 0, false), 0);
		tn_run(&tc, 10 * MS);
		for (v6 = 0; v6 < 2; v6++) {
			memset(f, 0, sizeof(*f));
			f->f_addr = v6 ? "2001:db8::2" : "10.0.0.2";
			f->f_n = 6;
			for (i = 0; i < f->f_n; i++)
				f->f_len[i] = 2000 + 1000 * i;
			run_flow(&tc, a, b, f, 100 * MS);
			ck_assert_int_eq(f->f_intact, 6);
		}
		tn_run(&tc, 61 * SEC);
		ck_assert_uint_eq(ipstat_of(b).ips_reassembled, 6);
		ck_assert_uint_eq(ip6stat_of(b).ip6s_reassembled, 6);
		ck_assert_uint_eq(ipstat_of(b).ips_fragqueues, 0);
		ck_assert_uint_eq(ip6stat_of(b).ip6s_fragqueues, 0);
		tn_fini(&tc);
	}
	free(f);
}
END_TEST

/*
 * Hand-made fragments from a (10.0.0.1 / 2001:db8::1) injected into
 * b's vnic0, as b's driver would pass them up.
 */
static struct tnet t;
static struct host *a, *b;
static uint8_t bmac[6];

static void
setup(void)
{
	tn_init(&t, 77);
	a = tn_host(&t, "a", 1);
	b = tn_host(&t, "b", 1);
	tn_p2p(&t, "ab", a, b, NULL);
	tn_run(&t, MS);
	ck_assert_int_eq(tn_addr(a, "vnic0", "10.0.0.1/24"), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", "10.0.0.2/24"), 0);
	ck_assert_int_eq(tn_addr(a, "vnic0", "2001:db8::1/64"), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", "2001:db8::2/64"), 0);
	memcpy(bmac, tn_ifp(b, "vnic0")->if_lladdr, 6);
	tn_run(&t, MS);
}

static void
teardown(void)
{
	/* a test that left queues ran their timeout: none is left */
	ck_assert_uint_eq(ipstat_of(b).ips_fragqueues, 0);
	ck_assert_uint_eq(ip6stat_of(b).ip6s_fragqueues, 0);
	tn_fini(&t);
}

static size_t
ether_to_b(uint8_t *buf, int type)
{
	struct ether_header *eh = (struct ether_header *)(void *)buf;

	memcpy(eh->ether_dhost, bmac, 6);
	memcpy(eh->ether_shost, tn_ifp(a, "vnic0")->if_lladdr, 6);
	eh->ether_type = htons((uint16_t)type);
	return ETHER_HDR_LEN;
}

/*
 * Inject an IPv4 fragment of datagram id: len bytes of dg from off,
 * with MF as given (flags may add other ip_off bits).
 */
static void
inject4(uint16_t id, const uint8_t *dg, int off, int len, int flags)
{
	uint8_t buf[1600];
	size_t eh = ether_to_b(buf, ETHERTYPE_IP);
	struct ip *ip = (struct ip *)(void *)(buf + eh);

	ck_assert_int_le(len, 1400);
	memset(ip, 0, sizeof(*ip));
	ip->ip_v = IPVERSION;
	ip->ip_hl = 5;
	ip->ip_len = htons((uint16_t)(sizeof(*ip) + len));
	ip->ip_id = htons(id);
	ip->ip_off = htons((uint16_t)((off >> 3) | flags));
	ip->ip_ttl = 64;
	ip->ip_p = IPPROTO_UDP;
	ck_assert(tn_parse4("10.0.0.1", &ip->ip_src));
	ck_assert(tn_parse4("10.0.0.2", &ip->ip_dst));
	ip->ip_sum = in_cksum_buf(ip, sizeof(*ip));
	memcpy(ip + 1, dg + off, (size_t)len);
	tn_inject(b, "vnic0", buf, eh + sizeof(*ip) + (size_t)len);
	tn_run(&t, MS);
}

static void
inject6(uint32_t id, const uint8_t *dg, int off, int len, bool more)
{
	uint8_t buf[1600];
	size_t eh = ether_to_b(buf, ETHERTYPE_IPV6);
	struct ip6_hdr *ip6 = (struct ip6_hdr *)(void *)(buf + eh);
	struct ip6_frag *fh = (struct ip6_frag *)(void *)(ip6 + 1);

	ck_assert_int_le(len, 1400);
	memset(ip6, 0, sizeof(*ip6) + sizeof(*fh));
	ip6->ip6_flow = htonl(0x60000000U);
	ip6->ip6_plen = htons((uint16_t)(sizeof(*fh) + len));
	ip6->ip6_nxt = IPPROTO_FRAGMENT;
	ip6->ip6_hlim = 64;
	ck_assert(tn_parse6("2001:db8::1", &ip6->ip6_src));
	ck_assert(tn_parse6("2001:db8::2", &ip6->ip6_dst));
	fh->ip6f_nxt = IPPROTO_UDP;
	fh->ip6f_offlg = htons((uint16_t)(off | (more ? IP6F_MORE_FRAG : 0)));
	fh->ip6f_ident = htonl(id);
	memcpy(fh + 1, dg + off, (size_t)len);
	tn_inject(b, "vnic0", buf, eh + sizeof(*ip6) + sizeof(*fh) +
	    (size_t)len);
	tn_run(&t, MS);
}

/*
 * A UDP datagram to port 5000 of n bytes, payload pattern seq (v4
 * checksum 0: none).
 */
static void
udp_dg(uint8_t *dg, int n, int seq)
{
	struct udphdr *uh = (struct udphdr *)(void *)dg;
	int i;

	uh->uh_sport = htons(4000);
	uh->uh_dport = htons(5000);
	uh->uh_ulen = htons((uint16_t)n);
	uh->uh_sum = 0;
	for (i = sizeof(*uh); i < n; i++)
		dg[i] = pattern(seq, i - (int)sizeof(*uh));
}

START_TEST(test_lost_fragment_times_out_v4)
{
	uint8_t dg[64];
	struct icmp_reply_info ir;
	struct ipstat st;

	udp_dg(dg, 40, 0);
	/* the first fragment only: time exceeded (reassembly) to a */
	inject4(1, dg, 0, 16, IP_MF);
	inject4(1, dg, 16, 8, IP_MF);
	st = ipstat_of(b);
	ck_assert_uint_eq(st.ips_fragments, 2);
	ck_assert_uint_eq(st.ips_fragqueues, 1);
	tn_run(&t, 29 * SEC);
	ck_assert_uint_eq(ipstat_of(b).ips_fragtimeout, 0);
	tn_run(&t, 2 * SEC);
	ck_assert_uint_eq(ipstat_of(b).ips_fragtimeout, 2);
	ck_assert_uint_eq(tn_icmp_in(a, AF_INET, ICMP_TIMXCEED), 1);
	host_enter(a);
	icmp_last_reply(&ir);
	host_leave(a);
	ck_assert_int_eq(ir.ir_code, ICMP_TIMXCEED_REASS);
	ck_assert_uint_eq(ntohl(ir.ir_src.s_addr), 0x0a000002);
	/* without the first fragment: dropped silently */
	set_knob(b, "net.inet.ip.fragttl", 2000);
	inject4(2, dg, 16, 8, IP_MF);
	inject4(2, dg, 32, 8, 0);
	tn_run(&t, 3 * SEC);
	st = ipstat_of(b);
	ck_assert_uint_eq(st.ips_fragtimeout, 4);
	ck_assert_uint_eq(st.ips_reassembled, 0);
	ck_assert_uint_eq(tn_icmp_in(a, AF_INET, ICMP_TIMXCEED), 1);
}
END_TEST

START_TEST(test_lost_fragment_times_out_v6)
{
	uint8_t dg[64];
	struct icmp6_reply_info ir6;
	struct ip6stat st;

	udp_dg(dg, 40, 0);
	inject6(9, dg, 0, 16, true);
	st = ip6stat_of(b);
	ck_assert_uint_eq(st.ip6s_fragments, 1);
	ck_assert_uint_eq(st.ip6s_fragqueues, 1);
	tn_run(&t, 59 * SEC);
	ck_assert_uint_eq(ip6stat_of(b).ip6s_fragtimeout, 0);
	tn_run(&t, 2 * SEC);
	ck_assert_uint_eq(ip6stat_of(b).ip6s_fragtimeout, 1);
	ck_assert_uint_eq(tn_icmp_in(a, AF_INET6, ICMP6_TIME_EXCEEDED), 1);
	host_enter(a);
	icmp6_last_reply(&ir6);
	host_leave(a);
	ck_assert_int_eq(ir6.ir_code, ICMP6_TIME_EXCEED_REASSEMBLY);
}
END_TEST

/* Receive one datagram on b's port 5000 (v4) into rx. */
static struct flow *rx;

static void
lwp_rx(void *arg)
{
	(void)arg;
	in_proc(rx, false);
}

/*
 * Overlapping IPv4 fragments are trimmed the BSD way: whichever order
 * they come in, the one at the lower offset keeps the bytes they share.
 */
START_TEST(test_overlap_trimmed_v4)
{
	uint8_t dg[64], bad[64];
	int order;

	rx = calloc(1, sizeof(*rx));
	ck_assert_ptr_nonnull(rx);
	*rx = (struct flow){ .f_addr = "10.0.0.2", .f_n = 2,
	    .f_len = { 32, 32 } };
	host_spawn(b, "rx", -1, lwp_rx, NULL);
	tn_run(&t, MS);
	for (order = 0; order < 2; order++) {
		uint16_t id = (uint16_t)(10 + order);

		udp_dg(dg, 40, order);
		memcpy(bad, dg, sizeof(bad));
		memset(bad + 8, 0xee, 8);	/* the second's claim on 8..16 */
		if (order == 0) {
			inject4(id, dg, 0, 16, IP_MF);
			inject4(id, bad, 8, 16, IP_MF);
		} else {
			inject4(id, bad, 8, 16, IP_MF);
			inject4(id, dg, 0, 16, IP_MF);
		}
		inject4(id, dg, 24, 16, 0);
	}
	ck_assert_int_eq(rx->f_got, 2);
	ck_assert_int_eq(rx->f_intact, 2);
	ck_assert_uint_eq(ipstat_of(b).ips_reassembled, 2);
	/* a fragment entirely inside what is held adds nothing */
	inject4(12, dg, 0, 24, IP_MF);
	inject4(12, bad, 8, 8, IP_MF);
	ck_assert_uint_eq(ipstat_of(b).ips_fragdropped, 1);
	tn_run(&t, 31 * SEC);
	free(rx);
}
END_TEST

/*
 * Random overlapping IPv4 fragments of the same bytes, in random order
 * (fixed seed): whatever the trimming does, each datagram comes out
 * byte for byte, once.
 */
START_TEST(test_random_overlaps_v4)
{
	uint8_t dg[600];
	int poff[160], plen[160], np, i, j, k, n, end, round;
	uint64_t done;
	uint32_t x = 12345;

#define RND(m)	((int)((x = x * 1103515245u + 12345u) >> 8) % (m))
	rx = calloc(1, sizeof(*rx));
	ck_assert_ptr_nonnull(rx);
	rx->f_addr = "10.0.0.2";
	rx->f_n = 8;
	for (round = 0; round < 8; round++)
		rx->f_len[round] = 100 + 61 * round;
	host_spawn(b, "rx", -1, lwp_rx, NULL);
	tn_run(&t, MS);
	for (round = 0; round < 8; round++) {
		n = 8 + rx->f_len[round];
		udp_dg(dg, n, round);
		/* a cover in pieces of 8..48 bytes, then overlapping extras */
		for (np = 0, end = 0; end < n; end += plen[np++]) {
			poff[np] = end;
			plen[np] = 8 * (1 + RND(6));
		}
		for (k = 0; k < 30; k++, np++) {
			poff[np] = 8 * RND(n / 8);
			plen[np] = 8 * (1 + RND(8));
		}
		for (i = 0; i < np; i++) {
			if (poff[i] + plen[i] > n)
				plen[i] = n - poff[i];
			j = RND(np);			/* shuffle */
			k = poff[i], poff[i] = poff[j], poff[j] = k;
			k = plen[i], plen[i] = plen[j], plen[j] = k;
		}
		for (i = 0; i < np; i++)
			if (poff[i] + plen[i] > n)
				plen[i] = n - poff[i];
		/* until the datagram is complete: later pieces would start
		 * a new queue, and might complete it a second time */
		done = ipstat_of(b).ips_reassembled;
		for (i = 0; i < np && ipstat_of(b).ips_reassembled == done;
		    i++)
			if (plen[i] > 0)
				inject4((uint16_t)(100 + round), dg, poff[i],
				    plen[i], poff[i] + plen[i] < n ? IP_MF : 0);
		ck_assert_uint_eq(ipstat_of(b).ips_reassembled, done + 1);
		ck_assert_uint_eq(ipstat_of(b).ips_fragqueues, 0);
	}
#undef RND
	ck_assert_int_eq(rx->f_got, 8);
	ck_assert_int_eq(rx->f_intact, 8);
	ck_assert_uint_gt(ipstat_of(b).ips_fragdropped, 0);	/* trimmed */
	free(rx);
}
END_TEST

/* IPv6: exact duplicates are dropped alone, other overlaps kill all. */
START_TEST(test_overlap_v6)
{
	uint8_t dg[64];
	struct ip6stat st;

	udp_dg(dg, 48, 0);
	inject6(20, dg, 0, 16, true);
	inject6(20, dg, 0, 16, true);		/* exact duplicate */
	inject6(20, dg, 16, 32, false);
	st = ip6stat_of(b);
	ck_assert_uint_eq(st.ip6s_reassembled, 1);
	ck_assert_uint_eq(st.ip6s_fragdropped, 1);
	inject6(21, dg, 0, 16, true);
	inject6(21, dg, 8, 16, true);		/* overlaps: all go */
	st = ip6stat_of(b);
	ck_assert_uint_eq(st.ip6s_fragdropped, 3);
	ck_assert_uint_eq(st.ip6s_fragqueues, 0);
	inject6(21, dg, 16, 32, false);		/* starts a new queue */
	ck_assert_uint_eq(ip6stat_of(b).ip6s_reassembled, 1);
	tn_run(&t, 61 * SEC);
	ck_assert_uint_eq(ip6stat_of(b).ip6s_fragtimeout, 1);
}
END_TEST

/*
 * RFC 791 options: the first fragment keeps them all, the others only
 * those with the copied flag (router alert: yes; record route: no),
 * each fragment with its own good header checksum; b reassembles with
 * the first fragment's header.
 */
START_TEST(test_options_copied)
{
	static const uint8_t opts[12] = {
		0x94, 4, 0, 0,			/* router alert, copied */
		0x07, 7, 4, 0, 0, 0, 0,		/* record route, not copied */
		0x01,				/* NOP, not copied */
	};
	struct net_nic *nic = net_nic_lookup(t.tn_n, "b:vnic0");
	const struct net_kept *k;
	struct mbuf *m;
	struct ip *ip;
	uint8_t dg[3008];
	size_t i, nfrag = 0;
	int hl, off, error;

	ck_assert_ptr_nonnull(nic);
	ck_assert_int_eq(net_keep(nic, 64), 0);
	udp_dg(dg, sizeof(dg), 0);
	host_enter(a);
	m = m_getlen(M_DONTWAIT, MT_DATA, 32 + (int)sizeof(dg));
	ck_assert_ptr_nonnull(m);
	m->m_len = m->m_pkthdr.len = 32 + (int)sizeof(dg);
	ip = mtod(m, struct ip *);
	memset(ip, 0, sizeof(*ip));
	ip->ip_v = IPVERSION;
	ip->ip_hl = 8;
	ip->ip_len = htons((uint16_t)m->m_len);
	ip->ip_id = htons(77);
	ip->ip_ttl = 64;
	ip->ip_p = IPPROTO_UDP;
	ck_assert(tn_parse4("10.0.0.1", &ip->ip_src));
	ck_assert(tn_parse4("10.0.0.2", &ip->ip_dst));
	memcpy(ip + 1, opts, sizeof(opts));
	memcpy(mtod(m, char *) + 32, dg, sizeof(dg));
	mutex_enter(softnet_lock);
	error = ip_output(m, NULL, IP_RAWOUTPUT, NULL);
	mutex_exit(softnet_lock);
	host_leave(a);
	ck_assert_int_eq(error, 0);
	tn_run(&t, 10 * MS);
	for (i = 0; (k = net_kept_get(nic, i)) != NULL; i++) {
		const uint8_t *h = k->nk_data + ETHER_HDR_LEN;

		if (k->nk_outbound || h[-2] != 0x08 || h[-1] != 0 ||
		    h[9] != IPPROTO_UDP)
			continue;
		hl = (h[0] & 0xf) << 2;
		off = ((h[6] & 0x1f) << 8 | h[7]) << 3;
		ck_assert_uint_eq(in_cksum_buf(h, hl), 0);
		ck_assert_int_eq(off, 1464 * (int)nfrag);
		if (off == 0) {
			ck_assert_int_eq(hl, 32);
			ck_assert_mem_eq(h + 20, opts, sizeof(opts));
		} else {
			ck_assert_int_eq(hl, 24);
			ck_assert_mem_eq(h + 20, opts, 4);
		}
		ck_assert_int_eq((h[6] & 0x20) != 0, nfrag < 2);	/* MF */
		nfrag++;
	}
	ck_assert_uint_eq(nfrag, 3);
	ck_assert_uint_eq(ipstat_of(b).ips_reassembled, 1);
	net_keep(nic, 0);
}
END_TEST

/* Malformed fragments are counted and dropped; nothing is queued. */
START_TEST(test_malformed_fragments)
{
	static uint8_t dg[65536 + 64];
	struct ipstat st;
	struct ip6stat st6;

	udp_dg(dg, 64, 0);
	inject4(30, dg, 65528 - 16, 16, 0);	/* ends past 65535 */
	inject4(31, dg, 8, 0, IP_MF);		/* no payload, not last */
	inject4(32, dg, 0, 12, IP_MF);		/* MF, not 8-aligned */
	st = ipstat_of(b);
	ck_assert_uint_eq(st.ips_fragments, 3);
	ck_assert_uint_eq(st.ips_fragdropped, 3);
	ck_assert_uint_eq(st.ips_fragqueues, 0);
	/* two different ends: the datagram goes */
	inject4(33, dg, 8, 8, IP_MF);
	inject4(33, dg, 16, 8, 0);
	inject4(33, dg, 16, 16, 0);
	/* data past the end the last fragment gave */
	inject4(34, dg, 16, 8, 0);
	inject4(34, dg, 24, 8, IP_MF);
	st = ipstat_of(b);
	ck_assert_uint_eq(st.ips_fragdropped, 3 + 3 + 2);
	ck_assert_uint_eq(st.ips_fragqueues, 0);
	ck_assert_uint_eq(st.ips_reassembled, 0);
	inject6(40, dg, 65535 - 15, 16, false);	/* ends past 65535 */
	inject6(41, dg, 8, 0, true);
	inject6(42, dg, 0, 12, true);
	st6 = ip6stat_of(b);
	ck_assert_uint_eq(st6.ip6s_fragments, 3);
	ck_assert_uint_eq(st6.ip6s_fragdropped, 3);
	ck_assert_uint_eq(st6.ip6s_fragqueues, 0);
	/* past 65535 and misaligned: parameter problem (RFC 8200 4.5) */
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_icmp_in(a, AF_INET6, ICMP6_PARAM_PROB), 2);
	/* an atomic fragment is a whole packet */
	inject6(43, dg, 0, 48, false);
	ck_assert_uint_eq(ip6stat_of(b).ip6s_atomicfrags, 1);
}
END_TEST

/* The bounds: datagrams at once, fragments of one datagram. */
START_TEST(test_bounds)
{
	uint8_t dg[64];
	struct ipstat st;
	uint64_t before;
	int i;

	udp_dg(dg, 64, 0);
	set_knob(b, "net.inet.ip.maxfragpackets", 2);
	set_knob(b, "net.inet.ip.maxfragsperpacket", 3);
	inject4(50, dg, 0, 8, IP_MF);
	inject4(51, dg, 0, 8, IP_MF);
	inject4(52, dg, 0, 8, IP_MF);		/* a third datagram: no */
	st = ipstat_of(b);
	ck_assert_uint_eq(st.ips_fragqueues, 2);
	ck_assert_uint_eq(st.ips_fragdropped, 1);
	before = st.ips_fragdropped;
	for (i = 1; i < 4; i++)			/* the fourth of 50: all go */
		inject4(50, dg, 8 * i, 8, IP_MF);
	st = ipstat_of(b);
	ck_assert_uint_eq(st.ips_fragdropped, before + 4);
	ck_assert_uint_eq(st.ips_fragqueues, 1);
	tn_run(&t, 31 * SEC);
}
END_TEST

/* DF still refuses; without DF the same packet is cut by r1. */
START_TEST(test_df_and_forwarded_fragments)
{
	struct tnet tc;
	struct host *h[4];
	struct icmp_reply_info ir;

	tn_init(&tc, 43);
	tn_chain3(&tc, h, NULL, 1400);
	ck_assert_int_eq(tn_ping(h[0], "10.0.3.2", 1, 1472, 0, true), 0);
	tn_run(&tc, 10 * MS);
	host_enter(h[0]);
	icmp_last_reply(&ir);
	host_leave(h[0]);
	ck_assert_int_eq(ir.ir_code, ICMP_UNREACH_NEEDFRAG);
	ck_assert_uint_eq(ir.ir_nextmtu, 1400);
	ck_assert_int_eq(tn_ping(h[0], "10.0.3.2", 2, 3000, 0, true),
	    EMSGSIZE);
	ck_assert_uint_eq(tn_echo_replies(h[0], AF_INET), 0);
	/* no DF: r1 cuts the request, b reassembles and answers in pieces */
	ck_assert_int_eq(tn_ping(h[0], "10.0.3.2", 3, 1472, 0, false), 0);
	ck_assert_int_eq(tn_ping(h[0], "10.0.3.2", 4, 8000, 0, false), 0);
	tn_run(&tc, 20 * MS);
	ck_assert_uint_eq(tn_echo_replies(h[0], AF_INET), 2);
	/* r1 cut the requests, r2 the replies */
	ck_assert_uint_gt(ipstat_of(h[1]).ips_fragmented, 0);
	ck_assert_uint_gt(ipstat_of(h[2]).ips_fragmented, 0);
	ck_assert_uint_eq(ipstat_of(h[3]).ips_reassembled, 2);
	ck_assert_uint_eq(ipstat_of(h[0]).ips_reassembled, 2);
	/* ICMPv6 echo of 8000 bytes both ways at the source's route MTU */
	route_mtu6(h[0], "2001:db8:3::2", 1400);
	route_mtu6(h[3], "2001:db8:1::1", 1400);
	ck_assert_int_eq(tn_ping(h[0], "2001:db8:3::2", 5, 8000, 0, false),
	    0);
	tn_run(&tc, 20 * MS);
	ck_assert_uint_eq(tn_echo_replies(h[0], AF_INET6), 1);
	tn_fini(&tc);
}
END_TEST

/* What tshark showed: fragments, reassembled datagrams of each size. */
struct frag_seen {
	int	fs_frags, fs_big4, fs_big6;
};

static void
frag_line(void *arg, char **v)
{
	struct frag_seen *fs = arg;
	int i;

	for (i = 1; i < 3; i++)
		ck_assert_msg(v[i][0] == '\0' || strcmp(v[i], "1") == 0,
		    "frame %s: field %d status %s", v[0], i, v[i]);
	/* booleans print as 1 or True, depending on the version */
	fs->fs_frags += v[4][0] == '1' || v[4][0] == 'T' ||
	    v[5][0] == '1' || v[5][0] == 'T';
	if (strcmp(v[2], "1") == 0 && atoi(v[3]) == 8 + 65507)
		fs->fs_big4++;
	if (strcmp(v[2], "1") == 0 && atoi(v[3]) == 8 + MAXDG)
		fs->fs_big6++;
}

/*
 * A capture of fragmented UDP (v4 cut at the source and again by r1, v6
 * at the source) is reassembled by tshark, with every IPv4 header and
 * every reassembled UDP checksum good.
 */
START_TEST(test_tshark_reassembles)
{
	char path[] = "/tmp/knit-frag-XXXXXX";
	struct tnet tc;
	struct host *h[4];
	struct flow *f = calloc(1, sizeof(*f));
	struct frag_seen fs = { 0, 0, 0 };
	int fd;

	ck_assert_ptr_nonnull(f);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	tn_init(&tc, 44);
	ck_assert_int_eq(net_pcap_open(tc.tn_n, path), 0);
	net_pcap_all(tc.tn_n);
	tn_chain3(&tc, h, NULL, 1400);
	route_mtu6(h[0], "2001:db8:3::2", 1400);
	/* resolve the neighbours first: they hold one packet meanwhile */
	ck_assert_int_eq(tn_ping(h[0], "10.0.3.2", 1, 8, 0, false), 0);
	ck_assert_int_eq(tn_ping(h[0], "2001:db8:3::2", 1, 8, 0, false), 0);
	tn_run(&tc, 10 * MS);
	*f = (struct flow){ .f_addr = "10.0.3.2", .f_n = 2,
	    .f_len = { 3000, 65507 } };
	run_flow(&tc, h[0], h[3], f, 100 * MS);
	ck_assert_int_eq(f->f_intact, 2);
	memset(f, 0, sizeof(*f));
	*f = (struct flow){ .f_addr = "2001:db8:3::2", .f_n = 2,
	    .f_len = { 3000, MAXDG } };
	run_flow(&tc, h[0], h[3], f, 100 * MS);
	ck_assert_int_eq(f->f_intact, 2);
	net_pcap_close(tc.tn_n);
	tn_fini(&tc);
	free(f);

	(void)tn_tshark(path, "-o ip.check_checksum:TRUE "
	    "-o udp.check_checksum:TRUE -o ip.defragment:TRUE "
	    "-o ipv6.defragment:TRUE -e frame.number -e ip.checksum.status "
	    "-e udp.checksum.status -e udp.length -e ip.flags.mf "
	    "-e ipv6.fraghdr.more", 6, frag_line, &fs);
	unlink(path);
	ck_assert_int_gt(fs.fs_frags, 100);
	/* reassembled where a NIC saw the last piece, good checksum */
	ck_assert_int_ge(fs.fs_big4, 1);
	ck_assert_int_ge(fs.fs_big6, 1);
}
END_TEST

static Suite *
frag_suite(void)
{
	Suite *s = suite_create("frag");
	TCase *tc = tcase_create("paths");
	TCase *ti = tcase_create("injected");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_udp_across_smaller_mtu_v4);
	tcase_add_test(tc, test_udp_across_smaller_mtu_v6);
	tcase_add_test(tc, test_reorder_dup_v4);
	tcase_add_test(tc, test_reorder_dup_v6);
	tcase_add_test(tc, test_df_and_forwarded_fragments);
	tcase_add_test(tc, test_tshark_reassembles);
	tcase_add_test(tc, test_checked_random_schedules);
	suite_add_tcase(s, tc);
	tcase_set_timeout(ti, 60);
	tcase_add_checked_fixture(ti, setup, teardown);
	tcase_add_test(ti, test_lost_fragment_times_out_v4);
	tcase_add_test(ti, test_lost_fragment_times_out_v6);
	tcase_add_test(ti, test_overlap_trimmed_v4);
	tcase_add_test(ti, test_overlap_v6);
	tcase_add_test(ti, test_random_overlaps_v4);
	tcase_add_test(ti, test_options_copied);
	tcase_add_test(ti, test_malformed_fragments);
	tcase_add_test(ti, test_bounds);
	suite_add_tcase(s, ti);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(frag_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
