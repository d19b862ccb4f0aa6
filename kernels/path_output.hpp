// Where a path kernel writes its per-path results: a column-major block of doubles for one chunk
// of paths, column c of the chunk's path i at base[c * stride + i]. Column-major keeps GPU
// writes coalesced (neighbouring threads are neighbouring paths) and lets the host reduce one
// column at a time.
//
// A path kernel is a trivially copyable functor
//   HM_HD void operator()(unsigned long long path, const PathOutput& out) const;
// with `int columns() const`; the same object runs in the OpenMP loop and the CUDA kernel
// (host/exec/path_runner.hpp), so both backends execute one piece of code.
#pragma once
#include "kernels/hd.hpp"

namespace hedgemap {

struct PathOutput {
  double* base;
  unsigned long long stride;  // paths in the chunk
  unsigned long long index;   // this path's position in the chunk

  HM_HD HM_FORCEINLINE void set(int column, double value) const {
    base[static_cast<unsigned long long>(column) * stride + index] = value;
  }
};

}  // namespace hedgemap
