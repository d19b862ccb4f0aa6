"""Faults around the files hedgemap writes and reads, end to end through the binary:

- an output path that cannot be written is refused (exit 2) before anything is simulated, and a
  FIFO, device, directory or symlink is never replaced, even with --overwrite;
- a full disk (a small tmpfs) or a file-size limit (RLIMIT_FSIZE, `ulimit -f`) while writing the
  results file or a checkpoint: exit 1 with one message, no partial file, no temporary, the last
  checkpoint kept, and --resume then writes the file an uninterrupted run writes;
- a results file with one flipped bit: inspect and export never crash (exit 0, 1 or 2), and when
  they exit 0 they print exactly what the intact file gives;
- a checkpoint with one flipped bit: --resume refuses it (exit 1, the file kept) or, were the bit
  harmless, writes the uninterrupted run's results; never other results with exit 0.

Run by ctest (which sets HEDGEMAP_BINARY) with Debian's python3:
    HEDGEMAP_BINARY=build/hedgemap /usr/bin/python3 -m pytest -q tests/python/test_file_faults.py
"""
import concurrent.futures
import contextlib
import os
import resource
import shutil
import stat
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

BINARY = os.environ.get("HEDGEMAP_BINARY")
pytestmark = pytest.mark.skipif(not BINARY, reason="HEDGEMAP_BINARY is not set (run through ctest)")

# 2 x 2 cells, every family, about a second: checkpoint ~13 KB, results file ~90 KB.
TINY = """
name = "tiny-faults"
seed = 17
[simulation]
paths = 1000
dt_hours = 4.0
backend = "cpu"
[grid]
volatility = [0.5, 0.9]
expiry_days = [1, 2]
[costs]
fee_bps = 5.0
gas = 1.0
[[book]]
type = "call"
strike = 1.0
quantity = -5.0
[hedging]
policies = ["periodic", "delta_band"]
periodic.every_steps = [1, 2, 4]
delta_band.band = [0.2, 0.5]
[cppi]
multiplier = [2, 4]
tolerance = [0.0, 0.1]
[vol_target]
target = [0.3, 0.5]
tolerance = [0.1]
"""


def run(*args, limit_file_bytes=None, timeout=300):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))
    return subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit if limit_file_bytes else None)


