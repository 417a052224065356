/*
 * bench_db: how fast the run database records.
 *
 *	figure db_event_rows_per_s	events through db_event (prepared
 *					statement, DB_BATCH_ROWS-row
 *					transactions, WAL), file on disk
 *	figure db_packet_rows_per_s	packets with 64-byte frames
 *	figure db_raw_sqlite_rows_per_s	the same event rows with bare SQLite
 *					calls (no knit layer, one thread),
 *					the best way plain SQLite has: RAW_ROWS
 *					rows per INSERT, the key left to
 *					SQLite's rowid allocation (the
 *					ceiling knit's layer is held to)
 *	figure db_raw_sqlite_1row_rows_per_s	the same, one row per INSERT
 *					and the key bound (what the raw figure
 *					measured until schema 2: a statement
 *					per row, and a key search per row)
 *	figure db_event_caller_ns	CPU ns per event of the thread calling
 *					db_event (what a traced run pays; the
 *					writer thread does the SQLite work)
 *
 * Median over --runs (default 5) of --rows (default 1,000,000) rows each,
 * --only=events|raw|packets runs one group (for `perf stat' or
 * `valgrind --tool=callgrind', which count instructions),
 * into a fresh file under $TMPDIR (default /tmp).  Each figure comes
 * twice: per wall-clock second, and per CPU-second of the process
 * (*_cpu: this thread and the database's writer thread together; what
 * the machine can do when it is not shared; fsync waits are not
 * counted).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "record/db.h"

#define MAXRUNS 31
#define RAW_ROWS 32	/* rows per INSERT of the raw baseline */

static const char *lwps[] = { "softnet0", "ipintr", "user/ping", "idle0" };
static const char *kinds[] = { "switch", "lock_acquire", "lock_release",
	"softint_begin", "softint_end", "intr_begin" };

static char path[256];
static double last_cpu_rate;	/* rows per CPU-second of the last run */
static double last_caller_ns;	/* caller's CPU ns per row, last run */

/* CPU time of every thread of the process (db_event has a writer). */
static uint64_t
cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
fresh_path(void)
{
	const char *dir = getenv("TMPDIR");
	char cmd[1024];

	snprintf(path, sizeof(path), "%s/knit-bench-db-%d.db",
	    dir != NULL ? dir : "/tmp", (int)getpid());
	snprintf(cmd, sizeof(cmd), "rm -f %s %s-wal %s-shm", path, path, path);
	if (system(cmd) != 0)
		exit(1);
}

static struct db_run *
begin(struct db **dbp)
{
	struct db_run_info ri = { .ri_scenario = "bench", .ri_trace =
	    DB_TRACE_FULL };
	struct db_err err;
	struct db_run *r;

	fresh_path();
	*dbp = db_open(path, DB_OPEN_WRITE, &err);
	if (*dbp == NULL || (r = db_run_begin(*dbp, &ri, &err)) == NULL) {
		fprintf(stderr, "bench_db: %s\n", err.de_msg);
		exit(1);
	}
	return r;
}

static void
end(struct db *db, struct db_run *r)
{
	struct db_run_result res = { .rr_verdict = DB_VERDICT_PASS };
	struct db_err err;

	if (db_run_end(r, &res, &err) != 0) {
		fprintf(stderr, "bench_db: %s\n", err.de_msg);
		exit(1);
	}
	db_close(db);
}

/*
 * The rows of a run are the ones the bench wrote, under the keys
 * run << 36 | seq: both ways of writing store the same table.
 */
