// The results writer: values, attributes and dimension scales read back with the HDF5 C API;
// atomic commit (no file before commit, no leftovers, no clobbering without overwrite); misuse
// refused before anything is written; and xarray/h5netcdf (plus netCDF-4 when present) showing
// named dimensions, including a subgroup variable over root-group axes.
#include <gtest/gtest.h>
#include <hdf5_hl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "host/formats/atomic_file.hpp"
#include "host/formats/h5_writer.hpp"
#include "tests/support/scratch_dir.hpp"

namespace {

namespace fs = std::filesystem;
using hedgemap::FileWriteError;
using hedgemap::H5Error;
using hedgemap::write_file_atomically;
using hedgemap::h5::ResultsWriter;
using hedgemap::test_support::ScratchDir;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The reference layout: root attributes and axes, a subgroup with its own axis, 1-D/2-D/3-D
// variables with NaN in them.
const std::vector<double> kVolatility = {0.3, 0.6, 0.9};
const std::vector<std::int64_t> kExpiry = {7, 30};
const std::vector<std::int64_t> kEvery = {1, 2, 4, 8};

std::vector<double> book_price() { return {1.0, kNaN, 3.0, 4.0, 5.0, -6.5}; }  // [3, 2]

std::vector<double> pnl_mean() {  // [3, 2, 4]: value = 100 v + 10 e + s, NaN at (1, 0, 2)
  std::vector<double> data;
  for (int v = 0; v < 3; ++v)
    for (int e = 0; e < 2; ++e)
      for (int s = 0; s < 4; ++s) data.push_back(100.0 * v + 10.0 * e + s);
  data[1 * 8 + 0 * 4 + 2] = kNaN;
  return data;
}

void write_reference_file(const std::string& path) {
  ResultsWriter out(path, /*overwrite=*/false);
  out.attribute("/", "Conventions", "CF-1.8");
  out.attribute("/", "title", std::string("résumé ✓"));  // UTF-8
  out.attribute("/", "seed", std::uint64_t{18446744073709551615ull});
  out.attribute("/", "paths", 200000);  // int -> int64
  out.attribute("/", "wall_seconds", 1.25);
  out.attribute("/", "empty", "");
  out.attribute("/", "policies", std::vector<std::string>{"none", "periodic", "delta_band"});
  out.attribute("/", "no_flags", std::vector<std::string>{});
  out.axis("/volatility", kVolatility, "1", "annualized volatility");
  out.axis("/expiry_days", kExpiry, "day", "time to expiry");
  out.variable("/steps", {"/expiry_days"}, std::vector<std::int64_t>{168, 720}, "1",
               "monitoring steps per path");
  out.variable("/model/wall", {}, std::vector<double>{2.5}, "s", "a scalar");
  out.variable("/model/book_price", {"/volatility", "/expiry_days"}, book_price(), "USD",
               "closed-form value of the book");
  out.attribute("/hedging/periodic", "parameter", "every_steps");
  out.axis("/hedging/periodic/every_steps", kEvery, "1", "steps between rebalances");
  out.variable("/hedging/periodic/pnl_mean",
               {"/volatility", "/expiry_days", "/hedging/periodic/every_steps"}, pnl_mean(), "USD",
               "mean P&L");
  out.commit();
}

// ---- HDF5 C API readers -----------------------------------------------------------------------
std::string string_attribute(hid_t object, const char* name) {
  const hid_t attr = H5Aopen(object, name, H5P_DEFAULT);
  EXPECT_GE(attr, 0) << name;
  const hid_t type = H5Aget_type(attr);
  EXPECT_EQ(H5Tget_class(type), H5T_STRING) << name;
  EXPECT_EQ(H5Tget_cset(type), H5T_CSET_UTF8) << name;
  EXPECT_FALSE(H5Tis_variable_str(type)) << name;
  std::string value(H5Tget_size(type), '\0');
  EXPECT_GE(H5Aread(attr, type, value.data()), 0) << name;
  H5Tclose(type);
  H5Aclose(attr);
  return value.substr(0, value.find('\0'));
}

template <typename T>
T numeric_attribute(hid_t object, const char* name, hid_t mem_type) {
  T value{};
  const hid_t attr = H5Aopen(object, name, H5P_DEFAULT);
  EXPECT_GE(attr, 0) << name;
  EXPECT_GE(H5Aread(attr, mem_type, &value), 0) << name;
  H5Aclose(attr);
  return value;
}

std::vector<double> read_doubles(hid_t dataset) {
  const hid_t space = H5Dget_space(dataset);
  std::vector<double> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  H5Sclose(space);
  EXPECT_GE(H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
  return values;
}

std::vector<hsize_t> shape_of(hid_t dataset) {
  const hid_t space = H5Dget_space(dataset);
  std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  H5Sclose(space);
  return dims;
}

// The id of the index-th filter of a dataset creation property list.
H5Z_filter_t filter_at(hid_t dcpl, unsigned index) {
  unsigned flags = 0, values[8] = {};
  std::size_t count = 8;
  return H5Pget_filter2(dcpl, index, &flags, &count, values, 0, nullptr, nullptr);
}

// NaN-aware equality: NaN exactly where expected, the same bits elsewhere.
void expect_same_values(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "index " << i;
    } else {
      EXPECT_EQ(got[i], want[i]) << "index " << i;
    }
  }
}

