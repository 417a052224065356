/*
 * ping(8) and ping6(8), NetBSD syntax and output.
 *
 *	ping [-n] [-c count] [-i wait] [-w deadline] [-s size] [-t ttl] host
 *	ping6 [-n] [-c count] [-i wait] [-w deadline] [-s size] [-h hlim] host
 *
 * Echo requests are built here (id = pid, seq, a counting payload, and
 * for IPv4 the ICMP checksum; the kernel fills the IPv6 one) and sent on
 * a raw socket, socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) or
 * socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6).  Replies are read with
 * poll and recvfrom/recvmsg until the next send is due; only one request
 * is outstanding at a time.
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

/* below a millisecond of waiting, poll(2)'s unit, sleep in steps of this */
#define PING_POLL_NS	10000ULL
#define PING_MAXPACKET	(65535 + 8)

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

/* The Internet checksum of len bytes (RFC 1071). */
static uint16_t
ping_cksum(const uint8_t *p, int len)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* Send echo request (id, seq) with size data bytes to dst; 0 or errno. */
static int
ping_send(int s, bool v6, const struct sockaddr *dst, uint16_t id,
    uint16_t seq, int size, uint8_t *buf)
{
	ssize_t n;
	int i, error;

	memset(buf, 0, 8);
	buf[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	buf[4] = (uint8_t)(id >> 8);
	buf[5] = (uint8_t)id;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	for (i = 0; i < size; i++)
		buf[8 + i] = (uint8_t)i;
	if (!v6) {
		uint16_t ck = ping_cksum(buf, 8 + size);

		memcpy(buf + 2, &ck, sizeof(ck));
	}
	error = sys_sendto(s, buf, (size_t)(8 + size), 0, dst, dst->sa_len,
	    &n);
	return error;
}

/*
 * Is the datagram in buf (len bytes) the reply to (id, seq)?  IPv4 raw
 * sockets return the IP header too; *ttlp gets its TTL.
 */
static bool
ping_match(bool v6, const uint8_t *buf, ssize_t len, uint16_t id,
    uint16_t seq, int *ttlp)
{
	int hl = 0;

	if (!v6) {
		if (len < 20)
			return false;
		hl = (buf[0] & 0x0f) << 2;
		*ttlp = buf[8];
	}
	if (len < hl + 8)
		return false;
	buf += hl;
	return buf[0] == (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY) &&
	    (uint16_t)(buf[4] << 8 | buf[5]) == id &&
	    (uint16_t)(buf[6] << 8 | buf[7]) == seq;
}

/* Wait for the reply to (id, seq) until `until'; its RTT in ns or -1. */
static int64_t
ping_wait_reply(int s, bool v6, uint16_t id, uint16_t seq, uint64_t sent,
    uint64_t until, int *ttlp, uint8_t *buf)
{
	for (;;) {
		struct pollfd pfd;
		uint64_t now = ul_clock_ns();
		int nready = 0, timeout;

		if (now >= until)
			return -1;
		timeout = (int)((until - now) / 1000000ULL);
		pfd.fd = s;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (sys_poll(&pfd, 1, timeout, &nready) != 0)
			return -1;
		if (nready == 0) {
			if (timeout == 0)	/* under 1 ms left */
				ul_nanosleep(until - ul_clock_ns() <
				    PING_POLL_NS ? until - ul_clock_ns() :
				    PING_POLL_NS);
			continue;
		}
		while (true) {
			struct msghdr msg;
			struct iovec iov;
			union {
				struct cmsghdr	hdr;
				uint8_t		buf[CMSG_SPACE(sizeof(int))];
			} cmsg;
			ssize_t n = 0;

			memset(&msg, 0, sizeof(msg));
			iov.iov_base = buf;
			iov.iov_len = PING_MAXPACKET;
			msg.msg_iov = &iov;
			msg.msg_iovlen = 1;
			msg.msg_control = v6 ? &cmsg : NULL;
			msg.msg_controllen = v6 ? sizeof(cmsg) : 0;
			if (sys_recvmsg(s, &msg, MSG_DONTWAIT, &n) != 0)
				break;
			if (v6 && msg.msg_controllen >= CMSG_LEN(sizeof(int)) &&
			    cmsg.hdr.cmsg_level == IPPROTO_IPV6 &&
			    cmsg.hdr.cmsg_type == IPV6_HOPLIMIT)
				memcpy(ttlp, CMSG_DATA(&cmsg.hdr),
				    sizeof(int));
			if (ping_match(v6, buf, n, id, seq, ttlp))
				return (int64_t)(ul_clock_ns() - sent);
		}
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
	struct sockaddr_storage dst;
	uint8_t *buf;
	uint16_t id;
	int i, s, on = 1, error = 0;

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
	memset(&dst, 0, sizeof(dst));
	if (po.po_v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&dst;

		sin6->sin6_len = sizeof(*sin6);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = a6;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&dst;

		sin->sin_len = sizeof(*sin);
		sin->sin_family = AF_INET;
		sin->sin_addr = a4;
	}
	error = sys_socket(po.po_v6 ? AF_INET6 : AF_INET, SOCK_RAW,
	    po.po_v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, &s);
	if (error != 0) {
		ul_warnc(io, error, "socket");
		return 1;
	}
	if (po.po_ttl > 0)
		error = sys_setsockopt(s, po.po_v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		    po.po_v6 ? IPV6_UNICAST_HOPS : IP_TTL, &po.po_ttl,
		    sizeof(po.po_ttl));
	if (error == 0 && po.po_v6)
		error = sys_setsockopt(s, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
		    sizeof(on));
	if (error != 0) {
		ul_warnc(io, error, "setsockopt");
		(void)sys_close(s);
		return 1;
	}
	buf = ul_zalloc(PING_MAXPACKET);
	if (buf == NULL) {
		ul_warnc(io, ENOMEM, "malloc");
		(void)sys_close(s);
		return 1;
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
		error = ping_send(s, po.po_v6,
		    (const struct sockaddr *)(void *)&dst, id, (uint16_t)sent,
		    po.po_size, buf);
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
		rtt = ping_wait_reply(s, po.po_v6, id, (uint16_t)(sent - 1),
		    t0, until, &ttl, buf);
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
	ul_free(buf, PING_MAXPACKET);
	(void)sys_close(s);
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
