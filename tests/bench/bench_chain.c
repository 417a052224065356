/*
 * bench_chain: packet forwarding through the whole stack, mirroring
 * /work/shared/bench/ns3-chain.cc.
 *
 *   L0..L(n-1) --- R1 --- ... --- Rk --- Q0..Q(n-1)
 *
 * Point-to-point links (1 Gbit/s, 10 us), one /30 per link (left links
 * in 10.0.0.0/10, right links in 10.64.0.0/10, router links in
 * 10.128.0.0/10), static routes: a default route on every L and Q, one
 * aggregate route per direction on each router.  Flow i is a process on
 * Li sending UDP datagrams of --size bytes from a connected socket to a
 * receiving process on Qi; together the flows send --packets datagrams,
 * one every --interval-us in aggregate.  Everything a packet costs is
 * counted: system calls, sockets, IP, ARP, the vnic driver, interrupts,
 * softints, NIC and link events, scheduling points and context switches.
 *
 * Figures: packet hops per second of world_run (setup is not timed):
 * received x (k + 1) / run time, in wall-clock time (as ns3-chain
 * measures; key Mhops_s of the RESULT line for rounds.py) and in CPU
 * time of the process (steadier on a loaded machine; Mhops_s_cpu):
 *     figure chain_n<N>_Mhops_s MEDIAN Mhops/s RUNS
 *     figure chain_n<N>_cpu_Mhops_s MEDIAN Mhops/s RUNS
 * and the work per hop, which does not depend on the machine: scheduling
 * points (lock and atomic operations, softint schedules, probes,
 * interrupts taken, sleeps) of the run divided by the hops,
 *     figure chain_n<N>_points_per_hop MEDIAN points RUNS
 *
 * usage: bench_chain [--hosts=n ...] [--routers=k] [--packets=N]
 *                    [--size=B] [--interval-us=U] [--runs=R]
 *                    [--lockorder=1] [--memcheck=1] [--lookahead=0]
 * By default every checker is off (the headline figure, "checkers off").
 * Cross-host lookahead (world_config.wc_lookahead, knit run's default)
 * is on; --lookahead=0 turns it off and names the figures
 * "nolookahead_".  Also reported: context switches per hop,
 *     figure chain_n<N>_switches_per_hop MEDIAN switches RUNS
 * --lockorder=1 runs the lock-order checker on every world, --memcheck=1
 * the memory checker (poisoned, quarantined frees: world_config's
 * wc_no_memcheck unset, as knit run and knit explore do by default);
 * the figures' names then carry "lockorder_" and/or "memcheck_"
 * (chain_memcheck_lockorder_n<N>_Mhops_s: both, knit explore's default).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "chain_util.h"
#include "sim.h"
#include "check/checkers.h"
#include "net/net.h"
#include "net/if.h"
#include "net/route.h"
#include "sys/lwp.h"
#include "sys/proc.h"
#include "sys/socket.h"
#include "sys/sysctl.h"
#include "sys/syscall.h"
#include "netinet/in_var.h"
#include "netinet/udp_var.h"

struct chain {
	struct world	*c_w;
	struct net	*c_net;
	struct host	**c_l, **c_q, **c_r;
	int		 c_n, c_k;
	uint64_t	 c_perflow;
	uint64_t	 c_interval;	/* ns, aggregate */
	int		 c_size;
	uint64_t	 c_points;	/* scheduling points of the last run */
	uint64_t	 c_switches;	/* context switches of the last run */
	uint64_t	 c_late;	/* sends off their schedule (must be 0) */
	bool		 c_lockorder;
	bool		 c_memcheck;
	bool		 c_lookahead;
};

struct flow {
	struct chain	*f_c;
	int		 f_i;
	struct in_addr	 f_dst;
};

static void
die(const char *what)
{
	fprintf(stderr, "bench_chain: %s\n", what);
	exit(1);
}

/* The two ends of /30 number j in a base. */
#define END(base, j, e)	((base) + 4 * (uint32_t)(j) + 1 + (e))

static void
addr(struct host *h, const char *ifname, uint32_t a)
{
	if (chain_addr(h, ifname, a, 0xfffffffcU) != 0)
		die("address");
}

static void
route(struct host *h, uint32_t dst, uint32_t mask, uint32_t gw)
{
	if (chain_route(h, dst, mask, gw) != 0)
		die("route");
}

static void
forwarding(struct host *h)
{
	if (chain_forwarding(h) != 0)
		die("sysctl");
}

static void
in_proc(void (*fn)(void *), struct flow *f)
{
	if (chain_in_proc(fn, f) != 0)
		die("proc");
}