// Every dimension of `variable` has exactly one scale attached: the axis at the same index.
void expect_scales(hid_t file, const char* variable, const std::vector<const char*>& axes) {
  const hid_t var = H5Dopen2(file, variable, H5P_DEFAULT);
  ASSERT_GE(var, 0) << variable;
  EXPECT_EQ(H5DSis_scale(var), 0) << variable;
  EXPECT_EQ(shape_of(var).size(), axes.size());
  for (unsigned i = 0; i < axes.size(); ++i) {
    EXPECT_EQ(H5DSget_num_scales(var, i), 1) << variable << " dim " << i;
    for (unsigned j = 0; j < axes.size(); ++j) {
      const hid_t scale = H5Dopen2(file, axes[j], H5P_DEFAULT);
      EXPECT_EQ(H5DSis_scale(scale), 1) << axes[j];
      EXPECT_EQ(H5DSis_attached(var, scale, i), i == j ? 1 : 0)
          << variable << " dim " << i << " axis " << axes[j];
      H5Dclose(scale);
    }
  }
  EXPECT_EQ(string_attribute(var, "units").empty(), false);
  H5Dclose(var);
}

TEST(H5WriterLayout, RoundTripsValuesAttributesAndDimensionScales) {
  ScratchDir dir("hedgemap_h5");
  const std::string path = dir.file("run.h5");
  write_reference_file(path);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"run.h5"});  // no temporary left over

  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);
  EXPECT_EQ(string_attribute(root, "Conventions"), "CF-1.8");
  EXPECT_EQ(string_attribute(root, "title"), "résumé ✓");
  EXPECT_EQ(string_attribute(root, "empty"), "");
  EXPECT_EQ(numeric_attribute<std::uint64_t>(root, "seed", H5T_NATIVE_UINT64),
            18446744073709551615ull);
  EXPECT_EQ(numeric_attribute<std::int64_t>(root, "paths", H5T_NATIVE_INT64), 200000);
  EXPECT_EQ(numeric_attribute<double>(root, "wall_seconds", H5T_NATIVE_DOUBLE), 1.25);
  {  // the string list: variable-length UTF-8, in order
    const hid_t attr = H5Aopen(root, "policies", H5P_DEFAULT);
    const hid_t type = H5Aget_type(attr);
    EXPECT_TRUE(H5Tis_variable_str(type));
    char* values[3] = {nullptr, nullptr, nullptr};
    ASSERT_GE(H5Aread(attr, type, values), 0);
    EXPECT_STREQ(values[0], "none");
    EXPECT_STREQ(values[1], "periodic");
    EXPECT_STREQ(values[2], "delta_band");
    const hid_t space = H5Aget_space(attr);
    EXPECT_EQ(H5Sget_simple_extent_npoints(space), 3);
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, values);
    H5Sclose(space);
    H5Tclose(type);
    H5Aclose(attr);
  }
  {  // an empty string list: a null dataspace
    const hid_t attr = H5Aopen(root, "no_flags", H5P_DEFAULT);
    const hid_t space = H5Aget_space(attr);
    EXPECT_EQ(H5Sget_simple_extent_type(space), H5S_NULL);
    H5Sclose(space);
    H5Aclose(attr);
  }
  H5Gclose(root);
  for (const char* group_path : {"/", "/hedging", "/hedging/periodic"}) {
    // creation order of links and attributes tracked and indexed, as netCDF-4 writes them
    const hid_t group = H5Gopen2(file, group_path, H5P_DEFAULT);
    const hid_t gcpl = H5Gget_create_plist(group);
    unsigned links = 0, attributes = 0;
    H5Pget_link_creation_order(gcpl, &links);
    H5Pget_attr_creation_order(gcpl, &attributes);
    EXPECT_EQ(links, unsigned{H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED}) << group_path;
    EXPECT_EQ(attributes, unsigned{H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED}) << group_path;
    H5Pclose(gcpl);
    H5Gclose(group);
  }

  {  // axes: values, scale names, units
    const hid_t volatility = H5Dopen2(file, "/volatility", H5P_DEFAULT);
    EXPECT_EQ(read_doubles(volatility), kVolatility);
    char name[64] = {};
    H5DSget_scale_name(volatility, name, sizeof name);
    EXPECT_STREQ(name, "volatility");
    EXPECT_EQ(string_attribute(volatility, "long_name"), "annualized volatility");
    H5Dclose(volatility);
    const hid_t every = H5Dopen2(file, "/hedging/periodic/every_steps", H5P_DEFAULT);
    std::vector<std::int64_t> steps(4);
    H5Dread(every, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, steps.data());
    EXPECT_EQ(steps, kEvery);
    const hid_t type = H5Dget_type(every);
    EXPECT_TRUE(H5Tequal(type, H5T_STD_I64LE) > 0);
    H5Tclose(type);
    H5DSget_scale_name(every, name, sizeof name);
    EXPECT_STREQ(name, "every_steps");
    H5Dclose(every);
  }
  {  // variables: shapes, values with NaN, compression
    const hid_t book = H5Dopen2(file, "/model/book_price", H5P_DEFAULT);
    EXPECT_EQ(shape_of(book), (std::vector<hsize_t>{3, 2}));
    expect_same_values(read_doubles(book), book_price());
    EXPECT_EQ(string_attribute(book, "units"), "USD");
    const hid_t dcpl = H5Dget_create_plist(book);
    EXPECT_EQ(H5Pget_layout(dcpl), H5D_CHUNKED);
    ASSERT_EQ(H5Pget_nfilters(dcpl), 3);  // shuffle, deflate, then the checksum of what is stored
    EXPECT_EQ(filter_at(dcpl, 0), H5Z_FILTER_SHUFFLE);
    EXPECT_EQ(filter_at(dcpl, 1), H5Z_FILTER_DEFLATE);
    EXPECT_EQ(filter_at(dcpl, 2), H5Z_FILTER_FLETCHER32);
    H5Pclose(dcpl);
    H5Dclose(book);
    const hid_t wall = H5Dopen2(file, "/model/wall", H5P_DEFAULT);
    EXPECT_TRUE(shape_of(wall).empty());
    EXPECT_EQ(read_doubles(wall), std::vector<double>{2.5});
    H5Dclose(wall);
    const hid_t pnl = H5Dopen2(file, "/hedging/periodic/pnl_mean", H5P_DEFAULT);
    EXPECT_EQ(shape_of(pnl), (std::vector<hsize_t>{3, 2, 4}));
    expect_same_values(read_doubles(pnl), pnl_mean());
    EXPECT_EQ(string_attribute(pnl, "long_name"), "mean P&L");
    H5Dclose(pnl);
  }
  expect_scales(file, "/steps", {"/expiry_days"});
  expect_scales(file, "/model/book_price", {"/volatility", "/expiry_days"});
  expect_scales(file, "/hedging/periodic/pnl_mean",
                {"/volatility", "/expiry_days", "/hedging/periodic/every_steps"});
  H5Fclose(file);
}

