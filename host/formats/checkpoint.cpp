#include "host/formats/checkpoint.hpp"

#include <openssl/evp.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "host/formats/h5_writer.hpp"

namespace hedgemap {
namespace {
constexpr char kMagic[8] = {'H', 'M', 'C', 'K', 'P', 'T', '0', '1'};
}

std::string checkpoint_path(const std::string& output_path) { return output_path + ".ckpt"; }

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

void save_checkpoint(const std::string& path, const std::string& identity,
                     const std::vector<CellResult>& cells) {
  std::string out(kMagic, sizeof(kMagic));
  out += identity;
  out += '\n';
  const std::uint64_t count = cells.size();
  out.append(reinterpret_cast<const char*>(&count), sizeof(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    out += cells[i].done ? '\1' : '\0';
    if (cells[i].done) encode_cell(cells[i], out);
  }
  h5::write_file_atomically(path, out);
}

namespace {

// Whether a decoded cell can be written as a cell of `groups` (results_file.cpp indexes every
// metric and objective by parameter point, optimum_confidence compares resample optima).
bool has_shape(const CellResult& cell, const std::vector<GroupSpec>& groups) {
  if (cell.groups.size() != groups.size()) return false;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const GroupCellResult& r = cell.groups[g];
    const std::size_t points = groups[g].points();
    if (r.metrics.size() != groups[g].metrics.size()) return false;
    for (const auto& metric : r.metrics)
      if (metric.size() != points) return false;
    if (r.objective.size() != points || r.objective_stderr.size() != points) return false;
    for (const int optimum : r.bootstrap_optimum)
      if (optimum < -1 || optimum >= static_cast<int>(points)) return false;
  }
  return true;
}

}  // namespace

std::vector<CellResult> decode_checkpoint(const std::string& in, const std::string& name,
                                          const std::string& identity, std::size_t cell_count,
                                          const std::vector<GroupSpec>& groups) {
  if (in.size() < sizeof(kMagic) || std::memcmp(in.data(), kMagic, sizeof(kMagic)) != 0)
    throw std::runtime_error(name + " is not a hedgemap checkpoint");
  std::size_t pos = sizeof(kMagic);
  const std::size_t eol = in.find('\n', pos);
  if (eol == std::string::npos || in.compare(pos, eol - pos, identity) != 0)
    throw std::runtime_error(name +
                             " belongs to another run (scenario, paths, seed or precision "
                             "differ): resume with the same scenario and options, or remove it");
  pos = eol + 1;
  std::uint64_t count = 0;
  if (pos + sizeof(count) > in.size()) throw std::runtime_error(name + " is truncated");
  std::memcpy(&count, in.data() + pos, sizeof(count));
  pos += sizeof(count);
  if (count != cell_count) throw std::runtime_error(name + " has another grid size");
  std::vector<CellResult> cells(count);
  for (std::size_t c = 0; c < cells.size(); ++c) {
    if (pos >= in.size()) throw std::runtime_error(name + " is truncated");
    const bool done = in[pos++] != 0;
    if (!done) continue;
    cells[c] = decode_cell(in, pos);
    if (!has_shape(cells[c], groups))
      throw std::runtime_error(name + ": cell " + std::to_string(c) +
                               " does not have the shape of this run's policy groups (corrupt)");
  }
  return cells;
}

std::vector<CellResult> load_checkpoint(const std::string& path, const std::string& identity,
                                        std::size_t cell_count,
                                        const std::vector<GroupSpec>& groups) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("no checkpoint " + path + " to resume from");
  std::stringstream buffer;
  buffer << f.rdbuf();
  return decode_checkpoint(buffer.str(), path, identity, cell_count, groups);
}

}  // namespace hedgemap
