/*
 * The database commands on constructed databases: knit report (checked
 * in headless Chromium: lanes and violations in the rendered DOM),
 * knit export (valid Chrome trace JSON, split by size), knit db merge
 * (idempotent, refuses mixed campaigns unless --force), knit serve
 * (a real HTTP client: pages, filters, paging, 4xx, SQL injection
 * attempts, clean SIGINT stop).
 *
 * $KNIT is the knit executable (set by meson).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/db.h"

static char tmpdir[64];
static const char *knit;

static void
setup(void)
{
	knit = getenv("KNIT");
	signal(SIGPIPE, SIG_IGN);	/* a server may close mid-request */
	ck_assert_msg(knit != NULL, "KNIT is not set");
	strcpy(tmpdir, "/tmp/knit-test-dbtools-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

static char *
tpath(const char *name)
{
	static char buf[8][256];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/* Run a shell command; returns its exit status (-1 if it died). */
static int
sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *
slurp(const char *path, size_t *lenp)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	if (lenp != NULL)
		*lenp = (size_t)n;
	return buf;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static struct db_run *
begin(struct db *db, uint64_t seed, const char *hash, const char *version)
{
	struct db_run_info ri = {
		.ri_scenario = "scenarios/kern3508.lua",
		.ri_scenario_hash = hash,
		.ri_seed = seed,
		.ri_strategy = "random",
		.ri_knit_version = version,
		.ri_campaign = "c1",
		.ri_trace = DB_TRACE_FULL,
	};
	struct db_err err;
	struct db_run *r = db_run_begin(db, &ri, &err);

	if (r == NULL)
		ck_abort_msg("db_run_begin: %s", err.de_msg);
	return r;
}

static void
end(struct db_run *r, enum db_verdict v, uint64_t hash)
{
	struct db_run_result res = { .rr_verdict = v, .rr_virtual_ns = 1000,
	    .rr_events = 10, .rr_trace_hash = hash };
	struct db_err err;

	if (db_run_end(r, &res, &err) != 0)
		ck_abort_msg("db_run_end: %s", err.de_msg);
}

/*
 * The picture database.  Run 1: passed, nothing traced.  Run 2: hosts
 * h1 (2 CPUs), r1 (2 CPUs), h2 (1 CPU) = 5 CPU lanes; LWP switches, a
 * lock hold, an interrupt and a softint; a UDP packet h1 -> r1 -> h2
 * and a route change on r1 after which r1 forwards along the stale
 * route; 3 violations.
 */
static void
make_picture_db(const char *path)
{
	struct db_err err;
	struct db *db = db_open(path, DB_OPEN_WRITE, &err);
	struct db_run *r;
	struct db_route_change rc = { .rc_host = "r1", .rc_op = "add",
	    .rc_dst = "10.0.2.0/24", .rc_gateway = "10.0.1.2",
	    .rc_flags = "UG" };
	struct db_packet pk = { .pk_proto = "udp", .pk_src = "10.0.0.1",
	    .pk_dst = "10.0.2.1", .pk_len = 60, .pk_key = 77,
	    .pk_summary = "UDP 5000 > 6000 len 32" };
	static const char *hops[][3] = {
		{ "h1", "eth0", "tx" }, { "r1", "eth0", "rx" },
		{ "r1", "eth1", "fwd" }, { "r1", "eth1", "tx" },
		{ "h2", "eth0", "rx" }, { "h2", NULL, "deliver" },
	};
	int i;

	ck_assert_msg(db != NULL, "%s", err.de_msg);
	r = begin(db, 1, "aaaa", NULL);
	end(r, DB_VERDICT_PASS, 0x1111);
	r = begin(db, 2, "aaaa", NULL);
	db_route_change(r, &rc);
	for (i = 0; i < 2; i++) {
		db_event(r, 0, "h1", i, 10 + i, "switch", i ? "user/ping" :
		    "softnet", NULL);
		db_event(r, 0, "r1", i, 20 + i, "switch", "ipintr", NULL);
	}
	db_event(r, 0, "h2", 0, 30, "switch", "user/sink", NULL);
	db_event(r, 100, "r1", 0, 20, "lock_acquire", "rt_lock", NULL);
	db_event(r, 150, "r1", 1, -1, "intr_begin", "vnic_intr", NULL);
	db_event(r, 160, "r1", 1, -1, "intr_end", "vnic_intr", NULL);
	db_event(r, 170, "r1", 1, 21, "softint_begin", "ipintr", NULL);
	db_event(r, 300, "r1", 0, 20, "lock_release", "rt_lock", NULL);
	db_event(r, 320, "r1", 1, 21, "softint_end", "ipintr", NULL);
	db_event(r, 400, "h1", 1, -1, "idle", NULL, NULL);
	rc.rc_vtime = 350;
	rc.rc_op = "change";
	rc.rc_gateway = "10.0.1.3";
	db_route_change(r, &rc);
	for (i = 0; i < 6; i++) {
		pk.pk_vtime = 200 + 50 * (uint64_t)i;
		pk.pk_host = hops[i][0];
		pk.pk_nic = hops[i][1];
		pk.pk_dir = hops[i][2];
		pk.pk_route_dst = i == 2 ? "10.0.2.0/24" : NULL;
		pk.pk_route_gw = i == 2 ? "10.0.1.2" : NULL;
		db_packet(r, &pk);
	}
	db_violation(r, "data_race", 500, "r1", 0, 20, "race on rt <&> \"x\"",
	    "rtalloc+0x1\nip_forward+0x2", "rtfree+0x3\nroute_output+0x4");
	db_violation(r, "lock_order", 600, "r1", 1, 21, "rt_lock -> ifnet",
	    "a+1", "b+2");
	db_violation(r, "panic", 700, "h2", 0, 30, "KASSERT failed", NULL,
	    NULL);
	end(r, DB_VERDICT_FAIL, 0x2222);
	db_close(db);
}

/* A campaign shard: runs for the given seeds. */
static void
make_shard(const char *path, const uint64_t *seeds, int n, const char *hash,
    const char *version)
{
	struct db_err err;
	struct db *db = db_open(path, DB_OPEN_WRITE, &err);
	struct db_run *r;
	int i;

	ck_assert_msg(db != NULL, "%s", err.de_msg);
	for (i = 0; i < n; i++) {
		r = begin(db, seeds[i], hash, version);
		db_event(r, 1, "h1", 0, 1, "switch", "x", NULL);
		db_lock_edge(r, "a", "b", 5, "h1", 0, 1, NULL);
		if (seeds[i] % 3 == 0)
			db_violation(r, "deadlock", 9, "h1", 0, 1, "cycle",
			    NULL, NULL);
		end(r, seeds[i] % 3 == 0 ? DB_VERDICT_FAIL : DB_VERDICT_PASS,
		    seeds[i] * 0x9e3779b97f4a7c15ULL);
	}
	db_close(db);
}

static char *
q1(const char *path, const char *sql)
{
	static char buf[4096];
	sqlite3 *db;
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, sqlite3_errmsg(db));
	buf[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return buf;
}

START_TEST(test_report_static_html)
{
	char *html, url[512];

	make_picture_db(tpath("k.db"));
	ck_assert_int_eq(sh("%s report %s --run 2 -o %s >/dev/null", knit,
	    tpath("k.db"), tpath("r.html")), 0);
	html = slurp(tpath("r.html"), NULL);
	ck_assert_ptr_nonnull(html);
	ck_assert_int_eq(count(html, "<tr class=\"run verdict-"), 2);
	ck_assert_int_eq(count(html, "<tr class=\"run verdict-fail\""), 1);
	ck_assert_int_eq(count(html, "<g class=\"lane\""), 5);
	ck_assert_int_eq(count(html, "<g class=\"netlane\""), 3);
	ck_assert_int_eq(count(html, "<div class=\"violation\""), 3);
	ck_assert_int_eq(count(html, "<pre class=\"stack\">"), 4);
	ck_assert_int_eq(count(html, "<rect class=\"lock\""), 1);
	ck_assert_int_eq(count(html, "<rect class=\"intr\""), 1);
	ck_assert_int_eq(count(html, "<rect class=\"softint\""), 1);
	ck_assert_int_eq(count(html, "<rect class=\"idle\""), 1);
	/* h1->r1 and r1->h2 crossings; two route changes. */
	ck_assert_int_eq(count(html, "<line class=\"packet\""), 2);
	ck_assert_int_eq(count(html, "<line class=\"route-change\""), 2);
	ck_assert_int_eq(count(html, "<tr class=\"stale-use\">"), 1);
	ck_assert_ptr_nonnull(strstr(html, "h1.eth0 tx \xe2\x86\x92 r1.eth0 rx"
	    " \xe2\x86\x92 r1.eth1 fwd"));
	snprintf(url, sizeof(url), "knit replay %s --run 2</code>",
	    tpath("k.db"));
	ck_assert_int_eq(count(html, url), 3);
	/* Escaped, never raw. */
	ck_assert_ptr_nonnull(strstr(html, "race on rt &lt;&amp;&gt; "
	    "&quot;x&quot;"));
	ck_assert_ptr_null(strstr(html, "<&>"));
	/* Self-contained: nothing fetched from anywhere. */
	ck_assert_ptr_null(strstr(html, "http://"));
	ck_assert_ptr_null(strstr(html, "https://"));
	ck_assert_ptr_null(strstr(html, " src="));
	free(html);

	/* Errors: no such run, not a database; no output left behind. */
	ck_assert_int_eq(sh("%s report %s --run 9 -o %s 2>/dev/null", knit,
	    tpath("k.db"), tpath("x.html")), 2);
	ck_assert_int_ne(access(tpath("x.html"), F_OK), 0);
	ck_assert_int_eq(sh("%s report %s -o %s 2>/dev/null", knit,
	    tpath("r.html"), tpath("x.html")), 2);
	ck_assert_int_ne(access(tpath("x.html"), F_OK), 0);
}
END_TEST

static int
have_chromium(void)
{
	return sh("command -v chromium >/dev/null 2>&1") == 0;
}

/* chromium --dump-dom URL into out, and a screenshot; 0 on success. */
static int
chromium_dom(const char *url, const char *out, const char *png)
{
	return sh("UD=$(mktemp -d) && timeout 90 chromium --headless "
	    "--no-sandbox --disable-gpu --disable-background-networking "
	    "--disable-component-update --disable-sync --no-first-run "
	    "--user-data-dir=$UD --window-size=1300,900 --screenshot=%s %s "
	    ">/dev/null 2>&1; rc1=$?; timeout 90 chromium --headless "
	    "--no-sandbox --disable-gpu --disable-background-networking "
	    "--disable-component-update --disable-sync --no-first-run "
	    "--user-data-dir=$UD --dump-dom %s >%s 2>/dev/null; rc2=$?; "
	    "rm -rf $UD; [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]", png, url, url,
	    out);
}

START_TEST(test_report_in_chromium)
{
	char url[512], *dom;
	struct stat sb;

	if (!have_chromium())
		ck_abort_msg("chromium is not installed (tools/setup installs "
		    "it)");
	make_picture_db(tpath("k.db"));
	ck_assert_int_eq(sh("%s report %s --run 2 -o %s >/dev/null", knit,
	    tpath("k.db"), tpath("r.html")), 0);
	snprintf(url, sizeof(url), "file://%s", tpath("r.html"));
	ck_assert_int_eq(chromium_dom(url, tpath("dom.html"),
	    tpath("shot.png")), 0);
	dom = slurp(tpath("dom.html"), NULL);
	ck_assert_ptr_nonnull(dom);
	/* The script ran in the browser and counted what is drawn. */
	ck_assert_ptr_nonnull(strstr(dom, "data-ready=\"1\""));
	ck_assert_ptr_nonnull(strstr(dom, "<span id=\"lane-count\">5</span>"));
	ck_assert_ptr_nonnull(strstr(dom,
	    "<span id=\"violation-count\">3</span>"));
	ck_assert_ptr_nonnull(strstr(dom, "zoom x1.0"));
	ck_assert_int_eq(count(dom, "class=\"lane\""), 5);
	ck_assert_int_eq(count(dom, "class=\"violation\""), 3);
	/* A real picture came out. */
	ck_assert_int_eq(stat(tpath("shot.png"), &sb), 0);
	ck_assert_int_gt(sb.st_size, 5000);
	free(dom);

	/*
	 * A recorded run at --trace full: the rendered lanes show idle
	 * periods, hard interrupts and softints as slices, and so does
	 * its Chrome trace.
	 */
	ck_assert_int_eq(sh("%s run %s/scenarios/kern3508.lua --quiet --db %s "
	    "--trace full >/dev/null", knit, getenv("KNIT_SRC"),
	    tpath("full.db")), 0);
	ck_assert_int_eq(sh("%s report %s --run 1 -o %s >/dev/null", knit,
	    tpath("full.db"), tpath("full.html")), 0);
	snprintf(url, sizeof(url), "file://%s", tpath("full.html"));
	ck_assert_int_eq(chromium_dom(url, tpath("dom3.html"),
	    tpath("shot3.png")), 0);
	dom = slurp(tpath("dom3.html"), NULL);
	ck_assert_ptr_nonnull(dom);
	ck_assert_ptr_nonnull(strstr(dom, "data-ready=\"1\""));
	ck_assert_int_gt(count(dom, "<rect class=\"idle\""), 0);
	ck_assert_int_gt(count(dom, "<rect class=\"intr\""), 0);
	ck_assert_int_gt(count(dom, "<rect class=\"softint\""), 0);
	free(dom);
	ck_assert_int_eq(sh("%s export %s --run 1 --chrome-trace %s "
	    ">/dev/null", knit, tpath("full.db"), tpath("full.json")), 0);
	ck_assert_int_eq(sh("python3 -c '"
	    "import json,sys\n"
	    "t=json.load(open(sys.argv[1]))[\"traceEvents\"]\n"
	    "c={}\n"
	    "for e in t:\n"
	    "  if e[\"ph\"]==\"X\": c[e[\"cat\"]]=c.get(e[\"cat\"],0)+1\n"
	    "assert all(c.get(k,0)>0 for k in (\"idle\",\"intr\","
	    "\"softint\",\"lwp\")), c\n"
	    "' %s", tpath("full.json")), 0);
}
END_TEST

START_TEST(test_export_chrome_trace)
{
	char *json;

	make_picture_db(tpath("k.db"));
	ck_assert_int_eq(sh("%s export %s --run 2 --chrome-trace %s "
	    ">/dev/null", knit, tpath("k.db"), tpath("t.json")), 0);
	json = slurp(tpath("t.json"), NULL);
	ck_assert_ptr_nonnull(json);
	/* Valid JSON with the expected tracks and slices. */
	ck_assert_int_eq(sh("python3 -c '"
	    "import json,sys\n"
	    "t=json.load(open(sys.argv[1]))[\"traceEvents\"]\n"
	    "X=[e for e in t if e[\"ph\"]==\"X\"]\n"
	    "locks=[e for e in X if e[\"cat\"]==\"lock\"]\n"
	    "lwps=[e for e in X if e[\"cat\"]==\"lwp\"]\n"
	    "names=[e[\"args\"][\"name\"] for e in t if e[\"ph\"]==\"M\" and "
	    "e[\"name\"]==\"thread_name\" and e[\"args\"][\"name\"].startswith"
	    "(\"cpu\") and not e[\"args\"][\"name\"].endswith(\"locks\")]\n"
	    "assert len(names)==5, names\n"
	    "assert len(locks)==1 and locks[0][\"name\"]==\"rt_lock\", locks\n"
	    "assert abs(locks[0][\"dur\"]-0.2)<1e-9, locks\n"
	    "assert len(lwps)==5, lwps\n"
	    "idle=[e for e in X if e[\"cat\"]==\"idle\"]\n"
	    "assert len(idle)==1 and idle[0][\"ts\"]==0.4, idle\n"
	    "assert sum(1 for e in t if e[\"ph\"]==\"i\")==6+2+3\n"
	    "' %s", tpath("t.json")), 0);
	free(json);
	/* Split: a small limit gives several complete JSON files. */
	ck_assert_int_eq(sh("%s export %s --run 2 --chrome-trace %s "
	    "--max-bytes 2048 >/dev/null", knit, tpath("k.db"),
	    tpath("s.json")), 0);
	ck_assert_int_eq(sh("python3 -c '"
	    "import json,sys,glob,os\n"
	    "d=sys.argv[1]\n"
	    "fs=[d+\"/s.json\"]+sorted(glob.glob(d+\"/s-part*.json\"))\n"
	    "assert len(fs)>=2, fs\n"
	    "n=0\n"
	    "for f in fs:\n"
	    "  assert os.path.getsize(f)<=2048, f\n"
	    "  n+=sum(1 for e in json.load(open(f))[\"traceEvents\"] if "
	    "e[\"ph\"]!=\"M\")\n"
	    "assert n==5+1+1+1+1+6+2+3, n\n"
	    "' %s", tmpdir), 0);
	/* Usage errors. */
	ck_assert_int_eq(sh("%s export %s --run 2 2>/dev/null", knit,
	    tpath("k.db")), 2);
	ck_assert_int_eq(sh("%s export %s --run 7 --chrome-trace %s "
	    "2>/dev/null", knit, tpath("k.db"), tpath("u.json")), 2);
}
END_TEST

static const uint64_t seeds_a[] = { 1, 2, 3, 4 }, seeds_b[] = { 5, 6, 7 };

START_TEST(test_merge_idempotent)
{
	char before[4096];

	make_shard(tpath("a.db"), seeds_a, 4, "h1", "0.1.0");
	make_shard(tpath("b.db"), seeds_b, 3, "h1", "0.1.0");
	make_shard(tpath("all.db"), seeds_a, 4, "h1", "0.1.0");
	ck_assert_int_eq(sh("%s db merge %s %s %s >/dev/null", knit,
	    tpath("m.db"), tpath("a.db"), tpath("b.db")), 0);
	snprintf(before, sizeof(before), "%s", q1(tpath("m.db"),
	    "SELECT group_concat(seed||verdict||trace_hash, ',') FROM (SELECT "
	    "* FROM runs ORDER BY seed)"));
	ck_assert_int_eq(count(before, ","), 6);
	ck_assert_str_eq(q1(tpath("m.db"), "SELECT count(*)||' '||sum(count)"
	    " FROM lock_edges"), "7 7");
	ck_assert_str_eq(q1(tpath("m.db"), "SELECT count(*) FROM events"),
	    "7");
	ck_assert_str_eq(q1(tpath("m.db"), "SELECT count(*) FROM violations"),
	    "2");
	/* Events moved with their runs (id = run << 36 | seq). */
	ck_assert_str_eq(q1(tpath("m.db"), "SELECT count(*) FROM events e "
	    "JOIN runs r ON r.id = e.run WHERE e.id = e.run << 36 | e.seq"),
	    "7");
	/* Again, and in another order: nothing changes. */
	ck_assert_int_eq(sh("%s db merge %s %s %s >/dev/null", knit,
	    tpath("m.db"), tpath("b.db"), tpath("a.db")), 0);
	ck_assert_str_eq(q1(tpath("m.db"), "SELECT group_concat(seed||verdict"
	    "||trace_hash, ',') FROM (SELECT * FROM runs ORDER BY seed)"),
	    before);
	ck_assert_str_eq(q1(tpath("m.db"), "SELECT count(*) FROM events"),
	    "7");
	/* Into a database holding some of the runs already: only new ones. */
	ck_assert_int_eq(sh("%s db merge %s %s >/dev/null", knit,
	    tpath("a.db"), tpath("m.db")), 0);
	ck_assert_str_eq(q1(tpath("a.db"), "SELECT group_concat(seed||verdict"
	    "||trace_hash, ',') FROM (SELECT * FROM runs ORDER BY seed)"),
	    before);
	/* Input == output is refused. */
	ck_assert_int_eq(sh("%s db merge %s %s 2>/dev/null", knit,
	    tpath("m.db"), tpath("m.db")), 2);
}
END_TEST

START_TEST(test_merge_refuses_mixed)
{
	make_shard(tpath("a.db"), seeds_a, 4, "h1", "0.1.0");
	make_shard(tpath("x.db"), seeds_b, 3, "OTHER", "0.1.0");
	make_shard(tpath("v.db"), seeds_b, 3, "h1", "9.9.9");
	ck_assert_int_eq(sh("%s db merge %s %s >/dev/null", knit,
	    tpath("m.db"), tpath("a.db")), 0);
	/* Another scenario: refused, nothing added, even from a good input
	   listed first. */
	ck_assert_int_eq(sh("%s db merge %s %s %s 2>%s >/dev/null", knit,
	    tpath("n.db"), tpath("a.db"), tpath("x.db"), tpath("err")), 2);
	ck_assert_ptr_nonnull(strstr(slurp(tpath("err"), NULL),
	    "scenario content hash"));
	ck_assert_str_eq(q1(tpath("n.db"), "SELECT count(*) FROM runs"), "0");
	ck_assert_int_eq(sh("%s db merge %s %s 2>/dev/null >/dev/null", knit,
	    tpath("m.db"), tpath("x.db")), 2);
	ck_assert_int_eq(sh("%s db merge %s %s 2>%s >/dev/null", knit,
	    tpath("m.db"), tpath("v.db"), tpath("err")), 2);
	ck_assert_ptr_nonnull(strstr(slurp(tpath("err"), NULL),
	    "knit version"));
	ck_assert_str_eq(q1(tpath("m.db"), "SELECT count(*) FROM runs"), "4");
	/* --force merges. */
	ck_assert_int_eq(sh("%s db merge --force %s %s %s 2>/dev/null "
	    ">/dev/null", knit, tpath("m.db"), tpath("x.db"), tpath("v.db")),
	    0);
	ck_assert_str_eq(q1(tpath("m.db"), "SELECT count(*) FROM runs"), "10");
	/* Not a database: refused by name. */
	ck_assert_int_eq(sh("echo hello > %s; %s db merge %s %s 2>%s", tpath(
	    "t.txt"), knit, tpath("m.db"), tpath("t.txt"), tpath("err")), 2);
	ck_assert_ptr_nonnull(strstr(slurp(tpath("err"), NULL),
	    "not a knit database"));
}
END_TEST

/* ---- knit serve ---- */

static pid_t serve_pid;
static int serve_port;

static void
serve_start(const char *dbpath)
{
	int fds[2];
	char line[512], *p;
	FILE *fp;

	ck_assert_int_eq(pipe(fds), 0);
	serve_pid = fork();
	ck_assert_int_ge(serve_pid, 0);
	if (serve_pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl(knit, knit, "serve", dbpath, "--port", "0", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));
	p = strstr(line, "http://127.0.0.1:");
	ck_assert_msg(p != NULL, "serve said: %s", line);
	serve_port = atoi(p + strlen("http://127.0.0.1:"));
	ck_assert_int_gt(serve_port, 0);
	fclose(fp);
}

static void
serve_stop(void)
{
	int st;

	kill(serve_pid, SIGINT);
	ck_assert_int_eq(waitpid(serve_pid, &st, 0), serve_pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "serve did not stop cleanly on SIGINT (status %d)", st);
}

/*
 * A raw HTTP/1.0 exchange: send `req' exactly, read the whole reply.
 * Returns the status code; *bodyp gets the reply (malloc'ed).
 */
static int
http_raw(const char *req, size_t reqlen, char **bodyp)
{
	struct sockaddr_in sin;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int s, code = -1, empty = reqlen == 0;

	s = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)serve_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	while (reqlen > 0) {
		n = write(s, req, reqlen);
		if (n <= 0)
			break;	/* the server may close early (413) */
		req += n;
		reqlen -= (size_t)n;
	}
	/*
	 * HTTP/1.0: the server closes after its reply.  Half-closing our
	 * side early could make it drop the reply, so only an empty
	 * request does that.
	 */
	if (empty)
		shutdown(s, SHUT_WR);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
		}
		n = read(s, buf + len, 4096);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(s);
	buf[len] = '\0';
	if (strncmp(buf, "HTTP/1.", 7) == 0)
		code = atoi(buf + 9);
	if (bodyp != NULL)
		*bodyp = buf;
	else
		free(buf);
	return code;
}

