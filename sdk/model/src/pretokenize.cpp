// Hand-written matcher for the GPT-2 pre-tokenizer pattern: std::regex has no
// \p{L} / \p{N}, so each alternative is matched directly on decoded code
// points, trying them in the pattern's order as a backtracking regex would.
#include "pretokenize.h"

#include <algorithm>

namespace kiln::model::detail {

namespace {

struct CodeRange {
  uint32_t lo, hi;
};
#include "unicode_tables.inc"

template <size_t N>
bool in_ranges(const CodeRange (&table)[N], uint32_t cp) {
  // First range whose upper end is >= cp; the tables are sorted and disjoint.
  const CodeRange* it = std::lower_bound(std::begin(table), std::end(table), cp,
                                         [](const CodeRange& r, uint32_t c) { return r.hi < c; });
  return it != std::end(table) && it->lo <= cp;
}

}  // namespace

std::vector<CodePoint> decode_utf8(std::string_view s) {
  std::vector<CodePoint> out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const uint8_t b = p[i];
    uint32_t cp = kInvalidCodePoint;
    uint32_t len = 1;
    uint32_t need = 0, min = 0;
    if (b < 0x80) { cp = b; }
    else if ((b & 0xE0) == 0xC0) { need = 1; cp = b & 0x1Fu; min = 0x80; }
    else if ((b & 0xF0) == 0xE0) { need = 2; cp = b & 0x0Fu; min = 0x800; }
    else if ((b & 0xF8) == 0xF0) { need = 3; cp = b & 0x07u; min = 0x10000; }
    if (need) {
      bool ok = i + need < n;  // the continuation bytes are inside the input
      for (uint32_t k = 1; ok && k <= need; ++k) {
        if ((p[i + k] & 0xC0) != 0x80) ok = false;
        else cp = (cp << 6) | (p[i + k] & 0x3Fu);
      }
      if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
      if (ok) len = need + 1;
      else cp = kInvalidCodePoint;
    }
    out.push_back({cp, i, len});
    i += len;
  }
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_letter(uint32_t cp) {
  if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  return cp != kInvalidCodePoint && in_ranges(kLetterRanges, cp);
}

bool is_number(uint32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  return cp != kInvalidCodePoint && in_ranges(kNumberRanges, cp);
}

bool is_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

namespace {

bool is_other(uint32_t cp) { return !is_space(cp) && !is_letter(cp) && !is_number(cp); }

// Length in code points of the match of the GPT-2 pattern at cps[i] (i < n).
size_t match_at(const std::vector<CodePoint>& c, size_t i, size_t n) {
  auto cp = [&](size_t k) { return c[k].cp; };
  // 's 't 'm 'd 're 've 'll (ASCII apostrophe, lower case only, as in GPT-2).
  if (cp(i) == '\'' && i + 1 < n) {
    const uint32_t a = cp(i + 1);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (i + 2 < n) {
      const uint32_t b = cp(i + 2);
      if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    }
  }
  // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: optional ASCII space, then a run.
  const size_t j = cp(i) == ' ' ? i + 1 : i;
  if (j < n) {
    for (bool (*cls)(uint32_t) : {is_letter, is_number, is_other}) {
      if (!cls(cp(j))) continue;
      size_t k = j + 1;
      while (k < n && cls(cp(k))) ++k;
      return k - i;
    }
  }
  // `\s+(?!\S)` then `\s+`: a whitespace run; if text follows it, the last
  // space is left to start the next piece (" word"), unless the run is one
  // character long, in which case `\s+` takes it alone.
  size_t k = i;
  while (k < n && is_space(cp(k))) ++k;
  if (k == i) return 1;  // unreachable: every code point is in one class
  if (k == n || k - i == 1) return k - i;
  return k - i - 1;
}

void split_gpt2(std::string_view text, const std::vector<CodePoint>& c, size_t b, size_t e,
                std::vector<std::string>& out) {
  size_t i = b;
  while (i < e) {
    // The slice [b, e) is the whole subject string: e acts as end of input.
    const size_t len = match_at(c, i, e);
    const size_t start = c[i].offset;
    const size_t end = c[i + len - 1].offset + c[i + len - 1].len;
    out.emplace_back(text.substr(start, end - start));
    i += len;
  }
}

}  // namespace

std::vector<std::string> pretokenize(std::string_view text, bool split_digits) {
  const std::vector<CodePoint> c = decode_utf8(text);
  std::vector<std::string> out;
  if (!split_digits) {
    split_gpt2(text, c, 0, c.size(), out);
    return out;
  }
  // Digits pre-tokenizer (individual digits): every \p{N} is its own piece,
  // and the runs between them are split by the GPT-2 pattern independently.
  size_t run = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    if (!is_number(c[i].cp)) continue;
    split_gpt2(text, c, run, i, out);
    out.emplace_back(text.substr(c[i].offset, c[i].len));
    run = i + 1;
  }
  split_gpt2(text, c, run, c.size(), out);
  return out;
}

}  // namespace kiln::model::detail
