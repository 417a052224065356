/*
 * The SVG timeline of one run: one lane per simulated CPU (which LWP
 * runs, lock holds, hard interrupts, softints), one network lane per
 * host (packets cross between hosts' network lanes as lines from send
 * to receive), route changes as vertical lines, all on one virtual-time
 * axis.  Drawn from the events, packets and route_changes tables; at
 * most rc_max_events events are read (the start of the run).
 *
 * Geometry: x = (t - t0) / (t1 - t0) * TL_W inside the group g.zoom,
 * which the page script scales in x only; labels sit left of it.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define TL_X0		150	/* label column */
#define TL_W		1000	/* drawing width at zoom 1 */
#define TL_LANE_H	22
#define TL_MAX_LANES	256
#define TL_NAME		64

struct tl_lane {
	char		 l_host[TL_NAME];
	int		 l_cpu;		/* -1: the host's network lane */
	int		 l_y;
};

struct tl {
	struct rpt_out	*t_out;
	struct tl_lane	 t_lanes[TL_MAX_LANES];
	int		 t_nlanes;
	int64_t		 t_t0, t_t1;
};

static double
tl_x(const struct tl *t, int64_t v)
{
	return (double)(v - t->t_t0) * TL_W / (double)(t->t_t1 - t->t_t0);
}

static void
tl_copy(char *dst, const char *src)
{
	snprintf(dst, TL_NAME, "%s", src != NULL ? src : "");
}

static int
tl_lane(struct tl *t, const char *host, int cpu)
{
	int i;

	for (i = 0; i < t->t_nlanes; i++)
		if (t->t_lanes[i].l_cpu == cpu &&
		    strncmp(t->t_lanes[i].l_host, host != NULL ? host : "",
		    TL_NAME - 1) == 0)
			return i;
	return -1;
}

static void
tl_span(struct tl *t, int lane, const char *cls, int64_t a, int64_t b,
    const char *what, int inset)
{
	struct rpt_out *o = t->t_out;
	const struct tl_lane *l = &t->t_lanes[lane];

	if (b < a)
		b = a;
	rpt_printf(o, "<rect class=\"%s\" x=\"%.3f\" y=\"%d\" width=\"%.3f\" "
	    "height=\"%d\"><title>", cls, tl_x(t, a), l->l_y + 2 + inset,
	    tl_x(t, b) - tl_x(t, a), TL_LANE_H - 4 - 2 * inset);
	rpt_esc(o, l->l_host);
	if (l->l_cpu >= 0)
		rpt_printf(o, " cpu%d", l->l_cpu);
	rpt_printf(o, " %s ", cls);
	rpt_esc(o, what);
	rpt_printf(o, " %" PRId64 "..%" PRId64 " ns</title></rect>\n", a, b);
}

/* Lanes: for each host in name order, its CPUs, then its network lane. */
static int
tl_make_lanes(struct rpt_ctx *c, struct tl *t, int64_t run)
{
	sqlite3_stmt *st;
	struct tl_lane *l;

	if (sqlite3_prepare_v2(c->rc_sql,
	    "SELECT host, cpu FROM (SELECT DISTINCT host, cpu FROM events "
	    "WHERE id BETWEEN ?1 << 36 AND (?1 << 36) + (1 << 36) - 1 AND "
	    "cpu IS NOT NULL AND host IS NOT NULL "
	    "UNION SELECT DISTINCT host, -1 FROM packets WHERE run = ?1 AND "
	    "host IS NOT NULL "
	    "UNION SELECT DISTINCT host, -1 FROM route_changes WHERE run = ?1 "
	    "AND host IS NOT NULL) ORDER BY host, cpu < 0, cpu", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW && t->t_nlanes < TL_MAX_LANES) {
		l = &t->t_lanes[t->t_nlanes];
		memset(l, 0, sizeof(*l));
		tl_copy(l->l_host, (const char *)sqlite3_column_text(st, 0));
		l->l_cpu = sqlite3_column_int(st, 1);
		l->l_y = 20 + t->t_nlanes * TL_LANE_H;
		t->t_nlanes++;
	}
	sqlite3_finalize(st);
	return 0;
}

static int
tl_range(struct rpt_ctx *c, struct tl *t, int64_t run)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(c->rc_sql,
	    "SELECT min(t), max(t) FROM ("
	    "SELECT vtime AS t FROM (SELECT vtime FROM events WHERE id BETWEEN "
	    "?1 << 36 AND (?1 << 36) + (1 << 36) - 1 ORDER BY id LIMIT ?2) "
	    "UNION ALL SELECT vtime FROM packets WHERE run = ?1 "
	    "UNION ALL SELECT vtime FROM route_changes WHERE run = ?1)", -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, c->rc_max_events);
	t->t_t0 = t->t_t1 = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		t->t_t0 = sqlite3_column_int64(st, 0);
		t->t_t1 = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (t->t_t1 <= t->t_t0)
		t->t_t1 = t->t_t0 + 1;
	return 0;
}

