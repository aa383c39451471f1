#!/bin/sh
# test_prov.sh - provenance and shipped data end to end (base/prov.h,
# base/datadir.h): `vmspec --version` names the source commit, compiler,
# flags and libraries and a results file carries the same; experiments and
# calibration files are found by name ($VMSPEC_DATADIR, the source tree from
# the build tree), an unknown name is a one-line error saying where it
# looked; `make install DESTDIR=...` puts experiments/ and models/ under
# $(pkgdatadir), where the installed program finds them.
set -u
VMSPEC=${VMSPEC:-./vmspec}
SRCDIR=${SRCDIR:-.}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() {	# NAME CMD...: ok when CMD succeeds
	name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}

# expect NAME STATUS PATTERN -- CMD...: exit status and a pattern in output
expect() {
	name=$1 want=$2 pat=$3
	shift 4
	"$@" >"$T/out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$name: exit $got, want $want"; sed 's/^/     /' "$T/out" | head -5
	elif ! grep -q -- "$pat" "$T/out"; then
		bad "$name: output lacks '$pat'"; sed 's/^/     /' "$T/out" | head -5
	else
		ok "$name"
	fi
}

# ---- --version ----
"$VMSPEC" --version >"$T/version" 2>&1
check "--version exits 0" test $? -eq 0
check "version = --version" sh -c '"$1" version | cmp -s - "$2"' sh \
	"$VMSPEC" "$T/version"
check "--version: package" grep -Eq '^vmspec [0-9]' "$T/version"
check "--version: commit" \
	grep -Eq '^commit +([0-9a-f]{7,40}(\+dirty)?|unknown)$' "$T/version"
check "--version: compiler" grep -Eq '^compiler +[^ ]' "$T/version"
check "--version: flags" grep -Eq "^flags +CFLAGS='.*' CPPFLAGS=" "$T/version"
check "--version: libraries" \
	grep -Eq '^libraries +HDF5 [0-9.]+, GSL [0-9.]+, libyaml [0-9.]+' \
	"$T/version"
commit=$(awk '$1 == "commit" { sub(/\+dirty$/, "", $2); print $2 }' \
	"$T/version")
dirty=0
grep -q '^commit .*+dirty$' "$T/version" && dirty=1

# ---- scripts/prov.sh outside git: the tarball's file, else unknown ----
mkdir -p "$T/tree"
check "prov.sh: unknown outside git" sh -c \
	'[ "$(sh "$1" commit "$2")" = "unknown 0" ]' sh \
	"$SRCDIR/scripts/prov.sh" "$T/tree"
echo "0123456789abcdef0123456789abcdef01234567 1" >"$T/tree/source-commit"
check "prov.sh: a tarball's source-commit" sh -c \
	'[ "$(sh "$1" commit "$2")" = "$(cat "$2/source-commit")" ]' sh \
	"$SRCDIR/scripts/prov.sh" "$T/tree"
sh "$SRCDIR/scripts/prov.sh" header "$T/tree" "no-such-cc" 'a"b\c' "" "" \
	>"$T/hdr.h"
check "prov.sh: header escapes" grep -Fq \
	"#define PROV_BUILD_FLAGS \"CFLAGS='a\\\"b\\\\c' CPPFLAGS='' LDFLAGS=''\"" \
	"$T/hdr.h"

# ---- shipped data by name: $VMSPEC_DATADIR first ----
D=$T/data
mkdir -p "$D/experiments" "$D/models"
cat >"$D/experiments/tiny.yaml" <<'Y'
# tiny.yaml - test_prov.sh: a minute of five functions
name: tiny
seed: 5
duration: 1min
strategies: [keepalive]
workload:
  functions: 5
  rate: 2
models.calibration: tinycal
Y
cat >"$D/models/tinycal.yaml" <<'Y'
models.dispatch: 3ms
Y
export VMSPEC_DATADIR="$D"
expect "run by name (VMSPEC_DATADIR)" 0 "results:" -- \
	"$VMSPEC" run tiny --no-plot -o "$T/tiny.h5"
expect "calibration by name" 0 "calibration: \"$D/models/tinycal.yaml\"" -- \
	"$VMSPEC" run tiny --dump-config
expect "list experiments" 0 "tiny  *test_prov.sh: a minute" -- \
	"$VMSPEC" list experiments
expect "unknown experiment" 2 \
	"no-such-exp: no such file, nor a shipped experiment (looked for no-such-exp.yaml in $D/experiments, " -- \
	"$VMSPEC" run no-such-exp