// ---- atomicity ------------------------------------------------------------------------------
// The file is built in memory: nothing reaches the directory before commit().
TEST(H5WriterAtomic, UncommittedWriterLeavesNoFileAndNoTemporary) {
  ScratchDir dir("hedgemap_h5");
  const std::string path = dir.file("run.h5");
  {
    ResultsWriter out(path, false);
    out.axis("/volatility", kVolatility, "1", "annualized volatility");
    EXPECT_TRUE(dir.entries().empty());
  }
  EXPECT_TRUE(dir.entries().empty());
}

TEST(H5WriterAtomic, ExistingFileWithoutOverwriteThrowsAndIsUntouched) {
  ScratchDir dir("hedgemap_h5");
  const std::string path = dir.file("run.h5");
  write_file_atomically(path, "earlier results");
  try {
    ResultsWriter out(path, /*overwrite=*/false);
    FAIL() << "expected FileWriteError";
  } catch (const FileWriteError& error) {
    EXPECT_NE(std::string(error.what()).find("use --overwrite"), std::string::npos) << error.what();
  }
  EXPECT_EQ(read_text(path), "earlier results");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"run.h5"});
}

TEST(H5WriterAtomic, FileAppearingBeforeCommitIsNotReplacedWithoutOverwrite) {
  ScratchDir dir("hedgemap_h5");
  const std::string path = dir.file("run.h5");
  ResultsWriter out(path, /*overwrite=*/false);
  out.axis("/volatility", kVolatility, "1", "annualized volatility");
  write_file_atomically(path, "someone else's");
  EXPECT_THROW(out.commit(), FileWriteError);
  EXPECT_EQ(read_text(path), "someone else's");
}

