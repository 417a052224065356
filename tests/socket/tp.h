/*
 * The platform seam of the socket tests.  The test bodies use only the
 * kernel API and the system calls (sys/syscall.h); this header is what
 * each platform (the simulator, the pthreads platform) supplies to run
 * them.  The same test sources are compiled once per platform.
 */
#ifndef _KNIT_TESTS_SOCKET_TP_H_
#define _KNIT_TESTS_SOCKET_TP_H_

#include <stdbool.h>
#include <stdint.h>

struct proc;
struct tp_thread;

/*
 * Boot a fresh host with ncpu CPUs and run fn(arg) on one of its LWPs,
 * bound to a new process (uid 100, gid 100).  When fn returns the
 * process exits, the Unix-domain collector is given time to finish, and
 * tp_run fails the test if any socket, file, process or mbuf is left,
 * or (simulator) if the run had a violation: KASSERT, deadlock, lock
 * misuse.  seed selects the schedule (simulator: random strategy).
 */
void	tp_run(uint64_t seed, int ncpu, void (*fn)(void *), void *arg);
/*
 * Lock-order checking of the runs (simulator; on by default).  The
 * checker's softint rule treats any lock a softint takes as unsafe to
 * hold with softints enabled; NetBSD 5's softnet_lock is exactly such a
 * sleep lock (a blocked softint gives the CPU back to the LWP it
 * interrupted), so the softint test turns the checker off.
 */
void	tp_set_lockorder(bool);
/*
 * A race window for the next tp_run (simulator only; NULL: none): the
 * first LWP that fires an SDT probe matching pattern is held there for
 * hold_ns of virtual time while the others run.
 */
void	tp_set_window(const char *pattern, uint64_t hold_ns);
/* Trace hash of the last tp_run (simulator; 0 on pthreads). */
uint64_t tp_last_hash(void);
/* True on the simulator (deterministic, random schedules). */
bool	tp_is_sim(void);
/* Iterations a race test should make on this platform. */
int	tp_race_iterations(void);

/*
 * Start fn(arg) on a new LWP of the current host.  With p == NULL the
 * LWP gets a new process of its own, otherwise it joins p.
 */
struct tp_thread *tp_start(struct proc *p, void (*fn)(void *), void *arg);
void	tp_join(struct tp_thread *);
/* Let other LWPs run (a scheduling point). */
void	tp_yield(void);

/*
 * Helpers for test bodies (tp_common.c).  tp_mkaddr fills an AF_LOCAL
 * address and returns its length.  tp_send_fd sends fd over s with
 * SCM_RIGHTS and one data byte; tp_recv_fd receives such a message with
 * a control buffer of clen bytes (*fdp = -1 if no descriptor came;
 * msg_flags in *flagsp if flagsp is not NULL).  tp_finish, at the end of
 * a run's main LWP, waits (bounded) for the collector to close what is
 * in flight, then asserts no socket, file, right, process or mbuf is
 * left.
 */
struct sockaddr_un;
unsigned int tp_mkaddr(struct sockaddr_un *, const char *path);
int	tp_send_fd(int s, int fd);
int	tp_recv_fd(int s, int *fdp, unsigned int clen, int *flagsp);
void	tp_finish(void);
/* An AF_LOCAL socket of type bound to path (listening unless DGRAM). */
int	tp_listen(int type, const char *path);
/* connect(2) to an AF_LOCAL path; returns the error. */
int	tp_connect(int s, const char *path);

/* A failed expectation inside a host: reported and fails the test. */
void	tp_fail(const char *file, int line, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
#define TP_ASSERT(e) do {						\
	if (!(e))							\
		tp_fail(__FILE__, __LINE__, "%s", #e);			\
} while (0)
#define TP_EQ(a, b) do {						\
	long long tp_a_ = (long long)(a), tp_b_ = (long long)(b);	\
	if (tp_a_ != tp_b_)						\
		tp_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
		    #a, tp_a_, #b, tp_b_);				\
} while (0)

#endif /* !_KNIT_TESTS_SOCKET_TP_H_ */
