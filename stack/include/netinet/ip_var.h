/*
 * IPv4 protocol state, counters and entry points.
 */
#ifndef _KNIT_NETINET_IP_VAR_H_
#define _KNIT_NETINET_IP_VAR_H_

#include "net/route.h"
#include "netinet/ip.h"
#include "sys/vnet.h"

struct mbuf;
struct ifnet;

/* Counters (netstat -s -p ip). */
struct ipstat {
	uint64_t	ips_total;	/* packets received */
	uint64_t	ips_badsum;	/* header checksum bad */
	uint64_t	ips_tooshort;	/* shorter than the header says */
	uint64_t	ips_toosmall;	/* not enough data for a header */
	uint64_t	ips_badhlen;	/* header length < 20 or > data */
	uint64_t	ips_badlen;	/* total length < header length */
	uint64_t	ips_badvers;	/* version != 4 */
	uint64_t	ips_badoptions;	/* malformed options */
	uint64_t	ips_toolong;	/* total length > what arrived? no: > 65535 */
	uint64_t	ips_fragments;	/* fragments received */
	uint64_t	ips_fragdropped; /* fragments dropped (bad, overlap) */
	uint64_t	ips_fragtimeout; /* fragments dropped by the timeout */
	uint64_t	ips_reassembled; /* datagrams reassembled */
	uint64_t	ips_fragqueues;	/* datagrams being reassembled now */
	uint64_t	ips_fragmented;	/* datagrams fragmented on output */
	uint64_t	ips_ofragments;	/* fragments created */
	uint64_t	ips_forward;	/* packets forwarded */
	uint64_t	ips_cantforward; /* not forwarded (forwarding off, ...) */
	uint64_t	ips_noroute;	/* no route (output or forward) */
	uint64_t	ips_delivered;	/* to upper layers */
	uint64_t	ips_localout;	/* generated here */
	uint64_t	ips_odropped;	/* output dropped (no buffers, queue) */
	uint64_t	ips_cantfrag;	/* DF set and too big */
	uint64_t	ips_noproto;	/* unknown protocol */
	uint64_t	ips_timxceed;	/* TTL expired in transit */
	uint64_t	ips_rejected;	/* reject / blackhole routes */
	uint64_t	ips_qdrop;	/* input queue full */
};

/* ip_output flags */
#define IP_FORWARDING		0x0001	/* forwarding: keep the header */
#define IP_RAWOUTPUT		0x0002	/* header built by the caller */
#define IP_ROUTETOIF		0x0010	/* bypass the table (SO_DONTROUTE) */
#define IP_ALLOWBROADCAST	0x0020

VNET_DECLARE(int, ipforwarding);
#define V_ipforwarding	VNET(ipforwarding)
VNET_DECLARE(int, ip_defttl);
#define V_ip_defttl	VNET(ip_defttl)
VNET_DECLARE(struct route, ipforward_rt);
#define V_ipforward_rt	VNET(ipforward_rt)
struct pktqueue;
VNET_DECLARE(struct pktqueue *, ip_pktq);
#define V_ip_pktq	VNET(ip_pktq)
VNET_DECLARE(struct ipstat, ipstat);
#define V_ipstat	VNET(ipstat)
#define IP_STATINC(x)	(V_ipstat.x++)

/*
 * Send m (a complete IPv4 packet, ip_len/ip_off in network order).
 * ro: the caller's route cache, or NULL for an on-stack one.  Errors:
 * EHOSTUNREACH no route (or reject host route), ENETUNREACH reject net
 * route / no interface for IP_ROUTETOIF, EMSGSIZE too big with DF (and
 * *mtup set to the MTU when mtup is not NULL), ENETDOWN interface down,
 * ENOBUFS.  m is always consumed.
 */
int	ip_output(struct mbuf *m, struct route *ro, int flags, u_long *mtup);
/*
 * Raw ICMP sockets (raw_ip.c): rip_input queues a copy of an ICMP
 * datagram (m not consumed) on every AF_INET raw socket, with
 * softnet_lock held.  rip_ctloutput serves both families.
 */
struct socket;
struct sockopt;
struct lwp;
void	rip_input(struct mbuf *, int hlen);
/* Common PRU_ATTACH prelude of the INET protocols (udp_pcb.c). */
int	in_attach_socket(struct socket *, u_long sendspace, u_long recvspace);
int	rip_usrreq(struct socket *, int, struct mbuf *, struct sockaddr *,
	    struct mbuf *, struct lwp *);
int	rip_ctloutput(int op, struct socket *, struct sockopt *);
/* A packet arrived (ipintr, with softnet_lock held). */
void	ip_input(struct mbuf *);
void	ip_getstat(struct ipstat *);
/* The next IP id of this host. */
uint16_t ip_newid(void);

/* Checksums (in_cksum.c): sum over len bytes of m from off. */
uint16_t in_cksum(struct mbuf *, int len);
uint16_t in_cksum_off(struct mbuf *, int off, int len);
/* Transport checksum with the IPv4 pseudo-header. */
uint16_t in4_cksum(struct mbuf *, uint8_t nxt, int off, int len);
/* Internet checksum of a flat buffer (folded, complemented). */
uint16_t in_cksum_buf(const void *, int len);

/*
 * Fragments (ip_frag.c).  ip_reass_packet: m, a fragment for this host
 * (header contiguous, checksum checked), is consumed; returns the whole
 * datagram (ip_len, ip_off and the checksum rewritten) when m completed
 * it, else NULL.  ip_fragment: send m (no DF, larger than mtu) as
 * fragments through ifp; consumes m; 0, EMSGSIZE (mtu too small), ENOBUFS
 * or the interface's error.  ip_reass_stat fills the fragment counters.
 */
struct mbuf *ip_reass_packet(struct mbuf *);
int	ip_fragment(struct mbuf *, struct ifnet *, u_long mtu,
	    const struct sockaddr *dst, struct rtentry *);
void	ip_reass_stat(struct ipstat *);

/* Deliver to the upper protocol (ip_input: protocol switch). */
void	udp_input(struct mbuf *, int off);

#endif /* !_KNIT_NETINET_IP_VAR_H_ */
