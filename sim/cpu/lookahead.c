/*
 * Cross-host lookahead for the default strategy: conservative parallel
 * discrete-event simulation (Chandy and Misra's rule with lookahead),
 * used here not to run hosts in parallel but to avoid context switches.
 *
 * Why.  Under the default strategy the CPU with the earliest effective
 * clock always steps next.  In a network the CPUs of different hosts
 * overlap in virtual time (eight routers each forward a different
 * packet), so nearly every scheduling point hands the real CPU to
 * another LWP: a context switch costs about seven times a scheduling
 * point that continues.  But hosts share no memory: host A can only
 * learn about host B through a frame on a link, and a frame B sends at
 * time t reaches A no earlier than t + the link's delay.
 *
 * The rule.  CPU c of host A, ready at effective clock e, may step now,
 * ahead of CPUs of other hosts with earlier clocks, when all of these
 * hold:
 *   (a) no queued event that concerns A, or that concerns no particular
 *       host (the scenario's controller, a process start), has a time
 *       <= e (an event fires before a step at the same time);
 *   (b) no other ready CPU of A comes before c in (effective clock,
 *       CPU index) order: CPUs of one host share memory, so they keep
 *       the exact order the default strategy gives them;
 *   (c) e < GVT + L, where GVT is the earliest effective clock of any
 *       ready CPU and the earliest queued event (no host does anything
 *       before GVT from now on), and L is the least delay of a link
 *       between two hosts (w_la_link): whatever another host does from
 *       now on reaches A at GVT + L or later.
 * Then no input of A can arrive before e any more, so A's step at e
 * sees exactly what it would have seen had it waited its turn: every
 * host executes the same steps at the same virtual times, with the same
 * results, and events fire in the same (time, sequence) order.  Only
 * the global interleaving of independent hosts differs, so the trace
 * hash, which mixes every step in execution order, differs from a run
 * without lookahead, but is itself deterministic.
 *
 * Equal times.  Two events at the same time fire in sequence order, and
 * with lookahead the order in which hosts queue events changes.  So the
 * sequence number is not a global insertion counter but a per-host one
 * (world_evseq below): (host + 1) in the high bits, the number of events
 * that host queued so far below; events queued outside any host (the
 * controller, set-up) by a world counter, which sorts before every
 * host's.  Each host queues the same events in the same order with or
 * without lookahead, so ties break the same way.  An event handler
 * queues in the name of the host its event concerns.
 *
 * What couples hosts, and makes L = 0 (sim/net/link.c): a shared
 * segment (a hub serialises every sender's frames in the order they are
 * sent) and a link with random impairments (both directions draw from
 * the same streams).  A host whose LWPs run scenario Lua code (a Lua
 * process, a probe's race window) shares the Lua state with other such
 * hosts: world_host_couple marks it, and its CPUs never run ahead; they
 * take only the default strategy's own choices, which keeps their
 * order among themselves.
 *
 * Scope.  Only for a strategy that always takes the earliest step
 * (ss_earliest) and world_config.wc_lookahead (knit run's default;
 * --no-lookahead).  A run is replayed with the same setting: a step
 * chosen by lookahead is not a choice and is not recorded, and replay
 * takes the same steps by the same rule.  Explore strategies are
 * offered the same options as before.
 */
#include <stdlib.h>

#include "cpu/lookahead.h"
#include "cpu/ready.h"
#include "cpu/strategy.h"

/* Owners for the event queue: one per host, plus the world. */
static void
la_track(struct world *w)
{
	uint32_t n = 16;

	if (!w->w_lookahead) {
		evq_track_owners(&w->w_evq, false, 0);
		return;
	}
	while (n < (uint32_t)w->w_nhosts + 1)
		n *= 2;
	evq_track_owners(&w->w_evq, true, n);
}

/*
 * The sequence number of an event queued now (evq_set_seqsrc): per
 * host, so that equal times break the same way however hosts interleave.
 */
static uint64_t
world_evseq(void *arg)
{
	struct world *w = arg;

	if (sim_curcpu != NULL && sim_curcpu->c_world == w)
		return sim_curcpu->c_host->h_evseq++;
	if (w->w_evowner >= 0 && w->w_evowner < w->w_nhosts)
		return w->w_hosts[w->w_evowner]->h_evseq++;
	return w->w_evseq++;
}

