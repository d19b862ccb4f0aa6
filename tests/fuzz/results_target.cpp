// Fuzz target (c): the results reader behind `inspect` and `export` (see fuzz_targets.hpp). The
// reader opens a path, so the input is written to a temporary file first (one per process).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "host/formats/inspect.hpp"
#include "host/formats/optima_reader.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace hedgemap::fuzz {

namespace {

const std::string& scratch_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/hedgemap-fuzz-XXXXXX.h5";
    const int fd = mkstemps(pattern.data(), 3);
    if (fd < 0) throw std::runtime_error("cannot create a temporary file for the results target");
    ::close(fd);
    std::atexit([] { std::remove(scratch_path().c_str()); });
    return pattern;
  }();
  return path;
}

}  // namespace

bool results_target(const std::uint8_t* data, std::size_t size) {
  const std::string& path = scratch_path();
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write " + path);
    const bool written = size == 0 || std::fwrite(data, 1, size, f) == size;
    if (std::fclose(f) != 0 || !written) throw std::runtime_error("cannot write " + path);
  }
  ResultsOptima r;
  try {
    r = read_results_optima(path);
  } catch (const std::exception&) {
    return false;  // refused: inspect and export exit 1 with the message
  }
  const std::size_t cells = r.cells();
  for (const PolicyOptima& p : r.policies) {
    if (p.objective.size() < cells || p.confidence.size() < cells)
      throw FuzzFinding(p.path + ": fewer optima than grid cells");
    for (const OptimalParameter& a : p.parameters)
      if (a.grid.size() < cells || (!a.refined.empty() && a.refined.size() < cells))
        throw FuzzFinding(p.path + "/" + a.axis + ": fewer optima than grid cells");
  }
  std::ostringstream table;
  print_inspection(r, table);
  (void)export_text(r, "csv");
  (void)export_text(r, "json");
  return true;
}

}  // namespace hedgemap::fuzz
