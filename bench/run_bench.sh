#!/usr/bin/env bash
# run_bench.sh: the reference benchmark of design.md ("Performance budgets").
#
# Builds bench/lock_bench.c five ways with the compilers directly (native
# gcc -O2; gcc and clang -fsanitize=thread -O2 with their TSan runtimes; gcc
# and clang -fsanitize=thread -O2 linked with libccheck), runs it natively,
# under LD_PRELOAD=libccheck.so, instrumented under ccheck, under both TSans,
# and under valgrind's helgrind and drd, and prints a Markdown table on
# stdout (progress goes to stderr).
#
# usage: bash bench/run_bench.sh [--quick] [CCHECK_BUILD_DIR]
#   CCHECK_BUILD_DIR  directory holding libccheck.so (and ccheck); default
#                     $CCHECK_BUILD, else build/ at the top of this
#                     checkout (/work/main/build)
#   --quick           one run per configuration (smoke mode)
#
# Each configuration runs 5 times (valgrind 3), the configurations taking
# turns round by round, and the table gives the median of each phase, its
# ratio to the native median, and the spread (max-min)/median. Valgrind
# runs a scaled-down workload (-n 20000 -p 2); its times are normalised per
# operation to the full workload and marked scaled.
# Peak RSS comes from /usr/bin/time -f %M, or from lock_bench -r (VmHWM)
# where /usr/bin/time is missing.
#
# This is a benchmark, never a pass/fail test: it fails only when a tool is
# missing, a build fails, or a run breaks the program (self-check, exit code).
set -euo pipefail

readonly FULL_T=4 FULL_N=2000000 FULL_P=100 FULL_M=4
readonly VG_N=20000 VG_P=2           # valgrind's scaled-down workload
readonly RUN_TIMEOUT=600             # seconds; a hung run fails the script
RUNS=5
VG_RUNS=3

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${CCHECK_BUILD:-$(dirname "$here")/build}

die() { echo "run_bench.sh: $*" >&2; exit 2; }
note() { echo "run_bench.sh: $*" >&2; }

while [ $# -gt 0 ]; do
    case $1 in
    --quick) RUNS=1; VG_RUNS=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option '$1' (try --help)" ;;
    *) build_dir=$1 ;;
    esac
    shift
done

# --- tools ------------------------------------------------------------------
need() { # need COMMAND DEBIAN-PACKAGE
    command -v "$1" >/dev/null 2>&1 ||
        die "'$1' not found: install it with \`apt-get install $2\`"
}
need gcc gcc
need clang clang
need valgrind valgrind
need timeout coreutils
need awk mawk

lib=$build_dir/libccheck.so
[ -f "$lib" ] || die "no $lib: build ccheck first (cmake -S . -B build && cmake --build build) or pass its build directory"
lib=$(cd "$(dirname "$lib")" && pwd)/libccheck.so
analyzer=$build_dir/ccheck

if [ -x /usr/bin/time ]; then
    rss_mode="time"
else
    rss_mode=vmhwm
    note "/usr/bin/time missing (Debian package: time); peak RSS from lock_bench -r (VmHWM)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ccheck-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- build ------------------------------------------------------------------
src=$here/lock_bench.c
cflags=(-O2 -g -pthread -Wall -Wextra)
note "building lock_bench (native, TSan gcc, TSan clang) in $work"
gcc "${cflags[@]}" "$src" -o "$work/native" || die "gcc build failed"
gcc "${cflags[@]}" -fsanitize=thread "$src" -o "$work/tsan-gcc" ||
    die "gcc -fsanitize=thread failed (Debian package for libtsan: libgcc-12-dev)"
clang "${cflags[@]}" -fsanitize=thread "$src" -o "$work/tsan-clang" ||
    die "clang -fsanitize=thread failed (Debian package: clang)"
