/*
 * IPv6 interface addresses (see netinet6/in6_var.h).  Runs with
 * softnet_lock held, taken when the caller does not hold it.
 */
#include "net/if.h"
#include "net/if_dl.h"
#include "net/route.h"
#include "sys/domain.h"
#include "sys/kmem.h"
#include "netinet6/in6_var.h"
#include "netinet6/nd6.h"

#define IN6_IFADDR_NHASH	256

/*
 * The interface layer's way into IPv6 (net/if.h): constants, process-
 * wide, like IPv4's in netinet/in.c (no write at each host's boot).
 */
int (*if_inet6_control)(u_long, void *, struct ifnet *, struct lwp *) =
    in6_control;
void (*if_inet6_purge)(struct ifnet *) = in6_purgeif;
void (*if_inet6_up)(struct ifnet *) = in6_ifattach;

VNET_DEFINE(struct in6_ifaddrhead_t, in6_ifaddrhead);
LIST_HEAD(in6_ifaddr_hashhead, in6_ifaddr);
VNET_DEFINE_STATIC(struct in6_ifaddr_hashhead, in6_hash[IN6_IFADDR_NHASH]);
#define V_in6_hash	VNET(in6_hash)

static u_int
in6_hashof(const struct in6_addr *a)
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ a->s6_addr[i]) * 16777619u;
	return h % IN6_IFADDR_NHASH;
}

static void
in6_vnet_init(void)
{
	int i;

	TAILQ_INIT(&V_in6_ifaddrhead);
	for (i = 0; i < IN6_IFADDR_NHASH; i++)
		LIST_INIT(&V_in6_hash[i]);
}
VNET_SYSINIT(in6, VNET_ORDER_IF - 1, in6_vnet_init, NULL);

struct in6_ifaddr *
in6_ifaddr_lookup(const struct in6_addr *a)
{
	struct in6_ifaddr *ia;

	LIST_FOREACH(ia, &V_in6_hash[in6_hashof(a)], ia6_hash)
		if (IN6_ARE_ADDR_EQUAL(&ia->ia_addr.sin6_addr, a))
			return ia;
	return NULL;
}

struct in6_ifaddr *
in6_ifaddr_of_ifp(struct ifnet *ifp, bool ll)
{
	struct ifaddr *ifa;

	IFADDR_FOREACH(ifa, ifp) {
		struct in6_ifaddr *ia;

		if (ifa->ifa_addr->sa_family != AF_INET6)
			continue;
		ia = ifatoia6(ifa);
		if (IN6_IS_ADDR_LINKLOCAL(&ia->ia_addr.sin6_addr) == ll)
			return ia;
	}
	return NULL;
}

/* Same scope as dst: link-local to link-local, else a global one. */
struct in6_ifaddr *
in6_select_src(struct ifnet *ifp, const struct in6_addr *dst)
{
	struct in6_ifaddr *ia;

	if (IN6_IS_SCOPE_LINKLOCAL(dst))
		return in6_ifaddr_of_ifp(ifp, true);
	ia = in6_ifaddr_of_ifp(ifp, false);
	if (ia == NULL) {
		/* any global address of the host will do */
		TAILQ_FOREACH(ia, &V_in6_ifaddrhead, ia6_list)
			if (!IN6_IS_ADDR_LINKLOCAL(&ia->ia_addr.sin6_addr) &&
			    !IN6_IS_ADDR_LOOPBACK(&ia->ia_addr.sin6_addr))
				break;
	}
	return ia;
}

static void
in6_ifafree(struct ifaddr *ifa)
{
	kmem_free(ifatoia6(ifa), sizeof(struct in6_ifaddr));
}

static void
in6_prefix(struct in6_addr *p, const struct in6_addr *a, int plen)
{
	int i;

	for (i = 0; i < 16; i++) {
		int bits = plen - i * 8;

		if (bits >= 8)
			p->s6_addr[i] = a->s6_addr[i];
		else if (bits <= 0)
			p->s6_addr[i] = 0;
		else
			p->s6_addr[i] = a->s6_addr[i] &
			    (uint8_t)(0xff << (8 - bits));
	}
}

