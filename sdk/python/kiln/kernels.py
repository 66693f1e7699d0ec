"""One-call kernels: each builds a CommandBuffer with one SDK kernel, runs it
on the device, waits, and returns the output matrix (allocated when `out` is
None). To batch several kernels into one submission use CommandBuffer's
methods of the same names and Device.run(cb).

Shapes, types and rounding are those of the C++ SDK (docs/sdk.md): a bad
operand raises kiln.Error (status INVALID_ARGUMENT) naming it.
"""
from . import _kiln
from ._kiln import CommandBuffer, Error, Matrix


def _matrix(x, kernel, name):
    if not isinstance(x, Matrix):
        # Same exception and status as the SDK's own operand checks.
        raise _invalid(f"{kernel}: {name} must be a kiln.Matrix (create one with dev.upload(array, dtype) "
                       f"or dev.matrix(rows, cols, dtype)), got {type(x).__name__}")
    return x


def _invalid(msg):
    e = Error(msg)
    e.status = Error._status_type(1)  # Status.INVALID_ARGUMENT, set by kiln/__init__.py
    e.status_name = _kiln.status_names[1]
    return e


def _run(dev, build):
    cb = CommandBuffer(dev)
    build(cb)
    dev.run(cb)


def gemm(dev, a, b, out=None, *, b_transposed=False, out_dtype=None):
    """out = a @ b. a [M][K], b [K][N] (or [N][K] with b_transposed), both bf16
    (out bf16 or fp32, default fp32) or both int8 (out int32)."""
    _matrix(a, "gemm", "a"), _matrix(b, "gemm", "b")
    if out is None:
        n = b.rows if b_transposed else b.cols
        out = dev.matrix(a.rows, n, out_dtype or ("int32" if a.dtype == "int8" else "fp32"))
    _run(dev, lambda cb: cb.gemm(a, b, _matrix(out, "gemm", "out"), b_transposed=b_transposed))
    return out


def rmsnorm(dev, x, w, eps=1e-5, out=None, *, out_dtype="fp32"):
    """out = x / sqrt(mean(x^2) + eps) * w. x fp32 [T][H]; w bf16/fp32 [1][H]."""
    _matrix(x, "rmsnorm", "x")
    out = out if out is not None else dev.matrix(x.rows, x.cols, out_dtype)
    _run(dev, lambda cb: cb.rmsnorm(x, _matrix(w, "rmsnorm", "w"), eps, _matrix(out, "rmsnorm", "out")))
    return out


def softmax(dev, x, out=None, *, out_dtype="fp32"):
    """Row softmax of x fp32 [R][C] into bf16 or fp32."""
    _matrix(x, "softmax", "x")
    out = out if out is not None else dev.matrix(x.rows, x.cols, out_dtype)
    _run(dev, lambda cb: cb.softmax(x, _matrix(out, "softmax", "out")))
    return out


def residual_add(dev, a, b, out=None):
    """out = a + b, all fp32 (out may be a)."""
    _matrix(a, "residual_add", "a")
    out = out if out is not None else dev.matrix(a.rows, a.cols, "fp32")
    _run(dev, lambda cb: cb.residual_add(a, _matrix(b, "residual_add", "b"), _matrix(out, "residual_add", "out")))
    return out


def argmax(dev, x, out=None):
    """Index of the first maximum of each row of x fp32 [R][C], as int32 [R][1]."""
    _matrix(x, "argmax", "x")
    out = out if out is not None else dev.matrix(x.rows, 1, "int32")
    _run(dev, lambda cb: cb.argmax(x, _matrix(out, "argmax", "out")))
    return out


def embedding(dev, table, ids, out=None):
    """Rows ids of table bf16 [V][H], widened to fp32 [len(ids)][H]."""
    _matrix(table, "embedding", "table")
    ids = list(ids)  # ints; the extension refuses anything else (no silent truncation)
    out = out if out is not None else dev.matrix(max(len(ids), 1), table.cols, "fp32")
    _run(dev, lambda cb: cb.embedding(table, ids, _matrix(out, "embedding", "out")))
    return out


def rope(dev, table, x, pos0=0, out=None):
    """RoPE (llama "normal" mode, adjacent pairs) of x bf16 [T][heads*head_dim]
    at positions pos0.. with a make_rope_table table; out bf16 (may be x)."""
    _matrix(x, "rope", "x")
    out = out if out is not None else dev.matrix(x.rows, x.cols, "bf16")
    _run(dev, lambda cb: cb.rope(table, x, pos0, _matrix(out, "rope", "out")))
    return out


def mlp(dev, x, w_gate, w_up, w_down, out=None):
    """SwiGLU FFN: (silu(x Wg^T) * (x Wu^T)) Wd^T. x bf16 [T][H]; w_gate, w_up
    bf16 [F][H]; w_down bf16 [H][F]; out fp32 [T][H]."""
    _matrix(x, "mlp", "x"), _matrix(w_down, "mlp", "w_down")
    out = out if out is not None else dev.matrix(x.rows, w_down.rows, "fp32")
    _run(dev, lambda cb: cb.mlp(x, w_gate, w_up, w_down, _matrix(out, "mlp", "out")))
    return out


def attention(dev, shape, q, k_new, v_new, cache, pos0, out=None):
    """Causal grouped-query attention of T new tokens at pos0..pos0+T-1: appends
    k_new/v_new (bf16 [T][kv_heads*head_dim], RoPE applied) to the KvCache,
    then softmax(q k^T / sqrt(head_dim) + mask) v. q, out bf16 [T][heads*head_dim]."""
    _matrix(q, "attention", "q")
    out = out if out is not None else dev.matrix(q.rows, q.cols, "bf16")
    _run(dev, lambda cb: cb.attention(shape, q, k_new, v_new, cache, pos0, _matrix(out, "attention", "out")))
    return out


def decoder_layer(dev, cfg, weights, rope_table, cache, pos0, x):
    """One Llama decoder layer on the residual stream x (fp32 [T][hidden]), in place."""
    _matrix(x, "decoder_layer", "x")
    _run(dev, lambda cb: cb.decoder_layer(cfg, weights, rope_table, cache, pos0, x))
    return x
