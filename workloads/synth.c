/* synth.c - writes synthetic traces in the Azure Functions 2019 format
 * (`vmspec trace synth`): heavy-tailed popularity, timers, a diurnal cycle,
 * bursts, lognormal durations per function and memory per app, with the
 * proportions published for the real trace (Shahrad et al., ATC'20); the
 * invocations format is workloads/synth_inv.c's, and the file helpers the
 * writers share (wlt_create, wlt_finish, wlt_fmt_ms) live here.
 * Invariant: everything is drawn from streams of (seed), in a fixed order,
 * so one seed gives byte-identical files. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include "base/rng.h"
#include "base/util.h"
#include "workloads/csv.h"
#include "workloads/trace_fmt.h"

#define MIN_PER_DAY 1440
#define MAX_BURSTS 8

/* Triggers by share of functions (ATC'20, Figure 2). */
static const struct {
	const char *name;
	double share;
} triggers[] = {
	{ "http", 0.55 }, { "queue", 0.15 }, { "event", 0.02 },
	{ "orchestration", 0.07 }, { "timer", 0.15 }, { "storage", 0.03 },
	{ "others", 0.03 },
};
#define NTRIG (sizeof(triggers) / sizeof(triggers[0]))
#define TRIG_TIMER 4

/* Timer periods in minutes and their shares. */
static const struct {
	uint32_t period;
	double share;
} timer_periods[] = {
	{ 1, 0.15 }, { 5, 0.25 }, { 10, 0.10 }, { 15, 0.15 }, { 30, 0.10 },
	{ 60, 0.15 }, { 1440, 0.10 },
};
#define NPERIODS (sizeof(timer_periods) / sizeof(timer_periods[0]))

struct sfn {
	double rate;		/* mean invocations per minute (non-timer) */
	double amp;		/* diurnal amplitude, 0..1 */
	uint32_t peak;		/* minute of the daily peak */
	uint32_t period, phase;	/* timers: every (period) min from (phase) */
	uint32_t app;
	uint8_t trig;
	double dur_med_ms, dur_sigma;
	uint64_t total;		/* invocations written, all days */
};

struct sapp {
	uint32_t owner;
	double mem_med_mib, mem_sigma;
	uint64_t total;
};

/* 64 hex digits that look like the dataset's SHA-256 names. */
static void hex_id(uint64_t seed, uint64_t kind, uint64_t i, char out[65])
{
	unsigned char b[32];
	for (int w = 0; w < 4; w++) {
		uint64_t x = rng_mix(seed ^ kind, i * 4 + (uint64_t)w);
		memcpy(b + 8 * w, &x, 8);
	}
	csv_hex(b, 32, out);
}

static size_t put_u64(char *p, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

static size_t pick(gsl_rng *r, const double *share, size_t n)
{
	double u = gsl_rng_uniform(r), acc = 0;
	for (size_t i = 0; i < n; i++) {
		acc += share[i];
		if (u < acc)
			return i;
	}
	return n - 1;
}

/* One day of per-minute counts of (F) into (c). */
static void gen_day(const struct sfn *F, gsl_rng *r, const double *cosm,
		    uint32_t *c)
{
	memset(c, 0, sizeof(uint32_t) * MIN_PER_DAY);
	if (F->trig == TRIG_TIMER) {
		for (uint32_t m = F->phase; m < MIN_PER_DAY; m += F->period)
			c[m] = 1;
		return;
	}
	/* bursts: a few per day at most, each a run of minutes whose rate is
	 * multiplied */
	struct {
		uint32_t start, len;
		double mult;
	} b[MAX_BURSTS];
	unsigned nb = gsl_ran_poisson(r, 0.3);
	nb = nb > MAX_BURSTS ? MAX_BURSTS : nb;
	for (unsigned i = 0; i < nb; i++) {
		b[i].start = (uint32_t)gsl_rng_uniform_int(r, MIN_PER_DAY);
		b[i].len = gsl_ran_geometric(r, 0.25);
		b[i].mult = gsl_ran_lognormal(r, log(8), 0.7);
	}
	double lmax = F->rate * (1 + F->amp);
#define LAMBDA(m) (F->rate * (1 + F->amp * cosm[((m) + MIN_PER_DAY - \
						F->peak) % MIN_PER_DAY]))
	if (lmax < 0.5) {
		/* sparse: thinning of a rate-lmax process over the day */
		double at = 0;
		for (;;) {
			at += gsl_ran_exponential(r, 1 / lmax);
			if (at >= MIN_PER_DAY)
				break;
			uint32_t m = (uint32_t)at;
			if (gsl_rng_uniform(r) * lmax < LAMBDA(m))
				c[m]++;
		}
		for (unsigned i = 0; i < nb; i++)
			for (uint32_t m = b[i].start;
			     m < b[i].start + b[i].len && m < MIN_PER_DAY; m++)
				c[m] += gsl_ran_poisson(r, LAMBDA(m) *
							   (b[i].mult - 1));
		return;
	}
	for (uint32_t m = 0; m < MIN_PER_DAY; m++) {
		double l = LAMBDA(m);
		for (unsigned i = 0; i < nb; i++)
			if (m >= b[i].start && m < b[i].start + b[i].len)
				l *= b[i].mult;
		c[m] = gsl_ran_poisson(r, l);
	}
