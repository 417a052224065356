/*
 * Pre-emption-bounded DFS with sleep sets (see dfs.h).
 *
 * The path is an array of nodes, one per decision of the current run.
 * Node i stores the options offered there, the option taken, the
 * options whose subtrees are done, the LWPs asleep on arrival and the
 * number of pre-emptions made above it.
 *
 * Invariants:
 *  - path[0 .. prefix) is replayed verbatim by the next run; nodes at or
 *    past `prefix' are rebuilt by that run.
 *  - node.taken is never in node.done while the run below it is live.
 *  - a sleeping entry is an (LWP, step) pair: the LWP has not run since
 *    the entry was made, so its next step is the one recorded.
 */
#include <stdlib.h>
#include <string.h>

#include "explore/dfs.h"

#define DONE_NOT	0
#define DONE_EXPLORED	1	/* its subtree was searched */
#define DONE_SKIPPED	2	/* cut by the bound or asleep: not searched */

struct dnode {
	struct xopt	*n_opts;
	uint32_t	 n_nopts;
	uint32_t	 n_taken;
	uint8_t		*n_done;	/* per option: DONE_* */
	struct xopt	*n_sleep;	/* asleep on arrival */
	uint32_t	 n_nsleep;
	uint32_t	 n_preempts;	/* pre-emptions above this node */
	bool		 n_blocked;	/* every option asleep: no siblings */
};

struct dfs {
	uint32_t	 d_bound;
	struct dnode	*d_path;
	uint32_t	 d_len, d_cap;
	uint32_t	 d_prefix;	/* nodes to replay */
	uint32_t	 d_depth;	/* decisions made in this run */
	uint32_t	*d_choices;	/* taken, per depth (for dfs_path) */
	bool		 d_asleep;	/* this run is redundant from here */
	bool		 d_diverged;
	struct dfs_stats d_stats;
};

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL && n != 0)
		abort();
	return p;
}

struct dfs *
dfs_create(uint32_t max_preemptions)
{
	struct dfs *d = calloc(1, sizeof(*d));

	if (d == NULL)
		abort();
	d->d_bound = max_preemptions;
	return d;
}

static void
node_free(struct dnode *n)
{
	free(n->n_opts);
	free(n->n_done);
	free(n->n_sleep);
	memset(n, 0, sizeof(*n));
}

void
dfs_destroy(struct dfs *d)
{
	if (d == NULL)
		return;
	for (uint32_t i = 0; i < d->d_len; i++)
		node_free(&d->d_path[i]);
	free(d->d_path);
	free(d->d_choices);
	free(d);
}

void
dfs_run_begin(struct dfs *d)
{
	d->d_depth = 0;
	d->d_asleep = false;
	d->d_diverged = false;
	d->d_stats.ds_runs++;
}

static bool
independent(const struct xopt *a, const struct xopt *b)
{
	return a->xo_lwp != b->xo_lwp && a->xo_obj != 0 && b->xo_obj != 0 &&
	    a->xo_obj != b->xo_obj;
}

static bool
asleep(const struct dnode *n, const struct xopt *o)
{
	for (uint32_t i = 0; i < n->n_nsleep; i++)
		if (n->n_sleep[i].xo_lwp == o->xo_lwp)
			return true;
	return false;
}

static void
sleep_add(struct dnode *n, const struct xopt *o)
{
	if (asleep(n, o))
		return;
	n->n_sleep = xrealloc(n->n_sleep, (n->n_nsleep + 1) *
	    sizeof(*n->n_sleep));
	n->n_sleep[n->n_nsleep++] = *o;
}

/*
 * The sleep set on arrival below node p after taking option t there:
 * what slept at p or was done at p, minus what t's step wakes.
 */
static void
inherit_sleep(const struct dnode *p, struct dnode *c)
{
	const struct xopt *t = &p->n_opts[p->n_taken];

	for (uint32_t i = 0; i < p->n_nsleep; i++)
		if (independent(&p->n_sleep[i], t))
			sleep_add(c, &p->n_sleep[i]);
	for (uint32_t i = 0; i < p->n_nopts; i++)
		if (p->n_done[i] == DONE_EXPLORED && i != p->n_taken &&
		    independent(&p->n_opts[i], t))
			sleep_add(c, &p->n_opts[i]);
}

static uint32_t
cost(const struct dnode *n, uint32_t i)
{
	return xopt_is_preemption(n->n_opts, n->n_nopts, i) ? 1 : 0;
}

static bool
same_options(const struct dnode *n, const struct xopt *o, uint32_t k)
{
	if (n->n_nopts != k)
		return false;
	for (uint32_t i = 0; i < k; i++)
		if (n->n_opts[i].xo_lwp != o[i].xo_lwp ||
		    n->n_opts[i].xo_preempt != o[i].xo_preempt)
			return false;
	return true;
}

