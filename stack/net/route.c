/*
 * Routing tables: rtalloc1, rtrequest, rtfree, rt_walktree (net/route.h).
 *
 * One table per family with a routing key (a domain with dom_sa_cmplen,
 * i.e. AF_INET and AF_INET6) per host, keyed on the comparison window of
 * the family's sockaddr.  Netmasks must be contiguous (EINVAL otherwise).
 *
 * Error codes follow NetBSD 5.x rtrequest1: ESRCH (no table for the
 * family, or no exact key+mask entry for DELETE/GET/CHANGE), EEXIST
 * (ADD of an existing key+mask), ENETUNREACH (no interface address for
 * the route), ENOBUFS (an allocation failed), EDQUOT (RTM_CHANGE could not
 * allocate the new gateway, as 5.x route_output did), EINVAL (missing
 * destination or gateway, bad netmask, unknown request).
 *
 * RTM_CHANGE replaces the entry by a modified copy at the same place in
 * the table (rt_use carries over), so holders of the old entry see it go
 * down and look up again; NetBSD 5.x edited the entry in place, which is
 * not safe while another CPU reads it without the lock.
 */

#include "sys/atomic.h"
#include "sys/domain.h"
#include "sys/pool.h"
#include "sys/sdt.h"
#include "sys/sysctl.h"
#include "net/if.h"
#include "net/route.h"
#include "net/route_var.h"

VNET_DEFINE(krwlock_t, rt_lock);
VNET_DEFINE(struct rtable, rt_tables[AF_MAX]);
VNET_DEFINE(struct rtstat, rtstat);
/* Tables of this many routes get the direct table (net/rtbl.h). */
#define RT_DIRMIN_DEFAULT	1024

VNET_DEFINE_STATIC(struct pool, rtentry_pool);
VNET_DEFINE_STATIC(struct pool, rtnode_pool);
#define V_rtentry_pool	VNET(rtentry_pool)
#define V_rtnode_pool	VNET(rtnode_pool)

SDT_PROBE_DEFINE(knit, route, rtrequest, added,
    "struct rtentry *rt");
SDT_PROBE_DEFINE(knit, route, rtrequest, unlinked,
    "struct rtentry *rt (deleted, not yet released)");
/* For the run database: every successful change of a routing table. */
SDT_PROBE_DEFINE(knit, route, rtrequest, done,
    "int req (RTM_ADD/DELETE/CHANGE), struct rtentry *rt (new), int policy");
SDT_PROBE_DEFINE(knit, route, rtfree, freed,
    "struct rtentry *rt");
SDT_PROBE_DEFINE(knit, route, rtalloc1, found,
    "const struct sockaddr *dst, struct rtentry *rt");

static void
rt_vnet_init(void)
{
	struct domain *dom;
	struct rtable *tab;

	rw_init(&V_rt_lock);
	pool_init(&V_rtentry_pool, sizeof(struct rtentry), "rtentry",
	    IPL_SOFTNET);
	pool_init(&V_rtnode_pool, sizeof(struct rtnode), "rtnode",
	    IPL_SOFTNET);
	memset(&V_rtstat, 0, sizeof(V_rtstat));
	DOMAIN_FOREACH(dom) {
		if (dom->dom_sa_cmplen == 0)
			continue;
		tab = &V_rt_tables[dom->dom_family];
		rtbl_init(&tab->rtt_tbl, dom->dom_sa_cmplen * 8,
		    RT_DIRMIN_DEFAULT);
		tab->rtt_present = true;
		tab->rtt_generation = 0;
	}
}

static int
rt_fini_delete(struct rtentry *rt, void *arg)
{
	*(struct rtentry **)arg = rt;
	return 1;
}

static void
rt_vnet_fini(void)
{
	struct rtentry *rt;
	int af;

	/* Delete what is left, so that the pools end empty. */
	for (af = 0; af < AF_MAX; af++) {
		if (rt_gettable(af) == NULL)
			continue;
		while (rt_walktree((sa_family_t)af, rt_fini_delete, &rt) != 0)
			(void)rtrequest(RTM_DELETE, rt_getkey(rt), NULL,
			    rt_mask(rt), rt->rt_flags & RTF_HOST, NULL);
	}
	for (af = 0; af < AF_MAX; af++)
		if (rt_gettable(af) != NULL)
			rtbl_fini(&V_rt_tables[af].rtt_tbl);
	pool_destroy(&V_rtnode_pool);
	pool_destroy(&V_rtentry_pool);
	rw_destroy(&V_rt_lock);
}