#undef LAMBDA
}

FILE *wlt_create(const char *dir, const char *name, char *path, size_t n,
		 char *err, size_t errlen)
{
	if (wlt_path_join(path, n, dir, name)) {
		snprintf(err, errlen, "%s/%s: path too long", dir, name);
		return NULL;
	}
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

int wlt_finish(FILE *f, const char *path, uint64_t *bytes, char *err,
	       size_t errlen)
{
	long pos = ftell(f);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "%s: write failed: %s", path,
			 strerror(errno ? errno : EIO));
		return -EIO;
	}
	*bytes += pos > 0 ? (uint64_t)pos : 0;
	return 0;
}

size_t wlt_fmt_ms(char *out, int64_t ns)
{
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	char *p = out;
	if (ns < 0)
		*p++ = '-';
	p += put_u64(p, a / 1000000);
	*p++ = '.';
	uint64_t frac = a % 1000000;
	for (int d = 5; d >= 0; d--) {
		p[d] = (char)('0' + frac % 10);
		frac /= 10;
	}
	p += 6;
	*p = '\0';
	return (size_t)(p - out);
}

void wl_synth_opts_init(struct wl_synth_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = WL_TRACE_AZURE2019;
	o->seed = 1;
	o->zipf = -1;
	o->spread = -1;
}

/* Percentile (q in 0..1) of a lognormal with median (med). */
static double lq(double med, double sigma, double q)
{
	return med * exp(sigma * gsl_cdf_ugaussian_Pinv(q));
}

/* A group of functions with apps and owners of their own: the trace's
 * functions (group 0), then, if asked, the late ones (group 1), which
 * draw from streams and name themselves with ids of their own, so that
 * adding them leaves group 0's rows byte for byte as they were. */
struct sgroup {
	struct sfn *F;
	struct sapp *A;
	uint32_t nf, napps, nowners;
	gsl_rng *rc;		/* per-minute counts */
	uint64_t kind;		/* ids: kind + 1 owner, + 2 app, + 3 function */
	uint32_t from_min;	/* counts before this minute of the trace are 0 */
	char (*ids)[3][65];
};

/* Group (g) of (nf) functions at (rate) invocations/s over the day: apps,
 * owners, triggers, popularity, durations and memory drawn from the
 * streams of (seed) and (salt). */
