#!/usr/bin/python3
"""Pictures of a hedgemap results file: `plot_results.py RESULTS.h5 --out DIR` writes PNGs.
A thin wrapper over the hedgemap package (python/hedgemap/plots.py, where the pictures are
described); run with /usr/bin/python3 (Debian's python3-matplotlib, -xarray, -h5netcdf)."""
import sys

import _hedgemap_package  # noqa: F401  (python/ on sys.path)
from hedgemap.plots import *  # noqa: F401,F403
from hedgemap.plots import plot_all, ww_law_shape  # noqa: F401

if __name__ == "__main__":
    from hedgemap.cli import plot_main
    sys.exit(plot_main())
