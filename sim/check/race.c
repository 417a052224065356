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

#include "check/race.h"
#include "check/stack.h"
#include "check/u64map.h"

#define GRANULE_SHIFT	3
#define GRANULE		(1u << GRANULE_SHIFT)
#define PAGE_SHIFT	12
#define CELLS_PER_PAGE	(1u << (PAGE_SHIFT - GRANULE_SHIFT))
#define REPORT_FRAMES	16

struct race *race_current;
bool race_access_hook_enabled;

struct vclock {
	uint32_t	*vc_c;
	uint32_t	 vc_len;
};

struct access {
	uint32_t	 a_tid;
	uint32_t	 a_clk;		/* 0: no access */
	uint32_t	 a_node;	/* call-tree node */
	uint8_t		 a_mask;	/* bytes of the granule */
	int8_t		 a_cpu;
	uintptr_t	 a_pc;
};

struct cell {
	struct access	 c_w;
	struct access	 c_r;		/* epoch mode */
	uint32_t	 c_shared;	/* 0, or read set index + 1 */
};

struct readset {
	struct access	*rs_a;
	uint32_t	 rs_n, rs_cap;
	uint32_t	 rs_next_free;	/* free-list link, index + 1 */
};

struct shadow_page {
	struct cell	 sp_cells[CELLS_PER_PAGE];
};

struct rthread {
	struct vclock	 t_vc;
	uint32_t	 t_node;
	int		 t_cpu;
	char		*t_name;
};

struct csnode {
	uint32_t	 n_parent;
	uintptr_t	 n_pc;
};

struct race {
	struct rthread	*threads;
	uint32_t	 nthreads;
	uint32_t	 cur;		/* current tid or RACE_NOTID */
	struct u64map	 page_map;	/* page number -> pages[] index */
	struct shadow_page **pages;
	uint32_t	 npages, cappages;
	uint64_t	 last_pageno;	/* one-entry lookup cache */
	struct shadow_page *last_page;
	struct readset	*rsets;
	uint32_t	 nrsets, caprsets, free_rset;
	struct u64map	 sync_map;	/* object -> syncs[] index */
	struct vclock	*syncs;
	uint32_t	 nsyncs, capsyncs;
	struct csnode	*nodes;
	uint32_t	 nnodes, capnodes;
	struct u64map	 node_map;	/* hash(parent, pc) -> node */
	struct race_report *reports;
	size_t		 nreports, capreports;
	struct u64map	 reported;	/* hash(pc pair) -> 1 */
	race_report_fn_t report_fn;
	void		*report_arg;
	race_access_hook_t access_hook;
	void		*access_arg;
	uint64_t	 naccesses;
};

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL && n != 0)
		abort();
	return p;
}

static void
vc_grow(struct vclock *vc, uint32_t len)
{
	uint32_t n;

	if (len <= vc->vc_len)
		return;
	n = len < 8 ? 8 : len;
	vc->vc_c = xrealloc(vc->vc_c, n * sizeof(*vc->vc_c));
	memset(vc->vc_c + vc->vc_len, 0, (n - vc->vc_len) * sizeof(uint32_t));
	vc->vc_len = n;
}

static inline uint32_t
vc_get(const struct vclock *vc, uint32_t tid)
{
	return tid < vc->vc_len ? vc->vc_c[tid] : 0;
}

static void
vc_join(struct vclock *dst, const struct vclock *src)
{
	vc_grow(dst, src->vc_len);
	for (uint32_t i = 0; i < src->vc_len; i++)
		if (src->vc_c[i] > dst->vc_c[i])
			dst->vc_c[i] = src->vc_c[i];
}

