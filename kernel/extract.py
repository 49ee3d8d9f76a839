#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Build the kernel implementation's translation unit from a kernel tree.

    extract.py --tree DIR --out DIR [--cc CC] [--name NAME]

Steps, each reported by name when it fails:
  locate   find the files in the tree (mm/vmalloc.c and the arm64 helpers);
  extract  cut the needed functions out by name, byte for byte: the entry
           functions and, transitively, every function they call that the
           same files define (the shims supply the rest);
  probe    detect the API era with small compile probes and text checks;
  build    compile the slices against kernel/shim/ per unit (core: the
           phys-range and unmap walkers; vmap: vmap(); vmalloc:
           __vmalloc_area_node()), dropping a unit that does not compile.

Output in --out (the build tree, never the source tree): kernel_tu.c (the
slices; not for distribution), manifest.json (tree version, slice hashes,
probes, era, units) and report.txt. The exit status is 0 when at least the
core unit builds, 2 when the tree cannot be used (the message says why).
Reports name slices as file:function only; compiler messages are shown
without source lines. The C scanning (comments, literals, preprocessor
lines, definitions by name, the names a function uses) is in cscan.py.
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

from cscan import names_used, scan, scan_objects, strip_comments

HERE = os.path.dirname(os.path.abspath(__file__))
SHIM = os.path.join(HERE, "shim")

# Files searched for definitions, in the order the translation unit needs
# them (arch hooks before the generic fallbacks, helpers before callers).
# For headers only the listed names are taken.
FILES = [
    ("arch/arm64/include/asm/vmalloc.h", {
        "arch_vmap_pud_supported", "arch_vmap_pmd_supported",
        "arch_vmap_pte_range_map_size", "arch_vmap_pte_range_unmap_size",
        "arch_vmap_pte_supported_shift", "arch_vmap_pgprot_tagged"}),
    ("arch/arm64/mm/mmu.c", None),
    ("arch/arm64/mm/hugetlbpage.c", None),
    ("include/linux/mm.h", {"num_pages_contiguous"}),
    ("mm/vmalloc.c", None),
    # The pageattr unit's (optional: a tree may lack them). 6.12 and 6.1 walk
    # with apply_to_page_range() of mm/memory.c, the 2026 trees with
    # walk_kernel_page_table_range_lockless() of mm/pagewalk.c.
    ("mm/memory.c", None),
    ("mm/pagewalk.c", None),
    ("arch/arm64/mm/pageattr.c", None),
]
REQUIRED_FILES = ["mm/vmalloc.c", "arch/arm64/mm/mmu.c", "arch/arm64/mm/hugetlbpage.c",
                  "arch/arm64/include/asm/vmalloc.h"]

# The same generic code with the x86-64 hooks instead of arm64's: the
# second architecture a tree is built for when it has these files.
X86_FILES = [
    ("arch/x86/include/asm/vmalloc.h", {"arch_vmap_pud_supported", "arch_vmap_pmd_supported"}),
    ("arch/x86/mm/pgtable.c", None),
    ("include/linux/mm.h", {"num_pages_contiguous"}),
    ("mm/vmalloc.c", None),
    # The pageattr-x86 unit's (optional).
    ("arch/x86/mm/pat/set_memory.c", None),
]
X86_REQUIRED_FILES = ["mm/vmalloc.c", "arch/x86/mm/pgtable.c", "arch/x86/include/asm/vmalloc.h"]

# The configurations the slices are built for, one engine geometry each:
# (key, VA bits, geometry). For arm64 the key is the granule shift, and
# kernel/shim/kshim_arm64.h derives levels, sizes and folding from it and
# the VA size (VMAPFUZZ_GRANULE_SHIFT, VMAPFUZZ_VA_BITS); the first row is
# the default of the shims and the probes. "x86" rows build the x86-64
# slices (X86_FILES, kernel/shim/kshim_x86.h) with 4 or 5 levels.
GEOMETRIES = [
    ("12", 48, "arm64-4k-48"),
    ("12", 39, "arm64-4k-39"),
    ("14", 47, "arm64-16k-47"),
    ("14", 48, "arm64-16k-48"),
    ("16", 42, "arm64-64k-42"),
    ("16", 48, "arm64-64k-48"),
    ("x86", 48, "x86-64-4l"),
    ("x86", 57, "x86-64-5l"),
]


# The x86-64 geometry a unit of x86's own must compile for to be built.
X86_DEFAULT = ("x86", 48)


def geometry_flags(key, va_bits):
    if key == "x86":
        return ["-DVMAPFUZZ_ARCH_X86=1", "-DVMAPFUZZ_VA_BITS=%d" % va_bits]
    return ["-DVMAPFUZZ_GRANULE_SHIFT=%s" % key, "-DVMAPFUZZ_VA_BITS=%d" % va_bits]


def geometry_wrapper(key, va_bits):
    """The file name of the translation unit of one geometry (--out)."""
    return "kernel_geo_%s_%d.c" % (key, va_bits)


def geometry_tu(key):
    """The slices a geometry's translation unit includes."""
    return "kernel_tu_x86.c" if key == "x86" else "kernel_tu.c"


