/* plot_index.c - `vmspec plot INDEX.h5`: a metric of a sweep against one
 * of its parameters, one line per value of another (or per run group),
 * each point the mean over its seeds inside a band of its 95 % interval;
 * or (--pareto X,Y) the points in the plane of two metrics with their
 * non-dominated front. Reached from cmd_plot (cli/plot.c) when its FILE is
 * a sweep index; the figures are exp/sweep_read.c's, the drawing gnuplot's
 * (cli/gnuplot.h). Exit: 0 written, 1 no data or gnuplot failed, 2 usage
 * or an unknown name. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cmd.h"
#include "cli/gnuplot.h"
#include "cli/report_index.h"
#include "exp/params.h"
#include "exp/sweep_read.h"

static const char plot_index_usage[] =
"usage: vmspec plot INDEX.h5 --x PARAM --y METRIC [--by PARAM] [options]\n"
"       vmspec plot INDEX.h5 --pareto X,Y [options]\n"
"\n"
"Draw a sweep from its index file (vmspec sweep writes DIR/index.h5): the\n"
"mean of METRIC over each point's seeds against the axis PARAM, inside a\n"
"band of its 95 % interval (Student t; a percentile bootstrap for\n"
"percentiles and maxima over 10 seeds or more), one line per value of\n"
"--by (an axis key, or \"run\" for the run groups: strategies). Every\n"
"axis of the sweep besides --x and --by must have one value among the\n"
"rows drawn: pick it with --where. Metrics are /summary names\n"
"(latency_p99_ms) or report headings (p99_ms, MiB*s).\n"
"\n"
"  --x PARAM         the axis on the x axis (log scale when its values are\n"
"                    positive and span a factor of 50 or more)\n"
"  --y METRIC        the metric on the y axis\n"
"  --by PARAM        one line per value of this axis, or \"run\"\n"
"                    (default: one line per run group when there are several)\n"
"  --pareto X,Y      instead: every point in the plane of metrics X and Y\n"
"                    with its intervals, the non-dominated front in colour\n"
"                    and the others in grey; both are minimized, unless\n"
"                    written METRIC:max (e.g. mem_mib_s,start_warm:max)\n"
"  --run NAME        only the run group NAME (e.g. keepalive)\n"
"  --where EXPR      only rows where EXPR holds (KEY OP VALUE, as in\n"
"                    vmspec report); repeatable\n"
"  -o, --output PNG  output file (default: INDEX with .h5 replaced by\n"
"                    -METRIC-PARAM.png, or -pareto-X-Y.png); the PDF goes\n"
"                    next to it (.pdf)\n"
GP_FORMAT_HELP
"  --title T         plot title (default: the sweep, the metric, the\n"
"                    seeds)\n"
"  -h, --help        show this text\n"
"\n"
"Prints the paths written, one a line. Needs gnuplot (apt-get install gnuplot-nox).\n"
"Exit status: 0 ok; 1 unreadable index, no data or gnuplot failing;\n"
"2 usage error or an unknown axis, metric or run.\n";

struct pi_args {
	const char *path, *x, *y, *by, *pareto, *run, *out, *title, *format;
	unsigned formats;		/* GP_*; 0: gp_format_default */
	const char **where;
	size_t nwhere;
};

/* One drawn line: rows of one --by value (and run group). */
struct line {
	char label[256];
	size_t *rows;			/* into the filtered rows, by x */
	size_t n;
};

