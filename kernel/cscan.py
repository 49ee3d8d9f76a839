# SPDX-License-Identifier: GPL-2.0-only
"""A small C scanner for kernel/extract.py: enough C to cut function definitions out of
a file by name, without a preprocessor or a parser.

It knows comments, string and character literals (with escapes), preprocessor lines
(with backslash continuations), brace and parenthesis depth, and attributes between a
parameter list and its body. It does not know K&R definitions (parameter declarations
between the list and the body) nor what macros expand to.
"""

from __future__ import annotations

import re

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Words that are followed by '(' without naming a function.
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "do", "else", "case",
            "typeof", "__typeof__", "defined"}

# A definition is {name: (start, body_start, end)}: byte offsets of the first character of
# the declaration, of the body's '{', and one past the body's '}'.
Definition = tuple[int, int, int]


def skip_comment_or_string(text: str, i: int) -> int | None:
    """If a comment or a string or character literal starts at i, the index after it;
    else None. A literal ends at its closing quote or, unterminated, at the end of its line."""
    n = len(text)
    if text.startswith("/*", i):
        j = text.find("*/", i + 2)
        return n if j < 0 else j + 2
    if text.startswith("//", i):
        j = text.find("\n", i)
        return n if j < 0 else j
    if text[i] in "\"'":
        j = i + 1
        while j < n and text[j] != text[i] and text[j] != "\n":
            j += 2 if text[j] == "\\" else 1
        return min(j + 1, n) if j < n and text[j] == text[i] else min(j, n)
    return None


def skip_preprocessor(text: str, i: int) -> int:
    """The index of the newline ending the preprocessor line at i (continuations
    followed), or len(text)."""
    n = len(text)
    while i < n and text[i] != "\n":
        if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            continue
        i += 1
    return i


def _at_line_start(text: str, i: int) -> bool:
    """Whether only blanks stand between the previous newline and i."""
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j < 0 or text[j] == "\n"


def _match(text: str, i: int, opening: str, closing: str, skip_directives: bool) -> int:
    """The index of the `closing` that closes the `opening` at i, or -1; comments and
    literals are skipped, and preprocessor lines too with `skip_directives`."""
    depth = 0
    j = i
    n = len(text)
    while j < n:
        after = skip_comment_or_string(text, j)
        if after is not None:
            j = after
            continue
        c = text[j]
        if skip_directives and c == "#" and _at_line_start(text, j):
            j = skip_preprocessor(text, j)
            continue
        if c == opening:
            depth += 1
        elif c == closing:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1


def match_paren(text: str, i: int) -> int:
    """The index of the ')' closing the '(' at i (comments and literals skipped), or -1."""
    return _match(text, i, "(", ")", skip_directives=False)


def match_brace(text: str, i: int) -> int:
    """One past the '}' closing the '{' at i (comments, literals and preprocessor lines
    skipped), or -1."""
    j = _match(text, i, "{", "}", skip_directives=True)
    return j + 1 if j >= 0 else -1


def _skip_blanks(text: str, k: int) -> int:
    """Past whitespace and comments."""
    n = len(text)
    while k < n:
        if text[k] in " \t\n":
            k += 1
        elif text.startswith(("/*", "//"), k):
            k = skip_comment_or_string(text, k)
        else:
            break
    return k


def body_after(text: str, close: int) -> int:
    """The index of the '{' of a body after the ')' at close, past blanks, comments and
    attributes (`__attribute__((...))`, `__acquires(x)` and other `__word` or `__word(...)`),
    or -1 when something else follows (';', a K&R parameter declaration, ...)."""
    n = len(text)
    k = _skip_blanks(text, close + 1)
    while k < n and text.startswith("__", k):
        m = IDENT.match(text, k)
        k = _skip_blanks(text, m.end())
        if k < n and text[k] == "(":
            end = match_paren(text, k)
            if end < 0:
                return -1
            k = _skip_blanks(text, end + 1)
    return k if k < n and text[k] == "{" else -1


