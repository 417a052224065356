/*
 * The scheduler: scheduling points, sleeping and waking, and the choice
 * of what runs next.
 *
 * The decision runs inline on the stack of the LWP at the scheduling
 * point; a context switch happens only when another LWP is chosen.  The
 * main context (the caller of world_run) is switched to only when the
 * run ends: quiescence, the time limit, or a stop.
 *
 * Time.  Each CPU has a clock.  A CPU is ready when cpu_pick() finds an
 * LWP for it; its effective clock is max(clock, that LWP's ready time).
 * A timed event fires when no ready CPU has an earlier effective clock.
 * The options offered to the strategy are the ready CPUs whose effective
 * clocks lie within the race window of the earliest one (plus run-queue
 * pre-emptions on those CPUs; see strategy.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/intr.h"

#include "cpu/lookahead.h"
#include "cpu/machine.h"
#include "cpu/ready.h"
#include "cpu/strategy.h"
#include "cpu/sync.h"
#include "record/trace.h"

struct lwp	*sim_curlwp;
struct cpu_info	*sim_curcpu;
struct world	*sim_curworld;
/* The LWP whose stack is executing (NULL: the main stack). */
struct lwp	*sim_onstack;
uint64_t	 sim_switch_gen = 1;

extern uintptr_t vnet_curbase;

static inline void
sched_set_running(struct lwp *l)
{
	sim_set_current(l, l->l_cpu);
	sim_onstack = l;
	vnet_curbase = l->l_host->h_vnetbase;
}

static inline void
sched_trace_step(struct world *w, struct cpu_info *c, struct lwp *l,
    int kind)
{
	tracehash_mix(&w->w_trace, sched_trace_datum(c->c_clock, l->l_gid,
	    c->c_gindex, kind));
}

static bool
cpu_idle(const struct cpu_info *c)
{
	return c->c_cur == NULL && TAILQ_EMPTY(&c->c_runq) &&
	    c->c_intrmask == 0;
}

/*
 * Put p on CPU c (it was picked, or pre-empts the current LWP).  Inline
 * at both of sched_choose's calls: one of them ends almost every choice.
 */
static inline __attribute__((__always_inline__)) void
cpu_run(struct world *w, struct cpu_info *c, struct lwp *p, bool preempt)
{
	struct lwp *cur = c->c_cur;

	if (preempt) {
		TAILQ_REMOVE(&c->c_runq, p, l_q);
		cur->l_stat = LSRUN;
		cur->l_readytime = c->c_clock;
		TAILQ_INSERT_TAIL(&c->c_runq, cur, l_q);
	} else if (p == cur) {
		return;
	} else if (p->l_flags & LW_INTR) {
		/*
		 * Taking the interrupt, or resuming its LWP after it slept:
		 * cur stays pinned under it and gets the CPU back when the
		 * interrupt LWP sleeps again or runs dry.
		 */
		if (!p->l_active) {
			p->l_active = true;
			c->c_clock += w->w_cost[SIM_OP_INTR];
		}
		p->l_pinned = cur;
		c->c_intrmask &= ~(1u << p->l_slot);
	} else {
		TAILQ_REMOVE(&c->c_runq, p, l_q);
		c->c_nrunq--;
	}
	if (p->l_readytime > c->c_clock)
		c->c_clock = p->l_readytime;
	p->l_stat = LSONPROC;
	sched_cpu_changed(c);
	p->l_cpu = c;
	sim_switch_gen++;
	c->c_cur = p;
	if (__builtin_expect(w->w_recorder != NULL, 0))
		trace_switch(w->w_recorder, c, p, c->c_clock);
}

static struct lwp *
sched_end(struct world *w, enum world_status why)
{
	w->w_reason = why;
	if (why == WORLD_TIME_LIMIT && w->w_until != SIM_TIME_NEVER &&
	    w->w_now < w->w_until)
		w->w_now = w->w_until;
	return NULL;
}

/* List option number n: LWP l on CPU c (w_opts has room). */
static inline void
sched_opt_set(struct world *w, uint32_t n, struct cpu_info *c,
    struct lwp *l, uint64_t clock, bool preempt)
{
	struct sched_option *o = &w->w_opts[n];

