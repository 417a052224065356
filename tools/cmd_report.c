/*
 * knit report: one self-contained HTML file of a run database.
 */
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_cmds.h"
#include "record/db.h"
#include "report.h"

const char cmd_report_help[] =
    "usage: knit report DB [--run ID] [-o FILE.html] [--max-events N]\n"
    "\n"
    "Write one self-contained HTML file (no network needed) about the run\n"
    "database DB: the list of runs with their verdicts, violations grouped\n"
    "by signature, and for one run (--run ID; default: the latest run with\n"
    "trace events, else the latest run) its violations with both stacks\n"
    "and the replay command, a zoomable SVG timeline with one lane per\n"
    "simulated CPU (LWPs, lock holds, softints, interrupts), packets\n"
    "crossing links and route changes on the same time axis, each flow's\n"
    "packet paths, and packets that used a stale route.\n"
    "\n"
    "options:\n"
    "  --run ID          the run to detail\n"
    "  -o FILE           output file (default report.html)\n"
    "  --max-events N    draw at most the first N trace events (default\n"
    "                    50000)\n"
    "\n"
    "exit status: 0 written; 2 usage error, DB unreadable, no such run.\n";

static void
file_write(void *arg, const void *buf, size_t len)
{
	fwrite(buf, 1, len, (FILE *)arg);
}

static int
report_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "knit report: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see `knit help report')\n");
	return 2;
}

/* A positive decimal id; 0 if s is not one. */
static int64_t
parse_id(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	v = strtoll(s, &end, 10);
	return *end == '\0' && v > 0 ? (int64_t)v : 0;
}

int
cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "max-events", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rpt_query q = { .q_page = 1, .q_per_page = 1000 };
	struct rpt_ctx c = { .rc_max_events = 50000 };
	struct rpt_out o;
	struct db_err err;
	struct db *db;
	const char *out = "report.html";
	char tmp[4096], title[4200];
	int64_t run = 0;
	FILE *fp;
	int ch, rv;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if ((run = parse_id(optarg)) == 0)
				return report_usage("--run: '%s' is not a run "
				    "id (a positive number)", optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 'm':
			if ((c.rc_max_events = parse_id(optarg)) == 0)
				return report_usage("--max-events: '%s' is not "
				    "a positive number", optarg);
			break;
		case 'h':
			fputs(cmd_report_help, stdout);
			return 0;
		default:
			return report_usage("%s", "bad option");
		}
	}
	if (optind != argc - 1)
		return report_usage("%s", optind >= argc ? "expected one "
		    "database file" : "expected exactly one database file");
	db = db_open(argv[optind], DB_OPEN_READONLY, &err);
	if (db == NULL) {
		fprintf(stderr, "knit report: %s\n", err.de_msg);
		return 2;
	}
	c.rc_sql = db_sqlite(db);
	c.rc_dbpath = argv[optind];
	if (run == 0)
		run = rpt_default_run(&c);
	else if (!rpt_run_exists(&c, run)) {
		fprintf(stderr, "knit report: %s has no run %" PRId64 "\n",
		    argv[optind], run);
		db_close(db);
		return 2;
	}
	/* Write a temporary file and rename: never a half report. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	fp = fopen(tmp, "w");
	if (fp == NULL) {
		fprintf(stderr, "knit report: %s: cannot write: %m\n", tmp);
		db_close(db);
		return 2;
	}
	o.ro_write = file_write;
	o.ro_arg = fp;
	snprintf(title, sizeof(title), "knit report: %s", argv[optind]);
	rpt_page_begin(&o, title);
	rpt_puts(&o, "<h2>Runs</h2>\n");
	rv = rpt_runs(&c, &o, &q) < 0;
	rpt_puts(&o, "<h2>Violations by signature</h2>\n");
	rv |= rpt_signatures(&c, &o) < 0;
	if (run > 0)
		rv |= rpt_run_detail(&c, &o, run) != 0;
	rpt_page_end(&o);
	if (rv != 0)
		fprintf(stderr, "knit report: %s: %s\n", argv[optind],
		    sqlite3_errmsg(c.rc_sql));
	db_close(db);
	if (fclose(fp) != 0 || rv != 0 || rename(tmp, out) != 0) {
		if (rv == 0)
			fprintf(stderr, "knit report: %s: %m\n", out);
		remove(tmp);
		return 2;
	}
	printf("knit report: wrote %s\n", out);
	return 0;
}
