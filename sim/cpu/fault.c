/*
 * Synchronous faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE) in code running
 * on an LWP stack become violations instead of killing the process.
 *
 * The handler runs on an alternate signal stack (an LWP that overflowed
 * its stack faults in the guard page and has no stack left).  It only
 * captures what it must while the fault is fresh (signal, address,
 * access, the faulting LWP's return addresses starting at the pc of the
 * ucontext) into a static record, and jumps to the world's main context
 * the way sim_abandon does.  There, fault_collect() turns the record
 * into a VIOL_FAULT with the symbolised stack (symbolising runs
 * addr2line, which does not belong in a signal handler) and stops the
 * world: host and run fail.
 *
 * Invariants:
 *   The faulting LWP's stack is never resumed; its frames are dead.
 *   World teardown frees the LWP as it frees one abandoned by a panic
 *   (its stack is scrubbed whole: ctx_low is reset, see ctx.c).  Memory
 *   or locks the faulting code held belong to its world and go with it.
 *   If the fault hit inside malloc, the heap may be inconsistent; that
 *   is beyond repair in-process, as for a panic there.
 *
 *   A fault with no LWP on the stack (knit's own code, an event on the
 *   main stack) keeps the default action: the handler restores SIG_DFL
 *   and returns, the instruction faults again and the process dies with
 *   a core as before.  So does a fault inside the handler itself.
 *
 * Under ASan (its own SEGV handler reports better) nothing is installed;
 * neither when somebody else (a debugger, Valgrind's client handler
 * owner) already installed a handler for a signal.
 */
#define _GNU_SOURCE
#include <execinfo.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "check/stack.h"
#include "cpu/machine.h"	/* and cpu/ctx.h: CTX_ASAN */

#define FAULT_ALTSTACK	(64 * 1024)

/* The fault being carried from the handler to fault_collect(). */
static struct {
	volatile sig_atomic_t fr_busy;	/* a fault is being handled */
	struct lwp	*fr_lwp;
	int		 fr_sig;
	uintptr_t	 fr_addr;
	int		 fr_access;	/* 0 unknown, 'r', 'w', 'x' */
	bool		 fr_guard;	/* in the guard page: overflow */
	struct check_stack fr_stack;
} fault_rec;

#ifndef CTX_ASAN
static struct ctx fault_deadctx;	/* where the dead stack's sp goes */

static uintptr_t
fault_pc(const ucontext_t *uc)
{
#if defined(__x86_64__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (uintptr_t)uc->uc_mcontext.pc;
#else
	(void)uc;
	return 0;
#endif
}

/* Read, write or instruction fetch, from the x86 page-fault error code. */
static int
fault_access(int sig, const ucontext_t *uc)
{
#if defined(__x86_64__)
	unsigned long err = (unsigned long)uc->uc_mcontext.gregs[REG_ERR];

	if ((sig != SIGSEGV && sig != SIGBUS) ||
	    uc->uc_mcontext.gregs[REG_TRAPNO] != 14)
		return 0;
	if (err & 0x10)
		return 'x';
	return (err & 0x2) ? 'w' : 'r';
#else
	(void)sig;
	(void)uc;
	return 0;
#endif
}

/*
 * The faulting LWP's stack, innermost first: the unwinder walks through
 * the signal frame; everything above the faulting pc (this handler, the
 * kernel's trampoline) is cut off.  When the pc is not among the frames
 * the pc alone is the stack.
 */
static void
fault_capture(struct check_stack *cs, uintptr_t pc)
{
	void *buf[CHECK_STACK_DEPTH + 8];
	int n, i, from = -1;

	n = backtrace(buf, CHECK_STACK_DEPTH + 8);
	for (i = 0; i < n; i++)
		if ((uintptr_t)buf[i] == pc) {
			from = i;
			break;
		}
	cs->cs_depth = 0;
	if (from < 0) {
		cs->cs_pc[cs->cs_depth++] = pc;
		return;
	}
	for (i = from; i < n && cs->cs_depth < CHECK_STACK_DEPTH; i++)
		cs->cs_pc[cs->cs_depth++] = (uintptr_t)buf[i];
}

