/*
 * The run database: every table round-trips, the views answer the
 * common questions on constructed data, old files migrate, errors lose
 * no earlier run, and interrupted runs end up `aborted'.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/db.h"
#include "record/schedule.h"
#include "sim.h"

static char tmpdir[64];
static char dbfile[128];

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/knit-test-db-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbfile, sizeof(dbfile), "%s/knit.db", tmpdir);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

static struct db *
open_ok(const char *path, int flags)
{
	struct db_err err;
	struct db *db = db_open(path, flags, &err);

	if (db == NULL)
		ck_abort_msg("db_open(%s): %s", path, err.de_msg);
	return db;
}

static struct db_run *
begin_ok(struct db *db, uint64_t seed)
{
	struct db_run_info ri = {
		.ri_scenario = "scenarios/kern3508.lua",
		.ri_scenario_hash = "00000000deadbeef",
		.ri_seed = seed,
		.ri_strategy = "random",
		.ri_params = "window=1000",
		.ri_trace = DB_TRACE_FULL,
	};
	struct db_err err;
	struct db_run *r = db_run_begin(db, &ri, &err);

	if (r == NULL)
		ck_abort_msg("db_run_begin: %s", err.de_msg);
	return r;
}

static void
end_ok(struct db_run *r, enum db_verdict v, uint64_t hash)
{
	struct db_run_result res = {
		.rr_verdict = v, .rr_virtual_ns = 5000, .rr_events = 42,
		.rr_trace_hash = hash,
	};
	struct db_err err;

	if (db_run_end(r, &res, &err) != 0)
		ck_abort_msg("db_run_end: %s", err.de_msg);
}

/* First column of the first row of a query, as text ("" for NULL). */
static char *
q1(struct db *db, const char *sql)
{
	static char buf[512];
	sqlite3_stmt *st;
	const unsigned char *s;

	if (sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL) !=
	    SQLITE_OK)
		ck_abort_msg("%s: %s", sql, sqlite3_errmsg(db_sqlite(db)));
	buf[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW) {
		s = sqlite3_column_text(st, 0);
		snprintf(buf, sizeof(buf), "%s", s != NULL ? (const char *)s :
		    "");
	} else
		strcpy(buf, "<none>");
	sqlite3_finalize(st);
	return buf;
}

static long long
qi(struct db *db, const char *sql)
{
	return atoll(q1(db, sql));
}

/* One finished run, committed. */
static void
write_one_run(const char *path, uint64_t seed, enum db_verdict v)
{
	struct db *db = open_ok(path, DB_OPEN_WRITE);

	end_ok(begin_ok(db, seed), v, 0x1234);
	db_close(db);
}

START_TEST(test_roundtrip_every_table)
{
	struct db *db = open_ok(dbfile, DB_OPEN_WRITE);
	struct db_run *r = begin_ok(db, 7);
	struct db_run_record rec;
	struct db_err err;
	struct schedule sd, back;
	unsigned char frame[20] = { 0x45, 0, 0, 20, 0, 1, 0, 0, 64, 17, 0, 0,
	    10, 0, 0, 1, 10, 0, 2, 1 };
	struct db_packet pk = {
		.pk_vtime = 100, .pk_host = "h1", .pk_nic = "eth0",
		.pk_dir = DB_PKT_TX, .pk_proto = "udp", .pk_src = "10.0.0.1",
		.pk_dst = "10.0.2.1", .pk_len = 20, .pk_summary = "UDP 1 > 2",
		.pk_bytes = frame, .pk_nbytes = sizeof(frame),
	};
	struct db_route_change rc = {
		.rc_vtime = 50, .rc_host = "r1", .rc_op = "add",
		.rc_dst = "10.0.2.0/24", .rc_gateway = "10.0.1.2",
		.rc_flags = "UGS", .rc_policy = "generation",
	};
	int64_t id = db_run_id(r);

	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(db_event(r, 10, "h1", 0, 3, "switch", "softnet",
	    "x"), 0);
	ck_assert_int_eq(db_route_change(r, &rc), 0);
	ck_assert_int_eq(db_packet(r, &pk), 0);
	ck_assert_int_eq(db_violation(r, "data_race", 200, "r1", 1, 4,
	    "race on rt_refcnt", "rtalloc+0x1a\nip_forward+0x44",
	    "rtfree+0x10\nroute_output+0x2"), 0);
	ck_assert_int_eq(db_lock_edge(r, "rt_lock", "ifnet_lock", 300, "r1",
	    0, 2, "rt_lookup"), 0);
	ck_assert_int_eq(db_lock_edge(r, "rt_lock", "ifnet_lock", 400, "r1",
	    1, 5, "other"), 0);
	schedule_init(&sd);
	schedule_record(&sd, 0, 2);
	schedule_record(&sd, 1, 3);
	schedule_record(&sd, 69999, 70000);
	ck_assert_int_eq(db_schedule_save(r, &sd), 0);
	end_ok(r, DB_VERDICT_FAIL, 0xfeedfacecafebeefULL);
	db_close(db);

	db = open_ok(dbfile, DB_OPEN_READONLY);
	ck_assert_int_eq(db_last_run(db), id);
	ck_assert_int_eq(db_run_load(db, id, &rec, &err), 0);
	ck_assert_str_eq(rec.rec_scenario, "scenarios/kern3508.lua");
	ck_assert_str_eq(rec.rec_scenario_hash, "00000000deadbeef");
	ck_assert_uint_eq(rec.rec_seed, 7);
	ck_assert_str_eq(rec.rec_strategy, "random");
	ck_assert_str_eq(rec.rec_params, "window=1000");
	ck_assert_str_eq(rec.rec_knit_version, db_knit_version());
	ck_assert_int_eq(rec.rec_verdict, DB_VERDICT_FAIL);
	ck_assert_uint_eq(rec.rec_trace_hash, 0xfeedfacecafebeefULL);
	ck_assert_uint_eq(rec.rec_virtual_ns, 5000);
	ck_assert_uint_eq(rec.rec_events, 42);
	ck_assert_int_eq(rec.rec_trace, DB_TRACE_FULL);
	ck_assert_uint_eq(rec.rec_npoints, 3);
	schedule_init(&back);
	ck_assert_int_eq(db_run_record_schedule(&rec, &back, &err), 0);
	ck_assert(schedule_equal(&sd, &back));
	schedule_fini(&back);
	schedule_fini(&sd);
	db_run_record_free(&rec);
	ck_assert_int_eq(db_run_load(db, id + 1, &rec, &err), -1);
	ck_assert_int_eq(err.de_code, DB_ERR_NOTFOUND);

	ck_assert_str_eq(q1(db, "SELECT trace_hash FROM runs"),
	    "feedfacecafebeef");
	ck_assert_str_eq(q1(db, "SELECT seq||' '||vtime||' '||host||' '||cpu"
	    "||' '||lwp||' '||kind||' '||object||' '||detail FROM events"),
	    "0 10 h1 0 3 switch softnet x");
	ck_assert_str_eq(q1(db, "SELECT seq||' '||host||' '||op||' '||dst||' '"
	    "||gateway||' '||flags||' '||policy||' '||plen||' '||hex(dst_lo)"
	    "||' '||hex(dst_hi) FROM route_changes"),
	    "1 r1 add 10.0.2.0/24 10.0.1.2 UGS generation 24 0A000200 0A0002FF");
	ck_assert_str_eq(q1(db, "SELECT seq||' '||host||' '||nic||' '||dir||' '"
	    "||proto||' '||src||' '||dst||' '||len||' '||summary||' '||"
	    "length(bytes)||' '||flow||' '||hex(dst_bin) FROM packets"),
	    "2 h1 eth0 tx udp 10.0.0.1 10.0.2.1 20 UDP 1 > 2 20 "
	    "udp 10.0.0.1 > 10.0.2.1 0A000201");
	ck_assert_int_ne(qi(db, "SELECT pkt_key FROM packets"), 0);
	ck_assert_str_eq(q1(db, "SELECT kind||' '||vtime||' '||host||' '||cpu"
	    "||' '||lwp||' '||message FROM violations"),
	    "data_race 200 r1 1 4 race on rt_refcnt");
	ck_assert_str_eq(q1(db, "SELECT stack2 FROM violations"),
	    "rtfree+0x10\nroute_output+0x2");
	ck_assert_str_eq(q1(db, "SELECT from_lock||' '||to_lock||' '||count||"
	    "' '||vtime||' '||cpu||' '||stack FROM lock_edges"),
	    "rt_lock ifnet_lock 2 300 0 rt_lookup");
	db_close(db);
}
END_TEST

