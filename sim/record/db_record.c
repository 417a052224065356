/*
 * Recording a run: the runs row, then batched inserts through prepared
 * statements inside transactions of up to DB_BATCH_ROWS rows.
 *
 * Invariants: the runs row is committed before db_run_begin returns, so
 * every later row refers to a committed run; a batch is committed
 * before the run's verdict changes, so a run that says pass/fail/
 * aborted has all its rows; violations are committed at once (a crash
 * right after a panic keeps it).  After the first error the run is
 * "failed": further recording calls do nothing and db_run_end reports
 * the error.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "record/db_int.h"
#include "record/schedule.h"
#include "sim.h"

static const char *const stmt_sql[DBS_COUNT] = {
	[DBS_ROUTE] = "INSERT INTO route_changes (run, seq, vtime, host, op, "
	    "dst, gateway, flags, policy, plen, dst_lo, dst_hi) VALUES (?1, "
	    "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[DBS_VIOLATION] = "INSERT INTO violations (run, kind, vtime, host, "
	    "cpu, lwp, message, stack, stack2, signature) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[DBS_EDGE] = "INSERT INTO lock_edges (run, from_lock, to_lock, count, "
	    "vtime, host, cpu, lwp, stack) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, "
	    "?7, ?8) ON CONFLICT (run, from_lock, to_lock) DO UPDATE SET "
	    "count = count + 1",
	[DBS_SCHEDULE] = "INSERT OR REPLACE INTO schedules (run, choices, "
	    "npoints) VALUES (?1, ?2, ?3)",
	[DBS_EVMAX] = "SELECT max(id) FROM events",
};

/* The first error of the run (r_sqlmtx held): roll the batch back. */
static int
fail_locked(struct db_run *r, const char *what)
{
	if (!r->r_failed) {
		dbi_error(r->r_db, &r->r_err, what);
		__atomic_store_n(&r->r_failed, 1, __ATOMIC_RELEASE);
	}
	if (r->r_in_tx) {
		/* SQLite may already have rolled back (SQLITE_FULL). */
		if (!sqlite3_get_autocommit(r->r_db->db_sql))
			sqlite3_exec(r->r_db->db_sql, "ROLLBACK", NULL, NULL,
			    NULL);
		r->r_in_tx = 0;
		r->r_rows = 0;
	}
	return -1;
}

int
dbi_run_fail(struct db_run *r, const char *what)
{
	pthread_mutex_lock(&r->r_sqlmtx);
	fail_locked(r, what);
	pthread_mutex_unlock(&r->r_sqlmtx);
	return -1;
}

/* Without the lock: a failed run stays failed. */
int
dbi_failed(const struct db_run *r)
{
	return __atomic_load_n(&r->r_failed, __ATOMIC_ACQUIRE);
}

