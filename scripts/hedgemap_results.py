"""Reader for hedgemap results files: the hedgemap package's (python/hedgemap/results.py), kept
importable under this name. `python3 scripts/hedgemap_results.py FILE.h5...` describes files.

    import hedgemap_results as hr      # or: import hedgemap; hedgemap.load(...)
    r = hr.load("results/default.h5")
"""
import sys

import _hedgemap_package  # noqa: F401  (python/ on sys.path)
from hedgemap.results import *  # noqa: F401,F403
from hedgemap.results import describe, load  # noqa: F401

if __name__ == "__main__":
    from hedgemap.cli import describe_main
    sys.exit(describe_main(sys.argv[1:]))
