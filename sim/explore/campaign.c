/*
 * Campaign driver: workers, the result pipe protocol, in-order
 * consumption, failure groups, progress.
 *
 * Pipe protocol, one record per run: "R <run>\n" then fields
 * "<tag> <length>\n<bytes>\n" and "E\n".  Tags: s status, e error,
 * h hash, v vtime, n events, l lwps, d decisions, S schedule,
 * L lockorder, and per violation K kind, G signature, M message,
 * T stack (K starts a new violation).
 *
 * Invariant: results are consumed in position order (the position of a
 * run is its index among the runs of this shard); `next' is the first
 * position not consumed, and pending[] buffers what arrived early.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check/lockorder.h"
#include "explore/campaign.h"

#define MAXJOBS	256

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL && n != 0)
		abort();
	return p;
}

static char *
xstrdup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		abort();
	return d;
}

double
xwall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void
xrun_add_violation(struct xrun_out *o, const char *kind, const char *sig,
    const char *msg, const char *stack)
{
	struct xviol *v;

	o->ro_viols = xrealloc(o->ro_viols, (o->ro_nviols + 1) *
	    sizeof(*o->ro_viols));
	v = &o->ro_viols[o->ro_nviols++];
	v->xv_kind = xstrdup(kind != NULL ? kind : "?");
	v->xv_signature = xstrdup(sig != NULL ? sig : kind);
	v->xv_message = xstrdup(msg != NULL ? msg : "");
	v->xv_stack = xstrdup(stack);
}

void
xrun_out_fini(struct xrun_out *o)
{
	for (size_t i = 0; i < o->ro_nviols; i++) {
		free(o->ro_viols[i].xv_kind);
		free(o->ro_viols[i].xv_signature);
		free(o->ro_viols[i].xv_message);
		free(o->ro_viols[i].xv_stack);
	}
	free(o->ro_viols);
	free(o->ro_error);
	free(o->ro_schedule);
	free(o->ro_lockorder);
	memset(o, 0, sizeof(*o));
}

void
xcampaign_init(struct xcampaign *c)
{
	memset(c, 0, sizeof(*c));
	c->xc_lockorder = lo_create();
}

void
xcampaign_fini(struct xcampaign *c)
{
	for (size_t i = 0; i < c->xc_nfails; i++) {
		struct xfailure *f = &c->xc_fails[i];

		free(f->xf_signature);
		free(f->xf_kind);
		free(f->xf_message);
		free(f->xf_stack);
		free(f->xf_schedule);
	}
	free(c->xc_fails);
	free(c->xc_first_error);
	lo_destroy(c->xc_lockorder);
	memset(c, 0, sizeof(*c));
}

long
xcampaign_find(const struct xcampaign *c, const char *sig)
{
	for (size_t i = 0; i < c->xc_nfails; i++)
		if (strcmp(c->xc_fails[i].xf_signature, sig) == 0)
			return (long)i;
	return -1;
}

static void
note_failure(struct xcampaign *c, const char *kind, const char *sig,
    const char *msg, const char *stack, const char *sched, uint64_t run,
    uint64_t seed)
{
	long i = xcampaign_find(c, sig);
	struct xfailure *f;

	if (i >= 0) {
		c->xc_fails[i].xf_count++;
		return;
	}
	c->xc_fails = xrealloc(c->xc_fails, (c->xc_nfails + 1) *
	    sizeof(*c->xc_fails));
	f = &c->xc_fails[c->xc_nfails++];
	memset(f, 0, sizeof(*f));
	f->xf_signature = xstrdup(sig);
	f->xf_kind = xstrdup(kind);
	f->xf_message = xstrdup(msg);
	f->xf_stack = xstrdup(stack);
	f->xf_schedule = xstrdup(sched);
	f->xf_count = 1;
	f->xf_first_run = run;
	f->xf_first_seed = seed;
}

/* Consume one run's result, in order. */
static bool
consume(struct xcampaign *c, const struct xcampaign_opts *co, uint64_t run,
    uint64_t seed, struct xrun_out *o)
{
	bool failed = false;

	c->xc_runs++;
	if (o->ro_nlwps > c->xc_max_lwps)
		c->xc_max_lwps = o->ro_nlwps;
	if (o->ro_ndecisions > c->xc_max_decisions)
		c->xc_max_decisions = o->ro_ndecisions;
	if (o->ro_status == XRUN_ERROR) {
		c->xc_errors++;
		if (c->xc_first_error == NULL)
			c->xc_first_error = xstrdup(o->ro_error != NULL ?
			    o->ro_error : "run error");
	}
	for (size_t i = 0; i < o->ro_nviols; i++) {
		struct xviol *v = &o->ro_viols[i];

		note_failure(c, v->xv_kind, v->xv_signature, v->xv_message,
		    v->xv_stack, o->ro_schedule, run, seed);
		failed = true;
	}
	if (o->ro_status == XRUN_FAIL && o->ro_nviols == 0) {
		note_failure(c, "failure", "run failed without a violation",
		    "", NULL, o->ro_schedule, run, seed);
		failed = true;
	}
	/* Cycles closed by this run's edges in the campaign graph. */
	if (o->ro_lockorder != NULL) {
		FILE *fp = fmemopen(o->ro_lockorder,
		    strlen(o->ro_lockorder), "r");
		size_t before = lo_nreports(c->xc_lockorder);

		if (fp != NULL) {
			(void)lo_read(c->xc_lockorder, fp, run);
			fclose(fp);
		}
		for (size_t i = before; i < lo_nreports(c->xc_lockorder);
		    i++) {
			const struct lo_report *r = lo_report(c->xc_lockorder,
			    i);

			if (xcampaign_find(c, r->lr_signature) >= 0)
				continue;	/* the run itself saw it */
			note_failure(c, "lock_order", r->lr_signature,
			    r->lr_text, NULL, o->ro_schedule, run, seed);
			failed = true;
		}
	}
	if (failed)
		c->xc_failed++;
	if (co->co_done != NULL)
		co->co_done(co->co_done_arg, run, seed, o);
	return failed;
}

