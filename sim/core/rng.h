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

#include <stdint.h>

struct rng {
	uint64_t	r_s[4];
};

uint64_t splitmix64(uint64_t *state);
void	rng_seed(struct rng *, uint64_t seed);
/* Stream named `name' (e.g. "link/r1-r2/loss") of run seed `seed'. */
void	rng_stream(struct rng *, uint64_t seed, const char *name);
uint64_t rng_next(struct rng *);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t rng_below(struct rng *, uint64_t n);
/* Uniform double in [0, 1). */
double	rng_double(struct rng *);

#endif /* !_KNIT_SIM_CORE_RNG_H_ */
