/*
 * FastTrack-style happens-before race detection (see race.h).
 *
 * Invariants:
 *  - clocks start at 1; an access with clock 0 is "none".
 *  - an access a is ordered before the current one by thread t with
 *    clock vector V iff a.tid == t or a.clk <= V[a.tid].
 *  - a cell's read set (shared mode) holds at most one entry per tid.
 *  - the call tree only grows; node 0 is the root (no frame).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/race_impl.h"
#include "check/stack.h"
#include "check/u64map.h"

#define REPORT_FRAMES	16

struct race *race_current;
bool race_access_hook_enabled;

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL && n != 0)
		abort();
	return p;
}

/* Lengths are multiples of VC_BLOCK (vc_join works block by block). */
#define VC_BLOCK	8

static void
vc_grow(struct vclock *vc, uint32_t len)
{
	uint32_t n;

	if (len <= vc->vc_len)
		return;
	n = (len + VC_BLOCK - 1) & ~(uint32_t)(VC_BLOCK - 1);
	vc->vc_c = xrealloc(vc->vc_c, n * sizeof(*vc->vc_c));
	memset(vc->vc_c + vc->vc_len, 0, (n - vc->vc_len) * sizeof(uint32_t));
	vc->vc_len = n;
}

static void
vc_join(struct vclock *dst, const struct vclock *src)
{
	typedef uint32_t v4u __attribute__((vector_size(16)));
	uint32_t *d, n = src->vc_len;
	const uint32_t *s = src->vc_c;
	v4u a, b, m;

	vc_grow(dst, n);
	d = dst->vc_c;
	/* Four lanes at a time, branch-free (lengths are multiples of 8). */
	for (uint32_t i = 0; i < n; i += 4) {
		memcpy(&a, d + i, sizeof(a));
		memcpy(&b, s + i, sizeof(b));
		m = (v4u)(a > b);
		a = (a & m) | (b & ~m);
		memcpy(d + i, &a, sizeof(a));
	}
}

struct race *
race_create(void)
{
	struct race *r = calloc(1, sizeof(*r));

	if (r == NULL)
		abort();
	r->cur = RACE_NOTID;
	r->tc_gen = UINT64_MAX;		/* nothing kept yet */
	r->shadow = rs_store_get();
	r->capnodes = 256;
	r->nodes = xrealloc(NULL, r->capnodes * sizeof(*r->nodes));
	r->nodes[0].n_parent = 0;
	r->nodes[0].n_pc = 0;
	r->nnodes = 1;
	return r;
}

void
race_destroy(struct race *r)
{
	if (r == NULL)
		return;
	if (race_current == r)
		race_set_current(NULL);
	for (uint32_t i = 0; i < r->nthreads; i++) {
		free(r->threads[i].t_vc.vc_c);
		free(r->threads[i].t_name);
	}
	rs_store_put(r->shadow);
	for (uint32_t i = 0; i < r->nrsets; i++)
		free(r->rsets[i].rs_a);
	for (uint32_t i = 0; i < r->nsyncs; i++)
		free(r->syncs[i].s_vc.vc_c);
	for (size_t i = 0; i < r->nreports; i++) {
		free(r->reports[i].rr_signature);
		free(r->reports[i].rr_text);
	}
	free(r->threads);
	free(r->rsets);
	free(r->syncs);
	free(r->nodes);
	free(r->farpcs);
	free(r->reports);
	u64map_fini(&r->sync_map);
	u64map_fini(&r->node_map);
	u64map_fini(&r->farpc_map);
	u64map_fini(&r->reported);
	u64map_fini(&r->atomic_pcs);
	free(r);
}

void
race_set_report_fn(struct race *r, race_report_fn_t fn, void *arg)
{
	r->report_fn = fn;
	r->report_arg = arg;
}

void
race_set_access_hook(struct race *r, race_access_hook_t fn, void *arg)
{
	r->access_hook = fn;
	r->access_arg = arg;
	if (r == race_current)
		race_access_hook_enabled = fn != NULL;
}

void
race_set_current(struct race *r)
{
	race_current = r;
	race_access_hook_enabled = r != NULL && r->access_hook != NULL;
}

