/*
 * The run database: one SQLite file (default "knit.db") that records
 * every run, its schedule, violations, trace events, packets, route
 * changes and lock-order edges.  Schema and example queries:
 * docs/database.md.
 *
 * Writing.  One writer connection per process.  A run is recorded as
 *
 *	struct db *db = db_open("knit.db", DB_OPEN_WRITE, &err);
 *	struct db_run *r = db_run_begin(db, &info, &err);
 *	db_event(r, ...); db_packet(r, ...); ...	(batched)
 *	db_schedule(r, choices, n);
 *	db_run_end(r, &result, &err);			(frees r)
 *	db_close(db);
 *
 * The `runs' row is committed (verdict "running") before db_run_begin
 * returns; everything recorded afterwards goes through prepared
 * statements inside large transactions that are committed every
 * DB_BATCH_ROWS rows and at the end of the run.  Every recording
 * function accepts r == NULL and then does nothing, so callers can
 * record unconditionally: `db_event(world_db_run(w), ...)'.
 *
 * Ordering.  db_event, db_packet and db_route_change share one
 * per-run sequence counter, assigned by the database in call order.
 * Since a world is single-threaded, `seq' is the simulation order, and
 * "at that instant" in the stale_route_use view means "lower seq".
 *
 * Interruption.  db_signals_install() catches SIGINT, SIGTERM and
 * SIGHUP.  The handler only sets a flag; the next recording call (or
 * db_interrupted() polled by the CLI between world_run slices, then
 * db_run_abort()) commits what was recorded, marks the run `aborted',
 * and re-raises the signal.  If nothing notices within
 * DB_ABORT_GRACE_S seconds, or on a second signal, the process exits at
 * once: SQLite rolls back the open batch and the run stays "running"
 * with a dead pid; the next writer that opens the file marks it
 * `aborted' (so does a crash: SIGSEGV, abort()).  No committed run is
 * ever lost.
 *
 * Errors.  Functions that can fail fill a struct db_err with a code and
 * a message that names the file and says what to do.
 */
#ifndef _KNIT_SIM_RECORD_DB_H_
#define _KNIT_SIM_RECORD_DB_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_run;
struct violation;
struct sqlite3;

#define DB_SCHEMA_VERSION	2	/* PRAGMA user_version of a current file */
#define DB_APPLICATION_ID	0x6b6e6974 /* PRAGMA application_id: "knit" */
#define DB_BATCH_ROWS		100000	/* rows per transaction while recording */
#define DB_ABORT_GRACE_S	5
#define DB_DEFAULT_PATH		"knit.db"

enum db_errcode {
	DB_OK = 0,
	DB_ERR_LOCKED,		/* another process holds the write lock */
	DB_ERR_READONLY,	/* file or directory not writable */
	DB_ERR_FULL,		/* disk (or size limit) full */
	DB_ERR_NOTKNIT,		/* not SQLite, or SQLite but not a knit database */
	DB_ERR_NEWER,		/* schema newer than this knit understands */
	DB_ERR_OLDER,		/* read-only open of a file that needs migration */
	DB_ERR_NOTFOUND,	/* no such file (read-only open) / no such run */
	DB_ERR_INVALID,		/* bad argument */
	DB_ERR_IO,		/* anything else SQLite reports */
};

struct db_err {
	enum db_errcode	 de_code;
	char		 de_msg[512];
};

/* Open flags. */
#define DB_OPEN_WRITE		0x0	/* create if missing, migrate, repair */
#define DB_OPEN_READONLY	0x1	/* report, export, serve, replay */

struct db	*db_open(const char *path, int flags, struct db_err *);
void		 db_close(struct db *);
const char	*db_path(const struct db *);
/* The SQLite handle, for read-only queries by knit report/serve/export. */
struct sqlite3	*db_sqlite(struct db *);
/* How long a writer waits for another writer's lock (default 5000 ms). */
void		 db_set_busy_timeout(struct db *, int ms);

/* Trace levels: what db_event is expected to receive. */
enum db_trace_level {
	DB_TRACE_OFF = 0,	/* runs, schedules, violations only */
	DB_TRACE_PACKETS,	/* + packets and route changes */
	DB_TRACE_FULL,		/* + every scheduling event */
};
const char	*db_trace_level_name(enum db_trace_level);
int		 db_trace_level_parse(const char *, enum db_trace_level *);

