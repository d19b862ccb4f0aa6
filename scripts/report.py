#!/usr/bin/python3
"""One self-contained HTML report of a hedgemap results file:
`report.py RESULTS.h5 -o REPORT.html`.

Sections: the scenario (root attribute scenario_toml), provenance (every other global
attribute), the optimal thresholds per cell and policy with objective and bootstrap confidence
(table id="thresholds", one <tr> per cell and policy with data-volatility, data-expiry-days and
data-policy attributes), the best hedging policy per cell, and every plot of plot_results.py as
an embedded PNG (base64). Inline CSS, nothing loaded from the network. Run with /usr/bin/python3.
"""
from __future__ import annotations

import argparse
import base64
import html
import os
import sys
import tempfile
from typing import List

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hedgemap_results as hr  # noqa: E402
import plot_results  # noqa: E402

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
table { border-collapse: collapse; font-size: 0.85em; margin-bottom: 1em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #eee; } td.text { text-align: left; }
tr.low td.confidence { color: #b00; font-weight: bold; }
figure { margin: 1em 0; } figcaption { font-size: 0.85em; color: #555; }
img { max-width: 100%; }
"""

CAPTIONS = {
    "optimal_": "Optimal parameter per cell (grid value); hatched: bootstrap confidence < 0.5.",
    "frontier": "Mean trading cost against the standard deviation of the hedger's P&L; each "
                "policy a curve over its parameter, the optimum starred, +-2 standard errors.",
    "cppi_": "CPPI: probability of ending below the floor and mean terminal value against the "
             "multiplier, one line per tolerance, +-2 standard errors.",
    "ww_law": "Optimal delta band against the Whalley-Wilmott cost^(1/3) law.",
}


def _num(x) -> str:
    x = float(x)
    return "NaN" if not np.isfinite(x) else f"{x:.6g}"


def _threshold_rows(r: hr.Results) -> List[dict]:
    """One row per (volatility, expiry, policy group): parameters, objective, confidence."""
    groups = [(p, ds) for p, ds in r.hedging.items()]
    groups += [(n, getattr(r, n)) for n in ("cppi", "vol_target") if getattr(r, n) is not None]
    rows = []
    for vol in r.root["volatility"].values:
        for e in r.root["expiry_days"].values:
            for policy, ds in groups:
                cell = ds.sel(volatility=vol, expiry_days=e)
                params = []
                for axis in hr.policy_axis(ds):
                    value = cell[f"optimal_{axis}"].item()
                    refined = cell.get(f"optimal_{axis}_refined")
                    params.append((axis, value, None if refined is None else refined.item()))
                rows.append({"volatility": vol, "expiry_days": e, "policy": policy,
                             "params": params,
                             "objective": cell["optimal_objective"].item(),
                             "sense": ds.attrs.get("objective_sense", ""),
                             "confidence": cell["optimal_confidence"].item()})
    return rows


def _thresholds_table(r: hr.Results) -> str:
    out = ['<table id="thresholds"><tr><th>volatility</th><th>expiry (days)</th>'
           "<th>policy</th><th>parameter = optimal grid value</th><th>refined</th>"
           "<th>optimal objective</th><th>sense</th><th>confidence</th></tr>"]
    for row in _threshold_rows(r):
        conf = row["confidence"]
        low = np.isfinite(conf) and conf < plot_results.LOW_CONFIDENCE
        params = ", ".join(f"{html.escape(a)} = {_num(v)}" for a, v, _ in row["params"]) or "-"
        refined = ", ".join(_num(rf) for _, _, rf in row["params"] if rf is not None) or "-"
        out.append(
            f'<tr class="{"low" if low else "ok"}" data-volatility="{row["volatility"]:g}" '
            f'data-expiry-days="{row["expiry_days"]:g}" '
            f'data-policy="{html.escape(row["policy"])}">'
            f'<td>{row["volatility"]:g}</td><td>{row["expiry_days"]:g}</td>'
            f'<td class="text">{html.escape(row["policy"])}</td>'
            f'<td class="text params">{params}</td><td class="refined">{refined}</td>'
            f'<td class="objective">{_num(row["objective"])}</td>'
            f'<td class="text">{html.escape(str(row["sense"]))}</td>'
            f'<td class="confidence">{_num(conf)}</td></tr>')
    out.append("</table>")
    return "\n".join(out)


def _best_table(r: hr.Results) -> str:
    names = r.best_policy_names()
    if names is None:
        return "<p>No /best group (no hedging family in the scenario).</p>"
    exps = r.root["expiry_days"].values
    out = ['<table id="best"><tr><th>volatility \\ expiry (days)</th>'
           + "".join(f"<th>{e:g}</th>" for e in exps) + "</tr>"]
    for vol in r.root["volatility"].values:
        cells = "".join(f'<td class="text">{html.escape(str(names.sel(volatility=vol, expiry_days=e).item()) or "-")}</td>'
                        for e in exps)
        out.append(f"<tr><th>{vol:g}</th>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _provenance_table(r: hr.Results) -> str:
    rows = "".join(f'<tr><th class="text">{html.escape(k)}</th>'
                   f'<td class="text">{html.escape(str(v))}</td></tr>'
                   for k, v in r.attrs.items() if k != "scenario_toml")
    return f'<table id="provenance">{rows}</table>'


def _figures(paths: List[str]) -> str:
    out = []
    for path in paths:
        name = os.path.basename(path)
        caption = next((c for k, c in CAPTIONS.items() if name.startswith(k)), "")
        with open(path, "rb") as f:
            data = base64.b64encode(f.read()).decode("ascii")
        out.append(f'<figure id="{html.escape(name)}"><img alt="{html.escape(name)}" '
                   f'src="data:image/png;base64,{data}"><figcaption>{html.escape(name)}: '
                   f"{html.escape(caption)}</figcaption></figure>")
    return "\n".join(out)


def build_report(results_path: str) -> str:
    r = hr.load(results_path)
    with tempfile.TemporaryDirectory(prefix="hedgemap-report-") as tmp:
        figures = _figures(plot_results.plot_all(results_path, tmp))
    title = html.escape(str(r.attrs.get("title", "hedgemap results")))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{CSS}</style></head><body>
<h1>{title}</h1>
<p>File <code>{html.escape(os.path.basename(results_path))}</code>;
{r.root.sizes["volatility"]} volatilities x {r.root.sizes["expiry_days"]} expiries,
{html.escape(str(r.attrs.get("paths", "?")))} paths per cell.</p>
<h2>Optimal thresholds</h2>
<p>Per cell and policy: the grid value of each parameter that optimises the objective, the value
refined between grid points (1-D policies), the objective there, and the share of bootstrap
resamples that pick the same grid value (red: below {plot_results.LOW_CONFIDENCE:g}).</p>
{_thresholds_table(r)}
<h2>Best hedging policy per cell</h2>
{_best_table(r)}
<h2>Plots</h2>
{figures}
<h2>Scenario</h2>
<pre id="scenario">{html.escape(str(r.attrs.get("scenario_toml", "(no scenario_toml attribute)")))}</pre>
<h2>Provenance</h2>
{_provenance_table(r)}
</body></html>
"""


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("results", help="hedgemap results file (.h5)")
    p.add_argument("-o", "--output", default="report.html", help="HTML file to write")
    args = p.parse_args(argv)
    text = build_report(args.results)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
