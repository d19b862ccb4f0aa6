// inspect/export of a results file written by write_results_file from hand-made cells whose
// optima are known: objectives are exact parabolas in the parameter (in log2 for every_steps), so
// the grid optimum, the refined vertex and the best policy per cell follow by hand.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <hdf5_hl.h>

#include "host/formats/inspect.hpp"
#include "host/formats/results_file.hpp"
#include "tests/support/scratch_dir.hpp"

namespace hedgemap {
namespace {

const double kNaN = std::nan("");
// Cells are volatility-major: c = v * 2 + e over volatility {0.5, 0.8} x expiry_days {7, 30}.
const std::vector<double> kBand{0.1, 0.2, 0.5, 1.0, 2.0};
const std::vector<double> kEverySteps{1, 2, 4, 8};
const std::vector<double> kMultiplier{2, 4, 6}, kTolerance{0.0, 0.05};

GroupSpec group(const std::string& path, const std::string& policy, std::vector<Axis> axes,
                Sense sense, const std::string& kind) {
  GroupSpec g;
  g.path = path;
  g.policy = policy;
  g.axes = std::move(axes);
  g.sense = sense;
  g.objective_kind = kind;
  g.objective_units = "USD";
  g.objective_long_name = "objective";
  return g;
}

// Objective values of one cell and the bootstrap optima: `agree` of 4 resamples pick `index`.
GroupCellResult cell_result(std::vector<double> objective, int index, int agree) {
  GroupCellResult r;
  r.objective_stderr.assign(objective.size(), 0.01);
  r.objective = std::move(objective);
  for (int k = 0; k < 4; ++k) r.bootstrap_optimum.push_back(k < agree ? index : index + 1);
  return r;
}

class ResultsInspect : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new test_support::ScratchDir("hm_inspect");
    ASSERT_FALSE(scratch_->path().empty());
    dir_ = new std::string(scratch_->path());
    Scenario s;
    s.name = "inspect_test";
    s.seed = 42;
    s.simulation.paths = 1000;
    s.grid.volatility = {0.5, 0.8};
    s.grid.expiry_days = {7, 30};
    std::vector<GroupSpec> groups{
        group("/hedging/none", "none", {}, Sense::minimize, "mean_std"),
        group("/hedging/delta_band", "delta_band", {Axis{"band", kBand, "1", "band", false, false}},
              Sense::minimize, "mean_std"),
        group("/hedging/periodic", "periodic",
              {Axis{"every_steps", kEverySteps, "1", "steps", true, true}}, Sense::minimize,
              "mean_std"),
        group("/cppi", "cppi",
              {Axis{"multiplier", kMultiplier, "1", "m", true, false},
               Axis{"tolerance", kTolerance, "1", "tol", false, false}},
              Sense::maximize, "max_mean_gap")};
    // none: one point; cell 3 infeasible.
    const double none[4] = {10, 4, 12, kNaN};
    // delta_band: base + (band - centre)^2 -> grid optimum {0.2, 0.5, 0.1 (edge), none}.
    const double band_centre[4] = {0.25, 0.6, 0.05, 0}, band_base[4] = {1, 20, 3, 0};
    // periodic: 5 + (log2(every_steps) - m)^2 -> grid optimum {2, 4, 1 (edge), 2}.
    const double periodic_m[4] = {1.3, 2.2, 0.0, 0.8};
    // cppi: maximum at (multiplier index, tolerance index) {(1,1), (2,0), (0,1), infeasible}.
    const int cppi_m[4] = {1, 2, 0, 0}, cppi_t[4] = {1, 0, 1, 0};
    std::vector<CellResult> cells(4);
    for (int c = 0; c < 4; ++c) {
      CellResult& cell = cells[c];
      cell.done = true;
      cell.groups.push_back(cell_result({none[c]}, 0, 4));
      std::vector<double> band(kBand.size());
      for (std::size_t i = 0; i < kBand.size(); ++i)
        band[i] = c == 3 ? kNaN : band_base[c] + std::pow(kBand[i] - band_centre[c], 2);
      const int band_index[4] = {1, 2, 0, -1};
      cell.groups.push_back(cell_result(band, band_index[c], 3));
      std::vector<double> periodic(kEverySteps.size());
      for (std::size_t i = 0; i < kEverySteps.size(); ++i)
        periodic[i] = 5 + std::pow(std::log2(kEverySteps[i]) - periodic_m[c], 2);
      const int periodic_index[4] = {1, 2, 0, 1};
      cell.groups.push_back(cell_result(periodic, periodic_index[c], 2));
      std::vector<double> cppi(kMultiplier.size() * kTolerance.size());
      for (std::size_t m = 0; m < kMultiplier.size(); ++m)
        for (std::size_t t = 0; t < kTolerance.size(); ++t)
          cppi[m * kTolerance.size() + t] = c == 3 ? kNaN
                                                   : 100.0 - std::pow(double(m) - cppi_m[c], 2) -
                                                         std::pow(double(t) - cppi_t[c], 2);
      cell.groups.push_back(cell_result(cppi, cppi_m[c] * 2 + cppi_t[c], 4));
    }
    Provenance prov;
    prov.backend = "cpu";
    prov.device = "test cpu";
    prov.command_line = "hedgemap run test";
    file_ = new std::string(*dir_ + "/run.h5");
    write_results_file(*file_, true, s, groups, cells, prov);
  }
  static void TearDownTestSuite() {
    delete file_;
    delete dir_;
    delete scratch_;  // removes the directory and every file the tests wrote into it
  }
  static test_support::ScratchDir* scratch_;
  static std::string* dir_;
  static std::string* file_;
};
test_support::ScratchDir* ResultsInspect::scratch_ = nullptr;
std::string* ResultsInspect::dir_ = nullptr;
std::string* ResultsInspect::file_ = nullptr;

