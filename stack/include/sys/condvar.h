/*
 * Condition variables (condvar(9)).
 *
 * cv_timedwait takes a timeout in ticks (see hz); 0 means no timeout.  It
 * returns 0 when woken, EWOULDBLOCK on timeout.  The _sig variants may
 * also return EINTR when the LWP is interrupted (a simulated signal).
 * Using one cv with two different mutexes fails the run.
 */
#ifndef _KNIT_SYS_CONDVAR_H_
#define _KNIT_SYS_CONDVAR_H_

#include "sys/mutex.h"

typedef struct kcondvar {
	uintptr_t	cv_opaque[8];
} kcondvar_t;

void	cv_init(kcondvar_t *, const char *wmesg);
void	cv_destroy(kcondvar_t *);
void	cv_wait(kcondvar_t *, kmutex_t *);
int	cv_wait_sig(kcondvar_t *, kmutex_t *);
int	cv_timedwait(kcondvar_t *, kmutex_t *, int ticks);
int	cv_timedwait_sig(kcondvar_t *, kmutex_t *, int ticks);
void	cv_signal(kcondvar_t *);
void	cv_broadcast(kcondvar_t *);
bool	cv_has_waiters(kcondvar_t *);

/*
 * Sleep for a number of ticks (kpause(9)).  If mtx is not NULL it is
 * released while sleeping and re-acquired before returning.  Returns
 * EWOULDBLOCK when the time passed, EINTR if interrupted.
 */
int	kpause(const char *wmesg, bool intr, int ticks, kmutex_t *mtx);

#endif /* !_KNIT_SYS_CONDVAR_H_ */
