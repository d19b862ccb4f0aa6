"""The labels of a threshold law: one row per cell of a results file's grid, with the cell's
coordinates on every grid axis (volatility, expiry_days and any extra swept axis), the policy's
refined optimum, its uncertainty and whether the grid cut it off.

    table = optimum_table(hedgemap.load("run.h5"), "delta_band")

Uncertainty of a label, in ln(parameter): the bootstrap 90% interval (optimal_<p>_refined_low /
_high) gives sigma_boot = (ln high - ln low) / (2 x 1.645); a floor of a tenth of the parameter
grid's log step is added in quadrature (the parabola refinement has an error of its own that the
bootstrap does not see, and a degenerate interval must not get infinite weight):
    sigma^2 = sigma_boot^2 + (0.1 x step)^2
A label is censored when its grid optimum is the first or last grid value: the true optimum may
lie beyond the grid, so it is left out of the fits and counted.
"""
from __future__ import annotations

import dataclasses
from typing import Dict, List

import numpy as np

from .results import Results, policy_axis

Z90 = 1.6448536269514722  # standard normal 95% quantile: a 5%-95% interval is +-Z90 sigma
LABEL_FLOOR_STEPS = 0.1   # label uncertainty floor, in parameter-grid log steps


@dataclasses.dataclass
class OptimumTable:
    policy: str
    parameter: str                # the policy's axis name (band, risk_aversion, every_steps)
    units: str
    grid: np.ndarray              # the policy's axis values
    feature_names: List[str]      # the grid dimensions, file order
    features: np.ndarray          # [cell, feature]: coordinates of each cell
    value: np.ndarray             # [cell]: refined optimum (NaN: none)
    grid_value: np.ndarray        # [cell]: grid optimum
    sigma_log: np.ndarray         # [cell]: uncertainty of ln(value)
    censored: np.ndarray          # [cell]: bool, grid optimum at an end of the grid
    confidence: np.ndarray        # [cell]: optimal_confidence

    @property
    def step_log(self) -> float:
        """Median log step between adjacent values of the parameter grid."""
        return float(np.median(np.diff(np.log(self.grid)))) if len(self.grid) > 1 else np.nan

    @property
    def resolution_log(self) -> float:
        """RMS error of reading the optimum off the grid (uniform within a log step): step/sqrt 12.
        A law whose held-out error is below it predicts better than the grid itself resolves."""
        return self.step_log / np.sqrt(12.0)

    @property
    def usable(self) -> np.ndarray:
        """Cells that enter the fits: a finite positive label, not censored."""
        return np.isfinite(self.value) & (self.value > 0) & ~self.censored

    def column(self, name: str) -> np.ndarray:
        return self.features[:, self.feature_names.index(name)]


def optimum_table(res: Results, policy: str) -> OptimumTable:
    if policy not in res.hedging:
        raise KeyError(f"no /hedging/{policy} group in {res.path} (groups: {list(res.hedging)})")
    ds = res.hedging[policy]
    axes = policy_axis(ds)
    if len(axes) != 1:
        raise ValueError(f"/hedging/{policy} has {len(axes)} parameter axes; a threshold law is "
                         "fitted to a policy with one parameter")
    axis = axes[0]
    grid = np.asarray(ds[axis].values, dtype=float)
    if np.any(grid <= 0):
        raise ValueError(f"{axis} has values <= 0: the law is fitted in ln({axis})")
    dims = res.grid_dims
    order = [d for d in dims if d in ds[f"optimal_{axis}"].dims]

    def cells(name):
        da = ds.get(name)
        return None if da is None else np.asarray(da.transpose(*order).values, float).ravel()

    refined = cells(f"optimal_{axis}_refined")
    grid_value = cells(f"optimal_{axis}")
    value = refined if refined is not None else grid_value.copy()
    low, high = cells(f"optimal_{axis}_refined_low"), cells(f"optimal_{axis}_refined_high")
    step = float(np.median(np.diff(np.log(grid)))) if len(grid) > 1 else 1.0
    floor = LABEL_FLOOR_STEPS * step
    if low is not None and high is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            boot = (np.log(high) - np.log(low)) / (2 * Z90)
        boot = np.where(np.isfinite(boot) & (boot >= 0), boot, np.nan)
    else:  # a file without the interval: the grid's own resolution stands in for it
        boot = np.full(value.shape, step / np.sqrt(12.0))
    sigma = np.sqrt(boot ** 2 + floor ** 2)
    censored = np.isfinite(grid_value) & ((grid_value <= grid.min() * (1 + 1e-12))
                                          | (grid_value >= grid.max() * (1 - 1e-12)))
    mesh = np.meshgrid(*[np.asarray(res.root[d].values, float) for d in order], indexing="ij")
    features = np.stack([m.ravel() for m in mesh], axis=1)
    return OptimumTable(policy=policy, parameter=axis, units=str(ds[axis].attrs.get("units", "")),
                        grid=grid, feature_names=list(order), features=features, value=value,
                        grid_value=grid_value, sigma_log=sigma, censored=censored,
                        confidence=cells("optimal_confidence"))


def scenario_context(res: Results) -> Dict[str, float]:
    """Scalar numeric keys of the effective scenario by their last name (gas, fee_bps, spot,
    rate, risk_aversion of the hedging objective, ...), for the values a file did not sweep."""
    sc = res.scenario
    out = {}
    for section in ("market", "costs", "jumps", "gaps", "volatility", "funding"):
        for k, v in sc.get(section, {}).items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out[k] = float(v)
    objective = sc.get("hedging", {}).get("objective", {})
    if isinstance(objective.get("risk_aversion"), (int, float)):
        out["objective_risk_aversion"] = float(objective["risk_aversion"])
    return out
