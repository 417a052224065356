/*
 * The checkers on the machine's synchronisation funnel (see checkers.h).
 *
 * Lock classes are looked up by the identity of the init site's strings
 * (the same string literals every time in one process), so the hot path
 * is one hash probe; the class's name is interned by content only the
 * first time a run meets it.
 *
 * Stacks: capturing one costs about a microsecond, far more than the
 * rest of an acquisition.  A class's acquisitions are captured only the
 * first CAPTURE_PER_CLASS times in this process, and always when an
 * acquisition might make a new edge.  Edges appear early in a campaign,
 * so reports keep their stacks while the steady state runs without the
 * unwinder.  Likewise the first acquisition that extends a class's
 * interrupt usage in this process (a higher interrupt level, a lower IPL
 * held at) is captured: the interrupt rule's report shows those two.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/intr.h"

#include "cpu/machine.h"
#include "cpu/sync.h"
#include "check/checkers.h"
#include "check/lockorder.h"
#include "check/race.h"
#include "check/u64map.h"

#define CAPTURE_PER_CLASS	32
#define FENCE_OBJECT		((uintptr_t)&fence_object)

static char fence_object;

struct checkstate {
	struct world	*cs_world;
	struct check_config cs_cfg;
	struct lockorder *cs_lo;	/* this run's graph */
	struct u64map	 cs_cls;	/* site key -> class id (this run) */
	uint64_t	*cs_clskey;	/* class id -> site key */
	uint32_t	*cs_clscap;	/* class id -> its capv index */
	uint32_t	 cs_nclskey;
	uint64_t	*cs_newpairs;	/* known_pairs added by this run */
	uint32_t	 cs_nnewpairs;
	uint64_t	*cs_oldusage;	/* (key, old CAP_USAGE) pairs */
	uint32_t	 cs_noldusage;
	struct race	*cs_race;
};

static struct checkstate cs;
static struct lockorder *proc_lo;	/* every run of this process */
static struct u64map captures;		/* site key -> index in capv */
static uint32_t *capv;			/* CAP_* per site key */
static uint32_t ncapv, capcapv;
static struct u64map known_pairs;	/* (held site, site) with stacks */
static unsigned long long last_race_accesses;

static uint64_t
site_key(const char *name, const char *file, int line)
{
	uint64_t k = (uint64_t)(uintptr_t)name * UINT64_C(0x9e3779b97f4a7c15);

	k ^= (uint64_t)(uintptr_t)file * UINT64_C(0xc2b2ae3d27d4eb4f);
	k ^= (uint64_t)(unsigned)line;
	return k != 0 ? k : 1;
}

static uint64_t
pair_key(uint64_t from, uint64_t to)
{
	uint64_t k = from * UINT64_C(0x9e3779b97f4a7c15) ^ (to << 1 | to >> 63);

	return k != 0 ? k : 1;
}

/*
 * Per site key, in capv: the stacks captured (CAP_COUNT) and the
 * interrupt usage this process has stacks for (CAP_USAGE: the highest
 * interrupt level + 1 in bits 0-7, 0 none; 16 - the lowest IPL held at
 * in bits 8-15, 0 none).  One lookup per acquisition serves both.
 */
#define CAP_COUNT(v)	((v) & 0xffff)
#define CAP_USAGE(v)	((v) >> 16)

/*
 * Does this acquisition extend the usage *cap records?  Then record it;
 * the old usage is kept for end_world to put back.
 */
static bool
usage_news(uint64_t key, uint32_t *cap, unsigned flags)
{
	uint32_t v = CAP_USAGE(*cap);
	uint32_t lvl = (flags & LO_INTR) ? (uint32_t)LO_LEVEL_OF(flags) + 1 : 0;
	uint32_t hold = 16 - (uint32_t)LO_IPL_OF(flags), nv;

	if (lvl <= (v & 0xff) && hold <= (v >> 8))
		return false;
	nv = (lvl > (v & 0xff) ? lvl : (v & 0xff)) |
	    (hold > (v >> 8) ? hold : (v >> 8)) << 8;
	cs.cs_oldusage = realloc(cs.cs_oldusage, (cs.cs_noldusage + 2) *
	    sizeof(*cs.cs_oldusage));
	if (cs.cs_oldusage == NULL)
		abort();
	cs.cs_oldusage[cs.cs_noldusage++] = key;
	cs.cs_oldusage[cs.cs_noldusage++] = v;
	*cap = CAP_COUNT(*cap) | nv << 16;
	return true;
}

static void
lo_report_to_world(void *arg, const struct lo_report *r)
{
	struct world *w = arg;
	char *msg = strdup(r->lr_signature), *text = strdup(r->lr_text);

	if (msg == NULL || text == NULL)
		abort();
	world_violation_record(w, VIOL_LOCK_ORDER, msg, text);
}