/* ---- the pipe protocol ------------------------------------------------ */

static void
put(FILE *fp, char tag, const char *s)
{
	if (s == NULL)
		return;
	fprintf(fp, "%c %zu\n", tag, strlen(s));
	fwrite(s, 1, strlen(s), fp);
	fputc('\n', fp);
}

static void
put_u64(FILE *fp, char tag, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	put(fp, tag, buf);
}

static void
write_result(FILE *fp, uint64_t pos, const struct xrun_out *o)
{
	fprintf(fp, "R %" PRIu64 "\n", pos);
	put_u64(fp, 's', (uint64_t)o->ro_status);
	put(fp, 'e', o->ro_error);
	put_u64(fp, 'h', o->ro_hash);
	put_u64(fp, 'v', o->ro_vtime);
	put_u64(fp, 'n', o->ro_events);
	put_u64(fp, 'l', o->ro_nlwps);
	put_u64(fp, 'd', o->ro_ndecisions);
	put(fp, 'S', o->ro_schedule);
	put(fp, 'L', o->ro_lockorder);
	for (size_t i = 0; i < o->ro_nviols; i++) {
		put(fp, 'K', o->ro_viols[i].xv_kind);
		put(fp, 'G', o->ro_viols[i].xv_signature);
		put(fp, 'M', o->ro_viols[i].xv_message);
		put(fp, 'T', o->ro_viols[i].xv_stack);
	}
	fputs("E\n", fp);
	fflush(fp);
}

/* A growing byte buffer per worker pipe. */
struct inbuf {
	char	*b;
	size_t	 len, cap;
};

/*
 * Parse one complete record from the front of ib; returns bytes used,
 * 0 if incomplete, -1 if malformed.
 */
