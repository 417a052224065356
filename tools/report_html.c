/*
 * HTML pages of a run database: the page frame (embedded CSS and
 * script), run and violation lists with filters and paging, a run's
 * details (violations with both stacks and the replay command, packet
 * paths of each flow, stale route use).  The timeline is in
 * report_timeline.c.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

void
rpt_puts(struct rpt_out *o, const char *s)
{
	o->ro_write(o->ro_arg, s, strlen(s));
}

void
rpt_printf(struct rpt_out *o, const char *fmt, ...)
{
	char buf[1024], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(buf)) {
		o->ro_write(o->ro_arg, buf, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if (big == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->ro_write(o->ro_arg, big, (size_t)n);
	free(big);
}

void
rpt_esc(struct rpt_out *o, const char *s)
{
	const char *p, *rep;

	if (s == NULL)
		return;
	for (p = s; *p != '\0'; p++) {
		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (p > s)
			o->ro_write(o->ro_arg, s, (size_t)(p - s));
		rpt_puts(o, rep);
		s = p + 1;
	}
	if (p > s)
		o->ro_write(o->ro_arg, s, (size_t)(p - s));
}

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* before, s escaped, after; nothing when s is NULL (a NULL column). */
static void
esc_between(struct rpt_out *o, const char *before, const char *s,
    const char *after)
{
	if (s == NULL)
		return;
	rpt_puts(o, before);
	rpt_esc(o, s);
	rpt_puts(o, after);
}

static const char page_css[] =
"body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}"
"h1{font-size:1.4em}h2{font-size:1.2em;margin-top:1.5em;"
"border-bottom:1px solid #ccc}"
"table{border-collapse:collapse;margin:.5em 0}"
"td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;"
"vertical-align:top}th{background:#f3f3f3}"
"tr.verdict-pass td.verdict{color:#176f2c;font-weight:bold}"
"tr.verdict-fail td.verdict{color:#b00020;font-weight:bold}"
"tr.verdict-aborted td.verdict,tr.verdict-error td.verdict"
"{color:#a05a00;font-weight:bold}"
"tr.verdict-running td.verdict{color:#555}"
"div.violation{border-left:4px solid #b00020;background:#fff6f6;"
"margin:.7em 0;padding:.3em .8em}"
"div.stacks{display:flex;gap:1em;flex-wrap:wrap}"
"pre.stack{background:#f7f7f7;padding:.4em;margin:.2em 0;min-width:20em}"
"code.replay{background:#eef;padding:1px 4px}"
"svg.timeline{border:1px solid #ccc;background:#fff;cursor:grab;"
"user-select:none}"
"svg.timeline rect.lwp{fill:#8fb8e8}svg.timeline rect.lock{fill:#e8a33d}"
"svg.timeline rect.idle{fill:#c8c8c8}"
"svg.timeline rect.intr{fill:#d9534f}svg.timeline rect.softint"
"{fill:#9b59b6}svg.timeline line.packet{stroke:#2a7d2a;stroke-width:1.2}"
"svg.timeline line.route-change{stroke:#c00;stroke-dasharray:4 3}"
"svg.timeline text{font:11px sans-serif}"
"svg.timeline rect.lanebg{fill:#fafafa}"
"svg.timeline rect.netbg{fill:#f0f7f0}"
"span.legend{display:inline-block;width:1em;height:.8em;margin:0 .3em}"
"nav a{margin-right:1em}p.note{color:#666}";

/*
 * Zoom and pan the timeline's time axis: the group g.zoom is scaled in
 * x only (strokes do not scale), lane labels stay.  Also counts what
 * is drawn into #lane-count / #violation-count and marks the body
 * data-ready, which the tests read from the rendered DOM.
 */
