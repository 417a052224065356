/*
 * The IPv6 header (RFC 8200).
 */
#ifndef _KNIT_NETINET6_IP6_H_
#define _KNIT_NETINET6_IP6_H_

#include "netinet6/in6.h"

struct ip6_hdr {
	uint32_t	ip6_flow;	/* version 4 bits, class 8, flow 20 */
	uint16_t	ip6_plen;	/* payload length */
	uint8_t		ip6_nxt;	/* next header */
	uint8_t		ip6_hlim;	/* hop limit */
	struct in6_addr	ip6_src;
	struct in6_addr	ip6_dst;
};
CTASSERT(sizeof(struct ip6_hdr) == 40);

/* The fragment header (next header 44). */
struct ip6_frag {
	uint8_t		ip6f_nxt;	/* header after the fragmentable part */
	uint8_t		ip6f_reserved;
	uint16_t	ip6f_offlg;	/* offset, 2 reserved bits, M */
	uint32_t	ip6f_ident;
};
CTASSERT(sizeof(struct ip6_frag) == 8);
#define IP6F_OFF_MASK		0xfff8	/* of ntohs(ip6f_offlg) */
#define IP6F_MORE_FRAG		0x0001

#define IPV6_VERSION		0x60
#define IPV6_VERSION_MASK	0xf0
#define IPV6_DEFHLIM		64
#define IPV6_MMTU		1280	/* minimal MTU */
#define IPV6_MAXPACKET		65535

#endif /* !_KNIT_NETINET6_IP6_H_ */
