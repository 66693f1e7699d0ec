// Tests on the real SmolLM2-135M-Instruct Q4_1 GGUF. The file is found via
// $KILN_MODEL or ${KILN_CACHE:-$HOME/.cache/kiln}/models/; when absent the
// program prints why and exits 77, which ctest reports as skipped.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "kiln/model/gguf.h"
#include "kiln/model/tokenizer.h"

using namespace kiln::model;

namespace {

std::string g_model;

std::string find_model() {
  if (const char* p = std::getenv("KILN_MODEL"); p && *p) return p;
  std::string cache;
  if (const char* c = std::getenv("KILN_CACHE"); c && *c) cache = c;
  else if (const char* h = std::getenv("HOME"); h && *h) cache = std::string(h) + "/.cache/kiln";
  else return {};
  return cache + "/models/SmolLM2-135M-Instruct.Q4_1.gguf";
}

const GgufFile& model() {
  static const GgufFile f = GgufFile::open(g_model);
  return f;
}
const Tokenizer& tok() {
  static const Tokenizer t = Tokenizer::from_gguf(model());
  return t;
}

// BPE's final state: no two adjacent tokens of one pre-token piece have a merge.
void check_bpe_structure(const std::string& text) {
  const Tokenizer& t = tok();
  for (const std::string& piece : t.pretokenize(text)) {
    const std::vector<int32_t> ids = t.encode(piece, false);
    std::string joined;
    for (int32_t id : ids) joined += t.token_bytes(id);
    INFO("piece '" << piece << "'");
    CHECK(joined == piece);
    for (size_t i = 0; i + 1 < ids.size(); ++i)
      CHECK(t.merge_rank(t.token_text(ids[i]), t.token_text(ids[i + 1])) == -1);
  }
}

}  // namespace

TEST_CASE("metadata and tensor table", "[real]") {
  const GgufFile& f = model();
  CHECK(f.version() == 3);
  CHECK(f.get_string("general.architecture") == "llama");
  CHECK(f.get_u32("llama.block_count") == 30);
  CHECK(f.get_u32("llama.embedding_length") == 576);
  CHECK(f.get_u32("llama.attention.head_count") == 9);
  CHECK(f.get_u32("llama.attention.head_count_kv") == 3);
  CHECK(f.get_f32("llama.rope.freq_base") == 100000.0f);
  CHECK(f.tensors().size() == 272);
  const GgufTensor& e = f.tensor("token_embd.weight");
  CHECK(e.shape == std::vector<uint64_t>{576, 49152});
  CHECK(e.type == static_cast<uint32_t>(TensorType::kQ8_0));
  CHECK(f.tensor("blk.0.attn_q.weight").type == static_cast<uint32_t>(TensorType::kQ4_1));
  CHECK(f.tensor("blk.29.attn_norm.weight").type == static_cast<uint32_t>(TensorType::kF32));
}

TEST_CASE("dequantized weights are finite and plausible", "[real]") {
  const GgufFile& f = model();
  for (const char* name : {"blk.0.attn_norm.weight", "blk.0.attn_q.weight", "blk.0.ffn_down.weight",
                           "blk.29.attn_v.weight", "output_norm.weight"}) {
    INFO(name);
    const std::vector<float> w = f.dequantize_f32(f.tensor(name));
    double sum_sq = 0;
    bool finite = true;
    for (float v : w) {
      finite = finite && std::isfinite(v);
      sum_sq += static_cast<double>(v) * v;
    }
    CHECK(finite);
    const double rms = std::sqrt(sum_sq / static_cast<double>(w.size()));
    CHECK(rms > 1e-3);
    CHECK(rms < 10.0);
  }
  // The embedding row of token 0 equals its Q8_0 blocks decoded by hand.
  const GgufTensor& e = f.tensor("token_embd.weight");
  const std::vector<uint16_t> bf = f.dequantize_bf16(e);
  CHECK(bf.size() == 576u * 49152u);
  const uint8_t* blk = e.data;
  const float d = fp16_to_fp32(static_cast<uint16_t>(blk[0] | (blk[1] << 8)));
  const std::vector<float> f32 = f.dequantize_f32(e);
  for (int j = 0; j < 32; ++j) CHECK(f32[j] == static_cast<float>(static_cast<int8_t>(blk[2 + j])) * d);
}

