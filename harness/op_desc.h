// SPDX-License-Identifier: GPL-2.0-only
// The one description of every op: its name and its fields, in order, each
// with the kind of value it holds. Everything that handles an op field by
// field is driven from here, so a field is added in one place:
//   text form     harness/trace_text.cc  "name key=value ...", in field order
//   byte form     harness/trace_bytes.cc the fields in order, by kind
//   contract      harness/ops.cc         validate(), by kind
//   export        tools/export.cc        a designated-initializer expression
//   minimizer     tools/minimize.cc      simpler values, by kind
// What an op does (on the engine, the reference, the kernel implementation,
// the range it touches, how variants relate after it) is written as an
// exhaustive std::visit over Op with one overload per op type
// (harness/visit.h): an op without a handler does not compile.
//
// The field order is the text order, the byte order and the declaration
// order of the struct (test/op_desc_test.cc checks the last).
#pragma once

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "harness/ops.h"

namespace vmapfuzz::harness {

enum class FieldKind : std::uint8_t {
  va,         // a virtual address in the fuzzing window, page aligned
  size,       // bytes from the op's va, page aligned
  size_any,   // bytes from the op's va, any size (the entry point takes unaligned ones)
  pa,         // the output address of the op's va: page aligned, below the PA limit
  prot,       // a named kernel protection (engine::kAllProts)
  flag,       // 0 or 1
  nth,        // the nth event from now (0 disarms), at most 255
  min_order,  // a page order, at most 10
  times,      // how many such events in a row, 1..4
  pages,      // page runs: PFN[+COUNT] or null, the vmap() page array
  numpages,   // a page count, 0..kMaxSetMemoryPages
  mode,       // a set_memory mode (common::kAllSetMemoryModes)
};

// A field of op type O holding a T.
template <class O, class T>
struct Field {
  using OpType = O;
  using Value = T;
  std::string_view key;  // in the text form
  T O::*member;
  FieldKind kind;
  // Written in text only when it differs from the default-constructed op's
  // value, and that value when the text leaves it out.
  bool optional = false;
  std::string_view member_name = key;  // in C++ (export --gtest)

