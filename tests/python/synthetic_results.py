"""A synthetic hedgemap results file written with h5py exactly as host/formats/results_file.cpp lays it
out (same groups, names, dimension scales, attribute types), with made-up but plausible numbers,
so the reader, plots and report can be tested without the simulator.

The numbers follow a simple model with a known answer:
  hedging policy with parameter x and a cell optimum x* (u = +-log(x / x*)):
      cost_mean = A e^{-u},  pnl_std = A e^{u} + S0,  pnl_mean = -cost_mean,
      objective = -pnl_mean + pnl_std = 2 A cosh(u) + S0   (minimum at x = x*)
  delta_band's x* follows the Whalley-Wilmott law of the scenario below with gamma = 1e-3.
  CPPI: gap probability rises with multiplier, tolerance and volatility; objective =
  terminal_mean where gap_probability <= 0.01, else NaN (maximised).

Run `python3 synthetic_results.py OUT.h5` to write one for looking at plots.
"""
from __future__ import annotations

import math
import sys

import h5py
import numpy as np

VOL = [0.5, 0.8, 1.1]
EXPIRY = [1.0, 7.0, 30.0]
DT_HOURS = 2.0
AXES = {  # policy -> (axis name, values, units, integer)
    "periodic": ("every_steps", [1, 2, 4, 8], "steps", True),
    "delta_band": ("band", [0.1, 0.2, 0.5, 1.0, 2.0], "underlying units", False),
    "whalley_wilmott": ("risk_aversion", [1e-4, 1e-3, 1e-2], "1/quote currency", False),
}
MULTIPLIER = [2.0, 3.0, 4.0, 6.0, 8.0]
TOLERANCE = [0.0, 0.02, 0.05, 0.1, 0.2]
TARGET = [0.2, 0.4]
VT_TOLERANCE = [0.05, 0.1, 0.2]
HEDGING_METRICS = ["pnl_mean", "pnl_std", "pnl_stderr", "pnl_skew", "pnl_excess_kurtosis",
                   "pnl_var", "pnl_cvar", "cost_mean", "fee_mean", "gas_mean", "impact_mean",
                   "trades_mean"]
ALLOCATION_METRICS = ["terminal_mean", "terminal_std", "terminal_stderr", "return_mean",
                      "gap_probability", "gap_probability_stderr", "floor_breach_probability",
                      "shortfall_mean", "cost_mean", "trades_mean"]
PATHS = 4000

SCENARIO_TOML = f"""name = "synthetic"
seed = 7
days_per_year = 365

[simulation]
paths = {PATHS}
dt_hours = {DT_HOURS}

[grid]
volatility = {VOL}
expiry_days = {EXPIRY}

[market]
spot = 3000.0
rate = 0.0
drift = 0.0

[costs]
fee_bps = 5.0

[[book]]
type = "call"
strike = 1.0
quantity = -10.0

[[book]]
type = "put"
strike = 1.0
quantity = -10.0

[hedging]
policies = ["periodic", "delta_band", "whalley_wilmott"]
periodic.every_steps = {AXES["periodic"][1]}
delta_band.band = {AXES["delta_band"][1]}
whalley_wilmott.risk_aversion = {AXES["whalley_wilmott"][1]}
objective.kind = "mean_std"
objective.risk_aversion = 1.0

[cppi]
capital = 1.0e6
floor = 0.9
multiplier = {MULTIPLIER}
tolerance = {TOLERANCE}
objective.kind = "max_mean_gap"
objective.gap_probability_max = 0.01

[vol_target]
capital = 1.0e6
target = {TARGET}
tolerance = {VT_TOLERANCE}
objective.kind = "mean_std"
objective.risk_aversion = 1.0
"""


def _fixed_string(obj, name: str, value: str) -> None:
    """Fixed-length UTF-8 string attribute (NC_CHAR), as ResultsWriter::attribute(string)."""
    data = value.encode()
    obj.attrs.create(name, np.array(data, dtype=f"S{max(len(data), 1)}"),
                     dtype=h5py.string_dtype("utf-8", max(len(data), 1)))


def _string_list(obj, name: str, values) -> None:
    """Variable-length UTF-8 string list attribute (NC_STRING)."""
    obj.attrs.create(name, list(values), dtype=h5py.string_dtype("utf-8"))


