/*
 * pool(9) and kmem(9).
 *
 * Every allocation carries a 32-byte header in front of it: kmem records
 * the size (checked on free) and pool items the pool they came from.
 * Memory is always zeroed.  Freeing memory that contains a live lock is
 * a lock misuse (LOCKDEBUG's "allocation contains active lock"); a wrong
 * size, a double free or a foreign pointer is a memory violation.
 *
 * Ownership.  A block allocated while a world runs (or a host is
 * entered) is on that world's list of live blocks until it is freed;
 * world_destroy frees whatever the stack left (a run stopped half-way
 * abandons LWPs in the middle of their work) together with the world's
 * quarantined blocks, so that nothing of a world outlives it.  Blocks
 * allocated outside any world are on no list.
 *
 * The memory checker (poison and quarantine, below) is a world's choice
 * (world_config.wc_no_memcheck).  Without it a freed block goes onto a
 * free list of its size class and the next allocation of that class
 * takes it back, zeroed: no poisoning, no malloc/free on the data path.
 * Every block is malloc'ed with its class's capacity (memsize_class) so
 * that any block can go onto any world's list, whatever mode it was
 * allocated in.  The lists hold blocks of one world (mfree_world) and
 * are emptied when another world frees or the world ends.
 *
 * The blocks a world leaves behind (its quarantine and free lists) go to
 * a process-wide cache by size class when the world ends, and later
 * worlds, checked or not, allocate from there before asking malloc: an
 * exploration makes thousands of worlds that allocate alike.  Only an
 * ended world's blocks are cached, so no block ever passes between two
 * live worlds (a stale pointer of one cannot reach the other's data),
 * and a cached block is zeroed over its whole capacity when it is
 * handed out, as calloc would, so that even a read past the end sees
 * what it would in a fresh process.  Cached blocks belong to no world:
 * sim_mem_blocks does not count them.
 */
#include <stdlib.h>
#include <string.h>

#include "sys/kmem.h"
#include "sys/pool.h"

#include "cpu/locks.h"
#include "cpu/sync.h"

#define KMEM_MAGIC	0x4b4d454du	/* "KMEM" */
#define POOL_MAGIC	0x504f4f4cu	/* "POOL" */
#define MEM_FREED	0x46524545u	/* "FREE" */

struct memhdr {
	LIST_ENTRY(memhdr) mh_live;	/* on w_mem while allocated */
	uint64_t	 mh_size;	/* kmem: bytes; pool: the pool */
	uint32_t	 mh_magic;
	uint32_t	 mh_host;
};
_Static_assert(sizeof(struct memhdr) == 32, "memhdr keeps 16-alignment");

/* Blocks malloc'ed here and not yet given back to malloc (live ones and
 * quarantined ones), over every world of the process. */
static uint64_t mem_blocks;

struct spool {
	uint32_t	 sp_magic;
	struct sleepq	 sp_waiters;
	struct host	*sp_host;
};
_Static_assert(sizeof(struct spool) <= sizeof(((struct pool *)0)->pr_opaque),
    "pool opaque");

static inline struct spool *
SP(struct pool *pp)
{
	return (struct spool *)(void *)pp->pr_opaque;
}

/*
 * Size classes: 32-byte steps up to MEM_CLASS_SMALL bytes, then powers
 * of two up to MEM_CLASS_MAX; larger blocks have no class (exact size,
 * never recycled).  A block's capacity depends only on the size asked,
 * so kmem_free's size and a pool's item size find the class again.
 */
#define MEM_CLASS_STEP		32
#define MEM_CLASS_SMALL		2048
#define MEM_CLASS_MAX		65536
#define MEM_NSMALL		(MEM_CLASS_SMALL / MEM_CLASS_STEP)
#define MEM_NCLASS		(MEM_NSMALL + 5)	/* 4K .. 64K */
#define MEM_NOCLASS		(-1)

static int
memsize_class(size_t size)
{
	int c;
	size_t cap;

	if (size <= MEM_CLASS_SMALL)
		return size == 0 ? 0 :
		    (int)((size - 1) / MEM_CLASS_STEP);
	if (size > MEM_CLASS_MAX)
		return MEM_NOCLASS;
	for (c = MEM_NSMALL, cap = 2 * MEM_CLASS_SMALL; cap < size; c++)
		cap *= 2;
	return c;
}

static size_t
memclass_capacity(int c, size_t size)
{
	if (c == MEM_NOCLASS)
		return size;
	if (c < MEM_NSMALL)
		return (size_t)(c + 1) * MEM_CLASS_STEP;
	return (size_t)MEM_CLASS_SMALL << (c - MEM_NSMALL + 1);
}

