// `hedgemap inspect` (terminal tables) and `hedgemap export` (CSV / JSON) of a results file.
//
// ---- Export formats ---------------------------------------------------------------------------
// Both list, for every (volatility, expiry_days) cell of the grid and every policy group in the
// file (/hedging/<policy>, /cppi, /vol_target), the optimal parameter(s) found by the sweep. A
// value that could not be computed (no feasible grid point) is an empty CSV field / JSON null.
//
// CSV (`hedgemap export run.h5 --format csv`), one header row, then one row per cell, policy and
// parameter axis (CPPI and vol_target: two rows per cell; "none" has no axis: one row with empty
// parameter and optimal_value fields, so its objective is still listed). Rows are ordered by
// volatility, then expiry_days, then policy in file order, then axis:
//   volatility            the cell's implied volatility at t=0, annualized (grid value): the
//                         axis a keeper interpolates in with the market's current implied vol
//   expiry_days           expiry of the cell in days (grid value)
//   policy                none | periodic | delta_band | whalley_wilmott | fixed_cost_band | cppi |
//                         vol_target
//   parameter             axis name: every_steps | band | risk_aversion | multiplier | target |
//                         tolerance
//   optimal_value         the grid value that optimises the objective
//   optimal_value_refined the vertex of a parabola through the optimum and its neighbours (1-axis
//                         policies only; empty for CPPI and vol_target)
//   optimal_objective     the objective at the grid optimum, in the group's objective units
//   objective_kind        mean_std | cvar | utility | max_mean_gap
//   objective_sense       minimize | maximize
//   optimal_confidence    share of bootstrap resamples that pick the same grid optimum (0..1)
//
// JSON (`--format json`), one object made for a rebalancing keeper that interpolates bilinearly
// in (current implied volatility, time to expiry). Every grid array is indexed [e][v]: the outer
// list runs over expiry_days[e], the inner list over volatility[v]:
//   {
//     "format": "hedgemap-optima-1",
//     "source": "hedgemap 0.1.0 (git abc123)",      // root attribute `source` of the file
//     "results_file": "results/run.h5",
//     "scenario_name": "eth_l1_amm", "date_created": "2026-01-01T00:00:00Z",
//     "seed": 20261124, "paths": 1000000,
//     "index_order": "[expiry_days][volatility]",
//     "volatility_axis": "implied volatility at t=0 (annualized, at the money)",
//     "volatility": [0.5, 0.8, 1.2],                   // strictly increasing
//     "expiry_days": [7, 30],                          // strictly increasing
//     "policies": {
//       "delta_band": {
//         "group": "/hedging/delta_band",
//         "objective_kind": "mean_std", "objective_sense": "minimize", "objective_units": "...",
//         "units": {"band": "1"},
//         "parameters": {"band": [[0.2, 0.5, 1.0], [0.5, 1.0, null]]},          // grid optimum
//         "parameters_refined": {"band": [[0.23, 0.61, 0.9], [0.48, 1.1, null]]},  // 1 axis only
//         "optimal_objective": [[...], [...]],
//         "optimal_confidence": [[...], [...]]
//       },
//       "cppi": { ..., "parameters": {"multiplier": [[...]], "tolerance": [[...]]},
//                 "parameters_refined": {} }
//     },
//     "best_hedging_policy": [["delta_band", "periodic", null], [...]]   // absent: no hedging
//   }
// Keeper recipe: find e with expiry_days[e] <= T <= expiry_days[e+1] and v with volatility[v] <=
// sigma <= volatility[v+1] (clamp outside the grid), weights wT, ws in [0,1], and blend the four
// corners of parameters_refined[axis] (fall back to parameters[axis] when the axis has no refined
// values): (1-wT)(1-ws) p[e][v] + (1-wT) ws p[e][v+1] + wT (1-ws) p[e+1][v] + wT ws p[e+1][v+1].
// Geometric axes (band, risk_aversion, multiplier) interpolate better in log(parameter); round
// every_steps to an integer. A null corner means "no recommendation": use the nearest non-null
// corner or keep the current policy; a low optimal_confidence means the objective is flat there.
#include "host/formats/inspect.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <sstream>

#include "host/formats/atomic_file.hpp"
#include "host/formats/isolated_call.hpp"
#include "host/formats/optima_reader.hpp"

