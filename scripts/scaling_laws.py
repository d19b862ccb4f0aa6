#!/usr/bin/python3
"""Small-cost scaling laws of the optimal rebalancing band, measured with the hedgemap binary
(validation.md 13; issue 14, "Scaling laws"):

  proportional fee lambda, no gas:   optimal band ~ lambda^(1/3)   (delta_band to the edge;
                                     Whalley-Wilmott H = (3/2 lambda S Gamma^2 / gamma)^(1/3))
  fixed cost per trade eps, no fee:  optimal band ~ eps^(1/4)      (delta_band to the centre;
                                     fixed_cost_band H = (12 eps Gamma^2 / gamma)^(1/4))

For each cost level the script runs one cell (a short ETH straddle, 10 calls + 10 puts, sigma 0.8,
30 days, 5-minute steps, no jumps, outages, impact or latency, objective mean_variance with
risk_aversion k) and reads the refined optimal band of the delta_band group with its bootstrap 90%
interval, and the optimal risk aversion of the law's own policy (whalley_wilmott or
fixed_cost_band), which the theory puts at k at every cost level. It then fits
ln band = c + slope ln cost by weighted least squares (weights from the intervals, errors scaled
by the reduced chi-square when the scatter exceeds them) and prints slope +- standard error, for:
  - the optimal delta_band as measured;
  - fee law only: the same moved out by the discrete-monitoring (continuity) correction, which
    turns the optimal band checked every dt into the continuously checked one the 1/3 law is
    about (continuity_shifts: a lower bound from the gamma at t = 0, beta Gamma_0 S sigma
    sqrt(dt), and the first-order shift with the book's gamma along the paths, an upper bound);
  - the own policy's band scale at its optimal risk aversion, (cost / gamma*)^(1/3 or 1/4).
Why the correction (README, "Threshold scaling laws, measured"): a band checked every dt trades
like a continuous band wider by ~ beta s_t, s_t the step's delta move, so the optimal checked band
is the continuous optimum less a cost-independent shift, which steepens the log-log slope; the
straddle's gamma diverges at expiry, so the shift is ~2.5 beta s_0 (5-minute steps, 7 days), not
beta s_0, and shrinks only like sqrt(dt) ln(1/dt).

  /usr/bin/python3 scripts/scaling_laws.py [--binary build-cpu/hedgemap] [--paths 20000]
      [--law fee|gas|both] [--json out.json]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BASE = """
