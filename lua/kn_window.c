/*
 * Scheduling windows by name:
 *
 *   local w = knit.preempt{at = "server@h", site = "cv_wait in sbwait",
 *                          hit = 1, run = "client@h"}
 *   w:fired(), w:hits(), w:missed()
 *
 * "When LWP `at' reaches its `hit'-th scheduling point at `site', run
 * LWP `run' instead of what the strategy picks" (sim/explore/window.h
 * defines the names and sites).  The windows are layered on the run's
 * strategy; `knit replay --emit-lua' writes them.
 */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "explore/window.h"

#include "kn_int.h"

#define KN_WINDOW_MT	"knit.window"

struct kn_window {
	struct xwins	*kw_set;
	int		 kw_index;
};

static const char *
kn_window_field(lua_State *L, const char *name)
{
	const char *s;

	lua_getfield(L, 1, name);
	if (lua_type(L, -1) != LUA_TSTRING)
		luaL_error(L, "knit.preempt: '%s' must be a string", name);
	s = lua_tostring(L, -1);
	lua_pop(L, 1);
	return s;
}

static int
knL_preempt(lua_State *L)
{
	static const char *const known[] = { "at", "site", "hit", "run",
	    NULL };
	const char *at, *site, *run;
	struct kn_window *kw;
	struct xwins *set;
	lua_Integer hit;
	char err[160];
	int i, isnum;

	luaL_checktype(L, 1, LUA_TTABLE);
	lua_pushnil(L);
	while (lua_next(L, 1) != 0) {
		const char *k = lua_type(L, -2) == LUA_TSTRING ?
		    lua_tostring(L, -2) : NULL;

		for (i = 0; k != NULL && known[i] != NULL; i++)
			if (strcmp(k, known[i]) == 0)
				break;
		if (k == NULL || known[i] == NULL)
			return luaL_error(L, "knit.preempt: unknown field '%s' "
			    "(expected at, site, hit, run)", k != NULL ? k :
			    luaL_typename(L, -2));
		lua_pop(L, 1);
	}
	at = kn_window_field(L, "at");
	site = kn_window_field(L, "site");
	run = kn_window_field(L, "run");
	lua_getfield(L, 1, "hit");
	hit = lua_isnil(L, -1) ? 1 : lua_tointegerx(L, -1, &isnum);
	if (!lua_isnil(L, -1) && (!isnum || hit < 1))
		return luaL_error(L, "knit.preempt: 'hit' must be an integer "
		    ">= 1");
	lua_pop(L, 1);
	set = xwin_attach(kn_world(L));
	i = xwin_add(set, at, site, (uint64_t)hit, run, err, sizeof(err));
	if (i < 0)
		return luaL_error(L, "knit.preempt: %s", err);
	kw = lua_newuserdatauv(L, sizeof(*kw), 0);
	kw->kw_set = set;
	kw->kw_index = i;
	luaL_setmetatable(L, KN_WINDOW_MT);
	return 1;
}

static struct kn_window *
kn_checkwindow(lua_State *L)
{
	return luaL_checkudata(L, 1, KN_WINDOW_MT);
}

static int
knL_window_fired(lua_State *L)
{
	struct kn_window *kw = kn_checkwindow(L);

	lua_pushboolean(L, xwin_fired(kw->kw_set, kw->kw_index));
	return 1;
}

static int
knL_window_hits(lua_State *L)
{
	struct kn_window *kw = kn_checkwindow(L);

	lua_pushinteger(L, (lua_Integer)xwin_hits(kw->kw_set, kw->kw_index));
	return 1;
}

static int
knL_window_missed(lua_State *L)
{
	struct kn_window *kw = kn_checkwindow(L);
	const char *why = xwin_missed(kw->kw_set, kw->kw_index);

	if (why[0] == '\0')
		lua_pushnil(L);
	else
		lua_pushstring(L, why);
	return 1;
}

void
kn_open_window(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "fired", knL_window_fired },
		{ "hits", knL_window_hits },
		{ "missed", knL_window_missed },
		{ NULL, NULL }
	};

	if (luaL_newmetatable(L, KN_WINDOW_MT)) {
		luaL_newlib(L, methods);
		lua_setfield(L, -2, "__index");
	}
	lua_pop(L, 1);
	lua_pushcfunction(L, knL_preempt);
	lua_setfield(L, -2, "preempt");
}
