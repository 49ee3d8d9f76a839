// SPDX-License-Identifier: GPL-2.0-only
// Basic vocabulary of the engine: typed addresses, kernel error codes and
// the algorithm variants. Everything here is plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vmapfuzz::engine {

using u64 = std::uint64_t;
using u32 = std::uint32_t;

// A kernel virtual address. A distinct type so that a swapped VA/PA
// argument does not compile (after Hafnium's addr.h).
struct VirtAddr {
  u64 v = 0;
  friend constexpr bool operator==(VirtAddr, VirtAddr) = default;
  friend constexpr auto operator<=>(VirtAddr, VirtAddr) = default;
  constexpr VirtAddr operator+(u64 d) const { return {v + d}; }
  constexpr VirtAddr operator-(u64 d) const { return {v - d}; }
  constexpr u64 operator-(VirtAddr o) const { return v - o.v; }
  constexpr VirtAddr& operator+=(u64 d) {
    v += d;
    return *this;
  }
};

// A physical (output) address.
struct PhysAddr {
  u64 v = 0;
  friend constexpr bool operator==(PhysAddr, PhysAddr) = default;
  friend constexpr auto operator<=>(PhysAddr, PhysAddr) = default;
  constexpr PhysAddr operator+(u64 d) const { return {v + d}; }
  constexpr u64 operator-(PhysAddr o) const { return v - o.v; }
  constexpr PhysAddr& operator+=(u64 d) {
    v += d;
    return *this;
  }
};

constexpr bool is_aligned(u64 x, u64 a) { return (x & (a - 1)) == 0; }
constexpr bool is_aligned(VirtAddr x, u64 a) { return is_aligned(x.v, a); }
constexpr bool is_aligned(PhysAddr x, u64 a) { return is_aligned(x.v, a); }

// Kernel error numbers, returned negated as the kernel does.
inline constexpr int kENOMEM = 12;
inline constexpr int kEBUSY = 16;
inline constexpr int kEINVAL = 22;
inline constexpr int kERANGE = 34;
// Not a kernel errno: returned up the call chain after a modelled BUG() so
// that the walk stops where the kernel would have stopped (oops).
inline constexpr int kBUGGED = 4095;

// Which version of the mapping code the engine runs.
//   mainline: upstream before the series (one 64 KiB CONT group per
//             set_huge_pte_at call).
//   v4:       "mm/vmalloc: Speed up ioremap, vmalloc and vmap with
//             contiguous memory" v4 as posted and applied, mistakes included.
//   v4-fixed: v4 with the suite's corrections of the findings in
//             corpus/*/findings/ (see there); otherwise identical to v4.
//   v6.12:    the Linux 6.12 release (Debian's linux-source-6.12, 6.12.117):
//             no arm64 CONT-PTE vmap helpers (plain PTEs on every path), no
//             unaligned-size WARN in vmap_pte_range, no partial-block WARN
//             in vunmap_pmd/pud_range, no opportunistic larger orders in
//             vm_area_alloc_pages. The era-matched variant for comparing
//             with the real 6.12 code compiled in userspace.
enum class Variant : std::uint8_t { mainline, v4, v4_fixed, v6_12 };
inline constexpr Variant kAllVariants[] = {Variant::mainline, Variant::v4, Variant::v4_fixed,
                                           Variant::v6_12};

// True for the variants that carry the series.
constexpr bool has_series(Variant v) { return v == Variant::v4 || v == Variant::v4_fixed; }

std::string_view variant_name(Variant v);
std::optional<Variant> parse_variant(std::string_view name);

}  // namespace vmapfuzz::engine
