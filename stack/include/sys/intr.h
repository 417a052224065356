/*
 * Interrupt priority levels and software interrupts.
 *
 * A softint runs as its own LWP on the CPU that scheduled it, pre-empting
 * the LWP that was running there.  It may block on a lock; while it is
 * blocked the interrupted LWP stays pinned to that CPU.
 */
#ifndef _KNIT_SYS_INTR_H_
#define _KNIT_SYS_INTR_H_

#include "sys/systm.h"

#define IPL_NONE	0
#define IPL_SOFTCLOCK	1
#define IPL_SOFTBIO	2
#define IPL_SOFTNET	3
#define IPL_SOFTSERIAL	4
#define IPL_VM		5
#define IPL_NET		IPL_VM
#define IPL_SCHED	6
#define IPL_HIGH	7
#define NIPL		8

typedef int ipl_t;

int	splraiseipl(ipl_t);
void	splx(int);
#define spl0()		splx(IPL_NONE)
#define splsoftclock()	splraiseipl(IPL_SOFTCLOCK)
#define splsoftnet()	splraiseipl(IPL_SOFTNET)
#define splnet()	splraiseipl(IPL_NET)
#define splvm()		splraiseipl(IPL_VM)
#define splsched()	splraiseipl(IPL_SCHED)
#define splhigh()	splraiseipl(IPL_HIGH)

/* softint_establish flags */
#define SOFTINT_CLOCK	0x00
#define SOFTINT_BIO	0x01
#define SOFTINT_NET	0x02
#define SOFTINT_SERIAL	0x03
#define SOFTINT_LVLMASK	0xff
#define SOFTINT_MPSAFE	0x100

void	*softint_establish(u_int flags, void (*func)(void *), void *arg);
void	softint_disestablish(void *cookie);
void	softint_schedule(void *cookie);

/* True while running in a hard interrupt handler / in a softint LWP. */
bool	cpu_intr_p(void);
bool	cpu_softintr_p(void);

#endif /* !_KNIT_SYS_INTR_H_ */
