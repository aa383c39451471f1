/* validation_run.c - val_experiment (exp/validation.h): every run of an
 * experiment on KVM through the real platform's public API
 * (real-backend/platform_real.h), then in the simulator on the translated
 * configuration, both into one results file, then the error table.
 * Invariant: the real run of a pair always comes first and the file is
 * marked complete only after the table is stored. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include "build-config.h"
#include "exp/params.h"
#include "base/results.h"
#include "base/util.h"
#include "exp/run.h"
#include "exp/validation.h"
#include "base/dist.h"
#include "policies/strategy.h"
#include "real-backend/platform_real.h"
#include "sim/engine.h"
#include "workloads/workload.h"

void val_result_init(struct val_result *r)
{
	memset(r, 0, sizeof(*r));
	val_table_init(&r->table);
}

void val_result_release(struct val_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		val_side_release(&r->pair[i].real);
		val_side_release(&r->pair[i].sim);
		val_side_release(&r->pair[i].sim_rc);
		val_side_release(&r->pair[i].real2);
		for (size_t k = 0; k < r->pair[i].nmore; k++)
			val_side_release(&r->pair[i].more[k]);
		free(r->pair[i].more);
	}
	free(r->pair);
	val_table_release(&r->table);
	memset(r, 0, sizeof(*r));
}

struct hook_arg {
	struct val_side *side;
	const char *name;
};

static void on_request(void *arg, const struct res_request *row)
{
	struct hook_arg *h = arg;
	val_side_add_request(h->side, row);
}

/* The host's CPU time by everyone (busy: user, nice, system, irq,
 * softirq; guest time is inside user) and stolen, and this process's
 * (itself and its waited-for children: the compilers), in seconds. */
struct host_cpu {
	double busy_s, steal_s, self_s;
	int ok;
};

static void host_cpu_read(struct host_cpu *h)
{
	unsigned long long v[8] = { 0 };
	char line[512];
	struct rusage ru, rc;
	memset(h, 0, sizeof(*h));
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) &&
	    sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		double tick = (double)sysconf(_SC_CLK_TCK);
		h->busy_s = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / tick;
		h->steal_s = (double)v[7] / tick;
		h->ok = 1;
	}
	fclose(f);
	getrusage(RUSAGE_SELF, &ru);
	getrusage(RUSAGE_CHILDREN, &rc);
	h->self_s = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
			     rc.ru_utime.tv_sec + rc.ru_stime.tv_sec) +
		    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec +
			     rc.ru_utime.tv_usec + rc.ru_stime.tv_usec) / 1e6;
}

/* Other processes' and stolen CPU between (a) and (b), over (wall_s). */
static void host_cpu_other(const struct host_cpu *a, const struct host_cpu *b,
			   double wall_s, struct val_side *side)
{
	if (!a->ok || !b->ok || wall_s <= 0)
		return;
	double other = (b->busy_s - a->busy_s) - (b->self_s - a->self_s);
	side->other_cores = (other > 0 ? other : 0) / wall_s;
	side->steal_cores = (b->steal_s - a->steal_s) / wall_s;
}


/* The effective configuration as YAML (heap): what the real runs ran. */
static char *config_text(const struct vms_config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return xstrdup(c->text ? c->text : "");
	cfg_dump_yaml(c, m);
	fclose(m);
	return buf;
}

/* One run of pair (p) on (backend) with (c) into run "<prefix>:<name>" of
 * (f), observed in (side); a real run's summary into (*real) (released by
 * the caller) when it is not NULL. */
