// Regular files only, size-capped (see the header). The file is opened with O_NONBLOCK so that
// opening a FIFO without a writer does not block, and checked with fstat on the open descriptor,
// so the object checked is the object read.
#include "host/scenario/scenario_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "host/scenario/problem.hpp"

namespace hedgemap {

namespace {

[[noreturn]] void refuse(const std::string& path, const std::string& message) {
  ScenarioProblem p;
  p.location = path;
  p.message = message;
  throw ScenarioError({p});
}

std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string read_scenario_file(const std::string& path) {
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0)
    refuse(path, std::string("cannot open the scenario file: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    refuse(path, std::string("cannot stat the scenario file: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    refuse(path, "the scenario is " + file_kind(st.st_mode) + ": it must be a regular TOML file");
  const std::string cap = std::to_string(kMaxScenarioFileBytes) + " bytes (1 MiB)";
  if (static_cast<std::size_t>(st.st_size) > kMaxScenarioFileBytes)
    refuse(path, "the scenario file has " + std::to_string(st.st_size) + " bytes; at most " + cap +
                     " are read");
  std::string text;
  char buffer[65536];
  while (true) {  // up to one byte past the cap, in case the file grew since fstat
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) refuse(path, std::string("cannot read the scenario file: ") + std::strerror(errno));
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxScenarioFileBytes)
      refuse(path, "the scenario file has more than " + cap + "; at most " + cap + " are read");
  }
  return text;
}

}  // namespace hedgemap
