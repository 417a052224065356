/*
 * Neighbour tables shared by ARP and ND (see net/lltable.h).
 *
 * Hash chains are kept in insertion order (new entries at the tail of
 * their chain), so walks never depend on an address.
 */
#include <errno.h>
#include <stddef.h>

#include "net/if.h"
#include "net/lltable.h"
#include "sys/kmem.h"

static size_t
lle_addrlen(const struct lltable *lt)
{
	return lt->lt_family == AF_INET ? 4 : 16;
}

static u_int
lle_hash(const struct lltable *lt, const struct ifnet *ifp, const void *addr)
{
	const uint8_t *p = addr;
	uint32_t h = 2166136261u ^ ifp->if_index;
	size_t i;

	for (i = 0; i < lle_addrlen(lt); i++)
		h = (h ^ p[i]) * 16777619u;
	return h % LLE_NHASH;
}

void
lltable_init(struct lltable *lt, int family,
    void (*solicit)(struct ifnet *, const void *),
    void (*release)(struct ifnet *, const void *, struct mbuf *))
{
	int i;

	memset(lt, 0, sizeof(*lt));
	lt->lt_family = family;
	mutex_init(&lt->lt_lock, MUTEX_DEFAULT, IPL_NONE);
	for (i = 0; i < LLE_NHASH; i++)
		LIST_INIT(&lt->lt_hash[i]);
	lt->lt_retrans = mstohz(1000);
	lt->lt_maxtries = 5;
	lt->lt_reachable = mstohz(20 * 60 * 1000);
	lt->lt_maxhold = LLE_HOLD_MAX;
	lt->lt_solicit = solicit;
	lt->lt_release = release;
}

static struct llentry *
lle_find(struct lltable *lt, struct ifnet *ifp, const void *addr)
{
	struct llentry *la;

	LIST_FOREACH(la, &lt->lt_hash[lle_hash(lt, ifp, addr)], la_hash)
		if (la->la_ifp == ifp &&
		    memcmp(&la->la_addr, addr, lle_addrlen(lt)) == 0)
			return la;
	return NULL;
}

static void lle_timer(void *);

static struct llentry *
lle_create(struct lltable *lt, struct ifnet *ifp, const void *addr)
{
	struct llentry *la, *o;
	u_int h = lle_hash(lt, ifp, addr);

	la = kmem_zalloc(sizeof(*la), KM_NOSLEEP);
	if (la == NULL)
		return NULL;
	la->la_table = lt;
	la->la_ifp = ifp;
	memcpy(&la->la_addr, addr, lle_addrlen(lt));
	la->la_state = LLE_INCOMPLETE;
	/* bounded by lt_maxhold in lltable_resolve: a knob, not fixed */
	mbufq_init(&la->la_hold, 0);
	callout_init(&la->la_timer, CALLOUT_MPSAFE);
	callout_setfunc(&la->la_timer, lle_timer, la);
	/* append: chains stay in insertion order */
	if ((o = LIST_FIRST(&lt->lt_hash[h])) == NULL) {
		LIST_INSERT_HEAD(&lt->lt_hash[h], la, la_hash);
	} else {
		while (LIST_NEXT(o, la_hash) != NULL)
			o = LIST_NEXT(o, la_hash);
		LIST_INSERT_AFTER(o, la, la_hash);
	}
	lt->lt_entries++;
	return la;
}

/*
 * Unlink la (table locked) and hand back its held packets; the caller
 * frees them and la after unlocking (callout_halt may sleep).
 */
static struct mbuf *
lle_unlink(struct lltable *lt, struct llentry *la)
{
	struct mbuf *held;

	lt->lt_dropped += mbufq_len(&la->la_hold);
	held = mbufq_takeall(&la->la_hold);
	LIST_REMOVE(la, la_hash);
	la->la_dying = true;
	lt->lt_entries--;
	return held;
}

/*
 * Wait for a running timer: it takes softnet_lock first, so when we
 * hold it, it must be released while waiting (the timer then sees
 * la_dying and returns).
 */
