/* synth_inv.c - writes synthetic traces in the invocations format
 * (`vmspec trace synth --format invocations`), as the keep-alive and
 * caching literature's generators do: each function a Poisson process
 * (its rate by Zipf popularity), exponential warm durations around the
 * function's mean warm time, and a function table with that mean, a mean
 * cold time and a memory size. Called through wl_synth_write
 * (workloads/synth.c). Invariant: everything is drawn from streams of
 * (seed) in a fixed order, so one seed gives byte-identical files. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "base/rng.h"
#include "base/util.h"
#include "workloads/csv.h"
#include "workloads/trace_fmt.h"

#define SI_STREAM 0x5e18	/* stream index of this generator */

static const char *const runtimes[] = { "python3", "nodejs", "java" };

struct si_fn {
	double warm_ms, cold_ms, mem_mib;
	uint32_t runtime;
	uint64_t total;		/* invocations written */
};

/* Index of the first cdf[i] > u (cdf non-decreasing, cdf[n - 1] > u). */
static uint32_t pick_cdf(const double *cdf, uint32_t n, double u)
{
	uint32_t lo = 0, hi = n - 1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static int write_table(const char *dir, const struct si_fn *F, uint32_t nf,
		       uint64_t *bytes, char *err, size_t errlen)
{
	char path[WL_TRACE_PATH_LEN];
	FILE *out = wlt_create(dir, WLT_INV_TABLE, path, sizeof(path), err,
			       errlen);
	if (!out)
		return -EIO;
	fputs("function,memory_mib,cold_ms,warm_ms,runtime\n", out);
	for (uint32_t f = 0; f < nf; f++)
		fprintf(out, "f%u,%.0f,%.6f,%.6f,%s\n", f, F[f].mem_mib,
			F[f].cold_ms, F[f].warm_ms, runtimes[F[f].runtime]);
	return wlt_finish(out, path, bytes, err, errlen);
}

int wlt_synth_inv(const struct wl_synth_opts *o, const char *dir,
		  struct wl_synth_report *rep, char *err, size_t errlen)
{
	uint32_t nf = o->functions ? o->functions : 1000;
	double rate = o->rate_per_s > 0 ? o->rate_per_s : 50;
	double len_s = o->duration_s > 0 ? o->duration_s :
		       o->days ? 86400.0 * o->days : 3600;
	double zipf = o->zipf < 0 ? 1 : o->zipf;
	double warm = o->warm_ms > 0 ? o->warm_ms : 200;
	double cold = o->cold_ms > 0 ? o->cold_ms : 500;
	double sigma = o->spread < 0 ? 0.5 : o->spread;
	double mem = o->mem_mib > 0 ? o->mem_mib : 256;
	memset(rep, 0, sizeof(*rep));
	if (!isfinite(len_s) || len_s > 1e8 || !isfinite(zipf) ||
	    !isfinite(sigma) || sigma > 5) {
		snprintf(err, errlen, "synth: need a duration of at most 1e8 s "
			 "and a spread of at most 5");
		return -EINVAL;
	}
	int rc = mkdir_p(dir);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
		return rc;
	}
	gsl_rng *rf = rng_stream_new(WLT_SYNTH_RNG_GEN, o->seed, RNG_ID(RNG_FUNCS, SI_STREAM));
	gsl_rng *ra = rng_stream_new(WLT_SYNTH_RNG_GEN, o->seed, RNG_ID(RNG_ARRIVALS, SI_STREAM));
	gsl_rng *rd = rng_stream_new(WLT_SYNTH_RNG_GEN, o->seed, RNG_ID(RNG_SERVICE, SI_STREAM));
	struct si_fn *F = xcalloc(nf, sizeof(*F));
	double *cdf = xmalloc(sizeof(double) * nf), sum = 0;
	for (uint32_t f = 0; f < nf; f++) {
		double z = sigma > 0 ? gsl_ran_lognormal(rf, -sigma * sigma / 2,
							 sigma) : 1;
		F[f].warm_ms = warm * z;
		F[f].cold_ms = cold * z;
		F[f].mem_mib = fmin(8192, fmax(16, round(gsl_ran_lognormal(
					rf, log(mem), 0.5))));
		F[f].runtime = (uint32_t)gsl_rng_uniform_int(rf, 3);
		sum += pow((double)f + 1, -zipf);
		cdf[f] = sum;
	}
	char path[WL_TRACE_PATH_LEN];
	FILE *out = wlt_create(dir, WLT_INV_FILE, path, sizeof(path), err,
			       errlen);
	rc = out ? 0 : -EIO;
	if (out) {
		fputs("function,arrival_ms,duration_ms\n", out);
		char line[96];
		/* the superposition of the functions' Poisson processes: one
		 * of the total rate, each arrival's function drawn by weight */
		for (double t = gsl_ran_exponential(ra, 1 / rate); t < len_s;
		     t += gsl_ran_exponential(ra, 1 / rate)) {
			uint32_t f = pick_cdf(cdf, nf,
					      gsl_rng_uniform(ra) * sum);
			double d = gsl_ran_exponential(rd, F[f].warm_ms);
			int64_t dn = llround(d * 1e6);
			size_t n = (size_t)snprintf(line, sizeof(line), "f%u,",
						    f);
			n += wlt_fmt_ms(line + n, llround(t * 1e9));
			line[n++] = ',';
			n += wlt_fmt_ms(line + n, dn < 1 ? 1 : dn);
			line[n++] = '\n';
			fwrite(line, 1, n, out);
			F[f].total++;
			rep->invocations++;
		}
		rc = wlt_finish(out, path, &rep->bytes, err, errlen);
	}
	if (rc == 0)
		rc = write_table(dir, F, nf, &rep->bytes, err, errlen);
	for (uint32_t f = 0; f < nf; f++)
		rep->invoked += F[f].total > 0;
	rep->functions = nf;
	rep->apps = nf;
	rep->days = (uint32_t)ceil(len_s / 86400);
	free(cdf);
	free(F);
	gsl_rng_free(rf);
	gsl_rng_free(ra);
	gsl_rng_free(rd);
	return rc;
}
