/* fit.c - fitting measurements to cost-model parameters (models/fit.h).
 * The expressions keep the order of their floating point operations from
 * the calibration and validation code they were taken from, so a fitted
 * file or a translated configuration is the same to the bit. */
#include <math.h>
#include <stdlib.h>
#include "models/fit.h"

/* ---- samples ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void fit_sort(double *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(*v), cmp_double);
}

double fit_quantile(const double *sorted, size_t n, double q)
{
	if (n == 0)
		return NAN;
	if (q <= 0)
		return sorted[0];
	if (q >= 1)
		return sorted[n - 1];
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)floor(h);
	double frac = h - (double)lo;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

double fit_mean(const double *v, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		m += v[i];
	return n ? m / (double)n : NAN;
}

/* Sums of ln r and its square, then their moments. */
static void log_add(double r, double *s1, double *s2)
{
	double l = log(r);
	*s1 += l;
	*s2 += l * l;
}

static void log_moments(double s1, double s2, size_t n, double *mu,
			double *sigma)
{
	*mu = s1 / (double)n;
	double var = s2 / (double)n - *mu * *mu;
	*sigma = var > 0 ? sqrt(var) : 0;
}

void fit_log_moments(const double *v, size_t n, double *mu, double *sigma)
{
	double s1 = 0, s2 = 0;
	for (size_t i = 0; i < n; i++)
		log_add(v[i], &s1, &s2);
	log_moments(s1, s2, n, mu, sigma);
}

void fit_sub_floor(double *v, size_t n, double d)
{
	for (size_t i = 0; i < n; i++) {
		double x = v[i] - d;
		v[i] = x > 0 ? x : 0;
	}
}

void fit_points(const double *sorted, size_t n, const double *pcts,
		size_t np, double scale, double floor_v, double *out)
{
	for (size_t i = 0; i < np; i++) {
		double v = fit_quantile(sorted, n, pcts[i] / 100) * scale;
		out[i] = v < floor_v ? floor_v : v;
	}
}

/* ---- a line over sizes ---- */

struct fit_line fit_line(const double *x, const double *y, size_t n)
{
	double s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
	struct fit_line f = { .bound = FIT_FREE };

	for (size_t i = 0; i < n; i++) {
		double w = y[i] > 0 ? 1 / (y[i] * y[i]) : 1;
		s += w, sx += w * x[i], sy += w * y[i];
		sxx += w * x[i] * x[i], sxy += w * x[i] * y[i];
	}
	double v = s * sxx - sx * sx;
	f.per = v > 0 ? (s * sxy - sx * sy) / v : 0;
	f.fixed = s > 0 ? (sy - f.per * sx) / s : 0;
	if (f.per < 0) {
		f.per = 0;
		f.fixed = sy / s;
		f.bound = FIT_FLAT;
	}
	if (f.fixed < 0) {
		f.fixed = 0;
		f.per = sxx > 0 ? sxy / sxx : 0;
		f.bound = FIT_ORIGIN;
	}
	for (size_t i = 0; i < n; i++) {
		double e = fabs(f.fixed + f.per * x[i] - y[i]) / y[i];
		if (y[i] > 0 && e > f.max_err)
			f.max_err = e;
	}
	return f;
}

/* ---- the guests' speed ---- */

struct fit_speed fit_speed(const double *real, const double *nominal,
			   size_t n)
{
	struct fit_speed sp = { .ratio = 1 };
	double a = 0, b = 0, s1 = 0, s2 = 0;
	for (size_t k = 0; k < n; k++) {
		log_add(real[k] / nominal[k], &s1, &s2);
		a += real[k];
		b += nominal[k];
	}
	if (!n)
		return sp;
	sp.n = n;
	sp.ratio = a / b;
	log_moments(s1, s2, n, &sp.mu, &sp.sigma);
	return sp;
}

void fit_fold_speed(struct dist *d, const struct fit_speed *sp)
{
	if (!sp->n)
		return;
	if (d->kind == DIST_LOGNORMAL) {
		d->a += sp->mu;
		d->b = sqrt(d->b * d->b + sp->sigma * sp->sigma);
	} else {
		fit_dist_scale(d, sp->ratio);
	}
}

/* ---- distributions to measured values ---- */

void fit_dist_scale(struct dist *d, double k)
{
	if (k < 0)
		k = 0;
	switch (d->kind) {
	case DIST_CONSTANT:
	case DIST_EXPONENTIAL:
		d->a *= k;
		break;
	case DIST_LOGNORMAL:
		d->a = k > 0 ? d->a + log(k) : -700;
		break;
	case DIST_GAMMA:
		d->b *= k;
		break;
	case DIST_UNIFORM:
		d->a *= k;
		d->b *= k;
		break;
	case DIST_EMPIRICAL:
		for (int i = 0; i < d->npoints; i++)
			d->v[i] *= k;
		break;
	default:
		break;
	}
}

int fit_dist_to_mean(struct dist *d, double mean, double *old)
{
	double m0 = dist_mean(d);
	if (!(mean > 0) || !(m0 > 0))
		return 0;
	fit_dist_scale(d, mean / m0);
	*old = m0;
	return 1;
}

void fit_dist_values(struct dist *d, double *v, int n)
{
	double mean = 0;
	for (int i = 0; i < n; i++)
		mean += v[i] / n;
	if (d->kind != DIST_EMPIRICAL || 2 * n > DIST_MAX_POINTS) {
		double m0 = dist_mean(d);
		if (m0 > 0)
			fit_dist_scale(d, mean / m0);
		return;
	}
	double q[DIST_MAX_POINTS], x[DIST_MAX_POINTS];
	for (int i = 1; i < n; i++)	/* insertion sort, n <= 8 */
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		q[2 * i] = 100.0 * i / n + (i ? 1e-6 : 0);
		q[2 * i + 1] = 100.0 * (i + 1) / n;
		x[2 * i] = x[2 * i + 1] = v[i];
	}
	dist_init_empirical(d, 2 * n, q, x);
}

/* ---- block speed-ups ---- */

double fit_speedup(double base, double opt)
{
	if (!(base > 0) || !(opt > 0))
		return 0;
	return base / opt < 1 ? 1 : base / opt;
}

unsigned fit_speedup_class(double *v, size_t n, double bound, int serial)
{
	double lim = serial ? bound - 0.001 : bound;
	unsigned moved = 0;
	for (size_t i = 0; i < n; i++) {
		if (serial ? v[i] > lim : v[i] < lim) {
			v[i] = lim;
			moved++;
		}
	}
	return moved;
}

/* ---- single parameters ---- */

double fit_touched_mib(double extra_us, double fault_us)
{
	return (extra_us > 0 ? extra_us : 0) / fault_us * 4096 / 1048576;
}

int64_t fit_sample_cost_ns(double agent_ns)
{
	return (int64_t)llround(agent_ns > 0 ? agent_ns : 0);
}
