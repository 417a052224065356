/*
 * knit replay DB --run ID --emit-lua FILE: write a stand-alone scenario
 * that reproduces a recorded failure under the default strategy, with
 * the run's deviations from it as named windows (knit.preempt, see
 * sim/explore/window.h), and check that it does.
 *
 * Steps: (1) replay the recorded schedule (its trace hash must be the
 * recorded one) and take its first failure's signature; minimise its
 * deviations from the default strategy as `knit minimize' does.  Re-run
 * the minimised schedule under the "window-record" strategy, which
 * follows it and names each deviation (who was at the point, its site
 * and hit, who ran instead).  Prune the named windows with runs of the
 * file itself (emit_prune).  (2) The file: a header saying what failed
 * and how the file was made, the run's -D values as defaults that -D
 * still overrides, the windows, then the scenario's source, embedded and
 * loaded under its original chunk name so that messages and line
 * numbers (and so the failure's signature) are the recorded run's.
 * (3) Run the text as `knit run FILE' would (default strategy, seed 1,
 * no -D), twice: it must fail with the recorded signature, with the
 * same trace hash both times; the file written says what this check
 * found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim.h"
#include "explore/minimize.h"
#include "explore/signature.h"
#include "explore/strategies.h"
#include "explore/window.h"
#include "record/db.h"
#include "record/schedule.h"

#include "knit.h"
#include "run.h"
#include "emit_lua.h"

/* The failures of one run, as signatures. */
struct emit_sigs {
	char		**es_sig;
	char		**es_msg;
	size_t		 es_len;
};

static void
emit_sigs_add(struct emit_sigs *s, const char *kind, const char *msg,
    const char *stack)
{
	s->es_sig = realloc(s->es_sig, (s->es_len + 1) * sizeof(*s->es_sig));
	s->es_msg = realloc(s->es_msg, (s->es_len + 1) * sizeof(*s->es_msg));
	if (s->es_sig == NULL || s->es_msg == NULL)
		abort();
	s->es_sig[s->es_len] = xsignature(kind, msg, stack);
	s->es_msg[s->es_len] = strdup(msg != NULL ? msg : "");
	s->es_len++;
}

static void
emit_sigs_fini(struct emit_sigs *s)
{
	for (size_t i = 0; i < s->es_len; i++) {
		free(s->es_sig[i]);
		free(s->es_msg[i]);
	}
	free(s->es_sig);
	free(s->es_msg);
	memset(s, 0, sizeof(*s));
}

static bool
emit_sigs_has(const struct emit_sigs *s, const char *sig)
{
	for (size_t i = 0; i < s->es_len; i++)
		if (strcmp(s->es_sig[i], sig) == 0)
			return true;
	return false;
}

/* o_finish: the violations and failed expectations, as knit explore
 * groups them. */
static void
emit_finish(void *arg, struct world *w, const struct kn_result *r)
{
	struct emit_sigs *s = arg;

	for (size_t i = 0; i < world_nviolations(w); i++) {
		const struct violation *v = world_violation(w, i);

		emit_sigs_add(s, db_violation_kind_name((int)v->v_kind),
		    v->v_message, v->v_stack);
	}
	for (size_t i = 0; i < r->r_nfailures; i++)
		emit_sigs_add(s, "expectation", r->r_failures[i].f_text, NULL);
}

