/*
 * Routing table listings: the dump (sysctl net.route.dump: a stream of
 * routing messages, one per entry, like NetBSD's NET_RT_DUMP), `route
 * show', `route flush' and the netstat -r flag letters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/if_dl.h"

#include "ul_route.h"
#include "sys/syscall.h"

int
ul_rtdump(int af, struct ul_rtentry **vp, size_t *np)
{
	size_t len = 0, cap, off, n = 0;
	uint8_t *buf;
	struct ul_rtentry *v = NULL;
	int error;

	*vp = NULL;
	*np = 0;
	error = sys_sysctl("net.route.dump", NULL, &len, NULL, 0);
	if (error != 0)
		return error;
	len += len / 4 + 1024;		/* room for routes added meanwhile */
	cap = len;
	buf = ul_zalloc(cap);
	if (buf == NULL)
		return ENOMEM;
	error = sys_sysctl("net.route.dump", buf, &len, NULL, 0);
	if (error != 0) {
		ul_free(buf, cap);
		return error;
	}
	for (off = 0; off + sizeof(struct rt_msghdr) <= len;) {
		const struct rt_msghdr *rtm = (const void *)(buf + off);
		const struct sockaddr *sa[RTAX_MAX];
		struct ul_rtentry *e, *nv;

		if (rtm->rtm_msglen < sizeof(*rtm) ||
		    off + rtm->rtm_msglen > len)
			break;
		off += rtm->rtm_msglen;
		ul_rtreply_addrs(rtm, rtm->rtm_msglen, sa);
		if (sa[RTAX_DST] == NULL ||
		    (af != 0 && sa[RTAX_DST]->sa_family != af))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (nv == NULL) {
			free(v);
			ul_free(buf, cap);
			return ENOMEM;
		}
		v = nv;
		e = &v[n++];
		memset(e, 0, sizeof(*e));
		e->re_af = sa[RTAX_DST]->sa_family;
		e->re_flags = rtm->rtm_flags;
		e->re_use = (uint64_t)rtm->rtm_use;
		e->re_mtu = rtm->rtm_rmx.rmx_mtu;
		e->re_refs = 0;		/* not carried by routing messages */
		memcpy(&e->re_dst, sa[RTAX_DST], sa[RTAX_DST]->sa_len);
		if (sa[RTAX_GATEWAY] != NULL)
			memcpy(&e->re_gw, sa[RTAX_GATEWAY],
			    sa[RTAX_GATEWAY]->sa_len);
		e->re_plen = -1;
		if (sa[RTAX_NETMASK] != NULL && !(rtm->rtm_flags & RTF_HOST)) {
			const struct sockaddr *m = sa[RTAX_NETMASK];

			if (e->re_af == AF_INET6)
				e->re_plen = ul_mask2plen(((const struct
				    sockaddr_in6 *)(const void *)m)->
				    sin6_addr.s6_addr, 16);
			else
				e->re_plen = ul_mask2plen((const uint8_t *)
				    &((const struct sockaddr_in *)(const void *)
				    m)->sin_addr.s_addr, 4);
		} else if (!(rtm->rtm_flags & RTF_HOST)) {
			e->re_plen = 0;	/* no mask on a net route: default */
		}
		if (sa[RTAX_IFP] != NULL && sa[RTAX_IFP]->sa_family == AF_LINK) {
			const struct sockaddr_dl *sdl = (const void *)
			    sa[RTAX_IFP];

			snprintf(e->re_ifname, sizeof(e->re_ifname), "%.*s",
			    sdl->sdl_nlen, sdl->sdl_data);
		}
	}
	ul_free(buf, cap);
	*vp = v;
	*np = n;
	return 0;
}

/* netstat(1)'s letters, in its order: U G H R B D M d m C X L S 1 2 c
 * then l p b. */
