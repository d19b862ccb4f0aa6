// Runs a function that parses an untrusted file in a child process, so that a crash inside a C
// library (libhdf5 has known crashes on crafted or corrupted files, in its own error paths too)
// ends that child, not the program: the caller gets an exception with a message instead of a
// segfault, and nothing the library does at exit (closing what a failed call left open) runs.
#pragma once
#include <functional>
#include <stdexcept>
#include <string>

namespace hedgemap {

class IsolatedCallError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Calls `work` in a forked child (CPU time capped at cpu_seconds, so a library loop on a cyclic
// structure ends too) and returns the text it returned. An exception thrown by `work` is rethrown
// as IsolatedCallError with its what(); a child killed by a signal or over its time becomes
// IsolatedCallError("<what>: <crash_message> (signal N, <name>)").
std::string call_isolated(const std::function<std::string()>& work, const std::string& what,
                          const std::string& crash_message, unsigned cpu_seconds = 300);

}  // namespace hedgemap
