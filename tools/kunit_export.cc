// SPDX-License-Identifier: GPL-2.0-only
#include "tools/kunit_export.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>
#include <type_traits>

#include "harness/runner.h"
#include "harness/trace_io.h"
#include "harness/visit.h"
#include "reference/model.h"
#include "tools/text.h"

namespace vmapfuzz::tools {
namespace {

using engine::u64;
using harness::Op;

std::string num(u64 v) { return std::to_string(v); }

// Appends the parts to `out`, with no temporary strings in between.
void append(std::string& out, std::initializer_list<std::string_view> parts) {
  for (const std::string_view p : parts) out.append(p);
}

// A C string literal's contents: quotes and backslashes escaped.
std::string c_string(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c == '"' || c == '\\') s += '\\';
    s += c == '\n' ? ' ' : c;
  }
  return s;
}

// The preprocessor condition under which the kernel being built is the
// trace's architecture (UML defines CONFIG_X86_64 but has its own mm).
std::string arch_condition(engine::Arch a) {
  switch (a) {
    case engine::Arch::arm64: return "defined(CONFIG_ARM64)";
    case engine::Arch::x86_64: return "defined(CONFIG_X86_64) && !defined(CONFIG_UML)";
    case engine::Arch::riscv64: return "defined(CONFIG_RISCV)";
  }
  return "0";
}

// The pgprot_t a vmap()/vmalloc caller passes for each protection.
std::string pgprot_expr(engine::ProtName p) {
  switch (p) {
    case engine::ProtName::device: return "pgprot_device(PAGE_KERNEL)";
    case engine::ProtName::device_nE: return "pgprot_noncached(PAGE_KERNEL)";
    case engine::ProtName::normal: return "PAGE_KERNEL";
    case engine::ProtName::normal_nc: return "pgprot_writecombine(PAGE_KERNEL)";
    case engine::ProtName::kernel_ro: return "PAGE_KERNEL_RO";
    case engine::ProtName::kernel_exec: return "PAGE_KERNEL_EXEC";
  }
  return "PAGE_KERNEL";
}

// The ioremap entry point for a protection: the caller-facing API where
// there is one (ioremap, ioremap_np, ioremap_wc, ioremap_cache). arm64 has
// no public ioremap for RO or executable mappings; __ioremap_prot() takes
// the full pgprot_t in 6.12 and in 2026 (ioremap_prot() there keeps only
// the memory type of a *user* prot and returns NULL without PTE_USER).
// Empty: no such API on this architecture.
std::string ioremap_call(engine::Arch arch, engine::ProtName p, const std::string& pa,
                         const std::string& size) {
  const std::string args = "(" + pa + ", " + size + ")";
  switch (p) {
    case engine::ProtName::device: return "ioremap" + args;
    case engine::ProtName::device_nE: return arch == engine::Arch::arm64 ? "ioremap_np" + args : "";
    case engine::ProtName::normal_nc: return "ioremap_wc" + args;
    case engine::ProtName::normal: return "ioremap_cache" + args;
    case engine::ProtName::kernel_ro:
    case engine::ProtName::kernel_exec:
      if (arch != engine::Arch::arm64) return "";
      return "__ioremap_prot(" + pa + ", " + size + ", " + pgprot_expr(p) + ")";
  }
  return "";
}

std::string preamble() {
  std::string s;
  s += "#include <kunit/test.h>\n#include <kunit/resource.h>\n#include <linux/io.h>\n";
  s += "#include <linux/ioport.h>\n#include <linux/memblock.h>\n#include <linux/mm.h>\n";
  s += "#include <linux/set_memory.h>\n#include <linux/slab.h>\n#include <linux/string.h>\n";
  s += "#include <linux/vmalloc.h>\n#include <linux/cacheflush.h>\n\n";
  s += "#include \"../internal.h\"  /* vmap_pages_range_noflush() */\n\n";
  s += R"(/* Cleanup actions: kunit_add_action_or_reset() registers one per resource. */
static void vmapfuzz_vfree(void *p)
{
	vfree(p);
}

static void vmapfuzz_vunmap(void *p)
{
	vunmap(p);
}

static void vmapfuzz_iounmap(void *p)
{
	iounmap((void __iomem *)p);
}

static void vmapfuzz_kvfree(void *p)
{
	kvfree(p);
}

/* A run of page frames the trace names, allocated for the case. */
struct vmapfuzz_run {
	unsigned long nr;
	struct page **pages;
};

static void vmapfuzz_free_run(void *arg)
{
	struct vmapfuzz_run *run = arg;
	unsigned long i;

	for (i = 0; i < run->nr; i++)
		if (run->pages[i])
			__free_page(run->pages[i]);
	kvfree(run->pages);
	kfree(run);
}

/*
 * nr pages for a run of the trace, physically contiguous in blocks as large
 * as the page allocator gives (the translations checked do not depend on
 * it; the leaf sizes the kernel picks do). Freed when the case ends.
 */
static __maybe_unused struct page **vmapfuzz_alloc_run(struct kunit *test, unsigned long nr)
{
	struct vmapfuzz_run *run;
	unsigned long j;
	int order;

	run = kzalloc(sizeof(*run), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, run);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vmapfuzz_free_run, run), 0);
	run->pages = kvcalloc(nr, sizeof(*run->pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, run->pages);
	while (run->nr < nr) {
		struct page *blk;

		order = min_t(int, ilog2(nr - run->nr), MAX_PAGE_ORDER);
		blk = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
		while (!blk && order > 0) {
			order--;
			blk = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
		}
		if (!blk)
			kunit_skip(test, "out of memory: %lu pages for a run of %lu", nr - run->nr, nr);
		split_page(blk, order);
		for (j = 0; j < (1UL << order); j++)
			run->pages[run->nr++] = blk + j;
	}
	return run->pages;
}

/* A zeroed page array for vmap(), freed when the case ends. */
static __maybe_unused struct page **vmapfuzz_page_array(struct kunit *test, unsigned long nr)
{
	struct page **pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vmapfuzz_kvfree, pages), 0);
	return pages;
}

/* What each page of a range must translate to. */
enum vmapfuzz_want {
	VMAPFUZZ_PAGES,		/* pages[i] */
	VMAPFUZZ_PFNS,		/* page frame pfn + i */
	VMAPFUZZ_BACKED,	/* any page (vmalloc's are the kernel's choice) */
	VMAPFUZZ_UNMAPPED,	/* nothing */
};

/*
 * Pages base + off, base + off + PAGE_SIZE, ... (nr of them) translate as
 * want says; the first that does not fails the case.
 */
static __maybe_unused void vmapfuzz_expect(struct kunit *test, enum vmapfuzz_want want,
					   const void *base, unsigned long off,
					   struct page **pages, unsigned long pfn,
					   unsigned long nr, const char *what)
{
	static const char *const wants[] = { "pfn %#lx", "pfn %#lx", "a page", "nothing" };
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct page *got = vmalloc_to_page(base + off + i * PAGE_SIZE);
		unsigned long want_pfn = want == VMAPFUZZ_PAGES ? page_to_pfn(pages[i]) : pfn + i;
		bool ok;

		switch (want) {
		case VMAPFUZZ_PAGES:
			ok = got == pages[i];
			break;
		case VMAPFUZZ_PFNS:
			ok = got && page_to_pfn(got) == pfn + i;
			break;
		case VMAPFUZZ_BACKED:
			ok = got;
			break;
		default:
			ok = !got;
			break;
		}
		if (!ok) {
			char expected[32];

			snprintf(expected, sizeof(expected), wants[want], want_pfn);
			if (got)
				KUNIT_FAIL(test, "%s + %#lx: maps pfn %#lx, expected %s", what,
					   off + i * PAGE_SIZE, page_to_pfn(got), expected);
			else
				KUNIT_FAIL(test, "%s + %#lx: maps nothing, expected %s", what,
					   off + i * PAGE_SIZE, expected);
			return;
		}
	}
}

