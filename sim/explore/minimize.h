/*
 * Schedule minimisation: the fewest deviations from the default
 * strategy that still fail with the same signature.
 *
 * A schedule is described here by its deviations: the decisions where
 * the choice differed from what the default strategy would have taken.
 * Every other decision takes the default.  A decision is named by the
 * LWP at the point and how many decisions that LWP had met before ("the
 * 3rd time lwp 4 reached a point"), not by its global number: removing
 * one deviation then leaves the others meaning what they meant, which
 * global numbers (shifted by every change upstream) would not.  The run function runs such a description (guided
 * by it, leniently: a forced index that is out of range at that point
 * falls back to the default) and says whether the run failed with the
 * wanted signature, and which deviations the run actually made.
 *
 * The search is delta debugging on the deviation list: drop halves,
 * quarters, ..., single deviations while the failure persists, keeping
 * each success; it ends 1-minimal (removing any single remaining
 * deviation loses the failure) or when the budget of runs is spent.
 */
#ifndef _KNIT_SIM_EXPLORE_MINIMIZE_H_
#define _KNIT_SIM_EXPLORE_MINIMIZE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xdev {
	int		 xd_at;		/* LWP at the point (or last to run) */
	uint64_t	 xd_step;	/* decisions xd_at met before this one */
	int		 xd_lwp;	/* the LWP chosen to run */
	bool		 xd_preempt_opt; /* ... through its pre-emption option */
	bool		 xd_preempt;	/* it pre-empted a runnable LWP */
	uint64_t	 xd_decision;	/* global number (for messages only) */
};

struct xdevs {
	struct xdev	*xs_dev;
	size_t		 xs_len;
};

/*
 * Guiding a run by deviations: one xguide per run; xguide_choose at each
 * decision (o, n as the strategies see them, def = the default index).
 * g_actual collects the deviations the run really makes.
 */
struct xguide {
	const struct xdevs *g_try;
	struct xdevs	 g_actual;
	uint64_t	*g_steps;	/* per LWP id */
	size_t		 g_nsteps;
	int		 g_last;
	uint64_t	 g_decision;
};

/*
 * Run guided by `try'; return true when it failed with the signature
 * being minimised, and then fill *actual with the deviations the run
 * really made (it may differ from `try' when forced indices fell back).
 */
typedef bool	(*xmin_run_fn_t)(void *arg, const struct xdevs *try,
		    struct xdevs *actual);

struct xmin_result {
	struct xdevs	 mr_devs;	/* the minimised deviations */
	size_t		 mr_initial;	/* deviations before */
	uint64_t	 mr_runs;	/* runs spent */
	bool		 mr_minimal;	/* 1-minimal (budget not exhausted) */
};

void	xdevs_fini(struct xdevs *);
void	xdevs_copy(struct xdevs *dst, const struct xdevs *src);
size_t	xdevs_preemptions(const struct xdevs *);

/*
 * Minimise `start' (the deviations of a failing run).  Returns 0, or -1
 * when `start' itself does not reproduce the failure.
 */
struct xopt;
void	xguide_init(struct xguide *, const struct xdevs *try);
uint32_t xguide_choose(struct xguide *, const struct xopt *, uint32_t n,
	    uint32_t def);
/* Record an arbitrary choice (pick) as the strategy made it. */
void	xguide_note(struct xguide *, const struct xopt *, uint32_t n,
	    uint32_t def, uint32_t pick);
void	xguide_fini(struct xguide *);	/* frees g_actual too */

int	xminimize(const struct xdevs *start, xmin_run_fn_t, void *arg,
	    uint64_t max_runs, struct xmin_result *);
void	xmin_result_fini(struct xmin_result *);

#endif /* !_KNIT_SIM_EXPLORE_MINIMIZE_H_ */
