#!/usr/bin/python3
"""Pictures of a hedgemap results file: `plot_results.py RESULTS.h5 --out DIR` writes PNGs.

  optimal_<policy>.png      per hedging policy with a parameter: heatmap of the optimal grid value
                            over volatility x expiry, annotated with the value and the bootstrap
                            confidence; cells with confidence < 0.5 are hatched
  frontier.png              cost vs hedging error per cell: x = std(P&L), y = mean trading cost,
                            each policy a curve over its parameter (larger marker = larger
                            parameter), +-2 standard errors of std(P&L), the optimum starred
                            (frontier_expiry_<E>d.png, one per expiry, for grids over 25 cells)
  cppi_expiry_<E>d.png      per expiry: P(V_T < floor) and mean terminal value against the
                            multiplier, one line per tolerance, one column per volatility, +-2 SE
  ww_law.png                optimal delta band against the Whalley-Wilmott cost^(1/3) law
                            (see plot_ww_law for the formula and what is fitted)

Groups that are absent are skipped with a note on stdout. Run with /usr/bin/python3 (Debian's
python3-matplotlib, -xarray, -h5netcdf).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from typing import List, Optional

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm, Normalize  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hedgemap_results as hr  # noqa: E402

LOW_CONFIDENCE = 0.5
DPI = 110
POLICY_COLORS = {"none": "black", "periodic": "tab:blue", "delta_band": "tab:orange",
                 "whalley_wilmott": "tab:green"}
VOL_LABEL = "volatility (annualized)"
EXPIRY_LABEL = "expiry (days)"


PLAIN = FuncFormatter(lambda v, _: f"{v:g}")


def _sparse_minor(v, _):
    """Minor log tick labels only at 2 and 5 times a power of ten (keeps labels apart)."""
    mantissa = v / 10 ** math.floor(math.log10(v)) if v > 0 else 0
    return f"{v:g}" if round(mantissa) in (2, 5) and abs(mantissa - round(mantissa)) < 1e-6 else ""


def _fmt(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.3g}"


def _units(da) -> str:
    u = str(da.attrs.get("units", ""))
    return "" if u in ("", "1") else f" ({u})"


def _note(msg: str) -> None:
    print(f"plot_results: {msg}")


def _save(fig, out_dir: str, name: str) -> str:
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


def _expiry_tag(e: float) -> str:
    return f"{e:g}".replace(".", "p")


# ---- optimal parameter heatmaps -------------------------------------------------------------
def plot_optimal_heatmaps(r: hr.Results, out_dir: str) -> List[str]:
    paths = []
    if not r.hedging:
        _note("no /hedging group: optimal-parameter heatmaps skipped")
    for policy, ds in r.hedging.items():
        axes = hr.policy_axis(ds)
        if len(axes) != 1:
            continue  # "none" has no parameter
        axis = axes[0]
        paths.append(_heatmap(ds[f"optimal_{axis}"], ds["optimal_confidence"], r.root, out_dir,
                              f"optimal_{policy}.png",
                              f"{policy}: optimal {axis} (grid value) per cell",
                              f"optimal {axis}{_units(ds[axis])}", ds[axis].values))
    return paths


def _heatmap(value, confidence, root, out_dir, name, title, colorbar_label, ticks=()) -> str:
    vols, exps = root["volatility"].values, root["expiry_days"].values
    v = value.transpose("volatility", "expiry_days").values.astype(float)
    c = confidence.transpose("volatility", "expiry_days").values.astype(float)
    # Colour scale over the whole parameter grid (ticks = grid values), log for geometric grids.
    finite = np.asarray(ticks, dtype=float) if len(ticks) else v[np.isfinite(v)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() >= 4:
        norm = LogNorm(finite.min(), finite.max())
    elif finite.size and finite.max() > finite.min():
        norm = Normalize(finite.min(), finite.max())
    elif finite.size:
        norm = Normalize(finite.min() - 0.5, finite.max() + 0.5)
    else:
        norm = Normalize(0, 1)
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("lightgrey")
    fig, ax = plt.subplots(figsize=(max(5.0, 1.6 + 1.25 * len(exps)), 1.6 + 0.8 * len(vols)))
    im = ax.imshow(np.ma.masked_invalid(v), origin="lower", aspect="auto", cmap=cmap, norm=norm)
    for i in range(len(vols)):
        for j in range(len(exps)):
            low = np.isfinite(c[i, j]) and c[i, j] < LOW_CONFIDENCE
            if np.isfinite(v[i, j]):
                r_, g_, b_, _ = cmap(norm(v[i, j]))
                dark = 0.299 * r_ + 0.587 * g_ + 0.114 * b_ < 0.5
            else:
                dark = False
            ax.text(j, i, f"{_fmt(v[i, j])}\nconf {_fmt(c[i, j])}", ha="center", va="center",
                    fontsize=8, color="white" if dark else "black",
                    fontweight="normal" if low else "bold")
            if low:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///",
                                       edgecolor="red", linewidth=0.0, alpha=0.6))
    ax.set_xticks(range(len(exps)), [f"{e:g}" for e in exps])
    ax.set_yticks(range(len(vols)), [f"{s:g}" for s in vols])
    ax.set_xlabel(EXPIRY_LABEL)
    ax.set_ylabel(VOL_LABEL)
    ax.set_title(title, fontsize=10)
    bar = fig.colorbar(im, ax=ax, label=colorbar_label)
    ticks = [t for t in ticks if norm.vmin <= t <= norm.vmax]
    if ticks:
        bar.set_ticks(ticks, labels=[f"{t:g}" for t in ticks])
        bar.ax.minorticks_off()
    ax.legend(handles=[Patch(facecolor="none", edgecolor="red", hatch="///",
                             label=f"low confidence (< {LOW_CONFIDENCE:g} of bootstrap "
                                   "resamples agree)")],
              loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize=8, frameon=False)
    return _save(fig, out_dir, name)


# ---- cost vs hedging-error frontier ---------------------------------------------------------
def _std_stderr(ds, paths: float):
    """Standard error of a sample standard deviation s: s sqrt((kurt_excess + 2) / (4 n))."""
    kurt = ds["pnl_excess_kurtosis"] if "pnl_excess_kurtosis" in ds else 0.0
    return ds["pnl_std"] * np.sqrt(np.maximum(kurt + 2.0, 0.0) / (4.0 * paths))


def plot_frontiers(r: hr.Results, out_dir: str) -> List[str]:
    if not r.hedging:
        _note("no /hedging group: cost vs hedging-error frontier skipped")
        return []
    vols, exps = r.root["volatility"].values, r.root["expiry_days"].values
    if len(vols) * len(exps) <= 25:
        return [_frontier_figure(r, out_dir, list(exps), "frontier.png")]
    return [_frontier_figure(r, out_dir, [e], f"frontier_expiry_{_expiry_tag(e)}d.png")
            for e in exps]


def _frontier_figure(r: hr.Results, out_dir: str, exps, name: str) -> str:
    vols = r.root["volatility"].values
    paths = float(r.root.attrs.get("paths", np.nan))
    some = next(iter(r.hedging.values()))
    xunit, yunit = _units(some["pnl_std"]), _units(some["cost_mean"])
    fig, axes = plt.subplots(len(vols), len(exps), squeeze=False, sharex=False,
                             figsize=(3.4 * len(exps) + 0.6, 2.7 * len(vols) + 0.9))
    handles = {}
    for i, vol in enumerate(vols):
        for j, e in enumerate(exps):
            ax = axes[i, j]
            for policy, ds in r.hedging.items():
                cell = ds.sel(volatility=vol, expiry_days=e)
                x, y = cell["pnl_std"].values.ravel(), cell["cost_mean"].values.ravel()
                xerr = 2 * _std_stderr(cell, paths).values.ravel()
                color = POLICY_COLORS.get(policy, None)
                sizes = np.linspace(3, 8, len(x)) if len(x) > 1 else [6]
                h = ax.errorbar(x, y, xerr=xerr, color=color, lw=1.2, capsize=2, elinewidth=0.8,
                                marker="none" if len(x) > 1 else "s", ms=6,
                                label=policy)
                handles.setdefault(policy, h)
                if len(x) > 1:
                    for xi, yi, si in zip(x, y, sizes):
                        ax.plot(xi, yi, "o", color=color, ms=si, mec="white", mew=0.5)
                    axis = hr.policy_axis(ds)[0]
                    best = cell[f"optimal_{axis}"].item()
                    if np.isfinite(best):
                        k = int(np.argmin(np.abs(cell[axis].values - best)))
                        ax.plot(x[k], y[k], "*", color=color, ms=13, mec="black", mew=0.6)
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(PLAIN)
            lo, hi = ax.get_xlim()
            ax.xaxis.set_minor_formatter(PLAIN if hi / lo < 3 else FuncFormatter(_sparse_minor))
            ax.set_title(f"vol {vol:g}, expiry {e:g} d", fontsize=9)
            ax.tick_params(which="both", labelsize=7)
            if j == 0:
                ax.set_ylabel(f"mean trading cost{yunit}", fontsize=8)
            if i == len(vols) - 1:
                ax.set_xlabel(f"std of hedger P&L{xunit}", fontsize=8)
    star = plt.Line2D([], [], ls="none", marker="*", color="grey", mec="black", ms=11,
                      label="optimum of the objective")
    size = plt.Line2D([], [], ls="none", marker="o", color="grey", ms=7,
                      label="larger marker = larger parameter")
    fig.legend(handles=list(handles.values()) + [star, size], loc="lower center",
               ncol=min(6, len(handles) + 2), fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    fig.suptitle("Cost vs hedging error per cell (error bars: +-2 standard errors of the std; "
                 "log x)", fontsize=10)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return _save(fig, out_dir, name)


# ---- CPPI ----------------------------------------------------------------------------------
def plot_cppi(r: hr.Results, out_dir: str) -> List[str]:
    if r.cppi is None:
        _note("no /cppi group: CPPI plots skipped")
        return []
    ds = r.cppi
    gap_max = r.scenario.get("cppi", {}).get("objective", {}).get("gap_probability_max")
    vols, exps = r.root["volatility"].values, r.root["expiry_days"].values
    tols = ds["tolerance"].values
    colors = plt.get_cmap("plasma")(np.linspace(0, 0.85, len(tols)))
    paths = []
    for e in exps:
        fig, axes = plt.subplots(2, len(vols), squeeze=False, sharex=True, sharey="row",
                                 figsize=(3.3 * len(vols) + 0.6, 6.2))
        for j, vol in enumerate(vols):
            cell = ds.sel(volatility=vol, expiry_days=e)
            m = cell["multiplier"].values
            for k, t in enumerate(tols):
                c = cell.sel({"tolerance": t})  # sel(tolerance=) is a keyword
                axes[0, j].errorbar(m, 100 * c["gap_probability"].values, marker="o", ms=3,
                                    yerr=200 * c["gap_probability_stderr"].values, color=colors[k],
                                    capsize=2, lw=1.1, label=f"tolerance {t:g}")
                axes[1, j].errorbar(m, c["terminal_mean"].values, marker="o", ms=3,
                                    yerr=2 * c["terminal_stderr"].values, color=colors[k], capsize=2,
                                    lw=1.1)
            if gap_max is not None:
                axes[0, j].axhline(100 * gap_max, color="red", ls="--", lw=1)
            bm, bt = cell["optimal_multiplier"].item(), cell["optimal_tolerance"].item()
            if np.isfinite(bm) and np.isfinite(bt):
                best = cell.sel({"multiplier": bm, "tolerance": bt})
                axes[1, j].plot(bm, best["terminal_mean"].item(), "*", ms=14, color="gold",
                                mec="black", zorder=5)
            axes[0, j].set_title(f"vol {vol:g}", fontsize=9)
            axes[1, j].set_xlabel("multiplier")
            for a in axes[:, j]:
                a.tick_params(labelsize=7)
            axes[1, j].yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        axes[0, 0].set_ylabel("P(V_T < floor) (%)")
        axes[1, 0].set_ylabel(f"mean terminal value\n{_units(ds['terminal_mean']).strip()}")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        if gap_max is not None:
            handles.append(plt.Line2D([], [], color="red", ls="--"))
            labels.append(f"gap probability limit {100 * gap_max:g}%")
        handles.append(plt.Line2D([], [], ls="none", marker="*", ms=12, color="gold",
                                  mec="black"))
        labels.append("optimum")
        fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8,
                   frameon=False)
        days = "day" if e == 1 else "days"
        fig.suptitle(f"CPPI, horizon {e:g} {days} (error bars: +-2 standard errors)", fontsize=10)
        rows = math.ceil(len(labels) / min(4, len(labels)))
        fig.tight_layout(rect=(0, 0.04 + 0.03 * rows, 1, 0.97))
        paths.append(_save(fig, out_dir, f"cppi_expiry_{_expiry_tag(e)}d.png"))
    return paths


# ---- Whalley-Wilmott cost^(1/3) law -----------------------------------------------------------
def _bs_gamma(spot, strike, vol, tau, rate):
    d1 = (np.log(spot / strike) + (rate + 0.5 * vol * vol) * tau) / (vol * np.sqrt(tau))
    return np.exp(-0.5 * d1 * d1) / np.sqrt(2 * np.pi) / (spot * vol * np.sqrt(tau))


def ww_law_shape(scenario: dict, vol, expiry_days, steps, days_per_year=365.0):
    """(3/2 e^{-rT} lambda S Gamma^2)^{1/3} on the broadcast of vol and expiry_days, or None.

    The Whalley-Wilmott half-width is H = (3/2 e^{-rT} lambda S Gamma^2 / gamma)^{1/3}, so
    H = gamma^{-1/3} * shape. Gamma: Black-Scholes gamma of the whole book at t = 0 (Merton jumps
    ignored); lambda = fee + gas per notional of a typical trade |Gamma| S sigma sqrt(dt) (as
    host/families/hedging.cpp, but without price impact); r, S, fee, gas from the scenario.
    """
    books = scenario.get("book", [])
    if not books:
        return None
    market, costs = scenario.get("market", {}), scenario.get("costs", {})
    spot, rate = float(market.get("spot", np.nan)), float(market.get("rate", 0.0))
    fee, gas = float(costs.get("fee_bps", 0.0)) * 1e-4, float(costs.get("gas", 0.0))
    vol = np.asarray(vol, dtype=float)
    tau = np.asarray(expiry_days, dtype=float) / days_per_year
    dt = tau / np.asarray(steps, dtype=float)
    gamma = sum(float(b["quantity"]) * _bs_gamma(spot, float(b["strike"]) * spot, vol, tau, rate)
                for b in books)
    typical_notional = np.abs(gamma) * spot * vol * np.sqrt(dt) * spot
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = fee + np.where(typical_notional > 0, gas / typical_notional, 0.0)
    shape = (1.5 * np.exp(-rate * tau) * lam * spot * gamma ** 2) ** (1.0 / 3.0)
    return shape if np.all(np.isfinite(shape)) and np.any(shape > 0) else None


def _cell_ww_shape(r: hr.Results):
    days = float(r.root.attrs.get("days_per_year", r.scenario.get("days_per_year", 365)))
    return ww_law_shape(r.scenario, r.root["volatility"].values[:, None],
                        r.root["expiry_days"].values[None, :], r.root["steps"].values[None, :],
                        days)


def plot_ww_law(r: hr.Results, out_dir: str) -> List[str]:
    """Left: optimal delta band vs volatility per expiry, with the WW law (gamma fitted by least
    squares in log through all finite optima: log gamma^{-1/3} = mean(log H_opt - log shape)).
    Right: optimal band vs WW band, log-log, at the fitted gamma and, where the whalley_wilmott
    group exists, at each cell's optimal risk_aversion."""
    ds = r.hedging.get("delta_band")
    if ds is None:
        _note("no /hedging/delta_band group: Whalley-Wilmott law plot skipped")
        return []
    shape = _cell_ww_shape(r)
    if shape is None:
        _note("no option book / costs in scenario_toml: Whalley-Wilmott law plot skipped")
        return []
    refined = ds["optimal_band_refined"] if "optimal_band_refined" in ds else ds["optimal_band"]
    h_opt = refined.transpose("volatility", "expiry_days").values.astype(float)
    conf = ds["optimal_confidence"].transpose("volatility", "expiry_days").values
    ok = np.isfinite(h_opt) & (h_opt > 0) & (shape > 0)
    if not ok.any():
        _note("no finite optimal delta band: Whalley-Wilmott law plot skipped")
        return []
    # An optimum at the first or last grid value is censored (the true one may lie beyond):
    # fit through the interior optima when there are any.
    grid = ds["band"].values
    edge = ok & ((h_opt <= grid.min() * (1 + 1e-9)) | (h_opt >= grid.max() * (1 - 1e-9)))
    interior = ok & ~edge
    ww = r.hedging.get("whalley_wilmott")
    g_opt = None
    if ww is not None and "optimal_risk_aversion" in ww:
        g_opt = ww["optimal_risk_aversion"].transpose("volatility", "expiry_days").values
    if interior.any():  # gamma^{-1/3} by least squares in log through the interior optima
        scale = math.exp(np.mean(np.log(h_opt[interior]) - np.log(shape[interior])))
        gamma_label = f"fitted gamma = {scale ** -3:.3g}"
    elif g_opt is not None and np.isfinite(g_opt).any() and np.nanmin(g_opt) > 0:
        gamma_ref = math.exp(np.nanmean(np.log(g_opt)))
        scale = gamma_ref ** (-1.0 / 3.0)
        gamma_label = f"gamma = {gamma_ref:.3g} (whalley_wilmott optima, geometric mean)"
        _note("every optimal delta band is at the grid edge: Whalley-Wilmott law drawn at the "
              "whalley_wilmott group's optima, not fitted")
    else:
        scale, gamma_label = None, "no interior optimum to fit"
        _note("every optimal delta band is at the grid edge: Whalley-Wilmott law not fitted")
    vols, exps = r.root["volatility"].values, r.root["expiry_days"].values
    days = float(r.root.attrs.get("days_per_year", r.scenario.get("days_per_year", 365)))
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(exps)))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6))
    fine = np.linspace(vols.min(), vols.max(), 60) if len(vols) > 1 else vols
    for j, e in enumerate(exps):
        marker = "osD^v<>p"[j % 8]
        # Side by side when optima coincide: a small x offset per expiry.
        x = vols + (j - (len(exps) - 1) / 2) * 0.012 * (np.ptp(vols) or 1.0)
        left.plot(x, h_opt[:, j], marker, color=colors[j], ms=7, ls="none",
                  label=f"optimal band, {e:g} d")
        at_edge = edge[:, j]
        if at_edge.any():
            left.plot(x[at_edge], h_opt[at_edge, j], marker, ms=13, mfc="none", mec="red",
                      ls="none", label="at the grid edge (not fitted)" if not edge[:, :j].any()
                      else None)
        law = ww_law_shape(r.scenario, fine, e, r.root["steps"].values[j], days)
        if law is not None and scale is not None:
            left.plot(fine, scale * law, "--", color=colors[j], lw=1)
    left.set_yscale("log")
    left.set_xlabel(VOL_LABEL)
    left.set_ylabel(f"delta band half-width{_units(ds['band'])}")
    left.set_title("Optimal delta band (refined between grid points)\n"
                   f"dashed: Whalley-Wilmott law, {gamma_label}", fontsize=9)
    left.legend(fontsize=7, loc="best")
    ww_fit = (scale if scale is not None else np.nan) * shape
    points = []
    if scale is not None:
        right.scatter(ww_fit[ok], h_opt[ok], c="tab:orange", edgecolors="black",
                      label=f"WW band at {gamma_label}")
        points += [ww_fit[ok], h_opt[ok]]
    if edge.any() and scale is not None:
        right.scatter(ww_fit[edge], h_opt[edge], s=160, marker="s", facecolors="none",
                      edgecolors="grey", label="at the grid edge (not fitted)")
    low = ok & (conf < LOW_CONFIDENCE)
    if low.any() and scale is not None:
        right.scatter(ww_fit[low], h_opt[low], s=120, facecolors="none", edgecolors="red",
                      label=f"confidence < {LOW_CONFIDENCE:g}")
    if g_opt is not None:
        ww_at_opt = shape * np.where(g_opt > 0, g_opt, np.nan) ** (-1.0 / 3.0)
        k = ok & np.isfinite(ww_at_opt)
        if k.any():
            right.scatter(ww_at_opt[k], h_opt[k], marker="s", c="tab:green", edgecolors="black",
                          label="WW band at the whalley_wilmott group's optimal risk_aversion")
            points += [ww_at_opt[k], h_opt[k]]
    if not points:
        points = [h_opt[ok]]
    allv = np.concatenate(points)
    lo, hi = allv.min() / 1.5, allv.max() * 1.5
    right.plot([lo, hi], [lo, hi], "k:", lw=1, label="optimal band = WW band")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlim(lo, hi)
    right.set_ylim(lo, hi)
    right.set_xlabel(f"Whalley-Wilmott half-width{_units(ds['band'])}")
    right.set_ylabel(f"optimal delta band (refined){_units(ds['band'])}")
    right.set_title("H = (3/2 e^(-rT) lambda S Gamma^2 / gamma)^(1/3), one point per cell\n"
                    "lambda = fee + gas per typical trade, Gamma of the book at t = 0",
                    fontsize=9)
    right.legend(fontsize=7, loc="upper left")
    for a in (left.yaxis, right.xaxis, right.yaxis):
        a.set_major_formatter(PLAIN)
        a.set_minor_formatter(PLAIN)
    for a in (right.xaxis, right.yaxis, left.yaxis):
        a.set_tick_params(which="both", labelsize=8)
    fig.tight_layout()
    return [_save(fig, out_dir, "ww_law.png")]


# ---- driver ------------------------------------------------------------------------------------
def plot_all(results_path: str, out_dir: str) -> List[str]:
    os.makedirs(out_dir, exist_ok=True)
    r = hr.load(results_path)
    try:
        paths = []
        for plot in (plot_optimal_heatmaps, plot_frontiers, plot_cppi, plot_ww_law):
            paths += plot(r, out_dir)
        return paths
    finally:
        r.close()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("results", help="hedgemap results file (.h5)")
    p.add_argument("--out", default="plots", help="output directory (created)")
    args = p.parse_args(argv)
    for path in plot_all(args.results, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
