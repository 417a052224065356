/*
 * netstat(1): the routing tables (-r) and protocol statistics (-s).
 *
 *	netstat -r[n] [-f inet|inet6]
 *	netstat -s [-f inet|inet6]	counters from sysctl net.*.stats.*
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/syscall.h"

#include "ul_route.h"

static int
netstat_usage(struct ul_io *io)
{
	ul_eprintf(io, "usage: netstat -r[n] [-f address_family]\n"
	    "       netstat -s [-f address_family]\n");
	return 1;
}

/* Print every counter node under `prefix' as "\t<value> <name>". */
static void
netstat_stats(struct ul_io *io, const char *title, const char *prefix)
{
	char name[128], descr[128];
	size_t plen = strlen(prefix);
	bool any = false;

	name[0] = '\0';
	while (sys_sysctl_next(name, name, sizeof(name), descr,
	    sizeof(descr)) == 0) {
		char buf[64];

		if (strncmp(name, prefix, plen) != 0)
			continue;
		if (sys_sysctl_text(name, buf, sizeof(buf), NULL) != 0)
			continue;
		if (!any)
			ul_printf(io, "%s:\n", title);
		any = true;
		ul_printf(io, "\t%s %s\n", buf, descr[0] != '\0' ? descr :
		    name + plen);
	}
}

int
ul_netstat_main(struct ul_io *io, int argc, char **argv)
{
	bool rflag = false, sflag = false;
	int af = 0, i;

	for (i = 1; i < argc; i++) {
		const char *f;

		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "inet") == 0)
				af = AF_INET;
			else if (strcmp(argv[i], "inet6") == 0)
				af = AF_INET6;
			else {
				ul_warnx(io, "%s: unknown address family",
				    argv[i]);
				return 1;
			}
			continue;
		}
		if (argv[i][0] != '-')
			return netstat_usage(io);
		for (f = argv[i] + 1; *f != '\0'; f++) {
			switch (*f) {
			case 'r':
				rflag = true;
				break;
			case 's':
				sflag = true;
				break;
			case 'n':
				break;
			default:
				return netstat_usage(io);
			}
		}
	}
	if (rflag && !sflag) {
		char *av[3] = { "show", NULL, NULL };

		if (af == AF_INET)
			av[1] = "-inet";
		else if (af == AF_INET6)
			av[1] = "-inet6";
		return ul_route_show(io, av[1] ? 1 : 0, av + 1);
	}
	if (sflag && rflag) {
		netstat_stats(io, "routing", "net.route.stats.");
		return 0;
	}
	if (sflag) {
		if (af == 0 || af == AF_INET) {
			netstat_stats(io, "ip", "net.inet.ip.stats.");
			netstat_stats(io, "icmp", "net.inet.icmp.stats.");
			netstat_stats(io, "udp", "net.inet.udp.stats.");
			netstat_stats(io, "arp", "net.inet.arp.stats.");
		}
		if (af == 0 || af == AF_INET6) {
			netstat_stats(io, "ip6", "net.inet6.ip6.stats.");
			netstat_stats(io, "icmp6", "net.inet6.icmp6.stats.");
			netstat_stats(io, "udp6", "net.inet6.udp6.stats.");
			netstat_stats(io, "nd6", "net.inet6.nd6.stats.");
		}
		return 0;
	}
	return netstat_usage(io);
}
