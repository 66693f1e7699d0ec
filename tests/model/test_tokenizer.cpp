// Tokenizer tests on a tiny byte-level vocabulary (tiny_vocab.h): the
// pre-tokenizer split, BPE merge order, special tokens, round trips, the
// chat template and errors.
#include <catch2/catch.hpp>
#include <random>

#include "gguf_writer.h"
#include "kiln/model/gguf.h"
#include "kiln/model/tokenizer.h"
#include "tiny_vocab.h"

using namespace kiln::model;
using namespace kiln::model::test;
using Catch::Matchers::Contains;
using Pieces = std::vector<std::string>;

namespace {

const char* const kSmolTemplate =
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
    "Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
    "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

Tokenizer tiny(const std::string& pre = "smollm") {
  TokenizerConfig c = tiny_config(tiny_merges());
  c.pre = pre;
  c.chat_template = kSmolTemplate;
  return Tokenizer(c);
}

std::vector<std::string> texts(const Tokenizer& t, const std::vector<int32_t>& ids) {
  std::vector<std::string> out;
  for (int32_t id : ids) out.push_back(t.token_text(id));
  return out;
}

}  // namespace

TEST_CASE("pre-tokenizer split (smollm: GPT-2 pattern, digits isolated)", "[tokenizer]") {
  const Tokenizer t = tiny();
  CHECK(t.pretokenize("Hello world") == Pieces{"Hello", " world"});
  CHECK(t.pretokenize("I'm here, they'll go") == Pieces{"I", "'m", " here", ",", " they", "'ll", " go"});
  CHECK(t.pretokenize("a  b") == Pieces{"a", " ", " b"});
  CHECK(t.pretokenize("a\n\nb") == Pieces{"a", "\n", "\n", "b"});
  CHECK(t.pretokenize("end  ") == Pieces{"end", "  "});
  CHECK(t.pretokenize("  lead") == Pieces{" ", " lead"});
  CHECK(t.pretokenize("x 123") == Pieces{"x", " ", "1", "2", "3"});
  CHECK(t.pretokenize("v2.0") == Pieces{"v", "2", ".", "0"});
  CHECK(t.pretokenize("hello!!! ok") == Pieces{"hello", "!!!", " ok"});
  CHECK(t.pretokenize("Привет мир") == Pieces{"Привет", " мир"});
  CHECK(t.pretokenize("日本語です") == Pieces{"日本語です"});
  CHECK(t.pretokenize("😀 ok") == Pieces{"😀", " ok"});
  CHECK(t.pretokenize("Ωmega αβγ") == Pieces{"Ωmega", " αβγ"});
  CHECK(t.pretokenize("don'T") == Pieces{"don", "'", "T"});  // contractions are lower case only
  CHECK(t.pretokenize("tab\tx") == Pieces{"tab", "\t", "x"});
  CHECK(t.pretokenize("") == Pieces{});
  const Tokenizer g = tiny("gpt-2");
  CHECK(g.pretokenize("x 123") == Pieces{"x", " 123"});
  CHECK(g.pretokenize("v2.0") == Pieces{"v", "2", ".", "0"});
}

TEST_CASE("BPE applies merges in rank order", "[tokenizer]") {
  const Tokenizer t = tiny();
  CHECK(texts(t, t.encode("hello world")) == Pieces{"hello", "Ġworld"});
  CHECK(texts(t, t.encode("the in")) == Pieces{"t", "he", "Ġ", "in"});
  CHECK(texts(t, t.encode(" the")) == Pieces{"Ġthe"});
  // "abc" with merges "b c" (rank 0) before "a b" (rank 1) and the reverse.
  TokenizerConfig c1 = tiny_config({"b c", "a b"});
  TokenizerConfig c2 = tiny_config({"a b", "b c"});
  CHECK(texts(Tokenizer(c1), Tokenizer(c1).encode("abc")) == Pieces{"a", "bc"});
  CHECK(texts(Tokenizer(c2), Tokenizer(c2).encode("abc")) == Pieces{"ab", "c"});
  // Equal ranks: leftmost first ("aaa" -> "aa" "a").
  TokenizerConfig c3 = tiny_config({"a a"});
  CHECK(texts(Tokenizer(c3), Tokenizer(c3).encode("aaa")) == Pieces{"aa", "a"});
  CHECK(texts(Tokenizer(c3), Tokenizer(c3).encode("aaaa")) == Pieces{"aa", "aa"});
  CHECK(t.merge_rank("h", "e") == 0);
  CHECK(t.merge_rank("e", "h") == -1);
  CHECK(texts(t, t.encode("\n\n\n")) == Pieces{"ĊĊĊ"});
}

TEST_CASE("special tokens are matched before BPE", "[tokenizer]") {
  const Tokenizer t = tiny();
  const std::vector<int32_t> ids = t.encode("<|im_start|>user\nhello<|im_end|>");
  CHECK(ids.front() == 1);
  CHECK(ids.back() == 2);
  CHECK(texts(t, ids) == Pieces{"<|im_start|>", "u", "s", "e", "r", "Ċ", "hello", "<|im_end|>"});
  // Without parse_special the markup is ordinary text.
  const std::vector<int32_t> plain = t.encode("<|im_end|>", false);
  CHECK(plain.size() > 1);
  CHECK(t.decode(plain) == "<|im_end|>");
  CHECK(t.decode(ids, true) == "user\nhello");
  CHECK(t.encode("x", true, true).front() == 1);
  CHECK(t.token_type(0) == TokenType::kControl);
}

