/*
 * The ready set: the CPUs that have something to run, kept as a binary
 * min-heap on (effective clock, global CPU index), a bitmap, and a
 * Fenwick tree of the options each CPU offers, so that a scheduling
 * choice costs O(options in the race window + log ncpus) instead of a
 * scan of every CPU.
 *
 * Nothing here decides anything: the heap only finds the earliest CPU
 * and the CPUs within the window; the options handed to a strategy are
 * still listed in (host, cpu) order, so choices never depend on the
 * heap's layout or on an address.
 *
 * The set is updated lazily.  Whatever may change a CPU's pick or its
 * effective clock calls sched_cpu_changed(c) (machine.h), which puts c
 * on the world's dirty list; ready_refresh() re-evaluates those CPUs
 * with cpu_pick before a choice.  Between choices only the running LWP
 * changes its own CPU's clock and IPL without telling; sched.c marks
 * that CPU (w_lastcpu) at every choice.  Between runs the caller may
 * have done anything (host_enter), so world_run starts from a full
 * re-evaluation (ready_invalidate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/ready.h"
#include "record/trace.h"

/* Heap order: earlier effective clock first, then the lower index. */
static inline bool
ready_before(const struct cpu_info *a, const struct cpu_info *b)
{
	return a->c_eff < b->c_eff ||
	    (a->c_eff == b->c_eff && a->c_gindex < b->c_gindex);
}

static inline void
ready_place(struct world *w, uint32_t i, struct cpu_info *c)
{
	w->w_ready[i] = c;
	c->c_heapslot = i + 1;
}

static inline __attribute__((__always_inline__)) void
ready_sift_up(struct world *w, uint32_t i)
{
	struct cpu_info *c = w->w_ready[i];
	uint32_t parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (!ready_before(c, w->w_ready[parent]))
			break;
		ready_place(w, i, w->w_ready[parent]);
		i = parent;
	}
	ready_place(w, i, c);
}

static inline __attribute__((__always_inline__)) void
ready_sift_down(struct world *w, uint32_t i)
{
	struct cpu_info *c = w->w_ready[i];
	uint32_t child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= w->w_nready)
			break;
		if (child + 1 < w->w_nready &&
		    ready_before(w->w_ready[child + 1], w->w_ready[child]))
			child++;
		if (!ready_before(w->w_ready[child], c))
			break;
		ready_place(w, i, w->w_ready[child]);
		i = child;
	}
	ready_place(w, i, c);
}

static void
ready_heap_remove(struct world *w, struct cpu_info *c)
{
	uint32_t i = c->c_heapslot - 1;
	struct cpu_info *last = w->w_ready[--w->w_nready];

	c->c_heapslot = 0;
	if (last == c)
		return;
	ready_place(w, i, last);
	if (i > 0 && ready_before(last, w->w_ready[(i - 1) / 2]))
		ready_sift_up(w, i);
	else
		ready_sift_down(w, i);
}

/* Fenwick tree over c_gindex (1-based inside). */
static void
ready_fen_add(struct world *w, int g, uint32_t delta)
{
	uint32_t i;

	for (i = (uint32_t)g + 1; i <= w->w_schedcap; i += i & -i)
		w->w_fen[i - 1] += delta;	/* modulo 2^32: delta may be "negative" */
}

uint32_t
ready_rank(const struct world *w, int g)
{
	uint32_t i, sum = 0;

	for (i = (uint32_t)g; i > 0; i -= i & -i)
		sum += w->w_fen[i - 1];
	return sum;
}

/*
 * Make room for every CPU of the world: capacity a power of two >=
 * w_ncpus (and > w_ndirty).  The Fenwick tree is rebuilt from c_nopt.
 */
