/*
 * LWP context switch for x86-64 (System V ABI).
 *
 * void ctx_switch(void **save_sp, void *new_sp)
 *
 * Saves the callee-saved registers (rbx, rbp, r12-r15), the SSE control
 * and status register (MXCSR) and the x87 control word on the current
 * stack, stores the stack pointer in *save_sp, loads new_sp and restores
 * the same state from there.  Caller-saved registers need no saving: the
 * call itself clobbers them as far as the compiler knows.
 *
 * Frame layout at a saved sp (low to high):
 *   [0] MXCSR (4 bytes) | x87 CW (2 bytes) | 2 zero bytes
 *   [1] r15 [2] r14 [3] r13 [4] r12 [5] rbx [6] rbp [7] return address
 * ctx_init() in ctx.c builds the same frame for a new stack, with
 * ctx_trampoline as the return address, r12 = entry, r13 = argument.
 */
	.text
	.globl	ctx_switch
	.type	ctx_switch, @function
	.p2align 4
ctx_switch:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	movq	$0, (%rsp)
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	(%rsp), %rax		/* our control words */
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	/*
	 * Loading MXCSR and the x87 CW costs more than the rest of the
	 * switch; contexts almost always share them, so load only when
	 * they differ from ours.
	 */
	cmpq	(%rsp), %rax
	je	1f
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
1:
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	ctx_switch, .-ctx_switch

/*
 * First activation of a new context: call entry(arg).  The entry function
 * never returns.  The CFI marks this frame as the outermost one so that
 * unwinders (backtrace(3)) stop here instead of walking off the stack.
 */
	.globl	ctx_trampoline
	.type	ctx_trampoline, @function
	.p2align 4
ctx_trampoline:
	.cfi_startproc
	.cfi_undefined rip
	movq	%r13, %rdi
	callq	*%r12
	ud2
	.cfi_endproc
	.size	ctx_trampoline, .-ctx_trampoline

	.section .note.GNU-stack,"",@progbits
