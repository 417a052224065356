/*
 * Trace events: the high-volume table.  db_event copies an event into
 * the run's buffer (strings into its arena); every DBI_EVENT_ROWS events
 * go in with one multi-row INSERT.  Pending events are flushed before
 * any commit (dbi_events_flush from run_commit), so a committed batch
 * never misses events recorded before it; a failed run drops them.
 *
 * Invariant: r_ev[0..r_nev-1] are recorded-but-not-inserted events in
 * seq order; their strings live in r_arena[0..r_arenalen-1].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/db_int.h"

#define EV_COLS		9	/* parameters per row */

static char events_sql[64 + DBI_EVENT_ROWS * 80];

/* The SQL of DBS_EVENT (one row) or DBS_EVENTS (DBI_EVENT_ROWS rows). */
const char *
dbi_event_sql(enum db_stmt which)
{
	size_t n;
	int j, b, rows = which == DBS_EVENTS ? DBI_EVENT_ROWS : 1;

	n = (size_t)snprintf(events_sql, sizeof(events_sql), "INSERT INTO "
	    "events (id, run, seq, vtime, host, cpu, lwp, kind, object, "
	    "detail) VALUES ");
	for (j = 0; j < rows; j++) {
		b = j * EV_COLS;
		n += (size_t)snprintf(events_sql + n, sizeof(events_sql) - n,
		    "%s(?%d << 36 | ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, "
		    "?%d, ?%d)", j > 0 ? ", " : "", b + 1, b + 2, b + 1, b + 2,
		    b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9);
	}
	return events_sql;
}

void
dbi_events_drop(struct db_run *r)
{
	r->r_nev = 0;
	r->r_arenalen = 0;
}

static void
bind_event(struct db_run *r, sqlite3_stmt *st, int row,
    const struct dbi_event *ev)
{
	int b = row * EV_COLS, i;
	static const int col[4] = { 4, 7, 8, 9 };

	sqlite3_bind_int64(st, b + 1, r->r_id);
	sqlite3_bind_int64(st, b + 2, ev->ev_seq);
	sqlite3_bind_int64(st, b + 3, (sqlite3_int64)ev->ev_vtime);
	if (ev->ev_cpu >= 0)
		sqlite3_bind_int(st, b + 5, ev->ev_cpu);
	else
		sqlite3_bind_null(st, b + 5);
	if (ev->ev_lwp >= 0)
		sqlite3_bind_int(st, b + 6, ev->ev_lwp);
	else
		sqlite3_bind_null(st, b + 6);
	for (i = 0; i < 4; i++) {
		if (ev->ev_str[i] < 0)
			sqlite3_bind_null(st, b + col[i]);
		else
			sqlite3_bind_text(st, b + col[i],
			    r->r_arena + ev->ev_str[i], ev->ev_len[i],
			    SQLITE_STATIC);
	}
}

/* Insert the pending events: a full buffer at once, else one by one. */
int
dbi_events_flush(struct db_run *r)
{
	sqlite3_stmt *st;
	int i, n = r->r_nev;

	if (n == 0)
		return 0;
	if (r->r_failed) {
		dbi_events_drop(r);
		return -1;
	}
	if (n == DBI_EVENT_ROWS) {
		if ((st = dbi_run_stmt(r, DBS_EVENTS)) == NULL)
			return -1;
		for (i = 0; i < n; i++)
			bind_event(r, st, i, &r->r_ev[i]);
		/*
		 * Empty the buffer before the step: dbi_run_step may commit,
		 * and a commit flushes events.  The bound strings stay in
		 * the arena, untouched, until the step has read them.
		 */
		dbi_events_drop(r);
		r->r_rows += n - 1;	/* dbi_run_step counts one */
		return dbi_run_step(r, st);
	} else {
		for (i = 0; i < n; i++) {
			if ((st = dbi_run_stmt(r, DBS_EVENT)) == NULL)
				return -1;
			bind_event(r, st, 0, &r->r_ev[i]);
			/* No commit in between: r_ev is still in use. */
			if (sqlite3_step(st) != SQLITE_DONE) {
				sqlite3_reset(st);
				return dbi_run_fail(r, "recording an event");
			}
			sqlite3_reset(st);
			r->r_rows++;
		}
	}
	dbi_events_drop(r);
	return 0;
}

/* Copy s into the arena; -1 (and *off = -1) when s is NULL. */
static int
arena_put(struct db_run *r, const char *s, int *off, int *len)
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
	if (r->r_arenalen + (int)n > DBI_ARENA)
		return -1;
	memcpy(r->r_arena + r->r_arenalen, s, n);
	*off = r->r_arenalen;
	*len = (int)n;
	r->r_arenalen += (int)n;
	return 0;
}

int
db_event(struct db_run *r, uint64_t vtime, const char *host, int cpu,
    int lwp, const char *kind, const char *object, const char *detail)
{
	const char *s[4] = { host, kind != NULL ? kind : "?", object, detail };
	struct dbi_event *ev;
	int i, rv;

	if (r == NULL)
		return 0;
	if (dbi_signal_pending)
		dbi_signal_die(r);
	if (r->r_failed)
		return -1;
	if (r->r_arena == NULL && (r->r_arena = malloc(DBI_ARENA)) == NULL)
		return dbi_run_fail(r, "recording an event (out of memory)");
	ev = &r->r_ev[r->r_nev];
	for (i = 0; i < 4; i++) {
		if (arena_put(r, s[i], &ev->ev_str[i], &ev->ev_len[i]) != 0) {
			/* Arena full: insert what is pending, then retry. */
			if (dbi_events_flush(r) != 0)
				return -1;
			ev = &r->r_ev[0];
			i = -1;
		}
	}
	ev->ev_seq = r->r_seq++;
	ev->ev_vtime = vtime;
	ev->ev_cpu = cpu;
	ev->ev_lwp = lwp;
	if (++r->r_nev < DBI_EVENT_ROWS)
		return 0;
	rv = dbi_events_flush(r);
	return rv;
}
