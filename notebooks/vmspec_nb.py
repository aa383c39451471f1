"""vmspec_nb.py - what the notebooks of notebooks/ share: where the
artifact is, HDF5 tables as pandas DataFrames, the intervals `vmspec
report` prints (Student t; a percentile bootstrap with GSL's Mersenne
Twister for percentiles and maxima), and the series styles of `vmspec
plot` (Okabe and Ito's colour-blind-safe colours crossed with dashes and
markers). Imported by every notebook; Debian's python3-h5py,
python3-pandas, python3-matplotlib, python3-scipy. Invariant: every figure
here is computed from data/ of the artifact (or a results file), never
read back from its tables/ or figures/.
"""
import math
import os

import h5py
import numpy as np
import pandas as pd
from scipy import stats

# ------------------------------------------------------------ the artifact

HERE = os.path.dirname(os.path.abspath(__file__))


def artifact_dir():
    """$ARTIFACT_DIR, else ../artifact beside notebooks/ (the repository's
    artifact/, written by `make artifact`)."""
    d = os.environ.get("ARTIFACT_DIR")
    return os.path.abspath(d if d else os.path.join(HERE, "..", "artifact"))


def data_path(name):
    """Path of data/NAME in the artifact (it may not exist)."""
    return os.path.join(artifact_dir(), "data", name)


def need(name):
    """Path of data/NAME; FileNotFoundError naming the command that makes
    it when it is missing."""
    p = data_path(name)
    if not os.path.exists(p):
        raise FileNotFoundError(
            f"{p}: missing; make the artifact first (`make -C build "
            f"artifact QUICK=1` at the top of the repository) or set "
            f"ARTIFACT_DIR")
    return p


def open_results(path):
    """An HDF5 file read-only; a warning when its `complete` flag is not 1
    (docs/results.md: such a file is partial)."""
    f = h5py.File(path, "r")
    if "complete" in f.attrs and int(f.attrs["complete"]) != 1:
        print(f"warning: {path} is incomplete (complete != 1): partial data")
    return f


# ------------------------------------------------------------ tables

def text(v):
    """An attribute or fixed-length string as str."""
    if isinstance(v, bytes):
        return v.decode("utf-8").rstrip("\0")
    if isinstance(v, np.ndarray) and v.shape == ():
        return text(v[()])
    return v if isinstance(v, str) else str(v)


def table(ds):
    """An HDF5 compound dataset (a table) as a DataFrame, byte strings
    decoded."""
    a = ds[()]
    df = pd.DataFrame(a) if len(a) else pd.DataFrame(
        {n: pd.Series(dtype=a.dtype[n]) for n in a.dtype.names})
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(text)
    return df


def summary(run):
    """A run group's /summary as a Series metric -> value."""
    s = table(run["summary"])
    return pd.Series(s["value"].values, index=s["name"].values, dtype=float)


def run_groups(f):
    """The runs of a results file in creation order (h5py lists them so
    when the file tracks it, as vmspec's files do), each as (group name,
    run, replication): a replicated experiment's NAME#K groups carry
    attributes `run` and `replication`; others are replication 0 of
    themselves."""
    runs = f["runs"]
    names = list(runs)
    out = []
    for n in names:
        g = runs[n]
        if "replication" in g.attrs and "run" in g.attrs:
            out.append((n, text(g.attrs["run"]), int(g.attrs["replication"])))
        elif "#" in n and n.rsplit("#", 1)[1].isdigit():
            b, k = n.rsplit("#", 1)
            out.append((n, b, int(k)))
        else:
            out.append((n, n, 0))
    return out


def metrics_long(f):
    """Every run's /summary of a results file as a long table: group, run,
    replication, metric, value; plus the pseudo-metric failed_fraction
    (failed / requests) that `vmspec report` shows."""
    rows = []
    for g, r, k in run_groups(f):
        s = summary(f["runs"][g])
        for m, v in s.items():
            rows.append((g, r, k, m, v))
        if "failed" in s and "requests" in s:
            v = s["failed"] / s["requests"] if s["requests"] > 0 else math.nan
            rows.append((g, r, k, "failed_fraction", v))
    return pd.DataFrame(rows, columns=["group", "run", "replication",
                                       "metric", "value"])


def latency_cdf(hist):
    """A /latency_hist table as (upper_ms, CDF); several concatenated
    (replications) are summed bucket by bucket."""
    h = hist.groupby("upper_ms", as_index=False)["count"].sum()
    h = h.sort_values("upper_ms")
    c = h["count"].cumsum().to_numpy(dtype=float)
    return h["upper_ms"].to_numpy(), c / c[-1] if len(c) else c


# ------------------------------------------------------------ intervals

LEVEL = 0.95		# of every interval (exp/sweep_read.h SWR_LEVEL)
BOOT_REPS = 2000	# bootstrap resamples (SWR_BOOT_REPS)
BOOT_SEED = 12		# bootstrap generator seed (SWR_BOOT_SEED)
BOOT_MIN = 10		# fewer values: Student t (SWR_BOOT_MIN)


def _finite(x):
    """The finite values of x, their mean (NaN when none) and count."""
    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v)]
    return v, (float(v.mean()) if len(v) else math.nan), len(v)


