/*
 * knit: the command-line front end.
 */
#include <stdio.h>
#include <string.h>

#ifndef KNIT_VERSION
#define KNIT_VERSION "0.1.0"
#endif

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: knit COMMAND [ARGS]\n"
	    "\n"
	    "commands:\n"
	    "  version     print the version\n"
	    "  help        this text\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "version") == 0) {
		printf("knit %s\n", KNIT_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "knit: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
