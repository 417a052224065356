/*
 * Fragment reassembly queues shared by IPv4 (ip_frag.c) and IPv6
 * (netinet6/ip6_frag.c).
 *
 * A table holds one queue per datagram being reassembled, keyed by the
 * caller (IPv4: source, destination, id, protocol; IPv6: source,
 * destination, identification).  A queue holds the fragments received so
 * far, sorted by offset and never overlapping; each fragment is kept
 * whole (headers included) with the byte range of its payload that is
 * still wanted.  The table is per host (the caller's VNET) and protected
 * by ft_lock, taken in softint context (ipintr, ip6intr, the timer) after
 * softnet_lock.
 *
 * Overlaps are resolved by the table's policy:
 *   FRAGQ_TRIM     (IPv4, the BSD rule) the new fragment loses what a
 *                  fragment before it already covers; fragments after it
 *                  lose what it covers, and go when covered entirely.
 *   FRAGQ_DISCARD  (IPv6, RFC 5722 / RFC 8200 4.5) an exact duplicate is
 *                  dropped alone; any other overlap drops the datagram.
 *
 * Bounds: ft_maxqueues datagrams and ft_maxfrags fragments per table (a
 * fragment over either is dropped), ft_maxperqueue fragments per
 * datagram (the datagram is dropped).  A queue lives at most ft_ttl
 * ticks from its first fragment; the timer then drops it and, when the
 * fragment at offset 0 was received, passes that fragment to
 * ft_expired (with softnet_lock held) for the ICMP time exceeded.
 */
#ifndef _KNIT_NETINET_IP_FRAGQ_H_
#define _KNIT_NETINET_IP_FRAGQ_H_

#include <stddef.h>

#include "sys/callout.h"
#include "sys/mutex.h"
#include "sys/pool.h"
#include "sys/queue.h"
#include "sys/sysctl.h"
#include "sys/vnet.h"
#include "netinet6/in6.h"

struct mbuf;

/* Zero the whole key before filling it in: it is compared bytewise. */
struct fragq_key {
	struct in6_addr	fk_src;		/* IPv4: the first 4 bytes */
	struct in6_addr	fk_dst;
	uint32_t	fk_id;
	uint32_t	fk_proto;	/* IPv4 protocol; 0 for IPv6 */
};

struct fragq_stat {
	uint64_t	fs_fragments;	/* fragments received */
	uint64_t	fs_dropped;	/* dropped: malformed, overlap, bounds */
	uint64_t	fs_overflow;	/* of which refused by a bound */
	uint64_t	fs_timeout;	/* dropped when their datagram timed out */
	uint64_t	fs_reassembled;	/* datagrams reassembled */
	uint64_t	fs_queues;	/* datagrams being reassembled now */
	uint64_t	fs_held;	/* fragments held now */
};

enum fragq_overlap {
	FRAGQ_TRIM,
	FRAGQ_DISCARD,
};

struct fragq;

struct fragq_table {
	kmutex_t		ft_lock;
	TAILQ_HEAD(, fragq)	ft_queues;	/* in creation order */
	callout_t		ft_timer;	/* armed while queues exist */
	struct pool		ft_qpool;	/* struct fragq */
	struct pool		ft_epool;	/* struct fragq_ent */
	enum fragq_overlap	ft_overlap;
	void			(*ft_expired)(struct mbuf *);
	/* knobs (sysctl) */
	int			ft_ttl;		/* ticks */
	int			ft_maxqueues;
	int			ft_maxfrags;
	int			ft_maxperqueue;
	struct fragq_stat	ft_stat;
};

/*
 * Handlers of read-only counter nodes (CTLTYPE_QUAD, CTLFLAG_VNET).  A
 * counter is read under the lock its updates hold, so netstat -s on one
 * CPU and the packet path on another never race:
 *   fragq_stat_sysctl    oid_arg the table, oid_min the offset of the
 *                        counter in ft_stat; ft_lock.
 *   softnet_stat_sysctl  oid_arg the counter (a field of ipstat or
 *                        ip6stat: ip_fragment, ip6_fragment and the
 *                        rest of the packet path count with
 *                        softnet_lock held); softnet_lock.
 */
int	fragq_stat_sysctl(const struct sysctl_oid *, void *oldp,
	    size_t *oldlenp, const void *newp, size_t newlen);
int	softnet_stat_sysctl(const struct sysctl_oid *, void *oldp,
	    size_t *oldlenp, const void *newp, size_t newlen);

