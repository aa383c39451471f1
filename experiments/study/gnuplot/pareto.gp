# pareto.gp - E3: every point the tuner tried in the plane of its two
# front figures (x memory-seconds, y p99), the non-dominated front joined,
# the incumbent and the best. Input: d (TSV: id, x, y, feasible,
# on_front, incumbent, best; x, y means over replications), title,
# xlab, ylab.
load dir . "/common.gp"
set title title noenhanced
set xlabel xlab noenhanced
set ylabel ylab noenhanced
set key top right
set format x "%.1s%c"
plot d using ($4 == 1 && $5 == 0 ? $2 : 1/0):3 with points lt 8 title "feasible", \
     d using ($4 == 0 ? $2 : 1/0):3 with points lt 2 pt 2 title "infeasible (constraint)", \
     "< awk -F'\t' '$5 == 1' " . d . " | sort -g -k2" using 2:3 with linespoints lt 1 title "Pareto front", \
     d using ($6 == 1 ? $2 : 1/0):3 with points lt 7 pt 5 ps 1.6 title "incumbent (defaults)", \
     d using ($7 == 1 ? $2 : 1/0):3 with points lt 5 pt 3 ps 2.5 title "best (objective, feasible)"
