/*
 * SIGINT/SIGTERM/SIGHUP during a recorded run.
 *
 * The handler is async-signal-safe: it only sets a flag and arms an
 * alarm.  The run is closed from normal context, by the next recording
 * call (every one tests the flag) or by the CLI polling
 * db_interrupted(): commit the batch, mark the run `aborted', then die
 * of the same signal so the parent sees how we ended.  If nothing
 * notices within DB_ABORT_GRACE_S seconds (a run recording nothing and
 * never returning to the CLI), or on a second signal, the process dies
 * at once; the open batch is rolled back by SQLite and the next writer
 * marks the run `aborted' (see db_repair_abandoned).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "record/db_int.h"

volatile int dbi_signal_pending;
static struct db_run *active_run;

void
dbi_set_active(struct db_run *r)
{
	active_run = r;
}

static void
die_now(int sig)
{
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

static void
on_alarm(int sig)
{
	(void)sig;
	die_now(dbi_signal_pending != 0 ? dbi_signal_pending : SIGTERM);
}

static void
on_signal(int sig)
{
	if (dbi_signal_pending != 0 || active_run == NULL)
		die_now(sig);
	dbi_signal_pending = sig;
	alarm(DB_ABORT_GRACE_S);
}

void
db_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
}

int
db_interrupted(void)
{
	return dbi_signal_pending;
}

void
dbi_signal_die(struct db_run *r)
{
	char why[32];
	int sig = dbi_signal_pending;

	/* Closing the run records more rows: do not come back here. */
	dbi_signal_pending = 0;

	snprintf(why, sizeof(why), "interrupted by %s",
	    sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" :
	    sig == SIGHUP ? "SIGHUP" : "a signal");
	if (r == NULL)
		r = active_run;
	if (r != NULL)
		db_run_abort(r, why);
	die_now(sig);
}
