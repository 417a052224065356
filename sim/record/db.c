/*
 * Opening a run database: checks that the file is a knit database,
 * migrates it forward, repairs runs left "running" by dead writers, and
 * turns SQLite's error codes into messages a user can act on.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record/db_int.h"

#ifndef KNIT_VERSION
#define KNIT_VERSION "0.1.0"
#endif

const char *
db_knit_version(void)
{
	return KNIT_VERSION;
}

int
dbi_seterr(struct db_err *err, enum db_errcode code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->de_code = code;
	va_start(ap, fmt);
	vsnprintf(err->de_msg, sizeof(err->de_msg), fmt, ap);
	va_end(ap);
	return -1;
}

static enum db_errcode
db_classify(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_ERR_LOCKED;
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return DB_ERR_READONLY;
	case SQLITE_FULL:
		return DB_ERR_FULL;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return DB_ERR_NOTKNIT;
	default:
		return DB_ERR_IO;
	}
}

int
dbi_error(struct db *db, struct db_err *err, const char *what)
{
	int rc = sqlite3_extended_errcode(db->db_sql);
	const char *f = db->db_file;

	switch (db_classify(rc)) {
	case DB_ERR_LOCKED:
		return dbi_seterr(err, DB_ERR_LOCKED,
		    "%s: database is locked by another process (is another "
		    "knit writing to it?) while %s; retry, or choose another "
		    "file with --db", f, what);
	case DB_ERR_READONLY:
		return dbi_seterr(err, DB_ERR_READONLY,
		    "%s: database is read-only (no write permission on the "
		    "file or its directory) while %s; choose another file "
		    "with --db", f, what);
	case DB_ERR_FULL:
		return dbi_seterr(err, DB_ERR_FULL,
		    "%s: disk full while %s; earlier runs are intact, free "
		    "some space or choose another file with --db", f, what);
	case DB_ERR_NOTKNIT:
		return dbi_seterr(err, DB_ERR_NOTKNIT,
		    "%s: not a knit database (%s)", f,
		    sqlite3_errmsg(db->db_sql));
	default:
		return dbi_seterr(err, DB_ERR_IO, "%s: %s while %s", f,
		    sqlite3_errmsg(db->db_sql), what);
	}
}

int
dbi_exec(struct db *db, const char *sql, struct db_err *err)
{
	if (sqlite3_exec(db->db_sql, sql, NULL, NULL, NULL) != SQLITE_OK)
		return dbi_error(db, err, "updating the database");
	return 0;
}

double
dbi_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
db_pragma_int(struct db *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->db_sql, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * A writer that died (crash, SIGKILL, or a grace timeout after SIGINT)
 * leaves its run "running" with its pid.  Mark such runs `aborted' when
 * the pid no longer exists on this host.
 */
