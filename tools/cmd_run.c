/*
 * knit run: run a scenario once and print a summary.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knit.h"
#include "kn.h"
#include "run.h"
#include "record/db.h"

const char cmd_run_help[] =
    "usage: knit run SCENARIO.lua [options]\n"
    "\n"
    "Run the scenario once in a fresh world and print a summary: verdict,\n"
    "virtual time, events (scheduling steps), wall time, trace hash and\n"
    "violations.  The same scenario, seed and options always give the\n"
    "same trace hash.\n"
    "\n"
    "options:\n"
    "  --seed N           the run's seed (default 1); every random stream\n"
    "                     of the world derives from it\n"
    "  -D NAME=VALUE      set scenario parameter NAME, read by\n"
    "                     knit.param(NAME, default); may be repeated; a\n"
    "                     NAME the scenario never reads is an error\n"
    "  --db FILE          record the run and its schedule in the SQLite\n"
    "                     database FILE (default knit.db), for `knit replay'\n"
    "  --no-db            do not record the run\n"
    "  --pcap FILE        capture every NIC into the pcapng file FILE\n"
    "  --strategy NAME    scheduling strategy (default \"default\": the\n"
    "                     ready CPU with the earliest clock; \"random\":\n"
    "                     seeded random choices)\n"
    "  --race-window T    exploration window (e.g. \"10us\"; default: the\n"
    "                     machine's)\n"
    "  --race             the race detector: a data race is a violation\n"
    "                     (the run ends at it).  It needs the race build\n"
    "                     of the stack: build/knit runs build/knit-race\n"
    "                     (beside it) with the same arguments.  A\n"
    "                     scenario can ask for it itself with\n"
    "                     knit.check{race = true}\n"
    "  --race-points      with --race: every instrumented access is a\n"
    "                     scheduling point (another schedule)\n"
    "  --trace LEVEL      what the database records of the run besides\n"
    "                     its schedule and violations: \"off\"; \"packets\"\n"
    "                     (default): every frame each NIC sends or\n"
    "                     receives, with the route used, and every route\n"
    "                     change with the host's invalidation policy;\n"
    "                     \"full\": also each CPU's switches between LWPs\n"
    "                     and lock holds (the report's CPU lanes).\n"
    "                     \"1\": also scenario actions (timers, processes,\n"
    "                     commands) on stderr with their virtual times;\n"
    "                     \"0\": none of those\n"
    "  --quiet            no scenario output (print) and a one-line summary\n"
    "  --no-memcheck      no memory checker (freed kernel memory is\n"
    "                     recycled, not poisoned: a use after free goes\n"
    "                     unreported; leaks are still reported); faster\n"
    "  --no-lookahead     no cross-host lookahead: the default strategy\n"
    "                     then steps the CPU with the earliest clock at\n"
    "                     every point, switching between hosts as their\n"
    "                     clocks overlap; hosts behave the same either\n"
    "                     way (same virtual times), only the interleaving\n"
    "                     of hosts and the trace hash differ; slower\n"
    "  --allow-io         give the scenario Lua's io and os libraries,\n"
    "                     require of files, loadfile and dofile (off by\n"
    "                     default: a scenario cannot touch the host system)\n"
    "\n"
    "exit status: 0 every expectation held and no violation occurred;\n"
    "1 an expectation failed or a violation occurred; 2 a usage or\n"
    "scenario error (bad option, Lua syntax or runtime error, unknown host,\n"
    "bad address, negative time, unknown -D name).\n";

enum {
	OPT_SEED = 256, OPT_DB, OPT_NODB, OPT_PCAP, OPT_STRATEGY,
	OPT_RACE_WINDOW, OPT_TRACE, OPT_QUIET, OPT_ALLOW_IO, OPT_RACE,
	OPT_RACE_POINTS, OPT_NO_MEMCHECK, OPT_NO_LOOKAHEAD,
};

static const struct option run_longopts[] = {
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "db", required_argument, NULL, OPT_DB },
	{ "no-db", no_argument, NULL, OPT_NODB },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "race-window", required_argument, NULL, OPT_RACE_WINDOW },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "allow-io", no_argument, NULL, OPT_ALLOW_IO },
	{ "race", no_argument, NULL, OPT_RACE },
	{ "race-points", no_argument, NULL, OPT_RACE_POINTS },
	{ "no-memcheck", no_argument, NULL, OPT_NO_MEMCHECK },
	{ "no-lookahead", no_argument, NULL, OPT_NO_LOOKAHEAD },
	{ NULL, 0, NULL, 0 }
};

void
knit_run_args_fini(struct knit_run_args *a)
{
	size_t i;

	for (i = 0; i < a->a_opts.o_ndefs; i++) {
		free(a->a_opts.o_defs[i].d_name);
		free(a->a_opts.o_defs[i].d_value);
	}
	free(a->a_opts.o_defs);
	free(a->a_text);
	memset(a, 0, sizeof(*a));
}

static int
run_add_define(struct knit_run_args *a, const char *arg)
{
	struct kn_opts *o = &a->a_opts;
	const char *eq = strchr(arg, '=');
	struct kn_define *nd;

	if (eq == NULL || eq == arg) {
		knit_usage_error("run", "-D '%s': expected NAME=VALUE", arg);
		return -1;
	}
	nd = realloc(o->o_defs, (o->o_ndefs + 1) * sizeof(*nd));
	if (nd == NULL)
		return -1;
	o->o_defs = nd;
	nd = &o->o_defs[o->o_ndefs++];
	memset(nd, 0, sizeof(*nd));
	nd->d_name = strndup(arg, (size_t)(eq - arg));
	nd->d_value = strdup(eq + 1);
	return 0;
}

int
knit_run_parse(const char *cmd, int argc, char **argv,
    struct knit_run_args *a, bool want_scenario)
{
	struct kn_opts *o = &a->a_opts;
	char err[256];
	int c;

	memset(a, 0, sizeof(*a));
	o->o_seed = 1;
	o->o_db_trace = DB_TRACE_PACKETS;
	a->a_db = "knit.db";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "D:", run_longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'D':
			if (run_add_define(a, optarg) != 0)
				return -1;
			break;
		case OPT_SEED:
			if (!knit_parse_u64(optarg, &o->o_seed)) {
				knit_usage_error(cmd, "--seed '%s': expected a "
				    "non-negative integer", optarg);
				return -1;
			}
			a->a_seed_given = true;
			break;
		case OPT_DB:
			a->a_db = optarg;
			break;
		case OPT_NODB:
			a->a_db = NULL;
			break;
		case OPT_PCAP:
			o->o_pcap = optarg;
			break;
		case OPT_STRATEGY:
			o->o_strategy = optarg;
			break;
		case OPT_RACE_WINDOW:
			if (kn_parse_time(optarg, &o->o_race_window, err,
			    sizeof(err)) != 0) {
				knit_usage_error(cmd, "--race-window: %s", err);
				return -1;
			}
			break;
		case OPT_TRACE: {
			enum db_trace_level lv;
			uint64_t v;

			if (db_trace_level_parse(optarg, &lv) == 0) {
				o->o_db_trace = (int)lv;
				a->a_trace_given = true;
				break;
			}
			if (!knit_parse_u64(optarg, &v) || v > 1) {
				knit_usage_error(cmd, "--trace '%s': expected "
				    "off, packets, full, 0 or 1", optarg);
				return -1;
			}
			o->o_trace = (int)v;
			break;
		}
		case OPT_QUIET:
			o->o_quiet = true;
			break;
		case OPT_ALLOW_IO:
			o->o_allow_io = true;
			break;
		case OPT_RACE:
			o->o_race = true;
			break;
		case OPT_RACE_POINTS:
			o->o_race_points = true;
			break;
		case OPT_NO_MEMCHECK:
			o->o_no_memcheck = true;
			break;
		case OPT_NO_LOOKAHEAD:
			o->o_no_lookahead = true;
			break;
		case '?':
		default:
			if (optopt == 'D')
				knit_usage_error(cmd, "-D needs NAME=VALUE");
			else if (optopt != 0)
				knit_usage_error(cmd, "option '-%c' is unknown "
				    "or needs a value", optopt);
			else
				knit_usage_error(cmd, "option '%s' is unknown "
				    "or needs a value", argv[optind - 1]);
			return -1;
		}
	}
	if (o->o_race_points && !o->o_race) {
		knit_usage_error(cmd, "--race-points needs --race");
		return -1;
	}
	if (want_scenario) {
		if (optind >= argc) {
			knit_usage_error(cmd, "no scenario given");
			return -1;
		}
		o->o_scenario = argv[optind++];
	}
	if (optind < argc) {
		knit_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
		return -1;
	}
	return 0;
}

static const char *
run_verdict(int status)
{
	switch (status) {
	case KN_PASS:
		return "PASS";
	case KN_FAIL:
		return "FAIL";
	default:
		return "ERROR";
	}
}

void
knit_print_summary(const struct kn_opts *o, const struct kn_result *r,
    double wall)
{
	char vt[48];

	kn_format_time(r->r_vtime, vt, sizeof(vt));
	if (o->o_quiet) {
		printf("%s %s seed %" PRIu64 " trace hash: 0x%016" PRIx64 "\n",
		    run_verdict(r->r_status), o->o_scenario, o->o_seed,
		    r->r_hash);
		return;
	}
	if (r->r_violations != NULL)
		fputs(r->r_violations, stdout);
	printf("verdict: %s\n", run_verdict(r->r_status));
	printf("scenario: %s (seed %" PRIu64 ")\n", o->o_scenario, o->o_seed);
	printf("virtual time: %s\n", vt);
	printf("events: %" PRIu64 "\n", r->r_events);
	printf("wall time: %.3fs\n", wall);
	printf("trace hash: 0x%016" PRIx64 "\n", r->r_hash);
	printf("violations: %zu\n", r->r_nviolations);
	printf("expectations: %zu checked, %zu failed\n", r->r_nexpect,
	    r->r_nexpect_failed);
}

int
knit_read_scenario(struct knit_run_args *a)
{
	struct kn_opts *o = &a->a_opts;
	FILE *fp;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	fp = fopen(o->o_scenario, "rb");
	if (fp == NULL) {
		fprintf(stderr, "knit: cannot open scenario '%s': %s\n",
		    o->o_scenario, strerror(errno));
		return -1;
	}
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 16384;
			buf = realloc(buf, cap);
			if (buf == NULL) {
				fclose(fp);
				fprintf(stderr, "knit: out of memory\n");
				return -1;
			}
		}
		n = fread(buf + len, 1, cap - len - 1, fp);
		len += n;
	} while (n > 0);
	if (ferror(fp)) {
		fprintf(stderr, "knit: cannot read scenario '%s': %s\n",
		    o->o_scenario, strerror(errno));
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	buf[len] = '\0';
	a->a_text = buf;
	o->o_text = buf;
	o->o_textlen = len;
	return 0;
}

/*
 * o_finish: a run that stopped because the scenario asks for the race
 * detector (knit.check{race = true}) outside the race build is run
 * again by build/knit-race; only that run is recorded.
 */
