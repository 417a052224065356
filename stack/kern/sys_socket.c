/*
 * Sockets as files: the fileops of DTYPE_SOCKET descriptors.
 */
#include <poll.h>

#include "sys/systm.h"
#include "sys/file.h"
#include "sys/lwp.h"
#include "sys/mbuf.h"
#include "sys/protosw.h"
#include "sys/socketvar.h"
#include "sys/syscall.h"
#include "sys/uio.h"

#include "sys_socket_impl.h"

int (*sys_ifioctl_hook)(struct socket *, u_long, void *, struct lwp *);

static int
soo_read(struct file *fp, struct uio *uio, int flags)
{
	return soreceive(fp->f_data, NULL, uio, NULL, NULL, &flags);
}

static int
soo_write(struct file *fp, struct uio *uio, int flags)
{
	return sosend(fp->f_data, NULL, uio, NULL, NULL, flags, curlwp);
}

#define IOCGROUP(x)	((int)(((x) >> 8) & 0xff))

static int
soo_ioctl(struct file *fp, u_long cmd, void *data)
{
	struct socket *so = fp->f_data;
	int error = 0;

	switch (cmd) {
	case FIONBIO:
		solock(so);
		if (*(int *)data) {
			so->so_state |= SS_NBIO;
			fp->f_flag |= FNONBLOCK;
		} else {
			so->so_state &= ~SS_NBIO;
			fp->f_flag &= ~FNONBLOCK;
		}
		sounlock(so);
		return 0;
	case FIONREAD:
		solock(so);
		*(int *)data = (int)so->so_rcv.sb_cc;
		sounlock(so);
		return 0;
	case FIONWRITE:
		solock(so);
		*(int *)data = (int)so->so_snd.sb_cc;
		sounlock(so);
		return 0;
	case FIONSPACE:
		solock(so);
		*(int *)data = (int)sbspace(&so->so_snd);
		sounlock(so);
		return 0;
	}
	error = EOPNOTSUPP;
	if (so->so_proto->pr_ioctl != NULL) {
		solock(so);
		error = (*so->so_proto->pr_ioctl)(so, cmd, data, curlwp);
		sounlock(so);
	}
	if (error == EOPNOTSUPP && IOCGROUP(cmd) == 'i' &&
	    sys_ifioctl_hook != NULL)
		error = (*sys_ifioctl_hook)(so, cmd, data, curlwp);
	return error;
}

static int
soo_poll(struct file *fp, int events)
{
	return sopoll(fp->f_data, events);
}

static int
soo_close(struct file *fp)
{
	struct socket *so = fp->f_data;

	fp->f_data = NULL;
	return so != NULL ? soclose(so) : 0;
}

static void
soo_restart(struct file *fp)
{
	if (fp->f_data != NULL)
		sorestart(fp->f_data);
}

const struct fileops socketops = {
	.fo_read = soo_read,
	.fo_write = soo_write,
	.fo_ioctl = soo_ioctl,
	.fo_poll = soo_poll,
	.fo_close = soo_close,
	.fo_restart = soo_restart,
};
