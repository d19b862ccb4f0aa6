// The results writer: HDF5 C API + dimension scales (hdf5_hl.h). The file is built in memory and
// written out by host/formats/atomic_file.cpp. See h5_writer.hpp for how readers resolve names.
//
// Why in memory (HDF5's core driver, no backing store) and not H5Fcreate on a temporary name:
//  - HDF5 opens files by name (open(O_CREAT|O_TRUNC), following symlinks); creating the temporary
//    exclusively first and handing its name to H5Fcreate still leaves a window in which the name
//    can be swapped for a link. With the core driver HDF5 never opens a path: the bytes reach the
//    disk only through our own O_EXCL|O_NOFOLLOW descriptor (atomic_file.hpp).
//  - A disk full or `ulimit -f` inside HDF5 leaves a file whose H5Fclose fails and which the
//    library then closes again at exit, and crashes (HDF5 1.10: segfault in H5F__close_cb, exit
//    139). In memory HDF5 has no I/O to fail; our write() reports ENOSPC / EFBIG and the
//    temporary is removed.
//  - Memory: the file is the cells' results, already held in memory by the sweep, compressed;
//    the image is copied once at commit.
#include "host/formats/h5_writer.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>
#include <utility>

#include "host/formats/atomic_file.hpp"
#include "host/formats/h5_file_image.hpp"

