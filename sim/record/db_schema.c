/*
 * The schema and its forward migrations.
 *
 * Invariant: a file with PRAGMA user_version = N has exactly the schema
 * that migrations[0..N-1] produce, applied in order.  A new file runs
 * them all, so every migration is exercised on every fresh database.
 * Never edit a shipped migration: append a new one and bump
 * DB_SCHEMA_VERSION.  Migrations run inside one transaction with the
 * user_version update, so a failure leaves the file at its old version.
 *
 * Column conventions: virtual times are integer ns (`vtime'); `seq' is
 * the per-run order of events, packets and route changes together;
 * hashes are 16 lowercase hex digits; addresses are numeric text, and
 * their binary form (4 or 16 bytes, network order) sits beside them in
 * *_bin / *_lo / *_hi blobs so range tests are blob comparisons.
 */
#include <stdio.h>

#include "record/db_int.h"

/* Version 1: the tables. */
static const char migration_1[] =
"CREATE TABLE runs ("
"  id INTEGER PRIMARY KEY,"
"  uid TEXT NOT NULL UNIQUE,"		/* global identity, for merging */
"  scenario TEXT,"
"  scenario_hash TEXT,"
"  seed INTEGER,"
"  strategy TEXT,"
"  params TEXT,"
"  knit_version TEXT,"
"  started_at TEXT,"			/* UTC ISO 8601, wall clock */
"  wall_s REAL,"
"  virtual_ns INTEGER,"
"  events INTEGER,"
"  verdict TEXT NOT NULL DEFAULT 'running',"
"  trace_hash TEXT,"
"  trace_level TEXT,"
"  campaign TEXT,"
"  shard TEXT,"
"  replay_of INTEGER,"
"  note TEXT,"
"  pid INTEGER,"			/* writer, to repair crashed runs */
"  hostname TEXT"
");"
"CREATE INDEX runs_campaign ON runs(campaign);"
"CREATE TABLE schedules ("
"  run INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,"
"  choices BLOB NOT NULL,"		/* schedule_encode() */
"  npoints INTEGER NOT NULL"
");"
"CREATE TABLE violations ("
"  id INTEGER PRIMARY KEY,"
"  run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
"  kind TEXT NOT NULL,"
"  vtime INTEGER,"
"  host TEXT,"
"  cpu INTEGER,"
"  lwp INTEGER,"
"  message TEXT,"
"  stack TEXT,"
"  stack2 TEXT,"
"  signature TEXT"
");"
"CREATE INDEX violations_run ON violations(run);"
"CREATE INDEX violations_signature ON violations(signature);"
/*
 * events is the big one (a full trace is millions of rows per run).  Its
 * key is run << 36 | seq, so rows of a run are one key range, appended
 * in order, with no second index to maintain: "WHERE id BETWEEN r << 36
 * AND (r + 1 << 36) - 1" reads run r alone.  (A plain WHERE run = r
 * works too, by a scan.)
 */
"CREATE TABLE events ("
"  id INTEGER PRIMARY KEY,"		/* run << 36 | seq */
"  run INTEGER NOT NULL,"
"  seq INTEGER NOT NULL,"
"  vtime INTEGER NOT NULL,"
"  host TEXT,"
"  cpu INTEGER,"
"  lwp INTEGER,"
"  kind TEXT NOT NULL,"
"  object TEXT,"
"  detail TEXT"
");"
"CREATE TABLE packets ("
"  run INTEGER NOT NULL,"
"  seq INTEGER NOT NULL,"
"  vtime INTEGER NOT NULL,"
"  host TEXT,"
"  nic TEXT,"
"  dir TEXT,"
"  proto TEXT,"
"  src TEXT,"
"  dst TEXT,"
"  len INTEGER,"
"  summary TEXT,"
"  bytes BLOB,"
"  pkt_key INTEGER,"
"  flow TEXT"
");"
"CREATE UNIQUE INDEX packets_seq ON packets(run, seq);"
"CREATE TABLE route_changes ("
"  run INTEGER NOT NULL,"
"  seq INTEGER NOT NULL,"
"  vtime INTEGER NOT NULL,"
"  host TEXT,"
"  op TEXT NOT NULL,"
"  dst TEXT,"
"  gateway TEXT,"
"  flags TEXT,"
"  policy TEXT,"
"  PRIMARY KEY (run, seq)"
") WITHOUT ROWID;"
"CREATE TABLE lock_edges ("
"  run INTEGER NOT NULL,"
"  from_lock TEXT NOT NULL,"
"  to_lock TEXT NOT NULL,"
"  count INTEGER NOT NULL DEFAULT 1,"
"  vtime INTEGER,"
"  host TEXT,"
"  cpu INTEGER,"
"  lwp INTEGER,"
"  stack TEXT,"
"  PRIMARY KEY (run, from_lock, to_lock)"
");"
"CREATE VIEW violations_by_signature AS"
"  SELECT signature, kind, count(*) AS occurrences,"
"    count(DISTINCT run) AS runs, min(run) AS first_run,"
"    (SELECT message FROM violations w WHERE w.signature = v.signature"
"      ORDER BY w.run, w.id LIMIT 1) AS example"
"  FROM violations v GROUP BY signature, kind;";