void
race_call_access_hook(struct race *r, uintptr_t addr, bool write)
{
	if (r->access_hook != NULL)
		r->access_hook(r->access_arg, addr, write);
}

struct rthread *
race_thread_slow(struct race *r, uint32_t tid)
{
	struct rthread *t;

	if (tid >= r->nthreads) {
		uint32_t n = tid + 8;

		r->threads = xrealloc(r->threads, n * sizeof(*r->threads));
		memset(r->threads + r->nthreads, 0,
		    (n - r->nthreads) * sizeof(*r->threads));
		for (uint32_t i = r->nthreads; i < n; i++)
			r->threads[i].t_cpu = -1;
		r->nthreads = n;
	}
	/* A thread met before its creation edge starts at clock 1. */
	t = &r->threads[tid];
	vc_grow(&t->t_vc, tid + 1);
	if (t->t_vc.vc_c[tid] == 0)
		t->t_vc.vc_c[tid] = 1;
	t->t_live = true;
	t->t_tc = tid | (t->t_cpu >= 0 && t->t_cpu < 255 ?
	    (uint32_t)t->t_cpu + 1 : 0) << RS_TID_BITS;
	return t;
}

/* Tick tid's own component (after a release, fork, exit). */
static void
tick(struct rthread *t, uint32_t tid)
{
	t->t_vc.vc_c[tid]++;
}

void
race_thread_create(struct race *r, uint32_t parent, uint32_t child,
    const char *name)
{
	struct rthread *c = thread_get(r, child), *p;
	uint32_t own = c->t_vc.vc_c[child];

	free(c->t_name);
	c->t_name = strdup(name != NULL ? name : "?");
	c->t_node = 0;
	c->t_lost = 0;
	memset(c->t_vc.vc_c, 0, c->t_vc.vc_len * sizeof(uint32_t));
	if (parent != RACE_NOTID) {
		p = thread_get(r, parent);
		c = &r->threads[child];		/* may have moved */
		vc_join(&c->t_vc, &p->t_vc);
		tick(p, parent);
	}
	/*
	 * A reused tid continues its own clock: no epoch is repeated, so an
	 * epoch names one stretch of one thread's history.
	 */
	if (c->t_vc.vc_c[child] < own)
		c->t_vc.vc_c[child] = own;
	c->t_birth = ++c->t_vc.vc_c[child];
}

void
race_thread_exit(struct race *r, uint32_t tid)
{
	if (tid < r->nthreads) {
		r->threads[tid].t_node = 0;
		r->threads[tid].t_lost = 0;
	}
}

void
race_thread_join(struct race *r, uint32_t waiter, uint32_t exited)
{
	struct rthread *w = thread_get(r, waiter);

	if (exited < r->nthreads && r->threads[exited].t_live) {
		vc_join(&w->t_vc, &r->threads[exited].t_vc);
		/* Its epoch is published: end it (see struct sync). */
		tick(&r->threads[exited], exited);
	}
}

void
race_switch(struct race *r, uint32_t tid, int cpu)
{
	r->cur = tid;
	if (tid != RACE_NOTID)
		thread_set_cpu(thread_get(r, tid), tid, cpu);
}

uint32_t (*race_tid_source)(int *);
const uint64_t *race_tid_gen;

void
race_set_tid_fn(uint32_t (*fn)(int *))
{
	race_tid_source = fn;
	race_tid_gen = NULL;
}

void
race_set_tid_gen(const uint64_t *gen)
{
	race_tid_gen = gen;
}

uint32_t
race_current_tid(struct race *r)
{
	uint32_t tid;

	return current_thread(r, &tid) != NULL ? tid : RACE_NOTID;
}

static struct sync *
sync_get(struct race *r, uintptr_t obj, bool create)
{
	uint64_t key = (uint64_t)obj + 1;
	uint32_t *idp = u64map_find(&r->sync_map, key);

	if (idp != NULL)
		return &r->syncs[*idp];
	if (!create)
		return NULL;
	if (r->nsyncs == r->capsyncs) {
		r->capsyncs = r->capsyncs ? r->capsyncs * 2 : 64;
		r->syncs = xrealloc(r->syncs, r->capsyncs * sizeof(*r->syncs));
	}
	memset(&r->syncs[r->nsyncs], 0, sizeof(*r->syncs));
	r->syncs[r->nsyncs].s_acq_tid = RACE_NOTID;
	u64map_put(&r->sync_map, key, r->nsyncs);
	return &r->syncs[r->nsyncs++];
}

