/*
 * Scatter/gather I/O descriptors (uio(9)).
 *
 * Simulated processes live in the same address space as the kernel, so
 * "user" memory is ordinary memory and uiomove is a bounded memcpy.  The
 * distinction is kept anyway: the socket layer drops its lock around
 * uiomove exactly where a real kernel may fault and sleep.
 */
#ifndef _KNIT_SYS_UIO_H_
#define _KNIT_SYS_UIO_H_

#include <sys/uio.h>		/* libc: struct iovec */

#include "sys/systm.h"

enum uio_rw {
	UIO_READ,		/* kernel to user */
	UIO_WRITE,		/* user to kernel */
};

struct uio {
	struct iovec	*uio_iov;	/* remaining segments */
	int		 uio_iovcnt;
	off_t		 uio_offset;
	size_t		 uio_resid;	/* bytes still to move */
	enum uio_rw	 uio_rw;
};

#ifndef UIO_MAXIOV
#define UIO_MAXIOV	1024
#endif

/*
 * Move up to n bytes between the kernel buffer cp and the uio, advancing
 * the uio.  Returns 0 (there are no faults to report).
 */
int	uiomove(void *cp, size_t n, struct uio *);

#endif /* !_KNIT_SYS_UIO_H_ */
