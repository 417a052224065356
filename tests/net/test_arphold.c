/*
 * A burst of fragments into a cold neighbour cache: the packets the
 * hold queue cannot keep are dropped and counted where netstat -s shows
 * them (net.inet.arp.stats.*, net.inet6.nd6.stats.*), and the books of
 * every hop balance, so no frame can vanish silently:
 *
 *	IP -> neighbour table:	deferred == sent after resolution + dropped
 *	host -> NIC -> link:	frames the two NICs sent == frames the link
 *				took + its tail-drop, MTU and down drops
 *	link:			taken == delivered + lost
 *	link -> NIC -> host:	delivered == frames the two interfaces
 *				counted in + errors + ring overruns
 *
 * The topology is tn_chain3's a - r1 - r2 - b with a 1400-byte MTU on
 * r1 - r2.  A UDP datagram of 30000 bytes (the size of the IP payload
 * of `ping -s 30000') is 21 IPv4 fragments at a (20 of 1480 bytes of
 * payload, the last of 408), all queued before a's ARP request is even
 * answered; with the default hold of 16 the oldest 5 go (the datagram is
 * lost), with net.inet.arp.maxhold = 32 it is reassembled at b.
 * (scenarios/fragments.lua -D size=30000 is the same burst as a ping.)
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tnet.h"
#include "net/if.h"
#include "netinet/if_inarp.h"
#include "netinet/in_var.h"
#include "sys/lwp.h"
#include "sys/proc.h"
#include "sys/socket.h"
#include "sys/syscall.h"
#include "sys/sysctl.h"

#define MS	1000000ULL
#define SEC	1000000000ULL

static const char *const hostnames[4] = { "a", "r1", "r2", "b" };

/* A counter or knob as sysctl(8) reads it on host h. */
static int64_t
ctl(struct host *h, const char *name)
{
	union {
		int64_t	q;
		int	i;
	} v;
	size_t len = sizeof(v);
	int error;

	memset(&v, 0, sizeof(v));
	host_enter(h);
	error = sysctl_byname(name, &v, &len, NULL, 0);
	host_leave(h);
	ck_assert_msg(error == 0, "%s: sysctl %s: error %d", host_name(h),
	    name, error);
	return len == sizeof(int) ? v.i : v.q;
}

static int
ctl_set(struct host *h, const char *name, int v)
{
	int error;

	host_enter(h);
	error = sysctl_byname(name, NULL, NULL, &v, sizeof(v));
	host_leave(h);
	return error;
}

/* The neighbour table's books on h: every deferred packet accounted. */
static void
books_lltable(struct host *h, const char *prefix)
{
	char n[3][96];

	snprintf(n[0], sizeof(n[0]), "%sstats.dfrtotal", prefix);
	snprintf(n[1], sizeof(n[1]), "%sstats.dfrsent", prefix);
	snprintf(n[2], sizeof(n[2]), "%sstats.dfrdropped", prefix);
	ck_assert_msg(ctl(h, n[0]) == ctl(h, n[1]) + ctl(h, n[2]),
	    "%s: %s %lld != sent %lld + dropped %lld", host_name(h), n[0],
	    (long long)ctl(h, n[0]), (long long)ctl(h, n[1]),
	    (long long)ctl(h, n[2]));
}

/*
 * One link's books, both directions: x's ifx and y's ify are its two
 * ends.  Nothing is in flight (the world ran long past the last frame).
 */
static void
books_link(struct tnet *t, const char *name, struct host *x,
    const char *ifx, struct host *y, const char *ify)
{
	struct net_link *l = net_link_lookup(t->tn_n, name);
	struct ifnet *ix = tn_ifp(x, ifx), *iy = tn_ifp(y, ify);
	struct net_link_stats st;
	uint64_t out, in;

	ck_assert_ptr_nonnull(l);
	net_link_stats(l, &st);
	ck_assert_uint_eq(st.nls_duplicated, 0);
	out = ix->if_opackets + iy->if_opackets;
	ck_assert_msg(out == st.nls_sent + st.nls_drop_queue +
	    st.nls_drop_mtu + st.nls_drop_down,
	    "%s: NICs sent %llu, link took %llu + dropped %llu/%llu/%llu",
	    name, (unsigned long long)out, (unsigned long long)st.nls_sent,
	    (unsigned long long)st.nls_drop_queue,
	    (unsigned long long)st.nls_drop_mtu,
	    (unsigned long long)st.nls_drop_down);
	ck_assert_msg(st.nls_sent == st.nls_delivered + st.nls_lost,
	    "%s: took %llu, delivered %llu, lost %llu", name,
	    (unsigned long long)st.nls_sent,
	    (unsigned long long)st.nls_delivered,
	    (unsigned long long)st.nls_lost);
	in = ix->if_ipackets + ix->if_ierrors + ix->if_iqdrops +
	    iy->if_ipackets + iy->if_ierrors + iy->if_iqdrops;
	ck_assert_msg(st.nls_delivered == in + st.nls_rx_overrun,
	    "%s: delivered %llu, interfaces took %llu, overruns %llu",
	    name, (unsigned long long)st.nls_delivered,
	    (unsigned long long)in, (unsigned long long)st.nls_rx_overrun);
	/* and the protocol input queues took all they were given */
	ck_assert_uint_eq(ix->if_iqdrops + iy->if_iqdrops, 0);
}

