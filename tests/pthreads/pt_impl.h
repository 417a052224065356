/*
 * Private definitions shared by the files of the pthreads platform.
 */
#ifndef _KNIT_TESTS_PTHREADS_PT_IMPL_H_
#define _KNIT_TESTS_PTHREADS_PT_IMPL_H_

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sys/systm.h"
#include "sys/mutex.h"
#include "sys/condvar.h"

struct pt_cv;

struct lwp {
	pthread_t	 l_thread;
	int		 l_id;
	char		 l_name[32];
	struct proc	*l_proc;
	int		 l_ipl;
	bool		 l_softint;
	bool		 l_joinable;
	volatile bool	 l_interrupted;
	struct pt_cv	*l_sleepcv;	/* cv slept on, for lwp_interrupt */
	void		(*l_fn)(void *);
	void		*l_arg;
};

struct cpu_info {
	u_int		 ci_index;
};

extern __thread struct lwp *pt_curlwp;
extern int pt_ncpu;

struct lwp *pt_lwp_alloc(const char *name);
struct lwp *pt_lwp_start(const char *name, void (*fn)(void *), void *arg,
	    bool joinable);
void	pt_abstime(struct timespec *, int ticks);
uint64_t pt_now_ns(void);

struct pt_mutex {
	pthread_mutex_t	 pm_mutex;
	struct lwp	*pm_owner;
	int		 pm_ipl;
	int		 pm_oldipl;
	const char	*pm_name;
};
__CTASSERT(sizeof(struct pt_mutex) <= sizeof(kmutex_t));

struct pt_cv {
	pthread_cond_t	 pc_cond;
	const char	*pc_wmesg;
	/*
	 * Sleepers not yet woken by a broadcast (cv_has_waiters), and the
	 * broadcast generation; both under the interlock.
	 */
	u_int		 pc_nwaiters;
	u_int		 pc_gen;
};
__CTASSERT(sizeof(struct pt_cv) <= sizeof(kcondvar_t));

void	pt_callout_boot(void);
void	pt_callout_shutdown(void);

#endif /* !_KNIT_TESTS_PTHREADS_PT_IMPL_H_ */