struct pi_plot {
	const struct swr_index *ix;
	const struct pi_args *pa;
	const char *title;
	struct swr_row *rows;
	size_t nrows;
	/* --x --y */
	struct swr_key x, y;
	int categories;			/* x is not numeric: positions */
	size_t *catpos;			/* per point: its x position then */
	int logx;
	struct line *lines;
	size_t nlines;
	/* --pareto */
	size_t px, py;
	int max_x, max_y;
	unsigned char *front;
};

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "vmspec plot: %s%s%s%s\n\n%s", msg, arg ? " '" : "",
		arg ? arg : "", arg ? "'" : "", plot_index_usage);
	return EXIT_USAGE;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct pi_args *pa)
{
	static const struct {
		const char *opt;
		size_t off;
	} vals[] = {
		{ "--x", offsetof(struct pi_args, x) },
		{ "--y", offsetof(struct pi_args, y) },
		{ "--by", offsetof(struct pi_args, by) },
		{ "--pareto", offsetof(struct pi_args, pareto) },
		{ "--run", offsetof(struct pi_args, run) },
		{ "-o", offsetof(struct pi_args, out) },
		{ "--output", offsetof(struct pi_args, out) },
		{ "--title", offsetof(struct pi_args, title) },
		{ "--format", offsetof(struct pi_args, format) },
	};
	int only_files = 0;

	memset(pa, 0, sizeof(*pa));
	pa->where = calloc((size_t)argc + 1, sizeof(*pa->where));
	if (!pa->where)
		return EXIT_RUN;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], **val = NULL;
		if (only_files || a[0] != '-' || !a[1]) {
			if (pa->path)
				return usage_error("one INDEX only", a);
			pa->path = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_files = 1;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(plot_index_usage, stdout);
			return 0;
		}
		if (!strcmp(a, "--where"))
			val = &pa->where[pa->nwhere++];
		for (size_t k = 0; !val && k < sizeof(vals) / sizeof(vals[0]); k++)
			if (!strcmp(a, vals[k].opt))
				val = (const char **)((char *)pa + vals[k].off);
		if (!val)
			return usage_error("unknown option", a);
		if (++i == argc)
			return usage_error("missing value after", a);
		*val = argv[i];
	}
	if (!pa->path)
		return usage_error("missing INDEX", NULL);
	if (!pa->pareto && (!pa->x || !pa->y))
		return usage_error("a sweep index needs --x PARAM and --y METRIC, "
				   "or --pareto X,Y", NULL);
	if (pa->pareto && (pa->x || pa->y || pa->by))
		return usage_error("--pareto draws two metrics: no --x, --y or "
				   "--by with it", NULL);
	if (pa->out && !pa->out[0])
		return usage_error("empty output file name", NULL);
	if (pa->format && gp_format_parse(pa->format, &pa->formats) < 0)
		return usage_error("unknown --format (png, pdf, svg, all)",
				   pa->format);
	return -1;
}

/* INDEX without .h5, then -(a)-(b).png, odd characters made '_'. */
static char *default_output(const char *path, const char *a, const char *b)
{
	size_t len = strlen(path), k;
	char *out = malloc(len + strlen(a) + strlen(b) + 8);

	if (!out)
		return NULL;
	memcpy(out, path, len + 1);
	if (len > 3 && !strcmp(path + len - 3, ".h5"))
		out[len -= 3] = '\0';
	sprintf(out + len, "-%s-%s.png", a, b);
	for (k = len + 1; out[k + 4]; k++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789.-_", out[k]))
			out[k] = '_';
	return out;
}

/* "ttl=30s keepalive": what a row of the Pareto plane is, by the axes
 * whose value varies among the rows drawn (and its run group). */
static void row_label(const struct pi_plot *p, const struct swr_row *r,
		      char *buf, size_t n)
{
	const struct swr_index *ix = p->ix;
	size_t len = 0;

	buf[0] = '\0';
	for (size_t a = 0; a < ix->naxes && len < n; a++) {
		const char *k = strrchr(ix->axes[a], '.'), *v;
		size_t i;
		v = ix->points[r->point].text[a];
		for (i = 0; i < p->nrows; i++)
			if (strcmp(ix->points[p->rows[i].point].text[a], v))
				break;
		if (i == p->nrows)		/* the same in every row */
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s%s=%s",
					len ? " " : "", k ? k + 1 : ix->axes[a],
					v);
	}
	if (r->group != SWR_NOGROUP && !p->pa->run && ix->ngroups > 1 &&
	    len < n)
		snprintf(buf + len, n - len, "%s%s", len ? " " : "",
			 ix->groups[r->group]);
}

/* ---- --x --y: lines ---- */

static double xval(const struct pi_plot *p, size_t i, const char **text)
{
	return swr_value(p->ix, &p->rows[i], &p->x, text);
}

/* The x where row (i) is drawn: its axis value, or the position of its
 * text among the axis' texts in point order. */
static double xpos(const struct pi_plot *p, size_t i)
{
	return p->categories ? (double)p->catpos[p->rows[i].point] :
			       xval(p, i, NULL);
}

