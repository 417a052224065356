/*
 * The knit command: a table of subcommands.  Each subcommand lives in
 * tools/cmd_<name>.c and provides a handler and a help text; adding one
 * is one line in the table in tools/knit.c.
 *
 * Exit statuses shared by every subcommand: 0 success / run passed,
 * 1 run failed, 2 usage or scenario error, 3 replay diverged.
 */
#ifndef _KNIT_TOOLS_KNIT_H_
#define _KNIT_TOOLS_KNIT_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define KNIT_EXIT_OK		0
#define KNIT_EXIT_FAIL		1
#define KNIT_EXIT_USAGE		2
#define KNIT_EXIT_DIVERGED	3

struct knit_cmd {
	const char	*c_name;
	int		(*c_main)(int argc, char **argv); /* argv[0] = name */
	const char	*c_summary;	/* one line for `knit --help' */
	const char	*c_help;	/* full text for `knit help NAME' */
};

/* Subcommands (tools/cmd_*.c). */
int	cmd_run(int, char **);
int	cmd_replay(int, char **);
int	cmd_probes(int, char **);
int	cmd_explore(int, char **);
int	cmd_minimize(int, char **);
extern const char cmd_run_help[];
extern const char cmd_replay_help[];
extern const char cmd_probes_help[];
extern const char cmd_explore_help[];
extern const char cmd_minimize_help[];

/* Shared helpers (tools/knit.c). */
void	knit_usage_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
bool	knit_parse_u64(const char *, uint64_t *);
double	knit_wall_seconds(void);
/*
 * For a command that needs the race detector (`why': "--race", ...):
 * returns 0 when this program is the race build; else re-executes the
 * command line with build/knit-race (the knit-race beside this
 * program; does not return) or says why it cannot and returns -1
 * (exit KNIT_EXIT_USAGE).
 */
int	knit_race_build(const char *cmd, const char *why);

#endif /* !_KNIT_TOOLS_KNIT_H_ */