def _axis(f, path: str, values, units: str, long_name: str, integer=False):
    ds = f.create_dataset(path, data=np.asarray(values, dtype=np.int64 if integer else np.float64),
                          track_order=True)
    ds.make_scale(path.rsplit("/", 1)[1])
    _fixed_string(ds, "units", units)
    _fixed_string(ds, "long_name", long_name)
    return ds


# Extra swept axes of the file being written ({name: values}, `write(extra=...)`): inserted after
# expiry_days in every variable that has it, the data repeated along them, as [grid.axes] does.
_EXTRA = {}


def _variable(f, path: str, axes, data, units: str, long_name: str):
    data = np.asarray(data)
    if _EXTRA and "/expiry_days" in axes and path != "/steps":
        at = list(axes).index("/expiry_days") + 1
        axes = list(axes[:at]) + [f"/{n}" for n in _EXTRA] + list(axes[at:])
        for k in range(len(_EXTRA)):
            data = np.expand_dims(data, at + k)
        data = np.broadcast_to(data, tuple(len(f[a]) for a in axes))
    shape = tuple(len(f[a]) for a in axes)
    assert data.shape == shape, (path, data.shape, shape)
    ds = f.create_dataset(path, data=data, track_order=True)
    for i, a in enumerate(axes):
        ds.dims[i].attach_scale(f[a])
    _fixed_string(ds, "units", units)
    _fixed_string(ds, "long_name", long_name)
    return ds


def bs_gamma(spot, strike, vol, tau, rate=0.0):
    d1 = (math.log(spot / strike) + (rate + 0.5 * vol * vol) * tau) / (vol * math.sqrt(tau))
    return math.exp(-0.5 * d1 * d1) / math.sqrt(2 * math.pi) / (spot * vol * math.sqrt(tau))


def ww_band(vol, expiry_days, gamma_ra=1e-3, spot=3000.0, fee=5e-4, quantity=-20.0):
    """Whalley-Wilmott half-width for the straddle book above (two ATM legs of -10)."""
    g = quantity * bs_gamma(spot, spot, vol, expiry_days / 365.0)
    return (1.5 * fee * spot * g * g / gamma_ra) ** (1.0 / 3.0)


def _grid_optimum(values, objective, sense="minimize"):
    """Index of the best finite objective per cell over the trailing (flattened) axes."""
    flat = objective.reshape(objective.shape[0], objective.shape[1], -1)
    filled = np.where(np.isfinite(flat), flat, np.inf if sense == "minimize" else -np.inf)
    idx = filled.argmin(-1) if sense == "minimize" else filled.argmax(-1)
    none = ~np.isfinite(flat).any(-1)
    return np.where(none, -1, idx)


def write(path: str, *, with_cppi=True, with_vol_target=True, policies=None, extra=None) -> str:
    global _EXTRA
    _EXTRA = dict(extra or {})
    try:
        return _write(path, with_cppi, with_vol_target, policies)
    finally:
        _EXTRA = {}


