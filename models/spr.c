/* spr.c - the steady state of the scale-per-request keep-alive model
 * (models/spr.h; the derivations: docs/literature.md): the published
 * birth-death approximation (tcc20), and the stack method, which follows
 * one idle period of an instance in an idle stack to its end (reused or
 * expired) by uniformization of a small absorbing chain. Invariant: no
 * clock, no randomness, no files; every sum runs in a fixed order. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "models/spr.h"

#define STATES_MAX 100000u	/* truncation when max_states is 0 */
#define TOL_DEFAULT 1e-13
#define WORK_MAX 1e8		/* uniformization steps of one level */

const char *const spr_method_names[] = { "tcc20", "stack", NULL };
const char *const spr_cold_names[] = { "whole", "boot", NULL };

int spr_method_find(const char *name, enum spr_method *m)
{
	for (int i = 0; spr_method_names[i]; i++)
		if (!strcmp(name, spr_method_names[i])) {
			*m = (enum spr_method)i;
			return 0;
		}
	return -EINVAL;
}

int spr_cold_find(const char *name, enum spr_cold *c)
{
	for (int i = 0; spr_cold_names[i]; i++)
		if (!strcmp(name, spr_cold_names[i])) {
			*c = (enum spr_cold)i;
			return 0;
		}
	return -EINVAL;
}

void spr_params_init(struct spr_params *p)
{
	memset(p, 0, sizeof(*p));
	p->cold = SPR_COLD_WHOLE;
}

static int fail(char *err, size_t n, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t n, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && n)
		vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return rc;
}

double spr_erlang_b(double rho, uint32_t servers)
{
	double b = 1;	/* B(0) */
	for (uint32_t k = 1; k <= servers; k++)
		b = rho * b / ((double)k + rho * b);
	return b;
}

/* ln of the Poisson(a) probability of k. */
static double pois_ln(double a, uint32_t k)
{
	if (a <= 0)
		return k ? -INFINITY : 0;
	return -a + (double)k * log(a) - lgamma((double)k + 1);
}

/* The smallest K with P(Poisson(a) > K) <= tol, at most lim. */
static uint32_t pois_hi(double a, double tol, uint32_t lim)
{
	double cdf = 0;
	for (uint32_t k = 0; k < lim; k++) {
		cdf += exp(pois_ln(a, k));
		if (1 - cdf <= tol && k >= a)
			return k;
	}
	return lim;
}

/* ---- the published model (Mahmoudi & Khazaei, TCC 2020) ---- */

/* E[X; X < tau] of an exponential X of rate lam: the mean gap between
 * two requests of an instance that outlives them, as the model has it. */
static double gap_mean(double lam, double tau)
{
	double x = lam * tau;
	if (x < 1e-5)
		return tau * (x / 2 - x * x / 3);
	return (-expm1(-x) - x * exp(-x)) / lam;
}

/* A growable array of doubles. */
struct vec {
	double *v;
	size_t n, cap;
};

static void vec_push(struct vec *a, double x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->v = xrealloc(a->v, a->cap * sizeof(double));
	}
	a->v[a->n++] = x;
}

/* States i = 0..N warm instances. In state i an arrival finds the i warm
 * instances as an M/M/i/i loss system: it is a cold start with
 * probability B(i) (Erlang B of load lambda/mu_w); i -> i+1 at the rate
 * of one cold start followed by its cold response; i -> i-1 at the sum of
 * the first i instances' expiry rates, instance k (in hunting order)
 * seeing lambda (B(k-1) - B(k)) and living T + (e^{lambda_k T} - 1)
 * E[X; X < T + 1/mu_w] on average. With a limit M, state M rejects what
 * it would have cold-started. */