/*
 * Does t's clock know the end of epoch (u, clk)?  t's own component
 * only counts from its last creation (its clock was reset then).
 */
static inline bool
knows_epoch(const struct rthread *t, uint32_t tid, uint32_t u, uint32_t clk)
{
	if (u == tid)
		return clk < t->t_birth ? false : clk < t->t_vc.vc_c[tid];
	return clk <= vc_get(&t->t_vc, u);
}

void
race_release(struct race *r, uint32_t tid, uintptr_t obj)
{
	struct rthread *t = thread_get(r, tid);
	struct sync *s = sync_get(r, obj, true);
	bool below = s->s_vc.vc_len == 0 || (s->s_dom_clk != 0 &&
	    knows_epoch(t, tid, s->s_dom_tid, s->s_dom_clk)) ||
	    (s->s_acq_tid == tid && s->s_acq_seq == s->s_seq &&
	    s->s_acq_clk >= t->t_birth);

	/* Was s <= t's clock?  Then it becomes t's clock: a copy. */
	if (below) {
		vc_grow(&s->s_vc, t->t_vc.vc_len);
		/* Components past t's clock are 0 in s too (s <= t). */
		memcpy(s->s_vc.vc_c, t->t_vc.vc_c,
		    t->t_vc.vc_len * sizeof(uint32_t));
	} else
		vc_join(&s->s_vc, &t->t_vc);
	s->s_dom_tid = below ? tid : 0;
	s->s_dom_clk = below ? t->t_vc.vc_c[tid] : 0;
	s->s_seq++;
	tick(t, tid);
}

void
race_acquire(struct race *r, uint32_t tid, uintptr_t obj)
{
	struct sync *s = sync_get(r, obj, false);
	struct rthread *t;

	if (s == NULL || s->s_vc.vc_len == 0)
		return;
	t = thread_get(r, tid);
	if (s->s_dom_clk == 0 || !knows_epoch(t, tid, s->s_dom_tid,
	    s->s_dom_clk))
		vc_join(&t->t_vc, &s->s_vc);
	s->s_acq_tid = tid;
	s->s_acq_clk = t->t_vc.vc_c[tid];
	s->s_acq_seq = s->s_seq;
}

void
race_sync_free(struct race *r, uintptr_t obj)
{
	struct sync *s = sync_get(r, obj, false);

	/* The slot stays allocated (ids are indexes); only its history goes. */
	if (s != NULL && s->s_vc.vc_c != NULL) {
		memset(s->s_vc.vc_c, 0, s->s_vc.vc_len * sizeof(uint32_t));
		s->s_dom_tid = 0;
		s->s_dom_clk = 0;
		s->s_acq_tid = RACE_NOTID;
	}
}

void
race_sync_join(struct race *r, uintptr_t dst, uintptr_t src)
{
	struct sync *s = sync_get(r, src, false), *d;

	if (s == NULL || s->s_vc.vc_len == 0)
		return;
	d = sync_get(r, dst, true);
	s = sync_get(r, src, false);	/* syncs[] may have moved */
	vc_join(&d->s_vc, &s->s_vc);
	/* No thread's epoch is known to dominate the result. */
	d->s_dom_tid = 0;
	d->s_dom_clk = 0;
	d->s_seq++;
}

/* Call tree. */
static uint64_t
node_key(uint32_t parent, uintptr_t pc)
{
	uint64_t k = ((uint64_t)pc * UINT64_C(0x9e3779b97f4a7c15)) ^ parent;

	return k != 0 ? k : 1;
}

