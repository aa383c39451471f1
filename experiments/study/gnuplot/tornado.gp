# tornado.gp - E2: the Morris ranking as a tornado, one panel per output.
# Inputs: d1, d2 (TSV: rank, parameter, mu_star, lo, hi, mu, sorted by
# rank; d2 may be ""), t1, t2 (panel titles), unit, title.
load dir . "/common.gp"
set multiplot layout 1, (d2 eq "" ? 1 : 2) title title noenhanced
set style fill solid 0.6 noborder
set xlabel "effect over the parameter's range (" . unit . ")"
set yrange [*:*] reverse
set offsets 0, 0, 0.5, 0.5
set key bottom right
set ytics noenhanced
set xzeroaxis
do for [k = 1:(d2 eq "" ? 1 : 2)] {
	d = (k == 1 ? d1 : d2)
	set title (k == 1 ? t1 : t2) noenhanced
	plot d using 3:1:(0):3:($1 - 0.35):($1 + 0.35):ytic(2) with boxxyerror lt 1 title "mu* (mean |effect|)", \
	     d using 3:1:4:5 with xerrorbars lt 7 pt -1 title "95 % interval of mu*", \
	     d using 6:1 with points lt 2 pt 7 ps 1.1 title "mu (signed mean)"
}
unset multiplot
