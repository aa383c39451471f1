#!/bin/bash
# test_artifact.sh - the artifact's machinery (scripts/artifact.sh and
# scripts/artifact/): the JSON, HDF5-table and LaTeX converters on fixtures,
# the README's claims on fixture tables (they must follow the numbers, both
# ways), then `artifact.sh --smoke` end to end (manifest checksums, the
# atomic rename) and a failing step (exit 1, no DIR, DIR.part marked
# incomplete). No timings. Run by make check with VMSPEC and SRCDIR set.
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
VMSPEC=${VMSPEC:-$SRCDIR/build/vmspec}
A=$SRCDIR/scripts/artifact
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }
check() {	# NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2], got [$3]"; fi
}
has() {	# NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1: no [$3] in $2"; fi
}

# ---- json.awk -----------------------------------------------------------
printf '{"a": {"b": [1, {"c": "x\\"y"}], "d": true}, "e": -1.5e3, "f": null}\n' |
	awk -f "$A/json.awk" > "$T/j.tsv"
check json-nested "a.b[0]	1" "$(sed -n 1p "$T/j.tsv")"
check json-escape 'a.b[1].c	x"y' "$(sed -n 2p "$T/j.tsv")"
check json-number "e	-1.5e3" "$(sed -n 4p "$T/j.tsv")"
check json-lines 5 "$(wc -l < "$T/j.tsv" | tr -d ' ')"
if printf '{"a": [1, 2}' | awk -f "$A/json.awk" >/dev/null 2>&1; then bad json-broken; else ok json-broken; fi

# ---- h5table.awk on h5dump's output of a compound dataset ----------------
cat > "$T/dump.txt" <<'EOF'
HDF5 "x.h5" {
DATASET "/t" {
   DATATYPE  H5T_COMPOUND {
      H5T_STRING {
         STRSIZE 16;
         STRPAD H5T_STR_NULLTERM;
         CSET H5T_CSET_ASCII;
         CTYPE H5T_C_S1;
      } "name";
      H5T_STD_I64LE "n";
      H5T_IEEE_F64LE "v";
   }
   DATASPACE  SIMPLE { ( 2 ) / ( 2 ) }
   DATA {
      {
         "a,b",
         1,
         0.5
      },
      {
         "c",
         2,
         -3
      }
   }
   ATTRIBUTE "found" {
      DATATYPE  H5T_STD_I64LE
      DATASPACE  SCALAR
      DATA {
         (0): 1
      }
   }
}
}
EOF
awk -f "$A/h5table.awk" "$T/dump.txt" > "$T/t.csv"
check h5table "name,n,v|\"a,b\",1,0.5|c,2,-3" "$(paste -sd'|' "$T/t.csv")"

# ---- csv2tex.awk: intervals merged, LaTeX escaped, numbers rounded -------
printf 'run_name,p99,p99_lo,p99_hi,n\nx&y,123.456789,100,150.25,3\n' > "$T/c.csv"
awk -f "$A/csv2tex.awk" -v caption='A_b' -v label=tab:x "$T/c.csv" > "$T/c.tex"
has tex-header "$T/c.tex" 'run\_name & p99 & n \\'
has tex-interval "$T/c.tex" 'x\&y & 123.5 [100, 150.2] & 3 \\'
has tex-caption "$T/c.tex" '\caption{A\_b}'
has tex-spec "$T/c.tex" '\begin{tabular}{lrr}'

# ---- readme.sh: claims follow the tables, both ways -----------------------
mk() {	# DIR PCT: a fixture artifact whose adaptive p99 differs by PCT %
	mkdir -p "$1/tables" "$1/figures" "$1/logs"
	cat > "$1/tables/e1-strategies.csv" <<EOF
run,replications,mean_ms,mean_ms_lo,mean_ms_hi,p99_ms,p99_ms_lo,p99_ms_hi
keepalive,5,80,75,85,500,480,520
adaptive,5,70,66,74,$((500 + 5 * $2)),400,600
EOF
	cat > "$1/tables/e1-paired.csv" <<EOF
run,baseline,d_mean_ms,d_mean_ms_lo,d_mean_ms_hi,d_mean_ms_pct,d_p99_ms,d_p99_ms_lo,d_p99_ms_hi,d_p99_ms_pct,d_mem_mib_s,d_mem_mib_s_lo,d_mem_mib_s_hi,d_mem_mib_s_pct
adaptive,keepalive,-10,-12,-8,-12.5,$((5 * $2)),$((5 * $2 - 10)),$((5 * $2 + 10)),$2,100,50,150,1
EOF
}
mk "$T/fa" -12
bash "$A/readme.sh" "$T/fa" quick
has readme-below "$T/fa/README.md" "adaptive's p99 is 12% below keepalive's (paired difference -60 [-70, -50] ms)"
has readme-best "$T/fa/README.md" "The lowest p99 of the 2 runs is adaptive's, 440 ms"
has readme-e7 "$T/fa/README.md" "**Not produced.**"
mk "$T/fb" 1
bash "$A/readme.sh" "$T/fb" quick
has readme-above "$T/fb/README.md" "adaptive's p99 is 1% above keepalive's (paired difference 5 [-5, 15] ms, an interval that includes 0: not resolved)"
has readme-best-other "$T/fb/README.md" "The lowest p99 of the 2 runs is keepalive's, 500 ms"

