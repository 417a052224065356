/*
 * Reading runs back: what `knit replay' needs (scenario, hash, seed,
 * strategy and options, schedule) and what the report lists.
 */
#include <stdlib.h>
#include <string.h>

#include "record/db_int.h"
#include "record/schedule.h"

static char *
col_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? strdup((const char *)s) : NULL;
}

void
db_run_record_free(struct db_run_record *rec)
{
	if (rec == NULL)
		return;
	free(rec->rec_scenario);
	free(rec->rec_scenario_hash);
	free(rec->rec_strategy);
	free(rec->rec_params);
	free(rec->rec_knit_version);
	free(rec->rec_campaign);
	free(rec->rec_shard);
	free(rec->rec_started_at);
	free(rec->rec_schedule);
	memset(rec, 0, sizeof(*rec));
}

static int
load_schedule(struct db *db, struct db_run_record *rec, struct db_err *err)
{
	sqlite3_stmt *st;
	size_t n;
	int rc;

	if (sqlite3_prepare_v2(db->db_sql, "SELECT choices, npoints FROM "
	    "schedules WHERE run = ?1", -1, &st, NULL) != SQLITE_OK)
		return dbi_error(db, err, "reading a schedule");
	sqlite3_bind_int64(st, 1, rec->rec_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		n = (size_t)sqlite3_column_bytes(st, 0);
		rec->rec_schedule = malloc(n + 1);
		if (rec->rec_schedule == NULL) {
			sqlite3_finalize(st);
			return dbi_seterr(err, DB_ERR_IO, "out of memory");
		}
		if (n > 0)
			memcpy(rec->rec_schedule, sqlite3_column_blob(st, 0),
			    n);
		rec->rec_schedule_len = n;
		rec->rec_npoints = (size_t)sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return dbi_error(db, err, "reading a schedule");
	}
	sqlite3_finalize(st);
	return 0;
}

int
db_run_record_schedule(const struct db_run_record *rec, struct schedule *sd,
    struct db_err *err)
{
	char msg[200];

	if (rec->rec_schedule == NULL)
		return dbi_seterr(err, DB_ERR_NOTFOUND, "run %lld has no "
		    "recorded schedule", (long long)rec->rec_id);
	if (schedule_decode(sd, rec->rec_schedule, rec->rec_schedule_len,
	    msg, sizeof(msg)) != 0)
		return dbi_seterr(err, DB_ERR_INVALID, "run %lld: damaged "
		    "schedule: %s", (long long)rec->rec_id, msg);
	if (sd->sd_len != rec->rec_npoints)
		return dbi_seterr(err, DB_ERR_INVALID, "run %lld: schedule "
		    "holds %zu points, the database says %zu",
		    (long long)rec->rec_id, sd->sd_len, rec->rec_npoints);
	return 0;
}

int
db_run_load(struct db *db, int64_t id, struct db_run_record *rec,
    struct db_err *err)
{
	sqlite3_stmt *st;
	const unsigned char *h;
	enum db_trace_level t;
	int rc;

	memset(rec, 0, sizeof(*rec));
	if (sqlite3_prepare_v2(db->db_sql, "SELECT id, scenario, "
	    "scenario_hash, seed, strategy, params, knit_version, campaign, "
	    "shard, started_at, wall_s, virtual_ns, events, verdict, "
	    "trace_hash, trace_level FROM runs WHERE id = ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return dbi_error(db, err, "reading a run");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return dbi_seterr(err, DB_ERR_NOTFOUND,
			    "%s: no run %lld", db->db_file, (long long)id);
		return dbi_error(db, err, "reading a run");
	}
	rec->rec_id = sqlite3_column_int64(st, 0);
	rec->rec_scenario = col_strdup(st, 1);
	rec->rec_scenario_hash = col_strdup(st, 2);
	rec->rec_seed = (uint64_t)sqlite3_column_int64(st, 3);
	rec->rec_strategy = col_strdup(st, 4);
	rec->rec_params = col_strdup(st, 5);
	rec->rec_knit_version = col_strdup(st, 6);
	rec->rec_campaign = col_strdup(st, 7);
	rec->rec_shard = col_strdup(st, 8);
	rec->rec_started_at = col_strdup(st, 9);
	rec->rec_wall_s = sqlite3_column_double(st, 10);
	rec->rec_virtual_ns = (uint64_t)sqlite3_column_int64(st, 11);
	rec->rec_events = (uint64_t)sqlite3_column_int64(st, 12);
	rec->rec_verdict = dbi_verdict_parse(
	    (const char *)sqlite3_column_text(st, 13));
	h = sqlite3_column_text(st, 14);
	rec->rec_trace_hash = h != NULL ?
	    strtoull((const char *)h, NULL, 16) : 0;
	rec->rec_trace = db_trace_level_parse(
	    (const char *)sqlite3_column_text(st, 15), &t) == 0 ? t :
	    DB_TRACE_OFF;
	sqlite3_finalize(st);
	if (load_schedule(db, rec, err) != 0) {
		db_run_record_free(rec);
		return -1;
	}
	return 0;
}

int64_t
db_last_run(struct db *db)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (sqlite3_prepare_v2(db->db_sql, "SELECT max(id) FROM runs", -1,
	    &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}