static void
fault_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct lwp *l = sim_onstack;
	struct world *w;

	if (l == NULL || fault_rec.fr_busy || (w = l->l_world) == NULL ||
	    !w->w_in_run) {
		/* not ours: die of it as usual, with a core */
		signal(sig, SIG_DFL);
		return;
	}
	fault_rec.fr_busy = 1;
	fault_rec.fr_lwp = l;
	fault_rec.fr_sig = sig;
	fault_rec.fr_addr = (uintptr_t)si->si_addr;
	fault_rec.fr_access = fault_access(sig, uc);
	fault_rec.fr_guard = l->l_ctx.ctx_stack != NULL &&
	    (char *)si->si_addr >= (char *)l->l_ctx.ctx_map &&
	    (char *)si->si_addr < (char *)l->l_ctx.ctx_stack;
	fault_capture(&fault_rec.fr_stack, fault_pc(uc));
	/*
	 * Leave the LWP for good.  The handler's frame on the alternate
	 * stack is abandoned with it; the kernel sees the main stack's sp
	 * afterwards, so the next fault uses the alternate stack afresh.
	 * SA_NODEFER left the signal unblocked (ctx_switch keeps the mask).
	 */
	l->l_ctx.ctx_low = NULL;
	ctx_jump(&fault_deadctx, &w->w_main);
	abort();
}

#endif /* !CTX_ASAN */

void
fault_install(void)
{
#ifndef CTX_ASAN
	static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGILL,
	    SIGFPE };
	static bool installed;
	static char altstack[FAULT_ALTSTACK];
	struct sigaction sa, old;
	void *warm[4];
	stack_t ss;

	if (installed)
		return;
	installed = true;
	/* backtrace loads libgcc_s on first use: not inside the handler */
	(void)backtrace(warm, 4);
	memset(&ss, 0, sizeof(ss));
	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	if (sigaltstack(&ss, NULL) != 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fault_signals) /
	    sizeof(fault_signals[0]); i++) {
		if (sigaction(fault_signals[i], NULL, &old) != 0 ||
		    (old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
			continue;	/* somebody else owns it */
		(void)sigaction(fault_signals[i], &sa, NULL);
	}
#endif
}

static const char *
fault_signame(int sig)
{
	switch (sig) {
	case SIGSEGV:	return "SIGSEGV";
	case SIGBUS:	return "SIGBUS";
	case SIGILL:	return "SIGILL";
	case SIGFPE:	return "SIGFPE";
	}
	return "signal";
}

void
fault_collect(struct world *w)
{
	struct lwp *l = fault_rec.fr_lwp;
	struct lwp *savelwp = sim_curlwp;
	struct cpu_info *savecpu = sim_curcpu;
	const char *acc;
	char *msg = NULL, *stack;
	size_t len = 4096;
	int n;

	if (!fault_rec.fr_busy || l == NULL || l->l_world != w)
		return;
	switch (fault_rec.fr_access) {
	case 'r':	acc = " (read)"; break;
	case 'w':	acc = " (write)"; break;
	case 'x':	acc = " (execute)"; break;
	default:	acc = ""; break;
	}
	if (fault_rec.fr_guard)
		n = asprintf(&msg, "fault: %s at %#jx%s: stack overflow of "
		    "LWP %d (%s), %zu KiB (world_config.wc_stack_size)",
		    fault_signame(fault_rec.fr_sig),
		    (uintmax_t)fault_rec.fr_addr, acc, l->l_id, l->l_name,
		    l->l_ctx.ctx_size / 1024);
	else
		n = asprintf(&msg, "fault: %s at %#jx%s",
		    fault_signame(fault_rec.fr_sig),
		    (uintmax_t)fault_rec.fr_addr, acc);
	if (n < 0)
		msg = NULL;
	if ((stack = malloc(len)) != NULL) {
		stack[0] = '\0';
		(void)check_stack_format(&fault_rec.fr_stack, stack, len);
	}
	/* attribute it to the faulting LWP, its CPU and that CPU's clock */
	sim_set_current(l, l->l_cpu);
	world_violation_record(w, VIOL_FAULT, msg, stack);
	sim_set_current(savelwp, savecpu);
	l->l_host->h_failed = true;
	w->w_stopped = true;
	w->w_reason = WORLD_STOPPED;
	memset(&fault_rec, 0, sizeof(fault_rec));
}
