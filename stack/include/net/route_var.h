/*
 * Routing layer internals shared by stack/net/route.c and
 * stack/net/route_cache.c.  Not for other subsystems.
 *
 * Locks, in acquisition order:
 *   rt_lock (krwlock, per host): the tables and the generation numbers.
 *	Lookups hold it as reader, rtrequest as writer.
 *   rtcache_lock (kmutex, per host): every dom_rtcache list, the invalid
 *	list, their counts, and ro_invalid of caches on them.
 * rt_refcnt and rt_flags change with atomic operations (readers take
 * references concurrently; RTF_UP is read without the lock by caches).
 */
#ifndef _KNIT_NET_ROUTE_VAR_H_
#define _KNIT_NET_ROUTE_VAR_H_

#include "sys/atomic.h"
#include "sys/domain.h"
#include "sys/mutex.h"
#include "sys/rwlock.h"
#include "sys/vnet.h"
#include "net/route.h"
#include "net/rtbl.h"

struct rtable {
	struct rtbl	rtt_tbl;
	bool		rtt_present;
	/* bumped on every add/delete/change ("generation" policy) */
	volatile uint64_t rtt_generation;
};

VNET_DECLARE(krwlock_t, rt_lock);
VNET_DECLARE(kmutex_t, rtcache_lock);
VNET_DECLARE(struct rtable, rt_tables[AF_MAX]);
VNET_DECLARE(volatile unsigned int, rtcache_policy);
VNET_DECLARE(struct dom_rtlist, rtcache_invalid);
VNET_DECLARE(unsigned, rtcache_ninvalid);
VNET_DECLARE(struct rtstat, rtstat);
#define V_rt_lock		VNET(rt_lock)
#define V_rtcache_lock		VNET(rtcache_lock)
#define V_rt_tables		VNET(rt_tables)
#define V_rtcache_policy	VNET(rtcache_policy)
#define V_rtcache_invalid	VNET(rtcache_invalid)
#define V_rtcache_ninvalid	VNET(rtcache_ninvalid)
#define V_rtstat		VNET(rtstat)

static inline struct rtable *
rt_gettable(int family)
{
	if (family < 0 || family >= AF_MAX || !V_rt_tables[family].rtt_present)
		return NULL;
	return &V_rt_tables[family];
}

/* Longest-prefix match with rt_lock held: a referenced entry or NULL. */
struct rtentry	*rtalloc1_locked(const struct sockaddr *);
/* Invalidate the family's caches as the policy says; rt_lock as writer. */
void		 rtflushall_locked(int family, bool added);
/* The current policy (an atomic read: sysctl may change it any time). */
static inline int
rtcache_policy(void)
{
	return (int)atomic_load_acquire_uint(&V_rtcache_policy);
}

#endif /* !_KNIT_NET_ROUTE_VAR_H_ */
