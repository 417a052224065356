/*
 * Races of the socket layer and Unix-domain sockets.  Each case runs its
 * body many times: on the simulator once per seed of the random strategy
 * (tp_race_iterations() = 1,000 seeds), on the pthreads platform as
 * often on real threads.  Every run asserts the documented outcome, and
 * tp_run fails it on a leak (sockets, files, rights, processes, mbufs),
 * a deadlock or a KASSERT.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/systm.h"
#include "sys/atomic.h"
#include "sys/condvar.h"
#include "sys/intr.h"
#include "sys/kthread.h"
#include "sys/lwp.h"
#include "sys/mutex.h"
#include "sys/proc.h"
#include "sys/socket.h"
#include "sys/socketvar.h"
#include "sys/syscall.h"
#include "sys/un.h"

#include "tp.h"


/* Outcome counters across seeds (the test process's memory). */
static u_int outcome[8];

/*
 * Spread an action over the other thread's whole run: the body's arg is
 * the seed, and the body yields a seed-dependent number of times (0..96)
 * before acting, so that the random strategy explores the interleavings
 * around every point of the window, not only its start.
 */
static void
jitter(void *arg)
{
	u_int i, n = (u_int)(((uintptr_t)arg * 7919) % 97);

	for (i = 0; i < n; i++)
		tp_yield();
}

/* ---------------------------------------------------------------- */
/*
 * connect vs close of the listener.  connect returns 0 (the connection
 * was queued before the close, which then aborted it: the connector
 * reads EOF) or ECONNREFUSED (the listener was gone or not accepting).
 */
static void
connector_thread(void *arg)
{
	char buf[4];
	ssize_t n;
	int s, error;

	(void)arg;
	TP_EQ(sys_socket(AF_LOCAL, SOCK_STREAM, 0, &s), 0);
	error = tp_connect(s, "/race");
	if (error == 0) {
		TP_EQ(sys_recv(s, buf, sizeof(buf), 0, &n), 0);
		TP_EQ(n, 0);
		atomic_inc_uint(&outcome[0]);
	} else {
		TP_EQ(error, ECONNREFUSED);
		atomic_inc_uint(&outcome[1]);
	}
	TP_EQ(sys_close(s), 0);
}

static void
body_connect_vs_close(void *arg)
{
	struct tp_thread *t;
	int l;

	l = tp_listen(SOCK_STREAM, "/race");
	t = tp_start(NULL, connector_thread, NULL);
	jitter(arg);
	TP_EQ(sys_close(l), 0);
	tp_join(t);
	TP_EQ(sys_unlink("/race"), 0);
}

/* ---------------------------------------------------------------- */
/*
 * accept vs close by the peer.  The connection stays queued when its
 * connector closes: accept returns it, and it reads the data, then EOF.
 */
static void
close_after_send_thread(void *arg)
{
	ssize_t n;
	int s;

	(void)arg;
	TP_EQ(sys_socket(AF_LOCAL, SOCK_STREAM, 0, &s), 0);
	TP_EQ(tp_connect(s, "/acc"), 0);
	TP_EQ(sys_send(s, "x", 1, 0, &n), 0);
	TP_EQ(sys_close(s), 0);
}

static void
body_accept_vs_close(void *arg)
{
	struct tp_thread *t;
	char buf[4];
	ssize_t n;
	int l, a;

	(void)arg;
	l = tp_listen(SOCK_STREAM, "/acc");
	t = tp_start(NULL, close_after_send_thread, NULL);
	TP_EQ(sys_accept(l, NULL, NULL, &a), 0);
	TP_EQ(sys_recv(a, buf, sizeof(buf), MSG_WAITALL, &n), 0);
	TP_EQ(n, 1);
	TP_EQ(buf[0], 'x');
	TP_EQ(sys_recv(a, buf, sizeof(buf), 0, &n), 0);
	TP_EQ(n, 0);
	tp_join(t);
	TP_EQ(sys_close(a), 0);
	TP_EQ(sys_close(l), 0);
	TP_EQ(sys_unlink("/acc"), 0);
}

/* ---------------------------------------------------------------- */
/*
 * Datagrams to a path while its socket closes: each sendto returns 0
 * (queued before the close; the close discards it) or ECONNREFUSED (the
 * name is orphaned).  Once refused, always refused.
 */
