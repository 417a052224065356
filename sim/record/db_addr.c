/*
 * Addresses and prefixes in binary form, for the stale_route_use view:
 * a prefix is stored as its first and last address (4 or 16 bytes,
 * network order) so "destination inside prefix" is a blob comparison
 * SQLite can evaluate.  Also the SQL functions knit_addr, knit_plen,
 * knit_net_lo and knit_net_hi that migrations use to backfill rows.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "record/db_int.h"

/* Parse a numeric IPv4/IPv6 address (an IPv6 zone "%eth0" is dropped). */
int
dbi_addr_parse(const char *s, unsigned char *out, int *lenp)
{
	char buf[INET6_ADDRSTRLEN + 1];
	const char *pct;
	size_t n;

	if (s == NULL)
		return -1;
	if (inet_pton(AF_INET, s, out) == 1) {
		*lenp = 4;
		return 0;
	}
	pct = strchr(s, '%');
	n = pct != NULL ? (size_t)(pct - s) : strlen(s);
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, out) == 1) {
		*lenp = 16;
		return 0;
	}
	return -1;
}

/* The canonical text of an address (so equal gateways compare equal). */
const char *
dbi_addr_canon(const char *s, char *buf, size_t len)
{
	unsigned char a[16];
	int alen;

	if (dbi_addr_parse(s, a, &alen) != 0)
		return s;
	if (inet_ntop(alen == 4 ? AF_INET : AF_INET6, a, buf,
	    (socklen_t)len) == NULL)
		return s;
	return buf;
}

/*
 * "10.0.2.0/24", "10.0.2.1" (host route), "fe80::/64", "default"
 * (IPv6 when the gateway is an IPv6 address).  Host bits are ignored.
 */
int
dbi_prefix_parse(const char *dst, const char *gw, unsigned char *lo,
    unsigned char *hi, int *lenp, int *plenp)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	char *end;
	long plen;
	int len, i, bits;

	if (dst == NULL)
		return -1;
	if (strcmp(dst, "default") == 0) {
		len = (gw != NULL && strchr(gw, ':') != NULL) ? 16 : 4;
		memset(lo, 0, (size_t)len);
		memset(hi, 0xff, (size_t)len);
		*lenp = len;
		*plenp = 0;
		return 0;
	}
	slash = strchr(dst, '/');
	if (slash == NULL) {
		if (dbi_addr_parse(dst, lo, &len) != 0)
			return -1;
		memcpy(hi, lo, (size_t)len);
		*lenp = len;
		*plenp = len * 8;
		return 0;
	}
	if ((size_t)(slash - dst) >= sizeof(buf))
		return -1;
	memcpy(buf, dst, (size_t)(slash - dst));
	buf[slash - dst] = '\0';
	if (dbi_addr_parse(buf, lo, &len) != 0)
		return -1;
	plen = strtol(slash + 1, &end, 10);
	if (*end != '\0' || end == slash + 1 || plen < 0 || plen > len * 8)
		return -1;
	for (i = 0; i < len; i++) {
		bits = (int)plen - i * 8;
		if (bits >= 8)
			hi[i] = lo[i];
		else if (bits <= 0) {
			lo[i] = 0;
			hi[i] = 0xff;
		} else {
			lo[i] &= (unsigned char)(0xff << (8 - bits));
			hi[i] = lo[i] | (unsigned char)(0xff >> bits);
		}
	}
	*lenp = len;
	*plenp = (int)plen;
	return 0;
}

static void
sqlf_addr(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	unsigned char a[16];
	int len;

	(void)argc;
	if (dbi_addr_parse((const char *)sqlite3_value_text(argv[0]), a,
	    &len) != 0) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_blob(ctx, a, len, SQLITE_TRANSIENT);
}

/* which: 0 plen, 1 lo, 2 hi */
static void
sqlf_prefix(sqlite3_context *ctx, sqlite3_value **argv, int which)
{
	unsigned char lo[16], hi[16];
	int len, plen;

	if (dbi_prefix_parse((const char *)sqlite3_value_text(argv[0]),
	    (const char *)sqlite3_value_text(argv[1]), lo, hi, &len,
	    &plen) != 0) {
		sqlite3_result_null(ctx);
		return;
	}
	if (which == 0)
		sqlite3_result_int(ctx, plen);
	else
		sqlite3_result_blob(ctx, which == 1 ? lo : hi, len,
		    SQLITE_TRANSIENT);
}

static void
sqlf_plen(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlf_prefix(ctx, argv, 0);
}

static void
sqlf_net_lo(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlf_prefix(ctx, argv, 1);
}

static void
sqlf_net_hi(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlf_prefix(ctx, argv, 2);
}

int
dbi_register_functions(sqlite3 *sql)
{
	int fl = SQLITE_UTF8 | SQLITE_DETERMINISTIC;

	if (sqlite3_create_function(sql, "knit_addr", 1, fl, NULL, sqlf_addr,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(sql, "knit_plen", 2, fl, NULL, sqlf_plen,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(sql, "knit_net_lo", 2, fl, NULL,
	    sqlf_net_lo, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(sql, "knit_net_hi", 2, fl, NULL,
	    sqlf_net_hi, NULL, NULL) != SQLITE_OK)
		return -1;
	return 0;
}
