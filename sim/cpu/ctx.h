/*
 * Execution contexts: a stack plus saved registers (the layer under LWPs).
 *
 * On x86-64 a context switch is ctx_switch() in switch_x86_64.S (about
 * 10 ns); elsewhere ucontext(3) is the fallback (about 1 us here, one
 * system call per switch).  Stacks are mmap'ed with a guard page below
 * them, registered with Valgrind and annotated for ASan's fiber support.
 *
 * Invariants:
 *   A context created by ctx_create() starts in entry(arg) at its first
 *   ctx_jump() to it; entry never returns.  The main context (the thread
 *   that called world_run) has ctx_stack == NULL and is only ever jumped
 *   back to, never created.
 */
#ifndef _KNIT_SIM_CPU_CTX_H_
#define _KNIT_SIM_CPU_CTX_H_

#include <stddef.h>

#if defined(__x86_64__) && !defined(KNIT_CTX_UCONTEXT)
#define CTX_ASM		1
#else
#include <ucontext.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define CTX_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CTX_ASAN	1
#endif
#endif

struct ctx {
	void		*ctx_sp;	/* saved stack pointer (asm switch) */
	void		*ctx_low;	/* lowest ctx_sp seen (scrubbing) */
	void		*ctx_stack;	/* lowest usable byte, NULL for main */
	size_t		 ctx_size;	/* usable bytes */
	void		*ctx_map;	/* the mapping, guard page included */
	size_t		 ctx_maplen;
	unsigned	 ctx_vgid;	/* Valgrind stack id */
#ifndef CTX_ASM
	ucontext_t	 ctx_uc;
#endif
};

/*
 * Default LWP stack size.  Lua processes run lua_resume (up to 200 C
 * levels) on these stacks too; the mapping is MAP_NORESERVE, so only
 * the pages a stack touches cost memory.
 */
#define CTX_STACK_DEFAULT	(1024 * 1024)

/* Prepare the main context (no stack of its own). */
void	ctx_main_init(struct ctx *);
/* New context on a fresh stack; returns 0 or an errno. */
int	ctx_create(struct ctx *, size_t stacksize, void (*entry)(void *),
	    void *arg);
/*
 * Release the stack (the context must not be the running one).  A stack
 * kept for reuse is all zero again, as a fresh mapping is: a run never
 * sees what an LWP of an earlier run left on its stack.
 */
void	ctx_destroy(struct ctx *);
/* First statement of every entry function (ASan bookkeeping). */
void	ctx_entered(void);
#ifdef CTX_ASM
void	ctx_switch(void **save_sp, void *new_sp);
#endif

/* Save the running context into `from' and resume `to'. */
#if defined(CTX_ASM) && !defined(CTX_ASAN)
static inline void
ctx_jump(struct ctx *from, struct ctx *to)
{
	ctx_switch(&from->ctx_sp, to->ctx_sp);
	if (from->ctx_sp < from->ctx_low)
		from->ctx_low = from->ctx_sp;
}
#else
void	ctx_jump(struct ctx *from, struct ctx *to);
#endif

#endif /* !_KNIT_SIM_CPU_CTX_H_ */
