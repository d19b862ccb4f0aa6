// The sweep's cells over MPI ranks: rank 0 hands out one cell at a time, longest first, to
// whichever rank asks (a dispatcher thread of its own, so that its main thread runs cells too),
// and receives each finished cell's encoding (the checkpoint's). A cell's result does not depend
// on which rank made it, so the results file is the serial run's, bit for bit, for any rank
// count; ranks that run faster (a GPU beside CPU ranks) simply ask more often.
//
// Messages: a worker's request ("up": ready, a result, interrupted, failed) gets exactly one reply
// ("down": a cell, or stop: no more cells). When a stop begins (a signal on any rank, or a
// failure), rank 0 also sends each busy worker a "stop now", which the worker polls for between
// chunks of paths (set_stop_poll), like a signal. Last, rank 0 tells every worker the outcome
// ("final"), after its own cell and the checkpoint are done. Waits poll with short sleeps: an MPI
// blocking wait spins, and would take a core from a rank still running paths.
//
// Before that hand-out, the cells too long for it (cells_to_split, ranks.hpp: a cell of more work
// than one rank's share of the run, e.g. whenever there are fewer cells than ranks) run one at a
// time on every rank at once, each rank a contiguous range of the cell's paths
// (host/exec/path_runner.hpp, run_paths_split); a vote after each cell stops every rank together.
#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "host/exec/interrupt.hpp"
#include "host/exec/mpi_ranks.hpp"

namespace hedgemap::mpi {
namespace {

enum Tag : int { kTagUp = 161, kTagDown, kTagStopNow, kTagFinal };
enum Up : std::int64_t { kReady, kResult, kInterruptedHere, kFailedHere };
enum Down : std::int64_t { kCell, kNoMoreCells };

struct UpHeader {
  std::int64_t kind, cell, stop_after;  // stop_after: a signal arrived here after the cell
};

// Sleeps between polls: short at first (a reply is usually there within a poll or two), longer
// while nothing comes.
class Backoff {
 public:
  void reset() { wait_ = std::chrono::microseconds(20); }
  void sleep() {
    std::this_thread::sleep_for(wait_);
    wait_ = std::min(wait_ * 2, std::chrono::microseconds(2000));
  }

