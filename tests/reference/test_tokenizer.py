"""The reference's byte-level BPE tokenizer (cosim/reference/bpe_tokenizer.py)."""
import bpe_tokenizer

ROUND_TRIP = [
    "What is the capital of France?",
    "Hello, world!  Two  spaces, trailing spaces   ",
    "\n\nnew\tlines\r\n and tabs\t\t",
    "I'm sure they'll say we've done it; you'd know. DON'T SHOUT",
    "Numbers: 3.14159, 2024-11-21, 1,000,000 and x=y+1;",
    "Unicode: café naïve Ünïcödé — “quotes” 日本語 中文 한국어 Ελληνικά русский",
    "Emoji: 🚀🔥 👩‍💻 and symbols ∑∫√ ©®™",
    "def f(x):\n    return x ** 2  # comment\n",
    "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    "",
    " ",
]


def test_round_trip(tokenizer):
    for text in ROUND_TRIP:
        ids = tokenizer.encode(text)
        assert tokenizer.decode(ids) == text, (text, ids)
        # the tokenisation of decoded text is canonical: it encodes back the same
        assert tokenizer.encode(tokenizer.decode(ids)) == ids


def test_bytes_to_unicode_is_a_bijection():
    table = bpe_tokenizer.bytes_to_unicode()
    assert sorted(table) == list(range(256))
    assert len(set(table.values())) == 256
    assert table[ord(" ")] == "\u0120" and table[ord("\n")] == "\u010a"


def test_digits_are_split_one_by_one(tokenizer):
    ids = tokenizer.encode("12345")
    assert [tokenizer.tokens[i] for i in ids] == ["1", "2", "3", "4", "5"]


def test_known_tokens(tokenizer):
    assert tokenizer.encode(" Paris") == [7042]
    assert tokenizer.encode("<|im_start|>") == [1]
    assert tokenizer.encode("<|im_end|>") == [2]
    assert tokenizer.encode("<|im_start|>", parse_special=False) != [1]
    assert tokenizer.decode([1, 2], skip_special=True) == ""


def test_france_chat_prompt(tokenizer, france_ids):
    # <|im_start|>system\n ... <|im_start|>assistant\n
    assert france_ids[:3] == [1, 9690, 198]
    assert france_ids[-3:] == [1, 520, 9531, 198][-3:]
    assert tokenizer.decode(france_ids).endswith(
        "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n")
    assert len(france_ids) == 37


def test_default_system_prompt(reader):
    tmpl = reader.fields["tokenizer.chat_template"].contents()
    assert bpe_tokenizer.default_system_prompt(tmpl) == \
        "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


def test_missing_byte_symbols_become_unknown(tokenizer):
    # SmolLM2's vocab has no symbol for byte 0x04 (nor 0xC0, 0xF1-0xFF, ...):
    # such bytes encode as the unknown token <|endoftext|> (0), like llama.cpp.
    assert tokenizer.unk_id == 0
    missing = [b for b, c in bpe_tokenizer.bytes_to_unicode().items() if c not in tokenizer.vocab]
    assert 0x04 in missing and 0xC0 in missing and len(missing) == 21
    ids = tokenizer.encode("a\x04b")
    assert ids == tokenizer.encode("a") + [0] + tokenizer.encode("b")
