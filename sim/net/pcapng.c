/*
 * pcapng capture: one section per run, one interface description block
 * per captured NIC (if_tsresol 9: timestamps in virtual nanoseconds),
 * one enhanced packet block per frame seen by a captured NIC, with the
 * direction in epb_flags.  Little-endian, as written by this host.
 *
 * Order.  Viewers show frames in file order, so the file keeps frames in
 * timestamp order.  Without cross-host lookahead frames are captured in
 * that order and are written at once.  With it a host runs up to the
 * least link delay L ahead of the others (sim/cpu/lookahead.c), so a
 * frame is held in a min-heap on (timestamp, capture sequence) until
 * the world's GVT (world_gvt: nothing can happen before it any more)
 * passes its timestamp; the heap holds only frames within L of GVT.
 * Equal timestamps keep capture order.  net_pcap_close writes the rest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_impl.h"
#include "sim.h"

#define BT_SHB		0x0a0d0d0aU
#define BT_IDB		0x00000001U
#define BT_EPB		0x00000006U
#define LINKTYPE_ETHERNET 1
#define OPT_END		0
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME	2
#define OPT_IF_TSRESOL	9
#define OPT_EPB_FLAGS	2

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void
put32(FILE *fp, uint32_t v)
{
	fwrite(&v, 4, 1, fp);
}

static void
put16(FILE *fp, uint16_t v)
{
	fwrite(&v, 2, 1, fp);
}

static void
put_opt(FILE *fp, uint16_t code, const void *val, size_t len)
{
	static const uint8_t zero[4];

	put16(fp, code);
	put16(fp, (uint16_t)len);
	fwrite(val, 1, len, fp);
	fwrite(zero, 1, pad4(len) - len, fp);
}

int
net_pcap_open(struct net *n, const char *path)
{
	static const char appl[] = "knit";
	uint32_t total;
	FILE *fp;

	net_pcap_close(n);
	if ((fp = fopen(path, "wb")) == NULL)
		return errno != 0 ? errno : EIO;
	/* header 16 + section length 8 + option + end + trailer 4 */
	total = 16 + 8 + 4 + (uint32_t)pad4(sizeof(appl) - 1) + 4 + 4;
	put32(fp, BT_SHB);
	put32(fp, total);
	put32(fp, 0x1a2b3c4dU);
	put16(fp, 1);
	put16(fp, 0);
	put32(fp, 0xffffffffU);		/* section length unknown */
	put32(fp, 0xffffffffU);
	put_opt(fp, OPT_SHB_USERAPPL, appl, sizeof(appl) - 1);
	put32(fp, OPT_END);
	put32(fp, total);
	n->n_pcap = fp;
	n->n_pcap_nifs = 0;
	n->n_pcap_frames = 0;
	n->n_pcap_all = false;
	return 0;
}

void
netp_add_if(struct net *n, struct net_nic *nic)
{
	FILE *fp = n->n_pcap;
	size_t namelen = strlen(nic->nn_name);
	uint8_t tsresol = 9;
	uint32_t total;

	if (fp == NULL || nic->nn_pcap_id >= 0)
		return;
	total = 16 + 4 + (uint32_t)pad4(namelen) + 4 + 4 + 4 + 4;
	put32(fp, BT_IDB);
	put32(fp, total);
	put16(fp, LINKTYPE_ETHERNET);
	put16(fp, 0);
	put32(fp, 0);			/* snaplen: no limit */
	put_opt(fp, OPT_IF_NAME, nic->nn_name, namelen);
	put_opt(fp, OPT_IF_TSRESOL, &tsresol, 1);
	put32(fp, OPT_END);
	put32(fp, total);
	nic->nn_pcap_id = n->n_pcap_nifs++;
}

void
net_pcap_all(struct net *n)
{
	struct net_nic *nic;

	if (n->n_pcap == NULL)
		return;
	n->n_pcap_all = true;
	TAILQ_FOREACH(nic, &n->n_nics, nn_list)
		netp_add_if(n, nic);
}

void
net_pcap_nic(struct net *n, struct net_nic *nic)
{
	netp_add_if(n, nic);
}

/* A frame captured but not written yet. */
struct netp_held {
	uint64_t	 nh_when;
	uint64_t	 nh_seq;	/* capture order: breaks equal times */
	uint32_t	 nh_ifid;
	bool		 nh_outbound;
	size_t		 nh_len;
	uint8_t		 nh_data[];
};

static void
netp_put_epb(FILE *fp, uint32_t ifid, uint64_t when, const void *data,
    size_t len, bool outbound)
{
	static const uint8_t zero[4];
	uint32_t total, flags = outbound ? 2 : 1;

	total = 28 + (uint32_t)pad4(len) + 8 + 4 + 4;
	put32(fp, BT_EPB);
	put32(fp, total);
	put32(fp, ifid);
	put32(fp, (uint32_t)(when >> 32));
	put32(fp, (uint32_t)when);
	put32(fp, (uint32_t)len);
	put32(fp, (uint32_t)len);
	fwrite(data, 1, len, fp);
	fwrite(zero, 1, pad4(len) - len, fp);
	put_opt(fp, OPT_EPB_FLAGS, &flags, 4);
	put32(fp, OPT_END);
	put32(fp, total);
}

