# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of extract.py's parts that need no compiler: objects, the
closure's refusal of the area allocator, and the missing-symbol report.

    python3 -m unittest discover -s kernel -p 'test_*.py'
"""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cscan  # noqa: E402
import extract  # noqa: E402


class ObjectsTest(unittest.TestCase):
    def test_macro_defined_objects_at_line_start(self):
        src = ("static LLIST_HEAD(pending);\n"
               "static void work_fn(struct work_struct *w) { }\n"
               "static DECLARE_WORK(the_work, work_fn);\n"
               "DEFINE_STATIC_KEY_FALSE(some_key);\n"
               " * static LLIST_HEAD(in_a_comment);\n"
               "int f(void) { LLIST_HEAD(local); return 0; }\n")
        objs = cscan.scan_objects(src)
        self.assertEqual(sorted(objs), ["pending", "some_key", "the_work"])
        start, _, end = objs["the_work"]
        self.assertEqual(src[start:end], "static DECLARE_WORK(the_work, work_fn);")

    def test_tables_of_operations(self):
        table = ("static const struct mm_walk_ops pageattr_ops = {\n"
                 "\t.pmd_entry\t= pmd_fn,\n"
                 "\t.pte_entry\t= pte_fn,\n"
                 "};")
        src = ("static int pte_fn(pte_t *p) { return 0; }\n" + table + "\n"
               "static const struct nested n = { .a = { 1 } };\n"
               "static struct mm_walk_ops not_const = { .pte_entry = pte_fn };\n"
               "int f(void) { return walk(&pageattr_ops); }\n")
        objs = cscan.scan_objects(src)
        self.assertEqual(sorted(objs), ["pageattr_ops"])
        start, _, end = objs["pageattr_ops"]
        self.assertEqual(src[start:end], table)
        # The table brings the functions it names along.
        self.assertEqual(cscan.names_used(src[start:end]) & {"pte_fn", "pmd_fn"},
                         {"pte_fn", "pmd_fn"})


def make_tree(root, vmalloc_c):
    files = {
        "mm/vmalloc.c": vmalloc_c,
        "arch/arm64/mm/mmu.c": "int pmd_set_huge(void *p) { return 1; }\n",
        "arch/arm64/mm/hugetlbpage.c": "\n",
        "arch/arm64/include/asm/vmalloc.h": "\n",
    }
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)


class ClosureTest(unittest.TestCase):
    def test_the_area_allocator_is_never_taken(self):
        src = ("static struct vm_struct *__get_vm_area_node(unsigned long size) { return 0; }\n"
               "static struct vm_struct *__get_vm_area_node_aligned_caller(unsigned long s)\n"
               "{ return __get_vm_area_node(s); }\n"
               "static struct vm_struct *vmap_get_aligned_vm_area(unsigned long s)\n"
               "{ return __get_vm_area_node_aligned_caller(s); }\n"
               "static LLIST_HEAD(pending);\n"
               "static void cleanup(struct work_struct *w) { llist_del_all(&pending); }\n"
               "static DECLARE_WORK(cleanup_work, cleanup);\n"
               "static void defer(void) { schedule_work(&cleanup_work); }\n"
               "void *vmap(void) { defer(); return vmap_get_aligned_vm_area(1); }\n")
        with tempfile.TemporaryDirectory() as d:
            make_tree(d, src)
            tree = extract.Tree(d)
            tree.locate()
            names = tree.closure(["vmap"])
        self.assertIn("vmap_get_aligned_vm_area", names)  # the tree's own placement rule
        self.assertEqual(names & extract.AREA_ALLOCATOR, set())
        # Objects come along with the functions they name.
        self.assertTrue({"cleanup_work", "cleanup", "pending"} <= names)


PAGEATTR_C = """\
static int change_page_range(pte_t *ptep, unsigned long addr, void *data) { return 0; }
static int __change_memory_common(unsigned long start, unsigned long size)
{ return apply_to_page_range(&init_mm, start, size, change_page_range, 0); }
int set_memory_ro(unsigned long a, int n) { return __change_memory_common(a, n); }
int set_memory_rw(unsigned long a, int n) { return __change_memory_common(a, n); }
int set_memory_x(unsigned long a, int n) { return __change_memory_common(a, n); }
int set_memory_nx(unsigned long a, int n) { return __change_memory_common(a, n); }
int set_memory_valid(unsigned long a, int n, int e) { return __change_memory_common(a, n); }
"""
MEMORY_C = """\
int __pte_alloc_kernel(pmd_t *pmd) { return 0; }
static int __apply_to_page_range(unsigned long a) { return __pte_alloc_kernel(0); }
int apply_to_page_range(struct mm_struct *mm, unsigned long a)
{ return __apply_to_page_range(a); }
"""


PAGEWALK_C = """\
static int pte_fn(pte_t *pte, unsigned long addr, unsigned long next, struct mm_walk *walk)
{ return 0; }
static const struct mm_walk_ops pageattr_ops = {
	.pte_entry	= pte_fn,
};
static int walk_pgd_range(unsigned long a) { return 0; }
int walk_kernel_page_table_range_lockless(unsigned long s, unsigned long e)
{ return walk_pgd_range(s) + (pageattr_ops.pte_entry != 0); }
"""


class PageattrUnitTest(unittest.TestCase):
    def units(self, vmalloc_c, pageattr_c, memory_c):
        with tempfile.TemporaryDirectory() as d:
            make_tree(d, vmalloc_c)
            for path, text in (("arch/arm64/mm/pageattr.c", pageattr_c),
                               ("mm/memory.c", memory_c)):
                if text is None:
                    continue
                with open(os.path.join(d, path), "w") as f:
                    f.write(text)
            tree = extract.Tree(d)
            tree.locate()
            return tree, extract.find_units(tree)

    def test_found_and_scoped(self):
        vmalloc_c = ("int vunmap_range(void) { return __pte_alloc_kernel(0); }\n"
                     "int ioremap_page_range(void) { return 0; }\n"
                     "int vunmap_range_noflush(void) { return 0; }\n")
        tree, units = self.units(vmalloc_c, PAGEATTR_C, MEMORY_C)
        self.assertEqual(units["pageattr"]["status"], "found")
        self.assertTrue({"set_memory_ro", "change_page_range", "apply_to_page_range",
                         "__apply_to_page_range", "__pte_alloc_kernel"}
                        <= set(units["pageattr"]["functions"]))
        # mm/memory.c is the pageattr unit's: core keeps the shims for what it defines.
        self.assertEqual(units["core"]["functions"],
                         ["ioremap_page_range", "vunmap_range", "vunmap_range_noflush"])

    def test_missing_without_the_files(self):
        _, units = self.units("int vunmap_range(void) { return 0; }\n", None, None)
        self.assertEqual(units["pageattr"], {
            "status": "missing",
            "reason": "the tree has no arch/arm64/mm/pageattr.c"})
        _, units = self.units("int vunmap_range(void) { return 0; }\n", "\n", MEMORY_C)
        self.assertEqual(units["pageattr"]["status"], "missing")
        self.assertIn("set_memory_ro", units["pageattr"]["reason"])

    def test_the_2026_form_walks_with_mm_pagewalk(self):
        walk = PAGEATTR_C.replace("apply_to_page_range(&init_mm, start, size, "
                                  "change_page_range, 0)",
                                  "walk_kernel_page_table_range_lockless(start, size)")
        # Neither walker in the tree: the unit is missing.
        _, units = self.units("int vunmap_range(void) { return 0; }\n", walk, MEMORY_C)
        self.assertEqual(units["pageattr"], {
            "status": "missing",
            "reason": "arch/arm64/mm/pageattr.c:set_memory_ro does not reach "
                      "apply_to_page_range or walk_kernel_page_table_range_lockless"})
        # mm/pagewalk.c's walker, without mm/memory.c: found, scoped to the unit.
        with tempfile.TemporaryDirectory() as d:
            make_tree(d, "int vunmap_range(void) { return walk_pgd_range(0); }\n"
                         "int ioremap_page_range(void) { return 0; }\n"
                         "int vunmap_range_noflush(void) { return 0; }\n")
            for path, text in (("arch/arm64/mm/pageattr.c", walk),
                               ("mm/pagewalk.c", PAGEWALK_C)):
                with open(os.path.join(d, path), "w") as f:
                    f.write(text)
            tree = extract.Tree(d)
            tree.locate()
            units = extract.find_units(tree)
        self.assertEqual(units["pageattr"]["status"], "found")
        self.assertTrue({"set_memory_ro", "walk_kernel_page_table_range_lockless",
                         "walk_pgd_range", "pageattr_ops", "pte_fn"}
                        <= set(units["pageattr"]["functions"]))
        # mm/pagewalk.c is the pageattr unit's: core does not take walk_pgd_range().
        self.assertEqual(units["core"]["functions"],
                         ["ioremap_page_range", "vunmap_range", "vunmap_range_noflush"])


SET_MEMORY_C = """\
static int __change_page_attr_set_clr(struct cpa_data *cpa, int primary) { return 0; }
static int change_page_attr_set_clr(unsigned long *addr, int numpages)
{ return __change_page_attr_set_clr(0, 1); }
pte_t *lookup_address(unsigned long address, unsigned int *level) { return 0; }
int set_memory_ro(unsigned long addr, int n) { return change_page_attr_set_clr(&addr, n); }
int set_memory_rw(unsigned long addr, int n) { return change_page_attr_set_clr(&addr, n); }
int set_memory_x(unsigned long addr, int n) { return change_page_attr_set_clr(&addr, n); }
int set_memory_nx(unsigned long addr, int n) { return change_page_attr_set_clr(&addr, n); }
int set_memory_np(unsigned long addr, int n) { return change_page_attr_set_clr(&addr, n); }
%s
"""
SET_MEMORY_P = "int set_memory_p(unsigned long addr, int n) { return change_page_attr_set_clr(&addr, n); }"
SET_MEMORY_P_61 = "static int set_memory_p(unsigned long *addr, int n) { return change_page_attr_set_clr(addr, n); }"


class PageattrX86UnitTest(unittest.TestCase):
    """x86-64's CPA: the pageattr-x86 unit of the x86 tree."""

    def tree(self, d, set_memory_c):
        make_tree(d, "int vunmap_range(void) { return lookup_address(0, 0) != 0; }\n")
        files = {"arch/x86/mm/pgtable.c": "\n", "arch/x86/include/asm/vmalloc.h": "\n"}
        if set_memory_c is not None:
            files["arch/x86/mm/pat/set_memory.c"] = set_memory_c
        for path, text in files.items():
            full = os.path.join(d, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write(text)
        tree = extract.Tree(d, extract.X86_FILES, extract.X86_REQUIRED_FILES)
        tree.locate()
        return tree

    def test_found_and_scoped(self):
        with tempfile.TemporaryDirectory() as d:
            tree = self.tree(d, SET_MEMORY_C % SET_MEMORY_P)
            unit = extract.find_units(tree, extract.X86_UNITS)["pageattr-x86"]
            self.assertEqual(unit["status"], "found")
            self.assertTrue({"set_memory_ro", "set_memory_p", "set_memory_np",
                             "change_page_attr_set_clr", "__change_page_attr_set_clr"}
                            <= set(unit["functions"]))
            # set_memory.c is the unit's: core keeps the shims for what it defines.
            self.assertEqual(tree.closure(extract.UNIT_ROOTS["core"], "core"), {"vunmap_range"})
            tu = extract.tu_text(tree, set(unit["functions"]), "t")
            self.assertIn('#include "kshim_cpa_x86.h"\n#line', tu)
            self.assertNotIn("VMAPFUZZ_SET_MEMORY_P_BY_POINTER", tu)

    def test_6_1_set_memory_p_takes_the_address_by_pointer(self):
        with tempfile.TemporaryDirectory() as d:
            tree = self.tree(d, SET_MEMORY_C % SET_MEMORY_P_61)
            unit = extract.find_units(tree, extract.X86_UNITS)["pageattr-x86"]
            tu = extract.tu_text(tree, set(unit["functions"]), "t")
            self.assertIn("#define VMAPFUZZ_SET_MEMORY_P_BY_POINTER 1\n", tu)

    def test_missing(self):
        with tempfile.TemporaryDirectory() as d:
            unit = extract.find_units(self.tree(d, None), extract.X86_UNITS)["pageattr-x86"]
            self.assertEqual(unit, {"status": "missing",
                                    "reason": "the tree has no arch/x86/mm/pat/set_memory.c"})
        with tempfile.TemporaryDirectory() as d:
            text = (SET_MEMORY_C % SET_MEMORY_P).replace(
                "int set_memory_ro(unsigned long addr, int n) { return change_page_attr_set_clr(&addr, n); }",
                "int set_memory_ro(unsigned long addr, int n) { return 0; }")
            unit = extract.find_units(self.tree(d, text), extract.X86_UNITS)["pageattr-x86"]
            self.assertEqual(unit, {
                "status": "missing",
                "reason": "arch/x86/mm/pat/set_memory.c:set_memory_ro does not reach "
                          "change_page_attr_set_clr"})


class LinkageTest(unittest.TestCase):
    """Each geometry's build is linked into one program: the translation unit
    declares every non-static tree function static before its slice."""

    def test_non_static_functions_get_a_static_declaration_first(self):
        src = ("static int helper(int a) { return a; }\n"
               "int __weak weak_hook(int a) { return a; }\n"
               "int ioremap_page_range(unsigned long addr, unsigned long end)\n"
               "{ return helper(weak_hook((int)addr)); }\n")
        with tempfile.TemporaryDirectory() as d:
            make_tree(d, src)
            tree = extract.Tree(d)
            tree.locate()
            tu = extract.tu_text(tree, tree.closure(["ioremap_page_range"]), "test")
        decl = ("static int ioremap_page_range(unsigned long addr, unsigned long end);")
        self.assertIn(decl, tu)
        self.assertLess(tu.index(decl), tu.index("int ioremap_page_range(unsigned long addr, "
                                                 "unsigned long end)\n{"))
        self.assertNotIn("static static", tu)
        self.assertNotIn("static int __weak", tu)  # weak definitions may repeat

    def test_the_x86_files_are_a_tree_of_their_own(self):
        with tempfile.TemporaryDirectory() as d:
            make_tree(d, "int vunmap_range(void) { return pmd_set_huge(0); }\n")
            x86 = extract.Tree(d, extract.X86_FILES, extract.X86_REQUIRED_FILES)
            with self.assertRaises(extract.Unusable):
                x86.locate()  # no arch/x86: the tree has no x86-64 geometries
            path = os.path.join(d, "arch/x86/mm/pgtable.c")
            os.makedirs(os.path.dirname(path))
            with open(path, "w") as f:
                f.write("int pmd_set_huge(void *p) { return 0; }\n")
            os.makedirs(os.path.join(d, "arch/x86/include/asm"))
            open(os.path.join(d, "arch/x86/include/asm/vmalloc.h"), "w").close()
            x86 = extract.Tree(d, extract.X86_FILES, extract.X86_REQUIRED_FILES)
            x86.locate()
            self.assertEqual(x86.where["pmd_set_huge"], "arch/x86/mm/pgtable.c")
            self.assertEqual(x86.closure(["vunmap_range"]), {"vunmap_range", "pmd_set_huge"})

    def test_geometry_wrappers(self):
        self.assertEqual(extract.geometry_wrapper("16", 42), "kernel_geo_16_42.c")
        self.assertEqual(extract.geometry_tu("x86"), "kernel_tu_x86.c")
        self.assertIn("-DVMAPFUZZ_ARCH_X86=1", extract.geometry_flags("x86", 57))
        self.assertEqual(extract.GEOMETRIES[0][2], "arm64-4k-48")  # the shims' default


GCC = """\
arch/arm64/include/asm/vmalloc.h:45:9: error: implicit declaration of function \u2018min3\u2019; did you mean \u2018min\u2019? [-Werror=implicit-function-declaration]
mm/vmalloc.c:103:52: error: unknown type name \u2018hw_pte_t\u2019; did you mean \u2018pte_t\u2019?
mm/vmalloc.c:127:2: error: unknown type name \u2018hw_pte_t\u2019; did you mean \u2018pte_t\u2019?
mm/vmalloc.c:1884:30: error: \u2018arm64_ptdump_lock_key\u2019 undeclared (first use in this function)
arch/arm64/mm/hugetlbpage.c:218:3: error: implicit declaration of function \u2018__flush_hugetlb_tlb_range\u2019 [-Werror=implicit-function-declaration]
mm/vmalloc.c:3977:21: error: \u2018struct vm_struct\u2019 has no member named \u2018llnode\u2019
mm/vmalloc.c:3853:3: error: too many arguments to function \u2018mod_lruvec_page_state\u2019
mm/vmalloc.c:190:40: error: expected expression before \u2018return\u2019
mm/vmalloc.c:1036:10: error: \u2018vmap_nodes\u2019 undeclared (first use in this function)
"""
CLANG = ("mm/vmalloc.c:45:9: error: call to undeclared function 'min3'; ISO C99 and later do "
         "not support implicit function declarations [-Werror,-Wimplicit-function-declaration]\n"
         "mm/vmalloc.c:9:2: error: use of undeclared identifier 'NR_VMALLOC'\n")


class SymbolReportTest(unittest.TestCase):
    def test_gcc_messages_grouped_by_shim_area(self):
        sym = extract.classify_errors(GCC)
        names = {area: [n.split(" (")[0] for n in lst] for area, lst in sym["missing"].items()}
        self.assertEqual(names["kernel library (macros, bit operations, types)"], ["min3"])
        self.assertEqual(names["page-table entries and descriptors"], ["hw_pte_t"])  # once
        self.assertEqual(names["locking, guards and static keys"], ["arm64_ptdump_lock_key"])
        self.assertEqual(names["TLB and cache maintenance"], ["__flush_hugetlb_tlb_range"])
        self.assertEqual(names["vm area allocator"], ["vmap_nodes"])
        mismatched = [n.split(" (")[0] for lst in sym["mismatched"].values() for n in lst]
        self.assertEqual(sorted(mismatched), ["mod_lruvec_page_state", "struct vm_struct.llnode"])
        self.assertEqual(sym["other"], ["expected expression before \u2018return\u2019"])
        # Where each symbol was first met.
        self.assertIn("min3 (arch/arm64/include/asm/vmalloc.h:45:9)",
                      sym["missing"]["kernel library (macros, bit operations, types)"])

    def test_clang_messages(self):
        sym = extract.classify_errors(CLANG)
        found = sorted(n.split(" (")[0] for lst in sym["missing"].values() for n in lst)
        self.assertEqual(found, ["NR_VMALLOC", "min3"])
        self.assertEqual(sym["other"], [])

    def test_units_beyond_core_and_the_table(self):
        core = extract.classify_errors(GCC.splitlines()[0] + "\n")
        vmalloc = extract.without(extract.classify_errors(GCC), core)
        listed = [n.split(" (")[0] for lst in vmalloc["missing"].values() for n in lst]
        self.assertNotIn("min3", listed)
        self.assertIn("hw_pte_t", listed)
        table = extract.unit_table({
            "core": {"status": "failed", "symbols": core},
            "vmap": {"status": "built"},
            "vmalloc": {"status": "not built (core failed)", "symbols": vmalloc}})
        self.assertEqual(table[0].split(), ["unit", "status", "missing", "or", "mismatched",
                                            "symbols"])
        self.assertRegex(table[1], r"^core +failed +missing 1 \(min3\)$")
        self.assertRegex(table[2], r"^vmap +built$")
        self.assertRegex(table[3], r"^vmalloc +not built \(core failed\) +missing 4 \(__flush_hugetlb_tlb_range, ")
        self.assertTrue(all(len(line) <= 100 for line in table))


if __name__ == "__main__":
    unittest.main()
