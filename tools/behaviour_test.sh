#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Checks of `vmapfuzz behaviour` (ctest behaviour.*; docs/behaviour-changes.md):
#   pins          a few measured classifications, exactly as the tool prints them (--tsv)
#   reproducers   corpus/behaviour/*.trace replay (every variant passes against its
#                 reference) and are what the tool writes today
#   badinput      bad options exit 2 with a message; --out never replaces a file unasked
#   docs          every generated block of docs/behaviour-changes.md (between
#                 `<!-- behaviour:begin vmapfuzz ARGS -->` and `<!-- behaviour:end -->`) is what
#                 `vmapfuzz ARGS` prints today
# usage: behaviour_test.sh VMAPFUZZ REPO CHECK
set -euo pipefail
tool=$1 repo=$2 check=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_line FILE LINE: FILE has LINE exactly (fields tab-separated, given with '|').
expect_line() {
  local want
  want=$(tr '|' '\t' <<<"$2")
  grep -qxF "$want" "$1" || { fail "missing line: $2"; grep -F "$(cut -f1-5 <<<"$want")" "$1" | head -3; }
}

pins() {
  "$tool" behaviour --tsv --geometry arm64-4k-48 --geometry arm64-64k-48 \
    --setup vmap-one-cont --setup vmap-block --setup vmalloc-huge-block \
    --range first-page --range last-page --range half-block --op vunmap_range >"$tmp/out" ||
    fail "behaviour exited $?"
  local g=arm64-4k-48 c='vmap-one-cont|first-page|vunmap_range'
  # The first page of a vmap'd 64K contiguous run: mainline unmaps one page; v4 has a CONT
  # group there, the range ends inside it: cont-partial, and all 16 pages go.
  expect_line "$tmp/out" "$g|$c|mainline|pte|1 unmapped|same|-"
  expect_line "$tmp/out" "$g|$c|v4|cont|WARN vunmap_pte_range:cont-partial; 16 unmapped (15 more than asked); split|warn+over-unmap+split[vunmap_pte_range:cont-partial]|PASS"
  expect_line "$tmp/out" "$g|$c|v4-fixed|cont|WARN vunmap_pte_range:cont-partial; 16 unmapped (15 more than asked); split|warn+over-unmap+split[vunmap_pte_range:cont-partial]|PASS"
  # The last page starts inside the group and ends at its end: cont-misaligned only.
  expect_line "$tmp/out" "$g|vmap-one-cont|last-page|vunmap_range|v4|cont|WARN vunmap_pte_range:cont-misaligned; 16 unmapped (15 more than asked); split|warn+over-unmap+split[vunmap_pte_range:cont-misaligned]|PASS"
  # Half of a vmap'd 2M block: v4 clears the whole block.
  expect_line "$tmp/out" "$g|vmap-block|half-block|vunmap_range|mainline|pte|256 unmapped|same|-"
  expect_line "$tmp/out" "$g|vmap-block|half-block|vunmap_range|v4|pmd|WARN vunmap_pmd_range:partial-block; 512 unmapped (256 more than asked); split|warn+over-unmap+split[vunmap_pmd_range:partial-block]|PASS"
  # The control: vmalloc_huge maps a block in mainline too, so nothing changes.
  expect_line "$tmp/out" "$g|vmalloc-huge-block|first-page|vunmap_range|mainline|pmd|WARN vunmap_pmd_range:partial-block; 512 unmapped (511 more than asked); split|same|-"
  expect_line "$tmp/out" "$g|vmalloc-huge-block|first-page|vunmap_range|v4|pmd|WARN vunmap_pmd_range:partial-block; 512 unmapped (511 more than asked); split|same|PASS"
  # 64K pages: a CONT group is 32 pages (2M).
  expect_line "$tmp/out" "arm64-64k-48|$c|v4|cont|WARN vunmap_pte_range:cont-partial; 32 unmapped (31 more than asked); split|warn+over-unmap+split[vunmap_pte_range:cont-partial]|PASS"
  local n
  n=$(wc -l <"$tmp/out")
  [ "$n" -eq 49 ] || fail "expected 49 lines (a header and 16 cases x 3 variants), got $n"

  # Permission changes (docs/pageattr.md), the same setups, first and last page.
  "$tool" behaviour --tsv --geometry arm64-4k-48 \
    --setup vmap-one-cont --setup vmap-block --setup vmalloc-huge-block \
    --range first-page --range last-page \
    --op set_memory_invalid --op set_memory_invalid-bbml2 --op set_memory_ro >"$tmp/sm" ||
    fail "behaviour (set_memory) exited $?"
  c='vmap-one-cont|first-page|set_memory_invalid'
  # set_memory_valid(0) of the first page of a v4 CONT group: one entry loses its valid bit, the
  # other 15 keep CONT: a malformed group; vunmap() then WARNs on the CONT entry after it. The
  # invalid entry itself is present-invalid in the 2026 trees (nG set), so neither variant
  # WARNs on it (docs/pageattr.md).
  expect_line "$tmp/sm" "$g|$c|mainline|pte|1 made invalid|same|-"
  expect_line "$tmp/sm" "$g|$c|v4|cont|1 made invalid; 1 malformed CONT group; split; teardown WARN vunmap_pte_range:cont-misaligned|malformed+split+teardown-warn|PASS"
  expect_line "$tmp/sm" "$g|vmap-one-cont|last-page|set_memory_invalid|v4-fixed|cont|1 made invalid; 1 malformed CONT group; split|malformed+split|PASS"
  # Part of a v4 PMD block: WARN and -EINVAL, nothing changed.
  expect_line "$tmp/sm" "$g|vmap-block|first-page|set_memory_invalid|v4|pmd|ret -22; WARN pageattr_pmd_entry:partial-block; 0 made invalid; 1 of the range not made invalid; split|error+warn+short+split[pageattr_pmd_entry:partial-block]|PASS"
  # With BBML2_NOABORT the block is split first: as on mainline.
  expect_line "$tmp/sm" "$g|vmap-block|first-page|set_memory_invalid-bbml2|v4|pmd|1 made invalid; split; 1 new table|split|PASS"
  # set_memory_ro refuses a vmap() area on every variant, and a vmalloc_huge() one (2026).
  expect_line "$tmp/sm" "$g|vmap-one-cont|first-page|set_memory_ro|mainline|pte|ret -22; 0 made read-only; 1 of the range not made read-only|same|-"
  expect_line "$tmp/sm" "$g|vmap-one-cont|first-page|set_memory_ro|v4|cont|ret -22; 0 made read-only; 1 of the range not made read-only; split|split|PASS"
  expect_line "$tmp/sm" "$g|vmalloc-huge-block|last-page|set_memory_ro|v4|pmd|ret -22; 0 made read-only; 1 of the range not made read-only; split|same|PASS"
  n=$(wc -l <"$tmp/sm")
  [ "$n" -eq 55 ] || fail "expected 55 lines (a header and 6 cases x 3 ops x 3 variants), got $n"

  # x86-64's CPA (docs/pageattr.md "x86-64"): no area check, and a large page the range cuts
  # is split first, so v4's 2M page for a vmap() costs a table where mainline has PTEs.
  "$tool" behaviour --tsv --geometry x86-64-4l --setup vmap-block --setup vmap-one-cont \
    --setup vmalloc-huge-block --range first-page --range first-cont-group \
    --op cpa_set_memory_ro --op cpa_set_memory_np --op set_memory_ro >"$tmp/x86" ||
    fail "behaviour (x86-64) exited $?"
  g=x86-64-4l
  expect_line "$tmp/x86" "$g|vmap-block|first-page|cpa_set_memory_ro|mainline|pte|1 made read-only|same|-"
  expect_line "$tmp/x86" "$g|vmap-block|first-page|cpa_set_memory_ro|v4|pmd|1 made read-only; split; 1 new table|split|PASS"
  expect_line "$tmp/x86" "$g|vmap-block|first-page|cpa_set_memory_np|v4-fixed|pmd|1 made not present; split; 1 new table; teardown WARN vunmap_pte_range:not-present|split|PASS"
  expect_line "$tmp/x86" "$g|vmalloc-huge-block|first-page|cpa_set_memory_ro|mainline|pmd|1 made read-only; split; 1 new table|same|-"
  # No CONT setups or ranges, no arm64 rows: 2 setups x 1 range x 2 ops x 3 variants.
  n=$(wc -l <"$tmp/x86")
  [ "$n" -eq 13 ] || fail "expected 13 lines (a header and 4 cases x 3 variants), got $n"
}

