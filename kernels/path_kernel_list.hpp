// Every path kernel type the backends run. host/cuda/backend.cu instantiates its launcher once per
// entry; add a line here (both precisions) when adding a kernel.
#pragma once
#include "kernels/book_price_kernel.hpp"
#include "kernels/hedging_kernel.hpp"
#include "kernels/cppi_kernel.hpp"
#include "kernels/vol_target_kernel.hpp"

#define HEDGEMAP_FOR_EACH_PATH_KERNEL(X) \
  X(hedgemap::BookPriceKernel<float>)    \
  X(hedgemap::BookPriceKernel<double>)   \
  X(hedgemap::HedgingKernel<float>)      \
  X(hedgemap::HedgingKernel<double>)     \
  X(hedgemap::CppiKernel<float>)         \
  X(hedgemap::CppiKernel<double>)        \
  X(hedgemap::VolTargetKernel<float>)    \
  X(hedgemap::VolTargetKernel<double>)
