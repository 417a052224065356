/*
 * mbuf allocation and chain manipulation.
 *
 * Three per-host pools: mbufs (MSIZE), clusters (MCLBYTES) and jumbo
 * areas (MJUMBYTES).  External areas are owned by exactly one mbuf, so
 * freeing an mbuf frees its area too; copies copy bytes.
 */
#include "sys/mbuf.h"
#include "sys/pool.h"
#include "sys/intr.h"
#include "sys/vnet.h"

VNET_DEFINE_STATIC(struct pool, mbuf_pool);
VNET_DEFINE_STATIC(struct pool, mcl_pool);
VNET_DEFINE_STATIC(struct pool, mjum_pool);
#define V_mbuf_pool	VNET(mbuf_pool)
#define V_mcl_pool	VNET(mcl_pool)
#define V_mjum_pool	VNET(mjum_pool)

static void
mbuf_init(void)
{
	pool_init(&V_mbuf_pool, MSIZE, "mbpl", IPL_NET);
	pool_init(&V_mcl_pool, MCLBYTES, "mclpl", IPL_NET);
	pool_init(&V_mjum_pool, MJUMBYTES, "mjumpl", IPL_NET);
}

static void
mbuf_fini(void)
{
	pool_destroy(&V_mjum_pool);
	pool_destroy(&V_mcl_pool);
	pool_destroy(&V_mbuf_pool);
}
VNET_SYSINIT(mbuf, VNET_ORDER_KERN - 1, mbuf_init, mbuf_fini);

static inline int
pool_flags(int how)
{
	return (how & M_WAIT) ? PR_WAITOK : PR_NOWAIT;
}

char *
m_bufstart(const struct mbuf *m)
{
	if (m->m_flags & M_EXT)
		return m->m_ext.ext_buf;
	return (char *)(uintptr_t)m->m_dat;
}

char *
m_bufend(const struct mbuf *m)
{
	if (m->m_flags & M_EXT)
		return m->m_ext.ext_buf + m->m_ext.ext_size;
	return (char *)(uintptr_t)(m->m_dat + MLEN);
}

void
m_align(struct mbuf *m, int len)
{
	char *end = m_bufend(m);

	KASSERT(len >= 0 && end - m_bufstart(m) >= len);
	/* keep the start long-aligned: round the length up */
	m->m_data = end - ((len + (int)sizeof(long) - 1) &
	    ~((int)sizeof(long) - 1));
	if (m->m_data < m_bufstart(m))
		m->m_data = m_bufstart(m);
}

struct mbuf *
m_get(int how, int type)
{
	struct mbuf *m;

	m = pool_get(&V_mbuf_pool, pool_flags(how));
	if (m == NULL) {
			return NULL;
	}
	/* pool memory is zeroed: only set what is not zero */
	m->m_type = type;
	m->m_data = m->m_dat;
	return m;
}

struct mbuf *
m_gethdr(int how, int type)
{
	struct mbuf *m;

	m = m_get(how, type);
	if (m != NULL)
		m->m_flags = M_PKTHDR;
	return m;
}

int
m_extget(struct mbuf *m, u_int size, int how)
{
	struct pool *pp;
	char *buf;

	KASSERT((m->m_flags & M_EXT) == 0);
	KASSERT(m->m_len == 0);
	if (size <= MCLBYTES)
		pp = &V_mcl_pool;
	else if (size <= MJUMBYTES)
		pp = &V_mjum_pool;
	else
		return EMSGSIZE;
	buf = pool_get(pp, pool_flags(how));
	if (buf == NULL) {
			return ENOBUFS;
	}
	m->m_ext.ext_buf = buf;
	m->m_ext.ext_size = pp->pr_size;
	m->m_flags |= M_EXT;
	m->m_data = buf;
	return 0;
}

int
m_clget(struct mbuf *m, int how)
{
	return m_extget(m, MCLBYTES, how);
}