static int run_side(struct res_file *f, enum exp_backend backend,
		    const struct vms_config *c, struct val_pair *p,
		    const char *prefix, struct val_side *side,
		    struct real_summary *real, int quiet, char *err,
		    size_t errlen)
{
	char run[VAL_NAME_LEN + 8];
	snprintf(run, sizeof(run), "%s:%s", prefix, p->name);
	struct hook_arg ha = { .side = side, .name = run };
	struct plat_hooks hk = { .request_done = on_request, .arg = &ha };
	struct exp_run *r = xcalloc(1, sizeof(*r));
	*r = (struct exp_run){ .backend = backend, .cfg = c,
			       .strategy = p->strategy, .name = run, .file = f,
			       .hooks = &hk,
			       .progress = backend == EXP_KVM && !quiet };
	struct host_cpu c0, c1;
	host_cpu_read(&c0);
	int rc = exp_run_one(r);
	host_cpu_read(&c1);
	if (backend == EXP_KVM) {
		host_cpu_other(&c0, &c1, r->wall_s, side);
		if (side == &p->real)
			p->real_wall_s = r->wall_s;
	}
	if (rc == 0)
		val_side_set_summary(side, r->sum);
	if (rc == 0 && !quiet && backend == EXP_KVM)
		fprintf(stderr, "  %-24s %" PRIu64 " requests (%" PRIu64
			" failed), %" PRIu64 " VMs in %.1fs wall\n", run,
			r->sum->requests, r->sum->failed, r->sum->vms_created,
			r->wall_s);
	else if (rc == 0 && !quiet)
		fprintf(stderr, "  %-24s %" PRIu64 " requests (%" PRIu64
			" failed), %" PRIu64 " VMs simulated\n", run,
			r->sum->requests, r->sum->failed, r->sum->vms_created);
	if (rc < 0)
		snprintf(err, errlen, "%s", r->err);
	if (real) {
		*real = r->real;	/* the caller releases it */
		plat_summary_release(&r->sim);
	} else {
		exp_run_release(r);
	}
	free(r);
	return rc;
}

/* A simulation of (sc) without a results run, observed in (side): the
 * nominal work of every request for val_exec_speed. */
static int sim_nominal(const struct vms_config *sc,
		       const struct strategy_ops *st, struct val_side *side,
		       char *err, size_t errlen)
{
	struct hook_arg ha = { .side = side, .name = "nominal" };
	struct plat_hooks hk = { .request_done = on_request, .arg = &ha };
	struct plat_summary sum;
	int rc = sim_run(sc, st, (uint64_t)sc->seed, NULL, &hk, &sum, err,
			 errlen);
	plat_summary_release(&sum);
	return rc < 0 ? rc : 0;
}

static void map_log_line(struct val_map *m, const char *line)
{
	if (m->n < VAL_MAP_MAX)
		snprintf(m->line[m->n++], VAL_MAP_LEN, "%s", line);
}

/* The mapping lines of every pair, "<run>: <line>\n" (heap). */
static char *mapping_text(const struct val_result *res)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return xstrdup("");
	for (size_t i = 0; i < res->n; i++) {
		const struct val_pair *p = &res->pair[i];
		if (!p->map.n)
			fprintf(m, "%s: (no translation)\n", p->name);
		for (int k = 0; k < p->map.n; k++)
			fprintf(m, "%s: %s\n", p->name, p->map.line[k]);
		for (int k = 0; k < p->map_rc.n; k++)
			fprintf(m, "%s@runcosts: %s\n", p->name,
				p->map_rc.line[k]);
	}
	fclose(m);
	return buf;
}

/* One pair: the real run (and its repeat), the simulation of its
 * translated configuration (and with the run's costs), the table rows. */
