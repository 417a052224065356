/*
 * ARP for IPv4 over Ethernet: the IPv4 neighbour table.
 */
#ifndef _KNIT_NETINET_IF_INARP_H_
#define _KNIT_NETINET_IF_INARP_H_

#include "net/lltable.h"
#include "netinet/in.h"

struct ifnet;
struct mbuf;
struct pktqueue;

VNET_DECLARE(struct lltable, arp_table);
#define V_arp_table	VNET(arp_table)
VNET_DECLARE(struct pktqueue *, arp_pktq);
#define V_arp_pktq	VNET(arp_pktq)

struct arpstat {
	uint64_t	as_sndrequest;
	uint64_t	as_sndreply;
	uint64_t	as_rcvrequest;
	uint64_t	as_rcvreply;
	uint64_t	as_rcvbadproto;	/* malformed / not IPv4 over Ethernet */
	uint64_t	as_rcvlocalsha;	/* our own hardware address */
	uint64_t	as_dupips;	/* someone claims our address */
};
VNET_DECLARE(struct arpstat, arpstat);
#define V_arpstat	VNET(arpstat)

/*
 * Resolve dst on ifp for m: 0 with desten filled (send m), or nonzero
 * when m was held (or dropped) waiting for an answer.
 */
int	arpresolve(struct ifnet *, struct in_addr dst, struct mbuf *m,
	    uint8_t *desten);
/* Send a request for tip from our address on ifp. */
void	arprequest(struct ifnet *, struct in_addr tip);
bool	arp_lookup(struct ifnet *, struct in_addr, uint8_t *lladdr);

#endif /* !_KNIT_NETINET_IF_INARP_H_ */