static void
db_repair_abandoned(struct db *db)
{
	sqlite3_stmt *st, *up;
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		return;
	host[sizeof(host) - 1] = '\0';
	if (sqlite3_prepare_v2(db->db_sql,
	    "SELECT id, pid FROM runs WHERE verdict = 'running' AND "
	    "hostname = ?1", -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_prepare_v2(db->db_sql,
	    "UPDATE runs SET verdict = 'aborted', note = coalesce(note, "
	    "'the writing process ended without finishing the run "
	    "(crash or kill)') WHERE id = ?1", -1, &up, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return;
	}
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		pid_t pid = (pid_t)sqlite3_column_int64(st, 1);

		if (pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH) {
			sqlite3_bind_int64(up, 1, sqlite3_column_int64(st, 0));
			sqlite3_step(up);
			sqlite3_reset(up);
		}
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
}

/* Check identity and version; migrate (writer) or refuse (reader). */
static int
db_check_schema(struct db *db, struct db_err *err)
{
	int appid = 0, version = 0, ntables = 0;

	if (db_pragma_int(db, "PRAGMA application_id", &appid) != 0 ||
	    db_pragma_int(db, "PRAGMA user_version", &version) != 0 ||
	    db_pragma_int(db, "SELECT count(*) FROM sqlite_schema",
	    &ntables) != 0)
		return dbi_error(db, err, "reading the schema");
	if (appid != DB_APPLICATION_ID && (appid != 0 || ntables != 0))
		return dbi_seterr(err, DB_ERR_NOTKNIT,
		    "%s: not a knit database (an SQLite file with %d "
		    "table(s) of another program); choose another file "
		    "with --db", db->db_file, ntables);
	if (version > DB_SCHEMA_VERSION)
		return dbi_seterr(err, DB_ERR_NEWER,
		    "%s: written by a newer knit (schema version %d; this "
		    "knit %s understands up to %d); upgrade knit",
		    db->db_file, version, KNIT_VERSION, DB_SCHEMA_VERSION);
	if (version == DB_SCHEMA_VERSION)
		return 0;
	if (db->db_readonly) {
		if (ntables == 0)
			return dbi_seterr(err, DB_ERR_NOTKNIT,
			    "%s: empty file, not a knit database",
			    db->db_file);
		return dbi_seterr(err, DB_ERR_OLDER,
		    "%s: schema version %d is older than %d; run "
		    "`knit db migrate %s' once to upgrade it", db->db_file,
		    version, DB_SCHEMA_VERSION, db->db_file);
	}
	return dbi_migrate(db, version, err);
}

/* "file:PATH?immutable=1" with PATH percent-encoded where URIs need it. */
static char *
db_immutable_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path);
	char *uri = malloc(3 * n + 32), *q;
	const unsigned char *p;

	if (uri == NULL)
		return NULL;
	q = uri + sprintf(uri, "file:");
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x21 ||
		    *p >= 0x7f) {
			*q++ = '%';
			*q++ = hex[*p >> 4];
			*q++ = hex[*p & 0xf];
		} else
			*q++ = (char)*p;
	}
	strcpy(q, "?immutable=1");
	return uri;
}

struct db *
db_open(const char *path, int flags, struct db_err *err)
{
	struct db *db;
	struct stat sb;
	char *uri = NULL;
	int oflags, rc;

	if (err != NULL) {
		err->de_code = DB_OK;
		err->de_msg[0] = '\0';
	}
	if (path == NULL || *path == '\0')
		path = DB_DEFAULT_PATH;
	db = calloc(1, sizeof(*db));
	if (db == NULL || (db->db_file = strdup(path)) == NULL) {
		free(db);
		dbi_seterr(err, DB_ERR_IO, "%s: out of memory", path);
		return NULL;
	}
	db->db_readonly = (flags & DB_OPEN_READONLY) != 0;
	if (db->db_readonly && stat(path, &sb) != 0) {
		dbi_seterr(err, DB_ERR_NOTFOUND, "%s: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (!db->db_readonly && stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		dbi_seterr(err, DB_ERR_INVALID, "%s: not a regular file",
		    path);
		goto fail;
	}
	oflags = db->db_readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
reopen:
	rc = sqlite3_open_v2(uri != NULL ? uri : path, &db->db_sql,
	    oflags | SQLITE_OPEN_NOMUTEX | (uri != NULL ? SQLITE_OPEN_URI : 0),
	    NULL);
	if (rc != SQLITE_OK) {
		if (db->db_sql == NULL) {
			dbi_seterr(err, DB_ERR_IO, "%s: out of memory", path);
			goto fail;
		}
		if ((rc & 0xff) == SQLITE_CANTOPEN)
			dbi_seterr(err, db->db_readonly ? DB_ERR_NOTFOUND :
			    DB_ERR_READONLY, "%s: cannot open (%s); check "
			    "the path and the directory's permissions", path,
			    strerror(errno ? errno : EACCES));
		else
			dbi_error(db, err, "opening");
		goto fail;
	}
	sqlite3_extended_result_codes(db->db_sql, 1);
	sqlite3_busy_timeout(db->db_sql, 5000);
	if (dbi_register_functions(db->db_sql) != 0) {
		dbi_error(db, err, "registering functions");
		goto fail;
	}
	if (!db->db_readonly && sqlite3_db_readonly(db->db_sql, "main") == 1) {
		dbi_seterr(err, DB_ERR_READONLY,
		    "%s: database is read-only (no write permission on the "
		    "file or its directory); choose another file with --db",
		    path);
		goto fail;
	}
	if (!db->db_readonly) {
		/*
		 * WAL: readers (knit serve, report) never block the writer.
		 * synchronous=NORMAL in WAL keeps the file consistent after a
		 * crash; only the last transactions may be lost, and each run
		 * row is committed before anything that depends on it.
		 *
		 * A new file gets 16 KiB pages (the first write fixes the
		 * size; an existing file keeps its own): a traced run writes
		 * its pages twice, to the WAL at commit and into the file
		 * at the checkpoint when knit closes it, one write per page
		 * (plus a read back at the checkpoint), so 4 KiB pages cost
		 * four times the system calls.  route_flap --trace full:
		 * final commit and close 10 -> 7 ms CPU.
		 */
		if (dbi_exec(db, "PRAGMA page_size = 16384", err) != 0 ||
		    dbi_exec(db, "PRAGMA journal_mode = WAL", err) != 0)
			goto fail;
		if (dbi_exec(db, "PRAGMA synchronous = NORMAL", err) != 0)
			goto fail;
	} else {
		sqlite3_exec(db->db_sql, "PRAGMA query_only = 1", NULL, NULL,
		    NULL);
	}
	if (dbi_exec(db, "PRAGMA foreign_keys = ON", err) != 0)
		goto fail;
	if (db_check_schema(db, err) != 0) {
		/*
		 * A reader without write access to the directory cannot
		 * create the WAL index.  A file nobody can write is not being
		 * written: read it as immutable.
		 */
		if (db->db_readonly && uri == NULL && err != NULL &&
		    err->de_code == DB_ERR_READONLY &&
		    (uri = db_immutable_uri(path)) != NULL) {
			sqlite3_close_v2(db->db_sql);
			db->db_sql = NULL;
			goto reopen;
		}
		goto fail;
	}
	free(uri);
	uri = NULL;
	if (!db->db_readonly) {
		/* Fewer, larger checkpoints while a trace streams in. */
		sqlite3_exec(db->db_sql, "PRAGMA cache_size = -65536; "
		    "PRAGMA wal_autocheckpoint = 16384", NULL, NULL, NULL);
		db_repair_abandoned(db);
	}
	return db;
fail:
	free(uri);
	if (db->db_sql != NULL)
		sqlite3_close_v2(db->db_sql);
	free(db->db_file);
	free(db);
	return NULL;
}

