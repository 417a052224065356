/*
 * Routing-socket helpers shared by route(8) and netstat(1).
 */
#ifndef _KNIT_TOOLS_USERLAND_UL_ROUTE_H_
#define _KNIT_TOOLS_USERLAND_UL_ROUTE_H_

#include "net/route.h"
#include "ul.h"

struct ul_rtreply {
	uint8_t		 rr_buf[1024] __attribute__((aligned(8)));
	size_t		 rr_len;
};

int	ul_rtmsg(int cmd, int flags, int af, const struct sockaddr *dst,
	    const struct sockaddr *gw, const struct sockaddr *mask,
	    const char *ifp, const struct sockaddr *ifa, struct ul_rtreply *);
void	ul_rtreply_addrs(const struct rt_msghdr *, size_t,
	    const struct sockaddr *[RTAX_MAX]);

/* One route of a table dump. */
struct ul_rtentry {
	int		 re_af;
	int		 re_flags;
	int		 re_plen;	/* -1 for host routes */
	uint64_t	 re_use;
	uint64_t	 re_mtu;
	int		 re_refs;
	struct sockaddr_storage re_dst, re_gw;
	char		 re_ifname[16];
};
/* Every route of family af (0: all) in table order; returns 0 or errno. */
int	ul_rtdump(int af, struct ul_rtentry **, size_t *n);

int	ul_route_flush(struct ul_io *, int, char **, bool quiet);
int	ul_route_show(struct ul_io *, int, char **);
void	ul_rtdst_text(const struct ul_rtentry *, char *, size_t);
void	ul_rttable_print(struct ul_io *, int af, const struct ul_rtentry *,
	    size_t);
/* netstat -r style flag letters (NetBSD order). */
void	ul_rtflags_letters(int flags, char *buf, size_t len);

#endif /* !_KNIT_TOOLS_USERLAND_UL_ROUTE_H_ */
