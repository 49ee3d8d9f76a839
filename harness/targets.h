// SPDX-License-Identifier: GPL-2.0-only
// The fuzz targets as vocabulary: each is a name (corpus/<name>/,
// <name>_fuzz, <name>_replay) and the op kinds its byte inputs decode to.
// The tools need them to read fuzzer bytes; fuzz/ builds one program pair
// per target.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "engine/types.h"
#include "harness/ops.h"

namespace vmapfuzz::harness {

struct TargetSpec {
  std::string_view name;
  std::span<const OpKind> kinds;
};

// Every target, and one by name (nullptr if there is none).
std::span<const TargetSpec> all_targets();
const TargetSpec* find_target(std::string_view name);
// "ioremap, vmalloc, vmap, mixed", for messages.
std::string target_names();

// The variant fuzzer bytes run on unless told otherwise: v4-fixed, so that
// the documented findings of v4 do not stop every run.
inline constexpr engine::Variant kDefaultVariant = engine::Variant::v4_fixed;
// "mainline, v4, v4-fixed, v6.12, v6.1", for messages.
std::string variant_names();
// The variant $VMAPFUZZ_VARIANT names, kDefaultVariant when it is unset or
// empty, or nullopt (with `err`) when it names none.
std::optional<engine::Variant> variant_from_env(std::string* err);

}  // namespace vmapfuzz::harness
