# csv2tex.awk - a CSV table (header line first; fields may be quoted) as a
# LaTeX table fragment: \begin{tabular} with booktabs rules (the document
# needs \usepackage{booktabs}), inside a table float when -v caption=...
# is given (-v label=... adds \label). Numbers are printed with -v
# digits=N significant digits (default 4). Columns A, A_lo, A_hi become one
# column "A" holding "mean [lo, hi]" (an interval: vmspec's 95 % CIs).
# Text is escaped for LaTeX. Used by scripts/artifact.sh; POSIX awk.
#   awk -f csv2tex.awk -v caption='E1: strategies' -v label=tab:e1 t.csv > t.tex
BEGIN { if (digits == "") digits = 4 }
function parse(line, f,   n, c, q, s, j) {	# CSV line -> f[1..n]
	n = 0; s = ""; q = 0
	for (j = 1; j <= length(line); j++) {
		c = substr(line, j, 1)
		if (q) {
			if (c == "\"" && substr(line, j + 1, 1) == "\"") { s = s c; j++ }
			else if (c == "\"") q = 0
			else s = s c
		} else if (c == "\"") q = 1
		else if (c == ",") { f[++n] = s; s = "" }
		else s = s c
	}
	f[++n] = s
	return n
}
function isnum(s) {
	return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/
}
function num(s,   v, a, e) {
	if (!isnum(s)) return tex(s)
	v = s + 0
	if (v == int(v) && (v < 0 ? -v : v) < 1e9) return sprintf("%d", v)
	a = v < 0 ? -v : v
	if (a >= 1e6 || (a > 0 && a < 1e-3)) {
		s = sprintf("%." (digits - 1) "e", v)
		e = s; sub(/^.*e/, "", e); sub(/e.*$/, "", s)
		return "$" s "\\times 10^{" (e + 0) "}$"
	}
	s = sprintf("%." digits "g", v)
	if (s ~ /e/) {
		e = s; sub(/^.*e/, "", e); sub(/e.*$/, "", s)
		return "$" s "\\times 10^{" (e + 0) "}$"
	}
	return s
}
function tex(s) {
	gsub(/\\/, "\\textbackslash{}", s)
	gsub(/[&%$#_{}]/, "\\\\&", s)
	gsub(/~/, "\\textasciitilde{}", s)
	gsub(/\^/, "\\textasciicircum{}", s)
	return s
}
NR == 1 {
	nh = parse($0, h)
	for (j = 1; j <= nh; j++) col[h[j]] = j
	nc = 0
	for (j = 1; j <= nh; j++) {
		if (h[j] ~ /_lo$/ || h[j] ~ /_hi$/) {
			b = h[j]; sub(/_(lo|hi)$/, "", b)
			if ((b "_lo") in col && (b "_hi") in col && b in col) continue
		}
		out[++nc] = j
		lo[nc] = (h[j] "_lo") in col ? col[h[j] "_lo"] : 0
		hi[nc] = (h[j] "_hi") in col ? col[h[j] "_hi"] : 0
		if (!lo[nc] || !hi[nc]) lo[nc] = hi[nc] = 0
	}
	if (caption != "") print "\\begin{table}\n\\centering"
	spec = ""
	for (k = 1; k <= nc; k++) spec = spec (k == 1 ? "l" : "r")
	print "\\begin{tabular}{" spec "}\n\\toprule"
	line = ""
	for (k = 1; k <= nc; k++)
		line = line (k > 1 ? " & " : "") tex(h[out[k]])
	print line " \\\\\n\\midrule"
	next
}
{
	parse($0, f); line = ""
	for (k = 1; k <= nc; k++) {
		c = num(f[out[k]])
		if (lo[k] && f[lo[k]] != "")
			c = c " [" num(f[lo[k]]) ", " num(f[hi[k]]) "]"
		line = line (k > 1 ? " & " : "") c
	}
	print line " \\\\"
}
END {
	if (NR == 0) { print "csv2tex.awk: empty input" > "/dev/stderr"; exit 1 }
	print "\\bottomrule\n\\end{tabular}"
	if (caption != "") {
		print "\\caption{" tex(caption) "}"
		if (label != "") print "\\label{" label "}"
		print "\\end{table}"
	}
}
