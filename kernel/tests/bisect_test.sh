#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# kernel.bisect: `git bisect run vmapfuzz replay --kernel-tree . TRACE` names the commit that
# brought a bug in, skipping a commit whose core unit does not build (exit 125), and the same
# with --term-old=broken --term-new=fixed names the commit that fixed it.
#
# The history is made of the fixture trees (kernel/CMakeLists.txt; our own code):
#   A  good                  the good fixture tree
#   B  good                  an unrelated comment appended to mm/vmalloc.c
#   C  cannot be judged      the nocore tree: its core unit does not compile
#   C2 good                  the good tree again (so that D's parent can be judged)
#   D  faulty                the faulty tree: vmap_try_huge_pmd without the PA check
#   E  faulty                an unrelated comment appended to mm/vmalloc.c
#   F  good                  the good tree: fixed
# The trace is kernel/tests/pmd-block-needs-aligned-pa.trace: the engine passes it, the faulty
# tree fails it (bug:kernel:ioremap:...), the good tree passes it.
#
# The repository lives in SCRATCH (in the build tree, recreated on every run), so that the
# build kernel/build-tree keeps for that path (build/gcc-kernel-<hash>/) is reused: each step
# then only recompiles the slices and relinks. Git runs without the user's or the system's
# configuration; the identity is set in the scratch repository only.
# usage: bisect_test.sh REPO VMAPFUZZ GOOD_TREE FAULTY_TREE NOCORE_TREE SCRATCH
set -euo pipefail
repo=$1 tool=$2 good=$3 faulty=$4 nocore=$5 scratch=$6
if ! command -v git >/dev/null; then
  echo "kernel.bisect: git is not installed; skipped"
  exit 77
fi
for d in "$good" "$faulty" "$nocore"; do
  [ -f "$d/mm/vmalloc.c" ] || { echo "kernel.bisect: no fixture tree at $d" >&2; exit 1; }
done
mkdir -p "$scratch"
repo=$(realpath "$repo") tool=$(realpath "$tool") good=$(realpath "$good")
faulty=$(realpath "$faulty") nocore=$(realpath "$nocore") scratch=$(realpath "$scratch")
trace=$repo/kernel/tests/pmd-block-needs-aligned-pa.trace
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_TERMINAL_PROMPT=0
unset VMAPFUZZ_KERNEL_REEXEC GIT_DIR GIT_WORK_TREE
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

tree=$scratch/linux
rm -rf "$tree"
mkdir -p "$tree"
cd "$tree"
git init -q -b main
git config user.name "vmapfuzz kernel.bisect"
git config user.email "kernel.bisect@vmapfuzz.invalid"
git config commit.gpgsign false
declare -A sha
commit() {  # commit NAME MESSAGE: everything in the tree
  git add -A
  git commit -q -m "$2"
  sha[$1]=$(git rev-parse HEAD)
}
vmalloc_from() { cp "$1/mm/vmalloc.c" mm/vmalloc.c; }

cp -r "$good/." .
commit A "A: the good tree"
echo "/* B: an unrelated change */" >>mm/vmalloc.c
commit B "B: an unrelated comment"
vmalloc_from "$nocore"
commit C "C: the core unit does not compile"
vmalloc_from "$good"
commit C2 "C2: the core unit builds again"
vmalloc_from "$faulty"
commit D "D: vmap_try_huge_pmd without the PA alignment check (the bug)"
echo "/* E: an unrelated change */" >>mm/vmalloc.c
commit E "E: an unrelated comment"
vmalloc_from "$good"
commit F "F: the PA alignment check is back (the fix)"

replay() { "$tool" replay --kernel-tree . "$trace" >"$scratch/out" 2>&1; }

# The verdicts bisect relies on: C cannot be judged, D fails, F passes.
for step in C:125 D:1 F:0; do
  name=${step%%:*} want=${step#*:}
  git checkout -q "${sha[$name]}"
  rc=0
  replay || rc=$?
  [ "$rc" = "$want" ] || fail "replay at $name: exit $rc, expected $want: $(tail -n 5 "$scratch/out")"
done
git checkout -q "${sha[F]}"

# first_commit LOG TERM: the commit `git bisect run` named as the first TERM one.
first_commit() { sed -n "s/^\([0-9a-f]\{40\}\) is the first $2 commit$/\1/p" "$1"; }
name_of() {
  local n
  for n in "${!sha[@]}"; do [ "${sha[$n]}" = "$1" ] && echo "$n"; done
}

# The bug: bad E, good A.
git bisect start "${sha[E]}" "${sha[A]}" >/dev/null
git bisect run "$tool" replay --kernel-tree . "$trace" >"$scratch/bisect-bug.log" 2>&1 || true
got=$(first_commit "$scratch/bisect-bug.log" bad)
[ "$got" = "${sha[D]}" ] ||
  fail "bisecting the bug named '$(name_of "$got")' ($got), expected D: $(tail -n 12 "$scratch/bisect-bug.log")"
git bisect log >"$scratch/bisect-bug.steps"
git bisect reset >/dev/null 2>&1

# The fix: fixed F, broken D. The replay's status is inverted (a failure is the old, broken
# state, a pass the new, fixed one; 125 still skips), as kernel/README.md shows.
git bisect start --term-old=broken --term-new=fixed "${sha[F]}" "${sha[D]}" >/dev/null
# shellcheck disable=SC2016  # expanded by that sh, with $0 and $1 the two arguments after it
git bisect run sh -c '"$0" replay --kernel-tree . "$1"; case $? in 0) exit 1;; 1) exit 0;; 125) exit 125;; *) exit 128;; esac' \
  "$tool" "$trace" >"$scratch/bisect-fix.log" 2>&1 || true
got=$(first_commit "$scratch/bisect-fix.log" fixed)
[ "$got" = "${sha[F]}" ] ||
  fail "bisecting the fix named '$(name_of "$got")' ($got), expected F: $(tail -n 12 "$scratch/bisect-fix.log")"
git bisect reset >/dev/null 2>&1

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed; logs in $scratch"; exit 1; }
echo "kernel.bisect: ok (bug: D $(git rev-parse --short "${sha[D]}"), fix: F $(git rev-parse --short "${sha[F]}"); steps: $(grep -c '^git bisect \(good\|bad\|skip\)' "$scratch/bisect-bug.steps") for the bug)"
