/*
 * Execution contexts: stacks with guard pages and the switch wrapper.
 *
 * Stacks are cached in a small free list: worlds are created and
 * destroyed by the thousand during exploration, and an mmap plus munmap
 * costs two system calls (about 2 us in the VMs we run on).  The cache
 * does not affect determinism: nothing in a world depends on an address,
 * and a cached stack is zeroed (ctx_stack_scrub) so that even a read of
 * an uninitialised local (a bug, but one a replay must reproduce) sees
 * what it would on a fresh stack.
 */
#define _GNU_SOURCE	/* pthread_getattr_np */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <valgrind/valgrind.h>

#ifdef __has_include
#if __has_include(<sanitizer/common_interface_defs.h>)
#include <sanitizer/common_interface_defs.h>
#define CTX_HAVE_SANITIZER_H 1
#endif
#endif

#include "cpu/ctx.h"

#if defined(CTX_ASAN) && !defined(CTX_HAVE_SANITIZER_H)
#error "ASan build without <sanitizer/common_interface_defs.h>"
#endif
#ifdef CTX_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define CTX_CACHE_MAX	64
/* Below the lowest stack pointer seen at a switch, how far a context
 * may have written between switches and is zeroed by memset. */
#define CTX_SCRUB_MARGIN	(16 * 1024)

struct ctx_stack {
	void		*cs_map;
	size_t		 cs_maplen;
	unsigned	 cs_vgid;
};

static struct ctx_stack ctx_cache[CTX_CACHE_MAX];
static int ctx_ncache;

static size_t
ctx_pagesize(void)
{
	static size_t pgsz;

	if (pgsz == 0)
		pgsz = (size_t)sysconf(_SC_PAGESIZE);
	return pgsz;
}

void
ctx_main_init(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
#ifdef CTX_ASAN
	{
		pthread_attr_t attr;
		void *addr;
		size_t size;

		if (pthread_getattr_np(pthread_self(), &attr) == 0) {
			if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
				c->ctx_stack = NULL;
				c->ctx_map = addr;	/* bounds for ASan only */
				c->ctx_maplen = size;
			}
			pthread_attr_destroy(&attr);
		}
	}
#endif
}

static int
ctx_stack_get(struct ctx *c, size_t stacksize)
{
	size_t pg = ctx_pagesize();
	size_t len = ((stacksize + pg - 1) / pg) * pg + pg;
	void *map;
	int i;

	for (i = ctx_ncache - 1; i >= 0; i--) {
		if (ctx_cache[i].cs_maplen == len) {
			c->ctx_map = ctx_cache[i].cs_map;
			c->ctx_maplen = len;
			c->ctx_vgid = ctx_cache[i].cs_vgid;
			ctx_cache[i] = ctx_cache[--ctx_ncache];
			goto done;
		}
	}
	map = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		return errno;
	/* The guard page sits below the stack: an overflow faults. */
	if (mprotect(map, pg, PROT_NONE) != 0) {
		int e = errno;

		munmap(map, len);
		return e;
	}
	c->ctx_map = map;
	c->ctx_maplen = len;
	c->ctx_vgid = VALGRIND_STACK_REGISTER((char *)map + pg,
	    (char *)map + len);
done:
	c->ctx_stack = (char *)c->ctx_map + pg;
	c->ctx_size = c->ctx_maplen - pg;
	return 0;
}

#ifdef CTX_ASM
extern void ctx_trampoline(void);

int
ctx_create(struct ctx *c, size_t stacksize, void (*entry)(void *), void *arg)
{
	uintptr_t top, *sp;
	uint32_t mxcsr;
	uint16_t fpucw;
	int error;

	memset(c, 0, sizeof(*c));
	if ((error = ctx_stack_get(c, stacksize)) != 0)
		return error;
	top = ((uintptr_t)c->ctx_stack + c->ctx_size) & ~(uintptr_t)15;
	/*
	 * After ctx_switch pops the frame and returns into ctx_trampoline,
	 * rsp == top - 16 (16-aligned), so the trampoline's call gives
	 * entry the alignment the ABI requires.
	 */
	sp = (uintptr_t *)(top - 16) - 8;
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(fpucw));
	sp[0] = (uintptr_t)mxcsr | ((uintptr_t)fpucw << 32);
	sp[1] = 0;			/* r15 */
	sp[2] = 0;			/* r14 */
	sp[3] = (uintptr_t)arg;		/* r13 */
	sp[4] = (uintptr_t)entry;	/* r12 */
	sp[5] = 0;			/* rbx */
	sp[6] = 0;			/* rbp */
	sp[7] = (uintptr_t)ctx_trampoline;
	c->ctx_sp = sp;
	c->ctx_low = sp;
	return 0;
}
#else
static void
ctx_uc_entry(unsigned int fhi, unsigned int flo, unsigned int ahi,
    unsigned int alo)
{
	void (*entry)(void *) = (void (*)(void *))(uintptr_t)
	    (((uint64_t)fhi << 32) | flo);
	void *arg = (void *)(uintptr_t)(((uint64_t)ahi << 32) | alo);

	entry(arg);
	abort();
}

