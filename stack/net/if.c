/*
 * Network interfaces: the per-host list, attach/detach, addresses,
 * up/down, the send path into the driver, and the generic ioctls.
 *
 * Locking rule for the interface list and the address lists: a writer
 * holds softnet_lock and the ifnet lock as writer; a reader holds
 * either softnet_lock or the ifnet lock.  The per-packet paths run
 * with softnet_lock held and so take nothing more.  Lock order:
 * softnet_lock -> routing table lock -> ifnet lock; never call into the
 * routing table with the ifnet lock held.
 */
#include "net/if.h"
#include "net/if_dl.h"
#include "net/route.h"
#include "sys/atomic.h"
#include "sys/domain.h"
#include "sys/kmem.h"
#include "sys/socket.h"
#include "netinet/in.h"

VNET_DEFINE(struct ifnethead, ifnet_list);
VNET_DEFINE(struct ifnet *, loif);
/*
 * softnet_lock: created here unless the socket layer (which defines
 * it weakly) made it first; each frees only what it created.
 */
#undef softnet_lock
VNET_DEFINE(kmutex_t *, softnet_lock);
#define softnet_lock		VNET(softnet_lock)
VNET_DEFINE_STATIC(kmutex_t *, if_softnet_lock);
#define V_if_softnet_lock	VNET(if_softnet_lock)
VNET_DEFINE_STATIC(krwlock_t, ifnet_lock);
VNET_DEFINE_STATIC(u_int, if_index_last);
#define V_ifnet_lock	VNET(ifnet_lock)
#define V_if_index_last	VNET(if_index_last)

static void
ifnet_vnet_init(void)
{
	TAILQ_INIT(&V_ifnet_list);
	rw_init(&V_ifnet_lock);
	V_if_softnet_lock = NULL;
	if (softnet_lock == NULL) {
		V_if_softnet_lock = mutex_obj_alloc(MUTEX_DEFAULT, IPL_NONE);
		softnet_lock = V_if_softnet_lock;
	}
}

static void
ifnet_vnet_fini(void)
{
	KASSERT(TAILQ_EMPTY(&V_ifnet_list));
	if (V_if_softnet_lock != NULL) {
		if (softnet_lock == V_if_softnet_lock)
			softnet_lock = NULL;
		mutex_obj_free(V_if_softnet_lock);
		V_if_softnet_lock = NULL;
	}
	rw_destroy(&V_ifnet_lock);
}
VNET_SYSINIT(ifnet, VNET_ORDER_KERN, ifnet_vnet_init, ifnet_vnet_fini);

void
if_lock_enter(krw_t how)
{
	rw_enter(&V_ifnet_lock, how);
}

void
if_lock_exit(void)
{
	rw_exit(&V_ifnet_lock);
}

bool
if_lock_held(void)
{
	return rw_lock_held(&V_ifnet_lock) || mutex_owned(softnet_lock);
}

/* Readers not under softnet_lock take the ifnet lock. */
static bool
if_read_enter(void)
{
	if (mutex_owned(softnet_lock) || rw_lock_held(&V_ifnet_lock))
		return false;
	rw_enter(&V_ifnet_lock, RW_READER);
	return true;
}

static void
if_read_exit(bool locked)
{
	if (locked)
		rw_exit(&V_ifnet_lock);
}

void
ifaref(struct ifaddr *ifa)
{
	atomic_inc_uint(&ifa->ifa_refcnt);
}

void
ifafree(struct ifaddr *ifa)
{
	KASSERT(ifa->ifa_refcnt > 0);
	/* an ifaddr without ifa_free is static storage (tests) */
	if (atomic_dec_uint_nv(&ifa->ifa_refcnt) == 0 && ifa->ifa_free != NULL)
		ifa->ifa_free(ifa);
}

void
ifa_insert(struct ifnet *ifp, struct ifaddr *ifa)
{
	KASSERT(mutex_owned(softnet_lock));
	ifa->ifa_ifp = ifp;
	ifaref(ifa);
	rw_enter(&V_ifnet_lock, RW_WRITER);
	TAILQ_INSERT_TAIL(&ifp->if_addrlist, ifa, ifa_list);
	rw_exit(&V_ifnet_lock);
}

void
ifa_remove(struct ifnet *ifp, struct ifaddr *ifa)
{
	KASSERT(mutex_owned(softnet_lock));
	KASSERT(ifa->ifa_ifp == ifp);
	rw_enter(&V_ifnet_lock, RW_WRITER);
	TAILQ_REMOVE(&ifp->if_addrlist, ifa, ifa_list);
	rw_exit(&V_ifnet_lock);
	ifafree(ifa);
}

