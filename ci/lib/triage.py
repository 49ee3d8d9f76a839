# SPDX-License-Identifier: GPL-2.0-only
"""Failure buckets: how a fuzz input fails when a replay program runs it.

One vocabulary for ci/fuzz, ci/nightly and ci/afl:

  <check>:<impl>:<op>:<level>:<what>   the harness signature (a FAIL or REPRODUCED line)
  asan:<target>:<kind>:<frame>         an AddressSanitizer report; <frame> is the first
                                       frame of the first stack in the project's code
  ubsan:<target>:<file>:<line>         an UndefinedBehaviorSanitizer runtime error
  leak:<target>                        a LeakSanitizer report
  timeout:<target>                     the replay ran out of time
  oom:<target>                         out of memory
  crash:<target>:exit-<rc>             any other non-zero exit (signals as 128+N)
  unreproducible:<target>              the replay passes (a crash artifact that does not
                                       reproduce); a leak-*, timeout-* or oom-* artifact that
                                       does not reproduce keeps its kind: leak:<target> ...

Usage (the program is a <target>_replay, or vmapfuzz with --tool):

  triage.py bucket      (--replay PROG | --tool VMAPFUZZ) --target T [--variant V]
                        [--timeout S] [--kind K] [--bytes | --text] FILE
  triage.py reliability (...as bucket...) --repeat N --expect BUCKET FILE   prints k/N
  triage.py command     (...as bucket...) FILE        prints the replay command line
  triage.py parse       --target T --rc RC [--kind K] [--file F] [LOG]
                        the bucket of a captured replay output (LOG, default stdin)

Exit status 0, or 2 on a usage error (of this script, or of the replay program: then
the message holds the command that reproduces it).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
from dataclasses import dataclass

# The replay programs' verdict lines (column 0). Indented lines after a verdict (details,
# "  input: ...", "  note: ...") and the closing "N passed, N failed" are not verdicts.
VERDICTS = ("PASS", "FAIL", "REJECT", "ERROR", "REPRODUCED", "NOT-REPRODUCED")

# Exit codes of the replay programs. Old ones: 0 all pass, 1 anything else, 2 usage.
# New ones: 0 pass, 1 failure found, 2 bad input or usage, 125 rejected. Either way the
# verdict lines, not the code, say what happened; a code is only read when there is none.
EXIT_USAGE = 2
EXIT_REJECTED = 125
EXIT_TIMEOUT = 124  # what timeout(1) returns; a replay that runs out of time counts so

# libFuzzer names its artifacts <kind>-<sha1>; any other file (an AFL++ crash, a renamed
# artifact) is a crash unless told otherwise.
ARTIFACT_KINDS = ("crash", "leak", "timeout", "oom", "slow-unit")

# Where a stack frame is ours: source paths under these folders (the kernel implementation's
# slices keep their tree's mm/ and arch/ paths). System headers are never ours.
PROJECT_PATH = re.compile(r"/(engine|reference|harness|fuzz|tools|kernel|mm|arch)/")
RUNTIME_FUNCTION = re.compile(r"^(__asan|__lsan|__ubsan|__sanitizer|__interceptor|___interceptor)")

OPERATOR = re.compile(r"operator\s*(new\[\]|delete\[\]|new|delete|<<=|>>=|<=>|<<|>>|<=|>=|->\*?|<|>|\(\)|\[\])")
FRAME = re.compile(r"^\s*#\d+\s+0x[0-9a-fA-F]+\s+in\s+(?P<rest>.+)$")
ASAN = re.compile(r"ERROR: AddressSanitizer: (?P<kind>[A-Za-z-]+)")
ASAN_OOM = re.compile(r"ERROR: AddressSanitizer: (out of memory|out-of-memory|"
                      r"allocation-size-too-big|requested allocation size)")
UBSAN = re.compile(r"(?P<path>[^\s:]+):(?P<line>\d+)(:\d+)?: runtime error:")
LEAK = re.compile(r"ERROR: LeakSanitizer")
LIBFUZZER_OOM = re.compile(r"ERROR: libFuzzer: out-of-memory|std::bad_alloc")
LIBFUZZER_TIMEOUT = re.compile(r"ERROR: libFuzzer: timeout")
NOT_REPRODUCED_GOT = re.compile(r"\bgot (?P<got>\S+)\s*$")
# The report a fuzz program (<target>_fuzz, fuzz/target.cc) prints before it aborts.
FUZZER_FAIL = re.compile(r"^vmapfuzz: FAIL (?P<sig>\S+)", re.M)
# A replay that did not understand its command line: nothing was replayed.
USAGE_ERROR = re.compile(r"^(usage: |unknown option |unknown variant |unknown target )", re.M)

# Fuzzer bytes need --bytes on the replay command line: the programs read a file as bytes
# unasked only under a libFuzzer/ClusterFuzzLite/AFL++ name (crash-*, leak-*, a SHA-1, ...),
# and ci/fuzz renames artifacts by their bucket. Triage passes it for every file that is not
# a .trace, whatever its name (--bytes still reads a file that starts with the trace header as
# text, exactly as the fuzz target does).
BYTES_FLAG: list[str] = ["--bytes"]


class TriageError(Exception):
    """Triage itself could not run (a usage error); the message says how to reproduce."""


@dataclass(frozen=True)
class Replay:
    """A replay program: `<build>/fuzz/<target>_replay`, or `vmapfuzz replay --target T`."""

    program: str
    target: str
    tool: bool = False  # program is vmapfuzz

    def command(self, file: str, variant: str | None = None,
                is_bytes: bool | None = None) -> list[str]:
        """The one place that builds a replay command line."""
        cmd = [self.program]
        if self.tool:
            cmd += ["replay", "--target", self.target]
        if variant:
            cmd += ["--variant", variant]
        if is_bytes is None:
            is_bytes = not file.endswith(".trace")
        if is_bytes:
            cmd += BYTES_FLAG
        cmd.append(file)
        return cmd


def artifact_kind(path: str) -> str:
    """crash, leak, timeout, oom or slow-unit, from a libFuzzer artifact's name; else crash."""
    base = os.path.basename(path)
    for kind in ARTIFACT_KINDS:
        if base.startswith(kind + "-"):
            return kind
    return "crash"


