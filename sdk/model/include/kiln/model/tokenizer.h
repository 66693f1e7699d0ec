// GPT-2 style byte-level BPE tokenizer built from GGUF metadata
// (docs/model.md): special-token matching, the pre-tokenizer split, BPE by
// merge rank, decoding through the GPT-2 byte<->unicode table, and the ChatML
// chat template of SmolLM2-Instruct.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kiln::model {

class GgufFile;

class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// tokenizer.ggml.token_type values (llama.cpp's numbering).
enum class TokenType : int32_t {
  kUndefined = 0, kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4,
  kUnused = 5, kByte = 6,
};

struct ChatMessage {
  std::string role;     // "system", "user", "assistant"
  std::string content;
};

struct TokenizerConfig {
  std::vector<std::string> tokens;   // vocab strings, byte-mapped (e.g. "Ġthe")
  std::vector<std::string> merges;   // "left right", rank = index
  std::vector<int32_t> token_types;  // empty: every token normal
  std::string pre = "smollm";        // tokenizer.ggml.pre
  int32_t bos_id = -1, eos_id = -1, unk_id = -1, pad_id = -1;
  bool add_bos = false;
  std::string chat_template;         // Jinja source; empty: ChatML without default system prompt
};

class Tokenizer {
 public:
  explicit Tokenizer(TokenizerConfig cfg);
  // Reads tokenizer.ggml.* and tokenizer.chat_template. Throws TokenizerError
  // (naming the key) when the model is not "gpt2", the pre-tokenizer is not
  // supported, or the arrays are inconsistent.
  static Tokenizer from_gguf(const GgufFile& f);

  // Control and user-defined tokens written literally in `text` become their
  // ids when parse_special is true; everything else is split and BPE-encoded.
  // A BOS is prepended when add_bos is true (see bos_id()).
  std::vector<int32_t> encode(std::string_view text, bool parse_special = true,
                              bool add_bos = false) const;
  // Exact inverse of encode for any input (the bytes of every token are
  // concatenated). skip_special drops control tokens.
  std::string decode(const std::vector<int32_t>& ids, bool skip_special = false) const;
  std::string token_bytes(int32_t id) const;  // the bytes a token stands for

  // ChatML as SmolLM2-Instruct's template renders it: a default system
  // message first if the conversation does not start with one, then
  // "<|im_start|>role\ncontent<|im_end|>\n" per message, then
  // "<|im_start|>assistant\n" when add_generation_prompt.
  std::string apply_chat_template(const std::vector<ChatMessage>& messages,
                                  bool add_generation_prompt = true) const;
  std::vector<int32_t> encode_chat(const std::vector<ChatMessage>& messages,
                                   bool add_generation_prompt = true) const;
  const std::string& default_system_prompt() const { return default_system_; }

  // The pre-tokenizer's pieces of a span without special tokens (for tests and tools).
  std::vector<std::string> pretokenize(std::string_view text) const;

  size_t vocab_size() const { return tokens_.size(); }
  const std::string& token_text(int32_t id) const;  // the vocab string
  int32_t token_id(std::string_view text) const;    // -1 if not in the vocab
  TokenType token_type(int32_t id) const;
  int32_t merge_rank(std::string_view left, std::string_view right) const;  // -1 if none
  int32_t bos_id() const { return bos_; }
  int32_t eos_id() const { return eos_; }
  int32_t unk_id() const { return unk_; }
  int32_t pad_id() const { return pad_; }
  bool add_bos_default() const { return add_bos_; }
  const std::string& pre() const { return pre_; }

 private:
  void check_id(int32_t id) const;
  void encode_piece(const std::string& piece, std::vector<int32_t>& out) const;
  void encode_plain(std::string_view text, std::vector<int32_t>& out) const;

  std::vector<std::string> tokens_;
  std::vector<int32_t> types_;
  std::unordered_map<std::string, int32_t> ids_;
  std::unordered_map<std::string, int32_t> ranks_;  // key "left right"
  std::vector<int32_t> specials_;                   // matched before BPE, longest first
  std::string pre_;
  bool split_digits_ = true;
  int32_t bos_, eos_, unk_, pad_;
  bool add_bos_;
  std::string default_system_;
};

}  // namespace kiln::model
