/* errfmt.c - "file:line:col: key: problem" (base/errfmt.h). */
#include <stdio.h>
#include "base/errfmt.h"

void errfmt(char *buf, size_t n, const char *src, size_t line, size_t col,
	    const char *key, const char *problem)
{
	char at[48] = "";

	if (!n)
		return;
	if (line && col)
		snprintf(at, sizeof(at), ":%zu:%zu", line, col);
	else if (line)
		snprintf(at, sizeof(at), ":%zu", line);
	snprintf(buf, n, "%s%s: %s%s%s", src, at, key ? key : "",
		 key ? ": " : "", problem);
	for (char *s = buf; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

void errfmt_v(char *buf, size_t n, const char *src, size_t line, size_t col,
	      const char *key, const char *fmt, va_list ap)
{
	char problem[1024];

	vsnprintf(problem, sizeof(problem), fmt, ap);
	errfmt(buf, n, src, line, col, key, problem);
}

void errfmt_f(char *buf, size_t n, const char *src, size_t line, size_t col,
	      const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errfmt_v(buf, n, src, line, col, key, fmt, ap);
	va_end(ap);
}
