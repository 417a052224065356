/*
 * The run recorder (sim/record/trace.h) on a real simulated network:
 * the kern/3508 topology (tests/net/test_ip.c) recorded into a
 * temporary run database.  Asserts that every hop of a ping is a
 * packets row, that route changes carry the host's invalidation policy,
 * that stale_route_use lists the forwarded packets the bug misroutes
 * (policy none) and nothing with list, that `knit report' draws the
 * run's CPU lanes and packets, and that recording leaves the trace
 * hash unchanged at every level.
 *
 * usage: test_trace_db KNIT SRCDIR
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tnet.h"
#include "net/route.h"
#include "record/db.h"
#include "record/trace.h"

#define MS	1000000ULL

static const char *knit_bin;
static const char *srcdir;

struct recorded {
	char		 path[64];
	int64_t		 run;
	uint64_t	 hash;
};

/*
 * s - r; r - n1 - d and r - n2 - d (see test_ip.c).  Pings before and
 * after r gets the more specific route 10.9.0.0/24 via n2.
 */
static void
pr3508_record(const char *policy, enum db_trace_level level,
    struct recorded *out)
{
	struct db_run_info ri = { .ri_scenario = "test_trace_db",
	    .ri_strategy = "default", .ri_trace = level };
	struct db_run_result res = { .rr_verdict = DB_VERDICT_PASS };
	struct tnet t;
	struct tn_pr3508 p;
	struct host *s, *r;
	struct db *db = NULL;
	struct db_run *run = NULL;
	struct trace *rec;
	struct db_err err;
	uint16_t seq = 0;
	int i;

	memset(out, 0, sizeof(*out));
	if (level != DB_TRACE_OFF) {
		snprintf(out->path, sizeof(out->path),
		    "/tmp/knit-test-trace-%d.db", (int)getpid());
		unlink(out->path);
		db = db_open(out->path, DB_OPEN_WRITE, &err);
		ck_assert_msg(db != NULL, "%s", err.de_msg);
		run = db_run_begin(db, &ri, &err);
		ck_assert_msg(run != NULL, "%s", err.de_msg);
		out->run = db_run_id(run);
	}
	tn_init(&t, 3508);
	rec = trace_begin(t.tn_w, run, level);
	ck_assert(level == DB_TRACE_OFF ? rec == NULL : rec != NULL);
	tn_pr3508(&t, policy, &p);
	s = p.p_s;
	r = p.p_r;
	for (i = 0; i < 6; i++) {
		if (i == 3)
			ck_assert_int_eq(tn_route(r, RTM_ADD, "10.9.0.0/24",
			    "10.0.3.2", 0), 0);
		ck_assert_int_eq(tn_ping(s, "10.9.0.1", seq++, 32, 0, false),
		    0);
		tn_run(&t, 5 * MS);
	}
	out->hash = world_trace_hash(t.tn_w);
	trace_end(rec);
	if (run != NULL) {
		res.rr_trace_hash = out->hash;
		ck_assert_msg(db_run_end(run, &res, &err) == 0, "%s",
		    err.de_msg);
		db_close(db);
	}
	tn_fini(&t);
}