static void
books_all(struct tnet *t, struct host **hp)
{
	int i;

	for (i = 0; i < 4; i++) {
		books_lltable(hp[i], "net.inet.arp.");
		books_lltable(hp[i], "net.inet6.nd6.");
	}
	books_link(t, "l1", hp[0], "vnic0", hp[1], "vnic0");
	books_link(t, "l2", hp[1], "vnic1", hp[2], "vnic0");
	books_link(t, "l3", hp[2], "vnic1", hp[3], "vnic0");
}

/* IPv4 frames h sent on ifname: all its frames but ARP's. */
static uint64_t
ipv4_frames_out(struct host *h, const char *ifname)
{
	struct arpstat as;

	host_enter(h);
	as = V_arpstat;
	host_leave(h);
	return tn_opackets(h, ifname) - as.as_sndrequest - as.as_sndreply;
}

#define BURST	30000		/* bytes of UDP payload */

/* One datagram of BURST bytes to port 9 of the address arg. */
static void
burst_lwp(void *arg)
{
	static uint8_t buf[BURST];
	const char *dst = arg;
	struct sockaddr_storage ss;
	struct proc *p;
	ssize_t n;
	int s, big = 2 * BURST;

	memset(&ss, 0, sizeof(ss));
	if (strchr(dst, ':') != NULL) {
		struct sockaddr_in6 *sin6 = (void *)&ss;

		sin6->sin6_len = sizeof(*sin6);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(9);
		ck_assert(tn_parse6(dst, &sin6->sin6_addr));
	} else {
		struct sockaddr_in *sin = (void *)&ss;

		sin->sin_len = sizeof(*sin);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(9);
		ck_assert(tn_parse4(dst, &sin->sin_addr));
	}
	ck_assert_int_eq(proc_create("burst", 0, 0, &p), 0);
	proc_attach_lwp(p, curlwp);
	ck_assert_int_eq(sys_socket(ss.ss_family, SOCK_DGRAM, 0, &s), 0);
	ck_assert_int_eq(sys_setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big,
	    sizeof(big)), 0);
	ck_assert_int_eq(sys_sendto(s, buf, sizeof(buf), 0,
	    (struct sockaddr *)(void *)&ss, ss.ss_len, &n), 0);
	ck_assert_int_eq(n, BURST);
	sys_close(s);
	proc_detach_lwp(curlwp);
	proc_exit(p);
}

/* The burst from a to dst, the world run until it is over. */
static void
burst(struct tnet *t, struct host **hp, const char *dst)
{
	host_spawn(hp[0], "burst", -1, burst_lwp, (void *)(uintptr_t)dst);
	tn_run(t, 100 * MS);
}

START_TEST(test_burst_into_cold_cache_counted)
{
	struct tnet t;
	struct host *hp[4];
	int i;

	tn_init(&t, 1);
	tn_chain3(&t, hp, NULL, 1400);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(ctl(hp[i], "net.inet.arp.maxhold"), 16);
	burst(&t, hp, "10.0.3.2");
	ck_assert_int_eq(ctl(hp[3], "net.inet.ip.stats.reassembled"), 0);
	/* a: 21 fragments, all deferred; the oldest 5 pushed out */
	ck_assert_int_eq(ctl(hp[0], "net.inet.ip.stats.ofragments"), 21);
	ck_assert_int_eq(ctl(hp[0], "net.inet.arp.stats.dfrtotal"), 21);
	ck_assert_int_eq(ctl(hp[0], "net.inet.arp.stats.dfrdropped"), 5);
	ck_assert_int_eq(ctl(hp[0], "net.inet.arp.stats.dfrsent"), 16);
	/* a's IP layer: fragments made == frames on the wire + dropped */
	ck_assert_uint_eq(ipv4_frames_out(hp[0], "vnic0") +
	    (uint64_t)ctl(hp[0], "net.inet.arp.stats.dfrdropped"), 21);
	/*
	 * The 16 that left (15 of 1480 bytes, the 408-byte last) make 31
	 * on the 1400-byte link, less what r1's and r2's holds dropped,
	 * all received by b (which can never reassemble them).
	 */
	ck_assert_int_eq(ctl(hp[1], "net.inet.ip.stats.ofragments"), 30);
	ck_assert_int_eq(ctl(hp[3], "net.inet.ip.stats.fragments"),
	    31 - ctl(hp[1], "net.inet.arp.stats.dfrdropped") -
	    ctl(hp[2], "net.inet.arp.stats.dfrdropped"));
	books_all(&t, hp);
	/* b's incomplete datagram times out (fragttl 30 s): no mbuf left */
	tn_run(&t, 31 * SEC);
	ck_assert_int_eq(ctl(hp[3], "net.inet.ip.stats.fragtimeout"),
	    ctl(hp[3], "net.inet.ip.stats.fragments"));
	books_all(&t, hp);
	tn_fini(&t);
}
END_TEST