reproducers() {
  local dir=$repo/corpus/behaviour
  ls "$dir"/*.trace >/dev/null || { fail "no reproducers in $dir"; return; }
  "$tool" replay "$dir" >"$tmp/replay" || fail "replay of $dir exited $?: $(grep -v '^ ' "$tmp/replay")"
  "$tool" behaviour --out "$tmp/rep" >/dev/null || fail "behaviour --out exited $?"
  diff -r -I '^# Written by' "$dir" "$tmp/rep" -x README.md >"$tmp/diff" ||
    { fail "corpus/behaviour differs from what the tool writes (rerun the command in its README.md):"; head -20 "$tmp/diff"; }
}

# expect_usage DESCRIPTION ARGS...: exit 2 and a message on stderr.
expect_usage() {
  local what=$1 rc=0; shift
  "$tool" behaviour "$@" >"$tmp/o" 2>"$tmp/e" || rc=$?
  [ "$rc" -eq 2 ] || fail "$what: exit $rc, expected 2"
  [ -s "$tmp/e" ] || fail "$what: no message"
}

badinput() {
  expect_usage "unknown option" --no-such-option
  expect_usage "stray argument" file.trace
  expect_usage "missing value" --geometry
  expect_usage "not arm64 or x86-64" --geometry riscv64-sv39
  expect_usage "unknown setup" --setup nosuch
  expect_usage "unknown range" --range nosuch
  expect_usage "unknown op" --op set_memory_nosuch
  expect_usage "no case" --setup vmap-sub-cont --range half-block
  echo keep >"$tmp/file"
  expect_usage "--out a file" --out "$tmp/file"
  mkdir -p "$tmp/d"
  echo keep >"$tmp/d/vunmap_range-same.trace"
  expect_usage "--out over an existing reproducer" --out "$tmp/d"
  [ "$(cat "$tmp/d/vunmap_range-same.trace")" = keep ] || fail "--out replaced a file"
  [ "$(ls "$tmp/d")" = vunmap_range-same.trace ] || fail "--out wrote files after refusing"
  "$tool" behaviour --out "$tmp/d" --force >/dev/null || fail "--out --force exited $?"
  grep -q '^vmapfuzz-trace 1' "$tmp/d/vunmap_range-same.trace" || fail "--force did not write"
}

docs() {
  local doc=$repo/docs/behaviour-changes.md n=0 args
  while read -r args; do
    n=$((n + 1))
    # shellcheck disable=SC2086  # ARGS are words
    "$tool" $args >"$tmp/want" || fail "vmapfuzz $args exited $?"
    awk -v a="<!-- behaviour:begin vmapfuzz $args -->" '
      $0 == a { on = 1; next } on && /^<!-- behaviour:end -->$/ { exit } on { print }' "$doc" >"$tmp/have"
    diff "$tmp/have" "$tmp/want" >"$tmp/diff" ||
      { fail "docs/behaviour-changes.md: the block of 'vmapfuzz $args' is stale:"; head -10 "$tmp/diff"; }
  done < <(sed -n 's/^<!-- behaviour:begin vmapfuzz \(.*\) -->$/\1/p' "$doc")
  [ "$n" -ge 2 ] || fail "docs/behaviour-changes.md: expected at least 2 generated blocks, found $n"
}

"$check"
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "behaviour $check: ok"