	o->so_cpu = c;
	o->so_lwp = l;
	o->so_clock = clock;
	o->so_host = c->c_host->h_index;
	o->so_cpuidx = c->c_index;
	o->so_lwpid = (int)l->l_gid;
	o->so_preempt = preempt;
	o->so_kind = l->l_spkind;
	o->so_obj = (uintptr_t)l->l_spobj;
	o->so_current = (l == sim_onstack);
}

/*
 * List the n options offered by the k CPUs in w_wincpu (in index
 * order): each CPU's own step, then its run queue's pre-emptions.
 */
static void
sched_opts_list(struct world *w, uint32_t k, uint32_t n)
{
	struct cpu_info *c;
	struct lwp *p, *q;
	uint32_t i, j = 0;

	if (n > w->w_optcap) {
		while (w->w_optcap < n)
			w->w_optcap = w->w_optcap ? 2 * w->w_optcap : 16;
		w->w_opts = realloc(w->w_opts,
		    w->w_optcap * sizeof(*w->w_opts));
		if (w->w_opts == NULL)
			abort();
	}
	for (i = 0; i < k; i++) {
		c = w->w_wincpu[i];
		p = c->c_next;
		sched_opt_set(w, j++, c, p, c->c_eff, false);
		if (c->c_nopt == 1)
			continue;
		TAILQ_FOREACH(q, &c->c_runq, l_q)
			sched_opt_set(w, j++, c, q, cpu_effclock(c, q), true);
	}
}

/*
 * Option idx in (host, cpu) order, found without the list: the LWP,
 * its CPU (*cp) and whether it pre-empts (*preemptp).  k == 0: no
 * window, every ready CPU offers its options and the Fenwick tree finds
 * the one in O(log ncpus); else the window's k CPUs are in w_wincpu.
 * Within a CPU, option 0 is its own step and option j >= 1 the j-th
 * LWP of its run queue (there are c_nopt).
 */
static struct lwp *
sched_opt_find(struct world *w, uint32_t k, uint32_t idx,
    struct cpu_info **cp, bool *preemptp)
{
	struct cpu_info *c;
	struct lwp *q;
	uint32_t i;

	if (k == 0) {
		c = w->w_cpus[ready_find(w, &idx)];
	} else {
		for (i = 0; idx >= w->w_wincpu[i]->c_nopt; i++)
			idx -= w->w_wincpu[i]->c_nopt;
		c = w->w_wincpu[i];
	}
	*cp = c;
	*preemptp = idx != 0;
	if (idx == 0)
		return c->c_next;
	TAILQ_FOREACH(q, &c->c_runq, l_q)
		if (--idx == 0)
			break;
	return q;
}

/* A choice that cannot be made: fail the run. */
static void __attribute__((__noinline__, __cold__))
sched_diverge(struct world *w, uint32_t idx, uint32_t n)
{
	char buf[256];

	if (w->w_replaying)
		schedule_replay_describe(&w->w_replay, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "strategy %s chose option %u of "
		    "%u", w->w_strat->ss_name, idx, n);
	world_violation_record(w, VIOL_DIVERGENCE, strdup(buf), NULL);
	w->w_stopped = true;
}

/*
 * Ask the strategy (or the schedule being replayed) which of n options
 * runs; record the choice.  opts: the listed options, or NULL for a
 * strategy that does not read them (ss_blind) and for a replay.
 */
static inline uint32_t
sched_decide(struct world *w, uint32_t n, const struct sched_option *opts)
{
	struct sched_decision d;
	uint32_t idx = 0;

	if (w->w_replaying) {
		if (schedule_replay_next(&w->w_replay, n, &idx) != SCHED_OK) {
			sched_diverge(w, 0, n);
			return 0;
		}
	} else {
		d.sd_opts = opts;
		d.sd_nopts = n;
		d.sd_choice = w->w_decisions;
		d.sd_kind = sim_onstack != NULL ? sim_onstack->l_spkind :
		    SIM_OP_START;
		idx = w->w_strat->ss_choose(w->w_stratstate, w, &d);
		if (__builtin_expect(idx >= n, 0)) {
			sched_diverge(w, idx, n);
			return 0;
		}
	}
	schedule_record(&w->w_sched, idx, n);
	w->w_decisions++;
	return idx;
}

