/*
 * knit replay --emit-lua: a failure found by knit explore becomes a
 * stand-alone scenario that `knit run' fails with the same signature,
 * every time, and that passes with the bug switched off; knit.preempt
 * (the named windows it writes) does the work.
 *
 * Corpus bugs covered: sbwait_lost_wakeup (one window), rtsock_lock_order
 * (its deadlock schedule, several windows), kern3508 (no window: the
 * default schedule fails), rtcache_nolock's data race (knit explore
 * --race; the file asks for the race detector itself).
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "knit_run.h"
#include "tmpdb.h"

#define SBWAIT	"scenarios/bugs/sbwait_lost_wakeup.lua"
#define RTSOCK	"scenarios/bugs/rtsock_lock_order.lua"
#define K3508	"scenarios/kern3508.lua"
#define RACE	"scenarios/bugs/rtcache_nolock.lua"
#define HANG	"main chunk never finished"

/* The run id after `marker' ("... --run N") in text; fails if none. */
static long
run_id_after(const char *text, const char *marker)
{
	const char *p = strstr(text, marker);
	long id = 0;

	ck_assert_msg(p != NULL, "no '%s' in: %s", marker, text);
	p = strstr(p, "--run ");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p + 6, "%ld", &id), 1);
	return id;
}

static char *
slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *fp = fopen(path, "r"), *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		fwrite(chunk, 1, n, out);
	fclose(fp);
	fclose(out);
	return buf;
}

static void
spit(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

/* text with every `from' replaced by `to' (malloc'ed). */
static char *
replace_all(const char *text, const char *from, const char *to)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	const char *p;

	while ((p = strstr(text, from)) != NULL) {
		fwrite(text, 1, (size_t)(p - text), out);
		fputs(to, out);
		text = p + strlen(from);
	}
	fputs(text, out);
	fclose(out);
	return buf;
}

static void
emit(const char *db, long id, const char *file, struct knit_out *o)
{
	char idbuf[32];
	const char *args[] = { "replay", db, "--run", idbuf, "--emit-lua",
	    file, NULL };

	snprintf(idbuf, sizeof(idbuf), "%ld", id);
	knit_run(o, args);
}

/*
 * knit explore ARGS --db DB (it must fail), then emit the run whose id
 * follows `marker' in its output into FILE; returns FILE's text.  DB and
 * FILE are fresh paths (dbf, file); emit_done removes them.
 */
static char *
explore_emit(const char *const *args, const char *marker, char *dbf,
    char *file, struct knit_out *e)
{
	const char *all[24];
	struct knit_out o;
	size_t n = 0;

	tmpdb_path(dbf, 64);
	snprintf(file, 80, "%s.lua", dbf);
	while (args[n] != NULL && n < 20) {
		all[n] = args[n];
		n++;
	}
	all[n++] = "--db";
	all[n++] = dbf;
	all[n] = NULL;
	knit_run(&o, all);
	ck_assert_msg(o.ko_status == 1, "%s%s", o.ko_out, o.ko_err);
	emit(dbf, run_id_after(o.ko_out, marker), file, e);
	ck_assert_msg(e->ko_status == 0, "%s%s", e->ko_out, e->ko_err);
	ck_assert_ptr_nonnull(strstr(e->ko_out, "reproduces"));
	knit_out_free(&o);
	return slurp(file);
}

static void
emit_done(char *text, struct knit_out *e, const char *dbf, const char *file)
{
	free(text);
	knit_out_free(e);
	unlink(file);
	tmpdb_remove(dbf);
}

/* knit run FILE [-D def] --no-db */
static void
run_file(const char *file, const char *def, struct knit_out *o)
{
	const char *args[] = { "run", file, "--no-db", def ? "-D" : NULL,
	    def, NULL };

	knit_run(o, args);
}

/*
 * The emitted file fails with `what' (twice, the same trace hash) and
 * passes with `off'.  Returns the failing run's trace hash.
 */
static uint64_t
reproduces(const char *file, const char *what, const char *off)
{
	struct knit_out a, b, c;
	uint64_t h;

	run_file(file, NULL, &a);
	ck_assert_msg(a.ko_status == 1, "%s: %d: %s%s", file, a.ko_status,
	    a.ko_out, a.ko_err);
	ck_assert_msg(strstr(a.ko_out, what) != NULL, "%s", a.ko_out);
	run_file(file, NULL, &b);
	h = knit_trace_hash(&a);
	ck_assert_uint_ne(h, 0);
	ck_assert_uint_eq(h, knit_trace_hash(&b));
	run_file(file, off, &c);
	ck_assert_msg(c.ko_status == 0, "%s -D %s: %s%s", file, off,
	    c.ko_out, c.ko_err);
	knit_out_free(&a);
	knit_out_free(&b);
	knit_out_free(&c);
	return h;
}

