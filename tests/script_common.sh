# Shared by the shell tests (tests/smoke, tests/merge): a work directory
# kept only when something failed, a time limit for every command that runs
# ccheck, and the closing "N passed, N failed" line that CI reads.
# Source it after setting `base` (where to make the work directory) and
# `limit` (seconds a limited command may take).

mkdir -p "$base" || exit 2
work=$(mktemp -d "$base/run.XXXXXX") || exit 2

# A hang becomes a failure, not a stuck test.
if command -v timeout >/dev/null 2>&1; then
    run_limited() { timeout -k 5 "$limit" "$@"; }
else
    run_limited() { "$@"; }
fi

passed=0
failed=0

# Prints the closing line, removes the work directory when everything
# passed, and exits 0 then, 1 otherwise.
finish() {
    echo "$passed passed, $failed failed"
    if [ "$failed" = 0 ]; then
        rm -rf "$work"
        exit 0
    fi
    echo "files kept in $work" >&2
    exit 1
}