  constexpr Field named(std::string_view name) const {
    Field f = *this;
    f.member_name = name;
    return f;
  }
};

template <class O, class T>
constexpr Field<O, T> field(std::string_view key, T O::*member, FieldKind kind,
                            bool optional = false) {
  return {key, member, kind, optional, key};
}

// One specialisation per op, below: `kind`, `name` (in traces and
// signatures), `type` (the C++ type, for export) and `fields`.
template <class O>
struct OpDesc;

template <class O>
constexpr auto range_fields() {
  return std::tuple{field("va", &O::va, FieldKind::va), field("size", &O::size, FieldKind::size),
                    field("pa", &O::pa, FieldKind::pa), field("prot", &O::prot, FieldKind::prot)};
}

template <>
struct OpDesc<IoremapOp> {
  static constexpr std::string_view type = "IoremapOp";
  static constexpr OpKind kind = OpKind::ioremap;
  static constexpr std::string_view name = "ioremap";
  static constexpr auto fields = range_fields<IoremapOp>();
};

// The phys-range entry points that take any size: the size field differs.
template <class O>
constexpr auto range_any_fields() {
  return std::tuple{field("va", &O::va, FieldKind::va),
                    field("size", &O::size, FieldKind::size_any),
                    field("pa", &O::pa, FieldKind::pa), field("prot", &O::prot, FieldKind::prot)};
}

template <>
struct OpDesc<IoremapPageRangeOp> {
  static constexpr std::string_view type = "IoremapPageRangeOp";
  static constexpr OpKind kind = OpKind::ioremap_page_range;
  static constexpr std::string_view name = "ioremap_page_range";
  static constexpr auto fields = range_any_fields<IoremapPageRangeOp>();
};

template <>
struct OpDesc<VmapPageRangeOp> {
  static constexpr std::string_view type = "VmapPageRangeOp";
  static constexpr OpKind kind = OpKind::vmap_page_range;
  static constexpr std::string_view name = "vmap_page_range";
  static constexpr auto fields = range_any_fields<VmapPageRangeOp>();
};

template <>
struct OpDesc<IounmapOp> {
  static constexpr std::string_view type = "IounmapOp";
  static constexpr OpKind kind = OpKind::iounmap;
  static constexpr std::string_view name = "iounmap";
  static constexpr auto fields = std::tuple{field("va", &IounmapOp::va, FieldKind::va)};
};

template <>
struct OpDesc<VunmapRangeOp> {
  static constexpr std::string_view type = "VunmapRangeOp";
  static constexpr OpKind kind = OpKind::vunmap_range;
  static constexpr std::string_view name = "vunmap_range";
  static constexpr auto fields = std::tuple{field("va", &VunmapRangeOp::va, FieldKind::va),
                                            field("size", &VunmapRangeOp::size, FieldKind::size)};
};

template <>
struct OpDesc<FailAllocOp> {
  static constexpr std::string_view type = "FailAllocOp";
  static constexpr OpKind kind = OpKind::fail_alloc;
  static constexpr std::string_view name = "fail_alloc";
  static constexpr auto fields = std::tuple{field("nth", &FailAllocOp::nth, FieldKind::nth)};
};

template <>
struct OpDesc<VmallocOp> {
  static constexpr std::string_view type = "VmallocOp";
  static constexpr OpKind kind = OpKind::vmalloc;
  static constexpr std::string_view name = "vmalloc";
  static constexpr auto fields = std::tuple{field("va", &VmallocOp::va, FieldKind::va),
                                            field("size", &VmallocOp::size, FieldKind::size_any),
                                            field("huge", &VmallocOp::huge, FieldKind::flag),
                                            field("prot", &VmallocOp::prot, FieldKind::prot)};
};

template <>
struct OpDesc<VmapOp> {
  static constexpr std::string_view type = "VmapOp";
  static constexpr OpKind kind = OpKind::vmap;
  static constexpr std::string_view name = "vmap";
  static constexpr auto fields = std::tuple{
      field("va", &VmapOp::va, FieldKind::va), field("prot", &VmapOp::prot, FieldKind::prot),
      field("pages", &VmapOp::runs, FieldKind::pages).named("runs")};
};

template <>
struct OpDesc<VfreeOp> {
  static constexpr std::string_view type = "VfreeOp";
  static constexpr OpKind kind = OpKind::vfree;
  static constexpr std::string_view name = "vfree";
  static constexpr auto fields = std::tuple{field("va", &VfreeOp::va, FieldKind::va)};
};

template <>
struct OpDesc<VunmapOp> {
  static constexpr std::string_view type = "VunmapOp";
  static constexpr OpKind kind = OpKind::vunmap;
  static constexpr std::string_view name = "vunmap";
  static constexpr auto fields = std::tuple{field("va", &VunmapOp::va, FieldKind::va)};
};

template <>
struct OpDesc<FailPageAllocOp> {
  static constexpr std::string_view type = "FailPageAllocOp";
  static constexpr OpKind kind = OpKind::fail_page_alloc;
  static constexpr std::string_view name = "fail_page_alloc";
  static constexpr auto fields =
      std::tuple{field("nth", &FailPageAllocOp::nth, FieldKind::nth),
                 field("min_order", &FailPageAllocOp::min_order, FieldKind::min_order),
                 field("times", &FailPageAllocOp::times, FieldKind::times, /*optional=*/true)};
};

template <>
struct OpDesc<SetMemoryOp> {
  static constexpr std::string_view type = "SetMemoryOp";
  static constexpr OpKind kind = OpKind::set_memory;
  static constexpr std::string_view name = "set_memory";
  static constexpr auto fields =
      std::tuple{field("va", &SetMemoryOp::va, FieldKind::va),
                 field("numpages", &SetMemoryOp::numpages, FieldKind::numpages),
                 field("mode", &SetMemoryOp::mode, FieldKind::mode),
                 field("unaligned", &SetMemoryOp::unaligned, FieldKind::flag, /*optional=*/true)};
};

// Every alternative of Op is described, at the index its OpKind names.
template <std::size_t... I>
constexpr bool descriptions_match_kinds(std::index_sequence<I...>) {
  return ((OpDesc<std::variant_alternative_t<I, Op>>::kind == static_cast<OpKind>(I)) && ...);
}
static_assert(descriptions_match_kinds(std::make_index_sequence<kOpKinds>{}),
              "OpKind, Op and the OpDesc specialisations disagree");

// f(desc) for every field description of O, in order.
template <class O, class F>
constexpr void for_each_field(F&& f) {
  std::apply([&](const auto&... fd) { (f(fd), ...); }, OpDesc<O>::fields);
}

// f(std::type_identity<O>{}) for every op type O, in OpKind order.
template <class F>
constexpr void for_each_op_type(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::type_identity<std::variant_alternative_t<I, Op>>{}), ...);
  }
  (std::make_index_sequence<kOpKinds>{});
}

// Whether O has a field of kind k.
template <class O>
constexpr bool has_field_kind(FieldKind k) {
  bool found = false;
  for_each_field<O>([&](const auto& fd) { found = found || fd.kind == k; });
  return found;
}

}  // namespace vmapfuzz::harness
