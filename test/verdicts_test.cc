// SPDX-License-Identifier: GPL-2.0-only
// Runner judges every implementation on its own (harness/runner.h): a
// failure retires only what failed, the others run every op, and
// RunResult::verdicts says how each implementation and each comparison
// fared. A test backend (the engine's own code of an era, with one fault
// switched on per test) stands in for the kernel implementation.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "harness/backend.h"
#include "harness/runner.h"
#include "harness/trace_io.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::Variant;
using harness::ImplRole;
using harness::ImplVerdict;
using harness::RunResult;
using harness::VerdictStatus;

// The engine variant of its era, run as a backend, with optional faults.
class TestBackend final : public harness::Backend {
 public:
  explicit TestBackend(Variant era) : era_(era) {}
  std::optional<harness::OpKind> unsupported;  // an op kind it cannot run
  std::optional<std::size_t> wrong_ret_at;     // the nth op it runs returns -EINVAL
  // After the nth op it runs, it moves the PTE table that maps `move_va`
  // to another page, flushing the walk cache before it frees the old one:
  // the same translations, other descriptors.
  std::optional<std::size_t> move_table_at;
  u64 move_va = 0;
  // After the nth op it runs, it copies the PTE of the mapped `stray_from`
  // into the empty slot of `stray_va`, in the same PTE table: a write that
  // none of the ops that follow touches.
  std::optional<std::size_t> stray_write_at;
  u64 stray_from = 0, stray_va = 0;

  std::string_view name() const override { return "fake"; }
  Variant era() const override { return era_; }
  bool supports(harness::OpKind kind, const engine::Geometry&) const override {
    return kind != unsupported;
  }
  std::string describe() const override { return "a test backend"; }
  std::string source() const override { return "/nonexistent/fake-tree"; }
  bool ret_is_pointer(harness::OpKind) const override { return false; }
  engine::Outcome execute(engine::Kernel& k, const harness::Op& op) override {
    engine::Outcome o = harness::execute(k, op);
    const std::size_t n = ran_++;
    if (wrong_ret_at == n) o.ret = -engine::kEINVAL;
    if (move_table_at == n) move_pte_table(k, move_va);
    if (stray_write_at == n) stray_write(k, stray_from, stray_va);
    return o;
  }

 private:
  static void stray_write(engine::Kernel& k, u64 from, u64 to) {
    const reference::Translation tr = translate(k, VirtAddr{from});
    ASSERT_TRUE(tr.mapped);
    const reference::WalkStep& pte = tr.steps.back();
    const u64 index = pte.index + (to - from) / k.geo().page_size();
    ASSERT_LT(index, k.geo().ptrs_per_table());
    u64* table = k.pool().table(PhysAddr{pte.table_pa});
    ASSERT_EQ(table[index], 0u);
    table[index] = pte.desc;
  }

  static void move_pte_table(engine::Kernel& k, u64 at) {
    const reference::Translation tr = translate(k, VirtAddr{at});
    ASSERT_TRUE(tr.mapped);
    ASSERT_GE(tr.steps.size(), 2u);
    const reference::WalkStep& pmd = tr.steps[tr.steps.size() - 2];
    const PhysAddr old{tr.steps.back().table_pa};
    const PhysAddr fresh = k.pool().alloc();
    std::memcpy(k.pool().table(fresh), k.pool().table(old), k.geo().ptrs_per_table() * sizeof(u64));
    u64& entry = k.pool().table(PhysAddr{pmd.table_pa})[pmd.index];
    ASSERT_EQ(entry & 0xfffffffff000ull, old.v);
    entry = (entry & ~0xfffffffff000ull) | fresh.v;
    // As the kernel would: the walk cache forgets the old table before it
    // is freed (else the TLB model reports walk-cache:...:freed-table).
    k.flush(engine::FlushKind::tlb_pgtable, VirtAddr{at}, VirtAddr{at});
    k.pool().free(old);
  }

  Variant era_;
  std::size_t ran_ = 0;
};

// Registers a backend for the lifetime of the guard.
class WithBackend {
 public:
  explicit WithBackend(harness::Backend* b) : saved_(harness::backend()) {
    harness::set_backend(b);
  }
  ~WithBackend() { harness::set_backend(saved_); }
  WithBackend(const WithBackend&) = delete;
  WithBackend& operator=(const WithBackend&) = delete;

 private:
  harness::Backend* saved_;
};

