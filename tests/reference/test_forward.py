"""The FP32/FP64 reference forward pass on SmolLM2-135M-Instruct."""
import numpy as np
import pytest

# Greedy continuation of the France chat prompt, 32 tokens (docs/accuracy.md).
FRANCE_32 = [504, 3575, 282, 4649, 314, 7042, 30, 2, 198, 2, 1, 9690, 198, 2, 198, 1,
             4093, 198, 57, 5248, 3946, 288, 7198, 253, 725, 1406, 281, 260, 2342, 30, 339, 3543]
ANSWER = "The capital of France is Paris.<|im_end|>"

# FP32 vs FP64 logits: observed max |diff| ~5e-5 on logits of magnitude <= ~40.
LOGIT_ABS_TOL = 1e-3


@pytest.fixture(scope="module")
def runs8(model32, model64, france_ids):
    return model32.generate(france_ids, 8), model64.generate(france_ids, 8)


def test_fp32_and_fp64_agree(runs8):
    (ids32, l32), (ids64, l64) = runs8
    assert ids32 == ids64
    assert l32.dtype == np.float32 and l64.dtype == np.float64
    assert l32.shape == l64.shape == (8, 49152)
    diff = np.max(np.abs(l32.astype(np.float64) - l64))
    print(f"max |logit fp32 - fp64| over 8 steps: {diff:.3g}")
    assert diff < LOGIT_ABS_TOL
    # the greedy choice is not a near-tie that precision could flip
    top2 = np.sort(l64, axis=1)[:, -2:]
    assert np.all(top2[:, 1] - top2[:, 0] > 10 * LOGIT_ABS_TOL)


def test_france_answer(runs8, tokenizer):
    (ids32, _), (ids64, _) = runs8
    assert ids64 == FRANCE_32[:8]
    assert tokenizer.decode(ids64) == ANSWER
    assert "Paris" in tokenizer.decode(ids32)


def test_france_32_tokens(model32, france_ids, tokenizer):
    ids, logits = model32.generate(france_ids, 32)
    assert ids == FRANCE_32
    assert logits.shape == (32, 49152)
    assert tokenizer.decode(ids).startswith(ANSWER)


def test_kv_cache_matches_full_recompute(model64, france_ids):
    """Incremental decoding with the KV cache equals one pass over the whole
    sequence (causal mask)."""
    ids, logits = model64.generate(france_ids, 4)
    full = model64.forward(france_ids + ids[:3], model64.new_cache(len(france_ids) + 3), all_logits=True)
    np.testing.assert_allclose(full[-4:], logits, rtol=0, atol=1e-9)


def test_rope_pairing(model32, france_ids):
    """GGUF llama Q/K rows are permuted by the converter so that RoPE rotates
    adjacent pairs (llama.cpp NORM). Teacher-forced on the answer, NORM is far
    more likely than NEOX (rotate_half) pairing, which yields garbage."""
    import smollm2_ref
    neox = smollm2_ref.LlamaReference(model32.model_path, "fp32", "neox",
                                      reader=model32.reader, weights32=model32.weights32)
    seq = france_ids + FRANCE_32[:8]
    n = len(france_ids)

    def mean_logprob(m):
        lg = m.forward(seq, m.new_cache(len(seq)), all_logits=True).astype(np.float64)
        lg = lg[n - 1:-1]
        lse = np.log(np.exp(lg - lg.max(1, keepdims=True)).sum(1)) + lg.max(1)
        return float(np.mean(lg[np.arange(8), FRANCE_32[:8]] - lse))

    lp_norm, lp_neox = mean_logprob(model32), mean_logprob(neox)
    print(f"mean log-prob of the answer: norm {lp_norm:.3f}, neox {lp_neox:.3f}")
    assert lp_norm > -1.0
    assert lp_neox < lp_norm - 3
