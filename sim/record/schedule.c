/*
 * Schedules: recording, replay with divergence detection, blob and
 * text forms (see schedule.h).
 *
 * Blob layout, version 1 (all integers unsigned LEB128 varints):
 *	"KSCH"  version  count  { noptions  index } * count  checksum
 * where checksum is tracehash_value() over every byte before it, stored
 * as 8 little-endian bytes.  A decoder accepts only what an encoder
 * produces: every field in range, no trailing bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/schedule.h"
#include "record/tracehash.h"

#define SCHED_MAGIC		"KSCH"
#define SCHED_MAGIC_LEN		4
#define SCHED_VERSION		1
#define SCHED_SUM_LEN		8
#define SCHED_TEXT_TAG		"knit-schedule"
#define SCHED_TEXT_PER_LINE	16

static void *
sched_realloc(void *p, size_t n, size_t size)
{
	void *q = reallocarray(p, n, size);

	if (q == NULL) {
		fprintf(stderr, "knit: out of memory for a schedule of %zu "
		    "choices\n", n);
		abort();
	}
	return q;
}

void
schedule_init(struct schedule *sd)
{
	memset(sd, 0, sizeof(*sd));
}

void
schedule_fini(struct schedule *sd)
{
	free(sd->sd_choices);
	memset(sd, 0, sizeof(*sd));
}

void
schedule_clear(struct schedule *sd)
{
	sd->sd_len = 0;
}

/*
 * Room for n choices in total; the array grows by doubling, from 1024
 * choices (8 KiB): an explored run makes thousands.
 */
static void
schedule_reserve(struct schedule *sd, size_t n)
{
	size_t cap = sd->sd_cap ? sd->sd_cap : 1024;

	if (n <= sd->sd_cap)
		return;
	while (cap < n)
		cap *= 2;
	sd->sd_choices = sched_realloc(sd->sd_choices, cap,
	    sizeof(*sd->sd_choices));
	sd->sd_cap = cap;
}

/* Room for one more choice (schedule_record's slow path). */
void
schedule_grow(struct schedule *sd)
{
	schedule_reserve(sd, sd->sd_len + 1);
}

void
schedule_bad_choice(uint32_t index, uint32_t noptions)
{
	fprintf(stderr, "knit: schedule_record: index %u out of %u options\n",
	    index, noptions);
	abort();
}

bool
schedule_equal(const struct schedule *a, const struct schedule *b)
{
	size_t i;

	if (a->sd_len != b->sd_len)
		return false;
	for (i = 0; i < a->sd_len; i++)
		if (a->sd_choices[i].sc_index != b->sd_choices[i].sc_index ||
		    a->sd_choices[i].sc_noptions !=
		    b->sd_choices[i].sc_noptions)
			return false;
	return true;
}

/* ---- replay ---- */

void
schedule_replay_init(struct schedule_replay *sr, const struct schedule *sd)
{
	memset(sr, 0, sizeof(*sr));
	sr->sr_sched = sd;
}

enum sched_divergence
schedule_replay_next(struct schedule_replay *sr, uint32_t noptions,
    uint32_t *index)
{
	const struct sched_choice *c;

	if (sr->sr_div != SCHED_OK)
		return sr->sr_div;
	sr->sr_points++;
	if (noptions < 2) {
		*index = 0;
		return SCHED_OK;
	}
	sr->sr_div_noptions = noptions;
	if (sr->sr_pos >= sr->sr_sched->sd_len)
		return sr->sr_div = SCHED_DIV_EXHAUSTED;
	c = &sr->sr_sched->sd_choices[sr->sr_pos];
	if (c->sc_noptions != noptions)
		return sr->sr_div = SCHED_DIV_OPTIONS;
	if (c->sc_index >= c->sc_noptions)
		return sr->sr_div = SCHED_DIV_INDEX;
	sr->sr_pos++;
	*index = c->sc_index;
	return SCHED_OK;
}

enum sched_divergence
schedule_replay_end(struct schedule_replay *sr)
{
	if (sr->sr_div == SCHED_OK && sr->sr_pos < sr->sr_sched->sd_len)
		sr->sr_div = SCHED_DIV_LEFTOVER;
	return sr->sr_div;
}

