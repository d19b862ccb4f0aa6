"""One self-contained HTML report of a hedgemap results file: `hedgemap.report(results, path)`
(`python3 scripts/report.py RESULTS.h5 -o REPORT.html` from the command line).

Sections: the scenario (root attribute scenario_toml), provenance (every other global
attribute), the optimal thresholds per cell and policy with objective, bootstrap confidence, the
refined optimum's bootstrap 90% interval and the near-optimal range (table id="thresholds", one
<tr> per cell and policy with data-volatility, data-expiry-days, data-policy and, for extra swept
axes, data-<axis> attributes), the best hedging policy per cell, and every plot of
hedgemap.plot as an embedded PNG (base64). Inline CSS, nothing loaded from the network.
"""
from __future__ import annotations

import base64
import html
import os
import tempfile
from typing import List

import numpy as np

from . import plots as plot_results
from . import results as hr

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
    "objective_": "Objective minus its optimum against the parameter, +-2 paired standard "
                  "errors (same paths); filled: near-optimal; shaded: bootstrap 90% interval of "
                  "the refined optimum.",
    "ww_law": "Optimal delta band against the Whalley-Wilmott cost^(1/3) law.",
}


def _num(x) -> str:
    x = float(x)
    return "NaN" if not np.isfinite(x) else f"{x:.6g}"


def _threshold_rows(r: hr.Results) -> List[dict]:
    """One row per (cell of the grid, policy group): parameters, objective, confidence, the
    refined optimum's interval and the near-optimal range (1-axis groups)."""
    rows = []
    for at, part in r.slices():
        groups = [(p, ds) for p, ds in part.hedging.items()]
        groups += [(n, getattr(part, n)) for n in ("cppi", "vol_target")
                   if getattr(part, n) is not None]
        for vol in part.root["volatility"].values:
            for e in part.root["expiry_days"].values:
                for policy, ds in groups:
                    cell = ds.sel(volatility=vol, expiry_days=e)
                    near = hr.near_optimal_range(cell)
                    params = []
                    for axis in hr.policy_axis(ds):
                        value = cell[f"optimal_{axis}"].item()
                        extra = [cell.get(f"optimal_{axis}_refined{end}")
                                 for end in ("", "_low", "_high")]
                        params.append((axis, value, *(None if x is None else x.item()
                                                      for x in extra)))
                    rows.append({"volatility": vol, "expiry_days": e, "at": at,
                                 "policy": policy, "params": params,
                                 "objective": cell["optimal_objective"].item(),
                                 "sense": ds.attrs.get("objective_sense", ""),
                                 "confidence": cell["optimal_confidence"].item(),
                                 "near": None if near is None else
                                 (near[0].item(), near[1].item())})
    return rows


def _thresholds_table(r: hr.Results) -> str:
    extra = r.extra_dims
    out = ['<table id="thresholds"><tr><th>volatility</th><th>expiry (days)</th>'
           "<th>policy</th><th>parameter = optimal grid value</th><th>refined</th>"
           "<th>optimal objective</th><th>sense</th><th>confidence</th>"
           "<th>refined: bootstrap 90% interval</th>"
           "<th>near-optimal range (within 2 paired SE)</th>"
           + "".join(f"<th>{html.escape(d)}</th>" for d in extra) + "</tr>"]
    for row in _threshold_rows(r):
        conf = row["confidence"]
        low = np.isfinite(conf) and conf < plot_results.LOW_CONFIDENCE
        params = ", ".join(f"{html.escape(p[0])} = {_num(p[1])}" for p in row["params"]) or "-"
        refined = ", ".join(_num(p[2]) for p in row["params"] if p[2] is not None) or "-"
        interval = ", ".join(f"{_num(p[3])} .. {_num(p[4])}" for p in row["params"]
                             if p[3] is not None and p[4] is not None) or "-"
        near = "-" if row["near"] is None else f"{_num(row['near'][0])} .. {_num(row['near'][1])}"
        data_extra = "".join(f' data-{html.escape(d)}="{v:g}"' for d, v in row["at"].items())
        out.append(
            f'<tr class="{"low" if low else "ok"}" data-volatility="{row["volatility"]:g}" '
            f'data-expiry-days="{row["expiry_days"]:g}"{data_extra} '
            f'data-policy="{html.escape(row["policy"])}">'
            f'<td>{row["volatility"]:g}</td><td>{row["expiry_days"]:g}</td>'
            f'<td class="text">{html.escape(row["policy"])}</td>'
            f'<td class="text params">{params}</td><td class="refined">{refined}</td>'
            f'<td class="objective">{_num(row["objective"])}</td>'
            f'<td class="text">{html.escape(str(row["sense"]))}</td>'
            f'<td class="confidence">{_num(conf)}</td>'
            f'<td class="interval">{interval}</td><td class="near">{near}</td>'
            + "".join(f"<td>{v:g}</td>" for v in row["at"].values()) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _best_table(r: hr.Results) -> str:
    if r.best_policy_names() is None:
        return "<p>No /best group (no hedging family in the scenario).</p>"
    out = []
    for at, part in r.slices():
        names = part.best_policy_names()
        exps = part.root["expiry_days"].values
        where = ", ".join(f"{d} = {v:g}" for d, v in at.items())
        out.append(f"<p>{html.escape(where)}</p>" if where else "")
        out.append('<table class="best"><tr><th>volatility \\ expiry (days)</th>'
                   + "".join(f"<th>{e:g}</th>" for e in exps) + "</tr>")
        for vol in part.root["volatility"].values:
            cells = "".join(
                '<td class="text">'
                f'{html.escape(str(names.sel(volatility=vol, expiry_days=e).item()) or "-")}</td>'
                for e in exps)
            out.append(f"<tr><th>{vol:g}</th>{cells}</tr>")
        out.append("</table>")
    return "\n".join(o for o in out if o)


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


def build_report(results) -> str:
    """The report's HTML text for a results file (path or loaded Results)."""
    r = hr.as_results(results)
    with tempfile.TemporaryDirectory(prefix="hedgemap-report-") as tmp:
        figures = _figures(plot_results.plot_all(r, tmp))
    title = html.escape(str(r.attrs.get("title", "hedgemap results")))
    grid = " x ".join(f"{r.root.sizes[d]} {d}" for d in r.grid_dims)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{CSS}</style></head><body>
<h1>{title}</h1>
<p>File <code>{html.escape(os.path.basename(r.path))}</code>;
{html.escape(grid)} cells, {html.escape(str(r.attrs.get("paths", "?")))} paths per cell.</p>
<h2>Optimal thresholds</h2>
<p>Per cell and policy: the grid value of each parameter that optimises the objective, the value
refined between grid points (1-D policies), the objective there, the share of bootstrap
resamples that pick the same grid value (red: below {plot_results.LOW_CONFIDENCE:g}), the 5% and
95% percentiles of the refined optimum over those resamples, and the range of grid values whose
objective is within 2 paired standard errors of the optimum's (same paths): any of them is about
as good.</p>
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


def write_report(results, output: str) -> str:
    """Writes the report of `results` (path or Results) to `output`; returns its path."""
    text = build_report(results)
    with open(output, "w", encoding="utf-8") as f:
        f.write(text)
    return output


report = write_report