/* Category positions: distinct texts of the x axis in point order. */
static int categorize(struct pi_plot *p)
{
	const struct swr_index *ix = p->ix;
	size_t a = p->x.idx, k = 0;

	p->catpos = calloc(ix->npoints + 1, sizeof(size_t));
	if (!p->catpos)
		return -1;
	for (size_t i = 0; i < ix->npoints; i++) {
		size_t j;
		for (j = 0; j < i; j++)
			if (!strcmp(ix->points[j].text[a], ix->points[i].text[a]))
				break;
		p->catpos[i] = j < i ? p->catpos[j] : k++;
	}
	return 0;
}

/* Group the rows into lines; -1 after a message when two rows of a line
 * share an x (another axis varies among them). */
static int make_lines(struct pi_plot *p, const struct swr_key *by,
		      int by_run)
{
	const struct swr_index *ix = p->ix;

	p->lines = calloc(p->nrows + 1, sizeof(*p->lines));
	if (!p->lines)
		return -1;
	p->categories = 0;
	for (size_t i = 0; i < p->nrows; i++)
		if (isnan(xval(p, i, NULL)))
			p->categories = 1;
	if (p->categories && categorize(p) < 0)
		return -1;
	for (size_t i = 0; i < p->nrows; i++) {
		const struct swr_row *r = &p->rows[i];
		char label[256] = "";
		const char *t;
		size_t l;
		if (by) {
			swr_value(ix, r, by, &t);
			snprintf(label, sizeof(label), "%s=%s",
				 ix->axes[by->idx], t);
		}
		if ((by_run || ix->ngroups > 1) && r->group != SWR_NOGROUP &&
		    !p->pa->run)
			snprintf(label + strlen(label), sizeof(label) -
				 strlen(label), "%s%s", label[0] ? " " : "",
				 ix->groups[r->group]);
		for (l = 0; l < p->nlines; l++)
			if (!strcmp(p->lines[l].label, label))
				break;
		if (l == p->nlines) {
			snprintf(p->lines[l].label, sizeof(label), "%s", label);
			p->lines[l].rows = calloc(p->nrows, sizeof(size_t));
			if (!p->lines[l].rows)
				return -1;
			p->nlines++;
		}
		p->lines[l].rows[p->lines[l].n++] = i;
	}
	for (size_t l = 0; l < p->nlines; l++) {
		struct line *ln = &p->lines[l];
		for (size_t a = 1; a < ln->n; a++)	/* insertion sort by x */
			for (size_t b = a; b > 0 &&
			     xpos(p, ln->rows[b - 1]) > xpos(p, ln->rows[b]); b--) {
				size_t t = ln->rows[b];
				ln->rows[b] = ln->rows[b - 1];
				ln->rows[b - 1] = t;
			}
		for (size_t k = 1; k < ln->n; k++) {
			const char *a, *b;
			xval(p, ln->rows[k - 1], &a);
			xval(p, ln->rows[k], &b);
			if (strcmp(a, b))
				continue;
			/* the axes that tell the two rows apart */
			const struct swr_point *u = &ix->points[p->rows[ln->rows[k - 1]].point],
					       *v = &ix->points[p->rows[ln->rows[k]].point];
			char differ[512] = "";
			for (size_t x = 0; x < ix->naxes; x++)
				if (strcmp(u->text[x], v->text[x]))
					snprintf(differ + strlen(differ),
						 sizeof(differ) - strlen(differ),
						 "%s%s", differ[0] ? ", " : "",
						 ix->axes[x]);
			fprintf(stderr, "vmspec plot: points at %s=%s differ in "
				"%s too: pick one value with --where '%s == "
				"VALUE', or draw a line each with --by\n",
				ix->axes[p->x.idx], a, differ, differ);
			return -2;
		}
	}
	return 0;
}

/* Whether metric (m) reaches 100000 among the rows: tics then read 100k,
 * 2M, ... */
static int big_values(const struct pi_plot *p, size_t m)
{
	for (size_t i = 0; i < p->nrows; i++) {
		const struct stat_ci *ci = &swr_cell(p->ix, p->rows[i].point,
						     p->rows[i].group, m)->ci;
		if (fabs(ci->mean) >= 1e5 || fabs(ci->hi) >= 1e5)
			return 1;
	}
	return 0;
}

