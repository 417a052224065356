/*
 * The kernel's basic services: assertions, panic, console output, time.
 * Implemented by the platform (sim/ or tests/pthreads/).
 *
 * A KASSERT failure or a panic fails the simulated host and the run; it
 * never aborts knit itself.  Both functions do not return: the calling
 * LWP is never run again.
 */
#ifndef _KNIT_SYS_SYSTM_H_
#define _KNIT_SYS_SYSTM_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <sys/types.h>

#include "sys/cdefs.h"

void	panic(const char *, ...) __dead __printflike(1, 2);
void	kassert_fail(const char *expr, const char *file, int line,
	    const char *func, const char *fmt, ...) __dead __printflike(5, 6);
/* Console output of the current host (the run's kernel log). */
void	kprintf(const char *, ...) __printflike(1, 2);
void	vkprintf(const char *, va_list);

/* Assertions are always compiled in: catching violations is the point. */
#define KASSERT(e)							\
	(__predict_true(e) ? (void)0 :					\
	    kassert_fail(#e, __FILE__, __LINE__, __func__, NULL))
#define KASSERTMSG(e, ...)						\
	(__predict_true(e) ? (void)0 :					\
	    kassert_fail(#e, __FILE__, __LINE__, __func__, __VA_ARGS__))
#define CTASSERT(e)	__CTASSERT(e)

/*
 * Time.  hz is the tick rate of callouts and timed sleeps; virtual time
 * is kept in nanoseconds.  getnanouptime() is the current CPU's clock.
 */
#define hz		1000
#define mstohz(ms)	((int)(((uint64_t)(ms) * hz + 999) / 1000))
#define hztoms(t)	((uint64_t)(t) * 1000 / hz)
#define NS_PER_TICK	(1000000000ULL / hz)

uint64_t	getnanouptime(void);
#define time_uptime	((time_t)(getnanouptime() / 1000000000ULL))

/* Number of CPUs of the current host (NetBSD's ncpu). */
int	ncpu_get(void);

/*
 * A scheduling point with no other effect: lets the platform switch to
 * another LWP here (NetBSD's preempt()/yield()).
 */
void	preempt_point(void);

#endif /* !_KNIT_SYS_SYSTM_H_ */
