/*
 * route(8): manipulate the routing table through a PF_ROUTE socket, with
 * NetBSD's syntax and messages.
 *
 *	route [-nqv] add|delete|change|get [-net|-host] [-inet|-inet6]
 *	      destination [gateway] [-netmask mask] [-prefixlen n]
 *	      [-reject] [-blackhole] [-iface] [-static] [-ifp ifname]
 *	      [-ifa address]
 *	route [-nqv] flush [-inet|-inet6]
 *	route [-n] show [-inet|-inet6]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/if_dl.h"
#include "net/route.h"

#include "ul.h"
#include "ul_route.h"
#include "sys/syscall.h"

/* A destination, gateway or mask as the user wrote it, made binary. */
struct route_args {
	int		 ra_cmd;		/* RTM_* */
	const char	*ra_cmdname;
	int		 ra_af;			/* AF_INET or AF_INET6 */
	int		 ra_flags;		/* RTF_* */
	bool		 ra_forcehost, ra_forcenet;
	bool		 ra_iface;
	const char	*ra_dst_text, *ra_gw_text;
	const char	*ra_mask_text;
	int		 ra_plen;		/* -1: none given */
	const char	*ra_ifp, *ra_ifa_text;
	bool		 ra_quiet;
	bool		 ra_ishost;
	struct sockaddr_storage ra_dst, ra_gw, ra_mask, ra_ifa;
	bool		 ra_has_gw, ra_has_mask, ra_has_ifa;
};

static int route_seq;

/* Classful length of an IPv4 network, extended over nonzero bytes. */
static int
route_inet_netlen(const struct in_addr *a)
{
	const uint8_t *b = (const uint8_t *)&a->s_addr;
	int plen, i;

	if ((b[0] & 0x80) == 0)
		plen = 8;
	else if ((b[0] & 0xc0) == 0x80)
		plen = 16;
	else
		plen = 24;
	for (i = 3; i * 8 >= plen; i--)
		if (b[i] != 0)
			return (i + 1) * 8;
	return plen;
}

/* Parse "default", "a.b.c.d[/len]", "x:y::z[/len]". */
static int
route_parse_dst(struct ul_io *io, struct route_args *ra)
{
	char buf[128], *slash;
	int plen = -1;

	snprintf(buf, sizeof(buf), "%s", ra->ra_dst_text);
	if (strcmp(buf, "default") == 0) {
		snprintf(buf, sizeof(buf), "%s",
		    ra->ra_af == AF_INET6 ? "::" : "0.0.0.0");
		plen = 0;
		ra->ra_forcenet = true;
	} else if ((slash = strchr(buf, '/')) != NULL) {
		char *end;
		long v;

		*slash = '\0';
		v = strtol(slash + 1, &end, 10);
		if (*end != '\0' || v < 0 ||
		    v > (ra->ra_af == AF_INET6 ? 128 : 32)) {
			ul_warnx(io, "%s: bad prefix length", ra->ra_dst_text);
			return -1;
		}
		plen = (int)v;
		ra->ra_forcenet = !ra->ra_forcehost;
	}
	if (ra->ra_plen >= 0)
		plen = ra->ra_plen;
	if (ra->ra_af == AF_INET6) {
		struct in6_addr a, m;
		int i;

		if (!ul_inet6_pton(buf, &a)) {
			ul_warnx(io, "bad address: %s", ra->ra_dst_text);
			return -1;
		}
		if (plen < 0)
			plen = ra->ra_forcenet ? 64 : 128;
		ra->ra_ishost = !ra->ra_forcenet && (ra->ra_forcehost ||
		    plen == 128);
		if (!ra->ra_ishost) {
			ul_plen2mask6(plen, &m);
			for (i = 0; i < 16; i++)
				a.s6_addr[i] &= m.s6_addr[i];
			ul_sin6_init((struct sockaddr_in6 *)&ra->ra_mask, &m);
			ra->ra_has_mask = true;
		}
		ul_sin6_init((struct sockaddr_in6 *)&ra->ra_dst, &a);
	} else {
		struct in_addr a, m;

		if (!ul_inet_pton(buf, &a)) {
			ul_warnx(io, "bad address: %s", ra->ra_dst_text);
			return -1;
		}
		if (ra->ra_mask_text != NULL) {
			if (!ul_inet_pton(ra->ra_mask_text, &m) ||
			    (plen = ul_mask2plen((uint8_t *)&m.s_addr, 4)) <
			    0) {
				ul_warnx(io, "bad netmask: %s",
				    ra->ra_mask_text);
				return -1;
			}
			ra->ra_forcenet = true;
		}
		if (plen < 0) {
			if (ra->ra_forcenet)
				plen = route_inet_netlen(&a);
			else if (ra->ra_forcehost)
				plen = 32;
			else {
				/* no -net/-host: a net if the host part
				 * (classful) is zero */
				int nl = route_inet_netlen(&a);

				ul_plen2mask4(nl, &m);
				plen = (a.s_addr & ~m.s_addr) == 0 &&
				    a.s_addr != 0 ? nl : 32;
				if (plen == 32)
					ra->ra_forcehost = true;
			}
		}
		ra->ra_ishost = !ra->ra_forcenet && (ra->ra_forcehost ||
		    plen == 32);
		if (!ra->ra_ishost) {
			ul_plen2mask4(plen, &m);
			a.s_addr &= m.s_addr;
			ul_sin_init((struct sockaddr_in *)&ra->ra_mask, &m);
			ra->ra_has_mask = true;
		}
		ul_sin_init((struct sockaddr_in *)&ra->ra_dst, &a);
	}
	return 0;
}

