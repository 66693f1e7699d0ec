// Internal: UTF-8 decoding, the Unicode classes the pre-tokenizer needs, and
// the pre-tokenizer split itself (docs/model.md, "Pre-tokenizer").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::model::detail {

// A byte that does not start a valid UTF-8 sequence decodes to this value,
// one byte long: it is then "other" (not a letter, number or space), so
// invalid input still splits and round-trips byte for byte.
constexpr uint32_t kInvalidCodePoint = 0xFFFFFFFFu;

struct CodePoint {
  uint32_t cp;
  size_t offset;  // byte offset in the input
  uint32_t len;   // bytes
};
std::vector<CodePoint> decode_utf8(std::string_view s);
void append_utf8(std::string& out, uint32_t cp);

bool is_letter(uint32_t cp);  // \p{L}
bool is_number(uint32_t cp);  // \p{N}
bool is_space(uint32_t cp);   // \s (Unicode White_Space)

// GPT-2's pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// applied as find-all over the text; with split_digits every \p{N} code point
// is first isolated into its own piece (the "smollm" pre-tokenizer).
std::vector<std::string> pretokenize(std::string_view text, bool split_digits);

}  // namespace kiln::model::detail
