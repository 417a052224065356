/*
 * Cross-host lookahead (sim/cpu/lookahead.c).
 *
 * The claim: with lookahead every host executes the same steps at the
 * same virtual times as without; only the interleaving of hosts (and so
 * the global trace hash) differs.  The tests run one network both ways
 * and compare everything each host observes: every frame each NIC sent
 * or received (time, direction, bytes), the time each datagram reached
 * its sink, each host's IP and UDP counters, the number of steps and
 * the end time.  The network has the cases that need care: datagrams
 * of different flows reach the first router at the same nanosecond
 * (equal-time events queued by different hosts), a router with two
 * CPUs (its CPUs keep their exact order), and, in the second variant, a
 * shared segment and a lossy link (hosts they join are coupled).
 *
 * The capture (sim/net/pcapng.c) is written in timestamp order though
 * hosts run ahead of each other: with lookahead every frame's timestamp
 * is at or after the previous one's, the file holds the same frames as
 * without, and it repeats byte for byte.
 *
 * And that it engages: the same network switches between LWPs several
 * times less often with lookahead, and a run with it repeats bit for
 * bit (same trace hash).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"
#include "core/evq.h"
#include "net/net.h"
#include "net/if.h"
#include "net/route.h"
#include "sys/lwp.h"
#include "sys/proc.h"
#include "sys/socket.h"
#include "sys/sysctl.h"
#include "sys/syscall.h"
#include "sys/systm.h"
#include "netinet/in_var.h"
#include "netinet/ip_var.h"
#include "netinet/udp_var.h"

#include "../bench/chain_util.h"

#define NFLOW	3
#define NROUTER	3
#define NPKT	150
#define PERIOD	20000		/* ns between a flow's datagrams */
#define SIZE	400
#define SKEW	1500		/* ns */

struct lan {
	struct world	*n_w;
	struct net	*n_net;
	struct host	*n_l[NFLOW], *n_q[NFLOW], *n_r[NROUTER];
	bool		 n_hub;		/* Q side on a shared segment */
	bool		 n_lossy;	/* L2's link drops frames */
	uint64_t	 n_skew;	/* flow i: link and send skewed by i * skew */
	/* observed */
	uint64_t	 n_arrive[NFLOW][NPKT];
	int		 n_narrive[NFLOW];
};

struct obs {
	uint64_t	 o_nicsum[64];	/* per NIC: digest of kept frames */
	size_t		 o_nickept[64];
	int		 o_nnic;
	uint64_t	 o_arrive[NFLOW][NPKT];
	int		 o_narrive[NFLOW];
	struct ipstat	 o_ip[2 * NFLOW + NROUTER];
	struct udpstat	 o_udp[2 * NFLOW + NROUTER];
	uint64_t	 o_steps, o_now, o_hash, o_lasteps, o_ctxsw;
	uint64_t	 o_pcapframes;
};

struct flow {
	struct lan	*f_n;
	int		 f_i;
};
static struct flow flows[NFLOW];
/* lan_observe captures every NIC to this file when set */
static const char *pcap_path;

static void
addr(struct host *h, const char *ifname, uint32_t a, uint32_t mask)
{
	ck_assert_int_eq(chain_addr(h, ifname, a, mask), 0);
}

static void
route(struct host *h, uint32_t dst, uint32_t mask, uint32_t gw)
{
	ck_assert_int_eq(chain_route(h, dst, mask, gw), 0);
}

static void
in_proc(void (*fn)(void *), struct flow *f)
{
	ck_assert_int_eq(chain_in_proc(fn, f), 0);
}

