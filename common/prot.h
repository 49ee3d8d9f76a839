// SPDX-License-Identifier: GPL-2.0-only
// The kernel protections a trace may name. Only the names live here: the
// descriptor bits of each are the engine's (engine::prot_value()) and,
// independently, the attributes the reference expects
// (reference::expected_attrs()).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vmapfuzz::common {

enum class ProtName : std::uint8_t { device, device_nE, normal, normal_nc, kernel_ro, kernel_exec };
inline constexpr ProtName kAllProts[] = {ProtName::device,    ProtName::device_nE,
                                         ProtName::normal,    ProtName::normal_nc,
                                         ProtName::kernel_ro, ProtName::kernel_exec};

// The stable name traces use ("device", "device_nE", "normal", ...).
constexpr std::string_view prot_name(ProtName p) {
  switch (p) {
    case ProtName::device: return "device";
    case ProtName::device_nE: return "device_nE";
    case ProtName::normal: return "normal";
    case ProtName::normal_nc: return "normal_nc";
    case ProtName::kernel_ro: return "kernel_ro";
    case ProtName::kernel_exec: return "kernel_exec";
  }
  return "?";
}

constexpr std::optional<ProtName> parse_prot(std::string_view name) {
  for (ProtName p : kAllProts)
    if (prot_name(p) == name) return p;
  return std::nullopt;
}

}  // namespace vmapfuzz::common
