# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of triage.py: the parser on replay outputs written to look like the real
ones, and the runner on small stand-in replay programs.

    python3 -m unittest discover -s ci/lib -p 'test_*.py'
"""

import io
import os
import stat
import sys
import tempfile
import textwrap
import unittest
from contextlib import redirect_stderr, redirect_stdout
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import triage  # noqa: E402

ART = "out/runs/vmap/artifacts/crash-3f2a9c0e1d4b5a6978c8d7e6f5a4b3c2d1e0f9a8"

HARNESS_FAIL = f"""\
FAIL {ART} translation:v4:vmap:pte:pa-mismatch
vmapfuzz: FAIL translation:v4:vmap:pte:pa-mismatch
op 1: vmap va=0xffff800000010000 prot=normal pages=0x100000+256,0x110000+256
first divergent VA 0xffff800000210000
  expected: [0xffff800000210000,0xffff800000310000) -> 0x120000000 pte CONT RW NX
  actual:   [0xffff800000110000,0xffff800000300000) -> 0x110000000 pte CONT RW NX
--- trace ---
vmapfuzz-trace 1
geometry arm64-4k-48
variant v4
vmap va=0xffff800000010000 prot=normal pages=0x100000+256,0x110000+256
--- end ---
0 passed, 1 failed
"""

# vmapfuzz replay with the new output contract: info lines after the verdict.
TOOL_FAIL = f"""\
FAIL {ART} ret:mainline-vs-v4:ioremap:pmd:rc-differs
  input: fuzzer bytes, target vmap
  note: the kernel implementation stopped at op 3 (vmalloc is not built from this tree)
op 2: ioremap va=0xffff800000200000 size=0x200000 pa=0x40000000 prot=device
  expected: rc 0
  actual:   rc -12
0 passed, 1 failed
"""

ASAN_HBO = """\
INFO: Seed: 1234
=================================================================
==41234==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x619000000a80 at pc \
0x55a1c2d3e4f5 bp 0x7ffc1a2b3c40 sp 0x7ffc1a2b3c38
READ of size 8 at 0x619000000a80 thread T0
    #0 0x55a1c2d3e4f4 in __asan_memcpy (/src/vmapfuzz/build/fuzz/fuzz/vmap_replay+0x1a2b3c) \
(BuildId: 5d3c1e0a9b8f7e6d5c4b3a291807f6e5d4c3b2a1)
    #1 0x55a1c2d40123 in vmapfuzz::engine::TablePool::read(unsigned long, unsigned int) \
const /src/vmapfuzz/engine/table_pool.cc:57:10
    #2 0x55a1c2d41234 in vmapfuzz::engine::vmap_pte_range(vmapfuzz::engine::Kernel&, \
unsigned long, unsigned long) /src/vmapfuzz/engine/vmap_range.cc:142:9
    #3 0x55a1c2d42345 in vmapfuzz::harness::Runner::run(vmapfuzz::harness::Trace const&) \
/src/vmapfuzz/harness/runner.cc:210:5
    #4 0x55a1c2d43456 in main /src/vmapfuzz/fuzz/replay_main.cc:80:20
    #5 0x7f0a1b2c3d49 in __libc_start_call_main csu/../sysdeps/nptl/libc_start_call_main.h:58:16

0x619000000a80 is located 0 bytes to the right of 1024-byte region [0x619000000680,0x619000000a80)
allocated by thread T0 here:
    #0 0x55a1c2d3f000 in operator new(unsigned long) (/src/vmapfuzz/build/fuzz/fuzz/vmap_replay+0x1c0000)
    #1 0x55a1c2d44567 in vmapfuzz::engine::TablePool::grow() /src/vmapfuzz/engine/table_pool.cc:31:18

