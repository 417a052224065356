/*
 * Memory buffers (mbuf(9)) for packets and socket buffers.
 *
 * An mbuf holds up to MLEN bytes inline (MHLEN when it carries a packet
 * header), or points at an external data area from one of two per-host
 * pools: clusters of MCLBYTES (any Ethernet frame of MTU 1500) and jumbo
 * areas of MJUMBYTES (MTU 9000 frames).  External areas are never shared:
 * m_copym copies the bytes, so every mbuf owns its storage outright and
 * there is no reference count to get wrong.
 *
 * Invariants:
 *   m_data and m_data + m_len lie inside the mbuf's storage
 *     (M_BUFSTART(m) <= m_data, m_data + m_len <= M_BUFEND(m)).
 *   The first mbuf of a packet has M_PKTHDR, and m_pkthdr.len is the sum
 *     of m_len over the chain (checked by m_length() in KASSERTs).
 *   Only the first mbuf of a chain has M_PKTHDR.
 *
 * All mbuf memory is per host (pools live in the host's VNET); an mbuf
 * never crosses from one host to another: a NIC's "hardware" copies the
 * frame out on transmit and the receiving driver allocates new mbufs.
 * mbuf_outstanding() counts the mbufs of the current host that are
 * allocated and not freed; tests assert it is back to zero.
 */
#ifndef _KNIT_SYS_MBUF_H_
#define _KNIT_SYS_MBUF_H_

#include "sys/systm.h"
#include "sys/pool.h"

struct ifnet;

#define MSIZE		256		/* size of an mbuf, header included */
#define MCLBYTES	2048		/* cluster */
#define MJUMBYTES	(9216 + 128)	/* jumbo area: 9000-byte MTU + headers */

/* Allocation flags (NetBSD names and their later aliases). */
#define M_DONTWAIT	0x01
#define M_WAIT		0x02
#define M_NOWAIT	M_DONTWAIT
#define M_WAITOK	M_WAIT

/* m_type */
#define MT_FREE		0
#define MT_DATA		1
#define MT_HEADER	2
#define MT_SONAME	3
#define MT_SOOPTS	4
#define MT_FTABLE	5
#define MT_CONTROL	6
#define MT_OOBDATA	7

/* m_flags */
#define M_EXT		0x0001	/* data in an external area */
#define M_PKTHDR	0x0002	/* start of a packet */
#define M_EOR		0x0004	/* end of record */
#define M_BCAST		0x0100	/* received as link-level broadcast */
#define M_MCAST		0x0200	/* received as link-level multicast */
#define M_LOOP		0x0400	/* looped back by lo0 */
/* flags that describe the packet and follow it in copies */
#define M_COPYFLAGS	(M_PKTHDR | M_EOR | M_BCAST | M_MCAST | M_LOOP)

struct m_hdr {
	struct mbuf	*mh_next;	/* next mbuf of this chain */
	struct mbuf	*mh_nextpkt;	/* next chain in a queue */
	char		*mh_data;	/* first valid byte */
	int		 mh_len;	/* bytes in this mbuf */
	short		 mh_type;
	short		 mh_flags;
};

struct pkthdr {
	struct ifnet	*rcvif;		/* interface it arrived on */
	int		 len;		/* total length of the packet */
	int		 csum_flags;	/* unused: no offload, always 0 */
	uint64_t	 ts;		/* virtual ns of arrival (0: local) */
};

struct m_ext {
	char		*ext_buf;	/* start of the area */
	u_int		 ext_size;	/* MCLBYTES or MJUMBYTES */
};

/*
 * Layout: the header, the external-area descriptor and the packet header
 * are always present (the packet header is meaningful only with
 * M_PKTHDR), so moving a packet header or attaching an area never moves
 * data.  MHLEN == MLEN.
 */
#define MLEN		((int)(MSIZE - sizeof(struct m_hdr) -		\
			    sizeof(struct m_ext) - sizeof(struct pkthdr)))
#define MHLEN		MLEN

struct mbuf {
	struct m_hdr	m_hdr;
	struct m_ext	m_ext;
	struct pkthdr	m_pkthdr;
	char		m_dat[MLEN];
};
CTASSERT(sizeof(struct mbuf) == MSIZE);

#define m_next		m_hdr.mh_next
#define m_len		m_hdr.mh_len
#define m_data		m_hdr.mh_data
#define m_type		m_hdr.mh_type
#define m_flags		m_hdr.mh_flags
#define m_nextpkt	m_hdr.mh_nextpkt
#define m_pktdat	m_dat

/* The data pointer cast to a type. */
#define mtod(m, t)	((t)(void *)((m)->m_data))

/* Storage bounds of an mbuf (inline or external). */
char	*m_bufstart(const struct mbuf *);
char	*m_bufend(const struct mbuf *);
#define M_BUFSTART(m)	m_bufstart(m)
#define M_BUFEND(m)	m_bufend(m)
#define M_LEADINGSPACE(m) ((int)((m)->m_data - m_bufstart(m)))
#define M_TRAILINGSPACE(m) ((int)(m_bufend(m) - ((m)->m_data + (m)->m_len)))

/* Position len bytes at the end of a fresh mbuf's storage (for headers). */
#define M_ALIGN(m, len)	m_align((m), (len))
#define MH_ALIGN(m, len) m_align((m), (len))
void	m_align(struct mbuf *, int len);

/*
 * Make room for plen bytes in front of m; on failure m is freed and
 * set to NULL (NetBSD semantics).
 */
