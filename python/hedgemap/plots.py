"""Pictures of a hedgemap results file: `hedgemap.plot(results_or_path, out_dir)` writes PNGs
(`python3 scripts/plot_results.py RESULTS.h5 --out DIR` from the command line).

  optimal_<policy>.png      per hedging policy with a parameter: heatmap of the optimal grid value
                            over volatility x expiry, annotated with the refined value, its
                            bootstrap 90% interval and the bootstrap confidence; cells with
                            confidence < 0.5 are hatched
  objective_<policy>.png    per 1-axis hedging policy and cell: objective - objective at the
                            optimum against the parameter, +-2 paired standard errors (same
                            paths), the near-optimal points filled, the refined optimum and its
                            90% interval shaded (objective_<policy>_expiry_<E>d.png per expiry for
                            grids over 25 cells)
  frontier.png              cost vs hedging error per cell: x = std(P&L), y = mean trading cost,
                            each policy a curve over its parameter (larger marker = larger
                            parameter), +-2 standard errors of std(P&L), the optimum starred,
                            near-optimal points ringed (frontier_expiry_<E>d.png, one per expiry,
                            for grids over 25 cells)
  cppi_expiry_<E>d.png      per expiry: P(V_T < floor) and mean terminal value against the
                            multiplier, one line per tolerance, one column per volatility, +-2 SE
  ww_law.png                optimal delta band (refined, with its 90% interval) against the
                            Whalley-Wilmott cost^(1/3) law (see plot_ww_law)

A file with extra swept axes (`[grid.axes]`) gets every picture once per combination of their
values, the values in the name: optimal_delta_band_gas4_fee_bps5.png. Groups that are absent are
skipped with a note on stdout.
"""
from __future__ import annotations

import math
import os
from typing import List, Optional

import matplotlib

if os.environ.get("MPLBACKEND") is None and not matplotlib.get_backend().lower().startswith(
        ("module://matplotlib_inline", "module://ipykernel", "nbagg", "widget", "ipympl")):
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm, Normalize  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from . import results as hr  # noqa: E402

LOW_CONFIDENCE = 0.5
DPI = 110
POLICY_COLORS = {"none": "black", "periodic": "tab:blue", "delta_band": "tab:orange",
                 "whalley_wilmott": "tab:green", "fixed_cost_band": "tab:red"}
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
    print(f"hedgemap.plot: {msg}")


def _save(fig, out_dir: str, name: str) -> str:
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


def _expiry_tag(e: float) -> str:
    return f"{e:g}".replace(".", "p")


# ---- optimal parameter heatmaps -------------------------------------------------------------
def plot_optimal_heatmaps(r: hr.Results, out_dir: str, tag: str = "") -> List[str]:
    paths = []
    if not r.hedging:
        _note("no /hedging group: optimal-parameter heatmaps skipped")
    for policy, ds in r.hedging.items():
        axes = hr.policy_axis(ds)
        if len(axes) != 1:
            continue  # "none" has no parameter
        axis = axes[0]
        interval = [ds.get(f"optimal_{axis}_refined{end}") for end in ("", "_low", "_high")]
        paths.append(_heatmap(ds[f"optimal_{axis}"], ds["optimal_confidence"], r.root, out_dir,
                              f"optimal_{policy}{tag}.png",
                              f"{policy}: optimal {axis} (grid value) per cell{_title_tag(r)}\n"
                              "below: refined [bootstrap 90% interval]",
                              f"optimal {axis}{_units(ds[axis])}", ds[axis].values, interval))
    return paths


def _cell_values(da):
    return None if da is None else da.transpose("volatility", "expiry_days").values.astype(float)


