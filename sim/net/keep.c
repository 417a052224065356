/*
 * Frames kept in memory per NIC (net.h, net_keep): a ring of the last
 * `max' frames, each with its first NET_KEEP_SNAP bytes.  Decoding is
 * left to the reader (record/trace.h, trace_frame_decode), so the frame
 * path only copies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "net/net_impl.h"

struct net_keep {
	struct net_kept	*nk_ring;
	size_t		 nk_max;
	size_t		 nk_head;	/* oldest */
	size_t		 nk_len;
	uint64_t	 nk_lost;
};

int
net_keep(struct net_nic *nic, unsigned max)
{
	struct net_keep *k;

	if (nic->nn_keep != NULL) {
		free(nic->nn_keep->nk_ring);
		free(nic->nn_keep);
		nic->nn_keep = NULL;
	}
	if (max == 0)
		return 0;
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->nk_ring = calloc(max, sizeof(*k->nk_ring))) == NULL) {
		free(k);
		return ENOMEM;
	}
	k->nk_max = max;
	nic->nn_keep = k;
	return 0;
}

bool
net_keeping(const struct net_nic *nic)
{
	return nic->nn_keep != NULL;
}

void
netk_frame(struct net_nic *nic, const struct net_frame *f, uint64_t when,
    bool outbound)
{
	struct net_keep *k = nic->nn_keep;
	struct net_kept *e;

	if (k->nk_len < k->nk_max)
		e = &k->nk_ring[(k->nk_head + k->nk_len++) % k->nk_max];
	else {
		e = &k->nk_ring[k->nk_head];
		k->nk_head = (k->nk_head + 1) % k->nk_max;
		k->nk_lost++;
	}
	e->nk_time = when;
	e->nk_outbound = outbound;
	e->nk_len = (uint32_t)f->nf_len;
	e->nk_caplen = (uint32_t)(f->nf_len < NET_KEEP_SNAP ? f->nf_len :
	    NET_KEEP_SNAP);
	memcpy(e->nk_data, f->nf_data, e->nk_caplen);
}

size_t
net_kept_count(const struct net_nic *nic)
{
	return nic->nn_keep != NULL ? nic->nn_keep->nk_len : 0;
}

const struct net_kept *
net_kept_get(const struct net_nic *nic, size_t i)
{
	const struct net_keep *k = nic->nn_keep;

	if (k == NULL || i >= k->nk_len)
		return NULL;
	return &k->nk_ring[(k->nk_head + i) % k->nk_max];
}

uint64_t
net_kept_lost(const struct net_nic *nic)
{
	return nic->nn_keep != NULL ? nic->nn_keep->nk_lost : 0;
}
