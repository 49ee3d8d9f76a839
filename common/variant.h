// SPDX-License-Identifier: GPL-2.0-only
// The names of the versions of the mapping code the suite runs. Which
// behaviour a variant has is decided apart: by the engine's code
// (engine::has_series() and the variant tests in engine/) and by the
// reference's own rule rows (reference/variant_rules.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vmapfuzz::common {

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
//   v6.1:     the Linux 6.1 release (Debian's linux-source-6.1, 6.1.192):
//             v6.12 but for two things. ioremap_page_range() has no vm area
//             check (it is what 6.12 calls vmap_page_range(): no WARN, no
//             -EINVAL/-ERANGE, it maps any range), and __vmalloc_area_node()
//             never warns: it ORs __GFP_NOWARN into the mask it then hands
//             to its own warn_alloc() calls. The era-matched variant for the
//             real 6.1 code.
enum class Variant : std::uint8_t { mainline, v4, v4_fixed, v6_12, v6_1 };
inline constexpr Variant kAllVariants[] = {Variant::mainline, Variant::v4, Variant::v4_fixed,
                                           Variant::v6_12, Variant::v6_1};

// The stable name traces use: "mainline", "v4", "v4-fixed", "v6.12", "v6.1".
constexpr std::string_view variant_name(Variant v) {
  switch (v) {
    case Variant::mainline: return "mainline";
    case Variant::v4: return "v4";
    case Variant::v4_fixed: return "v4-fixed";
    case Variant::v6_12: return "v6.12";
    case Variant::v6_1: return "v6.1";
  }
  return "?";
}

constexpr std::optional<Variant> parse_variant(std::string_view name) {
  for (Variant v : kAllVariants)
    if (variant_name(v) == name) return v;
  return std::nullopt;
}

}  // namespace vmapfuzz::common