std::vector<std::string> tokens(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

// Rows (tokenized) of the table printed under the section line that starts with `title`.
std::vector<std::vector<std::string>> section(const std::string& text, const std::string& title) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (!inside) {
      inside = line.rfind(title, 0) == 0;
      continue;
    }
    if (line.empty()) break;
    rows.push_back(tokens(line));
  }
  return rows;
}

double num(const std::string& s) { return s.empty() ? kNaN : std::strtod(s.c_str(), nullptr); }

TEST_F(ResultsInspect, HeaderAndOptimaPerCell) {
  std::ostringstream out;
  ASSERT_EQ(inspect_results(*file_, out), 0);
  const std::string text = out.str();
  EXPECT_NE(text.find("hedgemap results: inspect_test"), std::string::npos) << text;
  EXPECT_NE(text.find("test cpu"), std::string::npos);
  EXPECT_NE(text.find("source        hedgemap "), std::string::npos);
  EXPECT_NE(text.find("seed          42\n"), std::string::npos);
  EXPECT_NE(text.find("paths         1000\n"), std::string::npos);

  auto band = section(text, "/hedging/delta_band");
  ASSERT_EQ(band.size(), 5u) << text;  // header + 4 cells
  EXPECT_EQ(band[0], (std::vector<std::string>{"volatility", "expiry_days", "band", "band_refined",
                                               "objective", "confidence", "best"}));
  // cell 0 (0.5, 7): grid 0.2, vertex 0.25, objective 1 + 0.05^2, 3 of 4 resamples agree, best.
  EXPECT_EQ(band[1], (std::vector<std::string>{"0.5", "7", "0.2", "0.25", "1.0025", "0.75", "*"}));
  EXPECT_EQ(band[2][2], "0.5");
  EXPECT_NEAR(num(band[2][3]), 0.6, 1e-6);
  EXPECT_EQ(band[3][2], "0.1");  // edge of the grid: refined = grid value
  EXPECT_EQ(band[3][3], "0.1");
  EXPECT_EQ(band[4], (std::vector<std::string>{"0.8", "30", "nan", "nan", "nan", "nan"}));

  auto periodic = section(text, "/hedging/periodic");
  ASSERT_EQ(periodic.size(), 5u);
  EXPECT_EQ(periodic[1][2], "2");
  EXPECT_NEAR(num(periodic[1][3]), std::pow(2.0, 1.3), 1e-5);  // vertex in log(every_steps)
  EXPECT_EQ(periodic[1][5], "0.5");
  EXPECT_EQ(periodic[2][2], "4");

  auto cppi = section(text, "/cppi");
  ASSERT_EQ(cppi.size(), 5u);
  EXPECT_EQ(cppi[0], (std::vector<std::string>{"volatility", "expiry_days", "multiplier",
                                               "tolerance", "objective", "confidence"}));
  EXPECT_EQ(cppi[1], (std::vector<std::string>{"0.5", "7", "4", "0.05", "100", "1"}));
  EXPECT_EQ(cppi[2][2], "6");
  EXPECT_EQ(cppi[2][3], "0");
  EXPECT_EQ(cppi[3][2], "2");

  auto best = section(text, "best hedging policy");
  ASSERT_EQ(best.size(), 5u) << text;
  EXPECT_EQ(best[1][2], "delta_band");
  EXPECT_EQ(best[2][2], "none");  // 4 < periodic's 5.04 < delta_band's 20.01
  EXPECT_EQ(best[3][2], "delta_band");
  EXPECT_EQ(best[4][2], "periodic");  // the only finite one
}