static void
race_report_to_world(void *arg, const struct race_report *r)
{
	struct world *w = arg;
	char *msg = strdup(r->rr_signature), *text = strdup(r->rr_text);

	if (msg == NULL || text == NULL)
		abort();
	world_violation_record(w, VIOL_DATA_RACE, msg, text);
	/* The hooks run before the access: it is not made. */
	if (cs.cs_cfg.cc_race_halt)
		sim_abandon();
}

static uint32_t
tid_of(const struct lwp *l)
{
	return l != NULL ? l->l_gid : RACE_NOTID;
}

/* The capv index of site key (a new entry, zero, when it has none). */
static uint32_t
cap_index(uint64_t key)
{
	uint32_t *idp;

	if ((idp = u64map_find(&captures, key)) != NULL)
		return *idp;
	if (ncapv == capcapv) {
		capcapv = capcapv ? capcapv * 2 : 64;
		if ((capv = realloc(capv, capcapv * sizeof(*capv))) == NULL)
			abort();
	}
	capv[ncapv] = 0;
	u64map_put(&captures, key, ncapv);
	return ncapv++;
}

static void
hook_lock_acquired(struct lwp *l, const void *lock, int kind, bool shared,
    bool try, const char *name, const char *file, int line)
{
	uint64_t key;
	uint32_t *idp, cls, *cap;
	unsigned flags = 0;
	struct check_stack stk;
	uint32_t held[32], nheld;
	bool want;

	if (l == NULL)
		return;
	if (cs.cs_race != NULL) {
		/*
		 * Readers learn what writers did; a writer also learns what
		 * every reader before it did (their releases go to lock + 1),
		 * but readers do not order each other.
		 */
		race_acquire(cs.cs_race, tid_of(l), (uintptr_t)lock);
		if (kind == SYNC_RWLOCK && !shared)
			race_acquire(cs.cs_race, tid_of(l),
			    (uintptr_t)lock + 1);
	}
	if (cs.cs_lo == NULL)
		return;
	key = site_key(name, file, line);
	if ((idp = u64map_find(&cs.cs_cls, key)) != NULL)
		cls = *idp;
	else {
		cls = lo_class(cs.cs_lo, name, file, line);
		u64map_put(&cs.cs_cls, key, cls);
		if (cls >= cs.cs_nclskey) {
			uint32_t n = cls + 64;

			cs.cs_clskey = realloc(cs.cs_clskey, n *
			    sizeof(*cs.cs_clskey));
			cs.cs_clscap = realloc(cs.cs_clscap, n *
			    sizeof(*cs.cs_clscap));
			if (cs.cs_clskey == NULL || cs.cs_clscap == NULL)
				abort();
			cs.cs_nclskey = n;
		}
		cs.cs_clskey[cls] = key;
		cs.cs_clscap[cls] = cap_index(key);
	}
	if (shared)
		flags |= LO_SHARED;
	if (try)
		flags |= LO_TRY;
	if (kind == SYNC_SPIN)
		flags |= LO_SPIN;
	if (l->l_flags & LW_INTR)
		flags |= LO_INTR | LO_LEVEL(l->l_level);
	/* A spin mutex raised it before the hook: the IPL of the hold. */
	flags |= LO_IPL(l->l_ipl);
	/*
	 * Capture while the class is young, or when this acquisition pairs
	 * with a held class in a way this process has no stacks for yet
	 * (a report about a pair seen before takes the stacks from the
	 * process's graph: lo_set_fallback).
	 */
	cap = &capv[cs.cs_clscap[cls]];
	want = CAP_COUNT(*cap) < CAPTURE_PER_CLASS;
	if (usage_news(key, cap, flags))
		want = true;
	/* Most acquisitions hold nothing else: no pair, no edge. */
	if (!want && lo_acquire_plain(cs.cs_lo, tid_of(l), cls, lock, flags))
		return;
	nheld = lo_held_classes(cs.cs_lo, tid_of(l), held, 32);
	for (uint32_t i = 0; i < nheld; i++) {
		uint64_t pk = pair_key(cs.cs_clskey[held[i]], key);

		if (u64map_find(&known_pairs, pk) == NULL) {
			u64map_put(&known_pairs, pk, 1);
			cs.cs_newpairs = realloc(cs.cs_newpairs,
			    (cs.cs_nnewpairs + 1) * sizeof(*cs.cs_newpairs));
			if (cs.cs_newpairs == NULL)
				abort();
			cs.cs_newpairs[cs.cs_nnewpairs++] = pk;
			want = true;
		}
	}
	/* cap stays valid: capv grows only when a class is met first. */
	if (want) {
		check_stack_capture(&stk, 1);
		if (CAP_COUNT(*cap) < CAPTURE_PER_CLASS)
			(*cap)++;
	}
	lo_acquire(cs.cs_lo, tid_of(l), cls, lock, flags, want ? &stk : NULL);
}

