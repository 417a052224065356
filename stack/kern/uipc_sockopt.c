/*
 * Socket options at the socket level (SOL_SOCKET) and the sockopt
 * helpers protocols use for their own levels.
 */
#include <sys/time.h>		/* libc: struct timeval */

#include "sys/systm.h"
#include "sys/protosw.h"
#include "sys/socket.h"
#include "sys/socketvar.h"

int
sockopt_get(const struct sockopt *sopt, void *buf, size_t len)
{
	if (sopt->sopt_size != len)
		return EINVAL;
	memcpy(buf, sopt->sopt_data, len);
	return 0;
}

int
sockopt_getint(const struct sockopt *sopt, int *valp)
{
	return sockopt_get(sopt, valp, sizeof(*valp));
}

/* Copy a result out, truncated to the caller's buffer. */
int
sockopt_set(struct sockopt *sopt, const void *buf, size_t len)
{
	if (len < sopt->sopt_size)
		sopt->sopt_size = len;
	memcpy(sopt->sopt_data, buf, sopt->sopt_size);
	return 0;
}

int
sockopt_setint(struct sockopt *sopt, int val)
{
	return sockopt_set(sopt, &val, sizeof(val));
}

static int
so_settimeo(struct sockbuf *sb, const struct sockopt *sopt)
{
	struct timeval tv;
	uint64_t ticks;
	int error;

	error = sockopt_get(sopt, &tv, sizeof(tv));
	if (error != 0)
		return error;
	if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return EDOM;
	ticks = (uint64_t)tv.tv_sec * hz +
	    ((uint64_t)tv.tv_usec * hz + 999999) / 1000000;
	if (ticks > INT32_MAX)
		return EDOM;
	sb->sb_timeo = (int)ticks;
	return 0;
}

static int
so_gettimeo(const struct sockbuf *sb, struct sockopt *sopt)
{
	struct timeval tv;

	memset(&tv, 0, sizeof(tv));
	tv.tv_sec = sb->sb_timeo / hz;
	tv.tv_usec = (sb->sb_timeo % hz) * (1000000 / hz);
	return sockopt_set(sopt, &tv, sizeof(tv));
}

static int
sosetopt_locked(struct socket *so, struct sockopt *sopt)
{
	struct linger lg;
	int error, optval;

	switch (sopt->sopt_name) {
	case SO_LINGER:
		error = sockopt_get(sopt, &lg, sizeof(lg));
		if (error != 0)
			return error;
		if (lg.l_linger < 0 || lg.l_linger > INT16_MAX)
			return EINVAL;
		so->so_linger = (short)lg.l_linger;
		if (lg.l_onoff)
			so->so_options |= SO_LINGER;
		else
			so->so_options &= ~SO_LINGER;
		return 0;

	case SO_DEBUG:
	case SO_KEEPALIVE:
	case SO_DONTROUTE:
	case SO_USELOOPBACK:
	case SO_BROADCAST:
	case SO_REUSEADDR:
	case SO_REUSEPORT:
	case SO_OOBINLINE:
	case SO_TIMESTAMP:
	case SO_NOSIGPIPE:
		error = sockopt_getint(sopt, &optval);
		if (error != 0)
			return error;
		if (optval)
			so->so_options |= (short)sopt->sopt_name;
		else
			so->so_options &= (short)~sopt->sopt_name;
		return 0;

	case SO_SNDBUF:
	case SO_RCVBUF:
	case SO_SNDLOWAT:
	case SO_RCVLOWAT:
		error = sockopt_getint(sopt, &optval);
		if (error != 0)
			return error;
		if (optval < 1)
			return EINVAL;
		switch (sopt->sopt_name) {
		case SO_SNDBUF:
			if (sbreserve(&so->so_snd, (u_long)optval, so) == 0)
				return ENOBUFS;
			so->so_snd.sb_flags &= ~SB_AUTOSIZE;
			break;
		case SO_RCVBUF:
			if (sbreserve(&so->so_rcv, (u_long)optval, so) == 0)
				return ENOBUFS;
			so->so_rcv.sb_flags &= ~SB_AUTOSIZE;
			break;
		case SO_SNDLOWAT:
			so->so_snd.sb_lowat = (u_long)optval >
			    so->so_snd.sb_hiwat ? (long)so->so_snd.sb_hiwat :
			    optval;
			break;
		case SO_RCVLOWAT:
			so->so_rcv.sb_lowat = (u_long)optval >
			    so->so_rcv.sb_hiwat ? (long)so->so_rcv.sb_hiwat :
			    optval;
			break;
		}
		return 0;

	case SO_SNDTIMEO:
		return so_settimeo(&so->so_snd, sopt);
	case SO_RCVTIMEO:
		return so_settimeo(&so->so_rcv, sopt);

	default:
		return ENOPROTOOPT;
	}
}