/*
 * The cache of ended worlds' blocks: per size class, a stack of pointers
 * (kept apart from the blocks, so that caching a block at a world's end
 * and taking it back do not read its cold header; only the zeroing
 * touches it).
 */
#define MCACHE_MAX_BYTES	((size_t)8 << 20)

struct mcache_class {
	struct memhdr	**mc_v;
	size_t		 mc_n, mc_cap;
};

static struct mcache_class mcache[MEM_NCLASS];
static size_t mcache_bytes;

/* Block mh of class c leaves its world: into the cache, or to malloc. */
static void
mcache_put(struct memhdr *mh, int c)
{
	struct mcache_class *mc;
	size_t cap;

	mem_blocks--;
	if (c == MEM_NOCLASS ||
	    mcache_bytes + (cap = memclass_capacity(c, 0)) > MCACHE_MAX_BYTES) {
		free(mh);
		return;
	}
	mc = &mcache[c];
	if (mc->mc_n == mc->mc_cap) {
		size_t n = mc->mc_cap ? 2 * mc->mc_cap : 64;
		struct memhdr **v = realloc(mc->mc_v, n * sizeof(*v));

		if (v == NULL) {
			free(mh);
			return;
		}
		mc->mc_v = v;
		mc->mc_cap = n;
	}
	mc->mc_v[mc->mc_n++] = mh;
	mcache_bytes += cap;
}

/* A cached block of class c, zeroed over its capacity, or NULL. */
static struct memhdr *
mcache_get(int c)
{
	struct mcache_class *mc;
	struct memhdr *mh;
	size_t cap;

	if (c == MEM_NOCLASS || (mc = &mcache[c])->mc_n == 0)
		return NULL;
	mh = mc->mc_v[--mc->mc_n];
	/* the next one of the class is probably cold: start fetching it */
	if (mc->mc_n > 0)
		__builtin_prefetch(mc->mc_v[mc->mc_n - 1], 1);
	cap = memclass_capacity(c, 0);
	mcache_bytes -= cap;
	memset(mh + 1, 0, cap);
	mem_blocks++;
	return mh;
}

size_t
sim_mem_cache_bytes(void)
{
	return mcache_bytes;
}

/* Free lists of the unchecked mode, linked through mh_live.le_next;
 * every block on them is MEM_FREED and belongs to mfree_world. */
static struct memhdr *mfree[MEM_NCLASS];
static struct world *mfree_world;

/*
 * Empty the free lists: into the cache when mfree_world ended, back to
 * malloc when another world frees (mfree_world may live on).
 */
static void
mfree_flush(bool ended)
{
	struct memhdr *mh;
	int c;

	for (c = 0; c < MEM_NCLASS; c++)
		while ((mh = mfree[c]) != NULL) {
			mfree[c] = mh->mh_live.le_next;
			if (ended)
				mcache_put(mh, c);
			else {
				free(mh);
				mem_blocks--;
			}
		}
	mfree_world = NULL;
}

static inline bool
mem_checked(const struct world *w)
{
	return w == NULL || !w->w_config.wc_no_memcheck;
}

static void *
mem_alloc(size_t size, uint64_t tag, uint32_t magic)
{
	struct memhdr *mh;
	struct host *h = sim_curhost();
	struct world *w = h != NULL ? h->h_world : sim_curworld;
	int c = memsize_class(size);

	if (c != MEM_NOCLASS && w != NULL && w == mfree_world &&
	    (mh = mfree[c]) != NULL) {
		mfree[c] = mh->mh_live.le_next;
		memset(mh + 1, 0, size);
	} else if ((mh = mcache_get(c)) == NULL) {
		mh = calloc(1, sizeof(*mh) + memclass_capacity(c, size));
		if (mh == NULL)
			abort();
		mem_blocks++;
	}
	if (w != NULL)
		LIST_INSERT_HEAD(&w->w_mem, mh, mh_live);
	mh->mh_size = tag;
	mh->mh_magic = magic;
	mh->mh_host = h != NULL ? (uint32_t)h->h_index : UINT32_MAX;
	if (h != NULL) {
		h->h_kmem_bytes += size;
		h->h_kmem_allocs++;
	}
	sync_mem_alloc(sim_curlwp, mh + 1, size);
	return mh + 1;
}

static struct memhdr *
mem_hdr(const char *func, void *p, uint32_t magic)
{
	struct memhdr *mh = (struct memhdr *)p - 1;

	if (p == NULL)
		sim_fail(VIOL_MEMORY, "%s: NULL pointer", func);
	if (mh->mh_magic == MEM_FREED)
		sim_fail(VIOL_MEMORY, "%s(%p): double free", func, p);
	if (mh->mh_magic != magic)
		sim_fail(VIOL_MEMORY, "%s(%p): not allocated by %s", func, p,
		    magic == KMEM_MAGIC ? "kmem_alloc" : "pool_get");
	return mh;
}

