"""NaN is never silent, ruin is absorbing, and extreme parameters are refused or give sound
numbers (issue 17, items 3 and 4). Each run of the binary ends one of three ways:

  exit 2  refused before any simulation, naming the key; no results file;
  exit 0  a results file whose every value is finite and in range for its kind (RANGES below);
  exit 3  a results file with NaN or inf, every such variable listed on stderr.

Run by ctest (which sets HEDGEMAP_BINARY) with Debian's python3:
    HEDGEMAP_BINARY=build/hedgemap /usr/bin/python3 -m pytest -q tests/python/test_failure_behaviour.py
"""
import os
import re
import subprocess
import tomllib

import h5py
import numpy as np
import pytest

BINARY = os.environ.get("HEDGEMAP_BINARY")
pytestmark = pytest.mark.skipif(not BINARY, reason="HEDGEMAP_BINARY is not set (run through ctest)")

# Every family, Merton jumps, outages, every cost with square-root impact (the AMM's "cannot fill"
# is its own case below); 7 days in 24 steps of 7 h; 256 paths. CPPI's objective is mean_std,
# so that a NaN here is never max_mean_gap's definition of an infeasible point.
BASE = """
name = "extreme"
seed = 5
[simulation]
paths = 256
dt_hours = 7.0
backend = "cpu"
[grid]
volatility = [0.8]
expiry_days = [7]
[market]
spot = 3000.0
rate = 0.03
drift = 0.05
[jumps]
model = "merton"
intensity = 10.0
log_mean = -0.02
log_stdev = 0.05
[gaps]
intensity = 20.0
duration_hours = 4.0
crash_log_mean = -0.05
crash_log_stdev = 0.02
gas_multiplier = 3.0
[costs]
fee_bps = 5.0
gas = 2.0
gas_volatility = 0.5
impact = "sqrt"
daily_volume = 1.0e5
latency_seconds = 10.0
[[book]]
type = "call"
strike = 1.0
quantity = -10.0
[[book]]
type = "put"
strike = 0.9
quantity = -5.0
[hedging]
policies = ["periodic", "delta_band", "whalley_wilmott"]
periodic.every_steps = [1, 4]
delta_band.band = [0.5, 2.0]
whalley_wilmott.risk_aversion = [1e-3, 1e-1]
[cppi]
capital = 1.0e6
floor = 0.9
multiplier = [2, 8]
tolerance = [0.0, 0.1]
max_leverage = 1.5
objective.kind = "mean_std"
[vol_target]
capital = 1.0e6
target = [0.2, 1.0]
tolerance = [0.0, 0.1]
max_leverage = 2.0
"""


@pytest.fixture
def base(tmp_path):
    path = tmp_path / "base.toml"
    path.write_text(BASE)
    return path


def run(scenario, out, *overrides, precision="float"):
    args = [BINARY, "run", str(scenario), "-o", str(out), "--progress", "none", "--threads", "2",
            "--set", f'simulation.precision="{precision}"']
    for o in overrides:
        args += ["--set", o]
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


# ---- what "in range" means, per variable --------------------------------------------------------

def allowed_range(group, name, root):
    """(low, high) that every finite value of /group/name must lie in."""
    if name in ("gap_probability", "gap_probability_stderr", "floor_breach_probability",
                "optimal_confidence", "max_drawdown_mean"):
        return 0.0, 1.0
    if name == "return_mean":
        return -1.0, np.inf  # V_T >= 0: never below -100%
    if name == "shortfall_mean":
        s = scenario_of(root)
        return 0.0, s["cppi"].get("floor", 0.9) * s["cppi"].get("capital", 1e6)
    if name == "trades_mean":
        return 0.0, float(np.max(root["steps"][()])) + 1.0  # a trade per step, the unwind
    if name == "terminal_spot_mean":
        return np.finfo(float).tiny, np.inf
    if (name.endswith("_std") or name.endswith("_stderr") or name.endswith("_mean") and
            (name.startswith("cost") or name in ("fee_mean", "gas_mean", "impact_mean",
                                                 "gap_events_mean", "jumps_mean",
                                                 "realised_volatility_mean")) or
            group in ("cppi", "vol_target") and name == "terminal_mean"):
        return 0.0, np.inf
    if name == "pnl_excess_kurtosis":
        return -2.0, np.inf  # excess kurtosis of any sample is >= -2
    return -np.inf, np.inf  # P&L, objectives, book prices: any finite value


