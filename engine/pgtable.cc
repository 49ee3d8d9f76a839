// SPDX-License-Identifier: GPL-2.0-only
#include "engine/pgtable.h"

namespace vmapfuzz::engine {

pgprot_t prot_value(ProtName p) {
  switch (p) {
    case ProtName::device: return {PROT_DEVICE_nGnRE};
    case ProtName::device_nE: return {PROT_DEVICE_nGnRnE};
    case ProtName::normal: return PAGE_KERNEL;
    case ProtName::normal_nc: return {PROT_NORMAL_NC};
    case ProtName::kernel_ro: return PAGE_KERNEL_RO;
    case ProtName::kernel_exec: return PAGE_KERNEL_EXEC;
  }
  return {};
}

bool pgattr_change_is_safe(u64 old, u64 new_, unsigned page_shift) {
  // Bits that may change on a live entry without break-before-make.
  const u64 mask = PTE_PXN | PTE_RDONLY | PTE_WRITE | PTE_NG | PTE_SWBITS_MASK;
  if (!pte_valid(old) || !pte_valid(new_)) return true;  // create or tear down
  if (pte_pfn(old, page_shift) != pte_pfn(new_, page_shift)) return false;
  if ((old | new_) & PTE_CONT) return false;
  if (old & ~new_ & PTE_NG) return false;  // nG -> global
  // Normal <-> Normal-Tagged is safe.
  const u64 tagged_pair = PTE_ATTRINDX(MT_NORMAL) ^ PTE_ATTRINDX(MT_NORMAL_TAGGED);
  const u64 oi = old & PTE_ATTRINDX_MASK, ni = new_ & PTE_ATTRINDX_MASK;
  const bool normal_like = (oi | tagged_pair) == tagged_pair && (ni | tagged_pair) == tagged_pair;
  u64 diff = (old ^ new_) & ~mask;
  if (normal_like) diff &= ~PTE_ATTRINDX_MASK;
  return diff == 0;
}

}  // namespace vmapfuzz::engine
