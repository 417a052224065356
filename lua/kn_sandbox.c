/*
 * The scenario sandbox.
 *
 * A scenario must not reach outside the simulation (files, processes,
 * the environment, the wall clock) and must behave identically on every
 * run with the same inputs.  Lua's own sources of nondeterminism are
 * replaced:
 *   - pairs() walks keys in sorted order (numbers, then strings, then
 *     booleans); plain next() order depends on a per-process string hash
 *     seed, so a key of another type is an error rather than silently
 *     unordered;
 *   - math.random draws from the run's "lua/math.random" stream;
 *   - os.time/os.clock/os.date read virtual time.
 * With --allow-io the io and os libraries and file loading stay as Lua
 * ships them (determinism is then the scenario's responsibility).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "sim.h"
#include "kn.h"
#include "kn_int.h"

/* ---- pairs ---------------------------------------------------------- */

static int
kn_key_rank(lua_State *L, int idx)
{
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		return 0;
	case LUA_TSTRING:
		return 1;
	case LUA_TBOOLEAN:
		return 2;
	default:
		return -1;
	}
}

/*
 * A key being sorted: what the comparison needs, read once from the Lua
 * value (a string key's text stays valid: the key array anchors it).
 */
struct kn_key {
	int		 k_rank;	/* kn_key_rank */
	bool		 k_isint;	/* rank 0: an integer (else k_num) */
	bool		 k_bool;	/* rank 2 */
	lua_Integer	 k_int;
	lua_Number	 k_num;
	const char	*k_str;		/* rank 1 */
	size_t		 k_len;
	lua_Integer	 k_pos;		/* position in the key array */
};

/* For the rare comparison of an integer with a float key. */
static lua_State *kn_sort_L;
static int kn_sort_arr;

/*
 * Lua's string order (what `<' does): strcoll over the pieces between
 * embedded zeros, a string that ends first being the smaller.  Equal
 * under strcoll is broken by the bytes so that distinct keys never tie.
 */
static int
kn_str_order(const struct kn_key *a, const struct kn_key *b)
{
	const char *p = a->k_str, *q = b->k_str;
	size_t pn = a->k_len, qn = b->k_len, seg;
	int c;

	for (;;) {
		if ((c = strcoll(p, q)) != 0)
			return c;
		seg = strlen(p);	/* == strlen(q) here */
		if (seg == pn || seg == qn)
			break;
		p += seg + 1;
		q += seg + 1;
		pn -= seg + 1;
		qn -= seg + 1;
	}
	if (pn != qn)
		return pn < qn ? -1 : 1;
	return memcmp(a->k_str, b->k_str, a->k_len);
}

static int
kn_key_cmp(const void *va, const void *vb)
{
	const struct kn_key *a = va, *b = vb;
	int lt;

	if (a->k_rank != b->k_rank)
		return a->k_rank < b->k_rank ? -1 : 1;
	switch (a->k_rank) {
	case 0:
		if (a->k_isint && b->k_isint)
			return a->k_int < b->k_int ? -1 : a->k_int > b->k_int;
		if (!a->k_isint && !b->k_isint)
			return a->k_num < b->k_num ? -1 : a->k_num > b->k_num;
		/* Mixed: Lua's exact integer/float comparison. */
		lua_geti(kn_sort_L, kn_sort_arr, a->k_pos);
		lua_geti(kn_sort_L, kn_sort_arr, b->k_pos);
		lt = lua_compare(kn_sort_L, -2, -1, LUA_OPLT);
		lua_pop(kn_sort_L, 2);
		return lt ? -1 : 1;	/* distinct keys: never equal */
	case 1:
		return kn_str_order(a, b);
	default:
		return (int)a->k_bool - (int)b->k_bool;
	}
}

/*
 * Sort the n keys of the array table at `keys' (distinct numbers,
 * strings and booleans: table keys) into numbers, strings, booleans,
 * each ascending.  A strict total order, so the result does not depend
 * on the sort algorithm.  The sorted array replaces the one at `keys'.
 */
static void
kn_sort_keys(lua_State *L, int keys, lua_Integer n)
{
	struct kn_key *v;
	lua_Integer i;

	if (n < 2)
		return;
	v = lua_newuserdatauv(L, (size_t)n * sizeof(*v), 0);
	for (i = 0; i < n; i++) {
		struct kn_key *k = &v[i];

		memset(k, 0, sizeof(*k));
		k->k_pos = i + 1;
		lua_geti(L, keys, i + 1);
		k->k_rank = kn_key_rank(L, -1);
		switch (k->k_rank) {
		case 0:
			k->k_isint = lua_isinteger(L, -1);
			if (k->k_isint)
				k->k_int = lua_tointeger(L, -1);
			else
				k->k_num = lua_tonumber(L, -1);
			break;
		case 1:
			k->k_str = lua_tolstring(L, -1, &k->k_len);
			break;
		default:
			k->k_bool = lua_toboolean(L, -1);
			break;
		}
		lua_pop(L, 1);
	}
	kn_sort_L = L;
	kn_sort_arr = keys;
	qsort(v, (size_t)n, sizeof(*v), kn_key_cmp);
	kn_sort_L = NULL;
	lua_createtable(L, (int)n, 0);
	for (i = 0; i < n; i++) {
		lua_geti(L, keys, v[i].k_pos);
		lua_seti(L, -2, i + 1);
	}
	lua_replace(L, keys);
	lua_pop(L, 1);		/* v */
}

