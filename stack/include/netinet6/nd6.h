/*
 * IPv6 Neighbor Discovery (RFC 4861): neighbour solicitation and
 * advertisement over Ethernet, the IPv6 neighbour table.
 */
#ifndef _KNIT_NETINET6_ND6_H_
#define _KNIT_NETINET6_ND6_H_

#include "net/lltable.h"
#include "netinet6/in6.h"

struct ifnet;
struct mbuf;

VNET_DECLARE(struct lltable, nd6_table);
#define V_nd6_table	VNET(nd6_table)

struct nd_neighbor_solicit {
	uint8_t		nd_ns_type;	/* 135 */
	uint8_t		nd_ns_code;
	uint16_t	nd_ns_cksum;
	uint32_t	nd_ns_reserved;
	struct in6_addr	nd_ns_target;
	/* options: source link-layer address */
};

struct nd_neighbor_advert {
	uint8_t		nd_na_type;	/* 136 */
	uint8_t		nd_na_code;
	uint16_t	nd_na_cksum;
	uint32_t	nd_na_flags_reserved;
	struct in6_addr	nd_na_target;
	/* options: target link-layer address */
};
#define ND_NA_FLAG_ROUTER	0x80000000
#define ND_NA_FLAG_SOLICITED	0x40000000
#define ND_NA_FLAG_OVERRIDE	0x20000000

#define ND_OPT_SOURCE_LINKADDR	1
#define ND_OPT_TARGET_LINKADDR	2

/* 0 with desten filled, or nonzero when m was held (or dropped). */
int	nd6_resolve(struct ifnet *, const struct in6_addr *, struct mbuf *,
	    uint8_t *desten);
bool	nd6_lookup(struct ifnet *, const struct in6_addr *, uint8_t *);
/* ICMPv6 input for types 135/136 (m starts at the IPv6 header). */
void	nd6_ns_input(struct mbuf *, int off, int icmp6len);
void	nd6_na_input(struct mbuf *, int off, int icmp6len);

#endif /* !_KNIT_NETINET6_ND6_H_ */
