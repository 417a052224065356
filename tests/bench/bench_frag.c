/*
 * bench_frag: the cost of IPv4 fragmentation and reassembly.
 *
 *   a --- r --- b        a - r: MTU 1500; r - b: MTU --mtu2 (1400)
 *
 * a sends --echoes ICMP echo requests of --size bytes of data to b, one
 * every --interval-us; each request is cut by a (for 1500) and again by
 * r (for the second link), b reassembles it and answers with the same
 * size, which r cuts again and a reassembles.  The same run with
 * requests that need no fragment (1372 bytes of data) is the baseline.
 *
 * Figures (CPU time of world_run, median over --runs):
 *     figure frag_echo<size>_k_s     echo round trips per ms
 *     figure frag_echo<size>_frags_us  fragments handled per CPU us
 *         (fragments created + fragments received, all hosts)
 *     figure frag_echo1372_k_s       the baseline
 *
 * usage: bench_frag [--size=B] [--echoes=N] [--interval-us=U] [--runs=R]
 *                   [--mtu2=M]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "sim.h"
#include "net/net.h"
#include "net/if.h"
#include "net/route.h"
#include "sys/sysctl.h"
#include "netinet/in_var.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"

#define MS	1000000ULL

static void
die(const char *what)
{
	fprintf(stderr, "bench_frag: %s\n", what);
	exit(1);
}

static void
run(struct world *w, uint64_t ns)
{
	if (world_run(w, world_now(w) + ns) == WORLD_STOPPED ||
	    world_nviolations(w) != 0)
		die("the world stopped");
}

/* Give h the address a/24 on ifname and, if gw, a default route. */
static void
setup_host(struct host *h, const char *ifname, uint32_t a, uint32_t gw)
{
	struct sockaddr_in dst, mask, gwsa;
	struct in_addr x, m;
	struct ifnet *ifp;

	host_enter(h);
	if ((ifp = ifunit(ifname)) == NULL)
		die("no interface");
	x.s_addr = htonl(a);
	m.s_addr = htonl(0xffffff00);
	if (in_addaddr(ifp, x, m) != 0)
		die("address");
	if (gw != 0) {
		x.s_addr = 0;
		(void)sockaddr_in_init(&dst, &x, 0);
		(void)sockaddr_in_init(&mask, &x, 0);
		x.s_addr = htonl(gw);
		(void)sockaddr_in_init(&gwsa, &x, 0);
		if (rtrequest(RTM_ADD, sintocsa(&dst), sintocsa(&gwsa),
		    sintocsa(&mask), RTF_UP | RTF_GATEWAY | RTF_STATIC,
		    NULL) != 0)
			die("route");
	}
	host_leave(h);
}

static uint64_t
frags_of(struct host *h)
{
	struct ipstat st;

	host_enter(h);
	ip_getstat(&st);
	host_leave(h);
	return st.ips_ofragments + st.ips_fragments;
}

/*
 * One world; returns the CPU ns of the timed world_run and in *fragsp
 * the fragments handled.
 */
