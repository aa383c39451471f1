/* gnuplot.h - drawing a PNG through a gnuplot pipe, shared by `vmspec
 * plot` and `vmspec validate`: the checks (gnuplot on PATH, no stale
 * output taken for success), the terminal (pngcairo, else png) and the
 * script writer's quoting. */
#ifndef VMSPEC_GNUPLOT_H
#define VMSPEC_GNUPLOT_H

#include <stdio.h>

/* Writes the whole script for (terminal) ("pngcairo" or "png"). */
typedef void (*gp_emit_fn)(FILE *gp, const char *terminal, const void *arg);

/* Draw (png) with (emit). 0, or 1 after a one-line message prefixed by
 * (who) ("vmspec plot") on stderr. */
int gp_draw(const char *who, const char *png, gp_emit_fn emit,
	    const void *arg);
/* (s) as a gnuplot single-quoted string (quotes doubled, no newlines). */
void gp_quote(FILE *gp, const char *s);

#endif
