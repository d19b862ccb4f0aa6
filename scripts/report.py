#!/usr/bin/python3
"""One self-contained HTML report of a hedgemap results file:
`report.py RESULTS.h5 -o REPORT.html`. A thin wrapper over the hedgemap package
(python/hedgemap/report.py); run with /usr/bin/python3."""
import sys

import _hedgemap_package  # noqa: F401  (python/ on sys.path)
from hedgemap.report import *  # noqa: F401,F403
from hedgemap.report import build_report, write_report  # noqa: F401

if __name__ == "__main__":
    from hedgemap.cli import report_main
    sys.exit(report_main())
