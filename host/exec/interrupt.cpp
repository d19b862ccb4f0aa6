#include "host/exec/interrupt.hpp"

#include <csignal>

namespace hedgemap {
namespace {
volatile std::sig_atomic_t g_signals = 0;

extern "C" void on_signal(int signo) {
  if (g_signals > 0) {  // second signal: the user insists
    std::signal(signo, SIG_DFL);
    std::raise(signo);
  }
  g_signals = g_signals + 1;
}
}  // namespace

void install_interrupt_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}
bool interrupt_requested() { return g_signals > 0; }
void request_interrupt() { g_signals = 1; }
void clear_interrupt() { g_signals = 0; }

}  // namespace hedgemap
