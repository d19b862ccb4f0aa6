// Checkpoints of a sweep: after every finished cell the results so far are written (atomically)
// to "<output>.ckpt". `--resume` reads it back, checks that it belongs to the same run (a SHA-256
// over the effective scenario, paths, seed and precision) and computes only the missing cells.
#pragma once
#include <string>
#include <vector>

#include "host/families/cell_result.hpp"
#include "host/statistics/policy_group.hpp"

namespace hedgemap {

std::string checkpoint_path(const std::string& output_path);

// identity: run_identity() of the run; cells: one entry per grid cell, done or not.
void save_checkpoint(const std::string& path, const std::string& identity,
                     const std::vector<CellResult>& cells);

// Throws std::runtime_error if the file is missing, corrupt, or of another run; `groups` are the
// run's policy groups, whose shapes every saved cell must have.
std::vector<CellResult> load_checkpoint(const std::string& path, const std::string& identity,
                                        std::size_t cell_count,
                                        const std::vector<GroupSpec>& groups);

// The cells in a checkpoint's bytes (`name` in messages): of the run `identity`, `cell_count`
// cells, each saved cell shaped like `groups` (a group per spec, each metric, the objective and
// its error with one value per parameter point, bootstrap optima in [-1, points)). Throws
// std::runtime_error otherwise, so that a resumed run never writes from a malformed cell.
std::vector<CellResult> decode_checkpoint(const std::string& bytes, const std::string& name,
                                          const std::string& identity, std::size_t cell_count,
                                          const std::vector<GroupSpec>& groups);

std::string sha256_hex(const std::string& bytes);

}  // namespace hedgemap
