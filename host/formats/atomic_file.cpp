// Exclusive temporaries, fsync and rename: see atomic_file.hpp.
#include "host/formats/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <system_error>
#include <utility>
#include <vector>

namespace hedgemap {
namespace {

// {directory, last component}; "x.h5" -> {".", "x.h5"}, "/x.h5" -> {"/", "x.h5"}.
std::pair<std::string, std::string> split_file_path(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

std::string join(const std::string& dir, const std::string& name) {
  return (dir == "/" ? "" : dir) + "/" + name;
}

std::string system_reason(int error) { return std::strerror(error); }

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw FileWriteError("cannot write '" + path + "': " + what + ": " + system_reason(error));
}

// What a non-regular file is, for messages.
const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// The mode open(O_CREAT, 0666) would give: mkostemp creates 0600. umask() is process-wide, read
// once (before any thread could create a file).
mode_t created_file_mode() {
  static const mode_t mode = [] {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return static_cast<mode_t>(0666 & ~mask);
  }();
  return mode;
}

// A temporary in the target's directory, created exclusively (O_CREAT|O_EXCL from mkostemp, plus
// O_NOFOLLOW: with O_EXCL an existing name, a symlink included, already fails with EEXIST, and
// mkostemp then draws another name). Unlinked by the destructor unless published.
class ExclusiveTemporary {
 public:
  explicit ExclusiveTemporary(const std::string& target)
      : target_(target), path_(temporary_prefix_for(target) + "XXXXXX") {
    fd_ = ::mkostemp(path_.data(), O_CLOEXEC | O_NOFOLLOW);
    if (fd_ < 0) fail("creating a temporary in its directory", target_, errno);
  }
  ~ExclusiveTemporary() {
    if (fd_ >= 0) ::close(fd_);
    if (!published_) ::unlink(path_.c_str());
  }
  ExclusiveTemporary(const ExclusiveTemporary&) = delete;
  ExclusiveTemporary& operator=(const ExclusiveTemporary&) = delete;

  void write_all(const std::string& bytes) {
    for (std::size_t done = 0; done < bytes.size();) {
      const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("write", target_, errno);  // ENOSPC, EFBIG (ulimit -f), EIO, ...
      done += static_cast<std::size_t>(n);
    }
  }

  // Permissions, data on disk, descriptor closed (close() can report a deferred write error).
  void finish() {
    if (::fchmod(fd_, created_file_mode()) != 0) fail("fchmod", target_, errno);
    if (::fsync(fd_) != 0) fail("fsync", target_, errno);
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) fail("close", target_, errno);
  }

  // The temporary's name becomes the target's: link() when nothing may be replaced (it never
  // replaces), else rename() over a regular file.
  void publish(Replace replace) {
    struct stat there {};
    if (replace == Replace::never) {
      if (::link(path_.c_str(), target_.c_str()) == 0) {
        ::unlink(path_.c_str());
        published_ = true;
        return;
      }
      if (errno == EEXIST) throw FileWriteError("'" + target_ + "' exists; use --overwrite");
      // A filesystem without hard links (vfat, some FUSE): check, then rename; a small race.
      if (::lstat(target_.c_str(), &there) == 0)
        throw FileWriteError("'" + target_ + "' exists; use --overwrite");
    } else if (::lstat(target_.c_str(), &there) == 0 && !S_ISREG(there.st_mode)) {
      throw FileWriteError("'" + target_ + "' is " + kind_of(there.st_mode) +
                           ", not a regular file: it is not replaced");
    }
    if (::rename(path_.c_str(), target_.c_str()) != 0) fail("rename", target_, errno);
    published_ = true;
  }

 private:
  std::string target_, path_;
  int fd_ = -1;
  bool published_ = false;
};

void fsync_directory(const std::string& dir, const std::string& target) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("opening its directory", target, errno);
  const int status = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (status != 0 && error != EINVAL) fail("fsync of its directory", target, error);
}

}  // namespace

std::string temporary_prefix_for(const std::string& path) {
  const auto [dir, base] = split_file_path(path);
  return join(dir, "." + base + ".tmp-" + std::to_string(::getpid()) + "-");
}

void write_file_atomically(const std::string& path, const std::string& bytes, Replace replace) {
  const auto [dir, base] = split_file_path(path);
  if (base.empty() || base == "." || base == "..")
    throw FileWriteError("cannot write '" + path + "': not a file name");
  remove_stale_temporaries(path);
  ExclusiveTemporary temporary(path);
  temporary.write_all(bytes);
  temporary.finish();
  temporary.publish(replace);
  fsync_directory(dir, path);
}

std::string output_name_problem(const std::string& path) {
  if (path.empty()) return "the output file name is empty";
  if (path.back() == '/')
    return "output '" + path + "' ends with '/': give a file name, e.g. " + path + "results.h5";
  const std::string base = split_file_path(path).second;
  if (base == "." || base == "..") return "output '" + path + "' is a directory";
  return "";
}

std::string output_path_problem(const std::string& path, bool may_replace) {
  if (std::string problem = output_name_problem(path); !problem.empty()) return problem;
  const std::string dir = split_file_path(path).first;
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0) {
    if (S_ISLNK(info.st_mode)) {
      struct stat target {};
      return "output '" + path + "' is a " +
             (::stat(path.c_str(), &target) != 0 ? "dangling symbolic link"
                                                 : "symbolic link (never written through)") +
             "; give the path of a regular file";
    }
    if (S_ISDIR(info.st_mode))
      return "output '" + path + "' is a directory: give a file name, e.g. " + path + "/results.h5";
    if (!S_ISREG(info.st_mode))
      return "output '" + path + "' is " + kind_of(info.st_mode) +
             "; only a regular file is replaced";
    if (!may_replace) return "output '" + path + "' exists; use --overwrite to replace it";
  } else if (errno != ENOENT) {
    return "output '" + path + "': " + system_reason(errno);
  }
  struct stat dir_info {};
  if (::stat(dir.c_str(), &dir_info) != 0)
    return "output directory '" + dir + "': " + system_reason(errno);
  if (!S_ISDIR(dir_info.st_mode)) return "output directory '" + dir + "' is not a directory";
  std::string probe = temporary_prefix_for(path) + "XXXXXX";
  const int fd = ::mkostemp(probe.data(), O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return "cannot create files in output directory '" + dir + "': " + system_reason(errno);
  ::close(fd);
  ::unlink(probe.c_str());
  return "";
}

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
    // kill(pid, 0) succeeds or fails with EPERM for a live process: its temporary stays.
    if (::kill(pid, 0) == -1 && errno == ESRCH) stale.push_back(name);
  }
  ::closedir(listing);
  for (const std::string& name : stale) ::unlink(join(dir, name).c_str());  // never follows
}

}  // namespace hedgemap
