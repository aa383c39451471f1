/* list.c - `vmspec list`: what can be named in a config, one line of help
 * each: strategies, workloads, distributions, parameters, and the shipped
 * experiments and calibration files found by name (base/datadir.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cmd.h"
#include "exp/params.h"
#include "base/datadir.h"
#include "base/dist.h"
#include "base/util.h"
#include "policies/cache/cache.h"
#include "policies/strategy.h"
#include "workloads/workload.h"

static const char *const dist_help[DIST_KIND_COUNT] = {
	[DIST_CONSTANT] = "{dist: constant, value: V}",
	[DIST_EXPONENTIAL] = "{dist: exponential, mean: M}",
	[DIST_LOGNORMAL] = "{dist: lognormal, mean: M, cv: C}, {median: M, "
			   "sigma: S} or {mu: MU, sigma: S}",
	[DIST_GAMMA] = "{dist: gamma, mean: M, cv: C} or {shape: K, scale: T}",
	[DIST_UNIFORM] = "{dist: uniform, min: A, max: B}",
	[DIST_EMPIRICAL] = "{dist: empirical, points: [[0, V0], ..., "
			   "[100, V100]]} (percentile, value)",
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What the first comment line of (path) says after " - ", into (buf). */
static void yaml_blurb(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[160], *dash;

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && line[0] == '#') {
		line[strcspn(line, "\n")] = '\0';
		dash = strstr(line, " - ");
		snprintf(buf, n, "%s", dash ? dash + 3 : line + 1);
	}
	fclose(f);
}

struct names {
	char **v;
	size_t n, cap;
};

/* Every NAME.yaml of (dir) into (nm) as (prefix)NAME; with (depth) > 0,
 * also those of its subfolders, as SUB/NAME. */
static void collect(const char *dir, const char *prefix, int depth,
		    struct names *nm)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char sub[DATADIR_PATH_LEN], pre[256];
	struct stat st;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml")) {
			if (nm->n == nm->cap)
				nm->v = xrealloc(nm->v, (nm->cap *= 2) *
						 sizeof(*nm->v));
			nm->v[nm->n] = xmalloc(strlen(prefix) + len + 1);
			sprintf(nm->v[nm->n], "%s%.*s", prefix, (int)len - 5,
				e->d_name);
			nm->n++;
			continue;
		}
		if (depth <= 0 ||
		    (size_t)snprintf(sub, sizeof(sub), "%s/%s", dir,
				     e->d_name) >= sizeof(sub) ||
		    (size_t)snprintf(pre, sizeof(pre), "%s%s/", prefix,
				     e->d_name) >= sizeof(pre) ||
		    stat(sub, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		collect(sub, pre, depth - 1, nm);
	}
	if (d)
		closedir(d);
}

/* Every (sub)/NAME.yaml and (sub)/FOLDER/NAME.yaml of the places
 * datadir_find searches, the first of a name only (the one `vmspec run
 * NAME` takes), by name. */
static void list_shipped(const char *sub)
{
	char dirs[DATADIR_MAX][DATADIR_PATH_LEN], path[DATADIR_PATH_LEN];
	char blurb[160], err[8];
	size_t nd = datadir_dirs(sub, dirs);
	struct names nm = { xcalloc(16, sizeof(char *)), 0, 16 };
	int w = 24;

	printf("  (searched in:");
	for (size_t i = 0; i < nd; i++)
		printf("%s %s", i ? "," : "", dirs[i]);
	printf(")\n");
	for (size_t i = 0; i < nd; i++)
		collect(dirs[i], "", 1, &nm);
	qsort(nm.v, nm.n, sizeof(*nm.v), by_name);
	for (size_t i = 0; i < nm.n; i++)
		if (strlen(nm.v[i]) > (size_t)w)
			w = (int)strlen(nm.v[i]);
	for (size_t i = 0; i < nm.n; i++) {
		if (i && !strcmp(nm.v[i], nm.v[i - 1]))
			continue;
		if (datadir_find(sub, nm.v[i], path, sizeof(path), err,
				 sizeof(err)) == 0) {
			yaml_blurb(path, blurb, sizeof(blurb));
			printf("  %-*s %s\n", w, nm.v[i], blurb);
		}
	}
	for (size_t i = 0; i < nm.n; i++)
		free(nm.v[i]);
	free(nm.v);
}

static int list_exec(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	int all = !strcmp(what, "all");
	if (!strcmp(what, "-h") || !strcmp(what, "--help")) {
		printf("usage: vmspec list [strategies|policies|workloads|"
		       "models|params|experiments|all]\n"
		       "       vmspec list --reference   (markdown of every "
		       "parameter: docs/config-reference.md)\n");
		return 0;
	}
	if (!strcmp(what, "--reference")) {
		cfg_write_reference(stdout);
		return 0;
	}
	int shown = 0;
	if (all || !strcmp(what, "strategies")) {
		printf("strategies (strategies: [...]):\n");
		for (size_t i = 0; strategy_registry[i]; i++)
			printf("  %-16s %s\n", strategy_registry[i]->name,
			       strategy_registry[i]->help);
		shown = 1;
	}
	if (all || !strcmp(what, "policies")) {
		printf("cache policies (pool.policy, libcache.policy, "
		       "blockrepo.policy, snapstore.policy):\n");
		for (size_t i = 0; cache_registry[i]; i++)
			printf("  %-16s %s\n", cache_registry[i]->name,
			       cache_registry[i]->help);
		shown = 1;
	}
	if (all || !strcmp(what, "workloads")) {
		printf("workloads (workload.kind):\n");
		for (size_t i = 0; wl_registry[i]; i++)
			printf("  %-16s %s\n", wl_registry[i]->name,
			       wl_registry[i]->help);
		shown = 1;
	}
	if (all || !strcmp(what, "models")) {
		printf("distributions (any cost or workload model):\n");
		for (int k = 0; k < DIST_KIND_COUNT; k++)
			printf("  %-16s %s\n", dist_kind_names[k], dist_help[k]);
		printf("cost models:\n");
		for (size_t i = 0; i < cfg_nparams; i++)
			if (!strncmp(cfg_params[i].key, "models.", 7))
				printf("  %-16s %s (default %s)\n",
				       cfg_params[i].key + 7, cfg_params[i].help,
				       cfg_params[i].def);
		shown = 1;
	}
	if (all || !strcmp(what, "params")) {
		printf("parameters (`vmspec run --params` for defaults):\n");
		for (size_t i = 0; i < cfg_nparams; i++)
			printf("  %-24s %s\n", cfg_params[i].key,
			       cfg_params[i].help);
		shown = 1;
	}
	if (all || !strcmp(what, "experiments")) {
		printf("experiments (vmspec run NAME):\n");
		list_shipped("experiments");
		printf("calibration files (models.calibration: NAME):\n");
		list_shipped("models");
		shown = 1;
	}
	if (!shown) {
		fprintf(stderr, "vmspec list: unknown category '%s'\n", what);
		return EXIT_USAGE;
	}
	return 0;
}

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = "list [strategies|policies|workloads|models|params|"
		 "experiments|all]",
	.help = "list strategies, policies, workloads, models, parameters, "
		"experiments",
	.exec = list_exec,
};
