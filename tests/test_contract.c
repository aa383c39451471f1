/* test_contract.c - the policy contract checked mechanically: every .c and
 * .h file under policies/ (found from $SRCDIR, else ".") may include only
 * the contract headers and may call no clock, randomness source, file,
 * stdio, environment or exit function. Policies act through the platform
 * handle they are given (base/platform.h); that is what lets one policy run
 * in the simulator and on KVM, and what this program enforces.
 *
 * Includes allowed (anything else, or a computed #include, is a violation):
 *   <stdint.h> <stddef.h> <stdbool.h> <limits.h> <errno.h> <string.h>
 *   <math.h>, and <stdlib.h> for malloc/calloc/realloc/free, qsort,
 *   bsearch, abs (its other functions are in the call list below);
 *   "base/platform.h"  the platform: time, randomness, timers, actions
 *   "policies/..."     the policies' own headers (strategy.h, vmpool.h,
 *                      rtpool.h, cache/cache.h, cache/policy.h, ...)
 *   "config/config.h"  parameters, read-only plain data
 *   "base/util.h"      xmalloc family, xabort, textbuf_put, fnv1a64 (its
 *                      clock, file and host functions are in the list)
 *   "base/dist.h"      distributions (dist_mean; dist_sample draws only
 *                      from a stream it is given, i.e. plat_rng's)
 *   "base/results.h"   struct res_metric and res_metric_put only (every
 *                      other res_ function, the HDF5 writer and reader,
 *                      is forbidden)
 * Calls forbidden (an identifier followed by "(", not after "." or "->"):
 *   clocks: time clock clock_gettime gettimeofday timespec_get times
 *     difftime mktime localtime localtime_r gmtime gmtime_r ctime asctime
 *     strftime sleep usleep nanosleep wall_seconds iso_time_now;
 *   randomness not from the platform: rand rand_r srand random srandom
 *     drand48 erand48 lrand48 nrand48 mrand48 jrand48 srand48 seed48
 *     arc4random getrandom getentropy, gsl_rng_alloc gsl_rng_set
 *     gsl_rng_clone gsl_rng_free gsl_rng_env_setup, any rng_ function;
 *   files and stdio: fopen fdopen freopen fclose fflush fread fwrite fgets
 *     fgetc getc getchar gets fputs fputc putc putchar puts printf
 *     fprintf vprintf vfprintf dprintf sprintf snprintf vsprintf vsnprintf
 *     scanf fscanf sscanf perror remove rename tmpfile tmpnam setvbuf
 *     fseek ftell rewind open openat creat read write pread pwrite close
 *     lseek stat fstat lstat access unlink mkdir rmdir opendir readdir
 *     closedir mmap munmap ioctl dup dup2 pipe popen pclose mkdir_p
 *     mkdir_parent host_describe, any res_ function but res_metric_put;
 *   environment, processes, exit: getenv secure_getenv setenv putenv
 *     unsetenv system exit _exit _Exit abort atexit at_quick_exit
 *     quick_exit raise signal kill getpid fork execl execlp execle execv
 *     execvp execve, any pthread_ function;
 * and the objects stdin stdout stderr environ, anywhere.
 * Comments, string and character literals are skipped, line continuations
 * joined; a table of snippets checks these rules before the tree is. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tests/cu.h"

static const char *const ok_system[] = {
	"stdint.h", "stddef.h", "stdbool.h", "limits.h", "errno.h",
	"string.h", "math.h", "stdlib.h", NULL,
};

static const char *const ok_project[] = {
	"base/platform.h", "config/config.h", "base/util.h", "base/dist.h",
	"base/results.h", NULL,
};

struct rule {
	const char *name;
	const char *what;
};

static const struct rule bad_calls[] = {
	{ "time", "a clock" }, { "clock", "a clock" },
	{ "clock_gettime", "a clock" }, { "gettimeofday", "a clock" },
	{ "timespec_get", "a clock" }, { "times", "a clock" },
	{ "difftime", "a clock" }, { "mktime", "a clock" },
	{ "localtime", "a clock" }, { "localtime_r", "a clock" },
	{ "gmtime", "a clock" }, { "gmtime_r", "a clock" },
	{ "ctime", "a clock" }, { "asctime", "a clock" },
	{ "strftime", "a clock" }, { "sleep", "a clock" },
	{ "usleep", "a clock" }, { "nanosleep", "a clock" },
	{ "wall_seconds", "a clock" }, { "iso_time_now", "a clock" },
	{ "rand", "randomness" }, { "rand_r", "randomness" },
	{ "srand", "randomness" }, { "random", "randomness" },
	{ "srandom", "randomness" }, { "drand48", "randomness" },
	{ "erand48", "randomness" }, { "lrand48", "randomness" },
	{ "nrand48", "randomness" }, { "mrand48", "randomness" },
	{ "jrand48", "randomness" }, { "srand48", "randomness" },
	{ "seed48", "randomness" }, { "arc4random", "randomness" },
	{ "getrandom", "randomness" }, { "getentropy", "randomness" },
	{ "gsl_rng_alloc", "randomness" }, { "gsl_rng_set", "randomness" },
	{ "gsl_rng_clone", "randomness" }, { "gsl_rng_free", "randomness" },
	{ "gsl_rng_env_setup", "randomness" },
	{ "fopen", "a file" }, { "fdopen", "a file" }, { "freopen", "a file" },
	{ "fclose", "a file" }, { "fflush", "a file" }, { "fread", "a file" },
	{ "fwrite", "a file" }, { "fgets", "a file" }, { "fgetc", "a file" },
	{ "getc", "a file" }, { "getchar", "a file" }, { "gets", "a file" },
	{ "fputs", "a file" }, { "fputc", "a file" }, { "putc", "a file" },
	{ "putchar", "a file" }, { "puts", "stdio" }, { "printf", "stdio" },
	{ "fprintf", "stdio" }, { "vprintf", "stdio" },
	{ "vfprintf", "stdio" }, { "dprintf", "stdio" },
	{ "sprintf", "stdio" }, { "snprintf", "stdio" },
	{ "vsprintf", "stdio" }, { "vsnprintf", "stdio" },
	{ "scanf", "stdio" }, { "fscanf", "stdio" }, { "sscanf", "stdio" },
	{ "perror", "stdio" }, { "remove", "a file" }, { "rename", "a file" },
	{ "tmpfile", "a file" }, { "tmpnam", "a file" },
	{ "setvbuf", "a file" }, { "fseek", "a file" }, { "ftell", "a file" },
	{ "rewind", "a file" }, { "open", "a file" }, { "openat", "a file" },
	{ "creat", "a file" }, { "read", "a file" }, { "write", "a file" },
	{ "pread", "a file" }, { "pwrite", "a file" }, { "close", "a file" },
	{ "lseek", "a file" }, { "stat", "a file" }, { "fstat", "a file" },
	{ "lstat", "a file" }, { "access", "a file" }, { "unlink", "a file" },
	{ "mkdir", "a file" }, { "rmdir", "a file" }, { "opendir", "a file" },
	{ "readdir", "a file" }, { "closedir", "a file" },
	{ "mmap", "a file" }, { "munmap", "a file" }, { "ioctl", "a file" },
	{ "dup", "a file" }, { "dup2", "a file" }, { "pipe", "a file" },
	{ "popen", "a file" }, { "pclose", "a file" },
	{ "mkdir_p", "a file" }, { "mkdir_parent", "a file" },
	{ "host_describe", "a file" },
	{ "getenv", "the environment" }, { "secure_getenv", "the environment" },
	{ "setenv", "the environment" }, { "putenv", "the environment" },
	{ "unsetenv", "the environment" }, { "system", "a process" },
	{ "exit", "exit" }, { "_exit", "exit" }, { "_Exit", "exit" },
	{ "abort", "abort (use xabort)" }, { "atexit", "exit" },
	{ "at_quick_exit", "exit" }, { "quick_exit", "exit" },
	{ "raise", "a signal" }, { "signal", "a signal" },
	{ "kill", "a signal" }, { "getpid", "a process" },
	{ "fork", "a process" }, { "execl", "a process" },
	{ "execlp", "a process" }, { "execle", "a process" },
	{ "execv", "a process" }, { "execvp", "a process" },
	{ "execve", "a process" },
	{ NULL, NULL },
};

/* Forbidden by prefix: (prefix, allowed exception or NULL, what). */
static const struct {
	const char *prefix, *except, *what;
} bad_prefixes[] = {
	{ "rng_", NULL, "randomness (base/rng.h)" },
	{ "res_", "res_metric_put", "the results file" },
	{ "pthread_", NULL, "threads" },
};

