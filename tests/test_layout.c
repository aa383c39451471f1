/* test_layout.c - the floor plan of the source tree checked mechanically
 * (docs/design.md, section 1). Every .c and .h file of the project's
 * folders (found from $SRCDIR, else ".") may include, with #include "...",
 * only headers of its own folder or of a folder on a lower floor:
 *
 *   0 base/                 plumbing
 *   1 models/               cost models: parameters, costs, fitting
 *   2 config/               the configuration as plain data
 *   3 policies/ workloads/  strategies and caches; arrivals and traces
 *   4 plat/                 the platform front
 *   5 sim/ real-backend/    the two backends with their loops
 *   6 exp/                  the experiment layer
 *   7 cli/                  the command line
 *
 * (two folders of one floor do not include each other), the headers
 * include one another without a circle, and no source file is longer than
 * LONG_LINES lines unless the comment it opens with says why its size is
 * earned (the words "size is earned"); tests/ is held to that length too.
 * Generated files (.inc) and the
 * guest's freestanding code (real-backend/guest/) are not rooms of the
 * house; build-config.h comes from configure. A table of snippets checks
 * the rules before the tree is. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tests/cu.h"

#define LONG_LINES 1000

static const struct {
	const char *dir;
	int floor;
} floors[] = {
	{ "base", 0 }, { "models", 1 }, { "config", 2 }, { "policies", 3 },
	{ "workloads", 3 }, { "plat", 4 }, { "sim", 5 },
	{ "real-backend", 5 }, { "exp", 6 }, { "cli", 7 },
};
#define NFLOORS (sizeof(floors) / sizeof(floors[0]))

/* The floor of (path)'s top folder, its index in floors[] in (*room), or
 * -1 for a path outside the house. */
static int floor_of(const char *path, int *room)
{
	for (size_t i = 0; i < NFLOORS; i++) {
		size_t n = strlen(floors[i].dir);
		if (!strncmp(path, floors[i].dir, n) && path[n] == '/') {
			if (room)
				*room = (int)i;
			return floors[i].floor;
		}
	}
	return -1;
}

/* May (file) include "(inc)"? 1, or 0 with the reason in (why). */
static int include_ok(const char *file, const char *inc, char *why,
		      size_t n)
{
	int rf, ri;
	int ff = floor_of(file, &rf), fi = floor_of(inc, &ri);
	if (ff < 0 || fi < 0 || rf == ri)
		return 1;	/* outside the house, or its own folder */
	if (fi < ff)
		return 1;
	snprintf(why, n, "%s (floor %d) includes %s (floor %d)%s", file, ff,
		 inc, fi, fi == ff ? ": same floor, another folder" : "");
	return 0;
}

/* ---- reading a file ---- */

struct file {
	char path[512];		/* relative to the tree */
	char **inc;		/* its #include "..." */
	size_t ninc;
	size_t lines;
	int earned;		/* its opening comment says "size is earned" */
};

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 4096, n = 0;
	char *s = malloc(cap + 1);
	size_t k;
	while ((k = fread(s + n, 1, cap - n, fp)) > 0) {
		n += k;
		if (n == cap)
			s = realloc(s, (cap *= 2) + 1);
	}
	fclose(fp);
	s[n] = 0;
	*len = n;
	return s;
}

/* The #include "..." lines of (s), its line count, and whether its first
 * comment claims its size (a file may only earn it there). */
