/*
 * UDP sockets through the system-call layer on simulated hosts: an
 * exchange over IPv4 and IPv6, port unreachable, and kern/3508 for a
 * connected socket's inp_route under each invalidation policy.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tnet.h"
#include "net/if.h"
#include "net/route.h"
#include "sys/condvar.h"
#include "sys/lwp.h"
#include "sys/proc.h"
#include "sys/socket.h"
#include "sys/syscall.h"
#include "netinet/in.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"
#include "netinet/udp_var.h"
#include "netinet6/in6.h"

#define MS	1000000ULL

static void
mk_sa(struct sockaddr_storage *ss, const char *addr, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *sin6 = (void *)ss;

		sin6->sin6_len = sizeof(*sin6);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		ck_assert(tn_parse6(addr, &sin6->sin6_addr));
	} else {
		struct sockaddr_in *sin = (void *)ss;

		sin->sin_len = sizeof(*sin);
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		ck_assert(tn_parse4(addr, &sin->sin_addr));
	}
}

/* A process around fn on the calling LWP. */
struct job {
	const char	*j_addr;
	int		 j_port;
	int		 j_count;
	int		 j_result;
	char		 j_buf[64];
	uint64_t	 j_gap;		/* ns between sends */
};

static void
in_proc(void (*fn)(struct job *), struct job *j)
{
	struct proc *p;

	ck_assert_int_eq(proc_create("udp", 0, 0, &p), 0);
	proc_attach_lwp(p, curlwp);
	fn(j);
	proc_detach_lwp(curlwp);
	proc_exit(p);
}

/* Server: receive one datagram, send it back to its sender. */
static void
echo_server(struct job *j)
{
	struct sockaddr_storage me, from;
	socklen_t fromlen = sizeof(from);
	ssize_t n;
	int s;

	mk_sa(&me, j->j_addr, j->j_port);
	ck_assert_int_eq(sys_socket(me.ss_family, SOCK_DGRAM, 0, &s), 0);
	ck_assert_int_eq(sys_bind(s, (struct sockaddr *)(void *)&me,
	    me.ss_len), 0);
	j->j_result = sys_recvfrom(s, j->j_buf, sizeof(j->j_buf), 0,
	    (struct sockaddr *)(void *)&from, &fromlen, &n);
	if (j->j_result == 0)
		j->j_result = sys_sendto(s, j->j_buf, (size_t)n, 0,
		    (struct sockaddr *)(void *)&from, fromlen, &n);
	sys_close(s);
}

/* A UDP socket connected to j_addr, j_port. */
static int
connected_socket(const struct job *j)
{
	struct sockaddr_storage to;
	int s;

	mk_sa(&to, j->j_addr, j->j_port);
	ck_assert_int_eq(sys_socket(to.ss_family, SOCK_DGRAM, 0, &s), 0);
	ck_assert_int_eq(sys_connect(s, (struct sockaddr *)(void *)&to,
	    to.ss_len), 0);
	return s;
}

/* Client: connect, send "hello <n>", wait for the echo. */
static void
echo_client(struct job *j)
{
	ssize_t n;
	int s = connected_socket(j);

	ck_assert_int_eq(sys_send(s, "hello knit", 10, 0, &n), 0);
	j->j_result = sys_recv(s, j->j_buf, sizeof(j->j_buf), 0, &n);
	if (j->j_result == 0)
		j->j_buf[n] = '\0';
	sys_close(s);
}

/* Sender: connected socket, j_count datagrams j_gap apart. */
static void
sender(struct job *j)
{
	ssize_t n;
	int s = connected_socket(j), i;

	for (i = 0; i < j->j_count; i++) {
		ck_assert_int_eq(sys_send(s, "x", 1, 0, &n), 0);
		kpause("gap", false, mstohz(j->j_gap / MS), NULL);
	}
	sys_close(s);
	j->j_result = 0;
}

/*
 * Mbufs a datagram of j_count bytes costs its sender: a warm-up datagram
 * resolves the neighbour, then j_result = mbufs taken by one send
 * (everything is freed once the NIC has the frame, before sys_send
 * returns).
 */
static void
mbuf_counter(struct job *j)
{
	static char data[512];
	struct mbstat before, after;
	ssize_t n;
	int s = connected_socket(j);

	ck_assert_int_eq(sys_send(s, data, (size_t)j->j_count, 0, &n), 0);
	kpause("warm", false, mstohz(10), NULL);
	mbuf_stats(&before);
	ck_assert_int_eq(sys_send(s, data, (size_t)j->j_count, 0, &n), 0);
	mbuf_stats(&after);
	ck_assert_uint_eq(after.mbs_nout, before.mbs_nout);
	j->j_result = (int)(after.mbs_get - before.mbs_get);
	sys_close(s);
}

