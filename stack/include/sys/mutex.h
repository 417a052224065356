/*
 * Mutual exclusion locks (mutex(9)).
 *
 * kmutex_t is opaque storage owned by the platform; the same stack object
 * files link against every platform, so the size is fixed here.  A mutex
 * initialised at IPL_NONE is adaptive (may sleep); one initialised above
 * IPL_NONE is a spin mutex that raises the IPL while held.
 *
 * Every operation is a scheduling point.  Misuse (locking against myself,
 * releasing a lock not held, destroying a held lock, a sleep lock taken
 * in hard-interrupt context, ...) fails the run with a message.
 */
#ifndef _KNIT_SYS_MUTEX_H_
#define _KNIT_SYS_MUTEX_H_

#include "sys/intr.h"

typedef struct kmutex {
	uintptr_t	mtx_opaque[16];
} kmutex_t;

typedef enum {
	MUTEX_DEFAULT = 0,
	MUTEX_SPIN = 1,
	MUTEX_DRIVER = 2,
} kmutex_type_t;

/*
 * mutex_init records its call site as the lock's class (for the lock-order
 * checker); the name is the stringified first argument.
 */
#define mutex_init(m, t, ipl)						\
	mutex_init_named((m), (t), (ipl), #m, __FILE__, __LINE__)

void	mutex_init_named(kmutex_t *, kmutex_type_t, int ipl,
	    const char *name, const char *file, int line);
void	mutex_destroy(kmutex_t *);
void	mutex_enter(kmutex_t *);
void	mutex_exit(kmutex_t *);
int	mutex_tryenter(kmutex_t *);
int	mutex_owned(const kmutex_t *);
void	mutex_spin_enter(kmutex_t *);
void	mutex_spin_exit(kmutex_t *);

/*
 * Reference-counted mutex objects (NetBSD mutex_obj_alloc(9)): used where
 * a lock must outlive the object that pointed at it (so_lock).
 */
#define mutex_obj_alloc(t, ipl)						\
	mutex_obj_alloc_named((t), (ipl), "mutex_obj", __FILE__, __LINE__)
kmutex_t *mutex_obj_alloc_named(kmutex_type_t, int ipl, const char *name,
	    const char *file, int line);
void	mutex_obj_hold(kmutex_t *);
bool	mutex_obj_free(kmutex_t *);	/* true when the last reference went */

#endif /* !_KNIT_SYS_MUTEX_H_ */
