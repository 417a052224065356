/*
 * PCT scheduling (see pct.h).
 *
 * Priorities are 64-bit: change-point priorities are 1 .. d-1, initial
 * ones are d + a random 48-bit value scaled above them, so a dropped LWP
 * is always below every undropped one, and two LWPs tie with negligible
 * probability (a tie is broken by option order, still deterministic).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "explore/pct.h"

void
pct_init(struct pct *p, uint64_t seed, uint32_t depth, uint64_t k)
{
	memset(p, 0, sizeof(*p));
	rng_stream(&p->p_rng, seed, "explore/pct");
	if (depth < 1)
		depth = 1;
	if (depth > PCT_MAXDEPTH)
		depth = PCT_MAXDEPTH;
	if (k < 1)
		k = 1;
	p->p_depth = depth;
	for (uint32_t i = 0; i + 1 < depth; i++)
		p->p_change[i] = rng_below(&p->p_rng, k);
	p->p_last = -1;
}

void
pct_fini(struct pct *p)
{
	free(p->p_prio);
	p->p_prio = NULL;
}

/* First sight of an LWP: room for it, and its initial priority. */
static void __attribute__((__noinline__))
prio_init(struct pct *p, uint32_t id)
{
	if (id >= p->p_nprio) {
		uint32_t n = id + 16;

		p->p_prio = realloc(p->p_prio, n * sizeof(*p->p_prio));
		if (p->p_prio == NULL)
			abort();
		memset(p->p_prio + p->p_nprio, 0,
		    (n - p->p_nprio) * sizeof(*p->p_prio));
		p->p_nprio = n;
	}
	if (p->p_prio[id] == 0) {
		p->p_prio[id] = p->p_depth + 1 +
		    (rng_next(&p->p_rng) >> 16);
		p->p_nlwps++;
	}
}

static inline uint64_t *
prio_of(struct pct *p, int lwp)
{
	uint32_t id = lwp < 0 ? 0 : (uint32_t)lwp;

	if (__builtin_expect(id >= p->p_nprio || p->p_prio[id] == 0, 0))
		prio_init(p, id);
	return &p->p_prio[id];
}

uint32_t
pct_choose(struct pct *p, const struct xopt *o, uint32_t n, uint64_t decision)
{
	uint32_t best = 0;
	uint64_t bp = 0, pr;
	int running = -1;

	/*
	 * Priorities in option order (first sight is deterministic), and
	 * the LWP at the point, in one pass.
	 */
	for (uint32_t i = 0; i < n; i++) {
		(void)prio_of(p, o[i].xo_lwp);
		if (o[i].xo_current)
			running = o[i].xo_lwp;
	}
	if (running < 0)
		running = p->p_last;
	for (uint32_t i = 0; i + 1 < p->p_depth; i++)
		if (p->p_change[i] == decision && running >= 0)
			*prio_of(p, running) = p->p_depth - 1 - i;
	/* every option's LWP has its priority now */
	for (uint32_t i = 0; i < n; i++) {
		pr = p->p_prio[o[i].xo_lwp < 0 ? 0 : o[i].xo_lwp];
		if (pr > bp) {
			bp = pr;
			best = i;
		}
	}
	p->p_last = o[best].xo_lwp;
	return best;
}

double
pct_bound(uint64_t n, uint64_t k, uint32_t depth)
{
	double denom;

	if (n < 1)
		n = 1;
	if (k < 1)
		k = 1;
	denom = (double)n * pow((double)k, (double)(depth > 0 ? depth - 1 : 0));
	return 1.0 / denom;
}

uint64_t
pct_runs_for(double p, double confidence)
{
	double r;

	if (p >= 1.0)
		return 1;
	if (p <= 0.0)
		return UINT64_MAX;
	r = ceil(log(1.0 - confidence) / log1p(-p));
	return r >= 1.8e19 ? UINT64_MAX : (uint64_t)r;
}
