"""Tests of scripts/hedgemap_results.py, plot_results.py and report.py (thin wrappers over the
hedgemap package in python/) on a synthetic results file (exact layout of
host/formats/results_file.cpp) and on one written by the hedgemap binary.

Values are checked against an independent read of the file with h5py, never against numbers
the scripts printed."""
import html.parser
import os
import subprocess
import sys

import h5py
import matplotlib.image
import numpy as np
import pytest

import hedgemap_results as hr
import plot_results
import report
import synthetic_results as syn
from conftest import SCRIPTS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def h5(path, name):
    with h5py.File(path, "r") as f:
        return f[name][()]


# ---- reader ------------------------------------------------------------------------------------
def check_reader(path):
    r = hr.load(path)
    assert r.root["volatility"].dims == ("volatility",)
    assert r.root["steps"].dims == ("expiry_days",)
    np.testing.assert_array_equal(r.root["volatility"].values, h5(path, "/volatility"))
    assert r.model["book_price"].dims == ("volatility", "expiry_days")
    assert list(r.hedging) == ["none", "periodic", "delta_band", "whalley_wilmott"]
    assert r.hedging["none"]["pnl_std"].dims == ("volatility", "expiry_days")
    for policy in list(r.hedging)[1:]:  # the file's groups (fixed_cost_band: only when listed)
        axis, ds = hr.HEDGING_AXES[policy], r.hedging[policy]
        assert ds["objective"].dims == ("volatility", "expiry_days", axis)
        assert hr.policy_axis(ds) == [axis]
        assert ds[f"optimal_{axis}"].dims == ("volatility", "expiry_days")
        np.testing.assert_array_equal(ds[axis].values, h5(path, f"/hedging/{policy}/{axis}"))
        np.testing.assert_array_equal(ds["objective"].values,
                                      h5(path, f"/hedging/{policy}/objective"))
    assert r.cppi["gap_probability"].dims == ("volatility", "expiry_days", "multiplier",
                                              "tolerance")
    assert r.vol_target["objective"].dims == ("volatility", "expiry_days", "target", "tolerance")
    assert r.hedging["periodic"].attrs["objective_sense"] == "minimize"
    assert r.cppi.attrs["policy"] == "cppi"
    # Grid coordinates attached to every group: selection by value works.
    cell = r.hedging["periodic"].sel(volatility=r.root["volatility"].values[-1],
                                     expiry_days=r.root["expiry_days"].values[0])
    np.testing.assert_array_equal(cell["pnl_mean"].values,
                                  h5(path, "/hedging/periodic/pnl_mean")[-1, 0, :])
    # Best policy names from the index and the `policies` attribute.
    names = r.best_policy_names()
    index = h5(path, "/best/hedging_policy")
    policies = [p.decode() if isinstance(p, bytes) else p
                for p in h5py.File(path, "r")["/best"].attrs["policies"]]
    assert names.dims == ("volatility", "expiry_days")
    assert names.values[0, 0] == policies[index[0, 0]]
    assert r.scenario["grid"]["volatility"] == list(r.root["volatility"].values)
    return r


def test_reader_named_dims_synthetic(synthetic_file):
    check_reader(synthetic_file)


def test_reader_named_dims_real_binary(real_file):
    r = check_reader(real_file)
    assert r.root.attrs["rng"] == "philox4x32-10"
    assert int(r.root.attrs["paths"]) == 2000


def test_confidence_interval_uses_matching_stderr(synthetic_file):
    r = hr.load(synthetic_file)
    ds = r.hedging["delta_band"]
    lo, hi = hr.confidence_interval(ds, "pnl_mean")
    mean = h5(synthetic_file, "/hedging/delta_band/pnl_mean")
    se = h5(synthetic_file, "/hedging/delta_band/pnl_stderr")
    np.testing.assert_allclose(lo.values, mean - 1.96 * se)
    np.testing.assert_allclose(hi.values, mean + 1.96 * se)
    assert lo.dims == ("volatility", "expiry_days", "band")
    lo, hi = hr.confidence_interval(r.cppi, "gap_probability", z=2.0)
    gap = h5(synthetic_file, "/cppi/gap_probability")
    gap_se = h5(synthetic_file, "/cppi/gap_probability_stderr")
    np.testing.assert_allclose(hi.values - lo.values, 4.0 * gap_se)
    np.testing.assert_allclose((hi.values + lo.values) / 2, gap)
    lo, _ = hr.confidence_interval(r.model, "book_price_mc")
    np.testing.assert_allclose(lo.values, h5(synthetic_file, "/model/book_price_mc")
                               - 1.96 * h5(synthetic_file, "/model/book_price_mc_stderr"))
    with pytest.raises(KeyError):
        hr.confidence_interval(ds, "pnl_skew")


