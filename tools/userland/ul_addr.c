/*
 * Address text <-> binary for the userland programs (our own inet_pton
 * and inet_ntop: libc's live behind the socket headers we do not use).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/if_dl.h"
#include "ul.h"

bool
ul_inet_pton(const char *s, struct in_addr *a)
{
	uint8_t b[4];
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = 0;
		int nd = 0;

		while (isdigit((unsigned char)*s) && nd < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			nd++;
		}
		if (nd == 0 || nd > 3 || v > 255)
			return false;
		b[i] = (uint8_t)v;
		if (i < 3 && *s++ != '.')
			return false;
	}
	if (*s != '\0')
		return false;
	memcpy(&a->s_addr, b, 4);
	return true;
}

static int
ul_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
ul_inet6_pton(const char *s, struct in6_addr *a)
{
	uint8_t out[16];
	int n = 0, gap = -1;

	memset(out, 0, sizeof(out));
	if (s[0] == ':') {
		if (s[1] != ':')
			return false;
		s++;
	}
	while (*s != '\0') {
		unsigned v = 0;
		int nd = 0;
		const char *start = s;

		if (*s == ':') {
			if (gap >= 0)
				return false;
			gap = n;
			s++;
			if (*s == '\0')
				break;
			continue;
		}
		while (ul_hexval(*s) >= 0 && nd < 5) {
			v = v * 16 + (unsigned)ul_hexval(*s++);
			nd++;
		}
		if (*s == '.') {	/* trailing dotted IPv4 */
			struct in_addr v4;

			if (n > 12 || !ul_inet_pton(start, &v4))
				return false;
			memcpy(out + n, &v4.s_addr, 4);
			n += 4;
			break;
		}
		if (nd == 0 || nd > 4 || n > 14)
			return false;
		out[n++] = (uint8_t)(v >> 8);
		out[n++] = (uint8_t)v;
		if (*s == ':') {
			s++;
			if (*s == '\0')
				return false;
		} else if (*s != '\0') {
			return false;
		}
	}
	if (gap >= 0) {
		int tail = n - gap;

		if (n == 16)
			return false;
		memmove(out + 16 - tail, out + gap, (size_t)tail);
		memset(out + gap, 0, (size_t)(16 - n));
	} else if (n != 16) {
		return false;
	}
	memcpy(a->s6_addr, out, 16);
	return true;
}

const char *
ul_inet_ntop(const struct in_addr *a, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)&a->s_addr;

	snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}

/* RFC 5952: lower case, longest run (>= 2) of zero groups as "::". */
const char *
ul_inet6_ntop(const struct in6_addr *a, char *buf, size_t len)
{
	uint16_t g[8];
	int i, best = -1, bestlen = 0, cur = -1, curlen = 0;
	size_t o = 0;

	for (i = 0; i < 8; i++)
		g[i] = (uint16_t)(a->s6_addr[2 * i] << 8 | a->s6_addr[2 * i + 1]);
	for (i = 0; i < 8; i++) {
		if (g[i] == 0) {
			if (cur < 0) {
				cur = i;
				curlen = 0;
			}
			if (++curlen > bestlen) {
				best = cur;
				bestlen = curlen;
			}
		} else {
			cur = -1;
		}
	}
	if (bestlen < 2)
		best = -1;
	buf[0] = '\0';
	for (i = 0; i < 8 && o < len; i++) {
		if (i == best) {
			o += (size_t)snprintf(buf + o, len - o, "::");
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			o += (size_t)snprintf(buf + o, len - o, ":");
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "%x", g[i]);
	}
	return buf;
}

void
ul_sin_init(struct sockaddr_in *sin, const struct in_addr *a)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_len = sizeof(*sin);
	sin->sin_family = AF_INET;
	sin->sin_addr = *a;
}

void
ul_sin6_init(struct sockaddr_in6 *sin6, const struct in6_addr *a)
{
	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_len = sizeof(*sin6);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = *a;
}

static void
ul_plen2bytes(int plen, uint8_t *b, size_t n)
{
	size_t i;

	memset(b, 0, n);
	for (i = 0; i < n && plen > 0; i++, plen -= 8)
		b[i] = plen >= 8 ? 0xff : (uint8_t)(0xff << (8 - plen));
}

void
ul_plen2mask4(int plen, struct in_addr *m)
{
	ul_plen2bytes(plen, (uint8_t *)&m->s_addr, 4);
}

void
ul_plen2mask6(int plen, struct in6_addr *m)
{
	ul_plen2bytes(plen, m->s6_addr, 16);
}

int
ul_mask2plen(const uint8_t *b, size_t n)
{
	size_t i;
	int plen = 0;
	bool ended = false;

	for (i = 0; i < n; i++) {
		int bit;

		for (bit = 7; bit >= 0; bit--) {
			if (b[i] & (1 << bit)) {
				if (ended)
					return -1;
				plen++;
			} else {
				ended = true;
			}
		}
	}
	return plen;
}

const char *
ul_sa_ntop(const struct sockaddr *sa, char *buf, size_t len)
{
	if (sa == NULL) {
		snprintf(buf, len, "-");
		return buf;
	}
	switch (sa->sa_family) {
	case AF_INET:
		return ul_inet_ntop(
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    buf, len);
	case AF_INET6:
		return ul_inet6_ntop(
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    buf, len);
	case AF_LINK: {
		const struct sockaddr_dl *sdl = (const void *)sa;

		if (sdl->sdl_nlen > 0)
			snprintf(buf, len, "%.*s", sdl->sdl_nlen,
			    sdl->sdl_data);
		else
			snprintf(buf, len, "link#%u", sdl->sdl_index);
		return buf;
	}
	default:
		snprintf(buf, len, "(family %d)", sa->sa_family);
		return buf;
	}
}

const char *
ul_strerror(int error)
{
	switch (error) {
	case ESRCH:
		return "not in table";
	case EBUSY:
		return "entry in use";
	case ENOBUFS:
		return "routing table overflow";
	default:
		return strerror(error);
	}
}