# ---- the smoke study, end to end -------------------------------------------
if [ ! -x "$VMSPEC" ] || ! command -v gnuplot >/dev/null || ! command -v h5dump >/dev/null; then
	echo "SKIP the smoke study: no vmspec, gnuplot or h5dump"
	[ $fails -eq 0 ] && exit 77 || exit 1
fi
if bash "$SRCDIR/scripts/artifact.sh" --smoke -b "$VMSPEC" -o "$T/art" > "$T/smoke.out" 2>&1; then
	ok smoke-exit
else
	bad "smoke-exit: $(tail -n 3 "$T/smoke.out")"
fi
[ -d "$T/art" ] && [ ! -e "$T/art.part" ] && ok smoke-renamed || bad smoke-renamed
has manifest-complete "$T/art/MANIFEST.json" '"complete": true'
has manifest-mode "$T/art/MANIFEST.json" '"mode": "smoke"'
# every file is listed with its size and sha256, and they match
awk -F'"' '/"path": .*"bytes": .*"sha256"/ { print $4 }' "$T/art/MANIFEST.json" > "$T/listed"
n=0 wrong=0
while read -r path _; do
	n=$((n + 1))
	line=$(grep -F "\"path\": \"$path\"" "$T/art/MANIFEST.json")
	sum=$(printf '%s' "$line" | sed 's/.*"sha256": "\([0-9a-f]*\)".*/\1/')
	size=$(printf '%s' "$line" | sed 's/.*"bytes": \([0-9]*\),.*/\1/')
	[ "$sum" = "$(sha256sum "$T/art/$path" | cut -d' ' -f1)" ] || wrong=$((wrong + 1))
	[ "$size" = "$(stat -c %s "$T/art/$path")" ] || wrong=$((wrong + 1))
done < "$T/listed"
check manifest-checksums 0 "$wrong"
check manifest-all-files "$(cd "$T/art" && find . -type f ! -name MANIFEST.json | wc -l | tr -d ' ')" "$n"
for f in data/e1-strategies.h5 data/e5-azure.h5 data/e8-literature.csv \
	 tables/e1-paired.csv tables/e1-paired.tex figures/e1-cdf.png README.md; do
	[ -s "$T/art/$f" ] && ok "smoke-file $f" || bad "smoke-file $f"
done
# the claim's number is the table's
pct=$(awk -F, 'NR == 1 { for (j = 1; j <= NF; j++) c[$j] = j } $1 == "adaptive" { p = $(c["d_p99_ms_pct"]); printf "%.3g", p < 0 ? -p : p }' "$T/art/tables/e1-paired.csv")
has smoke-claim "$T/art/README.md" "adaptive's p99 is $pct% "

# ---- a failing step: exit 1, no DIR, DIR.part marked incomplete -----------
cat > "$T/vm" <<EOF
#!/bin/bash
[ "\$1" = literature ] && { echo "vmspec literature: injected failure" >&2; exit 1; }
exec "$VMSPEC" "\$@"
EOF
chmod +x "$T/vm"
bash "$SRCDIR/scripts/artifact.sh" --smoke --only E8 -b "$T/vm" -o "$T/bad" > "$T/bad.out" 2>&1
check fail-exit 1 $?
[ ! -e "$T/bad" ] && ok fail-no-dir || bad fail-no-dir
has fail-manifest "$T/bad.part/MANIFEST.json" '"complete": false'
has fail-error "$T/bad.out" "artifact.sh: E8: step e8-spr-0.9-1min failed (exit 1): vmspec literature: injected failure"
bash "$SRCDIR/scripts/artifact.sh" --no-such-option > /dev/null 2>&1
check usage-exit 2 $?

[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
