/*
 * Named race windows: deviations from a world's strategy that say where
 * they happen in words that survive changes to the code, instead of
 * choice numbers that any change upstream shifts.
 *
 * A window reads "when LWP A reaches, for the k-th time, a scheduling
 * point at site S, run LWP B instead of what the strategy would pick".
 *
 *   LWP names	"name@host": the LWP's own name (a Lua process's name,
 *		"softnet/0" for CPU 0's softnet interrupt LWP, "boot",
 *		...) and its host.  When several LWPs of a host share a
 *		name, the second one to appear at a scheduling point (as
 *		the LWP at the point or as an option) is "name@host#2",
 *		and so on.
 *   sites	the operation that made the point and the function that
 *		called it, "mutex_enter in rtcache_validate", from the
 *		symbolised stack of the LWP at the point; or, at an SDT
 *		probe, "probe provider:module:function:name".
 *   hits	k counts the points of A at S where the strategy was asked
 *		(two or more options), from 1.
 *
 * Decisions the scheduler makes in its own context, with no LWP at a
 * point (the start of a world_run, after the world went idle and an
 * event came), are "at" XWIN_SCHED, site XWIN_SCHED_SITE; their hits
 * count those decisions.  Less stable than an LWP's sites (any change
 * in how often the world goes idle shifts them), but still independent
 * of the choices made elsewhere.
 *
 * Two uses.  A scenario's windows (knit.preempt) are layered on the
 * world's strategy by xwin_attach; every other decision is the
 * strategy's.  The recorder ("window-record" strategy, parameters in
 * xwin_record) replays a recorded schedule the way the guided strategy
 * does and names every deviation from the default strategy it makes,
 * for `knit replay --emit-lua'.  Both count hits by the same code, so a
 * window named from a run fires at the same decision when the scenario
 * runs under the default strategy with the windows.
 */
#ifndef _KNIT_SIM_EXPLORE_WINDOW_H_
#define _KNIT_SIM_EXPLORE_WINDOW_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct world;
struct schedule;

#define XWIN_NAMELEN	80	/* "name@host#n" */
#define XWIN_SCHED	"scheduler"
#define XWIN_SCHED_SITE	"idle"
#define XWIN_SITELEN	160

/* ---- windows in a running world ---- */

struct xwins;

/*
 * The world's window set, layering it on the world's strategy the first
 * time (before any decision it should see).  Never NULL.
 */
struct xwins *xwin_attach(struct world *);
/*
 * Add a window; returns its index, or -1 with a message in err (a name
 * or site that is empty or too long, hit 0).
 */
int	xwin_add(struct xwins *, const char *at, const char *site,
	    uint64_t hit, const char *run, char *err, size_t errlen);
/* Whether window i fired; how often its site was reached by its LWP. */
bool	xwin_fired(const struct xwins *, int i);
uint64_t xwin_hits(const struct xwins *, int i);
/* Why window i did not fire although its hit came ("" when it did). */
const char *xwin_missed(const struct xwins *, int i);

/* ---- naming the deviations of a recorded run ---- */

struct xnamed {
	char		*xn_at;		/* LWP at the point, or XWIN_SCHED */
	char		*xn_site;
	uint64_t	 xn_hit;
	char		*xn_run;	/* the LWP run instead */
	char		*xn_default;	/* the LWP the default would run */
	bool		 xn_preempt;	/* a pre-emption */
	uint64_t	 xn_decision;	/* global choice number (0-based) */
	uint64_t	 xn_vtime;	/* virtual ns of the decision */
};

struct xwin_record_params {
	const struct schedule *wr_replay;	/* the schedule to follow */
	struct xnamed	*wr_named;		/* out: the deviations */
	size_t		 wr_nnamed;
	uint64_t	 wr_decisions;		/* out: decisions seen */
};

extern struct xwin_record_params xwin_record;

void	xwin_record_reset(void);	/* frees wr_named */
/* Make "window-record" known to the machine (idempotent). */
void	xwin_register(void);

#endif /* !_KNIT_SIM_EXPLORE_WINDOW_H_ */
