// Progress of a sweep on stderr: a bar on a terminal, one JSON object per line otherwise (for
// schedulers and log collectors), or nothing. Each report has cells done/total, path-steps per
// second and the estimated time left; in an MPI run, rank 0 alone reports, JSON lines with each
// rank's cells and path-steps per second.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace hedgemap {

// What one MPI rank has finished so far (the JSON lines report each rank's throughput).
struct RankThroughput {
  std::size_t cells = 0;
  double path_steps = 0.0;
};

class Progress {
 public:
  // mode: "auto" (bar if stderr is a terminal, else jsonl), "bar", "jsonl", "none".
  Progress(const std::string& mode, std::size_t cells_total, double path_steps_total);
  // per_rank: one entry per rank of an MPI run (empty for one process); in JSON lines only.
  void cell_done(std::size_t cells_done, double path_steps_done,
                 const std::vector<RankThroughput>& per_rank = {});
  void finish();
  static bool valid_mode(const std::string& mode);

 private:
  enum class Mode { bar, jsonl, none } mode_;
  std::size_t cells_total_;
  double path_steps_total_;
  std::chrono::steady_clock::time_point start_;
  bool bar_open_ = false;
};

}  // namespace hedgemap
