#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Writes the readable per-geometry seed traces of corpus/*/seeds/geo-*.trace.

For every geometry but arm64-4k-48 (whose seeds are written by hand), one
trace per block and batch size the geometry allows on each path: ioremap
PUD and PMD blocks, every v4 CONT batch size (CONT_PTE_SIZE << i up to
PMD_SIZE / 2), single pages, a block with a CONT and page tail, a PA off
by a page, iounmap and a partial vunmap_range; huge and small vmalloc;
vmap of PMD-order, CONT-order and single-page runs; for x86 the
nogbpages/nopse options and an MTRR split under a block. The numbers per
geometry restate docs/geometry.md; the replay of the written traces
(ctest corpus.*) is what checks them.

  tools/geometry_seeds.py [--check]   (--check: fail if a file would change)
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K, M, G = 1 << 10, 1 << 20, 1 << 30

# name: (window start, page, PMD block, PUD block or 0, CONT group or 0, x86)
GEOMETRIES = {
    "arm64-4k-39": (0xffffffc000000000, 4 * K, 2 * M, 1 * G, 64 * K, False),
    "arm64-16k-47": (0xffffc00000000000, 16 * K, 32 * M, 0, 2 * M, False),
    "arm64-16k-48": (0xffff800000000000, 16 * K, 32 * M, 0, 2 * M, False),
    "arm64-64k-42": (0xfffffe0000000000, 64 * K, 512 * M, 0, 2 * M, False),
    "arm64-64k-48": (0xffff800000000000, 64 * K, 512 * M, 0, 2 * M, False),
    "x86-64-4l": (0xffffc00000000000, 4 * K, 2 * M, 1 * G, 0, True),
    "x86-64-5l": (0xffa0000000000000, 4 * K, 2 * M, 1 * G, 0, True),
    "riscv64-sv39": (0xffffffc000000000, 4 * K, 2 * M, 0, 0, False),
    "riscv64-sv48": (0xffff800000000000, 4 * K, 2 * M, 1 * G, 0, False),
    "riscv64-sv57": (0xff80000000000000, 4 * K, 2 * M, 1 * G, 0, False),
}


def size_text(n):
    for unit, name in ((G, "G"), (M, "M"), (K, "K")):
        if n % unit == 0:
            return f"{n // unit}{name}"
    return hex(n)


def header(geo, comment, variant="v4", config=""):
    lines = ["vmapfuzz-trace 1"]
    lines += [f"# {c}" for c in comment]
    lines += [f"geometry {geo}", f"variant {variant}",
              "config nohugeiomap=0 nohugevmalloc=0" + config]
    return lines