static void
sink(void *arg)
{
	struct flow *f = arg;
	struct sockaddr_in me;
	struct in_addr any = { 0 };
	char buf[2048];
	ssize_t n;
	int s;

	(void)sockaddr_in_init(&me, &any, htons(9));
	ck_assert_int_eq(sys_socket(AF_INET, SOCK_DGRAM, 0, &s), 0);
	ck_assert_int_eq(sys_bind(s, sintocsa(&me), sizeof(me)), 0);
	while (f->f_n->n_narrive[f->f_i] < NPKT &&
	    sys_recv(s, buf, sizeof(buf), 0, &n) == 0)
		f->f_n->n_arrive[f->f_i][f->f_n->n_narrive[f->f_i]++] =
		    sim_now();
	sys_close(s);
}

/* Q i's address: 10.64.i.2 on its /30, or 10.64.0.(10 + i) on the hub */
static uint32_t
q_addr(const struct lan *n, int i)
{
	return n->n_hub ? 0x0a40000aU + (uint32_t)i :
	    0x0a400000U + 4 * (uint32_t)i + 2;
}

static void
source(void *arg)
{
	struct flow *f = arg;
	struct sockaddr_in to;
	struct in_addr dst = chain_ip4(q_addr(f->f_n, f->f_i));
	char buf[SIZE];
	ssize_t n;
	uint64_t t0;
	int i, s;

	memset(buf, 0x30 + f->f_i, sizeof(buf));
	(void)sockaddr_in_init(&to, &dst, htons(9));
	ck_assert_int_eq(sys_socket(AF_INET, SOCK_DGRAM, 0, &s), 0);
	ck_assert_int_eq(sys_connect(s, sintocsa(&to), sizeof(to)), 0);
	/*
	 * Flow i's link is i * SKEW longer and it sends i * SKEW earlier:
	 * datagrams of all flows reach R1 at the same instants, queued by
	 * different hosts at different times (ties broken per host).
	 */
	sim_sleep(1000000 - (uint64_t)f->f_i * f->f_n->n_skew);
	t0 = sim_now();
	for (i = 0; i < NPKT; i++) {
		(void)sys_send(s, buf, sizeof(buf), 0, &n);
		sim_sleep(t0 + (uint64_t)(i + 1) * PERIOD - sim_now());
	}
	sys_close(s);
}

/*
 * Work on R2 that keeps its CPU busy for the whole exchange, so that R2
 * is always ready to run: without the bound on other hosts' clocks
 * (rule (c)) it would run far ahead of R1 and take R1's frames late.
 */
static void
lwp_busy(void *a)
{
	int i;

	(void)a;
	for (i = 0; i < 20000; i++) {
		sim_charge(200);
		preempt_point();
	}
}

static void lwp_sink(void *a) { in_proc(sink, a); }
static void lwp_source(void *a) { in_proc(source, a); }

/*
 * L0..L2 -- R1 (2 CPUs) -- R2 -- R3 -- Q0..Q2 (or a hub of R3 and the
 * Qs).  Left links 10.0.i.0/30, core 10.128.j.0/30.
 */
