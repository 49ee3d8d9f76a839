#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The seeded-bug gate behind ci/mutants (run that script, not this file).

Every mutant of ci/mutants.d/*.mutants is a small source change that stands for a kernel-bug
class. Each one is applied, in turn, to a scratch copy of the checkout (build/mutants/src),
never to the checkout itself; the fuzz targets are rebuilt incrementally in one build tree,
and the mutant must be detected the way ci/fuzz would detect it:

  1. corpus replay: each target of the mutant runs its committed corpus, converted to fuzzer
     bytes as ci/fuzz does (libFuzzer's start-up pass, -runs=0);
  2. fuzzing: each target is fuzzed with ci/fuzz's flags (its fuzz/<target>.options) for the
     mutant's budget, as one worker with a fixed seed.

The first failure (a harness FAIL, a sanitizer report, a timeout) detects it. Before any
mutant, the unmutated copy must pass the corpus replay on every variant in use, and an input
that fuzzing finds must pass the unmutated program too; otherwise the failure is not the
mutant's and the gate stops with a setup error. The gate prints one line per mutant and the
mutation score, and exits 1 unless every non-equivalent mutant is detected, 2 on usage and
setup errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ci" / "lib"))
import triage  # noqa: E402  (the one failure-bucket parser of ci/fuzz, ci/nightly, ci/afl)
DATA_DIR = ROOT / "ci" / "mutants.d"
WORK = ROOT / "build" / "mutants"
SRC = WORK / "src"

# impl column -> the folder its files must be in.
IMPLS = {"engine": "engine/", "reference": "reference/", "kernel-shim": "kernel/shim/"}
TARGETS = ("ioremap", "vmalloc", "vmap", "mixed")
VARIANTS = ("mainline", "v4", "v4-fixed", "v6.12", "v6.1")
PRESETS = ("fuzz", "fuzz-nosan")
KEYS = ("impl", "file", "class", "bug", "variant", "targets", "budget", "original",
        "replacement", "equivalent", "escapes")
REQUIRED = ("impl", "file", "class", "bug", "original", "replacement")
RUN_KEYS = ("variant", "targets", "budget")  # required unless equivalent
# Held off while the scratch file gets its text back.
BLOCKED = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


class SetupError(Exception):
    """A usage or setup problem: exit status 2."""


class Interrupted(Exception):
    pass


@dataclasses.dataclass
class Mutant:
    id: str
    where: str  # data file:line of the header
    fields: dict[str, str]

    def __getattr__(self, name: str) -> str:
        try:
            return self.__dict__["fields"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def is_equivalent(self) -> bool:
        return "equivalent" in self.fields

    @property
    def is_escape(self) -> bool:
        return "escapes" in self.fields

    @property
    def gated(self) -> bool:
        return not self.is_equivalent and not self.is_escape

    @property
    def target_list(self) -> list[str]:
        return self.fields.get("targets", " ".join(TARGETS)).split()

    @property
    def budget_s(self) -> int:
        return int(self.fields.get("budget", "60"))

    @property
    def run_variant(self) -> str:
        return self.fields.get("variant", "v4-fixed")


# --- the data files ---------------------------------------------------------------------


def parse_file(path: Path) -> list[Mutant]:
    mutants: list[Mutant] = []
    cur: Mutant | None = None
    block_key: str | None = None  # key whose "| " continuation lines follow
    rel = path.relative_to(ROOT)
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        where = f"{rel}:{n}"
        if block_key is not None and cur is not None and (raw == "|" or raw.startswith("| ")):
            prev = cur.fields[block_key]
            line = raw[2:]
            cur.fields[block_key] = line if prev is None else prev + "\n" + line
            continue
        if block_key is not None and cur is not None and cur.fields[block_key] is None:
            # "key:" with nothing after it and no "| " lines: the empty value.
            cur.fields[block_key] = ""
        block_key = None
        if not raw.strip() or raw.startswith("#"):
            continue
        m = re.fullmatch(r"\[([A-Za-z][A-Za-z0-9_-]*)\]\s*", raw)
        if m:
            cur = Mutant(m.group(1), where, {})
            mutants.append(cur)
            continue
        m = re.fullmatch(r"([a-z]+):(.*)", raw)
        if not m:
            raise SetupError(f"{where}: expected '[ID]', 'key: value' or '| text', got: {raw}")
        if cur is None:
            raise SetupError(f"{where}: '{m.group(1)}:' before the first [ID]")
        key, value = m.group(1), m.group(2).strip()
        if key not in KEYS:
            raise SetupError(f"{where}: [{cur.id}] unknown key '{key}' (keys: {', '.join(KEYS)})")
        if key in cur.fields:
            raise SetupError(f"{where}: [{cur.id}] '{key}' given twice")
        if value:
            cur.fields[key] = value
        else:
            cur.fields[key] = None  # filled by "| " lines, or "" if none follow
            block_key = key
    if block_key is not None and cur is not None and cur.fields[block_key] is None:
        cur.fields[block_key] = ""
    return mutants


def load_mutants() -> list[Mutant]:
    files = sorted(DATA_DIR.glob("*.mutants"))
    if not files:
        raise SetupError(f"no {DATA_DIR.relative_to(ROOT)}/*.mutants data files")
    mutants: list[Mutant] = []
    for f in files:
        mutants += parse_file(f)
    problems: list[str] = []
    seen: dict[str, str] = {}
    for mu in mutants:
        where = f"{mu.where}: [{mu.id}]"
        if mu.id in seen:
            problems.append(f"{where} id already used at {seen[mu.id]}")
        seen[mu.id] = mu.where
        missing = [k for k in REQUIRED if k not in mu.fields]
        if not mu.is_equivalent:
            missing += [k for k in RUN_KEYS if k not in mu.fields]
        if missing:
            problems.append(f"{where} missing: {', '.join(missing)}")
            continue
        if mu.is_equivalent and not mu.equivalent:
            problems.append(f"{where} 'equivalent:' needs the reason")
        if mu.is_escape and not mu.escapes:
            problems.append(f"{where} 'escapes:' needs to say what the suite misses")
        if mu.is_equivalent and mu.is_escape:
            problems.append(f"{where} cannot be both equivalent and an escape")
        if mu.impl not in IMPLS:
            problems.append(f"{where} impl '{mu.impl}' is not one of {', '.join(IMPLS)}")
        elif not mu.file.startswith(IMPLS[mu.impl]) or ".." in Path(mu.file).parts:
            problems.append(f"{where} file {mu.file} is not under {IMPLS[mu.impl]} (impl {mu.impl})")
        if mu.run_variant not in VARIANTS:
            problems.append(f"{where} variant '{mu.run_variant}' is not one of {', '.join(VARIANTS)}")
        bad = [t for t in mu.target_list if t not in TARGETS]
        if bad or not mu.target_list or len(set(mu.target_list)) != len(mu.target_list):
            problems.append(f"{where} targets '{' '.join(mu.target_list)}': a list of {', '.join(TARGETS)}")
        if not re.fullmatch(r"[1-9][0-9]*", mu.fields.get("budget", "60")):
            problems.append(f"{where} budget '{mu.fields['budget']}' is not a positive number of seconds")
        if not mu.original:
            problems.append(f"{where} empty original")
        if mu.original == mu.replacement:
            problems.append(f"{where} replacement equals original")
    if problems:
        raise SetupError("\n".join(problems))
    return mutants


def snippet_problem(mu: Mutant, tree: Path) -> str | None:
    """None if the mutant's original occurs exactly once in its file under `tree`."""
    path = tree / mu.file
    if not path.is_file():
        return f"{mu.id}: {mu.file} does not exist"
    count = path.read_text().count(mu.original)
    if count != 1:
        lines = mu.original.splitlines()
        more = " ..." if len(lines) > 1 else ""
        return (f"{mu.id}: the original snippet occurs {count} times in {mu.file}, "
                f"not once ({mu.where}): {lines[0]}{more}")
    return None


# --- processes -------------------------------------------------------------------------


def on_signal(signum, _frame):
    raise Interrupted(signal.Signals(signum).name)


def run(cmd: list[str], log: Path | None = None, env: dict[str, str] | None = None,
        cwd: Path = ROOT, echo: bool = False) -> int:
    """Runs cmd with output to `log` (or inherited); returns the exit status."""
    if echo:
        print("+ " + " ".join(str(c) for c in cmd), flush=True)
    full_env = dict(os.environ, **(env or {}))
    if log is None:
        return subprocess.run(cmd, cwd=cwd, env=full_env).returncode
    with open(log, "wb") as out:
        return subprocess.run(cmd, cwd=cwd, env=full_env, stdout=out,
                              stderr=subprocess.STDOUT).returncode


def sync_tree() -> int:
    """Makes SRC a copy of the checkout's files (tracked and untracked, not ignored), writing
    only the files whose content differs so that the build stays incremental. Returns the
    number of files written or removed."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, check=True, capture_output=True).stdout
    wanted = {p for p in out.decode().split("\0") if p and (ROOT / p).is_file()}
    changed = 0
    for rel in sorted(wanted):
        src, dst = ROOT / rel, SRC / rel
        data = src.read_bytes()
        if dst.is_file() and not dst.is_symlink() and dst.read_bytes() == data:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.is_symlink() or dst.is_dir():
            shutil.rmtree(dst) if dst.is_dir() else dst.unlink()
        dst.write_bytes(data)
        shutil.copymode(src, dst)
        changed += 1
    for dirpath, dirnames, filenames in os.walk(SRC):
        rel_dir = Path(dirpath).relative_to(SRC)
        if rel_dir == Path("."):
            dirnames[:] = [d for d in dirnames if d != "build"]
        for f in filenames:
            rel = str(rel_dir / f) if rel_dir != Path(".") else f
            if rel not in wanted:
                (Path(dirpath) / f).unlink()
                changed += 1
    return changed


# --- libFuzzer runs -----------------------------------------------------------------------


@dataclasses.dataclass
class Verdict:
    detected: bool
    how: str = ""  # "corpus" or "fuzz"
    target: str = ""
    execs: str = "-"
    seconds: float = 0.0
    signature: str = ""
    log: Path | None = None
    artifact: str = ""


def failure_signature(text: str, rc: int, target: str) -> str:
    """The bucket of a fuzz program's failure, as ci/fuzz, ci/nightly and ci/afl name it
    (ci/lib/triage.py)."""
    return triage.classify(text, rc, target) or f"crash:{target}:exit-{triage.shell_rc(rc)}"


class Fuzzers:
    """The build tree's *_fuzz programs, copies of the unmutated ones, and the byte corpora
    they start from."""

    def __init__(self, build: Path, work: Path, seed: int):
        self.build = build
        self.corpus_root = work / "corpus"
        self.baseline_bin = work / "baseline-bin"
        self.seed = seed

    def save_baseline(self, targets: list[str]) -> None:
        shutil.rmtree(self.baseline_bin, ignore_errors=True)
        self.baseline_bin.mkdir(parents=True)
        for t in targets:
            shutil.copy2(self.build / "fuzz" / f"{t}_fuzz", self.baseline_bin)

    def baseline_fails(self, target: str, variant: str, artifact: str, log: Path) -> bool:
        """Does the unmutated program fail the input too? Then the mutant did not cause it."""
        cmd = [str(self.baseline_bin / f"{target}_fuzz"), "-timeout=10", "-rss_limit_mb=2048",
               artifact]
        return run(cmd, log, env={"VMAPFUZZ_VARIANT": variant}) != 0

    def convert_corpus(self, targets: list[str]) -> None:
        """corpus/<target>/{seeds,regression} into bytes, as ci/fuzz's seed() does."""
        tool = self.build / "tools" / "vmapfuzz"
        shutil.rmtree(self.corpus_root, ignore_errors=True)
        for t in targets:
            out = self.corpus_root / t
            out.mkdir(parents=True)
            for kind in ("seeds", "regression"):
                for f in sorted((SRC / "corpus" / t / kind).glob("*")):
                    if not f.is_file() or f.suffix == ".md":
                        continue
                    if f.suffix == ".trace":
                        r = subprocess.run([str(tool), "convert", "--to-bytes", "--target", t,
                                            str(f), "-o", str(out / f"{kind}-{f.stem}")],
                                           capture_output=True, text=True)
                        if r.returncode != 0:
                            print(f"ci/mutants: warning: skipped {f.relative_to(SRC)} (as ci/fuzz "
                                  f"does): {(r.stdout + r.stderr).strip()}", file=sys.stderr)
                    else:
                        shutil.copy(f, out / f"{kind}-{f.name}")
            if not any(out.iterdir()):
                raise SetupError(f"target {t} has no committed corpus to replay")

    def run(self, target: str, variant: str, rundir: Path, seconds: int) -> Verdict:
        """seconds == 0: the start-up replay of the corpus only; else ci/fuzz's fuzzing run."""
        kind = "corpus" if seconds == 0 else "fuzz"
        base = rundir / f"{kind}-{target}"
        corpus, artifacts = base / "corpus", base / "artifacts"
        shutil.rmtree(base, ignore_errors=True)
        shutil.copytree(self.corpus_root / target, corpus)
        artifacts.mkdir(parents=True)
        log = rundir / f"{kind}-{target}.log"
        cmd = [str(self.build / "fuzz" / f"{target}_fuzz"), "-print_final_stats=1",
               f"-artifact_prefix={artifacts}/", f"-seed={self.seed}"]
        cmd += ["-runs=0"] if seconds == 0 else [f"-max_total_time={seconds}"]
        cmd += libfuzzer_flags(target) + [str(corpus)]
        start = time.monotonic()
        rc = run(cmd, log, env={"VMAPFUZZ_VARIANT": variant})
        elapsed = time.monotonic() - start
        text = log.read_text(errors="replace")
        if rc == 0:
            return Verdict(False, kind, target, seconds=elapsed, log=log)
        execs = re.findall(r"^stat::number_of_executed_units:\s*(\d+)", text, re.M)
        art = re.findall(r"Test unit written to (\S+)", text)
        trace = re.search(r"^--- trace ---\n(.*?)^--- end ---$", text, re.M | re.S)
        if trace:
            (rundir / "failing.trace").write_text(trace.group(1))
        return Verdict(True, kind, target, execs[-1] if execs else "-", elapsed,
                       failure_signature(text, rc, target), log, art[-1] if art else "")


def libfuzzer_flags(target: str) -> list[str]:
    """The flags ci/fuzz gives TARGET: fuzz/<target>.options read by ci/lib/libfuzzer-options.sh
    (the one reader of .options files), in the gate's copy of the source; paths made absolute."""
    r = subprocess.run(["bash", "-c", 'source ci/lib/libfuzzer-options.sh && target_libfuzzer_flags "$1"',
                        "bash", target], cwd=SRC, capture_output=True, text=True)
    if r.returncode != 0:
        raise SetupError(f"fuzz/{target}.options: {r.stderr.strip()}")
    flags = r.stdout.split()
    if not any(f.startswith("-timeout=") for f in flags):
        flags.append("-timeout=10")  # ci/fuzz's default, for a target whose .options has none
    return [f"-dict={SRC / f[len('-dict='):]}" if f.startswith("-dict=") else f for f in flags]


# --- the gate ----------------------------------------------------------------------------


def rel(p: Path | str) -> str:
    try:
        return str(Path(p).relative_to(ROOT))
    except ValueError:
        return str(p)


def reproduce_cmd(mu: Mutant, args) -> str:
    cmd = ["ci/mutants", "--only", mu.id, "--keep"]
    if args.time_per_target is not None:
        cmd += ["--time-per-target", str(args.time_per_target)]
    if args.preset != "fuzz":
        cmd += ["--preset", args.preset]
    if args.seed != 1:
        cmd += ["--seed", str(args.seed)]
    if args.kernel_tree:
        cmd += ["--kernel-tree", args.kernel_tree]
    return " ".join(cmd)


def list_mutants(mutants: list[Mutant]) -> None:
    print(f"{'id':<5} {'impl':<7} {'file':<24} {'variant':<9} {'budget':>6}  {'targets':<27} class: bug")
    for mu in mutants:
        if mu.is_equivalent:
            print(f"{mu.id:<5} {mu.impl:<7} {mu.file:<24} {'equivalent':<9} {'-':>6}  {'-':<27} "
                  f"{mu.fields['class']}: {mu.bug}\n      (equivalent: {mu.equivalent})")
        elif mu.is_escape:
            print(f"{mu.id:<5} {mu.impl:<7} {mu.file:<24} {'escape':<9} {mu.budget_s:>5}s  "
                  f"{' '.join(mu.target_list):<27} {mu.fields['class']}: {mu.bug}\n"
                  f"      (escapes today: {mu.escapes})")
        else:
            print(f"{mu.id:<5} {mu.impl:<7} {mu.file:<24} {mu.run_variant:<9} {mu.budget_s:>5}s  "
                  f"{' '.join(mu.target_list):<27} {mu.fields['class']}: {mu.bug}")
    eq = sum(mu.is_equivalent for mu in mutants)
    esc = sum(mu.is_escape for mu in mutants)
    print(f"{len(mutants)} mutants: {len(mutants) - eq - esc} gated, {eq} equivalent, "
          f"{esc} escapes today")


def check(mutants: list[Mutant]) -> int:
    problems = [p for mu in mutants if (p := snippet_problem(mu, ROOT))]
    if problems:
        for p in problems:
            print(f"ci/mutants: {p}", file=sys.stderr)
        print("ci/mutants: update ci/mutants.d/*.mutants to the current source", file=sys.stderr)
        return 2
    eq = sum(mu.is_equivalent for mu in mutants)
    esc = sum(mu.is_escape for mu in mutants)
    print(f"ci/mutants: all {len(mutants)} mutants ({len(mutants) - eq - esc} gated, {eq} "
          f"equivalent, {esc} escapes today) apply exactly once to the tree")
    return 0


def gate(args, mutants: list[Mutant]) -> int:
    t0 = time.monotonic()
    selected = [mu for mu in mutants
                if mu.gated or (mu.is_equivalent and args.equivalent) or (mu.is_escape and args.escapes)]
    skipped = []
    if not args.kernel_tree:
        skipped = [mu for mu in selected if mu.impl == "kernel-shim"]
        selected = [mu for mu in selected if mu.impl != "kernel-shim"]
        if skipped and args.only:
            raise SetupError(f"{', '.join(mu.id for mu in skipped)}: kernel/shim/ mutants need "
                             f"--kernel-tree DIR (a kernel tree, e.g. kernel/fixtures/good)")
    if not selected:
        raise SetupError("no mutant to run (see ci/mutants --list)")
    listed_eq = [mu for mu in mutants if mu.is_equivalent and not args.equivalent]
    listed_esc = [mu for mu in mutants if mu.is_escape and not args.escapes]
    problems = [p for mu in mutants if (p := snippet_problem(mu, ROOT))]
    if problems:
        raise SetupError("\n".join(problems))

    # One gate at a time per checkout: they would share the scratch copy and its build.
    WORK.mkdir(parents=True, exist_ok=True)
    lock = open(WORK / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise SetupError(f"another ci/mutants is running on {rel(WORK)}") from None

    run_args = ["bash", "ci/setup"]
    if run(run_args, echo=True) != 0:
        raise SetupError("ci/setup failed")
    SRC.mkdir(parents=True, exist_ok=True)
    print(f"ci/mutants: scratch copy {rel(SRC)}: {sync_tree()} files updated", flush=True)

    build_name = args.preset + ("-kernel" if args.kernel_tree else "")
    build = SRC / "build" / build_name
    configure = ["cmake", "--preset", args.preset]
    if args.kernel_tree:
        configure += ["-B", str(build), f"-DVMAPFUZZ_KERNEL_TREE={Path(args.kernel_tree).resolve()}"]
    if run(configure, WORK / "configure.log", cwd=SRC, echo=True) != 0:
        raise SetupError(f"configure failed, see {rel(WORK / 'configure.log')}")

    targets_used = sorted({t for mu in selected for t in mu.target_list}, key=TARGETS.index)
    variants_used = sorted({mu.run_variant for mu in selected}, key=VARIANTS.index)
    jobs = ["-j", str(args.jobs)]

    def build_targets(names: list[str], log: Path) -> float:
        start = time.monotonic()
        rc = run(["cmake", "--build", str(build), *jobs, "--target", *names], log, cwd=SRC)
        return -1.0 if rc != 0 else time.monotonic() - start

    # The unmutated tree: it must build and replay its corpus cleanly on every variant the
    # gate uses, or no detection below would mean anything.
    print(f"ci/mutants: baseline build ({build_name}: {', '.join(targets_used)} and vmapfuzz)",
          flush=True)
    secs = build_targets([f"{t}_fuzz" for t in targets_used] + ["vmapfuzz"], WORK / "baseline-build.log")
    if secs < 0:
        raise SetupError(f"the unmutated scratch tree does not build, see {rel(WORK / 'baseline-build.log')}")
    fuzzers = Fuzzers(build, WORK, args.seed)
    fuzzers.save_baseline(targets_used)
    fuzzers.convert_corpus(targets_used)
    base_dir = WORK / "runs" / "baseline"
    shutil.rmtree(base_dir, ignore_errors=True)
    base_dir.mkdir(parents=True)
    for v in variants_used:
        for t in targets_used:
            verdict = fuzzers.run(t, v, base_dir, 0)
            if verdict.detected:
                raise SetupError(f"the unmutated tree fails the corpus replay of {t} with "
                                 f"VMAPFUZZ_VARIANT={v}: {verdict.signature} (log {rel(verdict.log)})")
    print(f"ci/mutants: baseline built in {secs:.0f} s, corpus replay passes on "
          f"{', '.join(variants_used)} x {', '.join(targets_used)}", flush=True)
    print(f"ci/mutants: {len(selected)} mutants to run (preset {args.preset}, seed {args.seed}, "
          f"fuzzing {'each mutant budget' if args.time_per_target is None else f'{args.time_per_target} s'}"
          f" per target)\n", flush=True)

    # status: detected, escaped, error (does not build) or unattributed (the unmutated
    # program fails the fuzzed input too)
    results: list[tuple[Mutant, str, Verdict | None]] = []
    last_applied: tuple[Path, str] | None = None
    for idx, mu in enumerate(selected):
        path = SRC / mu.file
        text = path.read_text()
        if text.count(mu.original) != 1:
            raise SetupError(f"{mu.id}: original does not apply exactly once to {rel(path)}")
        rundir = WORK / "runs" / mu.id
        shutil.rmtree(rundir, ignore_errors=True)
        rundir.mkdir(parents=True)
        budget = mu.budget_s if args.time_per_target is None else args.time_per_target
        keep_this = args.keep and idx == len(selected) - 1
        m_start = time.monotonic()
        try:
            path.write_text(text.replace(mu.original, mu.replacement))
            (rundir / "mutation.diff").write_text(subprocess.run(
                ["diff", "-u", f"--label=a/{mu.file}", f"--label=b/{mu.file}", "-", str(path)],
                input=text, capture_output=True, text=True).stdout)
            secs = build_targets([f"{t}_fuzz" for t in mu.target_list], rundir / "build.log")
            verdict = None
            if secs < 0:
                status = "error"
            else:
                status = "escaped"
                for t in mu.target_list:
                    v = fuzzers.run(t, mu.run_variant, rundir, 0)
                    if v.detected:
                        verdict, status = v, "detected"
                        break
                if verdict is None and budget > 0:
                    for t in mu.target_list:
                        v = fuzzers.run(t, mu.run_variant, rundir, budget)
                        if v.detected:
                            verdict, status = v, "detected"
                            # The unmutated corpus replay passed, so a corpus failure is the
                            # mutant's; a fuzzed input must also pass the unmutated program.
                            if v.artifact and fuzzers.baseline_fails(
                                    t, mu.run_variant, v.artifact, rundir / f"baseline-{t}.log"):
                                status = "unattributed"
                            break
            if keep_this:
                build_targets([f"{t}_replay" for t in mu.target_list] + ["vmapfuzz"],
                              rundir / "keep-build.log")
                last_applied = (path, text)
        finally:
            if not keep_this:
                # Not interruptible: the scratch file always gets its text back.
                old = signal.pthread_sigmask(signal.SIG_BLOCK, BLOCKED)
                try:
                    path.write_text(text)
                finally:
                    signal.pthread_sigmask(signal.SIG_SETMASK, old)
        if not args.keep:
            for d in rundir.glob("*/corpus"):
                shutil.rmtree(d, ignore_errors=True)
        results.append((mu, status, verdict))
        print_result(mu, status, verdict, budget, secs, time.monotonic() - m_start, args)

    total = time.monotonic() - t0
    gated = [r for r in results if r[0].gated]
    detected = [r for r in gated if r[1] == "detected"]
    errors = [r for r in results if r[1] == "error"]
    unattributed = [r for r in results if r[1] == "unattributed"]
    wrong_eq = [r for r in results if r[0].is_equivalent and r[1] == "detected"]
    write_results(results, total)

    print()
    for mu in listed_eq:
        print(f"{mu.id:<5} equivalent  {mu.file}: {mu.bug}\n      why: {mu.equivalent}")
    if listed_esc:
        print("\nescapes today (real bugs the suite misses; not gated, --escapes runs them):")
    for mu in listed_esc:
        print(f"{mu.id:<5} escape      {mu.file}: {mu.bug}\n      missing: {mu.escapes}")
    for mu, status, v in results:
        if mu.is_escape:
            print(f"{mu.id:<5} escape {'now DETECTED (' + v.signature + '): move it into the gated set' if status == 'detected' else 'still escapes'}")
    for mu in skipped:
        print(f"{mu.id:<5} skipped     {mu.file}: needs --kernel-tree DIR (impl kernel-shim)")
    escaped = [r for r in gated if r[1] == "escaped"]
    if escaped:
        print("\nescaped (not detected within their budget):")
        for mu, _, _ in escaped:
            print(f"  {mu.id} {mu.file}: {mu.bug}")
    if wrong_eq:
        print("\nlisted as equivalent but detected (the reason is wrong):")
        for mu, _, v in wrong_eq:
            print(f"  {mu.id} {mu.file}: {v.signature}")
    if last_applied:
        kept = selected[-1]
        print(f"\nkept: {rel(last_applied[0])} has {kept.id} applied (the next ci/mutants run "
              f"restores it); its programs are in {rel(build)}/fuzz and {rel(build)}/tools")
        trace = WORK / "runs" / kept.id / "failing.trace"
        if trace.is_file():
            print(f"  {rel(build)}/tools/vmapfuzz explain {rel(trace)}")
    n_eq = len(listed_eq) + sum(r[0].is_equivalent for r in results)
    n_esc = len(listed_esc) + sum(r[0].is_escape for r in results)
    print(f"\nmutation score: {len(detected)}/{len(gated)} non-equivalent detected "
          f"({n_eq} equivalent listed" + (f", {n_esc} escapes today listed)" if n_esc else ")"))
    print(f"total runtime: {total:.0f} s ({total / 60:.1f} min); results in {rel(WORK / 'results.tsv')}")
    for mu, _, v in unattributed:
        print(f"ci/mutants: {mu.id}: the unmutated tree fails the input fuzzing found too "
              f"({v.signature}): a bug outside the mutant, see {rel(v.log)} and "
              f"{rel(WORK / 'runs' / mu.id / ('baseline-' + v.target + '.log'))}", file=sys.stderr)
    for mu, _, _ in errors:
        print(f"ci/mutants: {mu.id} ({mu.file}) does not build: "
              f"{rel(WORK / 'runs' / mu.id / 'build.log')}", file=sys.stderr)
    if errors or unattributed:
        return 2
    return 0 if len(detected) == len(gated) and not wrong_eq else 1


