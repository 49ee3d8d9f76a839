#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end checks of the vmapfuzz command line (run by ctest as `cli.*`):
#   roundtrip  every committed trace survives text -> bytes -> text exactly (ops and header)
#   badinput   every subcommand refuses bad files and options with a message and a non-zero
#              exit, and never touches its input or an existing output
#   minimize   known traces padded with irrelevant ops minimize back to the same signature
# usage: cli_test.sh VMAPFUZZ REPO CHECK
set -euo pipefail
tool=$1 repo=$2 check=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
strip() { grep -v '^#' "$1"; }

roundtrip() {
  local n=0 f target variant
  for f in "$repo"/corpus/*/*/*.trace; do
    target=$(basename "$(dirname "$(dirname "$f")")")
    variant=$(sed -n 's/^variant //p' "$f")
    if ! "$tool" convert --to-bytes --target "$target" "$f" -o "$tmp/b" --force 2>"$tmp/err"; then
      fail "convert --to-bytes $f: $(cat "$tmp/err")"; continue
    fi
    "$tool" convert --to-text --target "$target" --variant "$variant" "$tmp/b" -o "$tmp/t" --force
    if ! diff <(strip "$f") <(strip "$tmp/t") >/dev/null; then
      fail "round trip changed $f"; diff <(strip "$f") <(strip "$tmp/t") | head -5
    fi
    n=$((n + 1))
  done
  echo "round trip: $n traces"
  [ "$n" -gt 0 ] || fail "no traces found under $repo/corpus"
}

# expect_refusal DESCRIPTION CMD...: non-zero exit and a message on stderr.
expect_refusal() {
  local what=$1; shift
  local rc=0
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [ "$rc" -eq 0 ]; then fail "$what: exit 0"; return; fi
  if [ ! -s "$tmp/err" ] && ! grep -qE 'ERROR|REJECT' "$tmp/out"; then fail "$what: no message"; fi
}

badinput() {
  local good=$repo/corpus/ioremap/seeds/pmd-block-2m-aligned.trace
  printf 'vmapfuzz-trace 1\ngeometry arm64-4k-48\nvariant v4\nbogus_op va=1\n' >"$tmp/bad.trace"
  printf 'vmapfuzz-trace 1\ngeometry arm64-4k-48\nvariant v4\nioremap va=0xffff800000000000 size=0 pa=0 prot=device\n' >"$tmp/zero.trace"
  : >"$tmp/empty"
  local cmd
  for cmd in replay explain minimize export convert; do
    local extra=()
    case $cmd in export) extra=(--gtest) ;; convert) extra=(--to-bytes) ;; esac
    expect_refusal "$cmd missing file" "$tool" "$cmd" "${extra[@]}" "$tmp/nonexistent" -o "$tmp/o1"
    expect_refusal "$cmd directory" "$tool" "$cmd" "${extra[@]}" "$tmp" -o "$tmp/o2"
    expect_refusal "$cmd malformed trace" "$tool" "$cmd" "${extra[@]}" "$tmp/bad.trace" -o "$tmp/o3"
    expect_refusal "$cmd unknown option" "$tool" "$cmd" --no-such-option "$good"
    expect_refusal "$cmd bad variant" "$tool" "$cmd" "${extra[@]}" --variant v5 "$good"
  done
  expect_refusal "replay trace outside the contract" "$tool" replay "$tmp/zero.trace"
  expect_refusal "minimize passing trace" "$tool" minimize "$good"
  expect_refusal "unknown command" "$tool" frobnicate
  expect_refusal "--kernel-tree without a directory" "$tool" replay "$good" --kernel-tree
  expect_refusal "--kernel-tree of a missing directory" "$tool" replay --kernel-tree "$tmp/nonexistent" "$good"
  # A directory that is no kernel tree: reported by the extractor, and the replay goes on.
  mkdir -p "$tmp/notatree"
  if ! "$tool" replay --kernel-tree "$tmp/notatree" "$good" >"$tmp/out" 2>"$tmp/err"; then
    fail "--kernel-tree of a non-tree stopped the replay: $(cat "$tmp/err")"
  fi
  grep -q "locate: .* lacks" "$tmp/err" || fail "--kernel-tree of a non-tree: no 'locate' message: $(cat "$tmp/err")"
  grep -q "running without it" "$tmp/err" || fail "--kernel-tree of a non-tree: no 'running without it'"
  # Never over an input, never over an existing file without --force.
  cp "$good" "$tmp/in.trace"
  local before; before=$(sha1sum "$tmp/in.trace")
  expect_refusal "convert over its input" "$tool" convert --to-text "$tmp/in.trace" -o "$tmp/in.trace" --force
  echo keep >"$tmp/exists"
  expect_refusal "convert over an existing file" "$tool" convert --to-bytes --target ioremap "$tmp/in.trace" -o "$tmp/exists"
  expect_refusal "export over its input" "$tool" export --gtest "$tmp/in.trace" -o "$tmp/in.trace" --force
  [ "$(sha1sum "$tmp/in.trace")" = "$before" ] || fail "an input was modified"
  [ "$(cat "$tmp/exists")" = keep ] || fail "an existing output was overwritten"
  echo "bad input: checked"
}

minimize() {
  local finding=$repo/corpus/vmap/findings/cont-batch-crosses-into-next-run.trace
  # Pad the finding with ops that do not matter, before and after.
  { sed -n '1,/^config/p' "$finding" | grep -v '^#'
    echo "vmalloc va=0xffff800100000000 size=0x10000 huge=1 prot=normal"
    echo "ioremap va=0xffff800200000000 size=0x200000 pa=0x40000000 prot=device"
    grep '^vmap ' "$finding"
    echo "vunmap va=0xffff800300000000"
  } >"$tmp/padded.trace"
  local want got
  want=$("$tool" replay "$tmp/padded.trace" | sed -n 's/^FAIL [^ ]* //p' | head -n 1 || true)
  [ "$want" = "translation:v4:vmap:pte:pa-mismatch" ] || fail "padded finding fails with '$want'"
  "$tool" minimize --time 20 "$tmp/padded.trace" -o "$tmp/min.trace" 2>"$tmp/minlog"
  got=$("$tool" replay "$tmp/min.trace" | sed -n 's/^FAIL [^ ]* //p' | head -n 1 || true)
  [ "$got" = "$want" ] || fail "minimized trace fails with '$got', not '$want'"
  local ops; ops=$(grep -c -v -E '^(#|vmapfuzz-trace|geometry|variant|config)' "$tmp/min.trace")
  [ "$ops" -eq 1 ] || fail "minimized to $ops ops, expected 1"
  # Deterministic: the same input gives the same output.
  "$tool" minimize --time 20 "$tmp/padded.trace" -o "$tmp/min2.trace" 2>/dev/null
  cmp -s "$tmp/min.trace" "$tmp/min2.trace" || fail "minimize is not deterministic"
  echo "minimize: padded finding -> $ops op, $got"
}

"$check"
[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
