/* plot_draw.c - the gnuplot scripts of `vmspec plot FILE...` (cli/plot.c
 * reads the files): the CDF beside its tail (1 - CDF, log-log) with a
 * style per run and markers at fixed quantiles, or the start kinds above
 * the memory-time; the caption from what the files record. Every size is
 * computed from the text it must hold (gp_text_width), so that nothing
 * overlaps or is clipped, in any format (cli/gnuplot.h). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/gnuplot.h"
#include "cli/plot_int.h"


static int any_band(const struct plot_script *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].nrep)
			return 1;
	return 0;
}

/* Replications of the runs drawn: the fewest and the most. */
static void rep_range(const struct plot_script *s, size_t *lo, size_t *hi)
{
	*lo = SIZE_MAX;
	*hi = 0;
	for (size_t i = 0; i < s->n; i++) {
		size_t k = s->c[i].nrep ? s->c[i].nrep : 1;
		*lo = k < *lo ? k : *lo;
		*hi = k > *hi ? k : *hi;
	}
}

/* Append (word) to the caption (buf) of (len) bytes, after (sep) unless it
 * starts a line; a new line when the current one would pass (width)
 * characters. (*col): characters on the current line. */
static void put_word(char *buf, size_t len, double *col, const char *sep,
		     const char *word, double width)
{
	size_t at = strlen(buf);
	double w = gp_text_width(word);

	if (*col > 0 && *col + gp_text_width(sep) + w > width) {
		snprintf(buf + at, len - at, "%s\n", sep[0] == ',' ? "," : "");
		*col = 0;
		sep = "";
		at = strlen(buf);
	}
	snprintf(buf + at, len - at, "%s%s", *col > 0 ? sep : "", word);
	*col += (*col > 0 ? gp_text_width(sep) : 0) + w;
}

/* The default title: the experiment(s) and (what) is drawn; the number of
 * runs and replications with the seeds; the runs, wrapped at (width)
 * characters. */
static void caption(const struct plot_script *s, const char *what, double width,
		    char *buf, size_t len)
{
	const struct plot_meta *m = s->meta;
	char word[320], seeds[160] = "";
	double col = 0;
	size_t lo, hi, k;

	buf[0] = '\0';
	for (k = 0; k < m->nexp; k++)
		put_word(buf, len, &col, ", ", m->exp[k], width);
	if (m->more_exp)
		put_word(buf, len, &col, ", ", "...", width);
	snprintf(word, sizeof(word), ": %s", what);
	put_word(buf, len, &col, "", word, width);

	/* seeds: one, a range, or a list */
	int range = m->nseeds > 1 && !m->more_seeds;
	for (k = 1; range && k < m->nseeds; k++)
		range = m->seed[k] == m->seed[0] + (int64_t)k;
	if (m->nseeds == 1)
		snprintf(seeds, sizeof(seeds), ", seed %lld",
			 (long long)m->seed[0]);
	else if (range)
		snprintf(seeds, sizeof(seeds), ", seeds %lld..%lld",
			 (long long)m->seed[0],
			 (long long)m->seed[m->nseeds - 1]);
	else if (m->nseeds > 1) {
		snprintf(seeds, sizeof(seeds), ", seeds");
		for (k = 0; k < m->nseeds && k < 8; k++)
			snprintf(seeds + strlen(seeds), sizeof(seeds) -
				 strlen(seeds), "%s %lld", k ? "," : "",
				 (long long)m->seed[k]);
		if (k < m->nseeds || m->more_seeds)
			snprintf(seeds + strlen(seeds), sizeof(seeds) -
				 strlen(seeds), ", ...");
	}
	rep_range(s, &lo, &hi);
	if (hi <= 1)
		snprintf(word, sizeof(word), "%zu run%s%s", s->n,
			 s->n == 1 ? "" : "s", seeds);
	else if (lo == hi)
		snprintf(word, sizeof(word), "%zu run%s x %zu replications%s",
			 s->n, s->n == 1 ? "" : "s", hi, seeds);
	else
		snprintf(word, sizeof(word), "%zu run%s x %zu to %zu "
			 "replications%s", s->n, s->n == 1 ? "" : "s", lo, hi,
			 seeds);
	snprintf(buf + strlen(buf), len - strlen(buf), "\n%s", word);
	col = gp_text_width(word);
	if (s->n < 2)
		return;
	snprintf(buf + strlen(buf), len - strlen(buf), "\n");
	col = 0;
	/* at most three lines of names: the key has them all */
	for (size_t i = 0, lines = 1; i < s->n; i++) {
		snprintf(word, sizeof(word), "%s%s", i ? "" : "runs: ",
			 s->c[i].label);
		if (col > 0 && col + gp_text_width(word) + 2 > width &&
		    ++lines > 3) {
			put_word(buf, len, &col, ", ", "...", width);
			break;
		}
		put_word(buf, len, &col, ", ", word, width);
	}
}

