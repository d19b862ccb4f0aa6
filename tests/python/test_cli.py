"""End-to-end checks of the hedgemap binary: bad input, exit codes, the results file as xarray and
h5py see it, determinism (repeat runs, threads), and interruption + --resume.

Run by ctest (which sets HEDGEMAP_BINARY) with Debian's python3:
    HEDGEMAP_BINARY=build/hedgemap /usr/bin/python3 -m pytest -q tests/python/test_cli.py
"""
import os
import signal
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

BINARY = os.environ.get("HEDGEMAP_BINARY")
pytestmark = pytest.mark.skipif(not BINARY, reason="HEDGEMAP_BINARY is not set (run through ctest)")

SMALL = """
name = "cli-small"
seed = 11
[simulation]
paths = 3000
dt_hours = 2.0
[grid]
volatility = [0.5, 0.9]
expiry_days = [1, 2, 3]
[market]
spot = 2000.0
[jumps]
model = "merton"
intensity = 20.0
log_mean = -0.03
log_stdev = 0.05
[gaps]
intensity = 30.0
duration_hours = 3.0
crash_log_mean = -0.05
crash_log_stdev = 0.02
gas_multiplier = 5.0
[costs]
fee_bps = 5.0
gas = 2.0
gas_volatility = 0.5
impact = "amm"
pool_depth = 2.0e7
latency_seconds = 12.0
[[book]]
type = "call"
strike = 1.0
quantity = -10.0
[hedging]
policies = ["periodic", "delta_band", "whalley_wilmott"]
periodic.every_steps = [1, 2, 4]
delta_band.band = [0.2, 0.5, 1.0]
whalley_wilmott.risk_aversion = [1e-3, 1e-2]
[cppi]
multiplier = [2, 4]
tolerance = [0.0, 0.1]
[vol_target]
target = [0.3]
tolerance = [0.1]
"""


def run(*args, timeout=300, **kw):
    return subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True, timeout=timeout, **kw)


