/*
 * Schedules: a recorded run replays to the same choices and the same
 * outcome; tampered schedules (changed option count, bad index,
 * truncated, extra choices) are reported as divergences at the right
 * choice; blob and text forms round-trip, and damaged blobs are
 * rejected with an error.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/schedule.h"
#include "record/tracehash.h"

/* The test's own xorshift64* (record mode's "random strategy"). */
static uint64_t
tst_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/*
 * A toy "run": npoints scheduling points whose option counts depend on
 * the choices made so far, like a real scheduler's.  In record mode it
 * chooses randomly and records into sd; in replay mode it asks sr.
 * Returns a digest of every choice (or UINT64_MAX on divergence).
 */
static uint64_t
toy_run(int npoints, uint64_t seed, struct schedule *sd,
    struct schedule_replay *sr)
{
	uint64_t state = 0x5eed, rnd = seed;
	uint32_t nopt, idx;
	int i;

	for (i = 0; i < npoints; i++) {
		nopt = 1 + (uint32_t)(state % 5);	/* 1..5 options */
		if (sr != NULL) {
			if (schedule_replay_next(sr, nopt, &idx) != SCHED_OK)
				return UINT64_MAX;
		} else {
			idx = (uint32_t)(tst_rand(&rnd) % nopt);
			schedule_record(sd, idx, nopt);
		}
		ck_assert_uint_lt(idx, nopt);
		state = state * 6364136223846793005ULL + idx + 1;
	}
	return state;
}

START_TEST(test_record_replay_round_trip)
{
	struct schedule sd;
	struct schedule_replay sr;
	uint64_t want, got;

	schedule_init(&sd);
	want = toy_run(5000, 77, &sd, NULL);
	/* About a fifth of the points have one option: not recorded. */
	ck_assert_uint_gt(sd.sd_len, 3000);
	ck_assert_uint_lt(sd.sd_len, 5000);
	schedule_replay_init(&sr, &sd);
	got = toy_run(5000, 0, NULL, &sr);
	ck_assert_uint_eq(got, want);
	ck_assert_int_eq(schedule_replay_end(&sr), SCHED_OK);
	ck_assert_uint_eq(sr.sr_points, 5000);
	/* Another seed makes another schedule. */
	{
		struct schedule other;

		schedule_init(&other);
		ck_assert_uint_ne(toy_run(5000, 78, &other, NULL), want);
		ck_assert(!schedule_equal(&sd, &other));
		schedule_fini(&other);
	}
	schedule_fini(&sd);
}
END_TEST

START_TEST(test_single_options_not_recorded)
{
	struct schedule sd;
	struct schedule_replay sr;
	uint32_t idx = 99;

	schedule_init(&sd);
	schedule_record(&sd, 0, 1);
	schedule_record(&sd, 0, 0);
	ck_assert_uint_eq(sd.sd_len, 0);
	schedule_record(&sd, 1, 2);
	schedule_replay_init(&sr, &sd);
	ck_assert_int_eq(schedule_replay_next(&sr, 1, &idx), SCHED_OK);
	ck_assert_uint_eq(idx, 0);
	ck_assert_int_eq(schedule_replay_next(&sr, 2, &idx), SCHED_OK);
	ck_assert_uint_eq(idx, 1);
	ck_assert_int_eq(schedule_replay_end(&sr), SCHED_OK);
	schedule_fini(&sd);
}
END_TEST

/* Replay sd against the toy run; return the divergence and message. */
static enum sched_divergence
replay_toy(const struct schedule *sd, int npoints, char *msg, size_t len)
{
	struct schedule_replay sr;
	enum sched_divergence d;
	uint32_t idx;

	schedule_replay_init(&sr, sd);
	if (toy_run(npoints, 0, NULL, &sr) == UINT64_MAX) {
		d = sr.sr_div;
		/* Sticky: later points are refused too. */
		ck_assert_int_eq(schedule_replay_next(&sr, 2, &idx), d);
	} else
		d = schedule_replay_end(&sr);
	schedule_replay_describe(&sr, msg, len);
	return d;
}

