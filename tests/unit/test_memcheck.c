/*
 * The memory checker's switch (world_config.wc_no_memcheck, cpu/pool.c).
 *
 * Checked (the default), freed kernel memory is poisoned and
 * quarantined: a read after free sees 0xdb and a write after free is
 * reported (test_check_machine).  Unchecked, a freed block is recycled
 * through its size class's free list: the next allocation of the class
 * gets it back zeroed, a use after free goes unreported (the trade-off),
 * while leaks and an immediate double free are still reported and
 * nothing of a world outlives it.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sys/intr.h"
#include "sys/kmem.h"
#include "sys/pool.h"

#include "machine_util.h"

static struct world *
mkworld_mem(bool checked, struct host **hp)
{
	struct world_config wc;
	struct world *w;

	memset(&wc, 0, sizeof(wc));
	wc.wc_seed = 1;
	wc.wc_strategy = "default";
	wc.wc_stack_size = 64 * 1024;
	wc.wc_no_memcheck = !checked;
	w = world_create(&wc);
	ck_assert_ptr_nonnull(w);
	world_set_console(w, quiet_console, NULL);
	*hp = world_host_create(w, "a", 1);
	ck_assert_ptr_nonnull(*hp);
	return w;
}

static int uaf_mode;
static unsigned char uaf_seen;

static void
uaf_worker(void *arg)
{
	unsigned char *p = kmem_alloc(64, KM_SLEEP);

	(void)arg;
	memset(p, 0x11, 64);
	kmem_free(p, 64);
	uaf_seen = p[10];		/* a read after free */
	if (uaf_mode == 1)
		p[5] = 7;		/* a write after free */
	if (uaf_mode == 2)
		kmem_free(p, 64);	/* a double free, before any reuse */
	/* Push the block through the quarantine (checked) or reuse it. */
	for (int i = 0; i < 600; i++)
		kmem_free(kmem_alloc(16, KM_SLEEP), 16);
}

/* The first memory violation's message of a run of uaf_worker, or NULL. */
static const char *
uaf_run(bool checked, int mode)
{
	struct host *h;
	struct world *w = mkworld_mem(checked, &h);
	const struct violation *v;
	static char msg[256];

	uaf_mode = mode;
	host_spawn(h, "uaf", -1, uaf_worker, NULL);
	(void)world_run(w, SIM_TIME_NEVER);
	v = find_violation(w, VIOL_MEMORY);
	msg[0] = '\0';
	if (v != NULL)
		snprintf(msg, sizeof(msg), "%s", v->v_message);
	world_destroy(w);
	ck_assert_uint_eq(sim_mem_blocks(), 0);
	return v != NULL ? msg : NULL;
}

START_TEST(test_unchecked_use_after_free_unreported)
{
	const char *m;

	/* Checked: the write after free is found, the read sees poison. */
	m = uaf_run(true, 1);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m, "write after free: byte 5"));
	ck_assert_uint_eq(uaf_seen, 0xdb);
	/* Unchecked: no poison, and the write after free goes unseen. */
	ck_assert_ptr_null(uaf_run(false, 1));
	ck_assert_uint_eq(uaf_seen, 0x11);
	ck_assert_ptr_null(uaf_run(false, 0));
	/* A double free before the block is reused is still one. */
	m = uaf_run(false, 2);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m, "double free"));
}
END_TEST

/* Unchecked: a freed block comes back for the next allocation of its
 * size class, zeroed over the size asked for. */
START_TEST(test_unchecked_recycles_zeroed)
{
	struct host *h;
	struct world *w = mkworld_mem(false, &h);
	struct pool pl;
	unsigned char *p, *q;
	size_t i;

	host_enter(h);
	p = kmem_alloc(100, KM_SLEEP);
	memset(p, 0xff, 100);
	kmem_free(p, 100);
	q = kmem_alloc(120, KM_SLEEP);	/* the same 128-byte class */
	ck_assert_ptr_eq(p, q);
	for (i = 0; i < 120; i++)
		ck_assert_uint_eq(q[i], 0);
	kmem_free(q, 120);

	/* A 2 KiB cluster and a 3000-byte block (power-of-two class). */
	p = kmem_alloc(3000, KM_SLEEP);
	memset(p, 0xee, 3000);
	kmem_free(p, 3000);
	q = kmem_alloc(3000, KM_SLEEP);
	ck_assert_ptr_eq(p, q);
	for (i = 0; i < 3000; i++)
		ck_assert_uint_eq(q[i], 0);
	kmem_free(q, 3000);

	pool_init(&pl, 2048, "mc", IPL_NONE);
	p = pool_get(&pl, PR_WAITOK);
	memset(p, 0xaa, 2048);
	pool_put(&pl, p);
	q = pool_get(&pl, PR_WAITOK);
	ck_assert_ptr_eq(p, q);
	for (i = 0; i < 2048; i++)
		ck_assert_uint_eq(q[i], 0);
	pool_put(&pl, q);
	pool_destroy(&pl);
	host_leave(h);
	ck_assert_uint_eq(world_kmem_live(w), 0);
	ck_assert_uint_eq(world_nviolations(w), 0);
	/* The free lists hold the blocks until the world ends. */
	ck_assert_uint_gt(sim_mem_blocks(), 0);
	world_destroy(w);
	ck_assert_uint_eq(sim_mem_blocks(), 0);
}
END_TEST

