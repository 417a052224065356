/*
 * Virtual time values in scenarios: numbers are seconds, strings carry a
 * unit.  Everything inside the simulator is an integer number of ns.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "kn.h"

static const struct {
	const char	*u_name;
	uint64_t	 u_ns;
} kn_units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "ms", 1000000 },
	{ "s", 1000000000ULL },
	{ "m", 60ULL * 1000000000ULL },
	{ "h", 3600ULL * 1000000000ULL },
};

/* Largest time we accept: about 584 years is UINT64_MAX ns; keep a
 * margin so that now + t never wraps. */
#define KN_TIME_MAX	(UINT64_MAX / 4)

static int
kn_seconds_to_ns(double s, uint64_t *nsp, char *err, size_t errlen)
{
	if (isnan(s)) {
		snprintf(err, errlen, "time is not a number");
		return -1;
	}
	if (s < 0) {
		snprintf(err, errlen, "negative time %g", s);
		return -1;
	}
	if (s * 1e9 >= (double)KN_TIME_MAX) {
		snprintf(err, errlen, "time %g s is too large", s);
		return -1;
	}
	*nsp = (uint64_t)llround(s * 1e9);
	return 0;
}

int
kn_parse_time(const char *s, uint64_t *nsp, char *err, size_t errlen)
{
	const char *p = s, *unit;
	uint64_t whole = 0, frac = 0, fracdiv = 1;
	size_t i;
	int digits = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-') {
		snprintf(err, errlen, "negative time '%s'", s);
		return -1;
	}
	for (; isdigit((unsigned char)*p); p++, digits++) {
		if (whole > KN_TIME_MAX / 10)
			goto toolarge;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, digits++) {
			if (fracdiv < 1000000000000ULL) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				fracdiv *= 10;
			}
		}
	}
	if (digits == 0)
		goto bad;
	while (isspace((unsigned char)*p))
		p++;
	unit = p;
	while (isalpha((unsigned char)*p))
		p++;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		goto bad;
	if (*unit == '\0') {
		/* A bare number in a string: seconds, like a Lua number. */
		return kn_seconds_to_ns(strtod(s, NULL), nsp, err, errlen);
	}
	for (i = 0; i < sizeof(kn_units) / sizeof(kn_units[0]); i++) {
		size_t n = strlen(kn_units[i].u_name);
		uint64_t mul = kn_units[i].u_ns;

		if (strncmp(unit, kn_units[i].u_name, n) != 0 ||
		    isalpha((unsigned char)unit[n]))
			continue;
		if (whole > KN_TIME_MAX / mul)
			goto toolarge;
		/* frac/fracdiv of a unit, rounded to the nearest ns */
		*nsp = whole * mul +
		    (uint64_t)llround((double)frac * (double)mul /
		    (double)fracdiv);
		return 0;
	}
bad:
	snprintf(err, errlen, "bad time '%s' (expected a number of seconds "
	    "or a number with a unit: ns, us, ms, s, m, h, e.g. \"10us\")", s);
	return -1;
toolarge:
	snprintf(err, errlen, "time '%s' is too large", s);
	return -1;
}

uint64_t
kn_checktime(lua_State *L, int arg)
{
	char err[200];
	uint64_t ns = 0;
	int rc;

	switch (lua_type(L, arg)) {
	case LUA_TNUMBER:
		rc = kn_seconds_to_ns(lua_tonumber(L, arg), &ns, err,
		    sizeof(err));
		break;
	case LUA_TSTRING:
		rc = kn_parse_time(lua_tostring(L, arg), &ns, err,
		    sizeof(err));
		break;
	default:
		snprintf(err, sizeof(err), "time expected (a number of "
		    "seconds or a string like \"3ms\"), got %s",
		    luaL_typename(L, arg));
		rc = -1;
		break;
	}
	if (rc != 0)
		luaL_argerror(L, arg, err);
	return ns;
}

void
kn_format_time(uint64_t ns, char *buf, size_t len)
{
	static const struct {
		uint64_t	 f_div;
		const char	*f_unit;
	} units[] = {
		{ 1000000000ULL, "s" }, { 1000000ULL, "ms" }, { 1000ULL, "us" },
	};
	size_t i;

	/* The largest unit the value reaches, exact decimals, no trailing
	 * zeros: 5ms, 1.5ms, 3.0017ms, 250ns. */
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t d = units[i].f_div, whole = ns / d, frac = ns % d;
		char digits[16];
		int n;

		if (whole == 0)
			continue;
		if (frac == 0) {
			snprintf(buf, len, "%" PRIu64 "%s", whole,
			    units[i].f_unit);
			return;
		}
		n = snprintf(digits, sizeof(digits), "%0*" PRIu64,
		    i == 0 ? 9 : i == 1 ? 6 : 3, frac);
		while (n > 0 && digits[n - 1] == '0')
			digits[--n] = '\0';
		snprintf(buf, len, "%" PRIu64 ".%s%s", whole, digits,
		    units[i].f_unit);
		return;
	}
	snprintf(buf, len, "%" PRIu64 "ns", ns);
}
