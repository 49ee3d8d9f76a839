#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end checks of the kernel implementation (run by ctest as `kernel.*`):
#   unusable  extract.py refuses a tree that lacks a file, naming the step and the file
#   good      the good fixture tree builds every unit and passes the committed corpora; a
#             trace that fails v4 but not the kernel fails a replay, and passes one asked
#             for with --kernel-tree (the kernel implementation's verdict decides)
#   faulty    the faulty fixture tree's bug is reported with a kernel signature, explained
#             with the kernel's walk, and minimized to one op; a trace that fails v4 first
#             still runs the kernel implementation to its own failure, both are reported
#             (replay lines, explain), and --kernel-tree exits 1 by the kernel's verdict
#   partial   a tree whose vmalloc unit does not compile still runs the other ops;
#             vmalloc traces note that the kernel implementation stopped there, and
#             --kernel-tree exits 125 even when an engine variant fails the trace
#   good-2026 the 2026 fixture tree (era v4) builds every unit and passes the committed
#             corpora; compared with v4-fixed (EXTRA: that build) it passes the finding too
#   partial-2026  as partial, for the 2026 fixture; the report (EXTRA: the tree's extract.py
#             output directory) names the missing symbol under its shim area
#   corpus    (Debian 6.12, 6.1 and other real trees) every committed trace passes, and the
#             v4 finding reproduces while the kernel implementation passes (exit 0); the
#             pageattr and pageattr-x86 units are built and judge set_memory seeds (exit 0,
#             not 125)
#   absent    the tree (third argument) is not there: say so and exit 77, ctest's skip code
# usage: kernel_test.sh CHECK REPO [VMAPFUZZ_WITH_KERNEL [EXTRA] | TREE]
set -euo pipefail
check=$1 repo=$2 tool=${3:-} extra=${4:-}
if [ "$check" = absent ]; then
  echo "kernel: no tree at $tool (ci/setup --with-kernel-source unpacks Debian's); skipped"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# A pipeline whose reader stops early (`grep -l ... | head -n 1`) may kill its writer with
