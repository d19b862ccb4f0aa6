// The loop over a path's policy points, written so that on the GPU every point's state can live in
// registers. A thread's array is kept in registers only when every index into it is a compile-time
// constant; one indexed by a run-time value goes to local memory (per-thread DRAM behind L1/L2:
// about 12 KB of stack per thread for HedgingKernel at its kMaxHedgePoints = 161 (ptxas -v, sm_90:
// BENCHMARKS.md), far more than L1 holds at full occupancy). So a kernel sizes its per-point arrays
// with a compile-time `Capacity`, and for a small capacity this loop is fully unrolled over
// 0..Capacity-1 with the run-time range only as a guard: each body then sees a constant index.
//
// Only where the state lives depends on Capacity: the bodies run for the same points in the same
// order with the same arithmetic, so results are bit-identical for every capacity >= the points.
// The kernels' default capacity is their maximum (the CPU backend, the tests); host/cuda/backend.cu
// launches the smallest capacity that holds a run's points.
#pragma once
#include "kernels/hd.hpp"

namespace hedgemap {

// Capacities up to this are unrolled; larger ones loop over [begin, end) with run-time indices.
constexpr int kMaxUnrolledCapacity = 32;

// nvcc's device pass only: g++ would not unroll 32 copies of a body for the CPU anyway.
#if defined(__CUDA_ARCH__)
#define HM_UNROLL_FULLY _Pragma("unroll")
#else
#define HM_UNROLL_FULLY
#endif

// body(p) for p = begin .. end-1 in order; end <= Capacity.
template <int Capacity, class Body>
HM_HD HM_FORCEINLINE void for_each_point(int begin, int end, Body&& body) {
  if constexpr (Capacity <= kMaxUnrolledCapacity) {
    HM_UNROLL_FULLY
    for (int p = 0; p < Capacity; ++p)
      if (p >= begin && p < end) body(p);
  } else {
    for (int p = begin; p < end; ++p) body(p);
  }
}

// One flag per point, packed 32 to a word: a capacity up to 32 keeps all its flags in one register.
template <int Capacity>
struct PointFlags {
  std::uint32_t words[(Capacity + 31) / 32] = {};
  HM_HD HM_FORCEINLINE bool get(int p) const { return (words[p >> 5] >> (p & 31)) & 1u; }
  HM_HD HM_FORCEINLINE void set(int p, bool on) {
    const std::uint32_t bit = 1u << (p & 31);
    words[p >> 5] = on ? (words[p >> 5] | bit) : (words[p >> 5] & ~bit);
  }
};

// The index into a per-point array that only a trade touches (an allocation combination's cost
// paid, trade count, last trade): on the GPU, p hidden from the compiler, so that the array stays
// in local memory rather than registers. A trade pays a few loads and stores that L1 serves; the
// registers go to what every step reads (units, cash), and an unrolled capacity of 32
// combinations does not spill (BENCHMARKS.md, "GPU"). An array indexed this way must be a
// variable of its own: the compiler keeps a whole variable in memory or none of it.
HM_HD HM_FORCEINLINE int trade_state_index(int p) {
#if defined(__CUDA_ARCH__)
  asm("" : "+r"(p));
#endif
  return p;
}

}  // namespace hedgemap