static int solve_tcc20(const struct spr_params *p, struct spr_result *r,
		       char *err, size_t errlen)
{
	double lam = p->rate_per_s, ws = p->warm_s, T = p->ttl_s;
	int boot = p->cold == SPR_COLD_BOOT;
	double cm = boot ? p->cold_s + ws : p->cold_s;	/* cold busy, mean */
	double boot_s = boot ? p->cold_s : 0;
	double rho = lam * ws, tol = p->tol > 0 ? p->tol : TOL_DEFAULT;
	/* the highest state: the limit, the user's truncation, or as far
	 * as the tolerance needs */
	uint32_t top = p->max_states ? p->max_states - 1 : STATES_MAX;
	if (p->max_conc && p->max_conc < top)
		top = p->max_conc;
	struct vec b = { 0 }, lp = { 0 };
	vec_push(&b, 1);
	vec_push(&lp, 0);
	double kill = 0, lpmax = 0;
	int done = 0;
	for (uint32_t i = 0; i < top && !done; i++) {
		double bi = b.v[i];
		double bn = rho * bi / ((double)(i + 1) + rho * bi);
		double lk = lam * (bi - bn), life = T;
		if (lk > 0)
			life = T + expm1(lk * T) * gap_mean(lk, T + ws);
		kill += 1 / life;	/* inf when life is 0 */
		double birth = 1 / (1 / (lam * bi) + cm);
		double l = lp.v[i] + log(birth) - log(fmax(kill, DBL_MIN));
		vec_push(&b, bn);
		vec_push(&lp, l);
		if (l > lpmax)
			lpmax = l;
		/* past the mode (the chain is unimodal) and negligible */
		done = l < lp.v[i] && l < lpmax + log(tol);
	}
	int at_limit = p->max_conc && b.n == (size_t)p->max_conc + 1;
	if (!done && !at_limit && !p->max_states) {
		free(b.v);
		free(lp.v);
		return fail(err, errlen, -E2BIG, "tcc20: %u states do not "
			    "reach the tolerance %g (set a truncation)",
			    STATES_MAX, tol);
	}
	size_t n = b.n;
	double z = 0;
	for (size_t i = 0; i < n; i++)
		z += exp(lp.v[i] - lpmax);
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < n; i++) {
		double pi = exp(lp.v[i] - lpmax) / z;
		double cold = i ? b.v[i] : 1, rej = 0;
		if (p->max_conc && i == p->max_conc) {
			rej = cold;
			cold = 0;
		}
		double bw = lam * (1 - (i ? b.v[i] : 1)) * ws;
		double cbusy = lam * cold * cm;
		r->p_cold += pi * cold;
		r->p_reject += pi * rej;
		r->alive += pi * ((double)i + cbusy);
		r->booting += pi * lam * cold * boot_s;
		r->busy += pi * (bw + cbusy - lam * cold * boot_s);
		r->idle += pi * ((double)i - bw);
		r->resp_s += pi * (cold * cm + (1 - cold) * ws);
	}
	r->states = (uint32_t)n;
	r->trunc_mass = at_limit ? 0 : exp(lp.v[n - 1] - lpmax) / z;
	r->exact = 0;
	free(b.v);
	free(lp.v);
	return 0;
}

/* ---- the stack method ---- */

/* An idle instance of a most-recently-idle pool is the top of a stack:
 * later idle instances go above it and are taken first, and none above
 * it expires before it does (they went idle later). So it is taken at
 * the first arrival that finds the stack above it empty: when arrivals
 * since it went idle first outnumber completions, i.e. when the busy
 * count B, which every arrival of its idle period raises (all are
 * served warm) and every completion lowers, first climbs from its value
 * n at the start of the period to n + 1. It expires if that takes longer
 * than T. During the period B is a chain on the states (c, b): c
 * instances in their cold phase (whole: a cold response, rate g; boot:
 * a boot, rate g, then a warm service), b in a warm service (rate mu_w);
 * absorbed by an arrival in c + b = n. */
struct stack {
	double lam, mw, g;	/* arrival, warm completion, cold phase */
	int boot;		/* a cold phase ends in a warm service */
	double T;
	uint32_t nlev;		/* levels n = 0..nlev-1 allocated */
	uint32_t *cmax;		/* [n]: q, J computed for c = 0..cmax[n] */
	double **q;		/* [n][c]: P(expiry | c cold, n - c warm) */
	double **J;		/* [n][c]: E[min(idle period, T)] */
};

/* Survival u = exp(QT) 1 of the chain of level (n) with cold counts up to
 * (cmax), and its integral over [0, T], at the start states (c, n - c),
 * into q[c] and J[c]: by uniformization, with P = I + Q / L, u(T) =
 * sum_k Pois(LT; k) P^k 1 and the integral sum_k P(N > k) P^k 1 / L,
 * every term non-negative (no cancellation however small u is). */
