// Byte-level BPE (GPT-2 scheme). Text is split by the pre-tokenizer; each
// piece's bytes are mapped to printable code points (the GPT-2 byte<->unicode
// table, so a vocab string never contains a raw space or control byte); the
// piece then starts as one symbol per byte and adjacent symbols are merged,
// lowest merge rank first (leftmost on ties), until no adjacent pair has a
// merge. Decoding maps the code points back to bytes.
#include "kiln/model/tokenizer.h"

#include <algorithm>
#include <array>
#include <queue>

#include "kiln/model/gguf.h"
#include "pretokenize.h"

namespace kiln::model {

namespace {

// GPT-2's table: printable Latin-1 bytes map to themselves, the other 68 bytes
// (controls, space, DEL, NBSP, soft hyphen...) to U+0100.. in byte order.
struct ByteTable {
  std::array<uint32_t, 256> to_cp{};
  std::array<int16_t, 512> to_byte{};  // every mapped code point is < 0x144
  std::array<std::string, 256> utf8;
  ByteTable() {
    to_byte.fill(-1);
    uint32_t next = 256;
    for (uint32_t b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      to_cp[b] = printable ? b : next++;
      to_byte[to_cp[b]] = static_cast<int16_t>(b);
      detail::append_utf8(utf8[b], to_cp[b]);
    }
  }
};
const ByteTable& bytes() {
  static const ByteTable t;
  return t;
}

// The default system prompt of a ChatML template: the text of a literal
// "<|im_start|>system\n...<|im_end|>" in the template source (SmolLM2 emits
// it when the first message is not a system message). Empty when absent.
std::string find_default_system(const std::string& tmpl) {
  const std::string open = "<|im_start|>system";
  const size_t at = tmpl.find(open);
  if (at == std::string::npos) return {};
  size_t p = at + open.size();
  if (tmpl.compare(p, 1, "\n") == 0) p += 1;
  else if (tmpl.compare(p, 2, "\\n") == 0) p += 2;  // escape left in a Jinja literal
  else return {};  // "system" followed by something else: not a literal prompt
  const size_t end = tmpl.find("<|im_end|>", p);
  if (end == std::string::npos) return {};
  std::string raw = tmpl.substr(p, end - p), out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size() && raw[i + 1] == 'n') { out += '\n'; ++i; }
    else out += raw[i];
  }
  return out;
}

}  // namespace

Tokenizer::Tokenizer(TokenizerConfig cfg)
    : tokens_(std::move(cfg.tokens)), types_(std::move(cfg.token_types)), pre_(std::move(cfg.pre)),
      bos_(cfg.bos_id), eos_(cfg.eos_id), unk_(cfg.unk_id), pad_(cfg.pad_id), add_bos_(cfg.add_bos) {
  if (tokens_.empty()) throw TokenizerError("tokenizer: empty vocabulary");
  if (tokens_.size() > 0x7FFFFFFF) throw TokenizerError("tokenizer: vocabulary too large");
  if (!types_.empty() && types_.size() != tokens_.size())
    throw TokenizerError("tokenizer: token_type has " + std::to_string(types_.size()) +
                         " entries for " + std::to_string(tokens_.size()) + " tokens");
  if (pre_ == "smollm") split_digits_ = true;
  else if (pre_ == "gpt-2" || pre_ == "gpt2" || pre_ == "default" || pre_.empty()) split_digits_ = false;
  else throw TokenizerError("tokenizer: unsupported pre-tokenizer '" + pre_ + "' (supported: smollm, gpt-2, default)");
  const std::pair<const char*, int32_t> special_ids[] = {
      {"bos", bos_}, {"eos", eos_}, {"unknown", unk_}, {"padding", pad_}};
  for (const auto& [what, id] : special_ids)
    if (id < -1 || id >= static_cast<int64_t>(tokens_.size()))
      throw TokenizerError(std::string("tokenizer: ") + what + " token id " + std::to_string(id) +
                           " outside the vocabulary of " + std::to_string(tokens_.size()));

  ids_.reserve(tokens_.size());
  for (size_t i = 0; i < tokens_.size(); ++i) {
    ids_.emplace(tokens_[i], static_cast<int32_t>(i));  // a duplicate keeps its first id
    const TokenType t = token_type(static_cast<int32_t>(i));
    if ((t == TokenType::kControl || t == TokenType::kUserDefined) && !tokens_[i].empty())
      specials_.push_back(static_cast<int32_t>(i));
  }
  // Longest first, so that a special token containing another one wins.
  std::stable_sort(specials_.begin(), specials_.end(), [&](int32_t a, int32_t b) {
    return tokens_[a].size() > tokens_[b].size();
  });

  ranks_.reserve(cfg.merges.size());
  for (size_t r = 0; r < cfg.merges.size(); ++r) {
    const std::string& m = cfg.merges[r];
    const size_t sp = m.find(' ');
    if (sp == std::string::npos || sp == 0 || sp + 1 == m.size() || m.find(' ', sp + 1) != std::string::npos)
      throw TokenizerError("tokenizer: merge " + std::to_string(r) + " '" + m +
                           "' is not two symbols separated by one space");
    ranks_.emplace(m, static_cast<int32_t>(r));  // a repeated merge keeps its best rank
  }

  default_system_ = find_default_system(cfg.chat_template);
  if (!cfg.chat_template.empty() && cfg.chat_template.find("<|im_start|>") == std::string::npos)
    throw TokenizerError("tokenizer: unsupported chat template (only ChatML, <|im_start|>role ... <|im_end|>)");
}

