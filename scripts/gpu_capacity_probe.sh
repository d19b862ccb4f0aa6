#!/usr/bin/env bash
# Compiler figures of every point capacity 2..32 of the kernels with per-point state, in both
# precisions, compiled or not into host/cuda/backend.cu (which picks its rungs from this table):
# a throw-away translation unit with the backend's kernel shape, nvcc -Xptxas=-v with the
# build's flags, then scripts/gpu_resource_table.py. Needs nvcc, not a GPU (about a minute).
#   bash scripts/gpu_capacity_probe.sh [sm]          # default sm 90
set -euo pipefail
cd "$(dirname "$0")/.."
SM=${1:-90}
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
RANDOM123=$(dirname "$(dirname "$(find /usr/include /usr/local/include -path '*Random123/philox.h' 2>/dev/null | head -1)")")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat >"$TMP/probe.cu" <<'EOF'
#include "kernels/path_kernel_list.hpp"
// Same shape as host/cuda/backend.cu's capacity_path_kernel (variant 0: constant volatility,
// and for hedging the Black-Scholes hedger).
template <class Kernel, int Capacity, int Variant>
__global__ void __launch_bounds__(128)
    capacity_path_kernel(Kernel kernel, unsigned long long first, unsigned long long n, double* out) {
  const unsigned long long i = blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x;
  if (i < n) kernel.template run_variant<Variant, Capacity>(first + i, hedgemap::PathOutput{out, n, i});
}
#define PROBE(C) template __global__ void capacity_path_kernel<KERNEL, C, 0>(KERNEL, unsigned long long, unsigned long long, double*);
PROBE(2) PROBE(4) PROBE(8) PROBE(16) PROBE(32)
EOF
for kernel in HedgingKernel CppiKernel VolTargetKernel; do
  for real in float double; do
    "$NVCC" -O3 -DNDEBUG -std=c++17 --expt-relaxed-constexpr -lineinfo -Xptxas=-v -I. -I"$RANDOM123" \
      --generate-code="arch=compute_$SM,code=[compute_$SM,sm_$SM]" -DKERNEL="hedgemap::$kernel<$real>" \
      -c "$TMP/probe.cu" -o "$TMP/probe.o" 2>>"$TMP/ptxas.log"
  done
done
python3 scripts/gpu_resource_table.py "$TMP/ptxas.log"