SUMMARY: AddressSanitizer: heap-buffer-overflow /src/vmapfuzz/engine/table_pool.cc:57:10 in \
vmapfuzz::engine::TablePool::read(unsigned long, unsigned int) const
Shadow bytes around the buggy address:
==41234==ABORTING
"""

ASAN_SEGV = """\
AddressSanitizer:DEADLYSIGNAL
=================================================================
==777==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000010 (pc 0x5600 bp 0x7ff0 \
sp 0x7fe8 T0)
==777==The signal is caused by a READ memory access.
    #0 0x5600aa in (anonymous namespace)::walk_level(unsigned long*, int) \
/src/vmapfuzz/reference/walker.cc:88:14
    #1 0x5600bb in vmapfuzz::reference::RefKernel::lookup(unsigned long) \
/src/vmapfuzz/reference/model.cc:301:3

AddressSanitizer can not provide additional info.
SUMMARY: AddressSanitizer: SEGV /src/vmapfuzz/reference/walker.cc:88:14 in walk_level
==777==ABORTING
"""

UBSAN = """\
/src/vmapfuzz/engine/pgtable.cc:112:31: runtime error: shift exponent 64 is too large for \
64-bit type 'unsigned long'
    #0 0x55d1 in vmapfuzz::engine::pte_index(unsigned long, int) /src/vmapfuzz/engine/pgtable.cc:112:31
SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior /src/vmapfuzz/engine/pgtable.cc:112:31 in
"""

LEAK = f"""\
PASS {ART}
1 passed, 0 failed

=================================================================
==5150==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 4096 byte(s) in 1 object(s) allocated from:
    #0 0x4a1b2c in operator new(unsigned long) (/src/vmapfuzz/build/fuzz/fuzz/vmap_replay+0x4a1b2c)
    #1 0x4c3d4e in vmapfuzz::engine::PageAlloc::table() /src/vmapfuzz/engine/page_alloc.cc:40:12