static void
dgram_sender(void *arg)
{
	struct sockaddr_un sun;
	socklen_t len = tp_mkaddr(&sun, "/dgr");
	bool refused = false;
	ssize_t n;
	int s, i, error;

	(void)arg;
	TP_EQ(sys_socket(AF_LOCAL, SOCK_DGRAM, 0, &s), 0);
	for (i = 0; i < 4; i++) {
		error = sys_sendto(s, "d", 1, 0, (struct sockaddr *)&sun, len,
		    &n);
		if (error == 0) {
			TP_ASSERT(!refused);
			atomic_inc_uint(&outcome[0]);
		} else {
			TP_EQ(error, ECONNREFUSED);
			refused = true;
			atomic_inc_uint(&outcome[1]);
		}
	}
	TP_EQ(sys_close(s), 0);
}

static void
body_dgram_vs_close(void *arg)
{
	struct tp_thread *t;
	int r;

	r = tp_listen(SOCK_DGRAM, "/dgr");
	t = tp_start(NULL, dgram_sender, NULL);
	jitter(arg);
	TP_EQ(sys_close(r), 0);
	tp_join(t);
	TP_EQ(sys_unlink("/dgr"), 0);
}

/* ---------------------------------------------------------------- */
/*
 * Both ends of a stream pair send at once, then read what the other
 * sent: every byte arrives, in order.
 */
#define BOTH_CHUNKS	40
#define BOTH_CHUNK	100

static void
send_then_recv(int s, uint8_t tag)
{
	uint8_t buf[BOTH_CHUNKS * BOTH_CHUNK];
	ssize_t n;
	int i, j;

	for (i = 0; i < BOTH_CHUNKS; i++) {
		for (j = 0; j < BOTH_CHUNK; j++)
			buf[j] = (uint8_t)(tag ^ (i * BOTH_CHUNK + j));
		TP_EQ(sys_send(s, buf, BOTH_CHUNK, 0, &n), 0);
		TP_EQ(n, BOTH_CHUNK);
	}
	memset(buf, 0, sizeof(buf));
	TP_EQ(sys_recv(s, buf, sizeof(buf), MSG_WAITALL, &n), 0);
	TP_EQ(n, sizeof(buf));
	for (i = 0; i < (int)sizeof(buf); i++)
		TP_EQ(buf[i], (uint8_t)((tag ^ 0xff) ^ i));
}

static void
other_end_thread(void *arg)
{
	send_then_recv(*(int *)arg, 0xff);
}

static void
body_both_send(void *arg)
{
	struct tp_thread *t;
	int sv[2];

	(void)arg;
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	t = tp_start(curproc, other_end_thread, &sv[1]);
	send_then_recv(sv[0], 0x00);
	tp_join(t);
	TP_EQ(sys_close(sv[0]), 0);
	TP_EQ(sys_close(sv[1]), 0);
}

/* ---------------------------------------------------------------- */
/* Descriptor passing. */

struct pass_arg {
	int	 pa_sock;	/* where to send */
	int	 pa_fd;		/* what to send */
};

/*
 * Sends the descriptor three times; each send returns 0 or, once the
 * receiver closed, EPIPE.
 */
static void
passer_thread(void *arg)
{
	struct pass_arg *pa = arg;
	int i, error;

	for (i = 0; i < 3; i++) {
		error = tp_send_fd(pa->pa_sock, pa->pa_fd);
		if (error == 0)
			atomic_inc_uint(&outcome[0]);
		else {
			TP_EQ(error, EPIPE);
			atomic_inc_uint(&outcome[1]);
		}
	}
}

/*
 * The receiver takes one message (the descriptor works), then closes
 * while more may be in flight: rights still queued are disposed of and
 * nothing leaks.
 */
static void
body_pass_vs_close(void *arg)
{
	struct pass_arg pa;
	struct tp_thread *t;
	ssize_t n;
	int sv[2], xv[2], got;

	(void)arg;
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_DGRAM, 0, xv), 0);
	pa.pa_sock = sv[0];
	pa.pa_fd = xv[0];
	t = tp_start(curproc, passer_thread, &pa);
	TP_EQ(tp_recv_fd(sv[1], &got, CMSG_SPACE(sizeof(int)), NULL), 0);
	TP_ASSERT(got >= 0);
	TP_EQ(sys_send(got, "y", 1, 0, &n), 0);
	TP_EQ(sys_close(got), 0);
	jitter(arg);
	TP_EQ(sys_close(sv[1]), 0);
	tp_join(t);
	TP_EQ(sys_close(sv[0]), 0);
	TP_EQ(sys_close(xv[0]), 0);
	TP_EQ(sys_close(xv[1]), 0);
}