void
db_close(struct db *db)
{
	int i;

	if (db == NULL)
		return;
	if (db->db_active != NULL)
		db_run_abort(db->db_active, "database closed during the run");
	for (i = 0; i < DBS_COUNT; i++)
		sqlite3_finalize(db->db_stmt[i]);
	sqlite3_close_v2(db->db_sql);
	free(db->db_file);
	free(db);
}

const char *
db_path(const struct db *db)
{
	return db->db_file;
}

struct sqlite3 *
db_sqlite(struct db *db)
{
	return db->db_sql;
}

void
db_set_busy_timeout(struct db *db, int ms)
{
	sqlite3_busy_timeout(db->db_sql, ms);
}

static const char *const trace_names[] = { "off", "packets", "full" };

const char *
db_trace_level_name(enum db_trace_level t)
{
	if ((unsigned)t < sizeof(trace_names) / sizeof(trace_names[0]))
		return trace_names[t];
	return "?";
}

int
db_trace_level_parse(const char *s, enum db_trace_level *out)
{
	unsigned i;

	for (i = 0; i < sizeof(trace_names) / sizeof(trace_names[0]); i++) {
		if (s != NULL && strcmp(s, trace_names[i]) == 0) {
			*out = (enum db_trace_level)i;
			return 0;
		}
	}
	return -1;
}

static const char *const verdict_names[] = {
	"running", "pass", "fail", "aborted", "error"
};

const char *
db_verdict_name(enum db_verdict v)
{
	if ((unsigned)v < sizeof(verdict_names) / sizeof(verdict_names[0]))
		return verdict_names[v];
	return "?";
}

enum db_verdict
dbi_verdict_parse(const char *s)
{
	unsigned i;

	for (i = 0; s != NULL &&
	    i < sizeof(verdict_names) / sizeof(verdict_names[0]); i++)
		if (strcmp(s, verdict_names[i]) == 0)
			return (enum db_verdict)i;
	return DB_VERDICT_ERROR;
}