def _write(path: str, with_cppi, with_vol_target, policies) -> str:
    rng = np.random.default_rng(20261124)
    policies = list(AXES) if policies is None else policies
    nv, ne = len(VOL), len(EXPIRY)
    vol = np.array(VOL)[:, None]
    exp = np.array(EXPIRY)[None, :]
    cell = ("/volatility", "/expiry_days")
    scale_a = 40.0 * vol * np.sqrt(exp)      # cost scale A of a cell
    s0 = 15.0 * vol * np.sqrt(exp)           # irreducible hedge error S0

    with h5py.File(path, "w", track_order=True) as f:
        attrs = {"Conventions": "CF-1.8", "title": "hedgemap results: synthetic",
                 "source": "hedgemap 0.0.0 (git synthetic)",
                 "history": "2026-01-01T00:00:00Z: synthetic_results.py",
                 "date_created": "2026-01-01T00:00:00Z", "scenario_toml": SCENARIO_TOML,
                 "scenario_sha256": "0" * 64, "scenario_name": "synthetic",
                 "rng": "philox4x32-10", "backend": "cpu", "device": "synthetic CPU",
                 "precision": "double", "hedgemap_version": "0.0.0", "git_commit": "synthetic"}
        for k, v in attrs.items():
            _fixed_string(f, k, v)
        f.attrs.create("seed", np.uint64(7))
        f.attrs.create("paths", np.uint64(PATHS))
        f.attrs.create("wall_seconds", 1.5)
        f.attrs.create("days_per_year", 365.0)

        _axis(f, "/volatility", VOL, "1", "implied volatility at t=0 (annualized)")
        _axis(f, "/expiry_days", EXPIRY, "day", "option expiry and horizon of allocation policies")
        for name, values in _EXTRA.items():
            _fixed_string(_axis(f, f"/{name}", values, "quote currency", name), "scenario_key",
                          f"costs.{name}")
        _variable(f, "/steps", ["/expiry_days"],
                  np.array([round(e * 24 / DT_HOURS) for e in EXPIRY], dtype=np.int64), "1",
                  "monitoring steps per path")

        f.create_group("model", track_order=True)
        price = 20 * 3000 * 0.4 * vol * np.sqrt(exp / 365.0)
        for name, data in [("book_price", price), ("book_price_mc", price * 1.001),
                           ("book_price_mc_stderr", price * 0.01),
                           ("gap_events_mean", 4.0 * exp / 365 + 0 * vol),
                           ("jumps_mean", 10.0 * exp / 365 + 0 * vol),
                           ("terminal_spot_mean", 3000.0 + 0 * vol * exp),
                           ("terminal_spot_stderr", 3000.0 * vol * np.sqrt(exp / 365) / 63)]:
            _variable(f, f"/model/{name}", cell, data, "quote currency", name)

        best_objective = []
        hedging = f.create_group("hedging", track_order=True)
        for policy in ["none"] + policies:
            g = hedging.create_group(policy, track_order=True)
            gp = f"/hedging/{policy}"
            if policy == "none":
                dims, x = cell, None
                u = np.full((nv, ne), 3.0)
            else:
                name, values, units, integer = AXES[policy]
                _axis(f, f"{gp}/{name}", values, units, name, integer)
                dims = cell + (f"{gp}/{name}",)
                if policy == "delta_band":
                    opt = np.array([[ww_band(v, e) for e in EXPIRY] for v in VOL])
                elif policy == "periodic":
                    opt = 2.5 * np.ones((nv, ne)) * (1 + 0.3 * vol)
                else:
                    opt = 1e-3 * np.ones((nv, ne)) * np.sqrt(exp / 7)
                x = np.asarray(values, dtype=float)[None, None, :]
                u = np.log(x / opt[:, :, None]) * (-1 if policy == "whalley_wilmott" else 1)
            a = scale_a if x is None else scale_a[:, :, None]
            s = s0 if x is None else s0[:, :, None]
            cost = 0 * u if x is None else a * np.exp(-u)
            pnl_std = a * np.exp(u) + s
            n = math.sqrt(PATHS)
            noise = 1 + 0.01 * rng.standard_normal(u.shape)
            metrics = {"pnl_mean": -cost * noise, "pnl_std": pnl_std, "pnl_stderr": pnl_std / n,
                       "pnl_skew": -0.5 + 0 * u, "pnl_excess_kurtosis": 2 + 0 * u,
                       "pnl_var": 1.65 * pnl_std + cost, "pnl_cvar": 2.06 * pnl_std + cost,
                       "cost_mean": cost, "fee_mean": 0.6 * cost, "gas_mean": 0.3 * cost,
                       "impact_mean": 0.1 * cost, "trades_mean": 0 * u if x is None else
                       10 * np.exp(-u)}
            for m in HEDGING_METRICS:
                _variable(f, f"{gp}/{m}", dims, metrics[m], "quote currency", m)
            objective = -metrics["pnl_mean"] + pnl_std
            _variable(f, f"{gp}/objective", dims, objective, "quote currency",
                      "-mean(PnL) + risk_aversion * std(PnL), minimised")
            _variable(f, f"{gp}/objective_stderr", dims, pnl_std / n * 1.2, "quote currency",
                      "standard error of the objective")
            # Paired SE of objective - objective at the optimum: zero there, a quarter of the
            # marginal one elsewhere (common random numbers); near_optimal within 2 of them.
            flat = objective.reshape(nv, ne, -1)
            best_here = np.nanmin(flat, axis=-1).reshape((nv, ne) + (1,) * (objective.ndim - 2))
            paired = np.where(objective == best_here, 0.0, 0.3 * pnl_std / n)
            _variable(f, f"{gp}/objective_paired_stderr", dims, paired, "quote currency",
                      "paired standard error")
            _variable(f, f"{gp}/near_optimal", dims,
                      (objective - best_here <= 2 * paired).astype(np.uint8), "1", "near optimal")
            _fixed_string(g, "policy", policy)
            _fixed_string(g, "objective_kind", "mean_std")
            _fixed_string(g, "objective_sense", "minimize")
            if x is None:
                best_value = objective
            else:
                idx = _grid_optimum(values, objective)
                grid = np.asarray(values, dtype=float)[idx]
                _variable(f, f"{gp}/optimal_{name}", cell, grid, units, f"optimal {name}")
                _variable(f, f"{gp}/optimal_{name}_refined", cell, opt, units,
                          f"refined optimal {name}")
                _variable(f, f"{gp}/optimal_{name}_refined_low", cell, opt / 1.25, units,
                          "5% percentile of the refined optimum")
                _variable(f, f"{gp}/optimal_{name}_refined_high", cell, opt * 1.3, units,
                          "95% percentile of the refined optimum")
                best_value = np.take_along_axis(objective, idx[:, :, None], 2)[:, :, 0]
            best_objective.append(best_value)
            _variable(f, f"{gp}/optimal_objective", cell, best_value, "quote currency", "opt")
            conf = np.clip(rng.uniform(0.2, 1.0, (nv, ne)), 0, 1)
            conf[0, 0] = 0.3  # always one low-confidence cell
            _variable(f, f"{gp}/optimal_confidence", cell, conf, "1", "confidence")

        if with_cppi:
            _write_cppi(f, rng)
        if with_vol_target:
            _write_vol_target(f, rng)

        names = ["none"] + policies
        best = np.argmin(np.stack(best_objective), axis=0).astype(np.int64)
        _variable(f, "/best/hedging_policy", cell, best, "1", "index into `policies`")
        _string_list(f["/best/hedging_policy"], "policies", names)
        _string_list(f["/best"], "policies", names)
    return path


