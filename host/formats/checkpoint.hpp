// Checkpoints of a sweep: after every finished cell the results so far are written (atomically)
// to "<output>.ckpt". `--resume` reads it back, checks that it belongs to the same run (a SHA-256
// over the effective scenario, paths, seed and precision) and computes only the missing cells.
#pragma once
#include <string>
#include <vector>

#include "host/families/cell_result.hpp"

namespace hedgemap {

std::string checkpoint_path(const std::string& output_path);

// identity: run_identity() of the run; cells: one entry per grid cell, done or not.
void save_checkpoint(const std::string& path, const std::string& identity,
                     const std::vector<CellResult>& cells);

// Throws std::runtime_error if the file is missing, corrupt, or of another run.
std::vector<CellResult> load_checkpoint(const std::string& path, const std::string& identity,
                                        std::size_t cell_count);

std::string sha256_hex(const std::string& bytes);

}  // namespace hedgemap