START_TEST(test_signature_ignores_addresses)
{
	struct db *db = open_ok(dbfile, DB_OPEN_WRITE);
	struct db_run *r = begin_ok(db, 1);

	db_violation(r, "data_race", 1, "r1", 0, 1, "race at 0x7f001",
	    "#0 rtalloc+0x1a [0x4005d0]\n#1 ip_forward+0x44", "rtfree+0x2");
	db_violation(r, "data_race", 2, "r1", 1, 2, "race at 0x7f999",
	    "#0 rtalloc+0x2b [0x5005d0]\n#1 ip_forward+0x10", "rtfree+0x9");
	db_violation(r, "data_race", 3, "r1", 1, 2, "race",
	    "#0 rtalloc+0x1a\n#1 ip_output+0x44", "rtfree+0x2");
	db_violation(r, "deadlock", 4, "r1", 1, 2, "cycle of 2 locks", NULL,
	    NULL);
	db_violation(r, "deadlock", 5, "r2", 0, 7, "cycle of 3 locks", NULL,
	    NULL);
	end_ok(r, DB_VERDICT_FAIL, 1);
	r = begin_ok(db, 2);
	db_violation(r, "data_race", 9, "r1", 0, 1, "race at 0x1",
	    "#0 rtalloc+0x77 [0x1]\n#1 ip_forward+0x1", "rtfree+0x1");
	end_ok(r, DB_VERDICT_FAIL, 2);

	ck_assert_int_eq(qi(db, "SELECT count(*) FROM violations_by_signature"),
	    3);
	ck_assert_str_eq(q1(db, "SELECT occurrences||' '||runs||' '||first_run"
	    "||' '||kind||' '||example FROM violations_by_signature "
	    "ORDER BY occurrences DESC"), "3 2 1 data_race race at 0x7f001");
	ck_assert_str_eq(q1(db, "SELECT occurrences||' '||example FROM "
	    "violations_by_signature WHERE kind = 'deadlock'"),
	    "2 cycle of 2 locks");
	db_close(db);
}
END_TEST

/*
 * Constructed kern/3508 story on router r1: the table sends 10.0.2.0/24
 * via 10.0.1.2; at t=200 it changes to 10.0.1.3.  Packets forwarded
 * after the change that still use 10.0.1.2 (a stale cache) are listed;
 * packets using the new gateway, packets sent before the change, a
 * packet matched by a more specific host route, and packets on another
 * host are not.  A packet forwarded after the route was deleted is.
 */
START_TEST(test_stale_route_use_view)
{
	struct db *db = open_ok(dbfile, DB_OPEN_WRITE);
	struct db_run *r = begin_ok(db, 3);
	struct db_route_change rc = { .rc_host = "r1", .rc_flags = "UG" };
	struct db_packet pk = { .pk_host = "r1", .pk_dir = DB_PKT_FWD,
	    .pk_proto = "udp", .pk_src = "10.0.0.1", .pk_len = 60 };

#define ROUTE(t, op, dst, gw) do { rc.rc_vtime = (t); rc.rc_op = (op);	\
	rc.rc_dst = (dst); rc.rc_gateway = (gw);			\
	ck_assert_int_eq(db_route_change(r, &rc), 0); } while (0)
