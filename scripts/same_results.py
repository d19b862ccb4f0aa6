#!/usr/bin/env python3
"""Checks that two hedgemap results files hold the same bits in every dataset (all types, scalars
included), e.g. before and after a refactor, or a serial run and an MPI run. Attributes that say
when, where and by which build a file was made (provenance) are not compared. Exit 1 on any
difference, listing it.

    /usr/bin/python3 scripts/same_results.py a.h5 b.h5
    /usr/bin/python3 scripts/same_results.py --allow-new old.h5 new.h5   # b may add datasets
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
    args = sys.argv[1:]
    allow_new = "--allow-new" in args
    args = [x for x in args if x != "--allow-new"]
    if len(args) != 2:
        sys.exit(__doc__)
    with h5py.File(args[0], "r") as fa, h5py.File(args[1], "r") as fb:
        a, b = datasets(fa), datasets(fb)
    problems = [f"only in {args[0]}: {k}" for k in sorted(a.keys() - b.keys())]
    if not allow_new:
        problems += [f"only in {args[1]}: {k}" for k in sorted(b.keys() - a.keys())]
    elif b.keys() - a.keys():
        print(f"{len(b.keys() - a.keys())} datasets only in {args[1]} (allowed)")
    problems += [f"differs: {k}" for k in sorted(a.keys() & b.keys()) if not same(a[k], b[k])]
    for p in problems:
        print(p)
    print(f"{len(a.keys() & b.keys())} datasets compared, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
