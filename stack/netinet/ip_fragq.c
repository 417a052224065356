/*
 * Fragment reassembly queues (see netinet/ip_fragq.h).
 *
 * Invariants of a queue q, with ft_lock held:
 *   q's fragments are sorted by fe_off and disjoint: for consecutive
 *     a, b: a->fe_off + a->fe_len <= b->fe_off.
 *   fe_skip bytes of fe_m precede the wanted payload, and fe_m holds at
 *     least fe_skip + fe_len bytes.  Only the fragment at offset 0 still
 *     has fe_skip equal to its header length (it is never trimmed).
 *   fq_total is -1 until a last fragment arrived; then every fragment
 *     ends at or before fq_total.
 *   ft_stat.fs_queues and fs_held count the queues and fragments held.
 * Mbufs to free are collected on m_nextpkt lists and freed after ft_lock
 * is released.
 */
#include "net/if.h"
#include "netinet/ip_fragq.h"
#include "sys/mbuf.h"

struct fragq_ent {
	TAILQ_ENTRY(fragq_ent)	fe_list;
	struct mbuf		*fe_m;
	int			 fe_skip;	/* bytes before the payload */
	int			 fe_off;	/* payload wanted: offset, */
	int			 fe_len;	/* and length */
};

struct fragq {
	TAILQ_ENTRY(fragq)		fq_list;
	TAILQ_HEAD(, fragq_ent)		fq_ents;	/* by offset */
	struct fragq_key		fq_key;
	uint64_t			fq_expire;	/* ns */
	int				fq_nfrags;
	int				fq_total;	/* payload; -1: unknown */
	int				fq_maxend;	/* highest end seen */
};

/* Append the chain m to the list *tailp points into. */
static void
fragq_defer(struct mbuf ***tailp, struct mbuf *m)
{
	m->m_nextpkt = NULL;
	**tailp = m;
	*tailp = &m->m_nextpkt;
}

/*
 * Unlink q and put back its records.  Its mbufs go on the list at
 * *tailp, except the fragment at offset 0, which goes to *firstp when
 * firstp is not NULL.
 */
static void
fragq_unlink(struct fragq_table *ft, struct fragq *q, struct mbuf ***tailp,
    struct mbuf **firstp)
{
	struct fragq_ent *fe;

	KASSERT(mutex_owned(&ft->ft_lock));
	TAILQ_REMOVE(&ft->ft_queues, q, fq_list);
	while ((fe = TAILQ_FIRST(&q->fq_ents)) != NULL) {
		TAILQ_REMOVE(&q->fq_ents, fe, fe_list);
		if (firstp != NULL && fe->fe_off == 0)
			*firstp = fe->fe_m;
		else
			fragq_defer(tailp, fe->fe_m);
		pool_put(&ft->ft_epool, fe);
	}
	ft->ft_stat.fs_held -= (uint64_t)q->fq_nfrags;
	ft->ft_stat.fs_queues--;
	pool_put(&ft->ft_qpool, q);
}

int
fragq_stat_sysctl(const struct sysctl_oid *oid, void *oldp, size_t *oldlenp,
    const void *newp, size_t newlen)
{
	struct fragq_table *ft = sysctl_oid_var(oid);
	uint64_t v;

	(void)newp;
	(void)newlen;
	mutex_enter(&ft->ft_lock);
	v = *(const uint64_t *)(const void *)((const char *)&ft->ft_stat +
	    oid->oid_min);
	mutex_exit(&ft->ft_lock);
	return sysctl_quad_out((int64_t)v, oldp, oldlenp);
}

int
softnet_stat_sysctl(const struct sysctl_oid *oid, void *oldp,
    size_t *oldlenp, const void *newp, size_t newlen)
{
	const uint64_t *counter = sysctl_oid_var(oid);
	bool take = !mutex_owned(softnet_lock);
	uint64_t v;

	(void)newp;
	(void)newlen;
	if (take)
		mutex_enter(softnet_lock);
	v = *counter;
	if (take)
		mutex_exit(softnet_lock);
	return sysctl_quad_out((int64_t)v, oldp, oldlenp);
}

static int
fragq_ticks(uint64_t ns)
{
	uint64_t t = (ns + NS_PER_TICK - 1) / NS_PER_TICK;

	return t < 1 ? 1 : t > INT32_MAX ? INT32_MAX : (int)t;
}

