"""Reader for hedgemap results files (docs/results-format.md) over xarray + h5netcdf.

    import hedgemap_results as hr
    r = hr.load("results/default.h5")
    r.root            # Dataset: volatility, expiry_days, steps; global attributes (provenance)
    r.model           # Dataset [volatility, expiry_days]: book_price, book_price_mc, ...
    r.hedging         # {"none": Dataset, "periodic": Dataset, ...}, in file order
    r.cppi, r.vol_target, r.best   # Dataset or None when the group is absent
    lo, hi = hr.confidence_interval(r.hedging["periodic"], "pnl_mean")

Every dataset has named dimensions (volatility, expiry_days, then the policy's own axes such as
every_steps or multiplier x tolerance) and carries the grid axes as coordinates, so
`ds.sel(volatility=0.8, expiry_days=7)` works in every group. Select a tolerance with a dict,
`ds.sel({"tolerance": 0.05})`: `tolerance=` is a keyword of Dataset.sel itself. Data are loaded
into memory (results files are small) and the file is closed. Needs Debian's python3 packages
(python3-xarray, python3-h5netcdf, python3-h5py): run with /usr/bin/python3.
"""
from __future__ import annotations

import dataclasses
import tomllib
from typing import Dict, List, Optional, Tuple

import h5py
import numpy as np
import xarray as xr

GRID_DIMS = ("volatility", "expiry_days")

# Policy axis of each 1-D hedging family ("none" has no axis).
HEDGING_AXES = {"periodic": "every_steps", "delta_band": "band", "whalley_wilmott": "risk_aversion"}

# Standard error that goes with a mean-like variable; `<var>_stderr` is tried for anything else.
STDERR_OF = {
    "pnl_mean": "pnl_stderr",
    "objective": "objective_stderr",
    "terminal_mean": "terminal_stderr",
    "gap_probability": "gap_probability_stderr",
    "book_price_mc": "book_price_mc_stderr",
    "terminal_spot_mean": "terminal_spot_stderr",
}


@dataclasses.dataclass
class Results:
    path: str
    root: xr.Dataset
    model: Optional[xr.Dataset]
    hedging: Dict[str, xr.Dataset]
    cppi: Optional[xr.Dataset]
    vol_target: Optional[xr.Dataset]
    best: Optional[xr.Dataset]

    @property
    def attrs(self) -> dict:
        """Global attributes: provenance (source, history, seed, backend, device, ...)."""
        return dict(self.root.attrs)

    @property
    def scenario(self) -> dict:
        """The effective scenario (root attribute scenario_toml) parsed as TOML; {} if absent."""
        text = self.root.attrs.get("scenario_toml", "")
        try:
            return tomllib.loads(text) if text else {}
        except tomllib.TOMLDecodeError:
            return {}

    def best_policy_names(self) -> Optional[xr.DataArray]:
        """Name of the best hedging policy per cell ("" where no policy had a finite optimum)."""
        if self.best is None or "hedging_policy" not in self.best:
            return None
        names = policy_list(self.best.attrs.get("policies",
                                                self.best["hedging_policy"].attrs.get("policies")))
        index = self.best["hedging_policy"].values.astype(int)
        lookup = np.array(names + [""], dtype=object)  # -1 -> ""
        return xr.DataArray(lookup[np.where(index >= 0, index, len(names))],
                            coords=self.best["hedging_policy"].coords,
                            dims=self.best["hedging_policy"].dims)

    def close(self) -> None:
        for ds in [self.root, self.model, self.cppi, self.vol_target, self.best,
                   *self.hedging.values()]:
            if ds is not None:
                ds.close()


def policy_list(value) -> List[str]:
    """A string-list attribute as a list: h5netcdf returns a one-element list as a plain str."""
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        return [value.decode() if isinstance(value, bytes) else value]
    return [v.decode() if isinstance(v, bytes) else str(v) for v in np.asarray(value).ravel()]


def _group_names(path: str) -> Tuple[List[str], List[str]]:
    """Top-level groups and the policies under /hedging, in file (creation) order."""
    with h5py.File(path, "r") as f:
        top = [k for k, v in f.items() if isinstance(v, h5py.Group)]
        hedging = [k for k, v in f["hedging"].items()
                   if isinstance(v, h5py.Group)] if "hedging" in top else []
    return top, hedging


def _open_group(path: str, group: Optional[str], root: xr.Dataset) -> xr.Dataset:
    with xr.open_dataset(path, engine="h5netcdf", group=group) as lazy:
        ds = lazy.load()
    # Grid axes live in the root group: attach them as coordinates so .sel() works everywhere.
    coords = {d: root[d] for d in GRID_DIMS if d in ds.dims and d not in ds.coords}
    return ds.assign_coords(coords) if coords else ds


def load(path: str) -> Results:
    """Opens every group of a results file as an xarray Dataset with named dimensions."""
    top, policies = _group_names(path)
    with xr.open_dataset(path, engine="h5netcdf") as lazy:
        root = lazy.load()
    opt = lambda name: _open_group(path, name, root) if name in top else None  # noqa: E731
    hedging = {p: _open_group(path, f"hedging/{p}", root) for p in policies}
    return Results(path=path, root=root, model=opt("model"), hedging=hedging, cppi=opt("cppi"),
                   vol_target=opt("vol_target"), best=opt("best"))


def stderr_name(ds: xr.Dataset, var: str) -> str:
    """Name of the standard-error variable paired with `var` in `ds` (KeyError if none)."""
    for name in (STDERR_OF.get(var), f"{var}_stderr"):
        if name and name in ds:
            return name
    raise KeyError(f"no standard error for '{var}' (looked for {STDERR_OF.get(var)!r}, "
                   f"'{var}_stderr')")


def confidence_interval(ds: xr.Dataset, var: str, z: float = 1.96
                        ) -> Tuple[xr.DataArray, xr.DataArray]:
    """(low, high) = var -+ z * stderr, elementwise with var's dimensions (NaN stays NaN)."""
    value, se = ds[var], ds[stderr_name(ds, var)]
    return value - z * se, value + z * se


def policy_axis(ds: xr.Dataset) -> List[str]:
    """The group's own parameter axes: every dimension beyond volatility x expiry_days."""
    return [d for d in ds["objective"].dims if d not in GRID_DIMS]


def describe(r: Results) -> str:
    """One line per group: name and dimension sizes (for quick inspection)."""
    lines = [f"{r.path}: volatility={r.root.sizes['volatility']} "
             f"expiry_days={r.root.sizes['expiry_days']}"]
    groups = [(f"hedging/{p}", ds) for p, ds in r.hedging.items()]
    groups += [(n, getattr(r, n)) for n in ("model", "cppi", "vol_target", "best")]
    for name, ds in groups:
        if ds is not None:
            lines.append(f"  /{name}: " + ", ".join(f"{k}={v}" for k, v in ds.sizes.items()))
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    for p in sys.argv[1:]:
        print(describe(load(p)))
