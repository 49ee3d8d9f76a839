// SPDX-License-Identifier: GPL-2.0-only
#include "bench/store_limit.h"

#include <cstring>
#include <new>

namespace vmapfuzz::bench {
namespace {

using engine::u64;
constexpr u64 kTableEntries = 512;
constexpr std::align_val_t kTableAlign{4096};

}  // namespace

void StoreLimit::AlignedDelete::operator()(u64* p) const { ::operator delete[](p, kTableAlign); }

StoreLimit::StoreLimit(unsigned sets, u64 descriptors)
    : sets_(sets),
      descriptors_(descriptors),
      set_entries_((descriptors + kTableEntries - 1) / kTableEntries * kTableEntries) {
  const u64 bytes = u64{sets_} * set_entries_ * sizeof(u64);
  tables_.reset(static_cast<u64*>(::operator new[](bytes, kTableAlign)));
  std::memset(tables_.get(), 0, bytes);  // preallocated: every page touched once
}

void StoreLimit::write(u64 base) {
  for (unsigned s = 0; s < sets_; ++s) {
    volatile u64* t = tables_.get() + s * set_entries_;
    for (u64 i = 0; i < descriptors_; ++i) t[i] = base + (i << 12);
  }
}

}  // namespace vmapfuzz::bench
