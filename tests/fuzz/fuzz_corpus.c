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

/*
 * Seeds that reach reassembly: a 40-byte UDP datagram from peer to h in
 * two fragments, over IPv4 and over IPv6.  Mutations of them keep a
 * valid IPv4 header checksum half of the time, so that changes to the
 * offset, MF, id and length reach ip_reass_packet.
 */
#define NFRAG	4
static uint8_t frag[NFRAG][128];
static size_t fraglen[NFRAG];

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
sum4(uint8_t *ip)
{
	uint32_t sum = 0;
	int i;

	ip[10] = ip[11] = 0;
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, ~sum & 0xffff);
}

static void
frag_seeds(void)
{
	static const uint8_t a6[2][16] = {
		{ 0x20, 1, 0xd, 0xb8, [15] = 2 },	/* peer */
		{ 0x20, 1, 0xd, 0xb8, [15] = 1 },	/* h */
	};
	uint8_t dg[40];
	int i, k, off, len;

	memset(dg, 0, sizeof(dg));
	put16(dg, 4000);
	put16(dg + 2, 5000);
	put16(dg + 4, sizeof(dg));
	for (i = 8; i < (int)sizeof(dg); i++)
		dg[i] = (uint8_t)i;
	for (k = 0; k < NFRAG; k++) {
		uint8_t *p = frag[k], *ip = p + 14;

		off = (k & 1) ? 16 : 0;
		len = (k & 1) ? 24 : 16;
		memset(p, 0, sizeof(frag[k]));
		p[6] = 2;
		p[11] = 0x99;
		if (k < 2) {
			put16(p + 12, 0x0800);
			ip[0] = 0x45;
			put16(ip + 2, 20 + (unsigned)len);
			put16(ip + 4, 0x4b4e);
			put16(ip + 6, (unsigned)(off >> 3) | (k ? 0 : 0x2000));
			ip[8] = 64;
			ip[9] = 17;
			ip[12] = 10;
			ip[15] = 2;
			ip[16] = 10;
			ip[19] = 1;
			sum4(ip);
			memcpy(ip + 20, dg + off, (size_t)len);
			fraglen[k] = 14 + 20 + (size_t)len;
		} else {
			put16(p + 12, 0x86dd);
			ip[0] = 0x60;
			put16(ip + 4, 8 + (unsigned)len);
			ip[6] = 44;
			ip[7] = 64;
			memcpy(ip + 8, a6[0], 16);
			memcpy(ip + 24, a6[1], 16);
			ip[40] = 17;
			put16(ip + 42, (unsigned)off | (k & 1 ? 0 : 1));
			put16(ip + 46, 0x4b4e);
			memcpy(ip + 48, dg + off, (size_t)len);
			fraglen[k] = 14 + 48 + (size_t)len;
		}
	}
}

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
	/* the fragment seeds, whole: both datagrams are reassembled */
	frag_seeds();
	for (k = 0; k < NFRAG; k++)
		fuzz_ether_one(frag[k], fraglen[k]);
	ck_assert_uint_eq(fuzz_ether_reassembled(), 2);
	for (i = 0; i < 3000; i++) {
		if (rng_below(&r, 2) == 0) {
			k = (int)rng_below(&r, NFRAG + 1);
			len = k == NFRAG ? sizeof(echo4) : fraglen[k];
			memcpy(buf, k == NFRAG ? echo4 : frag[k], len);
			for (k = (int)rng_below(&r, 6); k > 0; k--)
				buf[6 + rng_below(&r, len - 6)] ^=
				    (uint8_t)(1 + rng_below(&r, 255));
			if (buf[12] == 0x08 && buf[13] == 0 &&
			    rng_below(&r, 2) == 0)
				sum4(buf + 14);
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
