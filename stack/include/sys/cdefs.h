/*
 * Compiler helpers shared by the stack and the platforms under it.
 */
#ifndef _KNIT_SYS_CDEFS_H_
#define _KNIT_SYS_CDEFS_H_

/*
 * Each helper is guarded: libc's <sys/cdefs.h> defines some of the
 * same names (__CONCAT, __STRING) with the same meaning.
 */
#include <features.h>

#ifndef __unused
#define __unused		__attribute__((__unused__))
#endif
#ifndef __used
#define __used			__attribute__((__used__))
#endif
#ifndef __dead
#define __dead			__attribute__((__noreturn__))
#endif
#ifndef __packed
#define __packed		__attribute__((__packed__))
#endif
#ifndef __aligned
#define __aligned(x)		__attribute__((__aligned__(x)))
#endif
#ifndef __section
#define __section(x)		__attribute__((__section__(x)))
#endif
#ifndef __printflike
#define __printflike(f, a)	__attribute__((__format__(__printf__, f, a)))
#endif
#ifndef __predict_true
#define __predict_true(e)	__builtin_expect(!!(e), 1)
#endif
#ifndef __predict_false
#define __predict_false(e)	__builtin_expect(!!(e), 0)
#endif
#ifndef __arraycount
#define __arraycount(a)		(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef __BIT
#define __BIT(n)		((uint64_t)1 << (n))
#endif
#ifndef __STRING
#define __STRING(x)		#x
#endif
#ifndef __CONCAT
#define __CONCAT(a, b)		a##b
#endif
#ifndef __XCONCAT
#define __XCONCAT(a, b)		__CONCAT(a, b)
#endif
#ifndef __CTASSERT
#define __CTASSERT(e)		_Static_assert(e, #e)
#endif

#ifndef offsetof
#define offsetof(t, m)		__builtin_offsetof(t, m)
#endif
#define container_of(p, t, m)	((t *)((char *)(p) - offsetof(t, m)))

/*
 * Linker sets.  An entry is a pointer placed in section "knit_<set>";
 * the linker provides __start_knit_<set> and __stop_knit_<set>.  Walk
 * them with __link_set_foreach.  Entry order follows link order, so
 * consumers that need a stable order sort by name (never by address).
 */
#define __link_set_add(set, sym)					\
	static const void *const __link_set_##set##_##sym		\
	    __section("knit_" #set) __used = &(sym)
#define __link_set_decl(set, type)					\
	extern type *const __start_knit_##set[] __attribute__((__weak__)); \
	extern type *const __stop_knit_##set[] __attribute__((__weak__))
#define __link_set_start(set)	(__start_knit_##set)
#define __link_set_end(set)	(__stop_knit_##set)
#define __link_set_count(set)	((size_t)(__stop_knit_##set - __start_knit_##set))

#endif /* !_KNIT_SYS_CDEFS_H_ */
