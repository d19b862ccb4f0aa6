// Which GPU a process uses: one GPU per MPI rank. A rank that sees one device (Slurm's
// --gpus-per-task=1 gives each task its own CUDA_VISIBLE_DEVICES) uses it; a rank that sees
// several takes its node-local rank modulo their count; `--device N` overrides both (and picks
// the GPU of a plain run too). Two ranks on one GPU would each hold a P&L store and chunk
// buffers sized for the whole device and slow each other down: refused (exit 2), found by the
// devices' UUIDs, since CUDA_VISIBLE_DEVICES may show one GPU under different indices to
// different ranks. Pure functions: tests feed them fake device lists.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace hedgemap {

// A device choice that cannot work (a --device out of range, two ranks on one GPU): exit 2.
struct DeviceChoiceError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct DeviceRequest {
  int local_rank = 0;                      // this rank on its node (0 for a plain run)
  int requested = -1;                      // --device N; -1: none
  std::vector<std::string> visible_uuids;  // the devices this process sees, in CUDA's order
  std::string visible_env;  // CUDA_VISIBLE_DEVICES as set (for messages), "" when unset
};

struct DeviceMapping {
  int device = -1;     // index among the visible devices; -1 when none is visible
  std::string reason;  // e.g. "local rank 5 of the node, modulo 4 visible devices"
};

// Throws DeviceChoiceError for a --device out of range.
DeviceMapping map_device(const DeviceRequest& request);

// uuid_per_rank[r]: rank r's GPU ("" for a rank on the CPU). A message naming the first two ranks
// that share a GPU, or "" when none do.
std::string shared_gpu_problem(const std::vector<std::string>& uuid_per_rank);

}  // namespace hedgemap