static int
route_parse_addr(struct ul_io *io, int af, const char *text,
    struct sockaddr_storage *ss)
{
	if (af == AF_INET6) {
		struct in6_addr a;

		if (!ul_inet6_pton(text, &a))
			goto bad;
		ul_sin6_init((struct sockaddr_in6 *)ss, &a);
	} else {
		struct in_addr a;

		if (!ul_inet_pton(text, &a))
			goto bad;
		ul_sin_init((struct sockaddr_in *)ss, &a);
	}
	return 0;
bad:
	ul_warnx(io, "bad address: %s", text);
	return -1;
}

static size_t
route_put_sa(uint8_t *p, const struct sockaddr *sa)
{
	size_t len = RT_ROUNDUP(sa->sa_len);

	memcpy(p, sa, sa->sa_len);
	return len;
}

/*
 * Send one routing message; for RTM_GET, read the answer into `reply'.
 * Returns 0 or an errno.
 */
int
ul_rtmsg(int cmd, int flags, int af, const struct sockaddr *dst,
    const struct sockaddr *gw, const struct sockaddr *mask,
    const char *ifp, const struct sockaddr *ifa, struct ul_rtreply *reply)
{
	uint8_t msg[1024];
	struct rt_msghdr *rtm = (struct rt_msghdr *)(void *)msg;
	struct sockaddr_dl sdl;
	size_t off = sizeof(*rtm);
	ssize_t n;
	pid_t pid = 0;
	int s, error, seq;

	(void)af;
	memset(msg, 0, sizeof(msg));
	error = sys_socket(PF_ROUTE, SOCK_RAW, 0, &s);
	if (error != 0)
		return error;
	sys_getpid(&pid);
	seq = ++route_seq;
	rtm->rtm_version = RTM_VERSION;
	rtm->rtm_type = (u_char)cmd;
	rtm->rtm_flags = flags;
	rtm->rtm_seq = seq;
	rtm->rtm_pid = pid;
	if (dst != NULL) {
		rtm->rtm_addrs |= RTA_DST;
		off += route_put_sa(msg + off, dst);
	}
	if (gw != NULL) {
		rtm->rtm_addrs |= RTA_GATEWAY;
		off += route_put_sa(msg + off, gw);
	}
	if (mask != NULL) {
		rtm->rtm_addrs |= RTA_NETMASK;
		off += route_put_sa(msg + off, mask);
	}
	if (ifp != NULL || cmd == RTM_GET) {
		/* for RTM_GET an empty link address asks for the answer */
		memset(&sdl, 0, sizeof(sdl));
		sdl.sdl_len = sizeof(sdl);
		sdl.sdl_family = AF_LINK;
		if (ifp != NULL) {
			sdl.sdl_nlen = (uint8_t)strnlen(ifp,
			    sizeof(sdl.sdl_data));
			memcpy(sdl.sdl_data, ifp, sdl.sdl_nlen);
		}
		rtm->rtm_addrs |= RTA_IFP;
		off += route_put_sa(msg + off, (struct sockaddr *)&sdl);
	}
	if (ifa != NULL) {
		rtm->rtm_addrs |= RTA_IFA;
		off += route_put_sa(msg + off, ifa);
	}
	rtm->rtm_msglen = (u_short)off;
	error = sys_write(s, msg, off, &n);
	if (error == 0 && cmd == RTM_GET && reply != NULL) {
		for (;;) {
			error = sys_read(s, reply->rr_buf,
			    sizeof(reply->rr_buf), &n);
			if (error != 0)
				break;
			rtm = (struct rt_msghdr *)(void *)reply->rr_buf;
			if (n >= (ssize_t)sizeof(*rtm) &&
			    rtm->rtm_seq == seq && rtm->rtm_pid == pid) {
				reply->rr_len = (size_t)n;
				error = rtm->rtm_errno;
				break;
			}
		}
	}
	sys_close(s);
	return error;
}