static const char page_js[] =
"(function(){"
"document.querySelectorAll('svg.timeline').forEach(function(svg){"
" var g=svg.querySelector('g.zoom');if(!g)return;"
" var x0=+svg.getAttribute('data-x0'),w=+svg.getAttribute('data-w'),"
"  t0=+svg.getAttribute('data-t0'),t1=+svg.getAttribute('data-t1');"
" var k=1,tx=0,drag=null,rng=svg.parentNode.querySelector('.range');"
" function ns(v){return v>=1e9?(v/1e9).toFixed(3)+' s':v>=1e6?"
"(v/1e6).toFixed(3)+' ms':v>=1e3?(v/1e3).toFixed(3)+' us':v.toFixed(0)+' ns'}"
" function apply(){if(k<1)k=1;if(tx>0)tx=0;if(tx<w-w*k)tx=w-w*k;"
"  g.setAttribute('transform','translate('+(x0+tx)+',0) scale('+k+',1)');"
"  if(rng){var a=t0+(-tx/k)/w*(t1-t0),b=t0+((w-tx)/k)/w*(t1-t0);"
"   rng.textContent='showing '+ns(a)+' .. '+ns(b)+' (zoom x'+k.toFixed(1)+')';}}"
" function px(e){var r=svg.getBoundingClientRect();"
"  return (e.clientX-r.left)*svg.viewBox.baseVal.width/r.width-x0}"
" function zoom(f,at){var nk=Math.min(k*f,1e7);tx=at-(at-tx)*nk/k;k=nk;apply()}"
" svg.addEventListener('wheel',function(e){e.preventDefault();"
"  zoom(e.deltaY<0?1.25:0.8,px(e))},{passive:false});"
" svg.addEventListener('mousedown',function(e){drag=e.clientX});"
" window.addEventListener('mouseup',function(){drag=null});"
" window.addEventListener('mousemove',function(e){if(drag===null)return;"
"  var r=svg.getBoundingClientRect();"
"  tx+=(e.clientX-drag)*svg.viewBox.baseVal.width/r.width;drag=e.clientX;apply()});"
" var p=svg.parentNode;"
" p.querySelectorAll('button[data-zoom]').forEach(function(b){"
"  b.addEventListener('click',function(){var z=b.getAttribute('data-zoom');"
"   if(z==='reset'){k=1;tx=0;apply()}else zoom(+z,w/2)})});"
" apply();"
"});"
"var l=document.getElementById('lane-count');"
"if(l)l.textContent=document.querySelectorAll('svg.timeline g.lane').length;"
"var v=document.getElementById('violation-count');"
"if(v)v.textContent=document.querySelectorAll('div.violation').length;"
"document.body.setAttribute('data-ready','1');"
"})();";

void
rpt_page_begin(struct rpt_out *o, const char *title)
{
	rpt_puts(o, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>");
	rpt_esc(o, title);
	rpt_printf(o, "</title><style>%s</style></head><body>\n<h1>",
	    page_css);
	rpt_esc(o, title);
	rpt_puts(o, "</h1>\n");
}

void
rpt_page_end(struct rpt_out *o)
{
	rpt_printf(o, "<script>%s</script>\n</body></html>\n", page_js);
}

static void
fmt_ns(char *buf, size_t len, int64_t ns)
{
	if (ns >= 1000000000)
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, len, "%.3f ms", (double)ns / 1e6);
	else if (ns >= 1000)
		snprintf(buf, len, "%.3f us", (double)ns / 1e3);
	else
		snprintf(buf, len, "%" PRId64 " ns", ns);
}

static void
run_link(struct rpt_ctx *c, struct rpt_out *o, int64_t id)
{
	if (c->rc_serve)
		rpt_printf(o, "<a href=\"/run/%" PRId64 "\">%" PRId64 "</a>",
		    id, id);
	else
		rpt_printf(o, "<a href=\"#run-%" PRId64 "\">%" PRId64 "</a>",
		    id, id);
}