/*
 * Quarantine: freed memory is poisoned and kept out of malloc's hands for
 * the next QUARANTINE_SLOTS frees, so that a use after free reads poison
 * (a stale pointer or magic number shows up as 0xdbdb...) instead of a
 * new owner's data, a double free is always recognised (the header stays
 * MEM_FREED), and a write after free is found when the block leaves the
 * quarantine with its poison changed.  Blocks of a world that is gone
 * are released unchecked.  (sim/check's memory checker; explore.)
 */
#define QUARANTINE_SLOTS	512
#define MEM_POISON		0xdb

struct quarantined {
	struct memhdr	*q_mh;
	size_t		 q_size;
	struct world	*q_world;
};

static struct quarantined quarantine[QUARANTINE_SLOTS];
static unsigned quarantine_next;

/*
 * The offset of the first byte of p[0..len-1] that is not MEM_POISON, or
 * len.  Compares a chunk at a time (memcmp against a poisoned block) and
 * looks at single bytes only in a chunk that differs: every packet frees
 * two blocks of 2 KiB and more, so this runs on the data path.
 */
static size_t
poison_first_change(const unsigned char *p, size_t len)
{
	static unsigned char poison[256];
	size_t i, n;

	if (poison[0] != MEM_POISON)
		memset(poison, MEM_POISON, sizeof(poison));
	for (i = 0; i < len; i += n) {
		n = len - i < sizeof(poison) ? len - i : sizeof(poison);
		if (memcmp(p + i, poison, n) != 0)
			break;
	}
	for (; i < len; i++)
		if (p[i] != MEM_POISON)
			break;
	return i;
}

static void
quarantine_release(struct quarantined *q)
{
	const unsigned char *p;
	size_t i;

	if (q->q_mh == NULL)
		return;
	p = (const unsigned char *)(q->q_mh + 1);
	if (q->q_world != NULL && q->q_world == sim_curworld &&
	    (i = poison_first_change(p, q->q_size)) < q->q_size)
		world_violation_add(q->q_world, VIOL_MEMORY,
		    "write after free: byte %zu of a freed "
		    "%zu-byte block changed to 0x%02x", i, q->q_size, p[i]);
	free(q->q_mh);
	mem_blocks--;
	q->q_mh = NULL;
}

uint64_t
sim_mem_blocks(void)
{
	return mem_blocks;
}

size_t
mem_world_live(const struct world *w)
{
	const struct memhdr *mh;
	size_t n = 0;

	LIST_FOREACH(mh, &w->w_mem, mh_live)
		n++;
	return n;
}

/*
 * The end of world w: give its quarantined blocks back to malloc
 * (unchecked: nobody will read the verdict) and free the blocks still
 * allocated.  Returns how many of those there were.
 */
size_t
mem_world_fini(struct world *w)
{
	struct memhdr *mh;
	size_t n = 0, i;

	if (mfree_world == w)
		mfree_flush(true);
	for (i = 0; i < QUARANTINE_SLOTS; i++)
		if (quarantine[i].q_mh != NULL && quarantine[i].q_world == w) {
			mcache_put(quarantine[i].q_mh,
			    memsize_class(quarantine[i].q_size));
			quarantine[i].q_mh = NULL;
		}
	while ((mh = LIST_FIRST(&w->w_mem)) != NULL) {
		LIST_REMOVE(mh, mh_live);
		free(mh);
		mem_blocks--;
		n++;
	}
	return n;
}

static void
mem_free(struct memhdr *mh, size_t size)
{
	struct host *h = sim_curhost();
	struct world *w = h != NULL ? h->h_world : sim_curworld;
	struct quarantined *q;
	int c;

	if (h != NULL && (uint32_t)h->h_index == mh->mh_host) {
		h->h_kmem_bytes -= size;
		h->h_kmem_allocs--;
	}
	sync_mem_free(sim_curlwp, mh + 1, size);
	if (mh->mh_live.le_prev != NULL)
		LIST_REMOVE(mh, mh_live);
	mh->mh_magic = MEM_FREED;
	if (!mem_checked(w)) {
		if ((c = memsize_class(size)) == MEM_NOCLASS) {
			free(mh);
			mem_blocks--;
			return;
		}
		if (mfree_world != w) {
			mfree_flush(false);
			mfree_world = w;
		}
		mh->mh_live.le_prev = NULL;
		mh->mh_live.le_next = mfree[c];
		mfree[c] = mh;
		return;
	}
	memset(mh + 1, MEM_POISON, size);
	q = &quarantine[quarantine_next];
	quarantine_next = (quarantine_next + 1) % QUARANTINE_SLOTS;
	quarantine_release(q);
	q->q_mh = mh;
	q->q_size = size;
	q->q_world = sim_curworld;
}