static void
sink(void *arg)
{
	struct flow *f = arg;
	struct sockaddr_in me;
	struct in_addr any = { 0 };
	char buf[2048];
	ssize_t n;
	uint64_t i;
	int s;

	(void)sockaddr_in_init(&me, &any, htons(9));
	if (sys_socket(AF_INET, SOCK_DGRAM, 0, &s) != 0 ||
	    sys_bind(s, sintocsa(&me), sizeof(me)) != 0)
		die("sink socket");
	for (i = 0; i < f->f_c->c_perflow; i++)
		if (sys_recv(s, buf, sizeof(buf), 0, &n) != 0)
			break;
	sys_close(s);
}

static void
source(void *arg)
{
	struct flow *f = arg;
	struct chain *c = f->f_c;
	struct sockaddr_in to;
	char buf[2048];
	ssize_t n;
	uint64_t i, t0, next;
	int s;

	memset(buf, 0x6b, sizeof(buf));
	(void)sockaddr_in_init(&to, &f->f_dst, htons(9));
	if (sys_socket(AF_INET, SOCK_DGRAM, 0, &s) != 0 ||
	    sys_connect(s, sintocsa(&to), sizeof(to)) != 0)
		die("source socket");
	/*
	 * Flows interleave evenly: flow i sends at t0 + i*U + j*n*U, on an
	 * absolute schedule as ns3-chain's UdpClient does.  Sleeping n*U
	 * after each send instead would add the send's own cost to every
	 * period (about 0.4 us: 96.5 kpps instead of 100 kpps at n = 1, and
	 * an aggregate gap that depends on n), which changes how packets
	 * overlap on the routers and made n = 1 look cheaper than n >= 2.
	 */
	sim_sleep(1000000 + (uint64_t)f->f_i * c->c_interval);
	t0 = sim_now();
	for (i = 0; i < c->c_perflow; i++) {
		if (sim_now() != t0 + i * (uint64_t)c->c_n * c->c_interval)
			c->c_late++;
		(void)sys_send(s, buf, (size_t)c->c_size, 0, &n);
		next = t0 + (i + 1) * (uint64_t)c->c_n * c->c_interval;
		if (next > sim_now())
			sim_sleep(next - sim_now());
	}
	sys_close(s);
}

static void lwp_sink(void *a) { in_proc(sink, a); }
static void lwp_source(void *a) { in_proc(source, a); }

static void
chain_build(struct chain *c)
{
	struct world_config wc = { .wc_seed = 1, .wc_strategy = "default",
	    .wc_no_memcheck = !c->c_memcheck,
	    .wc_lookahead = c->c_lookahead };
	struct net_link_params p;
	char name[64];
	int i, j;

	c->c_w = world_create(&wc);
	if (c->c_lockorder) {
		struct check_config cc = { .cc_lockorder = true };

		check_world_begin(c->c_w, &cc);
		/* NetBSD 5 softints block on softnet_lock by design */
		check_set_intr_rule(0);	/* off */
	}
	c->c_net = net_create(c->c_w);
	c->c_l = calloc((size_t)c->c_n, sizeof(*c->c_l));
	c->c_q = calloc((size_t)c->c_n, sizeof(*c->c_q));
	c->c_r = calloc((size_t)c->c_k, sizeof(*c->c_r));
	net_link_params_default(&p);	/* 1 Gbit/s, 10 us */
	p.nlp_qlen = 10000;
	for (i = 0; i < c->c_n; i++) {
		snprintf(name, sizeof(name), "L%d", i);
		c->c_l[i] = world_host_create(c->c_w, name, 1);
		snprintf(name, sizeof(name), "Q%d", i);
		c->c_q[i] = world_host_create(c->c_w, name, 1);
	}
	for (j = 0; j < c->c_k; j++) {
		snprintf(name, sizeof(name), "R%d", j + 1);
		c->c_r[j] = world_host_create(c->c_w, name, 1);
	}
	/* NICs: L/Q vnic0; R1 left links first, then core; Rk core, right */
	for (i = 0; i < c->c_n; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		net_link_p2p(c->c_net, name,
		    net_nic_create(c->c_net, c->c_l[i], NULL, 0, 0),
		    net_nic_create(c->c_net, c->c_r[0], NULL, 0, 0), &p);
	}
	for (j = 0; j + 1 < c->c_k; j++) {
		snprintf(name, sizeof(name), "c%d", j);
		net_link_p2p(c->c_net, name,
		    net_nic_create(c->c_net, c->c_r[j], NULL, 0, 0),
		    net_nic_create(c->c_net, c->c_r[j + 1], NULL, 0, 0), &p);
	}
	for (i = 0; i < c->c_n; i++) {
		snprintf(name, sizeof(name), "q%d", i);
		net_link_p2p(c->c_net, name,
		    net_nic_create(c->c_net, c->c_r[c->c_k - 1], NULL, 0, 0),
		    net_nic_create(c->c_net, c->c_q[i], NULL, 0, 0), &p);
	}
	if (world_run(c->c_w, 1000000) == WORLD_STOPPED)
		die("boot");
}