std::map<std::string, std::vector<std::string>> csv_rows(const std::string& text, std::size_t* n) {
  std::map<std::string, std::vector<std::string>> rows;  // key "vol|expiry|policy|parameter"
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line,
            "volatility,expiry_days,policy,parameter,optimal_value,optimal_value_refined,"
            "optimal_objective,objective_kind,objective_sense,optimal_confidence");
  *n = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::size_t start = 0;
    for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1)
      f.push_back(line.substr(start, comma - start));
    f.push_back(line.substr(start));
    EXPECT_EQ(f.size(), 10u) << line;
    if (f.size() == 10) rows[f[0] + "|" + f[1] + "|" + f[2] + "|" + f[3]] = f;
    ++*n;
  }
  return rows;
}

TEST_F(ResultsInspect, CsvRowsAndNaN) {
  const std::string out_path = *dir_ + "/optima.csv";
  ASSERT_EQ(export_results(*file_, "csv", out_path), 0);
  std::ifstream in(out_path);
  std::stringstream text;
  text << in.rdbuf();
  std::size_t n = 0;
  auto rows = csv_rows(text.str(), &n);
  EXPECT_EQ(n, 4u * (1 + 1 + 1 + 2));  // none, delta_band, periodic: one row; cppi: two
  EXPECT_EQ(rows.size(), n);

  auto band = rows.at("0.5|7|delta_band|band");
  EXPECT_EQ(band[4], "0.2");
  EXPECT_NEAR(num(band[5]), 0.25, 1e-12);
  EXPECT_NEAR(num(band[6]), 1.0025, 1e-12);
  EXPECT_EQ(band[7], "mean_std");
  EXPECT_EQ(band[8], "minimize");
  EXPECT_EQ(band[9], "0.75");
  auto none = rows.at("0.5|30|none|");
  EXPECT_EQ(none[4], "");
  EXPECT_EQ(none[6], "4");
  auto mult = rows.at("0.8|7|cppi|multiplier"), tol = rows.at("0.8|7|cppi|tolerance");
  EXPECT_EQ(mult[4], "2");
  EXPECT_EQ(mult[5], "");  // two axes: no refinement
  EXPECT_EQ(tol[4], "0.05");
  EXPECT_EQ(tol[8], "maximize");
  EXPECT_EQ(tol[7], "max_mean_gap");
  // Cell (0.8, 30) is infeasible for delta_band and cppi: empty fields, not numbers.
  for (const char* key : {"0.8|30|delta_band|band", "0.8|30|cppi|tolerance", "0.8|30|none|"}) {
    auto r = rows.at(key);
    EXPECT_EQ(r[4], "") << key;
    EXPECT_EQ(r[5], "") << key;
    EXPECT_EQ(r[6], "") << key;
    EXPECT_EQ(r[9], "") << key;
  }
  EXPECT_NEAR(num(rows.at("0.8|30|periodic|every_steps")[5]), std::pow(2.0, 0.8), 1e-9);
  std::remove(out_path.c_str());
}

