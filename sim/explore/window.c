/*
 * Named race windows (see window.h): LWP names, sites of scheduling
 * points, the window layer over a world's strategy and the recorder that
 * names a recorded run's deviations.
 *
 * Invariant shared by both users: a decision's hit is counted when the
 * strategy is asked and an LWP is on its stack, once per decision, under
 * the pair (name of that LWP, site of its point); nothing else advances
 * a count.  The recorder counts every pair, the layer only the pairs its
 * windows name; both see the same decisions in the same order up to the
 * first deviation, and after it as long as the windows pick what the
 * recorded run picked.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/sdt.h"

#include "check/stack.h"
#include "cpu/machine.h"
#include "cpu/strategy.h"
#include "explore/strategies.h"
#include "explore/window.h"
#include "record/schedule.h"

struct xwin_record_params xwin_record;

static void *
xw_alloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL)
		abort();
	return p;
}

static char *
xw_strdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

/* ---- LWP names ---------------------------------------------------------- */

struct xw_base {
	char		 b_name[XWIN_NAMELEN];	/* "name@host" */
	uint32_t	 b_count;		/* LWPs seen with it */
};

struct xw_namer {
	uint32_t	*n_ord;		/* by gid: 0 unseen, else ordinal */
	size_t		 n_cap;
	struct xw_base	*n_bases;
	size_t		 n_nbases;
	size_t		 n_basecap;
};

static void
xw_base_name(const struct lwp *l, char *buf, size_t len)
{
	snprintf(buf, len, "%s@%s", l->l_name, l->l_host->h_name);
}

/* Give l its ordinal the first time it is seen. */
static uint32_t
xw_see(struct xw_namer *n, const struct lwp *l)
{
	char base[XWIN_NAMELEN];
	size_t i;

	if (l->l_gid >= n->n_cap) {
		size_t cap = l->l_gid + 64;

		n->n_ord = realloc(n->n_ord, cap * sizeof(*n->n_ord));
		if (n->n_ord == NULL)
			abort();
		memset(n->n_ord + n->n_cap, 0,
		    (cap - n->n_cap) * sizeof(*n->n_ord));
		n->n_cap = cap;
	}
	if (n->n_ord[l->l_gid] != 0)
		return n->n_ord[l->l_gid];
	xw_base_name(l, base, sizeof(base));
	for (i = 0; i < n->n_nbases; i++)
		if (strcmp(n->n_bases[i].b_name, base) == 0)
			break;
	if (i == n->n_nbases) {
		if (n->n_nbases == n->n_basecap) {
			n->n_basecap = n->n_basecap ? 2 * n->n_basecap : 32;
			n->n_bases = realloc(n->n_bases,
			    n->n_basecap * sizeof(*n->n_bases));
			if (n->n_bases == NULL)
				abort();
		}
		memset(&n->n_bases[i], 0, sizeof(n->n_bases[i]));
		snprintf(n->n_bases[i].b_name, XWIN_NAMELEN, "%s", base);
		n->n_nbases++;
	}
	return n->n_ord[l->l_gid] = ++n->n_bases[i].b_count;
}

static void
xw_name(struct xw_namer *n, const struct lwp *l, char *buf, size_t len)
{
	uint32_t ord = xw_see(n, l);
	char base[XWIN_NAMELEN];

	xw_base_name(l, base, sizeof(base));
	/* names never exceed XWIN_NAMELEN: l_name and h_name are short */
	if (ord == 1)
		snprintf(buf, len, "%s", base);
	else if (snprintf(buf, len, "%s#%u", base, ord) >= (int)len)
		buf[len - 1] = '\0';
}

/* Every LWP of the decision, the one at the point first. */
static void
xw_see_all(struct xw_namer *n, const struct sched_decision *d)
{
	if (sim_onstack != NULL)
		(void)xw_see(n, sim_onstack);
	for (uint32_t i = 0; i < d->sd_nopts; i++)
		(void)xw_see(n, d->sd_opts[i].so_lwp);
}

/* The name of what is at the point: its LWP, or the scheduler itself. */
static void
xw_at(struct xw_namer *n, char *buf, size_t len)
{
	if (sim_onstack != NULL)
		xw_name(n, sim_onstack, buf, len);
	else
		snprintf(buf, len, "%s", XWIN_SCHED);
}

static void
xw_namer_fini(struct xw_namer *n)
{
	free(n->n_ord);
	free(n->n_bases);
	memset(n, 0, sizeof(*n));
}

/* ---- sites ---------------------------------------------------------------- */

/*
 * Frames that belong to the machine, not to the code that made the
 * point: the strategies, the scheduler and the kernel API's own
 * functions (mutex_enter and friends; with the scheduling point inlined
 * into them, the symboliser may name them after it).
 */
