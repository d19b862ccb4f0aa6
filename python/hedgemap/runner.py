"""hedgemap.run: the binary from Python, with a progress bar, returning the loaded results.

    res = hedgemap.run("scenarios/eth_l1_amm.toml", paths=20000, backend="cpu",
                       set={"costs.gas": 8.0})
    res = hedgemap.run(toml_text_or_dict, costs__fee_bps=5)   # `__` stands for `.`
    res = hedgemap.run("scenarios/eth_l1_amm.toml", paths=2000,
                       axes={"costs.fee_bps": [5, 30], "costs.gas": [1, 8]})   # an N-D sweep

The binary is `binary=`, else $HEDGEMAP_BINARY, else `hedgemap` on PATH, else ./build/hedgemap
(from the current directory or the repository this package lives in). It runs with
`--progress jsonl`: each finished cell advances a tqdm bar (tqdm.auto, so a widget in Jupyter)
when tqdm is installed and `progress=True`; other lines of its stderr (the backend it chose,
warnings) are passed on to sys.stderr. Exit status 2 (bad input) raises ScenarioInputError with
the binary's messages, 1 HedgemapRunError, 75 (interrupted, checkpoint saved) RunInterrupted; 3
(written, some statistics not finite) loads the file and warns.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from typing import Mapping, Optional

from .results import Results, load


class HedgemapRunError(RuntimeError):
    """The binary failed at run time (exit 1) or could not be started."""


class ScenarioInputError(ValueError):
    """The binary refused the scenario or the options (exit 2); `problems` holds its lines."""

    def __init__(self, message: str, problems):
        super().__init__(message)
        self.problems = list(problems)


class RunInterrupted(RuntimeError):
    """The run was interrupted (exit 75); rerun with resume=True to finish it."""


def find_binary(binary: Optional[str] = None) -> str:
    """The hedgemap executable: `binary`, $HEDGEMAP_BINARY, PATH, ./build/hedgemap, or the
    repository's build/hedgemap next to this package (a checkout used without installing)."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [binary, os.environ.get("HEDGEMAP_BINARY"), shutil.which("hedgemap"),
                  os.path.join(os.getcwd(), "build", "hedgemap"),
                  os.path.join(here, "..", "..", "build", "hedgemap")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    raise HedgemapRunError("no hedgemap binary: pass binary=..., set HEDGEMAP_BINARY, put it on "
                           "PATH, or build it (bash scripts/build.sh -> ./build/hedgemap)")


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)  # shortest round trip, always with '.', 'e', 'inf' or 'nan': a TOML float
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a valid TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if hasattr(v, "tolist"):  # numpy scalars and arrays
        return _toml_value(v.tolist())
    raise TypeError(f"cannot write {type(v).__name__} as a TOML value")


def scenario_toml(scenario: Mapping) -> str:
    """A scenario dict (as tomllib reads one) as TOML text: tables, arrays of tables ([[book]])."""
    lines = []

    def table(d: Mapping, prefix: str):
        scalars = {k: v for k, v in d.items() if not isinstance(v, Mapping) and not (
            isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v))}
        for k, v in scalars.items():
            lines.append(f"{json.dumps(k)} = {_toml_value(v)}")
        for k, v in d.items():
            name = f"{prefix}{json.dumps(k)}"
            if isinstance(v, Mapping):
                lines.append(f"\n[{name}]")
                table(v, name + ".")
            elif isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v):
                for item in v:
                    lines.append(f"\n[[{name}]]")
                    table(item, name + ".")

    table(scenario, "")
    return "\n".join(lines) + "\n"


def _scenario_file(scenario, workdir: str) -> str:
    """A path to the scenario: an existing file as it is, TOML text or a dict written out."""
    if isinstance(scenario, Mapping):
        text = scenario_toml(scenario)
    elif isinstance(scenario, os.PathLike) or (isinstance(scenario, str) and "\n" not in scenario
                                               and "=" not in scenario):
        if not os.path.isfile(scenario):
            raise FileNotFoundError(f"no scenario file {scenario}")
        return os.fspath(scenario)
    else:
        text = str(scenario)
    path = os.path.join(workdir, "scenario.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def _tqdm(enabled: bool):
    """tqdm.auto's class (a widget in Jupyter, text elsewhere), or None."""
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


def axes_table(axes: Mapping) -> str:
    """{key: values} as the TOML inline table that `--set grid.axes=...` takes, in dict order
    (the order of the axes in the results): {"costs.gas" = [1, 8], "costs.fee_bps" = [5, 30]}."""
    entries = []
    for key, values in axes.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"axes[{key!r}] must be a sequence of numbers, not {values!r}")
        entries.append(f"{json.dumps(str(key))} = {_toml_value(list(values))}")
    return "{" + ", ".join(entries) + "}"