int
sosetopt(struct socket *so, struct sockopt *sopt)
{
	int error;

	solock(so);
	if (sopt->sopt_level != SOL_SOCKET) {
		if (so->so_proto->pr_ctloutput != NULL)
			error = (*so->so_proto->pr_ctloutput)(PRCO_SETOPT, so,
			    sopt);
		else
			error = ENOPROTOOPT;
	} else
		error = sosetopt_locked(so, sopt);
	sounlock(so);
	return error;
}

static int
sogetopt_locked(struct socket *so, struct sockopt *sopt)
{
	struct linger lg;
	int optval;

	switch (sopt->sopt_name) {
	case SO_LINGER:
		memset(&lg, 0, sizeof(lg));
		lg.l_onoff = (so->so_options & SO_LINGER) != 0;
		lg.l_linger = so->so_linger;
		return sockopt_set(sopt, &lg, sizeof(lg));

	case SO_USELOOPBACK:
	case SO_DONTROUTE:
	case SO_DEBUG:
	case SO_KEEPALIVE:
	case SO_REUSEADDR:
	case SO_REUSEPORT:
	case SO_BROADCAST:
	case SO_OOBINLINE:
	case SO_TIMESTAMP:
	case SO_NOSIGPIPE:
	case SO_ACCEPTCONN:
		optval = so->so_options & sopt->sopt_name;
		return sockopt_setint(sopt, optval);

	case SO_TYPE:
		return sockopt_setint(sopt, so->so_type);

	case SO_ERROR:
		optval = so->so_error;
		so->so_error = 0;
		return sockopt_setint(sopt, optval);

	case SO_SNDBUF:
		return sockopt_setint(sopt, (int)so->so_snd.sb_hiwat);
	case SO_RCVBUF:
		return sockopt_setint(sopt, (int)so->so_rcv.sb_hiwat);
	case SO_SNDLOWAT:
		return sockopt_setint(sopt, (int)so->so_snd.sb_lowat);
	case SO_RCVLOWAT:
		return sockopt_setint(sopt, (int)so->so_rcv.sb_lowat);
	case SO_OVERFLOWED:
		return sockopt_setint(sopt, (int)so->so_rcv.sb_overflowed);
	case SO_SNDTIMEO:
		return so_gettimeo(&so->so_snd, sopt);
	case SO_RCVTIMEO:
		return so_gettimeo(&so->so_rcv, sopt);

	default:
		return ENOPROTOOPT;
	}
}

int
sogetopt(struct socket *so, struct sockopt *sopt)
{
	int error;

	solock(so);
	if (sopt->sopt_level != SOL_SOCKET) {
		if (so->so_proto->pr_ctloutput != NULL)
			error = (*so->so_proto->pr_ctloutput)(PRCO_GETOPT, so,
			    sopt);
		else
			error = ENOPROTOOPT;
	} else
		error = sogetopt_locked(so, sopt);
	sounlock(so);
	return error;
}