static __maybe_unused void vmapfuzz_expect_pages(struct kunit *test, const void *base,
						 unsigned long off, struct page **pages,
						 unsigned long nr, const char *what)
{
	vmapfuzz_expect(test, VMAPFUZZ_PAGES, base, off, pages, 0, nr, what);
}

static __maybe_unused void vmapfuzz_expect_pfns(struct kunit *test, const void *base,
						unsigned long off, unsigned long pfn,
						unsigned long nr, const char *what)
{
	vmapfuzz_expect(test, VMAPFUZZ_PFNS, base, off, NULL, pfn, nr, what);
}

static __maybe_unused void vmapfuzz_expect_backed(struct kunit *test, const void *base,
						  unsigned long off, unsigned long nr,
						  const char *what)
{
	vmapfuzz_expect(test, VMAPFUZZ_BACKED, base, off, NULL, 0, nr, what);
}

static __maybe_unused void vmapfuzz_expect_unmapped(struct kunit *test, const void *base,
						    unsigned long off, unsigned long nr,
						    const char *what)
{
	vmapfuzz_expect(test, VMAPFUZZ_UNMAPPED, base, off, NULL, 0, nr, what);
}

static void vmapfuzz_free_vm_area(void *area)
{
	free_vm_area(area);
}

/*
 * The start of a free VA window of span bytes, offset bytes past an align
 * boundary (as the trace's lowest VA is): the mm-internal cases make their
 * areas at fixed VAs in it. The probe area is freed and purged at once, so
 * the window is free when the case starts using it.
 */
static __maybe_unused unsigned long vmapfuzz_window(struct kunit *test, unsigned long span,
						    unsigned long align, unsigned long offset)
{
	struct vm_struct *probe = get_vm_area(span + 2 * align, 0);
	unsigned long base;

	if (!probe)
		kunit_skip(test, "no free VA window of %lu bytes", span);
	base = ALIGN((unsigned long)probe->addr, align) + offset;
	free_vm_area(probe);
	vm_unmap_aliases();
	return base;
}

#ifdef CONFIG_ARM64
/*
 * A physical range of size bytes at an align boundary that nothing uses:
 * above the last page frame and outside every resource, so that ioremap()
 * (which refuses RAM) maps it. Nothing is read or written through it.
 */
static __maybe_unused phys_addr_t vmapfuzz_pa_hole(struct kunit *test, phys_addr_t size,
						   phys_addr_t align)
{
	phys_addr_t base = ALIGN(PFN_PHYS(max_pfn), align);
	int tries;

	for (tries = 0; tries < 4096; tries++, base += align) {
		if (base + size < base || base + size - 1 > PHYS_MASK)
			break;
		if (!pfn_valid(PHYS_PFN(base)) &&
		    region_intersects(base, size, IORESOURCE_MEM, IORES_DESC_NONE) ==
			    REGION_DISJOINT)
			return base;
	}
	kunit_skip(test, "no unused physical range of %pa bytes aligned to %pa", &size, &align);
	return 0;
}
#endif

)";
  return s;
}

// The largest block vmap may build on the geometry, up to 1G: the alignment
// a moved VA window or physical range keeps, so that every address keeps
// its offset in any block (a PA only 2M aligned would turn the trace's 1G
// block into 2M ones).
u64 block_align(const reference::GeometryFacts& f) {
  u64 a = f.page_size;
  for (const u64 b : {f.cont_pte_size, f.pmd_block_size, f.pud_block_size})
    if (b && b <= (u64{1} << 30)) a = std::max(a, b);
  return a;
}

// The live areas of a case: which op made each (its C variable) and how.
enum class AreaKind { ioremap, vmalloc, vmap };
struct LiveArea {
  u64 start = 0, end = 0;  // the reference's area, guard page included
  unsigned op = 0;         // 1-based op number: the C variable aN
  AreaKind kind = AreaKind::vmalloc;
  // The bytes from start the caller asked for: what the checks cover. A
  // huge vmalloc may map more (its size rounded to the block), but only
  // where the architecture has huge vmap; the caller never sees it.
  u64 usable = 0;
};
// A run of page frames allocated for vmap: trace pfns [pfn, pfn + count)
// are the C array rK[0 .. count).
struct PageAlloc {
  u64 pfn = 0, count = 0;
  unsigned id = 0;
};

// The trace's physical addresses, moved to one unused range found at run
// time (vmapfuzz_pa_hole): its C declaration and statements go to `decls`
// and `stmts`. The range starts at the lowest PA rounded down to `align`,
// so that every PA keeps its offset in any block; the returned pair is
// that start and the end of the highest PA range (0, 0 when no op maps a
// physical address).
std::pair<u64, u64> emit_pa_hole(const harness::Trace& t, u64 align, std::string& decls,
                                 std::string& stmts) {
  u64 lo = ~u64{0}, hi = 0;
  for (const Op& op : t.ops)
    std::visit(
        [&]<class O>(const O& o) {
          if constexpr (requires { o.pa; }) {
            lo = std::min(lo, o.pa);
            hi = std::max(hi, o.pa + o.size);
          }
        },
        op);
  if (!hi) return {0, 0};
  const u64 base = lo & ~(align - 1);
  decls += "\tphys_addr_t pa;\n";
  stmts += "\t/* The trace's physical range " + hex(lo) + "-" + hex(hi) +
           " moved to an unused one. */\n";
  stmts += "\tpa = vmapfuzz_pa_hole(test, " + hex(hi - base) + ", " + hex(align) + ");\n";
  return {base, hi};
}

// One op replayed on the reference, with what both case forms need: the
// area its VA was in before, the area it made, the comment line, and why
// the kernel cannot run it (a predicted BUG, a VA the area allocator would
// not hand out).
struct Step {
  engine::Outcome out;
  std::pair<u64, u64> owner_before{0, 0};  // {0, 0}: none, or the op has no VA
  std::optional<std::pair<u64, u64>> created;
  std::string note;
  std::string cannot_run;
};

Step replay_step(reference::RefKernel& ref, const Op& op, unsigned n) {
  Step st;
  const auto before = ref.area_list();
  std::visit(
      [&]<class O>(const O& o) {
        if constexpr (requires { o.va; }) st.owner_before = ref.area_extent(o.va);
      },
      op);
  st.out = harness::predict(ref, op);
  if (st.out.bug != engine::BugId::none)
    st.cannot_run = "op " + num(n) + " (" + harness::show(op) + ") is expected to hit BUG " +
                    std::string(engine::bug_name(st.out.bug)) + ": the kernel would oops";
  else if (st.out.unreachable_align)
    st.cannot_run = "op " + num(n) + " needs a VA the kernel's area allocator does not hand out";
  st.note = "\t/* op " + num(n) + ": " + harness::show(op) + " (ret " + std::to_string(st.out.ret);
  for (const engine::Warn& w : st.out.warns)
    st.note += ", WARN " + std::string(engine::warn_name(w.id));
  st.note += ") */\n";
  if (st.out.ret == 0)
    for (const auto& a : ref.area_list())
      if (std::find(before.begin(), before.end(), a) == before.end()) st.created = a;
  return st;
}

