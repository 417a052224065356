/*
 * Internet (IPv4) addresses and protocol numbers, NetBSD layout.
 *
 * The stack's own <netinet/in.h>: struct sockaddr_in carries sin_len.
 * Byte-order helpers are defined here so that stack code needs nothing
 * from libc's networking headers (which must not be mixed with ours).
 */
#ifndef _KNIT_NETINET_IN_H_
#define _KNIT_NETINET_IN_H_

#include "sys/socket.h"

typedef uint32_t	in_addr_t;
typedef uint16_t	in_port_t;

/* Byte order: network order is big-endian. */
#if !defined(htons)
static inline uint16_t
knit_bswap16(uint16_t x)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap16(x);
#else
	return x;
#endif
}

static inline uint32_t
knit_bswap32(uint32_t x)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap32(x);
#else
	return x;
#endif
}

#define htons(x)	knit_bswap16((uint16_t)(x))
#define ntohs(x)	knit_bswap16((uint16_t)(x))
#define htonl(x)	knit_bswap32((uint32_t)(x))
#define ntohl(x)	knit_bswap32((uint32_t)(x))
#endif

/* Protocols (IANA numbers). */
#define IPPROTO_IP		0	/* dummy for IP */
#define IPPROTO_HOPOPTS		0	/* IP6 hop-by-hop options */
#define IPPROTO_ICMP		1	/* control message protocol */
#define IPPROTO_IGMP		2	/* group mgmt protocol */
#define IPPROTO_IPV4		4	/* IP header (IP in IP) */
#define IPPROTO_IPIP		IPPROTO_IPV4
#define IPPROTO_TCP		6	/* tcp */
#define IPPROTO_UDP		17	/* user datagram protocol */
#define IPPROTO_IPV6		41	/* IP6 header */
#define IPPROTO_ROUTING		43	/* IP6 routing header */
#define IPPROTO_FRAGMENT	44	/* IP6 fragmentation header */
#define IPPROTO_ICMPV6		58	/* ICMP6 */
#define IPPROTO_NONE		59	/* IP6 no next header */
#define IPPROTO_DSTOPTS		60	/* IP6 destination option */
#define IPPROTO_RAW		255	/* raw IP packet */
#define IPPROTO_MAX		256

#define IPPORT_RESERVED		1024
#define IPPORT_ANONMIN		49152
#define IPPORT_ANONMAX		65535

/* Internet address (a structure for historical reasons). */
struct in_addr {
	in_addr_t	s_addr;		/* network byte order */
};

/* Address classes and special values, in host byte order. */
#define IN_CLASSA(i)		(((uint32_t)(i) & 0x80000000) == 0)
#define IN_CLASSA_NET		0xff000000
#define IN_CLASSA_NSHIFT	24
#define IN_CLASSB(i)		(((uint32_t)(i) & 0xc0000000) == 0x80000000)
#define IN_CLASSB_NET		0xffff0000
#define IN_CLASSC(i)		(((uint32_t)(i) & 0xe0000000) == 0xc0000000)
#define IN_CLASSC_NET		0xffffff00
#define IN_CLASSD(i)		(((uint32_t)(i) & 0xf0000000) == 0xe0000000)
#define IN_MULTICAST(i)		IN_CLASSD(i)
#define IN_LOOPBACKNET		127

#define INADDR_ANY		((in_addr_t)0x00000000)
#define INADDR_LOOPBACK		((in_addr_t)0x7f000001)
#define INADDR_BROADCAST	((in_addr_t)0xffffffff)
#define INADDR_NONE		((in_addr_t)0xffffffff)
#define INADDR_UNSPEC_GROUP	((in_addr_t)0xe0000000)
#define INADDR_ALLHOSTS_GROUP	((in_addr_t)0xe0000001)

#define INET_ADDRSTRLEN		16

/* Socket address, internet style (16 bytes). */
struct sockaddr_in {
	uint8_t		sin_len;	/* sizeof(struct sockaddr_in) */
	sa_family_t	sin_family;	/* AF_INET */
	in_port_t	sin_port;	/* network byte order */
	struct in_addr	sin_addr;
	int8_t		sin_zero[8];
};

/* Options for use with [gs]etsockopt at the IP level. */
#define IP_OPTIONS		1
#define IP_HDRINCL		2
#define IP_TOS			3
#define IP_TTL			4
#define IP_RECVOPTS		5
#define IP_RECVRETOPTS		6
#define IP_RECVDSTADDR		7
#define IP_RETOPTS		8
#define IP_MULTICAST_IF		9
#define IP_MULTICAST_TTL	10
#define IP_MULTICAST_LOOP	11
#define IP_ADD_MEMBERSHIP	12
#define IP_DROP_MEMBERSHIP	13
#define IP_PORTRANGE		19
#define IP_RECVIF		20
#define IP_ERRORMTU		21

#define IP_DEFAULT_MULTICAST_TTL	1
#define IP_DEFAULT_MULTICAST_LOOP	1

/* sockaddr_in helpers (stack/kern/uipc_domain.c). */
struct sockaddr_in *sockaddr_in_init(struct sockaddr_in *,
	    const struct in_addr *, in_port_t);
void	sockaddr_in_init1(struct sockaddr_in *, const struct in_addr *,
	    in_port_t);
struct sockaddr	*sockaddr_in_alloc(const struct in_addr *, in_port_t, int);

static inline struct sockaddr_in *
satosin(struct sockaddr *sa)
{
	return (struct sockaddr_in *)(void *)sa;
}

static inline const struct sockaddr_in *
satocsin(const struct sockaddr *sa)
{
	return (const struct sockaddr_in *)(const void *)sa;
}

static inline struct sockaddr *
sintosa(struct sockaddr_in *sin)
{
	return (struct sockaddr *)(void *)sin;
}

static inline const struct sockaddr *
sintocsa(const struct sockaddr_in *sin)
{
	return (const struct sockaddr *)(const void *)sin;
}

#endif /* !_KNIT_NETINET_IN_H_ */