void
race_func_slow(struct race *r, struct rthread *t, uintptr_t pc)
{
	uint32_t parent = t->t_node, *idp;
	uint64_t k = node_key(parent, pc);
	struct fcache_ent *fe = fcache_slot(r, parent, pc);

	if (t->t_lost != 0) {
		t->t_lost++;
		return;
	}
	if (fe->fe_node != 0 && fe->fe_pc == pc && fe->fe_parent == parent) {
		t->t_node = fe->fe_node;
		return;
	}
	for (;; k = k + 1 ? k + 1 : 1) {
		if ((idp = u64map_find(&r->node_map, k)) == NULL)
			break;
		if (r->nodes[*idp].n_parent == parent &&
		    r->nodes[*idp].n_pc == pc) {
			t->t_node = *idp;
			goto cache;
		}
	}
	/* Node ids fill 24 bits of a shadow record; deeper is lost. */
	if (r->nnodes > RS_NODE_MAX) {
		t->t_lost = 1;
		return;
	}
	if (r->nnodes == r->capnodes) {
		r->capnodes *= 2;
		r->nodes = xrealloc(r->nodes, r->capnodes * sizeof(*r->nodes));
	}
	r->nodes[r->nnodes].n_parent = parent;
	r->nodes[r->nnodes].n_pc = pc;
	u64map_put(&r->node_map, k, r->nnodes);
	t->t_node = r->nnodes++;
cache:
	fe->fe_pc = pc;
	fe->fe_parent = parent;
	fe->fe_node = t->t_node;
}

void
race_func_entry(struct race *r, uint32_t tid, uintptr_t pc)
{
	race_func_slow(r, thread_get(r, tid), pc);
}

void
race_func_exit(struct race *r, uint32_t tid)
{
	func_exit(r, thread_get(r, tid));
}

void
race_enter(struct race *r, uintptr_t pc)
{
	race_enter_inline(r, pc);
}

void
race_leave(struct race *r)
{
	race_leave_inline(r);
}

uint32_t
race_pc_far(struct race *r, uintptr_t pc)
{
	uint32_t *idp = u64map_find(&r->farpc_map, (uint64_t)pc + 1);

	if (idp != NULL)
		return *idp * 2 + 1;
	r->farpcs = xrealloc(r->farpcs, (r->nfarpcs + 1) * sizeof(uintptr_t));
	r->farpcs[r->nfarpcs] = pc;
	u64map_put(&r->farpc_map, (uint64_t)pc + 1, r->nfarpcs);
	return r->nfarpcs++ * 2 + 1;
}

static uintptr_t
pc_decode(const struct race *r, uint32_t v)
{
	if (v & 1)
		return r->farpcs[v / 2];
	return (uintptr_t)race_create + (uintptr_t)(int64_t)((int32_t)v / 2);
}

/* Shadow memory. */
static uint32_t
rset_alloc(struct race *r)
{
	uint32_t i;

	if (r->free_rset != 0) {
		i = r->free_rset - 1;
		r->free_rset = r->rsets[i].rs_next_free;
		r->rsets[i].rs_n = 0;
		return i;
	}
	if (r->nrsets == r->caprsets) {
		r->caprsets = r->caprsets ? r->caprsets * 2 : 32;
		r->rsets = xrealloc(r->rsets, r->caprsets * sizeof(*r->rsets));
	}
	memset(&r->rsets[r->nrsets], 0, sizeof(*r->rsets));
	return r->nrsets++;
}

static void
rset_free(struct race *r, uint32_t i)
{
	r->rsets[i].rs_n = 0;
	r->rsets[i].rs_next_free = r->free_rset;
	r->free_rset = i + 1;
}

static void
rset_put(struct race *r, uint32_t i, const struct rs_access *a)
{
	struct readset *rs = &r->rsets[i];
	uint32_t *pos = &r->rpos[((i * UINT32_C(0x9e3779b1)) ^ rs_tid(a) *
	    UINT32_C(0x85ebca6b)) >> (32 - RPOS_BITS)];
	uint32_t j = *pos;

	/*
	 * Where this thread's entry was last time (a hint, checked: the
	 * entries move when a write removes some).
	 */
	if (j >= rs->rs_n || rs_tid(&rs->rs_a[j]) != rs_tid(a))
		for (j = 0; j < rs->rs_n; j++)
			if (rs_tid(&rs->rs_a[j]) == rs_tid(a))
				break;
	*pos = j;
	if (j < rs->rs_n) {
		if (rs->rs_a[j].a_clk == a->a_clk) {
			uint32_t m = rs_mask(&rs->rs_a[j]) | rs_mask(a);

			rs->rs_a[j] = *a;
			rs_set_mask(&rs->rs_a[j], m);
		} else
			rs->rs_a[j] = *a;
		return;
	}
	if (rs->rs_n == rs->rs_cap) {
		rs->rs_cap = rs->rs_cap ? rs->rs_cap * 2 : 4;
		rs->rs_a = xrealloc(rs->rs_a, rs->rs_cap * sizeof(*rs->rs_a));
	}
	rs->rs_a[rs->rs_n++] = *a;
}

