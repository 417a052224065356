/*
 * ifconfig(8): configure and list network interfaces through socket
 * ioctls, with NetBSD's syntax and listing format.
 *
 *	ifconfig -a | ifconfig [-l]
 *	ifconfig IF
 *	ifconfig IF [inet] ADDR[/PLEN] [netmask MASK] [alias | -alias | delete]
 *	ifconfig IF inet6 ADDR[/PLEN] [prefixlen N] [alias | -alias | delete]
 *	ifconfig IF up | down | mtu N
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ul.h"
#include "net/if.h"
#include "net/if_dl.h"
#include "netinet/in_var.h"
#include "netinet6/in6_var.h"
#include "sys/syscall.h"

static const char *const ifconfig_flagnames[] = {
	"UP", "BROADCAST", "DEBUG", "LOOPBACK", "POINTOPOINT", "NOTRAILERS",
	"RUNNING", "NOARP", "PROMISC", "ALLMULTI", "OACTIVE", "SIMPLEX",
	"LINK0", "LINK1", "LINK2", "MULTICAST",
};

static int
ifconfig_usage(struct ul_io *io)
{
	ul_eprintf(io,
	    "usage: ifconfig [-a | -l]\n"
	    "       ifconfig interface\n"
	    "       ifconfig interface [inet | inet6] address[/prefixlen] "
	    "[netmask mask]\n"
	    "                [prefixlen n] [alias | -alias | delete]\n"
	    "       ifconfig interface up | down | mtu n\n");
	return 1;
}

static int
ifconfig_ioctl(int s, u_long cmd, void *data)
{
	return sys_ioctl(s, cmd, data);
}

/* Every ifreq of SIOCGIFCONF (ul_zalloc'ed, *capp of them). */
static int
ifconfig_getconf(int s, struct ifreq **reqp, size_t *np, size_t *capp)
{
	struct ifconf ifc;
	size_t cap = 16;
	int error;

	for (;;) {
		struct ifreq *r = ul_zalloc(cap * sizeof(*r));

		if (r == NULL)
			return ENOMEM;
		ifc.ifc_len = (int)(cap * sizeof(*r));
		ifc.ifc_req = r;
		error = ifconfig_ioctl(s, SIOCGIFCONF, &ifc);
		if (error != 0) {
			ul_free(r, cap * sizeof(*r));
			return error;
		}
		if ((size_t)ifc.ifc_len + sizeof(*r) <= cap * sizeof(*r)) {
			*reqp = r;
			*np = (size_t)ifc.ifc_len / sizeof(*r);
			*capp = cap;
			return 0;
		}
		ul_free(r, cap * sizeof(*r));
		cap *= 4;
	}
}

static void
ifconfig_print_flags(struct ul_io *io, int flags)
{
	size_t i;
	bool first = true;

	ul_printf(io, "flags=%x<", flags & 0xffff);
	for (i = 0; i < sizeof(ifconfig_flagnames) /
	    sizeof(ifconfig_flagnames[0]); i++) {
		if (flags & (1 << i)) {
			ul_printf(io, "%s%s", first ? "" : ",",
			    ifconfig_flagnames[i]);
			first = false;
		}
	}
	ul_printf(io, ">");
}

/* Print one interface (all its ifreqs, which SIOCGIFCONF groups). */
static void
ifconfig_print_if(struct ul_io *io, int s, const char *name,
    const struct ifreq *reqs, size_t n)
{
	struct ifreq ifr;
	size_t i;
	bool first_inet = true;
	char b[64];

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ul_printf(io, "%s: ", name);
	if (ifconfig_ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
		ifconfig_print_flags(io, (unsigned short)ifr.ifr_flags);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ifconfig_ioctl(s, SIOCGIFMTU, &ifr) == 0)
		ul_printf(io, " mtu %d", ifr.ifr_mtu);
	ul_printf(io, "\n");
	for (i = 0; i < n; i++) {
		const struct sockaddr *sa = ifreq_sa(
		    (struct ifreq *)(uintptr_t)&reqs[i]);

		if (strncmp(reqs[i].ifr_name, name, IFNAMSIZ) != 0)
			continue;
		if (sa->sa_family == AF_LINK) {
			const struct sockaddr_dl *sdl = (const void *)sa;
			const uint8_t *mac = (const uint8_t *)sdl->sdl_data +
			    sdl->sdl_nlen;

			if (sdl->sdl_alen == 6)
				ul_printf(io, "\taddress: %02x:%02x:%02x:"
				    "%02x:%02x:%02x\n", mac[0], mac[1],
				    mac[2], mac[3], mac[4], mac[5]);
		} else if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *sin = (const void *)sa;

			ul_printf(io, "\tinet %s", ul_inet_ntop(&sin->sin_addr,
			    b, sizeof(b)));
			if (first_inet) {
				/* the kernel reports the first address's
				 * netmask only */
				memset(&ifr, 0, sizeof(ifr));
				snprintf(ifr.ifr_name, sizeof(ifr.ifr_name),
				    "%s", name);
				if (ifconfig_ioctl(s, SIOCGIFNETMASK, &ifr) ==
				    0) {
					const struct sockaddr_in *m =
					    (const void *)ifreq_sa(&ifr);
					const uint8_t *mb = (const uint8_t *)
					    &m->sin_addr.s_addr;

					ul_printf(io, " netmask 0x%02x%02x%02x"
					    "%02x", mb[0], mb[1], mb[2], mb[3]);
				}
				first_inet = false;
			}
			ul_printf(io, "\n");
		} else if (sa->sa_family == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (const void *)sa;
			struct in6_addr a = sin6->sin6_addr;

			/* the kernel embeds a link-local scope: show it
			 * as NetBSD does, %interface */
			if (a.s6_addr[0] == 0xfe && (a.s6_addr[1] & 0xc0) ==
			    0x80) {
				a.s6_addr[2] = a.s6_addr[3] = 0;
				ul_printf(io, "\tinet6 %s%%%s\n",
				    ul_inet6_ntop(&a, b, sizeof(b)), name);
			} else {
				ul_printf(io, "\tinet6 %s\n",
				    ul_inet6_ntop(&a, b, sizeof(b)));
			}
		}
	}
}

