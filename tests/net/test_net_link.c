/*
 * The link model on a bare event queue: serialisation and propagation
 * times, tail drop, MTU, up/down, hub fan-out and half duplex,
 * seed-exact impairments, and the pcapng file structure.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/vnic.h"
#include "net/net_impl.h"

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static struct evq tq;
static uint64_t tnow;
static uint64_t tseed = 42;
static uint64_t tmix;

/* hosts are opaque to the model: any distinct pointers do */
static int hosts[4];
#define HOST(i)	((struct host *)(void *)&hosts[i])

struct arrival {
	uint64_t	a_time;
	int		a_nic;
	size_t		a_len;
	uint8_t		a_first;
};
static struct arrival arr[4096];
static int narr;

static uint64_t
t_now(void *ctx)
{
	(void)ctx;
	return tnow;
}

static void
t_stream(void *ctx, struct rng *r, const char *name)
{
	(void)ctx;
	rng_stream(r, tseed, name);
}

static void
t_mix(void *ctx, uint64_t d)
{
	(void)ctx;
	tmix = (tmix ^ d) * 0x100000001b3ULL;
}

static void
t_raise(void *ctx, struct host *h, int cpu, void (*fn)(void *), void *arg)
{
	(void)ctx;
	(void)h;
	(void)cpu;
	fn(arg);		/* the "interrupt" runs at once */
}

static const char *
t_hname(const struct host *h)
{
	static char buf[4][8];
	int i = (int)((const int *)(const void *)h - hosts);

	snprintf(buf[i], sizeof(buf[i]), "h%d", i);
	return buf[i];
}

static int
t_hidx(const struct host *h)
{
	return (int)((const int *)(const void *)h - hosts);
}

/* receive handler: drains the ring like a driver would */
static void
t_intr(void *arg)
{
	struct vnic_hw *hw = arg;
	const uint8_t *p;
	size_t len;

	while ((p = vnic_hw_rx_peek(hw, &len)) != NULL) {
		ck_assert_int_lt(narr, 4096);
		arr[narr].a_time = tnow;
		arr[narr].a_nic = ((struct net_nic *)(void *)hw)->nn_index;
		arr[narr].a_len = len;
		arr[narr].a_first = p[14];
		narr++;
		vnic_hw_rx_pop(hw);
	}
}

static struct net *
t_net(void)
{
	struct net_env env = {
		.ne_evq = &tq, .ne_now = t_now, .ne_rng_stream = t_stream,
		.ne_trace_mix = t_mix, .ne_intr_raise = t_raise,
		.ne_host_name = t_hname, .ne_host_index = t_hidx,
	};

	evq_init(&tq);
	tnow = 0;
	tmix = 0;
	narr = 0;
	return net_create_env(&env);
}

static struct net_nic *
t_nic(struct net *n, int host)
{
	struct net_nic *nic = net_nic_create(n, HOST(host), NULL, 0, 0);

	vnic_hw_intr_establish((struct vnic_hw *)(void *)nic, t_intr, nic);
	return nic;
}

static void
t_send(struct net_nic *nic, size_t len, uint8_t tag)
{
	struct vnic_hw *hw = (struct vnic_hw *)(void *)nic;
	uint8_t *p = vnic_hw_tx_buf(hw, len);

	ck_assert_ptr_nonnull(p);
	memset(p, 0, len);
	p[14] = tag;
	vnic_hw_tx_commit(hw, len);
}

static void
t_run(void)
{
	struct evq_event *ev;

	while ((ev = evq_pop(&tq)) != NULL) {
		ck_assert_uint_ge(ev->ev_time, tnow);
		tnow = ev->ev_time;
		ev->ev_fn(ev, ev->ev_arg);
	}
}

static void
t_done(struct net *n)
{
	net_destroy(n);
	evq_fini(&tq);
}

START_TEST(test_p2p_timing)
{
	struct net *n = t_net();
	struct net_nic *a = t_nic(n, 0), *b = t_nic(n, 1);
	struct net_link_params p;

	net_link_params_default(&p);	/* 1 Gb/s, 10 us */
	ck_assert_ptr_nonnull(net_link_p2p(n, "ab", a, b, &p));
	t_send(a, 1000, 1);
	t_send(a, 1000, 2);
	t_send(b, 500, 3);
	t_run();
	ck_assert_int_eq(narr, 3);
	/* b's frame: 4000 ns on the wire + 10 us; full duplex */
	ck_assert_uint_eq(arr[0].a_time, 14000);
	ck_assert_int_eq(arr[0].a_first, 3);
	/* a's frames back to back: 8000 ns each */
	ck_assert_uint_eq(arr[1].a_time, 18000);
	ck_assert_uint_eq(arr[2].a_time, 26000);
	ck_assert_int_eq(arr[2].a_first, 2);
	ck_assert_int_eq(arr[2].a_nic, b->nn_index);
	ck_assert_str_eq(net_nic_name(b), "h1:vnic0");
	ck_assert_int_eq(b->nn_mac[0], 2);
	t_done(n);
}
END_TEST