# SIGPIPE, which pipefail turns into a silent exit of the whole check: read to the end
# (`sed -n 1p`).
# The corpus the kernel trees can run: every trace of an arm64 geometry (the slices are
# built for all six), and with `x86` of x86-64 too (trees with arch/x86: the Debian ones;
# the fixtures have arm64 only). riscv64 traces would leave the kernel out (NOT-RUN).
corpus() {
  local archs=arm64
  [ "${1:-}" = x86 ] && archs='(arm64|x86-64)'
  grep -lE "^geometry $archs-" "$repo"/corpus/*/seeds/*.trace "$repo"/corpus/*/regression/*.trace
}
finding=$repo/corpus/vmap/findings/cont-batch-crosses-into-next-run.trace
finding_sig=translation:v4:vmap:pte:pa-mismatch

# run_as_requested OUT CMD...: CMD as a --kernel-tree run executes it (kernel/build-tree sets
# VMAPFUZZ_KERNEL_REEXEC for the vmapfuzz it runs); prints the exit status.
run_as_requested() {
  local out=$1 rc=0; shift
  VMAPFUZZ_KERNEL_REEXEC=1 "$@" >"$out" 2>&1 || rc=$?
  echo "$rc"
}

# v4_then: a v4 trace of the finding's vmap (v4 fails it) followed by the ops of FILE.
v4_then() {
  printf 'vmapfuzz-trace 1\ngeometry arm64-4k-48\nvariant v4\nconfig nohugeiomap=0 nohugevmalloc=0\n'
  grep '^vmap ' "$finding"
  grep -v '^#\|^vmapfuzz-trace\|^geometry\|^variant\|^config' "$1"
}

# kernel_passed OUT FILE: in replay output OUT, the kernel implementation's line for FILE
# says PASS (it ran on the trace's geometry and passed it), or a failure.
kernel_passed() {
  awk -v f="$2" '$2 == f && /^[A-Z-]+ / { inside = 1; next }
                 /^[^ ]/ { inside = 0 }
                 inside && /^  kernel +PASS$/ { found = 1 }
                 END { exit !found }' "$1" ||
    fail "$2: no '  kernel PASS' line: $(grep -A6 -F "$2" "$1" | head -8)"
}

# Findings of the CONT batch class on the arm64 geometries beyond 4K/48-bit.
granule_findings() {
  local g
  for g in 4k-39 16k 64k; do
    echo "$repo/corpus/vmap/findings/cont-batch-crosses-into-next-run-$g.trace"
  done
}

# has OUT EXTENDED-REGEX WHAT: a line of OUT matches, or a failure naming WHAT.
has() { grep -qE "$2" "$1" || fail "$3: no line like '$2' in: $(head -c 1500 "$1")"; }

# unit_is UNIT STATUS: the unit table of kernel-info ($tmp/info) gives UNIT that status.
unit_is() { grep -Eq "^$1 +$2( |\$)" "$tmp/info"; }

unusable() {
  local rc=0
  mkdir -p "$tmp/tree/mm"
  cp -r "$repo/kernel/fixtures/good/arch" "$tmp/tree/"
  python3 "$repo/kernel/extract.py" --tree "$tmp/tree" --out "$tmp/out" >"$tmp/o" 2>"$tmp/e" || rc=$?
  [ "$rc" -eq 2 ] || fail "extract.py on a tree without mm/vmalloc.c: exit $rc, expected 2"
  grep -q "locate: .* lacks mm/vmalloc.c" "$tmp/e" || fail "no 'locate: ... lacks mm/vmalloc.c' in: $(cat "$tmp/e")"
  grep -q '"usable": false' "$tmp/out/manifest.json" || fail "manifest does not say unusable"
  [ ! -e "$tmp/out/kernel_tu.c" ] || fail "a translation unit was left behind"
  rc=0
  python3 "$repo/kernel/extract.py" --tree "$tmp/none" --out "$tmp/out2" 2>"$tmp/e" || rc=$?
  { [ "$rc" -eq 2 ] && grep -q "is not a directory" "$tmp/e"; } || fail "missing tree: exit $rc, $(cat "$tmp/e")"
  rc=0
  python3 "$repo/kernel/extract.py" --tree "$repo/kernel/fixtures/good" --out "$repo/kernel/x" \
    2>"$tmp/e" || rc=$?
  { [ "$rc" -eq 2 ] && [ ! -e "$repo/kernel/x" ]; } || fail "--out inside kernel/ was accepted"
}

good() {
  "$tool" kernel-info >"$tmp/info" || fail "kernel-info failed"
  for want in "era: v6.12" "Linux 0.0.0-vmapfuzz-fixture"; do
    grep -q "$want" "$tmp/info" || fail "kernel-info lacks '$want'"
  done
  for unit in core vmap vmalloc; do
    unit_is $unit built || fail "kernel-info does not list unit $unit as built"
  done
  # shellcheck disable=SC2046
  "$tool" replay $(corpus) "$repo"/kernel/tests/*.trace >"$tmp/out" ||
    { grep -A4 '^FAIL' "$tmp/out" | head -40; fail "corpus replay through the good fixture"; }
  tail -n 1 "$tmp/out"
  # The fixture has no arch/arm64/mm/pageattr.c: its pageattr unit is missing and set_memory
  # ops leave the kernel implementation NOT-JUDGED (--kernel-tree: 125).
  grep "note: kernel" "$tmp/out" | grep -v "(set_memory) is not supported" >"$tmp/notes" || true
  [ ! -s "$tmp/notes" ] || fail "the good fixture skipped ops: $(head -3 "$tmp/notes")"
  # The slices are built for every arm64 geometry: a seed of each runs the kernel too.
  local g f
  for g in 4k-48 4k-39 16k-47 16k-48 64k-42 64k-48; do
    grep -Eq "^geometries: .*arm64-$g built" "$tmp/info" || fail "kernel-info: arm64-$g not built"
    f=$(grep -l "^geometry arm64-$g$" "$repo"/corpus/vmap/seeds/*.trace | sed -n 1p)
    [ -n "$f" ] || { fail "no vmap seed of arm64-$g"; continue; }
    kernel_passed "$tmp/out" "$f"
  done
  # Without arch/arm64/mm/pageattr.c the pageattr unit is missing: asked for with
  # --kernel-tree, a set_memory seed cannot be judged (125).
  unit_is pageattr missing || fail "kernel-info does not list unit pageattr as missing"
  local rc=0
  VMAPFUZZ_KERNEL_REEXEC=1 "$tool" replay "$repo/corpus/vmalloc/seeds/v612-setmem-ro.trace" \
    >"$tmp/out" 2>&1 || rc=$?
  [ "$rc" -eq 125 ] || fail "set_memory without a pageattr unit, --kernel-tree: exit $rc, expected 125"
  has "$tmp/out" "^  kernel +NOT-JUDGED after op 1: op 2 \\(set_memory\\) is not supported" \
    "the kernel's line without a pageattr unit"
  # v4 fails the finding's vmap; the kernel implementation (era v6.12) passes it and what
  # follows. Without --kernel-tree any failure fails the file; with it the kernel's verdict
  # decides, so that `git bisect run` does not mark every commit bad for an engine finding.
  v4_then "$repo/corpus/ioremap/seeds/pmd-block-2m-aligned.trace" >"$tmp/v4.trace"
  rc=0
  "$tool" replay "$tmp/v4.trace" >"$tmp/out" || rc=$?
  [ "$rc" -eq 1 ] || fail "a v4 failure without --kernel-tree: exit $rc, expected 1"
  has "$tmp/out" "^FAIL .* $finding_sig\$" "the first failure"
  has "$tmp/out" "^  v4 +FAIL $finding_sig \\(op 1\\)\$" "v4's line"
  has "$tmp/out" "^  kernel +PASS\$" "the kernel's line"
  has "$tmp/out" "^  v6\\.12-vs-kernel +PASS\$" "the comparison's line"
  rc=$(run_as_requested "$tmp/out" "$tool" replay "$tmp/v4.trace")
  [ "$rc" -eq 0 ] || fail "--kernel-tree, v4 fails, the kernel passes: exit $rc, expected 0: $(cat "$tmp/out")"
  has "$tmp/out" "^  --kernel-tree: judged by the kernel implementation: PASS\$" "the deciding line"
  has "$tmp/out" "^1 passed, 0 failed\$" "the tally"
}

faulty() {
  local trace=$repo/kernel/tests/pmd-block-needs-aligned-pa.trace
  local want="bug:kernel:ioremap:-:none-vs-set_huge:unaligned-phys"
  "$tool" replay "$trace" >"$tmp/out" && fail "the faulty fixture passed $trace"
  grep -q "^FAIL .* $want" "$tmp/out" || fail "expected $want, got: $(head -3 "$tmp/out")"
  "$tool" --no-kernel replay "$trace" >/dev/null || fail "--no-kernel still ran the kernel implementation"
  "$tool" explain "$trace" >"$tmp/explain" || true
  grep -q "expected (-) vs actual kernel (+)" "$tmp/explain" || fail "explain does not list the kernel's tables"
  # padded with unrelated ops, the failure minimizes back to its one op
  { sed -n '1,/^config/p' "$trace"
    echo "ioremap va=0xffff800040000000 size=0x10000 pa=0x50000000 prot=device"
    grep '^ioremap' "$trace"
    echo "vunmap_range va=0xffff800040000000 size=0x10000"; } >"$tmp/padded.trace"
  "$tool" minimize --time 20 "$tmp/padded.trace" -o "$tmp/min.trace" 2>/dev/null ||
    fail "minimize failed"
  [ "$(grep -vc '^#\|^vmapfuzz-trace\|^geometry\|^variant\|^config' "$tmp/min.trace")" = 1 ] ||
    fail "minimized to more than one op: $(cat "$tmp/min.trace")"
  "$tool" replay "$tmp/min.trace" >"$tmp/out" && fail "the minimized trace passes"
  grep -q "$want" "$tmp/out" || fail "the minimized trace lost $want"

  # v4 fails op 1 (the finding's vmap), the kernel implementation op 2 (the unaligned PMD):
  # each is judged on its own, so both failures are reported.
  v4_then "$trace" >"$tmp/both.trace"
  local rc=0
  "$tool" replay "$tmp/both.trace" >"$tmp/out" || rc=$?
  [ "$rc" -eq 1 ] || fail "two failures: exit $rc, expected 1"
  has "$tmp/out" "^FAIL .* $finding_sig\$" "the first failure"
  has "$tmp/out" "^  mainline +PASS\$" "mainline's line"
  has "$tmp/out" "^  v4 +FAIL $finding_sig \\(op 1\\)\$" "v4's line"
  has "$tmp/out" "^  v6\\.12 +PASS\$" "the era engine's line"
  has "$tmp/out" "^  kernel +FAIL $want \\(op 2\\)\$" "the kernel's line"
  has "$tmp/out" "^  mainline-vs-v4 +NOT-RUN: v4 failed at op 1\$" "the variants comparison"
  has "$tmp/out" "^  v6\\.12-vs-kernel +NOT-JUDGED after op 1: kernel failed at op 2\$" \
    "the kernel comparison"
  # With --kernel-tree the kernel's own verdict decides: it fails, 1.
  rc=$(run_as_requested "$tmp/out" "$tool" replay "$tmp/both.trace")
  [ "$rc" -eq 1 ] || fail "--kernel-tree, the kernel fails: exit $rc, expected 1"
  has "$tmp/out" "^  --kernel-tree: judged by the kernel implementation: FAIL $want \\(op 2\\)\$" \
    "the deciding line"
  # A finding reproduces when its signature is among the failures, not only the first.
  { echo "vmapfuzz-trace 1"; echo "# expect: $want"; tail -n +2 "$tmp/both.trace"; } \
    >"$tmp/kernel-finding.trace"
  "$tool" replay "$tmp/kernel-finding.trace" >"$tmp/out" || fail "the kernel's finding: exit $?"
  has "$tmp/out" "^REPRODUCED .* $want\$" "a finding whose failure is not the first"
  # explain details every failure, each with the tables of the op it failed at.
  "$tool" explain "$tmp/both.trace" >"$tmp/explain" || true
  has "$tmp/explain" "^== verdict: FAIL $finding_sig\$" "explain's verdict"
  has "$tmp/explain" "^  kernel +FAIL $want \\(op 2\\)\$" "explain's kernel line"
  has "$tmp/explain" "^== failure 2 of 2: $want\$" "explain's second failure"
  has "$tmp/explain" "expected \\(-\\) vs actual kernel \\(\\+\\)" "the kernel's listing"
  has "$tmp/explain" "expected \\(-\\) vs actual v4 \\(\\+\\)" "v4's listing"
}

partial() {
  "$tool" kernel-info >"$tmp/info" || fail "kernel-info failed"
  unit_is vmalloc failed || fail "the vmalloc unit should have failed"
  unit_is core built || fail "the core unit should have built"
  grep -q "vmalloc_unknown_api" "$tmp/info" || fail "the failure does not name the missing symbol"
  "$tool" replay "$repo/corpus/vmalloc/seeds/"*.trace >"$tmp/out" || fail "vmalloc seeds failed"
  grep -q "note: kernel: op .* (vmalloc) is not supported" "$tmp/out" || fail "no note on the skipped vmalloc"
  # Asked for with --kernel-tree (as kernel/build-tree runs it), the same replay cannot be
  # judged: 125, so that `git bisect run` skips such a tree.
  local rc=0
  VMAPFUZZ_KERNEL_REEXEC=1 "$tool" replay "$repo/corpus/vmalloc/seeds/huge-2m-pmd-block.trace" \
    >"$tmp/out" 2>&1 || rc=$?
  [ "$rc" -eq 125 ] || fail "a requested kernel that cannot run vmalloc: exit $rc, expected 125"
  grep -q "^REJECT .*--kernel-tree stopped: op 1 (vmalloc) is not supported" "$tmp/out" ||
    fail "no REJECT line: $(head -3 "$tmp/out")"
  has "$tmp/out" "^  kernel +NOT-RUN: op 1 \\(vmalloc\\) is not supported by this implementation\$" \
    "the kernel's line"
  # The kernel implementation's verdict decides even when an engine variant fails: v4 fails
  # op 1, the kernel runs it, then stops at the vmalloc it cannot run: 125, not 1.
  v4_then "$repo/corpus/vmalloc/seeds/huge-2m-pmd-block.trace" >"$tmp/v4.trace"
  rc=$(run_as_requested "$tmp/out" "$tool" replay "$tmp/v4.trace")
  [ "$rc" -eq 125 ] || fail "--kernel-tree, v4 fails, the kernel stops: exit $rc, expected 125"
  has "$tmp/out" "^  kernel +NOT-JUDGED after op 1: op 2 \\(vmalloc\\) is not supported" "the kernel's line"
  has "$tmp/out" "^  --kernel-tree: judged by the kernel implementation: NOT-JUDGED" "the deciding line"
  rc=0
  "$tool" replay "$tmp/v4.trace" >"$tmp/out" || rc=$?
  [ "$rc" -eq 1 ] || fail "without --kernel-tree, v4 fails: exit $rc, expected 1"
  # shellcheck disable=SC2046
  "$tool" replay "$repo"/corpus/ioremap/seeds/*.trace >"$tmp/out" || fail "ioremap seeds failed"
}

good_2026() {
  local fixed=$extra finding=$repo/kernel/tests/vmap-ascending-orders-cont-batch-crosses-run.trace
  local sig=translation:v4:vmap:pte:pa-mismatch file got
  "$tool" kernel-info >"$tmp/info" || fail "kernel-info failed"
  grep -q "(Linux 7.0.0-rc5-vmapfuzz-fixture)" "$tmp/info" || fail "kernel-info: not Linux 7.0"
  for want in "era: v4" "probe vmap_batching: True" "probe arch_cont_pte_vmap: True" \
              "probe vmap_aligned_area: True"; do
    grep -qx "$want" "$tmp/info" || fail "kernel-info lacks the line '$want'"
  done
  # pageattr in the 2026 form: split_kernel_leaf_mapping() and mm/pagewalk.c.
  for unit in core vmap vmalloc pageattr; do
    unit_is $unit built || fail "kernel-info does not list unit $unit as built"
  done
  "$fixed" kernel-info | grep -q "compared with engine variant v4-fixed" ||
    fail "the v4-fixed build is not compared with v4-fixed"
  # Compared with its era: the kernel implementation passes every trace it can reach (the
  # tree behaves as v4-fixed); the engine's v4 may fail one with its known findings, which
  # then must pass with the tree compared with v4-fixed.
  # shellcheck disable=SC2046
  "$tool" replay $(corpus) "$repo"/kernel/tests/*.trace >"$tmp/out" || true
  tail -n 1 "$tmp/out"
  ! grep -Eq "^  kernel +FAIL" "$tmp/out" || fail "the kernel failed: $(grep -E "^  kernel +FAIL" "$tmp/out" | head -3)"
  # Every op runs through the fixture, set_memory too.
  grep "note: kernel" "$tmp/out" | grep -v "is unreachable" >"$tmp/notes" || true
  [ ! -s "$tmp/notes" ] || fail "ops skipped: $(head -3 "$tmp/notes")"
  grep -Eq "^(NOT-REPRODUCED|REJECT|ERROR) " "$tmp/out" &&
    fail "replay: $(grep -E "^(NOT-REPRODUCED|REJECT|ERROR) " "$tmp/out" | head -3)"
  : >"$tmp/v4-finding"
  while read -r file got; do
    case "$got" in
      "$sig"|"$sig:placement-any"|tables:v4:vmap:-:alloc-count) echo "$file" >>"$tmp/v4-finding" ;;
      *) grep -A4 "^FAIL $file " "$tmp/out"; fail "$file: $got" ;;
    esac
  done < <(awk '/^FAIL /{ print $2, $3 }' "$tmp/out")
  grep -q "^REPRODUCED $finding $sig$" "$tmp/out" ||
    fail "compared with v4, $finding should fail in the engine's v4 with $sig"
  # Compared with v4-fixed: everything, and the finding's traces as v4-fixed.
  # shellcheck disable=SC2046
  "$fixed" replay $(corpus) "$repo"/kernel/tests/*.trace >"$tmp/out" ||
    { grep -A4 '^FAIL' "$tmp/out" | head -40; fail "corpus replay, compared with v4-fixed"; }
  # shellcheck disable=SC2046
  "$fixed" replay --variant v4-fixed "$finding" "$repo"/corpus/vmap/findings/*.trace \
    $(ls "$repo"/corpus/*/seeds/finding-*.trace) $(cat "$tmp/v4-finding") >"$tmp/out" ||
    { grep -A4 '^FAIL' "$tmp/out" | head -40; fail "the finding, compared with v4-fixed"; }
  grep -q "^PASS $finding$" "$tmp/out" || fail "compared with v4-fixed, $finding does not pass"
  # The correction holds on every granule: the fixture built for 4K/39, 16K and 64K passes.
  for file in $(granule_findings); do kernel_passed "$tmp/out" "$file"; done
  tail -n 1 "$tmp/out"
}

