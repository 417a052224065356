/*
 * uiomove: copies between a kernel buffer and a uio's segments.
 * Simulated "user" memory is ordinary memory, so nothing can fault.
 */
#include "sys/systm.h"
#include "sys/uio.h"

int
uiomove(void *cp, size_t n, struct uio *uio)
{
	struct iovec *iov;
	char *kp = cp;
	size_t cnt;

	KASSERT(uio->uio_rw == UIO_READ || uio->uio_rw == UIO_WRITE);
	while (n > 0 && uio->uio_resid > 0) {
		KASSERT(uio->uio_iovcnt > 0);
		iov = uio->uio_iov;
		cnt = iov->iov_len;
		if (cnt == 0) {
			uio->uio_iov++;
			uio->uio_iovcnt--;
			continue;
		}
		if (cnt > n)
			cnt = n;
		if (uio->uio_rw == UIO_READ)
			memcpy(iov->iov_base, kp, cnt);
		else
			memcpy(kp, iov->iov_base, cnt);
		iov->iov_base = (char *)iov->iov_base + cnt;
		iov->iov_len -= cnt;
		uio->uio_resid -= cnt;
		uio->uio_offset += (off_t)cnt;
		kp += cnt;
		n -= cnt;
	}
	return 0;
}
