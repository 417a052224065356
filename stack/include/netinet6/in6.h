/*
 * IPv6 addresses, NetBSD layout: struct sockaddr_in6 carries sin6_len and
 * a scope id.  Include "netinet/in.h" first or rely on this header to do
 * it.
 */
#ifndef _KNIT_NETINET6_IN6_H_
#define _KNIT_NETINET6_IN6_H_

#include "netinet/in.h"

struct in6_addr {
	union {
		uint8_t		__u6_addr8[16];
		uint16_t	__u6_addr16[8];
		uint32_t	__u6_addr32[4];
	} __u6_addr;			/* 128-bit IPv6 address */
};

#define s6_addr		__u6_addr.__u6_addr8
#define s6_addr8	__u6_addr.__u6_addr8
#define s6_addr16	__u6_addr.__u6_addr16
#define s6_addr32	__u6_addr.__u6_addr32

#define INET6_ADDRSTRLEN	46

/* Socket address for IPv6 (28 bytes). */
struct sockaddr_in6 {
	uint8_t		sin6_len;	/* sizeof(struct sockaddr_in6) */
	sa_family_t	sin6_family;	/* AF_INET6 */
	in_port_t	sin6_port;	/* transport layer port */
	uint32_t	sin6_flowinfo;	/* IP6 flow information */
	struct in6_addr	sin6_addr;	/* IP6 address */
	uint32_t	sin6_scope_id;	/* scope zone index */
};

#define IN6ADDR_ANY_INIT						\
	{{{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,		\
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 }}}
#define IN6ADDR_LOOPBACK_INIT						\
	{{{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,		\
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 }}}
#define IN6ADDR_LINKLOCAL_ALLNODES_INIT					\
	{{{ 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,		\
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 }}}

#define IN6_ARE_ADDR_EQUAL(a, b)					\
	(memcmp(&(a)->s6_addr[0], &(b)->s6_addr[0],			\
	    sizeof(struct in6_addr)) == 0)

static inline int
knit_in6_words(const struct in6_addr *a, uint32_t w0, uint32_t w1,
    uint32_t w2, uint32_t w3)
{
	return a->s6_addr32[0] == w0 && a->s6_addr32[1] == w1 &&
	    a->s6_addr32[2] == w2 && a->s6_addr32[3] == w3;
}

#define IN6_IS_ADDR_UNSPECIFIED(a)	knit_in6_words((a), 0, 0, 0, 0)
#define IN6_IS_ADDR_LOOPBACK(a)						\
	knit_in6_words((a), 0, 0, 0, htonl(1))
#define IN6_IS_ADDR_V4COMPAT(a)						\
	((a)->s6_addr32[0] == 0 && (a)->s6_addr32[1] == 0 &&		\
	 (a)->s6_addr32[2] == 0 && ntohl((a)->s6_addr32[3]) > 1)
#define IN6_IS_ADDR_V4MAPPED(a)						\
	((a)->s6_addr32[0] == 0 && (a)->s6_addr32[1] == 0 &&		\
	 (a)->s6_addr32[2] == htonl(0x0000ffff))
#define IN6_IS_ADDR_MULTICAST(a)	((a)->s6_addr[0] == 0xff)
#define IN6_IS_ADDR_LINKLOCAL(a)					\
	((a)->s6_addr[0] == 0xfe && ((a)->s6_addr[1] & 0xc0) == 0x80)
#define IN6_IS_ADDR_SITELOCAL(a)					\
	((a)->s6_addr[0] == 0xfe && ((a)->s6_addr[1] & 0xc0) == 0xc0)
#define IN6_IS_ADDR_MC_LINKLOCAL(a)					\
	(IN6_IS_ADDR_MULTICAST(a) && ((a)->s6_addr[1] & 0x0f) == 0x02)
#define IN6_IS_ADDR_MC_NODELOCAL(a)					\
	(IN6_IS_ADDR_MULTICAST(a) && ((a)->s6_addr[1] & 0x0f) == 0x01)
/* Addresses whose meaning needs a scope (zone) id. */
#define IN6_IS_SCOPE_LINKLOCAL(a)					\
	(IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MC_LINKLOCAL(a))

/* Options for use with [gs]etsockopt at the IPV6 level. */
#define IPV6_UNICAST_HOPS	4
#define IPV6_MULTICAST_IF	9
#define IPV6_MULTICAST_HOPS	10
#define IPV6_MULTICAST_LOOP	11
#define IPV6_JOIN_GROUP		12
#define IPV6_LEAVE_GROUP	13
#define IPV6_V6ONLY		27
#define IPV6_RECVHOPLIMIT	37	/* bool; cmsg IPV6_HOPLIMIT on input */
#define IPV6_HOPLIMIT		47	/* int; the received hop limit */

/* sockaddr_in6 helpers (stack/kern/uipc_domain.c). */
struct sockaddr_in6 *sockaddr_in6_init(struct sockaddr_in6 *,
	    const struct in6_addr *, in_port_t, uint32_t flowinfo,
	    uint32_t scope_id);
void	sockaddr_in6_init1(struct sockaddr_in6 *, const struct in6_addr *,
	    in_port_t, uint32_t, uint32_t);
struct sockaddr	*sockaddr_in6_alloc(const struct in6_addr *, in_port_t,
	    uint32_t, uint32_t, int);

static inline struct sockaddr_in6 *
satosin6(struct sockaddr *sa)
{
	return (struct sockaddr_in6 *)(void *)sa;
}

static inline const struct sockaddr_in6 *
satocsin6(const struct sockaddr *sa)
{
	return (const struct sockaddr_in6 *)(const void *)sa;
}

static inline struct sockaddr *
sin6tosa(struct sockaddr_in6 *sin6)
{
	return (struct sockaddr *)(void *)sin6;
}

static inline const struct sockaddr *
sin6tocsa(const struct sockaddr_in6 *sin6)
{
	return (const struct sockaddr *)(const void *)sin6;
}

#endif /* !_KNIT_NETINET6_IN6_H_ */