VNET_SYSINIT(route, VNET_ORDER_ROUTE, rt_vnet_init, rt_vnet_fini);

/* ---- keys and masks ---- */

/* The routing key of sa: its comparison window, missing bytes zero. */
static struct rtkey
rt_sa2key(const struct sockaddr *sa)
{
	const struct domain *dom = pffinddomain(sa->sa_family);
	const uint8_t *p;
	uint8_t b[16] = { 0 };
	struct rtkey k;
	int i, n;

	KASSERT(dom != NULL && dom->dom_sa_cmplen <= 16);
	p = (const uint8_t *)sa + dom->dom_sa_cmpofs;
	n = (int)sa->sa_len - dom->dom_sa_cmpofs;
	if (n > dom->dom_sa_cmplen)
		n = dom->dom_sa_cmplen;
	for (i = 0; i < n; i++)
		b[i] = p[i];
	k.rk_hi = k.rk_lo = 0;
	for (i = 0; i < 8; i++) {
		k.rk_hi = k.rk_hi << 8 | b[i];
		k.rk_lo = k.rk_lo << 8 | b[8 + i];
	}
	return k;
}

/* Write key k into sa's comparison window. */
static void
rt_key2sa(const struct rtkey *k, struct sockaddr *sa)
{
	const struct domain *dom = pffinddomain(sa->sa_family);
	uint8_t *p = (uint8_t *)sa + dom->dom_sa_cmpofs;
	int i;

	for (i = 0; i < dom->dom_sa_cmplen; i++) {
		p[i] = (uint8_t)(i < 8 ? k->rk_hi >> (56 - 8 * i) :
		    k->rk_lo >> (56 - 8 * (i - 8)));
	}
}

int
rt_mask2plen(sa_family_t af, const struct sockaddr *mask)
{
	const struct domain *dom = pffinddomain(af);
	struct sockaddr_storage ss;
	struct sockaddr *sa = (struct sockaddr *)&ss;
	struct rtkey k;
	int plen;

	if (dom == NULL || dom->dom_sa_cmplen == 0)
		return -1;
	/* Masks may come truncated and with any family: read the window. */
	memset(&ss, 0, sizeof(ss));
	memcpy(sa, mask, mask->sa_len < sizeof(ss) ? mask->sa_len :
	    sizeof(ss));
	sa->sa_family = af;
	k = rt_sa2key(sa);
	if (k.rk_hi != ~UINT64_C(0))
		plen = k.rk_hi == 0 ? 0 : __builtin_clzll(~k.rk_hi);
	else
		plen = 64 + (k.rk_lo == ~UINT64_C(0) ? 64 :
		    __builtin_clzll(~k.rk_lo));
	if (plen > dom->dom_sa_cmplen * 8)
		return -1;
	k.rk_hi ^= rtkey_mask((struct rtkey){ ~UINT64_C(0), ~UINT64_C(0) },
	    plen).rk_hi;
	k.rk_lo ^= rtkey_mask((struct rtkey){ ~UINT64_C(0), ~UINT64_C(0) },
	    plen).rk_lo;
	if (k.rk_hi != 0 || k.rk_lo != 0)
		return -1;		/* not contiguous */
	return plen;
}

struct sockaddr *
rt_plen2mask(sa_family_t af, int plen, struct sockaddr_storage *ss)
{
	const struct domain *dom = pffinddomain(af);
	struct sockaddr *sa = (struct sockaddr *)ss;
	struct rtkey k = { ~UINT64_C(0), ~UINT64_C(0) };

	if (dom == NULL || dom->dom_sa_cmplen == 0 || plen < 0 ||
	    plen > dom->dom_sa_cmplen * 8)
		return NULL;
	memset(ss, 0, sizeof(*ss));
	sa->sa_family = af;
	sa->sa_len = (uint8_t)dom->dom_sa_len;
	k = rtkey_mask(k, plen);
	rt_key2sa(&k, sa);
	return sa;
}

