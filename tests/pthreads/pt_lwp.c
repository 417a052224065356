/*
 * pthreads platform: LWPs, kernel threads, CPUs, console, panic, time,
 * and booting the host (VNET copy and VNET_SYSINITs).
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pt_impl.h"
#include "kapi_pthreads.h"
#include "sys/intr.h"
#include "sys/kthread.h"
#include "sys/lwp.h"
#include "sys/sdt.h"
#include "sys/vnet.h"

__thread struct lwp *pt_curlwp;
int pt_ncpu = 1;
uintptr_t vnet_curbase;

static struct cpu_info pt_cpus[64];
static pthread_mutex_t pt_lwp_lock = PTHREAD_MUTEX_INITIALIZER;
static int pt_nextid = 1;
static uint64_t pt_boot_ns;
static void *pt_vnet_copy;

extern char __start_knit_vnet[] __attribute__((__weak__));
extern char __stop_knit_vnet[] __attribute__((__weak__));

uint64_t
pt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Absolute CLOCK_MONOTONIC deadline `ticks' from now. */
void
pt_abstime(struct timespec *ts, int ticks)
{
	uint64_t t = pt_now_ns() + (uint64_t)ticks * NS_PER_TICK;

	ts->tv_sec = (time_t)(t / 1000000000ULL);
	ts->tv_nsec = (long)(t % 1000000000ULL);
}

uint64_t
getnanouptime(void)
{
	return pt_now_ns() - pt_boot_ns;
}

int
ncpu_get(void)
{
	return pt_ncpu;
}

void
preempt_point(void)
{
	sched_yield();
}

void
vkprintf(const char *fmt, va_list ap)
{
	vfprintf(stderr, fmt, ap);
}

void
kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

void
kassert_fail(const char *expr, const char *file, int line, const char *func,
    const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "panic: kernel diagnostic assertion \"%s\" failed: "
	    "file \"%s\", line %d, function \"%s\"", expr, file, line, func);
	if (fmt != NULL) {
		fprintf(stderr, ": ");
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "\n");
	abort();
}

struct lwp *
pt_lwp_alloc(const char *name)
{
	struct lwp *l = calloc(1, sizeof(*l));

	if (l == NULL)
		panic("pt_lwp_alloc: out of memory");
	pthread_mutex_lock(&pt_lwp_lock);
	l->l_id = pt_nextid++;
	pthread_mutex_unlock(&pt_lwp_lock);
	snprintf(l->l_name, sizeof(l->l_name), "%s", name);
	return l;
}

static void *
pt_lwp_trampoline(void *arg)
{
	struct lwp *l = arg;

	pt_curlwp = l;
	(*l->l_fn)(l->l_arg);
	if (!l->l_joinable)
		free(l);
	return NULL;
}

struct lwp *
pt_lwp_start(const char *name, void (*fn)(void *), void *arg, bool joinable)
{
	struct lwp *l = pt_lwp_alloc(name);
	pthread_attr_t attr;

	l->l_fn = fn;
	l->l_arg = arg;
	l->l_joinable = joinable;
	pthread_attr_init(&attr);
	if (!joinable)
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&l->l_thread, &attr, pt_lwp_trampoline, l) != 0)
		panic("pt_lwp_start: pthread_create failed");
	pthread_attr_destroy(&attr);
	return l;
}

struct lwp *
curlwp_get(void)
{
	return pt_curlwp;
}

struct cpu_info *
curcpu_get(void)
{
	/* Real threads migrate freely; report a stable CPU per LWP. */
	struct lwp *l = pt_curlwp;

	return &pt_cpus[l != NULL ? (u_int)l->l_id % (u_int)pt_ncpu : 0];
}

u_int
cpu_index(const struct cpu_info *ci)
{
	return ci->ci_index;
}

struct cpu_info *
cpu_lookup(u_int i)
{
	return i < (u_int)pt_ncpu ? &pt_cpus[i] : NULL;
}

int
lwp_id(const struct lwp *l)
{
	return l->l_id;
}

const char *
lwp_name(const struct lwp *l)
{
	return l->l_name;
}

struct proc *
lwp_proc(const struct lwp *l)
{
	return l->l_proc;
}

