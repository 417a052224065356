/*
 * Platform-independent part of the test seam: threads through the
 * kernel API (kthread_create/kthread_join), bound to processes.
 */
#include <stdlib.h>

#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/kthread.h"
#include "sys/lwp.h"
#include "sys/proc.h"

#include "tp.h"

struct tp_thread {
	struct lwp	*tt_lwp;
	struct proc	*tt_proc;
	bool		 tt_ownproc;
	void		(*tt_fn)(void *);
	void		*tt_arg;
};

static void
tp_trampoline(void *arg)
{
	struct tp_thread *tt = arg;

	proc_attach_lwp(tt->tt_proc, curlwp);
	(*tt->tt_fn)(tt->tt_arg);
	if (tt->tt_ownproc)
		proc_exit(tt->tt_proc);
	proc_detach_lwp(curlwp);
	kthread_exit(0);
}

struct tp_thread *
tp_start(struct proc *p, void (*fn)(void *), void *arg)
{
	struct tp_thread *tt;

	tt = kmem_zalloc(sizeof(*tt), KM_SLEEP);
	tt->tt_fn = fn;
	tt->tt_arg = arg;
	if (p == NULL) {
		(void)proc_create("tp", 100, 100, &p);
		tt->tt_ownproc = true;
	}
	tt->tt_proc = p;
	if (kthread_create(PRI_NONE, KTHREAD_MPSAFE | KTHREAD_MUSTJOIN, NULL,
	    tp_trampoline, tt, &tt->tt_lwp, "tp") != 0)
		panic("tp_start: kthread_create");
	return tt;
}

void
tp_join(struct tp_thread *tt)
{
	(void)kthread_join(tt->tt_lwp);
	kmem_free(tt, sizeof(*tt));
}

void
tp_yield(void)
{
	preempt_point();
}
