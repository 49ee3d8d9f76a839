// SPDX-License-Identifier: GPL-2.0-only
// The physical limit of a mapping or unmapping op: writing the same number
// of 8-byte descriptors with plain stores into preallocated 4 KiB tables,
// one store per descriptor as the kernel's WRITE_ONCE in __set_pte() does
// (volatile: the compiler may neither merge nor vectorise them). No walk,
// no check, no call: what any implementation of the op must at least do.
#pragma once

#include <memory>

#include "engine/types.h"

namespace vmapfuzz::bench {

class StoreLimit {
 public:
  // `sets` independent table sets (one per instance of a timed batch, so
  // the stores touch as much memory as the engine's batch), each holding
  // `descriptors` entries in ceil(descriptors / 512) tables.
  StoreLimit(unsigned sets, engine::u64 descriptors);
  // One pass: every set gets descriptors[i] = base + (i << 12).
  void write(engine::u64 base);

 private:
  struct AlignedDelete {
    void operator()(engine::u64* p) const;
  };
  unsigned sets_;
  engine::u64 descriptors_, set_entries_;
  std::unique_ptr<engine::u64[], AlignedDelete> tables_;
};

}  // namespace vmapfuzz::bench
