// SPDX-License-Identifier: GPL-2.0-only
#include "engine/kernel.h"

namespace vmapfuzz::engine {

static_assert(static_cast<unsigned>(WarnId::count_) <= 64, "warned_once_ is a 64-bit set");

Kernel::Kernel(const Geometry& geo, Variant variant, KernelConfig cfg)
    : geo_(&geo), variant_(variant), cfg_(cfg), pool_(geo.page_shift) {
  reset();
}

void Kernel::reset() {
  pool_.reset();
  pages_.reset();
  pgd_pa_ = pool_.alloc();  // swapper_pg_dir; not counted as an op's table
  out_.clear();
  counters_ = {};
  areas_.clear();
  warned_once_ = 0;
  if (observer_) observer_->on_reset();
}

unsigned Kernel::ioremap_max_page_shift() const {
  // BITS_PER_LONG - 1 unless booted with nohugeiomap.
  return cfg_.nohugeiomap ? geo_->page_shift : 63;
}

void Kernel::warn(WarnId id, VirtAddr addr) { out_.warns.push_back({id, addr}); }

void Kernel::warn_once(WarnId id, VirtAddr addr) {
  const std::uint64_t b = std::uint64_t{1} << static_cast<unsigned>(id);
  if (warned_once_ & b) return;
  warned_once_ |= b;
  warn(id, addr);
}

int Kernel::bug(BugId id, VirtAddr addr) {
  if (out_.bug == BugId::none) {
    out_.bug = id;
    out_.bug_addr = addr;
  }
  return -kBUGGED;
}

void Kernel::flush(FlushKind kind, VirtAddr start, VirtAddr end) {
  out_.flushes.push_back({kind, start, end});
  ++counters_.flushes;
  if (observer_) observer_->on_flush(out_.flushes.back());
}

VmArea* Kernel::find_vm_area(VirtAddr addr) {
  for (VmArea& a : areas_)
    if (addr >= a.addr && addr - a.addr < a.size) return &a;
  return nullptr;
}

}  // namespace vmapfuzz::engine
