#!/bin/sh
# test_faults.sh - results files survive failures (issue 15): a write that
# fails at any point of a run (fault injection: VMSPEC_FAULT_WRITE=N, every
# one of a run's write points in turn), a file-size limit hit inside HDF5
# (a full disk as the OS reports it), and a second writer of the same
# output all end in a clear exit status, never a crash, never a file at the
# output that is partial, and the previous file at that path intact.
set -u
VMSPEC=${VMSPEC:-./vmspec}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
sum() { cksum "$1" 2>/dev/null | cut -d' ' -f1,2; }

run() {	# a one-minute quick-start into $T/out.h5
	"$VMSPEC" run -q --no-plot -o "$T/out.h5" --set duration=1min \
		--set results.batch_rows=1024 "$@"
}

# how many write points a run has (the run succeeds), then the previous
# results, which nothing below may touch
n=$(VMSPEC_FAULT_WRITE=count run 2>&1 >/dev/null |
    sed -n 's/.*write points so far: //p' | tail -1)
run >/dev/null 2>&1 && [ -s "$T/out.h5" ] && ok "first run" || bad "first run"
before=$(sum "$T/out.h5")

# every write point in turn
[ "${n:-0}" -gt 5 ] && ok "write points counted ($n)" || bad "write points ($n)"
crash=0 status=0 changed=0 msg=0
i=1
while [ "$i" -le "${n:-0}" ]; do
	VMSPEC_FAULT_WRITE=$i run >"$T/o" 2>&1
	rc=$?
	[ $rc -ge 128 ] && crash=$((crash + 1))
	[ $rc -ne 1 ] && status=$((status + 1))
	[ "$(sum "$T/out.h5")" = "$before" ] || changed=$((changed + 1))
	grep -q "left as it was" "$T/o" || msg=$((msg + 1))
	i=$((i + 1))
done
[ $crash -eq 0 ] && ok "no crash at any of $n write points" || bad "$crash crashes"
[ $status -eq 0 ] && ok "exit 1 at every write point" || bad "$status other statuses"
[ $changed -eq 0 ] && ok "previous file intact at every write point" || \
	bad "previous file changed $changed times"
[ $msg -eq 0 ] && ok "each failure says the file was left as it was" || \
	bad "$msg failures without the message"

# a real write failure inside HDF5: the file-size limit (EFBIG, as ENOSPC)
( trap '' XFSZ; ulimit -f 1024; run ) >"$T/o" 2>&1
rc=$?
[ $rc -eq 1 ] && ok "file-size limit: exit 1" || bad "file-size limit: exit $rc"
grep -q "File too large" "$T/o" && ok "file-size limit: the OS's reason" || \
	bad "file-size limit: reason"
[ "$(sum "$T/out.h5")" = "$before" ] && ok "file-size limit: previous file intact" ||
	bad "file-size limit: previous file changed"

# a second writer: refused before it touches anything
if command -v flock >/dev/null; then
	# the holder says when it holds the lock (no sleep to guess it)
	flock -n "$T/out.h5.part" sh -c ": >'$T/held'; while [ ! -e \
		'$T/release' ]; do sleep 0.1; done" &
	k=0
	while [ ! -e "$T/held" ] && [ $k -lt 600 ]; do sleep 0.1; k=$((k + 1)); done
	run >"$T/o" 2>&1
	rc=$?
	: >"$T/release"
	wait
	[ $rc -eq 3 ] && ok "second writer: exit 3" || bad "second writer: exit $rc"
	grep -q "another vmspec is writing" "$T/o" && ok "second writer: says why" ||
		bad "second writer: message"
	[ "$(sum "$T/out.h5")" = "$before" ] && ok "second writer: file intact" ||
		bad "second writer: file changed"
fi

# a full disk (as root, where a small tmpfs can be mounted): a run says the
# OS's reason and leaves nothing at the output; a sweep's runs whose logs
# cannot be written either still say why, on the sweep's own stderr
F="$T/full"
mkdir -p "$F"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=256k tmpfs "$F" 2>/dev/null; then
	trap 'umount "$F" 2>/dev/null; rm -rf "$T"' EXIT
	mkdir -p "$F/sw/runs"
	cat >"$F/sw.yaml" <<Y
name: full
base: $(cd "${SRCDIR:-.}" && pwd)/experiments/quickstart.yaml
config: {duration: 1min}
axes:
  - key: workload.rate
    values: [5, 10]
output: sw
Y
	dd if=/dev/zero of="$F/fill" bs=4k >/dev/null 2>&1
	"$VMSPEC" run -q --no-plot -o "$F/out.h5" --set duration=1min >"$T/o" 2>&1
	rc=$?
	[ $rc -eq 1 ] && ok "full disk: run exits 1" || bad "full disk: run exit $rc"
	grep -q "No space left on device" "$T/o" && ok "full disk: the OS's reason" ||
		bad "full disk: reason"
	[ ! -e "$F/out.h5" ] && ok "full disk: no file at the output" ||
		bad "full disk: a file at the output"
	"$VMSPEC" sweep "$F/sw.yaml" -j 2 -q >"$T/o" 2>&1
	rc=$?
	[ $rc -eq 1 ] && ok "full disk: sweep exits 1" || bad "full disk: sweep exit $rc"
	[ "$(grep -c "No space left on device" "$T/o")" -ge 2 ] &&
		ok "full disk: each sweep run says why" ||
		{ bad "full disk: sweep runs' reason"; head -5 "$T/o"; }
	umount "$F"
else
	echo "skip full disk: not root, or no tmpfs mount here"
fi

# and after all that, a run that succeeds replaces the file
run >/dev/null 2>&1 && "$VMSPEC" report "$T/out.h5" | grep -q "status       complete" &&
	ok "a good run replaces it, complete" || bad "a good run replaces it"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