static const char *
q_text(const char *path, const char *sql)
{
	static char buf[512];
	sqlite3 *db;
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	buf[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return buf;
}

/* A count; -1 if the query returned no row. */
static int64_t
q_int(const char *path, const char *sql)
{
	const char *v = q_text(path, sql);

	return v[0] != '\0' ? strtoll(v, NULL, 10) : -1;
}

static void
drop(struct recorded *rc)
{
	char p[80];

	unlink(rc->path);
	snprintf(p, sizeof(p), "%s-wal", rc->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", rc->path);
	unlink(p);
}

/* An Ethernet + IPv4 header (no options) for protocol proto. */
static size_t
ip4_frame(uint8_t *f, const uint8_t src[4], const uint8_t dst[4], int proto,
    const uint8_t *l4, size_t l4len)
{
	memset(f, 0, 34);
	f[12] = 0x08;
	f[13] = 0x00;
	f[14] = 0x45;
	f[16] = (uint8_t)((20 + l4len) >> 8);
	f[17] = (uint8_t)(20 + l4len);
	f[22] = 64;			/* ttl */
	f[23] = (uint8_t)proto;
	memcpy(f + 26, src, 4);
	memcpy(f + 30, dst, 4);
	memcpy(f + 34, l4, l4len);
	return 34 + l4len;
}

/*
 * trace_frame_decode (packets.src/dst/summary, nic:packets): IPv4
 * addresses as inet_ntop writes them (dotted decimal, no leading
 * zeros), for octets of one, two and three digits (0, 9, 10, 99, 100,
 * 255 ...), in IP and ARP frames; the summaries around them.
 */
static const char *
dotted(const uint8_t a[4], char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	return buf;
}

START_TEST(test_frame_decode_addresses)
{
	static const uint8_t oct[] = { 0, 1, 9, 10, 42, 99, 100, 109, 110,
	    199, 200, 250, 255 };
	const size_t n = sizeof(oct);
	struct trace_frame_info fi;
	uint8_t f[128], src[4], dst[4], icmp[8] = { 8, 0, 0, 0, 0x12, 0x34,
	    0, 7 }, udp[8] = { 0x30, 0x39, 0, 53, 0, 12, 0, 0 };
	char want[16], sum[160];
	size_t i, len;

	for (i = 0; i < n * n; i++) {
		src[0] = oct[i % n];
		src[1] = oct[(i / n) % n];
		src[2] = oct[(i * 7) % n];
		src[3] = oct[(i * 3 + 1) % n];
		dst[0] = oct[(i + 5) % n];
		dst[1] = 0;
		dst[2] = oct[(i / 3) % n];
		dst[3] = 255;
		len = ip4_frame(f, src, dst, i % 2 ? 17 : 1, i % 2 ? udp :
		    icmp, 8);
		trace_frame_decode(f, len, &fi);
		ck_assert_str_eq(fi.fi_src, dotted(src, want, sizeof(want)));
		ck_assert_str_eq(fi.fi_dst, dotted(dst, want, sizeof(want)));
		if (i % 2)
			snprintf(sum, sizeof(sum), "%s > %s UDP 12345 > 53 "
			    "len=4", fi.fi_src, fi.fi_dst);
		else
			snprintf(sum, sizeof(sum), "%s > %s ICMP echo request "
			    "id=0x1234 seq=7 ttl=64", fi.fi_src, fi.fi_dst);
		ck_assert_str_eq(fi.fi_sum, sum);
	}
	/* ARP who-has 10.0.200.1 tell 192.168.0.9 */
	memset(f, 0, sizeof(f));
	f[12] = 0x08;
	f[13] = 0x06;
	f[14 + 7] = 1;
	memcpy(f + 14 + 14, (uint8_t[]){ 192, 168, 0, 9 }, 4);
	memcpy(f + 14 + 24, (uint8_t[]){ 10, 0, 200, 1 }, 4);
	trace_frame_decode(f, 14 + 28, &fi);
	ck_assert_str_eq(fi.fi_proto, "arp");
	ck_assert_str_eq(fi.fi_sum, "ARP who-has 10.0.200.1 tell 192.168.0.9");
}
END_TEST

START_TEST(test_packets_every_hop)
{
	struct recorded rc;

	pr3508_record("list", DB_TRACE_PACKETS, &rc);
	/* The first echo request: tx s, rx r, tx r, rx n1, tx n1, rx d. */
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM packet_paths p "
	    "WHERE p.pkt_key = (SELECT pkt_key FROM packets WHERE host = 's' "
	    "AND dir = 'tx' AND proto = 'icmp' ORDER BY seq LIMIT 1)"), 6);
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM (SELECT "
	    "group_concat(host || ':' || dir, ' ') AS path FROM (SELECT * FROM "
	    "packet_paths WHERE pkt_key = (SELECT pkt_key FROM packets WHERE "
	    "host = 's' AND dir = 'tx' AND proto = 'icmp' ORDER BY seq LIMIT "
	    "1) ORDER BY hop)) WHERE path = 's:tx r:rx r:tx n1:rx n1:tx d:rx'"),
	    1);
	/* Forwarded requests carry the route r used. */
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM packets WHERE "
	    "host = 'r' AND dir = 'tx' AND proto = 'icmp' AND route_dst = "
	    "'10.9.0.0/16' AND route_gw = '10.0.2.2'"), 3);
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM packets WHERE "
	    "host = 'r' AND dir = 'tx' AND proto = 'icmp' AND route_dst = "
	    "'10.9.0.0/24' AND route_gw = '10.0.3.2'"), 3);
	ck_assert_int_gt(q_int(rc.path, "SELECT count(*) FROM packets WHERE "
	    "proto = 'arp' AND summary LIKE 'ARP who-has%'"), 0);
	/* The route change, with r's policy, and the connected routes. */
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM route_changes "
	    "WHERE host = 'r' AND op = 'add' AND dst = '10.9.0.0/24' AND "
	    "gateway = '10.0.3.2' AND policy = 'list' AND flags LIKE 'UG%'"),
	    1);
	ck_assert_int_gt(q_int(rc.path, "SELECT count(*) FROM route_changes "
	    "WHERE host = 'r' AND dst = '10.0.2.0/24' AND gateway IS NULL"), 0);
	/* list: the fresh lookup and the route used always agree. */
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM stale_route_use "
	    "WHERE host = 'r'"), 0);
	/* packets level: no CPU events. */
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM events"), 0);
	drop(&rc);
}
END_TEST