/* "?verdict=fail&page=3": the list's filters with another page. */
static void
page_link(struct rpt_out *o, const char *path, const struct rpt_query *q,
    int64_t page, const char *label)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *names[] = { "verdict", "scenario", "campaign", "kind" };
	const char *vals[] = { q->q_verdict, q->q_scenario, q->q_campaign,
	    q->q_kind };
	const unsigned char *p;
	size_t i;

	rpt_printf(o, "<a class=\"page\" href=\"%s?page=%" PRId64, path, page);
	if (q->q_per_page != 50)
		rpt_printf(o, "&amp;per_page=%" PRId64, q->q_per_page);
	if (q->q_run > 0)
		rpt_printf(o, "&amp;run=%" PRId64, q->q_run);
	for (i = 0; i < 4; i++) {
		if (vals[i] == NULL)
			continue;
		rpt_printf(o, "&amp;%s=", names[i]);
		for (p = (const unsigned char *)vals[i]; *p != '\0'; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
			    || (*p >= '0' && *p <= '9') || *p == '.' ||
			    *p == '_' || *p == '-' || *p == '/')
				rpt_printf(o, "%c", *p);
			else
				rpt_printf(o, "%%%c%c", hex[*p >> 4],
				    hex[*p & 15]);
		}
	}
	rpt_printf(o, "\">%s</a> ", label);
}

static void
pager(struct rpt_out *o, const char *path, const struct rpt_query *q,
    int64_t total)
{
	int64_t pages = (total + q->q_per_page - 1) / q->q_per_page;

	if (pages < 1)
		pages = 1;
	rpt_printf(o, "<p class=\"pager\">page <span class=\"page-no\">%"
	    PRId64 "</span> of %" PRId64 " (%" PRId64 " rows) ", q->q_page,
	    pages, total);
	if (q->q_page > 1)
		page_link(o, path, q, q->q_page - 1, "previous");
	if (q->q_page < pages)
		page_link(o, path, q, q->q_page + 1, "next");
	rpt_puts(o, "</p>\n");
}

/* Parameters a statement does not use are ignored (SQLITE_RANGE). */
static int64_t
count_rows(struct rpt_ctx *c, const char *sql, const struct rpt_query *q)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(c->rc_sql, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, q->q_verdict, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, q->q_scenario, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, q->q_campaign, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, q->q_kind, -1, SQLITE_STATIC);
	if (q->q_run > 0)
		sqlite3_bind_int64(st, 5, q->q_run);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

#define RUN_FILTER							\
	" WHERE (?1 IS NULL OR verdict = ?1)"				\
	" AND (?2 IS NULL OR instr(scenario, ?2) > 0)"			\
	" AND (?3 IS NULL OR campaign = ?3)"

