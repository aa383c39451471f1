/* gnuplot.h - drawing figures through a gnuplot pipe, shared by `vmspec
 * plot`, `validate`, `sensitivity` and `tune`: the checks (gnuplot on
 * PATH, no stale output taken for success), the formats (PNG through
 * pngcairo, else png; PDF through pdfcairo; SVG), one pass of the script
 * per format, the series styles every figure uses (a colour-blind-safe
 * palette crossed with dash and point types) and the script writer's
 * quoting. */
#ifndef VMSPEC_GNUPLOT_H
#define VMSPEC_GNUPLOT_H

#include <stddef.h>
#include <stdio.h>

/* Output formats, a mask. GP_VECTOR: a PDF, or an SVG when gnuplot lacks
 * the pdfcairo terminal. */
#define GP_PNG 0x1u
#define GP_PDF 0x2u
#define GP_SVG 0x4u
#define GP_VECTOR 0x8u
#define GP_ALL (GP_PNG | GP_PDF | GP_SVG)
/* The help text of --format, for the commands' usage. */
#define GP_FORMAT_HELP \
"  --format F        png, pdf, svg or all, or a comma list (png,svg); the\n" \
"                    default: PNG and PDF (SVG when gnuplot lacks\n" \
"                    pdfcairo), or only PDF/SVG when -o ends in .pdf/.svg\n"

/* One pass of a script: the terminal and the file it writes. */
struct gp_term {
	const char *name;	/* "pngcairo", "png", "pdfcairo" or "svg" */
	const char *out;	/* the file of this pass */
	int cairo;		/* translucent fills and dash types work */
	int vector;		/* PDF or SVG */
};

/* Writes the whole script for (t); starts with gp_terminal(). */
typedef void (*gp_emit_fn)(FILE *gp, const struct gp_term *t,
			   const void *arg);

/* "set terminal ... size; set output" for a canvas of (w_px, h_px) pixels
 * and the house font (GP_FONT_PT as pngcairo draws it): PDF at 100 pixels
 * an inch, its font and lines the same share of the canvas as in the PNG,
 * SVG alike, so one script lays out alike in every format. */
#define GP_FONT_PT 12
/* Sizes of that font on the canvas, in pixels: an average character's
 * width and a line's height (for margins computed from labels). */
#define GP_CHAR_PX 9.3
#define GP_LINE_PX 19
void gp_terminal(FILE *gp, const struct gp_term *t, int w_px, int h_px);

/* Parse (s) ("png", "pdf", "svg", "all" or a comma list of them) into
 * (*mask). 0, or -1 when a word is none of them. */
int gp_format_parse(const char *s, unsigned *mask);
/* The default formats for output (out): GP_PDF or GP_SVG when it ends in
 * .pdf or .svg, else GP_PNG | GP_VECTOR. */
unsigned gp_format_default(const char *out);

/* Draw (out) with (emit) once per format of (formats): the PNG to (out)
 * itself unless it ends in .pdf or .svg, the others to (out) with its .png
 * (if any) replaced by .pdf or .svg. Each file written is printed, one a
 * line, on (paths) unless it is NULL. 0, or 1 after a one-line message
 * prefixed by (who) ("vmspec plot") on stderr. */
int gp_draw(const char *who, const char *out, unsigned formats,
	    gp_emit_fn emit, const void *arg, FILE *paths);

/* (s) as a gnuplot single-quoted string (quotes doubled, \r made spaces);
 * a '\n' in (s) starts a new line of a title or label (the string becomes
 * an expression 'a' . "\n" . 'b'). */
void gp_quote(FILE *gp, const char *s);

/* ---- series styles ---- */

/* Distinct (colour, dash type, point type) for series 0..GP_NSTYLES-1;
 * later series repeat them. Colours are Okabe and Ito's colour-blind-safe
 * set without its yellow (too pale on white); the first 7 series are solid
 * lines with filled points, the next 7 dashed with open points, and so on,
 * each point shape differing from the series 7 before it. */
#define GP_NCOLOURS 7
#define GP_NSTYLES 28
const char *gp_colour(size_t i);	/* "#rrggbb" of series (i) */
int gp_dash(size_t i);			/* gnuplot dash type 1..4 */
int gp_point(size_t i);			/* gnuplot point type */
/* The style of series (i) for a plot element: (what) GP_LINE " lc rgb
 * '#rrggbb' dt D" (with lines), GP_POINT " lc rgb '#rrggbb' pt P" (with
 * points) or both (with linespoints). */
#define GP_LINE 0x1u
#define GP_POINT 0x2u
void gp_style(FILE *gp, size_t i, unsigned what);

/* Rough width of (s) in characters of the font, for margins and key
 * columns (a wide letter counts more). */
double gp_text_width(const char *s);

#endif