/* A cell goes empty: its read set, if any, goes back to the free list. */
static void
cell_release(void *arg, struct rs_cell *c)
{
	if (cell_shared(c))
		rset_free(arg, c->c_r.a_clk);
}

void
race_forget(struct race *r, uintptr_t addr, size_t size)
{
	uintptr_t lo, hi;

	if (size == 0)
		return;
	/* Partial granules at the ends keep their history: conservative. */
	lo = (addr + RS_GRANULE - 1) & ~(uintptr_t)(RS_GRANULE - 1);
	hi = (addr + size) & ~(uintptr_t)(RS_GRANULE - 1);
	if (lo < hi)
		rs_forget(r->shadow, lo, hi, cell_release, r);
}

static inline bool
ordered(const struct rs_access *a, uint32_t tid, const struct vclock *vc)
{
	return a->a_clk == 0 || rs_tid(a) == tid ||
	    a->a_clk <= vc_get(vc, rs_tid(a));
}

/* The stack of an access: its pc, then the call sites up the tree. */
static void
access_stack(const struct race *r, const struct rs_access *a,
    struct check_stack *cs)
{
	uint32_t n = 0, node = rs_node(a);

	cs->cs_pc[n++] = pc_decode(r, a->a_pc);
	while (node != 0 && n < REPORT_FRAMES && n < CHECK_STACK_DEPTH) {
		cs->cs_pc[n++] = r->nodes[node].n_pc;
		node = r->nodes[node].n_parent;
	}
	cs->cs_depth = n;
}

static void
describe(struct race *r, const struct rs_access *a, bool write,
    const struct check_stack *cs, const char *when, char **out,
    size_t *outlen, char *func, size_t flen)
{
	const struct rthread *t = &r->threads[rs_tid(a)];
	uint32_t bytes = 0;
	FILE *fp;

	for (uint32_t m = rs_mask(a); m != 0; m &= m - 1)
		bytes++;
	check_pc_function(cs->cs_pc[0], func, flen);
	fp = open_memstream(out, outlen);
	if (fp == NULL)
		abort();
	fprintf(fp, "  %s%s of %u byte%s by lwp %u (%s) on cpu %d:\n", when,
	    write ? "write" : "read", bytes, bytes == 1 ? "" : "s",
	    (unsigned)rs_tid(a), t->t_name != NULL ? t->t_name : "?",
	    rs_cpu(a));
	{
		size_t len = check_stack_format(cs, NULL, 0);
		char *buf = xrealloc(NULL, len + 1);

		check_stack_format(cs, buf, len + 1);
		fputs(buf, fp);
		free(buf);
	}
	fclose(fp);
}