static int
http_get(const char *target, char **bodyp)
{
	char req[8192];

	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n",
	    target);
	return http_raw(req, strlen(req), bodyp);
}

static void
make_many_runs(const char *path, int n)
{
	struct db_err err;
	struct db *db = db_open(path, DB_OPEN_WRITE, &err);
	struct db_run_info ri = { .ri_scenario_hash = "h" };
	struct db_run_result res = { 0 };
	struct db_run *r;
	char scen[64];
	int i;

	ck_assert_ptr_nonnull(db);
	for (i = 1; i <= n; i++) {
		snprintf(scen, sizeof(scen), "scenarios/s%d.lua", i % 4);
		ri.ri_scenario = scen;
		ri.ri_seed = (uint64_t)i;
		r = db_run_begin(db, &ri, &err);
		ck_assert_ptr_nonnull(r);
		if (i % 5 == 0)
			db_violation(r, i % 10 == 0 ? "data_race" : "deadlock",
			    1, "h", 0, 1, "m", NULL, NULL);
		res.rr_verdict = i % 5 == 0 ? DB_VERDICT_FAIL :
		    DB_VERDICT_PASS;
		db_run_end(r, &res, &err);
	}
	db_close(db);
}

START_TEST(test_serve_pages_filters_paging)
{
	char *body;

	make_many_runs(tpath("k.db"), 120);
	serve_start(tpath("k.db"));
	ck_assert_int_eq(http_get("/", &body), 200);
	ck_assert_int_eq(count(body, "<tr class=\"run "), 50);
	ck_assert_ptr_nonnull(strstr(body, "page <span class=\"page-no\">1"
	    "</span> of 3 (120 rows)"));
	ck_assert_ptr_nonnull(strstr(body, "Content-Security-Policy"));
	free(body);
	ck_assert_int_eq(http_get("/runs?page=3", &body), 200);
	ck_assert_int_eq(count(body, "<tr class=\"run "), 20);
	/* Newest first: page 3 ends with run 1. */
	ck_assert_ptr_nonnull(strstr(body, "data-run=\"1\""));
	ck_assert_ptr_null(strstr(body, "data-run=\"21\""));
	free(body);
	ck_assert_int_eq(http_get("/runs?verdict=fail&per_page=10", &body),
	    200);
	ck_assert_int_eq(count(body, "<tr class=\"run verdict-fail\""), 10);
	ck_assert_int_eq(count(body, "<tr class=\"run "), 10);
	ck_assert_ptr_nonnull(strstr(body, "of 3 (24 rows)"));
	ck_assert_ptr_nonnull(strstr(body, "href=\"/runs?page=2&amp;"
	    "per_page=10&amp;verdict=fail\""));
	free(body);
	ck_assert_int_eq(http_get("/runs?scenario=s1.lua&verdict=pass",
	    &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "(24 rows)"));
	free(body);
	ck_assert_int_eq(http_get("/violations?kind=data_race", &body), 200);
	ck_assert_int_eq(count(body, "<div class=\"violation\""), 12);
	free(body);
	ck_assert_int_eq(http_get("/violations?run=10", &body), 200);
	ck_assert_int_eq(count(body, "<div class=\"violation\""), 1);
	free(body);
	ck_assert_int_eq(http_get("/signatures", &body), 200);
	ck_assert_int_eq(count(body, "<tr class=\"signature\">"), 2);
	free(body);
	ck_assert_int_eq(http_get("/run/10", &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "<h2>Run 10</h2>"));
	free(body);
	serve_stop();
}
END_TEST

