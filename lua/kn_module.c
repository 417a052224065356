/*
 * The `knit' module: parameters, virtual time, expectations, and the
 * entry points to hosts (kn_host.c) and processes (kn_proc.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#include "check/checkers.h"
#include "kn_int.h"

/* Remember that the scenario reads parameter `name' (for the -D check
 * and its message). */
static void
kn_param_note(lua_State *L, const char *name)
{
	lua_Integer n, i;

	if (lua_getfield(L, LUA_REGISTRYINDEX, "knit.params") != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, LUA_REGISTRYINDEX, "knit.params");
	}
	n = luaL_len(L, -1);
	for (i = 1; i <= n; i++) {
		lua_geti(L, -1, i);
		if (strcmp(lua_tostring(L, -1), name) == 0) {
			lua_pop(L, 2);
			return;
		}
		lua_pop(L, 1);
	}
	lua_pushstring(L, name);
	lua_seti(L, -2, n + 1);
	lua_pop(L, 1);
}

/*
 * knit.param(name, default): the -D value of `name' converted to the
 * type of `default' (number, boolean or string), or default.
 */
static int
knL_param(lua_State *L)
{
	const struct kn_opts *o = kn_opts(L);
	const char *name = luaL_checkstring(L, 1);
	struct kn_define *d = NULL;
	size_t i;

	kn_param_note(L, name);
	/* the last -D of a name wins, like most command lines */
	for (i = 0; i < o->o_ndefs; i++)
		if (strcmp(o->o_defs[i].d_name, name) == 0) {
			o->o_defs[i].d_used = true;
			d = &o->o_defs[i];
		}
	if (d == NULL) {
		lua_settop(L, 2);
		return 1;
	}
	switch (lua_type(L, 2)) {
	case LUA_TNUMBER:
		if (lua_stringtonumber(L, d->d_value) == 0)
			return luaL_error(L, "-D %s=%s: parameter '%s' "
			    "expects a number", name, d->d_value, name);
		return 1;
	case LUA_TBOOLEAN:
		if (strcasecmp(d->d_value, "true") == 0 ||
		    strcmp(d->d_value, "1") == 0 ||
		    strcasecmp(d->d_value, "yes") == 0)
			lua_pushboolean(L, 1);
		else if (strcasecmp(d->d_value, "false") == 0 ||
		    strcmp(d->d_value, "0") == 0 ||
		    strcasecmp(d->d_value, "no") == 0)
			lua_pushboolean(L, 0);
		else
			return luaL_error(L, "-D %s=%s: parameter '%s' "
			    "expects true or false", name, d->d_value, name);
		return 1;
	default:
		lua_pushstring(L, d->d_value);
		return 1;
	}
}

static int
knL_now(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)kn_now(L));
	return 1;
}

static int
knL_time(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)kn_checktime(L, 1));
	return 1;
}

static int
knL_fmt_time(lua_State *L)
{
	char buf[48];
	lua_Integer ns = luaL_checkinteger(L, 1);

	luaL_argcheck(L, ns >= 0, 1, "negative time");
	kn_format_time((uint64_t)ns, buf, sizeof(buf));
	lua_pushstring(L, buf);
	return 1;
}

static int
knL_seed(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)kn_opts(L)->o_seed);
	return 1;
}

/* Start fn(...) as a task at virtual time `when'. */
static void
kn_schedule(lua_State *L, uint64_t when, int fnarg)
{
	struct kn_scn *scn = kn_scn_get(L);
	struct kn_task *t;
	int nargs = lua_gettop(L) - fnarg;

	luaL_checktype(L, fnarg, LUA_TFUNCTION);
	t = kn_task_new(scn, false);
	t->t_co = lua_newthread(L);
	*(struct kn_ctx **)lua_getextraspace(t->t_co) = &t->t_ctx;
	t->t_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_xmove(L, t->t_co, nargs + 1);
	t->t_nresults = nargs;
	kn_task_wake_at(t, when);
}

