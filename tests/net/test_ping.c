/*
 * Packets across simulated networks through the whole stack: ping over
 * one link and across a chain of three routers, IPv4 and IPv6, with ARP
 * and ND resolving on every hop; the same run twice gives the same
 * trace hash; nothing is left in any host's mbuf pools.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "tnet.h"
#include "net/if.h"
#include "netinet/if_inarp.h"
#include "netinet/in_var.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"
#include "netinet6/icmp6.h"
#include "netinet6/ip6_var.h"
#include "netinet6/nd6.h"

#define MS	1000000ULL

START_TEST(test_ping_one_link)
{
	struct tnet t;
	struct host *a, *b;
	struct in_addr bip;
	uint8_t mac[8];

	tn_init(&t, 1);
	a = tn_host(&t, "a", 1);
	b = tn_host(&t, "b", 1);
	tn_p2p(&t, "ab", a, b, NULL);
	tn_run(&t, MS);
	ck_assert_ptr_nonnull(tn_ifp(a, "vnic0"));
	ck_assert_int_eq(tn_addr(a, "vnic0", "10.0.0.1/24"), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", "10.0.0.2/24"), 0);
	ck_assert_int_eq(tn_addr(a, "vnic0", "2001:db8::1/64"), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", "2001:db8::2/64"), 0);
	tn_run(&t, MS);
	ck_assert_int_eq(tn_ping(a, "10.0.0.2", 1, 56, 0, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_echo_replies(a, AF_INET), 1);
	/* ARP resolved both ways (b learnt a from the request) */
	host_enter(b);
	ck_assert(tn_parse4("10.0.0.1", &bip));
	ck_assert(arp_lookup(ifunit("vnic0"), bip, mac));
	host_leave(b);
	ck_assert_int_eq(tn_ping(a, "2001:db8::2", 1, 56, 0, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_echo_replies(a, AF_INET6), 1);
	/* link-local, scoped to the interface */
	ck_assert_int_eq(tn_ping(b, "fe80::ff:fe00:0%vnic0", 2, 8, 0, false),
	    0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_echo_replies(b, AF_INET6), 1);
	tn_fini(&t);
}
END_TEST

/*
 * a - r1 - r2 - r3 - b; IPv4 10.0.k.0/24 and IPv6 2001:db8:k::/64 on
 * link k.  Returns the trace hash after pinging both ways.
 */
