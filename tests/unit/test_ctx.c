/*
 * The context switch (sim/cpu/switch_x86_64.S) preserves what the ABI
 * says a callee preserves: rbx, rbp, r12-r15, the MXCSR and the x87
 * control word.  Each side loads its own marker values into every
 * callee-saved register, switches away while the other side loads
 * different markers, and checks its markers survived.
 */
#include <check.h>
#include <fenv.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include "cpu/ctx.h"

static struct ctx main_ctx, co_ctx;
/* global: the asm below addresses them by name */
uint64_t main_regs[6] __attribute__((__used__));
uint64_t co_regs[6] __attribute__((__used__));
static int co_round_mode;
static uint16_t co_fpucw;

#if defined(CTX_ASM) && !defined(CTX_ASAN)
/*
 * Load markers base+0..5 into rbp, rbx, r12-r15, call ctx_switch, then
 * store the six registers into out.  The red zone is skipped so that
 * the call cannot overwrite the compiler's locals.
 */
#define REGS_SWITCH(fname, out)						\
static void								\
fname(void **save, void *to, uint64_t base)				\
{									\
	__asm__ volatile(						\
	    "subq $128, %%rsp\n\t"					\
	    "pushq %%rbp\n\t"						\
	    "movq %%rdx, %%rbp\n\t"					\
	    "leaq 1(%%rdx), %%rbx\n\t"					\
	    "leaq 2(%%rdx), %%r12\n\t"					\
	    "leaq 3(%%rdx), %%r13\n\t"					\
	    "leaq 4(%%rdx), %%r14\n\t"					\
	    "leaq 5(%%rdx), %%r15\n\t"					\
	    "call ctx_switch@PLT\n\t"					\
	    "movq %%rbp, " #out "+0(%%rip)\n\t"				\
	    "movq %%rbx, " #out "+8(%%rip)\n\t"				\
	    "movq %%r12, " #out "+16(%%rip)\n\t"			\
	    "movq %%r13, " #out "+24(%%rip)\n\t"			\
	    "movq %%r14, " #out "+32(%%rip)\n\t"			\
	    "movq %%r15, " #out "+40(%%rip)\n\t"			\
	    "popq %%rbp\n\t"						\
	    "addq $128, %%rsp\n\t"					\
	    : "+D"(save), "+S"(to), "+d"(base)				\
	    :								\
	    : "rax", "rcx", "r8", "r9", "r10", "r11", "rbx", "r12",	\
	      "r13", "r14", "r15", "memory", "cc", "xmm0", "xmm1",	\
	      "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",	\
	      "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",	\
	      "xmm15");							\
}
REGS_SWITCH(main_switch, main_regs)
REGS_SWITCH(co_switch, co_regs)
#endif

static uint16_t
fpucw_get(void)
{
	uint16_t cw;

	__asm__ volatile("fnstcw %0" : "=m"(cw));
	return cw;
}

static void
fpucw_set(uint16_t cw)
{
	__asm__ volatile("fldcw %0" : : "m"(cw));
}

#if defined(CTX_ASM) && !defined(CTX_ASAN)
static void
co_body(void *arg)
{
	(void)arg;
	ctx_entered();
	fesetround(FE_UPWARD);
	fpucw_set((uint16_t)(fpucw_get() & ~0x0300));	/* single */
	co_switch(&co_ctx.ctx_sp, main_ctx.ctx_sp, 0xc0c0c0c000000000ULL);
	co_round_mode = fegetround();
	co_fpucw = fpucw_get();
	ctx_jump(&co_ctx, &main_ctx);
	abort();
}
#endif

START_TEST(test_callee_saved_registers_survive)
{
#if defined(CTX_ASM) && !defined(CTX_ASAN)
	uint64_t base = 0xa1a1a1a100000000ULL;
	int i;

	ctx_main_init(&main_ctx);
	ck_assert_int_eq(ctx_create(&co_ctx, 64 * 1024, co_body, NULL), 0);
	/* first switch starts the coroutine, which switches back */
	main_switch(&main_ctx.ctx_sp, co_ctx.ctx_sp, base);
	for (i = 0; i < 6; i++)
		ck_assert_uint_eq(main_regs[i], base + (uint64_t)i);
	/* resume the coroutine: its registers must be its own again */
	main_switch(&main_ctx.ctx_sp, co_ctx.ctx_sp, base + 100);
	for (i = 0; i < 6; i++)
		ck_assert_uint_eq(co_regs[i],
		    0xc0c0c0c000000000ULL + (uint64_t)i);
	ctx_destroy(&co_ctx);
#endif
}
END_TEST

static void
fpu_body(void *arg)
{
	(void)arg;
	ctx_entered();
	fesetround(FE_UPWARD);
	fpucw_set((uint16_t)(fpucw_get() & ~0x0300));	/* single precision */
	ctx_jump(&co_ctx, &main_ctx);
	co_round_mode = fegetround();
	co_fpucw = fpucw_get();
	ctx_jump(&co_ctx, &main_ctx);
	abort();
}