/*
 * Choose what runs next, firing the timed events that come first; NULL
 * when the run ends.  The ready set (ready.c) gives the earliest CPU
 * and the CPUs within the race window; the options are listed only
 * when a strategy reads the list.  A strategy that always takes the
 * earliest CPU's own step (ss_earliest) gets its answer, and the
 * answer's index in the list, from the set directly; one that needs
 * only the number of options (ss_blind), and a replay, get the chosen
 * option from the set by its index.
 */
struct lwp *
sched_choose(struct world *w)
{
	struct cpu_info *c, *first;
	struct lwp *p;
	uint64_t minclock, limit;
	uint32_t n, k, i, idx;
	bool preempt, listed;

	/*
	 * The LWP that ran since the last choice moved its CPU's clock:
	 * evaluate that CPU first (as the dirty list, last in first out,
	 * would), without a trip through the list.
	 */
	if (sim_onstack == NULL)
		ready_invalidate(w);
	else if (w->w_lastcpu != NULL && !w->w_lastcpu->c_dirty)
		ready_eval(w, w->w_lastcpu);
	for (;;) {
		if (w->w_stopped)
			return sched_end(w, WORLD_STOPPED);
		ready_refresh(w);
		first = ready_first(w);
		if (w->w_lookahead && (c = la_choose(w, first)) != NULL) {
			p = c->c_next;
			cpu_run(w, c, p, false);
			return p;
		}
		minclock = first != NULL ? first->c_eff : UINT64_MAX;
		if (w->w_evq.eq_len != 0 &&
		    evq_first_time(&w->w_evq) <= minclock) {
			if (evq_first_time(&w->w_evq) > w->w_until)
				return sched_end(w, WORLD_TIME_LIMIT);
			world_fire_event(w, evq_pop(&w->w_evq));
			continue;
		}
		if (first == NULL) {
			sched_deadlock_check(w);
			return sched_end(w, w->w_stopped ? WORLD_STOPPED :
			    WORLD_QUIESCENT);
		}
		if (minclock > w->w_until)
			return sched_end(w, WORLD_TIME_LIMIT);
		limit = w->w_window == SIM_WINDOW_INFINITE ||
		    minclock + w->w_window < minclock ? UINT64_MAX :
		    minclock + w->w_window;
		/* the earliest CPU's own step, unless the strategy says */
		c = first;
		p = first->c_next;
		preempt = false;
		listed = false;
		idx = 0;
		k = 0;
		if (w->w_noptsum == 1) {
			n = 1;
		} else if (limit == UINT64_MAX) {
			n = (uint32_t)w->w_noptsum;
		} else {
			k = ready_window(w, limit);
			for (n = 0, i = 0; i < k; i++)
				n += w->w_wincpu[i]->c_nopt;
		}
		if (n < 2) {
			/* a single option is no choice: nothing recorded */
		} else if (w->w_replaying || w->w_strat->ss_blind) {
			idx = sched_decide(w, n, NULL);
			if (w->w_stopped)
				continue;
			p = sched_opt_find(w, k, idx, &c, &preempt);
		} else if (w->w_strat->ss_earliest) {
			if (k == 0) {
				idx = ready_rank(w, first->c_gindex);
			} else {
				for (i = 0; w->w_wincpu[i] != first; i++)
					idx += w->w_wincpu[i]->c_nopt;
			}
			schedule_record(&w->w_sched, idx, n);
			w->w_decisions++;
		} else {
			if (k == 0)
				k = ready_window(w, UINT64_MAX);
			sched_opts_list(w, k, n);
			listed = true;
			idx = sched_decide(w, n, w->w_opts);
			if (w->w_stopped)
				continue;
			c = w->w_opts[idx].so_cpu;
			p = w->w_opts[idx].so_lwp;
			preempt = w->w_opts[idx].so_preempt;
		}
		if (__builtin_expect(w->w_schedcheck, 0)) {
			ready_check(w, limit, n, listed ? w->w_opts : NULL,
			    !listed && n >= 2 && !w->w_replaying &&
			    !w->w_strat->ss_blind, idx, c, p, preempt);
			if (w->w_stopped)
				continue;
		}
		cpu_run(w, c, p, preempt);
		w->w_lastcpu = c;
		return p;
	}
}

