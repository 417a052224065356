/*
 * LWPs: creation, start, exit and join; curlwp/curcpu; kthread(9).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/kthread.h"
#include "sys/lwp.h"

#include "cpu/machine.h"
#include "cpu/sync.h"

/* The least loaded CPU of the host (ties: the lowest index). */
static struct cpu_info *
lwp_choose_cpu(struct host *h)
{
	struct cpu_info *best = NULL, *c;
	struct lwp *q;
	int i, load, bestload = 0;

	for (i = 0; i < h->h_ncpu; i++) {
		c = &h->h_cpus[i];
		load = c->c_cur != NULL;
		TAILQ_FOREACH(q, &c->c_runq, l_q)
			load++;
		if (best == NULL || load < bestload) {
			best = c;
			bestload = load;
		}
	}
	return best;
}

/* An LWP must not end with locks held (LOCKDEBUG's exit barrier). */
static void
lwp_exit_check(struct lwp *l)
{
	char desc[200];

	if (l->l_nheld == 0)
		return;
	lockdebug_describe_owner(l->l_held[0], desc, sizeof(desc));
	sim_fail(VIOL_LOCK_MISUSE, "lock error: lwp_exit: LWP %d (%s) exits "
	    "with %d lock(s) held, first %s", l->l_id, l->l_name, l->l_nheld,
	    desc);
}

static void
lwp_entry(void *arg)
{
	struct lwp *l = arg;
	struct world *w = l->l_world;

	ctx_entered();
	if (w->w_zombie != NULL)
		lwp_reap(w);
	l->l_cpu->c_clock += w->w_cost[SIM_OP_START];
	l->l_fn(l->l_arg);
	lwp_exit_check(l);
	sched_exit(l);
}

struct lwp *
lwp_create_internal(struct host *h, struct cpu_info *bind, int flags,
    const char *name, void (*fn)(void *), void *arg)
{
	struct world *w = h->h_world;
	struct lwp *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		abort();
	if (ctx_create(&l->l_ctx, w->w_config.wc_stack_size, lwp_entry,
	    l) != 0) {
		free(l);
		return NULL;
	}
	l->l_world = w;
	l->l_host = h;
	l->l_flags = flags & ~LW_BOOTLWP;
	if (bind != NULL) {
		l->l_cpu = bind;
		l->l_flags |= LW_BOUND;
	} else {
		l->l_cpu = lwp_choose_cpu(h);
	}
	l->l_id = h->h_nextlwpid++;
	l->l_gid = w->w_nextgid++;
	sim_switch_gen++;
	snprintf(l->l_name, sizeof(l->l_name), "%s", name ? name : "lwp");
	l->l_fn = fn;
	l->l_arg = arg;
	l->l_spkind = SIM_OP_START;
	l->l_stat = LSIDLE;
	sched_lwp_init(l);
	sleepq_init(&l->l_joinq);
	TAILQ_INSERT_TAIL(&w->w_lwps, l, l_wlist);
	/* No creating LWP (scenario, boot): the hook gets NULL. */
	sync_lwp_created(sim_curlwp != NULL && sim_curlwp->l_world == w ?
	    sim_curlwp : NULL, l);
	if (l->l_flags & LW_INTR)
		return l;	/* idle until its first interrupt */
	if (!h->h_booted && !(flags & LW_BOOTLWP)) {
		l->l_stat = LSHELD;
		TAILQ_INSERT_TAIL(&h->h_heldq, l, l_q);
		return l;
	}
	sched_setrunnable(l);
	return l;
}

/* Free the stack of the LWP that exited last (never the running one). */
void
lwp_reap(struct world *w)
{
	struct lwp *z = w->w_zombie;

	w->w_zombie = NULL;
	ctx_destroy(&z->l_ctx);
}

void
lwp_free(struct lwp *l)
{
	ctx_destroy(&l->l_ctx);
	free(l);
}

struct lwp *
curlwp_get(void)
{
	return sim_curlwp;
}

struct cpu_info *
curcpu_get(void)
{
	return sim_curcpu;
}

u_int
cpu_index(const struct cpu_info *c)
{
	return (u_int)c->c_index;
}

struct cpu_info *
cpu_lookup(u_int i)
{
	struct host *h = sim_curhost();

	if (h == NULL || i >= (u_int)h->h_ncpu)
		return NULL;
	return &h->h_cpus[i];
}

int
lwp_id(const struct lwp *l)
{
	return l->l_id;
}

int
lwp_gid(const struct lwp *l)
{
	return (int)l->l_gid;
}

struct host *
lwp_host(const struct lwp *l)
{
	return l->l_host;
}

const char *
lwp_name(const struct lwp *l)
{
	return l->l_name;
}

struct proc *
lwp_proc(const struct lwp *l)
{
	return l != NULL ? l->l_proc : NULL;
}

void
lwp_setproc(struct lwp *l, struct proc *p)
{
	l->l_proc = p;
}

void
lwp_interrupt(struct lwp *l)
{
	l->l_sigpending = true;
	if (l->l_stat == LSSLEEP && l->l_sigok) {
		l->l_sigpending = false;
		sched_wakeup(l, EINTR);
	}
}

int
kthread_create(pri_t pri, int flags, struct cpu_info *ci,
    void (*func)(void *), void *arg, struct lwp **lp, const char *fmt, ...)
{
	struct host *h = sim_curhost();
	struct lwp *l;
	char name[LWP_NAMELEN];
	va_list ap;

	(void)pri;
	if (h == NULL)
		panic("kthread_create: no current host");
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	l = lwp_create_internal(h, ci, (flags & KTHREAD_MUSTJOIN) ?
	    LW_MUSTJOIN : 0, name, func, arg);
	if (l == NULL)
		return ENOMEM;
	if (lp != NULL)
		*lp = l;
	return 0;
}

void
kthread_exit(int ecode)
{
	struct lwp *l = sim_curlwp;

	if (l == NULL || (l->l_flags & (LW_NOSCHED | LW_INTR)))
		panic("kthread_exit: not in a kernel thread");
	l->l_exitcode = ecode;
	lwp_exit_check(l);
	sched_exit(l);
}

int
kthread_join(struct lwp *l)
{
	while (l->l_stat != LSZOMB)
		(void)sleepq_block(&l->l_joinq, SLK_JOIN, l, "kthrjoin", 0,
		    false, SIM_OP_SLEEP);
	sync_lwp_joined(sim_curlwp, l);
	return l->l_exitcode;
}