/*
 * Drop the datagrams whose time is up, oldest first, and come back for
 * the next one.  softnet_lock first: ft_expired sends ICMP.
 */
static void
fragq_timer(void *arg)
{
	struct fragq_table *ft = arg;
	struct fragq *q, *nq;
	struct mbuf *dead = NULL, **dtail = &dead;
	struct mbuf *firsts = NULL, **ftail = &firsts, *m;
	uint64_t now, next = UINT64_MAX;

	mutex_enter(softnet_lock);
	mutex_enter(&ft->ft_lock);
	now = getnanouptime();
	TAILQ_FOREACH_SAFE(q, &ft->ft_queues, fq_list, nq) {
		if (q->fq_expire > now) {
			if (q->fq_expire < next)
				next = q->fq_expire;
			continue;
		}
		ft->ft_stat.fs_timeout += (uint64_t)q->fq_nfrags;
		m = NULL;
		fragq_unlink(ft, q, &dtail, &m);
		if (m != NULL)
			fragq_defer(&ftail, m);
	}
	if (next != UINT64_MAX)
		callout_schedule(&ft->ft_timer, fragq_ticks(next - now));
	mutex_exit(&ft->ft_lock);
	while ((m = firsts) != NULL) {
		firsts = m->m_nextpkt;
		m->m_nextpkt = NULL;
		if (ft->ft_expired != NULL)
			(*ft->ft_expired)(m);
		else
			m_freem(m);
	}
	mutex_exit(softnet_lock);
	m_freem_list(dead);
}

void
fragq_init(struct fragq_table *ft, const char *qname, const char *ename,
    enum fragq_overlap overlap, void (*expired)(struct mbuf *), int ttl)
{
	memset(ft, 0, sizeof(*ft));
	mutex_init(&ft->ft_lock, MUTEX_DEFAULT, IPL_NONE);
	TAILQ_INIT(&ft->ft_queues);
	callout_init(&ft->ft_timer, CALLOUT_MPSAFE);
	callout_setfunc(&ft->ft_timer, fragq_timer, ft);
	pool_init(&ft->ft_qpool, sizeof(struct fragq), qname, IPL_NET);
	pool_init(&ft->ft_epool, sizeof(struct fragq_ent), ename, IPL_NET);
	ft->ft_overlap = overlap;
	ft->ft_expired = expired;
	ft->ft_ttl = ttl;
	ft->ft_maxqueues = 200;
	ft->ft_maxfrags = 2000;
	ft->ft_maxperqueue = 128;
}

void
fragq_fini(struct fragq_table *ft)
{
	struct mbuf *dead = NULL, **dtail = &dead;

	callout_halt(&ft->ft_timer, NULL);
	callout_destroy(&ft->ft_timer);
	mutex_enter(&ft->ft_lock);
	while (!TAILQ_EMPTY(&ft->ft_queues))
		fragq_unlink(ft, TAILQ_FIRST(&ft->ft_queues), &dtail, NULL);
	mutex_exit(&ft->ft_lock);
	m_freem_list(dead);
	pool_destroy(&ft->ft_epool);
	pool_destroy(&ft->ft_qpool);
	mutex_destroy(&ft->ft_lock);
}

void
fragq_bad(struct fragq_table *ft, struct mbuf *m)
{
	mutex_enter(&ft->ft_lock);
	ft->ft_stat.fs_fragments++;
	ft->ft_stat.fs_dropped++;
	mutex_exit(&ft->ft_lock);
	m_freem(m);
}

static struct fragq *
fragq_lookup(struct fragq_table *ft, const struct fragq_key *key)
{
	struct fragq *q;

	TAILQ_FOREACH(q, &ft->ft_queues, fq_list)
		if (memcmp(&q->fq_key, key, sizeof(*key)) == 0)
			return q;
	return NULL;
}

/* A new queue for key, or NULL when a bound says no. */
static struct fragq *
fragq_create(struct fragq_table *ft, const struct fragq_key *key)
{
	struct fragq *q;

	if (ft->ft_stat.fs_queues >= (uint64_t)ft->ft_maxqueues)
		return NULL;
	if ((q = pool_get(&ft->ft_qpool, PR_NOWAIT)) == NULL)
		return NULL;
	TAILQ_INIT(&q->fq_ents);
	q->fq_key = *key;
	q->fq_total = -1;
	q->fq_expire = getnanouptime() + (uint64_t)ft->ft_ttl * NS_PER_TICK;
	TAILQ_INSERT_TAIL(&ft->ft_queues, q, fq_list);
	ft->ft_stat.fs_queues++;
	if (!callout_pending(&ft->ft_timer))
		callout_schedule(&ft->ft_timer, ft->ft_ttl);
	return q;
}

