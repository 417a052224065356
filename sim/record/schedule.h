/*
 * Schedules: the choices a run made, for replay.
 *
 * At every scheduling point with two or more options the strategy picks
 * an index; the schedule is the list of (index, number of options) in
 * the order the points were reached.  Points with a single option are
 * not choices and are not recorded: schedule_record() ignores them and
 * the replayer answers them with 0 without consuming anything.
 *
 * Replay hands the recorded indices back.  It checks at every point that
 * the run offers the same number of options as the recording did; any
 * mismatch, a recorded index out of range, running out of choices, or
 * choices left over at the end is a divergence, reported with the choice
 * number and never silently continued.  After a divergence the replayer
 * refuses every further point.
 *
 * The blob form (for the database) is versioned, compact (LEB128
 * varints) and independent of the host's byte order, and carries a
 * checksum so a damaged blob is rejected instead of replayed.  The text
 * form is for people: "knit-schedule 1 <count>" then "index/options"
 * tokens.
 */
#ifndef _KNIT_SIM_RECORD_SCHEDULE_H_
#define _KNIT_SIM_RECORD_SCHEDULE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sched_choice {
	uint32_t	 sc_index;	/* chosen, < sc_noptions */
	uint32_t	 sc_noptions;	/* >= 2 */
};

struct schedule {
	struct sched_choice *sd_choices;
	size_t		 sd_len;
	size_t		 sd_cap;
};

void	schedule_init(struct schedule *);
void	schedule_fini(struct schedule *);
void	schedule_clear(struct schedule *);
void	schedule_grow(struct schedule *);
void	schedule_bad_choice(uint32_t index, uint32_t noptions)
	    __attribute__((__noreturn__, __cold__));

/*
 * Append a choice; noptions < 2 is not a choice and is ignored.  Inline:
 * an explored run records a choice at nearly every scheduling point.
 */
static inline void
schedule_record(struct schedule *sd, uint32_t index, uint32_t noptions)
{
	struct sched_choice *c;

	if (noptions < 2)
		return;
	if (__builtin_expect(index >= noptions, 0))
		schedule_bad_choice(index, noptions);
	if (__builtin_expect(sd->sd_len == sd->sd_cap, 0))
		schedule_grow(sd);
	c = &sd->sd_choices[sd->sd_len++];
	c->sc_index = index;
	c->sc_noptions = noptions;
}
bool	schedule_equal(const struct schedule *, const struct schedule *);

enum sched_divergence {
	SCHED_OK = 0,
	SCHED_DIV_OPTIONS,	/* the run offers another number of options */
	SCHED_DIV_INDEX,	/* recorded index >= recorded options */
	SCHED_DIV_EXHAUSTED,	/* the run has a choice the schedule lacks */
	SCHED_DIV_LEFTOVER,	/* the run ended before the schedule did */
};

struct schedule_replay {
	const struct schedule *sr_sched;
	size_t		 sr_pos;	/* next choice to hand out */
	uint64_t	 sr_points;	/* points seen, single-option too */
	enum sched_divergence sr_div;	/* sticky once set */
	uint32_t	 sr_div_noptions; /* what the run offered */
};

void	schedule_replay_init(struct schedule_replay *,
	    const struct schedule *);
/*
 * At a point with noptions (>= 1) options: sets *index to the recorded
 * choice and returns SCHED_OK, or returns the divergence.
 */
enum sched_divergence schedule_replay_next(struct schedule_replay *,
	    uint32_t noptions, uint32_t *index);
/* At the end of the run: SCHED_DIV_LEFTOVER if choices remain unused. */
enum sched_divergence schedule_replay_end(struct schedule_replay *);
/*
 * Describe the divergence (e.g. "replay diverged at choice 17 (point
 * 40): the run offers 3 options, the schedule recorded 2") into buf;
 * returns snprintf's result.
 */
int	schedule_replay_describe(const struct schedule_replay *, char *buf,
	    size_t len);

/* Blob: returns a malloc'ed buffer and its length. */
uint8_t	*schedule_encode(const struct schedule *, size_t *lenp);
/*
 * Decode a blob into an initialised schedule (replacing its contents).
 * Returns 0, or -1 with a message in err and the schedule left empty.
 */
int	schedule_decode(struct schedule *, const void *blob, size_t len,
	    char *err, size_t errlen);

/* Text: returns a malloc'ed NUL-terminated string. */
char	*schedule_to_text(const struct schedule *);
int	schedule_from_text(struct schedule *, const char *text, char *err,
	    size_t errlen);

#endif /* !_KNIT_SIM_RECORD_SCHEDULE_H_ */