START_TEST(test_stale_route_use_none)
{
	struct recorded rc;

	pr3508_record("none", DB_TRACE_PACKETS, &rc);
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM route_changes "
	    "WHERE host = 'r' AND op = 'add' AND dst = '10.9.0.0/24' AND "
	    "policy = 'none'"), 1);
	/* The three requests after the add still go via n1. */
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM stale_route_use "
	    "WHERE host = 'r' AND used_route = '10.9.0.0/16' AND "
	    "used_gateway = '10.0.2.2' AND fresh_route = '10.9.0.0/24' AND "
	    "fresh_gateway = '10.0.3.2'"), 3);
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM stale_route_use "
	    "s JOIN route_changes c ON c.run = s.run AND c.host = 'r' AND "
	    "c.dst = '10.9.0.0/24' WHERE s.seq < c.seq"), 0);
	drop(&rc);
}
END_TEST

START_TEST(test_full_report_and_hash)
{
	struct recorded off, pk, full;
	char cmd[512], html[80], line[4096];
	FILE *fp;
	int lanes = 0, packets = 0;
	int64_t pkts;

	pr3508_record("none", DB_TRACE_OFF, &off);
	pr3508_record("none", DB_TRACE_PACKETS, &pk);
	drop(&pk);
	pr3508_record("none", DB_TRACE_FULL, &full);
	/* Recording observes only. */
	ck_assert_uint_eq(off.hash, pk.hash);
	ck_assert_uint_eq(off.hash, full.hash);
	ck_assert_int_gt(q_int(full.path, "SELECT count(*) FROM events WHERE "
	    "kind = 'switch' AND host = 'r' AND cpu = 0"), 0);
	ck_assert_int_gt(q_int(full.path, "SELECT count(*) FROM events WHERE "
	    "kind = 'lock_acquire'"), 0);
	ck_assert_int_eq(q_int(full.path, "SELECT count(*) FROM events WHERE "
	    "kind = 'lock_acquire'"), q_int(full.path, "SELECT count(*) FROM "
	    "events WHERE kind = 'lock_release'"));
	snprintf(html, sizeof(html), "%s.html", full.path);
	snprintf(cmd, sizeof(cmd), "%s report %s --run %" PRId64 " -o %s",
	    knit_bin, full.path, full.run, html);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_ptr_nonnull(fp = fopen(html, "r"));
	while (fgets(line, sizeof(line), fp) != NULL) {
		const char *p = line;

		while ((p = strstr(p, "<g class=\"lane\"")) != NULL) {
			lanes++;
			p++;
		}
		for (p = line; (p = strstr(p, "class=\"packet\"")) != NULL;
		    p++)
			packets++;
	}
	fclose(fp);
	unlink(html);
	/* One lane per CPU: r's second CPU runs nothing, its lane is idle. */
	ck_assert_int_eq(lanes, 6);
	ck_assert_int_eq(q_int(full.path, "SELECT count(DISTINCT host || ':' "
	    "|| cpu) FROM events"), 6);
	ck_assert_int_eq(q_int(full.path, "SELECT count(*) FROM events WHERE "
	    "host = 'r' AND cpu = 1 AND kind <> 'idle'"), 0);
	ck_assert_int_eq(q_int(full.path, "SELECT count(*) FROM events WHERE "
	    "host = 'r' AND cpu = 1"), 1);
	/* Each packet crossing a link: a tx row with its rx. */
	pkts = q_int(full.path, "SELECT count(*) FROM packets WHERE dir = "
	    "'rx'");
	ck_assert_int_gt(pkts, 0);
	ck_assert_int_gt(packets, 0);
	drop(&full);
}
END_TEST

