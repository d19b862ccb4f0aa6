// fork(), a pipe for the answer, waitpid(): see isolated_call.hpp.
#include "host/formats/isolated_call.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hedgemap {
namespace {

// The child's answer on the pipe: one status byte, then the text or the error message.
constexpr char kAnswerText = 'T', kAnswerError = 'E';

void write_all(int fd, const std::string& bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent went away: nothing to report to
    done += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void run_child(int fd, const std::function<std::string()>& work, unsigned seconds) {
  const rlimit cpu{seconds, seconds};
  ::setrlimit(RLIMIT_CPU, &cpu);
  std::string answer;
  try {
    answer = kAnswerText + work();
  } catch (const std::exception& e) {
    answer = kAnswerError + std::string(e.what());
  } catch (...) {
    answer = kAnswerError + std::string("unknown error");
  }
  write_all(fd, answer);
  ::close(fd);
  ::_exit(0);  // no atexit handlers: libhdf5's would close, and may crash on, what failed
}

}  // namespace

std::string call_isolated(const std::function<std::string()>& work, const std::string& what,
                          const std::string& crash_message, unsigned cpu_seconds) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw IsolatedCallError(what + ": pipe: " + std::strerror(errno));
  const pid_t child = ::fork();
  if (child < 0) {
    const int error = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw IsolatedCallError(what + ": fork: " + std::strerror(error));
  }
  if (child == 0) {
    ::close(fds[0]);
    run_child(fds[1], work, cpu_seconds);
  }
  ::close(fds[1]);
  std::string answer;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    throw IsolatedCallError(what + ": " + crash_message + " (signal " + std::to_string(signal) +
                            ", " + ::strsignal(signal) + ")");
  }
  if (answer.empty() || (answer[0] != kAnswerText && answer[0] != kAnswerError))
    throw IsolatedCallError(what + ": " + crash_message + " (no answer)");
  if (answer[0] == kAnswerError) throw IsolatedCallError(answer.substr(1));
  return answer.substr(1);
}

}  // namespace hedgemap
