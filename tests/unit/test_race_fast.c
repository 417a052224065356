/*
 * Race detector: the fast paths and compact shadow must not hide a race
 * or invent one.  Each case is built so that a plausible shortcut gets
 * it wrong: an epoch compared without its thread, a write fast path
 * that ignores reads since, byte masks at granule, chunk and region
 * edges, a forget that clears partial granules, shadow left over from
 * an earlier detector, an acquire skipped when the sync object holds
 * more than the epoch it names, a thread id reused.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/race.h"

#define PC(n)		((uintptr_t)(n))
#define REGION		((uintptr_t)1 << 18)	/* race_shadow.h */
#define CHUNK		((uintptr_t)512)

static uint64_t word[8];
static int lock1, lock2;

/* Memory around a region boundary, aligned so that b + REGION is one. */
static uint8_t *
region_buf(void)
{
	static uint8_t *buf;

	if (buf == NULL) {
		buf = aligned_alloc(REGION, 2 * REGION);
		ck_assert_ptr_nonnull(buf);
		memset(buf, 0, 2 * REGION);
	}
	return buf;
}

static struct race *
two_threads(void)
{
	struct race *r = race_create();

	race_thread_create(r, RACE_NOTID, 0, "a");
	race_thread_create(r, RACE_NOTID, 1, "b");
	return r;
}

START_TEST(test_same_clock_other_thread)
{
	struct race *r = two_threads();
	uintptr_t x = (uintptr_t)&word[0], y = (uintptr_t)&word[1];

	/* Both start at the same clock value: the epochs differ by tid. */
	race_write(r, 0, x, 8, PC(0x10));
	race_write(r, 1, x, 8, PC(0x20));
	ck_assert_uint_eq(race_nreports(r), 1);
	/* Same clock, reads: no race, but the later write races both. */
	race_read(r, 0, y, 8, PC(0x30));
	race_read(r, 1, y, 8, PC(0x40));
	ck_assert_uint_eq(race_nreports(r), 1);
	race_write(r, 0, y, 8, PC(0x50));
	ck_assert_uint_eq(race_nreports(r), 2);
	ck_assert_uint_eq(race_report(r, 1)->rr_tid[1], 1);
	race_destroy(r);
}
END_TEST

START_TEST(test_write_again_after_foreign_read)
{
	struct race *r = two_threads();
	uintptr_t x = (uintptr_t)&word[2];

	race_write(r, 0, x, 8, PC(0x10));
	race_write(r, 0, x, 8, PC(0x11));	/* same epoch: fast path */
	ck_assert_uint_eq(race_nreports(r), 0);
	race_read(r, 1, x, 4, PC(0x20));	/* races the write */
	ck_assert_uint_eq(race_nreports(r), 1);
	/* Same epoch and bytes as the last write, but a read came since. */
	race_write(r, 0, x, 8, PC(0x12));
	ck_assert_uint_eq(race_nreports(r), 2);
	ck_assert_uint_eq(race_report(r, 1)->rr_tid[0], 0);
	ck_assert_uint_eq(race_report(r, 1)->rr_tid[1], 1);
	ck_assert_ptr_nonnull(strstr(race_report(r, 1)->rr_text,
	    "previous read of 4 bytes"));
	race_destroy(r);
}
END_TEST

/*
 * Thread 0 writes size bytes at base + off; thread 1 then reads the last
 * and the first byte (two races), and writes the byte before and the
 * byte after (no race: masks are exact).  Reads first: a granule keeps
 * one write, so thread 1's write of a neighbour would replace thread
 * 0's (the design forgets the older access, see race.h).
 */