static const char *const bad_objects[] = {
	"stdin", "stdout", "stderr", "environ", NULL,
};

static int in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return 1;
	return 0;
}

/* Where violations go: printed with (file), counted. */
struct checker {
	const char *file;
	int n;
	int quiet;
};

static void violation(struct checker *ck, int line, const char *fmt,
		      const char *arg, const char *why)
{
	ck->n++;
	if (ck->quiet)
		return;
	fprintf(stderr, "%s:%d: ", ck->file, line);
	fprintf(stderr, fmt, arg, why);
	fputc('\n', stderr);
}

static void check_include(struct checker *ck, int line, char open,
			  const char *h)
{
	if (open == '<' && in_list(ok_system, h))
		return;
	if (open == '"' && (in_list(ok_project, h) ||
			    !strncmp(h, "policies/", 9)))
		return;
	char name[160];

	snprintf(name, sizeof(name), "%c%s%c", open, h, open == '<' ? '>' : '"');
	violation(ck, line, "includes %s (%s)", name,
		  "not a contract header: see tests/test_contract.c");
}

static void check_call(struct checker *ck, int line, const char *id)
{
	for (int i = 0; bad_calls[i].name; i++)
		if (!strcmp(bad_calls[i].name, id)) {
			violation(ck, line, "calls %s() (%s)", id,
				  bad_calls[i].what);
			return;
		}
	for (size_t i = 0; i < sizeof(bad_prefixes) / sizeof(*bad_prefixes);
	     i++) {
		const char *pre = bad_prefixes[i].prefix;

		if (!strncmp(id, pre, strlen(pre)) &&
		    !(bad_prefixes[i].except &&
		      !strcmp(id, bad_prefixes[i].except))) {
			violation(ck, line, "calls %s() (%s)", id,
				  bad_prefixes[i].what);
			return;
		}
	}
}

