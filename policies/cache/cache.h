/* cache.h - MiB-bounded caches with policies chosen by name (ttl, lru, lfu,
 * arc, gdsf, hybrid, lfu-gd, landlord, size, random) for the VM pool,
 * library, code block and snapshot caches: the contract other code
 * includes. The mechanism is policies/cache/cache.c,
 * each policy one file beside it, listed in policies/cache/registry.c.
 * Invariant: used <= capacity after every call and a pinned entry never
 * leaves; time comes in as now_ns. Details: docs/cache-policies.md. */
#ifndef VMSPEC_CACHE_H
#define VMSPEC_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* Sizes: callers speak double MiB; the cache rounds every size UP to a whole
 * KiB and the capacity DOWN to a whole KiB, and does all accounting in
 * uint64 KiB, so used/capacity comparisons are exact and never drift.
 * Statistics convert back to MiB (exact for any realistic size). */

struct cache;

/* Why an entry left the cache; passed to the eviction callback. */
enum cache_why {
	CACHE_EVICTED = 1,	/* chosen by the policy to make room */
	CACHE_EXPIRED,		/* its deadline passed (ttl, hybrid) */
	CACHE_REMOVED,		/* cache_remove(): no callback */
	CACHE_CLEARED,		/* cache_clear() */
};

/* Told about every entry that leaves the cache other than by cache_remove(),
 * after the cache is consistent again, so the owner can release what the
 * entry stood for (destroy the VM, free the library image). It may call the
 * read-only functions (cache_peek, cache_window, cache_stats) but must not
 * modify the cache. */
typedef void (*cache_evict_fn)(void *arg, uint64_t key, uint64_t user,
			       double size_mib, enum cache_why why);

/* Policy parameters. Plain data: fill with cache_params_default() and
 * override. A policy reads only its own fields, and sets their defaults
 * and checks them itself (cache_ops.defaults, .check). */
struct cache_params {
	int64_t ttl_ns;		/* ttl: lifetime after last use [10 min] */
	int64_t hist_range_ns;	/* hybrid: histogram range, also the fixed
				 * keep-alive of the fallback [4 h] */
	int64_t hist_bin_ns;	/* hybrid: bin width [1 min] */
	double head_pct;	/* hybrid: pre-warm percentile [5] */
	double tail_pct;	/* hybrid: keep-alive percentile [99] */
	double margin;		/* hybrid: head -, tail + this part [0.10] */
	double cv_min;		/* hybrid: histogram used when the CV of its
				 * bin counts is >= this [2.0] */
	uint32_t min_samples;	/* hybrid: idle times needed first [10] */
	double oob_max;		/* hybrid: fall back when this fraction of
				 * idle times or more lies beyond the range
				 * [0.5] */
	uint64_t seed;		/* random: seed of the policy's own stream
				 * of victims [0] */
};

/* Zero (p), then every registered policy's defaults. */
void cache_params_default(struct cache_params *p);
/* Every registered policy's check, in registry order: 0 or -EINVAL with
 * *why (if non-NULL) set to the first static one-line reason, e.g.
 * "hybrid: tail_pct must be in [head_pct, 100]". */
int cache_params_check(const struct cache_params *p, const char **why);

/* Counters since cache_new. Sizes in MiB. */
struct cache_stats {
	uint64_t lookups;	/* cache_lookup calls */
	uint64_t hits;		/* lookups that found a live entry */
	uint64_t misses;	/* lookups - hits */
	uint64_t ghost_hits;	/* misses on a remembered key (arc) */
	uint64_t inserts;	/* successful cache_insert calls */
	uint64_t refused;	/* inserts failed with -E2BIG or -EBUSY */
	uint64_t evictions;	/* entries evicted to make room */
	uint64_t expirations;	/* entries whose deadline passed */
	uint64_t removals;	/* cache_remove and cache_clear */
	double inserted_mib;	/* sum of inserted sizes */
	double evicted_mib;	/* sum of sizes evicted to make room */
	double expired_mib;	/* sum of sizes expired */
	double removed_mib;	/* sum of sizes removed or cleared */
	double used_mib;	/* resident now */
	double pinned_mib;	/* resident and pinned now */
	double peak_used_mib;	/* maximum of used_mib */
	double capacity_mib;	/* as rounded (whole KiB) */
	uint64_t entries;	/* resident entries now */
	uint64_t pinned;	/* of which pinned */
	double hit_ratio;	/* hits / lookups, 0 when no lookup */
};

