# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of nightly_report.py.

testdata/nightly/<case>/in/ is what ci/nightly leaves in its work folder, args.txt the
arguments it passes, expected/ the reports and summary (written by the report code as it was
inside ci/nightly before it moved here; only "finished" is pinned).

    python3 -m unittest discover -s ci/lib -p 'test_*.py'
"""

import io
import json
import os
import shutil
import sys
import tempfile
import unittest
from contextlib import redirect_stdout
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import nightly_report  # noqa: E402

DATA = os.path.join(HERE, "testdata", "nightly")
FINISHED = "2026-01-02T03:04:05Z"


class InTempDir(unittest.TestCase):
    """Runs each test in a scratch copy of a case's input (the paths in it are relative)."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        cwd = os.getcwd()
        self.addCleanup(os.chdir, cwd)
        os.chdir(self.tmp.name)

    def load(self, case):
        shutil.copytree(os.path.join(DATA, case, "in"), ".", dirs_exist_ok=True)
        with open(os.path.join(DATA, case, "args.txt")) as f:
            return f.read().splitlines()

    def run_report(self, args):
        out = io.StringIO()
        with redirect_stdout(out):
            rc = nightly_report.main(args, now=lambda: FINISHED)
        return rc, out.getvalue()


def expected(case, name):
    with open(os.path.join(DATA, case, "expected", name)) as f:
        return f.read()


class GoldenTest(InTempDir):
    def check(self, case):
        rc, stdout = self.run_report(self.load(case))
        self.assertEqual(stdout, expected(case, "stdout.txt"))
        self.assertEqual(rc, int(expected(case, "rc")))
        for name in ("report.md", "report.json", "buckets.json"):
            with open(os.path.join("out", "nightly", name)) as f:
                self.assertEqual(f.read(), expected(case, name), name)

    def test_buckets_history_and_a_broken_target(self):
        self.check("buckets")

    def test_clean_run_with_update_corpus(self):
        self.check("clean")


class HistoryTest(InTempDir):
    def test_a_second_run_is_not_new_and_adds_up(self):
        args = self.load("buckets")
        self.run_report(args)
        args[1] = "2026-01-03T02:00:00Z"
        rc, stdout = self.run_report(args)
        self.assertEqual(rc, 1)  # ioremap's fuzzer still did not run
        self.assertNotIn("new buckets", stdout)
        with open("out/nightly/buckets.json") as f:
            h = json.load(f)
        self.assertEqual(h["unreproducible:vmap"],
                         {"count": 2, "first_seen": "2026-01-02T02:00:00Z",
                          "last_seen": "2026-01-03T02:00:00Z", "runs": 2, "target": "vmap"})
        self.assertEqual(h["asan:vmap:heap-buffer-overflow:vmapfuzz::engine::TablePool::read"]
                         ["count"], 4)
        self.assertEqual(h["warn:v4:vunmap:pmd:missing-warn"]["runs"], 2)  # untouched
        with open("out/nightly/report.json") as f:
            report = json.load(f)
        self.assertEqual(report["new_buckets"], [])
        self.assertEqual([b["runs_seen"] for b in report["buckets"]], [2, 3, 2])

    def test_known_finding_is_not_new(self):
        rc, stdout = self.run_report(self.load("buckets"))
        self.assertIn("ci/nightly: new buckets: unreproducible:vmap\n", stdout)
        self.assertIn("\nbucket translation:v4:vmap:pte:pa-mismatch:", stdout)


class StorageTest(InTempDir):
    def test_corpus_repository_section(self):
        args = self.load("clean")
        with open("out/nightly/runs/storage.tsv", "w") as f:
            f.write("repo\thttps://***@github.com/OWNER/vmapfuzz-corpus.git\nbranch\tmain\n"
                    "pulled\tyes\npushed\t1a2b3c4\n")
        with open("out/nightly/runs/vmap/stats.tsv", "a") as f:
            f.write("storage_before\t40\nstorage_candidates\t12\nstorage_after\t45\n"
                    "storage_added\t7\nstorage_removed\t2\n"
                    "storage_merge_result\tMERGE-OUTER: 5 new files with 9 new features added\n")
        rc, stdout = self.run_report(args)
        self.assertEqual(rc, int(expected("clean", "rc")))
        self.assertIn("corpus repository https://***@github.com/OWNER/vmapfuzz-corpus.git (main): "
                      "pulled yes, pushed 1a2b3c4\n", stdout)
        with open("out/nightly/report.md") as f:
            md = f.read()
        self.assertIn("## Corpus repository", md)
        self.assertIn("- **vmap**: `corpus/vmap_fuzz/` 40 files (12 not in the committed corpus, "
                      "fuzzed and merged as candidates) -> 45 (7 added, 2 dropped).", md)
        with open("out/nightly/report.json") as f:
            report = json.load(f)
        self.assertEqual(report["storage"]["pushed"], "1a2b3c4")
        self.assertEqual(report["targets"][0]["storage"],
                         {"before": 40, "candidates": 12, "after": 45, "added": 7, "removed": 2,
                          "merge": "MERGE-OUTER: 5 new files with 9 new features added"})

    def test_no_repository_no_section(self):
        self.run_report(self.load("clean"))
        with open("out/nightly/report.json") as f:
            report = json.load(f)
        self.assertNotIn("storage", report)
        self.assertNotIn("storage", report["targets"][0])


