/* cfg_dump.c - the config loader's output (exp/params.h): a config
 * written back as YAML (cfg_dump_yaml, which `vmspec run` stores with the
 * results) and the Markdown reference of every row (cfg_write_reference,
 * docs/config-reference.md). Invariant: a dump reloads over cfg_defaults()
 * to a bit-identical struct vms_config. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* open_memstream */
#endif
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/units.h"
#include "base/util.h"
#include "exp/cfg_int.h"

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void put_dist(FILE *f, const struct cfg_param *p, const struct dist *d)
{
	struct units_qty q;
	char a[48], b[48], m[48], cv[48];

	units_qty(p->unit, &q);
	fprintf(f, "{dist: %s", dist_kind_names[d->kind]);
	switch (d->kind) {
	case DIST_CONSTANT:
		units_fmt_qty(a, sizeof(a), d->a, &q);
		fprintf(f, ", value: %s}", a);
		break;
	case DIST_EXPONENTIAL:
		units_fmt_qty(a, sizeof(a), d->a, &q);
		fprintf(f, ", mean: %s}", a);
		break;
	case DIST_LOGNORMAL:
		units_fmt_num(a, sizeof(a), d->a);
		units_fmt_num(b, sizeof(b), d->b);
		units_fmt_human(m, sizeof(m), dist_mean(d), &q);
		snprintf(cv, sizeof(cv), "%.6g", sqrt(expm1(d->b * d->b)));
		fprintf(f, ", mu: %s, sigma: %s}  # mean %s, cv %s", a, b, m, cv);
		break;
	case DIST_GAMMA:
		units_fmt_num(a, sizeof(a), d->a);
		units_fmt_qty(b, sizeof(b), d->b, &q);
		units_fmt_human(m, sizeof(m), dist_mean(d), &q);
		snprintf(cv, sizeof(cv), "%.6g", 1 / sqrt(d->a));
		fprintf(f, ", shape: %s, scale: %s}  # mean %s, cv %s", a, b, m,
			cv);
		break;
	case DIST_UNIFORM:
		units_fmt_qty(a, sizeof(a), d->a, &q);
		units_fmt_qty(b, sizeof(b), d->b, &q);
		fprintf(f, ", min: %s, max: %s}", a, b);
		break;
	case DIST_EMPIRICAL:
		fprintf(f, ", points: [");
		for (int i = 0; i < d->npoints; i++) {
			units_fmt_num(a, sizeof(a), d->q[i]);
			units_fmt_qty(b, sizeof(b), d->v[i], &q);
			fprintf(f, "%s[%s, %s]", i ? ", " : "", a, b);
		}
		fprintf(f, "]}");
		break;
	default:
		fprintf(f, "}");
	}
}

static void put_value(FILE *f, const struct vms_config *c,
		      const struct cfg_param *p)
{
	const void *v = (const char *)c + p->offset;
	char b[64];

	switch (p->type) {
	case CFG_INT:
		fprintf(f, "%" PRId64, *(const int64_t *)v);
		break;
	case CFG_DOUBLE:
		units_fmt_num(b, sizeof(b), *(const double *)v);
		fputs(b, f);
		break;
	case CFG_BOOL:
		fputs(*(const int *)v ? "true" : "false", f);
		break;
	case CFG_DURATION:
		units_fmt_duration(b, sizeof(b), *(const int64_t *)v);
		fputs(b, f);
		break;
	case CFG_SIZE:
		units_fmt_size(b, sizeof(b), *(const double *)v);
		fputs(b, f);
		break;
	case CFG_STRING:
	case CFG_PATH:
		put_string(f, v);
		break;
	case CFG_ENUM: {
		int i = *(const int *)v, n = 0;
		while (p->choices && p->choices[n])
			n++;
		fputs(i >= 0 && i < n ? p->choices[i] : "~", f);
		break;
	}
	case CFG_NAMELIST: {
		const struct cfg_namelist *nl = v;
		fputc('[', f);
		for (int i = 0; i < nl->n; i++)
			fprintf(f, "%s%s", i ? ", " : "", nl->name[i]);
		fputc(']', f);
		break;
	}
	case CFG_DIST:
		put_dist(f, p, v);
		break;
	case CFG_SEEDS: {
		const struct cfg_seeds *sd = v;
		fputc('[', f);
		for (int i = 0; i < sd->n; i++)
			fprintf(f, "%s%" PRId64, i ? ", " : "", sd->v[i]);
		fputc(']', f);
		break;
	}
	case CFG_RUNS: {
		const struct cfg_runs *rs = v;
		fputc('[', f);
		for (int i = 0; i < rs->n; i++) {
			const struct cfg_run *r = &rs->run[i];
			fputs(i ? ", {name: " : "{name: ", f);
			put_string(f, r->name);
			fprintf(f, ", strategy: %s, set: {", r->strategy);
			for (int j = 0; j < r->nsets; j++) {
				const char *eq = strchr(r->set[j], '=');
				fprintf(f, "%s%.*s: %s", j ? ", " : "",
					(int)(eq - r->set[j]), r->set[j], eq + 1);
			}
			fputs("}}", f);
		}
		fputc(']', f);
		break;
	}
	case CFG_TYPE_COUNT:
		break;
	}
}

