/*
 * A fresh database path for a CLI test, and its removal (with SQLite's
 * -wal and -shm side files).
 */
#ifndef _KNIT_TESTS_SCENARIO_TMPDB_H_
#define _KNIT_TESTS_SCENARIO_TMPDB_H_

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
tmpdb_path(char *buf, size_t len)
{
	char tmpl[] = "/tmp/knit-test-XXXXXX";
	int fd = mkstemp(tmpl);

	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(tmpl);
	snprintf(buf, len, "%s.db", tmpl);
}

static inline void
tmpdb_remove(const char *path)
{
	char side[256];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

#endif /* !_KNIT_TESTS_SCENARIO_TMPDB_H_ */