static void
lan_build(struct lan *n, bool lookahead)
{
	struct world_config wc = { .wc_seed = 7, .wc_strategy = "default",
	    .wc_no_memcheck = true, .wc_lookahead = lookahead };
	struct net_link_params p, lossy;
	struct net_link *hub = NULL;
	char name[32];
	int i, j;

	n->n_w = world_create(&wc);
	ck_assert_ptr_nonnull(n->n_w);
	n->n_net = net_create(n->n_w);
	for (i = 0; i < NFLOW; i++) {
		snprintf(name, sizeof(name), "L%d", i);
		n->n_l[i] = world_host_create(n->n_w, name, 1);
		snprintf(name, sizeof(name), "Q%d", i);
		n->n_q[i] = world_host_create(n->n_w, name, 1);
	}
	for (j = 0; j < NROUTER; j++) {
		snprintf(name, sizeof(name), "R%d", j + 1);
		n->n_r[j] = world_host_create(n->n_w, name, j == 0 ? 2 : 1);
	}
	net_link_params_default(&p);
	lossy = p;
	lossy.nlp_loss = 0.1;
	/* R1: vnic0..2 to the Ls (interrupts on CPU i % 2), vnic3 core */
	for (i = 0; i < NFLOW; i++) {
		struct net_link_params pi = n->n_lossy && i == NFLOW - 1 ?
		    lossy : p;

		pi.nlp_delay += (uint64_t)i * n->n_skew;
		snprintf(name, sizeof(name), "l%d", i);
		ck_assert_ptr_nonnull(net_link_p2p(n->n_net, name,
		    net_nic_create(n->n_net, n->n_l[i], NULL, 0, 0),
		    net_nic_create(n->n_net, n->n_r[0], NULL, i % 2, 0), &pi));
	}
	for (j = 0; j + 1 < NROUTER; j++) {
		snprintf(name, sizeof(name), "c%d", j);
		ck_assert_ptr_nonnull(net_link_p2p(n->n_net, name,
		    net_nic_create(n->n_net, n->n_r[j], NULL, 1, 0),
		    net_nic_create(n->n_net, n->n_r[j + 1], NULL, 0, 0), &p));
	}
	if (n->n_hub) {
		hub = net_link_hub(n->n_net, "lan", &p);
		ck_assert_int_eq(net_link_attach(hub, net_nic_create(n->n_net,
		    n->n_r[NROUTER - 1], NULL, 0, 0)), 0);
	}
	for (i = 0; i < NFLOW; i++) {
		snprintf(name, sizeof(name), "q%d", i);
		if (hub != NULL)
			ck_assert_int_eq(net_link_attach(hub,
			    net_nic_create(n->n_net, n->n_q[i], NULL, 0, 0)),
			    0);
		else
			ck_assert_ptr_nonnull(net_link_p2p(n->n_net, name,
			    net_nic_create(n->n_net, n->n_r[NROUTER - 1], NULL,
			    0, 0),
			    net_nic_create(n->n_net, n->n_q[i], NULL, 0, 0),
			    &p));
	}
	ck_assert_int_ne(world_run(n->n_w, 1000000), WORLD_STOPPED);
}

static void
lan_configure(struct lan *n)
{
	const uint32_t L = 0x0a000000, Q = 0x0a400000, C = 0x0a800000;
	const uint32_t m30 = 0xfffffffcU, agg = 0xffc00000U;
	struct host *rk = n->n_r[NROUTER - 1];
	char ifn[16];
	int i, j;

	for (i = 0; i < NFLOW; i++) {
		addr(n->n_l[i], "vnic0", L + 4 * (uint32_t)i + 1, m30);
		snprintf(ifn, sizeof(ifn), "vnic%d", i);
		addr(n->n_r[0], ifn, L + 4 * (uint32_t)i + 2, m30);
		route(n->n_l[i], 0, 0, L + 4 * (uint32_t)i + 2);
		if (n->n_hub) {
			addr(n->n_q[i], "vnic0", q_addr(n, i), 0xffffff00U);
			route(n->n_q[i], 0, 0, Q + 1);
		} else {
			addr(n->n_q[i], "vnic0", q_addr(n, i), m30);
			snprintf(ifn, sizeof(ifn), "vnic%d", 1 + i);
			addr(rk, ifn, Q + 4 * (uint32_t)i + 1, m30);
			route(n->n_q[i], 0, 0, Q + 4 * (uint32_t)i + 1);
		}
	}
	if (n->n_hub)
		addr(rk, "vnic1", Q + 1, 0xffffff00U);
	for (j = 0; j + 1 < NROUTER; j++) {
		snprintf(ifn, sizeof(ifn), "vnic%d", j == 0 ? NFLOW : 1);
		addr(n->n_r[j], ifn, C + 4 * (uint32_t)j + 1, m30);
		addr(n->n_r[j + 1], "vnic0", C + 4 * (uint32_t)j + 2, m30);
		route(n->n_r[j], Q, agg, C + 4 * (uint32_t)j + 2);
		route(n->n_r[j + 1], L, agg, C + 4 * (uint32_t)j + 1);
	}
	for (j = 0; j < NROUTER; j++)
		ck_assert_int_eq(chain_forwarding(n->n_r[j]), 0);
}

