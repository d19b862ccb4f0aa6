"""hedgemap under mpirun (issue 16): the sweep's cells spread over ranks, and one cell's paths
split over them (fewer cells than ranks, or a cell longer than a rank's share), give the serial
run's bytes for any rank count, also with extra swept axes ([grid.axes]: an objective axis
sharing a path pass, a path-changing axis), a signal to mpirun stops every rank with a checkpoint (exit 75), and a
resume with another rank count finishes to the uninterrupted run's bytes.

Run by ctest when the build has MPI (it sets HEDGEMAP_BINARY and MPIEXEC), with Debian's python3:
    HEDGEMAP_BINARY=build/hedgemap MPIEXEC=mpirun /usr/bin/python3 -m pytest -q tests/mpi
CPU backend, one thread per rank, --oversubscribe: CI has 2 cores and no GPU.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BINARY = os.environ.get("HEDGEMAP_BINARY")
BINARY = os.path.abspath(BINARY) if BINARY else None
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")
SAME_RESULTS = Path(__file__).resolve().parents[2] / "scripts" / "same_results.py"
pytestmark = pytest.mark.skipif(not BINARY, reason="HEDGEMAP_BINARY is not set (run through ctest)")

# 2 x 3 = 6 cells of different lengths (1, 2 and 3 days), every policy family.
SCENARIO = """
name = "mpi-small"
seed = 7
[simulation]
paths = 3000
dt_hours = 2.0
backend = "cpu"
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


def mpi_env(**extra):
    env = dict(os.environ)
    # CI runs as root; Open MPI refuses to start as root without these.
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1",
               OMP_WAIT_POLICY="passive")
    env.update(extra)
    return env


def mpirun(ranks):
    return [MPIEXEC, "--oversubscribe", "-np", str(ranks)]


def hedgemap(*args):
    return [BINARY, "run", *map(str, args), "--threads", "1"]


def run(cmd, env=None, timeout=300):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env or mpi_env())


