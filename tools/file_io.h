// SPDX-License-Identifier: GPL-2.0-only
// File helpers for the command line: read whole files, write new ones
// without ever replacing something that exists.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmapfuzz::tools {

// The file's bytes, or nullopt with `err` set.
std::optional<std::vector<std::uint8_t>> read_file(const std::string& path, std::string* err);

// Creates `path` with `data`. Refuses (false, `err` set) if it exists,
// unless `overwrite`; never writes over one of `inputs`.
bool write_new_file(const std::string& path, const std::vector<std::uint8_t>& data, bool overwrite,
                    const std::vector<std::string>& inputs, std::string* err);

}  // namespace vmapfuzz::tools
