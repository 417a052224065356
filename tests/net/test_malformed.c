/*
 * Malformed frames handed to a host's Ethernet input are counted in the
 * right counter and dropped: no crash, no violation, no mbuf left.
 * Also a seeded corpus of random mutations of valid frames through the
 * same entry point as the fuzz harness (tests/fuzz/).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tnet.h"
#include "core/rng.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "netinet/if_inarp.h"
#include "netinet/ip.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"
#include "netinet/udp.h"
#include "netinet/udp_var.h"
#include "netinet6/icmp6.h"
#include "netinet6/ip6_var.h"

#define MS	1000000ULL

static struct tnet t;
static struct host *h, *peer;
static uint8_t hmac[6];

static void
setup(void)
{
	struct ifnet *ifp;

	tn_init(&t, 99);
	h = tn_host(&t, "h", 1);
	peer = tn_host(&t, "peer", 1);
	tn_p2p(&t, "l", h, peer, NULL);
	tn_run(&t, MS);
	ck_assert_int_eq(tn_addr(h, "vnic0", "10.0.0.1/24"), 0);
	ck_assert_int_eq(tn_addr(peer, "vnic0", "10.0.0.2/24"), 0);
	ck_assert_int_eq(tn_addr(h, "vnic0", "2001:db8::1/64"), 0);
	ifp = tn_ifp(h, "vnic0");
	memcpy(hmac, ifp->if_lladdr, 6);
	tn_run(&t, MS);
}

static void
teardown(void)
{
	tn_fini(&t);
}

/* Ethernet header to h + a valid IPv4 header; returns the IP header. */
static struct ip *
frame4(uint8_t *buf, int iplen, int proto)
{
	struct ether_header *eh = (struct ether_header *)(void *)buf;
	struct ip *ip = (struct ip *)(void *)(buf + ETHER_HDR_LEN);

	/* the claimed length may exceed the buffer: clear what is built */
	memset(buf, 0, (size_t)(ETHER_HDR_LEN + (iplen < 64 ? iplen : 64)));
	memcpy(eh->ether_dhost, hmac, 6);
	eh->ether_shost[0] = 0x02;
	eh->ether_shost[5] = 0x99;
	eh->ether_type = htons(ETHERTYPE_IP);
	ip->ip_v = 4;
	ip->ip_hl = 5;
	ip->ip_len = htons((uint16_t)iplen);
	ip->ip_ttl = 64;
	ip->ip_p = (uint8_t)proto;
	ck_assert(tn_parse4("10.0.0.2", &ip->ip_src));
	ck_assert(tn_parse4("10.0.0.1", &ip->ip_dst));
	return ip;
}

static void
sum4(struct ip *ip)
{
	ip->ip_sum = 0;
	ip->ip_sum = in_cksum_buf(ip, ip->ip_hl << 2);
}

static struct ipstat
ipstat_of(void)
{
	struct ipstat st;

	host_enter(h);
	ip_getstat(&st);
	host_leave(h);
	return st;
}

static void
inject(const uint8_t *buf, size_t len)
{
	tn_inject(h, "vnic0", buf, len);
	tn_run(&t, MS);
}

START_TEST(test_bad_ipv4_counted)
{
	uint8_t buf[128];
	struct ip *ip;
	struct ipstat st;
	struct ifnet *ifp = tn_ifp(h, "vnic0");
	uint64_t ierr = ifp->if_ierrors;

	/* truncated below an Ethernet header */
	frame4(buf, 20, IPPROTO_ICMP);
	inject(buf, 10);
	ck_assert_uint_eq(ifp->if_ierrors, ierr + 1);
	/* not even an IP header */
	inject(buf, ETHER_HDR_LEN + 12);
	ck_assert_uint_eq(ipstat_of().ips_toosmall, 1);
	/* bad version */
	ip = frame4(buf, 28, IPPROTO_ICMP);
	ip->ip_v = 6;
	sum4(ip);
	inject(buf, ETHER_HDR_LEN + 28);
	ck_assert_uint_eq(ipstat_of().ips_badvers, 1);
	/* header length below 20, and beyond the packet */
	ip = frame4(buf, 28, IPPROTO_ICMP);
	ip->ip_hl = 4;
	inject(buf, ETHER_HDR_LEN + 28);
	ip = frame4(buf, 28, IPPROTO_ICMP);
	ip->ip_hl = 15;
	inject(buf, ETHER_HDR_LEN + 28);
	ck_assert_uint_eq(ipstat_of().ips_badhlen, 2);
	/* bad checksum */
	ip = frame4(buf, 28, IPPROTO_ICMP);
	sum4(ip);
	ip->ip_ttl ^= 1;
	inject(buf, ETHER_HDR_LEN + 28);
	ck_assert_uint_eq(ipstat_of().ips_badsum, 1);
	/* total length below the header; above what arrived */
	ip = frame4(buf, 10, IPPROTO_ICMP);
	sum4(ip);
	inject(buf, ETHER_HDR_LEN + 28);
	ip = frame4(buf, 65000, IPPROTO_ICMP);
	sum4(ip);
	inject(buf, ETHER_HDR_LEN + 28);
	st = ipstat_of();
	ck_assert_uint_eq(st.ips_badlen, 1);
	ck_assert_uint_eq(st.ips_tooshort, 1);
	/* garbage options: an option whose length is 0 */
	ip = frame4(buf, 32, IPPROTO_ICMP);
	ip->ip_hl = 6;
	buf[ETHER_HDR_LEN + 20] = 0x44;
	buf[ETHER_HDR_LEN + 21] = 0;
	sum4(ip);
	inject(buf, ETHER_HDR_LEN + 32);
	/* and one running past the header */
	ip = frame4(buf, 32, IPPROTO_ICMP);
	ip->ip_hl = 6;
	buf[ETHER_HDR_LEN + 20] = 0x44;
	buf[ETHER_HDR_LEN + 21] = 40;
	sum4(ip);
	inject(buf, ETHER_HDR_LEN + 32);
	ck_assert_uint_eq(ipstat_of().ips_badoptions, 2);
	/* a lone fragment: counted and queued (it times out in teardown) */
	ip = frame4(buf, 28, IPPROTO_ICMP);
	ip->ip_off = htons(IP_MF);
	sum4(ip);
	inject(buf, ETHER_HDR_LEN + 28);
	ck_assert_uint_eq(ipstat_of().ips_fragments, 1);
	/* nothing was delivered */
	ck_assert_uint_eq(ipstat_of().ips_delivered, 0);
}
END_TEST

