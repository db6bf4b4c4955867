#!/bin/sh
# How a user builds a race-checked program, end to end: with CMake's
# find_package(ccheck) (consumer/), with pkg-config in two steps (C with
# gcc and clang, C++ with g++ and clang++, when installed), and with
# -lccheck alone. Every program must link with libccheck and no TSan
# runtime, run under `ccheck run` with the runtime loaded once, and report
# the race at the line marked `package-check: race` in counter.c or
# counter.cpp; the -DLOCKED builds must report nothing. The find_package and
# pkg-config programs must also hold the per-access entry points themselves
# (libccheck-tsan.a linked ahead of libccheck.so).
#
# usage: check_package.sh CCHECK_BUILD_DIR [WORKDIR]
#   CCHECK_BUILD_DIR  the ccheck build tree (ccheck, libccheck.so,
#                     ccheckConfig.cmake, ccheck.pc)
#
# Prints one line per check, then "N passed, N failed". Exit status 0 iff
# nothing failed, 2 on bad usage or setup.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: check_package.sh CCHECK_BUILD_DIR [WORKDIR]" >&2
    exit 2
fi
build=$(cd "$1" && pwd) || exit 2
here=$(cd "$(dirname "$0")" && pwd)
base=${2:-${TMPDIR:-/tmp}}
for f in "$build/ccheck" "$build/libccheck.so" "$build/libccheck-tsan.a" "$build/ccheckConfig.cmake" \
         "$build/ccheck.pc"; do
    [ -e "$f" ] || { echo "check_package.sh: $f missing (build ccheck first)" >&2; exit 2; }
done
for tool in jq pkg-config cmake; do
    command -v $tool >/dev/null 2>&1 ||
        { echo "check_package.sh: $tool not found (apt-get install $tool)" >&2; exit 2; }
done
limit=60
# shellcheck source=../script_common.sh
. "$here/../script_common.sh"

# race_line SOURCE: the line marked as the race in SOURCE.
race_line() { grep -n "package-check: race" "$here/$1" | cut -d: -f1; }

check() { # check NAME CONDITION-STATUS REASON
    if [ "$2" = 0 ]; then
        echo "PASS $1"
        passed=$((passed + 1))
    else
        echo "FAIL $1: $3"
        failed=$((failed + 1))
    fi
}

# judge NAME PROG EXPECT SOURCE: runs PROG under `ccheck run`; EXPECT is
# "race" (one data-race at SOURCE's marked line, status 66) or "none" (no
# findings, status 0).
judge() {
    name=$1 prog=$2 expect=$3 source=$4
    if ldd "$prog" | grep -q libtsan; then
        check "$name" 1 "linked with the compiler's TSan runtime: $(ldd "$prog" | grep libtsan)"
        return
    fi
    mkdir -p "$work/$name.traces"
    run_limited "$build/ccheck" run --format json --output "$work/$name.json" \
        --trace-dir "$work/$name.traces" -- "$prog" >"$work/$name.out" 2>&1
    status=$?
    # One runtime writes one trace; a second copy loaded would write another.
    loaded=$(ls "$work/$name.traces" | grep -c '\.trace$')
    if [ "$expect" = race ]; then
        lines=$(jq -c '[.findings[] | select(.kind == "data-race") | .stacks[] |
                        select(.role == "access" or .role == "previous") | .frames[0] |
                        select(.file != null and (.file | endswith($src))) | .line] | unique' \
                --arg src "$source" "$work/$name.json" 2>/dev/null)
        want=$(race_line "$source")
        # C++ frames must read as C++ (demangled), not as _Z... symbols.
        mangled=$(jq '[.findings[].stacks[].frames[].function // empty | select(startswith("_Z"))] | length' \
                  "$work/$name.json" 2>/dev/null)
        kinds=$(jq -c '[.findings[].kind] | unique' "$work/$name.json" 2>/dev/null)
        [ "$status" = 66 ] && [ "$kinds" = '["data-race"]' ] && [ "$lines" = "[$want]" ] &&
            [ "$loaded" = 1 ] && [ "$mangled" = 0 ]
        check "$name" $? "status $status, kinds $kinds, lines $lines (want [$want]), traces $loaded, mangled names $mangled"
    else
        n=$(jq '.findings | length' "$work/$name.json" 2>/dev/null)
        [ "$status" = 0 ] && [ "$n" = 0 ] && [ "$loaded" = 1 ]
        check "$name" $? "status $status, $n findings, traces $loaded"
    fi
}

# direct NAME PROG: PROG defines the access entry points (libccheck-tsan.a).
direct() {
    nm "$2" | grep -q ' T __tsan_read8$'
    check "$1-direct" $? "__tsan_read8 is not in the program: libccheck-tsan.a was not linked ahead of libccheck.so"
}

# pkg_config_pair CC SOURCE: builds SOURCE racy and -DLOCKED with CC in two
# steps (compile, then link) with pkg-config's flags, and judges both.
pkg_config_pair() {
    cc=$1 source=$2
    for variant in racy locked; do
        flags=
        [ $variant = locked ] && flags=-DLOCKED
        name=pkg-config-$cc-$variant obj=$work/$cc-$variant.o prog=$work/$cc-$variant
        if $cc -g -O0 $flags $(PKG_CONFIG_PATH=$build pkg-config --cflags ccheck) \
               -c "$here/$source" -o "$obj" 2>"$prog.log" &&
           $cc "$obj" -pthread $(PKG_CONFIG_PATH=$build pkg-config --libs ccheck) -o "$prog" 2>>"$prog.log"; then
            if [ $variant = racy ]; then judge "$name" "$prog" race "$source"
            else judge "$name" "$prog" none "$source"; fi
            direct "$name" "$prog"
        else
            check "$name" 1 "build failed: $(cat "$prog.log")"
        fi
    done
}

for cc in gcc clang; do
    command -v $cc >/dev/null 2>&1 || { echo "SKIP $cc: not installed"; continue; }

    # find_package(ccheck) + ccheck::race.
    dir=$work/cmake-$cc
    if CC=$cc cmake -S "$here/consumer" -B "$dir" -DCMAKE_BUILD_TYPE=Debug \
           -Dccheck_DIR="$build" >"$dir.log" 2>&1 &&
       cmake --build "$dir" >>"$dir.log" 2>&1; then
        judge "find_package-$cc" "$dir/counter" race counter.c
        direct "find_package-$cc" "$dir/counter"
    else
        check "find_package-$cc" 1 "configure or build failed, see $dir.log"
    fi

    pkg_config_pair $cc counter.c

    # The first recipe's fallback: -lccheck alone, the entry points in
    # libccheck.so.
    obj=$work/$cc-plain.o prog=$work/$cc-plain
    if $cc -g -O0 -fsanitize=thread -I"$here/../../include" -c "$here/counter.c" -o "$obj" 2>"$prog.log" &&
       $cc "$obj" -pthread -L"$build" -Wl,-rpath,"$build" -lccheck -o "$prog" 2>>"$prog.log"; then
        judge "lccheck-only-$cc" "$prog" race counter.c
    else
        check "lccheck-only-$cc" 1 "build failed: $(cat "$prog.log")"
    fi
done

for cxx in g++ clang++; do
    command -v $cxx >/dev/null 2>&1 || { echo "SKIP $cxx: not installed"; continue; }
    pkg_config_pair $cxx counter.cpp
done
finish