#define FWD(t, host, dst, rdst, gw, key) do { pk.pk_vtime = (t);	\
	pk.pk_host = (host); pk.pk_dst = (dst); pk.pk_route_dst = (rdst); \
	pk.pk_route_gw = (gw); pk.pk_key = (key);			\
	ck_assert_int_eq(db_packet(r, &pk), 0); } while (0)

	ROUTE(0, "add", "default", "10.0.9.9");
	ROUTE(0, "add", "10.0.2.0/24", "10.0.1.2");
	rc.rc_host = "r2";
	ROUTE(0, "add", "10.0.2.0/24", "10.0.7.7");
	rc.rc_host = "r1";
	FWD(100, "r1", "10.0.2.5", "10.0.2.0/24", "10.0.1.2", 1); /* fine */
	ROUTE(200, "change", "10.0.2.0/24", "10.0.1.3");
	FWD(200, "r1", "10.0.2.5", "10.0.2.0/24", "10.0.1.2", 2); /* STALE */
	FWD(210, "r1", "10.0.2.6", "10.0.2.0/24", "10.0.1.3", 3); /* fine */
	FWD(220, "r2", "10.0.2.6", "10.0.2.0/24", "10.0.7.7", 4); /* fine */
	ROUTE(230, "add", "10.0.2.9", "10.0.1.9");
	FWD(240, "r1", "10.0.2.9", "10.0.2.9", "10.0.1.9", 5);	 /* fine */
	FWD(250, "r1", "10.0.2.9", "10.0.2.0/24", "10.0.1.3", 6); /* STALE */
	FWD(260, "r1", "192.168.1.1", "default", "10.0.9.9", 7); /* fine */
	ROUTE(300, "delete", "10.0.2.0/24", NULL);
	FWD(310, "r1", "10.0.2.5", "10.0.2.0/24", "10.0.1.3", 8); /* STALE:
	    the default route would be chosen now */
	ROUTE(400, "delete", "default", NULL);
	FWD(410, "r1", "10.0.3.1", "default", "10.0.9.9", 9); /* STALE: none */
	end_ok(r, DB_VERDICT_FAIL, 3);

	ck_assert_str_eq(q1(db, "SELECT group_concat(pkt_key, ',') FROM "
	    "(SELECT pkt_key FROM stale_route_use ORDER BY seq)"), "2,6,8,9");
	ck_assert_str_eq(q1(db, "SELECT used_gateway||' '||fresh_gateway||' '||"
	    "fresh_route FROM stale_route_use WHERE pkt_key = 2"),
	    "10.0.1.2 10.0.1.3 10.0.2.0/24");
	ck_assert_str_eq(q1(db, "SELECT fresh_route||' '||fresh_gateway FROM "
	    "stale_route_use WHERE pkt_key = 6"), "10.0.2.9 10.0.1.9");
	ck_assert_str_eq(q1(db, "SELECT fresh_route||' '||fresh_gateway FROM "
	    "stale_route_use WHERE pkt_key = 8"), "default 10.0.9.9");
	ck_assert_str_eq(q1(db, "SELECT coalesce(fresh_route, 'none') FROM "
	    "stale_route_use WHERE pkt_key = 9"), "none");
#undef ROUTE
#undef FWD
	db_close(db);
}
END_TEST

/* IPv6 prefixes and gateway spelling (fe80:0::1 == fe80::1). */
START_TEST(test_stale_route_use_ipv6)
{
	struct db *db = open_ok(dbfile, DB_OPEN_WRITE);
	struct db_run *r = begin_ok(db, 4);
	struct db_route_change rc = { .rc_host = "r1", .rc_op = "add",
	    .rc_dst = "2001:db8:2::/48", .rc_gateway = "fe80:0::1" };
	struct db_packet pk = { .pk_host = "r1", .pk_dir = DB_PKT_FWD,
	    .pk_proto = "udp", .pk_src = "2001:db8::1",
	    .pk_dst = "2001:db8:2:1::5", .pk_route_dst = "2001:db8:2::/48",
	    .pk_route_gw = "fe80::1", .pk_key = 11 };

	db_route_change(r, &rc);
	pk.pk_vtime = 10;
	db_packet(r, &pk);
	rc.rc_op = "change";
	rc.rc_gateway = "fe80::2";
	db_route_change(r, &rc);
	pk.pk_key = 12;
	db_packet(r, &pk);
	pk.pk_key = 13;
	pk.pk_dst = "2001:db8:3::1";	/* outside the prefix: no route */
	db_packet(r, &pk);
	end_ok(r, DB_VERDICT_PASS, 4);
	ck_assert_str_eq(q1(db, "SELECT group_concat(pkt_key, ',') FROM "
	    "(SELECT pkt_key FROM stale_route_use ORDER BY seq)"), "12,13");
	db_close(db);
}
END_TEST

START_TEST(test_packet_paths_view)
{
	struct db *db = open_ok(dbfile, DB_OPEN_WRITE);
	struct db_run *r = begin_ok(db, 5);
	unsigned char ip[28] = { 0x45, 0, 0, 28, 0x12, 0x34, 0, 0, 64, 17, 0,
	    0, 10, 0, 0, 1, 10, 0, 2, 1, 0x13, 0x88, 0x17, 0x70, 0, 8, 0, 0 };
	unsigned char eth[14 + 28] = { 0 };
	struct db_packet pk = { .pk_proto = "udp", .pk_src = "10.0.0.1",
	    .pk_dst = "10.0.2.1", .pk_len = 28 };
	static const char *hops[][3] = {
		{ "h1", "eth0", "tx" }, { "r1", "eth0", "rx" },
		{ "r1", "eth1", "fwd" }, { "h2", "eth0", "rx" },
		{ "h2", NULL, "deliver" },
	};
	size_t i;

	eth[12] = 0x08;
	memcpy(eth + 14, ip, sizeof(ip));
	for (i = 0; i < 5; i++) {
		pk.pk_vtime = 100 * i;
		pk.pk_host = hops[i][0];
		pk.pk_nic = hops[i][1];
		pk.pk_dir = hops[i][2];
		/* With and without Ethernet header: the same key. */
		pk.pk_bytes = (i % 2) ? (void *)eth : (void *)ip;
		pk.pk_nbytes = (i % 2) ? sizeof(eth) : sizeof(ip);
		if (i == 2)	/* a router decrements the TTL */
			ip[8]--;
		db_packet(r, &pk);
		/* Another packet interleaved: different IP id. */
		ip[5]++;
		pk.pk_vtime++;
		pk.pk_bytes = ip;
		pk.pk_nbytes = sizeof(ip);
		db_packet(r, &pk);
		ip[5]--;
	}
	end_ok(r, DB_VERDICT_PASS, 5);
	ck_assert_int_eq(db_packet_key(ip, sizeof(ip)),
	    db_packet_key(eth, sizeof(eth)));
	ck_assert_int_eq(qi(db, "SELECT count(DISTINCT pkt_key) FROM "
	    "packet_paths"), 2);
	ck_assert_str_eq(q1(db, "SELECT group_concat(hop||':'||host||'.'||"
	    "dir, ' ') FROM (SELECT * FROM packet_paths WHERE pkt_key = "
	    "(SELECT pkt_key FROM packets WHERE seq = 0) ORDER BY hop)"),
	    "1:h1.tx 2:r1.rx 3:r1.fwd 4:h2.rx 5:h2.deliver");
	db_close(db);
}
END_TEST

