/*
 * mbufs: chain operations keep the bytes and the packet-header length
 * right, and every test ends with zero mbufs and areas outstanding.
 * Runs on the pthreads platform (the same stack objects as the sim).
 */
#include <check.h>
#include <stdlib.h>

#include "kapi_pthreads.h"
#include "sys/mbuf.h"
#include "net/if.h"	/* compiles on its own */

static void
setup(void)
{
	kapi_pthreads_boot(1);
}

static void
teardown(void)
{
	ck_assert_uint_eq(mbuf_outstanding(), 0);
	kapi_pthreads_shutdown();
}

/* A chain of n bytes 0, 1, 2, ... split into pieces of `piece' bytes. */
static struct mbuf *
make_chain(int n, int piece)
{
	struct mbuf *top, *m, *prev = NULL;
	int off = 0, i;

	top = m_gethdr(M_WAIT, MT_DATA);
	m = top;
	while (off < n) {
		if (m == NULL) {
			m = m_get(M_WAIT, MT_DATA);
			prev->m_next = m;
		}
		for (i = 0; i < piece && off < n; i++, off++)
			m->m_data[i] = (char)(off & 0xff);
		m->m_len = i;
		prev = m;
		m = NULL;
	}
	top->m_pkthdr.len = n;
	return top;
}

static void
check_bytes(struct mbuf *m, int off0, int n)
{
	unsigned char *buf = malloc((size_t)n);
	int i;

	m_copydata(m, 0, n, buf);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(buf[i], (unsigned)((off0 + i) & 0xff));
	free(buf);
}

START_TEST(test_get_free_counts)
{
	struct mbuf *m, *n;

	m = m_gethdr(M_WAIT, MT_DATA);
	ck_assert_ptr_nonnull(m);
	ck_assert(m->m_flags & M_PKTHDR);
	ck_assert_int_eq(M_TRAILINGSPACE(m), MHLEN);
	ck_assert_uint_eq(mbuf_outstanding(), 1);
	ck_assert_int_eq(m_clget(m, M_WAIT), 0);
	ck_assert_int_eq(M_TRAILINGSPACE(m), MCLBYTES);
	ck_assert_uint_eq(mbuf_outstanding(), 2);
	n = m_getlen(M_WAIT, MT_DATA, 9018);
	ck_assert_int_ge(M_TRAILINGSPACE(n), 9018);
	ck_assert_uint_eq(mbuf_outstanding(), 4);
	m_freem(n);
	m_freem(m);
	ck_assert_uint_eq(mbuf_outstanding(), 0);
}
END_TEST

START_TEST(test_copydata_copym_across_pieces)
{
	struct mbuf *m = make_chain(700, 100), *c;

	ck_assert_int_eq(m_length(m), 700);
	c = m_copym(m, 150, 400, M_WAIT);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(m_length(c), 400);
	ck_assert(c->m_flags & M_PKTHDR);
	ck_assert_int_eq(c->m_pkthdr.len, 400);
	check_bytes(c, 150, 400);
	m_freem(c);
	c = m_copym(m, 0, M_COPYALL, M_WAIT);
	ck_assert_int_eq(c->m_pkthdr.len, 700);
	check_bytes(c, 0, 700);
	m_freem(c);
	m_freem(m);
}
END_TEST

START_TEST(test_pullup_makes_contiguous)
{
	struct mbuf *m = make_chain(300, 10);

	m = m_pullup(m, 60);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_ge(m->m_len, 60);
	ck_assert_int_eq(m->m_pkthdr.len, 300);
	ck_assert_int_eq(m_length(m), 300);
	check_bytes(m, 0, 300);
	/* beyond the chain: fails and frees everything */
	m = m_pullup(m, 301);
	ck_assert_ptr_null(m);
}
END_TEST

