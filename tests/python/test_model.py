"""GgufFile on generated files; Tokenizer and LlamaModel on the real SmolLM2
model (skipped when scripts/fetch_model.sh has not cached it)."""
import gguf
import numpy as np
import pytest

import kiln

MODEL = kiln.find_model()
needs_model = pytest.mark.skipif(MODEL is None, reason="no model file (scripts/fetch_model.sh or KILN_MODEL)")


@pytest.fixture(scope="module")
def small_gguf(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("gguf") / "small.gguf")
    w = gguf.GGUFWriter(path, "llama")
    w.add_uint32("test.u32", 7)
    w.add_int32("test.i32", -3)
    w.add_float32("test.f32", 1.5)
    w.add_bool("test.flag", True)
    w.add_string("test.name", "kiln \u2713")
    w.add_array("test.ints", [1, 2, 3])
    w.add_array("test.strs", ["a", "bc"])
    w.add_tensor("w", np.arange(12, dtype=np.float32).reshape(3, 4))
    w.add_tensor("h", np.array([[1.0, -2.5, 65504.0, 2.0 ** -24]], dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def test_gguf_metadata(small_gguf):
    f = kiln.GgufFile(small_gguf)
    assert f.version == 3 and f.path == small_gguf and f.alignment == 32
    assert f["general.architecture"] == "llama"
    assert (f["test.u32"], f["test.i32"], f["test.f32"], f["test.flag"]) == (7, -3, 1.5, True)
    assert f["test.name"] == "kiln \u2713"
    assert f["test.ints"] == [1, 2, 3] and f["test.strs"] == ["a", "bc"]
    assert "test.u32" in f and "nope" not in f and f.get("nope", 5) == 5
    with pytest.raises(KeyError):
        f["nope"]
    assert f.keys()[0] == "general.architecture"
    assert f.metadata()["test.u32"] == 7


def test_gguf_tensors(small_gguf):
    f = kiln.GgufFile(small_gguf)
    infos = {t["name"]: t for t in f.tensors()}
    assert infos["w"]["shape"] == (4, 3) and infos["w"]["type_name"] == "F32"
    assert infos["h"]["type_name"] == "F16" and infos["h"]["n_bytes"] == 8
    assert f.has_tensor("w") and not f.has_tensor("x")
    w = f.dequantize("w")
    assert w.dtype == np.float32 and np.array_equal(w, np.arange(12, dtype=np.float32).reshape(3, 4))
    assert f.dequantize("h").tolist() == [[1.0, -2.5, 65504.0, 2.0 ** -24]]
    assert np.array_equal(f.dequantize("h", "bf16"), kiln.bf16_bits(f.dequantize("h")))
    assert len(f.raw_bytes("w")) == 48
    with pytest.raises(kiln.GgufError, match="x"):
        f.tensor("x")
    with pytest.raises(kiln.Error, match="dtype"):
        f.dequantize("w", "fp16")


def test_gguf_from_bytes_and_corruption(small_gguf):
    data = open(small_gguf, "rb").read()
    assert kiln.GgufFile.from_bytes(data, "mem")["test.u32"] == 7
    with pytest.raises(kiln.GgufError) as info:
        kiln.GgufFile.from_bytes(data[:100], "cut")
    assert "cut" in str(info.value) and info.value.status is None


# ---- the real model -----------------------------------------------------------

@pytest.fixture(scope="module")
def model_file():
    return kiln.GgufFile(MODEL)


@pytest.fixture(scope="module")
def tok(model_file):
    return kiln.Tokenizer(model_file)


@needs_model
def test_tokenizer(tok):
    assert (tok.vocab_size, tok.bos_id, tok.eos_id) == (49152, 1, 2)
    assert tok.encode("Hello, world!") == [19556, tok.token_id(","), 905, tok.token_id("!")]
    for s in ["Hello, world!", "Ünïcödé 中文 😀", "<|im_start|>user\nhi<|im_end|>\n", "  spaces\t\n"]:
        assert tok.decode(tok.encode(s)) == s
    assert tok.encode("<|im_start|>", parse_special=False) != [1]
    assert tok.decode_bytes(tok.encode("\xe9")) == "\xe9".encode()
    assert tok.token_bytes(19556) == b"Hello"
    chat = [{"role": "user", "content": "What is the capital of France?"}]
    text = tok.apply_chat_template(chat)
    assert text.startswith("<|im_start|>system\n" + tok.default_system_prompt)
    assert text.endswith("<|im_start|>assistant\n")
    ids = tok.encode_chat(chat)
    assert ids[0] == 1 and ids.count(1) == 3 and tok.decode(ids) == text
    assert tok.encode_chat([("user", "What is the capital of France?")]) == ids
    with pytest.raises(kiln.Error, match="role"):
        tok.encode_chat([{"content": "no role"}])


@needs_model
def test_llama_model_generates(dev, model_file, tok):
    hp = kiln.llama_hparams(model_file)
    assert (hp.n_layers, hp.layer.hidden, hp.vocab, hp.tied_output) == (30, 576, 49152, True)
    prompt = tok.encode_chat([{"role": "user", "content": "What is the capital of France?"}])
    progress = []
    model = kiln.LlamaModel(dev, model_file, max_ctx=len(prompt) + 6,
                            progress=lambda done, total, name: progress.append((done, total, name)))
    assert progress[-1][0] == progress[-1][1]
    assert "token_embd.weight" in {name for _, _, name in progress}
    assert model.max_ctx == len(prompt) + 6 and model.position == 0

    logits = model.forward(prompt)
    assert logits.shape == (49152,) and logits.dtype == np.float32 and np.isfinite(logits).all()
    assert model.last_argmax == int(np.argmax(logits))
    assert model.position == len(prompt)
    stats = model.last_stats
    assert stats["tokens"] == len(prompt) and stats["device_ns"] > 0
    assert stats["submissions"] >= 1 and stats["commands"] > 0

    model.reset()
    ids = list(kiln.greedy_generate(model, prompt, 6, stop_ids=[tok.eos_id]))
    assert ids[0] == int(np.argmax(logits))  # same prompt after reset: same first token
    answer = tok.decode(ids)
    assert "Paris" in answer, answer

    with pytest.raises(kiln.Error, match="no tokens"):
        model.forward([])
    with pytest.raises(kiln.Error, match="outside the vocabulary"):
        model.forward([49152])
    with pytest.raises(kiln.Error, match="exceed the context") as info:
        model.forward([1] * 7)
    assert info.value.status == kiln.Status.INVALID_ARGUMENT