name = "scaling_law"
seed = {seed}
days_per_year = 365
[simulation]
paths = {paths}
dt_hours = {dt_hours}
precision = "float"
backend = "cpu"
[grid]
volatility = [{sigma}]
expiry_days = [{expiry_days}]
[market]
spot = {spot}
[costs]
fee_bps = {fee_bps}
gas = {gas}
[[book]]
type = "call"
strike = 1.0
quantity = -{per_leg}
[[book]]
type = "put"
strike = 1.0
quantity = -{per_leg}
[hedging]
policies = ["delta_band", "{policy}"]
delta_band.band = {bands}
delta_band.rebalance_to = "{rebalance_to}"
{policy}.risk_aversion = {risk_aversions}
objective.kind = "mean_variance"
objective.risk_aversion = {k}
"""

# The book: a short at-the-money straddle of PER_LEG calls and PER_LEG puts.
SPOT, SIGMA, PER_LEG = 3000.0, 0.8, 10.0

# Levels four apart: the theory's band ratio per level is 4^(1/3) = 1.59 (fee), 4^(1/4) = 1.41.
LAWS = {
    "fee": {"levels": [2.0, 8.0, 32.0, 128.0], "unit": "fee_bps", "theory": 1.0 / 3.0,
            "policy": "whalley_wilmott", "rebalance_to": "edge"},
    "gas": {"levels": [0.5, 2.0, 8.0, 32.0], "unit": "gas", "theory": 0.25,
            "policy": "fixed_cost_band", "rebalance_to": "center"},
}


def geometric(lo, hi, n):
    return [float(x) for x in np.geomspace(lo, hi, n)]


def run_level(binary, law, level, args, workdir):
    spec = LAWS[law]
    text = BASE.format(
        spot=SPOT, sigma=SIGMA, per_leg=PER_LEG, seed=args.seed, paths=args.paths, dt_hours=args.dt_hours, expiry_days=args.expiry_days,
        fee_bps=level if law == "fee" else 0.0, gas=level if law == "gas" else 0.0,
        policy=spec["policy"], rebalance_to=spec["rebalance_to"],
        bands=json.dumps([round(b, 6) for b in geometric(0.1, 12.0, 32)]),
        risk_aversions=json.dumps([round(g, 12) for g in geometric(args.k / 64, args.k * 64, 25)]),
        k=args.k)
    scenario = os.path.join(workdir, f"{law}_{level}.toml")
    results = os.path.join(workdir, f"{law}_{level}.h5")
    with open(scenario, "w") as f:
        f.write(text)
    subprocess.run([binary, "run", scenario, "-o", results, "--overwrite", "-q"] +
                   (["--threads", str(args.threads)] if args.threads else []),
                   check=True, stdout=subprocess.DEVNULL)
    with h5py.File(results, "r") as f:
        band = f["hedging/delta_band"]
        own = f[f"hedging/{spec['policy']}"]
        grid = band["band"][()]
        b = float(band["optimal_band_refined"][()].ravel()[0])
        lo = float(band["optimal_band_refined_low"][()].ravel()[0])
        hi = float(band["optimal_band_refined_high"][()].ravel()[0])
        return {"level": level, "band": b, "band_low": lo, "band_high": hi,
                "band_grid_optimum": float(band["optimal_band"][()].ravel()[0]),
                "interior": bool(grid[0] < b < grid[-1]),
                "risk_aversion": float(own["optimal_risk_aversion_refined"][()].ravel()[0]),
                "risk_aversion_low":
                    float(own["optimal_risk_aversion_refined_low"][()].ravel()[0]),
                "risk_aversion_high":
                    float(own["optimal_risk_aversion_refined_high"][()].ravel()[0])}


# Broadie-Glasserman-Kou continuity correction: a barrier checked every dt acts like a continuous
# one moved out by beta * (the step's standard deviation), beta = -zeta(1/2) / sqrt(2 pi).
BGK_BETA = 0.5826


def gamma_moment(n, t, tau, sigma, quantity):
    """E[(Gamma S)^n] at time t (tau to expiry) of `quantity` at-the-money options (r = 0, no drift,
    S_t lognormal from S_0 = K): with Gamma S = quantity phi(d1) / (sigma sqrt tau) and d1 linear
    in the normal draw z of ln S_t, E[phi(d1)^n] is a Gaussian integral:
      (2 pi)^(-n/2) sqrt(tau / (tau + n t)) exp(-n a^2 / (2 sigma^2 (tau + n t))),
    a = sigma^2 (tau - t) / 2 (the mean of ln(S_t / K) + sigma^2 tau / 2)."""
    a = 0.5 * sigma * sigma * (tau - t)
    return ((quantity / (sigma * np.sqrt(tau))) ** n * (2 * math.pi) ** (-n / 2.0) *
            np.sqrt(tau / (tau + n * t)) * np.exp(-n * a * a / (2 * sigma * sigma * (tau + n * t))))


def continuity_shifts(args):
    """How far a band checked every dt sits inside the continuously checked optimum (units of the
    underlying), to first order in the per-step delta move s_t = Gamma_t S sigma sqrt(dt):
    a band b checked every dt trades like a continuous band b + beta s_t (volume a / (2 (b +
    beta s))) and holds a hedge error of variance ~ (b + beta s)^2 / 3. Minimising
      lambda S sum_t a_t / (2 (b + beta s_t)) + (k / 6) S^2 sigma^2 sum_t (b + beta s_t)^2
    (a_t = (Gamma_t S sigma)^2) over a constant b gives, to first order,
      b* = H* - beta (<s> + 2 <s>_G2) / 3,
    <s> the time average of s_t (the variance term's weight) and <s>_G2 its average weighted by
    Gamma_t^2 (the trading term's), = sigma sqrt(dt) E sum (Gamma S)^3 / E sum (Gamma S)^2.
    The straddle's gamma diverges at expiry, so <s>_G2 grows like ln(steps): ~3 s_0 at 5-minute
    steps over 7 days, where the expansion fails in the last steps (s_t > b). Returns (beta s_0,
    beta (<s> + 2 <s>_G2) / 3): the shift at t = 0's gamma (a lower bound) and the first-order
    one, which overstates the near-expiry steps (an upper bound)."""
    sigma, quantity = SIGMA, 2 * PER_LEG
    years = args.expiry_days / 365.0
    steps = max(1, round(args.expiry_days * 24.0 / args.dt_hours))
    dt = years / steps
    t = dt * np.arange(steps)  # decision times; the hedge is unwound at T
    tau = years - t
    scale = sigma * math.sqrt(dt)
    m1, m2, m3 = (float(np.sum(gamma_moment(n, t, tau, sigma, quantity))) for n in (1, 2, 3))
    s0 = float(gamma_moment(1, 0.0, years, sigma, quantity)) * scale
    return BGK_BETA * s0, BGK_BETA * (m1 / steps + 2.0 * m3 / m2) * scale / 3.0


def log_slope(x, y, y_low, y_high):
    """ln y = c + slope ln x by weighted least squares; the log interval (5%, 95%) gives each
    label's standard error (width / 3.29), the covariance is scaled by the reduced chi-square
    when it exceeds 1. Returns slope, its standard error, the reduced chi-square."""
    lx, ly = np.log(x), np.log(y)
    se = np.maximum((np.log(y_high) - np.log(y_low)) / (2 * 1.6449), 1e-6)
    w = 1.0 / se ** 2
    design = np.stack([np.ones_like(lx), lx], axis=1)
    cov = np.linalg.inv(design.T @ (design * w[:, None]))
    beta = cov @ (design.T @ (w * ly))
    resid = ly - design @ beta
    chi2 = float(np.sum(w * resid ** 2) / max(len(ly) - 2, 1))
    cov = cov * max(chi2, 1.0)
    return float(beta[1]), float(math.sqrt(cov[1, 1])), chi2


def measure(binary, law, args):
    spec = dict(LAWS[law])
    if args.levels:
        spec["levels"] = args.levels
    with tempfile.TemporaryDirectory() as workdir:
        rows = [run_level(binary, law, level, args, workdir) for level in spec["levels"]]
    x = np.array([r["level"] for r in rows])
    slope, slope_se, chi2 = log_slope(x, np.array([r["band"] for r in rows]),
                                      np.array([r["band_low"] for r in rows]),
                                      np.array([r["band_high"] for r in rows]))
    # Fee law: the optimal band checked every step, moved out by the continuity correction (the
    # optimal continuously checked band is it plus ~ beta Gamma S sigma sqrt(dt)), both bounds.
    corrected = {}
    for name, shift in zip(("t0", "first_order"), continuity_shifts(args) if law == "fee" else ()):
        corrected[name] = dict(zip(("slope", "slope_stderr", "reduced_chi2"), log_slope(
            x, np.array([r["band"] for r in rows]) + shift,
            np.array([r["band_low"] for r in rows]) + shift,
            np.array([r["band_high"] for r in rows]) + shift)), shift=shift)
    # The law's own policy at its optimal risk aversion: its band scale is (cost / gamma*)^p,
    # p the theory's exponent (1/3: H^3 ~ lambda / gamma; 1/4: H^4 ~ gas / gamma).
    p = spec["theory"]
    own_slope, own_se, own_chi2 = log_slope(
        x, (x / np.array([r["risk_aversion"] for r in rows])) ** p,
        (x / np.array([r["risk_aversion_high"] for r in rows])) ** p,
        (x / np.array([r["risk_aversion_low"] for r in rows])) ** p)
    return {"law": law, "cost": spec["unit"], "theory_slope": spec["theory"], "slope": slope,
            "slope_stderr": slope_se, "reduced_chi2": chi2, "continuity_corrected": corrected,
            "own_slope": own_slope, "own_slope_stderr": own_se, "own_reduced_chi2": own_chi2,
            "objective_risk_aversion": args.k,
            "policy": spec["policy"], "rebalance_to": spec["rebalance_to"], "levels": rows}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default="build-cpu/hedgemap")
    ap.add_argument("--paths", type=int, default=20000)
    ap.add_argument("--dt-hours", type=float, default=1.0 / 12.0)
    ap.add_argument("--expiry-days", type=float, default=30.0)
    ap.add_argument("--k", type=float, default=1e-3, help="objective risk aversion, 1/USD")
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--law", choices=["fee", "gas", "both"], default="both")
    ap.add_argument("--levels", type=float, nargs="+", help="cost levels (default: the law's)")
    ap.add_argument("--json", help="write the measurements here")
    args = ap.parse_args()
    out = [measure(args.binary, law, args) for law in (["fee", "gas"] if args.law == "both"
                                                        else [args.law])]
    for m in out:
        print(f"{m['law']}: optimal delta_band ({m['rebalance_to']}) vs {m['cost']}: slope "
              f"{m['slope']:.3f} +- {m['slope_stderr']:.3f} (theory {m['theory_slope']:.3f}, "
              f"reduced chi2 {m['reduced_chi2']:.2f})")
        for name, c in m["continuity_corrected"].items():
            print(f"{m['law']}: optimal delta_band + {c['shift']:.4f} (continuity correction, "
                  f"{name}) vs {m['cost']}: slope {c['slope']:.3f} +- {c['slope_stderr']:.3f} "
                  f"(reduced chi2 {c['reduced_chi2']:.2f})")
        print(f"{m['law']}: {m['policy']} band at its optimal risk aversion vs {m['cost']}: slope "
              f"{m['own_slope']:.3f} +- {m['own_slope_stderr']:.3f} (reduced chi2 "
              f"{m['own_reduced_chi2']:.2f})")
        for r in m["levels"]:
            print(f"  {m['cost']} {r['level']:g}: band {r['band']:.3f} [{r['band_low']:.3f}, "
                  f"{r['band_high']:.3f}]{'' if r['interior'] else ' (grid edge)'}; "
                  f"{m['policy']} optimal risk_aversion {r['risk_aversion']:.3g} "
                  f"[{r['risk_aversion_low']:.3g}, {r['risk_aversion_high']:.3g}] (k = {args.k:g})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