static void
sched_switch_to(struct lwp *from, struct lwp *to)
{
	struct world *w = from->l_world;

	w->w_ctxsw++;
	sched_set_running(to);
	ctx_jump(&from->l_ctx, &to->l_ctx);
	if (w->w_zombie != NULL)
		lwp_reap(w);
}

/* Hand the main context the end of the run; resume when chosen again. */
static void
sched_to_main(struct lwp *self)
{
	struct world *w = self->l_world;

	ctx_jump(&self->l_ctx, &w->w_main);
	if (w->w_zombie != NULL)
		lwp_reap(w);
}

/* Choose the next LWP and switch to it; returns when self runs again. */
static void
sched_switch(struct lwp *self)
{
	struct world *w = self->l_world;
	struct lwp *n;

	n = sched_choose(w);
	if (n == NULL) {
		sched_to_main(self);
		return;
	}
	sched_trace_step(w, n->l_cpu, n, n->l_spkind);
	if (n != self)
		sched_switch_to(self, n);
	else
		sim_curcpu = n->l_cpu;	/* it may have been woken elsewhere */
}

void
sched_point_slow(struct lwp *l, int kind, const void *obj)
{
	l->l_spkind = kind;
	l->l_spobj = obj;
	sched_switch(l);
}

/* The running LWP has left the runnable set; charge and switch away. */
void
sched_sleep(struct lwp *l, int kind)
{
	struct world *w = l->l_world;

	l->l_cpu->c_clock += w->w_cost[SIM_OP_SLEEP];
	w->w_steps++;
	l->l_spkind = kind;
	l->l_spobj = l->l_wchan;
	sched_switch(l);
}

/* An idle CPU takes an unbound LWP from a sibling's run queue. */
static void
sched_idle_steal(struct cpu_info *c)
{
	struct host *h = c->c_host;
	struct cpu_info *d;
	struct lwp *q;
	int i;

	if (!cpu_idle(c))
		return;
	for (i = 0; i < h->h_ncpu; i++) {
		d = &h->h_cpus[i];
		if (d == c)
			continue;
		TAILQ_FOREACH(q, &d->c_runq, l_q) {
			if (q->l_flags & LW_BOUND)
				continue;
			TAILQ_REMOVE(&d->c_runq, q, l_q);
			d->c_nrunq--;
			sched_cpu_changed(d);
			q->l_cpu = c;
			sim_switch_gen++;
			TAILQ_INSERT_TAIL(&c->c_runq, q, l_q);
			c->c_nrunq++;
			sched_cpu_changed(c);
			return;
		}
	}
}

void
sched_setrunnable(struct lwp *l)
{
	struct world *w = l->l_world;
	struct host *h = l->l_host;
	struct cpu_info *c = l->l_cpu;
	int i;

	l->l_readytime = sim_now_internal();
	w->w_nrun++;
	l->l_stat = LSRUN;
	if (l->l_flags & LW_INTR) {
		/* it waits in its CPU's interrupt slot */
		c->c_intrmask |= 1u << l->l_slot;
		sched_cpu_changed(c);
		return;
	}
	if (!(l->l_flags & LW_BOUND) && !cpu_idle(c)) {
		for (i = 0; i < h->h_ncpu; i++) {
			if (cpu_idle(&h->h_cpus[i])) {
				c = &h->h_cpus[i];
				break;
			}
		}
	}
	l->l_cpu = c;
	sim_switch_gen++;
	TAILQ_INSERT_TAIL(&c->c_runq, l, l_q);
	c->c_nrunq++;
	sched_cpu_changed(c);
}