static int
commit_locked(struct db_run *r)
{
	if (!r->r_in_tx)
		return r->r_failed ? -1 : 0;
	if (sqlite3_exec(r->r_db->db_sql, "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return fail_locked(r, "committing recorded rows");
	r->r_in_tx = 0;
	r->r_rows = 0;
	return 0;
}

/* Commit the batch with every event recorded so far (recording thread). */
static int
run_commit(struct db_run *r)
{
	int rv;

	dbi_events_sync(r);
	pthread_mutex_lock(&r->r_sqlmtx);
	rv = commit_locked(r);
	pthread_mutex_unlock(&r->r_sqlmtx);
	return rv;
}

#define PK_COLS		17	/* parameters per packet row */

/*
 * The SQL of DBS_PACKET (one row) or DBS_PACKETS (DBI_PACKET_ROWS).
 * OR FAIL, like the events': a plain INSERT that writes several rows
 * or a table and its indexes, and could stop half-way on a constraint,
 * keeps a statement journal to undo its part, a copy of every page it
 * touches (a third of a packet row's cost with 16 KiB pages).  A
 * failed row fails the run and rolls the whole batch back anyway.
 */
static const char *
packet_sql(enum db_stmt which)
{
	static char sql[160 + DBI_PACKET_ROWS * PK_COLS * 6];
	size_t n;
	int j, c, rows = which == DBS_PACKETS ? DBI_PACKET_ROWS : 1;

	n = (size_t)snprintf(sql, sizeof(sql), "INSERT OR FAIL INTO packets "
	    "(run, seq, vtime, host, nic, dir, proto, src, dst, len, summary, "
	    "bytes, pkt_key, flow, route_dst, route_gw, dst_bin) VALUES ");
	for (j = 0; j < rows; j++)
		for (c = 1; c <= PK_COLS; c++)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n,
			    "%s?%d%s", c > 1 ? "," : j > 0 ? ",(" : "(",
			    j * PK_COLS + c, c == PK_COLS ? ")" : "");
	return sql;
}

/*
 * The statement for one more row, inside a batch (r_sqlmtx held).
 * NULL: the run is failed; nothing must be recorded.
 */
sqlite3_stmt *
dbi_stmt_locked(struct db_run *r, enum db_stmt which)
{
	struct db *db = r->r_db;

	if (r->r_failed)
		return NULL;
	if (db->db_stmt[which] == NULL &&
	    sqlite3_prepare_v3(db->db_sql, stmt_sql[which] != NULL ?
	    stmt_sql[which] : which == DBS_PACKET || which == DBS_PACKETS ?
	    packet_sql(which) : dbi_event_sql(which), -1,
	    SQLITE_PREPARE_PERSISTENT, &db->db_stmt[which], NULL) !=
	    SQLITE_OK) {
		fail_locked(r, "preparing an insert");
		return NULL;
	}
	if (!r->r_in_tx) {
		if (sqlite3_exec(db->db_sql, "BEGIN IMMEDIATE", NULL, NULL,
		    NULL) != SQLITE_OK) {
			fail_locked(r, "starting a batch");
			return NULL;
		}
		r->r_in_tx = 1;
		/* Another writer may have added events since our last batch. */
		r->r_evmax_ok = 0;
	}
	return db->db_stmt[which];
}

/*
 * The largest events.id, read once per batch (r_sqlmtx held; opens the
 * batch).  The batch transaction holds the write lock, so until it
 * commits the value changes only by our own inserts, which
 * dbi_event_bind follows.
 */
int
dbi_evmax_locked(struct db_run *r)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = dbi_stmt_locked(r, DBS_EVMAX)) == NULL)
		return -1;
	if (r->r_evmax_ok)
		return 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		r->r_evmax = sqlite3_column_int64(st, 0); /* empty: NULL, 0 */
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return fail_locked(r, "reading the last event id");
	r->r_evmax_ok = 1;
	return 0;
}

/* Step the bound statement; commit when the batch is full. */
int
dbi_step_locked(struct db_run *r, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	/* Every parameter is bound on every row: no clear_bindings. */
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail_locked(r, "recording a row");
	if (++r->r_rows >= DB_BATCH_ROWS && !r->r_inblock)
		return commit_locked(r);
	return 0;
}

int
dbi_block_end_locked(struct db_run *r)
{
	r->r_inblock = 0;
	if (r->r_rows >= DB_BATCH_ROWS)
		return commit_locked(r);
	return r->r_failed ? -1 : 0;
}

/*
 * A row from the recording thread: the statement with r_sqlmtx taken
 * (run_step releases it), or NULL (lock not held) if nothing must be
 * recorded.  A pending signal closes the run here.
 */
static sqlite3_stmt *
run_stmt(struct db_run *r, enum db_stmt which)
{
	sqlite3_stmt *st;

	if (dbi_run_enter(r) <= 0)
		return NULL;
	pthread_mutex_lock(&r->r_sqlmtx);
	if ((st = dbi_stmt_locked(r, which)) == NULL)
		pthread_mutex_unlock(&r->r_sqlmtx);
	return st;
}

static int
run_step(struct db_run *r, sqlite3_stmt *st)
{
	int rv = dbi_step_locked(r, st);

	pthread_mutex_unlock(&r->r_sqlmtx);
	return rv;
}