struct race *
race_create(void)
{
	struct race *r = calloc(1, sizeof(*r));

	if (r == NULL)
		abort();
	r->cur = RACE_NOTID;
	r->last_pageno = UINT64_MAX;
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
	for (uint32_t i = 0; i < r->npages; i++)
		free(r->pages[i]);
	for (uint32_t i = 0; i < r->nrsets; i++)
		free(r->rsets[i].rs_a);
	for (uint32_t i = 0; i < r->nsyncs; i++)
		free(r->syncs[i].vc_c);
	for (size_t i = 0; i < r->nreports; i++) {
		free(r->reports[i].rr_signature);
		free(r->reports[i].rr_text);
	}
	free(r->threads);
	free(r->pages);
	free(r->rsets);
	free(r->syncs);
	free(r->nodes);
	free(r->reports);
	u64map_fini(&r->page_map);
	u64map_fini(&r->sync_map);
	u64map_fini(&r->node_map);
	u64map_fini(&r->reported);
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

static struct rthread *
thread_get(struct race *r, uint32_t tid)
{
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
	if (vc_get(&r->threads[tid].t_vc, tid) == 0) {
		vc_grow(&r->threads[tid].t_vc, tid + 1);
		r->threads[tid].t_vc.vc_c[tid] = 1;
	}
	return &r->threads[tid];
}

/* Tick tid's own component (after a release, fork, exit). */
static void
tick(struct rthread *t, uint32_t tid)
{
	vc_grow(&t->t_vc, tid + 1);
	t->t_vc.vc_c[tid]++;
}

void
race_thread_create(struct race *r, uint32_t parent, uint32_t child,
    const char *name)
{
	struct rthread *c = thread_get(r, child), *p;

	free(c->t_name);
	c->t_name = strdup(name != NULL ? name : "?");
	c->t_node = 0;
	vc_grow(&c->t_vc, child + 1);
	memset(c->t_vc.vc_c, 0, c->t_vc.vc_len * sizeof(uint32_t));
	if (parent != RACE_NOTID) {
		p = thread_get(r, parent);
		c = &r->threads[child];		/* may have moved */
		vc_join(&c->t_vc, &p->t_vc);
		tick(p, parent);
	}
	/* A reused tid continues its own clock: no epoch is repeated. */
	c->t_vc.vc_c[child]++;
}

void
race_thread_exit(struct race *r, uint32_t tid)
{
	if (tid < r->nthreads)
		r->threads[tid].t_node = 0;
}

void
race_thread_join(struct race *r, uint32_t waiter, uint32_t exited)
{
	struct rthread *w = thread_get(r, waiter);

	if (exited < r->nthreads)
		vc_join(&w->t_vc, &r->threads[exited].t_vc);
}

void
race_switch(struct race *r, uint32_t tid, int cpu)
{
	r->cur = tid;
	if (tid != RACE_NOTID)
		thread_get(r, tid)->t_cpu = cpu;
}

static uint32_t (*race_tid_fn)(int *);

void
race_set_tid_fn(uint32_t (*fn)(int *))
{
	race_tid_fn = fn;
}

uint32_t
race_current_tid(struct race *r)
{
	if (race_tid_fn != NULL) {
		int cpu = -1;
		uint32_t tid = race_tid_fn(&cpu);

		if (tid != RACE_NOTID)
			thread_get(r, tid)->t_cpu = cpu;
		return tid;
	}
	return r->cur;
}

static struct vclock *
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
	u64map_put(&r->sync_map, key, r->nsyncs);
	return &r->syncs[r->nsyncs++];
}

void
race_release(struct race *r, uint32_t tid, uintptr_t obj)
{
	struct rthread *t = thread_get(r, tid);

	vc_join(sync_get(r, obj, true), &t->t_vc);
	tick(t, tid);
}

void
race_acquire(struct race *r, uint32_t tid, uintptr_t obj)
{
	struct vclock *s = sync_get(r, obj, false);

	if (s != NULL)
		vc_join(&thread_get(r, tid)->t_vc, s);
}

void
race_sync_free(struct race *r, uintptr_t obj)
{
	struct vclock *s = sync_get(r, obj, false);

	/* The slot stays allocated (ids are indexes); only its history goes. */
	if (s != NULL && s->vc_c != NULL)
		memset(s->vc_c, 0, s->vc_len * sizeof(uint32_t));
}