struct mbuf *
m_getlen(int how, int type, int len)
{
	struct mbuf *m;

	KASSERT(len >= 0);
	m = m_gethdr(how, type);
	if (m == NULL || len <= MHLEN)
		return m;
	if (m_extget(m, (u_int)len, how) != 0) {
		m_free(m);
		return NULL;
	}
	return m;
}

struct mbuf *
m_free(struct mbuf *m)
{
	struct mbuf *n = m->m_next;

	KASSERT(m->m_type != MT_FREE);
	if (m->m_flags & M_EXT) {
		pool_put(m->m_ext.ext_size == MCLBYTES ? &V_mcl_pool :
		    &V_mjum_pool, m->m_ext.ext_buf);
	}
	m->m_type = MT_FREE;
	pool_put(&V_mbuf_pool, m);
	return n;
}

void
m_freem(struct mbuf *m)
{
	while (m != NULL)
		m = m_free(m);
}

void
m_freem_list(struct mbuf *m)
{
	struct mbuf *next;

	for (; m != NULL; m = next) {
		next = m->m_nextpkt;
		m->m_nextpkt = NULL;
		m_freem(m);
	}
}

/*
 * The pools keep the counts (the platform maintains them atomically),
 * so the stack itself has no shared counter to race on.
 */
void
mbuf_stats(struct mbstat *st)
{
	st->mbs_get = V_mbuf_pool.pr_nget;
	st->mbs_drops = V_mbuf_pool.pr_nfail + V_mcl_pool.pr_nfail +
	    V_mjum_pool.pr_nfail;
	st->mbs_nout = V_mbuf_pool.pr_nout;
	st->mbs_clout = V_mcl_pool.pr_nout + V_mjum_pool.pr_nout;
}

unsigned
mbuf_outstanding(void)
{
	struct mbstat st;

	mbuf_stats(&st);
	return st.mbs_nout + st.mbs_clout;
}

void
m_copy_pkthdr(struct mbuf *to, const struct mbuf *from)
{
	KASSERT(from->m_flags & M_PKTHDR);
	to->m_flags = (to->m_flags & M_EXT) | (from->m_flags & M_COPYFLAGS);
	to->m_pkthdr = from->m_pkthdr;
}

void
m_move_pkthdr(struct mbuf *to, struct mbuf *from)
{
	m_copy_pkthdr(to, from);
	from->m_flags &= ~M_PKTHDR;
	memset(&from->m_pkthdr, 0, sizeof(from->m_pkthdr));
}

int
m_length(const struct mbuf *m)
{
	int len = 0;

	for (; m != NULL; m = m->m_next)
		len += m->m_len;
	return len;
}

void
m_copydata(const struct mbuf *m, int off, int len, void *vp)
{
	char *cp = vp;
	int n;

	KASSERT(off >= 0 && len >= 0);
	while (off > 0) {
		KASSERTMSG(m != NULL, "m_copydata: offset beyond chain");
		if (off < m->m_len)
			break;
		off -= m->m_len;
		m = m->m_next;
	}
	while (len > 0) {
		KASSERTMSG(m != NULL, "m_copydata: length beyond chain");
		n = m->m_len - off;
		if (n > len)
			n = len;
		memcpy(cp, m->m_data + off, (size_t)n);
		cp += n;
		len -= n;
		off = 0;
		m = m->m_next;
	}
}

/*
 * Grow the chain so that it holds at least `want' bytes: first the
 * trailing space of the last mbuf, then new mbufs (with clusters when
 * more than MLEN bytes are missing).  New bytes are zero.
 */
static int
m_extend(struct mbuf *m0, int want)
{
	struct mbuf *m, *n;
	int have = m_length(m0), grow;

	for (m = m0; m->m_next != NULL; m = m->m_next)
		continue;
	while (have < want) {
		grow = M_TRAILINGSPACE(m);
		if (grow > want - have)
			grow = want - have;
		if (grow > 0) {
			memset(m->m_data + m->m_len, 0, (size_t)grow);
			m->m_len += grow;
			have += grow;
			continue;
		}
		n = m_get(M_DONTWAIT, m->m_type);
		if (n == NULL)
			return ENOBUFS;
		if (want - have > MLEN && m_extget(n, want - have > MCLBYTES ?
		    MJUMBYTES : MCLBYTES, M_DONTWAIT) != 0) {
			m_free(n);
			return ENOBUFS;
		}
		m->m_next = n;
		m = n;
	}
	return 0;
}

