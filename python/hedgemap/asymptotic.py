"""Asymptotic threshold laws for the delta band, fitted with their constants and exponents.

Small-cost theory (validation.md 6, 13) gives the optimal half-width of a band around the
Black-Scholes delta as a power of one driver X per kind of cost:

    proportional fee lambda:     H = c (lambda S Gamma^2 / gamma)^a,   a = 1/3
                                 (Whalley-Wilmott: c = (3/2 e^{-r tau})^{1/3} for the
                                  exponential-utility / mean-variance risk aversion gamma)
    fixed cost per trade (gas):  H = c (gas Gamma^2 / gamma)^a,        a = 1/4

Gamma is the whole book's Black-Scholes gamma at t = 0 (the cell's volatility and expiry), S the
spot, lambda = fee_bps 1e-4; gamma is the objective's risk_aversion where it is a risk aversion
in 1/quote currency (mean_variance, utility), else 1 (mean_std, cvar: then c absorbs it). Each
law is fitted by weighted least squares in logs, ln H = ln c + a ln X, weights 1/sigma^2 of the
labels (hedgemap/optima.py); standard errors from (X'WX)^-1, scaled by the reduced chi-square
when the scatter exceeds the labels' own errors (so a misspecified law gets honest, wider
errors). The same fit with a fixed at the theory's value gives c alone.
"""
from __future__ import annotations

import math
from typing import Dict, Mapping, Optional, Sequence

import numpy as np

THEORY = {
    "proportional": {"driver": "lambda S Gamma^2 / gamma", "exponent": 1.0 / 3.0},
    "fixed": {"driver": "gas Gamma^2 / gamma", "exponent": 0.25},
}


def bs_gamma(spot, strike, vol, tau, rate=0.0):
    """Black-Scholes gamma of one call or put (the same), elementwise."""
    vol, tau = np.asarray(vol, float), np.asarray(tau, float)
    d1 = (np.log(spot / strike) + (rate + 0.5 * vol * vol) * tau) / (vol * np.sqrt(tau))
    return np.exp(-0.5 * d1 * d1) / np.sqrt(2 * np.pi) / (spot * vol * np.sqrt(tau))


def book_gamma(book: Sequence[Mapping], spot: float, rate: float, vol, expiry_days,
               days_per_year: float = 365.0):
    """Gamma of the book (signed quantities, strikes as moneyness) at t = 0."""
    tau = np.asarray(expiry_days, float) / days_per_year
    return sum(float(leg.get("quantity", 0.0)) *
               bs_gamma(spot, float(leg.get("strike", 1.0)) * spot, vol, tau, rate)
               for leg in book)


def drivers(values: Mapping[str, np.ndarray], inputs: Mapping) -> Dict[str, np.ndarray]:
    """X of each law for cells given by `values` (volatility, expiry_days, and fee_bps, gas,
    objective_risk_aversion where swept; the rest from inputs["context"])."""
    ctx = dict(inputs.get("context", {}))

    def get(name, default=0.0):
        return np.asarray(values[name], float) if name in values else float(ctx.get(name, default))

    spot, rate = float(ctx.get("spot", 3000.0)), float(ctx.get("rate", 0.0))
    gamma_book = book_gamma(inputs.get("book", []), spot, rate, get("volatility"),
                            get("expiry_days"), float(inputs.get("days_per_year", 365.0)))
    risk = get("objective_risk_aversion", 1.0) if inputs.get("risk_aversion_in_law") else 1.0
    g2 = np.asarray(gamma_book, float) ** 2
    return {"proportional": get("fee_bps") * 1e-4 * spot * g2 / risk,
            "fixed": get("gas") * g2 / risk}


def weighted_power_law(x: np.ndarray, h: np.ndarray, sigma: np.ndarray,
                       exponent: Optional[float] = None) -> Dict[str, float]:
    """ln h = ln c + a ln x by weighted least squares (a fixed when `exponent` is given)."""
    lx, ly, w = np.log(x), np.log(h), 1.0 / sigma ** 2
    if exponent is None:
        design = np.stack([np.ones_like(lx), lx], axis=1)
        target = ly
    else:
        design = np.ones((len(lx), 1))
        target = ly - exponent * lx
    normal = design.T @ (design * w[:, None])
    cov = np.linalg.inv(normal)
    beta = cov @ (design.T @ (w * target))
    resid = target - design @ beta
    dof = max(len(ly) - design.shape[1], 1)
    chi2 = float(np.sum(w * resid ** 2) / dof)
    cov = cov * max(chi2, 1.0)
    out = {"constant": float(math.exp(beta[0])),
           "constant_stderr": float(math.exp(beta[0]) * math.sqrt(cov[0, 0])),
           "log_constant": float(beta[0]), "log_constant_stderr": float(math.sqrt(cov[0, 0])),
           "reduced_chi2": chi2, "rms_log_residual": float(np.sqrt(np.mean(resid ** 2))),
           "n": int(len(ly))}
    if exponent is None:
        out["exponent"] = float(beta[1])
        out["exponent_stderr"] = float(math.sqrt(cov[1, 1]))
        out["covariance_log_constant_exponent"] = float(cov[0, 1])
    else:
        out["exponent"] = float(exponent)
        out["exponent_stderr"] = 0.0
    return out


def fit_laws(values: Mapping[str, np.ndarray], h: np.ndarray, sigma: np.ndarray,
             inputs: Mapping) -> Dict[str, dict]:
    """Every law whose driver is positive on every label and varies across them (at least 3
    labels): free exponent, and the constant at the theory's exponent."""
    out = {}
    for kind, x in drivers(values, inputs).items():
        x = np.broadcast_to(np.asarray(x, float), h.shape)
        if len(h) < 3 or not np.all(np.isfinite(x)) or np.any(x <= 0):
            continue
        if np.ptp(np.log(x)) < 1e-9:
            continue
        free = weighted_power_law(x, h, sigma)
        fixed = weighted_power_law(x, h, sigma, THEORY[kind]["exponent"])
        out[kind] = {"driver": THEORY[kind]["driver"],
                     "theory_exponent": THEORY[kind]["exponent"], **free,
                     "constant_at_theory_exponent": fixed["constant"],
                     "constant_at_theory_exponent_stderr": fixed["constant_stderr"],
                     "rms_log_residual_at_theory_exponent": fixed["rms_log_residual"]}
    return out


def predict_law(law: Mapping, kind: str, values: Mapping[str, np.ndarray], inputs: Mapping):
    x = drivers(values, inputs)[kind]
    return law["constant"] * np.asarray(x, float) ** law["exponent"]