static void
tl_on_span(void *arg, const char *host, int cpu, const char *cls, int64_t a,
    int64_t b, const char *name)
{
	struct tl *t = arg;
	int lane = tl_lane(t, host, cpu);
	int inset = strcmp(cls, "lock") == 0 ? 5 : strcmp(cls, "intr") == 0 ?
	    3 : strcmp(cls, "softint") == 0 ? 2 : strcmp(cls, "idle") == 0 ?
	    8 : 0;

	if (lane >= 0)
		tl_span(t, lane, cls, a, b, name, inset);
}

/* A packet sent by one host and next received by another: a line. */
static int
tl_packets(struct rpt_ctx *c, struct tl *t, int64_t run)
{
	struct rpt_out *o = t->t_out;
	sqlite3_stmt *st;
	int a, b, n = 0;

	if (sqlite3_prepare_v2(c->rc_sql,
	    "SELECT s.vtime, s.host, r.vtime, r.host, s.summary, s.flow "
	    "FROM packets s JOIN packets r ON r.run = s.run AND "
	    "r.pkt_key = s.pkt_key AND r.dir = 'rx' AND r.seq > s.seq AND "
	    "r.host <> s.host AND NOT EXISTS (SELECT 1 FROM packets m WHERE "
	    "m.run = s.run AND m.pkt_key = s.pkt_key AND m.dir = 'rx' AND "
	    "m.seq > s.seq AND m.seq < r.seq) "
	    "WHERE s.run = ?1 AND s.dir = 'tx' ORDER BY s.seq LIMIT 20000",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		a = tl_lane(t, (const char *)sqlite3_column_text(st, 1), -1);
		b = tl_lane(t, (const char *)sqlite3_column_text(st, 3), -1);
		if (a < 0 || b < 0)
			continue;
		rpt_printf(o, "<line class=\"packet\" x1=\"%.3f\" y1=\"%d\" "
		    "x2=\"%.3f\" y2=\"%d\" vector-effect=\"non-scaling-stroke\">"
		    "<title>", tl_x(t, sqlite3_column_int64(st, 0)),
		    t->t_lanes[a].l_y + TL_LANE_H / 2,
		    tl_x(t, sqlite3_column_int64(st, 2)),
		    t->t_lanes[b].l_y + TL_LANE_H / 2);
		rpt_esc(o, (const char *)sqlite3_column_text(st, 1));
		rpt_puts(o, " \xe2\x86\x92 ");
		rpt_esc(o, (const char *)sqlite3_column_text(st, 3));
		rpt_puts(o, ": ");
		rpt_esc(o, (const char *)(sqlite3_column_text(st, 4) != NULL ?
		    sqlite3_column_text(st, 4) : sqlite3_column_text(st, 5)));
		rpt_puts(o, "</title></line>\n");
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

static int
tl_routes(struct rpt_ctx *c, struct tl *t, int64_t run, int height)
{
	struct rpt_out *o = t->t_out;
	sqlite3_stmt *st;
	int lane;
	double x;

	if (sqlite3_prepare_v2(c->rc_sql, "SELECT vtime, host, op, dst, "
	    "gateway, flags FROM route_changes WHERE run = ?1 ORDER BY seq "
	    "LIMIT 5000", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		lane = tl_lane(t, (const char *)sqlite3_column_text(st, 1), -1);
		x = tl_x(t, sqlite3_column_int64(st, 0));
		rpt_printf(o, "<line class=\"route-change\" x1=\"%.3f\" "
		    "y1=\"%d\" x2=\"%.3f\" y2=\"%d\" "
		    "vector-effect=\"non-scaling-stroke\"><title>", x,
		    lane >= 0 ? t->t_lanes[lane].l_y : 0, x, height);
		rpt_printf(o, "%" PRId64 " ns ", (int64_t)sqlite3_column_int64(st, 0));
		rpt_esc(o, (const char *)sqlite3_column_text(st, 1));
		rpt_puts(o, " route ");
		rpt_esc(o, (const char *)sqlite3_column_text(st, 2));
		rpt_puts(o, " ");
		rpt_esc(o, (const char *)sqlite3_column_text(st, 3));
		if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			rpt_puts(o, " via ");
			rpt_esc(o, (const char *)sqlite3_column_text(st, 4));
		}
		rpt_puts(o, "</title></line>\n");
	}
	sqlite3_finalize(st);
	return 0;
}

int
rpt_timeline(struct rpt_ctx *c, struct rpt_out *o, int64_t run)
{
	struct rpt_spans spans;
	struct tl *t;
	int64_t nread = 0;
	int i, height, rv = -1;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -1;
	t->t_out = o;
	if (tl_make_lanes(c, t, run) != 0 || tl_range(c, t, run) != 0)
		goto out;
	if (t->t_nlanes == 0) {
		rpt_puts(o, "<p class=\"none\">No events, packets or route "
		    "changes recorded for this run (record with a trace "
		    "level).</p>\n");
		rv = 0;
		goto out;
	}
	height = 30 + t->t_nlanes * TL_LANE_H;
	rpt_printf(o, "<div class=\"timeline-box\"><p><button data-zoom=\"2\">"
	    "zoom in</button> <button data-zoom=\"0.5\">zoom out</button> "
	    "<button data-zoom=\"reset\">reset</button> <span class=\"range\">"
	    "</span> (wheel zooms, drag pans)</p>\n"
	    "<svg class=\"timeline\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" data-x0=\"%d\" "
	    "data-w=\"%d\" data-t0=\"%" PRId64 "\" data-t1=\"%" PRId64 "\" "
	    "data-run=\"%" PRId64 "\">\n"
	    "<defs><clipPath id=\"tlclip-%" PRId64 "\"><rect x=\"%d\" y=\"0\" "
	    "width=\"%d\" height=\"%d\"/></clipPath></defs>\n",
	    TL_X0 + TL_W + 10, height, TL_X0 + TL_W + 10, height, TL_X0, TL_W,
	    t->t_t0, t->t_t1, run, run, TL_X0, TL_W, height);
	/* Lanes (background and label) stay put; g.zoom moves over them. */
	for (i = 0; i < t->t_nlanes; i++) {
		rpt_printf(o, "<g class=\"%s\" data-host=\"",
		    t->t_lanes[i].l_cpu >= 0 ? "lane" : "netlane");
		rpt_esc(o, t->t_lanes[i].l_host);
		rpt_printf(o, "\" data-cpu=\"%d\"><rect class=\"%s\" x=\"%d\" "
		    "y=\"%d\" width=\"%d\" height=\"%d\"/><text x=\"4\" "
		    "y=\"%d\">", t->t_lanes[i].l_cpu, t->t_lanes[i].l_cpu >= 0 ?
		    "lanebg" : "netbg", TL_X0, t->t_lanes[i].l_y, TL_W,
		    TL_LANE_H - 1, t->t_lanes[i].l_y + 15);
		rpt_esc(o, t->t_lanes[i].l_host);
		if (t->t_lanes[i].l_cpu >= 0)
			rpt_printf(o, " cpu%d</text></g>\n",
			    t->t_lanes[i].l_cpu);
		else
			rpt_puts(o, " network</text></g>\n");
	}
	rpt_printf(o, "<text x=\"%d\" y=\"12\">%" PRId64 " ns</text>"
	    "<text x=\"%d\" y=\"12\" text-anchor=\"end\">%" PRId64 " ns</text>\n",
	    TL_X0, t->t_t0, TL_X0 + TL_W, t->t_t1);
	rpt_printf(o, "<g clip-path=\"url(#tlclip-%" PRId64 ")\"><g class=\"zoom\" "
	    "transform=\"translate(%d,0)\">\n", run, TL_X0);
	spans.sp_span = tl_on_span;
	spans.sp_arg = t;
	if (rpt_walk_spans(c->rc_sql, run, c->rc_max_events, t->t_t1, &spans,
	    &nread) != 0 || tl_packets(c, t, run) < 0 ||
	    tl_routes(c, t, run, height) != 0)
		goto out;
	rpt_puts(o, "</g></g></svg>\n");
	if (nread >= c->rc_max_events)
		rpt_printf(o, "<p class=\"note\">Only the first %" PRId64
		    " events are drawn (--max-events).</p>\n", nread);
	rpt_puts(o, "<p class=\"legend\"><span class=\"legend\" "
	    "style=\"background:#8fb8e8\"></span>LWP running"
	    "<span class=\"legend\" style=\"background:#c8c8c8\"></span>idle"
	    "<span class=\"legend\" style=\"background:#e8a33d\"></span>lock "
	    "held<span class=\"legend\" style=\"background:#d9534f\"></span>"
	    "interrupt<span class=\"legend\" style=\"background:#9b59b6\">"
	    "</span>softint<span class=\"legend\" style=\"background:#2a7d2a\">"
	    "</span>packet<span class=\"legend\" style=\"background:#c00\">"
	    "</span>route change</p></div>\n");
	rv = 0;
out:
	free(t);
	return rv;
}