/* The title (the user's, else the caption) into (buf); its line count. */
static int title_of(const struct plot_script *s, const char *what, int w_px,
		    char *buf, size_t len)
{
	int lines = 1;

	if (s->pa->title)
		snprintf(buf, len, "%s", s->pa->title);
	else
		caption(s, what, 0.9 * w_px / GP_CHAR_PX, buf, len);
	for (const char *q = buf; *q; q++)
		lines += *q == '\n';
	return lines;
}

/* "set Xmargin at screen F" for the four sides of a panel whose plot area
 * spans (x0, x1) from the left and (y0, y1) from the top, in pixels of a
 * (w, h) canvas. */
static void panel_at(FILE *gp, int w, int h, double x0, double x1,
		     double y0, double y1)
{
	fprintf(gp, "set lmargin at screen %.5f\nset rmargin at screen %.5f\n"
		"set tmargin at screen %.5f\nset bmargin at screen %.5f\n",
		x0 / w, x1 / w, 1 - y0 / h, 1 - y1 / h);
}

/* The widest label of the runs drawn, in characters. */
static double widest_label(const struct plot_script *s)
{
	double w = 0;
	for (size_t i = 0; i < s->n; i++)
		w = fmax(w, gp_text_width(s->c[i].label));
	return w;
}

/* A tail value for a log axis: (floor) when nothing is left, NaN when
 * (floor) is 0 too. */
static void put_tail(FILE *gp, double v, double floor)
{
	if (v > 1e-12)
		fprintf(gp, " %.9g", v);
	else if (floor > 0)
		fprintf(gp, " %.9g", floor);
	else
		fputs(" NaN", gp);
}

/* The CDF of curve (c) at its points: x[k] ms, cdf[k] and tail[k] (1 -
 * cdf, exact for counts); heap arrays of (*n) points, or -ENOMEM. */
static int curve_points(const struct curve *c, double **x, double **cdf,
			double **tail, size_t *n)
{
	size_t cap = c->nrep ? c->nx : c->n, k, m = 0;
	uint64_t total = 0, seen = 0;

	*x = malloc((cap + 1) * sizeof(double));
	*cdf = malloc((cap + 1) * sizeof(double));
	*tail = malloc((cap + 1) * sizeof(double));
	if (!*x || !*cdf || !*tail)
		return -ENOMEM;
	if (c->nrep) {
		for (k = 0; k < c->nx; k++, m++) {
			(*x)[m] = c->x[k];
			(*cdf)[m] = c->mean[k];
			(*tail)[m] = 1 - c->mean[k];
		}
	} else {
		for (k = 0; k < c->n; k++)
			total += c->bins[k].count;
		for (k = 0; k < c->n && total; k++) {
			seen += c->bins[k].count;
			if (c->bins[k].upper_ms <= 0)	/* log scale */
				continue;
			(*x)[m] = c->bins[k].upper_ms;
			(*cdf)[m] = (double)seen / (double)total;
			(*tail)[m++] = (double)(total - seen) / (double)total;
		}
	}
	*n = m;
	return 0;
}

/* Markers of curve (i) of (n): on the CDF where it first reaches 0.05,
 * 0.15, ... 0.95, on the tail where it first falls to 0.3, 0.1, 0.03, ...
 * (half decades), each target moved by i/n of its step so that the
 * markers of coinciding curves stand apart. Datablocks $m<i+1>, $t<i+1>. */
static void emit_markers(FILE *gp, size_t i, size_t n, const double *x,
			 const double *cdf, const double *tail, size_t np)
{
	double shift = (double)i / (double)n;
	size_t k = 0;

	fprintf(gp, "$m%zu << EOD\n", i + 1);
	for (int q = 0; q < 9; q++) {
		double target = 0.05 + 0.1 * q + 0.1 * shift;
		while (k < np && cdf[k] < target)
			k++;
		if (k < np)
			fprintf(gp, "%.9g %.9g\n", x[k], cdf[k]);
	}
	fprintf(gp, "EOD\n$t%zu << EOD\n", i + 1);
	k = 0;
	for (int q = 1; q <= 14; q++) {
		double target = pow(10, -0.5 * ((double)q + shift));
		while (k < np && tail[k] > target)
			k++;
		if (k < np && tail[k] > 1e-12)
			fprintf(gp, "%.9g %.9g\n", x[k], tail[k]);
	}
	fputs("EOD\n", gp);
}