static int
ifconfig_list(struct ul_io *io, int s, const char *only, bool names_only)
{
	struct ifreq *reqs;
	size_t n, cap, i, j;
	int error, found = 0;

	error = ifconfig_getconf(s, &reqs, &n, &cap);
	if (error != 0) {
		ul_warnc(io, error, "SIOCGIFCONF");
		return 1;
	}
	for (i = 0; i < n; i++) {
		/* first ifreq of each interface only */
		for (j = 0; j < i; j++)
			if (strncmp(reqs[j].ifr_name, reqs[i].ifr_name,
			    IFNAMSIZ) == 0)
				break;
		if (j < i)
			continue;
		if (only != NULL && strncmp(only, reqs[i].ifr_name,
		    IFNAMSIZ) != 0)
			continue;
		found++;
		if (names_only)
			ul_printf(io, "%s%.*s", found > 1 ? " " : "",
			    IFNAMSIZ, reqs[i].ifr_name);
		else
			ifconfig_print_if(io, s, reqs[i].ifr_name, reqs, n);
	}
	if (names_only)
		ul_printf(io, "\n");
	ul_free(reqs, cap * sizeof(*reqs));
	if (only != NULL && found == 0) {
		ul_warnx(io, "interface %s does not exist", only);
		return 1;
	}
	return 0;
}

static int
ifconfig_setflags(struct ul_io *io, int s, const char *name, bool up)
{
	struct ifreq ifr;
	int error;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	error = ifconfig_ioctl(s, SIOCGIFFLAGS, &ifr);
	if (error == 0) {
		if (up)
			ifr.ifr_flags |= IFF_UP;
		else
			ifr.ifr_flags &= ~IFF_UP;
		error = ifconfig_ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (error != 0) {
		ul_warnc(io, error, "SIOCSIFFLAGS");
		return 1;
	}
	return 0;
}

static int
ifconfig_addr(struct ul_io *io, int s, const char *name, int af,
    const char *text, const char *mask, int plen, bool del)
{
	char buf[128], *slash;
	int error;

	snprintf(buf, sizeof(buf), "%s", text);
	if ((slash = strchr(buf, '/')) != NULL) {
		char *end;

		*slash = '\0';
		plen = (int)strtol(slash + 1, &end, 10);
		if (*end != '\0' || plen < 0 ||
		    plen > (af == AF_INET6 ? 128 : 32)) {
			ul_warnx(io, "%s: bad prefix length", text);
			return 1;
		}
	}
	if (af == AF_INET6) {
		struct in6_aliasreq ifra;
		struct in6_ifreq ifr6;
		struct in6_addr a, m;

		if (!ul_inet6_pton(buf, &a)) {
			ul_warnx(io, "%s: bad value", text);
			return 1;
		}
		if (del) {
			memset(&ifr6, 0, sizeof(ifr6));
			snprintf(ifr6.ifr_name, sizeof(ifr6.ifr_name), "%s",
			    name);
			ul_sin6_init(&ifr6.ifr_ifru.ifru_addr, &a);
			error = ifconfig_ioctl(s, SIOCDIFADDR_IN6, &ifr6);
		} else {
			memset(&ifra, 0, sizeof(ifra));
			snprintf(ifra.ifra_name, sizeof(ifra.ifra_name), "%s",
			    name);
			ul_sin6_init(&ifra.ifra_addr, &a);
			ul_plen2mask6(plen < 0 ? 64 : plen, &m);
			ul_sin6_init(&ifra.ifra_prefixmask, &m);
			error = ifconfig_ioctl(s, SIOCAIFADDR_IN6, &ifra);
		}
	} else {
		struct in_aliasreq ifra;
		struct ifreq ifr;
		struct in_addr a, m;

		if (!ul_inet_pton(buf, &a)) {
			ul_warnx(io, "%s: bad value", text);
			return 1;
		}
		if (del) {
			memset(&ifr, 0, sizeof(ifr));
			snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s",
			    name);
			ul_sin_init((struct sockaddr_in *)ifreq_sa(&ifr), &a);
			error = ifconfig_ioctl(s, SIOCDIFADDR, &ifr);
		} else {
			memset(&ifra, 0, sizeof(ifra));
			snprintf(ifra.ifra_name, sizeof(ifra.ifra_name), "%s",
			    name);
			ul_sin_init(&ifra.ifra_addr, &a);
			if (mask != NULL) {
				if (!ul_inet_pton(mask, &m)) {
					ul_warnx(io, "%s: bad value", mask);
					return 1;
				}
				ul_sin_init(&ifra.ifra_mask, &m);
			} else if (plen >= 0) {
				ul_plen2mask4(plen, &m);
				ul_sin_init(&ifra.ifra_mask, &m);
			}
			error = ifconfig_ioctl(s, SIOCAIFADDR, &ifra);
		}
	}
	if (error != 0) {
		ul_warnc(io, error, "%s", del ? (af == AF_INET6 ?
		    "SIOCDIFADDR_IN6" : "SIOCDIFADDR") : (af == AF_INET6 ?
		    "SIOCAIFADDR_IN6" : "SIOCAIFADDR"));
		return 1;
	}
	return 0;
}

