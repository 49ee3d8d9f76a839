// SPDX-License-Identifier: GPL-2.0-only
// Small text helpers the tools share.
#pragma once

#include <cstdio>
#include <string>

namespace vmapfuzz::tools {

// printf-style formatting into a string (at most 511 characters).
template <class... Args>
std::string fmt(const char* f, Args... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, f, args...);
  return buf;
}

// "0x" and the value in lower-case hex.
inline std::string hex(unsigned long long v) { return fmt("0x%llx", v); }

// `text` as comment lines, each `prefix` and one line of it. A "*/" in it
// becomes "* /", so that the lines may sit inside a C block comment.
std::string c_comment(const std::string& text, const char* prefix);

}  // namespace vmapfuzz::tools