void
sched_cpus_grow(struct world *w)
{
	uint32_t cap = w->w_schedcap != 0 ? w->w_schedcap : 16;
	uint32_t oldwords = (w->w_schedcap + 63) / 64, words, i;
	struct cpu_info *c;
	const char *e;

	if (w->w_schedcap == 0) {
		/* a debugging aid only: checks, never changes, a choice */
		e = getenv("KNIT_SCHED_CHECK");
		w->w_schedcheck = e != NULL && *e != '\0' && *e != '0';
	}
	while (cap < (uint32_t)w->w_ncpus || cap <= w->w_ndirty)
		cap *= 2;
	if (cap == w->w_schedcap)
		return;
	words = (cap + 63) / 64;
	w->w_ready = realloc(w->w_ready, cap * sizeof(*w->w_ready));
	w->w_dirty = realloc(w->w_dirty, cap * sizeof(*w->w_dirty));
	w->w_winpos = realloc(w->w_winpos, cap * sizeof(*w->w_winpos));
	w->w_wincpu = realloc(w->w_wincpu, cap * sizeof(*w->w_wincpu));
	w->w_readybits = realloc(w->w_readybits,
	    words * sizeof(*w->w_readybits));
	free(w->w_fen);
	w->w_fen = calloc(cap, sizeof(*w->w_fen));
	if (w->w_ready == NULL || w->w_dirty == NULL || w->w_winpos == NULL ||
	    w->w_wincpu == NULL || w->w_readybits == NULL || w->w_fen == NULL)
		abort();
	memset(w->w_readybits + oldwords, 0,
	    (words - oldwords) * sizeof(*w->w_readybits));
	w->w_schedcap = cap;
	for (i = 0; i < (uint32_t)w->w_ncpus; i++) {
		c = w->w_cpus[i];
		if (c->c_nopt != 0)
			ready_fen_add(w, c->c_gindex, c->c_nopt);
	}
}

void
sched_world_fini(struct world *w)
{
	free(w->w_ready);
	free(w->w_dirty);
	free(w->w_winpos);
	free(w->w_wincpu);
	free(w->w_readybits);
	free(w->w_fen);
}

void
sched_check_enable(struct world *w, bool on)
{
	w->w_schedcheck = on;
}

/* Bring CPU c's entry in the set up to date with its state. */
void
ready_eval(struct world *w, struct cpu_info *c)
{
	struct lwp *p = cpu_pick(c);
	uint32_t nopt = 0;
	uint64_t eff = 0, old;

	if (p != NULL) {
		eff = cpu_effclock(c, p);
		nopt = cpu_preemptible(c, p) ? 1 + (uint32_t)c->c_nrunq : 1;
	}
	c->c_next = p;
	if (nopt != c->c_nopt) {
		ready_fen_add(w, c->c_gindex, nopt - c->c_nopt);
		w->w_noptsum += (uint64_t)nopt - c->c_nopt;
		if (nopt == 0)
			w->w_readybits[c->c_gindex >> 6] &=
			    ~(1ULL << (c->c_gindex & 63));
		else if (c->c_nopt == 0)
			w->w_readybits[c->c_gindex >> 6] |=
			    1ULL << (c->c_gindex & 63);
		c->c_nopt = nopt;
	}
	if (p == NULL) {
		if (c->c_heapslot != 0)
			ready_heap_remove(w, c);
		if (__builtin_expect(w->w_recorder != NULL, 0) &&
		    c->c_cur == NULL)
			trace_idle(w->w_recorder, c, c->c_clock);
		return;
	}
	old = c->c_eff;
	c->c_eff = eff;
	if (c->c_heapslot == 0) {
		ready_place(w, w->w_nready++, c);
		ready_sift_up(w, w->w_nready - 1);
	} else if (eff < old) {
		ready_sift_up(w, c->c_heapslot - 1);
	} else if (eff > old) {
		ready_sift_down(w, c->c_heapslot - 1);
	}
}


void
ready_invalidate(struct world *w)
{
	int i;

	for (i = 0; i < w->w_ncpus; i++)
		sched_cpu_changed(w->w_cpus[i]);
}

static int
ready_cmp_gindex(const void *a, const void *b)
{
	const struct cpu_info *x = *(struct cpu_info *const *)a;
	const struct cpu_info *y = *(struct cpu_info *const *)b;

	return (x->c_gindex > y->c_gindex) - (x->c_gindex < y->c_gindex);
}