static int ident_char(int c)
{
	return isalnum(c) || c == '_';
}

/* Skip a string or character literal starting at s[i] (the quote);
 * returns the index after it, counting newlines of continuations. */
static size_t skip_literal(const char *s, size_t n, size_t i, int *line)
{
	char q = s[i++];

	while (i < n && s[i] != q && s[i] != '\n') {
		if (s[i] == '\\' && i + 1 < n) {
			if (s[i + 1] == '\n')
				(*line)++;
			i++;
		}
		i++;
	}
	return i < n && s[i] == q ? i + 1 : i;
}

/* Check (n) bytes of C source (s); returns the number of violations. */
static int check_source(struct checker *ck, const char *s, size_t n)
{
	char id[128];
	int line = 1, bol = 1, member = 0;
	int pending = 0, pending_line = 0;	/* an identifier awaiting "(" */
	size_t i = 0;

	ck->n = 0;
	while (i < n) {
		char c = s[i];

		if (c == '\\' && i + 1 < n && s[i + 1] == '\n') {
			i += 2;
			line++;
			continue;
		}
		if (c == '\n') {
			line++;
			bol = 1;
			i++;
			continue;
		}
		if (isspace((unsigned char)c)) {
			i++;
			continue;
		}
		if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			for (i += 2; i < n && !(s[i] == '*' && i + 1 < n &&
						s[i + 1] == '/'); i++)
				line += s[i] == '\n';
			i += 2;
			continue;
		}
		if (c == '/' && i + 1 < n && s[i + 1] == '/') {
			while (i < n && s[i] != '\n')
				i++;
			continue;
		}
		if (c == '"' || c == '\'') {
			i = skip_literal(s, n, i, &line);
			pending = member = bol = 0;
			continue;
		}
		if (c == '#' && bol) {
			size_t j = i + 1, k = 0;

			while (j < n && (s[j] == ' ' || s[j] == '\t'))
				j++;
			while (j < n && ident_char((unsigned char)s[j]) &&
			       k + 1 < sizeof(id))
				id[k++] = s[j++];
			id[k] = 0;
			bol = pending = member = 0;
			if (strcmp(id, "include")) {
				i = j;	/* other directives: lex the rest */
				continue;
			}
			while (j < n && (s[j] == ' ' || s[j] == '\t'))
				j++;
			if (j < n && (s[j] == '<' || s[j] == '"')) {
				char open = s[j], close = open == '<' ? '>' :
							     '"';

				k = 0;
				for (j++; j < n && s[j] != close &&
				     s[j] != '\n' && k + 1 < sizeof(id); j++)
					id[k++] = s[j];
				id[k] = 0;
				check_include(ck, line, open, id);
				i = j < n && s[j] == close ? j + 1 : j;
			} else {
				violation(ck, line, "%s (%s)",
					  "computed #include",
					  "cannot be checked");
				i = j;
			}
			continue;
		}
		bol = 0;
		if (isalpha((unsigned char)c) || c == '_') {
			size_t k = 0;

			while (i < n && ident_char((unsigned char)s[i])) {
				if (k + 1 < sizeof(id))
					id[k++] = s[i];
				i++;
			}
			id[k] = 0;
			pending = !member;
			pending_line = line;
			if (!member && in_list(bad_objects, id))
				violation(ck, line, "uses %s (%s)", id,
					  "stdio / the environment");
			member = 0;
			continue;
		}
		if (isdigit((unsigned char)c) ||
		    (c == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
			/* a pp-number, exponents with their sign */
			while (i < n && (ident_char((unsigned char)s[i]) ||
					 s[i] == '.' ||
					 ((s[i] == '+' || s[i] == '-') &&
					  strchr("eEpP", s[i - 1]))))
				i++;
			pending = member = 0;
			continue;
		}
		if (c == '(' && pending)
			check_call(ck, pending_line, id);
		pending = 0;
		member = c == '.' || (c == '-' && i + 1 < n && s[i + 1] == '>');
		i += c == '-' && member ? 2 : 1;
	}
	return ck->n;
}