/*
 * The sysctl nodes of the table VNET variable tab under prefix (e.g.
 * "net.inet.ip."): the knobs fragttl, maxfragpackets, maxfrags,
 * maxfragsperpacket and, under prefix "stats.", its counters.
 */
#define FRAGQ_KNOB(tag, prefix, tab, name, field, min, descr)		\
	SYSCTL_OID(tag##_##name, prefix #name, CTLTYPE_INT,		\
	    CTLFLAG_READWRITE | CTLFLAG_VNET, &VNET_NAME(tab).field,	\
	    min, INT32_MAX, NULL, descr)
#define FRAGQ_STAT(tag, prefix, tab, name, field, descr)		\
	SYSCTL_OID(tag##_st_##name, prefix "stats." #name, CTLTYPE_QUAD, \
	    CTLFLAG_READONLY | CTLFLAG_VNET, &VNET_NAME(tab),		\
	    (int)offsetof(struct fragq_stat, field), 0,			\
	    fragq_stat_sysctl, descr)
#define FRAGQ_SYSCTLS(tag, prefix, tab)					\
	FRAGQ_KNOB(tag, prefix, tab, fragttl, ft_ttl, 1,		\
	    "Ticks a datagram may wait for its fragments");		\
	FRAGQ_KNOB(tag, prefix, tab, maxfragpackets, ft_maxqueues, 0,	\
	    "Datagrams reassembled at once");				\
	FRAGQ_KNOB(tag, prefix, tab, maxfrags, ft_maxfrags, 0,		\
	    "Fragments held at once");					\
	FRAGQ_KNOB(tag, prefix, tab, maxfragsperpacket, ft_maxperqueue,	\
	    1, "Fragments of one datagram");				\
	FRAGQ_STAT(tag, prefix, tab, fragments, fs_fragments,		\
	    "fragments received");					\
	FRAGQ_STAT(tag, prefix, tab, fragdropped, fs_dropped,		\
	    "fragments dropped (malformed, overlapping, over a bound)"); \
	FRAGQ_STAT(tag, prefix, tab, fragoverflow, fs_overflow,	\
	    "fragments over a bound");					\
	FRAGQ_STAT(tag, prefix, tab, fragtimeout, fs_timeout,		\
	    "fragments dropped after timeout");				\
	FRAGQ_STAT(tag, prefix, tab, reassembled, fs_reassembled,	\
	    "datagrams reassembled");					\
	FRAGQ_STAT(tag, prefix, tab, fragqueues, fs_queues,		\
	    "datagrams being reassembled")

/* Set up an empty table (a VNET constructor); names label the pools. */
void	fragq_init(struct fragq_table *, const char *qname, const char *ename,
	    enum fragq_overlap, void (*expired)(struct mbuf *), int ttl);
/* Stop the timer and free every queue (a VNET destructor). */
void	fragq_fini(struct fragq_table *);

/*
 * Add fragment m: hlen bytes of headers, then len > 0 bytes of payload
 * at byte offset off of the datagram; more: not the last fragment.  The
 * caller has checked the fragment on its own (lengths, alignment, the
 * largest datagram).  m is consumed.  Returns NULL while the datagram is
 * incomplete (or when m was dropped), else the datagram: the headers of
 * the fragment at offset 0 (*hlenp bytes of them) followed by the whole
 * payload, m_pkthdr.len set; the caller fixes the header fields.
 */
struct mbuf *fragq_insert(struct fragq_table *, const struct fragq_key *,
	    struct mbuf *m, int hlen, int off, int len, bool more, int *hlenp);
/*
 * Count m as a received fragment that was malformed, and free it (NULL:
 * the caller disposes of it).
 */
void	fragq_bad(struct fragq_table *, struct mbuf *);

/*
 * Output side.  fragq_mkfrag: a new packet of the hlen header bytes at
 * hdr followed by a copy of [off, off + len) of m (NULL: no buffers).
 * fragq_output: hand every packet of the m_nextpkt list to ifp; after
 * the first error the rest are freed.  Returns that error (or 0) and
 * the number of packets not sent in *droppedp.
 */
struct ifnet;
struct rtentry;
struct sockaddr;
struct mbuf *fragq_mkfrag(struct mbuf *m, const void *hdr, int hlen,
	    int off, int len);
int	fragq_output(struct ifnet *, struct mbuf *list,
	    const struct sockaddr *dst, struct rtentry *, int *droppedp);

#endif /* !_KNIT_NETINET_IP_FRAGQ_H_ */
