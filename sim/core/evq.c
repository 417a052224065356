/*
 * The event queue: a 4-ary min-heap of (time, seq, event) entries.
 *
 * The keys are copied into the heap array, so sifting compares entries
 * that sit next to each other in memory and touches an event only to
 * update its back-pointer.  The sequence number is unique per queue, so
 * (time, seq) is a total order: equal times fire in insertion order and
 * nothing depends on an address.
 *
 * Invariants (checked by evq_check() in the unit tests' model):
 *   For 0 < i < eq_len: key(eq_heap[parent(i)]) < key(eq_heap[i]).
 *   For i < eq_len: eq_heap[i].e_ev->ev_slot == i, and the event's
 *     ev_time/ev_seq equal the entry's copy of them.
 *   An event not in the array has ev_slot == EVQ_IDLE.
 * The array only grows (by doubling); inserting never allocates
 * otherwise, so the cost per event is a few compares and moves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/evq.h"

struct evq_entry {
	uint64_t	 e_time;
	uint64_t	 e_seq;
	struct evq_event *e_ev;
};

#define EVQ_ARITY	4
#define EVQ_MINCAP	64

static inline uint32_t
evq_parent(uint32_t i)
{
	return (i - 1) / EVQ_ARITY;
}

static inline uint32_t
evq_child(uint32_t i)
{
	return EVQ_ARITY * i + 1;
}

/* Strict (time, seq) order; seq is unique, so two entries never tie. */
static inline int
evq_less(const struct evq_entry *a, const struct evq_entry *b)
{
	return a->e_time < b->e_time ||
	    (a->e_time == b->e_time && a->e_seq < b->e_seq);
}

/* Store `e' at slot i and keep the event's back-pointer in step. */
static inline void
evq_put(struct evq *eq, uint32_t i, struct evq_entry e)
{
	eq->eq_heap[i] = e;
	e.e_ev->ev_slot = i;
}

/* Move `e' up from hole i until its parent is smaller. */
static void
evq_sift_up(struct evq *eq, uint32_t i, struct evq_entry e)
{
	struct evq_entry *h = eq->eq_heap;
	uint32_t p;

	while (i > 0) {
		p = evq_parent(i);
		if (!evq_less(&e, &h[p]))
			break;
		evq_put(eq, i, h[p]);
		i = p;
	}
	evq_put(eq, i, e);
}

/* Move `e' down from hole i until no child is smaller. */
static void
evq_sift_down(struct evq *eq, uint32_t i, struct evq_entry e)
{
	struct evq_entry *h = eq->eq_heap;
	uint32_t n = eq->eq_len, c, end, m, k;

	for (;;) {
		c = evq_child(i);
		if (c >= n)
			break;
		end = c + EVQ_ARITY < n ? c + EVQ_ARITY : n;
		m = c;
		for (k = c + 1; k < end; k++)
			if (evq_less(&h[k], &h[m]))
				m = k;
		if (!evq_less(&h[m], &e))
			break;
		evq_put(eq, i, h[m]);
		i = m;
	}
	evq_put(eq, i, e);
}

/* Put `e' into hole i, moving it whichever way the heap order needs. */
static void
evq_fix(struct evq *eq, uint32_t i, struct evq_entry e)
{
	if (i > 0 && evq_less(&e, &eq->eq_heap[evq_parent(i)]))
		evq_sift_up(eq, i, e);
	else
		evq_sift_down(eq, i, e);
}

static void
evq_grow(struct evq *eq)
{
	struct evq_entry *h;
	uint32_t cap;

	if (eq->eq_cap >= EVQ_IDLE / 2) {
		fprintf(stderr, "knit: event queue overflow (%u events)\n",
		    eq->eq_len);
		abort();
	}
	cap = eq->eq_cap ? 2 * eq->eq_cap : EVQ_MINCAP;
	h = realloc(eq->eq_heap, (size_t)cap * sizeof(*h));
	if (h == NULL) {
		fprintf(stderr, "knit: out of memory growing the event queue "
		    "to %u events\n", cap);
		abort();
	}
	eq->eq_heap = h;
	eq->eq_cap = cap;
}

void
evq_init(struct evq *eq)
{
	memset(eq, 0, sizeof(*eq));
}

/* Events still queued become idle: their owners may reuse them. */
void
evq_fini(struct evq *eq)
{
	uint32_t i;

	for (i = 0; i < eq->eq_len; i++)
		eq->eq_heap[i].e_ev->ev_slot = EVQ_IDLE;
	free(eq->eq_heap);
	memset(eq, 0, sizeof(*eq));
}

void
evq_event_init(struct evq_event *ev, evq_fn_t fn, void *arg)
{
	memset(ev, 0, sizeof(*ev));
	ev->ev_slot = EVQ_IDLE;
	ev->ev_fn = fn;
	ev->ev_arg = arg;
}

void
evq_insert(struct evq *eq, struct evq_event *ev, uint64_t when)
{
	struct evq_entry e;

	e.e_time = ev->ev_time = when;
	e.e_seq = ev->ev_seq = eq->eq_nextseq++;
	e.e_ev = ev;
	if (ev->ev_slot != EVQ_IDLE) {
		/* Already queued: re-key in place (its key only changes). */
		evq_fix(eq, ev->ev_slot, e);
		return;
	}
	if (eq->eq_len == eq->eq_cap)
		evq_grow(eq);
	evq_sift_up(eq, eq->eq_len++, e);
}

bool
evq_cancel(struct evq *eq, struct evq_event *ev)
{
	uint32_t i = ev->ev_slot;
	struct evq_entry last;

	if (i == EVQ_IDLE)
		return false;
	if (i >= eq->eq_len || eq->eq_heap[i].e_ev != ev) {
		fprintf(stderr, "knit: evq_cancel: event %p is not in this "
		    "queue (slot %u)\n", (void *)ev, i);
		abort();
	}
	ev->ev_slot = EVQ_IDLE;
	last = eq->eq_heap[--eq->eq_len];
	if (i < eq->eq_len)
		evq_fix(eq, i, last);
	return true;
}

struct evq_event *
evq_peek(const struct evq *eq)
{
	return eq->eq_len ? eq->eq_heap[0].e_ev : NULL;
}

struct evq_event *
evq_pop(struct evq *eq)
{
	struct evq_event *ev;
	struct evq_entry last;

	if (eq->eq_len == 0)
		return NULL;
	ev = eq->eq_heap[0].e_ev;
	ev->ev_slot = EVQ_IDLE;
	last = eq->eq_heap[--eq->eq_len];
	if (eq->eq_len > 0)
		evq_sift_down(eq, 0, last);
	eq->eq_fired++;
	return ev;
}

bool
evq_check(const struct evq *eq)
{
	const struct evq_entry *h = eq->eq_heap;
	uint32_t i;

	if (eq->eq_len > eq->eq_cap)
		return false;
	for (i = 0; i < eq->eq_len; i++) {
		if (h[i].e_ev->ev_slot != i ||
		    h[i].e_ev->ev_time != h[i].e_time ||
		    h[i].e_ev->ev_seq != h[i].e_seq ||
		    h[i].e_seq >= eq->eq_nextseq)
			return false;
		if (i > 0 && !evq_less(&h[evq_parent(i)], &h[i]))
			return false;
	}
	return true;
}
