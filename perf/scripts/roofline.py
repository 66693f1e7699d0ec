#!/usr/bin/env python3
"""Roofline plot of a `kiln-perf whatif` projection.

usage: roofline.py WHATIF.json OUT.png

The base hardware's roof (peak tensor-core GFLOP/s, DMA bandwidth) with the
model's operations in prefill and decode, and every variant's whole prefill
and decode pass under its own roof.
"""
import json
import sys


def roof_x(ridge):
    return [0.05, ridge, 5000]


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        w = json.load(f)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 5.5), dpi=110)
    base = w["variants"][0]
    peak, bw = base["peak_gflops"], base["bandwidth_gbs"]
    ridge = peak / bw
    ax.plot(roof_x(ridge), [min(peak, x * bw) for x in roof_x(ridge)], color="black", linewidth=1.2)
    ax.plot([ridge], [peak], "k+")
    ax.annotate(f"base roof: {peak:.0f} GFLOP/s, {bw:.0f} GB/s", (ridge, peak), fontsize=8,
                textcoords="offset points", xytext=(5, 6))
    for op in base["ops"]:
        ai = op["flops"] / op["bytes"]
        gf = op["flops"] / (op["ms"] * 1e6)
        ax.scatter([ai], [gf], marker="o" if op["phase"] == "prefill" else "s", s=28)
        ax.annotate(f"{op['phase'][0]}:{op['op']}", (ai, gf), fontsize=7, textcoords="offset points", xytext=(4, -3))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FLOP / DRAM byte)")
    ax.set_ylabel("achieved GFLOP/s")
    ax.set_title(f"{w['model']} on the base NPU: operations (p: prefill, d: decode)", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)

    cmap = plt.get_cmap("tab20")
    for i, v in enumerate(w["variants"]):
        col = cmap(i % 20)
        r = v["peak_gflops"] / v["bandwidth_gbs"]
        bx.plot(roof_x(r), [min(v["peak_gflops"], x * v["bandwidth_gbs"]) for x in roof_x(r)], color=col,
                linewidth=0.6, alpha=0.5)
        for ph, mk in (("prefill", "o"), ("decode", "s")):
            p = v[ph]
            ai, gf = p["flops"] / p["bytes"], p["flops"] / (v[ph + "_ms"] * 1e6)
            bx.scatter([ai], [gf], marker=mk, s=26, color=col, label=v["label"] if ph == "prefill" else None)
    bx.legend(fontsize=6, ncol=2, loc="lower right")
    bx.set_xscale("log")
    bx.set_yscale("log")
    bx.set_xlabel("arithmetic intensity (FLOP / DRAM byte)")
    bx.set_ylabel("achieved GFLOP/s")
    bx.set_title(f"every variant: prefill ({w['prompt']} tokens, o) and decode (s), with its roof", fontsize=10)
    bx.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(argv[2])
    print(f"roofline: {argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
