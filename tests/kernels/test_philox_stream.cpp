// The random stream against independent references:
//  (a) Random123's published known-answer vectors for Philox4x32-10 (kat_vectors of the
//      Random123 distribution), addressed through PhiloxStream's (seed, path, step, group);
//  (b) cuRAND: the device API's own counter arithmetic (curand_init = skipahead_sequence(path) +
//      skipahead(offset)) and cuRAND's host generator, whose output layout is measured here;
//  (c) no aliasing between the four counter fields and the two key halves.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "kernels/philox_stream.hpp"

#ifdef HEDGEMAP_HAVE_CURAND
#include <curand.h>
#include <nv/target>
#include <vector_functions.h>
#include <vector_types.h>
// cuRAND's device-API Philox (counter increments and the 10 rounds) is plain C++ once its
// qualifiers are host-only; a namespace keeps it apart from Random123's identically named helpers.
#undef PHILOX_W32_0
#undef PHILOX_W32_1
#undef PHILOX_M4x32_0
#undef PHILOX_M4x32_1
namespace curand_device_api {
#define QUALIFIERS static inline
#include <curand_philox4x32_x.h>
#undef QUALIFIERS
}  // namespace curand_device_api
#endif

namespace hedgemap {
namespace {

std::uint64_t combine(std::uint32_t hi, std::uint32_t lo) { return (std::uint64_t(hi) << 32) | lo; }

bool same(const Uint4& a, const Uint4& b) {
  return a.x == b.x && a.y == b.y && a.z == b.z && a.w == b.w;
}

// ---- (a) known answers --------------------------------------------------------------------

struct PhiloxKat {
  std::uint32_t ctr[4];
  std::uint32_t key[2];
  std::uint32_t expected[4];
};

// Random123 kat_vectors, lines "philox4x32 10 ctr0..3 key0..1 -> out0..3".
const PhiloxKat kPhiloxKats[] = {
    {{0x00000000, 0x00000000, 0x00000000, 0x00000000},
     {0x00000000, 0x00000000},
     {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

TEST(PhiloxStreamKnownAnswer, MatchesRandom123Vectors) {
  for (const PhiloxKat& kat : kPhiloxKats) {
    // counter = (group, step, path_lo, path_hi), key = (seed_lo, seed_hi)
    const std::uint64_t seed = combine(kat.key[1], kat.key[0]);
    const std::uint64_t path = combine(kat.ctr[3], kat.ctr[2]);
    const Uint4 w = PhiloxStream(seed, path).words(kat.ctr[1], kat.ctr[0]);
    const std::uint32_t got[4] = {w.x, w.y, w.z, w.w};
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(got[i], kat.expected[i])
          << "word " << i << " for seed=0x" << std::hex << seed << " path=0x" << path << " step=0x"
          << kat.ctr[1] << " group=0x" << kat.ctr[0];
    }
  }
}

TEST(PhiloxStreamKnownAnswer, OpenUnitIntervalEndpoints) {
  EXPECT_GT(u01_open(0u), 0.0);
  EXPECT_LT(u01_open(0xffffffffu), 1.0);
  EXPECT_DOUBLE_EQ(u01_open(0x80000000u), 0.5 + 0.5 / 4294967296.0);
}

// ---- (b) cuRAND -----------------------------------------------------------------------------

#ifdef HEDGEMAP_HAVE_CURAND
const std::uint64_t kSeeds[] = {0ull, 42ull, 0x123456789abcdef0ull, 0xfedcba9876543210ull,
                                0xffffffffffffffffull};

// curand_init(seed, subsequence, offset, &state) for Philox sets key = seed, counter =
// (0, 0, subsequence) via skipahead_sequence, then advances counter.xy by offset / 4 via
// skipahead. Repeated here with cuRAND's own increment functions and rounds.
::uint4 curand_device_block(std::uint64_t seed, std::uint64_t subsequence,
                            std::uint64_t offset_blocks) {
  using namespace curand_device_api;
  curandStatePhilox4_32_10_t state{};
  state.key.x = std::uint32_t(seed);
  state.key.y = std::uint32_t(seed >> 32);
  state.ctr = make_uint4(0, 0, 0, 0);
  Philox_State_Incr_hi(&state, subsequence);
  Philox_State_Incr(&state, offset_blocks);
  return curand_Philox4x32_10(state.ctr, state.key);
}

TEST(PhiloxStreamCurand, DeviceApiSubsequenceIsPathAndOffsetIsStepGroup) {
  const std::uint64_t paths[] = {0, 1, 7, 4095, 0xffffffffull, 0x100000003ull};
  const std::uint32_t steps[] = {0, 1, 3, 0xffffffffu};
  const std::uint32_t groups[] = {0, 1, 5, 64, 0xffffffffu};
  for (std::uint64_t seed : kSeeds)
    for (std::uint64_t path : paths)
      for (std::uint32_t step : steps)
        for (std::uint32_t group : groups) {
          // offset = 4 * (step * 2^32 + group) words  <=>  offset / 4 blocks
          const auto ref = curand_device_block(seed, path, combine(step, group));
          const Uint4 w = PhiloxStream(seed, path).words(step, group);
          EXPECT_TRUE(w.x == ref.x && w.y == ref.y && w.z == ref.z && w.w == ref.w)
              << std::hex << "seed=0x" << seed << " path=0x" << path << " step=0x" << step
              << " group=0x" << group;
        }
}

class CurandHostGenerator {
 public:
  explicit CurandHostGenerator(std::uint64_t seed) {
    ok_ = curandCreateGeneratorHost(&gen_, CURAND_RNG_PSEUDO_PHILOX4_32_10) ==
              CURAND_STATUS_SUCCESS &&
          curandSetPseudoRandomGeneratorSeed(gen_, seed) == CURAND_STATUS_SUCCESS;
  }
  ~CurandHostGenerator() {
    if (ok_) curandDestroyGenerator(gen_);
  }
  bool ok() const { return ok_; }
  std::vector<unsigned> generate(std::uint64_t offset, std::size_t n) {
    std::vector<unsigned> out(n, 0u);
    if (curandSetGeneratorOffset(gen_, offset) != CURAND_STATUS_SUCCESS ||
        curandGenerate(gen_, out.data(), n) != CURAND_STATUS_SUCCESS)
      ok_ = false;
    return out;
  }

 private:
  curandGenerator_t gen_{};
  bool ok_ = false;
};

// Measured layout of the host generator (default ordering; LEGACY gives the same): output block
// B (words 4B..4B+3) = philox(counter = (B >> 16 as 64 bits in x:y, B mod 2^16, 0), key = seed),
// i.e. 65536 subsequences interleaved block by block. So block j < 65536 is our path j at
// (step 0, group 0), and curandSetGeneratorOffset(4 B) skips B blocks of that interleaved
// sequence: it does NOT add offset/4 to counter.xy of one subsequence (that is the device API,
// tested above). Our words(step, group) of path p < 65536 sit at B = ((step 2^32 + group) << 16) +
// p.
constexpr std::uint64_t kHostSubsequences = 65536;

Uint4 host_block(const std::vector<unsigned>& v, std::size_t b) {
  return Uint4{v[4 * b], v[4 * b + 1], v[4 * b + 2], v[4 * b + 3]};
}

TEST(PhiloxStreamCurand, HostGeneratorBlockJIsPathJ) {
  for (std::uint64_t seed : kSeeds) {
    CurandHostGenerator gen(seed);
    // Two rounds of the interleave: blocks 0..65535 are (path j, group 0), the next 4096 group 1.
    const std::size_t blocks = kHostSubsequences + 4096;
    const std::vector<unsigned> v = gen.generate(0, 4 * blocks);
    ASSERT_TRUE(gen.ok()) << "cuRAND host generator failed, seed=0x" << std::hex << seed;
    int mismatches = 0;
    for (std::size_t b = 0; b < blocks; ++b) {
      const Uint4 expected =
          PhiloxStream(seed, b % kHostSubsequences).words(0, std::uint32_t(b / kHostSubsequences));
      if (!same(host_block(v, b), expected) && ++mismatches <= 5)
        ADD_FAILURE() << "block " << b << " seed=0x" << std::hex << seed;
    }
    EXPECT_EQ(mismatches, 0) << "seed=0x" << std::hex << seed;
  }
}

TEST(PhiloxStreamCurand, HostGeneratorOffsetSkipsInterleavedBlocks) {
  struct Where {
    std::uint32_t step, group;
    std::uint64_t path;
  };
  const Where points[] = {{0, 5, 0}, {0, 5, 7}, {3, 5, 0}, {3, 5, 65530}, {1, 0xffffffffu, 3}};
  for (std::uint64_t seed : kSeeds) {
    for (const Where& p : points) {
      const std::uint64_t block = ((combine(p.step, p.group)) << 16) + p.path;
      CurandHostGenerator gen(seed);
      const std::vector<unsigned> v = gen.generate(4 * block, 4 * 8);
      ASSERT_TRUE(gen.ok()) << "offset=" << 4 * block;
      for (std::size_t b = 0; b < 8; ++b) {
        const std::uint64_t g = block + b;  // crossing path 65535 -> 0 moves to the next group
        const std::uint64_t counter = g >> 16;
        const Uint4 expected = PhiloxStream(seed, g % kHostSubsequences)
                                   .words(std::uint32_t(counter >> 32), std::uint32_t(counter));
        EXPECT_TRUE(same(host_block(v, b), expected))
            << std::hex << "seed=0x" << seed << " step=0x" << p.step << " group=0x" << p.group
            << " path=0x" << p.path << " block+" << b;
      }
    }
  }
  // The brief's guess, offset = 4 (step 2^32 + group) -> words(step, group) of path 0, holds only
  // while step = 0 and group < 65536 is read as a path: offset 4*5 is path 5, not group 5.
  CurandHostGenerator gen(42);
  const std::vector<unsigned> v = gen.generate(4 * 5, 4);
  EXPECT_TRUE(same(host_block(v, 0), PhiloxStream(42, 5).words(0, 0)));
  EXPECT_FALSE(same(host_block(v, 0), PhiloxStream(42, 0).words(0, 5)));
}
#else
TEST(PhiloxStreamCurand, SkippedWithoutCuda) {
  GTEST_SKIP() << "built without the CUDA toolkit (HEDGEMAP_HAVE_CURAND undefined): the stream "
                  "is not compared with cuRAND";
}
#endif

// ---- (c) no aliasing -------------------------------------------------------------------------

TEST(PhiloxStreamAddressing, EveryFieldChangesTheWords) {
  // Small values in every field, and the same small value moved between fields (path 1 vs step 1
  // vs group 1, seed 1 vs seed 2^32, path 1 vs path 2^32) must all give different blocks.
  const std::uint64_t seeds[] = {0, 1, 2, 1ull << 32, (1ull << 32) + 1};
  const std::uint64_t paths[] = {0, 1, 2, 3, 1ull << 32, (1ull << 32) + 1};
  const std::uint32_t small[] = {0, 1, 2, 3};
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
  std::size_t count = 0;
  for (std::uint64_t seed : seeds)
    for (std::uint64_t path : paths)
      for (std::uint32_t step : small)
        for (std::uint32_t group : small) {
          const Uint4 w = PhiloxStream(seed, path).words(step, group);
          const bool inserted = seen.insert({combine(w.x, w.y), combine(w.z, w.w)}).second;
          EXPECT_TRUE(inserted) << "collision at seed=" << seed << " path=" << path
                                << " step=" << step << " group=" << group;
          ++count;
        }
  EXPECT_EQ(seen.size(), count);
}

TEST(PhiloxStreamAddressing, SameAddressSameWords) {
  const PhiloxStream a(12345, 678), b(12345, 678);
  for (std::uint32_t step = 0; step < 16; ++step)
    for (std::uint32_t group = 0; group < 4; ++group)
      EXPECT_TRUE(same(a.words(step, group), b.words(step, group)))
          << "step=" << step << " group=" << group;
}

}  // namespace
}  // namespace hedgemap