// A minimal JSON parser: enough to prove the export is valid JSON and to index into it.
struct Json {
  enum Kind { null, number, string, array, object } kind = null;
  double value = 0;
  std::string text;
  std::vector<Json> items;
  std::map<std::string, Json> fields;
  const Json& operator[](const std::string& k) const { return fields.at(k); }
  const Json& operator[](std::size_t i) const { return items.at(i); }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : s_(s) {}
  Json parse_document() {
    Json v = parse();
    skip();
    if (pos_ != s_.size()) throw std::runtime_error("trailing text at " + std::to_string(pos_));
    return v;
  }

 private:
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  void expect(char c) {
    skip();
    if (pos_ >= s_.size() || s_[pos_] != c)
      throw std::runtime_error(std::string("expected ") + c + " at " + std::to_string(pos_));
    ++pos_;
  }
  std::string parse_string() {
    expect('"');
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (s_[pos_] == '\\') ++pos_;
      out += s_.at(pos_++);
    }
    expect('"');
    return out;
  }
  Json parse() {
    skip();
    Json v;
    if (pos_ >= s_.size()) throw std::runtime_error("unexpected end");
    const char c = s_[pos_];
    if (c == '{') {
      v.kind = Json::object;
      ++pos_;
      skip();
      if (s_.at(pos_) == '}') return ++pos_, v;
      do {
        std::string key = parse_string();
        expect(':');
        v.fields[key] = parse();
        skip();
      } while (s_.at(pos_) == ',' && ++pos_);
      expect('}');
    } else if (c == '[') {
      v.kind = Json::array;
      ++pos_;
      skip();
      if (s_.at(pos_) == ']') return ++pos_, v;
      do {
        v.items.push_back(parse());
        skip();
      } while (s_.at(pos_) == ',' && ++pos_);
      expect(']');
    } else if (c == '"') {
      v.kind = Json::string;
      v.text = parse_string();
    } else if (s_.compare(pos_, 4, "null") == 0) {
      pos_ += 4;
    } else {
      char* end = nullptr;
      v.kind = Json::number;
      v.value = std::strtod(s_.c_str() + pos_, &end);
      if (end == s_.c_str() + pos_)
        throw std::runtime_error("bad value at " + std::to_string(pos_));
      pos_ = static_cast<std::size_t>(end - s_.c_str());
    }
    return v;
  }
  const std::string& s_;
  std::size_t pos_ = 0;
};

