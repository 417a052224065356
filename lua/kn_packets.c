/*
 * Observing captured packets from Lua: nic:capture, nic:packets and
 * knit.expect_packets.
 *
 *	c1:capture()				-- keep c1's frames from now on
 *	knit.run()
 *	local reqs = c1:packets{proto = "icmp", type = "echo-request",
 *	    dir = "tx"}
 *	knit.expect_packets{nic = c1, match = {proto = "icmp",
 *	    type = "echo-request", dir = "tx"}, count = 3}
 *
 * The NIC model keeps raw frames in a bounded ring per captured NIC
 * (net.h, net_keep); nothing runs Lua per frame.  Frames are decoded
 * and filtered only when Lua asks, with the run recorder's decoder
 * (record/trace.h), so nic:packets and the run database describe a
 * frame alike.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "net/net.h"
#include "record/trace.h"
#include "kn_proc.h"

#define KN_KEEP_DEFAULT	10000
#define KN_KEEP_MAX	1000000

/* A filter: every field set must hold. */
struct kn_match {
	const char	*m_dir;		/* "tx", "rx" or NULL */
	const char	*m_proto;
	const char	*m_type;	/* by name, or m_typenum >= 0 */
	int		 m_typenum;
	char		 m_src[INET6_ADDRSTRLEN];	/* canonical; "" any */
	char		 m_dst[INET6_ADDRSTRLEN];
	bool		 m_since_set, m_before_set;
	uint64_t	 m_since, m_before;
};

/* nic:capture([max]): keep the NIC's frames from now on (the last max,
 * default 10000); a capture running already is cleared. */
int
knL_nic_capture(lua_State *L)
{
	struct net_nic *nic = kn_checknic(L, 1);
	lua_Integer max = luaL_optinteger(L, 2, KN_KEEP_DEFAULT);

	if (max < 1 || max > KN_KEEP_MAX)
		return luaL_error(L, "nic:capture: max %I out of range "
		    "(1 to %d frames)", max, KN_KEEP_MAX);
	if (net_keep(nic, (unsigned)max) != 0)
		return luaL_error(L, "nic:capture: out of memory for %I "
		    "frames", max);
	return 0;
}

static void
kn_match_addr(lua_State *L, const char *key, char *out)
{
	const char *s = lua_tostring(L, -1);
	unsigned char a[16];
	int af = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(af, s, a) != 1 ||
	    inet_ntop(af, a, out, INET6_ADDRSTRLEN) == NULL)
		luaL_error(L, "match: bad address %s = '%s'", key, s);
}

/* The match table at index idx (absent or nil: everything). */
static void
kn_match_parse(lua_State *L, int idx, struct kn_match *m)
{
	memset(m, 0, sizeof(*m));
	m->m_typenum = -1;
	if (lua_isnoneornil(L, idx))
		return;
	idx = lua_absindex(L, idx);
	luaL_checktype(L, idx, LUA_TTABLE);
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		const char *k = lua_type(L, -2) == LUA_TSTRING ?
		    lua_tostring(L, -2) : "?";
		int t = lua_type(L, -1);

		if (strcmp(k, "type") == 0 && t == LUA_TNUMBER)
			m->m_typenum = (int)luaL_checkinteger(L, -1);
		else if (strcmp(k, "since") == 0 || strcmp(k, "before") == 0) {
			uint64_t v = kn_checktime(L, lua_gettop(L));

			if (k[0] == 's') {
				m->m_since = v;
				m->m_since_set = true;
			} else {
				m->m_before = v;
				m->m_before_set = true;
			}
		} else if (t != LUA_TSTRING)
			luaL_error(L, "match: %s must be a string", k);
		else if (strcmp(k, "dir") == 0) {
			m->m_dir = lua_tostring(L, -1);
			if (strcmp(m->m_dir, "tx") != 0 &&
			    strcmp(m->m_dir, "rx") != 0)
				luaL_error(L, "match: dir must be \"tx\" or "
				    "\"rx\", not '%s'", m->m_dir);
		} else if (strcmp(k, "proto") == 0)
			m->m_proto = lua_tostring(L, -1);
		else if (strcmp(k, "type") == 0)
			m->m_type = lua_tostring(L, -1);
		else if (strcmp(k, "src") == 0)
			kn_match_addr(L, k, m->m_src);
		else if (strcmp(k, "dst") == 0)
			kn_match_addr(L, k, m->m_dst);
		else
			luaL_error(L, "match: unknown field '%s' (known: dir, "
			    "proto, type, src, dst, since, before)", k);
		/* the strings stay alive in the match table */
		lua_pop(L, 1);
	}
}