static void
hook_lock_released(struct lwp *l, const void *lock, int kind, bool shared)
{
	if (l == NULL)
		return;
	if (cs.cs_race != NULL)
		race_release(cs.cs_race, tid_of(l), (uintptr_t)lock +
		    (kind == SYNC_RWLOCK && shared ? 1 : 0));
	if (cs.cs_lo != NULL)
		lo_release(cs.cs_lo, tid_of(l), lock);
}

static void
hook_release(struct lwp *l, const void *obj)
{
	if (cs.cs_race != NULL && l != NULL)
		race_release(cs.cs_race, tid_of(l),
		    obj != NULL ? (uintptr_t)obj : FENCE_OBJECT);
}

static void
hook_acquire(struct lwp *l, const void *obj)
{
	if (cs.cs_race != NULL && l != NULL)
		race_acquire(cs.cs_race, tid_of(l),
		    obj != NULL ? (uintptr_t)obj : FENCE_OBJECT);
}

_Static_assert(SYNC_AT_READ == RACE_AT_READ &&
    SYNC_AT_WRITE == RACE_AT_WRITE && SYNC_AT_ACQUIRE == RACE_AT_ACQUIRE &&
    SYNC_AT_RELEASE == RACE_AT_RELEASE, "atomic op flags");

static void
hook_atomic(struct lwp *l, const void *obj, size_t size, unsigned flags,
    uintptr_t pc)
{
	if (cs.cs_race != NULL && l != NULL)
		race_atomic_op(cs.cs_race, tid_of(l), (uintptr_t)obj, size,
		    flags, pc);
}

static void
hook_fence(struct lwp *l, unsigned flags)
{
	if (cs.cs_race != NULL && l != NULL)
		race_fence(cs.cs_race, tid_of(l), flags);
}

static void
hook_lwp_created(struct lwp *parent, struct lwp *child)
{
	if (cs.cs_race == NULL)
		return;
	race_thread_create(cs.cs_race, tid_of(parent), tid_of(child),
	    child->l_name);
	race_fence_reset(cs.cs_race, tid_of(child));
	/* No creator: it starts after its host booted (host_boot_main). */
	if (parent == NULL && child->l_host != NULL)
		race_acquire(cs.cs_race, tid_of(child),
		    (uintptr_t)child->l_host);
	/* A new stack (maybe an old one's address) has no history. */
	if (child->l_ctx.ctx_stack != NULL)
		race_forget(cs.cs_race, (uintptr_t)child->l_ctx.ctx_stack,
		    child->l_ctx.ctx_size);
}

/*
 * Memory from pool/kmem is new to whoever gets it: what earlier owners
 * of the same addresses did is no race with the new owner.
 */
static void
hook_mem(struct lwp *l, const void *p, size_t size)
{
	(void)l;
	if (cs.cs_race != NULL)
		race_forget(cs.cs_race, (uintptr_t)p, size);
}

static void
hook_lwp_joined(struct lwp *joiner, struct lwp *exited)
{
	if (cs.cs_lo != NULL)
		lo_thread_exit(cs.cs_lo, tid_of(exited));
	if (cs.cs_race != NULL && joiner != NULL)
		race_thread_join(cs.cs_race, tid_of(joiner), tid_of(exited));
}

static const struct sync_hooks check_hooks = {
	.sh_lock_acquired = hook_lock_acquired,
	.sh_lock_released = hook_lock_released,
	.sh_release = hook_release,
	.sh_acquire = hook_acquire,
	.sh_lwp_created = hook_lwp_created,
	.sh_lwp_joined = hook_lwp_joined,
	.sh_mem_alloc = hook_mem,
	.sh_mem_free = hook_mem,
	.sh_atomic = hook_atomic,
	.sh_fence = hook_fence,
};

/*
 * The lock-order checker alone needs only the lock hooks: the other
 * events (a cv_broadcast, every kmem_alloc) then cost their funnel one
 * test of a NULL hook instead of a call that does nothing.
 */
static const struct sync_hooks check_hooks_lockorder = {
	.sh_lock_acquired = hook_lock_acquired,
	.sh_lock_released = hook_lock_released,
	.sh_lwp_joined = hook_lwp_joined,
};

/* The race detector learns the running LWP and CPU from the machine. */
static uint32_t
race_tid(int *cpup)
{
	struct lwp *l = sim_curlwp;

	if (l == NULL || (l->l_flags & LW_NOSCHED) || l->l_world != cs.cs_world)
		return RACE_NOTID;
	*cpup = l->l_cpu != NULL ? l->l_cpu->c_gindex : -1;
	return l->l_gid;
}

static void
race_point(void *arg, uintptr_t addr, bool write)
{
	(void)arg;
	(void)addr;
	(void)write;
	sched_point(SIM_OP_PREEMPT);
}

