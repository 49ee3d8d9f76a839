// SPDX-License-Identifier: GPL-2.0-only
// The KUnit exporter (tools/kunit_export.h): which kernel API each op
// becomes, that every address is relative to a returned pointer, that the
// checks come from the reference, and why a case is skipped. ci/kunit
// builds and runs the output in a real kernel; these pin the choices.
#include "tools/kunit_export.h"

#include <gtest/gtest.h>

#include <regex>

#include "harness/trace_io.h"

namespace vmapfuzz::tools {
namespace {

harness::Trace parse(const std::string& text) {
  harness::Trace t;
  harness::ParseError err;
  EXPECT_TRUE(harness::parse_text(text, &t, &err)) << err.message << "\n" << text;
  return t;
}

std::string trace(const std::string& geo, const std::string& ops,
                  const std::string& config = "nohugeiomap=0 nohugevmalloc=0") {
  return "vmapfuzz-trace 1\ngeometry " + geo + "\nvariant v4-fixed\nconfig " + config + "\n" + ops;
}

KunitCase export_case(const std::string& ops, KunitEra era = KunitEra::v2026,
                      const std::string& geo = "arm64-4k-48") {
  return kunit_case(parse(trace(geo, ops)), era);
}

TEST(KunitExport, EachIoremapProtUsesItsOwnApi) {
  const std::pair<const char*, const char*> want[] = {
      {"device", "ioremap(pa + 0x200000, 0x200000)"},
      {"device_nE", "ioremap_np(pa + 0x200000, 0x200000)"},
      {"normal_nc", "ioremap_wc(pa + 0x200000, 0x200000)"},
      {"normal", "ioremap_cache(pa + 0x200000, 0x200000)"},
      {"kernel_ro", "__ioremap_prot(pa + 0x200000, 0x200000, PAGE_KERNEL_RO)"},
      {"kernel_exec", "__ioremap_prot(pa + 0x200000, 0x200000, PAGE_KERNEL_EXEC)"},
  };
  for (const auto& [prot, call] : want) {
    for (const KunitEra era : {KunitEra::v6_12, KunitEra::v2026}) {
      const KunitCase c = export_case(
          std::string("ioremap va=0xffff800000200000 size=0x200000 pa=0x40200000 prot=") + prot +
              "\n",
          era);
      EXPECT_TRUE(c.skip.empty()) << prot << ": " << c.skip;
      EXPECT_NE(c.body.find(call), std::string::npos) << prot << "\n" << c.body;
      // Never the unsigned long form the old export wrote.
      EXPECT_EQ(c.body.find("pgprot_val("), std::string::npos) << c.body;
    }
  }
}

TEST(KunitExport, AddressesAreRelativeToReturnedPointers) {
  const KunitCase c = export_case(
      "ioremap va=0xffff800000200000 size=0x200000 pa=0x40200000 prot=device\n"
      "vmalloc va=0xffff800010000000 size=0x4000 huge=0 prot=normal\n"
      "set_memory va=0xffff800010001000 numpages=2 mode=ro\n"
      "iounmap va=0xffff800000200000\n"
      "vfree va=0xffff800010000000\n");
  ASSERT_TRUE(c.skip.empty()) << c.skip;
  // No trace VA or PA appears as a literal outside the comments.
  std::string code;
  for (std::size_t at = 0, nl; at < c.body.size(); at = nl + 1) {
    nl = c.body.find('\n', at);
    const std::string line = c.body.substr(at, nl - at);
    if (!line.starts_with("\t/*")) code += line + "\n";
  }
  EXPECT_FALSE(std::regex_search(code, std::regex("0xffff8|0x402"))) << "a literal trace address\n"
                                                                     << code;
  EXPECT_NE(c.body.find("set_memory_ro((unsigned long)a2 + 0x1000, 2)"), std::string::npos)
      << c.body;
  EXPECT_NE(c.body.find("kunit_release_action(test, vmapfuzz_iounmap, (void __force *)a1);"),
            std::string::npos)
      << c.body;
  EXPECT_NE(c.body.find("kunit_release_action(test, vmapfuzz_vfree, a2);"), std::string::npos)
      << c.body;
  // Every resource is registered for cleanup the moment it exists.
  EXPECT_NE(c.body.find("kunit_add_action_or_reset(test, vmapfuzz_iounmap"), std::string::npos);
  EXPECT_NE(c.body.find("kunit_add_action_or_reset(test, vmapfuzz_vfree, a2)"), std::string::npos);
  // set_memory_ro changes the linear alias: it is restored before vfree.
  EXPECT_NE(c.body.find("set_vm_flush_reset_perms(a2);"), std::string::npos);
}

TEST(KunitExport, DeclarationsComeBeforeStatements) {
  const KunitCase c = export_case(
      "vmalloc va=0xffff800010000000 size=0x4000 huge=0 prot=normal\n"
      "vmap va=0xffff800020000000 prot=normal pages=0x1000+16,0x2000+4\n");
  ASSERT_TRUE(c.skip.empty()) << c.skip;
  const auto first_statement = c.body.find(" = ");
  const auto last_decl = c.body.rfind("\tstruct page **");
  ASSERT_NE(first_statement, std::string::npos);
  EXPECT_LT(last_decl, first_statement) << c.body;
}

TEST(KunitExport, IoremapPhysicalRangeIsFoundAtRunTimeWithTheBlockAlignment) {
  const KunitCase c =
      export_case("ioremap va=0xffff800000200000 size=0x400000 pa=0x40200000 prot=device\n");
  ASSERT_TRUE(c.skip.empty()) << c.skip;
  // The hole is 1G aligned (arm64 4K's largest block), so the PA keeps its
  // offset in any block: 0x40200000 is 2M past a 1G boundary there too.
  EXPECT_NE(c.body.find("pa = vmapfuzz_pa_hole(test, 0x600000, 0x40000000);"), std::string::npos)
      << c.body;
  // Both blocks checked page by page against the moved PA.
  EXPECT_NE(c.body.find("vmapfuzz_expect_pfns(test, (const void __force *)a1, 0x0, "
                        "PHYS_PFN(pa + 0x200000), 1024,"),
            std::string::npos)
      << c.body;
  // ioremap is the architecture's: the case needs an arm64 kernel.
  EXPECT_NE(c.body.find("#elif !(defined(CONFIG_ARM64))"), std::string::npos) << c.body;
}

TEST(KunitExport, VmapChecksEachPageAgainstTheAllocatedRuns) {
  const KunitCase c =
      export_case("vmap va=0xffff800020000000 prot=normal pages=0x1000+16,0x5000+4\n");
  ASSERT_TRUE(c.skip.empty()) << c.skip;
  EXPECT_NE(c.body.find("r1 = vmapfuzz_alloc_run(test, 16);"), std::string::npos) << c.body;
  EXPECT_NE(c.body.find("r2 = vmapfuzz_alloc_run(test, 4);"), std::string::npos) << c.body;
  EXPECT_NE(c.body.find("a1 = vmap(p1, 20, VM_MAP, PAGE_KERNEL);"), std::string::npos) << c.body;
  EXPECT_NE(c.body.find("vmapfuzz_expect_pages(test, a1, 0x0, r1 + 0, 16,"), std::string::npos)
      << c.body;
  EXPECT_NE(c.body.find("vmapfuzz_expect_pages(test, a1, 0x10000, r2 + 0, 4,"), std::string::npos)
      << c.body;
  // Only vmap and success: any architecture with 4K pages may run it.
  EXPECT_EQ(c.body.find("#elif"), std::string::npos) << c.body;
  EXPECT_NE(c.body.find("#if PAGE_SHIFT != 12"), std::string::npos) << c.body;
}

TEST(KunitExport, HugeVmallocIsCheckedOnlyWhereTheCallerAsked) {
  // vmalloc_huge(2M + 4K) maps 4M on arm64; only 2M + 4K are the caller's.
  const KunitCase c =
      export_case("vmalloc va=0xffff800000400000 size=0x201000 huge=1 prot=normal\n");
  ASSERT_TRUE(c.skip.empty()) << c.skip;
  EXPECT_NE(c.body.find("vmalloc_huge(0x201000, GFP_KERNEL)"), std::string::npos) << c.body;
  EXPECT_NE(c.body.find("vmapfuzz_expect_backed(test, a1, 0x0, 513,"), std::string::npos) << c.body;
  EXPECT_NE(c.body.find("totalram_pages()"), std::string::npos) << c.body;
}

TEST(KunitExport, LayoutDependentAndUnsafeTracesAreSkippedWithTheReason) {
  const std::pair<const char*, const char*> want[] = {
      {"ioremap va=0xffff800000200000 size=0x200000 pa=0x40200000 prot=device\n"
       "vunmap_range va=0xffff800000200000 size=0x1000\n",
       "vunmap_range() of part of an area needs the mm-internal export"},
      {"fail_alloc nth=1\n"
       "ioremap va=0xffff800000200000 size=0x1000 pa=0x40200000 prot=device\n",
       "fault injection"},
      {"vfree va=0xffff800000200000\n", "which no area of this case contains"},
  };
  for (const auto& [ops, why] : want) {
    const KunitCase c = export_case(ops);
    EXPECT_NE(c.skip.find(why), std::string::npos) << ops << " -> " << c.skip;
    EXPECT_EQ(c.body.rfind("\tkunit_skip(test, \"", 0), 0u) << c.body;
  }
}

TEST(KunitExport, LayoutDependentTracesRunMmInternallyOn612) {
  // 6.12 clears a whole PUD block on a one-page vunmap_range: the case
  // rebuilds the trace's layout in a free window and checks that every page
  // of the block is gone.
  const std::string ops =
      "ioremap va=0xffff800040000000 size=0x40000000 pa=0xc0000000 prot=device\n"
      "vunmap_range va=0xffff800040200000 size=0x1000\n";
  const KunitCase c = export_case(ops, KunitEra::v6_12);
  ASSERT_TRUE(c.skip.empty()) << c.skip;
  // The window keeps the trace VA's offset in 1G (the PUD block); the
  // physical hole too.
  EXPECT_NE(c.body.find("base = vmapfuzz_window(test, 0x40001000, 0x40000000, 0x0);"),
            std::string::npos)
      << c.body;
  EXPECT_NE(c.body.find("pa = vmapfuzz_pa_hole(test, 0x40000000, 0x40000000);"), std::string::npos)
      << c.body;
  EXPECT_NE(c.body.find("v1 = __get_vm_area_caller(0x40000000, 0, base + 0x0, base + "
                        "0x40001000, __builtin_return_address(0));"),
            std::string::npos)
      << c.body;
  EXPECT_NE(c.body.find("rc = ioremap_page_range(base + 0x0, base + 0x40000000, pa + 0x0, "
                        "__pgprot(PROT_DEVICE_nGnRE));"),
            std::string::npos)
      << c.body;
  EXPECT_NE(c.body.find("vunmap_range(base + 0x200000, base + 0x201000);"), std::string::npos)
      << c.body;
  // After op 2 the whole window is expected unmapped.
  EXPECT_NE(c.body.find("vmapfuzz_expect_unmapped(test, (const void *)base, 0x0, 262145, "
                        "\"after op 2\");"),
            std::string::npos)
      << c.body;
  // The series' tree has no mm-internal form yet.
  EXPECT_NE(export_case(ops, KunitEra::v2026).skip.find("generated for 6.12 only"),
            std::string::npos);
}

TEST(KunitExport, TheContBatchFindingIsAPublicVmapReproducer) {
  // corpus/vmap/findings/cont-batch-crosses-into-next-run.trace: v4 maps a
  // CONT batch of the first run across into the next. In 2026, vmap() of
  // >= 2M gets a 2M-aligned area, as the trace's VA is, so the public API
  // reproduces it: four runs allocated as order-4 and order-8 blocks, every
  // page checked against the page array.
  const KunitCase c = export_case(
      "vmap va=0xffff800040200000 prot=normal "
      "pages=0x1000+16,0x100000+256,0x200000+256,0x300000+256\n",
      KunitEra::v2026);
  ASSERT_TRUE(c.skip.empty()) << c.skip;
  EXPECT_NE(c.body.find("r1 = vmapfuzz_alloc_run(test, 16);"), std::string::npos) << c.body;
  EXPECT_NE(c.body.find("r4 = vmapfuzz_alloc_run(test, 256);"), std::string::npos) << c.body;
  EXPECT_NE(c.body.find("a1 = vmap(p1, 784, VM_MAP, PAGE_KERNEL);"), std::string::npos) << c.body;
  for (const char* check : {"vmapfuzz_expect_pages(test, a1, 0x0, r1 + 0, 16,",
                            "vmapfuzz_expect_pages(test, a1, 0x10000, r2 + 0, 256,",
                            "vmapfuzz_expect_pages(test, a1, 0x110000, r3 + 0, 256,",
                            "vmapfuzz_expect_pages(test, a1, 0x210000, r4 + 0, 256,"})
    EXPECT_NE(c.body.find(check), std::string::npos) << check << "\n" << c.body;
}

TEST(KunitExport, PageSizeOtherThanTheTracesIsSkipped) {
  const KunitCase c = export_case("vmalloc va=0xffff800000400000 size=0x8000 huge=0 prot=normal\n",
                                  KunitEra::v6_12, "arm64-16k-48");
  ASSERT_TRUE(c.skip.empty()) << c.skip;
  EXPECT_NE(c.body.find("#if PAGE_SHIFT != 14\n\tkunit_skip(test, \"the trace is for "
                        "arm64-16k-48, PAGE_SHIFT 14\");"),
            std::string::npos)
      << c.body;
}

TEST(KunitExport, ABootOptionThatChangesTheOutcomeSkips) {
  // The test kernel boots with default options. nohugevmalloc changes the
  // leaves, not what the case checks (the pages are mapped): it runs.
  const std::string huge = "vmalloc va=0xffff800000400000 size=0x200000 huge=1 prot=normal\n";
  const KunitCase plain = kunit_case(
      parse(trace("arm64-4k-48", huge, "nohugeiomap=0 nohugevmalloc=1")), KunitEra::v2026);
  EXPECT_TRUE(plain.skip.empty()) << plain.skip;
  // With BBML2_NOABORT, invalidating one page of a vmap'd PMD block splits
  // it and succeeds; without, it WARNs and fails: that case cannot run here.
  const KunitCase bbml2 =
      kunit_case(parse(trace("arm64-4k-48",
                             "vmap va=0xffff800000400000 prot=normal pages=0x1000+512\n"
                             "set_memory va=0xffff800000400000 numpages=1 mode=invalid\n",
                             "nohugeiomap=0 nohugevmalloc=0 bbml2_noabort=1")),
                 KunitEra::v2026);
  EXPECT_NE(bbml2.skip.find("BBML2_NOABORT"), std::string::npos) << bbml2.skip << bbml2.body;
}

TEST(KunitExport, SuiteFileHasOneHeaderAndEveryCase) {
  std::vector<KunitInput> in;
  in.push_back({"first", "corpus/vmap/seeds/first.trace",
                parse(trace("arm64-4k-48",
                            "vmap va=0xffff800020000000 prot=normal "
                            "pages=0x1000+4\n"))});
  in.push_back({"second", "corpus/vmap/seeds/second.trace",
                parse(trace("arm64-4k-48", "vfree va=0xffff800000200000\n"))});
  const std::string s = kunit_suite_file("vmap_seeds", in, KunitEra::v6_12);
  auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("SPDX-License-Identifier"), 1u);
  EXPECT_EQ(count("MODULE_LICENSE"), 1u);
  EXPECT_EQ(count("kunit_test_suite("), 1u);
  EXPECT_EQ(count("#include <kunit/test.h>"), 1u);
  EXPECT_NE(s.find("KUNIT_CASE(vmapfuzz_vmap_seeds_first),"), std::string::npos);
  EXPECT_NE(s.find("KUNIT_CASE(vmapfuzz_vmap_seeds_second),"), std::string::npos);
  EXPECT_NE(s.find(".name = \"vmapfuzz_vmap_seeds\""), std::string::npos);
}

TEST(KunitExport, SuiteNamesComeFromTheCorpusFolder) {
  EXPECT_EQ(kunit_suite_name("/x/corpus/ioremap/seeds/a.trace"), "ioremap_seeds");
  EXPECT_EQ(kunit_suite_name("corpus/vmap/findings/b.trace"), "vmap_findings");
  EXPECT_EQ(kunit_suite_name("/tmp/b.trace"), "traces");
  EXPECT_EQ(kunit_suite_name("corpus/b.trace"), "traces");
}

TEST(KunitExport, BuildFiles) {
  const std::vector<std::string> objs = {"vmapfuzz_a.o", "vmapfuzz_b.o"};
  const std::string mk = kunit_makefile(objs);
  EXPECT_NE(mk.find("obj-$(CONFIG_VMAPFUZZ_KUNIT_TEST) += vmapfuzz_a.o\n"), std::string::npos);
  EXPECT_NE(mk.find("obj-$(CONFIG_VMAPFUZZ_KUNIT_TEST) += vmapfuzz_b.o\n"), std::string::npos);
  const std::string kc = kunit_kconfig();
  EXPECT_NE(kc.find("config VMAPFUZZ_KUNIT_TEST"), std::string::npos);
  EXPECT_NE(kc.find("default KUNIT_ALL_TESTS"), std::string::npos);
  EXPECT_NE(kc.find("depends on KUNIT"), std::string::npos);
  EXPECT_NE(kunit_kunitconfig().find("CONFIG_VMAPFUZZ_KUNIT_TEST=y"), std::string::npos);
}

TEST(KunitExport, Eras) {
  EXPECT_EQ(parse_kunit_era("6.12"), KunitEra::v6_12);
  EXPECT_EQ(parse_kunit_era("2026"), KunitEra::v2026);
  EXPECT_FALSE(parse_kunit_era("6.1"));
  EXPECT_EQ(kunit_era_variant(KunitEra::v2026), engine::Variant::v4_fixed);
  EXPECT_EQ(kunit_era_variant(KunitEra::v6_12), engine::Variant::v6_12);
}

}  // namespace
}  // namespace vmapfuzz::tools