def shell_rc(returncode: int) -> int:
    """A returncode as the shell reports it: a process killed by signal N is 128+N."""
    return 128 - returncode if returncode < 0 else returncode


def verdicts(output: str, file: str | None = None) -> list[tuple[str, str]]:
    """The (verdict, rest of line) pairs of a replay's output, in order; with `file`, only
    those about that file (a usage text may have lines that start like a verdict)."""
    found = []
    for line in output.splitlines():
        word, _, rest = line.partition(" ")
        if word not in VERDICTS or not rest:
            continue
        if file is None or rest == file or rest.startswith((file + " ", file + ":")):
            found.append((word, rest))
    return found


def _after_file(rest: str, file: str | None) -> str | None:
    """What follows the file name on a `FAIL <file> <signature>` line (the last word when
    the line names another file)."""
    if file and rest.startswith(file + " ") and rest[len(file) + 1:].split():
        return rest[len(file) + 1:].split()[0]
    words = rest.split()
    return words[-1] if len(words) > 1 else None


def harness_signature(output: str, file: str | None = None) -> str | None:
    """The harness signature of the first failing verdict of a replay program, or of a fuzz
    program's report, if any."""
    for word, rest in verdicts(output, file):
        if word in ("FAIL", "REPRODUCED"):
            sig = _after_file(rest, file)
            if sig:
                return sig
        if word == "NOT-REPRODUCED":
            m = NOT_REPRODUCED_GOT.search(rest)
            if m and m.group("got") != "PASS":
                return m.group("got")
    m = FUZZER_FAIL.search(output)
    return m.group("sig") if m else None


def _function_name(text: str) -> str:
    """A frame's function as one bucket-safe word: without its return type (templates
    have one), parameter list and qualifiers."""
    text = text.replace("(anonymous namespace)", "anon")
    depth = 0
    start = 0  # after the last blank outside template arguments: past the return type
    i = 0
    while i < len(text):
        op = OPERATOR.match(text, i)
        if op:  # operator<, operator() ...: not a template nor a parameter list
            i = op.end()
            continue
        c = text[i]
        if c == "<":
            depth += 1
        elif c == ">" and depth:
            depth -= 1
        elif c == " " and depth == 0:
            start = i + 1
        elif c == "(" and depth == 0:
            text = text[:i]
            break
        i += 1
    text = re.sub(r"\s+", "", text[start:])
    return re.sub(r"[^A-Za-z0-9_:.~<>,+=-]", "_", text) or "unknown"