#define M_PREPEND(m, plen, how) do {					\
	if (M_LEADINGSPACE(m) >= (plen)) {				\
		(m)->m_data -= (plen);					\
		(m)->m_len += (plen);					\
		if ((m)->m_flags & M_PKTHDR)				\
			(m)->m_pkthdr.len += (plen);			\
	} else								\
		(m) = m_prepend((m), (plen), (how));			\
} while (0)

/* Move the packet header from `from' (which loses it) to `to'. */
void	m_move_pkthdr(struct mbuf *to, struct mbuf *from);
#define M_MOVE_PKTHDR(to, from)	m_move_pkthdr((to), (from))
void	m_copy_pkthdr(struct mbuf *to, const struct mbuf *from);

#define M_COPYALL	1000000000

struct mbuf *m_get(int how, int type);
struct mbuf *m_gethdr(int how, int type);
/* A packet-header mbuf with storage for at least len bytes (<= MJUMBYTES). */
struct mbuf *m_getlen(int how, int type, int len);
/* Attach a cluster (MCLBYTES) / an area of at least size bytes. */
int	m_clget(struct mbuf *, int how);		/* 0 or ENOBUFS */
int	m_extget(struct mbuf *, u_int size, int how);	/* 0 or ENOBUFS */
#define MCLGET(m, how)	((void)m_clget((m), (how)))
struct mbuf *m_free(struct mbuf *);		/* returns m->m_next */
void	m_freem(struct mbuf *);			/* NULL is fine */
/* Free every chain on an m_nextpkt list. */
void	m_freem_list(struct mbuf *);

void	m_copydata(const struct mbuf *, int off, int len, void *);
/* Write len bytes at off, extending the chain if needed; 0 or ENOBUFS. */
int	m_copyback(struct mbuf *, int off, int len, const void *);
/* New chain with a copy of [off, off+len) (len M_COPYALL: to the end). */
struct mbuf *m_copym(struct mbuf *, int off, int len, int how);
#define m_copy(m, o, l)	m_copym((m), (o), (l), M_DONTWAIT)
struct mbuf *m_dup(struct mbuf *, int off, int len, int how);
/* Make the first len bytes contiguous; frees the chain on failure. */
struct mbuf *m_pullup(struct mbuf *, int len);
/* Append chain n to chain m (m's packet header length is not updated). */
void	m_cat(struct mbuf *m, struct mbuf *n);
/* Trim len bytes from the head (len > 0) or the tail (len < 0). */
void	m_adj(struct mbuf *, int len);
struct mbuf *m_prepend(struct mbuf *, int len, int how);
/* Sum of m_len over the chain. */
int	m_length(const struct mbuf *);
/* Append len bytes of data at the end; returns 1 on success, 0 if not. */
int	m_append(struct mbuf *, int len, const void *);
/* Split the chain at off; returns the tail (with a header if m had one). */
struct mbuf *m_split(struct mbuf *, int off, int how);
/* Build a packet from a flat buffer (with a header; NULL on failure). */
struct mbuf *m_devget(const void *buf, int len, struct ifnet *rcvif);

/*
 * The start of a packet kept aside in a caller's buffer, with its packet
 * header: what a forwarder keeps to quote in an ICMP error should the
 * packet not go out.  Unlike m_copym it allocates nothing; m_snap_mbuf
 * makes the packet (the first ms_len bytes) only when it is needed.
 * ms_data must stay valid until then.
 */
struct mbuf_snap {
	struct pkthdr	 ms_pkthdr;
	int		 ms_flags;	/* M_COPYFLAGS of the packet */
	short		 ms_type;
	int		 ms_len;	/* bytes in ms_data */
	uint8_t		*ms_data;
};
/* Keep the first min(len, packet length) bytes of m in buf. */
void	m_snap(struct mbuf_snap *, const struct mbuf *m, int len, void *buf);
/* The kept bytes as a packet with the kept header (NULL on failure). */
struct mbuf *m_snap_mbuf(const struct mbuf_snap *);

/*
 * Statistics of the current host.  mbs_nout counts mbufs allocated and
 * not yet freed; mbs_clout the same for external areas.
 */
struct mbstat {
	uint64_t	mbs_get;	/* mbufs allocated */
	uint64_t	mbs_drops;	/* allocations that failed */
	unsigned	mbs_nout;	/* mbufs outstanding */
	unsigned	mbs_clout;	/* external areas outstanding */
};

/* Outstanding mbufs (+ external areas) of the current host. */
unsigned	mbuf_outstanding(void);
void		mbuf_stats(struct mbstat *);

/* Simple packet queues (ifqueue-like), not locked. */
struct mbufq {
	struct mbuf	*mq_head;
	struct mbuf	*mq_tail;
	u_int		 mq_len;
	u_int		 mq_maxlen;
	uint64_t	 mq_drops;
};
void	mbufq_init(struct mbufq *, u_int maxlen);
bool	mbufq_full(const struct mbufq *);
/* Enqueue at the tail; false (and m freed, drops counted) when full. */
bool	mbufq_enqueue(struct mbufq *, struct mbuf *);
struct mbuf *mbufq_dequeue(struct mbufq *);
/*
 * Empty the queue in one step: returns its packets as a list linked by
 * m_nextpkt (oldest first), or NULL.  A consumer that holds the queue's
 * lock once per batch instead of once per packet.
 */
struct mbuf *mbufq_takeall(struct mbufq *);
void	mbufq_purge(struct mbufq *);
static inline u_int
mbufq_len(const struct mbufq *q)
{
	return q->mq_len;
}

#endif /* !_KNIT_SYS_MBUF_H_ */
