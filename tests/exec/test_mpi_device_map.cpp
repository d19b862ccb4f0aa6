// One GPU per MPI rank (host/exec/device_map.hpp) on fake device lists: what each rank of a node
// picks under the ways CUDA_VISIBLE_DEVICES is set, and the refusal of two ranks on one GPU.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/exec/device_map.hpp"

namespace hedgemap {
namespace {

const std::vector<std::string> kNode = {"GPU-a", "GPU-b", "GPU-c", "GPU-d"};  // a 4-GPU node

// What the ranks of one node pick when each sees `visible(local_rank)`; their GPUs' UUIDs.
template <class Visible>
std::vector<std::string> node_uuids(int ranks, Visible visible, int requested = -1) {
  std::vector<std::string> uuids;
  for (int r = 0; r < ranks; ++r) {
    DeviceRequest request;
    request.local_rank = r;
    request.requested = requested;
    request.visible_uuids = visible(r);
    const DeviceMapping m = map_device(request);
    uuids.push_back(m.device < 0 ? "" : request.visible_uuids[std::size_t(m.device)]);
  }
  return uuids;
}

TEST(MpiDeviceMap, EveryRankSeesEveryGpuLocalRankModuloCount) {
  // CUDA_VISIBLE_DEVICES unset (mpirun -np 4 on a 4-GPU node).
  const auto uuids = node_uuids(4, [](int) { return kNode; });
  EXPECT_EQ(uuids, kNode);
  EXPECT_EQ(shared_gpu_problem(uuids), "");
  DeviceRequest r;
  r.local_rank = 5;
  r.visible_uuids = kNode;
  EXPECT_EQ(map_device(r).device, 1);
  EXPECT_NE(map_device(r).reason.find("local rank 5 modulo 4"), std::string::npos);
}

TEST(MpiDeviceMap, ARankThatSeesOneGpuUsesIt) {
  // srun --gpus-per-task=1: CUDA_VISIBLE_DEVICES=<its own GPU> per task, index 0 for every rank.
  const auto uuids = node_uuids(4, [](int r) { return std::vector<std::string>{kNode[r]}; });
  EXPECT_EQ(uuids, kNode);
  EXPECT_EQ(shared_gpu_problem(uuids), "");
}

TEST(MpiDeviceMap, MoreRanksThanGpusIsRefused) {
  const auto uuids = node_uuids(6, [](int) { return kNode; });  // ranks 4 and 5 wrap around
  const std::string problem = shared_gpu_problem(uuids);
  EXPECT_NE(problem.find("ranks 0 and 4 would share the GPU GPU-a"), std::string::npos) << problem;
}

TEST(MpiDeviceMap, OneGpuUnderTwoIndicesIsFoundByUuid) {
  // Rank 0 sees CUDA_VISIBLE_DEVICES=0,1, rank 1 sees 1,0: by index they differ (0 and 1), but
  // both are GPU-a.
  const auto uuids = node_uuids(2, [](int r) {
    return r == 0 ? std::vector<std::string>{"GPU-a", "GPU-b"}
                  : std::vector<std::string>{"GPU-b", "GPU-a"};
  });
  EXPECT_EQ(uuids, (std::vector<std::string>{"GPU-a", "GPU-a"}));
  EXPECT_NE(shared_gpu_problem(uuids).find("ranks 0 and 1"), std::string::npos);
}

TEST(MpiDeviceMap, DeviceOverride) {
  // --device 2 in a plain run; on two ranks of one node it would put both on GPU-c.
  DeviceRequest r;
  r.requested = 2;
  r.visible_uuids = kNode;
  EXPECT_EQ(map_device(r).device, 2);
  EXPECT_EQ(map_device(r).reason, "--device 2");
  EXPECT_NE(shared_gpu_problem(node_uuids(
                2, [](int) { return kNode; }, 2)),
            "");
  // Out of range: bad input, naming what the process sees.
  r.requested = 4;
  r.visible_env = "0,1,2,3";
  try {
    map_device(r);
    FAIL() << "--device 4 of 4 accepted";
  } catch (const DeviceChoiceError& e) {
    EXPECT_NE(std::string(e.what()).find("4 visible device(s) (CUDA_VISIBLE_DEVICES=0,1,2,3)"),
              std::string::npos)
        << e.what();
  }
  r.visible_uuids.clear();  // --device on a machine without a GPU
  EXPECT_THROW(map_device(r), DeviceChoiceError);
}

TEST(MpiDeviceMap, CpuRanksBesideGpuRanks) {
  // No visible device: no GPU (the rank runs on the CPU); such ranks never conflict.
  DeviceRequest r;
  r.local_rank = 3;
  EXPECT_EQ(map_device(r).device, -1);
  EXPECT_EQ(shared_gpu_problem({"", "GPU-a", "", "GPU-b"}), "");
}

}  // namespace
}  // namespace hedgemap