/* ---- references ---- */

static void	rt_putifa(struct ifaddr *);

void
rt_ref(struct rtentry *rt)
{
	KASSERT(rt->rt_magic == RT_MAGIC);
	atomic_inc_uint(&rt->rt_refcnt);
}

static void
rt_destroy(struct rtentry *rt)
{
	KASSERTMSG((rt->rt_flags & RTF_UP) == 0,
	    "rtfree: freeing a route still in the table");
	SDT_PROBE1(knit, route, rtfree, freed, rt);
	atomic_add_64(&V_rtstat.rts_trash, -1);
	sockaddr_free(rt->_rt_key);
	if (rt->rt_mask_sa != NULL)
		sockaddr_free(rt->rt_mask_sa);
	sockaddr_free(rt->rt_gateway);
	rt_putifa(rt->rt_ifa);
	rt->rt_magic = 0;
	pool_put(&V_rtentry_pool, rt);
}

void
rtfree(struct rtentry *rt)
{
	KASSERTMSG(rt->rt_magic == RT_MAGIC, "rtfree: not an rtentry");
	KASSERTMSG(atomic_load_relaxed_uint(&rt->rt_refcnt) > 0,
	    "rtfree: no references");
	/*
	 * Our use of rt happens-before its destruction by whoever drops
	 * the last reference: release before the decrement, acquire after
	 * seeing zero (atomic_dec_uint_nv alone orders nothing).
	 */
	membar_release();
	if (atomic_dec_uint_nv(&rt->rt_refcnt) == 0) {
		membar_acquire();
		rt_destroy(rt);
	}
}

unsigned
rt_refs(const struct rtentry *rt)
{
	unsigned n = rt->rt_refcnt;

	return (rt->rt_flags & RTF_UP) ? n - 1 : n;
}

/* ---- lookup ---- */

struct rtentry *
rtalloc1_locked(const struct sockaddr *dst)
{
	struct rtable *tab = rt_gettable(dst->sa_family);
	struct rtnode *n;
	struct rtkey k;
	struct rtentry *rt;

	KASSERT(rw_lock_held(&V_rt_lock));
	if (tab == NULL)
		return NULL;
	k = rt_sa2key(dst);
	if ((n = rtbl_match(&tab->rtt_tbl, &k)) == NULL) {
		atomic_add_64(&V_rtstat.rts_unreach, 1);
		return NULL;
	}
	rt = n->rn_rt;
	rt_ref(rt);
	SDT_PROBE2(knit, route, rtalloc1, found, dst, rt);
	return rt;
}

struct rtentry *
rtalloc1(const struct sockaddr *dst, int report)
{
	struct rtentry *rt;

	(void)report;	/* RTM_MISS goes to the routing socket, later */
	if (rt_gettable(dst->sa_family) == NULL)
		return NULL;
	rw_enter(&V_rt_lock, RW_READER);
	rt = rtalloc1_locked(dst);
	rw_exit(&V_rt_lock);
	return rt;
}

int
rt_walktree(sa_family_t af, int (*f)(struct rtentry *, void *), void *arg)
{
	struct rtable *tab = rt_gettable(af);
	int error;

	if (tab == NULL)
		return 0;
	rw_enter(&V_rt_lock, RW_READER);
	error = rtbl_walk(&tab->rtt_tbl, f, arg);
	rw_exit(&V_rt_lock);
	return error;
}

int
rt_count(sa_family_t af)
{
	struct rtable *tab = rt_gettable(af);
	int n;

	if (tab == NULL)
		return 0;
	rw_enter(&V_rt_lock, RW_READER);
	n = (int)tab->rtt_tbl.rtb_count;
	rw_exit(&V_rt_lock);
	return n;
}

/* ---- changes ---- */

/*
 * The interface layer (net/if.c) is not linked into every program that
 * uses the routing table (unit tests of the table alone): its functions
 * are weak references here, and absent ones count as "no interface".
 */