static void group_init(struct sgroup *g, uint64_t seed, uint32_t nf,
		       double rate, uint64_t salt, uint64_t kind,
		       uint32_t from_min)
{
	memset(g, 0, sizeof(*g));
	g->nf = nf;
	g->kind = kind;
	g->from_min = from_min;
	gsl_rng *rs = rng_stream_new(WLT_SYNTH_RNG_GEN, seed,
				     RNG_ID(RNG_FUNCS, salt));
	g->rc = rng_stream_new(WLT_SYNTH_RNG_GEN, seed,
			       RNG_ID(RNG_ARRIVALS, salt));
	struct sfn *F = g->F = xcalloc(nf, sizeof(*F));
	struct sapp *A = g->A = xcalloc(nf, sizeof(*A));
	uint32_t napps = 0, nowners = 0;

	/* apps: 54% have one function, the rest a few to tens; owners: most
	 * have one app */
	for (uint32_t f = 0; f < nf;) {
		uint32_t k = gsl_rng_uniform(rs) < 0.54 ? 1 :
			     2 + (uint32_t)gsl_ran_exponential(rs, 3);
		k = k > 50 ? 50 : k;
		if (napps == 0 || gsl_rng_uniform(rs) < 0.7)
			nowners++;
		A[napps].owner = nowners - 1;
		A[napps].mem_med_mib = fmin(4096, fmax(16,
				gsl_ran_lognormal(rs, log(140), 0.6)));
		A[napps].mem_sigma = 0.03 + 0.27 * gsl_rng_uniform(rs);
		for (uint32_t i = 0; i < k && f < nf; i++, f++)
			F[f].app = napps;
		napps++;
	}
	double share[NTRIG], pshare[NPERIODS];
	for (size_t i = 0; i < NTRIG; i++)
		share[i] = triggers[i].share;
	for (size_t i = 0; i < NPERIODS; i++)
		pshare[i] = timer_periods[i].share;
	/* popularity: lognormal weights spanning many orders of magnitude;
	 * timers fire on their period */
	double wsum = 0, timer_per_day = 0;
	for (uint32_t f = 0; f < nf; f++) {
		F[f].trig = (uint8_t)pick(rs, share, NTRIG);
		if (F[f].trig == TRIG_TIMER) {
			F[f].period = timer_periods[pick(rs, pshare,
							 NPERIODS)].period;
			F[f].phase = (uint32_t)gsl_rng_uniform_int(rs,
								   F[f].period);
			timer_per_day += (MIN_PER_DAY - F[f].phase +
					  F[f].period - 1) / F[f].period;
		} else {
			F[f].rate = gsl_ran_lognormal(rs, 0, 3.0);
			wsum += F[f].rate;
			F[f].amp = 0.1 + 0.5 * gsl_rng_uniform(rs);
			double pk = 840 + gsl_ran_gaussian(rs, 60);
			F[f].peak = (uint32_t)fmod(fmod(pk, MIN_PER_DAY) +
						   MIN_PER_DAY, MIN_PER_DAY);
		}
		F[f].dur_med_ms = fmin(300000, fmax(1,
				gsl_ran_lognormal(rs, log(600), 2.2)));
		F[f].dur_sigma = 0.2 + gsl_rng_uniform(rs);
	}
	double target = rate * 60 * MIN_PER_DAY;	/* per day */
	double rest = fmax(target - timer_per_day, 0.1 * target);
	for (uint32_t f = 0; f < nf; f++)
		if (F[f].trig != TRIG_TIMER && wsum > 0)
			F[f].rate *= rest / wsum / MIN_PER_DAY;
	gsl_rng_free(rs);
	g->napps = napps;
	g->nowners = nowners;
	g->ids = xmalloc(sizeof(*g->ids) * (nf ? nf : 1));
	for (uint32_t f = 0; f < nf; f++) {
		hex_id(seed, kind + 1, A[F[f].app].owner, g->ids[f][0]);
		hex_id(seed, kind + 2, F[f].app, g->ids[f][1]);
		hex_id(seed, kind + 3, f, g->ids[f][2]);
	}
}

static void group_free(struct sgroup *g)
{
	free(g->F);
	free(g->A);
	free(g->ids);
	gsl_rng_free(g->rc);
}

