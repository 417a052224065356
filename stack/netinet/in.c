/*
 * IPv4 interface addresses: add and delete (with the connected and the
 * local route), lookups, and the address ioctls.
 *
 * Every function here runs with softnet_lock held (taken if the caller
 * does not hold it).  Addresses are found per packet through a hash on
 * the address, so the cost does not grow with the number of interfaces.
 */
#include "net/if.h"
#include "net/if_dl.h"
#include "net/route.h"
#include "sys/domain.h"
#include "sys/kmem.h"
#include "netinet/in_var.h"
#include "netinet/if_inarp.h"

#define IN_IFADDR_NHASH	256

/*
 * The interface layer's way into IPv4 (net/if.h).  Constants, not set
 * at each host's boot: they are process-wide, and a write at every
 * host's VNET_SYSINIT would race with the other hosts reading them.
 */
int (*if_inet_control)(u_long, void *, struct ifnet *, struct lwp *) =
    in_control;
void (*if_inet_purge)(struct ifnet *) = in_purgeif;

VNET_DEFINE(struct in_ifaddrhead_t, in_ifaddrhead);
LIST_HEAD(in_ifaddr_hashhead, in_ifaddr);
VNET_DEFINE_STATIC(struct in_ifaddr_hashhead, in_ifaddr_hash[IN_IFADDR_NHASH]);
#define V_in_ifaddr_hash VNET(in_ifaddr_hash)

static inline u_int
in_hash(struct in_addr a)
{
	uint32_t x = ntohl(a.s_addr);

	x ^= x >> 16;
	x *= 0x45d9f3bU;
	x ^= x >> 16;
	return x % IN_IFADDR_NHASH;
}

static void
in_vnet_init(void)
{
	int i;

	TAILQ_INIT(&V_in_ifaddrhead);
	for (i = 0; i < IN_IFADDR_NHASH; i++)
		LIST_INIT(&V_in_ifaddr_hash[i]);
}
VNET_SYSINIT(in, VNET_ORDER_IF - 1, in_vnet_init, NULL);

struct in_ifaddr *
in_ifaddr_lookup(struct in_addr a)
{
	struct in_ifaddr *ia;

	LIST_FOREACH(ia, &V_in_ifaddr_hash[in_hash(a)], ia_hash)
		if (ia->ia_addr.sin_addr.s_addr == a.s_addr)
			return ia;
	return NULL;
}

struct in_ifaddr *
in_ifaddr_of_ifp(struct ifnet *ifp)
{
	struct ifaddr *ifa;

	IFADDR_FOREACH(ifa, ifp)
		if (ifa->ifa_addr->sa_family == AF_INET)
			return ifatoia(ifa);
	return NULL;
}

bool
in_broadcast(struct in_addr a, struct ifnet *ifp)
{
	struct ifaddr *ifa;
	uint32_t x = ntohl(a.s_addr);

	if (x == INADDR_BROADCAST || x == INADDR_ANY)
		return true;
	if (ifp == NULL || (ifp->if_flags & IFF_BROADCAST) == 0)
		return false;
	IFADDR_FOREACH(ifa, ifp) {
		struct in_ifaddr *ia;

		if (ifa->ifa_addr->sa_family != AF_INET)
			continue;
		ia = ifatoia(ifa);
		if (ia->ia_subnetmask != 0xffffffffU &&
		    ia->ia_subnetmask != 0xfffffffeU &&
		    (x == (ia->ia_subnet | ~ia->ia_subnetmask) ||
		    x == ia->ia_subnet))
			return true;
	}
	return false;
}

static void
in_ifafree(struct ifaddr *ifa)
{
	kmem_free(ifatoia(ifa), sizeof(struct in_ifaddr));
}

static int
in_route_add(struct in_ifaddr *ia, bool local)
{
	struct rt_addrinfo info;
	struct sockaddr_in dst;
	struct ifnet *ifp = ia->ia_ifp;

	memset(&info, 0, sizeof(info));
	if (local) {
		/* the address itself, through lo0 (UHl) */
		info.info_dst = sintocsa(&ia->ia_addr);
		info.info_gateway = ifp->if_sadl;
		info.rti_flags = RTF_UP | RTF_HOST | RTF_LOCAL;
		info.rti_ifp = V_loif;
	} else {
		/* the connected subnet (UC) */
		(void)sockaddr_in_init(&dst, &ia->ia_addr.sin_addr, 0);
		dst.sin_addr.s_addr &= ia->ia_netmask.sin_addr.s_addr;
		info.info_dst = sintocsa(&dst);
		info.info_gateway = ifp->if_sadl;
		info.info_netmask = sintocsa(&ia->ia_netmask);
		info.rti_flags = RTF_UP | RTF_CONNECTED;
		info.rti_ifp = ifp;
	}
	info.rti_ifa = &ia->ia_ifa;
	return rtrequest1(RTM_ADD, &info, NULL);
}

static int
in_route_del(struct in_ifaddr *ia, bool local)
{
	struct sockaddr_in dst;

	if (local)
		return rtrequest(RTM_DELETE, sintocsa(&ia->ia_addr), NULL,
		    NULL, RTF_HOST, NULL);
	(void)sockaddr_in_init(&dst, &ia->ia_addr.sin_addr, 0);
	dst.sin_addr.s_addr &= ia->ia_netmask.sin_addr.s_addr;
	return rtrequest(RTM_DELETE, sintocsa(&dst), NULL,
	    sintocsa(&ia->ia_netmask), 0, NULL);
}

