/*
 * Cross-host lookahead (lookahead.c): let the CPU that ran last keep
 * running while nothing that could reach its host can come earlier.
 * Private to sim/cpu/sched.c, lookahead.c and the world's set-up.
 */
#ifndef _KNIT_SIM_CPU_LOOKAHEAD_H_
#define _KNIT_SIM_CPU_LOOKAHEAD_H_

#include "cpu/machine.h"

bool	la_may_run(struct world *, struct cpu_info *c,
	    const struct cpu_info *first);

/*
 * Called by sched_choose with the ready set up to date and `first' its
 * earliest CPU (NULL: none).  Returns the CPU to step now without
 * asking the strategy (the CPU chosen last, when lookahead allows it),
 * or NULL: choose as usual.  Cheap when the usual choice is the same
 * CPU with no event due.
 */
static inline struct cpu_info *
la_choose(struct world *w, const struct cpu_info *first)
{
	struct cpu_info *c = w->w_lastcpu;

	if (c == NULL || c->c_nopt == 0 || first == NULL)
		return NULL;
	if (c == first && evq_first_time(&w->w_evq) > c->c_eff)
		return NULL;	/* the usual choice: no need to look ahead */
	if (c == w->w_la_cpu && c->c_eff < w->w_la_horizon &&
	    sim_onstack != NULL &&
	    w->w_evq.eq_fired == w->w_la_fired &&
	    w->w_evq.eq_earlier == w->w_la_earlier) {
		w->w_la_steps++;
		return c;	/* within the horizon computed last */
	}
	return la_may_run(w, c, first) ? c : NULL;
}

/* world.c and host.c */
void	la_world_init(struct world *);
void	la_host_added(struct world *, struct host *);
/* sim/net: the least delay of a link between two hosts changed. */
void	world_set_link_lookahead(struct world *, uint64_t ns);

#endif /* !_KNIT_SIM_CPU_LOOKAHEAD_H_ */