void
sched_wakeup(struct lwp *l, int result)
{
	struct world *w = l->l_world;

	if (l->l_sleepq != NULL) {
		TAILQ_REMOVE(&l->l_sleepq->sq_lwps, l, l_q);
		l->l_sleepq = NULL;
	}
	if (evq_queued(&l->l_timer))
		evq_cancel(&w->w_evq, &l->l_timer);
	l->l_result = result;
	l->l_wchan = NULL;
	if (l->l_slkind == SLK_LOCK)
		w->w_nlockwait--;
	l->l_slkind = SLK_NONE;
	if (l->l_stat == LSSPIN) {
		/* it still occupies its CPU (or is pinned under an intr) */
		l->l_stat = LSONPROC;
		l->l_readytime = sim_now_internal();
		w->w_nrun++;
		sched_cpu_changed(l->l_cpu);
		return;
	}
	sched_setrunnable(l);
}

static void
sched_timeout(struct evq_event *ev, void *arg)
{
	struct lwp *l = arg;

	(void)ev;
	if (l->l_stat == LSSLEEP)
		sched_wakeup(l, EWOULDBLOCK);
}

void
sched_lwp_init(struct lwp *l)
{
	evq_event_init(&l->l_timer, sched_timeout, l);
	l->l_timer.ev_owner = l->l_host->h_index;
}

/* Take the running LWP off its CPU (it sleeps or exits). */
static void
sched_off_cpu(struct lwp *l, int stat)
{
	struct cpu_info *c = l->l_cpu;

	l->l_stat = stat;
	if (c->c_cur == l) {
		/* an interrupt LWP hands the CPU back to the LWP it pinned */
		c->c_cur = l->l_pinned;
		l->l_pinned = NULL;
		sched_cpu_changed(c);
	}
	l->l_world->w_nrun--;
	sched_idle_steal(c);
}

int
sleepq_block(struct sleepq *sq, int slkind, const void *wchan,
    const char *wmesg, uint64_t timo_ns, bool sigok, int kind)
{
	struct lwp *l = sim_curlwp;
	struct world *w;

	if (l == NULL || (l->l_flags & LW_NOSCHED))
		sim_fail(VIOL_PANIC, "sleeping on \"%s\" outside an LWP "
		    "(event or host_enter context)", wmesg);
	if (l->l_flags & LW_HARDINTR)
		sim_fail(VIOL_LOCK_MISUSE, "%s error: sleeping on \"%s\" in "
		    "hard interrupt context", slkind == SLK_LOCK ? "mutex" :
		    "sleep", wmesg);
	w = l->l_world;
	lockdebug_sleep_check(l, wmesg);
	if (slkind == SLK_LOCK)
		lockdebug_wait_check(l, wchan);
	if (sigok && l->l_sigpending) {
		l->l_sigpending = false;
		return EINTR;
	}
	l->l_sleepq = sq;
	l->l_wchan = wchan;
	l->l_wmesg = wmesg;
	l->l_slkind = slkind;
	if (slkind == SLK_LOCK)
		w->w_nlockwait++;
	l->l_sigok = sigok;
	l->l_result = 0;
	if (sq != NULL)
		TAILQ_INSERT_TAIL(&sq->sq_lwps, l, l_q);
	if (timo_ns != 0)
		evq_insert(&w->w_evq, &l->l_timer,
		    l->l_cpu->c_clock + timo_ns);
	sched_off_cpu(l, LSSLEEP);
	sched_sleep(l, kind);
	return l->l_result;
}

int
sleepq_wake_one(struct sleepq *sq)
{
	struct lwp *l = TAILQ_FIRST(&sq->sq_lwps);

	if (l == NULL)
		return 0;
	sched_wakeup(l, 0);
	return 1;
}

int
sleepq_wake_all(struct sleepq *sq)
{
	int n = 0;

	while (sleepq_wake_one(sq))
		n++;
	return n;
}

/*
 * Spin on a spin lock: the LWP keeps its CPU (which runs nothing else
 * but interrupts above the LWP's IPL) until sched_wakeup.
 */