static void uniformize(const struct stack *s, uint32_t n, uint32_t cmax,
		       const size_t *off, size_t ns, double L, double *q,
		       double *J)
{
	double *v = xmalloc(ns * sizeof(double));
	double *w = xmalloc(ns * sizeof(double));
	double a = L * s->T, la = log(a), cdf = 0;
	for (size_t i = 0; i < ns; i++)
		v[i] = 1;
	uint64_t kmax = (uint64_t)ceil(a + 12 * sqrt(a) + 40);
	for (uint64_t k = 0; k <= kmax; k++) {
		double pdf = exp(-a + (double)k * la - lgamma((double)k + 1));
		cdf += pdf;
		double tail = cdf < 1 ? 1 - cdf : 0;
		for (uint32_t c = 0; c <= cmax; c++) {
			double x = v[off[c] + (n - c)];
			q[c] += pdf * x;
			J[c] += tail * x;
		}
		double vmax = 0;
		for (uint32_t c = 0; c <= cmax; c++) {
			size_t down = c ? off[c - 1] + (s->boot ? 1 : 0) : 0;
			for (uint32_t b = 0; b + c <= n; b++) {
				size_t i = off[c] + b;
				double out = s->lam + b * s->mw + c * s->g;
				double x = (1 - out / L) * v[i];
				if (b + c < n)	/* else the arrival absorbs */
					x += s->lam / L * v[i + 1];
				if (b > 0)
					x += b * s->mw / L * v[i - 1];
				if (c > 0)	/* whole: (c-1, b); boot:
						 * (c-1, b+1) */
					x += c * s->g / L * v[down + b];
				w[i] = x;
				if (x > vmax)
					vmax = x;
			}
		}
		double *t = v;
		v = w;
		w = t;
		/* what is left adds at most vmax to q and vmax T to J */
		if (vmax * fmax(1, s->T) < 1e-18)
			break;
	}
	for (uint32_t c = 0; c <= cmax; c++)
		J[c] /= L;
	free(v);
	free(w);
}

/* Compute level (n) for cold counts 0..cmax into the table. */
static int stack_level(struct stack *s, uint32_t n, uint32_t cmax,
		       char *err, size_t errlen)
{
	double L = s->lam + (double)n * fmax(s->mw, s->g);
	if (L * s->T > WORK_MAX)
		return fail(err, errlen, -E2BIG, "stack: rate x keep-alive "
			    "too large (%.3g uniformization steps; use "
			    "--method tcc20)", L * s->T);
	size_t ns = 0, *off = xmalloc((cmax + 1) * sizeof(size_t));
	for (uint32_t c = 0; c <= cmax; c++) {
		off[c] = ns;
		ns += n - c + 1;
	}
	double *q = xcalloc(cmax + 1, sizeof(double));
	double *J = xcalloc(cmax + 1, sizeof(double));
	if (s->T > 0) {
		uniformize(s, n, cmax, off, ns, L, q, J);
	} else {
		for (uint32_t c = 0; c <= cmax; c++)
			q[c] = 1;	/* expired at once */
	}
	free(off);
	if (n >= s->nlev) {
		uint32_t m = s->nlev ? s->nlev : 16;
		while (m <= n)
			m *= 2;
		s->cmax = xrealloc(s->cmax, m * sizeof(uint32_t));
		s->q = xrealloc(s->q, m * sizeof(double *));
		s->J = xrealloc(s->J, m * sizeof(double *));
		for (uint32_t i = s->nlev; i < m; i++) {
			s->q[i] = s->J[i] = NULL;
			s->cmax[i] = 0;
		}
		s->nlev = m;
	}
	free(s->q[n]);
	free(s->J[n]);
	s->q[n] = q;
	s->J[n] = J;
	s->cmax[n] = cmax;
	return 0;
}