/*
 * A version-1 file, as knit 0.1 wrote it before route columns existed:
 * opening it migrates to the current version, keeps the rows, and
 * backfills the binary prefix columns, so stale_route_use works on it.
 */
START_TEST(test_migrate_from_v1)
{
	static const char v1[] =
	    "PRAGMA application_id = 1802398068;"
	    "CREATE TABLE runs (id INTEGER PRIMARY KEY, uid TEXT NOT NULL "
	    "UNIQUE, scenario TEXT, scenario_hash TEXT, seed INTEGER, "
	    "strategy TEXT, params TEXT, knit_version TEXT, started_at TEXT, "
	    "wall_s REAL, virtual_ns INTEGER, events INTEGER, verdict TEXT "
	    "NOT NULL DEFAULT 'running', trace_hash TEXT, trace_level TEXT, "
	    "campaign TEXT, shard TEXT, replay_of INTEGER, note TEXT, pid "
	    "INTEGER, hostname TEXT);"
	    "CREATE INDEX runs_campaign ON runs(campaign);"
	    "CREATE TABLE schedules (run INTEGER PRIMARY KEY REFERENCES "
	    "runs(id) ON DELETE CASCADE, choices BLOB NOT NULL, npoints "
	    "INTEGER NOT NULL);"
	    "CREATE TABLE violations (id INTEGER PRIMARY KEY, run INTEGER NOT "
	    "NULL REFERENCES runs(id) ON DELETE CASCADE, kind TEXT NOT NULL, "
	    "vtime INTEGER, host TEXT, cpu INTEGER, lwp INTEGER, message TEXT,"
	    " stack TEXT, stack2 TEXT, signature TEXT);"
	    "CREATE TABLE events (id INTEGER PRIMARY KEY, run INTEGER NOT "
	    "NULL, seq INTEGER NOT NULL, vtime INTEGER NOT NULL, host TEXT, "
	    "cpu INTEGER, lwp INTEGER, kind TEXT NOT NULL, object TEXT, "
	    "detail TEXT);"
	    "CREATE TABLE packets (run INTEGER NOT NULL, seq INTEGER NOT NULL,"
	    " vtime INTEGER NOT NULL, host TEXT, nic TEXT, dir TEXT, proto "
	    "TEXT, src TEXT, dst TEXT, len INTEGER, summary TEXT, bytes BLOB, "
	    "pkt_key INTEGER, flow TEXT);"
	    "CREATE UNIQUE INDEX packets_seq ON packets(run, seq);"
	    "CREATE TABLE route_changes (run INTEGER NOT NULL, seq INTEGER NOT "
	    "NULL, vtime INTEGER NOT NULL, host TEXT, op TEXT NOT NULL, dst "
	    "TEXT, gateway TEXT, flags TEXT, policy TEXT, PRIMARY KEY (run, "
	    "seq)) WITHOUT ROWID;"
	    "CREATE TABLE lock_edges (run INTEGER NOT NULL, from_lock TEXT NOT "
	    "NULL, to_lock TEXT NOT NULL, count INTEGER NOT NULL DEFAULT 1, "
	    "vtime INTEGER, host TEXT, cpu INTEGER, lwp INTEGER, stack TEXT, "
	    "PRIMARY KEY (run, from_lock, to_lock));"
	    "INSERT INTO runs (id, uid, scenario, seed, verdict, trace_hash) "
	    "VALUES (1, 'u1', 'old.lua', 99, 'pass', '00000000000000aa');"
	    "INSERT INTO route_changes VALUES (1, 0, 0, 'r1', 'add', "
	    "'10.0.2.0/24', '10.0.1.2', 'UG', NULL);"
	    "INSERT INTO route_changes VALUES (1, 1, 5, 'r1', 'change', "
	    "'10.0.2.0/24', '10.0.1.3', 'UG', NULL);"
	    "INSERT INTO packets (run, seq, vtime, host, dir, dst, pkt_key) "
	    "VALUES (1, 2, 6, 'r1', 'fwd', '10.0.2.1', 77);"
	    "PRAGMA user_version = 1;";
	sqlite3 *sql;
	struct db *db;
	struct db_err err;

	ck_assert_int_eq(sqlite3_open(dbfile, &sql), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(sql, v1, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(sql);

	/* A reader refuses, naming the way out. */
	ck_assert_ptr_null(db_open(dbfile, DB_OPEN_READONLY, &err));
	ck_assert_int_eq(err.de_code, DB_ERR_OLDER);
	ck_assert_ptr_nonnull(strstr(err.de_msg, "knit db migrate"));

	db = open_ok(dbfile, DB_OPEN_WRITE);
	ck_assert_int_eq(qi(db, "PRAGMA user_version"), DB_SCHEMA_VERSION);
	ck_assert_str_eq(q1(db, "SELECT scenario||' '||seed||' '||verdict FROM "
	    "runs"), "old.lua 99 pass");
	ck_assert_str_eq(q1(db, "SELECT plen||' '||hex(dst_lo)||' '||"
	    "hex(dst_hi) FROM route_changes WHERE seq = 0"),
	    "24 0A000200 0A0002FF");
	ck_assert_str_eq(q1(db, "SELECT hex(dst_bin) FROM packets"),
	    "0A000201");
	/* Old packets have no route_dst: not claimed stale. */
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM stale_route_use"), 0);
	db_close(db);
	/* Idempotent: a second open finds nothing to do. */
	db = open_ok(dbfile, DB_OPEN_READONLY);
	ck_assert_str_eq(q1(db, "SELECT count(*) FROM runs"), "1");
	db_close(db);
}
END_TEST

START_TEST(test_newer_and_foreign_files_refused)
{
	sqlite3 *sql;
	struct db *db;
	struct db_err err;
	FILE *fp;
	char other[160], text[160];

	/* Newer schema. */
	write_one_run(dbfile, 1, DB_VERDICT_PASS);
	ck_assert_int_eq(sqlite3_open(dbfile, &sql), SQLITE_OK);
	sqlite3_exec(sql, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(sql);
	ck_assert_ptr_null(db_open(dbfile, DB_OPEN_WRITE, &err));
	ck_assert_int_eq(err.de_code, DB_ERR_NEWER);
	ck_assert_ptr_nonnull(strstr(err.de_msg, "newer knit"));

	/* Another program's SQLite file: untouched. */
	snprintf(other, sizeof(other), "%s/other.db", tmpdir);
	ck_assert_int_eq(sqlite3_open(other, &sql), SQLITE_OK);
	sqlite3_exec(sql, "CREATE TABLE t(x); INSERT INTO t VALUES (1)",
	    NULL, NULL, NULL);
	sqlite3_close(sql);
	ck_assert_ptr_null(db_open(other, DB_OPEN_WRITE, &err));
	ck_assert_int_eq(err.de_code, DB_ERR_NOTKNIT);
	ck_assert_ptr_nonnull(strstr(err.de_msg, "not a knit database"));
	ck_assert_ptr_nonnull(strstr(err.de_msg, other));

	/* A text file. */
	snprintf(text, sizeof(text), "%s/notes.txt", tmpdir);
	fp = fopen(text, "w");
	fputs("these are my notes, not a database\n", fp);
	fclose(fp);
	ck_assert_ptr_null(db_open(text, DB_OPEN_WRITE, &err));
	ck_assert_int_eq(err.de_code, DB_ERR_NOTKNIT);
	ck_assert_ptr_null(db_open(text, DB_OPEN_READONLY, &err));
	ck_assert_int_eq(err.de_code, DB_ERR_NOTKNIT);
	fp = fopen(text, "r");
	ck_assert_ptr_nonnull(fgets(other, sizeof(other), fp));
	fclose(fp);
	ck_assert_str_eq(other, "these are my notes, not a database\n");

	/* Missing file for a reader. */
	snprintf(other, sizeof(other), "%s/missing.db", tmpdir);
	ck_assert_ptr_null(db_open(other, DB_OPEN_READONLY, &err));
	ck_assert_int_eq(err.de_code, DB_ERR_NOTFOUND);
	ck_assert_int_ne(access(other, F_OK), 0);
	db = NULL;
	(void)db;
}
END_TEST

/* Another process holds the write lock: clear error, earlier run kept. */
START_TEST(test_locked_loses_nothing)
{
	struct db *db;
	struct db_err err;
	sqlite3 *hold;

	write_one_run(dbfile, 1, DB_VERDICT_PASS);
	ck_assert_int_eq(sqlite3_open(dbfile, &hold), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(hold, "BEGIN EXCLUSIVE", NULL, NULL,
	    NULL), SQLITE_OK);
	db = db_open(dbfile, DB_OPEN_WRITE, &err);
	if (db != NULL) {
		struct db_run_info ri = { .ri_scenario = "x.lua" };

		db_set_busy_timeout(db, 50);
		ck_assert_ptr_null(db_run_begin(db, &ri, &err));
		db_close(db);
	}
	ck_assert_int_eq(err.de_code, DB_ERR_LOCKED);
	ck_assert_ptr_nonnull(strstr(err.de_msg, "locked"));
	ck_assert_ptr_nonnull(strstr(err.de_msg, dbfile));
	sqlite3_exec(hold, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(hold);
	db = open_ok(dbfile, DB_OPEN_READONLY);
	ck_assert_str_eq(q1(db, "SELECT group_concat(seed||verdict) FROM runs"),
	    "1pass");
	db_close(db);
}
END_TEST

/*
 * Read-only: as an unprivileged user (root ignores permissions) a
 * writer gets DB_ERR_READONLY; a reader still reads every run.
 */
START_TEST(test_readonly_loses_nothing)
{
	struct db *db;
	struct db_err err;
	pid_t pid;
	int st;

	write_one_run(dbfile, 1, DB_VERDICT_PASS);
	write_one_run(dbfile, 2, DB_VERDICT_FAIL);
	chmod(dbfile, 0444);
	chmod(tmpdir, 0555);
	/* A child drops privileges; the parent can still clean up. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) != 0 ||
		    setuid(65534) != 0))
			_exit(10);
		if (db_open(dbfile, DB_OPEN_WRITE, &err) != NULL)
			_exit(11);
		if (err.de_code != DB_ERR_READONLY ||
		    strstr(err.de_msg, "read-only") == NULL)
			_exit(12);
		db = db_open(dbfile, DB_OPEN_READONLY, &err);
		if (db == NULL) {
			fprintf(stderr, "%s\n", err.de_msg);
			_exit(13);
		}
		if (strcmp(q1(db, "SELECT group_concat(seed||verdict) FROM "
		    "runs"), "1pass,2fail") != 0)
			_exit(14);
		db_close(db);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	chmod(tmpdir, 0700);
	chmod(dbfile, 0644);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	db = open_ok(dbfile, DB_OPEN_READONLY);
	ck_assert_str_eq(q1(db, "SELECT group_concat(seed||verdict) FROM runs"),
	    "1pass,2fail");
	db_close(db);
}
END_TEST

/* Disk full mid-run (a page limit stands in for the disk). */
START_TEST(test_full_disk_loses_nothing)
{
	struct db *db;
	struct db_run *r;
	struct db_run_result res = { .rr_verdict = DB_VERDICT_PASS };
	struct db_err err;
	char detail[512];
	int i, rv = 0;

	write_one_run(dbfile, 1, DB_VERDICT_PASS);
	db = open_ok(dbfile, DB_OPEN_WRITE);
	ck_assert_int_gt(qi(db, "PRAGMA max_page_count = 60"), 0);
	r = begin_ok(db, 2);
	memset(detail, 'x', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	for (i = 0; i < 20000 && rv == 0; i++) {
		rv = db_event(r, (uint64_t)i, "h1", 0, 1, "switch", "x",
		    detail);
		if (rv == 0 && i % 100 == 99)
			rv = db_run_flush(r);
	}
	ck_assert_int_eq(rv, -1);
	ck_assert_ptr_nonnull(db_run_error(r));
	ck_assert_int_eq(db_run_error(r)->de_code, DB_ERR_FULL);
	ck_assert_int_eq(db_event(r, 1, "h1", 0, 1, "switch", NULL, NULL), -1);
	ck_assert_int_eq(db_run_end(r, &res, &err), -1);
	ck_assert_int_eq(err.de_code, DB_ERR_FULL);
	ck_assert_ptr_nonnull(strstr(err.de_msg, "disk full"));
	db_close(db);

	db = open_ok(dbfile, DB_OPEN_WRITE);
	ck_assert_str_eq(q1(db, "SELECT seed||verdict FROM runs WHERE id = 1"),
	    "1pass");
	/* The second run is there, not "pass", with what fitted. */
	ck_assert_str_ne(q1(db, "SELECT verdict FROM runs WHERE id = 2"),
	    "pass");
	ck_assert_str_eq(q1(db, "PRAGMA integrity_check"), "ok");
	db_close(db);
}
END_TEST

/*
 * After one finished run, fork a child that records run 2 (with
 * db_signals_install if `signals', a committed violation if `panic')
 * and loops recording events; returns its pid once 5000 events are
 * committed.
 */
static pid_t
recording_child(int signals, int panic)
{
	struct db *db;
	struct db_run *r;
	int fds[2];
	pid_t pid;
	char c;

	write_one_run(dbfile, 1, DB_VERDICT_PASS);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		uint64_t t;

		close(fds[0]);
		if (signals)
			db_signals_install();
		db = open_ok(dbfile, DB_OPEN_WRITE);
		r = begin_ok(db, 2);
		if (panic)
			db_violation(r, "panic", 3, "h1", 0, 1,
			    "KASSERT failed", NULL, NULL);
		for (t = 0;; t++) {
			db_event(r, t, "h1", (int)(t % 2), 1, "switch", "lwp",
			    NULL);
			if (t == 5000) {
				db_run_flush(r);
				if (write(fds[1], "x", 1) != 1)
					_exit(3);
			}
		}
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

/*
 * SIGINT or SIGTERM mid-run: the child dies of that signal, the run is
 * `aborted' with its events so far, the file is consistent and the
 * earlier run is intact.
 */
static void
interrupted_child(int sig)
{
	struct db *db;
	pid_t pid = recording_child(1, 0);
	int st;

	kill(pid, sig);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), sig);
	db = open_ok(dbfile, DB_OPEN_READONLY);
	ck_assert_str_eq(q1(db, "SELECT group_concat(seed||verdict) FROM runs"),
	    "1pass,2aborted");
	ck_assert_ptr_nonnull(strstr(q1(db, "SELECT note FROM runs WHERE id = "
	    "2"), sig == SIGINT ? "SIGINT" : "SIGTERM"));
	ck_assert_int_ge(qi(db, "SELECT count(*) FROM events WHERE run = 2"),
	    5001);
	ck_assert_str_eq(q1(db, "PRAGMA integrity_check"), "ok");
	db_close(db);
}

START_TEST(test_sigint_aborts_run)
{
	interrupted_child(SIGINT);
}
END_TEST

START_TEST(test_sigterm_aborts_run)
{
	interrupted_child(SIGTERM);
}
END_TEST

/*
 * A crash (SIGKILL stands for anything uncatchable): the run stays
 * "running" until the next writer opens the file and marks it aborted;
 * the committed rows and earlier runs survive.
 */
START_TEST(test_crash_repaired_on_open)
{
	struct db *db;
	pid_t pid = recording_child(0, 1);
	int st;

	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	db = open_ok(dbfile, DB_OPEN_READONLY);
	ck_assert_str_eq(q1(db, "SELECT verdict FROM runs WHERE id = 2"),
	    "running");
	db_close(db);
	db = open_ok(dbfile, DB_OPEN_WRITE);
	ck_assert_str_eq(q1(db, "SELECT group_concat(seed||verdict) FROM runs"),
	    "1pass,2aborted");
	ck_assert_str_eq(q1(db, "SELECT message FROM violations WHERE run = 2"),
	    "KASSERT failed");
	ck_assert_int_ge(qi(db, "SELECT count(*) FROM events WHERE run = 2"),
	    5001);
	ck_assert_str_eq(q1(db, "PRAGMA integrity_check"), "ok");
	db_close(db);
}
END_TEST

START_TEST(test_null_run_records_nothing)
{
	struct db_packet pk = { .pk_dir = "tx" };
	struct db_route_change rc = { .rc_op = "add" };

	ck_assert_int_eq(db_event(NULL, 1, "h", 0, 0, "switch", NULL, NULL), 0);
	ck_assert_int_eq(db_packet(NULL, &pk), 0);
	ck_assert_int_eq(db_route_change(NULL, &rc), 0);
	ck_assert_int_eq(db_lock_edge(NULL, "a", "b", 0, NULL, 0, 0, NULL), 0);
	ck_assert_int_eq(db_violation(NULL, "panic", 0, NULL, 0, 0, "m", NULL,
	    NULL), 0);
	ck_assert_int_eq(db_run_id(NULL), 0);
}
END_TEST

START_TEST(test_violation_from_struct)
{
	struct db *db = open_ok(dbfile, DB_OPEN_WRITE);
	struct db_run *r = begin_ok(db, 1);
	char msg[] = "lock order reversal", stack[] = "a+1\nb+2\n--\nc+3\nd+4";
	struct violation v = { .v_kind = VIOL_LOCK_ORDER, .v_time = 9,
	    .v_host = "r1", .v_cpu = 1, .v_lwp = -1, .v_message = msg,
	    .v_stack = stack };

	ck_assert_int_eq(db_violation_add(r, &v), 0);
	end_ok(r, DB_VERDICT_FAIL, 1);
	ck_assert_str_eq(q1(db, "SELECT kind||'|'||stack||'|'||stack2||'|'||"
	    "coalesce(lwp, 'null') FROM violations"),
	    "lock_order|a+1\nb+2|c+3\nd+4|null");
	db_close(db);
}
END_TEST

/*
 * Events are buffered, handed to the writer thread in blocks and
 * inserted many rows at a time: every event arrives exactly once, in
 * seq order, with its own strings even when the caller reuses one
 * buffer, across full and partial blocks, more blocks than the queue
 * holds (the recorder waits for the writer), commits and a very long
 * detail; route changes recorded meanwhile interleave by seq.
 */
START_TEST(test_events_buffered_exactly_once)
{
	struct db *db = open_ok(dbfile, DB_OPEN_WRITE);
	struct db_run *r = begin_ok(db, 1);
	struct db_route_change rc = { .rc_host = "r1", .rc_op = "add",
	    .rc_dst = "default", .rc_gateway = "10.0.0.1" };
	unsigned char frame[300];
	struct db_packet pk = { .pk_host = "r1", .pk_nic = "vnic0",
	    .pk_dir = "tx", .pk_proto = "udp", .pk_src = "10.0.0.1",
	    .pk_dst = "10.0.0.2", .pk_len = sizeof(frame), .pk_bytes = frame,
	    .pk_nbytes = sizeof(frame) };
	char host[16], obj[32], *longdetail;
	int i, n = 40000;

	longdetail = malloc(100000);
	memset(longdetail, 'z', 99999);
	longdetail[99999] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(host, sizeof(host), "h%d", i % 7);
		snprintf(obj, sizeof(obj), "lwp-%d", i);
		ck_assert_int_eq(db_event(r, (uint64_t)i * 3, host, i % 4,
		    i % 5 == 0 ? -1 : i, "switch", obj, i == 500 ? longdetail :
		    NULL), 0);
		memset(host, 'X', sizeof(host) - 1);	/* reuse the buffer */
		memset(obj, 'Y', sizeof(obj) - 1);
		if (i == 333) {
			ck_assert_int_eq(db_route_change(r, &rc), 0);
			ck_assert_int_eq(db_run_flush(r), 0);
			/* the flush committed every event so far */
			ck_assert_int_eq(qi(db, "SELECT count(*) FROM events"),
			    334);
		}
		if (i == 20000)		/* no flush: events still queued */
			ck_assert_int_eq(db_route_change(r, &rc), 0);
		if (i % 1000 == 999) {	/* packets queue with the events */
			snprintf(obj, sizeof(obj), "pkt-%d", i);
			frame[0] = (unsigned char)(i / 1000 + 1);
			pk.pk_vtime = (uint64_t)i * 3;
			pk.pk_summary = obj;
			ck_assert_int_eq(db_packet(r, &pk), 0);
			memset(obj, 'Z', sizeof(obj) - 1);
		}
	}
	end_ok(r, DB_VERDICT_PASS, 1);
	free(longdetail);
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM events"), n);
	ck_assert_int_eq(qi(db, "SELECT count(DISTINCT seq) FROM events"), n);
	/* Each packet after its event, with its own summary and bytes. */
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM packets p JOIN events "
	    "e ON e.seq = p.seq - 1 AND e.vtime = p.vtime WHERE p.summary = "
	    "'pkt-' || (p.vtime / 3) AND length(p.bytes) = 300 AND "
	    "unicode(p.bytes) = (p.vtime / 3) / 1000 + 1 AND "
	    "p.dst = '10.0.0.2' AND p.flow = 'udp 10.0.0.1 > 10.0.0.2'"), n / 1000);
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM packets"), n / 1000);
	/* Events and packets share the seq order. */
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM (SELECT seq FROM events "
	    "UNION SELECT seq FROM packets UNION SELECT seq FROM "
	    "route_changes)"), n + n / 1000 + 2);
	ck_assert_int_eq(qi(db, "SELECT max(seq) FROM packets"),
	    n + n / 1000 + 1);
	ck_assert_str_eq(q1(db, "SELECT group_concat(seq) FROM (SELECT seq "
	    "FROM route_changes ORDER BY seq)"), "334,20022");
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM events WHERE object = "
	    "'lwp-' || (vtime / 3) AND host = 'h' || ((vtime / 3) % 7) AND "
	    "cpu = (vtime / 3) % 4 AND id = run << 36 | seq"), n);
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM events WHERE lwp IS "
	    "NULL"), n / 5);
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM events e WHERE vtime / 3 "
	    "<> seq - (SELECT count(*) FROM route_changes c WHERE c.seq < "
	    "e.seq) - (SELECT count(*) FROM packets p WHERE p.seq < e.seq)"),
	    0);
	/* A long detail is kept (cut at 8 KiB). */
	ck_assert_int_eq(qi(db, "SELECT length(detail) FROM events WHERE "
	    "object = 'lwp-500'"), 8192);
	db_close(db);
}
END_TEST

