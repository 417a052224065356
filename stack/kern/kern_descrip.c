/*
 * Open files and descriptor tables.
 *
 * Files are counted per host (V_filehead, under filelist_lock) so that
 * the Unix-domain garbage collector can walk them and tests can check
 * that none leaked.  f_count changes with atomics; the transition to
 * zero is final (nobody revives a file whose count reached zero: the
 * collector's holds use compare-and-swap from a non-zero value).
 */
#include "sys/systm.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/filedesc.h"
#include "sys/kmem.h"
#include "sys/lwp.h"
#include "sys/mutex.h"
#include "sys/proc.h"
#include "sys/vnet.h"

VNET_DEFINE_STATIC(kmutex_t, filelist_mtx);
VNET_DEFINE_STATIC(struct filelist, filehead);
VNET_DEFINE_STATIC(u_int, nfiles);
VNET_DEFINE_STATIC(uint64_t, file_nextid);
#define V_filelist_mtx	VNET(filelist_mtx)
#define V_filehead	VNET(filehead)
#define V_nfiles	VNET(nfiles)
#define V_file_nextid	VNET(file_nextid)

static void
file_init_vnet(void)
{
	mutex_init(&V_filelist_mtx, MUTEX_DEFAULT, IPL_NONE);
	LIST_INIT(&V_filehead);
	V_nfiles = 0;
	V_file_nextid = 1;
}

static void
file_fini_vnet(void)
{
	/*
	 * Files still open at teardown belong to processes that never
	 * exited; their memory is reported by the platform's leak check.
	 */
	if (V_nfiles != 0)
		kprintf("file: %u files left open at teardown\n", V_nfiles);
	mutex_destroy(&V_filelist_mtx);
}
VNET_SYSINIT(file, VNET_ORDER_KERN, file_init_vnet, file_fini_vnet);

void
filelist_lock(void)
{
	mutex_enter(&V_filelist_mtx);
}

void
filelist_unlock(void)
{
	mutex_exit(&V_filelist_mtx);
}

struct filelist *
filelist_head(void)
{
	return &V_filehead;
}

u_int
file_outstanding(void)
{
	u_int n;

	mutex_enter(&V_filelist_mtx);
	n = V_nfiles;
	mutex_exit(&V_filelist_mtx);
	return n;
}

int
file_alloc(struct file **fpp)
{
	struct file *fp;

	fp = kmem_zalloc(sizeof(*fp), KM_SLEEP);
	fp->f_count = 1;
	mutex_enter(&V_filelist_mtx);
	fp->f_id = V_file_nextid++;
	LIST_INSERT_HEAD(&V_filehead, fp, f_list);
	V_nfiles++;
	mutex_exit(&V_filelist_mtx);
	*fpp = fp;
	return 0;
}

void
file_hold(struct file *fp)
{
	KASSERT(fp->f_count > 0);
	atomic_inc_uint(&fp->f_count);
}

/*
 * Drop a reference.  The last one takes the file off the list (so the
 * collector no longer sees it) and closes the object behind it.
 */
int
closef(struct file *fp)
{
	int error = 0;

	KASSERT(fp->f_count > 0);
	if (atomic_dec_uint_nv(&fp->f_count) != 0)
		return 0;
	KASSERT(fp->f_msgcount == 0);
	mutex_enter(&V_filelist_mtx);
	LIST_REMOVE(fp, f_list);
	V_nfiles--;
	mutex_exit(&V_filelist_mtx);
	if (fp->f_ops != NULL)
		error = (*fp->f_ops->fo_close)(fp);
	kmem_free(fp, sizeof(*fp));
	return error;
}

/* ---------------------------------------------------------------- */
/* Descriptor tables */

struct filedesc *
fd_init(void)
{
	struct filedesc *fdp;

	fdp = kmem_zalloc(sizeof(*fdp), KM_SLEEP);
	mutex_init(&fdp->fd_lock, MUTEX_DEFAULT, IPL_NONE);
	fdp->fd_lastfile = -1;
	return fdp;
}

