/*
 * The run recorder: what a running world sends to the run database
 * (record/db.h) at the run's trace level.
 *
 *	off	nothing (the run, its schedule and violations are recorded
 *		by the caller)
 *	packets	every frame a simulated NIC sends ("tx") or receives
 *		("rx"), with the route the sending LWP validated last for
 *		IP frames; every successful routing table change
 *		(probe knit:route:rtrequest:done) with the host's
 *		net.route.invalidation policy
 *	full	also the report's CPU lanes: lock acquisitions and
 *		releases (the machine's synchronisation funnel, cpu/sync.h),
 *		each CPU's switches between LWPs, its idle periods, and
 *		each interrupt and softint handler's begin and end
 *
 * Recording only observes: no hook blocks, charges time or takes a
 * scheduling point, so a run's trace hash is the same at every level.
 * The recorder is per world (world_recorder) and single-threaded like
 * the world.
 */
#ifndef _KNIT_SIM_RECORD_TRACE_H_
#define _KNIT_SIM_RECORD_TRACE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/db.h"

struct world;
struct host;
struct lwp;
struct trace;

/* Attach a recorder to w (NULL run or level off: returns NULL). */
struct trace	*trace_begin(struct world *, struct db_run *,
		    enum db_trace_level);
/* Detach (before db_run_end; the world must not run any more). */
void		 trace_end(struct trace *);
/* Rows recorded so far. */
uint64_t	 trace_rows(const struct trace *);

/* sim/net: a frame NIC `unit' of host h sent (outbound) or received. */
void		 trace_frame(struct trace *, struct host *, int unit,
		    const void *frame, size_t len, uint64_t when,
		    bool outbound);
/*
 * The scheduler (level full): CPU c now runs l (interrupt LWPs are
 * not switches: their handlers are intr/softint slices over the LWP
 * they interrupt); CPU c has nothing to run from `when' on.
 */
struct cpu_info;
void		 trace_switch(struct trace *, struct cpu_info *, struct lwp *,
		    uint64_t when);
void		 trace_idle(struct trace *, struct cpu_info *, uint64_t when);
/*
 * Interrupt LWP l begins (begin) or ends one handler: "intr_begin"/
 * "intr_end" for the hard interrupt slot, "softint_begin"/"softint_end"
 * for a softint, object = the slot ("softnet", "hardintr"), detail =
 * "ipl N" (begin only).
 */
void		 trace_intr(struct trace *, struct lwp *, const char *slot,
		    bool begin);

/*
 * What a frame is, decoded once for the database and for knit's
 * nic:packets.  fi_proto: the innermost protocol understood ("arp",
 * "icmp", "icmp6", "udp", "tcp"; "ip"/"ip6" for another protocol over
 * IP, or for a truncated header; "eth" otherwise).  fi_type: the
 * ICMP/ICMPv6 message ("echo-request", "echo-reply", "unreach",
 * "time-exceeded", "redirect", "neighbor-solicit", ...) or the ARP
 * operation ("request", "reply"); NULL for others.  fi_typenum: that
 * ICMP type or ARP opcode as a number, -1 if none.  Addresses are text
 * ("" when the frame has none).
 */
struct trace_frame_info {
	const char	*fi_proto;
	const char	*fi_type;
	int		 fi_typenum;
	char		 fi_src[46];	/* INET6_ADDRSTRLEN */
	char		 fi_dst[46];
	char		 fi_sum[160];
	bool		 fi_routed;	/* unicast IP, not neighbour discovery:
					   the kind of frame a route sends */
};
void		 trace_frame_decode(const void *frame, size_t len,
		    struct trace_frame_info *);

/* trace_route.c: a struct rtentry (stack/include/net/route.h) as data. */
struct trace_rt {
	int		 tr_family;	/* 4 or 6; 0 if not IP */
	uint8_t		 tr_dst[16];
	int		 tr_plen;
	bool		 tr_hasgw;	/* RTF_GATEWAY with an IP gateway */
	uint8_t		 tr_gw[16];
	char		 tr_flags[24];	/* netstat -rn letters */
};
void		 trace_rt_decode(const void *rtentry, struct trace_rt *);
/* Copy the first (at most len) bytes of an mbuf chain; returns how many. */
size_t		 trace_mbuf_copy(const void *mbuf, uint8_t *buf, size_t len);
/* RTM_ADD, RTM_DELETE, RTM_CHANGE as "add", "delete", "change". */
const char	*trace_rtm_name(int req);
/* RTCACHE_POLICY_* as its sysctl name. */
const char	*trace_policy_name(int policy);

#endif /* !_KNIT_SIM_RECORD_TRACE_H_ */
