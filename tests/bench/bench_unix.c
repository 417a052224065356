/*
 * Unix-domain stream sockets in the simulation: a socketpair shared by
 * two LWPs of one process on a two-CPU host, measured from outside in
 * messages per wall-clock second.
 *
 *   pingpong: one LWP sends a message, the other echoes it back; a
 *             round trip counts as two messages.
 *   bulk:     one LWP streams messages, the other reads them.
 *
 * Message sizes 64 B and 4 KiB.  Each figure is the median of --runs
 * worlds (default strategy).  Options: --msgs=N (per run), --runs=N.
 * The *_cpu figures divide by the thread's CPU time instead: steadier
 * than wall time on a shared machine (the simulator is one thread).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "sim.h"
#include "sys/systm.h"
#include "sys/kthread.h"
#include "sys/lwp.h"
#include "sys/proc.h"
#include "sys/socket.h"
#include "sys/syscall.h"

struct bu_run {
	struct proc	*br_proc;
	int		 br_fd[2];
	size_t		 br_size;
	uint64_t	 br_msgs;
	bool		 br_pingpong;
	bool		 br_ok;
};

static void
bu_die(const char *what, int error)
{
	fprintf(stderr, "bench_unix: %s: error %d\n", what, error);
	exit(1);
}

static void
bu_readn(int fd, char *buf, size_t len)
{
	ssize_t n;
	int error;

	error = sys_recv(fd, buf, len, MSG_WAITALL, &n);
	if (error != 0 || (size_t)n != len)
		bu_die("recv", error != 0 ? error : -1);
}

static void
bu_writen(int fd, const char *buf, size_t len)
{
	ssize_t n;
	int error;

	error = sys_send(fd, buf, len, 0, &n);
	if (error != 0 || (size_t)n != len)
		bu_die("send", error != 0 ? error : -1);
}

/* The second LWP: echoes (pingpong) or reads everything (bulk). */
static void
bu_peer(void *arg)
{
	struct bu_run *br = arg;
	char *buf = malloc(br->br_size);
	uint64_t i;

	proc_attach_lwp(br->br_proc, curlwp);
	for (i = 0; i < br->br_msgs; i++) {
		bu_readn(br->br_fd[1], buf, br->br_size);
		if (br->br_pingpong)
			bu_writen(br->br_fd[1], buf, br->br_size);
	}
	proc_detach_lwp(curlwp);
	free(buf);
	kthread_exit(0);
}

static void
bu_main(void *arg)
{
	struct bu_run *br = arg;
	struct lwp *peer;
	char *buf = calloc(1, br->br_size);
	uint64_t i;
	int error;

	(void)proc_create("bench", 0, 0, &br->br_proc);
	proc_attach_lwp(br->br_proc, curlwp);
	error = sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, br->br_fd);
	if (error != 0)
		bu_die("socketpair", error);
	error = kthread_create(PRI_NONE, KTHREAD_MPSAFE | KTHREAD_MUSTJOIN,
	    cpu_lookup(1), bu_peer, br, &peer, "peer");
	if (error != 0)
		bu_die("kthread_create", error);
	for (i = 0; i < br->br_msgs; i++) {
		bu_writen(br->br_fd[0], buf, br->br_size);
		if (br->br_pingpong)
			bu_readn(br->br_fd[0], buf, br->br_size);
	}
	(void)kthread_join(peer);
	proc_exit(br->br_proc);
	proc_detach_lwp(curlwp);
	free(buf);
	br->br_ok = true;
}

static uint64_t
bu_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One world; messages per wall second, and per CPU second in *cpup. */
static double
bu_once(size_t size, uint64_t msgs, bool pingpong, double *cpup)
{
	struct world_config wc;
	struct bu_run br;
	struct world *w;
	struct host *h;
	uint64_t t0, t1, c0, c1;

	memset(&wc, 0, sizeof(wc));
	wc.wc_seed = 1;
	wc.wc_strategy = "default";
	w = world_create(&wc);
	if (w == NULL)
		bu_die("world_create", -1);
	h = world_host_create(w, "h", 2);
	memset(&br, 0, sizeof(br));
	br.br_size = size;
	br.br_msgs = msgs;
	br.br_pingpong = pingpong;
	(void)host_spawn(h, "bench", 0, bu_main, &br);
	t0 = bench_now_ns();
	c0 = bu_cpu_ns();
	(void)world_run(w, SIM_TIME_NEVER);
	c1 = bu_cpu_ns();
	t1 = bench_now_ns();
	if (!br.br_ok || world_nviolations(w) != 0) {
		fprintf(stderr, "bench_unix: run failed: %s\n",
		    world_nviolations(w) != 0 ?
		    world_violation(w, 0)->v_message : "did not finish");
		exit(1);
	}
	world_destroy(w);
	*cpup = (double)(msgs * (pingpong ? 2 : 1)) * 1e9 / (double)(c1 - c0);
	return (double)(msgs * (pingpong ? 2 : 1)) * 1e9 / (double)(t1 - t0);
}

static void
bu_figure(const char *name, size_t size, uint64_t msgs, bool pingpong,
    int runs)
{
	double v[32], c[32];
	char cname[64];
	int i;

	for (i = 0; i < runs; i++)
		v[i] = bu_once(size, msgs, pingpong, &c[i]);
	bench_figure(name, bench_median(v, runs), "msgs/s", runs);
	snprintf(cname, sizeof(cname), "%s_cpu", name);
	bench_figure(cname, bench_median(c, runs), "msgs/s", runs);
}

int
main(int argc, char **argv)
{
	uint64_t msgs = 20000, runs = 5;
	int i;

	for (i = 1; i < argc; i++) {
		if (bench_opt_u64(argv[i], "msgs", &msgs) ||
		    bench_opt_u64(argv[i], "runs", &runs))
			continue;
		fprintf(stderr, "usage: bench_unix [--msgs=N] [--runs=N]\n");
		return 2;
	}
	if (runs < 1 || runs > 32 || msgs < 1) {
		fprintf(stderr, "bench_unix: --runs must be 1..32, --msgs "
		    ">= 1\n");
		return 2;
	}
	bu_figure("unix_pingpong_64B", 64, msgs, true, (int)runs);
	bu_figure("unix_pingpong_4KiB", 4096, msgs, true, (int)runs);
	bu_figure("unix_bulk_64B", 64, msgs, false, (int)runs);
	bu_figure("unix_bulk_4KiB", 4096, msgs, false, (int)runs);
	return 0;
}
