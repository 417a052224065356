/*
 * The link model: serialisation, queueing, impairments, propagation.
 *
 * Serialisation is FIFO per sender (point-to-point: per direction; hub:
 * one medium shared by all senders, in the order frames were queued),
 * so a frame's departure time is known when it is queued.  Each frame
 * therefore costs one event: its delivery.
 */
#include <stdlib.h>
#include <string.h>

#include "net/net_impl.h"

void
net_link_params_default(struct net_link_params *p)
{
	memset(p, 0, sizeof(*p));
	p->nlp_delay = 10000;
	p->nlp_rate = 1000000000ULL;
	p->nlp_mtu = 1500;
	p->nlp_qlen = 1000;
}

const char *
net_link_params_check(const struct net_link_params *p)
{
	if (p->nlp_mtu < 68 || p->nlp_mtu > 9000)
		return "mtu must be in [68, 9000]";
	if (!(p->nlp_loss >= 0 && p->nlp_loss <= 1))
		return "loss must be a probability in [0, 1]";
	if (!(p->nlp_dup >= 0 && p->nlp_dup <= 1))
		return "dup must be a probability in [0, 1]";
	if (!(p->nlp_reorder >= 0 && p->nlp_reorder <= 1))
		return "reorder must be a probability in [0, 1]";
	if (!(p->nlp_corrupt >= 0 && p->nlp_corrupt <= 1))
		return "corrupt must be a probability in [0, 1]";
	if (p->nlp_reorder > 0 && p->nlp_reorder_delay == 0)
		return "reorder needs a reorder_delay > 0";
	return NULL;
}

static void
link_streams(struct net_link *l)
{
	struct net_env *e = &l->nl_net->n_env;
	char name[256];

	snprintf(name, sizeof(name), "net/%s/loss", l->nl_name);
	e->ne_rng_stream(e->ne_ctx, &l->nl_rng_loss, name);
	snprintf(name, sizeof(name), "net/%s/dup", l->nl_name);
	e->ne_rng_stream(e->ne_ctx, &l->nl_rng_dup, name);
	snprintf(name, sizeof(name), "net/%s/reorder", l->nl_name);
	e->ne_rng_stream(e->ne_ctx, &l->nl_rng_reorder, name);
	snprintf(name, sizeof(name), "net/%s/corrupt", l->nl_name);
	e->ne_rng_stream(e->ne_ctx, &l->nl_rng_corrupt, name);
}

/*
 * What a link allows the scheduler's lookahead (sim/cpu/lookahead.c):
 * a frame sent at t reaches the other end at t + nlp_delay or later.
 * A hub couples its hosts (the medium is taken in the order frames are
 * sent, not in virtual-time order), and so do random impairments (both
 * directions draw from the link's streams in the order frames are
 * sent): the hosts on such a link are coupled (they never run ahead,
 * which keeps their order among themselves) and the link does not
 * bound the others.  Neither does a link without two different hosts.
 */
static uint64_t
link_lookahead(const struct net_link *l)
{
	const struct net_link_params *p = &l->nl_p;
	struct net_env *e = &l->nl_net->n_env;
	unsigned i;

	for (i = 1; i < l->nl_nports; i++)
		if (l->nl_ports[i]->nn_host != l->nl_ports[0]->nn_host)
			break;
	if (i >= l->nl_nports)
		return UINT64_MAX;
	if (l->nl_hub || p->nlp_loss > 0 || p->nlp_dup > 0 ||
	    p->nlp_reorder > 0 || p->nlp_corrupt > 0) {
		for (i = 0; i < l->nl_nports; i++)
			if (e->ne_couple != NULL)
				e->ne_couple(e->ne_ctx,
				    l->nl_ports[i]->nn_host);
		return e->ne_couple != NULL ? UINT64_MAX : 0;
	}
	return p->nlp_delay;
}

/* Recompute the network's lookahead, tell the world; returns it. */
uint64_t
netl_lookahead(struct net *n)
{
	struct net_link *l;
	uint64_t ns = UINT64_MAX, v;

	TAILQ_FOREACH(l, &n->n_links, nl_list)
		if ((v = link_lookahead(l)) < ns)
			ns = v;
	if (n->n_env.ne_lookahead != NULL)
		n->n_env.ne_lookahead(n->n_env.ne_ctx, ns);
	return ns;
}