harness::Trace parse(const std::string& body) {
  harness::Trace t;
  harness::ParseError err;
  EXPECT_TRUE(harness::parse_text("vmapfuzz-trace 1\ngeometry arm64-4k-48\n" + body, &t, &err))
      << err.line << ": " << err.message;
  return t;
}

// The v4 finding, at a VA patch 6 hands out
// (corpus/vmap/findings/cont-batch-crosses-into-next-run.trace).
const std::string kFindingOp =
    "vmap va=0xffff800040200000 prot=normal "
    "pages=0x1000+16,0x100000+256,0x200000+256,0x300000+256\n";
const std::string kFindingSig = "translation:v4:vmap:pte:pa-mismatch";
const std::string kIoremap2M =
    "ioremap va=0xffff800000200000 size=0x200000 pa=0x40200000 prot=device\n";

const ImplVerdict& verdict(const RunResult& r, std::string_view name) {
  for (const ImplVerdict& v : r.verdicts)
    if (v.name == name) return v;
  ADD_FAILURE() << "no verdict for " << name;
  static const ImplVerdict none;
  return none;
}

std::vector<std::string> names(const RunResult& r) {
  std::vector<std::string> out;
  for (const ImplVerdict& v : r.verdicts) out.push_back(v.name);
  return out;
}

TEST(Verdicts, OnePerImplementationAndComparison) {
  harness::Runner runner;
  const RunResult r = runner.run(parse("variant v4\n" + kIoremap2M));
  ASSERT_FALSE(r.failure) << r.failure->signature;
  EXPECT_EQ(names(r), (std::vector<std::string>{"mainline", "v4", "mainline-vs-v4"}));
  for (const ImplVerdict& v : r.verdicts) {
    EXPECT_EQ(v.status, VerdictStatus::pass) << v.name;
    EXPECT_EQ(v.ops_judged, 1u) << v.name;
  }
  EXPECT_EQ(verdict(r, "v4").role, ImplRole::variant);
  EXPECT_EQ(verdict(r, "mainline-vs-v4").role, ImplRole::comparison);
  // mainline alone: no comparison.
  EXPECT_EQ(names(runner.run(parse("variant mainline\n" + kIoremap2M))),
            std::vector<std::string>{"mainline"});
}

TEST(Verdicts, FindingFailsTheVariantAndNotMainline) {
  harness::Runner runner;
  const RunResult r = runner.run(parse("variant v4\n" + kFindingOp + kIoremap2M));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->signature, kFindingSig);
  EXPECT_TRUE(r.failed_with(kFindingSig));
  EXPECT_FALSE(r.failed_with("translation:mainline:vmap:pte:pa-mismatch"));
  EXPECT_EQ(r.ops_run, 2u);
  const ImplVerdict& main = verdict(r, "mainline");
  EXPECT_EQ(main.status, VerdictStatus::pass);
  EXPECT_EQ(main.ops_judged, 2u);  // mainline went on after v4 failed
  const ImplVerdict& v4 = verdict(r, "v4");
  EXPECT_EQ(v4.status, VerdictStatus::fail);
  ASSERT_TRUE(v4.failure);
  EXPECT_EQ(v4.failure->signature, kFindingSig);
  EXPECT_EQ(v4.failure->op_index, 0u);
  EXPECT_EQ(v4.ops_judged, 1u);
  const ImplVerdict& pair = verdict(r, "mainline-vs-v4");
  EXPECT_EQ(pair.status, VerdictStatus::not_run);
  EXPECT_EQ(pair.reason, "v4 failed at op 1");
}

TEST(Verdicts, FailingEngineVariantDoesNotStopTheBackend) {
  TestBackend fake(Variant::mainline);
  fake.wrong_ret_at = 1;
  WithBackend with(&fake);
  harness::Runner runner;
  const RunResult r = runner.run(parse("variant v4\n" + kFindingOp + kIoremap2M));
  EXPECT_EQ(names(r), (std::vector<std::string>{"mainline", "v4", "fake", "mainline-vs-v4",
                                                "mainline-vs-fake"}));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->signature, kFindingSig);  // the first one
  const ImplVerdict& be = verdict(r, "fake");
  EXPECT_EQ(be.role, ImplRole::backend);
  EXPECT_EQ(be.source, "/nonexistent/fake-tree");
  EXPECT_EQ(be.status, VerdictStatus::fail);
  ASSERT_TRUE(be.failure);
  EXPECT_EQ(be.failure->signature.rfind("ret:fake:ioremap:", 0), 0u) << be.failure->signature;
  EXPECT_EQ(be.failure->op_index, 1u);
  EXPECT_TRUE(r.failed_with(be.failure->signature));
  EXPECT_EQ(verdict(r, "mainline").status, VerdictStatus::pass);
  EXPECT_EQ(verdict(r, "v4").status, VerdictStatus::fail);
  const ImplVerdict& pair = verdict(r, "mainline-vs-fake");
  EXPECT_EQ(pair.status, VerdictStatus::not_judged);
  EXPECT_EQ(pair.ops_judged, 1u);
  EXPECT_EQ(pair.reason, "fake failed at op 2");
}