static void lwp_mbuf_counter(void *a) { in_proc(mbuf_counter, a); }
static void lwp_server(void *a) { in_proc(echo_server, a); }
static void lwp_client(void *a) { in_proc(echo_client, a); }
static void lwp_sender(void *a) { in_proc(sender, a); }

static void
udp_exchange(const char *a_addr, const char *b_addr, const char *acidr,
    const char *bcidr)
{
	struct tnet t;
	struct host *a, *b;
	struct job srv = { .j_addr = b_addr, .j_port = 7, .j_result = -1 };
	struct job cli = { .j_addr = b_addr, .j_port = 7, .j_result = -1 };
	struct job bad = { .j_addr = b_addr, .j_port = 9, .j_result = -1 };
	struct udpstat st;

	(void)a_addr;
	tn_init(&t, 17);
	a = tn_host(&t, "a", 1);
	b = tn_host(&t, "b", 1);
	tn_p2p(&t, "ab", a, b, NULL);
	tn_run(&t, MS);
	ck_assert_int_eq(tn_addr(a, "vnic0", acidr), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", bcidr), 0);
	host_spawn(b, "server", -1, lwp_server, &srv);
	tn_run(&t, MS);
	host_spawn(a, "client", -1, lwp_client, &cli);
	tn_run(&t, 50 * MS);
	ck_assert_int_eq(srv.j_result, 0);
	ck_assert_int_eq(cli.j_result, 0);
	ck_assert_str_eq(cli.j_buf, "hello knit");
	/* nobody on port 9: port unreachable, counted on b */
	bad.j_count = 1;
	bad.j_gap = MS;
	host_spawn(a, "bad", -1, lwp_sender, &bad);
	tn_run(&t, 50 * MS);
	host_enter(b);
	udp_getstat(&st);
	host_leave(b);
	ck_assert_uint_eq(st.udps_noport, 1);
	ck_assert_uint_eq(st.udps_delivered, 1);
	ck_assert_uint_eq(tn_icmp_in(a, strchr(b_addr, ':') ? AF_INET6 :
	    AF_INET, strchr(b_addr, ':') ? 1 : ICMP_UNREACH), 1);
	tn_fini(&t);
}

/*
 * sosend leaves room for the UDP, IP and Ethernet headers in front of a
 * datagram: one mbuf per datagram, small (inline) or 512 bytes (in a
 * cluster), IPv4 and IPv6; none is allocated for a header.
 */
START_TEST(test_udp_one_mbuf_per_datagram)
{
	static const char *const dst[2] = { "10.0.0.2", "2001:db8::2" };
	static const int size[2] = { 1, 512 };
	struct tnet t;
	struct host *a, *b;
	struct job j;
	int f, z;

	tn_init(&t, 17);
	tn_pair(&t, &a, &b, true);
	tn_run(&t, 10 * MS);
	for (f = 0; f < 2; f++)
		for (z = 0; z < 2; z++) {
			memset(&j, 0, sizeof(j));
			j.j_addr = dst[f];
			j.j_port = 9;
			j.j_count = size[z];
			j.j_result = -1;
			host_spawn(a, "count", -1, lwp_mbuf_counter, &j);
			tn_run(&t, 50 * MS);
			ck_assert_msg(j.j_result == 1, "%s, %d bytes: %d mbufs",
			    dst[f], size[z], j.j_result);
		}
	tn_fini(&t);
}
END_TEST

START_TEST(test_udp_exchange_v4)
{
	udp_exchange("10.0.0.1", "10.0.0.2", "10.0.0.1/24", "10.0.0.2/24");
}
END_TEST

START_TEST(test_udp_exchange_v6)
{
	udp_exchange("2001:db8::1", "2001:db8::2", "2001:db8::1/64",
	    "2001:db8::2/64");
}
END_TEST

/*
 * s - n1 - d and s - n2 - d; s sends from a connected socket to d's
 * 10.9.0.1 (no route back: one way).  s's route 10.9.0.0/16 via n1; a
 * more specific 10.9.0.0/24 via n2 is added, then deleted.  Returns
 * what n2 forwarded in each phase.
 */
static void
pr3508_udp(const char *policy, uint64_t out[3])
{
	struct tnet t;
	struct host *s, *n1, *n2, *d;
	struct job j = { .j_addr = "10.9.0.1", .j_port = 9, .j_count = 15,
	    .j_gap = 10 * MS, .j_result = -1 };
	uint64_t base;
	int phase;

	tn_init(&t, 3508);
	s = tn_host(&t, "s", 1);
	n1 = tn_host(&t, "n1", 1);
	n2 = tn_host(&t, "n2", 1);
	d = tn_host(&t, "d", 1);
	tn_p2p(&t, "s-n1", s, n1, NULL);
	tn_p2p(&t, "s-n2", s, n2, NULL);
	tn_p2p(&t, "n1-d", n1, d, NULL);
	tn_p2p(&t, "n2-d", n2, d, NULL);
	tn_run(&t, MS);
	ck_assert_int_eq(tn_addr(s, "vnic0", "10.0.2.1/24"), 0);
	ck_assert_int_eq(tn_addr(s, "vnic1", "10.0.3.1/24"), 0);
	ck_assert_int_eq(tn_addr(n1, "vnic0", "10.0.2.2/24"), 0);
	ck_assert_int_eq(tn_addr(n1, "vnic1", "10.0.4.1/24"), 0);
	ck_assert_int_eq(tn_addr(n2, "vnic0", "10.0.3.2/24"), 0);
	ck_assert_int_eq(tn_addr(n2, "vnic1", "10.0.5.1/24"), 0);
	ck_assert_int_eq(tn_addr(d, "vnic0", "10.0.4.2/24"), 0);
	ck_assert_int_eq(tn_addr(d, "vnic1", "10.0.5.2/24"), 0);
	ck_assert_int_eq(tn_addr(d, "lo0", "10.9.0.1/32"), 0);
	ck_assert_int_eq(tn_route(s, RTM_ADD, "10.9.0.0/16", "10.0.2.2", 0), 0);
	ck_assert_int_eq(tn_route(n1, RTM_ADD, "10.9.0.0/16", "10.0.4.2", 0),
	    0);
	ck_assert_int_eq(tn_route(n2, RTM_ADD, "10.9.0.0/16", "10.0.5.2", 0),
	    0);
	tn_forwarding(n1, true);
	tn_forwarding(n2, true);
	ck_assert_int_eq(tn_policy(s, policy), 0);
	/* warm ARP on both paths so that every phase sees 5 datagrams */
	ck_assert_int_eq(tn_ping(s, "10.0.2.2", 1, 8, 0, false), 0);
	ck_assert_int_eq(tn_ping(s, "10.0.3.2", 1, 8, 0, false), 0);
	tn_run(&t, 10 * MS);
	/* sends at +0, +10, ... +140 ms; phases end at +45, +95, +145 */
	for (phase = 0; phase < 3; phase++) {
		if (phase == 1)
			ck_assert_int_eq(tn_route(s, RTM_ADD, "10.9.0.0/24",
			    "10.0.3.2", 0), 0);
		if (phase == 2)
			ck_assert_int_eq(tn_route(s, RTM_DELETE, "10.9.0.0/24",
			    "10.0.3.2", 0), 0);
		base = tn_forwarded4(n2);
		if (phase == 0)
			host_spawn(s, "sender", -1, lwp_sender, &j);
		tn_run(&t, (phase == 0 ? 45 : 50) * MS);
		out[phase] = tn_forwarded4(n2) - base;
	}
	tn_run(&t, 100 * MS);
	ck_assert_int_eq(j.j_result, 0);
	ck_assert_uint_eq(tn_forwarded4(n1) + tn_forwarded4(n2), 15);
	tn_fini(&t);
}

START_TEST(test_pr3508_udp_none)
{
	uint64_t n2[3];

	pr3508_udp("none", n2);
	ck_assert_uint_eq(n2[0], 0);
	ck_assert_uint_eq(n2[1], 0);	/* inp_route still holds the /16 */
	ck_assert_uint_eq(n2[2], 0);
}
END_TEST

START_TEST(test_pr3508_udp_list)
{
	uint64_t n2[3];

	pr3508_udp("list", n2);
	ck_assert_uint_eq(n2[0], 0);
	ck_assert_uint_eq(n2[1], 5);
	ck_assert_uint_eq(n2[2], 0);
}
END_TEST

START_TEST(test_pr3508_udp_generation)
{
	uint64_t n2[3];

	pr3508_udp("generation", n2);
	ck_assert_uint_eq(n2[0], 0);
	ck_assert_uint_eq(n2[1], 5);
	ck_assert_uint_eq(n2[2], 0);
}
END_TEST

/* Frames with each checksum; every status present must be 1 (good). */
struct checksums {
	int	cs_ip4, cs_icmp, cs_icmp6, cs_udp;
};

static void
checksums_line(void *arg, char **f)
{
	struct checksums *cs = arg;
	int i;

	for (i = 1; i < 5; i++)
		ck_assert_msg(f[i][0] == '\0' || strcmp(f[i], "1") == 0,
		    "frame %s: field %d status %s", f[0], i, f[i]);
	cs->cs_ip4 += f[1][0] != '\0';
	cs->cs_icmp += f[2][0] != '\0';
	cs->cs_icmp6 += f[3][0] != '\0';
	cs->cs_udp += f[4][0] != '\0';
}

/*
 * A capture of a v4+v6 ping and UDP exchange through a router decodes
 * in tshark with every IPv4 header, ICMP, ICMPv6 and UDP checksum good.
 */
START_TEST(test_pcap_tshark_checksums)
{
	char path[] = "/tmp/knit-capture-XXXXXX";
	struct checksums cs = { 0, 0, 0, 0 };
	struct tnet t;
	struct host *a, *r, *b;
	struct job srv4 = { .j_addr = "10.0.2.2", .j_port = 7 };
	struct job cli4 = { .j_addr = "10.0.2.2", .j_port = 7 };
	struct job srv6 = { .j_addr = "2001:db8:2::2", .j_port = 7 };
	struct job cli6 = { .j_addr = "2001:db8:2::2", .j_port = 7 };
	int fd, frames;
	uint64_t captured;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	tn_init(&t, 21);
	ck_assert_int_eq(net_pcap_open(t.tn_n, path), 0);
	net_pcap_all(t.tn_n);
	a = tn_host(&t, "a", 1);
	r = tn_host(&t, "r", 1);
	b = tn_host(&t, "b", 1);
	tn_p2p(&t, "ar", a, r, NULL);
	tn_p2p(&t, "rb", r, b, NULL);
	tn_run(&t, MS);
	ck_assert_int_eq(tn_addr(a, "vnic0", "10.0.1.1/24"), 0);
	ck_assert_int_eq(tn_addr(r, "vnic0", "10.0.1.2/24"), 0);
	ck_assert_int_eq(tn_addr(r, "vnic1", "10.0.2.1/24"), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", "10.0.2.2/24"), 0);
	ck_assert_int_eq(tn_addr(a, "vnic0", "2001:db8:1::1/64"), 0);
	ck_assert_int_eq(tn_addr(r, "vnic0", "2001:db8:1::2/64"), 0);
	ck_assert_int_eq(tn_addr(r, "vnic1", "2001:db8:2::1/64"), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", "2001:db8:2::2/64"), 0);
	ck_assert_int_eq(tn_route(a, RTM_ADD, "default", "10.0.1.2", 0), 0);
	ck_assert_int_eq(tn_route(b, RTM_ADD, "default", "10.0.2.1", 0), 0);
	ck_assert_int_eq(tn_route(a, RTM_ADD, "default", "2001:db8:1::2", 0),
	    0);
	ck_assert_int_eq(tn_route(b, RTM_ADD, "default", "2001:db8:2::1", 0),
	    0);
	tn_forwarding(r, true);
	ck_assert_int_eq(tn_ping(a, "10.0.2.2", 1, 56, 0, false), 0);
	ck_assert_int_eq(tn_ping(a, "2001:db8:2::2", 1, 57, 0, false), 0);
	tn_run(&t, 10 * MS);
	host_spawn(b, "srv4", -1, lwp_server, &srv4);
	host_spawn(b, "srv6", -1, lwp_server, &srv6);
	tn_run(&t, MS);
	host_spawn(a, "cli4", -1, lwp_client, &cli4);
	host_spawn(a, "cli6", -1, lwp_client, &cli6);
	tn_run(&t, 20 * MS);
	ck_assert_str_eq(cli4.j_buf, "hello knit");
	ck_assert_str_eq(cli6.j_buf, "hello knit");
	captured = net_pcap_frames(t.tn_n);
	net_pcap_close(t.tn_n);
	tn_fini(&t);

	frames = tn_tshark(path, "-o ip.check_checksum:TRUE "
	    "-o udp.check_checksum:TRUE -e frame.number -e ip.checksum.status "
	    "-e icmp.checksum.status -e icmpv6.checksum.status "
	    "-e udp.checksum.status", 5, checksums_line, &cs);
	unlink(path);
	ck_assert_uint_eq((uint64_t)frames, captured);
	ck_assert_int_gt(frames, 20);
	/* request + reply, out and in, 2 links */
	ck_assert_int_ge(cs.cs_icmp, 8);
	ck_assert_int_ge(cs.cs_icmp6, 8);	/* echo, and NS/NA */
	/* 4 datagrams x 2 links x 2 ends */
	ck_assert_int_ge(cs.cs_udp, 16);
	ck_assert_int_ge(cs.cs_ip4, cs.cs_icmp + 8);
}
END_TEST

static Suite *
udp_suite(void)
{
	Suite *s = suite_create("udp");
	TCase *tc = tcase_create("udp");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_udp_exchange_v4);
	tcase_add_test(tc, test_udp_one_mbuf_per_datagram);
	tcase_add_test(tc, test_udp_exchange_v6);
	tcase_add_test(tc, test_pr3508_udp_none);
	tcase_add_test(tc, test_pr3508_udp_list);
	tcase_add_test(tc, test_pr3508_udp_generation);
	tcase_add_test(tc, test_pcap_tshark_checksums);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(udp_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
