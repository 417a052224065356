/*
 * Interrupt priority levels, software interrupts and hard interrupts.
 *
 * Each CPU has one interrupt LWP per slot (four softint levels and one
 * hard-interrupt level), created on first use and bound to the CPU.  An
 * interrupt LWP is runnable while its slot has work; the scheduler lets
 * it pre-empt the CPU's LWP when its level is above that LWP's IPL
 * (cpu_pick in sched.c).  The pre-empted LWP stays pinned under it: it
 * cannot run elsewhere, and gets its CPU back when the interrupt LWP
 * runs out of work or goes to sleep.  A softint may block ("protocol
 * processing interrupts can safely block on locks", NetBSD 5): the LWP
 * it interrupted then continues, and may be the one that releases the
 * lock; once woken, the softint pre-empts its CPU's LWP again as soon as
 * the IPL allows.  A hard interrupt handler may not sleep.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sys/intr.h"

#include "cpu/machine.h"
#include "cpu/sync.h"
#include "record/trace.h"

static const char *const intr_slot_names[INTR_NSLOT] = {
	"softclk", "softbio", "softnet", "softser", "hardintr",
};

int
splraiseipl(ipl_t ipl)
{
	struct lwp *l = sim_curlwp;
	int old;

	if (l == NULL)
		return IPL_NONE;
	old = l->l_ipl;
	if (ipl > old)
		l->l_ipl = ipl;
	return old;
}

/* Is an interrupt above ipl waiting on CPU c? */
static bool
intr_pending_above(const struct cpu_info *c, int ipl)
{
	return c->c_intrmask != 0 &&
	    c->c_intr[31 - __builtin_clz(c->c_intrmask)]->l_level > ipl;
}

void
splx(int s)
{
	struct lwp *l = sim_curlwp;
	bool lowered;

	if (l == NULL)
		return;
	lowered = s < l->l_ipl;
	l->l_ipl = s;
	/* a pending interrupt is taken as soon as the IPL allows */
	if (lowered && !(l->l_flags & LW_NOSCHED) &&
	    intr_pending_above(l->l_cpu, s))
		sched_point(SIM_OP_SPL);
}

bool
cpu_intr_p(void)
{
	return sim_curlwp != NULL && (sim_curlwp->l_flags & LW_HARDINTR);
}

bool
cpu_softintr_p(void)
{
	return sim_curlwp != NULL && (sim_curlwp->l_flags & LW_SOFTINT);
}

/* A handler must leave no lock held and the IPL where it found it. */
static void
intr_check_clean(struct lwp *l, const char *what, void *fn)
{
	if (l->l_nheld != 0)
		sim_fail(VIOL_LOCK_MISUSE, "lock error: %s %p returned with "
		    "%d lock(s) held", what, fn, l->l_nheld);
	l->l_ipl = l->l_level;
}

/* Each handler's begin and end, for the recorder (level full). */
#define INTR_TRACE(w, l, begin)						\
	do {								\
		if (__builtin_expect((w)->w_recorder != NULL, 0))	\
			trace_intr((w)->w_recorder, (l),		\
			    intr_slot_names[(l)->l_slot], (begin));	\
	} while (0)

static void
intr_lwp_main(void *arg)
{
	struct lwp *l = sim_curlwp;
	struct cpu_info *c = l->l_cpu;
	struct world *w = l->l_world;
	struct softint_pcpu *pc;
	struct softint *si;
	struct hardintr *hi;
	void (*fn)(void *);
	void *fnarg;

	(void)arg;
	for (;;) {
		if (l->l_slot == INTR_HARD) {
			while ((hi = STAILQ_FIRST(&c->c_hardq)) != NULL) {
				STAILQ_REMOVE_HEAD(&c->c_hardq, hi_q);
				fn = hi->hi_fn;
				fnarg = hi->hi_arg;
				STAILQ_NEXT(hi, hi_q) = w->w_hifree;
				w->w_hifree = hi;
				INTR_TRACE(w, l, true);
				fn(fnarg);
				intr_check_clean(l, "hard interrupt handler",
				    (void *)fn);
				INTR_TRACE(w, l, false);
			}
		} else {
			while ((pc = TAILQ_FIRST(&c->c_softq[l->l_slot])) !=
			    NULL) {
				TAILQ_REMOVE(&c->c_softq[l->l_slot], pc, sp_q);
				pc->sp_pending = false;
				si = pc->sp_si;
				fn = si->si_func;
				fnarg = si->si_arg;
				sync_acquire(l, si);
				INTR_TRACE(w, l, true);
				fn(fnarg);
				intr_check_clean(l, "softint handler",
				    (void *)fn);
				INTR_TRACE(w, l, false);
			}
		}
		sched_intr_idle(l);
	}
}