START_TEST(test_serve_rejects_bad_requests)
{
	char *body, *big;
	size_t i;
	char before[64];

	make_many_runs(tpath("k.db"), 12);
	snprintf(before, sizeof(before), "%s", q1(tpath("k.db"),
	    "SELECT count(*)||' '||sum(length(verdict)) FROM runs"));
	serve_start(tpath("k.db"));
	ck_assert_int_eq(http_get("/nope", NULL), 404);
	ck_assert_int_eq(http_get("/run/999", NULL), 404);
	ck_assert_int_eq(http_get("/run/abc", NULL), 404);
	ck_assert_int_eq(http_get("/../../etc/passwd", NULL), 404);
	ck_assert_int_eq(http_get("/runs?page=0", NULL), 400);
	ck_assert_int_eq(http_get("/runs?page=-1", NULL), 400);
	ck_assert_int_eq(http_get("/runs?page=99999999999999999999", NULL),
	    400);
	ck_assert_int_eq(http_get("/runs?per_page=100000", NULL), 400);
	ck_assert_int_eq(http_get("/runs?verdict=maybe", NULL), 400);
	ck_assert_int_eq(http_get("/runs?bogus=1", NULL), 400);
	ck_assert_int_eq(http_get("/violations?kind=x%27%20OR%201=1", NULL),
	    400);
	ck_assert_int_eq(http_get("/violations?run=1%20OR%201=1", NULL), 400);
	/* Injection through a free-text filter: matches nothing. */
	ck_assert_int_eq(http_get("/runs?scenario=%27%20OR%20%271%27=%271",
	    &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "(0 rows)"));
	ck_assert_ptr_null(strstr(body, "<tr class=\"run "));
	/* The value is shown escaped in the form, never as markup. */
	ck_assert_ptr_nonnull(strstr(body, "value=\"&#39; OR &#39;1&#39;="
	    "&#39;1\""));
	free(body);
	ck_assert_int_eq(http_get("/runs?scenario=x%22%3E%3Cscript%3Ealert(1)"
	    "%3C/script%3E", &body), 200);
	ck_assert_ptr_null(strstr(body, "<script>alert(1)"));
	free(body);
	ck_assert_int_eq(http_get("/runs?campaign=c1%3B%20DROP%20TABLE%20runs"
	    "%3B--", NULL), 200);
	/* Methods and sizes. */
	ck_assert_int_eq(http_raw("POST / HTTP/1.0\r\nContent-Length: 2\r\n"
	    "\r\nhi", 42, NULL), 405);
	ck_assert_int_eq(http_raw("DELETE /runs HTTP/1.0\r\n\r\n", 25, NULL),
	    405);
	/*
	 * Oversized requests, each just over a limit so the server reads
	 * all of it before answering (a reply to a request still being
	 * sent can be lost to the TCP reset of the close).
	 */
	big = malloc(200000);
	memcpy(big, "GET /?scenario=", 15);
	for (i = 15; i < 9000; i++)
		big[i] = 'a';
	memcpy(big + i, " HTTP/1.0\r\n\r\n", 14);
	ck_assert_int_eq(http_raw(big, strlen(big), NULL), 400);
	memcpy(big, "GET / HTTP/1.0\r\nX-Big: ", 23);
	for (i = 23; i < 9000; i++)
		big[i] = 'b';
	memcpy(big + i, "\r\n\r\n", 5);
	ck_assert_int_eq(http_raw(big, strlen(big), NULL), 400);
	snprintf(big, 20000, "GET / HTTP/1.0\r\nContent-Length: 1100\r\n"
	    "\r\n");
	i = strlen(big);
	memset(big + i, 'c', 1100);
	big[i + 1100] = '\0';
	ck_assert_int_eq(http_raw(big, strlen(big), NULL), 413);
	/* Far over: whatever the reply, the server survives. */
	memcpy(big, "GET / HTTP/1.0\r\nX-Big: ", 23);
	memset(big + 23, 'd', 199000);
	big[199023] = '\0';
	(void)http_raw(big, strlen(big), NULL);
	free(big);
	ck_assert_int_eq(http_raw("garbage\r\n\r\n", 11, NULL), 400);
	ck_assert_int_eq(http_raw("", 0, NULL), -1);	/* closed, no reply */
	/* Still alive and still right after all that. */
	ck_assert_int_eq(http_get("/runs?per_page=500", &body), 200);
	ck_assert_int_eq(count(body, "<tr class=\"run "), 12);
	free(body);
	serve_stop();
	ck_assert_str_eq(q1(tpath("k.db"), "SELECT count(*)||' '||"
	    "sum(length(verdict)) FROM runs"), before);
}
END_TEST

