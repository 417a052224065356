/*
 * The NIC device model and the network object.
 *
 * The NIC is the "hardware" behind the stack's vnic driver: it
 * implements dev/vnic.h.  Frames move between the driver's mbufs and
 * model-owned buffers by copying (the model never holds an mbuf).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/vnic.h"
#include "net/net_impl.h"
#include "record/trace.h"
#include "sim.h"

#define NIC_RING_DEFAULT	256

/* Eight bytes little-endian, whatever the host's byte order. */
static inline uint64_t
load_le64(const uint8_t *b)
{
	uint64_t w;

	memcpy(&w, b, sizeof(w));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/*
 * Digest of a frame for the trace hash.  Four independent lanes take 32
 * bytes per round (each word mixed by multiplication), so that the
 * multiplications overlap instead of forming one chain through the whole
 * frame: every frame of every hop is digested.  Then words of eight
 * bytes, then the tail byte by byte; the result depends only on the
 * bytes and the length (not on alignment or on bytes past the end).
 */
uint64_t
net_digest(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;
	uint64_t l0 = h, l1 = ~h, l2 = h ^ 0x5555555555555555ULL,
	    l3 = h ^ 0xaaaaaaaaaaaaaaaaULL;
	size_t i = 0;

	for (; i + 32 <= len; i += 32) {
		l0 = (l0 ^ load_le64(b + i)) * 0xff51afd7ed558ccdULL;
		l1 = (l1 ^ load_le64(b + i + 8)) * 0xff51afd7ed558ccdULL;
		l2 = (l2 ^ load_le64(b + i + 16)) * 0xff51afd7ed558ccdULL;
		l3 = (l3 ^ load_le64(b + i + 24)) * 0xff51afd7ed558ccdULL;
		l0 ^= l0 >> 32;
		l1 ^= l1 >> 32;
		l2 ^= l2 >> 32;
		l3 ^= l3 >> 32;
	}
	h = l0 ^ (l1 * 0xc4ceb9fe1a85ec53ULL) ^ ((l2 << 21 | l2 >> 43) *
	    0x9e3779b97f4a7c15ULL) ^ ((l3 << 42 | l3 >> 22) *
	    0xd6e8feb86659fd93ULL);
	for (; i + 8 <= len; i += 8) {
		h = (h ^ load_le64(b + i)) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	for (w = 0; i < len; i++)
		w = (w << 8) | b[i];
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

struct net *
net_create_env(const struct net_env *env)
{
	struct net *n = calloc(1, sizeof(*n));

	n->n_env = *env;
	TAILQ_INIT(&n->n_nics);
	TAILQ_INIT(&n->n_links);
	TAILQ_INIT(&n->n_free);
	return n;
}

static void
frame_free(struct net_frame *f)
{
	free(f->nf_data);
	free(f);
}

void
net_destroy(struct net *n)
{
	struct net_nic *nic;
	struct net_link *l;
	struct net_frame *f;

	if (n == NULL)
		return;
	if (n->n_world != NULL) {
		/* the hosts detach their interfaces while the NICs exist */
		world_teardown(n->n_world);
		netw_unregister(n);
	}
	net_pcap_close(n);
	while ((nic = TAILQ_FIRST(&n->n_nics)) != NULL) {
		TAILQ_REMOVE(&n->n_nics, nic, nn_list);
		netn_destroy(nic);
	}
	while ((l = TAILQ_FIRST(&n->n_links)) != NULL) {
		TAILQ_REMOVE(&n->n_links, l, nl_list);
		netl_destroy(l);
	}
	while ((f = TAILQ_FIRST(&n->n_free)) != NULL) {
		TAILQ_REMOVE(&n->n_free, f, nf_q);
		frame_free(f);
	}
	free(n);
}

/*
 * Frames in flight when the network is destroyed are still in the
 * event queue; the world's queue dies with the world, so net_destroy
 * must follow the last world_run.  Frames recycle through n_free: the
 * first on the list is reused when large enough, else a new one.
 */
struct net_frame *
netn_frame_get(struct net *n, size_t len)
{
	struct net_frame *f = TAILQ_FIRST(&n->n_free);

	if (f != NULL && f->nf_cap >= len) {
		TAILQ_REMOVE(&n->n_free, f, nf_q);
	} else {
		f = calloc(1, sizeof(*f));
		f->nf_cap = len < 1536 ? 1536 : len;
		f->nf_data = malloc(f->nf_cap);
	}
	f->nf_len = len;
	f->nf_from = f->nf_to = NULL;
	return f;
}

void
netn_frame_put(struct net *n, struct net_frame *f)
{
	TAILQ_INSERT_HEAD(&n->n_free, f, nf_q);
}

struct net_nic *
net_nic_create(struct net *n, struct host *h, const uint8_t *mac,
    int irq_cpu, unsigned ring)
{
	struct net_nic *nic, *o;
	char name[128];
	int unit = 0, hidx = n->n_env.ne_host_index(h);

	TAILQ_FOREACH(o, &n->n_nics, nn_list)
		if (o->nn_host == h)
			unit++;
	nic = calloc(1, sizeof(*nic));
	nic->nn_net = n;
	nic->nn_host = h;
	nic->nn_unit = unit;
	nic->nn_index = n->n_nnics++;
	nic->nn_irq_cpu = irq_cpu;
	nic->nn_rxcap = ring ? ring : NIC_RING_DEFAULT;
	nic->nn_pcap_id = -1;
	TAILQ_INIT(&nic->nn_rxq);
	if (mac != NULL) {
		memcpy(nic->nn_mac, mac, 6);
	} else {
		/* locally administered, unique in the world */
		nic->nn_mac[0] = 0x02;
		nic->nn_mac[2] = (uint8_t)(hidx >> 8);
		nic->nn_mac[3] = (uint8_t)hidx;
		nic->nn_mac[4] = (uint8_t)(nic->nn_index >> 8);
		nic->nn_mac[5] = (uint8_t)nic->nn_index;
	}
	snprintf(name, sizeof(name), "%s:vnic%d", n->n_env.ne_host_name(h),
	    unit);
	nic->nn_name = strdup(name);
	TAILQ_INSERT_TAIL(&n->n_nics, nic, nn_list);
	if (n->n_pcap != NULL && n->n_pcap_all)
		netp_add_if(n, nic);
	if (n->n_env.ne_attach != NULL)
		n->n_env.ne_attach(n->n_env.ne_ctx, nic);
	return nic;
}

void
netn_destroy(struct net_nic *nic)
{
	struct net_frame *f;

	while ((f = TAILQ_FIRST(&nic->nn_rxq)) != NULL) {
		TAILQ_REMOVE(&nic->nn_rxq, f, nf_q);
		frame_free(f);
	}
	if (nic->nn_txbuf != NULL)
		frame_free(nic->nn_txbuf);
	net_keep(nic, 0);
	free(nic->nn_dep);
	free(nic->nn_name);
	free(nic);
}

int
net_nic_unit(const struct net_nic *nic)
{
	return nic->nn_unit;
}

struct host *
net_nic_host(const struct net_nic *nic)
{
	return nic->nn_host;
}

const char *
net_nic_name(const struct net_nic *nic)
{
	return nic->nn_name;
}

struct net_nic *
net_nic_lookup(struct net *n, const char *name)
{
	struct net_nic *nic;

	TAILQ_FOREACH(nic, &n->n_nics, nn_list)
		if (strcmp(nic->nn_name, name) == 0)
			return nic;
	return NULL;
}

/* Happens-before edges on a frame handed between LWPs (net_impl.h). */
static inline void
netn_release(struct net *n, const void *obj)
{
	if (n->n_env.ne_release != NULL)
		n->n_env.ne_release(n->n_env.ne_ctx, obj);
}

static inline void
netn_acquire(struct net *n, const void *obj)
{
	if (n->n_env.ne_acquire != NULL)
		n->n_env.ne_acquire(n->n_env.ne_ctx, obj);
}

/* The run database's recorder sees what a capture would (trace.h). */
static inline void
netn_record(struct net_nic *nic, const struct net_frame *f, uint64_t now,
    bool outbound)
{
	struct world *w = nic->nn_net->n_world;
	struct trace *t;

	if (nic->nn_keep != NULL)
		netk_frame(nic, f, now, outbound);
	if (w != NULL && (t = world_recorder(w)) != NULL)
		trace_frame(t, nic->nn_host, nic->nn_unit, f->nf_data,
		    f->nf_len, now, outbound);
}

/*
 * The receive interrupt as raised: the handler established when it is
 * taken, not when it was raised, so that a driver that disestablished
 * (its interface detached, its softc freed) is never called again; the
 * frames left in the ring are then dropped.
 */
static void
netn_rx_intr(void *arg)
{
	struct net_nic *nic = arg;

	if (nic->nn_intr != NULL) {
		/* the handler follows what its driver did to establish it */
		netn_acquire(nic->nn_net, nic);
		(*nic->nn_intr)(nic->nn_intr_arg);
		return;
	}
	while (nic->nn_rxlen > 0)
		vnic_hw_rx_pop((struct vnic_hw *)nic);
	nic->nn_intr_pending = false;
}

/* A frame arrived at nic at time `now' (from the link). */
void
netn_receive(struct net_nic *nic, struct net_frame *f, uint64_t now)
{
	struct net *n = nic->nn_net;
	uint64_t mix;

	if (nic->nn_pcap_id >= 0)
		netp_frame(n, nic, f, now, false);
	netn_record(nic, f, now, false);
	mix = net_digest(f->nf_data, f->nf_len);
	mix ^= (now * 0x9e3779b97f4a7c15ULL) + ((uint64_t)nic->nn_index << 48) +
	    f->nf_len;
	n->n_env.ne_trace_mix(n->n_env.ne_ctx, mix);
	if (nic->nn_rxlen >= nic->nn_rxcap || nic->nn_intr == NULL) {
		if (nic->nn_link != NULL)
			nic->nn_link->nl_st.nls_rx_overrun++;
		netn_frame_put(n, f);
		return;
	}
	TAILQ_INSERT_TAIL(&nic->nn_rxq, f, nf_q);
	nic->nn_rxlen++;
	if (!nic->nn_intr_pending) {
		nic->nn_intr_pending = true;
		n->n_env.ne_intr_raise(n->n_env.ne_ctx, nic->nn_host,
		    nic->nn_irq_cpu, netn_rx_intr, nic);
	}
}

/* ---- dev/vnic.h: the device as the driver sees it ---- */

void
vnic_hw_macaddr(const struct vnic_hw *hw, uint8_t mac[VNIC_ADDRLEN])
{
	const struct net_nic *nic = (const struct net_nic *)hw;

	memcpy(mac, nic->nn_mac, VNIC_ADDRLEN);
}

u_int
vnic_hw_mtu(const struct vnic_hw *hw)
{
	const struct net_nic *nic = (const struct net_nic *)hw;

	return nic->nn_link != NULL ? nic->nn_link->nl_p.nlp_mtu : 1500;
}

int
vnic_hw_unit(const struct vnic_hw *hw)
{
	return ((const struct net_nic *)hw)->nn_unit;
}

bool
vnic_hw_carrier(const struct vnic_hw *hw)
{
	const struct net_nic *nic = (const struct net_nic *)hw;

	return nic->nn_link != NULL && nic->nn_link->nl_up;
}

void *
vnic_hw_tx_buf(struct vnic_hw *hw, size_t len)
{
	struct net_nic *nic = (struct net_nic *)hw;

	if (len < 14 || len > 9000 + 14 + 4)
		return NULL;
	if (nic->nn_txbuf == NULL) {
		nic->nn_txbuf = netn_frame_get(nic->nn_net, len);
		netn_acquire(nic->nn_net, nic->nn_txbuf);
	} else if (nic->nn_txbuf->nf_cap < len) {
		netn_frame_put(nic->nn_net, nic->nn_txbuf);
		nic->nn_txbuf = netn_frame_get(nic->nn_net, len);
		if (nic->nn_txbuf->nf_cap < len) {
			/* the free list head was small: take a new one */
			netn_frame_put(nic->nn_net, nic->nn_txbuf);
			nic->nn_txbuf = calloc(1, sizeof(struct net_frame));
			nic->nn_txbuf->nf_cap = len;
			nic->nn_txbuf->nf_data = malloc(len);
		}
		netn_acquire(nic->nn_net, nic->nn_txbuf);
	}
	return nic->nn_txbuf->nf_data;
}

void
vnic_hw_tx_commit(struct vnic_hw *hw, size_t len)
{
	struct net_nic *nic = (struct net_nic *)hw;
	struct net *n = nic->nn_net;
	struct net_frame *f = nic->nn_txbuf;
	uint64_t now = n->n_env.ne_now(n->n_env.ne_ctx);

	if (f == NULL || len > f->nf_cap)
		return;
	nic->nn_txbuf = NULL;
	f->nf_len = len;
	netn_release(n, f);
	if (nic->nn_pcap_id >= 0)
		netp_frame(n, nic, f, now, true);
	netn_record(nic, f, now, true);
	netl_transmit(nic, f, now);
}

const void *
vnic_hw_rx_peek(struct vnic_hw *hw, size_t *lenp)
{
	struct net_nic *nic = (struct net_nic *)hw;
	struct net_frame *f = TAILQ_FIRST(&nic->nn_rxq);

	if (f == NULL) {
		*lenp = 0;
		return NULL;
	}
	netn_acquire(nic->nn_net, f);
	*lenp = f->nf_len;
	return f->nf_data;
}

void
vnic_hw_rx_pop(struct vnic_hw *hw)
{
	struct net_nic *nic = (struct net_nic *)hw;
	struct net_frame *f = TAILQ_FIRST(&nic->nn_rxq);

	if (f != NULL) {
		netn_release(nic->nn_net, f);
		TAILQ_REMOVE(&nic->nn_rxq, f, nf_q);
		nic->nn_rxlen--;
		netn_frame_put(nic->nn_net, f);
	}
	if (nic->nn_rxlen == 0)
		nic->nn_intr_pending = false;
}

void
vnic_hw_intr_establish(struct vnic_hw *hw, void (*handler)(void *), void *arg)
{
	struct net_nic *nic = (struct net_nic *)hw;

	netn_release(nic->nn_net, nic);
	nic->nn_intr = handler;
	nic->nn_intr_arg = arg;
}
