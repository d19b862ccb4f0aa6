#include "host/formats/results_file.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>

#include "build_info.hpp"
#include "host/statistics/bootstrap.hpp"
#include "host/formats/h5_writer.hpp"
#include "host/statistics/optimum.hpp"

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

// Writes a [volatility, expiry_days] variable from a per-cell getter.
template <class Getter>
void write_cell_variable(h5::ResultsWriter& out, const std::string& path, std::size_t cells,
                         const std::string& units, const std::string& long_name, Getter get) {
  std::vector<double> data(cells);
  for (std::size_t c = 0; c < cells; ++c) data[c] = get(c);
  out.variable(path, {"/volatility", "/expiry_days"}, data, units, long_name);
}

void write_group(h5::ResultsWriter& out, const Scenario& s, const GroupSpec& g, std::size_t gi,
                 const std::vector<CellResult>& cells) {
  std::vector<std::string> dims{"/volatility", "/expiry_days"};
  for (const Axis& a : g.axes) {
    const std::string path = g.path + "/" + a.name;
    if (a.integer) {
      std::vector<std::int64_t> v(a.values.begin(), a.values.end());
      out.axis(path, v, a.units, a.long_name);
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
      g.objective_units, g.objective_long_name);
  out.variable(g.path + "/objective_stderr", dims,
               stacked([](const GroupCellResult& r) -> const std::vector<double>& {
                 return r.objective_stderr;
               }),
               g.objective_units, "standard error of the objective");
  out.attribute(g.path, "policy", g.policy);
  out.attribute(g.path, "objective_kind", g.objective_kind);
  out.attribute(g.path, "objective_sense", g.sense == Sense::minimize ? "minimize" : "maximize");

  std::vector<GridOptimum> optima(n);
  for (std::size_t c = 0; c < n; ++c) optima[c] = find_optimum(g, cells[c].groups[gi].objective);
  for (std::size_t a = 0; a < g.axes.size(); ++a) {
    const Axis& axis = g.axes[a];
    write_cell_variable(out, g.path + "/optimal_" + axis.name, n, axis.units,
                        "grid value of " + axis.long_name + " that optimises the objective",
                        [&](std::size_t c) { return optima[c].parameter[a]; });
    if (g.axes.size() == 1)
      write_cell_variable(out, g.path + "/optimal_" + axis.name + "_refined", n, axis.units,
                          axis.long_name +
                              " at the vertex of a parabola through the optimum and "
                              "its neighbours" +
                              (axis.geometric ? " (in log parameter)" : ""),
                          [&](std::size_t c) { return optima[c].refined; });
  }
  write_cell_variable(out, g.path + "/optimal_objective", n, g.objective_units,
                      "objective at the grid optimum",
                      [&](std::size_t c) { return optima[c].objective; });
  write_cell_variable(
      out, g.path + "/optimal_confidence", n, "1",
      "share of bootstrap resamples over path blocks that pick the same grid optimum",
      [&](std::size_t c) {
        return optimum_confidence(cells[c].groups[gi].bootstrap_optimum, optima[c].index);
      });
  (void)s;
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

void write_results_file(const std::string& path, bool overwrite, const Scenario& s,
                        const std::vector<GroupSpec>& groups, const std::vector<CellResult>& cells,
                        const Provenance& prov) {
  h5::ResultsWriter out(path, overwrite);
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

  out.axis("/volatility", s.grid.volatility, "1",
           "implied volatility at t=0 (annualized): the premium is charged at it, and a keeper "
           "interpolates in it");
  out.axis("/expiry_days", s.grid.expiry_days, "day",
           "option expiry and horizon of allocation policies");
  std::vector<std::int64_t> steps(ne);
  for (std::size_t e = 0; e < ne; ++e) steps[e] = s.steps_for_expiry(s.grid.expiry_days[e]);
  out.variable("/steps", {"/expiry_days"}, steps, "1", "monitoring steps per path");

  const std::string money = "quote currency";
  auto model = [&](const char* name, const std::string& units, const std::string& long_name,
                   double ModelCell::*field) {
    write_cell_variable(out, std::string("/model/") + name, n, units, long_name,
                        [&](std::size_t c) { return cells[c].model.*field; });
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

  for (std::size_t gi = 0; gi < groups.size(); ++gi) write_group(out, s, groups[gi], gi, cells);

  std::vector<std::string> policies;
  std::vector<double> best(n);
  for (std::size_t c = 0; c < n; ++c) {
    std::vector<std::string> names;
    best[c] = best_hedging_policy(groups, cells[c], &names);
    if (c == 0) policies = names;
  }
  if (!policies.empty()) {
    std::vector<std::int64_t> best_int(best.begin(), best.end());
    out.variable("/best/hedging_policy", {"/volatility", "/expiry_days"}, best_int, "1",
                 "index into the attribute `policies` of the hedging policy with the best optimal "
                 "objective (-1: none finite)");
    out.attribute("/best/hedging_policy", "policies", policies);
    out.attribute("/best", "policies", policies);
  }
  (void)nv;
  out.commit();
}

}  // namespace hedgemap