/*
 * The lost wakeup: explore finds it, the emitted file has one window
 * (the server pre-empted in its socket wait by the client) and fails;
 * without the window the same file passes (the default schedule misses
 * the bug), so the window is what reproduces it; with the bug off the
 * window still opens and the run passes.  A bystander host added in
 * front (other host indices, other choice numbers, another trace) does
 * not move the window: the failure stays.
 */
START_TEST(test_emit_sbwait)
{
	const char *const args[] = { "explore", knit_src(SBWAIT), "--runs",
	    "200", "--stop-on-first", NULL };
	char dbf[64], file[80], alt[80];
	struct knit_out e, r;
	char *text, *t2, *t3;
	uint64_t h;

	text = explore_emit(args, "replay: knit replay", dbf, file, &e);
	snprintf(alt, sizeof(alt), "%s.alt.lua", dbf);
	ck_assert_msg(strstr(e.ko_out, "1 window;") != NULL, "%s", e.ko_out);
	ck_assert_msg(strstr(text, "knit.preempt{at = \"server@h\", site = ")
	    != NULL, "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "run = \"client@h\"}"));
	ck_assert_ptr_nonnull(strstr(text, "-- failure:  the scenario's "
	    "main chunk never finished"));
	h = reproduces(file, HANG, "bug=0");
	{
		char line[128];

		snprintf(line, sizeof(line), "-- checked when written: knit "
		    "run fails with it, twice, trace hash 0x%016llx",
		    (unsigned long long)h);
		ck_assert_msg(strstr(text, line) != NULL, "%s", text);
	}

	/* without its window the file passes */
	t2 = replace_all(text, "knit.preempt{", "(function() end){");
	spit(alt, t2);
	run_file(alt, NULL, &r);
	ck_assert_msg(r.ko_status == 0, "%s", r.ko_out);
	knit_out_free(&r);
	free(t2);

	/* bug off: the window opens (hit 1, fired) and the run passes */
	t2 = replace_all(text, "knit.preempt{", "W = knit.preempt{");
	t3 = replace_all(t2, "return assert(load(", "assert(load(");
	free(t2);
	t2 = NULL;
	if (asprintf(&t2, "%sprint(\"window\", W:fired(), W:hits(), "
	    "W:missed())\n", t3) < 0)
		ck_abort();
	spit(alt, t2);
	run_file(alt, "bug=0", &r);
	ck_assert_msg(r.ko_status == 0, "%s%s", r.ko_out, r.ko_err);
	ck_assert_msg(strstr(r.ko_out, "window\ttrue\t1\tnil") != NULL, "%s",
	    r.ko_out);
	knit_out_free(&r);
	free(t2);
	free(t3);

	/* a bystander host in front: the window still finds its place */
	t2 = replace_all(text, "\n-- The race windows", "\n"
	    "local by = knit.host(\"bystander\", {cpus = 2})\n"
	    "for i = 0, 1 do\n"
	    "\tby:spawn(\"noise\" .. i, function(p)\n"
	    "\t\tfor j = 1, 30 do p:sleep(\"700ns\") end\n"
	    "\tend, {cpu = i})\n"
	    "end\n"
	    "-- The race windows");
	spit(alt, t2);
	run_file(alt, NULL, &r);
	ck_assert_msg(r.ko_status == 1, "%s%s", r.ko_out, r.ko_err);
	ck_assert_ptr_nonnull(strstr(r.ko_out, HANG));
	ck_assert_uint_ne(knit_trace_hash(&r), h);
	knit_out_free(&r);
	free(t2);

	unlink(alt);
	emit_done(text, &e, dbf, file);
}
END_TEST

/* The rtsock deadlock schedule (found by the deadlock search). */
START_TEST(test_emit_rtsock_deadlock)
{
	/* -D rounds: a number the file must hand back as one */
	const char *const args[] = { "explore", knit_src(RTSOCK),
	    "--strategy", "dfs", "--runs", "20", "-D", "rounds=2", NULL };
	char dbf[64], file[80];
	struct knit_out e;
	char *text;

	text = explore_emit(args, "deadlock schedule: found by", dbf, file,
	    &e);
	ck_assert_ptr_nonnull(strstr(e.ko_out, "deadlock in "));
	ck_assert_ptr_nonnull(strstr(text, "knit.preempt{at = \""));
	ck_assert_msg(strstr(text, "local recorded = {[\"rounds\"] = \"2\"}")
	    != NULL, "%s", text);
	(void)reproduces(file, "deadlock", "bug=0");
	emit_done(text, &e, dbf, file);
}
END_TEST

