#!/bin/sh
# run_expecting.sh CCHECK PROG SUMMARY
#
# For a runtime test that misuses the API on purpose (to check that the
# real error comes back unchanged): runs PROG under `ccheck run --exitcode 0`,
# so PROG's own status is the status, and passes only if PROG succeeded and
# the report's SUMMARY line is exactly SUMMARY.
ccheck=$1 prog=$2 summary=$3
out=$("$ccheck" run --exitcode 0 -- "$prog" 2>&1)
status=$?
printf '%s\n' "$out"
if [ "$status" -ne 0 ]; then
    echo "run_expecting: $prog exited with status $status" >&2
    exit 1
fi
if ! printf '%s\n' "$out" | grep -qxF "$summary"; then
    echo "run_expecting: expected the report to end with: $summary" >&2
    exit 1
fi