/* Call tree. */
static uint64_t
node_key(uint32_t parent, uintptr_t pc)
{
	uint64_t k = ((uint64_t)pc * UINT64_C(0x9e3779b97f4a7c15)) ^ parent;

	return k != 0 ? k : 1;
}

void
race_func_entry(struct race *r, uint32_t tid, uintptr_t pc)
{
	struct rthread *t = thread_get(r, tid);
	uint32_t parent = t->t_node, *idp;
	uint64_t k;

	for (k = node_key(parent, pc);; k = k + 1 ? k + 1 : 1) {
		if ((idp = u64map_find(&r->node_map, k)) == NULL)
			break;
		if (r->nodes[*idp].n_parent == parent &&
		    r->nodes[*idp].n_pc == pc) {
			t->t_node = *idp;
			return;
		}
	}
	if (r->nnodes == r->capnodes) {
		r->capnodes *= 2;
		r->nodes = xrealloc(r->nodes, r->capnodes * sizeof(*r->nodes));
	}
	r->nodes[r->nnodes].n_parent = parent;
	r->nodes[r->nnodes].n_pc = pc;
	u64map_put(&r->node_map, k, r->nnodes);
	t->t_node = r->nnodes++;
}

void
race_func_exit(struct race *r, uint32_t tid)
{
	struct rthread *t = thread_get(r, tid);

	t->t_node = r->nodes[t->t_node].n_parent;
}