int
rpt_runs(struct rpt_ctx *c, struct rpt_out *o, const struct rpt_query *q)
{
	sqlite3_stmt *st;
	char vt[32];
	int64_t total, id;
	int n = 0;

	total = count_rows(c, "SELECT count(*) FROM runs" RUN_FILTER, q);
	if (total < 0 || sqlite3_prepare_v2(c->rc_sql, "SELECT id, scenario, "
	    "seed, strategy, params, verdict, events, virtual_ns, wall_s, "
	    "trace_hash, started_at, campaign, (SELECT count(*) FROM "
	    "violations v WHERE v.run = runs.id), note FROM runs" RUN_FILTER
	    " ORDER BY id DESC LIMIT ?6 OFFSET ?7", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, q->q_verdict, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, q->q_scenario, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, q->q_campaign, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, q->q_per_page);
	sqlite3_bind_int64(st, 7, (q->q_page - 1) * q->q_per_page);
	rpt_puts(o, "<table id=\"runs\"><tr><th>run</th><th>scenario</th>"
	    "<th>seed</th><th>strategy</th><th>verdict</th><th>violations"
	    "</th><th>events</th><th>virtual time</th><th>wall</th>"
	    "<th>trace hash</th><th>started (UTC)</th><th>campaign</th></tr>\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		rpt_puts(o, "<tr class=\"run verdict-");
		rpt_esc(o, col(st, 5));
		rpt_printf(o, "\" data-run=\"%" PRId64 "\"><td>", id);
		run_link(c, o, id);
		rpt_puts(o, "</td><td>");
		rpt_esc(o, col(st, 1));
		rpt_printf(o, "</td><td>%" PRIu64 "</td><td>",
		    (uint64_t)sqlite3_column_int64(st, 2));
		rpt_esc(o, col(st, 3));
		esc_between(o, " <small>", col(st, 4), "</small>");
		rpt_puts(o, "</td><td class=\"verdict\"");
		esc_between(o, " title=\"", col(st, 13), "\"");
		rpt_puts(o, ">");
		rpt_esc(o, col(st, 5));
		fmt_ns(vt, sizeof(vt), sqlite3_column_int64(st, 7));
		rpt_printf(o, "</td><td>%d</td><td>%" PRId64 "</td><td>%s</td>"
		    "<td>%.3f s</td><td><code>", sqlite3_column_int(st, 12),
		    (int64_t)sqlite3_column_int64(st, 6), vt,
		    sqlite3_column_double(st, 8));
		rpt_esc(o, col(st, 9));
		rpt_puts(o, "</code></td><td>");
		rpt_esc(o, col(st, 10));
		rpt_puts(o, "</td><td>");
		rpt_esc(o, col(st, 11));
		rpt_puts(o, "</td></tr>\n");
		n++;
	}
	sqlite3_finalize(st);
	rpt_puts(o, "</table>\n");
	if (c->rc_serve)
		pager(o, "/runs", q, total);
	else if (total > n)
		rpt_printf(o, "<p class=\"note\">%d of %" PRId64 " runs listed "
		    "(newest first).</p>\n", n, total);
	return n;
}

static void
replay_command(struct rpt_ctx *c, struct rpt_out *o, int64_t run)
{
	rpt_puts(o, "<p>replay: <code class=\"replay\">knit replay ");
	rpt_esc(o, c->rc_dbpath);
	rpt_printf(o, " --run %" PRId64 "</code></p>\n", run);
}

static void
violation_div(struct rpt_ctx *c, struct rpt_out *o, sqlite3_stmt *st)
{
	char vt[32];
	int64_t run = sqlite3_column_int64(st, 0);

	fmt_ns(vt, sizeof(vt), sqlite3_column_int64(st, 2));
	rpt_printf(o, "<div class=\"violation\" data-run=\"%" PRId64 "\">"
	    "<h3>", run);
	rpt_esc(o, col(st, 1));
	rpt_printf(o, " at %s", vt);
	if (col(st, 3) != NULL) {
		rpt_puts(o, " on ");
		rpt_esc(o, col(st, 3));
	}
	if (sqlite3_column_type(st, 4) != SQLITE_NULL)
		rpt_printf(o, " cpu %d", sqlite3_column_int(st, 4));
	if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		rpt_printf(o, " lwp %d", sqlite3_column_int(st, 5));
	rpt_puts(o, " (run ");
	run_link(c, o, run);
	rpt_puts(o, ")</h3><p class=\"message\">");
	rpt_esc(o, col(st, 6));
	rpt_puts(o, "</p><div class=\"stacks\">");
	esc_between(o, "<div><b>stack</b><pre class=\"stack\">", col(st, 7),
	    "</pre></div>");
	esc_between(o, "<div><b>other stack</b><pre class=\"stack\">",
	    col(st, 8), "</pre></div>");
	rpt_puts(o, "</div><p>signature <code>");
	rpt_esc(o, col(st, 9));
	rpt_puts(o, "</code></p>");
	replay_command(c, o, run);
	rpt_puts(o, "</div>\n");
}

#define VIOL_FILTER							\
	" WHERE (?4 IS NULL OR kind = ?4) AND (?5 IS NULL OR run = ?5)"

