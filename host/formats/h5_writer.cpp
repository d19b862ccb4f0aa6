// The results writer: HDF5 C API + dimension scales (hdf5_hl.h), written to a temporary file in
// the final directory and renamed into place. See h5_writer.hpp for how readers resolve names.
#include "host/formats/h5_writer.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <hdf5_hl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>
#include <utility>

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

[[noreturn]] void fail_errno(const std::string& call, const std::string& path) {
  throw H5Error(call + " failed for '" + path + "': " + std::strerror(errno));
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

// ---- filesystem -----------------------------------------------------------------------------
std::pair<std::string, std::string> split_file_path(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

std::string temporary_name_for(const std::string& path) {
  const auto [dir, base] = split_file_path(path);
  if (base.empty() || base == "." || base == "..") {
    throw H5Error("invalid output file name '" + path + "'");
  }
  return (dir == "/" ? "" : dir) + "/." + base + ".tmp-" + std::to_string(::getpid());
}

// Temporaries of `path` (".<base>.tmp-<pid>", with or without a "-XXXXXX" suffix) whose process
// no longer exists: a run killed by SIGKILL, the OOM killer or a power cut cannot remove its own.
// Removed when the same output is written again; a live process's (kill(pid, 0) succeeds or is
// refused with EPERM) and this process's are left alone. Best effort: failures are ignored.
void remove_stale_temporaries(const std::string& path) {
  const auto [dir, base] = split_file_path(path);
  const std::string prefix = "." + base + ".tmp-";
  DIR* listing = ::opendir(dir.c_str());
  if (!listing) return;
  std::vector<std::string> stale;
  while (const dirent* entry = ::readdir(listing)) {
    const std::string name = entry->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const std::size_t digits = rest.find_first_not_of("0123456789");
    const std::string pid_text = rest.substr(0, digits);
    if (pid_text.empty() || pid_text.size() > 10) continue;
    if (digits != std::string::npos && rest[digits] != '-') continue;
    const long long number = std::stoll(pid_text);
    if (number <= 0 || number > std::numeric_limits<pid_t>::max()) continue;
    const auto pid = static_cast<pid_t>(number);
    if (pid == ::getpid()) continue;
    if (::kill(pid, 0) == -1 && errno == ESRCH) stale.push_back(name);
  }
  ::closedir(listing);
  for (const std::string& name : stale) ::unlink(((dir == "/" ? "" : dir) + "/" + name).c_str());
}

bool path_exists(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

void require_directory(const std::string& dir) {
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    throw H5Error("output directory '" + dir + "' does not exist");
  }
}

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) fail_errno("open", path);
  const int status = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (status != 0) fail_errno("fsync", path);
}

void fsync_directory_of(const std::string& path) {
  fsync_path(split_file_path(path).first, O_RDONLY | O_DIRECTORY);
}

// ---- HDF5 property lists and types ------------------------------------------------------------
// netCDF-4 tracks and indexes creation order of links and attributes; readers list in that order.
constexpr unsigned kCreationOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

Hid dataset_creation_plist(const std::string& path) {
  Hid dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "H5Pcreate", path);
  check(H5Pset_attr_creation_order(dcpl.get(), kCreationOrder), "H5Pset_attr_creation_order", path);
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
    : final_path_(final_path), tmp_path_(temporary_name_for(final_path)), overwrite_(overwrite) {
  QuietHdf5Errors quiet;
  struct stat info {};
  if (::stat(final_path_.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    throw H5Error("output path '" + final_path_ + "' is a directory");
  }
  if (!overwrite_ && path_exists(final_path_)) {
    throw H5Error("output file '" + final_path_ + "' exists; use --overwrite");
  }
  require_directory(split_file_path(final_path_).first);
  remove_stale_temporaries(final_path_);

  Hid fcpl = checked(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "H5Pcreate", tmp_path_);
  check(H5Pset_link_creation_order(fcpl.get(), kCreationOrder), "H5Pset_link_creation_order", "/");
  check(H5Pset_attr_creation_order(fcpl.get(), kCreationOrder), "H5Pset_attr_creation_order", "/");
  Hid fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "H5Pcreate", tmp_path_);
  // STRONG: closing the file closes anything still open, so commit() never leaves it half-open.
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "H5Pset_fclose_degree", tmp_path_);
  file_ = H5Fcreate(tmp_path_.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get());
  if (file_ < 0) fail("H5Fcreate", tmp_path_);
}

ResultsWriter::~ResultsWriter() {
  if (committed_) return;
  QuietHdf5Errors quiet;
  close_file();
  ::unlink(tmp_path_.c_str());  // best effort: a destructor must not throw
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
    check(H5Pset_link_creation_order(gcpl.get(), kCreationOrder), "H5Pset_link_creation_order",
          group_path);
    check(H5Pset_attr_creation_order(gcpl.get(), kCreationOrder), "H5Pset_attr_creation_order",
          group_path);
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
  const hid_t file = std::exchange(file_, H5I_INVALID_HID);
  check(H5Fclose(file), "H5Fclose", tmp_path_);
  fsync_path(tmp_path_, O_RDONLY);
  if (overwrite_) {
    if (::rename(tmp_path_.c_str(), final_path_.c_str()) != 0) fail_errno("rename", final_path_);
  } else if (::link(tmp_path_.c_str(), final_path_.c_str()) == 0) {
    ::unlink(tmp_path_.c_str());  // link() refuses to replace: no race with a new final file
  } else if (errno == EEXIST) {
    throw H5Error("output file '" + final_path_ + "' exists; use --overwrite");
  } else {
    // Filesystems without hard links: check, then rename (a small race, no worse than before).
    if (path_exists(final_path_)) {
      throw H5Error("output file '" + final_path_ + "' exists; use --overwrite");
    }
    if (::rename(tmp_path_.c_str(), final_path_.c_str()) != 0) fail_errno("rename", final_path_);
  }
  committed_ = true;
  fsync_directory_of(final_path_);
}

// ---- small files ----------------------------------------------------------------------------
void write_file_atomically(const std::string& path, const std::string& bytes) {
  // A unique suffix (mkstemp) on top of the pid: two writes of one path in one process, or a
  // ResultsWriter of the same name still open, must never share a temporary file.
  std::string tmp = temporary_name_for(path) + "-XXXXXX";
  require_directory(split_file_path(path).first);
  remove_stale_temporaries(path);
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) fail_errno("mkstemp", tmp);
  auto give_up = [&](const char* call) {
    const int saved = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    errno = saved;
    fail_errno(call, tmp);
  };
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) give_up("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0) give_up("fchmod");  // mkstemp creates 0600
  if (::fsync(fd) != 0) give_up("fsync");
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    fail_errno("close", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail_errno("rename", path);
  }
  fsync_directory_of(path);
}

}  // namespace hedgemap::h5
