#!/bin/sh
# --suppress-threads-from: runs uses_background under `ccheck run` with
# several option sets and compares the report's SUMMARY line and exit
# status.
#
# usage: check_suppress.sh CCHECK PROG
set -u
if [ $# -ne 2 ]; then
    echo "usage: check_suppress.sh CCHECK PROG" >&2
    exit 2
fi
ccheck=$1
prog=$2
passed=0
failed=0

# expect STATUS SUMMARY [OPTIONS...]
expect() {
    want_status=$1
    want_summary=$2
    shift 2
    out=$(timeout -k 5 60 "$ccheck" run "$@" -- "$prog" 2>&1)
    status=$?
    if [ "$status" = "$want_status" ] && printf '%s\n' "$out" | grep -qxF "$want_summary"; then
        echo "PASS $*"
        passed=$((passed + 1))
    else
        echo "FAIL $*: status $status (want $want_status), expected the line: $want_summary"
        printf '%s\n' "$out" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
}

both="SUMMARY: ccheck: 2 findings (2 thread) in 1 trace"
own="SUMMARY: ccheck: 1 finding (1 thread) in 1 trace"
expect 66 "$both"
expect 66 "$both" --suppress-threads-from libnothing.so
expect 66 "$own" --suppress-threads-from libbackground
expect 66 "$own" --suppress-threads-from=libbackground.so --suppress-threads-from libother
expect 0 "SUMMARY: ccheck: no findings in 1 trace" --suppress-threads-from libbackground \
    --suppress-threads-from uses_background
out=$("$ccheck" run --suppress-threads-from "" -- "$prog" 2>&1)
if [ $? = 2 ]; then
    echo "PASS empty MODULE is bad usage"
    passed=$((passed + 1))
else
    echo "FAIL empty MODULE: $out"
    failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