static int run_pair(struct res_file *f, const struct vms_config *rc,
		    const struct vms_config *sc, const struct strategy_ops *st,
		    struct val_pair *p, const struct val_opts *o,
		    struct val_table *t, char *err, size_t errlen)
{
	struct real_summary rs, rs2;
	char name[VAL_NAME_LEN + 16];
	int rc_ = run_side(f, EXP_KVM, rc, p, "real", &p->real, &rs, o->quiet, err,
			   errlen);
	if (rc_ == 0)
		rc_ = run_side(f, EXP_SIM, sc, p, "sim", &p->sim, NULL, o->quiet, err,
			      errlen);
	if (rc_ == 0 && o->run_costs) {
		struct vms_config rcc = *sc;
		val_run_costs(&rs, &rcc, &p->map_rc);
		/* the run's guest speed against the nominal work: without
		 * models.exec_noise, which the fold replaces */
		struct val_side nom;
		val_side_init(&nom);
		const struct dist *xn = &sc->models.exec_noise;
		struct val_side *ref = &p->sim;
		if (xn->kind != DIST_CONSTANT || xn->a != 1.0) {
			dist_init_constant(&rcc.models.exec_noise, 1);
			rc_ = sim_nominal(&rcc, st, &nom, err, errlen);
			ref = &nom;
			map_log_line(&p->map_rc, "models.exec_noise: 1 (the "
				     "run's own guest speed is folded into "
				     "workload.service instead)");
		}
		struct fit_speed sp = val_exec_speed(&p->real, ref);
		val_side_release(&nom);
		if (rc_ == 0 && rcc.workload.kind == WL_SYNTHETIC)
			val_fold_speed(&sp, &rcc, &p->map_rc);
		if (rc_ == 0)
			rc_ = run_side(f, EXP_SIM, &rcc, p, "simrc",
				       &p->sim_rc, NULL, o->quiet, err,
				       errlen);
	}
	real_summary_release(&rs);
	if (rc_ == 0 && o->repeat > 0) {
		rc_ = run_side(f, EXP_KVM, rc, p, "real2", &p->real2, &rs2,
			       o->quiet, err, errlen);
		real_summary_release(&rs2);
	}
	if (rc_ == 0 && o->repeat > 1) {
		p->more = xcalloc((size_t)o->repeat - 1, sizeof(*p->more));
		for (int k = 0; k < o->repeat - 1 && rc_ == 0; k++) {
			char pre[16];
			snprintf(pre, sizeof(pre), "real%d", k + 3);
			val_side_init(&p->more[k]);
			p->nmore = (size_t)k + 1;
			rc_ = run_side(f, EXP_KVM, rc, p, pre, &p->more[k], &rs2,
				       o->quiet, err, errlen);
			real_summary_release(&rs2);
		}
	}
	if (rc_ < 0)
		return rc_;
	struct val_side *one[] = { &p->real };
	val_compare(t, p->name, &p->real, &p->sim);
	val_compare_ci(t, p->name, one, 1, &p->sim);
	if (o->run_costs) {
		snprintf(name, sizeof(name), "%s@runcosts", p->name);
		val_compare(t, name, &p->real, &p->sim_rc);
	}
	if (o->repeat > 0) {
		size_t n = 2 + p->nmore;
		struct val_side **all = xcalloc(n, sizeof(*all));
		all[0] = &p->real;
		all[1] = &p->real2;
		for (size_t k = 0; k < p->nmore; k++)
			all[2 + k] = &p->more[k];
		snprintf(name, sizeof(name), "%s@noise", p->name);
		val_compare(t, name, &p->real, &p->real2);
		snprintf(name, sizeof(name), "%s@pooled", p->name);
		val_compare_pooled(t, name, all, n, &p->sim);
		free(all);
	}
	return 0;
}