TEST_F(ResultsInspect, JsonParsesAndIndexesExpiryThenVolatility) {
  // Standard output path: capture std::cout.
  std::ostringstream captured;
  std::streambuf* old = std::cout.rdbuf(captured.rdbuf());
  const int rc = export_results(*file_, "json", "");
  std::cout.rdbuf(old);
  ASSERT_EQ(rc, 0);
  const std::string text = captured.str();
  Json j;
  ASSERT_NO_THROW(j = JsonParser(text).parse_document()) << text;
  EXPECT_EQ(j["scenario_name"].text, "inspect_test");
  EXPECT_EQ(j["source"].text.rfind("hedgemap ", 0), 0u);
  EXPECT_EQ(j["seed"].value, 42);
  ASSERT_EQ(j["volatility"].items.size(), 2u);
  EXPECT_EQ(j["volatility"][1].value, 0.8);
  EXPECT_EQ(j["expiry_days"][1].value, 30);
  const Json& band = j["policies"]["delta_band"];
  EXPECT_EQ(band["objective_sense"].text, "minimize");
  // [e][v]: cell (v, e) = v * 2 + e.
  EXPECT_EQ(band["parameters"]["band"][0][0].value, 0.2);        // v 0.5, e 7
  EXPECT_EQ(band["parameters"]["band"][1][0].value, 0.5);        // v 0.5, e 30
  EXPECT_EQ(band["parameters"]["band"][0][1].value, 0.1);        // v 0.8, e 7
  EXPECT_EQ(band["parameters"]["band"][1][1].kind, Json::null);  // infeasible -> null
  EXPECT_NEAR(band["parameters_refined"]["band"][1][0].value, 0.6, 1e-12);
  EXPECT_EQ(band["optimal_confidence"][0][0].value, 0.75);
  EXPECT_EQ(band["optimal_objective"][1][1].kind, Json::null);
  const Json& cppi = j["policies"]["cppi"];
  EXPECT_EQ(cppi["parameters"]["multiplier"][1][0].value, 6);
  EXPECT_EQ(cppi["parameters"]["tolerance"][0][0].value, 0.05);
  EXPECT_TRUE(cppi["parameters_refined"].fields.empty());
  EXPECT_EQ(j["policies"]["none"]["parameters"].fields.size(), 0u);
  EXPECT_EQ(j["best_hedging_policy"][1][0].text, "none");
  EXPECT_EQ(j["best_hedging_policy"][1][1].text, "periodic");

  // The same bytes when written to a file (atomically).
  const std::string out_path = *dir_ + "/optima.json";
  ASSERT_EQ(export_results(*file_, "json", out_path), 0);
  std::ifstream in(out_path);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_EQ(written.str(), text);
  std::remove(out_path.c_str());
}

TEST_F(ResultsInspect, UnreadableFileIsExitCodeOne) {
  std::ostringstream out;
  EXPECT_EQ(inspect_results(*dir_ + "/missing.h5", out), 1);
  EXPECT_EQ(export_results(*dir_ + "/missing.h5", "csv", ""), 1);
  const std::string not_hdf5 = *dir_ + "/not.h5";
  std::ofstream(not_hdf5) << "not an HDF5 file\n";
  EXPECT_EQ(inspect_results(not_hdf5, out), 1);
  EXPECT_EQ(export_results(not_hdf5, "json", ""), 1);
  EXPECT_EQ(export_results(*file_, "xml", ""), 1);
  const std::string not_written = *dir_ + "/never.csv";
  EXPECT_EQ(export_results(not_hdf5, "csv", not_written), 1);
  EXPECT_NE(::access(not_written.c_str(), F_OK), 0);  // nothing written on failure
  std::remove(not_hdf5.c_str());
}