/* ---------------------------------------------------------------- */
/*
 * Cycles: two processes each build a pair whose ends are queued on each
 * other, then close them.  Only the collector can free them; tp_run
 * asserts it did.
 */
static void
cycle_thread(void *arg)
{
	int sv[2];

	(void)arg;
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	TP_EQ(tp_send_fd(sv[0], sv[1]), 0);
	TP_EQ(tp_send_fd(sv[1], sv[0]), 0);
	TP_EQ(sys_close(sv[0]), 0);
	TP_EQ(sys_close(sv[1]), 0);
}

static void
body_cycles(void *arg)
{
	struct tp_thread *t;
	int sv[2];

	(void)arg;
	t = tp_start(NULL, cycle_thread, NULL);
	/* the pretzel: a datagram socket sent over itself */
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_DGRAM, 0, sv), 0);
	TP_EQ(tp_send_fd(sv[0], sv[1]), 0);
	TP_EQ(tp_send_fd(sv[1], sv[1]), 0);
	TP_EQ(sys_close(sv[0]), 0);
	TP_EQ(sys_close(sv[1]), 0);
	tp_join(t);
}

/* ---------------------------------------------------------------- */
/*
 * Concurrent bind and connect on one socket: UNP_BUSY turns one away
 * with EALREADY while the other is in the name space.  Never both.
 */
struct busy_arg {
	int	 ba_sock;
	int	 ba_error;
};

static void
binder_thread(void *arg)
{
	struct busy_arg *ba = arg;
	struct sockaddr_un sun;
	socklen_t len = tp_mkaddr(&sun, "/mine");

	ba->ba_error = sys_bind(ba->ba_sock, (struct sockaddr *)&sun, len);
}

static void
body_bind_vs_connect(void *arg)
{
	struct busy_arg ba;
	struct tp_thread *t;
	int l, s, cerr;

	l = tp_listen(SOCK_STREAM, "/busy");
	TP_EQ(sys_socket(AF_LOCAL, SOCK_STREAM, 0, &s), 0);
	ba.ba_sock = s;
	ba.ba_error = -1;
	t = tp_start(curproc, binder_thread, &ba);
	jitter(arg);
	cerr = tp_connect(s, "/busy");
	tp_join(t);
	TP_ASSERT(cerr == 0 || cerr == EALREADY);
	TP_ASSERT(ba.ba_error == 0 || ba.ba_error == EALREADY);
	TP_ASSERT(!(cerr == EALREADY && ba.ba_error == EALREADY));
	if (cerr == EALREADY || ba.ba_error == EALREADY)
		atomic_inc_uint(&outcome[0]);
	TP_EQ(sys_close(s), 0);
	TP_EQ(sys_close(l), 0);
	TP_EQ(sys_unlink("/busy"), 0);
	if (ba.ba_error == 0)
		TP_EQ(sys_unlink("/mine"), 0);
}

/* ---------------------------------------------------------------- */
/*
 * A thread sleeps in recv on a connected but not yet accepted socket
 * (it sits on uipc_lock); accept hands the pair a private lock
 * (solockreset wakes the sleeper, which re-waits under the new lock);
 * the data sent afterwards reaches it.
 */
static void
sleeper_thread(void *arg)
{
	char buf[8];
	ssize_t n;

	TP_EQ(sys_recv(*(int *)arg, buf, sizeof(buf), 0, &n), 0);
	TP_EQ(n, 5);
	TP_ASSERT(memcmp(buf, "wake!", 5) == 0);
}

static void
body_lock_change_sleeper(void *arg)
{
	struct tp_thread *t;
	ssize_t n;
	int l, c, a;

	(void)arg;
	l = tp_listen(SOCK_STREAM, "/lk");
	TP_EQ(sys_socket(AF_LOCAL, SOCK_STREAM, 0, &c), 0);
	TP_EQ(tp_connect(c, "/lk"), 0);
	t = tp_start(curproc, sleeper_thread, &c);
	tp_yield();
	TP_EQ(sys_accept(l, NULL, NULL, &a), 0);
	TP_EQ(sys_send(a, "wake!", 5, 0, &n), 0);
	tp_join(t);
	TP_EQ(sys_close(a), 0);
	TP_EQ(sys_close(c), 0);
	TP_EQ(sys_close(l), 0);
	TP_EQ(sys_unlink("/lk"), 0);
}