# ---- plots -------------------------------------------------------------------------------------
def expected_plots(nexp_tags, hedging=("periodic", "delta_band", "whalley_wilmott"), cppi=True,
                   ww=True):
    names = {f"optimal_{p}.png" for p in hedging} | {"frontier.png"}
    names |= {f"objective_{p}.png" for p in hedging}
    if cppi:
        names |= {f"cppi_expiry_{t}d.png" for t in nexp_tags}
    if ww:
        names.add("ww_law.png")
    return names


def check_png(path):
    with open(path, "rb") as f:
        assert f.read(8) == PNG_SIGNATURE, path
    assert os.path.getsize(path) > 5000, path
    image = matplotlib.image.imread(path)
    assert image.shape[0] > 200 and image.shape[1] > 300, (path, image.shape)
    assert image[..., :3].std() > 0.05, f"{path} looks blank"


def test_plots_synthetic(synthetic_file, tmp_path):
    paths = plot_results.plot_all(synthetic_file, str(tmp_path))
    assert {os.path.basename(p) for p in paths} == expected_plots(["1", "7", "30"])
    assert set(os.listdir(tmp_path)) == expected_plots(["1", "7", "30"])
    for p in paths:
        check_png(p)


def test_plots_skip_absent_groups(synthetic_hedging_only, tmp_path, capsys):
    paths = plot_results.plot_all(synthetic_hedging_only, str(tmp_path))
    assert {os.path.basename(p) for p in paths} == expected_plots(
        [], hedging=("periodic",), cppi=False, ww=False)
    printed = capsys.readouterr().out
    assert "no /cppi group" in printed and "no /hedging/delta_band group" in printed