/* A damaged schedule blob is reported, never replayed. */
/*
 * Event keys stay run << 36 | seq when another writer has put events
 * under larger keys between our batches (a concurrent knit recording a
 * later run into the same file).  The recorder leaves a key to SQLite's
 * rowid allocation (largest + 1) only when that gives the same key, so
 * it must notice, at each batch, that the largest key is no longer its
 * own: otherwise these rows would land after the other run's.
 */
START_TEST(test_event_keys_with_other_writer)
{
	struct db *db = open_ok(dbfile, DB_OPEN_WRITE);
	struct db_run *r = begin_ok(db, 1);
	sqlite3 *other;
	int i, n = 3000;

	ck_assert_int_eq(sqlite3_open(dbfile, &other), SQLITE_OK);
	sqlite3_busy_timeout(other, 5000);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(db_event(r, (uint64_t)i, "h1", 0, 1, "switch",
		    NULL, NULL), 0);
		if (i == 999) {
			/* A later run's event: now the largest key. */
			ck_assert_int_eq(db_run_flush(r), 0);
			ck_assert_int_eq(sqlite3_exec(other, "INSERT INTO "
			    "events (id, run, seq, vtime, kind) VALUES "
			    "(9 << 36 | 4, 9, 4, 0, 'switch')", NULL, NULL,
			    NULL), SQLITE_OK);
		}
		if (i == 1999) {
			/* Gone again: our keys are the largest once more. */
			ck_assert_int_eq(db_run_flush(r), 0);
			ck_assert_int_eq(sqlite3_exec(other, "DELETE FROM "
			    "events WHERE run = 9", NULL, NULL, NULL),
			    SQLITE_OK);
		}
	}
	end_ok(r, DB_VERDICT_PASS, 1);
	sqlite3_close(other);
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM events"), n);
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM events WHERE run = 1 "
	    "AND id = 1 << 36 | seq AND vtime = seq"), n);
	db_close(db);
}
END_TEST

