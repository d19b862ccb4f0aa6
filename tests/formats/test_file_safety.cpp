// Files hedgemap writes: temporaries never follow a planted link, non-regular targets are never
// replaced, output paths are checked before any work, a size limit (EFBIG) leaves nothing behind;
// the results file is HDF5 1.10 with a valid superblock checksum, compact links and attributes,
// and a Fletcher-32 checksum on its data, so that corruption is refused rather than read.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "host/formats/atomic_file.hpp"
#include "host/formats/h5_file_image.hpp"
#include "host/formats/h5_writer.hpp"
#include "host/formats/isolated_call.hpp"

namespace {

namespace fs = std::filesystem;
using hedgemap::FileWriteError;
using hedgemap::output_path_problem;
using hedgemap::Replace;
using hedgemap::write_file_atomically;
using hedgemap::h5::ResultsWriter;

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "hedgemap_safety_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path_))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  fs::path path_;
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A small results file: two axes and one variable.
void write_small_results(const std::string& path, bool overwrite) {
  ResultsWriter out(path, overwrite);
  out.attribute("/", "title", "safety");
  out.axis("/volatility", std::vector<double>{0.3, 0.6}, "1", "volatility");
  out.axis("/expiry_days", std::vector<double>{7, 30, 90}, "day", "expiry");
  out.variable("/model/value", {"/volatility", "/expiry_days"},
               std::vector<double>{1, 2, 3, 4, 5, 6}, "USD", "value");
  out.commit();
}

// ---- temporaries and targets ---------------------------------------------------------------
// The old guessable temporary names ".<name>.tmp-<pid>" planted as symlinks to a victim: the
// writers create their own names exclusively and never open these.
TEST(AtomicFile, PlantedSymlinksAtTemporaryNamesAreNeverFollowed) {
  ScratchDir dir;
  const std::string victim = dir.file("victim");
  write_bytes(victim, "precious");
  const std::string pid = std::to_string(::getpid());
  const std::vector<std::string> planted = {".run.h5.tmp-" + pid, ".run.h5.ckpt.tmp-" + pid,
                                            ".run.h5.tmp-" + pid + "-XXXXXX"};
  for (const std::string& name : planted) fs::create_symlink(victim, dir.file(name));

  write_small_results(dir.file("run.h5"), false);
  write_file_atomically(dir.file("run.h5.ckpt"), "checkpoint bytes");

  EXPECT_EQ(read_bytes(victim), "precious");
  for (const std::string& name : planted) EXPECT_TRUE(fs::is_symlink(dir.file(name))) << name;
  EXPECT_GT(H5Fis_hdf5(dir.file("run.h5").c_str()), 0);
  EXPECT_EQ(read_bytes(dir.file("run.h5.ckpt")), "checkpoint bytes");
  std::vector<std::string> expected = planted;
  expected.insert(expected.end(), {"run.h5", "run.h5.ckpt", "victim"});
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(dir.entries(), expected);  // no temporary left over
}

// rename() would swap a FIFO, a device node, a symlink or a directory for a regular file: none of
// them is replaced, nothing is written through a link, and no temporary is left.
TEST(AtomicFile, NonRegularTargetsAreNeverReplaced) {
  ScratchDir dir;
  const std::string victim = dir.file("victim");
  write_bytes(victim, "precious");
  ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0600), 0);
  fs::create_directory(dir.file("directory"));
  fs::create_symlink(victim, dir.file("link"));
  fs::create_symlink(dir.file("missing"), dir.file("dangling"));
  std::vector<std::string> targets = {"fifo", "directory", "link", "dangling"};
  if (::mknod(dir.file("null").c_str(), S_IFCHR | 0600, makedev(1, 3)) == 0)
    targets.push_back("null");  // root only: a character device like /dev/null
  const std::vector<std::string> before = dir.entries();

  for (const std::string& name : targets) {
    EXPECT_THROW(write_file_atomically(dir.file(name), "data", Replace::regular_file),
                 FileWriteError)
        << name;
    EXPECT_THROW(write_small_results(dir.file(name), /*overwrite=*/true), FileWriteError) << name;
  }
  struct stat info {};
  ASSERT_EQ(::lstat(dir.file("fifo").c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode));
  EXPECT_EQ(read_bytes(victim), "precious");
  EXPECT_FALSE(fs::exists(dir.file("missing")));
  EXPECT_EQ(dir.entries(), before);
}