static const char *const xw_plumbing[] = {
	"xw", "sched_", "sleepq_", "mutex_", "rw_", "cv_", "kpause",
	"atomic_", "membar_", "softint_", "splx", "splraise",
	"preempt_point", "callout_", "softclock_main", "intr_lwp_main",
	"lwp_entry", "kthread_", "ctx_", "sdt_probe_fire", "?", NULL
};

static const char *const xw_kinds[SIM_NOPCLASS] = {
	[SIM_OP_MUTEX] = "mutex", [SIM_OP_RWLOCK] = "rwlock",
	[SIM_OP_CV] = "cv", [SIM_OP_ATOMIC] = "atomic",
	[SIM_OP_MEMBAR] = "membar", [SIM_OP_SOFTINT] = "softint",
	[SIM_OP_PREEMPT] = "preempt", [SIM_OP_PROBE] = "probe",
	[SIM_OP_SLEEP] = "sleep", [SIM_OP_START] = "start",
	[SIM_OP_INTR] = "intr", [SIM_OP_SPL] = "spl", [SIM_OP_EXIT] = "exit",
};

static bool
xw_is_plumbing(const char *fn)
{
	for (int i = 0; xw_plumbing[i] != NULL; i++)
		if (strncmp(fn, xw_plumbing[i], strlen(xw_plumbing[i])) == 0)
			return true;
	return false;
}

/*
 * The site of the point where l (whose stack this runs on; NULL: the
 * scheduler's own context, XWIN_SCHED_SITE) stopped:
 * "KIND in FUNCTION" with the kind of operation (mutex, cv, sleep, ...)
 * and the innermost function of its stack that is not the machine's,
 * just KIND when there is none (an LWP's start or exit), or "probe
 * NAME" at an SDT probe.  The stack is symbolised through sim/check's
 * cache (one addr2line run per stack with new addresses).
 */
static void
xw_site(const struct lwp *l, char *buf, size_t len)
{
	const struct check_stack *one[1];
	struct check_stack cs;
	char fn[XWIN_SITELEN];
	const char *kind;

	if (l == NULL) {
		snprintf(buf, len, "%s", XWIN_SCHED_SITE);
		return;
	}
	kind = l->l_spkind >= 0 && l->l_spkind < SIM_NOPCLASS &&
	    xw_kinds[l->l_spkind] != NULL ? xw_kinds[l->l_spkind] : "point";
	if (l->l_spkind == SIM_OP_PROBE && l->l_spobj != NULL) {
		const struct sdt_probe *p = l->l_spobj;

		snprintf(buf, len, "probe %s:%s:%s:%s", p->sp_provider,
		    p->sp_module, p->sp_function, p->sp_name);
		return;
	}
	check_stack_capture(&cs, 0);
	one[0] = &cs;
	check_stack_prefetch(one, 1);
	for (uint32_t i = 0; i < cs.cs_depth; i++) {
		check_pc_function(cs.cs_pc[i], fn, sizeof(fn));
		if (xw_is_plumbing(fn))
			continue;
		if (snprintf(buf, len, "%s in %s", kind, fn) >= (int)len)
			buf[len - 1] = '\0';
		return;
	}
	snprintf(buf, len, "%s", kind);
}

/* ---- hit counts ------------------------------------------------------------ */

struct xw_count {
	char		*c_key;		/* "lwp\nsite" */
	uint64_t	 c_hits;
};

struct xw_counts {
	struct xw_count	*t_slots;	/* power-of-two open addressing */
	size_t		 t_cap;
	size_t		 t_len;
};