def t_ci(x, level=LEVEL):
    """Mean and Student t interval of the finite values of x: (mean, lo,
    hi, n); lo = hi = NaN for fewer than 2 values (base/stats.c)."""
    v, m, n = _finite(x)
    if n < 2:
        return (m, math.nan, math.nan, n)
    h = stats.t.ppf(0.5 + level / 2, n - 1) * v.std(ddof=1) / math.sqrt(n)
    return (m, m - h, m + h, n)


class MT19937:
    """The Mersenne Twister as GSL's gsl_rng_mt19937 (the 2002 seeding:
    seed 0 means 4357), for the bootstrap of base/stats.c."""

    def __init__(self, seed):
        s = seed & 0xFFFFFFFF or 4357
        self.mt = [0] * 624
        self.mt[0] = s
        for i in range(1, 624):
            p = self.mt[i - 1]
            self.mt[i] = (1812433253 * (p ^ (p >> 30)) + i) & 0xFFFFFFFF
        self.i = 624

    def get(self):
        mt = self.mt
        if self.i >= 624:
            for k in range(624):
                y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7FFFFFFF)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (
                    0x9908B0DF if y & 1 else 0)
            self.i = 0
        y = mt[self.i]
        self.i += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y

    def uniform_int(self, n):
        """gsl_rng_uniform_int: 0..n-1 by scaling with rejection."""
        scale = 0xFFFFFFFF // n
        while True:
            k = self.get() // scale
            if k < n:
                return k


def boot_ci(x, level=LEVEL, reps=BOOT_REPS, seed=BOOT_SEED):
    """Mean and percentile-bootstrap interval of the mean of the finite
    values of x, drawn exactly as base/stats.c stat_boot_ci does."""
    v, m, n = _finite(x)
    if n < 2:
        return (m, math.nan, math.nan, n)
    r = MT19937(seed ^ (seed >> 32))
    means = np.empty(reps)
    vals = list(v)
    for b in range(reps):
        s = 0.0
        for _ in range(n):
            s += vals[r.uniform_int(n)]
        means[b] = s / n
    means.sort()
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return (m, float(lo), float(hi), n)


def metric_is_boot(m):
    """Percentiles and maxima (exp/sweep_read.c swr_metric_boot)."""
    if "max" in m or "peak" in m:
        return True
    i = m.find("_p")
    while i >= 0:
        j = i + 2
        while j < len(m) and m[j].isdigit():
            j += 1
        if j > i + 2 and (j == len(m) or m[j] == "_"):
            return True
        i = m.find("_p", i + 1)
    return False


def ci(metric, x):
    """The interval `vmspec report` gives (metric) over replications or
    seeds x: bootstrap for percentiles and maxima from 10 values on,
    Student t otherwise."""
    n = int(np.isfinite(np.asarray(x, dtype=float)).sum())
    if n >= BOOT_MIN and metric_is_boot(metric):
        return boot_ci(x)
    return t_ci(x)


def paired_ci(a, b, level=LEVEL):
    """Student t interval of the paired differences a - b (same
    replications: common random numbers)."""
    return t_ci(np.asarray(a, dtype=float) - np.asarray(b, dtype=float),
                level)


def fmt_ci(c, digits=4):
    """'mean ±half' of a (mean, lo, hi, n)."""
    m, lo, hi, _ = c
    if math.isnan(lo):
        return f"{m:.{digits}g}"
    return f"{m:.{digits}g} ±{(hi - lo) / 2:.{digits - 1}g}"


# ------------------------------------------------------------ figures

# Okabe & Ito (2008) without the yellow, in cli/gnuplot.c's order; series
# i and i + 7 share a colour and differ in dash and marker (filled, then
# open), as in `vmspec plot`.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
           "#56B4E9", "#000000"]
DASHES = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "^", "v", "D", "p", "*",
           "s", "^", "v", "D", "p", "o", "X"]


def style(i):
    """Line and marker keywords of series (i) for matplotlib."""
    c = COLOURS[i % 7]
    return dict(color=c, linestyle=DASHES[(i % 28) // 7],
                marker=MARKERS[i % 14],
                markerfacecolor=c if (i % 14) < 7 else "none",
                markeredgecolor=c)


def setup():
    """matplotlib defaults of the notebooks: readable, vector-friendly."""
    import matplotlib as mpl
    mpl.rcParams.update({
        "figure.dpi": 100, "savefig.dpi": 150, "font.size": 10,
        "axes.grid": True, "grid.alpha": 0.3, "legend.fontsize": 8,
        "figure.constrained_layout.use": True,
    })
    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 30)


def cdf_and_tail(ax_cdf, ax_tail, curves, markevery=0.1):
    """Latency CDF (left) and its tail, 1 - CDF on a log axis (right), one
    series per (label, upper_ms, cdf) of curves."""
    for i, (label, x, F) in enumerate(curves):
        st = style(i)
        ax_cdf.plot(x, F, label=label, markevery=markevery, markersize=4,
                    **st)
        tail = 1 - F
        ok = tail > 0
        ax_tail.plot(x[ok], tail[ok], label=label, markevery=markevery,
                     markersize=4, **st)
    ax_cdf.set_xscale("log")
    ax_cdf.set_xlabel("latency (ms)")
    ax_cdf.set_ylabel("CDF")
    ax_cdf.set_ylim(0, 1.02)
    ax_tail.set_xscale("log")
    ax_tail.set_yscale("log")
    ax_tail.set_xlabel("latency (ms)")
    ax_tail.set_ylabel("1 - CDF (tail)")