static void
lle_free(struct llentry *la)
{
	callout_halt(&la->la_timer,
	    mutex_owned(softnet_lock) ? softnet_lock : NULL);
	callout_destroy(&la->la_timer);
	kmem_free(la, sizeof(*la));
}

static uint64_t
ticks_ns(int ticks)
{
	return (uint64_t)ticks * NS_PER_TICK;
}

/*
 * Count one more solicitation of la (table locked) and arm its
 * retransmission timer; the caller sends it after unlocking.
 */
static void
lle_ask(struct lltable *lt, struct llentry *la, uint64_t now)
{
	la->la_asked++;
	la->la_lastsol = now;
	lt->lt_solicits++;
	callout_schedule(&la->la_timer, lt->lt_retrans);
}

/*
 * The retransmission timer of an INCOMPLETE entry: solicit again, or
 * give up after lt_maxtries (dropping what was held).
 */
static void
lle_timer(void *arg)
{
	struct llentry *la = arg;
	struct lltable *lt = la->la_table;
	struct mbuf *held = NULL;
	uint8_t addr[16];
	struct ifnet *ifp;
	bool solicit = false;

	mutex_enter(softnet_lock);
	mutex_enter(&lt->lt_lock);
	if (la->la_dying || la->la_state != LLE_INCOMPLETE) {
		mutex_exit(&lt->lt_lock);
		mutex_exit(softnet_lock);
		return;
	}
	ifp = la->la_ifp;
	memcpy(addr, &la->la_addr, lle_addrlen(lt));
	if (la->la_asked >= lt->lt_maxtries) {
		/*
		 * Give up: drop what was held.  The entry stays, idle
		 * (asked == 0), so the next packet starts over; it is
		 * freed by a purge, never from its own callout.
		 */
		lt->lt_timeouts++;
		lt->lt_dropped += la->la_hold.mq_len;
		held = mbufq_takeall(&la->la_hold);
		la->la_asked = 0;
	} else {
		lle_ask(lt, la, getnanouptime());
		solicit = true;
	}
	mutex_exit(&lt->lt_lock);
	if (solicit && lt->lt_solicit != NULL)
		(*lt->lt_solicit)(ifp, addr);
	mutex_exit(softnet_lock);
	m_freem_list(held);
}

int
lltable_resolve(struct lltable *lt, struct ifnet *ifp, const void *addr,
    struct mbuf *m, uint8_t *lladdr)
{
	struct llentry *la;
	uint64_t now = getnanouptime();
	bool solicit = false, stale;

	mutex_enter(&lt->lt_lock);
	la = lle_find(lt, ifp, addr);
	if (la != NULL && la->la_state == LLE_REACHABLE) {
		memcpy(lladdr, la->la_lladdr, ifp->if_addrlen);
		stale = now >= la->la_expire;
		if (stale && now - la->la_lastsol >= ticks_ns(lt->lt_retrans)) {
			/* use it, but confirm it (unicast would do too) */
			la->la_lastsol = now;
			lt->lt_solicits++;
			solicit = true;
		}
		mutex_exit(&lt->lt_lock);
		if (solicit && lt->lt_solicit != NULL)
			(*lt->lt_solicit)(ifp, addr);
		return 0;
	}
	if (la == NULL) {
		la = lle_create(lt, ifp, addr);
		if (la == NULL) {
			lt->lt_deferred++;
			lt->lt_dropped++;
			mutex_exit(&lt->lt_lock);
			m_freem(m);
			return EWOULDBLOCK;
		}
	}
	/* a full hold queue loses its oldest packet, counted */
	while (mbufq_len(&la->la_hold) >= (u_int)lt->lt_maxhold) {
		lt->lt_dropped++;
		m_freem(mbufq_dequeue(&la->la_hold));
	}
	lt->lt_deferred++;
	(void)mbufq_enqueue(&la->la_hold, m);
	if (la->la_asked == 0) {
		lle_ask(lt, la, now);
		solicit = true;
	}
	mutex_exit(&lt->lt_lock);
	if (solicit && lt->lt_solicit != NULL)
		(*lt->lt_solicit)(ifp, addr);
	return EWOULDBLOCK;
}

