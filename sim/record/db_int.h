/*
 * Internals shared by sim/record/db*.c.  Not for other callers: they use
 * db.h.
 */
#ifndef _KNIT_SIM_RECORD_DB_INT_H_
#define _KNIT_SIM_RECORD_DB_INT_H_

#include <pthread.h>
#include <sqlite3.h>

#include "record/db.h"

enum db_stmt {
	DBS_EVENT,		/* one event row */
	DBS_EVENTS,		/* DBI_EVENT_ROWS event rows */
	DBS_PACKET,		/* one packet row */
	DBS_PACKETS,		/* DBI_PACKET_ROWS packet rows */
	DBS_ROUTE,
	DBS_VIOLATION,
	DBS_EDGE,
	DBS_SCHEDULE,
	DBS_EVMAX,		/* SELECT max(id) FROM events */
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
 * Events are the high-volume rows (a full trace is one or more per
 * scheduling step).  The recording thread copies each into a block
 * (strings into the block's arena, so callers may pass temporary
 * buffers) and hands full blocks to a writer thread, which inserts
 * them DBI_EVENT_ROWS rows per statement.  The world stays
 * single-threaded: the writer only consumes blocks.
 */
#define DBI_EVENT_ROWS	32		/* rows per multi-row INSERT */
#define DBI_BLOCK_ROWS	(32 * DBI_EVENT_ROWS)	/* rows per block */
#define DBI_ARENA	(64 * 1024)	/* string bytes per block */
#define DBI_QUEUE_MAX	16		/* full blocks waiting, at most */
/*
 * A block is handed over before it is full, once it holds this many
 * rows, when the writer waits for work (r_hungry) or does not exist
 * yet: the writer starts early in the run and never idles while rows
 * wait in a block.  A writer that lags behind gets full blocks.
 */
#define DBI_EAGER_ROWS	(8 * DBI_EVENT_ROWS)

struct dbi_event {
	int64_t		 ev_seq;
	uint64_t	 ev_vtime;
	int		 ev_cpu, ev_lwp;
	int		 ev_str[4];	/* host, kind, object, detail: arena
					   offsets, -1 for NULL */
	int		 ev_len[4];
	int		 ev_pk;		/* a packet or route change row: eb_pk
					   index; else -1 */
};

/*
 * A packet or a route change in a block (dp_table DBS_PACKET or
 * DBS_ROUTE): its strings NUL-terminated in the arena (a packet's host,
 * nic, dir, proto, src, dst, summary, flow, route_dst, route_gw; a
 * route change's host, op, dst, gateway, flags, policy), then a
 * packet's bytes.  Frames up to DBI_PACKET_BYTES go through blocks.
 * Route changes go through blocks too, so that the recording thread
 * never waits for r_sqlmtx while the writer inserts a block.
 */
#define DBI_PK_NSTR	10
#define DBI_RC_NSTR	6
#define DBI_PACKET_ROWS	16		/* packet rows per multi-row INSERT */
#define DBI_PACKET_BYTES (DBI_ARENA / 4)
struct dbi_packet {
	enum db_stmt	 dp_table;
	uint64_t	 dp_vtime;
	uint64_t	 dp_key;
	uint32_t	 dp_len;
	int		 dp_str[DBI_PK_NSTR];	/* arena offsets, -1 for NULL */
	int		 dp_bytes;		/* arena offset, -1 for none */
	int		 dp_nbytes;
};

struct dbi_evblock {
	struct dbi_evblock *eb_next;
	int		 eb_nev;
	int		 eb_npk;
	int		 eb_arenalen;
	struct dbi_event eb_ev[DBI_BLOCK_ROWS];	/* ev_pk >= 0: a packet */
	struct dbi_packet eb_pk[DBI_BLOCK_ROWS / 4];
	char		 eb_arena[DBI_ARENA];
};

/*
 * Locking.  r_sqlmtx serialises the connection and the batch state
 * (r_in_tx, r_rows, r_evmax*, r_failed, r_err) between the recording
 * thread and the writer.  r_qmtx guards the block queue (r_qhead..r_qtail, r_qlen,
 * r_free, r_writing, r_stop).  Order: r_qmtx is never held while
 * taking r_sqlmtx.  r_seq and r_fill belong to the recording thread.
 */
struct db_run {
	struct db	*r_db;
	int64_t		 r_id;
	int64_t		 r_seq;		/* next event/packet/route seq */
	int		 r_in_tx;	/* a batch transaction is open */
	int		 r_rows;	/* rows in the open batch */
	int		 r_inblock;	/* inserting a block: no commit yet */
	int		 r_evmax_ok;	/* r_evmax is valid in the open batch */
	int64_t		 r_evmax;	/* max(events.id) in the open batch */
	int		 r_failed;	/* r_err holds the first error */
	struct db_err	 r_err;
	enum db_trace_level r_trace;
	char		 r_gwin[48];	/* last route_gw and its canonical */
	char		 r_gwout[48];	/* form (r_sqlmtx) */
	double		 r_wall_start;
	pthread_mutex_t	 r_sqlmtx;
	/* Events. */
	struct dbi_evblock *r_fill;	/* being filled, or NULL */
	pthread_mutex_t	 r_qmtx;
	pthread_cond_t	 r_qwork;	/* writer: a block or r_stop */
	pthread_cond_t	 r_qidle;	/* recorder: queue shorter / empty */
	struct dbi_evblock *r_qhead, *r_qtail, *r_free;
	int		 r_qlen;
	int		 r_writing;	/* the writer holds a block */
	int		 r_hungry;	/* the writer waits for a block (atomic:
					   read without r_qmtx) */
	int		 r_stop;
	int		 r_thread;	/* the writer thread exists */
	int		 r_nothread;	/* creating it failed: no eager blocks */
	pthread_t	 r_writer;
};

/* Recording helpers (db_record.c); *_locked: caller holds r_sqlmtx. */
int	dbi_run_fail(struct db_run *, const char *what);
sqlite3_stmt *dbi_stmt_locked(struct db_run *, enum db_stmt);
int	dbi_step_locked(struct db_run *, sqlite3_stmt *);
int	dbi_failed(const struct db_run *);
int	dbi_evmax_locked(struct db_run *);
/*
 * Events (db_event.c).  dbi_events_sync: hand over the block being
 * filled and wait until the writer has inserted every block (called
 * without r_sqlmtx, before a commit that must include them).
 * dbi_events_stop: sync, then end the writer thread (r is then the
 * recording thread's alone).  init/fini: the locks.
 */
int	dbi_events_sync(struct db_run *);
void	dbi_events_stop(struct db_run *);
void	dbi_events_init(struct db_run *);
/*
 * Packets, route changes: queue one for the writer / insert n packets,
 * one route change (r_sqlmtx held).  dbi_block_end_locked: the batch
 * commit a block's rows waited for (r_inblock), if it is due.
 */
int	dbi_packet_defer(struct db_run *, int64_t seq, const struct db_packet *);
int	dbi_packets_locked(struct db_run *, const int64_t *seq,
	    const struct db_packet *, int n);
int	dbi_block_end_locked(struct db_run *);
int	dbi_route_defer(struct db_run *, int64_t seq,
	    const struct db_route_change *);
int	dbi_route_locked(struct db_run *, int64_t seq,
	    const struct db_route_change *);
void	dbi_events_fini(struct db_run *);
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

/*
 * The entry of a recording call (recording thread): 1 to record, 0 when
 * there is no run (record nothing), -1 when the run failed.  A pending
 * signal closes the run here and does not return.
 */
static inline int
dbi_run_enter(struct db_run *r)
{
	if (r == NULL)
		return 0;
	if (dbi_signal_pending)
		dbi_signal_die(r);
	return dbi_failed(r) ? -1 : 1;
}
void	dbi_set_active(struct db_run *);
double	dbi_monotonic(void);
enum db_verdict dbi_verdict_parse(const char *);

#endif /* !_KNIT_SIM_RECORD_DB_INT_H_ */
