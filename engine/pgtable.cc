// SPDX-License-Identifier: GPL-2.0-only
#include "engine/pgtable.h"

namespace vmapfuzz::engine {
namespace {

struct ProtEntry {
  ProtName id;
  std::string_view name;
  pgprot_t value;
};

constexpr ProtEntry kProts[] = {
    {ProtName::device, "device", {PROT_DEVICE_nGnRE}},
    {ProtName::device_nE, "device_nE", {PROT_DEVICE_nGnRnE}},
    {ProtName::normal, "normal", PAGE_KERNEL},
    {ProtName::normal_nc, "normal_nc", {PROT_NORMAL_NC}},
    {ProtName::kernel_ro, "kernel_ro", PAGE_KERNEL_RO},
    {ProtName::kernel_exec, "kernel_exec", PAGE_KERNEL_EXEC},
};

}  // namespace

pgprot_t prot_value(ProtName p) { return kProts[static_cast<unsigned>(p)].value; }
std::string_view prot_name(ProtName p) { return kProts[static_cast<unsigned>(p)].name; }

std::optional<ProtName> parse_prot(std::string_view name) {
  for (const ProtEntry& e : kProts)
    if (e.name == name) return e.id;
  return std::nullopt;
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