# Roots of each unit. Optional roots may be missing from a tree.
UNITS = [
    ("core", ["ioremap_page_range", "vunmap_range", "vunmap_range_noflush"],
     ["vmap_page_range"]),
    ("vmap", ["vmap"], []),
    ("vmalloc", ["__vmalloc_area_node"], []),
]
UNIT_ROOTS = {unit: roots + optional for unit, roots, optional in UNITS}

# arm64's permission changes (the set_memory op, docs/pageattr.md): the
# tree's arch/arm64/mm/pageattr.c, walking with apply_to_page_range() of
# mm/memory.c (6.12, 6.1) or walk_kernel_page_table_range_lockless() of
# mm/pagewalk.c after split_kernel_leaf_mapping() of mmu.c (the 2026 trees).
# Optional: a tree without pageattr.c, those roots or either walker lacks the
# unit, and set_memory stays with the engine.
PAGEATTR_ROOTS = ["set_memory_ro", "set_memory_rw", "set_memory_x", "set_memory_nx",
                  "set_memory_valid"]
UNITS.append(("pageattr", PAGEATTR_ROOTS, ["set_memory_rox"]))
UNIT_ROOTS["pageattr"] = PAGEATTR_ROOTS + ["set_memory_rox"]
# Files only one unit's closure may take functions from: the other units
# keep naming what the shims give them (mm/memory.c defines many helpers
# the vmalloc.c slices name, such as __pte_alloc_kernel()).
SCOPED_FILES = {"mm/memory.c": "pageattr", "mm/pagewalk.c": "pageattr",
                "arch/arm64/mm/pageattr.c": "pageattr",
                "arch/x86/mm/pat/set_memory.c": "pageattr-x86"}
# The files a unit cannot be without.
UNIT_FILES = {"pageattr": ["arch/arm64/mm/pageattr.c"],
              "pageattr-x86": ["arch/x86/mm/pat/set_memory.c"]}
# A unit whose roots exist but reach none of these functions lacks the unit.
UNIT_MUST_REACH = {
    "pageattr": ("set_memory_ro", ("apply_to_page_range", "walk_kernel_page_table_range_lockless")),
    "pageattr-x86": ("set_memory_ro", ("change_page_attr_set_clr",)),
}
# Units of arm64's own files: the x86-64 build takes the other units' roots.
ARM64_ONLY_UNITS = {"pageattr"}

# x86-64's permission changes (the set_memory op on x86-64, docs/pageattr.md
# "x86-64"): the set_memory_*() of arch/x86/mm/pat/set_memory.c through
# change_page_attr_set_clr() ("CPA"), in every era. set_memory_p/np are the
# valid/invalid modes; set_memory_rox is optional (6.1 has none: the
# generic ro then x of shim/kentry.c). Built on top of the x86-64 slices of
# the units above, and optional: a tree without the file, or whose slices do
# not compile against shim/kshim_cpa_x86.h, builds x86-64 without it, and
# its set_memory ops on x86-64 leave the kernel implementation NOT-JUDGED.
X86_PAGEATTR_ROOTS = ["set_memory_ro", "set_memory_rw", "set_memory_x", "set_memory_nx",
                      "set_memory_p", "set_memory_np"]
X86_UNITS = [("pageattr-x86", X86_PAGEATTR_ROOTS, ["set_memory_rox"])]
UNIT_ROOTS["pageattr-x86"] = X86_PAGEATTR_ROOTS + ["set_memory_rox"]

# Defined by the shims or the host; never taken from the tree even where
# the tree defines them (the vm area allocator, the page allocator).
SHIMMED = {
    "vunmap", "vfree", "find_vm_area", "get_vm_area", "get_vm_area_caller",
    "free_vm_area", "remove_vm_area", "__vmalloc_node_noprof", "__vmalloc_node",
    "kvfree", "warn_alloc", "vmalloc_to_page", "is_vmalloc_addr", "set_pte_at",
    "__set_ptes", "set_ptes", "ptep_get", "__ptep_get", "pte_clear",
    "ptep_get_and_clear", "__ptep_get_and_clear", "pgd_offset_k",
    "pte_offset_kernel", "pmd_offset", "pud_offset", "p4d_offset",
    "get_vm_area_size", "totalram_pages",
    "__vfree",  # 6.1: __vmalloc_area_node() frees through __vfree()
    # pageattr: no linear map is modelled (rodata_full off), and the lazily
    # freed areas vm_unmap_aliases() would purge are purged when freed.
    "vm_unmap_aliases", "rodata_full", "can_set_direct_map",
}

# The kernel's own vm area allocator. No slice may take it: areas are the
# harness's (placed at the trace's VA), so these names are never extracted
# even where a tree defines them, and a unit whose code calls one that the
# shims do not provide fails to build, reported under "vm area allocator".
AREA_ALLOCATOR = {
    "__get_vm_area_node", "__get_vm_area_caller", "alloc_vmap_area", "__alloc_vmap_area",
    "free_vmap_area", "free_vmap_area_noflush", "find_vmap_area", "find_unlink_vmap_area",
    "insert_vmap_area", "merge_or_add_vmap_area", "find_vmap_lowest_match", "setup_vmalloc_vm",
    "remove_vm_area", "free_vm_area", "get_vm_area", "get_vm_area_caller",
    # vmap()'s aligned area (the series' patch 6): shimmed over the
    # harness's placement, which honours the alignment asked for.
    "__get_vm_area_node_aligned_caller", "addr_to_node",
    "id_to_node", "node_alloc", "preload_this_cpu_lock", "purge_vmap_node",
    "__purge_vmap_area_lazy", "free_unmap_vmap_area", "vm_area_add_early",
}
SHIMMED |= AREA_ALLOCATOR

