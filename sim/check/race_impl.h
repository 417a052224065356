/*
 * Race detector internals shared by race.c and the __tsan_* hooks
 * (tsan_hooks.c), which inline the fast path of an access: find the
 * running thread, its granule's cell, and return at once when the
 * access is in the epoch and bytes the cell already holds.  Everything
 * else calls into race.c.  Not for other users: see race.h.
 */
#ifndef _KNIT_SIM_CHECK_RACE_IMPL_H_
#define _KNIT_SIM_CHECK_RACE_IMPL_H_

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check/race.h"
#include "check/race_shadow.h"
#include "check/u64map.h"

struct vclock {
	uint32_t	*vc_c;
	uint32_t	 vc_len;
};

/*
 * A sync object's clock, and an epoch that dominates it: s_vc is <= the
 * clock thread s_dom_tid had when its epoch s_dom_clk ended (0: no such
 * epoch known).  Every clock that knows that epoch is >= that clock
 * (epochs are published only when they end, at a release, a fork or an
 * exit), so an acquirer that knows it learns nothing and skips the join.
 */
struct sync {
	struct vclock	 s_vc;
	uint32_t	 s_dom_tid;
	uint32_t	 s_dom_clk;
	/*
	 * The last acquirer (RACE_NOTID: none) left with a clock >= s_vc,
	 * at its own clock s_acq_clk and release count s_acq_seq: if it
	 * releases next, s_vc is still below its clock (a mutex: lock,
	 * unlock), and the release makes its epoch dominate again.
	 */
	uint32_t	 s_seq;		/* releases so far */
	uint32_t	 s_acq_tid;
	uint32_t	 s_acq_clk;
	uint32_t	 s_acq_seq;
};

struct readset {
	struct rs_access *rs_a;
	uint32_t	 rs_n, rs_cap;
	uint32_t	 rs_next_free;	/* free-list link, index + 1 */
};

struct rthread {
	struct vclock	 t_vc;
	uint32_t	 t_node;
	uint32_t	 t_lost;	/* frames entered past RS_NODE_MAX */
	uint32_t	 t_birth;	/* own clock at the last (re)creation */
	bool		 t_live;	/* own clock started */
	int		 t_cpu;
	uint32_t	 t_tc;		/* tid and t_cpu as in rs_access */
	char		*t_name;
};

struct csnode {
	uint32_t	 n_parent;
	uintptr_t	 n_pc;
};

/* Direct-mapped cache of the call tree's edges (node 0: empty). */
#define FCACHE_BITS	12
#define FCACHE		(1u << FCACHE_BITS)
#define RPOS_BITS	12
struct fcache_ent {
	uintptr_t	 fe_pc;
	uint32_t	 fe_parent;
	uint32_t	 fe_node;
};

struct race {
	struct rthread	*threads;
	uint32_t	 nthreads;
	uint32_t	 cur;		/* current tid or RACE_NOTID */
	/* race_tid_source's last answer, good while *race_tid_gen is tc_gen */
	uint64_t	 tc_gen;
	uint32_t	 tc_tid;
	int		 tc_cpu;
	struct rs_store	*shadow;
	struct readset	*rsets;
	uint32_t	 nrsets, caprsets, free_rset;
	struct u64map	 sync_map;	/* object -> syncs[] index */
	struct sync	*syncs;
	uint32_t	 nsyncs, capsyncs;
	struct csnode	*nodes;
	uint32_t	 nnodes, capnodes;
	struct u64map	 node_map;	/* hash(parent, pc) -> node */
	struct fcache_ent fcache[FCACHE];
	uint32_t	 rpos[1u << RPOS_BITS];	/* (read set, tid) -> entry */
	uintptr_t	*farpcs;	/* pcs too far from the text, by index */
	uint32_t	 nfarpcs;
	struct u64map	 farpc_map;	/* pc + 1 -> farpcs[] index */
	struct race_report *reports;
	size_t		 nreports, capreports;
	struct u64map	 reported;	/* hash(pc pair) -> 1 */
	race_report_fn_t report_fn;
	void		*report_arg;
	race_access_hook_t access_hook;
	void		*access_arg;
	uint64_t	 naccesses;
	struct u64map	 atomic_pcs;	/* encoded pc + 1 of atomic ops */
};