/* Shadow memory. */
static struct cell *
cell_get(struct race *r, uintptr_t addr, bool create)
{
	uint64_t pageno = (uint64_t)addr >> PAGE_SHIFT;
	struct shadow_page *p;
	uint32_t *idp;

	if (pageno == r->last_pageno)
		p = r->last_page;
	else if ((idp = u64map_find(&r->page_map, pageno + 1)) != NULL)
		p = r->pages[*idp];
	else {
		if (!create)
			return NULL;
		if (r->npages == r->cappages) {
			r->cappages = r->cappages ? r->cappages * 2 : 64;
			r->pages = xrealloc(r->pages,
			    r->cappages * sizeof(*r->pages));
		}
		p = calloc(1, sizeof(*p));
		if (p == NULL)
			abort();
		r->pages[r->npages] = p;
		u64map_put(&r->page_map, pageno + 1, r->npages++);
	}
	r->last_pageno = pageno;
	r->last_page = p;
	return &p->sp_cells[(addr >> GRANULE_SHIFT) & (CELLS_PER_PAGE - 1)];
}

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
rset_put(struct race *r, uint32_t i, const struct access *a)
{
	struct readset *rs = &r->rsets[i];

	for (uint32_t j = 0; j < rs->rs_n; j++) {
		if (rs->rs_a[j].a_tid != a->a_tid)
			continue;
		if (rs->rs_a[j].a_clk == a->a_clk) {
			uint8_t m = rs->rs_a[j].a_mask | a->a_mask;

			rs->rs_a[j] = *a;
			rs->rs_a[j].a_mask = m;
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

static void
cell_clear(struct race *r, struct cell *c)
{
	if (c->c_shared != 0)
		rset_free(r, c->c_shared - 1);
	memset(c, 0, sizeof(*c));
}

void
race_forget(struct race *r, uintptr_t addr, size_t size)
{
	uintptr_t g, end = addr + size;
	struct cell *c;

	if (size == 0)
		return;
	/* Partial granules at the ends keep their history: conservative. */
	for (g = (addr + GRANULE - 1) & ~(uintptr_t)(GRANULE - 1);
	    g + GRANULE <= end; g += GRANULE) {
		if ((g & ((1u << PAGE_SHIFT) - 1)) == 0 &&
		    g + (1u << PAGE_SHIFT) <= end &&
		    u64map_find(&r->page_map, (g >> PAGE_SHIFT) + 1) == NULL) {
			g += (1u << PAGE_SHIFT) - GRANULE;	/* never used */
			continue;
		}
		if ((c = cell_get(r, g, false)) != NULL)
			cell_clear(r, c);
	}
}

static inline bool
ordered(const struct access *a, uint32_t tid, const struct vclock *vc)
{
	return a->a_clk == 0 || a->a_tid == tid ||
	    a->a_clk <= vc_get(vc, a->a_tid);
}

/* Frames of an access: its pc, then the call sites up the tree. */
static uint32_t
access_frames(const struct race *r, const struct access *a, uintptr_t *pcs)
{
	uint32_t n = 0, node = a->a_node;

	pcs[n++] = a->a_pc;
	while (node != 0 && n < REPORT_FRAMES) {
		pcs[n++] = r->nodes[node].n_pc;
		node = r->nodes[node].n_parent;
	}
	return n;
}

static void
describe(struct race *r, const struct access *a, bool write,
    const char *when, char **out, size_t *outlen, char *func, size_t flen)
{
	uintptr_t pcs[REPORT_FRAMES];
	struct check_stack cs;
	const struct rthread *t = &r->threads[a->a_tid];
	uint32_t n = access_frames(r, a, pcs), bytes = 0;
	FILE *fp;

	for (uint8_t m = a->a_mask; m != 0; m &= m - 1)
		bytes++;
	cs.cs_depth = n;
	memcpy(cs.cs_pc, pcs, n * sizeof(*pcs));
	check_pc_function(a->a_pc, func, flen);
	fp = open_memstream(out, outlen);
	if (fp == NULL)
		abort();
	fprintf(fp, "  %s%s of %u byte%s by lwp %u (%s) on cpu %d:\n", when,
	    write ? "write" : "read", bytes, bytes == 1 ? "" : "s", a->a_tid,
	    t->t_name != NULL ? t->t_name : "?", a->a_cpu);
	{
		size_t len = check_stack_format(&cs, NULL, 0);
		char *buf = xrealloc(NULL, len + 1);

		check_stack_format(&cs, buf, len + 1);
		fputs(buf, fp);
		free(buf);
	}
	fclose(fp);
}

static void
report(struct race *r, const struct access *cur, bool cur_write,
    const struct access *prev, bool prev_write)
{
	uint64_t key = (uint64_t)cur->a_pc * UINT64_C(0x9e3779b97f4a7c15) +
	    (uint64_t)prev->a_pc;
	char *t1 = NULL, *t2 = NULL, f1[512], f2[512], *sig, *text;
	size_t l1, l2;
	struct race_report *rr;
	const char *k1, *k2;
	int n;

	/* Same pair of instructions in the other order is the same race. */
	if (u64map_find(&r->reported, key ? key : 1) != NULL)
		return;
	key = (uint64_t)prev->a_pc * UINT64_C(0x9e3779b97f4a7c15) +
	    (uint64_t)cur->a_pc;
	if (u64map_find(&r->reported, key ? key : 1) != NULL)
		return;
	u64map_put(&r->reported, key ? key : 1, 1);

	describe(r, cur, cur_write, "", &t1, &l1, f1, sizeof(f1));
	describe(r, prev, prev_write, "previous ", &t2, &l2, f2, sizeof(f2));
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
	    cur->a_tid, prev->a_tid, t1, t2) < 0)
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
	rr->rr_tid[0] = cur->a_tid;
	rr->rr_tid[1] = prev->a_tid;
	rr->rr_cpu[0] = cur->a_cpu;
	rr->rr_cpu[1] = prev->a_cpu;
	if (r->report_fn != NULL)
		r->report_fn(r->report_arg, rr);
}

static void
access_granule(struct race *r, struct rthread *t, struct access *a,
    uintptr_t g, bool write)
{
	struct cell *c = cell_get(r, g, true);
	const struct vclock *vc = &t->t_vc;
	uint32_t tid = a->a_tid;

	if (!write) {
		/* Same epoch, bytes already covered: nothing new to learn. */
		if (c->c_shared == 0 && c->c_r.a_tid == tid &&
		    c->c_r.a_clk == a->a_clk &&
		    (c->c_r.a_mask & a->a_mask) == a->a_mask)
			return;
		if ((c->c_w.a_mask & a->a_mask) && !ordered(&c->c_w, tid, vc))
			report(r, a, false, &c->c_w, true);
		if (c->c_shared != 0) {
			rset_put(r, c->c_shared - 1, a);
		} else if (ordered(&c->c_r, tid, vc)) {
			if (c->c_r.a_tid == tid && c->c_r.a_clk == a->a_clk)
				a->a_mask |= c->c_r.a_mask;
			c->c_r = *a;
		} else {
			uint32_t i = rset_alloc(r);

			c->c_shared = i + 1;
			rset_put(r, i, &c->c_r);
			rset_put(r, i, a);
			memset(&c->c_r, 0, sizeof(c->c_r));
		}
		return;
	}

	if ((c->c_w.a_mask & a->a_mask) && !ordered(&c->c_w, tid, vc))
		report(r, a, true, &c->c_w, true);
	else if (c->c_shared != 0) {
		struct readset *rs = &r->rsets[c->c_shared - 1];

		for (uint32_t j = 0; j < rs->rs_n; j++)
			if ((rs->rs_a[j].a_mask & a->a_mask) &&
			    !ordered(&rs->rs_a[j], tid, vc)) {
				report(r, a, true, &rs->rs_a[j], false);
				break;
			}
	} else if ((c->c_r.a_mask & a->a_mask) &&
	    !ordered(&c->c_r, tid, vc))
		report(r, a, true, &c->c_r, false);

	/* Reads this write covers are ordered before (or reported). */
	if (c->c_shared != 0) {
		struct readset *rs = &r->rsets[c->c_shared - 1];
		uint32_t k = 0;

		for (uint32_t j = 0; j < rs->rs_n; j++)
			if (rs->rs_a[j].a_mask & ~a->a_mask)
				rs->rs_a[k++] = rs->rs_a[j];
		rs->rs_n = k;
		if (k == 0) {
			rset_free(r, c->c_shared - 1);
			c->c_shared = 0;
		}
	} else if ((c->c_r.a_mask & ~a->a_mask) == 0)
		memset(&c->c_r, 0, sizeof(c->c_r));
	if (c->c_w.a_tid == tid && c->c_w.a_clk == a->a_clk)
		a->a_mask |= c->c_w.a_mask;
	c->c_w = *a;
}

static void
do_access(struct race *r, uint32_t tid, uintptr_t addr, size_t size,
    uintptr_t pc, bool write)
{
	struct rthread *t;
	struct access a;
	uintptr_t g, end;

	if (tid == RACE_NOTID || size == 0)
		return;
	r->naccesses++;
	t = thread_get(r, tid);
	a.a_tid = tid;
	a.a_clk = vc_get(&t->t_vc, tid);
	a.a_node = t->t_node;
	a.a_cpu = (int8_t)t->t_cpu;
	a.a_pc = pc;
	end = addr + size;
	for (g = addr & ~(uintptr_t)(GRANULE - 1); g < end; g += GRANULE) {
		uintptr_t lo = addr > g ? addr : g;
		uintptr_t hi = end < g + GRANULE ? end : g + GRANULE;

		a.a_mask = (uint8_t)(((1u << (hi - lo)) - 1) << (lo - g));
		access_granule(r, t, &a, g, write);
	}
}

void
race_read(struct race *r, uint32_t tid, uintptr_t addr, size_t size,
    uintptr_t pc)
{
	do_access(r, tid, addr, size, pc, false);
}

void
race_write(struct race *r, uint32_t tid, uintptr_t addr, size_t size,
    uintptr_t pc)
{
	do_access(r, tid, addr, size, pc, true);
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