uint32_t
ready_window(struct world *w, uint64_t limit)
{
	struct cpu_info *t;
	uint64_t bits;
	uint32_t k = 0, i, j, wd, words, child;

	if (limit == UINT64_MAX) {
		words = (w->w_schedcap + 63) / 64;
		for (wd = 0; wd < words; wd++)
			for (bits = w->w_readybits[wd]; bits != 0;
			    bits &= bits - 1)
				w->w_wincpu[k++] = w->w_cpus[wd * 64 +
				    (uint32_t)__builtin_ctzll(bits)];
		return k;
	}
	/*
	 * Breadth-first from the root, descending only below CPUs within
	 * the limit: a child is never earlier than its parent, so this
	 * visits the k CPUs found and at most k + 1 others.
	 */
	if (w->w_nready == 0 || w->w_ready[0]->c_eff > limit)
		return 0;
	w->w_winpos[k++] = 0;
	for (i = 0; i < k; i++) {
		for (child = 2 * w->w_winpos[i] + 1;
		    child <= 2 * w->w_winpos[i] + 2 && child < w->w_nready;
		    child++)
			if (w->w_ready[child]->c_eff <= limit)
				w->w_winpos[k++] = child;
	}
	for (i = 0; i < k; i++)
		w->w_wincpu[i] = w->w_ready[w->w_winpos[i]];
	if (k > 16) {
		qsort(w->w_wincpu, k, sizeof(*w->w_wincpu), ready_cmp_gindex);
		return k;
	}
	for (i = 1; i < k; i++) {
		t = w->w_wincpu[i];
		for (j = i; j > 0 && w->w_wincpu[j - 1]->c_gindex >
		    t->c_gindex; j--)
			w->w_wincpu[j] = w->w_wincpu[j - 1];
		w->w_wincpu[j] = t;
	}
	return k;
}

/*
 * The self-check's reference: scan every CPU the way the scheduler did
 * before the ready set existed and list the options in (host, cpu)
 * order.  Returns the number of options (listed into *optsp, malloc'd)
 * and sets *minp to the earliest effective clock.
 */
static uint32_t
ready_scan(struct world *w, uint64_t window, struct sched_option **optsp,
    uint64_t *minp, uint64_t *limitp)
{
	struct sched_option *o = NULL;
	struct cpu_info *c;
	struct lwp *p, *q;
	uint64_t minclock = UINT64_MAX, limit;
	uint32_t n = 0, cap = 0;
	int i;

	for (i = 0; i < w->w_ncpus; i++) {
		c = w->w_cpus[i];
		if ((p = cpu_pick(c)) != NULL && cpu_effclock(c, p) < minclock)
			minclock = cpu_effclock(c, p);
	}
	limit = window == SIM_WINDOW_INFINITE || minclock + window < minclock ?
	    UINT64_MAX : minclock + window;
	for (i = 0; i < w->w_ncpus; i++) {
		c = w->w_cpus[i];
		if ((p = cpu_pick(c)) == NULL || cpu_effclock(c, p) > limit)
			continue;
		for (q = p; q != NULL; q = q == p ? TAILQ_FIRST(&c->c_runq) :
		    TAILQ_NEXT(q, l_q)) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				if ((o = realloc(o, cap * sizeof(*o))) == NULL)
					abort();
			}
			memset(&o[n], 0, sizeof(o[n]));
			o[n].so_cpu = c;
			o[n].so_lwp = q;
			o[n].so_clock = cpu_effclock(c, q);
			o[n].so_preempt = q != p;
			n++;
			if (!cpu_preemptible(c, p))
				break;
		}
	}
	*optsp = o;
	*minp = minclock;
	*limitp = limit;
	return n;
}