START_TEST(test_fpu_control_words_survive)
{
	uint16_t cw;
	uint32_t mxcsr;

	ctx_main_init(&main_ctx);
	ck_assert_int_eq(ctx_create(&co_ctx, 64 * 1024, fpu_body, NULL), 0);
	fesetround(FE_DOWNWARD);
	cw = fpucw_get();
	ctx_jump(&main_ctx, &co_ctx);
	/* the coroutine changed both words; ours are back */
	ck_assert_int_eq(fegetround(), FE_DOWNWARD);
	ck_assert_uint_eq(fpucw_get(), cw);
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	ck_assert_uint_eq((mxcsr >> 13) & 3, 1);	/* RC = down */
	fesetround(FE_TOWARDZERO);
	ctx_jump(&main_ctx, &co_ctx);
	/* and the coroutine found its own again */
	ck_assert_int_eq(co_round_mode, FE_UPWARD);
	ck_assert_uint_eq(co_fpucw & 0x0300, 0);
	ck_assert_uint_eq((co_fpucw >> 10) & 3, 2);	/* x87 RC = up */
	fesetround(FE_TONEAREST);
	ctx_destroy(&co_ctx);
}
END_TEST

/* A new context's stack is 16-byte aligned at entry (ABI). */
static uintptr_t entry_sp;

static void
align_body(void *arg)
{
	char probe __attribute__((aligned(16)));

	(void)arg;
	ctx_entered();
	entry_sp = (uintptr_t)&probe;
	ctx_jump(&co_ctx, &main_ctx);
	abort();
}

START_TEST(test_new_stack_alignment_and_bounds)
{
	ctx_main_init(&main_ctx);
	ck_assert_int_eq(ctx_create(&co_ctx, 64 * 1024, align_body, NULL), 0);
	ctx_jump(&main_ctx, &co_ctx);
	ck_assert_uint_eq(entry_sp % 16, 0);
	ck_assert(entry_sp > (uintptr_t)co_ctx.ctx_stack);
	ck_assert(entry_sp < (uintptr_t)co_ctx.ctx_stack + co_ctx.ctx_size);
	ctx_destroy(&co_ctx);
}
END_TEST

/* Overflowing a context's stack hits the guard page (SIGSEGV). */
static void
write_below_stack(void *arg)
{
	(void)arg;
	ctx_entered();
	/* the byte just below the usable stack is the guard page */
	((volatile char *)co_ctx.ctx_stack)[-1] = 1;
	abort();
}

START_TEST(test_guard_page_below_stack)
{
	ctx_main_init(&main_ctx);
	ck_assert_int_eq(ctx_create(&co_ctx, 64 * 1024, write_below_stack,
	    NULL), 0);
	ctx_jump(&main_ctx, &co_ctx);
}
END_TEST

/*
 * A stack kept for reuse comes back all zero: what the body writes deep
 * down (in a call that returns before any switch: below the switch
 * points) and near its switch point, a later context on the same stack
 * never sees.
 */
static void __attribute__((__noinline__))
dirty_deep(void)
{
	volatile char buf[200 * 1024];

	for (size_t i = 0; i < sizeof(buf); i += 64)
		buf[i] = (char)0xa5;
}

static void
dirty_body(void *arg)
{
	volatile char near[512];

	(void)arg;
	ctx_entered();
	dirty_deep();
	for (size_t i = 0; i < sizeof(near); i++)
		near[i] = (char)0x5a;
	ctx_jump(&co_ctx, &main_ctx);
	abort();
}

static void
idle_body(void *arg)
{
	(void)arg;
	ctx_entered();
	ctx_jump(&co_ctx, &main_ctx);
	abort();
}

START_TEST(test_reused_stack_is_zero)
{
	void *map;
	const unsigned char *p;
	size_t i, n, frame = 256;	/* ctx_create's first frame */

	ctx_main_init(&main_ctx);
	ck_assert_int_eq(ctx_create(&co_ctx, 1024 * 1024, dirty_body, NULL),
	    0);
	ctx_jump(&main_ctx, &co_ctx);
	map = co_ctx.ctx_map;
	ctx_destroy(&co_ctx);
	ck_assert_int_eq(ctx_create(&co_ctx, 1024 * 1024, idle_body, NULL),
	    0);
	ck_assert_ptr_eq(co_ctx.ctx_map, map);	/* the cached stack */
	p = co_ctx.ctx_stack;
	n = co_ctx.ctx_size - frame;
	for (i = 0; i < n; i++)
		if (p[i] != 0)
			break;
	ck_assert_msg(i == n, "byte %zu of %zu (%zu below the top) of the "
	    "reused stack is 0x%02x", i, n, co_ctx.ctx_size - i, p[i]);
	ctx_jump(&main_ctx, &co_ctx);
	ctx_destroy(&co_ctx);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctx");
	TCase *tc = tcase_create("switch");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_callee_saved_registers_survive);
	tcase_add_test(tc, test_fpu_control_words_survive);
	tcase_add_test(tc, test_new_stack_alignment_and_bounds);
	tcase_add_test(tc, test_reused_stack_is_zero);
	tcase_add_test_raise_signal(tc, test_guard_page_below_stack, SIGSEGV);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