def scenario_of(f):
    text = f.attrs["scenario_toml"]
    return tomllib.loads(text.decode() if isinstance(text, bytes) else text)


def infeasible_points(f, group):
    """max_mean_gap defines NaN at a point that breaks its gap constraint: those NaN are values."""
    kind = f[group].attrs.get("objective_kind", b"")
    if (kind.decode() if isinstance(kind, bytes) else kind) != "max_mean_gap":
        return None
    s = scenario_of(f)
    limit = s["cppi"].get("objective", {}).get("gap_probability_max", 0.01)
    return f[group]["gap_probability"][()] > limit


def check_results(path):
    """Asserts every finite value is in range; returns the non-finite variables (minus the ones
    the file defines as NaN) as {path: count}."""
    non_finite = {}
    with h5py.File(path, "r") as f:
        datasets = []
        f.visititems(lambda n, o: datasets.append(n) if isinstance(o, h5py.Dataset) else None)
        for name in datasets:
            d = f[name]
            if d.dtype.kind != "f":
                continue
            a = np.asarray(d[()], dtype=float)
            group, _, leaf = name.rpartition("/")
            bad = ~np.isfinite(a)
            if leaf in ("objective", "objective_stderr", "objective_paired_stderr"):
                infeasible = infeasible_points(f, group)
                if infeasible is not None:
                    bad &= ~(np.isnan(a) & infeasible)
            if leaf.startswith("book_price") and "book" not in scenario_of(f):
                bad &= ~np.isnan(a)  # no book, no book price
            if bad.any():
                non_finite["/" + name] = int(bad.sum())
            fin = a[np.isfinite(a)]
            if fin.size == 0:
                continue
            lo, hi = allowed_range(group.split("/")[0], leaf, f)
            assert fin.min() >= lo - 1e-12 and fin.max() <= hi + 1e-9 * max(1.0, abs(hi)), \
                f"/{name} outside [{lo}, {hi}]: {fin.min()} .. {fin.max()}"
            if leaf.startswith("optimal_") and leaf not in ("optimal_objective",
                                                            "optimal_confidence"):
                axis = leaf[len("optimal_"):]
                for suffix in ("_refined_low", "_refined_high", "_refined"):
                    axis = axis.removesuffix(suffix)
                values = f[group][axis][()].astype(float)
                assert fin.min() >= values.min() and fin.max() <= values.max(), f"/{name}"
                if "_refined" not in leaf:
                    assert np.isin(fin, values).all(), f"/{name} is not a grid value"
        for group in [g for g in datasets if g.endswith("/pnl_var")]:
            var, cvar = f[group][()], f[group.replace("pnl_var", "pnl_cvar")][()]
            both = np.isfinite(var) & np.isfinite(cvar)
            assert (cvar[both] >= var[both] - 1e-9 * np.abs(var[both])).all(), "CVaR < VaR"
    return non_finite


def listed_variables(stderr):
    """Variables of the stderr listing, and the count in its "... and N more variables" line."""
    names = re.findall(r"^  (/[^:]+): \d+ of \d+ ", stderr, flags=re.M)
    more = re.search(r"^  \.\.\. and (\d+) more variables", stderr, flags=re.M)
    return names, int(more.group(1)) if more else 0


def check_outcome(r, out, expected):
    assert r.returncode == expected, f"exit {r.returncode}, expected {expected}:\n{r.stderr}"
    if expected == 2:
        assert not out.exists()
        assert "nothing was run" in r.stderr and "must" in r.stderr or "needs" in r.stderr \
            or "more than" in r.stderr or "at most" in r.stderr, r.stderr
        return None
    non_finite = check_results(out)
    names, more = listed_variables(r.stderr)
    if expected == 0:
        assert non_finite == {}, non_finite
        assert "non-finite" not in r.stderr
    else:
        assert non_finite, "exit 3 with every value finite"
        total = sum(non_finite.values())
        assert f"holds {total} non-finite values" in r.stderr, r.stderr
        assert set(names) <= set(non_finite) and len(names) + more == len(non_finite), \
            (names, more, sorted(non_finite))
    return non_finite


