/*
 * Timed callbacks (callout(9)).  A callout fires in softclock context on
 * the CPU it was last scheduled from (or bound to).  callout_stop really
 * removes a pending callout; callout_halt also waits for a running
 * handler to finish (dropping interlock, if given, while waiting).
 */
#ifndef _KNIT_SYS_CALLOUT_H_
#define _KNIT_SYS_CALLOUT_H_

#include "sys/mutex.h"

typedef struct callout {
	uintptr_t	c_opaque[16];
} callout_t;

#define CALLOUT_MPSAFE	0x0100

struct cpu_info;

void	callout_init(callout_t *, u_int flags);
void	callout_destroy(callout_t *);
void	callout_setfunc(callout_t *, void (*)(void *), void *);
void	callout_reset(callout_t *, int ticks, void (*)(void *), void *);
void	callout_schedule(callout_t *, int ticks);
bool	callout_stop(callout_t *);		/* true if it was pending */
bool	callout_halt(callout_t *, kmutex_t *interlock);
bool	callout_pending(callout_t *);
bool	callout_expired(callout_t *);
bool	callout_active(callout_t *);
bool	callout_invoking(callout_t *);
void	callout_ack(callout_t *);
void	callout_bind(callout_t *, struct cpu_info *);

#endif /* !_KNIT_SYS_CALLOUT_H_ */
