// Every file hedgemap writes (results file, checkpoint, export) appears under its final name only
// when complete, and never through a link an attacker or an accident planted:
//  - the bytes go to a temporary created in the target's directory with O_CREAT|O_EXCL|O_NOFOLLOW
//    under an unguessable name (".<name>.tmp-<pid>-XXXXXX", mkostemp's random suffix): an
//    existing file, FIFO or symlink of that name makes the create fail, it is never opened;
//  - written through that descriptor only, fsynced, then linked (no replace) or renamed
//    (replace) onto the target, and the directory fsynced;
//  - the temporary is removed on every failure path (a full disk, EFBIG under `ulimit -f`, ...);
//  - a target that exists and is not a regular file (directory, FIFO, device, socket, symlink) is
//    never replaced: rename() would swap a FIFO or /dev/... node for a regular file.
#pragma once
#include <stdexcept>
#include <string>

namespace hedgemap {

// A write that failed: the operation, the file, and the system's reason (strerror).
class FileWriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Replace { never, regular_file };

// Writes `bytes` to `path` atomically as above. Replace::never: fails (FileWriteError, "exists")
// when `path` exists, even if it appears while writing. Replace::regular_file: replaces `path`
// when it is absent or a regular file, fails otherwise.
void write_file_atomically(const std::string& path, const std::string& bytes,
                           Replace replace = Replace::regular_file);

// Why `path` cannot name a file at all (empty, ends with '/', last component "." or ".."); the
// empty string when it can. Looks at nothing on disk.
std::string output_name_problem(const std::string& path);

// Why `path` may not be written as an output file (the empty string: it may). Checked before
// any work: output_name_problem, what is there now (nothing,
// or a regular file when `may_replace`; never a directory, symlink, FIFO, device or socket), and
// that the directory exists and a file can be created in it (a probe temporary, removed at once:
// permissions, read-only filesystems and root's exemptions are all the kernel's answer).
std::string output_path_problem(const std::string& path, bool may_replace);

// Removes temporaries of `path` (".<name>.tmp-<pid>[-XXXXXX]") whose process no longer exists (a
// run killed by SIGKILL or a power cut cannot remove its own). Best effort.
void remove_stale_temporaries(const std::string& path);

// "dir/.name.tmp-<pid>-": the prefix of this process's temporaries for `path` (tests use it).
std::string temporary_prefix_for(const std::string& path);

}  // namespace hedgemap
