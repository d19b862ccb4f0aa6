// Cooperative interruption: SIGINT/SIGTERM set a flag that long loops poll between chunks of
// paths; they then throw Interrupted, the sweep checkpoints and the CLI exits with status 75.
#pragma once
#include <atomic>
#include <stdexcept>

namespace hedgemap {

struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted by a signal") {}
};

// Installs handlers for SIGINT and SIGTERM (idempotent). A second signal kills the process.
void install_interrupt_handlers();
bool interrupt_requested();
void request_interrupt();  // what the handler does; also for tests
void clear_interrupt();

inline void throw_if_interrupted() {
  if (interrupt_requested()) throw Interrupted();
}

}  // namespace hedgemap
