#include "host/formats/results_file.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <functional>
#include <limits>
#include <algorithm>
#include <map>
#include <set>

#include "build_info.hpp"
#include "host/statistics/bootstrap.hpp"
#include "host/formats/h5_writer.hpp"
#include "host/formats/non_finite_values.hpp"
#include "host/statistics/optimum.hpp"
#include "host/statistics/optimum_statistics.hpp"

namespace hedgemap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string iso8601_utc_now() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buf;
}

bool is_hedging(const GroupSpec& g) { return g.path.rfind("/hedging/", 0) == 0; }

// The writer, and the non-finite values of every float variable it writes, with their
// coordinates (the axes' values by path).
struct CheckedOutput {
  h5::ResultsWriter& out;
  NonFiniteValues& non_finite;
  std::map<std::string, const std::vector<double>*> axis_values;

  void axis(const std::string& path, const std::vector<double>& values, const std::string& units,
            const std::string& long_name) {
    out.axis(path, values, units, long_name);
    axis_values[path] = &values;
  }
  // An integer axis: `values` are its coordinates as doubles.
  void axis(const std::string& path, const std::vector<double>& values,
            const std::vector<std::int64_t>& stored, const std::string& units,
            const std::string& long_name) {
    out.axis(path, stored, units, long_name);
    axis_values[path] = &values;
  }
  void variable(const std::string& path, const std::vector<std::string>& axis_paths,
                const std::vector<double>& data, const std::string& units,
                const std::string& long_name,
                const std::function<bool(std::size_t)>& defined_nan = nullptr) {
    out.variable(path, axis_paths, data, units, long_name);
    std::vector<NamedAxis> axes;
    for (const std::string& a : axis_paths)
      axes.push_back({a.substr(a.rfind('/') + 1), axis_values.at(a)});
    non_finite.scan(path, axes, data, defined_nan);
  }
  // Flags (uint8): always finite.
  void variable(const std::string& path, const std::vector<std::string>& axis_paths,
                const std::vector<std::uint8_t>& data, const std::string& units,
                const std::string& long_name) {
    out.variable(path, axis_paths, data, units, long_name);
  }
};

// Writes a [volatility, expiry_days, <extra axes>] variable from a per-cell getter.
template <class Getter>
void write_cell_variable(CheckedOutput& out, const std::vector<std::string>& cell_dims,
                         const std::string& path, std::size_t cells, const std::string& units,
                         const std::string& long_name, Getter get,
                         const std::function<bool(std::size_t)>& defined_nan = nullptr) {
  std::vector<double> data(cells);
  for (std::size_t c = 0; c < cells; ++c) data[c] = get(c);
  out.variable(path, cell_dims, data, units, long_name, defined_nan);
}

// Dimension names of the extra axes: the key's last part ("costs.gas" -> "gas"), or the whole
// key with '_' for '.' when that name is taken (by volatility, expiry_days, steps, a policy
// axis, or an earlier extra axis: a variable may not have two dimensions of one name).
std::vector<std::string> extra_axis_names(const Scenario& s, const std::vector<GroupSpec>& groups) {
  std::set<std::string> taken{"volatility", "expiry_days", "steps"};
  for (const GroupSpec& g : groups)
    for (const Axis& a : g.axes) taken.insert(a.name);
  std::vector<std::string> names;
  for (const SweptAxis& a : s.grid.axes) {
    std::string name = a.name;
    if (taken.count(name)) {
      name = a.key;
      std::replace(name.begin(), name.end(), '.', '_');
    }
    taken.insert(name);
    names.push_back(name);
  }
  return names;
}

