#!/usr/bin/env python3
"""Device time of one backend against another over the correlation sweep.

usage: compare_backends.py A/report.json B/report.json

Both are kiln-correlate reports (e.g. --backend fast and --backend rtl); prints
the mean and largest |A - B| / B of the measured cycles and the worst cases.
"""
import json
import sys


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    a, b = (json.load(open(p)) for p in argv[1:])
    ref = {c["name"]: c["measured_cycles"] for c in b["cases"]}
    errs = sorted(((100.0 * (c["measured_cycles"] - ref[c["name"]]) / ref[c["name"]], c["name"])
                   for c in a["cases"] if ref.get(c["name"])), key=lambda e: -abs(e[0]))
    if not errs:
        sys.stderr.write("compare_backends: the reports have no case in common\n")
        return 1
    mean = sum(abs(e) for e, _ in errs) / len(errs)
    print(f"{a['backend']} vs {b['backend']}: {len(errs)} cases, mean |error| {mean:.2f} %, "
          f"max {abs(errs[0][0]):.2f} % ({errs[0][1]})")
    for e, name in errs[:12]:
        print(f"  {name:34s} {e:+7.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