START_TEST(test_bad_transport_counted)
{
	uint8_t buf[128];
	struct ip *ip;
	struct icmp *icp;
	struct udphdr *uh;
	struct icmpstat ist;
	struct udpstat ust;

	/* ICMP echo with a bad checksum: not answered */
	ip = frame4(buf, 28, IPPROTO_ICMP);
	sum4(ip);
	icp = (struct icmp *)(void *)(ip + 1);
	icp->icmp_type = ICMP_ECHO;
	icp->icmp_cksum = 0x1234;
	inject(buf, ETHER_HDR_LEN + 28);
	/* ICMP shorter than its header */
	ip = frame4(buf, 24, IPPROTO_ICMP);
	sum4(ip);
	inject(buf, ETHER_HDR_LEN + 24);
	host_enter(h);
	icmp_getstat(&ist);
	host_leave(h);
	ck_assert_uint_eq(ist.icps_checksum, 1);
	ck_assert_uint_eq(ist.icps_tooshort, 1);
	ck_assert_uint_eq(ist.icps_reflect, 0);
	/* UDP: bad checksum, bad length */
	ip = frame4(buf, 36, IPPROTO_UDP);
	sum4(ip);
	uh = (struct udphdr *)(void *)(ip + 1);
	uh->uh_dport = htons(7);
	uh->uh_ulen = htons(16);
	uh->uh_sum = htons(0xbeef);
	inject(buf, ETHER_HDR_LEN + 36);
	uh->uh_ulen = htons(200);
	uh->uh_sum = 0;
	inject(buf, ETHER_HDR_LEN + 36);
	host_enter(h);
	udp_getstat(&ust);
	host_leave(h);
	ck_assert_uint_eq(ust.udps_badsum, 1);
	ck_assert_uint_eq(ust.udps_badlen, 1);
	/* an unknown protocol: protocol unreachable goes back */
	ip = frame4(buf, 28, 200);
	sum4(ip);
	inject(buf, ETHER_HDR_LEN + 28);
	ck_assert_uint_eq(ipstat_of().ips_noproto, 1);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_icmp_in(peer, AF_INET, ICMP_UNREACH), 1);
}
END_TEST

