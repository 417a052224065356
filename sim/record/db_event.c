/*
 * Trace events: the high-volume table, written by a thread of its own.
 *
 * db_event (the recording thread, i.e. the world's) copies an event
 * into the block being filled, r_fill (strings into the block's
 * arena).  A full block goes onto the queue; the writer thread takes
 * blocks in order and inserts their rows DBI_EVENT_ROWS per multi-row
 * INSERT under r_sqlmtx, through the same batch transactions as every
 * other row.  So the simulation pays for a copy per event and SQLite
 * runs beside it; the world is never touched by the writer.
 *
 * Invariants: blocks are inserted in the order they were filled, and
 * every event of a block has a lower seq than every event of the next
 * one.  dbi_events_sync returns only when r_fill is empty, the queue is
 * empty and the writer holds no block: a commit after it contains every
 * event recorded before it (run_commit, hence db_run_flush, db_run_end,
 * db_run_abort and a committed violation rely on that).  At most
 * DBI_QUEUE_MAX blocks wait; a recorder that gets ahead waits for the
 * writer, so memory stays bounded.  After a failure (r_failed) blocks
 * are dropped, not inserted.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/db_int.h"

#define EV_COLS		10	/* parameters per row */

static char events_sql[64 + DBI_EVENT_ROWS * 80];

/* The SQL of DBS_EVENT (one row) or DBS_EVENTS (DBI_EVENT_ROWS rows). */
const char *
dbi_event_sql(enum db_stmt which)
{
	size_t n;
	int j, b, c, rows = which == DBS_EVENTS ? DBI_EVENT_ROWS : 1;

	/* OR FAIL: see packet_sql (db_record.c). */
	n = (size_t)snprintf(events_sql, sizeof(events_sql), "INSERT OR FAIL "
	    "INTO events (id, run, seq, vtime, host, cpu, lwp, kind, object, "
	    "detail) VALUES ");
	for (j = 0; j < rows; j++) {
		b = j * EV_COLS;
		for (c = 1; c <= EV_COLS; c++)
			n += (size_t)snprintf(events_sql + n,
			    sizeof(events_sql) - n, "%s?%d%s",
			    c > 1 ? "," : j > 0 ? ",(" : "(", b + c,
			    c == EV_COLS ? ")" : "");
	}
	return events_sql;
}

/*
 * The key run << 36 | seq.  When it is the table's largest id plus one
 * (the common case: the run's events follow each other with no packet
 * or route change between them) it is bound as NULL, and SQLite's
 * rowid allocation (largest + 1, by going to the last leaf) gives the
 * same value without the uniqueness search an explicit key costs (a
 * binary search from the root: a fifth of the insert).  r_evmax
 * follows the table's largest id within the batch (dbi_evmax_locked).
 */
static void
bind_event(struct db_run *r, sqlite3_stmt *st, int row,
    const struct dbi_evblock *eb, const struct dbi_event *ev)
{
	int b = row * EV_COLS, i;
	static const int col[4] = { 5, 8, 9, 10 };
	int64_t id = r->r_id << 36 | ev->ev_seq;

	if (id == r->r_evmax + 1)
		sqlite3_bind_null(st, b + 1);
	else
		sqlite3_bind_int64(st, b + 1, id);
	if (id > r->r_evmax)
		r->r_evmax = id;
	sqlite3_bind_int64(st, b + 2, r->r_id);
	sqlite3_bind_int64(st, b + 3, ev->ev_seq);
	sqlite3_bind_int64(st, b + 4, (sqlite3_int64)ev->ev_vtime);
	if (ev->ev_cpu >= 0)
		sqlite3_bind_int(st, b + 6, ev->ev_cpu);
	else
		sqlite3_bind_null(st, b + 6);
	if (ev->ev_lwp >= 0)
		sqlite3_bind_int(st, b + 7, ev->ev_lwp);
	else
		sqlite3_bind_null(st, b + 7);
	for (i = 0; i < 4; i++) {
		if (ev->ev_str[i] < 0)
			sqlite3_bind_null(st, b + col[i]);
		else
			sqlite3_bind_text(st, b + col[i],
			    eb->eb_arena + ev->ev_str[i], ev->ev_len[i],
			    SQLITE_STATIC);
	}
}

