/* tune_eval.c - the runs of a tuning spec (exp/tune.h): a point's values
 * as config overrides, and the evaluation callback that applies them to
 * the tuned run's config (or takes the incumbent's), sets the replication's
 * seed and runs the simulator once in this process, no results file
 * (exp_run_one), keeping the /summary metrics the expressions use. Called
 * by tune_run through cli/tune.c and tests/test_tune.c. Invariant: a
 * point's config is the tuned run's plus exactly the overrides
 * tune_spec_overrides prints, so a point can be re-run by hand with
 * `vmspec run --set`. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "exp/params.h"
#include "exp/run.h"
#include "exp/tune.h"

void tune_spec_overrides(const struct tune_problem *p,
			 const struct tune_point *pt, char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; !pt->incumbent && i < p->nparams && off < n; i++) {
		const struct tune_param *q = &p->params[i];
		if (pt->vi[i] >= 0)
			off += (size_t)snprintf(buf + off, n - off, "%s=%s\n",
						q->key, q->text[pt->vi[i]]);
		else if (q->integer)
			off += (size_t)snprintf(buf + off, n - off, "%s=%.0f\n",
						q->key, pt->x[i]);
		else
			off += (size_t)snprintf(buf + off, n - off, "%s=%.15g\n",
						q->key, pt->x[i]);
	}
}

int tune_spec_eval(void *arg, const struct tune_point *pt, size_t rep,
		   int64_t seed, double *out, char *err, size_t errlen)
{
	const struct tune_spec *s = arg;
	const struct tune_problem *p = &s->prob;
	struct vms_config *c = xmalloc(sizeof(*c));
	struct cfg_error ce;
	char ov[TUNE_MAX_PARAMS * (CFG_SET_LEN + 160)], a[64];
	int rc = 0;

	(void)rep;
	memcpy(c, pt->incumbent ? s->inc : s->tuned, sizeof(*c));
	c->text = NULL;
	tune_spec_overrides(p, pt, ov, sizeof(ov));
	for (char *line = ov, *nl; rc == 0 && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		rc = cfg_set(c, line, &ce);
	}
	snprintf(a, sizeof(a), "seed=%" PRId64, seed);
	if (rc == 0)
		rc = cfg_set(c, a, &ce);
	if (rc == 0)
		rc = cfg_validate(c, &ce);
	if (rc < 0) {
		snprintf(err, errlen, "%s", ce.msg);
		goto out;
	}
	struct exp_run *r = xcalloc(1, sizeof(*r));
	*r = (struct exp_run){ .backend = EXP_SIM, .cfg = c,
		.strategy = pt->incumbent ? s->inc_strategy : s->strategy,
		.name = pt->incumbent ? s->inc_run : s->run };
	rc = exp_run_one(r);
	if (rc < 0) {
		snprintf(err, errlen, "%s", r->err);
	} else {
		struct res_metric m[PLAT_NMETRICS];
		size_t nm = plat_summary_metrics(r->sum, m);
		for (size_t k = 0; k < p->syms.n; k++)
			for (size_t j = 0; j < nm; j++)
				if (!strcmp(m[j].name, p->syms.name[k]))
					out[k] = m[j].value;
	}
	exp_run_release(r);
	free(r);
out:
	cfg_release(c);
	free(c);
	return rc;
}