/* The first line knit printed: "PASS|FAIL <scenario> seed N trace hash: H" */
static uint64_t
knit_hash(const char *args)
{
	char cmd[1024], line[512];
	const char *h;
	FILE *fp;
	uint64_t v = 0;

	snprintf(cmd, sizeof(cmd), "%s run %s/scenarios/kern3508.lua --quiet "
	    "%s", knit_bin, srcdir, args);
	ck_assert_ptr_nonnull(fp = popen(cmd, "r"));
	if (fgets(line, sizeof(line), fp) != NULL &&
	    (h = strstr(line, "trace hash: ")) != NULL)
		v = strtoull(h + 12, NULL, 16);
	pclose(fp);
	ck_assert_uint_ne(v, 0);
	return v;
}

/* The shipped scenario through the CLI, at the default trace level. */
START_TEST(test_kern3508_cli)
{
	struct recorded rc;
	char args[256];
	uint64_t none, list;

	snprintf(rc.path, sizeof(rc.path), "/tmp/knit-test-trace-cli-%d.db",
	    (int)getpid());
	drop(&rc);
	snprintf(args, sizeof(args), "-D invalidation=none --db %s", rc.path);
	none = knit_hash(args);
	snprintf(args, sizeof(args), "-D invalidation=list --db %s", rc.path);
	list = knit_hash(args);
	ck_assert_uint_eq(none, knit_hash("-D invalidation=none --no-db"));
	ck_assert_uint_eq(list, knit_hash("-D invalidation=list --no-db"));
	snprintf(args, sizeof(args), "-D invalidation=none --db %s --trace "
	    "full", rc.path);
	ck_assert_uint_eq(none, knit_hash(args));
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM runs WHERE "
	    "trace_level = 'packets'"), 2);
	ck_assert_int_gt(q_int(rc.path, "SELECT count(*) FROM stale_route_use "
	    "WHERE run = 1"), 0);
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM stale_route_use "
	    "WHERE run = 2"), 0);
	ck_assert_int_gt(q_int(rc.path, "SELECT count(*) FROM route_changes "
	    "WHERE run = 2 AND policy = 'list' AND gateway IS NOT NULL"), 0);
	/*
	 * The first echo r forwards after the host route via g2 appears
	 * waits for ARP (who-has 10.0.3.2 from r, then the reply) and
	 * leaves later, from the LWP that took the reply: it carries the
	 * route it was forwarded along and is judged fresh.  Every IPv4
	 * frame sent along a route carries its route.
	 */
	ck_assert_str_eq(q_text(rc.path, "WITH a AS (SELECT seq FROM "
	    "route_changes WHERE run = 2 AND host = 'r-list' AND op = 'add' "
	    "AND dst = '10.0.9.1'), p AS (SELECT min(seq) AS seq FROM packets "
	    "WHERE run = 2 AND host = 'r-list' AND dir = 'tx' AND proto = "
	    "'icmp' AND seq > (SELECT seq FROM a)) SELECT (SELECT count(*) "
	    "FROM packets WHERE run = 2 AND host = 'r-list' AND summary "
	    "LIKE 'ARP 10.0.3.2 is-at %' AND dir = 'rx' AND "
	    "seq BETWEEN (SELECT seq FROM a) AND (SELECT seq FROM p)) || ' ' "
	    "|| route_dst || ' ' || route_gw FROM packets WHERE run = 2 AND "
	    "seq = (SELECT seq FROM p)"), "1 10.0.9.1 10.0.3.2");
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM packets WHERE "
	    "dir = 'tx' AND proto IN ('icmp', 'udp') AND route_dst IS NULL"),
	    0);
	ck_assert_int_gt(q_int(rc.path, "SELECT count(*) FROM events WHERE "
	    "run = 3 AND kind = 'switch'"), 0);
	/*
	 * Full: idle periods and each interrupt/softint handler, begin and
	 * end paired on its CPU (the next of the two kinds after a begin is
	 * its end), with the slot and IPL; interrupt LWPs are not switches.
	 */
	ck_assert_int_gt(q_int(rc.path, "SELECT count(*) FROM events WHERE "
	    "run = 3 AND kind = 'idle' AND lwp IS NULL"), 0);
	ck_assert_int_gt(q_int(rc.path, "SELECT count(*) FROM events WHERE "
	    "run = 3 AND kind = 'intr_begin' AND object = 'hardintr' AND "
	    "detail LIKE 'ipl %'"), 0);
	ck_assert_int_gt(q_int(rc.path, "SELECT count(*) FROM events WHERE "
	    "run = 3 AND kind = 'softint_begin' AND object = 'softnet'"), 0);
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM events b WHERE "
	    "run = 3 AND kind IN ('intr_begin', 'softint_begin') AND "
	    "(SELECT kind FROM events e WHERE e.run = 3 AND e.host = b.host "
	    "AND e.cpu = b.cpu AND e.seq > b.seq AND e.kind IN (b.kind, "
	    "replace(b.kind, 'begin', 'end')) ORDER BY e.seq LIMIT 1) IS NOT "
	    "replace(b.kind, 'begin', 'end')"), 0);
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM events WHERE "
	    "run = 3 AND kind = 'intr_begin'"), q_int(rc.path, "SELECT "
	    "count(*) FROM events WHERE run = 3 AND kind = 'intr_end'"));
	ck_assert_int_eq(q_int(rc.path, "SELECT count(*) FROM events WHERE "
	    "run = 3 AND kind = 'switch' AND (object LIKE 'soft%/%' OR object "
	    "LIKE 'hardintr/%')"), 0);
	drop(&rc);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("trace_db");
	TCase *tc = tcase_create("trace_db");
	SRunner *sr;
	int nf;

	if (argc < 3) {
		fprintf(stderr, "usage: test_trace_db KNIT SRCDIR\n");
		return 2;
	}
	knit_bin = argv[1];
	srcdir = argv[2];
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_frame_decode_addresses);
	tcase_add_test(tc, test_packets_every_hop);
	tcase_add_test(tc, test_stale_route_use_none);
	tcase_add_test(tc, test_full_report_and_hash);
	tcase_add_test(tc, test_kern3508_cli);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
