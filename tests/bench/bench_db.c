/*
 * bench_db: how fast the run database records.
 *
 *	figure db_event_rows_per_s	events through db_event (prepared
 *					statement, DB_BATCH_ROWS-row
 *					transactions, WAL), file on disk
 *	figure db_packet_rows_per_s	packets with 64-byte frames
 *	figure db_raw_sqlite_rows_per_s	the same event rows with bare SQLite
 *					calls (no knit layer): the ceiling
 *	figure db_event_caller_ns	CPU ns per event of the thread calling
 *					db_event (what a traced run pays; the
 *					writer thread does the SQLite work)
 *
 * Median over --runs (default 5) of --rows (default 1,000,000) rows each,
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

static double
events_once(uint64_t rows)
{
	struct db *db;
	struct db_run *r = begin(&db);
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

/* The same rows with nothing but SQLite: what the layer costs. */
static double
raw_once(uint64_t rows)
{
	struct db *db;
	struct db_run *r = begin(&db);
	sqlite3 *sql = db_sqlite(db);
	sqlite3_stmt *st;
	uint64_t i, t0, t1, c0;

	if (sqlite3_prepare_v2(sql, "INSERT INTO events (id, run, seq, "
	    "vtime, host, cpu, lwp, kind, object, detail) VALUES (?1 << 36 | "
	    "?2, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &st, NULL) != SQLITE_OK)
		exit(1);
	c0 = cpu_now_ns();
	t0 = bench_now_ns();
	sqlite3_exec(sql, "BEGIN", NULL, NULL, NULL);
	for (i = 0; i < rows; i++) {
		sqlite3_bind_int64(st, 1, db_run_id(r));
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)(i * 10));
		sqlite3_bind_text(st, 4, "r1", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, (int)(i & 1));
		sqlite3_bind_int(st, 6, (int)(i & 3));
		sqlite3_bind_text(st, 7, kinds[i % 6], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, lwps[i & 3], -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
		if (i % DB_BATCH_ROWS == DB_BATCH_ROWS - 1) {
			sqlite3_exec(sql, "COMMIT", NULL, NULL, NULL);
			sqlite3_exec(sql, "BEGIN", NULL, NULL, NULL);
		}
	}
	sqlite3_exec(sql, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(st);
	end(db, r);
	t1 = bench_now_ns();
	last_cpu_rate = (double)rows / ((double)(cpu_now_ns() - c0) *
	    1e-9);
	return (double)rows / ((double)(t1 - t0) * 1e-9);
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
	int i;
	char cmd[1024];

	for (i = 1; i < argc; i++) {
		if (!bench_opt_u64(argv[i], "rows", &rows) &&
		    !bench_opt_u64(argv[i], "runs", &runs)) {
			fprintf(stderr, "usage: bench_db [--rows=N] "
			    "[--runs=N]\n");
			return 2;
		}
	}
	if (runs < 1 || runs > MAXRUNS)
		runs = 5;
	figures("db_event_rows_per_s", events_once, rows, (int)runs);
	bench_figure("db_event_caller_ns", caller_median, "ns/row", (int)runs);
	figures("db_raw_sqlite_rows_per_s", raw_once, rows, (int)runs);
	figures("db_packet_rows_per_s", packets_once, rows / 4, (int)runs);
	snprintf(cmd, sizeof(cmd), "rm -f %s %s-wal %s-shm", path, path, path);
	return system(cmd) == 0 ? 0 : 1;
}
