/* prov.c - provenance of this build (base/prov.h): the generated
 * base/prov_build.inc (commit, compiler, flags; rewritten by make when it
 * changes) and the libraries' own version calls. The one file that
 * includes that header, so that a new commit recompiles only this one. */
#include <errno.h>
#include <stdio.h>
#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <yaml.h>
#include "build-config.h"
#include "base/h5util.h"
#include "base/prov.h"
#include "base/prov_build.inc"
#ifdef HAVE_MPI
#include <mpi.h>
#endif

/* The MPI the sweep executor was compiled against (the library is linked
 * into the program only, so its run-time version call is out of reach). */
static void mpi_version(char *buf, size_t n)
{
	buf[0] = '\0';
#ifdef HAVE_MPI
#if defined(OMPI_MAJOR_VERSION)
	snprintf(buf, n, ", Open MPI %d.%d.%d (MPI %d.%d)", OMPI_MAJOR_VERSION,
		 OMPI_MINOR_VERSION, OMPI_RELEASE_VERSION, MPI_VERSION,
		 MPI_SUBVERSION);
#elif defined(MPICH_VERSION)
	snprintf(buf, n, ", MPICH %s (MPI %d.%d)", MPICH_VERSION, MPI_VERSION,
		 MPI_SUBVERSION);
#else
	snprintf(buf, n, ", MPI %d.%d", MPI_VERSION, MPI_SUBVERSION);
#endif
#else
	(void)n;
#endif
}

void prov_get(struct prov *p)
{
	unsigned maj = 0, min = 0, rel = 0;
	char mpi[64];

	p->version = PACKAGE_VERSION;
	p->source_commit = PROV_SOURCE_COMMIT;
	p->source_dirty = PROV_SOURCE_DIRTY;
	p->compiler = PROV_COMPILER;
	p->build_flags = PROV_BUILD_FLAGS;
	H5get_libversion(&maj, &min, &rel);
	mpi_version(mpi, sizeof(mpi));
	snprintf(p->libraries, sizeof(p->libraries),
		 "HDF5 %u.%u.%u, GSL %s, libyaml %s%s", maj, min, rel,
		 gsl_version, yaml_get_version_string(), mpi);
}

void prov_print(FILE *f)
{
	struct prov p;

	prov_get(&p);
	fprintf(f, "vmspec %s\n", p.version);
	fprintf(f, "%-10s %s%s\n", "commit", p.source_commit,
		p.source_dirty ? "+dirty" : "");
	fprintf(f, "%-10s %s\n", "compiler", p.compiler);
	fprintf(f, "%-10s %s\n", "flags", p.build_flags);
	fprintf(f, "%-10s %s\n", "libraries", p.libraries);
}

int prov_h5_write(hid_t obj, const struct prov *p)
{
	if (h5_attr_str(obj, "source_commit", p->source_commit) < 0 ||
	    h5_attr_int(obj, "source_dirty", p->source_dirty ? 1 : 0) < 0 ||
	    h5_attr_str(obj, "compiler", p->compiler) < 0 ||
	    h5_attr_str(obj, "build_flags", p->build_flags) < 0 ||
	    h5_attr_str(obj, "libraries", p->libraries) < 0)
		return -EIO;
	return 0;
}