void
fd_free(struct filedesc *fdp)
{
	struct file *fp;
	int fd;

	/*
	 * Walk only the slots ever used (up to fd_lastfile), and drop the
	 * lock only around a close: every lock operation is a scheduling
	 * point, and walking all FD_NFILES_MAX slots made a process exit
	 * cost hundreds of them.
	 */
	mutex_enter(&fdp->fd_lock);
	for (fd = 0; fd <= fdp->fd_lastfile; fd++) {
		if ((fp = fdp->fd_ofiles[fd]) == NULL)
			continue;
		fdp->fd_ofiles[fd] = NULL;
		fdp->fd_oflags[fd] = 0;
		fdp->fd_nfiles--;
		mutex_exit(&fdp->fd_lock);
		(void)closef(fp);
		mutex_enter(&fdp->fd_lock);
	}
	mutex_exit(&fdp->fd_lock);
	KASSERT(fdp->fd_nfiles == 0);
	mutex_destroy(&fdp->fd_lock);
	kmem_free(fdp, sizeof(*fdp));
}

static struct filedesc *
fd_current(void)
{
	struct proc *p = curproc;

	return p != NULL ? p->p_fd : NULL;
}

int
fd_getfile(int fd, struct file **fpp)
{
	struct filedesc *fdp = fd_current();
	struct file *fp;

	if (fdp == NULL || fd < 0 || fd >= FD_NFILES_MAX)
		return EBADF;
	mutex_enter(&fdp->fd_lock);
	fp = fdp->fd_ofiles[fd];
	if (fp != NULL)
		file_hold(fp);
	mutex_exit(&fdp->fd_lock);
	if (fp == NULL)
		return EBADF;
	*fpp = fp;
	return 0;
}

void
fd_putfile(struct file *fp)
{
	(void)closef(fp);
}

int
fd_install(struct proc *p, struct file *fp, int flags, int *fdp_out)
{
	struct filedesc *fdp = p->p_fd;
	int fd;

	mutex_enter(&fdp->fd_lock);
	for (fd = 0; fd < FD_NFILES_MAX; fd++)
		if (fdp->fd_ofiles[fd] == NULL)
			break;
	if (fd == FD_NFILES_MAX) {
		mutex_exit(&fdp->fd_lock);
		return EMFILE;
	}
	fdp->fd_ofiles[fd] = fp;
	fdp->fd_oflags[fd] = (uint8_t)flags;
	fdp->fd_nfiles++;
	if (fd > fdp->fd_lastfile)
		fdp->fd_lastfile = fd;
	mutex_exit(&fdp->fd_lock);
	*fdp_out = fd;
	return 0;
}

int
fd_close(int fd)
{
	struct filedesc *fdp = fd_current();
	struct file *fp;

	if (fdp == NULL || fd < 0 || fd >= FD_NFILES_MAX)
		return EBADF;
	mutex_enter(&fdp->fd_lock);
	fp = fdp->fd_ofiles[fd];
	if (fp != NULL) {
		fdp->fd_ofiles[fd] = NULL;
		fdp->fd_oflags[fd] = 0;
		fdp->fd_nfiles--;
	}
	mutex_exit(&fdp->fd_lock);
	if (fp == NULL)
		return EBADF;
	/*
	 * Other holders may be blocked in a system call on this file: wake
	 * them so that they notice the close (NetBSD's fo_restart).
	 */
	if (fp->f_count > 1 && fp->f_ops != NULL &&
	    fp->f_ops->fo_restart != NULL)
		(*fp->f_ops->fo_restart)(fp);
	return closef(fp);
}

int
fd_nfree(struct proc *p)
{
	int n;

	mutex_enter(&p->p_fd->fd_lock);
	n = FD_NFILES_MAX - p->p_fd->fd_nfiles;
	mutex_exit(&p->p_fd->fd_lock);
	return n;
}

/*
 * Per-descriptor flags (FD_CLOEXEC_FLAG) of curproc: read into *getp if
 * it is not NULL, else set to set.  EBADF if fd is not open.
 */
static int
fd_flags(int fd, int *getp, int set)
{
	struct filedesc *fdp = fd_current();
	int error = 0;

	if (fdp == NULL || fd < 0 || fd >= FD_NFILES_MAX)
		return EBADF;
	mutex_enter(&fdp->fd_lock);
	if (fdp->fd_ofiles[fd] == NULL)
		error = EBADF;
	else if (getp != NULL)
		*getp = fdp->fd_oflags[fd];
	else
		fdp->fd_oflags[fd] = (uint8_t)set;
	mutex_exit(&fdp->fd_lock);
	return error;
}

int
fd_getflags(int fd, int *flagsp)
{
	return fd_flags(fd, flagsp, 0);
}

int
fd_setflags(int fd, int flags)
{
	return fd_flags(fd, NULL, flags);
}
