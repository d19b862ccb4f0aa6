"""The hedgemap package on a file with an extra swept axis (the layout of the second release's
[grid.axes]: a root dimension scale after expiry_days, with scenario_key): named dimensions,
selection, one picture per value of the extra axis, report rows per cell of the full grid; and
the near-optimal range against an independent read with h5py."""
import h5py
import numpy as np

import hedgemap
import synthetic_results as syn

GAS = [1.0, 4.0]


def test_extra_axis_is_a_grid_dimension(tmp_path):
    path = syn.write(str(tmp_path / "nd.h5"), with_cppi=False, policies=["delta_band"],
                     extra={"gas": GAS})
    r = hedgemap.load(path)
    assert r.grid_dims == ["volatility", "expiry_days", "gas"]
    assert r.extra_dims == ["gas"]
    ds = r.hedging["delta_band"]
    assert ds["objective"].dims == ("volatility", "expiry_days", "gas", "band")
    assert ds["optimal_band"].dims == ("volatility", "expiry_days", "gas")
    assert hedgemap.policy_axis(ds) == ["band"]
    assert hedgemap.policy_axis(r.vol_target) == ["target", "tolerance"]
    cell = ds.sel(volatility=0.8, expiry_days=7.0, gas=4.0)
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(cell["objective"].values,
                                      f["/hedging/delta_band/objective"][1, 1, 1, :])
    parts = list(r.slices())
    assert [at for at, _ in parts] == [{"gas": 1.0}, {"gas": 4.0}]
    assert parts[1][1].hedging["delta_band"]["objective"].dims == ("volatility", "expiry_days",
                                                                   "band")


def test_plots_and_report_per_value_of_the_extra_axis(tmp_path):
    path = syn.write(str(tmp_path / "nd.h5"), with_cppi=False, with_vol_target=False,
                     policies=["delta_band"], extra={"gas": GAS})
    text = hedgemap.build_report(path)  # every picture of hedgemap.plot, embedded by name
    for base in ("optimal_delta_band", "objective_delta_band", "frontier", "ww_law"):
        for g in GAS:
            assert f'<figure id="{base}_gas{g:g}.png">' in text, base
    for g in GAS:
        assert f'data-gas="{g:g}" data-policy="delta_band"' in text
    rows = text.count('data-policy="delta_band"')
    assert rows == len(syn.VOL) * len(syn.EXPIRY) * len(GAS)


def test_near_optimal_range_is_the_span_of_the_flagged_points(synthetic_file):
    ds = hedgemap.load(synthetic_file).hedging["periodic"]
    low, high = hedgemap.near_optimal_range(ds)
    with h5py.File(synthetic_file, "r") as f:
        flags = f["/hedging/periodic/near_optimal"][()].astype(bool)
        grid = f["/hedging/periodic/every_steps"][()]
    for i in range(flags.shape[0]):
        for j in range(flags.shape[1]):
            assert low.values[i, j] == grid[flags[i, j]].min()
            assert high.values[i, j] == grid[flags[i, j]].max()
