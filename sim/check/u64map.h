/*
 * A small open-addressing hash map from a non-zero 64-bit key to a 32-bit
 * value, for the checkers' hot paths (lock-order edges, shadow memory,
 * sync objects).  Linear probing, power-of-two capacity, load <= 1/2,
 * deletion by backward shift (no tombstones).
 *
 * Iteration order depends on the keys' hashes, so nothing that reaches
 * output may iterate a map keyed by addresses.
 */
#ifndef _KNIT_SIM_CHECK_U64MAP_H_
#define _KNIT_SIM_CHECK_U64MAP_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct u64map_slot {
	uint64_t	ms_key;		/* 0: empty */
	uint32_t	ms_val;
};

struct u64map {
	struct u64map_slot *m_slots;
	uint32_t	 m_mask;	/* capacity - 1; 0 when unallocated */
	uint32_t	 m_len;
};

static inline uint32_t
u64map_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	return (uint32_t)k;
}

static inline void
u64map_fini(struct u64map *m)
{
	free(m->m_slots);
	m->m_slots = NULL;
	m->m_mask = m->m_len = 0;
}

static inline void
u64map_clear(struct u64map *m)
{
	u64map_fini(m);
}

/* Pointer to the value for k, or NULL. */
static inline uint32_t *
u64map_find(const struct u64map *m, uint64_t k)
{
	uint32_t i;

	if (m->m_slots == NULL)
		return NULL;
	for (i = u64map_hash(k) & m->m_mask;; i = (i + 1) & m->m_mask) {
		if (m->m_slots[i].ms_key == k)
			return &m->m_slots[i].ms_val;
		if (m->m_slots[i].ms_key == 0)
			return NULL;
	}
}

static inline void u64map_put(struct u64map *, uint64_t, uint32_t);

static inline void
u64map_grow(struct u64map *m)
{
	struct u64map old = *m;
	uint32_t cap = old.m_slots == NULL ? 64 : (old.m_mask + 1) * 2;

	m->m_slots = calloc(cap, sizeof(*m->m_slots));
	if (m->m_slots == NULL)
		abort();
	m->m_mask = cap - 1;
	m->m_len = 0;
	if (old.m_slots != NULL) {
		for (uint32_t i = 0; i <= old.m_mask; i++)
			if (old.m_slots[i].ms_key != 0)
				u64map_put(m, old.m_slots[i].ms_key,
				    old.m_slots[i].ms_val);
		free(old.m_slots);
	}
}

/* Insert or overwrite. */
static inline void
u64map_put(struct u64map *m, uint64_t k, uint32_t v)
{
	uint32_t i;

	if (m->m_slots == NULL || (m->m_len + 1) * 2 > m->m_mask + 1)
		u64map_grow(m);
	for (i = u64map_hash(k) & m->m_mask;; i = (i + 1) & m->m_mask) {
		if (m->m_slots[i].ms_key == k) {
			m->m_slots[i].ms_val = v;
			return;
		}
		if (m->m_slots[i].ms_key == 0) {
			m->m_slots[i].ms_key = k;
			m->m_slots[i].ms_val = v;
			m->m_len++;
			return;
		}
	}
}

static inline bool
u64map_del(struct u64map *m, uint64_t k)
{
	uint32_t i, j, h;

	if (m->m_slots == NULL)
		return false;
	for (i = u64map_hash(k) & m->m_mask;; i = (i + 1) & m->m_mask) {
		if (m->m_slots[i].ms_key == 0)
			return false;
		if (m->m_slots[i].ms_key == k)
			break;
	}
	/* Backward-shift the rest of the cluster into the hole. */
	for (j = (i + 1) & m->m_mask; m->m_slots[j].ms_key != 0;
	    j = (j + 1) & m->m_mask) {
		h = u64map_hash(m->m_slots[j].ms_key) & m->m_mask;
		/* Move j to i unless h lies cyclically in (i, j]. */
		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			m->m_slots[i] = m->m_slots[j];
			i = j;
		}
	}
	m->m_slots[i].ms_key = 0;
	m->m_len--;
	return true;
}

#endif /* !_KNIT_SIM_CHECK_U64MAP_H_ */