START_TEST(test_tampered_schedules_diverge)
{
	struct schedule sd, t;
	char msg[256];
	size_t k = 100, i;

	schedule_init(&sd);
	schedule_init(&t);
	toy_run(2000, 5, &sd, NULL);
	ck_assert_uint_gt(sd.sd_len, k + 10);

	for (i = 0; i < sd.sd_len; i++)
		schedule_record(&t, sd.sd_choices[i].sc_index,
		    sd.sd_choices[i].sc_noptions);
	ck_assert(schedule_equal(&sd, &t));
	ck_assert_int_eq(replay_toy(&t, 2000, msg, sizeof(msg)), SCHED_OK);

	/* Changed option count at choice k + 1. */
	t.sd_choices[k].sc_noptions += 1;
	t.sd_choices[k].sc_index = 0;
	ck_assert_int_eq(replay_toy(&t, 2000, msg, sizeof(msg)),
	    SCHED_DIV_OPTIONS);
	ck_assert_msg(strstr(msg, "choice 101 ") != NULL, "%s", msg);

	/* Index out of its range. */
	t.sd_choices[k] = sd.sd_choices[k];
	t.sd_choices[k].sc_index = t.sd_choices[k].sc_noptions;
	ck_assert_int_eq(replay_toy(&t, 2000, msg, sizeof(msg)),
	    SCHED_DIV_INDEX);
	ck_assert_msg(strstr(msg, "choice 101 ") != NULL, "%s", msg);

	/* Restored: it matches again. */
	t.sd_choices[k] = sd.sd_choices[k];
	ck_assert_int_eq(replay_toy(&t, 2000, msg, sizeof(msg)), SCHED_OK);

	/* Truncated: the run wants choice k + 1 that is not there. */
	t.sd_len = k;
	ck_assert_int_eq(replay_toy(&t, 2000, msg, sizeof(msg)),
	    SCHED_DIV_EXHAUSTED);
	ck_assert_msg(strstr(msg, "choice 101 ") != NULL, "%s", msg);

	/* Extra choices left when the run ends. */
	t.sd_len = sd.sd_len;
	schedule_record(&t, 1, 3);
	ck_assert_int_eq(replay_toy(&t, 2000, msg, sizeof(msg)),
	    SCHED_DIV_LEFTOVER);
	schedule_fini(&t);
	schedule_fini(&sd);
}
END_TEST

START_TEST(test_blob_round_trip)
{
	struct schedule sd, back;
	char err[128];
	uint8_t *blob;
	size_t len;

	schedule_init(&sd);
	schedule_init(&back);
	/* Empty. */
	blob = schedule_encode(&sd, &len);
	ck_assert_int_eq(schedule_decode(&back, blob, len, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(back.sd_len, 0);
	free(blob);
	/* Small values take two bytes per choice. */
	toy_run(3000, 9, &sd, NULL);
	blob = schedule_encode(&sd, &len);
	ck_assert_uint_eq(len, 4 + 1 + 2 + 2 * sd.sd_len + 8);
	ck_assert_int_eq(schedule_decode(&back, blob, len, err, sizeof(err)),
	    0);
	ck_assert(schedule_equal(&sd, &back));
	free(blob);
	/* Extremes of the range. */
	schedule_record(&sd, UINT32_MAX - 1, UINT32_MAX);
	schedule_record(&sd, 127, 128);
	schedule_record(&sd, 0, 200);
	blob = schedule_encode(&sd, &len);
	ck_assert_int_eq(schedule_decode(&back, blob, len, err, sizeof(err)),
	    0);
	ck_assert(schedule_equal(&sd, &back));
	free(blob);
	schedule_fini(&back);
	schedule_fini(&sd);
}
END_TEST

/* Re-seal a hand-made blob with a valid checksum. */
static void
reseal(uint8_t *p, size_t len)
{
	struct tracehash h;
	uint64_t sum;
	int i;

	tracehash_init(&h);
	tracehash_mix_bytes(&h, p, len - 8);
	sum = tracehash_value(&h);
	for (i = 0; i < 8; i++)
		p[len - 8 + i] = (uint8_t)(sum >> (8 * i));
}

START_TEST(test_blob_corruption_rejected)
{
	struct schedule sd, back;
	char err[128];
	uint8_t *blob, *bad;
	size_t len, i;
	int bit;

	schedule_init(&sd);
	schedule_init(&back);
	toy_run(200, 3, &sd, NULL);
	ck_assert_uint_ge(sd.sd_len, 128);	/* count takes 2 bytes */
	blob = schedule_encode(&sd, &len);
	bad = malloc(len + 1);
	/* Every single-bit flip anywhere. */
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, blob, len);
			bad[i] ^= (uint8_t)(1 << bit);
			err[0] = '\0';
			ck_assert_int_eq(schedule_decode(&back, bad, len, err,
			    sizeof(err)), -1);
			ck_assert(err[0] != '\0');
			ck_assert_uint_eq(back.sd_len, 0);
		}
	/* Every truncation, and one extra byte. */
	for (i = 0; i < len; i++)
		ck_assert_int_eq(schedule_decode(&back, blob, i, err,
		    sizeof(err)), -1);
	memcpy(bad, blob, len);
	bad[len] = 0;
	ck_assert_int_eq(schedule_decode(&back, bad, len + 1, err,
	    sizeof(err)), -1);
	/* Well sealed but wrong inside: version, count, choice. */
	memcpy(bad, blob, len);
	bad[4] = 2;
	reseal(bad, len);
	ck_assert_int_eq(schedule_decode(&back, bad, len, err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "version") != NULL, "%s", err);
	memcpy(bad, blob, len);
	bad[5] = 0x7f;		/* count byte: more than fits */
	bad[6] = 0x7f;
	reseal(bad, len);
	ck_assert_int_eq(schedule_decode(&back, bad, len, err, sizeof(err)),
	    -1);
	memcpy(bad, blob, len);
	bad[7] = 1;		/* first choice: one option */
	reseal(bad, len);
	ck_assert_int_eq(schedule_decode(&back, bad, len, err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "choice 1") != NULL, "%s", err);
	/* The intact blob still decodes. */
	ck_assert_int_eq(schedule_decode(&back, blob, len, err, sizeof(err)),
	    0);
	ck_assert(schedule_equal(&sd, &back));
	free(bad);
	free(blob);
	schedule_fini(&back);
	schedule_fini(&sd);
}
END_TEST

