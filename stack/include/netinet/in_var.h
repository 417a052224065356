/*
 * IPv4 interface addresses and their ioctls.
 *
 * An in_ifaddr is an ifaddr (first member) of an interface.  Adding one
 * installs the connected route (the subnet, flags UC, gateway the
 * interface's link address) and the local route (the address itself,
 * flags UHl, through lo0); deleting it removes both.  The per-host list
 * in_ifaddrhead is in the order addresses were added.
 */
#ifndef _KNIT_NETINET_IN_VAR_H_
#define _KNIT_NETINET_IN_VAR_H_

#include "net/if.h"
#include "netinet/in.h"

struct in_ifaddr {
	struct ifaddr	 ia_ifa;	/* first: an in_ifaddr is an ifaddr */
	TAILQ_ENTRY(in_ifaddr) ia_list;	/* on in_ifaddrhead */
	LIST_ENTRY(in_ifaddr) ia_hash;	/* on the address hash */
	struct sockaddr_in ia_addr;
	struct sockaddr_in ia_netmask;
	struct sockaddr_in ia_broadaddr; /* or the p2p peer */
	uint32_t	 ia_subnet;	/* host order, masked */
	uint32_t	 ia_subnetmask;	/* host order */
	bool		 ia_connected;	/* connected route installed */
	bool		 ia_local;	/* local route installed */
};
#define ia_ifp		ia_ifa.ifa_ifp
#define ia_flags	ia_ifa.ifa_flags
#define ifatoia(ifa)	((struct in_ifaddr *)(void *)(ifa))

TAILQ_HEAD(in_ifaddrhead_t, in_ifaddr);
VNET_DECLARE(struct in_ifaddrhead_t, in_ifaddrhead);
#define V_in_ifaddrhead	VNET(in_ifaddrhead)

struct in_aliasreq {
	char		 ifra_name[IFNAMSIZ];
	struct sockaddr_in ifra_addr;
	struct sockaddr_in ifra_dstaddr;	/* broadcast or peer */
	struct sockaddr_in ifra_mask;
};
#define ifra_broadaddr	ifra_dstaddr

#define SIOCAIFADDR	_IOW('i', 26, struct in_aliasreq)

int	in_control(u_long cmd, void *data, struct ifnet *, struct lwp *);
/* Add / delete an address (what SIOCAIFADDR / SIOCDIFADDR do). */
int	in_addaddr(struct ifnet *, struct in_addr addr, struct in_addr mask);
int	in_deladdr(struct ifnet *, struct in_addr addr);
/* Remove every IPv4 address of ifp (if_detach). */
void	in_purgeif(struct ifnet *);
/* The in_ifaddr holding addr on any interface, or NULL. */
struct in_ifaddr *in_ifaddr_lookup(struct in_addr);
/* True if addr is a broadcast address of ifp (or all-ones/zero). */
bool	in_broadcast(struct in_addr, struct ifnet *);
/* First IPv4 address of ifp, or NULL. */
struct in_ifaddr *in_ifaddr_of_ifp(struct ifnet *);

#endif /* !_KNIT_NETINET_IN_VAR_H_ */
