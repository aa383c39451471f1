/* gnuplot.c - the gnuplot pipe, formats and series styles of
 * cli/gnuplot.h. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "cli/gnuplot.h"

/* Whether an executable (name) is on PATH. */
static int on_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char buf[4096];

	if (!path)
		path = "/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		size_t len = (size_t)(end - p);
		if (len == 0)
			len = 1, p = ".";
		if (len + strlen(name) + 2 <= sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, name);
			if (access(buf, X_OK) == 0)
				return 1;
		}
		if (!*end)
			return 0;
	}
}

void gp_quote(FILE *gp, const char *s)
{
	fputc('\'', gp);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", gp);
		else if (*s == '\n')
			fputs("' . \"\\n\" . '", gp);
		else if (*s == '\r')
			fputc(' ', gp);
		else
			fputc(*s, gp);
	}
	fputc('\'', gp);
}

/* ---- series styles ---- */

/* Okabe & Ito (2008), "Color Universal Design", without the yellow; the
 * order puts the most distinct first. */
static const char *const colours[GP_NCOLOURS] = {
	"#0072B2",	/* blue */
	"#D55E00",	/* vermillion */
	"#009E73",	/* bluish green */
	"#CC79A7",	/* reddish purple */
	"#E69F00",	/* orange */
	"#56B4E9",	/* sky blue */
	"#000000",	/* black */
};

/* Filled shapes, then open ones, so that series (i) and (i + 7), which
 * share a colour, differ in shape and fill as well as in dash type. */
static const int points[2 * GP_NCOLOURS] = {
	7, 5, 9, 11, 13, 15, 3,		/* filled circle ... star */
	4, 8, 10, 12, 14, 6, 2,		/* open square ... cross */
};

const char *gp_colour(size_t i)
{
	return colours[i % GP_NCOLOURS];
}

int gp_dash(size_t i)
{
	return (int)((i % GP_NSTYLES) / GP_NCOLOURS) + 1;
}

int gp_point(size_t i)
{
	return points[i % (2 * GP_NCOLOURS)];
}

void gp_style(FILE *gp, size_t i, unsigned what)
{
	fprintf(gp, " lc rgb '%s'", gp_colour(i));
	if (what & GP_LINE)
		fprintf(gp, " dt %d", gp_dash(i));
	if (what & GP_POINT)
		fprintf(gp, " pt %d", gp_point(i));
}

double gp_text_width(const char *s)
{
	double w = 0;

	/* within 5 % of pngcairo's Sans at GP_FONT_PT on mixed text */
	for (; *s; s++) {
		if (strchr(" .,:;'|!()[]ijlft", *s))
			w += 0.5;
		else if (strchr("mwMW@%", *s))
			w += 1.6;
		else if (*s >= 'A' && *s <= 'Z')
			w += 1.25;
		else
			w += 1;
	}
	return w;
}

/* ---- terminals and formats ---- */

void gp_terminal(FILE *gp, const struct gp_term *t, int w_px, int h_px)
{
	/* pngcairo draws a point as 4/3 pixels (96 dpi); a PDF inch is
	 * 100 canvas pixels, 72 points; its lines 0.5 pt a width unit */
	if (!strcmp(t->name, "pdfcairo"))
		fprintf(gp, "set terminal pdfcairo noenhanced size %.2fin,%.2fin "
			"font 'Sans,%.1f' fontscale 1 linewidth 1.4\n",
			w_px / 100.0, h_px / 100.0, GP_FONT_PT * 0.96);
	else if (!strcmp(t->name, "svg"))
		fprintf(gp, "set terminal svg noenhanced size %d,%d font "
			"'Sans,%.1f' background '#ffffff'\n", w_px, h_px,
			GP_FONT_PT * 4.0 / 3);
	else if (!strcmp(t->name, "pngcairo"))
		fprintf(gp, "set terminal pngcairo noenhanced size %d,%d font "
			"'Sans,%d'\n", w_px, h_px, GP_FONT_PT);
	else
		fprintf(gp, "set terminal %s noenhanced size %d,%d\n", t->name,
			w_px, h_px);
	fputs("set output ", gp);
	gp_quote(gp, t->out);
	fputc('\n', gp);
}

int gp_format_parse(const char *s, unsigned *mask)
{
	static const struct {
		const char *name;
		unsigned bits;
	} words[] = {
		{ "png", GP_PNG }, { "pdf", GP_PDF }, { "svg", GP_SVG },
		{ "all", GP_ALL },
	};

	*mask = 0;
	while (*s) {
		size_t len = strcspn(s, ","), k;
		for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
			if (strlen(words[k].name) == len &&
			    !strncmp(s, words[k].name, len))
				break;
		if (k == sizeof(words) / sizeof(words[0]))
			return -1;
		*mask |= words[k].bits;
		s += len;
		if (*s == ',' && *++s == '\0')
			return -1;
	}
	return *mask ? 0 : -1;
}