def _split_frame(rest: str) -> tuple[str, str | None]:
    """(function, source path or None) of the part of a frame line after ' in '."""
    rest = re.sub(r"\s*\(BuildId: [0-9a-f]+\)$", "", rest.strip())
    if rest.endswith(")") and " (" in rest:  # no source: "func (module+0x123)"
        return rest[:rest.rfind(" (")], None
    func, _, loc = rest.rpartition(" ")
    if not func:
        return loc, None
    path = re.sub(r"(:\d+)+$", "", loc)
    return func, path


def asan_frame(output: str) -> str:
    """The first frame of the report's first stack that is in the project's code; else the
    first one that is not the sanitizer's own; else "unknown"."""
    lines = output.splitlines()
    start = next((i for i, l in enumerate(lines) if "ERROR: AddressSanitizer" in l), 0)
    frames = []
    seen_frame = False
    for line in lines[start + 1:]:
        m = FRAME.match(line)
        if m:
            frames.append(_split_frame(m.group("rest")))
            seen_frame = True
        elif seen_frame and not line.strip():
            break  # end of the first stack
    for func, path in frames:
        if path and not path.startswith("/usr/") and PROJECT_PATH.search(path):
            return _function_name(func)
    for func, _ in frames:
        if not RUNTIME_FUNCTION.match(func):
            return _function_name(func)
    return "unknown"


def classify(output: str, rc: int, target: str, file: str | None = None) -> str | None:
    """The bucket of one replay (its output, stdout and stderr together, and its exit code
    as the shell reports it), or None when it shows no failure (a pass, a REJECT or an
    ERROR verdict)."""
    rc = shell_rc(rc)
    sig = harness_signature(output, file)
    if sig:
        return sig
    if rc == EXIT_TIMEOUT or LIBFUZZER_TIMEOUT.search(output):
        return f"timeout:{target}"
    if ASAN_OOM.search(output) or LIBFUZZER_OOM.search(output):
        return f"oom:{target}"
    m = ASAN.search(output)
    if m:
        return f"asan:{target}:{m.group('kind')}:{asan_frame(output)}"
    m = UBSAN.search(output)
    if m:
        return f"ubsan:{target}:{os.path.basename(m.group('path'))}:{m.group('line')}"
    if "runtime error:" in output:  # no source location (a build without debug info)
        return f"ubsan:{target}:unknown"
    if LEAK.search(output):
        return f"leak:{target}"
    # The replay's own non-zero exits for a rejected input, one it could not load (nothing
    # ran; old programs exit 1 on those) and a finding that passed. A signal is a crash
    # whatever came before it, and so is a non-zero exit after a PASS.
    words = {word for word, _ in verdicts(output, file)}
    if rc == 0 or rc == EXIT_REJECTED:
        return None
    if rc in (1, EXIT_USAGE) and words & {"REJECT", "ERROR", "NOT-REPRODUCED"}:
        return None
    return f"crash:{target}:exit-{rc}"


def fallback(kind: str, target: str) -> str:
    """The bucket of an artifact whose replay shows no failure."""
    return f"{kind}:{target}" if kind in ("leak", "timeout", "oom") else f"unreproducible:{target}"


def bucket_of(output: str, rc: int, target: str, kind: str = "crash",
              file: str | None = None) -> str:
    """classify(), with the artifact's kind when the replay shows no failure."""
    return classify(output, rc, target, file) or fallback(kind, target)


def is_usage_error(output: str, rc: int, file: str | None = None) -> bool:
    """The replay program rejected its command line: it replayed nothing."""
    return (shell_rc(rc) == EXIT_USAGE and not verdicts(output, file)
            and bool(USAGE_ERROR.search(output)))


def run(cmd: list[str], timeout: float) -> tuple[str, int]:
    """Runs cmd (stdout and stderr together); (output, rc), rc 124 when out of time."""
    with subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, start_new_session=True) as p:
        try:
            out, _ = p.communicate(timeout=timeout)
            rc = shell_rc(p.returncode)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, _ = p.communicate()
            rc = EXIT_TIMEOUT
    return out.decode("utf-8", errors="replace"), rc


