/*
 * SDT probes: firing (a scheduling point) and the per-world hooks that
 * scenarios attach to probes (race windows).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/sdt.h"

#include "cpu/machine.h"

struct sim_probe_hook {
	struct sim_probe_hook *ph_next;
	struct sdt_probe *ph_probe;
	sim_probe_fn	 ph_fn;
	void		*ph_arg;
};

int
sim_probe_name(const struct sdt_probe *p, char *buf, size_t len)
{
	return snprintf(buf, len, "%s:%s:%s:%s", p->sp_provider,
	    p->sp_module, p->sp_function, p->sp_name);
}

static int
probe_cmp(const void *a, const void *b)
{
	char x[256], y[256];

	sim_probe_name(*(struct sdt_probe *const *)a, x, sizeof(x));
	sim_probe_name(*(struct sdt_probe *const *)b, y, sizeof(y));
	return strcmp(x, y);
}

struct sdt_probe *const *
sim_probe_list(size_t *np)
{
	static struct sdt_probe **sorted;
	static size_t n;
	size_t i;

	if (sorted == NULL) {
		if (__link_set_start(sdt_probes) != NULL)
			n = __link_set_count(sdt_probes);
		sorted = calloc(n + 1, sizeof(*sorted));
		if (sorted == NULL)
			abort();
		for (i = 0; i < n; i++)
			sorted[i] = __link_set_start(sdt_probes)[i];
		qsort(sorted, n, sizeof(*sorted), probe_cmp);
	}
	*np = n;
	return sorted;
}

int
sim_probe_attach(struct world *w, const char *pattern, sim_probe_fn fn,
    void *arg)
{
	struct sdt_probe *const *v;
	struct sim_probe_hook *ph, **tail;
	char name[256];
	size_t n, i;
	int matched = 0;

	if (pattern == NULL || fn == NULL)
		return -1;
	v = sim_probe_list(&n);
	for (tail = &w->w_probes; *tail != NULL; tail = &(*tail)->ph_next)
		continue;
	for (i = 0; i < n; i++) {
		sim_probe_name(v[i], name, sizeof(name));
		if (fnmatch(pattern, name, 0) != 0)
			continue;
		if ((ph = calloc(1, sizeof(*ph))) == NULL)
			abort();
		ph->ph_probe = v[i];
		ph->ph_fn = fn;
		ph->ph_arg = arg;
		*tail = ph;
		tail = &ph->ph_next;
		v[i]->sp_enabled++;
		matched++;
	}
	return matched;
}

void
probe_world_fini(struct world *w)
{
	struct sim_probe_hook *ph;

	while ((ph = w->w_probes) != NULL) {
		w->w_probes = ph->ph_next;
		ph->ph_probe->sp_enabled--;
		free(ph);
	}
}

void
sdt_probe_fire(struct sdt_probe *p, uintptr_t a0, uintptr_t a1,
    uintptr_t a2, uintptr_t a3, uintptr_t a4)
{
	struct world *w = sim_curworld;
	struct sim_probe_hook *ph;
	uintptr_t args[5] = { a0, a1, a2, a3, a4 };

	sched_point_obj(SIM_OP_PROBE, p);
	if (!p->sp_enabled || w == NULL)
		return;
	for (ph = w->w_probes; ph != NULL; ph = ph->ph_next)
		if (ph->ph_probe == p)
			ph->ph_fn(p, args, ph->ph_arg);
}