/* NULL binds NULL. */
static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* A CPU or LWP number; negative means none (NULL). */
static void
bind_id(sqlite3_stmt *st, int i, int v)
{
	if (v >= 0)
		sqlite3_bind_int(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static void
hex64(char out[17], uint64_t v)
{
	snprintf(out, 17, "%016llx", (unsigned long long)v);
}

/* 128 random bits as hex, from the OS (outside any world). */
static void
make_uid(char out[33])
{
	unsigned char b[16];
	struct timespec ts;
	uint64_t x;
	int fd, i, ok = 0;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ok = read(fd, b, sizeof(b)) == (ssize_t)sizeof(b);
		close(fd);
	}
	if (!ok) {
		clock_gettime(CLOCK_REALTIME, &ts);
		x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
		    ((uint64_t)getpid() << 40);
		for (i = 0; i < 16; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			b[i] = (unsigned char)(x >> 56);
		}
	}
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

struct db_run *
db_run_begin(struct db *db, const struct db_run_info *ri, struct db_err *err)
{
	struct db_run *r;
	sqlite3_stmt *st;
	char uid[33], when[32], host[256];
	struct tm tm;
	time_t now;

	if (db == NULL || ri == NULL) {
		dbi_seterr(err, DB_ERR_INVALID, "db_run_begin: no database");
		return NULL;
	}
	if (db->db_readonly) {
		dbi_seterr(err, DB_ERR_READONLY, "%s: opened read-only",
		    db->db_file);
		return NULL;
	}
	if (db->db_active != NULL) {
		dbi_seterr(err, DB_ERR_INVALID, "%s: a run is already being "
		    "recorded (one run at a time per connection)",
		    db->db_file);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		dbi_seterr(err, DB_ERR_IO, "out of memory");
		return NULL;
	}
	dbi_events_init(r);
	r->r_db = db;
	r->r_trace = ri->ri_trace;
	r->r_wall_start = dbi_monotonic();
	make_uid(uid);
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "?");
	host[sizeof(host) - 1] = '\0';
	if (sqlite3_prepare_v2(db->db_sql,
	    "INSERT INTO runs (uid, scenario, scenario_hash, seed, strategy, "
	    "params, knit_version, started_at, verdict, trace_level, campaign, "
	    "shard, replay_of, pid, hostname) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, 'running', ?9, ?10, ?11, ?12, ?13, ?14)", -1, &st,
	    NULL) != SQLITE_OK) {
		dbi_error(db, err, "preparing the run");
		free(r);
		return NULL;
	}
	bind_text(st, 1, uid);
	bind_text(st, 2, ri->ri_scenario);
	bind_text(st, 3, ri->ri_scenario_hash);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)ri->ri_seed);
	bind_text(st, 5, ri->ri_strategy != NULL ? ri->ri_strategy :
	    "default");
	bind_text(st, 6, ri->ri_params);
	bind_text(st, 7, ri->ri_knit_version != NULL ? ri->ri_knit_version :
	    db_knit_version());
	bind_text(st, 8, when);
	bind_text(st, 9, db_trace_level_name(ri->ri_trace));
	bind_text(st, 10, ri->ri_campaign);
	bind_text(st, 11, ri->ri_shard);
	if (ri->ri_replay_of > 0)
		sqlite3_bind_int64(st, 12, ri->ri_replay_of);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)getpid());
	bind_text(st, 14, host);
	if (sqlite3_step(st) != SQLITE_DONE) {
		dbi_error(db, err, "recording the start of a run");
		sqlite3_finalize(st);
		free(r);
		return NULL;
	}
	sqlite3_finalize(st);
	r->r_id = sqlite3_last_insert_rowid(db->db_sql);
	db->db_active = r;
	dbi_set_active(r);
	return r;
}

int64_t
db_run_id(const struct db_run *r)
{
	return r != NULL ? r->r_id : 0;
}

enum db_trace_level
db_run_trace(const struct db_run *r)
{
	return r != NULL ? r->r_trace : DB_TRACE_OFF;
}

const struct db_err *
db_run_error(const struct db_run *r)
{
	return r != NULL && dbi_failed(r) ? &r->r_err : NULL;
}

int
db_run_flush(struct db_run *r)
{
	if (r == NULL || dbi_failed(r))
		return r == NULL ? 0 : -1;
	return run_commit(r);
}