void
ul_rtflags_letters(int flags, char *buf, size_t len)
{
	static const struct {
		int	 f;
		char	 c;
	} letters[] = {
		{ RTF_UP, 'U' }, { RTF_GATEWAY, 'G' }, { RTF_HOST, 'H' },
		{ RTF_REJECT, 'R' }, { RTF_BLACKHOLE, 'B' },
		{ RTF_DYNAMIC, 'D' }, { RTF_MODIFIED, 'M' },
		{ RTF_DONE, 'd' }, { RTF_MASK, 'm' }, { RTF_CLONING, 'C' },
		{ RTF_XRESOLVE, 'X' }, { RTF_LLINFO, 'L' },
		{ RTF_STATIC, 'S' }, { RTF_PROTO1, '1' }, { RTF_PROTO2, '2' },
		{ RTF_CLONED, 'c' }, { RTF_LOCAL, 'l' },
		{ RTF_ANNOUNCE, 'p' }, { RTF_BROADCAST, 'b' },
	};
	size_t i, o = 0;

	for (i = 0; i < sizeof(letters) / sizeof(letters[0]) && o + 1 < len;
	    i++)
		if (flags & letters[i].f)
			buf[o++] = letters[i].c;
	buf[o] = '\0';
}

/* netstat -rn style destination: "default", "10.0.3/24", host address. */
void
ul_rtdst_text(const struct ul_rtentry *e, char *buf, size_t len)
{
	char a[80];

	if (e->re_plen == 0) {
		snprintf(buf, len, "default");
		return;
	}
	if (e->re_af == AF_INET6) {
		/* KAME-style embedded scope of a link-local key: print it as
		 * NetBSD's netstat does, fe80::1%vnic0 */
		struct in6_addr a6 = ((const struct sockaddr_in6 *)
		    &e->re_dst)->sin6_addr;

		if (a6.s6_addr[0] == 0xfe && (a6.s6_addr[1] & 0xc0) == 0x80) {
			char b6[48];

			a6.s6_addr[2] = a6.s6_addr[3] = 0;
			ul_inet6_ntop(&a6, b6, sizeof(b6));
			snprintf(a, sizeof(a), "%.47s%%%.15s", b6,
			    e->re_ifname);
		} else {
			ul_inet6_ntop(&a6, a, sizeof(a));
		}
	} else {
		ul_sa_ntop((const struct sockaddr *)&e->re_dst, a, sizeof(a));
	}
	if (e->re_plen < 0) {
		snprintf(buf, len, "%s", a);
		return;
	}
	if (e->re_af == AF_INET && e->re_plen % 8 == 0) {
		const uint8_t *b = (const uint8_t *)&((const struct
		    sockaddr_in *)&e->re_dst)->sin_addr.s_addr;
		int i, nb = e->re_plen / 8;
		size_t o = 0;

		for (i = 0; i < nb && o < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s%u",
			    i ? "." : "", b[i]);
		if (o < len)
			snprintf(buf + o, len - o, "/%d", e->re_plen);
		return;
	}
	snprintf(buf, len, "%s/%d", a, e->re_plen);
}

static void
ul_rtgw_text(const struct ul_rtentry *e, char *buf, size_t len)
{
	const struct sockaddr *gw = (const struct sockaddr *)&e->re_gw;

	if (gw->sa_len == 0)
		snprintf(buf, len, "-");
	else if (gw->sa_family == AF_LINK &&
	    ((const struct sockaddr_dl *)(const void *)gw)->sdl_nlen == 0)
		snprintf(buf, len, "link#%u",
		    ((const struct sockaddr_dl *)(const void *)gw)->sdl_index);
	else
		ul_sa_ntop(gw, buf, len);
}