@pytest.fixture()
def scenario(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return path


def datasets(path):
    """Every numeric dataset of a results file by name (attributes with times excluded)."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def assert_same_datasets(a, b):
    da, db = datasets(a), datasets(b)
    assert da.keys() == db.keys()
    for name in da:
        np.testing.assert_array_equal(da[name], db[name], err_msg=name)


BAD_INPUTS = [
    ("wrong type", 'grid.volatility=["high"]', "grid.volatility"),
    ("out of range", "grid.volatility=[0.5, -0.3]", "grid.volatility[1]"),
    ("empty grid", "grid.expiry_days=[]", "grid.expiry_days"),
    ("unsorted grid", "grid.volatility=[0.9, 0.5]", "grid.volatility"),
    ("unknown policy", 'hedging.policies=["periodic", "yolo"]', "hedging.policies"),
    ("floor outside (0,1)", "cppi.floor=1.5", "cppi.floor"),
    ("unknown key", "costs.fee_bp=3", "costs.fee_bp"),
    # (0.7 x 0.5)^2 = 0.1225 < 20 (0.03^2 + 0.05^2) + 30 (0.05^2 + 0.02^2) = 0.155: no diffusion
    ("no diffusive variance", "volatility.realised_to_implied=0.7", "grid.volatility[0]"),
]


@pytest.mark.parametrize("what,override,key", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_override_exits_2_names_key_and_writes_nothing(tmp_path, scenario, what, override, key):
    out = tmp_path / "r.h5"
    r = run("run", scenario, "--set", override, "-o", out, "--progress", "none")
    assert r.returncode == 2, (what, r.stderr)
    assert key in r.stderr, r.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".*tmp*")) and not list(tmp_path.glob("*.ckpt"))


def test_bad_file_reports_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL.replace("volatility = [0.5, 0.9]", "volatility = [0.5, -0.9]"))
    r = run("run", bad, "-o", tmp_path / "r.h5")
    assert r.returncode == 2
    line = next(i + 1 for i, l in enumerate(SMALL.splitlines()) if l.startswith("volatility"))
    assert f"{bad}:{line}:" in r.stderr, r.stderr
    assert "grid.volatility[1]" in r.stderr and "> 0" in r.stderr


def test_broken_toml_and_no_family_exit_2(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x"\n[grid\nvolatility = [0.5]\n')
    r = run("validate", broken)
    assert r.returncode == 2 and f"{broken}:2:" in r.stderr, r.stderr
    nofamily = tmp_path / "nofamily.toml"
    nofamily.write_text('name = "x"\n[grid]\nvolatility = [0.5]\nexpiry_days = [1]\n')
    r = run("run", nofamily, "-o", tmp_path / "r.h5")
    assert r.returncode == 2 and "hedging" in r.stderr, r.stderr
    assert not (tmp_path / "r.h5").exists()


def test_existing_output_needs_overwrite_and_is_untouched(tmp_path, scenario):
    out = tmp_path / "r.h5"
    out.write_bytes(b"precious")
    r = run("run", scenario, "-o", out, "--progress", "none")
    assert r.returncode == 2 and "--overwrite" in r.stderr
    assert out.read_bytes() == b"precious"


def test_validate_estimates_memory_close_to_the_formula(tmp_path):
    # 10 million paths x 25 hedging points: the P&L arrays alone are 8 x 1e7 x 25 B = 1.86 GiB
    # (BENCHMARKS.md measured a 1.89 GiB peak for this cell on the CPU backend)
    grid = Path(__file__).resolve().parents[2] / "benchmarks" / "crypto_grid.toml"
    r = run("validate", grid, "--set", "simulation.paths=10000000")
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines() if l.startswith("memory per cell"))
    cpu_gib = float(line.split(":")[1].split("GiB")[0])
    assert 1.86 <= cpu_gib <= 2.0, line


def test_validate_prints_grid_work_and_memory(scenario):
    r = run("validate", scenario)
    assert r.returncode == 0, r.stderr
    assert "2 volatilities x 3 expiries = 6 cells" in r.stdout
    assert "path-steps" in r.stdout and "of host memory on the CPU backend" in r.stdout
    assert "/hedging/delta_band" in r.stdout and "/cppi" in r.stdout


def test_info_names_backends():
    r = run("info")
    assert r.returncode == 0 and "backends compiled in: cpu" in r.stdout and "philox4x32-10" in r.stdout


def test_info_names_the_commit_the_binary_was_built_from():
    # The commit is written at build time, not configure time: after a commit and a rebuild the
    # binary (and every results file it writes) names the new commit.
    root = Path(__file__).resolve().parents[2]
    head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root,
                          capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("the sources are not a git checkout")
    assert f"(git {head.stdout.strip()}" in run("info").stdout.splitlines()[0]


def test_cuda_backend_without_gpu_is_a_clear_runtime_error(tmp_path, scenario):
    if "cuda device 0" in run("info").stdout:
        pytest.skip("a GPU is usable here: this checks the no-GPU path")
    r = run("run", scenario, "--backend", "cuda", "-o", tmp_path / "r.h5")
    assert r.returncode == 1 and "cuda" in r.stderr.lower(), r.stderr
    assert not (tmp_path / "r.h5").exists()


def test_results_file_opens_with_named_dimensions(tmp_path, scenario):
    out = tmp_path / "r.h5"
    r = run("run", scenario, "-o", out, "--progress", "none")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out)
    root = xr.open_dataset(out, engine="h5netcdf")
    assert list(root["volatility"].values) == [0.5, 0.9]
    assert root["steps"].dims == ("expiry_days",) and list(root["steps"].values) == [12, 24, 36]
    for attr in ["Conventions", "title", "source", "history", "date_created", "scenario_toml",
                 "scenario_sha256", "seed", "rng", "backend", "device", "paths", "wall_seconds",
                 "hedgemap_version"]:
        assert attr in root.attrs, attr
    assert root.attrs["rng"] == "philox4x32-10" and int(root.attrs["paths"]) == 3000
    expected = {
        "model": ("book_price", ("volatility", "expiry_days")),
        "hedging/none": ("pnl_mean", ("volatility", "expiry_days")),
        "hedging/periodic": ("pnl_cvar", ("volatility", "expiry_days", "every_steps")),
        "hedging/delta_band": ("optimal_band_refined", ("volatility", "expiry_days")),
        "hedging/whalley_wilmott": ("objective", ("volatility", "expiry_days", "risk_aversion")),
        "cppi": ("gap_probability", ("volatility", "expiry_days", "multiplier", "tolerance")),
        "vol_target": ("terminal_mean", ("volatility", "expiry_days", "target", "tolerance")),
        "best": ("hedging_policy", ("volatility", "expiry_days")),
    }
    for group, (var, dims) in expected.items():
        ds = xr.open_dataset(out, engine="h5netcdf", group=group)
        assert ds[var].dims == dims, (group, var, ds[var].dims)
        for name, v in ds.variables.items():
            assert "units" in v.attrs and "long_name" in v.attrs, (group, name)
    band = xr.open_dataset(out, engine="h5netcdf", group="hedging/delta_band")
    assert list(band["band"].values) == [0.2, 0.5, 1.0]
    # the optimum is one of the grid values and minimises the stored objective
    obj = band["objective"].values
    best = band["band"].values[np.nanargmin(obj, axis=-1)]
    np.testing.assert_array_equal(band["optimal_band"].values, best)


def test_model_reports_the_volatilities_and_the_export_names_the_axis(tmp_path, scenario):
    out = tmp_path / "r.h5"
    r = run("run", scenario, "-o", out, "--progress", "none", "--set",
            "volatility.realised_to_implied=0.9")
    assert r.returncode == 0, r.stderr
    model = xr.open_dataset(out, engine="h5netcdf", group="model")
    grid = np.array([[0.5] * 3, [0.9] * 3])
    np.testing.assert_allclose(model["implied_volatility"].values, grid, rtol=1e-15)
    np.testing.assert_allclose(model["realised_volatility_total"].values, 0.9 * grid, rtol=1e-12)
    jumps_and_crashes = 20 * (0.03**2 + 0.05**2) + 30 * (0.05**2 + 0.02**2)
    np.testing.assert_allclose(model["diffusive_volatility"].values,
                               np.sqrt((0.9 * grid) ** 2 - jumps_and_crashes), rtol=1e-12)
    measured = model["realised_volatility_mc"].values
    assert np.all(measured > 0.5 * 0.9 * grid) and np.all(measured < 1.1 * 0.9 * grid), measured
    exported = run("export", out, "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert '"volatility_axis": "implied volatility at t=0' in exported.stdout


def test_heston_paths_run_end_to_end(tmp_path, scenario):
    out = tmp_path / "h.h5"
    r = run("run", scenario, "-o", out, "--progress", "none", "--set", 'volatility.model="heston"',
            "--set", 'hedging.volatility_input="realised"')
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:
        assert np.all(np.isfinite(f["hedging/periodic/pnl_mean"][()]))
        assert np.all(np.isfinite(f["model/realised_volatility_mc"][()]))


def test_repeat_runs_and_thread_counts_give_identical_datasets(tmp_path, scenario):
    outs = []
    for i, threads in enumerate([1, 2, 2]):
        out = tmp_path / f"r{i}.h5"
        r = run("run", scenario, "-o", out, "--threads", threads, "--progress", "none", "--backend", "cpu")
        assert r.returncode == 0, r.stderr
        outs.append(out)
    assert_same_datasets(outs[0], outs[1])
    assert_same_datasets(outs[1], outs[2])


def test_interrupted_run_resumes_to_the_uninterrupted_result(tmp_path, scenario):
    ref = tmp_path / "ref.h5"
    assert run("run", scenario, "-o", ref, "--progress", "none", "--paths", 20000).returncode == 0
    out = tmp_path / "int.h5"
    proc = subprocess.Popen([BINARY, "run", str(scenario), "-o", str(out), "--progress", "jsonl",
                             "--paths", "20000"], stderr=subprocess.PIPE, text=True)
    # wait for the first finished cell, then interrupt
    for line in proc.stderr:
        if '"cells_done":1,' in line:
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.stderr.read()
    assert proc.wait(timeout=300) == 75, rest
    assert "--resume" in rest
    assert not out.exists()
    assert Path(str(out) + ".ckpt").exists()
    r = run("run", scenario, "-o", out, "--progress", "none", "--paths", 20000, "--resume")
    assert r.returncode == 0, r.stderr
    assert not Path(str(out) + ".ckpt").exists()
    assert_same_datasets(ref, out)


def test_resume_refuses_a_checkpoint_of_another_run(tmp_path, scenario):
    out = tmp_path / "r.h5"
    proc = subprocess.Popen([BINARY, "run", str(scenario), "-o", str(out), "--progress", "jsonl",
                             "--paths", "20000"], stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if '"cells_done":1,' in line:
            proc.send_signal(signal.SIGTERM)
            break
    proc.stderr.read()
    assert proc.wait(timeout=300) == 75
    r = run("run", scenario, "-o", out, "--progress", "none", "--paths", 20000, "--seed", 99, "--resume")
    assert r.returncode != 0 and "another run" in r.stderr, r.stderr
    assert not out.exists()


def test_non_finite_cells_are_nan_in_the_file_and_exit_3(tmp_path, scenario):
    # A pool far too shallow for the book's hedge: buying it dry costs +inf, so the hedging P&L
    # of the affected points is not finite. The run finishes, says which cells, and exits 3.
    out = tmp_path / "r.h5"
    r = run("run", scenario, "-o", out, "--progress", "none", "--set", "costs.pool_depth=1000")
    assert r.returncode == 3, r.stderr
    assert "non-finite" in r.stderr
    band = xr.open_dataset(out, engine="h5netcdf", group="hedging/periodic")
    assert not np.isfinite(band["pnl_mean"].values).all()
    none = xr.open_dataset(out, engine="h5netcdf", group="hedging/none")
    assert np.isfinite(none["pnl_mean"].values).all()  # the unhedged book never trades
