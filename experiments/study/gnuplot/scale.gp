# scale.gp - E6: replay throughput and peak memory against the trace's
# length (one line per strategy), and engine events/s against pending
# events (one line per queue). Inputs: r (TSV blocks, one per strategy,
# separated by two blank lines: invocations, inv_per_s, peak_rss_mib),
# rs (the strategies, space-separated), e (TSV blocks per queue: pending,
# events_per_s), es (the queues, "|"-separated), title.
load dir . "/common.gp"
set multiplot layout 1, 3 title title noenhanced
set logscale x
set format x "10^{%L}"
set xlabel "invocations replayed"
set key top left
set title "replay throughput"
set ylabel "invocations / s"
set format y "%.1s%c"
plot for [i = 1:words(rs)] r index (i - 1) using 1:2 with linespoints lt i title word(rs, i)
set title "replay peak memory (RSS)"
set ylabel "MiB"
set logscale y
set format y "%g"
plot for [i = 1:words(rs)] r index (i - 1) using 1:3 with linespoints lt i title word(rs, i)
unset logscale y
set title "event queue (hold model)"
set xlabel "pending events"
set ylabel "events / s"
set format y "%.1s%c"
set key top right
nq = words(es)
plot for [i = 1:nq] e index (i - 1) using 1:2 with linespoints lt i title word(es, i)
unset multiplot