#pragma weak ifa_ifwithroute
#pragma weak ifaof_ifpforaddr
#pragma weak ifaref
#pragma weak ifafree
#pragma weak if_lock_enter
#pragma weak if_lock_exit
#pragma weak if_lock_held

/*
 * Choose the interface address (and interface) for a route: the ones the
 * caller gave; else an address of the given interface matching the
 * gateway or destination; else the interface layer's choice for
 * (flags, dst, gateway).  ENETUNREACH when there is none.  On success
 * rti_ifa is referenced (released by rt_putifa).
 */
int
rt_getifa(struct rt_addrinfo *info)
{
	const struct sockaddr *dst = info->info_dst;
	const struct sockaddr *gw = info->info_gateway;
	struct ifaddr *ifa = info->rti_ifa;
	bool locked = false;

	/*
	 * The interface layer may ask for a route while it holds its own
	 * lock (an address being added): then do not take it again.
	 */
	if (ifa == NULL && if_lock_enter != NULL &&
	    (if_lock_held == NULL || !if_lock_held())) {
		if_lock_enter(RW_READER);
		locked = true;
	}
	if (ifa == NULL && info->rti_ifp != NULL && ifaof_ifpforaddr != NULL) {
		ifa = ifaof_ifpforaddr(gw != NULL ? gw : dst, info->rti_ifp);
		if (ifa == NULL && gw != NULL)
			ifa = ifaof_ifpforaddr(dst, info->rti_ifp);
	}
	if (ifa == NULL && info->rti_ifp == NULL && ifa_ifwithroute != NULL &&
	    dst != NULL)
		ifa = ifa_ifwithroute(info->rti_flags, dst, gw != NULL ? gw : dst);
	if (ifa != NULL && ifaref != NULL)
		ifaref(ifa);
	if (locked)
		if_lock_exit();
	if (ifa == NULL)
		return ENETUNREACH;
	info->rti_ifa = ifa;
	if (info->rti_ifp == NULL)
		info->rti_ifp = ifa->ifa_ifp;
	return 0;
}

static void
rt_putifa(struct ifaddr *ifa)
{
	if (ifa != NULL && ifafree != NULL)
		ifafree(ifa);
}

static void
rt_freenodes(struct rtnode **nodes, int n)
{
	while (n-- > 0)
		pool_put(&V_rtnode_pool, nodes[n]);
}

/* Allocate an unlinked entry with key, mask and gateway (ENOBUFS). */
static int
rt_alloc(const struct sockaddr *dst, int plen, const struct sockaddr *mask,
    const struct sockaddr *gateway, struct rtentry **rtp, int *gwerrorp)
{
	struct rtentry *rt;
	struct rtkey k;
	struct sockaddr_storage ss;

	*gwerrorp = 0;
	if ((rt = pool_get(&V_rtentry_pool, PR_NOWAIT)) == NULL)
		return ENOBUFS;
	memset(rt, 0, sizeof(*rt));
	rt->rt_magic = RT_MAGIC;
	rt->rt_plen = plen;
	if ((rt->_rt_key = sockaddr_dup(dst, PR_NOWAIT)) == NULL)
		goto fail;
	k = rtkey_mask(rt_sa2key(dst), plen);
	rt_key2sa(&k, rt->_rt_key);
	if (mask != NULL) {
		rt->rt_mask_sa = sockaddr_alloc(dst->sa_family, PR_NOWAIT);
		if (rt->rt_mask_sa == NULL)
			goto fail;
		sockaddr_copy(rt->rt_mask_sa,
		    rt_plen2mask(dst->sa_family, plen, &ss));
	}
	if ((rt->rt_gateway = sockaddr_dup(gateway, PR_NOWAIT)) == NULL) {
		*gwerrorp = 1;
		goto fail;
	}
	*rtp = rt;
	return 0;
fail:
	if (rt->_rt_key != NULL)
		sockaddr_free(rt->_rt_key);
	if (rt->rt_mask_sa != NULL)
		sockaddr_free(rt->rt_mask_sa);
	rt->rt_magic = 0;
	pool_put(&V_rtentry_pool, rt);
	return ENOBUFS;
}

