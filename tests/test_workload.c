/* test_workload.c - the synthetic workload: opening it (phases, memory),
 * the Poisson/MMPP/diurnal arrival processes, Zipf popularity, phases and
 * arrival determinism (the catalog it draws from: test_catalog.c).
 * Statistical checks use fixed seeds and bounds of 5 standard deviations
 * of the exact (or stated asymptotic) distribution, so they fail only on
 * a real deviation. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "exp/params.h"
#include "base/dist.h"
#include "workloads/catalog.h"
#include "workloads/workload.h"
#include "tests/cu.h"

#define S_NS 1000000000LL

static void base_config(struct vms_config *c)
{
	cfg_defaults(c);
	c->workload.functions = 20;
	c->workload.rate_per_s = 100;
	c->duration_ns = 1000 * S_NS;
}

/* ---- the synthetic workload ---- */

static struct wl_arrival *collect(const struct vms_config *c, uint64_t seed,
				  size_t *n, struct wl_source **keep)
{
	struct wl_source *src = NULL;
	char err[512] = "";
	*n = 0;
	if (wl_open(c, seed, &src, err, sizeof(err)) < 0) {
		fprintf(stderr, "wl_open: %s\n", err);
		return NULL;
	}
	size_t cap = 1024;
	struct wl_arrival *v = calloc(cap, sizeof(*v));
	for (;;) {
		if (*n == cap) {
			v = realloc(v, 2 * cap * sizeof(*v));
			memset(v + cap, 0, cap * sizeof(*v));
			cap *= 2;
		}
		int rc = wl_next(src, &v[*n]);
		if (rc <= 0)
			break;
		(*n)++;
	}
	if (keep)
		*keep = src;
	else
		wl_free(src);
	return v;
}

/* Arrivals are well formed against the source's catalog. */
static int arrivals_ok(const struct wl_arrival *v, size_t n,
		       const struct wl_source *src, const struct vms_config *c)
{
	int ok = 1;
	for (size_t i = 0; i < n && ok; i++) {
		const struct cat_func *fn = &src->cat->funcs[v[i].func];
		uint64_t mask = fn->nlibs == 64 ? UINT64_MAX :
			(UINT64_C(1) << fn->nlibs) - 1;
		int64_t e = c->workload.phase_every_ns;
		ok = v[i].t_ns >= 0 && v[i].t_ns < c->duration_ns &&
		     (i == 0 || v[i].t_ns >= v[i - 1].t_ns) &&
		     v[i].func < src->nfuncs && v[i].service_ns >= 1 &&
		     (v[i].calls & ~mask) == 0 &&
		     v[i].phase == (e > 0 ? (uint64_t)(v[i].t_ns / e) : 0);
	}
	return ok;
}