int
rpt_violations(struct rpt_ctx *c, struct rpt_out *o,
    const struct rpt_query *q)
{
	sqlite3_stmt *st;
	int64_t total;
	int n = 0;

	total = count_rows(c, "SELECT count(*) FROM violations" VIOL_FILTER,
	    q);
	if (total < 0 || sqlite3_prepare_v2(c->rc_sql, "SELECT run, kind, "
	    "vtime, host, cpu, lwp, message, stack, stack2, signature FROM "
	    "violations" VIOL_FILTER " ORDER BY run, id LIMIT ?6 OFFSET ?7",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 4, q->q_kind, -1, SQLITE_STATIC);
	if (q->q_run > 0)
		sqlite3_bind_int64(st, 5, q->q_run);
	sqlite3_bind_int64(st, 6, q->q_per_page);
	sqlite3_bind_int64(st, 7, (q->q_page - 1) * q->q_per_page);
	rpt_puts(o, "<div class=\"violations\">\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		violation_div(c, o, st);
		n++;
	}
	sqlite3_finalize(st);
	if (n == 0)
		rpt_puts(o, "<p class=\"none\">No violations.</p>\n");
	rpt_puts(o, "</div>\n");
	if (c->rc_serve)
		pager(o, "/violations", q, total);
	else if (total > n)
		rpt_printf(o, "<p class=\"note\">%d of %" PRId64 " violations "
		    "shown.</p>\n", n, total);
	return n;
}

int
rpt_signatures(struct rpt_ctx *c, struct rpt_out *o)
{
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(c->rc_sql, "SELECT signature, kind, "
	    "occurrences, runs, first_run, example FROM "
	    "violations_by_signature ORDER BY occurrences DESC, signature "
	    "LIMIT 500", -1, &st, NULL) != SQLITE_OK)
		return -1;
	rpt_puts(o, "<table id=\"signatures\"><tr><th>signature</th>"
	    "<th>kind</th><th>occurrences</th><th>runs</th><th>first run</th>"
	    "<th>example</th></tr>\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		rpt_puts(o, "<tr class=\"signature\"><td><code>");
		rpt_esc(o, col(st, 0));
		rpt_puts(o, "</code></td><td>");
		rpt_esc(o, col(st, 1));
		rpt_printf(o, "</td><td>%d</td><td>%d</td><td>",
		    sqlite3_column_int(st, 2), sqlite3_column_int(st, 3));
		run_link(c, o, sqlite3_column_int64(st, 4));
		rpt_puts(o, "</td><td>");
		rpt_esc(o, col(st, 5));
		rpt_puts(o, "</td></tr>\n");
		n++;
	}
	sqlite3_finalize(st);
	rpt_puts(o, "</table>\n");
	return n;
}

/* Each flow's packet paths: distinct hop sequences and their counts. */
static int
rpt_flows(struct rpt_ctx *c, struct rpt_out *o, int64_t run)
{
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(c->rc_sql, "SELECT flow, path, count(*), "
	    "min(t0) FROM (SELECT flow, pkt_key, min(vtime) AS t0, "
	    "group_concat(host || coalesce('.' || nic, '') || ' ' || dir, "
	    "' \xe2\x86\x92 ') AS path FROM (SELECT * FROM packet_paths WHERE "
	    "run = ?1 ORDER BY pkt_key, hop) GROUP BY pkt_key) GROUP BY flow, "
	    "path ORDER BY flow, min(t0) LIMIT 1000", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	rpt_puts(o, "<table class=\"flows\"><tr><th>flow</th><th>path</th>"
	    "<th>packets</th></tr>\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		rpt_puts(o, "<tr class=\"flow\"><td>");
		rpt_esc(o, col(st, 0));
		rpt_puts(o, "</td><td class=\"path\">");
		rpt_esc(o, col(st, 1));
		rpt_printf(o, "</td><td>%d</td></tr>\n",
		    sqlite3_column_int(st, 2));
		n++;
	}
	sqlite3_finalize(st);
	rpt_puts(o, "</table>\n");
	if (n == 0)
		rpt_puts(o, "<p class=\"none\">No packets recorded.</p>\n");
	return n;
}

