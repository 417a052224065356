/*
 * Worlds: configuration, the run loop, violations, the trace hash and
 * the helpers the layers above use (timed calls, console, costs).
 */
#define _GNU_SOURCE	/* vasprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/stack.h"
#include "cpu/lookahead.h"
#include "cpu/machine.h"
#include "cpu/strategy.h"

static const char *const sim_opclass_names[SIM_NOPCLASS] = {
	[SIM_OP_MUTEX] = "mutex",
	[SIM_OP_RWLOCK] = "rwlock",
	[SIM_OP_CV] = "cv",
	[SIM_OP_ATOMIC] = "atomic",
	[SIM_OP_MEMBAR] = "membar",
	[SIM_OP_SOFTINT] = "softint",
	[SIM_OP_PREEMPT] = "preempt",
	[SIM_OP_PROBE] = "probe",
	[SIM_OP_SLEEP] = "sleep",
	[SIM_OP_START] = "start",
	[SIM_OP_INTR] = "intr",
	[SIM_OP_SPL] = "spl",
	[SIM_OP_EXIT] = "exit",
};

/* Default costs in virtual ns: rough figures for a modern CPU. */
static const uint64_t sim_opclass_defcost[SIM_NOPCLASS] = {
	[SIM_OP_MUTEX] = 20,
	[SIM_OP_RWLOCK] = 25,
	[SIM_OP_CV] = 30,
	[SIM_OP_ATOMIC] = 10,
	[SIM_OP_MEMBAR] = 5,
	[SIM_OP_SOFTINT] = 50,
	[SIM_OP_PREEMPT] = 1,
	[SIM_OP_PROBE] = 1,
	[SIM_OP_SLEEP] = 200,
	[SIM_OP_START] = 500,
	[SIM_OP_INTR] = 300,
	[SIM_OP_SPL] = 5,
	[SIM_OP_EXIT] = 200,
};

const char *
sim_opclass_name(enum sim_opclass k)
{
	return (unsigned)k < SIM_NOPCLASS ? sim_opclass_names[k] : "?";
}

int
sim_opclass_lookup(const char *name)
{
	int k;

	for (k = 0; k < SIM_NOPCLASS; k++)
		if (strcmp(sim_opclass_names[k], name) == 0)
			return k;
	return -1;
}

void
world_set_cost(struct world *w, enum sim_opclass k, uint64_t ns)
{
	if ((unsigned)k < SIM_NOPCLASS)
		w->w_cost[k] = ns;
}

uint64_t
world_cost(const struct world *w, enum sim_opclass k)
{
	return (unsigned)k < SIM_NOPCLASS ? w->w_cost[k] : 0;
}

static void
world_console_stdout(void *arg, const char *host, uint64_t now,
    const char *line)
{
	(void)arg;
	printf("[%llu.%09llu] %s: %s\n", (unsigned long long)(now / 1000000000),
	    (unsigned long long)(now % 1000000000), host, line);
}

#define WORLD_TEARDOWN_NS	10000000ULL

