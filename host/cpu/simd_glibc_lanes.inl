// v_exp, v_log and v_sincos of the lane-batched path (host/cpu/simd_process.inl) as glibc's float
// functions, one lane at a time: the scalar kernels' own functions, so that the batched prices
// equal the scalar path's bit for bit (in files compiled without FMA contraction, like the portable
// scalar build). Used by host/cpu/simd_allocation.cpp and host/cpu/simd_book_price.cpp, whose
// results amplify any last-bit difference of the price path (a tolerance rule's trade sizes are
// differences of large exposures; an option payoff near its strike), which SLEEF's 1-3.5 ulp
// vector functions would put on almost every path. Included inside each instruction set's
// namespace. No include guard: deliberately compiled several times.

static inline void v_exp(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; ++j) r[j] = expf(a[j]);
}
static inline void v_log(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; ++j) r[j] = logf(a[j]);
}
static inline void v_sincos(const float* a, float* s, float* c) {
  for (int j = 0; j < kSimdLanes; ++j) sincosf(a[j], s + j, c + j);
}