static int
rpt_stale(struct rpt_ctx *c, struct rpt_out *o, int64_t run)
{
	sqlite3_stmt *st;
	char vt[32];
	int n = 0;

	if (sqlite3_prepare_v2(c->rc_sql, "SELECT vtime, host, flow, dst, "
	    "used_route, used_gateway, fresh_route, fresh_gateway FROM "
	    "stale_route_use WHERE run = ?1 ORDER BY seq LIMIT 200", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n++ == 0)
			rpt_puts(o, "<table class=\"stale\"><tr><th>time</th>"
			    "<th>host</th><th>flow</th><th>used route</th>"
			    "<th>via</th><th>fresh lookup</th><th>via</th>"
			    "</tr>\n");
		fmt_ns(vt, sizeof(vt), sqlite3_column_int64(st, 0));
		rpt_printf(o, "<tr class=\"stale-use\"><td>%s</td><td>", vt);
		rpt_esc(o, col(st, 1));
		rpt_puts(o, "</td><td>");
		rpt_esc(o, col(st, 2));
		rpt_puts(o, "</td><td>");
		rpt_esc(o, col(st, 4));
		rpt_puts(o, "</td><td>");
		rpt_esc(o, col(st, 5) != NULL ? col(st, 5) : "(connected)");
		rpt_puts(o, "</td><td>");
		rpt_esc(o, col(st, 6) != NULL ? col(st, 6) : "no route");
		rpt_puts(o, "</td><td>");
		rpt_esc(o, col(st, 7) != NULL ? col(st, 7) : "-");
		rpt_puts(o, "</td></tr>\n");
	}
	sqlite3_finalize(st);
	if (n > 0)
		rpt_puts(o, "</table>\n");
	else
		rpt_puts(o, "<p class=\"none\">No packet used a stale route."
		    "</p>\n");
	return n;
}

int
rpt_run_exists(struct rpt_ctx *c, int64_t run)
{
	sqlite3_stmt *st;
	int found;

	if (sqlite3_prepare_v2(c->rc_sql, "SELECT 1 FROM runs WHERE id = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, run);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

int64_t
rpt_default_run(struct rpt_ctx *c)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (sqlite3_prepare_v2(c->rc_sql, "SELECT coalesce((SELECT max(run) "
	    "FROM events), (SELECT max(id) FROM runs), 0)", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

int
rpt_run_detail(struct rpt_ctx *c, struct rpt_out *o, int64_t run)
{
	struct rpt_query q = { .q_run = run, .q_page = 1, .q_per_page = 1000 };
	int nv;

	rpt_printf(o, "<section class=\"run-detail\" id=\"run-%" PRId64 "\">"
	    "<h2>Run %" PRId64 "</h2>\n", run, run);
	rpt_printf(o, "<h3>Violations (<span id=\"violation-count\">?</span>"
	    ")</h3>\n");
	nv = rpt_violations(c, o, &q);
	if (nv < 0)
		return -1;
	rpt_puts(o, "<h3>Timeline (<span id=\"lane-count\">?</span> CPU "
	    "lanes)</h3>\n");
	if (rpt_timeline(c, o, run) < 0)
		return -1;
	rpt_puts(o, "<h3>Packet paths by flow</h3>\n");
	if (rpt_flows(c, o, run) < 0)
		return -1;
	rpt_puts(o, "<h3>Stale route use</h3>\n<p class=\"note\">Packets "
	    "forwarded along a route other than the one a fresh lookup "
	    "would have chosen at that instant (PR kern/3508's symptom)."
	    "</p>\n");
	if (rpt_stale(c, o, run) < 0)
		return -1;
	rpt_puts(o, "</section>\n");
	return 0;
}
