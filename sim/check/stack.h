/*
 * Call stacks for checker reports: a fixed array of return addresses,
 * captured cheaply when an event happens and symbolised only when a
 * report is printed (symbolisation spawns addr2line once per batch).
 *
 * Addresses are only meaningful inside the process that captured them
 * (and its forks, which share the mapping).  Reports that leave the
 * process carry the symbolised text, never raw addresses.
 */
#ifndef _KNIT_SIM_CHECK_STACK_H_
#define _KNIT_SIM_CHECK_STACK_H_

#include <stddef.h>
#include <stdint.h>

#define CHECK_STACK_DEPTH	16

struct check_stack {
	uint32_t	cs_depth;
	uintptr_t	cs_pc[CHECK_STACK_DEPTH];
};

/*
 * Capture the caller's stack, skipping `skip' innermost frames.  The
 * platform may install its own walker (a coroutine stack needs one that
 * stops at the LWP's entry frame); the default uses the unwinder.  A
 * walker returns pcs innermost first, starting with its own frame's
 * return address, as backtrace(3) does.
 */
typedef size_t (*check_stack_walker_t)(uintptr_t *pcs, size_t max);
void	check_stack_set_walker(check_stack_walker_t);
void	check_stack_capture(struct check_stack *, unsigned skip);

/*
 * Append a symbolised rendering of the stack to buf (one frame a line:
 * "    #N function (file:line)").  Never fails: unknown frames print as
 * "module+0xoffset".  Returns the length written, like snprintf.
 */
size_t	check_stack_format(const struct check_stack *, char *buf,
	    size_t len);
/*
 * Symbolise, in one addr2line run per module, every pc of these stacks
 * not yet known, so that formatting them afterwards spawns nothing.
 */
void	check_stack_prefetch(const struct check_stack *const *, size_t n);
/* Symbolise one pc: "function (file:line)" or "module+0xoff". */
void	check_pc_symbol(uintptr_t pc, char *buf, size_t len);
/* The function name only (for signatures); "?" when unknown. */
void	check_pc_function(uintptr_t pc, char *buf, size_t len);

#endif /* !_KNIT_SIM_CHECK_STACK_H_ */