/* Make sure levels 0..nmax hold cold counts up to min(n, cneed). */
static int stack_ensure(struct stack *s, uint32_t nmax, uint32_t cneed,
			char *err, size_t errlen)
{
	for (uint32_t n = 0; n <= nmax; n++) {
		uint32_t want = cneed < n ? cneed : n;
		if (n < s->nlev && s->q[n] && s->cmax[n] >= want)
			continue;
		int rc = stack_level(s, n, want, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void stack_free(struct stack *s)
{
	for (uint32_t i = 0; i < s->nlev; i++) {
		free(s->q[i]);
		free(s->J[i]);
	}
	free(s->q);
	free(s->J);
	free(s->cmax);
}

/* Poisson(a) probabilities of 0..k into out[k + 1]. */
static void pois_fill(double a, uint32_t k, double *out)
{
	for (uint32_t i = 0; i <= k; i++)
		out[i] = exp(pois_ln(a, i));
}

/* One completion rate: B is an M/M/inf (M/M/M/M with a limit) system of
 * load rho whatever the pool does, and a completion leaves the others
 * busy with the stationary law restricted to 0..M-1 (reversibility), so
 * P(cold) = sum_{n<M} pi_n q_n and E[idle] = lambda sum_{n<M} pi_n J_n,
 * exactly. */
static int stack_one_rate(struct stack *s, const struct spr_params *p,
			  double tol, uint32_t lim, struct spr_result *r,
			  char *err, size_t errlen)
{
	double rho = s->lam / s->mw;
	uint32_t N = p->max_conc ? p->max_conc : pois_hi(rho, tol, lim);
	if (N >= lim && !p->max_conc)
		return fail(err, errlen, -E2BIG, "stack: %u busy counts do "
			    "not reach the tolerance %g", lim, tol);
	if (N > lim)
		return fail(err, errlen, -E2BIG, "stack: a limit of %u "
			    "instances is over the truncation %u", N, lim);
	double *pi = xmalloc((N + 1) * sizeof(double)), z = 0;
	pois_fill(rho, N, pi);
	for (uint32_t n = 0; n <= N; n++)
		z += pi[n];
	/* counts a completion may leave busy: 0..top-1 */
	uint32_t top = p->max_conc ? N : N + 1;
	int rc = stack_ensure(s, top - 1, 0, err, errlen);
	if (rc < 0) {
		free(pi);
		return rc;
	}
	memset(r, 0, sizeof(*r));
	if (p->max_conc) {
		for (uint32_t n = 0; n <= N; n++)
			pi[n] /= z;	/* Erlang's truncated Poisson */
		r->p_reject = pi[N];
	} else {
		r->trunc_mass = 1 - z;
	}
	for (uint32_t n = 0; n < top; n++) {
		r->p_cold += pi[n] * s->q[n][0];
		r->idle += s->lam * pi[n] * s->J[n][0];
	}
	r->busy = rho * (1 - r->p_reject);
	r->booting = 0;
	r->alive = r->busy + r->idle;
	r->resp_s = 1 / s->mw;
	r->states = N + 1;
	r->exact = 1;
	free(pi);
	return 0;
}

/* Two rates: at a completion, the other busy instances are taken as
 * independent Poisson counts of each phase, of means a_c and a_w given
 * by the cold fraction p (exact if cold starts were an independent
 * thinning of the arrivals); p is then the fixed point of p = F(p) =
 * E[q(C, W)]. */
struct fixed {
	struct stack *s;
	const struct spr_params *par;
	double tol;
	uint32_t lim;
	double *pc, *pw;	/* Poisson weights, scratch */
	uint32_t capc, capw;
	double idle, mass;	/* of the last evaluation */
};

static void phase_means(const struct fixed *f, double p, double *ac,
			double *aw)
{
	const struct spr_params *par = f->par;
	double lam = f->s->lam;
	if (f->s->boot) {
		*ac = lam * p * par->cold_s;
		*aw = lam * par->warm_s;
	} else {
		*ac = lam * p * par->cold_s;
		*aw = lam * (1 - p) * par->warm_s;
	}
}

static int fixed_eval(struct fixed *f, double p, double *Fp, char *err,
		      size_t errlen)
{
	double ac, aw;
	phase_means(f, p, &ac, &aw);
	uint32_t C = pois_hi(ac, f->tol, f->lim);
	uint32_t W = pois_hi(aw, f->tol, f->lim);
	if (C + W >= f->lim)
		return fail(err, errlen, -E2BIG, "stack: %u busy counts do "
			    "not reach the tolerance %g", f->lim, f->tol);
	if (C + 1 > f->capc) {
		f->capc = C + 1;
		f->pc = xrealloc(f->pc, f->capc * sizeof(double));
	}
	if (W + 1 > f->capw) {
		f->capw = W + 1;
		f->pw = xrealloc(f->pw, f->capw * sizeof(double));
	}
	pois_fill(ac, C, f->pc);
	pois_fill(aw, W, f->pw);
	int rc = stack_ensure(f->s, C + W, C, err, errlen);
	if (rc < 0)
		return rc;
	double sum = 0, idle = 0, mass = 0;
	for (uint32_t c = 0; c <= C; c++)
		for (uint32_t w = 0; w <= W; w++) {
			double x = f->pc[c] * f->pw[w];
			sum += x * f->s->q[c + w][c];
			idle += x * f->s->J[c + w][c];
			mass += x;
		}
	*Fp = sum;
	f->idle = f->s->lam * idle;
	f->mass = mass;
	return 0;
}

static int stack_two_rates(struct stack *s, const struct spr_params *par,
			   double tol, uint32_t lim, struct spr_result *r,
			   char *err, size_t errlen)
{
	struct fixed f = { .s = s, .par = par, .tol = tol, .lim = lim };
	double lo = 0, hi = 1, x, Fx;
	int rc = fixed_eval(&f, 0, &Fx, err, errlen);
	/* g(p) = F(p) - p: g(0) >= 0, g(1) <= 0. Bracket the root near
	 * F(0) first, where the weights need few cold counts. */
	x = Fx;
	if (rc == 0 && Fx <= 0)
		hi = 0;		/* no idle period ever expires */
	while (rc == 0 && x > lo && x < hi) {
		rc = fixed_eval(&f, x, &Fx, err, errlen);
		if (rc < 0)
			break;
		if (Fx <= x) {
			hi = x;
			break;
		}
		lo = x;
		x = fmin(1, 2 * x);
	}
	for (int it = 0; rc == 0 && it < 200; it++) {
		if (hi - lo <= 1e-15 + 1e-12 * hi)
			break;
		x = (lo + hi) / 2;
		rc = fixed_eval(&f, x, &Fx, err, errlen);
		if (rc == 0 && Fx > x)
			lo = x;
		else if (rc == 0)
			hi = x;
	}
	if (rc == 0) {
		double pstar = (lo + hi) / 2;
		rc = fixed_eval(&f, pstar, &Fx, err, errlen);
		memset(r, 0, sizeof(*r));
		r->p_cold = pstar;
		r->idle = f.idle;
		if (s->boot) {
			r->busy = s->lam * par->warm_s;
			r->booting = s->lam * pstar * par->cold_s;
			r->resp_s = pstar * par->cold_s + par->warm_s;
		} else {
			r->resp_s = pstar * par->cold_s +
				    (1 - pstar) * par->warm_s;
			r->busy = s->lam * r->resp_s;
		}
		r->alive = r->busy + r->booting + r->idle;
		r->trunc_mass = 1 - f.mass;
		for (uint32_t n = 0; n < s->nlev; n++)
			if (s->q[n])
				r->states = n + 1;
		r->exact = 0;
	}
	free(f.pc);
	free(f.pw);
	return rc;
}

static int check(const struct spr_params *p, char *err, size_t n)
{
	if (!(p->rate_per_s > 0) || !isfinite(p->rate_per_s))
		return fail(err, n, -EINVAL, "rate must be > 0 (got %g)",
			    p->rate_per_s);
	if (!(p->warm_s > 0) || !isfinite(p->warm_s))
		return fail(err, n, -EINVAL, "warm time must be > 0 (got %g)",
			    p->warm_s);
	if (!(p->cold_s >= 0) || !isfinite(p->cold_s) ||
	    (p->cold == SPR_COLD_WHOLE && p->cold_s == 0))
		return fail(err, n, -EINVAL, "cold time must be %s (got %g)",
			    p->cold == SPR_COLD_WHOLE ? "> 0" : ">= 0",
			    p->cold_s);
	if (!(p->ttl_s >= 0) || !isfinite(p->ttl_s))
		return fail(err, n, -EINVAL, "keep-alive must be >= 0 and "
			    "finite (got %g)", p->ttl_s);
	if (p->tol < 0 || p->tol >= 0.01)
		return fail(err, n, -EINVAL, "tolerance must be in [0, 0.01) "
			    "(got %g)", p->tol);
	if ((unsigned)p->cold > SPR_COLD_BOOT)
		return fail(err, n, -EINVAL, "unknown cold model %d",
			    (int)p->cold);
	return 0;
}

int spr_solve(const struct spr_params *p, enum spr_method method,
	      struct spr_result *r, char *err, size_t errlen)
{
	int rc = check(p, err, errlen);
	if (rc < 0)
		return rc;
	if (method == SPR_TCC20)
		return solve_tcc20(p, r, err, errlen);
	if (method != SPR_STACK)
		return fail(err, errlen, -EINVAL, "unknown method %d",
			    (int)method);
	int one = p->cold == SPR_COLD_BOOT ? p->cold_s == 0
					   : p->cold_s == p->warm_s;
	if (!one && p->max_conc)
		return fail(err, errlen, -ENOTSUP, "stack: a concurrency "
			    "limit needs one completion rate (cold = warm, "
			    "or no boot); use --method tcc20");
	struct stack s = {
		.lam = p->rate_per_s, .mw = 1 / p->warm_s,
		.g = one ? 0 : 1 / p->cold_s,
		.boot = p->cold == SPR_COLD_BOOT, .T = p->ttl_s,
	};
	double tol = p->tol > 0 ? p->tol : TOL_DEFAULT;
	uint32_t lim = p->max_states ? p->max_states : STATES_MAX;
	rc = one ? stack_one_rate(&s, p, tol, lim, r, err, errlen)
		 : stack_two_rates(&s, p, tol, lim, r, err, errlen);
	stack_free(&s);
	return rc;
}