/* Commit the batch and write the final row; frees r. */
static int
run_finish(struct db_run *r, enum db_verdict v,
    const struct db_run_result *res, const char *note, struct db_err *err)
{
	struct db *db = r->r_db;
	sqlite3_stmt *st = NULL;
	char hash[17];
	int ok;

	/* The writer inserts what is queued and ends; r is ours alone. */
	dbi_events_stop(r);
	pthread_mutex_lock(&r->r_sqlmtx);
	commit_locked(r);
	pthread_mutex_unlock(&r->r_sqlmtx);
	if (r->r_failed && v != DB_VERDICT_ABORTED)
		v = DB_VERDICT_ERROR;
	ok = sqlite3_prepare_v2(db->db_sql,
	    "UPDATE runs SET verdict = ?2, wall_s = ?3, virtual_ns = ?4, "
	    "events = ?5, trace_hash = ?6, note = coalesce(?7, note) "
	    "WHERE id = ?1", -1, &st, NULL) == SQLITE_OK;
	if (ok) {
		sqlite3_bind_int64(st, 1, r->r_id);
		bind_text(st, 2, db_verdict_name(v));
		sqlite3_bind_double(st, 3, dbi_monotonic() - r->r_wall_start);
		if (res != NULL) {
			sqlite3_bind_int64(st, 4,
			    (sqlite3_int64)res->rr_virtual_ns);
			sqlite3_bind_int64(st, 5, (sqlite3_int64)res->rr_events);
			hex64(hash, res->rr_trace_hash);
			bind_text(st, 6, hash);
		}
		bind_text(st, 7, note != NULL ? note : r->r_failed ?
		    r->r_err.de_msg : NULL);
		ok = sqlite3_step(st) == SQLITE_DONE;
	}
	if (!ok && !r->r_failed) {
		dbi_error(db, &r->r_err, "recording the end of a run");
		r->r_failed = 1;
	}
	sqlite3_finalize(st);
	if (r->r_failed && err != NULL)
		*err = r->r_err;
	ok = !r->r_failed;
	db->db_active = NULL;
	dbi_set_active(NULL);
	dbi_events_fini(r);
	free(r);
	return ok ? 0 : -1;
}

int
db_run_end(struct db_run *r, const struct db_run_result *res,
    struct db_err *err)
{
	if (r == NULL)
		return dbi_seterr(err, DB_ERR_INVALID, "db_run_end: no run");
	if (dbi_signal_pending)
		dbi_signal_die(r);
	return run_finish(r, res != NULL ? res->rr_verdict : DB_VERDICT_ERROR,
	    res, NULL, err);
}

int
db_run_abort(struct db_run *r, const char *why)
{
	if (r == NULL)
		return 0;
	return run_finish(r, DB_VERDICT_ABORTED, NULL,
	    why != NULL ? why : "aborted", NULL);
}

int
db_schedule(struct db_run *r, const void *blob, size_t len, size_t npoints)
{
	sqlite3_stmt *st = run_stmt(r, DBS_SCHEDULE);

	if (st == NULL)
		return r == NULL ? 0 : -1;
	sqlite3_bind_int64(st, 1, r->r_id);
	sqlite3_bind_blob64(st, 2, blob != NULL ? blob : "", len,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)npoints);
	return run_step(r, st);
}

int
db_schedule_save(struct db_run *r, const struct schedule *sd)
{
	uint8_t *blob;
	size_t len;
	int rv;

	if (r == NULL)
		return 0;
	blob = schedule_encode(sd, &len);
	if (blob == NULL)
		return dbi_run_fail(r, "encoding the schedule");
	rv = db_schedule(r, blob, len, sd->sd_len);
	free(blob);
	return rv;
}

static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t
db_packet_key(const void *bytes, size_t n)
{
	const unsigned char *p = bytes;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t hl, rest;

	if (p == NULL)
		return 0;
	/* Skip an Ethernet header carrying IPv4 or IPv6. */
	if (n >= 34 && ((p[12] == 0x08 && p[13] == 0x00) ||
	    (p[12] == 0x86 && p[13] == 0xdd)) && (p[14] >> 4 == 4 ||
	    p[14] >> 4 == 6)) {
		p += 14;
		n -= 14;
	}
	if (n >= 20 && p[0] >> 4 == 4) {
		hl = (size_t)(p[0] & 0xf) * 4;
		if (hl < 20 || hl > n)
			return 0;
		h = fnv1a(h, p + 2, 4);		/* total length, id */
		h = fnv1a(h, p + 9, 1);		/* protocol */
		h = fnv1a(h, p + 12, 8);	/* addresses */
		rest = n - hl < 8 ? n - hl : 8;
		h = fnv1a(h, p + hl, rest);	/* ports / ICMP id */
	} else if (n >= 40 && p[0] >> 4 == 6) {
		h = fnv1a(h, p + 1, 7);		/* flow label, length, nh */
		h = fnv1a(h, p + 8, 32);	/* addresses */
		rest = n - 40 < 8 ? n - 40 : 8;
		h = fnv1a(h, p + 40, rest);
	} else
		return 0;
	return h != 0 ? h : 1;
}

