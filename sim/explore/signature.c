/*
 * Failure signatures (see signature.h).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/signature.h"

/* Frames that say where the report was made, not where the bug is. */
static const char *const plumbing[] = {
	"sim_fail", "sim_failv", "sim_backtrace", "world_violation",
	"check_stack_capture", "lockdebug_", "kassert_fail", "panic",
	"abort", "raise", "__", "hook_", "sched_", "sleepq_", "ctx_",
	"lwp_trampoline", "mutex_", "rw_", "cv_", "kpause", "?",
	NULL
};

static int
is_plumbing(const char *fn)
{
	for (int i = 0; plumbing[i] != NULL; i++)
		if (strncmp(fn, plumbing[i], strlen(plumbing[i])) == 0)
			return 1;
	return 0;
}

char *
xsignature(const char *kind, const char *message, const char *stack)
{
	char *out = NULL, fn[256];
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	const char *p;
	int nframes = 0, first = 1;

	if (fp == NULL)
		abort();
	if (message == NULL)
		message = "";
	if (strcmp(kind, "lock_order") == 0 || strcmp(kind, "data_race") == 0 ||
	    strcmp(kind, "expectation") == 0) {
		p = strchr(message, '\n');
		fprintf(fp, "%.*s", p != NULL ? (int)(p - message) :
		    (int)strlen(message), message);
		fclose(fp);
		return out;
	}
	fprintf(fp, "%s", kind);
	/* Frames look like "    #3 function (file:line)". */
	for (p = stack; p != NULL && *p != '\0' && nframes < XSIG_FRAMES;) {
		const char *eol = strchr(p, '\n'), *q = p;
		size_t n = 0;

		if (eol == NULL)
			eol = p + strlen(p);
		while (q < eol && isspace((unsigned char)*q))
			q++;
		if (*q == '#') {
			while (q < eol && !isspace((unsigned char)*q))
				q++;
			while (q < eol && isspace((unsigned char)*q))
				q++;
			while (q < eol && !isspace((unsigned char)*q) &&
			    *q != '(' && *q != '+' && n + 1 < sizeof(fn))
				fn[n++] = *q++;
			fn[n] = '\0';
			if (n > 0 && !is_plumbing(fn)) {
				fprintf(fp, "%s%s", first ? " in " : " < ", fn);
				first = 0;
				nframes++;
			}
		}
		p = *eol != '\0' ? eol + 1 : eol;
	}
	if (nframes == 0) {
		/* No usable stack: the message without its numbers. */
		fputs(": ", fp);
		for (p = message; *p != '\0' && *p != '\n'; p++)
			if (!isdigit((unsigned char)*p))
				fputc(*p, fp);
			else if (p == message || !isdigit((unsigned char)p[-1]))
				fputc('#', fp);
	}
	fclose(fp);
	return out;
}
