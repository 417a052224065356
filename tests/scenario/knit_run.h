/*
 * Running build/knit as a subprocess from Check tests.
 */
#ifndef _KNIT_TESTS_SCENARIO_KNIT_RUN_H_
#define _KNIT_TESTS_SCENARIO_KNIT_RUN_H_

#include <stddef.h>
#include <stdint.h>

struct knit_out {
	int	 ko_status;	/* exit status, or 128 + signal */
	char	*ko_out;	/* stdout, NUL-terminated */
	char	*ko_err;	/* stderr */
};

/* Path of the knit binary (argv[1] of the test program). */
extern const char *knit_path;
/* Directory of the sources (argv[2]). */
extern const char *knit_srcdir;

/* Run knit with a NULL-terminated argument list (without argv[0]). */
void	knit_run(struct knit_out *, const char *const *args);
void	knit_out_free(struct knit_out *);
/* The "trace hash: 0x..." value of a summary, 0 if none. */
uint64_t knit_trace_hash(const struct knit_out *);
/* A source-relative path made absolute (static buffer per call slot). */
const char *knit_src(const char *rel);

#endif