START_TEST(test_adj_head_and_tail)
{
	struct mbuf *m = make_chain(500, 64);
	unsigned char b[2];

	m_adj(m, 70);
	ck_assert_int_eq(m->m_pkthdr.len, 430);
	ck_assert_int_eq(m_length(m), 430);
	check_bytes(m, 70, 430);
	m_adj(m, -100);
	ck_assert_int_eq(m->m_pkthdr.len, 330);
	ck_assert_int_eq(m_length(m), 330);
	m_copydata(m, 328, 2, b);
	ck_assert_uint_eq(b[1], (70 + 329) & 0xff);
	m_freem(m);
}
END_TEST

START_TEST(test_prepend_and_append)
{
	struct mbuf *m = make_chain(50, 50);
	char hdr[20];
	int i;

	/* no leading space in a fresh mbuf: M_PREPEND allocates */
	M_PREPEND(m, 20, M_DONTWAIT);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->m_pkthdr.len, 70);
	memset(hdr, 0xab, sizeof(hdr));
	memcpy(mtod(m, char *), hdr, sizeof(hdr));
	ck_assert_int_eq(m_length(m), 70);
	/* now there is space in front of the header mbuf */
	m_adj(m, 4);
	M_PREPEND(m, 4, M_DONTWAIT);
	ck_assert_int_eq(m->m_pkthdr.len, 70);
	for (i = 0; i < 3000; i += 100)
		ck_assert_int_eq(m_append(m, 100, hdr + 0 * i), 1);
	ck_assert_int_eq(m_length(m), 3070);
	ck_assert_int_eq(m->m_pkthdr.len, 3070);
	m_freem(m);
}
END_TEST

START_TEST(test_copyback_extends)
{
	struct mbuf *m = m_gethdr(M_WAIT, MT_DATA);
	char buf[1000], out[1000];
	int i;

	for (i = 0; i < 1000; i++)
		buf[i] = (char)(i * 7);
	ck_assert_int_eq(m_copyback(m, 100, 1000, buf), 0);
	ck_assert_int_eq(m->m_pkthdr.len, 1100);
	ck_assert_int_eq(m_length(m), 1100);
	m_copydata(m, 100, 1000, out);
	ck_assert_mem_eq(buf, out, 1000);
	/* the gap is zero */
	m_copydata(m, 0, 100, out);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(out[i], 0);
	/* overwrite in the middle of the chain */
	ck_assert_int_eq(m_copyback(m, 150, 10, "0123456789"), 0);
	m_copydata(m, 150, 10, out);
	ck_assert_mem_eq(out, "0123456789", 10);
	ck_assert_int_eq(m_length(m), 1100);
	m_freem(m);
}
END_TEST

START_TEST(test_cat_split_dup)
{
	struct mbuf *a = make_chain(120, 60), *b = make_chain(80, 40), *t, *d;

	m_cat(a, b);
	a->m_pkthdr.len += 80;
	ck_assert_int_eq(m_length(a), 200);
	t = m_split(a, 130, M_WAIT);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(a->m_pkthdr.len, 130);
	ck_assert_int_eq(m_length(a), 130);
	ck_assert_int_eq(t->m_pkthdr.len, 70);
	ck_assert_int_eq(m_length(t), 70);
	d = m_dup(t, 0, M_COPYALL, M_WAIT);
	ck_assert_int_eq(m_length(d), 70);
	m_freem(d);
	m_freem(t);
	m_freem(a);
}
END_TEST

START_TEST(test_devget_and_queue)
{
	char frame[1514];
	struct mbufq q;
	struct mbuf *m;
	int i;

	memset(frame, 0x5a, sizeof(frame));
	mbufq_init(&q, 3);
	for (i = 0; i < 5; i++) {
		m = m_devget(frame, (int)sizeof(frame), NULL);
		ck_assert_ptr_nonnull(m);
		ck_assert_int_eq(m->m_pkthdr.len, 1514);
		ck_assert_int_eq(m->m_len, 1514);
		(void)mbufq_enqueue(&q, m);
	}
	ck_assert_uint_eq(mbufq_len(&q), 3);
	ck_assert_uint_eq(q.mq_drops, 2);
	m = mbufq_dequeue(&q);
	m_freem(m);
	mbufq_purge(&q);
	ck_assert_uint_eq(mbufq_len(&q), 0);
	ck_assert_ptr_null(m_devget(frame, MJUMBYTES + 1, NULL));
}
END_TEST

