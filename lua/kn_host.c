/*
 * Hosts in scenarios: knit.host(name, {cpus=N, sysctl={...}}), lookup by
 * name, and the host object's methods (processes are in kn_proc.c).
 */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "kn_int.h"
#include "kn_proc.h"

#define KN_HOST_MT	"knit.host"
/* A size hint for the method table: more than it holds (7 today). */
#define KN_HOST_NMETHODS	16
#define KN_MAX_CPUS	64

struct kn_host {
	struct host	*kh_host;
};

static struct host *
kn_host_byname(lua_State *L, const char *name)
{
	struct host *h = world_host_lookup(kn_world(L), name);

	if (h == NULL)
		luaL_error(L, "unknown host '%s'", name);
	return h;
}

/* A host argument: a host object or the name of one. */
struct host *
kn_checkhost(lua_State *L, int arg)
{
	struct kn_host *kh;

	if (lua_type(L, arg) == LUA_TSTRING)
		return kn_host_byname(L, lua_tostring(L, arg));
	kh = luaL_testudata(L, arg, KN_HOST_MT);
	if (kh == NULL)
		luaL_typeerror(L, arg, "host or host name");
	return kh->kh_host;
}

/* Push the (unique) Lua object of host h. */
void
kn_pushhost(lua_State *L, struct host *h)
{
	struct kn_host *kh;

	lua_getfield(L, LUA_REGISTRYINDEX, "knit.hosts");
	if (lua_rawgetp(L, -1, h) == LUA_TUSERDATA) {
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	kh = lua_newuserdatauv(L, sizeof(*kh), 1);
	kh->kh_host = h;
	luaL_setmetatable(L, KN_HOST_MT);
	lua_newtable(L);		/* per-host Lua data (NICs, ...) */
	lua_setiuservalue(L, -2, 1);
	lua_pushvalue(L, -1);
	lua_rawsetp(L, -3, h);
	lua_remove(L, -2);
}

static bool
kn_valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static void
kn_host_sysctl_config(lua_State *L, struct host *h, const char *k,
    const char *v)
{
	char line[512];

	if (strpbrk(k, " \t\n'\"") != NULL || strpbrk(v, " \t\n'\"") != NULL)
		luaL_error(L, "bad sysctl '%s = %s'", k, v);
#ifdef KN_NO_USERLAND
	(void)h;
	(void)line;
	luaL_error(L, "host sysctls need the userland (not in this build)");
#else
	snprintf(line, sizeof(line), "sysctl -w %s=%s", k, v);
	kn_host_config(L, h, line);
#endif
}

/*
 * knit.host(name [, {cpus = N, sysctl = {name = value, ...}}])
 */
static int
knL_host(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	lua_Integer ncpu = 1;
	struct host *h;

	if (!kn_valid_name(name))
		return luaL_error(L, "bad host name '%s' (1 to 32 letters, "
		    "digits, '-' or '_')", name);
	if (world_host_lookup(kn_world(L), name) != NULL)
		return luaL_error(L, "host '%s' already exists", name);
	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		if (lua_getfield(L, 2, "cpus") != LUA_TNIL) {
			if (!lua_isinteger(L, -1))
				return luaL_error(L, "host '%s': cpus must be "
				    "an integer", name);
			ncpu = lua_tointeger(L, -1);
			if (ncpu < 1 || ncpu > KN_MAX_CPUS)
				return luaL_error(L, "host '%s': cpus = %d is "
				    "out of range (1..%d)", name, (int)ncpu,
				    KN_MAX_CPUS);
		}
		lua_pop(L, 1);
	}
	lua_settop(L, 2);		/* the host object goes to slot 3 */
	h = world_host_create(kn_world(L), name, (int)ncpu);
	if (h == NULL)
		return luaL_error(L, "cannot create host '%s'", name);
	kn_scn_get(L)->s_nhosts++;
	kn_pushhost(L, h);
	if (!lua_isnoneornil(L, 2) &&
	    lua_getfield(L, 2, "sysctl") != LUA_TNIL) {
		/* "sysctl -w" commands in the host's configuration, in
		 * name order (pairs order would not be deterministic) */
		int t = lua_gettop(L);

		luaL_checktype(L, t, LUA_TTABLE);
		lua_getglobal(L, "pairs");
		lua_pushvalue(L, t);
		lua_call(L, 1, 3);
		for (;;) {
			lua_pushvalue(L, -3);
			lua_pushvalue(L, -3);
			lua_pushvalue(L, -3);
			lua_call(L, 2, 2);
			if (lua_isnil(L, -2)) {
				lua_pop(L, 2);
				break;
			}
			if (lua_type(L, -2) != LUA_TSTRING ||
			    lua_isboolean(L, -1) || lua_istable(L, -1) ||
			    lua_tostring(L, -1) == NULL)
				return luaL_error(L, "host '%s': sysctl entries "
				    "must be name = value", name);
			kn_host_sysctl_config(L, h, lua_tostring(L, -2),
			    lua_tostring(L, -1));
			lua_replace(L, -3);	/* control variable */
			lua_pop(L, 1);
		}
		lua_pop(L, 3);
	}
	lua_settop(L, 3);
	lua_pushvalue(L, 3);
	return 1;
}

static int
knL_get_host(lua_State *L)
{
	kn_pushhost(L, kn_checkhost(L, 1));
	return 1;
}

static int
knL_host_name(lua_State *L)
{
	lua_pushstring(L, host_name(kn_checkhost(L, 1)));
	return 1;
}

static int
knL_host_cpus(lua_State *L)
{
	lua_pushinteger(L, host_ncpu(kn_checkhost(L, 1)));
	return 1;
}

static int
knL_host_tostring(lua_State *L)
{
	lua_pushfstring(L, "host %s", host_name(kn_checkhost(L, 1)));
	return 1;
}

static const luaL_Reg kn_host_methods[] = {
	{ "name", knL_host_name },
	{ "cpus", knL_host_cpus },
	{ NULL, NULL }
};

void
kn_open_host(lua_State *L)
{
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "knit.hosts");
	luaL_newmetatable(L, KN_HOST_MT);
	/* sized for every method (kn_host_methods_add's too): no rehash */
	lua_createtable(L, 0, KN_HOST_NMETHODS);
	luaL_setfuncs(L, kn_host_methods, 0);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, knL_host_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);

	lua_pushcfunction(L, knL_host);
	lua_setfield(L, -2, "host");
	lua_pushcfunction(L, knL_get_host);
	lua_setfield(L, -2, "get_host");
}

/* Add methods to the host object's method table (other kn_*.c). */
void
kn_host_methods_add(lua_State *L, const luaL_Reg *funcs)
{
	luaL_getmetatable(L, KN_HOST_MT);
	lua_getfield(L, -1, "__index");
	luaL_setfuncs(L, funcs, 0);
	lua_pop(L, 2);
}
