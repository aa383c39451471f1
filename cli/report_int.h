/* report_int.h - what cli/report.c (a results file's table) and
 * cli/report_reps.c (a replicated experiment's intervals) share: the runs
 * as read, value formatting, text and JSON output helpers. Not an API. */
#ifndef VMSPEC_CLI_REPORT_INT_H
#define VMSPEC_CLI_REPORT_INT_H

#include <stddef.h>
#include "base/results.h"

/* Run attributes read, in this order (run_info.attr[]). */
enum run_attr {
	RA_STRATEGY, RA_SEED, RA_WALL, RA_EVENTS, RA_RUN, RA_REPLICATION,
	RA_COUNT
};

struct run_info {
	const char *name;
	struct res_metric *m;	/* /summary, heap */
	size_t n;
	char *attr[RA_COUNT];	/* NULL absent */
};

/* What the report was asked for. */
struct report_opts {
	int json;
	int each;		/* replicated: every replication's row too */
	const char *baseline;	/* replicated: paired differences against
				 * this run, NULL: keepalive if present,
				 * else the first */
	double max_failed;	/* flag runs whose failed fraction is above */
};

const struct res_metric *report_metric(const struct run_info *r,
				       const char *name);
/* The metric's value, NaN when absent. */
double report_value(const struct run_info *r, const char *name);
/* Failed requests / requests of (r), NaN without requests. */
double report_failed_fraction(const struct run_info *r);
/* A figure in few characters: more decimals for small values. */
void report_fmt(char *buf, size_t n, double v, int fraction);
size_t report_text_width(const char *s);
void report_put_text(const char *s, size_t width);
void report_json_str(const char *s);
void report_json_num(double v);

/* Is any run of the file a replication (a "replication" attribute)? */
int report_is_replicated(const struct run_info *runs, size_t nruns);
/* The replicated experiment's tables (text) or its JSON members (after
 * "runs", each line starting with ",\n  "). */
void report_reps_text(const struct run_info *runs, size_t nruns,
		      const struct report_opts *o);
void report_reps_json(const struct run_info *runs, size_t nruns,
		      const struct report_opts *o);

#endif