namespace hedgemap {
namespace {

std::string short_number(double v) {  // for the terminal
  if (std::isnan(v)) return "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string exact_number(double v) {  // round-trip, for files; "" for NaN/inf
  if (!std::isfinite(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// ---- terminal tables ---------------------------------------------------------------------------
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text = " ";
    for (std::size_t c = 0; c < cells.size(); ++c)
      text += " " + std::string(width[c] - cells[c].size(), ' ') + cells[c];
    while (!text.empty() && text.back() == ' ') text.pop_back();  // an empty last column
    out << text << '\n';
  };
  line(header);
  for (const auto& row : rows) line(row);
}

// The coordinates of a cell: volatility, expiry_days, then each extra axis.
std::vector<std::string> cell_header(const ResultsOptima& r) {
  std::vector<std::string> header{"volatility", "expiry_days"};
  for (const ExtraAxis& a : r.extra_axes) header.push_back(a.name);
  return header;
}

template <class Format>
std::vector<std::string> cell_coordinates_text(const ResultsOptima& r, std::size_t c,
                                               Format format) {
  const std::size_t k = r.combinations(), ne = r.expiry_days.size();
  std::vector<std::string> row{format(r.volatility[c / k / ne]), format(r.expiry_days[c / k % ne])};
  const std::vector<std::size_t> index = r.extra_indices(c % k);
  for (std::size_t a = 0; a < index.size(); ++a)
    row.push_back(format(r.extra_axes[a].values[index[a]]));
  return row;
}

void print_group(std::ostream& out, const ResultsOptima& r, const PolicyOptima& p) {
  out << '\n'
      << p.path << "  (policy " << p.policy << ", objective " << p.objective_kind << ", "
      << p.objective_sense << (p.objective_units.empty() ? "" : ", in " + p.objective_units)
      << ")\n";
  std::vector<std::string> header = cell_header(r);
  for (const OptimalParameter& a : p.parameters) {
    header.push_back(a.axis);
    if (!a.refined.empty()) header.push_back(a.axis + "_refined");
  }
  header.insert(header.end(), {"objective", "confidence"});
  if (p.is_hedging() && !r.best_policy_index.empty()) header.push_back("best");
  std::vector<std::vector<std::string>> rows;
  for (std::size_t c = 0; c < r.cells(); ++c) {
    std::vector<std::string> row = cell_coordinates_text(r, c, short_number);
    for (const OptimalParameter& a : p.parameters) {
      row.push_back(short_number(a.grid[c]));
      if (!a.refined.empty()) row.push_back(short_number(a.refined[c]));
    }
    row.push_back(short_number(p.objective[c]));
    row.push_back(short_number(p.confidence[c]));
    if (p.is_hedging() && !r.best_policy_index.empty())
      row.push_back(r.best_policy(c) == p.policy ? "*" : "");
    rows.push_back(std::move(row));
  }
  print_table(out, header, rows);
}

void print_best(std::ostream& out, const ResultsOptima& r) {
  out << "\nbest hedging policy per cell (/best/hedging_policy)\n";
  std::vector<std::vector<std::string>> rows;
  for (std::size_t c = 0; c < r.cells(); ++c) {
    const std::string best = r.best_policy(c);
    std::string objective = "nan";
    for (const PolicyOptima& p : r.policies)
      if (p.is_hedging() && p.policy == best) objective = short_number(p.objective[c]);
    std::vector<std::string> row = cell_coordinates_text(r, c, short_number);
    row.push_back(best.empty() ? "(none finite)" : best);
    row.push_back(objective);
    rows.push_back(std::move(row));
  }
  std::vector<std::string> header = cell_header(r);
  header.insert(header.end(), {"policy", "objective"});
  print_table(out, header, rows);
}

// ---- CSV ---------------------------------------------------------------------------------------
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string quoted = "\"";
  for (char ch : s) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return quoted + "\"";
}

std::string to_csv(const ResultsOptima& r) {
  std::ostringstream out;
  std::string header;
  for (const std::string& name : cell_header(r)) header += csv_field(name) + ",";
  out << header
      << "policy,parameter,optimal_value,optimal_value_refined,"
         "optimal_objective,objective_kind,objective_sense,optimal_confidence\n";
  {
    for (std::size_t c = 0; c < r.cells(); ++c) {
      std::string coordinates;
      for (const std::string& x : cell_coordinates_text(r, c, exact_number)) coordinates += x + ",";
      for (const PolicyOptima& p : r.policies) {
        auto row = [&](const std::string& axis, double value, double refined) {
          out << coordinates << csv_field(p.policy) << ',' << csv_field(axis) << ','
              << exact_number(value) << ',' << exact_number(refined) << ','
              << exact_number(p.objective[c]) << ',' << csv_field(p.objective_kind) << ','
              << csv_field(p.objective_sense) << ',' << exact_number(p.confidence[c]) << '\n';
        };
        if (p.parameters.empty()) row("", NAN, NAN);
        for (const OptimalParameter& a : p.parameters)
          row(a.axis, a.grid[c], a.refined.empty() ? NAN : a.refined[c]);
      }
    }
  }
  return out.str();
}

// ---- JSON --------------------------------------------------------------------------------------
std::string json_string(const std::string& s) {
  std::string q = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"':
        q += "\\\"";
        break;
      case '\\':
        q += "\\\\";
        break;
      case '\n':
        q += "\\n";
        break;
      case '\r':
        q += "\\r";
        break;
      case '\t':
        q += "\\t";
        break;
      default:
        if (ch < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", ch);
          q += buf;
        } else {
          q += static_cast<char>(ch);
        }
    }
  }
  return q + "\"";
}

