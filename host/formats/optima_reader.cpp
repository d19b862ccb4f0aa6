// HDF5 C API reader of the optima in a results file. Strings are read whatever their storage:
// the writer (host/formats/h5_writer.cpp) stores single strings fixed-length (netCDF NC_CHAR) and
// string lists variable-length (NC_STRING), but a file rewritten by other tools may differ.
#include "host/formats/optima_reader.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace hedgemap {
namespace {

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

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw ResultsReadError(file + ": " + what);
}

// True when every component of the absolute path exists (H5Lexists needs the parents to exist).
bool exists(hid_t file, const std::string& path) {
  for (std::size_t end = path.find('/', 1);; end = path.find('/', end + 1)) {
    const std::string prefix = path.substr(0, end);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (end == std::string::npos) return true;
  }
}

std::string last_component(const std::string& path) { return path.substr(path.rfind('/') + 1); }

std::vector<double> read_doubles(hid_t file, const std::string& name, const std::string& path,
                                 std::size_t expected) {
  Handle set(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!set.valid()) fail(name, "cannot open dataset " + path);
  Handle space(H5Dget_space(set.get()), H5Sclose);
  const hssize_t n = space.valid() ? H5Sget_simple_extent_npoints(space.get()) : -1;
  if (n < 0 || (expected != 0 && static_cast<std::size_t>(n) != expected))
    fail(name,
         path + " has " + std::to_string(n) + " values, expected " + std::to_string(expected));
  std::vector<double> values(static_cast<std::size_t>(n));
  if (n > 0 &&
      H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    fail(name, "cannot read " + path + " as double");
  return values;
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Every element of an attribute as text: strings (fixed or variable length) as they are,
// integers in decimal, floats in round-trip form. A null dataspace gives an empty list.
std::vector<std::string> attribute_texts(hid_t object, const std::string& name) {
  std::vector<std::string> out;
  if (H5Aexists(object, name.c_str()) <= 0) return out;
  Handle attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) return out;
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  if (!type.valid() || !space.valid()) return out;
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if (count <= 0) return out;
  const std::size_t n = static_cast<std::size_t>(count);
  switch (H5Tget_class(type.get())) {
    case H5T_STRING: {
      Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
      if (H5Tis_variable_str(type.get()) > 0) {
        H5Tset_size(mem.get(), H5T_VARIABLE);
        std::vector<char*> ptrs(n, nullptr);
        if (H5Aread(attr.get(), mem.get(), ptrs.data()) < 0) return out;
        for (char* p : ptrs) out.emplace_back(p ? p : "");
        H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
      } else {
        const std::size_t size = H5Tget_size(type.get());
        H5Tset_size(mem.get(), size + 1);  // room for a NUL even when the file's is space-padded
        H5Tset_strpad(mem.get(), H5T_STR_NULLTERM);
        std::vector<char> buf(n * (size + 1), '\0');
        if (H5Aread(attr.get(), mem.get(), buf.data()) < 0) return out;
        for (std::size_t i = 0; i < n; ++i) {
          std::string s(buf.data() + i * (size + 1));
          while (!s.empty() && s.back() == ' ') s.pop_back();
          out.push_back(s);
        }
      }
      break;
    }
    case H5T_INTEGER: {
      if (H5Tget_sign(type.get()) == H5T_SGN_NONE) {
        std::vector<std::uint64_t> v(n);
        if (H5Aread(attr.get(), H5T_NATIVE_UINT64, v.data()) < 0) return out;
        for (auto x : v) out.push_back(std::to_string(x));
      } else {
        std::vector<std::int64_t> v(n);
        if (H5Aread(attr.get(), H5T_NATIVE_INT64, v.data()) < 0) return out;
        for (auto x : v) out.push_back(std::to_string(x));
      }
      break;
    }
    case H5T_FLOAT: {
      std::vector<double> v(n);
      if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, v.data()) < 0) return out;
      for (double x : v) out.push_back(number_text(x));
      break;
    }
    default:
      break;
  }
  return out;
}

std::string attribute_text(hid_t object, const std::string& name) {
  std::string joined;
  for (const std::string& s : attribute_texts(object, name))
    joined += (joined.empty() ? "" : ", ") + s;
  return joined;
}

std::string attribute_text_at(hid_t file, const std::string& path, const std::string& name) {
  Handle object(H5Oopen(file, path.c_str(), H5P_DEFAULT), H5Oclose);
  return object.valid() ? attribute_text(object.get(), name) : std::string();
}