static uint64_t
mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL + (h >> 29);
}

/* Run the flows; fill o with what the hosts observed. */
static void
lan_observe(bool lookahead, bool hub, bool lossy, uint64_t skew,
    struct obs *o)
{
	static struct lan n;
	struct host *all[2 * NFLOW + NROUTER];
	const struct net_kept *k;
	struct net_nic *nic;
	char name[32];
	uint64_t x0;
	size_t e;
	int i, h;

	memset(&n, 0, sizeof(n));
	memset(o, 0, sizeof(*o));
	n.n_hub = hub;
	n.n_lossy = lossy;
	n.n_skew = skew;
	lan_build(&n, lookahead);
	lan_configure(&n);
	for (i = 0; i < NFLOW; i++) {
		all[i] = n.n_l[i];
		all[NFLOW + i] = n.n_q[i];
		flows[i].f_n = &n;
		flows[i].f_i = i;
		host_spawn(n.n_q[i], "sink", -1, lwp_sink, &flows[i]);
		host_spawn(n.n_l[i], "source", -1, lwp_source, &flows[i]);
	}
	for (i = 0; i < NROUTER; i++)
		all[2 * NFLOW + i] = n.n_r[i];
	host_spawn(n.n_r[1], "busy", -1, lwp_busy, NULL);
	if (pcap_path != NULL) {
		ck_assert_int_eq(net_pcap_open(n.n_net, pcap_path), 0);
		net_pcap_all(n.n_net);
	}
	for (h = 0; h < 2 * NFLOW + NROUTER; h++)
		for (i = 0; i < 8; i++) {
			snprintf(name, sizeof(name), "%s:vnic%d",
			    host_name(all[h]), i);
			if ((nic = net_nic_lookup(n.n_net, name)) != NULL)
				ck_assert_int_eq(net_keep(nic, 100000), 0);
		}
	x0 = world_context_switches(n.n_w);
	/* a sink whose datagrams were lost waits until the end */
	ck_assert_int_ne(world_run(n.n_w, world_now(n.n_w) + 20000000),
	    WORLD_STOPPED);
	ck_assert_int_eq(world_nviolations(n.n_w), 0);
	o->o_ctxsw = world_context_switches(n.n_w) - x0;
	o->o_lasteps = world_lookahead_steps(n.n_w);
	o->o_steps = world_events(n.n_w);
	o->o_now = world_now(n.n_w);
	o->o_hash = world_trace_hash(n.n_w);
	for (h = 0; h < 2 * NFLOW + NROUTER; h++) {
		for (i = 0; i < 8; i++) {
			snprintf(name, sizeof(name), "%s:vnic%d",
			    host_name(all[h]), i);
			if ((nic = net_nic_lookup(n.n_net, name)) == NULL)
				continue;
			ck_assert_int_lt(o->o_nnic, 64);
			ck_assert_int_eq(net_kept_lost(nic), 0);
			o->o_nickept[o->o_nnic] = net_kept_count(nic);
			for (e = 0; (k = net_kept_get(nic, e)) != NULL; e++) {
				uint64_t d = mix(mix(k->nk_time,
				    k->nk_outbound), k->nk_len);

				for (size_t b = 0; b < k->nk_caplen; b++)
					d = mix(d, k->nk_data[b]);
				o->o_nicsum[o->o_nnic] = mix(
				    o->o_nicsum[o->o_nnic], d);
			}
			o->o_nnic++;
		}
	}
	memcpy(o->o_arrive, n.n_arrive, sizeof(o->o_arrive));
	memcpy(o->o_narrive, n.n_narrive, sizeof(o->o_narrive));
	for (h = 0; h < 2 * NFLOW + NROUTER; h++) {
		host_enter(all[h]);
		ip_getstat(&o->o_ip[h]);
		udp_getstat(&o->o_udp[h]);
		host_leave(all[h]);
	}
	if (pcap_path != NULL) {
		o->o_pcapframes = net_pcap_frames(n.n_net);
		net_pcap_close(n.n_net);
	}
	net_destroy(n.n_net);
	world_destroy(n.n_w);
}

