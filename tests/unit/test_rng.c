/*
 * Random streams: known answers, reproducibility, stream independence,
 * rng_below's bounds and lack of bias.
 *
 * Known answers come from the published test vectors (splitmix64 seeded
 * with 1234567; xoshiro256** from state {1, 2, 3, 4}) and from an
 * independent Python implementation of the same definitions (seeding,
 * stream derivation, Lemire's rejection), never from the code under test.
 * They pin the numbers every machine must produce.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

START_TEST(test_splitmix64_vector)
{
	static const uint64_t want[] = {
		6457827717110365317ULL, 3203168211198807973ULL,
		9817491932198370423ULL, 4593380528125082431ULL,
		16408922859458223821ULL,
	};
	uint64_t st = 1234567;
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_uint_eq(splitmix64(&st), want[i]);
}
END_TEST

START_TEST(test_xoshiro_vector)
{
	static const uint64_t want[] = {
		11520ULL, 0ULL, 1509978240ULL, 1215971899390074240ULL,
		1216172134540287360ULL, 607988272756665600ULL,
	};
	struct rng r = { { 1, 2, 3, 4 } };
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_uint_eq(rng_next(&r), want[i]);
}
END_TEST

START_TEST(test_seed_vector)
{
	static const uint64_t want0[] = {
		0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL,
		0x1a5f849d4933e6e0ULL, 0x6aa594f1262d2d2cULL,
	};
	static const uint64_t want42[] = {
		0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL,
		0xae17533239e499a1ULL, 0xecb8ad4703b360a1ULL,
	};
	struct rng r;
	int i;

	rng_seed(&r, 0);		/* seed 0 must not give a zero state */
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(rng_next(&r), want0[i]);
	rng_seed(&r, 42);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(rng_next(&r), want42[i]);
}
END_TEST

START_TEST(test_stream_vector)
{
	static const uint64_t want[] = {
		0xd293edfd79549592ULL, 0x32c7eaa9988f1253ULL,
		0x8f3d4d80a2413653ULL, 0xdbc3bd8096b09533ULL,
	};
	struct rng r;
	int i;

	rng_stream(&r, 42, "link/r1-r2/loss");
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(rng_next(&r), want[i]);
}
END_TEST

START_TEST(test_below_and_double_vector)
{
	static const uint64_t n[] = {
		1, 2, 3, 10, 1000, (1ULL << 63) + 1, 3ULL << 62, UINT64_MAX,
	};
	static const uint64_t want[] = {
		0, 0, 2, 9, 990, 1400256439129669809ULL,
		7489852155027228977ULL, 13500401043614375895ULL,
	};
	struct rng r;
	size_t i;

	rng_seed(&r, 7);
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		ck_assert_uint_eq(rng_below(&r, n[i]), want[i]);
	rng_seed(&r, 7);
	ck_assert_double_eq(rng_double(&r), 0.7005764821796896);
	ck_assert_double_eq(rng_double(&r), 0.2787512294737843);
}
END_TEST

START_TEST(test_reproducible)
{
	struct rng a, b;
	int i;

	rng_stream(&a, 1234, "cpu/sched");
	rng_stream(&b, 1234, "cpu/sched");
	for (i = 0; i < 10000; i++)
		ck_assert_uint_eq(rng_next(&a), rng_next(&b));
}
END_TEST

/* Drawing from, or creating, stream B never changes stream A. */
START_TEST(test_stream_independence)
{
	enum { N = 1000 };
	static uint64_t alone[N];
	struct rng a, b, c;
	int i;

	rng_stream(&a, 5, "a");
	for (i = 0; i < N; i++)
		alone[i] = rng_next(&a);
	rng_stream(&a, 5, "a");
	rng_stream(&b, 5, "b");
	for (i = 0; i < N; i++) {
		(void)rng_next(&b);
		if (i == N / 2)
			rng_stream(&c, 5, "c");
		if (i > N / 2)
			(void)rng_below(&c, 17);
		ck_assert_uint_eq(rng_next(&a), alone[i]);
	}
}
END_TEST

