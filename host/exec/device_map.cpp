#include "host/exec/device_map.hpp"

#include <map>

namespace hedgemap {

DeviceMapping map_device(const DeviceRequest& request) {
  const int count = int(request.visible_uuids.size());
  const std::string seen =
      std::to_string(count) + " visible device(s)" +
      (request.visible_env.empty() ? std::string()
                                   : " (CUDA_VISIBLE_DEVICES=" + request.visible_env + ")");
  DeviceMapping mapping;
  if (request.requested >= 0) {
    if (request.requested >= count)
      throw DeviceChoiceError("--device " + std::to_string(request.requested) +
                              ": this process sees " + seen + ", numbered from 0");
    mapping.device = request.requested;
    mapping.reason = "--device " + std::to_string(request.requested);
    return mapping;
  }
  if (count == 0) return mapping;
  if (count == 1) {
    mapping.device = 0;
    mapping.reason = "the one visible device";
    return mapping;
  }
  mapping.device = request.local_rank % count;
  mapping.reason = "local rank " + std::to_string(request.local_rank) + " modulo " + seen;
  return mapping;
}

std::string shared_gpu_problem(const std::vector<std::string>& uuid_per_rank) {
  std::map<std::string, int> first_rank;
  for (int r = 0; r < int(uuid_per_rank.size()); ++r) {
    const std::string& uuid = uuid_per_rank[std::size_t(r)];
    if (uuid.empty()) continue;
    const auto [it, inserted] = first_rank.emplace(uuid, r);
    if (!inserted)
      return "ranks " + std::to_string(it->second) + " and " + std::to_string(r) +
             " would share the GPU " + uuid +
             ": start at most one rank per GPU (srun --gpus-per-task=1, or mpirun -np <GPUs "
             "per node> per node), or give each rank its own --device";
  }
  return {};
}

}  // namespace hedgemap
