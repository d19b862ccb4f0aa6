#!/usr/bin/python3
"""Threshold laws of a results file: `fit_law.py RESULTS.h5 [--policy delta_band] [-o law.json]
[--figure law.png]`, the same as `python3 -m hedgemap fit ...` (python/hedgemap/law.py)."""
import sys

import _hedgemap_package  # noqa: F401  (python/ on sys.path)
from hedgemap.cli import fit_main

if __name__ == "__main__":
    sys.exit(fit_main())
