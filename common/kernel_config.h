// SPDX-License-Identifier: GPL-2.0-only
// The boot options and vm_struct flags of a modelled kernel, as names: the
// engine and the reference each decide what they change.
#pragma once

namespace vmapfuzz::common {

// Boot options.
struct KernelConfig {
  bool nohugeiomap = false;    // ioremap_max_page_shift = PAGE_SHIFT
  bool nohugevmalloc = false;  // vmap_allow_huge = false
  // Not a boot option but a property of the trace: its VAs need not be
  // ones the kernel's area allocator can hand out (docs/placement.md).
  // `placement any` in a trace; off, an area op whose VA the placement
  // rule cannot produce is unreachable and does not run.
  bool placement_any = false;
  // x86-64 only (an error on other architectures): the `nogbpages` boot
  // option (no PUD leaves), a CPU without PSE (no PMD leaves; written
  // `nopse`), and the physical address where the MTRR memory type changes
  // (0: one type everywhere), so that pmd_set_huge/pud_set_huge see a
  // non-uniform range for any block across it and refuse.
  bool nogbpages = false;
  bool nopse = false;
  unsigned long long mtrr_split = 0;
  // arm64 only (an error on other architectures): the CPUs have
  // BBML2_NOABORT, so the linear map is block mapped and
  // split_kernel_leaf_mapping() splits a leaf at the ends of a permission
  // change (docs/pageattr.md). Written `bbml2_noabort=1`.
  bool bbml2_noabort = false;
  friend bool operator==(const KernelConfig&, const KernelConfig&) = default;
};

// vm_struct flags the suite distinguishes.
inline constexpr unsigned VM_IOREMAP = 0x1;
inline constexpr unsigned VM_ALLOC = 0x2;
inline constexpr unsigned VM_MAP = 0x4;
// vmalloc_huge(): set on the area whether or not it got huge mappings.
inline constexpr unsigned VM_ALLOW_HUGE_VMAP = 0x8;

}  // namespace vmapfuzz::common
