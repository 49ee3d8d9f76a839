// SPDX-License-Identifier: GPL-2.0-only
#include "harness/backend.h"

namespace vmapfuzz::harness {
namespace {
Backend* g_linked = nullptr;
Backend* g_active = nullptr;
}  // namespace

void set_backend(Backend* b) { g_active = b; }
Backend* backend() { return g_active; }
Backend* linked_backend() { return g_linked; }
void link_backend(Backend* b) { g_linked = g_active = b; }

}  // namespace vmapfuzz::harness