/* Datablocks of the CDF figure: $d<i> of plain runs "x cdf tail", of
 * replicated ones "x mean lo hi tail tail_lo tail_hi" (a band's edge at 0
 * drawn at (floor) on the log axis); the markers. Returns the tail axis'
 * floor, half the smallest tail drawn; (*median) the smallest median. */
static double emit_cdf_data(FILE *gp, const struct plot_script *s, double *median)
{
	double least = 1, floor, *x = NULL, *cdf = NULL, *tail = NULL;
	size_t i, k, np, last;

	*median = INFINITY;
	for (i = 0; i < s->n; i++) {
		if (curve_points(&s->c[i], &x, &cdf, &tail, &np) == 0)
			for (k = 0; k < np; k++) {
				if (tail[k] > 1e-12)
					least = fmin(least, tail[k]);
				if (cdf[k] >= 0.5 && (k == 0 || cdf[k - 1] < 0.5))
					*median = fmin(*median, x[k]);
			}
		free(x);
		free(cdf);
		free(tail);
	}
	floor = least / 2;
	for (i = 0; i < s->n; i++) {
		const struct curve *c = &s->c[i];
		np = 0;
		if (curve_points(c, &x, &cdf, &tail, &np) < 0)
			np = 0;		/* an empty curve, not a crash */
		fprintf(gp, "$d%zu << EOD\n", i + 1);
		for (k = 0, last = 0; k < np; k++) {
			/* points closer than 0.5 % in x (a fraction of a pixel)
			 * left out, but the first and last, and the last with
			 * a tail on the log axis */
			if (k > 0 && k + 1 < np && x[k] < 1.005 * x[last] &&
			    !(tail[k] > 1e-12 && tail[k + 1] <= 1e-12))
				continue;
			last = k;
			fprintf(gp, "%.9g %.9g", x[k], cdf[k]);
			if (c->nrep)
				fprintf(gp, " %.9g %.9g", c->lo[k], c->hi[k]);
			put_tail(gp, tail[k], 0);
			if (c->nrep) {
				put_tail(gp, 1 - c->hi[k], floor);
				put_tail(gp, 1 - c->lo[k], floor);
			}
			fputc('\n', gp);
		}
		fputs("EOD\n", gp);
		emit_markers(gp, i, s->n, x, cdf, tail, np);
		free(x);
		free(cdf);
		free(tail);
	}
	return floor;
}

/* One panel's curves, (tail) or the CDF: bands, lines, markers; the key's
 * entries (line and marker) when (keyed). */
static void plot_curves(FILE *gp, const struct gp_term *t,
			const struct plot_script *s, int tail, int keyed)
{
	double lw = s->n > 8 ? 1.5 : 2, alpha = s->n > 6 ? 0.08 : 0.15;

	fputs("plot", gp);
	for (size_t i = 0; i < s->n; i++) {
		const struct curve *c = &s->c[i];
		int y = tail ? (c->nrep ? 5 : 3) : 2;
		const char *band = tail ? "6:7" : "3:4";
		if (c->nrep && t->cairo)
			fprintf(gp, " $d%zu using 1:%s with filledcurves fs "
				"transparent solid %.2f noborder lc rgb '%s' "
				"notitle,", i + 1, band, alpha, gp_colour(i));
		else if (c->nrep)
			fprintf(gp, " $d%zu using 1:%c with lines lw 1 dt 3 "
				"lc rgb '%s' notitle, $d%zu using 1:%c with "
				"lines lw 1 dt 3 lc rgb '%s' notitle,", i + 1,
				band[0], gp_colour(i), i + 1, band[2],
				gp_colour(i));
		fprintf(gp, " $d%zu using 1:%d with lines lw %.1f", i + 1, y, lw);
		gp_style(gp, i, GP_LINE);
		fprintf(gp, " notitle, $%c%zu using 1:2 with points ps 1.2",
			tail ? 't' : 'm', i + 1);
		gp_style(gp, i, GP_POINT);
		fputs(" notitle", gp);
		if (keyed) {
			fprintf(gp, ", NaN with linespoints lw %.1f ps 1.2", lw);
			gp_style(gp, i, GP_LINE | GP_POINT);
			fputs(" title ", gp);
			gp_quote(gp, c->label);
		}
		fputs(i + 1 < s->n ? "," : "", gp);
	}
}

/* The CDF (left) and its tail, 1 - CDF on a log axis (right), the key in
 * a column of its own at the right, the caption above. */