static bool
netp_before(const struct netp_held *a, const struct netp_held *b)
{
	return a->nh_when < b->nh_when ||
	    (a->nh_when == b->nh_when && a->nh_seq < b->nh_seq);
}

static bool
netp_hold(struct net *n, struct netp_held *h)
{
	struct netp_held **heap = n->n_pcap_heap, *up;
	uint32_t i, cap, parent;

	if (n->n_pcap_nheld == n->n_pcap_heapcap) {
		cap = n->n_pcap_heapcap != 0 ? 2 * n->n_pcap_heapcap : 64;
		heap = calloc(cap, sizeof(*heap));
		if (heap == NULL)
			return false;
		if (n->n_pcap_nheld != 0)
			memcpy(heap, n->n_pcap_heap,
			    n->n_pcap_nheld * sizeof(*heap));
		free(n->n_pcap_heap);
		n->n_pcap_heap = heap;
		n->n_pcap_heapcap = cap;
	}
	i = n->n_pcap_nheld++;
	while (i > 0) {
		parent = (i - 1) / 2;
		up = heap[parent];
		if (!netp_before(h, up))
			break;
		heap[i] = up;
		i = parent;
	}
	heap[i] = h;
	return true;
}

/* Remove and return the earliest held frame. */
static struct netp_held *
netp_pop(struct net *n)
{
	struct netp_held **heap = n->n_pcap_heap, *top = heap[0], *last;
	uint32_t i = 0, child, len = --n->n_pcap_nheld;

	last = heap[len];
	heap[len] = NULL;
	if (len == 0)
		return top;
	for (;;) {
		child = 2 * i + 1;
		if (child >= len)
			break;
		if (child + 1 < len && netp_before(heap[child + 1], heap[child]))
			child++;
		if (!netp_before(heap[child], last))
			break;
		heap[i] = heap[child];
		i = child;
	}
	heap[i] = last;
	return top;
}

/* Write every held frame stamped before `bound', in order. */
static void
netp_flush(struct net *n, uint64_t bound)
{
	struct netp_held *h;

	while (n->n_pcap_nheld != 0 && n->n_pcap_heap[0]->nh_when < bound) {
		h = netp_pop(n);
		if (n->n_pcap != NULL)
			netp_put_epb(n->n_pcap, h->nh_ifid, h->nh_when,
			    h->nh_data, h->nh_len, h->nh_outbound);
		free(h);
	}
}

void
netp_frame(struct net *n, struct net_nic *nic, const struct net_frame *f,
    uint64_t when, bool outbound)
{
	struct netp_held *h;
	uint64_t gvt;

	if (n->n_pcap == NULL)
		return;
	n->n_pcap_frames++;
	if (n->n_world == NULL || !world_lookahead(n->n_world)) {
		netp_flush(n, UINT64_MAX);	/* (lookahead switched off) */
		netp_put_epb(n->n_pcap, (uint32_t)nic->nn_pcap_id, when,
		    f->nf_data, f->nf_len, outbound);
		return;
	}
	h = calloc(1, sizeof(*h) + f->nf_len);
	if (h != NULL) {
		h->nh_when = when;
		h->nh_seq = n->n_pcap_seq++;
		h->nh_ifid = (uint32_t)nic->nn_pcap_id;
		h->nh_outbound = outbound;
		h->nh_len = f->nf_len;
		memcpy(h->nh_data, f->nf_data, f->nf_len);
	}
	if (h == NULL || !netp_hold(n, h)) {
		/* out of memory: write it now rather than lose it */
		free(h);
		netp_flush(n, UINT64_MAX);
		netp_put_epb(n->n_pcap, (uint32_t)nic->nn_pcap_id, when,
		    f->nf_data, f->nf_len, outbound);
		return;
	}
	/*
	 * Nothing captured from now on is stamped before the GVT, nor
	 * before this frame (the running context is at `when').
	 */
	gvt = world_gvt(n->n_world);
	netp_flush(n, gvt < when ? gvt : when);
}

void
net_pcap_close(struct net *n)
{
	struct net_nic *nic;

	if (n->n_pcap == NULL)
		return;
	netp_flush(n, UINT64_MAX);
	free(n->n_pcap_heap);
	n->n_pcap_heap = NULL;
	n->n_pcap_heapcap = 0;
	n->n_pcap_seq = 0;
	fclose(n->n_pcap);
	n->n_pcap = NULL;
	n->n_pcap_all = false;
	TAILQ_FOREACH(nic, &n->n_nics, nn_list)
		nic->nn_pcap_id = -1;
}

uint64_t
net_pcap_frames(const struct net *n)
{
	return n->n_pcap_frames;
}
