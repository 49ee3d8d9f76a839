# SPDX-License-Identifier: GPL-2.0-only
"""ci/nightly's reports: DIR/report.md, DIR/report.json and the bucket history DIR/buckets.json.

    nightly_report.py OUT STARTED VARIANT SECONDS JOBS UPDATE REPEAT BUILD_ROOT COMMIT TREE
                      COMMAND TARGET...

Reads what ci/nightly left in OUT/runs/: per target <t>/stats.tsv (key TAB value),
<t>/added.txt, <t>/removed.txt and <t>/semantic.txt (`vmapfuzz replay --coverage`);
buckets.tsv (signature, target, count, reproducer, minimized, explain, reliability plain,
reliability sanitized, replay command) and known.txt (the documented findings' signatures).
With a corpus repository (ci/nightly --corpus-repo), storage.tsv (repo, branch, pulled, pushed)
and the storage_* keys of each stats.tsv add a "storage" entry; without one there is none.
behaviour.md, behaviour.rc and behaviour.cmd (`vmapfuzz behaviour`, docs/behaviour-changes.md:
its tables, exit status and command line), when present, add a "behaviour" entry and the
section "Caller-visible behaviour changes"; a non-zero status there (a case that failed
replay) makes the exit status 1.
Prints a summary; exits 1 on a new bucket, a target whose fuzzer did not run or a behaviour
case that failed replay, else 0.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from collections.abc import Callable
from typing import Any


def read_stats(path: str) -> dict[str, str]:
    """A stats.tsv: one `key TAB value` per line; the last value of a key wins."""
    s = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            s[k] = v
    return s


def num(v: str | None) -> int | None:
    return int(v) if v and v.isdigit() else None


def lines(path: str) -> list[str]:
    """The non-blank lines of a file, stripped; none when it does not exist."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [l.strip() for l in f if l.strip()]


def semantic(path: str) -> dict[str, Any]:
    """The output of `vmapfuzz replay --coverage` from its 'semantic coverage over' line:
    the number of traces and, per configuration, the hits of each event."""
    table: dict[str, dict[str, int]] = {}
    cfg = None
    n = None
    text = []
    if os.path.exists(path):
        with open(path) as f:
            text = f.readlines()
    for line in text:
        if line.startswith("semantic coverage over"):
            n = num(line.split()[3])
        elif line.startswith("== "):
            cfg = line[3:].strip()
            table[cfg] = {}
        elif cfg and line.startswith("  "):
            event, _, hits = line.strip().rpartition(" ")
            table[cfg][event.strip()] = int(hits)
    return {"traces": n, "hits": table}


def target_entry(work: str, t: str) -> dict[str, Any]:
    s = read_stats(os.path.join(work, t, "stats.tsv"))
    entry = target_stats(work, t, s)
    storage = storage_entry(s)
    if storage:
        entry["storage"] = storage
    return entry


def target_stats(work: str, t: str, s: dict[str, str]) -> dict[str, Any]:
    before = int(s["curated"]) + int(s["nightly_before"])
    after = int(s["curated"]) + int(s["nightly_after"])
    return {
        "name": t, "runs": num(s.get("runs")), "exec_per_sec": num(s.get("exec_per_sec")),
        "coverage": {"edges": num(s.get("cov")), "features": num(s.get("ft"))},
        "fuzz_exit": int(s["fuzz_exit"]), "failures": int(s["failures"]),
        "corpus": {"curated": int(s["curated"]), "nightly_before": int(s["nightly_before"]),
                   "new_inputs": int(s["new_inputs"]), "nightly_kept": int(s["nightly_kept"]),
                   "nightly_added": int(s["nightly_added"]),
                   "nightly_removed": int(s["nightly_removed"]),
                   "nightly_after": int(s["nightly_after"]), "total_before": before,
                   "total_after": after, "growth": after - before,
                   "merge": s.get("merge_result", ""), "dir": s["corpus_dir"]},
        "new_corpus_files": lines(os.path.join(work, t, "added.txt")),
        "removed_corpus_files": lines(os.path.join(work, t, "removed.txt")),
        "semantic_coverage": semantic(os.path.join(work, t, "semantic.txt")),
        "commands": {"fuzz": s["fuzz_cmd"], "merge": s["merge_cmd"], "semantic": s["semantic_cmd"]},
    }


