"""hedgemap.fit / predict / the law file, on results files whose optima follow a known law
(synthetic_law.py): the fitted exponents and constants against the ones the optima were made
with, within 3 of their standard errors; the surrogate's leave-one-cell-out error against the
grid's resolution; the law file evaluated by a keeper's few lines (no hedgemap, no sklearn)
against hedgemap.predict; the trees against sklearn's own prediction."""
import json
import math
import struct
import warnings

import numpy as np
import pytest

import hedgemap
import synthetic_law as syn
from hedgemap import surrogate


def proportional(c, a, fee_bps):
    return lambda cols, g: c * (fee_bps * 1e-4 * syn.SPOT * g * g) ** a


def fixed(c, a):
    return lambda cols, g: c * (cols["gas"] * g * g) ** a


def test_fit_recovers_the_exponent_of_proportional_costs(tmp_path):
    path = str(tmp_path / "prop.h5")
    syn.write(path, proportional(10.0, 0.30, 5.0), 0.05, fee_bps=5.0)
    law = hedgemap.fit(path, policy="delta_band")
    fit = law.asymptotic["proportional"]
    # 24 cells, label sigma 0.086 in ln: the exponent is known to about 0.02.
    assert 0.005 < fit["exponent_stderr"] < 0.05
    assert abs(fit["exponent"] - 0.30) < 3 * fit["exponent_stderr"], fit
    assert abs(math.log(fit["constant"] / 10.0)) < 3 * fit["log_constant_stderr"], fit
    # The labels' scatter is what their errors say: reduced chi-square about 1 (22 dof).
    assert 0.3 < fit["reduced_chi2"] < 2.0
    # Forcing the theory's 1/3 on optima made with 0.30 fits worse.
    assert fit["rms_log_residual_at_theory_exponent"] > fit["rms_log_residual"]
    assert law.diagnostics["labels_used"] == 24 and law.diagnostics["censored"] == 0


def test_fit_recovers_the_quarter_power_of_a_fixed_cost_over_a_swept_gas_axis(tmp_path):
    path = str(tmp_path / "fixed.h5")
    syn.write(path, fixed(5.0, 0.25), 0.05, extra={"gas": [1.0, 4.0, 16.0]})
    res = hedgemap.load(path)
    assert res.grid_dims == ["volatility", "expiry_days", "gas"]
    assert hedgemap.policy_axis(res.hedging["delta_band"]) == ["band"]
    law = hedgemap.fit(res, policy="delta_band")
    assert law.feature_names == ["volatility", "expiry_days", "gas"]
    fit = law.asymptotic["fixed"]
    assert "proportional" not in law.asymptotic  # no fee: its driver is 0
    assert fit["exponent_stderr"] < 0.03
    assert abs(fit["exponent"] - 0.25) < 3 * fit["exponent_stderr"], fit
    assert abs(math.log(fit["constant"] / 5.0)) < 3 * fit["log_constant_stderr"], fit


def test_surrogate_held_out_error_is_below_the_grid_resolution(tmp_path):
    # A surface that no power law matches exactly: a bump in volatility on the fixed-cost law.
    def surface(cols, g):
        bump = 1.0 + 0.25 * np.sin(2.5 * np.log(cols["volatility"] / 0.4))
        return 5.0 * (cols["gas"] * g * g) ** 0.25 * bump

    path = str(tmp_path / "surface.h5")
    exact = syn.write(path, surface, 0.03, extra={"gas": [1.0, 2.0, 4.0, 8.0, 16.0]}, seed=3)
    law = hedgemap.fit(path, policy="delta_band")
    d = law.diagnostics
    assert d["grid_resolution_log"] == pytest.approx(math.log(2.0) / math.sqrt(12.0))
    assert d["held_out_rms_log"] < d["grid_resolution_log"], d
    # Held out, it is within a few label errors of the labels (sigma_total 0.076).
    assert d["held_out_rms_log"] < 2.5 * syn.label_sigma(0.03), d
    # And it tracks the noise-free surface about as well as the labels themselves do.
    cols = np.meshgrid(syn.VOL, syn.EXPIRY, [1.0, 2.0, 4.0, 8.0, 16.0], indexing="ij")
    predicted = hedgemap.predict(law, volatility=cols[0], expiry_days=cols[1], gas=cols[2])
    assert predicted.shape == exact.shape
    assert np.sqrt(np.mean(np.log(predicted / exact) ** 2)) < syn.label_sigma(0.03)