/* Whether (path) ends in (ext) (".pdf"). */
static int ends_in(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);
	return n > e && !strcmp(path + n - e, ext);
}

unsigned gp_format_default(const char *out)
{
	if (ends_in(out, ".pdf"))
		return GP_PDF;
	if (ends_in(out, ".svg"))
		return GP_SVG;
	return GP_PNG | GP_VECTOR;
}

/* Run gnuplot on what (emit) writes for (t), or (NULL emit) only probe the
 * terminal (t->name); its messages dropped when (quiet) (a probe, or a pass
 * after the first: the same script's warnings again). Its exit status, or
 * -1 when it could not be started.
 * SIGPIPE is ignored meanwhile so that a gnuplot that dies early gives a
 * status, not a killed vmspec; its stdout goes to /dev/null (after a failed
 * `set output` gnuplot would write the image there). */
static int run(gp_emit_fn emit, const struct gp_term *t, const void *arg,
	       int quiet)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	FILE *gp = popen(quiet ? "gnuplot >/dev/null 2>&1" :
			 "gnuplot >/dev/null", "w");
	if (!gp) {
		sigaction(SIGPIPE, &old, NULL);
		return -1;
	}
	if (emit)
		emit(gp, t, arg);
	else
		fprintf(gp, "set terminal %s\n", t->name);
	int st = pclose(gp);
	sigaction(SIGPIPE, &old, NULL);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int has_terminal(const char *name)
{
	struct gp_term t = { .name = name };
	return run(NULL, &t, NULL, 1) == 0;
}

/* (out) without a trailing .png, .pdf or .svg, then (ext). */
static char *with_ext(const char *out, const char *ext)
{
	size_t n = strlen(out);
	char *p = malloc(n + strlen(ext) + 1);

	if (!p)
		return NULL;
	if (ends_in(out, ".png") || ends_in(out, ".pdf") || ends_in(out, ".svg"))
		n -= 4;
	memcpy(p, out, n);
	strcpy(p + n, ext);
	return p;
}

int gp_draw(const char *who, const char *out, unsigned formats,
	    gp_emit_fn emit, const void *arg, FILE *paths)
{
	static const struct {
		unsigned bit;
		const char *ext, *term, *fallback;
	} fmt[] = {
		{ GP_PNG, ".png", "pngcairo", "png" },
		{ GP_PDF, ".pdf", "pdfcairo", NULL },
		{ GP_SVG, ".svg", "svg", NULL },
	};
	enum { NFMT = sizeof(fmt) / sizeof(fmt[0]) };
	struct gp_term t[NFMT];
	char *file[NFMT] = { NULL };
	struct stat sb;
	int rc = 1;

	if (!on_path("gnuplot")) {
		fprintf(stderr, "%s: gnuplot not found: apt-get install "
			"gnuplot-nox\n", who);
		return 1;
	}
	if (formats & GP_VECTOR)
		formats = (formats & ~GP_VECTOR) |
			  (has_terminal("pdfcairo") ? GP_PDF : GP_SVG);
	for (size_t k = 0; k < NFMT; k++) {
		if (!(formats & fmt[k].bit))
			continue;
		t[k] = (struct gp_term){ .name = fmt[k].term, .cairo = 1,
					 .vector = fmt[k].bit != GP_PNG };
		if (!has_terminal(fmt[k].term)) {
			if (!fmt[k].fallback) {
				fprintf(stderr, "%s: this gnuplot has no %s "
					"terminal: pick another --format\n",
					who, fmt[k].term);
				goto out;
			}
			t[k].name = fmt[k].fallback;
			t[k].cairo = 0;
		}
		file[k] = k == 0 && !ends_in(out, ".pdf") && !ends_in(out, ".svg")
			  ? strdup(out) : with_ext(out, fmt[k].ext);
		if (!file[k]) {
			fprintf(stderr, "%s: out of memory\n", who);
			goto out;
		}
		t[k].out = file[k];
		/* so that a file left by an earlier run is never taken for
		 * success */
		if (unlink(file[k]) < 0 && errno != ENOENT) {
			fprintf(stderr, "%s: %s: %s\n", who, file[k],
				strerror(errno));
			goto out;
		}
	}
	for (size_t k = 0, passes = 0; k < NFMT; k++) {
		if (!file[k])
			continue;
		int st = run(emit, &t[k], arg, passes++ > 0);
		if (st == 127 || st < 0) {
			fprintf(stderr, "%s: cannot run gnuplot: apt-get install "
				"gnuplot-nox\n", who);
			goto out;
		}
		if (st != 0 || stat(file[k], &sb) < 0 || sb.st_size == 0) {
			fprintf(stderr, "%s: gnuplot failed (exit status %d) "
				"writing %s\n", who, st, file[k]);
			goto out;
		}
	}
	for (size_t k = 0; paths && k < NFMT; k++)
		if (file[k])
			fprintf(paths, "%s\n", file[k]);
	rc = 0;
out:
	for (size_t k = 0; k < NFMT; k++)
		free(file[k]);
	return rc;
}