static struct net_link *
link_new(struct net *n, const char *name, bool hub,
    const struct net_link_params *p)
{
	struct net_link *l;

	if (net_link_lookup(n, name) != NULL || net_link_params_check(p))
		return NULL;
	l = calloc(1, sizeof(*l));
	l->nl_net = n;
	l->nl_name = strdup(name);
	l->nl_hub = hub;
	l->nl_up = true;
	l->nl_p = *p;
	link_streams(l);
	TAILQ_INSERT_TAIL(&n->n_links, l, nl_list);
	return l;
}

static void
link_add_port(struct net_link *l, struct net_nic *nic)
{
	l->nl_ports = realloc(l->nl_ports,
	    (l->nl_nports + 1) * sizeof(*l->nl_ports));
	l->nl_ports[l->nl_nports++] = nic;
	nic->nn_link = l;
}

struct net_link *
net_link_p2p(struct net *n, const char *name, struct net_nic *a,
    struct net_nic *b, const struct net_link_params *p)
{
	struct net_link *l;

	if (a == b || a->nn_link != NULL || b->nn_link != NULL)
		return NULL;
	if ((l = link_new(n, name, false, p)) == NULL)
		return NULL;
	link_add_port(l, a);
	link_add_port(l, b);
	(void)netl_lookahead(n);
	return l;
}

struct net_link *
net_link_hub(struct net *n, const char *name, const struct net_link_params *p)
{
	return link_new(n, name, true, p);
}

int
net_link_attach(struct net_link *l, struct net_nic *nic)
{
	if (!l->nl_hub || nic->nn_link != NULL)
		return -1;
	link_add_port(l, nic);
	(void)netl_lookahead(l->nl_net);
	return 0;
}

void
net_link_set_up(struct net_link *l, bool up)
{
	l->nl_up = up;
}

void
net_link_set_params(struct net_link *l, const struct net_link_params *p)
{
	if (net_link_params_check(p) == NULL) {
		l->nl_p = *p;
		(void)netl_lookahead(l->nl_net);
	}
}

struct net_link *
net_link_lookup(struct net *n, const char *name)
{
	struct net_link *l;

	TAILQ_FOREACH(l, &n->n_links, nl_list)
		if (strcmp(l->nl_name, name) == 0)
			return l;
	return NULL;
}

void
net_link_stats(const struct net_link *l, struct net_link_stats *st)
{
	*st = l->nl_st;
}

void
netl_destroy(struct net_link *l)
{
	free(l->nl_ports);
	free(l->nl_name);
	free(l);
}

/* Forget departures that happened by `now'; return the queue length. */
static unsigned
txq_advance(struct net_nic *nic, uint64_t now)
{
	while (nic->nn_dep_len > 0 && nic->nn_dep[nic->nn_dep_head] <= now) {
		nic->nn_dep_head = (nic->nn_dep_head + 1) &
		    (nic->nn_dep_cap - 1);
		nic->nn_dep_len--;
	}
	return nic->nn_dep_len;
}

static void
txq_push(struct net_nic *nic, uint64_t departure)
{
	unsigned i, cap;
	uint64_t *ring;

	if (nic->nn_dep_len == nic->nn_dep_cap) {
		cap = nic->nn_dep_cap ? nic->nn_dep_cap * 2 : 64;
		ring = malloc(cap * sizeof(*ring));
		for (i = 0; i < nic->nn_dep_len; i++)
			ring[i] = nic->nn_dep[(nic->nn_dep_head + i) &
			    (nic->nn_dep_cap - 1)];
		free(nic->nn_dep);
		nic->nn_dep = ring;
		nic->nn_dep_cap = cap;
		nic->nn_dep_head = 0;
	}
	nic->nn_dep[(nic->nn_dep_head + nic->nn_dep_len) &
	    (nic->nn_dep_cap - 1)] = departure;
	nic->nn_dep_len++;
}

static void
deliver_ev(struct evq_event *ev, void *arg)
{
	struct net_frame *f = arg;
	struct net_link *l = f->nf_from->nn_link;

	if (l == NULL || !l->nl_up) {
		if (l != NULL)
			l->nl_st.nls_drop_down++;
		netn_frame_put(f->nf_from->nn_net, f);
		return;
	}
	l->nl_st.nls_delivered++;
	l->nl_st.nls_bytes += f->nf_len;
	netn_receive(f->nf_to, f, ev->ev_time);
}

static inline bool
chance(struct rng *r, double p)
{
	return p > 0 && (p >= 1 || rng_double(r) < p);
}