// The mm-internal form of a case whose trace needs its own VAs (partial
// vunmap_range, ioremap_page_range or vmap_page_range at a chosen VA, an
// area that fails for want of room, `placement any`). It reserves a free VA
// window placed as the trace's lowest VA is modulo the largest block, then
// makes each area at the trace's VA rebased into it with
// __get_vm_area_caller(), and maps it with the functions the kernel's own
// callers use underneath (ioremap_page_range, __vmalloc_node_range with a
// fixed range, vmap_pages_range_noflush). After each op it checks every page
// of the window: mapped as the reference says, or not mapped. 6.12's API,
// arm64 geometries; built in (mm/internal.h).
class InternalWriter {
 public:
  explicit InternalWriter(const harness::Trace& t) : t_(t), page_(t.geo->page_size()) {}

  KunitCase write() {
    window(t_);
    plan(t_);
    if (!skip_.empty()) return {"\tkunit_skip(test, \"" + c_string(skip_) + "\");\n", skip_};
    const std::string geo(t_.geo->name);
    std::string s = "#if PAGE_SHIFT != " + num(t_.geo->page_shift) + "\n";
    s += "\tkunit_skip(test, \"the trace is for " + geo + ", PAGE_SHIFT " +
         num(t_.geo->page_shift) + "\");\n";
    s += "#elif !(" + arch_condition(t_.geo->arch) + ")\n";
    s += "\tkunit_skip(test, \"the expectations are " +
         std::string(engine::arch_name(t_.geo->arch)) + "'s (" + geo + ")\");\n";
    s += "#else\n" + decls_ + "\n";
    if (ram_pages_) {
      const u64 mib = (ram_pages_ * page_ >> 20) + 64;
      s += "\tif (totalram_pages() < " + num(mib) + "UL << (20 - PAGE_SHIFT))\n";
      s += "\t\tkunit_skip(test, \"needs " + num(mib) + " MiB of RAM\");\n";
    }
    s += stmts_ + "#endif\n";
    return {s, {}};
  }

 private:
  struct Area {
    u64 start = 0, end = 0;  // the reference's, guard page included
    unsigned op = 0;
    AreaKind kind = AreaKind::vmalloc;
  };

  void skip(const std::string& why) {
    if (skip_.empty()) skip_ = why;
  }
  std::string at(u64 va) const { return "base + " + hex(va - lo_); }

  // The VA window every op and area of the trace lies in, and the
  // alignment it keeps: the largest block vmap may build, up to 1G.
  void window(const harness::Trace& t) {
    reference::RefKernel ref(*t.geo, t.variant, t.config);
    u64 lo = ~u64{0}, hi = 0;
    auto cover = [&](u64 a, u64 b) {
      lo = std::min(lo, a);
      hi = std::max(hi, b);
    };
    for (const Op& op : t.ops) {
      std::visit(
          [&]<class O>(const O& o) {
            if constexpr (requires { o.size; }) cover(o.va, o.va + o.size);
            else if constexpr (requires { o.numpages; }) cover(o.va, o.va + o.numpages * page_);
            else if constexpr (requires { o.runs; }) cover(o.va, o.va + o.page_count() * page_);
            else if constexpr (requires { o.va; }) cover(o.va, o.va + page_);
          },
          op);
      if (harness::predict(ref, op).bug != engine::BugId::none) break;
      for (const auto& [a, b] : ref.area_list()) cover(a, b);
      for (const auto& r : ref.expected_runs()) cover(r.va, r.va + r.size);
    }
    align_ = block_align(ref.facts());
    if (hi <= lo) {
      skip("internal: the trace names no VA");
      return;
    }
    lo_ = lo / page_ * page_;
    hi_ = (hi + page_ - 1) / page_ * page_;
  }

  const Area* area_at(u64 va) const {
    for (const Area& a : live_)
      if (va >= a.start && va < a.end) return &a;
    return nullptr;
  }

  // Every page of the window as the reference has it now.
  void check_window(const reference::RefKernel& ref, unsigned after_op) {
    const std::string what = "after op " + num(after_op);
    std::vector<reference::LeafRun> runs = ref.expected_runs(lo_, hi_);
    std::vector<std::pair<u64, u64>> skipped_ranges;  // invalid entries: not walked
    for (const auto& r : ref.expected_invalid(lo_, hi_))
      skipped_ranges.emplace_back(r.va, r.va + r.size);
    u64 x = lo_;
    auto unmapped_to = [&](u64 end) {
      if (end > x)
        stmts_ += "\tvmapfuzz_expect_unmapped(test, (const void *)base, " + hex(x - lo_) + ", " +
                  num((end - x) / page_) + ", \"" + what + "\");\n";
    };
    std::vector<std::pair<u64, u64>> known;  // mapped or invalid, in VA order
    known.reserve(runs.size() + skipped_ranges.size());
    for (const auto& r : runs) known.emplace_back(r.va, r.va + r.size);
    known.insert(known.end(), skipped_ranges.begin(), skipped_ranges.end());
    std::sort(known.begin(), known.end());
    for (const auto& [a, b] : known) {
      unmapped_to(a);
      x = std::max(x, b);
    }
    unmapped_to(hi_);
    for (const auto& r : runs) {
      u64 va = r.va, pfn = r.pa / page_, left = r.size / page_;
      while (left) {
        const PageAlloc* al = nullptr;
        for (const PageAlloc& p : allocs_)
          if (pfn >= p.pfn && pfn < p.pfn + p.count) al = &p;
        const Area* area = area_at(va);
        u64 n = left;
        if (al) {
          n = std::min(left, al->pfn + al->count - pfn);
          stmts_ += "\tvmapfuzz_expect_pages(test, (const void *)base, " + hex(va - lo_) + ", r" +
                    num(al->id) + " + " + num(pfn - al->pfn) + ", " + num(n) + ", \"" + what +
                    "\");\n";
        } else if (area && area->kind == AreaKind::vmalloc) {
          stmts_ += "\tvmapfuzz_expect_backed(test, (const void *)base, " + hex(va - lo_) + ", " +
                    num(n) + ", \"" + what + "\");\n";
        } else if (pa_hi_ && pfn * page_ >= pa_base_ && (pfn + n) * page_ <= pa_hi_) {
          stmts_ += "\tvmapfuzz_expect_pfns(test, (const void *)base, " + hex(va - lo_) +
                    ", PHYS_PFN(pa + " + hex(pfn * page_ - pa_base_) + "), " + num(n) + ", \"" +
                    what + "\");\n";
        } else {
          skip("internal: a translation to a page frame the case cannot name");
          return;
        }
        va += n * page_;
        pfn += n;
        left -= n;
      }
    }
  }