/* upvalues: 1 = table, 2 = sorted key array, 3 = position */
static int
kn_pairs_iter(lua_State *L)
{
	lua_Integer pos = lua_tointeger(L, lua_upvalueindex(3));

	for (;;) {
		pos++;
		if (lua_geti(L, lua_upvalueindex(2), pos) == LUA_TNIL)
			return 0;
		lua_pushvalue(L, -1);
		if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
			break;
		lua_pop(L, 2);		/* key removed during the walk */
	}
	lua_pushinteger(L, pos);
	lua_replace(L, lua_upvalueindex(3));
	return 2;
}

static int
knL_pairs(lua_State *L)
{
	lua_Integer n = 0;
	int keys;

	luaL_checkany(L, 1);
	if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
		lua_pushvalue(L, 1);
		lua_call(L, 1, 3);
		return 3;
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_newtable(L);
	keys = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, 1) != 0) {
		lua_pop(L, 1);
		if (kn_key_rank(L, -1) < 0)
			return luaL_error(L, "pairs: a key of type %s has no "
			    "deterministic order (use numbers, strings or "
			    "booleans as keys, or iterate an array with "
			    "ipairs)", luaL_typename(L, -1));
		lua_pushvalue(L, -1);
		lua_seti(L, keys, ++n);
	}
	kn_sort_keys(L, keys, n);
	lua_pushvalue(L, 1);
	lua_pushvalue(L, keys);
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, kn_pairs_iter, 3);
	lua_pushnil(L);
	lua_pushnil(L);
	return 3;
}

/* ---- math.random ---------------------------------------------------- */

static int
knL_random(lua_State *L)
{
	struct rng *r = kn_rng(L);
	lua_Integer lo, hi;

	switch (lua_gettop(L)) {
	case 0:
		lua_pushnumber(L, (lua_Number)rng_double(r));
		return 1;
	case 1:
		lo = 1;
		hi = luaL_checkinteger(L, 1);
		if (hi == 0) {	/* math.random(0): a whole random integer */
			lua_pushinteger(L, (lua_Integer)rng_next(r));
			return 1;
		}
		break;
	case 2:
		lo = luaL_checkinteger(L, 1);
		hi = luaL_checkinteger(L, 2);
		break;
	default:
		return luaL_error(L, "wrong number of arguments");
	}
	luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
	lua_pushinteger(L, lo + (lua_Integer)rng_below(r,
	    (uint64_t)hi - (uint64_t)lo + 1 == 0 ? UINT64_MAX :
	    (uint64_t)hi - (uint64_t)lo + 1));
	return 1;
}

static int
knL_randomseed(lua_State *L)
{
	struct rng *r = kn_rng(L);

	/* Without an argument Lua would use the wall clock: use the run's
	 * stream again instead, from its start. */
	if (lua_isnone(L, 1))
		kn_rng_reset(L);
	else
		rng_seed(r, (uint64_t)luaL_checkinteger(L, 1));
	return 0;
}

/* ---- os ------------------------------------------------------------- */

static int
knL_os_time(lua_State *L)
{
	if (!lua_isnoneornil(L, 1))
		return luaL_error(L, "os.time(table) is not available in "
		    "the sandbox (time is virtual: use knit.now())");
	lua_pushinteger(L, (lua_Integer)(kn_now(L) / 1000000000ULL));
	return 1;
}

static int
knL_os_clock(lua_State *L)
{
	lua_pushnumber(L, (lua_Number)kn_now(L) / 1e9);
	return 1;
}

static int
knL_os_date(lua_State *L)
{
	const char *fmt = luaL_optstring(L, 1, "%c");
	lua_Integer t;

	t = luaL_opt(L, luaL_checkinteger, 2,
	    (lua_Integer)(kn_now(L) / 1000000000ULL));
	/* Always UTC: the host's time zone must not leak into a run. */
	if (fmt[0] == '!')
		fmt++;
	lua_getfield(L, lua_upvalueindex(1), "date");
	lua_pushfstring(L, "!%s", fmt);
	lua_pushinteger(L, t);
	lua_call(L, 2, 1);
	return 1;
}

static int
knL_disabled(lua_State *L)
{
	return luaL_error(L, "%s is not available in the sandbox (run "
	    "knit with --allow-io to permit it)",
	    lua_tostring(L, lua_upvalueindex(1)));
}