/* A queued packet as struct db_packet, its strings in eb's arena. */
static void
packet_get(const struct dbi_evblock *eb, const struct dbi_packet *dp,
    const char *const *s, struct db_packet *pk)
{
	memset(pk, 0, sizeof(*pk));
	pk->pk_vtime = dp->dp_vtime;
	pk->pk_host = s[0];
	pk->pk_nic = s[1];
	pk->pk_dir = s[2];
	pk->pk_proto = s[3];
	pk->pk_src = s[4];
	pk->pk_dst = s[5];
	pk->pk_summary = s[6];
	pk->pk_flow = s[7];
	pk->pk_route_dst = s[8];
	pk->pk_route_gw = s[9];
	pk->pk_len = dp->dp_len;
	pk->pk_key = dp->dp_key;
	if (dp->dp_bytes >= 0) {
		pk->pk_bytes = eb->eb_arena + dp->dp_bytes;
		pk->pk_nbytes = (size_t)dp->dp_nbytes;
	}
}

/*
 * A block's packets and route changes, in order: route changes one by
 * one, packets DBI_PACKET_ROWS per statement.
 */
static void
rows_insert(struct db_run *r, const struct dbi_evblock *eb)
{
	struct db_packet pk[DBI_PACKET_ROWS];
	int64_t pseq[DBI_PACKET_ROWS];
	const struct dbi_packet *dp;
	const char *s[DBI_PK_NSTR];
	struct db_route_change rc;
	int i, k, np = 0;

	for (i = 0; i < eb->eb_nev && !r->r_failed; i++) {
		if (eb->eb_ev[i].ev_pk < 0)
			continue;
		dp = &eb->eb_pk[eb->eb_ev[i].ev_pk];
		for (k = 0; k < DBI_PK_NSTR; k++)
			s[k] = dp->dp_str[k] >= 0 ? eb->eb_arena +
			    dp->dp_str[k] : NULL;
		if (dp->dp_table == DBS_ROUTE) {
			memset(&rc, 0, sizeof(rc));
			rc.rc_vtime = dp->dp_vtime;
			rc.rc_host = s[0];
			rc.rc_op = s[1];
			rc.rc_dst = s[2];
			rc.rc_gateway = s[3];
			rc.rc_flags = s[4];
			rc.rc_policy = s[5];
			dbi_route_locked(r, eb->eb_ev[i].ev_seq, &rc);
			continue;
		}
		pseq[np] = eb->eb_ev[i].ev_seq;
		packet_get(eb, dp, s, &pk[np]);
		if (++np == DBI_PACKET_ROWS) {
			dbi_packets_locked(r, pseq, pk, np);
			np = 0;
		}
	}
	if (np > 0 && !r->r_failed)
		dbi_packets_locked(r, pseq, pk, np);
}

/*
 * Insert one block (writer thread, r_sqlmtx held): its events
 * DBI_EVENT_ROWS per statement (the last few one per statement), then
 * its packets and route changes.  They are different tables and every
 * row carries its seq, so the order of the inserts does not matter;
 * packets between events must not break the multi-row runs (a packet
 * every ~13 events in route_flap made most events single-row inserts,
 * three times the cost per row).  A batch commit waits for the end of
 * the block (r_inblock): a commit never holds part of a block, so a
 * crash loses a suffix of the run's rows in seq order, not a mix.
 */
static void
block_insert(struct db_run *r, const struct dbi_evblock *eb)
{
	const struct dbi_event *run[DBI_EVENT_ROWS];
	sqlite3_stmt *st;
	int i, j, k = 0, n = eb->eb_nev;

	r->r_inblock = 1;
	for (i = 0; i <= n && !r->r_failed; i++) {
		if (i < n && eb->eb_ev[i].ev_pk >= 0)
			continue;
		if (i < n)
			run[k++] = &eb->eb_ev[i];
		if (k == DBI_EVENT_ROWS) {
			if ((st = dbi_stmt_locked(r, DBS_EVENTS)) == NULL ||
			    dbi_evmax_locked(r) != 0)
				break;
			for (j = 0; j < DBI_EVENT_ROWS; j++)
				bind_event(r, st, j, eb, run[j]);
			/* dbi_step_locked counts one row */
			r->r_rows += DBI_EVENT_ROWS - 1;
			k = 0;
			if (dbi_step_locked(r, st) != 0)
				break;
		} else if (i == n) {
			for (j = 0; j < k; j++) {
				if ((st = dbi_stmt_locked(r, DBS_EVENT)) ==
				    NULL || dbi_evmax_locked(r) != 0)
					break;
				bind_event(r, st, 0, eb, run[j]);
				if (dbi_step_locked(r, st) != 0)
					break;
			}
		}
	}
	if (!r->r_failed)
		rows_insert(r, eb);
	dbi_block_end_locked(r);
}