TEST(Verdicts, TwoImplementationsFailingTheSameOpAreBothReported) {
  TestBackend fake(Variant::v4);  // the engine's v4 code: the same finding
  WithBackend with(&fake);
  harness::Runner runner;
  const RunResult r = runner.run(parse("variant v4\n" + kFindingOp));
  EXPECT_EQ(names(r),
            (std::vector<std::string>{"mainline", "v4", "fake", "mainline-vs-v4", "v4-vs-fake"}));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->signature, kFindingSig);
  EXPECT_TRUE(r.failed_with("translation:fake:vmap:pte:pa-mismatch"));
  EXPECT_EQ(verdict(r, "fake").status, VerdictStatus::fail);
  // Both failed the same op: the backend is still compared with its era
  // engine there, and did what it did bit for bit (a shared finding, not a
  // modelling gap).
  const ImplVerdict& pair = verdict(r, "v4-vs-fake");
  EXPECT_EQ(pair.status, VerdictStatus::pass);
  EXPECT_EQ(pair.ops_judged, 1u);
  EXPECT_EQ(pair.reason, "both failed at op 1; bit-identical there");
  EXPECT_EQ(verdict(r, "mainline").status, VerdictStatus::pass);
}

TEST(Verdicts, FirstFailureIsByOpThenImplementation) {
  TestBackend fake(Variant::mainline);
  fake.wrong_ret_at = 0;  // fails at op 1, v4 at op 2
  WithBackend with(&fake);
  harness::Runner runner;
  const RunResult r = runner.run(parse("variant v4\n" + kIoremap2M + kFindingOp));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->impl, "fake");
  EXPECT_EQ(r.failure->op_index, 0u);
  ASSERT_TRUE(verdict(r, "v4").failure);
  EXPECT_EQ(verdict(r, "v4").failure->op_index, 1u);
}

TEST(Verdicts, UnsupportedOpLeavesOnlyTheBackendNotJudged) {
  TestBackend fake(Variant::mainline);
  fake.unsupported = harness::OpKind::vmalloc;
  WithBackend with(&fake);
  harness::Runner runner;
  const RunResult r =
      runner.run(parse("variant mainline\n" + kIoremap2M +
                       "vmalloc va=0xffff800080000000 size=0x10000 huge=0 prot=normal\n" +
                       "iounmap va=0xffff800000200000\n"));
  EXPECT_FALSE(r.failure) << r.failure->signature;
  EXPECT_TRUE(r.backend_retired);
  const ImplVerdict& be = verdict(r, "fake");
  EXPECT_EQ(be.status, VerdictStatus::not_judged);
  EXPECT_EQ(be.ops_judged, 1u);
  EXPECT_EQ(be.reason, "op 2 (vmalloc) is not supported by this implementation");
  EXPECT_EQ(verdict(r, "mainline").status, VerdictStatus::pass);
  EXPECT_EQ(verdict(r, "mainline").ops_judged, 3u);
  const ImplVerdict& pair = verdict(r, "mainline-vs-fake");
  EXPECT_EQ(pair.status, VerdictStatus::not_judged);
  EXPECT_EQ(pair.reason, "fake stopped: " + be.reason);
  ASSERT_EQ(r.notes.size(), 1u);

  // Unsupported from the first op: never run.
  const RunResult first = runner.run(
      parse("variant mainline\nvmalloc va=0xffff800080000000 size=0x10000 huge=0 prot=normal\n"));
  EXPECT_EQ(verdict(first, "fake").status, VerdictStatus::not_run);
  EXPECT_EQ(verdict(first, "mainline-vs-fake").status, VerdictStatus::not_run);
  EXPECT_EQ(verdict(first, "mainline").status, VerdictStatus::pass);
}

