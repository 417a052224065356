/*
 * The trace hash: known answers (from an independent Python
 * implementation of the definition in tracehash.h, pinning the value
 * every machine must print), order and content sensitivity, alignment
 * independence of the byte input, and avalanche.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/tracehash.h"

START_TEST(test_known_values)
{
	static const char text[] = "knit trace hash, bytes!";
	struct tracehash h;

	tracehash_init(&h);
	ck_assert_uint_eq(tracehash_value(&h), 0xe5d3986159aae255ULL);
	tracehash_mix(&h, 0);
	tracehash_mix(&h, 1);
	tracehash_mix(&h, 2);
	tracehash_mix(&h, 3);
	tracehash_mix(&h, UINT64_MAX);
	ck_assert_uint_eq(tracehash_value(&h), 0xe6497778de1961e2ULL);
	tracehash_init(&h);
	tracehash_mix_bytes(&h, text, strlen(text));
	ck_assert_uint_eq(tracehash_value(&h), 0x2b83ca4d8f785e94ULL);
	tracehash_init(&h);
	tracehash_mix(&h, 1000);
	tracehash_mix_bytes(&h, "abc", 3);
	tracehash_mix(&h, 7);
	ck_assert_uint_eq(tracehash_value(&h), 0xdef2b58bc8b479acULL);
}
END_TEST

START_TEST(test_value_does_not_change_state)
{
	struct tracehash h;
	uint64_t v;

	tracehash_init(&h);
	tracehash_mix(&h, 42);
	v = tracehash_value(&h);
	ck_assert_uint_eq(tracehash_value(&h), v);
	tracehash_mix(&h, 43);
	ck_assert_uint_ne(tracehash_value(&h), v);
}
END_TEST

/* Swapping two steps, or adding a zero, changes the hash. */
START_TEST(test_order_and_zero_matter)
{
	struct tracehash a, b, c;

	tracehash_init(&a);
	tracehash_init(&b);
	tracehash_init(&c);
	tracehash_mix(&a, 5);
	tracehash_mix(&a, 9);
	tracehash_mix(&b, 9);
	tracehash_mix(&b, 5);
	ck_assert_uint_ne(tracehash_value(&a), tracehash_value(&b));
	tracehash_mix(&c, 5);
	tracehash_mix(&c, 9);
	tracehash_mix(&c, 0);
	ck_assert_uint_ne(tracehash_value(&a), tracehash_value(&c));
}
END_TEST

/* Same bytes at any alignment hash alike; length is part of the hash. */
START_TEST(test_bytes_alignment_and_length)
{
	uint8_t buf[64 + 8];
	struct tracehash h;
	uint64_t ref = 0, v;
	size_t off, i;

	for (off = 0; off < 8; off++) {
		for (i = 0; i < 64; i++)
			buf[off + i] = (uint8_t)(i * 37 + 1);
		tracehash_init(&h);
		tracehash_mix_bytes(&h, buf + off, 61);
		v = tracehash_value(&h);
		if (off == 0)
			ref = v;
		ck_assert_uint_eq(v, ref);
	}
	tracehash_init(&h);
	tracehash_mix_bytes(&h, "a", 1);
	v = tracehash_value(&h);
	tracehash_init(&h);
	tracehash_mix_bytes(&h, "a\0", 2);
	ck_assert_uint_ne(tracehash_value(&h), v);
	/* "ab" then "" differs from "a" then "b". */
	tracehash_init(&h);
	tracehash_mix_bytes(&h, "ab", 2);
	tracehash_mix_bytes(&h, "", 0);
	v = tracehash_value(&h);
	tracehash_init(&h);
	tracehash_mix_bytes(&h, "a", 1);
	tracehash_mix_bytes(&h, "b", 1);
	ck_assert_uint_ne(tracehash_value(&h), v);
}
END_TEST

/*
 * Flipping any one input bit of a step flips about half the output
 * bits: averaged over all 64 bits of each of 3 positions, 24..40.
 */
START_TEST(test_avalanche)
{
	struct tracehash h;
	uint64_t base = 0, v;
	int pos, bit, k, flips;

	for (pos = 0; pos < 3; pos++) {
		flips = 0;
		for (bit = -1; bit < 64; bit++) {
			tracehash_init(&h);
			for (k = 0; k < 3; k++)
				tracehash_mix(&h, (uint64_t)k ^
				    (k == pos && bit >= 0 ? 1ULL << bit : 0));
			v = tracehash_value(&h);
			if (bit < 0)
				base = v;
			else
				flips += __builtin_popcountll(v ^ base);
		}
		ck_assert_msg(flips > 24 * 64 && flips < 40 * 64,
		    "position %d: %d bit flips", pos, flips);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tracehash");
	TCase *tc = tcase_create("tracehash");
	SRunner *sr;
	int nfail;

	tcase_add_test(tc, test_known_values);
	tcase_add_test(tc, test_value_does_not_change_state);
	tcase_add_test(tc, test_order_and_zero_matter);
	tcase_add_test(tc, test_bytes_alignment_and_length);
	tcase_add_test(tc, test_avalanche);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? EXIT_FAILURE : EXIT_SUCCESS;
}