TEST(AtomicFile, ReplacesARegularFileAndRefusesWithoutReplace) {
  ScratchDir dir;
  const std::string path = dir.file("out.csv");
  write_file_atomically(path, "first");
  write_file_atomically(path, "second", Replace::regular_file);
  EXPECT_EQ(read_bytes(path), "second");
  EXPECT_THROW(write_file_atomically(path, "third", Replace::never), FileWriteError);
  EXPECT_EQ(read_bytes(path), "second");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.csv"});
  // The mode open(O_CREAT, 0666) would give under this process's umask.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0666 & ~mask);
}

TEST(AtomicFile, OutputPathProblemsAreFoundBeforeAnyWork) {
  ScratchDir dir;
  write_bytes(dir.file("existing.h5"), "x");
  write_bytes(dir.file("plain_file"), "x");
  fs::create_directory(dir.file("directory"));
  fs::create_symlink(dir.file("missing"), dir.file("dangling"));
  fs::create_symlink(dir.file("existing.h5"), dir.file("link"));
  ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0600), 0);
  struct Case {
    std::string path;
    bool overwrite;
    std::string says;  // "" = no problem
  };
  const std::vector<Case> cases = {
      {"", false, "empty"},
      {"/", true, "ends with '/'"},
      {dir.file("new") + "/", true, "ends with '/'"},
      {dir.file("."), true, "is a directory"},
      {dir.file("directory"), true, "is a directory"},
      {dir.file("dangling"), true, "dangling symbolic link"},
      {dir.file("link"), true, "symbolic link"},
      {dir.file("fifo"), true, "FIFO"},
      {"/dev/null", true, "character device"},
      {dir.file("existing.h5"), false, "use --overwrite"},
      {dir.file("missing_dir/x.h5"), true, "missing_dir"},
      {dir.file("plain_file/x.h5"), true, "plain_file"},
      {dir.file("existing.h5"), true, ""},
      {dir.file("new.h5"), false, ""},
  };
  const std::vector<std::string> before = dir.entries();
  for (const Case& c : cases) {
    const std::string problem = output_path_problem(c.path, c.overwrite);
    if (c.says.empty()) {
      EXPECT_EQ(problem, "") << c.path;
    } else {
      EXPECT_TRUE(contains(problem, c.says)) << c.path << ": " << problem;
    }
  }
  EXPECT_EQ(dir.entries(), before);  // the writability probe leaves nothing
  if (::geteuid() != 0) {            // root writes anywhere: see tests/python for a read-only fs
    fs::create_directory(dir.file("read_only"));
    fs::permissions(dir.file("read_only"), fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_TRUE(contains(output_path_problem(dir.file("read_only/x.h5"), true), "cannot create"));
  }
}

