"""`python3 -m hedgemap COMMAND ...`: the package's command line (scripts/ wrap parts of it).

    python3 -m hedgemap fit RESULTS.h5 [--policy delta_band] [-o law.json] [--figure law.png]
    python3 -m hedgemap predict law.json volatility=0.7 expiry_days=10 [gas=6] [--model fixed]
    python3 -m hedgemap plot RESULTS.h5 [--out DIR]
    python3 -m hedgemap report RESULTS.h5 [-o report.html]
    python3 -m hedgemap describe RESULTS.h5...
"""
from __future__ import annotations

import argparse
import sys


def plot_main(argv=None) -> int:
    from .plots import plot_all
    p = argparse.ArgumentParser(prog="plot_results.py",
                                description="Pictures of a hedgemap results file (PNG files).")
    p.add_argument("results", help="hedgemap results file (.h5)")
    p.add_argument("--out", default="plots", help="output directory (created)")
    args = p.parse_args(argv)
    for path in plot_all(args.results, args.out):
        print(path)
    return 0


def report_main(argv=None) -> int:
    from .report import write_report
    p = argparse.ArgumentParser(prog="report.py",
                                description="One self-contained HTML report of a results file.")
    p.add_argument("results", help="hedgemap results file (.h5)")
    p.add_argument("-o", "--output", default="report.html", help="HTML file to write")
    args = p.parse_args(argv)
    print(write_report(args.results, args.output))
    return 0


def describe_main(argv=None) -> int:
    from .results import describe, load
    for path in (argv if argv is not None else sys.argv[1:]):
        print(describe(load(path)))
    return 0


def fit_main(argv=None) -> int:
    from .law import fit
    from .plots import plot_law
    p = argparse.ArgumentParser(prog="hedgemap fit",
                                description="Fit threshold laws to a results file's optima.")
    p.add_argument("results", help="hedgemap results file (.h5)")
    p.add_argument("--policy", default="delta_band", help="hedging policy (default delta_band)")
    p.add_argument("-o", "--output", default=None, help="law file to write (JSON)")
    p.add_argument("--figure", default=None, help="PNG of the law against the optima")
    args = p.parse_args(argv)
    try:
        law = fit(args.results, policy=args.policy)
    except (KeyError, ValueError) as e:
        print(f"hedgemap fit: {e}", file=sys.stderr)
        return 2
    print(law.summary())
    if args.output:
        print(law.to_json(args.output))
    if args.figure:
        print(plot_law(law, args.figure))
    return 0


def predict_main(argv=None) -> int:
    from .law import load_law, predict
    p = argparse.ArgumentParser(prog="hedgemap predict",
                                description="Evaluate a law file at axis=value pairs.")
    p.add_argument("law", help="law file (JSON) of `hedgemap fit`")
    p.add_argument("values", nargs="+", help="axis=value, e.g. volatility=0.7 expiry_days=10")
    p.add_argument("--model", default="surrogate", help="surrogate, proportional or fixed")
    args = p.parse_args(argv)
    values = {}
    for item in args.values:
        key, sep, value = item.partition("=")
        if not sep:
            p.error(f"{item!r}: expected axis=value")
        values[key] = float(value)
    try:
        print(f"{predict(load_law(args.law), model=args.model, **values):.6g}")
    except (TypeError, ValueError) as e:
        print(f"hedgemap predict: {e}", file=sys.stderr)
        return 2
    return 0


COMMANDS = {"fit": fit_main, "predict": predict_main, "plot": plot_main, "report": report_main,
            "describe": describe_main}


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])
