/*
 * Protocol input queues (see net/pktqueue.h).
 */
#include "net/if.h"
#include "net/pktqueue.h"
#include "sys/intr.h"
#include "sys/kmem.h"

struct pktqueue {
	kmutex_t	 pq_lock;	/* spin, IPL_NET */
	struct mbufq	 pq_q;
	void		*pq_sih;
	void		(*pq_input)(struct mbuf *);
	const char	*pq_name;
};

/*
 * The softint: take everything queued in one hold of the spin lock, then
 * run the protocol on each packet with softnet_lock held (it may block
 * there).  Packets queued meanwhile are not looked for: their
 * pktq_enqueue schedules the softint again (softint_schedule while the
 * handler runs makes it pending once more), so none is left behind.
 */
static void
pktq_softint(void *arg)
{
	struct pktqueue *pq = arg;
	struct mbuf *m, *next;

	mutex_spin_enter(&pq->pq_lock);
	m = mbufq_takeall(&pq->pq_q);
	mutex_spin_exit(&pq->pq_lock);
	if (m == NULL)
		return;
	mutex_enter(softnet_lock);
	for (; m != NULL; m = next) {
		next = m->m_nextpkt;
		m->m_nextpkt = NULL;
		(*pq->pq_input)(m);
	}
	mutex_exit(softnet_lock);
}

struct pktqueue *
pktq_create(const char *name, u_int maxlen, void (*input)(struct mbuf *))
{
	struct pktqueue *pq = kmem_zalloc(sizeof(*pq), KM_SLEEP);

	mutex_init(&pq->pq_lock, MUTEX_DEFAULT, IPL_NET);
	mbufq_init(&pq->pq_q, maxlen);
	pq->pq_input = input;
	pq->pq_name = name;
	pq->pq_sih = softint_establish(SOFTINT_NET | SOFTINT_MPSAFE,
	    pktq_softint, pq);
	return pq;
}

void
pktq_destroy(struct pktqueue *pq)
{
	softint_disestablish(pq->pq_sih);
	mbufq_purge(&pq->pq_q);
	mutex_destroy(&pq->pq_lock);
	kmem_free(pq, sizeof(*pq));
}

bool
pktq_enqueue(struct pktqueue *pq, struct mbuf *m)
{
	bool ok;

	mutex_spin_enter(&pq->pq_lock);
	ok = mbufq_enqueue(&pq->pq_q, m);
	mutex_spin_exit(&pq->pq_lock);
	if (ok)
		softint_schedule(pq->pq_sih);
	return ok;
}

uint64_t
pktq_drops(const struct pktqueue *pq)
{
	return pq->pq_q.mq_drops;
}
