/*
 * Running userland programs: output buffers, argument splitting and the
 * program table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ul.h"

static const struct ul_prog ul_progs[] = {
	{ "route", ul_route_main },
	{ "sysctl", ul_sysctl_main },
	{ "netstat", ul_netstat_main },
#ifndef KN_NO_NET
	{ "ifconfig", ul_ifconfig_main },
	{ "ping", ul_ping_main },
	{ "ping6", ul_ping_main },
#endif
};

const struct ul_prog *
ul_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ul_progs) / sizeof(ul_progs[0]); i++)
		if (strcmp(ul_progs[i].up_name, name) == 0)
			return &ul_progs[i];
	return NULL;
}

static void
ul_vbprintf(struct ul_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if (b->b_len + (size_t)n + 1 > b->b_cap) {
		size_t cap = b->b_cap ? b->b_cap : 256;
		char *nd;

		while (cap < b->b_len + (size_t)n + 1)
			cap *= 2;
		nd = realloc(b->b_data, cap);
		if (nd == NULL)
			return;
		b->b_data = nd;
		b->b_cap = cap;
	}
	vsnprintf(b->b_data + b->b_len, b->b_cap - b->b_len, fmt, ap);
	b->b_len += (size_t)n;
}

void
ul_printf(struct ul_io *io, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ul_vbprintf(&io->io_out, fmt, ap);
	va_end(ap);
}

void
ul_eprintf(struct ul_io *io, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ul_vbprintf(&io->io_err, fmt, ap);
	va_end(ap);
}

void
ul_warnc(struct ul_io *io, int error, const char *fmt, ...)
{
	va_list ap;

	ul_eprintf(io, "%s: ", io->io_prog);
	va_start(ap, fmt);
	ul_vbprintf(&io->io_err, fmt, ap);
	va_end(ap);
	ul_eprintf(io, ": %s\n", strerror(error));
}

void
ul_warnx(struct ul_io *io, const char *fmt, ...)
{
	va_list ap;

	ul_eprintf(io, "%s: ", io->io_prog);
	va_start(ap, fmt);
	ul_vbprintf(&io->io_err, fmt, ap);
	va_end(ap);
	ul_eprintf(io, "\n");
}

void
ul_io_fini(struct ul_io *io)
{
	free(io->io_out.b_data);
	free(io->io_err.b_data);
	memset(io, 0, sizeof(*io));
}

#define UL_MAXARGS	64

/* Split in place; returns argc or -1 on an unterminated quote. */
static int
ul_split(char *s, char **argv, int max)
{
	int argc = 0;
	char *w;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s == '\0')
			break;
		if (argc == max - 1)
			return -1;
		argv[argc++] = w = s;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n') {
			if (*s == '\'' || *s == '"') {
				char q = *s++;

				while (*s != '\0' && *s != q)
					*w++ = *s++;
				if (*s != q)
					return -1;
				s++;
			} else {
				*w++ = *s++;
			}
		}
		if (*s != '\0')
			s++;
		*w = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

int
ul_exec(struct ul_io *io, const char *cmdline)
{
	char *copy, *argv[UL_MAXARGS];
	const struct ul_prog *p;
	int argc, rc;

	copy = strdup(cmdline);
	if (copy == NULL)
		return 1;
	argc = ul_split(copy, argv, UL_MAXARGS);
	if (argc < 0) {
		ul_eprintf(io, "sh: unterminated quote or too many words: "
		    "%s\n", cmdline);
		free(copy);
		return 2;
	}
	if (argc == 0) {
		free(copy);
		return 0;
	}
	p = ul_lookup(argv[0]);
	if (p == NULL) {
		ul_eprintf(io, "sh: %s: not found\n", argv[0]);
		free(copy);
		return 127;
	}
	io->io_prog = p->up_name;
	rc = p->up_main(io, argc, argv);
	free(copy);
	return rc;
}
