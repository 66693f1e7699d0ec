"""Error mapping: every failure is a kiln.Error with the driver's status and a
message naming what was wrong; nothing crashes the interpreter."""
import contextlib

import numpy as np
import pytest

import kiln

S = kiln.Status


@contextlib.contextmanager
def raises(status, *fragments):
    """The body raises a kiln.Error with this status whose message has every fragment."""
    with pytest.raises(kiln.Error) as info:
        yield info
    e = info.value
    assert e.status == status, f"status {e.status!r}, message: {e}"
    assert e.status_name == "KILN_ERR_" + S(status).name
    for f in fragments:
        assert f in str(e), f"{f!r} not in {str(e)!r}"


def test_error_is_runtime_error_with_status(dev):
    with pytest.raises(RuntimeError) as info:
        dev.upload(np.zeros((2, 2, 2)))
    assert isinstance(info.value, kiln.Error)
    assert isinstance(info.value.status, S) and info.value.status == S.INVALID_ARGUMENT


@pytest.mark.parametrize("array, dtype, fragments", [
    (np.zeros((2, 2, 2)), "fp32", ["1-D or 2-D", "(2, 2, 2)"]),
    (np.zeros((0, 4)), "fp32", ["no elements"]),
    (np.zeros(()), "fp32", ["1-D or 2-D"]),
    (np.array([[1, 200]]), "int8", ["int8", "200", "outside [-128, 127]"]),
    (np.array([[2 ** 40]]), "int32", ["int32", "outside"]),
    (np.array([[1.5]]), "int8", ["needs integers", "float64"]),
    (np.array([["a"]]), "bf16", ["needs real numbers"]),
    (np.array([[1 + 2j]]), "fp32", ["needs real numbers", "complex"]),
    (np.array([[70000]]), "bf16", []),  # valid: a number, rounded
])
def test_upload_refusals(dev, array, dtype, fragments):
    if not fragments:
        dev.upload(array, dtype)
        return
    with raises(S.INVALID_ARGUMENT, "upload", *fragments):
        dev.upload(array, dtype)


def test_raw_bf16_needs_bit_patterns(dev):
    with raises(S.INVALID_ARGUMENT, "raw BF16"):
        dev.upload(np.array([[1.0]]), "bf16", raw=True)
    with raises(S.INVALID_ARGUMENT, "raw BF16", "65536"):
        dev.upload(np.array([[65536]]), "bf16", raw=True)


def test_bad_dtypes(dev):
    with raises(S.INVALID_ARGUMENT, "unknown dtype 'fp16'"):
        dev.matrix(2, 2, "fp16")
    with raises(S.INVALID_ARGUMENT, "float64"):
        dev.matrix(2, 2, np.float64)
    with raises(S.INVALID_ARGUMENT, "cannot infer"):
        dev.upload(np.array([["x"]]))
    with raises(S.INVALID_ARGUMENT, "no elements"):
        dev.matrix(0, 3)


def test_matrix_upload_shape(dev):
    m = dev.matrix(2, 3, "fp32")
    with raises(S.INVALID_ARGUMENT, "shape (3, 2)", "2x3 fp32"):
        m.upload(np.zeros((3, 2)))
    with raises(S.INVALID_ARGUMENT, "row_view", "3-row"):
        dev.matrix(3, 4).row_view(2, 2)


def test_gemm_shape_mismatch_names_operand(dev):
    a = dev.upload(np.ones((4, 8)), "bf16")
    b = dev.upload(np.ones((9, 4)), "bf16")
    with raises(S.INVALID_ARGUMENT, "gemm"):
        kiln.gemm(dev, a, b, dev.matrix(4, 4))
    with raises(S.INVALID_ARGUMENT, "gemm"):  # BF16 inputs cannot give INT32
        kiln.gemm(dev, a, dev.upload(np.ones((8, 4)), "bf16"), dev.matrix(4, 4, "int32"))


