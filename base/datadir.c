/* datadir.c - shipped data found by name (base/datadir.h): the search
 * path from $VMSPEC_DATADIR, the configure-time source and build trees and
 * $(pkgdatadir) (base/datadir_paths.inc, written by make from its
 * variables). Invariant: the source tree is searched only by a program
 * that lives under the build tree, never by an installed one. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* realpath, readlink */
#endif
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/datadir.h"
#include "base/datadir_paths.inc"

int datadir_is_name(const char *s)
{
	size_t len = strlen(s);
	const char *c = s;

	if (len == 0 || (len >= 5 && strcmp(s + len - 5, ".yaml") == 0))
		return 0;
	/* components separated by '/': none empty, "." or ".." */
	for (;;) {
		size_t k = strcspn(c, "/");
		if (k == 0 || (k == 1 && c[0] == '.') ||
		    (k == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (!c[k])
			return 1;
		c += k + 1;
	}
}

/* 1 when this program's executable lies under the build tree it was
 * configured in (DATADIR_BUILD): `make check`, ./build/vmspec. */
static int in_build_tree(void)
{
	char exe[PATH_MAX], *build;
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int in;

	if (len <= 0)
		return 0;
	exe[len] = '\0';
	if (!(build = realpath(DATADIR_BUILD, NULL)))
		return 0;
	len = (ssize_t)strlen(build);
	in = strncmp(exe, build, (size_t)len) == 0 &&
	     (exe[len] == '/' || build[len - 1] == '/');
	free(build);
	return in;
}

size_t datadir_dirs(const char *sub, char dirs[DATADIR_MAX][DATADIR_PATH_LEN])
{
	const char *env = getenv("VMSPEC_DATADIR");
	size_t n = 0;

	if (env && env[0])
		snprintf(dirs[n++], DATADIR_PATH_LEN, "%s/%s", env, sub);
	if (in_build_tree())
		snprintf(dirs[n++], DATADIR_PATH_LEN, "%s/%s", DATADIR_SRC, sub);
	snprintf(dirs[n++], DATADIR_PATH_LEN, "%s/%s", DATADIR_PKG, sub);
	return n;
}

int datadir_find(const char *sub, const char *name, char *buf, size_t n,
		 char *err, size_t errlen)
{
	char dirs[DATADIR_MAX][DATADIR_PATH_LEN];
	size_t nd = datadir_dirs(sub, dirs), used;
	struct stat st;

	for (size_t i = 0; i < nd; i++) {
		if ((size_t)snprintf(buf, n, "%s/%s.yaml", dirs[i], name) >= n) {
			if (err && errlen)
				snprintf(err, errlen, "path too long: %s/%s.yaml",
					 dirs[i], name);
			return -ENAMETOOLONG;
		}
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode))
			return 0;
	}
	if (n)
		buf[0] = '\0';
	if (!err || !errlen)
		return -ENOENT;
	used = (size_t)snprintf(err, errlen, "looked for %s.yaml in", name);
	for (size_t i = 0; i < nd && used < errlen; i++)
		used += (size_t)snprintf(err + used, errlen - used, "%s %s",
					 i ? "," : "", dirs[i]);
	return -ENOENT;
}
