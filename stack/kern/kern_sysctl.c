/*
 * The sysctl registry: named kernel variables (sys/sysctl.h).
 *
 * Nodes are the struct sysctl_oid collected in the knit_sysctl_oids
 * linker set; the registry keeps no state of its own, so it needs no
 * initialisation and no lock, and is the same for every host.  Values of
 * CTLFLAG_VNET nodes belong to the current host: oid_arg is the address
 * of the VNET master copy and is translated at access time.
 *
 * Order: names compare component by component ("net.route" sorts before
 * "net.route2" and before "net.route.x" follows "net.route"), i.e. like
 * strcmp with '.' below every other character.  Iteration never depends on
 * link order or addresses.
 *
 * Plain variables (oid_handler == NULL):
 *   CTLTYPE_INT	int; range [oid_min, oid_max] checked when min < max.
 *   CTLTYPE_QUAD	int64_t.
 *   CTLTYPE_STRING	char[oid_max] (oid_max is the buffer size).
 *   CTLTYPE_STRUCT	handler only: opaque bytes, no text form.
 * Errors: ENOENT unknown name, EPERM write to a CTLFLAG_READONLY node,
 * EINVAL bad length or value (out of range, not a number), ENOMEM old
 * buffer too short.  The text interface writes without reading back when
 * buf is NULL.
 */

#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "sys/pool.h"
#include "sys/sysctl.h"

__link_set_decl(sysctl_oids, struct sysctl_oid);

/* strcmp with '.' ordered below every other character. */
static int
sysctl_namecmp(const char *a, const char *b)
{
	unsigned char ca, cb;

	for (;; a++, b++) {
		ca = (unsigned char)*a;
		cb = (unsigned char)*b;
		if (ca == '.')
			ca = 1;
		if (cb == '.')
			cb = 1;
		if (ca != cb || ca == '\0')
			return (int)ca - (int)cb;
	}
}

static const struct sysctl_oid *
sysctl_find(const char *name)
{
	struct sysctl_oid *const *op;

	if (__link_set_start(sysctl_oids) == NULL)
		return NULL;
	for (op = __link_set_start(sysctl_oids);
	    op < __link_set_end(sysctl_oids); op++) {
		if (*op != NULL && strcmp((*op)->oid_name, name) == 0)
			return *op;
	}
	return NULL;
}

const struct sysctl_oid *
sysctl_next(const struct sysctl_oid *prev)
{
	struct sysctl_oid *const *op;
	const struct sysctl_oid *best = NULL;

	if (__link_set_start(sysctl_oids) == NULL)
		return NULL;
	for (op = __link_set_start(sysctl_oids);
	    op < __link_set_end(sysctl_oids); op++) {
		if (*op == NULL)
			continue;
		if (prev != NULL &&
		    sysctl_namecmp((*op)->oid_name, prev->oid_name) <= 0)
			continue;
		if (best == NULL ||
		    sysctl_namecmp((*op)->oid_name, best->oid_name) < 0)
			best = *op;
	}
	return best;
}

void *
sysctl_oid_var(const struct sysctl_oid *oid)
{
	if (oid->oid_flags & CTLFLAG_VNET)
		return (void *)(vnet_curbase + (uintptr_t)oid->oid_arg);
	return oid->oid_arg;
}

static int
sysctl_copy_out(const void *v, size_t len, void *oldp, size_t *oldlenp)
{
	size_t have;

	if (oldlenp == NULL)
		return 0;
	have = *oldlenp;
	*oldlenp = len;
	if (oldp == NULL)
		return 0;
	if (have < len) {
		memcpy(oldp, v, have);
		return ENOMEM;
	}
	memcpy(oldp, v, len);
	return 0;
}

int
sysctl_int_out(int v, void *oldp, size_t *oldlenp)
{
	return sysctl_copy_out(&v, sizeof(v), oldp, oldlenp);
}

int
sysctl_quad_out(int64_t v, void *oldp, size_t *oldlenp)
{
	return sysctl_copy_out(&v, sizeof(v), oldp, oldlenp);
}