static int
knL_at(lua_State *L)
{
	uint64_t when = kn_checktime(L, 1), now = kn_now(L);

	if (when < now) {
		char a[48], b[48];

		kn_format_time(when, a, sizeof(a));
		kn_format_time(now, b, sizeof(b));
		return luaL_error(L, "knit.at: time %s is in the past "
		    "(now is %s)", a, b);
	}
	kn_schedule(L, when, 2);
	return 0;
}

static int
knL_after(lua_State *L)
{
	uint64_t dt = kn_checktime(L, 1);

	kn_schedule(L, kn_now(L) + dt, 2);
	return 0;
}

static int
kn_need_task(lua_State *L, const char *what)
{
	if (!kn_can_wait(L))
		return luaL_error(L, "%s waits, which only the scenario's main "
		    "chunk and knit.at/knit.after callbacks can do (in a "
		    "process use p:sleep)", what);
	return 0;
}

static int
knL_sleep(lua_State *L)
{
	uint64_t dt = kn_checktime(L, 1);

	kn_need_task(L, "knit.sleep");
	return kn_wait_time(L, kn_now(L) + dt);
}

static int
kn_run_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)L;
	(void)status;
	(void)ctx;
	return 0;
}

/*
 * knit.run([t]): wait until virtual time t, or without t until nothing
 * is left to run (quiescence).
 */
static int
knL_run(lua_State *L)
{
	struct kn_task *t;
	uint64_t until, now = kn_now(L);

	kn_need_task(L, "knit.run");
	t = kn_task_of(L);
	if (lua_isnoneornil(L, 1)) {
		t->t_waiting_quiet = true;
		t->t_waitfor = "quiescence";
		return lua_yieldk(L, 0, 0, kn_run_k);
	}
	until = kn_checktime(L, 1);
	if (until < now) {
		char a[48], b[48];

		kn_format_time(until, a, sizeof(a));
		kn_format_time(now, b, sizeof(b));
		return luaL_error(L, "knit.run: time %s is in the past "
		    "(now is %s)", a, b);
	}
	return kn_wait_time(L, until);
}

static int
knL_stop(lua_State *L)
{
	struct kn_scn *scn = kn_scn_get(L);

	scn->s_stopped = true;
	kn_world_stop(scn);
	return 0;
}

/* knit.expect(cond, message): record a failed expectation; returns
 * cond so that callers can branch on it. */
static int
knL_expect(lua_State *L)
{
	struct kn_scn *scn = kn_scn_get(L);
	const char *msg;

	luaL_checkany(L, 1);
	msg = luaL_optstring(L, 2, "expectation failed");
	scn->s_nexpect++;
	if (!lua_toboolean(L, 1))
		kn_expect_fail(L, msg);
	lua_pushboolean(L, lua_toboolean(L, 1));
	return 1;
}

/* knit.fail(message): an expectation that always fails. */
static int
knL_fail(lua_State *L)
{
	struct kn_scn *scn = kn_scn_get(L);

	scn->s_nexpect++;
	kn_expect_fail(L, luaL_optstring(L, 1, "failed"));
	return 0;
}

/* knit.failures(): number of failed expectations so far. */
static int
knL_failures(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)kn_scn_get(L)->s_nfailed);
	return 1;
}

/*
 * knit.check{softint_rule = false | true | "spin" | "all"}: the
 * lock-order checker's interrupt rule for this run (and, in knit
 * explore, the campaign): off; spin mutexes only (true, "spin", the
 * default); every lock ("all": softints must never sleep).
 * knit.check{race_halt = true}: a run ends at its first data race.
 * knit.check{memcheck = false | true}: the memory checker (poisoned,
 * quarantined frees) off or on whatever the command line said; before
 * the first knit.host, so that it covers every host's kernel memory.
 */
static int
kn_intr_rule(lua_State *L)
{
	const char *v;

	if (lua_type(L, -1) == LUA_TBOOLEAN)
		return lua_toboolean(L, -1) ? 1 : 0;
	v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
	if (strcmp(v, "spin") == 0)
		return 1;
	if (strcmp(v, "all") == 0)
		return 2;
	return luaL_error(L, "knit.check: softint_rule must be false, true, "
	    "\"spin\" or \"all\" (got %s)", lua_type(L, -1) == LUA_TSTRING ?
	    v : luaL_typename(L, -1));
}

