// HDF5 C API reader of the optima in a results file. Strings are read whatever their storage:
// the writer (host/formats/h5_writer.cpp) stores single strings fixed-length (netCDF NC_CHAR) and
// string lists variable-length (NC_STRING), but a file rewritten by other tools may differ.
//
// The file may be corrupted or foreign: every HDF5 call's status is checked, every dataset's
// class, rank and shape is compared with what it must be before reading, sizes are capped before
// allocating, and a dimension scale named by a variable must be a 1-D scale of the right length
// in the group (the DIMENSION_LIST references live in HDF5's global heap, which has no
// checksum). An object that is absent is reported as absent (NaN, empty) where the spec allows
// it; one that is present but unreadable or malformed is an error naming it. Crashes inside
// libhdf5 itself are contained by inspect/export (host/formats/isolated_call.hpp).
#include "host/formats/optima_reader.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace hedgemap {
namespace {

// What a results file may claim before we believe it: a corrupted size must not make us
// allocate gigabytes. Real files have axes of tens of values and attributes of kilobytes.
constexpr hsize_t kMaxAxisLength = hsize_t{1} << 20;
constexpr std::size_t kMaxAttributeBytes = std::size_t{64} << 20;

class Handle {  // one hid_t and its close function
 public:
  using Closer = herr_t (*)(hid_t);
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), closer_(o.closer_) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (id_ >= 0) closer_(id_);
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_;
  Closer closer_;
};

class QuietHdf5Errors {  // HDF5 prints its error stack by default; we report our own message
 public:
  QuietHdf5Errors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// One open results file and its name, for messages ("<file>: <object>: <what>").
struct File {
  hid_t id;
  std::string name;

