# spr.gp - E8: the scale-per-request model (SimFaaS / TCC'20) against
# vmspec. Per rate, the cold-start probability against the keep-alive:
# the published model (tcc20), the stack method and vmspec's runs
# with their 95 % intervals. Input: d (TSV blocks, one per rate: keepalive_s,
# tcc20, stack, vmspec_mean, vmspec_half), rates (space-separated), title.
load dir . "/common.gp"
set multiplot layout 1, words(rates) title title noenhanced
set logscale xy
set xlabel "keep-alive (s)"
set ylabel "P(cold start)"
set format y "10^{%L}"
set key bottom left
do for [i = 1:words(rates)] {
	set title "rate " . word(rates, i) . " / s"
	plot d index (i - 1) using 1:2 with linespoints lt 2 dt 2 title "TCC'20 model", \
	     d index (i - 1) using 1:3 with linespoints lt 1 title "stack method", \
	     d index (i - 1) using 1:4:5 with yerrorbars lt 7 pt 7 title "vmspec, 95 % interval"
}
unset multiplot