void
lltable_update(struct lltable *lt, struct ifnet *ifp, const void *addr,
    const uint8_t *lladdr, bool create)
{
	struct llentry *la;
	struct mbuf *held, *next;

	mutex_enter(&lt->lt_lock);
	la = lle_find(lt, ifp, addr);
	if (la == NULL && create)
		la = lle_create(lt, ifp, addr);
	if (la == NULL) {
		mutex_exit(&lt->lt_lock);
		return;
	}
	memcpy(la->la_lladdr, lladdr, ifp->if_addrlen);
	la->la_state = LLE_REACHABLE;
	la->la_asked = 0;
	la->la_expire = getnanouptime() + ticks_ns(lt->lt_reachable);
	callout_stop(&la->la_timer);
	lt->lt_dfrsent += mbufq_len(&la->la_hold);
	held = mbufq_takeall(&la->la_hold);
	mutex_exit(&lt->lt_lock);
	for (; held != NULL; held = next) {
		next = held->m_nextpkt;
		held->m_nextpkt = NULL;
		if (lt->lt_release != NULL)
			(*lt->lt_release)(ifp, addr, held);
		else
			m_freem(held);
	}
}

bool
lltable_lookup(struct lltable *lt, struct ifnet *ifp, const void *addr,
    uint8_t *lladdr)
{
	struct llentry *la;
	bool ok = false;

	mutex_enter(&lt->lt_lock);
	la = lle_find(lt, ifp, addr);
	if (la != NULL && la->la_state == LLE_REACHABLE) {
		memcpy(lladdr, la->la_lladdr, ifp->if_addrlen);
		ok = true;
	}
	mutex_exit(&lt->lt_lock);
	return ok;
}

/* Remove the entries of ifp (NULL: all); frees their held packets. */
void
lltable_purge_ifp(struct lltable *lt, struct ifnet *ifp)
{
	LIST_HEAD(, llentry) dead = LIST_HEAD_INITIALIZER(dead);
	struct llentry *la, *next;
	int i;

	mutex_enter(&lt->lt_lock);
	for (i = 0; i < LLE_NHASH; i++) {
		LIST_FOREACH_SAFE(la, &lt->lt_hash[i], la_hash, next) {
			if (ifp != NULL && la->la_ifp != ifp)
				continue;
			m_freem_list(lle_unlink(lt, la));
			/* unlinked: la_hash is free to chain the dead */
			LIST_INSERT_HEAD(&dead, la, la_hash);
		}
	}
	mutex_exit(&lt->lt_lock);
	while ((la = LIST_FIRST(&dead)) != NULL) {
		LIST_REMOVE(la, la_hash);
		lle_free(la);
	}
}

void
lltable_fini(struct lltable *lt)
{
	lltable_purge_ifp(lt, NULL);
	mutex_destroy(&lt->lt_lock);
}

/* ---- sysctl: net.inet.arp.*, net.inet6.nd6.* (LLTABLE_SYSCTLS) ---- */

int
lltable_stat_out(struct lltable *lt, const uint64_t *counter, void *oldp,
    size_t *oldlenp)
{
	uint64_t v;

	mutex_enter(&lt->lt_lock);
	v = *counter;
	mutex_exit(&lt->lt_lock);
	return sysctl_quad_out((int64_t)v, oldp, oldlenp);
}

/*
 * maxhold: a smaller bound applies to the entries already holding more
 * at their next packet (lltable_resolve drops down to it).
 */
int
lltable_maxhold_sysctl(const struct sysctl_oid *oid, void *oldp,
    size_t *oldlenp, const void *newp, size_t newlen)
{
	int *var = sysctl_oid_var(oid);
	struct lltable *lt = (struct lltable *)(void *)((char *)var -
	    offsetof(struct lltable, lt_maxhold));
	int error, v;

	mutex_enter(&lt->lt_lock);
	error = sysctl_int_out(*var, oldp, oldlenp);
	if (error == 0 && newp != NULL) {
		error = sysctl_int_in(newp, newlen, &v);
		if (error == 0 && (v < oid->oid_min || v > oid->oid_max))
			error = EINVAL;
		if (error == 0)
			*var = v;
	}
	mutex_exit(&lt->lt_lock);
	return error;
}