namespace hedgemap::h5 {
namespace {

// ---- RAII for hid_t: one handle, one close function -------------------------------------------
class Hid {
 public:
  using Closer = herr_t (*)(hid_t);
  Hid() = default;
  Hid(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Hid(Hid&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Hid& operator=(Hid&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  ~Hid() { reset(); }
  hid_t get() const { return id_; }
  void reset() noexcept {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// HDF5 prints its error stack to stderr by default; we put it in the exception instead. Every
// public entry point silences the printer for its duration and restores the caller's setting.
class QuietHdf5Errors {
 public:
  QuietHdf5Errors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietHdf5Errors(const QuietHdf5Errors&) = delete;
  QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

herr_t collect_error(unsigned n, const H5E_error2_t* error, void* client) {
  auto* text = static_cast<std::string*>(client);
  if (n < 4 && error->desc != nullptr && error->desc[0] != '\0') {
    *text += (text->empty() ? "" : "; ");
    *text += error->desc;
  }
  return 0;
}

[[noreturn]] void fail(const std::string& call, const std::string& path) {
  std::string stack;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &stack);
  H5Eclear2(H5E_DEFAULT);
  throw H5Error(call + " failed for '" + path + "'" + (stack.empty() ? "" : ": " + stack));
}

template <typename Status>
Status check(Status status, const char* call, const std::string& path) {
  if (status < 0) fail(call, path);
  return status;
}

Hid checked(hid_t id, Hid::Closer closer, const char* call, const std::string& path) {
  return Hid(check(id, call, path), closer);
}

// ---- paths ----------------------------------------------------------------------------------
// Absolute HDF5 object paths: "/" or "/a/b", no empty, "." or ".." components.
void validate_object_path(const std::string& path, bool allow_root) {
  bool ok = !path.empty() && path[0] == '/' && (allow_root || path != "/") &&
            (path == "/" || path.back() != '/') && path.find("//") == std::string::npos &&
            path.find("/./") == std::string::npos && path.find("/../") == std::string::npos;
  const std::string last = path.substr(path.rfind('/') + 1);
  ok = ok && last != "." && last != "..";
  if (!ok) throw H5Error("invalid HDF5 object path '" + path + "' (want \"/group/name\")");
}

std::string parent_group(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string last_component(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// True when `group` is `inner` or one of its ancestors: the groups whose dimensions a variable in
// `inner` sees (netCDF-4 scoping, h5netcdf's ChainMap of dimensions).
bool is_same_or_ancestor(const std::string& group, const std::string& inner) {
  return group == "/" || group == inner || inner.compare(0, group.size() + 1, group + "/") == 0;
}

// ---- HDF5 property lists and types ------------------------------------------------------------
// netCDF-4 tracks and indexes creation order of links and attributes; readers list in that order.
// Raw data has no checksum in the HDF5 format (only metadata does): every non-empty dataset is
// chunked with a Fletcher-32 checksum per chunk, verified by HDF5 (and h5py, netCDF) on read.
constexpr unsigned kCreationOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

// Links and attributes stay "compact", as messages in their object header (checksummed, read in
// one piece), never "dense" (fractal heap + v2 B-tree, HDF5's default past 8 of them): HDF5 1.10's
// dense-storage iteration frees an uninitialised table when it meets a corrupted entry, and
// crashes. 65535 is the largest count HDF5 allows; attributes over 64 KiB still go dense.
constexpr unsigned kMaxCompact = 65535, kMinDense = 65534;

void keep_attributes_compact(hid_t ocpl, const std::string& path) {
  check(H5Pset_attr_creation_order(ocpl, kCreationOrder), "H5Pset_attr_creation_order", path);
  check(H5Pset_attr_phase_change(ocpl, kMaxCompact, kMinDense), "H5Pset_attr_phase_change", path);
}

void keep_links_compact(hid_t gcpl, const std::string& path) {
  check(H5Pset_link_creation_order(gcpl, kCreationOrder), "H5Pset_link_creation_order", path);
  check(H5Pset_link_phase_change(gcpl, kMaxCompact, kMinDense), "H5Pset_link_phase_change", path);
  keep_attributes_compact(gcpl, path);
}

Hid dataset_creation_plist(const std::string& path) {
  Hid dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "H5Pcreate", path);
  keep_attributes_compact(dcpl.get(), path);
  return dcpl;
}

// Fixed-length UTF-8 string of `length` bytes, NUL-terminated when shorter (netCDF's NC_CHAR).
Hid fixed_string_type(std::size_t length, const std::string& path) {
  Hid type = checked(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy", path);
  check(H5Tset_size(type.get(), std::max<std::size_t>(length, 1)), "H5Tset_size", path);
  check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), "H5Tset_strpad", path);
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset", path);
  return type;
}

Hid scalar_space(const std::string& path) {
  return checked(H5Screate(H5S_SCALAR), H5Sclose, "H5Screate", path);
}

// Chunk shape: the whole array when it is at most 1 MiB, else halve the slowest-varying
// dimensions until it is (HDF5 reads and inflates whole chunks; 1 MiB is its cache size).
std::vector<hsize_t> chunk_shape(std::vector<hsize_t> dims) {
  constexpr hsize_t kMaxChunkElements = (1u << 20) / 8;
  auto elements = [&] {
    hsize_t n = 1;
    for (hsize_t d : dims) n *= d;
    return n;
  };
  for (std::size_t axis = 0; axis < dims.size() && elements() > kMaxChunkElements;) {
    if (dims[axis] > 1) {
      dims[axis] = (dims[axis] + 1) / 2;
    } else {
      ++axis;
    }
  }
  return dims;
}

}  // namespace

// ---- ResultsWriter --------------------------------------------------------------------------
ResultsWriter::ResultsWriter(const std::string& final_path, bool overwrite)
    : final_path_(final_path), overwrite_(overwrite) {
  QuietHdf5Errors quiet;
  const std::string problem = output_path_problem(final_path_, overwrite_);
  if (!problem.empty()) throw FileWriteError(problem);

  // The core driver's file name only identifies the file among open ones: unique per writer.
  static std::atomic<unsigned long> writers{0};
  const std::string memory_name = "hedgemap-results-in-memory-" + std::to_string(++writers);
  Hid fcpl = checked(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "H5Pcreate", final_path_);
  keep_links_compact(fcpl.get(), "/");
  Hid fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "H5Pcreate", final_path_);
  // STRONG: closing the file closes anything still open, so commit() never leaves it half-open.
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "H5Pset_fclose_degree", final_path_);
  // In memory, grown 1 MiB at a time, never written to a file by HDF5 itself.
  check(H5Pset_fapl_core(fapl.get(), std::size_t{1} << 20, /*backing_store=*/0), "H5Pset_fapl_core",
        final_path_);
  // The HDF5 1.10 format: superblock v3, object headers v2, v2 B-trees, fixed arrays, fractal
  // heaps, each with a checksum (Jenkins lookup3) that the library verifies on every read, so a
  // corrupted file is refused rather than followed. Readable by HDF5 >= 1.10 (h5py, h5netcdf,
  // netCDF-C >= 4.5); HDF5 1.8 cannot open it.
  check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110), "H5Pset_libver_bounds",
        final_path_);
  file_ = H5Fcreate(memory_name.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get());
  if (file_ < 0) fail("H5Fcreate (in memory)", final_path_);
}

ResultsWriter::~ResultsWriter() {
  QuietHdf5Errors quiet;
  close_file();  // in memory: nothing reaches the disk
}

void ResultsWriter::close_file() noexcept {
  if (file_ >= 0) H5Fclose(file_);
  file_ = H5I_INVALID_HID;
}

void ResultsWriter::require_open(const char* operation) const {
  if (file_ < 0) {
    throw H5Error(std::string("ResultsWriter::") + operation + " after commit() on '" +
                  final_path_ + "'");
  }
}

hid_t ResultsWriter::open_or_create_group(const std::string& group_path) {
  if (group_path != "/") {
    Hid gcpl = checked(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, "H5Pcreate", group_path);
    keep_links_compact(gcpl.get(), group_path);
    std::size_t end = 0;
    while (end != std::string::npos) {
      end = group_path.find('/', end + 1);
      const std::string prefix = group_path.substr(0, end);
      if (check(H5Lexists(file_, prefix.c_str(), H5P_DEFAULT), "H5Lexists", prefix) > 0) continue;
      Hid group = checked(H5Gcreate2(file_, prefix.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT),
                          H5Gclose, "H5Gcreate2", prefix);
    }
  }
  return check(H5Gopen2(file_, group_path.c_str(), H5P_DEFAULT), "H5Gopen2 (is it a group?)",
               group_path);
}

hid_t ResultsWriter::open_object(const std::string& object_path) {
  // An existing object (group or dataset) is opened as is; a missing one becomes a group.
  bool exists = true;
  for (std::size_t end = 0; exists && end != std::string::npos && object_path != "/";) {
    end = object_path.find('/', end + 1);
    const std::string prefix = object_path.substr(0, end);
    exists = check(H5Lexists(file_, prefix.c_str(), H5P_DEFAULT), "H5Lexists", prefix) > 0;
  }
  if (!exists) return open_or_create_group(object_path);
  return check(H5Oopen(file_, object_path.c_str(), H5P_DEFAULT), "H5Oopen", object_path);
}

void ResultsWriter::write_attribute(const std::string& object_path, const std::string& name,
                                    hid_t type, hid_t space, const void* buffer) {
  require_open("attribute");
  validate_object_path(object_path, /*allow_root=*/true);
  const std::string where = object_path + (object_path == "/" ? "" : "/") + "@" + name;
  if (name.empty()) throw H5Error("empty attribute name at '" + object_path + "'");
  Hid object(open_object(object_path), H5Oclose);
  if (check(H5Aexists(object.get(), name.c_str()), "H5Aexists", where) > 0) {
    check(H5Adelete(object.get(), name.c_str()), "H5Adelete", where);
  }
  Hid attr = checked(H5Acreate2(object.get(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                     H5Aclose, "H5Acreate2", where);
  if (buffer != nullptr) check(H5Awrite(attr.get(), type, buffer), "H5Awrite", where);
}

void ResultsWriter::attribute(const std::string& object_path, const std::string& name,
                              const std::string& value) {
  QuietHdf5Errors quiet;
  Hid type = fixed_string_type(value.size(), object_path);
  Hid space = scalar_space(object_path);
  write_attribute(object_path, name, type.get(), space.get(), value.c_str());
}

void ResultsWriter::attribute(const std::string& object_path, const std::string& name,
                              double value) {
  QuietHdf5Errors quiet;
  Hid space = scalar_space(object_path);
  write_attribute(object_path, name, H5T_NATIVE_DOUBLE, space.get(), &value);
}

void ResultsWriter::attribute(const std::string& object_path, const std::string& name,
                              std::int64_t value) {
  QuietHdf5Errors quiet;
  Hid space = scalar_space(object_path);
  write_attribute(object_path, name, H5T_NATIVE_INT64, space.get(), &value);
}

void ResultsWriter::attribute(const std::string& object_path, const std::string& name,
                              std::uint64_t value) {
  QuietHdf5Errors quiet;
  Hid space = scalar_space(object_path);
  write_attribute(object_path, name, H5T_NATIVE_UINT64, space.get(), &value);
}

void ResultsWriter::attribute(const std::string& object_path, const std::string& name,
                              const std::vector<std::string>& values) {
  // Variable-length UTF-8 strings: netCDF-4's NC_STRING; h5netcdf returns them as list of str
  // whatever their lengths (fixed-length arrays of 1-byte strings would come back as bytes).
  QuietHdf5Errors quiet;
  Hid type = checked(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy", object_path);
  check(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size", object_path);
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset", object_path);
  std::vector<const char*> pointers;
  for (const std::string& value : values) pointers.push_back(value.c_str());
  const hsize_t count = values.size();
  Hid space = count == 0 ? checked(H5Screate(H5S_NULL), H5Sclose, "H5Screate", object_path)
                         : checked(H5Screate_simple(1, &count, nullptr), H5Sclose,
                                   "H5Screate_simple", object_path);
  // An empty list is an attribute with a null dataspace: nothing to write.
  write_attribute(object_path, name, type.get(), space.get(),
                  count == 0 ? nullptr : pointers.data());
}

void ResultsWriter::axis(const std::string& path, const std::vector<double>& values,
                         const std::string& units, const std::string& long_name) {
  QuietHdf5Errors quiet;
  write_axis(path, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, values.size(), values.data(), units,
             long_name);
}

void ResultsWriter::axis(const std::string& path, const std::vector<std::int64_t>& values,
                         const std::string& units, const std::string& long_name) {
  QuietHdf5Errors quiet;
  write_axis(path, H5T_NATIVE_INT64, H5T_STD_I64LE, values.size(), values.data(), units, long_name);
}

void ResultsWriter::write_axis(const std::string& path, hid_t mem_type, hid_t file_type,
                               std::size_t size, const void* values, const std::string& units,
                               const std::string& long_name) {
  require_open("axis");
  validate_object_path(path, /*allow_root=*/false);
  Hid group(open_or_create_group(parent_group(path)), H5Gclose);
  const std::string name = last_component(path);
  if (check(H5Lexists(group.get(), name.c_str(), H5P_DEFAULT), "H5Lexists", path) > 0) {
    throw H5Error("axis '" + path + "' already exists");
  }
  const hsize_t length = size;
  Hid space = checked(H5Screate_simple(1, &length, nullptr), H5Sclose, "H5Screate_simple", path);
  Hid dcpl = dataset_creation_plist(path);
  if (size > 0) {  // one chunk, for its checksum (contiguous data has none)
    check(H5Pset_chunk(dcpl.get(), 1, &length), "H5Pset_chunk", path);
    check(H5Pset_fletcher32(dcpl.get()), "H5Pset_fletcher32", path);
  }
  Hid dataset = checked(H5Dcreate2(group.get(), name.c_str(), file_type, space.get(), H5P_DEFAULT,
                                   dcpl.get(), H5P_DEFAULT),
                        H5Dclose, "H5Dcreate2", path);
  if (size > 0) {
    check(H5Dwrite(dataset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), "H5Dwrite",
          path);
  }
  // The scale's NAME is the dimension name netCDF-4 shows; h5netcdf uses the link name. Same.
  check(H5DSset_scale(dataset.get(), name.c_str()), "H5DSset_scale", path);
  dataset.reset();
  attribute(path, "units", units);
  attribute(path, "long_name", long_name);
  axis_lengths_[path] = length;
}

void ResultsWriter::variable(const std::string& path, const std::vector<std::string>& axis_paths,
                             const std::vector<double>& data, const std::string& units,
                             const std::string& long_name) {
  QuietHdf5Errors quiet;
  write_variable(path, axis_paths, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, data.size(), data.data(),
                 units, long_name);
}

void ResultsWriter::variable(const std::string& path, const std::vector<std::string>& axis_paths,
                             const std::vector<std::int64_t>& data, const std::string& units,
                             const std::string& long_name) {
  QuietHdf5Errors quiet;
  write_variable(path, axis_paths, H5T_NATIVE_INT64, H5T_STD_I64LE, data.size(), data.data(), units,
                 long_name);
}

void ResultsWriter::variable(const std::string& path, const std::vector<std::string>& axis_paths,
                             const std::vector<std::uint8_t>& data, const std::string& units,
                             const std::string& long_name) {
  QuietHdf5Errors quiet;
  write_variable(path, axis_paths, H5T_NATIVE_UINT8, H5T_STD_U8LE, data.size(), data.data(), units,
                 long_name);
}

void ResultsWriter::write_variable(const std::string& path,
                                   const std::vector<std::string>& axis_paths, hid_t mem_type,
                                   hid_t file_type, std::size_t size, const void* data,
                                   const std::string& units, const std::string& long_name) {
  require_open("variable");
  validate_object_path(path, /*allow_root=*/false);
  const std::string group_path = parent_group(path);

  // Validate everything before creating anything.
  std::vector<hsize_t> dims;
  std::set<std::string> dimension_names;
  hsize_t elements = 1;
  for (const std::string& axis_path : axis_paths) {
    const auto found = axis_lengths_.find(axis_path);
    if (found == axis_lengths_.end()) {
      throw H5Error("variable '" + path + "': axis '" + axis_path + "' was not written by axis()");
    }
    if (!is_same_or_ancestor(parent_group(axis_path), group_path)) {
      throw H5Error("variable '" + path + "': axis '" + axis_path +
                    "' must live in the variable's group or an ancestor group (netCDF scoping)");
    }
    if (!dimension_names.insert(last_component(axis_path)).second) {
      throw H5Error("variable '" + path + "': two axes named '" + last_component(axis_path) + "'");
    }
    dims.push_back(found->second);
    elements *= found->second;
  }
  if (elements != size) {
    throw H5Error("variable '" + path + "': " + std::to_string(size) + " values for a shape of " +
                  std::to_string(elements) + " elements");
  }

  Hid group(open_or_create_group(group_path), H5Gclose);
  const std::string name = last_component(path);
  if (check(H5Lexists(group.get(), name.c_str(), H5P_DEFAULT), "H5Lexists", path) > 0) {
    throw H5Error("variable '" + path + "' already exists");
  }
  Hid space = dims.empty()
                  ? scalar_space(path)
                  : checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                            H5Sclose, "H5Screate_simple", path);
  Hid dcpl = dataset_creation_plist(path);
  if (!dims.empty() && elements > 0) {
    const std::vector<hsize_t> chunk = chunk_shape(dims);
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), "H5Pset_chunk",
          path);
    check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", path);
    check(H5Pset_deflate(dcpl.get(), 4), "H5Pset_deflate", path);
    check(H5Pset_fletcher32(dcpl.get()), "H5Pset_fletcher32", path);  // last: checks the stored
  }
  Hid dataset = checked(H5Dcreate2(group.get(), name.c_str(), file_type, space.get(), H5P_DEFAULT,
                                   dcpl.get(), H5P_DEFAULT),
                        H5Dclose, "H5Dcreate2", path);
  if (elements > 0) {
    check(H5Dwrite(dataset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite", path);
  }
  for (std::size_t index = 0; index < axis_paths.size(); ++index) {
    Hid scale = checked(H5Dopen2(file_, axis_paths[index].c_str(), H5P_DEFAULT), H5Dclose,
                        "H5Dopen2", axis_paths[index]);
    check(H5DSattach_scale(dataset.get(), scale.get(), static_cast<unsigned>(index)),
          "H5DSattach_scale", path + " <- " + axis_paths[index]);
  }
  dataset.reset();
  attribute(path, "units", units);
  attribute(path, "long_name", long_name);
}

void ResultsWriter::commit() {
  QuietHdf5Errors quiet;
  require_open("commit");
  const std::string image = closed_file_image(file_, final_path_);
  const hid_t file = std::exchange(file_, H5I_INVALID_HID);
  check(H5Fclose(file), "H5Fclose", final_path_);
  write_file_atomically(final_path_, image, overwrite_ ? Replace::regular_file : Replace::never);
  committed_ = true;
}

void turn_off_error_printing() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

}  // namespace hedgemap::h5