void
ul_rtreply_addrs(const struct rt_msghdr *rtm, size_t len,
    const struct sockaddr *sa[RTAX_MAX])
{
	const uint8_t *p = (const uint8_t *)(rtm + 1);
	const uint8_t *end = (const uint8_t *)rtm + len;
	int i;

	for (i = 0; i < RTAX_MAX; i++) {
		sa[i] = NULL;
		if ((rtm->rtm_addrs & (1 << i)) == 0)
			continue;
		if (p + 2 > end)
			break;
		sa[i] = (const struct sockaddr *)(const void *)p;
		p += RT_ROUNDUP(sa[i]->sa_len);
	}
}

static const char *const route_flagnames[] = {
	"UP", "GATEWAY", "HOST", "REJECT", "DYNAMIC", "MODIFIED", "DONE",
	"MASK_PRESENT", "CLONING", "XRESOLVE", "LLINFO", "STATIC",
	"BLACKHOLE", "CLONED", "PROTO2", "PROTO1",
};

static void
route_print_get(struct ul_io *io, const struct route_args *ra,
    const struct ul_rtreply *rr)
{
	const struct rt_msghdr *rtm = (const void *)rr->rr_buf;
	const struct sockaddr *sa[RTAX_MAX];
	char b[64];
	size_t i;
	bool first = true;

	ul_rtreply_addrs(rtm, rr->rr_len, sa);
	ul_printf(io, "   route to: %s\n", ra->ra_dst_text);
	if (sa[RTAX_DST] != NULL)
		ul_printf(io, "destination: %s\n",
		    sa[RTAX_DST]->sa_family == AF_INET &&
		    ((const struct sockaddr_in *)(const void *)
		    sa[RTAX_DST])->sin_addr.s_addr == 0 &&
		    (rtm->rtm_flags & RTF_HOST) == 0 ? "default" :
		    ul_sa_ntop(sa[RTAX_DST], b, sizeof(b)));
	if (sa[RTAX_NETMASK] != NULL && (rtm->rtm_flags & RTF_HOST) == 0)
		ul_printf(io, "       mask: %s\n",
		    ul_sa_ntop(sa[RTAX_NETMASK], b, sizeof(b)));
	if (sa[RTAX_GATEWAY] != NULL && (rtm->rtm_flags & RTF_GATEWAY))
		ul_printf(io, "    gateway: %s\n",
		    ul_sa_ntop(sa[RTAX_GATEWAY], b, sizeof(b)));
	if (sa[RTAX_IFA] != NULL)
		ul_printf(io, " local addr: %s\n",
		    ul_sa_ntop(sa[RTAX_IFA], b, sizeof(b)));
	if (sa[RTAX_IFP] != NULL)
		ul_printf(io, "  interface: %s\n",
		    ul_sa_ntop(sa[RTAX_IFP], b, sizeof(b)));
	ul_printf(io, "      flags: <");
	for (i = 0; i < sizeof(route_flagnames) / sizeof(route_flagnames[0]);
	    i++) {
		if (rtm->rtm_flags & (1 << i)) {
			ul_printf(io, "%s%s", first ? "" : ",",
			    route_flagnames[i]);
			first = false;
		}
	}
	ul_printf(io, ">\n");
	ul_printf(io, " recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  "
	    "hopcount      mtu     expire\n");
	ul_printf(io, "%8llu  %8llu  %8llu  %8llu  %8llu  %8llu  %8llu "
	    "%8lld\n",
	    (unsigned long long)rtm->rtm_rmx.rmx_recvpipe,
	    (unsigned long long)rtm->rtm_rmx.rmx_sendpipe,
	    (unsigned long long)rtm->rtm_rmx.rmx_ssthresh,
	    (unsigned long long)rtm->rtm_rmx.rmx_rtt,
	    (unsigned long long)rtm->rtm_rmx.rmx_rttvar,
	    (unsigned long long)rtm->rtm_rmx.rmx_hopcount,
	    (unsigned long long)rtm->rtm_rmx.rmx_mtu,
	    (long long)rtm->rtm_rmx.rmx_expire);
	(void)ra;
}