/* Unchecked: leaks are still counted and reported. */
START_TEST(test_unchecked_leaks_reported)
{
	struct host *h;
	struct world *w = mkworld_mem(false, &h);
	struct pool pl;
	const struct violation *v;
	void *p;

	host_enter(h);
	pool_init(&pl, 128, "leaky", IPL_NONE);
	(void)pool_get(&pl, PR_WAITOK);		/* leaked */
	p = pool_get(&pl, PR_WAITOK);
	pool_put(&pl, p);
	(void)kmem_alloc(40, KM_SLEEP);		/* leaked */
	pool_destroy(&pl);
	host_leave(h);
	ck_assert_uint_eq(world_kmem_live(w), 2);
	v = find_violation(w, VIOL_MEMORY);
	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(strstr(v->v_message, "pool \"leaky\" destroyed "
	    "with 1 item(s) outstanding"));
	world_destroy(w);
	ck_assert_uint_eq(sim_mem_blocks(), 0);
}
END_TEST

/* Blocks on one world's free lists never serve another world: a second
 * unchecked world freeing empties them, and both end with nothing. */
START_TEST(test_unchecked_worlds_apart)
{
	struct host *ha, *hb;
	struct world *a = mkworld_mem(false, &ha);
	struct world *b = mkworld_mem(false, &hb);
	void *p, *q;

	host_enter(ha);
	p = kmem_alloc(64, KM_SLEEP);
	kmem_free(p, 64);
	host_leave(ha);
	host_enter(hb);
	q = kmem_alloc(64, KM_SLEEP);
	ck_assert_ptr_ne(p, q);		/* not a's block */
	kmem_free(q, 64);
	host_leave(hb);
	host_enter(ha);
	p = kmem_alloc(64, KM_SLEEP);
	ck_assert_ptr_ne(p, q);		/* not b's block */
	kmem_free(p, 64);
	host_leave(ha);
	world_destroy(a);
	world_destroy(b);
	ck_assert_uint_eq(sim_mem_blocks(), 0);
}
END_TEST

/*
 * The blocks an ended world leaves (checked: its quarantine) serve later
 * worlds, zeroed over their whole capacity, and belong to no world: the
 * process's block count is 0 between worlds whatever the cache holds.
 */
START_TEST(test_ended_world_blocks_cached)
{
	struct host *h;
	struct world *w = mkworld_mem(true, &h);
	unsigned char *p;
	size_t before, i;

	host_enter(h);
	p = kmem_alloc(100, KM_SLEEP);
	memset(p, 0xff, 100);
	kmem_free(p, 100);		/* poisoned, quarantined */
	host_leave(h);
	before = sim_mem_cache_bytes();
	world_destroy(w);
	ck_assert_uint_eq(sim_mem_blocks(), 0);
	ck_assert_uint_ge(sim_mem_cache_bytes(), before + 128);

	w = mkworld_mem(true, &h);
	host_enter(h);
	before = sim_mem_cache_bytes();
	p = kmem_alloc(120, KM_SLEEP);	/* the 128-byte class */
	/* it came from the cache ... */
	ck_assert_uint_eq(sim_mem_cache_bytes(), before - 128);
	/* ... and reads as a fresh block, past the 120 bytes asked too */
	for (i = 0; i < 128; i++)
		ck_assert_uint_eq(p[i], 0);
	kmem_free(p, 120);
	host_leave(h);
	ck_assert_uint_eq(world_nviolations(w), 0);
	world_destroy(w);
	ck_assert_uint_eq(sim_mem_blocks(), 0);
}
END_TEST

/* A world that leaves more than the cache keeps gives the rest back. */
START_TEST(test_cache_bounded)
{
	struct host *h;
	struct world *w = mkworld_mem(true, &h);
	void *p[200];

	host_enter(h);
	for (int i = 0; i < 200; i++)	/* 200 x 64 KiB: 12.5 MiB */
		p[i] = kmem_alloc(65536, KM_SLEEP);
	for (int i = 0; i < 200; i++)
		kmem_free(p[i], 65536);
	host_leave(h);
	world_destroy(w);
	ck_assert_uint_eq(sim_mem_blocks(), 0);
	ck_assert_uint_gt(sim_mem_cache_bytes(), 0);
	ck_assert_uint_le(sim_mem_cache_bytes(), (size_t)8 << 20);
}
END_TEST

int
main(void)
{
	TCase *tc = tcase_create("memcheck");

	tcase_add_test(tc, test_unchecked_use_after_free_unreported);
	tcase_add_test(tc, test_unchecked_recycles_zeroed);
	tcase_add_test(tc, test_unchecked_leaks_reported);
	tcase_add_test(tc, test_unchecked_worlds_apart);
	tcase_add_test(tc, test_ended_world_blocks_cached);
	tcase_add_test(tc, test_cache_bounded);
	tcase_set_timeout(tc, 30);
	return run_tcase("memcheck", tc);
}
