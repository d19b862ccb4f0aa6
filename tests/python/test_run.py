"""hedgemap.run with the real binary (HEDGEMAP_BINARY, set by ctest): the results it returns
are the file the command line writes with the same options, bit for bit; overrides, TOML text and
dict scenarios; bad input raises with the binary's messages and leaves no file; the package's
fit and the scripts' command lines on a file the binary wrote; extra swept axes (axes=), each cell
bit-identical to the 2-D run with those values set; risk_aversion required for
mean_variance at the command line (exit 2)."""
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

import hedgemap
from conftest import PACKAGE_ROOT, SCRIPTS

SCENARIO = """
name = "run-test"
seed = 5
[simulation]
paths = 800
dt_hours = 2.0
precision = "double"
[grid]
volatility = [0.5, 0.7, 0.9]
expiry_days = [1, 2, 4]
[market]
spot = 3000.0
[costs]
fee_bps = 5.0
gas = 2.0
[[book]]
type = "call"
strike = 1.0
quantity = -10.0
[[book]]
type = "put"
strike = 1.0
quantity = -10.0
[hedging]
policies = ["delta_band"]
delta_band.band = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8]
objective.kind = "mean_variance"
objective.risk_aversion = 1e-3
"""


@pytest.fixture(scope="module")
def binary():
    path = os.environ.get("HEDGEMAP_BINARY")
    if not path:
        pytest.skip("HEDGEMAP_BINARY is not set (ctest sets it to the built hedgemap)")
    return path


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return out


def assert_same_datasets(a, b):
    da, db = datasets(a), datasets(b)
    assert da.keys() == db.keys()
    for k in da:
        x, y = np.asarray(da[k]), np.asarray(db[k])
        assert x.dtype == y.dtype and x.shape == y.shape, k
        assert x.tobytes() == y.tobytes(), k


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("run") / "scenario.toml"
    path.write_text(SCENARIO)
    return str(path)


@pytest.fixture(scope="module")
def run_result(binary, scenario_file, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("run") / "api.h5")
    res = hedgemap.run(scenario_file, paths=600, backend="cpu", set={"costs.gas": 8.0},
                       output=out, binary=binary, progress=True)
    return res