def storage_entry(s: dict[str, str]) -> dict[str, Any] | None:
    """A target's corpus/<t>_fuzz/ in the corpus repository, before and after this run."""
    if "storage_after" not in s:
        return None
    return {"before": int(s["storage_before"]), "candidates": int(s["storage_candidates"]),
            "after": int(s["storage_after"]), "added": int(s["storage_added"]),
            "removed": int(s["storage_removed"]), "merge": s.get("storage_merge_result", "")}


def behaviour_entry(work: str) -> dict[str, Any] | None:
    """`vmapfuzz behaviour`'s tables, exit status and command, if ci/nightly ran it."""
    path = os.path.join(work, "behaviour.md")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        tables = f.read()
    rc = lines(os.path.join(work, "behaviour.rc"))
    cmd = lines(os.path.join(work, "behaviour.cmd"))
    return {"exit": int(rc[0]) if rc else None, "command": cmd[0] if cmd else "",
            "tables": tables}


def add_buckets(report: dict[str, Any], history: dict[str, Any], known: set[str],
                buckets_tsv: list[str], started: str) -> list[str]:
    """Adds this run's buckets to the report and the history; returns the new ones."""
    new = []
    for line in buckets_tsv:
        sig, t, count, repro, mini, explain, plain, sanitized, replay = line.split("\t")
        h = history.get(sig, {"first_seen": started, "count": 0, "runs": 0})
        is_new = sig not in history and sig not in known
        h.update({"target": t, "last_seen": started, "count": h["count"] + int(count),
                  "runs": h["runs"] + 1})
        history[sig] = h
        if is_new:
            new.append(sig)
        report["buckets"].append({
            "signature": sig, "target": t, "new": is_new, "known_finding": sig in known,
            "count": int(count), "total_count": h["count"], "runs_seen": h["runs"],
            "first_seen": h["first_seen"], "last_seen": h["last_seen"], "reproducer": repro,
            "minimized": mini or None, "explain": explain or None,
            "reliability": {"plain": plain, "sanitized": sanitized}, "replay": replay})
    return new