/* ---- the rules on snippets */

static const struct {
	const char *src;
	int want;
} cases[] = {
	{ "#include <stdio.h>\n", 1 },
	{ "#include <stdint.h>\n  #  include <math.h>\n"
	  "#include \"policies/cache/policy.h\"\n#include \"base/platform.h\"\n"
	  "#include \"config/config.h\"\n#include \"base/util.h\"\n", 0 },
	{ "#include \"base/rng.h\"\n#include <time.h>\n#include <gsl/gsl_rng.h>\n",
	  3 },
	{ "#include CONFIG_H\n", 1 },
	{ "/* #include <stdio.h>\n   time(NULL) */\n// rand();\n"
	  "static const char *s = \"time(NULL) #include <stdio.h> */\";\n"
	  "static const char q = '\"'; static int z = sizeof(\"//\");\n", 0 },
	{ "int f(void) { return (int)time(NULL); }\n", 1 },
	{ "int f(void) { return (int)time /* now */ (0) + rand(); }\n", 2 },
	{ "void f(struct platform *p) { p->ops->read(p); x.write(1); "
	  "g(p)->time(0); }\n", 0 },
	{ "void g(void) { exit(1); abort(); xabort(\"bug\"); }\n", 2 },
	{ "void g(void) { fprintf(stderr, \"x\"); }\n", 2 },
	{ "char c = '\\''; int t = time (0);\n", 1 },
	{ "#define NOW time\\\n(0)\n", 1 },
	{ "void m(void) { res_metric_put(m, &n, cap, \"a\", 1, \"c\"); "
	  "res_run_end(r, 0, 0); rng_stream_new(1, 2); }\n", 2 },
	{ "int timer(int); int y = timer(1) + plat_now(p) + clocks(2) + "
	  "read_ns(3);\nstruct t { int (*read)(int); } v = { .read = 0 };\n",
	  0 },
	{ "double d = .5e-3 + 1e+5; int k = getenv(\"HOME\") != 0;\n", 1 },
	{ "static void t(void) { struct timespec ts; "
	  "clock_gettime(CLOCK_MONOTONIC, &ts); }\n", 1 },
};

static void test_rules(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct checker ck = { "snippet", 0, 1 };
		int got = check_source(&ck, cases[i].src,
				       strlen(cases[i].src));

		if (got != cases[i].want)
			fprintf(stderr, "\ncase %zu: %d violations, want %d:\n%s",
				i, got, cases[i].want, cases[i].src);
		CU_ASSERT(got == cases[i].want);
	}
}

/* ---- the tree */

struct paths {
	char **p;
	size_t n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *dir, struct paths *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[1024];
		struct stat st;
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path, out);
		} else if (len > 2 && de->d_name[len - 2] == '.' &&
			   (de->d_name[len - 1] == 'c' ||
			    de->d_name[len - 1] == 'h')) {
			out->p = realloc(out->p, (out->n + 1) * sizeof(char *));
			out->p[out->n++] = strdup(path);
		}
	}
	closedir(d);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;

	*n = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*n + 4096 > cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
		}
		size_t got = fread(buf + *n, 1, cap - *n, f);
		*n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	return buf;
}

static void test_policies(void)
{
	const char *src = getenv("SRCDIR");
	char root[1024];
	struct paths ps = { NULL, 0 };
	int total = 0, mechanism = 0;

	snprintf(root, sizeof(root), "%s/policies", src ? src : ".");
	walk(root, &ps);
	qsort(ps.p, ps.n, sizeof(*ps.p), cmp_str);
	for (size_t i = 0; i < ps.n; i++) {
		struct checker ck = { ps.p[i] + strlen(root) - 8, 0, 0 };
		size_t n;
		char *text = slurp(ps.p[i], &n);

		CU_ASSERT_PTR_NOT_NULL(text);
		if (text)
			total += check_source(&ck, text, n);
		mechanism |= !strcmp(ck.file, "policies/cache/cache.c");
		free(text);
		free(ps.p[i]);
	}
	free(ps.p);
	/* found the tree (SRCDIR right), and it keeps the contract */
	CU_ASSERT(ps.n >= 10 && mechanism);
	if (ps.n < 10 || !mechanism)
		fprintf(stderr, "\n%s: policy sources not found (set SRCDIR)\n",
			root);
	CU_ASSERT(total == 0);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "rules on snippets (comments, strings, members)",
		  test_rules },
		{ "policies/ keeps the contract", test_policies },
		{ NULL, NULL },
	};
	return cu_run("contract", tests);
}
