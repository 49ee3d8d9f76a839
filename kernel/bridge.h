// SPDX-License-Identifier: GPL-2.0-only
// The `kernel` implementation: a harness Backend that runs ops through the
// functions kernel/extract.py cut out of a kernel tree (kernel_tu.c in the
// build tree), compiled against kernel/shim/. See kernel/README.md.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/kernel.h"
#include "harness/backend.h"

// The entry points of one geometry's build of the slices (kshim_host.h).
struct vmapfuzz_kops;

namespace vmapfuzz::kernel {

class TreeBackend final : public harness::Backend {
 public:
  struct Info {
    std::string name = "kernel";
    engine::Variant era = engine::Variant::v6_12;
    std::string description;  // manifest summary: tree, version, era, probes, units
    std::string tree;         // absolute path of the tree
    bool has_vmap_page_range = true;
    // One entry-point table per geometry the slices were built for
    // (kernel/extract.py GEOMETRIES, those that compiled), default first.
    std::vector<const vmapfuzz_kops*> ops;
  };
  explicit TreeBackend(Info info);
  ~TreeBackend() override;

  std::string_view name() const override { return info_.name; }
  engine::Variant era() const override { return info_.era; }
  bool supports(harness::OpKind kind, const engine::Geometry& g) const override;
  // The arm64 geometries the tree's slices were built for.
  bool supports_geometry(const engine::Geometry& g) const override;
  std::string describe() const override;
  std::string source() const override { return info_.tree; }
  engine::Outcome execute(engine::Kernel& k, const harness::Op& op) override;
  bool ret_is_pointer(harness::OpKind kind) const override;

  // The build of the slices for `g`, or nullptr.
  const vmapfuzz_kops* ops_for(const engine::Geometry& g) const;

  // For the shims' callbacks (bridge.cc).
  void* handle_for(engine::Kernel& k, const engine::VmArea& a);
  void free_area(engine::Kernel& k, engine::u64 addr, bool is_vfree);
  // A WARN/BUG site of the tree that kWarnSites/kBugSites do not name: it
  // is reported as kernel:unrecognised-* (a mismatch), and once per site on
  // stderr with its function and condition, so that it can be named.
  void note_unrecognised(const char* func, const char* text);
  const std::set<std::string>& unrecognised_sites() const { return unrecognised_; }

 private:
  struct Handle {
    void* handle;
    engine::u64 size;
    unsigned flags;
    const engine::Kernel* kernel;
    const vmapfuzz_kops* ops;  // the build that made the handle
  };
  void release_handle(engine::u64 addr);
  void sync_handles(engine::Kernel& k);
  int vmalloc(engine::Kernel& k, const harness::VmallocOp& o);

  Info info_;
  std::map<engine::u64, Handle> handles_;  // vm_struct per area, by start
  std::set<std::string> unrecognised_;
};

}  // namespace vmapfuzz::kernel