partial_2026() {
  local report=$extra/report.txt
  "$tool" kernel-info >"$tmp/info" || fail "kernel-info failed"
  unit_is core built || fail "the core unit should have built"
  unit_is vmap built || fail "the vmap unit should have built"
  grep -Eq "^vmalloc +failed +missing 1 \(llist_add_batch\)$" "$tmp/info" ||
    fail "the unit table does not list llist_add_batch as vmalloc's one missing symbol"
  grep -q "^ *missing, deferred work and lock-free lists: llist_add_batch (mm/vmalloc.c:" \
    "$report" || fail "$report does not file llist_add_batch under deferred work"
  "$tool" replay "$repo/corpus/vmalloc/seeds/"*.trace >"$tmp/out" || fail "vmalloc seeds failed"
  grep -q "note: kernel: op .* (vmalloc) is not supported" "$tmp/out" || fail "no note on the skipped vmalloc"
  # The finding's seeds are left out: the engine's v4 may fail them (good_2026).
  local seeds=() f
  for f in "$repo"/corpus/vmap/seeds/*.trace "$repo"/corpus/ioremap/seeds/*.trace; do
    case "${f##*/}" in finding-*|geo-*) ;; *) seeds+=("$f") ;; esac
  done
  "$tool" replay "${seeds[@]}" >"$tmp/out" || fail "vmap and ioremap seeds failed"
  # The pageattr unit builds here too (the replacement is in mm/vmalloc.c's vmalloc path).
  grep "note: kernel" "$tmp/out" | grep -v "is unreachable" >"$tmp/notes" || true
  [ ! -s "$tmp/notes" ] || fail "vmap or ioremap ops skipped: $(head -3 "$tmp/notes")"
}

