// SPDX-License-Identifier: GPL-2.0-only
// Exhaustive dispatch over std::variant: std::visit(Overloaded{...}, op)
// with one lambda per alternative. Write the lambdas with concrete
// parameter types (no `auto` catch-all), so that a new alternative without
// a handler is a compile error rather than a silent default.
#pragma once

namespace vmapfuzz::harness {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace vmapfuzz::harness