TEST_CASE("decode(encode(s)) == s", "[tokenizer]") {
  const Tokenizer t = tiny();
  const std::vector<std::string> cases = {
      "", " ", "  ", "\n", "\r\n", "Hello, world!", "hello world  ", "   leading", "a\tb\t\tc",
      "numbers 1234567890 3.14159 -42", "punct: ()[]{}<>!?.,;:'\"`~@#$%^&*_-+=|\\/",
      "it's we're they've I'm he'll she'd", "multi\n\n\nline\n \n text", "Ünïcödé façade naïve",
      "Ελληνικά και русский язык", "中文字符和日本語のテキスト", "emoji 😀👍🏽 and 👨‍👩‍👧",
      "mixed<|im_start|>in<|im_end|>text<|endoftext|>", "\x01\x02\x7f bytes", "\xff\xfe invalid utf8 \xc3",
      std::string(300, ' ') + "x", std::string(1000, 'a'), "\xe2\x80\xa8 \xc2\xa0 nbsp"};
  for (const std::string& s : cases) {
    INFO(s);
    CHECK(t.decode(t.encode(s)) == s);
    CHECK(t.decode(t.encode(s, false)) == s);
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::string s(rng() % 40, '\0');
    for (char& ch : s) ch = static_cast<char>(rng());
    CHECK(t.decode(t.encode(s)) == s);
  }
}

TEST_CASE("chat template renders ChatML with the default system prompt", "[tokenizer]") {
  const Tokenizer t = tiny();
  CHECK(t.default_system_prompt() == "You are a helpful AI assistant named SmolLM, trained by Hugging Face");
  CHECK(t.apply_chat_template({{"user", "Hi"}}) ==
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
        "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  CHECK(t.apply_chat_template({{"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello"}}, false) ==
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
        "<|im_start|>assistant\nHello<|im_end|>\n");
  CHECK(t.apply_chat_template({}) == "<|im_start|>assistant\n");
  const std::vector<int32_t> ids = t.encode_chat({{"user", "Hi"}});
  CHECK(ids.front() == 1);
  CHECK(t.decode(ids) == t.apply_chat_template({{"user", "Hi"}}));
  TokenizerConfig c = tiny_config({});
  c.chat_template = "{{ bos_token }}[INST] {{ message }} [/INST]";
  CHECK_THROWS_WITH(Tokenizer(c), Contains("chat template"));
}

TEST_CASE("from_gguf reads tokenizer metadata and reports errors", "[tokenizer]") {
  const TokenizerConfig c = tiny_config(tiny_merges());
  auto writer = [&](const std::string& model) {
    GgufWriter w;
    w.kv_string("tokenizer.ggml.model", model);
    w.kv_string("tokenizer.ggml.pre", "smollm");
    w.kv_strings("tokenizer.ggml.tokens", c.tokens);
    w.kv_strings("tokenizer.ggml.merges", c.merges);
    w.kv_i32s("tokenizer.ggml.token_type", c.token_types);
    w.kv_u32("tokenizer.ggml.bos_token_id", 1);
    w.kv_u32("tokenizer.ggml.eos_token_id", 2);
    w.kv_string("tokenizer.chat_template", kSmolTemplate);
    return w;
  };
  const Tokenizer t = Tokenizer::from_gguf(GgufFile::from_buffer(writer("gpt2").build()));
  CHECK(t.vocab_size() == c.tokens.size());
  CHECK(t.eos_id() == 2);
  CHECK(t.unk_id() == -1);
  CHECK(texts(t, t.encode("hello world")) == Pieces{"hello", "Ġworld"});
  CHECK_THROWS_WITH(Tokenizer::from_gguf(GgufFile::from_buffer(writer("llama").build())),
                    Contains("only 'gpt2'"));
  GgufWriter bad = writer("gpt2");
  bad.kv_u32("tokenizer.ggml.padding_token_id", 1u << 20);
  CHECK_THROWS_WITH(Tokenizer::from_gguf(GgufFile::from_buffer(bad.build())), Contains("padding token id"));
  GgufWriter none;
  none.kv_string("tokenizer.ggml.model", "gpt2");
  CHECK_THROWS_WITH(Tokenizer::from_gguf(GgufFile::from_buffer(none.build())),
                    Contains("tokenizer.ggml.tokens") && Contains("missing"));
  TokenizerConfig p = tiny_config({});
  p.pre = "qwen2";
  CHECK_THROWS_WITH(Tokenizer(p), Contains("'qwen2'"));
  TokenizerConfig m = tiny_config({"ab"});
  CHECK_THROWS_WITH(Tokenizer(m), Contains("merge 0"));
  CHECK_THROWS_AS(t.decode({-1}), TokenizerError);
  CHECK_THROWS_AS(t.token_text(100000), TokenizerError);
}
