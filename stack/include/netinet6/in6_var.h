/*
 * IPv6 interface addresses and their ioctls.
 *
 * Like IPv4, adding an address installs the connected prefix route (UC)
 * and the local route (UHl via lo0).  Link-local addresses carry their
 * interface index inside the kernel, in the second 16-bit word of the
 * address (fe80:<index>::...), so that every interface's fe80::/64 is a
 * distinct route; the word is cleared on the wire and set again on
 * input (the KAME convention).  An Ethernet interface gets its
 * link-local address (from its MAC, modified EUI-64) when it goes up.
 */
#ifndef _KNIT_NETINET6_IN6_VAR_H_
#define _KNIT_NETINET6_IN6_VAR_H_

#include "net/if.h"
#include "netinet6/in6.h"

struct in6_ifaddr {
	struct ifaddr	 ia_ifa;	/* first */
	TAILQ_ENTRY(in6_ifaddr) ia6_list;
	LIST_ENTRY(in6_ifaddr) ia6_hash;
	struct sockaddr_in6 ia_addr;
	struct sockaddr_in6 ia_prefixmask;
	int		 ia_plen;
	bool		 ia_connected;
	bool		 ia_local;
};
#define ifatoia6(ifa)	((struct in6_ifaddr *)(void *)(ifa))

TAILQ_HEAD(in6_ifaddrhead_t, in6_ifaddr);
VNET_DECLARE(struct in6_ifaddrhead_t, in6_ifaddrhead);
#define V_in6_ifaddrhead VNET(in6_ifaddrhead)

struct in6_aliasreq {
	char		 ifra_name[IFNAMSIZ];
	struct sockaddr_in6 ifra_addr;
	struct sockaddr_in6 ifra_dstaddr;
	struct sockaddr_in6 ifra_prefixmask;
	int		 ifra_flags;
};

struct in6_ifreq {
	char		 ifr_name[IFNAMSIZ];
	union {
		struct sockaddr_in6 ifru_addr;
		int		 ifru_flags;
	} ifr_ifru;
};

#define SIOCAIFADDR_IN6	_IOW('i', 107, struct in6_aliasreq)
#define SIOCDIFADDR_IN6	_IOW('i', 25, struct in6_ifreq)
#define SIOCGIFADDR_IN6	_IOWR('i', 33, struct in6_ifreq)

/* Embed / clear the scope of a link-local address. */
static inline void
in6_setscope(struct in6_addr *a, u_int ifindex)
{
	if (IN6_IS_SCOPE_LINKLOCAL(a))
		a->s6_addr16[1] = htons((uint16_t)ifindex);
}
static inline void
in6_clearscope(struct in6_addr *a)
{
	if (IN6_IS_SCOPE_LINKLOCAL(a))
		a->s6_addr16[1] = 0;
}

int	in6_control(u_long, void *, struct ifnet *, struct lwp *);
/* addr as the user writes it (no embedded scope); plen 0..128 */
int	in6_addaddr(struct ifnet *, const struct in6_addr *, int plen);
int	in6_deladdr(struct ifnet *, const struct in6_addr *);
void	in6_purgeif(struct ifnet *);
/* addr with its scope embedded */
struct in6_ifaddr *in6_ifaddr_lookup(const struct in6_addr *);
/* The link-local (ll) or first global address of ifp. */
struct in6_ifaddr *in6_ifaddr_of_ifp(struct ifnet *, bool ll);
/* Give ifp its link-local address (idempotent). */
void	in6_ifattach(struct ifnet *);
/* The address to send from to dst on ifp (NULL if none). */
struct in6_ifaddr *in6_select_src(struct ifnet *, const struct in6_addr *);

#endif /* !_KNIT_NETINET6_IN6_VAR_H_ */
