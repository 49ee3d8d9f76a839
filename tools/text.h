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

}  // namespace vmapfuzz::tools
