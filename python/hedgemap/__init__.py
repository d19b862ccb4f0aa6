"""hedgemap from Python: run the simulator, read its results, plot them, fit threshold laws.

    import hedgemap
    res = hedgemap.run("scenarios/eth_l1_amm.toml", paths=20000, backend="cpu",
                       set={"costs.gas": 8.0})          # -> Results (xarray Datasets inside)
    law = hedgemap.fit(res, policy="delta_band")        # or hedgemap.fit("run.h5", ...)
    band = hedgemap.predict(law, volatility=0.7, expiry_days=10)   # -> float
    law.to_json("law.json"); law2 = hedgemap.load_law("law.json")
    hedgemap.plot(res, "plots/"); hedgemap.report(res, "report.html")

Pure Python over numpy, xarray, h5py/h5netcdf and matplotlib; the fit's trees use scikit-learn,
the progress bar tqdm (both optional: without sklearn the surrogate is its power-law backbone).
"""
from .law import Law, fit, load_law, predict
from .plots import plot, plot_all, plot_law
from .report import build_report, report
from .results import (GRID_DIMS, HEDGING_AXES, Results, confidence_interval, describe, load,
                      near_optimal_range, policy_axis)
from .runner import HedgemapRunError, RunInterrupted, ScenarioInputError, find_binary, run

__version__ = "0.1.0"

__all__ = ["Law", "fit", "load_law", "predict", "plot", "plot_all", "plot_law", "build_report",
           "report", "GRID_DIMS", "HEDGING_AXES", "Results", "confidence_interval", "describe",
           "load", "near_optimal_range", "policy_axis", "HedgemapRunError", "RunInterrupted",
           "ScenarioInputError", "find_binary", "run"]
