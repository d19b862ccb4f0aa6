// Cooperative interruption: SIGINT, SIGTERM, SIGUSR1 and SIGUSR2 set a flag that long loops poll
// between chunks of paths; they then throw Interrupted, the sweep checkpoints and the CLI exits
// with status 75. SIGUSR1/SIGUSR2 are what batch systems send ahead of a time limit (Slurm's
// `--signal=USR1@300`) and what `mpirun` forwards to every rank (it SIGKILLs ranks soon after a
// SIGTERM). Another rank can ask this one to stop too (request_stop_by_peer, or a poll installed
// by the MPI layer), without that counting as a first signal.
#pragma once
#include <stdexcept>

namespace hedgemap {

struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted by a signal") {}
};

// Installs handlers for SIGINT, SIGTERM, SIGUSR1 and SIGUSR2 (idempotent). A second signal kills
// the process.
void install_interrupt_handlers();
bool interrupt_requested();
void request_interrupt();  // what the handler does; also for tests
void clear_interrupt();    // clears the signal flag, a peer's request and the poll

// A stop asked for by another rank of the run (not a signal: a later signal still only
// interrupts).
void request_stop_by_peer();
// `poll`, called by interrupt_requested() on the thread that polls (the one running the paths),
// returns true when this process should stop: e.g. a message from rank 0 has arrived. nullptr
// removes it.
void set_stop_poll(bool (*poll)());

inline void throw_if_interrupted() {
  if (interrupt_requested()) throw Interrupted();
}

}  // namespace hedgemap
