/*
 * ping(8) and ping6(8), NetBSD syntax and output.
 *
 *	ping [-n] [-c count] [-i wait] [-w deadline] [-s size] [-t ttl] host
 *	ping6 [-n] [-c count] [-i wait] [-w deadline] [-s size] [-h hlim] host
 *
 * The stack has no raw sockets yet, so echo requests go out through the
 * kernel's ICMP echo entry points (icmp_echo_send / icmp6_echo_send, in
 * the calling process's context) and replies are read back with
 * icmp_last_reply, checked every 10 us of virtual time.  Only one
 * request is outstanding at a time.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ul.h"
#include "netinet/ip_icmp.h"
#include "netinet6/icmp6.h"
#include "sys/syscall.h"

#define PING_POLL_NS	10000ULL

struct ping_opts {
	bool		 po_v6;
	long		 po_count;	/* 0: until the deadline */
	uint64_t	 po_interval;	/* ns */
	uint64_t	 po_deadline;	/* ns, 0: none */
	int		 po_size;
	int		 po_ttl;
	const char	*po_host;
};

static bool
ping_parse_secs(const char *s, uint64_t *ns)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || v < 0 || v > 1e6)
		return false;
	*ns = (uint64_t)llround(v * 1e9);
	return true;
}

static int
ping_usage(struct ul_io *io, bool v6)
{
	ul_eprintf(io, "usage: %s [-n] [-c count] [-i wait] [-w deadline] "
	    "[-s packetsize] [-%c %s] host\n", v6 ? "ping6" : "ping",
	    v6 ? 'h' : 't', v6 ? "hoplimit" : "ttl");
	return 1;
}

/* Wait for the reply to (id, seq) until `until'; its RTT in ns or -1. */
static int64_t
ping_wait_reply(bool v6, uint16_t id, uint16_t seq, uint64_t sent,
    uint64_t until, int *ttlp)
{
	for (;;) {
		if (v6) {
			struct icmp6_reply_info ri;

			icmp6_last_reply(&ri);
			if (ri.ir_type == ICMP6_ECHO_REPLY && ri.ir_id == id &&
			    ri.ir_seq == seq && ri.ir_time >= sent) {
				*ttlp = ri.ir_hlim;
				return (int64_t)(ri.ir_time - sent);
			}
		} else {
			struct icmp_reply_info ri;

			icmp_last_reply(&ri);
			if (ri.ir_type == ICMP_ECHOREPLY && ri.ir_id == id &&
			    ri.ir_seq == seq && ri.ir_time >= sent) {
				*ttlp = ri.ir_ttl;
				return (int64_t)(ri.ir_time - sent);
			}
		}
		if (ul_clock_ns() + PING_POLL_NS > until)
			return -1;
		ul_nanosleep(PING_POLL_NS);
	}
}