static void
check_extent(uint8_t *base, size_t off, size_t size)
{
	struct race *r = two_threads();
	uintptr_t a = (uintptr_t)base + off;
	size_t n;

	race_write(r, 0, a, size, PC(0x10));
	race_read(r, 1, a + size - 1, 1, PC(0x22));
	ck_assert_msg(race_nreports(r) == 1, "off %zu size %zu: last byte",
	    off, size);
	/* (With one byte, the same bytes again in the epoch: nothing new.) */
	race_read(r, 1, a, 1, PC(0x23));
	n = size > 1 ? 2 : 1;
	ck_assert_msg(race_nreports(r) == n, "off %zu size %zu: first byte",
	    off, size);
	race_write(r, 1, a - 1, 1, PC(0x20));
	race_write(r, 1, a + size, 1, PC(0x21));
	ck_assert_msg(race_nreports(r) == n, "off %zu size %zu: neighbours",
	    off, size);
	race_destroy(r);
}

START_TEST(test_sizes_offsets_edges)
{
	static const size_t sizes[] = { 1, 2, 4, 8, 16, 24, 600 };
	uint8_t *b = region_buf();

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (size_t off = 0; off < 8; off++) {
			/* inside one chunk */
			check_extent(b + 64, off, sizes[i]);
			/* across a chunk boundary */
			check_extent(b + CHUNK - 8, off, sizes[i]);
			/* across a region boundary */
			check_extent(b + REGION - 8, off, sizes[i]);
		}
}
END_TEST

START_TEST(test_forget_keeps_partial_granules)
{
	struct race *r = two_threads();
	uint8_t *b = region_buf();
	uintptr_t lo = (uintptr_t)b + REGION - CHUNK - 16;
	size_t len = 2 * CHUNK + 48;

	/* Across two chunk boundaries and the region boundary. */
	race_write(r, 0, lo, len, PC(0x10));
	race_forget(r, lo + 4, len - 8);	/* partial first and last */
	race_write(r, 1, lo + 8, 8, PC(0x20));
	race_write(r, 1, lo + CHUNK, 8, PC(0x21));
	race_write(r, 1, (uintptr_t)b + REGION, 8, PC(0x22));
	race_write(r, 1, lo + len - 16, 8, PC(0x23));
	ck_assert_uint_eq(race_nreports(r), 0);
	/* The partial granules kept their history. */
	race_write(r, 1, lo + 4, 1, PC(0x24));
	ck_assert_uint_eq(race_nreports(r), 1);
	race_write(r, 1, lo + len - 5, 1, PC(0x25));
	ck_assert_uint_eq(race_nreports(r), 2);
	/* A big forget (an LWP stack) clears every chunk it covers. */
	race_write(r, 0, (uintptr_t)b + 8, 8, PC(0x11));
	race_write(r, 0, (uintptr_t)b + 2 * REGION - 16, 8, PC(0x12));
	race_forget(r, (uintptr_t)b, 2 * REGION);
	race_write(r, 1, (uintptr_t)b + 8, 8, PC(0x26));
	race_write(r, 1, (uintptr_t)b + 2 * REGION - 16, 8, PC(0x27));
	ck_assert_uint_eq(race_nreports(r), 2);
	race_destroy(r);
}
END_TEST

START_TEST(test_shadow_not_inherited)
{
	struct race *r1, *r2;
	uintptr_t x = (uintptr_t)&word[3], y = (uintptr_t)&word[4];

	/* A later detector (the next run) starts with empty shadow. */
	r1 = two_threads();
	race_write(r1, 0, x, 8, PC(0x10));
	race_destroy(r1);
	r2 = two_threads();
	race_write(r2, 1, x, 8, PC(0x20));
	ck_assert_uint_eq(race_nreports(r2), 0);
	race_destroy(r2);

	/* Two live detectors do not share shadow either. */
	r1 = two_threads();
	r2 = two_threads();
	race_write(r1, 0, y, 8, PC(0x10));
	race_write(r2, 1, y, 8, PC(0x20));
	ck_assert_uint_eq(race_nreports(r2), 0);
	race_write(r1, 1, y, 8, PC(0x21));
	ck_assert_uint_eq(race_nreports(r1), 1);
	race_destroy(r2);
	race_destroy(r1);
}
END_TEST