  void plan(const harness::Trace& t) {
    if (t.geo->arch != engine::Arch::arm64) {
      skip(
          "the mm-internal export (for a trace that needs its own VAs) is generated for arm64 "
          "geometries only");
      return;
    }
    reference::RefKernel ref(*t.geo, t.variant, t.config);
    decls_ += "\tunsigned long base;\n\tint rc;\n";
    stmts_ += "\t/* The trace's VAs " + hex(lo_) + "-" + hex(hi_) + " moved to a free window. */\n";
    stmts_ += "\tbase = vmapfuzz_window(test, " + hex(hi_ - lo_) + ", " + hex(align_) + ", " +
              hex(lo_ % align_) + ");\n";
    std::tie(pa_base_, pa_hi_) = emit_pa_hole(t, align_, decls_, stmts_);
    stmts_ += "\trc = 0;\n";
    for (std::size_t i = 0; i < t.ops.size() && skip_.empty(); ++i) {
      const unsigned n = static_cast<unsigned>(i + 1);
      const Op& op = t.ops[i];
      const Step st = replay_step(ref, op, n);
      if (!st.cannot_run.empty()) {
        skip(st.cannot_run);
        return;
      }
      const engine::Outcome& out = st.out;
      const auto& owner_before = st.owner_before;
      const auto& created = st.created;
      stmts_ += st.note;
      const std::string ret = std::to_string(out.ret);
      std::visit(
          harness::Overloaded{
              [&](const harness::IoremapOp& o) { ioremap(o, n, out.ret, created); },
              [&](const harness::VmallocOp& o) { vmalloc(o, n, out.ret, created); },
              [&](const harness::VmapOp& o) { vmap(o, n, out, created); },
              [&](const harness::IounmapOp& o) { release(n, o.va, owner_before, "iounmap"); },
              [&](const harness::VfreeOp& o) { release(n, o.va, owner_before, "vfree"); },
              [&](const harness::VunmapOp& o) { release(n, o.va, owner_before, "vunmap"); },
              [&](const harness::VunmapRangeOp& o) {
                stmts_ += "\tvunmap_range(" + at(o.va) + ", " + at(o.va + o.size) + ");\n";
              },
              [&](const harness::IoremapPageRangeOp& o) {
                stmts_ += "\tKUNIT_EXPECT_EQ(test, ioremap_page_range(" + at(o.va) + ", " +
                          at(o.va + o.size) + ", pa + " + hex(o.pa - pa_base_) + ", " +
                          prot(o.prot) + "), " + ret + ");\n";
              },
              [&](const harness::VmapPageRangeOp& o) {
                if (!area_at(o.va) || !area_at(o.va + o.size - 1)) {
                  skip("op " + num(n) +
                       ": vmap_page_range() outside the case's areas would map VAs the kernel "
                       "may hand out");
                  return;
                }
                stmts_ += "\tKUNIT_EXPECT_EQ(test, vmap_page_range(" + at(o.va) + ", " +
                          at(o.va + o.size) + ", pa + " + hex(o.pa - pa_base_) + ", " +
                          prot(o.prot) + "), " + ret + ");\n";
              },
              [&](const harness::SetMemoryOp& o) {
                std::string call =
                    common::is_set_memory_valid(o.mode)
                        ? std::string("set_memory_valid(")
                        : "set_memory_" + std::string(common::set_memory_mode_name(o.mode)) + "(";
                call += at(o.va + (o.unaligned ? harness::kSetMemoryUnalignedOffset : 0)) + ", " +
                        num(o.numpages);
                if (common::is_set_memory_valid(o.mode))
                  call += o.mode == harness::SetMemoryMode::valid ? ", 1" : ", 0";
                append(stmts_, {"\tKUNIT_EXPECT_EQ(test, ", call, "), ", ret, ");\n"});
              },
              [&](const harness::FailAllocOp&) {
                skip("op " + num(n) + ": fault injection is not generated (docs/kunit.md)");
              },
              [&](const harness::FailPageAllocOp&) {
                skip("op " + num(n) + ": fault injection is not generated (docs/kunit.md)");
              },
          },
          op);
      if (!skip_.empty()) return;
      check_window(ref, n);
    }
  }

  // The pgprot_t an ioremap caller hands to ioremap_page_range (arm64).
  static std::string prot(engine::ProtName p) {
    switch (p) {
      case engine::ProtName::device: return "__pgprot(PROT_DEVICE_nGnRE)";
      case engine::ProtName::device_nE: return "__pgprot(PROT_DEVICE_nGnRnE)";
      case engine::ProtName::normal: return "__pgprot(PROT_NORMAL)";
      case engine::ProtName::normal_nc: return "__pgprot(PROT_NORMAL_NC)";
      case engine::ProtName::kernel_ro: return "PAGE_KERNEL_RO";
      case engine::ProtName::kernel_exec: return "PAGE_KERNEL_EXEC";
    }
    return "PAGE_KERNEL";
  }

  // A fixed-VA area: created over exactly [start, end) (guard page
  // included), registered for cleanup.
  void fixed_area(const std::string& v, u64 size, const char* flags, u64 start, u64 end) {
    stmts_ += "\t" + v + " = __get_vm_area_caller(" + hex(size) + ", " + flags + ", " + at(start) +
              ", " + at(end) + ", __builtin_return_address(0));\n";
    stmts_ += "\tif (" + v + ")\n\t\tKUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, " +
              "vmapfuzz_free_vm_area, " + v + "), 0);\n";
  }

  void ioremap(const harness::IoremapOp& o, unsigned n, int ret,
               const std::optional<std::pair<u64, u64>>& created) {
    const std::string v = "v" + num(n);
    decls_ += "\tstruct vm_struct *" + v + ";\n";
    fixed_area(v, o.size, "0", o.va, o.va + o.size + page_);
    if (ret != 0 && !created && taken(o.va, o.va + o.size + page_)) {
      stmts_ += "\tKUNIT_EXPECT_NULL(test, " + v + ");\n";
      return;
    }
    stmts_ += "\tKUNIT_ASSERT_NOT_NULL(test, " + v + ");\n";
    stmts_ += "\t" + v + "->flags |= VM_IOREMAP;\n";
    stmts_ += "\trc = ioremap_page_range(" + at(o.va) + ", " + at(o.va + o.size) + ", pa + " +
              hex(o.pa - pa_base_) + ", " + prot(o.prot) + ");\n";
    stmts_ += "\tKUNIT_EXPECT_EQ(test, rc, " + std::to_string(ret) + ");\n";
    if (ret != 0) {
      stmts_ += "\tkunit_release_action(test, vmapfuzz_free_vm_area, " + v + ");\n";
      return;
    }
    if (created) live_.push_back({created->first, created->second, n, AreaKind::ioremap});
  }

  bool taken(u64 a, u64 b) const {
    return std::any_of(live_.begin(), live_.end(),
                       [&](const Area& l) { return a < l.end && l.start < b; });
  }

  void vmalloc(const harness::VmallocOp& o, unsigned n, int ret,
               const std::optional<std::pair<u64, u64>>& created) {
    const std::string v = "a" + num(n);
    decls_ += "\tvoid *" + v + ";\n";
    ram_pages_ += (o.size + page_ - 1) / page_;
    const u64 start = created ? created->first : o.va;
    const u64 end = created ? created->second : o.va + (o.size + page_ - 1) / page_ * page_ + page_;
    stmts_ += "\t" + v + " = __vmalloc_node_range(" + hex(o.size) + ", 1, " + at(start) + ", " +
              at(end) + ", GFP_KERNEL, " + pgprot_expr(o.prot) + ", " +
              (o.huge ? "VM_ALLOW_HUGE_VMAP" : "0") +
              ", NUMA_NO_NODE, __builtin_return_address(0));\n";
    stmts_ += "\tif (" + v + ")\n\t\tKUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, " +
              "vmapfuzz_vfree, " + v + "), 0);\n";
    if (ret != 0) {
      stmts_ += "\tKUNIT_EXPECT_NULL(test, " + v + ");\n";
      return;
    }
    stmts_ += "\tKUNIT_ASSERT_PTR_EQ(test, " + v + ", (void *)(" + at(start) + "));\n";
    stmts_ += "\tset_vm_flush_reset_perms(" + v + ");\n";
    if (created) live_.push_back({created->first, created->second, n, AreaKind::vmalloc});
  }