static void
rt_unalloc(struct rtentry *rt)
{
	rt->rt_flags = 0;
	atomic_add_64(&V_rtstat.rts_trash, 1);	/* rt_destroy takes it off */
	rt_destroy(rt);
}

/* The metrics a request may set, by RTV_* bit. */
static const struct {
	u_long	rm_bit;
	size_t	rm_off;
} rt_metric_fields[] = {
	{ RTV_MTU, offsetof(struct rt_metrics, rmx_mtu) },
	{ RTV_HOPCOUNT, offsetof(struct rt_metrics, rmx_hopcount) },
	{ RTV_EXPIRE, offsetof(struct rt_metrics, rmx_expire) },
	{ RTV_RPIPE, offsetof(struct rt_metrics, rmx_recvpipe) },
	{ RTV_SPIPE, offsetof(struct rt_metrics, rmx_sendpipe) },
	{ RTV_SSTHRESH, offsetof(struct rt_metrics, rmx_ssthresh) },
	{ RTV_RTT, offsetof(struct rt_metrics, rmx_rtt) },
	{ RTV_RTTVAR, offsetof(struct rt_metrics, rmx_rttvar) },
};
CTASSERT(sizeof(((struct rt_metrics *)0)->rmx_expire) == sizeof(uint64_t));

static void
rt_setmetrics(struct rtentry *rt, const struct rt_addrinfo *info)
{
	size_t i, off;

	for (i = 0; i < __arraycount(rt_metric_fields); i++) {
		if ((info->rti_inits & rt_metric_fields[i].rm_bit) == 0)
			continue;
		off = rt_metric_fields[i].rm_off;
		memcpy((char *)&rt->rt_rmx + off,
		    (const char *)&info->rti_rmx + off, sizeof(uint64_t));
	}
}

/* Take rt out of the table; rt_lock held as writer.  Frees nothing. */
static void
rt_unlink(struct rtable *tab, struct rtentry *rt, struct rtnode *freed[2],
    int *nfreedp)
{
	rtbl_remove(&tab->rtt_tbl, rt->rt_node, freed, nfreedp);
	rt->rt_node = NULL;
	atomic_and_uint(&rt->rt_flags, ~(unsigned)RTF_UP);
	atomic_add_64(&V_rtstat.rts_routes, -1);
	atomic_add_64(&V_rtstat.rts_trash, 1);
}

/* Spare trie nodes for an insertion; ENOBUFS if the pool is empty. */
static int
rt_getnodes(struct rtnode *spare[2])
{
	spare[0] = pool_get(&V_rtnode_pool, PR_NOWAIT);
	spare[1] = spare[0] == NULL ? NULL :
	    pool_get(&V_rtnode_pool, PR_NOWAIT);
	if (spare[1] != NULL)
		return 0;
	if (spare[0] != NULL)
		pool_put(&V_rtnode_pool, spare[0]);
	return ENOBUFS;
}

static int
rtrequest_add(struct rtable *tab, struct rt_addrinfo *info, int plen,
    const struct sockaddr *mask, struct rtentry **ret)
{
	const struct sockaddr *dst = info->info_dst;
	struct rtnode *spare[2];
	struct rtentry *rt;
	struct rtkey k;
	int error, gwerr, nused;

	if (info->info_gateway == NULL)
		return EINVAL;
	if ((error = rt_getifa(info)) != 0)
		return error;
	if ((error = rt_alloc(dst, plen, mask, info->info_gateway, &rt,
	    &gwerr)) != 0) {
		rt_putifa(info->rti_ifa);
		return error;
	}
	rt->rt_ifa = info->rti_ifa;	/* rt_getifa's reference */
	rt->rt_ifp = info->rti_ifp;
	if ((error = rt_getnodes(spare)) != 0) {
		rt_unalloc(rt);
		return error;
	}
	rt->rt_flags = ((unsigned)info->rti_flags | RTF_UP) &
	    ~(unsigned)(RTF_DONE | RTF_MASK);
	rt_setmetrics(rt, info);
	rt->rt_refcnt = 1;		/* the table's */
	k = rt_sa2key(rt->_rt_key);

	rw_enter(&V_rt_lock, RW_WRITER);
	error = rtbl_insert(&tab->rtt_tbl, &k, plen, rt, spare, &nused);
	if (error == 0) {
		rt->rt_node = rtbl_lookup(&tab->rtt_tbl, &k, plen);
		KASSERT(rt->rt_node != NULL && rt->rt_node->rn_rt == rt);
		atomic_add_64(&V_rtstat.rts_routes, 1);
		if (ret != NULL)
			rt_ref(rt);
		SDT_PROBE1(knit, route, rtrequest, added, rt);
		SDT_PROBE3(knit, route, rtrequest, done, RTM_ADD, rt,
		    rtcache_getpolicy());
		rtflushall_locked(dst->sa_family, true);
	}
	rw_exit(&V_rt_lock);

	rt_freenodes(&spare[nused], 2 - nused);
	if (error != 0) {
		rt_unalloc(rt);
		return error;
	}
	if (ret != NULL)
		*ret = rt;
	return 0;
}

