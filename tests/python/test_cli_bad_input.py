"""Bad input found by fuzzing (issue 17), end to end through the binary: every class is refused
with exit 2 and a message naming the key, option or line and what is allowed, before anything is
simulated or written; --threads beyond the cap runs with a warning.

Run by ctest (which sets HEDGEMAP_BINARY) with Debian's python3:
    HEDGEMAP_BINARY=build/hedgemap /usr/bin/python3 -m pytest -q tests/python/test_cli_bad_input.py
"""
import os
import subprocess

import pytest

BINARY = os.environ.get("HEDGEMAP_BINARY")
pytestmark = pytest.mark.skipif(not BINARY, reason="HEDGEMAP_BINARY is not set (run through ctest)")

TINY = """name = "tiny"
[simulation]
paths = 64
steps = 4
[grid]
volatility = [0.5]
expiry_days = [1]
[cppi]
multiplier = [2]
tolerance = [0.1]
"""

LEG = '[[book]]\ntype = "call"\nstrike = 1.0\nquantity = -1.0\n'


def run(*args, timeout=120):
    return subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True, timeout=timeout)


def assert_refused(r, *needles):
    assert r.returncode == 2, (r.returncode, r.stderr)
    for needle in needles:
        assert needle in r.stderr, r.stderr
    assert "Segmentation" not in r.stderr and "terminate" not in r.stderr


@pytest.mark.parametrize("command", ["validate", "run"])
def test_nesting_beyond_the_limit_is_refused_with_the_line(tmp_path, command):
    for deep in ("a" + ".a" * 30000 + " = 1\n", "[a" + ".a" * 30000 + "]\n", "x = " + "[" * 30000 + "]" * 30000 + "\n"):
        path = tmp_path / "deep.toml"
        path.write_text(TINY + deep)
        out = tmp_path / "r.h5"
        r = run(command, path, *(["-o", out] if command == "run" else []))
        assert_refused(r, f"{path}:11:", "at most 32 levels")
        assert not out.exists()


@pytest.mark.parametrize("command", ["validate", "run"])
def test_only_regular_scenario_files_are_read(tmp_path, command):
    fifo = tmp_path / "scenario.fifo"
    os.mkfifo(fifo)
    big = tmp_path / "big.toml"
    big.write_text(TINY + "#" + "x" * (1 << 20) + "\n")
    for path, what in ((fifo, "FIFO"), ("/dev/zero", "character device"), (tmp_path, "directory"),
                       (big, "at most 1048576 bytes (1 MiB)")):
        r = run(command, path, timeout=20)  # a FIFO or /dev/zero used to hang
        assert_refused(r, str(path), what)


def test_validate_refuses_what_run_refuses(tmp_path):
    legs = tmp_path / "legs.toml"
    legs.write_text('name = "legs"\n[grid]\nvolatility = [0.5]\nexpiry_days = [1]\n' + LEG * 11 + "[hedging]\n")
    for command in ("validate", "run"):
        assert_refused(run(command, legs, "--paths", 64), "book: has 11 legs; at most 8")
    # 2^40 paths: the memory check is the same for both, before anything runs.
    for command in ("validate", "run"):
        r = run(command, "--paths", 2**40, *(["-o", tmp_path / "r.h5"] if command == "run" else []))
        assert_refused(r, "simulation.paths = 1099511627776", "of memory on the CPU backend", "available")
    assert not (tmp_path / "r.h5").exists()


def test_paths_and_seed_out_of_range_name_the_option_and_the_range():
    assert_refused(run("validate", "--paths", "-5"), "--paths: simulation.paths = -5: must be in [64, 2^40]")
    assert_refused(run("validate", "--paths", "0"), "--paths", "[64, 2^40]")
    assert_refused(run("validate", "--seed", "-1"), "--seed: seed = -1: must be >= 0")
    r = run("validate", "--paths", "-5")
    assert "18446744073709551611" not in r.stderr


def test_an_option_and_a_set_of_the_same_key_must_agree(tmp_path):
    assert_refused(run("validate", "--paths", 100, "--set", "simulation.paths=200"),
                   "--paths: simulation.paths = 100: conflicts with --set simulation.paths=200")
    assert_refused(run("validate", "--seed", 1, "--set", "seed=2"), "--seed: seed = 1: conflicts with --set seed=2")
    r = run("validate", "--paths", 100, "--set", "simulation.paths=100")
    assert r.returncode == 0, r.stderr
    assert "100 paths each" in r.stdout


def test_error_lines_are_capped_per_key(tmp_path):
    path = tmp_path / "many.toml"
    path.write_text(TINY.replace("volatility = [0.5]", "volatility = [" + ", ".join(["-1"] * 100000) + "]"))
    r = run("validate", path)
    assert_refused(r, "... and 99,990 more problems in grid.volatility", "100000 problem(s)")
    assert len(r.stderr.splitlines()) == 12, r.stderr[:2000]


def test_control_characters_in_the_name_are_refused_and_never_printed_raw(tmp_path):
    path = tmp_path / "name.toml"
    path.write_text(TINY.replace('name = "tiny"', 'name = "x\\u001b]0;owned\\u0007"'))
    r = run("run", path, "--set", "costs.gas=\x1b[2J", "-o", tmp_path / "r.h5")
    assert_refused(r, "name", "control characters", "\\u001b")
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr
    assert os.listdir(tmp_path) == ["name.toml"]


def test_too_many_threads_are_capped_with_a_warning(tmp_path):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY)
    out = tmp_path / "r.h5"
    r = run("run", scenario, "--threads", 100000, "-o", out, "--progress", "none")
    assert r.returncode == 0, r.stderr
    assert "warning: --threads 100000 is more than" in r.stderr and "using" in r.stderr
    assert out.exists()