/* A Lua string literal for s (quoted, escaped). */
static void
emit_quoted(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(fp, "\\%03u", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

/* One line of a possibly multi-line text as a comment. */
static void
emit_comment(FILE *fp, const char *prefix, const char *text)
{
	const char *eol = strchr(text, '\n');

	fprintf(fp, "-- %s%.*s\n", prefix, eol != NULL ? (int)(eol - text) :
	    (int)strlen(text), text);
}

/* Long-bracket level whose closing bracket does not occur in text. */
static int
emit_bracket_level(const char *text)
{
	char close[40];

	for (int level = 1; level < 30; level++) {
		close[0] = ']';
		memset(close + 1, '=', (size_t)level);
		close[level + 1] = ']';
		close[level + 2] = '\0';
		if (strstr(text, close) == NULL)
			return level;
	}
	return -1;
}

static void
emit_params(FILE *fp, const struct kn_opts *o)
{
	fprintf(fp, "\n-- The recorded run's parameters (-D); a -D given to "
	    "knit run still wins.\ndo\n\tlocal recorded = {");
	for (size_t i = 0; i < o->o_ndefs; i++) {
		fprintf(fp, "%s[", i ? ", " : "");
		emit_quoted(fp, o->o_defs[i].d_name);
		fprintf(fp, "] = ");
		emit_quoted(fp, o->o_defs[i].d_value);
	}
	fprintf(fp, "}\n"
	    "\tlocal param = knit.param\n"
	    "\tknit.param = function(name, default)\n"
	    "\t\tlocal v = recorded[name]\n"
	    "\t\tif v == nil then return param(name, default) end\n"
	    "\t\tif type(default) == \"number\" then v = tonumber(v)\n"
	    "\t\telseif type(default) == \"boolean\" then\n"
	    "\t\t\tv = v == \"true\" or v == \"yes\" or v == \"1\"\n"
	    "\t\tend\n"
	    "\t\treturn param(name, v)\n"
	    "\tend\n"
	    "end\n");
}

/* The windows a file gets: a subset of the named deviations. */
struct emit_wins {
	const struct xnamed **ew_w;
	size_t		 ew_len;
};

static void
emit_windows(FILE *fp, const struct emit_wins *ew)
{
	char when[64];

	fprintf(fp, "\n-- The race windows (%zu): the deviations from the "
	    "default strategy\n-- that the failure needs.\n", ew->ew_len);
	if (ew->ew_len == 0)
		fprintf(fp, "-- (none: the default schedule fails by "
		    "itself)\n");
	for (size_t i = 0; i < ew->ew_len; i++) {
		const struct xnamed *n = ew->ew_w[i];

		kn_format_time(n->xn_vtime, when, sizeof(when));
		fprintf(fp, "-- %zu. at %s (choice %" PRIu64 "): ", i + 1, when,
		    n->xn_decision + 1);
		if (strcmp(n->xn_at, n->xn_run) == 0)
			fprintf(fp, "%s goes on (the default runs %s)\n",
			    n->xn_run, n->xn_default);
		else if (n->xn_preempt)
			fprintf(fp, "%s pre-empts %s\n", n->xn_run,
			    n->xn_default);
		else
			fprintf(fp, "%s runs (the default runs %s)\n",
			    n->xn_run, n->xn_default);
		fprintf(fp, "knit.preempt{at = ");
		emit_quoted(fp, n->xn_at);
		fprintf(fp, ", site = ");
		emit_quoted(fp, n->xn_site);
		fprintf(fp, ",\n\thit = %" PRIu64 ", run = ", n->xn_hit);
		emit_quoted(fp, n->xn_run);
		fprintf(fp, "}\n");
	}
}

/* The whole file into a malloc'ed string; NULL when it cannot be made. */
static char *
emit_text(const struct emit_lua_args *e, const struct kn_opts *o,
    const char *sig, const char *msg, size_t initial,
    const struct emit_wins *ew, const char *check, size_t *lenp)
{
	const struct db_run_record *rec = e->el_rec;
	char *text = NULL;
	size_t len = 0;
	int level = emit_bracket_level(o->o_text);
	FILE *fp;

	if (level < 0)
		return NULL;
	if ((fp = open_memstream(&text, &len)) == NULL)
		abort();
	fprintf(fp, "-- Regression scenario: reproduces a failure knit "
	    "found, deterministically.\n--\n");
	emit_comment(fp, "failure:  ", sig);
	if (strcmp(sig, msg) != 0)
		emit_comment(fp, "message:  ", msg);
	fprintf(fp, "-- recorded: run %" PRId64 " of %s (scenario %s, seed "
	    "%" PRIu64 ", strategy %s%s%s)\n", rec->rec_id, e->el_db,
	    rec->rec_scenario, rec->rec_seed, rec->rec_strategy != NULL ?
	    rec->rec_strategy : "?", rec->rec_params != NULL &&
	    rec->rec_params[0] != '\0' ? ", " : "", rec->rec_params != NULL ?
	    rec->rec_params : "");
	fprintf(fp, "-- schedule: the recorded run deviates from the default "
	    "strategy %zu time%s;\n--   minimised (knit minimize, then "
	    "window by window) to the %zu window%s below\n", initial,
	    initial == 1 ? "" : "s", ew->ew_len, ew->ew_len == 1 ? "" : "s");
	if (check != NULL)
		fprintf(fp, "-- %s\n", check);
	fprintf(fp, "-- made by: knit replay %s --run %" PRId64 " "
	    "--emit-lua %s\n--\n", e->el_db, rec->rec_id, e->el_file);
	fprintf(fp, "--   knit run %s      fails (exit 1) with the failure "
	    "above\n", e->el_file);
	fprintf(fp, "-- Every scheduling choice is the default strategy's "
	    "except the windows\n-- below, named by LWP, site and hit "
	    "instead of choice numbers (see\n-- knit.preempt in "
	    "docs/lua-api.md).  The scenario's source follows,\n-- loaded "
	    "under its recorded name so messages and line numbers "
	    "match.\n");
	if (o->o_race_window != 0)
		fprintf(fp, "-- The run used --race-window %" PRIu64 "ns: "
		    "give it to knit run too.\n", o->o_race_window);
	fprintf(fp, "local knit = require(\"knit\")\n");
	if (o->o_race) {
		fprintf(fp, "\n-- The run had the race detector on (--race%s): "
		    "the file asks for it,\n-- so plain `knit run' turns it "
		    "on (build/knit runs build/knit-race).\n"
		    "knit.check{race = true%s}\n", o->o_race_points ?
		    " --race-points" : "", o->o_race_points ?
		    ", race_points = true" : "");
	}
	emit_params(fp, o);
	emit_windows(fp, ew);
	fprintf(fp, "\n-- %s, content hash %s\nlocal source = [%*.*s[\n",
	    rec->rec_scenario, rec->rec_scenario_hash, level, level,
	    "==============================");
	fwrite(o->o_text, 1, o->o_textlen, fp);
	if (o->o_textlen > 0 && o->o_text[o->o_textlen - 1] != '\n')
		fputc('\n', fp);
	fprintf(fp, "]%*.*s]\nreturn assert(load(source, ", level, level,
	    "==============================");
	{
		char *chunk;

		if (asprintf(&chunk, "@%s", rec->rec_scenario) < 0)
			abort();
		emit_quoted(fp, chunk);
		free(chunk);
	}
	fprintf(fp, ", \"t\", _ENV))()\n");
	if (fclose(fp) != 0)
		abort();
	*lenp = len;
	return text;
}

/* Run text as `knit run FILE' would; fills sigs, returns the result. */
static void
emit_run(const struct emit_lua_args *e, const struct kn_opts *rec_opts,
    const char *text, size_t len, struct emit_sigs *sigs,
    struct kn_result *r)
{
	struct kn_opts ko;

	memset(&ko, 0, sizeof(ko));
	ko.o_scenario = e->el_file;
	ko.o_text = text;
	ko.o_textlen = len;
	ko.o_seed = 1;
	ko.o_quiet = true;
	ko.o_race_window = rec_opts->o_race_window;
	ko.o_finish = emit_finish;
	ko.o_finish_arg = sigs;
	memset(r, 0, sizeof(*r));
	kn_run(&ko, r);
}

/*
 * Whether path can be written (checked before the runs, so a typo costs
 * nothing; the file itself is written only once everything worked).
 */
static bool
emit_writable(const char *path)
{
	char *dir = strdup(path), *slash;
	struct stat st;
	int err = 0;

	if (dir == NULL)
		abort();
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			err = EISDIR;
		else if (access(path, W_OK) != 0)
			err = errno;
	} else if (errno != ENOENT) {
		err = errno;
	} else {
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else if (slash != NULL)
			*slash = '\0';
		if (access(slash != NULL ? dir : ".", W_OK | X_OK) != 0)
			err = errno;
	}
	free(dir);
	if (err != 0)
		fprintf(stderr, "knit replay: --emit-lua '%s': cannot write "
		    "it: %s\n", path, strerror(err));
	return err == 0;
}

/* Whether the file with windows ew fails with sig (one run). */
static bool
emit_fails(const struct emit_lua_args *e, const struct kn_opts *o,
    const char *sig, const struct emit_wins *ew)
{
	struct emit_sigs v;
	struct kn_result r;
	char *text;
	size_t len;
	bool fails;

	if ((text = emit_text(e, o, sig, sig, 0, ew, NULL, &len)) == NULL)
		return false;
	memset(&v, 0, sizeof(v));
	emit_run(e, o, text, len, &v, &r);
	fails = r.r_status == KN_FAIL && emit_sigs_has(&v, sig);
	kn_result_fini(&r);
	emit_sigs_fini(&v);
	free(text);
	return fails;
}

/* Pruning windows with xminimize: a window is an xdev whose xd_at is
 * its index in the named list. */
struct emit_prune {
	const struct emit_lua_args *p_e;
	const struct kn_opts *p_o;
	const char	*p_sig;
	const struct emit_wins *p_all;
	struct emit_wins p_try;		/* room for all */
};

static bool
emit_prune_try(void *arg, const struct xdevs *try, struct xdevs *actual)
{
	struct emit_prune *p = arg;

	p->p_try.ew_len = 0;
	for (size_t i = 0; i < try->xs_len; i++)
		p->p_try.ew_w[p->p_try.ew_len++] =
		    p->p_all->ew_w[try->xs_dev[i].xd_at];
	if (!emit_fails(p->p_e, p->p_o, p->p_sig, &p->p_try))
		return false;
	xdevs_copy(actual, try);
	return true;
}

/*
 * Minimisation is 1-minimal in terms of deviations named by per-LWP
 * decision counts, which shift when an earlier deviation goes; named
 * windows may still be more than the failure needs (the lost wakeup:
 * early pre-emptions that only move the neighbours of, and the one
 * that opens it), or none at all (a scenario with its own knit.preempt
 * calls, such as an emitted one).  Prune in the file's own terms, with
 * runs of the file: no window when none is needed, one alone when one
 * suffices, else delta debugging over the windows (within
 * EMIT_PRUNE_BUDGET runs).
 */
#define EMIT_PRUNE_BUDGET	200

static void
emit_prune(const struct emit_lua_args *e, const struct kn_opts *o,
    const char *sig, struct emit_wins *ew)
{
	struct emit_prune p = { e, o, sig, ew, { NULL, 0 } };
	struct xmin_result res;
	struct xdevs all;

	if (ew->ew_len == 0)
		return;
	p.p_try.ew_len = 0;
	if (emit_fails(e, o, sig, &p.p_try)) {	/* the scenario's own */
		ew->ew_len = 0;
		return;
	}
	if (ew->ew_len == 1)
		return;
	p.p_try.ew_w = calloc(ew->ew_len, sizeof(*p.p_try.ew_w));
	all.xs_dev = calloc(ew->ew_len, sizeof(*all.xs_dev));
	if (p.p_try.ew_w == NULL || all.xs_dev == NULL)
		abort();
	all.xs_len = 1;
	for (size_t i = 0; i < ew->ew_len; i++) {
		struct xdevs actual = { NULL, 0 };

		all.xs_dev[0].xd_at = (int)i;
		if (emit_prune_try(&p, &all, &actual)) {
			ew->ew_w[0] = ew->ew_w[i];
			ew->ew_len = 1;
			xdevs_fini(&actual);
			goto out;
		}
	}
	all.xs_len = ew->ew_len;
	for (size_t i = 0; i < ew->ew_len; i++)
		all.xs_dev[i].xd_at = (int)i;
	if (xminimize(&all, emit_prune_try, &p, EMIT_PRUNE_BUDGET,
	    &res) == 0) {
		for (size_t i = 0; i < res.mr_devs.xs_len; i++)
			p.p_try.ew_w[i] = ew->ew_w[res.mr_devs.xs_dev[i].xd_at];
		memcpy(ew->ew_w, p.p_try.ew_w,
		    res.mr_devs.xs_len * sizeof(*ew->ew_w));
		ew->ew_len = res.mr_devs.xs_len;
		xmin_result_fini(&res);
	}
out:
	free(all.xs_dev);
	free(p.p_try.ew_w);
}

/* ---- minimisation (guided runs, as knit minimize does) ---- */

#define EMIT_MIN_BUDGET	300

struct emit_min {
	struct kn_opts	*m_o;
	const char	*m_sig;		/* NULL: take the first failure's */
	struct emit_sigs m_sigs;	/* of the last run */
	struct schedule	 m_run;		/* the last run's schedule */
	struct schedule	 m_hit;		/* the last run's that hit m_sig */
	uint64_t	 m_hash;	/* the last run's trace hash */
	int		 m_status;
	bool		 m_needs_race;	/* r_needs_race of the last run */
};

static void
emit_sched_copy(struct schedule *dst, const struct schedule *src)
{
	schedule_clear(dst);
	for (size_t i = 0; i < src->sd_len; i++)
		schedule_record(dst, src->sd_choices[i].sc_index,
		    src->sd_choices[i].sc_noptions);
}

static void
emit_min_finish(void *arg, struct world *w, const struct kn_result *r)
{
	struct emit_min *m = arg;

	emit_finish(&m->m_sigs, w, r);
	emit_sched_copy(&m->m_run, world_schedule(w));
}

/* One guided run; true when it fails with m_sig. */
static bool
emit_min_run(struct emit_min *m, const struct xdevs *guide,
    const struct schedule *replay, struct xdevs *actual)
{
	struct kn_result r;
	bool hit;

	emit_sigs_fini(&m->m_sigs);
	xstrategy.xs_guide = guide;
	xstrategy.xs_replay = replay;
	m->m_o->o_strategy = "guided";
	m->m_o->o_replay = NULL;
	m->m_o->o_quiet = true;
	m->m_o->o_finish = emit_min_finish;
	m->m_o->o_finish_arg = m;
	memset(&r, 0, sizeof(r));
	kn_run(m->m_o, &r);
	m->m_hash = r.r_hash;
	m->m_status = r.r_status;
	m->m_needs_race = r.r_needs_race;
	kn_result_fini(&r);
	hit = m->m_status == KN_FAIL && m->m_sigs.es_len > 0 &&
	    (m->m_sig == NULL || emit_sigs_has(&m->m_sigs, m->m_sig));
	if (actual != NULL)
		xdevs_copy(actual, &xstrategy.xs_guided.g_actual);
	if (hit)
		emit_sched_copy(&m->m_hit, &m->m_run);
	xstrategy.xs_guide = NULL;
	xstrategy.xs_replay = NULL;
	return hit;
}

static bool
emit_min_try(void *arg, const struct xdevs *try, struct xdevs *actual)
{
	return emit_min_run(arg, try, NULL, actual);
}

int
knit_emit_lua(struct emit_lua_args *e, struct kn_opts *o)
{
	const struct db_run_record *rec = e->el_rec;
	struct emit_sigs rsigs, v1, v2;
	struct kn_result r, r1, r2;
	struct xmin_result res;
	struct xdevs start;
	struct emit_min m;
	struct emit_wins ew = { NULL, 0 };
	char *text = NULL, *sig = NULL, *msg = NULL, check[1200];
	size_t len = 0;
	bool ok;
	int rc = KNIT_EXIT_USAGE;
	FILE *fp;

	memset(&rsigs, 0, sizeof(rsigs));
	memset(&v1, 0, sizeof(v1));
	memset(&v2, 0, sizeof(v2));
	memset(&r, 0, sizeof(r));
	if (!emit_writable(e->el_file))
		return KNIT_EXIT_USAGE;
	if (rec->rec_verdict != DB_VERDICT_FAIL) {
		fprintf(stderr, "knit replay: run %" PRId64 " did not fail "
		    "(verdict %s): there is no failure to reproduce\n",
		    rec->rec_id, db_verdict_name(rec->rec_verdict));
		return KNIT_EXIT_USAGE;
	}

	/* (1) the recorded failure, minimised, its deviations named */
	xstrategies_register();
	xwin_register();
	memset(&m, 0, sizeof(m));	/* before any exit through `out' */
	memset(&start, 0, sizeof(start));
	memset(&res, 0, sizeof(res));
	schedule_init(&m.m_run);
	schedule_init(&m.m_hit);
	m.m_o = o;
	ok = emit_min_run(&m, NULL, e->el_sched, &start);
	if (!ok && m.m_needs_race) {
		e->el_needs_race = true;
		goto out;
	}
	if (!ok || m.m_hash != rec->rec_trace_hash) {
		fprintf(stderr, "knit replay: run %" PRId64 " does not replay "
		    "as recorded (%s, trace hash 0x%016" PRIx64 ", recorded "
		    "0x%016" PRIx64 "): knit or the stack changed since; "
		    "nothing written\n", rec->rec_id, m.m_status == KN_FAIL ?
		    "it fails" : m.m_status == KN_PASS ? "it passes" :
		    "scenario error", m.m_hash, rec->rec_trace_hash);
		rc = KNIT_EXIT_DIVERGED;
		goto out;
	}
	sig = strdup(m.m_sigs.es_sig[0]);
	msg = strdup(m.m_sigs.es_msg[0]);
	m.m_sig = sig;
	if (xminimize(&start, emit_min_try, &m, EMIT_MIN_BUDGET, &res) != 0 ||
	    !emit_min_run(&m, &res.mr_devs, NULL, NULL)) {
		fprintf(stderr, "knit replay: run %" PRId64 ": the failure does "
		    "not reproduce under guided replay; nothing written\n",
		    rec->rec_id);
		rc = KNIT_EXIT_DIVERGED;
		goto out;
	}
	xwin_record_reset();
	xwin_record.wr_replay = &m.m_hit;
	o->o_strategy = "window-record";
	o->o_finish = emit_finish;
	o->o_finish_arg = &rsigs;
	memset(&r, 0, sizeof(r));
	kn_run(o, &r);
	xwin_record.wr_replay = NULL;
	if (r.r_status != KN_FAIL || !emit_sigs_has(&rsigs, sig)) {
		fprintf(stderr, "knit replay: run %" PRId64 ": the minimised "
		    "schedule does not fail when its deviations are named "
		    "(knit bug); nothing written\n", rec->rec_id);
		rc = KNIT_EXIT_DIVERGED;
		goto out;
	}
	ew.ew_w = calloc(xwin_record.wr_nnamed + 1, sizeof(*ew.ew_w));
	if (ew.ew_w == NULL)
		abort();
	for (size_t i = 0; i < xwin_record.wr_nnamed; i++)
		ew.ew_w[ew.ew_len++] = &xwin_record.wr_named[i];
	emit_prune(e, o, sig, &ew);

	/* (2) the text; (3) it must reproduce, the same way twice */
	if ((text = emit_text(e, o, sig, msg, res.mr_initial, &ew,
	    NULL, &len)) == NULL) {
		fprintf(stderr, "knit replay: the scenario's source cannot be "
		    "embedded in a Lua long string\n");
		goto out;
	}
	emit_run(e, o, text, len, &v1, &r1);
	emit_run(e, o, text, len, &v2, &r2);
	free(text);
	ok = r1.r_status == KN_FAIL && emit_sigs_has(&v1, sig) &&
	    r2.r_status == KN_FAIL && r1.r_hash == r2.r_hash;
	if (ok)
		snprintf(check, sizeof(check), "checked when written: knit "
		    "run fails with it, twice, trace hash 0x%016" PRIx64
		    "\n--   (at knit run's default seed 1)", r1.r_hash);
	else
		snprintf(check, sizeof(check), "WARNING: when written, knit "
		    "run did NOT reproduce the failure:\n--   %s",
		    r1.r_status == KN_ERROR && r1.r_error != NULL ?
		    r1.r_error : r1.r_status == KN_PASS ? "the run passes" :
		    r1.r_hash != r2.r_hash ? "two runs differ" :
		    v1.es_len > 0 ? v1.es_sig[0] : "?");
	/* Comments only differ: what runs is what was checked. */
	text = emit_text(e, o, sig, msg, res.mr_initial, &ew, check,
	    &len);
	if ((fp = fopen(e->el_file, "w")) == NULL ||
	    fwrite(text, 1, len, fp) != len || fclose(fp) != 0) {
		fprintf(stderr, "knit replay: cannot write '%s': %s\n",
		    e->el_file, strerror(errno));
		rc = KNIT_EXIT_USAGE;
	} else if (ok) {
		printf("knit replay: wrote %s: %zu window%s; knit run %s "
		    "reproduces run %" PRId64 "'s failure (trace hash "
		    "0x%016" PRIx64 " twice):\n  %s\n", e->el_file,
		    ew.ew_len, ew.ew_len == 1 ? "" : "s", e->el_file,
		    rec->rec_id, r1.r_hash, sig);
		rc = KNIT_EXIT_OK;
	} else {
		fprintf(stderr, "knit replay: wrote %s, but it does NOT "
		    "reproduce run %" PRId64 "'s failure (%s): %s\n",
		    e->el_file, rec->rec_id, sig, check);
		rc = KNIT_EXIT_DIVERGED;
	}
	kn_result_fini(&r1);
	kn_result_fini(&r2);
out:
	kn_result_fini(&r);
	emit_sigs_fini(&m.m_sigs);
	schedule_fini(&m.m_run);
	schedule_fini(&m.m_hit);
	xdevs_fini(&start);
	xmin_result_fini(&res);
	emit_sigs_fini(&rsigs);
	emit_sigs_fini(&v1);
	emit_sigs_fini(&v2);
	xwin_record_reset();
	free(ew.ew_w);
	free(text);
	free(sig);
	free(msg);
	return rc;
}