@pytest.fixture()
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run of TINY: the results every fault test must end with."""
    tmp = tmp_path_factory.mktemp("reference")
    (tmp / "tiny.toml").write_text(TINY)
    out = tmp / "ref.h5"
    r = run("run", tmp / "tiny.toml", "-o", out, "--progress", "none")
    assert r.returncode == 0, r.stderr
    return out


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return out


def assert_same_results(a, b):
    da, db = datasets(a), datasets(b)
    assert da.keys() == db.keys()
    for name in da:
        assert np.asarray(da[name]).tobytes() == np.asarray(db[name]).tobytes(), name


def temporaries(directory):
    return [p.name for p in Path(directory).iterdir() if ".tmp-" in p.name]


@contextlib.contextmanager
def tmpfs(directory, size):
    """A tmpfs of `size` mounted at `directory` (root with CAP_SYS_ADMIN only)."""
    directory.mkdir(exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): "
                    f"{mounted.stderr.strip()}; test_file_size_limit_* covers the write failures")
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], capture_output=True)


# ---- the output path is checked before anything runs ----------------------------------------
def plant(tmp_path, kind):
    """Makes the output path of `kind`; returns (path, --overwrite?, words of the message)."""
    victim = tmp_path / "victim.h5"
    victim.write_bytes(b"precious")
    if kind == "root":
        return "/", True, "ends with '/'"
    if kind == "trailing slash":
        return str(tmp_path / "new") + "/", True, "ends with '/'"
    if kind == "dot":
        return str(tmp_path / "."), True, "is a directory"
    if kind == "directory":
        (tmp_path / "dir").mkdir()
        return tmp_path / "dir", True, "is a directory"
    if kind == "dangling symlink":
        (tmp_path / "dangling.h5").symlink_to(tmp_path / "missing.h5")
        return tmp_path / "dangling.h5", True, "dangling symbolic link"
    if kind == "symlink to a file":
        (tmp_path / "link.h5").symlink_to(victim)
        return tmp_path / "link.h5", True, "symbolic link"
    if kind == "fifo":
        os.mkfifo(tmp_path / "fifo.h5")
        return tmp_path / "fifo.h5", True, "FIFO"
    if kind == "device":
        if os.geteuid() != 0:
            pytest.skip("mknod needs root")
        os.mknod(tmp_path / "null.h5", stat.S_IFCHR | 0o600, os.makedev(1, 3))
        return tmp_path / "null.h5", True, "character device"
    if kind == "parent is a file":
        return victim / "r.h5", True, "victim.h5"
    if kind == "existing file":
        return victim, False, "--overwrite"
    if kind == "checkpoint is a directory":
        (tmp_path / "r.h5.ckpt").mkdir()
        return tmp_path / "r.h5", False, "r.h5.ckpt' is a directory"
    raise AssertionError(kind)


KINDS = ["root", "trailing slash", "dot", "directory", "dangling symlink", "symlink to a file",
         "fifo", "device", "parent is a file", "existing file", "checkpoint is a directory"]


@pytest.mark.parametrize("kind", KINDS)
def test_output_path_is_refused_before_anything_is_simulated(tmp_path, tiny, kind):
    root_checkpoint_existed = os.path.lexists("/.ckpt")
    path, overwrite, says = plant(tmp_path, kind)
    before = {p.name: p.lstat().st_mode for p in tmp_path.iterdir()}
    r = run("run", tiny, "-o", path, *(["--overwrite"] if overwrite else []), "--progress", "jsonl")
    assert r.returncode == 2, r.stderr
    assert says in r.stderr and "nothing was run" in r.stderr, r.stderr
    assert '"event":"progress"' not in r.stderr and "backend" not in r.stderr, r.stderr
    assert {p.name: p.lstat().st_mode for p in tmp_path.iterdir()} == before  # nothing replaced
    assert (tmp_path / "victim.h5").read_bytes() == b"precious"
    assert not (tmp_path / "new").exists()
    if not root_checkpoint_existed:
        assert not os.path.lexists("/.ckpt")


def test_read_only_directory_is_refused_before_anything_is_simulated(tmp_path, tiny):
    directory = tmp_path / "ro"
    if os.geteuid() == 0:  # root writes through permissions: a read-only filesystem instead
        with tmpfs(directory, "64k"):
            subprocess.run(["mount", "-o", "remount,ro", str(directory)], check=True)
            r = run("run", tiny, "-o", directory / "r.h5", "--progress", "jsonl")
    else:
        directory.mkdir()
        directory.chmod(0o500)
        r = run("run", tiny, "-o", directory / "r.h5", "--progress", "jsonl")
    assert r.returncode == 2, r.stderr
    assert "cannot create files in output directory" in r.stderr, r.stderr
    assert '"event":"progress"' not in r.stderr


# ---- a full disk, a file-size limit ----------------------------------------------------------
def test_disk_full_while_writing_results_keeps_the_checkpoint(tmp_path, tiny, reference):
    # 64 KiB hold the checkpoint (~13 KB) and its replacement, not the results file (~90 KB).
    with tmpfs(tmp_path / "small", "64k") as small:
        out = small / "r.h5"
        r = run("run", tiny, "-o", out, "--progress", "none")
        assert r.returncode == 1, r.stderr
        assert "No space left on device" in r.stderr and "--resume" in r.stderr, r.stderr
        assert "4 of 4 cells are saved" in r.stderr, r.stderr
        assert "HDF5" not in r.stderr, r.stderr  # one message of ours, no library internals
        assert not out.exists() and not temporaries(small)
        checkpoint = Path(str(out) + ".ckpt")
        assert checkpoint.exists()
        subprocess.run(["mount", "-o", "remount,size=4m", str(small)], check=True)
        r = run("run", tiny, "-o", out, "--progress", "none", "--resume")
        assert r.returncode == 0, r.stderr
        assert not checkpoint.exists() and not temporaries(small)
        assert_same_results(reference, out)


def test_file_size_limit_fails_cleanly_and_resumes(tmp_path, tiny, reference):
    # 40 KB: every checkpoint fits, the results file does not. SIGXFSZ would kill the process
    # (returncode -25) and leave its temporary; hedgemap ignores it and reports EFBIG.
    out = tmp_path / "r.h5"
    r = run("run", tiny, "-o", out, "--progress", "none", limit_file_bytes=40_000)
    assert r.returncode == 1, r.stderr
    assert "File too large" in r.stderr and "4 of 4 cells are saved" in r.stderr, r.stderr
    assert not out.exists() and not temporaries(tmp_path)
    # 9 KB: a checkpoint of one cell fits (about 5 KB), one of two does not: the run stops there
    # with what is saved.
    out2 = tmp_path / "r2.h5"
    r = run("run", tiny, "-o", out2, "--progress", "none", limit_file_bytes=9_000)
    assert r.returncode == 1, r.stderr
    assert "File too large" in r.stderr and "r2.h5.ckpt" in r.stderr, r.stderr
    assert not out2.exists() and not temporaries(tmp_path)
    for path in (out, out2):
        r = run("run", tiny, "-o", path, "--progress", "none", "--resume")
        assert r.returncode == 0, r.stderr
        assert_same_results(reference, path)
    assert not temporaries(tmp_path)


# ---- a results file with one flipped bit -----------------------------------------------------
def flip_positions(size):
    """Deterministic: every 64th byte of the first 4 KiB (superblock, root object header), then
    136 positions spread evenly over the rest."""
    head = list(range(0, min(size, 4096), 64))
    tail = [4096 + (size - 4096) * k // 136 for k in range(136)] if size > 4096 else []
    return head + tail


def test_inspect_and_export_never_crash_on_a_flipped_bit(tmp_path, reference):
    intact = reference.read_bytes()
    expected = {cmd: run(cmd, reference).stdout for cmd in ("inspect", "export")}
    assert expected["inspect"] and expected["export"]

    def check(index_and_pos):
        index, pos = index_and_pos
        data = bytearray(intact)
        data[pos] ^= 1 << (pos % 8)
        path = tmp_path / f"flipped_{pos}.h5"
        path.write_bytes(bytes(data))
        outcomes = []
        for cmd in ("export", "inspect") if index % 4 == 0 else ("export",):
            r = run(cmd, path, timeout=120)
            if cmd == "inspect":  # the header row names the file
                r.stdout = r.stdout.replace(str(path), str(reference))
            outcomes.append((pos, cmd, r.returncode, r.stdout == expected[cmd], r.stderr))
        path.unlink()
        return outcomes

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = [o for outcomes in pool.map(check, enumerate(flip_positions(len(intact))))
                   for o in outcomes]
    refused = 0
    for pos, cmd, code, same, stderr in results:
        assert code in (0, 1, 2), (pos, cmd, code, stderr)  # never a signal
        assert "HDF5-DIAG" not in stderr, (pos, cmd, stderr)
        if code == 0:
            assert same, f"{cmd} printed other results with exit 0 (bit flipped at byte {pos})"
        else:
            refused += 1
            assert stderr.startswith(f"hedgemap {cmd}: "), stderr
    assert refused >= len(results) // 4, f"only {refused} of {len(results)} flips were noticed"


# ---- a checkpoint with one flipped bit -------------------------------------------------------
def test_corrupted_checkpoint_is_refused_and_kept(tmp_path, tiny, reference):
    out = tmp_path / "r.h5"
    r = run("run", tiny, "-o", out, "--progress", "none", limit_file_bytes=40_000)
    assert r.returncode == 1 and "4 of 4 cells are saved" in r.stderr, r.stderr
    checkpoint = Path(str(out) + ".ckpt")
    intact = checkpoint.read_bytes()
    # the magic, the run identity and the first cell byte by byte, then spread over the rest
    positions = list(range(0, 100, 3)) + [100 + (len(intact) - 100) * k // 90 for k in range(90)]
    refused = 0
    for pos in positions:
        data = bytearray(intact)
        data[pos] ^= 1 << (pos % 8)
        checkpoint.write_bytes(bytes(data))
        r = run("run", tiny, "-o", out, "--progress", "none", "--resume")
        if r.returncode == 0:  # only acceptable if the results are the uninterrupted run's
            assert_same_results(reference, out)
            out.unlink()
            continue
        refused += 1
        assert r.returncode == 1, (pos, r.stderr)
        assert "r.h5.ckpt" in r.stderr and "kept" in r.stderr, (pos, r.stderr)
        assert checkpoint.read_bytes() == bytes(data), pos  # kept as it was
        assert not out.exists() and not temporaries(tmp_path)
    assert refused == len(positions)  # a SHA-256 over the whole content: every flip is seen
    # the checkpoint format before the checksum: refused, not trusted
    checkpoint.write_bytes(intact[:7] + b"1" + intact[8:-32])
    r = run("run", tiny, "-o", out, "--progress", "none", "--resume")
    assert r.returncode == 1 and "older hedgemap" in r.stderr, r.stderr