/* Values a packet row computes, kept until its statement is stepped. */
struct pk_scratch {
	char		 ps_flow[256];
	char		 ps_gw[48];
	unsigned char	 ps_dst[16];
};

/* "PROTO SRC > DST", cut to fit (what "%s %s > %s" gives, faster). */
static void
flow_text(char *out, size_t len, const struct db_packet *pk)
{
	const char *part[5] = { pk->pk_proto != NULL ? pk->pk_proto : "?",
	    " ", pk->pk_src != NULL ? pk->pk_src : "?", " > ",
	    pk->pk_dst != NULL ? pk->pk_dst : "?" };
	size_t n = 0, k;
	int i;

	for (i = 0; i < 5; i++) {
		k = strlen(part[i]);
		if (k > len - 1 - n)
			k = len - 1 - n;
		memcpy(out + n, part[i], k);
		n += k;
	}
	out[n] = '\0';
}

/*
 * route_gw in the canonical form route_changes.gateway has, into out.
 * A run's packets use a few gateways: the last one is remembered
 * (inet_pton + inet_ntop were a tenth of a packet row).
 */
static void
gw_canon(struct db_run *r, const char *gw, char *out, size_t len)
{
	const char *c;

	if (strcmp(gw, r->r_gwin) != 0) {
		c = dbi_addr_canon(gw, r->r_gwout, sizeof(r->r_gwout));
		if (c != r->r_gwout || strlen(gw) >= sizeof(r->r_gwin)) {
			r->r_gwin[0] = '\0';
			snprintf(out, len, "%s", c);
			return;
		}
		strcpy(r->r_gwin, gw);
	}
	snprintf(out, len, "%s", r->r_gwout);
}

