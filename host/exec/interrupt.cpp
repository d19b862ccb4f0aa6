#include "host/exec/interrupt.hpp"

#include <atomic>
#include <csignal>

namespace hedgemap {
namespace {
volatile std::sig_atomic_t g_signals = 0;
std::atomic<bool> g_peer_stop{false};
std::atomic<bool (*)()> g_stop_poll{nullptr};

extern "C" void on_signal(int signo) {
  if (g_signals > 0) {  // second signal: the user insists
    std::signal(signo, SIG_DFL);
    std::raise(signo);
  }
  g_signals = g_signals + 1;
}
}  // namespace

void install_interrupt_handlers() {
  for (int signo : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2}) std::signal(signo, on_signal);
}

bool interrupt_requested() {
  if (g_signals > 0 || g_peer_stop.load(std::memory_order_relaxed)) return true;
  bool (*poll)() = g_stop_poll.load(std::memory_order_relaxed);
  if (poll != nullptr && poll()) g_peer_stop = true;
  return g_peer_stop.load(std::memory_order_relaxed);
}
void request_interrupt() { g_signals = 1; }
void request_stop_by_peer() { g_peer_stop = true; }
void set_stop_poll(bool (*poll)()) { g_stop_poll = poll; }
void clear_interrupt() {
  g_signals = 0;
  g_peer_stop = false;
  g_stop_poll = nullptr;
}

}  // namespace hedgemap
