#!/usr/bin/env python3
"""Scatter plot and markdown table of a kiln-correlate report.

usage: correlation_report.py REPORT.json OUT_DIR [--update-docs docs/correlation.md]

Writes OUT_DIR/scatter.png (measured vs predicted cycles, log-log, one colour
per kind, the +-5 % band) and OUT_DIR/table.md. --update-docs replaces the
text between the CORRELATION-TABLE markers of the given markdown file.
"""
import json
import os
import sys

BEGIN = "<!-- CORRELATION-TABLE BEGIN (make correlate UPDATE_DOCS=1) -->"
END = "<!-- CORRELATION-TABLE END -->"


def table(report):
    s = report["summary"]
    lines = [
        f"{s['cases']} cases on `{report['backend']}` ({report['hardware']}): "
        f"mean |error| **{s['mean_abs_error_pct']:.2f} %**, max |error| **{s['max_abs_error_pct']:.2f} %** "
        f"({s['worst_case']}).",
        "",
        "| case | kind | commands | measured cycles | predicted cycles | error |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for c in report["cases"]:
        lines.append(f"| {c['name']} | {c['kind']} | {c['commands']} | {c['measured_cycles']} | "
                     f"{c['predicted_cycles']} | {c['error_pct']:+.2f} % |")
    return "\n".join(lines) + "\n"


def scatter(report, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = sorted({c["kind"] for c in report["cases"]})
    fig, ax = plt.subplots(figsize=(7, 6), dpi=120)
    lo = min(min(c["measured_cycles"], c["predicted_cycles"]) for c in report["cases"]) * 0.8
    hi = max(max(c["measured_cycles"], c["predicted_cycles"]) for c in report["cases"]) * 1.25
    xs = [lo, hi]
    ax.plot(xs, xs, color="black", linewidth=1, label="predicted = measured")
    ax.fill_between(xs, [x * 0.95 for x in xs], [x * 1.05 for x in xs], color="grey", alpha=0.2, label="±5 %")
    for k in kinds:
        cs = [c for c in report["cases"] if c["kind"] == k]
        ax.scatter([c["measured_cycles"] for c in cs], [c["predicted_cycles"] for c in cs], s=22, label=k)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel(f"measured cycles ({report['backend']}: doorbell to fence interrupt)")
    ax.set_ylabel("predicted cycles (kiln-perf model)")
    s = report["summary"]
    ax.set_title(f"Kiln performance model vs {report['backend'].upper()}: {s['cases']} cases, "
                 f"MAE {s['mean_abs_error_pct']:.2f} %, max {s['max_abs_error_pct']:.2f} %", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)


def main(argv):
    if len(argv) not in (3, 5) or (len(argv) == 5 and argv[3] != "--update-docs"):
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        report = json.load(f)
    if not report.get("cases"):
        sys.stderr.write(f"correlation_report: {argv[1]} has no cases\n")
        return 1
    os.makedirs(argv[2], exist_ok=True)
    md = table(report)
    with open(os.path.join(argv[2], "table.md"), "w") as f:
        f.write(md)
    scatter(report, os.path.join(argv[2], "scatter.png"))
    print(f"correlation: {os.path.join(argv[2], 'scatter.png')}, {os.path.join(argv[2], 'table.md')}")
    if len(argv) == 5:
        doc = argv[4]
        with open(doc) as f:
            text = f.read()
        if BEGIN not in text or END not in text:
            sys.stderr.write(f"correlation_report: {doc} lacks the table markers\n")
            return 1
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        with open(doc, "w") as f:
            f.write(head + BEGIN + "\n" + md + END + tail)
        print(f"correlation: table written into {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
