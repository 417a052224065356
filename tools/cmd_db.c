/*
 * knit db: maintenance of run databases.
 *
 *	knit db merge OUT IN...	copy the runs of shard databases into OUT
 *	knit db migrate FILE	bring FILE to this knit's schema version
 *
 * Merging is idempotent: every run carries a globally unique `uid', and
 * a run whose uid is already in OUT is skipped, so merging the same
 * shard twice (or a shard into a database that already holds part of
 * it) adds nothing.  Inputs must come from the same scenario content
 * and knit version as each other and as OUT's runs, unless --force.
 * Every input is checked before anything is copied; each input is then
 * copied in one transaction (all of its runs or none).
 */
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db_cmds.h"
#include "record/db.h"

const char cmd_db_help[] =
    "usage: knit db merge [--force] OUT IN...\n"
    "       knit db migrate FILE\n"
    "\n"
    "merge: copy every run of the databases IN (for example the shards of\n"
    "a campaign run with `knit explore --shard i/N') into OUT, created if\n"
    "missing, with its schedule, violations, events, packets, route\n"
    "changes and lock-order edges.  Idempotent: runs already in OUT (same\n"
    "run uid) are skipped, so merging twice adds nothing.  Refuses inputs\n"
    "whose runs come from different scenario contents (scenario_hash) or\n"
    "knit versions, among themselves or with OUT, unless --force; a\n"
    "refusal changes nothing.  Each input is copied in one transaction.\n"
    "\n"
    "migrate: upgrade FILE's schema to this knit's version (readers such\n"
    "as `knit report' do not migrate).\n"
    "\n"
    "exit status: 0 done; 2 usage error, refused, or a database error.\n";

/* The tables copied per run, with the columns that are not `run'. */
static const char *const copy_sql[] = {
	"INSERT INTO main.schedules (run, choices, npoints) SELECT m.new, "
	"s.choices, s.npoints FROM src.schedules s JOIN temp.run_map m ON "
	"m.old = s.run",
	"INSERT INTO main.violations (run, kind, vtime, host, cpu, lwp, "
	"message, stack, stack2, signature) SELECT m.new, kind, vtime, host, "
	"cpu, lwp, message, stack, stack2, signature FROM src.violations s "
	"JOIN temp.run_map m ON m.old = s.run ORDER BY s.id",
	"INSERT INTO main.events (id, run, seq, vtime, host, cpu, lwp, kind, "
	"object, detail) SELECT m.new << 36 | s.seq, m.new, s.seq, vtime, "
	"host, cpu, lwp, kind, object, detail FROM temp.run_map m JOIN "
	"src.events s ON s.id BETWEEN m.old << 36 AND (m.old << 36) + "
	"(1 << 36) - 1 ORDER BY m.new, s.seq",
	"INSERT INTO main.packets (run, seq, vtime, host, nic, dir, proto, "
	"src, dst, len, summary, bytes, pkt_key, flow, route_dst, route_gw, "
	"dst_bin) SELECT m.new, seq, vtime, host, nic, dir, proto, src, dst, "
	"len, summary, bytes, pkt_key, flow, route_dst, route_gw, dst_bin "
	"FROM src.packets s JOIN temp.run_map m ON m.old = s.run ORDER BY "
	"m.new, s.seq",
	"INSERT INTO main.route_changes (run, seq, vtime, host, op, dst, "
	"gateway, flags, policy, plen, dst_lo, dst_hi) SELECT m.new, seq, "
	"vtime, host, op, dst, gateway, flags, policy, plen, dst_lo, dst_hi "
	"FROM src.route_changes s JOIN temp.run_map m ON m.old = s.run",
	"INSERT INTO main.lock_edges (run, from_lock, to_lock, count, vtime, "
	"host, cpu, lwp, stack) SELECT m.new, from_lock, to_lock, count, "
	"vtime, host, cpu, lwp, stack FROM src.lock_edges s JOIN "
	"temp.run_map m ON m.old = s.run",
};

static int
db_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "knit db: %s%s\n(see `knit help db')\n", msg,
	    arg != NULL ? arg : "");
	return 2;
}

static int
sql_fail(sqlite3 *sql, const char *what)
{
	fprintf(stderr, "knit db merge: %s: %s\n", what, sqlite3_errmsg(sql));
	return -1;
}