static uint64_t
one_run(int size, uint64_t echoes, uint64_t interval, unsigned mtu2,
    uint64_t *fragsp)
{
	struct world_config wc = { .wc_seed = 1, .wc_strategy = "default" };
	struct net_link_params p;
	struct world *w;
	struct net *n;
	struct host *a, *r, *b;
	struct icmpstat ist;
	struct in_addr dst;
	uint64_t t0, t, i;
	int one = 1;

	w = world_create(&wc);
	n = net_create(w);
	a = world_host_create(w, "a", 1);
	r = world_host_create(w, "r", 1);
	b = world_host_create(w, "b", 1);
	net_link_params_default(&p);
	net_link_p2p(n, "ar", net_nic_create(n, a, NULL, 0, 0),
	    net_nic_create(n, r, NULL, 0, 0), &p);
	p.nlp_mtu = mtu2;
	net_link_p2p(n, "rb", net_nic_create(n, r, NULL, 0, 0),
	    net_nic_create(n, b, NULL, 0, 0), &p);
	run(w, MS);
	setup_host(a, "vnic0", 0x0a000101, 0x0a000102);
	setup_host(r, "vnic0", 0x0a000102, 0);
	setup_host(r, "vnic1", 0x0a000201, 0);
	setup_host(b, "vnic0", 0x0a000202, 0x0a000201);
	host_enter(r);
	(void)sysctl_byname("net.inet.ip.forwarding", NULL, NULL, &one,
	    sizeof(one));
	host_leave(r);
	dst.s_addr = htonl(0x0a000202);
	/* resolve the neighbours outside the timed part */
	host_enter(a);
	(void)icmp_echo_send(dst, 1, 0, 8, 0, false);
	host_leave(a);
	run(w, 10 * MS);
	t = 0;
	for (i = 1; i <= echoes; i++) {
		host_enter(a);
		if (icmp_echo_send(dst, 1, (uint16_t)i, size, 0, false) != 0)
			die("echo");
		host_leave(a);
		t0 = bench_cpu_now_ns();
		run(w, interval);
		t += bench_cpu_now_ns() - t0;
	}
	t0 = bench_cpu_now_ns();
	run(w, 10 * MS);
	t += bench_cpu_now_ns() - t0;
	host_enter(a);
	icmp_getstat(&ist);
	host_leave(a);
	if (ist.icps_inhist[ICMP_ECHOREPLY] != echoes + 1)
		die("echo replies missing");
	*fragsp = frags_of(a) + frags_of(r) + frags_of(b);
	net_destroy(n);
	world_destroy(w);
	return t;
}

static void
measure(int size, uint64_t echoes, uint64_t interval, unsigned mtu2,
    int runs, bool frags)
{
	double rate[16], frate[16];
	uint64_t ns, nfrags;
	char name[64];
	int i;

	for (i = 0; i < runs; i++) {
		ns = one_run(size, echoes, interval, mtu2, &nfrags);
		rate[i] = (double)echoes / ((double)ns / 1e6);
		frate[i] = (double)nfrags / ((double)ns / 1e3);
	}
	snprintf(name, sizeof(name), "frag_echo%d_k_s", size);
	bench_figure(name, bench_median(rate, runs), "echoes/ms", runs);
	if (frags) {
		snprintf(name, sizeof(name), "frag_echo%d_frags_us", size);
		bench_figure(name, bench_median(frate, runs), "frags/us",
		    runs);
	}
}

int
main(int argc, char **argv)
{
	uint64_t size = 8000, echoes = 2000, interval = 200, runs = 5;
	uint64_t mtu2 = 1400;
	int a;

	for (a = 1; a < argc; a++) {
		if (bench_opt_u64(argv[a], "size", &size) ||
		    bench_opt_u64(argv[a], "echoes", &echoes) ||
		    bench_opt_u64(argv[a], "interval-us", &interval) ||
		    bench_opt_u64(argv[a], "runs", &runs) ||
		    bench_opt_u64(argv[a], "mtu2", &mtu2))
			continue;
		fprintf(stderr, "usage: bench_frag [--size=B] [--echoes=N] "
		    "[--interval-us=U] [--runs=R] [--mtu2=M]\n"
		    "unknown argument: %s\n", argv[a]);
		return 2;
	}
	if (size < 1 || size > 9000 || echoes < 1 || echoes > 65000 ||
	    runs < 1 || runs > 16 || interval < 1 || mtu2 < 576 ||
	    mtu2 > 1500) {
		fprintf(stderr, "bench_frag: bad arguments\n");
		return 2;
	}
	measure(1372, echoes, interval * 1000, (unsigned)mtu2, (int)runs,
	    false);
	measure((int)size, echoes, interval * 1000, (unsigned)mtu2, (int)runs,
	    true);
	return 0;
}