static int
rtrequest_delete(struct rtable *tab, const struct sockaddr *dst, int plen,
    struct rtentry **ret)
{
	struct rtnode *n, *freed[2];
	struct rtentry *rt;
	struct rtkey k = rt_sa2key(dst);
	int nfreed = 0;

	rw_enter(&V_rt_lock, RW_WRITER);
	if ((n = rtbl_lookup(&tab->rtt_tbl, &k, plen)) == NULL) {
		rw_exit(&V_rt_lock);
		return ESRCH;
	}
	rt = n->rn_rt;
	rt_unlink(tab, rt, freed, &nfreed);
	SDT_PROBE1(knit, route, rtrequest, unlinked, rt);
	SDT_PROBE3(knit, route, rtrequest, done, RTM_DELETE, rt,
	    rtcache_getpolicy());
	rtflushall_locked(dst->sa_family, false);
	rw_exit(&V_rt_lock);

	rt_freenodes(freed, nfreed);
	/* The table's reference goes to the caller, or away. */
	if (ret != NULL)
		*ret = rt;
	else
		rtfree(rt);
	return 0;
}

static int
rtrequest_get(struct rtable *tab, const struct sockaddr *dst, int plen,
    struct rtentry **ret)
{
	struct rtnode *n;
	struct rtkey k = rt_sa2key(dst);

	rw_enter(&V_rt_lock, RW_READER);
	if ((n = rtbl_lookup(&tab->rtt_tbl, &k, plen)) == NULL) {
		rw_exit(&V_rt_lock);
		return ESRCH;
	}
	if (ret != NULL) {
		rt_ref(n->rn_rt);
		*ret = n->rn_rt;
	}
	rw_exit(&V_rt_lock);
	return 0;
}

static int
rtrequest_change(struct rtable *tab, struct rt_addrinfo *info, int plen,
    struct rtentry **ret)
{
	const struct sockaddr *dst = info->info_dst;
	const struct sockaddr *gw = info->info_gateway;
	struct rtnode *n;
	struct rtentry *old, *rt;
	struct rtkey k = rt_sa2key(dst);
	int error, gwerr;
	bool newifa = info->rti_ifa != NULL || info->rti_ifp != NULL ||
	    gw != NULL;

