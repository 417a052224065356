/*
 * Failure signatures: what makes two failures "the same bug".
 *
 * A violation's signature is its kind and the innermost functions of its
 * stack (file, line and addresses dropped, simulator plumbing skipped),
 * so the same bug reached through different schedules groups together.
 * Reports that carry their own signature as the message (lock order,
 * data race) keep it; a violation without a stack uses its message with
 * digits dropped.
 */
#ifndef _KNIT_SIM_EXPLORE_SIGNATURE_H_
#define _KNIT_SIM_EXPLORE_SIGNATURE_H_

#define XSIG_FRAMES	3

/* kind: the short word ("deadlock", ...); returns a malloc'ed string. */
char	*xsignature(const char *kind, const char *message, const char *stack);

#endif /* !_KNIT_SIM_EXPLORE_SIGNATURE_H_ */
