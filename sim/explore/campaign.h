/*
 * Campaigns: many runs of one scenario, each with its own seed, spread
 * over worker processes, with failures grouped by signature.
 *
 * A campaign is the runs numbered first .. first + runs - 1 (run r has
 * seed base + r); a shard i/N takes the runs with r % N == i - 1.  The
 * run function does one run in whatever process it is called in; with
 * jobs > 1 it is called in forked workers and its results travel to the
 * parent through pipes.  The parent consumes results strictly in run
 * order, so everything it derives (failure groups, first occurrences,
 * the campaign's lock-order graph, stop-on-first) is identical whatever
 * the number of workers.  With a time limit the campaign is the longest
 * prefix of runs that completed in time.
 */
#ifndef _KNIT_SIM_EXPLORE_CAMPAIGN_H_
#define _KNIT_SIM_EXPLORE_CAMPAIGN_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct lockorder;

/* Run outcome (same values as the CLI's exit statuses). */
#define XRUN_PASS	0
#define XRUN_FAIL	1
#define XRUN_ERROR	2

struct xviol {
	char		*xv_kind;	/* "data_race", "deadlock", ... */
	char		*xv_signature;	/* groups equal bugs */
	char		*xv_message;
	char		*xv_stack;	/* may be NULL */
};

struct xrun_out {
	int		 ro_status;	/* XRUN_* */
	char		*ro_error;	/* XRUN_ERROR: why */
	uint64_t	 ro_hash;	/* trace hash */
	uint64_t	 ro_vtime;
	uint64_t	 ro_events;
	uint64_t	 ro_nlwps;	/* LWPs the run created */
	uint64_t	 ro_ndecisions;	/* scheduling choices made */
	char		*ro_schedule;	/* text form, may be NULL */
	struct xviol	*ro_viols;
	size_t		 ro_nviols;
	char		*ro_lockorder;	/* lo_write text, may be NULL */
};

typedef int	(*xrun_fn_t)(void *arg, uint64_t run, uint64_t seed,
		    struct xrun_out *);
/* Called in the parent, in run order, for every run. */
typedef void	(*xrun_done_fn_t)(void *arg, uint64_t run, uint64_t seed,
		    const struct xrun_out *);

struct xcampaign_opts {
	uint64_t	 co_first;	/* first run number */
	uint64_t	 co_runs;	/* 0: until the time limit */
	double		 co_time_s;	/* 0: no limit */
	int		 co_jobs;	/* worker processes, >= 1 */
	uint32_t	 co_shard_i;	/* 1-based; 0: no sharding */
	uint32_t	 co_shard_n;
	uint64_t	 co_seed_base;
	bool		 co_fixed_seed;	/* every run gets co_seed_base (dfs:
					   only the schedule may vary) */
	bool		 co_stop_on_first;
	bool		 co_progress;	/* progress line on stderr */
	const bool	*co_halt;	/* set by the run function (jobs 1):
					   stop after this run (dfs done) */
	xrun_done_fn_t	 co_done;
	void		*co_done_arg;
};

/* One failure group. */
struct xfailure {
	char		*xf_signature;
	char		*xf_kind;
	char		*xf_message;	/* of the first occurrence */
	char		*xf_stack;
	char		*xf_schedule;	/* text form */
	uint64_t	 xf_count;	/* runs that hit it */
	uint64_t	 xf_first_run;
	uint64_t	 xf_first_seed;
	int64_t		 xf_db_run;	/* set by the caller; 0: none */
};

struct xcampaign {
	uint64_t	 xc_runs;	/* runs consumed */
	uint64_t	 xc_failed;	/* runs with a failure */
	uint64_t	 xc_errors;	/* runs that could not run */
	char		*xc_first_error;
	double		 xc_wall_s;
	bool		 xc_stopped;	/* stop-on-first or time limit */
	uint64_t	 xc_max_lwps;
	uint64_t	 xc_max_decisions;
	struct xfailure	*xc_fails;
	size_t		 xc_nfails;
	struct lockorder *xc_lockorder;	/* campaign graph */
};

void	xcampaign_init(struct xcampaign *);
void	xcampaign_fini(struct xcampaign *);
/*
 * Run the campaign, accumulating into c (so a campaign may be run in
 * steps, e.g. calibration runs first).  Returns 0, or -1 when workers
 * could not be started (message on stderr).
 */
int	xcampaign_run(struct xcampaign *, const struct xcampaign_opts *,
	    xrun_fn_t, void *arg);
/* Add a violation to a run result (copies the strings). */
void	xrun_add_violation(struct xrun_out *, const char *kind,
	    const char *signature, const char *message, const char *stack);
void	xrun_out_fini(struct xrun_out *);
/* Group index of a signature (or -1). */
long	xcampaign_find(const struct xcampaign *, const char *signature);

/* Wall-clock seconds (for progress and limits; never inside a world). */
double	xwall_now(void);

#endif /* !_KNIT_SIM_EXPLORE_CAMPAIGN_H_ */
