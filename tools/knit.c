/*
 * knit: the command-line front end.  A table of subcommands; each one
 * parses its own options (tools/cmd_*.c).
 */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/checkers.h"
#include "db_cmds.h"
#include "knit.h"
#include "kn.h"

static int	cmd_version(int, char **);
static char	**knit_argv;	/* main's, for knit_race_build() */
static int	cmd_help(int, char **);

static const char cmd_version_help[] =
    "usage: knit version\n"
    "\n"
    "Print knit's version.\n";

static const char cmd_help_help[] =
    "usage: knit help [COMMAND]\n"
    "\n"
    "Without COMMAND, list the commands; with COMMAND, describe it and\n"
    "every option it takes.  `knit --help' is `knit help'.\n";

static const struct knit_cmd knit_cmds[] = {
	{ "run", cmd_run, "run a scenario once and print a summary",
	    cmd_run_help },
	{ "replay", cmd_replay, "re-execute a recorded run and compare it",
	    cmd_replay_help },
	{ "probes", cmd_probes, "list the SDT probe points",
	    cmd_probes_help },
	{ "explore", cmd_explore, "run a scenario many times under an "
	    "exploration strategy", cmd_explore_help },
	{ "minimize", cmd_minimize, "shrink a failing run's schedule",
	    cmd_minimize_help },
	{ "report", cmd_report, "write an HTML report of a run database",
	    cmd_report_help },
	{ "export", cmd_export, "export a run as a Chrome trace (Perfetto)",
	    cmd_export_help },
	{ "serve", cmd_serve, "serve a read-only web UI of a run database",
	    cmd_serve_help },
	{ "db", cmd_db, "merge or migrate run databases", cmd_db_help },
	{ "version", cmd_version, "print the version", cmd_version_help },
	{ "help", cmd_help, "describe a command", cmd_help_help },
};
#define KNIT_NCMDS	(sizeof(knit_cmds) / sizeof(knit_cmds[0]))

static const struct knit_cmd *
knit_cmd_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < KNIT_NCMDS; i++)
		if (strcmp(knit_cmds[i].c_name, name) == 0)
			return &knit_cmds[i];
	return NULL;
}

static void
knit_usage(FILE *fp)
{
	size_t i;

	fprintf(fp,
	    "usage: knit COMMAND [ARGS]\n"
	    "\n"
	    "knit is a deterministic discrete-event network simulator: a\n"
	    "kernel-style network stack on a simulated multi-CPU machine,\n"
	    "scripted by Lua scenarios.\n"
	    "\n"
	    "commands:\n");
	for (i = 0; i < KNIT_NCMDS; i++)
		fprintf(fp, "  %-10s  %s\n", knit_cmds[i].c_name,
		    knit_cmds[i].c_summary);
	fprintf(fp,
	    "\n"
	    "`knit help COMMAND' describes a command and its options.\n"
	    "Exit status: 0 success, 1 a run failed, 2 usage or scenario\n"
	    "error, 3 a replay diverged.\n");
}

void
knit_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "knit%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see `knit help%s%s')\n", cmd ? " " : "",
	    cmd ? cmd : "");
}

bool
knit_parse_u64(const char *s, uint64_t *vp)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0')
		return false;
	*vp = v;
	return true;
}

/* Wall time is reported to the user only; it never enters a world. */
double
knit_wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		knit_usage_error("version", "unexpected argument '%s'",
		    argv[1]);
		return KNIT_EXIT_USAGE;
	}
	printf("knit %s\n", KNIT_VERSION_STRING);
	return KNIT_EXIT_OK;
}

static int
cmd_help(int argc, char **argv)
{
	const struct knit_cmd *c;

	if (argc < 2) {
		knit_usage(stdout);
		return KNIT_EXIT_OK;
	}
	if (argc > 2) {
		knit_usage_error("help", "unexpected argument '%s'", argv[2]);
		return KNIT_EXIT_USAGE;
	}
	c = knit_cmd_lookup(argv[1]);
	if (c == NULL) {
		knit_usage_error(NULL, "unknown command '%s'", argv[1]);
		return KNIT_EXIT_USAGE;
	}
	fputs(c->c_help, stdout);
	return KNIT_EXIT_OK;
}

/*
 * The race detector sees only a stack compiled with -fsanitize=thread,
 * linked into build/knit-race; in build/knit it would see no access and
 * report nothing, a silent lie.  So a command that needs it runs the
 * same command line with the knit-race beside this executable.  The
 * environment variable KNIT_RACE_EXEC marks the second program, which
 * must be the race build (no loop).
 */
int
knit_race_build(const char *cmd, const char *why)
{
	char self[4096], *slash, *path;
	ssize_t n;

	if (check_race_build())
		return 0;
	if (getenv("KNIT_RACE_EXEC") != NULL) {
		fprintf(stderr, "knit %s: %s needs the race build of the "
		    "stack, and this knit (run as knit-race) is not it\n",
		    cmd, why);
		return -1;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || (size_t)n >= sizeof(self) - 1) {
		fprintf(stderr, "knit %s: %s needs build/knit-race (the race "
		    "build of the stack); cannot find this program's "
		    "directory\n", cmd, why);
		return -1;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	if (asprintf(&path, "%s/knit-race", self) < 0)
		abort();
	if (access(path, X_OK) != 0) {
		fprintf(stderr, "knit %s: %s needs build/knit-race (the race "
		    "build of the stack, -fsanitize=thread), and %s cannot "
		    "be run: %s\n", cmd, why, path, strerror(errno));
		free(path);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	setenv("KNIT_RACE_EXEC", "1", 1);
	knit_argv[0] = path;
	execv(path, knit_argv);
	fprintf(stderr, "knit %s: %s needs build/knit-race: cannot run "
	    "%s: %s\n", cmd, why, path, strerror(errno));
	free(path);
	return -1;
}

int
main(int argc, char **argv)
{
	const struct knit_cmd *c;

	knit_argv = argv;

	if (argc < 2) {
		knit_usage(stderr);
		return KNIT_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(1, argv + 1);
	c = knit_cmd_lookup(argv[1]);
	if (c == NULL) {
		knit_usage_error(NULL, "unknown command '%s'", argv[1]);
		return KNIT_EXIT_USAGE;
	}
	/* `knit CMD --help' is `knit help CMD' for every command. */
	if (argc == 3 && (strcmp(argv[2], "--help") == 0 ||
	    strcmp(argv[2], "-h") == 0)) {
		fputs(c->c_help, stdout);
		return KNIT_EXIT_OK;
	}
	return c->c_main(argc - 1, argv + 1);
}