START_TEST(test_serve_in_chromium)
{
	char url[128], *dom;

	if (!have_chromium())
		ck_abort_msg("chromium is not installed (tools/setup installs "
		    "it)");
	make_picture_db(tpath("k.db"));
	serve_start(tpath("k.db"));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/run/2", serve_port);
	ck_assert_int_eq(chromium_dom(url, tpath("dom.html"),
	    tpath("shot.png")), 0);
	dom = slurp(tpath("dom.html"), NULL);
	ck_assert_ptr_nonnull(dom);
	ck_assert_ptr_nonnull(strstr(dom, "data-ready=\"1\""));
	ck_assert_ptr_nonnull(strstr(dom, "<span id=\"lane-count\">5</span>"));
	ck_assert_ptr_nonnull(strstr(dom,
	    "<span id=\"violation-count\">3</span>"));
	free(dom);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/runs?verdict=fail",
	    serve_port);
	ck_assert_int_eq(chromium_dom(url, tpath("dom2.html"),
	    tpath("shot2.png")), 0);
	dom = slurp(tpath("dom2.html"), NULL);
	ck_assert_int_eq(count(dom, "<tr class=\"run verdict-"), 1);
	free(dom);
	serve_stop();
}
END_TEST

/*
 * A 4-shard campaign through GNU parallel (tools/campaign-parallel)
 * merges into the same runs, verdicts, trace hashes and violations as
 * the single-process campaign with the same seeds, every run compared
 * (--record all; by default only failing runs are recorded); a merged
 * run replays to its recorded trace hash.
 */
