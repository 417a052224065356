/*
 * The trace hash: 64 bits summarising everything a run did.
 *
 * The machine mixes in every scheduling step (time, host, CPU, LWP, kind
 * of point) and every packet; two runs with the same inputs must print
 * the same value, and a run that did anything differently should not.
 *
 * The value is identical on every machine: it is defined over 64-bit
 * integers and over bytes read as little-endian words, never over the
 * host's memory layout.  Callers must not mix in pointers, sizes of host
 * types or anything else that differs between machines or runs; mix
 * indices, virtual times and packet bytes.
 *
 * The state update for one datum is a bijection of the state, so no two
 * different states merge on the same datum; the order of the data
 * matters, and the final value passes the state through a full-avalanche
 * finaliser.
 */
#ifndef _KNIT_SIM_RECORD_TRACEHASH_H_
#define _KNIT_SIM_RECORD_TRACEHASH_H_

#include <stddef.h>
#include <stdint.h>

struct tracehash {
	uint64_t	 th_state;
	uint64_t	 th_count;	/* data mixed so far */
};

#define TRACEHASH_INIT		0x6b6e69742d747261ULL	/* "knit-tra" */

static inline void
tracehash_init(struct tracehash *h)
{
	h->th_state = TRACEHASH_INIT;
	h->th_count = 0;
}

/*
 * Mix one 64-bit datum.  The datum is first scrambled (multiply, fold,
 * multiply: a bijection), so that small integers differing in one low
 * bit change many state bits; then the state is rotated, xor-ed with
 * it and multiplied by an odd constant (each a bijection of the state).
 */
static inline void
tracehash_mix(struct tracehash *h, uint64_t v)
{
	uint64_t k = v * 0x9e3779b97f4a7c15ULL;

	k ^= k >> 29;
	k *= 0xbf58476d1ce4e5b9ULL;
	h->th_state = ((h->th_state << 23 | h->th_state >> 41) ^ k) *
	    0x94d049bb133111ebULL;
	h->th_count++;
}

/* Mix len bytes as little-endian words, then the length. */
void	tracehash_mix_bytes(struct tracehash *, const void *buf, size_t len);
/* The hash of everything mixed so far; the state is not changed. */
uint64_t tracehash_value(const struct tracehash *);

#endif /* !_KNIT_SIM_RECORD_TRACEHASH_H_ */