# Entry functions whose calls the host counts (engine Counters).
COUNTED = {
    "set_huge_pte_at": "VMAPFUZZ_COUNT_SET_HUGE_PTE_AT",
    "pmd_set_huge": "VMAPFUZZ_COUNT_PMD_SET_HUGE",
    "pud_set_huge": "VMAPFUZZ_COUNT_PUD_SET_HUGE",
}

# How a counted call's result is counted too: a pXd_set_huge() that
# succeeded wrote a block, which the architecture counts there or in
# set_pmd()/set_pud() (vmapfuzz_set_huge_result in kshim_<arch>.h).
COUNTED_RESULT = {
    "pmd_set_huge": "vmapfuzz_set_huge_result(VMAPFUZZ_COUNT_PMD_BLOCKS, {})",
    "pud_set_huge": "vmapfuzz_set_huge_result(VMAPFUZZ_COUNT_PUD_BLOCKS, {})",
}

# The shim areas a missing or mismatched symbol belongs to, first match wins
# (kernel/README.md, "What the shims do"); the report groups by them.
SHIM_AREAS = [
    ("vm area allocator", re.compile(
        r"^(%s)$|vm_area|vmap_area|vmap_node|vmap_zone|vmap_nodes|vmalloc_addr"
        % "|".join(sorted(AREA_ALLOCATOR)))),
    ("TLB and cache maintenance", re.compile(r"flush|tlb|TLB")),
    ("locking, guards and static keys", re.compile(
        r"lock|guard|static_branch|static_key|_key$|rcu|spin|mutex|preempt")),
    ("memory-allocation scopes", re.compile(r"memalloc")),
    ("deferred work and lock-free lists", re.compile(r"llist|LLIST|work|schedule")),
    ("page allocator and accounting", re.compile(
        r"gfp|GFP|^NR_|lruvec|memcg|alloc_pages|page_state|totalram|split_page|struct page$")),
    ("page-table entries and descriptors", re.compile(
        r"^(__)?(hw_)?(pte|pmd|pud|p4d|pgd|pgprot|ptep|pmdp|pudp|p4dp|pgdp|pfn)|"
        r"_(pte|pmd|pud|p4d|pgd)$|_anysz$|(PTE|PMD|PUD|P4D|PGD|PAGE|CONT)_")),
    ("kernel library (macros, bit operations, types)", re.compile(r".")),
]
_Q = "[\u2018'`]([^\u2019']+)[\u2019']"
_MISSING = [re.compile(p) for p in (
    r"implicit declaration of function " + _Q,
    r"call to undeclared function " + _Q,
    r"use of undeclared identifier " + _Q,
    _Q + r" undeclared",
    r"unknown type name " + _Q,
    r"invalid use of undefined type " + _Q,
    r"storage size of " + _Q + r" isn.t known",
)]
_MISMATCHED = [re.compile(p) for p in (
    r"too (?:many|few) arguments to function " + _Q,
    r"passing argument \d+ of " + _Q,
    r"incompatible type for argument \d+ of " + _Q,
    r"conflicting types for " + _Q,
    r"static declaration of " + _Q + r" follows",
)]


def shim_area(symbol):
    name = symbol.split(".")[0].strip()
    for area, rx in SHIM_AREAS:
        if rx.search(name):
            return area
    return SHIM_AREAS[-1][0]


def classify_errors(msgs):
    """The symbols compiler errors name, by kind and shim area:
    {"missing": {area: [symbol, ...]}, "mismatched": {...}, "other": [message, ...]}.
    A symbol is listed once, at its first error; `other` keeps errors that name none."""
    out = {"missing": {}, "mismatched": {}, "other": []}
    seen = set()
    member = re.compile(r"[\u2018'`]struct (\w+)[\u2019'] has no member named [\u2018'`](\w+)")
    for line in msgs.splitlines():
        text = line.split(": error: ", 1)[-1]
        kind = sym = None
        m = member.search(text)
        if m:
            kind, sym = "mismatched", "struct %s.%s" % (m.group(1), m.group(2))
        else:
            for k, pats in (("missing", _MISSING), ("mismatched", _MISMATCHED)):
                for rx in pats:
                    m = rx.search(text)
                    if m:
                        kind, sym = k, m.group(1)
                        break
                if kind:
                    break
        if not kind:
            if text not in out["other"]:
                out["other"].append(text)
            continue
        if sym in seen:
            continue
        seen.add(sym)
        where = line.split(": error:", 1)[0]
        out[kind].setdefault(shim_area(sym), []).append("%s (%s)" % (sym, where))
    return out


def without(sym, base):
    """`sym` less the symbols and messages `base` already lists (a unit's own, beyond core's)."""
    names = {n.split(" (")[0] for kind in ("missing", "mismatched")
             for lst in base[kind].values() for n in lst}
    out = {"missing": {}, "mismatched": {}, "other": [t for t in sym["other"]
                                                       if t not in base["other"]]}
    for kind in ("missing", "mismatched"):
        for area, lst in sym[kind].items():
            keep = [n for n in lst if n.split(" (")[0] not in names]
            if keep:
                out[kind][area] = keep
    return out