def _allocation_metrics(vol, exp, a1, a2, rng, gap_scale):
    """Terminal value statistics over two allocation axes (a1 aggressiveness, a2 tolerance)."""
    horizon = exp / 365.0
    terminal_mean = 1e6 * (1 + 0.02 * a1 * horizon + 0.0 * a2) * (1 - 0.05 * a2)
    terminal_std = 1e6 * 0.05 * a1 * vol * np.sqrt(horizon) + 0 * a2
    gap = np.clip(gap_scale * (a1 ** 2) * vol ** 2 * (0.5 + 10 * a2) * np.sqrt(horizon), 0, 1)
    return {"terminal_mean": terminal_mean, "terminal_std": terminal_std,
            "terminal_stderr": terminal_std / math.sqrt(PATHS),
            "return_mean": terminal_mean / 1e6 - 1, "gap_probability": gap,
            "gap_probability_stderr": np.sqrt(gap * (1 - gap) / PATHS),
            "floor_breach_probability": np.clip(1.5 * gap, 0, 1),
            "shortfall_mean": 1e6 * 0.02 * gap, "cost_mean": 100 * (1 - a2) + 0 * a1,
            "trades_mean": 20 * (1 - a2) + 0 * a1}


def _write_cppi(f, rng):
    f.create_group("cppi", track_order=True)
    _axis(f, "/cppi/multiplier", MULTIPLIER, "1", "exposure = multiplier * cushion")
    _axis(f, "/cppi/tolerance", TOLERANCE, "1", "rebalance tolerance")
    dims = ("/volatility", "/expiry_days", "/cppi/multiplier", "/cppi/tolerance")
    v = np.array(VOL)[:, None, None, None]
    e = np.array(EXPIRY)[None, :, None, None]
    m = np.array(MULTIPLIER)[None, None, :, None]
    t = np.array(TOLERANCE)[None, None, None, :]
    metrics = _allocation_metrics(v, e, m, t, rng, gap_scale=2e-3)
    shape = (len(VOL), len(EXPIRY), len(MULTIPLIER), len(TOLERANCE))
    metrics = {k: np.broadcast_to(val, shape) for k, val in metrics.items()}
    for name in ALLOCATION_METRICS:
        _variable(f, f"/cppi/{name}", dims, metrics[name], "1", name)
    objective = np.where(metrics["gap_probability"] <= 0.01, metrics["terminal_mean"], np.nan)
    _variable(f, "/cppi/objective", dims, objective, "quote currency", "max mean s.t. gap")
    _variable(f, "/cppi/objective_stderr", dims, metrics["terminal_stderr"], "quote currency",
              "standard error of the objective")
    for k, val in [("policy", "cppi"), ("objective_kind", "max_mean_gap"),
                   ("objective_sense", "maximize")]:
        _fixed_string(f["/cppi"], k, val)
    _optima_2d(f, "/cppi", objective, MULTIPLIER, TOLERANCE, ("multiplier", "tolerance"),
               "maximize", rng)