/* ---------------------------------------------------------------- */
/*
 * A protocol softint blocks on softnet_lock held by a system call on
 * another CPU: it waits for the lock (never runs inside the critical
 * section), then completes exactly once.
 */
struct softnet_arg {
	kmutex_t	 sa_lock;
	kcondvar_t	 sa_cv;
	void		*sa_sih;
	volatile u_int	 sa_inside;	/* the "system call" holds softnet_lock */
	volatile u_int	 sa_ran;
	volatile u_int	 sa_held;	/* the holder has the lock */
};

static void
softnet_softint(void *arg)
{
	struct softnet_arg *sa = arg;

	mutex_enter(softnet_lock);
	TP_EQ(atomic_load_acquire_uint(&sa->sa_inside), 0);
	mutex_exit(softnet_lock);
	mutex_enter(&sa->sa_lock);
	sa->sa_ran++;
	cv_broadcast(&sa->sa_cv);
	mutex_exit(&sa->sa_lock);
}

static void
softnet_holder(void *arg)
{
	struct softnet_arg *sa = arg;
	int i;

	mutex_enter(softnet_lock);
	atomic_store_release_uint(&sa->sa_inside, 1);
	mutex_enter(&sa->sa_lock);
	sa->sa_held = 1;
	cv_broadcast(&sa->sa_cv);
	mutex_exit(&sa->sa_lock);
	for (i = 0; i < 5; i++)
		preempt_point();
	atomic_store_release_uint(&sa->sa_inside, 0);
	mutex_exit(softnet_lock);
	kthread_exit(0);
}

static void
softnet_scheduler(void *arg)
{
	struct softnet_arg *sa = arg;

	mutex_enter(&sa->sa_lock);
	while (!sa->sa_held)
		cv_wait(&sa->sa_cv, &sa->sa_lock);
	mutex_exit(&sa->sa_lock);
	softint_schedule(sa->sa_sih);
	kthread_exit(0);
}

static void
body_softint_softnet(void *arg)
{
	struct softnet_arg sa;
	struct lwp *l1, *l2;

	(void)arg;
	memset(&sa, 0, sizeof(sa));
	mutex_init(&sa.sa_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&sa.sa_cv, "softnet");
	sa.sa_sih = softint_establish(SOFTINT_NET | SOFTINT_MPSAFE,
	    softnet_softint, &sa);
	TP_ASSERT(sa.sa_sih != NULL);
	TP_EQ(kthread_create(PRI_NONE, KTHREAD_MPSAFE | KTHREAD_MUSTJOIN,
	    cpu_lookup(0), softnet_holder, &sa, &l1, "holder"), 0);
	TP_EQ(kthread_create(PRI_NONE, KTHREAD_MPSAFE | KTHREAD_MUSTJOIN,
	    cpu_lookup(1), softnet_scheduler, &sa, &l2, "sched"), 0);
	mutex_enter(&sa.sa_lock);
	while (sa.sa_ran == 0)
		cv_wait(&sa.sa_cv, &sa.sa_lock);
	mutex_exit(&sa.sa_lock);
	(void)kthread_join(l1);
	(void)kthread_join(l2);
	TP_EQ(sa.sa_ran, 1);
	softint_disestablish(sa.sa_sih);
	cv_destroy(&sa.sa_cv);
	mutex_destroy(&sa.sa_lock);
}

/* ---------------------------------------------------------------- */

static void
race(void (*body)(void *))
{
	int i, n = tp_race_iterations();

	memset(outcome, 0, sizeof(outcome));
	/* 2, 3 or 4 CPUs, by seed */
	for (i = 1; i <= n; i++)
		tp_run((uint64_t)i, 2 + i % 3, body, (void *)(uintptr_t)i);
	if (getenv("TP_VERBOSE") != NULL)
		fprintf(stderr, "outcomes: %u %u\n", outcome[0], outcome[1]);
}

START_TEST(test_connect_vs_close)
{
	race(body_connect_vs_close);
	/* both outcomes occur: the schedules really differ */
	if (tp_is_sim()) {
		ck_assert_uint_gt(outcome[0], 0);
		ck_assert_uint_gt(outcome[1], 0);
	}
}
END_TEST

