// The scenario: every key of docs/scenario.md as a plain C++ value, with its default.
// host/scenario/parser.cpp fills it from TOML; kernels never see this struct (they get
// the POD parameter blocks of kernels/model_params.hpp, built by host/scenario/kernel_params.cpp).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hedgemap {

// The fewest paths per cell whose statistics are all defined: the optimum's bootstrap and the
// batch-means standard error of the allocation objectives cut a cell's paths into 32 blocks and
// need a sample variance (2 paths) in each (static_assert in host/families/allocation.cpp).
constexpr std::uint64_t kMinPathsPerCell = 64;
// Volatility targeting reports a realised volatility: a sample variance of per-step returns.
constexpr int kMinVolTargetSteps = 2;

struct SimulationConfig {
  std::uint64_t paths = 1'000'000;
  double dt_hours = 1.0;            // used when `steps` is absent
  std::optional<int> steps;         // fixed number of steps per path, whatever the expiry
  std::string precision = "float";  // "float" | "double"
  std::string backend = "auto";     // "auto" | "cpu" | "cuda"
};

// One extra swept axis of [grid.axes]: a numeric scalar key of the scenario and its values.
// Every cell of the full grid is the scenario with these keys set, exactly as `--set key=value`
// would set them (host/scenario/grid_axes.hpp).
struct SweptAxis {
  std::string key;                 // full scenario key, "costs.gas"
  std::string name;                // dimension name in the results: the key's last part, "gas"
  std::vector<double> values;      // finite, strictly increasing
  std::vector<std::string> texts;  // each value as written in TOML ("4.0", "25"), for --set
  std::string unit;                // the key's unit in the results (grid_axes.hpp, swept_key_unit)
  bool paths_unchanged = false;    // only the objective changes (hedging.objective.*): the
                                   // per-path P&L of one path pass serves every value
  bool cost_only = false;          // only the trading costs change (cost_only_key): one path pass
                                   // evaluates every value, each in a cost slot of its own
};

// At most this many extra axes, and this many combinations of their values.
constexpr std::size_t kMaxSweptAxes = 4, kMaxAxisCombinations = 4096;

struct GridConfig {
  std::vector<double> volatility;   // implied volatility at t=0, annualized, each > 0, increasing
  std::vector<double> expiry_days;  // each > 0, strictly increasing
  std::vector<SweptAxis> axes;      // [grid.axes], in file order; empty: the 2-D grid
  // The scenario without [grid.axes] (TOML text), from which every combination is re-read.
  std::string axes_base_toml;
  std::string source_name;  // the file, for messages

  // Product of the extra axes' sizes (1 without extra axes).
  std::size_t axis_combinations() const;
};

struct MarketConfig {
  double spot = 3000.0;
  double rate = 0.0;
  double drift = 0.0;  // real-world mu of E[S_t] = S_0 exp(mu t)
};

// How the realised volatility relates to the cell's implied volatility
// (kernels/variance_budget.hpp) and, under Heston, how the variance moves.
struct VolatilityConfig {
  std::string model = "constant";    // "constant" | "heston"
  double realised_to_implied = 1.0;  // total realised volatility / implied volatility
  double mean_reversion = 4.0;       // heston kappa, 1/yr
  double vol_of_vol = 1.2;           // heston xi
  double correlation = -0.4;         // heston rho
  double initial_to_long_run = 1.0;  // heston v_0 / theta
};

struct JumpConfig {
  std::string model = "none";   // "none" | "merton" | "kou"
  double intensity = 0.0;       // jumps per year
  double log_mean = 0.0;        // merton
  double log_stdev = 0.0;       // merton
  double up_probability = 0.5;  // kou p
  double up_rate = 25.0;        // kou eta_1 (> 1)
  double down_rate = 20.0;      // kou eta_2 (> 0)
};

struct GapConfig {
  double intensity = 0.0;       // outages per year
  double duration_hours = 6.0;  // mean outage length (exponential)
  double crash_log_mean = 0.0;
  double crash_log_stdev = 0.0;
  double gas_multiplier = 1.0;  // gas after an outage: this x the level (see below)
  // Half-life of the congestion premium after an outage ends (kernels/gas_process.hpp). Absent:
  // the first release's rule, the first trade after an outage pays gas_multiplier x gas.
  std::optional<double> congestion_halflife_hours;
};

