/*
 * knit replay: re-execute a recorded run with the same scenario content,
 * seed, options and schedule, and check that it ends the same way.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "record/db.h"
#include "record/schedule.h"

#include "emit_lua.h"
#include "knit.h"
#include "run.h"

const char cmd_replay_help[] =
    "usage: knit replay DB --run ID [--quiet] [--emit-lua FILE]\n"
    "\n"
    "Re-execute run ID recorded in the database DB (see `knit run --db'):\n"
    "the same scenario file (its content must be unchanged), seed,\n"
    "strategy, options and schedule of scheduling choices.  The replay\n"
    "prints the run summary and whether its trace hash matches the\n"
    "recorded one.  The replay itself is not recorded.  A run recorded\n"
    "with --race, or whose scenario asks for the race detector, needs the\n"
    "race build of the stack: build/knit runs build/knit-race (beside\n"
    "it) with the same arguments.\n"
    "\n"
    "options:\n"
    "  --run ID     the run to replay (`knit report' lists runs); \"last\"\n"
    "               is the most recent run\n"
    "  --quiet      no scenario output and a one-line summary\n"
    "  --emit-lua FILE\n"
    "               instead of replaying, write FILE: a stand-alone\n"
    "               scenario (the run's source embedded, its -D values,\n"
    "               its deviations from the default strategy as named\n"
    "               race windows, knit.preempt, minimised first) that\n"
    "               `knit run FILE' fails with the same signature; the\n"
    "               text is run twice to check that before it is written\n"
    "               (the file says what the check found).  A run with\n"
    "               --race gives a file that asks for the race detector\n"
    "               itself (knit.check{race = true})\n"
    "               Exit 0 written and reproduced; 2 the run did not\n"
    "               fail or FILE cannot be written; 3 the run no longer\n"
    "               replays as recorded, or the written file does not\n"
    "               reproduce the failure (the message says which)\n"
    "\n"
    "exit status: the run's own status when the replay matches (0 it\n"
    "passed, 1 it failed, 2 scenario error); 3 when the replay diverged\n"
    "(a scheduling choice no longer matches, or the trace hash differs)\n"
    "or the scenario file changed since the run; 2 for usage errors\n"
    "(no such database or run).\n";

static const struct option replay_longopts[] = {
	{ "run", required_argument, NULL, 'r' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "emit-lua", required_argument, NULL, 'e' },
	{ NULL, 0, NULL, 0 }
};

static int
replay_load(const char *dbpath, const char *idtext, struct db_run_record *rec)
{
	struct db_err err;
	struct db *db;
	uint64_t id;

	db = db_open(dbpath, DB_OPEN_READONLY, &err);
	if (db == NULL) {
		fprintf(stderr, "knit replay: %s\n", err.de_msg);
		return -1;
	}
	if (strcmp(idtext, "last") == 0) {
		id = (uint64_t)db_last_run(db);
		if (id == 0) {
			fprintf(stderr, "knit replay: %s has no runs\n",
			    dbpath);
			db_close(db);
			return -1;
		}
	} else if (!knit_parse_u64(idtext, &id) || id == 0) {
		knit_usage_error("replay", "--run '%s': expected a run id",
		    idtext);
		db_close(db);
		return -1;
	}
	if (db_run_load(db, (int64_t)id, rec, &err) != 0) {
		fprintf(stderr, "knit replay: %s\n", err.de_msg);
		db_close(db);
		return -1;
	}
	db_close(db);
	return 0;
}

int
cmd_replay(int argc, char **argv)
{
	const char *dbpath = NULL, *idtext = NULL, *emit = NULL;
	struct db_run_record rec;
	struct knit_run_args a;
	struct schedule sched;
	struct kn_result r;
	struct db_err err;
	char **pargv = NULL, hash[24];
	bool quiet = false;
	int c, pargc, rc;
	double t0, wall;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", replay_longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'r':
			idtext = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'e':
			emit = optarg;
			break;
		default:
			knit_usage_error("replay", "option '%s' is unknown or "
			    "needs a value", argv[optind - 1]);
			return KNIT_EXIT_USAGE;
		}
	}
	if (optind < argc)
		dbpath = argv[optind++];
	if (dbpath == NULL || idtext == NULL || optind < argc) {
		knit_usage_error("replay", "expected: knit replay DB --run ID");
		return KNIT_EXIT_USAGE;
	}
	memset(&rec, 0, sizeof(rec));
	if (replay_load(dbpath, idtext, &rec) != 0)
		return KNIT_EXIT_USAGE;

	pargc = knit_params_decode(rec.rec_params, &pargv);
	if (pargc < 0 || knit_run_parse("replay", pargc, pargv, &a, false) !=
	    0) {
		fprintf(stderr, "knit replay: run %" PRId64 ": cannot read its "
		    "recorded options '%s'\n", rec.rec_id,
		    rec.rec_params ? rec.rec_params : "");
		knit_params_free(pargv);
		db_run_record_free(&rec);
		return KNIT_EXIT_USAGE;
	}
	if (a.a_opts.o_race && knit_race_build("replay", "a run recorded "
	    "with --race") != 0) {
		rc = KNIT_EXIT_USAGE;
		goto out;
	}
	a.a_opts.o_scenario = rec.rec_scenario;
	a.a_opts.o_seed = rec.rec_seed;
	a.a_opts.o_quiet = quiet;
	if (knit_read_scenario(&a) != 0) {
		fprintf(stderr, "knit replay: run %" PRId64 ": scenario "
		    "changed: '%s' cannot be read\n", rec.rec_id,
		    rec.rec_scenario);
		rc = KNIT_EXIT_DIVERGED;
		goto out;
	}
	snprintf(hash, sizeof(hash), "%016" PRIx64,
	    kn_text_hash(a.a_opts.o_text, a.a_opts.o_textlen));
	if (rec.rec_scenario_hash == NULL ||
	    strcmp(hash, rec.rec_scenario_hash) != 0) {
		fprintf(stderr, "knit replay: run %" PRId64 ": scenario "
		    "changed: the content of '%s' hashes to %s, the run "
		    "recorded %s\n", rec.rec_id, rec.rec_scenario, hash,
		    rec.rec_scenario_hash ? rec.rec_scenario_hash : "none");
		rc = KNIT_EXIT_DIVERGED;
		goto out;
	}
	schedule_init(&sched);
	if (rec.rec_schedule != NULL &&
	    db_run_record_schedule(&rec, &sched, &err) != 0) {
		fprintf(stderr, "knit replay: run %" PRId64 ": %s\n",
		    rec.rec_id, err.de_msg);
		schedule_fini(&sched);
		rc = KNIT_EXIT_USAGE;
		goto out;
	}
	if (emit != NULL) {
		struct emit_lua_args el = { dbpath, emit, &rec, &sched,
		    false };

		rc = knit_emit_lua(&el, &a.a_opts);
		schedule_fini(&sched);
		if (el.el_needs_race) {
			(void)knit_race_build("replay", "the scenario's "
			    "knit.check{race = true}");
			rc = KNIT_EXIT_USAGE;
		}
		goto out;
	}
	a.a_opts.o_strategy = "replay";
	a.a_opts.o_replay = &sched;
	/* only the default strategy ran with lookahead */
	if (rec.rec_strategy == NULL ||
	    strcmp(rec.rec_strategy, "default") != 0)
		a.a_opts.o_no_lookahead = true;

	t0 = knit_wall_seconds();
	kn_run(&a.a_opts, &r);
	wall = knit_wall_seconds() - t0;
	schedule_fini(&sched);
	if (r.r_needs_race) {
		(void)knit_race_build("replay", "the scenario's "
		    "knit.check{race = true}");
		kn_result_fini(&r);
		rc = KNIT_EXIT_USAGE;
		goto out;
	}

	rc = KNIT_EXIT_OK;
	if (r.r_status == KN_ERROR && r.r_error != NULL &&
	    rec.rec_verdict != DB_VERDICT_ERROR) {
		fprintf(stderr, "knit: %s\n", r.r_error);
		fprintf(stderr, "knit replay: run %" PRId64 " diverged: the "
		    "replay stopped with a scenario error\n", rec.rec_id);
		rc = KNIT_EXIT_DIVERGED;
	} else if (r.r_status != KN_ERROR) {
		knit_print_summary(&a.a_opts, &r, wall);
	}
	if (rc == KNIT_EXIT_OK && r.r_divergence != NULL) {
		fprintf(stderr, "knit replay: run %" PRId64 " %s\n",
		    rec.rec_id, r.r_divergence);
		rc = KNIT_EXIT_DIVERGED;
	} else if (rc == KNIT_EXIT_OK && r.r_hash != rec.rec_trace_hash &&
	    rec.rec_verdict != DB_VERDICT_ERROR) {
		fprintf(stderr, "knit replay: run %" PRId64 " diverged after "
		    "step %" PRIu64 ": trace hash 0x%016" PRIx64 " differs "
		    "from the recorded 0x%016" PRIx64 "\n", rec.rec_id,
		    r.r_events, r.r_hash, rec.rec_trace_hash);
		rc = KNIT_EXIT_DIVERGED;
	} else if (rc == KNIT_EXIT_OK) {
		printf("replay of run %" PRId64 " matches: trace hash "
		    "0x%016" PRIx64 "\n", rec.rec_id, r.r_hash);
		rc = r.r_status == KN_PASS ? KNIT_EXIT_OK :
		    r.r_status == KN_FAIL ? KNIT_EXIT_FAIL : KNIT_EXIT_USAGE;
		if (r.r_status == KN_ERROR && r.r_error != NULL)
			fprintf(stderr, "knit: %s\n", r.r_error);
	}
	kn_result_fini(&r);
out:
	knit_run_args_fini(&a);
	knit_params_free(pargv);
	db_run_record_free(&rec);
	return rc;
}
