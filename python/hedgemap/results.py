"""Reader for hedgemap results files (docs/results-format.md) over xarray + h5netcdf.

    import hedgemap
    r = hedgemap.load("results/default.h5")
    r.root            # Dataset: volatility, expiry_days, steps, every extra grid axis; provenance
    r.model           # Dataset [volatility, expiry_days, ...]: book_price, book_price_mc, ...
    r.hedging         # {"none": Dataset, "periodic": Dataset, ...}, in file order
    r.cppi, r.vol_target, r.best   # Dataset or None when the group is absent
    lo, hi = hedgemap.confidence_interval(r.hedging["periodic"], "pnl_mean")

Every dataset has named dimensions: the grid's (volatility, expiry_days, then any extra swept
axis of `[grid.axes]` such as gas or fee_bps), then the policy's own axes (every_steps, band,
multiplier x tolerance, ...); the grid axes are attached as coordinates, so
`ds.sel(volatility=0.8, expiry_days=7)` works in every group and extra axes select the same way.
Select a tolerance with a dict, `ds.sel({"tolerance": 0.05})`: `tolerance=` is a keyword of
Dataset.sel itself. Data are loaded into memory (results files are small) and the file closed.
"""
from __future__ import annotations

import dataclasses
import itertools
from typing import Dict, Iterator, List, Optional, Tuple

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    tomllib = None

import h5py
import numpy as np
import xarray as xr

# The two grid axes every file has; `Results.grid_dims` adds the extra swept axes of the file.
GRID_DIMS = ("volatility", "expiry_days")

# Policy axis of each 1-D hedging family ("none" has no axis).
HEDGING_AXES = {"periodic": "every_steps", "delta_band": "band", "whalley_wilmott": "risk_aversion",
                "fixed_cost_band": "risk_aversion"}

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
        if not text or tomllib is None:
            return {}
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return {}

    @property
    def grid_dims(self) -> List[str]:
        """The grid's dimensions: volatility, expiry_days, then every extra swept axis."""
        return grid_dims_of(self.root)

    @property
    def extra_dims(self) -> List[str]:
        """Swept axes beyond volatility x expiry_days (`[grid.axes]`), in file order."""
        return [d for d in self.grid_dims if d not in GRID_DIMS]

    def groups(self) -> List[Tuple[str, xr.Dataset]]:
        """(name, dataset) of every policy group: hedging/<policy>, cppi, vol_target."""
        out = [(f"hedging/{p}", ds) for p, ds in self.hedging.items()]
        out += [(n, getattr(self, n)) for n in ("cppi", "vol_target") if getattr(self, n) is not None]
        return out

    def isel(self, indexers: dict) -> "Results":
        """The same results at given positions of grid axes (e.g. one value of each extra axis)."""
        def cut(ds):
            if ds is None:
                return None
            return ds.isel({d: i for d, i in indexers.items() if d in ds.dims})
        return Results(path=self.path, root=cut(self.root), model=cut(self.model),
                       hedging={p: cut(ds) for p, ds in self.hedging.items()},
                       cppi=cut(self.cppi), vol_target=cut(self.vol_target), best=cut(self.best))

    def slices(self) -> Iterator[Tuple[dict, "Results"]]:
        """({extra axis: value}, 2-D results) for every combination of the extra axes' values;
        one item ({}, self) when the file has none."""
        extra = self.extra_dims
        if not extra:
            yield {}, self
            return
        sizes = [self.root.sizes[d] for d in extra]
        for index in itertools.product(*(range(n) for n in sizes)):
            at = {d: self.root[d].values[i].item() for d, i in zip(extra, index)}
            yield at, self.isel(dict(zip(extra, index)))

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

    def __repr__(self) -> str:
        return describe(self)


def grid_dims_of(root: xr.Dataset) -> List[str]:
    """volatility, expiry_days, then every other 1-D coordinate axis of the root group (the extra
    axes of `[grid.axes]`, placed after expiry_days by the writer)."""
    extra = [d for d in root.dims if d not in GRID_DIMS and d in root.coords]
    return [d for d in GRID_DIMS if d in root.dims] + extra


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
    coords = {d: root[d] for d in grid_dims_of(root) if d in ds.dims and d not in ds.coords}
    return ds.assign_coords(coords) if coords else ds


def load(path) -> Results:
    """Opens every group of a results file as an xarray Dataset with named dimensions."""
    path = str(path)
    top, policies = _group_names(path)
    with xr.open_dataset(path, engine="h5netcdf") as lazy:
        root = lazy.load()
    opt = lambda name: _open_group(path, name, root) if name in top else None  # noqa: E731
    hedging = {p: _open_group(path, f"hedging/{p}", root) for p in policies}
    return Results(path=path, root=root, model=opt("model"), hedging=hedging, cppi=opt("cppi"),
                   vol_target=opt("vol_target"), best=opt("best"))


def as_results(res_or_path) -> Results:
    """A Results as it is, anything else as the path of a results file to load."""
    return res_or_path if isinstance(res_or_path, Results) else load(res_or_path)


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
    """The group's own parameter axes: the dimensions of `objective` that are not grid axes
    (volatility, expiry_days, and the extra swept axes, whose scales carry `scenario_key`)."""
    return [d for d in ds["objective"].dims if not is_grid_axis(ds, d)]


def is_grid_axis(ds: xr.Dataset, dim: str) -> bool:
    """Whether `dim` is an axis of the grid rather than of the group's policy."""
    return dim in GRID_DIMS or (dim in ds.coords and "scenario_key" in ds[dim].attrs)


def near_optimal_range(ds: xr.Dataset) -> Optional[Tuple[xr.DataArray, xr.DataArray]]:
    """(lowest, highest) parameter value per cell among the points flagged `near_optimal`
    (within 2 paired standard errors of the optimum), for a 1-axis group; None otherwise."""
    axes = policy_axis(ds)
    if len(axes) != 1 or "near_optimal" not in ds:
        return None
    axis = axes[0]
    near = ds["near_optimal"].astype(bool)
    values = ds[axis].broadcast_like(near)
    return values.where(near).min(axis), values.where(near).max(axis)


def describe(r: Results) -> str:
    """One line per group: name and dimension sizes (for quick inspection)."""
    lines = [f"{r.path}: " + " ".join(f"{d}={r.root.sizes[d]}" for d in r.grid_dims)]
    groups = [(f"hedging/{p}", ds) for p, ds in r.hedging.items()]
    groups += [(n, getattr(r, n)) for n in ("model", "cppi", "vol_target", "best")]
    for name, ds in groups:
        if ds is not None:
            lines.append(f"  /{name}: " + ", ".join(f"{k}={v}" for k, v in ds.sizes.items()))
    return "\n".join(lines)