def markdown(report: dict[str, Any]) -> str:
    """report.md."""
    started, commit, tree = report["started"], report["commit"], report["tree"]
    md = [f"# vmapfuzz nightly {started}", "",
          f"commit {commit} ({tree} tree), variant `{report['variant']}`, "
          f"{report['seconds_per_target']} s per target, libFuzzer "
          f"`-fork={report['fork_jobs']}`. Reproduce: `{report['command']}`", "",
          "| target | runs | exec/s | edges | features | corpus before | new inputs | "
          "corpus after | growth | failures |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for t in report["targets"]:
        c = t["corpus"]
        md.append(f"| {t['name']} | {t['runs']} | {t['exec_per_sec']} | "
                  f"{t['coverage']['edges']} | {t['coverage']['features']} | "
                  f"{c['total_before']} | {c['new_inputs']} | {c['total_after']} | "
                  f"{c['growth']:+d} | {t['failures']} |")
    md += ["", "## Corpus", "",
           "Set-cover merge: hand-written traces (`corpus/<t>/seeds`, `regression`) always stay; "
           "`seeds/nightly-*.trace` and the new inputs stay only if they add coverage.", ""]
    for t in report["targets"]:
        c = t["corpus"]
        where = f"corpus/{t['name']}/seeds/" if report["update_corpus"] else f"`{c['dir']}/`"
        md.append(f"- **{t['name']}**: {c['curated']} hand-written + {c['nightly_before']} "
                  f"nightly = {c['total_before']} before; {c['new_inputs']} new inputs; after: "
                  f"{c['curated']} + {c['nightly_after']} nightly = {c['total_after']} "
                  f"({c['nightly_kept']} kept, {c['nightly_added']} added, "
                  f"{c['nightly_removed']} pruned), in {where}. `{c['merge']}`")
        for kind, files in (("new", t["new_corpus_files"]), ("pruned", t["removed_corpus_files"])):
            if files:
                md.append(f"  <details><summary>{len(files)} {kind}</summary>\n\n  "
                          + " ".join(f"`{f}`" for f in files) + "\n  </details>\n")
        if not report["update_corpus"] and (t["new_corpus_files"] or t["removed_corpus_files"]):
            md.append(f"  - apply: `rm -f corpus/{t['name']}/seeds/nightly-*.trace && "
                      f"cp {c['dir']}/*.trace corpus/{t['name']}/seeds/`")
        md.append(f"  - fuzzed: `{t['commands']['fuzz']}`; merged: `{t['commands']['merge']}`")
    st = report.get("storage")
    if st:
        md += ["", "## Corpus repository", "",
               f"`{st['repo']}`, branch `{st['branch']}` (the growing corpus ClusterFuzzLite "
               f"shares, README \"Corpus storage\"): pulled: {st['pulled']}; pushed: "
               f"{st.get('pushed', 'no')}.", ""]
        for t in report["targets"]:
            g = t.get("storage")
            if g:
                md.append(f"- **{t['name']}**: `corpus/{t['name']}_fuzz/` {g['before']} files "
                          f"({g['candidates']} not in the committed corpus, fuzzed and merged as "
                          f"candidates) -> {g['after']} ({g['added']} added, {g['removed']} "
                          f"dropped)." + (f" `{g['merge']}`" if g["merge"] else ""))
    md += ["", "## Failure buckets", ""]
    if not report["buckets"]:
        md.append("No failures.")
    else:
        md += ["| signature | target | this run | total | first seen | last seen | "
               "reliability plain / sanitized | status |",
               "|---|---|---:|---:|---|---|---|---|"]
        for b in report["buckets"]:
            status = ("**NEW**" if b["new"] else
                      ("known finding" if b["known_finding"] else "seen before"))
            md.append(f"| `{b['signature']}` | {b['target']} | {b['count']} | "
                      f"{b['total_count']} | {b['first_seen']} | {b['last_seen']} | "
                      f"{b['reliability']['plain']} / {b['reliability']['sanitized']} | "
                      f"{status} |")
        for b in report["buckets"]:
            md += ["", f"### `{b['signature']}`", "", f"Replay: `{b['replay']}`", ""]
            if b["explain"]:
                md.append(f"Explained in `{b['explain']}`; minimized trace:")
            if b["minimized"] and b["minimized"].endswith(".trace"):
                with open(b["minimized"]) as f:
                    md += ["", "```"] + f.read().rstrip("\n").split("\n") + ["```"]
    beh = report.get("behaviour")
    if beh:
        status = ("every case replays" if beh["exit"] == 0 else
                  f"**exit {beh['exit']}: a case failed replay (an engine or model bug)**")
        md += ["", "## Caller-visible behaviour changes", "",
               "Partial `vunmap_range`, `set_memory_valid(0)` (also with BBML2_NOABORT) and "
               "`set_memory_ro` of mappings the series makes huge, per variant "
               "(docs/behaviour-changes.md); `behaviour:` buckets are by design, not failures. "
               f"Reproduce: `{beh['command']}`; {status}.", ""]
        md += beh["tables"].rstrip("\n").split("\n")
    md += ["", "## Semantic coverage", "",
           "Hits per geometry x variant over the corpus after the merge "
           "(`vmapfuzz replay --coverage`). Events hit somewhere in this run but never in a "
           "configuration are listed as missing.", ""]
    every: set[str] = set()
    for t in report["targets"]:
        for row in t["semantic_coverage"]["hits"].values():
            every |= set(row)
    for t in report["targets"]:
        sc = t["semantic_coverage"]
        md.append(f"<details><summary>{t['name']}: {sc['traces']} traces, "
                  f"{len(sc['hits'])} configurations</summary>\n")
        md.append(f"Reproduce: `{t['commands']['semantic']}`\n")
        for cfg, row in sc["hits"].items():
            md += [f"**{cfg}**: {len(row)} events", "", "| event | hits |", "|---|---:|"]
            md += [f"| {e} | {n} |" for e, n in row.items()]
            missing = sorted(every - set(row))
            md += ["", f"missing: {', '.join(missing) if missing else 'none'}", ""]
        md.append("</details>\n")
    return "\n".join(md) + "\n"


def summary(report: dict[str, Any], out: str, work: str) -> tuple[list[str], int]:
    """The lines ci/nightly prints at the end, and its exit status."""
    p = ["",
         f"{'target':<10} {'runs':>10} {'exec/s':>8} {'edges':>6} {'before':>7} {'new':>6} "
         f"{'after':>6} {'growth':>7}  failures"]
    for t in report["targets"]:
        c = t["corpus"]
        p.append(f"{t['name']:<10} {t['runs'] or '-':>10} {t['exec_per_sec'] or '-':>8} "
                 f"{t['coverage']['edges'] or '-':>6} {c['total_before']:>7} "
                 f"{c['new_inputs']:>6} {c['total_after']:>6} {c['growth']:>+7}  "
                 f"{t['failures']}")
    for b in report["buckets"]:
        tag = "NEW " if b["new"] else ""
        p.append(f"{tag}bucket {b['signature']}: {b['count']} this run, {b['total_count']} "
                 f"since {b['first_seen']}, reliability plain {b['reliability']['plain']} "
                 f"sanitized {b['reliability']['sanitized']}")
        p.append(f"  replay: {b['replay']}")
    st = report.get("storage")
    if st:
        p.append(f"corpus repository {st['repo']} ({st['branch']}): pulled {st['pulled']}, "
                 f"pushed {st.get('pushed', 'no')}")
    p.append(f"reports: {out}/report.md {out}/report.json")
    broken = [t["name"] for t in report["targets"] if t["runs"] is None]
    for t in broken:
        p.append(f"ci/nightly: {t}: the fuzzer did not run, see {work}/{t}/fuzz.log")
    beh = report.get("behaviour")
    beh_failed = beh is not None and beh["exit"] != 0
    if beh_failed:
        p.append(f"ci/nightly: vmapfuzz behaviour exited {beh['exit']}: a case failed replay; "
                 f"reproduce: {beh['command']}")
    new = report["new_buckets"]
    if new:
        p.append(f"ci/nightly: new buckets: {' '.join(new)}")
    return p, 1 if new or broken or beh_failed else 0


def utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv: list[str], now: Callable[[], str] = utc_now) -> int:
    if len(argv) < 11:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    out, started, variant, time_s, jobs, update, repeat, _root, commit, tree, command = argv[:11]
    targets = argv[11:]
    work = os.path.join(out, "runs")
    hist_path = os.path.join(out, "buckets.json")
    history: dict[str, Any] = {}
    if os.path.exists(hist_path):
        with open(hist_path) as f:
            history = json.load(f)
    with open(os.path.join(work, "known.txt")) as f:
        known = set(f.read().split())

    report: dict[str, Any] = {
        "started": started, "finished": None, "commit": commit, "tree": tree,
        "variant": variant, "seconds_per_target": int(time_s), "fork_jobs": int(jobs),
        "update_corpus": update == "1", "replays_per_reliability": int(repeat),
        "command": command, "targets": [], "buckets": []}
    for t in targets:
        report["targets"].append(target_entry(work, t))
    storage_tsv = os.path.join(work, "storage.tsv")
    if os.path.exists(storage_tsv) and read_stats(storage_tsv):
        report["storage"] = read_stats(storage_tsv)
    beh = behaviour_entry(work)
    if beh:
        report["behaviour"] = beh
    new = add_buckets(report, history, known, lines(os.path.join(work, "buckets.tsv")), started)
    report["new_buckets"] = new
    report["finished"] = now()
    with open(hist_path, "w") as f:
        json.dump(history, f, indent=1, sort_keys=True)
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(markdown(report))

    text, rc = summary(report, out, work)
    print("\n".join(text))
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
