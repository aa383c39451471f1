/* workload.c - opens the arrival source named by workload.kind.
 * The one place that maps configuration to a workload implementation. */
#include <errno.h>
#include <stdio.h>
#include "base/config.h"
#include "workloads/workload.h"

int wl_synthetic_open(const struct vms_config *c, uint64_t seed,
		      struct wl_source **out, char *err, size_t errlen);

static const struct wl_source_ops synthetic_entry = {
	.name = "synthetic",
	.help = "N functions, Zipf popularity, Poisson arrivals, "
		"per-function memory and service time distributions",
};

const struct wl_source_ops *const wl_registry[] = {
	&synthetic_entry,
	NULL,
};

int wl_open(const struct vms_config *c, uint64_t seed, struct wl_source **out,
	    char *err, size_t errlen)
{
	switch (c->workload.kind) {
	case WL_SYNTHETIC:
		return wl_synthetic_open(c, seed, out, err, errlen);
	default:
		snprintf(err, errlen, "workload.kind: unknown kind %d",
			 c->workload.kind);
		return -EINVAL;
	}
}

void wl_free(struct wl_source *s)
{
	if (s)
		s->ops->free(s);
}
