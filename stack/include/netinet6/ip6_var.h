/*
 * IPv6 protocol state, counters and entry points.
 */
#ifndef _KNIT_NETINET6_IP6_VAR_H_
#define _KNIT_NETINET6_IP6_VAR_H_

#include "net/route.h"
#include "netinet6/ip6.h"
#include "sys/vnet.h"

struct mbuf;
struct ifnet;
struct pktqueue;

struct ip6stat {
	uint64_t	ip6s_total;
	uint64_t	ip6s_tooshort;	/* shorter than the payload length says */
	uint64_t	ip6s_toosmall;	/* not even a header */
	uint64_t	ip6s_badvers;
	uint64_t	ip6s_badscope;
	uint64_t	ip6s_forward;
	uint64_t	ip6s_cantforward;
	uint64_t	ip6s_noroute;
	uint64_t	ip6s_delivered;
	uint64_t	ip6s_localout;
	uint64_t	ip6s_odropped;
	uint64_t	ip6s_toobig;	/* packet too big (not forwarded/sent) */
	uint64_t	ip6s_timxceed;
	uint64_t	ip6s_noproto;
	uint64_t	ip6s_rejected;
	uint64_t	ip6s_fragments;	/* fragments received */
	uint64_t	ip6s_fragdropped; /* dropped: bad, overlapping, bounds */
	uint64_t	ip6s_fragtimeout; /* dropped by the timeout */
	uint64_t	ip6s_reassembled; /* datagrams reassembled */
	uint64_t	ip6s_fragqueues; /* datagrams being reassembled now */
	uint64_t	ip6s_atomicfrags; /* fragment headers of whole packets */
	uint64_t	ip6s_fragmented; /* datagrams fragmented on output */
	uint64_t	ip6s_ofragments; /* fragments created */
};

#define IPV6_FORWARDING		0x01	/* ip6_output flags */

VNET_DECLARE(int, ip6_forwarding);
#define V_ip6_forwarding VNET(ip6_forwarding)
VNET_DECLARE(struct route, ip6_forward_rt);
#define V_ip6_forward_rt VNET(ip6_forward_rt)
VNET_DECLARE(struct ip6stat, ip6stat);
#define V_ip6stat	VNET(ip6stat)
VNET_DECLARE(struct pktqueue *, ip6_pktq);
#define V_ip6_pktq	VNET(ip6_pktq)

/*
 * Send m (a complete IPv6 packet).  ro: the caller's cache or NULL.
 * Errors as ip_output; EMSGSIZE with *mtup when too big.
 */
/*
 * Raw ICMPv6 sockets (netinet/raw_ip.c): rip6_input queues a copy of the
 * ICMPv6 message at off (m not consumed) on every AF_INET6 raw socket,
 * with softnet_lock held.
 */
struct socket;
struct lwp;
void	rip6_input(struct mbuf *, int off);
int	rip6_usrreq(struct socket *, int, struct mbuf *, struct sockaddr *,
	    struct mbuf *, struct lwp *);
int	ip6_output(struct mbuf *m, struct route *ro, int flags, u_long *mtup);
void	ip6_input(struct mbuf *);
/* Our source address for dst (scopes embedded): 0 or an errno. */
int	in6_src_for(const struct in6_addr *dst, struct in6_addr *src);
/* Send a neighbour discovery packet out of ifp, no routing. */
int	ip6_nd_output(struct ifnet *, struct mbuf *);
void	ip6_getstat(struct ip6stat *);
/* Transport checksum with the IPv6 pseudo-header. */
uint16_t in6_cksum(struct mbuf *, uint8_t nxt, int off, int len);
void	udp6_input(struct mbuf *, int off);
/*
 * Fragments (ip6_frag.c).  frag6_input: m (for this host) has a fragment
 * header right after the IPv6 header; m is consumed.  Returns the
 * datagram without the fragment header (ip6_nxt, ip6_plen rewritten)
 * once complete, else NULL.  frag6_output: send m, larger than mtu, as
 * fragments through ifp (scopes already cleared); consumes m.
 * frag6_stat fills the fragment counters.
 */
struct mbuf *frag6_input(struct mbuf *);
int	frag6_output(struct mbuf *, struct ifnet *, u_long mtu,
	    const struct sockaddr *dst, struct rtentry *);
void	frag6_stat(struct ip6stat *);
/* A packet too big arrived: ICMPv6 header at off (path MTU discovery). */
void	frag6_mtudisc(struct mbuf *, int off);

#endif /* !_KNIT_NETINET6_IP6_VAR_H_ */
