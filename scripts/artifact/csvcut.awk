# csvcut.awk - drops the columns of a CSV whose header matches the
# regular expression -v drop=RE (fields without quoted commas, as vmspec
# and scripts/artifact.sh write them). Used by scripts/artifact.sh.
BEGIN { FS = OFS = "," }
NR == 1 { for (j = 1; j <= NF; j++) keep[j] = $j !~ drop }
{
	line = ""; first = 1
	for (j = 1; j <= NF; j++) if (keep[j]) { line = line (first ? "" : ",") $j; first = 0 }
	print line
}
