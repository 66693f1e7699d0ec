"""gguf.quants.dequantize, as the reference uses it, checked against a small
independent decoder of the Q4_1 and Q8_0 block formats (computed in FP64)."""
import numpy as np



def dequant_q4_1(raw: np.ndarray) -> np.ndarray:
    # block of 32 weights: f16 d, f16 m, 16 bytes of 4-bit codes;
    # w[j] = (q[j] & 15) * d + m, w[j + 16] = (q[j] >> 4) * d + m
    blocks = raw.reshape(-1, 20)
    d = blocks[:, 0:2].copy().view(np.float16).astype(np.float64)
    m = blocks[:, 2:4].copy().view(np.float16).astype(np.float64)
    q = blocks[:, 4:20]
    lo = (q & 15).astype(np.float64)
    hi = (q >> 4).astype(np.float64)
    w = np.concatenate([lo, hi], axis=1) * d + m
    return w.reshape(raw.shape[0], -1)


def dequant_q8_0(raw: np.ndarray) -> np.ndarray:
    # block of 32 weights: f16 d, 32 signed bytes; w = q * d
    blocks = raw.reshape(-1, 34)
    d = blocks[:, 0:2].copy().view(np.float16).astype(np.float64)
    q = blocks[:, 2:34].copy().view(np.int8).astype(np.float64)
    return (q * d).reshape(raw.shape[0], -1)


def check(t, manual):
    from gguf.quants import dequantize
    raw = np.asarray(t.data)[:64]  # first 64 rows
    ref = manual(raw)
    got = dequantize(raw, t.tensor_type).astype(np.float64)
    assert got.shape == ref.shape
    scale = np.abs(ref).max()
    assert np.max(np.abs(got - ref)) <= 2.0 ** -22 * scale


def test_q4_1_and_q8_0(reader):
    by_name = {t.name: t for t in reader.tensors}
    assert by_name["token_embd.weight"].tensor_type.name == "Q8_0"
    check(by_name["token_embd.weight"], dequant_q8_0)
    for name in ("blk.0.attn_q.weight", "blk.0.ffn_down.weight", "blk.29.attn_k.weight"):
        assert by_name[name].tensor_type.name == "Q4_1"
        check(by_name[name], dequant_q4_1)


def test_model_metadata(reader):
    from smollm2_ref import LlamaConfig
    c = LlamaConfig(reader.fields)
    assert (c.n_layer, c.n_embd, c.n_ff, c.n_head, c.n_head_kv, c.head_dim) == (30, 576, 1536, 9, 3, 64)
    assert c.rope_base == 100000.0 and c.n_rot == 64
    assert abs(c.rms_eps - 1e-5) < 1e-12
    names = {t.name for t in reader.tensors}
    assert "output.weight" not in names  # tied: the head reuses token_embd