/* mbufq_takeall empties the queue and hands back its packets in order. */
START_TEST(test_mbufq_takeall)
{
	struct mbuf *m[3], *l;
	struct mbufq q;
	int i;

	mbufq_init(&q, 8);
	ck_assert_ptr_null(mbufq_takeall(&q));
	for (i = 0; i < 3; i++) {
		m[i] = m_gethdr(M_WAIT, MT_DATA);
		ck_assert(mbufq_enqueue(&q, m[i]));
	}
	l = mbufq_takeall(&q);
	ck_assert_uint_eq(mbufq_len(&q), 0);
	ck_assert_ptr_null(mbufq_dequeue(&q));
	for (i = 0; i < 3; i++, l = l->m_nextpkt)
		ck_assert_ptr_eq(l, m[i]);
	ck_assert_ptr_null(l);
	/* the emptied queue works as a new one */
	for (i = 0; i < 3; i++)
		m[i]->m_nextpkt = NULL;
	ck_assert(mbufq_enqueue(&q, m[2]));
	ck_assert_ptr_eq(mbufq_dequeue(&q), m[2]);
	for (i = 0; i < 3; i++)
		m_freem(m[i]);
}
END_TEST

/*
 * m_snap keeps the start of a chain (across pieces) and its header
 * without allocating; m_snap_mbuf rebuilds it, in a cluster when long.
 */
START_TEST(test_snap)
{
	static uint8_t buf[1500];
	struct mbuf_snap ms;
	struct mbuf *m = make_chain(1400, 100), *n;
	unsigned before;

	m->m_flags |= M_BCAST;
	m->m_pkthdr.ts = 42;
	before = mbuf_outstanding();
	m_snap(&ms, m, 28, buf);
	ck_assert_uint_eq(mbuf_outstanding(), before);
	ck_assert_int_eq(ms.ms_len, 28);
	n = m_snap_mbuf(&ms);
	ck_assert_int_eq(n->m_pkthdr.len, 28);
	ck_assert_int_eq(n->m_len, 28);
	ck_assert(n->m_flags & M_BCAST);
	ck_assert_uint_eq(n->m_pkthdr.ts, 42);
	check_bytes(n, 0, 28);
	m_freem(n);
	/* longer than the packet: all of it; over MHLEN: one cluster */
	m_snap(&ms, m, (int)sizeof(buf), buf);
	ck_assert_int_eq(ms.ms_len, 1400);
	m_freem(m);		/* the snapshot does not need the packet */
	n = m_snap_mbuf(&ms);
	ck_assert_int_eq(n->m_len, 1400);
	ck_assert_ptr_null(n->m_next);
	check_bytes(n, 0, 1400);
	m_freem(n);
}
END_TEST

static Suite *
mbuf_suite(void)
{
	Suite *s = suite_create("mbuf");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_get_free_counts);
	tcase_add_test(tc, test_copydata_copym_across_pieces);
	tcase_add_test(tc, test_pullup_makes_contiguous);
	tcase_add_test(tc, test_adj_head_and_tail);
	tcase_add_test(tc, test_prepend_and_append);
	tcase_add_test(tc, test_copyback_extends);
	tcase_add_test(tc, test_cat_split_dup);
	tcase_add_test(tc, test_devget_and_queue);
	tcase_add_test(tc, test_mbufq_takeall);
	tcase_add_test(tc, test_snap);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mbuf_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
