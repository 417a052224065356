/*
 * Seeded random streams.
 *
 * xoshiro256** seeded through splitmix64.  A world has one run seed; each
 * consumer derives its own named stream from (run seed, stream name), so
 * adding a stream never shifts the numbers another stream draws.  Never
 * use an unseeded generator inside a world.
 */
#ifndef _KNIT_SIM_CORE_RNG_H_
#define _KNIT_SIM_CORE_RNG_H_

#include <assert.h>
#include <stdint.h>

struct rng {
	uint64_t	r_s[4];
};

uint64_t splitmix64(uint64_t *state);
void	rng_seed(struct rng *, uint64_t seed);
/* Stream named `name' (e.g. "link/r1-r2/loss") of run seed `seed'. */
void	rng_stream(struct rng *, uint64_t seed, const char *name);
/* Uniform double in [0, 1). */
double	rng_double(struct rng *);

/* Inline: the random strategy draws one at nearly every scheduling point. */
static inline uint64_t
rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->r_s;
	uint64_t result, t;

	result = rng_rotl(s[1] * 5, 7) * 9;
	t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

/*
 * Uniform in [0, n), n > 0, without modulo bias: Lemire's
 * multiply-and-reject.  The high word of x * n is uniform in [0, n)
 * once the low words below (2^64 - n) mod n are rejected; the rejection
 * test costs a division only on the rare slow path.
 */
static inline uint64_t
rng_below(struct rng *r, uint64_t n)
{
	unsigned __int128 m;
	uint64_t lo, threshold;

	assert(n > 0);
	m = (unsigned __int128)rng_next(r) * n;
	lo = (uint64_t)m;
	if (lo < n) {
		threshold = -n % n;	/* (2^64 - n) mod n */
		while (lo < threshold) {
			m = (unsigned __int128)rng_next(r) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

#endif /* !_KNIT_SIM_CORE_RNG_H_ */
