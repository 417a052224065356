/*
 * Light-weight processes and CPUs as the stack sees them.  Both structures
 * are opaque: only the accessors below are part of the kernel API.
 */
#ifndef _KNIT_SYS_LWP_H_
#define _KNIT_SYS_LWP_H_

#include "sys/systm.h"

struct lwp;
struct cpu_info;
struct proc;

struct lwp	*curlwp_get(void);
struct cpu_info	*curcpu_get(void);
#define curlwp		curlwp_get()
#define curcpu()	curcpu_get()

u_int		 cpu_index(const struct cpu_info *);
struct cpu_info	*cpu_lookup(u_int);

int		 lwp_id(const struct lwp *);	/* unique within the host */
const char	*lwp_name(const struct lwp *);

/* The process an LWP belongs to; NULL for kernel threads. */
struct proc	*lwp_proc(const struct lwp *);
void		 lwp_setproc(struct lwp *, struct proc *);
#define curproc		lwp_proc(curlwp)

/* Deliver a simulated signal: interruptible sleeps return EINTR. */
void		 lwp_interrupt(struct lwp *);

#endif /* !_KNIT_SYS_LWP_H_ */
