#!/usr/bin/env python3
"""attention: RoPE + causal grouped-query attention on the NPU vs numpy.

A prefill of --prompt tokens, then --decode single-token steps, with a KV
cache on the device. Each step applies RoPE to q and k on the device, runs
attention (which appends k, v to the cache), and compares with an FP64 numpy
reference within the a-priori bound of docs/sdk.md (P and the output are
rounded to BF16).
"""
import argparse
import sys

import numpy as np

import kiln
from kiln import reference


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default=None, help="fast (default, or $KILN_BACKEND) or rtl")
    ap.add_argument("--prompt", type=int, default=40, help="prefill tokens")
    ap.add_argument("--decode", type=int, default=3, help="decode steps after the prefill")
    args = ap.parse_args()

    shape = kiln.AttentionShape(n_heads=6, n_kv_heads=2, head_dim=64)  # 3 query heads per KV head
    theta = 100000.0
    total = args.prompt + args.decode
    hq, hkv = shape.n_heads * shape.head_dim, shape.n_kv_heads * shape.head_dim

    dev = kiln.Device(args.backend)
    print(f"attention: backend {dev.backend}, {shape}, prefill {args.prompt} + {args.decode} decode steps")
    table = kiln.make_rope_table(dev, total, shape.head_dim, theta)
    cache = kiln.KvCache(dev, shape, total)
    rng = np.random.default_rng(3)

    keys, values = [], []  # the roped keys and values the cache holds, for the reference
    worst = 0.0
    pos = 0
    for step, t in enumerate([args.prompt] + [1] * args.decode):
        q = dev.upload(rng.standard_normal((t, hq)), "bf16")
        k = dev.upload(rng.standard_normal((t, hkv)), "bf16")
        v = dev.upload(rng.standard_normal((t, hkv)), "bf16")
        q_raw, k_raw = q.download(), k.download()

        # One submission: RoPE on q and k, then attention.
        qr, kr = dev.matrix(t, hq, "bf16"), dev.matrix(t, hkv, "bf16")
        out = dev.matrix(t, hq, "bf16")
        cb = kiln.CommandBuffer(dev)
        cb.rope(table, q, pos, qr).rope(table, k, pos, kr)
        cb.attention(shape, qr, kr, v, cache, pos, out)
        dev.run(cb)

        q_rot, k_rot = qr.download(), kr.download()
        for raw, rot in ((q_raw, q_rot), (k_raw, k_rot)):
            want = reference.rope(raw, pos, shape.head_dim, theta)
            bound = 2.0 ** -8 * np.abs(want) + 5 * 2.0 ** -24 * np.abs(raw).max() + 1e-30
            if np.any(np.abs(rot - want) > bound):
                print(f"  step {step}: RoPE outside its bound")
                return 1

        keys.append(k_rot)
        values.append(v.download())
        ref, bound = reference.attention(q_rot, np.vstack(keys), np.vstack(values),
                                         shape.n_heads, shape.n_kv_heads, shape.head_dim, pos)
        got = out.download()
        ratio = float(np.max(np.abs(got - ref) / bound))
        worst = max(worst, ratio)
        kind = "prefill" if step == 0 else "decode "
        print(f"  {kind} pos {pos:3d}..{pos + t - 1:3d}: max |err| {np.abs(got - ref).max():.3g}, "
              f"err/bound {ratio:.3f}")
        pos += t

    ok = worst <= 1.0
    print(f"attention: worst err/bound {worst:.3f} -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except kiln.Error as e:
        print(f"attention: {e} (status {e.status_name})", file=sys.stderr)
        sys.exit(1)