class BehaviourTest(InTempDir):
    TABLES = ("354 cases (setup x partial range x op) on 6 geometries.\n\n"
              "| bucket | v4 | v4-fixed |\n|---|---:|---:|\n"
              "| `behaviour:vunmap_range:same` | 216 | 216 |\n")

    def write(self, rc):
        for name, text in (("behaviour.md", self.TABLES), ("behaviour.rc", f"{rc}\n"),
                           ("behaviour.cmd", "build/fuzz-nosan/tools/vmapfuzz behaviour\n")):
            with open(os.path.join("out/nightly/runs", name), "w") as f:
                f.write(text)

    def test_section_with_the_tables(self):
        args = self.load("clean")
        self.write(0)
        rc, _ = self.run_report(args)
        self.assertEqual(rc, int(expected("clean", "rc")))
        with open("out/nightly/report.md") as f:
            md = f.read()
        self.assertIn("## Caller-visible behaviour changes", md)
        self.assertIn("Reproduce: `build/fuzz-nosan/tools/vmapfuzz behaviour`; every case "
                      "replays.", md)
        self.assertIn("| `behaviour:vunmap_range:same` | 216 | 216 |\n", md)
        with open("out/nightly/report.json") as f:
            report = json.load(f)
        self.assertEqual(report["behaviour"]["exit"], 0)
        self.assertEqual(report["behaviour"]["tables"], self.TABLES)

    def test_a_case_failing_replay_fails_the_night(self):
        args = self.load("clean")
        self.write(1)
        rc, stdout = self.run_report(args)
        self.assertEqual(rc, 1)
        self.assertIn("ci/nightly: vmapfuzz behaviour exited 1: a case failed replay", stdout)

    def test_not_run_no_section(self):
        self.run_report(self.load("clean"))
        with open("out/nightly/report.md") as f:
            self.assertNotIn("behaviour", f.read())


class PartsTest(InTempDir):
    def test_semantic(self):
        with open("s.txt", "w") as f:
            f.write("ignored line\nsemantic coverage over 3 traces\n== arm64-4k-48 v4\n"
                    "  leaf vmap pte        12\n  warn vunmap:nonexistent-area   2\n"
                    "== arm64-16k-47 mainline\n  op vmap   1\n")
        self.assertEqual(nightly_report.semantic("s.txt"), {
            "traces": 3,
            "hits": {"arm64-4k-48 v4": {"leaf vmap pte": 12, "warn vunmap:nonexistent-area": 2},
                     "arm64-16k-47 mainline": {"op vmap": 1}}})
        self.assertEqual(nightly_report.semantic("missing.txt"), {"traces": None, "hits": {}})

    def test_stats_and_numbers(self):
        with open("stats.tsv", "w") as f:
            f.write("runs\t12\nruns\t15\nmerge_result\t\ncmd\ta\tb\n")
        self.assertEqual(nightly_report.read_stats("stats.tsv"),
                         {"runs": "15", "merge_result": "", "cmd": "a\tb"})
        self.assertEqual(nightly_report.num("15"), 15)
        self.assertIsNone(nightly_report.num(""))
        self.assertIsNone(nightly_report.num(None))
        self.assertIsNone(nightly_report.num("-3"))

    def test_lines(self):
        with open("l.txt", "w") as f:
            f.write("a\n\n  b \n")
        self.assertEqual(nightly_report.lines("l.txt"), ["a", "b"])
        self.assertEqual(nightly_report.lines("none.txt"), [])

    def test_usage(self):
        err = io.StringIO()
        with mock.patch("sys.stderr", err):
            self.assertEqual(nightly_report.main(["out"]), 2)
        self.assertIn("nightly_report.py OUT STARTED", err.getvalue())


if __name__ == "__main__":
    unittest.main()