START_TEST(test_text_round_trip_and_errors)
{
	struct schedule sd, back;
	char err[128], *text;

	schedule_init(&sd);
	schedule_init(&back);
	schedule_record(&sd, 1, 2);
	schedule_record(&sd, 0, 3);
	schedule_record(&sd, 4, 5);
	text = schedule_to_text(&sd);
	ck_assert_str_eq(text, "knit-schedule 1 3\n1/2 0/3 4/5\n");
	free(text);
	/* 16 choices a line; the widest numbers; the empty schedule. */
	{
		struct schedule big;
		char want[1024];
		size_t n = 0;

		schedule_init(&big);
		text = schedule_to_text(&big);
		ck_assert_str_eq(text, "knit-schedule 1 0\n");
		free(text);
		n += (size_t)snprintf(want + n, sizeof(want) - n,
		    "knit-schedule 1 18\n");
		for (uint32_t i = 0; i < 18; i++) {
			uint32_t nopt = i == 17 ? UINT32_MAX : 10 + i * 7;
			uint32_t idx = i == 17 ? UINT32_MAX - 1 : i;

			schedule_record(&big, idx, nopt);
			n += (size_t)snprintf(want + n, sizeof(want) - n,
			    "%u/%u%c", idx, nopt, i == 15 || i == 17 ? '\n' :
			    ' ');
		}
		text = schedule_to_text(&big);
		ck_assert_str_eq(text, want);
		ck_assert_int_eq(schedule_from_text(&back, text, err,
		    sizeof(err)), 0);
		ck_assert(schedule_equal(&big, &back));
		free(text);
		schedule_fini(&big);
	}
	text = schedule_to_text(&sd);
	ck_assert_int_eq(schedule_from_text(&back, text, err, sizeof(err)),
	    0);
	ck_assert(schedule_equal(&sd, &back));
	free(text);
	toy_run(500, 1, &sd, NULL);
	text = schedule_to_text(&sd);
	ck_assert_int_eq(schedule_from_text(&back, text, err, sizeof(err)),
	    0);
	ck_assert(schedule_equal(&sd, &back));
	free(text);
	ck_assert_int_eq(schedule_from_text(&back, "hello", err,
	    sizeof(err)), -1);
	ck_assert_int_eq(schedule_from_text(&back, "knit-schedule 9 0", err,
	    sizeof(err)), -1);
	ck_assert_int_eq(schedule_from_text(&back,
	    "knit-schedule 1 2\n1/2\n", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "choice 2") != NULL, "%s", err);
	ck_assert_int_eq(schedule_from_text(&back,
	    "knit-schedule 1 1\n1/2 0/2\n", err, sizeof(err)), -1);
	ck_assert_int_eq(schedule_from_text(&back,
	    "knit-schedule 1 1\n2/2\n", err, sizeof(err)), -1);
	ck_assert_int_eq(schedule_from_text(&back,
	    "knit-schedule 1 1\n0/1\n", err, sizeof(err)), -1);
	ck_assert_int_eq(schedule_from_text(&back,
	    "knit-schedule 1 1\n0/99999999999\n", err, sizeof(err)), -1);
	ck_assert_uint_eq(back.sd_len, 0);
	schedule_fini(&back);
	schedule_fini(&sd);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("schedule");
	TCase *tc = tcase_create("schedule");
	SRunner *sr;
	int nfail;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_record_replay_round_trip);
	tcase_add_test(tc, test_single_options_not_recorded);
	tcase_add_test(tc, test_tampered_schedules_diverge);
	tcase_add_test(tc, test_blob_round_trip);
	tcase_add_test(tc, test_blob_corruption_rejected);
	tcase_add_test(tc, test_text_round_trip_and_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? EXIT_FAILURE : EXIT_SUCCESS;
}
