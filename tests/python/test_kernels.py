"""Every SDK kernel through the bindings, against numpy (kiln.reference) with
the a-priori error bounds of docs/sdk.md, or exactly where the result is exact."""
import numpy as np
import pytest

import kiln
from kiln import reference as ref

U = 2.0 ** -24


def bf16(x):
    return kiln.to_bf16(np.asarray(x, np.float32))


@pytest.mark.parametrize("m, k, n", [(1, 16, 16), (33, 70, 45), (130, 260, 20)])
def test_gemm_bf16_fp32(dev, rng, m, k, n):
    a, b = bf16(rng.standard_normal((m, k))), bf16(rng.standard_normal((k, n)))
    c = kiln.gemm(dev, dev.upload(a, "bf16"), dev.upload(b, "bf16"))
    assert c.dtype == "fp32" and c.shape == (m, n)
    want, bound = ref.gemm(a, b)
    assert np.all(np.abs(c.download() - want) <= bound + 1e-30)


def test_gemm_bf16_out_and_transposed(dev, rng):
    a, b = bf16(rng.standard_normal((20, 48))), bf16(rng.standard_normal((48, 24)))
    da, db, dbt = dev.upload(a, "bf16"), dev.upload(b, "bf16"), dev.upload(b.T, "bf16")
    c32 = kiln.gemm(dev, da, db).download()
    c16 = kiln.gemm(dev, da, db, out_dtype="bf16")
    assert c16.dtype == "bf16"
    # BF16 output = the FP32 accumulator rounded once (WRITEBACK, RNE).
    assert np.array_equal(c16.download(), kiln.to_bf16(c32))
    assert np.array_equal(kiln.gemm(dev, da, dbt, b_transposed=True).download(), c32)


def test_gemm_exact_on_small_integers(dev, rng):
    a = rng.integers(-8, 8, (40, 64)).astype(np.float32)
    b = rng.integers(-8, 8, (64, 30)).astype(np.float32)
    c = kiln.gemm(dev, dev.upload(a, "bf16"), dev.upload(b, "bf16")).download()
    assert np.array_equal(c, a @ b)


def test_gemm_int8(dev, rng):
    a = rng.integers(-128, 128, (17, 50), dtype=np.int8)
    b = rng.integers(-128, 128, (50, 19), dtype=np.int8)
    c = kiln.gemm(dev, dev.upload(a), dev.upload(b))
    assert c.dtype == "int32"
    assert np.array_equal(c.download(), a.astype(np.int32) @ b.astype(np.int32))


@pytest.mark.parametrize("out_dtype", ["fp32", "bf16"])
def test_rmsnorm(dev, rng, out_dtype):
    t, h, eps = 12, 96, 1e-5
    x = (rng.standard_normal((t, h)) * 3).astype(np.float32)
    w = bf16(rng.uniform(0.5, 1.5, (1, h)))
    got = kiln.rmsnorm(dev, dev.upload(x), dev.upload(w, "bf16"), eps, out_dtype=out_dtype).download()
    want = ref.rmsnorm(x, w, eps)
    rel = (h / 16 + 5.5) * U + 2.0 ** -23.3 + (2.0 ** -8 if out_dtype == "bf16" else 0)
    assert np.all(np.abs(got - want) <= rel * np.abs(want) + 1e-30)


@pytest.mark.parametrize("out_dtype", ["fp32", "bf16"])
def test_softmax(dev, rng, out_dtype):
    r, c = 9, 300
    x = (rng.standard_normal((r, c)) * 4).astype(np.float32)
    got = kiln.softmax(dev, dev.upload(x), out_dtype=out_dtype).download()
    want = ref.softmax(x)
    span = (x.max(axis=1) - x.min(axis=1))[:, None]
    rel = span * U + 2.0 ** -21 + 2.0 ** -23 + (c / 8 + 4) * U + (2.0 ** -8 if out_dtype == "bf16" else 0)
    assert np.all(np.abs(got - want) <= rel * want + 1e-30)


def test_residual_add_exact_and_in_place(dev, rng):
    a = rng.standard_normal((7, 50)).astype(np.float32)
    b = rng.standard_normal((7, 50)).astype(np.float32)
    da, db = dev.upload(a), dev.upload(b)
    assert np.array_equal(kiln.residual_add(dev, da, db).download(), a + b)
    kiln.residual_add(dev, da, db, out=da)
    assert np.array_equal(da.download(), a + b)


