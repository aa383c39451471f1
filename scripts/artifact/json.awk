# json.awk - flattens one JSON document (stdin or a file) into lines
# "PATH<TAB>VALUE": objects as a.b, arrays as a[0]; strings unquoted and
# unescaped (\n, \t, \", \\, \/ ; \uXXXX kept as is), numbers, true, false
# and null as written. Used by scripts/artifact.sh on the --json output of
# vmspec report and vmspec literature; POSIX awk (mawk) only.
{ buf = buf $0 "\n" }
END {
	n = length(buf); i = 1; depth = 0
	value("")
}
function ws() {
	while (i <= n && index(" \t\r\n", substr(buf, i, 1)) > 0)
		i++
}
function fail(msg) {
	printf "json.awk: %s at character %d\n", msg, i > "/dev/stderr"
	exit 1
}
function str(   c, s, e) {
	i++				# the opening quote
	s = ""
	while (i <= n) {
		c = substr(buf, i, 1)
		if (c == "\"") { i++; return s }
		if (c == "\\") {
			e = substr(buf, i + 1, 1); i += 2
			if (e == "n") s = s "\n"
			else if (e == "t") s = s "\t"
			else if (e == "r") s = s "\r"
			else if (e == "b" || e == "f") s = s " "
			else if (e == "u") { s = s "\\u" }
			else s = s e
			continue
		}
		s = s c; i++
	}
	fail("unterminated string")
}
function value(path,   c, k, j, start) {
	ws(); c = substr(buf, i, 1)
	if (c == "{") {
		i++; ws()
		if (substr(buf, i, 1) == "}") { i++; return }
		while (1) {
			ws()
			if (substr(buf, i, 1) != "\"") fail("expected a key")
			k = str(); ws()
			if (substr(buf, i, 1) != ":") fail("expected ':'")
			i++
			value(path == "" ? k : path "." k)
			ws(); c = substr(buf, i, 1); i++
			if (c == "}") return
			if (c != ",") fail("expected ',' or '}'")
		}
	}
	if (c == "[") {
		i++; ws(); j = 0
		if (substr(buf, i, 1) == "]") { i++; return }
		while (1) {
			value(path "[" j "]"); j++
			ws(); c = substr(buf, i, 1); i++
			if (c == "]") return
			if (c != ",") fail("expected ',' or ']'")
		}
	}
	if (c == "\"") {
		k = str(); gsub(/\n/, "\\n", k); gsub(/\t/, " ", k)
		print path "\t" k
		return
	}
	start = i
	while (i <= n && index(",}] \t\r\n", substr(buf, i, 1)) == 0)
		i++
	if (i == start) fail("expected a value")
	print path "\t" substr(buf, start, i - start)
}