/*
 * Packets queued back to back go in DBI_PACKET_ROWS-row inserts (and
 * the rest one per insert); every row keeps its own values: seq among
 * the events', its bytes and key, the flow made from proto/src/dst or
 * given, the gateway in canonical form as it changes from packet to
 * packet (IPv6 written two ways, IPv4), the binary destination.
 */
START_TEST(test_packets_batched)
{
	struct db *db = open_ok(dbfile, DB_OPEN_WRITE);
	struct db_run *r = begin_ok(db, 1);
	unsigned char frame[40] = { 0x45, 0, 0, 40, 0, 0, 0, 0, 64, 17, 0, 0,
	    10, 0, 0, 1, 10, 0, 2, 1 };
	struct db_packet pk = { .pk_host = "r1", .pk_nic = "vnic0",
	    .pk_dir = "fwd", .pk_proto = "udp", .pk_src = "10.0.0.1",
	    .pk_dst = "10.0.2.1", .pk_len = sizeof(frame),
	    .pk_bytes = frame, .pk_nbytes = sizeof(frame),
	    .pk_route_dst = "10.0.2.0/24" };
	static const char *const gw[3] = { "fe80:0:0::1", "10.0.1.2",
	    "fe80::0:1" };
	char sum[32];
	int i, n = 75;

	for (i = 0; i < n; i++) {
		if (i % 25 == 0)	/* an event between the packet runs */
			ck_assert_int_eq(db_event(r, (uint64_t)i, "r1", 0, 1,
			    "switch", NULL, NULL), 0);
		snprintf(sum, sizeof(sum), "pkt %d", i);
		frame[5] = (unsigned char)i;
		pk.pk_vtime = (uint64_t)i;
		pk.pk_summary = sum;
		pk.pk_flow = i % 2 ? "given flow" : NULL;
		pk.pk_route_gw = gw[(i / 3) % 3];
		ck_assert_int_eq(db_packet(r, &pk), 0);
	}
	end_ok(r, DB_VERDICT_PASS, 1);
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM packets"), n);
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM events"), 3);
	/* seq: the packets after the first event, one more per event. */
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM packets WHERE seq = "
	    "vtime + 1 + vtime / 25 AND summary = 'pkt ' || vtime AND "
	    "length(bytes) = 40 AND "
	    "hex(substr(bytes, 6, 1)) = printf('%02X', vtime) AND "
	    "pkt_key IS NOT NULL AND dst_bin = x'0a000201' AND "
	    "route_dst = '10.0.2.0/24' AND len = 40"), n);
	ck_assert_int_eq(qi(db, "SELECT count(DISTINCT pkt_key) FROM "
	    "packets"), n);
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM packets WHERE flow = "
	    "CASE vtime % 2 WHEN 1 THEN 'given flow' ELSE "
	    "'udp 10.0.0.1 > 10.0.2.1' END"), n);
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM packets WHERE route_gw "
	    "= CASE (vtime / 3) % 3 WHEN 1 THEN '10.0.1.2' ELSE 'fe80::1' "
	    "END"), n);
	db_close(db);
}
END_TEST

