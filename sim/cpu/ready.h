/*
 * The scheduler's ready set (ready.c): which CPUs have something to
 * run, ordered by effective clock, kept up to date incrementally.
 * Private to sim/cpu/sched.c and ready.c; the invariants are stated at
 * struct world's w_ready in machine.h.
 */
#ifndef _KNIT_SIM_CPU_READY_H_
#define _KNIT_SIM_CPU_READY_H_

#include "cpu/machine.h"
#include "cpu/strategy.h"

/*
 * The LWP CPU c would run if stepped now, or NULL.  Pure: no state
 * changes.  Interrupt levels rise with the slot number, so only the
 * highest runnable slot can pre-empt.
 */
static inline struct lwp *
cpu_pick(const struct cpu_info *c)
{
	struct lwp *cur = c->c_cur, *il;

	if (c->c_intrmask != 0) {
		il = c->c_intr[31 - __builtin_clz(c->c_intrmask)];
		if (cur == NULL || il->l_level > cur->l_ipl)
			return il;
	}
	if (cur != NULL)
		return cur->l_stat == LSONPROC ? cur : NULL;
	return TAILQ_FIRST(&c->c_runq);
}

/* The effective clock of LWP p on CPU c: it cannot run before either. */
static inline uint64_t
cpu_effclock(const struct cpu_info *c, const struct lwp *p)
{
	return c->c_clock > p->l_readytime ? c->c_clock : p->l_readytime;
}

/*
 * Does CPU c, about to run p, offer its run queue as pre-emptions?
 * Only when p is the CPU's own LWP at IPL_NONE: an interrupt LWP is
 * never pre-empted by the run queue, and, as in NetBSD, neither is an
 * LWP at a raised IPL (which every holder of a spin mutex is: taking
 * its CPU away would leave the CPUs spinning on that mutex forever).
 */
static inline bool
cpu_preemptible(const struct cpu_info *c, const struct lwp *p)
{
	return p == c->c_cur && !(p->l_flags & LW_INTR) && p->l_ipl == 0;
}

void	ready_eval(struct world *, struct cpu_info *);

/* Re-evaluate every CPU on the dirty list. */
static inline void
ready_refresh(struct world *w)
{
	struct cpu_info *c;

	while (w->w_ndirty != 0) {
		c = w->w_dirty[--w->w_ndirty];
		c->c_dirty = false;
		ready_eval(w, c);
	}
}
/* Put every CPU on the dirty list (the world ran code we did not see). */
void	ready_invalidate(struct world *);

/* The ready CPU with the earliest (c_eff, c_gindex), or NULL. */
static inline struct cpu_info *
ready_first(const struct world *w)
{
	return w->w_nready != 0 ? w->w_ready[0] : NULL;
}

/*
 * The ready CPUs with c_eff <= limit, in c_gindex order, into
 * w->w_wincpu; returns how many.  Costs O(k log k) for k CPUs found
 * (O(ncpus / 64 + k) when limit is UINT64_MAX).
 */
uint32_t ready_window(struct world *, uint64_t limit);
/* The number of options offered by ready CPUs with c_gindex < g. */
uint32_t ready_rank(const struct world *, int g);

/*
 * The inverse: the c_gindex of the ready CPU that offers option *idx of
 * all ready CPUs' options in c_gindex order (*idx < w_noptsum); *idx
 * becomes the option's number among that CPU's.  O(log ncpus).
 *
 * A descent of the Fenwick tree to the largest prefix of CPUs whose
 * options sum to <= *idx.  It starts at half the smallest power of two
 * m >= w_ncpus: the tree's nodes 1 .. m cover only CPUs below m, and
 * node m (all options) is never <= *idx.  Branch-free: the random
 * strategy's index is unpredictable, and so would every branch be.
 */
static inline int
ready_find(const struct world *w, uint32_t *idx)
{
	uint32_t n = (uint32_t)w->w_ncpus, pos = 0, rem = *idx, step, v, take;

	step = n > 1 ? 1u << (31 - __builtin_clz(n - 1)) : 0;
	for (; step != 0; step >>= 1) {
		v = w->w_fen[pos + step - 1];
		take = -(uint32_t)(v <= rem);
		pos += step & take;
		rem -= v & take;
	}
	*idx = rem;
	return (int)pos;
}

/*
 * Self-check (w_schedcheck): compare the choice sched_choose made from
 * the incremental set with one made from a scan of every CPU.  n options
 * within limit; idx chosen (of cpu c, LWP p, pre-emption or not); opts
 * is the listed option array, or NULL when the scheduler did not list
 * them: then, if earliest, the choice must be the default strategy's,
 * else (ss_blind, replay) option idx of a scan must be (c, p, preempt).
 * On a mismatch records a VIOL_PANIC and stops the world.
 */
void	ready_check(struct world *, uint64_t limit, uint32_t n,
	    const struct sched_option *opts, bool earliest, uint32_t idx,
	    const struct cpu_info *c, const struct lwp *p, bool preempt);

#endif /* !_KNIT_SIM_CPU_READY_H_ */