static void *
writer_main(void *arg)
{
	struct db_run *r = arg;
	struct dbi_evblock *eb;

	pthread_mutex_lock(&r->r_qmtx);
	for (;;) {
		while (r->r_qhead == NULL && !r->r_stop) {
			__atomic_store_n(&r->r_hungry, 1, __ATOMIC_RELAXED);
			pthread_cond_wait(&r->r_qwork, &r->r_qmtx);
		}
		__atomic_store_n(&r->r_hungry, 0, __ATOMIC_RELAXED);
		if ((eb = r->r_qhead) == NULL)
			break;			/* stopped and drained */
		if ((r->r_qhead = eb->eb_next) == NULL)
			r->r_qtail = NULL;
		r->r_qlen--;
		r->r_writing = 1;
		pthread_mutex_unlock(&r->r_qmtx);

		pthread_mutex_lock(&r->r_sqlmtx);
		if (!r->r_failed)
			block_insert(r, eb);
		pthread_mutex_unlock(&r->r_sqlmtx);

		pthread_mutex_lock(&r->r_qmtx);
		eb->eb_next = r->r_free;
		r->r_free = eb;
		r->r_writing = 0;
		pthread_cond_broadcast(&r->r_qidle);
	}
	pthread_mutex_unlock(&r->r_qmtx);
	return NULL;
}

void
dbi_events_init(struct db_run *r)
{
	pthread_mutex_init(&r->r_sqlmtx, NULL);
	pthread_mutex_init(&r->r_qmtx, NULL);
	pthread_cond_init(&r->r_qwork, NULL);
	pthread_cond_init(&r->r_qidle, NULL);
}

/*
 * The writer, started with the first full block.  It blocks every
 * signal: SIGINT and friends must reach the recording thread, whose
 * next recording call closes the run (db_signal.c).  Without a thread
 * (pthread_create failed) blocks are inserted by the recorder itself.
 */
