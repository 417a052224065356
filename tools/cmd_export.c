/*
 * knit export: a run in the Chrome trace-event format (JSON), for
 * Perfetto (ui.perfetto.dev) or chrome://tracing.  Each host is a
 * process; each simulated CPU a thread whose slices are the LWPs that
 * ran on it and its idle periods (interrupts and softints nested
 * inside); lock holds are
 * slices on a "cpuN locks" thread next to it (holds need not nest);
 * packets, route changes and violations are instant events.  Output is
 * split into files of at most --max-bytes (default 200 MB), each a
 * complete trace with the track names.
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

const char cmd_export_help[] =
    "usage: knit export DB --run ID --chrome-trace FILE.json\n"
    "                   [--max-bytes N]\n"
    "\n"
    "Write run ID of database DB in the Chrome trace-event format, for\n"
    "Perfetto or chrome://tracing: hosts are processes, simulated CPUs\n"
    "are tracks whose slices are the LWPs that ran and idle periods\n"
    "(with interrupts and softints), lock holds are slices on a\n"
    "\"cpuN locks\" track, and packets, route changes and violations\n"
    "are instant events.  Needs a run recorded with --trace full for\n"
    "the CPU tracks.\n"
    "\n"
    "options:\n"
    "  --run ID             the run (required)\n"
    "  --chrome-trace FILE  output; when larger than --max-bytes the trace\n"
    "                       is split into FILE, FILE-part2.json, ... each a\n"
    "                       complete trace\n"
    "  --max-bytes N        split size (default 200000000)\n"
    "\n"
    "exit status: 0 written; 2 usage error, DB unreadable, no such run,\n"
    "cannot write.\n";

#define EX_TID_LOCKS	1000
#define EX_TID_NET	100000

struct ex {
	const char	*x_path;
	FILE		*x_fp;
	int		 x_part;
	int		 x_nevents;	/* in the current file */
	uint64_t	 x_written;
	uint64_t	 x_max;
	int		 x_error;
	char		**x_hosts;	/* sorted; pid = index + 1 */
	int		 x_nhosts;
	int		*x_cpus;	/* per host: highest CPU number + 1 */
	sqlite3		*x_sql;
	int64_t		 x_run;
};

static void
json_str(char *out, size_t len, const char *s)
{
	size_t n = 0;

	if (s == NULL)
		s = "";
	while (*s != '\0' && n + 8 < len) {
		unsigned char ch = (unsigned char)*s++;

		if (ch == '"' || ch == '\\') {
			out[n++] = '\\';
			out[n++] = (char)ch;
		} else if (ch < 0x20)
			n += (size_t)snprintf(out + n, len - n, "\\u%04x", ch);
		else
			out[n++] = (char)ch;
	}
	out[n] = '\0';
}

static char *
ex_part_name(const struct ex *x, int part)
{
	size_t n = strlen(x->x_path);
	char *name = malloc(n + 32);

	if (name == NULL)
		return NULL;
	if (part == 1)
		memcpy(name, x->x_path, n + 1);
	else if (n > 5 && strcmp(x->x_path + n - 5, ".json") == 0)
		snprintf(name, n + 32, "%.*s-part%d.json", (int)(n - 5),
		    x->x_path, part);
	else
		snprintf(name, n + 32, "%s-part%d", x->x_path, part);
	return name;
}

static void ex_line(struct ex *, const char *);

