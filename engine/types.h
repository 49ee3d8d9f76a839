// SPDX-License-Identifier: GPL-2.0-only
// Basic vocabulary of the engine: the shared names of common/ (typed
// addresses, kernel error codes, the variants) under namespace engine, and
// the engine's own decision which variants carry the series.
#pragma once

#include <bit>

#include "common/types.h"
#include "common/variant.h"

namespace vmapfuzz::engine {

using common::kBUGGED;
using common::kEBUSY;
using common::kEFAULT;
using common::kEINVAL;
using common::kENOMEM;
using common::kERANGE;
using common::PhysAddr;
using common::u32;
using common::u64;
using common::VirtAddr;

using common::kAllVariants;
using common::parse_variant;
using common::Variant;
using common::variant_name;

constexpr bool is_aligned(u64 x, u64 a) { return (x & (a - 1)) == 0; }
constexpr bool is_aligned(VirtAddr x, u64 a) { return is_aligned(x.v, a); }
constexpr bool is_aligned(PhysAddr x, u64 a) { return is_aligned(x.v, a); }

// linux/log2.h ilog2() of x != 0, which is also __fls(x): the index of the
// most significant set bit.
constexpr unsigned ilog2(u64 x) { return 63u - static_cast<unsigned>(std::countl_zero(x)); }

// True for the variants that carry the series. The engine's decision; the
// reference states its own rules per variant (reference/variant_rules.h).
constexpr bool has_series(Variant v) { return v == Variant::v4 || v == Variant::v4_fixed; }

// True for the releases modelled from before arm64's CONT-PTE vmap helpers
// (6.12 and 6.1): plain PTEs on every path, no unaligned-size or
// partial-block WARN, walker errors as -ENOMEM, no opportunistic orders in
// vm_area_alloc_pages. What 6.1 does apart from 6.12 is tested by name.
constexpr bool before_cont_vmap(Variant v) { return v == Variant::v6_12 || v == Variant::v6_1; }

}  // namespace vmapfuzz::engine