int
sysctl_int_in(const void *newp, size_t newlen, int *vp)
{
	if (newlen != sizeof(int))
		return EINVAL;
	memcpy(vp, newp, sizeof(int));
	return 0;
}

int
sysctl_string_out(const char *s, void *oldp, size_t *oldlenp)
{
	return sysctl_copy_out(s, strlen(s) + 1, oldp, oldlenp);
}

int
sysctl_string_in(const void *newp, size_t newlen, char *buf, size_t buflen)
{
	const char *s = newp;
	size_t n;

	for (n = 0; n < newlen && s[n] != '\0'; n++)
		continue;
	if (n + 1 > buflen)
		return EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

int
sysctl_int_update(int cur, int min, void *oldp, size_t *oldlenp,
    const void *newp, size_t newlen, int *vp, bool *changedp)
{
	int error;

	*changedp = false;
	error = sysctl_int_out(cur, oldp, oldlenp);
	if (error != 0 || newp == NULL)
		return error;
	if ((error = sysctl_int_in(newp, newlen, vp)) != 0)
		return error;
	if (*vp < min)
		return EINVAL;
	*changedp = true;
	return 0;
}

int
sysctl_pool_knob(struct pool *pp, bool inuse, void *oldp, size_t *oldlenp,
    const void *newp, size_t newlen)
{
	bool changed;
	int error, v;

	if (inuse)
		return sysctl_int_out((int)pp->pr_nout, oldp, oldlenp);
	error = sysctl_int_update((int)pp->pr_hardlimit, 0, oldp, oldlenp,
	    newp, newlen, &v, &changed);
	if (error == 0 && changed)
		pool_sethardlimit(pp, (unsigned)v);
	return error;
}

static bool
sysctl_int_inrange(const struct sysctl_oid *oid, int v)
{
	return oid->oid_min >= oid->oid_max ||
	    (v >= oid->oid_min && v <= oid->oid_max);
}

/* A plain variable (no handler). */
static int
sysctl_plain(const struct sysctl_oid *oid, void *oldp, size_t *oldlenp,
    const void *newp, size_t newlen)
{
	void *var = sysctl_oid_var(oid);
	int error, iv;
	int64_t qv;

	switch (oid->oid_type) {
	case CTLTYPE_INT:
		if (newp != NULL && (error = sysctl_int_in(newp, newlen, &iv)))
			return error;
		if (newp != NULL && !sysctl_int_inrange(oid, iv))
			return EINVAL;
		error = sysctl_copy_out(var, sizeof(int), oldp, oldlenp);
		if (error == 0 && newp != NULL)
			memcpy(var, &iv, sizeof(int));
		return error;
	case CTLTYPE_QUAD:
		if (newp != NULL) {
			if (newlen != sizeof(qv))
				return EINVAL;
			memcpy(&qv, newp, sizeof(qv));
		}
		error = sysctl_copy_out(var, sizeof(int64_t), oldp, oldlenp);
		if (error == 0 && newp != NULL)
			memcpy(var, &qv, sizeof(qv));
		return error;
	case CTLTYPE_STRING:
		KASSERT(oid->oid_max > 0);
		if (oldp != NULL || oldlenp != NULL) {
			error = sysctl_string_out(var, oldp, oldlenp);
			if (error != 0)
				return error;
		}
		if (newp != NULL)
			return sysctl_string_in(newp, newlen, var,
			    (size_t)oid->oid_max);
		return 0;
	default:
		return EINVAL;
	}
}

static int
sysctl_access(const struct sysctl_oid *oid, void *oldp, size_t *oldlenp,
    const void *newp, size_t newlen)
{
	int v;

	if (newp != NULL && (oid->oid_flags & CTLFLAG_READWRITE) == 0)
		return EPERM;
	if (newp != NULL && oid->oid_type == CTLTYPE_INT) {
		if (newlen != sizeof(int))
			return EINVAL;
		memcpy(&v, newp, sizeof(v));
		if (!sysctl_int_inrange(oid, v))
			return EINVAL;
	}
	if (oid->oid_handler != NULL)
		return oid->oid_handler(oid, oldp, oldlenp, newp, newlen);
	return sysctl_plain(oid, oldp, oldlenp, newp, newlen);
}

int
sysctl_byname(const char *name, void *oldp, size_t *oldlenp,
    const void *newp, size_t newlen)
{
	const struct sysctl_oid *oid;

	if (name == NULL || (oid = sysctl_find(name)) == NULL)
		return ENOENT;
	return sysctl_access(oid, oldp, oldlenp, newp, newlen);
}

/*
 * Parse a whole integer of type long long, as strtoll base 0 reads one
 * (optional sign; 0x hex, 0 octal or decimal).  Not strtoll itself: it
 * reports overflow in errno, one per OS thread, so every LWP of every
 * host would share it (a data race between hosts' sysctl writers).
 */
static int
sysctl_parse_quad(const char *s, long long lo, long long hi, long long *vp)
{
	unsigned long long v = 0, lim = LLONG_MAX;
	unsigned base = 10, d;
	bool neg = false;
	long long r;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    isxdigit((unsigned char)s[2])) {
		base = 16;
		s += 2;
	} else if (s[0] == '0')
		base = 8;
	if (*s == '\0')
		return EINVAL;
	if (neg)
		lim++;			/* -LLONG_MIN */
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (isxdigit((unsigned char)*s))
			d = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return EINVAL;
		if (d >= base || v > (lim - d) / base)
			return EINVAL;
		v = v * base + d;
	}
	if (!neg)
		r = (long long)v;
	else if (v == lim)
		r = LLONG_MIN;
	else
		r = -(long long)v;
	if (r < lo || r > hi)
		return EINVAL;
	*vp = r;
	return 0;
}

