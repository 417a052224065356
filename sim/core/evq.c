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

/*
 * Per-owner heaps.  Each tracked event is also in the binary heap of its
 * owner, on the same (time, seq) key, so the earliest event of one host
 * is its heap's root.  The main heap still decides what fires: the
 * owner heaps only answer evq_owner_first_time.  Since the keys are the
 * same, the event the main heap pops is the root of its owner's heap.
 */
static inline struct evq_owner *
evq_owner_of(const struct evq *eq, const struct evq_event *ev)
{
	uint32_t o = (uint32_t)(ev->ev_owner + 1);

	return &eq->eq_owners[o < eq->eq_nowners ? o : 0];
}

static inline void
eo_put(struct evq_owner *eo, uint32_t i, struct evq_entry e)
{
	eo->eo_heap[i] = e;
	e.e_ev->ev_oslot = i;
}

static void
eo_fix(struct evq_owner *eo, uint32_t i, struct evq_entry e)
{
	struct evq_entry *h = eo->eo_heap;
	uint32_t p, c;

	while (i > 0) {
		p = (i - 1) / 2;
		if (!evq_less(&e, &h[p]))
			break;
		eo_put(eo, i, h[p]);
		i = p;
	}
	for (;;) {
		c = 2 * i + 1;
		if (c >= eo->eo_len)
			break;
		if (c + 1 < eo->eo_len && evq_less(&h[c + 1], &h[c]))
			c++;
		if (!evq_less(&h[c], &e))
			break;
		eo_put(eo, i, h[c]);
		i = c;
	}
	eo_put(eo, i, e);
}

static void
eo_insert(struct evq *eq, struct evq_entry e)
{
	struct evq_owner *eo = evq_owner_of(eq, e.e_ev);

	if (eo->eo_len == 0 || evq_less(&e, &eo->eo_heap[0]))
		eq->eq_earlier++;

	if (eo->eo_len == eo->eo_cap) {
		eo->eo_cap = eo->eo_cap ? 2 * eo->eo_cap : 8;
		eo->eo_heap = realloc(eo->eo_heap,
		    (size_t)eo->eo_cap * sizeof(*eo->eo_heap));
		if (eo->eo_heap == NULL) {
			fprintf(stderr, "knit: out of memory growing an "
			    "owner's event heap\n");
			abort();
		}
	}
	eo_fix(eo, eo->eo_len++, e);
}

static void
eo_remove(struct evq *eq, struct evq_event *ev)
{
	struct evq_owner *eo = evq_owner_of(eq, ev);
	uint32_t i = ev->ev_oslot;
	struct evq_entry last = eo->eo_heap[--eo->eo_len];

	ev->ev_oslot = EVQ_IDLE;
	if (i < eo->eo_len)
		eo_fix(eo, i, last);
}

void
evq_track_owners(struct evq *eq, bool on, uint32_t nowners)
{
	uint32_t i, first, end;

	if (eq->eq_owners != NULL) {
		if (on && nowners <= eq->eq_nowners)
			return;
		for (i = 0; i < eq->eq_nowners; i++)
			free(eq->eq_owners[i].eo_heap);
		free(eq->eq_owners);
		eq->eq_owners = NULL;
		eq->eq_nowners = 0;
	}
	first = evq_has_hole(eq);
	end = eq->eq_len + first;
	if (!on) {
		for (i = first; i < end; i++)
			eq->eq_heap[i].e_ev->ev_oslot = EVQ_IDLE;
		return;
	}
	if (nowners < 1)
		nowners = 1;
	eq->eq_owners = calloc(nowners, sizeof(*eq->eq_owners));
	if (eq->eq_owners == NULL) {
		fprintf(stderr, "knit: out of memory for %u event owners\n",
		    nowners);
		abort();
	}
	eq->eq_nowners = nowners;
	for (i = first; i < end; i++)
		eo_insert(eq, eq->eq_heap[i]);
}

void
evq_set_seqsrc(struct evq *eq, uint64_t (*fn)(void *), void *ctx)
{
	eq->eq_seqfn = fn;
	eq->eq_seqctx = ctx;
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

	evq_track_owners(eq, false, 0);
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
	ev->ev_oslot = EVQ_IDLE;
	ev->ev_owner = EVQ_NOOWNER;
	ev->ev_fn = fn;
	ev->ev_arg = arg;
}

void
evq_insert(struct evq *eq, struct evq_event *ev, uint64_t when)
{
	struct evq_entry e;

	e.e_time = ev->ev_time = when;
	e.e_seq = ev->ev_seq = eq->eq_seqfn != NULL ?
	    eq->eq_seqfn(eq->eq_seqctx) : eq->eq_nextseq++;
	e.e_ev = ev;
	if (ev->ev_slot != EVQ_IDLE) {
		/* Already queued: re-key it in place. */
		evq_fill_hole(eq);
		evq_fix(eq, ev->ev_slot, e);
		if (eq->eq_owners != NULL) {
			eq->eq_earlier++;	/* perhaps */
			eo_fix(evq_owner_of(eq, ev), ev->ev_oslot, e);
		}
		return;
	}
	if (eq->eq_owners != NULL)
		eo_insert(eq, e);
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
	if (eq->eq_owners != NULL)
		eo_remove(eq, ev);
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
	if (eq->eq_owners != NULL)
		eo_remove(eq, ev);	/* its owner's root */
	/* The last entry stays at slot eq_len, where a hole wants it. */
	if (--eq->eq_len > 0)
		eq->eq_heap[0].e_ev = NULL;
	eq->eq_fired++;
	return ev;
}

/* The owner heaps hold exactly the queued events, in heap order. */
static bool
evq_check_owners(const struct evq *eq)
{
	const struct evq_owner *eo;
	const struct evq_event *ev;
	uint32_t o, i, n = 0;

	for (o = 0; o < eq->eq_nowners; o++) {
		eo = &eq->eq_owners[o];
		n += eo->eo_len;
		for (i = 0; i < eo->eo_len; i++) {
			ev = eo->eo_heap[i].e_ev;
			if (ev->ev_oslot != i || ev->ev_slot == EVQ_IDLE ||
			    evq_owner_of(eq, ev) != eo ||
			    ev->ev_time != eo->eo_heap[i].e_time ||
			    ev->ev_seq != eo->eo_heap[i].e_seq)
				return false;
			if (i > 0 && !evq_less(&eo->eo_heap[(i - 1) / 2],
			    &eo->eo_heap[i]))
				return false;
		}
	}
	return n == eq->eq_len;
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
		    (eq->eq_seqfn == NULL && h[i].e_seq >= eq->eq_nextseq))
			return false;
		if (i > 0 && evq_parent(i) >= first &&
		    !evq_less(&h[evq_parent(i)], &h[i]))
			return false;
	}
	return eq->eq_owners == NULL || evq_check_owners(eq);
}
