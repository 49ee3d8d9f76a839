// SPDX-License-Identifier: GPL-2.0-only
// One modelled kernel: init_mm's page tables, the vm area list, the boot
// options that steer huge mappings, and the recorder of side effects.
// The mirrored mm/ and arch/arm64 functions are free functions over it,
// declared in the headers of their own files (vmap_range.h, vunmap.h, ...).
#pragma once

#include <memory>
#include <vector>

#include "common/kernel_config.h"
#include "engine/events.h"
#include "engine/geometry.h"
#include "engine/page_alloc.h"
#include "engine/pgtable.h"
#include "engine/table_pool.h"

namespace vmapfuzz::engine {

// Boot options and vm_struct flags (common/kernel_config.h).
using common::KernelConfig;
using common::VM_ALLOC;
using common::VM_ALLOW_HUGE_VMAP;
using common::VM_IOREMAP;
using common::VM_MAP;

// A vm_struct. `size` includes the trailing guard page, as in the kernel;
// get_vm_area_size() is the usable part.
struct VmArea {
  VirtAddr addr;
  u64 size = 0;
  unsigned flags = 0;
};

class Kernel {
 public:
  Kernel(const Geometry& geo, Variant variant, KernelConfig cfg = {});
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // Back to boot state (empty tables, no areas), keeping host memory.
  void reset();

  const Geometry& geo() const { return *geo_; }
  Variant variant() const { return variant_; }
  const KernelConfig& config() const { return cfg_; }
  TablePool& pool() { return pool_; }
  PageAllocator& page_allocator() { return pages_; }
  // pfn_valid(): inside the modelled physical memory.
  bool pfn_valid(u64 pfn) const {
    return pfn != kNullPage && pfn < (geo_->phys_limit >> geo_->page_shift);
  }
  const TablePool& pool() const { return pool_; }
  PhysAddr pgd_pa() const { return pgd_pa_; }

  // The recorder of the operation in progress; the harness clears it
  // before each operation.
  Outcome& out() { return out_; }
  const Outcome& out() const { return out_; }
  Counters& counters() { return counters_; }
  const Counters& counters() const { return counters_; }

  // The observer of this kernel's stores, table frees and flushes (it owns
  // it; nullptr: none). reset() tells it that the kernel is back at boot.
  void set_observer(std::unique_ptr<PoolObserver> o) {
    observer_ = std::move(o);
    pool_.set_observer(observer_.get());
  }
  PoolObserver* observer() const { return observer_.get(); }

  // ioremap_max_page_shift and vmap_allow_huge after boot options.
  unsigned ioremap_max_page_shift() const;
  bool vmap_allow_huge() const { return !cfg_.nohugevmalloc; }

  // --- modelled WARN/BUG/flush points ---
  void warn(WarnId id, VirtAddr addr);
  // WARN_ONCE/WARN_ON_ONCE: reported the first time per boot only; the
  // caller still takes the error path every time, as in the kernel.
  void warn_once(WarnId id, VirtAddr addr);
  // Records a BUG and returns -kBUGGED for the caller to propagate.
  int bug(BugId id, VirtAddr addr);
  bool bugged() const { return out_.bug != BugId::none; }
  void flush(FlushKind kind, VirtAddr start, VirtAddr end);

  // --- vm area list (the part of mm/vmalloc.c's vmap_area tree we need) ---
  std::vector<VmArea>& areas() { return areas_; }
  const std::vector<VmArea>& areas() const { return areas_; }
  // The area containing `addr` (find_vm_area), or nullptr.
  VmArea* find_vm_area(VirtAddr addr);

 private:
  const Geometry* geo_;
  Variant variant_;
  KernelConfig cfg_;
  TablePool pool_;
  PageAllocator pages_;
  PhysAddr pgd_pa_{};
  Outcome out_;
  Counters counters_;
  std::vector<VmArea> areas_;
  std::uint64_t warned_once_ = 0;  // bit per WarnId
  std::unique_ptr<PoolObserver> observer_;
};

}  // namespace vmapfuzz::engine