TEST(H5WriterAtomic, OverwriteReplacesOnlyAtCommit) {
  ScratchDir dir("hedgemap_h5");
  const std::string path = dir.file("run.h5");
  write_file_atomically(path, "earlier results");
  {  // an interrupted overwrite leaves the earlier file as it was
    ResultsWriter out(path, /*overwrite=*/true);
    out.axis("/volatility", kVolatility, "1", "annualized volatility");
  }
  EXPECT_EQ(read_text(path), "earlier results");
  ResultsWriter out(path, /*overwrite=*/true);
  out.axis("/volatility", kVolatility, "1", "annualized volatility");
  EXPECT_EQ(read_text(path), "earlier results");
  out.commit();
  EXPECT_GT(H5Fis_hdf5(path.c_str()), 0);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"run.h5"});
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t volatility = H5Dopen2(file, "/volatility", H5P_DEFAULT);
  EXPECT_EQ(read_doubles(volatility), kVolatility);
  H5Dclose(volatility);
  H5Fclose(file);
}

TEST(H5WriterAtomic, SmallFileWriteReplacesContentsAndLeavesNoTemporary) {
  ScratchDir dir("hedgemap_h5");
  const std::string path = dir.file("checkpoint.bin");
  write_file_atomically(path, std::string("first\0x", 7));
  EXPECT_EQ(read_text(path), std::string("first\0x", 7));
  write_file_atomically(path, "second");
  EXPECT_EQ(read_text(path), "second");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"checkpoint.bin"});
  EXPECT_THROW(write_file_atomically(dir.file("missing/checkpoint.bin"), "x"), FileWriteError);
}

// A run killed by SIGKILL leaves its temporary behind; the next write of the same output removes
// it, but not a live process's temporary or another output's.
TEST(H5WriterAtomic, StaleTemporariesOfDeadProcessesAreRemoved) {
  ScratchDir dir("hedgemap_h5");
  const std::string dead = "2147483000";  // above any pid_max: no such process
  const std::string live = std::to_string(::getppid());
  for (const std::string& name : std::vector<std::string>{
           ".run.h5.tmp-" + dead, ".run.h5.tmp-" + dead + "-a1B2c3", ".run.h5.tmp-" + live,
           ".other.h5.tmp-" + dead, ".run.h5.tmp-notapid", ".ckpt.bin.tmp-" + dead + "-zzzzzz"}) {
    std::ofstream(dir.file(name)) << "partial";
  }
  ResultsWriter out(dir.file("run.h5"), false);
  out.axis("/volatility", kVolatility, "1", "annualized volatility");
  out.commit();
  write_file_atomically(dir.file("ckpt.bin"), "checkpoint");
  std::vector<std::string> names = dir.entries();
  std::sort(names.begin(), names.end());
  std::vector<std::string> expected = {".other.h5.tmp-" + dead, ".run.h5.tmp-" + live,
                                       ".run.h5.tmp-notapid", "ckpt.bin", "run.h5"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names, expected);
}

