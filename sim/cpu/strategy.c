/*
 * The built-in strategies and the strategy registry.
 *
 * default: the ready CPU with the earliest clock runs its own LWP; ties
 *          go to the lowest (host, cpu) index.  Never pre-empts (so the
 *          scheduler answers for it from its ready set: ss_earliest).
 * random:  a uniformly random option from the world's "sched/random"
 *          stream, pre-emptions included.  It needs only the number of
 *          options (ss_blind).
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "cpu/strategy.h"

static uint32_t
default_choose(void *state, struct world *w, const struct sched_decision *d)
{
	uint32_t i, best = 0;

	(void)state;
	(void)w;
	/* option 0 is a CPU's own step: the list starts with one */
	for (i = 1; i < d->sd_nopts; i++) {
		if (!d->sd_opts[i].so_preempt &&
		    d->sd_opts[i].so_clock < d->sd_opts[best].so_clock)
			best = i;
	}
	return best;
}

static const struct sched_strategy sched_default = {
	.ss_name = "default",
	.ss_choose = default_choose,
	.ss_earliest = true,
};

static void *
random_init(struct world *w, const struct world_config *wc)
{
	struct rng *r = calloc(1, sizeof(*r));

	(void)wc;
	if (r != NULL)
		world_rng_stream(w, r, "sched/random");
	return r;
}

static uint32_t
random_choose(void *state, struct world *w, const struct sched_decision *d)
{
	(void)w;
	return (uint32_t)rng_below(state, d->sd_nopts);
}

static const struct sched_strategy sched_random = {
	.ss_name = "random",
	.ss_init = random_init,
	.ss_choose = random_choose,
	.ss_fini = free,
	.ss_blind = true,
};

/* Built-in strategies.  sim/explore may add a line here. */
static const struct sched_strategy *const sched_builtin[] = {
	&sched_default,
	&sched_random,
};

#define SCHED_MAXREG	16
static const struct sched_strategy *sched_registered[SCHED_MAXREG];
static int sched_nregistered;

const struct sched_strategy *
sched_strategy_lookup(const char *name)
{
	size_t i;

	if (name == NULL || *name == '\0')
		name = "default";
	for (i = 0; i < sizeof(sched_builtin) / sizeof(sched_builtin[0]); i++)
		if (strcmp(sched_builtin[i]->ss_name, name) == 0)
			return sched_builtin[i];
	for (i = 0; i < (size_t)sched_nregistered; i++)
		if (strcmp(sched_registered[i]->ss_name, name) == 0)
			return sched_registered[i];
	return NULL;
}

int
sched_strategy_register(const struct sched_strategy *ss)
{
	if (sched_strategy_lookup(ss->ss_name) != NULL ||
	    sched_nregistered == SCHED_MAXREG)
		return -1;
	sched_registered[sched_nregistered++] = ss;
	return 0;
}