uint32_t
dfs_choose(struct dfs *d, const struct xopt *o, uint32_t k, uint32_t def)
{
	struct dnode *n;
	uint32_t i = d->d_depth, pick;

	if (i + 1 > d->d_cap) {
		d->d_cap = d->d_cap ? d->d_cap * 2 : 64;
		d->d_path = xrealloc(d->d_path, d->d_cap * sizeof(*d->d_path));
		d->d_choices = xrealloc(d->d_choices,
		    d->d_cap * sizeof(*d->d_choices));
		memset(d->d_path + d->d_len, 0,
		    (d->d_cap - d->d_len) * sizeof(*d->d_path));
	}
	d->d_depth++;
	if (d->d_depth > d->d_stats.ds_maxdepth)
		d->d_stats.ds_maxdepth = d->d_depth;

	if (i < d->d_prefix && !d->d_diverged) {
		n = &d->d_path[i];
		if (same_options(n, o, k)) {
			d->d_choices[i] = n->n_taken;
			return n->n_taken;
		}
		/*
		 * The program is not deterministic under this prefix (or
		 * the options depend on something the schedule does not
		 * fix).  Explore on from here as new ground.
		 */
		d->d_diverged = true;
		d->d_stats.ds_diverged++;
		for (uint32_t j = i; j < d->d_len; j++)
			node_free(&d->d_path[j]);
		d->d_len = i;
		d->d_prefix = i;
		/*
		 * A subtree that changes under us cannot be exhausted:
		 * give it up (as if asleep) so the search still ends.
		 */
		d->d_asleep = true;
	}
	if (i < d->d_len) {		/* a node past the prefix: rebuild */
		for (uint32_t j = i; j < d->d_len; j++)
			node_free(&d->d_path[j]);
		d->d_len = i;
	}
	n = &d->d_path[i];
	memset(n, 0, sizeof(*n));
	n->n_nopts = k;
	n->n_opts = xrealloc(NULL, k * sizeof(*o));
	memcpy(n->n_opts, o, k * sizeof(*o));
	n->n_done = calloc(k, 1);
	if (n->n_done == NULL)
		abort();
	if (i > 0) {
		struct dnode *p = &d->d_path[i - 1];

		n->n_preempts = p->n_preempts + cost(p, p->n_taken);
		if (!d->d_asleep)
			inherit_sleep(p, n);
	}
	d->d_len = i + 1;

	pick = def < k ? def : 0;
	for (uint32_t j = 0; j < k; j++)
		if (o[j].xo_current && !o[j].xo_preempt)
			pick = j;	/* continuing is never a pre-emption */
	if (d->d_asleep) {
		/* Below a fully asleep node: nothing new to learn here. */
		n->n_blocked = true;
	} else if (asleep(n, &o[pick]) || cost(n, pick) + n->n_preempts >
	    d->d_bound) {
		/* Take the first awake option within the bound instead. */
		uint32_t j;

		for (j = 0; j < k; j++)
			if (!asleep(n, &o[j]) &&
			    n->n_preempts + cost(n, j) <= d->d_bound)
				break;
		if (j < k)
			pick = j;
		else {
			d->d_asleep = true;
			n->n_blocked = true;
			d->d_stats.ds_redundant++;
		}
	}
	n->n_taken = pick;
	d->d_choices[i] = pick;
	return pick;
}

bool
dfs_run_end(struct dfs *d)
{
	/* Decisions the run did not reach are not part of the path. */
	for (uint32_t j = d->d_depth; j < d->d_len; j++)
		node_free(&d->d_path[j]);
	if (d->d_depth < d->d_len)
		d->d_len = d->d_depth;

	while (d->d_len > 0) {
		struct dnode *n = &d->d_path[d->d_len - 1];

		n->n_done[n->n_taken] = DONE_EXPLORED;
		if (!n->n_blocked) {
			for (uint32_t j = 0; j < n->n_nopts; j++) {
				if (n->n_done[j] != DONE_NOT)
					continue;
				if (asleep(n, &n->n_opts[j])) {
					n->n_done[j] = DONE_SKIPPED;
					d->d_stats.ds_slept++;
					continue;
				}
				if (n->n_preempts + cost(n, j) > d->d_bound) {
					n->n_done[j] = DONE_SKIPPED;
					d->d_stats.ds_bounded++;
					continue;
				}
				n->n_taken = j;
				d->d_prefix = d->d_len;
				return true;
			}
		}
		node_free(n);
		d->d_len--;
	}
	d->d_prefix = 0;
	d->d_stats.ds_exhausted = true;
	return false;
}

const struct dfs_stats *
dfs_stats(const struct dfs *d)
{
	return &d->d_stats;
}

uint32_t
dfs_path(const struct dfs *d, const uint32_t **choices)
{
	*choices = d->d_choices;
	return d->d_depth;
}