SUMMARY: AddressSanitizer: 4096 byte(s) leaked in 1 allocation(s).
"""

REJECT_OLD = f"REJECT {ART}: vmap of 70000 pages over the fuzzing budget\n0 passed, 1 failed\n"
REJECT_NEW = f"REJECT {ART}: outside the harness contract: pages overlap a live area\n" \
             "  input: fuzzer bytes, target vmap\n"
ERROR_OLD = f"ERROR {ART}: cannot open\n0 passed, 1 failed\n"
ERROR_NEW = f"ERROR {ART}: cannot open\n"
PASS = f"PASS {ART}\n  input: fuzzer bytes, target vmap\n1 passed, 0 failed\n"
USAGE = """\
unknown option '--bytes'
usage: build/fuzz/fuzz/vmap_replay [--variant NAME] [--quiet] [--coverage] FILE...
Runs each file (a text trace or fuzzer bytes) and prints PASS, FAIL <signature>,
REJECT <reason> or ERROR <reason>. Exit status 0 only if every file passes.
"""


class ClassifyTest(unittest.TestCase):
    def test_harness_fail(self):
        self.assertEqual(triage.classify(HARNESS_FAIL, 1, "vmap", ART),
                         "translation:v4:vmap:pte:pa-mismatch")

    def test_harness_fail_without_the_file_name(self):
        self.assertEqual(triage.classify(HARNESS_FAIL, 1, "vmap"),
                         "translation:v4:vmap:pte:pa-mismatch")

    def test_harness_fail_with_info_lines(self):
        self.assertEqual(triage.classify(TOOL_FAIL, 1, "vmap", ART),
                         "ret:mainline-vs-v4:ioremap:pmd:rc-differs")

    def test_fuzz_program_report(self):
        # What a <target>_fuzz program prints before abort(), then libFuzzer's deadly signal.
        out = ("vmapfuzz: FAIL structure:v4-fixed:ioremap:pte:malformed-cont\n"
               "op 1: ioremap va=0xffff800000000000 size=0x10000 pa=0x0 prot=device\n"
               "--- trace ---\nvmapfuzz-trace 1\n--- end ---\n"
               "==12== ERROR: libFuzzer: deadly signal\n")
        self.assertEqual(triage.classify(out, -6, "ioremap"),
                         "structure:v4-fixed:ioremap:pte:malformed-cont")

    def test_file_name_with_spaces(self):
        out = "FAIL my dir/crash-1 warn:v4:vunmap:pmd:missing-warn\n"
        self.assertEqual(triage.classify(out, 1, "vmap", "my dir/crash-1"),
                         "warn:v4:vunmap:pmd:missing-warn")
        self.assertEqual(triage.classify(out, 1, "vmap"), "warn:v4:vunmap:pmd:missing-warn")

    def test_the_harness_signature_wins_over_the_exit_code(self):
        self.assertEqual(triage.classify(HARNESS_FAIL, 124, "vmap", ART),
                         "translation:v4:vmap:pte:pa-mismatch")

    def test_reproduced_and_not_reproduced(self):
        sig = "translation:v4:vmap:pte:pa-mismatch"
        self.assertEqual(triage.classify(f"REPRODUCED f.trace {sig}\n", 0, "vmap"), sig)
        self.assertEqual(triage.classify(
            "NOT-REPRODUCED f.trace: expected x:v4:vmap:pte:y, got " + sig + "\n", 1, "vmap"), sig)
        self.assertIsNone(triage.classify(
            "NOT-REPRODUCED f.trace: expected " + sig + ", got PASS\n", 1, "vmap"))

    def test_asan_heap_buffer_overflow(self):
        self.assertEqual(triage.classify(ASAN_HBO, 1, "vmap", ART),
                         "asan:vmap:heap-buffer-overflow:vmapfuzz::engine::TablePool::read")

    def test_asan_segv_in_an_anonymous_namespace(self):
        self.assertEqual(triage.classify(ASAN_SEGV, 1, "ioremap"),
                         "asan:ioremap:SEGV:anon::walk_level")

    def test_asan_frame_from_the_first_stack_only(self):
        out = ASAN_HBO.replace("/src/vmapfuzz/engine/", "/usr/include/c++/12/") \
                      .replace("/src/vmapfuzz/harness/", "/usr/include/c++/12/") \
                      .replace("/src/vmapfuzz/fuzz/replay_main.cc", "/usr/include/x.h")
        # No frame of ours in the first stack: its first frame that is not ASan's own.
        self.assertEqual(triage.asan_frame(out), "vmapfuzz::engine::TablePool::read")

    def test_split_frame(self):
        self.assertEqual(triage._split_frame(
            "_start (/b/vmap_replay+0x21300) (BuildId: eb77e6726aacd6b1f80f6e46597f6b46abb271b1)"),
            ("_start", None))
        self.assertEqual(triage._split_frame("f(int) const /s/engine/a.cc:5:39"),
                         ("f(int) const", "/s/engine/a.cc"))
        self.assertEqual(triage._function_name("std::vector<int, std::allocator<int> >::at("
                                               "unsigned long) const"),
                         "std::vector<int,std::allocator<int>>::at")
        self.assertEqual(triage._function_name("vmapfuzz::Foo::operator()(int)"),
                         "vmapfuzz::Foo::operator__")
        self.assertEqual(triage._function_name("bool vmapfuzz::operator<(A const&, A const&)"),
                         "vmapfuzz::operator<")
        self.assertEqual(triage._function_name("void vmapfuzz::engine::walk<4, true>(Table&)"),
                         "vmapfuzz::engine::walk<4,true>")

    def test_asan_frame_without_symbols(self):
        out = ("==1==ERROR: AddressSanitizer: stack-overflow on address 0x7ffd\n"
               "    #0 0x55 in __asan_memset (/b/vmap_replay+0x10)\n"
               "    #1 0x56  (/b/vmap_replay+0x20)\n")
        self.assertEqual(triage.classify(out, 1, "vmap"), "asan:vmap:stack-overflow:unknown")

    def test_asan_out_of_memory_is_oom(self):
        out = ("==9==ERROR: AddressSanitizer: requested allocation size 0x10000000000 "
               "(0x10000001000 after adjustments for alignment, red zones etc.) exceeds maximum "
               "supported size of 0x10000000000 (thread T0)\n")
        self.assertEqual(triage.classify(out, 1, "vmalloc"), "oom:vmalloc")
        out = "==9==ERROR: AddressSanitizer: out of memory: allocator is trying to allocate 0x1\n"
        self.assertEqual(triage.classify(out, 1, "vmalloc"), "oom:vmalloc")
        out = ("terminate called after throwing an instance of 'std::bad_alloc'\n"
               "  what():  std::bad_alloc\n")
        self.assertEqual(triage.classify(out, 134, "vmalloc"), "oom:vmalloc")

    def test_ubsan(self):
        self.assertEqual(triage.classify(UBSAN, 1, "mixed"), "ubsan:mixed:pgtable.cc:112")

    def test_ubsan_without_location(self):
        out = "(/b/vmap_replay+0x4f2a1): runtime error: signed integer overflow\n"
        self.assertEqual(triage.classify(out, 1, "vmap"), "ubsan:vmap:unknown")

    def test_leak_after_a_pass(self):
        self.assertEqual(triage.classify(LEAK, 1, "vmap", ART), "leak:vmap")

    def test_reject_old_and_new_exit_codes(self):
        self.assertIsNone(triage.classify(REJECT_OLD, 1, "vmap", ART))
        self.assertIsNone(triage.classify(REJECT_NEW, 125, "vmap", ART))
        self.assertIsNone(triage.classify("", 125, "vmap", ART))

    def test_error_old_and_new_exit_codes(self):
        self.assertIsNone(triage.classify(ERROR_OLD, 1, "vmap", ART))
        self.assertIsNone(triage.classify(ERROR_NEW, 2, "vmap", ART))

    def test_pass(self):
        self.assertIsNone(triage.classify(PASS, 0, "vmap", ART))

    def test_timeout(self):
        self.assertEqual(triage.classify(f"PASS {ART}\n", 124, "vmap", ART), "timeout:vmap")
        self.assertEqual(triage.classify("", 124, "vmap"), "timeout:vmap")
        self.assertEqual(triage.classify("==3== ERROR: libFuzzer: timeout after 25 seconds\n",
                                         70, "vmap"), "timeout:vmap")

    def test_crash_exit_codes(self):
        self.assertEqual(triage.classify("", 134, "vmap"), "crash:vmap:exit-134")
        self.assertEqual(triage.classify("", -11, "vmap"), "crash:vmap:exit-139")
        self.assertEqual(triage.classify(f"PASS {ART}\n", 134, "vmap"), "crash:vmap:exit-134")
        self.assertEqual(triage.classify("Segmentation fault\n", 139, "vmap"),
                         "crash:vmap:exit-139")
        self.assertEqual(triage.classify(REJECT_OLD, 134, "vmap"), "crash:vmap:exit-134")

    def test_indented_and_summary_lines_are_not_verdicts(self):
        out = "  FAIL x y\n  PASS x\n0 passed, 1 failed\nFAILED x y\n"
        self.assertEqual(triage.verdicts(out), [])
        self.assertIsNone(triage.harness_signature(out))


class BucketTest(unittest.TestCase):
    def test_fallback_by_artifact_kind(self):
        self.assertEqual(triage.bucket_of(PASS, 0, "vmap", "crash"), "unreproducible:vmap")
        self.assertEqual(triage.bucket_of(PASS, 0, "vmap", "leak"), "leak:vmap")
        self.assertEqual(triage.bucket_of(PASS, 0, "vmap", "timeout"), "timeout:vmap")
        self.assertEqual(triage.bucket_of(PASS, 0, "vmap", "oom"), "oom:vmap")
        self.assertEqual(triage.bucket_of(REJECT_NEW, 125, "vmap", "crash"), "unreproducible:vmap")
        self.assertEqual(triage.bucket_of(HARNESS_FAIL, 1, "vmap", "timeout"),
                         "translation:v4:vmap:pte:pa-mismatch")

    def test_artifact_kind(self):
        self.assertEqual(triage.artifact_kind(ART), "crash")
        self.assertEqual(triage.artifact_kind("a/leak-0123"), "leak")
        self.assertEqual(triage.artifact_kind("timeout-0123"), "timeout")
        self.assertEqual(triage.artifact_kind("oom-0123"), "oom")
        self.assertEqual(triage.artifact_kind("slow-unit-0123"), "slow-unit")
        self.assertEqual(triage.artifact_kind("id:000000,sig:06,src:000012,op:havoc"), "crash")
        self.assertEqual(triage.artifact_kind("repro-0a1b2c3d"), "crash")

    def test_usage_error(self):
        self.assertTrue(triage.is_usage_error(USAGE, 2, ART))
        self.assertIsNone(triage.classify(ERROR_NEW, 2, "vmap", ART))
        self.assertFalse(triage.is_usage_error(ERROR_NEW, 2))
        self.assertFalse(triage.is_usage_error(USAGE, 1))


class CommandTest(unittest.TestCase):
    def test_replay_program(self):
        r = triage.Replay("build/fuzz/fuzz/vmap_replay", "vmap")
        self.assertEqual(r.command("a/crash-1", "v4"),
                         ["build/fuzz/fuzz/vmap_replay", "--variant", "v4", "--bytes", "a/crash-1"])
        self.assertEqual(r.command("a/crash-1"),
                         ["build/fuzz/fuzz/vmap_replay", "--bytes", "a/crash-1"])

    def test_tool(self):
        r = triage.Replay("build/fuzz/tools/vmapfuzz", "ioremap", tool=True)
        self.assertEqual(r.command("x", "v4-fixed"),
                         ["build/fuzz/tools/vmapfuzz", "replay", "--target", "ioremap",
                          "--variant", "v4-fixed", "--bytes", "x"])

    def test_bytes_flag_switch(self):
        r = triage.Replay("vmap_replay", "vmap")
        with mock.patch.object(triage, "BYTES_FLAG", ["--bytes"]):
            self.assertEqual(r.command("repro-1a2b"), ["vmap_replay", "--bytes", "repro-1a2b"])
            self.assertEqual(r.command("repro.min.trace"), ["vmap_replay", "repro.min.trace"])
            self.assertEqual(r.command("x.trace", is_bytes=True),
                             ["vmap_replay", "--bytes", "x.trace"])
            self.assertEqual(r.command("x", is_bytes=False), ["vmap_replay", "x"])


def fake_replay(directory, body):
    """A stand-in replay program: a Python script with the given body."""
    path = os.path.join(directory, "vmap_replay")
    with open(path, "w") as f:
        f.write(f"#!{sys.executable}\nimport os, sys, time\n" + textwrap.dedent(body))
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return triage.Replay(path, "vmap")


class RunTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.file = os.path.join(self.tmp.name, "crash-0a1b")
        open(self.file, "wb").close()

    def test_harness_failure_on_stdout(self):
        r = fake_replay(self.tmp.name, """\
            print("FAIL " + sys.argv[-1] + " flush:v4:vunmap:pte:missing-flush")
            print("  input: fuzzer bytes, target vmap")
            sys.exit(1)
            """)
        self.assertEqual(triage.replay_once(r, self.file, "v4", 10),
                         "flush:v4:vunmap:pte:missing-flush")

    def test_variant_reaches_the_program(self):
        r = fake_replay(self.tmp.name, """\
            assert sys.argv[1:3] == ["--variant", "mainline"], sys.argv
            print("PASS " + sys.argv[-1])
            """)
        self.assertIsNone(triage.replay_once(r, self.file, "mainline", 10))

    def test_sanitizer_report_on_stderr_and_signal(self):
        r = fake_replay(self.tmp.name, """\
            sys.stderr.write("==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\\n"
                             "    #0 0x1 in vmapfuzz::harness::Oracle::check() /s/harness/oracle.cc:9:1\\n")
            sys.stderr.flush()
            os.abort()
            """)
        self.assertEqual(triage.replay_once(r, self.file, None, 10),
                         "asan:vmap:heap-use-after-free:vmapfuzz::harness::Oracle::check")

    def test_timeout(self):
        r = fake_replay(self.tmp.name, "time.sleep(30)\n")
        self.assertEqual(triage.replay_once(r, self.file, None, 0.5), "timeout:vmap")

    def test_usage_error_is_not_a_bucket(self):
        r = fake_replay(self.tmp.name, """\
            sys.stderr.write("unknown option '--bytes'\\nusage: vmap_replay FILE...\\n"
                             "REJECT <reason> or ERROR <reason>. Exit status 0 only if...\\n")
            sys.exit(2)
            """)
        with self.assertRaisesRegex(triage.TriageError, "reproduce: .*vmap_replay"):
            triage.replay_once(r, self.file, None, 10)

    def test_error_verdict_warns(self):
        r = fake_replay(self.tmp.name, """\
            print("ERROR " + sys.argv[-1] + ": cannot open")
            sys.exit(2)
            """)
        err = io.StringIO()
        with redirect_stderr(err):
            self.assertIsNone(triage.replay_once(r, self.file, None, 10))
        self.assertIn("could not load the input", err.getvalue())
        self.assertIn("reproduce: ", err.getvalue())

    def test_reliability_counts_matching_replays(self):
        counter = os.path.join(self.tmp.name, "n")
        r = fake_replay(self.tmp.name, f"""\
            n = int(open({counter!r}).read()) if os.path.exists({counter!r}) else 0
            open({counter!r}, "w").write(str(n + 1))
            if n % 2:
                print("PASS " + sys.argv[-1])
                sys.exit(0)
            print("FAIL " + sys.argv[-1] + " tables:v4:vmap:pmd:leaked-table")
            sys.exit(1)
            """)
        self.assertEqual(triage.reliability(r, self.file, None, 10, 5,
                                            "tables:v4:vmap:pmd:leaked-table"), (3, 5))


class CliTest(unittest.TestCase):
    def run_main(self, argv, stdin=""):
        out = io.StringIO()
        with redirect_stdout(out), mock.patch("sys.stdin", io.StringIO(stdin)):
            rc = triage.main(argv)
        return rc, out.getvalue()

    def test_parse(self):
        self.assertEqual(self.run_main(["parse", "--target", "vmap", "--rc", "1"], UBSAN),
                         (0, "ubsan:vmap:pgtable.cc:112\n"))
        self.assertEqual(self.run_main(["parse", "--target", "vmap", "--rc", "0", "--kind",
                                        "timeout"], PASS), (0, "timeout:vmap\n"))

    def test_command(self):
        rc, out = self.run_main(["command", "--tool", "b/vmapfuzz", "--target", "vmap",
                                 "--variant", "v4", "a b/crash-1"])
        self.assertEqual((rc, out), (0, "b/vmapfuzz replay --target vmap --variant v4 --bytes "
                                        "'a b/crash-1'\n"))

    def test_bucket_and_reliability(self):
        with tempfile.TemporaryDirectory() as d:
            r = fake_replay(d, """\
                print("PASS " + sys.argv[-1])
                """)
            leak = os.path.join(d, "leak-0a1b")
            open(leak, "wb").close()
            self.assertEqual(self.run_main(["bucket", "--replay", r.program, "--target", "vmap",
                                            leak]), (0, "leak:vmap\n"))
            self.assertEqual(self.run_main(["bucket", "--replay", r.program, "--target", "vmap",
                                            "--kind", "crash", leak]),
                             (0, "unreproducible:vmap\n"))
            self.assertEqual(self.run_main(["reliability", "--replay", r.program, "--target",
                                            "vmap", "--repeat", "3", "--expect", "leak:vmap",
                                            leak]), (0, "0/3\n"))


if __name__ == "__main__":
    unittest.main()
