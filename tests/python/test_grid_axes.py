"""Extra swept axes, [grid.axes], with the real binary (HEDGEMAP_BINARY, set by ctest):
- every cell of a 2-axis sweep (a cost axis that changes the P&L, an objective axis; both share
  the path pass) is bit-identical to the 2-D run of the same scenario with those values --set;
- so is every cell of a fee x gas sweep on float paths (one path pass per market cell, a cost
  slot per setting), on the lane-batched and the scalar CPU kernels, with 1 and 2 threads;
- xarray and h5py see the new dimensions after expiry_days, in the order given, with their
  scenario_key; inspect and export handle them;
- an interrupted N-D run resumes to the datasets of an uninterrupted one;
- bad [grid.axes] input exits 2 naming the key and its file position, and writes nothing;
- the package's fit uses the extra axis as a feature of its surrogate model."""
import json
import os
import signal
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

BINARY = os.environ.get("HEDGEMAP_BINARY", "build/hedgemap")

BASE = """
name = "axes-test"
seed = 3
[simulation]
paths = 256
dt_hours = 4.0
precision = "double"
backend = "cpu"
[grid]
volatility = [0.5, 0.9]
expiry_days = [1, 2]
{axes}
[market]
spot = 3000.0
[jumps]
model = "merton"
intensity = 10.0
log_mean = -0.02
log_stdev = 0.06
[costs]
gas_volatility = 0.5
impact = "none"
[[book]]
type = "call"
strike = 1.0
quantity = -10.0
[hedging]
policies = ["periodic", "delta_band"]
periodic.every_steps = [1, 3]
delta_band.band = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4]
[cppi]
multiplier = [2, 4]
tolerance = [0.0, 0.1]
"""

AXES = """[grid.axes]
"costs.gas" = [1.0, 8.0]
"hedging.objective.risk_aversion" = [2, 8]
"""


def run(*args, timeout=300):
    return subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True, timeout=timeout)


def dimension_names(obj):
    """The names of the dimension scales attached to a dataset (empty for an axis itself)."""
    return [d[0].name.rsplit("/", 1)[-1] if len(d) else "" for d in obj.dims]


def text(attribute):
    """An HDF5 string attribute as str (h5py gives fixed-length strings as bytes)."""
    return attribute.decode() if isinstance(attribute, bytes) else str(attribute)


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, (obj[()], dimension_names(obj)))
                     if isinstance(obj, h5py.Dataset) else None)
    return out


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("axes")
    scenario = tmp / "axes.toml"
    scenario.write_text(BASE.format(axes=AXES))
    out = tmp / "axes.h5"
    r = run("run", scenario, "-o", out, "--progress", "none")
    assert r.returncode == 0, r.stderr
    return tmp, scenario, out


def test_every_cell_equals_the_run_with_those_values_set(swept):
    tmp, _, out = swept
    full = datasets(out)
    plain = tmp / "plain.toml"
    plain.write_text(BASE.format(axes=""))
    for i, gas in enumerate(["1.0", "8.0"]):
        for j, k in enumerate(["2", "8"]):
            single = tmp / f"single_{i}_{j}.h5"
            r = run("run", plain, "-o", single, "--progress", "none", "--set", f"costs.gas={gas}",
                    "--set", f"hedging.objective.risk_aversion={k}")
            assert r.returncode == 0, r.stderr
            for name, (data, dims) in datasets(single).items():
                full_data, full_dims = full[name]
                if "volatility" not in dims:  # axes and /steps: the same in both files
                    assert np.array_equal(full_data, data), name
                    continue
                assert full_dims[:2] == ["volatility", "expiry_days"], name
                assert full_dims[2:4] == ["gas", "risk_aversion"], name
                cell = full_data[:, :, i, j, ...]
                assert cell.shape == data.shape and cell.dtype == data.dtype, name
                # bit for bit (NaN included)
                assert cell.tobytes() == data.tobytes(), f"{name} at gas={gas}, k={k}"
    # the cost axis matters: a cell's hedging cost grows with gas
    g = full["hedging/periodic/gas_mean"][0]
    assert np.all(g[:, :, 1, 0, :] > g[:, :, 0, 0, :])


COST_AXES = """[grid.axes]
"costs.fee_bps" = [1.0, 10.0, 30.0]
"costs.gas" = [0.5, 4.0]
"""


