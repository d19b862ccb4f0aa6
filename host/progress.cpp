#include "host/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace hedgemap {

bool Progress::valid_mode(const std::string& m) {
  return m == "auto" || m == "bar" || m == "jsonl" || m == "none";
}

Progress::Progress(const std::string& mode, std::size_t cells_total, double path_steps_total)
    : cells_total_(cells_total),
      path_steps_total_(path_steps_total),
      start_(std::chrono::steady_clock::now()) {
  if (mode == "none")
    mode_ = Mode::none;
  else if (mode == "bar")
    mode_ = Mode::bar;
  else if (mode == "jsonl")
    mode_ = Mode::jsonl;
  else
    mode_ = isatty(STDERR_FILENO) ? Mode::bar : Mode::jsonl;
}

void Progress::cell_done(std::size_t cells_done, double path_steps_done,
                         const std::vector<RankThroughput>& per_rank) {
  if (mode_ == Mode::none) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? path_steps_done / seconds : 0.0;
  const double eta = rate > 0 ? (path_steps_total_ - path_steps_done) / rate : NAN;
  if (mode_ == Mode::jsonl) {
    std::string ranks;
    for (std::size_t r = 0; r < per_rank.size(); ++r) {
      char entry[128];
      std::snprintf(entry, sizeof entry,
                    "%s{\"rank\":%zu,\"cells\":%zu,\"path_steps_per_second\":%.4g}", r ? "," : "",
                    r, per_rank[r].cells, seconds > 0 ? per_rank[r].path_steps / seconds : 0.0);
      ranks += entry;
    }
    if (!per_rank.empty()) ranks = ",\"ranks\":[" + ranks + "]";
    std::fprintf(
        stderr,
        "{\"event\":\"progress\",\"cells_done\":%zu,\"cells_total\":%zu,"
        "\"path_steps_per_second\":%.4g,\"elapsed_seconds\":%.3f,\"eta_seconds\":%.3f%s}\n",
        cells_done, cells_total_, rate, seconds, std::isfinite(eta) ? eta : -1.0, ranks.c_str());
    std::fflush(stderr);
    return;
  }
  constexpr int kWidth = 30;
  const int filled = cells_total_ ? int(kWidth * cells_done / cells_total_) : kWidth;
  std::string bar(filled, '#');
  bar += std::string(kWidth - filled, '.');
  std::fprintf(stderr, "\r[%s] %zu/%zu cells  %.3g path-steps/s  ETA %.0fs   ", bar.c_str(),
               cells_done, cells_total_, rate, std::isfinite(eta) ? eta : 0.0);
  std::fflush(stderr);
  bar_open_ = true;
}

void Progress::finish() {
  if (bar_open_) std::fputc('\n', stderr);
  bar_open_ = false;
}

}  // namespace hedgemap
