# SPDX-License-Identifier: GPL-2.0-only
"""Tests of ktap_summary.py on small recorded-style KTAP logs."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ktap_summary  # noqa: E402

LOG = """\
[    0.1] Booting Linux
KTAP version 1
1..2
    KTAP version 1
    # Subtest: vmapfuzz_ioremap_seeds
    # module: vmapfuzz_ioremap_seeds
    1..6
    ok 1 vmapfuzz_ioremap_seeds_a
[    0.5] ------------[ cut here ]------------
    ok 2 vmapfuzz_ioremap_seeds_b # SKIP the trace is for arm64-16k-48, PAGE_SHIFT 14
    ok 3 vmapfuzz_ioremap_seeds_c # SKIP the trace is for arm64-16k-48, PAGE_SHIFT 14
    not ok 4 vmapfuzz_ioremap_seeds_d
    ok 5 vmapfuzz_ioremap_seeds_e # SKIP op 2: fault injection is not generated
    ok 6 vmapfuzz_ioremap_seeds_f # SKIP op 13: fault injection is not generated
# vmapfuzz_ioremap_seeds: pass:1 fail:1 skip:2 total:4
not ok 1 vmapfuzz_ioremap_seeds
    KTAP version 1
    # Subtest: example
    1..1
    not ok 1 example_fails
not ok 2 example
"""


def summary(text):
    return ktap_summary.summarize("um", ktap_summary.parse(text.splitlines(), "vmapfuzz_"))


class KtapSummaryTest(unittest.TestCase):
    def test_counts_cases_and_skip_reasons(self):
        lines, good = summary(LOG)
        self.assertFalse(good)
        self.assertEqual(lines[0], "um: 6 run, 1 passed, 1 failed, 4 skipped (1 suites)")
        self.assertIn("um: FAIL vmapfuzz_ioremap_seeds_d", lines)
        self.assertIn("um: skip    2x the trace is for arm64-16k-48, PAGE_SHIFT 14", lines)
        self.assertIn("um: skip    2x op N: fault injection is not generated", lines)

    def test_other_suites_are_not_counted(self):
        lines, _ = summary(LOG)
        self.assertFalse(any("example" in line for line in lines))

    def test_all_passed_is_good(self):
        text = LOG.replace("not ok 4 vmapfuzz_ioremap_seeds_d", "ok 4 vmapfuzz_ioremap_seeds_d")
        text = text.replace("not ok 1 vmapfuzz_ioremap_seeds", "ok 1 vmapfuzz_ioremap_seeds")
        lines, good = summary(text)
        self.assertTrue(good, lines)
        self.assertEqual(lines[0], "um: 6 run, 2 passed, 0 failed, 4 skipped (1 suites)")

    def test_a_suite_cut_short_fails(self):
        text = LOG.split("    not ok 4")[0]
        lines, good = summary(text)
        self.assertFalse(good)
        self.assertTrue(any("ended early: 3 of 6" in line for line in lines), lines)

    def test_no_suite_fails(self):
        lines, good = summary("[    0.1] Kernel panic - not syncing\n")
        self.assertFalse(good)
        self.assertIn("no vmapfuzz suite ran", lines[1])

    def test_unreadable_log_exits_2(self):
        self.assertEqual(ktap_summary.main(["--arch", "um", "/nonexistent/log"]), 2)


if __name__ == "__main__":
    unittest.main()
