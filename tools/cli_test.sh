#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end checks of the vmapfuzz command line (run by ctest as `cli.*`):
#   roundtrip  every committed trace survives text -> bytes -> text exactly (ops and header)
#   badinput   every subcommand refuses bad files and options with a message and a non-zero
#              exit, and never touches its input or an existing output
#   minimize   known traces padded with irrelevant ops minimize back to the same signature
#   contracts  the input contract and exit statuses of tools/cli.h: every malformed, empty or
#              binary input is an error (2), a trace outside the contract 125, a failure 1,
#              for vmapfuzz's commands and a *_replay program alike; directories replay; the
#              per-implementation lines of replay and explain
# usage: cli_test.sh VMAPFUZZ REPO CHECK [REPLAY_PROGRAM]
set -euo pipefail
tool=$1 repo=$2 check=$3 replay=${4:-}
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
    "$tool" convert --to-text --bytes --target "$target" --variant "$variant" "$tmp/b" -o "$tmp/t" --force
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
  # The TLB model's switch (harness/tlb.h, tlb_model_on): a value it does not know is an
  # error; "off" says so and still replays.
  expect_refusal "VMAPFUZZ_TLB_MODEL=maybe" env VMAPFUZZ_TLB_MODEL=maybe "$tool" replay "$good"
  grep -q 'VMAPFUZZ_TLB_MODEL=maybe: expected' "$tmp/err" || fail "VMAPFUZZ_TLB_MODEL=maybe: $(cat "$tmp/err")"
  if ! VMAPFUZZ_TLB_MODEL=off "$tool" replay "$good" >"$tmp/out" 2>"$tmp/err" ||
     ! grep -q 'no TLB model' "$tmp/err"; then
    fail "VMAPFUZZ_TLB_MODEL=off: $(cat "$tmp/err")"
  fi
  expect_refusal "--kernel-tree of a missing directory" "$tool" replay --kernel-tree "$tmp/nonexistent" "$good"
  # A directory that is no kernel tree: reported by the extractor, and the replay goes on
  # without it, but what was asked for cannot be judged: 125 (git bisect run: skip).
  mkdir -p "$tmp/notatree"
  local rc=0
  "$tool" replay --kernel-tree "$tmp/notatree" "$good" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [ "$rc" -eq 125 ] || fail "--kernel-tree of a non-tree: exit $rc, expected 125: $(cat "$tmp/err")"
  grep -q "^REJECT .*kernel implementation" "$tmp/out" || fail "--kernel-tree of a non-tree: no REJECT line"
  grep -q "locate: .* lacks" "$tmp/err" || fail "--kernel-tree of a non-tree: no 'locate' message: $(cat "$tmp/err")"
  grep -q "running without it" "$tmp/err" || fail "--kernel-tree of a non-tree: no 'running without it'"
  # Never over an input, never over an existing file without --force.
  cp "$good" "$tmp/in.trace"
  local before; before=$(sha1sum "$tmp/in.trace")
  expect_refusal "convert over its input" "$tool" convert --to-text "$tmp/in.trace" -o "$tmp/in.trace" --force
  echo keep >"$tmp/exists"
  expect_refusal "convert over an existing file" "$tool" convert --to-bytes --target ioremap "$tmp/in.trace" -o "$tmp/exists"
  expect_refusal "export over its input" "$tool" export --gtest "$tmp/in.trace" -o "$tmp/in.trace" --force
  expect_refusal "explain --format=bogus" "$tool" explain --format=bogus "$good"
  expect_refusal "explain --format=ptdump of x86-64" "$tool" explain --format=ptdump \
    "$repo/corpus/ioremap/seeds/geo-x86-64-4l-block-then-tail.trace"
  "$tool" explain --format=ptdump "$good" | grep -q ' PMD .* BLK ' ||
    fail "explain --format=ptdump of $good: no PMD block line"
  # export --kunit: a bad era or a non-empty folder is refused; into an empty one it writes
  # one suite file per corpus folder and the build files.
  expect_refusal "export --kunit --era 5.4" "$tool" export --kunit --era 5.4 "$good"
  expect_refusal "export --kunit with -o and --out-dir" "$tool" export --kunit "$good" -o "$tmp/k.c" --out-dir "$tmp/kd"
  mkdir -p "$tmp/kfull" && echo keep >"$tmp/kfull/mine"
  expect_refusal "export --kunit into a non-empty folder" "$tool" export --kunit --out-dir "$tmp/kfull" "$good"
  if [ "$(cat "$tmp/kfull/mine")" != keep ] || [ "$(find "$tmp/kfull" -mindepth 1 | wc -l)" != 1 ]; then
    fail "export --kunit touched a non-empty folder"
  fi
  if "$tool" export --kunit --era 6.12 --out-dir "$tmp/kd" "$good" \
       "$repo/corpus/vmap/findings/cont-batch-crosses-into-next-run.trace" 2>"$tmp/err"; then
    local written
    written=$(cd "$tmp/kd" && find . -mindepth 1 | sort | tr '\n' ' ')
    [ "$written" = "./.kunitconfig ./Kconfig ./Makefile ./README ./vmapfuzz_ioremap_seeds.c ./vmapfuzz_vmap_findings.c " ] ||
      fail "export --kunit --out-dir wrote: $written"
    grep -qF "obj-\$(CONFIG_VMAPFUZZ_KUNIT_TEST) += vmapfuzz_vmap_findings.o" "$tmp/kd/Makefile" ||
      fail "export --kunit: the Makefile lacks a suite"
    [ "$(grep -c SPDX "$tmp/kd/vmapfuzz_ioremap_seeds.c")" = 1 ] || fail "export --kunit: header repeated"
  else
    fail "export --kunit --out-dir: $(cat "$tmp/err")"
  fi
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

