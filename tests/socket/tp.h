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
