// MPI start and stop, and the few collectives outside the cell protocol (mpi_cells.cpp).
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "host/exec/mpi_ranks.hpp"

namespace hedgemap::mpi {

RankLayout start() {
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
    throw std::runtime_error("MPI_Init_thread failed");
  if (provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    throw std::runtime_error(
        "the MPI library does not support MPI_THREAD_SERIALIZED (rank 0 hands out cells from a "
        "thread of its own while it runs cells)");
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
  RankLayout layout;
  MPI_Comm_rank(MPI_COMM_WORLD, &layout.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &layout.size);
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(name, &length);
  layout.host.assign(name, std::size_t(length));

  // The ranks that share this node's memory are this node's ranks.
  MPI_Comm node = MPI_COMM_NULL;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, layout.rank, MPI_INFO_NULL,
                          &node) == MPI_SUCCESS &&
      node != MPI_COMM_NULL) {
    MPI_Comm_rank(node, &layout.local_rank);
    MPI_Comm_size(node, &layout.local_size);
    MPI_Comm_free(&node);
  } else {
    const int local =
        launcher_local_rank([](const char* n) -> const char* { return std::getenv(n); });
    layout.local_rank = local >= 0 ? local : 0;
    layout.local_size = 0;  // unknown
  }
  int first_on_node = layout.local_rank == 0 ? 1 : 0;
  MPI_Allreduce(&first_on_node, &layout.nodes, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  return layout;
}

namespace {

// Waits for a non-blocking collective, sleeping between tests: a blocking one spins, and would
// take a core from a rank still running paths (or from rank 0 writing the results file).
void wait_sleeping(MPI_Request& request) {
  auto wait = std::chrono::microseconds(20);
  for (int done = 0;;) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::microseconds(1000));
  }
}

}  // namespace

void stop() {
  MPI_Request barrier;
  MPI_Ibarrier(MPI_COMM_WORLD, &barrier);
  wait_sleeping(barrier);
  MPI_Finalize();
}

int max_over_ranks(int value) {
  int out = value;
  MPI_Request request;
  MPI_Iallreduce(&value, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &request);
  wait_sleeping(request);
  return out;
}

void broadcast_doubles(int root, double* data, std::size_t count) {
  constexpr std::size_t kPiece = std::size_t(1) << 27;  // 1 GiB: MPI counts are ints
  for (std::size_t done = 0; done < count; done += kPiece) {
    MPI_Request request;
    MPI_Ibcast(data + done, int(std::min(kPiece, count - done)), MPI_DOUBLE, root, MPI_COMM_WORLD,
               &request);
    wait_sleeping(request);
  }
}

void abort_all(int exit_code) {
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);  // MPI_Abort does not return
}

std::vector<std::string> gather_text(const std::string& text) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int length = int(text.size());
  std::vector<int> lengths(rank == 0 ? size : 0), offsets(lengths.size());
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string all;
  if (rank == 0) {
    int total = 0;
    for (int r = 0; r < size; ++r) offsets[r] = total, total += lengths[r];
    all.resize(std::size_t(total));
  }
  MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
              0, MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (int r = 0; r < int(lengths.size()); ++r)
    out.push_back(all.substr(std::size_t(offsets[r]), std::size_t(lengths[r])));
  return out;
}

int min_over_ranks(int value) {
  int out = value;
  MPI_Allreduce(&value, &out, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return out;
}

std::string library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string version(text, std::size_t(length));
  const auto end = version.find_first_of(",\n");
  return end == std::string::npos ? version : version.substr(0, end);
}

}  // namespace hedgemap::mpi
