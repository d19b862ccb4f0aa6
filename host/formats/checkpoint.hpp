// Checkpoints of a sweep: after every finished cell the results so far are written (atomically)
// to "<output>.ckpt". `--resume` reads it back, checks that it is intact (a SHA-256 of its whole
// content, stored at its end) and belongs to the same run (a SHA-256 over the effective scenario,
// paths, seed and precision), and computes only the missing cells.
//
// Format "HMCKPT06": magic (8 bytes) | run identity (hex) '\n' | cell count (u64) | per cell: done
// byte, then encode_cell() when done | SHA-256 (32 bytes) of everything before it.
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

// The bytes save_checkpoint writes.
std::string encode_checkpoint(const std::string& identity, const std::vector<CellResult>& cells);

// Decodes checkpoint bytes (`name` for messages). Throws std::runtime_error when they are
// truncated, corrupted (checksum), of an older format, of another run, or of another grid size.
std::vector<CellResult> decode_checkpoint(const std::string& bytes, const std::string& name,
                                          const std::string& identity, std::size_t cell_count);

// Reads and decodes `path` (a regular file). Throws std::runtime_error as decode_checkpoint, and
// when the file is missing or unreadable. The file is never modified or removed.
std::vector<CellResult> load_checkpoint(const std::string& path, const std::string& identity,
                                        std::size_t cell_count);

// Whether a decoded cell has the shape `groups` give it (a group per spec, each metric, the
// objective and its errors with one value per parameter point, bootstrap optima in [-1, points)):
// a resumed run never writes from a malformed cell or one of another version's groups.
bool cell_fits_groups(const CellResult& cell, const std::vector<GroupSpec>& groups);

std::string sha256_hex(const std::string& bytes);

}  // namespace hedgemap
