// SPDX-License-Identifier: GPL-2.0-only
#include "fuzz/target.h"

#include <cstdio>
#include <cstdlib>

#include "harness/trace_io.h"

namespace vmapfuzz::fuzz {

engine::Variant variant_from_env() {
  const char* v = std::getenv("VMAPFUZZ_VARIANT");
  if (!v || !*v) return engine::Variant::v4;
  const auto parsed = engine::parse_variant(v);
  if (!parsed) {
    std::fprintf(stderr, "vmapfuzz: VMAPFUZZ_VARIANT=%s names no variant (mainline, v4)\n", v);
    std::exit(2);
  }
  return *parsed;
}

InputResult run_input(harness::Runner& runner, std::span<const std::uint8_t> data,
                      engine::Variant variant, bool fuzz_budget) {
  InputResult r;
  if (harness::looks_like_text(data)) {
    harness::ParseError err;
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    if (!harness::parse_text(text, &r.trace, &err)) {
      r.status = InputStatus::rejected;
      r.run.rejected = "line " + std::to_string(err.line) + ": " + err.message;
      return r;
    }
  } else {
    r.trace = harness::decode_bytes(data, variant);
  }
  if (fuzz_budget && harness::pte_level_pages(r.trace) > harness::kFuzzMaxPtePages) {
    r.status = InputStatus::rejected;
    r.run.rejected = "over the fuzzing budget of PTE-level pages";
    return r;
  }
  r.run = runner.run(r.trace);
  r.status = r.run.rejected ? InputStatus::rejected
             : r.run.failure ? InputStatus::failed
                             : InputStatus::pass;
  return r;
}

std::string failure_report(const InputResult& r) {
  const harness::Failure& f = *r.run.failure;
  return "vmapfuzz: FAIL " + f.signature + "\n" + f.detail + "\n--- trace ---\n" +
         harness::to_text(r.trace) + "--- end ---\n";
}

}  // namespace vmapfuzz::fuzz
