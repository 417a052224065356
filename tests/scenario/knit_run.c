/*
 * Subprocess helper for the scenario tests: runs knit, collects its
 * exit status, stdout and stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "knit_run.h"

const char *knit_path;
const char *knit_srcdir;

static char *
slurp_fd(int fd)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

void
knit_run(struct knit_out *ko, const char *const *args)
{
	char outname[] = "/tmp/knit-test-outXXXXXX";
	char errname[] = "/tmp/knit-test-errXXXXXX";
	const char *argv[64];
	int ofd, efd, st, i;
	pid_t pid;

	memset(ko, 0, sizeof(*ko));
	ofd = mkstemp(outname);
	efd = mkstemp(errname);
	if (ofd < 0 || efd < 0)
		abort();
	unlink(outname);
	unlink(errname);
	argv[0] = knit_path;
	for (i = 0; args[i] != NULL && i < 62; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		execv(knit_path, (char *const *)argv);
		_exit(126);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	ko->ko_status = WIFEXITED(st) ? WEXITSTATUS(st) :
	    128 + WTERMSIG(st);
	lseek(ofd, 0, SEEK_SET);
	lseek(efd, 0, SEEK_SET);
	ko->ko_out = slurp_fd(ofd);
	ko->ko_err = slurp_fd(efd);
	close(ofd);
	close(efd);
}

void
knit_out_free(struct knit_out *ko)
{
	free(ko->ko_out);
	free(ko->ko_err);
	memset(ko, 0, sizeof(*ko));
}

uint64_t
knit_trace_hash(const struct knit_out *ko)
{
	const char *p = strstr(ko->ko_out, "trace hash: 0x");

	if (p == NULL)
		return 0;
	return strtoull(p + strlen("trace hash: 0x"), NULL, 16);
}

const char *
knit_src(const char *rel)
{
	static char bufs[8][4096];
	static int slot;
	char *b = bufs[slot++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", knit_srcdir, rel);
	return b;
}