  [[noreturn]] void fail(const std::string& object, const std::string& what) const {
    throw ResultsReadError(name + ": " + object + ": " + what);
  }
  Handle open_dataset(const std::string& path) const {
    Handle set(H5Dopen2(id, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!set.valid()) fail(path, "cannot open as a dataset (corrupt file?)");
    return set;
  }
  Handle open_object(const std::string& path) const {
    Handle object(H5Oopen(id, path.c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.valid()) fail(path, "cannot open (corrupt file?)");
    return object;
  }
  // True when every component of the absolute path exists (H5Lexists needs the parents to
  // exist); an error of HDF5 (a corrupted link table) is not "absent" but a failure.
  bool exists(const std::string& path) const {
    for (std::size_t end = path.find('/', 1);; end = path.find('/', end + 1)) {
      const std::string prefix = path.substr(0, end);
      const htri_t found = H5Lexists(id, prefix.c_str(), H5P_DEFAULT);
      if (found < 0) fail(prefix, "cannot look up this link (corrupt file?)");
      if (found == 0) return false;
      if (end == std::string::npos) return true;
    }
  }
};

std::string last_component(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// The dimensions of a dataset's simple dataspace (rank 0 for a scalar); fails on anything else.
std::vector<hsize_t> shape_of(const File& f, hid_t dataset, const std::string& path) {
  Handle space(H5Dget_space(dataset), H5Sclose);
  if (!space.valid() || H5Sget_simple_extent_type(space.get()) == H5S_NO_CLASS)
    f.fail(path, "cannot read its dataspace");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > H5S_MAX_RANK) f.fail(path, "cannot read its rank");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) != rank)
    f.fail(path, "cannot read its shape");
  return dims;
}

std::string shape_text(const std::vector<hsize_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

// A numeric dataset of exactly the shape `expected`, as doubles.
std::vector<double> read_numbers(const File& f, const std::string& path,
                                 const std::vector<hsize_t>& expected) {
  Handle set = f.open_dataset(path);
  Handle type(H5Dget_type(set.get()), H5Tclose);
  const H5T_class_t type_class = type.valid() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  if (type_class != H5T_FLOAT && type_class != H5T_INTEGER)
    f.fail(path, "is not numeric (HDF5 type class " + std::to_string(int(type_class)) + ")");
  const std::vector<hsize_t> dims = shape_of(f, set.get(), path);
  if (dims != expected)
    f.fail(path, "has shape " + shape_text(dims) + ", expected " + shape_text(expected));
  hsize_t count = 1;
  for (hsize_t d : dims) count *= d;
  std::vector<double> values(static_cast<std::size_t>(count));
  if (count > 0 &&
      H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    f.fail(path, "cannot read its values (checksum mismatch or corrupt file?)");
  return values;
}

// A 1-D coordinate axis of 1 .. kMaxAxisLength values.
std::vector<double> read_axis(const File& f, const std::string& path) {
  Handle set = f.open_dataset(path);
  const std::vector<hsize_t> dims = shape_of(f, set.get(), path);
  if (dims.size() != 1 || dims[0] < 1 || dims[0] > kMaxAxisLength)
    f.fail(path, "has shape " + shape_text(dims) + ", expected one dimension of 1 to " +
                     std::to_string(kMaxAxisLength) + " values");
  return read_numbers(f, path, dims);
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Every element of an attribute as text: strings (fixed or variable length) as they are,
// integers in decimal, floats in round-trip form. Absent or a null dataspace: an empty list.
// Present but unreadable, or of another class: an error naming it.
std::vector<std::string> attribute_texts(const File& f, hid_t object, const std::string& where,
                                         const std::string& name) {
  const std::string what = where + (where == "/" ? "" : "/") + "@" + name;
  std::vector<std::string> out;
  const htri_t present = H5Aexists(object, name.c_str());
  if (present < 0) f.fail(what, "cannot look up this attribute (corrupt file?)");
  if (present == 0) return out;
  Handle attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) f.fail(what, "cannot open");
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  if (!type.valid() || !space.valid()) f.fail(what, "cannot read its type or dataspace");
  if (H5Sget_simple_extent_type(space.get()) == H5S_NULL) return out;
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if (count < 0 || static_cast<std::size_t>(count) > kMaxAttributeBytes)
    f.fail(what, "has an impossible number of values (" + std::to_string(count) + ")");
  if (count == 0) return out;
  const std::size_t n = static_cast<std::size_t>(count);
  switch (H5Tget_class(type.get())) {
    case H5T_STRING: {
      Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
      const H5T_cset_t cset = H5Tget_cset(type.get());
      if (!mem.valid() || cset < 0 || H5Tset_cset(mem.get(), cset) < 0)
        f.fail(what, "cannot read its character set");
      const htri_t variable = H5Tis_variable_str(type.get());
      if (variable < 0) f.fail(what, "cannot read its string type");
      if (variable > 0) {
        if (H5Tset_size(mem.get(), H5T_VARIABLE) < 0) f.fail(what, "cannot read its strings");
        std::vector<char*> ptrs(n, nullptr);
        if (H5Aread(attr.get(), mem.get(), ptrs.data()) < 0) f.fail(what, "cannot read");
        for (char* p : ptrs) out.emplace_back(p ? p : "");
        H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
      } else {
        const std::size_t size = H5Tget_size(type.get());
        if (size == 0 || size > kMaxAttributeBytes || n > kMaxAttributeBytes / (size + 1))
          f.fail(what, "has an impossible size (" + std::to_string(n) + " strings of " +
                           std::to_string(size) + " bytes)");
        // Room for a NUL even when the file's strings are space-padded.
        if (H5Tset_size(mem.get(), size + 1) < 0 || H5Tset_strpad(mem.get(), H5T_STR_NULLTERM) < 0)
          f.fail(what, "cannot read its strings");
        std::vector<char> buf(n * (size + 1), '\0');
        if (H5Aread(attr.get(), mem.get(), buf.data()) < 0) f.fail(what, "cannot read");
        for (std::size_t i = 0; i < n; ++i) {
          const char* begin = buf.data() + i * (size + 1);
          std::string s(begin, std::find(begin, begin + size, '\0'));
          while (!s.empty() && s.back() == ' ') s.pop_back();
          out.push_back(s);
        }
      }
      break;
    }
    case H5T_INTEGER: {
      const H5T_sign_t sign = H5Tget_sign(type.get());
      if (sign == H5T_SGN_ERROR) f.fail(what, "cannot read its integer type");
      if (sign == H5T_SGN_NONE) {
        std::vector<std::uint64_t> v(n);
        if (H5Aread(attr.get(), H5T_NATIVE_UINT64, v.data()) < 0) f.fail(what, "cannot read");
        for (auto x : v) out.push_back(std::to_string(x));
      } else {
        std::vector<std::int64_t> v(n);
        if (H5Aread(attr.get(), H5T_NATIVE_INT64, v.data()) < 0) f.fail(what, "cannot read");
        for (auto x : v) out.push_back(std::to_string(x));
      }
      break;
    }
    case H5T_FLOAT: {
      std::vector<double> v(n);
      if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, v.data()) < 0) f.fail(what, "cannot read");
      for (double x : v) out.push_back(number_text(x));
      break;
    }
    default:
      f.fail(what, "is neither a string nor a number");
  }
  return out;
}

std::string attribute_text(const File& f, hid_t object, const std::string& where,
                           const std::string& name) {
  std::string joined;
  for (const std::string& s : attribute_texts(f, object, where, name))
    joined += (joined.empty() ? "" : ", ") + s;
  return joined;
}

std::string attribute_text_at(const File& f, const std::string& path, const std::string& name) {
  Handle object = f.open_object(path);
  return attribute_text(f, object.get(), path, name);
}

// Link names of a group, in creation order when the group indexes it (as hedgemap and netCDF-4
// write them), else in name order.
std::vector<std::string> links_of(const File& f, const std::string& group_path) {
  Handle group(H5Gopen2(f.id, group_path.c_str(), H5P_DEFAULT), H5Gclose);
  if (!group.valid()) f.fail(group_path, "cannot open as a group");
  Handle gcpl(H5Gget_create_plist(group.get()), H5Pclose);
  unsigned order_flags = 0;
  if (!gcpl.valid() || H5Pget_link_creation_order(gcpl.get(), &order_flags) < 0)
    f.fail(group_path, "cannot read its creation properties");
  const H5_index_t index =
      (order_flags & H5P_CRT_ORDER_INDEXED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    auto* list = static_cast<std::vector<std::string>*>(data);
    if (list->size() >= kMaxAxisLength) return -1;  // no real group has a million links
    list->push_back(name);
    return 0;
  };
  hsize_t idx = 0;
  if (H5Literate(group.get(), index, H5_ITER_INC, &idx, collect, &names) < 0)
    f.fail(group_path, "cannot list its members (corrupt file?)");
  return names;
}

H5O_type_t object_type(const File& f, const std::string& path) {
  H5O_info_t info{};
  if (H5Oget_info_by_name2(f.id, path.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
    f.fail(path, "cannot read its object header (corrupt file?)");
  return info.type;
}

// Names of the sub-groups of `group_path`.
std::vector<std::string> subgroups(const File& f, const std::string& group_path) {
  std::vector<std::string> groups;
  for (const std::string& name : links_of(f, group_path))
    if (object_type(f, group_path + "/" + name) == H5O_TYPE_GROUP) groups.push_back(name);
  return groups;
}

// The 1-D dimension scales that are members of `group_path`: {name, length}, in link order.
std::vector<std::pair<std::string, hsize_t>> axes_in_group(const File& f,
                                                           const std::string& group_path) {
  std::vector<std::pair<std::string, hsize_t>> axes;
  for (const std::string& name : links_of(f, group_path)) {
    const std::string path = group_path + "/" + name;
    if (object_type(f, path) != H5O_TYPE_DATASET) continue;
    Handle set = f.open_dataset(path);
    const htri_t scale = H5DSis_scale(set.get());
    if (scale < 0) f.fail(path, "cannot tell whether it is a dimension scale");
    const std::vector<hsize_t> dims = shape_of(f, set.get(), path);
    if (scale > 0 && dims.size() == 1) axes.emplace_back(name, dims[0]);
  }
  return axes;
}

// The group's parameter axes: for each dimension of `objective` after volatility and expiry_days
// (their order is the row-major order of the grid), the axis of the group attached to it, of
// that dimension's length. (H5DSis_attached compares object addresses; following the reference
// and asking its name would search the whole file.) Without `objective`: every axis X of the
// group that has an optimal_X, in link order.
std::vector<std::string> parameter_axes(const File& f, const std::string& group_path,
                                        const std::vector<hsize_t>& cell_shape) {
  const auto candidates = axes_in_group(f, group_path);
  std::vector<std::string> axes;
  const std::string objective = group_path + "/objective";
  if (!f.exists(objective)) {
    for (const auto& [name, length] : candidates)
      if (name.rfind("optimal_", 0) != 0 && f.exists(group_path + "/optimal_" + name))
        axes.push_back(name);
    return axes;
  }
  Handle set = f.open_dataset(objective);
  const std::vector<hsize_t> dims = shape_of(f, set.get(), objective);
  if (dims.size() < cell_shape.size() ||
      !std::equal(cell_shape.begin(), cell_shape.end(), dims.begin()))
    f.fail(objective, "has shape " + shape_text(dims) + ", expected " + shape_text(cell_shape) +
                          " followed by its parameter axes");
  for (unsigned dim = unsigned(cell_shape.size()); dim < dims.size(); ++dim) {
    std::string found;
    for (const auto& [name, length] : candidates) {
      if (length != dims[dim]) continue;
      Handle scale = f.open_dataset(group_path + "/" + name);
      const htri_t attached = H5DSis_attached(set.get(), scale.get(), dim);
      if (attached < 0)
        f.fail(objective, "cannot read the dimension scales of dimension " + std::to_string(dim));
      if (attached > 0) {
        found = name;
        break;
      }
    }
    if (found.empty())
      f.fail(objective, "dimension " + std::to_string(dim) + " (" + std::to_string(dims[dim]) +
                            " values) has no axis of " + group_path + " attached");
    if (std::find(axes.begin(), axes.end(), found) != axes.end())
      f.fail(objective, "has axis '" + found + "' on two dimensions");
    axes.push_back(found);
  }
  return axes;
}

// A per-cell variable when present, else `cells` NaN.
std::vector<double> cell_values_or_nan(const File& f, const std::string& path,
                                       const std::vector<hsize_t>& cell_shape) {
  std::size_t cells = 1;
  for (hsize_t n : cell_shape) cells *= std::size_t(n);
  if (!f.exists(path)) return std::vector<double>(cells, NAN);
  return read_numbers(f, path, cell_shape);
}

PolicyOptima read_policy(const File& f, const std::string& path,
                         const std::vector<hsize_t>& cell_shape) {
  PolicyOptima p;
  p.path = path;
  p.policy = attribute_text_at(f, path, "policy");
  if (p.policy.empty()) p.policy = last_component(path);
  p.objective_kind = attribute_text_at(f, path, "objective_kind");
  p.objective_sense = attribute_text_at(f, path, "objective_sense");
  const std::string optimal_objective = path + "/optimal_objective";
  p.objective = cell_values_or_nan(f, optimal_objective, cell_shape);
  if (f.exists(optimal_objective))
    p.objective_units = attribute_text_at(f, optimal_objective, "units");
  p.confidence = cell_values_or_nan(f, path + "/optimal_confidence", cell_shape);
  for (const std::string& axis : parameter_axes(f, path, cell_shape)) {
    OptimalParameter param;
    param.axis = axis;
    param.units = attribute_text_at(f, path + "/" + axis, "units");
    const std::string grid = path + "/optimal_" + axis;
    param.grid = cell_values_or_nan(f, grid, cell_shape);
    if (f.exists(grid + "_refined")) param.refined = read_numbers(f, grid + "_refined", cell_shape);
    p.parameters.push_back(std::move(param));
  }
  return p;
}

// The extra axes of [grid.axes]: the root dimension scales attached to /model/book_price's
// dimensions after volatility and expiry_days, in dimension order.
std::vector<ExtraAxis> read_extra_axes(const File& f) {
  std::vector<ExtraAxis> extra;
  const std::string probe = "/model/book_price";
  if (!f.exists(probe)) return extra;
  Handle set = f.open_dataset(probe);
  const std::vector<hsize_t> dims = shape_of(f, set.get(), probe);
  std::vector<std::pair<std::string, hsize_t>> candidates;
  for (const std::string& name : links_of(f, "/")) {
    if (name == "volatility" || name == "expiry_days") continue;
    if (object_type(f, "/" + name) != H5O_TYPE_DATASET) continue;
    Handle axis = f.open_dataset("/" + name);
    const std::vector<hsize_t> shape = shape_of(f, axis.get(), "/" + name);
    if (H5DSis_scale(axis.get()) > 0 && shape.size() == 1) candidates.emplace_back(name, shape[0]);
  }
  for (unsigned dim = 2; dim < dims.size(); ++dim) {
    std::string found;
    for (const auto& [name, length] : candidates) {
      if (length != dims[dim]) continue;
      Handle scale = f.open_dataset("/" + name);
      if (H5DSis_attached(set.get(), scale.get(), dim) > 0) {
        found = name;
        break;
      }
    }
    if (found.empty())
      f.fail(probe, "dimension " + std::to_string(dim) + " has no root axis attached");
    ExtraAxis a;
    a.name = found;
    a.scenario_key = attribute_text_at(f, "/" + found, "scenario_key");
    a.values = read_axis(f, "/" + found);
    extra.push_back(std::move(a));
  }
  return extra;
}

}  // namespace

std::vector<std::size_t> ResultsOptima::extra_indices(std::size_t k) const {
  std::vector<std::size_t> index(extra_axes.size());
  for (std::size_t a = extra_axes.size(); a-- > 0;) {
    index[a] = k % extra_axes[a].values.size();
    k /= extra_axes[a].values.size();
  }
  return index;
}

std::string ResultsOptima::best_policy(std::size_t cell) const {
  if (cell >= best_policy_index.size()) return "";
  const double i = best_policy_index[cell];
  if (!(i >= 0.0) || i >= static_cast<double>(best_policy_names.size())) return "";
  return best_policy_names[static_cast<std::size_t>(i)];
}

ResultsOptima read_results_optima(const std::string& path) {
  QuietHdf5Errors quiet;
  // HDF5 would block opening a FIFO and read a device without end: regular files only.
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) throw ResultsReadError(path + ": " + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) throw ResultsReadError(path + ": not a regular file");
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 <= 0)
    throw ResultsReadError(path + ": " +
                           (is_hdf5 == 0 ? "not an HDF5 file" : "cannot be read as HDF5"));
  Handle handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!handle.valid())
    throw ResultsReadError(path + ": cannot open as HDF5 (corrupt file, or a checksum mismatch)");
  const File f{handle.get(), path};

  ResultsOptima r;
  r.file = path;
  {
    Handle root = f.open_object("/");
    for (const char* name : {"title", "source", "date_created", "backend", "device", "paths",
                             "seed", "scenario_name", "precision", "wall_seconds"}) {
      std::string value = attribute_text(f, root.get(), "/", name);
      if (!value.empty()) r.attributes[name] = value;
    }
  }
  if (!f.exists("/volatility") || !f.exists("/expiry_days"))
    throw ResultsReadError(path +
                           ": no /volatility or /expiry_days axis: not a hedgemap results file");
  r.volatility = read_axis(f, "/volatility");
  r.expiry_days = read_axis(f, "/expiry_days");
  r.extra_axes = read_extra_axes(f);
  std::vector<hsize_t> cell_shape{r.volatility.size(), r.expiry_days.size()};
  for (const ExtraAxis& a : r.extra_axes) cell_shape.push_back(a.values.size());

  if (f.exists("/hedging"))
    for (const std::string& g : subgroups(f, "/hedging"))
      r.policies.push_back(read_policy(f, "/hedging/" + g, cell_shape));
  for (const char* g : {"/cppi", "/vol_target"})
    if (f.exists(g)) r.policies.push_back(read_policy(f, g, cell_shape));

  if (f.exists("/best/hedging_policy")) {
    r.best_policy_index = read_numbers(f, "/best/hedging_policy", cell_shape);
    Handle best = f.open_object("/best/hedging_policy");
    r.best_policy_names = attribute_texts(f, best.get(), "/best/hedging_policy", "policies");
    for (const std::string& name : r.best_policy_names) {
      const bool known =
          std::any_of(r.policies.begin(), r.policies.end(),
                      [&](const PolicyOptima& p) { return p.is_hedging() && p.policy == name; });
      if (!known)
        f.fail("/best/hedging_policy/@policies",
               "names '" + name + "', which is not a hedging group of this file");
    }
  }
  return r;
}

}  // namespace hedgemap
