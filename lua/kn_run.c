/*
 * The scenario driver: one fresh Lua state and one world per run.
 *
 * Control flow.  kn_run() loads the scenario and starts its main chunk
 * as a task (a coroutine in scheduler context).  It then runs the world;
 * tasks are resumed from events of the world's event queue (timers) or
 * when the world becomes quiescent (knit.run()).  A Lua error anywhere
 * -- in a task or in a process on an LWP -- stops the run with KN_ERROR
 * and the message carries the scenario file:line and a traceback.
 */
#define _GNU_SOURCE	/* vasprintf, open_memstream */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "net/net.h"
#include "check/checkers.h"
#include "record/trace.h"
#include "kn_int.h"
#include "kn_proc.h"

static const char kn_scn_key = 'S';

struct kn_scn *
kn_scn_get(lua_State *L)
{
	struct kn_scn *scn;

	lua_rawgetp(L, LUA_REGISTRYINDEX, &kn_scn_key);
	scn = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return scn;
}

struct world *
kn_world(lua_State *L)
{
	return kn_scn_get(L)->s_world;
}

const struct kn_opts *
kn_opts(lua_State *L)
{
	return kn_scn_get(L)->s_opts;
}

struct rng *
kn_rng(lua_State *L)
{
	return &kn_scn_get(L)->s_rng;
}

void
kn_rng_reset(lua_State *L)
{
	struct kn_scn *scn = kn_scn_get(L);

	world_rng_stream(scn->s_world, &scn->s_rng, "lua/math.random");
}

uint64_t
kn_now(lua_State *L)
{
	return world_now(kn_world(L));
}

uint64_t
kn_text_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a 64 */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* ---- errors --------------------------------------------------------- */

void
kn_scenario_error(struct kn_scn *scn, const char *msg)
{
	if (scn->s_error == NULL)
		scn->s_error = strdup(msg);
	scn->s_aborted = true;
	kn_world_stop(scn);
}

bool
kn_aborted(const struct kn_scn *scn)
{
	return scn->s_aborted;
}

void
kn_world_stop(struct kn_scn *scn)
{
	world_stop(scn->s_world);
}

/* Message handler: the error text plus a traceback of the failing
 * thread.  Error objects that are not strings are described. */
static int
kn_msgh(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (msg == NULL) {
		if (luaL_callmeta(L, 1, "__tostring") &&
		    lua_type(L, -1) == LUA_TSTRING)
			msg = lua_tostring(L, -1);
		else
			msg = lua_pushfstring(L, "(error object is a %s value)",
			    luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

bool
kn_pcall(struct kn_scn *scn, lua_State *L, int nargs)
{
	return kn_pcall_r(scn, L, nargs, 0);
}

bool
kn_pcall_r(struct kn_scn *scn, lua_State *L, int nargs, int nresults)
{
	int base = lua_gettop(L) - nargs;	/* the function's slot */

	lua_pushcfunction(L, kn_msgh);
	lua_insert(L, base);
	if (lua_pcall(L, nargs, nresults, base) != LUA_OK) {
		kn_scenario_error(scn, lua_tostring(L, -1));
		lua_settop(L, base - 1);
		return false;
	}
	lua_remove(L, base);
	return true;
}

/* ---- tasks ---------------------------------------------------------- */

struct kn_task *
kn_task_of(lua_State *L)
{
	struct kn_ctx *c = *(struct kn_ctx **)lua_getextraspace(L);

	if (c == NULL || c->c_kind != KN_CTX_TASK)
		return NULL;
	return (struct kn_task *)c;
}

static void
kn_task_event(struct evq_event *ev, void *arg)
{
	struct kn_task *t = arg;

	(void)ev;
	kn_task_resume(t, t->t_nresults);
}

struct kn_task *
kn_task_new(struct kn_scn *scn, bool is_main)
{
	struct kn_task *t;

	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		fprintf(stderr, "knit: out of memory\n");
		exit(KN_ERROR);
	}
	t->t_ctx.c_kind = KN_CTX_TASK;
	t->t_scn = scn;
	t->t_main = is_main;
	evq_event_init(&t->t_ev, kn_task_event, t);
	LIST_INSERT_HEAD(&scn->s_tasks, t, t_link);
	return t;
}

void
kn_task_free(struct kn_task *t)
{
	struct kn_scn *scn = t->t_scn;

	evq_cancel(world_evq(scn->s_world), &t->t_ev);
	if (t->t_co != NULL) {
		*(struct kn_ctx **)lua_getextraspace(t->t_co) = NULL;
		luaL_unref(scn->s_L, LUA_REGISTRYINDEX, t->t_ref);
	}
	if (scn->s_main == t)
		scn->s_main = NULL;
	LIST_REMOVE(t, t_link);
	free(t);
}

void
kn_task_start(struct kn_scn *scn, struct kn_task *t, int nargs)
{
	lua_State *L = scn->s_L;

	t->t_co = lua_newthread(L);
	*(struct kn_ctx **)lua_getextraspace(t->t_co) = &t->t_ctx;
	t->t_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	/* move the function and its arguments to the coroutine */
	lua_xmove(L, t->t_co, nargs + 1);
	kn_task_resume(t, nargs);
}

void
kn_task_resume(struct kn_task *t, int n)
{
	struct kn_scn *scn = t->t_scn;
	lua_State *co = t->t_co;
	int st, nres = 0;

	if (scn->s_aborted)
		return;
	t->t_waitfor = NULL;
	t->t_nresults = 0;
	st = lua_resume(co, scn->s_L, n, &nres);
	if (st == LUA_YIELD) {
		/* Whoever the task waits for holds it (t_ev or a list). */
		lua_pop(co, nres);
		return;
	}
	if (st != LUA_OK) {
		const char *msg = lua_tostring(co, -1);

		if (msg == NULL)
			msg = "(error object is not a string)";
		luaL_traceback(scn->s_L, co, msg, 0);
		kn_scenario_error(scn, lua_tostring(scn->s_L, -1));
		lua_pop(scn->s_L, 1);
	}
	if (t->t_main)
		scn->s_main_done = true;
	kn_task_free(t);
}

void
kn_task_wake_at(struct kn_task *t, uint64_t when)
{
	evq_insert(world_evq(t->t_scn->s_world), &t->t_ev, when);
}

bool
kn_can_wait(lua_State *L)
{
	return kn_task_of(L) != NULL && lua_isyieldable(L);
}

static int
kn_wait_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)L;
	(void)status;
	(void)ctx;
	return 0;
}

