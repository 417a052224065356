/*
 * The Lua layer of knit: the scenario sandbox, the `knit' module and the
 * driver that runs a scenario against one simulated world.
 *
 * Layering: tools/ (the CLI) calls only kn_run(); everything else in this
 * header is shared by the lua/kn_*.c files.  Prefixes: kn_ for the
 * layer's C functions, knL_ for functions registered in Lua.
 *
 * Execution model.  The scenario's main chunk runs as a Lua coroutine in
 * scheduler context (never on an LWP).  A call that waits (knit.sleep,
 * host:run, knit.run) yields that coroutine; an event on the world's event
 * queue resumes it later.  Processes (host:spawn) run on LWPs, each on its
 * own Lua thread, and block inside C (the whole C stack is switched away),
 * never by yielding.  Only one of them runs at a time.
 */
#ifndef _KNIT_LUA_KN_H_
#define _KNIT_LUA_KN_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#define KNIT_VERSION_STRING	"0.1.0"

struct world;
struct host;
struct schedule;
struct kn_result;
struct db_run;

/* One -D name=value. */
struct kn_define {
	char		*d_name;
	char		*d_value;
	bool		 d_used;	/* read by knit.param */
};

/* What a run needs (filled by the CLI). */
struct kn_opts {
	const char	*o_scenario;	/* path of the .lua file */
	uint64_t	 o_seed;
	struct kn_define *o_defs;
	size_t		 o_ndefs;
	const char	*o_strategy;	/* NULL: "default" */
	const char	*o_pcap;	/* NULL: no capture */
	int		 o_trace;	/* 0 quiet .. 3 every step */
	bool		 o_quiet;	/* no scenario print() output */
	bool		 o_allow_io;
	uint64_t	 o_race_window;	/* ns; 0: the machine's default */
	/* replay: the recorded schedule (NULL: none) */
	const struct schedule *o_replay;
	/*
	 * Called once at the end of a run that got as far as creating its
	 * world, before the world is destroyed (the CLI records the run
	 * here).  May be NULL.
	 */
	void		(*o_finish)(void *arg, struct world *,
			    const struct kn_result *);
	/*
	 * Checkers (sim/check/checkers.h): the lock-order checker runs
	 * unless o_no_lockorder; the race detector with o_race (it needs the stack built
	 * with -fsanitize=thread, i.e. build/knit-race), its accesses as
	 * scheduling points with o_race_points.  o_finish may take the
	 * run's new lock-order edges with check_world_end().
	 */
	bool		 o_race;
	bool		 o_race_points;
	bool		 o_no_lockorder;	/* measuring its cost only */
	bool		 o_no_memcheck;	/* world_config.wc_no_memcheck */
	/*
	 * No cross-host lookahead (world_config.wc_lookahead is set for
	 * the default strategy and for "replay" unless this is; a replay
	 * must say what its run did).
	 */
	bool		 o_no_lookahead;
	void		*o_finish_arg;
	/*
	 * The run database's run being recorded (NULL: none) and what to
	 * record of the world (enum db_trace_level: 0 off, 1 packets and
	 * route changes, 2 also CPU lanes); see sim/record/trace.h.
	 */
	struct db_run	*o_db_run;
	int		 o_db_trace;
	/* Scenario text: read from o_scenario when NULL. */
	const char	*o_text;
	size_t		 o_textlen;
};

/* Verdicts. */
#define KN_PASS		0	/* every expectation held, no violation */
#define KN_FAIL		1	/* an expectation failed or a violation */
#define KN_ERROR	2	/* usage or scenario error */

struct kn_failure {
	uint64_t	 f_time;	/* virtual ns */
	char		*f_text;	/* "file:line: message" */
};

struct kn_result {
	int		 r_status;	/* KN_PASS, KN_FAIL, KN_ERROR */
	char		*r_error;	/* KN_ERROR: message + traceback */
	uint64_t	 r_vtime;	/* virtual ns at the end */
	uint64_t	 r_events;
	uint64_t	 r_hash;
	size_t		 r_nviolations;
	size_t		 r_nexpect;	/* expectations evaluated */
	size_t		 r_nexpect_failed;
	char		*r_violations;	/* one line per violation, or NULL */
	char		*r_divergence;	/* replay: how it diverged, or NULL */
	struct kn_failure *r_failures;	/* the failed expectations */
	size_t		 r_nfailures;
	uint64_t	 r_text_hash;	/* FNV-1a of the scenario text */
	/*
	 * KN_ERROR because the scenario asks for the race detector
	 * (knit.check{race = true}) and this program's stack is not the
	 * race build: build/knit-race can run it.
	 */
	bool		 r_needs_race;
};

int	kn_run(const struct kn_opts *, struct kn_result *);
void	kn_result_fini(struct kn_result *);
uint64_t kn_text_hash(const char *, size_t);

/*
 * Time values from Lua: an integer or float number of seconds, or a
 * string with a unit ("10us", "3ms", "1.5s", "250ns", "2m").  Returns 0
 * and stores ns, or -1 with a message in err.
 */
int	kn_parse_time(const char *, uint64_t *nsp, char *err, size_t errlen);
/* Argument `arg' of the running Lua function as a time (raises errors). */
uint64_t kn_checktime(lua_State *, int arg);
/* Format ns as "1.500000s" / "3ms"-style text for messages. */
void	kn_format_time(uint64_t ns, char *buf, size_t len);

/* ---- internal to lua/ ---------------------------------------------- */

struct kn_scn;			/* the state of one running scenario */

struct kn_scn	*kn_scn_get(lua_State *);
struct world	*kn_world(lua_State *);
const struct kn_opts *kn_opts(lua_State *);

/* Sandbox: open the allowed libraries and install deterministic pairs,
 * math.random and os.time/os.clock. */
void	kn_sandbox_open(lua_State *, bool allow_io);
/* The `knit' module table is on the top of the stack after this. */
int	kn_open_module(lua_State *);
void	kn_open_host(lua_State *);
void	kn_open_proc(lua_State *);
void	kn_open_net(lua_State *);
/* NICs (kn_net.c): a NIC object or "host:vnicN" at arg. */
struct net_nic *kn_checknic(lua_State *, int arg);
/* Packets kept per NIC (kn_packets.c). */
int	knL_nic_capture(lua_State *);
int	knL_nic_packets(lua_State *);
int	knL_expect_packets(lua_State *);
void	kn_open_probe(lua_State *);
void	kn_open_sock(lua_State *);
void	kn_open_window(lua_State *);
const char *kn_errno_name(int);

/* Record a failed expectation (message, the Lua position). */
void	kn_expect_fail(lua_State *, const char *msg);
/* A Lua error outside the main chunk (callback, process): the run stops
 * with KN_ERROR.  `msg' is the message with its traceback. */
void	kn_scenario_error(struct kn_scn *, const char *msg);
bool	kn_aborted(const struct kn_scn *);

/* Call the function on top of L's stack with nargs arguments (below it)
 * with a traceback handler; on error report it with kn_scenario_error.
 * Returns false on error. */
bool	kn_pcall(struct kn_scn *, lua_State *L, int nargs);
/* The same keeping nresults results (LUA_MULTRET: all). */
bool	kn_pcall_r(struct kn_scn *, lua_State *L, int nargs, int nresults);

/* Waiting from scenario context (main chunk or a knit.at callback). */
bool	kn_can_wait(lua_State *);
int	kn_wait_time(lua_State *, uint64_t until);	/* yields */

/* Host objects. */
struct host	*kn_checkhost(lua_State *, int arg);

#endif /* !_KNIT_LUA_KN_H_ */