def assert_same_results(a, b):
    r = subprocess.run(["/usr/bin/python3", str(SAME_RESULTS), str(a), str(b)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert " 0 differences" in r.stdout


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    path = tmp_path_factory.mktemp("mpi") / "small.toml"
    path.write_text(SCENARIO)
    return path


@pytest.fixture(scope="module")
def serial(scenario, tmp_path_factory):
    """The serial program (a plain start, no launcher)."""
    out = tmp_path_factory.mktemp("serial") / "serial.h5"
    r = run(hedgemap(scenario, "-o", out, "--progress", "none"))
    assert r.returncode == 0, r.stderr
    assert "rank" not in r.stderr  # no MPI without a launcher
    return out


@pytest.mark.parametrize("ranks", [1, 2, 3, 4])
@pytest.mark.parametrize("emulate", ["0", "1"])
def test_every_rank_count_gives_the_serial_bytes(tmp_path, scenario, serial, ranks, emulate):
    out = tmp_path / "mpi.h5"
    r = run(mpirun(ranks) + hedgemap(scenario, "-o", out, "--progress", "jsonl"),
            env=mpi_env(HEDGEMAP_EMULATE_DEVICE_REDUCTION=emulate))
    assert r.returncode == 0, r.stderr
    assert f"hedgemap: {ranks} rank(s) on 1 node(s)" in r.stderr
    assert r.stdout.strip() == str(out)  # rank 0 alone reports the file
    progress = [line for line in r.stderr.splitlines() if line.startswith('{"event":"progress"')]
    assert len(progress) == 6  # one stream, from rank 0
    assert progress[-1].count('"rank":') == (ranks if ranks > 1 else 0)  # per-rank throughput
    assert_same_results(serial, out)
    assert not Path(str(out) + ".ckpt").exists()


ONE_CELL = ("--set", "grid.volatility=[0.7]", "--set", "grid.expiry_days=[2]")


@pytest.fixture(scope="module")
def serial_one_cell(scenario, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "one_cell.h5"
    r = run(hedgemap(scenario, "-o", out, "--progress", "none", *ONE_CELL))
    assert r.returncode == 0, r.stderr
    return out


# Fewer cells than ranks: the one cell's 3,000 paths (3 reduction blocks) are split over the
# ranks (4 ranks: rank 0 has no block at all), every family; the serial bytes, also through the
# reduced chunks of the device path.
@pytest.mark.parametrize("ranks", [2, 3, 4])
@pytest.mark.parametrize("emulate", ["0", "1"])
def test_fewer_cells_than_ranks_split_the_paths(tmp_path, scenario, serial_one_cell, ranks,
                                                emulate):
    out = tmp_path / "mpi.h5"
    r = run(mpirun(ranks) + hedgemap(scenario, "-o", out, "--progress", "none", *ONE_CELL),
            env=mpi_env(HEDGEMAP_EMULATE_DEVICE_REDUCTION=emulate))
    assert r.returncode == 0, r.stderr
    assert f"1 cell(s) ran with their paths split over the {ranks} ranks" in r.stderr
    assert_same_results(serial_one_cell, out)


# Cells split and cells handed out whole in one run: on 5 ranks the two 3-day cells are more than
# a rank's share (3 > 12 / 5) and are split, the four others are handed out; and every cell split
# (HEDGEMAP_PATH_SPLIT=all) on 2 ranks.
@pytest.mark.parametrize("ranks,split,expect_split", [(5, "auto", 2), (2, "all", 6)])
def test_split_and_whole_cells_give_the_serial_bytes(tmp_path, scenario, serial, ranks, split,
                                                     expect_split):
    out = tmp_path / "mpi.h5"
    r = run(mpirun(ranks) + hedgemap(scenario, "-o", out, "--progress", "jsonl"),
            env=mpi_env(HEDGEMAP_PATH_SPLIT=split))
    assert r.returncode == 0, r.stderr
    assert f"{expect_split} cell(s) ran with their paths split over the {ranks} ranks" in r.stderr
    progress = [line for line in r.stderr.splitlines() if line.startswith('{"event":"progress"')]
    assert len(progress) == 6
    assert_same_results(serial, out)


def test_a_signal_during_a_split_cell_stops_every_rank_and_a_resume_finishes(tmp_path, scenario):
    # One long cell over 3 ranks; SIGUSR1 to one worker only, while the paths run: every rank
    # stops together (the vote after the ranges), exit 75 with a checkpoint, then a resume on 2
    # ranks gives the serial bytes.
    args = (*ONE_CELL, "--paths", 200000)
    ref, out = tmp_path / "ref.h5", tmp_path / "int.h5"
    assert run(hedgemap(scenario, "-o", ref, "--progress", "none", *args)).returncode == 0
    proc = subprocess.Popen(mpirun(3) + hedgemap(scenario, "-o", out, "--progress", "jsonl", *args),
                            stderr=subprocess.PIPE, text=True, env=mpi_env())
    log = [proc.stderr.readline()]  # the first line: every rank has started
    pid = rank_pid(out, 2)
    for _ in range(400):  # until rank 2 handles SIGUSR1 (it installs the handler before the cells)
        caught = int(next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                          if line.startswith("SigCgt:")).split()[1], 16)
        if caught & (1 << (signal.SIGUSR1 - 1)):
            break
        time.sleep(0.01)
    os.kill(pid, signal.SIGUSR1)
    log.append(proc.stderr.read())
    assert proc.wait(timeout=300) == 75, "".join(log)
    assert not out.exists() and Path(str(out) + ".ckpt").exists()
    r = run(mpirun(2) + hedgemap(scenario, "-o", out, "--progress", "none", "--resume", *args))
    assert r.returncode == 0, r.stderr
    assert_same_results(ref, out)


def interrupt_after_first_cell(cmd, sig=signal.SIGUSR1):
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=mpi_env())
    log = []
    for line in proc.stderr:
        log.append(line)
        if '"cells_done":1,' in line:
            proc.send_signal(sig)
            break
    log.append(proc.stderr.read())
    return proc.wait(timeout=300), "".join(log)


LONG = ("--paths", 20000)  # about 0.3 s a cell on one core: long enough to signal mid-run


@pytest.fixture(scope="module")
def serial_long(scenario, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "long.h5"
    r = run(hedgemap(scenario, "-o", out, "--progress", "none", *LONG))
    assert r.returncode == 0, r.stderr
    return out


def test_sigusr1_to_mpirun_checkpoints_and_a_resume_on_other_ranks_finishes(tmp_path, scenario,
                                                                             serial_long):
    args, ref, out = LONG, serial_long, tmp_path / "int.h5"
    code, log = interrupt_after_first_cell(
        mpirun(3) + hedgemap(scenario, "-o", out, "--progress", "jsonl", *args))
    assert code == 75, log
    assert "interrupted;" in log and "--resume" in log
    assert not out.exists()
    assert Path(str(out) + ".ckpt").exists()
    r = run(mpirun(2) + hedgemap(scenario, "-o", out, "--progress", "none", "--resume", *args))
    assert r.returncode == 0, r.stderr
    assert "cells already done" in r.stderr
    assert not Path(str(out) + ".ckpt").exists()
    assert_same_results(ref, out)


def rank_pid(output, rank):
    """The process of `rank` among those writing `output` (Open MPI's OMPI_COMM_WORLD_RANK)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if (cmdline and cmdline[0] == BINARY.encode() and str(output).encode() in cmdline and
                f"OMPI_COMM_WORLD_RANK={rank}".encode() in environ):
            return int(pid)
    raise AssertionError(f"no rank {rank} writing {output}")


def test_a_signal_to_one_worker_stops_every_rank_and_one_process_resumes(tmp_path, scenario,
                                                                         serial_long):
    out = tmp_path / "one.h5"
    proc = subprocess.Popen(mpirun(3) + hedgemap(scenario, "-o", out, "--progress", "jsonl", *LONG),
                            stderr=subprocess.PIPE, text=True, env=mpi_env())
    log = []
    for line in proc.stderr:
        log.append(line)
        if '"cells_done":1,' in line:
            os.kill(rank_pid(out, 2), signal.SIGUSR1)  # rank 2 alone: it tells rank 0, which
            break                                      # stops rank 1 mid-cell
    log.append(proc.stderr.read())
    assert proc.wait(timeout=300) == 75, "".join(log)
    assert not out.exists() and Path(str(out) + ".ckpt").exists()
    r = run(hedgemap(scenario, "-o", out, "--progress", "none", "--resume", *LONG))  # no launcher
    assert r.returncode == 0, r.stderr
    assert_same_results(serial_long, out)


def test_resume_auto_starts_afresh_then_resumes_a_requeued_job(tmp_path, scenario, serial_long):
    out = tmp_path / "auto.h5"
    # The job's first start: no checkpoint, so a fresh run (interrupted here by SIGUSR2).
    code, log = interrupt_after_first_cell(
        mpirun(2) + hedgemap(scenario, "-o", out, "--progress", "jsonl", "--resume=auto", *LONG),
        sig=signal.SIGUSR2)
    assert code == 75, log
    assert "resuming" not in log
    assert Path(str(out) + ".ckpt").exists()
    # The requeued job: the same command, on 4 ranks.
    r = run(mpirun(4) + hedgemap(scenario, "-o", out, "--progress", "none", "--resume=auto", *LONG))
    assert r.returncode == 0, r.stderr
    assert "resuming from" in r.stderr
    assert_same_results(serial_long, out)


# Extra swept axes ([grid.axes]): an objective axis, whose values share one path pass, and a key
# that changes the paths (jumps.intensity): 6 cells x 2 x 2 = 24 cells in 12 path passes. A pass
# is the unit the ranks share (2 cells each), whole or with its paths split.
AXES_SCENARIO = SCENARIO.replace('name = "mpi-small"', 'name = "mpi-axes"').replace(
    "intensity = 20.0\n", "", 1) + """
[grid.axes]
"hedging.objective.risk_aversion" = [1.0, 4.0]
"jumps.intensity" = [10.0, 40.0]
"""
AXES_LONG = ("--paths", 30000)  # about 0.2 s a path pass on one core: long enough to signal


@pytest.fixture(scope="module")
def axes_scenario(tmp_path_factory):
    path = tmp_path_factory.mktemp("mpi") / "axes.toml"
    path.write_text(AXES_SCENARIO)
    return path


@pytest.fixture(scope="module")
def serial_axes(axes_scenario, tmp_path_factory):
    import h5py
    out = tmp_path_factory.mktemp("serial") / "axes.h5"
    r = run(hedgemap(axes_scenario, "-o", out, "--progress", "none"))
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:  # the sweep is 4-D: (volatility, expiry_days, k, intensity)
        names = [d[0].name for d in f["hedging/delta_band/optimal_band"].dims]
        assert names == ["/volatility", "/expiry_days", "/hedging_objective_risk_aversion",
                         "/intensity"]
    return out


@pytest.mark.parametrize("ranks,split", [(2, "auto"), (3, "auto"), (2, "all")])
def test_extra_axes_give_the_serial_bytes_for_any_rank_count(tmp_path, axes_scenario, serial_axes,
                                                             ranks, split):
    out = tmp_path / "mpi.h5"
    r = run(mpirun(ranks) + hedgemap(axes_scenario, "-o", out, "--progress", "jsonl"),
            env=mpi_env(HEDGEMAP_PATH_SPLIT=split))
    assert r.returncode == 0, r.stderr
    assert f"hedgemap: {ranks} rank(s) on 1 node(s)" in r.stderr
    progress = [line for line in r.stderr.splitlines() if line.startswith('{"event":"progress"')]
    assert len(progress) == 12 and '"cells_done":24,' in progress[-1]  # one event a path pass
    if split == "all":
        assert f"12 cell(s) ran with their paths split over the {ranks} ranks" in r.stderr
    assert_same_results(serial_axes, out)


def test_an_interrupted_sweep_with_extra_axes_resumes_on_another_rank_count(tmp_path,
                                                                            axes_scenario):
    ref, out = tmp_path / "ref.h5", tmp_path / "int.h5"
    r = run(hedgemap(axes_scenario, "-o", ref, "--progress", "none", *AXES_LONG))
    assert r.returncode == 0, r.stderr
    proc = subprocess.Popen(
        mpirun(3) + hedgemap(axes_scenario, "-o", out, "--progress", "jsonl", *AXES_LONG),
        stderr=subprocess.PIPE, text=True, env=mpi_env())
    log = []
    for line in proc.stderr:
        log.append(line)
        if '"cells_done":2,' in line:  # the first path pass (two cells) is in
            proc.send_signal(signal.SIGUSR1)
            break
    log.append(proc.stderr.read())
    assert proc.wait(timeout=300) == 75, "".join(log)
    assert not out.exists() and Path(str(out) + ".ckpt").exists()
    r = run(mpirun(2) + hedgemap(axes_scenario, "-o", out, "--progress", "none", "--resume",
                                 *AXES_LONG))
    assert r.returncode == 0, r.stderr
    assert "cells already done" in r.stderr
    assert_same_results(ref, out)


def test_ranks_that_run_another_scenario_refuse_together(tmp_path, scenario):
    out = tmp_path / "x.h5"
    cmd = (mpirun(1) + hedgemap(scenario, "-o", out, "--progress", "none") + [":"] +
           ["-np", "1"] + hedgemap(scenario, "-o", out, "--progress", "none", "--seed", 8))
    r = run(cmd)
    assert r.returncode == 1, r.stderr
    assert "rank 1 runs another job than rank 0" in r.stderr
    assert not out.exists()


def test_a_device_this_machine_lacks_is_bad_input_on_every_rank(tmp_path, scenario):
    # CI has no GPU: --device 3 names a device no rank sees (also without MPI).
    out = tmp_path / "x.h5"
    for cmd in (hedgemap(scenario, "-o", out, "--backend", "auto", "--device", 3),
                mpirun(2) + hedgemap(scenario, "-o", out, "--backend", "auto", "--device", 3)):
        r = run(cmd)
        assert r.returncode == 2, r.stderr
        assert "--device 3: this process sees" in r.stderr
        assert not out.exists()


FAKE_SRUN = r'''#!/usr/bin/python3
# srun for the test: its options dropped, the command run by mpirun on 2 ranks; with
# FAKE_SRUN_SIGNAL=1, SIGUSR1 after the first finished cell (Slurm's --signal=USR1@300).
import os, signal, subprocess, sys
args = sys.argv[1:]
while args and args[0].startswith("-"):
    args.pop(0)
proc = subprocess.Popen([os.environ["MPIEXEC"], "--oversubscribe", "-np", "2", *args],
                        stderr=subprocess.PIPE, text=True)
for line in proc.stderr:
    sys.stderr.write(line)
    if os.environ.get("FAKE_SRUN_SIGNAL") == "1" and '"cells_done":1,' in line:
        proc.send_signal(signal.SIGUSR1)
sys.exit(proc.wait())
'''


def test_nightly_sbatch_checkpoints_requeues_and_reports(tmp_path, scenario, serial_long):
    repo = Path(__file__).resolve().parents[2]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "srun").write_text(FAKE_SRUN)
    (bin_dir / "scontrol").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/scontrol.calls\n')
    for tool in ("srun", "scontrol"):
        (bin_dir / tool).chmod(0o755)
    env = mpi_env(PATH=f"{bin_dir}:{os.environ['PATH']}", MPIEXEC=MPIEXEC, HEDGEMAP=BINARY,
                  HEDGEMAP_BACKEND="cpu", HEDGEMAP_ARGS="--paths 20000", SLURM_JOB_ID="4242",
                  SLURM_SUBMIT_DIR=str(tmp_path), SLURM_CPUS_PER_TASK="1", FAKE_SRUN_SIGNAL="1")
    script = [str(repo / "scripts" / "slurm" / "nightly.sbatch"), str(scenario)]
    # The report script is the repository's (a wrapper over python/hedgemap): run from a copy of
        # scripts/ and python/ beside the results.
    subprocess.run(["cp", "-r", str(repo / "scripts"), str(repo / "python"), str(tmp_path)],
                   check=True)
    out = tmp_path / "results" / "nightly" / "4242" / "small.h5"

    first = subprocess.run(script, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr  # requeued, not failed
    assert (tmp_path / "scontrol.calls").read_text().split() == ["requeue", "4242"]
    assert Path(str(out) + ".ckpt").exists() and not out.exists()

    env.update(FAKE_SRUN_SIGNAL="0", SLURM_RESTART_COUNT="1")  # the requeued job
    second = subprocess.run(script, capture_output=True, text=True, env=env, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "resuming from" in second.stderr
    assert_same_results(serial_long, out)
    assert (out.parent / "small.html").stat().st_size > 0


def test_a_launcher_of_another_mpi_is_refused(tmp_path, scenario):
    # PMI_SIZE=2 is what MPICH's mpiexec sets; Open MPI then starts a singleton of one rank, and
    # two such processes would each run the whole sweep into the same file.
    out = tmp_path / "x.h5"
    r = run(hedgemap(scenario, "-o", out, "--progress", "none"), env=mpi_env(PMI_SIZE="2"))
    assert r.returncode == 1, r.stderr
    assert "MPI sees only this one" in r.stderr
    assert not out.exists()
