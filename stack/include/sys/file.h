/*
 * Open files.  The only file type is the socket (DTYPE_SOCKET); the
 * fileops indirection is kept so that other types can be added.
 *
 * Reference counting: f_count counts descriptor-table slots, in-flight
 * SCM_RIGHTS references (also counted in f_msgcount) and transient holds
 * by system calls in progress (fd_getfile/fd_putfile).  The file is closed
 * (fo_close) when f_count drops to zero.  f_count and f_msgcount change
 * only with atomics or under the per-host file list lock.
 */
#ifndef _KNIT_SYS_FILE_H_
#define _KNIT_SYS_FILE_H_

#include <fcntl.h>		/* libc: O_NONBLOCK, FNONBLOCK */

#include "sys/systm.h"
#include "sys/queue.h"
#include "sys/mutex.h"

struct file;
struct uio;
struct lwp;

struct fileops {
	int	(*fo_read)(struct file *, struct uio *, int flags);
	int	(*fo_write)(struct file *, struct uio *, int flags);
	int	(*fo_ioctl)(struct file *, u_long, void *);
	int	(*fo_poll)(struct file *, int events);
	int	(*fo_close)(struct file *);
	/* A descriptor is closing: wake threads blocked on the file. */
	void	(*fo_restart)(struct file *);
};

struct file {
	u_int		 f_flag;	/* FREAD | FWRITE | FNONBLOCK */
	u_int		 f_type;	/* DTYPE_* */
	volatile u_int	 f_count;	/* references, see above */
	volatile u_int	 f_msgcount;	/* references in flight */
	u_int		 f_gcflag;	/* FMARK etc., garbage collector only */
	const struct fileops *f_ops;
	void		*f_data;	/* struct socket * */
	uint64_t	 f_id;		/* creation number on this host */
	LIST_ENTRY(file) f_list;	/* V_filehead, under filelist_lock */
};

#define DTYPE_SOCKET	2

/* f_flag */
#define FREAD		0x0001
#define FWRITE		0x0002
#ifndef FNONBLOCK
#define FNONBLOCK	O_NONBLOCK
#endif

/* f_gcflag */
#define FMARK		0x01	/* reachable from a descriptor */
#define FSCAN		0x02	/* contents scanned */

/* A new file with one reference, on the host's file list. */
int	file_alloc(struct file **);
void	file_hold(struct file *);
/* Drop a reference; the last one closes and frees the file. */
int	closef(struct file *);
/* Files of the current host (tests assert zero at the end). */
u_int	file_outstanding(void);

/* The file list, for the Unix-domain garbage collector. */
LIST_HEAD(filelist, file);
void	filelist_lock(void);
void	filelist_unlock(void);
struct filelist *filelist_head(void);

#endif /* !_KNIT_SYS_FILE_H_ */