struct db_run_info {
	const char	*ri_scenario;	/* path as given */
	const char	*ri_scenario_hash; /* hex digest of the scenario's content */
	uint64_t	 ri_seed;
	const char	*ri_strategy;	/* "default", "random", "pct", "replay", ... */
	const char	*ri_params;	/* the options needed to replay, e.g.
					   "window=1000 depth=3"; may be NULL */
	const char	*ri_knit_version; /* NULL: this build's version */
	const char	*ri_campaign;	/* campaign id, NULL for a single run */
	const char	*ri_shard;	/* "i/N" or NULL */
	int64_t		 ri_replay_of;	/* run id replayed, 0 if none */
	enum db_trace_level ri_trace;
};

enum db_verdict {
	DB_VERDICT_RUNNING = 0,	/* only while the run is in progress */
	DB_VERDICT_PASS,	/* finished, no violation */
	DB_VERDICT_FAIL,	/* finished with at least one violation */
	DB_VERDICT_ABORTED,	/* interrupted: signal, crash, limit */
	DB_VERDICT_ERROR,	/* could not run: scenario error, ... */
};
const char	*db_verdict_name(enum db_verdict);

struct db_run_result {
	enum db_verdict	 rr_verdict;
	uint64_t	 rr_virtual_ns;	/* world_now() at the end */
	uint64_t	 rr_events;	/* world_events() */
	uint64_t	 rr_trace_hash;	/* world_trace_hash() */
};

/*
 * Start recording a run: returns the handle (its id is db_run_id()), or
 * NULL with *err set (locked, read-only, disk full, ...).
 */
struct db_run	*db_run_begin(struct db *, const struct db_run_info *,
		    struct db_err *);
int64_t		 db_run_id(const struct db_run *);
enum db_trace_level db_run_trace(const struct db_run *);
/*
 * Finish: commit everything, store the result, free r.  Returns 0, or
 * -1 with *err set (the run is then marked `error' if that is still
 * possible; earlier runs are untouched).
 */
int		 db_run_end(struct db_run *, const struct db_run_result *,
		    struct db_err *);
/*
 * Interrupted: commit what was recorded, mark the run `aborted' with
 * `why' (e.g. "SIGINT") as its note, free r.  Safe to call once from
 * normal (not signal) context.
 */
int		 db_run_abort(struct db_run *, const char *why);
/* The first error a recording call hit (sticky), or NULL. */
const struct db_err *db_run_error(const struct db_run *);

/*
 * The schedule, as the blob schedule_encode() makes (sim/record/
 * schedule.h: versioned, byte-order independent, checksummed), and its
 * number of choice points.  db_schedule_save encodes a struct schedule.
 */
struct schedule;
int		 db_schedule(struct db_run *, const void *blob, size_t len,
		    size_t npoints);
int		 db_schedule_save(struct db_run *, const struct schedule *);

/*
 * A violation.  `kind' is a short word ("panic", "lock_misuse",
 * "deadlock", "lock_order", "data_race", "memory", "divergence",
 * "expectation"); stack2 is the other side (the other access of a
 * race, the other order of an inversion) or NULL.  The signature is
 * computed from the kind and the stacks' function names (addresses and
 * offsets dropped), or from the message with digits dropped when there
 * is no stack, so equal bugs found in different runs group together.
 */
int		 db_violation(struct db_run *, const char *kind,
		    uint64_t vtime, const char *host, int cpu, int lwp,
		    const char *message, const char *stack,
		    const char *stack2);
/*
 * Same from sim.h's struct violation.  If v_stack contains a line that
 * is exactly "--", the part after it is stored as stack2.
 */
int		 db_violation_add(struct db_run *, const struct violation *);
const char	*db_violation_kind_name(int kind);	/* enum violation_kind */

/*
 * A trace event.  Kinds the report draws (one lane per host CPU):
 *	"switch"	CPU now runs LWP `lwp'; object = LWP name
 *	"idle"		CPU has nothing to run
 *	"lock_acquire"	object = lock name (held until "lock_release")
 *	"lock_release"
 *	"intr_begin"	object = handler name; until "intr_end"
 *	"intr_end"
 *	"softint_begin"	object = softint name; until "softint_end"
 *	"softint_end"
 *	"block"		LWP blocks; object = what on (lock, cv)
 *	"wakeup"	object = LWP woken
 * Any other kind is stored and listed but not drawn.  cpu/lwp: -1 if
 * none.  Strings may be NULL; they are copied (callers may reuse their
 * buffers), a detail longer than 8 KiB is cut.  Events are inserted
 * 32 rows per statement; all are in the file after db_run_flush/end.
 */
int		 db_event(struct db_run *, uint64_t vtime, const char *host,
		    int cpu, int lwp, const char *kind, const char *object,
		    const char *detail);

