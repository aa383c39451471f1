/* units.c - numbers and quantities with units (base/units.h). The
 * formatters and the parsers are written together: every formatted value
 * must read back bit-identical (config dumps reload to the same struct). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/units.h"

/* ---------------------------------------------------------------- units */

const struct unit units_time[] = {
	{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	{ "min", 60e9 }, { "h", 3600e9 }, { "d", 86400e9 }, { NULL, 0 },
};

const struct unit units_size[] = {
	{ "KiB", 1.0 / 1024 }, { "MiB", 1 }, { "GiB", 1024 },
	{ "TiB", 1048576 }, { NULL, 0 },
};

const struct unit *units_find(const struct unit *t, const char *s,
			      size_t len)
{
	for (; t && t->name; t++)
		if (strlen(t->name) == len && memcmp(t->name, s, len) == 0)
			return t;
	return NULL;
}

void units_qty(const char *row_unit, struct units_qty *q)
{
	const char *u = row_unit ? row_unit : "";
	const struct unit *hit;

	q->row_unit = u;
	if ((hit = units_find(units_time, u, strlen(u)))) {
		q->fam = UNITS_TIME;
		q->units = units_time;
		q->row_factor = hit->factor;
	} else if ((hit = units_find(units_size, u, strlen(u)))) {
		q->fam = UNITS_SIZE;
		q->units = units_size;
		q->row_factor = hit->factor;
	} else {
		q->fam = UNITS_NONE;
		q->units = NULL;
		q->row_factor = 1;
		q->row_unit = "";
	}
}

double units_factor(const char *name)
{
	const struct unit *u = NULL;

	if (name && !(u = units_find(units_time, name, strlen(name))))
		u = units_find(units_size, name, strlen(name));
	return u ? u->factor : 1;
}

void units_list(const struct unit *t, char *buf, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (; t && t->name && off < n; t++)
		off += snprintf(buf + off, n - off, "%s%s", off ? ", " : "",
				t->name);
}

/* ------------------------------------------------------------- numbers */

/* Shortest "%g" text that reads back as exactly (v). */
void units_fmt_num(char *buf, size_t n, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* Length of the longest prefix of (s, len) that is a decimal number:
 * [sign] digits [. digits] [e [sign] digits]. No hex, inf or nan. */
static size_t num_prefix(const char *s, size_t len)
{
	size_t i = 0, digits = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < len && isdigit((unsigned char)s[i]))
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && isdigit((unsigned char)s[i]))
			i++, digits++;
	}
	if (!digits)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1, k;
		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		for (k = j; k < len && isdigit((unsigned char)s[k]); k++)
			;
		if (k > j)
			i = k;
	}
	return i;
}

/* Convert the (len) chars at (s), already checked by num_prefix(). */
static int num_value(const char *s, size_t len, double *out)
{
	char buf[80];
	char *end;

	if (len >= sizeof(buf))
		return -ERANGE;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*out = strtod(buf, &end);
	if (*end != '\0' || !isfinite(*out))
		return -ERANGE;
	return 0;
}

int units_parse_num(const char *s, size_t len, double *out)
{
	size_t i = num_prefix(s, len);
	if (i == 0 || i != len)
		return -EINVAL;
	return num_value(s, len, out);
}

int units_parse_qty(const char *s, size_t len, const struct units_qty *q,
		    double *out, size_t *unit_off)
{
	size_t i = num_prefix(s, len), j;
	const struct unit *u;
	double v;

	if (i == 0)
		return -EINVAL;
	if (num_value(s, i, &v))
		return -ERANGE;
	for (j = i; j < len && s[j] == ' '; j++)
		;
	if (j == len) {
		*out = v * q->row_factor;
	} else {
		if (!q->units)
			return -EINVAL;
		u = units_find(q->units, s + j, len - j);
		if (!u) {
			*unit_off = j;
			return -ENOENT;
		}
		*out = v * u->factor;
	}
	return isfinite(*out) ? 0 : -ERANGE;
}

int units_parse_int(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	char buf[32];
	char *end;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i == len)
		return -EINVAL;
	for (; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
	if (len >= sizeof(buf))
		return -ERANGE;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return -ERANGE;
	*out = v;
	return 0;
}

void units_fmt_duration(char *buf, size_t n, int64_t ns)
{
	static const struct { const char *u; int64_t f; } t[] = {
		{ "d", 86400000000000LL }, { "h", 3600000000000LL },
		{ "min", 60000000000LL }, { "s", 1000000000LL },
		{ "ms", 1000000LL }, { "us", 1000LL }, { "ns", 1 },
	};
	if (ns == 0) {
		snprintf(buf, n, "0s");
		return;
	}
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (ns % t[i].f == 0) {
			snprintf(buf, n, "%" PRId64 "%s", ns / t[i].f, t[i].u);
			return;
		}
	}
}

void units_fmt_size(char *buf, size_t n, double mib)
{
	/* powers of two: the division and the reader's product are exact */
	for (int i = 3; i >= 0; i--) {
		double x = mib / units_size[i].factor;
		if (x == floor(x) && fabs(x) >= 1 && fabs(x) < 1e15) {
			snprintf(buf, n, "%.0f%s", x, units_size[i].name);
			return;
		}
	}
	units_fmt_num(buf, n, mib);
	strncat(buf, "MiB", n - strlen(buf) - 1);
}

void units_fmt_human(char *buf, size_t n, double v,
		     const struct units_qty *q)
{
	snprintf(buf, n, "%.6g%s", v / q->row_factor, q->row_unit);
}

void units_fmt_qty(char *buf, size_t n, double v, const struct units_qty *q)
{
	char num[40];
	double back;
	size_t off;

	if (q->fam == UNITS_SIZE) {
		units_fmt_size(buf, n, v);
		return;
	}
	if (q->fam == UNITS_NONE) {
		units_fmt_num(buf, n, v);
		return;
	}
	units_fmt_num(num, sizeof(num), v / q->row_factor);
	snprintf(buf, n, "%s%s", num, q->row_unit);
	if (units_parse_qty(buf, strlen(buf), q, &back, &off) == 0 && back == v)
		return;
	units_fmt_num(num, sizeof(num), v);
	snprintf(buf, n, "%sns", num);
}