# Instrumented for ccheck as the README says: -fsanitize=thread when
# compiling only, then linked with libccheck instead of a TSan runtime.
for cc in gcc clang; do
    $cc "${cflags[@]}" -fsanitize=thread -c "$src" -o "$work/ccheck-$cc.o" &&
        $cc "$work/ccheck-$cc.o" -pthread -L"$(dirname "$lib")" -Wl,-rpath,"$(dirname "$lib")" \
            -lccheck-tsan -lccheck -o "$work/ccheck-$cc" ||
        die "building lock_bench instrumented for ccheck with $cc failed"
done

# Older TSan runtimes abort on kernels with a high mmap_rnd_bits ("unexpected
# memory mapping"); the usual workaround is to run without ASLR. Probe each
# TSan binary on a tiny workload and fall back to setarch -R only if needed.
declare -A prefix_of
for b in tsan-gcc tsan-clang; do
    prefix_of[$b]=""
    if ! "$work/$b" -t 1 -n 16 -p 1 -m 1 >/dev/null 2>"$work/probe.err"; then
        if setarch "$(uname -m)" -R "$work/$b" -t 1 -n 16 -p 1 -m 1 >/dev/null 2>&1; then
            prefix_of[$b]="setarch $(uname -m) -R"
            note "$b needs ASLR off here; running it under setarch -R"
        else
            die "$b does not run: $(head -c 400 "$work/probe.err")"
        fi
    fi
done

# --- running ----------------------------------------------------------------
# The configurations take turns, one run each per round, so that a change of
# load on the machine during the benchmark hits every configuration alike
# instead of biasing one ratio.
declare -A label_of lock_med lock_spread mem_med mem_spread rss_med runs_of
configs=()
trace_runs=0
last_trace_dir=

