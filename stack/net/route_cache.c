/*
 * Route caches: struct route and its rtcache_* operations (net/route.h).
 *
 * A cache remembers a destination (ro_sa, a sockaddr from its family's
 * pool) and a referenced rtentry found for it (_ro_rt).  Whether that
 * entry may still be used is decided by the host's invalidation policy
 * (sysctl net.route.invalidation), which callers never see:
 *
 *   none	the behaviour before the fix: valid while the entry is
 *		RTF_UP.  A more specific route added later is not noticed,
 *		which is PR kern/3508.
 *   list	the seed (NetBSD 2007-5.x): a cache holding an entry is on
 *		its family's dom_rtcache list; adding a route calls
 *		rtflushall, which moves every cache of the family to the
 *		invalid list and sets ro_invalid.  A deleted entry fails
 *		validation because RTF_UP is clear.
 *   generation	later NetBSD: each table has a generation number bumped
 *		on every add and delete; a cache is valid while the number
 *		it recorded at lookup time is current.
 *
 * List membership is kept under every policy (it costs O(1) per lookup),
 * so the invariants below hold whatever the policy and switching policy
 * at run time is safe: a switch invalidates every cache of every family.
 *
 * Invariants (checked by rtcache_invariants; numbering of the reference
 * model, ../shared/reference/netbsd.md 1.3):
 *   1. _ro_rt != NULL implies ro_sa != NULL.
 *   2. ro_invalid implies _ro_rt != NULL.
 *   3. _ro_rt != NULL iff ro is on exactly one list: its domain's
 *	dom_rtcache if !ro_invalid, the host's invalid list otherwise.
 *   4. The cache holds one reference on _ro_rt (so _ro_rt is allocated
 *	and has at least as many references as caches pointing at it).
 *   5. The list is the one of ro_sa->sa_family's domain.
 *   6. A cache starts zeroed: without an entry it is on no list, not
 *	invalid, and ro_sa is NULL or a well-formed sockaddr of a family
 *	with a pool.
 *   7. The owner serialises use: no rtcache_* call is running on ro
 *	(ro_busy == 0) when the owner checks.
 *
 * Concurrency: lookups that fill a cache hold rt_lock as reader from the
 * table lookup until the cache is on its list, so an addition (writer)
 * either happens before the lookup or finds the cache on the list.
 */

#include "sys/atomic.h"
#include "sys/domain.h"
#include "sys/sdt.h"
#include "sys/sysctl.h"
#include "net/route.h"
#include "net/route_var.h"

VNET_DEFINE(kmutex_t, rtcache_lock);
VNET_DEFINE(volatile unsigned int, rtcache_policy);
VNET_DEFINE(struct dom_rtlist, rtcache_invalid);
VNET_DEFINE(unsigned, rtcache_ninvalid);

SDT_PROBE_DEFINE(knit, route, rtcache, validated,
    "const struct route *ro, struct rtentry *rt");
SDT_PROBE_DEFINE(knit, route, rtcache, filled,
    "struct route *ro, struct rtentry *rt");
SDT_PROBE_DEFINE(knit, route, rtflushall, done,
    "int family, unsigned invalidated");

static const char *const rtcache_policy_names[] = {
	[RTCACHE_POLICY_NONE] = "none",
	[RTCACHE_POLICY_LIST] = "list",
	[RTCACHE_POLICY_GENERATION] = "generation",
};

static void
rtcache_vnet_init(void)
{
	mutex_init(&V_rtcache_lock, MUTEX_DEFAULT, IPL_SOFTNET);
	LIST_INIT(&V_rtcache_invalid);
	V_rtcache_ninvalid = 0;
	V_rtcache_policy = RTCACHE_POLICY_LIST;
}

static void
rtcache_vnet_fini(void)
{
	mutex_destroy(&V_rtcache_lock);
}

/* After the tables (VNET_ORDER_ROUTE): "route" < "rtcache". */
VNET_SYSINIT(rtcache, VNET_ORDER_ROUTE, rtcache_vnet_init, rtcache_vnet_fini);

