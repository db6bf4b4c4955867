#!/bin/sh
# The testcase runner's own test: run_testcases --json checks made-up
# reports against a made-up testcase, so that a finding of the right kind
# at the wrong line, of the wrong kind at the right line, in another file,
# an extra finding, a missing one and a wrong exit status each fail the
# case, and the matching report passes.
#
# usage: check_runner.sh RUN_TESTCASES
set -u
if [ $# -ne 1 ]; then
    echo "usage: check_runner.sh RUN_TESTCASES" >&2
    exit 2
fi
runner=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/check_runner.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# The testcase: a deadlock expected on line 4, a hang on line 5.
cat >"$work/sample.c" <<'EOF'
/* made up for check_runner.sh */
void worker(void)
{
    lock_second(); /* ccheck-expect: deadlock */
    join_other();  /* ccheck-expect: hang */
}
EOF

# frame FILE LINE: one stack frame in the report's shape.
frame() {
    printf '{"function":"worker","file":"/src/%s","line":%s,"module":"sample","pc":"0x1"}' "$1" "$2"
}
# finding KIND FRAME...: one finding whose single stack has these frames.
finding() {
    kind=$1
    shift
    frames=$(printf '%s,' "$@")
    printf '{"category":"deadlock","kind":"%s","severity":"error","message":"m","threads":[],"stacks":[{"role":"r","thread":1,"frames":[%s]}]}' \
        "$kind" "${frames%,}"
}
# report NAME FINDING...: writes $work/NAME.json.
report() {
    name=$1
    shift
    list=$(printf '%s,' "$@")
    [ $# -gt 0 ] || list=,
    printf '{"tool":"ccheck","version":"0","traces":[],"findings":[%s],"summary":{}}\n' \
        "${list%,}" >"$work/$name.json"
}

# expect NAME STATUS RUN_STATUS TEXT: the runner, given report NAME and
# ccheck's exit status RUN_STATUS, exits with STATUS and prints TEXT.
expect() {
    name=$1 want=$2 run_status=$3 text=$4
    out=$("$runner" --json "$work/$name.json" --srcdir "$work" --exit-status "$run_status" sample 2>&1)
    status=$?
    if [ "$status" = "$want" ] && printf '%s\n' "$out" | grep -qF -- "$text"; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: status $status (want $want), expected the text: $text"
        printf '%s\n' "$out" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
}

deadlock=$(finding deadlock "$(frame sample.c 4)" "$(frame main.c 9)")
hang=$(finding hang "$(frame other.c 2)" "$(frame sample.c 5)")

report match "$deadlock" "$hang"
expect match 0 66 "PASS sample"

expect exit_status 1 0 "FAIL sample: exit status 0, expected 66"

report wrong_line "$deadlock" "$(finding hang "$(frame sample.c 6)" "$(frame sample.c 2)" "$(frame sample.c 6)")"
expect wrong_line 1 66 "FAIL sample: missing hang at line 5; extra hang (worker sample.c:6); expected deadlock at line 4, hang at line 5; got deadlock at line 4, hang at lines 2,6"

report wrong_kind "$deadlock" "$(finding self-deadlock "$(frame sample.c 5)")"
expect wrong_kind 1 66 "FAIL sample: missing hang at line 5; extra self-deadlock (worker sample.c:5)"

report other_file "$deadlock" "$(finding hang "$(frame other.c 5)")"
expect other_file 1 66 "extra hang (worker other.c:5)"

report extra "$deadlock" "$hang" "$(finding data-race "$(frame libc.c 1)" "$(frame sample.c 2)")"
expect extra 1 66 "FAIL sample: extra data-race (worker libc.c:1; in sample.c at line 2)"

report missing "$deadlock"
expect missing 1 66 "FAIL sample: missing hang at line 5; expected deadlock at line 4, hang at line 5; got deadlock at line 4"

report nothing
expect nothing 1 66 "got no findings"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