  void vmap(const harness::VmapOp& o, unsigned n, const engine::Outcome& out,
            const std::optional<std::pair<u64, u64>>& created) {
    const std::string v = "v" + num(n), arr = "p" + num(n);
    const u64 count = o.page_count();
    decls_ += "\tstruct page **" + arr + ";\n\tstruct vm_struct *" + v + ";\n";
    stmts_ += "\t" + arr + " = vmapfuzz_page_array(test, " + num(count) + ");\n";
    u64 at_page = 0;
    for (const harness::PageRun& r : o.runs) {
      if (r.pfn == engine::kNullPage) {
        at_page += r.count;
        continue;
      }
      const PageAlloc* al = nullptr;
      for (const PageAlloc& p : allocs_) {
        if (r.pfn >= p.pfn && r.pfn + r.count <= p.pfn + p.count) al = &p;
        else if (r.pfn < p.pfn + p.count && p.pfn < r.pfn + r.count) {
          skip("op " + num(n) + ": page runs that overlap in part are not generated");
          return;
        }
      }
      if (!al) {
        allocs_.push_back({r.pfn, r.count, static_cast<unsigned>(allocs_.size() + 1)});
        al = &allocs_.back();
        decls_ += "\tstruct page **r" + num(al->id) + ";\n";
        stmts_ += "\tr" + num(al->id) + " = vmapfuzz_alloc_run(test, " + num(r.count) + ");\n";
        ram_pages_ += r.count;
      }
      stmts_ += "\tmemcpy(&" + arr + "[" + num(at_page) + "], &r" + num(al->id) + "[" +
                num(r.pfn - al->pfn) + "], " + num(r.count) + " * sizeof(struct page *));\n";
      at_page += r.count;
    }
    const u64 size = count * page_;
    const u64 start = created ? created->first : o.va;
    const u64 end = created ? created->second : o.va + size + page_;
    fixed_area(v, size, "VM_MAP", start, end);
    if (out.ret != 0 && !created && taken(start, end)) {
      stmts_ += "\tKUNIT_EXPECT_NULL(test, " + v + ");\n";
      return;
    }
    stmts_ += "\tKUNIT_ASSERT_NOT_NULL(test, " + v + ");\n";
    // vmap()'s own mapping step, at the area it got (6.12: vmap_pages_range).
    stmts_ += "\trc = vmap_pages_range_noflush(" + at(start) + ", " + at(start + size) +
              ", pgprot_nx(" + pgprot_expr(o.prot) + "), " + arr + ", PAGE_SHIFT);\n";
    stmts_ += "\tflush_cache_vmap(" + at(start) + ", " + at(start + size) + ");\n";
    if (out.ret != 0) {
      stmts_ += "\tKUNIT_EXPECT_NE(test, rc, 0);\n";
      stmts_ += "\tkunit_release_action(test, vmapfuzz_free_vm_area, " + v + ");\n";
      return;
    }
    stmts_ += "\tKUNIT_ASSERT_EQ(test, rc, 0);\n";
    if (created) live_.push_back({created->first, created->second, n, AreaKind::vmap});
  }

  void release(unsigned n, u64 va, std::pair<u64, u64> area, const char* api) {
    const Area* a = area.second ? area_at(area.first) : nullptr;
    if (!a) {
      // No area there: the kernel WARNs and does nothing, as the trace expects.
      const std::string ptr =
          std::string(std::string_view(api) == "iounmap" ? "(void __iomem *)" : "(void *)") + "(" +
          at(va) + ")";
      stmts_ += "\t" + std::string(api) + "(" + ptr + ");\n";
      return;
    }
    if (va != a->start) {
      skip("op " + num(n) + ": " + api + " of an address inside an area");
      return;
    }
    const bool matches = (a->kind == AreaKind::vmalloc) == (std::string_view(api) == "vfree");
    if (!matches) {
      skip("op " + num(n) + ": " + api + " of an area another API made");
      return;
    }
    if (a->kind == AreaKind::vmalloc)
      stmts_ += "\tkunit_release_action(test, vmapfuzz_vfree, a" + num(a->op) + ");\n";
    else stmts_ += "\tkunit_release_action(test, vmapfuzz_free_vm_area, v" + num(a->op) + ");\n";
    const u64 start = a->start;
    live_.erase(
        std::remove_if(live_.begin(), live_.end(), [&](const Area& l) { return l.start == start; }),
        live_.end());
  }

  const harness::Trace& t_;
  const u64 page_;
  u64 lo_ = 0, hi_ = 0, align_ = 0, pa_base_ = 0, pa_hi_ = 0, ram_pages_ = 0;
  std::string skip_, decls_, stmts_;
  std::vector<Area> live_;
  std::vector<PageAlloc> allocs_;
};

class CaseWriter {
 public:
  CaseWriter(const harness::Trace& t, KunitEra era) : t_(t), era_(era) {}

  KunitCase write() {
    harness::Trace t = t_;
    t.variant = kunit_era_variant(era_);
    if (auto why = harness::validate(t))
      return skipped("the trace does not run on " + std::string(kunit_era_name(era_)) + ": " +
                     *why);
    KunitCase c;
    if (t.config.placement_any) {
      layout_ = true;
      c = skipped("placement any: the trace's VAs are not ones the kernel hands out");
    } else {
      c = build(t);
    }
    if (!c.skip.empty() && layout_) {
      // The trace needs its own VAs: the mm-internal form, where there is one.
      if (era_ != KunitEra::v6_12)
        return skipped(c.skip + " (the mm-internal export is generated for 6.12 only)");
      c = InternalWriter(t).write();
    }
    if (c.skip.empty() && t.config != common::KernelConfig{}) {
      // The test kernel boots with the default options. What the case does
      // and checks must not depend on the trace's own.
      harness::Trace d = t;
      d.config = common::KernelConfig{};
      if (without_comments(CaseWriter(d, era_).write_as(d, c).body) != without_comments(c.body))
        return skipped("the outcome depends on boot options or CPU features (" +
                       config_text(t.config) + ") that this kernel does not set");
    }
    return c;
  }

 private:
  // `t` generated in the form `like` has: public, or mm-internal.
  KunitCase write_as(const harness::Trace& t, const KunitCase& like) {
    if (like.body.find("vmapfuzz_window(") != std::string::npos) return InternalWriter(t).write();
    return build(t);
  }

  KunitCase build(const harness::Trace& t) {
    plan(t);
    if (!skip_.empty()) return skipped(skip_);
    return {gated(body()), {}};
  }

  static std::string without_comments(const std::string& body) {
    std::string s;
    std::size_t start = 0;
    while (start < body.size()) {
      auto nl = body.find('\n', start);
      if (nl == std::string::npos) nl = body.size();
      const std::string_view line(body.data() + start, nl - start);
      if (!line.starts_with("\t/*")) s.append(line) += '\n';
      start = nl + 1;
    }
    return s;
  }

  static KunitCase skipped(const std::string& why) {
    return {"\tkunit_skip(test, \"" + c_string(why) + "\");\n", why};
  }

  static std::string config_text(const common::KernelConfig& c) {
    std::string s;
    auto add = [&](bool on, const char* name) {
      if (on) s += (s.empty() ? "" : ", ") + std::string(name);
    };
    add(c.nohugeiomap, "nohugeiomap");
    add(c.nohugevmalloc, "nohugevmalloc");
    add(c.nogbpages, "nogbpages");
    add(c.nopse, "nopse");
    add(c.mtrr_split != 0, "an MTRR split");
    add(c.bbml2_noabort, "BBML2_NOABORT");
    return s;
  }

  void skip(const std::string& why) {
    if (skip_.empty()) skip_ = why;
  }
  // A skip the mm-internal export can lift: the trace needs its own VAs.
  void skip_layout(const std::string& why) {
    if (skip_.empty()) layout_ = true;
    skip(why);
  }

