/*
 * Helpers shared by the machine's unit tests: small worlds.
 */
#ifndef _KNIT_TESTS_UNIT_MACHINE_UTIL_H_
#define _KNIT_TESTS_UNIT_MACHINE_UTIL_H_

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

__attribute__((__unused__)) static void
quiet_console(void *arg, const char *host, uint64_t now, const char *line)
{
	(void)arg;
	(void)host;
	(void)now;
	(void)line;
}

/* A world with one host "a" of ncpu CPUs. */
__attribute__((__unused__)) static struct world *
mkworld(uint64_t seed, const char *strategy, int ncpu, struct host **hp)
{
	struct world_config wc;
	struct world *w;

	memset(&wc, 0, sizeof(wc));
	wc.wc_seed = seed;
	wc.wc_strategy = strategy;
	wc.wc_stack_size = 64 * 1024;
	w = world_create(&wc);
	ck_assert_ptr_nonnull(w);
	world_set_console(w, quiet_console, NULL);
	*hp = world_host_create(w, "a", ncpu);
	ck_assert_ptr_nonnull(*hp);
	return w;
}

/* The first violation of kind k, or NULL. */
__attribute__((__unused__)) static const struct violation *
find_violation(const struct world *w, enum violation_kind k)
{
	size_t i;

	for (i = 0; i < world_nviolations(w); i++)
		if (world_violation(w, i)->v_kind == k)
			return world_violation(w, i);
	return NULL;
}

/* Run one test case as suite `name'; the exit status for main. */
__attribute__((__unused__)) static int
run_tcase(const char *name, TCase *tc)
{
	Suite *s = suite_create(name);
	SRunner *sr;
	int nf;

	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}

#endif /* !_KNIT_TESTS_UNIT_MACHINE_UTIL_H_ */
