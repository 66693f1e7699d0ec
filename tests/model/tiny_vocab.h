// A small but complete byte-level BPE vocabulary for the tests: three
// control tokens, all 256 byte symbols, and a few merges, so any input can
// be encoded and decoded.
#pragma once

#include <string>
#include <vector>

#include "kiln/model/tokenizer.h"

namespace kiln::model::test {

// GPT-2's byte -> code point table, written independently of the library:
// bytes '!'..'~', 0xA1..0xAC and 0xAE..0xFF keep their value, the others get
// 0x100, 0x101, ... in increasing byte order.
inline std::string byte_symbol(int b) {
  static std::vector<std::string> table = [] {
    std::vector<std::string> t(256);
    int extra = 0;
    for (int i = 0; i < 256; ++i) {
      const bool keep = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE);
      const int cp = keep ? i : 0x100 + extra++;
      std::string s;
      if (cp < 0x80) {
        s += static_cast<char>(cp);
      } else {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
      }
      t[i] = s;
    }
    return t;
  }();
  return table[static_cast<unsigned char>(b)];
}

inline std::string mapped(const std::string& text) {
  std::string out;
  for (unsigned char c : text) out += byte_symbol(c);
  return out;
}

inline TokenizerConfig tiny_config(const std::vector<std::string>& merges) {
  TokenizerConfig c;
  c.tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  c.token_types = {3, 3, 3};
  for (int b = 0; b < 256; ++b) {
    c.tokens.push_back(byte_symbol(b));
    c.token_types.push_back(1);
  }
  c.merges = merges;
  for (const std::string& m : merges) {  // every merge result is a token
    const size_t sp = m.find(' ');
    c.tokens.push_back(m.substr(0, sp) + m.substr(sp + 1));
    c.token_types.push_back(1);
  }
  c.bos_id = 1;
  c.eos_id = 2;
  c.unk_id = 0;
  c.pad_id = 2;
  c.pre = "smollm";
  return c;
}

inline std::vector<std::string> tiny_merges() {
  return {"h e", "l l", "he ll", "hell o", "Ġ w", "Ġw o", "r l", "Ġwo rl", "Ġworl d",
          "Ġ t", "Ġt he", "i n", "Ġ Ġ", "ĠĠ Ġ", "ĊĊ Ċ", "Ċ Ċ"};
}

}  // namespace kiln::model::test