 public:
  bool layout_dependent() const { return layout_; }

 private:
  const LiveArea* owner(u64 va) const {
    for (const LiveArea& a : live_)
      if (va >= a.start && va < a.end) return &a;
    return nullptr;
  }

  // The checks of every translation of area `a` the reference expects now.
  void check_area(const reference::RefKernel& ref, const LiveArea& a, unsigned after_op) {
    const std::string base = "a" + num(a.op);
    const std::string what = "after op " + num(after_op) + ", area of op " + num(a.op);
    const u64 page = t_.geo->page_size();
    // Contiguous translation segments (leaves merged).
    std::vector<reference::LeafRun> segs;
    for (const auto& r : ref.expected_runs(a.start, a.start + a.usable)) {
      // vmalloc's page frames are the kernel's choice: only VAs count.
      if (!segs.empty() && segs.back().va + segs.back().size == r.va &&
          (a.kind == AreaKind::vmalloc || segs.back().pa + segs.back().size == r.pa))
        segs.back().size += r.size;
      else segs.push_back(r);
    }
    for (const auto& r : segs) {
      const u64 off = r.va - a.start;
      const u64 pages = r.size / page;
      switch (a.kind) {
        case AreaKind::vmalloc:
          append(checks_, {"\tvmapfuzz_expect_backed(test, ", base, ", ", hex(off), ", ",
                           num(pages), ", \"", what, "\");\n"});
          break;
        case AreaKind::ioremap:
          append(checks_, {"\tvmapfuzz_expect_pfns(test, (const void __force *)", base, ", ",
                           hex(off), ", PHYS_PFN(pa + ", hex(r.pa - pa_base_), "), ", num(pages),
                           ", \"", what, "\");\n"});
          break;
        case AreaKind::vmap: {
          u64 pfn = r.pa / page, left = pages, o = off;
          while (left) {
            const PageAlloc* al = nullptr;
            for (const PageAlloc& p : allocs_)
              if (pfn >= p.pfn && pfn < p.pfn + p.count) al = &p;
            if (!al) {
              skip("internal: the reference maps a page frame the case did not allocate");
              return;
            }
            const u64 n = std::min(left, al->pfn + al->count - pfn);
            append(checks_,
                   {"\tvmapfuzz_expect_pages(test, ", base, ", ", hex(o), ", r", num(al->id), " + ",
                    num(pfn - al->pfn), ", ", num(n), ", \"", what, "\");\n"});
            pfn += n;
            left -= n;
            o += n * page;
          }
          break;
        }
      }
    }
  }

  void plan(const harness::Trace& t) {
    reference::RefKernel ref(*t.geo, t.variant, t.config);
    const u64 page = t.geo->page_size();
    // Only ioremap maps a physical address in a case that runs here: the
    // other such ops need the mm-internal form.
    pa_base_ = emit_pa_hole(t, block_align(ref.facts()), decls_, stmts_).first;
    u64 ram_pages = 0;
    for (std::size_t i = 0; i < t.ops.size() && skip_.empty(); ++i) {
      const unsigned n = static_cast<unsigned>(i + 1);
      const Op& op = t.ops[i];
      const Step st = replay_step(ref, op, n);
      if (!st.cannot_run.empty()) {
        skip(st.cannot_run);
        return;
      }
      const engine::Outcome& out = st.out;
      const std::optional<std::pair<u64, u64>> owner_before =
          st.owner_before.second ? std::optional(st.owner_before) : std::nullopt;
      if (out.ret != 0) {
        needs_arch_ = true;
        // Why a mapping call fails decides whether the kernel can fail it
        // the same way: not for a VA the trace chose (the kernel places
        // areas itself) nor for a page frame that is not memory (the case
        // maps pages it allocated).
        const bool creates = std::visit(
            []<class O>(const O&) {
              return std::is_same_v<O, harness::VmallocOp> || std::is_same_v<O, harness::VmapOp> ||
                     std::is_same_v<O, harness::IoremapOp>;
            },
            op);
        auto warned = [&](engine::WarnId id) {
          return std::any_of(out.warns.begin(), out.warns.end(),
                             [&](const engine::Warn& w) { return w.id == id; });
        };
        if (creates && (warned(engine::WarnId::vmap_pages_pte_invalid_pfn) ||
                        warned(engine::WarnId::vmap_pages_pmd_invalid_pfn))) {
          skip("op " + num(n) +
               " fails on a page frame that is not memory (pfn_valid() false); the case "
               "maps pages it allocated");
          return;
        }
        if (creates && (out.warns.empty() || warned(engine::WarnId::vmalloc_area_failed))) {
          skip_layout("op " + num(n) +
                      " fails for want of room at the trace's VA; the kernel places the area "
                      "elsewhere");
          return;
        }
      }
      stmts_ += st.note;
      const auto& created = st.created;
      const std::string v = "a" + num(n);
      std::visit(
          harness::Overloaded{
              [&](const harness::IoremapOp& o) {
                needs_arch_ = true;
                if (out.ret != 0) {
                  skip("op " + num(n) +
                       ": an ioremap refusal depends on the trace's literal physical address");
                  return;
                }
                if (o.pa % page) {
                  skip("op " + num(n) + ": ioremap of a physical address inside a page");
                  return;
                }
                const std::string call =
                    ioremap_call(t.geo->arch, o.prot, "pa + " + hex(o.pa - pa_base_), hex(o.size));
                if (call.empty()) {
                  skip("op " + num(n) + ": no ioremap API for " +
                       std::string(engine::prot_name(o.prot)) + " on " +
                       engine::arch_name(t.geo->arch));
                  return;
                }
                decls_ += "\tvoid __iomem *" + v + ";\n";
                append(stmts_, {"\t", v, " = ", call, ";\n"});
                stmts_ += "\tKUNIT_ASSERT_NOT_NULL(test, " + v + ");\n";
                stmts_ +=
                    "\tKUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, "
                    "vmapfuzz_iounmap, (void __force *)" +
                    v + "), 0);\n";
                add_area(created, n, AreaKind::ioremap, o.size);
              },
              [&](const harness::VmallocOp& o) {
                decls_ += "\tvoid *" + v + ";\n";
                ram_pages += (o.size + page - 1) / page;
                if (o.prot == engine::ProtName::normal)
                  stmts_ += "\t" + v + " = " +
                            (o.huge ? "vmalloc_huge(" + hex(o.size) + ", GFP_KERNEL)"
                                    : "vmalloc(" + hex(o.size) + ")") +
                            ";\n";
                else
                  stmts_ += "\t" + v + " = __vmalloc_node_range(" + hex(o.size) +
                            ", 1, VMALLOC_START, VMALLOC_END, GFP_KERNEL, " + pgprot_expr(o.prot) +
                            ", " + (o.huge ? "VM_ALLOW_HUGE_VMAP" : "0") +
                            ", NUMA_NO_NODE, __builtin_return_address(0));\n";
                created_ptr(v, "vmapfuzz_vfree", out.ret);
                if (out.ret == 0 && has_set_memory(t))
                  // set_memory_ro/rw change the linear alias too (rodata=full):
                  // restore it before the pages go back to the allocator.
                  stmts_ += "\tset_vm_flush_reset_perms(" + v + ");\n";
                add_area(created, n, AreaKind::vmalloc, (o.size + page - 1) / page * page);
              },
              [&](const harness::VmapOp& o) { vmap(t, o, n, out, created, &ram_pages); },
              [&](const harness::IounmapOp& o) {
                release(n, o.va, owner_before, AreaKind::ioremap, "iounmap");
              },
              [&](const harness::VfreeOp& o) {
                release(n, o.va, owner_before, AreaKind::vmalloc, "vfree");
              },
              [&](const harness::VunmapOp& o) {
                release(n, o.va, owner_before, AreaKind::vmap, "vunmap");
              },
              [&](const harness::SetMemoryOp& o) { set_memory(o, n, out.ret); },
              [&](const harness::IoremapPageRangeOp&) {
                skip_layout("op " + num(n) +
                            ": ioremap_page_range() at a chosen VA needs the mm-internal export");
              },
              [&](const harness::VmapPageRangeOp&) {
                skip_layout("op " + num(n) +
                            ": vmap_page_range() at a chosen VA needs the mm-internal export");
              },
              [&](const harness::VunmapRangeOp&) {
                skip_layout("op " + num(n) +
                            ": vunmap_range() of part of an area needs the mm-internal export");
              },
              [&](const harness::FailAllocOp&) {
                skip("op " + num(n) +
                     ": fault injection (fail_page_alloc armed through debugfs with "
                     "ignore-gfp-wait=N and min-order=0) is not generated");
              },
              [&](const harness::FailPageAllocOp&) {
                skip("op " + num(n) +
                     ": fault injection (fail_page_alloc armed through debugfs with "
                     "ignore-gfp-wait=N and min-order=0) is not generated");
              },
          },
          op);
      if (!skip_.empty()) return;
      // The translations of the area the op made or changed.
      for (const LiveArea& a : live_)
        if ((created && a.start == created->first) ||
            (is_set_memory(op) && owner_before && a.start == owner_before->first))
          check_area(ref, a, n);
      stmts_ += checks_;
      last_checks_ = checks_;
      checks_.clear();
    }
    if (!skip_.empty()) return;
    // At the end, every area still live: an op must not have changed
    // another area's translations.
    for (const LiveArea& a : live_) check_area(ref, a, static_cast<unsigned>(t.ops.size()));
    // (Not again when the last op's checks were these very ones.)
    if (!checks_.empty() && checks_ != last_checks_)
      stmts_ += "\t/* Every area still mapped. */\n" + checks_;
    checks_.clear();
    ram_pages_ = ram_pages;
  }

