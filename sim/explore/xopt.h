/*
 * What the exploration strategies need to know about one option at a
 * scheduling point, independent of the machine's own structures (the
 * adapter in strategies.c fills it from struct sched_option).
 */
#ifndef _KNIT_SIM_EXPLORE_XOPT_H_
#define _KNIT_SIM_EXPLORE_XOPT_H_

#include <stdbool.h>
#include <stdint.h>

struct xopt {
	int		 xo_lwp;	/* world-unique LWP that would run */
	bool		 xo_preempt;	/* it pre-empts a CPU's LWP */
	bool		 xo_current;	/* it is the LWP at the point */
	uint64_t	 xo_clock;	/* its CPU's clock */
	int		 xo_kind;	/* enum sim_opclass of its next step */
	uintptr_t	 xo_obj;	/* object of that step; 0: unknown */
};

/*
 * The index the default strategy would take: the current LWP continuing
 * when it can, else the earliest clock, first in option order.
 */
static inline uint32_t
xopt_default(const struct xopt *o, uint32_t n)
{
	uint32_t best = 0;

	for (uint32_t i = 0; i < n; i++)
		if (o[i].xo_current && !o[i].xo_preempt)
			return i;
	for (uint32_t i = 1; i < n; i++)
		if (o[i].xo_clock < o[best].xo_clock)
			best = i;
	return best;
}

/* Choosing i while the current LWP could continue is a pre-emption. */
static inline bool
xopt_is_preemption(const struct xopt *o, uint32_t n, uint32_t i)
{
	for (uint32_t j = 0; j < n; j++)
		if (o[j].xo_current && !o[j].xo_preempt)
			return o[i].xo_lwp != o[j].xo_lwp;
	return false;
}

#endif /* !_KNIT_SIM_EXPLORE_XOPT_H_ */