# expect_exit WANT DESCRIPTION CMD...: exit status WANT; for 2 and 125, a message too.
expect_exit() {
  local want=$1 what=$2; shift 2
  local rc=0
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    fail "$what: exit $rc, expected $want: $(head -c 300 "$tmp/out") $(head -c 300 "$tmp/err")"
    return
  fi
  if [ "$want" -ne 0 ] && [ "$want" -ne 1 ] && [ ! -s "$tmp/err" ] &&
     ! grep -qE '^(ERROR|REJECT|UNREACHABLE) |^== verdict: (REJECT|UNREACHABLE)' "$tmp/out"; then
    fail "$what: no message"
  fi
}

# has_line WHAT REGEX: a line of $tmp/out matches REGEX (extended).
has_line() { grep -qE "$2" "$tmp/out" || fail "$1: no line like '$2' in: $(head -c 1000 "$tmp/out")"; }

contracts() {
  local good=$repo/corpus/ioremap/seeds/pmd-block-2m-aligned.trace
  local finding=$repo/corpus/vmap/findings/cont-batch-crosses-into-next-run.trace
  local body; body=$(tail -n +2 "$good")
  local cmd prog
  # Text that is not quite a trace: never decoded as fuzzer bytes, never a PASS.
  printf 'vmapfuzz-trace 2\n%s\n' "$body" >"$tmp/v2.trace"
  printf '%s\n' "$body" >"$tmp/noheader.trace"
  printf '\xef\xbb\xbfvmapfuzz-trace 1\n%s\n' "$body" >"$tmp/bom.trace"
  printf 'vmapfuzz-trace  1\n%s\n' "$body" >"$tmp/twospaces.trace"
  printf 'vmapfuzz-trace 1\n# caf\xe9\n%s\n' "$body" >"$tmp/latin1.trace"
  printf 'vmapfuzz-trace 2\n%s\n' "$body" >"$tmp/v2-no-suffix"
  printf 'this is not a trace at all\n' >"$tmp/garbage.txt"
  head -c 512 /dev/urandom >"$tmp/random.bin"
  : >"$tmp/empty.trace"
  : >"$tmp/empty"
  local bad=(v2.trace noheader.trace bom.trace twospaces.trace latin1.trace v2-no-suffix
             garbage.txt random.bin empty.trace empty)
  for prog in "$tool replay" "$tool explain" "$tool minimize" "$tool convert --to-bytes -o $tmp/x"  \
              "$tool export --gtest" ${replay:+"$replay"}; do
    for f in "${bad[@]}"; do
      # shellcheck disable=SC2086
      expect_exit 2 "$prog $f" $prog "$tmp/$f"
    done
  done
  grep -q "unsupported trace version '2'" <("$tool" replay "$tmp/v2.trace") ||
    fail "version 2: no 'unsupported trace version' message"
  grep -q "byte order mark" <("$tool" replay "$tmp/bom.trace") || fail "BOM: no message"
  grep -q "damaged header" <("$tool" replay "$tmp/twospaces.trace") || fail "two spaces: no message"
  grep -q "latin1.trace:2: not valid UTF-8" <("$tool" replay "$tmp/latin1.trace") ||
    fail "latin-1 byte: no file:line message"
  # Fuzzer bytes only when asked, or under a libFuzzer name; and the output says so.
  "$tool" convert --to-bytes --target ioremap "$good" -o "$tmp/good.bin"
  expect_exit 2 "bytes without --bytes" "$tool" replay --target ioremap "$tmp/good.bin"
  expect_exit 0 "bytes with --bytes" "$tool" replay --bytes --target ioremap "$tmp/good.bin"
  grep -q "^  input: fuzzer bytes (target ioremap" "$tmp/out" || fail "--bytes: decoding not shown"
  cp "$tmp/good.bin" "$tmp/crash-0123456789abcdef0123456789abcdef01234567"
  expect_exit 0 "a libFuzzer crash name" "$tool" replay --target ioremap \
    "$tmp/crash-0123456789abcdef0123456789abcdef01234567"
  # Exit statuses: 0 pass, 1 fail, 125 outside the contract; a finding reproduces (0), and
  # fails where it does not (1).
  printf 'vmapfuzz-trace 1\ngeometry arm64-4k-48\nvariant v4\nioremap va=0xffff800000000000 size=0 pa=0 prot=device\n' \
    >"$tmp/zero.trace"
  sed 's/^# expect: .*/# expect: translation:v4:vmap:pte:attrs-mismatch/' "$finding" >"$tmp/wrong-expect.trace"
  grep -v '^# expect:' "$finding" >"$tmp/plain-finding.trace"
  # A 2 MiB vmap() 64K before a 2 MiB boundary: v4's aligned vmap area (patch 6) never
  # starts there, so the trace is unreachable (125) unless it says `placement any`.
  printf 'vmapfuzz-trace 1\ngeometry arm64-4k-48\nvariant v4-fixed\nvmap va=0xffff8000401f0000 prot=normal pages=0x100000+512\n' \
    >"$tmp/unreachable.trace"
  sed 's/^variant v4-fixed$/&\nplacement any/' "$tmp/unreachable.trace" >"$tmp/any.trace"
  for prog in "$tool replay" ${replay:+"$replay"}; do
    # shellcheck disable=SC2086
    {
      expect_exit 0 "$prog pass" $prog "$good"
      expect_exit 125 "$prog outside the contract" $prog "$tmp/zero.trace"
      expect_exit 125 "$prog unreachable placement" $prog "$tmp/unreachable.trace"
      grep -q "^UNREACHABLE .*: op 1 (vmap) is unreachable: the area allocator of v4-fixed asks for 0x200000 alignment" \
        "$tmp/out" || fail "$prog unreachable: no UNREACHABLE line: $(head -3 "$tmp/out")"
      expect_exit 0 "$prog placement any" $prog "$tmp/any.trace"
      expect_exit 0 "$prog finding reproduces" $prog "$finding"
      expect_exit 1 "$prog finding with another signature" $prog "$tmp/wrong-expect.trace"
      expect_exit 1 "$prog failing trace" $prog "$tmp/plain-finding.trace"
      expect_exit 1 "$prog failure beats a bad file" $prog "$tmp/plain-finding.trace" "$tmp/empty"
      expect_exit 2 "$prog bad file beats a reject" $prog "$tmp/zero.trace" "$tmp/empty"
      expect_exit 2 "$prog missing file" $prog "$tmp/nonexistent"
    }
  done
  # Under each verdict, one line per implementation and comparison; a failure's details
  # follow. --quiet leaves out a passing file altogether.
  for prog in "$tool replay" ${replay:+"$replay"}; do
    # shellcheck disable=SC2086
    {
      $prog "$good" >"$tmp/out" || fail "$prog pass: exit $?"
      has_line "$prog pass" '^  mainline        PASS$'
      has_line "$prog pass" '^  v4              PASS$'
      has_line "$prog pass" '^  mainline-vs-v4  PASS$'
      $prog --quiet "$good" >"$tmp/out" || fail "$prog --quiet: exit $?"
      ! grep -q '^  ' "$tmp/out" || fail "$prog --quiet: lines for a PASS: $(head -3 "$tmp/out")"
      $prog "$tmp/plain-finding.trace" >"$tmp/out" && fail "$prog failing trace: exit 0"
      has_line "$prog fail" '^FAIL .* translation:v4:vmap:pte:pa-mismatch$'
      has_line "$prog fail" '^  mainline        PASS$'
      has_line "$prog fail" '^  v4              FAIL translation:v4:vmap:pte:pa-mismatch \(op 1\)$'
      has_line "$prog fail" '^  mainline-vs-v4  NOT-RUN: v4 failed at op 1$'
      has_line "$prog fail" '^first divergent VA 0x'
      $prog "$finding" >"$tmp/out" || fail "$prog finding: exit $?"
      has_line "$prog finding" '^REPRODUCED .* translation:v4:vmap:pte:pa-mismatch$'
      has_line "$prog finding" '^  v4              FAIL translation:v4:vmap:pte:pa-mismatch \(op 1\)$'
    }
  done
  "$tool" explain "$tmp/plain-finding.trace" >"$tmp/out" || true
  has_line "explain" '^== implementations$'
  has_line "explain" '^  v4              FAIL translation:v4:vmap:pte:pa-mismatch \(op 1\)$'
  has_line "explain" '^>>  1  vmap '
  expect_exit 125 "explain outside the contract" "$tool" explain "$tmp/zero.trace"
  expect_exit 1 "explain failing trace" "$tool" explain "$tmp/plain-finding.trace"
  expect_exit 1 "minimize of a passing trace" "$tool" minimize "$good"
  expect_exit 125 "minimize outside the contract" "$tool" minimize "$tmp/zero.trace"
  # Directories run every file, as a libFuzzer binary does; README files are not inputs.
  mkdir -p "$tmp/dir/sub"
  cp "$good" "$tmp/dir/a.trace"
  cp "$good" "$tmp/dir/sub/b.trace"
  echo "notes" >"$tmp/dir/README.md"
  for prog in "$tool replay" ${replay:+"$replay"}; do
    # shellcheck disable=SC2086
    expect_exit 0 "$prog DIR" $prog "$tmp/dir"
    grep -q "^2 passed, 0 failed" "$tmp/out" || fail "$prog DIR: $(tail -n 1 "$tmp/out")"
  done
  cp "$tmp/empty" "$tmp/dir/c.trace"
  expect_exit 2 "replay DIR with an empty file" "$tool" replay "$tmp/dir"
  mkdir -p "$tmp/emptydir"
  expect_exit 2 "replay of an empty directory" "$tool" replay "$tmp/emptydir"
  # --help, --version and help COMMAND everywhere.
  for cmd in replay explain minimize convert export kernel-info; do
    expect_exit 0 "$cmd --help" "$tool" "$cmd" --help
    grep -q "^usage: vmapfuzz $cmd" "$tmp/out" || fail "$cmd --help: no usage"
    expect_exit 0 "help $cmd" "$tool" help "$cmd"
    grep -q "^usage: vmapfuzz $cmd" "$tmp/out" || fail "help $cmd: no usage"
    expect_exit 0 "$cmd --version" "$tool" "$cmd" --version
    grep -q "(vmapfuzz) [0-9]" "$tmp/out" || fail "$cmd --version: no version"
  done
  expect_exit 0 "--version" "$tool" --version
  grep -q "^geometries: arm64-4k-48 (default)" "$tmp/out" || fail "--version: no geometries"
  expect_exit 0 "--help" "$tool" --help
  grep -q "^ *0 arm64-4k-48 .*(default)" "$tmp/out" || fail "--help: no geometry list"
  expect_exit 2 "help of an unknown command" "$tool" help frobnicate
  if [ -n "$replay" ]; then
    expect_exit 0 "replay program --version" "$replay" --version
    expect_exit 0 "replay program --help" "$replay" --help
  fi
  echo "contracts: checked"
}

"$check"
[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
