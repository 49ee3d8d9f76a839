#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Counts of a KUnit run's KTAP output, for ci/kunit.

ktap_summary.py --arch NAME LOG
  Reads the console log of a kunit.py run (--raw_output=all: KTAP lines among
  kernel messages) and prints, for the architecture NAME:
    NAME: N run, N passed, N failed, N skipped (N suites)
  then each failed case, then each skip reason with how many cases gave it.
  Exit status: 0 when every case passed or skipped; 1 when a case failed, a
  suite ended early (its plan names more cases than reported: the kernel
  crashed or hung) or no suite ran at all; 2 when LOG cannot be read.

Only the cases of suites whose name starts with --prefix (default
"vmapfuzz_") are counted; kunit.py's own example suites are not.
"""
import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field

# "ok 3 name # SKIP reason" / "not ok 3 name", at any indentation, after any
# console prefix (a timestamp, "[  1.2] ").
RESULT = re.compile(r"(?:^|\s)(not ok|ok) (\d+) (\S+)(?:\s+#\s*(SKIP|TODO)\b\s*(.*))?\s*$")
SUBTEST = re.compile(r"#\s*Subtest:\s*(\S+)")
OP_NUMBER = re.compile(r"\bop \d+\b")
PLAN = re.compile(r"(?:^|\s)1\.\.(\d+)\s*$")


@dataclass
class Suite:
    name: str
    planned: int = -1
    passed: int = 0
    failed: list = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    ended: bool = False

    @property
    def reported(self):
        return self.passed + len(self.failed) + sum(self.skipped.values())


def parse(lines, prefix):
    """The vmapfuzz suites of a log, in order."""
    suites = []
    current = None
    for raw in lines:
        line = raw.rstrip("\n")
        m = SUBTEST.search(line)
        if m:
            current = Suite(m.group(1)) if m.group(1).startswith(prefix) else None
            if current:
                suites.append(current)
            continue
        if current is None:
            continue
        m = PLAN.search(line)
        if m and current.planned < 0:
            current.planned = int(m.group(1))
            continue
        m = RESULT.search(line)
        if not m:
            continue
        status, _, name, directive, reason = m.groups()
        if name == current.name:
            # The suite's own result line: it is over.
            current.ended = True
            current = None
        elif directive == "SKIP":
            # Counted by reason; which op of the trace it names does not matter here.
            why = OP_NUMBER.sub("op N", reason.strip()) or "(no reason given)"
            current.skipped[why] += 1
        elif status == "ok":
            current.passed += 1
        else:
            current.failed.append(name)
    return suites


def summarize(arch, suites):
    """The report lines and whether the run is good."""
    good = bool(suites)
    passed = sum(s.passed for s in suites)
    failed = [f for s in suites for f in s.failed]
    skipped = Counter()
    for s in suites:
        skipped.update(s.skipped)
    run = passed + len(failed) + sum(skipped.values())
    out = [f"{arch}: {run} run, {passed} passed, {len(failed)} failed, "
           f"{sum(skipped.values())} skipped ({len(suites)} suites)"]
    if not suites:
        out.append(f"{arch}: no vmapfuzz suite ran (the kernel did not boot, or the "
                   "suites were not built in)")
    for s in suites:
        if not s.ended or (s.planned >= 0 and s.reported < s.planned):
            good = False
            out.append(f"{arch}: suite {s.name} ended early: {s.reported} of "
                       f"{s.planned if s.planned >= 0 else '?'} cases reported "
                       "(a crash, an oops or a hang; see the log)")
    for f in failed:
        out.append(f"{arch}: FAIL {f}")
    if failed:
        good = False
    for reason, n in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(f"{arch}: skip {n:4d}x {reason}")
    return out, good


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", required=True)
    ap.add_argument("--prefix", default="vmapfuzz_")
    ap.add_argument("log")
    args = ap.parse_args(argv)
    try:
        with open(args.log, encoding="utf-8", errors="replace") as f:
            suites = parse(f, args.prefix)
    except OSError as e:
        print(f"ktap_summary.py: {e}", file=sys.stderr)
        return 2
    lines, good = summarize(args.arch, suites)
    print("\n".join(lines))
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
