/*
 * Test helpers for simulated networks: worlds with hosts, NICs and
 * links, configured in each host's kernel context (host_enter), with
 * traffic from the kernel's own echo senders.
 */
#ifndef _KNIT_TESTS_NET_TNET_H_
#define _KNIT_TESTS_NET_TNET_H_

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"
#include "net/net.h"

struct ifnet;

#define TN_MAXHOSTS	64

struct tnet {
	struct world	*tn_w;
	struct net	*tn_n;
	struct host	*tn_h[TN_MAXHOSTS];
	int		 tn_nh;
	bool		 tn_checked;	/* lock-order checker attached */
};

void	tn_init(struct tnet *, uint64_t seed);
/*
 * The same with a scheduling strategy ("random", ...) and the lock-order
 * checker on; tn_fini ends the check (its violations fail the test).
 */
void	tn_init_checked(struct tnet *, uint64_t seed, const char *strategy);
struct host *tn_host(struct tnet *, const char *name, int ncpu);
struct net_nic *tn_nic(struct tnet *, struct host *);
/* A point-to-point link between new NICs on a and b (params may be NULL). */
struct net_link *tn_p2p(struct tnet *, const char *name, struct host *a,
	    struct host *b, const struct net_link_params *);
/* Run the world for ns of virtual time. */
void	tn_run(struct tnet *, uint64_t ns);
/* Check no violation, no mbuf left on any host; destroy. */
void	tn_fini(struct tnet *);
uint64_t tn_mbufs(struct tnet *, struct host *);

/* Configuration (each enters the host's context). "10.0.0.1/24" */
int	tn_addr(struct host *, const char *ifname, const char *cidr);
int	tn_deladdr(struct host *, const char *ifname, const char *addr);
/* "dst/len" or "default"; gw an address; flags beyond UP|GATEWAY|STATIC */
int	tn_route(struct host *, int req, const char *dst, const char *gw,
	    int extraflags);
void	tn_forwarding(struct host *, bool on);
int	tn_policy(struct host *, const char *policy);
int	tn_ifflags(struct host *, const char *ifname, bool up);

/*
 * The PR kern/3508 forwarding topology: s -- r, r -- n1 -- d and
 * r -- n2 -- d, with d's address 10.9.0.1 behind both next hops.  r
 * forwards 10.9.0.0/16 to n1 (10.0.2.2) under route-cache policy
 * `policy'; a test then adds 10.9.0.0/24 via n2 (10.0.3.2).
 */
struct tn_pr3508 {
	struct host	*p_s, *p_r, *p_n1, *p_n2, *p_d;
};
void	tn_pr3508(struct tnet *, const char *policy, struct tn_pr3508 *);

/*
 * a - b over link "ab": 10.0.0.1/24 and 10.0.0.2/24 on their vnic0, and
 * 2001:db8::1/64, 2001:db8::2/64 too when v6; the kernels booted.
 */
void	tn_pair(struct tnet *, struct host **a, struct host **b, bool v6);

/*
 * a - r1 - r2 - b (hp[0..3]) over links l1, l2, l3: 10.0.N.0/24 and
 * 2001:db8:N::/64 on link N, routes both ways, r1 and r2 forwarding,
 * 127.0.0.1 on every lo0.  l1 has parameters p1 (NULL: defaults), l2
 * the MTU mtu2.
 */
void	tn_chain3(struct tnet *, struct host **hp,
	    const struct net_link_params *p1, unsigned mtu2);

/* Traffic and counters. */
int	tn_ping(struct host *, const char *dst, uint16_t seq, int datalen,
	    int ttl, bool df);
/* link-local destinations need the interface: "fe80::1%vnic0" */
uint64_t tn_echo_replies(struct host *, int family);
/* IPv4 packets the host has forwarded (ips_forward). */
uint64_t tn_forwarded4(struct host *);
uint64_t tn_icmp_in(struct host *, int family, int type);
struct ifnet *tn_ifp(struct host *, const char *ifname);
uint64_t tn_opackets(struct host *, const char *ifname);

/* Hand a raw frame to ifname's Ethernet input, as its driver would. */
void	tn_inject(struct host *, const char *ifname, const void *, size_t);

/*
 * Run `tshark -r path args -T fields -E separator=,' (args names the
 * fields with -e) and call fn(arg, f) for every line, f[0..nfields-1]
 * its fields ("" when absent).  Returns the number of lines; fails the
 * test when tshark is missing or fails.
 */
#define TN_TSHARK_MAXFIELDS	8
int	tn_tshark(const char *path, const char *args, int nfields,
	    void (*fn)(void *, char **), void *arg);

bool	tn_parse4(const char *, void *in_addr);
bool	tn_parse6(const char *, void *in6_addr);

#endif /* !_KNIT_TESTS_NET_TNET_H_ */