def _heatmap(value, confidence, root, out_dir, name, title, colorbar_label, ticks=(),
             interval=(None, None, None)) -> str:
    vols, exps = root["volatility"].values, root["expiry_days"].values
    v = value.transpose("volatility", "expiry_days").values.astype(float)
    c = confidence.transpose("volatility", "expiry_days").values.astype(float)
    refined, low_end, high_end = (_cell_values(da) for da in interval)
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
    fig, ax = plt.subplots(figsize=(max(5.0, 1.6 + 1.6 * len(exps)), 1.8 + 0.9 * len(vols)))
    im = ax.imshow(np.ma.masked_invalid(v), origin="lower", aspect="auto", cmap=cmap, norm=norm)
    for i in range(len(vols)):
        for j in range(len(exps)):
            low = np.isfinite(c[i, j]) and c[i, j] < LOW_CONFIDENCE
            if np.isfinite(v[i, j]):
                r_, g_, b_, _ = cmap(norm(v[i, j]))
                dark = 0.299 * r_ + 0.587 * g_ + 0.114 * b_ < 0.5
            else:
                dark = False
            text = _fmt(v[i, j])
            if refined is not None and low_end is not None and high_end is not None:
                text += (f"\n{_fmt(refined[i, j])} [{_fmt(low_end[i, j])}, "
                         f"{_fmt(high_end[i, j])}]")
            ax.text(j, i, f"{text}\nconf {_fmt(c[i, j])}", ha="center", va="center",
                    fontsize=7 if refined is not None else 8, color="white" if dark else "black",
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


def plot_frontiers(r: hr.Results, out_dir: str, tag: str = "") -> List[str]:
    if not r.hedging:
        _note("no /hedging group: cost vs hedging-error frontier skipped")
        return []
    vols, exps = r.root["volatility"].values, r.root["expiry_days"].values
    if len(vols) * len(exps) <= 25:
        return [_frontier_figure(r, out_dir, list(exps), f"frontier{tag}.png")]
    return [_frontier_figure(r, out_dir, [e], f"frontier_expiry_{_expiry_tag(e)}d{tag}.png")
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
                    if "near_optimal" in cell:
                        near = cell["near_optimal"].values.ravel().astype(bool)
                        ax.plot(x[near], y[near], "o", ms=11, mfc="none", mec=color, mew=1.0)
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
    ring = plt.Line2D([], [], ls="none", marker="o", mfc="none", mec="grey", ms=11,
                      label="near-optimal (within 2 paired SE)")
    fig.legend(handles=list(handles.values()) + [star, size, ring], loc="lower center",
               ncol=min(7, len(handles) + 3), fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    fig.suptitle("Cost vs hedging error per cell (error bars: +-2 standard errors of the std; "
                 f"log x){_title_tag(r)}", fontsize=10)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return _save(fig, out_dir, name)


# ---- CPPI ----------------------------------------------------------------------------------
def plot_cppi(r: hr.Results, out_dir: str, tag: str = "") -> List[str]:
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
        fig.suptitle(f"CPPI, horizon {e:g} {days} (error bars: +-2 standard errors)"
                     f"{_title_tag(r)}", fontsize=10)
        rows = math.ceil(len(labels) / min(4, len(labels)))
        fig.tight_layout(rect=(0, 0.04 + 0.03 * rows, 1, 0.97))
        paths.append(_save(fig, out_dir, f"cppi_expiry_{_expiry_tag(e)}d{tag}.png"))
    return paths


# ---- Whalley-Wilmott cost^(1/3) law -----------------------------------------------------------
def _bs_gamma(spot, strike, vol, tau, rate):
    d1 = (np.log(spot / strike) + (rate + 0.5 * vol * vol) * tau) / (vol * np.sqrt(tau))
    return np.exp(-0.5 * d1 * d1) / np.sqrt(2 * np.pi) / (spot * vol * np.sqrt(tau))


def ww_law_shape(scenario: dict, vol, expiry_days, days_per_year=365.0):
    """(3/2 e^{-rT} lambda S Gamma^2)^{1/3} on the broadcast of vol and expiry_days, or None.

    The Whalley-Wilmott half-width is H = (3/2 e^{-rT} lambda S Gamma^2 / gamma)^{1/3}, so
    H = gamma^{-1/3} * shape. Gamma: Black-Scholes gamma of the whole book at t = 0 (Merton jumps
    ignored); lambda = the fee rate, the proportional cost (as host/families/hedging.cpp: gas is
    the fixed_cost_band's cost, and impact costs nothing per notional at zero size); r, S, fee
    from the scenario.
    """
    books = scenario.get("book", [])
    if not books:
        return None
    market, costs = scenario.get("market", {}), scenario.get("costs", {})
    spot, rate = float(market.get("spot", np.nan)), float(market.get("rate", 0.0))
    lam = float(costs.get("fee_bps", 0.0)) * 1e-4
    vol = np.asarray(vol, dtype=float)
    tau = np.asarray(expiry_days, dtype=float) / days_per_year
    gamma = sum(float(b["quantity"]) * _bs_gamma(spot, float(b["strike"]) * spot, vol, tau, rate)
                for b in books)
    shape = (1.5 * np.exp(-rate * tau) * lam * spot * gamma ** 2) ** (1.0 / 3.0)
    return shape if np.all(np.isfinite(shape)) and np.any(shape > 0) else None


def _cell_ww_shape(r: hr.Results):
    days = float(r.root.attrs.get("days_per_year", r.scenario.get("days_per_year", 365)))
    return ww_law_shape(r.scenario, r.root["volatility"].values[:, None],
                        r.root["expiry_days"].values[None, :], days)


def plot_ww_law(r: hr.Results, out_dir: str, tag: str = "") -> List[str]:
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
    h_low, h_high = (_cell_values(ds.get(f"optimal_band_refined{end}")) for end in ("_low", "_high"))
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
        yerr = None
        if h_low is not None and h_high is not None:  # the bootstrap 90% interval
            yerr = np.abs(np.vstack([h_opt[:, j] - h_low[:, j], h_high[:, j] - h_opt[:, j]]))
        left.errorbar(x, h_opt[:, j], yerr=yerr, fmt=marker, color=colors[j], ms=7, capsize=2,
                      elinewidth=0.8, label=f"optimal band, {e:g} d")
        at_edge = edge[:, j]
        if at_edge.any():
            left.plot(x[at_edge], h_opt[at_edge, j], marker, ms=13, mfc="none", mec="red",
                      ls="none", label="at the grid edge (not fitted)" if not edge[:, :j].any()
                      else None)
        law = ww_law_shape(r.scenario, fine, e, days)
        if law is not None and scale is not None:
            left.plot(fine, scale * law, "--", color=colors[j], lw=1)
    left.set_yscale("log")
    left.set_xlabel(VOL_LABEL)
    left.set_ylabel(f"delta band half-width{_units(ds['band'])}")
    left.set_title("Optimal delta band (refined between grid points, bootstrap 90% interval)\n"
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
                    "lambda = the fee rate, Gamma of the book at t = 0",
                    fontsize=9)
    right.legend(fontsize=7, loc="upper left")
    for a in (left.yaxis, right.xaxis, right.yaxis):
        a.set_major_formatter(PLAIN)
        a.set_minor_formatter(PLAIN)
    for a in (right.xaxis, right.yaxis, left.yaxis):
        a.set_tick_params(which="both", labelsize=8)
    fig.tight_layout()
    return [_save(fig, out_dir, f"ww_law{tag}.png")]


# ---- objective profiles: paired standard errors and the near-optimal range -----------------
def plot_objective_profiles(r: hr.Results, out_dir: str, tag: str = "") -> List[str]:
    """Per 1-axis hedging policy: objective - objective at the optimum against the parameter,
    one panel per cell, +-2 paired standard errors (both on the same paths), near-optimal points
    filled, the refined optimum (dashed) and its bootstrap 90% interval (shaded)."""
    paths = []
    vols, exps = r.root["volatility"].values, r.root["expiry_days"].values
    for policy, ds in r.hedging.items():
        axes = hr.policy_axis(ds)
        if len(axes) != 1 or "objective_paired_stderr" not in ds:
            continue
        if len(vols) * len(exps) <= 25:
            paths.append(_profile_figure(r, policy, ds, axes[0], list(exps), out_dir,
                                         f"objective_{policy}{tag}.png"))
        else:
            paths += [_profile_figure(r, policy, ds, axes[0], [e], out_dir,
                                      f"objective_{policy}_expiry_{_expiry_tag(e)}d{tag}.png")
                      for e in exps]
    if not paths:
        _note("no 1-axis hedging group with objective_paired_stderr: objective profiles skipped")
    return paths


def _profile_figure(r: hr.Results, policy: str, ds, axis: str, exps, out_dir: str,
                    name: str) -> str:
    vols = r.root["volatility"].values
    sense = ds.attrs.get("objective_sense", "minimize")
    fig, axes = plt.subplots(len(vols), len(exps), squeeze=False,
                             figsize=(3.2 * len(exps) + 0.6, 2.4 * len(vols) + 1.0))
    grid = ds[axis].values.astype(float)
    geometric = grid.min() > 0 and grid.max() / grid.min() >= 4
    for i, vol in enumerate(vols):
        for j, e in enumerate(exps):
            ax = axes[i, j]
            cell = ds.sel(volatility=vol, expiry_days=e)
            gap = cell["objective"].values - cell["optimal_objective"].item()
            if sense == "maximize":
                gap = -gap  # so that "worse than the optimum" is up in every panel
            se = cell["objective_paired_stderr"].values
            near = cell["near_optimal"].values.astype(bool) if "near_optimal" in cell \
                else np.zeros(len(grid), bool)
            ax.errorbar(grid, gap, yerr=2 * se, fmt="-", color="tab:blue", lw=1, capsize=2,
                        elinewidth=0.8)
            ax.plot(grid[~near], gap[~near], "o", mfc="white", mec="tab:blue", ms=5)
            ax.plot(grid[near], gap[near], "o", color="tab:blue", ms=6)
            refined = cell.get(f"optimal_{axis}_refined")
            low, high = cell.get(f"optimal_{axis}_refined_low"), cell.get(
                f"optimal_{axis}_refined_high")
            if low is not None and high is not None and np.isfinite(low.item()):
                ax.axvspan(low.item(), high.item(), color="tab:orange", alpha=0.25, lw=0)
            if refined is not None and np.isfinite(refined.item()):
                ax.axvline(refined.item(), color="tab:orange", ls="--", lw=1)
            ax.axhline(0, color="grey", lw=0.6)
            # Zoom on the optimum: up to its neighbours' gaps (and their error bars).
            best = int(np.nanargmin(np.where(np.isfinite(gap), np.abs(gap), np.inf))) \
                if np.isfinite(gap).any() else -1
            if best >= 0:
                near_idx = [k for k in (best - 1, best + 1) if 0 <= k < len(gap)]
                top = max([gap[k] + 2 * se[k] for k in near_idx
                           if np.isfinite(gap[k]) and np.isfinite(se[k])] or [0.0])
                if top > 0:
                    ax.set_ylim(-0.15 * top, 1.3 * top)
            if geometric:
                ax.set_xscale("log")
                ax.xaxis.set_major_formatter(PLAIN)
                ax.xaxis.set_minor_formatter(FuncFormatter(_sparse_minor))
            ax.set_title(f"vol {vol:g}, expiry {e:g} d", fontsize=9)
            ax.tick_params(which="both", labelsize=7)
            if j == 0:
                ax.set_ylabel(f"objective - optimum{_units(ds['objective'])}", fontsize=8)
            if i == len(vols) - 1:
                ax.set_xlabel(f"{axis}{_units(ds[axis])}", fontsize=8)
    handles = [plt.Line2D([], [], ls="none", marker="o", color="tab:blue", ms=6,
                          label="near-optimal: within 2 paired SE of the optimum"),
               plt.Line2D([], [], ls="none", marker="o", mfc="white", mec="tab:blue", ms=5,
                          label="resolved as worse"),
               plt.Line2D([], [], color="tab:orange", ls="--", label="refined optimum"),
               Patch(color="tab:orange", alpha=0.25, label="bootstrap 90% interval")]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=8, frameon=False)
    worse = "up" if sense == "minimize" else "up (objective maximised: sign flipped)"
    fig.suptitle(f"{policy}: objective against {axis}, +-2 paired standard errors (same paths); "
                 f"worse is {worse}{_title_tag(r)}", fontsize=10)
    fig.tight_layout(rect=(0, 0.05, 1, 0.96))
    return _save(fig, out_dir, name)


# ---- driver ------------------------------------------------------------------------------------
PLOTS = (plot_optimal_heatmaps, plot_objective_profiles, plot_frontiers, plot_cppi, plot_ww_law)


def _title_tag(r: hr.Results) -> str:
    """", gas 4, fee_bps 5" for a slice of a file with extra swept axes (scalar coordinates)."""
    extra = [d for d in r.root.coords if d not in r.root.dims and d not in hr.GRID_DIMS]
    return "".join(f", {d} {r.root[d].item():g}" for d in extra)


def _name_tag(at: dict) -> str:
    return "".join(f"_{d}{v:g}".replace(".", "p").replace("-", "m") for d, v in at.items())


def plot_all(results, out_dir: str) -> List[str]:
    """Every picture of a results file (path or loaded Results) into out_dir (created); returns
    the paths written. Extra swept axes: every picture per combination of their values."""
    os.makedirs(out_dir, exist_ok=True)
    r = hr.as_results(results)
    paths = []
    for at, part in r.slices():
        for plot in PLOTS:
            paths += plot(part, out_dir, _name_tag(at))
    return paths


plot = plot_all


# ---- a fitted threshold law against the optima -----------------------------------------------
def plot_law(law, path: str = "law.png") -> str:
    """Left: each cell's refined optimum (bootstrap 90% interval) against the surrogate's
    leave-one-cell-out prediction, log-log. Right: optima against volatility, one colour per
    expiry (other axes at their first value), with the surrogate (solid) and, for the delta band,
    the proportional-cost law at its theory exponent (dashed)."""
    from . import law as law_module
    data = law.data if hasattr(law, "data") else law_module.load_law(law).data
    labels = data["labels"]
    names = labels["features"]
    cells = np.asarray(labels["cells"], float)
    value = np.asarray(labels["value"], float)
    sigma = np.asarray(labels["sigma_log"], float)
    censored = np.asarray(labels["censored"], bool)
    use = np.isfinite(value) & (value > 0) & ~censored
    held = np.exp(np.log(value[use]) + np.asarray(data["surrogate"]["held_out"]["log_errors"]))
    parameter, units = data["parameter"], data.get("units", "")
    unit = f" ({units})" if units and units != "1" else ""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6))
    spread = np.exp(Z90_PLOT * sigma[use])
    left.errorbar(held, value[use], yerr=[value[use] - value[use] / spread,
                                         value[use] * spread - value[use]],
                  fmt="o", color="tab:blue", ms=5, capsize=2, elinewidth=0.8,
                  label="refined optimum, 90% label uncertainty")
    lo = min(held.min(), value[use].min()) / 1.3
    hi = max(held.max(), value[use].max()) * 1.3
    left.plot([lo, hi], [lo, hi], "k:", lw=1, label="prediction = optimum")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlim(lo, hi)
    left.set_ylim(lo, hi)
    d = data["diagnostics"]
    left.set_xlabel(f"surrogate, fitted without the cell{unit}")
    left.set_ylabel(f"optimal {parameter}{unit}")
    left.set_title(f"held-out rms error {d['held_out_rms_log']:.3f} in ln {parameter}; grid "
                   f"resolution {d['grid_resolution_log']:.3f}\n({d['labels_used']} cells, "
                   f"{d['censored']} at a grid end left out, {d['trees']} trees)", fontsize=9)
    left.legend(fontsize=7, loc="upper left")
    # Right: against volatility, other axes at the first value.
    vcol, ecol = names.index("volatility"), names.index("expiry_days")
    others = [j for j in range(len(names)) if j not in (vcol, ecol)]
    first = np.ones(len(cells), bool)
    for j in others:
        first &= cells[:, j] == cells[:, j].min()
    exps = np.unique(cells[:, ecol])
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(exps)))
    fine = np.geomspace(cells[:, vcol].min(), cells[:, vcol].max(), 50)
    laws = data.get("asymptotic", {})
    kind = min(laws, key=lambda k: laws[k]["rms_log_residual_at_theory_exponent"]) if laws \
        else None  # the asymptotic law that fits best at its theory exponent
    fit = laws.get(kind)
    for k, e in enumerate(exps):
        at = first & (cells[:, ecol] == e)
        ok = at & use
        if ok.any():
            yerr = [value[ok] - value[ok] / np.exp(Z90_PLOT * sigma[ok]),
                    value[ok] * np.exp(Z90_PLOT * sigma[ok]) - value[ok]]
            right.errorbar(cells[ok, vcol], value[ok], yerr=yerr, fmt="o", color=colors[k], ms=5,
                           capsize=2, elinewidth=0.8, label=f"optimum, {e:g} d")
        cut = at & censored & np.isfinite(value)
        if cut.any():
            right.plot(cells[cut, vcol], value[cut], "x", color=colors[k], ms=7)
        row = {n: np.full_like(fine, cells[first, j].min() if j in others else 0.0)
               for j, n in enumerate(names)}
        row["volatility"], row["expiry_days"] = fine, np.full_like(fine, e)
        right.plot(fine, law_module.predict(law, **row), "-", color=colors[k], lw=1.2)
        if fit is not None:
            theory = dict(fit, constant=fit["constant_at_theory_exponent"],
                          exponent=fit["theory_exponent"])
            from .asymptotic import predict_law
            right.plot(fine, predict_law(theory, kind, row, data["driver_inputs"]),
                       "--", color=colors[k], lw=1)
    right.set_xscale("log")
    right.set_yscale("log")
    for a in (right.xaxis, right.yaxis, left.xaxis, left.yaxis):
        a.set_major_formatter(PLAIN)
        a.set_minor_formatter(FuncFormatter(_sparse_minor))
    right.set_xlabel(VOL_LABEL)
    right.set_ylabel(f"optimal {parameter}{unit}")
    fixed = ", ".join(f"{names[j]} {cells[first, j].min():g}" for j in others)
    title = "solid: surrogate" + (
        f", dashed: {kind}-cost law, exponent {fit['theory_exponent']:.3g} (c fitted)"
        if fit else "")
    right.set_title(title + (f"\nat {fixed}" if fixed else "") + "; x: optimum at a grid end",
                    fontsize=9)
    right.legend(fontsize=7, loc="best")
    fig.suptitle(f"{data['policy']}: threshold law against the simulated optima", fontsize=10)
    fig.tight_layout()
    out_dir = os.path.dirname(os.path.abspath(path))
    os.makedirs(out_dir, exist_ok=True)
    return _save(fig, out_dir, os.path.basename(path))


Z90_PLOT = 1.6448536269514722