int
ul_ifconfig_main(struct ul_io *io, int argc, char **argv)
{
	const char *name, *addr = NULL, *mask = NULL;
	int s, error, i, af = AF_INET, plen = -1, rc = 0;
	bool del = false, up = false, down = false;
	long mtu = -1;

	/* interface ioctls work on any socket; prefer AF_INET like
	 * NetBSD, fall back to AF_LOCAL while UDP sockets are missing */
	error = sys_socket(AF_INET, SOCK_DGRAM, 0, &s);
	if (error != 0)
		error = sys_socket(AF_LOCAL, SOCK_DGRAM, 0, &s);
	if (error != 0) {
		ul_warnc(io, error, "socket");
		return 1;
	}
	if (argc < 2 || strcmp(argv[1], "-a") == 0) {
		rc = ifconfig_list(io, s, NULL, false);
		goto out;
	}
	if (strcmp(argv[1], "-l") == 0) {
		rc = ifconfig_list(io, s, NULL, true);
		goto out;
	}
	if (argv[1][0] == '-') {
		rc = ifconfig_usage(io);
		goto out;
	}
	name = argv[1];
	if (argc == 2) {
		rc = ifconfig_list(io, s, name, false);
		goto out;
	}
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "inet") == 0)
			af = AF_INET;
		else if (strcmp(a, "inet6") == 0)
			af = AF_INET6;
		else if (strcmp(a, "alias") == 0 || strcmp(a, "add") == 0)
			;
		else if (strcmp(a, "-alias") == 0 || strcmp(a, "delete") == 0)
			del = true;
		else if (strcmp(a, "up") == 0)
			up = true;
		else if (strcmp(a, "down") == 0)
			down = true;
		else if (strcmp(a, "netmask") == 0 && i + 1 < argc)
			mask = argv[++i];
		else if (strcmp(a, "prefixlen") == 0 && i + 1 < argc)
			plen = atoi(argv[++i]);
		else if (strcmp(a, "mtu") == 0 && i + 1 < argc) {
			char *end;

			mtu = strtol(argv[++i], &end, 10);
			if (*end != '\0' || mtu <= 0) {
				ul_warnx(io, "%s: bad value", argv[i]);
				rc = 1;
				goto out;
			}
		} else if (addr == NULL && a[0] != '-')
			addr = a;
		else {
			rc = ifconfig_usage(io);
			goto out;
		}
	}
	if (addr != NULL && strchr(addr, ':') != NULL)
		af = AF_INET6;
	if (addr != NULL && ifconfig_addr(io, s, name, af, addr, mask, plen,
	    del) != 0)
		rc = 1;
	if (mtu > 0) {
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		ifr.ifr_mtu = (int)mtu;
		error = ifconfig_ioctl(s, SIOCSIFMTU, &ifr);
		if (error != 0) {
			ul_warnc(io, error, "SIOCSIFMTU");
			rc = 1;
		}
	}
	if (up && ifconfig_setflags(io, s, name, true) != 0)
		rc = 1;
	if (down && ifconfig_setflags(io, s, name, false) != 0)
		rc = 1;
out:
	sys_close(s);
	return rc;
}