/* Distinct non-NULL values of runs.<column> in `schema' (main or src). */
static int
distinct_values(sqlite3 *sql, const char *schema, const char *column,
    char *out, size_t len, int *count)
{
	char q[256];
	sqlite3_stmt *st;
	size_t n = 0;

	snprintf(q, sizeof(q), "SELECT DISTINCT %s FROM %s.runs WHERE %s "
	    "IS NOT NULL ORDER BY 1", column, schema, column);
	if (sqlite3_prepare_v2(sql, q, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(sql, "reading runs");
	*count = 0;
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		n += (size_t)snprintf(out + n, n < len ? len - n : 0, "%s%s",
		    *count > 0 ? ", " : "", sqlite3_column_text(st, 0));
		(*count)++;
	}
	sqlite3_finalize(st);
	return 0;
}

/*
 * Check one attached input against what is already accepted (OUT's
 * runs and earlier inputs): the same scenario hash and knit version.
 */
static int
check_compatible(sqlite3 *sql, const char *in, char *hash, char *version,
    int force)
{
	static const char *const cols[2] = { "scenario_hash", "knit_version" };
	static const char *const what[2] = { "scenario content hash",
	    "knit version" };
	char vals[1024], *known[2] = { hash, version };
	int i, n;

	for (i = 0; i < 2; i++) {
		if (distinct_values(sql, "src", cols[i], vals, sizeof(vals),
		    &n) != 0)
			return -1;
		if (n == 0)
			continue;
		if (n > 1 || (known[i][0] != '\0' &&
		    strcmp(known[i], vals) != 0)) {
			if (force) {
				fprintf(stderr, "knit db merge: warning: %s: "
				    "%s %s differs (%s); merging anyway "
				    "(--force)\n", in, what[i], vals,
				    known[i][0] != '\0' ? known[i] : "mixed");
				continue;
			}
			fprintf(stderr, "knit db merge: %s: runs with %s %s, "
			    "but %s; refusing to mix campaigns (use --force "
			    "to merge anyway)\n", in, what[i], vals,
			    known[i][0] != '\0' ? known[i] :
			    "the input itself mixes several");
			return -1;
		}
		if (known[i][0] == '\0')
			snprintf(known[i], 256, "%.255s", vals);
	}
	return 0;
}

static int
exec1(sqlite3 *sql, const char *q, const char *what)
{
	if (sqlite3_exec(sql, q, NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(sql, what);
	return 0;
}

static int64_t
count_rows(sqlite3 *sql, const char *q)
{
	sqlite3_stmt *st;
	int64_t n = 0;

	if (sqlite3_prepare_v2(sql, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Copy the runs of attached `src' whose uid OUT lacks. */
static int
merge_one(sqlite3 *sql, const char *in, int64_t *added)
{
	size_t i;

	if (exec1(sql, "DELETE FROM temp.run_map", "mapping runs") != 0)
		return -1;
	/* New ids follow OUT's, in the input's order. */
	if (exec1(sql, "INSERT INTO temp.run_map (old, new) SELECT s.id, "
	    "(SELECT coalesce(max(id), 0) FROM main.runs) + row_number() OVER "
	    "(ORDER BY s.id) FROM src.runs s WHERE s.uid NOT IN (SELECT uid "
	    "FROM main.runs)", "mapping runs") != 0)
		return -1;
	if (exec1(sql, "INSERT INTO main.runs (id, uid, scenario, "
	    "scenario_hash, seed, strategy, params, knit_version, started_at, "
	    "wall_s, virtual_ns, events, verdict, trace_hash, trace_level, "
	    "campaign, shard, replay_of, note, pid, hostname) SELECT m.new, "
	    "uid, scenario, scenario_hash, seed, strategy, params, "
	    "knit_version, started_at, wall_s, virtual_ns, events, verdict, "
	    "trace_hash, trace_level, campaign, shard, NULL, note, pid, "
	    "hostname FROM src.runs s JOIN temp.run_map m ON m.old = s.id "
	    "ORDER BY m.new", "copying runs") != 0)
		return -1;
	for (i = 0; i < sizeof(copy_sql) / sizeof(copy_sql[0]); i++)
		if (exec1(sql, copy_sql[i], in) != 0)
			return -1;
	*added = count_rows(sql, "SELECT count(*) FROM temp.run_map");
	return 0;
}

static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int
attach(sqlite3 *sql, const char *path)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(sql, "ATTACH DATABASE ?1 AS src", -1, &st,
	    NULL) != SQLITE_OK)
		return sql_fail(sql, path);
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(sql, path);
	return 0;
}

static int
cmd_db_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char hash[256] = "", version[256] = "";
	struct db_err err;
	struct db *out, *in;
	sqlite3 *sql;
	int64_t total = 0, n;
	int ch, force = 0, i, cnt, rv = 2;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "fh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			force = 1;
			break;
		case 'h':
			fputs(cmd_db_help, stdout);
			return 0;
		default:
			return db_usage("bad option", NULL);
		}
	}
	if (argc - optind < 2)
		return db_usage("merge needs OUT and at least one IN", NULL);
	for (i = optind + 1; i < argc; i++) {
		if (same_file(argv[optind], argv[i]) ||
		    strcmp(argv[optind], argv[i]) == 0)
			return db_usage("an input is the output: ", argv[i]);
		/* Validates: a knit database of this schema version. */
		in = db_open(argv[i], DB_OPEN_READONLY, &err);
		if (in == NULL) {
			fprintf(stderr, "knit db merge: %s\n", err.de_msg);
			return 2;
		}
		db_close(in);
	}
	out = db_open(argv[optind], DB_OPEN_WRITE, &err);
	if (out == NULL) {
		fprintf(stderr, "knit db merge: %s\n", err.de_msg);
		return 2;
	}
	sql = db_sqlite(out);
	if (distinct_values(sql, "main", "scenario_hash", hash, sizeof(hash),
	    &cnt) != 0 || distinct_values(sql, "main", "knit_version",
	    version, sizeof(version), &cnt) != 0)
		goto done;
	/* First every input is checked, so a refusal changes nothing. */
	for (i = optind + 1; i < argc; i++) {
		if (attach(sql, argv[i]) != 0)
			goto done;
		cnt = check_compatible(sql, argv[i], hash, version, force);
		sqlite3_exec(sql, "DETACH DATABASE src", NULL, NULL, NULL);
		if (cnt != 0) {
			fprintf(stderr, "knit db merge: %s unchanged\n",
			    argv[optind]);
			goto done;
		}
	}
	if (exec1(sql, "CREATE TEMP TABLE IF NOT EXISTS run_map (old INTEGER "
	    "PRIMARY KEY, new INTEGER NOT NULL)", "preparing") != 0)
		goto done;
	/* One transaction per input (ATTACH cannot happen inside one). */
	for (i = optind + 1; i < argc; i++) {
		if (attach(sql, argv[i]) != 0)
			goto done;
		if (exec1(sql, "BEGIN IMMEDIATE", "locking the output") != 0 ||
		    merge_one(sql, argv[i], &n) != 0 ||
		    exec1(sql, "COMMIT", "committing") != 0) {
			sqlite3_exec(sql, "ROLLBACK", NULL, NULL, NULL);
			sqlite3_exec(sql, "DETACH DATABASE src", NULL, NULL,
			    NULL);
			fprintf(stderr, "knit db merge: %s not merged; inputs "
			    "before it were (merging again is safe)\n",
			    argv[i]);
			goto done;
		}
		printf("knit db merge: %s: %" PRId64 " new run(s), %" PRId64
		    " already present\n", argv[i], n,
		    count_rows(sql, "SELECT count(*) FROM src.runs") - n);
		sqlite3_exec(sql, "DETACH DATABASE src", NULL, NULL, NULL);
		total += n;
	}
	printf("knit db merge: %s: %" PRId64 " run(s) added\n", argv[optind],
	    total);
	rv = 0;
done:
	db_close(out);
	return rv;
}

static int
cmd_db_migrate(int argc, char **argv)
{
	struct db_err err;
	struct db *db;

	if (argc != 2)
		return db_usage("migrate needs exactly one FILE", NULL);
	db = db_open(argv[1], DB_OPEN_WRITE, &err);
	if (db == NULL) {
		fprintf(stderr, "knit db migrate: %s\n", err.de_msg);
		return 2;
	}
	db_close(db);
	printf("knit db migrate: %s is at schema version %d\n", argv[1],
	    DB_SCHEMA_VERSION);
	return 0;
}

int
cmd_db(int argc, char **argv)
{
	if (argc < 2)
		return db_usage("expected a subcommand: merge or migrate", NULL);
	if (strcmp(argv[1], "merge") == 0)
		return cmd_db_merge(argc - 1, argv + 1);
	if (strcmp(argv[1], "migrate") == 0)
		return cmd_db_migrate(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(cmd_db_help, stdout);
		return 0;
	}
	return db_usage("unknown subcommand: ", argv[1]);
}