def symbols_text(sym, indent="    "):
    """Every missing or mismatched symbol, grouped by shim area, for report.txt."""
    lines = []
    for kind in ("missing", "mismatched"):
        for area in sorted(sym[kind]):
            lines.append("%s%s, %s: %s" % (indent, kind, area, ", ".join(sym[kind][area])))
    for text in sym["other"]:
        lines.append("%sother error: %s" % (indent, text))
    return lines


def symbols_summary(sym):
    """One line: counts and the first names, for the unit table."""
    parts = []
    for kind in ("missing", "mismatched"):
        names = [n.split(" (")[0] for area in sorted(sym[kind]) for n in sym[kind][area]]
        if names:
            shown = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
            parts.append("%s %d (%s)" % (kind, len(names), shown))
    if sym["other"]:
        parts.append("%d other error%s" % (len(sym["other"]), "" if len(sym["other"]) == 1 else "s"))
    return "; ".join(parts)


def unit_table(units):
    """The one-screen table: unit, status, and what is missing where it did not build."""
    rows = [("unit", "status", "missing or mismatched symbols")]
    for unit, d in units.items():
        detail = ""
        if d.get("symbols"):
            detail = symbols_summary(d["symbols"])
        elif d.get("reason"):
            detail = d["reason"].splitlines()[0]
        rows.append((unit, d["status"], detail))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    lines = [("%-*s  %-*s  %s" % (w0, a, w1, b, c)).rstrip() for a, b, c in rows]
    # One screen: 100 columns; report.txt has every symbol.
    return [l if len(l) <= 100 else l[:96] + " ..." for l in lines]


class Unusable(Exception):
    """The tree cannot be used; the message names the step and the cause."""


def read_version(tree):
    path = os.path.join(tree, "Makefile")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            head = f.read(4096)
    except OSError:
        return "unknown (no Makefile)"
    fields = {}
    for key in ("VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION"):
        m = re.search(r"^%s[ \t]*=[ \t]*(\S*)" % key, head, re.M)
        fields[key] = m.group(1) if m else ""
    v = "%s.%s.%s%s" % (fields["VERSION"], fields["PATCHLEVEL"], fields["SUBLEVEL"],
                        fields["EXTRAVERSION"])
    return v if fields["VERSION"] else "unknown"


class Tree:
    def __init__(self, root, files=None, required=None):
        self.root = root
        self.files = files or FILES
        self.required = required or REQUIRED_FILES
        self.order = {path: i for i, (path, _) in enumerate(self.files)}
        self.text = {}   # path -> file text
        self.defs = {}   # path -> {name: (start, body, end)}
        self.where = {}  # name -> path (first file in FILES order that defines it)
        self.objects = set()  # names that are objects (scan_objects), not functions

    def locate(self):
        if not os.path.isdir(self.root):
            raise Unusable("locate: %s is not a directory" % self.root)
        missing = [p for p in self.required if not os.path.isfile(os.path.join(self.root, p))]
        if missing:
            raise Unusable("locate: %s lacks %s" % (self.root, ", ".join(missing)))
        for path, allow in self.files:
            full = os.path.join(self.root, path)
            if not os.path.isfile(full):
                continue
            with open(full, encoding="utf-8", errors="surrogateescape") as f:
                self.text[path] = f.read()
            defs = scan(self.text[path])
            if allow is None:
                for name, d in scan_objects(self.text[path]).items():
                    if name not in defs:
                        defs[name] = d
                        self.objects.add(name)
            else:
                defs = {k: v for k, v in defs.items() if k in allow}
            self.defs[path] = defs
            for name in defs:
                if name not in SHIMMED:
                    self.where.setdefault(name, path)

    def slice(self, name):
        path = self.where[name]
        start, _, end = self.defs[path][name]
        return self.text[path][start:end]

    def signature(self, name):
        path = self.where[name]
        start, body, _ = self.defs[path][name]
        return self.text[path][start:body].rstrip()

    def line_of(self, name):
        path = self.where[name]
        return self.text[path].count("\n", 0, self.defs[path][name][0]) + 1

    def visible(self, name, unit):
        """Whether `unit`'s closure may take `name` (SCOPED_FILES)."""
        scope = SCOPED_FILES.get(self.where[name])
        return scope is None or unit is None or scope == unit

    def closure(self, roots, unit=None):
        """Roots plus every tree function they reach (for `unit`: within the
        files it may take functions from)."""
        seen = set()
        todo = [r for r in roots if r in self.where and self.visible(r, unit)]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for ident in names_used(self.slice(name)):
                if (ident in self.where and ident not in seen and ident != name and
                        self.visible(ident, unit)):
                    todo.append(ident)
        return seen


