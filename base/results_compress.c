/* results_compress.c - the results file's optional compression filters
 * (results.compress, base/results.h): parsing a spec, checking that its
 * HDF5 filter plugin is there (naming the Debian package when not), and
 * the filters of a dataset's creation property list (res_set_filters,
 * used by results_write.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <hdf5.h>
#include "build-config.h"
#include "base/results_int.h"

#define FILTER_LZ4 32004	/* registered id, hdf5-filter-plugin */
#define FILTER_BLOSC 32001	/* hdf5-filter-plugin-blosc-serial */
#define BLOSC_CODE_LZ4 1	/* the Blosc filter's compressor codes */
#define BLOSC_CODE_ZSTD 5

static const struct res_codec_info {
	const char *name;
	H5Z_filter_t filter;	/* a plugin's, or 0 (built in) */
	const char *package;	/* Debian package of the plugin */
	int def_level;		/* 0: takes no level */
} codecs[] = {
	[RES_CODEC_NONE] = { "none", 0, NULL, 0 },
	[RES_CODEC_DEFLATE] = { "deflate", 0, NULL, 6 },
	[RES_CODEC_LZ4] = { "lz4", FILTER_LZ4, "hdf5-filter-plugin", 0 },
	[RES_CODEC_BLOSC_LZ4] = { "blosc-lz4", FILTER_BLOSC,
				  "hdf5-filter-plugin-blosc-serial", 5 },
	[RES_CODEC_BLOSC_ZSTD] = { "blosc-zstd", FILTER_BLOSC,
				   "hdf5-filter-plugin-blosc-serial", 5 },
};
#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

int res_compress_parse(const char *spec, struct res_compress *c, char *err,
		       size_t errlen)
{
	char name[32];
	const char *colon;
	size_t len;

	c->codec = RES_CODEC_NONE;
	c->level = 0;
	if (!spec || !spec[0] || !strcmp(spec, "0"))
		return 0;
	if (spec[0] >= '1' && spec[0] <= '9' && !spec[1]) {	/* a level */
		c->codec = RES_CODEC_DEFLATE;
		c->level = spec[0] - '0';
		return 0;
	}
	colon = strchr(spec, ':');
	len = colon ? (size_t)(colon - spec) : strlen(spec);
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, spec, len);
	name[len] = '\0';
	for (size_t i = 0; i < NCODECS; i++) {
		if (strcmp(name, codecs[i].name))
			continue;
		c->codec = (enum res_codec)i;
		c->level = codecs[i].def_level;
		if (!colon)
			return 0;
		if (codecs[i].def_level && colon[1] >= '1' &&
		    colon[1] <= '9' && !colon[2]) {
			c->level = colon[1] - '0';
			return 0;
		}
		c->codec = RES_CODEC_NONE;
		c->level = 0;
		if (err && errlen)
			snprintf(err, errlen, codecs[i].def_level ?
				 "'%s': the level after '%s:' must be 1..9" :
				 "'%s': %s takes no level", spec, name);
		return -EINVAL;
	}
	if (err && errlen)
		snprintf(err, errlen, "'%s' is not a compression: expected "
			 "none, deflate[:1-9] (or a bare level 0-9), lz4, "
			 "blosc-lz4[:1-9] or blosc-zstd[:1-9]", spec);
	return -EINVAL;
}

/* Whether (dir) is on HDF5's plugin search path. */
static int plugin_dir_listed(const char *dir)
{
	unsigned n = 0;
	char p[4096];

	if (H5PLsize(&n) < 0)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (H5PLget(i, p, sizeof(p)) > 0 && !strcmp(p, dir))
			return 1;
	return 0;
}

/* Whether filter (id) can be used, loading its plugin: from HDF5's path
 * (HDF5_PLUGIN_PATH, else its built-in directory), then from Debian's
 * directory when it exists and is not on the path. That one goes first:
 * HDF5 1.10 stops its search at a directory it cannot open. */
static int filter_ready(H5Z_filter_t id)
{
	htri_t ok = H5Zfilter_avail(id);
	struct stat st;

	if (ok <= 0 && stat(VMSPEC_H5_PLUGIN_DIR, &st) == 0 &&
	    S_ISDIR(st.st_mode) && !plugin_dir_listed(VMSPEC_H5_PLUGIN_DIR) &&
	    H5PLprepend(VMSPEC_H5_PLUGIN_DIR) >= 0)
		ok = H5Zfilter_avail(id);
	H5Eclear2(H5E_DEFAULT);
	return ok > 0;
}

int res_compress_check(const char *spec, char *err, size_t errlen)
{
	struct res_compress c;
	const struct res_codec_info *ci;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	if (res_compress_parse(spec, &c, err, errlen) < 0)
		return -EINVAL;
	ci = &codecs[c.codec];
	if (!ci->filter || filter_ready(ci->filter))
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "'%s' needs the HDF5 filter plugin %u, "
			 "not found on HDF5_PLUGIN_PATH nor in %s (Debian: "
			 "apt-get install %s)", spec, (unsigned)ci->filter,
			 VMSPEC_H5_PLUGIN_DIR, ci->package);
	return -ENOENT;
}

/* The filters of (c) into (dcpl): shuffle then deflate or LZ4 (bytes of
 * a column grouped, so that the compressor sees runs), or Blosc with its
 * own shuffle. Optional, as HDF5's own: a chunk the filter cannot
 * shrink (Blosc refuses a few rows) is stored as it is, marked so in the
 * file, rather than failing. Negative on failure. */
int res_set_filters(hid_t dcpl, const struct res_compress *c)
{
	unsigned cd[7] = { 0 };

	switch (c->codec) {
	case RES_CODEC_NONE:
		return 0;
	case RES_CODEC_DEFLATE:
		if (H5Pset_shuffle(dcpl) < 0)
			return -1;
		return H5Pset_deflate(dcpl, (unsigned)c->level);
	case RES_CODEC_LZ4:
		if (H5Pset_shuffle(dcpl) < 0)
			return -1;
		return H5Pset_filter(dcpl, FILTER_LZ4, H5Z_FLAG_OPTIONAL, 0,
				     NULL);
	case RES_CODEC_BLOSC_LZ4:
	case RES_CODEC_BLOSC_ZSTD:
		/* 0-3 filled in by the filter; level, byte shuffle, code */
		cd[4] = (unsigned)c->level;
		cd[5] = 1;
		cd[6] = c->codec == RES_CODEC_BLOSC_LZ4 ? BLOSC_CODE_LZ4
							: BLOSC_CODE_ZSTD;
		return H5Pset_filter(dcpl, FILTER_BLOSC, H5Z_FLAG_OPTIONAL, 7,
				     cd);
	}
	return -1;
}