START_TEST(test_campaign_parallel_equals_single)
{
	const char *src = getenv("KNIT_SRC");
	static const char *const cmp[] = {
		"SELECT count(*) || ':' || group_concat(seed || verdict || "
		"trace_hash || scenario_hash, ',') FROM (SELECT * FROM runs "
		"ORDER BY seed)",
		"SELECT count(*) || ':' || group_concat(seed || kind || "
		"signature, ',') FROM (SELECT r.seed, v.kind, v.signature FROM "
		"violations v JOIN runs r ON r.id = v.run ORDER BY r.seed, "
		"v.kind, v.signature)",
		"SELECT group_concat(n, ',') FROM (SELECT count(*) AS n FROM "
		"schedules s JOIN runs r ON r.id = s.run GROUP BY r.seed "
		"ORDER BY r.seed)",
	};
	char single[4096], *out;
	size_t i;

	ck_assert_ptr_nonnull(src);
	if (sh("command -v parallel >/dev/null 2>&1") != 0)
		ck_abort_msg("GNU parallel is not installed (tools/setup "
		    "installs it)");
	ck_assert_int_eq(sh("cd %s && %s explore %s/scenarios/bugs/"
	    "sbwait_lost_wakeup.lua --runs 60 --seed 7 --db fails.db --quiet "
	    ">/dev/null 2>&1", tmpdir, knit, src), 1);
	ck_assert_int_eq(sh("cd %s && %s explore %s/scenarios/bugs/"
	    "sbwait_lost_wakeup.lua --runs 60 --seed 7 --db single.db --quiet "
	    "--record all >/dev/null 2>&1", tmpdir, knit, src), 1);
	ck_assert_int_eq(sh("KNIT=%s %s/tools/campaign-parallel -o %s 4 "
	    "%s/scenarios/bugs/sbwait_lost_wakeup.lua --runs 60 --seed 7 "
	    "--record all >%s 2>&1", knit, src, tpath("merged.db"), src,
	    tpath("log")), 1);
	/* All 60 runs, passing ones too; by default the failing ones. */
	ck_assert_str_eq(q1(tpath("single.db"), "SELECT count(*) || ' ' || "
	    "sum(verdict = 'fail') || ' ' || sum(verdict = 'pass') FROM runs"),
	    "60 12 48");
	ck_assert_str_eq(q1(tpath("fails.db"), "SELECT count(*) || ' ' || "
	    "sum(verdict = 'fail') FROM runs"), "12 12");
	/* Each recorded run has its schedule: a passing one replays too. */
	ck_assert_str_eq(q1(tpath("single.db"), "SELECT count(*) FROM "
	    "schedules"), "60");
	out = slurp(tpath("log"), NULL);
	ck_assert_ptr_nonnull(strstr(out, "shard-4-of-4.db"));
	free(out);
	for (i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++) {
		snprintf(single, sizeof(single), "%s", q1(tpath("single.db"),
		    cmp[i]));
		ck_assert_str_eq(q1(tpath("merged.db"), cmp[i]), single);
	}
	/* The campaign found something, and runs came from every shard. */
	ck_assert_int_gt(atoi(q1(tpath("merged.db"), "SELECT count(*) FROM "
	    "runs WHERE verdict = 'fail'")), 1);
	ck_assert_int_ge(atoi(q1(tpath("merged.db"), "SELECT count(DISTINCT "
	    "shard) FROM runs")), 2);
	/* Merging the shards again adds nothing. */
	ck_assert_int_eq(sh("%s db merge %s %s/shard-*-of-4.db >/dev/null",
	    knit, tpath("merged.db"), tmpdir), 0);
	snprintf(single, sizeof(single), "%s", q1(tpath("single.db"), cmp[0]));
	ck_assert_str_eq(q1(tpath("merged.db"), cmp[0]), single);
	/* A merged run replays bit for bit. */
	out = q1(tpath("merged.db"), "SELECT max(id) FROM runs");
	ck_assert_int_eq(sh("%s replay %s --run %s --quiet >%s 2>&1", knit,
	    tpath("merged.db"), out, tpath("replay")), 1);
	out = slurp(tpath("replay"), NULL);
	ck_assert_ptr_nonnull(strstr(out, "matches"));
	free(out);
}
END_TEST

static Suite *
tools_suite(void)
{
	Suite *s = suite_create("db_tools");
	TCase *tc = tcase_create("db_tools");
	TCase *tb = tcase_create("browser");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_report_static_html);
	tcase_add_test(tc, test_export_chrome_trace);
	tcase_add_test(tc, test_merge_idempotent);
	tcase_add_test(tc, test_merge_refuses_mixed);
	tcase_add_test(tc, test_serve_pages_filters_paging);
	tcase_add_test(tc, test_serve_rejects_bad_requests);
	tcase_add_test(tc, test_campaign_parallel_equals_single);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tb, setup, teardown);
	tcase_set_timeout(tb, 240);
	tcase_add_test(tb, test_report_in_chromium);
	tcase_add_test(tb, test_serve_in_chromium);
	suite_add_tcase(s, tb);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tools_suite());
	int nfailed;

	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