START_TEST(test_burst_with_big_hold_answered)
{
	struct tnet t;
	struct host *hp[4];
	int i;

	tn_init(&t, 1);
	tn_chain3(&t, hp, NULL, 1400);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(ctl_set(hp[i], "net.inet.arp.maxhold", 32),
		    0);
		ck_assert_int_eq(ctl(hp[i], "net.inet.arp.maxhold"), 32);
	}
	burst(&t, hp, "10.0.3.2");
	ck_assert_int_eq(ctl(hp[0], "net.inet.arp.stats.dfrtotal"), 21);
	ck_assert_int_eq(ctl(hp[0], "net.inet.arp.stats.dfrsent"), 21);
	ck_assert_int_eq(ctl(hp[3], "net.inet.ip.stats.reassembled"), 1);
	for (i = 0; i < 4; i++)
		ck_assert_msg(ctl(hp[i], "net.inet.arp.stats.dfrdropped") == 0,
		    "%s dropped", hostnames[i]);
	books_all(&t, hp);
	tn_fini(&t);
}
END_TEST

/*
 * The same over IPv6: 30000 bytes are 21 fragments of 1448 at a (it
 * fragments for its own 1500-byte link) into a cold ND cache.
 */
START_TEST(test_burst_v6_counted)
{
	struct tnet t;
	struct host *hp[4];

	tn_init(&t, 1);
	tn_chain3(&t, hp, NULL, 1500);
	burst(&t, hp, "2001:db8:3::2");
	ck_assert_int_eq(ctl(hp[3], "net.inet6.ip6.stats.reassembled"), 0);
	ck_assert_int_eq(ctl(hp[0], "net.inet6.nd6.stats.dfrtotal"), 21);
	ck_assert_int_eq(ctl(hp[0], "net.inet6.nd6.stats.dfrdropped"), 5);
	books_all(&t, hp);
	/* b's incomplete datagram times out (fragttl 60 s) */
	tn_run(&t, 61 * SEC);
	ck_assert_int_eq(ctl(hp[3], "net.inet6.ip6.stats.fragtimeout"),
	    ctl(hp[3], "net.inet6.ip6.stats.fragments"));
	/* with a bigger hold on every host the next cold burst crosses */
	tn_fini(&t);

	tn_init(&t, 1);
	tn_chain3(&t, hp, NULL, 1500);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(ctl_set(hp[i], "net.inet6.nd6.maxhold", 32),
		    0);
	burst(&t, hp, "2001:db8:3::2");
	ck_assert_int_eq(ctl(hp[3], "net.inet6.ip6.stats.reassembled"), 1);
	ck_assert_int_eq(ctl(hp[0], "net.inet6.nd6.stats.dfrdropped"), 0);
	books_all(&t, hp);
	tn_fini(&t);
}
END_TEST

/* The knob takes 1..100000 and nothing else; the counters are read-only. */
START_TEST(test_maxhold_knob)
{
	struct tnet t;
	struct host *a;
	int64_t q = 7;

	tn_init(&t, 1);
	a = tn_host(&t, "a", 1);
	tn_run(&t, MS);
	ck_assert_int_eq(ctl_set(a, "net.inet.arp.maxhold", 0), EINVAL);
	ck_assert_int_eq(ctl_set(a, "net.inet.arp.maxhold", -3), EINVAL);
	ck_assert_int_eq(ctl_set(a, "net.inet6.nd6.maxhold", 100001), EINVAL);
	ck_assert_int_eq(ctl(a, "net.inet.arp.maxhold"), 16);
	ck_assert_int_eq(ctl_set(a, "net.inet.arp.maxhold", 1), 0);
	ck_assert_int_eq(ctl(a, "net.inet.arp.maxhold"), 1);
	ck_assert_int_eq(ctl(a, "net.inet6.nd6.maxhold"), 16);
	host_enter(a);
	ck_assert_int_ne(sysctl_byname("net.inet.arp.stats.dfrdropped", NULL,
	    NULL, &q, sizeof(q)), 0);
	host_leave(a);
	ck_assert_int_eq(ctl(a, "net.inet.arp.stats.dfrdropped"), 0);
	tn_fini(&t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("arphold");
	TCase *tc = tcase_create("arphold");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_burst_into_cold_cache_counted);
	tcase_add_test(tc, test_burst_with_big_hold_answered);
	tcase_add_test(tc, test_burst_v6_counted);
	tcase_add_test(tc, test_maxhold_knob);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
