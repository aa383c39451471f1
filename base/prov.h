/* prov.h - provenance of this build of vmspec: the package version, the
 * source commit it was built from (and whether that tree had uncommitted
 * changes), the compiler and flags, and the libraries it runs with. Shown by
 * `vmspec --version`; written as root attributes of every results file
 * (base/results.h) and sweep index (exp/sweep.h), docs/results.md.
 * The commit comes from base/prov_build.inc, which make rewrites at every
 * build when it changes (scripts/prov.sh): only base/prov.c includes it,
 * so a new commit recompiles one file. Nothing here keeps state. */
#ifndef VMSPEC_PROV_H
#define VMSPEC_PROV_H

#include <stdio.h>
#include <hdf5.h>

struct prov {
	const char *version;		/* the package's, "0.1.0" */
	const char *source_commit;	/* git HEAD (40 hex) at build time,
					 * from the tarball's source-commit
					 * file, or "unknown" */
	int source_dirty;		/* 1: tracked files differed from it */
	const char *compiler;		/* first line of `CC --version` */
	const char *build_flags;	/* "CFLAGS='..' CPPFLAGS='..'
					 * LDFLAGS='..'" as make had them */
	char libraries[192];		/* "HDF5 1.10.8, GSL 2.7.1, libyaml
					 * 0.2.5" (+ MPI when built with it):
					 * the versions running, not those
					 * compiled against */
};

/* This build's provenance into (p). The strings but (libraries) are
 * static. */
void prov_get(struct prov *p);

/* The text of `vmspec --version` on (f): "vmspec VERSION", then one line
 * each for the commit (with "+dirty" when source_dirty), compiler, flags
 * and libraries. */
void prov_print(FILE *f);

/* Attributes source_commit, source_dirty (0/1), compiler, build_flags and
 * libraries of (p) on HDF5 object (obj), created or overwritten. 0 or -EIO
 * (the HDF5 error stack kept for the caller). */
int prov_h5_write(hid_t obj, const struct prov *p);

#endif