# ---- issue 17's silent NaN, each refused or listed ----------------------------------------------

@pytest.mark.parametrize("overrides, key, says", [
    (["simulation.paths=1"], "simulation.paths", "in [64, 2^40]"),
    (["simulation.paths=32"], "simulation.paths", "bootstrap blocks"),
    (["simulation.paths=63"], "simulation.paths", "in [64, 2^40]"),
    (["grid.expiry_days=[0.01]"], "grid.expiry_days[0]", "[vol_target] needs at least 2"),
    (["simulation.steps=1"], "simulation.steps", "[vol_target] needs at least 2"),
])
def test_too_few_paths_or_steps_for_a_statistic_are_refused(base, tmp_path, overrides, key, says):
    out = tmp_path / "r.h5"
    r = run(base, out, *overrides)
    assert r.returncode == 2, r.stderr
    assert f"{key} = " in r.stderr and says in r.stderr, r.stderr
    assert not out.exists()
    v = subprocess.run([BINARY, "validate", str(base)] + sum([["--set", o] for o in overrides], []),
                       capture_output=True, text=True, timeout=60)
    assert v.returncode == 2 and says in v.stderr  # validate refuses it too


def test_64_paths_give_every_statistic(base, tmp_path):
    out = tmp_path / "r.h5"
    check_outcome(run(base, out, "simulation.paths=64"), out, 0)


def test_every_non_finite_variable_is_listed_not_only_the_objective(base, tmp_path):
    # An AMM pool of 1 quote unit cannot fill any hedge: those trades cost +inf (README, "Costs"),
    # so the hedging groups' P&L, costs and optima are not finite. /hedging/none never trades.
    out = tmp_path / "r.h5"
    r = run(base, out, 'costs.impact="amm"', "costs.pool_depth=1")
    non_finite = check_outcome(r, out, 3)
    assert "/hedging/periodic/pnl_mean" in non_finite
    assert "/hedging/delta_band/impact_mean" in non_finite
    assert "/hedging/periodic/optimal_every_steps" in non_finite
    assert not any(v.startswith("/hedging/none/") for v in non_finite)
    assert not any(v.startswith(("/cppi/", "/vol_target/", "/model/")) for v in non_finite)
    assert "volatility=0.8 expiry_days=7 every_steps=1: -inf" in r.stderr, r.stderr


def test_no_feasible_cppi_point_is_a_nan_optimum_with_exit_3(base, tmp_path):
    # max_mean_gap with P(gap) <= 0, and a first trade whose gas (2000) is twice the cushion over
    # a floor of 0.999: no point is feasible. The points' NaN objective is the definition (not
    # listed); the optimum that does not exist is listed, exit 3.
    out = tmp_path / "r.h5"
    r = run(base, out, 'cppi.objective.kind="max_mean_gap"', "cppi.objective.gap_probability_max=0",
            "cppi.floor=0.999", "costs.gas=2000")
    non_finite = check_outcome(r, out, 3)
    assert set(non_finite) == {"/cppi/optimal_multiplier", "/cppi/optimal_tolerance",
                               "/cppi/optimal_objective", "/cppi/optimal_confidence"}, non_finite
    with h5py.File(out, "r") as f:
        assert np.isnan(f["cppi/objective"][()]).all()


def test_a_feasible_max_mean_gap_run_exits_0_despite_infeasible_points(base, tmp_path):
    out = tmp_path / "r.h5"
    r = run(base, out, 'cppi.objective.kind="max_mean_gap"', "cppi.objective.gap_probability_max=0.05",
            "cppi.multiplier=[1, 2, 64]")
    check_outcome(r, out, 0)
    with h5py.File(out, "r") as f:
        objective = f["cppi/objective"][()]
        assert np.isnan(objective).any() and np.isfinite(objective).any()


def test_a_run_without_a_book_exits_0(tmp_path):
    # CPPI only: /model/book_price* are NaN because there is no book, which is no failure.
    scenario = tmp_path / "cppi.toml"
    scenario.write_text(BASE[:BASE.index("[[book]]")] + BASE[BASE.index("[cppi]"):])
    out = tmp_path / "r.h5"
    check_outcome(run(scenario, out), out, 0)
    with h5py.File(out, "r") as f:
        assert "hedging" not in f and np.isnan(f["model/book_price"][()]).all()