static bool
kn_match_frame(const struct kn_match *m, const struct net_kept *e,
    const struct trace_frame_info *fi)
{
	if (m->m_dir != NULL && (m->m_dir[0] == 't') != e->nk_outbound)
		return false;
	if (m->m_since_set && e->nk_time < m->m_since)
		return false;
	if (m->m_before_set && e->nk_time >= m->m_before)
		return false;
	if (m->m_proto != NULL && strcmp(m->m_proto, fi->fi_proto) != 0)
		return false;
	if (m->m_type != NULL && (fi->fi_type == NULL ||
	    strcmp(m->m_type, fi->fi_type) != 0))
		return false;
	if (m->m_typenum >= 0 && m->m_typenum != fi->fi_typenum)
		return false;
	if (m->m_src[0] != '\0' && strcmp(m->m_src, fi->fi_src) != 0)
		return false;
	if (m->m_dst[0] != '\0' && strcmp(m->m_dst, fi->fi_dst) != 0)
		return false;
	return true;
}

static void
kn_setstr(lua_State *L, const char *k, const char *v)
{
	if (v == NULL || v[0] == '\0')
		return;
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

/*
 * Count the kept frames of nic that match m; with `list', push a table
 * of them, one table per frame.  Raises an error when nic keeps nothing.
 */
static size_t
kn_packets_scan(lua_State *L, struct net_nic *nic, const struct kn_match *m,
    bool list, const char *who)
{
	struct trace_frame_info fi;
	const struct net_kept *e;
	size_t i, n = 0;

	if (!net_keeping(nic))
		luaL_error(L, "%s: NIC %s is not captured (call "
		    "nic:capture() before the traffic)", who,
		    net_nic_name(nic));
	if (list)
		lua_newtable(L);
	for (i = 0; (e = net_kept_get(nic, i)) != NULL; i++) {
		trace_frame_decode(e->nk_data, e->nk_caplen, &fi);
		if (!kn_match_frame(m, e, &fi))
			continue;
		n++;
		if (!list)
			continue;
		lua_createtable(L, 0, 8);
		lua_pushinteger(L, (lua_Integer)e->nk_time);
		lua_setfield(L, -2, "time");
		kn_setstr(L, "dir", e->nk_outbound ? "tx" : "rx");
		kn_setstr(L, "proto", fi.fi_proto);
		kn_setstr(L, "type", fi.fi_type);
		kn_setstr(L, "src", fi.fi_src);
		kn_setstr(L, "dst", fi.fi_dst);
		lua_pushinteger(L, (lua_Integer)e->nk_len);
		lua_setfield(L, -2, "len");
		kn_setstr(L, "summary", fi.fi_sum);
		lua_rawseti(L, -2, (lua_Integer)n);
	}
	return n;
}

/* nic:packets([match]) -> list of {time, dir, proto, type, src, dst, len,
 * summary}, oldest first; second result: frames no longer kept. */
int
knL_nic_packets(lua_State *L)
{
	struct net_nic *nic = kn_checknic(L, 1);
	struct kn_match m;

	kn_match_parse(L, 2, &m);
	kn_packets_scan(L, nic, &m, true, "nic:packets");
	lua_pushinteger(L, (lua_Integer)net_kept_lost(nic));
	return 2;
}

/* "{dir=tx, proto=icmp, ...}" for messages, fields in a fixed order. */
static void
kn_match_text(const struct kn_match *m, char *buf, size_t len)
{
	size_t o = 0;
	char t[32];

#define KN_ADD(...) do {						\
	int n_ = snprintf(buf + o, len - o, __VA_ARGS__);		\
	if (n_ > 0 && (size_t)n_ < len - o)				\
		o += (size_t)n_;					\
} while (0)
	KN_ADD("{");
	if (m->m_dir != NULL)
		KN_ADD("%sdir=%s", o > 1 ? ", " : "", m->m_dir);
	if (m->m_proto != NULL)
		KN_ADD("%sproto=%s", o > 1 ? ", " : "", m->m_proto);
	if (m->m_type != NULL)
		KN_ADD("%stype=%s", o > 1 ? ", " : "", m->m_type);
	if (m->m_typenum >= 0)
		KN_ADD("%stype=%d", o > 1 ? ", " : "", m->m_typenum);
	if (m->m_src[0] != '\0')
		KN_ADD("%ssrc=%s", o > 1 ? ", " : "", m->m_src);
	if (m->m_dst[0] != '\0')
		KN_ADD("%sdst=%s", o > 1 ? ", " : "", m->m_dst);
	if (m->m_since_set) {
		kn_format_time(m->m_since, t, sizeof(t));
		KN_ADD("%ssince=%s", o > 1 ? ", " : "", t);
	}
	if (m->m_before_set) {
		kn_format_time(m->m_before, t, sizeof(t));
		KN_ADD("%sbefore=%s", o > 1 ? ", " : "", t);
	}
	KN_ADD("}");
#undef KN_ADD
}