static bool
fragq_complete(const struct fragq *q)
{
	const struct fragq_ent *fe;
	int expect = 0;

	if (q->fq_total < 0)
		return false;
	TAILQ_FOREACH(fe, &q->fq_ents, fe_list) {
		if (fe->fe_off != expect)
			return false;
		expect += fe->fe_len;
	}
	return expect == q->fq_total;
}

/* Chain the payloads behind the first fragment's headers; free q. */
static struct mbuf *
fragq_build(struct fragq_table *ft, struct fragq *q, int *hlenp)
{
	struct fragq_ent *first = TAILQ_FIRST(&q->fq_ents), *fe;
	struct mbuf *m = first->fe_m, *t, *rest = NULL, **rtail = &rest;
	int hlen = first->fe_skip;

	KASSERT(first->fe_off == 0);
	if (m->m_pkthdr.len > hlen + first->fe_len)
		m_adj(m, hlen + first->fe_len - m->m_pkthdr.len);
	while ((fe = TAILQ_NEXT(first, fe_list)) != NULL) {
		t = fe->fe_m;
		m_adj(t, fe->fe_skip);
		if (t->m_pkthdr.len > fe->fe_len)
			m_adj(t, fe->fe_len - t->m_pkthdr.len);
		m_cat(m, t);
		TAILQ_REMOVE(&q->fq_ents, fe, fe_list);
		pool_put(&ft->ft_epool, fe);
	}
	TAILQ_REMOVE(&q->fq_ents, first, fe_list);
	pool_put(&ft->ft_epool, first);
	m->m_pkthdr.len = hlen + q->fq_total;
	KASSERT(m_length(m) == m->m_pkthdr.len);
	fragq_unlink(ft, q, &rtail, NULL);	/* no fragments left in it */
	KASSERT(rest == NULL);
	ft->ft_stat.fs_reassembled++;
	*hlenp = hlen;
	return m;
}

/*
 * Resolve fe's overlaps with its neighbours p (the last fragment that
 * starts at or before it) and n (the first that starts after).  Returns
 * 1 to insert fe, 0 to drop fe alone, -1 to drop the datagram.  Trimmed
 * away successors go on the list at *tailp.
 */
static int
fragq_overlap(struct fragq_table *ft, struct fragq *q, struct fragq_ent *p,
    struct fragq_ent *n, struct fragq_ent *fe, struct mbuf ***tailp)
{
	struct fragq_ent *nn;
	int end = fe->fe_off + fe->fe_len, over;

	if (ft->ft_overlap == FRAGQ_DISCARD) {
		if (p != NULL && p->fe_off == fe->fe_off &&
		    p->fe_len == fe->fe_len)
			return 0;	/* an exact duplicate */
		if ((p != NULL && p->fe_off + p->fe_len > fe->fe_off) ||
		    (n != NULL && n->fe_off < end))
			return -1;
		return 1;
	}
	if (p != NULL && (over = p->fe_off + p->fe_len - fe->fe_off) > 0) {
		if (over >= fe->fe_len)
			return 0;	/* nothing new */
		fe->fe_off += over;
		fe->fe_len -= over;
		fe->fe_skip += over;
	}
	while (n != NULL && n->fe_off < end) {
		over = end - n->fe_off;
		if (over < n->fe_len) {
			n->fe_off += over;
			n->fe_len -= over;
			n->fe_skip += over;
			break;
		}
		nn = TAILQ_NEXT(n, fe_list);
		TAILQ_REMOVE(&q->fq_ents, n, fe_list);
		fragq_defer(tailp, n->fe_m);
		pool_put(&ft->ft_epool, n);
		q->fq_nfrags--;
		ft->ft_stat.fs_held--;
		ft->ft_stat.fs_dropped++;
		n = nn;
	}
	return 1;
}

/*
 * The datagram's end as this fragment tells it must agree with what is
 * known: one last fragment, nothing at or past its end.
 */
