/*
 * Sockets as files: the fileops of DTYPE_SOCKET descriptors, and poll.
 *
 * Pollers sleep on the host's sopoll_cv until sopoll_gen moves; a
 * socket whose readiness a poller waits for has SB_SEL set in the
 * sockbuf, and sowakeup then calls sopoll_notify.
 */
#include <poll.h>

#include "sys/systm.h"
#include "sys/condvar.h"
#include "sys/mutex.h"
#include "sys/vnet.h"
#include "sys/file.h"
#include "sys/lwp.h"
#include "sys/mbuf.h"
#include "sys/protosw.h"
#include "sys/socketvar.h"
#include "sys/syscall.h"
#include "sys/uio.h"

#include "sys_socket_impl.h"

VNET_DEFINE_STATIC(kmutex_t, sopoll_lock);
VNET_DEFINE_STATIC(kcondvar_t, sopoll_cv);
VNET_DEFINE_STATIC(uint64_t, sopoll_gen);
#define V_sopoll_lock	VNET(sopoll_lock)
#define V_sopoll_cv	VNET(sopoll_cv)
#define V_sopoll_gen	VNET(sopoll_gen)

static void
sopoll_init_vnet(void)
{
	mutex_init(&V_sopoll_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&V_sopoll_cv, "sopoll");
	V_sopoll_gen = 0;
}

static void
sopoll_fini_vnet(void)
{
	cv_destroy(&V_sopoll_cv);
	mutex_destroy(&V_sopoll_lock);
}
VNET_SYSINIT(sopoll, VNET_ORDER_KERN, sopoll_init_vnet, sopoll_fini_vnet);

/*
 * Interface ioctls go to the interface layer when it is linked (the
 * stack_net library; programs of the kernel core alone do without):
 * hence the weak reference.  A constant initialiser, not an assignment
 * at each host's boot, which would race with the other hosts' reads.
 */
extern int ifioctl(struct socket *, u_long, void *, struct lwp *)
    __attribute__((__weak__));
int (*sys_ifioctl_hook)(struct socket *, u_long, void *, struct lwp *) =
    ifioctl;

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

int
sowritable(const struct socket *so)
{
	return (sbspace(&so->so_snd) >= so->so_snd.sb_lowat &&
	    ((so->so_state & SS_ISCONNECTED) != 0 ||
	    (so->so_proto->pr_flags & PR_CONNREQUIRED) == 0)) ||
	    (so->so_state & SS_CANTSENDMORE) != 0 || so->so_error != 0;
}

/*
 * Readiness of so for events.  When nothing is ready, the sockbufs are
 * marked SB_SEL so that the next change calls sopoll_notify.
 */
int
sopoll(struct socket *so, int events)
{
	int revents = 0;

	solock(so);
	if ((events & (POLLIN | POLLRDNORM)) != 0 && soreadable(so))
		revents |= events & (POLLIN | POLLRDNORM);
	if ((events & (POLLOUT | POLLWRNORM)) != 0 && sowritable(so))
		revents |= events & (POLLOUT | POLLWRNORM);
	if (revents == 0) {
		if ((events & (POLLIN | POLLRDNORM)) != 0)
			so->so_rcv.sb_flags |= SB_SEL;
		if ((events & (POLLOUT | POLLWRNORM)) != 0)
			so->so_snd.sb_flags |= SB_SEL;
	}
	sounlock(so);
	return revents;
}

void
sopoll_notify(void)
{
	mutex_enter(&V_sopoll_lock);
	V_sopoll_gen++;
	cv_broadcast(&V_sopoll_cv);
	mutex_exit(&V_sopoll_lock);
}

uint64_t
sopoll_gen(void)
{
	uint64_t gen;

	mutex_enter(&V_sopoll_lock);
	gen = V_sopoll_gen;
	mutex_exit(&V_sopoll_lock);
	return gen;
}

int
sopoll_wait(uint64_t gen, int ticks)
{
	int error = 0;

	mutex_enter(&V_sopoll_lock);
	if (V_sopoll_gen == gen)
		error = cv_timedwait_sig(&V_sopoll_cv, &V_sopoll_lock, ticks);
	mutex_exit(&V_sopoll_lock);
	return error;
}