int val_experiment(const struct vms_config *c, const char *out,
		   const struct val_opts *o, struct val_result *res,
		   int *usage, char *err, size_t errlen)
{
	int quiet = o->quiet;
	char hash[32], now[32], host[384], checksum[80];
	int rc;
	*usage = 0;
	if ((rc = real_probe(err, errlen)) < 0)
		return rc;
	if ((rc = wl_checksum(c, checksum, sizeof(checksum), err,
			      errlen)) < 0)
		return rc;
	int nruns = cfg_nruns(c);
	res->pair = xcalloc((size_t)nruns, sizeof(*res->pair));

	/* every configuration first: a usage error before any KVM run */
	struct vms_config *rcfg = xcalloc((size_t)nruns, sizeof(*rcfg));
	struct vms_config *scfg = xcalloc((size_t)nruns, sizeof(*scfg));
	const struct strategy_ops **st = xcalloc((size_t)nruns, sizeof(*st));
	int made = 0;
	for (; made < nruns; made++) {
		const char *name, *sname;
		struct cfg_error ce;
		struct val_pair *p = &res->pair[made];
		if (cfg_run_config(c, made, &rcfg[made], &name, &sname,
				   &ce) < 0) {
			snprintf(err, errlen, "run %d: %s", made + 1, ce.msg);
			rc = -EINVAL;
			break;
		}
		snprintf(p->name, sizeof(p->name), "%s", name);
		snprintf(p->strategy, sizeof(p->strategy), "%s", sname);
		val_side_init(&p->real);
		val_side_init(&p->sim);
		val_side_init(&p->sim_rc);
		val_side_init(&p->real2);
		res->n = (size_t)made + 1;
		st[made] = strategy_find(sname);
		if (!st[made]) {
			snprintf(err, errlen, "run %s: unknown strategy '%s'",
				 name, sname);
			rc = -EINVAL;
			break;
		}
		rc = val_sim_config(&rcfg[made], &scfg[made],
				    VAL_REAL_TOUCHED_MIB, &p->map, err,
				    errlen);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		*usage = 1;
		goto out;
	}

	char *text = config_text(c);
	uint64_t h = fnv1a64(FNV1A64_INIT, text, strlen(text));
	snprintf(hash, sizeof(hash), "fnv1a64:%016" PRIx64, h);
	iso_time_now(now, sizeof(now));
	host_describe(host, sizeof(host), ", KVM");
	struct res_file_attrs fa = {
		.tool_version = PACKAGE_VERSION,
		.config_text = text,
		.config_hash = hash,
		.seed = c->seed,
		.host = host,
		.start_time = now,
		.trace_checksum = checksum,
	};
	if ((rc = mkdir_parent(out)) < 0) {
		snprintf(err, errlen, "%s: cannot create directory: %s", out,
			 strerror(-rc));
		free(text);
		goto out;
	}
	struct res_file *f = res_create(out, &fa, (size_t)c->results.batch_rows,
					c->results.compress, err, errlen);
	free(text);
	if (!f) {
		rc = -EIO;
		goto out;
	}
	res_set_writer_thread(f, c->results.writer_thread);
	if (!quiet)
		fprintf(stderr, "vmspec: validating '%s', seed %" PRId64 ", %d "
			"run%s on KVM and in the simulator -> %s\n", c->name,
			c->seed, nruns, nruns == 1 ? "" : "s", out);
	for (int i = 0; i < nruns && rc == 0; i++) {
		struct val_pair *p = &res->pair[i];
		rc = run_pair(f, &rcfg[i], &scfg[i], st[i], p, o, &res->table,
			      err, errlen);
		if (rc < 0) {
			char tmp[1024];
			snprintf(tmp, sizeof(tmp), "%s", err);
			snprintf(err, errlen, "run '%s': %s", p->name, tmp);
		}
	}
	int e = res_close(f, 0);
	if (rc == 0 && e < 0) {
		snprintf(err, errlen, "%s: cannot finish the results file", out);
		rc = -EIO;
	}
	if (rc == 0) {
		char *mt = mapping_text(res);
		rc = val_store(out, &res->table, o->calibration, mt, err,
			       errlen);
		free(mt);
	}
out:
	for (int i = 0; i < nruns; i++)	/* zeroed ones too: text NULL */
		cfg_release(&rcfg[i]);
	free(rcfg);
	free(scfg);
	free(st);
	return rc;
}

/* ---- pooling the real runs of several files ---- */

struct pool_side_arg {
	struct val_side *s;
};

static int pool_rows(const struct res_request *rows, size_t n, void *arg)
{
	struct val_side *s = arg;
	for (size_t i = 0; i < n; i++) {
		s->requests++;
		if (rows[i].failed)
			s->failed++;
		else
			s->finished++;
		val_side_add_request(s, &rows[i]);
	}
	return 0;
}

