/*
 * Neighbour tables (link-layer address resolution), separate from the
 * routing table: one per family per host, used by ARP (IPv4) and
 * Neighbor Discovery (IPv6).
 *
 * An entry is keyed by (interface, protocol address).  INCOMPLETE
 * entries hold up to LLE_HOLD_MAX packets waiting for the answer (the
 * oldest is dropped when a new one arrives) and retransmit their
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
#include "netinet6/in6.h"

struct ifnet;

#define LLE_HOLD_MAX	16
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
	/* counters */
	uint64_t	 lt_entries;
	uint64_t	 lt_solicits;
	uint64_t	 lt_timeouts;	/* resolutions given up */
	uint64_t	 lt_dropped;	/* held packets dropped */
};

void	lltable_init(struct lltable *, int family,
	    void (*solicit)(struct ifnet *, const void *),
	    void (*release)(struct ifnet *, const void *, struct mbuf *));
void	lltable_fini(struct lltable *);
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
