"""Threshold laws: `hedgemap.fit(results_or_path, policy)` -> Law, `hedgemap.predict(law, ...)`.

    law = hedgemap.fit("run.h5", policy="delta_band")
    band = hedgemap.predict(law, volatility=0.7, expiry_days=10, gas=6.0)   # -> float
    law.to_json("law.json"); law2 = hedgemap.load_law("law.json")

A Law holds (a) the asymptotic laws of hedgemap/asymptotic.py with fitted constants, exponents
and their standard errors, and (b) the surrogate of hedgemap/surrogate.py over every grid axis
of the file, with its leave-one-cell-out error next to the grid's own resolution. Its JSON file
("format": "hedgemap-law-1", docs in README "Threshold laws") holds everything a keeper needs to
evaluate either without hedgemap.
"""
from __future__ import annotations

import dataclasses
import json
import math
import warnings
from typing import Dict, Optional

import numpy as np

from . import asymptotic, surrogate
from .optima import OptimumTable, optimum_table, scenario_context
from .results import Results, as_results

FORMAT = "hedgemap-law-1"
# Objectives whose risk_aversion is a risk aversion in 1/quote currency (the laws' gamma).
RISK_AVERSION_OBJECTIVES = ("mean_variance", "utility")


@dataclasses.dataclass
class Law:
    data: Dict

    # -- the calls a user writes ----------------------------------------------------------------
    def predict(self, model: str = "surrogate", **values):
        return predict(self, model=model, **values)

    def to_json(self, path: str) -> str:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.data, f, indent=1, allow_nan=True)
            f.write("\n")
        return path

    # -- what it holds --------------------------------------------------------------------------
    @property
    def policy(self) -> str:
        return self.data["policy"]

    @property
    def parameter(self) -> str:
        return self.data["parameter"]

    @property
    def feature_names(self):
        return [f["name"] for f in self.data["surrogate"]["features"]]

    @property
    def asymptotic(self) -> Dict:
        return self.data.get("asymptotic", {})

    @property
    def diagnostics(self) -> Dict:
        return self.data["diagnostics"]

    def summary(self) -> str:
        d = self.diagnostics
        lines = [f"{self.policy}: optimal {self.parameter} over {', '.join(self.feature_names)} "
                 f"({d['labels_used']} optima used of {d['cells']} cells, {d['censored']} at a "
                 "grid end left out)",
                 f"  surrogate: held-out rms error {d['held_out_rms_log']:.3f} in ln "
                 f"{self.parameter} (backbone alone {d['held_out_rms_log_backbone']:.3f}, "
                 f"{d['trees']} trees); grid resolution {d['grid_resolution_log']:.3f} "
                 f"(log step {d['grid_step_log']:.3f} / sqrt 12)"]
        for kind, fit in self.asymptotic.items():
            lines.append(f"  {kind} law: {self.parameter} = c ({fit['driver']})^a, "
                         f"a = {fit['exponent']:.3f} +- {fit['exponent_stderr']:.3f} "
                         f"(theory {fit['theory_exponent']:.3f}), c = {fit['constant']:.4g} +- "
                         f"{fit['constant_stderr']:.2g}; at a = theory: c = "
                         f"{fit['constant_at_theory_exponent']:.4g} +- "
                         f"{fit['constant_at_theory_exponent_stderr']:.2g}, rms "
                         f"{fit['rms_log_residual_at_theory_exponent']:.3f}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Law({self.summary()})"


def load_law(path: str) -> Law:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a hedgemap law file (format {data.get('format')!r}, "
                         f"expected {FORMAT!r})")
    return Law(data)


def _inputs(res: Results, table: OptimumTable) -> Dict:
    """What the asymptotic drivers need beyond the grid axes: spot, rate, the book, the scalar
    scenario values the file did not sweep (fee_bps, gas, ...), days per year."""
    sc = res.scenario
    hedging = sc.get("hedging", {})
    kind = hedging.get("objective", {}).get("kind", "mean_std")
    context = scenario_context(res)
    context.setdefault("spot", 3000.0)
    context.setdefault("rate", 0.0)
    return {"context": {k: v for k, v in context.items() if k not in table.feature_names},
            "book": [{"type": leg.get("type", "call"), "strike": float(leg.get("strike", 1.0)),
                      "quantity": float(leg.get("quantity", 0.0))} for leg in sc.get("book", [])],
            "days_per_year": float(res.attrs.get("days_per_year", sc.get("days_per_year", 365))),
            "objective_kind": kind,
            "risk_aversion_in_law": kind in RISK_AVERSION_OBJECTIVES,
            "rebalance_to": hedging.get("delta_band", {}).get("rebalance_to", "center")}


def fit(res_or_path, policy: str = "delta_band", tree_candidates=surrogate.TREE_CANDIDATES) -> Law:
    """Fits the threshold laws of `policy` to the optima of a results file (path or Results)."""
    res = as_results(res_or_path)
    table = optimum_table(res, policy)
    use = table.usable
    if use.sum() < 3:
        raise ValueError(f"/hedging/{policy}: {int(use.sum())} optima inside the parameter grid "
                         f"({int(table.censored.sum())} at an end of it): too few to fit a law; "
                         f"widen hedging.{policy} and run again")
    x, h, sigma = table.features[use], table.value[use], table.sigma_log[use]
    inputs = _inputs(res, table)
    columns = {n: x[:, j] for j, n in enumerate(table.feature_names)}
    laws = asymptotic.fit_laws(columns, h, sigma, inputs) if policy == "delta_band" else {}
    model = surrogate.fit_surrogate(x, h, sigma, table.feature_names, tree_candidates)
    # The asymptotic laws' own held-out error (refitted without each cell), for comparison.
    held_out_laws = {}
    for kind in laws:
        errors = []
        for i in range(len(h)):
            keep = np.arange(len(h)) != i
            sub = {n: v[keep] for n, v in columns.items()}
            one = asymptotic.fit_laws(sub, h[keep], sigma[keep], inputs).get(kind)
            if one is None:
                errors = []
                break
            at = {n: v[i:i + 1] for n, v in columns.items()}
            errors.append(math.log(asymptotic.predict_law(one, kind, at, inputs)[0] / h[i]))
        if errors:
            laws[kind]["held_out_rms_log"] = float(np.sqrt(np.mean(np.square(errors))))
    attrs = res.attrs
    data = {
        "format": FORMAT,
        "policy": policy,
        "parameter": table.parameter,
        "units": table.units,
        "source": {"results_file": res.path, "source": str(attrs.get("source", "")),
                   "scenario_name": str(attrs.get("scenario_name", "")),
                   "seed": int(attrs.get("seed", 0)), "paths": int(attrs.get("paths", 0)),
                   "objective_kind": inputs["objective_kind"]},
        "surrogate": model,
        "asymptotic": laws,
        "driver_inputs": inputs,
        "diagnostics": {
            "cells": int(len(table.value)), "labels_used": int(use.sum()),
            "censored": int(table.censored.sum()),
            "held_out_rms_log": model["held_out"]["rms_log"],
            "held_out_rms_log_backbone": model["held_out"]["rms_log_backbone"],
            "trees": surrogate.tree_count(model),
            "grid_step_log": table.step_log, "grid_resolution_log": table.resolution_log,
            "label_sigma_log_median": float(np.median(sigma)),
        },
        "labels": {"features": table.feature_names,
                   "cells": [[float(v) for v in row] for row in table.features],
                   "value": [float(v) for v in table.value],
                   "sigma_log": [float(v) for v in table.sigma_log],
                   "censored": [bool(v) for v in table.censored]},
    }
    return Law(data)


def predict(law, model: str = "surrogate", **values):
    """The law's parameter at the given axis values (floats or arrays of one shape): a float for
    scalars. model="surrogate" needs every axis of the training grid; "proportional" or "fixed"
    evaluates that asymptotic law (volatility and expiry_days, plus any cost given). A value
    outside the training range warns (the surrogate's trees are flat there; the backbone
    extrapolates as a power law)."""
    law = law if isinstance(law, Law) else load_law(law)
    data = law.data
    names = law.feature_names
    context = data["driver_inputs"]["context"]
    unknown = [k for k in values if k not in names and k not in context
               and k not in ("volatility", "expiry_days")]
    if unknown:
        raise TypeError(f"predict: unknown axis {unknown}; this law knows {names} (fixed in its "
                        f"file: {sorted(context)})")
    arrays = {k: np.asarray(v, float) for k, v in values.items()}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
    if model == "surrogate":
        missing = [n for n in names if n not in arrays]
        if missing:
            raise TypeError(f"predict: give {missing} (the law varies with {names})")
        for k, a in arrays.items():
            if k not in names and np.any(a != context.get(k)):
                warnings.warn(f"{k} = {a} but this law was fitted at {k} = {context.get(k)} "
                              f"(not an axis of its grid): the prediction ignores it",
                              stacklevel=2)
        for f in data["surrogate"]["features"]:
            a = arrays[f["name"]]
            if np.any(a < f["min"]) or np.any(a > f["max"]):
                warnings.warn(f"{f['name']} outside the fitted range [{f['min']:g}, {f['max']:g}]",
                              stacklevel=2)
        rows = np.stack([np.broadcast_to(arrays[n], shape).ravel() for n in names], axis=1)
        out = surrogate.evaluate(data["surrogate"], rows).reshape(shape)
    elif model in law.asymptotic:
        out = asymptotic.predict_law(law.asymptotic[model], model, arrays, data["driver_inputs"])
        out = np.broadcast_to(out, shape)
    else:
        raise ValueError(f"predict: model {model!r}; this law has 'surrogate' and "
                         f"{sorted(law.asymptotic)}")
    return float(out) if np.ndim(out) == 0 else np.asarray(out)
