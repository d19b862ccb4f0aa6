#!/usr/bin/env python3
"""Compare two hedgemap results files variable by variable (e.g. the CPU and the CUDA backend on
the same scenario and seed). Prints the largest relative difference per group and exits 1 if any
exceeds the tolerance. Float paths agree to float rounding, not bit for bit: discrete events (a
band crossing, a Poisson count) can flip on a few paths, so the default tolerance is relative to
each variable's scale.

    /usr/bin/python3 scripts/compare_backends.py a.h5 b.h5 [--rtol 2e-3]
"""
import argparse
import sys

import h5py
import numpy as np


def variables(f):
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind == "f" and obj.ndim >= 1:
            out[name] = obj[()]

    f.visititems(visit)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--rtol", type=float, default=2e-3)
    args = ap.parse_args()
    with h5py.File(args.a, "r") as fa, h5py.File(args.b, "r") as fb:
        va, vb = variables(fa), variables(fb)
    worst = 0.0
    failed = []
    print(f"{'variable':55s} {'max rel diff':>12s}")
    for name in sorted(va):
        if name not in vb or "confidence" in name or name.endswith("wall_seconds"):
            continue
        a, b = va[name], vb[name]
        both = np.isfinite(a) & np.isfinite(b)
        if not np.array_equal(np.isfinite(a), np.isfinite(b)):
            failed.append(name + " (NaN pattern differs)")
            continue
        if not both.any():
            continue
        scale = max(np.max(np.abs(a[both])), 1e-12)
        rel = float(np.max(np.abs(a[both] - b[both])) / scale)
        worst = max(worst, rel)
        print(f"{name:55s} {rel:12.3e}")
        if rel > args.rtol:
            failed.append(f"{name} ({rel:.3e})")
    print(f"worst relative difference: {worst:.3e} (tolerance {args.rtol})")
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