 private:
  std::chrono::microseconds wait_{20};
};

// Waits (polling) for a message from `source` with `tag`; returns its status.
MPI_Status wait_for(int source, int tag) {
  Backoff backoff;
  MPI_Status status;
  for (int flag = 0;;) {
    MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, &status);
    if (flag) return status;
    backoff.sleep();
  }
}

std::string receive_bytes(const MPI_Status& probed) {
  int count = 0;
  MPI_Get_count(&probed, MPI_BYTE, &count);
  std::string bytes(std::size_t(count), '\0');
  MPI_Recv(bytes.data(), count, MPI_BYTE, probed.MPI_SOURCE, probed.MPI_TAG, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  return bytes;
}

// Every rank runs the job of rank 0 (same scenario, paths, seed, precision), or none runs. Returns
// the first rank that differs, or -1.
int first_rank_with_another_job(const RankLayout& layout, const std::string& fingerprint) {
  std::string root = fingerprint;
  std::int64_t length = std::int64_t(root.size());
  MPI_Bcast(&length, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
  root.resize(std::size_t(length));
  MPI_Bcast(root.data(), int(length), MPI_CHAR, 0, MPI_COMM_WORLD);
  int differs = root == fingerprint ? layout.size : layout.rank, first = layout.size;
  MPI_Allreduce(&differs, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return first < layout.size ? first : -1;
}

// ---- workers (rank > 0) ---------------------------------------------------------------------

std::atomic<bool> g_stop_now_received{false};

bool stop_now_arrived() {  // the stop poll (interrupt.hpp), on the thread running paths
  if (g_stop_now_received) return true;
  int flag = 0;
  MPI_Iprobe(0, kTagStopNow, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
  if (!flag) return false;
  std::int64_t ignored = 0;
  MPI_Recv(&ignored, 1, MPI_INT64_T, 0, kTagStopNow, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  g_stop_now_received = true;
  return true;
}

void send_up(const UpHeader& header, const std::string& payload) {
  std::string message(sizeof header, '\0');
  std::memcpy(message.data(), &header, sizeof header);
  message += payload;
  MPI_Send(message.data(), int(message.size()), MPI_BYTE, 0, kTagUp, MPI_COMM_WORLD);
}

CellsRun run_worker(const CellJob& job) {
  g_stop_now_received = false;
  set_stop_poll(stop_now_arrived);
  UpHeader up{kReady, -1, 0};
  std::string payload;
  for (;;) {
    up.stop_after = interrupt_requested() ? 1 : 0;
    send_up(up, payload);
    std::int64_t down[2] = {};
    wait_for(0, kTagDown);
    MPI_Recv(down, 2, MPI_INT64_T, 0, kTagDown, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (down[0] == kNoMoreCells) break;
    up.cell = down[1];
    try {
      payload = job.evaluate(std::size_t(down[1]));
      up.kind = kResult;
    } catch (const Interrupted&) {
      payload.clear();
      up.kind = kInterruptedHere;
    } catch (const std::exception& e) {
      payload = e.what();
      up.kind = kFailedHere;
    }
  }
  std::int64_t final_message[2] = {};  // outcome, whether a stop-now is on its way
  wait_for(0, kTagFinal);
  MPI_Recv(final_message, 2, MPI_INT64_T, 0, kTagFinal, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  if (final_message[1] && !g_stop_now_received) {  // drain it: no message is left unreceived
    std::int64_t ignored = 0;
    MPI_Recv(&ignored, 1, MPI_INT64_T, 0, kTagStopNow, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  set_stop_poll(nullptr);
  CellsRun run;
  run.outcome = CellsOutcome(final_message[0]);
  return run;
}

// ---- rank 0 ---------------------------------------------------------------------------------

class Dispatcher {
 public:
  Dispatcher(const RankLayout& layout, const CellJob& job)
      : job_(job), size_(layout.size), stop_now_sent_(std::size_t(layout.size), 0) {}

  // The next cell for rank 0's own main thread, or false when there is none (or a stop).
  bool take(std::size_t& cell) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (run_.outcome != CellsOutcome::finished || next_ >= job_.order.size()) return false;
    cell = job_.order[next_++];
    return true;
  }

  void deliver(std::size_t cell, const std::string& encoded, int rank) {
    std::lock_guard<std::mutex> lock(mutex_);
    try {
      job_.on_result(cell, encoded, rank);
    } catch (const std::exception& e) {  // the checkpoint could not be written
      stop_locked(CellsOutcome::failed, e.what());
    }
  }

  void stop(CellsOutcome outcome, const std::string& failure) {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_locked(outcome, failure);
  }

  // The dispatcher thread: serves the workers until each was told there are no more cells.
  void serve_workers() {
    std::vector<char> busy(std::size_t(size_), 0);
    int workers_left = size_ - 1;
    bool stop_sent = false;
    std::vector<MPI_Request> stop_requests;
    std::vector<std::int64_t> stop_word(std::size_t(size_), 0);
    Backoff backoff;
    while (workers_left > 0) {
      if (interrupt_requested()) stop(CellsOutcome::interrupted, {});  // a signal on rank 0
      if (stopping() && !stop_sent) {  // every busy worker stops at its next chunk of paths
        for (int w = 1; w < size_; ++w)
          if (busy[std::size_t(w)]) {
            stop_requests.emplace_back();
            MPI_Isend(&stop_word[std::size_t(w)], 1, MPI_INT64_T, w, kTagStopNow, MPI_COMM_WORLD,
                      &stop_requests.back());
            stop_now_sent_[std::size_t(w)] = 1;
          }
        request_stop_by_peer();  // and rank 0's own cell
        stop_sent = true;
      }
      int flag = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, kTagUp, MPI_COMM_WORLD, &flag, &status);
      if (!flag) {
        backoff.sleep();
        continue;
      }
      backoff.reset();
      const int worker = status.MPI_SOURCE;
      const std::string message = receive_bytes(status);
      UpHeader up;
      std::memcpy(&up, message.data(), sizeof up);
      const std::string payload = message.substr(sizeof up);
      busy[std::size_t(worker)] = 0;
      if (up.kind == kResult) deliver(std::size_t(up.cell), payload, worker);
      if (up.kind == kInterruptedHere || up.stop_after) stop(CellsOutcome::interrupted, {});
      if (up.kind == kFailedHere)
        stop(CellsOutcome::failed, "rank " + std::to_string(worker) + ": " + payload);

      std::int64_t down[2] = {kNoMoreCells, -1};
      std::size_t cell = 0;
      if (take(cell)) {
        down[0] = kCell;
        down[1] = std::int64_t(cell);
        busy[std::size_t(worker)] = 1;
      } else {
        --workers_left;
      }
      MPI_Send(down, 2, MPI_INT64_T, worker, kTagDown, MPI_COMM_WORLD);
    }
    MPI_Waitall(int(stop_requests.size()), stop_requests.data(), MPI_STATUSES_IGNORE);
  }

  // After the dispatcher thread ended (so that only this thread calls MPI): the outcome to every
  // worker.
  CellsRun finish() {
    for (int w = 1; w < size_; ++w) {
      const std::int64_t final_message[2] = {std::int64_t(run_.outcome),
                                             std::int64_t(stop_now_sent_[std::size_t(w)])};
      MPI_Send(final_message, 2, MPI_INT64_T, w, kTagFinal, MPI_COMM_WORLD);
    }
    return run_;
  }

 private:
  bool stopping() {
    std::lock_guard<std::mutex> lock(mutex_);
    return run_.outcome != CellsOutcome::finished;
  }
  // The first failure wins over an interruption; the first message is kept.
  void stop_locked(CellsOutcome outcome, const std::string& failure) {
    if (outcome == CellsOutcome::failed && run_.outcome != CellsOutcome::failed) {
      run_.outcome = outcome;
      run_.failure = failure;
    } else if (run_.outcome == CellsOutcome::finished) {
      run_.outcome = outcome;
    }
  }

  const CellJob& job_;
  const int size_;
  std::mutex mutex_;  // next_, run_, and one on_result at a time
  std::size_t next_ = 0;
  CellsRun run_;
  std::vector<char> stop_now_sent_;
};

CellsRun run_root(const RankLayout& layout, const CellJob& job) {
  Dispatcher dispatcher(layout, job);
  std::thread serving;
  if (layout.size > 1) serving = std::thread([&] { dispatcher.serve_workers(); });
  std::size_t cell = 0;
  while (dispatcher.take(cell)) {
    try {
      const std::string encoded = job.evaluate(cell);
      dispatcher.deliver(cell, encoded, 0);
      if (interrupt_requested()) dispatcher.stop(CellsOutcome::interrupted, {});
    } catch (const Interrupted&) {
      dispatcher.stop(CellsOutcome::interrupted, {});
    } catch (const std::exception& e) {
      dispatcher.stop(CellsOutcome::failed,
                      layout.size > 1 ? "rank 0: " + std::string(e.what()) : std::string(e.what()));
    }
  }
  if (serving.joinable()) serving.join();
  return dispatcher.finish();
}

// ---- split cells: every rank runs each, its paths split (path_runner.hpp) -------------------

// The cells rank 0 picked (cells_to_split), on every rank.
std::vector<std::size_t> split_cells(const RankLayout& layout, const CellJob& job) {
  std::int64_t count = 0;
  if (layout.root())
    count = std::int64_t(cells_to_split(
        job.order, job.cost, layout.size,
        path_split_mode([](const char* name) -> const char* { return std::getenv(name); })));
  MPI_Bcast(&count, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
  std::vector<std::int64_t> cells(std::size_t(count), 0);
  if (layout.root())
    for (std::size_t i = 0; i < cells.size(); ++i) cells[i] = std::int64_t(job.order[i]);
  MPI_Bcast(cells.data(), int(count), MPI_INT64_T, 0, MPI_COMM_WORLD);
  return std::vector<std::size_t>(cells.begin(), cells.end());
}

// One at a time, on every rank; after each a vote, so that every rank stops at the same cell.
CellsRun run_split_cells(const RankLayout& layout, const CellJob& job,
                         const std::vector<std::size_t>& cells) {
  enum Status : int { kDone, kInterrupted, kFailed };
  const PathShare share{layout.rank, layout.size};
  CellsRun run;
  for (const std::size_t cell : cells) {
    int status = kDone;
    std::string failure;
    try {
      const ScopedPathShare active(share);
      const std::string encoded = job.evaluate(cell);
      if (layout.root()) job.on_result(cell, encoded, 0);  // the ranks' common result
    } catch (const Interrupted&) {
      status = kInterrupted;
    } catch (const PeerFailed&) {
      status = kFailed;  // that rank's message reaches rank 0 below
    } catch (const std::exception& e) {
      status = kFailed;
      failure = e.what();
    }
    if (status == kDone && interrupt_requested()) status = kInterrupted;
    const int worst = max_over_ranks(status);
    if (worst == kDone) continue;
    const std::vector<std::string> failures = gather_text(failure);
    run.outcome = worst == kFailed ? CellsOutcome::failed : CellsOutcome::interrupted;
    for (std::size_t r = 0; r < failures.size() && run.failure.empty(); ++r)
      if (!failures[r].empty()) run.failure = "rank " + std::to_string(r) + ": " + failures[r];
    if (run.outcome == CellsOutcome::failed && run.failure.empty()) run.failure = "a rank failed";
    return run;
  }
  return run;
}

}  // namespace

CellsRun run_cells(const RankLayout& layout, const CellJob& job) {
  const int other = first_rank_with_another_job(layout, job.fingerprint);
  if (other >= 0) {
    CellsRun run;
    run.outcome = CellsOutcome::failed;
    run.failure = "rank " + std::to_string(other) +
                  " runs another job than rank 0 (scenario, paths, seed or precision differ): "
                  "start every rank with the same command and files";
    return run;
  }
  const std::vector<std::size_t> split = split_cells(layout, job);
  CellsRun run = run_split_cells(layout, job, split);
  if (run.outcome == CellsOutcome::finished) {
    CellJob rest = job;  // the other cells, whole, handed out as below
    if (layout.root()) rest.order.erase(rest.order.begin(), rest.order.begin() + split.size());
    run = layout.root() ? run_root(layout, rest) : run_worker(rest);
  }
  run.split_cells = split.size();
  return run;
}

}  // namespace hedgemap::mpi