  static bool has_set_memory(const harness::Trace& t) {
    return std::any_of(t.ops.begin(), t.ops.end(), is_set_memory);
  }
  static bool is_set_memory(const Op& op) {
    return std::visit([]<class O>(const O&) { return std::is_same_v<O, harness::SetMemoryOp>; },
                      op);
  }

  void add_area(const std::optional<std::pair<u64, u64>>& created, unsigned n, AreaKind kind,
                u64 usable) {
    if (created) live_.push_back({created->first, created->second, n, kind, usable});
  }

  // A pointer an op returned: registered for cleanup when not NULL, then
  // checked against the expected return.
  void created_ptr(const std::string& v, const std::string& action, int ret) {
    stmts_ += "\tif (" + v + ")\n\t\tKUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, " +
              action + ", " + v + "), 0);\n";
    stmts_ += ret == 0 ? "\tKUNIT_ASSERT_NOT_NULL(test, " + v + ");\n"
                       : "\tKUNIT_EXPECT_NULL(test, " + v + ");\n";
  }

  void vmap(const harness::Trace& t, const harness::VmapOp& o, unsigned n,
            const engine::Outcome& out, const std::optional<std::pair<u64, u64>>& created,
            u64* ram_pages) {
    const std::string v = "a" + num(n), arr = "p" + num(n);
    const u64 count = o.page_count();
    decls_ += "\tstruct page **" + arr + ";\n\tvoid *" + v + ";\n";
    stmts_ += "\t" + arr + " = vmapfuzz_page_array(test, " + num(count) + ");\n";
    u64 at = 0;
    for (const harness::PageRun& r : o.runs) {
      if (r.pfn == engine::kNullPage) {
        stmts_ += "\t/* pages " + num(at) + "-" + num(at + r.count - 1) + " stay NULL */\n";
        needs_arch_ = true;
        at += r.count;
        continue;
      }
      const PageAlloc* al = nullptr;
      for (const PageAlloc& p : allocs_) {
        const bool inside = r.pfn >= p.pfn && r.pfn + r.count <= p.pfn + p.count;
        const bool overlaps = r.pfn < p.pfn + p.count && p.pfn < r.pfn + r.count;
        if (inside) al = &p;
        else if (overlaps) {
          skip("op " + num(n) + ": page runs that overlap in part are not generated");
          return;
        }
      }
      if (!al) {
        allocs_.push_back({r.pfn, r.count, static_cast<unsigned>(allocs_.size() + 1)});
        al = &allocs_.back();
        decls_ += "\tstruct page **r" + num(al->id) + ";\n";
        stmts_ += "\tr" + num(al->id) + " = vmapfuzz_alloc_run(test, " + num(r.count) +
                  ");  /* trace pfns " + hex(r.pfn) + "-" + hex(r.pfn + r.count - 1) + " */\n";
        *ram_pages += r.count;
      }
      stmts_ += "\tmemcpy(&" + arr + "[" + num(at) + "], &r" + num(al->id) + "[" +
                num(r.pfn - al->pfn) + "], " + num(r.count) + " * sizeof(struct page *));\n";
      at += r.count;
    }
    stmts_ += "\t" + v + " = vmap(" + arr + ", " + num(count) + ", VM_MAP, " + pgprot_expr(o.prot) +
              ");\n";
    created_ptr(v, "vmapfuzz_vunmap", out.ret);
    add_area(created, n, AreaKind::vmap, count * t.geo->page_size());
  }

  void release(unsigned n, u64 va, const std::optional<std::pair<u64, u64>>& area_before,
               AreaKind kind, const char* api) {
    const LiveArea* a = area_before && area_before->second ? owner(area_before->first) : nullptr;
    if (!a) {
      skip_layout("op " + num(n) + ": " + api + " of " + hex(va) +
                  ", which no area of this case contains");
      return;
    }
    if (a->kind != kind) {
      skip("op " + num(n) + ": " + api + " of an area another API made");
      return;
    }
    const char* action = kind == AreaKind::ioremap ? "vmapfuzz_iounmap"
                         : kind == AreaKind::vmap  ? "vmapfuzz_vunmap"
                                                   : "vmapfuzz_vfree";
    const std::string ptr = "a" + num(a->op);
    stmts_ += std::string("\tkunit_release_action(test, ") + action + ", " +
              (kind == AreaKind::ioremap ? "(void __force *)" : "") + ptr + ");\n";
    const u64 start = a->start;
    live_.erase(std::remove_if(live_.begin(), live_.end(),
                               [&](const LiveArea& l) { return l.start == start; }),
                live_.end());
  }

  void set_memory(const harness::SetMemoryOp& o, unsigned n, int ret) {
    needs_arch_ = true;
    const LiveArea* a = owner(o.va);
    if (!a) {
      skip_layout("op " + num(n) + ": set_memory on " + hex(o.va) +
                  ", which no area of this case contains");
      return;
    }
    const u64 off = o.va - a->start + (o.unaligned ? harness::kSetMemoryUnalignedOffset : 0);
    const std::string addr = "(unsigned long)" +
                             std::string(a->kind == AreaKind::ioremap ? "(void __force *)" : "") +
                             "a" + num(a->op) + " + " + hex(off);
    std::string call;
    if (common::is_set_memory_valid(o.mode))
      call = "set_memory_valid(" + addr + ", " + num(o.numpages) + ", " +
             (o.mode == harness::SetMemoryMode::valid ? "1" : "0") + ")";
    else
      call = "set_memory_" + std::string(common::set_memory_mode_name(o.mode)) + "(" + addr + ", " +
             num(o.numpages) + ")";
    stmts_ += "\tKUNIT_EXPECT_EQ(test, " + call + ", " + std::to_string(ret) + ");\n";
  }