/* Day (d)'s rows of group (g) into (out); (row) and (c) are scratch. */
static void group_day(struct sgroup *g, uint32_t d, const double *cosm,
		      uint32_t *c, char *row, uint64_t *minute_counts,
		      FILE *out)
{
	uint64_t day0 = (uint64_t)d * MIN_PER_DAY;
	uint32_t zero = g->from_min <= day0 ? 0 :
			g->from_min - day0 >= MIN_PER_DAY ? MIN_PER_DAY :
			(uint32_t)(g->from_min - day0);
	for (uint32_t f = 0; f < g->nf; f++) {
		gen_day(&g->F[f], g->rc, cosm, c);
		memset(c, 0, sizeof(uint32_t) * zero);
		char *p = row;
		for (int k = 0; k < 3; k++) {
			memcpy(p, g->ids[f][k], 64);
			p[64] = ',';
			p += 65;
		}
		size_t tl = strlen(triggers[g->F[f].trig].name);
		memcpy(p, triggers[g->F[f].trig].name, tl);
		p += tl;
		for (uint32_t m = 0; m < MIN_PER_DAY; m++) {
			*p++ = ',';
			p += put_u64(p, c[m]);
			g->F[f].total += c[m];
		}
		if (minute_counts)
			for (uint32_t m = 0; m < MIN_PER_DAY; m++)
				minute_counts[day0 + m] += c[m];
		*p++ = '\n';
		fwrite(row, 1, (size_t)(p - row), out);
	}
}

/* Group (g)'s durations rows into (out); counts its apps' totals and the
 * report's invocations. */
static void group_durations(struct sgroup *g, struct wl_synth_report *rep,
			    FILE *out)
{
	static const double q[7] = { 0.001, 0.01, 0.25, 0.5, 0.75, 0.99,
				     0.999 };
	for (uint32_t f = 0; f < g->nf; f++) {
		const struct sfn *F = &g->F[f];
		double v[7];
		for (int k = 0; k < 7; k++)
			v[k] = fmax(1, round(lq(F->dur_med_ms, F->dur_sigma,
						q[k])));
		double avg = F->dur_med_ms *
			     exp(F->dur_sigma * F->dur_sigma / 2);
		fprintf(out, "%s,%s,%s,%.1f,%" PRIu64 ".0,%.1f,%.1f",
			g->ids[f][0], g->ids[f][1], g->ids[f][2], avg,
			F->total, v[0], v[6]);
		for (int k = 0; k < 7; k++)
			fprintf(out, ",%.1f", v[k]);
		fputc('\n', out);
		g->A[F->app].total += F->total;
		rep->invocations += F->total;
		rep->invoked += F->total > 0;
	}
}

/* Group (g)'s memory rows into (out). */
static void group_memory(const struct sgroup *g, uint64_t seed, FILE *out)
{
	static const double q[8] = { 0.01, 0.05, 0.25, 0.5, 0.75, 0.95,
				     0.99, 0.999 };
	for (uint32_t a = 0; a < g->napps; a++) {
		const struct sapp *A = &g->A[a];
		char owner[65], app[65];
		hex_id(seed, g->kind + 1, A->owner, owner);
		hex_id(seed, g->kind + 2, a, app);
		double avg = A->mem_med_mib *
			     exp(A->mem_sigma * A->mem_sigma / 2);
		fprintf(out, "%s,%s,%" PRIu64 ".0,%.1f", owner, app,
			A->total / 10 + 1, avg);
		for (int k = 0; k < 8; k++)
			fprintf(out, ",%.1f", lq(A->mem_med_mib, A->mem_sigma,
						 q[k]));
		fputc('\n', out);
	}
}

