/*
 * Recording runs in the run database (sim/record/db.h) and the option
 * string that lets `knit replay' rebuild a run's options.
 */
#define _GNU_SOURCE	/* asprintf, open_memstream */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "record/db.h"

#include "knit.h"
#include "run.h"

/*
 * Options that change a run, besides seed and strategy, as one line:
 * words separated by blanks, each word with '%', ' ' and newlines
 * escaped as %25, %20, %0A.  Example: "-D policy=none --race-window 1000".
 */
static void
rec_word(FILE *fp, const char *w, bool *first)
{
	if (!*first)
		fputc(' ', fp);
	*first = false;
	for (; *w != '\0'; w++) {
		if (*w == '%' || *w == ' ' || *w == '\n' || *w == '\t')
			fprintf(fp, "%%%02X", (unsigned char)*w);
		else
			fputc(*w, fp);
	}
}

char *
knit_params_encode(const struct kn_opts *o)
{
	char *buf = NULL, num[32];
	size_t len = 0, i;
	bool first = true;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		return NULL;
	for (i = 0; i < o->o_ndefs; i++) {
		char *d;

		rec_word(fp, "-D", &first);
		if (asprintf(&d, "%s=%s", o->o_defs[i].d_name,
		    o->o_defs[i].d_value) < 0)
			continue;
		rec_word(fp, d, &first);
		free(d);
	}
	if (o->o_race_window != 0) {
		rec_word(fp, "--race-window", &first);
		snprintf(num, sizeof(num), "%" PRIu64 "ns", o->o_race_window);
		rec_word(fp, num, &first);
	}
	if (o->o_race)
		rec_word(fp, "--race", &first);
	if (o->o_race_points)
		rec_word(fp, "--race-points", &first);
	if (o->o_allow_io)
		rec_word(fp, "--allow-io", &first);
	if (o->o_no_lookahead)
		rec_word(fp, "--no-lookahead", &first);
	fclose(fp);
	return buf;
}

/* Split an encoded option line into a NULL-terminated argv (malloc'ed;
 * argv[0] is "replay").  Returns argc, -1 on a bad escape. */
int
knit_params_decode(const char *s, char ***argvp)
{
	char **argv = calloc(strlen(s ? s : "") / 2 + 3, sizeof(*argv));
	int argc = 0;

	if (argv == NULL)
		return -1;
	argv[argc++] = strdup("replay");
	while (s != NULL && *s != '\0') {
		char *w, *o;

		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		w = o = malloc(strlen(s) + 1);
		if (w == NULL)
			return -1;
		while (*s != '\0' && *s != ' ') {
			if (*s == '%') {
				unsigned v;

				if (sscanf(s + 1, "%2x", &v) != 1) {
					free(w);
					return -1;
				}
				*o++ = (char)v;
				s += 3;
			} else {
				*o++ = *s++;
			}
		}
		*o = '\0';
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	*argvp = argv;
	return argc;
}

void
knit_params_free(char **argv)
{
	size_t i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

int
knit_rec_begin(struct knit_rec *rec, const char *path,
    const struct knit_run_args *a, uint64_t text_hash, int64_t replay_of)
{
	struct db_run_info ri;
	struct db_err err;
	char hash[24], *params;

	memset(rec, 0, sizeof(*rec));
	rec->rc_db = db_open(path, DB_OPEN_WRITE, &err);
	if (rec->rc_db == NULL) {
		fprintf(stderr, "knit: %s\n", err.de_msg);
		return -1;
	}
	snprintf(hash, sizeof(hash), "%016" PRIx64, text_hash);
	params = knit_params_encode(&a->a_opts);
	memset(&ri, 0, sizeof(ri));
	ri.ri_scenario = a->a_opts.o_scenario;
	ri.ri_scenario_hash = hash;
	ri.ri_seed = a->a_opts.o_seed;
	ri.ri_strategy = a->a_opts.o_strategy ? a->a_opts.o_strategy :
	    "default";
	ri.ri_params = params;
	ri.ri_replay_of = replay_of;
	ri.ri_trace = (enum db_trace_level)a->a_opts.o_db_trace;
	rec->rc_run = db_run_begin(rec->rc_db, &ri, &err);
	free(params);
	if (rec->rc_run == NULL) {
		fprintf(stderr, "knit: %s\n", err.de_msg);
		db_close(rec->rc_db);
		rec->rc_db = NULL;
		return -1;
	}
	rec->rc_id = db_run_id(rec->rc_run);
	return 0;
}

/* o_finish: the world is still alive here. */
void
knit_rec_finish(void *arg, struct world *w, const struct kn_result *r)
{
	struct knit_rec *rec = arg;
	struct db_run_result rr;
	struct db_err err;
	size_t i, n;

	if (rec->rc_run == NULL)
		return;
	db_schedule_save(rec->rc_run, world_schedule(w));
	n = world_nviolations(w);
	for (i = 0; i < n; i++)
		db_violation_add(rec->rc_run, world_violation(w, i));
	for (i = 0; i < r->r_nfailures; i++)
		db_violation(rec->rc_run, "expectation",
		    r->r_failures[i].f_time, NULL, -1, -1,
		    r->r_failures[i].f_text, NULL, NULL);
	if (r->r_status == KN_ERROR && r->r_error != NULL)
		db_violation(rec->rc_run, "scenario_error", r->r_vtime, NULL,
		    -1, -1, r->r_error, NULL, NULL);
	memset(&rr, 0, sizeof(rr));
	rr.rr_verdict = r->r_status == KN_PASS ? DB_VERDICT_PASS :
	    r->r_status == KN_FAIL ? DB_VERDICT_FAIL : DB_VERDICT_ERROR;
	rr.rr_virtual_ns = r->r_vtime;
	rr.rr_events = r->r_events;
	rr.rr_trace_hash = r->r_hash;
	if (db_run_end(rec->rc_run, &rr, &err) != 0) {
		fprintf(stderr, "knit: recording run %" PRId64 ": %s\n",
		    rec->rc_id, err.de_msg);
		rec->rc_failed = true;
	}
	rec->rc_run = NULL;
	rec->rc_done = true;
}

void
knit_rec_close(struct knit_rec *rec)
{
	if (rec->rc_run != NULL)
		db_run_abort(rec->rc_run, "knit stopped before the run ended");
	if (rec->rc_db != NULL)
		db_close(rec->rc_db);
	memset(rec, 0, sizeof(*rec));
}
