# report2csv.awk - `vmspec report FILE --json`, flattened by json.awk, as
# CSV. -v what=runs: one row per run (replicated: the mean and 95 %
# interval of each metric, columns M, M_lo, M_hi; single: the value, with
# empty _lo/_hi); what=paired: one row per run against the baseline
# (replicated files only): the paired difference D, its interval and
# D_pct (100 D / the baseline's mean). -v metrics="m1 m2 ...": /summary
# names; -v names="c1 c2 ...": their column names (default the metrics).
BEGIN { FS = "\t"; nm = split(metrics, M, " "); if (names == "") names = metrics; split(names, C, " ") }
{ v[$1] = $2 }
$1 ~ /^replicated\.runs\[[0-9]+\]\.run$/ { nrep++ ; rrun[nrep] = $2; ridx[$2] = nrep }
$1 ~ /^replicated\.paired\.runs\[[0-9]+\]\.run$/ { np++; prun[np] = $2 }
$1 ~ /^runs\[[0-9]+\]\.name$/ { ns++; srun[ns] = $2 }
END {
	if (what == "runs") {
		h = "run,replications"
		for (k = 1; k <= nm; k++) h = h "," C[k] "," C[k] "_lo," C[k] "_hi"
		print h
		if (nrep) {
			for (i = 1; i <= nrep; i++) {
				p = "replicated.runs[" (i - 1) "].metrics."
				line = rrun[i] "," v["replicated.replications"]
				for (k = 1; k <= nm; k++)
					line = line "," v[p M[k] ".mean"] "," v[p M[k] ".lo"] "," v[p M[k] ".hi"]
				print line
			}
		} else {
			for (i = 1; i <= ns; i++) {
				p = "runs[" (i - 1) "].metrics."
				line = srun[i] ",1"
				for (k = 1; k <= nm; k++) {
					x = v[p M[k]]
					if (x == "") x = v["runs[" (i - 1) "]." M[k]]	# failed_fraction
					line = line "," x ",,"
				}
				print line
			}
		}
	} else if (what == "paired") {
		b = v["replicated.paired.baseline"]
		h = "run,baseline"
		for (k = 1; k <= nm; k++) h = h ",d_" C[k] ",d_" C[k] "_lo,d_" C[k] "_hi,d_" C[k] "_pct"
		print h
		bi = ridx[b] - 1
		for (i = 1; i <= np; i++) {
			p = "replicated.paired.runs[" (i - 1) "].metrics."
			line = prun[i] "," b
			for (k = 1; k <= nm; k++) {
				base = v["replicated.runs[" bi "].metrics." M[k] ".mean"]
				d = v[p M[k] ".mean"]
				pct = (base != "" && base + 0 != 0) ? sprintf("%.4g", 100 * d / base) : ""
				line = line "," d "," v[p M[k] ".lo"] "," v[p M[k] ".hi"] "," pct
			}
			print line
		}
	}
}
