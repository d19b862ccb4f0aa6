// Lane-batched BookPriceKernel<float> on the CPU (see host/cpu/simd_book_price.hpp): the path step
// (host/cpu/simd_process.inl) and the batch (host/cpu/simd_book_price_batch.inl) compiled three
// times (SSE2, AVX2+FMA, AVX-512F), run-time dispatch, and the OpenMP loop over batches.
#include "host/cpu/simd_book_price.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "host/cpu/simd_process.hpp"

namespace hedgemap {

#ifdef HM_SIMD_X86
namespace {

// glibc's float exp, log and sincos one lane at a time (host/cpu/simd_glibc_lanes.inl): ln S_T then
// equals the scalar path's bit for bit.

// ---- SSE2 (x86-64 baseline) ------------------------------------------------------------------
namespace book_sse2 {
#include "host/cpu/simd_glibc_lanes.inl"
#include "host/cpu/simd_process.inl"
#include "host/cpu/simd_book_price_batch.inl"
}  // namespace book_sse2

// ---- AVX2 + FMA (no contraction: -ffp-contract=off) -----------------------------------------
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace book_avx2 {
#include "host/cpu/simd_glibc_lanes.inl"
#include "host/cpu/simd_process.inl"
#include "host/cpu/simd_book_price_batch.inl"
}  // namespace book_avx2
#pragma GCC pop_options

// ---- AVX-512F --------------------------------------------------------------------------------
#pragma GCC push_options
#pragma GCC diagnostic push  // GCC 12: false -Wmaybe-uninitialized in avx512fintrin.h
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx512f,avx512dq,avx512vl,avx2,fma")
namespace book_avx512 {
#include "host/cpu/simd_glibc_lanes.inl"
#include "host/cpu/simd_process.inl"
#include "host/cpu/simd_book_price_batch.inl"
}  // namespace book_avx512
#pragma GCC diagnostic pop
#pragma GCC pop_options

void run_batches(const BookPriceKernel<float>& kernel, std::uint64_t first, std::uint64_t n,
                 double* out, int threads, SimdIsa isa) {
  const simd_process::ProcessConstants constants(kernel.process);
  for_each_simd_batch(n, threads, [&](std::uint64_t offset, int valid) {
    if (isa == SimdIsa::avx512)
      book_avx512::run_book_price_batch(kernel, constants, first + offset, valid, out, n, offset);
    else if (isa == SimdIsa::avx2)
      book_avx2::run_book_price_batch(kernel, constants, first + offset, valid, out, n, offset);
    else
      book_sse2::run_book_price_batch(kernel, constants, first + offset, valid, out, n, offset);
  });
}

}  // namespace
#endif  // HM_SIMD_X86

bool simd_eligible(const BookPriceKernel<float>& k) {
  return simd_available() && simd_process_covered(k.process, /*kou_covered=*/false);
}

void run_book_price_batched(const BookPriceKernel<float>& kernel, std::uint64_t first,
                            std::uint64_t n, double* out, int threads, SimdIsa isa) {
#ifdef HM_SIMD_X86
  if (isa != SimdIsa::none) {
    run_batches(kernel, first, n, out, threads, isa);
    return;
  }
#endif
  (void)kernel, (void)first, (void)n, (void)out, (void)threads, (void)isa;
  throw std::logic_error("run_book_price_batched: built without SLEEF or no instruction set");
}

bool run_batched_on_cpu(int threads, const BookPriceKernel<float>& kernel, std::uint64_t first,
                        std::uint64_t n, double* out) {
  if (!simd_eligible(kernel)) return false;
  run_book_price_batched(kernel, first, n, out, threads, simd_chosen_isa());
  return true;
}

}  // namespace hedgemap
