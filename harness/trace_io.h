// SPDX-License-Identifier: GPL-2.0-only
// The two forms of a trace.
//
// Text (what users read, edit, commit and replay), version 1:
//
//   vmapfuzz-trace 1
//   # any number of comment lines
//   geometry arm64-4k-48
//   variant v4
//   config nohugeiomap=0 nohugevmalloc=0
//   ioremap va=0xffff800000200000 size=0x200000 pa=0x40200000 prot=device
//   vunmap_range va=0xffff800000200000 size=0x1000
//
// The config line's boot options are `nohugeiomap=0|1` and
// `nohugevmalloc=0|1` (both always written) and, on x86-64 geometries only,
// `nogbpages=0|1`, `nopse=0|1` and `mtrr_split=PA` (the PA where the MTRR
// memory type changes; written only when set, so traces of other
// geometries read as before). An x86-64 option on another geometry's trace
// is a parse error, whichever of the config and geometry lines comes first.
//
// Numbers are hex (0x...) or decimal, optionally with a K/M/G suffix; the
// canonical form written by to_text() uses hex. parse_text(to_text(t)) == t
// and to_text(parse_text(s)) == s for canonical s.
//
// Bytes (what libFuzzer mutates): see decode_bytes(). encode_bytes() writes
// the exact form, so decode_bytes(encode_bytes(t)) equals t without its
// variant and comments (the variant is chosen by whoever runs the bytes).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/ops.h"

namespace vmapfuzz::harness {

inline constexpr std::string_view kTraceMagic = "vmapfuzz-trace 1";

std::string to_text(const Trace& t);

struct ParseError {
  std::size_t line = 0;  // 1-based
  std::string message;
};
// Parses the text form; on failure returns false and fills `err`.
bool parse_text(std::string_view text, Trace* out, ParseError* err);

// True if `data` starts like the text form.
bool looks_like_text(std::span<const std::uint8_t> data);

// Decodes fuzzer bytes, FuzzedDataProvider style: never fails, missing
// bytes read as zero, the op list ends when the input does. Values are
// biased toward the boundaries that matter — VAs and PAs on or next to the
// geometry's CONT, PMD and PUD boundaries (64K/2M/1G with 4K pages), sizes
// that are whole blocks plus or minus a page.
//
// `kinds` is the fuzz target's opcode table: opcode byte b means
// kinds[b % kinds.size()], so a target only ever decodes its own ops.
std::span<const OpKind> all_op_kinds();
Trace decode_bytes(std::span<const std::uint8_t> data, engine::Variant variant,
                   std::span<const OpKind> kinds = all_op_kinds());
// The exact bytes for `t`, or nullopt if `t` has an op outside `kinds`.
std::optional<std::vector<std::uint8_t>> encode_bytes(
    const Trace& t, std::span<const OpKind> kinds = all_op_kinds());

}  // namespace vmapfuzz::harness