int
schedule_replay_describe(const struct schedule_replay *sr, char *buf,
    size_t len)
{
	const struct schedule *sd = sr->sr_sched;
	const struct sched_choice *c = sr->sr_pos < sd->sd_len ?
	    &sd->sd_choices[sr->sr_pos] : NULL;
	size_t step = sr->sr_pos + 1;	/* choices counted from 1 */
	unsigned long long point = (unsigned long long)sr->sr_points;

	switch (sr->sr_div) {
	case SCHED_OK:
		return snprintf(buf, len, "replay matches so far (%zu of %zu "
		    "choices used)", sr->sr_pos, sd->sd_len);
	case SCHED_DIV_OPTIONS:
		return snprintf(buf, len, "replay diverged at choice %zu "
		    "(point %llu): the run offers %u options, the schedule "
		    "recorded %u", step, point, sr->sr_div_noptions,
		    c->sc_noptions);
	case SCHED_DIV_INDEX:
		return snprintf(buf, len, "replay diverged at choice %zu "
		    "(point %llu): the schedule's index %u is out of its %u "
		    "options", step, point, c->sc_index, c->sc_noptions);
	case SCHED_DIV_EXHAUSTED:
		return snprintf(buf, len, "replay diverged at choice %zu "
		    "(point %llu): the run offers %u options but the "
		    "schedule ended after %zu choices", step, point,
		    sr->sr_div_noptions, sd->sd_len);
	case SCHED_DIV_LEFTOVER:
		return snprintf(buf, len, "replay diverged: the run ended "
		    "after %zu choices (point %llu) but the schedule has %zu",
		    sr->sr_pos, point, sd->sd_len);
	}
	return snprintf(buf, len, "replay: unknown divergence %d",
	    (int)sr->sr_div);
}

/* ---- blob ---- */

struct sched_buf {
	uint8_t		*sb_p;
	size_t		 sb_len;
	size_t		 sb_cap;
};

static void
sb_byte(struct sched_buf *b, uint8_t c)
{
	if (b->sb_len == b->sb_cap) {
		b->sb_cap = b->sb_cap ? 2 * b->sb_cap : 64;
		b->sb_p = sched_realloc(b->sb_p, b->sb_cap, 1);
	}
	b->sb_p[b->sb_len++] = c;
}

