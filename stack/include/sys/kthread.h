/*
 * Kernel threads (kthread(9)).  A kthread is an LWP of the current host.
 * ci == NULL lets the platform choose a CPU; otherwise it is bound there.
 */
#ifndef _KNIT_SYS_KTHREAD_H_
#define _KNIT_SYS_KTHREAD_H_

#include "sys/lwp.h"

typedef int pri_t;
#define PRI_NONE	(-1)
#define PRI_KERNEL	64
#define PRI_SOFTNET	220

#define KTHREAD_MPSAFE		0x01
#define KTHREAD_INTR		0x02
#define KTHREAD_MUSTJOIN	0x04

int	kthread_create(pri_t, int flags, struct cpu_info *ci,
	    void (*func)(void *), void *arg, struct lwp **lp,
	    const char *fmt, ...) __printflike(7, 8);
void	kthread_exit(int ecode) __dead;
int	kthread_join(struct lwp *);

#endif /* !_KNIT_SYS_KTHREAD_H_ */