/* The platform's "who runs" function (race_set_tid_fn), or NULL. */
extern uint32_t	(*race_tid_source)(int *);
extern const uint64_t *race_tid_gen;	/* or NULL */

struct rthread	*race_thread_slow(struct race *, uint32_t tid);
uint32_t	 race_pc_far(struct race *, uintptr_t pc);
void		 race_access_slow(struct race *, struct rs_cell *,
		    const struct rthread *, uint32_t mask, uint32_t pc,
		    bool write);
void		 race_func_slow(struct race *, struct rthread *, uintptr_t pc);
void		 race_access_range(struct race *, struct rthread *,
		    uint32_t tid, uintptr_t addr, size_t size, uintptr_t pc,
		    bool write);

static inline uint32_t
vc_get(const struct vclock *vc, uint32_t tid)
{
	return tid < vc->vc_len ? vc->vc_c[tid] : 0;
}

static inline struct rthread *
thread_get(struct race *r, uint32_t tid)
{
	if (__builtin_expect(tid < r->nthreads && r->threads[tid].t_live, 1))
		return &r->threads[tid];
	return race_thread_slow(r, tid);
}

static inline void
thread_set_cpu(struct rthread *t, uint32_t tid, int cpu)
{
	if (__builtin_expect(t->t_cpu != cpu, 0)) {
		t->t_cpu = cpu;
		t->t_tc = (tid & RS_TID_SHARED) | (cpu >= 0 && cpu < 255 ?
		    (uint32_t)cpu + 1 : 0) << RS_TID_BITS;
	}
}

/* The running thread (its CPU noted), or NULL; *tidp its tid. */
static inline struct rthread *
current_thread(struct race *r, uint32_t *tidp)
{
	struct rthread *t;
	uint32_t tid;
	int cpu = -1;

	if (race_tid_source == NULL) {
		if ((tid = r->cur) == RACE_NOTID)
			return NULL;
		*tidp = tid;
		return thread_get(r, tid);
	}
	if (__builtin_expect(race_tid_gen != NULL &&
	    *race_tid_gen == r->tc_gen, 1)) {
		tid = r->tc_tid;
		cpu = r->tc_cpu;
	} else {
		tid = race_tid_source(&cpu);
		if (race_tid_gen != NULL) {
			r->tc_gen = *race_tid_gen;
			r->tc_tid = tid;
			r->tc_cpu = cpu;
		}
	}
	if (tid == RACE_NOTID)
		return NULL;
	t = thread_get(r, tid);
	thread_set_cpu(t, tid, cpu);
	*tidp = tid;
	return t;
}

/*
 * Pcs in the shadow take 32 bits: an even value is twice the distance
 * from race_create (the whole program text is much nearer than 1 GiB);
 * an odd one indexes farpcs, where any other pc (a test's made-up one)
 * is kept.
 */
#define PC_NEAR		(INT64_C(1) << 30)

static inline uint32_t
pc_encode(struct race *r, uintptr_t pc)
{
	int64_t d = (int64_t)(pc - (uintptr_t)race_create);

	if (__builtin_expect(d >= -PC_NEAR && d < PC_NEAR, 1))
		return (uint32_t)d * 2;
	return race_pc_far(r, pc);
}

static inline bool
cell_shared(const struct rs_cell *c)
{
	return rs_tid(&c->c_r) == RS_TID_SHARED;
}

/* t's access replaces *a (its own): bytes add up within one epoch. */
static inline void
access_record(struct rs_access *a, const struct rthread *t, uint32_t clk,
    uint32_t mask, uint32_t pc)
{
	if (a->a_clk == clk)
		mask |= rs_mask(a);
	a->a_clk = clk;
	a->a_tc = t->t_tc;
	a->a_nm = t->t_node | mask << 24;
	a->a_pc = pc;
}