static void
chain_configure(struct chain *c)
{
	const uint32_t L = 0x0a000000, Q = 0x0a400000, C = 0x0a800000;
	const uint32_t agg = 0xffc00000;	/* /10 */
	int n = c->c_n, k = c->c_k, i, j, rk = k - 1;
	char ifn[32];

	for (i = 0; i < n; i++) {
		addr(c->c_l[i], "vnic0", END(L, i, 0));
		snprintf(ifn, sizeof(ifn), "vnic%d", i);
		addr(c->c_r[0], ifn, END(L, i, 1));
		route(c->c_l[i], 0, 0, END(L, i, 1));
		addr(c->c_q[i], "vnic0", END(Q, i, 1));
		snprintf(ifn, sizeof(ifn), "vnic%d", (k > 1 ? 1 : n) + i);
		addr(c->c_r[rk], ifn, END(Q, i, 0));
		route(c->c_q[i], 0, 0, END(Q, i, 0));
	}
	for (j = 0; j + 1 < k; j++) {
		snprintf(ifn, sizeof(ifn), "vnic%d", j == 0 ? n : 1);
		addr(c->c_r[j], ifn, END(C, j, 0));
		addr(c->c_r[j + 1], "vnic0", END(C, j, 1));
		/* right traffic goes on, left traffic comes back */
		route(c->c_r[j], Q, agg, END(C, j, 1));
		route(c->c_r[j + 1], L, agg, END(C, j, 0));
	}
	for (j = 0; j < k; j++)
		forwarding(c->c_r[j]);
}

static double
chain_run(struct chain *c, uint64_t *receivedp, double *cpusecs)
{
	struct flow *f = calloc((size_t)c->c_n, sizeof(*f));
	struct udpstat st;
	uint64_t t0, t1, c0, c1, s0, x0, received = 0, until;
	int i;

	for (i = 0; i < c->c_n; i++) {
		f[i].f_c = c;
		f[i].f_i = i;
		f[i].f_dst = chain_ip4(END(0x0a400000, i, 1));
		host_spawn(c->c_q[i], "sink", -1, lwp_sink, &f[i]);
		host_spawn(c->c_l[i], "source", -1, lwp_source, &f[i]);
	}
	/* the last datagram leaves at about perflow * n * U; then drain */
	until = world_now(c->c_w) + 2000000 +
	    c->c_perflow * (uint64_t)c->c_n * c->c_interval + 50000000;
	s0 = world_events(c->c_w);
	x0 = world_context_switches(c->c_w);
	t0 = bench_now_ns();
	c0 = bench_cpu_now_ns();
	if (world_run(c->c_w, until) == WORLD_STOPPED)
		die(world_nviolations(c->c_w) != 0 ?
		    world_violation(c->c_w, 0)->v_message : "run stopped");
	t1 = bench_now_ns();
	c1 = bench_cpu_now_ns();
	*cpusecs = (double)(c1 - c0) / 1e9;
	c->c_points = world_events(c->c_w) - s0;
	c->c_switches = world_context_switches(c->c_w) - x0;
	for (i = 0; i < c->c_n; i++) {
		host_enter(c->c_q[i]);
		udp_getstat(&st);
		host_leave(c->c_q[i]);
		received += st.udps_delivered;
	}
	*receivedp = received;
	if (c->c_late != 0)
		die("a flow sent off its schedule: the load is not the "
		    "one asked for");
	free(f);
	return (double)(t1 - t0) / 1e9;
}

static void
chain_free(struct chain *c)
{
	net_destroy(c->c_net);
	if (world_nviolations(c->c_w) != 0)
		die(world_violation(c->c_w, 0)->v_message);
	if (c->c_lockorder)
		check_world_end(c->c_w);
	world_destroy(c->c_w);
	free(c->c_l);
	free(c->c_q);
	free(c->c_r);
}