def find_units(tree, unit_list=None):
    """Each unit of `unit_list` (UNITS): {"status": "found", "functions": [...]} (the
    closure of its roots), or {"status": "missing", "reason": ...}."""
    units = {}
    for unit, roots, optional in unit_list or UNITS:
        absent = [p for p in UNIT_FILES.get(unit, []) if p not in tree.text]
        if absent:
            units[unit] = {"status": "missing", "reason": "the tree has no %s" % ", ".join(absent)}
            continue
        missing = [r for r in roots if r not in tree.where or not tree.visible(r, unit)]
        if missing:
            units[unit] = {"status": "missing", "reason": "no definition of %s" % ", ".join(
                "%s in %s" % (m, "the tree") for m in missing)}
            continue
        if unit in UNIT_MUST_REACH:
            frm, to = UNIT_MUST_REACH[unit]
            if not set(to) & tree.closure([frm], unit):
                units[unit] = {"status": "missing", "reason": "%s:%s does not reach %s" % (
                    tree.where[frm], frm, " or ".join(to))}
                continue
        names = tree.closure(roots + [r for r in optional if r in tree.where], unit)
        units[unit] = {"status": "found", "functions": sorted(names)}
    return units


def ioremap_area_check(tree):
    """Whether the tree's ioremap_page_range() checks its vm area (6.1's does
    not: its body is what later trees call vmap_page_range())."""
    if "ioremap_page_range" not in tree.where:
        return None
    return "find_vm_area" in strip_comments(tree.slice("ioremap_page_range"))


def tu_text(tree, names, version):
    """The generated translation unit for the given set of functions."""
    out = []
    out.append("/* Generated by vmapfuzz kernel/extract.py from a kernel tree (%s).\n"
               " * Contains slices of that tree under its own licence: build-tree only,\n"
               " * never committed or distributed. */\n" % version)
    for name in sorted(tree.where):
        if name in names:
            out.append("#define VMAPFUZZ_HAVE_%s 1\n" % name)
    if "vmap_page_range" not in names and ioremap_area_check(tree) is False:
        out.append("#define VMAPFUZZ_IOREMAP_PAGE_RANGE_UNCHECKED 1\n")
    # 6.1's x86 set_memory_p() is a static helper taking the address by pointer.
    if "set_memory_p" in names and re.search(r"\*\s*addr\b", tree.signature("set_memory_p")):
        out.append("#define VMAPFUZZ_SET_MEMORY_P_BY_POINTER 1\n")
    out.append('#include "kshim.h"\n')
    # Internal linkage for every function the tree defines without `static`:
    # a prior static declaration gives the later definition internal linkage
    # (C11 6.2.2), so the builds of several geometries link into one program
    # without renaming anything in the slices. Weak definitions stay as
    # they are (they may be defined more than once).
    for name in sorted(names):
        if name in tree.objects:
            continue
        sig = tree.signature(name)
        if re.match(r"\s*static\b", sig) or re.search(r"\b__weak\b", sig):
            continue
        out.append('#line %d "%s"\n' % (tree.line_of(name), tree.where[name]))
        out.append("static %s;\n" % sig.strip())
    for path, _ in tree.files:
        group = [n for n in names if tree.where.get(n) == path]
        group.sort(key=lambda n: tree.defs[path][n][0])  # source order
        if not group:
            continue
        if path in ("mm/memory.c", "mm/pagewalk.c"):
            # What mm/memory.c's and mm/pagewalk.c's walkers see differently
            # (kshim_memory.h).
            out.append('#include "kshim_memory.h"\n')
        if path == "arch/x86/mm/pat/set_memory.c":
            # What x86's CPA needs beyond the generic slices (kshim_cpa_x86.h).
            out.append('#include "kshim_cpa_x86.h"\n')
        if path == "mm/vmalloc.c":
            out.append('#include "kshim_generic.h"\n')
            for name, counter in COUNTED.items():
                call = COUNTED_RESULT.get(name, "{}").format("%s(__VA_ARGS__)" % name)
                out.append("#define %s(...) (vmapfuzz_host_count(%s, 1), %s)\n"
                           % (name, counter, call))
            # Forward declarations: the kernel has them in headers.
            for name in group:
                if name not in tree.objects:
                    out.append("%s;\n" % tree.signature(name))
        for name in group:
            out.append('#line %d "%s"\n' % (tree.line_of(name), path))
            out.append(tree.slice(name))
            out.append("\n")
    if not any(tree.where.get(n) == "mm/vmalloc.c" for n in names):
        out.append('#include "kshim_generic.h"\n')
    out.append('#include "kentry.c"\n')
    return "".join(out)


_CARET_FLAGS = {}


