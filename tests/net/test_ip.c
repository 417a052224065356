/*
 * IPv4/IPv6 behaviour on simulated networks: kern/3508 at packet level
 * under each route-cache policy, TTL / hop limit expiry, MTU (DF and
 * packet too big), seed-exact link loss, interface down and up, reject
 * and blackhole routes, unreachable networks.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tnet.h"
#include "net/if.h"
#include "sys/mbuf.h"
#include "net/route.h"
#include "netinet/in_var.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"
#include "netinet6/icmp6.h"
#include "netinet6/ip6_var.h"

#define MS	1000000ULL

/*
 * s - r; r - n1 - d and r - n2 - d.  d's address 10.9.0.1 is on its
 * loopback; d has no route back, so traffic is one way and the only
 * destination r forwards to is 10.9.0.1 (a reply through r would
 * replace the single-entry cache and hide the bug, as in the PR).
 * Returns the packets n2 forwarded in the three phases: before the
 * more specific route via n2, after adding it, after deleting it.
 */
static void
pr3508_run(const char *policy, uint64_t out[3])
{
	struct tnet t;
	struct tn_pr3508 p;
	struct host *s, *r, *n2, *d;
	uint64_t base;
	int phase, i;
	uint16_t seq = 0;

	tn_init(&t, 3508);
	tn_pr3508(&t, policy, &p);
	s = p.p_s;
	r = p.p_r;
	n2 = p.p_n2;
	d = p.p_d;
	for (phase = 0; phase < 3; phase++) {
		if (phase == 1)
			ck_assert_int_eq(tn_route(r, RTM_ADD, "10.9.0.0/24",
			    "10.0.3.2", 0), 0);
		if (phase == 2)
			ck_assert_int_eq(tn_route(r, RTM_DELETE, "10.9.0.0/24",
			    "10.0.3.2", 0), 0);
		base = tn_forwarded4(n2);
		for (i = 0; i < 5; i++) {
			ck_assert_int_eq(tn_ping(s, "10.9.0.1", seq++, 32, 0,
			    false), 0);
			tn_run(&t, 5 * MS);
		}
		out[phase] = tn_forwarded4(n2) - base;
	}
	/* every request reached d, whichever way it went */
	ck_assert_uint_eq(tn_icmp_in(d, AF_INET, ICMP_ECHO), 15);
	tn_fini(&t);
}

START_TEST(test_pr3508_forwarding_none)
{
	uint64_t n2[3];

	pr3508_run("none", n2);
	ck_assert_uint_eq(n2[0], 0);
	ck_assert_uint_eq(n2[1], 0);	/* the bug: stuck on n1 */
	ck_assert_uint_eq(n2[2], 0);
}
END_TEST

START_TEST(test_pr3508_forwarding_list)
{
	uint64_t n2[3];

	pr3508_run("list", n2);
	ck_assert_uint_eq(n2[0], 0);
	ck_assert_uint_eq(n2[1], 5);	/* switches on the next packet */
	ck_assert_uint_eq(n2[2], 0);	/* and back after the delete */
}
END_TEST

START_TEST(test_pr3508_forwarding_generation)
{
	uint64_t n2[3];

	pr3508_run("generation", n2);
	ck_assert_uint_eq(n2[0], 0);
	ck_assert_uint_eq(n2[1], 5);
	ck_assert_uint_eq(n2[2], 0);
}
END_TEST