int
sysctl_byname_text(const char *name, char *buf, size_t buflen,
    const char *newval)
{
	const struct sysctl_oid *oid;
	long long q;
	int64_t q64;
	int error, v, n;
	size_t len;

	if (name == NULL || (oid = sysctl_find(name)) == NULL)
		return ENOENT;
	if (buf == NULL)
		buflen = 0;
	switch (oid->oid_type) {
	case CTLTYPE_INT:
		if (newval != NULL) {
			error = sysctl_parse_quad(newval, INT32_MIN, INT32_MAX,
			    &q);
			if (error != 0)
				return error;
			v = (int)q;
			error = sysctl_access(oid, NULL, NULL, &v, sizeof(v));
			if (error != 0)
				return error;
		}
		if (buf == NULL && newval != NULL)
			return 0;	/* a write, no answer wanted */
		len = sizeof(v);
		error = sysctl_access(oid, &v, &len, NULL, 0);
		if (error != 0)
			return error;
		n = snprintf(buf, buflen, "%d", v);
		break;
	case CTLTYPE_QUAD:
		if (newval != NULL) {
			error = sysctl_parse_quad(newval, INT64_MIN, INT64_MAX,
			    &q);
			if (error != 0)
				return error;
			q64 = q;
			error = sysctl_access(oid, NULL, NULL, &q64,
			    sizeof(q64));
			if (error != 0)
				return error;
		}
		if (buf == NULL && newval != NULL)
			return 0;
		len = sizeof(q64);
		error = sysctl_access(oid, &q64, &len, NULL, 0);
		if (error != 0)
			return error;
		n = snprintf(buf, buflen, "%lld", (long long)q64);
		break;
	case CTLTYPE_STRING:
		if (newval != NULL) {
			error = sysctl_access(oid, NULL, NULL, newval,
			    strlen(newval) + 1);
			if (error != 0)
				return error;
		}
		if (buf == NULL && newval != NULL)
			return 0;
		len = buflen;
		return sysctl_access(oid, buf, &len, NULL, 0);
	default:
		/* CTLTYPE_STRUCT and others have no text form. */
		return EINVAL;
	}
	if (n < 0 || (size_t)n >= buflen)
		return ENOMEM;
	return 0;
}