// Without the N-D `objective` variable the axes are found from optimal_<axis> in creation order.
TEST_F(ResultsInspect, AxesFoundWithoutObjectiveVariable) {
  const std::string copy = *dir_ + "/no_objective.h5";
  {
    std::ifstream in(*file_, std::ios::binary);
    std::ofstream out(copy, std::ios::binary);
    out << in.rdbuf();
  }
  const hid_t f = H5Fopen(copy.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  ASSERT_GE(H5Ldelete(f, "/cppi/objective", H5P_DEFAULT), 0);
  ASSERT_GE(H5Ldelete(f, "/hedging/delta_band/objective", H5P_DEFAULT), 0);
  H5Fclose(f);
  std::ostringstream out;
  ASSERT_EQ(inspect_results(copy, out), 0);
  auto cppi = section(out.str(), "/cppi");
  ASSERT_EQ(cppi.size(), 5u) << out.str();
  EXPECT_EQ(cppi[0][2], "multiplier");
  EXPECT_EQ(cppi[0][3], "tolerance");
  EXPECT_EQ(cppi[1][2], "4");
  auto band = section(out.str(), "/hedging/delta_band");
  ASSERT_EQ(band.size(), 5u);
  EXPECT_EQ(band[1][2], "0.2");
  EXPECT_EQ(band[1][3], "0.25");
  std::remove(copy.c_str());
}

// A copy of the fixture's file with one object made malformed (by `edit`, with the HDF5 API):
// inspect and export exit 1 with a message naming that object, and print nothing else.
void expect_refused_naming(const std::string& original, const std::string& copy,
                           const std::string& object, const std::string& says,
                           const std::function<void(hid_t)>& edit) {
  {
    std::ifstream in(original, std::ios::binary);
    std::ofstream out(copy, std::ios::binary);
    out << in.rdbuf();
  }
  const hid_t f = H5Fopen(copy.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  edit(f);
  H5Fclose(f);
  std::ostringstream out;
  ::testing::internal::CaptureStderr();
  const int inspect_code = inspect_results(copy, out);
  const int export_code = export_results(copy, "json", "");
  const std::string errors = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(inspect_code, 1) << object;
  EXPECT_EQ(export_code, 1) << object;
  EXPECT_EQ(out.str(), "") << object;
  EXPECT_NE(errors.find(object), std::string::npos) << errors;
  EXPECT_NE(errors.find(says), std::string::npos) << errors;
  EXPECT_EQ(errors.find("HDF5-DIAG"), std::string::npos) << errors;
  std::remove(copy.c_str());
}

// Replaces the dataset at `path` by one of another shape or type.
void replace_dataset(hid_t f, const std::string& path, hid_t type, std::vector<hsize_t> dims) {
  ASSERT_GE(H5Ldelete(f, path.c_str(), H5P_DEFAULT), 0);
  const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t set = H5Dcreate2(f, path.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(set, 0);
  H5Dclose(set);
  H5Sclose(space);
}

TEST_F(ResultsInspect, MalformedFilesAreRefusedNamingTheObject) {
  const std::string copy = *dir_ + "/malformed.h5";
  expect_refused_naming(*file_, copy, "/volatility", "has shape [2, 2]", [](hid_t f) {
    replace_dataset(f, "/volatility", H5T_IEEE_F64LE, {2, 2});
  });
  expect_refused_naming(*file_, copy, "/hedging/periodic/optimal_objective",
                        "has shape [3], expected [2, 2]", [](hid_t f) {
                          replace_dataset(f, "/hedging/periodic/optimal_objective", H5T_IEEE_F64LE,
                                          {3});
                        });
  expect_refused_naming(
      *file_, copy, "/hedging/delta_band/optimal_confidence", "is not numeric", [](hid_t f) {
        const hid_t text = H5Tcopy(H5T_C_S1);
        H5Tset_size(text, 8);
        replace_dataset(f, "/hedging/delta_band/optimal_confidence", text, {2, 2});
        H5Tclose(text);
      });
  expect_refused_naming(*file_, copy, "/hedging/delta_band/objective", "no axis", [](hid_t f) {
    const hid_t objective = H5Dopen2(f, "/hedging/delta_band/objective", H5P_DEFAULT);
    const hid_t band = H5Dopen2(f, "/hedging/delta_band/band", H5P_DEFAULT);
    ASSERT_GE(H5DSdetach_scale(objective, band, 2), 0);
    H5Dclose(band);
    H5Dclose(objective);
  });
  expect_refused_naming(*file_, copy, "/best/hedging_policy", "'yolo'", [](hid_t f) {
    const hid_t best = H5Dopen2(f, "/best/hedging_policy", H5P_DEFAULT);
    ASSERT_GE(H5Adelete(best, "policies"), 0);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hsize_t n = 2;
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const char* names[2] = {"none", "yolo"};
    const hid_t attr = H5Acreate2(best, "policies", type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, type, names);
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
    H5Dclose(best);
  });
  expect_refused_naming(*file_, copy, "/@title", "neither a string nor a number", [](hid_t f) {
    ASSERT_GE(H5Adelete(f, "title"), 0);
    const hid_t space = H5Screate(H5S_SCALAR);
    const unsigned char bits = 0x5a;
    const hid_t attr = H5Acreate2(f, "title", H5T_NATIVE_B8, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, H5T_NATIVE_B8, &bits);
    H5Aclose(attr);
    H5Sclose(space);
  });
}

}  // namespace
}  // namespace hedgemap
