/*
 * The Lua layer's use of the kernel: processes for LWPs, sleeping, and
 * running userland programs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/condvar.h"
#include "sys/lwp.h"
#ifndef KN_NO_USERLAND
#include "sys/proc.h"
#endif
#include "sys/systm.h"

#include "sim.h"
#include "check/race.h"
#ifndef KN_NO_NET
#include "net/if.h"
#endif
#include "kn_proc.h"
#ifndef KN_NO_USERLAND
#include "userland/ul.h"
#endif

void
kn_lwp_sleep(uint64_t ns)
{
	sim_sleep(ns);
}

#ifdef KN_NO_USERLAND
/* Built before the process and system-call layers exist. */
void *
kn_kproc_enter(const char *name)
{
	(void)name;
	return NULL;
}

void
kn_kproc_leave(void *arg)
{
	(void)arg;
}
#else
void *
kn_kproc_enter(const char *name)
{
	struct proc *p;

	if (proc_create(name, 0, 0, &p) != 0)
		return NULL;
	proc_attach_lwp(p, curlwp);
	return p;
}

void
kn_kproc_leave(void *arg)
{
	struct proc *p = arg;

	if (p == NULL)
		return;
	proc_exit(p);
	proc_detach_lwp(curlwp);
}

void
kn_wait_nics(int n)
{
#ifndef KN_NO_NET
	char name[16];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "vnic%d", i);
		while (ifunit(name) == NULL)
			sim_sleep(1000);
	}
#else
	(void)n;
#endif
}

uint64_t
ul_clock_ns(void)
{
	return sim_now();
}

void
ul_nanosleep(uint64_t ns)
{
	sim_sleep(ns);
}

/*
 * Whole 8-byte granules: race_forget keeps the history of a granule the
 * block shares with a neighbour, so a block must own its last one.
 */
static size_t
ul_granules(size_t size)
{
	return (size + 7) & ~(size_t)7;
}

void *
ul_zalloc(size_t size)
{
	void *p = calloc(1, ul_granules(size));

	if (p != NULL && race_current != NULL)
		race_forget(race_current, (uintptr_t)p, ul_granules(size));
	return p;
}

/*
 * Forgotten at free too: the allocator may hand these bytes to the Lua
 * state (a string another process's sendto passes to the kernel), which
 * does not come through ul_zalloc.
 */
void
ul_free(void *p, size_t size)
{
	if (p == NULL)
		return;
	if (race_current != NULL)
		race_forget(race_current, (uintptr_t)p, ul_granules(size));
	free(p);
}

int
kn_exec(const char *cmdline, char **out, char **err)
{
	struct ul_io io;
	int st;

	memset(&io, 0, sizeof(io));
	st = ul_exec(&io, cmdline);
	*out = io.io_out.b_data;
	*err = io.io_err.b_data;
	return st;
}
#endif /* KN_NO_USERLAND */