// ---- misuse is refused before anything is written ------------------------------------------
TEST(H5WriterMisuse, RefusesBadShapesAxesAndPaths) {
  ScratchDir dir("hedgemap_h5");
  const std::string path = dir.file("run.h5");
  ResultsWriter out(path, false);
  out.axis("/volatility", kVolatility, "1", "annualized volatility");
  out.axis("/expiry_days", kExpiry, "day", "time to expiry");
  out.axis("/cppi/tolerance", std::vector<double>{0.1, 0.2}, "1", "tolerance");
  out.axis("/vol_target/tolerance", std::vector<double>{0.1, 0.2}, "1", "tolerance");
  const std::vector<double> six(6, 1.0);
  // 5 values for a [3, 2] shape
  EXPECT_THROW(
      out.variable("/model/a", {"/volatility", "/expiry_days"}, std::vector<double>(5), "1", "a"),
      H5Error);
  EXPECT_THROW(out.variable("/model/b", {"/volatility", "/nope"}, six, "1", "b"), H5Error);
  // /cppi/tolerance is not visible from /vol_target (netCDF scoping)
  EXPECT_THROW(out.variable("/vol_target/c", {"/volatility", "/cppi/tolerance"}, six, "1", "c"),
               H5Error);
  // both axes would be named "tolerance"
  EXPECT_THROW(out.variable("/vol_target/d", {"/cppi/tolerance", "/vol_target/tolerance"},
                            std::vector<double>(4), "1", "d"),
               H5Error);
  EXPECT_THROW(out.axis("/volatility", kVolatility, "1", "again"), H5Error);
  EXPECT_THROW(out.axis("relative", kVolatility, "1", "x"), H5Error);
  EXPECT_THROW(out.axis("/a//b", kVolatility, "1", "x"), H5Error);
  EXPECT_THROW(out.variable("/volatility/x", {}, std::vector<double>{1.0}, "1", "x"), H5Error);
  out.variable("/model/ok", {"/volatility", "/expiry_days"}, six, "1", "ok");
  EXPECT_THROW(out.variable("/model/ok", {"/volatility", "/expiry_days"}, six, "1", "ok"), H5Error);
  out.commit();
  EXPECT_THROW(out.attribute("/", "late", 1.0), H5Error);
  EXPECT_THROW(out.commit(), H5Error);

  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GT(H5Lexists(file, "/model/ok", H5P_DEFAULT), 0);
  for (const char* refused : {"/model/a", "/model/b"}) {
    EXPECT_EQ(H5Lexists(file, refused, H5P_DEFAULT), 0) << refused;
  }
  EXPECT_EQ(H5Lexists(file, "/vol_target/c", H5P_DEFAULT), 0);
  EXPECT_EQ(H5Lexists(file, "/vol_target/d", H5P_DEFAULT), 0);
  H5Fclose(file);
}

TEST(H5WriterMisuse, MissingDirectoryThrowsWithThePath) {
  ScratchDir dir("hedgemap_h5");
  const std::string path = dir.file("no/such/dir/run.h5");
  try {
    ResultsWriter out(path, true);
    FAIL() << "expected FileWriteError";
  } catch (const FileWriteError& error) {
    EXPECT_NE(std::string(error.what()).find("no/such/dir"), std::string::npos) << error.what();
  }
}

// ---- what xarray (h5netcdf) and netCDF-4 see ------------------------------------------------
constexpr const char* kPythonCheck = R"PY(
import math, sys
try:
    import xarray as xr
    import h5netcdf  # noqa: F401
