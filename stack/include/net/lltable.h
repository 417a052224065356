/*
 * Neighbour tables (link-layer address resolution), separate from the
 * routing table: one per family per host, used by ARP (IPv4) and
 * Neighbor Discovery (IPv6).
 *
 * An entry is keyed by (interface, protocol address).  INCOMPLETE
 * entries hold up to lt_maxhold packets waiting for the answer (the
 * oldest is dropped, and counted, when a new one arrives) and retransmit their
 * solicitation from a callout every lt_retrans ticks, up to
 * lt_maxtries times; then the held packets are dropped and the entry is
 * removed.  REACHABLE entries are valid for lt_reachable ticks; after
 * that the next packet re-resolves (it is sent with the old address
 * while a solicitation goes out, like a STALE entry).
 *
 * Locking: each table has an adaptive mutex (lt_lock) held briefly;
 * packets are never sent with it held.  Solicitations and released
 * packets are sent by the caller or the callout with softnet_lock held.
 */
#ifndef _KNIT_NET_LLTABLE_H_
#define _KNIT_NET_LLTABLE_H_

#include "sys/callout.h"
#include "sys/mbuf.h"
#include "sys/mutex.h"
#include "sys/queue.h"
#include "sys/sysctl.h"
#include "netinet6/in6.h"

struct ifnet;

#define LLE_HOLD_MAX	16		/* lt_maxhold's default */
#define LLE_NHASH	64

enum lle_state {
	LLE_INCOMPLETE = 1,
	LLE_REACHABLE,
};

struct lltable;

struct llentry {
	LIST_ENTRY(llentry) la_hash;
	struct lltable	*la_table;
	struct ifnet	*la_ifp;
	union {
		struct in_addr	 v4;
		struct in6_addr	 v6;
	} la_addr;
	uint8_t		 la_lladdr[8];
	enum lle_state	 la_state;
	int		 la_asked;	/* solicitations sent */
	uint64_t	 la_expire;	/* ns: REACHABLE until */
	uint64_t	 la_lastsol;	/* ns: last solicitation */
	struct mbufq	 la_hold;
	callout_t	 la_timer;
	bool		 la_dying;
};

struct lltable {
	int		 lt_family;	/* AF_INET, AF_INET6 */
	kmutex_t	 lt_lock;
	LIST_HEAD(, llentry) lt_hash[LLE_NHASH];
	int		 lt_retrans;	/* ticks between solicitations */
	int		 lt_maxtries;
	int		 lt_reachable;	/* ticks */
	/* send a solicitation for addr on ifp (called unlocked) */
	void		(*lt_solicit)(struct ifnet *, const void *addr);
	/* a held packet is now resolvable: send it (called unlocked) */
	void		(*lt_release)(struct ifnet *, const void *addr,
			    struct mbuf *);
	int		 lt_maxhold;	/* packets held per entry, >= 1 */
	/*
	 * Counters, under lt_lock.  Every packet handed to
	 * lltable_resolve without an address is deferred, then sent or
	 * dropped: lt_deferred == lt_dfrsent + lt_dropped + the packets
	 * held now, so no packet leaves the table uncounted.
	 */
	uint64_t	 lt_entries;
	uint64_t	 lt_solicits;
	uint64_t	 lt_timeouts;	/* resolutions given up */
	uint64_t	 lt_deferred;	/* packets held for an answer */
	uint64_t	 lt_dfrsent;	/* held packets released */
	uint64_t	 lt_dropped;	/* held packets dropped */
};

void	lltable_init(struct lltable *, int family,
	    void (*solicit)(struct ifnet *, const void *),
	    void (*release)(struct ifnet *, const void *, struct mbuf *));
void	lltable_fini(struct lltable *);

/*
 * The sysctl nodes of table `tab' (a VNET struct lltable) under prefix
 * ("net.inet.arp."): maxhold (read-write) and the counters stats.*
 * that netstat -s prints.  Handlers take lt_lock.
 */
struct sysctl_oid;
int	lltable_maxhold_sysctl(const struct sysctl_oid *, void *oldp,
	    size_t *oldlenp, const void *newp, size_t newlen);
int	lltable_stat_out(struct lltable *, const uint64_t *counter,
	    void *oldp, size_t *oldlenp);

#define LLTABLE_STAT(tag, prefix, tab, name, field, descr)		\
	static int							\
	tag##_##name##_sysctl(const struct sysctl_oid *oid, void *oldp,	\
	    size_t *oldlenp, const void *newp, size_t newlen)		\
	{								\
		struct lltable *lt = sysctl_oid_var(oid);		\
									\
		(void)newp;						\
		(void)newlen;						\
		return lltable_stat_out(lt, &lt->field, oldp, oldlenp);	\
	}								\
	SYSCTL_OID(tag##_##name, prefix "stats." #name, CTLTYPE_QUAD,	\
	    CTLFLAG_READONLY | CTLFLAG_VNET, &VNET_NAME(tab), 0, 0,	\
	    tag##_##name##_sysctl, descr)

#define LLTABLE_SYSCTLS(tag, prefix, tab, what)				\
	SYSCTL_OID(tag##_maxhold, prefix "maxhold", CTLTYPE_INT,	\
	    CTLFLAG_READWRITE | CTLFLAG_VNET, &VNET_NAME(tab).lt_maxhold,	\
	    1, 100000, lltable_maxhold_sysctl,				\
	    "packets held per entry awaiting " what);			\
	LLTABLE_STAT(tag, prefix, tab, dfrtotal, lt_deferred,		\
	    "packets deferred pending " what);				\
	LLTABLE_STAT(tag, prefix, tab, dfrsent, lt_dfrsent,		\
	    "deferred packets sent after " what);			\
	LLTABLE_STAT(tag, prefix, tab, dfrdropped, lt_dropped,		\
	    "deferred packets dropped (hold queue full, no answer)");	\
	LLTABLE_STAT(tag, prefix, tab, timeouts, lt_timeouts,		\
	    "resolutions given up")
/*
 * Resolve addr on ifp for packet m.  Returns 0 with lladdr filled (the
 * caller sends m), or EWOULDBLOCK when m was queued (or dropped) while
 * resolution proceeds.
 */
int	lltable_resolve(struct lltable *, struct ifnet *, const void *addr,
	    struct mbuf *m, uint8_t *lladdr);
/*
 * An answer (or a solicitation naming its sender) arrived: record
 * lladdr for addr on ifp.  create: make an entry when none exists.
 * Held packets are released.
 */
void	lltable_update(struct lltable *, struct ifnet *, const void *addr,
	    const uint8_t *lladdr, bool create);
/* Remove every entry of ifp (interface down or detach). */
void	lltable_purge_ifp(struct lltable *, struct ifnet *);
/* Lookup for tests and arp -a: true and lladdr if REACHABLE. */
bool	lltable_lookup(struct lltable *, struct ifnet *, const void *addr,
	    uint8_t *lladdr);

#endif /* !_KNIT_NET_LLTABLE_H_ */