static void
race_start(struct world *w, bool points)
{
	cs.cs_race = race_create();
	race_set_report_fn(cs.cs_race, race_report_to_world, w);
	race_set_tid_fn(race_tid);
	race_set_tid_gen(&sim_switch_gen);
	if (points)
		race_set_access_hook(cs.cs_race, race_point, NULL);
	race_set_current(cs.cs_race);
}

void
check_world_begin(struct world *w, const struct check_config *cfg)
{
	if (cs.cs_world != NULL)
		check_world_end(cs.cs_world);
	memset(&cs, 0, sizeof(cs));
	cs.cs_world = w;
	sim_switch_gen++;
	cs.cs_cfg = *cfg;
	if (cfg->cc_lockorder) {
		cs.cs_lo = lo_create();
		lo_set_report_fn(cs.cs_lo, lo_report_to_world, w);
		if (proc_lo != NULL)
			lo_set_fallback(cs.cs_lo, proc_lo);
	}
	if (cfg->cc_race)
		race_start(w, cfg->cc_race_points);
	if (cs.cs_race != NULL)
		sync_hooks = &check_hooks;
	else if (cs.cs_lo != NULL)
		sync_hooks = &check_hooks_lockorder;
}

void
check_race_enable(bool points)
{
	if (cs.cs_world == NULL)
		return;
	if (cs.cs_race == NULL)
		race_start(cs.cs_world, points);
	else if (points && !cs.cs_cfg.cc_race_points)
		race_set_access_hook(cs.cs_race, race_point, NULL);
	cs.cs_cfg.cc_race = true;
	cs.cs_cfg.cc_race_points |= points;
	sync_hooks = &check_hooks;
}

void
check_set_intr_rule(int rule)
{
	if (cs.cs_lo != NULL)
		lo_set_intr_rule(cs.cs_lo, (enum lo_intr_rule)rule);
}

void
check_set_race_halt(bool on)
{
	cs.cs_cfg.cc_race_halt = on;
}

static char *end_world(struct world *, bool);

void
check_world_end(struct world *w)
{
	(void)end_world(w, false);
}

char *
check_world_end_edges(struct world *w)
{
	return end_world(w, true);
}

static char *
end_world(struct world *w, bool edges)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	if (cs.cs_world != w || w == NULL)
		return NULL;
	sync_hooks = NULL;
	if (cs.cs_race != NULL) {
		last_race_accesses = race_naccesses(cs.cs_race);
		race_set_current(NULL);
		race_set_tid_fn(NULL);
		race_destroy(cs.cs_race);
	}
	if (cs.cs_lo != NULL && edges) {
		if (proc_lo == NULL)
			proc_lo = lo_create();
		/* knit.check{softint_rule = ...} holds campaign-wide. */
		if (lo_intr_rule(cs.cs_lo) != LO_RULE_SPIN)
			lo_set_intr_rule(proc_lo, lo_intr_rule(cs.cs_lo));
		/* Reports here are cross-run: the campaign makes them. */
		(void)lo_merge(proc_lo, cs.cs_lo, 0);
		/* Nothing new (most runs): no text, as lo_write's "." alone. */
		fp = lo_unwritten(proc_lo) ? open_memstream(&text, &len) : NULL;
		if (fp != NULL) {
			(void)lo_write(proc_lo, fp);
			fclose(fp);
		}
		/* Nothing new: "." alone. */
		if (text != NULL && strcmp(text, ".\n") == 0) {
			free(text);
			text = NULL;
		}
	}
	/*
	 * Unless the run's edges went into the process's graph, later runs
	 * cannot take stacks from there: let them capture again.
	 */
	if (!edges) {
		for (uint32_t i = 0; i < cs.cs_nnewpairs; i++)
			(void)u64map_del(&known_pairs, cs.cs_newpairs[i]);
		for (uint32_t i = cs.cs_noldusage; i > 0; i -= 2) {
			uint32_t *idp = u64map_find(&captures,
			    cs.cs_oldusage[i - 2]);

			if (idp != NULL)
				capv[*idp] = CAP_COUNT(capv[*idp]) |
				    (uint32_t)cs.cs_oldusage[i - 1] << 16;
		}
	}
	free(cs.cs_newpairs);
	free(cs.cs_oldusage);
	lo_destroy(cs.cs_lo);
	u64map_fini(&cs.cs_cls);
	free(cs.cs_clskey);
	free(cs.cs_clscap);
	memset(&cs, 0, sizeof(cs));
	return text;
}

struct lockorder *
check_process_lockorder(void)
{
	return proc_lo;
}

unsigned long long
check_race_accesses(void)
{
	return cs.cs_race != NULL ? race_naccesses(cs.cs_race) :
	    last_race_accesses;
}