START_TEST(test_acquire_joined_release)
{
	struct race *r = race_create();
	uintptr_t x = (uintptr_t)&word[5];

	race_thread_create(r, RACE_NOTID, 0, "t0");
	race_thread_create(r, RACE_NOTID, 1, "t1");
	race_thread_create(r, RACE_NOTID, 2, "t2");
	race_write(r, 0, x, 8, PC(0x10));
	race_release(r, 0, (uintptr_t)&lock1);
	/* t1 releases the same object concurrently: it now holds both. */
	race_release(r, 1, (uintptr_t)&lock1);
	race_release(r, 1, (uintptr_t)&lock2);
	/* t2 knows t1's epoch of that release, not t0's write. */
	race_acquire(r, 2, (uintptr_t)&lock2);
	race_acquire(r, 2, (uintptr_t)&lock1);
	race_write(r, 2, x, 8, PC(0x20));
	ck_assert_uint_eq(race_nreports(r), 0);
	/* Dominated case: re-acquiring skips, a stranger still races. */
	race_acquire(r, 2, (uintptr_t)&lock1);
	race_release(r, 2, (uintptr_t)&lock1);
	race_acquire(r, 2, (uintptr_t)&lock1);
	race_write(r, 2, x, 8, PC(0x21));
	ck_assert_uint_eq(race_nreports(r), 0);
	race_write(r, 0, x, 8, PC(0x11));
	ck_assert_uint_eq(race_nreports(r), 1);
	race_destroy(r);
}
END_TEST

START_TEST(test_reused_tid_learns_again)
{
	struct race *r = race_create();
	uintptr_t x = (uintptr_t)&word[6], y = (uintptr_t)&word[7];

	race_thread_create(r, RACE_NOTID, 0, "t0");
	race_thread_create(r, RACE_NOTID, 1, "old");
	race_write(r, 0, x, 8, PC(0x10));
	race_write(r, 0, y, 8, PC(0x11));
	race_release(r, 0, (uintptr_t)&lock1);
	race_acquire(r, 1, (uintptr_t)&lock1);
	race_release(r, 1, (uintptr_t)&lock2);	/* lock2 knows t0's writes */
	/* tid 1 again: a new thread that knows nothing... */
	race_thread_create(r, RACE_NOTID, 1, "new");
	race_write(r, 1, y, 8, PC(0x20));
	ck_assert_uint_eq(race_nreports(r), 1);
	/* ...until it acquires what the old one released. */
	race_acquire(r, 1, (uintptr_t)&lock2);
	race_write(r, 1, x, 8, PC(0x21));
	ck_assert_uint_eq(race_nreports(r), 1);
	race_destroy(r);
}
END_TEST

START_TEST(test_reused_tid_releases)
{
	struct race *r = race_create();
	uintptr_t x = (uintptr_t)&word[6];
	static int a, l, m;

	race_thread_create(r, RACE_NOTID, 0, "t0");
	race_thread_create(r, RACE_NOTID, 1, "old");
	race_thread_create(r, RACE_NOTID, 2, "t2");
	race_write(r, 0, x, 8, PC(0x10));
	race_release(r, 0, (uintptr_t)&a);
	race_acquire(r, 1, (uintptr_t)&a);
	race_release(r, 1, (uintptr_t)&l);	/* l knows t0's write */
	race_acquire(r, 1, (uintptr_t)&l);
	/*
	 * A new thread 1 releases l with nothing released in between: l
	 * still holds what the old one knew, which the new one does not,
	 * so its epoch must not be taken to cover l.
	 */
	race_thread_create(r, RACE_NOTID, 1, "new");
	race_release(r, 1, (uintptr_t)&l);
	race_release(r, 1, (uintptr_t)&m);
	race_acquire(r, 2, (uintptr_t)&m);
	race_acquire(r, 2, (uintptr_t)&l);
	race_write(r, 2, x, 8, PC(0x20));
	ck_assert_uint_eq(race_nreports(r), 0);
	race_destroy(r);
}
END_TEST

