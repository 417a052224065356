/*
 * The fuzz target without libFuzzer: a deterministic corpus (seeded
 * random frames and mutations of valid ones) through the same entry
 * point, bounded, as a Check test.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_ether.h"
#include "core/rng.h"

static const uint8_t echo4[] = {
	0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0x99, 0x08, 0x00,
	0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0x66, 0xde,
	10, 0, 0, 2, 10, 0, 0, 1,
	8, 0, 0xf7, 0xfe, 0, 1, 0, 0,
};

static const uint8_t ubsan_align1[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x00,
	0x01, 0x08, 0x00, 0x45, 0x00, 0x00, 0x3e, 0x12, 0x34, 0x00, 0x00,
	0x40, 0x01, 0x54, 0x89, 0x0a, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00,
	0x01, 0x08,
};

START_TEST(test_corpus)
{
	uint8_t buf[1600];
	struct rng r;
	size_t len;
	uint64_t total, echoes;
	int i, k;

	rng_seed(&r, 1128);
	/* the valid frame first: it must not disturb anything */
	fuzz_ether_one(echo4, sizeof(echo4));
	/* found by libFuzzer with UBSan: a truncated IPv4 echo made
	 * ip_input read struct ip at a 2-byte aligned address (the vnic
	 * driver now starts frames ETHER_ALIGN bytes into the mbuf) */
	fuzz_ether_one(ubsan_align1, sizeof(ubsan_align1));
	for (i = 0; i < 3000; i++) {
		if (rng_below(&r, 2) == 0) {
			len = sizeof(echo4);
			memcpy(buf, echo4, len);
			for (k = (int)rng_below(&r, 6); k > 0; k--)
				buf[6 + rng_below(&r, len - 6)] ^=
				    (uint8_t)(1 + rng_below(&r, 255));
			if (rng_below(&r, 3) == 0)
				len = (size_t)rng_below(&r, len + 1);
		} else {
			len = (size_t)rng_below(&r, sizeof(buf));
			for (k = 0; k < (int)len; k++)
				buf[k] = (uint8_t)rng_next(&r);
			/* a plausible ethertype half of the time */
			if (len >= 14 && rng_below(&r, 2) == 0) {
				static const uint16_t types[] = {
					0x0800, 0x0806, 0x86dd };

				k = (int)rng_below(&r, 3);
				buf[12] = (uint8_t)(types[k] >> 8);
				buf[13] = (uint8_t)types[k];
			}
		}
		fuzz_ether_one(buf, len);
	}
	total = fuzz_ether_finish(&echoes);
	/* the corpus reaches the protocols, and the valid echo was answered */
	ck_assert_uint_gt(total, 1000);
	ck_assert_uint_ge(echoes, 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fuzz");
	TCase *tc = tcase_create("corpus");
	SRunner *sr;
	int nfail;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_corpus);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