static void
obs_same(const struct obs *a, const struct obs *b)
{
	int i, j;

	ck_assert_int_eq(a->o_nnic, b->o_nnic);
	for (i = 0; i < a->o_nnic; i++) {
		ck_assert_uint_eq(a->o_nickept[i], b->o_nickept[i]);
		ck_assert_msg(a->o_nicsum[i] == b->o_nicsum[i],
		    "NIC %d saw different frames or times", i);
	}
	for (i = 0; i < NFLOW; i++) {
		ck_assert_int_eq(a->o_narrive[i], b->o_narrive[i]);
		for (j = 0; j < a->o_narrive[i]; j++)
			ck_assert_uint_eq(a->o_arrive[i][j], b->o_arrive[i][j]);
	}
	for (i = 0; i < 2 * NFLOW + NROUTER; i++) {
		ck_assert_msg(memcmp(&a->o_ip[i], &b->o_ip[i],
		    sizeof(a->o_ip[i])) == 0, "host %d: IP counters differ", i);
		ck_assert_msg(memcmp(&a->o_udp[i], &b->o_udp[i],
		    sizeof(a->o_udp[i])) == 0, "host %d: UDP counters differ",
		    i);
	}
	ck_assert_uint_eq(a->o_steps, b->o_steps);
	ck_assert_uint_eq(a->o_now, b->o_now);
}

/* Point-to-point links only: every host may run ahead. */
START_TEST(test_same_behaviour_p2p)
{
	static struct obs on, off;
	int i;

	lan_observe(false, false, false, SKEW, &off);
	lan_observe(true, false, false, SKEW, &on);
	for (i = 0; i < NFLOW; i++)
		ck_assert_int_eq(off.o_narrive[i], NPKT);
	ck_assert_uint_eq(off.o_lasteps, 0);
	ck_assert_uint_gt(on.o_lasteps, 1000);
	fprintf(stderr, "p2p: %llu lookahead steps, switches %llu -> %llu\n",
	    (unsigned long long)on.o_lasteps, (unsigned long long)off.o_ctxsw,
	    (unsigned long long)on.o_ctxsw);
	obs_same(&on, &off);
	/* the interleaving of hosts did change */
	ck_assert_uint_ne(on.o_hash, off.o_hash);
}
END_TEST

/* A shared segment and a lossy link couple the hosts on them. */
START_TEST(test_same_behaviour_coupled)
{
	static struct obs on, off;
	int i;

	lan_observe(false, true, true, SKEW, &off);
	lan_observe(true, true, true, SKEW, &on);
	for (i = 0; i < NFLOW - 1; i++)
		ck_assert_int_eq(off.o_narrive[i], NPKT);
	/* 10 % loss on L2's link (both ways: ARP too) */
	ck_assert_int_lt(off.o_narrive[NFLOW - 1], NPKT * 95 / 100);
	ck_assert_int_gt(off.o_narrive[NFLOW - 1], NPKT / 2);
	fprintf(stderr, "coupled: %llu lookahead steps, switches %llu -> "
	    "%llu, L2 got %d\n", (unsigned long long)on.o_lasteps,
	    (unsigned long long)off.o_ctxsw, (unsigned long long)on.o_ctxsw,
	    off.o_narrive[NFLOW - 1]);
	ck_assert_uint_gt(on.o_lasteps, 100);
	obs_same(&on, &off);
}
END_TEST

