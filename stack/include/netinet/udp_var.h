/*
 * UDP state: counters, and the PCB hooks used by udp_input.
 */
#ifndef _KNIT_NETINET_UDP_VAR_H_
#define _KNIT_NETINET_UDP_VAR_H_

#include "netinet/udp.h"
#include "sys/vnet.h"

struct mbuf;

struct udpstat {
	uint64_t	udps_ipackets;
	uint64_t	udps_hdrops;	/* shorter than a header */
	uint64_t	udps_badsum;
	uint64_t	udps_badlen;
	uint64_t	udps_noport;
	uint64_t	udps_noportbcast;
	uint64_t	udps_fullsock;	/* receive buffer full */
	uint64_t	udps_opackets;
	uint64_t	udps_delivered;
};
VNET_DECLARE(struct udpstat, udpstat);
#define V_udpstat	VNET(udpstat)
void	udp_getstat(struct udpstat *);

/*
 * Deliver to the PCB bound to the destination (udp_pcb.c); true when
 * m was consumed.  m starts at the IP header; off is the UDP header.
 */
bool	udp4_deliver(struct mbuf *, int off, const struct udphdr *);
bool	udp6_deliver(struct mbuf *, int off, const struct udphdr *);

#endif /* !_KNIT_NETINET_UDP_VAR_H_ */
