#!/bin/sh
# Smoke test on real multi-threaded programs: pigz, xz and zstd, each with 4
# threads, compress and decompress a generated ~4 MB file, once plainly and
# once under `ccheck run`. Under ccheck they must behave exactly as without
# it: same exit status, byte-identical compressed and decompressed output,
# the input back. And ccheck must find nothing in them, from complete traces.
#
# usage: run_smoke.sh CCHECK [WORKDIR]
#   CCHECK   the ccheck command (libccheck.so beside it)
#   WORKDIR  where to put a fresh run.XXXXXX directory (default: $TMPDIR or
#            /tmp); it is removed when everything passed, kept otherwise.
#
# Prints one line per tool, PASS or FAIL with the reasons, then
# "N passed, N failed". Exit status 0 iff nothing failed. A tool that is not
# installed fails (with the Debian package to install), it is never skipped.
# jq checks the reports when it is installed (CI installs it); without it a
# cruder grep does.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: run_smoke.sh CCHECK [WORKDIR]" >&2
    exit 2
fi
ccheck=$1
base=${2:-${TMPDIR:-/tmp}}
# Every ccheck run gets this long.
limit=300
# shellcheck source=../script_common.sh
. "$(dirname "$0")/../script_common.sh"

if command -v jq >/dev/null 2>&1; then
    have_jq=1
else
    have_jq=0
    echo "note: jq not found (apt-get install jq); checking reports with grep" >&2
fi

# ~4 MB of deterministic, compressible text: numbered lines of words picked
# by a small linear congruential generator. All values stay far below 2^53,
# so any awk computes the same bytes.
awk 'BEGIN {
    split("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa", w, " ")
    x = 12345
    for (i = 0; i < 125000; i++) {
        x = (x * 1103 + 12345) % 1000003
        printf "%06d %s %s %s %d\n", i, w[x % 16 + 1], w[int(x / 16) % 16 + 1], w[int(x / 256) % 16 + 1], x
    }
}' >"$work/input" || { echo "cannot generate $work/input" >&2; exit 2; }

reasons=

fail() {
    reasons="${reasons:+$reasons; }$*"
}

# check_report JSON WHAT: the report must exist, name at least one trace, none
# truncated or incomplete, and hold no findings.
check_report() {
    json=$1
    what=$2
    if [ ! -s "$json" ]; then
        fail "$what: no JSON report $json"
        return
    fi
    if [ "$have_jq" = 1 ]; then
        if ! jq -e . "$json" >/dev/null 2>&1; then
            fail "$what: $json is not valid JSON"
            return
        fi
        n=$(jq '.findings | length' "$json")
        if [ "$n" != 0 ]; then
            kinds=$(jq -r '[.findings[].kind] | unique | join(",")' "$json")
            fail "$what: $n findings ($kinds), expected none"
        fi
        if ! jq -e '(.traces | length) >= 1' "$json" >/dev/null; then
            fail "$what: the report names no trace (was the preload loaded?)"
        elif ! jq -e 'all(.traces[]; .truncated == false and .complete == true)' "$json" >/dev/null; then
            fail "$what: truncated or incomplete trace: $(jq -c '[.traces[] | select(.truncated or (.complete | not)) | .path]' "$json")"
        fi
    else
        flat=$(tr -d ' \t\r\n' <"$json")
        case $flat in
        *'"findings":[]'*) ;;
        *) fail "$what: findings in $json, expected none" ;;
        esac
        case $flat in
        *'"traces":[{'*) ;;
        *) fail "$what: the report names no trace (was the preload loaded?)" ;;
        esac
        case $flat in
        *'"truncated":true'* | *'"complete":false'*) fail "$what: truncated or incomplete trace in $json" ;;
        esac
    fi
}

# step TAG CMD...: runs CMD (a compressor or decompressor) plainly and under
# ccheck on $work/$TAG.in, into $work/$TAG.plain and $work/$TAG.ccheck.
step() {
    tag=$1
    shift
    if ! "$@" <"$work/$tag.in" >"$work/$tag.plain" 2>"$work/$tag.plain.err"; then
        fail "$tag: '$*' failed on its own (see $work/$tag.plain.err)"
        return 1
    fi
    run_limited "$ccheck" run --format json --output "$work/$tag.json" -- "$@" \
        <"$work/$tag.in" >"$work/$tag.ccheck" 2>"$work/$tag.ccheck.err"
    status=$?
    if [ "$status" != 0 ]; then
        fail "$tag: ccheck run exited with $status, expected 0 (see $work/$tag.ccheck.err)"
    fi
    if ! cmp -s "$work/$tag.plain" "$work/$tag.ccheck"; then
        fail "$tag: output under ccheck differs from the plain run"
    fi
    check_report "$work/$tag.json" "$tag"
    return 0
}

# smoke LABEL PACKAGE COMPRESS... -- DECOMPRESS...
smoke() {
    label=$1
    package=$2
    shift 2
    name=$1
    reasons=
    comp=
    while [ "$1" != -- ]; do
        comp="$comp $1"
        shift
    done
    shift
    decomp="$*"
    if ! command -v "$name" >/dev/null 2>&1; then
        fail "$name is not installed: apt-get install $package"
    elif [ ! -x "$ccheck" ]; then
        fail "no ccheck command at $ccheck (build it first)"
    else
        cp "$work/input" "$work/$name-c.in"
        # The commands are word lists on purpose: no quotes.
        # shellcheck disable=SC2086
        if step "$name-c" $comp; then
            cp "$work/$name-c.plain" "$work/$name-d.in"
            # shellcheck disable=SC2086
            if step "$name-d" $decomp; then
                cmp -s "$work/input" "$work/$name-d.plain" ||
                    fail "$name: decompressed data differs from the input"
            fi
        fi
    fi
    if [ -z "$reasons" ]; then
        echo "PASS $label"
        passed=$((passed + 1))
    else
        echo "FAIL $label: $reasons"
        failed=$((failed + 1))
    fi
}

smoke "pigz -p 4" pigz pigz -p 4 -c -- pigz -p 4 -d -c
# xz only splits its input into blocks for its threads every 3 x dictionary
# size (24 MiB at -6); 1 MiB blocks make all four threads work on 4 MB.
smoke "xz -T4" xz-utils xz -T4 --block-size=1MiB -c -- xz -T4 -d -c
smoke "zstd -T4" zstd zstd -T4 -q -c -- zstd -T4 -q -d -c

finish