static void emit_lines(FILE *gp, const struct gp_term *t, const void *arg)
{
	const struct pi_plot *p = arg;
	const struct swr_index *ix = p->ix;
	const struct cfg_param *xp = cfg_find(ix->axes[p->x.idx]);
	const struct swr_metric *m = &ix->metrics[p->y.idx];
	int cairo = t->cairo;

	gp_terminal(gp, t, 1100, 600);
	fputs("set title ", gp);
	gp_quote(gp, p->title);
	fputs("\nset xlabel ", gp);
	char lab[400];
	snprintf(lab, sizeof(lab), "%s%s%s%s", ix->axes[p->x.idx],
		 xp && xp->unit[0] ? " [" : "", xp ? xp->unit : "",
		 xp && xp->unit[0] ? "]" : "");
	gp_quote(gp, lab);
	snprintf(lab, sizeof(lab), "%s%s%s%s", m->name, m->unit[0] ? " [" : "",
		 m->unit, m->unit[0] ? "]" : "");
	fputs("\nset ylabel ", gp);
	gp_quote(gp, lab);
	fputs("\nset grid\nset key outside right top Left reverse samplen 3 "
	      "spacing 1.2\n", gp);
	if (big_values(p, p->y.idx))
		fputs("set format y '%.1s%c'\n", gp);
	if (!p->categories) {	/* the points' range, a margin around it */
		double lo = INFINITY, hi = -INFINITY;
		for (size_t i = 0; i < p->nrows; i++) {
			lo = fmin(lo, xval(p, i, NULL));
			hi = fmax(hi, xval(p, i, NULL));
		}
		if (p->logx)
			fprintf(gp, "set logscale x\nset format x '%%g'\n"
				"set xrange [%.9g:%.9g]\n", lo / 1.25, hi * 1.25);
		else if (hi > lo)
			fprintf(gp, "set xrange [%.9g:%.9g]\n",
				lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo));
	}
	if (!p->categories) {	/* tics at the sweep's values, when few */
		double v[13];
		size_t nv = 0;
		for (size_t i = 0; i < p->nrows && nv < 13; i++) {
			double x = xval(p, i, NULL);
			size_t k = 0;
			while (k < nv && v[k] != x)
				k++;
			if (k == nv)
				v[nv++] = x;
		}
		for (size_t k = 0; nv <= 12 && k < nv; k++)
			fprintf(gp, "%s%.9g%s", k ? ", " : "set xtics (", v[k],
				k + 1 == nv ? ")\n" : "");
	}
	if (p->categories) {	/* x positions 0..k-1 in point order */
		fputs("set xtics (", gp);
		for (size_t i = 0, k = 0; i < ix->npoints; i++) {
			if (p->catpos[i] != k)
				continue;
			fputs(k ? ", " : "", gp);
			gp_quote(gp, ix->points[i].text[p->x.idx]);
			fprintf(gp, " %zu", k++);
		}
		size_t ncat = 0;
		for (size_t i = 0; i < ix->npoints; i++)
			if (p->catpos[i] + 1 > ncat)
				ncat = p->catpos[i] + 1;
		fprintf(gp, ")\nset xrange [-0.5:%zu.5]\n", ncat - 1);
	}
	for (size_t l = 0; l < p->nlines; l++) {
		fprintf(gp, "$d%zu << EOD\n", l);
		for (size_t k = 0; k < p->lines[l].n; k++) {
			size_t i = p->lines[l].rows[k];
			const struct stat_ci *ci = &swr_cell(ix, p->rows[i].point,
							     p->rows[i].group,
							     p->y.idx)->ci;
			double x = xpos(p, i);
			double lo = isnan(ci->lo) ? ci->mean : ci->lo;
			double hi = isnan(ci->hi) ? ci->mean : ci->hi;
			fprintf(gp, "%.9g %.9g %.9g %.9g\n", x, ci->mean, lo, hi);
		}
		fputs("EOD\n", gp);
	}
	fputs("plot", gp);
	for (size_t l = 0; l < p->nlines; l++) {
		const char *t = p->lines[l].label[0] ? p->lines[l].label :
				m->name;
		if (p->lines[l].n == 1) {	/* no band of one point */
			fprintf(gp, "%s $d%zu using 1:2:3:4 with yerrorbars "
				"ps 1.2", l ? "," : "", l);
			gp_style(gp, l, GP_POINT);
		} else {
			if (cairo)
				fprintf(gp, "%s $d%zu using 1:3:4 with filledcurves "
					"fs transparent solid 0.12 noborder lc rgb "
					"'%s' notitle,", l ? "," : "", l,
					gp_colour(l));
			else
				fprintf(gp, "%s $d%zu using 1:2:3:4 with "
					"yerrorbars ps 0.01 lc rgb '%s' notitle,",
					l ? "," : "", l, gp_colour(l));
			fprintf(gp, " $d%zu using 1:2 with linespoints lw 2 "
				"ps 1.2", l);
			gp_style(gp, l, GP_LINE | GP_POINT);
		}
		fputs(" title ", gp);
		gp_quote(gp, t);
	}
	fputs("\n", gp);
}