def scan(text: str) -> dict[str, Definition]:
    """Top-level function definitions of a C file.

    Returns {name: (start, body_start, end)} of the first definition of each name: `start`
    is the first character of the declaration, `end` one past the closing brace. Comments,
    literals and preprocessor lines are skipped; a name counts when it is followed by a
    parameter list and a body at brace depth 0.
    """
    defs: dict[str, Definition] = {}
    n = len(text)
    i = 0
    depth = 0
    boundary = 0  # where the next top-level declaration may start
    line_start = True
    while i < n:
        c = text[i]
        if c == "\n":
            line_start = True
            i += 1
            continue
        if line_start and c in " \t":
            i += 1
            continue
        if line_start and c == "#":
            i = skip_preprocessor(text, i)
            if depth == 0:
                boundary = i
            continue
        line_start = False
        after = skip_comment_or_string(text, i)
        if after is not None:
            # a comment at depth 0 ends the previous declaration
            if depth == 0 and c not in "\"'":
                boundary = after
            i = after
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                boundary = i + 1
        elif c == ";" and depth == 0:
            boundary = i + 1
        elif depth == 0 and (c.isalpha() or c == "_"):
            m = IDENT.match(text, i)
            name = m.group(0)
            j = m.end()
            while j < n and text[j] in " \t\n":
                j += 1
            if j < n and text[j] == "(" and name not in KEYWORDS:
                close = match_paren(text, j)
                k = body_after(text, close) if close > 0 else -1
                if k > 0 and name not in defs:
                    start = boundary
                    while start < i and text[start] in " \t\n":
                        start += 1
                    end = match_brace(text, k)
                    if end > 0:
                        defs[name] = (start, k, end)
                        i = end
                        boundary = end
                        continue
            i = m.end()
            continue
        i += 1
    return defs


# Macros that define a top-level object by name: `[static] MACRO(name, ...);`.
OBJECT_MACROS = ("LLIST_HEAD", "LIST_HEAD", "DECLARE_WORK", "DEFINE_SPINLOCK", "DEFINE_MUTEX",
                 "DEFINE_STATIC_KEY_FALSE", "DEFINE_STATIC_KEY_TRUE")
_OBJECT = re.compile(r"^(?:static[ \t]+)?(?:%s)\([ \t]*([A-Za-z_]\w*)[^;{}]*\)[ \t]*;"
                     % "|".join(OBJECT_MACROS), re.M)


# A table of operations: a static const struct with a brace initializer that holds no
# braces itself (`static const struct mm_walk_ops pageattr_ops = { .pte_entry = f, };`).
_OPS_TABLE = re.compile(r"^static[ \t]+const[ \t]+struct[ \t]+\w+[ \t]+([A-Za-z_]\w*)[ \t]*=[ \t]*"
                        r"\{[^{};]*\}[ \t]*;", re.M)


def scan_objects(text: str) -> dict[str, Definition]:
    """Top-level objects defined by one of OBJECT_MACROS at the start of a line
    (`static LLIST_HEAD(pending);`, `static DECLARE_WORK(work, fn);`), and tables of
    operations (`static const struct mm_walk_ops ops = { ... };`, see _OPS_TABLE).

    Returns {name: (start, end, end)}, `end` one past the semicolon; the first of each name.
    Lines inside comments never match: a comment line starts with '*' or '/'.
    """
    defs: dict[str, Definition] = {}
    for rx in (_OBJECT, _OPS_TABLE):
        for m in rx.finditer(text):
            defs.setdefault(m.group(1), (m.start(), m.end(), m.end()))
    return defs


def strip_comments(text: str) -> str:
    """The code of `text`: each comment becomes a space, each string literal "" and each
    character literal ''. Preprocessor lines stay."""
    out = []
    i = 0
    last = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c not in "/\"'":
            i += 1
            continue
        after = skip_comment_or_string(text, i)
        if after is None:
            i += 1
            continue
        out.append(text[last:i])
        out.append(" " if c == "/" else c + c)
        i = last = after
    out.append(text[last:])
    return "".join(out)


def names_used(code: str) -> set[str]:
    """The identifiers of a function's text outside comments and literals: the functions it
    calls, and those it names without calling (a function pointer), among others."""
    return set(IDENT.findall(strip_comments(code)))
