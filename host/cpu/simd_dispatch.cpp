// Instruction set detection and the environment switches of the lane-batched CPU kernels (see
// host/cpu/simd_dispatch.hpp). Compiled with HEDGEMAP_HAVE_SLEEF like the kernels (CMakeLists.txt).
#include "host/cpu/simd_dispatch.hpp"
#include "kernels/gas_process.hpp"

#include <cstdlib>
#include <string>

namespace hedgemap {

SimdIsa simd_best_isa() {
#ifdef HM_SIMD_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl"))
    return SimdIsa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdIsa::avx2;
  return SimdIsa::sse2;
#else
  return SimdIsa::none;
#endif
}

const char* simd_isa_name(SimdIsa isa) {
  switch (isa) {
    case SimdIsa::sse2:
      return "sse2";
    case SimdIsa::avx2:
      return "avx2";
    case SimdIsa::avx512:
      return "avx512";
    default:
      return "none";
  }
}

SimdIsa simd_chosen_isa() {
  SimdIsa isa = simd_best_isa();
  const char* cap = std::getenv("HEDGEMAP_SIMD_ISA");
  if (!cap) return isa;
  for (SimdIsa i : {SimdIsa::sse2, SimdIsa::avx2, SimdIsa::avx512})
    if (std::string(cap) == simd_isa_name(i) && int(i) < int(isa)) isa = i;
  return isa;
}

bool simd_available() {
  if (simd_best_isa() == SimdIsa::none) return false;
  const char* scalar = std::getenv("HEDGEMAP_SCALAR_CPU");
  return !(scalar && *scalar && std::string(scalar) != "0");
}

bool simd_process_covered(const ProcessParams& p, bool kou_covered) {
  const JumpModel jumps = p.jumps.model;
  // Heston paths, the gas process, congestion decay and funding run in the scalar kernels only.
  return p.steps >= 1 && p.volatility_model == VolatilityModel::constant && !gas_is_a_process(p) &&
         !p.funding.on &&
         (jumps == JumpModel::none || jumps == JumpModel::merton ||
          (kou_covered && jumps == JumpModel::kou) || p.jumps.intensity <= 0.0);
}

}  // namespace hedgemap