static bool
fragq_end_ok(struct fragq *q, int end, bool more)
{
	if (!more) {
		if ((q->fq_total >= 0 && q->fq_total != end) ||
		    end < q->fq_maxend)
			return false;
		q->fq_total = end;
	} else if (q->fq_total >= 0 && end >= q->fq_total)
		return false;
	if (end > q->fq_maxend)
		q->fq_maxend = end;
	return true;
}

struct mbuf *
fragq_insert(struct fragq_table *ft, const struct fragq_key *key,
    struct mbuf *m, int hlen, int off, int len, bool more, int *hlenp)
{
	struct fragq_ent *fe, *p, *n;
	struct fragq *q;
	struct mbuf *dead = NULL, **dtail = &dead, *done = NULL;
	int verdict;

	KASSERT(off >= 0 && len > 0 && hlen >= 0);
	KASSERT(m->m_pkthdr.len >= hlen + len);
	if ((fe = pool_get(&ft->ft_epool, PR_NOWAIT)) == NULL) {
		mutex_enter(&ft->ft_lock);
		ft->ft_stat.fs_fragments++;
		ft->ft_stat.fs_overflow++;
		ft->ft_stat.fs_dropped++;
		mutex_exit(&ft->ft_lock);
		m_freem(m);
		return NULL;
	}
	fe->fe_m = m;
	fe->fe_skip = hlen;
	fe->fe_off = off;
	fe->fe_len = len;
	mutex_enter(&ft->ft_lock);
	ft->ft_stat.fs_fragments++;
	q = fragq_lookup(ft, key);
	if (ft->ft_stat.fs_held >= (uint64_t)ft->ft_maxfrags ||
	    (q == NULL && (q = fragq_create(ft, key)) == NULL)) {
		ft->ft_stat.fs_overflow++;
		verdict = 0;
	} else if (q->fq_nfrags >= ft->ft_maxperqueue) {
		ft->ft_stat.fs_overflow++;
		verdict = -1;
	} else if (!fragq_end_ok(q, off + len, more))
		verdict = -1;
	else {
		p = NULL;
		TAILQ_FOREACH(n, &q->fq_ents, fe_list) {
			if (n->fe_off > off)
				break;
			p = n;
		}
		verdict = fragq_overlap(ft, q, p, n, fe, &dtail);
		if (verdict > 0) {
			if (p != NULL)
				TAILQ_INSERT_AFTER(&q->fq_ents, p, fe, fe_list);
			else
				TAILQ_INSERT_HEAD(&q->fq_ents, fe, fe_list);
			q->fq_nfrags++;
			ft->ft_stat.fs_held++;
			if (fragq_complete(q))
				done = fragq_build(ft, q, hlenp);
		}
	}
	if (verdict < 0) {
		ft->ft_stat.fs_dropped += (uint64_t)q->fq_nfrags;
		fragq_unlink(ft, q, &dtail, NULL);
	}
	if (verdict <= 0) {
		ft->ft_stat.fs_dropped++;
		fragq_defer(&dtail, m);
		pool_put(&ft->ft_epool, fe);
	}
	mutex_exit(&ft->ft_lock);
	m_freem_list(dead);
	return done;
}

struct mbuf *
fragq_mkfrag(struct mbuf *m, const void *hdr, int hlen, int off, int len)
{
	struct mbuf *f, *data;

	KASSERT(hlen > 0 && hlen <= MHLEN);
	if ((f = m_gethdr(M_DONTWAIT, MT_DATA)) == NULL)
		return NULL;
	M_ALIGN(f, hlen);	/* room in front for the link header */
	memcpy(mtod(f, void *), hdr, (size_t)hlen);
	f->m_len = hlen;
	if ((data = m_copym(m, off, len, M_DONTWAIT)) == NULL) {
		m_freem(f);
		return NULL;
	}
	m_cat(f, data);
	f->m_pkthdr.len = hlen + len;
	f->m_flags |= m->m_flags & (M_BCAST | M_MCAST);
	return f;
}

int
fragq_output(struct ifnet *ifp, struct mbuf *list, const struct sockaddr *dst,
    struct rtentry *rt, int *droppedp)
{
	struct mbuf *m;
	int error = 0;

	*droppedp = 0;
	while ((m = list) != NULL) {
		list = m->m_nextpkt;
		m->m_nextpkt = NULL;
		if (error == 0)
			error = (*ifp->if_output)(ifp, m, dst, rt);
		else
			m_freem(m);
		if (error != 0)
			(*droppedp)++;
	}
	return error;
}