int
main(int argc, char **argv)
{
	uint64_t hosts[8], nhosts = 0, k = 8, packets = 100000, size = 512;
	uint64_t interval = 10, runs = 3, v, received, lockorder = 0;
	uint64_t memcheck = 0, lookahead = 1;
	char prefix[32];
	double rate[16], crate[16], pts[16], sw[16], secs, csecs, first = 0;
	int a, h, r;

	for (a = 1; a < argc; a++) {
		if (bench_opt_u64(argv[a], "hosts", &v)) {
			if (nhosts < 8 && v >= 1)
				hosts[nhosts++] = v;
		} else if (bench_opt_u64(argv[a], "routers", &k) ||
		    bench_opt_u64(argv[a], "packets", &packets) ||
		    bench_opt_u64(argv[a], "size", &size) ||
		    bench_opt_u64(argv[a], "interval-us", &interval) ||
		    bench_opt_u64(argv[a], "runs", &runs) ||
		    bench_opt_u64(argv[a], "lockorder", &lockorder) ||
		    bench_opt_u64(argv[a], "memcheck", &memcheck) ||
		    bench_opt_u64(argv[a], "lookahead", &lookahead)) {
			continue;
		} else {
			fprintf(stderr, "usage: bench_chain [--hosts=n ...] "
			    "[--routers=k] [--packets=N] [--size=B] "
			    "[--interval-us=U] [--runs=R] [--lockorder=1] "
			    "[--memcheck=1] [--lookahead=0]\n"
			    "unknown argument: %s\n", argv[a]);
			return 2;
		}
	}
	if (nhosts == 0) {
		hosts[nhosts++] = 1;
		hosts[nhosts++] = 100;
		hosts[nhosts++] = 1000;
	}
	if (k < 1 || size < 1 || size > 1472 || runs < 1 || runs > 16 ||
	    interval < 1) {
		fprintf(stderr, "bench_chain: bad arguments\n");
		return 2;
	}
	snprintf(prefix, sizeof(prefix), "%s%s%s", memcheck ? "memcheck_" : "",
	    lockorder ? "lockorder_" : "", lookahead ? "" : "nolookahead_");
	for (h = 0; h < (int)nhosts; h++) {
		struct chain c = {
			.c_n = (int)hosts[h], .c_k = (int)k, .c_size = (int)size,
			.c_interval = interval * 1000,
			.c_lockorder = lockorder != 0,
			.c_memcheck = memcheck != 0,
			.c_lookahead = lookahead != 0,
		};
		char fig[64];

		c.c_perflow = packets / hosts[h];
		if (c.c_perflow == 0)
			c.c_perflow = 1;
		for (r = 0; r < (int)runs; r++) {
			chain_build(&c);
			chain_configure(&c);
			secs = chain_run(&c, &received, &csecs);
			if (received == 0)
				die("nothing received");
			rate[r] = (double)received * (double)(k + 1) / secs / 1e6;
			crate[r] = (double)received * (double)(k + 1) / csecs /
			    1e6;
			pts[r] = (double)c.c_points / (double)received /
			    (double)(k + 1);
			sw[r] = (double)c.c_switches / (double)received /
			    (double)(k + 1);
			chain_free(&c);
		}
		v = received;
		snprintf(fig, sizeof(fig), "chain_%sn%d_Mhops_s",
		    prefix, c.c_n);
		bench_figure(fig, bench_median(rate, (int)runs), "Mhops/s",
		    (int)runs);
		first = bench_median(rate, (int)runs);
		snprintf(fig, sizeof(fig), "chain_%sn%d_cpu_Mhops_s",
		    prefix, c.c_n);
		bench_figure(fig, bench_median(crate, (int)runs), "Mhops/s",
		    (int)runs);
		snprintf(fig, sizeof(fig), "chain_%sn%d_points_per_hop",
		    prefix, c.c_n);
		bench_figure(fig, bench_median(pts, (int)runs), "points",
		    (int)runs);
		snprintf(fig, sizeof(fig), "chain_%sn%d_switches_per_hop",
		    prefix, c.c_n);
		bench_figure(fig, bench_median(sw, (int)runs), "switches",
		    (int)runs);
		if (h == 0)
			printf("RESULT bench=knit-chain routers=%llu hosts=%d "
			    "sent=%llu received=%llu Mhops_s=%.3f "
			    "Mhops_s_cpu=%.3f points_per_hop=%.2f\n",
			    (unsigned long long)k, c.c_n,
			    (unsigned long long)(c.c_perflow * hosts[h]),
			    (unsigned long long)v, first,
			    bench_median(crate, (int)runs),
			    bench_median(pts, (int)runs));
	}
	return 0;
}