static int
ex_open(struct ex *x)
{
	char line[512], name[200];
	char *path;
	int h, cpu;

	x->x_part++;
	path = ex_part_name(x, x->x_part);
	if (path == NULL || (x->x_fp = fopen(path, "w")) == NULL) {
		fprintf(stderr, "knit export: %s: cannot write: %m\n",
		    path != NULL ? path : x->x_path);
		free(path);
		x->x_error = 1;
		return -1;
	}
	printf("knit export: writing %s\n", path);
	free(path);
	x->x_written = (uint64_t)fprintf(x->x_fp,
	    "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
	x->x_nevents = 0;
	/* Track names, in every part. */
	for (h = 0; h < x->x_nhosts; h++) {
		json_str(name, sizeof(name), x->x_hosts[h]);
		snprintf(line, sizeof(line), "{\"ph\":\"M\",\"name\":"
		    "\"process_name\",\"pid\":%d,\"args\":{\"name\":\"%s\"}}",
		    h + 1, name);
		ex_line(x, line);
		for (cpu = 0; cpu < x->x_cpus[h]; cpu++) {
			snprintf(line, sizeof(line), "{\"ph\":\"M\",\"name\":"
			    "\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":"
			    "{\"name\":\"cpu%d\"}}", h + 1, cpu, cpu);
			ex_line(x, line);
			snprintf(line, sizeof(line), "{\"ph\":\"M\",\"name\":"
			    "\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":"
			    "{\"name\":\"cpu%d locks\"}}", h + 1,
			    EX_TID_LOCKS + cpu, cpu);
			ex_line(x, line);
		}
		snprintf(line, sizeof(line), "{\"ph\":\"M\",\"name\":"
		    "\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":"
		    "\"network\"}}", h + 1, EX_TID_NET);
		ex_line(x, line);
	}
	return 0;
}

static void
ex_close(struct ex *x)
{
	if (x->x_fp == NULL)
		return;
	fputs("\n]}\n", x->x_fp);
	if (fclose(x->x_fp) != 0) {
		fprintf(stderr, "knit export: write error: %m\n");
		x->x_error = 1;
	}
	x->x_fp = NULL;
}

/* One event; starts a new part when this one would pass the limit. */
static void
ex_line(struct ex *x, const char *line)
{
	size_t len = strlen(line) + 2;

	if (x->x_error)
		return;
	if (x->x_fp != NULL && x->x_nevents > 0 &&
	    x->x_written + len + 8 > x->x_max) {
		ex_close(x);
		if (ex_open(x) != 0)
			return;
	}
	if (x->x_fp == NULL && ex_open(x) != 0)
		return;
	fputs(x->x_nevents++ > 0 ? ",\n" : "", x->x_fp);
	fputs(line, x->x_fp);
	x->x_written += len;
}

static int
ex_pid(const struct ex *x, const char *host)
{
	int lo = 0, hi = x->x_nhosts - 1, mid, c;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		c = strcmp(x->x_hosts[mid], host != NULL ? host : "");
		if (c == 0)
			return mid + 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return 0;
}

static void
ex_span(void *arg, const char *host, int cpu, const char *cls, int64_t a,
    int64_t b, const char *name)
{
	struct ex *x = arg;
	char line[512], nm[200];

	json_str(nm, sizeof(nm), name);
	snprintf(line, sizeof(line), "{\"ph\":\"X\",\"cat\":\"%s\",\"name\":"
	    "\"%s\",\"pid\":%d,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f}", cls, nm,
	    ex_pid(x, host), strcmp(cls, "lock") == 0 ? EX_TID_LOCKS + cpu :
	    cpu, (double)a / 1e3, (double)(b - a) / 1e3);
	ex_line(x, line);
}

/* Hosts (sorted) and their CPU counts, known before the first part. */
static int
ex_hosts(struct ex *x)
{
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(x->x_sql, "SELECT host, max(cpu) FROM ("
	    "SELECT host, cpu FROM events WHERE id BETWEEN ?1 << 36 AND "
	    "(?1 << 36) + (1 << 36) - 1 UNION SELECT host, -1 FROM packets "
	    "WHERE run = ?1 UNION SELECT host, -1 FROM route_changes WHERE "
	    "run = ?1 UNION SELECT host, cpu FROM violations WHERE run = ?1)"
	    " WHERE host IS NOT NULL GROUP BY host ORDER BY host", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, x->x_run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n % 16 == 0) {
			char **h = realloc(x->x_hosts, (size_t)(n + 16) *
			    sizeof(*h));
			int *c = realloc(x->x_cpus, (size_t)(n + 16) *
			    sizeof(*c));

			if (h != NULL)
				x->x_hosts = h;
			if (c != NULL)
				x->x_cpus = c;
			if (h == NULL || c == NULL)
				break;
		}
		x->x_hosts[n] = strdup((const char *)sqlite3_column_text(st,
		    0));
		x->x_cpus[n] = sqlite3_column_int(st, 1) + 1;
		if (x->x_hosts[n] == NULL)
			break;
		n++;
	}
	x->x_nhosts = n;
	sqlite3_finalize(st);
	return 0;
}