void *
kmem_alloc(size_t size, km_flag_t flags)
{
	(void)flags;
	return mem_alloc(size, size, KMEM_MAGIC);
}

void *
kmem_zalloc(size_t size, km_flag_t flags)
{
	return kmem_alloc(size, flags);
}

void
kmem_free(void *p, size_t size)
{
	struct memhdr *mh = mem_hdr("kmem_free", p, KMEM_MAGIC);

	if (mh->mh_size != size)
		sim_fail(VIOL_MEMORY, "kmem_free(%p, %zu): allocated with "
		    "size %llu", p, size, (unsigned long long)mh->mh_size);
	lockdebug_mem_check("kmem_free", p, size);
	mem_free(mh, size);
}

char *
kmem_strdup(const char *s, km_flag_t flags)
{
	size_t n = strlen(s) + 1;
	char *p = kmem_alloc(n, flags);

	memcpy(p, s, n);
	return p;
}

void
kmem_strfree(char *s)
{
	kmem_free(s, strlen(s) + 1);
}

void
pool_init(struct pool *pp, size_t size, const char *wchan, int ipl)
{
	memset(pp, 0, sizeof(*pp));
	pp->pr_wchan = wchan;
	pp->pr_size = size;
	pp->pr_ipl = ipl;
	SP(pp)->sp_magic = POOL_MAGIC;
	SP(pp)->sp_host = sim_curhost();
	sleepq_init(&SP(pp)->sp_waiters);
}

void
pool_destroy(struct pool *pp)
{
	struct world *w = sim_curworld;

	if (SP(pp)->sp_magic != POOL_MAGIC)
		sim_fail(VIOL_MEMORY, "pool_destroy(%p): not a pool",
		    (void *)pp);
	if (pp->pr_nout != 0 && w != NULL)
		world_violation_add(w, VIOL_MEMORY, "pool_destroy: pool \"%s\""
		    " destroyed with %u item(s) outstanding", pp->pr_wchan,
		    pp->pr_nout);
	if (!sleepq_empty(&SP(pp)->sp_waiters))
		sim_fail(VIOL_PANIC, "pool_destroy: pool \"%s\" has waiters",
		    pp->pr_wchan);
	SP(pp)->sp_magic = MEM_FREED;
}

void
pool_sethardlimit(struct pool *pp, unsigned limit)
{
	pp->pr_hardlimit = limit;
	/* a raised limit may let waiters in */
	if (!sleepq_empty(&SP(pp)->sp_waiters))
		(void)sleepq_wake_all(&SP(pp)->sp_waiters);
}

void *
pool_get(struct pool *pp, int flags)
{
	struct spool *sp = SP(pp);
	void *p;

	if (sp->sp_magic != POOL_MAGIC)
		sim_fail(VIOL_MEMORY, "pool_get(%p): not a pool", (void *)pp);
	while (pp->pr_hardlimit != 0 && pp->pr_nout >= pp->pr_hardlimit) {
		if (!(flags & PR_WAITOK)) {
			pp->pr_nfail++;
			return NULL;
		}
		if (cpu_intr_p())
			sim_fail(VIOL_LOCK_MISUSE, "pool error: pool_get: "
			    "PR_WAITOK in interrupt context (pool \"%s\")",
			    pp->pr_wchan);
		(void)sleepq_block(&sp->sp_waiters, SLK_POOL, pp,
		    pp->pr_wchan, 0, false, SIM_OP_SLEEP);
	}
	p = mem_alloc(pp->pr_size, (uint64_t)(uintptr_t)pp, POOL_MAGIC);
	pp->pr_nout++;
	pp->pr_nget++;
	if (pp->pr_nout > pp->pr_maxout)
		pp->pr_maxout = pp->pr_nout;
	return p;
}

void
pool_put(struct pool *pp, void *p)
{
	struct memhdr *mh = mem_hdr("pool_put", p, POOL_MAGIC);

	if (mh->mh_size != (uint64_t)(uintptr_t)pp)
		sim_fail(VIOL_MEMORY, "pool_put(%s, %p): item belongs to "
		    "another pool", pp->pr_wchan, p);
	lockdebug_mem_check("pool_put", p, pp->pr_size);
	mem_free(mh, pp->pr_size);
	pp->pr_nout--;
	pp->pr_nput++;
	if (!sleepq_empty(&SP(pp)->sp_waiters))
		(void)sleepq_wake_one(&SP(pp)->sp_waiters);
}