START_TEST(test_bad_arp_and_ipv6_counted)
{
	uint8_t buf[1600];
	struct ether_header *eh = (struct ether_header *)(void *)buf;
	struct ether_arp *ea = (struct ether_arp *)(void *)(eh + 1);
	struct ip6_hdr *ip6 = (struct ip6_hdr *)(void *)(eh + 1);
	struct ip6stat st6;

	memset(buf, 0, sizeof(buf));
	memcpy(eh->ether_dhost, hmac, 6);
	eh->ether_shost[0] = 0x02;
	eh->ether_type = htons(ETHERTYPE_ARP);
	ea->arp_hrd = htons(ARPHRD_ETHER);
	ea->arp_pro = htons(ETHERTYPE_IP);
	ea->arp_hln = 7;		/* wrong */
	ea->arp_pln = 4;
	ea->arp_op = htons(ARPOP_REQUEST);
	inject(buf, ETHER_HDR_LEN + sizeof(*ea));
	inject(buf, ETHER_HDR_LEN + 5);			/* truncated */
	host_enter(h);
	ck_assert_uint_eq(V_arpstat.as_rcvbadproto, 2);
	host_leave(h);
	/* IPv6: truncated header, bad version, payload beyond the frame */
	memset(buf, 0, sizeof(buf));
	memcpy(eh->ether_dhost, hmac, 6);
	eh->ether_type = htons(ETHERTYPE_IPV6);
	inject(buf, ETHER_HDR_LEN + 20);
	ip6->ip6_flow = htonl(0x40000000U);
	ip6->ip6_plen = htons(8);
	inject(buf, ETHER_HDR_LEN + 48);
	ip6->ip6_flow = htonl(0x60000000U);
	ip6->ip6_plen = htons(1000);
	inject(buf, ETHER_HDR_LEN + 48);
	/* an oversized frame: 1500 bytes of payload claiming 65535 */
	ip6->ip6_plen = htons(65535);
	inject(buf, sizeof(buf));
	host_enter(h);
	ip6_getstat(&st6);
	host_leave(h);
	ck_assert_uint_eq(st6.ip6s_toosmall, 1);
	ck_assert_uint_eq(st6.ip6s_badvers, 1);
	ck_assert_uint_eq(st6.ip6s_tooshort, 2);
	ck_assert_uint_eq(st6.ip6s_delivered, 0);
}
END_TEST

/*
 * Seeded mutations of valid frames (ICMP echo, UDP, ARP, ICMPv6 echo):
 * flip bytes, truncate, extend.  Whatever happens, the host survives
 * and frees every mbuf (checked by the teardown).
 */
START_TEST(test_mutation_corpus)
{
	struct rng r;
	uint8_t base[4][200], buf[300];
	size_t blen[4], len;
	struct ip *ip;
	int i, k, flips;

	rng_seed(&r, 20261128);
	ip = frame4(base[0], 64, IPPROTO_ICMP);
	((struct icmp *)(void *)(ip + 1))->icmp_type = ICMP_ECHO;
	sum4(ip);
	blen[0] = ETHER_HDR_LEN + 64;
	ip = frame4(base[1], 40, IPPROTO_UDP);
	((struct udphdr *)(void *)(ip + 1))->uh_ulen = htons(20);
	((struct udphdr *)(void *)(ip + 1))->uh_dport = htons(53);
	sum4(ip);
	blen[1] = ETHER_HDR_LEN + 40;
	memcpy(base[2], base[0], ETHER_HDR_LEN);
	((struct ether_header *)(void *)base[2])->ether_type =
	    htons(ETHERTYPE_ARP);
	memset(base[2] + ETHER_HDR_LEN, 0, 28);
	base[2][ETHER_HDR_LEN + 1] = 1;
	base[2][ETHER_HDR_LEN + 2] = 8;
	base[2][ETHER_HDR_LEN + 4] = 6;
	base[2][ETHER_HDR_LEN + 5] = 4;
	base[2][ETHER_HDR_LEN + 7] = 1;
	blen[2] = ETHER_HDR_LEN + 28;
	memcpy(base[3], base[0], ETHER_HDR_LEN);
	((struct ether_header *)(void *)base[3])->ether_type =
	    htons(ETHERTYPE_IPV6);
	memset(base[3] + ETHER_HDR_LEN, 0, 48);
	base[3][ETHER_HDR_LEN] = 0x60;
	base[3][ETHER_HDR_LEN + 5] = 8;
	base[3][ETHER_HDR_LEN + 6] = IPPROTO_ICMPV6;
	base[3][ETHER_HDR_LEN + 7] = 64;
	base[3][ETHER_HDR_LEN + 40] = ICMP6_ECHO_REQUEST;
	blen[3] = ETHER_HDR_LEN + 48;
	for (i = 0; i < 2000; i++) {
		k = (int)rng_below(&r, 4);
		len = blen[k];
		memcpy(buf, base[k], len);
		flips = (int)rng_below(&r, 4);
		while (flips-- > 0)
			buf[ETHER_HDR_LEN + rng_below(&r, len - ETHER_HDR_LEN)] ^=
			    (uint8_t)(1 + rng_below(&r, 255));
		switch (rng_below(&r, 4)) {
		case 0:
			len = (size_t)rng_below(&r, len + 1);
			break;
		case 1:
			memset(buf + len, (int)rng_below(&r, 256),
			    sizeof(buf) - len);
			len += (size_t)rng_below(&r, sizeof(buf) - len);
			break;
		default:
			break;
		}
		tn_inject(h, "vnic0", buf, len);
		if (i % 50 == 49)
			tn_run(&t, MS);
	}
	tn_run(&t, 100 * MS);
}
END_TEST

static Suite *
malformed_suite(void)
{
	Suite *s = suite_create("malformed");
	TCase *tc = tcase_create("malformed");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bad_ipv4_counted);
	tcase_add_test(tc, test_bad_transport_counted);
	tcase_add_test(tc, test_bad_arp_and_ipv6_counted);
	tcase_add_test(tc, test_mutation_corpus);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(malformed_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