/* kern/3508: the default schedule fails; no window; -D list passes. */
START_TEST(test_emit_kern3508)
{
	const char *const args[] = { "explore", knit_src(K3508), "-D",
	    "invalidation=none", "--runs", "1", NULL };
	char dbf[64], file[80];
	struct knit_out e;
	char *text;

	text = explore_emit(args, "replay: knit replay", dbf, file, &e);
	ck_assert_ptr_nonnull(strstr(e.ko_out, "0 windows;"));
	/* the run's -D is in the file, and -D still overrides it */
	ck_assert_msg(strstr(text, "local recorded = {[\"invalidation\"] = "
	    "\"none\"}") != NULL, "%s", text);
	ck_assert_ptr_null(strstr(text, "knit.preempt{"));
	(void)reproduces(file, "kern/3508", "invalidation=list");
	emit_done(text, &e, dbf, file);
}
END_TEST

/*
 * A data race found by knit explore --race: the file asks for the race
 * detector itself (knit.check{race = true}), so plain `knit run FILE'
 * (build/knit, no --race: it runs build/knit-race) fails with the
 * recorded race's signature twice with one trace hash; -D bug=0 passes.
 */
START_TEST(test_emit_race)
{
	const char *const args[] = { "explore", knit_src(RACE), "--race",
	    "--strategy", "random", "--runs", "2", NULL };
	char dbf[64], file[80], *sig;
	const char *p;
	struct knit_out e;
	char *text;

	text = explore_emit(args, "replay: knit replay", dbf, file, &e);
	ck_assert_msg(strstr(text, "\nknit.check{race = true}\n") != NULL,
	    "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "strategy random, --race)"));
	p = strstr(e.ko_out, "twice):\n  ");
	ck_assert_msg(p != NULL, "%s", e.ko_out);
	p += strlen("twice):\n  ");
	sig = strndup(p, strcspn(p, "\n"));
	ck_assert_msg(strncmp(sig, "data race: ", 11) == 0, "%s", sig);
	(void)reproduces(file, sig, "bug=0");
	free(sig);
	emit_done(text, &e, dbf, file);
}
END_TEST

/* Unknown run, a run that passed, a file that cannot be written: exit 2,
 * a message naming the input, no file. */
START_TEST(test_emit_bad_input)
{
	char dbf[64], file[80];
	struct knit_out o;
	long pass_id;

	tmpdb_path(dbf, sizeof(dbf));
	snprintf(file, sizeof(file), "%s.lua", dbf);
	{
		const char *args[] = { "run", knit_src(SBWAIT), "-D", "bug=0",
		    "--db", dbf, "--quiet", NULL };

		knit_run(&o, args);
		ck_assert_int_eq(o.ko_status, 0);
		knit_out_free(&o);
	}
	pass_id = 1;
	emit(dbf, 7, file, &o);
	ck_assert_int_eq(o.ko_status, 2);
	ck_assert_msg(strstr(o.ko_err, "no run 7") != NULL, "%s", o.ko_err);
	knit_out_free(&o);
	emit(dbf, pass_id, file, &o);
	ck_assert_int_eq(o.ko_status, 2);
	ck_assert_msg(strstr(o.ko_err, "run 1 did not fail (verdict pass)") !=
	    NULL, "%s", o.ko_err);
	knit_out_free(&o);
	ck_assert_int_ne(access(file, F_OK), 0);
	emit(dbf, pass_id, "/nonexistent-dir/x.lua", &o);
	ck_assert_int_eq(o.ko_status, 2);
	ck_assert_msg(strstr(o.ko_err, "'/nonexistent-dir/x.lua': cannot "
	    "write it") != NULL, "%s", o.ko_err);
	knit_out_free(&o);
	tmpdb_remove(dbf);
}
END_TEST

/* knit.run tests/scenario/lua/preempt.lua -D ...: its output */
static void
preempt_run(const char *d1, const char *d2, const char *want)
{
	struct knit_out o;
	const char *args[] = { "run", knit_src("tests/scenario/lua/"
	    "preempt.lua"), "--no-db", "-D", d1, d2 ? "-D" : NULL, d2, NULL };

	knit_run(&o, args);
	ck_assert_msg(o.ko_status == 0, "%s %s: %s%s", d1, d2 ? d2 : "",
	    o.ko_out, o.ko_err);
	ck_assert_msg(strstr(o.ko_out, want) != NULL, "%s %s: want '%s' in "
	    "%s", d1, d2 ? d2 : "", want, o.ko_out);
	knit_out_free(&o);
}

