/*
 * Delta debugging over deviation lists (see minimize.h).
 *
 * Invariant: `cur' always reproduces the failure; it is replaced only
 * by the deviations a successful run actually made, which are never
 * more than the run was given plus fallbacks, so progress is monotone
 * in the common case and bounded by max_runs in every case.
 */
#include <stdlib.h>
#include <string.h>

#include "explore/minimize.h"
#include "explore/xopt.h"

void
xguide_init(struct xguide *g, const struct xdevs *try)
{
	memset(g, 0, sizeof(*g));
	g->g_try = try;
	g->g_last = -1;
}

void
xguide_fini(struct xguide *g)
{
	free(g->g_steps);
	xdevs_fini(&g->g_actual);
}

/* The LWP at the point, and its decision count (post-incremented). */
static void
point_key(struct xguide *g, const struct xopt *o, uint32_t n, int *atp,
    uint64_t *stepp)
{
	int at = g->g_last;
	size_t id;

	for (uint32_t i = 0; i < n; i++)
		if (o[i].xo_current)
			at = o[i].xo_lwp;
	id = at < 0 ? 0 : (size_t)at + 1;
	if (id >= g->g_nsteps) {
		size_t nn = id + 16;

		g->g_steps = realloc(g->g_steps, nn * sizeof(*g->g_steps));
		if (g->g_steps == NULL)
			abort();
		memset(g->g_steps + g->g_nsteps, 0,
		    (nn - g->g_nsteps) * sizeof(*g->g_steps));
		g->g_nsteps = nn;
	}
	*atp = at;
	*stepp = g->g_steps[id]++;
}

static void
note(struct xguide *g, const struct xopt *o, uint32_t n, uint32_t def,
    uint32_t pick, int at, uint64_t step)
{
	struct xdevs *a = &g->g_actual;
	struct xdev *d;

	g->g_last = o[pick].xo_lwp;
	g->g_decision++;
	if (pick == def)
		return;
	a->xs_dev = realloc(a->xs_dev, (a->xs_len + 1) * sizeof(*a->xs_dev));
	if (a->xs_dev == NULL)
		abort();
	d = &a->xs_dev[a->xs_len++];
	d->xd_at = at;
	d->xd_step = step;
	d->xd_lwp = o[pick].xo_lwp;
	d->xd_preempt_opt = o[pick].xo_preempt;
	d->xd_preempt = xopt_is_preemption(o, n, pick);
	d->xd_decision = g->g_decision - 1;
}

uint32_t
xguide_choose(struct xguide *g, const struct xopt *o, uint32_t n,
    uint32_t def)
{
	uint32_t pick = def;
	uint64_t step;
	int at;

	point_key(g, o, n, &at, &step);
	for (size_t i = 0; g->g_try != NULL && i < g->g_try->xs_len; i++) {
		const struct xdev *d = &g->g_try->xs_dev[i];

		if (d->xd_at != at || d->xd_step != step)
			continue;
		for (uint32_t j = 0; j < n; j++)
			if (o[j].xo_lwp == d->xd_lwp &&
			    o[j].xo_preempt == d->xd_preempt_opt)
				pick = j;
		break;
	}
	note(g, o, n, def, pick, at, step);
	return pick;
}

void
xguide_note(struct xguide *g, const struct xopt *o, uint32_t n, uint32_t def,
    uint32_t pick)
{
	uint64_t step;
	int at;

	point_key(g, o, n, &at, &step);
	note(g, o, n, def, pick, at, step);
}

void
xdevs_fini(struct xdevs *d)
{
	free(d->xs_dev);
	d->xs_dev = NULL;
	d->xs_len = 0;
}

void
xdevs_copy(struct xdevs *dst, const struct xdevs *src)
{
	dst->xs_len = src->xs_len;
	dst->xs_dev = malloc((src->xs_len + 1) * sizeof(*dst->xs_dev));
	if (dst->xs_dev == NULL)
		abort();
	if (src->xs_len > 0)
		memcpy(dst->xs_dev, src->xs_dev,
		    src->xs_len * sizeof(*dst->xs_dev));
}

size_t
xdevs_preemptions(const struct xdevs *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->xs_len; i++)
		n += d->xs_dev[i].xd_preempt;
	return n;
}

/* cur without the chunk [lo, hi). */
static void
without(const struct xdevs *cur, size_t lo, size_t hi, struct xdevs *out)
{
	out->xs_dev = malloc((cur->xs_len + 1) * sizeof(*out->xs_dev));
	if (out->xs_dev == NULL)
		abort();
	out->xs_len = 0;
	for (size_t i = 0; i < cur->xs_len; i++)
		if (i < lo || i >= hi)
			out->xs_dev[out->xs_len++] = cur->xs_dev[i];
}

/* Better: fewer deviations, then fewer pre-emptions. */
static bool
better(const struct xdevs *a, const struct xdevs *b)
{
	if (a->xs_len != b->xs_len)
		return a->xs_len < b->xs_len;
	return xdevs_preemptions(a) < xdevs_preemptions(b);
}

int
xminimize(const struct xdevs *start, xmin_run_fn_t fn, void *arg,
    uint64_t max_runs, struct xmin_result *res)
{
	struct xdevs cur, try, actual;
	size_t chunk;
	bool progress;

	memset(res, 0, sizeof(*res));
	res->mr_initial = start->xs_len;
	memset(&actual, 0, sizeof(actual));
	res->mr_runs++;
	if (!fn(arg, start, &actual)) {
		xdevs_fini(&actual);
		return -1;
	}
	/* What the run really did is the truth to start from. */
	if (better(&actual, start) || actual.xs_len == start->xs_len)
		cur = actual;
	else {
		xdevs_fini(&actual);
		xdevs_copy(&cur, start);
	}

	chunk = cur.xs_len / 2 > 0 ? cur.xs_len / 2 : 1;
	while (cur.xs_len > 0) {
		progress = false;
		for (size_t lo = 0; lo < cur.xs_len; lo += chunk) {
			if (res->mr_runs >= max_runs)
				goto out;
			without(&cur, lo, lo + chunk, &try);
			memset(&actual, 0, sizeof(actual));
			res->mr_runs++;
			if (fn(arg, &try, &actual) && better(&actual, &cur)) {
				xdevs_fini(&cur);
				cur = actual;
				xdevs_fini(&try);
				progress = true;
				break;		/* restart at this granularity */
			}
			xdevs_fini(&try);
			xdevs_fini(&actual);
		}
		if (progress) {
			if (chunk > cur.xs_len / 2 && cur.xs_len / 2 > 0)
				chunk = cur.xs_len / 2;
			if (chunk == 0)
				chunk = 1;
			continue;
		}
		if (chunk == 1)
			break;			/* 1-minimal */
		chunk /= 2;
	}
	res->mr_minimal = true;
out:
	res->mr_devs = cur;
	return 0;
}

void
xmin_result_fini(struct xmin_result *r)
{
	xdevs_fini(&r->mr_devs);
}
