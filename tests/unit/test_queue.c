/*
 * sys/queue.h: list macros keep order and links consistent.
 */
#include <check.h>
#include <stdlib.h>

#include "sys/queue.h"

struct item {
	int			 it_val;
	LIST_ENTRY(item)	 it_list;
	TAILQ_ENTRY(item)	 it_tailq;
	STAILQ_ENTRY(item)	 it_stailq;
	SLIST_ENTRY(item)	 it_slist;
};

LIST_HEAD(itemlist, item);
TAILQ_HEAD(itemtailq, item);
STAILQ_HEAD(itemstailq, item);
SLIST_HEAD(itemslist, item);

START_TEST(test_tailq_order_and_remove)
{
	struct itemtailq q = TAILQ_HEAD_INITIALIZER(q);
	struct item it[5], *p;
	int i, expect[] = { 0, 2, 3, 4 }, n = 0;

	for (i = 0; i < 5; i++) {
		it[i].it_val = i;
		TAILQ_INSERT_TAIL(&q, &it[i], it_tailq);
	}
	TAILQ_REMOVE(&q, &it[1], it_tailq);
	TAILQ_FOREACH(p, &q, it_tailq)
		ck_assert_int_eq(p->it_val, expect[n++]);
	ck_assert_int_eq(n, 4);
	ck_assert_ptr_eq(TAILQ_LAST(&q, itemtailq), &it[4]);
	ck_assert_ptr_eq(TAILQ_PREV(&it[4], itemtailq, it_tailq), &it[3]);
	TAILQ_REMOVE(&q, &it[4], it_tailq);
	ck_assert_ptr_eq(TAILQ_LAST(&q, itemtailq), &it[3]);
	TAILQ_INSERT_HEAD(&q, &it[4], it_tailq);
	ck_assert_ptr_eq(TAILQ_FIRST(&q), &it[4]);
}
END_TEST

START_TEST(test_list_head_insert_and_remove)
{
	struct itemlist l = LIST_HEAD_INITIALIZER(l);
	struct item it[3], *p, *t;
	int n = 0;

	for (int i = 0; i < 3; i++) {
		it[i].it_val = i;
		LIST_INSERT_HEAD(&l, &it[i], it_list);
	}
	ck_assert_ptr_eq(LIST_FIRST(&l), &it[2]);
	LIST_REMOVE(&it[2], it_list);
	ck_assert_ptr_eq(LIST_FIRST(&l), &it[1]);
	LIST_FOREACH_SAFE(p, &l, it_list, t) {
		LIST_REMOVE(p, it_list);
		n++;
	}
	ck_assert_int_eq(n, 2);
	ck_assert(LIST_EMPTY(&l));
}
END_TEST

START_TEST(test_stailq_and_slist)
{
	struct itemstailq sq = STAILQ_HEAD_INITIALIZER(sq);
	struct itemslist sl = SLIST_HEAD_INITIALIZER(sl);
	struct item it[3], *p;
	int n = 0;

	for (int i = 0; i < 3; i++) {
		it[i].it_val = i;
		STAILQ_INSERT_TAIL(&sq, &it[i], it_stailq);
		SLIST_INSERT_HEAD(&sl, &it[i], it_slist);
	}
	STAILQ_REMOVE_HEAD(&sq, it_stailq);
	STAILQ_FOREACH(p, &sq, it_stailq)
		ck_assert_int_eq(p->it_val, ++n);
	SLIST_REMOVE(&sl, &it[1], item, it_slist);
	ck_assert_ptr_eq(SLIST_FIRST(&sl), &it[2]);
	ck_assert_ptr_eq(SLIST_NEXT(&it[2], it_slist), &it[0]);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("lists");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_tailq_order_and_remove);
	tcase_add_test(tc, test_list_head_insert_and_remove);
	tcase_add_test(tc, test_stailq_and_slist);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