// Under `ulimit -f` (RLIMIT_FSIZE) with SIGXFSZ ignored, as main() does, a write past the limit
// fails with EFBIG: a FileWriteError that says so, and no temporary left. In a child process,
// so that the limit does not reach this one.
TEST(AtomicFile, FileSizeLimitFailsCleanlyAndLeavesNothing) {
  ScratchDir dir;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{64 * 1024, 64 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    int failures = 0;
    try {
      write_file_atomically(dir.file("big.bin"), std::string(1 << 20, 'x'));
    } catch (const FileWriteError& e) {
      failures += contains(e.what(), "File too large") && contains(e.what(), "big.bin");
    }
    try {  // the results writer: 256 Ki random doubles do not compress below the limit
      ResultsWriter out(dir.file("big.h5"), false);
      std::vector<double> values(1 << 18);
      std::mt19937_64 random(7);
      for (double& v : values) v = std::uniform_real_distribution<double>()(random);
      out.axis("/volatility", values, "1", "volatility");
      out.commit();
    } catch (const FileWriteError& e) {
      failures += contains(e.what(), "File too large") && contains(e.what(), "big.h5");
    }
    ::_exit(failures == 2 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "both writes must fail with EFBIG";
  EXPECT_TRUE(dir.entries().empty());
}

// ---- the HDF5 file image ---------------------------------------------------------------------
// Bob Jenkins' published test values for hashlittle() (lookup3.c, driver5).
TEST(H5FileImage, Lookup3MatchesJenkinsTestValues) {
  using hedgemap::h5::lookup3_checksum;
  const auto* empty = reinterpret_cast<const unsigned char*>("");
  const std::string text = "Four score and seven years ago";
  const auto* four = reinterpret_cast<const unsigned char*>(text.data());
  EXPECT_EQ(lookup3_checksum(empty, 0, 0), 0xdeadbeefu);
  EXPECT_EQ(lookup3_checksum(empty, 0, 0xdeadbeefu), 0xbd5b7ddeu);
  EXPECT_EQ(lookup3_checksum(four, text.size(), 0), 0x17770551u);
  EXPECT_EQ(lookup3_checksum(four, text.size(), 1), 0xcd628161u);
}

// Superblock version 3 (HDF5 1.10 format), status flags clear, checksum right, and the file
// opens; one flipped bit in the superblock makes HDF5 refuse it.
TEST(H5FileImage, SuperblockIsVersion3WithAValidChecksum) {
  ScratchDir dir;
  const std::string path = dir.file("run.h5");
  write_small_results(path, false);
  const std::string bytes = read_bytes(path);
  ASSERT_GE(bytes.size(), 48u);
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  EXPECT_EQ(b[8], 3) << "superblock version";
  EXPECT_EQ(b[9], 8) << "size of offsets";
  EXPECT_EQ(b[11], 0) << "status flags (open for writing) must be clear";
  const std::uint32_t stored = b[44] | b[45] << 8 | b[46] << 16 | std::uint32_t(b[47]) << 24;
  EXPECT_EQ(hedgemap::h5::lookup3_checksum(b, 44), stored);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  H5Fclose(file);

  std::string flipped = bytes;
  flipped[30] ^= 0x10;  // inside the end-of-file address
  write_bytes(dir.file("flipped.h5"), flipped);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  EXPECT_LT(H5Fopen(dir.file("flipped.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), 0);
}

// More links and attributes than HDF5's default compact limit (8) stay in the object header
// (checksummed), not in dense storage (fractal heap + B-tree).
TEST(H5WriterFormat, ManyLinksAndAttributesStayCompact) {
  ScratchDir dir;
  const std::string path = dir.file("run.h5");
  {
    ResultsWriter out(path, false);
    out.axis("/volatility", std::vector<double>{0.3, 0.6}, "1", "volatility");
    for (int i = 0; i < 20; ++i) {
      out.variable("/group/v" + std::to_string(i), {"/volatility"}, std::vector<double>{1, 2}, "1",
                   "v");
      out.attribute("/group", "a" + std::to_string(i), std::int64_t{i});
    }
    out.commit();
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t group = H5Gopen2(file, "/group", H5P_DEFAULT);
  H5G_info_t info{};
  ASSERT_GE(H5Gget_info(group, &info), 0);
  EXPECT_EQ(info.nlinks, 20u);
  EXPECT_EQ(info.storage_type, H5G_STORAGE_TYPE_COMPACT);
  H5O_info_t object{};
  ASSERT_GE(H5Oget_info2(group, &object, H5O_INFO_ALL), 0);
  EXPECT_EQ(object.num_attrs, 20u);
  EXPECT_EQ(object.meta_size.attr.heap_size, 0u) << "attributes in dense storage";
  EXPECT_EQ(object.meta_size.attr.index_size, 0u) << "attributes in dense storage";
  H5Gclose(group);
  H5Fclose(file);
}

// A flipped byte in a dataset's stored chunk or in its object header: HDF5 refuses to read or
// open it (Fletcher-32 of the chunk, lookup3 of the header) instead of returning other numbers.
// An axis: not deflated, so only the Fletcher-32 checksum can catch the chunk's flip.
TEST(H5WriterFormat, CorruptedChunkOrObjectHeaderIsRefused) {
  ScratchDir dir;
  const std::string path = dir.file("run.h5");
  write_small_results(path, false);
  haddr_t chunk = HADDR_UNDEF, header = HADDR_UNDEF;
  {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t set = H5Dopen2(file, "/expiry_days", H5P_DEFAULT);
    hsize_t chunk_bytes = 0;
    const hid_t space = H5Dget_space(set);
    ASSERT_GE(H5Dget_chunk_info(set, space, 0, nullptr, nullptr, &chunk, &chunk_bytes), 0);
    H5Sclose(space);
    EXPECT_GT(chunk_bytes, 4u);
    H5O_info_t info{};
    ASSERT_GE(H5Oget_info2(set, &info, H5O_INFO_BASIC), 0);
    header = info.addr;
    H5Dclose(set);
    H5Fclose(file);
  }
  const std::string bytes = read_bytes(path);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  {
    std::string corrupt = bytes;
    corrupt[chunk + 1] ^= 0x01;
    write_bytes(dir.file("chunk.h5"), corrupt);
    const hid_t file = H5Fopen(dir.file("chunk.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t set = H5Dopen2(file, "/expiry_days", H5P_DEFAULT);
    ASSERT_GE(set, 0);
    std::vector<double> values(3);
    EXPECT_LT(H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
    H5Dclose(set);
    H5Fclose(file);
  }
  {
    std::string corrupt = bytes;
    corrupt[header + 8] ^= 0x01;
    write_bytes(dir.file("header.h5"), corrupt);
    const hid_t file = H5Fopen(dir.file("header.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    EXPECT_LT(H5Dopen2(file, "/expiry_days", H5P_DEFAULT), 0);
    H5Fclose(file);
  }
}

// ---- crash containment ------------------------------------------------------------------------
TEST(IsolatedCall, ReturnsTextRethrowsErrorsAndContainsCrashes) {
  using hedgemap::call_isolated;
  using hedgemap::IsolatedCallError;
  EXPECT_EQ(call_isolated([] { return std::string(100000, 'z'); }, "f", "crashed"),
            std::string(100000, 'z'));  // larger than a pipe's buffer
  try {
    call_isolated([]() -> std::string { throw std::runtime_error("f.h5: /x: bad shape"); }, "f",
                  "crashed");
    ADD_FAILURE() << "expected IsolatedCallError";
  } catch (const IsolatedCallError& e) {
    EXPECT_STREQ(e.what(), "f.h5: /x: bad shape");
  }
  try {
    call_isolated(
        []() -> std::string {
          std::raise(SIGSEGV);
          return "";
        },
        "f.h5", "the library crashed");
    ADD_FAILURE() << "expected IsolatedCallError";
  } catch (const IsolatedCallError& e) {
    EXPECT_TRUE(contains(e.what(), "f.h5: the library crashed (signal 11")) << e.what();
  }
  try {  // a loop that never ends is stopped by the CPU-time limit
    call_isolated(
        []() -> std::string {
          for (volatile unsigned long i = 0;; i = i + 1) {
          }
        },
        "f.h5", "took too long", /*cpu_seconds=*/1);
    ADD_FAILURE() << "expected IsolatedCallError";
  } catch (const IsolatedCallError& e) {
    EXPECT_TRUE(contains(e.what(), "took too long")) << e.what();
  }
}

}  // namespace