	if (newifa && (error = rt_getifa(info)) != 0)
		return error;
	rw_enter(&V_rt_lock, RW_WRITER);
	if ((n = rtbl_lookup(&tab->rtt_tbl, &k, plen)) == NULL) {
		rw_exit(&V_rt_lock);
		if (newifa)
			rt_putifa(info->rti_ifa);
		return ESRCH;
	}
	old = n->rn_rt;
	error = rt_alloc(rt_getkey(old), plen, rt_mask(old),
	    gw != NULL ? gw : old->rt_gateway, &rt, &gwerr);
	if (error != 0) {
		rw_exit(&V_rt_lock);
		if (newifa)
			rt_putifa(info->rti_ifa);
		return gwerr && gw != NULL ? EDQUOT : error;
	}
	if (!newifa && old->rt_ifa != NULL && ifaref != NULL)
		ifaref(old->rt_ifa);
	rt->rt_flags = (old->rt_flags & ~(unsigned)RTF_CHANGEABLE) |
	    ((unsigned)info->rti_flags & RTF_CHANGEABLE);
	if (gw != NULL && (info->rti_flags & RTF_GATEWAY))
		rt->rt_flags |= RTF_GATEWAY;
	rt->rt_use = atomic_load_relaxed_64(&old->rt_use);
	rt->rt_rmx = old->rt_rmx;
	rt_setmetrics(rt, info);
	rt->rt_ifa = newifa ? info->rti_ifa : old->rt_ifa;
	rt->rt_ifp = newifa && info->rti_ifp != NULL ? info->rti_ifp :
	    old->rt_ifp;
	rt->rt_refcnt = 1;
	/* Swap in place: the node keeps its key and mask. */
	rt->rt_node = n;
	n->rn_rt = rt;
	old->rt_node = NULL;
	atomic_and_uint(&old->rt_flags, ~(unsigned)RTF_UP);
	atomic_add_64(&V_rtstat.rts_trash, 1);
	SDT_PROBE1(knit, route, rtrequest, unlinked, old);
	SDT_PROBE3(knit, route, rtrequest, done, RTM_CHANGE, rt,
	    rtcache_getpolicy());
	if (ret != NULL)
		rt_ref(rt);
	rtflushall_locked(dst->sa_family, true);
	rw_exit(&V_rt_lock);

	rtfree(old);
	if (ret != NULL)
		*ret = rt;
	return 0;
}

int
rtrequest1(int req, struct rt_addrinfo *info, struct rtentry **ret)
{
	const struct sockaddr *dst = info->info_dst;
	const struct sockaddr *mask;
	struct rtable *tab;
	int plen;

	if (dst == NULL)
		return EINVAL;
	if ((tab = rt_gettable(dst->sa_family)) == NULL)
		return ESRCH;
	/* RTF_HOST forces no netmask; so does an all-ones netmask. */
	mask = (info->rti_flags & RTF_HOST) ? NULL : info->info_netmask;
	plen = tab->rtt_tbl.rtb_maxbits;
	if (mask != NULL && (plen = rt_mask2plen(dst->sa_family, mask)) < 0)
		return EINVAL;
	if (plen == tab->rtt_tbl.rtb_maxbits)
		mask = NULL;
	switch (req) {
	case RTM_ADD:
		return rtrequest_add(tab, info, plen, mask, ret);
	case RTM_DELETE:
		return rtrequest_delete(tab, dst, plen, ret);
	case RTM_GET:
		return rtrequest_get(tab, dst, plen, ret);
	case RTM_CHANGE:
		return rtrequest_change(tab, info, plen, ret);
	default:
		return EINVAL;
	}
}

int
rtrequest(int req, const struct sockaddr *dst, const struct sockaddr *gateway,
    const struct sockaddr *netmask, int flags, struct rtentry **ret)
{
	struct rt_addrinfo info;

	memset(&info, 0, sizeof(info));
	info.rti_flags = flags;
	info.info_dst = dst;
	info.info_gateway = gateway;
	info.info_netmask = netmask;
	return rtrequest1(req, &info, ret);
}

void
rt_getstat(struct rtstat *st)
{
	struct domain *dom;

	mutex_enter(&V_rtcache_lock);
	*st = V_rtstat;
	DOMAIN_FOREACH(dom)
		st->rts_caches[dom->dom_family] = DOM_VNET(dom)->dv_nrtcache;
	st->rts_invalidcaches = V_rtcache_ninvalid;
	mutex_exit(&V_rtcache_lock);
}

/* ---- knobs ---- */

static int
rt_pool_sysctl(const struct sysctl_oid *oid, void *oldp, size_t *oldlenp,
    const void *newp, size_t newlen)
{
	return sysctl_pool_knob(sysctl_oid_var(oid), oid->oid_min == 1, oldp,
	    oldlenp, newp, newlen);
}