static int
ex_instants(struct ex *x)
{
	static const char *const sql[] = {
		"SELECT vtime, host, dir || ' ' || coalesce(flow, ''), "
		"coalesce(summary, '') || ' ' || coalesce(nic, ''), 't' "
		"FROM packets WHERE run = ?1 ORDER BY seq",
		"SELECT vtime, host, 'route ' || op || ' ' || coalesce(dst, '')"
		" || coalesce(' via ' || gateway, ''), coalesce(flags, ''), "
		"'p' FROM route_changes WHERE run = ?1 ORDER BY seq",
		"SELECT vtime, host, kind || ': ' || coalesce(message, ''), "
		"coalesce(signature, ''), 'g' FROM violations WHERE run = ?1 "
		"ORDER BY id",
	};
	sqlite3_stmt *st;
	char line[1024], nm[400], arg[400];
	size_t i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if (sqlite3_prepare_v2(x->x_sql, sql[i], -1, &st, NULL) !=
		    SQLITE_OK)
			return -1;
		sqlite3_bind_int64(st, 1, x->x_run);
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_str(nm, sizeof(nm),
			    (const char *)sqlite3_column_text(st, 2));
			json_str(arg, sizeof(arg),
			    (const char *)sqlite3_column_text(st, 3));
			snprintf(line, sizeof(line), "{\"ph\":\"i\",\"s\":"
			    "\"%s\",\"name\":\"%s\",\"pid\":%d,\"tid\":%d,"
			    "\"ts\":%.3f,\"args\":{\"detail\":\"%s\"}}",
			    (const char *)sqlite3_column_text(st, 4), nm,
			    ex_pid(x, (const char *)sqlite3_column_text(st,
			    1)), EX_TID_NET,
			    (double)sqlite3_column_int64(st, 0) / 1e3, arg);
			ex_line(x, line);
		}
		sqlite3_finalize(st);
	}
	return 0;
}

static int
export_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "knit export: %s%s\n(see `knit help export')\n", msg,
	    arg != NULL ? arg : "");
	return 2;
}

int
cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "chrome-trace", required_argument, NULL, 'c' },
		{ "max-bytes", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ex x = { .x_max = 200000000 };
	struct rpt_spans spans = { .sp_span = ex_span, .sp_arg = &x };
	struct db_err err;
	struct db *db;
	sqlite3_stmt *st;
	int64_t nread, t_end = 0;
	char *end;
	int ch, i, rv = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			x.x_run = strtoll(optarg, &end, 10);
			if (*end != '\0' || x.x_run <= 0)
				return export_usage("--run: not a run id: ",
				    optarg);
			break;
		case 'c':
			x.x_path = optarg;
			break;
		case 'm':
			x.x_max = strtoull(optarg, &end, 10);
			if (*end != '\0' || *optarg == '-' || x.x_max < 1024)
				return export_usage("--max-bytes: need a "
				    "number >= 1024: ", optarg);
			break;
		case 'h':
			fputs(cmd_export_help, stdout);
			return 0;
		default:
			return export_usage("bad option", NULL);
		}
	}
	if (optind != argc - 1)
		return export_usage("expected exactly one database file", NULL);
	if (x.x_run == 0 || x.x_path == NULL)
		return export_usage("--run ID and --chrome-trace FILE are "
		    "required", NULL);
	db = db_open(argv[optind], DB_OPEN_READONLY, &err);
	if (db == NULL) {
		fprintf(stderr, "knit export: %s\n", err.de_msg);
		return 2;
	}
	x.x_sql = db_sqlite(db);
	if (sqlite3_prepare_v2(x.x_sql, "SELECT coalesce(virtual_ns, 0) FROM "
	    "runs WHERE id = ?1", -1, &st, NULL) != SQLITE_OK) {
		db_close(db);
		return 2;
	}
	sqlite3_bind_int64(st, 1, x.x_run);
	if (sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "knit export: %s has no run %" PRId64 "\n",
		    argv[optind], x.x_run);
		sqlite3_finalize(st);
		db_close(db);
		return 2;
	}
	t_end = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (ex_hosts(&x) != 0 || ex_open(&x) != 0 ||
	    rpt_walk_spans(x.x_sql, x.x_run, INT64_MAX, t_end, &spans,
	    &nread) != 0 || ex_instants(&x) != 0) {
		if (!x.x_error)
			fprintf(stderr, "knit export: %s: %s\n", argv[optind],
			    sqlite3_errmsg(x.x_sql));
		rv = 2;
	}
	ex_close(&x);
	if (x.x_error)
		rv = 2;
	for (i = 0; i < x.x_nhosts; i++)
		free(x.x_hosts[i]);
	free(x.x_hosts);
	free(x.x_cpus);
	db_close(db);
	return rv;
}