/*
 * Version 2: routes used by forwarded packets and the binary forms of
 * addresses and prefixes, so that stale_route_use (the kern/3508
 * symptom) is a query; packet_paths; the campaign lock-order graph.
 * Existing rows are backfilled with the knit_* SQL functions.
 */
static const char migration_2[] =
"ALTER TABLE packets ADD COLUMN route_dst TEXT;"
"ALTER TABLE packets ADD COLUMN route_gw TEXT;"
"ALTER TABLE packets ADD COLUMN dst_bin BLOB;"
"UPDATE packets SET dst_bin = knit_addr(dst);"
"CREATE INDEX packets_key ON packets(run, pkt_key);"
"ALTER TABLE route_changes ADD COLUMN plen INTEGER;"
"ALTER TABLE route_changes ADD COLUMN dst_lo BLOB;"
"ALTER TABLE route_changes ADD COLUMN dst_hi BLOB;"
"UPDATE route_changes SET plen = knit_plen(dst, gateway),"
"  dst_lo = knit_net_lo(dst, gateway), dst_hi = knit_net_hi(dst, gateway);"
"CREATE INDEX route_changes_prefix ON"
"  route_changes(run, host, dst_lo, plen, seq);"
"CREATE VIEW packet_paths AS"
"  SELECT run, pkt_key, flow,"
"    row_number() OVER (PARTITION BY run, pkt_key ORDER BY seq) AS hop,"
"    seq, vtime, host, nic, dir, route_dst, route_gw, summary"
"  FROM packets WHERE pkt_key IS NOT NULL;"
/*
 * For each packet sent along a route (dir fwd/tx with route_dst set):
 * the routes of that host alive just before it (latest change of each
 * prefix with lower seq is not a delete) that contain its destination;
 * the longest of them is what a fresh lookup would choose.  A packet is
 * listed when that choice's gateway differs from the one it used, or
 * when a fresh lookup would find no route at all.
 */
"CREATE VIEW stale_route_use AS"
"  WITH sent AS ("
"    SELECT run, seq, vtime, host, nic, dir, flow, dst, dst_bin,"
"      route_dst, route_gw, pkt_key, summary"
"    FROM packets"
"    WHERE dir IN ('fwd', 'tx') AND route_dst IS NOT NULL"
"      AND dst_bin IS NOT NULL),"
"  alive AS ("
"    SELECT s.run, s.seq, rc.dst AS fresh_dst, rc.gateway AS fresh_gw,"
"      rc.plen AS plen"
"    FROM sent s JOIN route_changes rc"
"      ON rc.run = s.run AND rc.host = s.host AND rc.seq < s.seq"
"      AND rc.op <> 'delete' AND length(rc.dst_lo) = length(s.dst_bin)"
"      AND s.dst_bin BETWEEN rc.dst_lo AND rc.dst_hi"
"    WHERE NOT EXISTS (SELECT 1 FROM route_changes l"
"      WHERE l.run = rc.run AND l.host = rc.host AND l.dst_lo = rc.dst_lo"
"        AND l.plen = rc.plen AND l.seq > rc.seq AND l.seq < s.seq)),"
"  fresh AS ("
"    SELECT run, seq, fresh_dst, fresh_gw, max(plen) AS plen"
"    FROM alive GROUP BY run, seq)"
"  SELECT s.run, s.seq, s.vtime, s.host, s.nic, s.dir, s.flow, s.dst,"
"    s.pkt_key, s.route_dst AS used_route, s.route_gw AS used_gateway,"
"    f.fresh_dst AS fresh_route, f.fresh_gw AS fresh_gateway, s.summary"
"  FROM sent s LEFT JOIN fresh f ON f.run = s.run AND f.seq = s.seq"
"  WHERE f.seq IS NULL OR f.fresh_gw IS NOT s.route_gw;"
"CREATE VIEW lock_order_graph AS"
"  SELECT r.campaign AS campaign, e.from_lock, e.to_lock,"
"    sum(e.count) AS count, count(DISTINCT e.run) AS runs,"
"    min(e.run) AS first_run"
"  FROM lock_edges e JOIN runs r ON r.id = e.run"
"  GROUP BY r.campaign, e.from_lock, e.to_lock;";

static const char *const migrations[DB_SCHEMA_VERSION] = {
	migration_1,
	migration_2,
};

int
dbi_migrate(struct db *db, int from, struct db_err *err)
{
	char sql[64];
	int v;

	if (dbi_exec(db, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	for (v = from; v < DB_SCHEMA_VERSION; v++) {
		if (dbi_exec(db, migrations[v], err) != 0)
			goto fail;
	}
	if (from == 0) {
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
		    DB_APPLICATION_ID);
		if (dbi_exec(db, sql, err) != 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    DB_SCHEMA_VERSION);
	if (dbi_exec(db, sql, err) != 0 || dbi_exec(db, "COMMIT", err) != 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(db->db_sql, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