static void scan(struct file *f, const char *s, size_t n)
{
	f->lines = 0;
	for (size_t i = 0; i < n; i++)
		f->lines += s[i] == '\n';
	const char *open = strstr(s, "/*"), *close = open ? strstr(open, "*/")
							   : NULL;
	if (open && close && (size_t)(open - s) < 8) {
		char *c = strndup(open, (size_t)(close - open));
		for (char *p = c; *p; p++)	/* line breaks, '*' margins */
			if (*p == '\n' || *p == '*')
				*p = ' ';
		char *w = c;
		for (char *p = c; *p; p++)	/* runs of blanks as one */
			if (*p != ' ' || w == c || w[-1] != ' ')
				*w++ = *p;
		*w = 0;
		f->earned = strstr(c, "size is earned") != NULL;
		free(c);
	}
	const char *p = s;
	while (p && *p) {
		const char *q = p;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '#') {
			q++;
			while (*q == ' ' || *q == '\t')
				q++;
			if (!strncmp(q, "include", 7)) {
				q += 7;
				while (*q == ' ' || *q == '\t')
					q++;
				const char *e = *q == '"' ? strchr(q + 1, '"')
							  : NULL;
				if (e) {
					f->inc = realloc(f->inc, (f->ninc + 1) *
							 sizeof(*f->inc));
					f->inc[f->ninc++] = strndup(q + 1,
						(size_t)(e - q - 1));
				}
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/* ---- the rules on snippets ---- */

static void test_rules(void)
{
	static const struct {
		const char *file, *inc;
		int ok;
	} cases[] = {
		{ "sim/loop.c", "plat/plat.h", 1 },
		{ "sim/loop.c", "sim/sim_int.h", 1 },
		{ "plat/vm.c", "sim/engine.h", 0 },
		{ "sim/loop.c", "real-backend/real_int.h", 0 },
		{ "policies/vmpool.c", "workloads/catalog.h", 0 },
		{ "base/util.c", "config/config.h", 0 },
		{ "models/cost.c", "base/dist.h", 1 },
		{ "cli/run.c", "exp/params.h", 1 },
		{ "exp/calibrate.c", "cli/cmd.h", 0 },
		{ "cli/run.c", "experiments/quickstart.inc", 1 },
		{ "tests/test_plat.c", "sim/sim_int.h", 1 },
	};
	char why[256];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ok = include_ok(cases[i].file, cases[i].inc, why,
				    sizeof(why));
		if (ok != cases[i].ok)
			fprintf(stderr, "%s -> %s: %d\n", cases[i].file,
				cases[i].inc, ok);
		CU_ASSERT_EQUAL(ok, cases[i].ok);
	}
	struct file f;
	memset(&f, 0, sizeof(f));
	const char *src = "/* x.c - a file whose size is\n * earned: because. */\n"
			  "#include <stdio.h>\n  #  include \"a/b.h\"\n"
			  "#include \"c.h\" /* \"d.h\" */\n";
	scan(&f, src, strlen(src));
	CU_ASSERT_EQUAL(f.ninc, 2);
	CU_ASSERT(f.ninc == 2 && !strcmp(f.inc[0], "a/b.h") &&
		  !strcmp(f.inc[1], "c.h"));
	CU_ASSERT_EQUAL(f.lines, 5);
	CU_ASSERT_TRUE(f.earned);
	for (size_t i = 0; i < f.ninc; i++)
		free(f.inc[i]);
	free(f.inc);
}

/* ---- the tree ---- */

struct tree {
	struct file *f;
	size_t n, cap;
	char root[512];
};

static int is_source(const char *name)
{
	size_t n = strlen(name);
	return n > 2 && name[n - 2] == '.' &&
	       (name[n - 1] == 'c' || name[n - 1] == 'h');
}

static void walk(struct tree *t, const char *rel)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/%s", t->root, rel);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char r[512], full[1600];
		snprintf(r, sizeof(r), "%s/%s", rel, e->d_name);
		snprintf(full, sizeof(full), "%s/%s", t->root, r);
		struct stat st;
		if (stat(full, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (strcmp(r, "real-backend/guest"))
				walk(t, r);
			continue;
		}
		if (!is_source(e->d_name))
			continue;
		size_t len;
		char *s = slurp(full, &len);
		if (!s)
			continue;
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 256;
			t->f = realloc(t->f, t->cap * sizeof(*t->f));
		}
		struct file *f = &t->f[t->n++];
		memset(f, 0, sizeof(*f));
		snprintf(f->path, sizeof(f->path), "%s", r);
		scan(f, s, len);
		free(s);
	}
	closedir(d);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->path,
		      ((const struct file *)b)->path);
}

static struct file *find(struct tree *t, const char *path)
{
	struct file key;
	snprintf(key.path, sizeof(key.path), "%s", path);
	return bsearch(&key, t->f, t->n, sizeof(*t->f), cmp_file);
}

/* Depth-first search of the header graph: 0 white, 1 on the path, 2 done.
 * Returns 1 and prints the circle when one is found. */
static int circle(struct tree *t, size_t i, int *mark, size_t *stack,
		  size_t depth)
{
	mark[i] = 1;
	stack[depth] = i;
	for (size_t k = 0; k < t->f[i].ninc; k++) {
		struct file *g = find(t, t->f[i].inc[k]);
		if (!g)
			continue;
		size_t j = (size_t)(g - t->f);
		if (mark[j] == 1) {
			fprintf(stderr, "include circle:");
			for (size_t d = 0; d <= depth; d++)
				fprintf(stderr, " %s ->", t->f[stack[d]].path);
			fprintf(stderr, " %s\n", g->path);
			return 1;
		}
		if (!mark[j] && circle(t, j, mark, stack, depth + 1))
			return 1;
	}
	mark[i] = 2;
	return 0;
}

static void test_tree(void)
{
	struct tree t;
	memset(&t, 0, sizeof(t));
	const char *src = getenv("SRCDIR");
	snprintf(t.root, sizeof(t.root), "%s", src && *src ? src : ".");
	for (size_t i = 0; i < NFLOORS; i++)
		walk(&t, floors[i].dir);
	walk(&t, "tests");	/* not a floor: only their length counts */
	if (t.n < 100)
		fprintf(stderr, "\nonly %zu sources under %s (set SRCDIR)\n",
			t.n, t.root);
	CU_ASSERT_FATAL(t.n >= 100);
	qsort(t.f, t.n, sizeof(*t.f), cmp_file);
	size_t bad = 0;
	char why[512];
	for (size_t i = 0; i < t.n; i++) {
		struct file *f = &t.f[i];
		for (size_t k = 0; k < f->ninc; k++)
			if (!include_ok(f->path, f->inc[k], why, sizeof(why))) {
				fprintf(stderr, "%s\n", why);
				bad++;
			}
		if (f->lines > LONG_LINES && !f->earned) {
			fprintf(stderr, "%s: %zu lines, and its opening comment "
				"does not say why its size is earned\n",
				f->path, f->lines);
			bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	int *mark = calloc(t.n, sizeof(int));
	size_t *stack = calloc(t.n + 1, sizeof(size_t));
	int circles = 0;
	for (size_t i = 0; i < t.n && !circles; i++)
		if (!mark[i])
			circles = circle(&t, i, mark, stack, 0);
	CU_ASSERT_EQUAL(circles, 0);
	free(mark);
	free(stack);
	for (size_t i = 0; i < t.n; i++) {
		for (size_t k = 0; k < t.f[i].ninc; k++)
			free(t.f[i].inc[k]);
		free(t.f[i].inc);
	}
	free(t.f);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "rules on snippets", test_rules },
		{ "the tree keeps the floor plan", test_tree },
		{ NULL, NULL },
	};
	return cu_run("layout", tests);
}
