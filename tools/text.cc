// SPDX-License-Identifier: GPL-2.0-only
#include "tools/text.h"

namespace vmapfuzz::tools {

std::string c_comment(const std::string& text, const char* prefix) {
  std::string s;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    std::string line = text.substr(start, nl - start);
    for (std::size_t p; (p = line.find("*/")) != std::string::npos;) line.replace(p, 2, "* /");
    s += prefix + line + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return s;
}

}  // namespace vmapfuzz::tools