static void
run_finish(void *arg, struct world *w, const struct kn_result *r)
{
	struct knit_rec *rec = arg;

	if (r->r_needs_race) {
		db_run_abort(rec->rc_run, "the scenario asks for the race "
		    "detector: run again by build/knit-race");
		rec->rc_run = NULL;
		return;
	}
	knit_rec_finish(arg, w, r);
}

int
cmd_run(int argc, char **argv)
{
	struct knit_run_args a;
	struct knit_rec rec;
	struct kn_result r;
	double t0, wall;
	int rc;

	memset(&rec, 0, sizeof(rec));
	if (knit_run_parse("run", argc, argv, &a, true) != 0 ||
	    knit_read_scenario(&a) != 0 ||
	    (a.a_opts.o_race && knit_race_build("run", "--race") != 0)) {
		knit_run_args_fini(&a);
		return KNIT_EXIT_USAGE;
	}
	if (a.a_db != NULL) {
		if (knit_rec_begin(&rec, a.a_db, &a,
		    kn_text_hash(a.a_opts.o_text, a.a_opts.o_textlen), 0) !=
		    0) {
			knit_run_args_fini(&a);
			return KNIT_EXIT_USAGE;
		}
		a.a_opts.o_finish = run_finish;
		a.a_opts.o_finish_arg = &rec;
		a.a_opts.o_db_run = rec.rc_run;
	}
	t0 = knit_wall_seconds();
	kn_run(&a.a_opts, &r);
	wall = knit_wall_seconds() - t0;
	if (r.r_needs_race) {
		knit_rec_close(&rec);
		(void)knit_race_build("run", "the scenario's knit.check{race "
		    "= true}");
		rc = KNIT_EXIT_USAGE;
	} else if (r.r_status == KN_ERROR) {
		fprintf(stderr, "knit: %s\n", r.r_error ? r.r_error :
		    "scenario error");
		rc = KNIT_EXIT_USAGE;
	} else {
		knit_print_summary(&a.a_opts, &r, wall);
		rc = r.r_status == KN_PASS ? KNIT_EXIT_OK : KNIT_EXIT_FAIL;
	}
	if (rec.rc_done && !rec.rc_failed && !a.a_opts.o_quiet)
		printf("recorded: run %" PRId64 " in %s (knit replay %s "
		    "--run %" PRId64 ")\n", rec.rc_id, a.a_db, a.a_db,
		    rec.rc_id);
	knit_rec_close(&rec);
	kn_result_fini(&r);
	knit_run_args_fini(&a);
	return rc;
}