def test_run_returns_what_the_command_line_writes(binary, scenario_file, run_result, tmp_path):
    res = run_result
    assert isinstance(res, hedgemap.Results)
    assert res.scenario["costs"]["gas"] == 8.0 and int(res.attrs["paths"]) == 600
    assert res.hedging["delta_band"]["objective"].dims == ("volatility", "expiry_days", "band")
    cli = str(tmp_path / "cli.h5")
    done = subprocess.run([binary, "run", scenario_file, "-o", cli, "--paths", "600", "--backend",
                           "cpu", "--set", "costs.gas=8.0", "--progress", "none"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert_same_datasets(res.path, cli)


def test_run_takes_text_dicts_and_keyword_overrides(binary, scenario_file, run_result):
    scenario = run_result.scenario
    res = hedgemap.run(scenario, paths=600, backend="cpu", binary=binary, progress=False)
    assert_same_datasets(res.path, run_result.path)  # the dict is the effective scenario
    text = SCENARIO.replace("gas = 2.0", "gas = 8.0")
    res = hedgemap.run(text, paths=600, backend="cpu", binary=binary, progress=False,
                       costs__fee_bps=5.0)
    assert res.scenario["costs"]["fee_bps"] == 5.0
    assert_same_datasets(res.path, run_result.path)


def test_run_sweeps_extra_axes(binary, scenario_file, tmp_path):
    # Given gas first: the axes follow the dict's order, not the keys' (toml++ sorts those). The
    # scenario's own single values of the keys (fee_bps = 5.0, gas = 2.0) give way to the axes.
    res = hedgemap.run(scenario_file, paths=256, backend="cpu", binary=binary, progress=False,
                       axes={"costs.gas": [1.0, 8.0], "costs.fee_bps": np.array([5, 30])})
    assert res.extra_dims == ["gas", "fee_bps"]
    assert res.hedging["delta_band"]["objective"].dims == (
        "volatility", "expiry_days", "gas", "fee_bps", "band")
    assert list(res.root["fee_bps"].values) == [5, 30]
    assert res.scenario["grid"]["axes"] == {"costs.gas": [1.0, 8.0], "costs.fee_bps": [5, 30]}
    assert "gas" not in res.scenario["costs"] and "fee_bps" not in res.scenario["costs"]
    with h5py.File(res.path, "r") as f:  # each axis has its key's unit
        units = {name: f[name].attrs["units"] for name in ("gas", "fee_bps")}
    units = {k: v.decode() if isinstance(v, bytes) else v for k, v in units.items()}
    assert units == {"gas": "quote currency per transaction", "fee_bps": "bps"}
    # Each cell is the 2-D run with those values set, bit for bit.
    full = datasets(res.path)
    for i, gas in enumerate([1.0, 8.0]):
        for j, fee in enumerate([5, 30]):
            single = hedgemap.run(scenario_file, paths=256, backend="cpu", binary=binary,
                                  progress=False, set={"costs.gas": gas, "costs.fee_bps": fee})
            with h5py.File(single.path, "r") as f:
                for name in ("hedging/delta_band/objective", "hedging/delta_band/cost_mean",
                             "hedging/delta_band/optimal_band", "model/book_price_mc"):
                    cell = np.asarray(full[name])[:, :, i, j, ...]
                    assert cell.tobytes() == f[name][()].tobytes(), (name, gas, fee)
    # costs grow with the fee, at every gas level
    cost = res.hedging["delta_band"]["cost_mean"]
    assert bool((cost.isel(fee_bps=1) > cost.isel(fee_bps=0)).all())
    out = tmp_path / "never.h5"
    with pytest.raises(hedgemap.ScenarioInputError) as e:
        hedgemap.run(scenario_file, output=str(out), binary=binary, progress=False,
                     axes={"costs.gas": [8.0, 1.0]})
    assert any('grid.axes."costs.gas"[1]' in p and "greater than the value before" in p
               for p in e.value.problems), e.value.problems
    assert not out.exists()


def test_bad_input_raises_with_the_binary_messages(binary, scenario_file, tmp_path):
    out = tmp_path / "never.h5"
    text = SCENARIO.replace("objective.risk_aversion = 1e-3\n", "")
    with pytest.raises(hedgemap.ScenarioInputError) as e:
        hedgemap.run(text, output=str(out), binary=binary, progress=False)
    assert any("hedging.objective.risk_aversion" in p and "is required" in p
               for p in e.value.problems), e.value.problems
    assert not out.exists()
    with pytest.raises(hedgemap.ScenarioInputError, match="costs.gas"):
        hedgemap.run(scenario_file, set={"costs.gas": -1.0}, binary=binary, progress=False)


def test_command_line_refuses_mean_variance_without_risk_aversion(binary, tmp_path):
    text = SCENARIO.replace('objective.kind = "mean_variance"\nobjective.risk_aversion = 1e-3\n',
                            "")
    path = tmp_path / "s.toml"
    path.write_text(text)
    out = tmp_path / "x.h5"
    done = subprocess.run([binary, "run", str(path), "-o", str(out), "--set",
                           "hedging.objective.kind=mean_variance", "--progress", "none"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "hedging.objective.risk_aversion: is required when hedging.objective.kind = " \
           "\"mean_variance\"" in done.stderr, done.stderr
    assert not out.exists()


def test_fit_and_scripts_on_a_file_the_binary_wrote(run_result, tmp_path):
    res = run_result
    ds = res.hedging["delta_band"]
    # The new optimum statistics are in the file and coherent.
    paired = ds["objective_paired_stderr"].values
    at_optimum = ds["band"].values[None, None, :] == ds["optimal_band"].values[:, :, None]
    assert np.all(paired[at_optimum] == 0.0) and np.all(paired[~at_optimum] > 0)
    assert np.all(ds["near_optimal"].values[at_optimum] == 1)
    lo, hi = ds["optimal_band_refined_low"].values, ds["optimal_band_refined_high"].values
    ok = np.isfinite(lo)
    assert np.all(lo[ok] <= hi[ok])
    law = hedgemap.fit(res, policy="delta_band")
    assert law.diagnostics["labels_used"] >= 3
    band = hedgemap.predict(law, volatility=0.6, expiry_days=3.0)
    assert 0.05 < band < 12.8
    out = tmp_path / "law.json"
    figure = tmp_path / "law.png"
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
    done = subprocess.run([sys.executable, "-m", "hedgemap", "fit", res.path, "-o", str(out),
                           "--figure", str(figure)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert hedgemap.load_law(str(out)).predict(volatility=0.6, expiry_days=3.0) == band
    assert figure.stat().st_size > 20000
    done = subprocess.run([sys.executable, os.path.join(SCRIPTS, "fit_law.py"), res.path],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "held-out rms error" in done.stdout, done.stderr
    done = subprocess.run([sys.executable, "-m", "hedgemap", "predict", str(out),
                           "volatility=0.6", "expiry_days=3"], capture_output=True, text=True,
                          env=env)
    assert done.returncode == 0 and float(done.stdout) == pytest.approx(band, rel=1e-5)
