// SPDX-License-Identifier: GPL-2.0-only
#include <charconv>
#include <map>

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

// key=value fields of an op line; every key listed must be present, no
// other key may be.
class Fields {
 public:
  bool load(const std::vector<std::string_view>& words, std::string* err) {
    for (std::size_t i = 1; i < words.size(); ++i) {
      const auto eq = words[i].find('=');
      if (eq == std::string_view::npos || eq == 0) {
        *err = "expected key=value, got '" + std::string(words[i]) + "'";
        return false;
      }
      const std::string key(words[i].substr(0, eq));
      if (!map_.emplace(key, words[i].substr(eq + 1)).second) {
        *err = "duplicate key '" + key + "'";
        return false;
      }
    }
    return true;
  }
  bool number(const char* key, u64* out, std::string* err) {
    auto it = map_.find(key);
    if (it == map_.end()) {
      *err = std::string("missing ") + key + "=";
      return false;
    }
    if (!parse_number(it->second, out)) {
      *err = std::string("bad number for ") + key + ": '" + std::string(it->second) + "'";
      return false;
    }
    map_.erase(it);
    return true;
  }
  // An optional key: `fallback` when absent.
  bool number_or(const char* key, u64 fallback, u64* out, std::string* err) {
    if (map_.find(key) == map_.end()) {
      *out = fallback;
      return true;
    }
    return number(key, out, err);
  }
  bool prot(ProtName* out, std::string* err) {
    auto it = map_.find("prot");
    if (it == map_.end()) {
      *err = "missing prot=";
      return false;
    }
    const auto p = engine::parse_prot(it->second);
    if (!p) {
      *err = "unknown prot '" + std::string(it->second) + "'";
      return false;
    }
    *out = *p;
    map_.erase(it);
    return true;
  }
  bool flag(const char* key, bool* out, std::string* err) {
    u64 v = 0;
    if (!number(key, &v, err)) return false;
    if (v > 1) {
      *err = std::string(key) + " is 0 or 1";
      return false;
    }
    *out = v == 1;
    return true;
  }
  // pages=RUN,RUN,... with RUN = PFN[+COUNT] or null[+COUNT].
  bool runs(std::vector<PageRun>* out, std::string* err) {
    auto it = map_.find("pages");
    if (it == map_.end()) {
      *err = "missing pages=";
      return false;
    }
    std::string_view v = it->second;
    while (!v.empty()) {
      const auto comma = v.find(',');
      std::string_view item = v.substr(0, comma);
      v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
      PageRun r;
      const auto plus = item.find('+');
      const std::string_view head = item.substr(0, plus);
      if (head == "null") r.pfn = engine::kNullPage;
      else if (!parse_number(head, &r.pfn) || r.pfn == engine::kNullPage) {
        *err = "bad pfn '" + std::string(head) + "' in pages=";
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
      *err = "empty pages=";
      return false;
    }
    map_.erase(it);
    return true;
  }
  bool done(std::string* err) const {
    if (map_.empty()) return true;
    *err = "unknown key '" + map_.begin()->first + "'";
    return false;
  }

 private:
  std::map<std::string, std::string_view> map_;
};

template <class R>
bool parse_range_op(Fields& f, R* r, std::string* err) {
  return f.number("va", &r->va, err) && f.number("size", &r->size, err) &&
         f.number("pa", &r->pa, err) && f.prot(&r->prot, err);
}

bool parse_op(const std::vector<std::string_view>& w, Op* op, std::string* err) {
  Fields f;
  if (!f.load(w, err)) return false;
  const std::string_view name = w[0];
  bool ok = false;
  if (name == "ioremap") {
    IoremapOp o;
    ok = parse_range_op(f, &o, err);
    *op = o;
  } else if (name == "ioremap_page_range") {
    IoremapPageRangeOp o;
    ok = parse_range_op(f, &o, err);
    *op = o;
  } else if (name == "vmap_page_range") {
    VmapPageRangeOp o;
    ok = parse_range_op(f, &o, err);
    *op = o;
  } else if (name == "iounmap") {
    IounmapOp o;
    ok = f.number("va", &o.va, err);
    *op = o;
  } else if (name == "vunmap_range") {
    VunmapRangeOp o;
    ok = f.number("va", &o.va, err) && f.number("size", &o.size, err);
    *op = o;
  } else if (name == "fail_alloc") {
    FailAllocOp o;
    u64 nth = 0;
    ok = f.number("nth", &nth, err);
    if (ok && nth > 0xffff) {
      *err = "nth too large";
      return false;
    }
    o.nth = static_cast<unsigned>(nth);
    *op = o;
  } else if (name == "vmalloc") {
    VmallocOp o;
    ok = f.number("va", &o.va, err) && f.number("size", &o.size, err) &&
         f.flag("huge", &o.huge, err) && f.prot(&o.prot, err);
    *op = o;
  } else if (name == "vmap") {
    VmapOp o;
    ok = f.number("va", &o.va, err) && f.prot(&o.prot, err) && f.runs(&o.runs, err);
    *op = std::move(o);
  } else if (name == "vfree") {
    VfreeOp o;
    ok = f.number("va", &o.va, err);
    *op = o;
  } else if (name == "vunmap") {
    VunmapOp o;
    ok = f.number("va", &o.va, err);
    *op = o;
  } else if (name == "fail_page_alloc") {
    u64 nth = 0, min_order = 0, times = 1;
    ok = f.number("nth", &nth, err) && f.number("min_order", &min_order, err) &&
         f.number_or("times", 1, &times, err);
    if (ok && (nth > 0xffff || min_order > 63 || times > 0xffff)) {
      *err = "nth, min_order or times too large";
      return false;
    }
    *op = FailPageAllocOp{static_cast<unsigned>(nth), static_cast<unsigned>(min_order),
                          static_cast<unsigned>(times)};
  } else {
    *err = "unknown op '" + std::string(name) + "'";
    return false;
  }
  return ok && f.done(err);
}

bool parse_config(const std::vector<std::string_view>& w, engine::KernelConfig* cfg,
                  std::string* err) {
  for (std::size_t i = 1; i < w.size(); ++i) {
    bool* flag = nullptr;
    std::string_view v;
    if (w[i].starts_with("nohugeiomap=")) {
      flag = &cfg->nohugeiomap;
      v = w[i].substr(12);
    } else if (w[i].starts_with("nohugevmalloc=")) {
      flag = &cfg->nohugevmalloc;
      v = w[i].substr(14);
    } else {
      *err = "unknown config '" + std::string(w[i]) + "'";
      return false;
    }
    if (v != "0" && v != "1") {
      *err = "config values are 0 or 1";
      return false;
    }
    *flag = v == "1";
  }
  return true;
}

}  // namespace

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
       " nohugevmalloc=" + std::string(t.config.nohugevmalloc ? "1" : "0") + "\n";
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
  bool have_magic = false, have_geo = false, have_variant = false, have_config = false;
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
      if (!t.geo) return fail("unknown geometry '" + std::string(w[1]) + "'");
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
      if (!parse_config(w, &t.config, &e)) return fail(e);
      have_config = true;
    } else {
      Op op;
      if (!parse_op(w, &op, &e)) return fail(e);
      t.ops.push_back(op);
    }
  }
  if (!have_magic) return fail("empty input");
  if (!have_geo) return fail("missing 'geometry' line");
  if (!have_variant) return fail("missing 'variant' line");
  *out = std::move(t);
  return true;
}

bool looks_like_text(std::span<const std::uint8_t> data) {
  const std::string_view head(reinterpret_cast<const char*>(data.data()),
                              std::min(data.size(), kTraceMagic.size()));
  return head == kTraceMagic;
}

}  // namespace vmapfuzz::harness