START_TEST(test_tail_drop_mtu_down)
{
	struct net *n = t_net();
	struct net_nic *a = t_nic(n, 0), *b = t_nic(n, 1);
	struct net_link_params p;
	struct net_link_stats st;
	struct net_link *l;
	int i;

	net_link_params_default(&p);
	p.nlp_qlen = 2;
	l = net_link_p2p(n, "ab", a, b, &p);
	for (i = 0; i < 5; i++)
		t_send(a, 1000, (uint8_t)i);
	t_send(a, 1500 + 14 + 1, 9);		/* over the MTU */
	t_run();
	net_link_stats(l, &st);
	ck_assert_int_eq(narr, 2);
	ck_assert_uint_eq(st.nls_drop_queue, 3);
	ck_assert_uint_eq(st.nls_drop_mtu, 1);
	/* the queue drained: sending later works again */
	t_send(a, 1000, 7);
	t_run();
	ck_assert_int_eq(narr, 3);
	net_link_set_up(l, false);
	t_send(a, 100, 8);
	t_run();
	ck_assert_int_eq(narr, 3);
	net_link_stats(l, &st);
	ck_assert_uint_eq(st.nls_drop_down, 1);
	/* down while in flight: lost at arrival */
	net_link_set_up(l, true);
	t_send(a, 100, 8);
	net_link_set_up(l, false);
	t_run();
	ck_assert_int_eq(narr, 3);
	net_link_set_up(l, true);
	t_send(a, 100, 8);
	t_run();
	ck_assert_int_eq(narr, 4);
	t_done(n);
}
END_TEST

START_TEST(test_hub_fanout_half_duplex)
{
	struct net *n = t_net();
	struct net_nic *a = t_nic(n, 0), *b = t_nic(n, 1), *c = t_nic(n, 2);
	struct net_link_params p;
	struct net_link *l;
	int i, seen_b = 0, seen_c = 0, seen_a = 0;

	net_link_params_default(&p);
	l = net_link_hub(n, "seg", &p);
	ck_assert_int_eq(net_link_attach(l, a), 0);
	ck_assert_int_eq(net_link_attach(l, b), 0);
	ck_assert_int_eq(net_link_attach(l, c), 0);
	ck_assert_int_eq(net_link_attach(l, c), -1);
	t_send(a, 1000, 1);
	t_send(b, 1000, 2);	/* waits for the medium */
	t_run();
	ck_assert_int_eq(narr, 4);
	for (i = 0; i < narr; i++) {
		if (arr[i].a_nic == a->nn_index) {
			seen_a++;
			ck_assert_int_eq(arr[i].a_first, 2);
			ck_assert_uint_eq(arr[i].a_time, 26000);
		}
		if (arr[i].a_nic == b->nn_index) {
			seen_b++;
			ck_assert_int_eq(arr[i].a_first, 1);
			ck_assert_uint_eq(arr[i].a_time, 18000);
		}
		if (arr[i].a_nic == c->nn_index)
			seen_c++;
	}
	ck_assert_int_eq(seen_a, 1);
	ck_assert_int_eq(seen_b, 1);
	ck_assert_int_eq(seen_c, 2);
	t_done(n);
}
END_TEST

/* Send 1000 frames over a lossy link; return frames received. */
static int
lossy_run(uint64_t seed, uint64_t *mixp, struct net_link_stats *st)
{
	struct net *n;
	struct net_nic *a, *b;
	struct net_link_params p;
	struct net_link *l;
	int i;

	tseed = seed;
	n = t_net();
	a = t_nic(n, 0);
	b = t_nic(n, 1);
	net_link_params_default(&p);
	p.nlp_loss = 0.3;
	p.nlp_dup = 0.05;
	p.nlp_corrupt = 0.05;
	p.nlp_reorder = 0.1;
	p.nlp_reorder_delay = 50000;
	p.nlp_qlen = 0;
	l = net_link_p2p(n, "lossy", a, b, &p);
	for (i = 0; i < 1000; i++) {
		tnow = (uint64_t)i * 20000;
		t_send(a, 100, (uint8_t)i);
		/* run the events due by the next send */
		while (evq_peek(&tq) != NULL &&
		    evq_peek(&tq)->ev_time <= tnow + 20000) {
			struct evq_event *ev = evq_pop(&tq);

			tnow = ev->ev_time;
			ev->ev_fn(ev, ev->ev_arg);
		}
	}
	t_run();
	net_link_stats(l, st);
	*mixp = tmix;
	t_done(n);
	return narr;
}

