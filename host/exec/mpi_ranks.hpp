// The MPI side of host/exec/ranks.hpp, built only with HEDGEMAP_WITH_MPI (mpi_*.cpp): the only
// code that calls MPI. No MPI types here, so that ranks.cpp includes it in every build.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "host/exec/ranks.hpp"

namespace hedgemap::mpi {

// MPI_Init_thread (MPI_THREAD_SERIALIZED: rank 0's dispatcher thread makes its MPI calls while
// the main thread runs paths, never both at once) and the layout, nodes from
// MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) (mpi_session.cpp).
RankLayout start();
void stop();                                 // a barrier, then MPI_Finalize
[[noreturn]] void abort_all(int exit_code);  // MPI_Abort
std::vector<std::string> gather_text(const std::string& text);
int min_over_ranks(int value);
int max_over_ranks(int value);                                      // both wait sleeping
void broadcast_doubles(int root, double* data, std::size_t count);  // in pieces, waits sleeping
std::string library_version();

// run_cells over the ranks (mpi_cells.cpp).
CellsRun run_cells(const RankLayout& layout, const CellJob& job);

}  // namespace hedgemap::mpi
