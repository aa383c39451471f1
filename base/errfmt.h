/* errfmt.h - the one format of every message about a user's file:
 * "file:line:col: key: problem", on one line. Written by the config loader
 * (exp/cfg_*.c), the sweep loader (exp/sweep_load.c) and the trace readers
 * (workloads/csv.c), so that all three point at a mistake alike. */
#ifndef VMSPEC_ERRFMT_H
#define VMSPEC_ERRFMT_H

#include <stdarg.h>
#include <stddef.h>

/* The message about (src) into (buf, n), cut like snprintf:
 *	"src:line:col: key: problem"	(line) and (col) known
 *	"src:line: key: problem"	(col) 0
 *	"src: key: problem"		(line) 0
 * Positions are 1-based; 0 means unknown. (key) NULL leaves out "key: ".
 * Newlines, carriage returns and tabs become spaces, so the message is one
 * line whatever the input held. */
void errfmt(char *buf, size_t n, const char *src, size_t line, size_t col,
	    const char *key, const char *problem);
/* The same with the problem formatted from (fmt). */
void errfmt_f(char *buf, size_t n, const char *src, size_t line, size_t col,
	      const char *key, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void errfmt_v(char *buf, size_t n, const char *src, size_t line, size_t col,
	      const char *key, const char *fmt, va_list ap)
	__attribute__((format(printf, 7, 0)));

#endif
