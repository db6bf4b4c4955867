#!/bin/sh
# Cross-run merging of lock-order graphs: split_order takes A then B in one
# run ("ab") and B then A in another ("ba"). Each trace alone holds half of
# the cycle and must report nothing; both traces reported together must give
# exactly one lock-order-inversion, whose stacks point at the lock lines
# marked `merge-check: acquire` (the second lock of each run) and
# `merge-check: held` (the first) in split_order.c. The lock classes of the
# static mutexes A and B are what make the two runs' locks the same.
#
# usage: check_merge.sh CCHECK LIBCCHECK PROG SOURCE [WORKDIR]
#   CCHECK     the ccheck command
#   LIBCCHECK  libccheck.so, preloaded into PROG
#   PROG       the split_order program
#   SOURCE     split_order.c, where the expected lines are marked
#   WORKDIR    where to put a fresh run.XXXXXX directory (default: $TMPDIR
#              or /tmp); it is removed when everything passed, kept otherwise
#
# Prints one line per check, PASS or FAIL with the reason, then
# "N passed, N failed". Exit status 0 iff nothing failed, 2 on bad usage or
# setup (jq missing, unreadable arguments).
set -u

if [ $# -lt 4 ] || [ $# -gt 5 ]; then
    echo "usage: check_merge.sh CCHECK LIBCCHECK PROG SOURCE [WORKDIR]" >&2
    exit 2
fi
ccheck=$1
lib=$2
prog=$3
source=$4
base=${5:-${TMPDIR:-/tmp}}

for f in "$ccheck" "$prog"; do
    [ -x "$f" ] || { echo "check_merge.sh: $f is not an executable (build it first)" >&2; exit 2; }
done
[ -r "$lib" ] || { echo "check_merge.sh: cannot read $lib (build it first)" >&2; exit 2; }
[ -r "$source" ] || { echo "check_merge.sh: cannot read $source" >&2; exit 2; }
command -v jq >/dev/null 2>&1 || { echo "check_merge.sh: jq not found (apt-get install jq)" >&2; exit 2; }
limit=60
# shellcheck source=../script_common.sh
. "$(dirname "$0")/../script_common.sh"

# The expected lines, as sorted JSON arrays of numbers: [27,38].
marked_lines() {
    grep -n "merge-check: $1 \*/" "$source" | cut -d: -f1 | jq -s -c 'sort'
}
acquire_lines=$(marked_lines acquire)
held_lines=$(marked_lines held)
src_name=$(basename "$source")
if [ "$acquire_lines" = "[]" ] || [ "$held_lines" = "[]" ]; then
    echo "check_merge.sh: no merge-check markers in $source" >&2
    exit 2
fi

check() { # check OK-STATUS NAME [REASON]
    if [ "$1" = 0 ]; then
        echo "PASS $2"
        passed=$((passed + 1))
    else
        echo "FAIL $2: $3"
        failed=$((failed + 1))
    fi
}

# run_half ORDER: runs PROG ORDER under the preload, with its own CCHECK_DIR
# so that the trace it writes is the only file there. Sets trace_ORDER.
run_half() {
    order=$1
    dir=$work/$order
    mkdir -p "$dir"
    # env after timeout: only PROG gets the preload, not timeout itself.
    run_limited env CCHECK_DIR="$dir" CCHECK_OPTIONS=verbosity=0 LD_PRELOAD="$lib" \
        "$prog" "$order" >"$work/$order.out" 2>"$work/$order.err"
    status=$?
    traces=$(find "$dir" -name 'ccheck.*.trace' | sort)
    n=$(printf '%s' "$traces" | grep -c .)
    eval "trace_$order=\$traces"
    if [ "$status" != 0 ]; then
        check 1 "run $order" "exit status $status, expected 0 (see $work/$order.err)"
    elif [ "$n" != 1 ]; then
        check 1 "run $order" "$n traces in $dir, expected 1"
    elif [ -s "$work/$order.err" ]; then
        check 1 "run $order" "output on stderr with verbosity=0 (see $work/$order.err)"
    else
        check 0 "run $order"
    fi
}

# report_alone ORDER: the trace of one run alone has no findings.
report_alone() {
    order=$1
    eval "trace=\$trace_$order"
    if [ -z "$trace" ]; then
        check 1 "report $order alone" "no trace"
        return
    fi
    run_limited "$ccheck" report "$trace" >"$work/$order.report" 2>&1
    status=$?
    if [ "$status" = 0 ]; then
        check 0 "report $order alone"
    else
        check 1 "report $order alone" "exit status $status, expected 0 (see $work/$order.report)"
    fi
}

run_half ab
run_half ba
report_alone ab
report_alone ba

json=$work/both.json
if [ -z "$trace_ab" ] || [ -z "$trace_ba" ]; then
    check 1 "report both" "a trace is missing"
else
    run_limited "$ccheck" report --format json --output "$json" "$trace_ab" "$trace_ba" \
        >"$work/both.out" 2>&1
    status=$?
    if [ "$status" != 66 ]; then
        check 1 "report both: exit status" "$status, expected 66 (see $work/both.out)"
    else
        check 0 "report both: exit status"
    fi
fi

if ! jq -e . "$json" >/dev/null 2>&1; then
    check 1 "report both: findings" "no valid JSON report at $json"
else
    if jq -e '(.traces | length) == 2' "$json" >/dev/null; then
        check 0 "report both: two traces read"
    else
        check 1 "report both: two traces read" "$(jq -c '[.traces[] | .path]' "$json")"
    fi
    kinds=$(jq -c '[.findings[].kind]' "$json")
    if [ "$kinds" = '["lock-order-inversion"]' ]; then
        check 0 "report both: exactly one lock-order-inversion"
    else
        check 1 "report both: exactly one lock-order-inversion" "findings $kinds"
    fi
    # For each role, the top frame in split_order.c of every stack of that
    # role, as a sorted array of line numbers.
    role_lines() {
        jq -c --arg role "$1" --arg src "$src_name" '
            [.findings[] | select(.kind == "lock-order-inversion") | .stacks[]
             | select(.role == $role)
             | [.frames[] | select((.file // "") | split("/") | last == $src) | .line][0]]
            | sort' "$json"
    }
    got=$(role_lines acquire)
    if [ "$got" = "$acquire_lines" ]; then
        check 0 "report both: acquire stacks at lines $acquire_lines"
    else
        check 1 "report both: acquire stacks at lines $acquire_lines" "got $got"
    fi
    got=$(role_lines held)
    if [ "$got" = "$held_lines" ]; then
        check 0 "report both: held stacks at lines $held_lines"
    else
        check 1 "report both: held stacks at lines $held_lines" "got $got"
    fi
fi

finish