def print_result(mu: Mutant, status: str, v: Verdict | None, budget: int, build_s: float,
                 total_s: float, args) -> None:
    tag = "(listed equivalent)" if mu.is_equivalent else "(listed escape)" if mu.is_escape else ""
    if status == "detected":
        how = ("corpus replay" if v.how == "corpus" else "fuzzing") + f" {v.target}"
        line = (f"{mu.id:<5} detected  {how:<22} {v.execs:>9} execs {v.seconds:6.1f} s  "
                f"{v.signature}")
    elif status == "escaped":
        line = (f"{mu.id:<5} ESCAPED   corpus + {budget} s x {len(mu.target_list)} targets "
                f"({' '.join(mu.target_list)}), variant {mu.run_variant}")
    elif status == "unattributed":
        line = (f"{mu.id:<5} ERROR     fuzzing {v.target} found {v.signature}, but the unmutated "
                f"tree fails that input too")
    else:
        line = f"{mu.id:<5} ERROR     does not build"
    print(f"{line} {tag}".rstrip())
    print(f"      {mu.file}: {mu.bug} [{mu.run_variant}; build {max(build_s, 0):.0f} s, "
          f"total {total_s:.0f} s]")
    print(f"      reproduce: {reproduce_cmd(mu, args)}", flush=True)


