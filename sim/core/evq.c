/*
 * The event queue: a 4-ary min-heap of (time, seq, event) entries.
 *
 * The keys are copied into the heap array, so sifting compares entries
 * that sit next to each other in memory and touches an event only to
 * update its back-pointer.  The sequence number is unique per queue, so
 * (time, seq) is a total order: equal times fire in insertion order and
 * nothing depends on an address.
 *
 * The root hole.  evq_pop() takes the root out and leaves slot 0 empty
 * (e_ev == NULL) instead of refilling it at once: the fired event
 * usually queues a successor straight away, and that entry then goes
 * into the hole and sifts down once, instead of the last entry sifting
 * down and the new one sifting up.  Any other operation first fills the
 * hole with the last entry (evq_fill_hole).
 *
 * Invariants (evq_check() verifies them for the unit tests):
 *   hole  <=>  eq_len > 0 && eq_heap[0].e_ev == NULL.
 *   The array holds eq_len + hole entries; without a hole they are
 *     slots 0 .. eq_len - 1, with one slots 1 .. eq_len.
 *   Every entry's key is greater than its parent's (a hole has none).
 *   For every entry at slot i: e_ev->ev_slot == i, and the event's
 *     ev_time/ev_seq equal the entry's copy of them.
 *   An event not in the array has ev_slot == EVQ_IDLE.
 * The array only grows (by doubling): queueing never allocates
 * otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/evq.h"

#define EVQ_MINCAP	64
/* Above this many entries the heap leaves the caches: prefetch. */
#define EVQ_PREFETCH_MIN 4096

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

/*
 * Strict (time, seq) order; seq is unique, so two entries never tie.
 * One 128-bit compare is a compare and a subtract-with-borrow: no
 * branch, which matters because which child is smallest is a coin toss.
 */
static inline unsigned __int128
evq_key(const struct evq_entry *a)
{
	return (unsigned __int128)a->e_time << 64 | a->e_seq;
}

static inline int
evq_less(const struct evq_entry *a, const struct evq_entry *b)
{
	return evq_key(a) < evq_key(b);
}

/* Index of the smaller of h[a] and h[b], selected by a mask. */
static inline uint32_t
evq_min2(const struct evq_entry *h, uint32_t a, uint32_t b)
{
	uint32_t mask = -(uint32_t)evq_less(&h[b], &h[a]);

	return a ^ ((a ^ b) & mask);
}

/* Index of the smallest of the slots c .. min(c + 4, n) - 1; c < n. */
static inline uint32_t
evq_min_child(const struct evq_entry *h, uint32_t c, uint32_t n)
{
	uint32_t m;

	if (c + EVQ_ARITY <= n)		/* the common case: all four */
		return evq_min2(h, evq_min2(h, c, c + 1),
		    evq_min2(h, c + 2, c + 3));
	for (m = c++; c < n; c++)
		m = evq_min2(h, m, c);
	return m;
}

/* Store `e' at slot i and keep the event's back-pointer in step. */
static inline void
evq_put(struct evq *eq, uint32_t i, struct evq_entry e)
{
	eq->eq_heap[i] = e;
	e.e_ev->ev_slot = i;
}

/* Move `e' up from the empty slot i until its parent is smaller. */
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

/*
 * Move `e' down from the empty slot i until no child is smaller; the
 * heap is slots 0 .. eq_len - 1.  In a large heap, prefetch the next
 * level while choosing among this one: the 16 grandchildren of i are
 * contiguous.
 */
static void
evq_sift_down(struct evq *eq, uint32_t i, struct evq_entry e)
{
	struct evq_entry *h = eq->eq_heap;
	uint32_t n = eq->eq_len, c, m;
	const char *g;
	size_t k;

	for (;;) {
		c = evq_child(i);
		if (c >= n)
			break;
		if (n > EVQ_PREFETCH_MIN && evq_child(c + 3) < n) {
			g = (const char *)&h[evq_child(c)];
			for (k = 0; k < EVQ_ARITY * EVQ_ARITY * sizeof(*h);
			    k += 64)
				__builtin_prefetch(g + k);
		}
		m = evq_min_child(h, c, n);
		if (!evq_less(&h[m], &e))
			break;
		evq_put(eq, i, h[m]);
		i = m;
	}
	evq_put(eq, i, e);
}

/* Put `e' into the empty slot i, moving it whichever way order needs. */
static void
evq_fix(struct evq *eq, uint32_t i, struct evq_entry e)
{
	if (i > 0 && evq_less(&e, &eq->eq_heap[evq_parent(i)]))
		evq_sift_up(eq, i, e);
	else
		evq_sift_down(eq, i, e);
}

static inline int
evq_has_hole(const struct evq *eq)
{
	return eq->eq_len > 0 && eq->eq_heap[0].e_ev == NULL;
}

/* Fill the root hole, if any, with the last entry: a plain heap again. */
static inline void
evq_fill_hole(struct evq *eq)
{
	if (evq_has_hole(eq))
		evq_sift_down(eq, 0, eq->eq_heap[eq->eq_len]);
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

	evq_fill_hole(eq);
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
		/* Already queued: re-key it in place. */
		evq_fill_hole(eq);
		evq_fix(eq, ev->ev_slot, e);
		return;
	}
	if (evq_has_hole(eq)) {
		/* The array already has room for eq_len + 1 entries. */
		eq->eq_len++;
		evq_sift_down(eq, 0, e);
		return;
	}
	if (eq->eq_len == eq->eq_cap)
		evq_grow(eq);
	evq_sift_up(eq, eq->eq_len++, e);
}

bool
evq_cancel(struct evq *eq, struct evq_event *ev)
{
	struct evq_entry last;
	uint32_t i;

	if (ev->ev_slot == EVQ_IDLE)
		return false;
	evq_fill_hole(eq);		/* may move ev */
	i = ev->ev_slot;
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

/* With a hole, the earliest entry is the smallest child of the root. */
struct evq_event *
evq_peek(const struct evq *eq)
{
	if (eq->eq_len == 0)
		return NULL;
	if (evq_has_hole(eq))
		return eq->eq_heap[evq_min_child(eq->eq_heap, 1,
		    eq->eq_len + 1)].e_ev;
	return eq->eq_heap[0].e_ev;
}

struct evq_event *
evq_pop(struct evq *eq)
{
	struct evq_event *ev;

	if (eq->eq_len == 0)
		return NULL;
	evq_fill_hole(eq);
	ev = eq->eq_heap[0].e_ev;
	ev->ev_slot = EVQ_IDLE;
	/* The last entry stays at slot eq_len, where a hole wants it. */
	if (--eq->eq_len > 0)
		eq->eq_heap[0].e_ev = NULL;
	eq->eq_fired++;
	return ev;
}

bool
evq_check(const struct evq *eq)
{
	const struct evq_entry *h = eq->eq_heap;
	uint32_t i, first = evq_has_hole(eq), end = eq->eq_len + first;

	if (end > eq->eq_cap)
		return false;
	for (i = first; i < end; i++) {
		if (h[i].e_ev == NULL || h[i].e_ev->ev_slot != i ||
		    h[i].e_ev->ev_time != h[i].e_time ||
		    h[i].e_ev->ev_seq != h[i].e_seq ||
		    h[i].e_seq >= eq->eq_nextseq)
			return false;
		if (i > 0 && evq_parent(i) >= first &&
		    !evq_less(&h[evq_parent(i)], &h[i]))
			return false;
	}
	return true;
}