int wl_synth_write(const struct wl_synth_opts *o, const char *dir,
		   struct wl_synth_report *rep, char *err, size_t errlen)
{
	if (o->format == WL_TRACE_INVOCATIONS && o->late_functions) {
		snprintf(err, errlen, "synth: late functions are written in "
			 "the azure2019 format only");
		return -EINVAL;
	}
	if (o->format == WL_TRACE_INVOCATIONS)
		return wlt_synth_inv(o, dir, rep, err, errlen);
	if (o->format != WL_TRACE_AZURE2019 && o->format != WL_TRACE_AUTO) {
		snprintf(err, errlen, "synth: writes the azure2019 and "
			 "invocations formats only");
		return -EINVAL;
	}
	uint32_t nf = o->functions ? o->functions : 1000;
	uint32_t days = o->days ? o->days : 1;
	double rate = o->rate_per_s > 0 ? o->rate_per_s : 50;
	memset(rep, 0, sizeof(*rep));
	if (days > 999) {
		snprintf(err, errlen, "synth: at most 999 days");
		return -EINVAL;
	}
	if (o->late_functions > UINT32_MAX - nf) {
		snprintf(err, errlen, "synth: too many functions");
		return -EINVAL;
	}
	int rc = mkdir_p(dir);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
		return rc;
	}
	/* group 1, the late functions, at the rate per function of group 0 */
	struct sgroup G[2];
	uint32_t ng = o->late_functions ? 2 : 1;
	group_init(&G[0], o->seed, nf, rate, 0x5e17, 0, 0);
	if (ng > 1)
		group_init(&G[1], o->seed, o->late_functions,
			   rate * o->late_functions / nf, 0x5e18, 8,
			   o->late_from_min);
	double cosm[MIN_PER_DAY];
	for (uint32_t m = 0; m < MIN_PER_DAY; m++)
		cosm[m] = cos(2 * 3.14159265358979323846 * m / MIN_PER_DAY);

	char path[WL_TRACE_PATH_LEN];
	uint32_t *c = xmalloc(sizeof(uint32_t) * MIN_PER_DAY);
	if (o->minute_counts)
		memset(o->minute_counts, 0,
		       sizeof(uint64_t) * MIN_PER_DAY * days);
	char *row = xmalloc(3 * 65 + 32 + MIN_PER_DAY * 12);
	rc = 0;
	for (uint32_t d = 0; d < days && rc == 0; d++) {
		char name[64];
		if (days == 1)
			snprintf(name, sizeof(name), "invocations.csv");
		else
			snprintf(name, sizeof(name), "invocations.d%02u.csv",
				 d + 1);
		FILE *out = wlt_create(dir, name, path, sizeof(path), err,
				       errlen);
		if (!out) {
			rc = -EIO;
			break;
		}
		fputs("HashOwner,HashApp,HashFunction,Trigger", out);
		for (uint32_t m = 1; m <= MIN_PER_DAY; m++)
			fprintf(out, ",%u", m);
		fputc('\n', out);
		for (uint32_t i = 0; i < ng; i++)
			group_day(&G[i], d, cosm, c, row, o->minute_counts,
				  out);
		rc = wlt_finish(out, path, &rep->bytes, err, errlen);
	}
	FILE *out = rc ? NULL : wlt_create(dir, "durations.csv", path,
					   sizeof(path), err, errlen);
	if (!rc && !out)
		rc = -EIO;
	if (out) {
		fputs("HashOwner,HashApp,HashFunction,Average,Count,Minimum,"
		      "Maximum,percentile_Average_0,percentile_Average_1,"
		      "percentile_Average_25,percentile_Average_50,"
		      "percentile_Average_75,percentile_Average_99,"
		      "percentile_Average_100\n", out);
		for (uint32_t i = 0; i < ng; i++)
			group_durations(&G[i], rep, out);
		rc = wlt_finish(out, path, &rep->bytes, err, errlen);
	}
	out = rc ? NULL : wlt_create(dir, "memory.csv", path, sizeof(path),
				     err, errlen);
	if (!rc && !out)
		rc = -EIO;
	if (out) {
		fputs("HashOwner,HashApp,SampleCount,AverageAllocatedMb,"
		      "AverageAllocatedMb_pct1,AverageAllocatedMb_pct5,"
		      "AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,"
		      "AverageAllocatedMb_pct75,AverageAllocatedMb_pct95,"
		      "AverageAllocatedMb_pct99,AverageAllocatedMb_pct100\n",
		      out);
		for (uint32_t i = 0; i < ng; i++)
			group_memory(&G[i], o->seed, out);
		rc = wlt_finish(out, path, &rep->bytes, err, errlen);
	}
	rep->functions = nf + o->late_functions;
	rep->apps = rep->owners = 0;
	for (uint32_t i = 0; i < ng; i++) {
		rep->apps += G[i].napps;
		rep->owners += G[i].nowners;
		group_free(&G[i]);
	}
	rep->days = days;
	free(row);
	free(c);
	return rc;
}