/*
 * knit.check{race = true [, race_points = true]}: the scenario needs the
 * race detector (a regression test for a data race must not pass because
 * its user forgot --race).  Declared before the first knit.host, so that
 * turning the detector on then is the same as --race.  Without the race
 * build of the stack the run stops with an error (r_needs_race), which
 * knit run and knit replay answer by running build/knit-race instead.
 */
static int
kn_check_race(lua_State *L, bool race, bool points)
{
	struct kn_scn *scn = kn_scn_get(L);

	if (points && !race)
		return luaL_error(L, "knit.check: race_points = true needs "
		    "race = true");
	if (!race || (scn->s_opts->o_race && (!points ||
	    scn->s_opts->o_race_points)))
		return 0;		/* --race [--race-points] gave it */
	if (scn->s_nhosts > 0)
		return luaL_error(L, "knit.check{race = true} must come "
		    "before the first knit.host");
	if (!check_race_build()) {
		scn->s_needs_race = true;
		return luaL_error(L, "knit.check{race = true}: the scenario "
		    "needs the race detector, which needs the race build of "
		    "the stack (build/knit-race)");
	}
	check_race_enable(points);
	return 0;
}

static bool
kn_check_bool(lua_State *L, const char *k)
{
	if (lua_type(L, -1) != LUA_TBOOLEAN)
		luaL_error(L, "knit.check: %s must be true or false (got %s)",
		    k, luaL_typename(L, -1));
	return lua_toboolean(L, -1);
}

static int
knL_check(lua_State *L)
{
	bool race = false, points = false;

	luaL_checktype(L, 1, LUA_TTABLE);
	lua_pushnil(L);
	while (lua_next(L, 1) != 0) {
		const char *k = lua_type(L, -2) == LUA_TSTRING ?
		    lua_tostring(L, -2) : "?";

		if (strcmp(k, "softint_rule") == 0)
			check_set_intr_rule(kn_intr_rule(L));
		else if (strcmp(k, "race_halt") == 0)
			check_set_race_halt(lua_toboolean(L, -1));
		else if (strcmp(k, "race") == 0)
			race = kn_check_bool(L, k);
		else if (strcmp(k, "race_points") == 0)
			points = kn_check_bool(L, k);
		else if (strcmp(k, "memcheck") == 0) {
			bool on = kn_check_bool(L, k);

			if (kn_scn_get(L)->s_nhosts > 0)
				return luaL_error(L, "knit.check{memcheck = "
				    "...} must come before the first "
				    "knit.host");
			world_set_memcheck(kn_world(L), on);
		} else
			return luaL_error(L, "knit.check: unknown setting '%s' "
			    "(known: softint_rule, race_halt, race, "
			    "race_points, memcheck)", k);
		lua_pop(L, 1);
	}
	return kn_check_race(L, race, points);
}

static const luaL_Reg kn_module_funcs[] = {
	{ "check", knL_check },
	{ "param", knL_param },
	{ "now", knL_now },
	{ "time", knL_time },
	{ "fmt_time", knL_fmt_time },
	{ "seed", knL_seed },
	{ "at", knL_at },
	{ "after", knL_after },
	{ "sleep", knL_sleep },
	{ "run", knL_run },
	{ "stop", knL_stop },
	{ "expect", knL_expect },
	{ "fail", knL_fail },
	{ "failures", knL_failures },
	{ NULL, NULL }
};

int
kn_open_module(lua_State *L)
{
	luaL_newlib(L, kn_module_funcs);
	lua_pushstring(L, KNIT_VERSION_STRING);
	lua_setfield(L, -2, "version");
	kn_open_host(L);	/* adds knit.host, ... to the table on top */
	kn_open_proc(L);
#ifndef KN_NO_NET
	kn_open_net(L);
#endif
	kn_open_probe(L);
	kn_open_window(L);
#ifndef KN_NO_USERLAND
	kn_open_sock(L);
#endif
	lua_pushvalue(L, -1);
	lua_setglobal(L, "knit");
	return 1;
}
