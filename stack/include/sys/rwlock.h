/*
 * Reader/writer locks (rwlock(9)).  Every operation is a scheduling point.
 */
#ifndef _KNIT_SYS_RWLOCK_H_
#define _KNIT_SYS_RWLOCK_H_

#include "sys/systm.h"

typedef struct krwlock {
	uintptr_t	rw_opaque[16];
} krwlock_t;

typedef enum {
	RW_READER = 0,
	RW_WRITER = 1,
} krw_t;

#define rw_init(rw)	rw_init_named((rw), #rw, __FILE__, __LINE__)
void	rw_init_named(krwlock_t *, const char *name, const char *file,
	    int line);
void	rw_destroy(krwlock_t *);
void	rw_enter(krwlock_t *, krw_t);
int	rw_tryenter(krwlock_t *, krw_t);
void	rw_exit(krwlock_t *);
void	rw_downgrade(krwlock_t *);
int	rw_tryupgrade(krwlock_t *);
int	rw_read_held(krwlock_t *);	/* held as reader by anybody */
int	rw_write_held(krwlock_t *);	/* held as writer by curlwp */
int	rw_lock_held(krwlock_t *);	/* either */

#endif /* !_KNIT_SYS_RWLOCK_H_ */
