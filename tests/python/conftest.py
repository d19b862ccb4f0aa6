"""Fixtures for the analysis tests: a synthetic results file (h5py, laid out like
host/formats/results_file.cpp) and a real one made by `$HEDGEMAP_BINARY run` on a tiny scenario.

ctest sets HEDGEMAP_BINARY to the built hedgemap; run by hand:
    HEDGEMAP_BINARY=build/hedgemap /usr/bin/python3 -m pytest tests/python
"""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")
PACKAGE_ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "python"))  # the hedgemap package
sys.path.insert(0, os.path.abspath(SCRIPTS))
sys.path.insert(0, PACKAGE_ROOT)
sys.path.insert(0, HERE)

import synthetic_results  # noqa: E402

# A 2 x 2 grid with 1- and 2-day expiries, every policy family: a few seconds on one core.
SMALL_SCENARIO = """
name = "analysis-test"
seed = 11
days_per_year = 365

[simulation]
paths = 2000
dt_hours = 2.0
precision = "double"
backend = "cpu"

[grid]
volatility = [0.5, 0.9]
expiry_days = [1, 2]

[market]
spot = 3000.0
rate = 0.0
drift = 0.0

[jumps]
model = "merton"
intensity = 10.0
log_mean = -0.02
log_stdev = 0.06

[costs]
fee_bps = 5.0
gas = 2.0
impact = "none"

[[book]]
type = "call"
strike = 1.0
quantity = -10.0

[[book]]
type = "put"
strike = 1.0
quantity = -10.0

[hedging]
model = "black_scholes"
policies = ["periodic", "delta_band", "whalley_wilmott"]
periodic.every_steps = [1, 2, 4]
delta_band.band = [0.2, 0.5, 1.0, 2.0]
whalley_wilmott.risk_aversion = [1e-4, 1e-3, 1e-2]
objective.kind = "mean_std"
objective.risk_aversion = 1.0

[cppi]
capital = 1.0e6
floor = 0.9
multiplier = [2, 4, 8]
tolerance = [0.0, 0.05, 0.2]
objective.kind = "max_mean_gap"
objective.gap_probability_max = 0.05

[vol_target]
capital = 1.0e6
target = [0.2, 0.4]
tolerance = [0.05, 0.2]
ewma_halflife_hours = 24.0
objective.kind = "mean_std"
objective.risk_aversion = 1.0
"""


@pytest.fixture(scope="session")
def synthetic_file(tmp_path_factory):
    return synthetic_results.write(str(tmp_path_factory.mktemp("synthetic") / "full.h5"))


@pytest.fixture(scope="session")
def synthetic_hedging_only(tmp_path_factory):
    """Only /hedging/{none,periodic}: no delta band, CPPI or vol targeting."""
    return synthetic_results.write(str(tmp_path_factory.mktemp("synthetic") / "periodic.h5"),
                                   with_cppi=False, with_vol_target=False,
                                   policies=["periodic"])


@pytest.fixture(scope="session")
def real_file(tmp_path_factory):
    binary = os.environ.get("HEDGEMAP_BINARY")
    if not binary:
        pytest.skip("HEDGEMAP_BINARY is not set (ctest sets it to the built hedgemap; by hand: "
                    "HEDGEMAP_BINARY=build/hedgemap /usr/bin/python3 -m pytest tests/python)")
    tmp = tmp_path_factory.mktemp("real")
    scenario = tmp / "small.toml"
    scenario.write_text(SMALL_SCENARIO)
    out = tmp / "x.h5"
    run = subprocess.run([binary, "run", str(scenario), "-o", str(out), "--paths", "2000",
                          "--progress", "none"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"hedgemap run failed ({run.returncode}):\n{run.stderr}"
    assert out.exists()
    return str(out)