/*
 * One granule.  The fast path: a read in the epoch of the cell's last
 * read by the same thread, of bytes it already covers, learns nothing.
 * The owner paths: when every access the cell holds whose bytes
 * overlap is this thread's own (ordered before by program order), no
 * race is possible, and the record is updated in place as the slow
 * path would update it.  Anything else (another thread's access, a
 * read set) takes the slow path.
 */
static inline __attribute__((always_inline)) void
access_granule(struct race *r, const struct rthread *t, uint32_t tid,
    uintptr_t g, uint32_t mask, uint32_t pc, bool write)
{
	struct rs_cell *c = rs_cell(r->shadow, g);
	uint32_t clk = t->t_vc.vc_c[tid];
	bool w_own = c->c_w.a_clk == 0 || rs_tid(&c->c_w) == tid;
	bool r_own = c->c_r.a_clk == 0 ? !cell_shared(c) :
	    rs_tid(&c->c_r) == tid;

	if (!write) {
		if (c->c_r.a_clk == clk && rs_tid(&c->c_r) == tid &&
		    (mask & ~rs_mask(&c->c_r)) == 0)
			return;
		if (r_own && (w_own || (mask & rs_mask(&c->c_w)) == 0)) {
			access_record(&c->c_r, t, clk, mask, pc);
			return;
		}
	} else if (w_own && r_own) {
		/* Reads this write covers are ordered before it. */
		if ((rs_mask(&c->c_r) & ~mask) == 0)
			memset(&c->c_r, 0, sizeof(c->c_r));
		access_record(&c->c_w, t, clk, mask, pc);
		return;
	}
	race_access_slow(r, c, t, mask, pc, write);
}

/* Call tree: the cache slot of the edge (parent, pc). */
static inline struct fcache_ent *
fcache_slot(struct race *r, uint32_t parent, uintptr_t pc)
{
	return &r->fcache[((pc ^ (uint64_t)parent << 20) *
	    UINT64_C(0x9e3779b97f4a7c15)) >> (64 - FCACHE_BITS)];
}

static inline void
func_exit(struct race *r, struct rthread *t)
{
	if (t->t_lost != 0)
		t->t_lost--;
	else
		t->t_node = r->nodes[t->t_node].n_parent;
}

/* Function entry and exit by the running thread (race_enter/leave). */
static inline __attribute__((always_inline)) void
race_enter_inline(struct race *r, uintptr_t pc)
{
	struct fcache_ent *fe;
	struct rthread *t;
	uint32_t tid;

	if ((t = current_thread(r, &tid)) == NULL)
		return;
	fe = fcache_slot(r, t->t_node, pc);
	if (__builtin_expect(t->t_lost == 0 && fe->fe_node != 0 &&
	    fe->fe_pc == pc && fe->fe_parent == t->t_node, 1)) {
		t->t_node = fe->fe_node;
		return;
	}
	race_func_slow(r, t, pc);
}

static inline __attribute__((always_inline)) void
race_leave_inline(struct race *r)
{
	struct rthread *t;
	uint32_t tid;

	if ((t = current_thread(r, &tid)) != NULL)
		func_exit(r, t);
}

/* An access by the running thread (race_access). */
static inline __attribute__((always_inline)) void
race_access_inline(struct race *r, uintptr_t addr, size_t size,
    uintptr_t pc, bool write)
{
	uintptr_t g = addr & ~(uintptr_t)(RS_GRANULE - 1);
	struct rthread *t;
	uint32_t tid;

	if ((t = current_thread(r, &tid)) == NULL)
		return;
	/* The common case, all bytes in one granule, inline. */
	if (__builtin_expect(addr - g + size <= RS_GRANULE && size != 0 &&
	    tid < RS_TID_SHARED, 1)) {
		r->naccesses++;
		access_granule(r, t, tid, g,
		    ((1u << size) - 1) << (addr - g), pc_encode(r, pc), write);
		return;
	}
	race_access_range(r, t, tid, addr, size, pc, write);
}

#endif /* !_KNIT_SIM_CHECK_RACE_IMPL_H_ */