/* Schedule frame f (owned by us) to reach `to' after leaving at dep. */
static void
propagate(struct net_link *l, struct net_frame *f, struct net_nic *to,
    uint64_t dep)
{
	struct net *n = l->nl_net;
	const struct net_link_params *p = &l->nl_p;
	uint64_t when = dep + p->nlp_delay;
	struct net_frame *d;

	if (chance(&l->nl_rng_loss, p->nlp_loss)) {
		l->nl_st.nls_lost++;
		netn_frame_put(n, f);
		return;
	}
	if (chance(&l->nl_rng_corrupt, p->nlp_corrupt) && f->nf_len > 0) {
		size_t at = (size_t)rng_below(&l->nl_rng_corrupt, f->nf_len);

		f->nf_data[at] ^= (uint8_t)(1 + rng_below(&l->nl_rng_corrupt,
		    255));
		l->nl_st.nls_corrupted++;
	}
	if (chance(&l->nl_rng_reorder, p->nlp_reorder)) {
		when += 1 + rng_below(&l->nl_rng_reorder, p->nlp_reorder_delay);
		l->nl_st.nls_reordered++;
	}
	f->nf_to = to;
	evq_event_init(&f->nf_ev, deliver_ev, f);
	/* the delivery concerns the receiver's host (lookahead.c) */
	f->nf_ev.ev_owner = n->n_env.ne_host_index(to->nn_host);
	evq_insert(n->n_env.ne_evq, &f->nf_ev, when);
	if (chance(&l->nl_rng_dup, p->nlp_dup)) {
		d = netn_frame_get(n, f->nf_len);
		memcpy(d->nf_data, f->nf_data, f->nf_len);
		d->nf_from = f->nf_from;
		d->nf_to = to;
		evq_event_init(&d->nf_ev, deliver_ev, d);
		d->nf_ev.ev_owner = f->nf_ev.ev_owner;
		evq_insert(n->n_env.ne_evq, &d->nf_ev, when);
		l->nl_st.nls_duplicated++;
	}
}

static inline uint64_t
serialisation(const struct net_link_params *p, size_t len)
{
	if (p->nlp_rate == 0)
		return 0;
	return (uint64_t)len * 8 * 1000000000ULL / p->nlp_rate;
}

void
netl_transmit(struct net_nic *nic, struct net_frame *f, uint64_t now)
{
	struct net_link *l = nic->nn_link;
	struct net *n = nic->nn_net;
	const struct net_link_params *p;
	uint64_t start, dep;
	struct net_frame *c;
	unsigned i;

	f->nf_from = nic;
	if (l == NULL || !l->nl_up) {
		if (l != NULL)
			l->nl_st.nls_drop_down++;
		netn_frame_put(n, f);
		return;
	}
	p = &l->nl_p;
	if (f->nf_len > (size_t)p->nlp_mtu + 14) {
		l->nl_st.nls_drop_mtu++;
		netn_frame_put(n, f);
		return;
	}
	if (txq_advance(nic, now) >= p->nlp_qlen && p->nlp_qlen != 0) {
		l->nl_st.nls_drop_queue++;
		netn_frame_put(n, f);
		return;
	}
	l->nl_st.nls_sent++;
	if (l->nl_hub) {
		start = now > l->nl_busy_until ? now : l->nl_busy_until;
		dep = start + serialisation(p, f->nf_len);
		l->nl_busy_until = dep;
	} else {
		start = now > nic->nn_tx_free_at ? now : nic->nn_tx_free_at;
		dep = start + serialisation(p, f->nf_len);
		nic->nn_tx_free_at = dep;
	}
	txq_push(nic, dep);
	/* every other port receives; the last one gets f itself */
	for (i = 0; i < l->nl_nports; i++) {
		struct net_nic *to = l->nl_ports[i];
		bool last = true;
		unsigned j;

		if (to == nic)
			continue;
		for (j = i + 1; j < l->nl_nports; j++)
			if (l->nl_ports[j] != nic)
				last = false;
		if (last) {
			propagate(l, f, to, dep);
			return;
		}
		c = netn_frame_get(n, f->nf_len);
		memcpy(c->nf_data, f->nf_data, f->nf_len);
		c->nf_from = nic;
		propagate(l, c, to, dep);
	}
	/* a hub with nobody else on it */
	netn_frame_put(n, f);
}