def test_kernel_wants_matrices(dev):
    with raises(S.INVALID_ARGUMENT, "gemm: a must be a kiln.Matrix", "ndarray"):
        kiln.gemm(dev, np.ones((2, 2)), dev.matrix(2, 2, "bf16"))
    with raises(S.INVALID_ARGUMENT, "softmax", "None"):
        kiln.CommandBuffer(dev).softmax(dev.matrix(2, 2), None)


def test_kernel_operand_checks(dev):
    x_bf16 = dev.upload(np.ones((2, 32)), "bf16")
    w = dev.upload(np.ones((1, 32)), "bf16")
    with raises(S.INVALID_ARGUMENT, "rmsnorm"):
        kiln.rmsnorm(dev, x_bf16, w)
    table = dev.upload(np.ones((10, 32)), "bf16")
    with raises(S.INVALID_ARGUMENT, "embedding", "negative"):
        kiln.embedding(dev, table, [1, -1])
    with raises(S.INVALID_ARGUMENT, "embedding"):
        kiln.embedding(dev, table, [1, 10])
    with raises(S.INVALID_ARGUMENT, "head_dim 24", "multiple of 16"):
        kiln.rope(dev, kiln.make_rope_table(dev, 4, 24, 10000.0), dev.upload(np.ones((1, 24)), "bf16"))
    with raises(S.INVALID_ARGUMENT, "make_rope_table"):
        kiln.make_rope_table(dev, 4, 15, 10000.0)


def test_attention_past_cache(dev):
    s = kiln.AttentionShape(n_heads=2, n_kv_heads=1, head_dim=16)
    cache = kiln.KvCache(dev, s, 4)
    q = dev.upload(np.ones((3, 32)), "bf16")
    kv = dev.upload(np.ones((3, 16)), "bf16")
    with raises(S.INVALID_ARGUMENT, "attention", "max_len 4"):
        kiln.attention(dev, s, q, kv, kv, cache, pos0=2)


def test_command_builder_errors(dev):
    buf = dev.alloc(4096)
    cb = kiln.CommandBuffer(dev)
    with raises(S.INVALID_ARGUMENT, "multiple of 32"):
        cb.cmd_dma(0, 0, buf.addr + 4, 0, 64, 1, 64, 64)
    with raises(S.INVALID_ARGUMENT, "unknown op 'exp2'"):
        cb.cmd_vector("exp2", 0, 1, 8, 0, 1)
    assert len(cb) == 0  # refused commands are not appended


def test_submit_checks_and_device_errors(dev):
    buf = dev.alloc(4096)
    outside = buf.addr + (1 << 40)
    cb = kiln.CommandBuffer(dev).cmd_dma(0, 0, outside, 0, 32, 1, 32, 32)
    with raises(S.OUT_OF_RANGE, "kiln_submit", "command 0 (DMA)"):
        dev.run(cb)
    # Past the driver's checks the device itself reports the bad address.
    try:
        fence = dev.submit(cb, validate=False)
        with raises(S.DEVICE, "kiln_wait", "device error"):
            dev.wait(fence)
        assert dev.device_error()["code"] != 0
        with raises(S.HALTED):
            dev.run(kiln.CommandBuffer(dev).cmd_nop())
    finally:
        dev.reset()
    dev.run(kiln.CommandBuffer(dev).cmd_nop())  # usable again after reset


def test_buffer_bounds(dev):
    buf = dev.alloc(64)
    with raises(S.INVALID_ARGUMENT, "Buffer.write"):
        buf.write(b"x" * 65)
    with raises(S.INVALID_ARGUMENT, "Buffer.read"):
        buf.read(32, offset=48)


def test_gguf_errors(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"NOTGGUF" + bytes(64))
    with pytest.raises(kiln.GgufError) as info:
        kiln.GgufFile(str(bad))
    assert info.value.status is None and "magic" in str(info.value)
    with pytest.raises(kiln.Error):
        kiln.GgufFile(str(tmp_path / "missing.gguf"))
    with pytest.raises(kiln.GgufError):
        kiln.GgufFile.from_bytes(b"GGUF\x03\x00\x00\x00")