def keeper_evaluate(law_file, values):
    """What a keeper writes from the law file's documentation (README, "The law file"): json,
    math and struct only (struct rounds to float32, as the trees compare)."""
    with open(law_file) as f:
        s = json.load(f)["surrogate"]
    z = [math.log(values[f["name"]]) if f["transform"] == "log" else values[f["name"]]
         for f in s["features"]]
    out = s["backbone"]["intercept"] + sum(b * x for b, x in zip(s["backbone"]["coefficients"], z))
    for tree in s["trees"]["trees"]:
        node = 0
        while tree["left"][node] >= 0:
            x = struct.unpack("f", struct.pack("f", z[tree["feature"][node]]))[0]
            node = tree["left"][node] if x <= tree["threshold"][node] else tree["right"][node]
        out += s["trees"]["learning_rate"] * tree["value"][node]
    return math.exp(out)


def test_law_file_round_trip_and_keeper_evaluation(tmp_path):
    path = str(tmp_path / "surface.h5")
    syn.write(path, lambda c, g: 5.0 * (c["gas"] * g * g) ** 0.25 *
              (1 + 0.3 * (c["expiry_days"] > 10)), 0.03, extra={"gas": [1.0, 4.0, 16.0]})
    law = hedgemap.fit(path, policy="delta_band", tree_candidates=(50,))  # trees forced
    assert law.diagnostics["trees"] == 50
    law_file = law.to_json(str(tmp_path / "law.json"))
    again = hedgemap.load_law(law_file)
    for point in [dict(volatility=0.7, expiry_days=10.0, gas=6.0),
                  dict(volatility=0.45, expiry_days=20.0, gas=2.0),
                  dict(volatility=1.1, expiry_days=4.0, gas=15.0)]:
        band = hedgemap.predict(law, **point)
        assert isinstance(band, float)
        assert again.predict(**point) == band
        assert keeper_evaluate(law_file, point) == pytest.approx(band, rel=1e-12)
    # The asymptotic law of the file, from the file.
    fit = again.asymptotic["fixed"]
    g = syn.book_gamma(0.7, 10.0)
    assert hedgemap.predict(again, model="fixed", volatility=0.7, expiry_days=10.0, gas=6.0) == \
        pytest.approx(fit["constant"] * (6.0 * g * g) ** fit["exponent"], rel=1e-12)


def test_exported_trees_reproduce_sklearn():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(40, 3))
    y = z[:, 0] + np.sin(2 * z[:, 1]) + 0.1 * rng.normal(size=40)
    w = rng.uniform(0.5, 2.0, 40)
    intercept, coefficients, model = surrogate._fit(z, y, w, 30, [0, 1, 2])
    exported = {"features": [{"name": f"x{j}", "transform": "identity"} for j in range(3)],
                "backbone": {"intercept": intercept, "coefficients": list(coefficients)},
                "trees": surrogate.export_trees(model)}
    ours = np.log(surrogate.evaluate(exported, z))
    np.testing.assert_allclose(ours, intercept + z @ coefficients + model.predict(z),
                               rtol=0, atol=1e-12)


def test_predict_refuses_what_the_law_does_not_know(tmp_path):
    path = str(tmp_path / "prop.h5")
    syn.write(path, proportional(10.0, 0.30, 5.0), 0.05, fee_bps=5.0)
    law = hedgemap.fit(path)
    with pytest.raises(TypeError, match="give \\['expiry_days'\\]"):
        hedgemap.predict(law, volatility=0.7)
    with pytest.raises(TypeError, match="unknown axis"):
        hedgemap.predict(law, volatility=0.7, expiry_days=10, pool_depth=1e7)
    with pytest.raises(ValueError, match="model"):
        hedgemap.predict(law, model="fixed", volatility=0.7, expiry_days=10)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hedgemap.predict(law, volatility=0.7, expiry_days=10, gas=6.0)  # gas fixed at 0 there
        hedgemap.predict(law, volatility=3.0, expiry_days=10)           # outside the range
    assert any("not an axis" in str(w.message) for w in caught)
    assert any("outside the fitted range" in str(w.message) for w in caught)
    # Arrays broadcast.
    out = hedgemap.predict(law, volatility=np.array([0.5, 0.7, 0.9]), expiry_days=7.0)
    assert out.shape == (3,) and np.all(np.diff(out) < 0)  # wider bands at lower volatility


def test_too_few_usable_optima_is_a_clear_error(tmp_path):
    path = str(tmp_path / "edge.h5")
    syn.write(path, lambda c, g: 100.0 + 0 * g, 0.05)  # every optimum beyond the band grid
    with pytest.raises(ValueError, match="at an end of it"):
        hedgemap.fit(path)
