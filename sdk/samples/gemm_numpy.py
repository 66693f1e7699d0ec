#!/usr/bin/env python3
"""gemm_numpy: numpy arrays in, a GEMM on the NPU, numpy out, checked against numpy.

Runs C = A @ B with BF16 inputs and FP32 output, then the same with B given
transposed (the GGUF weight layout), and an INT8 GEMM whose INT32 result must
equal numpy's exactly.
"""
import argparse
import sys

import numpy as np

import kiln


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default=None, help="fast (default, or $KILN_BACKEND) or rtl")
    ap.add_argument("--m", type=int, default=64)
    ap.add_argument("--n", type=int, default=48)
    ap.add_argument("--k", type=int, default=96)
    args = ap.parse_args()

    rng = np.random.default_rng(7)
    a = rng.standard_normal((args.m, args.k), dtype=np.float32)
    b = rng.standard_normal((args.k, args.n), dtype=np.float32)

    dev = kiln.Device(args.backend)
    print(f"gemm_numpy: backend {dev.backend}, A {a.shape} @ B {b.shape}")
    da, db = dev.upload(a, "bf16"), dev.upload(b, "bf16")
    t0 = dev.now_ns()
    c = kiln.gemm(dev, da, db).download()
    t1 = dev.now_ns()

    # The device multiplies the BF16-rounded inputs exactly and accumulates in
    # FP32: compare with numpy on the same rounded inputs, in float64.
    ref = kiln.to_bf16(a).astype(np.float64) @ kiln.to_bf16(b).astype(np.float64)
    bound = args.k * 2.0 ** -24 * (np.abs(kiln.to_bf16(a)) @ np.abs(kiln.to_bf16(b)))
    err = np.abs(c - ref)
    ok = bool(np.all(err <= bound + 1e-30))
    print(f"  bf16 x bf16 -> fp32: max |err| {err.max():.3g} (bound {bound.max():.3g}), "
          f"device {(t1 - t0) / 1e3:.1f} us, {'ok' if ok else 'FAIL'}")
    print(f"  C[0, :4] = {np.array2string(c[0, :4], precision=5)}")

    # Transposed B: pass B^T [N][K] as stored and say so.
    dbt = dev.upload(np.ascontiguousarray(b.T), "bf16")
    ct = kiln.gemm(dev, da, dbt, b_transposed=True).download()
    same = bool(np.array_equal(ct, c))
    print(f"  b_transposed: {'identical to A @ B' if same else 'DIFFERENT'}")

    # INT8: exact integer arithmetic.
    ai = rng.integers(-128, 128, (args.m, args.k), dtype=np.int8)
    bi = rng.integers(-128, 128, (args.k, args.n), dtype=np.int8)
    ci = kiln.gemm(dev, dev.upload(ai), dev.upload(bi)).download()
    exact = bool(np.array_equal(ci, ai.astype(np.int32) @ bi.astype(np.int32)))
    print(f"  int8 x int8 -> int32: {'exact' if exact else 'MISMATCH'}")

    passed = ok and same and exact
    print(f"gemm_numpy: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except kiln.Error as e:
        print(f"gemm_numpy: {e} (status {e.status_name})", file=sys.stderr)
        sys.exit(1)
