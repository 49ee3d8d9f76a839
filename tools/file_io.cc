// SPDX-License-Identifier: GPL-2.0-only
#include "tools/file_io.h"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace vmapfuzz::tools {

namespace fs = std::filesystem;

std::optional<std::vector<std::uint8_t>> read_file(const std::string& path, std::string* err) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    *err = path + ": is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = path + ": cannot open";
    return std::nullopt;
  }
  std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)), {});
  if (in.bad()) {
    *err = path + ": read error";
    return std::nullopt;
  }
  return data;
}

bool write_new_file(const std::string& path, const std::vector<std::uint8_t>& data, bool overwrite,
                    const std::vector<std::string>& inputs, std::string* err) {
  std::error_code ec;
  for (const std::string& in : inputs) {
    if (fs::exists(path, ec) && fs::equivalent(path, in, ec)) {
      *err = path + ": is an input file; refusing to overwrite it";
      return false;
    }
  }
  if (fs::exists(path, ec) && !overwrite) {
    *err = path + ": exists; refusing to overwrite (use --force)";
    return false;
  }
  // Write to a temporary name first so a failure leaves nothing half-written.
  const std::string tmp = path + ".tmp-vmapfuzz";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      *err = path + ": cannot create";
      return false;
    }
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
    if (!out) {
      *err = path + ": write error";
      fs::remove(tmp, ec);
      return false;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    *err = path + ": " + ec.message();
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

}  // namespace vmapfuzz::tools