int
ctx_create(struct ctx *c, size_t stacksize, void (*entry)(void *), void *arg)
{
	uint64_t f = (uint64_t)(uintptr_t)entry, a = (uint64_t)(uintptr_t)arg;
	int error;

	memset(c, 0, sizeof(*c));
	if ((error = ctx_stack_get(c, stacksize)) != 0)
		return error;
	if (getcontext(&c->ctx_uc) != 0)
		return errno;
	c->ctx_uc.uc_stack.ss_sp = c->ctx_stack;
	c->ctx_uc.uc_stack.ss_size = c->ctx_size;
	c->ctx_uc.uc_link = NULL;
	makecontext(&c->ctx_uc, (void (*)(void))ctx_uc_entry, 4,
	    (unsigned int)(f >> 32), (unsigned int)f,
	    (unsigned int)(a >> 32), (unsigned int)a);
	return 0;
}
#endif

/*
 * Zero the stack of c: memset over what it used (from CTX_SCRUB_MARGIN
 * below the lowest stack pointer it switched out at, up to the top), and
 * MADV_DONTNEED below that (the kernel then maps zero pages again when
 * they are touched; a range never touched costs nothing).
 */
static int
ctx_stack_scrub(struct ctx *c)
{
	size_t pg = ctx_pagesize();
	char *bottom = c->ctx_stack, *top = bottom + c->ctx_size;
	char *low = c->ctx_low != NULL ? (char *)c->ctx_low : top;
	uintptr_t from;

	if (low < bottom || low > top)
		low = top;
	from = (uintptr_t)low > (uintptr_t)bottom + CTX_SCRUB_MARGIN ?
	    ((uintptr_t)low - CTX_SCRUB_MARGIN) & ~(uintptr_t)(pg - 1) :
	    (uintptr_t)bottom;
	if (from > (uintptr_t)bottom &&
	    madvise(bottom, from - (uintptr_t)bottom, MADV_DONTNEED) != 0)
		return -1;
#ifdef CTX_ASAN
	/* the dead frames' redzones are still poisoned */
	ASAN_UNPOISON_MEMORY_REGION(bottom, c->ctx_size);
#endif
	memset((void *)from, 0, (size_t)(top - (char *)from));
	return 0;
}

void
ctx_destroy(struct ctx *c)
{
	if (c->ctx_stack == NULL)
		return;
	if (ctx_ncache < CTX_CACHE_MAX && ctx_stack_scrub(c) == 0) {
		ctx_cache[ctx_ncache].cs_map = c->ctx_map;
		ctx_cache[ctx_ncache].cs_maplen = c->ctx_maplen;
		ctx_cache[ctx_ncache].cs_vgid = c->ctx_vgid;
		ctx_ncache++;
	} else {
		VALGRIND_STACK_DEREGISTER(c->ctx_vgid);
		munmap(c->ctx_map, c->ctx_maplen);
	}
	c->ctx_stack = NULL;
	c->ctx_map = NULL;
}

void
ctx_entered(void)
{
#ifdef CTX_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
}

#if !defined(CTX_ASM) || defined(CTX_ASAN)
void
ctx_jump(struct ctx *from, struct ctx *to)
{
#ifdef CTX_ASAN
	void *fake = NULL;
	const void *bottom = to->ctx_stack != NULL ? to->ctx_stack : to->ctx_map;
	size_t size = to->ctx_stack != NULL ? to->ctx_size : to->ctx_maplen;

	__sanitizer_start_switch_fiber(&fake, bottom, size);
#endif
#ifdef CTX_ASM
	ctx_switch(&from->ctx_sp, to->ctx_sp);
	if (from->ctx_sp < from->ctx_low)
		from->ctx_low = from->ctx_sp;
#else
	swapcontext(&from->ctx_uc, &to->ctx_uc);
#endif
#ifdef CTX_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}
#endif