def test_plots_real_binary_via_command_line(real_file, tmp_path):
    run = subprocess.run([sys.executable, os.path.join(SCRIPTS, "plot_results.py"), real_file,
                          "--out", str(tmp_path / "plots")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    made = set(os.listdir(tmp_path / "plots"))
    assert made == expected_plots(["1", "2"])
    for name in made:
        check_png(str(tmp_path / "plots" / name))


def test_ww_law_shape_is_closed_form_and_cube_root_in_cost():
    scenario = {"market": {"spot": 3000.0, "rate": 0.0}, "costs": {"fee_bps": 5.0},
                "book": [{"type": "call", "strike": 1.0, "quantity": -10.0},
                         {"type": "put", "strike": 1.0, "quantity": -10.0}]}
    shape = plot_results.ww_law_shape(scenario, 0.8, 7.0)
    # H(gamma) = gamma^{-1/3} shape; the synthetic module's scalar formula at gamma = 1e-3.
    assert shape * 1e-3 ** (-1 / 3) == pytest.approx(syn.ww_band(0.8, 7.0), rel=1e-12)
    scenario["costs"]["fee_bps"] = 40.0  # 8 x the cost: the band widens by 8^(1/3) = 2
    assert plot_results.ww_law_shape(scenario, 0.8, 7.0) == pytest.approx(2 * shape,
                                                                               rel=1e-12)


# ---- report ------------------------------------------------------------------------------------
class ReportParser(html.parser.HTMLParser):
    """Rows of table#thresholds (data-* attributes + cell texts), <img> sources, <pre> text."""

    def __init__(self):
        super().__init__()
        self.rows, self.images, self.links, self.pre = [], [], [], ""
        self._table = None
        self._row = None
        self._cell = None
        self._in_pre = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("id")
        elif tag == "tr" and self._table == "thresholds" and "data-policy" in a:
            self._row = {"attrs": a, "cells": []}
        elif tag == "td" and self._row is not None:
            self._cell = ""
        elif tag == "img":
            self.images.append(a.get("src", ""))
        elif tag in ("link", "script"):
            self.links.append(a)
        elif tag == "pre":
            self._in_pre = True

    def handle_endtag(self, tag):
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row["cells"].append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "pre":
            self._in_pre = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._in_pre:
            self.pre += data


def check_report(path, out_html, n_plots):
    text = report.build_report(path)
    with open(out_html, "w") as f:
        f.write(text)
    parser = ReportParser()
    parser.feed(text)
    assert "http://" not in text and "https://" not in text and not parser.links
    assert len(parser.images) == n_plots
    assert all(src.startswith("data:image/png;base64,") for src in parser.images)
    with h5py.File(path, "r") as f:
        scenario = f.attrs["scenario_toml"]
        scenario = scenario.decode() if isinstance(scenario, bytes) else scenario
        assert parser.pre == scenario
        vols, exps = f["/volatility"][()], f["/expiry_days"][()]
        groups = [f"/hedging/{p}" for p in f["/hedging"]]
        groups += [g for g in ("/cppi", "/vol_target") if g in f]
        assert len(parser.rows) == len(vols) * len(exps) * len(groups)
        rows = {(r["attrs"]["data-volatility"], r["attrs"]["data-expiry-days"],
                 r["attrs"]["data-policy"]): r["cells"] for r in parser.rows}
        for i, v in enumerate(vols):
            for j, e in enumerate(exps):
                for g in groups:
                    cells = rows[(f"{v:g}", f"{e:g}", g.rsplit("/", 1)[1])]
                    # volatility, expiry, policy, params, refined, objective, sense, confidence
                    assert float(cells[0]) == pytest.approx(v)
                    assert float(cells[1]) == pytest.approx(e)
                    expect_obj = f[g]["optimal_objective"][i, j]
                    if np.isfinite(expect_obj):
                        assert float(cells[5]) == pytest.approx(expect_obj, rel=1e-5)
                    else:
                        assert cells[5] == "NaN"
                    assert float(cells[7]) == pytest.approx(f[g]["optimal_confidence"][i, j],
                                                            rel=1e-5)
                    axes = [k[len("optimal_"):] for k in f[g]
                            if k.startswith("optimal_")
                            and not k.endswith(("_refined", "_refined_low", "_refined_high"))
                            and k not in ("optimal_objective", "optimal_confidence")]
                    params = dict(p.split(" = ") for p in cells[3].split(", ")) if axes else {}
                    assert set(params) == set(axes)
                    for a in axes:
                        expect = f[g][f"optimal_{a}"][i, j]
                        if np.isfinite(expect):
                            assert float(params[a]) == pytest.approx(expect, rel=1e-5)
                    # The refined optimum's bootstrap interval and the near-optimal range.
                    if len(axes) == 1 and f"optimal_{axes[0]}_refined_low" in f[g]:
                        a = axes[0]
                        lo, hi = (float(x) for x in cells[8].split(" .. "))
                        assert lo == pytest.approx(f[g][f"optimal_{a}_refined_low"][i, j], rel=1e-5)
                        assert hi == pytest.approx(f[g][f"optimal_{a}_refined_high"][i, j],
                                                   rel=1e-5)
                        near = f[g]["near_optimal"][i, j].astype(bool)
                        values = f[g][a][()][near]
                        lo, hi = (float(x) for x in cells[9].split(" .. "))
                        assert lo == pytest.approx(values.min(), rel=1e-5)
                        assert hi == pytest.approx(values.max(), rel=1e-5)
                    elif not axes:
                        assert cells[8] == "-"
                    sense = f[g].attrs["objective_sense"]
                    assert cells[6] == (sense.decode() if isinstance(sense, bytes) else sense)
    return text


def test_report_synthetic(synthetic_file, tmp_path):
    text = check_report(synthetic_file, tmp_path / "r.html", n_plots=len(expected_plots(["1", "7", "30"])))
    assert 'id="provenance"' in text and "synthetic CPU" in text
    # The low-confidence cell of the synthetic file (confidence 0.3 at [0, 0]) is flagged.
    assert '<tr class="low" data-volatility="0.5" data-expiry-days="1" ' \
           'data-policy="periodic">' in text


def test_report_real_binary_via_command_line(real_file, tmp_path):
    out = tmp_path / "report.html"
    run = subprocess.run([sys.executable, os.path.join(SCRIPTS, "report.py"), real_file,
                          "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert out.stat().st_size > 50_000
    check_report(real_file, tmp_path / "again.html", n_plots=len(expected_plots(["1", "2"])))
