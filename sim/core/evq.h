/*
 * The event queue of a world.
 *
 * Events are ordered by (time, sequence number); the sequence number is
 * assigned at insertion from a per-queue counter, so events with equal
 * times fire in insertion order and the order never depends on an
 * address.  The caller owns the storage of each event (it is embedded in
 * the object that needs a timer): inserting allocates nothing.
 *
 * Invariants:
 *   ev_slot == EVQ_IDLE  <=>  the event is not queued.
 *   evq_cancel() of a queued event removes it; the event never fires.
 */
#ifndef _KNIT_SIM_CORE_EVQ_H_
#define _KNIT_SIM_CORE_EVQ_H_

#include <stdbool.h>
#include <stdint.h>

#define EVQ_IDLE	UINT32_MAX

struct evq_event;
typedef void (*evq_fn_t)(struct evq_event *, void *arg);

struct evq_event {
	uint64_t	 ev_time;	/* virtual ns when it fires */
	uint64_t	 ev_seq;	/* tie breaker, set by evq_insert */
	uint32_t	 ev_slot;	/* position in the heap or EVQ_IDLE */
	/*
	 * Whom the event concerns: a host index, or EVQ_NOOWNER (the
	 * world: anything may depend on it).  Set by the owner of the
	 * event before evq_insert and not changed while it is queued; the
	 * scheduler's lookahead (sim/cpu/lookahead.c) asks for the earliest
	 * event of one owner.  ev_oslot is the event's slot in its owner's
	 * heap (EVQ_IDLE when owners are not tracked).
	 */
	int32_t		 ev_owner;
	uint32_t	 ev_oslot;
	evq_fn_t	 ev_fn;
	void		*ev_arg;
};
#define EVQ_NOOWNER	(-1)

/* A heap slot (evq.c); in the header only for evq_first_time. */
struct evq_entry {
	uint64_t	 e_time;
	uint64_t	 e_seq;
	struct evq_event *e_ev;
};
#define EVQ_ARITY	4

/* One owner's events, a binary min-heap on the same keys (evq.c). */
struct evq_owner {
	struct evq_entry *eo_heap;
	uint32_t	 eo_len;
	uint32_t	 eo_cap;
};

struct evq {
	struct evq_entry *eq_heap;
	uint32_t	 eq_len;
	uint32_t	 eq_cap;
	uint64_t	 eq_nextseq;
	uint64_t	 eq_fired;	/* statistics */
	/*
	 * The tie breaker's source: NULL, a per-queue counter (insertion
	 * order); otherwise eq_seqfn(eq_seqctx) gives each insertion its
	 * sequence number, which must be unique in the queue (the world
	 * numbers events per inserting host: see world_evseq).
	 */
	uint64_t	(*eq_seqfn)(void *);
	void		*eq_seqctx;
	/*
	 * Per-owner heaps (evq_track_owners), indexed by owner + 1; NULL
	 * when owners are not tracked.
	 */
	struct evq_owner *eq_owners;
	uint32_t	 eq_nowners;
	/* bumped whenever an owner's earliest event becomes earlier */
	uint64_t	 eq_earlier;
};

void	evq_init(struct evq *);
void	evq_fini(struct evq *);
void	evq_event_init(struct evq_event *, evq_fn_t, void *arg);
static inline bool
evq_queued(const struct evq_event *ev)
{
	return ev->ev_slot != EVQ_IDLE;
}
/* Queue ev at time `when'; a queued event is moved (new sequence). */
void	evq_insert(struct evq *, struct evq_event *, uint64_t when);
/* Remove ev if queued; returns whether it was. */
bool	evq_cancel(struct evq *, struct evq_event *);
/* Earliest event or NULL; does not remove it. */
struct evq_event *evq_peek(const struct evq *);
/*
 * The time of the earliest event, UINT64_MAX when there is none.  Inline
 * and reading only the heap's copies of the keys: the machine asks at
 * every scheduling point whether an event is due.  With the root hole
 * (evq.c) the earliest entry is among the root's children.
 */
static inline uint64_t
evq_first_time(const struct evq *eq)
{
	const struct evq_entry *h = eq->eq_heap;
	uint32_t i, n;
	uint64_t t;

	if (eq->eq_len == 0)
		return UINT64_MAX;
	if (h[0].e_ev != NULL)
		return h[0].e_time;
	n = eq->eq_len < EVQ_ARITY ? eq->eq_len : EVQ_ARITY;
	for (t = h[1].e_time, i = 2; i <= n; i++)
		if (h[i].e_time < t)
			t = h[i].e_time;
	return t;
}
/* Remove and return the earliest event, or NULL when empty. */
struct evq_event *evq_pop(struct evq *);
/*
 * Keep a heap per owner from now on (on) or stop (off); the events
 * already queued are filed.  nowners bounds the owners (host indexes
 * 0 .. nowners - 2; EVQ_NOOWNER is slot 0) and may grow by calling
 * again.  An event whose owner is out of range counts as EVQ_NOOWNER's.
 */
void	evq_track_owners(struct evq *, bool on, uint32_t nowners);
/*
 * The time of the earliest event of owner o (EVQ_NOOWNER: of the world)
 * or UINT64_MAX; only while owners are tracked.
 */
static inline uint64_t
evq_owner_first_time(const struct evq *eq, int o)
{
	const struct evq_owner *eo = &eq->eq_owners[o + 1];

	return eo->eo_len != 0 ? eo->eo_heap[0].e_time : UINT64_MAX;
}
/* Number the insertions with fn(ctx) instead of a counter (see evq). */
void	evq_set_seqsrc(struct evq *, uint64_t (*fn)(void *), void *ctx);
/* Whether the heap and back-pointer invariants hold; O(n), for tests. */
bool	evq_check(const struct evq *);
static inline uint32_t
evq_len(const struct evq *eq)
{
	return eq->eq_len;
}

#endif /* !_KNIT_SIM_CORE_EVQ_H_ */