static uint64_t
chain_run(uint64_t seed, int n)
{
	struct tnet t;
	struct host *a, *r1, *r2, *r3, *b;
	uint64_t hash;
	int i;

	tn_init(&t, seed);
	a = tn_host(&t, "a", 1);
	r1 = tn_host(&t, "r1", 2);
	r2 = tn_host(&t, "r2", 2);
	r3 = tn_host(&t, "r3", 2);
	b = tn_host(&t, "b", 1);
	tn_p2p(&t, "l1", a, r1, NULL);
	tn_p2p(&t, "l2", r1, r2, NULL);
	tn_p2p(&t, "l3", r2, r3, NULL);
	tn_p2p(&t, "l4", r3, b, NULL);
	tn_run(&t, MS);
	ck_assert_int_eq(tn_addr(a, "vnic0", "10.0.1.1/24"), 0);
	ck_assert_int_eq(tn_addr(r1, "vnic0", "10.0.1.2/24"), 0);
	ck_assert_int_eq(tn_addr(r1, "vnic1", "10.0.2.1/24"), 0);
	ck_assert_int_eq(tn_addr(r2, "vnic0", "10.0.2.2/24"), 0);
	ck_assert_int_eq(tn_addr(r2, "vnic1", "10.0.3.1/24"), 0);
	ck_assert_int_eq(tn_addr(r3, "vnic0", "10.0.3.2/24"), 0);
	ck_assert_int_eq(tn_addr(r3, "vnic1", "10.0.4.1/24"), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", "10.0.4.2/24"), 0);
	ck_assert_int_eq(tn_addr(a, "vnic0", "2001:db8:1::1/64"), 0);
	ck_assert_int_eq(tn_addr(r1, "vnic0", "2001:db8:1::2/64"), 0);
	ck_assert_int_eq(tn_addr(r1, "vnic1", "2001:db8:2::1/64"), 0);
	ck_assert_int_eq(tn_addr(r2, "vnic0", "2001:db8:2::2/64"), 0);
	ck_assert_int_eq(tn_addr(r2, "vnic1", "2001:db8:3::1/64"), 0);
	ck_assert_int_eq(tn_addr(r3, "vnic0", "2001:db8:3::2/64"), 0);
	ck_assert_int_eq(tn_addr(r3, "vnic1", "2001:db8:4::1/64"), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", "2001:db8:4::2/64"), 0);
	ck_assert_int_eq(tn_route(a, RTM_ADD, "default", "10.0.1.2", 0), 0);
	ck_assert_int_eq(tn_route(b, RTM_ADD, "default", "10.0.4.1", 0), 0);
	ck_assert_int_eq(tn_route(r1, RTM_ADD, "10.0.4.0/24", "10.0.2.2", 0), 0);
	ck_assert_int_eq(tn_route(r1, RTM_ADD, "10.0.3.0/24", "10.0.2.2", 0), 0);
	ck_assert_int_eq(tn_route(r2, RTM_ADD, "10.0.4.0/24", "10.0.3.2", 0), 0);
	ck_assert_int_eq(tn_route(r2, RTM_ADD, "10.0.1.0/24", "10.0.2.1", 0), 0);
	ck_assert_int_eq(tn_route(r3, RTM_ADD, "default", "10.0.3.1", 0), 0);
	ck_assert_int_eq(tn_route(a, RTM_ADD, "default", "2001:db8:1::2", 0), 0);
	ck_assert_int_eq(tn_route(b, RTM_ADD, "default", "2001:db8:4::1", 0), 0);
	ck_assert_int_eq(tn_route(r1, RTM_ADD, "default", "2001:db8:2::2", 0),
	    0);
	ck_assert_int_eq(tn_route(r2, RTM_ADD, "2001:db8:4::/64",
	    "2001:db8:3::2", 0), 0);
	ck_assert_int_eq(tn_route(r2, RTM_ADD, "2001:db8:1::/64",
	    "2001:db8:2::1", 0), 0);
	ck_assert_int_eq(tn_route(r3, RTM_ADD, "default", "2001:db8:3::1", 0),
	    0);
	tn_forwarding(r1, true);
	tn_forwarding(r2, true);
	tn_forwarding(r3, true);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(tn_ping(a, "10.0.4.2", (uint16_t)i, 56, 0,
		    false), 0);
		ck_assert_int_eq(tn_ping(b, "2001:db8:1::1", (uint16_t)i, 56, 0,
		    false), 0);
		tn_run(&t, 20 * MS);
	}
	ck_assert_uint_eq(tn_echo_replies(a, AF_INET), (uint64_t)n);
	ck_assert_uint_eq(tn_echo_replies(b, AF_INET6), (uint64_t)n);
	/* every router forwarded each request and each reply */
	{
		struct ipstat st;
		struct ip6stat st6;

		host_enter(r2);
		ip_getstat(&st);
		ip6_getstat(&st6);
		host_leave(r2);
		ck_assert_uint_eq(st.ips_forward, 2 * (uint64_t)n);
		ck_assert_uint_eq(st6.ip6s_forward, 2 * (uint64_t)n);
	}
	hash = world_trace_hash(t.tn_w);
	tn_fini(&t);
	return hash;
}

START_TEST(test_ping_chain_of_three_routers)
{
	uint64_t h1 = chain_run(11, 3), h2 = chain_run(11, 3);

	ck_assert_uint_eq(h1, h2);
}
END_TEST

static Suite *
ping_suite(void)
{
	Suite *s = suite_create("ping");
	TCase *tc = tcase_create("ping");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ping_one_link);
	tcase_add_test(tc, test_ping_chain_of_three_routers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ping_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
