/*
 * The pcapng file of a run: one interface description block per NIC
 * (four NICs here, on two links), each with if_tsresol 9, and frames
 * whose timestamps tshark shows with 9 decimals (nanoseconds).  (The
 * checksums of a captured exchange are datapath's test_udp.c.)
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tnet.h"
#include "sys/socket.h"

#define MS	1000000ULL

static char tp_path[64];
static uint64_t tp_frames;

static void
tp_capture(void)
{
	struct tnet t;
	struct host *a, *b;
	int fd;

	snprintf(tp_path, sizeof(tp_path), "/tmp/knit-pcap-XXXXXX");
	fd = mkstemp(tp_path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	tn_init(&t, 5);
	ck_assert_int_eq(net_pcap_open(t.tn_n, tp_path), 0);
	net_pcap_all(t.tn_n);
	a = tn_host(&t, "a", 1);
	b = tn_host(&t, "b", 1);
	tn_p2p(&t, "ab", a, b, NULL);
	tn_p2p(&t, "bc", b, tn_host(&t, "c", 1), NULL);
	tn_run(&t, MS);
	ck_assert_int_eq(tn_addr(a, "vnic0", "10.0.0.1/24"), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", "10.0.0.2/24"), 0);
	ck_assert_int_eq(tn_addr(a, "vnic0", "2001:db8::1/64"), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", "2001:db8::2/64"), 0);
	tn_run(&t, MS);
	ck_assert_int_eq(tn_ping(a, "10.0.0.2", 1, 56, 0, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_int_eq(tn_ping(a, "2001:db8::2", 1, 56, 0, false), 0);
	tn_run(&t, 10 * MS);
	ck_assert_uint_eq(tn_echo_replies(a, AF_INET), 1);
	ck_assert_uint_eq(tn_echo_replies(a, AF_INET6), 1);
	ck_assert_uint_gt(net_pcap_frames(t.tn_n), 10);
	tp_frames = net_pcap_frames(t.tn_n);
	net_pcap_close(t.tn_n);
	tn_fini(&t);
}

static FILE *
tp_tshark(const char *args)
{
	char cmd[512];
	FILE *fp;

	ck_assert_msg(system("command -v tshark >/dev/null 2>&1") == 0,
	    "tshark is not installed (tools/setup installs it)");
	snprintf(cmd, sizeof(cmd), "tshark -r %s %s 2>/dev/null", tp_path,
	    args);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	return fp;
}

static uint32_t
tp_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

START_TEST(test_pcapng_blocks)
{
	uint8_t *buf;
	char line[256], *dot;
	long sz;
	size_t off, o;
	unsigned idbs = 0, nsres = 0, lines = 0;
	uint32_t type, len;
	FILE *fp;

	tp_capture();
	fp = fopen(tp_path, "rb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	sz = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)sz);
	ck_assert_uint_eq(fread(buf, 1, (size_t)sz, fp), (size_t)sz);
	fclose(fp);
	ck_assert_uint_eq(tp_le32(buf), 0x0a0d0d0a);	/* section header */
	for (off = 0; off + 12 <= (size_t)sz; off += len) {
		type = tp_le32(buf + off);
		len = tp_le32(buf + off + 4);
		ck_assert_uint_ge(len, 12);
		ck_assert_uint_le(off + len, (size_t)sz);
		if (type != 1)
			continue;
		idbs++;
		/* options after linktype(2) reserved(2) snaplen(4) */
		for (o = off + 16; o + 4 <= off + len - 4;) {
			uint16_t code = (uint16_t)(buf[o] | buf[o + 1] << 8);
			uint16_t olen = (uint16_t)(buf[o + 2] | buf[o + 3] << 8);

			if (code == 0)
				break;
			if (code == 9 && olen == 1 && buf[o + 4] == 9)
				nsres++;
			o += 4 + ((olen + 3u) & ~3u);
		}
	}
	free(buf);
	ck_assert_uint_eq(idbs, 4);	/* one per NIC: a, b (2), c */
	ck_assert_uint_eq(nsres, 4);
	fp = tp_tshark("-T fields -e frame.time_epoch");
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		dot = strchr(line, '.');
		ck_assert_msg(dot != NULL && strlen(dot + 1) == 9,
		    "timestamp %s", line);
		lines++;
	}
	ck_assert_int_eq(pclose(fp), 0);
	ck_assert_uint_eq(lines, tp_frames);
	unlink(tp_path);
}
END_TEST

static Suite *
tshark_suite(void)
{
	Suite *s = suite_create("pcap_tshark");
	TCase *tc = tcase_create("pcap_tshark");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pcapng_blocks);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tshark_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
