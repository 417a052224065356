/*
 * Hosts: CPUs, the per-host VNET copy, boot and teardown.
 *
 * VNET.  Every VNET_DEFINE'd variable lives in the linker section
 * knit_vnet (the master copy, never used at run time).  A host gets a
 * private copy of the whole section made from the master when it is
 * created; vnet_curbase = copy - master while one of its LWPs runs, so
 * VNET(x) reaches the host's instance of x.
 *
 * Boot.  A host's VNET_SYSINIT constructors run on a boot LWP bound to
 * its CPU 0, sorted by (order, name).  LWPs spawned on the host before
 * the boot LWP finishes are held (LSHELD) and released in spawn order
 * when it does.  Teardown runs the destructors in the reverse order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/vnet.h"

#include "cpu/lookahead.h"
#include "cpu/machine.h"
#include "cpu/sync.h"

uintptr_t vnet_curbase;

extern char __start_knit_vnet[] __attribute__((__weak__));
extern char __stop_knit_vnet[] __attribute__((__weak__));

static size_t
vnet_size(void)
{
	if (__start_knit_vnet == NULL || __stop_knit_vnet == NULL)
		return 0;
	return (size_t)(__stop_knit_vnet - __start_knit_vnet);
}

static int
vnet_sysinit_cmp(const void *a, const void *b)
{
	const struct vnet_sysinit *x = *(const struct vnet_sysinit *const *)a;
	const struct vnet_sysinit *y = *(const struct vnet_sysinit *const *)b;

	if (x->vs_order != y->vs_order)
		return x->vs_order < y->vs_order ? -1 : 1;
	return strcmp(x->vs_name, y->vs_name);
}

/*
 * The sysinits sorted by (order, name); *np gets the count.  The link
 * set never changes: sorted once per process, not at every boot and
 * teardown (a teardown that stops half-way then leaves nothing behind).
 */
static const struct vnet_sysinit *const *
vnet_sysinits_sorted(size_t *np)
{
	static const struct vnet_sysinit **sorted;
	static size_t nsorted;
	size_t n = 0, i;

	if (sorted == NULL) {
		if (__link_set_start(vnet_sysinit) != NULL)
			n = __link_set_count(vnet_sysinit);
		sorted = calloc(n + 1, sizeof(*sorted));
		if (sorted == NULL)
			abort();
		for (i = 0; i < n; i++)
			sorted[i] = __link_set_start(vnet_sysinit)[i];
		qsort(sorted, n, sizeof(*sorted), vnet_sysinit_cmp);
		nsorted = n;
	}
	*np = nsorted;
	return sorted;
}

static void
host_boot_main(void *arg)
{
	struct host *h = arg;
	const struct vnet_sysinit *const *v;
	struct lwp *l;
	size_t n, i;

	v = vnet_sysinits_sorted(&n);
	for (i = 0; i < n; i++)
		v[i]->vs_init();
	h->h_booted = true;
	/* Everything that starts later happens after the boot. */
	sync_release(sim_curlwp, h);
	while ((l = TAILQ_FIRST(&h->h_heldq)) != NULL) {
		TAILQ_REMOVE(&h->h_heldq, l, l_q);
		sync_acquire(l, h);
		sched_setrunnable(l);
	}
}

static void
host_teardown_main(void *arg)
{
	const struct vnet_sysinit *const *v;
	size_t n, i;

	(void)arg;
	v = vnet_sysinits_sorted(&n);
	for (i = n; i-- > 0;)
		if (v[i]->vs_fini != NULL)
			v[i]->vs_fini();
}