static long
parse_result(const struct inbuf *ib, uint64_t *posp, struct xrun_out *o)
{
	const char *p = ib->b, *end = ib->b + ib->len, *nl;
	struct xviol *v = NULL;
	char *field;
	size_t n;

	memset(o, 0, sizeof(*o));
	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		return 0;
	if (sscanf(p, "R %" SCNu64, posp) != 1)
		return -1;
	p = nl + 1;
	for (;;) {
		char tag;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			goto incomplete;
		if (p[0] == 'E' && nl == p + 1)
			return (long)(nl + 1 - ib->b);
		if (nl - p < 3 || p[1] != ' ')
			goto bad;
		tag = p[0];
		n = strtoull(p + 2, NULL, 10);
		p = nl + 1;
		if ((size_t)(end - p) < n + 1)
			goto incomplete;
		field = xrealloc(NULL, n + 1);
		memcpy(field, p, n);
		field[n] = '\0';
		p += n + 1;
		switch (tag) {
		case 's': o->ro_status = atoi(field); free(field); break;
		case 'e': o->ro_error = field; break;
		case 'h': o->ro_hash = strtoull(field, NULL, 10); free(field);
			break;
		case 'v': o->ro_vtime = strtoull(field, NULL, 10); free(field);
			break;
		case 'n': o->ro_events = strtoull(field, NULL, 10);
			free(field); break;
		case 'l': o->ro_nlwps = strtoull(field, NULL, 10);
			free(field); break;
		case 'd': o->ro_ndecisions = strtoull(field, NULL, 10);
			free(field); break;
		case 'S': o->ro_schedule = field; break;
		case 'L': o->ro_lockorder = field; break;
		case 'K':
			o->ro_viols = xrealloc(o->ro_viols,
			    (o->ro_nviols + 1) * sizeof(*o->ro_viols));
			v = &o->ro_viols[o->ro_nviols++];
			memset(v, 0, sizeof(*v));
			v->xv_kind = field;
			break;
		case 'G': case 'M': case 'T':
			if (v == NULL) {
				free(field);
				goto bad;
			}
			if (tag == 'G')
				v->xv_signature = field;
			else if (tag == 'M')
				v->xv_message = field;
			else
				v->xv_stack = field;
			break;
		default:
			free(field);
			goto bad;
		}
	}
incomplete:
	xrun_out_fini(o);
	return 0;
bad:
	xrun_out_fini(o);
	return -1;
}

/* ---- positions and progress ------------------------------------------ */

/* Run number of shard position pos. */
static uint64_t
run_of(const struct xcampaign_opts *co, uint64_t pos)
{
	if (co->co_shard_n > 1)
		return co->co_first + pos * co->co_shard_n +
		    (co->co_shard_i - 1);
	return co->co_first + pos;
}

static uint64_t
seed_of(const struct xcampaign_opts *co, uint64_t run)
{
	return co->co_fixed_seed ? co->co_seed_base : co->co_seed_base + run;
}

/* Number of positions (UINT64_MAX: unbounded, time-limited). */
static uint64_t
npositions(const struct xcampaign_opts *co)
{
	uint64_t n = co->co_runs, i;

	if (n == 0)
		return UINT64_MAX;
	if (co->co_shard_n <= 1)
		return n;
	/* runs r in [0, n) with r % N == i - 1 */
	i = co->co_shard_i - 1;
	return n > i ? (n - i + co->co_shard_n - 1) / co->co_shard_n : 0;
}

struct progress {
	double	 start, last;
	bool	 on;
	bool	 drawn;
};

static void
progress_draw(struct progress *pg, const struct xcampaign *c,
    uint64_t total, const struct xcampaign_opts *co, bool force)
{
	double now = xwall_now(), el = now - pg->start, rate, eta = -1;
	char etabuf[32];

	if (!pg->on || (!force && now - pg->last < 0.1))
		return;
	pg->last = now;
	rate = el > 0 ? (double)c->xc_runs / el : 0;
	if (total != UINT64_MAX && rate > 0)
		eta = (double)(total - c->xc_runs) / rate;
	else if (co->co_time_s > 0)
		eta = co->co_time_s - el;
	if (eta >= 0)
		snprintf(etabuf, sizeof(etabuf), "%.1fs", eta < 0 ? 0 : eta);
	else
		snprintf(etabuf, sizeof(etabuf), "?");
	fprintf(stderr, "\r\033[Kruns %" PRIu64 "  %.0f runs/s  failures %zu"
	    "  elapsed %.1fs  eta %s", c->xc_runs, rate, c->xc_nfails, el,
	    etabuf);
	fflush(stderr);
	pg->drawn = true;
}