START_TEST(test_impairments_seed_exact)
{
	struct net_link_stats s1, s2, s3;
	uint64_t m1, m2, m3;
	int r1, r2, r3, i, inversions = 0;

	r1 = lossy_run(7, &m1, &s1);
	for (i = 1; i < narr; i++)
		if ((uint8_t)(arr[i].a_first - arr[i - 1].a_first) > 128)
			inversions++;
	r2 = lossy_run(7, &m2, &s2);
	r3 = lossy_run(8, &m3, &s3);
	/* same seed: same everything */
	ck_assert_int_eq(r1, r2);
	ck_assert_uint_eq(m1, m2);
	ck_assert_uint_eq(s1.nls_lost, s2.nls_lost);
	/* the numbers are those of the binomial draws */
	ck_assert_uint_eq(s1.nls_sent, 1000);
	ck_assert_int_eq(r1, (int)(1000 - s1.nls_lost + s1.nls_duplicated));
	ck_assert_uint_ge(s1.nls_lost, 240);
	ck_assert_uint_le(s1.nls_lost, 360);
	ck_assert_uint_gt(s1.nls_duplicated, 0);
	ck_assert_uint_gt(s1.nls_corrupted, 0);
	ck_assert_uint_gt(s1.nls_reordered, 0);
	ck_assert_int_gt(inversions, 0);
	/* another seed: another run */
	ck_assert_uint_ne(m1, m3);
	(void)r3;
}
END_TEST

/*
 * The frame digest mixed into the trace hash: one flipped bit anywhere
 * (in the lanes, the words or the tail) or one more byte changes it; the
 * same bytes at another address give the same value.
 */
START_TEST(test_frame_digest)
{
	static uint8_t buf[8 + 603];
	uint8_t *f = buf + 8;
	uint64_t d, seen[603 * 8];
	size_t len = 603, i, j, n = 0;

	for (i = 0; i < len; i++)
		f[i] = (uint8_t)(i * 37 + 11);
	d = net_digest(f, len);
	memmove(buf + 3, f, len);
	ck_assert_uint_eq(net_digest(buf + 3, len), d);
	memmove(f, buf + 3, len);
	ck_assert_uint_ne(net_digest(f, len - 1), d);
	for (i = 0; i < len; i++)
		for (j = 0; j < 8; j++) {
			f[i] ^= (uint8_t)(1u << j);
			seen[n] = net_digest(f, len);
			ck_assert_uint_ne(seen[n], d);
			n++;
			f[i] ^= (uint8_t)(1u << j);
		}
	/* and no two single-bit changes collide */
	qsort(seen, n, sizeof(seen[0]), u64_cmp);
	for (i = 1; i < n; i++)
		ck_assert_uint_ne(seen[i - 1], seen[i]);
	ck_assert_uint_eq(net_digest(f, len), d);
}
END_TEST

START_TEST(test_pcapng_blocks)
{
	char path[] = "/tmp/knit-pcapng-XXXXXX";
	struct net *n = t_net();
	struct net_nic *a = t_nic(n, 0), *b = t_nic(n, 1);
	struct net_link_params p;
	uint32_t hdr[2], types[16];
	int fd, nblocks = 0;
	FILE *fp;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(net_pcap_open(n, path), 0);
	net_pcap_all(n);
	net_link_params_default(&p);
	net_link_p2p(n, "ab", a, b, &p);
	t_send(a, 61, 1);		/* odd length: padding */
	t_run();
	ck_assert_uint_eq(net_pcap_frames(n), 2);	/* out at a, in at b */
	net_pcap_close(n);
	fp = fopen(path, "rb");
	while (fread(hdr, 4, 2, fp) == 2 && nblocks < 16) {
		uint32_t trailer;

		ck_assert_uint_eq(hdr[1] % 4, 0);
		types[nblocks++] = hdr[0];
		fseek(fp, (long)hdr[1] - 12, SEEK_CUR);
		ck_assert_int_eq(fread(&trailer, 4, 1, fp), 1);
		ck_assert_uint_eq(trailer, hdr[1]);
	}
	fclose(fp);
	unlink(path);
	ck_assert_int_eq(nblocks, 5);
	ck_assert_uint_eq(types[0], 0x0a0d0d0a);
	ck_assert_uint_eq(types[1], 1);
	ck_assert_uint_eq(types[2], 1);
	ck_assert_uint_eq(types[3], 6);
	ck_assert_uint_eq(types[4], 6);
	t_done(n);
}
END_TEST

static Suite *
link_suite(void)
{
	Suite *s = suite_create("net_link");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_p2p_timing);
	tcase_add_test(tc, test_tail_drop_mtu_down);
	tcase_add_test(tc, test_hub_fanout_half_duplex);
	tcase_add_test(tc, test_impairments_seed_exact);
	tcase_add_test(tc, test_pcapng_blocks);
	tcase_add_test(tc, test_frame_digest);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(link_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
