// SPDX-License-Identifier: GPL-2.0-only
// Vocabulary shared by engine/, reference/ and harness/: integer widths,
// typed addresses and the kernel's error numbers. Plain types and names
// only: nothing here decides how anything is mapped.
#pragma once

#include <compare>
#include <cstdint>

namespace vmapfuzz::common {

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

// Kernel error numbers, returned negated as the kernel does.
inline constexpr int kENOMEM = 12;
inline constexpr int kEFAULT = 14;
inline constexpr int kEBUSY = 16;
inline constexpr int kEINVAL = 22;
inline constexpr int kERANGE = 34;
// Not a kernel errno: returned up the call chain after a modelled BUG() so
// that the walk stops where the kernel would have stopped (oops).
inline constexpr int kBUGGED = 4095;

}  // namespace vmapfuzz::common