  std::string body() const {
    std::string s = decls_;
    if (!decls_.empty()) s += "\n";
    if (ram_pages_) {
      // The test kernel's RAM (QEMU's -m, UML's mem=) bounds what runs.
      const u64 mib = (ram_pages_ * t_.geo->page_size() >> 20) + 64;
      s += "\tif (totalram_pages() < " + num(mib) + "UL << (20 - PAGE_SHIFT))\n";
      s += "\t\tkunit_skip(test, \"needs " + num(mib) + " MiB of RAM\");\n";
    }
    return s + stmts_;
  }

  // The body behind the compile-time conditions it needs: the trace's page
  // size and, when its expectations are the architecture's own, its
  // architecture.
  std::string gated(const std::string& b) const {
    const std::string geo(t_.geo->name);
    std::string s = "#if PAGE_SHIFT != " + num(t_.geo->page_shift) + "\n";
    s += "\tkunit_skip(test, \"the trace is for " + geo + ", PAGE_SHIFT " +
         num(t_.geo->page_shift) + "\");\n";
    if (needs_arch_) {
      s += "#elif !(" + arch_condition(t_.geo->arch) + ")\n";
      s += "\tkunit_skip(test, \"the expectations are " +
           std::string(engine::arch_name(t_.geo->arch)) + "'s (" + geo + ")\");\n";
    }
    s += "#else\n" + b + "#endif\n";
    return s;
  }

  const harness::Trace& t_;
  KunitEra era_;
  std::string skip_, decls_, stmts_, checks_, last_checks_;
  std::vector<LiveArea> live_;
  std::vector<PageAlloc> allocs_;
  u64 pa_base_ = 0, ram_pages_ = 0;
  bool needs_arch_ = false;
  bool layout_ = false;
};

}  // namespace

std::optional<KunitEra> parse_kunit_era(std::string_view name) {
  if (name == "6.12") return KunitEra::v6_12;
  if (name == "2026") return KunitEra::v2026;
  return std::nullopt;
}

std::string_view kunit_era_name(KunitEra e) { return e == KunitEra::v6_12 ? "6.12" : "2026"; }

engine::Variant kunit_era_variant(KunitEra e) {
  return e == KunitEra::v6_12 ? engine::Variant::v6_12 : engine::Variant::v4_fixed;
}

KunitCase kunit_case(const harness::Trace& t, KunitEra era) { return CaseWriter(t, era).write(); }

std::string kunit_suite_name(const std::string& path) {
  const auto c = path.rfind("corpus/");
  if (c != std::string::npos) {
    const std::string rest = path.substr(c + 7);
    const auto s1 = rest.find('/');
    const auto s2 = s1 == std::string::npos ? s1 : rest.find('/', s1 + 1);
    if (s2 != std::string::npos && rest.find('/', s2 + 1) == std::string::npos) {
      std::string name = rest.substr(0, s2);
      std::replace_if(
          name.begin(), name.end(),
          [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
      return name;
    }
  }
  return "traces";
}

std::string kunit_suite_file(std::string_view suite, std::span<const KunitInput> inputs,
                             KunitEra era) {
  const std::string name = "vmapfuzz_" + std::string(suite);
  std::string s = "// SPDX-License-Identifier: GPL-2.0-only\n";
  s += "/*\n * " + name + ": " + num(inputs.size()) +
       " vmapfuzz traces as KUnit cases, generated by\n * `vmapfuzz export --kunit --era " +
       std::string(kunit_era_name(era)) + "`. Do not edit; export again.\n *\n";
  s += " * Each case replays a trace through the kernel's API at the addresses the\n"
       " * kernel returns and checks every page's translation against vmapfuzz's\n"
       " * reference model. A case the API cannot reproduce is skipped with the reason.\n */\n";
  s += preamble();
  for (const KunitInput& in : inputs) {
    const KunitCase c = kunit_case(in.trace, era);
    s += "/*\n * " + in.source + "\n";
    s += c_comment(harness::to_text(in.trace), " *   ");
    s +=
        " */\nstatic void " + name + "_" + in.name + "(struct kunit *test)\n{\n" + c.body + "}\n\n";
  }
  s += "static struct kunit_case " + name + "_cases[] = {\n";
  for (const KunitInput& in : inputs) s += "\tKUNIT_CASE(" + name + "_" + in.name + "),\n";
  s += "\t{}\n};\n\n";
  s += "static struct kunit_suite " + name + "_suite = {\n\t.name = \"" + name +
       "\",\n\t.test_cases = " + name + "_cases,\n};\n";
  s += "kunit_test_suite(" + name + "_suite);\n\n";
  s += "MODULE_LICENSE(\"GPL\");\nMODULE_DESCRIPTION(\"vmapfuzz traces as KUnit tests\");\n";
  return s;
}

std::string kunit_kconfig() {
  return "# SPDX-License-Identifier: GPL-2.0-only\n"
         "# Generated by vmapfuzz export --kunit.\n"
         "config VMAPFUZZ_KUNIT_TEST\n"
         "\tbool \"vmapfuzz traces as KUnit tests\" if !KUNIT_ALL_TESTS\n"
         "\tdepends on KUNIT && MMU\n"
         "\tdefault KUNIT_ALL_TESTS\n"
         "\thelp\n"
         "\t  Replays vmapfuzz traces through vmalloc, vmap, ioremap and\n"
         "\t  set_memory_* and checks every translation against vmapfuzz's\n"
         "\t  reference model. Built in only: the cases call mm functions\n"
         "\t  that are not exported to modules.\n";
}

std::string kunit_makefile(std::span<const std::string> objects) {
  std::string s =
      "# SPDX-License-Identifier: GPL-2.0-only\n# Generated by vmapfuzz export --kunit.\n";
  for (const std::string& o : objects) s += "obj-$(CONFIG_VMAPFUZZ_KUNIT_TEST) += " + o + "\n";
  return s;
}

std::string kunit_kunitconfig() { return "CONFIG_KUNIT=y\nCONFIG_VMAPFUZZ_KUNIT_TEST=y\n"; }

std::string kunit_readme(KunitEra era) {
  return "vmapfuzz traces as KUnit suites, exported for the " + std::string(kunit_era_name(era)) +
         " kernel API.\n\n"
         "Put this folder at mm/vmapfuzz/ in the kernel tree and hook it in:\n"
         "  echo 'source \"mm/vmapfuzz/Kconfig\"' >> mm/Kconfig\n"
         "  echo 'obj-y += vmapfuzz/' >> mm/Makefile\n"
         "Then run it on UML, or on arm64 under QEMU:\n"
         "  tools/testing/kunit/kunit.py run --kunitconfig=mm/vmapfuzz\n"
         "  tools/testing/kunit/kunit.py run --kunitconfig=mm/vmapfuzz --arch=arm64 \\\n"
         "      --cross_compile=aarch64-linux-gnu- --qemu_args='-m 1G'\n"
         "Other page sizes: add --kconfig_add=CONFIG_ARM64_16K_PAGES=y (or 64K).\n"
         "vmapfuzz's ci/kunit does all of this; docs/kunit.md says what each case checks.\n";
}

}  // namespace vmapfuzz::tools