/* Invariant 7: the owner must not use one cache from two LWPs at once. */
static inline void
rtcache_enter(const struct route *ro)
{
	struct route *w = (struct route *)(uintptr_t)ro;

	KASSERTMSG(w->ro_busy == 0, "route cache %p used concurrently", ro);
	w->ro_busy = 1;
}

static inline void
rtcache_exit(const struct route *ro)
{
	((struct route *)(uintptr_t)ro)->ro_busy = 0;
}

static inline uint64_t
rtcache_generation(int family)
{
	struct rtable *tab = rt_gettable(family);

	return tab == NULL ? 0 :
	    atomic_load_relaxed_64(&tab->rtt_generation);
}

/* ---- invalidation ---- */

/* Move every cache of dom's list to the invalid list; rtcache_lock held. */
static unsigned
rtcache_invalidate_list(struct domain *dom)
{
	struct domain_vnet *dv = DOM_VNET(dom);
	struct route *ro;
	unsigned n = 0;

	while ((ro = LIST_FIRST(&dv->dv_rtcache)) != NULL) {
		KASSERT(ro->_ro_rt != NULL);
		atomic_store_release_uint(&ro->ro_invalid, 1);
		LIST_REMOVE(ro, ro_rtcache_next);
		LIST_INSERT_HEAD(&V_rtcache_invalid, ro, ro_rtcache_next);
		n++;
	}
	dv->dv_nrtcache = 0;
	V_rtcache_ninvalid += n;
	return n;
}

static void
rtcache_bump_generation(int family)
{
	struct rtable *tab = rt_gettable(family);

	if (tab != NULL)
		atomic_store_relaxed_64(&tab->rtt_generation,
		    tab->rtt_generation + 1);
}

/*
 * Bug corpus (knit explore's tests; off by default): with
 * debug.bug.kern3508 = 1, adding a route invalidates no cache -- PR
 * kern/3508 again, whatever the policy: a cache resolved through a less
 * specific route keeps it after a more specific one appears.
 */
VNET_DEFINE_STATIC(int, debug_bug_kern3508);

/*
 * Bug corpus: with debug.bug.rtcache_noref = 1 a route cache does not
 * hold a reference on its entry, so deleting the route frees an rtentry
 * that caches still point to (use after free at their next lookup).
 * Set it before any cache is filled.
 */
VNET_DEFINE_STATIC(int, debug_bug_rtcache_noref);

/*
 * Bug corpus: with debug.bug.rtcache_nolock = 1, filling and clearing a
 * route cache link it into / out of the per-family cache list without
 * V_rtcache_lock: two CPUs doing it at once corrupt the list (a data
 * race the race detector reports in build/knit-race).
 */
VNET_DEFINE_STATIC(int, debug_bug_rtcache_nolock);
SYSCTL_VNET_INT(debug_bug_rtcache_nolock, "debug.bug.rtcache_nolock",
    debug_bug_rtcache_nolock, 0, 1,
    "Bug corpus: the route-cache list is changed without its lock");
SYSCTL_VNET_INT(debug_bug_rtcache_noref, "debug.bug.rtcache_noref",
    debug_bug_rtcache_noref, 0, 1,
    "Bug corpus: route caches hold no reference on their entry");
SYSCTL_VNET_INT(debug_bug_kern3508, "debug.bug.kern3508",
    debug_bug_kern3508, 0, 1,
    "Bug corpus: route additions do not invalidate route caches");

void
rtflushall_locked(int family, bool added)
{
	struct domain *dom = pffinddomain(family);
	unsigned n = 0;

	KASSERT(rw_write_held(&V_rt_lock));
	if (dom == NULL)
		return;
	if (__predict_false(added && VNET(debug_bug_kern3508)))
		return;				/* BUG CORPUS */
	switch (rtcache_policy()) {
	case RTCACHE_POLICY_NONE:
		break;
	case RTCACHE_POLICY_LIST:
		/* Deleted entries fail validation through RTF_UP. */
		if (!added)
			return;
		mutex_enter(&V_rtcache_lock);
		n = rtcache_invalidate_list(dom);
		mutex_exit(&V_rtcache_lock);
		break;
	case RTCACHE_POLICY_GENERATION:
		rtcache_bump_generation(family);
		break;
	}
	if (added) {
		atomic_add_64(&V_rtstat.rts_flushall, 1);
		atomic_add_64(&V_rtstat.rts_invalidated, n);
		SDT_PROBE2(knit, route, rtflushall, done, family, n);
	}
}