// Names of the sub-groups of `group_path`, in creation order where the file tracks it.
std::vector<std::string> subgroups(hid_t file, const std::string& group_path) {
  std::vector<std::string> names;
  Handle group(H5Gopen2(file, group_path.c_str(), H5P_DEFAULT), H5Gclose);
  if (!group.valid()) return names;
  auto collect = [](hid_t loc, const char* name, const H5L_info_t*, void* data) -> herr_t {
    Handle object(H5Oopen(loc, name, H5P_DEFAULT), H5Oclose);
    if (object.valid() && H5Iget_type(object.get()) == H5I_GROUP)
      static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
  };
  hsize_t idx = 0;
  if (H5Literate(group.get(), H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, collect, &names) < 0) {
    names.clear();
    idx = 0;
    H5Literate(group.get(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect, &names);
  }
  return names;
}

// The group's parameter axes: the dimension scales attached to `objective` after volatility and
// expiry_days (their order is the row-major order of the grid); without `objective`, every
// dataset X of the group that has an optimal_X, in link order.
std::vector<std::string> parameter_axes(hid_t file, const std::string& group_path) {
  std::vector<std::string> axes;
  const std::string objective = group_path + "/objective";
  if (exists(file, objective)) {
    Handle set(H5Dopen2(file, objective.c_str(), H5P_DEFAULT), H5Dclose);
    Handle space(set.valid() ? H5Dget_space(set.get()) : H5I_INVALID_HID, H5Sclose);
    const int rank = space.valid() ? H5Sget_simple_extent_ndims(space.get()) : -1;
    for (int dim = 2; dim < rank; ++dim) {
      std::string name;
      auto visit = [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
        char buf[1024];
        const ssize_t len = H5Iget_name(scale, buf, sizeof buf);
        if (len > 0) *static_cast<std::string*>(data) = last_component(buf);
        return 1;  // the first attached scale names the dimension
      };
      H5DSiterate_scales(set.get(), static_cast<unsigned>(dim), nullptr, visit, &name);
      if (name.empty()) break;
      axes.push_back(name);
    }
    if (rank >= 2 && axes.size() == static_cast<std::size_t>(rank - 2)) return axes;
    axes.clear();
  }
  Handle group(H5Gopen2(file, group_path.c_str(), H5P_DEFAULT), H5Gclose);
  if (!group.valid()) return axes;
  struct Collect {
    std::vector<std::string> names;
  } collected;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<Collect*>(data)->names.push_back(name);
    return 0;
  };
  hsize_t idx = 0;
  if (H5Literate(group.get(), H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, collect, &collected) < 0) {
    collected.names.clear();
    idx = 0;
    H5Literate(group.get(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect, &collected);
  }
  for (const std::string& name : collected.names)
    if (name.rfind("optimal_", 0) != 0 && exists(file, group_path + "/optimal_" + name))
      axes.push_back(name);
  return axes;
}

PolicyOptima read_policy(hid_t file, const std::string& name, const std::string& path,
                         std::size_t cells) {
  PolicyOptima p;
  p.path = path;
  p.policy = attribute_text_at(file, path, "policy");
  if (p.policy.empty()) p.policy = last_component(path);
  p.objective_kind = attribute_text_at(file, path, "objective_kind");
  p.objective_sense = attribute_text_at(file, path, "objective_sense");
  const std::string optimal_objective = path + "/optimal_objective";
  if (exists(file, optimal_objective)) {
    p.objective = read_doubles(file, name, optimal_objective, cells);
    p.objective_units = attribute_text_at(file, optimal_objective, "units");
  } else {
    p.objective.assign(cells, NAN);
  }
  const std::string confidence = path + "/optimal_confidence";
  p.confidence = exists(file, confidence) ? read_doubles(file, name, confidence, cells)
                                          : std::vector<double>(cells, NAN);
  for (const std::string& axis : parameter_axes(file, path)) {
    OptimalParameter param;
    param.axis = axis;
    param.units = attribute_text_at(file, path + "/" + axis, "units");
    const std::string grid = path + "/optimal_" + axis;
    param.grid = exists(file, grid) ? read_doubles(file, name, grid, cells)
                                    : std::vector<double>(cells, NAN);
    if (exists(file, grid + "_refined"))
      param.refined = read_doubles(file, name, grid + "_refined", cells);
    p.parameters.push_back(std::move(param));
  }
  return p;
}

}  // namespace

std::string ResultsOptima::best_policy(std::size_t cell) const {
  if (cell >= best_policy_index.size()) return "";
  const double i = best_policy_index[cell];
  if (!(i >= 0.0) || i >= static_cast<double>(best_policy_names.size())) return "";
  return best_policy_names[static_cast<std::size_t>(i)];
}

ResultsOptima read_results_optima(const std::string& path) {
  QuietHdf5Errors quiet;
  if (H5Fis_hdf5(path.c_str()) <= 0) fail(path, "not a readable HDF5 file");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid()) fail(path, "cannot open as HDF5");
  const hid_t f = file.get();

  ResultsOptima r;
  r.file = path;
  {
    Handle root(H5Oopen(f, "/", H5P_DEFAULT), H5Oclose);
    for (const char* name : {"title", "source", "date_created", "backend", "device", "paths",
                             "seed", "scenario_name", "precision", "wall_seconds"}) {
      std::string value = attribute_text(root.get(), name);
      if (!value.empty()) r.attributes[name] = value;
    }
  }
  if (!exists(f, "/volatility") || !exists(f, "/expiry_days"))
    fail(path, "no /volatility or /expiry_days axis: not a hedgemap results file");
  r.volatility = read_doubles(f, path, "/volatility", 0);
  r.expiry_days = read_doubles(f, path, "/expiry_days", 0);
  const std::size_t cells = r.cells();

  for (const std::string& g : subgroups(f, "/hedging"))
    r.policies.push_back(read_policy(f, path, "/hedging/" + g, cells));
  for (const char* g : {"/cppi", "/vol_target"})
    if (exists(f, g)) r.policies.push_back(read_policy(f, path, g, cells));

  if (exists(f, "/best/hedging_policy")) {
    r.best_policy_index = read_doubles(f, path, "/best/hedging_policy", cells);
    Handle best(H5Oopen(f, "/best/hedging_policy", H5P_DEFAULT), H5Oclose);
    if (best.valid()) r.best_policy_names = attribute_texts(best.get(), "policies");
  }
  return r;
}

}  // namespace hedgemap