/*
 * A window by hand: the second LWP of a name is "name@host#2"; the hit
 * picks which of the first one's points at the site opens the window; a
 * site never reached or an LWP that cannot run there changes nothing.
 */
START_TEST(test_preempt_by_hand)
{
	preempt_run("hit=0", NULL, "order a1 a2 a3 b1 b2 b3\n");
	preempt_run("hit=1", NULL, "order a1 b1 a2 a3 b2 b3\n"
	    "window\ttrue\t1\tnil");
	preempt_run("hit=2", NULL, "order a1 a2 b1 a3 b2 b3\n"
	    "window\ttrue\t2\tnil");
	preempt_run("hit=1", "site=mutex in nowhere",
	    "order a1 a2 a3 b1 b2 b3\nwindow\tfalse\t0\tnil");
	preempt_run("hit=1", "run=nobody@h", "order a1 a2 a3 b1 b2 b3\n"
	    "window\tfalse\t1\tnobody@h was not runnable there");
	/* the second LWP reaches the site too: "run yourself" changes nothing */
	preempt_run("hit=1", "at=w@h#2", "order a1 a2 a3 b1 b2 b3\n"
	    "window\ttrue\t1\tnil");
}
END_TEST

/* The scheduler's own decisions have a name too. */
START_TEST(test_preempt_scheduler)
{
	struct knit_out o;
	const char *scn = knit_src("tests/scenario/lua/preempt_sched.lua");
	const char *a1[] = { "run", scn, "--no-db", NULL };
	const char *a2[] = { "run", scn, "--no-db", "-D", "run=a@h1", NULL };

	knit_run(&o, a1);
	ck_assert_msg(o.ko_status == 0 && strstr(o.ko_out, "window\ttrue\t1"
	    "\tnil") != NULL, "%s%s", o.ko_out, o.ko_err);
	knit_out_free(&o);
	knit_run(&o, a2);
	ck_assert_msg(o.ko_status == 0 && strstr(o.ko_out, "window\tfalse\t1"
	    "\ta@h1 was not runnable there") != NULL, "%s%s", o.ko_out,
	    o.ko_err);
	knit_out_free(&o);
}
END_TEST

/* knit.preempt's argument errors are scenario errors (exit 2). */
static void
preempt_error(const char *call, const char *what)
{
	char path[] = "/tmp/knit-preempt-XXXXXX.lua";
	struct knit_out o;
	char *text;
	int fd = mkstemps(path, 4);

	ck_assert_int_ge(fd, 0);
	close(fd);
	if (asprintf(&text, "local knit = require(\"knit\")\n%s\n", call) < 0)
		ck_abort();
	spit(path, text);
	run_file(path, NULL, &o);
	ck_assert_msg(o.ko_status == 2, "%s: %d", call, o.ko_status);
	ck_assert_msg(strstr(o.ko_err, what) != NULL, "%s: %s", call,
	    o.ko_err);
	knit_out_free(&o);
	free(text);
	unlink(path);
}

START_TEST(test_preempt_errors)
{
	preempt_error("knit.preempt{at = \"a@h\", site = \"mutex in f\", "
	    "run = \"b@h\", when = 3}", "unknown field 'when'");
	preempt_error("knit.preempt{at = \"a@h\", site = \"mutex in f\", "
	    "hit = 0, run = \"b@h\"}", "'hit' must be an integer >= 1");
	preempt_error("knit.preempt{at = \"a\", site = \"mutex in f\", "
	    "run = \"b@h\"}", "LWP names are \"name@host\" (or "
	    "\"scheduler\" for at): 'a'");
	preempt_error("knit.preempt{at = \"a@h\", site = \"mutex in f\"}",
	    "'run' must be a string");
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("emit");
	TCase *tc = tcase_create("emit-lua");
	SRunner *sr;
	int nf;

	if (argc < 3) {
		fprintf(stderr, "usage: test_emit KNIT SRCDIR\n");
		return 2;
	}
	knit_path = argv[1];
	knit_srcdir = argv[2];
	tcase_add_test(tc, test_emit_sbwait);
	tcase_add_test(tc, test_emit_rtsock_deadlock);
	tcase_add_test(tc, test_emit_kern3508);
	tcase_add_test(tc, test_emit_race);
	tcase_add_test(tc, test_emit_bad_input);
	tcase_add_test(tc, test_preempt_errors);
	tcase_add_test(tc, test_preempt_by_hand);
	tcase_add_test(tc, test_preempt_scheduler);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
