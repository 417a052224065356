/*
 * PCT: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
 * Nagarakatte, ASPLOS 2010).
 *
 * Each LWP gets a random priority when first seen, all above d; d - 1
 * change points are drawn uniformly among the run's first k scheduling
 * decisions.  At every decision the option whose LWP has the highest
 * priority runs; at the i-th change point the LWP that was running drops
 * to priority d - i.  For a program with at most n LWPs and k decisions,
 * every bug of depth d is found by one run with probability at least
 * 1 / (n * k^(d-1)).
 */
#ifndef _KNIT_SIM_EXPLORE_PCT_H_
#define _KNIT_SIM_EXPLORE_PCT_H_

#include <stdint.h>

#include "core/rng.h"
#include "explore/xopt.h"

#define PCT_MAXDEPTH	16

struct pct {
	struct rng	 p_rng;
	uint32_t	 p_depth;
	uint64_t	 p_change[PCT_MAXDEPTH];	/* decision numbers */
	uint64_t	*p_prio;	/* by LWP id; 0: not seen yet */
	uint32_t	 p_nprio;
	int		 p_last;	/* LWP chosen last, -1: none */
	uint64_t	 p_nlwps;	/* LWPs seen (for measuring n) */
};

/* depth >= 1; k >= 1: the expected number of decisions per run. */
void	pct_init(struct pct *, uint64_t seed, uint32_t depth, uint64_t k);
void	pct_fini(struct pct *);
/* Decision number `decision' (0-based) among n >= 2 options. */
uint32_t pct_choose(struct pct *, const struct xopt *, uint32_t n,
	    uint64_t decision);

/* The per-run probability bound and the runs for confidence c. */
double	pct_bound(uint64_t n, uint64_t k, uint32_t depth);
uint64_t pct_runs_for(double p, double confidence);

#endif /* !_KNIT_SIM_EXPLORE_PCT_H_ */
