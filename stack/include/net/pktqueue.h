/*
 * Protocol input queues: a hard-interrupt handler enqueues a packet
 * and schedules the protocol's softint, which drains the queue.
 *
 * A pktqueue belongs to one host (allocated by its protocol's VNET
 * init).  The queue is protected by a spin mutex at IPL_NET; the
 * softint handler runs the protocol's input function on each packet,
 * with softnet_lock held, and may block.
 */
#ifndef _KNIT_NET_PKTQUEUE_H_
#define _KNIT_NET_PKTQUEUE_H_

#include "sys/mbuf.h"
#include "sys/mutex.h"

struct pktqueue;

struct pktqueue *pktq_create(const char *name, u_int maxlen,
	    void (*input)(struct mbuf *));
void	pktq_destroy(struct pktqueue *);
/* false when full (m freed, drop counted). */
bool	pktq_enqueue(struct pktqueue *, struct mbuf *);
uint64_t pktq_drops(const struct pktqueue *);

#endif /* !_KNIT_NET_PKTQUEUE_H_ */
