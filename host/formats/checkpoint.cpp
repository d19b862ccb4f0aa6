#include "host/formats/checkpoint.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "host/formats/atomic_file.hpp"

namespace hedgemap {
namespace {

// 06: hedging groups carry option_fee_mean (delta_vega_band). 05: cells carry /model/
// funding_mean and hedging groups funding_mean (perp hedges). 04: cells carry the /model/
// volatilities of the implied-volatility axis (implied, total, diffusive, realised on the paths).
// 03 (a SHA-256 of the content follows it; paired standard errors and the bootstrap's refined
// optima), 01 (no checksum) and 02 (no checksum or no paired statistics, from development builds)
// are refused as older formats.
constexpr char kMagic[8] = {'H', 'M', 'C', 'K', 'P', 'T', '0', '6'};
constexpr char kMagicPrefix[7] = {'H', 'M', 'C', 'K', 'P', 'T', '0'};
constexpr std::size_t kDigestBytes = 32;  // SHA-256

std::string sha256(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1 ||
      length != kDigestBytes)
    throw std::runtime_error("SHA-256 failed");
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// What a refused checkpoint means for the user.
constexpr const char* kStartOver =
    ": it was kept as it is; remove it (or rename it) and run again without --resume to start "
    "over";

std::string read_regular_file(const std::string& path) {
  // O_NONBLOCK: a FIFO planted at the name must not hang the open; it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) throw std::runtime_error("no checkpoint " + path + " to resume from");
    throw std::runtime_error("cannot open checkpoint " + path + ": " + std::strerror(errno));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw std::runtime_error("checkpoint " + path + " is not a regular file");
  }
  std::string bytes;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw std::runtime_error("cannot read checkpoint " + path + ": " + std::strerror(error));
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return bytes;
}

}  // namespace

std::string checkpoint_path(const std::string& output_path) { return output_path + ".ckpt"; }

std::string sha256_hex(const std::string& bytes) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : sha256(bytes)) {
    out += hex[byte >> 4];
    out += hex[byte & 15];
  }
  return out;
}

std::string encode_checkpoint(const std::string& identity, const std::vector<CellResult>& cells) {
  std::string out(kMagic, sizeof(kMagic));
  out += identity;
  out += '\n';
  const std::uint64_t count = cells.size();
  out.append(reinterpret_cast<const char*>(&count), sizeof(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    out += cells[i].done ? '\1' : '\0';
    if (cells[i].done) encode_cell(cells[i], out);
  }
  out += sha256(out);
  return out;
}

void save_checkpoint(const std::string& path, const std::string& identity,
                     const std::vector<CellResult>& cells) {
  write_file_atomically(path, encode_checkpoint(identity, cells));
}

std::vector<CellResult> decode_checkpoint(const std::string& in, const std::string& name,
                                          const std::string& identity, std::size_t cell_count) {
  if (in.size() >= sizeof(kMagic) &&
      std::memcmp(in.data(), kMagicPrefix, sizeof(kMagicPrefix)) == 0 &&
      in[sizeof(kMagicPrefix)] < kMagic[sizeof(kMagicPrefix)] && in[sizeof(kMagicPrefix)] >= '1')
    throw std::runtime_error(name +
                             " was written by an older hedgemap (another format, which this one "
                             "does not read)" +
                             kStartOver);
  if (in.size() < sizeof(kMagic) || std::memcmp(in.data(), kMagic, sizeof(kMagic)) != 0)
    throw std::runtime_error(name + " is not a hedgemap checkpoint" + kStartOver);
  if (in.size() < sizeof(kMagic) + kDigestBytes)
    throw std::runtime_error(name + " is truncated" + kStartOver);
  const std::size_t end = in.size() - kDigestBytes;  // the content; its SHA-256 follows
  if (sha256(in.substr(0, end)) != in.substr(end))
    throw std::runtime_error(name +
                             " is corrupt (its SHA-256 does not match its content: a damaged "
                             "disk, a partial copy or an edit)" +
                             kStartOver);
  const std::string content = in.substr(0, end);
  std::size_t pos = sizeof(kMagic);
  const std::size_t eol = content.find('\n', pos);
  if (eol == std::string::npos || content.substr(pos, eol - pos) != identity)
    throw std::runtime_error(name +
                             " belongs to another run (scenario, paths, seed or precision "
                             "differ): resume with the same scenario and options, or remove it");
  pos = eol + 1;
  std::uint64_t count = 0;
  if (pos + sizeof(count) > content.size())
    throw std::runtime_error(name + " is truncated" + kStartOver);
  std::memcpy(&count, content.data() + pos, sizeof(count));
  pos += sizeof(count);
  if (count != cell_count) throw std::runtime_error(name + " has another grid size");
  std::vector<CellResult> cells(count);
  for (auto& cell : cells) {
    if (pos >= content.size()) throw std::runtime_error(name + " is truncated" + kStartOver);
    const char done = content[pos++];
    if (done != 0 && done != 1) throw std::runtime_error(name + " is corrupt" + kStartOver);
    if (done) cell = decode_cell(content, pos);
  }
  if (pos != content.size())
    throw std::runtime_error(name + " has bytes after its last cell" + kStartOver);
  return cells;
}

// A resumed cell must have the shape this run's groups give it: a checkpoint of the same scenario
// written by another version of hedgemap could carry other metrics, and would index past them.
bool cell_fits_groups(const CellResult& cell, const std::vector<GroupSpec>& groups) {
  if (cell.groups.size() != groups.size()) return false;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const GroupCellResult& r = cell.groups[g];
    const std::size_t points = groups[g].points();
    if (r.metrics.size() != groups[g].metrics.size() || r.objective.size() != points ||
        r.objective_stderr.size() != points || r.objective_paired_stderr.size() != points)
      return false;
    for (const auto& metric : r.metrics)
      if (metric.size() != points) return false;
    for (int optimum : r.bootstrap_optimum)
      if (optimum < -1 || optimum >= static_cast<int>(points)) return false;
  }
  return true;
}

std::vector<CellResult> load_checkpoint(const std::string& path, const std::string& identity,
                                        std::size_t cell_count) {
  return decode_checkpoint(read_regular_file(path), path, identity, cell_count);
}

}  // namespace hedgemap
