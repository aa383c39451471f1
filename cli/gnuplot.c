/* gnuplot.c - the gnuplot pipe of cli/gnuplot.h. */
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
		else if (*s == '\n' || *s == '\r')
			fputc(' ', gp);
		else
			fputc(*s, gp);
	}
	fputc('\'', gp);
}

/* Run gnuplot on what (emit) writes (NULL: only probe pngcairo); its exit
 * status, or -1 when it could not be started. SIGPIPE is ignored meanwhile
 * so that a gnuplot that dies early gives a status, not a killed vmspec;
 * its stdout goes to /dev/null (after a failed `set output` gnuplot would
 * write the image there). */
static int run(int quiet, gp_emit_fn emit, const char *terminal,
	       const void *arg)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	FILE *gp = popen(quiet ? "gnuplot >/dev/null 2>&1" : "gnuplot >/dev/null",
			 "w");
	if (!gp) {
		sigaction(SIGPIPE, &old, NULL);
		return -1;
	}
	if (emit)
		emit(gp, terminal, arg);
	else
		fputs("set terminal pngcairo\n", gp);
	int st = pclose(gp);
	sigaction(SIGPIPE, &old, NULL);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int gp_draw(const char *who, const char *png, gp_emit_fn emit,
	    const void *arg)
{
	struct stat sb;
	if (!on_path("gnuplot")) {
		fprintf(stderr, "%s: gnuplot not found: apt-get install "
			"gnuplot-nox\n", who);
		return 1;
	}
	/* so that a PNG left by an earlier run is never taken for success */
	if (unlink(png) < 0 && errno != ENOENT) {
		fprintf(stderr, "%s: %s: %s\n", who, png, strerror(errno));
		return 1;
	}
	const char *terminal = run(1, NULL, NULL, NULL) == 0 ? "pngcairo"
							      : "png";
	int st = run(0, emit, terminal, arg);
	if (st == 127 || st < 0) {
		fprintf(stderr, "%s: cannot run gnuplot: apt-get install "
			"gnuplot-nox\n", who);
		return 1;
	}
	if (st != 0 || stat(png, &sb) < 0 || sb.st_size == 0) {
		fprintf(stderr, "%s: gnuplot failed (exit status %d) writing "
			"%s\n", who, st, png);
		return 1;
	}
	return 0;
}
