/*
 * sysctl(8): read and set kernel variables by dotted name.
 *
 *	sysctl [-n] name ...
 *	sysctl [-n] -w name=value ...
 *	sysctl [-n] name=value ...	(NetBSD accepts it without -w too)
 *	sysctl -a			every variable
 *	sysctl prefix			every variable under prefix
 *
 * Values travel as text through the kernel's sysctl text interface (the
 * only sysctl system call we have is by name).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sys/syscall.h"

#include "ul.h"

static int
sysctl_show(struct ul_io *io, const char *name, bool nflag)
{
	char buf[256];
	int error;

	error = sys_sysctl_text(name, buf, sizeof(buf), NULL);
	if (error != 0)
		return error;
	if (nflag)
		ul_printf(io, "%s\n", buf);
	else
		ul_printf(io, "%s = %s\n", name, buf);
	return 0;
}

/* Every node whose name is `prefix' or starts with "prefix.". */
static int
sysctl_walk(struct ul_io *io, const char *prefix, bool nflag)
{
	char name[128];
	size_t plen = prefix ? strlen(prefix) : 0;
	int found = 0;

	name[0] = '\0';
	while (sys_sysctl_next(name, name, sizeof(name), NULL, 0) == 0) {
		if (prefix != NULL && (strncmp(name, prefix, plen) != 0 ||
		    (name[plen] != '\0' && name[plen] != '.')))
			continue;
		if (sysctl_show(io, name, nflag) == 0)
			found++;
	}
	return found;
}

int
ul_sysctl_main(struct ul_io *io, int argc, char **argv)
{
	bool nflag = false, wflag = false, aflag = false;
	int i, rc = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *f;

		for (f = argv[i] + 1; *f != '\0'; f++) {
			switch (*f) {
			case 'n':
				nflag = true;
				break;
			case 'w':
				wflag = true;
				break;
			case 'a':
			case 'A':
				aflag = true;
				break;
			default:
				ul_eprintf(io, "usage: sysctl [-n] [-w] "
				    "name[=value] ...\n       sysctl [-n] "
				    "-a\n");
				return 1;
			}
		}
	}
	if (aflag) {
		sysctl_walk(io, NULL, nflag);
		return 0;
	}
	if (i >= argc) {
		ul_eprintf(io, "usage: sysctl [-n] [-w] name[=value] ...\n"
		    "       sysctl [-n] -a\n");
		return 1;
	}
	for (; i < argc; i++) {
		char name[128], old[256], *eq;
		int error;

		snprintf(name, sizeof(name), "%s", argv[i]);
		eq = strchr(name, '=');
		if (eq == NULL) {
			if (wflag) {
				ul_warnx(io, "%s: missing '=value'", name);
				rc = 1;
				continue;
			}
			error = sysctl_show(io, name, nflag);
			if (error == ENOENT && sysctl_walk(io, name, nflag) >
			    0)
				error = 0;
			if (error != 0) {
				ul_warnx(io, "third level name '%s' in '%s' "
				    "is invalid", name, name);
				rc = 1;
			}
			continue;
		}
		*eq = '\0';
		error = sys_sysctl_text(name, old, sizeof(old), NULL);
		if (error == 0)
			error = sys_sysctl_text(name, NULL, 0, eq + 1);
		if (error == ENOENT) {
			ul_warnx(io, "third level name '%s' in '%s' is "
			    "invalid", name, name);
			rc = 1;
		} else if (error != 0) {
			ul_warnc(io, error, "%s", name);
			rc = 1;
		} else if (nflag) {
			ul_printf(io, "%s\n", eq + 1);
		} else {
			ul_printf(io, "%s: %s -> %s\n", name, old, eq + 1);
		}
	}
	return rc;
}
