/*
 * The UDP header (RFC 768).
 */
#ifndef _KNIT_NETINET_UDP_H_
#define _KNIT_NETINET_UDP_H_

#include "sys/systm.h"

struct udphdr {
	uint16_t	uh_sport;
	uint16_t	uh_dport;
	uint16_t	uh_ulen;	/* header + data */
	uint16_t	uh_sum;		/* 0: none (IPv4 only) */
};
CTASSERT(sizeof(struct udphdr) == 8);

#endif /* !_KNIT_NETINET_UDP_H_ */
