// The one random stream of hedgemap: counter-based Philox4x32-10 (Salmon et al. 2011) from
// Random123, keyed by the scenario seed and addressed by (path, step, draw group):
//
//   key     = (seed_lo, seed_hi)
//   counter = (group, step, path_lo, path_hi)        -> 4 independent 32-bit words per group
//
// This is exactly cuRAND's Philox4_32_10 with seed = seed, subsequence = path and
// offset = 4 * (step * 2^32 + group) in the device API's curand_init:
// tests/kernels/test_philox_stream.cpp proves it against cuRAND's own counter code and its host
// generator (whose output block B is subsequence B mod 2^16 at block offset B >> 16). Any path can
// be regenerated anywhere, on any backend, in any order.
#pragma once
#include <Random123/philox.h>

#include "kernels/hd.hpp"

namespace hedgemap {

struct Uint4 {
  std::uint32_t x, y, z, w;
};

class PhiloxStream {
 public:
  HM_HD PhiloxStream(unsigned long long seed, unsigned long long path)
      : key_lo_(static_cast<std::uint32_t>(seed)),
        key_hi_(static_cast<std::uint32_t>(seed >> 32)),
        path_lo_(static_cast<std::uint32_t>(path)),
        path_hi_(static_cast<std::uint32_t>(path >> 32)) {}

  // Four 32-bit words of draw group `group` at step `step` of this path.
  HM_HD HM_FORCEINLINE Uint4 words(std::uint32_t step, std::uint32_t group) const {
    r123::Philox4x32 philox;
    r123::Philox4x32::ctr_type ctr = {{group, step, path_lo_, path_hi_}};
    r123::Philox4x32::key_type key = {{key_lo_, key_hi_}};
    const r123::Philox4x32::ctr_type r = philox(ctr, key);
    return Uint4{r[0], r[1], r[2], r[3]};
  }

 private:
  std::uint32_t key_lo_, key_hi_, path_lo_, path_hi_;
};

// Uniform in the open interval (0, 1): (x + 1/2) 2^-32, never 0 or 1, so log() is safe.
HM_HD HM_FORCEINLINE double u01_open(std::uint32_t x) {
  return (static_cast<double>(x) + 0.5) * 2.3283064365386962890625e-10;
}

}  // namespace hedgemap