/* The table in netstat -rn's format (also `route show'). */
void
ul_rttable_print(struct ul_io *io, int af, const struct ul_rtentry *v,
    size_t n)
{
	int w = af == AF_INET6 ? 34 : 18;
	char dst[64], gw[64], fl[32];
	size_t i;

	ul_printf(io, "%s:\n", af == AF_INET6 ? "Internet6" : "Internet");
	ul_printf(io, "%-*.*s %-*.*s %-6.6s %6.6s %8.8s %6.6s  %s\n",
	    w, w, "Destination", w, w, "Gateway", "Flags", "Refs", "Use",
	    "Mtu", "Interface");
	for (i = 0; i < n; i++) {
		const struct ul_rtentry *e = &v[i];

		if (e->re_af != af)
			continue;
		ul_rtdst_text(e, dst, sizeof(dst));
		ul_rtgw_text(e, gw, sizeof(gw));
		ul_rtflags_letters(e->re_flags, fl, sizeof(fl));
		ul_printf(io, "%-*.*s %-*.*s %-6.6s %6d %8llu ", w, w, dst, w,
		    w, gw, fl, e->re_refs, (unsigned long long)e->re_use);
		if (e->re_mtu != 0)
			ul_printf(io, "%6llu  ", (unsigned long long)e->re_mtu);
		else
			ul_printf(io, "%6s  ", "-");
		ul_printf(io, "%s\n", e->re_ifname);
	}
}

static int
ul_route_af_arg(struct ul_io *io, int argc, char **argv, int *afp)
{
	int i;

	*afp = 0;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-inet") == 0)
			*afp = AF_INET;
		else if (strcmp(argv[i], "-inet6") == 0)
			*afp = AF_INET6;
		else if (strcmp(argv[i], "-n") == 0)
			continue;
		else {
			ul_warnx(io, "%s: unknown argument", argv[i]);
			return -1;
		}
	}
	return 0;
}

int
ul_route_show(struct ul_io *io, int argc, char **argv)
{
	struct ul_rtentry *v;
	size_t n;
	int af, error;

	if (ul_route_af_arg(io, argc, argv, &af) != 0)
		return 1;
	error = ul_rtdump(af, &v, &n);
	if (error != 0) {
		ul_warnc(io, error, "route table dump");
		return 1;
	}
	ul_printf(io, "Routing tables\n");
	if (af == 0 || af == AF_INET) {
		ul_printf(io, "\n");
		ul_rttable_print(io, AF_INET, v, n);
	}
	if (af == 0 || af == AF_INET6) {
		ul_printf(io, "\n");
		ul_rttable_print(io, AF_INET6, v, n);
	}
	free(v);
	return 0;
}

/*
 * Delete every gateway, static or link-layer entry (NetBSD 5 flush);
 * interface routes survive.  Prints "<dst> <gw> done" per entry.
 */
int
ul_route_flush(struct ul_io *io, int argc, char **argv, bool quiet)
{
	struct ul_rtentry *v;
	size_t n, i;
	int af, error, rc = 0;

	if (ul_route_af_arg(io, argc, argv, &af) != 0)
		return 1;
	error = ul_rtdump(af, &v, &n);
	if (error != 0) {
		ul_warnc(io, error, "route table dump");
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct ul_rtentry *e = &v[i];
		struct sockaddr_storage mask;
		char dst[64], gw[64];

		if ((e->re_flags & (RTF_GATEWAY | RTF_STATIC | RTF_LLINFO)) ==
		    0)
			continue;
		memset(&mask, 0, sizeof(mask));
		if (e->re_plen >= 0) {
			if (e->re_af == AF_INET6) {
				struct in6_addr m;

				ul_plen2mask6(e->re_plen, &m);
				ul_sin6_init((struct sockaddr_in6 *)&mask, &m);
			} else {
				struct in_addr m;

				ul_plen2mask4(e->re_plen, &m);
				ul_sin_init((struct sockaddr_in *)&mask, &m);
			}
		}
		error = ul_rtmsg(RTM_DELETE, e->re_flags, e->re_af,
		    (struct sockaddr *)&e->re_dst,
		    e->re_gw.ss_len ? (struct sockaddr *)&e->re_gw : NULL,
		    e->re_plen >= 0 ? (struct sockaddr *)&mask : NULL,
		    NULL, NULL, NULL);
		ul_rtdst_text(e, dst, sizeof(dst));
		ul_rtgw_text(e, gw, sizeof(gw));
		if (error != 0) {
			ul_warnc(io, error, "writing to routing socket");
			rc = 1;
		} else if (!quiet) {
			ul_printf(io, "%-20.20s %-20.20s done\n", dst, gw);
		}
	}
	free(v);
	return rc;
}
