/*
 * Shadow memory of the race detector (race.c): one 16-byte record per
 * access kind per 8-byte granule, kept in 512-byte chunks (64 granules)
 * under 256 KiB regions, reached through a small direct-mapped cache.
 *
 * Memory the stack touches is sparse (a few granules of each pool
 * item, the top of each LWP stack), so a chunk is the unit of
 * allocation, not a page: a run of kern3508 touches ~2,000 chunks
 * (4 MiB of shadow) where 4 KiB pages would need 45 MiB.
 *
 * Runs come and go in one process (explore runs thousands of worlds)
 * and touch the same addresses again.  So a store outlives its race
 * object: rs_store_get hands the process's store to the next detector
 * and bumps its generation.  A chunk whose generation is older is empty
 * by definition; and within a chunk, a cell whose ch_valid bit is clear
 * is empty whatever its bytes say.  A cell is zeroed when first used,
 * so a run zeroes only the cells it touches, and ending a run costs
 * nothing (there is no malloc per run once the store has grown).
 *
 * Invariants:
 *  - every chunk reachable through the cache has the store's current
 *    generation (the cache is emptied whenever the generation moves);
 *  - a chunk has the current generation iff its region's rg_gen is
 *    current and its rg_live bit is set;
 *  - a cell with its ch_valid bit set in a current chunk holds only
 *    accesses of the current detector.
 */
#ifndef _KNIT_SIM_CHECK_RACE_SHADOW_H_
#define _KNIT_SIM_CHECK_RACE_SHADOW_H_

#include <stdint.h>
#include <string.h>

#include "check/u64map.h"

#define RS_GRANULE_SHIFT	3
#define RS_GRANULE		(1u << RS_GRANULE_SHIFT)
#define RS_CHUNK_SHIFT		9
#define RS_CELLS		(1u << (RS_CHUNK_SHIFT - RS_GRANULE_SHIFT))
#define RS_REGION_SHIFT		18
#define RS_REGION_CHUNKS	(1u << (RS_REGION_SHIFT - RS_CHUNK_SHIFT))
#define RS_CACHE_BITS		13	/* direct-mapped chunk cache */
#define RS_CACHE		(1u << RS_CACHE_BITS)

/*
 * One access as the shadow keeps it, in four words (so that the hot
 * path compares and stores whole words).  a_clk 0: no access.  a_tc:
 * the tid in the low 24 bits, the CPU + 1 (0: unknown) in the high 8;
 * tid RS_TID_SHARED in a cell's read slot: the reads are a read set
 * whose index is a_clk (see race.c).  a_nm: the call-tree node in the
 * low 24 bits, the bytes of the granule in the high 8.  a_pc encodes
 * the pc (race.c: pc_encode).
 */
#define RS_TID_BITS		24
#define RS_TID_SHARED		((1u << RS_TID_BITS) - 1)
#define RS_NODE_MAX		((1u << 24) - 1)
struct rs_access {
	uint32_t	 a_clk;
	uint32_t	 a_tc;
	uint32_t	 a_nm;
	uint32_t	 a_pc;
};

static inline uint32_t
rs_tid(const struct rs_access *a)
{
	return a->a_tc & RS_TID_SHARED;
}

static inline int
rs_cpu(const struct rs_access *a)
{
	return (int)(a->a_tc >> RS_TID_BITS) - 1;
}

static inline uint32_t
rs_node(const struct rs_access *a)
{
	return a->a_nm & RS_NODE_MAX;
}

static inline uint32_t
rs_mask(const struct rs_access *a)
{
	return a->a_nm >> 24;
}

static inline void
rs_set_mask(struct rs_access *a, uint32_t mask)
{
	a->a_nm = (a->a_nm & RS_NODE_MAX) | mask << 24;
}

struct rs_cell {
	struct rs_access c_w;		/* last write */
	struct rs_access c_r;		/* last read, or the read set */
};

struct rs_chunk {
	uint64_t	 ch_valid;	/* bit i: ch_cells[i] is in use */
	uint32_t	 ch_gen;
	uint32_t	 ch_pad[13];	/* cells start on a cache line */
	struct rs_cell	 ch_cells[RS_CELLS];
};

struct rs_region {
	uint32_t	 rg_gen;	/* generation rg_live describes */
	uint64_t	 rg_live[RS_REGION_CHUNKS / 64];	/* current chunks */
	struct rs_chunk	*rg_chunk[RS_REGION_CHUNKS];
};

struct rs_cache_ent {
	uintptr_t	 ce_chunkno;	/* address >> RS_CHUNK_SHIFT, + 1 */
	struct rs_chunk	*ce_chunk;
};

struct rs_store {
	uint32_t	 s_gen;
	uint32_t	 s_nchunks;
	struct u64map	 s_map;		/* region number + 1 -> s_regions[] */
	struct rs_region **s_regions;
	uint32_t	 s_nregions, s_capregions;
	struct rs_cache_ent s_cache[RS_CACHE];
};

struct rs_store	*rs_store_get(void);
void		 rs_store_put(struct rs_store *);
struct rs_cell	*rs_cell_slow(struct rs_store *, uintptr_t addr);
/*
 * Empty the cells of the whole granules in [lo, hi) (both granule-
 * aligned), first calling release(arg, cell) for each one in use.
 */
void		 rs_forget(struct rs_store *, uintptr_t lo, uintptr_t hi,
		    void (*release)(void *, struct rs_cell *), void *arg);

/* The cell of addr's granule, made (empty) if need be. */
static inline __attribute__((always_inline)) struct rs_cache_ent *
rs_cache_slot(struct rs_store *s, uintptr_t no)
{
	/* Hashed: strided addresses (stacks, size classes) spread out. */
	return &s->s_cache[(no * UINT64_C(0x9e3779b97f4a7c15)) >>
	    (64 - RS_CACHE_BITS)];
}

static inline __attribute__((always_inline)) struct rs_cell *
rs_cell(struct rs_store *s, uintptr_t addr)
{
	uintptr_t no = (addr >> RS_CHUNK_SHIFT) + 1;
	struct rs_cache_ent *ce = rs_cache_slot(s, no);
	uint32_t i = (uint32_t)(addr >> RS_GRANULE_SHIFT) & (RS_CELLS - 1);
	struct rs_chunk *ch;

	if (__builtin_expect(ce->ce_chunkno != no, 0))
		return rs_cell_slow(s, addr);
	ch = ce->ce_chunk;
	if (__builtin_expect((ch->ch_valid & (UINT64_C(1) << i)) == 0, 0)) {
		ch->ch_valid |= UINT64_C(1) << i;
		memset(&ch->ch_cells[i], 0, sizeof(ch->ch_cells[i]));
	}
	return &ch->ch_cells[i];
}

#endif /* !_KNIT_SIM_CHECK_RACE_SHADOW_H_ */
