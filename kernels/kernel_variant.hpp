// A path kernel's compile-time variants (the volatility model of the paths, the hedging model,
// ...): the host picks one at run time (kernel.variant()), the code of each is compiled apart, so
// that a kernel without Heston or Merton carries none of their state (on the GPU: registers and
// occupancy; host/cuda/backend.cu launches one kernel per variant).
#pragma once
#include <type_traits>

#include "kernels/hd.hpp"

namespace hedgemap {

// call(std::integral_constant<int, V>{}) for the run-time variant v, 0 <= v < Count (v >= Count-1
// calls the last). A chain of comparisons that the compiler folds into a jump table or branches.
template <int Count, int First = 0, class Call>
HM_HD HM_FORCEINLINE void dispatch_variant(int v, Call&& call) {
  if constexpr (First + 1 < Count) {
    if (v != First) return dispatch_variant<Count, First + 1>(v, call);
  }
  call(std::integral_constant<int, First>{});
}

}  // namespace hedgemap