void
la_world_init(struct world *w)
{
	const struct sched_strategy *ss = w->w_strat;

	w->w_evowner = EVQ_NOOWNER;
	w->w_la_link = UINT64_MAX;
	w->w_lookahead = w->w_config.wc_lookahead && ss->ss_earliest;
	evq_set_seqsrc(&w->w_evq, world_evseq, w);
	la_track(w);
}

void
la_host_added(struct world *w, struct host *h)
{
	/* 2^24 hosts of 2^40 events each */
	h->h_evseq = (uint64_t)(h->h_index + 1) << 40;
	la_track(w);
}

void
world_set_lookahead(struct world *w, bool on)
{
	w->w_la_cpu = NULL;
	w->w_config.wc_lookahead = on;
	w->w_lookahead = on && w->w_strat->ss_earliest;
	la_track(w);
}

bool
world_lookahead(const struct world *w)
{
	return w->w_lookahead;
}

void
world_set_link_lookahead(struct world *w, uint64_t ns)
{
	w->w_la_cpu = NULL;
	w->w_la_link = ns;
}

uint64_t
world_link_lookahead(const struct world *w)
{
	return w->w_la_link;
}

void
world_host_couple(struct host *h)
{
	h->h_lacoupled = true;
	h->h_world->w_la_cpu = NULL;
}

/*
 * Everything still to come is at or after this: a CPU steps at its
 * effective clock or later (ready CPUs' entries may be stale, but a
 * stale c_eff is only earlier: clocks only grow, and an LWP readied
 * since is ready no earlier than its waker's clock), an event fires at
 * its time, an event or a wake-up is made at its maker's time.
 */
uint64_t
world_gvt(const struct world *w)
{
	const struct cpu_info *first = ready_first(w);
	uint64_t gvt = evq_first_time(&w->w_evq), t;

	if (first != NULL && first->c_eff < gvt)
		gvt = first->c_eff;
	if (sim_curcpu != NULL && sim_curcpu->c_world == w) {
		t = sim_curcpu->c_clock;
		if (t < gvt)
			gvt = t;
	}
	return gvt;
}

uint64_t
world_lookahead_steps(const struct world *w)
{
	return w->w_la_steps;
}

uint64_t
world_context_switches(const struct world *w)
{
	return w->w_ctxsw;
}

bool
la_may_run(struct world *w, struct cpu_info *c, const struct cpu_info *first)
{
	struct host *h = c->c_host;
	const struct cpu_info *d;
	uint64_t e = c->c_eff, gvt, t, horizon;
	int i;

	w->w_la_cpu = NULL;
	if (h->h_lacoupled || e > w->w_until || sim_onstack == NULL)
		return false;	/* (a new run starts from the usual choice) */
	/* (a): events of the host and of the world come first */
	horizon = evq_owner_first_time(&w->w_evq, h->h_index);
	t = evq_owner_first_time(&w->w_evq, EVQ_NOOWNER);
	if (t < horizon)
		horizon = t;
	/* (c): first is the earliest ready CPU, so gvt <= e */
	gvt = first->c_eff;
	t = evq_first_time(&w->w_evq);
	if (t < gvt)
		gvt = t;
	t = gvt + w->w_la_link < gvt ? UINT64_MAX : gvt + w->w_la_link;
	if (t < horizon)
		horizon = t;
	if (e >= horizon)
		return false;
	if (w->w_until < horizon)
		horizon = w->w_until + 1;
	if (h->h_ncpu == 1) {
		/* valid while nothing comes earlier: see w_la_cpu */
		w->w_la_cpu = c;
		w->w_la_horizon = horizon;
		w->w_la_fired = w->w_evq.eq_fired;
		w->w_la_earlier = w->w_evq.eq_earlier;
	}
	/* (b): the host's own CPUs in the default strategy's order */
	for (i = 0; i < h->h_ncpu; i++) {
		d = &h->h_cpus[i];
		if (d != c && d->c_nopt != 0 && (d->c_eff < e ||
		    (d->c_eff == e && d->c_gindex < c->c_gindex)))
			return false;
	}
	w->w_la_steps++;
	return true;
}
