/*
 * Ethernet framing (IEEE 802.3 / DIX) and ARP packets.
 */
#ifndef _KNIT_NET_IF_ETHER_H_
#define _KNIT_NET_IF_ETHER_H_

#include "sys/systm.h"

struct ifnet;
struct mbuf;
struct sockaddr;
struct rtentry;

#define ETHER_ADDR_LEN	6
#define ETHER_TYPE_LEN	2
#define ETHER_HDR_LEN	(ETHER_ADDR_LEN * 2 + ETHER_TYPE_LEN)
#define ETHER_MIN_LEN	60	/* without FCS */
/* bytes a receive buffer starts in by, so that the header after a
 * 14-byte Ethernet header is 4-byte aligned */
#define ETHER_ALIGN	2
#define ETHERMTU	1500
#define ETHERMTU_JUMBO	9000

struct ether_header {
	uint8_t		ether_dhost[ETHER_ADDR_LEN];
	uint8_t		ether_shost[ETHER_ADDR_LEN];
	uint16_t	ether_type;	/* network order */
};
CTASSERT(sizeof(struct ether_header) == 14);

#define ETHERTYPE_IP	0x0800
#define ETHERTYPE_ARP	0x0806
#define ETHERTYPE_IPV6	0x86dd

#define ETHER_IS_MULTICAST(a)	((a)[0] & 0x01)

extern const uint8_t etherbroadcastaddr[ETHER_ADDR_LEN];

/* ARP over Ethernet for IPv4 (RFC 826). */
struct ether_arp {
	uint16_t	arp_hrd;	/* ARPHRD_ETHER */
	uint16_t	arp_pro;	/* ETHERTYPE_IP */
	uint8_t		arp_hln;	/* 6 */
	uint8_t		arp_pln;	/* 4 */
	uint16_t	arp_op;		/* ARPOP_* */
	uint8_t		arp_sha[ETHER_ADDR_LEN];
	uint8_t		arp_spa[4];
	uint8_t		arp_tha[ETHER_ADDR_LEN];
	uint8_t		arp_tpa[4];
};
#define ARPHRD_ETHER	1
#define ARPOP_REQUEST	1
#define ARPOP_REPLY	2

/* Attach an Ethernet interface (sets if_output, if_input, lladdr). */
void	ether_ifattach(struct ifnet *, const uint8_t *lla);
void	ether_ifdetach(struct ifnet *);
int	ether_output(struct ifnet *, struct mbuf *, const struct sockaddr *,
	    struct rtentry *);
/* A received frame (hard interrupt context): demultiplex and queue. */
void	ether_input(struct ifnet *, struct mbuf *);
const char *ether_sprintf(const uint8_t *);

#endif /* !_KNIT_NET_IF_ETHER_H_ */