START_TEST(test_engages_and_repeats)
{
	static struct obs on, on2, off;

	/* as bench_chain: every flow sends at the same instants */
	lan_observe(false, false, false, 0, &off);
	lan_observe(true, false, false, 0, &on);
	lan_observe(true, false, false, 0, &on2);
	ck_assert_uint_eq(on.o_hash, on2.o_hash);
	ck_assert_uint_eq(on.o_lasteps, on2.o_lasteps);
	/* measured: about one switch in three remains */
	ck_assert_msg(on.o_ctxsw * 2 < off.o_ctxsw, "context switches: %llu "
	    "with lookahead, %llu without", (unsigned long long)on.o_ctxsw,
	    (unsigned long long)off.o_ctxsw);
}
END_TEST

/* A whole file into memory. */
static uint8_t *
slurp(const char *path, size_t *lenp)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long len;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	ck_assert_int_gt(len, 0);
	rewind(fp);
	buf = calloc(1, (size_t)len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	*lenp = (size_t)len;
	return buf;
}

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* One enhanced packet block: where it starts in the file, its time. */
struct epb {
	const uint8_t	*e_blk;
	uint32_t	 e_len;
	uint64_t	 e_when;
};

/* The EPBs of a capture, in file order; returns how many. */
static size_t
epbs(const uint8_t *buf, size_t len, struct epb **out)
{
	size_t off = 0, n = 0, cap = 0;
	struct epb *e = NULL;
	uint32_t type, blen;

	while (off < len) {
		ck_assert_uint_ge(len - off, 12);
		type = get32(buf + off);
		blen = get32(buf + off + 4);
		ck_assert_uint_ge(blen, 12);
		ck_assert_uint_le(blen, len - off);
		ck_assert_uint_eq(get32(buf + off + blen - 4), blen);
		if (type == 6) {
			ck_assert_uint_ge(blen, 32);
			if (n == cap) {
				cap = cap != 0 ? 2 * cap : 1024;
				e = realloc(e, cap * sizeof(*e));
				ck_assert_ptr_nonnull(e);
			}
			e[n].e_blk = buf + off;
			e[n].e_len = blen;
			e[n].e_when = (uint64_t)get32(buf + off + 12) << 32 |
			    get32(buf + off + 16);
			n++;
		}
		off += blen;
	}
	*out = e;
	return n;
}

/* Blocks in a canonical order: time, then the bytes (interface too). */
static int
epb_cmp(const void *a, const void *b)
{
	const struct epb *x = a, *y = b;

	if (x->e_when != y->e_when)
		return x->e_when < y->e_when ? -1 : 1;
	if (x->e_len != y->e_len)
		return x->e_len < y->e_len ? -1 : 1;
	return memcmp(x->e_blk, y->e_blk, x->e_len);
}

/*
 * The capture of a network where lookahead engages (every flow sends at
 * the same instants, as bench_chain): in timestamp order with it, the
 * same frames as without it, and the same bytes run after run.
 */
