/*
 * The test seam on the pthreads platform: one host on real threads.
 * Schedules are whatever the OS does, so race tests repeat instead of
 * drawing seeds; a failure aborts the (forked) test process.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kapi_pthreads.h"
#include "sys/systm.h"
#include "sys/condvar.h"
#include "sys/file.h"
#include "sys/lwp.h"
#include "sys/mbuf.h"
#include "sys/proc.h"
#include "sys/socketvar.h"
#include "sys/un.h"

#include "tp.h"

void
tp_set_lockorder(bool on)
{
	(void)on;
}

void
tp_set_window(const char *pattern, uint64_t hold_ns)
{
	(void)pattern;
	(void)hold_ns;
}

uint64_t
tp_last_hash(void)
{
	return 0;
}

bool
tp_is_sim(void)
{
	return false;
}

int
tp_race_iterations(void)
{
	return 200;
}

void
tp_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

void
tp_run(uint64_t seed, int ncpu, void (*fn)(void *), void *arg)
{
	struct proc *p;

	(void)seed;
	kapi_pthreads_boot(ncpu);
	(void)proc_create("test", 100, 100, &p);
	proc_attach_lwp(p, curlwp);
	(*fn)(arg);
	proc_exit(p);
	proc_detach_lwp(curlwp);
	tp_finish();
	kapi_pthreads_shutdown();
}
