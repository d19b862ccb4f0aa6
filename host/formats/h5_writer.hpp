// Writes one results file (docs/results-format.md) that xarray/h5netcdf, h5py, netCDF-4
// (ncdump) and h5dump all read with NAMED dimensions, and that appears under its final name only
// once complete: HDF5 builds it in memory, commit() writes it out through
// host/formats/atomic_file.hpp (exclusive temporary, fsync, rename). Format: HDF5 1.10
// (checksummed metadata) with a Fletcher-32 checksum on every dataset's chunks.
//
// How the readers find dimension names (checked against h5netcdf 1.1 core.py and libnetcdf 4.9):
//  - An axis is a 1-D dataset made an HDF5 dimension scale (H5DSset_scale, NAME = last path
//    component); a variable gets every axis attached (H5DSattach_scale -> DIMENSION_LIST on the
//    variable, REFERENCE_LIST on the axis).
//  - h5netcdf follows each DIMENSION_LIST object reference and names the dimension after the LAST
//    PATH COMPONENT of the scale it points to, wherever that scale lives; sizes are then looked up
//    in the variable's group and its ANCESTORS (a ChainMap). netCDF-4 likewise searches the
//    variable's group and its ancestors. So a variable in /hedging/periodic may use /volatility,
//    but not /cppi/tolerance, and two axes of one variable must not share a last component: the
//    writer refuses both, so every file it writes is readable. No _Netcdf4Dimid is needed.
//  - Link and attribute creation order are tracked and indexed, as netCDF-4 writes them.
//
// Usage (all paths absolute, groups created on demand):
//   h5::ResultsWriter out("results/run.h5", overwrite);
//   out.attribute("/", "Conventions", "CF-1.8");
//   out.axis("/volatility", std::vector<double>{0.5, 0.8}, "1", "annualized volatility");
//   out.axis("/expiry_days", std::vector<std::int64_t>{7, 30}, "day", "time to expiry");
//   out.variable("/model/book_price", {"/volatility", "/expiry_days"}, data, "USD", "...");
//   out.commit();  // without it nothing is written
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace hedgemap {

// Any HDF5 failure of the results writer: the HDF5 call that failed and the object path. (Failures
// to write the file out are FileWriteError, host/formats/atomic_file.hpp.)
class H5Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace h5 {

class ResultsWriter {
 public:
  // Checks final_path first (output_path_problem: FileWriteError "... exists; use --overwrite",
  // a directory, a symlink, a FIFO, ...), then creates the file in memory.
  ResultsWriter(const std::string& final_path, bool overwrite);
  ~ResultsWriter();  // not committed: the in-memory file is dropped; never throws
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  // An attribute on "/", a group (created on demand) or an already written axis/variable.
  // Writing the same name again replaces the value. Strings are fixed-length UTF-8 (netCDF
  // NC_CHAR); string lists are variable-length UTF-8 (netCDF NC_STRING), read as list of str
  // (but h5netcdf and netCDF4-python both return a ONE-element list as a plain str; an empty
  // list is a null dataspace, read as an empty array).
  void attribute(const std::string& object_path, const std::string& name, const std::string& value);
  void attribute(const std::string& object_path, const std::string& name, const char* value) {
    attribute(object_path, name, std::string(value));
  }
  void attribute(const std::string& object_path, const std::string& name, double value);
  void attribute(const std::string& object_path, const std::string& name, std::int64_t value);
  void attribute(const std::string& object_path, const std::string& name, std::uint64_t value);
  void attribute(const std::string& object_path, const std::string& name,
                 const std::vector<std::string>& values);
  // Other integer types (int, unsigned, long long, ...) go to the 64-bit overloads by sign.
  template <typename Int, std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool> &&
                                               !std::is_same_v<Int, std::int64_t> &&
                                               !std::is_same_v<Int, std::uint64_t>,
                                           int> = 0>
  void attribute(const std::string& object_path, const std::string& name, Int value) {
    if constexpr (std::is_signed_v<Int>) {
      attribute(object_path, name, static_cast<std::int64_t>(value));
    } else {
      attribute(object_path, name, static_cast<std::uint64_t>(value));
    }
  }
  // bool has no netCDF type: write 0/1 as an integer, explicitly.
  void attribute(const std::string& object_path, const std::string& name, bool value) = delete;

  // A 1-D coordinate axis, made a dimension scale named after its last path component.
  void axis(const std::string& path, const std::vector<double>& values, const std::string& units,
            const std::string& long_name);
  void axis(const std::string& path, const std::vector<std::int64_t>& values,
            const std::string& units, const std::string& long_name);

  // An N-D variable over already written axes (row-major data, axis_paths[0] varies slowest),
  // every axis attached as its dimension scale; deflate(4)+shuffle, chunked, when non-empty.
  // Throws if data.size() != product of the axis lengths, an axis was not written by axis(),
  // an axis lives outside the variable's group and its ancestors, or two axes share a name.
  // No axes: a scalar.
  void variable(const std::string& path, const std::vector<std::string>& axis_paths,
                const std::vector<double>& data, const std::string& units,
                const std::string& long_name);
  void variable(const std::string& path, const std::vector<std::string>& axis_paths,
                const std::vector<std::int64_t>& data, const std::string& units,
                const std::string& long_name);
  void variable(const std::string& path, const std::vector<std::string>& axis_paths,
                const std::vector<std::uint8_t>& data, const std::string& units,
                const std::string& long_name);  // flags (netCDF NC_UBYTE)

  // Closes the file and writes its image to final_path atomically (write_file_atomically: with
  // !overwrite it fails rather than replace a file that appeared meanwhile; with overwrite it
  // replaces only a regular file). FileWriteError on a full disk, EFBIG, ...: nothing is left.
  // After commit() every other call throws.
  void commit();

  const std::string& final_path() const { return final_path_; }

 private:
  hid_t open_or_create_group(const std::string& group_path);  // caller closes
  hid_t open_object(const std::string& object_path);          // caller closes
  void write_attribute(const std::string& object_path, const std::string& name, hid_t type,
                       hid_t space, const void* buffer);
  void write_axis(const std::string& path, hid_t mem_type, hid_t file_type, std::size_t size,
                  const void* values, const std::string& units, const std::string& long_name);
  void write_variable(const std::string& path, const std::vector<std::string>& axis_paths,
                      hid_t mem_type, hid_t file_type, std::size_t size, const void* data,
                      const std::string& units, const std::string& long_name);
  void require_open(const char* operation) const;
  void close_file() noexcept;

  std::string final_path_;
  bool overwrite_ = false;
  hid_t file_ = H5I_INVALID_HID;
  bool committed_ = false;
  std::map<std::string, hsize_t> axis_lengths_;  // axis path -> length, written by axis()
};

// HDF5 prints its error stack to stderr by default, also from the library's own clean-up at
// exit. Called once at start-up; failures are reported by our exceptions instead.
void turn_off_error_printing();

}  // namespace h5
}  // namespace hedgemap