START_TEST(test_accept_vs_close)
{
	race(body_accept_vs_close);
}
END_TEST

START_TEST(test_dgram_vs_close)
{
	race(body_dgram_vs_close);
	if (tp_is_sim()) {
		ck_assert_uint_gt(outcome[0], 0);
		ck_assert_uint_gt(outcome[1], 0);
	}
}
END_TEST

START_TEST(test_both_send)
{
	race(body_both_send);
}
END_TEST

START_TEST(test_pass_vs_close)
{
	race(body_pass_vs_close);
	if (tp_is_sim()) {
		ck_assert_uint_gt(outcome[0], 0);
		ck_assert_uint_gt(outcome[1], 0);
	}
}
END_TEST

START_TEST(test_cycles)
{
	race(body_cycles);
}
END_TEST

START_TEST(test_bind_vs_connect)
{
	race(body_bind_vs_connect);
	/* the random strategy finds the EALREADY window */
	if (tp_is_sim())
		ck_assert_uint_gt(outcome[0], 0);
}
END_TEST

START_TEST(test_lock_change_sleeper)
{
	race(body_lock_change_sleeper);
}
END_TEST

START_TEST(test_softint_softnet)
{
	tp_set_lockorder(false);
	race(body_softint_softnet);
}
END_TEST

/* ---------------------------------------------------------------- */
/*
 * Soak: 10^5 messages over a stream pair under a random schedule; none
 * lost, duplicated or reordered.
 */
#define SOAK_MSGS	100000

static void
soak_writer(void *arg)
{
	uint32_t seq;
	ssize_t n;
	int s = *(int *)arg;

	for (seq = 0; seq < SOAK_MSGS; seq++) {
		TP_EQ(sys_send(s, &seq, sizeof(seq), 0, &n), 0);
		TP_EQ(n, sizeof(seq));
	}
}

static void
body_soak(void *arg)
{
	struct tp_thread *t;
	uint32_t buf[256], expect = 0;
	ssize_t n;
	size_t i;
	int sv[2];

	(void)arg;
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	t = tp_start(curproc, soak_writer, &sv[0]);
	while (expect < SOAK_MSGS) {
		size_t want = SOAK_MSGS - expect;

		if (want > __arraycount(buf))
			want = __arraycount(buf);
		TP_EQ(sys_recv(sv[1], buf, want * sizeof(buf[0]),
		    MSG_WAITALL, &n), 0);
		TP_EQ(n, (ssize_t)(want * sizeof(buf[0])));
		for (i = 0; i < want; i++)
			TP_EQ(buf[i], expect + i);
		expect += (uint32_t)want;
	}
	tp_join(t);
	TP_EQ(sys_close(sv[0]), 0);
	TP_EQ(sys_close(sv[1]), 0);
}

/*
 * Determinism: the same seed gives the same run (trace hash), another
 * seed a different one.
 */
START_TEST(test_determinism)
{
	uint64_t h1, h2, h3;

	if (!tp_is_sim())
		return;
	tp_run(42, 2, body_both_send, (void *)(uintptr_t)42);
	h1 = tp_last_hash();
	tp_run(42, 2, body_both_send, (void *)(uintptr_t)42);
	h2 = tp_last_hash();
	tp_run(43, 2, body_both_send, (void *)(uintptr_t)43);
	h3 = tp_last_hash();
	ck_assert_uint_eq(h1, h2);
	ck_assert_uint_ne(h1, h3);
}
END_TEST

START_TEST(test_soak)
{
	tp_run(7, 2, body_soak, NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("unix_race");
	TCase *tc = tcase_create("race");
	SRunner *sr;
	int nfail;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_connect_vs_close);
	tcase_add_test(tc, test_accept_vs_close);
	tcase_add_test(tc, test_dgram_vs_close);
	tcase_add_test(tc, test_both_send);
	tcase_add_test(tc, test_pass_vs_close);
	tcase_add_test(tc, test_cycles);
	tcase_add_test(tc, test_bind_vs_connect);
	tcase_add_test(tc, test_lock_change_sleeper);
	tcase_add_test(tc, test_softint_softnet);
	tcase_add_test(tc, test_determinism);
	tcase_add_test(tc, test_soak);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
