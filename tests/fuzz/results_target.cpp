// Fuzz target (c): the results reader behind `inspect` and `export` (see fuzz_targets.hpp).
//
// libhdf5 1.10.8 itself crashes on corrupted files (an invalid free when it releases a corrupted
// dense link table, leaks when an object header fails to load: tests/fuzz/lsan.supp), which our
// code cannot fix; `inspect` and `export` contain such crashes (they read the file in a child
// process). So that what the fuzzer finds is ours, results_target builds its files through
// HDF5's own API: the input chooses a base (an empty file, or one of tests/fuzz/results_bases/,
// results files made by the binary and by h5py) and a sequence of edits (delete, create or
// replace groups, datasets of any type, rank and shape, attributes of any type, dimension
// scales, soft and hard links), giving well-formed HDF5 files with any content a tool could
// write. results_raw_target reads the input's bytes as a file directly (libhdf5's own crashes
// included; scripts/fuzz.sh runs it only when asked: FUZZ_TARGETS=results_raw).
#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "host/formats/inspect.hpp"
#include "host/formats/optima_reader.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace hedgemap::fuzz {

namespace {

// ---- the input as a stream of choices -----------------------------------------------------------

class Choices {
 public:
  Choices(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::size_t below(std::size_t n) { return n ? byte() % n : 0; }
  double number() {
    switch (byte() % 8) {
      case 0:
        return NAN;
      case 1:
        return byte() & 1 ? INFINITY : -INFINITY;
      case 2: {
        double x;
        std::uint8_t bytes[8];
        for (auto& b : bytes) b = byte();
        std::memcpy(&x, bytes, 8);
        return x;
      }
      default:
        return (static_cast<int>(byte()) - 64) / 8.0;
    }
  }
  std::string text(std::size_t max) {
    std::string s(below(max + 1), ' ');
    for (char& c : s) c = static_cast<char>(byte());
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

const char* const kPaths[] = {
    "/volatility",
    "/expiry_days",
    "/hedging",
    "/hedging/none",
    "/hedging/none/objective",
    "/hedging/none/optimal_objective",
    "/hedging/delta_band",
    "/hedging/delta_band/band",
    "/hedging/delta_band/objective",
    "/hedging/delta_band/optimal_band",
    "/hedging/delta_band/optimal_band_refined",
    "/hedging/delta_band/optimal_objective",
    "/hedging/delta_band/optimal_confidence",
    "/hedging/periodic",
    "/hedging/periodic/every_steps",
    "/hedging/periodic/objective",
    "/hedging/periodic/optimal_every_steps",
    "/cppi",
    "/cppi/multiplier",
    "/cppi/tolerance",
    "/cppi/objective",
    "/cppi/optimal_multiplier",
    "/cppi/optimal_tolerance",
    "/cppi/optimal_objective",
    "/cppi/optimal_confidence",
    "/vol_target",
    "/vol_target/target",
    "/vol_target/objective",
    "/vol_target/optimal_target",
    "/best",
    "/best/hedging_policy",
    "/model",
    "/",
};
const char* const kAttributes[] = {
    "policy",        "objective_kind", "objective_sense", "units",     "policies", "title",
    "source",        "date_created",   "backend",         "device",    "paths",    "seed",
    "scenario_name", "precision",      "wall_seconds",    "long_name",
};

std::string a_path(Choices& in) {
  const std::size_t n = std::size(kPaths);
  const std::size_t i = in.below(n + 2);
  if (i < n) return kPaths[i];
  return std::string(kPaths[in.below(n)]) + "/" + in.text(6);  // a name of its own
}

class Id {  // one hid_t and its close function
 public:
  Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Id() {
    if (id_ >= 0) close_(id_);
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// A datatype the edit writes, and values of it from the input.
struct Typed {
  hid_t type = -1;  // owned
  std::vector<unsigned char> bytes;
  std::vector<std::string> strings;  // kept alive for variable-length strings
  std::vector<const char*> pointers;
  ~Typed() {
    if (type >= 0) H5Tclose(type);
  }
};

void fill(Choices& in, Typed& t, std::size_t count) {
  switch (in.below(7)) {
    case 0:
    case 1: {
      t.type = H5Tcopy(H5T_NATIVE_DOUBLE);
      std::vector<double> v(count);
      for (double& x : v) x = in.number();
      t.bytes.assign(reinterpret_cast<unsigned char*>(v.data()),
                     reinterpret_cast<unsigned char*>(v.data() + count));
      break;
    }
    case 2: {
      t.type = H5Tcopy(in.byte() & 1 ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64);
      std::vector<std::int64_t> v(count);
      for (auto& x : v) {
        const double n = in.number() * 1e6;
        x = std::isfinite(n) && std::fabs(n) < 9e18 ? static_cast<std::int64_t>(n) : -1;
      }
      t.bytes.assign(reinterpret_cast<unsigned char*>(v.data()),
                     reinterpret_cast<unsigned char*>(v.data() + count));
      break;
    }
    case 3: {
      t.type = H5Tcopy(H5T_NATIVE_UINT8);
      t.bytes.resize(count);
      for (auto& b : t.bytes) b = in.byte();
      break;
    }
    case 4: {  // fixed-length strings, null- or space-padded
      const std::size_t size = 1 + in.below(12);
      t.type = H5Tcopy(H5T_C_S1);
      H5Tset_size(t.type, size);
      H5Tset_strpad(t.type, in.byte() & 1 ? H5T_STR_SPACEPAD : H5T_STR_NULLTERM);
      t.bytes.resize(count * size);
      for (auto& b : t.bytes) b = in.byte();
      break;
    }
    case 5: {  // variable-length strings
      t.type = H5Tcopy(H5T_C_S1);
      H5Tset_size(t.type, H5T_VARIABLE);
      for (std::size_t i = 0; i < count; ++i) t.strings.push_back(in.text(10));
      for (const std::string& s : t.strings) t.pointers.push_back(s.c_str());
      t.bytes.assign(reinterpret_cast<unsigned char*>(t.pointers.data()),
                     reinterpret_cast<unsigned char*>(t.pointers.data() + count));
      break;
    }
    default: {  // a compound of a double and an int
      t.type = H5Tcreate(H5T_COMPOUND, 12);
      H5Tinsert(t.type, "a", 0, H5T_NATIVE_DOUBLE);
      H5Tinsert(t.type, "b", 8, H5T_NATIVE_INT32);
      t.bytes.resize(count * 12);
      for (auto& b : t.bytes) b = in.byte();
      break;
    }
  }
}

// A dataspace from the input: scalar, null, or simple of rank 1..4 (sizes 0..8, rarely 2^20).
hid_t a_space(Choices& in, std::size_t& count) {
  const std::size_t kind = in.below(8);
  count = 1;
  if (kind == 0) return H5Screate(H5S_SCALAR);
  if (kind == 1) {
    count = 0;
    return H5Screate(H5S_NULL);
  }
  const int rank = 1 + static_cast<int>(in.below(4));
  hsize_t dims[4];
  for (int d = 0; d < rank; ++d) {
    dims[d] = in.below(16) == 15 ? hsize_t{1} << 20 : in.below(9);
    count *= dims[d];
  }
  if (count > (std::size_t{1} << 22)) return -1;
  return H5Screate_simple(rank, dims, nullptr);
}

void write_dataset(hid_t file, Choices& in, const std::string& path) {
  H5Ldelete(file, path.c_str(), H5P_DEFAULT);
  std::size_t count = 0;
  Id space(a_space(in, count), H5Sclose);
  if (!space.valid()) return;
  const bool big = count > 4096;  // left at the fill value (no storage written)
  Typed t;
  fill(in, t, big ? 0 : count);
  if (t.type < 0) return;
  Id set(H5Dcreate2(file, path.c_str(), t.type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
         H5Dclose);
  if (set.valid() && !big && count > 0)
    H5Dwrite(set.get(), t.type, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.bytes.data());
}

void write_attribute(hid_t file, Choices& in, const std::string& path) {
  Id object(H5Oopen(file, path.c_str(), H5P_DEFAULT), H5Oclose);
  if (!object.valid()) return;
  const char* name = kAttributes[in.below(std::size(kAttributes))];
  H5Adelete(object.get(), name);
  std::size_t count = 0;
  Id space(a_space(in, count), H5Sclose);
  if (!space.valid() || count > 64) return;
  Typed t;
  fill(in, t, count);
  if (t.type < 0) return;
  Id attribute(H5Acreate2(object.get(), name, t.type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
               H5Aclose);
  if (attribute.valid() && count > 0) H5Awrite(attribute.get(), t.type, t.bytes.data());
}

void edit(hid_t file, Choices& in) {
  const std::string path = a_path(in);
  switch (in.below(9)) {
    case 0:
      H5Ldelete(file, path.c_str(), H5P_DEFAULT);
      break;
    case 1: {
      Id group(H5Gcreate2(file, path.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
      break;
    }
    case 2:
    case 3:
      write_dataset(file, in, path);
      break;
    case 4:
    case 5:
      write_attribute(file, in, path);
      break;
    case 6: {  // a dimension scale, attached or detached
      Id set(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
      const std::string scale_path = a_path(in);
      Id scale(H5Dopen2(file, scale_path.c_str(), H5P_DEFAULT), H5Dclose);
      const unsigned dim = static_cast<unsigned>(in.below(4));
      const std::size_t how = in.below(3);
      if (!scale.valid()) break;
      if (how == 0)
        H5DSset_scale(scale.get(), scale_path.substr(scale_path.rfind('/') + 1).c_str());
      if (!set.valid() || set.get() == scale.get()) break;
      if (how == 1) H5DSattach_scale(set.get(), scale.get(), dim);
      if (how == 2) H5DSdetach_scale(set.get(), scale.get(), dim);
      break;
    }
    case 7: {  // a soft link, dangling or not
      H5Ldelete(file, path.c_str(), H5P_DEFAULT);
      const std::string target = a_path(in);
      H5Lcreate_soft(target.c_str(), file, path.c_str(), H5P_DEFAULT, H5P_DEFAULT);
      break;
    }
    default: {  // a hard link to another object (groups may form cycles)
      H5Ldelete(file, path.c_str(), H5P_DEFAULT);
      const std::string target = a_path(in);
      H5Lcreate_hard(file, target.c_str(), file, path.c_str(), H5P_DEFAULT, H5P_DEFAULT);
      break;
    }
  }
}

// ---- files
// ---------------------------------------------------------------------------------------

const std::vector<std::string>& bases() {
  static const std::vector<std::string> files = [] {
    std::vector<std::filesystem::path> paths;
    for (const auto& entry :
         std::filesystem::directory_iterator(HEDGEMAP_SOURCE_DIR "/tests/fuzz/results_bases"))
      paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end());
    std::vector<std::string> contents;
    for (const auto& path : paths) {
      std::ifstream in(path, std::ios::binary);
      contents.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return contents;
  }();
  return files;
}

// A new file name per input, in a directory of this process (removed at exit): a file HDF5 could
// not close (an edit left it in a state its close fails on) stays open inside the library, and a
// later H5Fcreate or H5Fopen of the same name would fail ("file is already open").
const std::string& next_scratch_path() {
  // Never destroyed: the exit handler that removes the directory runs after static destructors.
  static const std::string* const dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/hedgemap-fuzz-XXXXXX";
    if (!mkdtemp(pattern.data()))
      throw std::runtime_error("cannot create a temporary directory for the results target");
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(*dir, ignored);
    });
    return new std::string(pattern);
  }();
  static std::string path;
  static unsigned long long count = 0;
  if (!path.empty()) std::remove(path.c_str());
  path = *dir + "/" + std::to_string(++count) + ".h5";
  return path;
}

void write_file(const std::string& path, const char* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  const bool written = size == 0 || std::fwrite(data, 1, size, f) == size;
  if (std::fclose(f) != 0 || !written) throw std::runtime_error("cannot write " + path);
}

// What inspect and export do with the file: read it, print it, export it.
bool read_and_format(const std::string& path) {
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
  // inspect prints a row per cell and policy: a file that claims millions of cells (an axis of 2^20
  // values, left at its fill value) prints millions of rows, seconds of work, not a hang.
  if (double(cells) * double(r.policies.size() + 1) > 2e5) return true;
  std::ostringstream table;
  print_inspection(r, table);
  (void)export_text(r, "csv");
  (void)export_text(r, "json");
  return true;
}

}  // namespace

// Closes every HDF5 object still open, so that one input cannot break the next ("file is already
// open"). The reader leaves one open when a dimension scale reference of a file points to a
// group: HDF5-HL's H5DSiterate_scales (1.10.8) closes what it dereferenced with H5Dclose, which
// fails for a group. (A leak per file read: harmless to inspect and export, which then exit.)
// A file whose H5Fclose failed (the edits left something HDF5 cannot write) is kept out: closing
// its id again crashes inside HDF5 1.10.8 (H5F__close reads a freed shared struct; found by the
// fuzzer, tests/fuzz/regressions/results). Only this editing harness closes a file that way; the
// reader under test never writes.
std::vector<hid_t>& files_whose_close_failed() {
  static std::vector<hid_t> ids;
  return ids;
}

void close_everything_left_open() {
  const ssize_t n = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  if (n <= 0) return;
  std::vector<hid_t> ids(static_cast<std::size_t>(n));
  const ssize_t got = H5Fget_obj_ids(H5F_OBJ_ALL, H5F_OBJ_ALL, ids.size(), ids.data());
  for (ssize_t i = 0; i < got; ++i) {
    switch (H5Iget_type(ids[i])) {
      case H5I_FILE: {
        const std::vector<hid_t>& failed = files_whose_close_failed();
        if (std::find(failed.begin(), failed.end(), ids[i]) == failed.end()) H5Fclose(ids[i]);
        break;
      }
      case H5I_DATATYPE:
        H5Tclose(ids[i]);
        break;
      case H5I_ATTR:
        H5Aclose(ids[i]);
        break;
      default:
        H5Oclose(ids[i]);
    }
  }
}

bool results_target(const std::uint8_t* data, std::size_t size) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // failed edits are expected
  close_everything_left_open();
  Choices in(data, size);
  const std::string& path = next_scratch_path();
  const std::size_t base = in.below(bases().size() + 1);
  hid_t file = -1;
  if (base == 0) {
    Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (in.byte() & 1) H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    file = H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get());
  } else {
    const std::string& bytes = bases()[base - 1];
    write_file(path, bytes.data(), bytes.size());
    file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  }
  if (file < 0) throw std::runtime_error("cannot open " + path + " with HDF5");
  for (int edits = 0; !in.empty() && edits < 64; ++edits) edit(file, in);
  if (H5Fclose(file) < 0) {  // the edits left a file HDF5 cannot write: no input
    files_whose_close_failed().push_back(file);
    return false;
  }
  return read_and_format(path);
}

bool results_raw_target(const std::uint8_t* data, std::size_t size) {
  close_everything_left_open();
  const std::string& path = next_scratch_path();
  write_file(path, reinterpret_cast<const char*>(data), size);
  return read_and_format(path);
}

}  // namespace hedgemap::fuzz