static void
report(struct race *r, const struct rs_access *cur, bool cur_write,
    const struct rs_access *prev, bool prev_write)
{
	uintptr_t cpc = pc_decode(r, cur->a_pc), ppc = pc_decode(r, prev->a_pc);
	uint64_t key = (uint64_t)cpc * UINT64_C(0x9e3779b97f4a7c15) +
	    (uint64_t)ppc;
	char *t1 = NULL, *t2 = NULL, f1[512], f2[512], *sig, *text;
	struct check_stack cs[2];
	const struct check_stack *both[2] = { &cs[0], &cs[1] };
	size_t l1, l2;
	struct race_report *rr;
	const char *k1, *k2;
	int n;

	/* Two atomic operations never race (race_atomic_access). */
	if (u64map_find(&r->atomic_pcs, (uint64_t)cur->a_pc + 1) != NULL &&
	    u64map_find(&r->atomic_pcs, (uint64_t)prev->a_pc + 1) != NULL)
		return;
	/* Same pair of instructions in the other order is the same race. */
	if (u64map_find(&r->reported, key ? key : 1) != NULL)
		return;
	key = (uint64_t)ppc * UINT64_C(0x9e3779b97f4a7c15) + (uint64_t)cpc;
	if (u64map_find(&r->reported, key ? key : 1) != NULL)
		return;
	u64map_put(&r->reported, key ? key : 1, 1);

	/* One addr2line for every frame not yet known, not one each. */
	access_stack(r, cur, &cs[0]);
	access_stack(r, prev, &cs[1]);
	check_stack_prefetch(both, 2);
	describe(r, cur, cur_write, &cs[0], "", &t1, &l1, f1, sizeof(f1));
	describe(r, prev, prev_write, &cs[1], "previous ", &t2, &l2, f2,
	    sizeof(f2));
	k1 = cur_write ? "write" : "read";
	k2 = prev_write ? "write" : "read";
	/* The signature names the two sides in a fixed order. */
	if (strcmp(f1, f2) > 0 || (strcmp(f1, f2) == 0 && strcmp(k1, k2) > 0))
		n = asprintf(&sig, "data race: %s in %s / %s in %s", k2, f2,
		    k1, f1);
	else
		n = asprintf(&sig, "data race: %s in %s / %s in %s", k1, f1,
		    k2, f2);
	if (n < 0)
		abort();
	if (asprintf(&text, "data race between lwp %u and lwp %u\n%s%s",
	    (unsigned)rs_tid(cur), (unsigned)rs_tid(prev), t1, t2) < 0)
		abort();
	free(t1);
	free(t2);
	if (r->nreports == r->capreports) {
		r->capreports = r->capreports ? r->capreports * 2 : 8;
		r->reports = xrealloc(r->reports,
		    r->capreports * sizeof(*r->reports));
	}
	rr = &r->reports[r->nreports++];
	rr->rr_signature = sig;
	rr->rr_text = text;
	rr->rr_tid[0] = rs_tid(cur);
	rr->rr_tid[1] = rs_tid(prev);
	rr->rr_cpu[0] = rs_cpu(cur);
	rr->rr_cpu[1] = rs_cpu(prev);
	if (r->report_fn != NULL)
		r->report_fn(r->report_arg, rr);
}

static void
access_read(struct race *r, struct rs_cell *c, const struct rthread *t,
    struct rs_access *a)
{
	const struct vclock *vc = &t->t_vc;
	uint32_t tid = rs_tid(a), mask = rs_mask(a);

	if ((rs_mask(&c->c_w) & mask) && !ordered(&c->c_w, tid, vc))
		report(r, a, false, &c->c_w, true);
	if (cell_shared(c)) {
		rset_put(r, c->c_r.a_clk, a);
	} else if (ordered(&c->c_r, tid, vc)) {
		if (rs_tid(&c->c_r) == tid && c->c_r.a_clk == a->a_clk)
			rs_set_mask(a, mask | rs_mask(&c->c_r));
		c->c_r = *a;
	} else {
		uint32_t i = rset_alloc(r);

		rset_put(r, i, &c->c_r);
		rset_put(r, i, a);
		memset(&c->c_r, 0, sizeof(c->c_r));
		c->c_r.a_tc = RS_TID_SHARED;
		c->c_r.a_clk = i;
	}
}

static void
access_write(struct race *r, struct rs_cell *c, const struct rthread *t,
    struct rs_access *a)
{
	const struct vclock *vc = &t->t_vc;
	uint32_t tid = rs_tid(a), mask = rs_mask(a);

	if ((rs_mask(&c->c_w) & mask) && !ordered(&c->c_w, tid, vc))
		report(r, a, true, &c->c_w, true);
	else if (cell_shared(c)) {
		struct readset *rs = &r->rsets[c->c_r.a_clk];

		for (uint32_t j = 0; j < rs->rs_n; j++)
			if ((rs_mask(&rs->rs_a[j]) & mask) &&
			    !ordered(&rs->rs_a[j], tid, vc)) {
				report(r, a, true, &rs->rs_a[j], false);
				break;
			}
	} else if ((rs_mask(&c->c_r) & mask) &&
	    !ordered(&c->c_r, tid, vc))
		report(r, a, true, &c->c_r, false);

