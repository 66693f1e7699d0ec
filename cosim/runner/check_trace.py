#!/usr/bin/env python3
"""Checks a Kiln run trace (kiln-cosim --trace, KILN_TRACE) and summarises it.

    check_trace.py TRACE.json [--require-overlap] [--require-spans TRACK ...]

Checks that the file is Trace Event Format JSON as ui.perfetto.dev reads it,
that every event sits on a named track, that spans have non-negative
durations, lie inside the run (otherData.end_ns) and do not overlap on their
own track (a unit does one operation at a time), and that the firmware's
commands, the DMA channels, the tensor core and the vector unit each have a
track. Prints per track the span count and busy time, and how much DMA-busy
time overlaps tensor-core or vector-unit busy time.

--require-overlap fails when no DMA span overlaps a compute span;
--require-spans fails when a named track (without the "rtl: "/"fast: "
prefix of two-NPU platforms) has no span. Exit status 0 = all checks passed.
"""
import argparse
import json
import sys
from decimal import Decimal

TRACKS = ["commands (firmware)", "host", "DMA ch0", "tensor core", "vector unit"]


def ns(us):
    """Trace times are microseconds with three decimals: exact nanoseconds."""
    return int(Decimal(us) * 1000)


def union(spans):
    out = []
    for b, e in sorted(spans):
        if out and b <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([b, e])
    return out


def intersect(a, b):
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        total += max(0, hi - lo)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def unit_name(track):
    """'rtl: DMA ch0' -> 'DMA ch0' (two-NPU platforms prefix the NPU kind)."""
    for p in ("rtl: ", "fast: "):
        if track.startswith(p):
            return track[len(p):]
    return track


def check(path, require_overlap, require_spans):
    errors = []
    with open(path) as f:
        doc = json.load(f, parse_float=Decimal)
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        return ["not a Trace Event Format object (no traceEvents list)"], {}
    if doc.get("displayTimeUnit") != "ns":
        errors.append("displayTimeUnit is %r, expected 'ns'" % doc.get("displayTimeUnit"))
    other = doc.get("otherData", {})
    end_ns = other.get("end_ns")
    if not isinstance(end_ns, int):
        errors.append("otherData.end_ns missing: the trace was not completed")
        end_ns = None
    names = {}
    spans = {}
    instants = {}
    counted = 0
    for ev in doc["traceEvents"]:
        ph = ev.get("ph")
        if ph == "M":
            if ev.get("name") == "thread_name":
                names[ev["tid"]] = ev["args"]["name"]
            continue
        if ph not in ("X", "i"):
            errors.append("unexpected event phase %r: %s" % (ph, ev))
            continue
        counted += 1
        for key in ("pid", "tid", "ts", "name", "cat"):
            if key not in ev:
                errors.append("event without %s: %s" % (key, ev))
        t = ns(ev["ts"])
        d = ns(ev["dur"]) if ph == "X" else 0
        if t < 0 or d < 0:
            errors.append("negative time or duration: %s" % ev)
        if end_ns is not None and t + d > end_ns:
            errors.append("event ends at %d ns, after the run's end %d ns: %s" % (t + d, end_ns, ev))
        if ph == "X":
            spans.setdefault(ev["tid"], []).append((t, t + d, ev["name"]))
        else:
            instants.setdefault(ev["tid"], []).append((t, ev["name"], ev.get("cat")))
    if other.get("events") is not None and other["events"] != counted:
        errors.append("otherData.events = %s but the file holds %d events" % (other["events"], counted))
    for tid in set(spans) | set(instants):
        if tid not in names:
            errors.append("track %s has events but no thread_name" % tid)
    by_name = {}
    for tid, n in names.items():
        by_name.setdefault(unit_name(n), []).append(tid)
    for want in TRACKS:
        if want not in by_name:
            errors.append("no track named %r (tracks: %s)" % (want, sorted(names.values())))
    for tid, ss in spans.items():
        ss.sort()
        for (b0, e0, n0), (b1, e1, n1) in zip(ss, ss[1:]):
            if b1 < e0:
                errors.append("track %r: %s [%d, %d) overlaps %s [%d, %d)" %
                              (names.get(tid), n0, b0, e0, n1, b1, e1))
                break
    for want in require_spans:
        if not any(spans.get(t) for t in by_name.get(want, [])):
            errors.append("track %r has no span" % want)

    def busy(pred):
        return union([(b, e) for tid, ss in spans.items() if pred(unit_name(names.get(tid, "")))
                      for b, e, _ in ss])

    dma = busy(lambda n: n.startswith("DMA ch"))
    compute = busy(lambda n: n in ("tensor core", "vector unit"))
    overlap = intersect(dma, compute)
    fences = sum(1 for v in instants.values() for _, _, c in v if c == "fence")
    summary = {
        "events": counted,
        "end_ns": end_ns,
        "fences": fences,
        "dma_busy_ns": sum(e - b for b, e in dma),
        "compute_busy_ns": sum(e - b for b, e in compute),
        "dma_compute_overlap_ns": overlap,
        "tracks": {names[t]: {"spans": len(spans.get(t, [])),
                              "busy_ns": sum(e - b for b, e in union([(b, e) for b, e, _ in spans.get(t, [])])),
                              "instants": len(instants.get(t, []))}
                   for t in sorted(names)},
    }
    if require_overlap and overlap == 0:
        errors.append("no DMA span overlaps a tensor-core or vector-unit span")
    return errors, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trace")
    ap.add_argument("--require-overlap", action="store_true")
    ap.add_argument("--require-spans", nargs="*", default=[])
    a = ap.parse_args()
    errors, s = check(a.trace, a.require_overlap, a.require_spans)
    if s:
        print("%s: %d events over %s ns, %d fences" % (a.trace, s["events"], s["end_ns"], s["fences"]))
        for name, t in s["tracks"].items():
            print("  %-24s %6d spans %12d ns busy %5d instants" % (name, t["spans"], t["busy_ns"], t["instants"]))
        print("  DMA busy %d ns, compute (TC+VU) busy %d ns, overlapping %d ns" %
              (s["dma_busy_ns"], s["compute_busy_ns"], s["dma_compute_overlap_ns"]))
    for e in errors[:20]:
        print("error: " + e, file=sys.stderr)
    if len(errors) > 20:
        print("error: ... and %d more" % (len(errors) - 20), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