Tokenizer Tokenizer::from_gguf(const GgufFile& f) {
  try {
    const std::string model = f.get_string("tokenizer.ggml.model");
    if (model != "gpt2")
      throw TokenizerError("tokenizer: '" + f.path() + "': tokenizer.ggml.model is '" + model +
                           "', only 'gpt2' (byte-level BPE) is supported");
    TokenizerConfig c;
    c.tokens = f.get_string_array("tokenizer.ggml.tokens");
    c.merges = f.get_string_array("tokenizer.ggml.merges");
    if (f.has("tokenizer.ggml.token_type")) {
      for (int64_t t : f.get_int_array("tokenizer.ggml.token_type")) c.token_types.push_back(static_cast<int32_t>(t));
    }
    c.pre = f.get_string_or("tokenizer.ggml.pre", "default");
    auto id = [&](const char* key) -> int32_t {
      if (!f.has(key)) return -1;
      const int64_t v = f.get_i64(key);
      if (v < 0 || v > 0x7FFFFFFF)
        throw TokenizerError("tokenizer: '" + f.path() + "': " + key + " = " + std::to_string(v) + " is not a token id");
      return static_cast<int32_t>(v);
    };
    c.bos_id = id("tokenizer.ggml.bos_token_id");
    c.eos_id = id("tokenizer.ggml.eos_token_id");
    c.unk_id = id("tokenizer.ggml.unknown_token_id");
    c.pad_id = id("tokenizer.ggml.padding_token_id");
    c.add_bos = f.get_bool_or("tokenizer.ggml.add_bos_token", false);
    c.chat_template = f.get_string_or("tokenizer.chat_template", "");
    return Tokenizer(std::move(c));
  } catch (const GgufError& e) {
    throw TokenizerError(std::string("tokenizer: ") + e.what());
  }
}

void Tokenizer::check_id(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= tokens_.size())
    throw TokenizerError("tokenizer: token id " + std::to_string(id) + " outside the vocabulary of " +
                         std::to_string(tokens_.size()));
}

const std::string& Tokenizer::token_text(int32_t id) const {
  check_id(id);
  return tokens_[id];
}

int32_t Tokenizer::token_id(std::string_view text) const {
  auto it = ids_.find(std::string(text));
  return it == ids_.end() ? -1 : it->second;
}

TokenType Tokenizer::token_type(int32_t id) const {
  check_id(id);
  return types_.empty() ? TokenType::kNormal : static_cast<TokenType>(types_[id]);
}

int32_t Tokenizer::merge_rank(std::string_view left, std::string_view right) const {
  std::string key;
  key.reserve(left.size() + right.size() + 1);
  key.append(left).append(1, ' ').append(right);
  auto it = ranks_.find(key);
  return it == ranks_.end() ? -1 : it->second;
}

std::vector<std::string> Tokenizer::pretokenize(std::string_view text) const {
  return detail::pretokenize(text, split_digits_);
}

