/*
 * ICMPv6 (RFC 4443): header, types, codes and counters.
 */
#ifndef _KNIT_NETINET6_ICMP6_H_
#define _KNIT_NETINET6_ICMP6_H_

#include "netinet6/ip6.h"

struct icmp6_hdr {
	uint8_t		icmp6_type;
	uint8_t		icmp6_code;
	uint16_t	icmp6_cksum;
	union {
		uint32_t	icmp6_un_data32[1];
		uint16_t	icmp6_un_data16[2];
		uint8_t		icmp6_un_data8[4];
	} icmp6_dataun;
};
#define icmp6_data32	icmp6_dataun.icmp6_un_data32
#define icmp6_data16	icmp6_dataun.icmp6_un_data16
#define icmp6_mtu	icmp6_data32[0]
#define icmp6_pptr	icmp6_data32[0]	/* parameter problem: offset */
#define icmp6_id	icmp6_data16[0]
#define icmp6_seq	icmp6_data16[1]

#define ICMP6_DST_UNREACH		1
#define  ICMP6_DST_UNREACH_NOROUTE	0
#define  ICMP6_DST_UNREACH_ADMIN	1
#define  ICMP6_DST_UNREACH_ADDR		3
#define  ICMP6_DST_UNREACH_NOPORT	4
#define ICMP6_PACKET_TOO_BIG		2
#define ICMP6_TIME_EXCEEDED		3
#define  ICMP6_TIME_EXCEED_TRANSIT	0
#define  ICMP6_TIME_EXCEED_REASSEMBLY	1
#define ICMP6_PARAM_PROB		4
#define  ICMP6_PARAMPROB_HEADER		0	/* erroneous header field */
#define ICMP6_ECHO_REQUEST		128
#define ICMP6_ECHO_REPLY		129
#define ND_NEIGHBOR_SOLICIT		135
#define ND_NEIGHBOR_ADVERT		136
#define ICMP6_MAXTYPE			255

struct icmp6stat {
	uint64_t	icp6s_error;
	uint64_t	icp6s_tooshort;
	uint64_t	icp6s_checksum;
	uint64_t	icp6s_badcode;
	uint64_t	icp6s_reflect;
	uint64_t	icp6s_badns;
	uint64_t	icp6s_badna;
	uint64_t	icp6s_inhist[256];
	uint64_t	icp6s_outhist[256];
};

struct mbuf;
struct ifnet;

void	icmp6_input(struct mbuf *, int off);
/*
 * Send an ICMPv6 error about m (freed).  param: the MTU for packet too
 * big, the offset of the faulty byte for parameter problem.
 */
void	icmp6_error(struct mbuf *, int type, int code, int param);
void	icmp6_getstat(struct icmp6stat *);
/* Count a malformed neighbour discovery message. */
void	icmp6_badnd(int type);
/* Echo request (see icmp_echo_send); dst without embedded scope, ifp
 * names the link of a link-local dst (NULL otherwise). */
int	icmp6_echo_send(const struct in6_addr *dst, struct ifnet *ifp,
	    uint16_t id, uint16_t seq, int datalen, int hlim);
struct icmp6_reply_info {
	struct in6_addr	ir_src;
	uint16_t	ir_id, ir_seq;
	uint8_t		ir_type, ir_code;
	uint8_t		ir_hlim;
	uint64_t	ir_time;
	uint32_t	ir_mtu;		/* of the last packet too big */
};
void	icmp6_last_reply(struct icmp6_reply_info *);

#endif /* !_KNIT_NETINET6_ICMP6_H_ */
