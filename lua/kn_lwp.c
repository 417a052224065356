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
