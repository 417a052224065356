/*
 * bench_events: the event core on the workload of
 * ../shared/bench/ns3-events.cc, so the two can be timed side by side.
 *
 * `pending' events are queued at random delays; each, when it fires,
 * queues itself again at now + uniform[1, 10^6] ns (the same xorshift64*
 * generator and seed as the ns-3 program) until `events' events were
 * queued in total; then the queue drains.  The checksum over firing
 * times, check = check * 31 + now_ns, equals the ns-3 program's for the
 * same arguments, which shows both ran the same event sequence.  Only
 * the draining loop is timed, as only Simulator::Run() is in ns-3.
 *
 * usage: bench_events [--events=N] [--pending=P] [--reps=R] [--seed=S]
 * Without --pending it runs P = 10^3 and P = 10^5.  Prints figure lines
 * and, per size, a RESULT line (keys Mevents_s and Mev_s_median) for
 * rounds.py.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/evq.h"
#include "bench.h"

struct workload {
	struct evq	 w_q;
	uint64_t	 w_rng;
	uint64_t	 w_limit;	/* events to queue in total */
	uint64_t	 w_scheduled;
	uint64_t	 w_fired;
	uint64_t	 w_check;
	uint64_t	 w_now;
};

/* xorshift64*, exactly as ns3-events.cc's RngNext. */
static inline uint64_t
wl_next(struct workload *w)
{
	uint64_t x = w->w_rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->w_rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t
wl_delay(struct workload *w)
{
	return (wl_next(w) >> 11) % 1000000u + 1u;
}

static void
wl_fire(struct evq_event *ev, void *arg)
{
	struct workload *w = arg;

	w->w_fired++;
	w->w_check = w->w_check * 31 + w->w_now;
	if (w->w_scheduled < w->w_limit) {
		w->w_scheduled++;
		evq_insert(&w->w_q, ev, w->w_now + wl_delay(w));
	}
}

/* One repetition; returns M events/s of the draining loop. */
static double
run_once(struct workload *w, struct evq_event *evs, uint64_t events,
    uint64_t pending, uint64_t seed)
{
	struct evq_event *ev;
	uint64_t i, t0, t1;

	evq_init(&w->w_q);
	w->w_rng = seed;
	w->w_limit = events;
	w->w_scheduled = w->w_fired = w->w_check = w->w_now = 0;
	for (i = 0; i < pending; i++) {
		evq_event_init(&evs[i], wl_fire, w);
		w->w_scheduled++;
		evq_insert(&w->w_q, &evs[i], wl_delay(w));
	}
	t0 = bench_now_ns();
	while ((ev = evq_pop(&w->w_q)) != NULL) {
		w->w_now = ev->ev_time;
		ev->ev_fn(ev, ev->ev_arg);
	}
	t1 = bench_now_ns();
	evq_fini(&w->w_q);
	return (double)w->w_fired / (double)(t1 - t0) * 1e3;
}

static int
run_size(uint64_t events, uint64_t pending, int reps, uint64_t seed)
{
	struct workload w;
	struct evq_event *evs;
	double *mev, med, lo, hi;
	uint64_t check = 0, fired = 0;
	char name[64];
	int r;

	evs = calloc(pending, sizeof(*evs));
	mev = calloc((size_t)reps, sizeof(*mev));
	if (evs == NULL || mev == NULL) {
		fprintf(stderr, "bench_events: out of memory\n");
		return 1;
	}
	for (r = 0; r < reps; r++) {
		mev[r] = run_once(&w, evs, events, pending, seed);
		if (r > 0 && (w.w_check != check || w.w_fired != fired)) {
			fprintf(stderr, "bench_events: non-deterministic "
			    "run!\n");
			return 1;
		}
		check = w.w_check;
		fired = w.w_fired;
	}
	med = bench_median(mev, reps);	/* sorts mev */
	lo = mev[0];
	hi = mev[reps - 1];
	snprintf(name, sizeof(name), "evq_events_pending_%llu",
	    (unsigned long long)pending);
	bench_figure(name, med, "Mevents/s", reps);
	printf("RESULT bench=knit-events variant=evq4 events=%llu "
	    "pending=%llu reps=%d Mevents_s=%.2f Mev_s_median=%.2f "
	    "Mev_s_min=%.2f Mev_s_max=%.2f ns_per_event=%.1f "
	    "check=%016llx\n",
	    (unsigned long long)fired, (unsigned long long)pending, reps,
	    med, med, lo, hi, 1e3 / med, (unsigned long long)check);
	fflush(stdout);
	free(evs);
	free(mev);
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t events = 5000000, pending = 0, reps = 5, seed = 42;
	int i;

	for (i = 1; i < argc; i++) {
		if (bench_opt_u64(argv[i], "events", &events) ||
		    bench_opt_u64(argv[i], "pending", &pending) ||
		    bench_opt_u64(argv[i], "reps", &reps) ||
		    bench_opt_u64(argv[i], "seed", &seed))
			continue;
		fprintf(stderr, "usage: bench_events [--events=N] "
		    "[--pending=P] [--reps=R] [--seed=S]\n"
		    "bench_events: unknown argument %s\n", argv[i]);
		return 2;
	}
	if (reps < 1 || reps > 1000 || events < pending ||
	    pending > EVQ_IDLE / 2) {
		fprintf(stderr, "bench_events: bad arguments (need 1 <= reps "
		    "<= 1000, pending <= events)\n");
		return 2;
	}
	if (pending != 0)
		return run_size(events, pending, (int)reps, seed);
	if (events < 100000) {
		fprintf(stderr, "bench_events: --events must be >= 100000 "
		    "without --pending\n");
		return 2;
	}
	return run_size(events, 1000, (int)reps, seed) ||
	    run_size(events, 100000, (int)reps, seed);
}
