/*
 * Internals shared by sim/record/db*.c.  Not for other callers: they use
 * db.h.
 */
#ifndef _KNIT_SIM_RECORD_DB_INT_H_
#define _KNIT_SIM_RECORD_DB_INT_H_

#include <sqlite3.h>

#include "record/db.h"

enum db_stmt {
	DBS_EVENT,		/* one event row */
	DBS_EVENTS,		/* DBI_EVENT_ROWS event rows */
	DBS_PACKET,
	DBS_ROUTE,
	DBS_VIOLATION,
	DBS_EDGE,
	DBS_SCHEDULE,
	DBS_COUNT
};

struct db {
	sqlite3		*db_sql;
	char		*db_file;
	int		 db_readonly;
	sqlite3_stmt	*db_stmt[DBS_COUNT];	/* prepared lazily */
	struct db_run	*db_active;		/* the run being recorded */
};

/*
 * Events are buffered DBI_EVENT_ROWS at a time and inserted by one
 * multi-row INSERT (35-45% more rows per CPU-second than one row per
 * statement here).  Their strings are copied into r_arena, so callers
 * may pass temporary buffers.
 */
#define DBI_EVENT_ROWS	32
#define DBI_ARENA	(64 * 1024)

struct dbi_event {
	int64_t		 ev_seq;
	uint64_t	 ev_vtime;
	int		 ev_cpu, ev_lwp;
	int		 ev_str[4];	/* host, kind, object, detail: arena
					   offsets, -1 for NULL */
	int		 ev_len[4];
};

struct db_run {
	struct db	*r_db;
	int64_t		 r_id;
	int64_t		 r_seq;		/* next event/packet/route seq */
	int		 r_in_tx;	/* a batch transaction is open */
	int		 r_rows;	/* rows in the open batch */
	int		 r_failed;	/* r_err holds the first error */
	struct db_err	 r_err;
	enum db_trace_level r_trace;
	double		 r_wall_start;
	struct dbi_event r_ev[DBI_EVENT_ROWS];	/* pending events */
	int		 r_nev;
	char		*r_arena;	/* DBI_ARENA bytes, lazily */
	int		 r_arenalen;
};

/* Recording helpers (db_record.c). */
int	dbi_run_fail(struct db_run *, const char *what);
sqlite3_stmt *dbi_run_stmt(struct db_run *, enum db_stmt);
int	dbi_run_step(struct db_run *, sqlite3_stmt *);
/* Pending events (db_event.c): insert them / forget them. */
int	dbi_events_flush(struct db_run *);
void	dbi_events_drop(struct db_run *);
const char *dbi_event_sql(enum db_stmt);
/* Fill *err from the connection's last error; returns -1. */
int	dbi_error(struct db *, struct db_err *, const char *what);
int	dbi_seterr(struct db_err *, enum db_errcode, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	dbi_exec(struct db *, const char *sql, struct db_err *);
/* Schema: bring the file to DB_SCHEMA_VERSION (inside a transaction). */
int	dbi_migrate(struct db *, int from, struct db_err *);
/* SQL functions the migrations use (knit_plen, knit_net_lo, ...). */
int	dbi_register_functions(sqlite3 *);
/* Address helpers (db_addr.c). */
int	dbi_addr_parse(const char *, unsigned char *out, int *lenp);
int	dbi_prefix_parse(const char *dst, const char *gw, unsigned char *lo,
	    unsigned char *hi, int *lenp, int *plenp);
const char *dbi_addr_canon(const char *, char *buf, size_t len);
/* Signals (db_signal.c): called by every recording function. */
extern volatile int dbi_signal_pending;
void	dbi_signal_die(struct db_run *);
void	dbi_set_active(struct db_run *);
double	dbi_monotonic(void);
enum db_verdict dbi_verdict_parse(const char *);

#endif /* !_KNIT_SIM_RECORD_DB_INT_H_ */