static uint64_t
xw_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static struct xw_count *
xw_slot(struct xw_count *slots, size_t cap, const char *key)
{
	size_t i = (size_t)xw_hash(key) & (cap - 1);

	while (slots[i].c_key != NULL && strcmp(slots[i].c_key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* Count one more hit of (lwp, site); returns the new count. */
static uint64_t
xw_count_hit(struct xw_counts *t, const char *lwp, const char *site)
{
	struct xw_count *c;
	char key[XWIN_NAMELEN + XWIN_SITELEN + 2];

	if (2 * (t->t_len + 1) > t->t_cap) {
		size_t cap = t->t_cap ? 2 * t->t_cap : 64;
		struct xw_count *slots = xw_alloc(cap, sizeof(*slots));

		for (size_t i = 0; i < t->t_cap; i++)
			if (t->t_slots[i].c_key != NULL)
				*xw_slot(slots, cap, t->t_slots[i].c_key) =
				    t->t_slots[i];
		free(t->t_slots);
		t->t_slots = slots;
		t->t_cap = cap;
	}
	snprintf(key, sizeof(key), "%s\n%s", lwp, site);
	c = xw_slot(t->t_slots, t->t_cap, key);
	if (c->c_key == NULL) {
		c->c_key = xw_strdup(key);
		t->t_len++;
	}
	return ++c->c_hits;
}

static void
xw_counts_fini(struct xw_counts *t)
{
	for (size_t i = 0; i < t->t_cap; i++)
		free(t->t_slots[i].c_key);
	free(t->t_slots);
	memset(t, 0, sizeof(*t));
}

/* Whether taking option i at d pre-empts the LWP at the point. */
static bool
xw_preempts(const struct sched_decision *d, uint32_t i)
{
	for (uint32_t j = 0; j < d->sd_nopts; j++)
		if (d->sd_opts[j].so_current && !d->sd_opts[j].so_preempt)
			return d->sd_opts[i].so_lwp != d->sd_opts[j].so_lwp;
	return false;
}

/* ---- the window layer ------------------------------------------------------ */

struct xw_win {
	char		*w_at;
	char		*w_site;
	uint64_t	 w_hit;
	char		*w_run;
	uint64_t	 w_seen;
	bool		 w_fired;
	char		*w_missed;
};

struct xwins {
	const struct sched_strategy *x_base;
	void		*x_basestate;
	struct xw_namer	 x_names;
	struct xw_win	*x_win;
	size_t		 x_nwin;
};

static uint32_t
xwins_choose(void *state, struct world *w, const struct sched_decision *d)
{
	struct xwins *x = state;
	uint32_t pick = x->x_base->ss_choose(x->x_basestate, w, d);
	char at[XWIN_NAMELEN], site[XWIN_SITELEN], name[XWIN_NAMELEN];
	bool have_site = false, fired = false;

	xw_see_all(&x->x_names, d);
	if (pick >= d->sd_nopts)
		return pick;
	xw_at(&x->x_names, at, sizeof(at));
	for (size_t i = 0; i < x->x_nwin; i++) {
		struct xw_win *win = &x->x_win[i];

		if (strcmp(win->w_at, at) != 0 || win->w_seen >= win->w_hit)
			continue;
		if (!have_site) {
			xw_site(sim_onstack, site, sizeof(site));
			have_site = true;
		}
		if (strcmp(win->w_site, site) != 0 ||
		    ++win->w_seen != win->w_hit || fired)
			continue;
		for (uint32_t j = 0; j < d->sd_nopts; j++) {
			xw_name(&x->x_names, d->sd_opts[j].so_lwp, name,
			    sizeof(name));
			if (strcmp(name, win->w_run) == 0) {
				pick = j;
				win->w_fired = fired = true;
				break;
			}
		}
		if (!win->w_fired && asprintf(&win->w_missed, "%s was not "
		    "runnable there", win->w_run) < 0)
			abort();
	}
	return pick;
}

static void
xwins_fini(void *state)
{
	struct xwins *x = state;

	if (x->x_base->ss_fini != NULL)
		x->x_base->ss_fini(x->x_basestate);
	for (size_t i = 0; i < x->x_nwin; i++) {
		free(x->x_win[i].w_at);
		free(x->x_win[i].w_site);
		free(x->x_win[i].w_run);
		free(x->x_win[i].w_missed);
	}
	free(x->x_win);
	xw_namer_fini(&x->x_names);
	free(x);
}

static const struct sched_strategy strat_windows = {
	.ss_name = "windows",
	.ss_choose = xwins_choose,
	.ss_fini = xwins_fini,
};

struct xwins *
xwin_attach(struct world *w)
{
	struct xwins *x;

	if (w->w_strat == &strat_windows)
		return w->w_stratstate;
	x = xw_alloc(1, sizeof(*x));
	x->x_base = w->w_strat;
	x->x_basestate = w->w_stratstate;
	w->w_strat = &strat_windows;
	w->w_stratstate = x;
	return x;
}

int
xwin_add(struct xwins *x, const char *at, const char *site, uint64_t hit,
    const char *run, char *err, size_t errlen)
{
	struct xw_win *win;

	if (at[0] == '\0' || strlen(at) >= XWIN_NAMELEN ||
	    run[0] == '\0' || strlen(run) >= XWIN_NAMELEN) {
		snprintf(err, errlen, "an LWP name must be 1 to %d "
		    "characters (\"name@host\")", XWIN_NAMELEN - 1);
		return -1;
	}
	if ((strchr(at, '@') == NULL && strcmp(at, XWIN_SCHED) != 0) ||
	    strchr(run, '@') == NULL) {
		snprintf(err, errlen, "LWP names are \"name@host\" (or "
		    "\"%s\" for at): '%s'", XWIN_SCHED, strchr(run, '@') ==
		    NULL ? run : at);
		return -1;
	}
	if (site[0] == '\0' || strlen(site) >= XWIN_SITELEN) {
		snprintf(err, errlen, "a site must be 1 to %d characters",
		    XWIN_SITELEN - 1);
		return -1;
	}
	if (hit == 0) {
		snprintf(err, errlen, "hit counts from 1");
		return -1;
	}
	x->x_win = realloc(x->x_win, (x->x_nwin + 1) * sizeof(*x->x_win));
	if (x->x_win == NULL)
		abort();
	win = &x->x_win[x->x_nwin];
	memset(win, 0, sizeof(*win));
	win->w_at = xw_strdup(at);
	win->w_site = xw_strdup(site);
	win->w_hit = hit;
	win->w_run = xw_strdup(run);
	return (int)x->x_nwin++;
}

bool
xwin_fired(const struct xwins *x, int i)
{
	return i >= 0 && (size_t)i < x->x_nwin && x->x_win[i].w_fired;
}

uint64_t
xwin_hits(const struct xwins *x, int i)
{
	return i >= 0 && (size_t)i < x->x_nwin ? x->x_win[i].w_seen : 0;
}

const char *
xwin_missed(const struct xwins *x, int i)
{
	if (i < 0 || (size_t)i >= x->x_nwin || x->x_win[i].w_missed == NULL)
		return "";
	return x->x_win[i].w_missed;
}

/* ---- the recorder ------------------------------------------------------------ */

struct xw_recorder {
	struct xw_namer	 r_names;
	struct xw_counts r_counts;
	size_t		 r_cap;
};

void
xwin_record_reset(void)
{
	for (size_t i = 0; i < xwin_record.wr_nnamed; i++) {
		struct xnamed *n = &xwin_record.wr_named[i];

		free(n->xn_at);
		free(n->xn_site);
		free(n->xn_run);
		free(n->xn_default);
	}
	free(xwin_record.wr_named);
	xwin_record.wr_named = NULL;
	xwin_record.wr_nnamed = 0;
	xwin_record.wr_decisions = 0;
}

static void *
xwrec_init(struct world *w, const struct world_config *wc)
{
	(void)w;
	(void)wc;
	xwin_record_reset();
	return xw_alloc(1, sizeof(struct xw_recorder));
}

static uint32_t
xwrec_choose(void *state, struct world *w, const struct sched_decision *d)
{
	struct xw_recorder *r = state;
	const struct schedule *s = xwin_record.wr_replay;
	char at[XWIN_NAMELEN], site[XWIN_SITELEN], name[XWIN_NAMELEN];
	uint32_t def = xstrategy_default(w, d), pick = def;
	uint64_t hit = 0;
	struct xnamed *n;

	xwin_record.wr_decisions++;
	xw_see_all(&r->r_names, d);
	if (s != NULL && d->sd_choice < s->sd_len &&
	    s->sd_choices[d->sd_choice].sc_index < d->sd_nopts)
		pick = s->sd_choices[d->sd_choice].sc_index;
	xw_at(&r->r_names, at, sizeof(at));
	xw_site(sim_onstack, site, sizeof(site));
	hit = xw_count_hit(&r->r_counts, at, site);
	if (pick == def)
		return pick;
	if (xwin_record.wr_nnamed == r->r_cap) {
		r->r_cap = r->r_cap ? 2 * r->r_cap : 8;
		xwin_record.wr_named = realloc(xwin_record.wr_named,
		    r->r_cap * sizeof(*xwin_record.wr_named));
		if (xwin_record.wr_named == NULL)
			abort();
	}
	n = &xwin_record.wr_named[xwin_record.wr_nnamed++];
	memset(n, 0, sizeof(*n));
	n->xn_at = xw_strdup(at);
	n->xn_site = xw_strdup(site);
	n->xn_hit = hit;
	xw_name(&r->r_names, d->sd_opts[pick].so_lwp, name, sizeof(name));
	n->xn_run = xw_strdup(name);
	xw_name(&r->r_names, d->sd_opts[def].so_lwp, name, sizeof(name));
	n->xn_default = xw_strdup(name);
	n->xn_preempt = xw_preempts(d, pick);
	n->xn_decision = d->sd_choice;
	n->xn_vtime = d->sd_opts[pick].so_clock;
	return pick;
}

static void
xwrec_fini(void *state)
{
	struct xw_recorder *r = state;

	xw_namer_fini(&r->r_names);
	xw_counts_fini(&r->r_counts);
	free(r);
}

static const struct sched_strategy strat_window_record = {
	.ss_name = "window-record",
	.ss_init = xwrec_init,
	.ss_choose = xwrec_choose,
	.ss_fini = xwrec_fini,
};

void
xwin_register(void)
{
	if (sched_strategy_lookup("window-record") == NULL)
		(void)sched_strategy_register(&strat_window_record);
}
