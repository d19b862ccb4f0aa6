#!/usr/bin/env python3
"""Checks that two hedgemap results files hold the same bits in every dataset (all types, scalars
included), e.g. before and after a refactor, or a serial run and an MPI run. Attributes that say
when, where and by which build a file was made (provenance) are not compared. Exit 1 on any
difference, listing it.

    /usr/bin/python3 scripts/same_results.py a.h5 b.h5
"""
import sys

import h5py
import numpy as np


def datasets(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                 if isinstance(obj, h5py.Dataset) else None)
    return out


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc":
        return a.tobytes() == b.tobytes()  # NaN payloads and signed zeros too
    return bool(np.array_equal(a, b))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with h5py.File(sys.argv[1], "r") as fa, h5py.File(sys.argv[2], "r") as fb:
        a, b = datasets(fa), datasets(fb)
    problems = [f"only in {sys.argv[1]}: {k}" for k in sorted(a.keys() - b.keys())]
    problems += [f"only in {sys.argv[2]}: {k}" for k in sorted(b.keys() - a.keys())]
    problems += [f"differs: {k}" for k in sorted(a.keys() & b.keys()) if not same(a[k], b[k])]
    for p in problems:
        print(p)
    print(f"{len(a.keys() & b.keys())} datasets compared, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