def _write_vol_target(f, rng):
    f.create_group("vol_target", track_order=True)
    _axis(f, "/vol_target/target", TARGET, "1", "target volatility")
    _axis(f, "/vol_target/tolerance", VT_TOLERANCE, "1", "rebalance tolerance")
    dims = ("/volatility", "/expiry_days", "/vol_target/target", "/vol_target/tolerance")
    v = np.array(VOL)[:, None, None, None]
    e = np.array(EXPIRY)[None, :, None, None]
    m = np.array(TARGET)[None, None, :, None]
    t = np.array(VT_TOLERANCE)[None, None, None, :]
    metrics = _allocation_metrics(v, e, m, t, rng, gap_scale=0.0)
    metrics["realised_volatility_mean"] = m + 0 * v * e * t
    metrics["max_drawdown_mean"] = 0.1 * m * np.sqrt(e / 365) + 0 * v * t
    shape = (len(VOL), len(EXPIRY), len(TARGET), len(VT_TOLERANCE))
    metrics = {k: np.broadcast_to(val, shape) for k, val in metrics.items()}
    for name in ALLOCATION_METRICS + ["realised_volatility_mean", "max_drawdown_mean"]:
        if "gap" not in name and name not in ("floor_breach_probability", "shortfall_mean"):
            _variable(f, f"/vol_target/{name}", dims, metrics[name], "1", name)
    objective = -metrics["terminal_mean"] + metrics["terminal_std"]
    _variable(f, "/vol_target/objective", dims, objective, "quote currency", "mean_std")
    _variable(f, "/vol_target/objective_stderr", dims, metrics["terminal_stderr"],
              "quote currency", "standard error of the objective")
    for k, val in [("policy", "vol_target"), ("objective_kind", "mean_std"),
                   ("objective_sense", "minimize")]:
        _fixed_string(f["/vol_target"], k, val)
    _optima_2d(f, "/vol_target", objective, TARGET, VT_TOLERANCE, ("target", "tolerance"),
               "minimize", rng)


def _optima_2d(f, gp, objective, ax1, ax2, names, sense, rng):
    idx = _grid_optimum(None, objective, sense)
    i1, i2 = np.divmod(np.maximum(idx, 0), len(ax2))
    cell = ("/volatility", "/expiry_days")
    v1 = np.where(idx >= 0, np.asarray(ax1)[i1], np.nan)
    v2 = np.where(idx >= 0, np.asarray(ax2)[i2], np.nan)
    flat = objective.reshape(objective.shape[0], objective.shape[1], -1)
    best = np.where(idx >= 0, np.take_along_axis(flat, np.maximum(idx, 0)[:, :, None], 2)[:, :, 0],
                    np.nan)
    _variable(f, f"{gp}/optimal_{names[0]}", cell, v1, "1", "optimal")
    _variable(f, f"{gp}/optimal_{names[1]}", cell, v2, "1", "optimal")
    _variable(f, f"{gp}/optimal_objective", cell, best, "quote currency", "optimal objective")
    _variable(f, f"{gp}/optimal_confidence", cell, rng.uniform(0.3, 1.0, idx.shape), "1", "conf")


if __name__ == "__main__":
    print(write(sys.argv[1] if len(sys.argv) > 1 else "synthetic.h5"))
