/*
 * Adapters from the machine's strategy interface to the exploration
 * engines (pct.c, dfs.c, minimize.c).
 *
 * The option view: an option's LWP is its world-unique number, its step
 * is the operation class its LWP stopped at.  With xs_objects, a step
 * that is a synchronisation operation (mutex, rwlock, cv, atomic,
 * softint_schedule) names its object, so DFS's sleep sets count steps of
 * different LWPs on different objects as independent; every other step
 * (start, sleep, probe, interrupt, spl, membar, exit) keeps xo_obj 0,
 * dependent with everything.  Without xs_objects every xo_obj is 0
 * (sound for any program; prunes nothing).
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/machine.h"
#include "cpu/strategy.h"
#include "explore/dfs.h"
#include "explore/pct.h"
#include "explore/strategies.h"
#include "record/schedule.h"

struct xstrategy_params xstrategy;

#define XOPT_STACK	32

/* The object of an option's step when it is a synchronisation op; else 0. */
static uintptr_t
sync_object(const struct sched_option *so)
{
	switch (so->so_kind) {
	case SIM_OP_MUTEX:
	case SIM_OP_RWLOCK:
	case SIM_OP_CV:
	case SIM_OP_ATOMIC:
	case SIM_OP_SOFTINT:
		return so->so_obj;
	default:
		return 0;
	}
}

/* Fill the option view; returns it (o, or a malloc'ed array). */
static struct xopt *
view(const struct sched_decision *d, struct xopt *o)
{
	if (d->sd_nopts > XOPT_STACK) {
		o = malloc(d->sd_nopts * sizeof(*o));
		if (o == NULL)
			abort();
	}
	for (uint32_t i = 0; i < d->sd_nopts; i++) {
		const struct sched_option *so = &d->sd_opts[i];

		o[i].xo_lwp = so->so_lwpid;
		o[i].xo_preempt = so->so_preempt;
		o[i].xo_current = so->so_current;
		o[i].xo_clock = so->so_clock;
		o[i].xo_kind = so->so_kind;
		o[i].xo_obj = xstrategy.xs_objects ? sync_object(so) : 0;
	}
	return o;
}

static void
unview(struct xopt *o, struct xopt *stackbuf)
{
	if (o != stackbuf)
		free(o);
}

uint32_t
xstrategy_default(struct world *w, const struct sched_decision *d)
{
	static const struct sched_strategy *def;

	if (def == NULL)
		def = sched_strategy_lookup("default");
	return def->ss_choose(NULL, w, d);
}

/* ---- pct ---------------------------------------------------------------- */

static void *
pct_init_world(struct world *w, const struct world_config *wc)
{
	struct pct *p = calloc(1, sizeof(*p));

	(void)w;
	if (p == NULL)
		abort();
	pct_init(p, wc->wc_seed, xstrategy.xs_depth ? xstrategy.xs_depth : 3,
	    xstrategy.xs_k ? xstrategy.xs_k : 100);
	return p;
}

static uint32_t
pct_choose_world(void *state, struct world *w, const struct sched_decision *d)
{
	struct xopt buf[XOPT_STACK], *o = view(d, buf);
	uint32_t pick;

	(void)w;
	pick = pct_choose(state, o, d->sd_nopts, d->sd_choice);
	unview(o, buf);
	return pick;
}

static void
pct_fini_world(void *state)
{
	pct_fini(state);
	free(state);
}

static const struct sched_strategy strat_pct = {
	.ss_name = "pct",
	.ss_init = pct_init_world,
	.ss_choose = pct_choose_world,
	.ss_fini = pct_fini_world,
};

/* ---- dfs ---------------------------------------------------------------- */

static uint32_t
dfs_choose_world(void *state, struct world *w, const struct sched_decision *d)
{
	struct xopt buf[XOPT_STACK], *o;
	uint32_t pick;

	(void)state;
	if (xstrategy.xs_dfs == NULL)
		return xstrategy_default(w, d);
	o = view(d, buf);
	pick = dfs_choose(xstrategy.xs_dfs, o, d->sd_nopts,
	    xstrategy_default(w, d));
	unview(o, buf);
	return pick;
}

static const struct sched_strategy strat_dfs = {
	.ss_name = "dfs",
	.ss_choose = dfs_choose_world,
};

/* ---- guided --------------------------------------------------------------- */

static void *
guided_init_world(struct world *w, const struct world_config *wc)
{
	(void)w;
	(void)wc;
	xguide_fini(&xstrategy.xs_guided);
	xguide_init(&xstrategy.xs_guided, xstrategy.xs_guide);
	return &xstrategy.xs_guided;
}

static uint32_t
guided_choose_world(void *state, struct world *w,
    const struct sched_decision *d)
{
	struct xopt buf[XOPT_STACK], *o = view(d, buf);
	uint32_t def = xstrategy_default(w, d), pick;
	const struct schedule *s = xstrategy.xs_replay;

	if (s != NULL) {
		pick = def;
		if (d->sd_choice < s->sd_len &&
		    s->sd_choices[d->sd_choice].sc_index < d->sd_nopts)
			pick = s->sd_choices[d->sd_choice].sc_index;
		xguide_note(state, o, d->sd_nopts, def, pick);
	} else
		pick = xguide_choose(state, o, d->sd_nopts, def);
	unview(o, buf);
	return pick;
}

static const struct sched_strategy strat_guided = {
	.ss_name = "guided",
	.ss_init = guided_init_world,
	.ss_choose = guided_choose_world,
};

/*
 * Any program that links the explorer knows its strategies, so that
 * `knit replay' can recreate a world of a pct, dfs or guided run.
 */
__attribute__((constructor)) static void
xstrategies_ctor(void)
{
	xstrategies_register();
}

void
xstrategies_register(void)
{
	if (sched_strategy_lookup("pct") == NULL)
		(void)sched_strategy_register(&strat_pct);
	if (sched_strategy_lookup("dfs") == NULL)
		(void)sched_strategy_register(&strat_dfs);
	if (sched_strategy_lookup("guided") == NULL)
		(void)sched_strategy_register(&strat_guided);
}