# stats FILE -> "median spread_percent" of the numbers in FILE (one a line)
stats() {
    sort -g "$1" | awk '{ v[NR] = $1 }
        END {
            if (NR == 0) { print "nan nan"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.6f %.1f\n", m, (m > 0) ? 100 * (v[NR] - v[1]) / m : 0
        }'
}

field() { # field NAME LINE -> value of NAME=value in LINE
    printf '%s\n' "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'
}

# add_config ID LABEL: ID is a key without spaces, LABEL the table's text.
add_config() {
    configs+=("$1")
    label_of[$1]=$2
    runs_of[$1]=0
    : >"$work/$1.lock"; : >"$work/$1.mem"; : >"$work/$1.rss"
}

# run_one ID N P KIND CMD...
#   One run of lock_bench with the workload -n N -p P (the times are scaled
#   by FULL_N/N and FULL_P/P to the full workload). KIND: plain | ccheck.
run_one() {
    local id=$1 n=$2 p=$3 kind=$4
    shift 4
    local -a cmd=("$@" -t "$FULL_T" -n "$n" -p "$p" -m "$FULL_M") env=()
    local out line rc=0 rss tdir
    [ "$rss_mode" = vmhwm ] && cmd+=(-r)
    runs_of[$id]=$((runs_of[$id] + 1))
    note "${label_of[$id]}: run ${runs_of[$id]}"
    if [ "$kind" = ccheck ]; then
        trace_runs=$((trace_runs + 1))
        tdir=$work/trace.$trace_runs
        mkdir -p "$tdir"
        env=(env "CCHECK_DIR=$tdir" CCHECK_OPTIONS=verbosity=0 "LD_PRELOAD=$lib")
    fi
    if [ "$rss_mode" = time ]; then
        out=$(timeout "$RUN_TIMEOUT" /usr/bin/time -f %M -o "$work/rss.one" \
              "${env[@]}" "${cmd[@]}" 2>"$work/err.txt") || rc=$?
    else
        out=$(timeout "$RUN_TIMEOUT" "${env[@]}" "${cmd[@]}" 2>"$work/err.txt") || rc=$?
    fi
    line=$(printf '%s\n' "$out" | grep 'lock_phase_s=' | tail -n 1 || true)
    if [ "$rc" -ne 0 ] || [ "$(field check "$line")" != ok ]; then
        [ "$rc" -eq 124 ] && note "${label_of[$id]}: timed out after ${RUN_TIMEOUT}s"
        note "${label_of[$id]}: run failed (exit $rc): ${cmd[*]}; its stderr:"
        head -n 40 "$work/err.txt" >&2
        exit 1
    fi
    awk -v t="$(field lock_phase_s "$line")" -v full="$FULL_N" -v ran="$n" \
        'BEGIN { printf "%.9f\n", t * full / ran }' >>"$work/$id.lock"
    awk -v t="$(field memory_phase_s "$line")" -v full="$FULL_P" -v ran="$p" \
        'BEGIN { printf "%.9f\n", t * full / ran }' >>"$work/$id.mem"
    if [ "$rss_mode" = time ]; then
        rss=$(tail -n 1 "$work/rss.one")
    else
        rss=$(field vm_hwm_kib "$line")
    fi
    echo "$rss" >>"$work/$id.rss"
    if [ "$kind" = ccheck ]; then
        du -cb "$tdir" | tail -n 1 | cut -f1 >>"$work/trace.txt"
        last_trace_dir=$tdir
    fi
}

summarize() { # summarize ID: medians and spreads from the run files
    local m s
    read -r m s < <(stats "$work/$1.lock"); lock_med[$1]=$m; lock_spread[$1]=$s
    read -r m s < <(stats "$work/$1.mem"); mem_med[$1]=$m; mem_spread[$1]=$s
    read -r m s < <(stats "$work/$1.rss"); rss_med[$1]=$m
}

clang_ver=$(clang --version | sed -n '1s/.*version \([0-9][0-9.]*\).*/\1/p')
vg_ver=$(valgrind --version | sed 's/^valgrind-//')
add_config native "native (gcc -O2)"
add_config ccheck "ccheck, unmodified binary (LD_PRELOAD)"
add_config ccheck-gcc "ccheck, instrumented (gcc $(gcc -dumpversion) -fsanitize=thread, -lccheck-tsan -lccheck)"
add_config ccheck-clang "ccheck, instrumented (clang $clang_ver -fsanitize=thread, -lccheck-tsan -lccheck)"
add_config tsan-gcc "TSan gcc $(gcc -dumpversion)"
add_config tsan-clang "TSan clang $clang_ver"
add_config helgrind "Helgrind $vg_ver (scaled)"
add_config drd "DRD $vg_ver (scaled)"
: >"$work/trace.txt"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
for ((r = 1; r <= RUNS; r++)); do
    run_one native "$FULL_N" "$FULL_P" plain "$work/native"
    run_one ccheck "$FULL_N" "$FULL_P" ccheck "$work/native"
    # shellcheck disable=SC2086 # the prefix is empty or "setarch ARCH -R"
    run_one ccheck-gcc "$FULL_N" "$FULL_P" ccheck "$work/ccheck-gcc"
    run_one ccheck-clang "$FULL_N" "$FULL_P" ccheck "$work/ccheck-clang"
    run_one tsan-gcc "$FULL_N" "$FULL_P" plain ${prefix_of[tsan-gcc]} "$work/tsan-gcc"
    # shellcheck disable=SC2086
    run_one tsan-clang "$FULL_N" "$FULL_P" plain ${prefix_of[tsan-clang]} "$work/tsan-clang"
done
for ((r = 1; r <= VG_RUNS; r++)); do
    run_one helgrind "$VG_N" "$VG_P" plain valgrind --tool=helgrind -q "$work/native"
    run_one drd "$VG_N" "$VG_P" plain valgrind --tool=drd -q "$work/native"
done
elapsed=$(( $(date +%s) - start ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
for c in "${configs[@]}"; do
    summarize "$c"
done

# A correct program must give no findings: check the last ccheck trace.
report_note="ccheck analyzer not found beside libccheck.so: trace not checked"
if [ -x "$analyzer" ]; then
    if "$analyzer" report "$last_trace_dir"/*.trace >"$work/report.txt" 2>&1; then
        report_note="\`ccheck report\` on the trace: no findings (as expected for a correct program)"
    else
        report_note="\`ccheck report\` on the trace exited $? — FALSE REPORT on a correct program: $(tail -n 1 "$work/report.txt")"
    fi
fi

# --- table ------------------------------------------------------------------
base=native
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
secs() { awk -v a="$1" 'BEGIN { printf (a < 10 ? "%.3f" : "%.1f"), a }'; }
nspair() { awk -v a="$1" 'BEGIN { printf "%.1f", a * 1e9 / ('"$FULL_T"' * '"$FULL_N"') }'; }
mib() { awk -v a="$1" 'BEGIN { printf "%.1f", a / 1024 }'; }

echo "Workload: $FULL_T threads x $FULL_N lock/unlock pairs (shared mutex every 16th," \
     "nested), then $FULL_P passes over $FULL_M MiB per thread."
echo "Median of $RUNS run(s) ($VG_RUNS for valgrind); spread = (max - min) / median."
echo "Scaled rows ran -n $VG_N -p $VG_P and are normalised per operation to the full workload."
echo
echo "| configuration | runs | lock phase (s) | lock vs native | ns per pair | lock spread | memory phase (s) | memory vs native | memory spread | peak RSS (MiB) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for c in "${configs[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s%% | %s | %s | %s%% | %s |\n' \
        "${label_of[$c]}" "${runs_of[$c]}" \
        "$(secs "${lock_med[$c]}")" "$(ratio "${lock_med[$c]}" "${lock_med[$base]}")" \
        "$(nspair "${lock_med[$c]}")" "${lock_spread[$c]}" \
        "$(secs "${mem_med[$c]}")" "$(ratio "${mem_med[$c]}" "${mem_med[$base]}")" \
        "${mem_spread[$c]}" "$(mib "${rss_med[$c]}")"
done
echo
tmin=$(sort -n "$work/trace.txt" | head -n 1)
tmax=$(sort -n "$work/trace.txt" | tail -n 1)
read -r tmed _ < <(stats "$work/trace.txt")
echo "- ccheck trace size: $(awk -v a="$tmed" 'BEGIN { printf "%d", a }') bytes median, $tmin-$tmax over $trace_runs runs (one trace file per run)."
# ccheck and native alternate round by round: their per-round ratios cancel
# most of the load the machine had at that moment.
paired() { # paired EXT -> "median min max" of ccheck/native per round
    paste "$work/ccheck.$1" "$work/native.$1" |
        awk '$2 > 0 { printf "%.6f\n", $1 / $2 }' >"$work/paired.txt"
    read -r pm _ < <(stats "$work/paired.txt")
    printf '%.2fx (per round %s-%s)' "$pm" \
        "$(sort -g "$work/paired.txt" | head -n 1 | awk '{ printf "%.2fx", $1 }')" \
        "$(sort -g "$work/paired.txt" | tail -n 1 | awk '{ printf "%.2fx", $1 }')"
}
echo "- ccheck vs native paired by round (median of per-round ratios): lock phase $(paired lock), memory phase $(paired mem)."
echo "- $report_note"
echo "- Peak RSS: $( [ "$rss_mode" = time ] && echo '/usr/bin/time -f %M' || echo 'VmHWM from lock_bench -r'); valgrind rows include valgrind itself."
echo "- ns per pair = lock phase wall time / ($FULL_T x $FULL_N) pairs, all threads together."
echo "- Benchmark wall time: ${elapsed}s; load average (1/5/15 min) before: $load_before, after: $load_after" \
     "on $(nproc) CPUs (other work on the machine widens the spread)."