TEST(Verdicts, ComparisonFailsAloneAndBothSidesGoOn) {
  TestBackend fake(Variant::mainline);
  fake.move_table_at = 0;
  fake.move_va = 0xffff800000010000;
  WithBackend with(&fake);
  harness::Runner runner;
  const RunResult r =
      runner.run(parse("variant mainline\n"
                       "ioremap va=0xffff800000010000 size=0x10000 pa=0x40010000 prot=device\n" +
                       kIoremap2M));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->signature, "variants:mainline-vs-fake:ioremap:-:tables");
  EXPECT_EQ(r.failure->impl, "mainline-vs-fake");
  const ImplVerdict& pair = verdict(r, "mainline-vs-fake");
  EXPECT_EQ(pair.status, VerdictStatus::fail);
  EXPECT_EQ(pair.ops_judged, 1u);
  // The tables differ, but each implementation agrees with its reference.
  for (const char* name : {"mainline", "fake"}) {
    EXPECT_EQ(verdict(r, name).status, VerdictStatus::pass) << name;
    EXPECT_EQ(verdict(r, name).ops_judged, 2u) << name;
  }
}

// A write outside every op's touched range: no per-op check looks there,
// the whole-tree audit does, after every kAuditEvery ops and at the end.
harness::Trace stray_trace(std::size_t ops) {
  std::string body =
      "variant mainline\n"
      "ioremap va=0xffff800000010000 size=0x1000 pa=0x40010000 prot=device\n";
  for (std::size_t i = 1; i < ops; ++i) {
    char line[120];
    std::snprintf(line, sizeof line, "ioremap va=0x%llx size=0x1000 pa=0x40010000 prot=device\n",
                  0xffff800000400000ull + i * 0x200000ull);
    body += line;
  }
  return parse(body);
}

TEST(Verdicts, AuditCatchesAWriteOutsideTheTouchedRangeAfterEveryAuditPeriod) {
  TestBackend fake(Variant::mainline);
  fake.stray_write_at = 0;
  fake.stray_from = 0xffff800000010000;
  fake.stray_va = 0xffff800000018000;  // the first op touched [0x10000, 0x12000)
  WithBackend with(&fake);
  harness::Runner runner;
  const RunResult r = runner.run(stray_trace(harness::kAuditEvery + 4));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->signature, "translation:fake:ioremap:pte:unexpected-mapping");
  EXPECT_EQ(r.failure->op_index, harness::kAuditEvery - 1);  // the first audit, not earlier
  EXPECT_EQ(r.failure->va, std::optional<u64>{0xffff800000018000});
  EXPECT_EQ(verdict(r, "fake").ops_judged, harness::kAuditEvery);
  // The engine, which did not write there, passes every op and audit.
  EXPECT_EQ(verdict(r, "mainline").status, VerdictStatus::pass);
  EXPECT_EQ(verdict(r, "mainline").ops_judged, harness::kAuditEvery + 4);
}

TEST(Verdicts, AuditAtTheEndCatchesAWriteOutsideTheTouchedRange) {
  TestBackend fake(Variant::mainline);
  fake.stray_write_at = 1;
  fake.stray_from = 0xffff800000010000;
  fake.stray_va = 0xffff800000018000;
  WithBackend with(&fake);
  harness::Runner runner;
  const RunResult r = runner.run(stray_trace(3));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->signature, "translation:fake:ioremap:pte:unexpected-mapping");
  EXPECT_EQ(r.failure->op_index, 2u);
  EXPECT_EQ(verdict(r, "mainline").status, VerdictStatus::pass);
}

TEST(Verdicts, PredictedBugEndsTheTraceForEveryImplementation) {
  TestBackend fake(Variant::mainline);
  WithBackend with(&fake);
  harness::Runner runner;
  // The second op remaps a live PTE: BUG in mainline (and in the backend).
  const RunResult r = runner.run(
      parse("variant mainline\n"
            "vmap_page_range va=0xffff800000002000 size=0x1000 pa=0x100000000 prot=normal\n"
            "vmap_page_range va=0xffff800000000000 size=0x4000 pa=0x100000000 prot=normal\n" +
            kIoremap2M));
  EXPECT_FALSE(r.failure) << r.failure->signature;
  EXPECT_TRUE(r.stopped_by_bug);
  EXPECT_EQ(r.ops_run, 2u);
  for (const ImplVerdict& v : r.verdicts) {
    EXPECT_EQ(v.status, VerdictStatus::pass) << v.name;
    EXPECT_EQ(v.ops_judged, 2u) << v.name;
  }
}

}  // namespace
}  // namespace vmapfuzz::test