static void
rows_check(int64_t run, uint64_t rows)
{
	sqlite3 *sql;
	sqlite3_stmt *st;
	int64_t got = -1;

	if (sqlite3_open_v2(path, &sql, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(sql, "SELECT count(*) FROM events "
	    "WHERE run = ?1 AND id = run << 36 | seq AND vtime = seq * 10 AND "
	    "lwp = seq % 4 AND kind IS NOT NULL", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_db: %s: %s\n", path, sqlite3_errmsg(sql));
		exit(1);
	}
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW)
		got = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(sql);
	if (got != (int64_t)rows) {
		fprintf(stderr, "bench_db: run %lld has %lld of the %llu rows "
		    "written\n", (long long)run, (long long)got,
		    (unsigned long long)rows);
		exit(1);
	}
}

static double
events_once(uint64_t rows)
{
	struct db *db;
	struct db_run *r = begin(&db);
	int64_t run = db_run_id(r);
	uint64_t i, t0, t1, c0, tc0;

	c0 = cpu_now_ns();
	tc0 = bench_cpu_now_ns();
	t0 = bench_now_ns();
	for (i = 0; i < rows; i++)
		db_event(r, i * 10, "r1", (int)(i & 1), (int)(i & 3),
		    kinds[i % 6], lwps[i & 3], NULL);
	end(db, r);
	last_caller_ns = (double)(bench_cpu_now_ns() - tc0) / (double)rows;
	t1 = bench_now_ns();
	last_cpu_rate = (double)rows / ((double)(cpu_now_ns() - c0) *
	    1e-9);
	rows_check(run, rows);
	return (double)rows / ((double)(t1 - t0) * 1e-9);
}

static double
packets_once(uint64_t rows)
{
	struct db *db;
	struct db_run *r = begin(&db);
	unsigned char frame[64] = { 0x45, 0, 0, 64, 0, 0, 0, 0, 64, 17, 0, 0,
	    10, 0, 0, 1, 10, 0, 2, 1 };
	struct db_packet pk = { .pk_host = "r1", .pk_nic = "eth0",
	    .pk_dir = DB_PKT_FWD, .pk_proto = "udp", .pk_src = "10.0.0.1",
	    .pk_dst = "10.0.2.1", .pk_len = 64, .pk_summary = "UDP 5000 > 6000",
	    .pk_bytes = frame, .pk_nbytes = sizeof(frame),
	    .pk_route_dst = "10.0.2.0/24", .pk_route_gw = "10.0.1.2" };
	uint64_t i, t0, t1, c0;

	c0 = cpu_now_ns();
	t0 = bench_now_ns();
	for (i = 0; i < rows; i++) {
		frame[4] = (unsigned char)(i >> 8);
		frame[5] = (unsigned char)i;
		pk.pk_vtime = i * 100;
		db_packet(r, &pk);
	}
	end(db, r);
	t1 = bench_now_ns();
	last_cpu_rate = (double)rows / ((double)(cpu_now_ns() - c0) *
	    1e-9);
	return (double)rows / ((double)(t1 - t0) * 1e-9);
}

/* One raw row's parameters, at ?b+1..?b+9 (id, or NULL; run, seq, ...). */
static void
raw_bind(sqlite3_stmt *st, int b, int64_t run, uint64_t i, int keyed)
{
	if (keyed)
		sqlite3_bind_int64(st, b + 1, run << 36 | (int64_t)i);
	else
		sqlite3_bind_null(st, b + 1);
	sqlite3_bind_int64(st, b + 2, run);
	sqlite3_bind_int64(st, b + 3, (sqlite3_int64)i);
	sqlite3_bind_int64(st, b + 4, (sqlite3_int64)(i * 10));
	sqlite3_bind_text(st, b + 5, "r1", 2, SQLITE_STATIC);
	sqlite3_bind_int(st, b + 6, (int)(i & 1));
	sqlite3_bind_int(st, b + 7, (int)(i & 3));
	sqlite3_bind_text(st, b + 8, kinds[i % 6], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, b + 9, lwps[i & 3], -1, SQLITE_STATIC);
}

/*
 * The same rows with nothing but SQLite, nrows per INSERT: what the
 * layer costs.  keyed: bind the key run << 36 | seq; else leave it to
 * SQLite (the first row of the run is keyed, so that the rest follow).
 */
static double
raw_rows(uint64_t rows, int nrows, int keyed)
{
	struct db *db;
	struct db_run *r = begin(&db);
	sqlite3 *sql = db_sqlite(db);
	sqlite3_stmt *st, *one;
	char q[RAW_ROWS * 80 + 128];
	size_t n;
	uint64_t i, t0, t1, c0;
	int64_t run;
	int j;

	n = (size_t)snprintf(q, sizeof(q), "INSERT INTO events (id, run, "
	    "seq, vtime, host, cpu, lwp, kind, object, detail) VALUES ");
	for (j = 0; j < nrows; j++)
		n += (size_t)snprintf(q + n, sizeof(q) - n, "%s(?%d, ?%d, ?%d, "
		    "?%d, ?%d, ?%d, ?%d, ?%d, ?%d, NULL)", j > 0 ? ", " : "",
		    j * 9 + 1, j * 9 + 2, j * 9 + 3, j * 9 + 4, j * 9 + 5,
		    j * 9 + 6, j * 9 + 7, j * 9 + 8, j * 9 + 9);
	if (sqlite3_prepare_v2(sql, q, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(sql, "INSERT INTO events (id, run, seq, vtime, "
	    "host, cpu, lwp, kind, object, detail) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, NULL)", -1, &one, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_db: %s\n", sqlite3_errmsg(sql));
		exit(1);
	}
	c0 = cpu_now_ns();
	t0 = bench_now_ns();
	sqlite3_exec(sql, "BEGIN", NULL, NULL, NULL);
	for (i = 0; i < rows; i += (uint64_t)j) {
		if (i == 0 || rows - i < (uint64_t)nrows) {
			raw_bind(one, 0, db_run_id(r), i, 1);
			sqlite3_step(one);
			sqlite3_reset(one);
			j = 1;
		} else {
			for (j = 0; j < nrows; j++)
				raw_bind(st, j * 9, db_run_id(r), i + j, keyed);
			sqlite3_step(st);
			sqlite3_reset(st);
		}
		if ((i + j) / DB_BATCH_ROWS != i / DB_BATCH_ROWS) {
			sqlite3_exec(sql, "COMMIT", NULL, NULL, NULL);
			sqlite3_exec(sql, "BEGIN", NULL, NULL, NULL);
		}
	}
	sqlite3_exec(sql, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(st);
	sqlite3_finalize(one);
	run = db_run_id(r);
	end(db, r);
	t1 = bench_now_ns();
	last_cpu_rate = (double)rows / ((double)(cpu_now_ns() - c0) *
	    1e-9);
	rows_check(run, rows);
	return (double)rows / ((double)(t1 - t0) * 1e-9);
}

static double
raw_once(uint64_t rows)
{
	return raw_rows(rows, RAW_ROWS, 0);
}

static double
raw_1row_once(uint64_t rows)
{
	return raw_rows(rows, 1, 1);
}

static double caller_median;	/* of the last figures() */

static void
figures(const char *name, double (*once)(uint64_t), uint64_t rows, int runs)
{
	double wall[MAXRUNS], cpu[MAXRUNS], caller[MAXRUNS];
	char cname[128];
	int k;

	for (k = 0; k < runs; k++) {
		wall[k] = once(rows);
		cpu[k] = last_cpu_rate;
		caller[k] = last_caller_ns;
	}
	caller_median = bench_median(caller, runs);
	bench_figure(name, bench_median(wall, runs), "rows/s", runs);
	snprintf(cname, sizeof(cname), "%s_cpu", name);
	bench_figure(cname, bench_median(cpu, runs), "rows/cpu-s", runs);
}

int
main(int argc, char **argv)
{
	uint64_t rows = 1000000, runs = 5;
	const char *only = NULL;
	int i;
	char cmd[1024];

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--only=", 7) == 0 &&
		    (strcmp(argv[i] + 7, "events") == 0 ||
		    strcmp(argv[i] + 7, "raw") == 0 ||
		    strcmp(argv[i] + 7, "packets") == 0))
			only = argv[i] + 7;
		else if (!bench_opt_u64(argv[i], "rows", &rows) &&
		    !bench_opt_u64(argv[i], "runs", &runs)) {
			fprintf(stderr, "bench_db: bad argument %s\nusage: "
			    "bench_db [--rows=N] [--runs=N] "
			    "[--only=events|raw|packets]\n", argv[i]);
			return 2;
		}
	}
	if (runs < 1 || runs > MAXRUNS)
		runs = 5;
	if (only == NULL || strcmp(only, "events") == 0) {
		figures("db_event_rows_per_s", events_once, rows, (int)runs);
		bench_figure("db_event_caller_ns", caller_median, "ns/row",
		    (int)runs);
	}
	if (only == NULL || strcmp(only, "raw") == 0) {
		figures("db_raw_sqlite_rows_per_s", raw_once, rows, (int)runs);
		figures("db_raw_sqlite_1row_rows_per_s", raw_1row_once, rows,
		    (int)runs);
	}
	if (only == NULL || strcmp(only, "packets") == 0)
		figures("db_packet_rows_per_s", packets_once, rows / 4,
		    (int)runs);
	snprintf(cmd, sizeof(cmd), "rm -f %s %s-wal %s-shm", path, path, path);
	return system(cmd) == 0 ? 0 : 1;
}
