/*
 * Per-process descriptor tables.
 *
 * fd_getfile returns the file behind a descriptor with a transient
 * reference that the caller drops with fd_putfile; a concurrent close
 * of the descriptor therefore never frees a file under a system call.
 * The lowest free descriptor is always allocated (POSIX).
 */
#ifndef _KNIT_SYS_FILEDESC_H_
#define _KNIT_SYS_FILEDESC_H_

#include "sys/systm.h"
#include "sys/mutex.h"

struct file;
struct proc;

#define FD_NFILES_MAX	256	/* per process (RLIMIT_NOFILE) */

/* per-descriptor flags */
#define FD_CLOEXEC_FLAG	0x01

struct filedesc {
	kmutex_t	 fd_lock;
	int		 fd_nfiles;		/* slots in use */
	int		 fd_lastfile;		/* highest slot in use, or -1 */
	struct file	*fd_ofiles[FD_NFILES_MAX];
	uint8_t		 fd_oflags[FD_NFILES_MAX];
};

struct filedesc *fd_init(void);
/* Close every descriptor and free the table. */
void	fd_free(struct filedesc *);

/* The file behind fd of curproc, held; EBADF if none. */
int	fd_getfile(int fd, struct file **);
void	fd_putfile(struct file *);
/*
 * Install fp (the caller's reference moves to the table) at the lowest
 * free descriptor; EMFILE if the table is full.
 */
int	fd_install(struct proc *, struct file *, int flags, int *fdp);
/* Remove fd and drop the table's reference; EBADF if none. */
int	fd_close(int fd);
/* Number of free slots of p's table. */
int	fd_nfree(struct proc *);
/* Per-descriptor flags (FD_CLOEXEC_FLAG) of curproc; EBADF if not open. */
int	fd_getflags(int fd, int *flagsp);
int	fd_setflags(int fd, int flags);

#endif /* !_KNIT_SYS_FILEDESC_H_ */
