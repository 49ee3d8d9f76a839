// SPDX-License-Identifier: GPL-2.0-only
// The permission changes of arch/arm64/mm/pageattr.c a trace may name:
// set_memory_ro/rw/x/nx/rox and set_memory_valid(enable = 1 or 0). Names
// only: what each does is the engine's (engine/pageattr.cc) and,
// independently, the reference's (reference/pageattr_model.cc); the rules
// are in docs/pageattr.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vmapfuzz::common {

enum class SetMemoryMode : std::uint8_t { ro, rw, x, nx, rox, valid, invalid };
inline constexpr SetMemoryMode kAllSetMemoryModes[] = {
    SetMemoryMode::ro,  SetMemoryMode::rw,    SetMemoryMode::x,      SetMemoryMode::nx,
    SetMemoryMode::rox, SetMemoryMode::valid, SetMemoryMode::invalid};

// The stable name traces use.
constexpr std::string_view set_memory_mode_name(SetMemoryMode m) {
  switch (m) {
    case SetMemoryMode::ro: return "ro";
    case SetMemoryMode::rw: return "rw";
    case SetMemoryMode::x: return "x";
    case SetMemoryMode::nx: return "nx";
    case SetMemoryMode::rox: return "rox";
    case SetMemoryMode::valid: return "valid";
    case SetMemoryMode::invalid: return "invalid";
  }
  return "?";
}

constexpr std::optional<SetMemoryMode> parse_set_memory_mode(std::string_view name) {
  for (SetMemoryMode m : kAllSetMemoryModes)
    if (set_memory_mode_name(m) == name) return m;
  return std::nullopt;
}

// set_memory_valid(), which checks no vm area, rather than one of the
// change_memory_common() users.
constexpr bool is_set_memory_valid(SetMemoryMode m) {
  return m == SetMemoryMode::valid || m == SetMemoryMode::invalid;
}

}  // namespace vmapfuzz::common
