/*
 * The IPv4 header (RFC 791).
 */
#ifndef _KNIT_NETINET_IP_H_
#define _KNIT_NETINET_IP_H_

#include "netinet/in.h"

#define IPVERSION	4

struct ip {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint8_t		ip_hl:4,	/* header length in 32-bit words */
			ip_v:4;		/* version */
#else
	uint8_t		ip_v:4,
			ip_hl:4;
#endif
	uint8_t		ip_tos;
	uint16_t	ip_len;		/* total length, network order */
	uint16_t	ip_id;
	uint16_t	ip_off;		/* flags and fragment offset */
	uint8_t		ip_ttl;
	uint8_t		ip_p;		/* protocol */
	uint16_t	ip_sum;		/* header checksum */
	struct in_addr	ip_src, ip_dst;
};
CTASSERT(sizeof(struct ip) == 20);

#define IP_RF		0x8000		/* reserved fragment flag */
#define IP_DF		0x4000		/* don't fragment */
#define IP_MF		0x2000		/* more fragments */
#define IP_OFFMASK	0x1fff

#define IP_MAXPACKET	65535
#define MAXTTL		255
#define IPDEFTTL	64
#define IPTTLDEC	1

/* Options (only parsed to be skipped or rejected). */
#define IPOPT_EOL	0
#define IPOPT_NOP	1
#define IPOPT_OLEN	1
/* Options with this bit in their type go into every fragment. */
#define IPOPT_COPIED(o)	((o) & 0x80)

#endif /* !_KNIT_NETINET_IP_H_ */