struct if_dl_ifaddr {
	struct ifaddr	 dl_ifa;
};

/*
 * The link address is the interface's own storage (as in NetBSD's
 * if_alloc_sadl), not a sockaddr from the AF_LINK pool.
 */
static void
if_dl_free(struct ifaddr *ifa)
{
	kmem_free(ifa->ifa_addr, SOCKADDR_DL_MAXLEN);
	kmem_free(ifa, sizeof(struct if_dl_ifaddr));
}

void
if_attach(struct ifnet *ifp)
{
	struct ifaddr *ifa;

	KASSERT(ifp->if_xname[0] != '\0');
	TAILQ_INIT(&ifp->if_addrlist);
	mutex_init(&ifp->if_snd.ifq_lock, MUTEX_DEFAULT, IPL_NET);
	if (mbufq_len(&ifp->if_snd.ifq_q) == 0 &&
	    ifp->if_snd.ifq_q.mq_maxlen == 0)
		mbufq_init(&ifp->if_snd.ifq_q, 256);
	mutex_enter(softnet_lock);
	rw_enter(&V_ifnet_lock, RW_WRITER);
	ifp->if_index = (u_short)++V_if_index_last;
	TAILQ_INSERT_TAIL(&V_ifnet_list, ifp, if_list);
	rw_exit(&V_ifnet_lock);
	/* the link-level address comes first on the address list */
	ifa = kmem_zalloc(sizeof(struct if_dl_ifaddr), KM_SLEEP);
	ifa->ifa_addr = sdltosa(sockaddr_dl_init(
	    kmem_zalloc(SOCKADDR_DL_MAXLEN, KM_SLEEP), SOCKADDR_DL_MAXLEN,
	    ifp->if_index, ifp->if_type, ifp->if_xname,
	    (uint8_t)strlen(ifp->if_xname), ifp->if_lladdr, ifp->if_addrlen));
	KASSERT(ifa->ifa_addr != NULL);
	ifa->ifa_free = if_dl_free;
	ifp->if_dl = ifa;
	ifp->if_sadl = ifa->ifa_addr;
	ifa_insert(ifp, ifa);
	mutex_exit(softnet_lock);
}

/* Find one route of family af whose interface is ifp. */
struct rt_byifp {
	struct ifnet	*ifp;
	struct rtentry	*rt;
};

static int
rt_byifp_walk(struct rtentry *rt, void *arg)
{
	struct rt_byifp *w = arg;

	if (rt->rt_ifp == w->ifp) {
		rt_ref(rt);
		w->rt = rt;
		return 1;
	}
	return 0;
}

/*
 * Delete every route through ifp: the walk may not change the table,
 * so find one, delete it, and walk again.
 */
static void
if_rt_purge(struct ifnet *ifp, sa_family_t af)
{
	struct rt_byifp w;
	struct rtentry *rt;
	int error;

	for (;;) {
		w.ifp = ifp;
		w.rt = NULL;
		rt_walktree(af, rt_byifp_walk, &w);
		if ((rt = w.rt) == NULL)
			break;
		error = rtrequest(RTM_DELETE, rt_getkey(rt), rt->rt_gateway,
		    rt_mask(rt), rt->rt_flags, NULL);
		rtfree(rt);
		if (error != 0)
			break;
	}
}

void
if_detach(struct ifnet *ifp)
{
	struct mbuf *m;

	mutex_enter(softnet_lock);
	ifp->if_detaching = 1;
	if_down(ifp);
	if (if_inet_purge != NULL)
		(*if_inet_purge)(ifp);
	if (if_inet6_purge != NULL)
		(*if_inet6_purge)(ifp);
	if_rt_purge(ifp, AF_INET);
	if_rt_purge(ifp, AF_INET6);
	mutex_spin_enter(&ifp->if_snd.ifq_lock);
	while ((m = mbufq_dequeue(&ifp->if_snd.ifq_q)) != NULL) {
		mutex_spin_exit(&ifp->if_snd.ifq_lock);
		m_freem(m);
		mutex_spin_enter(&ifp->if_snd.ifq_lock);
	}
	mutex_spin_exit(&ifp->if_snd.ifq_lock);
	ifa_remove(ifp, ifp->if_dl);
	KASSERTMSG(TAILQ_EMPTY(&ifp->if_addrlist),
	    "%s: addresses left after detach", ifp->if_xname);
	ifp->if_dl = NULL;
	ifp->if_sadl = NULL;
	rw_enter(&V_ifnet_lock, RW_WRITER);
	TAILQ_REMOVE(&V_ifnet_list, ifp, if_list);
	rw_exit(&V_ifnet_lock);
	mutex_exit(softnet_lock);
	mutex_destroy(&ifp->if_snd.ifq_lock);
}