START_TEST(test_ttl_expiry)
{
	struct tnet t;
	struct host *h[4];
	struct icmp_reply_info ir;
	struct icmp6_reply_info ir6;

	tn_init(&t, 5);
	tn_chain3(&t, h, NULL, 1500);
	/* ttl 2: r1 forwards with ttl 1, r2 must not */
	ck_assert_int_eq(tn_ping(h[0], "10.0.3.2", 1, 16, 2, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_icmp_in(h[0], AF_INET, ICMP_TIMXCEED), 1);
	ck_assert_uint_eq(tn_echo_replies(h[0], AF_INET), 0);
	host_enter(h[0]);
	icmp_last_reply(&ir);
	host_leave(h[0]);
	ck_assert_uint_eq(ntohl(ir.ir_src.s_addr), 0x0a000202);	/* r2 */
	ck_assert_int_eq(ir.ir_code, ICMP_TIMXCEED_INTRANS);
	/* ttl 3 arrives */
	ck_assert_int_eq(tn_ping(h[0], "10.0.3.2", 2, 16, 3, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_echo_replies(h[0], AF_INET), 1);
	/* IPv6 hop limit */
	ck_assert_int_eq(tn_ping(h[0], "2001:db8:3::2", 1, 16, 2, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_icmp_in(h[0], AF_INET6, ICMP6_TIME_EXCEEDED), 1);
	host_enter(h[0]);
	icmp6_last_reply(&ir6);
	host_leave(h[0]);
	ck_assert_int_eq(ir6.ir_src.s6_addr[15], 2);	/* 2001:db8:2::2 */
	ck_assert_int_eq(tn_ping(h[0], "2001:db8:3::2", 2, 16, 3, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_echo_replies(h[0], AF_INET6), 1);
	tn_fini(&t);
}
END_TEST

START_TEST(test_mtu_too_big)
{
	struct tnet t;
	struct host *h[4];
	struct icmp_reply_info ir;
	struct icmp6_reply_info ir6;

	tn_init(&t, 6);
	tn_chain3(&t, h, NULL, 1400);
	/* 1500-byte packet with DF: r1 cannot forward it over l2 */
	ck_assert_int_eq(tn_ping(h[0], "10.0.3.2", 1, 1472, 0, true), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_echo_replies(h[0], AF_INET), 0);
	ck_assert_uint_eq(tn_icmp_in(h[0], AF_INET, ICMP_UNREACH), 1);
	host_enter(h[0]);
	icmp_last_reply(&ir);
	host_leave(h[0]);
	ck_assert_int_eq(ir.ir_code, ICMP_UNREACH_NEEDFRAG);
	ck_assert_uint_eq(ir.ir_nextmtu, 1400);
	/* what fits goes through */
	ck_assert_int_eq(tn_ping(h[0], "10.0.3.2", 2, 1372, 0, true), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_echo_replies(h[0], AF_INET), 1);
	/* IPv6: packet too big with the MTU */
	ck_assert_int_eq(tn_ping(h[0], "2001:db8:3::2", 1, 1452, 0, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_icmp_in(h[0], AF_INET6, ICMP6_PACKET_TOO_BIG), 1);
	host_enter(h[0]);
	icmp6_last_reply(&ir6);
	host_leave(h[0]);
	ck_assert_uint_eq(ir6.ir_mtu, 1400);
	/* larger than the sender's own interface: EMSGSIZE at once */
	ck_assert_int_eq(tn_ping(h[0], "10.0.3.2", 3, 1600, 0, true), EMSGSIZE);
	tn_fini(&t);
}
END_TEST

/*
 * a pings dst with a 1500-byte packet over r1, whose next link has an MTU
 * of 1400, and keeps its frames: *req is the request a sent, *err the
 * ICMP error (type at byte `type_off' of the IP packet) that came back.
 * hlen is the IP header length, proto_off where its protocol is.
 */
static void
error_quote_run(struct tnet *t, const char *dst, int datalen, bool df,
    int hlen, int proto_off, int proto, int type,
    const struct net_kept **req, const struct net_kept **err)
{
	struct host *h[4];
	struct net_nic *nic;
	const struct net_kept *k;
	const uint8_t *ip;
	size_t i;

	tn_init(t, 6);
	tn_chain3(t, h, NULL, 1400);
	nic = net_nic_lookup(t->tn_n, "a:vnic0");
	ck_assert_ptr_nonnull(nic);
	ck_assert_int_eq(net_keep(nic, 16), 0);
	ck_assert_int_eq(tn_ping(h[0], dst, 7, datalen, 0, df), 0);
	tn_run(t, 10 * MS);
	*req = *err = NULL;
	for (i = 0; (k = net_kept_get(nic, i)) != NULL; i++) {
		ip = k->nk_data + 14;
		if (k->nk_caplen < 14 + (unsigned)hlen + 8 ||
		    ip[proto_off] != proto)
			continue;
		if (k->nk_outbound && k->nk_len == 14 + 1500)
			*req = k;
		if (!k->nk_outbound && ip[hlen] == type)
			*err = k;
	}
	ck_assert_ptr_nonnull(*req);
	ck_assert_ptr_nonnull(*err);
	ck_assert_uint_eq(tn_mbufs(t, h[1]), 0);
}

/*
 * The error a router sends when it cannot forward quotes the packet as it
 * arrived: its IP header (TTL not yet decremented, the sender's checksum)
 * and the first 8 bytes of data (here the echo request's header).
 * ip_forward keeps that start of the packet before handing it on.
 */
START_TEST(test_forward_error_quote)
{
	struct tnet t;
	const struct net_kept *req, *err;
	const uint8_t *icmp;

	error_quote_run(&t, "10.0.3.2", 1472, true, 20, 9, IPPROTO_ICMP,
	    ICMP_UNREACH, &req, &err);
	icmp = err->nk_data + 14 + 20;
	ck_assert_uint_eq(icmp[1], ICMP_UNREACH_NEEDFRAG);
	/* the quoted header and 8 bytes are the request's, byte for byte */
	ck_assert_mem_eq(icmp + 8, req->nk_data + 14, 20 + 8);
	ck_assert_uint_eq(icmp[8 + 8], 64);		/* TTL as sent */
	ck_assert_uint_eq(err->nk_len, 14 + 20 + 8 + 20 + 8);
	tn_fini(&t);
}
END_TEST

/*
 * The same for IPv6: packet too big quotes the packet as it arrived (hop
 * limit not decremented), as much of it as fits in the minimum MTU.
 */
START_TEST(test_forward_error_quote6)
{
	struct tnet t;
	const struct net_kept *req, *err;
	const uint8_t *icmp6;

	error_quote_run(&t, "2001:db8:3::2", 1452, false, 40, 6,
	    IPPROTO_ICMPV6, ICMP6_PACKET_TOO_BIG, &req, &err);
	icmp6 = err->nk_data + 14 + 40;
	/* as much of the request as the capture kept, byte for byte */
	ck_assert_mem_eq(icmp6 + 8, req->nk_data + 14,
	    NET_KEEP_SNAP - (14 + 40 + 8));
	ck_assert_uint_eq(icmp6[8 + 7], 64);	/* hop limit as sent */
	ck_assert_uint_eq(err->nk_len, 14 + IPV6_MMTU);
	tn_fini(&t);
}
END_TEST

/* A chain of n zero bytes in mbufs of `piece' bytes each. */
static struct mbuf *
cksum_chain(int n, int piece)
{
	struct mbuf *top = m_gethdr(M_DONTWAIT, MT_DATA), *m = top;
	int off;

	for (off = 0; off < n; off += m->m_len) {
		if (off > 0) {
			m->m_next = m_get(M_DONTWAIT, MT_DATA);
			m = m->m_next;
		}
		m->m_len = n - off < piece ? n - off : piece;
		memset(mtod(m, void *), 0, (size_t)m->m_len);
	}
	top->m_pkthdr.len = n;
	return top;
}

/* RFC 1071 the slow way: big-endian 16-bit words, one at a time. */
static uint16_t
ref_cksum(const unsigned char *p, int len)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/*
 * in_cksum_off over chains cut into pieces of every small size (so that
 * words straddle mbufs at odd and even offsets), at every start offset,
 * on pseudo-random bytes and on all-0xff and all-zero data, equals the
 * word-at-a-time reference.
 */
START_TEST(test_cksum_chains)
{
	static const int pieces[] = { 1, 2, 3, 5, 7, 8, 13, 64, MHLEN };
	unsigned char buf[600];
	uint32_t x = 12345;
	struct tnet t;
	struct host *h;
	struct mbuf *m;
	size_t pi;
	int n = 557, off, len, fill;

	tn_init(&t, 1);
	h = tn_host(&t, "h", 1);
	tn_run(&t, MS);			/* boots the host's kernel */
	host_enter(h);

	for (fill = 0; fill < 3; fill++) {
		for (off = 0; off < n; off++) {
			x = x * 1103515245u + 12345u;
			buf[off] = fill == 0 ? (unsigned char)(x >> 16) :
			    fill == 1 ? 0xff : 0;
		}
		for (pi = 0; pi < sizeof(pieces) / sizeof(pieces[0]); pi++) {
			m = cksum_chain(n, pieces[pi]);
			m_copyback(m, 0, n, buf);
			for (off = 0; off < 40; off++)
				for (len = 0; off + len <= n; len += 37 + off)
					ck_assert_uint_eq(in_cksum_off(m, off,
					    len), ref_cksum(buf + off, len));
			ck_assert_uint_eq(in_cksum(m, n), ref_cksum(buf, n));
			m_freem(m);
		}
	}
	host_leave(h);
	tn_fini(&t);
}
END_TEST

static uint64_t
lossy(uint64_t seed, uint64_t *hashp)
{
	struct tnet t;
	struct host *a, *b;
	struct net_link_params p;
	uint64_t n;
	int i;

	tn_init(&t, seed);
	a = tn_host(&t, "a", 1);
	b = tn_host(&t, "b", 1);
	net_link_params_default(&p);
	p.nlp_loss = 0.25;
	tn_p2p(&t, "ab", a, b, &p);
	tn_run(&t, MS);
	ck_assert_int_eq(tn_addr(a, "vnic0", "10.0.0.1/24"), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", "10.0.0.2/24"), 0);
	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(tn_ping(a, "10.0.0.2", (uint16_t)i, 32, 0,
		    false), 0);
		tn_run(&t, 1000 * MS);	/* past the ARP retransmission */
	}
	n = tn_echo_replies(a, AF_INET);
	*hashp = world_trace_hash(t.tn_w);
	tn_fini(&t);
	return n;
}

START_TEST(test_link_loss_seed_exact)
{
	uint64_t h1, h2, h3, n1, n2, n3;

	n1 = lossy(77, &h1);
	n2 = lossy(77, &h2);
	n3 = lossy(78, &h3);
	ck_assert_uint_eq(n1, n2);
	ck_assert_uint_eq(h1, h2);
	ck_assert_uint_ne(h1, h3);
	/* two crossings at 75% each: about 56 of 100 */
	ck_assert_uint_gt(n1, 35);
	ck_assert_uint_lt(n1, 80);
	ck_assert_uint_gt(n3, 35);
	ck_assert_uint_lt(n3, 80);
}
END_TEST

START_TEST(test_interface_down_up)
{
	struct tnet t;
	struct host *a, *b;

	tn_init(&t, 9);
	tn_pair(&t, &a, &b, false);
	ck_assert_int_eq(tn_ping(a, "10.0.0.2", 1, 32, 0, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_echo_replies(a, AF_INET), 1);
	ck_assert_int_eq(tn_ifflags(a, "vnic0", false), 0);
	ck_assert_int_eq(tn_ping(a, "10.0.0.2", 2, 32, 0, false), ENETDOWN);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_echo_replies(a, AF_INET), 1);
	/* routes stay while down (reference 1.4); up again: it works */
	ck_assert_int_eq(tn_ifflags(a, "vnic0", true), 0);
	ck_assert_int_eq(tn_ping(a, "10.0.0.2", 3, 32, 0, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_echo_replies(a, AF_INET), 2);
	tn_fini(&t);
}
END_TEST

START_TEST(test_reject_blackhole_unreachable)
{
	struct tnet t;
	struct host *h[4];
	struct icmp_reply_info ir;
	struct ipstat st;

	tn_init(&t, 10);
	tn_chain3(&t, h, NULL, 1500);
	/* local reject routes through lo0: the error comes back at once */
	ck_assert_int_eq(tn_route(h[0], RTM_ADD, "10.7.0.1", "127.0.0.1",
	    RTF_REJECT), 0);
	ck_assert_int_eq(tn_ping(h[0], "10.7.0.1", 1, 8, 0, false),
	    EHOSTUNREACH);
	ck_assert_int_eq(tn_route(h[0], RTM_ADD, "10.7.1.0/24", "127.0.0.1",
	    RTF_REJECT), 0);
	ck_assert_int_eq(tn_ping(h[0], "10.7.1.5", 1, 8, 0, false),
	    ENETUNREACH);
	/* blackhole: accepted, silently dropped */
	ck_assert_int_eq(tn_route(h[0], RTM_ADD, "10.7.2.0/24", "127.0.0.1",
	    RTF_BLACKHOLE), 0);
	ck_assert_int_eq(tn_ping(h[0], "10.7.2.5", 1, 8, 0, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_echo_replies(h[0], AF_INET), 0);
	ck_assert_uint_eq(tn_icmp_in(h[0], AF_INET, ICMP_UNREACH), 0);
	/* a reject route on a router: host unreachable comes back */
	ck_assert_int_eq(tn_route(h[1], RTM_ADD, "10.8.0.0/16", "127.0.0.1",
	    RTF_REJECT), 0);
	ck_assert_int_eq(tn_ping(h[0], "10.8.0.1", 1, 8, 0, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_icmp_in(h[0], AF_INET, ICMP_UNREACH), 1);
	/* no route at all on a router: net unreachable */
	ck_assert_int_eq(tn_route(h[1], RTM_DELETE, "default", "10.0.2.2", 0),
	    0);
	ck_assert_int_eq(tn_ping(h[0], "10.6.0.1", 1, 8, 0, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_icmp_in(h[0], AF_INET, ICMP_UNREACH), 2);
	host_enter(h[0]);
	icmp_last_reply(&ir);
	host_leave(h[0]);
	ck_assert_int_eq(ir.ir_code, ICMP_UNREACH_NET);
	host_enter(h[1]);
	ip_getstat(&st);
	host_leave(h[1]);
	ck_assert_uint_eq(st.ips_noroute, 1);
	/* no route on the sender itself */
	ck_assert_int_eq(tn_route(h[0], RTM_DELETE, "default", "10.0.1.2", 0),
	    0);
	ck_assert_int_eq(tn_ping(h[0], "10.6.0.1", 1, 8, 0, false),
	    EHOSTUNREACH);
	tn_fini(&t);
}
END_TEST

static Suite *
ip_suite(void)
{
	Suite *s = suite_create("ip");
	TCase *tc = tcase_create("ip");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pr3508_forwarding_none);
	tcase_add_test(tc, test_pr3508_forwarding_list);
	tcase_add_test(tc, test_pr3508_forwarding_generation);
	tcase_add_test(tc, test_ttl_expiry);
	tcase_add_test(tc, test_mtu_too_big);
	tcase_add_test(tc, test_link_loss_seed_exact);
	tcase_add_test(tc, test_interface_down_up);
	tcase_add_test(tc, test_reject_blackhole_unreachable);
	tcase_add_test(tc, test_forward_error_quote);
	tcase_add_test(tc, test_forward_error_quote6);
	tcase_add_test(tc, test_cksum_chains);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ip_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