/* (run) is "real:NAME", "real2:NAME", ...: NAME, else NULL. */
static const char *real_run_of(const char *run)
{
	if (strncmp(run, "real", 4))
		return NULL;
	run += 4;
	while (*run >= '0' && *run <= '9')
		run++;
	return *run == ':' ? run + 1 : NULL;
}

int val_pool_files(const char *const *paths, size_t nfiles,
		   struct val_table *t, char *err, size_t errlen)
{
	enum { MAXN = 64 };
	struct res_reader **rd = xcalloc(nfiles ? nfiles : 1, sizeof(*rd));
	int rc = 0;
	for (size_t f = 0; f < nfiles && rc == 0; f++) {
		rd[f] = res_open(paths[f], err, errlen);
		if (!rd[f])
			rc = -EIO;
		else if (res_is_complete(rd[f]) != 1) {
			snprintf(err, errlen, "%s: incomplete results file",
				 paths[f]);
			rc = -EINVAL;
		}
	}
	/* the runs of the first file's simulations, in file order */
	char names[MAXN][VAL_NAME_LEN];
	size_t nn = 0;
	for (size_t i = 0; rc == 0 && nfiles && i < res_nruns(rd[0]); i++) {
		const char *run = res_run_name(rd[0], i);
		if (!strncmp(run, "sim:", 4) && nn < MAXN)
			snprintf(names[nn++], VAL_NAME_LEN, "%s", run + 4);
	}
	if (rc == 0 && nn == 0) {
		snprintf(err, errlen, "%s: no sim:NAME run (not a vmspec "
			 "validate file)", nfiles ? paths[0] : "");
		rc = -EINVAL;
	}
	for (size_t k = 0; k < nn && rc == 0; k++) {
		struct val_side sim, *real[VAL_MAX_POOL];
		size_t nreal = 0;
		val_side_init(&sim);
		for (size_t f = 0; f < nfiles && rc == 0; f++) {
			for (size_t i = 0; i < res_nruns(rd[f]) && rc == 0;
			     i++) {
				const char *run = res_run_name(rd[f], i);
				const char *of = real_run_of(run);
				struct val_side tmp, *s = NULL;
				if (of && !strcmp(of, names[k])) {
					if (nreal == VAL_MAX_POOL) {
						snprintf(err, errlen, "more "
							 "than %d real runs of "
							 "%s", VAL_MAX_POOL,
							 names[k]);
						rc = -E2BIG;
						break;
					}
					s = real[nreal++] = xmalloc(sizeof(*s));
				} else if (!strncmp(run, "sim:", 4) &&
					   !strcmp(run + 4, names[k])) {
					s = f == 0 ? &sim : &tmp;
				}
				if (!s)
					continue;
				val_side_init(s);
				if (res_read_requests(rd[f], i, 4096, pool_rows,
						      s) < 0) {
					snprintf(err, errlen, "%s",
						 res_reader_error(rd[f]));
					rc = -EIO;
				}
				if (s == &tmp) {	/* same simulation? */
					if (rc == 0 &&
					    tmp.finished != sim.finished) {
						snprintf(err, errlen, "%s: "
						    "sim:%s finished %llu "
						    "requests, %llu in %s: not "
						    "the same experiment",
						    paths[f], names[k],
						    (unsigned long long)
						    tmp.finished,
						    (unsigned long long)
						    sim.finished, paths[0]);
						rc = -EINVAL;
					}
					val_side_release(&tmp);
				}
			}
		}
		if (rc == 0 && nreal == 0) {
			snprintf(err, errlen, "no real run of %s", names[k]);
			rc = -EINVAL;
		}
		if (rc == 0) {
			char run[VAL_NAME_LEN];
			snprintf(run, sizeof(run), "%.*s@files",
				 (int)(sizeof(run) - 7), names[k]);
			val_compare_pooled(t, run, real, nreal, &sim);
		}
		for (size_t r = 0; r < nreal; r++) {
			val_side_release(real[r]);
			free(real[r]);
		}
		val_side_release(&sim);
	}
	for (size_t f = 0; f < nfiles; f++)
		res_reader_close(rd[f]);
	free(rd);
	return rc;
}