START_TEST(test_capture_order)
{
	static struct obs off, on, on2;
	char poff[64], pon[64], pon2[64];
	struct epb *eoff, *eon, *eon2;
	uint8_t *boff, *bon, *bon2;
	size_t loff, lon, lon2, noff, non, non2, i, back = 0;

	snprintf(poff, sizeof(poff), "/tmp/knit-la-%d-off.pcapng",
	    (int)getpid());
	snprintf(pon, sizeof(pon), "/tmp/knit-la-%d-on.pcapng", (int)getpid());
	snprintf(pon2, sizeof(pon2), "/tmp/knit-la-%d-on2.pcapng",
	    (int)getpid());
	pcap_path = poff;
	lan_observe(false, false, false, 0, &off);
	pcap_path = pon;
	lan_observe(true, false, false, 0, &on);
	pcap_path = pon2;
	lan_observe(true, false, false, 0, &on2);
	pcap_path = NULL;
	ck_assert_uint_gt(on.o_lasteps, 1000);
	boff = slurp(poff, &loff);
	bon = slurp(pon, &lon);
	bon2 = slurp(pon2, &lon2);
	/* (3) run twice: the same file */
	ck_assert_uint_eq(lon, lon2);
	ck_assert_msg(memcmp(bon, bon2, lon) == 0,
	    "two runs with lookahead wrote different captures");
	noff = epbs(boff, loff, &eoff);
	non = epbs(bon, lon, &eon);
	non2 = epbs(bon2, lon2, &eon2);
	ck_assert_uint_eq(non, non2);
	/* every frame of every NIC: 3 flows x 150 datagrams x 4 hops x 2 */
	ck_assert_uint_gt(non, NFLOW * NPKT * 8);
	ck_assert_uint_eq(non, on.o_pcapframes);
	ck_assert_uint_eq(noff, off.o_pcapframes);
	/* (1) timestamps never go back */
	for (i = 1; i < non; i++)
		if (eon[i].e_when < eon[i - 1].e_when)
			back++;
	ck_assert_msg(back == 0, "%zu of %zu frames are stamped before the "
	    "frame before them", back, non);
	/* (2) the same frames (interface, time, flags, bytes) both ways */
	ck_assert_uint_eq(non, noff);
	ck_assert_uint_eq(lon, loff);
	/* the section and interface blocks before the first frame too */
	ck_assert_int_eq(eon[0].e_blk - bon, eoff[0].e_blk - boff);
	ck_assert_int_eq(memcmp(bon, boff, (size_t)(eon[0].e_blk - bon)), 0);
	qsort(eoff, noff, sizeof(*eoff), epb_cmp);
	qsort(eon, non, sizeof(*eon), epb_cmp);
	for (i = 0; i < non; i++)
		ck_assert_msg(epb_cmp(&eoff[i], &eon[i]) == 0,
		    "frame %zu (by time) differs with lookahead", i);
	free(eoff);
	free(eon);
	free(eon2);
	free(boff);
	free(bon);
	free(bon2);
	unlink(poff);
	unlink(pon);
	unlink(pon2);
}
END_TEST

/* What couples hosts, and the least link delay the rule uses. */
START_TEST(test_link_lookahead)
{
	struct world_config wc = { .wc_seed = 1, .wc_lookahead = true };
	struct net_link_params p;
	struct net_link *l;
	struct world *w;
	struct host *a, *b, *c;
	struct net *n;

	w = world_create(&wc);
	ck_assert(world_lookahead(w));
	n = net_create(w);
	a = world_host_create(w, "a", 1);
	b = world_host_create(w, "b", 1);
	c = world_host_create(w, "c", 1);
	ck_assert_uint_eq(world_link_lookahead(w), UINT64_MAX);
	net_link_params_default(&p);
	p.nlp_delay = 7000;
	/* a link between two NICs of one host bounds nothing */
	ck_assert_ptr_nonnull(net_link_p2p(n, "self",
	    net_nic_create(n, a, NULL, 0, 0), net_nic_create(n, a, NULL, 0, 0),
	    &p));
	ck_assert_uint_eq(world_link_lookahead(w), UINT64_MAX);
	l = net_link_p2p(n, "ab", net_nic_create(n, a, NULL, 0, 0),
	    net_nic_create(n, b, NULL, 0, 0), &p);
	ck_assert_uint_eq(world_link_lookahead(w), 7000);
	p.nlp_delay = 3000;
	net_link_set_params(l, &p);
	ck_assert_uint_eq(world_link_lookahead(w), 3000);
	/* loss couples a and b instead of bounding the others */
	p.nlp_loss = 0.5;
	net_link_set_params(l, &p);
	ck_assert_uint_eq(world_link_lookahead(w), UINT64_MAX);
	(void)c;
	world_set_lookahead(w, false);
	ck_assert(!world_lookahead(w));
	net_destroy(n);
	world_destroy(w);

	/* a strategy that chooses among options never looks ahead */
	wc.wc_strategy = "random";
	w = world_create(&wc);
	ck_assert(!world_lookahead(w));
	world_destroy(w);
}
END_TEST

static int fired[8], nfired;

static void
note(void *arg)
{
	fired[nfired++] = (int)(intptr_t)arg;
}

