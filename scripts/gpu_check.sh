#!/usr/bin/env bash
# The one command for a machine with an NVIDIA GPU: builds with the CUDA backend for this GPU,
# runs the GPU tests, compares the GPU backend with the CPU backend on the same scenario, runs
# compute-sanitizer on a small run, runs the benchmark, and prints a short table.
#   bash scripts/gpu_check.sh            # on a GPU machine (output also under $OUT if set)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/hedgemap-gpu-check}
mkdir -p "$OUT"
LOG="$OUT/gpu_check.log"
: >"$LOG"
declare -A STATUS
step() { echo "== $*" | tee -a "$LOG"; }

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee -a "$LOG"
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d .)
arch=${arch:-90}

step "install + build (sm_$arch)"
bash scripts/install-deps.sh >>"$LOG" 2>&1
if BUILD_DIR=build-gpu bash scripts/build.sh -DHEDGEMAP_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" >>"$LOG" 2>&1; then
  STATUS[build]=ok; else STATUS[build]=FAIL; tail -40 "$LOG"; exit 1; fi
./build-gpu/hedgemap info | tee -a "$LOG"

step "GPU tests (CPU vs CUDA on the same paths)"
if ./build-gpu/hedgemap_tests --gtest_filter='*Cuda*:*Gpu*:*Backend*' 2>&1 | tee "$OUT/gpu_tests.log" | tail -5; then
  grep -q "SKIPPED" "$OUT/gpu_tests.log" && STATUS[gpu_tests]="skipped?" || STATUS[gpu_tests]=ok
else STATUS[gpu_tests]=FAIL; fi

step "whole suite"
ctest --test-dir build-gpu --output-on-failure >"$OUT/ctest.log" 2>&1 && STATUS[ctest]=ok || STATUS[ctest]=FAIL
tail -3 "$OUT/ctest.log"

step "default scenario: cpu vs cuda"
./build-gpu/hedgemap run --backend cpu -o "$OUT/default_cpu.h5" --overwrite --progress none --paths 20000 2>>"$LOG"
./build-gpu/hedgemap run --backend cuda -o "$OUT/default_cuda.h5" --overwrite --progress none --paths 20000 2>>"$LOG"
if /usr/bin/python3 scripts/compare_backends.py "$OUT/default_cpu.h5" "$OUT/default_cuda.h5" | tee "$OUT/compare.txt"; then
  STATUS[cpu_vs_cuda]=ok; else STATUS[cpu_vs_cuda]=FAIL; fi

step "compute-sanitizer (memcheck, small run)"
SAN=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
if "$SAN" --tool memcheck --error-exitcode 9 ./build-gpu/hedgemap run --backend cuda --paths 512 \
     --set 'grid.expiry_days=[1]' -o "$OUT/sanitizer.h5" --overwrite --progress none >"$OUT/sanitizer.log" 2>&1; then
  STATUS[memcheck]=ok; else STATUS[memcheck]=FAIL; fi
tail -3 "$OUT/sanitizer.log"

step "benchmark"
bash scripts/bench.sh --build-dir build-gpu --gpu-only 2>&1 | tee "$OUT/bench.txt" && STATUS[bench]=ok || STATUS[bench]=FAIL

echo
echo "| check | result |"
echo "|---|---|"
for k in build gpu_tests ctest cpu_vs_cuda memcheck bench; do echo "| $k | ${STATUS[$k]:-not run} |"; done