static int
in6_route_add(struct in6_ifaddr *ia, bool local)
{
	struct rt_addrinfo info;
	struct sockaddr_in6 dst;
	struct in6_addr p;
	struct ifnet *ifp = ia->ia_ifa.ifa_ifp;

	memset(&info, 0, sizeof(info));
	if (local) {
		info.info_dst = sin6tocsa(&ia->ia_addr);
		info.info_gateway = ifp->if_sadl;
		info.rti_flags = RTF_UP | RTF_HOST | RTF_LOCAL;
		info.rti_ifp = V_loif;
	} else {
		in6_prefix(&p, &ia->ia_addr.sin6_addr, ia->ia_plen);
		(void)sockaddr_in6_init(&dst, &p, 0, 0, 0);
		info.info_dst = sin6tocsa(&dst);
		info.info_gateway = ifp->if_sadl;
		info.info_netmask = sin6tocsa(&ia->ia_prefixmask);
		info.rti_flags = RTF_UP | RTF_CONNECTED;
		info.rti_ifp = ifp;
	}
	info.rti_ifa = &ia->ia_ifa;
	return rtrequest1(RTM_ADD, &info, NULL);
}

static void
in6_route_del(struct in6_ifaddr *ia, bool local)
{
	struct sockaddr_in6 dst;
	struct in6_addr p;

	if (local) {
		(void)rtrequest(RTM_DELETE, sin6tocsa(&ia->ia_addr), NULL,
		    NULL, RTF_HOST, NULL);
		return;
	}
	in6_prefix(&p, &ia->ia_addr.sin6_addr, ia->ia_plen);
	(void)sockaddr_in6_init(&dst, &p, 0, 0, 0);
	(void)rtrequest(RTM_DELETE, sin6tocsa(&dst), NULL,
	    sin6tocsa(&ia->ia_prefixmask), 0, NULL);
}

static void
in6_unlink(struct in6_ifaddr *ia)
{
	struct ifnet *ifp = ia->ia_ifa.ifa_ifp;

	if (ia->ia_local)
		in6_route_del(ia, true);
	if (ia->ia_connected)
		in6_route_del(ia, false);
	ia->ia_local = ia->ia_connected = false;
	LIST_REMOVE(ia, ia6_hash);
	TAILQ_REMOVE(&V_in6_ifaddrhead, ia, ia6_list);
	ifa_remove(ifp, &ia->ia_ifa);
}

static int
in6_addaddr_locked(struct ifnet *ifp, const struct in6_addr *uaddr, int plen)
{
	struct in6_ifaddr *ia;
	struct in6_addr addr = *uaddr, mask;
	int error;

	if (plen < 0 || plen > 128 || IN6_IS_ADDR_UNSPECIFIED(&addr) ||
	    IN6_IS_ADDR_MULTICAST(&addr))
		return EINVAL;
	in6_setscope(&addr, ifp->if_index);
	if ((ia = in6_ifaddr_lookup(&addr)) != NULL) {
		if (ia->ia_ifa.ifa_ifp != ifp)
			return EEXIST;
		in6_unlink(ia);
	}
	ia = kmem_zalloc(sizeof(*ia), KM_SLEEP);
	(void)sockaddr_in6_init(&ia->ia_addr, &addr, 0, 0, 0);
	memset(&mask, 0xff, sizeof(mask));
	in6_prefix(&mask, &mask, plen);
	(void)sockaddr_in6_init(&ia->ia_prefixmask, &mask, 0, 0, 0);
	ia->ia_plen = plen;
	ia->ia_ifa.ifa_addr = sin6tosa(&ia->ia_addr);
	ia->ia_ifa.ifa_netmask = sin6tosa(&ia->ia_prefixmask);
	ia->ia_ifa.ifa_free = in6_ifafree;
	ifa_insert(ifp, &ia->ia_ifa);
	TAILQ_INSERT_TAIL(&V_in6_ifaddrhead, ia, ia6_list);
	LIST_INSERT_HEAD(&V_in6_hash[in6_hashof(&addr)], ia, ia6_hash);
	if ((ifp->if_flags & IFF_UP) == 0 && (error = if_up(ifp)) != 0)
		goto fail;
	if (plen < 128) {
		error = in6_route_add(ia, false);
		if (error == 0)
			ia->ia_connected = true;
		else if (error != EEXIST)
			goto fail;
	}
	if ((ifp->if_flags & IFF_LOOPBACK) == 0 && V_loif != NULL) {
		error = in6_route_add(ia, true);
		if (error != 0)
			goto fail;
		ia->ia_local = true;
	}
	return 0;
fail:
	in6_unlink(ia);
	return error;
}