void
rtflushall(int family)
{
	rw_enter(&V_rt_lock, RW_WRITER);
	rtflushall_locked(family, true);
	rw_exit(&V_rt_lock);
}

int
rtcache_getpolicy(void)
{
	return rtcache_policy();
}

int
rtcache_setpolicy(int policy)
{
	struct domain *dom;

	if (policy < RTCACHE_POLICY_NONE || policy > RTCACHE_POLICY_GENERATION)
		return EINVAL;
	/*
	 * Whatever the old policy let through, nothing cached before the
	 * switch is trusted after it.
	 */
	rw_enter(&V_rt_lock, RW_WRITER);
	atomic_store_release_uint(&V_rtcache_policy, (unsigned)policy);
	mutex_enter(&V_rtcache_lock);
	DOMAIN_FOREACH(dom) {
		(void)rtcache_invalidate_list(dom);
		rtcache_bump_generation(dom->dom_family);
	}
	mutex_exit(&V_rtcache_lock);
	rw_exit(&V_rt_lock);
	return 0;
}

/* ---- the cache ---- */

const struct sockaddr *
rtcache_getdst(const struct route *ro)
{
	return ro->ro_sa;
}

struct rtentry *
rtcache_validate(const struct route *ro)
{
	struct rtentry *rt = ro->_ro_rt;
	unsigned flags;

	if (rt == NULL)
		return NULL;
	KASSERTMSG(rt->rt_magic == RT_MAGIC,
	    "route cache %p holds a freed rtentry", ro);
	switch (rtcache_policy()) {
	case RTCACHE_POLICY_NONE:
		/* Before the fix: only "is it still up". */
		flags = atomic_load_acquire_uint(&rt->rt_flags);
		return (flags & RTF_UP) ? rt : NULL;
	case RTCACHE_POLICY_LIST:
		if (atomic_load_acquire_uint(&ro->ro_invalid))
			return NULL;
		break;
	case RTCACHE_POLICY_GENERATION:
		if (ro->ro_rtcache_generation !=
		    rtcache_generation(ro->ro_sa->sa_family))
			return NULL;
		break;
	}
	flags = atomic_load_acquire_uint(&rt->rt_flags);
	if ((flags & RTF_UP) == 0 || rt->rt_ifp == NULL)
		return NULL;
	SDT_PROBE2(knit, route, rtcache, validated, ro, rt);
	return rt;
}

/* Drop the entry, keep the destination. */
static void
rtcache_clear1(struct route *ro)
{
	struct rtentry *rt = ro->_ro_rt;
	struct domain *dom;

	if (rt == NULL)
		return;
	if (!VNET(debug_bug_rtcache_nolock))	/* BUG CORPUS */
		mutex_enter(&V_rtcache_lock);
	LIST_REMOVE(ro, ro_rtcache_next);
	if (ro->ro_invalid) {
		V_rtcache_ninvalid--;
	} else {
		dom = pffinddomain(ro->ro_sa->sa_family);
		DOM_VNET(dom)->dv_nrtcache--;
	}
	ro->ro_invalid = 0;
	if (!VNET(debug_bug_rtcache_nolock))	/* BUG CORPUS */
		mutex_exit(&V_rtcache_lock);
	ro->_ro_rt = NULL;
	if (!VNET(debug_bug_rtcache_noref))	/* BUG CORPUS when set */
		rtfree(rt);
}

static void
rtcache_free1(struct route *ro)
{
	rtcache_clear1(ro);
	if (ro->ro_sa != NULL) {
		sockaddr_free(ro->ro_sa);
		ro->ro_sa = NULL;
	}
}

static int
rtcache_setdst1(struct route *ro, const struct sockaddr *sa)
{
	KASSERT(sa != NULL);
	if (ro->ro_sa != NULL && ro->ro_sa->sa_family == sa->sa_family) {
		rtcache_clear1(ro);
		sockaddr_copy(ro->ro_sa, sa);
		return 0;
	}
	rtcache_free1(ro);
	if ((ro->ro_sa = sockaddr_dup(sa, PR_NOWAIT)) == NULL)
		return ENOMEM;
	return 0;
}

