// SPDX-License-Identifier: GPL-2.0-only
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>

#include "harness/op_desc.h"
#include "harness/trace_io.h"

namespace vmapfuzz::harness {
namespace {

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

bool parse_number(std::string_view s, u64* out) {
  u64 mult = 1;
  if (!s.empty()) {
    const char c = s.back();
    if (c == 'K' || c == 'k') mult = u64{1} << 10;
    if (c == 'M' || c == 'm') mult = u64{1} << 20;
    if (c == 'G' || c == 'g') mult = u64{1} << 30;
    if (mult != 1) s.remove_suffix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  if (s.empty()) return false;
  u64 v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  if (mult != 1 && v > ~u64{0} / mult) return false;
  *out = v * mult;
  return true;
}

std::string hex(u64 v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string runs_text(const std::vector<PageRun>& runs) {
  std::string s;
  for (const PageRun& r : runs) {
    if (!s.empty()) s += ',';
    s += r.pfn == engine::kNullPage ? "null" : hex(r.pfn);
    if (r.count != 1) s += "+" + std::to_string(r.count);
  }
  return s;
}

// The text of one field value, by the field's kind.
std::string value_text(FieldKind, u64 v) { return hex(v); }
std::string value_text(FieldKind, unsigned v) { return std::to_string(v); }
std::string value_text(FieldKind, bool v) { return v ? "1" : "0"; }
std::string value_text(FieldKind, ProtName p) { return std::string(engine::prot_name(p)); }
std::string value_text(FieldKind, const std::vector<PageRun>& runs) { return runs_text(runs); }
std::string value_text(FieldKind, SetMemoryMode m) {
  return std::string(common::set_memory_mode_name(m));
}

// The largest value the text form takes for a counter field (validate()
// applies the harness's tighter limits, so that an out-of-contract trace is
// rejected with its reason rather than unreadable).
unsigned text_limit(FieldKind k) { return k == FieldKind::min_order ? 63 : 0xffff; }

bool parse_value(FieldKind, std::string_view key, std::string_view s, u64* out, std::string* err) {
  if (parse_number(s, out)) return true;
  *err = "bad number for " + std::string(key) + ": '" + std::string(s) + "'";
  return false;
}

bool parse_value(FieldKind k, std::string_view key, std::string_view s, unsigned* out,
                 std::string* err) {
  u64 v = 0;
  if (!parse_value(k, key, s, &v, err)) return false;
  if (v > text_limit(k)) {
    *err = std::string(key) + " too large";
    return false;
  }
  *out = static_cast<unsigned>(v);
  return true;
}

bool parse_value(FieldKind k, std::string_view key, std::string_view s, bool* out,
                 std::string* err) {
  u64 v = 0;
  if (!parse_value(k, key, s, &v, err)) return false;
  if (v > 1) {
    *err = std::string(key) + " is 0 or 1";
    return false;
  }
  *out = v == 1;
  return true;
}

bool parse_value(FieldKind, std::string_view, std::string_view s, ProtName* out, std::string* err) {
  const auto p = engine::parse_prot(s);
  if (!p) {
    *err = "unknown prot '" + std::string(s) + "'";
    return false;
  }
  *out = *p;
  return true;
}

bool parse_value(FieldKind, std::string_view key, std::string_view s, SetMemoryMode* out,
                 std::string* err) {
  const auto m = common::parse_set_memory_mode(s);
  if (!m) {
    *err = "unknown " + std::string(key) + " '" + std::string(s) +
           "' (ro, rw, x, nx, rox, valid, invalid)";
    return false;
  }
  *out = *m;
  return true;
}

// RUN,RUN,... with RUN = PFN[+COUNT] or null[+COUNT].
bool parse_value(FieldKind, std::string_view key, std::string_view v, std::vector<PageRun>* out,
                 std::string* err) {
  out->clear();
  while (!v.empty()) {
    const auto comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
    PageRun r;
    const auto plus = item.find('+');
    const std::string_view head = item.substr(0, plus);
    if (head == "null") {
      r.pfn = engine::kNullPage;
    } else if (!parse_number(head, &r.pfn) || r.pfn == engine::kNullPage) {
      *err = "bad pfn '" + std::string(head) + "' in " + std::string(key) + "=";
      return false;
    }
    if (plus != std::string_view::npos &&
        (!parse_number(item.substr(plus + 1), &r.count) || r.count == 0)) {
      *err = "bad page count in '" + std::string(item) + "'";
      return false;
    }
    out->push_back(r);
  }
  if (out->empty()) {
    *err = "empty " + std::string(key) + "=";
    return false;
  }
  return true;
}

// The key=value words of an op line; each key at most once.
bool load_fields(const std::vector<std::string_view>& words,
                 std::map<std::string_view, std::string_view>* fields, std::string* err) {
  for (std::size_t i = 1; i < words.size(); ++i) {
    const auto eq = words[i].find('=');
    if (eq == std::string_view::npos || eq == 0) {
      *err = "expected key=value, got '" + std::string(words[i]) + "'";
      return false;
    }
    if (!fields->emplace(words[i].substr(0, eq), words[i].substr(eq + 1)).second) {
      *err = "duplicate key '" + std::string(words[i].substr(0, eq)) + "'";
      return false;
    }
  }
  return true;
}

// Parses the fields of an op of type O, as OpDesc<O> lists them.
template <class O>
bool parse_fields(std::map<std::string_view, std::string_view>& fields, Op* op, std::string* err) {
  O o{};
  bool ok = true;
  for_each_field<O>([&](const auto& fd) {
    if (!ok) return;
    const auto it = fields.find(fd.key);
    if (it == fields.end()) {
      if (fd.optional) return;  // the default-constructed value
      *err = "missing " + std::string(fd.key) + "=";
      ok = false;
      return;
    }
    ok = parse_value(fd.kind, fd.key, it->second, &(o.*fd.member), err);
    fields.erase(it);
  });
  if (!ok) return false;
  if (!fields.empty()) {
    *err = "unknown key '" + std::string(fields.begin()->first) + "' for " +
           std::string(OpDesc<O>::name);
    return false;
  }
  *op = std::move(o);
  return true;
}

bool parse_op(const std::vector<std::string_view>& w, Op* op, std::string* err) {
  std::map<std::string_view, std::string_view> fields;
  if (!load_fields(w, &fields, err)) return false;
  bool found = false, ok = false;
  for_each_op_type([&]<class O>(std::type_identity<O>) {
    if (found || w[0] != OpDesc<O>::name) return;
    found = true;
    ok = parse_fields<O>(fields, op, err);
  });
  if (!found) *err = "unknown op '" + std::string(w[0]) + "'";
  return found && ok;
}

bool parse_flag(std::string_view key, std::string_view v, bool* flag, std::string* err) {
  if (v != "0" && v != "1") {
    *err = "config values are 0 or 1 (" + std::string(key) + "=" + std::string(v) + ")";
    return false;
  }
  *flag = v == "1";
  return true;
}

// Parses a `config` line; `x86_key` gets the first x86-64 option it names
// (with any value), so that the end of parse_text() can refuse it on a
// geometry of another architecture, wherever the geometry line is.
bool parse_config(const std::vector<std::string_view>& w, engine::KernelConfig* cfg,
                  std::string_view* x86_key, std::string* err) {
  std::vector<std::string_view> seen;
  for (std::size_t i = 1; i < w.size(); ++i) {
    const auto eq = w[i].find('=');
    const std::string_view key = w[i].substr(0, eq);
    if (eq == std::string_view::npos || eq == 0 ||
        (key != "nohugeiomap" && key != "nohugevmalloc" && key != "nogbpages" && key != "nopse" &&
         key != "mtrr_split" && key != "bbml2_noabort")) {
      *err = "unknown config '" + std::string(w[i]) + "'";
      return false;
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      *err = "duplicate config '" + std::string(key) + "'";
      return false;
    }
    seen.push_back(key);
    const std::string_view v = w[i].substr(eq + 1);
    bool ok = true;
    if (key == "nohugeiomap") ok = parse_flag(key, v, &cfg->nohugeiomap, err);
    else if (key == "nohugevmalloc") ok = parse_flag(key, v, &cfg->nohugevmalloc, err);
    else if (key == "nogbpages") ok = parse_flag(key, v, &cfg->nogbpages, err);
    else if (key == "nopse") ok = parse_flag(key, v, &cfg->nopse, err);
    else if (key == "bbml2_noabort") ok = parse_flag(key, v, &cfg->bbml2_noabort, err);
    else {
      u64 pa = 0;
      ok = parse_number(v, &pa);
      if (!ok) *err = "bad number for mtrr_split: '" + std::string(v) + "'";
      cfg->mtrr_split = pa;
    }
    if (!ok) return false;
    if (x86_key->empty() && (key == "nogbpages" || key == "nopse" || key == "mtrr_split"))
      *x86_key = key;
  }
  return true;
}

}  // namespace

std::string_view op_name(const Op& op) {
  return std::visit([]<class O>(const O&) { return OpDesc<O>::name; }, op);
}

std::string show(const Op& op) {
  return std::visit(
      []<class O>(const O& o) {
        std::string s(OpDesc<O>::name);
        const O defaults{};
        for_each_field<O>([&](const auto& fd) {
          if (fd.optional && o.*fd.member == defaults.*fd.member) return;
          s += " " + std::string(fd.key) + "=" + value_text(fd.kind, o.*fd.member);
        });
        return s;
      },
      op);
}

std::string to_text(const Trace& t) {
  std::string s(kTraceMagic);
  s += '\n';
  std::size_t c = 0;
  auto comments_before = [&](std::size_t index) {
    for (; c < t.comments.size() && t.comments[c].first <= index; ++c)
      s += "# " + t.comments[c].second + "\n";
  };
  comments_before(0);
  s += "geometry " + std::string(t.geo->name) + "\n";
  s += "variant " + std::string(engine::variant_name(t.variant)) + "\n";
  s += "config nohugeiomap=" + std::string(t.config.nohugeiomap ? "1" : "0") +
       " nohugevmalloc=" + std::string(t.config.nohugevmalloc ? "1" : "0");
  // The x86-64 options only when set, so that every other trace reads as
  // it did before they existed.
  if (t.config.nogbpages) s += " nogbpages=1";
  if (t.config.nopse) s += " nopse=1";
  if (t.config.mtrr_split) s += " mtrr_split=" + hex(t.config.mtrr_split);
  if (t.config.bbml2_noabort) s += " bbml2_noabort=1";
  s += "\n";
  // `placement kernel` is the default and is not written.
  if (t.config.placement_any) s += "placement any\n";
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    if (i > 0) comments_before(i);
    s += show(t.ops[i]) + "\n";
  }
  comments_before(t.ops.size());
  return s;
}

bool parse_text(std::string_view text, Trace* out, ParseError* err) {
  Trace t;
  t.ops.clear();
  std::size_t lineno = 0;
  bool have_magic = false, have_geo = false, have_variant = false, have_config = false,
       have_placement = false;
  std::size_t config_line = 0;
  std::string_view x86_key;
  auto fail = [&](std::string msg) {
    err->line = lineno;
    err->message = std::move(msg);
    return false;
  };
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!have_magic) {
      if (line != kTraceMagic) return fail("first line must be '" + std::string(kTraceMagic) + "'");
      have_magic = true;
      continue;
    }
    if (!line.empty() && line[0] == '#') {
      std::string_view c = line.substr(1);
      if (!c.empty() && c[0] == ' ') c.remove_prefix(1);
      t.comments.emplace_back(t.ops.size(), std::string(c));
      continue;
    }
    const auto w = split_words(line);
    if (w.empty()) continue;
    std::string e;
    if (w[0] == "geometry") {
      if (have_geo || !t.ops.empty()) return fail("geometry must come once, before the ops");
      if (w.size() != 2) return fail("usage: geometry NAME");
      t.geo = engine::find_geometry(w[1]);
      if (!t.geo) {
        std::string names;
        for (const engine::Geometry* g : engine::all_geometries())
          names += (names.empty() ? "" : ", ") + std::string(g->name);
        return fail("unknown geometry '" + std::string(w[1]) + "' (" + names + ")");
      }
      have_geo = true;
    } else if (w[0] == "variant") {
      if (have_variant || !t.ops.empty()) return fail("variant must come once, before the ops");
      if (w.size() != 2) return fail("usage: variant NAME");
      const auto v = engine::parse_variant(w[1]);
      if (!v) return fail("unknown variant '" + std::string(w[1]) + "'");
      t.variant = *v;
      have_variant = true;
    } else if (w[0] == "config") {
      if (have_config || !t.ops.empty()) return fail("config must come once, before the ops");
      if (!parse_config(w, &t.config, &x86_key, &e)) return fail(e);
      have_config = true;
      config_line = lineno;
    } else if (w[0] == "placement") {
      if (have_placement || !t.ops.empty()) return fail("placement must come once, before the ops");
      if (w.size() != 2 || (w[1] != "kernel" && w[1] != "any"))
        return fail("usage: placement kernel|any");
      t.config.placement_any = w[1] == "any";
      have_placement = true;
    } else {
      Op op;
      if (!parse_op(w, &op, &e)) return fail(e);
      t.ops.push_back(op);
    }
  }
  if (!have_magic) return fail("empty input");
  if (!have_geo) return fail("missing 'geometry' line");
  if (!have_variant) return fail("missing 'variant' line");
  // The geometry line may follow the config line: judge the options now.
  if (have_config) {
    std::optional<std::string> why;
    if (!x86_key.empty() && t.geo->arch != engine::Arch::x86_64)
      why = "config " + std::string(x86_key) + " is an x86-64 boot option, but geometry " +
            std::string(t.geo->name) + " is " + engine::arch_name(t.geo->arch);
    else why = config_problem(*t.geo, t.config);
    if (why) {
      lineno = config_line;
      return fail(*why);
    }
  }
  *out = std::move(t);
  return true;
}

bool looks_like_text(std::span<const std::uint8_t> data) {
  const std::string_view head(reinterpret_cast<const char*>(data.data()),
                              std::min(data.size(), kTraceMagic.size()));
  return head == kTraceMagic;
}

}  // namespace vmapfuzz::harness