static void test_open(void)
{
	struct vms_config c;
	struct wl_source *src = NULL;
	char err[512] = "";
	base_config(&c);
	c.workload.phase_every_ns = 300 * S_NS;
	CU_ASSERT_EQUAL_FATAL(wl_open(&c, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src->cat);
	CU_ASSERT_EQUAL(src->nfuncs, 20);
	CU_ASSERT_EQUAL(src->cat->nfuncs, 20);
	CU_ASSERT_EQUAL(src->cat->nphases, 5);	/* ceil(1000/300) + 1 */
	int same = 1;
	for (uint32_t f = 0; f < src->nfuncs; f++)
		same &= src->func_mem_mib[f] == src->cat->funcs[f].mem_mib;
	CU_ASSERT(same);
	wl_free(src);

	c.workload.phase_every_ns = 100 * S_NS;
	CU_ASSERT_EQUAL_FATAL(wl_open(&c, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(src->cat->nphases, 11);
	wl_free(src);

	c.workload.phase_every_ns = S_NS / 1000;	/* 1e6 phases */
	src = NULL;
	CU_ASSERT_EQUAL(wl_open(&c, 1, &src, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NULL(src);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "workload.phases.every"));
}

/* Poisson: count over T within 5 sd (sqrt(rate T)) of rate T. */
static void test_poisson_count(void)
{
	struct vms_config c;
	struct wl_source *src;
	size_t n;
	base_config(&c);
	struct wl_arrival *v = collect(&c, 21, &n, &src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	double mean = c.workload.rate_per_s * (double)c.duration_ns / S_NS;
	CU_ASSERT(fabs((double)n - mean) < 5 * sqrt(mean));
	CU_ASSERT(arrivals_ok(v, n, src, &c));
	wl_free(src);
	free(v);
}

/* Counts per window of (w_ns): variance / mean. */
static double dispersion(const struct wl_arrival *v, size_t n, int64_t T,
			 int64_t w_ns)
{
	size_t m = (size_t)(T / w_ns);
	double *cnt = calloc(m, sizeof(*cnt));
	for (size_t i = 0; i < n; i++)
		if ((size_t)(v[i].t_ns / w_ns) < m)
			cnt[v[i].t_ns / w_ns]++;
	double s = 0, s2 = 0;
	for (size_t k = 0; k < m; k++)
		s += cnt[k];
	double mean = s / m;
	for (size_t k = 0; k < m; k++)
		s2 += (cnt[k] - mean) * (cnt[k] - mean);
	free(cnt);
	return s2 / (m - 1) / mean;
}

/* Stationary 2-state MMPP (rates lL, lH; leaving rates a1 = 1/T_L,
 * a2 = 1/T_H): lambda(t) has covariance c e^{-a|tau|} with
 * c = piL piH (lH - lL)^2 and a = a1 + a2, so the count over T has
 * Var N(T) = mean T + 2c (T/a - (1 - e^{-aT}) / a^2) (Cox process). The
 * mean test uses 5 of these sds; the window test the same formula for the
 * index of dispersion of windows of w. */
static double mmpp_var(double rate, double h, double tl, double th,
		       double T)
{
	double pl = tl / (tl + th), ph = th / (tl + th);
	double low = rate * (tl + th) / (tl + h * th), d = (h - 1) * low;
	double cv = pl * ph * d * d, a = 1 / tl + 1 / th;
	return rate * T + 2 * cv * (T / a - (1 - exp(-a * T)) / (a * a));
}

static void test_mmpp(void)
{
	const double rate = 100, h = 10, tl = 4, th = 1, T = 4000, w = 2;
	struct vms_config c;
	struct wl_source *src;
	size_t n;
	base_config(&c);
	c.workload.arrival = ARR_MMPP;
	c.workload.rate_per_s = rate;
	c.workload.mmpp_high = h;
	c.workload.mmpp_low_ns = (int64_t)(tl * S_NS);
	c.workload.mmpp_high_ns = (int64_t)(th * S_NS);
	c.duration_ns = (int64_t)(T * S_NS);
	struct wl_arrival *v = collect(&c, 31, &n, &src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(arrivals_ok(v, n, src, &c));
	double sd = sqrt(mmpp_var(rate, h, tl, th, T));
	CU_ASSERT(fabs((double)n - rate * T) < 5 * sd);
	/* Windows of w s: over-dispersed, near the analytic index (about
	 * 168 here). Over 200 seeds the estimate / analytic ratio had mean
	 * 1.00 and sd 0.024; the bound is 15% (6 of those sds). */
	double idc = dispersion(v, n, c.duration_ns, (int64_t)(w * S_NS));
	double want = mmpp_var(rate, h, tl, th, w) / (rate * w);
	CU_ASSERT(idc > 1.5);
	CU_ASSERT(fabs(idc / want - 1) < 0.15);
	wl_free(src);
	free(v);

	/* Control: Poisson windows have index 1 (sd about sqrt(2 / m)). */
	c.workload.arrival = ARR_POISSON;
	v = collect(&c, 31, &n, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	idc = dispersion(v, n, c.duration_ns, (int64_t)(w * S_NS));
	CU_ASSERT(fabs(idc - 1) < 5 * sqrt(2 / (T / w)));
	free(v);
}

/* Diurnal: arrivals in the peak quarter period (t mod P in [P/8, 3P/8])
 * over those in the trough quarter ([5P/8, 7P/8]): analytic ratio
 * (1 + 2 sqrt2 A / pi) / (1 - 2 sqrt2 A / pi); relative sd of the ratio of
 * two independent Poisson counts sqrt(1/Np + 1/Nt). */
static void test_diurnal(void)
{
	const double A = 0.5, P = 100, T = 4000;
	struct vms_config c;
	struct wl_source *src;
	size_t n;
	base_config(&c);
	c.workload.arrival = ARR_DIURNAL;
	c.workload.diurnal_amplitude = A;
	c.workload.diurnal_period_ns = (int64_t)(P * S_NS);
	c.duration_ns = (int64_t)(T * S_NS);
	struct wl_arrival *v = collect(&c, 41, &n, &src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(arrivals_ok(v, n, src, &c));
	double peak = 0, trough = 0;
	for (size_t i = 0; i < n; i++) {
		double x = fmod((double)v[i].t_ns / S_NS, P) / P;
		peak += x >= 0.125 && x < 0.375;
		trough += x >= 0.625 && x < 0.875;
	}
	double k = 2 * sqrt(2) * A / M_PI;
	double want = (1 + k) / (1 - k), got = peak / trough;
	CU_ASSERT(fabs(got / want - 1) < 5 * sqrt(1 / peak + 1 / trough));
	/* Whole periods: the mean rate is the base rate. */
	double mean = c.workload.rate_per_s * T;
	CU_ASSERT(fabs((double)n - mean) < 5 * sqrt(mean));
	wl_free(src);
	free(v);
}

static double harmonic(uint32_t n, double s)
{
	double h = 0;
	for (uint32_t k = 1; k <= n; k++)
		h += pow(k, -s);
	return h;
}

/* One phase: function f's frequency within 5 binomial sds of
 * (f + 1)^-s / H(n, s); the most popular function's mean service time
 * within 5 standard errors of mean(service) * its service_scale (the
 * default service is lognormal with cv 1: sd = mean). */
static void test_zipf(void)
{
	struct vms_config c;
	struct wl_source *src;
	size_t n;
	base_config(&c);
	struct wl_arrival *v = collect(&c, 51, &n, &src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	uint32_t nf = src->nfuncs;
	double H = harmonic(nf, c.workload.zipf_s);
	size_t *cnt = calloc(nf, sizeof(*cnt));
	double svc0 = 0;
	for (size_t i = 0; i < n; i++) {
		cnt[v[i].func]++;
		if (v[i].func == 0)
			svc0 += (double)v[i].service_ns;
	}
	int ok = 1;
	for (uint32_t f = 0; f < nf; f++) {
		double p = pow(f + 1, -c.workload.zipf_s) / H;
		ok &= fabs(cnt[f] - n * p) < 5 * sqrt(n * p * (1 - p));
	}
	CU_ASSERT(ok);
	double p0 = 1 / H;
	CU_ASSERT(fabs(cnt[0] - n * p0) < 5 * sqrt(n * p0 * (1 - p0)));
	double m = dist_mean(&c.workload.service) *
		   src->cat->funcs[0].service_scale;
	CU_ASSERT(fabs(svc0 / cnt[0] - m) < 5 * m / sqrt(cnt[0]));
	free(cnt);
	wl_free(src);
	free(v);
}

/* Phases: each phase's most frequent function is that phase's rank-0
 * function, which changes at least once; per-phase library call
 * frequencies follow that phase's call_prob, including for functions
 * whose mix was shifted; about a fraction `shift` of the functions is
 * shifted at each change; with shift 0 nothing changes. */
static void test_phases(void)
{
	const double every_s = 100;
	struct vms_config c;
	struct wl_source *src;
	size_t n;
	base_config(&c);
	c.workload.rate_per_s = 200;
	c.workload.phase_every_ns = (int64_t)(every_s * S_NS);
	c.workload.phase_shift = 0.5;
	struct wl_arrival *v = collect(&c, 61, &n, &src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(arrivals_ok(v, n, src, &c));
	const struct catalog *cat = src->cat;
	uint32_t nf = cat->nfuncs, np = 10;	/* phases with arrivals */
	CU_ASSERT_FATAL(cat->nphases >= np);

	size_t *cnt = calloc((size_t)np * nf, sizeof(*cnt));
	size_t *calls = calloc((size_t)np * nf * CAT_MAX_LIBS, sizeof(*calls));
	for (size_t i = 0; i < n; i++) {
		size_t pf = (size_t)v[i].phase * nf + v[i].func;
		cnt[pf]++;
		for (uint32_t b = 0; b < CAT_MAX_LIBS; b++)
			calls[pf * CAT_MAX_LIBS + b] += v[i].calls >> b & 1;
	}
	double H = harmonic(nf, c.workload.zipf_s);
	int top_ok = 1, top_changes = 0;
	uint32_t prev_top = 0;
	for (uint32_t p = 0; p < np; p++) {
		uint32_t top = 0, emp = 0;
		for (uint32_t f = 0; f < nf; f++) {
			if (cat->rank[(size_t)p * nf + f] == 0)
				top = f;
			if (cnt[p * nf + f] > cnt[p * nf + emp])
				emp = f;
		}
		size_t tot = 0;
		for (uint32_t f = 0; f < nf; f++)
			tot += cnt[p * nf + f];
		double q = 1 / H;
		top_ok &= emp == top && fabs(cnt[p * nf + top] - tot * q) <
			  5 * sqrt(tot * q * (1 - q));
		top_changes += p > 0 && top != prev_top;
		prev_top = top;
	}
	CU_ASSERT(top_ok);
	CU_ASSERT(top_changes > 0);

	int freq_ok = 1, shifted_checked = 0, changed = 0;
	for (uint32_t p = 0; p < np; p++) {
		for (uint32_t f = 0; f < nf; f++) {
			const struct cat_func *fn = &cat->funcs[f];
			const double *cp = fn->call_prob + p * fn->nlibs;
			if (p > 0)
				changed += memcmp(cp, cp - fn->nlibs,
						  fn->nlibs * sizeof(*cp)) ||
					   memcmp(fn->share + p * fn->nblocks,
						  fn->share + (p - 1) *
						  fn->nblocks,
						  fn->nblocks * sizeof(double));
			double m = (double)cnt[p * nf + f];
			if (m < 1000)
				continue;
			for (uint32_t i = 0; i < fn->nlibs; i++) {
				double q = cp[i];
				double k = (double)calls[(p * nf + f) *
							 CAT_MAX_LIBS + i];
				freq_ok &= fabs(k - m * q) <=
					   5 * sqrt(m * q * (1 - q)) + 1e-9;
				shifted_checked += p > 0 &&
					fabs(q - (cp - fn->nlibs)[i]) > 0.3 &&
					cnt[(p - 1) * nf + f] >= 1000;
			}
		}
	}
	CU_ASSERT(freq_ok);
	CU_ASSERT(shifted_checked > 0);
	/* Shifted functions over 9 changes: Binomial(9 nf, 0.5). */
	double tr = 9.0 * nf;
	CU_ASSERT(fabs(changed - tr * 0.5) < 5 * sqrt(tr * 0.25));
	free(cnt);
	free(calls);
	wl_free(src);
	free(v);

	char err[512] = "";
	c.workload.phase_shift = 0;
	CU_ASSERT_FATAL(wl_open(&c, 61, &src, err, sizeof(err)) == 0);
	cat = src->cat;
	int still = 1;
	for (uint32_t p = 1; p < cat->nphases; p++)
		for (uint32_t f = 0; f < nf; f++) {
			const struct cat_func *fn = &cat->funcs[f];
			still &= cat->rank[(size_t)p * nf + f] == f &&
				 !memcmp(fn->call_prob + p * fn->nlibs,
					 fn->call_prob,
					 fn->nlibs * sizeof(double)) &&
				 !memcmp(fn->share + p * fn->nblocks,
					 fn->share,
					 fn->nblocks * sizeof(double));
		}
	CU_ASSERT(still);
	wl_free(src);
}

/* Same seed: byte-identical arrival arrays (every process, with phases);
 * another seed: different. Function, service and call draws come from
 * their own streams: Poisson and diurnal arrivals under one seed share
 * them arrival by arrival, and another service distribution changes
 * only the service times. */
static void test_arrival_determinism(void)
{
	for (int kind = 0; kind < ARR_COUNT; kind++) {
		struct vms_config c;
		size_t n1, n2, n3;
		base_config(&c);
		c.duration_ns = 200 * S_NS;
		c.workload.arrival = kind;
		c.workload.mmpp_low_ns = 20 * S_NS;
		c.workload.mmpp_high_ns = 5 * S_NS;
		c.workload.diurnal_period_ns = 50 * S_NS;
		c.workload.phase_every_ns = 30 * S_NS;
		struct wl_arrival *a = collect(&c, 71, &n1, NULL);
		struct wl_arrival *b = collect(&c, 71, &n2, NULL);
		struct wl_arrival *d = collect(&c, 72, &n3, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT(n1 > 1000);
		CU_ASSERT_EQUAL(n1, n2);
		CU_ASSERT(n1 == n2 && !memcmp(a, b, n1 * sizeof(*a)));
		size_t m = n1 < n3 ? n1 : n3;
		CU_ASSERT(n1 != n3 || memcmp(a, d, m * sizeof(*a)));
		free(a);
		free(b);
		free(d);
	}

	struct vms_config c;
	size_t n1, n2;
	base_config(&c);
	c.duration_ns = 200 * S_NS;
	struct wl_arrival *a = collect(&c, 81, &n1, NULL);
	c.workload.arrival = ARR_DIURNAL;
	c.workload.diurnal_period_ns = 50 * S_NS;
	struct wl_arrival *b = collect(&c, 81, &n2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	size_t m = n1 < n2 ? n1 : n2;
	int same = 1, times = 0;
	for (size_t i = 0; i < m; i++) {
		same &= a[i].func == b[i].func &&
			a[i].service_ns == b[i].service_ns &&
			a[i].calls == b[i].calls;
		times += a[i].t_ns != b[i].t_ns;
	}
	CU_ASSERT(m > 1000);
	CU_ASSERT(same);
	CU_ASSERT(times > 0);
	free(b);

	/* Another service distribution: same functions and calls. */
	c.workload.arrival = ARR_POISSON;
	dist_init_constant(&c.workload.service, 50e6);
	struct wl_source *src;
	b = collect(&c, 81, &n2, &src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(n1, n2);
	same = n1 == n2;
	for (size_t i = 0; same && i < n1; i++)
		same = a[i].t_ns == b[i].t_ns && a[i].func == b[i].func &&
		       a[i].calls == b[i].calls &&
		       b[i].service_ns == llround(50e6 *
				src->cat->funcs[b[i].func].service_scale);
	CU_ASSERT(same);
	wl_free(src);
	free(a);
	free(b);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "synthetic: open, phases, memory", test_open },
		{ "synthetic: poisson count", test_poisson_count },
		{ "synthetic: mmpp mean and dispersion", test_mmpp },
		{ "synthetic: diurnal peak/trough ratio", test_diurnal },
		{ "synthetic: Zipf popularity and service scale", test_zipf },
		{ "synthetic: phases shift popularity and mix", test_phases },
		{ "synthetic: deterministic arrivals",
		  test_arrival_determinism },
		{ NULL, NULL },
	};
	return cu_run("workload", tests);
}
