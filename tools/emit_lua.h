/*
 * knit replay --emit-lua (tools/emit_lua.c): a recorded failure as a
 * stand-alone Lua scenario with named race windows.
 */
#ifndef _KNIT_TOOLS_EMIT_LUA_H_
#define _KNIT_TOOLS_EMIT_LUA_H_

#include <stdbool.h>

struct db_run_record;
struct kn_opts;
struct schedule;

struct emit_lua_args {
	const char	*el_db;		/* database path, for the header */
	const char	*el_file;	/* the file to write */
	const struct db_run_record *el_rec;
	const struct schedule *el_sched;
	/* out: nothing written because the scenario asks for the race
	   detector (knit.check{race = true}) and this is not the race
	   build of the stack: build/knit-race can do it */
	bool		 el_needs_race;
};

/*
 * o: the run's options with its scenario text loaded (o_text) and
 * checked against the recorded hash; this function changes its strategy
 * and callbacks.  Returns an exit status: 0 written and verified, 2 the
 * run did not fail or FILE cannot be written, 3 the run no longer
 * replays, or the written file does not reproduce the failure (the
 * message says which).
 */
int	knit_emit_lua(struct emit_lua_args *, struct kn_opts *o);

#endif /* !_KNIT_TOOLS_EMIT_LUA_H_ */
