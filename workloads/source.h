/* source.h - the interface every arrival source implements (the synthetic
 * generator, each trace reader): arrivals yielded lazily in non-decreasing
 * time order, each with the ground truth the simulator needs (its warm
 * service time). The loops pull one arrival at a time through wl_next and
 * merge it against their event queue, so a source never holds a whole
 * trace in memory. workloads/workload.h opens sources by kind;
 * workloads/trace.h is the front door of the trace formats. */
#ifndef VMSPEC_WL_SOURCE_H
#define VMSPEC_WL_SOURCE_H

#include <stdint.h>
#include <stdlib.h>

struct wl_arrival {
	int64_t t_ns;		/* arrival time, non-decreasing */
	int64_t service_ns;	/* warm, unoptimized CPU time (ground truth) */
	uint64_t calls;		/* libraries called: bit i = libs[i] of the
				 * function's catalog entry */
	uint32_t func;		/* function index < nfuncs */
	uint32_t phase;		/* workload phase (0 when no phases) */
};

struct wl_source;

struct wl_source_ops {
	const char *name;	/* as used in YAML (workload.kind) */
	const char *help;	/* one line for `vmspec list` */
	/* 1: *out filled; 0: end of workload; <0: error, message in
	 * src->err ("file:line: problem"). */
	int (*next)(struct wl_source *src, struct wl_arrival *out);
	void (*free)(struct wl_source *src);
};

struct catalog;

#define WL_NONE UINT32_MAX

/* What a trace tells of its functions besides memory, for the catalog it
 * gets (wl_catalog, workloads/workload.h). Arrays [nfuncs] owned by the
 * source; a NULL array tells nothing. */
struct wl_facts {
	double *cold_ns;	/* mean cold time, 0 = not told */
	double *warm_ns;	/* mean warm service time, 0 = not told */
	uint32_t *runtime;	/* runtime ordinal (distinct names numbered
				 * in order of first appearance), WL_NONE =
				 * not told */
	uint32_t *lib_off;	/* [nfuncs + 1]: function f's libraries are
				 * lib[lib_off[f] .. lib_off[f + 1]), none =
				 * not told */
	uint32_t *lib;		/* library ordinals, numbered as runtimes */
};

static inline void wl_facts_release(struct wl_facts *x)
{
	free(x->cold_ns);
	free(x->warm_ns);
	free(x->runtime);
	free(x->lib_off);
	free(x->lib);
	x->cold_ns = x->warm_ns = NULL;
	x->runtime = x->lib_off = x->lib = NULL;
}

struct wl_source {
	const struct wl_source_ops *ops;
	void *impl;
	uint32_t nfuncs;	/* functions known up front */
	double *func_mem_mib;	/* [nfuncs], owned by the source */
	struct wl_facts facts;	/* traces: what they tell, owned */
	struct catalog *cat;	/* ground truth, owned by the source */
	char err[512];
};

static inline int wl_next(struct wl_source *s, struct wl_arrival *a)
{
	return s->ops->next(s, a);
}

#endif