static int
route_usage(struct ul_io *io)
{
	ul_eprintf(io,
	    "usage: route [-nqv] command [[modifiers] args]\n"
	    "commands: add, delete, change, get, flush, show\n");
	return 1;
}

static int
route_modify(struct ul_io *io, struct route_args *ra, int argc, char **argv)
{
	struct ul_rtreply rr;
	int i, error;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || a[1] == '\0') {
			if (ra->ra_dst_text == NULL)
				ra->ra_dst_text = a;
			else if (ra->ra_gw_text == NULL)
				ra->ra_gw_text = a;
			else
				return route_usage(io);
			continue;
		}
		if (strcmp(a, "-net") == 0)
			ra->ra_forcenet = true;
		else if (strcmp(a, "-host") == 0)
			ra->ra_forcehost = true;
		else if (strcmp(a, "-inet") == 0)
			ra->ra_af = AF_INET;
		else if (strcmp(a, "-inet6") == 0)
			ra->ra_af = AF_INET6;
		else if (strcmp(a, "-reject") == 0)
			ra->ra_flags |= RTF_REJECT;
		else if (strcmp(a, "-blackhole") == 0)
			ra->ra_flags |= RTF_BLACKHOLE;
		else if (strcmp(a, "-iface") == 0 ||
		    strcmp(a, "-interface") == 0)
			ra->ra_iface = true;
		else if (strcmp(a, "-static") == 0)
			ra->ra_flags |= RTF_STATIC;
		else if (strcmp(a, "-nostatic") == 0)
			ra->ra_flags &= ~RTF_STATIC;
		else if (strcmp(a, "-ifp") == 0 && i + 1 < argc)
			ra->ra_ifp = argv[++i];
		else if (strcmp(a, "-ifa") == 0 && i + 1 < argc)
			ra->ra_ifa_text = argv[++i];
		else if (strcmp(a, "-netmask") == 0 && i + 1 < argc)
			ra->ra_mask_text = argv[++i];
		else if (strcmp(a, "-prefixlen") == 0 && i + 1 < argc) {
			char *end;

			ra->ra_plen = (int)strtol(argv[++i], &end, 10);
			if (*end != '\0' || ra->ra_plen < 0 ||
			    ra->ra_plen > 128) {
				ul_warnx(io, "bad prefix length: %s", argv[i]);
				return 1;
			}
			ra->ra_forcenet = true;
		} else {
			ul_warnx(io, "%s: unknown modifier", a);
			return route_usage(io);
		}
	}
	if (ra->ra_dst_text == NULL)
		return route_usage(io);
	if (ra->ra_forcehost && ra->ra_forcenet) {
		ul_warnx(io, "-host and -net are exclusive");
		return 1;
	}
	/* an IPv6 destination implies -inet6 */
	if (strchr(ra->ra_dst_text, ':') != NULL)
		ra->ra_af = AF_INET6;
	if (route_parse_dst(io, ra) != 0)
		return 1;
	if (ra->ra_gw_text != NULL) {
		if (route_parse_addr(io, ra->ra_af, ra->ra_gw_text,
		    &ra->ra_gw) != 0)
			return 1;
		ra->ra_has_gw = true;
	} else if (ra->ra_cmd == RTM_ADD) {
		ul_warnx(io, "%s: gateway required", ra->ra_dst_text);
		return route_usage(io);
	}
	if (ra->ra_ifa_text != NULL) {
		if (route_parse_addr(io, ra->ra_af, ra->ra_ifa_text,
		    &ra->ra_ifa) != 0)
			return 1;
		ra->ra_has_ifa = true;
	}
	if (ra->ra_cmd != RTM_GET) {
		ra->ra_flags |= RTF_UP;
		if (ra->ra_cmd == RTM_ADD)
			ra->ra_flags |= RTF_STATIC;
		if (!ra->ra_iface && ra->ra_has_gw)
			ra->ra_flags |= RTF_GATEWAY;
	}
	if (ra->ra_ishost)
		ra->ra_flags |= RTF_HOST;

	memset(&rr, 0, sizeof(rr));
	error = ul_rtmsg(ra->ra_cmd, ra->ra_flags, ra->ra_af,
	    (struct sockaddr *)&ra->ra_dst,
	    ra->ra_has_gw ? (struct sockaddr *)&ra->ra_gw : NULL,
	    ra->ra_has_mask ? (struct sockaddr *)&ra->ra_mask : NULL,
	    ra->ra_ifp,
	    ra->ra_has_ifa ? (struct sockaddr *)&ra->ra_ifa : NULL, &rr);
	if (ra->ra_cmd == RTM_GET) {
		if (error != 0) {
			ul_warnc(io, error, "writing to routing socket");
			ul_printf(io, "   route to: %s\n", ra->ra_dst_text);
			return 1;
		}
		route_print_get(io, ra, &rr);
		return 0;
	}
	if (error != 0)
		ul_warnc(io, error, "writing to routing socket");
	if (ra->ra_quiet && error == 0)
		return 0;
	{
		struct ul_buf *b = error ? &io->io_err : &io->io_out;

		(void)b;
		if (error) {
			ul_eprintf(io, "%s %s %s", ra->ra_cmdname,
			    ra->ra_ishost ? "host" : "net", ra->ra_dst_text);
			if (ra->ra_gw_text != NULL)
				ul_eprintf(io, ": gateway %s",
				    ra->ra_gw_text);
			ul_eprintf(io, ": %s\n", ul_strerror(error));
		} else {
			ul_printf(io, "%s %s %s", ra->ra_cmdname,
			    ra->ra_ishost ? "host" : "net", ra->ra_dst_text);
			if (ra->ra_gw_text != NULL)
				ul_printf(io, ": gateway %s", ra->ra_gw_text);
			ul_printf(io, "\n");
		}
	}
	return error ? 1 : 0;
}