/* Bind one packet row at parameters b + 1 .. b + PK_COLS. */
static void
packet_bind(struct db_run *r, sqlite3_stmt *st, int b, int64_t seq,
    const struct db_packet *pk, struct pk_scratch *ps)
{
	uint64_t key;
	int dlen;

	sqlite3_bind_int64(st, b + 1, r->r_id);
	sqlite3_bind_int64(st, b + 2, seq);
	sqlite3_bind_int64(st, b + 3, (sqlite3_int64)pk->pk_vtime);
	bind_text(st, b + 4, pk->pk_host);
	bind_text(st, b + 5, pk->pk_nic);
	bind_text(st, b + 6, pk->pk_dir);
	bind_text(st, b + 7, pk->pk_proto);
	bind_text(st, b + 8, pk->pk_src);
	bind_text(st, b + 9, pk->pk_dst);
	sqlite3_bind_int64(st, b + 10, pk->pk_len);
	bind_text(st, b + 11, pk->pk_summary);
	if (pk->pk_bytes != NULL)
		sqlite3_bind_blob64(st, b + 12, pk->pk_bytes, pk->pk_nbytes,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(st, b + 12);
	key = pk->pk_key != 0 ? pk->pk_key :
	    db_packet_key(pk->pk_bytes, pk->pk_nbytes);
	if (key != 0)
		sqlite3_bind_int64(st, b + 13, (sqlite3_int64)key);
	else
		sqlite3_bind_null(st, b + 13);
	if (pk->pk_flow != NULL)
		bind_text(st, b + 14, pk->pk_flow);
	else {
		flow_text(ps->ps_flow, sizeof(ps->ps_flow), pk);
		bind_text(st, b + 14, ps->ps_flow);
	}
	bind_text(st, b + 15, pk->pk_route_dst);
	if (pk->pk_route_gw != NULL) {
		gw_canon(r, pk->pk_route_gw, ps->ps_gw, sizeof(ps->ps_gw));
		bind_text(st, b + 16, ps->ps_gw);
	} else
		sqlite3_bind_null(st, b + 16);
	if (dbi_addr_parse(pk->pk_dst, ps->ps_dst, &dlen) == 0)
		sqlite3_bind_blob(st, b + 17, ps->ps_dst, dlen, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, b + 17);
}

/*
 * Insert n packet rows (r_sqlmtx held): DBI_PACKET_ROWS per statement,
 * the rest one per statement (a statement per row cost more than the
 * row itself).
 */
int
dbi_packets_locked(struct db_run *r, const int64_t *seq,
    const struct db_packet *pk, int n)
{
	struct pk_scratch ps[DBI_PACKET_ROWS];
	sqlite3_stmt *st;
	int i, j;

	for (i = 0; i < n; i += j) {
		if (n - i >= DBI_PACKET_ROWS) {
			if ((st = dbi_stmt_locked(r, DBS_PACKETS)) == NULL)
				return -1;
			for (j = 0; j < DBI_PACKET_ROWS; j++)
				packet_bind(r, st, j * PK_COLS, seq[i + j],
				    &pk[i + j], &ps[j]);
			/* dbi_step_locked counts one row */
			r->r_rows += DBI_PACKET_ROWS - 1;
		} else {
			if ((st = dbi_stmt_locked(r, DBS_PACKET)) == NULL)
				return -1;
			packet_bind(r, st, 0, seq[i], &pk[i], &ps[0]);
			j = 1;
		}
		if (dbi_step_locked(r, st) != 0)
			return -1;
	}
	return 0;
}

/*
 * A packet goes to the writer thread like an event (copied into the
 * block being filled); one too large for a block is inserted here.
 */
int
db_packet(struct db_run *r, const struct db_packet *pk)
{
	int64_t seq;
	int rv;

	if ((rv = dbi_run_enter(r)) <= 0)
		return rv;
	if (pk->pk_nbytes <= DBI_PACKET_BYTES)
		return dbi_packet_defer(r, r->r_seq++, pk);
	seq = r->r_seq++;
	pthread_mutex_lock(&r->r_sqlmtx);
	rv = dbi_packets_locked(r, &seq, pk, 1);
	pthread_mutex_unlock(&r->r_sqlmtx);
	return rv;
}

/* Bind and insert one route change row (r_sqlmtx held). */
int
dbi_route_locked(struct db_run *r, int64_t seq,
    const struct db_route_change *rc)
{
	sqlite3_stmt *st = dbi_stmt_locked(r, DBS_ROUTE);
	unsigned char lo[16], hi[16];
	char gw[64];
	int len, plen;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->r_id);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)rc->rc_vtime);
	bind_text(st, 4, rc->rc_host);
	bind_text(st, 5, rc->rc_op != NULL ? rc->rc_op : "?");
	bind_text(st, 6, rc->rc_dst);
	if (rc->rc_gateway != NULL)
		sqlite3_bind_text(st, 7, dbi_addr_canon(rc->rc_gateway, gw,
		    sizeof(gw)), -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 7);
	bind_text(st, 8, rc->rc_flags);
	bind_text(st, 9, rc->rc_policy);
	if (dbi_prefix_parse(rc->rc_dst, rc->rc_gateway, lo, hi, &len,
	    &plen) == 0) {
		sqlite3_bind_int(st, 10, plen);
		sqlite3_bind_blob(st, 11, lo, len, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 12, hi, len, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, 10);
		sqlite3_bind_null(st, 11);
		sqlite3_bind_null(st, 12);
	}
	return dbi_step_locked(r, st);
}

/* Route changes go to the writer thread like packets (db_event.c). */
int
db_route_change(struct db_run *r, const struct db_route_change *rc)
{
	int rv;

	if ((rv = dbi_run_enter(r)) <= 0)
		return rv;
	return dbi_route_defer(r, r->r_seq++, rc);
}

int
db_lock_edge(struct db_run *r, const char *from, const char *to,
    uint64_t vtime, const char *host, int cpu, int lwp, const char *stack)
{
	sqlite3_stmt *st = run_stmt(r, DBS_EDGE);

	if (st == NULL)
		return r == NULL ? 0 : -1;
	sqlite3_bind_int64(st, 1, r->r_id);
	bind_text(st, 2, from != NULL ? from : "?");
	bind_text(st, 3, to != NULL ? to : "?");
	sqlite3_bind_int64(st, 4, (sqlite3_int64)vtime);
	bind_text(st, 5, host);
	bind_id(st, 6, cpu);
	bind_id(st, 7, lwp);
	bind_text(st, 8, stack);
	return run_step(r, st);
}

/*
 * Signature text: kind, then each stack's frames with addresses and
 * offsets removed ("foo+0x1a [0x4005d0]" -> "foo"); without stacks the
 * message with digits removed.  Hashed to 16 hex digits.
 */
