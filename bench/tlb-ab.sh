#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What the TLB model (harness/tlb.h) costs the fuzz targets: the same fuzzer binary run with
# the model on and with VMAPFUZZ_TLB_MODEL=off, two ways (bench/RESULTS.md, "TLB model").
#   1. Fuzzing: both runs at once, each pinned to its own CPU (the CPUs swapped every
#      repetition), from fresh copies of corpus/<target>/seeds with the same -seed, for --time
#      seconds; libFuzzer's average_exec_per_sec, on / off.
#   2. Fixed inputs: what the two fuzzing runs of a repetition left in their corpora, replayed
#      with -runs=0 by both settings, alternately, three times each, on one CPU; the least CPU
#      seconds of each, off / on.
# The first measures what the issue asks (throughput while fuzzing); the second takes out the
# difference in what the two runs happened to generate.
#
# usage: bench/tlb-ab.sh [--build DIR] [--time S] [--reps N] [--out DIR] [TARGET...]
#   --build  a fuzz-preset build (default build/fuzz)
#   --time   seconds of fuzzing per run (default 30)
#   --reps   repetitions per target (default 3)
#   --out    where the corpora and logs go (default a new folder under ${TMPDIR:-/tmp});
#            an existing folder is refused, so that nothing is overwritten
#   TARGET   ioremap, vmalloc, vmap, mixed (default all four)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ci/lib/libfuzzer-options.sh
. ci/lib/libfuzzer-options.sh

build=build/fuzz time=30 reps=3 out=""
targets=()
die() { echo "tlb-ab: $*" >&2; exit 2; }
num() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive whole number, not '$2'"; }
while [ $# -gt 0 ]; do
  case $1 in
    --build) [ $# -ge 2 ] || die "--build needs a value"; build=$2; shift 2 ;;
    --time) [ $# -ge 2 ] || die "--time needs a value"; num --time "$2"; time=$2; shift 2 ;;
    --reps) [ $# -ge 2 ] || die "--reps needs a value"; num --reps "$2"; reps=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out needs a value"; out=$2; shift 2 ;;
    -h|--help) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    ioremap|vmalloc|vmap|mixed) targets+=("$1"); shift ;;
    *) die "unknown target '$1': ioremap, vmalloc, vmap or mixed" ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(ioremap vmalloc vmap mixed)
for t in "${targets[@]}"; do
  [ -x "$build/fuzz/${t}_fuzz" ] || die "no $build/fuzz/${t}_fuzz: build the fuzz preset first"
done
if [ -n "$out" ]; then
  [ ! -e "$out" ] || die "$out exists; name a new folder"
  mkdir -p "$out"
else
  out=$(mktemp -d "${TMPDIR:-/tmp}/tlb-ab.XXXXXX")
fi
ncpu=$(nproc)
[ "$ncpu" -ge 2 ] || die "needs two CPUs to run the pair side by side"
echo "tlb-ab: $build, ${time}s x $reps per target, logs in $out" >&2

# cpu_seconds CMD...: user + system CPU seconds of CMD (its output goes to /dev/null).
cpu_seconds() {
  /usr/bin/time -f '%U %S' -o "$out/.time" "$@" >/dev/null 2>&1 || true
  awk '{ printf "%.2f", $1 + $2 }' "$out/.time"
}
least() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }'; }

echo "| target | rep | on exec/s | off exec/s | fuzzing on/off | fixed inputs off/on CPU s | fixed inputs on/off |"
echo "|---|--:|--:|--:|--:|--:|--:|"
for t in "${targets[@]}"; do
  mapfile -t flags < <(target_libfuzzer_flags "$t")
  bin=$build/fuzz/${t}_fuzz
  for rep in $(seq 1 "$reps"); do
    d=$out/$t.$rep
    mkdir -p "$d/on" "$d/off"
    cp corpus/"$t"/seeds/* "$d/on/"
    cp corpus/"$t"/seeds/* "$d/off/"
    # Swapped every repetition: CPU 0 may be the busier one.
    if [ $((rep % 2)) -eq 1 ]; then c_on=0 c_off=1; else c_on=1 c_off=0; fi
    # Crash and out-of-memory inputs go next to the logs, not into the checkout.
    common=("${flags[@]}" -seed="$rep" -max_total_time="$time" -print_final_stats=1
            -artifact_prefix="$d/")
    taskset -c $c_on "$bin" "${common[@]}" "$d/on" >"$d/on.log" 2>&1 &
    p_on=$!
    VMAPFUZZ_TLB_MODEL=off taskset -c $c_off "$bin" "${common[@]}" "$d/off" >"$d/off.log" 2>&1 &
    p_off=$!
    rc=0
    wait $p_on || rc=$?
    wait $p_off || rc=$?
    [ $rc -eq 0 ] || die "a fuzzing run of $t failed (exit $rc): see $d/on.log and $d/off.log"
    e_on=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$d/on.log")
    e_off=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$d/off.log")
    # The fixed inputs: both corpora, replayed three times each way, alternately.
    mkdir -p "$d/fixed"
    cp "$d"/on/* "$d/fixed/"
    cp -n "$d"/off/* "$d/fixed/"  # libFuzzer names an input by its SHA-1: same name, same bytes
    s_off="" s_on=""
    for _ in 1 2 3; do
      s=$(VMAPFUZZ_TLB_MODEL=off cpu_seconds taskset -c 0 "$bin" "${flags[@]}" -runs=0 \
        -detect_leaks=0 "$d/fixed")
      s_off=$(least "$s_off" "$s")
      s=$(cpu_seconds taskset -c 0 "$bin" "${flags[@]}" -runs=0 -detect_leaks=0 "$d/fixed")
      s_on=$(least "$s_on" "$s")
    done
    echo "| $t | $rep | $e_on | $e_off | $(ratio "$e_on" "$e_off") | $s_off / $s_on |" \
      "$(ratio "$s_off" "$s_on") |"
  done
done