int
m_copyback(struct mbuf *m0, int off, int len, const void *vp)
{
	const char *cp = vp;
	struct mbuf *m;
	int n, error;

	KASSERT(off >= 0 && len >= 0);
	error = m_extend(m0, off + len);
	if (error != 0)
		return error;
	if ((m0->m_flags & M_PKTHDR) && m0->m_pkthdr.len < off + len)
		m0->m_pkthdr.len = off + len;
	if (len == 0)
		return 0;
	/* the chain holds off + len > off bytes: this stops on an mbuf */
	for (m = m0; off >= m->m_len; m = m->m_next)
		off -= m->m_len;
	for (; len > 0; m = m->m_next) {
		KASSERT(m != NULL);
		n = m->m_len - off;
		if (n > len)
			n = len;
		memcpy(m->m_data + off, cp, (size_t)n);
		cp += n;
		len -= n;
		off = 0;
	}
	return 0;
}

/*
 * Copy [off, off + len) of chain m into a new chain.  The copy is as
 * compact as the source allows: each new mbuf is filled to its storage
 * (a cluster when more than MLEN bytes remain).
 */
struct mbuf *
m_copym(struct mbuf *m, int off, int len, int how)
{
	struct mbuf *top = NULL, **np = &top, *n;
	int total, chunk;

	KASSERT(off >= 0 && len >= 0);
	if (len == M_COPYALL) {
		len = m_length(m) - off;
		KASSERT(len >= 0);
	}
	total = len;
	if ((m->m_flags & M_PKTHDR) == 0 || off != 0) {
		if (len == 0 && (m->m_flags & M_PKTHDR) == 0)
			return m_get(how, m->m_type);
	}
	do {
		n = (top == NULL && (m->m_flags & M_PKTHDR)) ?
		    m_gethdr(how, m->m_type) : m_get(how, m->m_type);
		if (n == NULL)
			goto fail;
		if (top == NULL && (m->m_flags & M_PKTHDR)) {
			m_copy_pkthdr(n, m);
			n->m_pkthdr.len = total;
		}
		if (len > MLEN && m_clget(n, how) != 0) {
			m_free(n);
			goto fail;
		}
		chunk = (int)(m_bufend(n) - n->m_data);
		if (chunk > len)
			chunk = len;
		m_copydata(m, off, chunk, n->m_data);
		n->m_len = chunk;
		off += chunk;
		len -= chunk;
		*np = n;
		np = &n->m_next;
	} while (len > 0);
	return top;
fail:
	m_freem(top);
	return NULL;
}

struct mbuf *
m_dup(struct mbuf *m, int off, int len, int how)
{
	return m_copym(m, off, len, how);
}

void
m_cat(struct mbuf *m, struct mbuf *n)
{
	while (m->m_next != NULL)
		m = m->m_next;
	while (n != NULL) {
		if ((m->m_flags & M_EXT) == 0 &&
		    (n->m_flags & M_PKTHDR) == 0 &&
		    M_TRAILINGSPACE(m) >= n->m_len) {
			memcpy(m->m_data + m->m_len, n->m_data,
			    (size_t)n->m_len);
			m->m_len += n->m_len;
			n = m_free(n);
			continue;
		}
		if (n->m_flags & M_PKTHDR) {
			n->m_flags &= ~M_PKTHDR;
			memset(&n->m_pkthdr, 0, sizeof(n->m_pkthdr));
		}
		m->m_next = n;
		return;
	}
}

