// SPDX-License-Identifier: GPL-2.0-only
#include "engine/types.h"

namespace vmapfuzz::engine {

std::string_view variant_name(Variant v) {
  switch (v) {
    case Variant::mainline: return "mainline";
    case Variant::v4: return "v4";
    case Variant::v4_fixed: return "v4-fixed";
    case Variant::v6_12: return "v6.12";
  }
  return "?";
}

std::optional<Variant> parse_variant(std::string_view name) {
  for (Variant v : kAllVariants)
    if (variant_name(v) == name) return v;
  return std::nullopt;
}

}  // namespace vmapfuzz::engine
