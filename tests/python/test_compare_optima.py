"""scripts/compare_optima.py on two small files written here: a one-axis optimum whose bootstrap
intervals separate is marked, one whose intervals overlap is not; a two-axis optimum that moves
is marked only when both confidences are at least 0.9; the counts line adds them up."""
import os
import subprocess
import sys

import h5py
import numpy as np

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "compare_optima.py")


def write(path, band, low, high, multiplier, confidence, diffusive):
    with h5py.File(path, "w") as f:
        f["volatility"] = np.array([0.5, 0.8])
        f["expiry_days"] = np.array([7.0])
        f["model/diffusive_volatility"] = np.array(diffusive).reshape(2, 1)
        g = f.create_group("hedging/delta_band")
        g["optimal_band"] = np.array(band).reshape(2, 1)
        g["optimal_band_refined"] = np.array(band).reshape(2, 1)
        g["optimal_band_refined_low"] = np.array(low).reshape(2, 1)
        g["optimal_band_refined_high"] = np.array(high).reshape(2, 1)
        g["optimal_confidence"] = np.ones((2, 1))
        g["optimal_objective"] = np.ones((2, 1))
        c = f.create_group("cppi")
        c["optimal_multiplier"] = np.array(multiplier).reshape(2, 1)
        c["optimal_tolerance"] = np.full((2, 1), 0.1)
        c["optimal_confidence"] = np.array(confidence).reshape(2, 1)
        c["optimal_objective"] = np.ones((2, 1))
    return str(path)


def test_marks_only_moves_beyond_the_bootstrap_spread(tmp_path):
    before = write(tmp_path / "a.h5", band=[0.5, 1.0], low=[0.4, 0.8], high=[0.6, 1.2],
                   multiplier=[2.0, 4.0], confidence=[0.95, 0.95], diffusive=[0.3, 0.7])
    # cell 0.5: band 0.5 -> 0.9, [0.8, 1.0] clear of [0.4, 0.6]; multiplier 2 -> 3, both sure.
    # cell 0.8: band 1.0 -> 1.1, intervals overlap; multiplier 4 -> 6 but confidence 0.5.
    after = write(tmp_path / "b.h5", band=[0.9, 1.1], low=[0.8, 1.0], high=[1.0, 1.3],
                  multiplier=[3.0, 6.0], confidence=[0.92, 0.5], diffusive=[0.2, 0.6])
    out = subprocess.run([sys.executable, SCRIPT, before, after], capture_output=True, text=True,
                         check=True).stdout
    rows = [line for line in out.splitlines() if line.startswith("| 0.")]
    assert len(rows) == 2
    assert "0.300 -> 0.200" in rows[0]
    assert "**0.5 [0.4, 0.6] -> 0.9 [0.8, 1]**" in rows[0]
    assert "**(2, 0.1) c0.95 -> (3, 0.1) c0.92**" in rows[0]
    assert "**" not in rows[1]
    assert "1 [0.8, 1.2] -> 1.1 [1, 1.3]" in rows[1]
    assert "delta_band 1/2, cppi 1/2" in out


def test_refuses_files_of_different_grids(tmp_path):
    a = write(tmp_path / "a.h5", [0.5, 1.0], [0.4, 0.8], [0.6, 1.2], [2.0, 4.0], [1, 1], [0.3, 0.7])
    b = tmp_path / "b.h5"
    write(b, [0.5, 1.0], [0.4, 0.8], [0.6, 1.2], [2.0, 4.0], [1, 1], [0.3, 0.7])
    with h5py.File(b, "r+") as f:
        f["volatility"][0] = 0.6
    run = subprocess.run([sys.executable, SCRIPT, a, str(b)], capture_output=True, text=True)
    assert run.returncode != 0
    assert "different grids" in run.stderr