def replay_once(replay: Replay, file: str, variant: str | None, timeout: float,
                is_bytes: bool | None = None) -> str | None:
    """Runs the replay once: classify() of what it did. Warns on stderr when the replay
    could not load the input (an ERROR verdict)."""
    cmd = replay.command(file, variant, is_bytes)
    try:
        out, rc = run(cmd, timeout)
    except OSError as e:
        raise TriageError(f"cannot run {shlex.join(cmd)}: {e}") from e
    if is_usage_error(out, rc, file):
        first = out.strip().splitlines()[0]
        raise TriageError(f"the replay program rejected its command line ({first}); "
                          f"reproduce: {shlex.join(cmd)}")
    for word, rest in verdicts(out, file):
        if word == "ERROR":
            print(f"triage: warning: the replay could not load the input: ERROR {rest}; "
                  f"reproduce: {shlex.join(cmd)}", file=sys.stderr)
    return classify(out, rc, replay.target, file)


def reliability(replay: Replay, file: str, variant: str | None, timeout: float, repeat: int,
                expect: str, is_bytes: bool | None = None) -> tuple[int, int]:
    """How many of `repeat` replays fail with `expect`."""
    hits = sum(replay_once(replay, file, variant, timeout, is_bytes) == expect
               for _ in range(repeat))
    return hits, repeat


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="triage.py", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    def replay_options(p: argparse.ArgumentParser) -> None:
        prog = p.add_mutually_exclusive_group(required=True)
        prog.add_argument("--replay", metavar="PROG", help="a <target>_replay program")
        prog.add_argument("--tool", metavar="VMAPFUZZ", help="vmapfuzz (runs 'replay --target')")
        p.add_argument("--target", required=True, help="fuzz target (vmap, ioremap, ...)")
        p.add_argument("--variant", help="variant to replay on")
        p.add_argument("--timeout", type=float, default=25, help="seconds (default 25)")
        form = p.add_mutually_exclusive_group()
        form.add_argument("--bytes", dest="is_bytes", action="store_const", const=True,
                          help="FILE is fuzzer bytes (default: unless it ends in .trace)")
        form.add_argument("--text", dest="is_bytes", action="store_const", const=False,
                          help="FILE is a text trace")
        p.add_argument("file", metavar="FILE")

    kinds = ARTIFACT_KINDS
    p = sub.add_parser("bucket", help="replay FILE once, print its bucket")
    replay_options(p)
    p.add_argument("--kind", choices=kinds, help="artifact kind (default: from FILE's name)")
    p = sub.add_parser("reliability", help="replay FILE N times, print k/N that hit BUCKET")
    replay_options(p)
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--expect", required=True, metavar="BUCKET")
    p = sub.add_parser("command", help="print the replay command line for FILE")
    replay_options(p)
    p = sub.add_parser("parse", help="the bucket of a captured replay output")
    p.add_argument("--target", required=True)
    p.add_argument("--rc", type=int, required=True, help="the replay's exit code")
    p.add_argument("--kind", choices=kinds, default="crash")
    p.add_argument("--file", help="the replayed file, as named on its verdict line")
    p.add_argument("log", nargs="?", help="the output (default: stdin)")
    return ap


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.cmd == "parse":
        if args.log:
            with open(args.log, encoding="utf-8", errors="replace") as f:
                text = f.read()
        else:
            text = sys.stdin.read()
        print(bucket_of(text, args.rc, args.target, args.kind, args.file))
        return 0
    replay = Replay(args.replay or args.tool, args.target, tool=args.tool is not None)
    if args.cmd == "command":
        print(shlex.join(replay.command(args.file, args.variant, args.is_bytes)))
        return 0
    try:
        if args.cmd == "bucket":
            got = replay_once(replay, args.file, args.variant, args.timeout, args.is_bytes)
            print(got or fallback(args.kind or artifact_kind(args.file), args.target))
        else:
            if args.repeat < 1:
                print("triage.py: --repeat must be at least 1", file=sys.stderr)
                return 2
            k, n = reliability(replay, args.file, args.variant, args.timeout, args.repeat,
                               args.expect, args.is_bytes)
            print(f"{k}/{n}")
    except TriageError as e:
        print(f"triage.py: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
