// SPDX-License-Identifier: GPL-2.0-only
#include "harness/targets.h"

#include <cstdlib>

#include "harness/trace_io.h"

namespace vmapfuzz::harness {
namespace {

constexpr OpKind kIoremapKinds[] = {OpKind::ioremap,         OpKind::ioremap_page_range,
                                    OpKind::vmap_page_range, OpKind::iounmap,
                                    OpKind::vunmap_range,    OpKind::fail_alloc};
constexpr OpKind kVmallocKinds[] = {OpKind::vmalloc,         OpKind::vfree,
                                    OpKind::vunmap_range,    OpKind::fail_alloc,
                                    OpKind::fail_page_alloc, OpKind::set_memory};
constexpr OpKind kVmapKinds[] = {OpKind::vmap, OpKind::vunmap, OpKind::vunmap_range,
                                 OpKind::fail_alloc, OpKind::set_memory};

}  // namespace

std::span<const TargetSpec> all_targets() {
  static const TargetSpec kTargets[] = {
      {"ioremap", kIoremapKinds},
      {"vmalloc", kVmallocKinds},
      {"vmap", kVmapKinds},
      {"mixed", all_op_kinds()},
  };
  return kTargets;
}

const TargetSpec* find_target(std::string_view name) {
  for (const TargetSpec& t : all_targets())
    if (t.name == name) return &t;
  return nullptr;
}

std::string target_names() {
  std::string s;
  for (const TargetSpec& t : all_targets()) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

std::string variant_names() {
  std::string s;
  for (engine::Variant v : engine::kAllVariants)
    s += (s.empty() ? "" : ", ") + std::string(engine::variant_name(v));
  return s;
}

std::optional<engine::Variant> variant_from_env(std::string* err) {
  const char* v = std::getenv("VMAPFUZZ_VARIANT");
  if (!v || !*v) return kDefaultVariant;
  const auto parsed = engine::parse_variant(v);
  if (!parsed)
    *err = "VMAPFUZZ_VARIANT=" + std::string(v) + " names no variant (" + variant_names() + ")";
  return parsed;
}

}  // namespace vmapfuzz::harness
