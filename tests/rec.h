/* rec.h - a recorder of every request row and decision of a simulated
 * run (plat_hooks), for the engine and strategy tests. */
#ifndef VMSPEC_TESTS_REC_H
#define VMSPEC_TESTS_REC_H

#include <stdlib.h>
#include <string.h>
#include "base/results.h"
#include "sim/engine.h"

struct rec {
	struct res_request *rows;
	size_t n, cap;
	struct res_decision *dec;
	size_t nd, capd;
	int64_t last_decision_ns;
	int time_backwards;	/* a decision earlier than the one before */
};

static inline void rec_row(void *arg, const struct res_request *row)
{
	struct rec *r = arg;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->rows = realloc(r->rows, r->cap * sizeof(*r->rows));
	}
	memcpy(&r->rows[r->n++], row, sizeof(*row));	/* padding too */
}

static inline void rec_decision(void *arg, const struct res_decision *d)
{
	struct rec *r = arg;
	if (d->t_ns < r->last_decision_ns)
		r->time_backwards = 1;
	r->last_decision_ns = d->t_ns;
	if (r->nd == r->capd) {
		r->capd = r->capd ? 2 * r->capd : 1024;
		r->dec = realloc(r->dec, r->capd * sizeof(*r->dec));
	}
	memcpy(&r->dec[r->nd++], d, sizeof(*d));
}

/* Empty (r) and give the hooks that fill it. */
static inline struct plat_hooks rec_start(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	return (struct plat_hooks){ .request_done = rec_row,
				   .decision = rec_decision, .arg = r };
}

static inline void rec_free(struct rec *r)
{
	free(r->rows);
	free(r->dec);
	memset(r, 0, sizeof(*r));
}

/* qsort order of request rows: by id (arrival order). */
static inline int rec_by_id(const void *a, const void *b)
{
	const struct res_request *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

#endif
