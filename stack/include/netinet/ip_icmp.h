/*
 * ICMP for IPv4 (RFC 792): header, types and codes.
 */
#ifndef _KNIT_NETINET_IP_ICMP_H_
#define _KNIT_NETINET_IP_ICMP_H_

#include "netinet/ip.h"

struct icmp {
	uint8_t		icmp_type;
	uint8_t		icmp_code;
	uint16_t	icmp_cksum;
	union {
		struct {
			uint16_t icd_id;
			uint16_t icd_seq;
		} ih_idseq;
		struct {
			uint16_t ipm_void;
			uint16_t ipm_nextmtu;	/* need-frag: next-hop MTU */
		} ih_pmtu;
		uint32_t	 ih_void;
	} icmp_hun;
	/* echo data, or the offending IP header + 8 bytes */
	uint8_t		icmp_data[];
};
CTASSERT(sizeof(struct icmp) == 8);
#define icmp_id		icmp_hun.ih_idseq.icd_id
#define icmp_seq	icmp_hun.ih_idseq.icd_seq
#define icmp_nextmtu	icmp_hun.ih_pmtu.ipm_nextmtu
#define ICMP_MINLEN	8

#define ICMP_ECHOREPLY		0
#define ICMP_UNREACH		3
#define  ICMP_UNREACH_NET	0
#define  ICMP_UNREACH_HOST	1
#define  ICMP_UNREACH_PROTOCOL	2
#define  ICMP_UNREACH_PORT	3
#define  ICMP_UNREACH_NEEDFRAG	4
#define  ICMP_UNREACH_SRCFAIL	5
#define ICMP_SOURCEQUENCH	4
#define ICMP_REDIRECT		5
#define ICMP_ECHO		8
#define ICMP_TIMXCEED		11
#define  ICMP_TIMXCEED_INTRANS	0
#define  ICMP_TIMXCEED_REASS	1
#define ICMP_PARAMPROB		12
#define ICMP_MAXTYPE		18

/* Counters (netstat -s -p icmp). */
struct icmpstat {
	uint64_t	icps_error;	/* icmp_error calls */
	uint64_t	icps_oldshort;	/* no error: old ip too short */
	uint64_t	icps_oldicmp;	/* no error: old was icmp */
	uint64_t	icps_outhist[ICMP_MAXTYPE + 1];
	uint64_t	icps_badcode;
	uint64_t	icps_tooshort;
	uint64_t	icps_checksum;
	uint64_t	icps_badlen;
	uint64_t	icps_reflect;	/* responses sent */
	uint64_t	icps_inhist[ICMP_MAXTYPE + 1];
	uint64_t	icps_bmcastecho;
};

struct mbuf;
struct ifnet;

void	icmp_input(struct mbuf *, int hlen);
/*
 * Send an ICMP error about packet n (which is freed).  mtu: next-hop
 * MTU for ICMP_UNREACH_NEEDFRAG.
 */
void	icmp_error(struct mbuf *n, int type, int code, uint32_t dest,
	    int mtu);
void	icmp_getstat(struct icmpstat *);
/*
 * Send an echo request (the kernel half of ping(8) for tests and the
 * userland tool): datalen bytes of pattern, ttl (0: default), df: set
 * DF.  Returns ip_output's error.  Replies are counted in
 * icps_inhist[ICMP_ECHOREPLY]; the last one is in icmp_last_reply().
 */
int	icmp_echo_send(struct in_addr dst, uint16_t id, uint16_t seq,
	    int datalen, int ttl, bool df);
struct icmp_reply_info {
	struct in_addr	ir_src;
	uint16_t	ir_id, ir_seq;
	uint8_t		ir_type, ir_code;	/* of the last ICMP received */
	uint8_t		ir_ttl;
	uint64_t	ir_time;		/* ns */
	uint32_t	ir_nextmtu;		/* of the last need-frag */
};
void	icmp_last_reply(struct icmp_reply_info *);

#endif /* !_KNIT_NETINET_IP_ICMP_H_ */