/* Different names or seeds give different, unrelated streams. */
START_TEST(test_streams_differ)
{
	static const char *names[] = {
		"a", "b", "", "link/r1-r2/loss", "link/r1-r2/loss2",
		"link/r1-r2/lost", "link/r2-r1/loss",
	};
	enum { NN = sizeof(names) / sizeof(names[0]), K = 64 };
	uint64_t first[NN + 1][K];
	struct rng r;
	int i, j, k, same;

	for (i = 0; i < NN; i++) {
		rng_stream(&r, 9, names[i]);
		for (k = 0; k < K; k++)
			first[i][k] = rng_next(&r);
	}
	rng_stream(&r, 10, names[0]);	/* same name, other seed */
	for (k = 0; k < K; k++)
		first[NN][k] = rng_next(&r);
	/*
	 * No value of any stream may appear anywhere in another one (also
	 * shifted): that would mean overlapping sequences.
	 */
	for (i = 0; i <= NN; i++)
		for (j = i + 1; j <= NN; j++) {
			same = 0;
			for (k = 0; k < K * K; k++)
				same += first[i][k / K] == first[j][k % K];
			ck_assert_msg(same == 0, "streams %d and %d overlap",
			    i, j);
		}
	/* The stream is not just the plain seeded generator. */
	rng_seed(&r, 9);
	ck_assert_uint_ne(rng_next(&r), first[0][0]);
}
END_TEST

START_TEST(test_below_bounds)
{
	static const uint64_t n[] = {
		1, 2, 3, 7, 1000, 1ULL << 32, (1ULL << 63) + 1, UINT64_MAX,
	};
	struct rng r;
	size_t i;
	int k;
	double d;

	rng_seed(&r, 3);
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		for (k = 0; k < 20000; k++)
			ck_assert_uint_lt(rng_below(&r, n[i]), n[i]);
	for (k = 0; k < 100000; k++) {
		d = rng_double(&r);
		ck_assert(d >= 0.0 && d < 1.0);
	}
}
END_TEST

/* Chi-square over 10 buckets; fixed seed, so not flaky. */
START_TEST(test_below_uniform)
{
	enum { B = 10, N = 1000000 };
	uint64_t count[B] = { 0 };
	struct rng r;
	double chi = 0, e = (double)N / B, d;
	int i;

	rng_stream(&r, 77, "uniformity");
	for (i = 0; i < N; i++)
		count[rng_below(&r, B)]++;
	for (i = 0; i < B; i++) {
		d = (double)count[i] - e;
		chi += d * d / e;
	}
	/* 9 degrees of freedom: P(chi2 > 33.7) = 1e-4. */
	ck_assert_msg(chi < 33.7, "chi-square %f", chi);
}
END_TEST

/*
 * n = 3 * 2^62: plain `next % n' returns values below 2^62 half of the
 * time instead of a third.  Unbiased draws land there ~1/3 of the time.
 */
START_TEST(test_below_no_modulo_bias)
{
	enum { N = 300000 };
	uint64_t n = 3ULL << 62;
	struct rng r;
	int i, low = 0;
	double frac;

	rng_seed(&r, 11);
	for (i = 0; i < N; i++)
		low += rng_below(&r, n) < (1ULL << 62);
	frac = (double)low / N;
	ck_assert_msg(frac > 0.33 && frac < 0.337, "fraction %f", frac);
}
END_TEST

static Suite *
rng_suite(void)
{
	Suite *s = suite_create("rng");
	TCase *tc = tcase_create("rng");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_splitmix64_vector);
	tcase_add_test(tc, test_xoshiro_vector);
	tcase_add_test(tc, test_seed_vector);
	tcase_add_test(tc, test_stream_vector);
	tcase_add_test(tc, test_below_and_double_vector);
	tcase_add_test(tc, test_reproducible);
	tcase_add_test(tc, test_stream_independence);
	tcase_add_test(tc, test_streams_differ);
	tcase_add_test(tc, test_below_bounds);
	tcase_add_test(tc, test_below_uniform);
	tcase_add_test(tc, test_below_no_modulo_bias);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rng_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? EXIT_FAILURE : EXIT_SUCCESS;
}