SYSCTL_OID(rtentry_pool_limit, "net.route.pool.rtentry.limit", CTLTYPE_INT,
    CTLFLAG_READWRITE | CTLFLAG_VNET, &VNET_NAME(rtentry_pool), 0, 0,
    rt_pool_sysctl, "Capacity of this host's rtentry pool (0: none)");
SYSCTL_OID(rtnode_pool_limit, "net.route.pool.rtnode.limit", CTLTYPE_INT,
    CTLFLAG_READWRITE | CTLFLAG_VNET, &VNET_NAME(rtnode_pool), 0, 0,
    rt_pool_sysctl, "Capacity of this host's routing-trie node pool");
/* min == max == 1 selects "inuse" (and disables the range check). */
SYSCTL_OID(rtentry_pool_inuse, "net.route.pool.rtentry.inuse", CTLTYPE_INT,
    CTLFLAG_READONLY | CTLFLAG_VNET, &VNET_NAME(rtentry_pool), 1, 1,
    rt_pool_sysctl, "rtentries allocated on this host");
SYSCTL_OID(rtnode_pool_inuse, "net.route.pool.rtnode.inuse", CTLTYPE_INT,
    CTLFLAG_READONLY | CTLFLAG_VNET, &VNET_NAME(rtnode_pool), 1, 1,
    rt_pool_sysctl, "Routing-trie nodes allocated on this host");

static int
rt_dirmin_sysctl(const struct sysctl_oid *oid, void *oldp, size_t *oldlenp,
    const void *newp, size_t newlen)
{
	struct rtable *tab = rt_gettable(AF_INET);
	bool changed;
	int error, v, af;

	(void)oid;
	error = sysctl_int_update((int)tab->rtt_tbl.rtb_dirmin, 0, oldp,
	    oldlenp, newp, newlen, &v, &changed);
	if (error != 0 || !changed)
		return error;
	rw_enter(&V_rt_lock, RW_WRITER);
	for (af = 0; af < AF_MAX; af++)
		if ((tab = rt_gettable(af)) != NULL)
			rtbl_setdirmin(&tab->rtt_tbl, (unsigned)v);
	rw_exit(&V_rt_lock);
	return 0;
}

SYSCTL_OID(rt_dirmin, "net.route.trie.dirmin", CTLTYPE_INT,
    CTLFLAG_READWRITE, NULL, 0, 0, rt_dirmin_sysctl,
    "Routes from which a table gets its 64K-entry direct index (0: never)");

static int
rt_stat_sysctl(const struct sysctl_oid *oid, void *oldp, size_t *oldlenp,
    const void *newp, size_t newlen)
{
	struct rtstat st;
	int64_t v;

	(void)newp;
	(void)newlen;
	rt_getstat(&st);
	v = (int64_t)*(const uint64_t *)((const char *)&st +
	    (uintptr_t)oid->oid_arg);
	if (oldlenp == NULL)
		return 0;
	if (oldp != NULL && *oldlenp < sizeof(v)) {
		*oldlenp = sizeof(v);
		return ENOMEM;
	}
	if (oldp != NULL)
		memcpy(oldp, &v, sizeof(v));
	*oldlenp = sizeof(v);
	return 0;
}

#define RT_STAT_KNOB(id, field, descr)					\
	SYSCTL_OID(rtstat_##id, "net.route.stats." #id, CTLTYPE_QUAD,	\
	    CTLFLAG_READONLY, (void *)offsetof(struct rtstat, field),	\
	    0, 0, rt_stat_sysctl, descr)

RT_STAT_KNOB(routes, rts_routes, "Routes in this host's tables");
RT_STAT_KNOB(trash, rts_trash, "Deleted routes still referenced");
RT_STAT_KNOB(unreach, rts_unreach, "Lookups that found no route");
RT_STAT_KNOB(flushall, rts_flushall, "rtflushall calls");
RT_STAT_KNOB(invalidated, rts_invalidated,
    "Route caches invalidated by rtflushall");
RT_STAT_KNOB(caches_inet, rts_caches[AF_INET], "Live IPv4 route caches");
RT_STAT_KNOB(caches_inet6, rts_caches[AF_INET6], "Live IPv6 route caches");