int
in6_addaddr(struct ifnet *ifp, const struct in6_addr *addr, int plen)
{
	bool take = !mutex_owned(softnet_lock);
	int error;

	if (take)
		mutex_enter(softnet_lock);
	error = in6_addaddr_locked(ifp, addr, plen);
	if (take)
		mutex_exit(softnet_lock);
	return error;
}

int
in6_deladdr(struct ifnet *ifp, const struct in6_addr *uaddr)
{
	bool take = !mutex_owned(softnet_lock);
	struct in6_addr addr = *uaddr;
	struct in6_ifaddr *ia;
	int error = 0;

	in6_setscope(&addr, ifp->if_index);
	if (take)
		mutex_enter(softnet_lock);
	ia = in6_ifaddr_lookup(&addr);
	if (ia == NULL || ia->ia_ifa.ifa_ifp != ifp)
		error = EADDRNOTAVAIL;
	else
		in6_unlink(ia);
	if (take)
		mutex_exit(softnet_lock);
	return error;
}

void
in6_purgeif(struct ifnet *ifp)
{
	struct ifaddr *ifa, *next;
	bool take = !mutex_owned(softnet_lock);

	if (take)
		mutex_enter(softnet_lock);
	TAILQ_FOREACH_SAFE(ifa, &ifp->if_addrlist, ifa_list, next)
		if (ifa->ifa_addr->sa_family == AF_INET6)
			in6_unlink(ifatoia6(ifa));
	lltable_purge_ifp(&V_nd6_table, ifp);
	if (take)
		mutex_exit(softnet_lock);
}

void
in6_ifattach(struct ifnet *ifp)
{
	struct in6_addr ll;

	if (ifp->if_type != IFT_ETHER || in6_ifaddr_of_ifp(ifp, true) != NULL)
		return;
	memset(&ll, 0, sizeof(ll));
	ll.s6_addr[0] = 0xfe;
	ll.s6_addr[1] = 0x80;
	/* modified EUI-64 from the MAC (RFC 4291 appendix A) */
	ll.s6_addr[8] = ifp->if_lladdr[0] ^ 0x02;
	ll.s6_addr[9] = ifp->if_lladdr[1];
	ll.s6_addr[10] = ifp->if_lladdr[2];
	ll.s6_addr[11] = 0xff;
	ll.s6_addr[12] = 0xfe;
	ll.s6_addr[13] = ifp->if_lladdr[3];
	ll.s6_addr[14] = ifp->if_lladdr[4];
	ll.s6_addr[15] = ifp->if_lladdr[5];
	(void)in6_addaddr(ifp, &ll, 64);
}

int
in6_control(u_long cmd, void *data, struct ifnet *ifp, struct lwp *l)
{
	struct in6_aliasreq *ifra = data;
	struct in6_ifreq *ifr = data;
	struct in6_ifaddr *ia;
	int plen;

	(void)l;
	switch (cmd) {
	case SIOCAIFADDR_IN6:
		if (ifra->ifra_addr.sin6_family != AF_INET6)
			return EAFNOSUPPORT;
		plen = 64;
		if (ifra->ifra_prefixmask.sin6_len != 0) {
			plen = rt_mask2plen(AF_INET6,
			    sin6tocsa(&ifra->ifra_prefixmask));
			if (plen < 0)
				return EINVAL;
		}
		return in6_addaddr(ifp, &ifra->ifra_addr.sin6_addr, plen);
	case SIOCDIFADDR:
	case SIOCDIFADDR_IN6:
		return in6_deladdr(ifp, &ifr->ifr_ifru.ifru_addr.sin6_addr);
	case SIOCGIFADDR_IN6:
		ia = in6_ifaddr_of_ifp(ifp, false);
		if (ia == NULL)
			ia = in6_ifaddr_of_ifp(ifp, true);
		if (ia == NULL)
			return EADDRNOTAVAIL;
		ifr->ifr_ifru.ifru_addr = ia->ia_addr;
		in6_clearscope(&ifr->ifr_ifru.ifru_addr.sin6_addr);
		return 0;
	default:
		return EOPNOTSUPP;
	}
}