static void
writer_start(struct db_run *r)
{
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r->r_thread = pthread_create(&r->r_writer, NULL, writer_main, r) == 0;
	r->r_nothread = !r->r_thread;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * Queue r_fill (recording thread).  The writer starts with the first
 * full or eager block (fill_eager); a run that never fills
 * DBI_EAGER_ROWS rows inserts them here, without a thread.
 */
static void
fill_push(struct db_run *r, int full)
{
	struct dbi_evblock *eb = r->r_fill;

	r->r_fill = NULL;
	if (eb == NULL)
		return;
	if (!r->r_thread) {
		if (full)
			writer_start(r);
		if (!r->r_thread) {
			pthread_mutex_lock(&r->r_sqlmtx);
			if (!r->r_failed)
				block_insert(r, eb);
			pthread_mutex_unlock(&r->r_sqlmtx);
			eb->eb_next = r->r_free;
			r->r_free = eb;
			return;
		}
	}
	eb->eb_next = NULL;
	pthread_mutex_lock(&r->r_qmtx);
	while (r->r_qlen >= DBI_QUEUE_MAX)
		pthread_cond_wait(&r->r_qidle, &r->r_qmtx);
	if (r->r_qtail != NULL)
		r->r_qtail->eb_next = eb;
	else
		r->r_qhead = eb;
	r->r_qtail = eb;
	r->r_qlen++;
	pthread_cond_signal(&r->r_qwork);
	pthread_mutex_unlock(&r->r_qmtx);
}

/* An empty block to fill (recording thread); NULL if out of memory. */
static struct dbi_evblock *
fill_get(struct db_run *r)
{
	struct dbi_evblock *eb;

	pthread_mutex_lock(&r->r_qmtx);
	if ((eb = r->r_free) != NULL)
		r->r_free = eb->eb_next;
	pthread_mutex_unlock(&r->r_qmtx);
	if (eb == NULL && (eb = malloc(sizeof(*eb))) == NULL)
		return NULL;
	eb->eb_next = NULL;
	eb->eb_nev = 0;
	eb->eb_npk = 0;
	eb->eb_arenalen = 0;
	return eb;
}

int
dbi_events_sync(struct db_run *r)
{
	fill_push(r, 0);
	if (r->r_thread) {
		pthread_mutex_lock(&r->r_qmtx);
		while (r->r_qhead != NULL || r->r_writing)
			pthread_cond_wait(&r->r_qidle, &r->r_qmtx);
		pthread_mutex_unlock(&r->r_qmtx);
	}
	return dbi_failed(r) ? -1 : 0;
}

void
dbi_events_stop(struct db_run *r)
{
	struct dbi_evblock *eb;

	dbi_events_sync(r);
	if (r->r_thread) {
		pthread_mutex_lock(&r->r_qmtx);
		r->r_stop = 1;
		pthread_cond_signal(&r->r_qwork);
		pthread_mutex_unlock(&r->r_qmtx);
		pthread_join(r->r_writer, NULL);
		r->r_thread = 0;
	}
	while ((eb = r->r_free) != NULL) {
		r->r_free = eb->eb_next;
		free(eb);
	}
}

void
dbi_events_fini(struct db_run *r)
{
	pthread_cond_destroy(&r->r_qwork);
	pthread_cond_destroy(&r->r_qidle);
	pthread_mutex_destroy(&r->r_qmtx);
	pthread_mutex_destroy(&r->r_sqlmtx);
}

/* Copy s into eb's arena; 0, or -1 when it does not fit. */
static int
arena_put(struct dbi_evblock *eb, const char *s, int *off, int *len)
{
	size_t n;

	if (s == NULL) {
		*off = -1;
		*len = 0;
		return 0;
	}
	n = strlen(s);
	if (n > DBI_ARENA / 8)
		n = DBI_ARENA / 8;	/* longer details are cut */
	if (eb->eb_arenalen + (int)n > DBI_ARENA)
		return -1;
	memcpy(eb->eb_arena + eb->eb_arenalen, s, n);
	*off = eb->eb_arenalen;
	*len = (int)n;
	eb->eb_arenalen += (int)n;
	return 0;
}

/*
 * After a row was added to r_fill: hand it over when it is full, or
 * when it holds DBI_EAGER_ROWS rows and the writer is idle or not
 * started.  The relaxed read of r_hungry may be stale: a block handed
 * over a little late or early is harmless (ordering comes from the
 * queue).
 */
static void
fill_check(struct db_run *r)
{
	int n = r->r_fill->eb_nev;

	if (n == DBI_BLOCK_ROWS || (n >= DBI_EAGER_ROWS && !r->r_nothread &&
	    (!r->r_thread || __atomic_load_n(&r->r_hungry,
	    __ATOMIC_RELAXED))))
		fill_push(r, 1);
}

int
db_event(struct db_run *r, uint64_t vtime, const char *host, int cpu,
    int lwp, const char *kind, const char *object, const char *detail)
{
	const char *s[4] = { host, kind != NULL ? kind : "?", object, detail };
	struct dbi_evblock *eb;
	struct dbi_event *ev;
	int i;

	if ((i = dbi_run_enter(r)) <= 0)
		return i;
	if ((eb = r->r_fill) == NULL && (eb = r->r_fill = fill_get(r)) == NULL)
		return dbi_run_fail(r, "recording an event (out of memory)");
	ev = &eb->eb_ev[eb->eb_nev];
	for (i = 0; i < 4; i++) {
		if (arena_put(eb, s[i], &ev->ev_str[i], &ev->ev_len[i]) != 0) {
			/* Arena full: hand the block over, start another. */
			fill_push(r, 1);
			if ((eb = r->r_fill = fill_get(r)) == NULL)
				return dbi_run_fail(r, "recording an event "
				    "(out of memory)");
			ev = &eb->eb_ev[0];
			i = -1;
		}
	}
	ev->ev_seq = r->r_seq++;
	ev->ev_vtime = vtime;
	ev->ev_cpu = cpu;
	ev->ev_lwp = lwp;
	ev->ev_pk = -1;
	eb->eb_nev++;
	fill_check(r);
	return 0;
}

/* Copy n bytes (a NUL-terminated string when s is text) into eb's arena. */
static int
arena_copy(struct dbi_evblock *eb, const void *p, size_t n, int *off)
{
	if (eb->eb_arenalen + (int)n > DBI_ARENA)
		return -1;
	memcpy(eb->eb_arena + eb->eb_arenalen, p, n);
	*off = eb->eb_arenalen;
	eb->eb_arenalen += (int)n;
	return 0;
}

/*
 * Copy a packet or a route change (table, its nstr strings s, a
 * packet's bytes) into the block being filled; 0 or -1 (block full).
 * dp_vtime, dp_key, dp_len are the caller's to set on success.
 */
static struct dbi_packet *
row_put(struct dbi_evblock *eb, int64_t seq, enum db_stmt table,
    const char *const *s, int nstr, const void *bytes, size_t nbytes)
{
	struct dbi_event *ev = &eb->eb_ev[eb->eb_nev];
	struct dbi_packet *dp = &eb->eb_pk[eb->eb_npk];
	size_t n;
	int i;

	if (eb->eb_nev == DBI_BLOCK_ROWS || eb->eb_npk == DBI_BLOCK_ROWS / 4)
		return NULL;
	for (i = 0; i < DBI_PK_NSTR; i++) {
		dp->dp_str[i] = -1;
		if (i >= nstr || s[i] == NULL)
			continue;
		n = strnlen(s[i], DBI_ARENA / 8);
		if (arena_copy(eb, s[i], n + 1, &dp->dp_str[i]) != 0)
			return NULL;
		eb->eb_arena[dp->dp_str[i] + (int)n] = '\0';	/* if cut */
	}
	dp->dp_bytes = -1;
	dp->dp_nbytes = 0;
	if (bytes != NULL) {
		if (arena_copy(eb, bytes, nbytes, &dp->dp_bytes) != 0)
			return NULL;
		dp->dp_nbytes = (int)nbytes;
	}
	dp->dp_table = table;
	dp->dp_key = 0;
	dp->dp_len = 0;
	memset(ev, 0, sizeof(*ev));
	ev->ev_seq = seq;
	ev->ev_pk = eb->eb_npk++;
	eb->eb_nev++;
	return dp;
}

/*
 * Queue a row of another table: into the block being filled, or (it
 * does not fit) into a fresh one.  NULL: the run failed.
 */
static struct dbi_packet *
row_defer(struct db_run *r, int64_t seq, enum db_stmt table,
    const char *const *s, int nstr, const void *bytes, size_t nbytes)
{
	struct dbi_evblock *eb;
	struct dbi_packet *dp;
	int len = r->r_fill != NULL ? r->r_fill->eb_arenalen : 0;
	int route = table == DBS_ROUTE;

	if ((eb = r->r_fill) == NULL && (eb = r->r_fill = fill_get(r)) ==
	    NULL) {
		dbi_run_fail(r, route ? "recording a route change (out of "
		    "memory)" : "recording a packet (out of memory)");
		return NULL;
	}
	if ((dp = row_put(eb, seq, table, s, nstr, bytes, nbytes)) == NULL) {
		eb->eb_arenalen = len;	/* drop the partial copy */
		fill_push(r, 1);
		if ((eb = r->r_fill = fill_get(r)) == NULL ||
		    (dp = row_put(eb, seq, table, s, nstr, bytes, nbytes)) ==
		    NULL) {
			dbi_run_fail(r, eb == NULL ? (route ? "recording a "
			    "route change (out of memory)" : "recording a "
			    "packet (out of memory)") : route ? "recording a "
			    "route change (too large)" : "recording a packet "
			    "(too large)");
			return NULL;
		}
	}
	return dp;
}


int
dbi_packet_defer(struct db_run *r, int64_t seq, const struct db_packet *pk)
{
	const char *s[DBI_PK_NSTR] = { pk->pk_host, pk->pk_nic, pk->pk_dir,
	    pk->pk_proto, pk->pk_src, pk->pk_dst, pk->pk_summary,
	    pk->pk_flow, pk->pk_route_dst, pk->pk_route_gw };
	struct dbi_packet *dp;

	if ((dp = row_defer(r, seq, DBS_PACKET, s, DBI_PK_NSTR, pk->pk_bytes,
	    pk->pk_bytes != NULL ? pk->pk_nbytes : 0)) == NULL)
		return -1;
	dp->dp_vtime = pk->pk_vtime;
	dp->dp_key = pk->pk_key;
	dp->dp_len = pk->pk_len;
	fill_check(r);
	return 0;
}

int
dbi_route_defer(struct db_run *r, int64_t seq,
    const struct db_route_change *rc)
{
	const char *s[DBI_RC_NSTR] = { rc->rc_host, rc->rc_op, rc->rc_dst,
	    rc->rc_gateway, rc->rc_flags, rc->rc_policy };
	struct dbi_packet *dp;

	if ((dp = row_defer(r, seq, DBS_ROUTE, s, DBI_RC_NSTR, NULL, 0)) ==
	    NULL)
		return -1;
	dp->dp_vtime = rc->rc_vtime;
	fill_check(r);
	return 0;
}
