/*
 * Shadow memory store of the race detector (see race_shadow.h).
 */
#include <stdlib.h>
#include <string.h>

#include "check/race_shadow.h"

/*
 * A store that grew past this many chunks (128 MiB of shadow) is freed
 * rather than kept for the next run.
 */
#define RS_KEEP_MAX	65536

static struct rs_store *rs_spare;	/* the process's idle store */

static void *
rs_alloc(size_t n)
{
	void *p = calloc(1, n);

	if (p == NULL)
		abort();
	return p;
}

static void
rs_store_free(struct rs_store *s)
{
	for (uint32_t i = 0; i < s->s_nregions; i++) {
		for (uint32_t j = 0; j < RS_REGION_CHUNKS; j++)
			free(s->s_regions[i]->rg_chunk[j]);
		free(s->s_regions[i]);
	}
	free(s->s_regions);
	u64map_fini(&s->s_map);
	free(s);
}

/*
 * The spare store with a new generation (everything in it is now
 * empty), or a new store when the spare is in use by another detector.
 */
struct rs_store *
rs_store_get(void)
{
	struct rs_store *s = rs_spare;

	if (s == NULL)
		return rs_alloc(sizeof(*s));	/* generation 0, nothing in it */
	rs_spare = NULL;
	s->s_gen++;
	memset(s->s_cache, 0, sizeof(s->s_cache));
	return s;
}

void
rs_store_put(struct rs_store *s)
{
	if (s == NULL)
		return;
	if (rs_spare == NULL && s->s_nchunks <= RS_KEEP_MAX &&
	    s->s_gen < UINT32_MAX - 1) {
		rs_spare = s;
		return;
	}
	rs_store_free(s);
}

static struct rs_region *
rs_region(struct rs_store *s, uintptr_t addr)
{
	uint64_t key = (uint64_t)(addr >> RS_REGION_SHIFT) + 1;
	uint32_t *idp = u64map_find(&s->s_map, key);
	struct rs_region *rg;

	if (idp != NULL)
		return s->s_regions[*idp];
	if (s->s_nregions == s->s_capregions) {
		s->s_capregions = s->s_capregions ? s->s_capregions * 2 : 64;
		s->s_regions = realloc(s->s_regions,
		    s->s_capregions * sizeof(*s->s_regions));
		if (s->s_regions == NULL)
			abort();
	}
	rg = rs_alloc(sizeof(*rg));
	s->s_regions[s->s_nregions] = rg;
	u64map_put(&s->s_map, key, s->s_nregions++);
	return rg;
}

/* Cache miss: find or make the chunk, bring it to this generation. */

struct rs_cell *
rs_cell_slow(struct rs_store *s, uintptr_t addr)
{

	uintptr_t no = (addr >> RS_CHUNK_SHIFT) + 1;
	struct rs_region *rg = rs_region(s, addr);
	uint32_t i = (uint32_t)(addr >> RS_CHUNK_SHIFT) &
	    (RS_REGION_CHUNKS - 1);
	struct rs_chunk **chp = &rg->rg_chunk[i];
	struct rs_cache_ent *ce;

	if (rg->rg_gen != s->s_gen) {
		memset(rg->rg_live, 0, sizeof(rg->rg_live));
		rg->rg_gen = s->s_gen;
	}
	if (*chp == NULL) {
		if (posix_memalign((void **)chp, 64, sizeof(**chp)) != 0)
			abort();
		(*chp)->ch_gen = s->s_gen - 1;
		s->s_nchunks++;
	}
	if ((*chp)->ch_gen != s->s_gen) {
		(*chp)->ch_valid = 0;
		(*chp)->ch_gen = s->s_gen;
		rg->rg_live[i / 64] |= UINT64_C(1) << (i % 64);
	}
	ce = rs_cache_slot(s, no);
	ce->ce_chunkno = no;
	ce->ce_chunk = *chp;
	return rs_cell(s, addr);
}

/* Empty cells [i, i + n) of a chunk. */
static void
rs_chunk_forget(struct rs_chunk *ch, uint32_t i, uint32_t n,
    void (*release)(void *, struct rs_cell *), void *arg)
{
	uint64_t m = (n == RS_CELLS ? ~UINT64_C(0) :
	    ((UINT64_C(1) << n) - 1) << i) & ch->ch_valid;

	ch->ch_valid &= ~m;
	for (; m != 0; m &= m - 1)
		release(arg, &ch->ch_cells[__builtin_ctzll(m)]);
}

void
rs_forget(struct rs_store *s, uintptr_t lo, uintptr_t hi,
    void (*release)(void *, struct rs_cell *), void *arg)
{
	uintptr_t a = lo, rend, cend, no;
	uint32_t *idp;
	struct rs_region *rg;
	struct rs_chunk *ch;
	struct rs_cache_ent *ce;

	/* Small ranges (a pool item) usually sit in one cached chunk. */
	no = (lo >> RS_CHUNK_SHIFT) + 1;
	ce = rs_cache_slot(s, no);
	if (ce->ce_chunkno == no && ((hi - 1) >> RS_CHUNK_SHIFT) + 1 == no) {
		rs_chunk_forget(ce->ce_chunk, (uint32_t)(lo >> RS_GRANULE_SHIFT) &
		    (RS_CELLS - 1), (uint32_t)((hi - lo) >> RS_GRANULE_SHIFT),
		    release, arg);
		return;
	}

	while (a < hi) {
		rend = ((a >> RS_REGION_SHIFT) + 1) << RS_REGION_SHIFT;
		if (rend > hi || rend == 0)
			rend = hi;
		idp = u64map_find(&s->s_map,
		    (uint64_t)(a >> RS_REGION_SHIFT) + 1);
		if (idp == NULL || (rg = s->s_regions[*idp])->rg_gen !=
		    s->s_gen) {
			a = rend;
			continue;
		}
		for (; a < rend; a = cend) {
			uint32_t i = (uint32_t)(a >> RS_CHUNK_SHIFT) &
			    (RS_REGION_CHUNKS - 1);

			cend = ((a >> RS_CHUNK_SHIFT) + 1) << RS_CHUNK_SHIFT;
			if (cend > rend)
				cend = rend;
			if (rg->rg_live[i / 64] == 0) {
				/* 64 chunks with nothing: skip to the next word. */
				cend = ((a >> (RS_CHUNK_SHIFT + 6)) + 1) <<
				    (RS_CHUNK_SHIFT + 6);
				if (cend > rend)
					cend = rend;
				continue;
			}
			if ((rg->rg_live[i / 64] & (UINT64_C(1) << (i % 64))) ==
			    0)
				continue;
			ch = rg->rg_chunk[i];
			rs_chunk_forget(ch, (uint32_t)(a >> RS_GRANULE_SHIFT) &
			    (RS_CELLS - 1), (uint32_t)((cend - a) >>
			    RS_GRANULE_SHIFT), release, arg);
		}
	}
}