static uint64_t
sig_frames(uint64_t h, const char *s)
{
	const char *p = s, *w;
	size_t n;

	while (*p != '\0') {
		/* One line: the first word that is a name is the function. */
		n = 0;
		w = NULL;
		while (*p != '\0' && *p != '\n') {
			while (*p == ' ' || *p == '\t')
				p++;
			w = p;
			while (*p != '\0' && *p != '\n' && *p != ' ' &&
			    *p != '\t' && *p != '+' && *p != '(')
				p++;
			n = (size_t)(p - w);
			if (n > 0 && *w != '#' && *w != '[' && *w != '<' &&
			    !(*w >= '0' && *w <= '9'))
				break;
			n = 0;
			while (*p != '\0' && *p != '\n' && *p != ' ' &&
			    *p != '\t')
				p++;
		}
		if (n > 0)
			h = fnv1a(fnv1a(h, w, n), "\n", 1);
		while (*p != '\0' && *p != '\n')
			p++;
		if (*p == '\n')
			p++;
	}
	return h;
}

static void
violation_signature(char out[40], const char *kind, const char *msg,
    const char *stack, const char *stack2)
{
	uint64_t h = fnv1a(0xcbf29ce484222325ULL, kind, strlen(kind) + 1);
	const char *p;

	if (stack != NULL || stack2 != NULL) {
		if (stack != NULL)
			h = sig_frames(h, stack);
		h = fnv1a(h, "|", 1);
		if (stack2 != NULL)
			h = sig_frames(h, stack2);
	} else if (msg != NULL) {
		for (p = msg; *p != '\0'; p++)
			if (*p < '0' || *p > '9')
				h = fnv1a(h, p, 1);
	}
	snprintf(out, 40, "%s:%016llx", kind, (unsigned long long)h);
}

int
db_violation(struct db_run *r, const char *kind, uint64_t vtime,
    const char *host, int cpu, int lwp, const char *message,
    const char *stack, const char *stack2)
{
	sqlite3_stmt *st = run_stmt(r, DBS_VIOLATION);
	char sig[40];

	if (st == NULL)
		return r == NULL ? 0 : -1;
	if (kind == NULL)
		kind = "unknown";
	violation_signature(sig, kind, message, stack, stack2);
	sqlite3_bind_int64(st, 1, r->r_id);
	bind_text(st, 2, kind);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)vtime);
	bind_text(st, 4, host);
	bind_id(st, 5, cpu);
	bind_id(st, 6, lwp);
	bind_text(st, 7, message);
	bind_text(st, 8, stack);
	bind_text(st, 9, stack2);
	bind_text(st, 10, sig);
	if (run_step(r, st) != 0)
		return -1;
	/* A violation often precedes a crash: keep it. */
	return run_commit(r);
}

static const char *const kind_names[] = {
	[VIOL_PANIC] = "panic",
	[VIOL_LOCK_MISUSE] = "lock_misuse",
	[VIOL_DEADLOCK] = "deadlock",
	[VIOL_LOCK_ORDER] = "lock_order",
	[VIOL_DATA_RACE] = "data_race",
	[VIOL_MEMORY] = "memory",
	[VIOL_DIVERGENCE] = "divergence",
	[VIOL_EXPECTATION] = "expectation",
	[VIOL_FAULT] = "fault",
};

const char *
db_violation_kind_name(int kind)
{
	if (kind > 0 && (size_t)kind < sizeof(kind_names) /
	    sizeof(kind_names[0]) && kind_names[kind] != NULL)
		return kind_names[kind];
	return "unknown";
}

int
db_violation_add(struct db_run *r, const struct violation *v)
{
	const char *sep;
	char *first = NULL;
	int rv;

	if (r == NULL || v == NULL)
		return 0;
	sep = v->v_stack != NULL ? strstr(v->v_stack, "\n--\n") : NULL;
	if (sep != NULL) {
		first = strndup(v->v_stack, (size_t)(sep - v->v_stack));
		if (first == NULL)
			return dbi_run_fail(r, "recording a violation (out of "
			    "memory)");
	}
	rv = db_violation(r, db_violation_kind_name((int)v->v_kind),
	    v->v_time, v->v_host, v->v_cpu, v->v_lwp, v->v_message,
	    sep != NULL ? first : v->v_stack, sep != NULL ? sep + 4 : NULL);
	free(first);
	return rv;
}