int
ul_ping_main(struct ul_io *io, int argc, char **argv)
{
	struct ping_opts po;
	struct in_addr a4;
	struct in6_addr a6;
	uint64_t start, now, next;
	long sent = 0, received = 0;
	double tmin = 0, tmax = 0, tsum = 0, tsq = 0;
	uint16_t id;
	int i, error = 0;

	memset(&po, 0, sizeof(po));
	po.po_v6 = strcmp(argv[0], "ping6") == 0;
	po.po_interval = 1000000000ULL;
	po.po_size = 56;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *f = argv[i] + 1;
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (strcmp(f, "n") == 0)
			continue;
		if (f[1] != '\0' || val == NULL)
			return ping_usage(io, po.po_v6);
		i++;
		switch (f[0]) {
		case 'c':
			po.po_count = strtol(val, &end, 10);
			if (*end != '\0' || po.po_count <= 0) {
				ul_warnx(io, "invalid count of packets to "
				    "transmit: `%s'", val);
				return 1;
			}
			break;
		case 'i':
			if (!ping_parse_secs(val, &po.po_interval) ||
			    po.po_interval < 10000ULL) {
				ul_warnx(io, "bad timing interval: %s", val);
				return 1;
			}
			break;
		case 'w':
			if (!ping_parse_secs(val, &po.po_deadline) ||
			    po.po_deadline == 0) {
				ul_warnx(io, "bad deadline: %s", val);
				return 1;
			}
			break;
		case 's':
			po.po_size = (int)strtol(val, &end, 10);
			if (*end != '\0' || po.po_size < 0 ||
			    po.po_size > 65000) {
				ul_warnx(io, "bad packet size: %s", val);
				return 1;
			}
			break;
		case 't':
		case 'h':
			po.po_ttl = (int)strtol(val, &end, 10);
			if (*end != '\0' || po.po_ttl <= 0 ||
			    po.po_ttl > 255) {
				ul_warnx(io, "bad ttl: %s", val);
				return 1;
			}
			break;
		default:
			return ping_usage(io, po.po_v6);
		}
	}
	if (i != argc - 1)
		return ping_usage(io, po.po_v6);
	po.po_host = argv[i];
	if (po.po_v6 ? !ul_inet6_pton(po.po_host, &a6) :
	    !ul_inet_pton(po.po_host, &a4)) {
		ul_warnx(io, "Cannot resolve %s (host name lookup failure)",
		    po.po_host);
		return 1;
	}
	if (po.po_count == 0 && po.po_deadline == 0)
		po.po_count = -1;	/* forever, like ping(8) */

	/* deterministic per process: the pid is the id, as in ping(8) */
	{
		pid_t pid = 0;

		sys_getpid(&pid);
		id = (uint16_t)pid;
	}
	if (po.po_v6)
		ul_printf(io, "PING6(%d=40+8+%d bytes) %s --> %s\n",
		    48 + po.po_size, po.po_size, "::", po.po_host);
	else
		ul_printf(io, "PING %s (%s): %d data bytes\n", po.po_host,
		    po.po_host, po.po_size);

	start = ul_clock_ns();
	next = start;
	for (;;) {
		uint64_t until, t0;
		int64_t rtt;
		int ttl = 0;

		if (po.po_count > 0 && sent >= po.po_count)
			break;
		now = ul_clock_ns();
		if (po.po_deadline != 0 && now >= start + po.po_deadline)
			break;
		if (now < next)
			ul_nanosleep(next - now);
		t0 = ul_clock_ns();
		if (po.po_v6)
			error = icmp6_echo_send(&a6, NULL, id, (uint16_t)sent,
			    po.po_size, po.po_ttl);
		else
			error = icmp_echo_send(a4, id, (uint16_t)sent,
			    po.po_size, po.po_ttl, false);
		sent++;
		next = t0 + po.po_interval;
		if (error != 0) {
			ul_warnc(io, error, "sendto");
			if (po.po_count > 0 && sent >= po.po_count)
				break;
			continue;
		}
		until = next;
		if (po.po_count > 0 && sent >= po.po_count)
			until = t0 + (po.po_interval > 1000000000ULL ?
			    po.po_interval : 1000000000ULL);
		if (po.po_deadline != 0 && until > start + po.po_deadline)
			until = start + po.po_deadline;
		rtt = ping_wait_reply(po.po_v6, id, (uint16_t)(sent - 1), t0,
		    until, &ttl);
		if (rtt >= 0) {
			double ms = (double)rtt / 1e6;

			received++;
			if (received == 1 || ms < tmin)
				tmin = ms;
			if (ms > tmax)
				tmax = ms;
			tsum += ms;
			tsq += ms * ms;
			if (po.po_v6)
				ul_printf(io, "%d bytes from %s, icmp_seq=%ld "
				    "hlim=%d time=%.3f ms\n", po.po_size + 8,
				    po.po_host, sent - 1, ttl, ms);
			else
				ul_printf(io, "%d bytes from %s: icmp_seq=%ld "
				    "ttl=%d time=%.3f ms\n", po.po_size + 8,
				    po.po_host, sent - 1, ttl, ms);
		}
	}
	ul_printf(io, "\n----%s PING%s Statistics----\n", po.po_host,
	    po.po_v6 ? "6" : "");
	ul_printf(io, "%ld packets transmitted, %ld packets received, ",
	    sent, received);
	ul_printf(io, "%.1f%% packet loss\n", sent > 0 ?
	    (double)(sent - received) * 100.0 / (double)sent : 0.0);
	if (received > 0) {
		double avg = tsum / (double)received;
		double var = tsq / (double)received - avg * avg;

		ul_printf(io, "round-trip min/avg/max/stddev = "
		    "%.3f/%.3f/%.3f/%.3f ms\n", tmin, avg, tmax,
		    sqrt(var > 0 ? var : 0));
	}
	if (received > 0)
		return 0;
	return error != 0 ? 1 : 2;
}
