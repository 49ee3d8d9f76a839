// SPDX-License-Identifier: GPL-2.0-only
// Implementations other than the engine's variants. The harness runs every
// trace on the engine variants and, when one is registered, on a backend:
// today the `kernel` implementation that kernel/ builds from a kernel
// tree's own mm/vmalloc.c and arm64 helpers. A backend drives the same
// engine::Kernel state (table pool, page allocator, vm area list, recorder)
// as the engine, so the oracle checks it with the same walker, reference
// and signatures. It is compared with the reference of its era (the engine
// variant the tree's code corresponds to) and, bit for bit, with that
// engine variant.
#pragma once

#include <string>
#include <string_view>

#include "engine/kernel.h"
#include "harness/ops.h"

namespace vmapfuzz::harness {

class Backend {
 public:
  virtual ~Backend() = default;
  // Name in signatures and reports ("kernel").
  virtual std::string_view name() const = 0;
  // The engine variant whose behaviour this code should have.
  virtual engine::Variant era() const = 0;
  // Whether the backend can run ops of this kind on geometry `g` (a tree
  // may lack vmap(), a unit may not have built, set_memory_* is one
  // architecture's code). A trace stops involving the backend at its first
  // unsupported op.
  virtual bool supports(OpKind kind, const engine::Geometry& g) const = 0;
  // Whether it can run traces of this geometry; a trace of another geometry
  // leaves the backend out (NOT-RUN). A kernel tree answers for the arm64
  // geometries its slices were built for (kernel/bridge.h); the default is
  // the one every build has.
  virtual bool supports_geometry(const engine::Geometry& g) const {
    return g.name == engine::arm64_4k_48().name;
  }
  // What it was built from, several lines (tree, version, units, probes).
  virtual std::string describe() const = 0;
  // The source it was built from (the kernel tree's absolute path).
  virtual std::string source() const = 0;
  // Runs one op on `k` (a Kernel of era()); returns its Outcome.
  virtual engine::Outcome execute(engine::Kernel& k, const Op& op) = 0;
  // Ops that return a pointer in the kernel (vmap, vmalloc) report only
  // success or failure, not which errno the walk saw.
  virtual bool ret_is_pointer(OpKind kind) const = 0;
};

// The backend every Runner adds (nullptr: none). Executables that link an
// implementation register it before main() runs; setting nullptr turns it
// off (e.g. `vmapfuzz replay --no-kernel`).
void set_backend(Backend* b);
Backend* backend();
// The linked-in backend, even when turned off.
Backend* linked_backend();
void link_backend(Backend* b);

}  // namespace vmapfuzz::harness