/* ---- --pareto ---- */

/* "METRIC" or "METRIC:max" into (key, max). */
static int pareto_metric(const struct swr_index *ix, const char *s,
			 size_t len, size_t *m, int *max)
{
	char name[128], err[1024];
	struct swr_key k;

	snprintf(name, sizeof(name), "%.*s", (int)len, s);
	*max = 0;
	len = strlen(name);
	if (len > 4 && (!strcmp(name + len - 4, ":max") ||
			!strcmp(name + len - 4, ":min"))) {
		*max = !strcmp(name + len - 4, ":max");
		name[len - 4] = '\0';
	}
	if (swr_key_find(ix, name, 1u << SWR_KEY_METRIC, &k, err,
			 sizeof(err)) < 0) {
		fprintf(stderr, "vmspec plot: --pareto: %s\n", err);
		return -1;
	}
	*m = k.idx;
	return 0;
}

static void emit_pareto(FILE *gp, const struct gp_term *t, const void *arg)
{
	const struct pi_plot *p = arg;
	const struct swr_index *ix = p->ix;
	const struct swr_metric *mx = &ix->metrics[p->px],
				*my = &ix->metrics[p->py];
	char lab[400];

	gp_terminal(gp, t, 960, 700);
	fputs("set title ", gp);
	gp_quote(gp, p->title);
	snprintf(lab, sizeof(lab), "%s%s%s%s (%s)", mx->name,
		 mx->unit[0] ? " [" : "", mx->unit, mx->unit[0] ? "]" : "",
		 p->max_x ? "more is better" : "less is better");
	fputs("\nset xlabel ", gp);
	gp_quote(gp, lab);
	snprintf(lab, sizeof(lab), "%s%s%s%s (%s)", my->name,
		 my->unit[0] ? " [" : "", my->unit, my->unit[0] ? "]" : "",
		 p->max_y ? "more is better" : "less is better");
	fputs("\nset ylabel ", gp);
	gp_quote(gp, lab);
	fputs("\nset grid\nset key top right box opaque\n"
	      "set offsets graph 0.02, graph 0.3, graph 0.05, graph 0.05\n",
	      gp);
	if (big_values(p, p->px))
		fputs("set format x '%.1s%c'\n", gp);
	if (big_values(p, p->py))
		fputs("set format y '%.1s%c'\n", gp);
	/* columns: x y xlo xhi ylo yhi "label"; front sorted by x */
	for (int f = 0; f < 2; f++) {
		size_t *idx = calloc(p->nrows + 1, sizeof(size_t)), n = 0;
		if (!idx)
			return;
		for (size_t i = 0; i < p->nrows; i++)
			if (p->front[i] == f + 1)	/* 1 off, 2 on (drawn) */
				idx[n++] = i;
		for (size_t a = 1; a < n; a++)	/* insertion sort by x */
			for (size_t b = a; b > 0; b--) {
				const struct swr_row *u = &p->rows[idx[b - 1]],
						     *v = &p->rows[idx[b]];
				if (swr_cell(ix, u->point, u->group, p->px)->ci.mean <=
				    swr_cell(ix, v->point, v->group, p->px)->ci.mean)
					break;
				size_t t = idx[b];
				idx[b] = idx[b - 1];
				idx[b - 1] = t;
			}
		fprintf(gp, "$%s << EOD\n", f ? "front" : "others");
		for (size_t k = 0, same = 0; k < n; k++) {
			const struct swr_row *r = &p->rows[idx[k]];
			const struct stat_ci *cx = &swr_cell(ix, r->point,
							     r->group, p->px)->ci,
					     *cy = &swr_cell(ix, r->point,
							     r->group, p->py)->ci;
			/* rows at the very same place: one label */
			size_t more = 0;
			while (k + more + 1 < n) {
				const struct swr_row *q = &p->rows[idx[k + more + 1]];
				if (swr_cell(ix, q->point, q->group, p->px)->ci.mean !=
				    cx->mean ||
				    swr_cell(ix, q->point, q->group, p->py)->ci.mean !=
				    cy->mean)
					break;
				more++;
			}
			row_label(p, r, lab, sizeof(lab));
			if (same)
				lab[0] = '\0';
			else if (more)
				snprintf(lab + strlen(lab), sizeof(lab) -
					 strlen(lab), " (+%zu identical)", more);
			same = more ? more : same ? same - 1 : 0;
			fprintf(gp, "%.9g %.9g %.9g %.9g %.9g %.9g \"", cx->mean,
				cy->mean, isnan(cx->lo) ? cx->mean : cx->lo,
				isnan(cx->hi) ? cx->mean : cx->hi,
				isnan(cy->lo) ? cy->mean : cy->lo,
				isnan(cy->hi) ? cy->mean : cy->hi);
			for (const char *q = lab; *q; q++)
				fputc(*q == '"' || *q == '\n' ? '\'' : *q, gp);
			fputs("\"\n", gp);
		}
		fputs("EOD\n", gp);
		free(idx);
	}
	fprintf(gp, "plot $others using 1:2:3:4:5:6 with xyerrorbars pt 6 "
		"ps 0.8 lc rgb '#a0a0a0' title 'dominated', "
		"$front using 1:2:3:4:5:6 with xyerrorbars pt 7 ps 1.2 "
		"lc rgb '%s' title 'front (mean, 95 %% intervals)', "
		"$front using 1:2 with lines lw 2 lc rgb '%s' notitle, "
		"$front using 1:2:7 with labels offset 1,0.7 left font ',%d' "
		"notitle\n", gp_colour(1), gp_colour(1), GP_FONT_PT - 3);
}