/* Packet directions. */
#define DB_PKT_TX	"tx"	/* handed to the NIC (left the host) */
#define DB_PKT_RX	"rx"	/* received from the link */
#define DB_PKT_FWD	"fwd"	/* forwarded by ip_forward/ip6_forward */
#define DB_PKT_DELIVER	"deliver" /* delivered to a local socket */
#define DB_PKT_DROP	"drop"	/* dropped (summary says why) */

struct db_packet {
	uint64_t	 pk_vtime;
	const char	*pk_host;
	const char	*pk_nic;	/* "r1.eth0"-style or "eth0"; NULL if none */
	const char	*pk_dir;	/* DB_PKT_* */
	const char	*pk_proto;	/* "udp", "tcp", "icmp", "icmp6", "arp", ... */
	const char	*pk_src;	/* numeric address ("10.0.0.1", "fe80::1") */
	const char	*pk_dst;
	uint32_t	 pk_len;	/* bytes on the wire */
	const char	*pk_summary;	/* one line, tshark-like */
	const void	*pk_bytes;	/* frame or IP packet; may be NULL */
	size_t		 pk_nbytes;
	/*
	 * Identity of this packet across hops (same value at every hop).
	 * 0: computed from pk_bytes (IPv4/IPv6 fields a router does not
	 * change: addresses, protocol, id/flow label, length, first 8
	 * payload bytes), with or without an Ethernet header.
	 */
	uint64_t	 pk_key;
	const char	*pk_flow;	/* NULL: "proto src > dst" */
	/* For DB_PKT_FWD and locally originated DB_PKT_TX: the route used. */
	const char	*pk_route_dst;	/* "10.0.2.0/24", "default" */
	const char	*pk_route_gw;	/* next hop used (gateway address), or
					   NULL for a directly connected route */
};
int		 db_packet(struct db_run *, const struct db_packet *);
uint64_t	 db_packet_key(const void *bytes, size_t nbytes);

/*
 * A routing table change.  Record every change including the initial
 * and connected routes, so the stale_route_use view can rebuild the
 * table at any instant.  op: "add", "delete", "change".  dst:
 * "10.0.2.0/24", "10.0.2.1" (host route), "fe80::/64", "default"
 * (IPv4, or IPv6 when the gateway is IPv6).  gateway: NULL for a
 * connected route.  flags: "UGS"-style.  policy: the route cache
 * policy in force (free text, e.g. "generation", "none").
 */
struct db_route_change {
	uint64_t	 rc_vtime;
	const char	*rc_host;
	const char	*rc_op;
	const char	*rc_dst;
	const char	*rc_gateway;
	const char	*rc_flags;
	const char	*rc_policy;
};
int		 db_route_change(struct db_run *, const struct db_route_change *);

/*
 * A lock-order edge: `to' was acquired while `from' was held.  Repeats
 * in the same run add to the edge's count; the first witness is kept.
 */
int		 db_lock_edge(struct db_run *, const char *from, const char *to,
		    uint64_t vtime, const char *host, int cpu, int lwp,
		    const char *stack);

/* Commit what is batched (the recording functions do it by themselves). */
int		 db_run_flush(struct db_run *);

/* Signals: see the comment at the top. */
void		 db_signals_install(void);
int		 db_interrupted(void);	/* signal number, or 0 */

/*
 * Reading (replay, report).  A loaded run: strings are owned by the
 * record; free with db_run_record_free.
 */
struct db_run_record {
	int64_t		 rec_id;
	char		*rec_scenario;
	char		*rec_scenario_hash;
	uint64_t	 rec_seed;
	char		*rec_strategy;
	char		*rec_params;
	char		*rec_knit_version;
	char		*rec_campaign;
	char		*rec_shard;
	char		*rec_started_at;	/* UTC, ISO 8601 */
	double		 rec_wall_s;
	uint64_t	 rec_virtual_ns;
	uint64_t	 rec_events;
	enum db_verdict	 rec_verdict;
	uint64_t	 rec_trace_hash;
	enum db_trace_level rec_trace;
	void		*rec_schedule;		/* blob; NULL if none recorded */
	size_t		 rec_schedule_len;
	size_t		 rec_npoints;
};
int		 db_run_load(struct db *, int64_t id, struct db_run_record *,
		    struct db_err *);
void		 db_run_record_free(struct db_run_record *);
/* Decode rec's schedule into an initialised schedule; -1 + err if bad. */
int		 db_run_record_schedule(const struct db_run_record *,
		    struct schedule *, struct db_err *);
/* Id of the most recent run, 0 if none. */
int64_t		 db_last_run(struct db *);

/* The knit version recorded in new runs. */
const char	*db_knit_version(void);

#endif /* !_KNIT_SIM_RECORD_DB_H_ */