static bool
kn_optcount(lua_State *L, const char *k, lua_Integer *v)
{
	bool set;

	lua_getfield(L, 1, k);
	set = !lua_isnil(L, -1);
	if (set) {
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
			luaL_error(L, "knit.expect_packets: %s must be an "
			    "integer >= 0", k);
		*v = lua_tointeger(L, -1);
	}
	lua_pop(L, 1);
	return set;
}

/*
 * knit.expect_packets{nic = NIC, match = {...}, count = N | min = N,
 * max = N, message = "..."} -> ok, n.  An expectation (knit.expect):
 * when the number of matching frames kept is not as asked, the failure
 * is recorded at the current virtual time and the run fails.
 */
int
knL_expect_packets(lua_State *L)
{
	struct net_nic *nic;
	struct kn_match m;
	lua_Integer count = 0, min = 0, max = 0;
	bool hc, hmin, hmax, ok;
	const char *msg;
	char mt[256], rng[64], text[640];
	size_t n;
	uint64_t lost;

	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "nic");
	if (lua_isnil(L, -1))
		return luaL_error(L, "knit.expect_packets: nic missing");
	nic = kn_checknic(L, lua_gettop(L));
	lua_getfield(L, 1, "match");
	kn_match_parse(L, -1, &m);
	hc = kn_optcount(L, "count", &count);
	hmin = kn_optcount(L, "min", &min);
	hmax = kn_optcount(L, "max", &max);
	if (!hc && !hmin && !hmax)
		return luaL_error(L, "knit.expect_packets: give count, min "
		    "or max");
	if (hc && (hmin || hmax))
		return luaL_error(L, "knit.expect_packets: count excludes "
		    "min and max");
	lua_getfield(L, 1, "message");
	msg = lua_isnil(L, -1) ? "expect_packets" : luaL_checkstring(L, -1);
	n = kn_packets_scan(L, nic, &m, false, "knit.expect_packets");
	ok = hc ? (lua_Integer)n == count :
	    (!hmin || (lua_Integer)n >= min) && (!hmax || (lua_Integer)n <= max);
	kn_scn_get(L)->s_nexpect++;
	if (!ok) {
		kn_match_text(&m, mt, sizeof(mt));
		lost = net_kept_lost(nic);
		if (hc)
			snprintf(rng, sizeof(rng), "%lld", (long long)count);
		else if (hmin && hmax)
			snprintf(rng, sizeof(rng), "%lld to %lld",
			    (long long)min, (long long)max);
		else if (hmin)
			snprintf(rng, sizeof(rng), ">= %lld", (long long)min);
		else
			snprintf(rng, sizeof(rng), "<= %lld", (long long)max);
		snprintf(text, sizeof(text), "%s: %s %s: %zu packets, expected "
		    "%s", msg, net_nic_name(nic), mt, n, rng);
		if (lost > 0)
			snprintf(text + strlen(text), sizeof(text) -
			    strlen(text), " (%llu older frames were not kept; "
			    "raise nic:capture's max)",
			    (unsigned long long)lost);
		kn_expect_fail(L, text);
	}
	lua_pushboolean(L, ok);
	lua_pushinteger(L, (lua_Integer)n);
	return 2;
}
