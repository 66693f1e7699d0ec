"""Round trips host -> device -> host for every dtype, and the BF16 rounding."""
import numpy as np
import pytest

import kiln


def rne_bf16_bits(x):
    """Independent numpy BF16 rounding (docs/numerics.md): RNE, denormals to
    signed zero, NaN to 0x7FC0, overflow to Inf."""
    b = np.asarray(x, np.float32).reshape(-1).view(np.uint32).astype(np.uint64)
    exp = (b >> 23) & 0xFF
    sign = (b >> 16) & 0x8000
    rounded = (b + 0x7FFF + ((b >> 16) & 1)) >> 16
    out = np.where(exp == 0, sign, rounded)
    nan = (exp == 0xFF) & ((b & 0x7FFFFF) != 0)
    out = np.where(nan, 0x7FC0, out)
    return out.astype(np.uint16).reshape(np.shape(x))


SPECIALS = np.array([0.0, -0.0, 1.0, -1.5, 1e-40, -1e-40, 1.17549435e-38, 3.4e38, -3.4e38,
                     np.inf, -np.inf, np.nan, 1.00390625, 1.01171875, 65504.0, 2.0 ** -126],
                    dtype=np.float32)


def test_bf16_rounding_matches_reference(rng):
    x = np.concatenate([SPECIALS, rng.standard_normal(4000).astype(np.float32) * 100,
                        rng.integers(0, 2 ** 32, 4000, dtype=np.uint64).astype(np.uint32).view(np.float32)])
    assert np.array_equal(kiln.bf16_bits(x), rne_bf16_bits(x))
    widened = kiln.bf16_to_float(kiln.bf16_bits(x))
    assert np.array_equal(widened.view(np.uint32), kiln.bf16_bits(x).astype(np.uint32) << 16)
    assert np.array_equal(kiln.to_bf16(x).view(np.uint32), widened.view(np.uint32))
    assert kiln.bf16_bits(np.float32(1.00390625)) == 0x3F80  # tie -> even
    assert kiln.bf16_bits(np.float32(1.01171875)) == 0x3F82  # tie -> even (up)


@pytest.mark.parametrize("shape", [(1, 1), (3, 77), (17, 16), (100, 33)])
def test_bf16_round_trip(dev, rng, shape):
    x = rng.standard_normal(shape).astype(np.float32)
    m = dev.upload(x, "bf16")
    assert (m.rows, m.cols, m.dtype) == (shape[0], shape[1], "bf16")
    got = m.download()
    assert got.dtype == np.float32 and got.shape == shape
    assert np.array_equal(got.view(np.uint32), rne_bf16_bits(x).astype(np.uint32) << 16)
    assert np.array_equal(m.download(raw=True), rne_bf16_bits(x))


def test_bf16_raw_keeps_every_pattern(dev):
    bits = np.arange(0, 65536, 7, dtype=np.uint16).reshape(1, -1)
    m = dev.upload(bits, "bf16", raw=True)
    assert np.array_equal(m.download(raw=True), bits)
    # Denormal patterns come back exactly as stored (download does not flush).
    assert np.array_equal(m.download().view(np.uint32), bits.astype(np.uint32) << 16)


def test_fp32_round_trip_is_bit_exact(dev, rng):
    x = np.concatenate([SPECIALS, rng.standard_normal(300).astype(np.float32)]).reshape(4, -1)
    got = dev.upload(x, "fp32").download()
    assert got.dtype == np.float32
    assert np.array_equal(got.view(np.uint32), x.view(np.uint32))


def test_int8_round_trip(dev):
    x = np.arange(-128, 128, dtype=np.int8).reshape(8, 32)
    m = dev.upload(x)
    assert m.dtype == "int8" and m.stride % 32 == 0
    got = m.download()
    assert got.dtype == np.int8 and np.array_equal(got, x)
    assert np.array_equal(dev.upload(x.astype(np.int64), "int8").download(), x)


def test_int32_round_trip(dev, rng):
    x = rng.integers(-2 ** 31, 2 ** 31, (5, 9), dtype=np.int64)
    x[0, :2] = [-2 ** 31, 2 ** 31 - 1]
    got = dev.upload(x, "int32").download()
    assert got.dtype == np.int32 and np.array_equal(got, x)


def test_dtype_inference_and_spellings(dev):
    assert dev.upload(np.ones((1, 2))).dtype == "fp32"           # float64 -> fp32
    assert dev.upload(np.ones((1, 2), np.float16)).dtype == "fp32"
    assert dev.upload(np.ones((1, 2), np.int8)).dtype == "int8"
    assert dev.upload(np.ones((1, 2), np.int64)).dtype == "int32"
    assert dev.upload(np.ones((1, 2), bool)).dtype == "int32"
    assert dev.upload([[1.0, 2.0]]).dtype == "fp32"              # nested lists work too
    for spelling, want in [("BF16", "bf16"), ("bfloat16", "bf16"), (np.float32, "fp32"),
                           (np.dtype(np.int32), "int32"), ("INT8", "int8")]:
        assert dev.matrix(1, 1, spelling).dtype == want


def test_one_dimensional_is_a_row(dev):
    m = dev.upload(np.arange(5, dtype=np.float32))
    assert m.shape == (1, 5)
    assert np.array_equal(m.download(), [[0, 1, 2, 3, 4]])


def test_non_contiguous_input(dev, rng):
    x = rng.standard_normal((20, 30)).astype(np.float32)
    assert np.array_equal(dev.upload(x.T).download(), x.T)
    assert np.array_equal(dev.upload(x[::2, 1::3]).download(), x[::2, 1::3])


def test_matrix_properties_and_zero_fill(dev):
    m = dev.matrix(3, 77, "bf16")
    assert m.shape == (3, 77) and m.stride == 160 and m.nbytes == 480
    assert m.addr % 32 == 0 and m.device is dev
    assert "3x77 bf16" in repr(m)
    assert not m.download().any()


def test_overwrite_and_row_views(dev, rng):
    x = rng.standard_normal((6, 10)).astype(np.float32)
    m = dev.matrix(6, 10, "fp32")
    m.upload(x)
    assert np.array_equal(m.download(), x)
    v = m.row_view(2, 3)
    assert v.shape == (3, 10) and v.addr == m.addr + 2 * m.stride
    assert np.array_equal(v.download(), x[2:5])
    v.upload(np.zeros((3, 10)))
    x[2:5] = 0
    assert np.array_equal(m.download(), x)
    del m  # the view keeps the memory alive
    assert not v.download().any()


def test_raw_buffer(dev):
    buf = dev.alloc(100)
    assert buf.size >= 100 and buf.size % 32 == 0
    buf.write(b"kiln" * 8)
    buf.write(np.arange(4, dtype=np.uint32), offset=32)
    assert buf.read(32) == b"kiln" * 8
    assert np.frombuffer(buf.read(16, offset=32), np.uint32).tolist() == [0, 1, 2, 3]


def test_free_memory_is_returned(dev):
    before = dev.free_bytes()
    m = dev.matrix(256, 256, "fp32")
    assert dev.free_bytes() <= before - 256 * 1024
    del m
    assert dev.free_bytes() == before