static void
sb_varint(struct sched_buf *b, uint64_t v)
{
	while (v >= 0x80) {
		sb_byte(b, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	sb_byte(b, (uint8_t)v);
}

static uint64_t
sched_checksum(const uint8_t *p, size_t len)
{
	struct tracehash h;

	tracehash_init(&h);
	tracehash_mix_bytes(&h, p, len);
	return tracehash_value(&h);
}

uint8_t *
schedule_encode(const struct schedule *sd, size_t *lenp)
{
	struct sched_buf b = { NULL, 0, 0 };
	uint64_t sum;
	size_t i;

	for (i = 0; i < SCHED_MAGIC_LEN; i++)
		sb_byte(&b, (uint8_t)SCHED_MAGIC[i]);
	sb_varint(&b, SCHED_VERSION);
	sb_varint(&b, sd->sd_len);
	for (i = 0; i < sd->sd_len; i++) {
		sb_varint(&b, sd->sd_choices[i].sc_noptions);
		sb_varint(&b, sd->sd_choices[i].sc_index);
	}
	sum = sched_checksum(b.sb_p, b.sb_len);
	for (i = 0; i < SCHED_SUM_LEN; i++)
		sb_byte(&b, (uint8_t)(sum >> (8 * i)));
	*lenp = b.sb_len;
	return b.sb_p;
}

static int
sched_fail(struct schedule *sd, char *err, size_t errlen, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (errlen > 0)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	schedule_clear(sd);
	return -1;
}

/* Read a varint < 2^32 at *pos from p[0 .. end); -1 if bad. */
static int
sched_get_varint(const uint8_t *p, size_t end, size_t *pos, uint32_t *out)
{
	uint64_t v = 0;
	int shift;

	for (shift = 0; shift < 35; shift += 7) {
		if (*pos >= end)
			return -1;
		v |= (uint64_t)(p[*pos] & 0x7f) << shift;
		if ((p[(*pos)++] & 0x80) == 0) {
			if (v > UINT32_MAX)
				return -1;
			*out = (uint32_t)v;
			return 0;
		}
	}
	return -1;
}

int
schedule_decode(struct schedule *sd, const void *blob, size_t len,
    char *err, size_t errlen)
{
	const uint8_t *p = blob;
	uint64_t sum = 0;
	uint32_t version, count, nopt, idx;
	size_t end, pos = SCHED_MAGIC_LEN, i;

	schedule_clear(sd);
	if (len < SCHED_MAGIC_LEN + SCHED_SUM_LEN ||
	    memcmp(p, SCHED_MAGIC, SCHED_MAGIC_LEN) != 0)
		return sched_fail(sd, err, errlen, "not a knit schedule "
		    "(%zu bytes, bad magic or too short)", len);
	end = len - SCHED_SUM_LEN;
	for (i = 0; i < SCHED_SUM_LEN; i++)
		sum |= (uint64_t)p[end + i] << (8 * i);
	if (sum != sched_checksum(p, end))
		return sched_fail(sd, err, errlen, "schedule blob is "
		    "corrupt (checksum mismatch)");
	if (sched_get_varint(p, end, &pos, &version) != 0 ||
	    version != SCHED_VERSION)
		return sched_fail(sd, err, errlen, "schedule blob has "
		    "unsupported version (this knit reads version %d)",
		    SCHED_VERSION);
	/* Each choice takes at least two bytes: bound count before use. */
	if (sched_get_varint(p, end, &pos, &count) != 0 ||
	    count > (end - pos) / 2)
		return sched_fail(sd, err, errlen, "schedule blob has a bad "
		    "choice count");
	schedule_reserve(sd, count);
	for (i = 0; i < count; i++) {
		if (sched_get_varint(p, end, &pos, &nopt) != 0 ||
		    sched_get_varint(p, end, &pos, &idx) != 0 ||
		    nopt < 2 || idx >= nopt)
			return sched_fail(sd, err, errlen, "schedule blob "
			    "has a bad choice %zu", i + 1);
		sd->sd_choices[i].sc_index = idx;
		sd->sd_choices[i].sc_noptions = nopt;
	}
	if (pos != end)
		return sched_fail(sd, err, errlen, "schedule blob has %zu "
		    "trailing bytes", end - pos);
	sd->sd_len = count;
	return 0;
}

/* ---- text ---- */

/* Decimal digits of v at p; returns the end. */
static char *
sched_put_u32(char *p, uint32_t v)
{
	char tmp[10];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/*
 * Formatted by hand rather than with stdio: every explored run turns
 * its schedule (thousands of choices) into text, and fprintf made that
 * a quarter of a run's cost.
 */
char *
schedule_to_text(const struct schedule *sd)
{
	size_t i, cap;
	char *text, *p;

	/* header, then at most "4294967295/4294967295 " per choice */
	cap = sizeof(SCHED_TEXT_TAG) + 32 + sd->sd_len * 22 + 1;
	if ((text = malloc(cap)) == NULL) {
		fprintf(stderr, "knit: schedule_to_text: out of memory\n");
		abort();
	}
	p = text + snprintf(text, cap, "%s %d %zu\n", SCHED_TEXT_TAG,
	    SCHED_VERSION, sd->sd_len);
	for (i = 0; i < sd->sd_len; i++) {
		p = sched_put_u32(p, sd->sd_choices[i].sc_index);
		*p++ = '/';
		p = sched_put_u32(p, sd->sd_choices[i].sc_noptions);
		*p++ = (i + 1) % SCHED_TEXT_PER_LINE == 0 ||
		    i + 1 == sd->sd_len ? '\n' : ' ';
	}
	*p = '\0';
	return text;
}

/* Parse a decimal uint32 at *s; advances *s.  -1 if none or too big. */
static int
sched_get_number(const char **s, uint32_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*s = p;
	*out = (uint32_t)v;
	return 0;
}

static const char *
sched_skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

int
schedule_from_text(struct schedule *sd, const char *text, char *err,
    size_t errlen)
{
	const char *s = sched_skip_space(text);
	size_t taglen = strlen(SCHED_TEXT_TAG), i;
	uint32_t version, count, idx, nopt;

	schedule_clear(sd);
	if (strncmp(s, SCHED_TEXT_TAG, taglen) != 0)
		return sched_fail(sd, err, errlen, "not a knit schedule "
		    "(expected \"%s\")", SCHED_TEXT_TAG);
	s = sched_skip_space(s + taglen);
	if (sched_get_number(&s, &version) != 0 || version != SCHED_VERSION)
		return sched_fail(sd, err, errlen, "schedule text has "
		    "unsupported version (this knit reads version %d)",
		    SCHED_VERSION);
	s = sched_skip_space(s);
	if (sched_get_number(&s, &count) != 0)
		return sched_fail(sd, err, errlen, "schedule text has no "
		    "choice count");
	for (i = 0; i < count; i++) {
		s = sched_skip_space(s);
		if (sched_get_number(&s, &idx) != 0 || *s++ != '/' ||
		    sched_get_number(&s, &nopt) != 0 || nopt < 2 ||
		    idx >= nopt)
			return sched_fail(sd, err, errlen, "schedule text: "
			    "choice %zu is not \"index/options\" with index "
			    "< options >= 2", i + 1);
		schedule_record(sd, idx, nopt);
	}
	s = sched_skip_space(s);
	if (*s != '\0')
		return sched_fail(sd, err, errlen, "schedule text has more "
		    "than the %u choices its header announces", count);
	return 0;
}