struct world *
world_create(const struct world_config *wc)
{
	struct world *w;
	const struct sched_strategy *ss;
	size_t i;
	bool replay;

	replay = wc->wc_replay != NULL || wc->wc_schedule != NULL;
	if (wc->wc_strategy != NULL && strcmp(wc->wc_strategy, "replay") == 0)
		ss = sched_strategy_lookup("default");
	else
		ss = sched_strategy_lookup(wc->wc_strategy);
	if (ss == NULL || (wc->wc_strategy != NULL &&
	    strcmp(wc->wc_strategy, "replay") == 0 && !replay) ||
	    (wc->wc_schedule != NULL && wc->wc_schedule_len % 2 != 0)) {
		errno = EINVAL;
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	fault_install();
	w->w_config = *wc;
	w->w_config.wc_schedule = NULL;
	w->w_config.wc_replay = NULL;
	if (w->w_config.wc_stack_size == 0)
		w->w_config.wc_stack_size = CTX_STACK_DEFAULT;
	evq_init(&w->w_evq);
	memcpy(w->w_cost, sim_opclass_defcost, sizeof(w->w_cost));
	w->w_window = wc->wc_race_window == 0 ? SIM_WINDOW_INFINITE :
	    wc->wc_race_window;
	tracehash_init(&w->w_trace);
	TAILQ_INIT(&w->w_lwps);
	LIST_INIT(&w->w_mem);
	ctx_main_init(&w->w_main);
	schedule_init(&w->w_sched);
	schedule_init(&w->w_replaysched);
	if (replay) {
		if (wc->wc_replay != NULL) {
			for (i = 0; i < wc->wc_replay->sd_len; i++)
				schedule_record(&w->w_replaysched,
				    wc->wc_replay->sd_choices[i].sc_index,
				    wc->wc_replay->sd_choices[i].sc_noptions);
		} else {
			for (i = 0; i + 1 < wc->wc_schedule_len; i += 2)
				schedule_record(&w->w_replaysched,
				    wc->wc_schedule[i], wc->wc_schedule[i + 1]);
		}
		schedule_replay_init(&w->w_replay, &w->w_replaysched);
		w->w_replaying = true;
	}
	w->w_strat = ss;
	la_world_init(w);
	if (ss->ss_init != NULL)
		w->w_stratstate = ss->ss_init(w, wc);
	w->w_console = world_console_stdout;
	w->w_until = 0;
	return w;
}

/*
 * Tear the hosts down (VNET destructors) unless the run failed.
 * Whatever else is still alive runs along; the bound of 10 ms of
 * virtual time keeps a world with endless activity (a periodic timer, a
 * process in a loop) from keeping destroy busy.
 */
void
world_teardown(struct world *w)
{
	int h;

	if (w == NULL || w->w_destroying)
		return;
	w->w_destroying = true;
	if (!w->w_stopped && !w->w_in_run) {
		for (h = w->w_nhosts - 1; h >= 0 && !w->w_stopped; h--) {
			host_teardown(w->w_hosts[h]);
			world_run(w, world_now(w) + WORLD_TEARDOWN_NS);
		}
	}
}

void
world_set_memcheck(struct world *w, bool on)
{
	w->w_config.wc_no_memcheck = !on;
}

size_t
world_kmem_live(const struct world *w)
{
	return mem_world_live(w);
}

void
world_destroy(struct world *w)
{
	struct lwp *l;
	size_t i;
	int h;

	if (w == NULL)
		return;
	world_teardown(w);
	/* before the LWPs go: queued timers live in them */
	evq_fini(&w->w_evq);
	while ((l = TAILQ_FIRST(&w->w_lwps)) != NULL) {
		TAILQ_REMOVE(&w->w_lwps, l, l_wlist);
		lwp_free(l);
	}
	for (h = 0; h < w->w_nhosts; h++)
		host_free(w->w_hosts[h]);
	free(w->w_hosts);
	free(w->w_cpus);
	sched_world_fini(w);
	while (w->w_hifree != NULL) {
		struct hardintr *hi = w->w_hifree;

		w->w_hifree = STAILQ_NEXT(hi, hi_q);
		free(hi);
	}
	probe_world_fini(w);
	if (w->w_strat->ss_fini != NULL)
		w->w_strat->ss_fini(w->w_stratstate);
	for (i = 0; i < w->w_nviol; i++) {
		free(w->w_viol[i].v_message);
		free(w->w_viol[i].v_stack);
	}
	free(w->w_viol);
	free(w->w_opts);
	schedule_fini(&w->w_sched);
	schedule_fini(&w->w_replaysched);
	lockdebug_world_fini(w);
	/* what the stack still held, or abandoned in a stopped run */
	(void)mem_world_fini(w);
	if (sim_curworld == w)
		sim_curworld = NULL;
	free(w);
}

enum world_status
world_run(struct world *w, uint64_t until)
{
	struct world *saved = sim_curworld;
	struct lwp *n;

	if (w->w_stopped)
		return WORLD_STOPPED;
	if (w->w_in_run || sim_onstack != NULL) {
		world_violation_add(w, VIOL_PANIC, "world_run called from "
		    "inside a running world");
		return WORLD_STOPPED;
	}
	w->w_until = until;
	w->w_in_run = true;
	sim_curworld = w;
	if (setjmp(w->w_failjmp) == 0) {
		n = sched_choose(w);
		if (n != NULL)
			sched_enter_lwp(w, n);
		/* an LWP that faulted jumped back here: fail the run */
		fault_collect(w);
	} else {
		/* a failure on the main stack (in an event) */
		w->w_reason = WORLD_STOPPED;
	}
	sim_set_current(NULL, NULL);
	sim_onstack = NULL;
	w->w_in_run = false;
	sim_curworld = saved;
	if (w->w_stopped)
		w->w_reason = WORLD_STOPPED;
	/* the time reached: the latest CPU clock unless the limit cut in */
	if (w->w_reason != WORLD_TIME_LIMIT) {
		for (int i = 0; i < w->w_ncpus; i++)
			if (w->w_cpus[i]->c_clock > w->w_now)
				w->w_now = w->w_cpus[i]->c_clock;
	}
	return w->w_reason;
}

/* Fire one timed event in event context: no curlwp, no VNET. */
void
world_fire_event(struct world *w, struct evq_event *ev)
{
	struct lwp *l = sim_curlwp;
	struct cpu_info *c = sim_curcpu;
	uintptr_t vb = vnet_curbase;

	if (ev->ev_time > w->w_now)
		w->w_now = ev->ev_time;
	tracehash_mix(&w->w_trace, ev->ev_time);
	sim_set_current(NULL, NULL);
	vnet_curbase = 0;
	/* what the handler queues, it queues for the event's host */
	w->w_evowner = ev->ev_owner;
	ev->ev_fn(ev, ev->ev_arg);
	w->w_evowner = EVQ_NOOWNER;
	sim_set_current(l, c);
	vnet_curbase = vb;
}

uint64_t
world_now(const struct world *w)
{
	if (sim_curworld == w && sim_curcpu != NULL)
		return sim_curcpu->c_clock;
	return w->w_now;
}

uint64_t
world_events(const struct world *w)
{
	return w->w_steps;
}

uint64_t
world_trace_hash(const struct world *w)
{
	return tracehash_value(&w->w_trace);
}

void
world_trace_mix(struct world *w, uint64_t datum)
{
	tracehash_mix(&w->w_trace, datum);
}

void
world_set_recorder(struct world *w, struct trace *t)
{
	w->w_recorder = t;
}

struct trace *
world_recorder(const struct world *w)
{
	return w->w_recorder;
}

const struct schedule *
world_schedule(const struct world *w)
{
	return &w->w_sched;
}

bool
world_stopped(const struct world *w)
{
	return w->w_stopped;
}

void
world_stop(struct world *w)
{
	w->w_stopped = true;
}

bool
world_replay_finish(struct world *w)
{
	char buf[256];

	if (!w->w_replaying || w->w_stopped)
		return !w->w_stopped;
	if (schedule_replay_end(&w->w_replay) == SCHED_OK)
		return true;
	schedule_replay_describe(&w->w_replay, buf, sizeof(buf));
	world_violation_record(w, VIOL_DIVERGENCE, strdup(buf), NULL);
	w->w_stopped = true;
	return false;
}

struct evq *
world_evq(struct world *w)
{
	return &w->w_evq;
}

void
world_rng_stream(const struct world *w, struct rng *r, const char *name)
{
	rng_stream(r, w->w_config.wc_seed, name);
}

size_t
world_nviolations(const struct world *w)
{
	return w->w_nviol;
}

const struct violation *
world_violation(const struct world *w, size_t i)
{
	return i < w->w_nviol ? &w->w_viol[i] : NULL;
}

/* Record a violation in the running context; takes msg and stack. */
void
world_violation_record(struct world *w, enum violation_kind kind,
    char *msg, char *stack)
{
	struct violation *v;
	struct lwp *l = sim_curlwp;

	if (w->w_nviol == w->w_violcap) {
		w->w_violcap = w->w_violcap ? 2 * w->w_violcap : 4;
		w->w_viol = realloc(w->w_viol,
		    w->w_violcap * sizeof(*w->w_viol));
		if (w->w_viol == NULL)
			abort();
	}
	v = &w->w_viol[w->w_nviol++];
	memset(v, 0, sizeof(*v));
	v->v_kind = kind;
	v->v_time = sim_now_internal();
	if (sim_curworld != w)
		v->v_time = w->w_now;
	v->v_cpu = -1;
	v->v_lwp = -1;
	if (l != NULL && l->l_world == w) {
		v->v_host = l->l_host->h_name;
		if (!(l->l_flags & LW_NOSCHED)) {
			v->v_cpu = l->l_cpu->c_index;
			v->v_lwp = l->l_id;
		}
	}
	v->v_message = msg;
	v->v_stack = stack;
}

void
world_violation_add(struct world *w, enum violation_kind kind,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	world_violation_record(w, kind, msg, NULL);
}

/*
 * The running LWP's stack as text, one frame a line, symbolised by
 * sim/check's stack module (addr2line, cached per pc).  The frames of
 * the failure plumbing (this function, sim_failv, sim_fail) are skipped.
 */
char *
sim_backtrace(void)
{
	struct check_stack cs;
	char *buf;
	size_t len = 4096;

	check_stack_capture(&cs, 3);
	if ((buf = malloc(len)) == NULL)
		return NULL;
	buf[0] = '\0';
	(void)check_stack_format(&cs, buf, len);
	return buf;
}

void
sim_failv(enum violation_kind kind, const char *fmt, va_list ap)
{
	struct world *w = sim_curworld;
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (w == NULL) {
		fprintf(stderr, "knit: %s (outside any world)\n",
		    msg ? msg : "failure");
		abort();
	}
	world_violation_record(w, kind, msg, sim_backtrace());
	if (!w->w_in_run) {
		fprintf(stderr, "knit: %s (outside world_run: cannot "
		    "unwind)\n", msg ? msg : "failure");
		abort();
	}
	sim_abandon();
	abort();
}

void
sim_abandon(void)
{
	struct world *w = sim_curworld;
	struct lwp *l = sim_curlwp, *on = sim_onstack;

	if (w == NULL || !w->w_in_run)
		return;
	if (l != NULL && l->l_world == w)
		l->l_host->h_failed = true;
	w->w_stopped = true;
	w->w_reason = WORLD_STOPPED;
	if (on != NULL) {
		/* this stack is abandoned: the world never resumes it */
		ctx_jump(&on->l_ctx, &w->w_main);
		abort();
	}
	longjmp(w->w_failjmp, 1);
}

void
sim_fail(enum violation_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_failv(kind, fmt, ap);
}

/* Timed calls for the layers above. */
struct sim_timer {
	struct evq_event st_ev;
	void		(*st_fn)(void *);
	void		*st_arg;
};

static void
world_call_fire(struct evq_event *ev, void *arg)
{
	struct sim_timer *st = arg;
	void (*fn)(void *) = st->st_fn;
	void *fnarg = st->st_arg;

	(void)ev;
	free(st);
	fn(fnarg);
}

struct sim_timer *
world_call_at(struct world *w, uint64_t when, void (*fn)(void *), void *arg)
{
	struct sim_timer *st = calloc(1, sizeof(*st));

	if (st == NULL)
		abort();
	st->st_fn = fn;
	st->st_arg = arg;
	evq_event_init(&st->st_ev, world_call_fire, st);
	evq_insert(&w->w_evq, &st->st_ev, when);
	return st;
}

bool
world_call_cancel(struct world *w, struct sim_timer *st)
{
	if (!evq_cancel(&w->w_evq, &st->st_ev))
		return false;
	free(st);
	return true;
}

void
world_set_console(struct world *w, void (*fn)(void *, const char *,
    uint64_t, const char *), void *arg)
{
	w->w_console = fn;
	w->w_console_arg = arg;
}

struct world *
sim_world(void)
{
	return sim_curworld;
}

struct lwp *
sim_lwp(void)
{
	return sim_curlwp;
}

uint64_t
sim_now(void)
{
	return sim_now_internal();
}

void
sim_charge(uint64_t ns)
{
	if (sim_curcpu != NULL)
		sim_curcpu->c_clock += ns;
}

void
sim_sleep(uint64_t ns)
{
	if (ns == 0) {
		sched_point(SIM_OP_PREEMPT);
		return;
	}
	(void)sleepq_block(NULL, SLK_TIMER, NULL, "simsleep", ns, false,
	    SIM_OP_SLEEP);
}