struct host *
world_host_create(struct world *w, const char *name, int ncpu)
{
	struct host *h;
	struct cpu_info *c;
	size_t vsz = vnet_size();
	int i;

	if (ncpu < 1 || ncpu > 64 || name == NULL ||
	    world_host_lookup(w, name) != NULL)
		return NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		abort();
	h->h_world = w;
	h->h_name = strdup(name);
	h->h_index = w->w_nhosts;
	h->h_ncpu = ncpu;
	h->h_cpus = calloc((size_t)ncpu, sizeof(*h->h_cpus));
	TAILQ_INIT(&h->h_heldq);
	LIST_INIT(&h->h_softints);
	h->h_nextlwpid = 1;
	if (vsz != 0) {
		h->h_vnet = aligned_alloc(64, (vsz + 63) & ~(size_t)63);
		if (h->h_vnet == NULL)
			abort();
		memcpy(h->h_vnet, __start_knit_vnet, vsz);
		h->h_vnetbase = (uintptr_t)h->h_vnet -
		    (uintptr_t)__start_knit_vnet;
	}
	w->w_hosts = realloc(w->w_hosts,
	    (size_t)(w->w_nhosts + 1) * sizeof(*w->w_hosts));
	w->w_cpus = realloc(w->w_cpus,
	    (size_t)(w->w_ncpus + ncpu) * sizeof(*w->w_cpus));
	if (h->h_cpus == NULL || w->w_hosts == NULL || w->w_cpus == NULL)
		abort();
	w->w_hosts[w->w_nhosts++] = h;
	la_host_added(w, h);
	for (i = 0; i < ncpu; i++) {
		c = &h->h_cpus[i];
		c->c_world = w;
		c->c_host = h;
		c->c_index = i;
		c->c_gindex = w->w_ncpus;
		c->c_clock = w->w_now;
		TAILQ_INIT(&c->c_runq);
		for (int s = 0; s < INTR_NSLOT - 1; s++)
			TAILQ_INIT(&c->c_softq[s]);
		STAILQ_INIT(&c->c_hardq);
		callout_cpu_init(c);
		w->w_cpus[w->w_ncpus++] = c;
		sched_cpu_changed(c);
	}
	/* the pseudo-LWP of host_enter */
	h->h_ctxlwp.l_world = w;
	h->h_ctxlwp.l_host = h;
	h->h_ctxlwp.l_cpu = &h->h_cpus[0];
	h->h_ctxlwp.l_flags = LW_NOSCHED;
	sim_switch_gen++;
	h->h_ctxlwp.l_stat = LSONPROC;
	snprintf(h->h_ctxlwp.l_name, sizeof(h->h_ctxlwp.l_name), "host_enter");
	(void)lwp_create_internal(h, &h->h_cpus[0], LW_BOOTLWP, "boot",
	    host_boot_main, h);
	return h;
}

void
host_teardown(struct host *h)
{
	(void)lwp_create_internal(h, &h->h_cpus[0], LW_BOOTLWP, "teardown",
	    host_teardown_main, h);
}

void
host_free(struct host *h)
{
	struct softint *si;
	int i;

	while ((si = LIST_FIRST(&h->h_softints)) != NULL) {
		LIST_REMOVE(si, si_list);
		free(si);
	}
	for (i = 0; i < h->h_ncpu; i++)
		intr_cpu_fini(&h->h_cpus[i]);
	free(h->h_cpus);
	free(h->h_vnet);
	free(h->h_name);
	free(h);
}

struct host *
world_host_lookup(struct world *w, const char *name)
{
	int i;

	for (i = 0; i < w->w_nhosts; i++)
		if (strcmp(w->w_hosts[i]->h_name, name) == 0)
			return w->w_hosts[i];
	return NULL;
}

const char *
host_name(const struct host *h)
{
	return h->h_name;
}

int
host_ncpu(const struct host *h)
{
	return h->h_ncpu;
}

int
host_index(const struct host *h)
{
	return h->h_index;
}

struct world *
host_world(const struct host *h)
{
	return h->h_world;
}

bool
host_failed(const struct host *h)
{
	return h->h_failed;
}

struct cpu_info *
host_cpu(struct host *h, int i)
{
	return i >= 0 && i < h->h_ncpu ? &h->h_cpus[i] : NULL;
}

struct lwp *
host_spawn(struct host *h, const char *name, int cpu, void (*fn)(void *),
    void *arg)
{
	struct cpu_info *c = NULL;

	if (cpu >= h->h_ncpu)
		return NULL;
	if (cpu >= 0)
		c = &h->h_cpus[cpu];
	return lwp_create_internal(h, c, 0, name, fn, arg);
}

/* Saved context of host_enter (not nestable inside an LWP). */
static struct {
	struct lwp	*he_lwp;
	struct cpu_info	*he_cpu;
	struct world	*he_world;
	uintptr_t	 he_vnet;
} host_saved;

void
host_enter(struct host *h)
{
	host_saved.he_lwp = sim_curlwp;
	host_saved.he_cpu = sim_curcpu;
	host_saved.he_world = sim_curworld;
	host_saved.he_vnet = vnet_curbase;
	sim_set_current(&h->h_ctxlwp, &h->h_cpus[0]);
	sim_curworld = h->h_world;
	vnet_curbase = h->h_vnetbase;
}

void
host_leave(struct host *h)
{
	(void)h;
	sim_set_current(host_saved.he_lwp, host_saved.he_cpu);
	sim_curworld = host_saved.he_world;
	vnet_curbase = host_saved.he_vnet;
}

struct host *
sim_host(void)
{
	return sim_curlwp != NULL ? sim_curlwp->l_host : NULL;
}

struct host *
sim_curhost(void)
{
	return sim_curlwp != NULL ? sim_curlwp->l_host : NULL;
}