void
m_adj(struct mbuf *mp, int req_len)
{
	struct mbuf *m;
	int len = req_len, count;

	if (mp == NULL)
		return;
	if (len >= 0) {
		/* trim from the head */
		m = mp;
		while (m != NULL && len > 0) {
			if (m->m_len <= len) {
				len -= m->m_len;
				m->m_data += m->m_len;
				m->m_len = 0;
				m = m->m_next;
			} else {
				m->m_data += len;
				m->m_len -= len;
				len = 0;
			}
		}
		if (mp->m_flags & M_PKTHDR)
			mp->m_pkthdr.len -= (req_len - len);
		return;
	}
	/* trim from the tail: find the mbuf where the new end lies */
	len = -len;
	count = m_length(mp);
	if (len > count)
		len = count;
	count -= len;
	if (mp->m_flags & M_PKTHDR)
		mp->m_pkthdr.len = count;
	for (m = mp; m != NULL; m = m->m_next) {
		if (m->m_len >= count) {
			m->m_len = count;
			break;
		}
		count -= m->m_len;
	}
	if (m != NULL) {
		struct mbuf *rest = m->m_next;

		m->m_next = NULL;
		m_freem(rest);
	}
}

struct mbuf *
m_prepend(struct mbuf *m, int len, int how)
{
	struct mbuf *mn;

	KASSERT(len >= 0 && len <= MLEN);
	mn = (m->m_flags & M_PKTHDR) ? m_gethdr(how, m->m_type) :
	    m_get(how, m->m_type);
	if (mn == NULL) {
		m_freem(m);
		return NULL;
	}
	if (m->m_flags & M_PKTHDR)
		m_move_pkthdr(mn, m);
	mn->m_next = m;
	m_align(mn, len);
	mn->m_len = len;
	if (mn->m_flags & M_PKTHDR)
		mn->m_pkthdr.len += len;
	return mn;
}

struct mbuf *
m_pullup(struct mbuf *m, int len)
{
	struct mbuf *n;
	int count, space;

	KASSERT(len >= 0);
	if (m->m_len >= len)
		return m;
	/*
	 * Gather into the first mbuf if it has room after its data, else
	 * into a new mbuf (or area) that takes over the packet header.
	 */
	if (M_TRAILINGSPACE(m) + m->m_len >= len &&
	    m->m_data + len <= m_bufend(m)) {
		n = m;
		m = m->m_next;
		len -= n->m_len;
		n->m_next = NULL;
	} else {
		if (len > MJUMBYTES)
			goto bad;
		n = (m->m_flags & M_PKTHDR) ? m_gethdr(M_DONTWAIT, m->m_type) :
		    m_get(M_DONTWAIT, m->m_type);
		if (n == NULL)
			goto bad;
		if (len > MLEN && m_extget(n, (u_int)len, M_DONTWAIT) != 0) {
			m_free(n);
			goto bad;
		}
		if (m->m_flags & M_PKTHDR)
			m_move_pkthdr(n, m);
	}
	space = (int)(m_bufend(n) - (n->m_data + n->m_len));
	do {
		if (m == NULL)
			break;
		count = len < space ? len : space;
		if (count > m->m_len)
			count = m->m_len;
		memcpy(n->m_data + n->m_len, m->m_data, (size_t)count);
		len -= count;
		space -= count;
		n->m_len += count;
		m->m_len -= count;
		if (m->m_len > 0)
			m->m_data += count;
		else
			m = m_free(m);
	} while (len > 0);
	if (len > 0) {
		/* the chain is shorter than len */
		n->m_next = m;
		m_freem(n);
		return NULL;
	}
	n->m_next = m;
	return n;
bad:
	m_freem(m);
	return NULL;
}

int
m_append(struct mbuf *m0, int len, const void *vp)
{
	struct mbuf *m;

	for (m = m0; m->m_next != NULL; m = m->m_next)
		continue;
	if (m_copyback(m0, m_length(m0), len, vp) != 0)
		return 0;
	return 1;
}

