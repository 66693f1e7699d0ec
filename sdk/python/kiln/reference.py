"""FP64 numpy references of the SDK kernels, for checking device results.

Inputs are the values the device sees (e.g. BF16 operands as their float32
values: use kiln.to_bf16 on host data first); results are float64 without the
device's intermediate roundings. The error bounds next to each are the
a-priori ones of docs/sdk.md, with u = 2^-24 (FP32) and 2^-8 (BF16 output).
"""
import numpy as np

U32 = 2.0 ** -24
U_BF16 = 2.0 ** -8


def gemm(a, b, b_transposed=False):
    """a @ b in float64, and the FP32-accumulation bound K * u * (|a| @ |b|)."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    if b_transposed:
        b = b.T
    return a @ b, a.shape[1] * U32 * (np.abs(a) @ np.abs(b))


def rmsnorm(x, w, eps):
    x = np.asarray(x, np.float64)
    r = 1.0 / np.sqrt(np.mean(x * x, axis=1, keepdims=True) + eps)
    return x * r * np.asarray(w, np.float64).reshape(1, -1)


def softmax(x):
    x = np.asarray(x, np.float64)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def rope(x, pos0, head_dim, theta):
    """llama "normal" RoPE: pairs (x[2i], x[2i+1]) of each head rotated by
    pos * theta^(-2i/head_dim), pos = pos0 + row."""
    x = np.asarray(x, np.float64)
    t, width = x.shape
    pos = (pos0 + np.arange(t, dtype=np.float64))[:, None]
    inv = float(theta) ** (-2.0 * np.arange(head_dim // 2) / head_dim)
    ang = np.tile(pos * inv[None, :], (1, width // head_dim))
    c, s = np.cos(ang), np.sin(ang)
    x0, x1 = x[:, 0::2], x[:, 1::2]
    out = np.empty_like(x)
    out[:, 0::2] = x0 * c - x1 * s
    out[:, 1::2] = x0 * s + x1 * c
    return out


def silu(x):
    return x / (1.0 + np.exp(-x))


def mlp(x, w_gate, w_up, w_down):
    """SwiGLU FFN with GGUF-layout weights ([out][in])."""
    x = np.asarray(x, np.float64)
    h = silu(x @ np.asarray(w_gate, np.float64).T) * (x @ np.asarray(w_up, np.float64).T)
    return h @ np.asarray(w_down, np.float64).T


def attention(q, k, v, n_heads, n_kv_heads, head_dim, pos0):
    """Causal GQA of the T rows of q at positions pos0.. over keys/values
    k, v [pos0+T][n_kv_heads*head_dim] (every position so far).

    Returns (out, bound): bound is the test's a-priori error bound
    1.05 * 2^-8 * (sum_j p_j |v_j| / l + |out|) (P and the output are BF16)."""
    q = np.asarray(q, np.float64)
    k = np.asarray(k, np.float64)
    v = np.asarray(v, np.float64)
    t = q.shape[0]
    group = n_heads // n_kv_heads
    out = np.zeros((t, n_heads * head_dim))
    mag = np.zeros_like(out)
    for h in range(n_heads):
        kv = h // group
        qs = q[:, h * head_dim:(h + 1) * head_dim]
        ks = k[:, kv * head_dim:(kv + 1) * head_dim]
        vs = v[:, kv * head_dim:(kv + 1) * head_dim]
        s = qs @ ks.T / np.sqrt(head_dim)
        causal = np.arange(ks.shape[0])[None, :] > (pos0 + np.arange(t))[:, None]
        s[causal] = -np.inf
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        out[:, h * head_dim:(h + 1) * head_dim] = p @ vs
        mag[:, h * head_dim:(h + 1) * head_dim] = p @ np.abs(vs)
    return out, 1.05 * U_BF16 * (mag + np.abs(out)) + 1e-30