void
lwp_setproc(struct lwp *l, struct proc *p)
{
	l->l_proc = p;
}

int
kthread_create(pri_t pri, int flags, struct cpu_info *ci,
    void (*func)(void *), void *arg, struct lwp **lp, const char *fmt, ...)
{
	char name[32];
	va_list ap;
	struct lwp *l;

	(void)pri;
	(void)ci;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	l = pt_lwp_start(name, func, arg, (flags & KTHREAD_MUSTJOIN) != 0);
	if (lp != NULL)
		*lp = l;
	return 0;
}

void
kthread_exit(int ecode)
{
	struct lwp *l = pt_curlwp;

	(void)ecode;
	if (l != NULL && !l->l_joinable)
		free(l);
	pthread_exit(NULL);
}

int
kthread_join(struct lwp *l)
{
	KASSERT(l->l_joinable);
	pthread_join(l->l_thread, NULL);
	free(l);
	return 0;
}

struct lwp *
kapi_pthreads_spawn(const char *name, void (*fn)(void *), void *arg)
{
	return pt_lwp_start(name, fn, arg, true);
}

void
kapi_pthreads_join(struct lwp *l)
{
	kthread_join(l);
}

void
sdt_probe_fire(struct sdt_probe *sp, uintptr_t a0, uintptr_t a1,
    uintptr_t a2, uintptr_t a3, uintptr_t a4)
{
	/* No race windows on real threads; a probe is a plain yield point. */
	(void)sp; (void)a0; (void)a1; (void)a2; (void)a3; (void)a4;
}

/* VNET_SYSINIT order: (order, name); never link order or address. */
static int
sysinit_cmp(const void *a, const void *b)
{
	const struct vnet_sysinit *x = *(const struct vnet_sysinit *const *)a;
	const struct vnet_sysinit *y = *(const struct vnet_sysinit *const *)b;

	if (x->vs_order != y->vs_order)
		return x->vs_order < y->vs_order ? -1 : 1;
	return strcmp(x->vs_name, y->vs_name);
}

static const struct vnet_sysinit **
sysinits_sorted(size_t *np)
{
	size_t n = 0, i;
	const struct vnet_sysinit **v;

	if (__link_set_start(vnet_sysinit) != NULL)
		n = __link_set_count(vnet_sysinit);
	v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		panic("sysinits_sorted: out of memory");
	for (i = 0; i < n; i++)
		v[i] = __link_set_start(vnet_sysinit)[i];
	qsort(v, n, sizeof(*v), sysinit_cmp);
	*np = n;
	return v;
}

void
kapi_pthreads_boot(int ncpu)
{
	size_t vlen = 0, n, i;
	const struct vnet_sysinit **v;

	KASSERT(ncpu >= 1 && ncpu <= (int)__arraycount(pt_cpus));
	pt_ncpu = ncpu;
	for (i = 0; i < __arraycount(pt_cpus); i++)
		pt_cpus[i].ci_index = (u_int)i;
	pt_boot_ns = pt_now_ns();
	if (pt_curlwp == NULL)
		pt_curlwp = pt_lwp_alloc("main");

	if (__start_knit_vnet != NULL)
		vlen = (size_t)(__stop_knit_vnet - __start_knit_vnet);
	pt_vnet_copy = aligned_alloc(64, (vlen + 63) & ~(size_t)63);
	if (pt_vnet_copy == NULL && vlen != 0)
		panic("kapi_pthreads_boot: no memory for VNET");
	if (vlen != 0)
		memcpy(pt_vnet_copy, __start_knit_vnet, vlen);
	vnet_curbase = (uintptr_t)pt_vnet_copy - (uintptr_t)__start_knit_vnet;

	pt_callout_boot();
	v = sysinits_sorted(&n);
	for (i = 0; i < n; i++)
		(*v[i]->vs_init)();
	free(v);
}

void
kapi_pthreads_shutdown(void)
{
	size_t n, i;
	const struct vnet_sysinit **v;

	v = sysinits_sorted(&n);
	for (i = n; i-- > 0;)
		if (v[i]->vs_fini != NULL)
			(*v[i]->vs_fini)();
	free(v);
	pt_callout_shutdown();
	free(pt_vnet_copy);
	pt_vnet_copy = NULL;
}
