#!/usr/bin/env python3
"""Turns the benchmark outputs into BENCHMARKS.md's tables.

    python3 bench/report.py ICOUNT.tsv [MORE.tsv ...] [--criterion DIR]

ICOUNT.tsv comes from icount.sh (later files override earlier ones, so a
re-run of some libraries can be laid over a full run); DIR (default
target/criterion)
from `cargo bench -p crossgate-bench --bench middleware`. Overhead is a
library minus its own baseline; ratios are crossgate's overhead over the
peer's, and the geomean runs over every scenario.
"""
import json
import math
import os
import sys

PAIRS = [("crossgate", "tower_baseline"), ("tower_http", "tower_baseline"),
         ("actix_cors", "actix_baseline"), ("engine", "engine_baseline")]


def load_icount(paths):
    data, order = {}, []
    for line in [l for p in paths for l in open(p).read().splitlines()[1:]]:
        scen, lib, v = line.split("\t")
        data[(scen, lib)] = float(v)
        if scen not in order:
            order.append(scen)
    return data, order


def load_criterion(root, scenarios):
    data = {}
    for scen in scenarios:
        for lib in {l for p in PAIRS for l in p}:
            f = os.path.join(root, scen, lib, "new", "estimates.json")
            if os.path.exists(f):
                data[(scen, lib)] = json.load(open(f))["median"]["point_estimate"]
    return data


def overheads(data, scenarios):
    return {(s, lib): data[(s, lib)] - data[(s, base)]
            for s in scenarios for lib, base in PAIRS
            if (s, lib) in data and (s, base) in data}


def geomean(xs):
    xs = [x for x in xs if x > 0]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")


def fmt_ratio(a, b):
    return f"{a / b:.2f}" if b > 0 else "n/a"


def table(title, unit, ov, scenarios, fmt):
    print(f"\n{title}\n")
    print(f"| scenario | crossgate | tower-http | actix-cors | engine | crossgate / tower-http | crossgate / actix-cors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rt, ra = [], []
    for s in scenarios:
        c, t, a, e = (ov.get((s, l)) for l, _ in PAIRS)
        if c is None:
            continue
        rt.append(c / t if t and t > 0 else None)
        ra.append(c / a if a and a > 0 else None)
        print(f"| {s} | {fmt(c)} | {fmt(t)} | {fmt(a)} | {fmt(e)} | {fmt_ratio(c, t)} | {fmt_ratio(c, a)} |")
    gt = geomean([r for r in rt if r])
    ga = geomean([r for r in ra if r])
    print(f"| **geomean ratio** | | | | | **{gt:.2f}** | **{ga:.2f}** |")
    print(f"\n({unit}; overhead = library minus its baseline.)")


def main():
    args = sys.argv[1:]
    root = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "criterion")
    if "--criterion" in args:
        i = args.index("--criterion")
        root = args[i + 1]
        del args[i:i + 2]
    icount, scenarios = load_icount(args)
    ov = overheads(icount, scenarios)
    table("Instructions per request added over the baseline (callgrind):", "instructions",
          ov, scenarios, lambda v: "—" if v is None else f"{v:,.0f}")
    print("\nBaselines (instructions per request, absolute):\n")
    print("| scenario | tower service | actix service | request alone |")
    print("|---|---:|---:|---:|")
    for s in scenarios:
        print(f"| {s} | {icount[(s, 'tower_baseline')]:,.0f} | {icount[(s, 'actix_baseline')]:,.0f} | {icount[(s, 'engine_baseline')]:,.0f} |")
    crit = load_criterion(root, scenarios)
    if crit:
        cov = overheads(crit, scenarios)
        table("Time per request added over the baseline (criterion median, ns; noisy shared machine):", "ns",
              cov, scenarios, lambda v: "—" if v is None else f"{v:,.0f}")


if __name__ == "__main__":
    main()
