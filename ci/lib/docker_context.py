# SPDX-License-Identifier: GPL-2.0-only
"""The docker build context of the repository, as `.dockerignore` shapes it.

`.clusterfuzzlite/Dockerfile` copies the whole context into the image (`COPY . $SRC/vmapfuzz`),
so `.dockerignore` decides what .clusterfuzzlite/build.sh can read. Docker does not run here;
ci/check-build-sh runs build.sh on a copy of the context made by this module, so a rule that
drops a file build.sh needs fails that check.

The rules, as docker applies them: one pattern a line; `#` lines and blank lines are skipped;
surrounding spaces and a leading `/` are dropped and the path is cleaned; a pattern is anchored
at the top of the context; `*` matches within one path element, `?` one character of it,
`[...]` a class, `**` any number of elements (none included), `\\` escapes; a leading `!` makes
an exception. A path is left out when the last pattern that matches it, or one of the folders
above it, is not an exception.

Usage:
  docker_context.py [--dockerignore FILE] --list SRC        the files of the context
  docker_context.py [--dockerignore FILE] SRC DEST          copies them into DEST (new)
FILE defaults to SRC/.dockerignore. Exit 0, 2 on a usage error or an unreadable pattern.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import re
import shutil
import sys
from dataclasses import dataclass


class PatternError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    text: str
    regex: re.Pattern[str]
    exception: bool


def translate(pattern: str) -> str:
    """The regular expression of one cleaned pattern (path elements joined by '/')."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                i += 2
                while i < n and pattern[i] == "*":
                    i += 1
                if i == n:
                    out.append(".*")
                elif pattern[i] == "/":
                    out.append("(?:.*/)?")  # "**/": any folders, or none
                    i += 1
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j < 0:
                raise PatternError(f"unclosed '[' in {pattern!r}")
            out.append(pattern[i:j + 1])  # [a-z], [^a-z]: the same in Go's and Python's regexps
            i = j
        elif c == "\\":
            if i + 1 == n:
                raise PatternError(f"trailing '\\' in {pattern!r}")
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def parse(text: str) -> list[Rule]:
    """The rules of a .dockerignore, in order."""
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        if exception:
            line = line[1:].strip()
        pattern = posixpath.normpath(line).lstrip("/")
        if pattern in ("", "."):
            continue
        rules.append(Rule(line, re.compile(translate(pattern) + r"\Z"), exception))
    return rules


def excluded(rules: list[Rule], path: str) -> bool:
    """Is PATH (relative, '/'-separated) left out of the context?"""
    parts = path.split("/")
    prefixes = ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]
    out = False
    for r in rules:
        if any(r.regex.match(p) for p in prefixes):
            out = not r.exception
    return out


def files(src: str, rules: list[Rule]) -> list[str]:
    """Every file and symbolic link of the context, relative to SRC, sorted. A folder left out
    is not walked unless an exception could bring something back from inside it."""
    any_exception = any(r.exception for r in rules)
    found = []
    for top, dirs, names in os.walk(src):
        rel_top = os.path.relpath(top, src)
        rel_top = "" if rel_top == "." else rel_top.replace(os.sep, "/") + "/"
        keep = []
        for d in sorted(dirs):
            p = rel_top + d
            if os.path.islink(os.path.join(top, d)):
                names.append(d)  # copied as a link, never followed
            elif any_exception or not excluded(rules, p):
                keep.append(d)
        dirs[:] = keep
        for name in names:
            p = rel_top + name
            if not excluded(rules, p):
                found.append(p)
    return sorted(found)


def copy(src: str, dest: str, paths: list[str]) -> None:
    os.makedirs(dest)
    for p in paths:
        s, d = os.path.join(src, p), os.path.join(dest, p)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if os.path.islink(s):
            os.symlink(os.readlink(s), d)
        else:
            shutil.copy2(s, d)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="docker_context.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dockerignore", help="the rules (default SRC/.dockerignore)")
    ap.add_argument("--list", action="store_true", help="print the files, copy nothing")
    ap.add_argument("src")
    ap.add_argument("dest", nargs="?")
    args = ap.parse_args(argv)
    if args.list == (args.dest is not None):
        ap.error("give either --list or DEST")
    ignore = args.dockerignore or os.path.join(args.src, ".dockerignore")
    try:
        with open(ignore) as f:
            rules = parse(f.read())
    except FileNotFoundError:
        rules = []
    except PatternError as e:
        print(f"docker_context.py: {ignore}: {e}", file=sys.stderr)
        return 2
    paths = files(args.src, rules)
    if args.list:
        print("\n".join(paths))
        return 0
    if os.path.exists(args.dest):
        print(f"docker_context.py: {args.dest} exists", file=sys.stderr)
        return 2
    copy(args.src, args.dest, paths)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