/* Look up the destination and remember the entry; none cached before. */
static struct rtentry *
rtcache_init1(struct route *ro)
{
	struct rtentry *rt;
	struct domain *dom;

	KASSERT(ro->_ro_rt == NULL);
	if (ro->ro_sa == NULL)
		return NULL;
	if (rt_gettable(ro->ro_sa->sa_family) == NULL)
		return NULL;
	dom = pffinddomain(ro->ro_sa->sa_family);
	rw_enter(&V_rt_lock, RW_READER);
	if ((rt = rtalloc1_locked(ro->ro_sa)) != NULL) {
		ro->_ro_rt = rt;
		ro->ro_invalid = 0;
		ro->ro_rtcache_generation =
		    rtcache_generation(ro->ro_sa->sa_family);
		if (!VNET(debug_bug_rtcache_nolock))	/* BUG CORPUS */
			mutex_enter(&V_rtcache_lock);
		LIST_INSERT_HEAD(DOM_RTCACHE(dom), ro, ro_rtcache_next);
		DOM_VNET(dom)->dv_nrtcache++;
		if (!VNET(debug_bug_rtcache_nolock))	/* BUG CORPUS */
			mutex_exit(&V_rtcache_lock);
		SDT_PROBE2(knit, route, rtcache, filled, ro, rt);
		/* BUG CORPUS: the cache keeps the entry, not a reference. */
		if (__predict_false(VNET(debug_bug_rtcache_noref)))
			rtfree(rt);	/* never the last: the table holds one */
	}
	rw_exit(&V_rt_lock);
	return rt;
}

struct rtentry *
rtcache_init(struct route *ro)
{
	struct rtentry *rt;

	rtcache_enter(ro);
	rt = rtcache_init1(ro);
	rtcache_exit(ro);
	return rt;
}

struct rtentry *
rtcache_init_noclone(struct route *ro)
{
	return rtcache_init(ro);	/* no cloning routes in knit */
}

struct rtentry *
rtcache_update(struct route *ro, int clone)
{
	struct rtentry *rt;

	(void)clone;
	rtcache_enter(ro);
	rtcache_clear1(ro);
	rt = rtcache_init1(ro);
	rtcache_exit(ro);
	return rt;
}

void
rtcache_clear(struct route *ro)
{
	rtcache_enter(ro);
	rtcache_clear1(ro);
	rtcache_exit(ro);
}

void
rtcache_free(struct route *ro)
{
	rtcache_enter(ro);
	rtcache_free1(ro);
	rtcache_exit(ro);
}

int
rtcache_setdst(struct route *ro, const struct sockaddr *sa)
{
	int error;

	rtcache_enter(ro);
	error = rtcache_setdst1(ro, sa);
	rtcache_exit(ro);
	return error;
}

void
rtcache_copy(struct route *new_ro, const struct route *old_ro)
{
	struct rtentry *rt;
	struct domain *dom;

	KASSERT(new_ro != old_ro);
	rtcache_enter(new_ro);
	rt = rtcache_validate(old_ro);
	if (old_ro->ro_sa == NULL || rtcache_setdst1(new_ro, old_ro->ro_sa))
		goto out;
	if (rt == NULL)
		goto out;
	dom = pffinddomain(new_ro->ro_sa->sa_family);
	/*
	 * Under rt_lock so that an addition either precedes the copy (and
	 * the generation read below is the new one, or old_ro's entry was
	 * already invalidated) or finds new_ro on its list.
	 */
	rw_enter(&V_rt_lock, RW_READER);
	if (rtcache_validate(old_ro) == rt) {
		rt_ref(rt);
		new_ro->_ro_rt = rt;
		new_ro->ro_invalid = 0;
		new_ro->ro_rtcache_generation = old_ro->ro_rtcache_generation;
		mutex_enter(&V_rtcache_lock);
		LIST_INSERT_HEAD(DOM_RTCACHE(dom), new_ro, ro_rtcache_next);
		DOM_VNET(dom)->dv_nrtcache++;
		mutex_exit(&V_rtcache_lock);
	}
	rw_exit(&V_rt_lock);
out:
	rtcache_exit(new_ro);
}