void
ready_check(struct world *w, uint64_t limit, uint32_t n,
    const struct sched_option *opts, bool earliest, uint32_t idx,
    const struct cpu_info *c, const struct lwp *p, bool preempt)
{
	struct sched_option *ref;
	struct cpu_info *d;
	struct lwp *q, *q2;
	uint64_t minclock, rlimit;
	uint32_t rn, i, best = 0, nopt;
	char msg[300], *full;
	int g, k;

	msg[0] = '\0';
	rn = ready_scan(w, w->w_window, &ref, &minclock, &rlimit);
	/* every CPU's entry in the set, not only the ones chosen */
	for (g = 0; g < w->w_ncpus && msg[0] == '\0'; g++) {
		d = w->w_cpus[g];
		q = cpu_pick(d);
		nopt = q == NULL ? 0 : cpu_preemptible(d, q) ?
		    1 + (uint32_t)d->c_nrunq : 1;
		k = 0;
		TAILQ_FOREACH(q2, &d->c_runq, l_q)
			k++;
		if (d->c_next != q || d->c_nopt != nopt || d->c_nrunq != k ||
		    (d->c_heapslot != 0) != (q != NULL) ||
		    (q != NULL && d->c_eff != cpu_effclock(d, q)))
			snprintf(msg, sizeof(msg), "the entry of CPU %d of "
			    "host %s is stale (LWP %s, %u options, clock %llu; "
			    "a scan: %s, %u, %llu)", d->c_index,
			    d->c_host->h_name, d->c_next != NULL ?
			    d->c_next->l_name : "none", d->c_nopt,
			    (unsigned long long)d->c_eff, q != NULL ?
			    q->l_name : "none", nopt, q != NULL ?
			    (unsigned long long)cpu_effclock(d, q) : 0ULL);
	}
	k = 0;
	TAILQ_FOREACH(q2, &w->w_lwps, l_wlist)
		if (q2->l_slkind == SLK_LOCK)
			k++;
	if (msg[0] != '\0')
		;
	else if ((uint32_t)k != w->w_nlockwait)
		snprintf(msg, sizeof(msg), "%u LWPs wait for locks, counted "
		    "%u", (uint32_t)k, w->w_nlockwait);
	else if (rn != n || rlimit != limit)
		snprintf(msg, sizeof(msg), "%u options (limit %llu), a scan finds "
		    "%u (limit %llu)", n, (unsigned long long)limit, rn,
		    (unsigned long long)rlimit);
	for (i = 0; msg[0] == '\0' && opts != NULL && i < n; i++)
		if (opts[i].so_cpu != ref[i].so_cpu ||
		    opts[i].so_lwp != ref[i].so_lwp ||
		    opts[i].so_clock != ref[i].so_clock ||
		    opts[i].so_preempt != ref[i].so_preempt)
			snprintf(msg, sizeof(msg), "option %u of %u differs from a "
			    "scan's", i, n);
	if (msg[0] == '\0' && opts == NULL && !earliest && n >= 2) {
		/* option idx, found by its index without the list */
		if (idx >= rn || ref[idx].so_cpu != c || ref[idx].so_lwp != p ||
		    ref[idx].so_preempt != preempt)
			snprintf(msg, sizeof(msg), "option %u of %u found "
			    "without the list differs from a scan's", idx, n);
	} else if (msg[0] == '\0' && opts == NULL) {
		/* the default strategy's choice, made without the list */
		for (i = 1; i < rn; i++)
			if (!ref[i].so_preempt &&
			    ref[i].so_clock < ref[best].so_clock)
				best = i;
		if (best != idx || ref[best].so_cpu != c ||
		    ref[best].so_lwp != p || preempt)
			snprintf(msg, sizeof(msg), "earliest option %u, a scan "
			    "finds %u", idx, best);
	}
	free(ref);
	if (msg[0] == '\0')
		return;
	full = malloc(sizeof(msg) + 64);
	if (full == NULL)
		abort();
	snprintf(full, sizeof(msg) + 64, "scheduler self-check failed at "
	    "step %llu: %s", (unsigned long long)w->w_steps, msg);
	fprintf(stderr, "knit: %s\n", full);
	world_violation_record(w, VIOL_PANIC, full, NULL);
	w->w_stopped = true;
}