/* What cache_peek tells about a resident entry. */
struct cache_entry_info {
	uint64_t user;		/* caller's word */
	double size_mib;	/* as rounded (whole KiB) */
	double cost;		/* as inserted or cache_set_cost_h */
	uint32_t pins;		/* pin count, 0 = evictable */
	uint64_t freq;		/* hits since insert + 1 (lfu, gdsf,
				 * lfu-gd; shared in a group) */
	double priority;	/* gdsf: clock + freq * cost / size_mib;
				 * lfu-gd: clock + freq; landlord: rent
				 * + cost / size_mib */
	int64_t last_ns;	/* last insert, hit or unpin */
	int64_t deadline_ns;	/* expires at, -1 none (or pinned) */
};

/* Keep-alive view of one key (ttl, hybrid), for a strategy to arm timers.
 * Windows follow Shahrad et al.: after the key's last use ends at last_ns,
 * a pre-warm window of 0 means "keep it loaded until last_ns + keep-alive
 * window"; a positive one means "unload now, load again at prewarm_at_ns and
 * keep it until deadline_ns = prewarm_at_ns + keep-alive window". */
struct cache_window {
	int64_t last_ns;		/* end of the last use, -1 unknown */
	int64_t prewarm_window_ns;	/* 0: no pre-warm */
	int64_t keepalive_window_ns;	/* counted from (pre-)load */
	int64_t prewarm_at_ns;		/* last + pre-warm window, -1 none */
	int64_t deadline_ns;		/* resident: its deadline (-1 while
					 * pinned); not resident: when a
					 * pre-warmed copy would expire */
	int from_histogram;		/* 1: windows from the histogram,
					 * 0: fixed keep-alive */
	uint64_t samples;		/* idle times within the range */
	uint64_t out_of_range;		/* idle times beyond the range */
	double cv;			/* CV of the bin counts */
};

#define CACHE_NIL UINT32_MAX

/* A replacement policy: one file of policies/cache/, one line of its
 * registry. Callers use only (name) and (help) and pass the table to
 * cache_new; the hooks are the policy's half of the mechanism and take entry
 * slots (uint32_t); policies/cache/policy.h is what they may touch. Hooks
 * marked optional may be NULL. */
struct cache_ops {
	const char *name;	/* as in YAML */
	const char *help;	/* one line for `vmspec list` */
	/* Optional: set the policy's own fields of (p) to their defaults. */
	void (*defaults)(struct cache_params *p);
	/* Optional: NULL if the policy's own fields of (p) are valid, else a
	 * static one-line reason ("hybrid: ..."). */
	const char *(*check)(const struct cache_params *p);
	/* Optional: allocate the policy's state (c->pol) once (c) is set up
	 * (parameters copied); (release) frees it. */
	void (*init)(struct cache *c);
	void (*release)(struct cache *c);
	/* Optional: the order of the policy heap (strict, total: end on the
	 * stamp); NULL when the policy keeps no heap. */
	int (*before)(const struct cache *c, uint32_t x, uint32_t y);
	/* Resident slot (e) was hit at (now). */
	void (*hit)(struct cache *c, uint32_t e, int64_t now_ns);
	/* Optional: resident slot (e) was hit by cache_acquire_h, which pins
	 * it right after (detach follows at once). NULL = (hit). A policy
	 * whose hit only reorders unpinned entries may skip that work. */
	void (*acquire)(struct cache *c, uint32_t e, int64_t now_ns);
	/* Optional: a lookup of (key) missed; (g) is its ghost slot or
	 * CACHE_NIL. */
	void (*miss)(struct cache *c, uint64_t key, uint32_t g, int64_t now_ns);
	/* Optional: before room is made for (kib) of (key) with ghost (g):
	 * directory upkeep; may evict. */
	void (*admit)(struct cache *c, uint64_t key, uint64_t kib, uint32_t g);
	/* Next entry to evict among the unpinned ones, CACHE_NIL if none. */
	uint32_t (*victim)(struct cache *c);
	/* Slot (e) was just filled: set policy fields, deadline; link it. */
	void (*insert)(struct cache *c, uint32_t e, int64_t now_ns);
	/* (e) leaves the eviction order (first pin, or before leaving). */
	void (*detach)(struct cache *c, uint32_t e);
	/* (e) re-enters it (last unpin at now). */
	void (*attach)(struct cache *c, uint32_t e, int64_t now_ns);
	/* Optional: detached (e) leaves the cache; return 1 to keep the slot
	 * as a ghost (only when (ghost) is 1). NULL = forget it. */
	int (*leave)(struct cache *c, uint32_t e, enum cache_why why,
		     int ghost);
	/* Optional: cache_window for (key), whose slot is (e) (resident, a
	 * ghost or CACHE_NIL); (w) comes zeroed with prewarm_at_ns = -1.
	 * NULL = -EOPNOTSUPP. */
	int (*window)(const struct cache *c, uint64_t key, uint32_t e,
		      struct cache_window *w);
	/* Optional: cache_where for slot (e), resident or a ghost. NULL =
	 * "resident". */
	const char *(*where)(const struct cache *c, uint32_t e);
	/* Eviction order as text (tests, debugging); NULL = empty. */
	void (*describe)(const struct cache *c, char *buf, size_t len);
};