int
kn_wait_time(lua_State *L, uint64_t until)
{
	struct kn_task *t = kn_task_of(L);

	t->t_waitfor = "a time";
	kn_task_wake_at(t, until);
	return lua_yieldk(L, 0, 0, kn_wait_k);
}

void
kn_trace(struct kn_scn *scn, const char *fmt, ...)
{
	va_list ap;
	char t[48];

	if (scn->s_opts->o_trace < 1)
		return;
	kn_format_time(world_now(scn->s_world), t, sizeof(t));
	fprintf(stderr, "[%s] ", t);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- print ---------------------------------------------------------- */

static int
knL_print_quiet(lua_State *L)
{
	(void)L;
	return 0;
}

/* ---- the run -------------------------------------------------------- */

static char *
kn_read_file(const char *path, size_t *lenp, char *err, size_t errlen)
{
	FILE *fp;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		snprintf(err, errlen, "cannot open scenario '%s': %s", path,
		    strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(fp);
				snprintf(err, errlen, "out of memory");
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "cannot read scenario '%s': %s", path,
		    strerror(errno));
		free(buf);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

static char *
kn_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static const char *
kn_violation_name(enum violation_kind k)
{
	switch (k) {
	case VIOL_PANIC:	return "panic";
	case VIOL_LOCK_MISUSE:	return "lock-misuse";
	case VIOL_DEADLOCK:	return "deadlock";
	case VIOL_LOCK_ORDER:	return "lock-order";
	case VIOL_DATA_RACE:	return "data-race";
	case VIOL_MEMORY:	return "memory";
	case VIOL_DIVERGENCE:	return "divergence";
	case VIOL_EXPECTATION:	return "expectation";
	case VIOL_FAULT:	return "fault";
	}
	return "violation";
}

/* -D names that the scenario never read: a usage error. */
static char *
kn_unused_defines(struct kn_scn *scn)
{
	const struct kn_opts *o = scn->s_opts;
	lua_State *L = scn->s_L;
	luaL_Buffer b;
	size_t i;
	bool any = false;

	for (i = 0; i < o->o_ndefs; i++)
		if (!o->o_defs[i].d_used)
			any = true;
	if (!any)
		return NULL;
	luaL_buffinit(L, &b);
	for (i = 0; i < o->o_ndefs; i++) {
		if (o->o_defs[i].d_used)
			continue;
		luaL_addstring(&b, "unknown -D '");
		luaL_addstring(&b, o->o_defs[i].d_name);
		luaL_addstring(&b, "': the scenario has no parameter of "
		    "that name\n");
	}
	luaL_addstring(&b, "parameters read by ");
	luaL_addstring(&b, o->o_scenario);
	luaL_addstring(&b, ": ");
	lua_getfield(L, LUA_REGISTRYINDEX, "knit.params");
	if (lua_istable(L, -1) && luaL_len(L, -1) > 0) {
		lua_Integer n = luaL_len(L, -1), k;

		lua_pop(L, 1);	/* the buffer may sit on the stack */
		for (k = 1; k <= n; k++) {
			lua_getfield(L, LUA_REGISTRYINDEX, "knit.params");
			lua_geti(L, -1, k);
			lua_remove(L, -2);
			if (k > 1)
				luaL_addstring(&b, ", ");
			luaL_addvalue(&b);
		}
	} else {
		lua_pop(L, 1);
		luaL_addstring(&b, "(none)");
	}
	luaL_pushresult(&b);
	{
		char *s = strdup(lua_tostring(L, -1));

		lua_pop(L, 1);
		return s;
	}
}

static void
kn_collect(struct kn_scn *scn, struct kn_result *r)
{
	struct world *w = scn->s_world;
	size_t i, n;
	char *buf = NULL;
	size_t blen = 0;
	FILE *mem;

	r->r_vtime = world_now(w);
	r->r_events = world_events(w);
	r->r_hash = world_trace_hash(w);
	r->r_nviolations = world_nviolations(w);
	r->r_nexpect = scn->s_nexpect;
	r->r_nexpect_failed = scn->s_nfailed;
	n = world_nviolations(w);
	if (n == 0 && TAILQ_EMPTY(&scn->s_failures)) {
		/* A clean run (most of a campaign): no text to build. */
		r->r_failures = calloc(scn->s_nfailed + 1,
		    sizeof(*r->r_failures));
		return;
	}
	mem = open_memstream(&buf, &blen);
	if (mem == NULL)
		return;
	for (i = 0; i < n; i++) {
		const struct violation *v = world_violation(w, i);
		char t[32];

		if (v->v_kind == VIOL_DIVERGENCE && r->r_divergence == NULL)
			r->r_divergence = strdup(v->v_message ?
			    v->v_message : "diverged");

		kn_format_time(v->v_time, t, sizeof(t));
		fprintf(mem, "%s at %s", kn_violation_name(v->v_kind), t);
		if (v->v_host != NULL)
			fprintf(mem, " host %s", v->v_host);
		if (v->v_cpu >= 0)
			fprintf(mem, " cpu %d", v->v_cpu);
		if (v->v_lwp >= 0)
			fprintf(mem, " lwp %d", v->v_lwp);
		fprintf(mem, ": %s\n", v->v_message ? v->v_message : "");
		if (v->v_stack != NULL)
			fprintf(mem, "%s\n", v->v_stack);
	}
	{
		struct kn_expectation *x;

		r->r_failures = calloc(scn->s_nfailed + 1,
		    sizeof(*r->r_failures));
		TAILQ_FOREACH(x, &scn->s_failures, x_link) {
			char t[32];

			if (r->r_failures != NULL &&
			    r->r_nfailures < scn->s_nfailed) {
				r->r_failures[r->r_nfailures].f_time =
				    x->x_time;
				r->r_failures[r->r_nfailures++].f_text =
				    strdup(x->x_text ? x->x_text : "");
			}

			kn_format_time(x->x_time, t, sizeof(t));
			fprintf(mem, "expectation failed at %s: %s\n", t,
			    x->x_text);
		}
	}
	fclose(mem);
	if (blen > 0)
		r->r_violations = buf;
	else
		free(buf);
}

static void
kn_scn_fini(struct kn_scn *scn)
{
	struct kn_expectation *x;

	while (!LIST_EMPTY(&scn->s_tasks))
		kn_task_free(LIST_FIRST(&scn->s_tasks));
	kn_procs_free(scn);
	kn_probes_disarm(scn);
	while ((x = TAILQ_FIRST(&scn->s_failures)) != NULL) {
		TAILQ_REMOVE(&scn->s_failures, x, x_link);
		free(x->x_text);
		free(x);
	}
	free(scn->s_error);
}

void
kn_expect_fail(lua_State *L, const char *msg)
{
	struct kn_scn *scn = kn_scn_get(L);
	struct kn_expectation *x;
	char t[32];

	scn->s_nfailed++;
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return;
	x->x_time = world_now(scn->s_world);
	luaL_where(L, 1);
	x->x_text = kn_xasprintf("%s%s", lua_tostring(L, -1), msg);
	lua_pop(L, 1);
	TAILQ_INSERT_TAIL(&scn->s_failures, x, x_link);
	kn_format_time(x->x_time, t, sizeof(t));
	if (!scn->s_opts->o_quiet)
		fprintf(stderr, "knit: expectation failed at %s: %s\n", t,
		    x->x_text ? x->x_text : msg);
}

/* Wake the tasks waiting for quiescence, oldest first.  Returns how
 * many were woken. */
static int
kn_wake_quiet(struct kn_scn *scn)
{
	struct kn_task *t, *oldest;
	int n = 0;

	for (;;) {
		oldest = NULL;
		/* tasks are inserted at the head: the last one is oldest */
		LIST_FOREACH(t, &scn->s_tasks, t_link)
			if (t->t_waiting_quiet)
				oldest = t;
		if (oldest == NULL || scn->s_aborted)
			return n;
		oldest->t_waiting_quiet = false;
		n++;
		kn_task_resume(oldest, 0);
	}
}

/*
 * Lua's memory.  Every run has a fresh state, and every run of a
 * campaign makes much the same allocations as the one before: small
 * blocks come from free lists by size class that outlive the states
 * (lua_close gives a run's blocks back for the next run), larger ones
 * from malloc.  Lua initialises whatever it allocates, so a reused
 * block carries nothing from one run into the next.
 */
#define KN_ALLOC_GRAIN	16
#define KN_ALLOC_MAX	512
#define KN_ALLOC_NCLASS	(KN_ALLOC_MAX / KN_ALLOC_GRAIN)

struct kn_freeblk {
	struct kn_freeblk *fb_next;
};
static struct kn_freeblk *kn_freelist[KN_ALLOC_NCLASS];

/* The class of a block of n bytes (1 <= n <= KN_ALLOC_MAX). */
static inline size_t
kn_alloc_class(size_t n)
{
	return (n - 1) / KN_ALLOC_GRAIN;
}

static void *
kn_lua_alloc(void *ud, void *p, size_t osize, size_t nsize)
{
	struct kn_freeblk *fb;
	void *q;

	(void)ud;
	if (p == NULL)
		osize = 0;	/* osize is then the kind of object */
	if (nsize == 0) {
		if (p == NULL)
			return NULL;
		if (osize > KN_ALLOC_MAX) {
			free(p);
			return NULL;
		}
		fb = p;
		fb->fb_next = kn_freelist[kn_alloc_class(osize)];
		kn_freelist[kn_alloc_class(osize)] = fb;
		return NULL;
	}
	if (osize > KN_ALLOC_MAX && nsize > KN_ALLOC_MAX)
		return realloc(p, nsize);
	if (osize != 0 && osize <= KN_ALLOC_MAX && nsize <= KN_ALLOC_MAX &&
	    kn_alloc_class(osize) == kn_alloc_class(nsize))
		return p;
	if (nsize <= KN_ALLOC_MAX &&
	    (fb = kn_freelist[kn_alloc_class(nsize)]) != NULL) {
		kn_freelist[kn_alloc_class(nsize)] = fb->fb_next;
		q = fb;
	} else if ((q = malloc(nsize <= KN_ALLOC_MAX ? (kn_alloc_class(nsize) +
	    1) * KN_ALLOC_GRAIN : nsize)) == NULL)
		return NULL;
	if (p != NULL) {
		memcpy(q, p, osize < nsize ? osize : nsize);
		(void)kn_lua_alloc(ud, p, osize, 0);
	}
	return q;
}

static int
kn_lua_panic(lua_State *L)
{
	fprintf(stderr, "knit: Lua panic: %s\n", lua_tostring(L, -1));
	return 0;	/* then abort(), as luaL_newstate's handler */
}

/*
 * The compiled scenario.  A campaign loads the same text in every run:
 * it is compiled once per process and each run's fresh state loads the
 * dumped bytecode (with its debug information, so that errors still
 * name file:line).  Keyed by chunk name and the whole text; a state
 * only ever loads bytecode dumped here, never a user's binary chunk.
 */
struct kn_chunk {
	char	*ch_name;
	char	*ch_text;
	size_t	 ch_textlen;
	char	*ch_code;
	size_t	 ch_codelen, ch_codecap;
};
static struct kn_chunk kn_chunk_cache;

static int
kn_chunk_writer(lua_State *L, const void *p, size_t n, void *arg)
{
	struct kn_chunk *ch = arg;

	(void)L;
	if (ch->ch_codecap - ch->ch_codelen < n) {
		size_t cap = (ch->ch_codelen + n) * 2;
		char *nb = realloc(ch->ch_code, cap);

		if (nb == NULL)
			return 1;
		ch->ch_code = nb;
		ch->ch_codecap = cap;
	}
	memcpy(ch->ch_code + ch->ch_codelen, p, n);
	ch->ch_codelen += n;
	return 0;
}

static void
kn_chunk_forget(struct kn_chunk *ch)
{
	free(ch->ch_name);
	free(ch->ch_text);
	free(ch->ch_code);
	memset(ch, 0, sizeof(*ch));
}

/* Push the scenario's main function, compiling it only when the cache
 * does not hold it; LUA_OK or the load error (message pushed). */
static int
kn_chunk_load(lua_State *L, const char *src, size_t len, const char *name)
{
	struct kn_chunk *ch = &kn_chunk_cache;
	int st;

	if (ch->ch_code != NULL && ch->ch_textlen == len &&
	    strcmp(ch->ch_name, name) == 0 &&
	    memcmp(ch->ch_text, src, len) == 0)
		return luaL_loadbufferx(L, ch->ch_code, ch->ch_codelen, name,
		    "b");
	if ((st = luaL_loadbufferx(L, src, len, name, "t")) != LUA_OK)
		return st;
	kn_chunk_forget(ch);
	ch->ch_name = strdup(name);
	ch->ch_text = malloc(len + 1);
	if (ch->ch_name == NULL || ch->ch_text == NULL ||
	    lua_dump(L, kn_chunk_writer, ch, 0) != 0) {
		kn_chunk_forget(ch);	/* no cache, still a loaded chunk */
		return LUA_OK;
	}
	memcpy(ch->ch_text, src, len);
	ch->ch_textlen = len;
	return LUA_OK;
}

int
kn_run(const struct kn_opts *o, struct kn_result *r)
{
	struct world_config cfg;
	struct kn_scn scn;
	struct kn_task *main_task;
	lua_State *L;
	char err[512], *text = NULL, *chunk;
	const char *src;
	size_t len;
	enum world_status ws;
	struct trace *recorder;

	memset(r, 0, sizeof(*r));
	memset(&scn, 0, sizeof(scn));
	LIST_INIT(&scn.s_tasks);
	LIST_INIT(&scn.s_procs);
	LIST_INIT(&scn.s_probes);
	TAILQ_INIT(&scn.s_failures);
	scn.s_opts = o;

	if (o->o_text != NULL) {
		src = o->o_text;
		len = o->o_textlen;
	} else {
		text = kn_read_file(o->o_scenario, &len, err, sizeof(err));
		if (text == NULL) {
			r->r_status = KN_ERROR;
			r->r_error = strdup(err);
			return KN_ERROR;
		}
		src = text;
	}
	r->r_text_hash = kn_text_hash(src, len);

	memset(&cfg, 0, sizeof(cfg));
	cfg.wc_seed = o->o_seed;
	cfg.wc_strategy = o->o_strategy != NULL ? o->o_strategy : "default";
	cfg.wc_race_window = o->o_race_window;
	cfg.wc_replay = o->o_replay;
	cfg.wc_no_memcheck = o->o_no_memcheck;
	cfg.wc_lookahead = !o->o_no_lookahead &&
	    (strcmp(cfg.wc_strategy, "default") == 0 ||
	    strcmp(cfg.wc_strategy, "replay") == 0);
	scn.s_world = world_create(&cfg);
	if (scn.s_world == NULL) {
		r->r_status = KN_ERROR;
		r->r_error = kn_xasprintf("unknown strategy '%s' (known: "
		    "default, random)", cfg.wc_strategy);
		free(text);
		return KN_ERROR;
	}
	world_rng_stream(scn.s_world, &scn.s_rng, "lua/math.random");
	{
		struct check_config cc = { .cc_lockorder = !o->o_no_lockorder,
		    .cc_race = o->o_race, .cc_race_points = o->o_race_points };

		check_world_begin(scn.s_world, &cc);
	}
#ifdef KN_NO_NET
	if (o->o_pcap != NULL) {
		r->r_status = KN_ERROR;
		r->r_error = kn_xasprintf("--pcap %s: this build has no "
		    "network model yet", o->o_pcap);
		check_world_end(scn.s_world);
		world_destroy(scn.s_world);
		free(text);
		return KN_ERROR;
	}
#else
	if (o->o_pcap != NULL) {
		struct net *net = net_create(scn.s_world);
		int error = net != NULL ? net_pcap_open(net, o->o_pcap) :
		    ENOMEM;

		if (error != 0) {
			r->r_status = KN_ERROR;
			r->r_error = kn_xasprintf("--pcap %s: %s", o->o_pcap,
			    strerror(error));
			if (net != NULL)
				net_destroy(net);
			check_world_end(scn.s_world);
			world_destroy(scn.s_world);
			free(text);
			return KN_ERROR;
		}
		net_pcap_all(net);
	}
#endif

	recorder = trace_begin(scn.s_world, o->o_db_run,
	    (enum db_trace_level)o->o_db_trace);

	L = lua_newstate(kn_lua_alloc, NULL);
	if (L == NULL) {
		fprintf(stderr, "knit: cannot create a Lua state\n");
		exit(KN_ERROR);
	}
	lua_atpanic(L, kn_lua_panic);
	/*
	 * The global table and package.loaded, sized for what the sandbox
	 * and the knit module put there (35 and 10 entries today): filling
	 * the ones lua_newstate made would rehash each several times.
	 */
	lua_createtable(L, 0, 64);
	lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
	lua_createtable(L, 0, 16);
	lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	scn.s_L = L;
	*(struct kn_ctx **)lua_getextraspace(L) = NULL;
	lua_pushlightuserdata(L, &scn);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &kn_scn_key);
	kn_sandbox_open(L, o->o_allow_io);
	if (o->o_quiet) {
		lua_pushcfunction(L, knL_print_quiet);
		lua_setglobal(L, "print");
	}
	luaL_requiref(L, "knit", kn_open_module, 1);
	lua_pop(L, 1);

	chunk = kn_xasprintf("@%s", o->o_scenario);
	if (kn_chunk_load(L, src, len, chunk) != LUA_OK) {
		scn.s_error = kn_xasprintf("%s", lua_tostring(L, -1));
		scn.s_aborted = true;
		lua_pop(L, 1);
	} else {
		main_task = kn_task_new(&scn, true);
		scn.s_main = main_task;
		kn_task_start(&scn, main_task, 0);
	}
	free(chunk);

	while (!scn.s_aborted && !scn.s_stopped) {
		ws = world_run(scn.s_world, SIM_TIME_NEVER);
		if (ws != WORLD_QUIESCENT || scn.s_aborted || scn.s_stopped)
			break;
		if (kn_wake_quiet(&scn) == 0)
			break;
	}

	if (!scn.s_aborted && !scn.s_main_done && scn.s_main != NULL &&
	    !scn.s_stopped && world_nviolations(scn.s_world) == 0) {
		/* The world went quiet while the main chunk still waited. */
		kn_expect_fail(L, "the scenario's main chunk never finished "
		    "(still waiting when nothing was left to run)");
	}
	if (!scn.s_aborted) {
		char *unused = kn_unused_defines(&scn);

		if (unused != NULL) {
			scn.s_aborted = true;
			scn.s_error = unused;
		}
	}

	if (o->o_replay != NULL && !scn.s_aborted)
		world_replay_finish(scn.s_world);
	kn_collect(&scn, r);
	if (scn.s_aborted) {
		r->r_status = KN_ERROR;
		r->r_error = scn.s_error;
		r->r_needs_race = scn.s_needs_race;
		scn.s_error = NULL;
	} else if (scn.s_nfailed > 0 || r->r_nviolations > 0) {
		r->r_status = KN_FAIL;
	} else {
		r->r_status = KN_PASS;
	}
	kn_scn_fini(&scn);
	lua_close(L);
	trace_end(recorder);
	if (o->o_finish != NULL)
		o->o_finish(o->o_finish_arg, scn.s_world, r);
#ifndef KN_NO_NET
	if (net_of_world(scn.s_world) != NULL)
		net_destroy(net_of_world(scn.s_world));
#endif
	check_world_end(scn.s_world);
	world_destroy(scn.s_world);
	kn_probes_free(&scn);
	free(text);
	return r->r_status;
}

void
kn_result_fini(struct kn_result *r)
{
	free(r->r_error);
	free(r->r_divergence);
	for (size_t i = 0; i < r->r_nfailures; i++)
		free(r->r_failures[i].f_text);
	free(r->r_failures);
	free(r->r_violations);
	memset(r, 0, sizeof(*r));
}