@pytest.mark.parametrize("precision", ["float", "double"])
def test_costs_above_the_capital_stop_at_ruin(base, tmp_path, precision):
    # Gas of 1000 x the capital per trade: the first trade ruins every portfolio, which is then
    # closed at 0 for good. Before, V_T was about -1e9 and "max drawdown" about 1000.
    out = tmp_path / "r.h5"
    check_outcome(run(base, out, "costs.gas=1e9", precision=precision), out, 0)
    with h5py.File(out, "r") as f:
        for group in ("cppi", "vol_target"):
            assert (f[group]["terminal_mean"][()] == 0.0).all()
            assert (f[group]["return_mean"][()] == -1.0).all()
            assert (f[group]["trades_mean"][()] == 1.0).all()  # nothing traded after ruin
        assert (f["vol_target/max_drawdown_mean"][()] == 1.0).all()
        assert (f["cppi/gap_probability"][()] == 1.0).all()


# ---- the extreme-parameter matrix (issue 17, item 4) --------------------------------------------

STEPS_24 = "simulation.steps=24"
MATRIX = [
    # grid.volatility is the implied volatility: the base's jumps and crashes (variance 0.087 a
    # year) need more than 0.295 of it; vol 0.001 runs without them.
    ("vol 0.001", ["grid.volatility=[0.001]", "jumps.intensity=0", "gaps.intensity=0"], 0),
    ("vol 0.001 below the jump variance", ["grid.volatility=[0.001]"], 2),
    ("vol 5", ["grid.volatility=[5]"], 0),
    ("vol 5, 10 years", ["grid.volatility=[5]", "grid.expiry_days=[3650]", STEPS_24], 2),
    ("expiry 0.01 d, 1 step", ["grid.expiry_days=[0.01]"], 2),
    ("expiry 0.01 d, 24 steps", ["grid.expiry_days=[0.01]", STEPS_24, "costs.latency_seconds=1"], 0),
    ("expiry 10 years", ["grid.expiry_days=[3650]", STEPS_24], 0),
    # 1e4 jumps a year: variance 29 a year, so an implied volatility of 5.5 (diffusion 1.09).
    ("jump intensity 1e4", ["jumps.intensity=1e4", "grid.volatility=[5.5]"], 0),
    ("jump intensity 1e4, 10 years",
     ["jumps.intensity=1e4", "grid.volatility=[5.5]", "grid.expiry_days=[3650]", STEPS_24], 2),
    ("kou eta_1 near 1", ['jumps.model="kou"', "jumps.intensity=1e4", "jumps.up_rate=1.0001"], 2),
    ("gas 1e9", ["costs.gas=1e9"], 0),
    ("pool depth 1", ['costs.impact="amm"', "costs.pool_depth=1"], 3),
    ("fee 1e6 bp", ["costs.fee_bps=1e6"], 0),
    ("spot 1e-8", ["market.spot=1e-8"], 0),
    ("spot 1e12", ["market.spot=1e12"], 0),
    ("spot 1e-30", ["market.spot=1e-30"], 2),
    ("spot 1e30", ["market.spot=1e30"], 2),
    ("quantity 1e12", ["book[0].quantity=1e12"], 0),
    ("latency = the step", ["costs.latency_seconds=25200"], 2),
    ("latency just below the step", ["costs.latency_seconds=25199.99"], 0),
    ("cppi floor 0.999999 x multiplier 64", ["cppi.floor=0.999999", "cppi.multiplier=[64]"], 0),
    ("rate 20 over 10 years", ["market.rate=20", "market.drift=20", "grid.volatility=[0.1]",
                               "grid.expiry_days=[3650]", STEPS_24], 2),
]


@pytest.mark.parametrize("precision", ["float", "double"])
@pytest.mark.parametrize("case, overrides, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_extreme_parameters(base, tmp_path, case, overrides, expected, precision):
    out = tmp_path / "r.h5"
    check_outcome(run(base, out, *overrides, precision=precision), out, expected)