def no_source_lines_flag(cc):
    """The flag that keeps source lines out of cc's messages (gcc or clang)."""
    if cc not in _CARET_FLAGS:
        try:
            out = subprocess.run([cc, "--version"], capture_output=True, text=True,
                                 timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        _CARET_FLAGS[cc] = ("-fno-caret-diagnostics" if "clang" in out
                            else "-fno-diagnostics-show-caret")
    return _CARET_FLAGS[cc]


def compile_check(cc, source, extra=()):
    """Compile `source` (text); returns (ok, messages without source lines)."""
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "probe.c")
        with open(src, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(source)
        cmd = [cc, "-std=gnu11", "-fsyntax-only", no_source_lines_flag(cc),
               "-Werror=implicit-function-declaration", "-Werror=int-conversion",
               "-Werror=incompatible-pointer-types", "-I", SHIM] + list(extra) + [src]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            return False, "cannot run %s: %s" % (cc, e)
        msgs = [l for l in p.stderr.splitlines() if ": error:" in l or ": fatal error:" in l]
        return p.returncode == 0, "\n".join(msgs)


def probes(tree, names, cc):
    """The API era facts the shims and the harness care about."""
    p = {}
    text = {n: strip_comments(tree.slice(n)) for n in names}
    allt = "\n".join(text.values())
    # set_huge_pte_at arity: a compile probe against the tree's definition.
    if "set_huge_pte_at" in tree.where:
        src = ('#include "kshim.h"\n#include "kshim_generic.h"\n' +
               "".join(tree.slice(n) + "\n" for n in sorted(
                   tree.closure(["set_huge_pte_at"], "core"),
                   key=lambda n: (tree.order[tree.where[n]], tree.defs[tree.where[n]][n][0]))) +
               "void vmapfuzz_probe(pte_t *p) { set_huge_pte_at(&init_mm, 0, p, __pte(0), PAGE_SIZE); }\n")
        ok, _ = compile_check(cc, src)
        p["set_huge_pte_at_arity"] = 5 if ok else 4
    else:
        p["set_huge_pte_at_arity"] = None
    p["scoped_guards"] = bool(re.search(r"\b(scoped_guard|scoped_cond_guard|guard)\s*\(", allt))
    hooks = sorted(set(re.findall(
        r"\b(arch_enter_lazy_mmu_mode|arch_leave_lazy_mmu_mode|lazy_mmu_mode_enable|"
        r"lazy_mmu_mode_disable)\b", allt)))
    p["lazy_mmu_hooks"] = hooks
    p["vmap_batching"] = "vmap_pages_range_batched" in names or "get_vmap_batch_order" in names
    p["num_pages_contiguous"] = tree.where.get("num_pages_contiguous", "shim")
    p["arch_cont_pte_vmap"] = "arch_vmap_pte_range_map_size" in tree.where
    # The series' patch 6: vmap() asks for an aligned area.
    p["vmap_aligned_area"] = bool(re.search(r"\b__get_vm_area_node_aligned_caller\s*\(",
                                            text.get("vmap_get_aligned_vm_area", "")))
    vpr = text.get("vmap_pte_range", "")
    p["vmap_pte_range_size_warn"] = "PAGE_ALIGNED" in vpr
    vpmd = text.get("vunmap_pmd_range", "")
    p["vunmap_partial_block_warn"] = bool(re.search(r"WARN_ON\s*\(\s*next\s*-\s*addr", vpmd))
    p["ioremap_area_check"] = ioremap_area_check(tree)
    # 6.1's __vmalloc_area_node() ORs __GFP_NOWARN into gfp_mask before its
    # warn_alloc() calls, which then never print.
    van = text.get("__vmalloc_area_node")
    nowarn = re.search(r"\bgfp_mask\s*\|=\s*__GFP_NOWARN\b", van or "")
    p["vmalloc_warn_alloc"] = None if van is None else not (
        nowarn and nowarn.start() < van.find("warn_alloc"))
    if p["vmap_batching"]:
        era = "v4"
    elif p["arch_cont_pte_vmap"]:
        era = "mainline"
    elif p["ioremap_area_check"] is False:
        era = "v6.1"
    else:
        era = "v6.12"
    p["era"] = era
    notes = []
    if era == "v6.12" and (p["vmap_pte_range_size_warn"] or p["vunmap_partial_block_warn"]):
        notes.append("no arm64 CONT-PTE vmap hooks but later vmalloc.c WARNs: a tree between "
                     "6.12 and mainline; compared with v6.12, expect the WARN differences")
    if era == "v4" and not p["vmap_aligned_area"]:
        notes.append("vmap batching without the series' aligned vmap area (patch 6): vmap() "
                     "places areas at any page; traces of vmap at VAs the v4 rule would not "
                     "produce need `placement any` to compare")
    if era == "v6.1" and p["vmalloc_warn_alloc"]:
        notes.append("ioremap_page_range without the vm area check but __vmalloc_area_node "
                     "warns: a tree between 6.1 and 6.12; compared with v6.1, expect the "
                     "vmalloc WARN differences")
    if era == "v6.12" and p["vmalloc_warn_alloc"] is False:
        notes.append("__vmalloc_area_node never warns (__GFP_NOWARN) but ioremap_page_range "
                     "checks its vm area: compared with v6.12, expect the vmalloc WARN "
                     "differences")
    if era == "mainline" and not p["vmap_pte_range_size_warn"]:
        notes.append("arm64 CONT-PTE vmap hooks without the unaligned-size WARN: an early "
                     "CONT-PTE tree; compared with mainline")
    p["notes"] = notes
    return p




def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", required=True, help="kernel source tree")
    ap.add_argument("--out", required=True, help="output directory (in the build tree)")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"), help="C compiler for probes")
    ap.add_argument("--name", default="kernel", help="implementation name")
    args = ap.parse_args(argv)

    tree_dir = os.path.abspath(args.tree)
    out = os.path.abspath(args.out)
    if os.path.commonpath([out, HERE]) == HERE:
        print("extract: --out must be in the build tree, not under %s" % HERE, file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    report = []

    def fail(msg):
        report.append("UNUSABLE: " + msg)
        with open(os.path.join(out, "report.txt"), "w") as f:
            f.write("\n".join(report) + "\n")
        manifest = {"tree": tree_dir, "usable": False, "error": msg}
        with open(os.path.join(out, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
        for f in os.listdir(out):
            if f in ("kernel_tu.c", "kernel_tu_x86.c", "geometries.txt") or re.match(
                    r"kernel_geo_\w+_\d+\.c$", f):
                os.remove(os.path.join(out, f))
        print("vmapfuzz: kernel tree %s cannot be used: %s" % (tree_dir, msg), file=sys.stderr)
        return 2

    tree = Tree(tree_dir)
    try:
        tree.locate()
    except Unusable as e:
        return fail(str(e))
    version = read_version(tree_dir)
    report.append("tree %s (Linux %s)" % (tree_dir, version))

    # extract: per unit, the closure of its roots
    units = find_units(tree)
    if units["core"]["status"] != "found":
        return fail("extract: " + units["core"]["reason"])

    # build: the largest set of units that compiles, core first. A unit that
    # does not compile keeps every symbol its errors name (classify_errors).
    order = [u for u, _, _ in UNITS if units[u]["status"] == "found"]
    chosen = ["core"]
    core_names = set(units["core"]["functions"])
    ok, msg = compile_check(args.cc, tu_text(tree, core_names, version))
    if not ok:
        units["core"]["status"] = "failed"
        units["core"]["symbols"] = classify_errors(msg)
        # The other units too, so that one run lists everything to shim.
        for unit in order[1:]:
            names = core_names | set(units[unit]["functions"])
            uok, umsg = compile_check(args.cc, tu_text(tree, names, version))
            units[unit]["status"] = "not built (core failed)"
            if not uok:
                units[unit]["symbols"] = without(classify_errors(umsg), units["core"]["symbols"])
        lines = ["build: the core unit (%d functions from %s) does not compile against the "
                 "shims" % (len(core_names), ", ".join(sorted(
                     {tree.where[n] for n in core_names})))]
        lines += unit_table(units)
        for unit, d in units.items():
            text = symbols_text(d["symbols"]) if d.get("symbols") else []
            if text:
                lines.append("unit %s%s:" % (unit, "" if unit == "core" else " (beyond core's)"))
                lines += text
        return fail("\n".join(lines))
    units["core"]["status"] = "built"
    for unit in order[1:]:
        names = set().union(*(units[u]["functions"] for u in chosen + [unit]))
        ok, msg = compile_check(args.cc, tu_text(tree, names, version))
        if ok:
            chosen.append(unit)
            units[unit]["status"] = "built"
        else:
            units[unit]["status"] = "failed"
            units[unit]["symbols"] = classify_errors(msg)
    names = set().union(*(units[u]["functions"] for u in chosen))
    tu = tu_text(tree, names, version)
    prb = probes(tree, names, args.cc)

    # The same slices for every arm64 geometry: the default one built above;
    # a geometry whose build fails is left out (its traces leave the kernel
    # implementation NOT-RUN) and the report says why.
    geometries = {GEOMETRIES[0][2]: {"status": "built"}}
    for key, va_bits, geo in GEOMETRIES[1:]:
        if key == "x86":
            continue
        ok, msg = compile_check(args.cc, tu, geometry_flags(key, va_bits))
        geometries[geo] = {"status": "built"} if ok else {
            "status": "failed", "symbols": classify_errors(msg)}
    # x86-64: the generic functions of the units built above, with the hooks
    # of arch/x86 (a tree without those files has no x86-64 geometries).
    x86tree = Tree(tree_dir, X86_FILES, X86_REQUIRED_FILES)
    tu_x86 = None
    x86names = set()
    try:
        x86tree.locate()
    except Unusable as e:
        for key, _, geo in GEOMETRIES:
            if key == "x86":
                geometries[geo] = {"status": "missing", "reason": str(e)}
        for unit, _, _ in X86_UNITS:
            units[unit] = {"status": "missing", "reason": str(e)}
    else:
        for u in chosen:
            if u not in ARM64_ONLY_UNITS:
                x86names |= x86tree.closure(UNIT_ROOTS[u], u)
        tu_x86 = tu_text(x86tree, x86names, version)
        x86_ok, x86_msg = compile_check(args.cc, tu_x86, geometry_flags(*X86_DEFAULT))
        # x86-64's own units, on top of the slices above (pageattr-x86).
        for unit, d in find_units(x86tree, X86_UNITS).items():
            units[unit] = d
            functions = d.pop("functions", None)
            if d["status"] != "found":
                continue
            if not x86_ok:
                d["status"] = "not built (x86-64 failed)"
                continue
            names_u = x86names | set(functions)
            tu_u = tu_text(x86tree, names_u, version)
            ok, msg = compile_check(args.cc, tu_u, geometry_flags(*X86_DEFAULT))
            if ok:
                d["status"] = "built"
                x86names, tu_x86 = names_u, tu_u
            else:
                d["status"] = "failed"
                d["symbols"] = without(classify_errors(msg), classify_errors(x86_msg))
        for key, va_bits, geo in GEOMETRIES:
            if key != "x86":
                continue
            ok, msg = compile_check(args.cc, tu_x86, geometry_flags(key, va_bits))
            geometries[geo] = {"status": "built"} if ok else {
                "status": "failed", "symbols": classify_errors(msg)}
    built_geos = [(k_, v, g) for k_, v, g in GEOMETRIES if geometries[g]["status"] == "built"]

    slices = []
    for name in sorted(names, key=lambda n: (tree.order[tree.where[n]],
                                             tree.defs[tree.where[n]][n][0])):
        s = tree.slice(name).encode("utf-8", "surrogateescape")
        slices.append({"file": tree.where[name], "function": name, "line": tree.line_of(name),
                       "bytes": len(s), "sha256": hashlib.sha256(s).hexdigest()})
    # The x86-64 build's own slices (arch/x86), after the shared ones.
    for name in sorted((n for n in x86names if x86tree.where[n].startswith("arch/x86/")),
                       key=lambda n: (x86tree.order[x86tree.where[n]],
                                      x86tree.defs[x86tree.where[n]][n][0])):
        s = x86tree.slice(name).encode("utf-8", "surrogateescape")
        slices.append({"file": x86tree.where[name], "function": name,
                       "line": x86tree.line_of(name), "bytes": len(s),
                       "sha256": hashlib.sha256(s).hexdigest()})
    manifest = {
        "name": args.name,
        "tree": tree_dir,
        "version": version,
        "usable": True,
        "era": prb["era"],
        "probes": prb,
        "units": {u: {k: v for k, v in d.items() if k != "functions"} for u, d in units.items()},
        "geometries": geometries,
        "slices": slices,
        "tu_sha256": hashlib.sha256(tu.encode("utf-8", "surrogateescape")).hexdigest(),
    }

    report.append("era: %s" % prb["era"])
    for k in ("set_huge_pte_at_arity", "scoped_guards", "lazy_mmu_hooks", "vmap_batching",
              "num_pages_contiguous", "arch_cont_pte_vmap", "vmap_aligned_area",
              "vmap_pte_range_size_warn", "vunmap_partial_block_warn", "ioremap_area_check",
              "vmalloc_warn_alloc"):
        report.append("probe %s: %s" % (k, prb[k]))
    for n in prb["notes"]:
        report.append("note: " + n)
    report += unit_table(units)
    report.append("geometries: %s" % ", ".join(
        "%s %s" % (g, geometries[g]["status"]) for _, _, g in GEOMETRIES))
    for _, _, g in GEOMETRIES:
        if geometries[g].get("symbols"):
            report.append("geometry %s: not built, the slices do not compile for it" % g)
            report += symbols_text(geometries[g]["symbols"])
        elif geometries[g].get("reason"):
            report.append("geometry %s: not built: %s" % (g, geometries[g]["reason"]))
    for unit, d in units.items():
        if d["status"] == "built":
            continue
        line = "unit %s: %s" % (unit, d["status"])
        if d.get("reason"):
            line += " -- " + d["reason"].replace("\n", "\n    ")
        report.append(line)
        if d.get("symbols"):
            report += symbols_text(d["symbols"])
    report.append("slices: %d functions, %d bytes" % (len(slices),
                                                     sum(s["bytes"] for s in slices)))
    for s in slices:
        report.append("  %s:%s" % (s["file"], s["function"]))

    # Write only what changed, so that an unchanged tree does not rebuild.
    def write(name, content):
        path = os.path.join(out, name)
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                if f.read() == content:
                    return
        except OSError:
            pass
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(content)

    def c_string(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace(
            "\n", "\\n\" \\\n  \"") + '"'
    summary = [l for l in report if not l.startswith("  ")]
    info = ("// Generated by vmapfuzz kernel/extract.py; describes the slices, holds none.\n"
            "#pragma once\n"
            "#define VMAPFUZZ_KERNEL_ERA \"%s\"\n"
            "#define VMAPFUZZ_KERNEL_TREE_PATH %s\n"
            "#define VMAPFUZZ_KERNEL_HAS_VMAP_PAGE_RANGE %d\n"
            "// X(key, VA bits) for each geometry built (kernel_geo_*.c).\n"
            "#define VMAPFUZZ_KERNEL_GEOMETRIES(X) %s\n"
            "#define VMAPFUZZ_KERNEL_DESCRIPTION %s\n" % (
                prb["era"], c_string(tree_dir),
                1 if "vmap_page_range" in names or prb["ioremap_area_check"] is False else 0,
                " ".join("X(%s, %d)" % (k_, v) for k_, v, _ in built_geos),
                c_string("\n".join(summary) + "\nslice sha256 (all): " + manifest["tu_sha256"])))
    write("kernel_info.h", info)
    write("kernel_tu.c", tu)
    # One translation unit per geometry built, and their list for CMake.
    if tu_x86 is not None:
        write("kernel_tu_x86.c", tu_x86)
    for key, va_bits, geo in built_geos:
        write(geometry_wrapper(key, va_bits),
              "/* Generated by vmapfuzz kernel/extract.py: the slices for %s. */\n%s"
              '#include "%s"\n' % (geo, "".join("#define %s %s\n" % tuple(
                  f[2:].split("=")) for f in geometry_flags(key, va_bits)), geometry_tu(key)))
    write("geometries.txt", "".join(geometry_wrapper(k_, v) + "\n" for k_, v, _ in built_geos))
    write("manifest.json", json.dumps(manifest, indent=2) + "\n")
    write("report.txt", "\n".join(report) + "\n")
    # The files the build depends on, for CMake's re-run check.
    depends = list(tree.text) + [p for p in x86tree.text if p not in tree.text]
    write("depends.txt", "\n".join(os.path.join(tree_dir, p) for p in depends) + "\n")
    for line in report:
        if line.startswith("slices:"):
            break
        print("vmapfuzz: kernel: " + line.split("\n")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
