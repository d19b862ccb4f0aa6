"""Results files whose delta-band optima follow a known law, laid out as
host/formats/results_file.cpp writes them (and, for extra swept axes, as the second release's
[grid.axes]: a root dimension scale named after the key's last part, with attribute
scenario_key), for testing hedgemap.fit.

    write(path, law, sigma_log, extra={"gas": [1, 4, 16]}, fee_bps=0, gas=0)

law(columns, gamma_book) -> optimal band per cell (columns: volatility, expiry_days and the extra
axes, broadcast over the grid; gamma_book: the book's Black-Scholes gamma at t = 0). Each label
is the law times exp(N(0, sigma_total^2)), where sigma_total is the uncertainty hedgemap.fit
assigns to a label whose bootstrap interval has ln-width 2 x 1.645 x sigma_log (its floor of a
tenth of the band grid's log step added in quadrature), so the labels' weights are right.
"""
from __future__ import annotations

import math

import h5py
import numpy as np

from synthetic_results import _axis, _fixed_string, _variable, bs_gamma

SPOT = 3000.0
BOOK = [("call", 1.0, -10.0), ("put", 1.0, -10.0)]
VOL = [0.4, 0.55, 0.7, 0.85, 1.0, 1.2]
EXPIRY = [3.0, 7.0, 14.0, 30.0]
BAND = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6]  # log step ln 2


def book_gamma(vol, expiry_days):
    tau = np.asarray(expiry_days, float) / 365.0
    vol = np.asarray(vol, float)
    g = np.zeros(np.broadcast(vol, tau).shape)
    for _, strike, quantity in BOOK:
        g = g + quantity * np.vectorize(bs_gamma)(SPOT, strike * SPOT, vol, tau)
    return g


def label_sigma(sigma_log: float) -> float:
    return math.sqrt(sigma_log ** 2 + (0.1 * math.log(2.0)) ** 2)


def write(path: str, law, sigma_log: float, *, extra=None, fee_bps=0.0, gas=0.0, seed=1,
          objective="mean_std", risk_aversion=1.0) -> dict:
    """Writes the file; returns the exact (noise-free) optima, [volatility, expiry, extra...]."""
    extra = dict(extra or {})
    rng = np.random.default_rng(seed)
    dims = ["volatility", "expiry_days", *extra]
    values = [np.array(VOL), np.array(EXPIRY), *(np.array(v, float) for v in extra.values())]
    mesh = np.meshgrid(*values, indexing="ij")
    columns = dict(zip(dims, mesh))
    exact = law(columns, book_gamma(columns["volatility"], columns["expiry_days"]))
    noisy = exact * np.exp(label_sigma(sigma_log) * rng.standard_normal(exact.shape))
    band = np.array(BAND)
    grid_index = np.clip(np.rint(np.log(noisy / band[0]) / math.log(2.0)), 0, len(band) - 1)
    grid_value = band[grid_index.astype(int)]
    spread = math.exp(1.6448536269514722 * sigma_log)
    book = "\n".join(f'[[book]]\ntype = "{t}"\nstrike = {k}\nquantity = {q}' for t, k, q in BOOK)
    toml = (f'name = "law"\nseed = {seed}\ndays_per_year = 365\n[simulation]\npaths = 10000\n'
            f'[grid]\nvolatility = {VOL}\nexpiry_days = {EXPIRY}\n'
            f'[market]\nspot = {SPOT}\nrate = 0.0\n'
            f'[costs]\nfee_bps = {fee_bps}\ngas = {gas}\n{book}\n'
            f'[hedging]\npolicies = ["delta_band"]\ndelta_band.band = {BAND}\n'
            f'objective.kind = "{objective}"\nobjective.risk_aversion = {risk_aversion}\n')
    cell = tuple(f"/{d}" for d in dims)
    with h5py.File(path, "w", track_order=True) as f:
        _fixed_string(f, "scenario_toml", toml)
        _fixed_string(f, "scenario_name", "law")
        _fixed_string(f, "source", "synthetic law")
        f.attrs.create("seed", np.uint64(seed))
        f.attrs.create("paths", np.uint64(10000))
        f.attrs.create("days_per_year", 365.0)
        _axis(f, "/volatility", VOL, "1", "implied volatility")
        _axis(f, "/expiry_days", EXPIRY, "day", "expiry")
        for name, v in extra.items():
            ds = _axis(f, f"/{name}", v, "quote currency", name)
            _fixed_string(ds, "scenario_key", f"costs.{name}")
        f.create_group("hedging", track_order=True)
        g = f.create_group("hedging/delta_band", track_order=True)
        _axis(f, "/hedging/delta_band/band", BAND, "underlying units", "band")
        objective_dims = cell + ("/hedging/delta_band/band",)
        u = np.log(band.reshape((1,) * len(dims) + (-1,)) / noisy[..., None])
        _variable(f, "/hedging/delta_band/objective", objective_dims, 10 + u ** 2, "quote currency",
                  "objective")
        for name, data in [("optimal_band", grid_value), ("optimal_band_refined", noisy),
                           ("optimal_band_refined_low", noisy / spread),
                           ("optimal_band_refined_high", noisy * spread),
                           ("optimal_confidence", np.full(noisy.shape, 0.8))]:
            _variable(f, f"/hedging/delta_band/{name}", cell, data, "underlying units", name)
        _fixed_string(g, "policy", "delta_band")
        _fixed_string(g, "objective_kind", objective)
        _fixed_string(g, "objective_sense", "minimize")
    return exact
