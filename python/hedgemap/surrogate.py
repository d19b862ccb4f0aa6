"""A surrogate of the optimal parameter over every axis of the grid, that a keeper evaluates in
a few lines without hedgemap or sklearn.

Model, on features z_j = ln x_j (or x_j for an axis with values <= 0) of the cell's coordinates
(implied volatility, expiry, and every extra swept axis: gas, fee_bps, pool_depth, ...):

    ln parameter = b_0 + sum_j b_j z_j  +  learning_rate sum_t tree_t(z)

The first part (the backbone) is a weighted least-squares power law in every axis: it is the
form the asymptotic laws take for an at-the-money book (Gamma^2 ~ 1/(sigma^2 T)), and it
extrapolates sensibly. The trees are sklearn's GradientBoostingRegressor (squared error, depth 2,
learning rate 0.1, no subsampling: deterministic) fitted to the backbone's residuals with the
same weights, 1/sigma^2 of each label (hedgemap/optima.py); how many trees (0 included) is
chosen by leave-one-cell-out error, so they are only kept where they help on held-out cells.

Evaluating a tree: start at node 0; while left[node] >= 0: go to left[node] if
float32(z[feature[node]]) <= threshold[node], else to right[node]; the tree's output is
value[node]. (sklearn compares features in float32; doing the same reproduces it exactly.)
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import numpy as np

TREE_CANDIDATES = (0, 10, 25, 50, 100)
LEARNING_RATE = 0.1
MAX_DEPTH = 2


def feature_transforms(features: np.ndarray) -> List[str]:
    """"log" for a feature with positive values only, "identity" otherwise."""
    return ["log" if np.all(features[:, j] > 0) else "identity" for j in range(features.shape[1])]


def transform(features: np.ndarray, transforms: Sequence[str]) -> np.ndarray:
    z = np.array(features, dtype=float, copy=True)
    for j, t in enumerate(transforms):
        if t == "log":
            z[:, j] = np.log(z[:, j])
    return z


def _backbone(z, y, w, varying):
    design = np.hstack([np.ones((len(y), 1)), z[:, varying]])
    normal = design.T @ (design * w[:, None])
    # A tiny ridge keeps the solve well posed with as many features as labels.
    normal += 1e-10 * np.eye(normal.shape[0]) * np.trace(normal)
    beta = np.linalg.solve(normal, design.T @ (w * y))
    coefficients = np.zeros(z.shape[1])
    coefficients[varying] = beta[1:]
    return float(beta[0]), coefficients


def _fit(z, y, w, trees: int, varying):
    intercept, coefficients = _backbone(z, y, w, varying)
    resid = y - intercept - z @ coefficients
    model = None
    if trees > 0:
        from sklearn.ensemble import GradientBoostingRegressor
        model = GradientBoostingRegressor(loss="squared_error", learning_rate=LEARNING_RATE,
                                          n_estimators=trees, max_depth=MAX_DEPTH, subsample=1.0,
                                          init="zero", random_state=0)
        model.fit(z, resid, sample_weight=w / w.mean())
    return intercept, coefficients, model


def held_out_errors(z, y, w, tree_counts: Sequence[int], varying) -> Dict[int, np.ndarray]:
    """ln(prediction) - ln(label) for every label, each predicted by a model fitted without it,
    for every number of trees in tree_counts (one boosting run per fold: its stages)."""
    counts = sorted(set(tree_counts))
    most = counts[-1]
    errors = {t: np.empty(len(y)) for t in counts}
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        intercept, coefficients, model = _fit(z[keep], y[keep], w[keep], most, varying)
        base = intercept + z[i:i + 1] @ coefficients
        stages = {0: base}
        if model is not None:
            for t, pred in enumerate(model.staged_predict(z[i:i + 1]), start=1):
                if t in errors:
                    stages[t] = base + pred
        for t in counts:
            errors[t][i] = stages[t][0] - y[i]
    return errors


def fit_surrogate(features: np.ndarray, value: np.ndarray, sigma_log: np.ndarray,
                  names: Sequence[str], tree_candidates: Sequence[int] = TREE_CANDIDATES) -> Dict:
    """The surrogate (as the law file's "surrogate" object) and its held-out errors."""
    transforms = feature_transforms(features)
    z = transform(features, transforms)
    y, w = np.log(value), 1.0 / sigma_log ** 2
    varying = [j for j in range(z.shape[1]) if np.ptp(z[:, j]) > 0]
    if len(y) < len(varying) + 2:
        raise ValueError(f"{len(y)} usable optima for {len(varying)} varying axes: too few to fit "
                         "a surrogate (widen the parameter grid so fewer optima sit at its ends)")
    counts = sorted(set(tree_candidates) | {0})
    try:
        scores = held_out_errors(z, y, w, counts, varying)
    except ImportError:  # no sklearn: the backbone alone
        scores = held_out_errors(z, y, w, [0], varying)
    allowed = [t for t in scores if t in tree_candidates] or [0]
    best = min(allowed, key=lambda t: (float(np.sqrt(np.mean(scores[t] ** 2))), t))
    intercept, coefficients, model = _fit(z, y, w, best, varying)
    return {
        "features": [{"name": n, "transform": t, "min": float(features[:, j].min()),
                      "max": float(features[:, j].max())}
                     for j, (n, t) in enumerate(zip(names, transforms))],
        "output": "exp",
        "backbone": {"intercept": intercept, "coefficients": [float(c) for c in coefficients]},
        "trees": export_trees(model),
        "held_out": {
            "rms_log": float(np.sqrt(np.mean(scores[best] ** 2))),
            "rms_log_backbone": float(np.sqrt(np.mean(scores[0] ** 2))),
            "max_abs_log": float(np.max(np.abs(scores[best]))),
            "rms_log_by_trees": {str(t): float(np.sqrt(np.mean(e ** 2)))
                                 for t, e in scores.items()},
            "log_errors": [float(e) for e in scores[best]],  # per usable label, in order
        },
    }


def export_trees(model) -> Dict:
    trees = []
    if model is not None:
        for estimator in model.estimators_[:, 0]:
            t = estimator.tree_
            trees.append({"feature": [int(v) for v in t.feature],
                          "threshold": [float(v) for v in t.threshold],
                          "left": [int(v) for v in t.children_left],
                          "right": [int(v) for v in t.children_right],
                          "value": [float(v) for v in t.value[:, 0, 0]]})
    return {"learning_rate": LEARNING_RATE, "max_depth": MAX_DEPTH, "trees": trees,
            "comparison": "float32(z[feature]) <= threshold goes left"}


def evaluate(surrogate: Dict, features: np.ndarray) -> np.ndarray:
    """The surrogate's parameter at the rows of `features` (columns in the surrogate's order),
    from the exported dict alone (what a keeper implements)."""
    features = np.atleast_2d(np.asarray(features, float))
    transforms = [f["transform"] for f in surrogate["features"]]
    z = transform(features, transforms)
    out = surrogate["backbone"]["intercept"] + z @ np.asarray(
        surrogate["backbone"]["coefficients"], float)
    z32 = z.astype(np.float32)
    rate = surrogate["trees"]["learning_rate"]
    for tree in surrogate["trees"]["trees"]:
        left, right = tree["left"], tree["right"]
        for row in range(len(z32)):
            node = 0
            while left[node] >= 0:
                node = left[node] if z32[row, tree["feature"][node]] <= tree["threshold"][node] \
                    else right[node]
            out[row] += rate * tree["value"][node]
    return np.exp(out)


def tree_count(surrogate: Optional[Dict]) -> int:
    return 0 if not surrogate else len(surrogate["trees"]["trees"])
