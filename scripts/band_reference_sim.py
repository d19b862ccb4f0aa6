#!/usr/bin/python3
"""Independent numpy reference for the fee law of scripts/scaling_laws.py (README, "Threshold
scaling laws, measured"): the same short at-the-money straddle (10 calls + 10 puts, S 3000,
sigma 0.8, r = 0, no drift), hedged with a delta band checked every dt and rebalanced to its
nearest edge, with paths, Black-Scholes deltas and fees of its own (no hedgemap code). The band's
trades do not depend on the fee, so one pass gives every fee level: PnL(lambda) = G - lambda F,
G the premium + payoff + hedge gains, F the notional traded (initial hedge and unwind included).
Per fee it minimises -mean + (k/2) var over 40 bands (0.03 to 12 units, parabola in ln band
around the grid optimum, as hedgemap refines), fits the log-log slope (unweighted), and prints
the Gamma^2-weighted per-step delta move <s>_G2 = sigma sqrt(dt) sum (Gamma S)^3 / sum
(Gamma S)^2 over its paths, to compare with scaling_laws.continuity_shifts' closed form.

  /usr/bin/python3 scripts/band_reference_sim.py --paths 16000 --seed 11 [--dt-hours 0.0833]
"""
import argparse
import math

import numpy as np
from scipy.special import ndtr

SPOT, SIGMA, PER_LEG = 3000.0, 0.8, 10.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=float, default=7.0)
    ap.add_argument("--dt-hours", type=float, default=1.0 / 12.0)
    ap.add_argument("--paths", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--k", type=float, default=1e-3)
    ap.add_argument("--levels", type=float, nargs="+", default=[0.5, 2.0, 8.0, 32.0])
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    years = args.days / 365.0
    steps = int(round(args.days * 24 / args.dt_hours))
    dt = years / steps
    bands = np.geomspace(0.03, 12, 40)
    sigma, q = SIGMA, PER_LEG

    def target(spot, tau):  # the hedge h* = minus the short straddle's delta
        d1 = (np.log(spot / SPOT) + 0.5 * sigma * sigma * tau) / (sigma * math.sqrt(tau))
        return q * (2 * ndtr(d1) - 1)

    spot = np.full(args.paths, SPOT)
    hedge = np.repeat(target(spot, years)[:, None], len(bands), 1)
    gains = np.zeros_like(hedge)
    traded = np.abs(hedge) * SPOT
    m2 = m3 = 0.0
    for i in range(steps):
        z = rng.standard_normal(args.paths)
        new_spot = spot * np.exp(-0.5 * sigma * sigma * dt + sigma * math.sqrt(dt) * z)
        gains += hedge * (new_spot - spot)[:, None]
        spot = new_spot
        tau = years - (i + 1) * dt
        if i == steps - 1:
            break
        d1 = (np.log(spot / SPOT) + 0.5 * sigma * sigma * tau) / (sigma * math.sqrt(tau))
        gamma_s = 2 * q * np.exp(-0.5 * d1 * d1) / math.sqrt(2 * math.pi) / (sigma * math.sqrt(tau))
        m2 += float(np.sum(gamma_s ** 2))
        m3 += float(np.sum(gamma_s ** 3))
        h_star = target(spot, tau)[:, None]
        gap = hedge - h_star
        moved = np.where(np.abs(gap) > bands, h_star + np.sign(gap) * bands, hedge)
        traded += np.abs(moved - hedge) * spot[:, None]
        hedge = moved
    traded += np.abs(hedge) * spot[:, None]  # unwind at expiry
    premium = 2 * q * SPOT * (2 * ndtr(0.5 * sigma * math.sqrt(years)) - 1)
    base = (premium - q * np.abs(spot - SPOT))[:, None] + gains

    def optimum(lam):
        pnl = base - lam * traded
        objective = -pnl.mean(0) + 0.5 * args.k * pnl.var(0)
        j = min(max(int(np.argmin(objective)), 1), len(bands) - 2)
        x = np.log(bands[j - 1:j + 2])
        c = np.polyfit(x, objective[j - 1:j + 2], 2)
        return math.exp(min(max(-c[1] / (2 * c[0]), x[0]), x[2]))

    levels = np.array(args.levels)
    optimal = np.array([optimum(level * 1e-4) for level in levels])
    print("fee_bps " + " ".join(f"{x:g}" for x in levels))
    print("optimal band " + " ".join(f"{b:.3f}" for b in optimal))
    print(f"raw slope {np.polyfit(np.log(levels), np.log(optimal), 1)[0]:.3f}")
    print(f"<s>_G2 {m3 / m2 * sigma * math.sqrt(dt):.4f} units")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
