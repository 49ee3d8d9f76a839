#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end checks of the kernel implementation (run by ctest as `kernel.*`):
#   unusable  extract.py refuses a tree that lacks a file, naming the step and the file
#   good      the good fixture tree builds every unit and passes the committed corpora
#   faulty    the faulty fixture tree's bug is reported with a kernel signature, explained
#             with the kernel's walk, and minimized to one op
#   partial   a tree whose vmalloc unit does not compile still runs the other ops;
#             vmalloc traces note that the kernel implementation stopped there
#   corpus    (Debian 6.12, 6.1 and other real trees) every committed trace passes
#   absent    the tree (third argument) is not there: say so and exit 77, ctest's skip code
# usage: kernel_test.sh CHECK REPO [VMAPFUZZ_WITH_KERNEL | TREE]
set -euo pipefail
check=$1 repo=$2 tool=${3:-}
if [ "$check" = absent ]; then
  echo "kernel: no tree at $tool (ci/setup --with-kernel-source unpacks Debian's); skipped"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
corpus() { ls "$repo"/corpus/*/seeds/*.trace "$repo"/corpus/*/regression/*.trace; }

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
  for want in "era: v6.12" "unit core: built" "unit vmap: built" "unit vmalloc: built" \
              "Linux 0.0.0-vmapfuzz-fixture"; do
    grep -q "$want" "$tmp/info" || fail "kernel-info lacks '$want'"
  done
  # shellcheck disable=SC2046
  "$tool" replay $(corpus) "$repo"/kernel/tests/*.trace >"$tmp/out" ||
    { grep -A4 '^FAIL' "$tmp/out" | head -40; fail "corpus replay through the good fixture"; }
  tail -n 1 "$tmp/out"
  ! grep -q "note: kernel" "$tmp/out" || fail "the good fixture skipped ops: $(grep note "$tmp/out" | head -3)"
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
}

partial() {
  "$tool" kernel-info >"$tmp/info" || fail "kernel-info failed"
  grep -q "unit vmalloc: failed" "$tmp/info" || fail "the vmalloc unit should have failed"
  grep -q "unit core: built" "$tmp/info" || fail "the core unit should have built"
  grep -q "vmalloc_unknown_api" "$tmp/info" || fail "the failure does not name the missing symbol"
  "$tool" replay "$repo/corpus/vmalloc/seeds/"*.trace >"$tmp/out" || fail "vmalloc seeds failed"
  grep -q "note: kernel: op .* (vmalloc) is not supported" "$tmp/out" || fail "no note on the skipped vmalloc"
  # Asked for with --kernel-tree (as kernel/build-tree runs it), the same replay cannot be
  # judged: 125, so that `git bisect run` skips such a tree.
  local rc=0
  VMAPFUZZ_KERNEL_REEXEC=1 "$tool" replay "$repo/corpus/vmalloc/seeds/huge-2m-pmd-block.trace" \
    >"$tmp/out" 2>&1 || rc=$?
  [ "$rc" -eq 125 ] || fail "a requested kernel that cannot run vmalloc: exit $rc, expected 125"
  grep -q "^REJECT .*cannot run every op" "$tmp/out" || fail "no REJECT line: $(head -3 "$tmp/out")"
  # shellcheck disable=SC2046
  "$tool" replay "$repo"/corpus/ioremap/seeds/*.trace >"$tmp/out" || fail "ioremap seeds failed"
}

corpus_check() {
  "$tool" kernel-info | head -n 3
  # shellcheck disable=SC2046
  "$tool" replay $(corpus) "$repo"/kernel/tests/*.trace >"$tmp/out" ||
    { grep -A4 '^FAIL' "$tmp/out" | head -60; fail "corpus replay through the kernel implementation"; }
  tail -n 1 "$tmp/out"
  ! grep -q "note: kernel" "$tmp/out" || fail "ops skipped: $(grep note "$tmp/out" | head -3)"
}

case "$check" in
  unusable|good|faulty|partial) "$check" ;;
  corpus) corpus_check ;;
  *) echo "kernel_test.sh: unknown check $check" >&2; exit 2 ;;
esac
[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "kernel.$check: ok"