def seeds_for(geo):
    base, page, pmd, pud, cont, x86 = GEOMETRIES[geo]
    big = max(pud, pmd)  # slot spacing: every seed starts on a fresh block
    out = {"ioremap": {}, "vmalloc": {}, "vmap": {}, "mixed": {}}

    def io(name, comment, ops, variant="v4", config=""):
        out["ioremap"][name] = header(geo, comment, variant, config) + ops

    pa0 = 4 * big  # a block-aligned device address
    va = lambda i: base + i * big
    if pud:
        io("pud-block", [f"One PUD block ({size_text(pud)}) at a PUD-aligned VA and PA."],
           [f"ioremap va={va(1):#x} size={pud:#x} pa={pa0:#x} prot=device"])
    io("pmd-block", [f"One PMD block ({size_text(pmd)}) at a PMD-aligned VA and PA."],
       [f"ioremap va={va(1):#x} size={pmd:#x} pa={pa0:#x} prot=device"])
    if cont:
        b = cont
        while b <= pmd // 2:
            io(f"cont-batch-{size_text(b).lower()}",
               [f"A {size_text(b)} ioremap at a {size_text(b)}-aligned VA and PA: v4 writes one",
                f"CONT batch of {b // cont} group(s) of {size_text(cont)} (cap PMD_SIZE/2)."],
               [f"ioremap va={va(1) + b:#x} size={b:#x} pa={pa0 + b:#x} prot=normal_nc"])
            b *= 2
        io("cont-batch-mainline-one-group",
           [f"mainline maps {size_text(4 * cont)} as four single {size_text(cont)} groups."],
           [f"ioremap va={va(1):#x} size={4 * cont:#x} pa={pa0:#x} prot=device"], "mainline")
    io("single-pages", ["Three pages: plain PTEs on every variant."],
       [f"ioremap va={va(1) + page:#x} size={3 * page:#x} pa={pa0 + page:#x} prot=device_nE"])
    tail = pmd + (cont or 0) + page
    io("block-then-tail", [f"A PMD block, then {'a CONT group, then ' if cont else ''}one page."],
       [f"ioremap va={va(1):#x} size={tail:#x} pa={pa0:#x} prot=normal"])
    io("pa-off-by-a-page", ["VA block-aligned but PA a page off: only PTEs."],
       [f"ioremap va={va(1):#x} size={pmd:#x} pa={pa0 + page:#x} prot=device"])
    io("iounmap-block", ["ioremap a PMD block and iounmap it: the block goes, the tables stay."],
       [f"ioremap va={va(1):#x} size={pmd:#x} pa={pa0:#x} prot=device",
        f"iounmap va={va(1):#x}"])
    io("vunmap-range-part-of-block",
       ["vunmap_range of one page inside a PMD block clears the whole block (WARN on 2026 eras)."],
       [f"ioremap va={va(1):#x} size={pmd:#x} pa={pa0:#x} prot=device",
        f"vunmap_range va={va(1):#x} size={page:#x}"])
    io("block-over-freed-table",
       ["Pages, unmapped, then a PMD block over the now empty PTE table: the table is freed."],
       [f"ioremap va={va(1):#x} size={4 * page:#x} pa={pa0:#x} prot=device",
        f"iounmap va={va(1):#x}",
        f"ioremap va={va(1):#x} size={pmd:#x} pa={pa0:#x} prot=device"], "mainline")
    if x86:
        io("nogbpages", ["nogbpages: a PUD-sized ioremap is made of PMD blocks."],
           [f"ioremap va={va(1):#x} size={pud:#x} pa={pa0:#x} prot=device"],
           config=" nogbpages=1")
        io("nopse", ["A CPU without PSE: a PMD-sized ioremap is made of PTEs."],
           [f"ioremap va={va(1):#x} size={pmd:#x} pa={pa0:#x} prot=device"],
           config=" nopse=1")
        io("mtrr-split-refuses-block",
           ["The MTRR type changes inside the second PMD block: pmd_set_huge refuses it",
            "and that slot is mapped with PTEs."],
           [f"ioremap va={va(1):#x} size={2 * pmd:#x} pa={pa0:#x} prot=device"],
           config=f" mtrr_split={pa0 + pmd + pmd // 2:#x}")

    def vm(name, comment, ops, variant="v4"):
        out["vmalloc"][name] = header(geo, comment, variant) + ops

    vm("huge-pmd", [f"vmalloc_huge of {size_text(2 * pmd)}: PMD blocks."],
       [f"vmalloc va={va(1):#x} size={2 * pmd:#x} huge=1 prot=normal"])
    if cont:
        vm("huge-cont", [f"vmalloc_huge of {size_text(4 * cont)}: CONT groups."],
           [f"vmalloc va={va(1):#x} size={4 * cont:#x} huge=1 prot=normal"])
    vm("small", ["A plain vmalloc of five pages, then vfree."],
       [f"vmalloc va={va(1):#x} size={5 * page:#x} huge=0 prot=kernel_ro",
        f"vfree va={va(1):#x}"])

    pmd_pages = pmd // page

    def vp(name, comment, ops, variant="v4"):
        out["vmap"][name] = header(geo, comment, variant) + ops

    vp("pmd-order-run", [f"One physically contiguous PMD-order run ({pmd_pages} pages): v4 maps a PMD block."],
       [f"vmap va={va(1):#x} prot=normal pages={pmd_pages * 16:#x}+{pmd_pages}"])
    if cont:
        cp = cont // page
        vp("cont-order-runs", [f"Two CONT-order runs ({cp} pages each): v4 maps CONT groups."],
           [f"vmap va={va(1):#x} prot=normal pages={cp * 64:#x}+{cp},{cp * 96:#x}+{cp}"])
    vp("single-pages", ["Scattered single pages: PTEs on every variant; then vunmap."],
       [f"vmap va={va(1):#x} prot=kernel_exec pages=0x10001,0x10003,0x10005",
        f"vunmap va={va(1):#x}"])

    out["mixed"]["every-op"] = header(geo, ["Every op kind once."], "v4") + [
        f"ioremap va={va(1):#x} size={pmd:#x} pa={pa0:#x} prot=device",
        f"vmalloc va={va(2):#x} size={pmd:#x} huge=1 prot=normal",
        f"vmap va={va(3):#x} prot=normal pages={pmd_pages * 16:#x}+{pmd_pages}",
        f"vunmap_range va={va(1):#x} size={pmd:#x}",
        f"vfree va={va(2):#x}",
        f"vunmap va={va(3):#x}",
    ]
    return out


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for geo in GEOMETRIES:
        for target, traces in seeds_for(geo).items():
            d = os.path.join(ROOT, "corpus", target, "seeds")
            for name, lines in traces.items():
                path = os.path.join(d, f"geo-{geo}-{name}.trace")
                text = "\n".join(lines) + "\n"
                old = open(path).read() if os.path.exists(path) else None
                if old == text:
                    continue
                if check:
                    stale.append(path)
                else:
                    with open(path, "w") as f:
                        f.write(text)
    if stale:
        print("tools/geometry_seeds.py: out of date:\n  " + "\n  ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