def run(scenario=None, *, paths: Optional[int] = None, backend: Optional[str] = None,
        set: Optional[Mapping] = None, axes: Optional[Mapping] = None,  # noqa: A002 (CLI name)
        seed: Optional[int] = None,
        output: Optional[str] = None, overwrite: bool = False, threads: Optional[int] = None,
        resume: bool = False, progress: bool = True, binary: Optional[str] = None,
        **overrides) -> Results:
    """Runs `hedgemap run` and returns the loaded results (hedgemap.load of the file).

    scenario: a TOML file path, TOML text, a dict (as tomllib reads a scenario), or None for the
      embedded default. paths, seed, backend, threads: the command line's options. set: {dotted
      key: value} for --set (values as TOML: 8.0, [0.5, 0.9], "kou"); keyword overrides are the
      same with `__` for `.` (costs__gas=8.0). output: the results file; None writes a new file
      in a temporary directory (kept: its path is `res.path`); an existing file needs
      overwrite=True. resume: finish an interrupted run from its checkpoint.
      axes: {dotted key: values} swept as extra grid axes, in this order (docs/scenario.md,
      [grid.axes]): passed as `--set grid.axes={...}`, which replaces the scenario's [grid.axes]
      and its single values of those keys; the results gain one dimension per key.
    """
    exe = find_binary(binary)
    keep_dir = tempfile.mkdtemp(prefix="hedgemap-run-")
    settings = dict(set or {})
    settings.update({k.replace("__", "."): v for k, v in overrides.items()})
    command = [exe, "run"]
    if scenario is not None:
        command.append(_scenario_file(scenario, keep_dir))
    if output is None:
        output = os.path.join(keep_dir, "results.h5")
    command += ["-o", os.fspath(output), "--progress", "jsonl"]
    if overwrite:
        command.append("--overwrite")
    if resume:
        command.append("--resume")
    for flag, value in (("--paths", paths), ("--seed", seed), ("--backend", backend),
                        ("--threads", threads)):
        if value is not None:
            command += [flag, str(value)]
    for key, value in settings.items():
        command += ["--set", f"{key}={_toml_value(value)}"]
    if axes is not None:
        command += ["--set", f"grid.axes={axes_table(axes)}"]
    return _run_command(command, os.fspath(output), progress)


def _run_command(command, output: str, progress: bool) -> Results:
    tqdm = _tqdm(progress)
    bar = None  # made at the first progress event, when the number of cells is known
    messages = []
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, bufsize=1)
    except OSError as e:
        raise HedgemapRunError(f"cannot start {command[0]}: {e}") from e
    try:
        for line in process.stderr:
            event = None
            if line.startswith("{"):
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    event = None
            if isinstance(event, dict) and event.get("event") == "progress":
                if tqdm is not None:
                    if bar is None:
                        bar = tqdm(total=event.get("cells_total"), unit="cell", desc="hedgemap")
                    bar.set_postfix(path_steps_per_s=f"{event.get('path_steps_per_second', 0):.3g}",
                                    refresh=False)
                    bar.update(event.get("cells_done", 0) - bar.n)
                continue
            messages.append(line.rstrip("\n"))
            if bar is not None:
                bar.write(line.rstrip("\n"), file=sys.stderr)
            else:
                print(line, end="", file=sys.stderr)
        process.stdout.read()
        code = process.wait()
    except KeyboardInterrupt:
        # The binary stops at the next chunk, saves its checkpoint and exits with 75.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        raise
    finally:
        if bar is not None:
            bar.close()
    text = "\n".join(messages)
    if code == 2:
        raise ScenarioInputError(f"hedgemap refused the input (exit 2):\n{text}", messages)
    if code == 75:
        raise RunInterrupted(f"hedgemap was interrupted (exit 75); a checkpoint was saved: run "
                             f"again with resume=True and output={output!r}\n{text}")
    if code not in (0, 3):
        raise HedgemapRunError(f"hedgemap failed (exit {code}):\n{text}")
    if code == 3:
        warnings.warn("hedgemap: some cells have non-finite statistics (NaN in the file):\n" + text,
                      RuntimeWarning, stacklevel=3)
    # The file is renamed into place before the binary exits; allow a slow file system a moment.
    for _ in range(50):
        if os.path.exists(output):
            break
        time.sleep(0.1)
    return load(output)