struct CostConfig {
  double fee_bps = 0.0;
  double gas = 0.0;
  double gas_volatility = 0.0;
  double gas_halflife_hours = 0.0;  // persistence of log-gas; 0 = independent per step
  std::string impact = "none";      // "none" | "linear" | "sqrt" | "amm"
  double pool_depth = 5.0e7;        // amm
  double impact_coefficient = 0.1;  // linear | sqrt
  double daily_volume = 1.0e6;      // sqrt, units of the underlying per day
  double latency_seconds = 0.0;
  double min_trade_units = 0.0;  // minimum order size, units of the underlying (0 = off)
  double option_fee_bps = 0.0;   // fee on option premium traded (delta_vega_band), one way
};

struct FundingConfig {           // perpetual-futures funding (hedging.instrument = "perp")
  double rate = 0.0;             // mean annualized rate paid by longs
  double volatility = 0.0;       // stationary standard deviation of the OU rate
  double halflife_hours = 48.0;  // of the rate's deviations from `rate`
  double correlation = 0.0;      // between the rate's shocks and price returns
};

struct BookLeg {
  std::string type = "call";  // "call" | "put"
  double strike = 1.0;        // moneyness K / spot
  double quantity = 0.0;      // signed, + long
};

struct ObjectiveConfig {
  std::string kind = "mean_std";  // hedging: "mean_std" | "mean_variance" | "cvar" | "utility";
                                  // vol_target: "mean_std" | "mean_variance";
                                  // cppi: "max_mean_gap" | "mean_std" | "mean_variance"
  double risk_aversion = 1.0;
  double level = 0.95;
  double gap_probability_max = 0.01;  // cppi max_mean_gap
};

struct HedgingConfig {
  bool present = false;
  std::string model = "black_scholes";       // "black_scholes" | "merton"
  std::string instrument = "spot";           // "spot" | "perp" (no gas, no AMM, pays funding)
  std::string volatility_input = "implied";  // "implied" | "inception" | "realised"
  double ewma_halflife_hours = 24.0;         // realised: half-life of the EWMA
  std::vector<std::string> policies;         // subset of periodic, delta_band, whalley_wilmott,
                                             // fixed_cost_band, delta_vega_band (absent: the
                                             // first three)
  std::vector<int> periodic_every_steps{1, 2, 4, 8, 24};
  std::vector<double> delta_band_band{0.1, 0.2, 0.5, 1.0, 2.0};
  std::string delta_band_rebalance_to = "center";  // "center" | "edge"
  std::vector<double> whalley_wilmott_risk_aversion{1e-4, 1e-3, 1e-2};
  std::vector<double> fixed_cost_band_risk_aversion{1e-4, 1e-3, 1e-2};
  // delta_vega_band (only when named in policies): delta band (units of the underlying) x vega
  // band (fraction of the book's |vega| at t=0), and the option traded for vega.
  std::vector<double> delta_vega_band_band{0.2, 0.5, 1.0};
  std::vector<double> delta_vega_band_vega_band{0.05, 0.1, 0.2, 0.5};
  std::string vega_instrument_type = "call";        // "call" | "put"
  double vega_instrument_strike = 1.0;              // moneyness K / spot at t=0
  double vega_instrument_expiry_extra_days = 30.0;  // its expiry after the book's
  ObjectiveConfig objective;
};

struct CppiConfig {
  bool present = false;
  double capital = 1.0e6;
  double floor = 0.9;
  std::vector<double> multiplier{2, 3, 4, 6, 8};
  std::vector<double> tolerance{0.0, 0.02, 0.05, 0.1, 0.2};
  double max_leverage = 1.0;
  ObjectiveConfig objective{"max_mean_gap", 1.0, 0.95, 0.01};
};

struct VolTargetConfig {
  bool present = false;
  double capital = 1.0e6;
  std::vector<double> target{0.2, 0.4};
  std::vector<double> tolerance{0.05, 0.1, 0.2};
  double ewma_halflife_hours = 24.0;
  double max_leverage = 2.0;
  ObjectiveConfig objective{"mean_std", 1.0, 0.95, 0.01};
};

struct Scenario {
  std::string name = "default";
  std::uint64_t seed = 20261124;
  double days_per_year = 365.0;
  SimulationConfig simulation;
  GridConfig grid;
  MarketConfig market;
  VolatilityConfig volatility;
  JumpConfig jumps;
  GapConfig gaps;
  CostConfig costs;
  FundingConfig funding;
  std::vector<BookLeg> book;
  HedgingConfig hedging;
  CppiConfig cppi;
  VolTargetConfig vol_target;

  std::string effective_toml;  // the scenario as run (overrides applied), for the results file

  // Steps per path for an expiry: `steps` if given, else round(expiry_days*24/dt_hours), >= 1.
  int steps_for_expiry(double expiry_days) const;
};

}  // namespace hedgemap