/* NULL-terminated, in `vmspec list` order. */
extern const struct cache_ops *const cache_registry[];
extern const char *const cache_policy_names[];
/* The policy called (name) in YAML, or NULL. */
const struct cache_ops *cache_policy_find(const char *name);

/* Create a cache of (capacity_mib) (>= 0; INFINITY = unbounded) run by
 * (ops), a table from cache_registry. (p) NULL means defaults; it is copied.
 * (fn) may be NULL.
 * Returns 0 and *out, or -EINVAL (bad capacity or parameters). Abort on
 * out-of-memory, as xmalloc does. Free with cache_free. */
int cache_new(struct cache **out, const struct cache_ops *ops,
	      double capacity_mib, const struct cache_params *p,
	      cache_evict_fn fn, void *fn_arg);
/* Release (c) and everything it holds; no callbacks. NULL is a no-op. */
void cache_free(struct cache *c);

/* Look (key) up at (now). 1: hit, *user (if non-NULL) receives the entry's
 * word and its recency/frequency are updated; 0: miss (an entry found past
 * its deadline is expired first, with the callback). The miss is recorded:
 * arc adapts to ghost hits, hybrid records the key's idle time. */
int cache_lookup(struct cache *c, uint64_t key, int64_t now_ns,
		 uint64_t *user);

/* Insert (key) of (size_mib) > 0 and re-creation (cost) >= 0 (gdsf; e.g. ns
 * to rebuild) with the caller's word (user) at (now). Returns -EINVAL (bad
 * size/cost) or -E2BIG (larger than the capacity) without side effects;
 * otherwise expires entries whose deadline is <= now, then: -EEXIST key
 * resident; -EBUSY it cannot fit even if every unpinned entry were evicted
 * (nothing is evicted); else evicts policy victims until it fits, each
 * through the callback, and returns 0. An entry for immediate use should be
 * pinned right away (a hybrid load may be due to expire at once). */
int cache_insert(struct cache *c, uint64_t key, double size_mib, double cost,
		 uint64_t user, int64_t now_ns);

/* Remove resident (key) without the callback; *user (if non-NULL) receives
 * its word. 0, -ENOENT, or -EBUSY when pinned. */
int cache_remove(struct cache *c, uint64_t key, uint64_t *user);

/* Pin (key): it is not evicted nor expired until unpinned; pins nest.
 * 0 or -ENOENT. Pin right after the hit that handed the entry out. */
int cache_pin(struct cache *c, uint64_t key);
/* Undo one pin at (now). When the last pin goes, now counts as the end of a
 * use: recency, the ttl/hybrid idle clock and the gdsf priority restart from
 * it (frequency is not incremented). 0, -ENOENT, -EINVAL (not pinned). */
int cache_unpin(struct cache *c, uint64_t key, int64_t now_ns);

/* Handles: an owner that keeps a resident entry's handle saves the hash
 * probe of each call by key. A handle is the entry's slot: valid from the
 * insert until the entry leaves the cache (the callback reports it, or
 * cache_remove*); never use one after. The _h calls behave as the calls by
 * key of the same name (-ENOENT for a handle that is not resident). */