static void
progress_end(struct progress *pg)
{
	if (pg->drawn)
		fputs("\r\033[K", stderr);
}

/* ---- drivers ------------------------------------------------------------ */

static int
run_inline(struct xcampaign *c, const struct xcampaign_opts *co,
    xrun_fn_t fn, void *arg, struct progress *pg)
{
	uint64_t total = npositions(co);

	for (uint64_t pos = 0; pos < total; pos++) {
		uint64_t run = run_of(co, pos), seed = seed_of(co, run);
		struct xrun_out o;
		bool failed;

		if (co->co_time_s > 0 &&
		    xwall_now() - pg->start >= co->co_time_s) {
			c->xc_stopped = true;
			break;
		}
		memset(&o, 0, sizeof(o));
		(void)fn(arg, run, seed, &o);
		failed = consume(c, co, run, seed, &o);
		xrun_out_fini(&o);
		progress_draw(pg, c, total, co, false);
		if (failed && co->co_stop_on_first) {
			c->xc_stopped = true;
			break;
		}
		if (co->co_halt != NULL && *co->co_halt)
			break;
	}
	return 0;
}

static void
worker(const struct xcampaign_opts *co, xrun_fn_t fn, void *arg, int w,
    int jobs, int fd, double start)
{
	FILE *fp = fdopen(fd, "w");
	uint64_t total = npositions(co);

	if (fp == NULL)
		_exit(2);
	for (uint64_t pos = (uint64_t)w; pos < total; pos += (uint64_t)jobs) {
		uint64_t run = run_of(co, pos);
		struct xrun_out o;

		if (co->co_time_s > 0 && xwall_now() - start >= co->co_time_s)
			break;
		memset(&o, 0, sizeof(o));
		(void)fn(arg, run, seed_of(co, run), &o);
		write_result(fp, pos, &o);
		xrun_out_fini(&o);
		if (ferror(fp))
			break;		/* the parent stopped listening */
	}
	fclose(fp);
	_exit(0);
}