/* Was the section key[0..n) already opened by a row before (i)? */
static bool opened_before(size_t i, const char *key, size_t n)
{
	for (size_t j = 0; j < i; j++)
		if (strncmp(cfg_params[j].key, key, n) == 0)
			return true;
	return false;
}

static void dump_section(const struct vms_config *c, FILE *f,
			 const char *prefix, int depth)
{
	size_t plen = strlen(prefix);
	char sub[KEY_LEN];

	for (size_t i = 0; i < cfg_nparams; i++) {
		const char *key = cfg_params[i].key, *rest, *dot;
		if (strncmp(key, prefix, plen) != 0)
			continue;
		rest = key + plen;
		if (!(dot = strchr(rest, '.'))) {
			fprintf(f, "%*s%s: ", depth * 2, "", rest);
			put_value(f, c, &cfg_params[i]);
			fputc('\n', f);
			continue;
		}
		size_t n = (size_t)(dot - key) + 1;
		if (opened_before(i, key, n) || n >= sizeof(sub))
			continue;
		fprintf(f, "%*s%.*s:\n", depth * 2, "", (int)(dot - rest), rest);
		snprintf(sub, sizeof(sub), "%.*s", (int)n, key);
		dump_section(c, f, sub, depth + 1);
	}
}

int cfg_dump_yaml(const struct vms_config *c, FILE *f)
{
	fputs(DUMP_HEADER, f);
	dump_section(c, f, "", 0);
	return ferror(f) ? -EIO : 0;
}

static const char *const type_names[CFG_TYPE_COUNT] = {
	[CFG_INT] = "integer", [CFG_DOUBLE] = "number", [CFG_BOOL] = "boolean",
	[CFG_DURATION] = "duration", [CFG_SIZE] = "size",
	[CFG_STRING] = "string", [CFG_PATH] = "path", [CFG_ENUM] = "enum",
	[CFG_NAMELIST] = "list", [CFG_DIST] = "distribution",
	[CFG_SEEDS] = "seeds",
	[CFG_RUNS] = "runs",
};

/* Markdown table cell text: '|' escaped. */
static void put_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void put_bounds(FILE *f, const struct cfg_param *p)
{
	char lo[40], hi[40];
	const char *u = "";

	units_fmt_num(lo, sizeof(lo), p->min);
	units_fmt_num(hi, sizeof(hi), p->max);
	if (p->type == CFG_DURATION || p->type == CFG_SIZE || p->type == CFG_DIST)
		u = p->unit;
	switch (p->type) {
	case CFG_INT:
	case CFG_DOUBLE:
	case CFG_DURATION:
	case CFG_SIZE:
	case CFG_DIST:
		fprintf(f, "%s%c%s%s, %s%s%c",
			p->type == CFG_DIST ? "mean in " : "",
			(p->flags & CFG_F_MIN_EXCL) ? '(' : '[', lo, u, hi, u,
			(p->flags & CFG_F_MAX_EXCL) ? ')' : ']');
		break;
	case CFG_SEEDS:
		fprintf(f, "0 to %d integers in [0, 2^53), distinct",
			CFG_MAX_SEEDS);
		break;
	case CFG_RUNS:
		fprintf(f, "0 to %d runs; strategy one of: ", CFG_MAX_RUNS);
		for (int i = 0; p->choices && p->choices[i]; i++)
			fprintf(f, "%s`%s`", i ? ", " : "", p->choices[i]);
		break;
	case CFG_ENUM:
	case CFG_NAMELIST:
		if (p->type == CFG_NAMELIST)
			fprintf(f, "%s to %s of: ", lo, hi);
		else
			fprintf(f, "one of: ");
		for (int i = 0; p->choices && p->choices[i]; i++)
			fprintf(f, "%s`%s`", i ? ", " : "", p->choices[i]);
		break;
	default:
		fprintf(f, "-");
	}
}