corpus_check() {
  "$tool" kernel-info >"$tmp/info" || fail "kernel-info failed"
  head -n 3 "$tmp/info"
  local g
  for g in arm64-4k-48 arm64-4k-39 arm64-16k-47 arm64-16k-48 arm64-64k-42 arm64-64k-48 \
           x86-64-4l x86-64-5l; do
    grep -Eq "^geometries: .*$g built" "$tmp/info" || fail "kernel-info: $g not built"
  done
  # shellcheck disable=SC2046
  "$tool" replay $(corpus x86) "$repo"/kernel/tests/*.trace >"$tmp/out" ||
    { grep -A4 '^FAIL' "$tmp/out" | head -60; fail "corpus replay through the kernel implementation"; }
  tail -n 1 "$tmp/out"
  # Every op runs, set_memory too: on arm64 through the pageattr unit, on x86-64 through
  # pageattr-x86 (x86's CPA, arch/x86/mm/pat/set_memory.c).
  grep "note: kernel" "$tmp/out" >"$tmp/notes" || true
  [ ! -s "$tmp/notes" ] || fail "ops skipped: $(head -3 "$tmp/notes")"
  # A seed of each arm64 granule and x86-64 paging mode runs the tree's code built for it.
  local f rc
  for g in arm64-4k-39 arm64-16k-47 arm64-64k-42 x86-64-4l x86-64-5l; do
    f=$(grep -l "^geometry $g$" "$repo"/corpus/ioremap/seeds/*.trace | sed -n 1p)
    kernel_passed "$tmp/out" "$f"
  done
  # set_memory is judged by the tree's own arch/arm64/mm/pageattr.c and mm/memory.c (the
  # pageattr unit) and arch/x86/mm/pat/set_memory.c (pageattr-x86): both are built, and
  # asked for with --kernel-tree a seed's verdict is the kernel's PASS (exit 0), not
  # NOT-JUDGED (125). The arm64 seeds: a vmalloc_huge() area whose PMD block
  # apply_to_page_range() WARNs on, an unaligned address change_memory_common() WARNs on,
  # and set_memory_valid() over unmapped VAs, which allocates tables. The x86-64 ones: a
  # change of part of a 2M page (a split), a split whose table allocation fails, set_memory_np
  # of part of a vmap()'d large page, and a W+X change without verify_rwx()'s WARN (the
  # trees' own code does not WARN either: docs/pageattr.md, "x86-64").
  unit_is pageattr built || fail "kernel-info does not list unit pageattr as built"
  unit_is pageattr-x86 built || fail "kernel-info does not list unit pageattr-x86 as built"
  for f in "$repo"/corpus/vmalloc/seeds/v612-setmem-huge-area-block.trace \
           "$repo"/corpus/vmalloc/seeds/setmem-unaligned.trace \
           "$repo"/corpus/vmalloc/seeds/v612-setmem-valid-creates-tables.trace \
           "$repo"/corpus/vmalloc/seeds/geo-x86-64-4l-setmem-ro-huge-partial.trace \
           "$repo"/corpus/vmalloc/seeds/geo-x86-64-4l-setmem-split-enomem.trace \
           "$repo"/corpus/vmap/seeds/geo-x86-64-4l-setmem-np-part-of-large.trace \
           "$repo"/corpus/vmalloc/seeds/geo-x86-64-4l-setmem-wx-no-warn.trace; do
    rc=$(run_as_requested "$tmp/out" "$tool" replay "$f")
    [ "$rc" -eq 0 ] || fail "$f with --kernel-tree: exit $rc, expected 0: $(cat "$tmp/out")"
    has "$tmp/out" "^  kernel +PASS\$" "$f: the kernel's line"
    has "$tmp/out" "^  --kernel-tree: judged by the kernel implementation: PASS\$" \
      "$f: the deciding line"
  done
  # The v4 finding, asked for with --kernel-tree: it reproduces on v4, the kernel passes (a
  # tree of another era, or one without the bug): exit 0.
  rc=$(run_as_requested "$tmp/out" "$tool" replay "$finding")
  cat "$tmp/out"
  [ "$rc" -eq 0 ] || fail "the finding with --kernel-tree: exit $rc, expected 0"
  has "$tmp/out" "^REPRODUCED .* $finding_sig\$" "the finding"
  has "$tmp/out" "^  kernel +PASS\$" "the kernel's line"
  # The same class on 4K/39-bit, 16K and 64K: the tree's code built for that granule passes
  # where v4 mistranslates (a tree with the series' bug fails them: kernel/README.md).
  # The truncated-pfn finding is in generic code: on x86-64, v4 loses the PMD block, the
  # tree (without the series) keeps it.
  f=$repo/corpus/vmap/findings/batch-order-truncated-pfn-x86-64.trace
  rc=$(run_as_requested "$tmp/out" "$tool" replay "$f")
  [ "$rc" -eq 0 ] || fail "$f with --kernel-tree: exit $rc, expected 0: $(cat "$tmp/out")"
  has "$tmp/out" "^REPRODUCED $f tables:v4:vmap:-:alloc-count\$" "$f"
  kernel_passed "$tmp/out" "$f"
  for f in $(granule_findings); do
    rc=$(run_as_requested "$tmp/out" "$tool" replay "$f")
    [ "$rc" -eq 0 ] || fail "$f with --kernel-tree: exit $rc, expected 0: $(cat "$tmp/out")"
    has "$tmp/out" "^REPRODUCED $f $finding_sig\$" "$f"
    kernel_passed "$tmp/out" "$f"
  done
}

case "$check" in
  unusable|good|faulty|partial) "$check" ;;
  good-2026) good_2026 ;;
  partial-2026) partial_2026 ;;
  corpus) corpus_check ;;
  *) echo "kernel_test.sh: unknown check $check" >&2; exit 2 ;;
esac
[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "kernel.$check: ok"