static int
run_workers(struct xcampaign *c, const struct xcampaign_opts *co,
    xrun_fn_t fn, void *arg, struct progress *pg)
{
	int jobs = co->co_jobs, nopen = 0;
	pid_t pids[MAXJOBS];
	struct pollfd pfd[MAXJOBS];
	struct inbuf ib[MAXJOBS];
	uint64_t total = npositions(co), next = 0;
	struct xrun_out *pending = NULL;	/* ring by pos % cap */
	bool *have = NULL, stop = false;
	size_t cap = (size_t)jobs * 64;

	pending = calloc(cap, sizeof(*pending));
	have = calloc(cap, sizeof(*have));
	if (pending == NULL || have == NULL)
		abort();
	fflush(NULL);
	for (int w = 0; w < jobs; w++) {
		int fds[2];

		if (pipe(fds) != 0) {
			perror("knit explore: pipe");
			return -1;
		}
		if ((pids[w] = fork()) < 0) {
			perror("knit explore: fork");
			return -1;
		}
		if (pids[w] == 0) {
			close(fds[0]);
			for (int j = 0; j < w; j++)
				close(pfd[j].fd);
			signal(SIGPIPE, SIG_IGN);
			worker(co, fn, arg, w, jobs, fds[1], pg->start);
		}
		close(fds[1]);
		pfd[w].fd = fds[0];
		pfd[w].events = POLLIN;
		memset(&ib[w], 0, sizeof(ib[w]));
		nopen++;
	}

	while (nopen > 0 && !stop) {
		if (poll(pfd, (nfds_t)jobs, 100) < 0 && errno != EINTR)
			break;
		for (int w = 0; w < jobs && !stop; w++) {
			ssize_t n;

			if (pfd[w].fd < 0 || !(pfd[w].revents &
			    (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (ib[w].cap - ib[w].len < 65536) {
				ib[w].cap = ib[w].cap * 2 + 65536;
				ib[w].b = xrealloc(ib[w].b, ib[w].cap);
			}
			n = read(pfd[w].fd, ib[w].b + ib[w].len,
			    ib[w].cap - ib[w].len);
			if (n <= 0) {
				close(pfd[w].fd);
				pfd[w].fd = -1;
				nopen--;
				continue;
			}
			ib[w].len += (size_t)n;
			for (;;) {
				struct xrun_out o;
				uint64_t pos;
				long used = parse_result(&ib[w], &pos, &o);

				if (used == 0)
					break;
				if (used < 0) {
					fprintf(stderr, "knit explore: worker "
					    "%d sent a malformed result\n", w);
					stop = true;
					break;
				}
				memmove(ib[w].b, ib[w].b + used,
				    ib[w].len - (size_t)used);
				ib[w].len -= (size_t)used;
				/* Workers run at most cap apart?  Grow. */
				while (pos - next >= cap) {
					size_t ncap = cap * 2;
					struct xrun_out *np = calloc(ncap,
					    sizeof(*np));
					bool *nh = calloc(ncap, sizeof(*nh));

					if (np == NULL || nh == NULL)
						abort();
					for (uint64_t q = next; q < next + cap;
					    q++)
						if (have[q % cap]) {
							np[q % ncap] =
							    pending[q % cap];
							nh[q % ncap] = true;
						}
					free(pending);
					free(have);
					pending = np;
					have = nh;
					cap = ncap;
				}
				pending[pos % cap] = o;
				have[pos % cap] = true;
			}
			/* Consume the contiguous prefix. */
			while (!stop && next < total && have[next % cap]) {
				struct xrun_out *o = &pending[next % cap];
				uint64_t run = run_of(co, next);
				bool failed;

				failed = consume(c, co, run,
				    seed_of(co, run), o);
				xrun_out_fini(o);
				have[next % cap] = false;
				next++;
				progress_draw(pg, c, total, co, false);
				if (failed && co->co_stop_on_first) {
					c->xc_stopped = true;
					stop = true;
				}
			}
		}
	}
	/* Stop whatever still runs (our own children, by pid). */
	for (int w = 0; w < jobs; w++) {
		if (pfd[w].fd >= 0) {
			kill(pids[w], SIGKILL);
			close(pfd[w].fd);
		}
		while (waitpid(pids[w], NULL, 0) < 0 && errno == EINTR)
			;
		free(ib[w].b);
	}
	for (size_t i = 0; i < cap; i++)
		if (have[i])
			xrun_out_fini(&pending[i]);
	free(pending);
	free(have);
	if (total != UINT64_MAX && next < total && !stop &&
	    co->co_time_s <= 0) {
		uint64_t run = run_of(co, next);

		fprintf(stderr, "knit explore: a worker died during run %"
		    PRIu64 " (seed %" PRIu64 "); reproduce it with -j 1\n",
		    run, seed_of(co, run));
		c->xc_stopped = true;
		return -1;
	}
	if (next < total)
		c->xc_stopped = true;	/* the time limit cut it short */
	return 0;
}

int
xcampaign_run(struct xcampaign *c, const struct xcampaign_opts *co,
    xrun_fn_t fn, void *arg)
{
	struct progress pg;
	int rc;

	memset(&pg, 0, sizeof(pg));
	pg.start = xwall_now();
	pg.on = co->co_progress;
	if (co->co_runs == 0 && co->co_time_s <= 0)
		return 0;
	if (co->co_jobs <= 1)
		rc = run_inline(c, co, fn, arg, &pg);
	else if (co->co_jobs > MAXJOBS) {
		fprintf(stderr, "knit explore: at most %d jobs\n", MAXJOBS);
		return -1;
	} else
		rc = run_workers(c, co, fn, arg, &pg);
	progress_draw(&pg, c, npositions(co), co, true);
	progress_end(&pg);
	c->xc_wall_s += xwall_now() - pg.start;
	return rc;
}
