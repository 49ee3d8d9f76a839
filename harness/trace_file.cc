// SPDX-License-Identifier: GPL-2.0-only
#include "harness/trace_file.h"

#include <cctype>
#include <cstdio>

#include "harness/trace_io.h"

namespace vmapfuzz::harness {
namespace {

std::string_view base_name(std::string_view path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool all_hex(std::string_view s) {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

struct TextError {
  std::size_t line;
  std::string message;
};

// The first place where `text` is not UTF-8 text: an invalid or overlong
// sequence, a surrogate, or a control character other than tab, CR, LF.
std::optional<TextError> first_non_text(std::string_view text) {
  std::size_t line = 1;
  auto byte_at = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = byte_at(i);
    auto bad = [&](const char* what) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "%s (byte 0x%02x at offset %zu)", what, c, i);
      return TextError{line, buf};
    };
    if (c < 0x80) {
      if (c == '\n') ++line;
      else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
        return bad("not text: a control character");
      ++i;
      continue;
    }
    // Length of the sequence and the allowed range of its second byte.
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c == 0xe0) n = 3, lo = 0xa0;
    else if (c == 0xed) n = 3, hi = 0x9f;  // no UTF-16 surrogates
    else if (c >= 0xe1 && c <= 0xef) n = 3;
    else if (c == 0xf0) n = 4, lo = 0x90;
    else if (c == 0xf4) n = 4, hi = 0x8f;  // nothing above U+10FFFF
    else if (c >= 0xf1 && c <= 0xf3) n = 4;
    else return bad("not valid UTF-8");
    if (i + n > text.size()) return bad("not valid UTF-8: a truncated sequence");
    if (byte_at(i + 1) < lo || byte_at(i + 1) > hi) return bad("not valid UTF-8");
    for (std::size_t k = 2; k < n; ++k)
      if (byte_at(i + k) < 0x80 || byte_at(i + k) > 0xbf) return bad("not valid UTF-8");
    i += n;
  }
  return std::nullopt;
}

// Why the first line is not the header, or nullopt if it is.
std::optional<std::string> header_problem(std::string_view text) {
  std::string_view first = text.substr(0, text.find('\n'));
  if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
  if (first == kTraceMagic) return std::nullopt;
  const std::string expected = "'" + std::string(kTraceMagic) + "'";
  constexpr std::string_view kWord = "vmapfuzz-trace";
  if (!first.starts_with(kWord))
    return "missing header: a text trace starts with the line " + expected +
           " (to read the file as fuzzer bytes, pass --bytes)";
  const std::string_view rest = first.substr(kWord.size());
  if (rest.size() > 1 && rest[0] == ' ' && rest.find_first_of(" \t", 1) == std::string_view::npos)
    return "unsupported trace version '" + std::string(rest.substr(1)) +
           "' (this vmapfuzz reads version 1)";
  return "damaged header '" + std::string(first) + "': expected exactly " + expected;
}

std::string bytes_how(const TargetSpec& target, engine::Variant v) {
  return "fuzzer bytes (target " + std::string(target.name) + ", variant " +
         std::string(engine::variant_name(v)) + ")";
}

}  // namespace

bool named_like_fuzzer_input(std::string_view path) {
  const std::string_view name = base_name(path);
  for (std::string_view prefix : {"crash-", "leak-", "timeout-", "oom-", "slow-unit-",
                                  "minimized-from-", "clusterfuzz-testcase-", "id:"})
    if (name.starts_with(prefix)) return true;
  return name.size() == 40 && all_hex(name);
}

std::optional<Trace> decode_fuzz_input(std::span<const std::uint8_t> data, const TargetSpec& target,
                                       engine::Variant variant, std::string* err) {
  if (!looks_like_text(data)) return decode_bytes(data, variant, target.kinds);
  Trace t;
  ParseError pe;
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  if (!parse_text(text, &t, &pe)) {
    *err = "line " + std::to_string(pe.line) + ": " + pe.message;
    return std::nullopt;
  }
  return t;
}

std::optional<Input> read_input(std::string_view path, std::span<const std::uint8_t> data,
                                const InputSpec& spec, std::string* err) {
  auto fail = [&](const std::string& message, std::size_t line = 0) -> std::optional<Input> {
    *err = std::string(path) + (line ? ":" + std::to_string(line) : std::string()) + ": " + message;
    return std::nullopt;
  };
  if (data.empty()) return fail("empty file: there is no trace in it");
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  Input in;
  if (spec.bytes || named_like_fuzzer_input(path)) {
    const TargetSpec& target = spec.target ? *spec.target : *find_target("mixed");
    std::string e;
    auto t = decode_fuzz_input(data, target, spec.variant, &e);
    if (!t) return fail("a text trace that does not parse: " + e);
    in.trace = std::move(*t);
    in.decoding = looks_like_text(data) ? Decoding::text : Decoding::bytes;
    in.how = in.decoding == Decoding::text ? "text trace" : bytes_how(target, spec.variant);
    return in;
  }
  constexpr std::string_view kBom = "\xef\xbb\xbf";
  const bool bom = text.starts_with(kBom);
  const std::string_view body = bom ? text.substr(kBom.size()) : text;
  if (!path.ends_with(".trace") && !body.starts_with("vmapfuzz-trace"))
    return fail(
        "not a text trace (it does not start with '" + std::string(kTraceMagic) +
        "') and not named like a fuzzer input (crash-*, leak-*, timeout-*, a SHA-1, ...); pass "
        "--bytes to read it as fuzzer bytes");
  if (bom) return fail("starts with a UTF-8 byte order mark; save the trace without it", 1);
  if (auto bad = first_non_text(text)) return fail(bad->message, bad->line);
  if (auto why = header_problem(text)) return fail(*why, 1);
  ParseError pe;
  if (!parse_text(text, &in.trace, &pe)) return fail(pe.message, pe.line);
  in.decoding = Decoding::text;
  in.how = "text trace";
  return in;
}

}  // namespace vmapfuzz::harness