static void
note_ev(struct evq_event *ev, void *arg)
{
	(void)ev;
	note(arg);
}

/*
 * Events at equal times fire by who queued them, not by when: first
 * those queued outside any host, then by host, each host's in its own
 * order.  So a host that runs ahead and queues early changes nothing.
 */
START_TEST(test_equal_times_per_host)
{
	struct world_config wc = { .wc_seed = 1, .wc_lookahead = true };
	static struct evq_event ev[4];
	struct world *w;
	struct host *a, *b;

	w = world_create(&wc);
	a = world_host_create(w, "a", 1);
	b = world_host_create(w, "b", 1);
	ck_assert_int_eq(world_run(w, 1000000), WORLD_QUIESCENT);
	nfired = 0;
	for (int i = 0; i < 4; i++)
		evq_event_init(&ev[i], note_ev, (void *)(intptr_t)i);
	host_enter(b);			/* b queues first ... */
	evq_insert(world_evq(w), &ev[0], 5000000);
	evq_insert(world_evq(w), &ev[1], 5000000);
	host_leave(b);
	host_enter(a);			/* ... then a */
	evq_insert(world_evq(w), &ev[2], 5000000);
	host_leave(a);
	(void)world_call_at(w, 5000000, note, (void *)(intptr_t)3);
	ck_assert_int_eq(world_run(w, 6000000), WORLD_QUIESCENT);
	ck_assert_int_eq(nfired, 4);
	ck_assert_int_eq(fired[0], 3);	/* the world's */
	ck_assert_int_eq(fired[1], 2);	/* a's */
	ck_assert_int_eq(fired[2], 0);	/* b's, in b's order */
	ck_assert_int_eq(fired[3], 1);
	world_destroy(w);
}
END_TEST

static void
nop(struct evq_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
}

/*
 * The per-owner heaps against a scan: random inserts, re-inserts,
 * cancels and pops over several owners, tracking switched on midway.
 */
START_TEST(test_evq_owners)
{
	enum { NEV = 300, NOWN = 5 };
	static struct evq_event ev[NEV];
	struct evq q;
	uint64_t s = 88172645463325252ULL, t, best;
	int i, op, o;

	evq_init(&q);
	for (i = 0; i < NEV; i++) {
		evq_event_init(&ev[i], nop, NULL);
		ev[i].ev_owner = i % (NOWN + 1) - 1;	/* -1 .. NOWN - 1 */
	}
	for (op = 0; op < 20000; op++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		i = (int)(s % NEV);
		if (op == 500)
			evq_track_owners(&q, true, 4);	/* grows below */
		if (op == 900)
			evq_track_owners(&q, true, NOWN + 1);
		switch ((s >> 20) % 4) {
		case 0:
		case 1:
			evq_insert(&q, &ev[i], (s >> 32) % 1000);
			break;
		case 2:
			(void)evq_cancel(&q, &ev[i]);
			break;
		default:
			(void)evq_pop(&q);
			break;
		}
		ck_assert(evq_check(&q));
		if (op < 900)
			continue;
		for (o = -1; o < NOWN; o++) {
			best = UINT64_MAX;
			for (i = 0; i < NEV; i++)
				if (evq_queued(&ev[i]) && ev[i].ev_owner == o &&
				    ev[i].ev_time < best)
					best = ev[i].ev_time;
			t = evq_owner_first_time(&q, o);
			ck_assert_uint_eq(t, best);
		}
	}
	evq_fini(&q);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lookahead");
	TCase *tc = tcase_create("lookahead");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_evq_owners);
	tcase_add_test(tc, test_link_lookahead);
	tcase_add_test(tc, test_equal_times_per_host);
	tcase_add_test(tc, test_same_behaviour_p2p);
	tcase_add_test(tc, test_same_behaviour_coupled);
	tcase_add_test(tc, test_engages_and_repeats);
	tcase_add_test(tc, test_capture_order);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