void
sched_spin_wait(struct lwp *l, struct sleepq *sq, const void *wchan,
    const char *wmesg)
{
	lockdebug_wait_check(l, wchan);
	l->l_sleepq = sq;
	l->l_wchan = wchan;
	l->l_wmesg = wmesg;
	l->l_slkind = SLK_LOCK;
	l->l_world->w_nlockwait++;
	l->l_sigok = false;
	TAILQ_INSERT_TAIL(&sq->sq_lwps, l, l_q);
	l->l_stat = LSSPIN;
	l->l_world->w_nrun--;
	sched_sleep(l, SIM_OP_MUTEX);
}

/* An interrupt LWP ran out of work: give the CPU back and wait. */
void
sched_intr_idle(struct lwp *l)
{
	struct cpu_info *c = l->l_cpu;

	l->l_stat = LSIDLE;
	l->l_active = false;
	l->l_world->w_nrun--;
	c->c_cur = l->l_pinned;
	l->l_pinned = NULL;
	sched_cpu_changed(c);
	if (c->c_cur == NULL)
		sched_idle_steal(c);
	l->l_spkind = SIM_OP_INTR;
	sched_switch(l);
}

void
sched_exit(struct lwp *l)
{
	struct world *w = l->l_world;
	struct lwp *n;

	sched_off_cpu(l, LSZOMB);
	sleepq_wake_all(&l->l_joinq);
	l->l_cpu->c_clock += w->w_cost[SIM_OP_EXIT];
	w->w_zombie = l;
	n = sched_choose(w);
	if (n != NULL) {
		sched_trace_step(w, n->l_cpu, n, n->l_spkind);
		sched_set_running(n);
		ctx_jump(&l->l_ctx, &n->l_ctx);
	} else {
		ctx_jump(&l->l_ctx, &w->w_main);
	}
	abort();	/* a zombie is never resumed */
}

/* From the main context: run the world until the run ends. */
void
sched_enter_lwp(struct world *w, struct lwp *n)
{
	sched_trace_step(w, n->l_cpu, n, n->l_spkind);
	sched_set_running(n);
	ctx_jump(&w->w_main, &n->l_ctx);
	sim_set_current(NULL, NULL);
	sim_onstack = NULL;
	vnet_curbase = 0;
	if (w->w_zombie != NULL)
		lwp_reap(w);
}

/* Make the interrupt LWP of a slot runnable (creating it on first use). */
void
sched_intr_kick(struct cpu_info *c, int slot)
{
	struct lwp *l = c->c_intr[slot];

	if (l == NULL)
		l = intr_lwp_create(c, slot);
	if (l->l_stat == LSIDLE)
		sched_setrunnable(l);
}

void
sched_deadlock_check(struct world *w)
{
	struct lwp *l;
	char *buf = NULL, line[512], owner[200];
	size_t len = 0;
	FILE *fp;
	int n = 0;

	/* nobody waits for a lock (the usual end of a run): nothing to walk */
	if (w->w_nlockwait == 0)
		return;
	fp = open_memstream(&buf, &len);
	if (fp == NULL)
		abort();
	fprintf(fp, "deadlock: no runnable LWP and no pending event; "
	    "LWPs waiting for locks:");
	TAILQ_FOREACH(l, &w->w_lwps, l_wlist) {
		if (!((l->l_stat == LSSLEEP || l->l_stat == LSSPIN) &&
		    l->l_slkind == SLK_LOCK))
			continue;
		lockdebug_describe_owner(l->l_wchan, owner, sizeof(owner));
		snprintf(line, sizeof(line), "\n  host %s cpu %d lwp %d (%s) "
		    "waits for %s", l->l_host->h_name, l->l_cpu->c_index,
		    l->l_id, l->l_name, owner);
		fputs(line, fp);
		n++;
	}
	fclose(fp);
	if (n == 0) {
		free(buf);
		return;
	}
	world_violation_record(w, VIOL_DEADLOCK, buf, NULL);
	w->w_stopped = true;
}