static void reference_rows(FILE *f, const char *section)
{
	size_t sl = strlen(section);

	fprintf(f, "| key | type | default | bounds | unit | help |\n");
	fprintf(f, "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < cfg_nparams; i++) {
		const struct cfg_param *p = &cfg_params[i];
		bool top = !strchr(p->key, '.');
		if (sl ? strncmp(p->key, section, sl) != 0 || p->key[sl] != '.'
		       : !top)
			continue;
		fprintf(f, "| `%s` | %s | `", p->key, type_names[p->type]);
		put_cell(f, p->def);
		fprintf(f, "` | ");
		put_bounds(f, p);
		fprintf(f, " | %s | ", p->unit && *p->unit ? p->unit : "-");
		put_cell(f, p->help);
		fprintf(f, " |\n");
	}
	fputc('\n', f);
}

void cfg_write_reference(FILE *f)
{
	char sec[KEY_LEN];
	bool any_top = false;

	fprintf(f,
"# Configuration reference\n\n"
"Generated by `cfg_write_reference()` from the parameter table in\n"
"`exp/params.c`; do not edit by hand.\n\n"
"An experiment is one YAML mapping. Nested keys join with dots:\n"
"`workload: {rate: 5}` and `workload.rate: 5` set the same parameter.\n"
"Any parameter can be overridden on the command line with\n"
"`--set KEY=VALUE`, where VALUE is YAML (`--set strategies=[cold,keepalive]`,\n"
"`--set workload.service={dist: exponential, mean: 5ms}`).\n\n"
"## Value syntax\n\n"
"- **integer**: decimal digits (`50`); no fraction, no exponent.\n"
"- **number**: decimal (`20`, `0.5`, `1e6`); nan and inf are rejected.\n"
"- **boolean**: `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`.\n"
"- **duration**: a number with a unit `ns`, `us`, `ms`, `s`, `min`, `h`,\n"
"  `d` (`250ms`, `1.5min`); a bare number is in the row's unit.\n"
"- **size**: a number with a unit `KiB`, `MiB`, `GiB`, `TiB` (`512MiB`);\n"
"  a bare number is in MiB.\n"
"- **list**: a sequence (`[cold, keepalive]`) or a single name.\n"
"- **path**: a file or directory; a relative path in a config file is\n"
"  relative to that file's directory, one given with `--set` to the\n"
"  current directory.\n"
"- **distribution**: a bare value (a constant) or a mapping\n"
"  `{dist: KIND, ...}`; values take the units of the row (bare numbers are\n"
"  in the row's unit):\n\n"
"| kind | parameters |\n"
"|---|---|\n"
"| `constant` | `value` |\n"
"| `exponential` | `mean` |\n"
"| `lognormal` | `mean`, `cv`; or `median`, `sigma`; or `mu`, `sigma` where `mu` is the log of a value in base units (ns for times, MiB for sizes) |\n"
"| `gamma` | `mean`, `cv`; or `shape`, `scale` |\n"
"| `uniform` | `min`, `max` |\n"
"| `empirical` | `points: [[0, v0], ..., [100, vN]]`: percentile, value; percentiles increase from 0 to 100, values do not decrease; at most %d points |\n\n"
"Bounds: `[` `]` inclusive, `(` `)` exclusive; a distribution's bounds\n"
"apply to its mean.\n\n", DIST_MAX_POINTS);

	for (size_t i = 0; i < cfg_nparams; i++)
		if (!strchr(cfg_params[i].key, '.'))
			any_top = true;
	if (any_top) {
		fprintf(f, "## Top level\n\n");
		reference_rows(f, "");
	}
	for (size_t i = 0; i < cfg_nparams; i++) {
		const char *key = cfg_params[i].key, *dot = strchr(key, '.');
		size_t n;
		if (!dot)
			continue;
		n = (size_t)(dot - key);
		if (opened_before(i, key, n + 1) || n >= sizeof(sec))
			continue;
		snprintf(sec, sizeof(sec), "%.*s", (int)n, key);
		fprintf(f, "## %s\n\n", sec);
		reference_rows(f, sec);
	}
}

char *cfg_dump_string(const struct vms_config *c)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		die_oom();
	cfg_dump_yaml(c, f);
	fclose(f);
	return buf;
}