def write_results(results, total: float) -> None:
    lines = ["id\timpl\tfile\tvariant\tstatus\thow\ttarget\texecs\tseconds\tsignature"]
    for mu, status, v in results:
        lines.append("\t".join([mu.id, mu.impl, mu.file, mu.run_variant, status,
                                v.how if v else "-", v.target if v else "-",
                                v.execs if v else "-", f"{v.seconds:.1f}" if v else "-",
                                v.signature if v else "-"]))
    lines.append(f"# total runtime {total:.0f} s")
    (WORK / "results.tsv").write_text("\n".join(lines) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(
        prog="ci/mutants",
        description="Seeded-bug gate: applies each mutant of ci/mutants.d/*.mutants to a scratch "
                    "copy of the tree (build/mutants/src), rebuilds the fuzz targets and checks "
                    "that ci/fuzz's corpus replay or fuzzing detects it. Exit 0: every "
                    "non-equivalent mutant detected; 1: some escaped; 2: usage or setup error.")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--check", action="store_true",
                    help="only check that every snippet applies exactly once to the checkout "
                         "(no build; ctest mutants.patterns)")
    ap.add_argument("--only", action="append", default=[], metavar="ID[,ID...]",
                    help="run only these mutants (repeatable)")
    ap.add_argument("--time-per-target", type=int, metavar="S",
                    help="fuzzing seconds per target for every mutant instead of its own budget "
                         "(0: corpus replay only)")
    ap.add_argument("--preset", default="fuzz", choices=PRESETS,
                    help="build preset (default fuzz: ASan+UBSan, as ci/fuzz)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, metavar="N",
                    help="parallel build jobs (default: all cores)")
    ap.add_argument("--seed", type=int, default=1, help="libFuzzer -seed (default 1)")
    ap.add_argument("--keep", action="store_true",
                    help="leave the last mutant applied in build/mutants/src with its programs "
                         "built (fuzz, replay, vmapfuzz) and keep the fuzzing corpora")
    ap.add_argument("--equivalent", action="store_true",
                    help="also run the mutants listed as equivalent (exit 1 if one is detected)")
    ap.add_argument("--escapes", action="store_true",
                    help="also run the mutants listed as escapes today (not gated)")
    ap.add_argument("--kernel-tree", metavar="DIR",
                    help="build a kernel tree's code in (needed by impl kernel-shim mutants)")
    args = ap.parse_args()
    if args.time_per_target is not None and args.time_per_target < 0:
        ap.error("--time-per-target must be >= 0")
    if args.jobs < 1:
        ap.error("--jobs must be >= 1")

    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        mutants = load_mutants()
        if args.only:
            ids = [i for o in args.only for i in o.split(",") if i]
            known = {mu.id for mu in mutants}
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise SetupError(f"--only: no mutant {', '.join(unknown)} (see ci/mutants --list)")
            mutants = [mu for mu in mutants if mu.id in ids]
            # Naming an equivalent mutant or an escape with --only runs it.
            args.equivalent = args.equivalent or any(mu.is_equivalent for mu in mutants)
            args.escapes = args.escapes or any(mu.is_escape for mu in mutants)
        if args.kernel_tree and not Path(args.kernel_tree).is_dir():
            raise SetupError(f"--kernel-tree {args.kernel_tree} is not a directory")
        if args.list:
            list_mutants(mutants)
            return 0
        if args.check:
            return check(mutants)
        return gate(args, mutants)
    except SetupError as e:
        print(f"ci/mutants: {e}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Interrupted) as e:
        print(f"\nci/mutants: interrupted ({e or 'SIGINT'}); the scratch copy is restored "
              f"(the checkout was never touched)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