int
ul_route_main(struct ul_io *io, int argc, char **argv)
{
	struct route_args ra;
	int i = 1;
	bool quiet = false;

	memset(&ra, 0, sizeof(ra));
	ra.ra_af = AF_INET;
	ra.ra_plen = -1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *f;

		for (f = argv[i] + 1; *f != '\0'; f++) {
			switch (*f) {
			case 'n':	/* numeric: always, we have no DNS */
			case 'v':
				break;
			case 'q':
				quiet = true;
				break;
			default:
				return route_usage(io);
			}
		}
	}
	if (i >= argc)
		return route_usage(io);
	ra.ra_quiet = quiet;
	ra.ra_cmdname = argv[i];
	if (strcmp(argv[i], "add") == 0)
		ra.ra_cmd = RTM_ADD;
	else if (strcmp(argv[i], "delete") == 0)
		ra.ra_cmd = RTM_DELETE;
	else if (strcmp(argv[i], "change") == 0)
		ra.ra_cmd = RTM_CHANGE;
	else if (strcmp(argv[i], "get") == 0)
		ra.ra_cmd = RTM_GET;
	else if (strcmp(argv[i], "flush") == 0)
		return ul_route_flush(io, argc - i - 1, argv + i + 1, quiet);
	else if (strcmp(argv[i], "show") == 0)
		return ul_route_show(io, argc - i - 1, argv + i + 1);
	else {
		ul_warnx(io, "%s: unknown command", argv[i]);
		return route_usage(io);
	}
	return route_modify(io, &ra, argc - i - 1, argv + i + 1);
}
