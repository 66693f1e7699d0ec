// Bounded fuzz test of the GGUF parser and the tokenizer constructor: 20000
// mutated variants (bit flips, truncations, huge length fields, byte
// insertions/deletions) of a small generated GGUF, under a fixed seed. Each
// variant must parse or throw GgufError / TokenizerError: no crash, no hang,
// no other exception. Build it with -fsanitize=address,undefined to also
// catch out-of-bounds reads (docs/model.md).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>

#include "gguf_writer.h"
#include "kiln/model/gguf.h"
#include "kiln/model/tokenizer.h"
#include "tiny_vocab.h"

using namespace kiln::model;
using namespace kiln::model::test;

namespace {

std::vector<uint8_t> seed_file() {
  const TokenizerConfig c = tiny_config(tiny_merges());
  GgufWriter w;
  w.kv_string("general.architecture", "llama");
  w.kv_u32("llama.block_count", 2);
  w.kv_f32("llama.rope.freq_base", 10000.0f);
  w.kv_bool("tokenizer.ggml.add_bos_token", false);
  w.kv_string("tokenizer.ggml.model", "gpt2");
  w.kv_string("tokenizer.ggml.pre", "smollm");
  // A shortened vocab keeps the file small, so mutations hit every region.
  w.kv_strings("tokenizer.ggml.tokens", std::vector<std::string>(c.tokens.begin(), c.tokens.begin() + 40));
  w.kv_strings("tokenizer.ggml.merges", {"h e", "l l"});
  w.kv_i32s("tokenizer.ggml.token_type", std::vector<int32_t>(c.token_types.begin(), c.token_types.begin() + 40));
  w.kv_u32("tokenizer.ggml.eos_token_id", 2);
  w.kv_u32("tokenizer.ggml.unknown_token_id", 0);  // bytes outside the short vocab map to it
  w.kv_string("tokenizer.chat_template", "<|im_start|>system\nhi<|im_end|>");
  w.tensor("f32", {4, 2}, 0, f32_bytes({1, 2, 3, 4, 5, 6, 7, 8}));
  w.tensor("q4_0", {32}, 2, std::vector<uint8_t>(18, 0x5A));
  w.tensor("q6_k", {256}, 14, std::vector<uint8_t>(210, 0x33));
  w.tensor("q8_0", {32, 1}, 8, std::vector<uint8_t>(34, 0x81));
  return w.build();
}

void mutate(std::vector<uint8_t>& b, std::mt19937_64& rng) {
  static const uint64_t kHuge[] = {~0ull, 1ull << 63, 1ull << 62, 1ull << 32, 0xFFFFFFFFull,
                                   0x7FFFFFFFFFFFFFFFull, 4096, 0};
  const int n_mut = 1 + static_cast<int>(rng() % 3);
  for (int m = 0; m < n_mut && !b.empty(); ++m) {
    switch (rng() % 6) {
      case 0:  // bit flips
      case 1:
        for (int k = 1 + static_cast<int>(rng() % 8); k > 0; --k) b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 2:  // truncation
        b.resize(rng() % b.size());
        break;
      case 3: {  // a length/count/offset field set to something huge
        if (b.size() < 8) break;
        const uint64_t v = kHuge[rng() % (sizeof(kHuge) / sizeof(kHuge[0]))];
        std::memcpy(b.data() + rng() % (b.size() - 7), &v, rng() % 2 ? 8 : 4);
        break;
      }
      case 4:  // insert bytes
        b.insert(b.begin() + static_cast<long>(rng() % b.size()), 1 + rng() % 16, static_cast<uint8_t>(rng()));
        break;
      case 5: {  // delete bytes
        const size_t at = rng() % b.size();
        const size_t len = std::min<size_t>(b.size() - at, 1 + rng() % 16);
        b.erase(b.begin() + static_cast<long>(at), b.begin() + static_cast<long>(at + len));
        break;
      }
    }
  }
}

}  // namespace

TEST_CASE("fuzzed GGUF files parse or throw GgufError", "[fuzz]") {
  const std::vector<uint8_t> seed = seed_file();
  {
    const GgufFile f = GgufFile::from_buffer(seed);  // the seed itself is valid
    REQUIRE(f.tensors().size() == 4);
    for (const GgufTensor& t : f.tensors()) REQUIRE_NOTHROW(f.dequantize_bf16(t));
    REQUIRE_NOTHROW(Tokenizer::from_gguf(f));
  }
  // Fixed seed ("kiln") and count; KILN_FUZZ_SEED / KILN_FUZZ_ITERS widen a local run.
  const char* env_seed = std::getenv("KILN_FUZZ_SEED");
  const char* env_iters = std::getenv("KILN_FUZZ_ITERS");
  std::mt19937_64 rng(env_seed ? std::strtoull(env_seed, nullptr, 0) : 0x6b696c6eull);
  const int iters = env_iters ? std::atoi(env_iters) : 20000;
  const auto start = std::chrono::steady_clock::now();
  int parsed = 0, gguf_errors = 0, tok_errors = 0;
  for (int i = 0; i < iters; ++i) {
    std::vector<uint8_t> b = seed;
    mutate(b, rng);
    try {
      const GgufFile f = GgufFile::from_buffer(b, "fuzz");
      ++parsed;
      for (const GgufTensor& t : f.tensors()) {
        try {
          (void)f.dequantize_bf16(t);
        } catch (const GgufError&) {
        }
      }
      try {
        const Tokenizer tok = Tokenizer::from_gguf(f);
        const std::vector<int32_t> ids = tok.encode("hello <|im_end|> 12 \xff");
        (void)tok.decode(ids);
        (void)tok.apply_chat_template({{"user", "x"}});
      } catch (const TokenizerError&) {
        ++tok_errors;
      }
    } catch (const GgufError&) {
      ++gguf_errors;
    } catch (const std::exception& e) {
      FAIL("variant " << i << ": unexpected exception: " << e.what());
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN(iters << " variants: " << parsed << " parsed, " << gguf_errors << " GgufError, " << tok_errors
                          << " TokenizerError, " << secs << " s");
  CHECK(parsed > 0);
  CHECK(gguf_errors > 0);
}
