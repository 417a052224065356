/*
 * Options shared by `knit run' and `knit replay', the run summary and
 * the recording of runs.
 */
#ifndef _KNIT_TOOLS_RUN_H_
#define _KNIT_TOOLS_RUN_H_

#include "kn.h"

struct knit_run_args {
	struct kn_opts	 a_opts;
	const char	*a_db;		/* NULL: --no-db */
	bool		 a_seed_given;
	bool		 a_trace_given;	/* --trace off|packets|full */
	char		*a_text;	/* the scenario's content */
};

int	knit_run_parse(const char *cmd, int argc, char **argv,
	    struct knit_run_args *, bool want_scenario);
void	knit_run_args_fini(struct knit_run_args *);
void	knit_print_summary(const struct kn_opts *, const struct kn_result *,
	    double wall);

/* Read the scenario into a_opts.o_text (exit-2 message on failure). */
int	knit_read_scenario(struct knit_run_args *);

/* Recording (tools/run_record.c). */
struct db;
struct db_run;
struct knit_rec {
	struct db	*rc_db;
	struct db_run	*rc_run;
	int64_t		 rc_id;
	bool		 rc_done;
	bool		 rc_failed;
};
int	knit_rec_begin(struct knit_rec *, const char *path,
	    const struct knit_run_args *, uint64_t text_hash,
	    int64_t replay_of);
void	knit_rec_finish(void *, struct world *, const struct kn_result *);
void	knit_rec_close(struct knit_rec *);
char	*knit_params_encode(const struct kn_opts *);
int	knit_params_decode(const char *, char ***argvp);
void	knit_params_free(char **);

#endif /* !_KNIT_TOOLS_RUN_H_ */
