/* units.h - numbers and quantities as users write them: the time and size
 * unit tables, strict decimal parsing, "250ms" / "512MiB" read in a row's
 * unit, and text that reads back as exactly the same value. Used by the
 * config loader (exp/cfg_*.c) and the sweep loader (exp/sweep_load.c).
 * Base units: ns for times, MiB for sizes. No state. */
#ifndef VMSPEC_UNITS_H
#define VMSPEC_UNITS_H

#include <stddef.h>
#include <stdint.h>

struct unit {
	const char *name;	/* "ms", "GiB" */
	double factor;		/* base units (ns or MiB) per unit */
};

/* NULL-terminated: ns, us, ms, s, min, h, d / KiB, MiB, GiB, TiB. */
extern const struct unit units_time[];
extern const struct unit units_size[];

enum units_family { UNITS_NONE, UNITS_TIME, UNITS_SIZE };

/* How a value of a row is read: its unit family and what a bare number
 * means. Filled by units_qty() from the row's unit. */
struct units_qty {
	enum units_family fam;
	const struct unit *units;	/* suffixes accepted; NULL: none */
	double row_factor;		/* base units per row unit */
	const char *row_unit;		/* "" for UNITS_NONE */
};

/* (q) for a row whose unit is (row_unit): "ms" reads times, "MiB" sizes;
 * anything else ("", "1/s", NULL) plain numbers. */
void units_qty(const char *row_unit, struct units_qty *q);
/* The row of (t) named exactly by the (len) chars at (s), or NULL. */
const struct unit *units_find(const struct unit *t, const char *s,
			      size_t len);
/* Base units per unit (name) of either table; 1 when it is neither. */
double units_factor(const char *name);
/* "ns, us, ms, ..." into (buf). */
void units_list(const struct unit *t, char *buf, size_t n);

/* Parsers take (len) chars at (s), not NUL-terminated, and return 0,
 * -EINVAL (not of that form) or -ERANGE (too large, or too long to read).
 * A decimal number: [sign] digits [. digits] [e [sign] digits]; no hex,
 * inf or nan. */
int units_parse_num(const char *s, size_t len, double *out);
/* Decimal integer digits with an optional sign, nothing else. */
int units_parse_int(const char *s, size_t len, int64_t *out);
/* "NUMBER[ ]UNIT" of (q)'s family into base units; a bare number is in the
 * row unit. -ENOENT: an unknown unit, which starts at *unit_off. */
int units_parse_qty(const char *s, size_t len, const struct units_qty *q,
		    double *out, size_t *unit_off);

/* Formatters write text that the parsers read back as exactly (v). */
/* Shortest "%g" text. */
void units_fmt_num(char *buf, size_t n, double v);
/* "250ms", "10min", "0s": the largest unit that divides (ns). */
void units_fmt_duration(char *buf, size_t n, int64_t ns);
/* "2GiB", "512MiB", "64KiB", else "NUMBERMiB". */
void units_fmt_size(char *buf, size_t n, double mib);
/* A value of (q)'s family in base units, in the row unit when that reads
 * back exactly (else in ns; sizes as units_fmt_size). */
void units_fmt_qty(char *buf, size_t n, double v, const struct units_qty *q);
/* (v) for people, not for reading back: 6 digits in the row unit. */
void units_fmt_human(char *buf, size_t n, double v,
		     const struct units_qty *q);

#endif
