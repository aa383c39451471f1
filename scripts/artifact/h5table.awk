# h5table.awk - turns `h5dump -y -w 0 -m %.15g -d DATASET FILE` of a
# one-dimensional compound dataset (a vmspec table: /tune/points,
# /sensitivity/morris, ...) into CSV: a header of the member names, then
# one line per row. Members must be scalars (numbers or fixed strings),
# which is what vmspec writes. Used by scripts/artifact.sh; POSIX awk.
function csv(s) {
	if (s ~ /[",\n]/) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
	return s
}
/^ *DATATYPE  *H5T_COMPOUND/ { intype = 1; next }
intype && /^ *DATASPACE/ { intype = 0 }
intype && /"[^"]*";[ \t]*$/ {
	name = $0; sub(/^[^"]*"/, "", name); sub(/";[ \t]*$/, "", name)
	if (nf++) header = header ","
	header = header csv(name)
	next
}
!done && /^ *DATA *\{/ { indata = 1; done = 1; print header; next }
indata && /^ *\{ *$/ { row = ""; k = 0; inrec = 1; next }
indata && /^ *\},? *$/ {
	if (inrec) print row
	else indata = 0		# the end of DATA: attributes may follow
	inrec = 0; next
}
indata && inrec {
	v = $0; sub(/^ */, "", v); sub(/,$/, "", v)
	if (v ~ /^"/) { sub(/^"/, "", v); sub(/"$/, "", v); v = csv(v) }
	row = row (k++ ? "," : "") v
}
END { if (!nf) { print "h5table.awk: no compound dataset in the input" > "/dev/stderr"; exit 1 } }