struct mbuf *
m_split(struct mbuf *m0, int off, int how)
{
	struct mbuf *m, *n;
	int len = off, remain;

	for (m = m0; m != NULL && len > m->m_len; m = m->m_next)
		len -= m->m_len;
	if (m == NULL)
		return NULL;
	remain = m->m_len - len;
	if (m0->m_flags & M_PKTHDR) {
		n = m_gethdr(how, m0->m_type);
		if (n == NULL)
			return NULL;
		n->m_pkthdr.rcvif = m0->m_pkthdr.rcvif;
		n->m_pkthdr.ts = m0->m_pkthdr.ts;
		n->m_pkthdr.len = m0->m_pkthdr.len - off;
	} else {
		n = m_get(how, m->m_type);
		if (n == NULL)
			return NULL;
	}
	if (remain > (int)(m_bufend(n) - n->m_data) &&
	    m_extget(n, (u_int)remain, how) != 0) {
		m_free(n);
		return NULL;
	}
	memcpy(n->m_data, m->m_data + len, (size_t)remain);
	n->m_len = remain;
	m->m_len = len;
	n->m_next = m->m_next;
	m->m_next = NULL;
	if (m0->m_flags & M_PKTHDR)
		m0->m_pkthdr.len = off;
	return n;
}

struct mbuf *
m_devget(const void *buf, int len, struct ifnet *rcvif)
{
	struct mbuf *m;

	if (len < 0 || len > MJUMBYTES)
		return NULL;
	m = m_getlen(M_DONTWAIT, MT_DATA, len);
	if (m == NULL)
		return NULL;
	memcpy(m->m_data, buf, (size_t)len);
	m->m_len = len;
	m->m_pkthdr.len = len;
	m->m_pkthdr.rcvif = rcvif;
	return m;
}

void
m_snap(struct mbuf_snap *ms, const struct mbuf *m, int len, void *buf)
{
	KASSERT(m->m_flags & M_PKTHDR);
	KASSERT(len >= 0);
	ms->ms_pkthdr = m->m_pkthdr;
	ms->ms_flags = m->m_flags & M_COPYFLAGS;
	ms->ms_type = m->m_type;
	ms->ms_len = len < m->m_pkthdr.len ? len : m->m_pkthdr.len;
	ms->ms_data = buf;
	m_copydata(m, 0, ms->ms_len, buf);
}

struct mbuf *
m_snap_mbuf(const struct mbuf_snap *ms)
{
	struct mbuf *n = m_getlen(M_DONTWAIT, ms->ms_type, ms->ms_len);

	if (n == NULL)
		return NULL;
	n->m_flags |= ms->ms_flags;
	n->m_pkthdr = ms->ms_pkthdr;
	n->m_pkthdr.len = n->m_len = ms->ms_len;
	memcpy(mtod(n, void *), ms->ms_data, (size_t)ms->ms_len);
	return n;
}

void
mbufq_init(struct mbufq *q, u_int maxlen)
{
	memset(q, 0, sizeof(*q));
	q->mq_maxlen = maxlen;
}

bool
mbufq_full(const struct mbufq *q)
{
	return q->mq_maxlen != 0 && q->mq_len >= q->mq_maxlen;
}

bool
mbufq_enqueue(struct mbufq *q, struct mbuf *m)
{
	if (mbufq_full(q)) {
		q->mq_drops++;
		m_freem(m);
		return false;
	}
	m->m_nextpkt = NULL;
	if (q->mq_tail == NULL)
		q->mq_head = m;
	else
		q->mq_tail->m_nextpkt = m;
	q->mq_tail = m;
	q->mq_len++;
	return true;
}

struct mbuf *
mbufq_dequeue(struct mbufq *q)
{
	struct mbuf *m = q->mq_head;

	if (m == NULL)
		return NULL;
	q->mq_head = m->m_nextpkt;
	if (q->mq_head == NULL)
		q->mq_tail = NULL;
	m->m_nextpkt = NULL;
	q->mq_len--;
	return m;
}

struct mbuf *
mbufq_takeall(struct mbufq *q)
{
	struct mbuf *m = q->mq_head;

	q->mq_head = q->mq_tail = NULL;
	q->mq_len = 0;
	return m;
}

void
mbufq_purge(struct mbufq *q)
{
	struct mbuf *m;

	while ((m = mbufq_dequeue(q)) != NULL)
		m_freem(m);
}