/* ---- the command ---- */

int plot_index(int argc, char **argv)
{
	struct pi_args pa;
	struct swr_index ix;
	struct swr_where *w = NULL;
	struct pi_plot p;
	struct swr_key by;
	char err[1024], title[1400];
	size_t group = SWR_NOGROUP;
	char *out = NULL;
	int rc = parse_args(argc, argv, &pa), by_run = 0;

	if (rc >= 0) {
		free(pa.where);
		return rc;
	}
	if (swr_open(&ix, pa.path, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmspec plot: %s\n", err);
		free(pa.where);
		return EXIT_RUN;
	}
	memset(&p, 0, sizeof(p));
	p.ix = &ix;
	p.pa = &pa;
	rc = EXIT_USAGE;
	if (!(w = calloc(pa.nwhere + 1, sizeof(*w))))
		goto out;
	for (size_t k = 0; k < pa.nwhere; k++)
		if (swr_where_parse(&ix, pa.where[k], &w[k], err,
				    sizeof(err)) < 0) {
			fprintf(stderr, "vmspec plot: --where: %s\n", err);
			goto out;
		}
	if (pa.run && swr_group_find(&ix, pa.run, &group, err,
				     sizeof(err)) < 0) {
		fprintf(stderr, "vmspec plot: --run: %s\n", err);
		goto out;
	}
	if (pa.pareto) {
		size_t len = strcspn(pa.pareto, ",");
		if (!pa.pareto[len] || !pa.pareto[len + 1]) {
			usage_error("--pareto wants two metrics X,Y, got",
				    pa.pareto);
			goto out;
		}
		if (pareto_metric(&ix, pa.pareto, len, &p.px, &p.max_x) < 0 ||
		    pareto_metric(&ix, pa.pareto + len + 1,
				  strlen(pa.pareto + len + 1), &p.py,
				  &p.max_y) < 0)
			goto out;
	} else {
		if (swr_key_find(&ix, pa.x, 1u << SWR_KEY_AXIS, &p.x, err,
				 sizeof(err)) < 0 ||
		    swr_key_find(&ix, pa.y, 1u << SWR_KEY_METRIC, &p.y, err,
				 sizeof(err)) < 0) {
			fprintf(stderr, "vmspec plot: %s\n", err);
			goto out;
		}
		if (pa.by && !(by_run = !strcmp(pa.by, "run")) &&
		    swr_key_find(&ix, pa.by, 1u << SWR_KEY_AXIS, &by, err,
				 sizeof(err)) < 0) {
			fprintf(stderr, "vmspec plot: --by: %s\n", err);
			goto out;
		}
		if (pa.by && !by_run && by.idx == p.x.idx) {
			usage_error("--by and --x name the same axis", pa.by);
			goto out;
		}
	}
	rc = EXIT_RUN;
	p.nrows = swr_rows(&ix, group, &p.rows);
	p.nrows = swr_filter(&ix, p.rows, p.nrows, w, pa.nwhere);
	{	/* only rows with the figures drawn */
		size_t k = 0;
		for (size_t i = 0; i < p.nrows; i++) {
			struct swr_key a = { SWR_KEY_METRIC, pa.pareto ? p.px : p.y.idx },
				       b = { SWR_KEY_METRIC, pa.pareto ? p.py : p.y.idx };
			if (!isnan(swr_value(&ix, &p.rows[i], &a, NULL)) &&
			    !isnan(swr_value(&ix, &p.rows[i], &b, NULL)))
				p.rows[k++] = p.rows[i];
		}
		p.nrows = k;
	}
	if (p.nrows == 0) {
		fprintf(stderr, "vmspec plot: %s: no point has the figures to "
			"draw (%zu of %zu runs complete%s)\n", pa.path,
			ix.nstatus[SWEEP_COMPLETE], ix.nruns,
			pa.nwhere ? ", after --where" : "");
		goto out;
	}
	/* what the rows drawn were picked by, for the title */
	char selection[600] = "";
	if (pa.run)
		snprintf(selection, sizeof(selection), "; run %s", pa.run);
	for (size_t k = 0; k < pa.nwhere; k++)
		snprintf(selection + strlen(selection), sizeof(selection) -
			 strlen(selection), "%s%s", k || pa.run ? ", " : "; ",
			 pa.where[k]);
	if (pa.pareto) {
		if (!(p.front = calloc(p.nrows, 1)))
			goto out;
		swr_pareto(&ix, p.rows, p.nrows, p.px, p.max_x, p.py, p.max_y,
			   p.front);
		for (size_t i = 0; i < p.nrows; i++)
			p.front[i]++;	/* 1 dominated, 2 on the front */
		snprintf(title, sizeof(title), "sweep %s: %s vs %s, the "
			 "non-dominated front\nmeans with 95 %% intervals over "
			 "%zu seed%s%s", ix.sweep_name, ix.metrics[p.py].name,
			 ix.metrics[p.px].name, ix.nseeds,
			 ix.nseeds == 1 ? "" : "s", selection);
		out = pa.out ? strdup(pa.out) :
		      default_output(pa.path, "pareto", pa.pareto);
	} else {
		int e = make_lines(&p, pa.by && !by_run ? &by : NULL, by_run);
		if (e < 0) {
			rc = e == -2 ? EXIT_USAGE : EXIT_RUN;
			goto out;
		}
		double lo = INFINITY, hi = -INFINITY;
		for (size_t i = 0; i < p.nrows; i++) {
			double x = xval(&p, i, NULL);
			lo = fmin(lo, x);
			hi = fmax(hi, x);
		}
		p.logx = !p.categories && lo > 0 && hi / lo >= 50;
		snprintf(title, sizeof(title), "sweep %s: %s against %s\n"
			 "mean and 95 %% interval over %zu seed%s%s",
			 ix.sweep_name, ix.metrics[p.y.idx].name,
			 ix.axes[p.x.idx], ix.nseeds, ix.nseeds == 1 ? "" : "s",
			 selection);
		out = pa.out ? strdup(pa.out) :
		      default_output(pa.path, ix.metrics[p.y.idx].name,
				     ix.axes[p.x.idx]);
	}
	if (!out)
		goto out;
	p.title = pa.title ? pa.title : title;
	if (ix.nstatus[SWEEP_COMPLETE] < ix.nruns)
		fprintf(stderr, "vmspec plot: %s: %zu of %zu runs not complete; "
			"drawing the others\n", pa.path,
			ix.nruns - ix.nstatus[SWEEP_COMPLETE], ix.nruns);
	if (gp_draw("vmspec plot", out, pa.formats ? pa.formats :
		    gp_format_default(out), pa.pareto ? emit_pareto : emit_lines,
		    &p, stdout))
		goto out;
	rc = 0;
out:
	for (size_t l = 0; l < p.nlines; l++)
		free(p.lines[l].rows);
	free(p.lines);
	free(p.catpos);
	free(p.rows);
	free(p.front);
	free(out);
	free(w);
	free(pa.where);
	swr_release(&ix);
	return rc;
}