START_TEST(test_damaged_schedule_refused)
{
	struct db *db = open_ok(dbfile, DB_OPEN_WRITE);
	struct db_run *r = begin_ok(db, 1);
	struct db_run_record rec;
	struct schedule sd;
	struct db_err err;
	int64_t id = db_run_id(r);

	ck_assert_int_eq(db_schedule(r, "\x01garbage", 8, 3), 0);
	end_ok(r, DB_VERDICT_PASS, 1);
	ck_assert_int_eq(db_run_load(db, id, &rec, &err), 0);
	schedule_init(&sd);
	ck_assert_int_eq(db_run_record_schedule(&rec, &sd, &err), -1);
	ck_assert_int_eq(err.de_code, DB_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.de_msg, "damaged schedule"));
	schedule_fini(&sd);
	db_run_record_free(&rec);
	db_close(db);
}
END_TEST

static Suite *
db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("db");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_roundtrip_every_table);
	tcase_add_test(tc, test_signature_ignores_addresses);
	tcase_add_test(tc, test_stale_route_use_view);
	tcase_add_test(tc, test_stale_route_use_ipv6);
	tcase_add_test(tc, test_packet_paths_view);
	tcase_add_test(tc, test_migrate_from_v1);
	tcase_add_test(tc, test_newer_and_foreign_files_refused);
	tcase_add_test(tc, test_locked_loses_nothing);
	tcase_add_test(tc, test_readonly_loses_nothing);
	tcase_add_test(tc, test_full_disk_loses_nothing);
	tcase_add_test(tc, test_sigint_aborts_run);
	tcase_add_test(tc, test_sigterm_aborts_run);
	tcase_add_test(tc, test_crash_repaired_on_open);
	tcase_add_test(tc, test_null_run_records_nothing);
	tcase_add_test(tc, test_violation_from_struct);
	tcase_add_test(tc, test_damaged_schedule_refused);
	tcase_add_test(tc, test_events_buffered_exactly_once);
	tcase_add_test(tc, test_event_keys_with_other_writer);
	tcase_add_test(tc, test_packets_batched);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(db_suite());
	int nfailed;

	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