expect "unknown calibration" 2 "nor a shipped calibration file (looked for nocal.yaml in $D/models, " -- \
	"$VMSPEC" run tiny --dump-config --set models.calibration=nocal
# a subfolder of experiments/: named FOLDER/NAME, listed, found
mkdir -p "$D/experiments/sub"
sed 's/^name: tiny/name: subtiny/; 1s/.*/# subtiny - a tiny one in a subfolder/' \
	"$D/experiments/tiny.yaml" >"$D/experiments/sub/subtiny.yaml"
expect "list experiments: subfolder" 0 "sub/subtiny  *a tiny one in a subfolder" -- \
	"$VMSPEC" list experiments
expect "run by name in a subfolder" 0 '^name: "subtiny"' -- \
	"$VMSPEC" run sub/subtiny --dump-config
expect "a name with ..: a path, not looked up" 2 "sub/../tiny: cannot open" -- \
	"$VMSPEC" run sub/../tiny --dump-config
lines=$("$VMSPEC" run no-such-exp 2>&1 | wc -l)
check "unknown name: one line" test "$lines" -eq 1
# a file of that name wins over the shipped one
(cd "$T" && sed 's/^name: tiny/name: local/' "$D/experiments/tiny.yaml" \
	>tiny && "$VMSPEC" run tiny --dump-config >"$T/local.out" 2>&1)
check "a file beats a name" grep -q '^name: "local"' "$T/local.out"
unset VMSPEC_DATADIR
# the source tree, from the build tree
expect "run by name (source tree)" 0 '^name: "compare-strategies"' -- \
	"$VMSPEC" run compare-strategies --dump-config

# ---- the results file carries the provenance ----
"$VMSPEC" report --json "$T/tiny.h5" >"$T/json" 2>&1
check "results: source_commit" grep -q "\"source_commit\": \"$commit\"" "$T/json"
check "results: source_dirty" grep -q "\"source_dirty\": $dirty" "$T/json"
for a in compiler build_flags libraries; do
	check "results: $a" grep -q "\"$a\": \"..*\"" "$T/json"
done
expect "report: commit row" 0 "^commit  *$commit" -- "$VMSPEC" report "$T/tiny.h5"

# ---- make install DESTDIR=...: the installed program finds its data ----
build=$(cd "$(dirname "$VMSPEC")" && pwd)
if [ -f "$build/Makefile" ] && command -v make >/dev/null; then
	I=$T/inst
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$build" install \
		DESTDIR="$I" >"$T/install.log" 2>&1
	check "make install" test $? -eq 0
	bin=$(find "$I" -path '*/bin/vmspec' -type f | head -n 1)
	share=$(find "$I" -type d -path '*/vmspec/experiments' | head -n 1)
	share=${share%/experiments}
	check "installed: experiments" test -f "$share/experiments/compare-strategies.yaml"
	check "installed: calibration" \
		test -f "$share/models/calibration-kvm-pvm-epyc-2core.yaml"
	check "installed: literature experiments" \
		test -f "$share/experiments/literature/scale-per-request.yaml"
	check "installed: no traces" test ! -e "$share/experiments/traces"
	expect "installed: run by name" 0 '^name: "compare-strategies"' -- \
		env VMSPEC_DATADIR="$share" "$bin" run compare-strategies \
		--dump-config
	expect "installed: calibration by name" 0 "calibration: \"$share/models/calibration-kvm-pvm-epyc-2core.yaml\"" -- \
		env VMSPEC_DATADIR="$share" "$bin" run quickstart --dump-config \
		--set models.calibration=calibration-kvm-pvm-epyc-2core
	expect "installed: literature by name" 0 '^name: "scale-per-request' -- \
		env VMSPEC_DATADIR="$share" "$bin" run \
		literature/scale-per-request --dump-config
	"$bin" run no-such-exp >"$T/inst.out" 2>&1
	check "installed: not the source tree" sh -c \
		'! grep -q "$1/experiments" "$2" && grep -q "looked for" "$2"' \
		sh "$(cd "$SRCDIR" && pwd)" "$T/inst.out"
	"$bin" --version >"$T/inst-version" 2>&1
	check "installed: same --version" cmp -s "$T/version" "$T/inst-version"
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$build" uninstall \
		DESTDIR="$I" >>"$T/install.log" 2>&1
	left=$(find "$I" -type f | wc -l)
	check "make uninstall leaves no file" test "$left" -eq 0
else
	echo "skip make install: no Makefile beside $VMSPEC"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