void Tokenizer::encode_piece(const std::string& piece, std::vector<int32_t>& out) const {
  // Symbols are byte ranges of the mapped string, in a doubly linked list.
  std::string mapped;
  struct Sym { size_t start, len; int prev, next; };
  std::vector<Sym> syms;
  for (unsigned char b : piece) {
    const std::string& u = bytes().utf8[b];
    syms.push_back({mapped.size(), u.size(), static_cast<int>(syms.size()) - 1,
                    static_cast<int>(syms.size()) + 1});
    mapped += u;
  }
  if (syms.empty()) return;
  syms.back().next = -1;

  // Candidate merges; an entry is stale once either side has changed, which
  // the recorded combined length detects (symbols only ever grow).
  struct Cand { int32_t rank; int left, right; size_t len; };
  auto later = [](const Cand& a, const Cand& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
  };
  std::priority_queue<Cand, std::vector<Cand>, decltype(later)> queue(later);
  auto push = [&](int l, int r) {
    if (l < 0 || r < 0) return;
    const int32_t rank = merge_rank(std::string_view(mapped).substr(syms[l].start, syms[l].len),
                                    std::string_view(mapped).substr(syms[r].start, syms[r].len));
    if (rank >= 0) queue.push({rank, l, r, syms[l].len + syms[r].len});
  };
  for (size_t i = 0; i + 1 < syms.size(); ++i) push(static_cast<int>(i), static_cast<int>(i) + 1);
  while (!queue.empty()) {
    const Cand c = queue.top();
    queue.pop();
    Sym& l = syms[c.left];
    if (l.len == 0 || l.next != c.right || syms[c.right].len == 0 || l.len + syms[c.right].len != c.len)
      continue;
    Sym& r = syms[c.right];
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) syms[r.next].prev = c.left;
    push(l.prev, c.left);
    push(c.left, l.next);
  }

  for (int i = 0; i >= 0; i = syms[i].next) {
    const std::string sym = mapped.substr(syms[i].start, syms[i].len);
    auto it = ids_.find(sym);
    if (it != ids_.end()) {
      out.push_back(it->second);
      continue;
    }
    // No token for the merged symbol (an inconsistent vocab): fall back to
    // one token per byte, which a byte-level vocab always has.
    for (size_t k = 0; k < syms[i].len;) {
      const size_t at = syms[i].start + k;
      const size_t ulen = (static_cast<unsigned char>(mapped[at]) < 0x80) ? 1 : 2;
      auto bt = ids_.find(mapped.substr(at, ulen));
      if (bt != ids_.end()) out.push_back(bt->second);
      else if (unk_ >= 0) out.push_back(unk_);
      else throw TokenizerError("tokenizer: no token for the byte symbol '" + mapped.substr(at, ulen) +
                                "' and no unknown token");
      k += ulen;
    }
  }
}

void Tokenizer::encode_plain(std::string_view text, std::vector<int32_t>& out) const {
  for (const std::string& piece : detail::pretokenize(text, split_digits_)) encode_piece(piece, out);
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool parse_special, bool add_bos) const {
  std::vector<int32_t> out;
  if (add_bos) {
    if (bos_ < 0) throw TokenizerError("tokenizer: add_bos requested but the model has no BOS token");
    out.push_back(bos_);
  }
  if (!parse_special || specials_.empty()) {
    encode_plain(text, out);
    return out;
  }
  std::array<bool, 256> first{};  // first bytes of special tokens: a cheap pre-check
  for (int32_t id : specials_) first[static_cast<unsigned char>(tokens_[id][0])] = true;
  size_t seg = 0, pos = 0;
  while (pos < text.size()) {
    int32_t hit = -1;
    if (first[static_cast<unsigned char>(text[pos])]) {
      for (int32_t id : specials_) {
        if (text.compare(pos, tokens_[id].size(), tokens_[id]) == 0) { hit = id; break; }
      }
    }
    if (hit < 0) { ++pos; continue; }
    encode_plain(text.substr(seg, pos - seg), out);
    out.push_back(hit);
    pos += tokens_[hit].size();
    seg = pos;
  }
  encode_plain(text.substr(seg), out);
  return out;
}

std::string Tokenizer::token_bytes(int32_t id) const {
  const std::string& t = token_text(id);
  const TokenType type = token_type(id);
  if (type == TokenType::kControl || type == TokenType::kUserDefined) return t;  // literal text
  std::string out;
  for (const detail::CodePoint& c : detail::decode_utf8(t)) {
    if (c.cp < bytes().to_byte.size() && bytes().to_byte[c.cp] >= 0)
      out += static_cast<char>(bytes().to_byte[c.cp]);
    else
      out.append(t, c.offset, c.len);  // outside the byte table: keep as written
  }
  return out;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special) const {
  std::string out;
  for (int32_t id : ids) {
    if (skip_special && token_type(id) == TokenType::kControl) continue;
    out += token_bytes(id);
  }
  return out;
}

std::string Tokenizer::apply_chat_template(const std::vector<ChatMessage>& messages,
                                           bool add_generation_prompt) const {
  std::string out;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i == 0 && messages[0].role != "system" && !default_system_.empty())
      out += "<|im_start|>system\n" + default_system_ + "<|im_end|>\n";
    out += "<|im_start|>" + messages[i].role + "\n" + messages[i].content + "<|im_end|>\n";
  }
  if (add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

std::vector<int32_t> Tokenizer::encode_chat(const std::vector<ChatMessage>& messages,
                                            bool add_generation_prompt) const {
  return encode(apply_chat_template(messages, add_generation_prompt), true, add_bos_);
}

}  // namespace kiln::model
