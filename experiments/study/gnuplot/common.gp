# common.gp - terminal and palette of the study's own figures (loaded by
# the others). Variables from scripts/artifact.sh (gnuplot -e): out (the
# file), fmt ("png" or "pdf"), w and h (inches). Okabe-Ito colours
# (colour-blind safe), a distinct point type per line.
if (!exists("w")) w = 10
if (!exists("h")) h = 4
if (fmt eq "pdf") {
	set terminal pdfcairo enhanced color font "Helvetica,9" size w, h
} else {
	set terminal pngcairo enhanced color font "Helvetica,10" size w * 110, h * 110
}
set output out
set linetype 1 lc rgb "#0072B2" lw 2 pt 7 ps 0.8
set linetype 2 lc rgb "#D55E00" lw 2 pt 5 ps 0.8
set linetype 3 lc rgb "#009E73" lw 2 pt 9 ps 0.9
set linetype 4 lc rgb "#CC79A7" lw 2 pt 13 ps 0.9
set linetype 5 lc rgb "#E69F00" lw 2 pt 11 ps 0.9
set linetype 6 lc rgb "#56B4E9" lw 2 pt 3 ps 0.9
set linetype 7 lc rgb "#000000" lw 2 pt 1 ps 0.9
set linetype 8 lc rgb "#999999" lw 1 pt 6 ps 0.7
set grid lc rgb "#dddddd"
set key noenhanced