static void
in_unlink(struct in_ifaddr *ia)
{
	struct ifnet *ifp = ia->ia_ifp;

	if (ia->ia_local)
		(void)in_route_del(ia, true);
	if (ia->ia_connected)
		(void)in_route_del(ia, false);
	ia->ia_local = ia->ia_connected = false;
	LIST_REMOVE(ia, ia_hash);
	TAILQ_REMOVE(&V_in_ifaddrhead, ia, ia_list);
	ifa_remove(ifp, &ia->ia_ifa);
}

static int
in_addaddr_locked(struct ifnet *ifp, struct in_addr addr, struct in_addr mask)
{
	struct in_ifaddr *ia;
	uint32_t m = ntohl(mask.s_addr);
	int error;

	if (m != 0 && (~m & (~m + 1)) != 0)
		return EINVAL;		/* mask not contiguous */
	if (addr.s_addr == INADDR_ANY || IN_MULTICAST(ntohl(addr.s_addr)))
		return EINVAL;
	if ((ia = in_ifaddr_lookup(addr)) != NULL) {
		if (ia->ia_ifp != ifp)
			return EEXIST;
		in_unlink(ia);		/* re-add with the new mask */
	}
	ia = kmem_zalloc(sizeof(*ia), KM_SLEEP);
	(void)sockaddr_in_init(&ia->ia_addr, &addr, 0);
	(void)sockaddr_in_init(&ia->ia_netmask, &mask, 0);
	ia->ia_subnetmask = m;
	ia->ia_subnet = ntohl(addr.s_addr) & m;
	ia->ia_ifa.ifa_addr = sintosa(&ia->ia_addr);
	ia->ia_ifa.ifa_netmask = sintosa(&ia->ia_netmask);
	if (ifp->if_flags & IFF_BROADCAST) {
		struct in_addr b;

		b.s_addr = htonl(ia->ia_subnet | ~m);
		(void)sockaddr_in_init(&ia->ia_broadaddr, &b, 0);
		ia->ia_ifa.ifa_broadaddr = sintosa(&ia->ia_broadaddr);
	}
	ia->ia_ifa.ifa_free = in_ifafree;
	ia->ia_ifa.ifa_metric = ifp->if_metric;
	ifa_insert(ifp, &ia->ia_ifa);
	TAILQ_INSERT_TAIL(&V_in_ifaddrhead, ia, ia_list);
	LIST_INSERT_HEAD(&V_in_ifaddr_hash[in_hash(addr)], ia, ia_hash);
	/* as ifconfig(8) does: configuring an address brings it up */
	if ((ifp->if_flags & IFF_UP) == 0 && (error = if_up(ifp)) != 0)
		goto fail;
	if (m != 0xffffffffU) {
		error = in_route_add(ia, false);
		if (error == 0)
			ia->ia_connected = true;
		else if (error != EEXIST)	/* another address owns it */
			goto fail;
	}
	if ((ifp->if_flags & IFF_LOOPBACK) == 0 && V_loif != NULL) {
		error = in_route_add(ia, true);
		if (error != 0)
			goto fail;
		ia->ia_local = true;
	}
	/* announce ourselves (gratuitous ARP) */
	if (ifp->if_type == IFT_ETHER)
		arprequest(ifp, addr);
	return 0;
fail:
	in_unlink(ia);
	return error;
}

int
in_addaddr(struct ifnet *ifp, struct in_addr addr, struct in_addr mask)
{
	bool take = !mutex_owned(softnet_lock);
	int error;

	if (take)
		mutex_enter(softnet_lock);
	error = in_addaddr_locked(ifp, addr, mask);
	if (take)
		mutex_exit(softnet_lock);
	return error;
}

int
in_deladdr(struct ifnet *ifp, struct in_addr addr)
{
	bool take = !mutex_owned(softnet_lock);
	struct in_ifaddr *ia;
	int error = 0;

	if (take)
		mutex_enter(softnet_lock);
	ia = in_ifaddr_lookup(addr);
	if (ia == NULL || ia->ia_ifp != ifp)
		error = EADDRNOTAVAIL;
	else
		in_unlink(ia);
	if (take)
		mutex_exit(softnet_lock);
	return error;
}

void
in_purgeif(struct ifnet *ifp)
{
	struct ifaddr *ifa, *next;
	bool take = !mutex_owned(softnet_lock);

	if (take)
		mutex_enter(softnet_lock);
	TAILQ_FOREACH_SAFE(ifa, &ifp->if_addrlist, ifa_list, next)
		if (ifa->ifa_addr->sa_family == AF_INET)
			in_unlink(ifatoia(ifa));
	lltable_purge_ifp(&V_arp_table, ifp);
	if (take)
		mutex_exit(softnet_lock);
}

int
in_control(u_long cmd, void *data, struct ifnet *ifp, struct lwp *l)
{
	struct in_aliasreq *ifra = data;
	struct ifreq *ifr = data;
	const struct sockaddr_in *sin;
	struct in_ifaddr *ia;
	struct in_addr mask;

	(void)l;
	switch (cmd) {
	case SIOCAIFADDR:
		if (ifra->ifra_addr.sin_family != AF_INET)
			return EAFNOSUPPORT;
		if (ifra->ifra_mask.sin_len != 0)
			mask = ifra->ifra_mask.sin_addr;
		else
			mask.s_addr = htonl(0xffffff00U);
		return in_addaddr(ifp, ifra->ifra_addr.sin_addr, mask);
	case SIOCDIFADDR:
		sin = satocsin(ifreq_sa(ifr));
		return in_deladdr(ifp, sin->sin_addr);
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
		ia = in_ifaddr_of_ifp(ifp);
		if (ia == NULL)
			return EADDRNOTAVAIL;
		memcpy(ifreq_sa(ifr), cmd == SIOCGIFADDR ? &ia->ia_addr :
		    &ia->ia_netmask, sizeof(struct sockaddr_in));
		return 0;
	default:
		return EOPNOTSUPP;
	}
}