std::string json_number(double v) {
  const std::string s = exact_number(v);
  return s.empty() ? "null" : s;
}

std::string json_list(const std::vector<double>& values) {
  std::string s = "[";
  for (std::size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + json_number(values[i]);
  return s + "]";
}

// The extra axes' combinations from `k0` (stride `stride` of axis `a` on) as nested lists.
template <class Cell>
std::string json_extra(const ResultsOptima& r, std::size_t base, std::size_t a, std::size_t k,
                       std::size_t stride, Cell& cell) {
  if (a == r.extra_axes.size()) return cell(base + k);
  const std::size_t n = r.extra_axes[a].values.size(), inner = stride / n;
  std::string s = "[";
  for (std::size_t i = 0; i < n; ++i)
    s += (i ? ", " : "") + json_extra(r, base, a + 1, k + i * inner, inner, cell);
  return s + "]";
}

// A per-cell array as [e][v] nested lists, then [k1][k2]... of the extra axes inside each.
template <class Cell>
std::string json_grid(const ResultsOptima& r, Cell cell) {
  const std::size_t k = r.combinations();
  std::string s = "[";
  for (std::size_t e = 0; e < r.expiry_days.size(); ++e) {
    s += e ? ", [" : "[";
    for (std::size_t v = 0; v < r.volatility.size(); ++v)
      s += (v ? ", " : "") + json_extra(r, (v * r.expiry_days.size() + e) * k, 0, 0, k, cell);
    s += "]";
  }
  return s + "]";
}

std::string json_grid_numbers(const ResultsOptima& r, const std::vector<double>& values) {
  return json_grid(r, [&](std::size_t c) { return json_number(values[c]); });
}

std::string json_integer_or_string(const std::string& text) {
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  return digits ? text : json_string(text);
}

std::string to_json(const ResultsOptima& r) {
  std::ostringstream out;
  out << "{\n  \"format\": \"hedgemap-optima-1\",\n";
  out << "  \"source\": " << json_string(r.attribute("source")) << ",\n";
  out << "  \"results_file\": " << json_string(r.file) << ",\n";
  out << "  \"scenario_name\": " << json_string(r.attribute("scenario_name")) << ",\n";
  out << "  \"date_created\": " << json_string(r.attribute("date_created")) << ",\n";
  if (!r.attribute("seed").empty())
    out << "  \"seed\": " << json_integer_or_string(r.attribute("seed")) << ",\n";
  if (!r.attribute("paths").empty())
    out << "  \"paths\": " << json_integer_or_string(r.attribute("paths")) << ",\n";
  std::string order = "[expiry_days][volatility]";
  for (const ExtraAxis& a : r.extra_axes) order += "[" + a.name + "]";
  out << "  \"index_order\": " << json_string(order) << ",\n";
  out << "  \"volatility_axis\": \"implied volatility at t=0 (annualized, at the money)\",\n";
  out << "  \"volatility\": " << json_list(r.volatility) << ",\n";
  out << "  \"expiry_days\": " << json_list(r.expiry_days) << ",\n";
  if (!r.extra_axes.empty()) {
    out << "  \"extra_axes\": [";
    for (std::size_t a = 0; a < r.extra_axes.size(); ++a)
      out << (a ? ", " : "") << "{\"name\": " << json_string(r.extra_axes[a].name)
          << ", \"scenario_key\": " << json_string(r.extra_axes[a].scenario_key)
          << ", \"values\": " << json_list(r.extra_axes[a].values) << "}";
    out << "],\n";
  }
  out << "  \"policies\": {";
  for (std::size_t i = 0; i < r.policies.size(); ++i) {
    const PolicyOptima& p = r.policies[i];
    out << (i ? ",\n" : "\n") << "    " << json_string(p.policy) << ": {\n";
    out << "      \"group\": " << json_string(p.path) << ",\n";
    out << "      \"objective_kind\": " << json_string(p.objective_kind) << ",\n";
    out << "      \"objective_sense\": " << json_string(p.objective_sense) << ",\n";
    out << "      \"objective_units\": " << json_string(p.objective_units) << ",\n";
    std::string units, grid, refined;
    for (const OptimalParameter& a : p.parameters) {
      units += (units.empty() ? "" : ", ") + json_string(a.axis) + ": " + json_string(a.units);
      grid += std::string(grid.empty() ? "" : ",") + "\n        " + json_string(a.axis) + ": " +
              json_grid_numbers(r, a.grid);
      if (!a.refined.empty())
        refined += std::string(refined.empty() ? "" : ",") + "\n        " + json_string(a.axis) +
                   ": " + json_grid_numbers(r, a.refined);
    }
    out << "      \"units\": {" << units << "},\n";
    out << "      \"parameters\": {" << grid << (grid.empty() ? "" : "\n      ") << "},\n";
    out << "      \"parameters_refined\": {" << refined << (refined.empty() ? "" : "\n      ")
        << "},\n";
    out << "      \"optimal_objective\": " << json_grid_numbers(r, p.objective) << ",\n";
    out << "      \"optimal_confidence\": " << json_grid_numbers(r, p.confidence) << "\n    }";
  }
  out << (r.policies.empty() ? "}" : "\n  }");
  if (!r.best_policy_index.empty()) {
    out << ",\n  \"best_hedging_policy\": " << json_grid(r, [&](std::size_t c) {
      const std::string best = r.best_policy(c);
      return best.empty() ? std::string("null") : json_string(best);
    });
  }
  out << "\n}\n";
  return out.str();
}

}  // namespace