void plot_emit_cdf(FILE *gp, const struct gp_term *t, const void *arg)
{
	const struct plot_script *s = arg;
	char title[4096];

	/* pixels: margins, two plot areas, the key column */
	const double lm = 85, pw = 480, gap = 125, kgap = 30;
	double kw = (widest_label(s) + 8) * GP_CHAR_PX;
	int w = (int)(lm + 2 * pw + gap + kgap + kw);
	int lines = title_of(s, any_band(s) ? "request latency, CDF and tail "
			     "(mean over replications in its pointwise 95 % "
			     "band)" : "request latency, CDF and tail", w,
			     title, sizeof(title));
	double top = 25 + lines * GP_LINE_PX + 30, bot = 60;
	double keyh = (double)s->n * GP_LINE_PX * 1.2 + 20;
	int h = (int)fmax(top + 440 + bot, top + keyh + bot);

	gp_terminal(gp, t, w, h);
	double median, floor = emit_cdf_data(gp, s, &median);
	fputs("set multiplot title ", gp);
	gp_quote(gp, title);
	fputs("\nset grid\nset logscale x\nset format x '%g'\n"
	      "set xlabel 'latency [ms]'\nunset key\n"
	      "set title 'CDF'\nset ylabel 'fraction of requests <= x'\n"
	      "set yrange [0:1]\nset ytics 0.2\n", gp);
	panel_at(gp, w, h, lm, lm + pw, top, h - bot);
	plot_curves(gp, t, s, 0, 0);
	fputs("\nset title 'tail: 1 - CDF from the median (log scales)'\n"
	      "set ylabel 'fraction of requests > x' offset -2,0\n"
	      "set logscale y\nset format y '%g'\nset ytics auto\n", gp);
	fprintf(gp, "set yrange [%.9g:1]\n", floor);
	/* the tail from the smallest median on */
	if (isfinite(median))
		fprintf(gp, "set xrange [%.9g:*]\n", median);
	panel_at(gp, w, h, lm + pw + gap, lm + 2 * pw + gap, top, h - bot);
	/* where p99 and p99.9 are read */
	if (floor < 0.01)
		fputs("set label 1 'p99' at graph 0.01, first 0.01 offset 0,0.6 "
		      "textcolor rgb 'gray40'\n", gp);
	if (floor < 0.001)
		fputs("set label 2 'p99.9' at graph 0.01, first 0.001 offset "
		      "0,0.6 textcolor rgb 'gray40'\n", gp);
	fprintf(gp, "set key at screen %.5f, screen %.5f left top Left "
		"reverse samplen 3 spacing 1.2\n",
		(lm + 2 * pw + gap + kgap) / w, 1 - top / h);
	plot_curves(gp, t, s, 1, 1);
	fputs(", 0.01 with lines lw 1 dt 3 lc rgb 'gray40' notitle, 0.001 "
	      "with lines lw 1 dt 3 lc rgb 'gray40' notitle\n"
	      "unset multiplot\n", gp);
}

static const char *const kind_names[NKINDS] = {
	"warm", "specialized", "prewarm", "restore", "fork", "cold",
};
/* Series colours of the kinds: warm green, cold vermillion. */
static const size_t kind_colour[NKINDS] = { 2, 0, 5, 3, 4, 1 };

/* A datablock label column: double-quoted, quotes made single. */
static void put_label(FILE *gp, const char *label)
{
	fputc('"', gp);
	for (const char *q = label; *q; q++)
		fputc(*q == '"' || *q == '\n' ? '\'' : *q, gp);
	fputc('"', gp);
}

/* Bars: the start kinds of each run (stacked, or side by side with their
 * 95 % intervals when some run is replicated) above its memory-time; the
 * run names under the lower panel, level when they fit their slot, else at
 * 45 degrees with the margins their length needs; the kinds' key at the
 * right. */