void write_group(CheckedOutput& out, const std::vector<std::string>& cell_dims, const GroupSpec& g,
                 std::size_t gi, const std::vector<CellResult>& cells) {
  std::vector<std::string> dims = cell_dims;
  for (const Axis& a : g.axes) {
    const std::string path = g.path + "/" + a.name;
    if (a.integer) {
      out.axis(path, a.values, std::vector<std::int64_t>(a.values.begin(), a.values.end()), a.units,
               a.long_name);
    } else {
      out.axis(path, a.values, a.units, a.long_name);
    }
    dims.push_back(path);
  }
  const std::size_t points = g.points();
  const std::size_t n = cells.size();
  auto stacked = [&](auto pick) {
    std::vector<double> data(n * points);
    for (std::size_t c = 0; c < n; ++c) {
      const std::vector<double>& v = pick(cells[c].groups[gi]);
      for (std::size_t p = 0; p < points; ++p) data[c * points + p] = p < v.size() ? v[p] : kNaN;
    }
    return data;
  };
  // max_mean_gap defines the objective of a point that breaks its gap constraint as NaN (and so
  // its stderr): where every metric of the point is finite, that is the only way to get a NaN.
  const auto infeasible = [&](std::size_t i) {
    if (g.objective_kind != "max_mean_gap") return false;
    const GroupCellResult& r = cells[i / points].groups[gi];
    for (const std::vector<double>& metric : r.metrics)
      if (!std::isfinite(metric[i % points])) return false;
    return true;
  };
  for (std::size_t m = 0; m < g.metrics.size(); ++m) {
    const MetricInfo& info = g.metrics[m];
    out.variable(g.path + "/" + info.name, dims,
                 stacked([&](const GroupCellResult& r) -> const std::vector<double>& {
                   return r.metrics[m];
                 }),
                 info.units, info.long_name);
  }
  out.variable(
      g.path + "/objective", dims,
      stacked([](const GroupCellResult& r) -> const std::vector<double>& { return r.objective; }),
      g.objective_units, g.objective_long_name, infeasible);
  out.variable(g.path + "/objective_stderr", dims,
               stacked([](const GroupCellResult& r) -> const std::vector<double>& {
                 return r.objective_stderr;
               }),
               g.objective_units, "standard error of the objective", infeasible);
  out.out.attribute(g.path, "policy", g.policy);
  out.out.attribute(g.path, "objective_kind", g.objective_kind);
  out.out.attribute(g.path, "objective_sense",
                    g.sense == Sense::minimize ? "minimize" : "maximize");

  std::vector<GridOptimum> optima(n);
  for (std::size_t c = 0; c < n; ++c) optima[c] = find_optimum(g, cells[c].groups[gi].objective);
  out.variable(g.path + "/objective_paired_stderr", dims,
               stacked([](const GroupCellResult& r) -> const std::vector<double>& {
                 return r.objective_paired_stderr;
               }),
               g.objective_units,
               "standard error of objective - objective at the grid optimum, on the same paths "
               "(jackknife over the bootstrap's path blocks)",
               infeasible);
  std::vector<std::uint8_t> near(n * points, 0);
  for (std::size_t c = 0; c < n; ++c) {
    const GroupCellResult& r = cells[c].groups[gi];
    const std::vector<std::uint8_t> flags =
        near_optimal(r.objective, optima[c].index, r.objective_paired_stderr);
    for (std::size_t p = 0; p < points && p < flags.size(); ++p) near[c * points + p] = flags[p];
  }
  out.variable(g.path + "/near_optimal", dims, near, "1",
               "1 where the objective is within 2 paired standard errors of the grid optimum's");
  for (std::size_t a = 0; a < g.axes.size(); ++a) {
    const Axis& axis = g.axes[a];
    write_cell_variable(out, cell_dims, g.path + "/optimal_" + axis.name, n, axis.units,
                        "grid value of " + axis.long_name + " that optimises the objective",
                        [&](std::size_t c) { return optima[c].parameter[a]; });
    if (g.axes.size() == 1)
      write_cell_variable(out, cell_dims, g.path + "/optimal_" + axis.name + "_refined", n,
                          axis.units,
                          axis.long_name +
                              " at the vertex of a parabola through the optimum and "
                              "its neighbours" +
                              (axis.geometric ? " (in log parameter)" : ""),
                          [&](std::size_t c) { return optima[c].refined; });
    if (g.axes.size() == 1) {
      const auto interval = [&](double q) {
        return [&, q](std::size_t c) {
          return optima[c].index < 0 ? kNaN : percentile(cells[c].groups[gi].bootstrap_refined, q);
        };
      };
      write_cell_variable(out, cell_dims, g.path + "/optimal_" + axis.name + "_refined_low", n,
                          axis.units,
                          "5% percentile of the refined optimum over the bootstrap resamples",
                          interval(kRefinedIntervalLow));
      write_cell_variable(out, cell_dims, g.path + "/optimal_" + axis.name + "_refined_high", n,
                          axis.units,
                          "95% percentile of the refined optimum over the bootstrap resamples",
                          interval(kRefinedIntervalHigh));
    }
  }
  write_cell_variable(out, cell_dims, g.path + "/optimal_objective", n, g.objective_units,
                      "objective at the grid optimum",
                      [&](std::size_t c) { return optima[c].objective; });
  write_cell_variable(
      out, cell_dims, g.path + "/optimal_confidence", n, "1",
      "share of bootstrap resamples over path blocks that pick the same grid optimum",
      [&](std::size_t c) {
        return optimum_confidence(cells[c].groups[gi].bootstrap_optimum, optima[c].index);
      });
}

}  // namespace

