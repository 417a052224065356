/*
 * Seeded random streams: splitmix64 for seeding, xoshiro256** for the
 * numbers (both by Blackman and Vigna, public domain algorithms).
 *
 * Every function here is pure 64-bit integer arithmetic, so a stream
 * gives the same numbers on every machine and compiler.
 *
 * Invariant: the xoshiro state is never all zero.  rng_seed() fills it
 * with four consecutive splitmix64 outputs; splitmix64's output function
 * is a bijection applied to four distinct counters, so at most one of
 * the four words can be zero.
 */

#include "core/rng.h"

#define SPLITMIX_GAMMA	0x9e3779b97f4a7c15ULL
#define FNV64_OFFSET	0xcbf29ce484222325ULL
#define FNV64_PRIME	0x100000001b3ULL

uint64_t
splitmix64(uint64_t *state)
{
	uint64_t z;

	z = (*state += SPLITMIX_GAMMA);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t sm = seed;
	int i;

	for (i = 0; i < 4; i++)
		r->r_s[i] = splitmix64(&sm);
}

/* FNV-1a over the bytes of the name: cheap, and stable everywhere. */
static uint64_t
rng_name_hash(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	uint64_t h = FNV64_OFFSET;

	while (*p != '\0') {
		h ^= *p++;
		h *= FNV64_PRIME;
	}
	return h;
}

/*
 * The stream's seed is splitmix64's output function applied twice: once
 * to the name's hash (so names differing in one byte land far apart) and
 * once to that combined with the run seed.  Two streams share numbers
 * only if their derived seeds collide, which for distinct names is a
 * 64-bit hash collision.  Streams never depend on each other's draws.
 */
void
rng_stream(struct rng *r, uint64_t seed, const char *name)
{
	uint64_t x = rng_name_hash(name), k;

	k = splitmix64(&x) ^ seed;
	rng_seed(r, splitmix64(&k));
}

/* The top 53 bits scaled by 2^-53: every double in [0, 1) on the grid. */
double
rng_double(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}