TEST_CASE("tokenizer metadata and known ids", "[real]") {
  const Tokenizer& t = tok();
  CHECK(t.pre() == "smollm");
  CHECK(t.vocab_size() == 49152);
  CHECK(t.bos_id() == 1);
  CHECK(t.eos_id() == 2);
  CHECK(t.token_text(1) == "<|im_start|>");
  CHECK(t.token_text(2) == "<|im_end|>");
  CHECK_FALSE(t.add_bos_default());
  // Whole words present in the vocab come out as one token.
  CHECK(t.encode("Hello") == std::vector<int32_t>{t.token_id("Hello")});
  CHECK(t.token_id("Hello") == 19556);
  CHECK(t.encode("Hello, world!") ==
        std::vector<int32_t>{19556, t.token_id(","), t.token_id("Ġworld"), t.token_id("!")});
  CHECK(t.token_id("Ġworld") == 905);
  // Digits are single tokens each, the space before them too.
  CHECK(t.encode("2024") == std::vector<int32_t>{t.token_id("2"), t.token_id("0"), t.token_id("2"), t.token_id("4")});
  CHECK(t.encode("<|im_start|>user") == std::vector<int32_t>{1, t.token_id("user")});
}

TEST_CASE("round trips and BPE structure on the real vocab", "[real]") {
  const Tokenizer& t = tok();
  const std::vector<std::string> cases = {
      "Hello, world!", "The quick brown fox jumps over the lazy dog.", "  two leading spaces",
      "tabs\tand\nnewlines\n\n\nand trailing   ", "Numbers: 3.14159, 2024, -42, 1e10",
      "It's, they're, we've, I'm, she'll, he'd", "def f(x):\n    return x ** 2  # comment\n",
      "Ünïcödé façade naïve café", "Ελληνικά, русский, 中文, 日本語, 한국어", "emoji 😀👍🏽 👨‍👩‍👧 🚀!",
      "<|im_start|>user\nWhat is 2+2?<|im_end|>\n", "\x01\x7f raw bytes \xc3",
      std::string(200, ' '), std::string(500, 'z')};
  for (const std::string& s : cases) {
    INFO(s);
    CHECK(t.decode(t.encode(s)) == s);
    if (s.find("<|") == std::string::npos) check_bpe_structure(s);
  }
  // 21 byte symbols are not in SmolLM2's vocab (0x04, 0x06, 0x13, 0x14, 0x16,
  // 0x1D, 0xC0, 0xC1, 0xF1-0xFF: bytes that never occur in its training text);
  // they encode to the unknown token, id 0.
  CHECK(t.encode("\xff") == std::vector<int32_t>{0});
  CHECK(t.encode("a\x04") == std::vector<int32_t>{t.token_id("a"), 0});
}

TEST_CASE("chat template from the file", "[real]") {
  const Tokenizer& t = tok();
  CHECK(t.default_system_prompt() == "You are a helpful AI assistant named SmolLM, trained by Hugging Face");
  const std::string chat = t.apply_chat_template({{"user", "What is the capital of France?"}});
  CHECK(chat ==
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
        "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n");
  const std::vector<int32_t> ids = t.encode_chat({{"user", "What is the capital of France?"}});
  CHECK(ids.front() == 1);
  CHECK(std::count(ids.begin(), ids.end(), 1) == 3);
  CHECK(std::count(ids.begin(), ids.end(), 2) == 2);
  CHECK(t.decode(ids) == chat);
  CHECK(t.decode(ids, true).find("<|im_start|>") == std::string::npos);
}

int main(int argc, char** argv) {
  g_model = find_model();
  if (g_model.empty() || !std::ifstream(g_model).good()) {
    std::printf("SKIP: model file not found (set KILN_MODEL or run scripts/fetch_model.sh): %s\n",
                g_model.c_str());
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
