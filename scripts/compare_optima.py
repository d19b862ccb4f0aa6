#!/usr/bin/env python3
"""Markdown tables of the optimal thresholds of two results files of the same grid, cell by
cell and policy by policy, e.g. a preset before and after a change of one key:

    /usr/bin/python3 scripts/compare_optima.py before.h5 after.h5

One table per file pair: a row per (volatility, expiry) cell with the cells' diffusive volatility
before -> after, and a column per policy group. One-axis groups show the refined optimum and its
bootstrap 5-95% interval, `b [lo, hi] -> a [lo, hi]`, marked ** when the two intervals do not
overlap (a move the paths resolve); two-axis groups (CPPI, volatility targeting) show the grid
optimum and its bootstrap confidence, marked ** when the grid optimum moved and both confidences
are at least 0.9. A last line counts, per group, the cells that moved that way.
"""
import sys

import h5py


def groups(f):
    """(path, axis names) of every group with an optimum, hedging policies first."""
    out = []
    if "hedging" in f:
        for policy in f["hedging"]:
            g = f["hedging"][policy]
            axes = [k[len("optimal_"):-len("_refined")] for k in g if k.endswith("_refined")]
            if axes:
                out.append(("hedging/" + policy, axes))
    for name in ("cppi", "vol_target"):
        if name in f:
            axes = [k[len("optimal_"):] for k in f[name]
                    if k.startswith("optimal_") and k not in ("optimal_confidence", "optimal_objective")]
            out.append((name, sorted(axes)))
    return out


def fmt(x):
    return f"{x:.3g}"


def one_axis(f, path, axis, i, j):
    g = f[path]
    r = f"optimal_{axis}_refined"
    return g[r][i, j], g[r + "_low"][i, j], g[r + "_high"][i, j]


def table(before, after):
    a, b = h5py.File(before, "r"), h5py.File(after, "r")
    vols, expiries = a["volatility"][()], a["expiry_days"][()]
    if list(vols) != list(b["volatility"][()]) or list(expiries) != list(b["expiry_days"][()]):
        sys.exit("compare_optima: the two files have different grids")
    gs = groups(a)
    head = ["implied vol", "expiry (d)", "diffusive vol"] + [
        f"{p.split('/')[-1]} ({', '.join(axes)})" for p, axes in gs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    moved = {p: 0 for p, _ in gs}
    for i, v in enumerate(vols):
        for j, e in enumerate(expiries):
            dv = (a["model/diffusive_volatility"][i, j], b["model/diffusive_volatility"][i, j])
            row = [fmt(v), fmt(e), f"{dv[0]:.3f} -> {dv[1]:.3f}"]
            for p, axes in gs:
                if len(axes) == 1:
                    x, y = one_axis(a, p, axes[0], i, j), one_axis(b, p, axes[0], i, j)
                    apart = x[2] < y[1] or y[2] < x[1]
                    cell = (f"{fmt(x[0])} [{fmt(x[1])}, {fmt(x[2])}] -> "
                            f"{fmt(y[0])} [{fmt(y[1])}, {fmt(y[2])}]")
                else:
                    x = tuple(a[p]["optimal_" + ax][i, j] for ax in axes)
                    y = tuple(b[p]["optimal_" + ax][i, j] for ax in axes)
                    cx, cy = a[p]["optimal_confidence"][i, j], b[p]["optimal_confidence"][i, j]
                    apart = x != y and cx >= 0.9 and cy >= 0.9
                    cell = (f"({', '.join(fmt(t) for t in x)}) c{cx:.2f} -> "
                            f"({', '.join(fmt(t) for t in y)}) c{cy:.2f}")
                moved[p] += apart
                row.append(("**" + cell + "**") if apart else cell)
            lines.append("| " + " | ".join(row) + " |")
    n = len(vols) * len(expiries)
    lines.append("")
    lines.append("Moved beyond the bootstrap spread: " + ", ".join(
        f"{p.split('/')[-1]} {moved[p]}/{n}" for p, _ in gs) + ".")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(table(sys.argv[1], sys.argv[2]))