struct ifnet *
if_byindex(u_int idx)
{
	struct ifnet *ifp;
	bool locked = if_read_enter();

	IFNET_FOREACH(ifp)
		if (ifp->if_index == idx)
			break;
	if_read_exit(locked);
	return ifp;
}

struct ifnet *
ifunit(const char *name)
{
	struct ifnet *ifp;
	bool locked = if_read_enter();

	IFNET_FOREACH(ifp)
		if (strncmp(ifp->if_xname, name, IFNAMSIZ) == 0)
			break;
	if_read_exit(locked);
	return ifp;
}

int
if_up(struct ifnet *ifp)
{
	int error = 0;

	atomic_or_uint(IF_FLAGSP(ifp), IFF_UP);
	if (ifp->if_init != NULL)
		error = (*ifp->if_init)(ifp);
	else
		atomic_or_uint(IF_FLAGSP(ifp), IFF_RUNNING);
	if (error == 0 && ifp->if_type == IFT_ETHER && if_inet6_up != NULL)
		(*if_inet6_up)(ifp);
	return error;
}

void
if_down(struct ifnet *ifp)
{
	struct mbuf *m;

	atomic_and_uint(IF_FLAGSP(ifp), ~(unsigned int)IFF_UP);
	if (ifp->if_stop != NULL)
		(*ifp->if_stop)(ifp, 0);
	/* purge the send queue: nothing leaves a down interface */
	mutex_spin_enter(&ifp->if_snd.ifq_lock);
	m = mbufq_takeall(&ifp->if_snd.ifq_q);
	mutex_spin_exit(&ifp->if_snd.ifq_lock);
	m_freem_list(m);
}

int
if_transmit(struct ifnet *ifp, struct mbuf *m)
{
	bool ok;

	KASSERT(m->m_flags & M_PKTHDR);
	if (!if_is_up_running(ifp)) {
		m_freem(m);
		ifp->if_oerrors++;
		return ENETDOWN;
	}
	mutex_spin_enter(&ifp->if_snd.ifq_lock);
	ok = mbufq_enqueue(&ifp->if_snd.ifq_q, m);
	mutex_spin_exit(&ifp->if_snd.ifq_lock);
	if (!ok) {
		ifp->if_oqdrops++;
		return ENOBUFS;
	}
	(*ifp->if_start)(ifp);
	return 0;
}

/* ---- address lookups ---- */

/* Do a and b agree on the bits of mask m (same family)? */
static bool
sa_equal_masked(const struct sockaddr *a, const struct sockaddr *b,
    const struct sockaddr *m)
{
	const uint8_t *pa, *pb, *pm;
	size_t off, len, i;

	if (a->sa_family != b->sa_family || m == NULL)
		return false;
	if (a->sa_family == AF_INET) {
		off = offsetof(struct sockaddr_in, sin_addr);
		len = 4;
	} else if (a->sa_family == AF_INET6) {
		off = 8;	/* sin6_addr */
		len = 16;
	} else
		return false;
	pa = (const uint8_t *)a + off;
	pb = (const uint8_t *)b + off;
	pm = (const uint8_t *)m + off;
	for (i = 0; i < len; i++) {
		if (off + i >= m->sa_len)
			break;	/* short mask: remaining bits are zero */
		if ((pa[i] ^ pb[i]) & pm[i])
			return false;
	}
	return true;
}

static bool
sa_addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a == NULL || b == NULL || a->sa_family != b->sa_family)
		return false;
	return sockaddr_cmp(a, b) == 0;
}

struct ifaddr *
ifa_ifwithaddr(const struct sockaddr *addr)
{
	struct ifnet *ifp;
	struct ifaddr *ifa, *found = NULL;
	bool locked = if_read_enter();

	IFNET_FOREACH(ifp) {
		IFADDR_FOREACH(ifa, ifp) {
			if (sa_addr_equal(ifa->ifa_addr, addr)) {
				found = ifa;
				goto out;
			}
			if ((ifp->if_flags & IFF_BROADCAST) &&
			    ifa->ifa_broadaddr != NULL &&
			    ifa->ifa_broadaddr->sa_len != 0 &&
			    sa_addr_equal(ifa->ifa_broadaddr, addr)) {
				found = ifa;
				goto out;
			}
		}
	}
out:
	if_read_exit(locked);
	return found;
}