std::string export_text(const ResultsOptima& r, const std::string& format) {
  return format == "csv" ? to_csv(r) : to_json(r);
}

void print_inspection(const ResultsOptima& r, std::ostream& out) {
  std::vector<std::vector<std::string>> header{{"results file", r.file}};
  for (const char* name : {"title", "source", "date_created", "backend", "device", "paths", "seed"})
    header.push_back({name, r.attribute(name)});
  std::string grid = std::to_string(r.volatility.size()) + " volatilities x " +
                     std::to_string(r.expiry_days.size()) + " expiries";
  for (const ExtraAxis& a : r.extra_axes)
    grid += " x " + std::to_string(a.values.size()) + " " + a.name + " (" + a.scenario_key + ")";
  header.push_back({"grid", grid});
  for (const auto& row : header)
    out << row[0] << std::string(14 - std::min<std::size_t>(row[0].size(), 13), ' ') << row[1]
        << '\n';
  for (const PolicyOptima& p : r.policies) print_group(out, r, p);
  if (!r.best_policy_index.empty()) print_best(out, r);
  if (r.policies.empty()) out << "\n(no policy groups in this file)\n";
}

namespace {

// Reads the file and formats it in a child process (isolated_call.hpp): a file that crashes
// libhdf5 is an error message, not a crash of hedgemap.
std::string read_and_format(const std::string& path,
                            const std::function<std::string(const ResultsOptima&)>& format) {
  return call_isolated([&] { return format(read_results_optima(path)); }, path,
                       "the HDF5 library crashed reading this file: it is corrupt or not a "
                       "hedgemap results file");
}

}  // namespace

int inspect_results(const std::string& path, std::ostream& out) {
  std::string text;
  try {
    text = read_and_format(path, [&](const ResultsOptima& r) {
      std::ostringstream table;
      print_inspection(r, table);
      return table.str();
    });
  } catch (const std::exception& e) {
    std::cerr << "hedgemap inspect: " << e.what() << '\n';
    return 1;
  }
  out << text;
  return 0;
}

int export_results(const std::string& path, const std::string& format,
                   const std::string& output_path) {
  if (format != "csv" && format != "json") {
    std::cerr << "hedgemap export: unknown format '" << format << "' (csv | json)\n";
    return 1;
  }
  if (!output_path.empty()) {
    const std::string problem = output_path_problem(output_path, /*may_replace=*/true);
    if (!problem.empty()) {
      std::cerr << "hedgemap export: " << problem << '\n';
      return 2;
    }
  }
  std::string text;
  try {
    text = read_and_format(path, [&](const ResultsOptima& r) { return export_text(r, format); });
  } catch (const std::exception& e) {
    std::cerr << "hedgemap export: " << e.what() << '\n';
    return 1;
  }
  if (output_path.empty()) {
    std::cout << text << std::flush;
    return std::cout ? 0 : 1;
  }
  try {
    write_file_atomically(output_path, text);
  } catch (const std::exception& e) {
    std::cerr << "hedgemap export: " << e.what() << '\n';
    return 1;
  }
  return 0;
}

}  // namespace hedgemap