static int
knL_disabled_index(lua_State *L)
{
	return luaL_error(L, "io.%s: the io library is not available in the "
	    "sandbox (run knit with --allow-io to permit it)",
	    luaL_optstring(L, 2, "?"));
}

static void
kn_disable(lua_State *L, int tbl, const char *field, const char *full)
{
	tbl = lua_absindex(L, tbl);
	lua_pushstring(L, full);
	lua_pushcclosure(L, knL_disabled, 1);
	lua_setfield(L, tbl, field);
}

/* load() of text only: binary chunks can crash the interpreter. */
static int
knL_load(lua_State *L)
{
	int top = lua_gettop(L);

	if (top >= 3 && !lua_isnil(L, 3)) {
		const char *mode = luaL_checkstring(L, 3);

		if (strchr(mode, 'b') != NULL)
			return luaL_error(L, "load: binary chunks are not "
			    "allowed in the sandbox");
	}
	lua_settop(L, top < 4 ? 4 : top);
	lua_pushstring(L, "t");
	lua_replace(L, 3);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* require: only the knit module (and the standard libraries by name). */
static int
knL_require(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);

	lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	if (lua_getfield(L, -1, name) != LUA_TNIL)
		return 1;
	return luaL_error(L, "require '%s': only the 'knit' module can be "
	    "loaded in the sandbox (run knit with --allow-io to load "
	    "files)", name);
}

void
kn_sandbox_open(lua_State *L, bool allow_io)
{
	static const luaL_Reg safe[] = {
		{ LUA_GNAME, luaopen_base },
		{ LUA_COLIBNAME, luaopen_coroutine },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_STRLIBNAME, luaopen_string },
		{ LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },
		{ LUA_OSLIBNAME, luaopen_os },
		{ LUA_DBLIBNAME, luaopen_debug },
		{ NULL, NULL }
	};
	const luaL_Reg *lib;
	int os;

	if (allow_io) {
		luaL_openlibs(L);
	} else {
		for (lib = safe; lib->func != NULL; lib++) {
			luaL_requiref(L, lib->name, lib->func, 1);
			lua_pop(L, 1);
		}
	}

	/* Deterministic replacements, with or without --allow-io. */
	lua_pushcfunction(L, knL_pairs);
	lua_setglobal(L, "pairs");
	lua_getglobal(L, LUA_MATHLIBNAME);
	lua_pushcfunction(L, knL_random);
	lua_setfield(L, -2, "random");
	lua_pushcfunction(L, knL_randomseed);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);

	lua_getglobal(L, LUA_OSLIBNAME);
	os = lua_gettop(L);
	lua_pushcfunction(L, knL_os_time);
	lua_setfield(L, os, "time");
	lua_pushcfunction(L, knL_os_clock);
	lua_setfield(L, os, "clock");
	lua_pushvalue(L, os);
	/* os.date keeps a private copy of the original as upvalue */
	lua_newtable(L);
	lua_getfield(L, os, "date");
	lua_setfield(L, -2, "date");
	lua_pushcclosure(L, knL_os_date, 1);
	lua_setfield(L, os, "date");
	lua_pop(L, 1);

	if (!allow_io) {
		kn_disable(L, os, "execute", "os.execute");
		kn_disable(L, os, "exit", "os.exit");
		kn_disable(L, os, "getenv", "os.getenv");
		kn_disable(L, os, "remove", "os.remove");
		kn_disable(L, os, "rename", "os.rename");
		kn_disable(L, os, "tmpname", "os.tmpname");
		kn_disable(L, os, "setlocale", "os.setlocale");
		lua_pop(L, 1);

		lua_pushglobaltable(L);
		kn_disable(L, -1, "dofile", "dofile");
		kn_disable(L, -1, "loadfile", "loadfile");
		lua_newtable(L);		/* io: every field errors */
		lua_newtable(L);
		lua_pushcfunction(L, knL_disabled_index);
		lua_setfield(L, -2, "__index");
		lua_setmetatable(L, -2);
		lua_setfield(L, -2, "io");
		lua_getfield(L, -1, "load");
		lua_pushcclosure(L, knL_load, 1);
		lua_setfield(L, -2, "load");
		lua_pushcfunction(L, knL_require);
		lua_setfield(L, -2, "require");
		lua_pop(L, 1);

		/* debug: only traceback (the rest can break the sandbox). */
		lua_getglobal(L, LUA_DBLIBNAME);
		lua_newtable(L);
		lua_getfield(L, -2, "traceback");
		lua_setfield(L, -2, "traceback");
		lua_setglobal(L, LUA_DBLIBNAME);
		lua_pop(L, 1);
		lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
		lua_getglobal(L, LUA_DBLIBNAME);
		lua_setfield(L, -2, LUA_DBLIBNAME);
		lua_pop(L, 1);
	} else {
		lua_pop(L, 1);
	}
}