def test_argmax_first_maximum(dev, rng):
    x = rng.standard_normal((6, 1000)).astype(np.float32)
    x[1, [10, 500]] = 50.0  # tie: the first index wins
    x[2, :] = 0.0
    x[3, -1] = 99.0
    out = kiln.argmax(dev, dev.upload(x))
    assert out.shape == (6, 1) and out.dtype == "int32"
    assert out.download()[:, 0].tolist() == np.argmax(x, axis=1).tolist()


def test_embedding(dev, rng):
    table = bf16(rng.standard_normal((50, 40)))
    ids = [3, 4, 5, 49, 0, 3]
    got = kiln.embedding(dev, dev.upload(table, "bf16"), np.array(ids))
    assert got.dtype == "fp32" and np.array_equal(got.download(), table[ids])


def test_rope(dev, rng):
    head_dim, heads, t, pos0, theta = 32, 3, 5, 7, 10000.0
    table = kiln.make_rope_table(dev, 16, head_dim, theta)
    assert (table.max_pos, table.head_dim) == (16, head_dim)
    x = bf16(rng.standard_normal((t, heads * head_dim)))
    got = kiln.rope(dev, table, dev.upload(x, "bf16"), pos0).download()
    want = ref.rope(x, pos0, head_dim, theta)
    pair = np.repeat(np.hypot(x[:, 0::2], x[:, 1::2]), 2, axis=1)
    assert np.all(np.abs(got - want) <= 2.0 ** -8 * np.abs(want) + 5 * U * pair + 1e-30)


def test_mlp(dev, rng):
    t, hidden, f = 6, 64, 96
    x = bf16(rng.standard_normal((t, hidden)))
    wg, wu = bf16(rng.standard_normal((f, hidden)) / 8), bf16(rng.standard_normal((f, hidden)) / 8)
    wd = bf16(rng.standard_normal((hidden, f)) / 8)
    got = kiln.mlp(dev, *(dev.upload(m, "bf16") for m in (x, wg, wu, wd))).download()
    want = ref.mlp(x, wg, wu, wd)
    # First-order bound: h rounded to BF16 (2^-8) plus the FP32 sums into g, u and out.
    x64 = x.astype(np.float64)
    g, u = x64 @ wg.T, x64 @ wu.T
    eg, eu = hidden * U * (np.abs(x64) @ np.abs(wg.T)), hidden * U * (np.abs(x64) @ np.abs(wu.T))
    s = 1 / (1 + np.exp(-g))
    hv = g * s * u
    eh = 2.0 ** -8 * np.abs(hv) + np.abs((s + g * s * (1 - s)) * u) * eg + np.abs(g * s) * eu
    bound = 1.05 * (eh @ np.abs(wd.T) + f * U * (np.abs(hv) @ np.abs(wd.T))) + 1e-30
    assert np.all(np.abs(got - want) <= bound)


def test_attention_prefill_then_decode(dev, rng):
    s = kiln.AttentionShape(n_heads=4, n_kv_heads=2, head_dim=32)
    cache = kiln.KvCache(dev, s, 24)
    assert (cache.max_len, cache.n_kv_heads, cache.head_dim) == (24, 2, 32)
    keys, values, pos = [], [], 0
    for t in (17, 1, 1):
        q = bf16(rng.standard_normal((t, 128)))
        k, v = bf16(rng.standard_normal((t, 64))), bf16(rng.standard_normal((t, 64)))
        out = kiln.attention(dev, s, dev.upload(q, "bf16"), dev.upload(k, "bf16"), dev.upload(v, "bf16"),
                             cache, pos)
        keys.append(k), values.append(v)
        want, bound = ref.attention(q, np.vstack(keys), np.vstack(values), 4, 2, 32, pos)
        assert np.all(np.abs(out.download() - want) <= bound), f"step at pos {pos}"
        pos += t
    # The cache holds the keys: head h's rows at h*max_len.
    kc = cache.k.download()
    allk = np.vstack(keys)
    assert np.array_equal(kc[0:pos], allk[:, 0:32]) and np.array_equal(kc[24:24 + pos], allk[:, 32:64])