except ImportError as error:
    print("xarray/h5netcdf missing:", error)
    sys.exit(77)
path = sys.argv[1]
root = xr.open_dataset(path, engine="h5netcdf")
print("ROOT", dict(root.sizes), {k: v.dims for k, v in root.variables.items()})
assert root.attrs["Conventions"] == "CF-1.8", root.attrs
assert root.attrs["title"] == "résumé ✓", root.attrs["title"]
assert root.attrs["empty"] == "", repr(root.attrs["empty"])
assert root.attrs["seed"] == 18446744073709551615, root.attrs["seed"]
assert root.attrs["paths"] == 200000 and root.attrs["wall_seconds"] == 1.25
assert list(root.attrs["policies"]) == ["none", "periodic", "delta_band"], root.attrs["policies"]
assert root["steps"].dims == ("expiry_days",), root["steps"].dims
assert list(root["volatility"].values) == [0.3, 0.6, 0.9]
assert list(root["expiry_days"].values) == [7, 30]
assert root["volatility"].attrs["units"] == "1"

model = xr.open_dataset(path, engine="h5netcdf", group="model")
book = model["book_price"]
print("MODEL book_price", book.dims, book.attrs)
assert book.dims == ("volatility", "expiry_days"), book.dims
assert math.isnan(float(book.values[0, 1])) and float(book.values[2, 1]) == -6.5
assert model["wall"].dims == () and float(model["wall"]) == 2.5
assert len(root.attrs["no_flags"]) == 0, root.attrs["no_flags"]

group = xr.open_dataset(path, engine="h5netcdf", group="hedging/periodic")
pnl = group["pnl_mean"]
print("PERIODIC", dict(group.sizes), "coords", list(group.coords), group.attrs)
print("PERIODIC pnl_mean", pnl.dims, pnl.shape, dict(pnl.attrs))
assert pnl.dims == ("volatility", "expiry_days", "every_steps"), pnl.dims
assert pnl.shape == (3, 2, 4)
assert list(group["every_steps"].values) == [1, 2, 4, 8]
assert pnl.attrs["units"] == "USD" and pnl.attrs["long_name"] == "mean P&L"
assert math.isnan(float(pnl.values[1, 0, 2])) and float(pnl.values[2, 1, 3]) == 213.0
assert group.attrs["parameter"] == "every_steps"

try:
    import netCDF4
except ImportError:
    print("netCDF4 missing: libnetcdf check skipped")
    sys.exit(0)
with netCDF4.Dataset(path) as nc:
    var = nc.groups["hedging"].groups["periodic"].variables["pnl_mean"]
    print("NETCDF4 pnl_mean", var.dimensions, var.shape)
    assert var.dimensions == ("volatility", "expiry_days", "every_steps"), var.dimensions
    assert nc.variables["steps"].dimensions == ("expiry_days",)
    assert list(nc.policies) == ["none", "periodic", "delta_band"], nc.policies
    assert nc.Conventions == "CF-1.8"
group = xr.open_dataset(path, engine="netcdf4", group="hedging/periodic")
assert group["pnl_mean"].dims == ("volatility", "expiry_days", "every_steps")
assert math.isnan(float(group["pnl_mean"].values[1, 0, 2]))
print("OK")
)PY";

TEST(H5WriterPython, XarrayAndNetcdfShowNamedDimensionsInSubgroups) {
  constexpr const char* kPython = "/usr/bin/python3";
  if (::access(kPython, X_OK) != 0) GTEST_SKIP() << kPython << " not found";
  ScratchDir dir("hedgemap_h5");
  const std::string path = dir.file("run.h5");
  write_reference_file(path);
  const std::string script = dir.file("check.py");
  const std::string log = dir.file("check.log");
  std::ofstream(script) << kPythonCheck;
  const std::string command =
      std::string(kPython) + " " + script + " " + path + " > " + log + " 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_NE(status, -1);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 77) GTEST_SKIP() << read_text(log);
  EXPECT_EQ(code, 0) << read_text(log);
  if (std::getenv("HEDGEMAP_VERBOSE_TESTS") != nullptr) std::cout << read_text(log);
}

}  // namespace