struct rtentry *
rtcache_lookup2(struct route *ro, const struct sockaddr *dst, int clone,
    int *hitp)
{
	const struct sockaddr *odst;
	struct rtentry *rt = NULL;

	(void)clone;
	rtcache_enter(ro);
	odst = ro->ro_sa;
	if (odst != NULL && sockaddr_cmp(odst, dst) == 0) {
		if ((rt = rtcache_validate(ro)) != NULL) {
			rtcache_exit(ro);
			if (hitp != NULL)
				*hitp = 1;
			return rt;
		}
		rtcache_clear1(ro);
	} else if (odst != NULL)
		rtcache_free1(ro);
	if (hitp != NULL)
		*hitp = 0;
	if (rtcache_setdst1(ro, dst) == 0)
		rt = rtcache_init1(ro);
	rtcache_exit(ro);
	return rt;
}

/* ---- invariants ---- */

static bool
rtcache_onlist(const struct dom_rtlist *head, const struct route *ro,
    int *countp)
{
	const struct route *x;
	bool found = false;

	LIST_FOREACH(x, head, ro_rtcache_next) {
		if (x == ro)
			found = true;
		if (x->_ro_rt == ro->_ro_rt)
			(*countp)++;
	}
	return found;
}

int
rtcache_invariants(const struct route *ro)
{
	struct domain *dom, *home;
	const struct pool *pp;
	int nlists = 0, holders = 0, bad = 0;
	bool on_home = false, on_invalid;

	if (ro->ro_busy != 0)
		return 7;
	if (ro->_ro_rt != NULL && ro->ro_sa == NULL)
		return 1;
	if (ro->ro_invalid && ro->_ro_rt == NULL)
		return 2;
	if (ro->_ro_rt == NULL) {
		if (ro->ro_rtcache_next.le_prev != NULL)
			return 3;
		if (ro->ro_sa != NULL &&
		    ((pp = sockaddr_pool(ro->ro_sa->sa_family)) == NULL ||
		    ro->ro_sa->sa_len > pp->pr_size))
			return 6;
		return 0;
	}
	if (ro->_ro_rt->rt_magic != RT_MAGIC)
		return 4;
	home = pffinddomain(ro->ro_sa->sa_family);
	mutex_enter(&V_rtcache_lock);
	DOMAIN_FOREACH(dom) {
		if (rtcache_onlist(DOM_RTCACHE(dom), ro, &holders)) {
			nlists++;
			if (dom == home)
				on_home = true;
			else
				bad = 5;
		}
	}
	on_invalid = rtcache_onlist(&V_rtcache_invalid, ro, &holders);
	mutex_exit(&V_rtcache_lock);
	nlists += on_invalid;
	if (nlists != 1)
		return 3;
	if (bad != 0)
		return bad;
	if (ro->ro_invalid ? !on_invalid : !on_home)
		return ro->ro_invalid ? 3 : 5;
	if (rt_refs(ro->_ro_rt) < (unsigned)holders)
		return 4;
	return 0;
}

/* ---- knob: net.route.invalidation ---- */

static int
rtcache_policy_sysctl(const struct sysctl_oid *oid, void *oldp,
    size_t *oldlenp, const void *newp, size_t newlen)
{
	char buf[16];
	int error, p;

	(void)oid;
	error = sysctl_string_out(rtcache_policy_names[rtcache_policy()],
	    oldp, oldlenp);
	if (error != 0 || newp == NULL)
		return error;
	if (sysctl_string_in(newp, newlen, buf, sizeof(buf)) != 0)
		return EINVAL;
	for (p = 0; p < (int)__arraycount(rtcache_policy_names); p++) {
		if (strcmp(buf, rtcache_policy_names[p]) == 0)
			return rtcache_setpolicy(p);
	}
	return EINVAL;
}

SYSCTL_OID(rtcache_policy, "net.route.invalidation", CTLTYPE_STRING,
    CTLFLAG_READWRITE, NULL, 0, 0, rtcache_policy_sysctl,
    "Route-cache invalidation on this host: none, list or generation");