START_TEST(test_read_set_revisited)
{
	struct race *r = race_create();
	uintptr_t x = (uintptr_t)&word[0];

	race_thread_create(r, RACE_NOTID, 0, "init");
	race_thread_create(r, 0, 1, "r1");
	race_thread_create(r, 0, 2, "r2");
	race_thread_create(r, 0, 3, "w");
	race_read(r, 1, x, 8, PC(0x10));
	race_read(r, 2, x, 8, PC(0x20));	/* shared from here */
	race_release(r, 2, (uintptr_t)&lock2);
	race_read(r, 2, x, 8, PC(0x21));	/* t2's entry, new epoch */
	race_read(r, 1, x, 8, PC(0x11));
	race_release(r, 1, (uintptr_t)&lock1);
	race_read(r, 1, x, 8, PC(0x12));	/* t1's entry, new epoch */
	race_release(r, 1, (uintptr_t)&lock1);
	/*
	 * w knows all of t1's reads and t2's first: only t2's second read
	 * is unordered, and only if t2's entry moved to its new epoch.
	 */
	race_acquire(r, 3, (uintptr_t)&lock1);
	race_acquire(r, 3, (uintptr_t)&lock2);
	race_write(r, 3, x, 8, PC(0x30));
	ck_assert_uint_eq(race_nreports(r), 1);
	ck_assert_uint_eq(race_report(r, 0)->rr_tid[1], 2);
	race_destroy(r);
}
END_TEST

START_TEST(test_stack_by_parent)
{
	struct race *r = two_threads();
	uintptr_t x = (uintptr_t)&word[1];
	const char *text, *prev;

	/* The same callee under two callers: two different stacks. */
	race_func_entry(r, 0, PC(0xa11ce0));
	race_func_entry(r, 0, PC(0xca11ee));
	race_write(r, 0, x, 8, PC(0x10));
	race_func_exit(r, 0);
	race_func_exit(r, 0);
	race_func_entry(r, 1, PC(0xb0b000));
	race_func_entry(r, 1, PC(0xca11ee));
	race_write(r, 1, x, 8, PC(0x20));
	ck_assert_uint_eq(race_nreports(r), 1);
	text = race_report(r, 0)->rr_text;
	prev = strstr(text, "previous write");
	ck_assert_ptr_nonnull(prev);
	/* The current access's stack names bob, the previous one alice. */
	ck_assert_ptr_nonnull(strstr(text, "0xb0b000"));
	ck_assert(strstr(text, "0xb0b000") < prev);
	ck_assert_ptr_nonnull(strstr(prev, "0xa11ce0"));
	ck_assert_ptr_null(strstr(prev, "0xb0b000"));
	race_destroy(r);
}
END_TEST

__attribute__((noinline)) static void
racy_site(void)
{
	__asm__ volatile("");
}

START_TEST(test_pc_in_program_text)
{
	struct race *r = two_threads();
	uintptr_t x = (uintptr_t)&word[2];
	uintptr_t pc = (uintptr_t)racy_site + 1;

	/* A pc of the program (kept as an offset) still names its function. */
	racy_site();
	race_write(r, 0, x, 8, pc);
	race_write(r, 1, x, 8, PC(0x20));
	ck_assert_uint_eq(race_nreports(r), 1);
	ck_assert_ptr_nonnull(strstr(race_report(r, 0)->rr_signature,
	    "racy_site"));
	race_destroy(r);
}
END_TEST

static uint32_t run_tid;
static int run_cpu;

static uint32_t
who_runs(int *cpu)
{
	*cpu = run_cpu;
	return run_tid;
}