#define CACHE_NO_HANDLE UINT32_MAX
/* The handle of resident (key), CACHE_NO_HANDLE if it is not resident. */
uint32_t cache_handle(const struct cache *c, uint64_t key);
/* cache_lookup then, on a hit, cache_pin: 1 hit (now pinned), 0 the entry
 * was past its deadline (expired, with the callback), -ENOENT. */
int cache_acquire_h(struct cache *c, uint32_t h, int64_t now_ns);
int cache_pin_h(struct cache *c, uint32_t h);
int cache_unpin_h(struct cache *c, uint32_t h, int64_t now_ns);
int cache_remove_h(struct cache *c, uint32_t h, uint64_t *user);

/* Groups: entries that share their rank, e.g. the VMs of one function
 * (FaasCache's clones). Make resident (h) a member of (group) at (now):
 * from then on the members share one frequency (the uses of any member
 * since the group was last empty; a joining entry adds its own) and a use
 * of any member (hit, insert into the group, last unpin) re-ranks every
 * unpinned member as that use ranks it, by the policy's attach (lru: to
 * the most recent end; lfu: by the shared frequency; gdsf, lfu-gd,
 * landlord: priority recomputed with the current clock; ttl, hybrid: a new
 * deadline). Among members the one used least recently goes first. A use
 * costs O(members x log n). Membership ends when the entry leaves; an
 * empty group is forgotten. 0, -ENOENT (not resident), -EEXIST (already in
 * a group). */
int cache_join_h(struct cache *c, uint32_t h, uint64_t group, int64_t now_ns);

/* 1 if an entry of (size_mib) fits now without evicting anything. */
int cache_fits(const struct cache *c, double size_mib);
/* Set resident (h)'s re-creation cost (gdsf, landlord); it counts from
 * the entry's next ranking (a hit, or the last unpin). 0, -ENOENT,
 * -EINVAL (cost < 0 or not finite). */
int cache_set_cost_h(struct cache *c, uint32_t h, double cost);

/* Expire every unpinned entry whose deadline is <= now (an entry lives on
 * [last use, deadline)); returns how many. */
int cache_expire(struct cache *c, int64_t now_ns);
/* Earliest deadline of an unpinned entry, -1 if none: arm one timer there. */
int64_t cache_next_deadline(const struct cache *c);

/* Evict the policy's next victim among the unpinned entries, with the
 * callback (CACHE_EVICTED), as an insert would to make room: 1 if one was
 * evicted, 0 if every entry is pinned (or none is resident). For owners
 * whose real constraint is outside the cache (host memory). */
int cache_evict_one(struct cache *c);

/* Drop every unpinned entry (callback with CACHE_CLEARED), in a fixed order;
 * returns how many. Pinned entries stay. */
int cache_clear(struct cache *c);

/* Look at resident (key) without side effects: 0 or -ENOENT. */
int cache_peek(const struct cache *c, uint64_t key,
	       struct cache_entry_info *out);
/* Keep-alive windows of (key): 0; -ENOENT key unknown (hybrid) or not
 * resident (ttl); -EOPNOTSUPP other policies. */
int cache_window(const struct cache *c, uint64_t key,
		 struct cache_window *out);

void cache_stats(const struct cache *c, struct cache_stats *out);
double cache_used_mib(const struct cache *c);
double cache_hit_ratio(const struct cache *c);
const struct cache_ops *cache_policy(const struct cache *c);

/* arc: target size of T1 in MiB (the paper's p); -1 for other policies
 * (policies/cache/arc.c). */
double cache_arc_target_mib(const struct cache *c);
/* Where (key) is: "T1", "T2", "B1", "B2" (arc), "resident", or NULL. */
const char *cache_where(const struct cache *c, uint64_t key);
/* The eviction order as text, next victim first, e.g. "[3 1 2]",
 * "[3:1 2:2]" (lfu key:freq), "[2:1.5 1:4] L=1" (gdsf key:priority, clock),
 * "T1[4] T2[1 2] B1[3] B2[] p=1" (arc); pinned keys follow as
 * " pinned[5]". For tests and debugging: O(n^2). Truncates to (len). */
void cache_describe(const struct cache *c, char *buf, size_t len);

#endif