@pytest.mark.parametrize("threads,scalar", [(1, False), (2, False), (1, True), (2, True)])
def test_cost_axes_share_one_path_pass_and_equal_the_runs_with_those_values_set(
        tmp_path, threads, scalar):
    # float paths: the lane-batched CPU kernel, or the scalar one with HEDGEMAP_SCALAR_CPU=1
    text = BASE.replace('precision = "double"', 'precision = "float"').replace(
        'impact = "none"', 'impact = "amm"\npool_depth = 5.0e6')
    env = dict(os.environ, HEDGEMAP_SCALAR_CPU="1" if scalar else "0")
    scenario = tmp_path / "cost_axes.toml"
    scenario.write_text(text.format(axes=COST_AXES))
    r = subprocess.run([BINARY, "validate", str(scenario)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "= 24 cells (4 path passes)" in r.stdout, r.stdout  # one pass per market cell
    assert r.stdout.count("costs only: shares the path pass") == 2, r.stdout
    out = tmp_path / "axes.h5"
    r = subprocess.run([BINARY, "run", str(scenario), "-o", str(out), "--progress", "none",
                        "--threads", str(threads)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    full = datasets(out)
    plain = tmp_path / "plain.toml"
    plain.write_text(text.format(axes=""))
    for i, fee in enumerate(["1.0", "10.0", "30.0"]):
        for j, gas in enumerate(["0.5", "4.0"]):
            single = tmp_path / f"single_{i}_{j}.h5"
            r = subprocess.run([BINARY, "run", str(plain), "-o", str(single), "--progress", "none",
                                "--threads", str(threads), "--set", f"costs.fee_bps={fee}",
                                "--set", f"costs.gas={gas}"], capture_output=True, text=True,
                               env=env)
            assert r.returncode == 0, r.stderr
            for name, (data, dims) in datasets(single).items():
                if "volatility" not in dims:
                    continue
                cell = full[name][0][:, :, i, j, ...]
                assert cell.tobytes() == data.tobytes(), f"{name} at fee={fee}, gas={gas}"
    fee_mean = full["hedging/periodic/fee_mean"][0]
    assert np.all(fee_mean[:, :, 2, 0, :] > fee_mean[:, :, 0, 0, :])  # the fee axis matters


def test_xarray_and_h5py_see_the_extra_dimensions(swept):
    _, _, out = swept
    root = xr.open_dataset(out, engine="h5netcdf")
    assert list(root.dims)[:2] == ["volatility", "expiry_days"]
    assert root["gas"].attrs["scenario_key"] == "costs.gas"
    assert root["risk_aversion"].attrs["scenario_key"] == "hedging.objective.risk_aversion"
    assert list(root["gas"].values) == [1.0, 8.0]
    db = xr.open_dataset(out, engine="h5netcdf", group="hedging/delta_band")
    assert db["objective"].dims == ("volatility", "expiry_days", "gas", "risk_aversion", "band")
    assert db["optimal_band"].dims == ("volatility", "expiry_days", "gas", "risk_aversion")
    model = xr.open_dataset(out, engine="h5netcdf", group="model")
    assert model["book_price"].dims == ("volatility", "expiry_days", "gas", "risk_aversion")
    with h5py.File(out, "r") as f:
        assert dimension_names(f["cppi/objective"]) == [
            "volatility", "expiry_days", "gas", "risk_aversion", "multiplier", "tolerance"]
        # each axis has its key's unit (host/scenario/grid_axes.cpp, swept_key_unit)
        assert text(f["gas"].attrs["units"]) == "quote currency per transaction"
        assert text(f["risk_aversion"].attrs["units"]) == "1"  # under mean_std: a pure number
        assert "[grid.axes]" in text(f.attrs["scenario_toml"])


def test_inspect_and_export_name_the_extra_axes(swept):
    tmp, _, out = swept
    r = run("inspect", out)
    assert r.returncode == 0, r.stderr
    assert "gas" in r.stdout and "risk_aversion" in r.stdout
    js = tmp / "export.json"
    r = run("export", out, "--format", "json", "-o", js)
    assert r.returncode == 0, r.stderr
    law = json.loads(js.read_text())
    text = json.dumps(law)
    assert "gas" in text and "risk_aversion" in text
    csv = tmp / "export.csv"
    r = run("export", out, "--format", "csv", "-o", csv)
    assert r.returncode == 0, r.stderr
    header = csv.read_text().splitlines()[0].split(",")
    assert "gas" in header and "risk_aversion" in header
    rows = csv.read_text().splitlines()[1:]
    # one row per cell of the full grid and policy with an axis
    assert len(rows) % (2 * 2 * 2 * 2) == 0 and rows


def test_interrupted_n_d_run_resumes_to_the_uninterrupted_datasets(tmp_path):
    scenario = tmp_path / "axes.toml"
    scenario.write_text(BASE.format(axes=AXES).replace("paths = 256", "paths = 4000"))
    ref = tmp_path / "ref.h5"
    assert run("run", scenario, "-o", ref, "--progress", "none").returncode == 0
    out = tmp_path / "int.h5"
    proc = subprocess.Popen([BINARY, "run", str(scenario), "-o", str(out), "--progress", "jsonl"],
                            stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if '"cells_done":' in line and '"cells_done":0,' not in line:
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.stderr.read()
    assert proc.wait(timeout=300) == 75, rest
    assert not out.exists() and Path(str(out) + ".ckpt").exists()
    r = run("run", scenario, "-o", out, "--progress", "none", "--resume")
    assert r.returncode == 0, r.stderr
    a, b = datasets(ref), datasets(out)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name][0].tobytes() == b[name][0].tobytes(), name


BAD = [
    ("unknown key", '"costs.gsa" = [1.0]', 'grid.axes."costs.gsa"[0]', "unknown key"),
    ("not numeric", '"hedging.objective.kind" = [1.0]', 'grid.axes."hedging.objective.kind"',
     "not a numeric scalar key"),
    ("not sweepable", '"simulation.paths" = [100, 200]', 'grid.axes."simulation.paths"',
     "not a sweepable key"),
    ("non-finite", '"costs.gas" = [1.0, inf]', 'grid.axes."costs.gas"[1]', "finite"),
    ("empty", '"costs.gas" = []', 'grid.axes."costs.gas"', "non-empty"),
    ("not increasing", '"costs.gas" = [2.0, 1.0]', 'grid.axes."costs.gas"[1]', "greater than"),
    ("out of range", '"costs.gas" = [-1.0, 2.0]', 'grid.axes."costs.gas"[0]', ">= 0"),
    ("duplicate", '"costs.gas" = [1.0]\n"costs . gas" = [2.0]', 'grid.axes."costs', "repeats costs.gas"),
    ("given another way", '"costs.gas_volatility" = [0.1, 0.2]', 'grid.axes."costs.gas_volatility"',
     "also given at line"),
    ("five axes", '"costs.gas" = [1.0]\n"costs.fee_bps" = [1.0]\n"market.rate" = [0.0]\n'
     '"market.drift" = [0.0]\n"jumps.log_mean" = [0.0]', "grid.axes", "at most 4 extra axes"),
]


@pytest.mark.parametrize("what,axes,key,message", BAD, ids=[b[0] for b in BAD])
def test_bad_axes_exit_2_with_key_position_and_what_is_allowed(tmp_path, what, axes, key, message):
    scenario = tmp_path / "bad.toml"
    text = BASE.format(axes="[grid.axes]\n" + axes)
    scenario.write_text(text)
    out = tmp_path / "bad.h5"
    r = run("run", scenario, "-o", out, "--progress", "none")
    assert r.returncode == 2, r.stderr
    assert not out.exists()
    first = r.stderr.splitlines()[0]
    assert first.startswith(f"{scenario}:"), first
    line = int(first.split(":")[1])
    assert "[grid.axes]" in "\n".join(text.splitlines()[:line]), first  # points into the table
    assert key in first and message in first, first


def test_a_set_value_of_a_swept_key_is_refused(tmp_path):
    scenario = tmp_path / "axes.toml"
    scenario.write_text(BASE.format(axes=AXES))
    r = run("validate", scenario, "--set", "costs.gas=3")
    assert r.returncode == 2 and "also given by --set" in r.stderr, r.stderr


def test_fit_uses_the_extra_axis_as_a_feature(swept):
    import hedgemap
    _, _, out = swept
    res = hedgemap.load(out)
    assert res.extra_dims == ["gas", "risk_aversion"]
    law = hedgemap.fit(res, policy="delta_band")
    assert law.feature_names == ["volatility", "expiry_days", "gas", "risk_aversion"]
    assert [f["name"] for f in law.data["surrogate"]["features"]] == law.feature_names
    a = hedgemap.predict(law, volatility=0.7, expiry_days=1.5, gas=1.0, risk_aversion=4.0)
    b = hedgemap.predict(law, volatility=0.7, expiry_days=1.5, gas=8.0, risk_aversion=4.0)
    assert np.isfinite(a) and np.isfinite(b)
    with pytest.raises((KeyError, ValueError, TypeError)):
        hedgemap.predict(law, volatility=0.7, expiry_days=1.5)  # the extra axes are required


def test_report_has_a_row_per_cell_of_the_full_grid(swept):
    # The report's thresholds table (the figures take minutes on 2 cores; scripts/report.py on
    # such a file was run by hand).
    import hedgemap
    import importlib
    report = importlib.import_module("hedgemap.report")  # the module (hedgemap.report is the function)
    _, _, out = swept
    text = report._thresholds_table(hedgemap.load(out))
    assert 'data-gas="8"' in text and 'data-risk_aversion="2"' in text
    # delta_band: one row per cell of 2 vol x 2 expiry x 2 gas x 2 risk aversions
    assert text.count('data-policy="delta_band"') == 16