def layer_reference(x, w, cfg, cos_theta):
    """A Llama layer in FP64 (no intermediate roundings)."""
    n1 = ref.rmsnorm(x, w["attn_norm"], cfg.rms_eps)
    q = ref.rope(n1 @ w["wq"].T, 0, cfg.head_dim, cos_theta)
    k = ref.rope(n1 @ w["wk"].T, 0, cfg.head_dim, cos_theta)
    v = n1 @ w["wv"].T
    a, _ = ref.attention(q, k, v, cfg.n_heads, cfg.n_kv_heads, cfg.head_dim, 0)
    x = x + a @ w["wo"].T
    n2 = ref.rmsnorm(x, w["ffn_norm"], cfg.rms_eps)
    return x + ref.mlp(n2, w["w_gate"], w["w_up"], w["w_down"])


def test_decoder_layer(dev, rng):
    cfg = kiln.LlamaConfig(hidden=64, n_heads=4, n_kv_heads=2, head_dim=16, ffn=128)
    t, qd, kd = 10, 64, 32
    shapes = {"attn_norm": (1, 64), "wq": (qd, 64), "wk": (kd, 64), "wv": (kd, 64), "wo": (64, qd),
              "ffn_norm": (1, 64), "w_gate": (128, 64), "w_up": (128, 64), "w_down": (64, 128)}
    host = {n: bf16(rng.standard_normal(s) / (1 if "norm" in n else np.sqrt(s[1]))) for n, s in shapes.items()}
    host["attn_norm"] = host["attn_norm"] + np.float32(1)
    host["ffn_norm"] = host["ffn_norm"] + np.float32(1)
    weights = kiln.LlamaLayerWeights(**{n: dev.upload(m, "fp32" if "norm" in n else "bf16")
                                        for n, m in host.items()})
    table = kiln.make_rope_table(dev, t, cfg.head_dim, cfg.rope_theta)
    cache = kiln.KvCache(dev, kiln.AttentionShape(cfg.n_heads, cfg.n_kv_heads, cfg.head_dim), t)
    x = rng.standard_normal((t, 64)).astype(np.float32)
    dx = dev.upload(x)
    assert kiln.decoder_layer(dev, cfg, weights, table, cache, 0, dx) is dx
    got = dx.download()
    want = layer_reference(x.astype(np.float64), host, cfg, cfg.rope_theta)
    # BF16 GEMM inputs at several points: a few percent of the update's size.
    delta = np.abs(want - x).max()
    assert np.abs(got - want).max() <= 0.03 * delta


def test_command_buffer_batches_kernels(dev, rng):
    x = (rng.standard_normal((4, 64))).astype(np.float32)
    w = dev.upload(np.ones((1, 64)), "fp32")
    dx, n, p, best = dev.upload(x), dev.matrix(4, 64), dev.matrix(4, 64), dev.matrix(4, 1, "int32")
    cb = kiln.CommandBuffer(dev)
    assert cb.rmsnorm(dx, w, 1e-5, n).softmax(n, p).argmax(p, best) is cb
    assert len(cb) > 3 and len(cb.data()) == 64 * len(cb)
    before = dev.counters()
    fence = dev.submit(cb)
    dev.wait(fence)
    after = dev.counters()
    assert after["vu_busy_cycles"] > before["vu_busy_cycles"]
    # One entry per DMA channel; the channels add up to the totals.
    assert len(after["dma_ch_read_bytes"]) == len(after["dma_ch_stall_cycles"]) >= 1
    assert sum(after["dma_ch_read_bytes"]) == after["dma_read_bytes"]
    assert sum(after["dma_ch_write_bytes"]) == after["dma_write_bytes"]
    assert after["vu_stall_cycles"] >= before["vu_stall_cycles"]
    assert best.download()[:, 0].tolist() == np.argmax(x, axis=1).tolist()
    np.testing.assert_allclose(p.download().sum(axis=1), 1.0, rtol=1e-5)
    cb.reset()
    assert len(cb) == 0
    dev.run(cb.cmd_barrier().cmd_nop())


def test_counters_and_time(dev):
    a = dev.upload(np.ones((32, 32)), "bf16")
    c0, t0, n0 = dev.counters(), dev.now_ns(), dev.npu_cycles()
    kiln.gemm(dev, a, a)
    c1 = dev.counters()
    assert c1["macs"] - c0["macs"] >= 32 * 32 * 32
    assert dev.now_ns() > t0 and dev.npu_cycles() > n0