int best_hedging_policy(const std::vector<GroupSpec>& groups, const CellResult& cell,
                        std::vector<std::string>* policy_names) {
  std::vector<double> best;
  Sense sense = Sense::minimize;
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    if (!is_hedging(groups[gi])) continue;
    if (policy_names) policy_names->push_back(groups[gi].policy);
    sense = groups[gi].sense;
    best.push_back(find_optimum(groups[gi], cell.groups[gi].objective).objective);
  }
  return best_point(best, sense);
}

NonFiniteValues write_results_file(const std::string& path, bool overwrite, const Scenario& s,
                                   const std::vector<GroupSpec>& groups,
                                   const std::vector<CellResult>& cells, const Provenance& prov) {
  h5::ResultsWriter out(path, overwrite);
  NonFiniteValues non_finite;
  CheckedOutput checked{out, non_finite, {}};
  const std::size_t nv = s.grid.volatility.size(), ne = s.grid.expiry_days.size(), n = cells.size();

  out.attribute("/", "Conventions", "CF-1.8");
  out.attribute("/", "title", "hedgemap results: " + s.name);
  out.attribute("/", "source",
                std::string("hedgemap ") + build_info::version + " (git " + build_info::git_commit +
                    (build_info::git_dirty ? ", dirty)" : ")"));
  out.attribute("/", "history", iso8601_utc_now() + ": " + prov.command_line);
  out.attribute("/", "date_created", iso8601_utc_now());
  out.attribute("/", "scenario_toml", s.effective_toml);
  out.attribute("/", "scenario_sha256", prov.scenario_sha256);
  out.attribute("/", "scenario_name", s.name);
  out.attribute("/", "seed", static_cast<std::uint64_t>(s.seed));
  out.attribute("/", "rng", "philox4x32-10");
  out.attribute("/", "backend", prov.backend);
  out.attribute("/", "device", prov.device);
  out.attribute("/", "paths", static_cast<std::uint64_t>(s.simulation.paths));
  out.attribute("/", "precision", s.simulation.precision);
  out.attribute("/", "wall_seconds", prov.wall_seconds);
  out.attribute("/", "hedgemap_version", build_info::version);
  out.attribute("/", "git_commit", build_info::git_commit);
  out.attribute("/", "days_per_year", s.days_per_year);

  checked.axis("/volatility", s.grid.volatility, "1",
               "implied volatility at t=0 (annualized): the premium is charged at it, and a "
               "keeper interpolates in it");
  checked.axis("/expiry_days", s.grid.expiry_days, "day",
               "option expiry and horizon of allocation policies");
  std::vector<std::int64_t> steps(ne);
  for (std::size_t e = 0; e < ne; ++e) steps[e] = s.steps_for_expiry(s.grid.expiry_days[e]);
  out.variable("/steps", {"/expiry_days"}, steps, "1", "monitoring steps per path");
  // The extra axes of [grid.axes], after expiry_days in the order given.
  std::vector<std::string> cell_dims{"/volatility", "/expiry_days"};
  const std::vector<std::string> extra_names = extra_axis_names(s, groups);
  for (std::size_t a = 0; a < s.grid.axes.size(); ++a) {
    const std::string path = "/" + extra_names[a];
    checked.axis(path, s.grid.axes[a].values, s.grid.axes[a].unit,
                 "swept scenario key " + s.grid.axes[a].key + " ([grid.axes])");
    out.attribute(path, "scenario_key", s.grid.axes[a].key);
    cell_dims.push_back(path);
  }

  const std::string money = "quote currency";
  // Without a [[book]] the book's prices are NaN by definition (there is no book).
  const bool no_book = s.book.empty();
  auto model = [&](const char* name, const std::string& units, const std::string& long_name,
                   double ModelCell::*field) {
    const bool of_the_book = std::string(name).rfind("book_price", 0) == 0;
    write_cell_variable(
        checked, cell_dims, std::string("/model/") + name, n, units, long_name,
        [&](std::size_t c) { return cells[c].model.*field; },
        [&](std::size_t) { return of_the_book && no_book; });
  };
  model("implied_volatility", "1", "implied volatility at t=0: the cell's grid value",
        &ModelCell::implied_volatility);
  model("realised_volatility_total", "1",
        "expected total realised volatility (diffusion, jumps, outage crashes; annualized over "
        "the life): realised_to_implied x implied_volatility",
        &ModelCell::realised_volatility_total);
  model("diffusive_volatility", "1",
        "expected diffusive volatility of the paths: what realised_volatility_total leaves after "
        "the jump and outage-crash variance",
        &ModelCell::diffusive_volatility);
  model("realised_volatility_mc", "1",
        "mean over paths of the annualized realised volatility of log returns, "
        "sqrt(sum_k (ln S_k+1 / S_k)^2 / T)",
        &ModelCell::realised_volatility_mc);
  model("book_price", money,
        "the premium: closed-form value of the book at t=0 under the hedging model at the "
        "implied volatility",
        &ModelCell::book_price);
  model("book_price_mc", money,
        "Monte Carlo mean of the discounted book payoff on the simulated paths",
        &ModelCell::book_price_mc);
  model("book_price_mc_stderr", money, "standard error of book_price_mc",
        &ModelCell::book_price_mc_stderr);
  model("gap_events_mean", "1", "mean number of outages per path", &ModelCell::gap_events_mean);
  model("jumps_mean", "1", "mean number of jumps per path", &ModelCell::jumps_mean);
  model("terminal_spot_mean", money,
        "mean price of the underlying at expiry, S_0 exp(drift T) in theory",
        &ModelCell::terminal_spot_mean);
  model("terminal_spot_stderr", money, "standard error of terminal_spot_mean",
        &ModelCell::terminal_spot_stderr);
  if (s.hedging.present && s.hedging.instrument == "perp")
    model("funding_mean", "1/year",
          "mean over paths of the perp funding rate averaged over the path's steps",
          &ModelCell::funding_mean);

  for (std::size_t gi = 0; gi < groups.size(); ++gi)
    write_group(checked, cell_dims, groups[gi], gi, cells);

  std::vector<std::string> policies;
  std::vector<double> best(n);
  for (std::size_t c = 0; c < n; ++c) {
    std::vector<std::string> names;
    best[c] = best_hedging_policy(groups, cells[c], &names);
    if (c == 0) policies = names;
  }
  if (!policies.empty()) {
    std::vector<std::int64_t> best_int(best.begin(), best.end());
    out.variable("/best/hedging_policy", cell_dims, best_int, "1",
                 "index into the attribute `policies` of the hedging policy with the best optimal "
                 "objective (-1: none finite)");
    out.attribute("/best/hedging_policy", "policies", policies);
    out.attribute("/best", "policies", policies);
  }
  (void)nv;
  out.commit();
  return non_finite;
}

}  // namespace hedgemap