START_TEST(test_cpus_in_reports)
{
	struct race *r = two_threads();
	uintptr_t x = (uintptr_t)&word[3], y = (uintptr_t)&word[4];

	/* The platform says who runs where; each access keeps its CPU. */
	race_set_tid_fn(who_runs);
	run_tid = 0, run_cpu = 3;
	race_access(r, x, 8, PC(0x10), true);
	run_cpu = 4;			/* migrates, same epoch */
	race_access(r, y, 4, PC(0x11), false);
	run_tid = 1, run_cpu = 5;
	race_access(r, x, 8, PC(0x20), true);
	race_access(r, y, 4, PC(0x21), true);
	ck_assert_uint_eq(race_nreports(r), 2);
	ck_assert_int_eq(race_report(r, 0)->rr_cpu[0], 5);
	ck_assert_int_eq(race_report(r, 0)->rr_cpu[1], 3);
	ck_assert_int_eq(race_report(r, 1)->rr_cpu[1], 4);
	ck_assert_ptr_nonnull(strstr(race_report(r, 1)->rr_text,
	    "previous read of 4 bytes by lwp 0 (a) on cpu 4"));
	run_tid = RACE_NOTID;		/* nobody: not checked */
	race_access(r, x, 8, PC(0x30), true);
	ck_assert_uint_eq(race_nreports(r), 2);
	race_set_tid_fn(NULL);
	race_destroy(r);
}
END_TEST

static int asked;

static uint32_t
who_runs_counted(int *cpu)
{
	asked++;
	return who_runs(cpu);
}

START_TEST(test_tid_kept_until_gen_moves)
{
	struct race *r = two_threads();
	uintptr_t x = (uintptr_t)&word[5];
	uint64_t gen = 0;

	race_set_tid_fn(who_runs_counted);
	race_set_tid_gen(&gen);
	asked = 0;
	run_tid = 0, run_cpu = 1;
	race_access(r, x, 8, PC(0x10), true);
	race_access(r, x, 8, PC(0x11), true);
	ck_assert_int_eq(asked, 1);	/* a fresh detector asks, then keeps */
	/* the answer stands while the counter does: still thread 0 */
	run_tid = 1, run_cpu = 2;
	race_access(r, x, 8, PC(0x12), true);
	ck_assert_int_eq(asked, 1);
	ck_assert_uint_eq(race_nreports(r), 0);
	/* the counter moves: thread 1 writes, unordered with thread 0 */
	gen++;
	race_access(r, x, 8, PC(0x20), true);
	ck_assert_int_eq(asked, 2);
	ck_assert_uint_eq(race_nreports(r), 1);
	ck_assert_int_eq(race_report(r, 0)->rr_cpu[0], 2);
	ck_assert_int_eq(race_report(r, 0)->rr_cpu[1], 1);
	/* nobody runs: kept too, and nothing is checked */
	gen++;
	run_tid = RACE_NOTID;
	race_access(r, x + 8, 8, PC(0x30), true);
	race_access(r, x + 8, 8, PC(0x31), true);
	ck_assert_int_eq(asked, 3);
	ck_assert_uint_eq(race_current_tid(r), RACE_NOTID);
	/* a new tid function drops the counter: asked at every access */
	race_set_tid_fn(who_runs_counted);
	run_tid = 0;
	race_access(r, x + 16, 8, PC(0x40), true);
	race_access(r, x + 16, 8, PC(0x41), true);
	ck_assert_int_eq(asked, 5);
	race_set_tid_fn(NULL);
	race_destroy(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("race_fast");
	TCase *tc = tcase_create("fast");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_same_clock_other_thread);
	tcase_add_test(tc, test_write_again_after_foreign_read);
	tcase_add_test(tc, test_sizes_offsets_edges);
	tcase_add_test(tc, test_forget_keeps_partial_granules);
	tcase_add_test(tc, test_shadow_not_inherited);
	tcase_add_test(tc, test_acquire_joined_release);
	tcase_add_test(tc, test_reused_tid_learns_again);
	tcase_add_test(tc, test_reused_tid_releases);
	tcase_add_test(tc, test_read_set_revisited);
	tcase_add_test(tc, test_stack_by_parent);
	tcase_add_test(tc, test_pc_in_program_text);
	tcase_add_test(tc, test_cpus_in_reports);
	tcase_add_test(tc, test_tid_kept_until_gen_moves);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
