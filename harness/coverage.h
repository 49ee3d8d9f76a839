// SPDX-License-Identifier: GPL-2.0-only
// Semantic coverage: how often each kernel-level event happened, per
// geometry x variant — leaf kinds written (PUD/PMD block, each CONT batch
// size of the geometry, single PTE) by entry point, each WARN, error return and BUG, table
// replacement by a block, each kind of unmap. Line coverage says which
// code ran; this says which page-table situations the corpus exercises.
#pragma once

#include <map>
#include <string>

#include "engine/kernel.h"
#include "harness/ops.h"

namespace vmapfuzz::harness {

// "64K", "2M", "512M": a power-of-two-ish byte count in the largest unit
// that divides it.
std::string size_text(u64 bytes);
// The event name of CONT batch bucket `bucket` of geometry `g`
// (engine::Counters::cont_batches): the batch's size, CONT_PTE_SIZE <<
// bucket, with a '+' on the last bucket, which also counts larger ones:
// "64K" ... "8M", "16M+" with 4K pages, "2M" ... "256M", "512M+" with 16K
// and 64K. Empty for a geometry without CONT.
std::string cont_batch_name(const engine::Geometry& g, unsigned bucket);

class SemanticCoverage {
 public:
  // Records one op's effects on one implementation: its Outcome and the
  // growth of its Counters while it ran.
  void add(const engine::Geometry& g, engine::Variant v, const Op& op, const engine::Outcome& out,
           const engine::Counters& before, const engine::Counters& after);
  void add_trace() { ++traces_; }

  // Hits of `event` for "geometry variant", 0 if never.
  std::uint64_t hits(const std::string& config, const std::string& event) const;
  // One block per geometry x variant, one "event  hits" line each, sorted.
  std::string table() const;

 private:
  std::map<std::string, std::map<std::string, std::uint64_t>> hits_;
  std::uint64_t traces_ = 0;
};

}  // namespace vmapfuzz::harness