struct lwp *
intr_lwp_create(struct cpu_info *c, int slot)
{
	struct lwp *l;
	char name[LWP_NAMELEN];

	snprintf(name, sizeof(name), "%s/%d", intr_slot_names[slot],
	    c->c_index);
	l = lwp_create_internal(c->c_host, c, slot == INTR_HARD ?
	    LW_HARDINTR : LW_SOFTINT, name, intr_lwp_main, NULL);
	if (l == NULL)
		abort();
	l->l_slot = slot;
	l->l_level = slot == INTR_HARD ? IPL_VM : slot + IPL_SOFTCLOCK;
	l->l_ipl = l->l_level;
	l->l_spkind = SIM_OP_INTR;
	c->c_intr[slot] = l;
	return l;
}

void
intr_cpu_fini(struct cpu_info *c)
{
	struct hardintr *hi;

	while ((hi = STAILQ_FIRST(&c->c_hardq)) != NULL) {
		STAILQ_REMOVE_HEAD(&c->c_hardq, hi_q);
		free(hi);
	}
}

struct softint *
softint_establish_host(struct host *h, int slot, void (*func)(void *),
    void *arg)
{
	struct softint *si;
	int i;

	si = calloc(1, sizeof(*si) +
	    (size_t)h->h_ncpu * sizeof(struct softint_pcpu));
	if (si == NULL)
		abort();
	si->si_host = h;
	si->si_slot = slot;
	si->si_func = func;
	si->si_arg = arg;
	for (i = 0; i < h->h_ncpu; i++)
		si->si_pc[i].sp_si = si;
	LIST_INSERT_HEAD(&h->h_softints, si, si_list);
	return si;
}

void *
softint_establish(u_int flags, void (*func)(void *), void *arg)
{
	struct host *h = sim_curhost();
	u_int lvl = flags & SOFTINT_LVLMASK;

	if (h == NULL)
		panic("softint_establish: no current host");
	if (lvl > SOFTINT_SERIAL)
		panic("softint_establish: bad level %u", lvl);
	return softint_establish_host(h, (int)lvl, func, arg);
}

void
softint_schedule_cpu(struct softint *si, struct cpu_info *c)
{
	struct softint_pcpu *pc = &si->si_pc[c->c_index];

	if (pc->sp_pending)
		return;
	pc->sp_pending = true;
	TAILQ_INSERT_TAIL(&c->c_softq[si->si_slot], pc, sp_q);
	sched_intr_kick(c, si->si_slot);
}

void
softint_schedule(void *cookie)
{
	struct softint *si = cookie;
	struct cpu_info *c = sim_curcpu;

	sched_point_obj(SIM_OP_SOFTINT, si);
	c = sim_curcpu;
	if (c == NULL || c->c_host != si->si_host)
		c = &si->si_host->h_cpus[0];
	sync_release(sim_curlwp, si);
	softint_schedule_cpu(si, c);
}

void
softint_disestablish(void *cookie)
{
	struct softint *si = cookie;
	struct host *h = si->si_host;
	int i;

	for (i = 0; i < h->h_ncpu; i++) {
		if (si->si_pc[i].sp_pending)
			TAILQ_REMOVE(&h->h_cpus[i].c_softq[si->si_slot],
			    &si->si_pc[i], sp_q);
	}
	LIST_REMOVE(si, si_list);
	free(si);
}

void
host_intr_raise(struct host *h, int cpu, void (*handler)(void *), void *arg)
{
	struct world *w = h->h_world;
	struct cpu_info *c;
	struct hardintr *hi;

	if (cpu < 0 || cpu >= h->h_ncpu)
		cpu = 0;
	c = &h->h_cpus[cpu];
	if ((hi = w->w_hifree) != NULL)
		w->w_hifree = STAILQ_NEXT(hi, hi_q);
	else if ((hi = calloc(1, sizeof(*hi))) == NULL)
		abort();
	hi->hi_fn = handler;
	hi->hi_arg = arg;
	STAILQ_INSERT_TAIL(&c->c_hardq, hi, hi_q);
	sched_intr_kick(c, INTR_HARD);
}
