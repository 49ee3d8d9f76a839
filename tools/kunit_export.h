// SPDX-License-Identifier: GPL-2.0-only
// `vmapfuzz export --kunit`: traces as KUnit suites that build and run in a
// real kernel (docs/kunit.md).
//
// Each trace becomes one KUnit case. The case drives the kernel's own API
// (vmalloc, vmap, ioremap and friends, set_memory_*), with every address
// relative to the pointers the kernel returned, and checks each page's
// translation against the reference model replayed for the chosen era.
// Resources are released through kunit_add_action_or_reset(), so a failing
// case still frees everything. A trace that needs its own VAs gets, for
// 6.12 and arm64, the mm-internal form: its layout rebuilt in a free VA
// window with fixed-VA areas, every page of the window checked. Whatever
// cannot be reproduced (fault injection, a predicted BUG, another
// architecture or page size, a boot option) becomes a case that calls
// kunit_skip() with the reason.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/ops.h"

namespace vmapfuzz::tools {

// The kernel tree the exported C is written for. The API differs by era:
// 2026 is the mm tree with the series (expectations from v4-fixed, the
// series' intended rules), 6.12 is Debian's linux-source-6.12.
enum class KunitEra : std::uint8_t { v6_12, v2026 };
std::optional<KunitEra> parse_kunit_era(std::string_view name);  // "6.12", "2026"
std::string_view kunit_era_name(KunitEra e);
engine::Variant kunit_era_variant(KunitEra e);

// One input: a case name (a C identifier), the trace and where it came
// from (for the comment above the case).
struct KunitInput {
  std::string name;
  std::string source;
  harness::Trace trace;
};

// The plan of one case, for tests: the C body, and the reason the case is
// skipped whatever the kernel (empty when it runs).
struct KunitCase {
  std::string body;
  std::string skip;
};
KunitCase kunit_case(const harness::Trace& t, KunitEra era);

// A whole C file: the header once, the shared helpers, one case per input,
// one suite named `suite` (a C identifier, "vmapfuzz_" is prefixed).
std::string kunit_suite_file(std::string_view suite, std::span<const KunitInput> inputs,
                             KunitEra era);

// The suite a corpus file belongs to: "<target>_<kind>" for
// corpus/<target>/<kind>/NAME, "traces" for anything else.
std::string kunit_suite_name(const std::string& path);

// The build files of an exported folder mm/vmapfuzz/: Kconfig
// (CONFIG_VMAPFUZZ_KUNIT_TEST), a Makefile with one object per suite file
// (`objects`: "vmapfuzz_ioremap_seeds.o", ...), a .kunitconfig, and a
// README saying how to hook the folder into mm/.
std::string kunit_kconfig();
std::string kunit_makefile(std::span<const std::string> objects);
std::string kunit_kunitconfig();
std::string kunit_readme(KunitEra era);

}  // namespace vmapfuzz::tools
