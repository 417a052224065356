/*
 * HTML pages of a run database, shared by `knit report' (one file) and
 * `knit serve' (pages on demand).  Everything is generated here: CSS,
 * SVG and the zoom script are embedded, so a page needs no network.
 *
 * All SQL is parameterised; values from the database are HTML-escaped
 * on output.
 */
#ifndef _KNIT_TOOLS_REPORT_H_
#define _KNIT_TOOLS_REPORT_H_

#include <stddef.h>
#include <stdint.h>

struct sqlite3;

/* Where a page goes: a file or an evbuffer. */
struct rpt_out {
	void		(*ro_write)(void *arg, const void *buf, size_t len);
	void		*ro_arg;
};

void	rpt_printf(struct rpt_out *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	rpt_puts(struct rpt_out *, const char *);
/* HTML-escaped text (NULL prints nothing). */
void	rpt_esc(struct rpt_out *, const char *);

/* Filters and paging of the run and violation lists. */
struct rpt_query {
	const char	*q_verdict;	/* NULL: any */
	const char	*q_scenario;	/* substring; NULL: any */
	const char	*q_campaign;
	const char	*q_kind;	/* violations */
	int64_t		 q_run;		/* violations of one run; 0: all */
	int64_t		 q_page;	/* from 1 */
	int64_t		 q_per_page;
	const char	*q_link_base;	/* serve: "/"; report: NULL (anchors) */
};

struct rpt_ctx {
	struct sqlite3	*rc_sql;
	const char	*rc_dbpath;	/* for replay commands */
	int64_t		 rc_max_events;	/* timeline limit */
	int		 rc_serve;	/* links to server pages */
};

void	rpt_page_begin(struct rpt_out *, const char *title);
void	rpt_page_end(struct rpt_out *);
/* Returns the number of rows listed, -1 on an SQL error. */
int	rpt_runs(struct rpt_ctx *, struct rpt_out *, const struct rpt_query *);
int	rpt_violations(struct rpt_ctx *, struct rpt_out *,
	    const struct rpt_query *);
int	rpt_signatures(struct rpt_ctx *, struct rpt_out *);
/* One run: summary, violations, timeline, flows, stale route use. */
int	rpt_run_detail(struct rpt_ctx *, struct rpt_out *, int64_t run);
/* The SVG timeline of a run (report_timeline.c). */
int	rpt_timeline(struct rpt_ctx *, struct rpt_out *, int64_t run);
/*
 * Spans rebuilt from a run's events (report_spans.c): cls is "lwp",
 * "lock", "intr" or "softint"; name the LWP, lock or handler.  At most
 * max_events events are read (*nread says how many); open spans end at
 * t_end.
 */
struct rpt_spans {
	void	(*sp_span)(void *arg, const char *host, int cpu,
		    const char *cls, int64_t a, int64_t b, const char *name);
	void	*sp_arg;
};
int	rpt_walk_spans(struct sqlite3 *, int64_t run, int64_t max_events,
	    int64_t t_end, struct rpt_spans *, int64_t *nread);
/* Whether run exists. */
int	rpt_run_exists(struct rpt_ctx *, int64_t run);
/* The run a report shows by default: the last one with events, or the last. */
int64_t	rpt_default_run(struct rpt_ctx *);

#endif /* !_KNIT_TOOLS_REPORT_H_ */