void plot_emit_bars(FILE *gp, const struct gp_term *t, const void *arg)
{
	const struct plot_script *s = arg;
	int ci = any_band(s);
	double slot = ci ? 84 : 48, pw, lm = 95, bot, kw;
	double widest = widest_label(s) * GP_CHAR_PX;
	char title[4096];
	size_t i;

	pw = fmax(560, slot * (double)s->n);
	slot = pw / (double)s->n;
	int level = widest <= slot - 10;
	if (level) {
		bot = GP_LINE_PX + 20;
	} else {	/* 45 degrees, ending at the tic: down and left */
		bot = 0.71 * (widest + GP_LINE_PX) + 25;
		for (i = 0; i < s->n; i++)
			lm = fmax(lm, 0.71 * gp_text_width(s->c[i].label) *
					      GP_CHAR_PX -
					      slot * ((double)i + 0.5) + 15);
	}
	kw = (gp_text_width("specialized") + 10) * GP_CHAR_PX;
	int w = (int)(lm + pw + 30 + kw);
	int lines = title_of(s, ci ? "start kinds and memory-time (mean and "
			     "95 % interval over replications)" :
			     "start kinds and memory-time", w, title,
			     sizeof(title));
	double top = 25 + lines * GP_LINE_PX + 30, h1 = 320, gap = 50,
	       h2 = 220;
	int h = (int)(top + h1 + gap + h2 + bot);

	gp_terminal(gp, t, w, h);
	fputs("$b << EOD\n", gp);
	for (i = 0; i < s->n; i++) {
		const struct curve *c = &s->c[i];
		int band = c->nrep > 0;
		put_label(gp, c->label);
		for (int k = 0; k < NKINDS; k++)
			fprintf(gp, " %.9g %.9g %.9g", c->kind[k],
				band ? c->kind_lo[k] : c->kind[k],
				band ? c->kind_hi[k] : c->kind[k]);
		fprintf(gp, " %.9g %.9g %.9g\n", c->mem_gib_h,
			band ? c->mem_lo : c->mem_gib_h,
			band ? c->mem_hi : c->mem_gib_h);
	}
	/* columns: label, (mean lo hi) of each kind, of memory-time; run i
	 * at x = i, its bars as rectangles (boxxyerror x:y:x0:x1:y0:y1) */
	fputs("EOD\nset multiplot title ", gp);
	gp_quote(gp, title);
	fprintf(gp, "\nset style fill solid 0.85 border rgb 'gray20'\n"
		"set xrange [-0.5:%zu.5]\nset grid ytics\n"
		"set xtics 1 scale 0 format ''\n%s"
		"set title 'start kind of the requests'\n"
		"set ylabel 'fraction of requests'\nset yrange [0:1]\n",
		s->n - 1, "");
	for (i = 0; ci && i + 1 < s->n; i++)	/* between the runs */
		fprintf(gp, "set arrow from %zu.5, graph 0 to %zu.5, graph 1 "
			"nohead lc rgb 'gray70'\n", i, i);
	fprintf(gp, "set key at screen %.5f, screen %.5f left top Left "
		"reverse title 'start kind'\n", (lm + pw + 30) / w, 1 - top / h);
	panel_at(gp, w, h, lm, lm + pw, top, top + h1);
	fputs("plot", gp);
	const double bw = 0.8 / NKINDS;	/* side by side: a kind's width */
	char below[256] = "0";		/* stacked: the kinds below */
	for (int k = 0; k < NKINDS; k++) {
		int m = 3 * k + 2;
		if (ci)
			fprintf(gp, "%s $b using ($0-0.4+%.4f):%d:($0-0.4+%.4f):"
				"($0-0.4+%.4f):(0):%d with boxxyerror", k ? "," : "",
				(k + 0.5) * bw, m, (k + 0.08) * bw,
				(k + 0.92) * bw, m);
		else
			fprintf(gp, "%s $b using 0:(%s+$%d):($0-0.35):($0+0.35):"
				"(%s):(%s+$%d) with boxxyerror", k ? "," : "",
				below, m, below, below, m);
		fprintf(gp, " lc rgb '%s' title ", gp_colour(kind_colour[k]));
		gp_quote(gp, kind_names[k]);
		if (ci)		/* the interval: an I-beam */
			fprintf(gp, ", $b using ($0-0.4+%.4f):%d:(0):($%d-$%d) "
				"with vectors heads size screen 0.004,90 lc "
				"rgb 'black' notitle", (k + 0.5) * bw, m + 1,
				m + 2, m + 1);
		snprintf(below + strlen(below), sizeof(below) - strlen(below),
			 "+$%d", m);
	}
	int mcol = 3 * NKINDS + 2;
	fprintf(gp, "\nunset key\nunset arrow\nset title 'memory-time'\n"
		"set ylabel 'memory [GiB h]'\nset yrange [0:*]\n"
		"set xtics scale 0 format '%%g' %s\n",
		level ? "norotate" : "rotate by 45 right");
	panel_at(gp, w, h, lm, lm + pw, top + h1 + gap, top + h1 + gap + h2);
	fprintf(gp, "plot $b using 0:%d:(0.6):xtic(1) with boxes lc rgb "
		"'#8c8c8c'", mcol);
	if (ci)
		fprintf(gp, ", $b using 0:%d:(0):($%d-$%d) with vectors heads "
			"size screen 0.006,90 lc rgb 'black'", mcol + 1,
			mcol + 2, mcol + 1);
	fputs("\nunset multiplot\n", gp);
}
