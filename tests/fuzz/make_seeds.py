"""Makes the seed corpora of the checkpoint and results fuzz targets (tests/fuzz/corpus/) from
runs of the hedgemap binary, and two small results files written by h5py in the layout the
reader expects (host/formats/optima_reader.cpp reads files rewritten by other tools too):

    /usr/bin/python3 tests/fuzz/make_seeds.py build/hedgemap

The results target reads its base files from tests/fuzz/results_bases/ (its corpus holds edit
sequences, see tests/fuzz/results_target.cpp).

The scenario seeds are the presets and hand-written files (tests/fuzz/corpus/scenario/)."""
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

CPPI = """name = "fuzz-cppi"
[simulation]
paths = 64
steps = 4
[grid]
volatility = [0.5]
expiry_days = [1]
[cppi]
multiplier = [2, 4]
tolerance = [0.1]
"""

BAND = """name = "fuzz-band"
[simulation]
paths = 64
steps = 4
[grid]
volatility = [0.5, 0.9]
expiry_days = [1]
[[book]]
quantity = -1.0
[hedging]
policies = ["delta_band"]
delta_band.band = [0.2, 0.5, 1.0]
"""


def run(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True)


def results_seeds(binary, tmp):
    out = os.path.join(HERE, "results_bases")
    for name, text in (("cppi", CPPI), ("band", BAND)):
        scenario = os.path.join(tmp, name + ".toml")
        with open(scenario, "w") as f:
            f.write(text)
        h5 = os.path.join(tmp, name + ".h5")
        assert run(binary, "run", scenario, "-o", h5, "-q", "--threads", "1").returncode == 0
        if name == "cppi":  # as written (chunked datasets): ~100 KB
            shutil.copy(h5, os.path.join(out, "binary_cppi_1x1.h5"))
        else:  # contiguous datasets (h5repack), ~40 KB
            subprocess.run(["h5repack", "-l", "CONTI", h5, os.path.join(out, "binary_band_2x1_contiguous.h5")],
                           check=True)
    for libver in ("earliest", "latest"):
        with h5py.File(os.path.join(out, f"h5py_{libver}.h5"), "w", libver=libver) as f:
            f.attrs["title"] = "hedgemap results"
            f.attrs["source"] = "hedgemap 0.1.0 (git fuzz)"
            f.attrs["paths"] = np.int64(32)
            f.attrs["seed"] = np.uint64(1)
            vol = f.create_dataset("volatility", data=[0.5, 0.9])
            exp = f.create_dataset("expiry_days", data=[7.0])
            vol.make_scale("volatility")
            exp.make_scale("expiry_days")
            g = f.create_group("hedging/delta_band")
            g.attrs["policy"] = "delta_band"
            g.attrs["objective_kind"] = "mean_std"
            g.attrs["objective_sense"] = "minimize"
            band = g.create_dataset("band", data=[0.2, 0.5])
            band.attrs["units"] = "1"
            band.make_scale("band")
            objective = g.create_dataset("objective", data=np.arange(4.0).reshape(2, 1, 2))
            for dim, scale in enumerate((vol, exp, band)):
                objective.dims[dim].attach_scale(scale)
            for name, data in (("optimal_band", [0.2, 0.5]), ("optimal_band_refined", [0.25, np.nan]),
                               ("optimal_objective", [1.0, 2.0]), ("optimal_confidence", [0.5, 1.0])):
                g.create_dataset(name, data=np.array(data).reshape(2, 1))
            none = f.create_group("hedging/none")
            none.create_dataset("optimal_objective", data=np.ones((2, 1)))
            best = f.create_dataset("best/hedging_policy", data=np.array([[0.0], [1.0]]))
            best.attrs["policies"] = np.array(["none", "delta_band"], dtype=h5py.string_dtype())


def checkpoint_seeds(binary, tmp):
    # A run of the embedded default interrupted (SIGINT) after its first cells keeps its
    # checkpoint. The seeds are checkpoint contents without their 32-byte SHA-256 trailer (the
    # target appends it): the interrupted one, and the same with no cell done.
    out = os.path.join(tmp, "out.h5")
    proc = subprocess.Popen([binary, "run", "--paths", "20000", "--threads", "1", "-q", "-o", out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None and not (os.path.exists(out + ".ckpt") and
                                       os.path.getsize(out + ".ckpt") > 12000):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    assert proc.wait() == 75, "the run finished before it could be interrupted"
    content = open(out + ".ckpt", "rb").read()[:-32]
    eol = content.index(b"\n", 8)
    count = struct.unpack_from("<Q", content, eol + 1)[0]
    empty = content[: eol + 9] + b"\x00" * count
    os.makedirs(os.path.join(CORPUS, "checkpoint"), exist_ok=True)
    for name, data in (("default_some_cells.ckpt", content), ("default_no_cell.ckpt", empty)):
        with open(os.path.join(CORPUS, "checkpoint", name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        if "--checkpoint-only" not in sys.argv:
            results_seeds(binary, tmp)
        checkpoint_seeds(binary, tmp)