	/* Reads this write covers are ordered before (or reported). */
	if (cell_shared(c)) {
		struct readset *rs = &r->rsets[c->c_r.a_clk];
		uint32_t k = 0;

		for (uint32_t j = 0; j < rs->rs_n; j++)
			if (rs_mask(&rs->rs_a[j]) & ~mask)
				rs->rs_a[k++] = rs->rs_a[j];
		rs->rs_n = k;
		if (k == 0) {
			rset_free(r, c->c_r.a_clk);
			memset(&c->c_r, 0, sizeof(c->c_r));
		}
	} else if ((rs_mask(&c->c_r) & ~mask) == 0)
		memset(&c->c_r, 0, sizeof(c->c_r));
	if (rs_tid(&c->c_w) == tid && c->c_w.a_clk == a->a_clk)
		rs_set_mask(a, mask | rs_mask(&c->c_w));
	c->c_w = *a;
}

/*
 * The slow path of an access to one granule, mask its bytes, pc
 * encoded: the full FastTrack rules.
 */
void
race_access_slow(struct race *r, struct rs_cell *c, const struct rthread *t,
    uint32_t mask, uint32_t pc, bool write)
{
	struct rs_access a;

	a.a_clk = t->t_vc.vc_c[t->t_tc & RS_TID_SHARED];
	a.a_tc = t->t_tc;
	a.a_nm = t->t_node | mask << 24;
	a.a_pc = pc;
	if (write)
		access_write(r, c, t, &a);
	else
		access_read(r, c, t, &a);
}

/* Any size and alignment: granule by granule. */
void
race_access_range(struct race *r, struct rthread *t, uint32_t tid, uintptr_t addr,
    size_t size, uintptr_t pc, bool write)
{
	uintptr_t g, end = addr + size;
	uint32_t epc;

	/* Tids fill 24 bits of a shadow record (see race.h). */
	if (size == 0 || tid >= RS_TID_SHARED)
		return;
	r->naccesses++;
	epc = pc_encode(r, pc);
	for (g = addr & ~(uintptr_t)(RS_GRANULE - 1); g < end;
	    g += RS_GRANULE) {
		uintptr_t lo = addr > g ? addr : g;
		uintptr_t hi = end < g + RS_GRANULE ? end : g + RS_GRANULE;

		access_granule(r, t, tid, g,
		    ((1u << (hi - lo)) - 1) << (lo - g), epc, write);
	}
}

void
race_read(struct race *r, uint32_t tid, uintptr_t addr, size_t size,
    uintptr_t pc)
{
	if (tid != RACE_NOTID)
		race_access_range(r, thread_get(r, tid), tid, addr, size, pc, false);
}

void
race_write(struct race *r, uint32_t tid, uintptr_t addr, size_t size,
    uintptr_t pc)
{
	if (tid != RACE_NOTID)
		race_access_range(r, thread_get(r, tid), tid, addr, size, pc, true);
}

void
race_access(struct race *r, uintptr_t addr, size_t size, uintptr_t pc,
    bool write)
{
	race_access_inline(r, addr, size, pc, write);
}

void
race_atomic_access(struct race *r, uint32_t tid, uintptr_t addr, size_t size,
    uintptr_t pc, bool read, bool write)
{
	struct rthread *t;
	uint64_t k;

	if (tid == RACE_NOTID)
		return;
	t = thread_get(r, tid);
	k = (uint64_t)pc_encode(r, pc) + 1;
	if (u64map_find(&r->atomic_pcs, k) == NULL)
		u64map_put(&r->atomic_pcs, k, 1);
	/*
	 * An epoch of its own: records of one thread's epoch merge, and an
	 * atomic record must never cover a plain access's bytes.
	 */
	tick(t, tid);
	if (read)
		race_access_range(r, t, tid, addr, size, pc, false);
	if (write)
		race_access_range(r, t, tid, addr, size, pc, true);
	tick(t, tid);
}

size_t
race_nreports(const struct race *r)
{
	return r->nreports;
}

const struct race_report *
race_report(const struct race *r, size_t i)
{
	return i < r->nreports ? &r->reports[i] : NULL;
}

uint64_t
race_naccesses(const struct race *r)
{
	return r->naccesses;
}