struct ifaddr *
ifa_ifwithdstaddr(const struct sockaddr *addr)
{
	struct ifnet *ifp;
	struct ifaddr *ifa, *found = NULL;
	bool locked = if_read_enter();

	IFNET_FOREACH(ifp) {
		if ((ifp->if_flags & IFF_POINTOPOINT) == 0)
			continue;
		IFADDR_FOREACH(ifa, ifp) {
			if (sa_addr_equal(ifa->ifa_dstaddr, addr)) {
				found = ifa;
				goto out;
			}
		}
	}
out:
	if_read_exit(locked);
	return found;
}

/*
 * The address of a directly connected network holding addr: the most
 * specific one (longest netmask) wins, ties go to the first found.
 */
struct ifaddr *
ifa_ifwithnet(const struct sockaddr *addr)
{
	struct ifnet *ifp;
	struct ifaddr *ifa, *best = NULL;
	int bestlen = -1, len;
	bool locked = if_read_enter();

	if (addr->sa_family == AF_LINK) {
		const struct sockaddr_dl *sdl = satocsdl(addr);

		if (sdl->sdl_index != 0 &&
		    (ifp = if_byindex(sdl->sdl_index)) != NULL)
			best = ifp->if_dl;
		if_read_exit(locked);
		return best;
	}
	IFNET_FOREACH(ifp) {
		IFADDR_FOREACH(ifa, ifp) {
			if (ifa->ifa_addr->sa_family != addr->sa_family ||
			    ifa->ifa_netmask == NULL)
				continue;
			if (!sa_equal_masked(ifa->ifa_addr, addr,
			    ifa->ifa_netmask))
				continue;
			len = rt_mask2plen(addr->sa_family, ifa->ifa_netmask);
			if (len > bestlen) {
				best = ifa;
				bestlen = len;
			}
		}
	}
	if_read_exit(locked);
	return best;
}

struct ifaddr *
ifa_ifwithladdr(const struct sockaddr *addr)
{
	struct ifaddr *ifa;

	if ((ifa = ifa_ifwithaddr(addr)) != NULL)
		return ifa;
	if ((ifa = ifa_ifwithdstaddr(addr)) != NULL)
		return ifa;
	return ifa_ifwithnet(addr);
}

/*
 * The interface address for a new route to dst via gateway (see the
 * routing reference, 3.3): a non-gateway host route may name a
 * point-to-point peer or one of our addresses; a gateway must be a
 * peer or on a connected network; failing that, a route that already
 * reaches the gateway (not through another gateway) supplies it.
 */
struct ifaddr *
ifa_ifwithroute(int flags, const struct sockaddr *dst,
    const struct sockaddr *gateway)
{
	struct ifaddr *ifa = NULL;
	struct rtentry *rt;

	if ((flags & RTF_GATEWAY) == 0) {
		if (flags & RTF_HOST)
			ifa = ifa_ifwithdstaddr(dst);
		if (ifa == NULL && gateway != NULL)
			ifa = ifa_ifwithaddr(gateway);
	} else if (gateway != NULL) {
		ifa = ifa_ifwithdstaddr(gateway);
	}
	if (ifa == NULL && gateway != NULL)
		ifa = ifa_ifwithnet(gateway);
	if (ifa == NULL && gateway != NULL &&
	    gateway->sa_family != AF_LINK) {
		rt = rtalloc1(gateway, 0);
		if (rt != NULL) {
			if ((rt->rt_flags & RTF_GATEWAY) == 0)
				ifa = rt->rt_ifa;
			rtfree(rt);
		}
	}
	if (ifa != NULL && ifa->ifa_addr->sa_family != dst->sa_family &&
	    dst->sa_family != AF_UNSPEC) {
		struct ifaddr *oifa = ifa;

		ifa = ifaof_ifpforaddr(dst, ifa->ifa_ifp);
		if (ifa == NULL)
			ifa = oifa;
	}
	return ifa;
}

/* The address of ifp best matching addr's family (and network). */
struct ifaddr *
ifaof_ifpforaddr(const struct sockaddr *addr, struct ifnet *ifp)
{
	struct ifaddr *ifa, *first = NULL;
	int af = addr->sa_family;
	bool locked;

	if (af >= AF_MAX)
		return NULL;
	locked = if_read_enter();
	IFADDR_FOREACH(ifa, ifp) {
		if (ifa->ifa_addr->sa_family != af)
			continue;
		if (first == NULL)
			first = ifa;
		if (ifa->ifa_netmask == NULL) {
			if (sa_addr_equal(ifa->ifa_addr, addr) ||
			    sa_addr_equal(ifa->ifa_dstaddr, addr))
				break;
			continue;
		}
		if (sa_equal_masked(ifa->ifa_addr, addr, ifa->ifa_netmask))
			break;
	}
	if_read_exit(locked);
	return ifa != NULL ? ifa : first;
}
